"""Charts of plan-target assessment: bullet chart, small multiples with the required path, rank strip.

Each function draws what :mod:`evalkit.targets` computed — it computes nothing of its own beyond
placing the numbers — and carries a title, the unit and a source line (:func:`evalkit.plots.finish`).
"""
from __future__ import annotations

import math
import textwrap
from typing import Literal

import numpy as np
import pandas as pd

from evalkit._targets_text import format_number
from evalkit.errors import ParameterError
from evalkit.plots import PALETTE, STATUS_COLOURS, finish, new_axes, use_house_style
from evalkit.targets import (
    MET,
    NEARLY_MET,
    NOT_MET,
    Thresholds,
    label,
    required_path,
    target_text,
)

__all__ = ["bullet_chart", "rank_strip", "trend_multiples"]

Lang = Literal["zh", "en"]

_STATUS_LIGHT = {MET: "good", NEARLY_MET: "fair", NOT_MET: "poor"}
_TEXT = {
    "bullet_title": {"zh": "规划目标完成率", "en": "Completion of plan targets"},
    "bullet_unit": {"zh": "完成率（目标=100%）", "en": "Completion (target = 100%)"},
    "target": {"zh": "目标", "en": "target"},
    "required": {"zh": "达标所需路径", "en": "path required by the target"},
    "actual": {"zh": "实际", "en": "actual"},
    "national": {"zh": "全国", "en": "national"},
    "strip_title": {"zh": "在同级地区中的位置", "en": "Position among peers"},
    "strip_unit": {"zh": "百分位（1=最好，0=最差）", "en": "Percentile (1 = best, 0 = worst)"},
    "peers": {"zh": "其他地区", "en": "other regions"},
    "reference": {"zh": "全省", "en": "province"},
}


def _t(key: str, lang: Lang) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return _TEXT[key][lang]


def _name(row, lang: Lang, width: int) -> str:
    text = row.get("name_zh") if lang == "zh" else row.get("name_en")
    if not isinstance(text, str) or not text:
        text = row.get("name_zh") if isinstance(row.get("name_zh"), str) else str(row.get("indicator"))
    # Chinese has no spaces to break at, so wrap by characters there and by words in English.
    if lang == "zh":
        return "\n".join(text[i:i + width] for i in range(0, len(text), width))
    return textwrap.fill(text, width=2 * width)


def _assessed(assessment: pd.DataFrame) -> pd.DataFrame:
    return assessment[assessment["status"].isin([MET, NEARLY_MET, NOT_MET])]


def bullet_chart(assessment: pd.DataFrame, *, ax=None, lang: Lang = "zh", thresholds: Thresholds | None = None,
                 title: str | None = None, source: str | None = None, illustrative: bool = False):
    """Completion of every assessed target as a bullet chart.

    One row per indicator: the bar is the completion (完成率) coloured by status; the background
    bands are not met (below ``thresholds.nearly_met``), nearly met, and met (from 100 %); the
    vertical line is the target. The end value and its unit are printed beside the bar.
    """
    rows = _assessed(assessment)
    if rows.empty:
        raise ParameterError("bullet_chart needs at least one assessed target (status 完成/基本完成/未完成)")
    th = thresholds or Thresholds()
    if ax is None:
        _, ax = new_axes(figsize=(8.5, 0.55 * len(rows) + 1.6))
    use_house_style()
    completion = rows["completion"].fillna(rows["gap_closed"]).to_numpy(dtype=float)
    right = max(1.25, np.nanmax(completion, initial=0) + 0.15)
    y = np.arange(len(rows))[::-1]
    for lo, hi, light in ((0, th.nearly_met, "poor"), (th.nearly_met, 1.0, "fair"), (1.0, right, "good")):
        ax.axvspan(lo * 100, hi * 100, color=STATUS_COLOURS[light], alpha=0.12, linewidth=0)
    colours = [STATUS_COLOURS[_STATUS_LIGHT[s]] for s in rows["status"]]
    ax.barh(y, np.nan_to_num(completion) * 100, height=0.45, color=colours)
    ax.axvline(100, color="#222222", linewidth=1.6, label=_t("target", lang))
    for yi, c, r in zip(y, completion, rows.to_dict("records")):
        unit = r.get("unit") if isinstance(r.get("unit"), str) else ""
        value, target = f"{format_number(r['actual'])}{unit}", f"{target_text(r, lang)}{unit}"
        text = (f"{value}（目标{target}，{r['status']}）" if lang == "zh"
                else f"{value} (target {target}; {label(r['status'], lang)})")
        ax.text((0 if math.isnan(c) else c) * 100 + 1.5, yi, text, va="center", fontsize=8,
                bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1})
    ax.set_yticks(y, [_name(r, lang, 12) for r in rows.to_dict("records")], fontsize=8.5)
    ax.set_xlim(0, right * 100 + 45)
    ax.grid(axis="y", visible=False)
    return finish(ax, title=title or _t("bullet_title", lang), unit=_t("bullet_unit", lang), source=source,
                  illustrative=illustrative, lang=lang, years=None, unit_axis="x")


def trend_multiples(panel: pd.DataFrame, assessment: pd.DataFrame, *, region: str, lang: Lang = "zh",
                    national: pd.DataFrame | None = None, reference: str | None = None, ncols: int = 3,
                    source: str | None = None, illustrative: bool = False):
    """Small multiples: each assessed indicator's series with the path its target required.

    Parameters
    ----------
    panel : DataFrame
        Tidy panel with the region's yearly values.
    assessment : DataFrame
        Output of :func:`evalkit.targets.assess` for *region* (its assessed target rows are drawn).
    national : DataFrame, optional
        A panel with the national series, drawn in grey where it exists.
    reference : str, optional
        Another region of *panel* to draw for comparison (e.g. the province beside a city).
    ncols : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    rows = _assessed(assessment)
    if rows.empty:
        raise ParameterError("trend_multiples needs at least one assessed target row")
    paths = required_path(rows)
    nrows = math.ceil(len(rows) / ncols)
    fig, axes = new_axes(nrows, ncols, figsize=(4.2 * ncols, 3.2 * nrows + 0.8), squeeze=False)
    flat = axes.ravel()
    values = panel.assign(region=panel["region"].astype(str))
    for ax, r in zip(flat, rows.to_dict("records")):
        code, t0, t1 = r["indicator"], int(r["baseline_year"]), int(r["target_year"])
        years = range(t0, max(t1, int(r["end_year"])) + 1)

        def draw(frame, who, **style):
            s = frame[(frame["region"] == who) & (frame["indicator"] == code) & frame["year"].isin(years)]
            s = s.sort_values("year")
            if not s.empty:
                ax.plot(s["year"], s["value"], **style)

        draw(values, region, color=PALETTE[0], marker="o", markersize=3.5, linewidth=2, label=_t("actual", lang))
        if reference:
            draw(values, reference, color=PALETTE[3], linewidth=1.3, label=_t("reference", lang))
        if national is not None:
            draw(national.assign(region=national["region"].astype(str)), "000000", color="#8C8C8C",
                 linewidth=1.2, linestyle=":", label=_t("national", lang))
        path = paths[paths["indicator"] == code]
        if not path.empty:
            ax.plot(path["year"], path["value"], color=PALETTE[1], linestyle="--", linewidth=1.4,
                    label=_t("required", lang))
        if r["target_type"] == "range":
            ax.axhspan(r["target_low"], r["target_high"], color=PALETTE[4], alpha=0.15)
        ax.plot([t1], [r["target"]], marker="*", markersize=11, color=PALETTE[1], linestyle="none",
                label=_t("target", lang))
        unit = r["unit"] if isinstance(r.get("unit"), str) else None
        finish(ax, title=_name(r, lang, 14), unit=unit, source=source, illustrative=illustrative, lang=lang)
        ax.title.set_fontsize(9.5)
    for ax in flat[len(rows):]:
        ax.set_visible(False)
    legend = {}
    for ax in flat[:len(rows)]:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(text, handle)
    fig.legend(list(legend.values()), list(legend), loc="outside upper center", ncols=len(legend), fontsize=8.5)
    return fig


def rank_strip(comparison, *, ax=None, lang: Lang = "zh", region_name: str | None = None,
               title: str | None = None, source: str | None = None, illustrative: bool = False):
    """Where a region stands among its peers on every indicator.

    *comparison* is a :class:`evalkit.targets.PeerComparison`. Each row is an indicator; grey
    dots are the peers at their percentile (1 = best given the polarity), the large red dot the
    focus region, labelled with its rank (e.g. 3/14).
    """
    table, pos = comparison.table, comparison.positions
    if table.empty:
        raise ParameterError("rank_strip needs a comparison with at least one indicator")
    if ax is None:
        _, ax = new_axes(figsize=(8.5, 0.42 * len(table) + 1.6))
    use_house_style()
    y = {code: i for i, code in enumerate(table["indicator"][::-1])}
    others = pos[~pos["is_focus"]]
    ax.scatter(others["percentile"], others["indicator"].map(y), s=22, color="#B0B0B0", zorder=2,
               label=_t("peers", lang))
    focus = table.dropna(subset=["percentile"])
    ax.scatter(focus["percentile"], focus["indicator"].map(y), s=70, color=PALETTE[1], zorder=3,
               label=region_name or comparison.region)
    for r in focus.to_dict("records"):
        ax.annotate(f"{r['rank']}/{r['n']}", (r["percentile"], y[r["indicator"]]), xytext=(6, 4),
                    textcoords="offset points", fontsize=7.5, color=PALETTE[1])
    ax.set_yticks(list(y.values()), [_name(r, lang, 14) for r in table.to_dict("records")][::-1], fontsize=8)
    ax.set_xlim(-0.05, 1.12)
    ax.grid(axis="y", visible=False)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8)
    return finish(ax, title=title or _t("strip_title", lang), unit=_t("strip_unit", lang), source=source,
                  illustrative=illustrative, lang=lang, years=None, unit_axis="x")
