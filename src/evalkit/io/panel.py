"""Cells to a validated panel.

Find the header, name the columns, bring a long or wide table to rows and hand the rows to
:func:`evalkit.schema.check_panel`.

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

import os
from pathlib import Path
from typing import Literal

import pandas as pd

from evalkit import catalogue, paths, regions, schema
from evalkit._shared.checks import suggest
from evalkit._shared.files import sha256_bytes
from evalkit.errors import ColumnError, FileFormatError, ParameterError, Problem
from evalkit.io.grid import (
    HEADER_SCAN,
    open_workbook,
    read_csv_cells,
    read_csv_rows,
    sniff_csv,
    sniff_kind,
    xlsx_grid,
)
from evalkit.io.template import TEMPLATE_MARKER

__all__ = ["Layout", "read_panel_file"]

Layout = Literal["auto", "long", "wide"]


def _header_label(cell: object) -> str | int | None:
    """The canonical column name or the year a header cell stands for; ``None`` if neither."""
    canon = schema.canonical_header(cell)
    if canon:
        return canon
    year = schema.parse_year(cell)
    return year if year is not None and schema.YEAR_RANGE[0] <= year <= schema.YEAR_RANGE[1] else None


def _blank(grid: pd.DataFrame) -> pd.DataFrame:
    """Cells that are empty or only spaces."""
    return grid.isna() | grid.apply(lambda col: col.astype(str).str.strip().eq(""))


def _find_header(grid: pd.DataFrame, blank: pd.DataFrame, where: str) -> tuple[int, list[object], int]:
    """The header's row index, its labels and the index of the first body row (in *grid*'s index).

    The header is the first row (of the first few) with two recognised column names or years, so title
    rows above it are skipped. A two-row header — 年份 merged over the year columns and the years one row
    below, as yearbook sheets from Excel or WPS have it — is read as one.
    """
    rows = grid.index[~blank.all(axis=1)]
    if rows.empty:
        raise FileFormatError("no header row: every cell is blank (choose the sheet with the data: "
                              "sheet=... or --sheet NAME)", path=where)
    scores = {r: sum(_header_label(c) is not None for c in grid.loc[r]) for r in rows[:HEADER_SCAN]}
    header = next((r for r, score in scores.items() if score >= 2), rows[0])
    labels = list(grid.loc[header].where(~blank.loc[header], None))
    later = rows[rows > header]
    first_body = int(header) + 1
    if len(later):
        below = [_header_label(c) for c in grid.loc[later[0]]]
        years = [i for i, y in enumerate(below) if isinstance(y, int)]
        if (len(years) >= 2 and len(years) == (~blank.loc[later[0]]).sum()
                and all(blank.at[header, i] or _header_label(labels[i]) == "year" for i in years)
                and any(blank.at[header, i] for i in years)):
            for i in years:
                labels[i] = below[i]
            first_body = int(later[0]) + 1
    return int(header), labels, first_body


def _table(grid: pd.DataFrame, where: str) -> tuple[pd.DataFrame, list[object], int]:
    """Find the header and return the non-blank rows under it, the header cells and the header's row number.

    Blank cells become missing (see :func:`_find_header` for the header rules).
    """
    blank = _blank(grid)
    header, labels, first_body = _find_header(grid, blank, where)
    grid = grid.mask(blank)
    body = grid.index[(grid.index >= first_body) & ~blank.all(axis=1).to_numpy()]
    return grid.loc[body], labels, header + 1


def _csv_table(path: Path, data: bytes, where: str) -> tuple[pd.DataFrame, list[object], int]:
    """:func:`_table` for a CSV file: the header from the first records, the body by the fast reader.

    Falls back to reading every record carefully when the fast reader cannot (ragged rows, quotes).
    """
    sniffed = sniff_csv(path, data)
    if sniffed.one_line_records and not sniffed.head.empty:
        header, labels, first_body = _find_header(sniffed.head, _blank(sniffed.head), where)
        text_columns = frozenset(i for i, label in enumerate(labels)
                                 if _header_label(label) == "value" or isinstance(_header_label(label), int))
        body = read_csv_rows(data, sniffed, first_body, len(labels), text_columns)
        if body is not None:
            return _drop_blank(body), labels, header + 1
    return _table(read_csv_cells(path, data, sniffed), where)


def _drop_blank(body: pd.DataFrame) -> pd.DataFrame:
    """Blank cells (empty or spaces) as missing, blank rows dropped — checking spaces only where needed."""
    empty = pd.DataFrame({c: body[c].eq("").to_numpy() for c in body.columns}, index=body.index)
    some = empty.any(axis=1).to_numpy()  # a row with any empty cell may be blank
    if some.any():
        part = body[some]
        empty.loc[some] = pd.DataFrame({c: part[c].astype(str).str.strip().eq("").to_numpy() for c in part.columns},
                                       index=part.index)
    blank_rows = empty.all(axis=1).to_numpy()
    if not some.any():
        return body
    masked = body.mask(empty)
    return masked[~blank_rows]


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


def _to_raw(table: tuple[pd.DataFrame, list[object], int], where: str, sheet: str | None, layout: Layout,
            region: str | None, indicator: str | None) -> pd.DataFrame:
    """Bring one table (body, header labels, header row; long or wide) to the raw long form with row numbers."""
    body, labels, header_row = table
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


def read_panel_file(path: str | os.PathLike, *, sheet: str | int | None = None, layout: Layout = "auto",
                    region: str | None = None, indicator: str | None = None,
                    default_status: str = "reported") -> pd.DataFrame:
    """Read and validate a panel file; return the canonical long panel.

    Parameters
    ----------
    path
        CSV (UTF-8, UTF-8-BOM, GB18030/GBK, or UTF-16 with a byte-order mark as Excel's "Unicode Text"
        export writes it; comma, tab or semicolon separated), XLSX or Parquet file. Relative paths are
        resolved against the current directory, then the project root.
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
    FileFormatError
        Also for a file with a header and no rows.
    ColumnError, UnknownCodeError, DuplicateRowError, ValueFormatError,
    UnitConflictError, OutOfRangeError
        With every problem in the file, each naming file, row, column and value.

    Notes
    -----
    Title rows above the header are skipped and a two-row header (年份 merged over the year columns) is
    read as one; rows keep the numbers the spreadsheet shows. Excel cells formatted as percentages are
    read as shown (12.5%, not 0.125).

    A process keeps the last few panels it read from files up to 64 MB: reading such a file again with the same
    options, while its size, modification time and inode are unchanged, returns a copy of the validated panel
    without parsing it again (the batch runner reads the batch's panel files once in its fork server, so every
    kernel starts with them).
    """
    if layout not in ("auto", "long", "wide"):
        raise ParameterError(f"layout must be 'auto', 'long' or 'wide', got {layout!r}")
    if default_status not in schema.STATUS_VALUES:
        raise ParameterError(f"default_status must be one of {schema.STATUS_VALUES}, got {default_status!r}")
    resolved = paths.resolve(path)
    if not resolved.is_file():
        raise FileFormatError(f"file not found: {resolved}", path=str(path))
    key = _read_key(resolved, (sheet, layout, region, indicator, default_status))
    if key in _READ:
        return _READ[key].copy(deep=True)
    panel = _read_validated(path, resolved, sheet=sheet, layout=layout, region=region, indicator=indicator,
                            default_status=default_status)
    if key is not None and key[1] <= _READ_MAX_BYTES:
        if len(_READ) >= _READ_SIZE:
            _READ.pop(next(iter(_READ)))
        _READ[key] = panel.copy(deep=True)
    return panel


#: validated panels of this process, by file identity and read options (see read_panel_file, Notes)
_READ: dict[tuple, pd.DataFrame] = {}
_READ_SIZE = 8
#: larger files are not kept: a national county panel (hundreds of MB) would stay in memory beside its copies
_READ_MAX_BYTES = 64 * 2**20


def _read_key(resolved: Path, options: tuple) -> tuple | None:
    """The file's path, size, modification time and inode with the read options; ``None`` if it cannot be stat'ed."""
    try:
        st = resolved.stat()
    except OSError:
        return None
    return (str(resolved), st.st_size, st.st_mtime_ns, st.st_ino, options)


def _read_validated(path, resolved: Path, *, sheet, layout: Layout, region, indicator,
                    default_status: str) -> pd.DataFrame:
    try:
        data = resolved.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"cannot read the file ({exc.strerror}); check that it is readable",
                              path=str(path)) from None
    kind = sniff_kind(resolved, data[:8])
    where = str(resolved)
    if kind == "csv":
        tables = [(_csv_table(resolved, data, where), where, None)]
    elif kind == "parquet":
        tables = [(_parquet_table(data, where), where, None)]
    else:
        book = open_workbook(resolved, data)
        try:
            tables = [(_table(xlsx_grid(book, name), f"{where} [sheet {name}]"), f"{where} [sheet {name}]", name)
                      for name in _choose_sheets(book, sheet, resolved)]
        finally:
            book.close()
    digest = sha256_bytes(data)
    del data
    if all(table[0].empty for table, _, _ in tables):
        raise FileFormatError("the file has a header but no rows of data; fill in the rows (or choose the sheet "
                              "with the data)", path=str(path))
    raws = [_to_raw(table, label, name, layout, region, indicator) for table, label, name in tables]
    raw = pd.concat(raws, ignore_index=True) if len(raws) > 1 else raws[0]
    panel = schema.check_panel(raw, path=str(path), default_source=resolved.name, default_status=default_status,
                               indicators=catalogue.indicators(), regions=regions.table(),
                               preferred=catalogue.regions().index, changes=regions.changes())
    panel.attrs.update(path=str(resolved), sha256=digest)
    return panel


def _parquet_table(data: bytes, where: str) -> tuple[pd.DataFrame, list[object], int]:
    """A Parquet file as :func:`_table` gives a sheet: the column names are the header (row 1)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema_ = pq.read_schema(pa.BufferReader(data))
        # text columns repeat a few codes and words: read them dictionary-encoded (categoricals), ten times faster
        text = [f.name for f in schema_ if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        frame = pq.read_table(pa.BufferReader(data), read_dictionary=text).to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileFormatError(f"cannot read as a Parquet file: {exc}", path=where) from None
    labels = list(frame.columns)
    frame.columns = range(len(labels))
    frame.index = pd.RangeIndex(1, len(frame) + 1)  # row 1 is the header, as in the CSV the file came from
    return frame, labels, 1


def _choose_sheets(book, sheet: str | int | None, path: Path) -> list[str]:
    names = [ws.title for ws in book.worksheets]
    if sheet is not None:
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise FileFormatError(f"sheet index {sheet} out of range; the workbook has {names}", path=path)
            return [names[sheet]]
        if sheet not in names:
            raise FileFormatError(f"no sheet named {sheet!r}{suggest(sheet, names)}; the workbook has {names}",
                                  path=path)
        return [sheet]
    first = book[names[0]]
    first.reset_dimensions()
    head = " ".join(str(v) for row in first.iter_rows(max_row=4, values_only=True) for v in row)
    return names[1:] if TEMPLATE_MARKER in head else [names[0]]


