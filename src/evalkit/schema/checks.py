"""One check per panel field, each returning the field's canonical values and the :class:`Problem` s it found.

The checks work on distinct cell values: a panel of millions of rows repeats a few thousand region codes,
fifty indicators and twenty years, so each distinct cell is looked up once and the answer spread back to
the rows (:meth:`Cells.factorized`). Only cells that are not plain numbers are parsed one by one.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from evalkit import units
from evalkit._shared.checks import suggest
from evalkit.errors import (
    OutOfRangeError,
    Problem,
    UnitConflictError,
    UnknownCodeError,
    ValueFormatError,
)
from evalkit.schema.columns import STATUS_ALIASES, STATUS_VALUES, YEAR_RANGE, parse_year
from evalkit.schema.lookup import closest_code, fold, region_code

__all__ = [
    "Cells",
    "Checked",
    "check_indicator",
    "check_name",
    "check_region",
    "check_status",
    "check_unit",
    "check_value",
    "check_year",
]

_FILL_IN = ("fill it in on every row; a merged cell keeps its value in its first row only, so unmerge it and "
            "fill the value down")
_NOT_FINITE = {"inf", "-inf", "+inf", "nan", "infinity", "-infinity", "#num!", "#div/0!", "∞"}


@dataclass(frozen=True)
class Cells:
    """A raw panel prepared for the field checks: its columns and where each row came from.

    Attributes
    ----------
    frame : DataFrame
        The raw panel's columns as read (text, numbers; missing cells as NaN/None).
    rows : ndarray
        Spreadsheet row number of each row.
    where_codes, where_labels
        The file label of each row (``path`` or ``path [sheet NAME]``) as codes into the labels.
    column_codes, column_labels
        The header of the column each value came from (a year in the wide layout, else ``value``), likewise.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    where_codes: np.ndarray
    where_labels: list[str | None]
    column_codes: np.ndarray
    column_labels: list[str]
    _factors: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, raw: pd.DataFrame, path: str | None) -> Cells:
        """Prepare *raw* (a reader's output with ``_row`` and optional ``_sheet``, ``_col``) for checking."""
        n = len(raw)
        if "_sheet" in raw:
            codes, sheets = pd.factorize(raw["_sheet"].fillna("").astype(str))
            labels = [f"{path} [sheet {s}]" if s else path for s in sheets]
        else:
            codes, labels = np.zeros(n, dtype=np.intp), [path]
        if "_col" in raw:
            col_codes, columns = pd.factorize(raw["_col"].fillna("").astype(str))
            col_labels = [c or "value" for c in columns]
        else:
            col_codes, col_labels = np.zeros(n, dtype=np.intp), ["value"]
        return cls(frame=raw, rows=raw["_row"].to_numpy(dtype="int64"), where_codes=np.asarray(codes),
                   where_labels=labels or [path], column_codes=np.asarray(col_codes), column_labels=col_labels)

    @property
    def where(self) -> np.ndarray:
        """The file label of each row (``path`` or ``path [sheet NAME]``)."""
        return np.array(self.where_labels, dtype=object)[self.where_codes]

    @property
    def value_column(self) -> np.ndarray:
        """The header of the column each value came from (a year in the wide layout, else ``value``)."""
        return np.array(self.column_labels, dtype=object)[self.column_codes]

    def __len__(self) -> int:
        return len(self.rows)

    def factorized(self, column: str) -> tuple[np.ndarray, list[object]]:
        """Codes (one per row) and the distinct cells of *column*; missing cells are ``""``.

        A column the file does not have is one distinct ``""``.
        """
        if column not in self._factors:
            if column not in self.frame:
                self._factors[column] = (np.zeros(len(self), dtype=np.intp), [""])
            else:
                codes, uniques = pd.factorize(self.frame[column], use_na_sentinel=True)
                uniques = [u for u in uniques]
                if (codes < 0).any():
                    codes = np.where(codes < 0, len(uniques), codes)
                    uniques.append("")
                self._factors[column] = (np.asarray(codes, dtype=np.intp), uniques)
        return self._factors[column]

    def text(self, column: str) -> pd.Series:
        """The cells of *column* as stripped text (``""`` for missing cells or a column the file lacks)."""
        codes, uniques = self.factorized(column)
        texts = np.array([_text(u) for u in uniques], dtype=object)
        return pd.Series(texts[codes], index=self.frame.index, dtype=object)

    def cell(self, column: str, i: int) -> object:
        """The cell of *column* in row position *i* as read (``""`` when missing)."""
        codes, uniques = self.factorized(column)
        return uniques[codes[i]]

    def problem(self, i: int, kind: type, message: str, column: str, value: object = None,
                fix: str | None = None) -> Problem:
        """A :class:`Problem` at position *i* of the panel."""
        return Problem(message, file=self.where_labels[self.where_codes[i]], row=int(self.rows[i]), column=column,
                       value=value, fix=fix, kind=kind)


def _text(cell: object) -> str:
    return "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell).strip()


@dataclass(frozen=True)
class Checked:
    """What one field check found: the field's canonical values, the rows that failed and why.

    Attributes
    ----------
    values : Series
        The canonical value of each row (missing where the cell is wrong); categorical for codes.
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


def _spread(codes: np.ndarray, mapped: list[object], index: pd.Index) -> pd.Series:
    """The per-distinct results *mapped* spread to the rows as a categorical (``None`` → missing)."""
    categories = sorted({m for m in mapped if m is not None})
    position = {c: i for i, c in enumerate(categories)}
    lookup = np.array([position.get(m, -1) if m is not None else -1 for m in mapped] or [-1], dtype=np.int32)
    values = pd.Categorical.from_codes(lookup[codes], categories=categories) if len(codes) else \
        pd.Categorical([], categories=categories)
    return pd.Series(values, index=index)


def _bad_rows(codes: np.ndarray, bad_distinct: list[bool]) -> np.ndarray:
    return np.array(bad_distinct or [False], dtype=bool)[codes]


@lru_cache(maxsize=1024)  # difflib is slow, and a wrong code usually repeats on many rows
def _suggest(value: str, choices: tuple[str, ...]) -> str:
    return suggest(value, choices).replace(" — did you mean", "; did you mean")


# --------------------------------------------------------------------------------------------- region
def check_region(cells: Cells, mapping: Mapping[str, str | tuple[str, ...]], choices: tuple[str, ...],
                 changes: pd.DataFrame | None = None) -> Checked:
    """Resolve the ``region`` column to 6-digit codes; report empty, unknown, ambiguous and merged regions.

    A former code (``changes``: the crosswalk of :func:`evalkit.regions.changes`) whose unit is exactly one
    current unit is read as the current code, with a note; one that was merged or split is a problem naming
    both codes and the fix.
    """
    codes, uniques = cells.factorized("region")
    texts = [_text(u) for u in uniques]
    former = {} if changes is None else _former_rows(changes, texts)
    resolved = [_resolve_region(t, mapping, former) for t in texts]
    found = [r if isinstance(r, str) else None for r in resolved]
    bad = _bad_rows(codes, [f is None for f in found])
    problems = [_region_problem(cells, i, texts[codes[i]], resolved[codes[i]], choices, changes)
                for i in np.flatnonzero(bad)]
    counts = np.bincount(codes, minlength=len(uniques))
    notes = []
    for k, text in enumerate(texts):
        change = _former_change(text, former) if found[k] else None
        if change is not None and counts[k]:
            notes.append(f"former code {change['former_code']} ({change['former_name']}) read as {found[k]} "
                         f"({change['name_zh']}): {change['change']} {change['year']} — "
                         f"{counts[k]} row{'' if counts[k] == 1 else 's'}")
    return Checked(_spread(codes, found, cells.frame.index), bad, problems, notes)


def _former_rows(changes: pd.DataFrame, texts: list[str]) -> dict[str, pd.DataFrame]:
    """The crosswalk rows of each former code among *texts* (grouping only those: the table has hundreds)."""
    keys = {_former_key(text) for text in texts if text}
    rows = changes[changes["former_code"].isin(keys)]
    return dict(tuple(rows.groupby("former_code"))) if len(rows) else {}


def _former_key(cell: str) -> str:
    key = fold(cell).removesuffix(".0")
    return key.zfill(6) if key.isdigit() else key


def _former_change(cell: str, former: Mapping[str, pd.DataFrame]) -> pd.Series | None:
    rows = former.get(_former_key(cell))
    return None if rows is None else rows.iloc[0]


def _resolve_region(cell: str, mapping: Mapping[str, str | tuple[str, ...]],
                    former: Mapping[str, pd.DataFrame]) -> str | tuple[str, ...] | pd.DataFrame | None:
    """A current code, a tuple (an ambiguous name), the crosswalk rows of a merged former code, or ``None``."""
    if not cell:
        return None
    code = region_code(cell, mapping)
    if code is not None:
        return code
    rows = former.get(_former_key(cell))
    if rows is None:
        return None
    if len(rows) == 1 and bool(int(rows["one_to_one"].iloc[0])):
        return str(rows["code"].iloc[0])
    return rows


def _region_problem(cells: Cells, i: int, cell: str, result: object, choices: tuple[str, ...],
                    changes: pd.DataFrame | None) -> Problem:
    if not cell:
        return cells.problem(i, UnknownCodeError, "no region", "region", "(empty)", _FILL_IN)
    if isinstance(result, tuple):
        return cells.problem(i, UnknownCodeError, f"{cell} names {len(result)} regions ({', '.join(result)})",
                             "region", cell, "use the 6-digit code instead of the name")
    if isinstance(result, pd.DataFrame) and changes is not None:
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
    key = fold(cell).removesuffix(".0")
    near = closest_code(key.zfill(6), choices) if key.isdigit() and len(key) <= 6 else None
    hint = f"; did you mean {near!r}?" if near else _suggest(cell, choices)
    return cells.problem(i, UnknownCodeError, "unknown region", "region", cell,
                         "use a 6-digit GB/T 2260 code in force at the end of 2020 or a unit's name "
                         "(data/reference/divisions.csv)" + hint)


# --------------------------------------------------------------------------------------------- indicator
def check_indicator(cells: Cells, mapping: Mapping[str, str], choices: tuple[str, ...]) -> Checked:
    """Resolve the ``indicator`` column to catalogue codes; report empty and unknown indicators."""
    codes, uniques = cells.factorized("indicator")
    texts = [_text(u) for u in uniques]
    found = [mapping.get(fold(t)) if t else None for t in texts]
    bad = _bad_rows(codes, [f is None for f in found])
    problems = []
    for i in np.flatnonzero(bad):
        cell = texts[codes[i]]
        problems.append(cells.problem(
            i, UnknownCodeError, "unknown indicator" if cell else "no indicator", "indicator", cell or "(empty)",
            ("use a code or Chinese name from data/reference/indicators.csv" + _suggest(cell, choices))
            if cell else _FILL_IN))
    return Checked(_spread(codes, found, cells.frame.index), bad, problems)


def check_name(cells: Cells, column: str, codes: pd.Series, mapping: Mapping[str, str | tuple[str, ...]],
               table: pd.DataFrame) -> Checked:
    """A name column beside a code column (``region_name``, ``indicator_name``) must name the same thing.

    Rows sorted one column at a time give a code with another row's name. A name evalkit does not know is
    only a label and passes; a name several units share passes when the code is one of them.
    """
    name_codes, names = cells.factorized(column)
    empty = np.zeros(len(cells), dtype=bool)
    if column not in cells.frame:
        return Checked(pd.Series("", index=cells.frame.index, dtype=object), empty, [])
    texts = [_text(n) for n in names]
    named = [mapping.get(fold(t)) if t else None for t in texts]
    found = pd.Categorical(codes)
    pair = name_codes.astype(np.int64) * (len(found.categories) + 1) + (found.codes.astype(np.int64) + 1)
    inverse, distinct = pd.factorize(pair)
    width = len(found.categories) + 1
    verdicts = []
    for value in distinct:
        other, code_index = named[value // width], value % width - 1
        code = found.categories[code_index] if code_index >= 0 else None
        verdicts.append(other is not None and code is not None
                        and (code not in other if isinstance(other, tuple) else other != code))
    bad = np.array(verdicts or [False], dtype=bool)[inverse]
    problems = [cells.problem(i, UnknownCodeError, f"code {codes.iat[i]} is {table.at[codes.iat[i], 'name_zh']}, "
                              f"but this column says {texts[name_codes[i]]}", column, texts[name_codes[i]],
                              "correct the code or the name (were the columns sorted separately?)")
                for i in np.flatnonzero(bad)]
    return Checked(pd.Series(np.array(texts, dtype=object)[name_codes], index=cells.frame.index), bad, problems)


# --------------------------------------------------------------------------------------------- year
def check_year(cells: Cells) -> Checked:
    """Parse the ``year`` column (``2015``, ``2015年``); report empty, non-integer and out-of-range years."""
    codes, uniques = cells.factorized("year")
    years = [parse_year(u) if _text(u) else None for u in uniques]
    outside = [y is not None and not YEAR_RANGE[0] <= y <= YEAR_RANGE[1] for y in years]
    bad = _bad_rows(codes, [y is None or o for y, o in zip(years, outside)])
    problems = []
    for i in np.flatnonzero(bad):
        k = codes[i]
        cell = uniques[k]
        if years[k] is not None:
            problems.append(cells.problem(i, OutOfRangeError, f"year outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}",
                                          "year", years[k], "check the year (a typo such as 20200?)"))
        else:
            filled = _text(cell) != ""
            problems.append(cells.problem(i, ValueFormatError, "year is not a whole number" if filled else "no year",
                                          "year", cell if filled else "(empty)",
                                          "write the year as e.g. 2020 or 2020年" if filled else _FILL_IN))
    values = np.array([y if y is not None else -1 for y in years] or [-1], dtype=np.int64)[codes]
    return Checked(pd.Series(values, index=cells.frame.index).where(~bad), bad, problems)


# --------------------------------------------------------------------------------------------- unit
def check_unit(cells: Cells, codes: pd.Series, unit_of: Mapping[str, str]) -> Checked:
    """The optional ``unit`` column: a unit the catalogue unit cannot be converted from is a problem.

    ``values`` is the row's own unit where it is usable (missing otherwise: the catalogue unit applies).
    """
    if "unit" not in cells.frame:
        return Checked(pd.Series(None, index=cells.frame.index, dtype=object), np.zeros(len(cells), dtype=bool), [])
    unit_codes, units_raw = cells.factorized("unit")
    own = [units.normalise_unit(_text(u)) if _text(u) else None for u in units_raw]
    indicator = pd.Categorical(codes)
    width = len(indicator.categories) + 1
    pair = unit_codes.astype(np.int64) * width + (indicator.codes.astype(np.int64) + 1)
    inverse, distinct = pd.factorize(pair)
    verdicts = []
    for value in distinct:
        unit, code_index = own[value // width], value % width - 1
        target = unit_of.get(indicator.categories[code_index]) if code_index >= 0 else None
        verdicts.append(unit is not None and target is not None and _conflicts(unit, target))
    bad = np.array(verdicts or [False], dtype=bool)[inverse]
    problems = []
    for i in np.flatnonzero(bad):
        unit, target = own[unit_codes[i]], unit_of.get(codes.iat[i])
        problems.append(cells.problem(i, UnitConflictError, f"unit column says {unit}, the catalogue unit is {target}",
                                      "unit", unit, f"convert the values to {target} or fix the unit"))
    values = pd.Series(np.array(own, dtype=object)[unit_codes], index=cells.frame.index).mask(bad, None)
    return Checked(values, bad, problems)


def _conflicts(unit: str, target: str) -> bool:
    if units.compatible(unit, target):
        return False
    try:
        units.convert(1, unit, target)
    except units.UnitMismatch:
        return True
    return False


# --------------------------------------------------------------------------------------------- value
def _plain_numbers(column: pd.Series) -> np.ndarray:
    """Floats for cells that are plain numbers (the bulk of any file), NaN where a cell needs parsing."""
    if column.empty:
        return np.array([], dtype=float)
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        array = pa.array(column.array)
        try:  # every cell a number or empty: one cast in C++
            fast = pc.cast(pc.if_else(pc.equal(pc.utf8_trim_whitespace(array), ""), None, array), pa.float64())
            numbers = fast.to_numpy(zero_copy_only=False)
            return np.where(np.isfinite(numbers), numbers, np.nan)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
    candidates = column.where(column != "") if column.dtype == object else column
    if column.dtype == object and pd.api.types.infer_dtype(candidates, skipna=True) not in (
            "string", "floating", "integer", "mixed-integer-float"):
        # True/False cells are yes/no answers, not 1 and 0: leave them to the cell parser
        candidates = candidates.where(~candidates.map(lambda c: isinstance(c, bool)))
    fast = pd.to_numeric(candidates, errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(fast), fast, np.nan)


def check_value(cells: Cells, codes: pd.Series, row_unit: pd.Series, unit_of: Mapping[str, str]) -> Checked:
    """Parse the value cells in the catalogue unit (or the row's own unit, converted to it).

    ``values`` is a frame with ``value`` (float, NaN when not available) and ``note`` (the row's note plus
    the reason a value is missing); the notes of cells marked not available are in ``values.attrs["notes"]``.
    """
    frame = cells.frame
    column = frame["value"] if "value" in frame else pd.Series("", index=frame.index, dtype=object)
    value = _plain_numbers(column)
    note_codes, note_cells = cells.factorized("note")
    notes_col = np.array([_text(n) for n in note_cells], dtype=object)[note_codes]
    bad = np.zeros(len(value), dtype=bool)
    problems: list[Problem] = []
    notes: list[str] = []
    for i in np.flatnonzero(np.isnan(value)):  # cells that are not plain numbers: read them one by one
        own, expected = _text_or_none(row_unit.iat[i]), _text_or_none(unit_of.get(codes.iat[i]))
        parsed = _parse_cell(cells, i, column.iat[i], own or expected, expected)
        if isinstance(parsed, Problem):
            bad[i] = True
            problems.append(parsed)
        elif isinstance(parsed, float):
            value[i] = parsed
        elif parsed != "empty":
            notes_col[i] = "; ".join(x for x in [notes_col[i], parsed] if x)
            notes.append(f"row {cells.rows[i]}, {cells.column_labels[cells.column_codes[i]]}: {parsed}")
        else:
            notes_col[i] = "; ".join(x for x in [notes_col[i], "empty cell"] if x)
    # a row whose own unit differs from the catalogue's: convert (few rows; exact in Decimal)
    has_unit = row_unit.notna().to_numpy()
    for i in np.flatnonzero(has_unit & ~np.isnan(value) & ~bad):
        own, expected = row_unit.iat[i], unit_of.get(codes.iat[i])
        if expected is not None and own != expected:
            value[i] = float(units.convert(Decimal(repr(float(value[i]))), own, expected))
    out = pd.DataFrame({"value": value, "note": notes_col}, index=frame.index)
    out.attrs["notes"] = notes
    return Checked(out, bad, problems)


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _parse_cell(cells: Cells, i: int, cell: object, unit: str | None, expected: str | None) -> Problem | float | str:
    """One value cell that is not a plain number: a float, a note (why it is missing) or a problem."""
    column = cells.column_labels[cells.column_codes[i]]
    if isinstance(cell, float) and math.isnan(cell):
        cell = None
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


# --------------------------------------------------------------------------------------------- status
def check_status(cells: Cells, default_status: str) -> Checked:
    """Fold the ``status`` column (官方统计 → official); empty cells take *default_status*."""
    codes, uniques = cells.factorized("status")
    texts = [units.normalise_text(_text(u)) for u in uniques]
    status = [STATUS_ALIASES.get(t, t.lower()) if t else default_status for t in texts]
    bad = _bad_rows(codes, [s not in STATUS_VALUES for s in status])
    problems = [cells.problem(i, ValueFormatError, "unknown status", "status", texts[codes[i]],
                              f"use one of {', '.join(STATUS_VALUES)}") for i in np.flatnonzero(bad)]
    return Checked(_spread(codes, [s if s in STATUS_VALUES else None for s in status], cells.frame.index),
                   bad, problems)
