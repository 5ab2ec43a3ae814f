"""Charts of the composite assessment: indicator heat map, rank intervals, Sobol indices, removals.

Each function draws what :mod:`evalkit.composite` computed, takes an ``ax`` (or makes one) and returns
it, with a title, the unit and a source line (:func:`evalkit.plots.finish`); labels in Chinese or
English.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from evalkit.composite import RemovalResult, SensitivityResult, UncertaintyResult
from evalkit.errors import ParameterError
from evalkit.plots import PALETTE, finish, new_axes

__all__ = ["FACTOR_LABELS", "factor_labels", "indicator_heatmap", "rank_intervals", "removal_bars", "sobol_bars"]

Lang = Literal["zh", "en"]

_TEXT = {
    "heat_title": {"zh": "各市标准化指标得分", "en": "Normalised indicator scores by city"},
    "heat_unit": {"zh": "标准化得分", "en": "normalised score"},
    "rank_title": {"zh": "综合排名的不确定性区间", "en": "Uncertainty of the overall rank"},
    "rank_unit": {"zh": "名次（1 = 最好）", "en": "rank (1 = best)"},
    "interval": {"zh": "5%–95% 区间", "en": "5th–95th percentile"},
    "median": {"zh": "中位数", "en": "median"},
    "nominal": {"zh": "基准排名", "en": "nominal rank"},
    "sobol_title": {"zh": "各项假设对排名变化的贡献（Sobol 指数）", "en": "What drives rank changes (Sobol indices)"},
    "sobol_unit": {"zh": "方差贡献份额", "en": "share of variance"},
    "first": {"zh": "一阶效应", "en": "first order"},
    "interaction": {"zh": "交互作用", "en": "interactions"},
    "total_ci": {"zh": "总效应 5%–95% 区间", "en": "total effect, 5th–95th pct"},
    "removal_title": {"zh": "逐一剔除一类后的排名变化", "en": "Rank change when each category is dropped"},
    "removal_unit": {"zh": "平均绝对名次变化", "en": "mean absolute rank change"},
}

#: Names of the uncertain assumptions of :func:`evalkit.composite.sensitivity`.
FACTOR_LABELS = {
    "winmax": {"zh": "离群值处理（缩尾点数）", "en": "outlier treatment (winmax)"},
    "normalisation": {"zh": "标准化方法", "en": "normalisation"},
    "weights": {"zh": "权重扰动", "en": "weights"},
    "aggregation": {"zh": "合成方法", "en": "aggregation"},
}


def factor_labels(lang: Lang = "zh") -> dict[str, str]:
    """Display names of the uncertain assumptions in *lang* (for tables of Sobol indices)."""
    return {name: text[_check_lang(lang)] for name, text in FACTOR_LABELS.items()}


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang


def _t(key: str, lang: Lang) -> str:
    return _TEXT[key][_check_lang(lang)]


def _named(codes, names: Mapping[str, str] | None) -> list[str]:
    return [str((names or {}).get(c, c)) for c in codes]


def indicator_heatmap(normalised: pd.DataFrame, *, unit_names: Mapping[str, str] | None = None,
                      indicator_names: Mapping[str, str] | None = None, order: pd.Index | None = None, ax=None,
                      title: str | None = None, source: str | None = None, illustrative: bool = False,
                      lang: Lang = "zh"):
    """Units (rows, in *order*, e.g. by rank) × indicators (columns) of normalised scores, darker = better."""
    frame = normalised.loc[order] if order is not None else normalised
    if ax is None:
        _, ax = new_axes(figsize=(max(8, 0.38 * frame.shape[1] + 3), max(4, 0.34 * len(frame) + 2.2)))
    image = ax.imshow(frame.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    ax.set_xticks(range(frame.shape[1]), _named(frame.columns, indicator_names), rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(frame)), _named(frame.index, unit_names), fontsize=8)
    ax.grid(False)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label(_t("heat_unit", lang))
    return finish(ax, title=title or _t("heat_title", lang), source=source, illustrative=illustrative, lang=lang,
                  years=None)


def rank_intervals(result: UncertaintyResult, *, unit_names: Mapping[str, str] | None = None, ax=None,
                   title: str | None = None, source: str | None = None, illustrative: bool = False,
                   lang: Lang = "zh"):
    """Caterpillar chart: each unit's 5th–95th percentile rank over the draws, median and nominal rank."""
    stats = result.rank_stats.sort_values(["nominal", "median"])
    if ax is None:
        _, ax = new_axes(figsize=(8, max(3.5, 0.36 * len(stats) + 1.5)))
    y = np.arange(len(stats))
    ax.hlines(y, stats["lo"], stats["hi"], color=PALETTE[0], linewidth=5, alpha=0.35, label=_t("interval", lang))
    ax.plot(stats["median"], y, "o", color=PALETTE[0], markersize=6, label=_t("median", lang))
    ax.plot(stats["nominal"], y, "D", color=PALETTE[1], markersize=5, label=_t("nominal", lang))
    ax.set_yticks(y, _named(stats.index, unit_names), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0.5, len(stats) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(axis="y", visible=False)
    return finish(ax, title=title or _t("rank_title", lang), unit=_t("rank_unit", lang), unit_axis="x",
                  source=source, illustrative=illustrative, lang=lang, years=None)


def sobol_bars(result: SensitivityResult, *, ax=None, title: str | None = None, source: str | None = None,
               illustrative: bool = False, lang: Lang = "zh"):
    """Stacked bars per assumption: first-order index plus interactions (total − first).

    With the bootstrap interval of the total index. Negative estimates (sampling noise) are drawn as 0.
    """
    indices = result.indices
    first = indices["S"].clip(lower=0)
    total = indices["ST"].clip(lower=0)
    interactions = (total - first).clip(lower=0)
    labels = [factor_labels(lang).get(f, f) for f in indices.index]
    if ax is None:
        _, ax = new_axes(figsize=(8, max(3, 0.6 * len(indices) + 1.5)))
    y = np.arange(len(indices))
    ax.barh(y, first, color=PALETTE[0], label=_t("first", lang))
    ax.barh(y, interactions, left=first, color=PALETTE[2], label=_t("interaction", lang))
    if {"ST_lo", "ST_hi"} <= set(indices.columns):
        low = (total - indices["ST_lo"].clip(lower=0)).clip(lower=0)
        high = (indices["ST_hi"].clip(lower=0) - total).clip(lower=0)
        ax.errorbar(total, y, xerr=[low, high], fmt="none", ecolor="#333333", capsize=3, label=_t("total_ci", lang))
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(axis="y", visible=False)
    return finish(ax, title=title or _t("sobol_title", lang), unit=_t("sobol_unit", lang), unit_axis="x",
                  source=source, illustrative=illustrative, lang=lang, years=None)


def removal_bars(result: RemovalResult, *, element_names: Mapping[str, str] | None = None, ax=None,
                 title: str | None = None, source: str | None = None, illustrative: bool = False,
                 lang: Lang = "zh"):
    """Mean absolute rank change of the units when each element is dropped, largest first."""
    series = result.summary["mean_abs_rank_change"]
    series = pd.Series(series.to_numpy(), index=_named(series.index, element_names)).sort_values()
    if ax is None:
        _, ax = new_axes(figsize=(8, max(3, 0.34 * len(series) + 1.5)))
    bars = ax.barh(series.index, series.to_numpy(), color=PALETTE[3])
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in series.to_numpy()], fontsize=7.5, padding=2)
    ax.grid(axis="y", visible=False)
    return finish(ax, title=title or _t("removal_title", lang), unit=_t("removal_unit", lang), unit_axis="x",
                  source=source, illustrative=illustrative, lang=lang, years=None)
