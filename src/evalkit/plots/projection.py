"""Charts for 14th-plan projections: fan charts, bed demand against supply, programme costs, attainment.

Each function takes the frames of a :class:`evalkit.scenarios.ScenarioResult` (or the result itself),
draws on ``ax`` (a new one if ``None``) and returns it, finished in the house style
(:func:`evalkit.plots.finish`: title, unit, integer years, source line).
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from evalkit import i18n
from evalkit._shared.checks import Lang, check_lang
from evalkit.errors import ParameterError
from evalkit.plots import PALETTE, finish, label, new_axes, new_figure, use_house_style
from evalkit.plots.render import GridAxes
from evalkit.scenarios import attainment, unit_label

__all__ = ["attainment_chart", "beds_chart", "cost_chart", "fan_chart", "fan_grid"]

def _t(key: str, lang: Lang, **fields) -> str:
    return i18n.t(f"plots_projection.{key}", lang, **fields)


def _ax(ax, figsize=None):
    return new_axes(figsize=figsize)[1] if ax is None else ax


def _draw_fan(ax, result, indicator: str, lang: Lang, *, legend: bool = True) -> None:
    """The fan of one indicator on *ax*: observed values, projected median, nested 50/80/90% bands, target."""
    s = result.scenario.series[indicator]
    frame = result.paths[result.paths["indicator"] == indicator]
    observed = frame[frame["kind"] == "observed"]
    projected = frame[frame["kind"] == "projected"]
    # Join the fan to the last observation so the bands open from it.
    anchor = observed.tail(1)
    x = np.concatenate([anchor["year"], projected["year"]])
    for lo, hi, alpha, pct in (("q05", "q95", 0.18, 90), ("q10", "q90", 0.25, 80), ("q25", "q75", 0.35, 50)):
        ylo = np.concatenate([anchor["value"], projected[lo]])
        yhi = np.concatenate([anchor["value"], projected[hi]])
        ax.fill_between(x, ylo, yhi, color=PALETTE[0], alpha=alpha, linewidth=0, label=_t("band", lang, p=pct))
    ax.plot(observed["year"], observed["value"], marker="o", markersize=4, color=PALETTE[1], linewidth=1.8,
            label=_t("observed", lang))
    ax.plot(x, np.concatenate([anchor["value"], projected["q50"]]), color=PALETTE[0], linewidth=1.8,
            linestyle="--", label=_t("median", lang))
    if s.target:
        ax.axhline(s.target["value"], color=PALETTE[2], linewidth=1.2, linestyle=":",
                   label=_t("target", lang, v=f"{s.target['value']:g}"))
    if legend:
        ax.legend(fontsize=8, loc="upper left")
    if np.nanmax(np.abs(frame[["value", "q95"]].to_numpy(dtype=float))) >= 10_000:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def _check_indicator(result, indicator: str) -> None:
    sc = result.scenario
    if indicator not in sc.series:
        raise ParameterError(f"indicator {indicator!r} is not in scenario {sc.name!r}")


def fan_chart(result, *, indicator: str, ax=None, lang: Lang = "zh", source: str | None = None,
              illustrative: bool = False):
    """Observed values, the projected median and nested 50/80/90% bands of one indicator.

    A stated plan target of the scenario is drawn as a horizontal line at its year.
    """
    check_lang(lang)
    _check_indicator(result, indicator)
    sc = result.scenario
    s = sc.series[indicator]
    ax = _ax(ax)
    _draw_fan(ax, result, indicator, lang)
    name = getattr(s, f"name_{lang}")
    return finish(ax, title=_t("fan_title", lang, name=name, scenario=sc.label(lang)), unit=unit_label(s.unit, lang),
                  source=source, illustrative=illustrative, lang=lang)


#: panel size of :func:`fan_grid`, its fixed margins and the distance of the unit label from the axis, in inches
_PANEL = (5.2, 3.4)
_MARGIN = {"left": 0.75, "right": 0.15, "top": 0.35, "bottom": 0.55, "wspace": 0.75, "hspace": 0.75}
#: width of a digit of a tick label, in inches (10 pt tick labels), and the gap between tick labels and unit
_DIGIT, _GAP = 0.075, 0.14


def _title_size(text: str, width: float, size: float = 10.0, smallest: float = 7.0) -> float:
    """A font size at which *text* fits *width* inches: Chinese characters about 1 em wide, others about 0.55 em.

    Estimated from the characters rather than measured (measuring every panel's title is what made the grid slow);
    long English names (``Centralised-care rate of extreme-poverty persons …``) would otherwise run into the next
    panel.
    """
    ems = sum(1.0 if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\uffef" else 0.55 for ch in text)
    return max(smallest, min(size, width * 72 / max(ems, 1.0)))


def _unit_offset(ax) -> float:
    """Distance of the unit label from the value axis, in inches.

    The widest tick label, estimated from its characters without rendering, plus a gap.
    """
    low, high = ax.get_ylim()
    ticks = [v for v in ax.get_yticks() if low <= v <= high]
    labels = ax.yaxis.get_major_formatter().format_ticks(ticks) if ticks else [""]
    return _GAP + _DIGIT * max(len(text) for text in labels)


def fan_grid(result, *, indicators=None, ncols: int = 3, lang: Lang = "zh", source: str | None = None,
             illustrative: bool = False):
    """Fan charts of several indicators (default: every indicator of the scenario) in one figure.

    The panels are laid out on a fixed grid (margins in inches) rather than by matplotlib's constrained
    layout, whose repeated measuring of every tick label took most of the time of a 21-panel figure; years
    are fixed ticks, the legend is drawn once (first panel) and the source line once for the figure. The
    figure size and resolution are those of the earlier layout. Returns the array of axes.
    """
    check_lang(lang)
    codes = list(result.scenario.indicators if indicators is None else indicators)
    if not codes:
        raise ParameterError("no indicators to chart")
    for code in codes:
        _check_indicator(result, code)
    use_house_style()
    nrows = -(-len(codes) // ncols)
    width, height = _PANEL[0] * ncols, _PANEL[1] * nrows
    m = _MARGIN
    fig = new_figure(figsize=(width, height))
    axes = fig.subplots(nrows, ncols, squeeze=False, subplot_kw={"axes_class": GridAxes}, gridspec_kw={
        "left": m["left"] / width, "right": 1 - m["right"] / width, "top": 1 - m["top"] / height,
        "bottom": m["bottom"] / height, "wspace": m["wspace"] / (_PANEL[0] - m["wspace"]),
        "hspace": m["hspace"] / (_PANEL[1] - m["hspace"])})
    years = sorted(set(result.paths["year"].astype(int)))
    step = max(1, -(-len(years) // 6))
    ticks = years[::-1][::step][::-1]
    sc = result.scenario
    for k, (ax, code) in enumerate(zip(axes.flat, codes)):
        _draw_fan(ax, result, code, lang, legend=k == 0)
        s = sc.series[code]
        name = getattr(s, f"name_{lang}")
        # A title at a given height and a unit label at given coordinates are placed without measuring the
        # tick labels of every panel on each draw (matplotlib's automatic placement does).
        title = _t("fan_title", lang, name=name, scenario=sc.label(lang))
        ax.set_title(title, loc="left", fontsize=_title_size(title, _PANEL[0] - m["wspace"]), y=1.0, pad=6)
        ax.set_ylabel(unit_label(s.unit, lang))
        ax.yaxis.set_label_coords(-_unit_offset(ax) / (_PANEL[0] - m["wspace"]), 0.5)
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        # At most six intervals at round steps on the value axis (what matplotlib's automatic choice gives a panel
        # of this height), fixed so that the unit label can be placed from the tick labels without rendering.
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{round(v)}"))
    for ax in axes.flat[len(codes):]:
        ax.set_visible(False)
    line = _source_line(source, illustrative, lang)
    if line:
        fig.text(0.01, 0.2 / height, line, ha="left", fontsize=7.5, color="#555555")
    return axes


def _source_line(source: str | None, illustrative: bool, lang: Lang) -> str:
    parts = []
    if source:
        parts.append(f"{label('source', lang)}: {source}")
    if illustrative:
        parts.append(label("illustrative", lang))
    return _t("separator", lang).join(parts)


def beds_chart(result, *, ax=None, lang: Lang = "zh", source: str | None = None, illustrative: bool = False):
    """Beds needed against the beds the plan provides (medians with their intervals).

    Beds needed are at the scenario's beds-per-1,000 target, with the nursing-type share of them.
    """
    check_lang(lang)
    beds = result.beds
    if beds.empty:
        raise ParameterError(f"scenario {result.scenario.name!r} has no elderly_care section, so no bed demand")
    ax = _ax(ax)
    target = beds["beds_per_1000_target"].iloc[0]
    share = beds["nursing_share_target"].iloc[0]
    ax.fill_between(beds["year"], beds["beds_needed_lo"], beds["beds_needed_hi"], color=PALETTE[1], alpha=0.2,
                    linewidth=0)
    ax.plot(beds["year"], beds["beds_needed_median"], color=PALETTE[1], marker="o", markersize=4,
            label=_t("needed", lang, b=f"{target:g}"))
    ax.plot(beds["year"], beds["beds_needed_median"] * share / 100, color=PALETTE[1], linestyle=":",
            label=_t("nursing", lang, s=f"{share:g}"))
    ax.fill_between(beds["year"], beds["beds_planned_lo"], beds["beds_planned_hi"], color=PALETTE[0], alpha=0.2,
                    linewidth=0)
    ax.plot(beds["year"], beds["beds_planned_median"], color=PALETTE[0], marker="s", markersize=4,
            label=_t("planned", lang))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.legend(fontsize=8, loc="upper left")
    return finish(ax, title=_t("beds_title", lang, scenario=result.scenario.label(lang)),
                  unit=_t("beds_unit", lang), source=source, illustrative=illustrative, lang=lang)


def cost_chart(result, *, ax=None, lang: Lang = "zh", source: str | None = None, illustrative: bool = False):
    """Median cost by programme per year, stacked, with the median and interval of the total.

    Medians, not means: a log-linear forecast has no mean. Medians do not add up exactly, so the total's
    median (the marker) can sit slightly off the top of the stack.
    """
    check_lang(lang)
    cost = result.cost
    if cost.empty:
        raise ParameterError(f"scenario {result.scenario.name!r} has no costs section")
    ax = _ax(ax)
    parts = cost[cost["programme"] != "total"]
    bottom = np.zeros(len(result.years))
    name_col = f"name_{lang}"
    for k, (_, part) in enumerate(parts.groupby("programme", sort=False)):
        part = part.set_index("year").reindex(result.years)
        ax.bar(result.years, part["median"], bottom=bottom, color=PALETTE[k % len(PALETTE)], width=0.6,
               label=part[name_col].iloc[0])
        bottom += part["median"].to_numpy()
    total = cost[cost["programme"] == "total"].set_index("year").reindex(result.years)
    ax.errorbar(result.years, total["median"],
                yerr=[total["median"] - total["lo"], total["hi"] - total["median"]],
                fmt="_", color="#333333", ecolor="#333333", capsize=4, linewidth=1.2,
                label=_t("total_band", lang, p=round(100 * result.level)))
    # Headroom above the tallest interval, so the legend sits over empty space rather than over the bars.
    ax.set_ylim(0, 1.4 * float(np.nanmax(total["hi"].to_numpy(dtype=float))))
    ax.legend(fontsize=8, loc="upper left", ncols=2)
    ax.grid(axis="x", visible=False)
    return finish(ax, title=_t("cost_title", lang, scenario=result.scenario.label(lang)),
                  unit=_t("cost_unit", lang), source=source, illustrative=illustrative, lang=lang)


def attainment_chart(result, *, indicator: str, year: int | None = None, ax=None, lang: Lang = "zh",
                     source: str | None = None, illustrative: bool = False):
    """The probability of meeting each possible target value of one indicator (an attainment curve)."""
    check_lang(lang)
    sc = result.scenario
    if indicator not in result.draws:
        raise ParameterError(f"indicator {indicator!r} is not in scenario {sc.name!r}")
    year = result.years[-1] if year is None else year
    values = result.draws[indicator][:, result.years.index(year)] if year in result.years else None
    if values is None:
        raise ParameterError(f"year={year!r} is not a projection year ({result.years[0]}–{result.years[-1]})")
    grid = np.linspace(*np.quantile(values, [0.005, 0.995]), 200)
    prob = attainment(result, indicator=indicator, target=grid, year=year)
    s = sc.series[indicator]
    ax = _ax(ax)
    ax.plot(grid, prob, color=PALETTE[0], linewidth=2)
    for p in (0.5, 0.8, 0.95):
        ax.axhline(p, color="#999999", linewidth=0.8, linestyle=":")
    if s.target:
        ax.axvline(s.target["value"], color=PALETTE[2], linestyle=":",
                   label=_t("target", lang, v=f"{s.target['value']:g}"))
        ax.legend(fontsize=8)
    ax.set_xlabel(_t("attain_x", lang, unit=unit_label(s.unit, lang)))
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    name = getattr(s, f"name_{lang}")
    return finish(ax, title=_t("attain_title", lang, name=name, year=year, scenario=sc.label(lang)),
                  unit=_t("attain_y", lang), source=source, illustrative=illustrative, lang=lang, years=None)

