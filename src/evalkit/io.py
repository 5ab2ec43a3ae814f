"""Reading panels and reference tables; writing outputs atomically.

``read_panel`` accepts what analysts actually have:

* CSV in UTF-8, UTF-8 with BOM or GB18030/GBK — the encoding is detected from the bytes, not guessed
  from the file name; XLSX (a sheet by name, else the first sheet; an ``evalkit template`` workbook is
  read sheet by sheet);
* the tidy **long** layout (region, year, indicator, value, …) or the **wide** "yearbook" layout
  (one row per indicator or per region, one column per year such as ``2015`` or ``2015年``);
* Chinese or English headers (地区/年份/指标/数值/来源/状态/备注), region and indicator names instead of codes.

It never modifies the file. Every problem in the file is reported at once (see :mod:`evalkit.errors`).
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io as _io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pandas as pd

from evalkit import paths, schema
from evalkit.errors import ColumnError, FileFormatError, ParameterError, Problem

__all__ = [
    "TEMPLATE_MARKER",
    "atomic_write",
    "detect_encoding",
    "file_sha256",
    "read_panel",
    "read_reference",
    "reference_panel",
    "write_csv",
    "write_excel",
    "write_template",
]

Layout = Literal["auto", "long", "wide"]
TEMPLATE_MARKER = "evalkit-template"
_REFERENCE_TABLES = ("regions", "indicators", "targets", "pilots", "national_series", "liaoning_series",
                     "seed_2020_figures")


# --------------------------------------------------------------------------------------------- bytes
def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_encoding(data: bytes) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` or ``gb18030``, decided by decoding the bytes.

    GB18030 is a superset of GBK and GB2312, so GBK files decode with it. Raises
    :class:`FileFormatError` when the bytes are none of these (e.g. UTF-16 or a binary file).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileFormatError("the file is UTF-16; save it as UTF-8 (CSV UTF-8 in Excel) or GBK")
    if b"\x00" in data[:4096]:
        raise FileFormatError("the file contains zero bytes: it is UTF-16 without a byte-order mark, or not a "
                              "text file at all; save it as CSV UTF-8 (or open it in Excel and save as .xlsx)")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"the file is neither UTF-8 nor GB18030/GBK (undecodable byte at position {exc.start}); "
            "save it as CSV UTF-8"
        ) from None


# --------------------------------------------------------------------------------------------- reading
#: Rows searched for the header: yearbook sheets carry a title, a unit line or a table number above it.
_HEADER_SCAN = 10
#: Text in an Excel number format that is shown literally ("0.0\"%\"", "0\%") and does not scale the value.
_LITERAL_FORMAT_TEXT = re.compile(r'"[^"]*"|\\.')


def _sniff_kind(path: Path, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError(f"{path} is an old binary Excel file (.xls) or a password-protected workbook; "
                              "open it in Excel, remove any password and save as .xlsx", path=path)
    return "csv"


def _grid(records: list[list]) -> pd.DataFrame:
    """Cells as a frame with columns 0…n-1 and index = 0-based spreadsheet row (blank rows included)."""
    width = max(map(len, records), default=0)
    return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in records], dtype=object)


def _read_csv_cells(path: Path, data: bytes) -> pd.DataFrame:
    try:
        encoding = detect_encoding(data)
    except FileFormatError as exc:
        raise FileFormatError(exc.problems[0].message, path=path) from None
    text = data.decode(encoding)
    if not text.strip():
        raise FileFormatError("the file is empty", path=path)
    # the separator that dominates the first lines (a title line above the header may have none)
    head = "\n".join(text[:1 << 16].splitlines()[:_HEADER_SCAN])
    sep = max([",", "\t", ";"], key=head.count)
    try:
        records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise FileFormatError(f"cannot parse as CSV ({exc}); look for a quote (\") that is never closed",
                              path=path) from None
    return _grid(records)


def _open_workbook(path: Path, data: bytes):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, InvalidFileException) as exc:
        raise FileFormatError(f"cannot read as an Excel workbook: {exc}", path=path) from None


def _xlsx_cell(cell) -> object:
    """A cell's value as the analyst sees it.

    Excel stores a cell shown as 12.5% as 0.125; read as a number it would be a rate 100 times too small,
    so a percentage-formatted number becomes the text ``"12.5%"`` and the unit check sees its % sign.
    Error cells (``#DIV/0!``) stay text, so they are reported rather than read as empty.
    """
    value = cell.value
    if (isinstance(value, (int, float)) and not isinstance(value, bool)
            and "%" in _LITERAL_FORMAT_TEXT.sub("", cell.number_format or "")):
        return format((Decimal(repr(value)) * 100).normalize(), "f") + "%"
    return value


def _xlsx_grid(book, name: str) -> pd.DataFrame:
    sheet = book[name]
    sheet.reset_dimensions()  # some writers record a wrong sheet size; read every row there is
    return _grid([[_xlsx_cell(c) for c in row] for row in sheet.iter_rows()])


def _header_label(cell: object) -> str | int | None:
    """The canonical column name or the year a header cell stands for; ``None`` if neither."""
    canon = schema.canonical_header(cell)
    if canon:
        return canon
    year = schema.parse_year(cell)
    return year if year is not None and schema.YEAR_RANGE[0] <= year <= schema.YEAR_RANGE[1] else None


def _table(grid: pd.DataFrame, where: str) -> tuple[pd.DataFrame, list[object], int]:
    """Find the header and return the non-blank rows under it, the header cells and the header's row number.

    The header is the first row (of the first few) with two recognised column names or years, so title
    rows above it are skipped. A two-row header — 年份 merged over the year columns and the years one row
    below, as yearbook sheets from Excel or WPS have it — is read as one. Blank cells become missing.
    """
    blank = grid.isna() | grid.apply(lambda col: col.astype(str).str.strip().eq(""))
    grid = grid.mask(blank)
    rows = grid.index[~blank.all(axis=1)]
    if rows.empty:
        raise FileFormatError("no header row: every cell is blank (choose the sheet with the data: "
                              "sheet=... or --sheet NAME)", path=where)
    scores = {r: sum(_header_label(c) is not None for c in grid.loc[r]) for r in rows[:_HEADER_SCAN]}
    header = next((r for r, score in scores.items() if score >= 2), rows[0])
    labels = list(grid.loc[header])
    body = rows[rows > header]
    if len(body):
        below = [_header_label(c) for c in grid.loc[body[0]]]
        years = [i for i, y in enumerate(below) if isinstance(y, int)]
        if (len(years) >= 2 and len(years) == (~blank.loc[body[0]]).sum()
                and all(blank.at[header, i] or _header_label(labels[i]) == "year" for i in years)
                and any(blank.at[header, i] for i in years)):
            for i in years:
                labels[i] = below[i]
            body = body[1:]
    return grid.loc[body], labels, int(header) + 1


def _normalise_headers(body: pd.DataFrame, labels: list[object], header_row: int, where: str) -> pd.DataFrame:
    """Name the columns canonically (year headers become ints); anything unrecognised is an error."""
    from openpyxl.utils import get_column_letter

    names: list[str | int | None] = []
    problems = []
    for pos, label in enumerate(labels):
        name = _header_label(label)
        if name is None and pd.isna(label):
            filled = body[pos].dropna()
            if len(filled):  # an empty column Excel left behind is fine, a value without a header is not
                problems.append(Problem(
                    "a value in a column without a header", file=where, row=int(filled.index[0]) + 1,
                    column=get_column_letter(pos + 1), value=filled.iloc[0],
                    fix='give the column a header or delete the value; in a CSV file a number with a thousands '
                        'separator must be quoted ("1,234") or written without it', kind=ColumnError))
        elif name is None:
            problems.append(Problem(
                "unknown column", file=where, row=header_row, column=str(label),
                fix="rename it to one of 地区/region, 年份/year, 指标/indicator, 数值/value, 来源/source, "
                    "状态/status, 备注/note, 单位/unit, or a year such as 2020 — or delete it",
                kind=ColumnError))
        names.append(name)
    seen: dict[object, object] = {}
    for label, name in zip(labels, names):
        if name is not None and name in seen:
            problems.append(Problem(f"two columns mean {name!r} ({seen[name]!r} and {label!r})", file=where,
                                    row=header_row, column=str(label), fix="keep one of them", kind=ColumnError))
        seen.setdefault(name, label)
    if problems:
        raise ColumnError(problems, path=where)
    keep = [pos for pos, name in enumerate(names) if name is not None]
    frame = body[keep].set_axis([names[pos] for pos in keep], axis=1)
    # a file that names regions/indicators only by name: the name column is the key
    for key in ("region", "indicator"):
        if key not in frame.columns and f"{key}_name" in frame.columns:
            frame = frame.rename(columns={f"{key}_name": key})
    return frame


def _to_raw(grid: pd.DataFrame, where: str, sheet: str | None, layout: Layout,
            region: str | None, indicator: str | None) -> pd.DataFrame:
    """Bring one table (long or wide) to the raw long form with spreadsheet row numbers."""
    body, labels, header_row = _table(grid, where)
    frame = _normalise_headers(body, labels, header_row, where)
    year_cols = [c for c in frame.columns if isinstance(c, int)]
    id_cols = [c for c in frame.columns if not isinstance(c, int)]
    if layout == "auto":
        layout = "wide" if year_cols and "year" not in id_cols else "long"
    frame = frame.assign(_row=frame.index + 1, _sheet=sheet or "")  # the grid index counts from row 1 = 0
    if region is not None:
        frame = frame.assign(region=region) if "region" not in frame else frame
    if indicator is not None:
        frame = frame.assign(indicator=indicator) if "indicator" not in frame else frame
    if layout == "long":
        if year_cols:
            raise ColumnError([Problem("year columns in a long-layout file", file=where, row=header_row,
                                       column=str(year_cols[0]),
                                       fix="use either one 'year' column (long) or one column per year (wide)")],
                              path=where)
        missing = [c for c in schema.REQUIRED_COLUMNS if c not in frame.columns]
        if missing:
            raise ColumnError([Problem(f"missing column {c!r}", file=where, row=header_row, column=c,
                                       fix=f"add a {c!r} column (Chinese headers such as 地区/年份/指标/数值 work too)")
                               for c in missing], path=where)
        return frame
    # wide "yearbook" layout: one row per indicator (or region), one column per year
    needed = [c for c in ("region", "indicator") if c not in frame.columns]
    if needed:
        raise ColumnError([Problem(
            f"a wide (yearbook) table needs a {c!r} column, or pass {c}=... to read_panel", file=where,
            row=header_row, column=c, fix="add a column 地区 (region) and 指标 (indicator) beside the year columns")
            for c in needed], path=where)
    if not year_cols:
        raise ColumnError([Problem("no year columns found", file=where, row=header_row,
                                   fix="name the columns by year, e.g. 2015 or 2015年")], path=where)
    keep = [c for c in frame.columns if not isinstance(c, int)]
    long = frame.melt(id_vars=keep, value_vars=year_cols, var_name="year", value_name="value")
    # an empty cell in a yearbook grid is not an observation
    long = long[long["value"].notna()].copy()
    long["_col"] = long["year"].astype(str)
    return long


def read_panel(path: str | os.PathLike, *, sheet: str | int | None = None, layout: Layout = "auto",
               region: str | None = None, indicator: str | None = None,
               default_status: str = "reported") -> pd.DataFrame:
    """Read and validate a panel file; return the canonical long panel.

    Parameters
    ----------
    path
        CSV (UTF-8, UTF-8-BOM, GB18030/GBK; comma, tab or semicolon separated) or XLSX file. Relative
        paths are resolved against the current directory, then the project root.
    sheet
        XLSX sheet name or index. Default: the first sheet, or every data sheet of an
        ``evalkit template`` workbook.
    layout
        ``"long"``, ``"wide"`` (yearbook: one column per year) or ``"auto"`` (wide when year columns
        are present).
    region, indicator
        Fill a column the file does not have (a yearbook sheet for one region or one indicator).
    default_status
        Status for rows without one (files from analysts usually carry none): ``reported`` means
        "figures supplied by the user"; use ``official`` for a statistics-bureau extract.

    Returns
    -------
    DataFrame
        Columns ``region, year, indicator, value, source, status, note``; ``attrs`` holds ``path``,
        ``sha256`` and ``notes`` (cells marked not available, which became missing values).

    Raises
    ------
    FileFormatError, ColumnError, UnknownCodeError, DuplicateRowError, ValueFormatError,
    UnitConflictError, OutOfRangeError
        With every problem in the file, each naming file, row, column and value.

    Notes
    -----
    Title rows above the header are skipped and a two-row header (年份 merged over the year columns) is
    read as one; rows keep the numbers the spreadsheet shows. Excel cells formatted as percentages are
    read as shown (12.5%, not 0.125).
    """
    if layout not in ("auto", "long", "wide"):
        raise ParameterError(f"layout must be 'auto', 'long' or 'wide', got {layout!r}")
    if default_status not in schema.STATUS_VALUES:
        raise ParameterError(f"default_status must be one of {schema.STATUS_VALUES}, got {default_status!r}")
    resolved = paths.resolve(path)
    if not resolved.is_file():
        raise FileFormatError(f"file not found: {resolved}", path=str(path))
    try:
        data = resolved.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot read the file ({exc.strerror}); check that it is readable",
                              path=str(path)) from None
    kind = _sniff_kind(resolved, data[:8])
    if kind == "csv":
        raws = [_to_raw(_read_csv_cells(resolved, data), str(resolved), None, layout, region, indicator)]
    else:
        book = _open_workbook(resolved, data)
        try:
            raws = [_to_raw(_xlsx_grid(book, name), f"{resolved} [sheet {name}]", name, layout, region, indicator)
                    for name in _choose_sheets(book, sheet, resolved)]
        finally:
            book.close()
    raw = pd.concat(raws, ignore_index=True) if len(raws) > 1 else raws[0]
    from evalkit import catalogue

    panel = schema.check_panel(raw, path=str(path), default_source=resolved.name, default_status=default_status,
                               indicators=catalogue.indicators(), regions=catalogue.regions())
    panel.attrs.update(path=str(resolved), sha256=file_sha256(resolved))
    return panel


def _choose_sheets(book, sheet: str | int | None, path: Path) -> list[str]:
    names = [ws.title for ws in book.worksheets]
    if sheet is not None:
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise FileFormatError(f"sheet index {sheet} out of range; the workbook has {names}", path=path)
            return [names[sheet]]
        if sheet not in names:
            from evalkit.catalogue import suggest

            raise FileFormatError(f"no sheet named {sheet!r}{suggest(sheet, names)}; the workbook has {names}",
                                  path=path)
        return [sheet]
    first = book[names[0]]
    first.reset_dimensions()
    head = " ".join(str(v) for row in first.iter_rows(max_row=4, values_only=True) for v in row)
    return names[1:] if TEMPLATE_MARKER in head else [names[0]]


def read_reference(name: str) -> pd.DataFrame:
    """A reference table from ``data/reference/<name>.csv``; codes stay text (``000000``).

    ``national_series`` and ``liaoning_series`` are panels and come back validated like one.
    """
    if name not in _REFERENCE_TABLES:
        from evalkit.catalogue import suggest

        raise ParameterError(f"unknown reference table {name!r}{suggest(name, _REFERENCE_TABLES)}; "
                             f"choose from {', '.join(_REFERENCE_TABLES)}")
    path = paths.reference_tables_dir() / f"{name}.csv"
    if not path.is_file():
        raise FileFormatError(f"reference table not found: {path}", path=path)
    if name in ("national_series", "liaoning_series"):
        return read_panel(path, layout="long")
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    schema.check_reference(name, table, path=str(path))
    for col in ("polarity", "decimals"):
        if col in table:
            table[col] = table[col].astype(int)
    if "in_assessment" in table:
        table["in_assessment"] = table["in_assessment"].astype(int).astype(bool)
    if "population_2020" in table:
        table["population_2020"] = pd.to_numeric(table["population_2020"].replace("", None))
    for col in ("baseline", "target", "target_low", "target_high", "value"):
        if col in table:
            table[col] = pd.to_numeric(table[col].replace("", None))
    for col in ("baseline_year", "target_year"):
        if col in table:
            table[col] = pd.to_numeric(table[col].replace("", None)).astype("Int64")
    return table


def reference_panel() -> pd.DataFrame:
    """All real figures shipped in ``data/reference`` (national and Liaoning series) as one panel."""
    return pd.concat([read_reference("national_series"), read_reference("liaoning_series")], ignore_index=True)


# --------------------------------------------------------------------------------------------- writing
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator:
    """Open a temporary file beside *path*; on success rename it over *path*, on error delete it.

    A reader never sees a half-written file, and an interrupted write leaves the old file intact.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; published files are readable like any other
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_csv(frame: pd.DataFrame, path: str | os.PathLike, *, bom: bool = True) -> Path:
    """Write CSV atomically; with a BOM by default so Excel on Chinese Windows shows the characters."""
    with atomic_write(path, "w") as fh:
        if bom:
            fh.write("\ufeff")
        frame.to_csv(fh, index=False)
    return Path(path)


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


def write_template(path: str | os.PathLike, *, years: range = range(2015, 2021),
                   regions: list[str] | None = None) -> Path:
    """Write the fill-in workbook analysts use to bring real data (``evalkit template``).

    One instructions sheet, then one sheet per category: a row per region and indicator, the unit and
    definition beside each indicator, one empty column per year. :func:`read_panel` reads it back
    (all category sheets) and ``evalkit validate`` explains every problem in it.
    """
    from evalkit import catalogue

    regions = regions or [catalogue.PROVINCE, *catalogue.cities()]
    ind = catalogue.indicators()
    instructions = pd.DataFrame({TEMPLATE_MARKER: [
        "evalkit 数据填报模板 / evalkit data template",
        "每个类别一张工作表；每行一个地区和指标；在年份列中填入数值（使用“单位”列的单位）。",
        "One sheet per category; one row per region and indicator; enter values in the year columns, in the unit shown.",
        "不详的数值留空或填“—”；不要填写“约3万”这类近似值；可以写“3.2万”，会按单位换算。",
        "Leave unknown values empty or write —; no approximate values such as 约3万; 3.2万 is converted by the unit.",
        "数据来源与性质写在“来源”“状态”列（official 官方统计 / reported 公开报道 / derived 推算）。",
        "Put the source and status (official / reported / derived) in the 来源 and 状态 columns.",
        "填好后运行 evalkit validate 文件名.xlsx 检查，再在 runs.yml 或笔记本参数 data 中指向该文件。",
        "Then run `evalkit validate FILE.xlsx`, and point the notebooks' `data` parameter (or runs.yml) at the file.",
    ]})
    sheets = {"说明 Instructions": instructions}
    for category, part in ind.groupby("category", sort=False):
        rows = []
        for code, meta in part.iterrows():
            for region in regions:
                rows.append({"地区": region, "地区名称": catalogue.region_name(region), "指标": code,
                             "指标名称": meta["name_zh"], "单位": meta["unit"], "定义": meta["description"],
                             **{str(y): None for y in years}, "来源": "", "状态": ""})
        name = (part["category_zh"].iloc[0] if category != "context" else "背景指标")[:31]
        sheets[name] = pd.DataFrame(rows)
    return write_excel(sheets, path, title="evalkit data template")
