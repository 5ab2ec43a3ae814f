"""What is in a panel: coverage, value status, validation notes — the data audit's numbers.

Every table here is computed from the validated panel (:func:`evalkit.io.read_panel`), so the audit
shows exactly what the analyses will see.
"""
from __future__ import annotations

import pandas as pd

from evalkit import catalogue
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

_STATUS_ZH = {"official": "官方统计", "reported": "公开报道", "derived": "推算", "illustrative": "示例（生成）"}


def _check_lang(lang: str) -> None:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")


def expected_regions() -> list[str]:
    """The province and its 14 cities: the regions a complete panel covers."""
    return [catalogue.PROVINCE, *catalogue.cities()]


def summary(panel: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """One-column table: rows, regions, indicators, years, missing values, cells marked not available."""
    _check_lang(lang)
    years = sorted(panel["year"].unique())
    notes = panel.attrs.get("notes", [])
    items = [
        ("观测值行数", "rows", len(panel)),
        ("地区数", "regions", panel["region"].nunique()),
        ("指标数", "indicators", panel["indicator"].nunique()),
        ("年份范围", "years", f"{years[0]}–{years[-1]}" if years else "—"),
        ("缺失值", "missing values", int(panel["value"].isna().sum())),
        ("标注为“不详”的单元格", "cells marked not available", len(notes)),
        ("文件 SHA-256（前12位）", "file SHA-256 (first 12)", panel.attrs.get("sha256", "—")[:12]),
    ]
    col = "项目" if lang == "zh" else "item"
    return pd.DataFrame({col: [zh if lang == "zh" else en for zh, en, _ in items],
                         ("数值" if lang == "zh" else "value"): [str(v) for *_, v in items]})


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


def coverage_by_region(panel: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """Share of assessment indicator-years with a value, by region (rows) and category (columns)."""
    _check_lang(lang)
    ind = catalogue.indicators()
    assessed = ind.index[ind["in_assessment"]]
    years = sorted(panel["year"].unique())
    have = panel[panel["value"].notna() & panel["indicator"].isin(assessed)]
    have = have.assign(category=have["indicator"].map(ind["category"]))
    per_cat = ind[ind["in_assessment"]].groupby("category", sort=False).size() * len(years)
    counts = have.groupby(["region", "category"]).size().unstack("category", fill_value=0)
    counts = counts.reindex(index=expected_regions(), columns=per_cat.index, fill_value=0)
    share = counts / per_cat
    share.index = [catalogue.region_name(r, lang) for r in share.index]
    share.columns = [catalogue.category_name(c, lang) for c in share.columns]
    return share


def status_table(panel: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """Number and share of non-missing values by status."""
    _check_lang(lang)
    values = panel[panel["value"].notna()]
    counts = values["status"].value_counts()
    out = pd.DataFrame({"status": counts.index, "n": counts.to_numpy(), "share": (counts / counts.sum()).to_numpy()})
    if lang == "zh":
        out["status"] = out["status"].map(lambda s: _STATUS_ZH.get(s, s))
        out.columns = ["数据性质", "数值个数", "占比"]
    else:
        out.columns = ["status", "values", "share"]
    return out


def notes_table(panel: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """Rows that carry a note (cells marked not available, real figures' caveats), with region and indicator names."""
    _check_lang(lang)
    rows = panel[panel["note"].fillna("") != ""]
    out = pd.DataFrame({
        "region": [catalogue.region_name(r, lang) for r in rows["region"]],
        "indicator": [catalogue.indicator_name(i, lang) for i in rows["indicator"]],
        "year": rows["year"].to_numpy(),
        "status": rows["status"].to_numpy(),
        "note": rows["note"].to_numpy(),
    })
    if lang == "zh":
        out.columns = ["地区", "指标", "年份", "数据性质", "备注"]
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
