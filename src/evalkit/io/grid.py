"""Bytes to cells: the file kind and text encoding sniffed from the bytes, CSV and XLSX read as a grid.

A grid is a frame of the cells as written, columns ``0…n-1``, index the 0-based spreadsheet row (blank rows
included), so every later message can name the row an analyst sees.
"""
from __future__ import annotations

import csv
import io as _io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd

from evalkit.errors import FileFormatError

__all__ = ["HEADER_SCAN", "detect_encoding", "open_workbook", "read_csv_cells", "sniff_kind", "xlsx_grid"]

#: Rows searched for the header: yearbook sheets carry a title, a unit line or a table number above it.
HEADER_SCAN = 10
#: Text in an Excel number format that is shown literally ("0.0\"%\"", "0\%") and does not scale the value.
_LITERAL_FORMAT_TEXT = re.compile(r'"[^"]*"|\\.')


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


def sniff_kind(path: Path, head: bytes) -> str:
    """``xlsx`` (a zip), ``parquet`` or ``csv`` from a file's first bytes; an old ``.xls`` is refused."""
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


def read_csv_cells(path: Path, data: bytes) -> pd.DataFrame:
    """The cells of a CSV file (encoding and separator detected) as a grid."""
    try:
        encoding = detect_encoding(data)
    except FileFormatError as exc:
        raise FileFormatError(exc.problems[0].message, path=path) from None
    text = data.decode(encoding)
    if not text.strip():
        raise FileFormatError("the file is empty", path=path)
    # the separator that dominates the first lines (a title line above the header may have none)
    head = "\n".join(text[:1 << 16].splitlines()[:HEADER_SCAN])
    sep = max([",", "\t", ";"], key=head.count)
    try:
        records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise FileFormatError(f"cannot parse as CSV ({exc}); look for a quote (\") that is never closed",
                              path=path) from None
    return _grid(records)


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


