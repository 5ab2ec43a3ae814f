"""Bytes to cells: the file kind and text encoding sniffed from the bytes, CSV and XLSX read as a grid.

A grid is a frame of the cells as written, columns ``0…n-1``, index the 0-based spreadsheet row (blank rows
included), so every later message can name the row an analyst sees. Large CSV files are read by pyarrow's
CSV reader from the row below the header (:func:`read_csv_rows`); a file it cannot read exactly (ragged rows,
an unclosed quote) goes through the careful record-by-record reader, which names the problem.
"""
from __future__ import annotations

import csv
import io as _io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit.errors import FileFormatError

__all__ = ["HEADER_SCAN", "CsvText", "detect_encoding", "open_workbook", "read_csv_cells", "read_csv_rows",
           "sniff_csv", "sniff_kind", "xlsx_grid"]

#: Rows searched for the header: yearbook sheets carry a title, a unit line or a table number above it.
HEADER_SCAN = 10
#: Text in an Excel number format that is shown literally ("0.0\"%\"", "0\%") and does not scale the value.
_LITERAL_FORMAT_TEXT = re.compile(r'"[^"]*"|\\.')


def detect_encoding(data: bytes, *, allow_utf16: bool = False) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` or ``gb18030`` — or ``utf-16`` with *allow_utf16* — decided from the bytes.

    GB18030 is a superset of GBK and GB2312, so GBK files decode with it. UTF-16 with a byte-order mark is
    what Excel's "Unicode Text" export writes (tab-separated); panel readers accept it, other readers (report
    texts) do not. Raises :class:`FileFormatError` when the bytes are none of these (UTF-16 without a
    byte-order mark, a binary file).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if allow_utf16:
            return "utf-16"
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


def sniff_kind(path: Path, head: bytes) -> str:
    """``xlsx`` (a zip), ``parquet`` or ``csv`` from a file's first bytes; an old ``.xls`` is refused."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError(f"{path} is an old binary Excel file (.xls) or a password-protected workbook; "
                              "open it in Excel, remove any password and save as .xlsx", path=path)
    return "csv"


def _grid(records: list[list]) -> pd.DataFrame:
    """Cells as a frame with columns 0…n-1 and index = 0-based spreadsheet row (blank rows included)."""
    width = max(map(len, records), default=0)
    return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in records], dtype=object)


@dataclass(frozen=True)
class CsvText:
    """A CSV file's encoding, separator and first records (enough to find the header).

    Attributes
    ----------
    encoding, sep : str
        As detected from the bytes.
    head : DataFrame
        The grid of the first :data:`HEADER_SCAN` + 2 records.
    one_line_records : bool
        True when each of those records is one line (no quoted line breaks), so record numbers are line
        numbers and the rest of the file can be read by a fast reader from a known line.
    """

    encoding: str
    sep: str
    head: pd.DataFrame
    one_line_records: bool


def sniff_csv(path: Path, data: bytes) -> CsvText:
    """Encoding, separator and the first records of a CSV file; :class:`FileFormatError` if it is empty."""
    try:
        # the head decides; a large file whose later bytes are not UTF-8 fails in the fast reader, and the
        # careful reader (read_csv_cells) then checks the whole file
        encoding = detect_encoding(data if len(data) <= 1 << 22 else _head(data), allow_utf16=True)
    except FileFormatError as exc:
        raise FileFormatError(exc.problems[0].message, path=path) from None
    start = data[: 1 << 16].decode(encoding, errors="ignore")
    if not start.strip() and not data.decode(encoding).strip():
        raise FileFormatError("the file is empty", path=path)
    lines = start.splitlines()[: HEADER_SCAN + 2]
    # the separator that dominates the first lines (a title line above the header may have none)
    sep = max([",", "\t", ";"], key="\n".join(lines[:HEADER_SCAN]).count)
    try:
        records = list(csv.reader(_io.StringIO("\n".join(lines), newline=""), delimiter=sep))
    except csv.Error:
        records = []
    return CsvText(encoding, sep, _grid(records), one_line_records=len(records) == len(lines) and bool(lines))


def _head(data: bytes) -> bytes:
    """The first 4 MB of *data*, cut before a UTF-8 sequence the cut would split."""
    head = data[: 1 << 22]
    cut = len(head)
    while cut > 0 and cut > len(head) - 4 and (head[cut - 1] & 0xC0) == 0x80:
        cut -= 1
    if cut and head[cut - 1] >= 0xC0:
        cut -= 1
    return head[:cut]


def read_csv_cells(path: Path, data: bytes, sniffed: CsvText | None = None) -> pd.DataFrame:
    """The cells of a CSV file (encoding and separator detected) as a grid, read carefully record by record."""
    sniffed = sniffed or sniff_csv(path, data)
    try:
        encoding = detect_encoding(data, allow_utf16=True)
    except FileFormatError as exc:
        raise FileFormatError(exc.problems[0].message, path=path) from None
    text = data.decode(encoding)
    try:
        records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=sniffed.sep))
    except csv.Error as exc:
        raise FileFormatError(f"cannot parse as CSV ({exc}); look for a quote (\") that is never closed",
                              path=path) from None
    return _grid(records)


def read_csv_rows(data: bytes, sniffed: CsvText, skip: int, width: int,
                  text_columns: frozenset[int] = frozenset()) -> pd.DataFrame | None:
    """Records *skip*… of a CSV file as columns ``0…``, index the record number; fast (pyarrow).

    Columns in *text_columns* (values, years of a wide table) come back as text; the others, which repeat a
    few distinct cells (codes, names, status), as categoricals. ``None`` when the file needs the careful
    reader: a row with more or fewer cells than *width*, a quote never closed, bytes that are not in the
    detected encoding. The careful reader then reports exactly what is wrong.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if sniffed.encoding in ("utf-8", "utf-8-sig"):
        buffer = pa.py_buffer(data)
        if data.startswith(b"\xef\xbb\xbf"):
            buffer = buffer[3:]
    else:
        try:
            buffer = pa.py_buffer(data.decode(sniffed.encoding).encode("utf-8"))
        except UnicodeDecodeError:
            return None
    names = [f"c{i}" for i in range(width)]
    types = {n: pa.string() if i in text_columns else pa.dictionary(pa.int32(), pa.string())
             for i, n in enumerate(names)}
    try:
        table = pcsv.read_csv(
            buffer,
            read_options=pcsv.ReadOptions(skip_rows=skip, column_names=names, block_size=1 << 20),
            # a line break inside a value needs quotes: without any quote the faster parser is exact
            parse_options=pcsv.ParseOptions(delimiter=sniffed.sep, newlines_in_values=b'"' in data,
                                            ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeError):
        return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    frame.columns = range(width)
    frame.index = pd.RangeIndex(skip, skip + len(frame))
    return frame


def open_workbook(path: Path, data: bytes):
    """The workbook in *data* (read-only, values not formulas); :class:`FileFormatError` if it is not one."""
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


def xlsx_grid(book, name: str) -> pd.DataFrame:
    """The cells of sheet *name* as a grid, percentages as the text Excel shows."""
    sheet = book[name]
    sheet.reset_dimensions()  # some writers record a wrong sheet size; read every row there is
    return _grid([[_xlsx_cell(c) for c in row] for row in sheet.iter_rows()])


