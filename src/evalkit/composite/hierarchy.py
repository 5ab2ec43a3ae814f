"""Index structure for :mod:`evalkit.composite`: read and check the metadata table (COINr's iMeta).

The metadata has one row per indicator and per aggregate: ``code``, ``level`` (1 = indicator, the
highest level = the index), ``parent`` (the code one level up), ``direction`` (+1 higher is better,
-1 lower is better), ``weight`` (relative weight inside the parent group), and optionally
``denominator``, ``scale_factor``, ``target`` and display names (``name``, ``name_zh``, ``name_en``).
COINr's spellings (``iCode``, ``Level``, ``Parent``, ``Direction``, ``Weight``, ``Denominator``,
``ScaleFactor``, ``Target``, ``iName``, ``Type``) are accepted. Rows without a level (COINr's group and
denominator rows) are not part of the hierarchy and are ignored.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from evalkit.errors import DataShapeError, ParameterError

__all__ = ["Hierarchy", "parse_meta", "resolve_unit"]

_ALIASES = {
    "icode": "code", "code": "code", "level": "level", "parent": "parent", "direction": "direction",
    "weight": "weight", "denominator": "denominator", "scalefactor": "scale_factor",
    "scale_factor": "scale_factor", "target": "target", "type": "type", "iname": "name", "name": "name",
    "name_zh": "name_zh", "name_en": "name_en",
}
_REQUIRED = ("code", "level", "parent")


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """A checked index structure. ``table`` is indexed by code, in metadata order within each level."""

    table: pd.DataFrame
    codes: tuple[tuple[str, ...], ...]

    @property
    def n_levels(self) -> int:
        """Number of levels (1 = indicators, the last = the index)."""
        return len(self.codes)

    @property
    def top(self) -> str:
        """Code of the index."""
        return self.codes[-1][0]

    @property
    def indicators(self) -> tuple[str, ...]:
        """Codes of the indicators (level 1), in metadata order."""
        return self.codes[0]

    @property
    def aggregates(self) -> tuple[str, ...]:
        """Aggregate codes from the index down to the first aggregation level."""
        return tuple(code for level in reversed(self.codes[1:]) for code in level)

    def level_of(self, code: str) -> int:
        """Level of *code*."""
        return int(self.table.at[code, "level"])

    def children(self, code: str) -> list[str]:
        """Codes whose parent is *code*, in metadata order."""
        return list(self.table.index[self.table["parent"] == code])

    @cached_property
    def _memberships(self) -> tuple[np.ndarray, ...]:
        out = []
        for lower, upper in zip(self.codes[:-1], self.codes[1:]):
            position = {code: j for j, code in enumerate(upper)}
            m = np.zeros((len(lower), len(upper)))
            for i, code in enumerate(lower):
                m[i, position[self.table.at[code, "parent"]]] = 1.0
            out.append(m)
        return tuple(out)

    def membership(self, level: int) -> np.ndarray:
        """0/1 matrix (codes at ``level``) × (codes at ``level + 1``): child *i* belongs to parent *j*."""
        return self._memberships[level - 1]

    def names(self, lang: str = "en") -> dict[str, str]:
        """Display name of every code: ``name_<lang>``, else ``name``, else the code itself."""
        out = {}
        for code in self.table.index:
            label = code
            for column in (f"name_{lang}", "name"):
                if column in self.table.columns and isinstance(self.table.at[code, column], str):
                    label = self.table.at[code, column]
                    break
            out[code] = label
        return out


def _tree_problems(table: pd.DataFrame, levels: list[int], codes: tuple[tuple[str, ...], ...]) -> list[str]:
    """Parents that are not one level up, and aggregates without children."""
    problems = []
    for lev, level_codes in zip(levels[:-1], codes[:-1]):
        allowed = set(codes[lev])
        for code in level_codes:
            parent = table.at[code, "parent"]
            if parent not in allowed:
                problems.append(f"{code!r} (level {lev}) has parent {parent!r}, which is not a level-{lev + 1} code")
    for lev, level_codes in zip(levels[1:], codes[1:]):
        for code in level_codes:
            if not (table["parent"] == code).any():
                problems.append(f"aggregate {code!r} (level {lev}) has no children")
    return problems


def parse_meta(meta: pd.DataFrame) -> Hierarchy:
    """Check *meta* and return the :class:`Hierarchy` it describes.

    Raises
    ------
    ParameterError
        *meta* is not a DataFrame or lacks a required column.
    DataShapeError
        The rows do not form a single tree (duplicate codes, unknown parents, gaps between levels,
        more than one top code, aggregates without children, directions other than ±1).
    """
    if not isinstance(meta, pd.DataFrame):
        raise ParameterError(f"meta must be a pandas DataFrame (COINr iMeta form), got {type(meta).__name__}")
    renamed = {c: _ALIASES[str(c).lower()] for c in meta.columns if str(c).lower() in _ALIASES}
    table = meta.rename(columns=renamed)
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise ParameterError(
            f"meta lacks column(s) {missing}; expected code (or iCode), level, parent, and optionally "
            "direction, weight, denominator, target — fix: add the columns to the metadata table"
        )
    table = table[pd.to_numeric(table["level"], errors="coerce").notna()].copy()
    if table.empty:
        raise DataShapeError("meta has no rows with a level; give every indicator level 1 and each aggregate its level")
    table["code"] = table["code"].astype(str)
    duplicated = table["code"][table["code"].duplicated()].unique().tolist()
    if duplicated:
        raise DataShapeError(f"meta has duplicate codes {duplicated}; each indicator/aggregate code must appear once")
    table["level"] = pd.to_numeric(table["level"]).astype(int)
    table["parent"] = table["parent"].where(table["parent"].notna(), None)
    table["parent"] = [None if p is None or str(p).strip() == "" else str(p) for p in table["parent"]]
    for column, default in (("direction", 1.0), ("weight", 1.0)):
        values = pd.to_numeric(table[column], errors="coerce") if column in table.columns else None
        table[column] = default if values is None else values.fillna(default)
    bad_direction = table.loc[~table["direction"].isin([1.0, -1.0]), "code"].tolist()
    if bad_direction:
        raise DataShapeError(f"meta direction must be 1 or -1; codes {bad_direction} have other values")
    table = table.set_index("code", drop=False)

    levels = sorted(table["level"].unique())
    if levels != list(range(1, len(levels) + 1)):
        raise DataShapeError(
            f"meta levels must run 1, 2, …, L without gaps (1 = indicators); found {levels}"
        )
    if len(levels) < 2:
        raise DataShapeError("meta needs at least two levels: indicators (level 1) and an index above them")
    codes = tuple(tuple(table.index[table["level"] == lev]) for lev in levels)
    if len(codes[-1]) != 1:
        raise DataShapeError(
            f"meta must have exactly one code at the top level {levels[-1]} (the index); found {list(codes[-1])}"
        )
    problems = _tree_problems(table, levels, codes)
    if problems:
        raise DataShapeError("meta does not describe a single tree: " + "; ".join(problems))
    return Hierarchy(table=table, codes=codes)


def resolve_unit(data: pd.DataFrame, unit: str | None) -> str:
    """The unit-code column of *data*: *unit*, else ``uCode`` or ``region`` when present."""
    if not isinstance(data, pd.DataFrame):
        raise ParameterError("data must be a pandas DataFrame (unit × indicator, COINr iData form), "
                             f"got {type(data).__name__}")
    if unit is None:
        found = [c for c in ("uCode", "region") if c in data.columns]
        if not found:
            raise ParameterError(
                "data has no 'uCode' or 'region' column; pass unit=<name of the unit-code column>"
            )
        unit = found[0]
    if unit not in data.columns:
        raise ParameterError(f"unit column {unit!r} not in data columns {list(data.columns)[:12]}")
    codes = data[unit].astype(str)
    duplicated = codes[codes.duplicated()].unique().tolist()
    if duplicated:
        raise DataShapeError(f"data has more than one row for unit(s) {duplicated[:10]} in column {unit!r}; "
                             "keep one row per unit")
    return unit
