"""Report files: read their text and extract their figures."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from evalkit.errors import FileFormatError, ParameterError, Problem
from evalkit.extract.figures import extract_figures
from evalkit.extract.readers import READERS

__all__ = ["extract_file", "read_report"]


_OLD_FORMATS = {".doc": "save it in Word as .docx (文件 → 另存为 → Word 文档)",
                ".xls": "save it in Excel as .xlsx (文件 → 另存为 → Excel 工作簿)",
                ".wps": "save it in WPS as .docx", ".et": "save it in WPS as .xlsx"}


def read_report(path: str | os.PathLike) -> str:
    """The text of a report file: plain text, Word (.docx), PDF, Excel (.xlsx) or CSV.

    Parameters
    ----------
    path : path-like
        ``.docx``, ``.pdf``, ``.xlsx``/``.xlsm`` and ``.csv`` are read by :mod:`evalkit.extract.readers`
        (tables become rows of tab-separated cells); any other file is read as text in UTF-8, UTF-8 with BOM
        or GB18030/GBK (detected from the bytes).

    Returns
    -------
    str
        The text :func:`~evalkit.extract.extract_figures` reads.

    Raises
    ------
    FileFormatError
        The file is missing, is an old binary format (.doc, .xls), cannot be parsed, or is other text (UTF-16)
        or binary; the message names the file and the fix.
    """
    from evalkit.io import detect_encoding

    path = Path(path)
    if not path.is_file():
        raise FileFormatError([Problem("report file not found", file=str(path),
                                       fix="check the path (relative paths start at the project root)")])
    suffix = path.suffix.lower()
    if suffix in _OLD_FORMATS:
        raise FileFormatError([Problem(f"{suffix} files cannot be read", file=str(path), fix=_OLD_FORMATS[suffix])])
    if suffix in READERS:
        return READERS[suffix](path)
    data = path.read_bytes()
    try:
        encoding = detect_encoding(data)
    except FileFormatError as exc:
        reason = exc.problems[0].message if exc.problems else str(exc)
        raise FileFormatError([Problem(
            f"cannot read the report as text: {reason}", file=str(path),
            fix="save the report as plain text in UTF-8 (or GB18030/GBK), e.g. 另存为 → 纯文本 → UTF-8")]) from None
    return data.decode(encoding)


def extract_file(path: str | os.PathLike, *, output: str | os.PathLike | None = None,
                 report_year: int | None = None) -> pd.DataFrame:
    """Read a report file, extract its figures and optionally write them to CSV or XLSX.

    Parameters
    ----------
    path : path-like
        A Word (``.docx``), PDF, Excel (``.xlsx``) or CSV file, or plain text in UTF-8, UTF-8 with BOM or
        GB18030/GBK (see :func:`read_report`). Tables are read row by row: each value is a figure whose subject
        is its row name (and column header) and whose unit comes from the row, a unit column or the header.
    output : path-like, optional
        ``.csv`` (UTF-8 with BOM, for Excel) or ``.xlsx``; written atomically (temporary file, then
        rename), so a reader never sees half a file. Must not be the input file.
    report_year : int, optional
        Passed to :func:`extract_figures`.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`extract_figures`; ``start``/``end`` are offsets into ``read_report(path)`` (for a Word,
        PDF or Excel file, the text with its tables as tab-separated rows).

    Raises
    ------
    FileFormatError
        The file is missing, cannot be parsed, or is not UTF-8/GB18030 text (UTF-16, binary).
    ParameterError
        *output* has another suffix or is the input file.
    """
    from evalkit import io as ekio

    source = Path(path)
    target = Path(output) if output is not None else None
    if target is not None:
        if target.suffix.lower() not in (".csv", ".xlsx"):
            raise ParameterError(f"output must end in .csv or .xlsx, got {str(target)!r}; e.g. -o figures.csv")
        if target.exists() and source.exists() and target.resolve() == source.resolve():
            raise ParameterError(f"output {str(target)!r} is the input file; choose another name "
                                 "(evalkit never overwrites an input file)")
    figures = extract_figures(read_report(source), report_year=report_year)
    if target is not None and target.suffix.lower() == ".csv":
        ekio.write_csv(figures, target)
    elif target is not None:
        ekio.write_excel({"figures": figures}, target, title=f"Figures extracted from {source.name}")
    return figures
