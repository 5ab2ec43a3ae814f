"""Collecting data from the units: one panel from a file, a folder or several files.

A department sends each city bureau its own workbook (``evalkit template --split DIR``) and gets them back;
:func:`read_panel` reads them all and merges them. Every file is checked on its own (each problem names its
file); then two files that give the same region, year and indicator must agree — a value given twice with the
same figure is kept once, different figures are an error naming both files and both values. Nothing is
overwritten silently. ``panel.attrs["files"]`` says per file what it brought and what it lacks.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit import catalogue, paths
from evalkit._shared.files import sha256_file
from evalkit.errors import FileFormatError, InputFileError, Problem, raise_problems
from evalkit.io.panel import Layout, read_panel_file

__all__ = ["PANEL_SUFFIXES", "PathSpec", "panel_files", "read_panel"]

PathSpec = str | os.PathLike | Sequence[str | os.PathLike]
#: file kinds a folder is searched for
PANEL_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".parquet")


def panel_files(path: PathSpec) -> list[Path]:
    """The panel files *path* names: the file itself, a folder's panel files (sorted), or each of a list.

    Hidden files and Excel's lock files (``~$name.xlsx``) in a folder are skipped.
    """
    items = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not items:
        raise FileFormatError("no panel file given; name a file, a folder or several files")
    files: list[Path] = []
    for item in items:
        resolved = paths.resolve(item)
        if resolved.is_dir():
            found = sorted(p for p in resolved.iterdir() if p.is_file() and p.suffix.lower() in PANEL_SUFFIXES
                           and not p.name.startswith((".", "~$")))
            if not found:
                raise FileFormatError(f"the folder has no panel files ({', '.join(PANEL_SUFFIXES)})",
                                      path=str(resolved))
            files += found
        else:
            files.append(resolved)
    return list(dict.fromkeys(files))


def read_panel(path: PathSpec, *, sheet: str | int | None = None, layout: Layout = "auto",
               region: str | None = None, indicator: str | None = None,
               default_status: str = "reported") -> pd.DataFrame:
    """Read and validate a panel file — or a folder, or several files, merged; return the canonical long panel.

    Parameters
    ----------
    path
        A CSV, XLSX or Parquet file (see :func:`evalkit.io.panel.read_panel_file` for what is accepted), a
        folder (its ``.csv``, ``.txt``, ``.tsv``, ``.xlsx`` and ``.parquet`` files), or a list of files and
        folders.
    sheet, layout, region, indicator, default_status
        As for one file; applied to every file.

    Returns
    -------
    DataFrame
        Columns ``region, year, indicator, value, source, status, note``. ``attrs`` holds ``path`` and
        ``sha256`` (of the one file, or lists of them), ``notes``, and for several files ``files``: a table
        with one row per file — its regions, values, and the assessment values it lacks for its own regions
        and the years of the panel.

    Raises
    ------
    InputFileError
        Every problem of every file at once (each naming its file, row, column and value), and every
        region-year-indicator that two files give different values for.
    """
    files = panel_files(path)
    if len(files) == 1 and isinstance(path, (str, os.PathLike)) and not paths.resolve(path).is_dir():
        return read_panel_file(files[0], sheet=sheet, layout=layout, region=region, indicator=indicator,
                               default_status=default_status)
    panels, problems = [], []
    for file in files:
        try:
            panels.append(read_panel_file(file, sheet=sheet, layout=layout, region=region, indicator=indicator,
                                          default_status=default_status))
        except InputFileError as exc:
            problems += exc.problems
    raise_problems(problems, path=None)
    return _merge(files, panels)


def _merge(files: list[Path], panels: list[pd.DataFrame]) -> pd.DataFrame:
    """One panel from several files' panels; conflicting values are an error naming both files."""
    keys = ["region", "year", "indicator"]
    stacked = pd.concat([p.assign(_file=i) for i, p in enumerate(panels)], ignore_index=True)
    repeated = stacked[stacked.duplicated(keys, keep=False)]
    problems = []
    for (region, year, code), group in repeated.groupby(keys, sort=True):
        values = group["value"].to_numpy()
        same = np.all(np.isclose(values, values[0], rtol=0, atol=0, equal_nan=True))
        if not same:
            first, second = group.iloc[0], next(g for _, g in group.iloc[1:].iterrows()
                                                if not np.isclose(g["value"], group["value"].iloc[0], equal_nan=True))
            problems.append(Problem(
                f"({region}, {year}, {code}) is {_shown(first['value'])} in {files[first['_file']].name} and "
                f"{_shown(second['value'])} in {files[second['_file']].name}", file=str(files[second["_file"]]),
                column="value", value=second["value"],
                fix=f"keep the right figure in one file (the other file: {files[first['_file']]})"))
    if problems:
        raise InputFileError(problems, path=None)
    merged = stacked.drop_duplicates(keys, keep="first")
    notes = [f"{p.attrs.get('path')}: {n}" for p in panels for n in p.attrs.get("notes", [])]
    twice = len(stacked) - len(merged)
    if twice:
        notes.append(f"{twice} values given in two files with the same figure were kept once")
    table = _file_table(files, panels, merged)
    out = merged.drop(columns="_file").sort_values(["region", "indicator", "year"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(path=[str(f) for f in files], sha256=[sha256_file(f) for f in files], notes=notes,
                     files=table)
    return out


def _shown(value: float) -> str:
    return "empty" if pd.isna(value) else format(value, ".15g")


def _file_table(files: list[Path], panels: list[pd.DataFrame], merged: pd.DataFrame) -> pd.DataFrame:
    """Per file: its regions, its values, and the assessment values missing for its regions and the years."""
    expected = catalogue.assessment_indicators()
    years = sorted(merged["year"].unique())
    rows = []
    for file, panel in zip(files, panels):
        own = sorted(panel["region"].unique())
        have = panel[panel["value"].notna()].groupby(["region", "indicator"])["year"].nunique()
        missing, lacking = 0, []
        for code in expected:
            gaps = sum(len(years) - int(have.get((r, code), 0)) for r in own)
            if gaps:
                missing += gaps
                lacking.append(code)
        rows.append({"file": str(file), "regions": len(own), "values": int(panel["value"].notna().sum()),
                     "missing": missing, "missing_indicators": ", ".join(lacking)})
    return pd.DataFrame(rows)
