"""Charts of the composite assessment: indicator heat map, rank intervals, Sobol indices, removals.

Each function draws what :mod:`evalkit.composite` computed, takes an ``ax`` (or makes one) and returns it, with a
title, the unit and a source line (:func:`evalkit.plots.finish`). Chart text comes from the message catalogue
(``data/messages/plots_composite.csv``) in the report's language.

Print size: a figure made here is at most :data:`PRINT_WIDTH` inches wide (the text width of an A4 portrait page
with 2 cm margins) and its tick labels are at least :data:`MIN_FONT` pt, so every label stays ≥ 8 pt when the
chart is printed at the page's width. Many units do not crowd a chart: the heat map shows the first and last
units of the order (``max_units``) and the rank chart becomes a ranked dot plot with only the ends named; the
full tables stay in the workbook (:func:`evalkit.composite.top_bottom` makes the matching page table).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from evalkit import i18n
from evalkit._shared.checks import Lang, check_lang
from evalkit.composite import RemovalResult, SensitivityResult, UncertaintyResult
from evalkit.composite import factor_labels as _composite_factor_labels
from evalkit.errors import ParameterError
from evalkit.plots import PALETTE, finish, new_axes

__all__ = ["FACTOR_LABELS", "MIN_FONT", "PRINT_WIDTH", "factor_labels", "indicator_heatmap", "rank_intervals",
           "removal_bars", "sobol_bars"]

#: inches: A4 portrait (210 mm) less two 20 mm margins
PRINT_WIDTH = 6.7
#: smallest tick-label size in points (≥ 8 pt in print, since figures are at most PRINT_WIDTH wide)
MIN_FONT = 8.5
#: unit rows of a heat map or rank chart drawn one per line before the chart shows only the two ends
_ROW_INCHES = 0.19


def factor_labels(lang: Lang = "zh") -> dict[str, str]:
    """Display names of the uncertain assumptions in *lang* (for tables of Sobol indices)."""
    return _composite_factor_labels(check_lang(lang))


#: Names of the uncertain assumptions of :func:`evalkit.composite.sensitivity` (from the catalogue).
FACTOR_LABELS = {name: {"zh": factor_labels("zh")[name], "en": factor_labels("en")[name]}
                 for name in factor_labels("zh")}


def _t(key: str, lang: Lang, **fields) -> str:
    return i18n.t(f"plots_composite.{key}", check_lang(lang), **fields)


def _named(codes, names: Mapping[str, str] | None) -> list[str]:
    return [str((names or {}).get(c, c)) for c in codes]


def _ends(frame: pd.DataFrame, max_units: int) -> tuple[pd.DataFrame, int]:
    """The first and last ``max_units // 2`` rows with an empty row between them; how many rows were left out."""
    if len(frame) <= max_units:
        return frame, 0
    half = max_units // 2
    gap = pd.DataFrame(np.nan, index=["⋯"], columns=frame.columns)
    return pd.concat([frame.head(half), gap, frame.tail(half)]), len(frame) - 2 * half


def _check_count(name: str, value: int, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ParameterError(f"{name} must be an integer ≥ {low}, got {value!r}")
    return int(value)


def indicator_heatmap(normalised: pd.DataFrame, *, unit_names: Mapping[str, str] | None = None,
                      indicator_names: Mapping[str, str] | None = None, order: pd.Index | None = None, ax=None,
                      title: str | None = None, source: str | None = None, illustrative: bool = False,
                      lang: Lang = "zh", max_units: int = 40):
    """Units (rows, in *order*, e.g. by rank) × indicators (columns) of normalised scores, darker = better.

    Labels are :data:`MIN_FONT` pt on a figure at most :data:`PRINT_WIDTH` wide. With more than *max_units* units
    only the first and last ``max_units // 2`` of the order are drawn, a ``⋯`` row between them, and the title
    says so (the full table belongs in the workbook).
    """
    max_units = _check_count("max_units", max_units, 2)
    frame = normalised.loc[order] if order is not None else normalised
    shown, left_out = _ends(frame, max_units)
    if ax is None:
        longest = max((len(s) for s in _named(frame.columns, indicator_names)), default=4)
        label_height = min(2.2, 0.14 * longest * MIN_FONT / 8.5 + 0.2)
        _, ax = new_axes(figsize=(PRINT_WIDTH, max(3.5, _ROW_INCHES * len(shown) + label_height + 1.0)))
    image = ax.imshow(shown.to_numpy(dtype=float), aspect="auto", cmap="Blues")
    ax.set_xticks(range(shown.shape[1]), _named(shown.columns, indicator_names), rotation=90, fontsize=MIN_FONT)
    ax.set_yticks(range(len(shown)), _named(shown.index, unit_names), fontsize=MIN_FONT)
    ax.grid(False)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    bar.set_label(_t("heat_unit", lang), fontsize=MIN_FONT + 0.5)
    bar.ax.tick_params(labelsize=MIN_FONT)
    if title is None:
        title = _t("heat_title", lang)
        if left_out:
            title += _t("ends_note", lang, shown=len(frame) - left_out, total=len(frame))
    return finish(ax, title=title, source=source, illustrative=illustrative, lang=lang, years=None)


def rank_intervals(result: UncertaintyResult, *, unit_names: Mapping[str, str] | None = None, ax=None,
                   title: str | None = None, source: str | None = None, illustrative: bool = False,
                   lang: Lang = "zh", max_labelled: int = 30, ends: int = 5):
    """Each unit's rank interval over the draws (width ``result.level``), median and nominal rank.

    Up to *max_labelled* units: one row per unit, named. More units: a ranked dot plot — units along the x axis in
    nominal order, their intervals vertical — naming only the first and last *ends* units, so 100 units stay
    readable.
    """
    max_labelled = _check_count("max_labelled", max_labelled, 1)
    ends = _check_count("ends", ends, 0)
    stats = result.rank_stats.sort_values(["nominal", "median"])
    level = float(getattr(result, "level", 0.9))
    interval = _t("interval", lang, low=f"{50 * (1 - level):g}", high=f"{50 * (1 + level):g}")
    if len(stats) <= max_labelled:
        if ax is None:
            _, ax = new_axes(figsize=(PRINT_WIDTH, max(3.5, _ROW_INCHES * 1.3 * len(stats) + 1.6)))
        y = np.arange(len(stats))
        ax.hlines(y, stats["lo"], stats["hi"], color=PALETTE[0], linewidth=5, alpha=0.35, label=interval)
        ax.plot(stats["median"], y, "o", color=PALETTE[0], markersize=6, label=_t("median", lang))
        ax.plot(stats["nominal"], y, "D", color=PALETTE[1], markersize=5, label=_t("nominal", lang))
        ax.set_yticks(y, _named(stats.index, unit_names), fontsize=MIN_FONT)
        ax.invert_yaxis()
        ax.set_xlim(0.5, len(stats) + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(axis="x", labelsize=MIN_FONT)
        ax.grid(axis="y", visible=False)
        ax.legend(fontsize=MIN_FONT, loc="upper right", framealpha=0.9)
        return finish(ax, title=title or _t("rank_title", lang), unit=_t("rank_unit", lang), unit_axis="x",
                      source=source, illustrative=illustrative, lang=lang, years=None)
    if ax is None:
        _, ax = new_axes(figsize=(PRINT_WIDTH, 4.6))
    x = np.arange(1, len(stats) + 1)
    ax.vlines(x, stats["lo"], stats["hi"], color=PALETTE[0], linewidth=2, alpha=0.35, label=interval)
    ax.plot(x, stats["median"], "o", color=PALETTE[0], markersize=3, label=_t("median", lang))
    ax.plot(x, stats["nominal"], "D", color=PALETTE[1], markersize=2.5, label=_t("nominal", lang))
    names = _named(stats.index, unit_names)
    if ends:
        sep = i18n.t("common.list_sep", lang)
        box = dict(facecolor="white", edgecolor="#CCCCCC", alpha=0.9, boxstyle="round,pad=0.3")
        ax.text(0.01, 0.02, _t("top_units", lang, n=min(ends, len(names)), names=sep.join(names[:ends])),
                transform=ax.transAxes, ha="left", va="bottom", fontsize=MIN_FONT, bbox=box)
        ax.text(0.99, 0.98, _t("bottom_units", lang, n=min(ends, len(names)), names=sep.join(names[-ends:])),
                transform=ax.transAxes, ha="right", va="top", fontsize=MIN_FONT, bbox=box)
    ax.set_xlim(0, len(stats) + 1)
    ax.set_ylim(len(stats) + 1, 0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(labelsize=MIN_FONT)
    ax.set_xlabel(_t("nominal_axis", lang), fontsize=MIN_FONT + 1)
    _legend_above(ax)
    finish(ax, title=title or _t("rank_title", lang), unit=_t("rank_unit", lang), unit_axis="y",
           source=source, illustrative=illustrative, lang=lang, years=None)
    return _title_above_legend(ax)


def _legend_above(ax) -> None:
    """Legend in one row just above the plot area (the title is then lifted over it)."""
    ax.legend(fontsize=MIN_FONT, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, borderaxespad=0.2)


def _title_above_legend(ax):
    ax.set_title(ax.get_title(loc="left"), loc="left", pad=MIN_FONT * 2.6)
    return ax


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
        _, ax = new_axes(figsize=(PRINT_WIDTH, max(3, 0.6 * len(indices) + 1.8)))
    y = np.arange(len(indices))
    ax.barh(y, first, color=PALETTE[0], label=_t("first", lang))
    ax.barh(y, interactions, left=first, color=PALETTE[2], label=_t("interaction", lang))
    if {"ST_lo", "ST_hi"} <= set(indices.columns):
        level = float(getattr(result, "level", 0.9))
        low = (total - indices["ST_lo"].clip(lower=0)).clip(lower=0)
        high = (indices["ST_hi"].clip(lower=0) - total).clip(lower=0)
        ax.errorbar(total, y, xerr=[low, high], fmt="none", ecolor="#333333", capsize=3,
                    label=_t("total_ci", lang, low=f"{50 * (1 - level):g}", high=f"{50 * (1 + level):g}"))
    ax.set_yticks(y, labels, fontsize=MIN_FONT + 0.5)
    ax.tick_params(axis="x", labelsize=MIN_FONT)
    ax.invert_yaxis()
    _legend_above(ax)
    ax.grid(axis="y", visible=False)
    finish(ax, title=title or _t("sobol_title", lang), unit=_t("sobol_unit", lang), unit_axis="x",
           source=source, illustrative=illustrative, lang=lang, years=None)
    return _title_above_legend(ax)


def removal_bars(result: RemovalResult, *, element_names: Mapping[str, str] | None = None, ax=None,
                 title: str | None = None, source: str | None = None, illustrative: bool = False,
                 lang: Lang = "zh"):
    """Mean absolute rank change of the units when each element is dropped, largest first."""
    series = result.summary["mean_abs_rank_change"]
    series = pd.Series(series.to_numpy(), index=_named(series.index, element_names)).sort_values()
    if ax is None:
        _, ax = new_axes(figsize=(PRINT_WIDTH, max(3, 0.3 * len(series) + 1.5)))
    bars = ax.barh(series.index, series.to_numpy(), color=PALETTE[3])
    ax.bar_label(bars, labels=[f"{v:.2f}" for v in series.to_numpy()], fontsize=MIN_FONT, padding=2)
    ax.tick_params(labelsize=MIN_FONT)
    ax.grid(axis="y", visible=False)
    return finish(ax, title=title or _t("removal_title", lang), unit=_t("removal_unit", lang), unit_axis="x",
                  source=source, illustrative=illustrative, lang=lang, years=None)
