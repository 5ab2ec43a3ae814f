"""Display tables of a scenario result in the report's language (every label from the message catalogue)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit import catalogue
from evalkit.errors import ParameterError
from evalkit.scenarios.proposals import compare, propose_targets
from evalkit.scenarios.simulate import ScenarioResult

__all__ = ["beds_table", "comparison_table", "cost_table", "indicator_table", "methods_table", "targets_table"]


def indicator_table(result: ScenarioResult, *, probability: float = 0.8, year: int | None = None,
                    lang: str = "zh") -> pd.DataFrame:
    """The proposed indicators in the form of a plan's 主要指标表: indicator (unit), base, target, attribute.

    Targets come from :func:`propose_targets`, rounded to the catalogue's decimals; ``at_least``
    targets are written with 以上 / "≥" and ``at_most`` with 以下 / "≤".
    """
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    proposals = propose_targets(result, probability=probability, year=year)
    cols = {"zh": ("序号", "指标名称", "单位", "{y}年基数", "{y}年目标", "属性"),
            "en": ("No.", "Indicator", "Unit", "{y} base", "{y} target", "Attribute")}[lang]
    attribute = {"约束性": "Binding", "预期性": "Expected"}
    rows = []
    for k, r in enumerate(proposals.itertuples(), start=1):
        decimals = _decimals(r.indicator)
        target = f"{r.proposed:,.{decimals}f}"
        if lang == "zh":
            target = f"{target}{'以上' if r.direction == 'at_least' else '以下'}"
        else:
            target = f"{'≥' if r.direction == 'at_least' else '≤'} {target}"
        base = "—" if np.isnan(r.base) else f"{r.base:,.{decimals}f}"
        rows.append({cols[0]: k, cols[1]: r.name_zh if lang == "zh" else r.name_en, cols[2]: r.unit,
                     cols[3].format(y=r.base_year): base, cols[4].format(y=r.year): target,
                     cols[5]: r.binding if lang == "zh" else attribute[r.binding]})
    return pd.DataFrame(rows)


def _decimals(code: str) -> int:
    try:
        return catalogue.indicator(code).decimals
    except ParameterError:
        return 1


_HEADERS = {
    "indicator": {"zh": "指标", "en": "Indicator"}, "unit": {"zh": "单位", "en": "Unit"},
    "base": {"zh": "{y}年", "en": "{y}"}, "year": {"zh": "年份", "en": "Year"},
    "path": {"zh": "路径类型", "en": "Path"}, "method": {"zh": "方法", "en": "Method"},
    "detail": {"zh": "说明", "en": "Detail"}, "programme": {"zh": "项目", "en": "Programme"},
    "mean": {"zh": "均值", "en": "Mean"}, "interval": {"zh": "{p}%区间", "en": "{p}% interval"},
    "pop_60plus": {"zh": "60岁及以上人口", "en": "Aged 60+"},
    "beds_needed": {"zh": "需求床位", "en": "Beds needed"},
    "nursing_beds_needed": {"zh": "其中护理型", "en": "of which nursing"},
    "beds_planned": {"zh": "规划供给", "en": "Beds in the plan"},
    "gap": {"zh": "缺口(供给−需求)", "en": "Gap (supply − need)"},
    "prob_enough": {"zh": "供给充足概率", "en": "P(supply ≥ need)"},
    "stated": {"zh": "情景目标", "en": "Stated target"}, "prob": {"zh": "实现概率", "en": "P(attained)"},
    "proposed": {"zh": "建议目标（实现概率{p}%）", "en": "Proposed ({p}% likely)"},
}
_KINDS = {"forecast": "统计预测", "growth": "增长率", "target": "目标路径", "link": "联动", "ratio": "比值",
          "cohort": "队列要素法"}


def _h(key: str, lang: str, **kw) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return _HEADERS[key][lang].format(**kw)


def _fmt(value: float, decimals: int) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:,.{decimals}f}"


def comparison_table(results: Sequence[ScenarioResult], *, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """:func:`compare` as display text: per scenario, ``median [lo–hi]`` under the scenario's label."""
    numbers = compare(results, year=year, lang=lang)
    end = results[0].years[-1] if year is None else year
    base_year = results[0].scenario.base_year
    out = pd.DataFrame({_h("indicator", lang): numbers["name"], _h("unit", lang): numbers["unit"]})
    decimals = [_decimals(c) for c in numbers["indicator"]]
    out[_h("base", lang, y=base_year)] = [_fmt(v, d) for v, d in zip(numbers["base"], decimals)]
    for r in results:
        n = r.scenario.name
        out[f"{r.scenario.label(lang)} {end}"] = [
            "—" if not np.isfinite(m) else f"{_fmt(m, d)} [{_fmt(lo, d)}–{_fmt(hi, d)}]"
            for m, lo, hi, d in zip(numbers[f"{n}_median"], numbers[f"{n}_lo"], numbers[f"{n}_hi"], decimals)]
    return out


def methods_table(result: ScenarioResult, *, lang: str = "zh") -> pd.DataFrame:
    """How each series of the scenario was projected (path kind, method, backtest verdict)."""
    sc = result.scenario
    m = result.methods
    names = [sc.series[c].name_zh if lang == "zh" else sc.series[c].name_en for c in m["indicator"]]
    return pd.DataFrame({_h("indicator", lang): names,
                         _h("path", lang): [_KINDS[k] if lang == "zh" else k for k in m["kind"]],
                         _h("method", lang): m["method"], _h("detail", lang): m["detail"]})


def beds_table(result: ScenarioResult, *, lang: str = "zh") -> pd.DataFrame:
    """Bed demand against supply by year, rounded for display."""
    b = result.beds
    if b.empty:
        raise ParameterError(f"scenario {result.scenario.name!r} has no elderly_care section")
    out = pd.DataFrame({_h("year", lang): b["year"]})
    for col in ("pop_60plus", "beds_needed", "nursing_beds_needed", "beds_planned", "gap"):
        out[_h(col, lang)] = b[col].round(0).astype("int64")
    out[_h("prob_enough", lang)] = b["prob_enough"]
    return out


def cost_table(result: ScenarioResult, *, lang: str = "zh", period: bool = False) -> pd.DataFrame:
    """Programme costs (亿元) by year, or totals over the period (``period=True``), with intervals."""
    frame = result.cost_period if period else result.cost
    name = frame["name_zh" if lang == "zh" else "name_en"]
    out = pd.DataFrame({_h("programme", lang): name})
    if not period:
        out.insert(0, _h("year", lang), frame["year"])
    out[_h("mean", lang)] = frame["mean"].round(2)
    out[_h("interval", lang, p=round(100 * result.level))] = [
        f"{lo:,.2f}–{hi:,.2f}" for lo, hi in zip(frame["lo"], frame["hi"])]
    return out


def targets_table(result: ScenarioResult, *, probability: float = 0.8, lang: str = "zh") -> pd.DataFrame:
    """Proposed targets beside the scenario's stated targets and their attainment probabilities."""
    t = propose_targets(result, probability=probability)
    decimals = [_decimals(c) for c in t["indicator"]]
    return pd.DataFrame({
        _h("indicator", lang): t["name_zh" if lang == "zh" else "name_en"], _h("unit", lang): t["unit"],
        _h("base", lang, y=result.scenario.base_year): [_fmt(v, d) for v, d in zip(t["base"], decimals)],
        _h("proposed", lang, p=round(100 * probability)): [_fmt(v, d) for v, d in zip(t["proposed"], decimals)],
        _h("stated", lang): [_fmt(v, d) for v, d in zip(t["stated_target"], decimals)],
        _h("prob", lang): t["prob_stated_target"]})
