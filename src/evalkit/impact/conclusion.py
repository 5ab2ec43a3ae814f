"""A plain-language verdict on a pilot effect, generated from the estimates (zh/en).

How sure we can be depends on the few-cluster tests, not on the analytic standard error: with a
dozen cities, cluster-robust and influence-function SEs are too small. The rule is stated in
:func:`conclude` and the text says which numbers it rests on.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evalkit.impact._panel import check_choice
from evalkit.impact.did import AggKind, ATTgtResult
from evalkit.impact.inference import RandomizationResult, WildBootstrapResult
from evalkit.impact.twfe import TWFEResult

__all__ = ["Conclusion", "comparison_table", "conclude"]

Level = Literal["clear", "suggestive", "inconclusive"]

_LEVEL_TEXT = {
    "clear": {"zh": "证据较为明确：小样本检验也支持存在效果。",
              "en": "The evidence is fairly clear: the small-sample tests also support an effect."},
    "suggestive": {"zh": "只有提示性证据：方向一致，但小样本检验不足以排除偶然。",
                   "en": "The evidence is only suggestive: the direction is consistent, but the small-sample tests "
                         "cannot rule out chance."},
    "suggestive_trends": {"zh": "只有提示性证据：小样本检验支持存在效果，但试点城市在试点前就与对照不同，效果可能部分来自原有趋势。",
                          "en": "The evidence is only suggestive: the small-sample tests support an effect, but the pilot "
                                "cities already differed before the pilot, so part of it may be a pre-existing trend."},
    "inconclusive": {"zh": "无法得出结论：现有数据不能把效果与偶然波动区分开。",
                     "en": "No conclusion is possible: with these data the effect cannot be told apart from chance."},
}


@dataclass(frozen=True)
class Conclusion:
    """``level`` (clear / suggestive / inconclusive) and the paragraph that explains it."""

    level: Level
    text: str

    def _repr_html_(self) -> str:
        colour = {"clear": "#2E7D32", "suggestive": "#F9A825", "inconclusive": "#9E9E9E"}[self.level]
        return (f'<div style="border-left:4px solid {colour};padding:6px 10px;margin:6px 0">'
                f"{html.escape(self.text)}</div>")


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def conclude(
    result: ATTgtResult,
    *,
    outcome: str,
    unit: str = "",
    kind: AggKind = "group",
    randomization: RandomizationResult | None = None,
    wild: WildBootstrapResult | None = None,
    illustrative: bool = False,
    decimals: int = 2,
    lang: str = "zh",
) -> Conclusion:
    """Say in plain words what the estimate is and how sure we can be.

    Parameters
    ----------
    result : ATTgtResult
        The group-time ATTs; the overall effect is ``result.aggregate(kind)`` and the pre-test, the
        number of pilot units and of post-adoption periods are read from it.
    outcome, unit : str
        Indicator name and unit for the text.
    randomization, wild
        The few-cluster tests that were run.
    illustrative : bool
        The data are generated; the text then says the result demonstrates the method only.

    Notes
    -----
    With :math:`p^* = \\max` of the available few-cluster p-values (randomisation inference, wild cluster
    bootstrap): *clear* if :math:`p^* < 0.05`, the analytic interval excludes 0 and the pre-test (if any)
    has p ≥ 0.10; *suggestive* if :math:`p^* < 0.10`, or if a clear case fails only the pre-test;
    otherwise *inconclusive* — always inconclusive when no few-cluster test was run.
    """
    check_choice("lang", lang, ("zh", "en"))
    effect = result.aggregate(kind)
    pretest = result.pretest
    n_treated = int(np.sum(result.unit_cohort > 0))
    post = result.table[result.table["post"]]
    n_post_periods = int(post["event"].max() + 1) if len(post) else 0
    few = [r.p_value for r in (randomization, wild) if r is not None]
    p_star = max(few) if few else np.nan
    lo, hi = effect.ci
    excludes_zero = lo > 0 or hi < 0
    trends_ok = pretest is None or pretest.p_value >= 0.10
    reason = None
    if few and p_star < 0.05 and excludes_zero:
        level: Level = "clear" if trends_ok else "suggestive"
        reason = None if trends_ok else "suggestive_trends"
    elif few and p_star < 0.10:
        level = "suggestive"
    else:
        level = "inconclusive"

    zh = lang == "zh"
    size = _fmt(abs(effect.att), decimals)
    conf = int(round(100 * (1 - effect.alpha)))
    if zh:
        direction = "提高" if effect.att > 0 else "降低"
        parts = [f"按 Callaway–Sant'Anna 方法，试点使“{outcome}”平均{direction}约 {size}{unit}"
                 f"（{conf}% 置信区间 {_fmt(lo, decimals)} 至 {_fmt(hi, decimals)}）。"]
        tests = []
        if randomization is not None:
            tests.append(f"随机化推断 p = {randomization.p_value:.2f}")
        if wild is not None:
            tests.append(f"野聚类自助法 p = {wild.p_value:.2f}")
        parts.append(("小样本检验：" + "，".join(tests) + "。") if tests else "未做小样本检验。")
        if pretest is not None:
            parts.append(f"试点前趋势检验 p = {pretest.p_value:.2f}"
                         + ("，未发现试点前差异。" if trends_ok else "，试点前已有差异，平行趋势假设存疑。"))
        parts.append(_LEVEL_TEXT[reason or level]["zh"])
        parts.append(f"依据仅 {n_treated} 个试点城市、试点后最多 {n_post_periods} 年的数据。")
        if illustrative:
            parts.append("所用数据为示例数据，本结论只演示方法，不代表实际效果。")
        return Conclusion(level=level, text="".join(parts))
    direction = "raised" if effect.att > 0 else "lowered"
    parts = [f"By the Callaway–Sant'Anna estimator, the pilot {direction} '{outcome}' by about {size} {unit} on "
             f"average ({conf}% CI {_fmt(lo, decimals)} to {_fmt(hi, decimals)})."]
    tests = []
    if randomization is not None:
        tests.append(f"randomisation inference p = {randomization.p_value:.2f}")
    if wild is not None:
        tests.append(f"wild cluster bootstrap p = {wild.p_value:.2f}")
    parts.append((" Small-sample tests: " + ", ".join(tests) + ".") if tests else " No small-sample test was run.")
    if pretest is not None:
        parts.append(f" Pre-trend test p = {pretest.p_value:.2f}"
                     + ("; no pre-pilot difference found." if trends_ok
                        else "; pilot cities already differed before, so parallel trends are doubtful."))
    parts.append(" " + _LEVEL_TEXT[reason or level]["en"])
    parts.append(f" This rests on only {n_treated} pilot cities and at most {n_post_periods} post-pilot years.")
    if illustrative:
        parts.append(" The data are illustrative: this demonstrates the method and says nothing about the real effect.")
    return Conclusion(level=level, text="".join(parts))


_COMPARISON_LABELS = {
    "estimator": {"zh": "估计方法", "en": "estimator"},
    "estimate": {"zh": "估计值", "en": "estimate"},
    "se": {"zh": "标准误", "en": "SE"},
    "lo": {"zh": "区间下限", "en": "CI low"},
    "hi": {"zh": "区间上限", "en": "CI high"},
    "simple": {"zh": "CS 简单平均", "en": "CS simple"},
    "group": {"zh": "CS 按批次平均（推荐）", "en": "CS by cohort (recommended)"},
    "dynamic": {"zh": "CS 按试点年数平均", "en": "CS by event time"},
    "twfe": {"zh": "双向固定效应（TWFE）", "en": "TWFE static"},
}


def comparison_table(result: ATTgtResult, twfe: TWFEResult, *, lang: str = "zh") -> pd.DataFrame:
    """Overall effects side by side: the CS aggregations and the static TWFE coefficient.

    CS rows carry the analytic SE and a normal interval; the TWFE row its cluster-robust SE and t(G−1)
    interval. Column and row labels in ``lang``.
    """
    check_choice("lang", lang, ("zh", "en"))
    rows = []
    for kind in ("simple", "group", "dynamic"):
        agg = result.aggregate(kind)
        rows.append((_COMPARISON_LABELS[kind][lang], agg.att, agg.se, *agg.ci))
    tw = twfe.table.set_index("term").loc["post"]
    rows.append((_COMPARISON_LABELS["twfe"][lang], tw["coef"], tw["se"], tw["lo"], tw["hi"]))
    cols = [_COMPARISON_LABELS[c][lang] for c in ("estimator", "estimate", "se", "lo", "hi")]
    return pd.DataFrame(rows, columns=cols)
