"""Display tables of a scenario result in the report's language (every label from the message catalogue).

Headers, kinds, attributes, method names, method notes and units come from ``data/messages/scenarios.csv``
and ``projection.csv``; numbers are text rounded to the indicator's decimals. Nothing English reaches a zh
table and nothing Chinese an en table: the catalogue's units (元/人·月, 张 …) are translated through
``scenarios.unit.<key>`` (the indicator catalogue has no English units of its own yet).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit import catalogue, i18n
from evalkit._shared.checks import Lang, check_lang
from evalkit._shared.numbers import MISSING
from evalkit.errors import ParameterError
from evalkit.projection import METHODS, method_label
from evalkit.scenarios.proposals import compare, propose_targets
from evalkit.scenarios.simulate import ScenarioResult

__all__ = ["beds_table", "comparison_table", "cost_table", "indicator_table", "methods_table", "range_table",
           "selection_table", "targets_table", "unit_label"]

#: message keys (``scenarios.unit.<key>``) of the units of the indicator catalogue and of the derived figures
_UNIT_KEYS = {"个": "count", "人": "persons", "人次": "person_times", "元/人": "yuan_person",
              "元/人·年": "yuan_person_year", "元/人·月": "yuan_person_month", "对": "couples", "张": "beds",
              "万人": "ten_thousand_persons", "亿元": "yi_yuan", "yi_yuan": "yi_yuan", "beds": "beds"}


def _h(key: str, lang: Lang, **fields) -> str:
    return i18n.t(f"scenarios.header.{key}", lang, **fields)


def _name(row_or_spec, lang: Lang) -> str:
    return getattr(row_or_spec, f"name_{lang}")


def unit_label(unit: str, lang: Lang = "zh") -> str:
    """A unit of the indicator catalogue (or ``yi_yuan`` / ``beds``) as shown in a *lang* table.

    Parameters
    ----------
    unit : str
        The catalogue unit, e.g. ``元/人·月``; ``%`` and ``‰`` and units without a message are returned as is.
    lang : {"zh", "en"}
        Language of the table.

    Returns
    -------
    str
        ``元/人·月`` → ``yuan/person/month`` in English, unchanged in Chinese.
    """
    check_lang(lang)
    key = _UNIT_KEYS.get(str(unit))
    return i18n.t(f"scenarios.unit.{key}", lang) if key else str(unit)


_unit = unit_label


def _decimals(code: str) -> int:
    try:
        return catalogue.indicator(code).decimals
    except ParameterError:
        return 1


def _fmt(value: float, decimals: int) -> str:
    return MISSING if value is None or not np.isfinite(value) else f"{value:,.{decimals}f}"


def indicator_table(result: ScenarioResult, *, probability: float = 0.8, year: int | None = None,
                    lang: Lang = "zh") -> pd.DataFrame:
    """The proposed indicators in the form of a plan's 主要指标表: indicator (unit), base, target, attribute.

    Targets come from :func:`propose_targets`, rounded to the catalogue's decimals; ``at_least``
    targets are written with 以上 / "≥" and ``at_most`` with 以下 / "≤".
    """
    check_lang(lang)
    proposals = propose_targets(result, probability=probability, year=year)
    rows = []
    for k, r in enumerate(proposals.itertuples(), start=1):
        decimals = _decimals(r.indicator)
        target = i18n.t(f"scenarios.direction.{r.direction}", lang, value=f"{r.proposed:,.{decimals}f}")
        rows.append({_h("number", lang): k, _h("indicator_name", lang): _name(r, lang),
                     _h("unit", lang): _unit(r.unit, lang),
                     _h("base", lang, y=r.base_year): _fmt(r.base, decimals),
                     _h("target", lang, y=r.year): target,
                     _h("attribute", lang): i18n.t(f"scenarios.binding.{_binding_key(r.binding)}", lang)})
    return pd.DataFrame(rows)


def _binding_key(binding: str) -> str:
    return "binding" if binding == "约束性" else "expected"


def comparison_table(results: Sequence[ScenarioResult], *, year: int | None = None,
                     lang: Lang = "zh") -> pd.DataFrame:
    """:func:`compare` as display text: per scenario, ``median [lo–hi]`` under the scenario's label."""
    numbers = compare(results, year=year, lang=lang)
    end = results[0].years[-1] if year is None else year
    base_year = results[0].scenario.base_year
    out = pd.DataFrame({_h("indicator", lang): numbers["name"],
                        _h("unit", lang): [_unit(u, lang) for u in numbers["unit"]]})
    decimals = [_decimals(c) for c in numbers["indicator"]]
    out[_h("base_value", lang, y=base_year)] = [_fmt(v, d) for v, d in zip(numbers["base"], decimals)]
    for r in results:
        n = r.scenario.name
        out[_h("scenario_year", lang, scenario=r.scenario.label(lang), y=end)] = [
            MISSING if not np.isfinite(m) else f"{_fmt(m, d)} [{_fmt(lo, d)}–{_fmt(hi, d)}]"
            for m, lo, hi, d in zip(numbers[f"{n}_median"], numbers[f"{n}_lo"], numbers[f"{n}_hi"], decimals)]
    return out


def methods_table(result: ScenarioResult, *, lang: Lang = "zh") -> pd.DataFrame:
    """How each series of the scenario was projected: path kind, method and the method note, in *lang*."""
    check_lang(lang)
    sc = result.scenario
    m = result.methods
    names = [_name(sc.series[c], lang) for c in m["indicator"]]
    kinds = [i18n.t(f"scenarios.kind.{k}", lang) for k in m["kind"]]
    methods = [method_label(x, lang) if x in METHODS else i18n.t(f"scenarios.kind.{x}", lang) for x in m["method"]]
    details = m["detail_zh"] if lang == "zh" else m["detail"]
    return pd.DataFrame({_h("indicator", lang): names, _h("path", lang): kinds, _h("method", lang): methods,
                         _h("detail", lang): list(details)})


def beds_table(result: ScenarioResult, *, lang: Lang = "zh") -> pd.DataFrame:
    """Bed demand against supply by year (medians over the draws), rounded for display."""
    check_lang(lang)
    b = result.beds
    if b.empty:
        raise ParameterError(f"scenario {result.scenario.name!r} has no elderly_care section")
    nursing = b["beds_needed_median"] * b["nursing_share_target"] / 100
    columns = {"pop_60plus": b["pop_60plus"], "beds_needed": b["beds_needed_median"],
               "nursing_beds_needed": nursing, "beds_planned": b["beds_planned_median"], "gap": b["gap_median"]}
    out = pd.DataFrame({_h("year", lang): b["year"]})
    for key, values in columns.items():
        out[_h(key, lang)] = values.round(0).astype("int64")
    out[_h("prob_enough", lang)] = b["prob_enough"]
    return out


def cost_table(result: ScenarioResult, *, lang: Lang = "zh", period: bool = False) -> pd.DataFrame:
    """Programme costs (亿元) by year, or totals over the period (``period=True``): median and interval.

    The median, not the mean: with a log-linear forecast the mean of the cost does not exist.
    """
    check_lang(lang)
    frame = result.cost_period if period else result.cost
    out = pd.DataFrame({_h("programme", lang): frame[f"name_{lang}"]})
    if not period:
        out.insert(0, _h("year", lang), frame["year"])
    out[_h("median", lang)] = frame["median"].round(2)
    out[_h("interval", lang, p=round(100 * result.level))] = [
        f"{lo:,.2f}–{hi:,.2f}" for lo, hi in zip(frame["lo"], frame["hi"])]
    return out


def targets_table(result: ScenarioResult, *, probability: float = 0.8, lang: Lang = "zh") -> pd.DataFrame:
    """Proposed targets beside the scenario's stated targets and their attainment probabilities."""
    check_lang(lang)
    t = propose_targets(result, probability=probability)
    decimals = [_decimals(c) for c in t["indicator"]]
    return pd.DataFrame({
        _h("indicator", lang): t[f"name_{lang}"],
        _h("unit", lang): [_unit(u, lang) for u in t["unit"]],
        _h("base_value", lang, y=result.scenario.base_year): [_fmt(v, d) for v, d in zip(t["base"], decimals)],
        _h("proposed", lang, p=round(100 * probability)): [_fmt(v, d) for v, d in zip(t["proposed"], decimals)],
        _h("stated", lang): [_fmt(v, d) for v, d in zip(t["stated_target"], decimals)],
        _h("prob", lang): t["prob_stated_target"]})


def range_table(ranges: pd.DataFrame, *, lang: Lang = "zh") -> pd.DataFrame:
    """:func:`method_ranges` for a report: each figure, the value shown, its value under every method and the range.

    Parameters
    ----------
    ranges : pandas.DataFrame
        The output of :func:`evalkit.scenarios.method_ranges`.
    lang : {"zh", "en"}
        Language of headers, names and method names.

    Returns
    -------
    pandas.DataFrame
        Text columns: figure, unit, the value in the report, one column per method, and ``min – max``.
    """
    check_lang(lang)
    methods = [c for c in ranges.columns if c in METHODS]
    decimals = [_decimals(f.removeprefix("median_")) if f.startswith("median_") else 0 if u == "beds" else 2
                for f, u in zip(ranges["figure"], ranges["unit"])]
    out = pd.DataFrame({_h("figure", lang): ranges[f"name_{lang}"],
                        _h("unit", lang): [_unit(u, lang) for u in ranges["unit"]],
                        _h("chosen", lang): [_fmt(v, d) for v, d in zip(ranges["chosen"], decimals)]})
    for m in methods:
        out[method_label(m, lang)] = [_fmt(v, d) for v, d in zip(ranges[m], decimals)]
    out[_h("range", lang)] = [f"{_fmt(lo, d)} – {_fmt(hi, d)}"
                              for lo, hi, d in zip(ranges["min"], ranges["max"], decimals)]
    return out


def selection_table(result: ScenarioResult, selection: pd.DataFrame, *, lang: Lang = "zh") -> pd.DataFrame:
    """The backtests behind the ``method: auto`` series of a scenario: years, forecasts, MAPE beside MASE, method.

    Parameters
    ----------
    result : ScenarioResult
        The run shown (its region and series names).
    selection : pandas.DataFrame
        :func:`evalkit.scenarios.auto_selection` (or :func:`evalkit.projection.select`) output.
    lang : {"zh", "en"}
        Language of headers, method names and notes.

    Returns
    -------
    pandas.DataFrame
        Indicator, years of data, rolling-origin forecasts, the benchmark's MAPE (%) and MASE (Hyndman &
        Koehler 2006), the method used and the decision in a few words (the full sentence,
        :func:`evalkit.projection.selection_note`, is in :func:`methods_table`).
    """
    check_lang(lang)
    sc = result.scenario
    auto = sc.auto
    rows = selection[(selection["region"].astype(str) == sc.region) & selection["indicator"].isin(auto)]
    order = {c: k for k, c in enumerate(sc.indicators)}
    rows = rows.assign(_order=rows["indicator"].map(order)).sort_values("_order", kind="stable")
    return pd.DataFrame({
        _h("indicator", lang): [_name(sc.series[c], lang) for c in rows["indicator"]],
        _h("n_years", lang): rows["n_years"].astype(int).to_list(),
        _h("n_forecasts", lang): rows["n_forecasts"].astype(int).to_list(),
        _h("mape", lang): [_fmt(v, 2) for v in rows["benchmark_mape"]],
        _h("mase", lang): [_fmt(v, 2) for v in rows["benchmark_mase"]],
        _h("method", lang): [method_label(m, lang) for m in rows["method"]],
        _h("decision", lang): [i18n.t(f"scenarios.decision.{d}", lang) for d in rows["decision"]]})
