"""Hand-made panels, target tables and catalogues for the tests of :mod:`evalkit.targets` and its charts."""
from __future__ import annotations

import pandas as pd

from evalkit import targets as T

R = "210000"
TARGET_COLUMNS = ["plan", "indicator", "name_zh", "region", "baseline_year", "baseline", "target_year",
                  "target", "target_type", "target_low", "target_high", "binding", "source"]


def panel_of(series: dict[str, dict[int, float]], region: str = R) -> pd.DataFrame:
    """A tidy panel of one region from ``{indicator: {year: value}}``."""
    return pd.DataFrame([
        {"region": region, "year": y, "indicator": code, "value": v, "source": f"hand {code}",
         "status": "illustrative"}
        for code, values in series.items() for y, v in values.items()])


def trow(indicator, target_type, target=None, *, low=None, high=None, baseline_year=2015,
         target_year=2020, region="*", baseline=None, plan="13th", name_zh=None, binding="预期性"):
    """One row of a targets table."""
    return {"plan": plan, "indicator": indicator, "name_zh": name_zh or indicator, "region": region,
            "baseline_year": baseline_year, "baseline": baseline, "target_year": target_year,
            "target": target, "target_type": target_type, "target_low": low, "target_high": high,
            "binding": binding, "source": "hand-made target"}


def targets_of(*rows) -> pd.DataFrame:
    """A targets table from :func:`trow` rows."""
    return pd.DataFrame(list(rows), columns=TARGET_COLUMNS)


def meta_of(**polarity: int) -> pd.DataFrame:
    """An indicator catalogue: every indicator in category 养老服务 / Elderly care, unit 张, with its polarity."""
    return pd.DataFrame([
        {"code": code, "name_zh": f"指标{code}", "name_en": f"Indicator {code}", "category": "care",
         "category_zh": "养老服务", "category_en": "Elderly care", "unit": "张", "polarity": p,
         "in_assessment": True}
        for code, p in polarity.items()])


def one(panel, targets, **kw) -> dict:
    """The single row of an assessment of region :data:`R`."""
    kw.setdefault("region", R)
    out = T.assess(panel, targets, **kw)
    assert len(out) == 1, out
    return out.iloc[0].to_dict()


def case_a(**kw) -> pd.DataFrame:
    """x 100 → 121 (2015–2017) against ≥ 133.1 in 2018, and a plan target without a series (≤ 1.3)."""
    panel = panel_of({"x": {2015: 100.0, 2016: 110.0, 2017: 121.0}})
    targets = targets_of(trow("x", "at_least", 133.1, target_year=2018),
                         trow(None, "at_most", 1.3, name_zh="因灾损失占比"))
    return T.assess(panel, targets, region=R, end_year=2017, meta=meta_of(x=1), national=None, **kw)
