"""Indicator and region metadata: codes, Chinese and English names, categories, units, polarity.

The catalogue is the single place that says what an indicator code means. It is read from
``data/reference/indicators.csv`` and ``regions.csv`` (see ``data/README.md`` for their sources) and
cached per process; :func:`reload` drops the cache after the files change.

Polarity is ``+1`` when a higher value is better, ``-1`` when lower is better and ``0`` for context
series (population, recipients) that are not scored.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from evalkit import paths, schema
from evalkit._shared.checks import Lang, check_lang, suggest
from evalkit.errors import ParameterError

__all__ = [
    "NATION",
    "PROVINCE",
    "Indicator",
    "Lang",
    "assessment_indicators",
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
]

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
        return self.name_zh if lang == "zh" else self.name_en


@lru_cache(maxsize=1)
def indicators() -> pd.DataFrame:
    """The indicator catalogue, indexed by code, in catalogue order (categories in plan order)."""
    return _read("indicators").set_index("code", drop=False)


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
        raise ParameterError(f"unknown region code {code!r}{suggest(code, table.index)}")
    return table.at[code, "name_zh" if lang == "zh" else "name_en"]


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
    return rows.iloc[0]["category_zh" if lang == "zh" else "category_en"]


def unit_of(code: str) -> str:
    """The catalogue unit of an indicator."""
    return indicator(code).unit
