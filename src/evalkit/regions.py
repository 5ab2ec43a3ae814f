"""The national region model: every province, prefecture and county at the end of 2020, and former codes.

Two shipped tables (``data/reference``, built by ``data/reference/build_regions.py``; their provenance is in
``data/reference/PROVENANCE.md``):

* ``divisions.csv`` — every province-, prefecture- and county-level unit with its GB/T 2260 code as of the
  end of 2020 (the 13th plan's end year): zh and English name, level, parent, source;
* ``division_changes.csv`` — code changes 2015–2020 (撤县设区, renames, merges): the former code, the year,
  the code in force at the end of 2020, and whether the change is one-to-one.

Levels are the units an evaluation compares: ``province``, ``city`` (prefecture level: 地级市, 地区, 自治州, 盟)
and ``county`` (county level: 市辖区, 县级市, 县, 自治县, 旗 …). ``000000`` is the nation (a project code).
A county-level unit administered directly by its province (仙桃市 429004, 五指山市 469001) and a district of a
municipality (和平区 120101) has the province as its parent.

:func:`units_of` answers "which units does this area compare at this level", :func:`name`, :func:`level`,
:func:`parent` describe one code, and :func:`current_code` maps a former code to the one in force.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from evalkit import i18n, paths, schema
from evalkit._shared.checks import Lang, check_choice, check_lang, suggest
from evalkit._shared.codes import LEVELS, NATION, normalise_code
from evalkit.errors import ParameterError

__all__ = [
    "NOT_COMPARED",
    "Change",
    "changes",
    "check_area_level",
    "compared_units",
    "current_code",
    "divisions",
    "is_current",
    "level",
    "level_name",
    "merge_message",
    "name",
    "names",
    "parent",
    "peers",
    "reload",
    "table",
    "units_of",
]

#: Province-level units in GB/T 2260 that the national statistics this project uses do not cover
#: (Taiwan, Hong Kong, Macao): kept in the table, left out of "the nation's provinces".
NOT_COMPARED = ("710000", "810000", "820000")
_ORDER = {"nation": 0, "province": 1, "city": 2, "county": 3}


@dataclass(frozen=True)
class Change:
    """A former code and the code in force at the end of 2020.

    Attributes
    ----------
    former_code, former_name : str
        The code and name before the change.
    year : int
        The year of the change.
    code, name_zh : str
        The code in force at the end of 2020 and its name.
    change : str
        The kind of change as the Ministry's lists name it (撤县设区, 更名, 撤销 …).
    one_to_one : bool
        True when the former unit is exactly the current one (a rename or a county turned district);
        False for a merge (several units into one) or a split.
    source : str
        Where the change is recorded.
    """

    former_code: str
    former_name: str
    year: int
    code: str
    name_zh: str
    change: str
    one_to_one: bool
    source: str


@lru_cache(maxsize=1)
def divisions() -> pd.DataFrame:
    """The national division table (end of 2020), indexed by code, without the nation row."""
    path = paths.reference_tables_dir() / "divisions.csv"
    return schema.read_reference_csv("divisions", path).set_index("code", drop=False)


@lru_cache(maxsize=1)
def table() -> pd.DataFrame:
    """:func:`divisions` with the nation (``000000``) as its first row: every code :func:`name` knows."""
    nation = pd.DataFrame([{"code": NATION, "name_zh": "全国", "name_en": "China", "level": "nation", "parent": "",
                            "name_en_source": "official", "source": "evalkit project code for the nation"}])
    return pd.concat([nation, divisions()], ignore_index=True).set_index("code", drop=False)


@lru_cache(maxsize=1)
def changes() -> pd.DataFrame:
    """Code changes 2015–2020: ``former_code, former_name, year, code, name_zh, change, source, one_to_one``."""
    path = paths.reference_tables_dir() / "division_changes.csv"
    frame = schema.read_reference_csv("division_changes", path)
    return frame.astype({"year": int}).assign(one_to_one=frame["one_to_one"].astype(int).astype(bool))


def reload() -> None:
    """Forget the cached tables (after rebuilding them)."""
    for cached in (divisions, table, changes):
        cached.cache_clear()


def _known(code: object, what: str = "region") -> str:
    text = normalise_code(code, name=what)
    if text not in table().index:
        raise ParameterError(f"{what} {text!r} is not a GB/T 2260 code in force at the end of 2020"
                             + _former_hint(text) + _did_you_mean(text))
    return text


def _did_you_mean(code: str) -> str:
    """`` — did you mean 'x'?`` with the closest code in force (same leading digits, nearest value)."""
    near = schema.closest_code(code, table().index)
    return f" — did you mean {near!r} ({table().at[near, 'name_zh']})?" if near else suggest(code, table().index)


def _former_hint(code: str) -> str:
    rows = changes()[changes()["former_code"] == code]
    if rows.empty:
        return ""
    targets = ", ".join(f"{c} {n}" for c, n in zip(rows["code"], rows["name_zh"]))
    return f" (it was {rows['former_name'].iloc[0]} until {int(rows['year'].iloc[0])}; now {targets})"


def is_current(code: object) -> bool:
    """True if *code* is the nation or a unit in force at the end of 2020."""
    try:
        return normalise_code(code) in table().index
    except ParameterError:
        return False


def name(code: object, lang: Lang = "zh") -> str:
    """The name of a unit in *lang* (English: official for provinces, pinyin otherwise)."""
    check_lang(lang)
    return table().at[_known(code), f"name_{lang}"]


def names(codes, lang: Lang = "zh") -> dict[str, str]:
    """``{code: name}`` for *codes* in *lang* — labels for a table or a chart of many units."""
    check_lang(lang)
    column = f"name_{lang}"
    return {c: table().at[c, column] for c in (_known(code) for code in codes)}


def level_name(unit_level: str, lang: Lang = "zh", *, plural: bool = False) -> str:
    """The name of a level (``县级`` / ``county level``), or of its units (``county-level units``) with *plural*."""
    check_choice("level", unit_level, ("nation", *LEVELS))
    if plural and unit_level != "nation":
        return i18n.t(f"regions.units.{unit_level}", lang)
    return i18n.t(f"regions.level.{unit_level}", lang)


def peers(code: object, area: object | None = None, present=None) -> list[str]:
    """The units a unit is compared with: every unit at its level in *area* (default: its parent), itself included.

    ``peers("210102")`` are Shenyang's county-level units, ``peers("210102", "210000")`` Liaoning's, and
    ``peers("220100", "000000")`` the nation's prefecture-level units. *present* (codes, e.g. a panel's
    ``region`` column) keeps only the peers that have data.
    """
    unit = _known(code)
    unit_level = table().at[unit, "level"]
    if unit_level == "nation":
        raise ParameterError("the nation has no peers; give a province, prefecture or county code")
    within = _known(area, "area") if area is not None else (parent(unit) or NATION)
    found = units_of(within, unit_level)
    if unit not in found:
        raise ParameterError(f"region {unit} ({name(unit)}) is not inside {within} ({name(within)})")
    if present is None:
        return found
    keep = {str(c) for c in present}
    return [c for c in found if c in keep]


def compared_units(code: object, present=None) -> list[str]:
    """The units a report on *code* sets side by side: its units one level down, or else its peers.

    The nation compares its provinces, a province its prefecture-level units (its county-level units when it
    has none, as a municipality), a prefecture or county its peers (:func:`peers`: the same level, the same
    parent). *present* (codes, e.g. a panel's ``region`` column) keeps only the units that have data.

    Parameters
    ----------
    code : object
        The area or unit a report is about (6-digit code).
    present : iterable of str, optional
        Codes that have data; by default every unit is kept.

    Returns
    -------
    list of str
        Codes in code order (possibly empty when *present* has none of them).
    """
    unit = _known(code)
    unit_level = table().at[unit, "level"]
    if unit_level == "nation":
        found = units_of(unit, "province")
    elif unit_level == "province":
        found = _units_or_empty(unit, "city") or _units_or_empty(unit, "county")
    else:
        found = peers(unit)
    if present is None:
        return found
    keep = {str(c) for c in present}
    return [c for c in found if c in keep]


def _units_or_empty(area: str, unit_level: str) -> list[str]:
    try:
        return units_of(area, unit_level)
    except ParameterError:
        return []


def level(code: object) -> str:
    """``nation``, ``province``, ``city`` (prefecture level) or ``county``."""
    return table().at[_known(code), "level"]


def parent(code: object) -> str | None:
    """The unit one level up (a directly administered county's parent is its province); ``None`` for the nation."""
    value = table().at[_known(code), "parent"]
    return value or None


def check_area_level(area: object, unit_level: str) -> tuple[str, str]:
    """Check that *area* is a known code and *unit_level* a level below it; return both normalised.

    Raises :class:`ParameterError` naming the parameter, e.g. for a city compared at the city level.
    """
    check_choice("level", unit_level, LEVELS)
    code = _known(area, "region")
    area_level = table().at[code, "level"]
    if _ORDER[unit_level] <= _ORDER[area_level]:
        below = [lv for lv in LEVELS if _ORDER[lv] > _ORDER[area_level]]
        raise ParameterError(f"level {unit_level!r} is not below region {code} ({name(code)}, a {area_level}); "
                             f"choose one of {', '.join(below) or '(none: a county has no units below it)'}")
    return code, unit_level


def units_of(area: object = "210000", unit_level: str = "city") -> list[str]:
    """Codes of the units at *unit_level* inside *area*, in code order.

    A province's cities, a city's counties, a province's counties (including the county-level units it
    administers directly), the nation's provinces (31: without Taiwan, Hong Kong and Macao, see
    :data:`NOT_COMPARED`), cities or counties.

    Raises
    ------
    ParameterError
        For an unknown area, a level not below the area, or an area with no units at that level (a
        municipality such as Beijing has districts but no prefecture-level units).
    """
    code, unit_level = check_area_level(area, unit_level)
    frame = divisions()
    chosen = frame[frame["level"] == unit_level]
    area_level = table().at[code, "level"]
    if area_level == "nation":
        chosen = chosen[~chosen["code"].isin(NOT_COMPARED)]
    elif area_level == "province":
        chosen = chosen[chosen["code"].str[:2] == code[:2]]
    else:  # a prefecture-level city: its counties
        chosen = chosen[chosen["parent"] == code]
    if chosen.empty:
        raise ParameterError(f"region {code} ({name(code)}) has no {unit_level}-level units; "
                             f"compare its units at the county level instead (level='county')")
    return sorted(chosen["code"])


def current_code(code: object) -> tuple[str, Change | None]:
    """The code in force at the end of 2020 for *code*, and the change that led there (``None`` if current).

    Raises
    ------
    ParameterError
        For a code that was never in force, with a suggestion; for a former code whose unit was merged or
        split (not one-to-one), naming both codes and what to do.
    """
    text = normalise_code(code)
    if text in table().index:
        return text, None
    rows = changes()[changes()["former_code"] == text]
    if rows.empty:
        raise ParameterError(f"region {text!r} is not a GB/T 2260 code in force at the end of 2020, nor a former "
                             f"code of 2015–2020{_did_you_mean(text)}")
    change = _change(rows.iloc[0])
    if len(rows) > 1 or not change.one_to_one:
        raise ParameterError(merge_message(text, rows))
    return change.code, change


def _change(row: pd.Series) -> Change:
    return Change(former_code=row["former_code"], former_name=row["former_name"], year=int(row["year"]),
                  code=row["code"], name_zh=row["name_zh"], change=row["change"], one_to_one=bool(row["one_to_one"]),
                  source=row["source"])


def merge_message(former: str, rows: pd.DataFrame) -> str:
    """Why *former* cannot be read as one current unit, naming both codes and the fix."""
    first = rows.iloc[0]
    targets = ", ".join(f"{c} ({n})" for c, n in zip(rows["code"], rows["name_zh"]))
    table_ = changes()
    partners = table_[table_["code"].isin(rows["code"]) & (table_["former_code"] != former)]
    others = ", ".join(f"{c} ({n})" for c, n in zip(partners["former_code"], partners["former_name"]))
    return (f"former code {former} ({first['former_name']}) went into {targets} in {int(first['year'])} "
            f"({first['change']}){' together with ' + others if others else ''}: not one-to-one, so its values "
            f"cannot be carried over. Fix: add up the former units' values (counts; weight rates by population) "
            f"and enter them under {rows['code'].iloc[0]}, or leave out the years before the change")
