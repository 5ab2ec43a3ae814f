"""Indicator and region metadata: codes, Chinese and English names, categories, units, polarity.

The catalogue is the single place that says what an indicator code means. It is read from
``data/reference/indicators.csv`` and ``regions.csv`` (see ``data/README.md`` for their sources) and
cached per process; :func:`reload` drops the cache after the files change.

**A project's own catalogue.** Provinces assess different 11类24项 sets. A project file with the columns of
``indicators.csv`` — ``data/catalogue.csv`` if it exists, or the file named by :func:`use` or the environment
variable ``EVALKIT_CATALOGUE`` — *extends* the built-in catalogue (a row with a built-in code replaces that
indicator, a new code is added) or, with ``mode="replace"`` (``EVALKIT_CATALOGUE_MODE=replace``), *replaces*
it. Validation, templates, the sample and everything that calls :func:`indicators` follow it.

Regions: :func:`regions` is the project's own table (the nation, Liaoning and its 14 cities, with
populations); every other GB/T 2260 unit is in :mod:`evalkit.regions`, and :func:`region_name` knows both.

Polarity is ``+1`` when a higher value is better, ``-1`` when lower is better and ``0`` for context
series (population, recipients) that are not scored.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from evalkit import paths, schema
from evalkit import regions as _divisions
from evalkit._shared.checks import Lang, check_lang, suggest
from evalkit.errors import ParameterError

__all__ = [
    "CATALOGUE_MODES",
    "NATION",
    "PROVINCE",
    "Indicator",
    "Lang",
    "assessment_indicators",
    "catalogue_source",
    "categories",
    "category_name",
    "cities",
    "indicator",
    "indicator_name",
    "indicators",
    "region_name",
    "regions",
    "reload",
    "suggest",
    "unit_of",
    "use",
]

#: how a project catalogue combines with the built-in one
CATALOGUE_MODES = ("extend", "replace")
_PROJECT: dict[str, object] = {}

PROVINCE = "210000"
NATION = "000000"


@dataclass(frozen=True)
class Indicator:
    """One indicator's catalogue entry (a row of ``indicators.csv``)."""

    code: str
    name_zh: str
    name_en: str
    category: str
    category_zh: str
    category_en: str
    unit: str
    polarity: int
    kind: str
    in_assessment: bool
    denominator: str | None
    decimals: int
    keywords_zh: tuple[str, ...]
    description: str

    def name(self, lang: Lang = "zh") -> str:
        """The indicator's name in *lang*."""
        return getattr(self, f"name_{lang}")


@lru_cache(maxsize=1)
def indicators() -> pd.DataFrame:
    """The indicator catalogue, indexed by code, in catalogue order (categories in plan order).

    The built-in catalogue, extended or replaced by the project catalogue (see the module docstring).
    """
    built_in = _read("indicators")
    path, mode = _project_catalogue()
    if path is None:
        return built_in.set_index("code", drop=False)
    project = _read_project(path)
    if mode == "replace":
        table = project
    else:
        replaced = built_in["code"].isin(project["code"])
        kept = built_in[~replaced]
        # a replaced row keeps its place; new rows follow their category's last row, new categories at the end
        table = pd.concat([kept, project], ignore_index=True)
        order = {c: i for i, c in enumerate(dict.fromkeys([*built_in["category"], *project["category"]]))}
        position = {c: i for i, c in enumerate([*built_in["code"], *project["code"]])}
        table = table.assign(_cat=table["category"].map(order), _pos=table["code"].map(position))
        table = table.sort_values(["_cat", "_pos"], kind="stable").drop(columns=["_cat", "_pos"])
    return table.reset_index(drop=True).set_index("code", drop=False)


def use(path: str | os.PathLike | None, *, mode: str = "extend") -> None:
    """Use the project catalogue at *path* (``None``: back to ``data/catalogue.csv`` or the built-in one).

    Parameters
    ----------
    path
        A CSV file with the columns of ``data/reference/indicators.csv``.
    mode
        ``"extend"`` (add and override indicators) or ``"replace"`` (only the project's indicators).

    Raises
    ------
    ParameterError
        For a mode other than ``extend``/``replace`` or a file that does not exist.
    ColumnError
        For a file without the catalogue's columns (naming the file and the columns).
    """
    if mode not in CATALOGUE_MODES:
        raise ParameterError(f"mode must be one of {', '.join(CATALOGUE_MODES)}, got {mode!r}"
                             + suggest(mode, CATALOGUE_MODES))
    if path is None:
        _PROJECT.clear()
    else:
        resolved = paths.resolve(path)
        if not resolved.is_file():
            raise ParameterError(f"catalogue file not found: {resolved}; give the path of a CSV file with the "
                                 "columns of data/reference/indicators.csv")
        _read_project(resolved)  # check it now, not at first use
        _PROJECT.update(path=resolved, mode=mode)
    reload()


def _project_catalogue() -> tuple[Path | None, str]:
    if _PROJECT:
        return _PROJECT["path"], _PROJECT["mode"]  # type: ignore[return-value]
    mode = os.environ.get("EVALKIT_CATALOGUE_MODE", "extend")
    if mode not in CATALOGUE_MODES:
        raise ParameterError(f"EVALKIT_CATALOGUE_MODE must be one of {', '.join(CATALOGUE_MODES)}, got {mode!r}")
    env = os.environ.get("EVALKIT_CATALOGUE")
    if env:
        return paths.resolve(env), mode
    default = paths.data_dir() / "catalogue.csv"
    return (default, mode) if default.is_file() else (None, mode)


def catalogue_source() -> str:
    """Where the indicator catalogue comes from: ``built-in`` or ``<mode> <path>`` of the project file."""
    path, mode = _project_catalogue()
    return "built-in" if path is None else f"{mode} {path}"


def _read_project(path: Path) -> pd.DataFrame:
    """A project catalogue: the contract of ``indicators.csv``, unique codes, valid polarity and flags."""
    from evalkit.errors import ColumnError, Problem

    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    schema.check_reference("indicators", table, path=str(path))
    problems = []
    for i, row in table.iterrows():
        line = int(i) + 2
        for column, allowed in (("polarity", {"-1", "0", "1"}), ("in_assessment", {"0", "1"})):
            if row[column].strip() not in allowed:
                problems.append(Problem(f"{column} must be one of {', '.join(sorted(allowed))}", file=str(path),
                                        row=line, column=column, value=row[column], fix="correct the cell"))
        if not row["decimals"].strip().isdigit():
            problems.append(Problem("decimals must be a whole number", file=str(path), row=line, column="decimals",
                                    value=row["decimals"], fix="write e.g. 1"))
        if not row["code"].strip():
            problems.append(Problem("no indicator code", file=str(path), row=line, column="code",
                                    fix="give every indicator a code (letters, digits, _)"))
    duplicated = table["code"][table["code"].duplicated()]
    problems += [Problem(f"indicator code {code!r} appears twice", file=str(path), column="code", value=code,
                         fix="keep one row per indicator") for code in duplicated]
    if problems:
        raise ColumnError(problems, path=str(path))
    return schema.type_reference("indicators", table)


@lru_cache(maxsize=1)
def regions() -> pd.DataFrame:
    """Regions (nation, province, 14 cities), indexed by code."""
    return _read("regions").set_index("code", drop=False)


def reload() -> None:
    """Forget cached catalogue tables (after editing ``data/reference``)."""
    indicators.cache_clear()
    regions.cache_clear()


def _read(name: str) -> pd.DataFrame:
    """A catalogue table from ``data/reference/<name>.csv``, checked against its contract."""
    return schema.read_reference_csv(name, paths.reference_tables_dir() / f"{name}.csv")


def indicator(code: str) -> Indicator:
    """Metadata of one indicator; :class:`ParameterError` with a suggestion for an unknown code."""
    table = indicators()
    if code not in table.index:
        raise ParameterError(
            f"unknown indicator {code!r}{suggest(code, table.index)}; "
            "see data/reference/indicators.csv for the codes"
        )
    row = table.loc[code]
    return Indicator(
        code=row["code"], name_zh=row["name_zh"], name_en=row["name_en"], category=row["category"],
        category_zh=row["category_zh"], category_en=row["category_en"], unit=row["unit"],
        polarity=int(row["polarity"]), kind=row["kind"], in_assessment=bool(row["in_assessment"]),
        denominator=row["denominator"] or None, decimals=int(row["decimals"]),
        keywords_zh=tuple(k for k in str(row["keywords_zh"]).split(";") if k),
        description=row["description"],
    )


def categories(*, include_context: bool = False) -> pd.DataFrame:
    """Categories in plan order: code, name_zh, name_en, n_indicators."""
    table = indicators()
    if not include_context:
        table = table[table["in_assessment"]]
    grouped = table.groupby("category", sort=False)
    return pd.DataFrame({
        "code": list(grouped.groups),
        "name_zh": grouped["category_zh"].first().to_list(),
        "name_en": grouped["category_en"].first().to_list(),
        "n_indicators": grouped.size().to_list(),
    })


def assessment_indicators() -> list[str]:
    """Codes of the indicators in the cities' comprehensive assessment (11 categories, 24 items)."""
    table = indicators()
    return table.index[table["in_assessment"]].to_list()


def cities() -> list[str]:
    """Codes of the 14 prefecture-level cities, in code order."""
    table = regions()
    return sorted(table.index[table["level"] == "city"])


def region_name(code: str | int, lang: Lang = "zh") -> str:
    """The name of a region in *lang*; :class:`ParameterError` with a suggestion for an unknown code."""
    check_lang(lang)
    code = str(code)  # YAML or papermill may hand over 210100 as a number
    table = regions()
    if code not in table.index:
        if _divisions.is_current(code):
            return _divisions.name(code, lang)
        raise ParameterError(f"unknown region code {code!r}{suggest(code, table.index)}")
    return table.at[code, f"name_{lang}"]


def indicator_name(code: str, lang: Lang = "zh") -> str:
    """The name of an indicator in *lang*."""
    check_lang(lang)
    return indicator(code).name(lang)


def category_name(category: str, lang: Lang = "zh") -> str:
    """The name of a category in *lang*."""
    check_lang(lang)
    table = indicators()
    rows = table[table["category"] == category]
    if rows.empty:
        raise ParameterError(f"unknown category {category!r}{suggest(category, table['category'].unique())}")
    return rows.iloc[0][f"category_{lang}"]


def unit_of(code: str) -> str:
    """The catalogue unit of an indicator."""
    return indicator(code).unit
