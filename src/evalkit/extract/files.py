"""Report files: read their text and extract their figures."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from evalkit.errors import FileFormatError, ParameterError, Problem
from evalkit.extract.figures import extract_figures

__all__ = ["extract_file", "read_report"]


def read_report(path: str | os.PathLike) -> str:
    """The text of a report file in UTF-8, UTF-8 with BOM or GB18030/GBK (detected from the bytes).

    Raises :class:`~evalkit.errors.FileFormatError` (naming the file and the fix) when the file is
    missing or is other text (UTF-16) or binary.
    """
    from evalkit.io import detect_encoding

    path = Path(path)
    if not path.is_file():
        raise FileFormatError([Problem("report text file not found", file=str(path),
                                       fix="check the path (relative paths start at the project root)")])
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
    """Read a report text file, extract its figures and optionally write them to CSV or XLSX.

    Parameters
    ----------
    path : path-like
        A plain-text file in UTF-8, UTF-8 with BOM or GB18030/GBK (detected from the bytes).
    output : path-like, optional
        ``.csv`` (UTF-8 with BOM, for Excel) or ``.xlsx``; written atomically (temporary file, then
        rename), so a reader never sees half a file. Must not be the input file.
    report_year : int, optional
        Passed to :func:`extract_figures`.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`extract_figures`.

    Raises
    ------
    FileFormatError
        The file is missing or is not UTF-8/GB18030 text (UTF-16, binary).
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
