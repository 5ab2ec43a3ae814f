"""What a scenario result says about targets: attainment probabilities, proposed targets, key figures."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from evalkit import catalogue
from evalkit._shared.checks import check_choice, check_lang
from evalkit.errors import DataShapeError, ParameterError
from evalkit.i18n import t
from evalkit.projection import BENCHMARK, METHODS
from evalkit.scenarios.simulate import ScenarioResult, _checked, _shared_inputs, _simulate
from evalkit.scenarios.spec import SeriesSpec

__all__ = ["attainment", "compare", "key_figures", "method_ranges", "propose_targets"]


def _year_index(result: ScenarioResult, year: int | None) -> tuple[int, int]:
    year = result.years[-1] if year is None else year
    if year not in result.years:
        raise ParameterError(f"year={year!r} is not a projection year of this result "
                             f"({result.years[0]}–{result.years[-1]})")
    return year, result.years.index(year)


def _direction(s: SeriesSpec, direction: str | None) -> str:
    if direction is not None:
        if direction not in ("at_least", "at_most"):
            raise ParameterError(f"direction={direction!r} must be 'at_least' or 'at_most'")
        return direction
    if s.target:
        return s.target["type"]
    return "at_most" if s.polarity < 0 else "at_least"


def attainment(result: ScenarioResult, *, indicator: str, target: float | Sequence[float] | np.ndarray,
               year: int | None = None, direction: Literal["at_least", "at_most"] | None = None):
    """Probability of meeting ``target`` in ``year`` under the scenario (share of Monte Carlo draws).

    ``direction`` defaults to the scenario target's type, else the indicator's polarity (higher is
    better → ``at_least``). ``target`` may be an array (an attainment curve); a scalar gives a float.
    """
    if indicator not in result.draws:
        raise ParameterError(f"indicator {indicator!r} is not in scenario {result.scenario.name!r}"
                             f"{catalogue.suggest(indicator, result.draws)}")
    year, i = _year_index(result, year)
    direction = _direction(result.scenario.series[indicator], direction)
    values = result.draws[indicator][:, i]
    t = np.asarray(target, dtype=float)
    hits = values[:, None] >= t.ravel()[None, :] if direction == "at_least" else values[:, None] <= t.ravel()[None, :]
    prob = hits.mean(axis=0).reshape(t.shape)
    return float(prob) if prob.ndim == 0 else prob


def propose_targets(result: ScenarioResult, *, probability: float = 0.8, year: int | None = None,
                    indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """A target for each scored indicator that the scenario meets with ``probability``.

    For an indicator where higher is better the proposed target is the :math:`1-p` quantile of the
    scenario's draws in ``year`` (met in a share *p* of the draws); where lower is better, the
    *p* quantile. The probability of meeting the scenario's own stated target (if any) is given beside
    it. Context series (polarity 0) and drivers are left out unless named in ``indicators``.

    Returns
    -------
    pandas.DataFrame
        ``indicator, name_zh, name_en, unit, base_year, base, year, median, proposed, probability,
        direction, binding, stated_target, prob_stated_target, path``.
    """
    if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 < probability < 1:
        raise ParameterError(f"probability={probability!r} must be strictly between 0 and 1, e.g. 0.8")
    sc = result.scenario
    year, i = _year_index(result, year)
    if indicators is None:
        codes = [c for c in sc.indicators if sc.series[c].polarity != 0]
    else:
        codes = list(indicators)
        for c in codes:
            if c not in sc.series:
                raise ParameterError(f"indicator {c!r} is not in scenario {sc.name!r}{catalogue.suggest(c, sc.series)}")
    methods = result.methods.set_index("indicator")
    rows = []
    for code in codes:
        s = sc.series[code]
        direction = _direction(s, None)
        values = result.draws[code][:, i]
        proposed = np.quantile(values, 1 - probability if direction == "at_least" else probability)
        observed = result.paths[(result.paths["indicator"] == code) & (result.paths["kind"] == "observed")
                                & (result.paths["year"] == sc.base_year)]["value"]
        stated = s.target["value"] if s.target else np.nan
        rows.append({
            "indicator": code, "name_zh": s.name_zh, "name_en": s.name_en, "unit": s.unit,
            "base_year": sc.base_year, "base": float(observed.iloc[0]) if len(observed) else np.nan,
            "year": year, "median": float(np.median(values)), "proposed": float(proposed),
            "probability": probability, "direction": direction, "binding": s.binding,
            "stated_target": stated,
            "prob_stated_target": attainment(result, indicator=code, target=stated, year=year) if s.target else np.nan,
            "path": f"{methods.loc[code, 'kind']}: {methods.loc[code, 'method']}"})
    return pd.DataFrame(rows)


def key_figures(result: ScenarioResult, ranges: pd.DataFrame | None = None, *,
                means: bool = True) -> dict[str, float]:
    """Headline numbers of a result (for ``report.glue``).

    Total cost over the period (median, mean — NaN when a path has no mean — and interval), the bed gap
    (mean and median) and the probability of enough beds in the last year, and the probability of meeting
    each stated target (``p_target_<indicator>``). With ``ranges`` (from :func:`method_ranges`) also the
    smallest and largest value of each method-dependent figure across the candidate methods
    (``<figure>_min``, ``<figure>_max``). ``means=False`` leaves the means out (``cost_total_mean``,
    ``beds_gap_end``): a report quotes medians, since a log-linear path has no mean.
    """
    out: dict[str, float] = {}
    if not result.cost_period.empty:
        total = result.cost_period.set_index("programme").loc["total"]
        out.update({"cost_total_median": float(total["median"]), "cost_total_lo": float(total["lo"]),
                    "cost_total_hi": float(total["hi"])})
        if means:
            out["cost_total_mean"] = float(total["mean"])
    if not result.beds.empty:
        last = result.beds.iloc[-1]
        out.update({"beds_gap_end_median": float(last["gap_median"]),
                    "beds_prob_enough_end": float(last["prob_enough"])})
        if means:
            out["beds_gap_end"] = float(last["gap"])
    for code, s in result.scenario.series.items():
        if s.target:
            out[f"p_target_{code}"] = attainment(result, indicator=code, target=s.target["value"])
    if ranges is not None:
        for row in ranges.itertuples():
            out[f"{row.figure}_min"] = float(row.min)
            out[f"{row.figure}_max"] = float(row.max)
    return out


def method_ranges(result: ScenarioResult, panel: pd.DataFrame, *, methods: Sequence[str] | None = None,
                  n_draws: int | None = None, year: int | None = None) -> pd.DataFrame:
    """How much each headline figure depends on the choice of forecasting method.

    The scenario is run again once per candidate method, with every ``method: auto`` series forecast by that
    method (for percentages, where ``loglinear`` is no candidate, by the benchmark instead), the same seeds
    and the same levers. Each headline figure — the median of every auto-forecast indicator in ``year``, the
    cost of each programme and in total in ``year``, the total over the period, the bed gap in ``year`` — is
    reported per method beside the value of the run the report shows (``chosen``) and its range.

    Parameters
    ----------
    result : ScenarioResult
        The run the report shows.
    panel : pandas.DataFrame
        The panel it was run on.
    methods : sequence of str, optional
        Candidate methods (default: the scenario's ``select.methods``); the drift benchmark is always included.
    n_draws : int, optional
        Monte Carlo draws per run (default: as many as ``result`` has).
    year : int, optional
        Year of the figures (default: the last projection year).

    Returns
    -------
    pandas.DataFrame
        One row per figure: ``figure, name_zh, name_en, unit`` (the indicator's unit, or ``yi_yuan`` / ``beds``
        for costs and beds), ``year, chosen``, one column per method (NaN when
        the method cannot be fitted to a series), ``min, max, min_method, max_method``. Medians throughout,
        since a log-linear forecast has no mean.
    """
    sc = result.scenario
    year, i = _year_index(result, year)
    candidates = list(dict.fromkeys([BENCHMARK, *(sc.methods if methods is None else methods)]))
    for m in candidates:
        check_choice("methods", m, METHODS)
    auto = sc.auto
    n = next(iter(result.draws.values())).shape[0] if n_draws is None else n_draws
    values: dict[str, dict[str, float]] = {}
    chosen = _figures(result, auto, year, i)
    used = result.methods.set_index("indicator")["method"]
    shared = None  # cohort draws and histories: the same in every method's run, so computed once
    for m in candidates:
        if n == next(iter(result.draws.values())).shape[0] and all(
                used[c] == (m if m != "loglinear" or sc.series[c].unit != "%" else BENCHMARK) for c in auto):
            values[m] = chosen  # the run the report shows is this method's run (same seeds, same draws)
            continue
        sc_m, years, _ = _checked(sc.with_method(m), result.years[-1], n)
        try:
            if shared is None:
                shared = _shared_inputs(sc_m, panel, years, n)
            # Only draws, costs and beds are read: the per-series quantiles (paths) are left out.
            run_m = _simulate(sc_m, panel, years, n, None, shared, summarise=False)
        except DataShapeError:
            values[m] = {}
            continue
        values[m] = _figures(run_m, auto, year, i)
    rows = []
    for figure, (name_zh, name_en, unit) in _figure_names(result, auto, year).items():
        per = {m: values[m].get(figure, np.nan) for m in candidates}
        finite = {m: v for m, v in per.items() if np.isfinite(v)}
        low = min(finite, key=finite.get) if finite else None
        high = max(finite, key=finite.get) if finite else None
        rows.append({"figure": figure, "name_zh": name_zh, "name_en": name_en, "unit": unit, "year": year,
                     "chosen": chosen.get(figure, np.nan), **per,
                     "min": finite[low] if low else np.nan, "max": finite[high] if high else np.nan,
                     "min_method": low or "", "max_method": high or ""})
    return pd.DataFrame(rows)


def _figures(result: ScenarioResult, auto: list[str], year: int, i: int) -> dict[str, float]:
    out = {f"median_{c}": float(np.median(result.draws[c][:, i])) for c in auto}
    if not result.cost.empty:
        cost = result.cost[result.cost["year"] == year].set_index("programme")["median"]
        out.update({f"cost_{code}_{year}": float(cost.loc[code]) for code in result.scenario.programmes})
        out[f"cost_total_{year}"] = float(cost.loc["total"])
        out["cost_total_period"] = float(result.cost_period.set_index("programme").loc["total", "median"])
    if not result.beds.empty:
        out[f"beds_gap_{year}"] = float(result.beds.set_index("year").loc[year, "gap_median"])
    return out


def _figure_names(result: ScenarioResult, auto: list[str], year: int) -> dict[str, tuple[str, str, str]]:
    sc = result.scenario
    out = {f"median_{c}": (sc.series[c].name_zh, sc.series[c].name_en, sc.series[c].unit) for c in auto}
    if not result.cost.empty:
        first, last = result.years[0], result.years[-1]
        for code, p in sc.programmes.items():
            out[f"cost_{code}_{year}"] = (t("scenarios.figure.cost_programme", "zh", name=p.name_zh, year=year),
                                          t("scenarios.figure.cost_programme", "en", name=p.name_en, year=year),
                                          "yi_yuan")
        out[f"cost_total_{year}"] = (t("scenarios.figure.cost_year", "zh", year=year),
                                     t("scenarios.figure.cost_year", "en", year=year), "yi_yuan")
        out["cost_total_period"] = (t("scenarios.figure.cost_period", "zh", first=first, last=last),
                                    t("scenarios.figure.cost_period", "en", first=first, last=last), "yi_yuan")
    if not result.beds.empty:
        out[f"beds_gap_{year}"] = (t("scenarios.figure.beds_gap", "zh", year=year),
                                   t("scenarios.figure.beds_gap", "en", year=year), "beds")
    return out


def compare(results: Sequence[ScenarioResult], *, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """Side by side, the median and interval of each indicator in ``year`` under each scenario.

    Returns one row per indicator (in the first scenario's order, then any others) with columns
    ``indicator, name, unit, base`` and, per scenario *s*, ``s_median, s_lo, s_hi``.
    """
    check_lang(lang)
    if not results:
        raise ParameterError("compare needs at least one ScenarioResult")
    codes: list[str] = []
    for r in results:
        codes += [c for c in r.scenario.indicators if c not in codes]
    table = []
    for code in codes:
        first = next(r for r in results if code in r.scenario.series)
        s = first.scenario.series[code]
        observed = first.paths[(first.paths["indicator"] == code) & (first.paths["kind"] == "observed")]
        row = {"indicator": code, "name": getattr(s, f"name_{lang}"), "unit": s.unit,
               "base": observed["value"].iloc[-1] if len(observed) else np.nan}
        for r in results:
            name = r.scenario.name
            if code in r.draws:
                _, i = _year_index(r, year)
                values = r.draws[code][:, i]
                lo, hi = np.quantile(values, [(1 - r.level) / 2, (1 + r.level) / 2])
                row.update({f"{name}_median": float(np.median(values)), f"{name}_lo": float(lo),
                            f"{name}_hi": float(hi)})
            else:
                row.update({f"{name}_median": np.nan, f"{name}_lo": np.nan, f"{name}_hi": np.nan})
        table.append(row)
    return pd.DataFrame(table)
