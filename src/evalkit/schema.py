"""Column contracts for the panel and the reference tables, and the checks that enforce them.

A *raw* panel is what a reader gets out of a file: one row per observation with text cells and the
spreadsheet row (and column) each came from. :func:`check_panel` turns it into the canonical panel —
``region`` (6-digit code, text), ``year`` (int), ``indicator`` (catalogue code), ``value`` (float, in
the catalogue unit), ``source``, ``status``, ``note`` — or raises one error that lists every problem.

Accepted spellings (Chinese or English headers, names instead of codes) are declared here, so the
rules readers follow are in one place.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd

from evalkit import units
from evalkit.errors import (
    ColumnError,
    DuplicateRowError,
    OutOfRangeError,
    Problem,
    UnitConflictError,
    UnknownCodeError,
    ValueFormatError,
    raise_problems,
)

__all__ = [
    "HEADER_ALIASES",
    "OPTIONAL_INPUT_COLUMNS",
    "PANEL_COLUMNS",
    "REFERENCE_COLUMNS",
    "REQUIRED_COLUMNS",
    "STATUS_VALUES",
    "YEAR_RANGE",
    "canonical_header",
    "check_panel",
    "check_reference",
    "parse_year",
]

PANEL_COLUMNS = ["region", "year", "indicator", "value", "source", "status", "note"]
REQUIRED_COLUMNS = ["region", "year", "indicator", "value"]
STATUS_VALUES = ("official", "reported", "derived", "illustrative")
YEAR_RANGE = (1949, 2100)

#: Header spellings accepted on input, folded to the canonical names.
HEADER_ALIASES: dict[str, str] = {
    "region": "region", "地区": "region", "地区代码": "region", "区划代码": "region", "行政区划代码": "region",
    "地区编码": "region", "城市": "region", "地市": "region", "region_code": "region", "code": "region",
    "year": "year", "年份": "year", "年度": "year", "年": "year",
    "indicator": "indicator", "指标": "indicator", "指标代码": "indicator", "指标名称": "indicator_name",
    "value": "value", "数值": "value", "值": "value", "数据": "value",
    "source": "source", "来源": "source", "数据来源": "source", "资料来源": "source",
    "status": "status", "状态": "status", "数据状态": "status", "数据性质": "status",
    "note": "note", "备注": "note", "说明": "note", "notes": "note",
    "unit": "unit", "单位": "unit", "计量单位": "unit",
    "region_name": "region_name", "地区名称": "region_name",
    "indicator_name": "indicator_name", "definition": "definition", "定义": "definition", "指标解释": "definition",
}
#: Columns a file may carry besides the panel's own: checked or used, never silently dropped.
OPTIONAL_INPUT_COLUMNS = ("unit", "region_name", "indicator_name", "definition")

#: Status words in Chinese, folded to the canonical ones (including the words the template and the
#: data audit print: 官方统计, 公开报道, 推算, 示例(生成)).
_STATUS_ALIASES = {"官方": "official", "统计": "official", "公报": "official", "官方统计": "official",
                   "报道": "reported", "报告": "reported", "公开报道": "reported", "推算": "derived",
                   "计算": "derived", "示例": "illustrative", "模拟": "illustrative", "示例数据": "illustrative",
                   "示例(生成)": "illustrative"}

REFERENCE_COLUMNS: dict[str, list[str]] = {
    "regions": ["code", "name_zh", "name_en", "level", "parent", "population_2020", "population_source"],
    "indicators": ["code", "name_zh", "name_en", "category", "category_zh", "category_en", "unit",
                   "polarity", "kind", "in_assessment", "denominator", "decimals", "keywords_zh", "description"],
    "targets": ["plan", "indicator", "name_zh", "region", "baseline_year", "baseline", "target_year", "target",
                "target_type", "target_low", "target_high", "binding", "source", "note"],
    "pilots": ["region", "programme", "batch", "year", "status", "source", "note"],
    "seed_2020_figures": ["figure", "description_en", "value", "unit", "region", "as_of", "indicator", "kind",
                          "source"],
}
_SOURCED = {"targets": "source", "pilots": "source", "seed_2020_figures": "source"}

_FILL_IN = ("fill it in on every row; a merged cell keeps its value in its first row only, so unmerge it and "
            "fill the value down")
_NOT_FINITE = {"inf", "-inf", "+inf", "nan", "infinity", "-infinity", "#num!", "#div/0!", "∞"}


class _NotFinite(Exception):
    pass


_YEAR_TEXT = re.compile(r"^\s*(\d{1,6})(?:\.0+)?\s*(?:年度?)?\s*$")


def canonical_header(name: object) -> str | None:
    """The canonical column name for a header cell, or ``None`` if it is not recognised."""
    key = re.sub(r"\s+", "", str(name)).lstrip("\ufeff")  # "地区\n代码": a line break typed in a header cell
    return HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.lower())


def parse_year(cell: object) -> int | None:
    """``2015``, ``"2015"``, ``"2015年"``, ``"2015年度"``, ``2015.0`` → 2015; anything else → ``None``.

    Any whole number is returned (``20200`` too) so the caller can say it is out of range.
    """
    if isinstance(cell, (int, np.integer)) and not isinstance(cell, bool):
        return int(cell)
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return _year_from_text(str(cell))


@lru_cache(maxsize=4096)  # a panel repeats a few years on every row
def _year_from_text(text: str) -> int | None:
    match = _YEAR_TEXT.match(units.normalise_text(text))
    return int(match.group(1)) if match else None


def _key(text: object) -> str:
    """A code or name as looked up: full-width folded, without spaces, case-insensitive.

    Yearbooks pad two-character names to the width of three (``沈　阳``).
    """
    return re.sub(r"\s+", "", units.normalise_text(str(text))).casefold()


def _lookup(code_table: pd.DataFrame, name_columns: Iterable[str]) -> dict[str, str]:
    """Map codes and names (zh/en) to codes, keyed by :func:`_key`."""
    mapping = {_key(c): str(c) for c in code_table.index}
    for col in name_columns:
        for code, name in code_table[col].items():
            if isinstance(name, str) and name:
                mapping.setdefault(_key(name), str(code))
    return mapping


def _region_lookup(regions: pd.DataFrame) -> dict[str, str]:
    """Codes and names of regions, plus the short names yearbook tables use (沈阳, and 全省 for the province)."""
    mapping = _lookup(regions, ["name_zh", "name_en"])
    for code, name, level in zip(regions.index, regions["name_zh"], regions["level"]):
        mapping.setdefault(_key(name.removesuffix("市").removesuffix("省")), str(code))
        if level == "province":
            mapping.setdefault("全省", str(code))
    return mapping


def _region_code(cell: str, mapping: dict[str, str]) -> str | None:
    """The region a cell names: ``210100.0`` (an Excel number) is 210100, ``0`` is 000000 (Excel drops zeros)."""
    key = _key(cell).removesuffix(".0")
    code = mapping.get(key)
    if code is None and key.isdigit() and len(key) < 6:
        code = mapping.get(key.zfill(6))
    return code


def check_panel(
    raw: pd.DataFrame,
    *,
    path: str | None,
    default_source: str,
    default_status: str,
    indicators: pd.DataFrame,
    regions: pd.DataFrame,
) -> pd.DataFrame:
    """Validate a raw panel and return the canonical one.

    Parameters
    ----------
    raw
        Columns among :data:`PANEL_COLUMNS` and :data:`OPTIONAL_INPUT_COLUMNS` with text or number cells,
        plus ``_row`` (spreadsheet row number) and optionally ``_col`` (the header of the cell a value came
        from, in the wide layout).
    path
        The file name used in messages.
    default_source, default_status
        Used where the file has no ``source``/``status`` column (or leaves a cell empty).
    indicators, regions
        The catalogue tables, indexed by code.

    Raises
    ------
    InputFileError
        One error listing every problem (the most specific subclass when all are of one kind).
    """
    problems: list[Problem] = []

    def problem(kind, message, row, column, value=None, fix=None):
        where = f"{path} [sheet {sheet}]" if sheet else path
        problems.append(Problem(message, file=where, row=row, column=column, value=value, fix=fix, kind=kind))

    region_map = _region_lookup(regions)
    indicator_map = _lookup(indicators, ["name_zh", "name_en"])
    unit_of = indicators["unit"].to_dict()
    region_choices = (*regions.index, *regions["name_zh"], *regions["name_en"])
    indicator_choices = (*indicators.index, *indicators["name_zh"], *indicators["name_en"])
    rows_out = []
    notes: list[str] = []
    cells = raw.astype(object).fillna("")  # empty spreadsheet cells (None, NaN) become ""
    columns = list(cells.columns)
    for values in zip(*(cells[c].tolist() for c in columns)):  # much faster than to_dict("records")
        rec = dict(zip(columns, values))
        row = int(rec["_row"])
        sheet = rec.get("_sheet")
        value_col = rec.get("_col") or "value"
        ok = True

        region_cell = str(rec.get("region", "")).strip()
        region = _region_code(region_cell, region_map)
        if region is None:
            ok = False
            problem(UnknownCodeError, "unknown region" if region_cell else "no region", row, "region",
                    region_cell or "(empty)",
                    ("use a 6-digit code or name from data/reference/regions.csv"
                     + _suggest(region_cell, region_choices)) if region_cell else _FILL_IN)

        indicator_cell = str(rec.get("indicator", "")).strip()
        code = indicator_map.get(_key(indicator_cell))
        if code is None:
            ok = False
            problem(UnknownCodeError, "unknown indicator" if indicator_cell else "no indicator", row, "indicator",
                    indicator_cell or "(empty)",
                    ("use a code or Chinese name from data/reference/indicators.csv"
                     + _suggest(indicator_cell, indicator_choices)) if indicator_cell else _FILL_IN)

        # a name column beside the code column (as in the template) that names another region or indicator:
        # rows sorted one column at a time; a name evalkit does not know is only a label and passes
        for column, found, mapping, table in (("region_name", region, region_map, regions),
                                              ("indicator_name", code, indicator_map, indicators)):
            named = str(rec.get(column) or "").strip()
            other = mapping.get(_key(named)) if named else None
            if found and other and other != found:
                ok = False
                problem(UnknownCodeError, f"code {found} is {table.at[found, 'name_zh']}, but this column says "
                        f"{named}", row, column, named,
                        "correct the code or the name (were the columns sorted separately?)")

        year = parse_year(rec.get("year"))
        if year is None:
            ok = False
            filled = str(rec.get("year")).strip() != ""
            problem(ValueFormatError, "year is not a whole number" if filled else "no year", row, "year",
                    rec.get("year") if filled else "(empty)",
                    "write the year as e.g. 2020 or 2020年" if filled else _FILL_IN)
        elif not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            ok = False
            problem(OutOfRangeError, f"year outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}", row, "year", year,
                    "check the year (a typo such as 20200?)")

        expected_unit = unit_of[code] if code else None
        row_unit = units.normalise_unit(rec.get("unit")) if rec.get("unit") not in (None, "") else None
        if code and row_unit is not None and not units.compatible(row_unit, expected_unit):
            try:
                units.convert(1, row_unit, expected_unit)
            except units.UnitMismatch:
                ok = False
                problem(UnitConflictError, f"unit column says {row_unit}, the catalogue unit is {expected_unit}",
                        row, "unit", row_unit, f"convert the values to {expected_unit} or fix the unit")
                row_unit = None

        cell = rec.get("value")
        note = str(rec.get("note") or "").strip()
        value = np.nan
        try:
            if isinstance(cell, str) and cell.strip().lower() in _NOT_FINITE:
                raise _NotFinite
            quantity = units.parse_quantity(cell, expected_unit=row_unit or expected_unit)
        except _NotFinite:
            ok = False
            problem(OutOfRangeError, "value is not a finite number", row, value_col, cell,
                    "replace it by the figure, or leave the cell empty if not available")
        except units.UnitMismatch as exc:
            ok = False
            problem(UnitConflictError, f"{exc}", row, value_col, cell,
                    f"give the value in {expected_unit} (the catalogue unit) without a conflicting unit")
        except units.NotANumber:
            ok = False
            problem(ValueFormatError, "not a number", row, value_col, cell,
                    "enter a plain number (approximate values such as 约3万 need an exact figure); "
                    "leave the cell empty or write — if not available")
        else:
            if quantity.value is not None:
                value = float(quantity.value)
                if row_unit and row_unit != expected_unit and code:
                    value = float(units.convert(quantity.value, row_unit, expected_unit))
                if not math.isfinite(value):
                    ok = False
                    problem(OutOfRangeError, "value is not finite", row, value_col, cell,
                            "replace inf/NaN by the figure, or leave the cell empty")
            elif quantity.note and quantity.note != "empty":
                note = "; ".join(x for x in [note, quantity.note] if x)
                notes.append(f"row {row}, {value_col}: {quantity.note}")
            elif quantity.note == "empty":
                note = "; ".join(x for x in [note, "empty cell"] if x)

        status_cell = units.normalise_text(str(rec.get("status") or ""))
        status = _STATUS_ALIASES.get(status_cell, status_cell.lower()) if status_cell else default_status
        if status not in STATUS_VALUES:
            ok = False
            problem(ValueFormatError, "unknown status", row, "status", status_cell,
                    f"use one of {', '.join(STATUS_VALUES)}")
        source = str(rec.get("source") or "").strip() or default_source

        if ok:
            rows_out.append((region, year, code, value, source, status, note, row, sheet or ""))

    out = pd.DataFrame(rows_out, columns=[*PANEL_COLUMNS, "_row", "_sheet"])
    if not out.empty:
        dup_mask = out.duplicated(["region", "year", "indicator"], keep=False)
        for (region, year, code), group in out[dup_mask].groupby(["region", "year", "indicator"], sort=False):
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
    # a wide row's region, indicator or unit is checked once per year cell: report each problem once,
    # in sheet order, then row order
    problems = list(dict.fromkeys(problems))
    sheet_order = {f: i for i, f in enumerate(dict.fromkeys(p.file for p in problems))}
    problems.sort(key=lambda p: (sheet_order[p.file], p.row or 0))
    raise_problems(problems, path=path)
    out = out.drop(columns=["_row", "_sheet"]).sort_values(["region", "indicator", "year"], kind="stable")
    out = out.astype({"region": str, "year": "int64", "indicator": str, "value": "float64",
                      "source": str, "status": str, "note": str}).reset_index(drop=True)
    out.attrs["notes"] = notes
    return out


@lru_cache(maxsize=1024)  # difflib is slow, and a wrong code usually repeats on many rows
def _suggest(value: str, choices: tuple[str, ...]) -> str:
    from evalkit.catalogue import suggest

    return suggest(value, choices).replace(" — did you mean", "; did you mean")


def check_reference(name: str, table: pd.DataFrame, *, path: str) -> None:
    """Check a reference table's columns and that every row names its source."""
    expected = REFERENCE_COLUMNS.get(name)
    if expected is None:
        return
    missing = [c for c in expected if c not in table.columns]
    if missing:
        raise ColumnError([Problem(f"missing column {c!r}", file=path, column=c,
                                   fix=f"the {name} table needs columns {', '.join(expected)}") for c in missing],
                          path=path)
    source_col = _SOURCED.get(name)
    if source_col:
        empty = table.index[table[source_col].fillna("").str.strip() == ""]
        if len(empty):
            raise ColumnError([Problem("row without a source", file=path, row=int(i) + 2, column=source_col,
                                       fix="every reference row must name where its figure came from")
                               for i in empty], path=path)
