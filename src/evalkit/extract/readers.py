"""The text of report files as they reach an analyst: Word, PDF, Excel and CSV, tables kept as rows.

Every reader returns plain text in which a table row is one line with its cells separated by tabs, so
:func:`~evalkit.extract.extract_figures` reads tables the same way whatever file they came in
(:mod:`evalkit.extract.tables`). A file is never modified.

* ``.docx`` — :mod:`docx` (python-docx): paragraphs and tables in document order (a merged cell once);
* ``.pdf`` — :mod:`pdfplumber`: per page the text outside tables, lines a PDF wrapped joined again, then each
  table found on the page as rows;
* ``.xlsx`` / ``.xlsm`` — :mod:`openpyxl`: every sheet, its name on a line, then its rows (values, not formulas);
* ``.csv`` — UTF-8, UTF-8 with BOM or GB18030, delimiter sniffed (comma, tab, semicolon).
"""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

from evalkit.errors import FileFormatError, Problem

__all__ = ["READERS", "csv_text", "docx_text", "pdf_text", "sheet_text"]

_SENTENCE_END = tuple("。！？；：!?;:")
_LIST_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．](?!\d)|第[一二三四五六七八九十\d]+[章节条])")


def _cell(value: object) -> str:
    """One table cell as text: numbers without float noise (1245.0 → 1245), line breaks as spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
        return str(number.quantize(Decimal(1))) if number == number.to_integral_value() else str(number)
    return re.sub(r"\s*\n\s*", " ", str(value)).replace("\t", " ").strip()


def _row(values) -> str:
    cells = [_cell(v) for v in values]
    while cells and not cells[-1]:
        cells.pop()
    return "\t".join(cells)


def _problem(path: Path, message: str, fix: str) -> FileFormatError:
    return FileFormatError([Problem(message, file=str(path), fix=fix)])


def docx_text(path: Path) -> str:
    """Paragraphs and tables of a Word ``.docx`` file in document order (tables as tab-separated rows)."""
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - a declared dependency
        raise _problem(path, "reading .docx needs the python-docx package",
                       "pip install python-docx (it is in evalkit's dependencies)") from None
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises zipfile/KeyError/ValueError for a damaged or misnamed file
        raise _problem(path, f"cannot read the Word file: {exc}",
                       "open it in Word and save it again as .docx (an old .doc must be saved as .docx)") from None
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                seen, values = set(), []
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue  # a merged cell is listed once per grid column
                    seen.add(id(cell._tc))
                    values.append(cell.text)
                lines.append(_row(values))
            lines.append("")
    return "\n".join(lines)


def _unwrap(lines: list[str]) -> list[str]:
    """Join the lines a PDF wrapped inside a paragraph.

    A line continues the one before unless that one ends a sentence (。！？；：), is a short heading without
    punctuation, or the line starts a list item (一、, (二), 3., 第四条).
    """
    out: list[str] = []
    width = max((len(line.strip()) for line in lines), default=0)
    for line in lines:
        line = line.strip()
        if not line:
            continue
        previous = out[-1] if out else ""
        heading = len(previous) < 0.6 * width and not re.search(r"[，,；;]", previous)
        if previous and not previous.endswith(_SENTENCE_END) and not heading and not _LIST_START.match(line):
            out[-1] = previous + line
        else:
            out.append(line)
    return out


def pdf_text(path: Path) -> str:
    """Text of a PDF page by page: the text outside tables (wrapped lines joined), then each table as rows."""
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - a declared dependency
        raise _problem(path, "reading .pdf needs the pdfplumber package",
                       "pip install pdfplumber (it is in evalkit's dependencies)") from None
    lines: list[str] = []
    try:
        with pdfplumber.open(str(path)) as pdf:
            for page in pdf.pages:
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]

                def outside(obj, boxes=boxes) -> bool:
                    x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
                    y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
                    return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

                text = page.filter(outside).extract_text() or ""
                lines.extend(_unwrap(text.splitlines()))
                for table in tables:
                    lines.extend(_row(cells) for cells in table.extract())
                    lines.append("")
    except FileFormatError:
        raise
    except Exception as exc:  # pdfminer raises its own types for a damaged or encrypted file
        raise _problem(path, f"cannot read the PDF: {exc}",
                       "check that the PDF opens and is not password-protected; a scanned PDF needs OCR first "
                       "(it has no text layer)") from None
    return "\n".join(lines)


def sheet_text(path: Path) -> str:
    """Every sheet of an Excel workbook: the sheet name on a line, then each row as tab-separated cells."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises InvalidFileException, zipfile.BadZipFile, KeyError…
        raise _problem(path, f"cannot read the Excel file: {exc}",
                       "save it from Excel as .xlsx (an old .xls must be saved as .xlsx)") from None
    lines: list[str] = []
    try:
        for sheet in workbook.worksheets:
            lines.append(sheet.title)
            lines.extend(_row(values) for values in sheet.iter_rows(values_only=True))
            lines.append("")
    finally:
        workbook.close()
    return "\n".join(lines)


def csv_text(path: Path) -> str:
    """A CSV table as tab-separated rows (encoding detected, delimiter sniffed)."""
    from evalkit.io import detect_encoding

    data = path.read_bytes()
    try:
        text = data.decode(detect_encoding(data))
    except FileFormatError as exc:
        reason = exc.problems[0].message if exc.problems else str(exc)
        raise _problem(path, f"cannot read the CSV as text: {reason}",
                       "save it as CSV UTF-8 (or GB18030/GBK)") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return "\n".join(_row(row) for row in csv.reader(io.StringIO(text), dialect))


#: Readers by file suffix; any other suffix is read as plain text.
READERS = {".docx": docx_text, ".pdf": pdf_text, ".xlsx": sheet_text, ".xlsm": sheet_text, ".csv": csv_text}
