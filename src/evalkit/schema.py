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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from evalkit import units
from evalkit._shared.checks import suggest
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
    "Cells",
    "Checked",
    "canonical_header",
    "check_duplicates",
    "check_indicator",
    "check_name",
    "check_panel",
    "check_reference",
    "check_region",
    "check_status",
    "check_unit",
    "check_value",
    "check_year",
    "closest_code",
    "parse_year",
    "read_reference_csv",
    "type_reference",
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
    "divisions": ["code", "name_zh", "name_en", "level", "parent", "name_en_source", "source"],
    "division_changes": ["former_code", "former_name", "year", "code", "name_zh", "change", "source", "one_to_one"],
    "seed_2020_figures": ["figure", "description_en", "value", "unit", "region", "as_of", "indicator", "kind",
                          "source"],
}
_SOURCED = {"targets": "source", "pilots": "source", "seed_2020_figures": "source", "divisions": "source",
            "division_changes": "source"}

_FILL_IN = ("fill it in on every row; a merged cell keeps its value in its first row only, so unmerge it and "
            "fill the value down")
_NOT_FINITE = {"inf", "-inf", "+inf", "nan", "infinity", "-infinity", "#num!", "#div/0!", "∞"}


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


def _region_lookup(regions: pd.DataFrame, preferred: Iterable[str] = ()) -> dict[str, str | tuple[str, ...]]:
    """Codes and names of regions, plus the short names yearbook tables use (沈阳, and 全省 for the province).

    A name that several units share (和平区 is in Tianjin and in Shenyang) maps to the tuple of their codes,
    unless one of them is in *preferred* (the project's own regions), which then wins.
    """
    preferred = set(preferred)
    found: dict[str, list[str]] = {}
    for code in regions.index:
        found.setdefault(_key(code), []).append(str(code))
    names: dict[str, list[str]] = {}
    for code, name_zh, name_en, level in zip(regions.index, regions["name_zh"], regions["name_en"], regions["level"]):
        keys = {_key(n) for n in (name_zh, name_en) if isinstance(n, str) and n}
        if level in ("province", "city") and isinstance(name_zh, str):
            keys.add(_key(name_zh.removesuffix("市").removesuffix("省")))
        if level == "province" and code in preferred:
            keys.add("全省")
        for key in keys:
            names.setdefault(key, []).append(str(code))
    mapping: dict[str, str | tuple[str, ...]] = {k: v[0] for k, v in found.items()}
    for key, codes in names.items():
        if key in mapping:
            continue
        codes = list(dict.fromkeys(codes))
        chosen = [c for c in codes if c in preferred]
        mapping[key] = codes[0] if len(codes) == 1 else chosen[0] if len(chosen) == 1 else tuple(codes)
    return mapping


_LOOKUPS: dict[tuple[int, tuple[str, ...]], tuple[pd.DataFrame, dict]] = {}


def _cached_region_lookup(regions: pd.DataFrame, preferred: tuple[str, ...]) -> dict[str, str | tuple[str, ...]]:
    """:func:`_region_lookup`, built once per table object (the national table has 3,000 rows and names)."""
    key = (id(regions), preferred)
    hit = _LOOKUPS.get(key)
    if hit is None or hit[0] is not regions:
        if len(_LOOKUPS) > 8:
            _LOOKUPS.clear()
        hit = _LOOKUPS[key] = (regions, _region_lookup(regions, preferred))
    return hit[1]


def _region_code(cell: str, mapping: Mapping[str, str | tuple[str, ...]]) -> str | tuple[str, ...] | None:
    """The region a cell names: ``210100.0`` (an Excel number) is 210100, ``0`` is 000000 (Excel drops zeros)."""
    key = _key(cell).removesuffix(".0")
    code = mapping.get(key)
    if code is None and key.isdigit() and len(key) < 6:
        code = mapping.get(key.zfill(6))
    return code


# --------------------------------------------------------------------------------------------- per-field checks
@dataclass(frozen=True)
class Cells:
    """A raw panel prepared for the field checks: text of every cell and where each row came from.

    Attributes
    ----------
    frame : DataFrame
        The raw panel's cells as objects, empty cells as ``""``.
    rows : ndarray
        Spreadsheet row number of each row.
    where : ndarray
        The file label of each row (``path`` or ``path [sheet NAME]``).
    value_column : ndarray
        The header of the column each value came from (a year in the wide layout, else ``value``).
    """

    frame: pd.DataFrame
    rows: np.ndarray
    where: np.ndarray
    value_column: np.ndarray

    @classmethod
    def of(cls, raw: pd.DataFrame, path: str | None) -> Cells:
        """Prepare *raw* (a reader's output with ``_row`` and optional ``_sheet``, ``_col``) for checking."""
        frame = raw.astype(object).fillna("")  # empty spreadsheet cells (None, NaN) become ""
        sheets = frame["_sheet"].astype(str).to_numpy() if "_sheet" in frame else np.full(len(frame), "")
        labels = {s: (f"{path} [sheet {s}]" if s else path) for s in pd.unique(sheets)}
        where = np.array([labels[s] for s in sheets], dtype=object) if len(labels) > 1 else \
            np.full(len(frame), next(iter(labels.values()), path), dtype=object)
        col = frame["_col"].astype(str).to_numpy() if "_col" in frame else np.full(len(frame), "")
        return cls(frame=frame, rows=frame["_row"].astype("int64").to_numpy(), where=where,
                   value_column=np.where(col == "", "value", col).astype(object))

    def text(self, column: str) -> pd.Series:
        """The cells of *column* as stripped text (``""`` where the file has no such column)."""
        if column not in self.frame:
            return pd.Series("", index=self.frame.index, dtype=object)
        return self.frame[column].astype(str).str.strip()

    def get(self, column: str) -> pd.Series:
        """The cells of *column* as read (``""`` where the file has no such column)."""
        if column not in self.frame:
            return pd.Series("", index=self.frame.index, dtype=object)
        return self.frame[column]

    def problem(self, i: int, kind: type, message: str, column: str, value: object = None,
                fix: str | None = None) -> Problem:
        """A :class:`Problem` at position *i* of the panel."""
        return Problem(message, file=self.where[i], row=int(self.rows[i]), column=column, value=value, fix=fix,
                       kind=kind)


@dataclass(frozen=True)
class Checked:
    """What one field check found: the field's canonical values, the rows that failed and why.

    Attributes
    ----------
    values : Series
        The canonical value of each row (``None``/NaN where the cell is wrong).
    bad : ndarray of bool
        Rows the check rejected.
    problems : list of Problem
        One record per rejected row.
    notes : list of str
        What the check changed that the reader should know (a former code read as the current one).
    """

    values: pd.Series
    bad: np.ndarray
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)


def _per_unique(values: pd.Series, fn) -> pd.Series:
    """``values.map(fn)``, calling *fn* once per distinct value (a panel repeats few codes on many rows)."""
    if values.empty:
        return pd.Series([], index=values.index, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    mapped = np.empty(len(uniques), dtype=object)
    mapped[:] = [fn(u) for u in uniques]
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def check_region(cells: Cells, mapping: Mapping[str, str | tuple[str, ...]], choices: tuple[str, ...],
                 changes: pd.DataFrame | None = None) -> Checked:
    """Resolve the ``region`` column to 6-digit codes; report empty, unknown, ambiguous and merged regions.

    A former code (``changes``: the crosswalk of :func:`evalkit.regions.changes`) whose unit is exactly one
    current unit is read as the current code, with a note; one that was merged or split is a problem naming
    both codes and the fix.
    """
    text = cells.text("region")
    former = {} if changes is None else {code: rows for code, rows in changes.groupby("former_code")}
    resolved = _per_unique(text, lambda cell: _resolve_region(cell, mapping, former))
    found = resolved.map(lambda r: r if isinstance(r, str) else None)
    bad = found.isna().to_numpy()
    problems = []
    for i in np.flatnonzero(bad):
        problems.append(_region_problem(cells, i, text.iat[i], resolved.iat[i], choices, changes))
    notes = []
    for cell, result in dict(zip(text[~bad], resolved[~bad])).items():
        change = _former_change(cell, former)
        if change is not None:
            rows = int((text == cell).sum())
            notes.append(f"former code {change['former_code']} ({change['former_name']}) read as {result} "
                         f"({change['name_zh']}): {change['change']} {change['year']} — {rows} row{'s' * (rows != 1)}")
    return Checked(found, bad, problems, notes)


def _former_change(cell: str, former: Mapping[str, pd.DataFrame]) -> pd.Series | None:
    key = _key(cell).removesuffix(".0")
    rows = former.get(key.zfill(6) if key.isdigit() else key)
    return None if rows is None else rows.iloc[0]


def _resolve_region(cell: str, mapping: Mapping[str, str | tuple[str, ...]],
                    former: Mapping[str, pd.DataFrame]) -> str | tuple[str, ...] | pd.DataFrame | None:
    """A current code, a tuple (an ambiguous name), the crosswalk rows of a merged former code, or ``None``."""
    code = _region_code(cell, mapping)
    if code is not None:
        return code
    key = _key(cell).removesuffix(".0")
    rows = former.get(key.zfill(6) if key.isdigit() else key)
    if rows is None:
        return None
    if len(rows) == 1 and bool(int(rows["one_to_one"].iloc[0])):
        return str(rows["code"].iloc[0])
    return rows


def closest_code(code: str, codes: Iterable[str]) -> str | None:
    """The code in *codes* sharing the longest leading digits with *code*, then nearest in value; or ``None``.

    A mistyped region code is usually a neighbour (219999 → a code of Liaoning): string similarity alone
    misses it.
    """
    if not (code.isdigit() and len(code) == 6):
        return None
    best, best_key = None, None
    for other in codes:
        if not (other.isdigit() and len(other) == 6) or other == "000000":
            continue
        shared = next((i for i, (a, b) in enumerate(zip(code, other)) if a != b), 6)
        key = (-shared, abs(int(other) - int(code)))
        if shared >= 2 and (best_key is None or key < best_key):
            best, best_key = other, key
    return best


def _region_problem(cells: Cells, i: int, cell: str, result: object, choices: tuple[str, ...],
                    changes: pd.DataFrame | None) -> Problem:
    if not cell:
        return cells.problem(i, UnknownCodeError, "no region", "region", "(empty)", _FILL_IN)
    if isinstance(result, tuple):
        return cells.problem(i, UnknownCodeError, f"{cell} names {len(result)} regions ({', '.join(result)})",
                             "region", cell, "use the 6-digit code instead of the name")
    if isinstance(result, pd.DataFrame):
        first = result.iloc[0]
        targets = ", ".join(f"{c} ({n})" for c, n in zip(result["code"], result["name_zh"]))
        partners = changes[changes["code"].isin(result["code"]) & (changes["former_code"] != first["former_code"])]
        together = ", ".join(f"{c} ({n})" for c, n in zip(partners["former_code"], partners["former_name"]))
        return cells.problem(i, UnknownCodeError,
                             f"former code {first['former_code']} ({first['former_name']}) went into {targets} in "
                             f"{first['year']} ({first['change']}){' together with ' + together if together else ''}"
                             ": not one-to-one, so its values cannot be carried over", "region", cell,
                             f"add up the former units' values (counts; weight rates by population) and enter them "
                             f"under {result['code'].iloc[0]}, or leave out the years before {first['year']}")
    key = _key(cell).removesuffix(".0")
    near = closest_code(key, choices) if key.isdigit() and len(key) == 6 else None
    hint = f"; did you mean {near!r}?" if near else _suggest(cell, choices)
    return cells.problem(i, UnknownCodeError, "unknown region", "region", cell,
                         "use a 6-digit GB/T 2260 code in force at the end of 2020 or a unit's name "
                         "(data/reference/divisions.csv)" + hint)


def check_indicator(cells: Cells, mapping: Mapping[str, str], choices: tuple[str, ...]) -> Checked:
    """Resolve the ``indicator`` column to catalogue codes; report empty and unknown indicators."""
    text = cells.text("indicator")
    found = _per_unique(text, lambda cell: mapping.get(_key(cell)))
    bad = found.isna().to_numpy()
    problems = []
    for i in np.flatnonzero(bad):
        cell = text.iat[i]
        problems.append(cells.problem(
            i, UnknownCodeError, "unknown indicator" if cell else "no indicator", "indicator", cell or "(empty)",
            ("use a code or Chinese name from data/reference/indicators.csv" + _suggest(cell, choices))
            if cell else _FILL_IN))
    return Checked(found, bad, problems)


def check_name(cells: Cells, column: str, codes: pd.Series, mapping: Mapping[str, str],
               table: pd.DataFrame) -> Checked:
    """A name column beside a code column (``region_name``, ``indicator_name``) must name the same thing.

    Rows sorted one column at a time give a code with another row's name. A name evalkit does not know is
    only a label and passes.
    """
    text = cells.text(column)
    if column not in cells.frame:
        return Checked(text, np.zeros(len(text), dtype=bool), [])
    named = _per_unique(text, lambda name: mapping.get(_key(name)) if name else None)

    def disagrees(pair: tuple[object, object]) -> bool:
        other, found = pair
        if other is None or not isinstance(found, str):
            return False
        return found not in other if isinstance(other, tuple) else other != found

    pairs = pd.Series(list(zip(named, codes)), index=text.index, dtype=object)
    bad = _per_unique(pairs, disagrees).astype(bool).to_numpy()
    problems = [cells.problem(i, UnknownCodeError, f"code {codes.iat[i]} is {table.at[codes.iat[i], 'name_zh']}, "
                              f"but this column says {text.iat[i]}", column, text.iat[i],
                              "correct the code or the name (were the columns sorted separately?)")
                for i in np.flatnonzero(bad)]
    return Checked(text, bad, problems)


def check_year(cells: Cells) -> Checked:
    """Parse the ``year`` column (``2015``, ``2015年``); report empty, non-integer and out-of-range years."""
    cells_year = cells.get("year")
    years = _per_unique(cells_year, parse_year)
    problems = []
    bad = np.zeros(len(years), dtype=bool)
    for i in np.flatnonzero(years.isna().to_numpy()):
        cell = cells_year.iat[i]
        filled = str(cell).strip() != ""
        bad[i] = True
        problems.append(cells.problem(i, ValueFormatError, "year is not a whole number" if filled else "no year",
                                      "year", cell if filled else "(empty)",
                                      "write the year as e.g. 2020 or 2020年" if filled else _FILL_IN))
    known = years.notna().to_numpy()
    numeric = pd.to_numeric(years.where(known), errors="coerce").to_numpy(dtype=float)
    outside = known & ((numeric < YEAR_RANGE[0]) | (numeric > YEAR_RANGE[1]))
    for i in np.flatnonzero(outside):
        bad[i] = True
        problems.append(cells.problem(i, OutOfRangeError, f"year outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}", "year",
                                      years.iat[i], "check the year (a typo such as 20200?)"))
    return Checked(years, bad, problems)


def check_unit(cells: Cells, codes: pd.Series, unit_of: Mapping[str, str]) -> Checked:
    """The optional ``unit`` column: a unit the catalogue unit cannot be converted from is a problem.

    ``values`` is the row's own unit where it is usable (``None`` otherwise: the catalogue unit applies).
    """
    raw = cells.get("unit")
    if "unit" not in cells.frame:
        return Checked(pd.Series(None, index=raw.index, dtype=object), np.zeros(len(raw), dtype=bool), [])
    row_unit = _per_unique(raw, lambda u: units.normalise_unit(u) if u not in (None, "") else None)
    expected = codes.map(unit_of)

    def conflicts(pair: tuple[str, str]) -> bool:
        unit, target = pair
        if units.compatible(unit, target):
            return False
        try:
            units.convert(1, unit, target)
        except units.UnitMismatch:
            return True
        return False

    checkable = (row_unit.notna() & codes.notna()).to_numpy()
    bad = np.zeros(len(raw), dtype=bool)
    if checkable.any():
        pairs = pd.Series(list(zip(row_unit[checkable], expected[checkable])), dtype=object)
        bad[checkable] = _per_unique(pairs, conflicts).astype(bool).to_numpy()
    problems = [cells.problem(i, UnitConflictError,
                              f"unit column says {row_unit.iat[i]}, the catalogue unit is {expected.iat[i]}",
                              "unit", row_unit.iat[i], f"convert the values to {expected.iat[i]} or fix the unit")
                for i in np.flatnonzero(bad)]
    return Checked(row_unit.mask(bad, None), bad, problems)


def _plain_numbers(cells: pd.Series) -> np.ndarray:
    """Floats for cells that are plain numbers (the bulk of any file), NaN where a cell needs parsing."""
    if cells.empty:
        return np.array([], dtype=float)
    candidates = cells.where(cells != "")
    if pd.api.types.infer_dtype(candidates, skipna=True) not in ("string", "floating", "integer",
                                                                 "mixed-integer-float"):
        # True/False cells are yes/no answers, not 1 and 0: leave them to the cell parser
        candidates = candidates.where(~candidates.map(lambda c: isinstance(c, bool)))
    fast = pd.to_numeric(candidates, errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(fast), fast, np.nan)


def check_value(cells: Cells, codes: pd.Series, row_unit: pd.Series, unit_of: Mapping[str, str]) -> Checked:
    """Parse the value cells in the catalogue unit (or the row's own unit, converted to it).

    ``values`` is a frame with ``value`` (float, NaN when not available) and ``note`` (the row's note plus
    the reason a value is missing); the notes of cells marked not available are in ``values.attrs["notes"]``.
    """
    cell_values = cells.get("value")
    notes_col = cells.text("note").to_numpy(dtype=object).copy()
    value = _plain_numbers(cell_values)
    expected = codes.map(unit_of).to_numpy(dtype=object)
    own = row_unit.to_numpy(dtype=object)
    bad = np.zeros(len(value), dtype=bool)
    problems: list[Problem] = []
    notes: list[str] = []
    for i in np.flatnonzero(np.isnan(value)):  # cells that are not plain numbers: read them one by one
        unit_i, expected_i = _text_or_none(own[i]), _text_or_none(expected[i])
        parsed = _parse_cell(cells, i, cell_values.iat[i], unit_i or expected_i, expected_i)
        if isinstance(parsed, Problem):
            bad[i] = True
            problems.append(parsed)
        elif isinstance(parsed, float):
            value[i] = parsed
        elif parsed != "empty":
            notes_col[i] = "; ".join(x for x in [notes_col[i], parsed] if x)
            notes.append(f"row {cells.rows[i]}, {cells.value_column[i]}: {parsed}")
        else:
            notes_col[i] = "; ".join(x for x in [notes_col[i], "empty cell"] if x)
    # a row whose own unit differs from the catalogue's: convert (few rows; exact in Decimal)
    for i in np.flatnonzero(pd.notna(own) & pd.notna(expected) & ~np.isnan(value) & ~bad):
        if own[i] != expected[i]:
            value[i] = float(units.convert(Decimal(repr(float(value[i]))), own[i], expected[i]))
    out = pd.DataFrame({"value": value, "note": notes_col}, index=cell_values.index)
    out.attrs["notes"] = notes
    return Checked(out, bad, problems)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _parse_cell(cells: Cells, i: int, cell: object, unit: str | None, expected: str | None) -> Problem | float | str:
    """One value cell that is not a plain number: a float, a note (why it is missing) or a problem."""
    column = cells.value_column[i]
    if isinstance(cell, str) and cell.strip().lower() in _NOT_FINITE:
        return cells.problem(i, OutOfRangeError, "value is not a finite number", column, cell,
                             "replace it by the figure, or leave the cell empty if not available")
    try:
        quantity = units.parse_quantity(cell, expected_unit=unit)
    except units.UnitMismatch as exc:
        return cells.problem(i, UnitConflictError, f"{exc}", column, cell,
                             f"give the value in {expected} (the catalogue unit) without a conflicting unit")
    except units.NotANumber:
        return cells.problem(i, ValueFormatError, "not a number", column, cell,
                             "enter a plain number (approximate values such as 约3万 need an exact figure); "
                             "leave the cell empty or write — if not available")
    if quantity.value is None:
        return quantity.note or "empty"
    number = float(quantity.value)
    if not math.isfinite(number):
        return cells.problem(i, OutOfRangeError, "value is not finite", column, cell,
                             "replace inf/NaN by the figure, or leave the cell empty")
    return number


def check_status(cells: Cells, default_status: str) -> Checked:
    """Fold the ``status`` column (官方统计 → official); empty cells take *default_status*."""
    raw = cells.get("status")

    def fold(cell: object) -> str:
        text = units.normalise_text(str(cell or ""))
        return _STATUS_ALIASES.get(text, text.lower()) if text else default_status

    status = _per_unique(raw, fold)
    bad = ~status.isin(STATUS_VALUES).to_numpy()
    problems = [cells.problem(i, ValueFormatError, "unknown status", "status",
                              units.normalise_text(str(raw.iat[i] or "")), f"use one of {', '.join(STATUS_VALUES)}")
                for i in np.flatnonzero(bad)]
    return Checked(status, bad, problems)


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
        lists the cells marked not available.

    Raises
    ------
    InputFileError
        One error listing every problem (the most specific subclass when all are of one kind).
    """
    cells = Cells.of(raw, path)
    region_map = _cached_region_lookup(regions, tuple(preferred))
    indicator_map = _lookup(indicators, ["name_zh", "name_en"])
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
    source = cells.text("source").replace("", default_source)
    out = pd.DataFrame({
        "region": region.values, "year": year.values, "indicator": indicator.values, "value": value.values["value"],
        "source": source, "status": status.values, "note": value.values["note"], "_row": cells.rows,
        "_sheet": cells.get("_sheet").astype(str) if "_sheet" in cells.frame else "",
    })[ok]
    problems = [p for c in checks for p in c.problems] + check_duplicates(out, path)
    # a wide row's region, indicator or unit is checked once per year cell: report each problem once,
    # in sheet order, then row order (then the order of the checks)
    problems = list(dict.fromkeys(problems))
    sheet_order = {f: i for i, f in enumerate(pd.unique(cells.where))}
    problems.sort(key=lambda p: (sheet_order.get(p.file, len(sheet_order)), p.row or 0))
    raise_problems(problems, path=path)
    out = out.drop(columns=["_row", "_sheet"]).sort_values(["region", "indicator", "year"], kind="stable")
    out = out.astype({"region": str, "year": "int64", "indicator": str, "value": "float64",
                      "source": str, "status": str, "note": str}).reset_index(drop=True)
    out.attrs["notes"] = region.notes + value.values.attrs["notes"]
    return out


@lru_cache(maxsize=1024)  # difflib is slow, and a wrong code usually repeats on many rows
def _suggest(value: str, choices: tuple[str, ...]) -> str:
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


def type_reference(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """Give a reference table read as text its column types (flags as bool, numbers as numbers; codes stay text)."""
    del name  # the column names decide; the parameter keeps the contract's shape
    table = table.copy()
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


def read_reference_csv(name: str, path) -> pd.DataFrame:
    """Read ``data/reference/<name>.csv`` (UTF-8, every cell as text), check its contract and type its columns."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    check_reference(name, table, path=str(path))
    return type_reference(name, table)
