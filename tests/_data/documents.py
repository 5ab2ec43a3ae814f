"""Small results in the shapes evalkit's functions return, for the Word-draft and map tests (illustrative)."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

CITIES = ["210100", "210200", "210300", "210400", "210500", "210600", "210700", "210800", "210900", "211000",
          "211100", "211200", "211300", "211400"]
CITY_NAMES = ["沈阳市", "大连市", "鞍山市", "抚顺市", "本溪市", "丹东市", "锦州市", "营口市", "阜新市", "辽阳市",
              "盘锦市", "铁岭市", "朝阳市", "葫芦岛市"]


def assessment() -> pd.DataFrame:
    """Rows as `targets.assess` returns them: met, nearly met, not met, no target, not assessable."""
    rows = [
        ("tekun_centralised_rate", "生活不能自理特困人员集中供养率", "social_assistance", "社会救助",
         "Social assistance", "%", 36.0, 47.0, 50.0, 0.94, "基本完成"),
        ("nursing_bed_share", "护理型床位占比", "elderly_care", "养老服务", "Elderly care", "%", 27.0, 46.1, 30.0,
         1.5367, "完成"),
        ("beds_per_1000_elderly", "每千名老年人口拥有养老床位数", "elderly_care", "养老服务", "Elderly care", "张",
         25.5, 28.3, 35.0, 0.8086, "未完成"),
        ("volunteer_rate", "注册志愿者占常住人口比例", "social_work_volunteering", "社会工作、志愿服务和慈善",
         "Social work, volunteering and charity", "%", 4.8, 9.13, 20.0, 0.4565, "未完成"),
        ("cremation_rate", "火化率", "social_services", "殡葬、婚姻等社会事务", "Funeral, marriage and other services",
         "%", 74.0, 81.0, np.nan, np.nan, "无目标"),
        (np.nan, "“一站式”结算服务机制覆盖地区比例", np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 95.0, np.nan,
         "不可评估"),
    ]
    frame = pd.DataFrame(rows, columns=["indicator", "name_zh", "category", "category_zh", "category_en", "unit",
                                        "baseline", "actual", "target", "completion", "status"])
    frame["name_en"] = ["Centralised-care rate", "Share of nursing-type beds", "Beds per 1,000 older people",
                        "Registered volunteers", "Cremation rate", "One-stop settlement coverage"]
    # (actual − baseline) / (target − baseline), by hand: 11/14, 19.1/3, 2.8/9.5, 4.33/15.2
    frame["gap_closed"] = [0.7857, 6.3667, 0.2947, 0.2849, np.nan, np.nan]
    frame["region"] = "210000"
    frame["baseline_year"], frame["end_year"] = 2015, 2020
    frame["actual_status"] = ["illustrative"] * 5 + [np.nan]
    frame["actual_source"] = ["evalkit sample generator (illustrative)"] * 5 + [np.nan]
    return frame


def ranking(intervals: bool = True) -> pd.DataFrame:
    """`documents.ranking_frame` output for Liaoning's 14 cities (scores made up, decreasing)."""
    scores = np.linspace(71.2, 37.2, len(CITIES))
    frame = pd.DataFrame({"name": CITY_NAMES, "score": scores, "rank": range(1, len(CITIES) + 1)}, index=CITIES)
    if intervals:
        frame["rank_low"] = np.maximum(frame["rank"] - 1, 1).astype(float)
        frame["rank_high"] = np.minimum(frame["rank"] + 2, len(CITIES)).astype(float)
    return frame


def category_scores() -> pd.DataFrame:
    """Three category scores per city; city i is best in one category and worst in another."""
    n = len(CITIES)
    return pd.DataFrame({"社会救助": np.arange(n, 0, -1.0), "养老服务": np.arange(1.0, n + 1),
                         "基层社会治理": np.r_[np.arange(1.0, n), 100.0]}, index=CITIES)


def proposals(probability: float = 0.8, shift: float = 0.0) -> pd.DataFrame:
    """Rows as `scenarios.propose_targets` returns them."""
    return pd.DataFrame({
        "indicator": ["dibao_urban_std", "nursing_bed_share", "social_worker_per_1000", "tekun_std"],
        "name_zh": ["城市低保平均标准", "护理型床位占比", "社会工作专业人才占常住人口比例", "特困人员基本生活标准"],
        "name_en": ["Average urban dibao standard", "Share of nursing-type beds", "Social workers per 1,000",
                    "Extreme-poverty living standard"],
        "unit": ["元/人·月", "%", "‰", "元/人·月"],
        "base_year": 2020, "base": [677.6, 46.1, 0.85, 881.0], "year": 2025,
        "median": [908.9, 65.1, 1.61, 1181.6], "proposed": np.array([897.2, 62.2, 1.58, 1166.3]) + shift,
        "probability": probability, "direction": "at_least", "binding": ["预期性", "约束性", "预期性", "unknown"],
        "stated_target": [np.nan, 55.0, np.nan, np.nan], "prob_stated_target": [np.nan, 0.9995, np.nan, np.nan],
        "path": "forecast: drift",
    })


def chart_png(title: str = "chart") -> bytes:
    """A small PNG chart."""
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([2015, 2020], [1, 2])
    ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=60)
    plt.close(fig)
    return buffer.getvalue()
