"""Writing outputs: CSV with a BOM for Excel, formatted workbooks, always atomically."""
from __future__ import annotations

import io as _io
import os
from pathlib import Path

import pandas as pd

from evalkit._shared.files import atomic_write
from evalkit.errors import ParameterError

__all__ = ["write_csv", "write_excel", "write_panel", "write_parquet"]


def write_csv(frame: pd.DataFrame, path: str | os.PathLike, *, bom: bool = True) -> Path:
    """Write CSV atomically; with a BOM by default so Excel on Chinese Windows shows the characters."""
    with atomic_write(path, "w") as fh:
        if bom:
            fh.write("\ufeff")
        frame.to_csv(fh, index=False)
    return Path(path)


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a panel (or any table) as Parquet through pyarrow, atomically; the compact form for large panels.

    :func:`evalkit.io.read_panel` reads it back (the file kind is recognised from its first bytes).
    """
    buffer = _io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow", index=False)
    with atomic_write(path, "wb") as fh:
        fh.write(buffer.getvalue())
    return Path(path)


def write_panel(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a panel by the file's extension: ``.parquet`` (:func:`write_parquet`), ``.xlsx`` or CSV."""
    suffix = Path(path).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return write_parquet(frame, path)
    if suffix == ".xlsx":
        return write_excel({"panel": frame}, path)
    return write_csv(frame, path, bom=False)


def write_excel(sheets: dict[str, pd.DataFrame], path: str | os.PathLike, *,
                sources: pd.DataFrame | None = None, number_formats: dict[str, str] | None = None,
                title: str | None = None) -> Path:
    """Write a formatted workbook atomically.

    Each sheet gets a bold shaded header, frozen header row, auto filter, column widths fitted to the
    content (CJK characters count double) and number formats (``number_formats`` maps column names to
    Excel formats; floats default to ``#,##0.00``). ``sources`` adds a ``sources`` sheet (what each
    figure is and where it came from). ``title`` goes into the workbook properties.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    all_sheets = dict(sheets)
    if sources is not None:
        all_sheets["sources"] = sources
    for name in all_sheets:
        if len(name) > 31 or any(ch in name for ch in "[]:*?/\\"):
            raise ParameterError(f"Excel sheet name {name!r} is too long or has one of []:*?/\\")
    number_formats = number_formats or {}
    buffer = _io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in all_sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            header_fill = PatternFill("solid", fgColor="1F3A5F")
            for cell in ws[1]:
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = header_fill
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.freeze_panes = "A2"
            if frame.shape[1]:
                ws.auto_filter.ref = ws.dimensions
            for idx, col in enumerate(frame.columns, start=1):
                letter = get_column_letter(idx)
                texts = [str(col)] + [str(v) for v in frame[col].head(500)]
                width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in t) for t in texts)
                ws.column_dimensions[letter].width = min(max(width + 2, 8), 60)
                fmt = number_formats.get(str(col))
                if fmt is None and pd.api.types.is_float_dtype(frame[col]):
                    fmt = "#,##0.00"
                elif fmt is None and pd.api.types.is_integer_dtype(frame[col]):
                    fmt = "0" if "year" in str(col).lower() or "年" in str(col) else "#,##0"
                if fmt:
                    for cell in ws[letter][1:]:
                        cell.number_format = fmt
        if title:
            writer.book.properties.title = title
    with atomic_write(path, "wb") as fh:
        fh.write(buffer.getvalue())
    return Path(path)


