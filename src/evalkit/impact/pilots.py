"""From the pilot list and the panel to a DiD sample, with unknown pilot status handled explicitly.

The central home-and-community elderly-care reform pilot entered Liaoning cities in batches. Only some
cities' batch years are confirmed (``data/reference/pilots.csv``); for the others it is not known whether,
or when, they joined. :func:`pilot_cohorts` makes that explicit and :func:`did_sample` builds the
estimation frame, recording every choice in ``notes`` so a report can say what was done.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit import i18n
from evalkit._shared.checks import LANGS, Lang, check_choice, check_lang
from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._panel import require_columns
from evalkit.impact._types import CONTROLS, UNKNOWNS, Control, Unknown

__all__ = ["DiDSample", "did_sample", "pilot_cohorts"]


def pilot_cohorts(pilots: pd.DataFrame, regions: pd.DataFrame, *, programme: str,
                  unknown: Unknown = "exclude", level: str = "city") -> pd.DataFrame:
    """Adoption cohort of every unit (city or county): confirmed batch year, never, or unknown.

    Parameters
    ----------
    pilots : DataFrame
        The ``pilots`` reference table (``region``, ``programme``, ``year``, ``status``).
    regions : DataFrame
        The units (``code``, ``name_zh``, ``name_en``, ``level``): the ``regions`` reference table (Liaoning's
        cities), or ``evalkit.regions.divisions().loc[evalkit.regions.units_of(area, level)]`` for any area; its
        rows at *level* are the units.
    programme : str
        Programme code in ``pilots``.
    unknown : {"exclude", "never"}
        Cities without a confirmed batch year — listed pilots whose year is unknown, and unlisted cities
        (which may have joined in an early batch that the list does not cover): ``exclude`` drops them;
        ``never`` keeps them as comparison units (cohort 0).
    level : {"city", "county"}
        The level of the units compared: city pilots, or county pilots (a pilot listed under a county code).

    Returns
    -------
    DataFrame
        ``region``, ``name_zh``, ``name_en``, ``cohort`` (year; 0 = comparison; NaN = excluded),
        ``pilot_status`` (``confirmed``, ``listed_year_unknown``, ``not_listed``), ``included``.
    """
    check_choice("unknown", unknown, UNKNOWNS)
    require_columns(pilots, region="region", programme="programme", year="year")
    require_columns(regions, region="code", level="level")
    rows = pilots[pilots["programme"] == programme]
    if rows.empty:
        known = ", ".join(sorted(pilots["programme"].unique()))
        raise ParameterError(f"programme={programme!r} is not in the pilot table; programmes are {known}")
    check_choice("level", level, ("province", "city", "county"))
    cities = regions[regions["level"] == level][["code", "name_zh", "name_en"]].rename(columns={"code": "region"})
    if not cities["region"].isin(rows["region"]).any():
        raise ParameterError(f"no {level}-level unit of the {len(cities)} given is listed in the pilot table for "
                             f"programme {programme!r} (it lists {', '.join(sorted(map(str, rows['region'])))}); "
                             "choose the area and level of the listed pilots (e.g. region='210000', level='city') "
                             "or add the pilots to data/reference/pilots.csv")
    year = pd.to_numeric(rows.set_index("region")["year"], errors="coerce")
    out = cities.copy()
    out["listed"] = out["region"].isin(rows["region"])
    out["year"] = out["region"].map(year)
    out["pilot_status"] = np.select([out["year"].notna(), out["listed"]],
                                    ["confirmed", "listed_year_unknown"], "not_listed")
    out["included"] = (out["pilot_status"] == "confirmed") | (unknown == "never")
    out["cohort"] = np.where(out["pilot_status"] == "confirmed", out["year"],
                             np.where(out["included"], 0.0, np.nan))
    return out[["region", "name_zh", "name_en", "cohort", "pilot_status", "included"]].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class DiDSample:
    """Estimation frame (``region``, ``year``, ``cohort``, ``value``) and what was done to build it."""

    data: pd.DataFrame
    cohorts: pd.DataFrame
    notes_zh: tuple[str, ...]
    notes_en: tuple[str, ...]
    illustrative: bool

    def notes(self, lang: Lang = "zh") -> tuple[str, ...]:
        """What was done to build the sample, in *lang*."""
        return {"zh": self.notes_zh, "en": self.notes_en}[check_lang(lang)]


def _both(key: str, **fields: object) -> dict[str, str]:
    """A catalogue message in every language."""
    return {lang: i18n.t(key, lang, **fields) for lang in LANGS}


def did_sample(panel: pd.DataFrame, cohorts: pd.DataFrame, *, indicator: str,
               control: Control = "notyet") -> DiDSample:
    """Rows of one indicator for the included cities, with their cohorts, ready for ``att_gt``.

    Without never-treated cities and ``control="notyet"``, the last cohort can only serve as a
    comparison: it is recoded to 0 and periods from its adoption year on are dropped (as R ``did``
    does). Without never-treated cities and ``control="never"`` there is nothing to compare with, and a
    :class:`DataShapeError` says so.
    """
    check_choice("control", control, CONTROLS)
    require_columns(panel, region="region", year="year", indicator="indicator", value="value")
    rows = panel[(panel["indicator"] == indicator) & panel["region"].isin(cohorts.loc[cohorts["included"], "region"])]
    if rows.empty:
        raise DataShapeError(f"the panel has no values of indicator {indicator!r} for the cities in the sample — "
                             "fix: choose another outcome or add the data")
    keep = cohorts[cohorts["included"]].set_index("region")["cohort"]
    data = rows[["region", "year", "value"]].assign(cohort=rows["region"].map(keep).astype(float))
    data = data.dropna(subset=["value"]).sort_values(["region", "year"]).reset_index(drop=True)
    excluded = cohorts[~cohorts["included"]]
    notes: list[dict[str, str]] = []
    if len(excluded):
        names = {"zh": "、".join(excluded["name_zh"]), "en": ", ".join(excluded["name_en"])}
        notes.append({lang: i18n.t("impact.note.unknown_excluded", lang, n=len(excluded), names=names[lang])
                      for lang in LANGS})
    unknown_kept = cohorts[cohorts["included"] & (cohorts["pilot_status"] != "confirmed")]
    if len(unknown_kept):
        notes.append(_both("impact.note.unknown_as_never", n=len(unknown_kept)))
    if not (data["cohort"] == 0).any():
        if control == "never":
            raise DataShapeError(
                "no never-treated cities are left in the sample, so control='never' has no comparison group — "
                "fix: use control='notyet', or unknown='never' to keep cities of unknown status as comparisons"
            )
        last = data["cohort"].max()
        data = data[data["year"] < last].copy()
        data.loc[data["cohort"] == last, "cohort"] = 0.0
        notes.append(_both("impact.note.last_cohort_comparison", year=int(last)))
    illustrative = bool((rows["status"] == "illustrative").any()) if "status" in rows else False
    return DiDSample(data=data.reset_index(drop=True), cohorts=cohorts, notes_zh=tuple(n["zh"] for n in notes),
                     notes_en=tuple(n["en"] for n in notes), illustrative=illustrative)
