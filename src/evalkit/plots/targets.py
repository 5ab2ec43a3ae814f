"""Charts of plan-target assessment: bullet chart, small multiples with the required path, rank strip.

Each function draws what :mod:`evalkit.targets` computed — it computes nothing of its own beyond
placing the numbers — and carries a title, the unit and a source line (:func:`evalkit.plots.finish`).
"""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from evalkit._shared.checks import Lang, check_lang
from evalkit._shared.codes import NATION
from evalkit._shared.numbers import format_figure as format_number
from evalkit.errors import ParameterError
from evalkit.i18n import t
from evalkit.plots import PALETTE, STATUS_COLOURS, finish, new_axes, new_figure, use_house_style
from evalkit.plots.render import GridAxes
from evalkit.targets import (
    MET,
    NEARLY_MET,
    NOT_MET,
    STATUS_LIGHTS,
    Thresholds,
    label,
    required_path,
    target_text,
)
from evalkit.targets.text import name_text, percent, unit_name, unit_text

__all__ = ["bullet_chart", "rank_strip", "trend_multiples"]

# Small multiples: fixed margins in inches instead of a layout engine. The constrained layout measured every
# tick label of every panel on each draw, and a page draws a figure twice (once for the tight bounding box);
# fixed margins keep the same figure size, dpi and fonts at a fraction of the cost.
_BULLET_MAX = 1.6                        # the bullet chart's axis ends at 160 %
_PANEL_W, _PANEL_H = 4.2, 3.2           # inches per panel; the figure keeps its former size and dpi
_LEGEND_H = 0.8                          # the figure's extra height, for the legend
_GAP_W, _GAP_H = 0.85, 0.95              # between panels: y tick labels and unit / title and x ticks
_MARGIN = {"left": 0.7, "right": 0.15, "top": 0.95, "bottom": 0.55}  # top: legend and the first titles


def _t(key: str, lang: Lang) -> str:
    return t(f"targets.chart.{key}", check_lang(lang))


def _name(row, lang: Lang, width: int) -> str:
    text = name_text(row, lang)
    # Chinese has no spaces to break at, so wrap by characters there and by words in English.
    if lang == "zh":
        return "\n".join(text[i:i + width] for i in range(0, len(text), width))
    return textwrap.fill(text, width=2 * width)


def _assessed(assessment: pd.DataFrame) -> pd.DataFrame:
    return assessment[assessment["status"].isin([MET, NEARLY_MET, NOT_MET])]


def _status_score(rows: pd.DataFrame) -> tuple[np.ndarray, str]:
    """The measure that set each row's status, and how the axis should name it."""
    basis = rows["status_basis"] if "status_basis" in rows else pd.Series("level", index=rows.index)
    change = rows["gap_closed"].to_numpy(dtype=float)
    level = rows["completion"].to_numpy(dtype=float)
    score = np.where(basis.eq("change").to_numpy(), change, level)
    used = set(basis.dropna())
    return score, used.pop() if len(used) == 1 else "mixed"


def bullet_chart(assessment: pd.DataFrame, *, ax=None, lang: Lang = "zh", thresholds: Thresholds | None = None,
                 title: str | None = None, source: str | None = None, illustrative: bool = False):
    """Completion of every assessed target as a bullet chart.

    One row per indicator: the bar is the measure that set the status (the share of the required change or
    the level ratio, see ``assess(basis=…)``; the axis label says which), coloured by status; the background
    bands are not met (below ``thresholds.nearly_met``), nearly met, and met (from 100 %); the vertical line
    is the target. The end value and its unit are printed beside the bar. A negative share (the indicator
    moved the wrong way) is drawn as an empty bar at 0 and labelled.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`evalkit.targets.assess`.
    ax : matplotlib Axes, optional
        Where to draw (default: a new figure).
    lang : {"zh", "en"}
        Language of every text.
    thresholds : Thresholds, optional
        The thresholds used by the assessment.
    title, source : str, optional
        Title (default from the catalogue) and source line.
    illustrative : bool
        Mark the data as illustrative.

    Returns
    -------
    matplotlib Axes
    """
    check_lang(lang)
    rows = _assessed(assessment)
    if rows.empty:
        raise ParameterError("bullet_chart needs at least one assessed target (status 完成/基本完成/未完成)")
    th = thresholds or Thresholds()
    if ax is None:
        _, ax = new_axes(figsize=(8.5, 0.55 * len(rows) + 1.6))
    use_house_style()
    completion, basis = _status_score(rows)
    # the axis stops at 160 %: one indicator at 600 % of its required change would squeeze every other bar;
    # a longer bar is cut at the edge and its label says the value
    right = min(_BULLET_MAX, max(1.25, np.nanmax(completion, initial=0) + 0.15))
    y = np.arange(len(rows))[::-1]
    for lo, hi, light in ((0, th.nearly_met, "poor"), (th.nearly_met, 1.0, "fair"), (1.0, right, "good")):
        ax.axvspan(lo * 100, hi * 100, color=STATUS_COLOURS[light], alpha=0.12, linewidth=0)
    colours = [STATUS_COLOURS[STATUS_LIGHTS[s]] for s in rows["status"]]
    ax.barh(y, np.clip(np.nan_to_num(completion), 0, right) * 100, height=0.45, color=colours)
    ax.axvline(100, color="#222222", linewidth=1.6, label=_t("target", lang))
    for yi, c, r in zip(y, completion, rows.to_dict("records")):
        unit = unit_text(r, lang)
        text = t("targets.chart.bullet_text", lang, value=f"{format_number(r['actual'])}{unit}",
                 target=f"{target_text(r, lang)}{unit}", status=label(r["status"], lang))
        if not math.isnan(c) and not 0 <= c <= right:
            text = f"{percent(c, 0)} · {text}"
        ax.text(min(right, max(0.0, 0 if math.isnan(c) else c)) * 100 + 1.5, yi, text, va="center", fontsize=8,
                bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1})
    ax.set_yticks(y, [_name(r, lang, 12) for r in rows.to_dict("records")], fontsize=8.5)
    ax.set_xlim(0, right * 100 + 45)
    ax.grid(axis="y", visible=False)
    basis_text = label(basis, lang) if basis != "mixed" else _t("bullet_basis_mixed", lang)
    unit = t("targets.chart.bullet_unit", lang, basis=basis_text)
    return finish(ax, title=title or _t("bullet_title", lang), unit=unit, source=source,
                  illustrative=illustrative, lang=lang, years=None, unit_axis="x")


def _series_by_key(frame: pd.DataFrame | None, regions: set[str]) -> dict[tuple[str, str], tuple]:
    """``{(region, indicator): (years, values)}`` for the regions drawn, sorted by year, grouped once."""
    if frame is None:
        return {}
    sub = frame[frame["region"].astype(str).isin(regions)].sort_values("year", kind="stable")
    keys = zip(sub["region"].astype(str), sub["indicator"])
    years, values = sub["year"].to_numpy(dtype=float), sub["value"].to_numpy(dtype=float)
    rows: dict[tuple[str, str], list[int]] = {}
    for i, key in enumerate(keys):
        rows.setdefault(key, []).append(i)
    return {key: (years[idx], values[idx]) for key, idx in rows.items()}


def _draw_series(ax, series: dict, who: str, code: str, years: range, **style) -> None:
    found = series.get((who, code))
    if found is not None:
        x, y = found
        keep = (x >= years.start) & (x <= years.stop - 1)
        if keep.any():
            ax.plot(x[keep], y[keep], **style)


def _panel_grid(n: int, ncols: int):
    """A figure of *n* panels in *ncols* columns with fixed margins (no layout engine)."""
    nrows = math.ceil(n / ncols)
    width, height = _PANEL_W * ncols, _PANEL_H * nrows + _LEGEND_H
    fig = new_figure(figsize=(width, height), layout=None)  # no Axes yet: only the panels drawn are created
    inner_w = (width - _MARGIN["left"] - _MARGIN["right"] - (ncols - 1) * _GAP_W) / ncols
    inner_h = (height - _MARGIN["top"] - _MARGIN["bottom"] - (nrows - 1) * _GAP_H) / nrows
    grid = fig.add_gridspec(nrows, ncols, left=_MARGIN["left"] / width, right=1 - _MARGIN["right"] / width,
                            bottom=_MARGIN["bottom"] / height, top=1 - _MARGIN["top"] / height,
                            wspace=_GAP_W / inner_w, hspace=_GAP_H / inner_h)
    # GridAxes: the picture is the whole figure, whose fixed margins hold the labels (no tight box to measure)
    return fig, [fig.add_subplot(grid[i // ncols, i % ncols], axes_class=GridAxes) for i in range(n)]


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
    region : str
        The region drawn.
    lang : {"zh", "en"}
        Language of every text.
    national : DataFrame, optional
        A panel with the national series, drawn in grey where it exists.
    reference : str, optional
        Another region of *panel* to draw for comparison (e.g. the province beside a city).
    ncols : int
        Panels per row.
    source : str, optional
        Source line.
    illustrative : bool
        Mark the data as illustrative.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Drawn with fixed margins rather than a layout engine, one legend for the figure, at most five value ticks
    per panel and the panel titles at a fixed height: the same size and resolution as before at less than half
    the drawing time (the city profile's slowest cell).
    """
    check_lang(lang)
    rows = _assessed(assessment)
    if rows.empty:
        raise ParameterError("trend_multiples needs at least one assessed target row")
    paths = {code: g for code, g in required_path(rows).groupby("indicator", sort=False)}
    values = _series_by_key(panel, {str(region), str(reference)})
    nat = _series_by_key(national, {NATION})
    fig, flat = _panel_grid(len(rows), ncols)
    labels = {k: _t(k, lang) for k in ("actual", "reference", "national", "required", "target")}
    spans: set[tuple[int, int]] = set()
    for ax, r in zip(flat, rows.to_dict("records")):
        code, t0, t1 = r["indicator"], int(r["baseline_year"]), int(r["target_year"])
        years = range(t0, max(t1, int(r["end_year"])) + 1)
        _draw_series(ax, values, str(region), code, years, color=PALETTE[0], marker="o", markersize=3.5,
                     linewidth=2, label=labels["actual"])
        if reference:
            _draw_series(ax, values, str(reference), code, years, color=PALETTE[3], linewidth=1.3,
                         label=labels["reference"])
        _draw_series(ax, nat, NATION, code, years, color="#8C8C8C", linewidth=1.2, linestyle=":",
                     label=labels["national"])
        path = paths.get(code)
        if path is not None:
            ax.plot(path["year"].to_numpy(), path["value"].to_numpy(), color=PALETTE[1], linestyle="--",
                    linewidth=1.4, label=labels["required"])
        if r["target_type"] == "range":
            ax.axhspan(r["target_low"], r["target_high"], color=PALETTE[4], alpha=0.15)
        ax.plot([t1], [r["target"]], marker="*", markersize=11, color=PALETTE[1], linestyle="none",
                label=labels["target"])
        # the unit goes into the title: one text fewer per panel, and no rotated text to lay out
        unit = r["unit"] if isinstance(r.get("unit"), str) and r["unit"] else None
        title = _name(r, lang, 14) + (t("targets.chart.unit", lang, unit=unit_name(unit, lang)) if unit else "")
        finish(ax, title=title, source=source, illustrative=illustrative, lang=lang)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.grid(axis="x", visible=False)  # years are read from the ticks; horizontal lines carry the values
        # three year ticks (baseline, middle, end): each tick is two lines and two texts to lay out
        ax.set_xticks(sorted({years.start, (years.start + years.stop) // 2, years.stop - 1}))
        ax.set_xlim(years.start - 0.3, years.stop - 0.7)
        spans.add((years.start, years.stop))
        # a fixed title height: matplotlib otherwise measures every tick label to place each title
        ax.set_title(ax.get_title(loc="left"), loc="left", y=1.0, pad=5, fontsize=11.5)
    if len(spans) == 1:  # the same years in every panel: label them once, under each column
        for i, ax in enumerate(flat):
            if i + ncols < len(flat):
                ax.tick_params(labelbottom=False)
    legend = {}
    for ax in flat:
        for handle, text in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(text, handle)
    fig.legend(list(legend.values()), list(legend), loc="upper center", bbox_to_anchor=(0.5, 1.0),
               ncols=len(legend), fontsize=8.5)
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
