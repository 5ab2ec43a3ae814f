"""Charts for 14th-plan projections: fan charts, bed demand against supply, programme costs, attainment.

Each function takes the frames of a :class:`evalkit.scenarios.ScenarioResult` (or the result itself),
draws on ``ax`` (a new one if ``None``) and returns it, finished in the house style
(:func:`evalkit.plots.finish`: title, unit, integer years, source line).
"""
from __future__ import annotations

import numpy as np

from evalkit.errors import ParameterError
from evalkit.plots import PALETTE, finish, new_axes

__all__ = ["attainment_chart", "beds_chart", "cost_chart", "fan_chart", "fan_grid"]

_T = {
    "observed": {"zh": "实际值", "en": "Observed"},
    "median": {"zh": "预测中位数", "en": "Projected median"},
    "band": {"zh": "{p}%预测区间", "en": "{p}% interval"},
    "target": {"zh": "目标 {v}", "en": "Target {v}"},
    "fan_title": {"zh": "{name}：{scenario}", "en": "{name}: {scenario}"},
    "needed": {"zh": "需求床位（每千名老年人{b}张）", "en": "Beds needed ({b} per 1,000 aged 60+)"},
    "nursing": {"zh": "其中护理型床位（{s}%）", "en": "of which nursing-type ({s}%)"},
    "planned": {"zh": "规划床位供给", "en": "Beds in the plan"},
    "beds_title": {"zh": "养老床位需求与供给：{scenario}", "en": "Elderly-care beds, demand and supply: {scenario}"},
    "beds_unit": {"zh": "张", "en": "beds"},
    "cost_title": {"zh": "救助保障资金需求：{scenario}", "en": "Cost of assistance programmes: {scenario}"},
    "cost_unit": {"zh": "亿元", "en": "100 million yuan (亿元)"},
    "total_band": {"zh": "合计{p}%区间", "en": "Total, {p}% interval"},
    "attain_title": {"zh": "{name}{year}年目标的实现概率：{scenario}",
                     "en": "Probability of reaching a {year} target, {name}: {scenario}"},
    "attain_x": {"zh": "目标值（{unit}）", "en": "Target ({unit})"},
    "attain_y": {"zh": "实现概率", "en": "Probability of attainment"},
}


def _t(key: str, lang: str, **kw) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return _T[key][lang].format(**kw)


def _ax(ax, figsize=None):
    return new_axes(figsize=figsize)[1] if ax is None else ax


def fan_chart(result, *, indicator: str, ax=None, lang: str = "zh", source: str | None = None,
              illustrative: bool = False):
    """Observed values, the projected median and nested 50/80/90% bands of one indicator.

    A stated plan target of the scenario is drawn as a horizontal line at its year.
    """
    sc = result.scenario
    if indicator not in sc.series:
        raise ParameterError(f"indicator {indicator!r} is not in scenario {sc.name!r}")
    s = sc.series[indicator]
    frame = result.paths[result.paths["indicator"] == indicator]
    observed = frame[frame["kind"] == "observed"]
    projected = frame[frame["kind"] == "projected"]
    ax = _ax(ax)
    # Join the fan to the last observation so the bands open from it.
    anchor = observed.tail(1)
    for lo, hi, alpha, pct in (("q05", "q95", 0.18, 90), ("q10", "q90", 0.25, 80), ("q25", "q75", 0.35, 50)):
        x = np.concatenate([anchor["year"], projected["year"]])
        ylo = np.concatenate([anchor["value"], projected[lo]])
        yhi = np.concatenate([anchor["value"], projected[hi]])
        ax.fill_between(x, ylo, yhi, color=PALETTE[0], alpha=alpha, linewidth=0, label=_t("band", lang, p=pct))
    ax.plot(observed["year"], observed["value"], marker="o", markersize=4, color=PALETTE[1], linewidth=1.8,
            label=_t("observed", lang))
    ax.plot(np.concatenate([anchor["year"], projected["year"]]), np.concatenate([anchor["value"], projected["q50"]]),
            color=PALETTE[0], linewidth=1.8, linestyle="--", label=_t("median", lang))
    if s.target:
        ax.axhline(s.target["value"], color=PALETTE[2], linewidth=1.2, linestyle=":",
                   label=_t("target", lang, v=f"{s.target['value']:g}"))
    ax.legend(fontsize=8, loc="upper left")
    if np.nanmax(np.abs(frame[["value", "q95"]].to_numpy(dtype=float))) >= 10_000:
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    name = s.name_zh if lang == "zh" else s.name_en
    return finish(ax, title=_t("fan_title", lang, name=name, scenario=sc.label(lang)), unit=s.unit, source=source,
                  illustrative=illustrative, lang=lang)


def fan_grid(result, *, indicators=None, ncols: int = 3, lang: str = "zh", source: str | None = None,
             illustrative: bool = False):
    """Fan charts of several indicators (default: every indicator of the scenario) in one figure.

    Returns the array of axes.
    """
    codes = list(result.scenario.indicators if indicators is None else indicators)
    if not codes:
        raise ParameterError("no indicators to chart")
    nrows = -(-len(codes) // ncols)
    _, axes = new_axes(nrows, ncols, figsize=(5.2 * ncols, 3.4 * nrows), squeeze=False)
    for ax, code in zip(axes.flat, codes):
        fan_chart(result, indicator=code, ax=ax, lang=lang, source=source, illustrative=illustrative)
        ax.title.set_fontsize(10)
        if ax.get_legend() is not None and code != codes[0]:
            ax.get_legend().remove()
    for ax in axes.flat[len(codes):]:
        ax.set_visible(False)
    return axes


def beds_chart(result, *, ax=None, lang: str = "zh", source: str | None = None, illustrative: bool = False):
    """Beds needed at the scenario's beds-per-1,000 target (with its interval), the nursing-type share of
    them, and the beds the plan provides (with its interval).
    """
    beds = result.beds
    if beds.empty:
        raise ParameterError(f"scenario {result.scenario.name!r} has no elderly_care section, so no bed demand")
    ax = _ax(ax)
    target = beds["beds_per_1000_target"].iloc[0]
    share = beds["nursing_share_target"].iloc[0]
    ax.fill_between(beds["year"], beds["beds_needed_lo"], beds["beds_needed_hi"], color=PALETTE[1], alpha=0.2,
                    linewidth=0)
    ax.plot(beds["year"], beds["beds_needed"], color=PALETTE[1], marker="o", markersize=4,
            label=_t("needed", lang, b=f"{target:g}"))
    ax.plot(beds["year"], beds["nursing_beds_needed"], color=PALETTE[1], linestyle=":",
            label=_t("nursing", lang, s=f"{share:g}"))
    ax.fill_between(beds["year"], beds["beds_planned_lo"], beds["beds_planned_hi"], color=PALETTE[0], alpha=0.2,
                    linewidth=0)
    ax.plot(beds["year"], beds["beds_planned"], color=PALETTE[0], marker="s", markersize=4, label=_t("planned", lang))
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.legend(fontsize=8, loc="upper left")
    return finish(ax, title=_t("beds_title", lang, scenario=result.scenario.label(lang)), unit=_t("beds_unit", lang),
                  source=source, illustrative=illustrative, lang=lang)


def cost_chart(result, *, ax=None, lang: str = "zh", source: str | None = None, illustrative: bool = False):
    """Stacked mean cost by programme per year, with the interval of the total."""
    cost = result.cost
    if cost.empty:
        raise ParameterError(f"scenario {result.scenario.name!r} has no costs section")
    ax = _ax(ax)
    parts = cost[cost["programme"] != "total"]
    bottom = np.zeros(len(result.years))
    name_col = "name_zh" if lang == "zh" else "name_en"
    for k, (code, part) in enumerate(parts.groupby("programme", sort=False)):
        part = part.set_index("year").reindex(result.years)
        ax.bar(result.years, part["mean"], bottom=bottom, color=PALETTE[k % len(PALETTE)], width=0.6,
               label=part[name_col].iloc[0])
        bottom += part["mean"].to_numpy()
    total = cost[cost["programme"] == "total"].set_index("year").reindex(result.years)
    ax.errorbar(result.years, total["mean"], yerr=[total["mean"] - total["lo"], total["hi"] - total["mean"]],
                fmt="none", ecolor="#333333", capsize=4, linewidth=1.2,
                label=_t("total_band", lang, p=round(100 * result.level)))
    ax.legend(fontsize=8, loc="upper left", ncols=2)
    ax.grid(axis="x", visible=False)
    return finish(ax, title=_t("cost_title", lang, scenario=result.scenario.label(lang)), unit=_t("cost_unit", lang),
                  source=source, illustrative=illustrative, lang=lang)


def attainment_chart(result, *, indicator: str, year: int | None = None, ax=None, lang: str = "zh",
                     source: str | None = None, illustrative: bool = False):
    """The probability of meeting each possible target value of one indicator (an attainment curve)."""
    from evalkit.scenarios import attainment

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
        ax.axvline(s.target["value"], color=PALETTE[2], linestyle=":", label=_t("target", lang, v=f"{s.target['value']:g}"))
        ax.legend(fontsize=8)
    ax.set_xlabel(_t("attain_x", lang, unit=s.unit))
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    name = s.name_zh if lang == "zh" else s.name_en
    return finish(ax, title=_t("attain_title", lang, name=name, year=year, scenario=sc.label(lang)),
                  unit=_t("attain_y", lang), source=source, illustrative=illustrative, lang=lang, years=None)

