"""The panel check: every field checked, duplicates found, the canonical panel built — or every problem raised."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from evalkit.errors import DuplicateRowError, Problem, raise_problems
from evalkit.schema.checks import (
    Cells,
    check_indicator,
    check_name,
    check_region,
    check_status,
    check_unit,
    check_value,
    check_year,
)
from evalkit.schema.columns import PANEL_COLUMNS
from evalkit.schema.lookup import cached_region_lookup, lookup

__all__ = ["check_duplicates", "check_panel"]


def check_duplicates(panel: pd.DataFrame, path: str | None) -> list[Problem]:
    """One problem per (region, year, indicator) that appears more than once (``_row``, ``_sheet`` say where)."""
    if panel.empty:
        return []
    problems = []
    dup_mask = panel.duplicated(["region", "year", "indicator"], keep=False)
    for (region, year, code), group in panel[dup_mask].groupby(["region", "year", "indicator"], sort=False):
        sheets = group["_sheet"].unique()
        if len(sheets) > 1:
            where, rows = path, ", ".join(f"sheet {s} row {r}" for s, r in zip(group["_sheet"], group["_row"]))
        else:
            where = f"{path} [sheet {sheets[0]}]" if sheets[0] else path
            rows = "rows " + ", ".join(str(r) for r in group["_row"])
        problems.append(Problem(
            f"({region}, {year}, {code}) appears {len(group)} times ({rows})", file=where,
            row=int(group["_row"].iloc[1]), column="region/year/indicator",
            fix="keep one row per region, year and indicator", kind=DuplicateRowError))
    return problems


def _text_column(values: pd.Series, keep: np.ndarray) -> pd.Series:
    """A categorical column's kept rows as text (built by pyarrow: millions of rows, few distinct values)."""
    import pyarrow as pa

    cat = values.array
    codes = np.asarray(cat.codes)[keep]
    array = pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()),
                                           pa.array([str(c) for c in cat.categories], pa.string()))
    return pd.Series(array.cast(pa.string()).to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get))


def _notes(cells: Cells, notes: pd.Series, keep: np.ndarray) -> pd.Series:
    """The note column of the kept rows (from the distinct notes when no value check added to them)."""
    codes, uniques = cells.factorized("note")
    distinct = np.array([("" if pd.isna(u) else str(u).strip()) for u in uniques], dtype=object)
    if (notes.to_numpy() == distinct[codes]).all():
        categories = sorted(set(distinct))
        position = np.array([categories.index(d) for d in distinct], dtype=np.int32)
        return _text_column(pd.Series(pd.Categorical.from_codes(position[codes], categories=categories)), keep)
    return pd.Series(notes.to_numpy()[keep], dtype="str")


def check_panel(
    raw: pd.DataFrame,
    *,
    path: str | None,
    default_source: str,
    default_status: str,
    indicators: pd.DataFrame,
    regions: pd.DataFrame,
    preferred: Iterable[str] = (),
    changes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Validate a raw panel and return the canonical one.

    Parameters
    ----------
    raw
        Columns among :data:`PANEL_COLUMNS` and :data:`OPTIONAL_INPUT_COLUMNS` with text or number cells,
        plus ``_row`` (spreadsheet row number) and optionally ``_sheet`` and ``_col`` (the header of the cell
        a value came from, in the wide layout).
    path
        The file name used in messages.
    default_source, default_status
        Used where the file has no ``source``/``status`` column (or leaves a cell empty).
    indicators, regions
        The catalogue tables, indexed by code (``regions``: every region a file may name, e.g.
        :func:`evalkit.regions.table`).
    preferred
        Codes whose names win when a name is shared (the project's own regions).
    changes
        The crosswalk of former codes (:func:`evalkit.regions.changes`); without it former codes are unknown.

    Returns
    -------
    DataFrame
        The canonical panel (:data:`PANEL_COLUMNS`), sorted by region, indicator and year; ``attrs["notes"]``
        lists former codes read as current ones and the cells marked not available.

    Raises
    ------
    InputFileError
        One error listing every problem (the most specific subclass when all are of one kind).
    """
    cells = Cells.of(raw, path)
    region_map = cached_region_lookup(regions, tuple(preferred))
    indicator_map = lookup(indicators, ["name_zh", "name_en"])
    unit_of = indicators["unit"].to_dict()
    region = check_region(cells, region_map, (*regions.index, *regions["name_zh"], *regions["name_en"]), changes)
    indicator = check_indicator(cells, indicator_map,
                                (*indicators.index, *indicators["name_zh"], *indicators["name_en"]))
    region_name = check_name(cells, "region_name", region.values, region_map, regions)
    indicator_name = check_name(cells, "indicator_name", indicator.values, indicator_map, indicators)
    year = check_year(cells)
    unit = check_unit(cells, indicator.values, unit_of)
    value = check_value(cells, indicator.values, unit.values, unit_of)
    status = check_status(cells, default_status)
    checks = (region, indicator, region_name, indicator_name, year, unit, value, status)
    ok = ~np.logical_or.reduce([c.bad for c in checks])
    keep = np.flatnonzero(ok)
    # sort the kept rows by region, indicator and year (categories are sorted, so codes sort as the text)
    region_codes = np.asarray(region.values.array.codes, dtype=np.int64)[keep]
    indicator_codes = np.asarray(indicator.values.array.codes, dtype=np.int64)[keep]
    years = year.values.to_numpy()[keep].astype(np.int64)
    first_year = int(years.min()) if len(years) else 0
    span = int(years.max()) - first_year + 1 if len(years) else 1
    sort_key = (region_codes * (len(indicator.values.array.categories) + 1) + indicator_codes) * span + (
        years - first_year)
    order = np.argsort(sort_key, kind="stable")
    keep, years, sort_key = keep[order], years[order], sort_key[order]
    same = sort_key[1:] == sort_key[:-1]
    problems = [p for c in checks for p in c.problems]
    if same.any():
        twice = np.zeros(len(keep), dtype=bool)
        twice[1:] |= same
        twice[:-1] |= same
        rows = np.sort(keep[twice])
        sheets = raw["_sheet"].astype(str).to_numpy()[rows] if "_sheet" in raw else np.full(len(rows), "")
        problems += check_duplicates(pd.DataFrame({
            "region": region.values.to_numpy()[rows], "year": year.values.to_numpy()[rows].astype(np.int64),
            "indicator": indicator.values.to_numpy()[rows], "_row": cells.rows[rows], "_sheet": sheets}), path)
    # a wide row's region, indicator or unit is checked once per year cell: report each problem once,
    # in sheet order, then row order (then the order of the checks)
    problems = list(dict.fromkeys(problems))
    sheet_order = {f: i for i, f in enumerate(cells.where_labels)}
    problems.sort(key=lambda p: (sheet_order.get(p.file, len(sheet_order)), p.row or 0))
    raise_problems(problems, path=path)
    source_codes, source_cells = cells.factorized("source")
    sources = [str(s).strip() if isinstance(s, str) and s.strip() else default_source for s in source_cells]
    source = pd.Series(pd.Categorical.from_codes(
        np.array([sorted(set(sources)).index(s) for s in sources], dtype=np.int32)[source_codes],
        categories=sorted(set(sources))))
    out = pd.DataFrame({
        "region": _text_column(region.values, keep),
        "year": years,
        "indicator": _text_column(indicator.values, keep),
        "value": value.values["value"].to_numpy()[keep],
        "source": _text_column(source, keep),
        "status": _text_column(status.values, keep),
        "note": _notes(cells, value.values["note"], keep),
    }, columns=PANEL_COLUMNS)
    out.attrs["notes"] = region.notes + value.values.attrs["notes"]
    return out
