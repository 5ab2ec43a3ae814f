"""What is in a panel: coverage, value status, validation notes — the data audit's numbers.

Every table here is computed from the validated panel (:func:`evalkit.io.read_panel`), so the audit
shows exactly what the analyses will see.
"""
from __future__ import annotations

import pandas as pd

from evalkit import catalogue, i18n
from evalkit import regions as divisions
from evalkit._shared.checks import check_lang
from evalkit.errors import ParameterError

__all__ = [
    "coverage",
    "coverage_by_region",
    "expected_regions",
    "key_series",
    "notes_table",
    "status_table",
    "summary",
    "with_national",
]

_check_lang = check_lang


def expected_regions(region: str | None = None, level: str | None = None) -> list[str]:
    """The regions a complete panel covers: the area and its units (default: Liaoning and its 14 cities)."""
    if region is None and level is None:
        return [catalogue.PROVINCE, *catalogue.cities()]
    area, level = divisions.check_area_level(region or catalogue.PROVINCE, level or "city")
    return [area, *divisions.units_of(area, level)]


def summary(panel: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """One-column table: rows, regions, indicators, years, missing values, cells marked not available."""
    _check_lang(lang)
    years = sorted(panel["year"].unique())
    notes = panel.attrs.get("notes", [])
    digest = panel.attrs.get("sha256", "—")
    items = [
        ("rows", len(panel)),
        ("regions", panel["region"].nunique()),
        ("indicators", panel["indicator"].nunique()),
        ("years", f"{years[0]}–{years[-1]}" if years else "—"),
        ("missing", int(panel["value"].isna().sum())),
        ("not_available", len(notes)),
    ]
    if isinstance(digest, list):  # several files merged
        items += [("files", len(digest)), ("sha256", ", ".join(d[:12] for d in digest))]
    else:
        items.append(("sha256", digest[:12]))
    return pd.DataFrame({i18n.t("audit.item", lang): [i18n.t(f"audit.{key}", lang) for key, _ in items],
                         i18n.t("audit.value", lang): [str(v) for _, v in items]})


def coverage(panel: pd.DataFrame, *, regions: list[str] | None = None, lang: str = "zh") -> pd.DataFrame:
    """Share of the expected regions with a value, by indicator (rows, catalogue order) and year (columns)."""
    _check_lang(lang)
    regions = regions or expected_regions()
    have = panel[panel["value"].notna() & panel["region"].isin(regions)]
    counts = have.groupby(["indicator", "year"]).size().unstack("year", fill_value=0)
    order = [c for c in catalogue.indicators().index if c in counts.index]
    share = (counts.loc[order] / len(regions)).fillna(0.0)
    share.index = [catalogue.indicator_name(c, lang) for c in share.index]
    share.columns = [int(c) for c in share.columns]
    return share


def coverage_by_region(panel: pd.DataFrame, *, regions: list[str] | None = None, lang: str = "zh") -> pd.DataFrame:
    """Share of assessment indicator-years with a value, by region (rows) and category (columns).

    *regions* are the rows (default :func:`expected_regions`: Liaoning and its cities).
    """
    _check_lang(lang)
    ind = catalogue.indicators()
    assessed = ind.index[ind["in_assessment"]]
    years = sorted(panel["year"].unique())
    have = panel[panel["value"].notna() & panel["indicator"].isin(assessed)]
    have = have.assign(category=have["indicator"].map(ind["category"]))
    per_cat = ind[ind["in_assessment"]].groupby("category", sort=False).size() * len(years)
    counts = have.groupby(["region", "category"]).size().unstack("category", fill_value=0)
    counts = counts.reindex(index=regions or expected_regions(), columns=per_cat.index, fill_value=0)
    share = counts / per_cat
    share.index = [catalogue.region_name(r, lang) for r in share.index]
    share.columns = [catalogue.category_name(c, lang) for c in share.columns]
    return share


def status_table(panel: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """Number and share of non-missing values by status."""
    _check_lang(lang)
    values = panel[panel["value"].notna()]
    counts = values["status"].value_counts()
    words = i18n.labels("audit.status", lang)
    return pd.DataFrame({
        i18n.t("audit.column.status", lang): [words.get(s, s) for s in counts.index],
        i18n.t("audit.column.values", lang): counts.to_numpy(),
        i18n.t("audit.column.share", lang): (counts / counts.sum()).to_numpy(),
    })


def notes_table(panel: pd.DataFrame, *, lang: str = "zh", source_note: bool = False) -> pd.DataFrame:
    """Rows that carry a note (cells marked not available, real figures' caveats), with region and indicator names.

    Parameters
    ----------
    panel : pandas.DataFrame
        The validated panel.
    lang : {"zh", "en"}
        Language of headers, names and status words.
    source_note : bool
        Whether to add the note itself. A note is the data file's own text, in whatever language its
        author wrote it (the sample panel's are English, some with Chinese place names), so it is not
        translated: it goes under a heading that says so (``audit.column.source_note``). A report page in
        one language leaves it out (``False``, the default) and puts the table with the notes in its Excel
        export.

    Returns
    -------
    pandas.DataFrame
        Region, indicator, year, status (in *lang*) and, with ``source_note``, the note as written.
    """
    _check_lang(lang)
    if not isinstance(source_note, bool):
        raise ParameterError(f"source_note={source_note!r} must be True or False")
    rows = panel[panel["note"].fillna("") != ""]
    words = i18n.labels("audit.status", lang)
    column = i18n.labels("audit.column", lang)
    out = pd.DataFrame({
        column["region"]: [catalogue.region_name(r, lang) for r in rows["region"]],
        column["indicator"]: [catalogue.indicator_name(i, lang) for i in rows["indicator"]],
        column["year"]: rows["year"].to_numpy(),
        column["status"]: [words.get(s, s) for s in rows["status"]],
    })
    if source_note:
        out[column["source_note"]] = rows["note"].to_numpy()
    return out


def key_series(panel: pd.DataFrame, indicator: str, *, regions: list[str] | None = None,
               lang: str = "zh") -> pd.DataFrame:
    """One indicator for the given regions (default: province and nation), with region names."""
    _check_lang(lang)
    catalogue.indicator(indicator)  # clear error for an unknown code
    regions = regions or [catalogue.PROVINCE, catalogue.NATION]
    part = panel[(panel["indicator"] == indicator) & panel["region"].isin(regions) & panel["value"].notna()]
    return part.assign(name=[catalogue.region_name(r, lang) for r in part["region"]])


def with_national(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel plus the real national series shipped in ``data/reference`` (region ``000000``)."""
    from evalkit.io import read_reference

    national = read_reference("national_series")
    own = panel[panel["region"] != catalogue.NATION]
    return pd.concat([own, national], ignore_index=True)
