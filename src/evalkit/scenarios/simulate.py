"""Running a scenario: Monte Carlo paths of every series, bed demand and programme costs."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from evalkit._shared.checks import LANGS
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import DataShapeError, ParameterError
from evalkit.i18n import t
from evalkit.projection import cohort_inputs, cohort_step, describe, predictive, select, selection_note, series_of
from evalkit.scenarios.costs import _mean, _rng, programme_costs
from evalkit.scenarios.load import load
from evalkit.scenarios.spec import Scenario, SeriesSpec
from evalkit.units import convert

__all__ = ["ScenarioResult", "auto_selection", "run"]

_QUANTILES = {"q05": 0.05, "q10": 0.10, "q25": 0.25, "q50": 0.50, "q75": 0.75, "q90": 0.90, "q95": 0.95}


@dataclass(frozen=True)
class ScenarioResult(ResultDisplay):
    """What :func:`run` returns.

    Attributes
    ----------
    scenario : Scenario
    years : tuple of int
        Projection years (base year + 1 … horizon end).
    paths : pandas.DataFrame
        ``indicator, year, kind`` (``observed``/``projected``), ``value`` (observed value; the median when
        projected), ``mean`` (NaN where the distribution has none), ``lo``, ``hi`` (interval at ``level``) and
        quantiles ``q05 … q95`` for fan charts.
    methods : pandas.DataFrame
        How each series was projected: ``indicator, kind, method, detail`` (English), ``detail_zh`` and
        ``has_mean`` (False for a log-linear forecast and the series computed from it: a log-t distribution has
        no mean, so their ``mean`` columns are NaN and the median is reported).
    population : pandas.DataFrame
        Cohort projection: ``year, pop_60plus, pop_65plus, pop_80plus`` (medians) every year.
    beds : pandas.DataFrame
        ``year, pop_60plus, beds_needed, beds_needed_lo, beds_needed_hi, nursing_beds_needed, beds_planned,
        beds_planned_lo, beds_planned_hi, gap, beds_needed_median, beds_planned_median, gap_median,
        prob_enough`` (empty without ``elderly_care``).
    cost : pandas.DataFrame
        ``year, programme, name_zh, name_en, median, mean, lo, hi`` in 亿元 (10⁸ yuan), with
        ``programme == "total"`` rows; ``mean`` is NaN when a recipient or standard path has no mean.
    cost_period : pandas.DataFrame
        Totals over the projection years, same columns without ``year``.
    level : float
        Interval level of ``lo``/``hi``.
    draws : dict
        Monte Carlo draws per series, shape (n_draws, len(years)); used by :func:`propose_targets`.
    shares : dict
        Draws of each programme's recipient share, shape (n_draws,).
    """

    scenario: Scenario
    years: tuple[int, ...]
    paths: pd.DataFrame
    methods: pd.DataFrame
    population: pd.DataFrame
    beds: pd.DataFrame
    cost: pd.DataFrame
    cost_period: pd.DataFrame
    level: float
    draws: Mapping[str, np.ndarray] = field(repr=False, compare=False)
    shares: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def _summary(self) -> Summary:
        end = self.years[-1]
        final = self.paths[(self.paths["year"] == end) & (self.paths["kind"] == "projected")][
            ["indicator", "value", "lo", "hi"]]
        return Summary(f"Scenario {self.scenario.name} ({self.scenario.label_en}), {self.years[0]}–{end}",
                       [self.scenario.description_en],
                       {f"{end}: median and {self.level:.0%} interval": final, "Beds": self.beds,
                        "Cost over the period (100 million yuan)": self.cost_period})


def _histories(panel: pd.DataFrame, sc: Scenario) -> dict[str, pd.Series]:
    """The panel's record up to the base year of every series of *sc* (empty for drivers and series it lacks).

    The panel is filtered by region once and split by indicator, rather than filtered again for every series.
    """
    region = panel[panel["region"].astype(str) == sc.region]
    # pandas deep-copies attrs (read_panel's notes) into every group; the records do not need them.
    region.attrs = {}
    groups = dict(tuple(region.groupby("indicator", sort=False)))
    out, checked = {}, False
    for code, spec in sc.series.items():
        rows = None if spec.is_driver else groups.get(code)
        if rows is None or rows.empty:
            out[code] = pd.Series(dtype=float, name=code)
            continue
        if not checked:  # series_of checks the panel's columns (once is enough) and builds the record
            s, checked = series_of(rows, region=sc.region, indicator=code), True
        else:  # built as series_of builds it, without filtering the rows again
            s = pd.Series(rows["value"].astype(float).to_numpy(), index=pd.Index(rows["year"].astype(int), name="year"),
                          name=code).sort_index()
        out[code] = s[s.index <= sc.base_year]
    return out


def _base_value(s: SeriesSpec, history: pd.Series, sc: Scenario) -> float:
    if sc.base_year in history.index:
        return float(history.loc[sc.base_year])
    if s.base is not None and s.base["year"] == sc.base_year:
        return float(s.base["value"])
    have = f"the panel has it up to {int(history.index.max())}" if len(history) else "the panel has no values of it"
    raise DataShapeError(
        f"scenario {sc.name!r}: {s.code!r} needs a {sc.base_year} value to start its {s.path['kind']} path, but "
        f"{have} for region {sc.region}; add the {sc.base_year} value to the panel or a "
        f"'base: {{year: {sc.base_year}, value: …, source: …}}' entry to {s.code} in {sc.file}")


def _cohort_draws(sc: Scenario, years: np.ndarray, n: int) -> dict[int, np.ndarray]:
    """Draws of the population at or above each five-year age bound, interpolated to every year."""
    ec = sc.elderly_care
    base = pd.read_csv(ec.population, encoding="utf-8")
    rates = pd.read_csv(ec.rates, encoding="utf-8")
    sexes, ages, pop, surv, mig, fert, has_sex = cohort_inputs(base, rates)
    rng = _rng(sc.seed, "elderly_care.cohort")
    # Proportional change in five-year death probabilities (1 − S), and a scale on net migration.
    dm = ec.mortality_change.draw(rng, n)[:, None, None]
    ms = np.maximum(ec.migration_scale.draw(rng, n), 0)[:, None, None]
    surv_d = np.clip(1 - (1 - surv[None]) * (1 + dm), 0, 1)
    mig_d = mig[None] * ms
    female = np.array([s == "female" for s in sexes]) if has_sex else None
    steps = int(np.ceil((years[-1] - sc.base_year) / 5))
    state = np.broadcast_to(pop, (n, *pop.shape)).copy()
    snapshots = [state]
    for _ in range(steps):
        state, _, _ = cohort_step(state, surv_d, mig_d, fert, female, ec.birth_survival, 1 / (1 + ec.srb), 5)
        snapshots.append(state)
    knots = sc.base_year + 5 * np.arange(steps + 1)
    out = {}
    for bound in ages:
        totals = np.stack([s[..., ages >= bound].sum(axis=(-1, -2)) for s in snapshots], axis=1)  # (n, knots)
        # Between five-year points the population moves geometrically (constant growth rate).
        logs = np.log(totals)
        out[int(bound)] = np.exp(_interp_rows(years, knots, logs))
    return out


def _interp_rows(x: np.ndarray, xp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    """``np.interp(x, xp, row)`` for every row of *fp* at once, with numpy's arithmetic step for step.

    Parameters
    ----------
    x : numpy.ndarray
        Points to evaluate at, shape (m,), without NaN.
    xp : numpy.ndarray
        Increasing knots, shape (k,).
    fp : numpy.ndarray
        Values at the knots, one row per curve, shape (n, k).

    Returns
    -------
    numpy.ndarray
        Shape (n, m), bit-identical to ``np.stack([np.interp(x, xp, row) for row in fp])``: below the first
        knot ``fp[:, 0]``, at a knot or after the last one the knot's value, and between knots ``xp[j] < x <
        xp[j+1]`` ``slope * (x - xp[j]) + fp[:, j]`` with ``slope = (fp[:, j+1] - fp[:, j]) / (xp[j+1] -
        xp[j])``; where that is NaN, numpy's fallbacks (the same line from ``xp[j+1]``, then ``fp[:, j]`` if
        the two knot values are equal).
    """
    x = np.asarray(x, dtype=float)
    xp = np.asarray(xp, dtype=float)
    fp = np.asarray(fp, dtype=float)
    last = len(xp) - 1
    j = np.searchsorted(xp, x, side="right") - 1  # the last knot at or below x (−1 below the first)
    at = np.clip(j, 0, last)
    # A fresh C-ordered array (as np.stack gives; fp[:, at] would be Fortran-ordered, and sums over draws
    # then add in another order): the knot values, right wherever x is not strictly between two knots.
    out = fp.take(at, axis=1)
    inner = (j >= 0) & (j < last) & (x != xp[at])
    if not inner.any():
        return out
    k, x_in = j[inner], x[inner]
    y0, y1 = fp[:, k], fp[:, k + 1]
    with np.errstate(all="ignore"):
        slope = (y1 - y0) / (xp[k + 1] - xp[k])
        value = slope * (x_in - xp[k]) + y0
        if np.isnan(value).any():
            value = np.where(np.isnan(value), slope * (x_in - xp[k + 1]) + y1, value)
            value = np.where(np.isnan(value) & (y0 == y1), y0, value)
    out[:, inner] = value
    return out


def _clip(s: SeriesSpec, draws: np.ndarray) -> np.ndarray:
    return np.clip(draws, 0, 100 if s.unit == "%" else None)


def _factor(from_unit: str, to_unit: str) -> float:
    return float(convert(1.0, from_unit, to_unit))


def _names(sc: Scenario, code: str) -> dict[str, str]:
    s = sc.series[code]
    return {"zh": s.name_zh, "en": s.name_en}


def _texts(key: str, **fields) -> dict[str, str]:
    """The message *key* in both languages; a field given as ``{lang: text}`` is taken in each language."""
    return {lang: t(key, lang, **{k: (v[lang] if isinstance(v, dict) else v) for k, v in fields.items()})
            for lang in LANGS}


def _project(s: SeriesSpec, sc: Scenario, history: pd.Series, years: np.ndarray, n: int, done: dict[str, np.ndarray],
             cohort: dict[int, np.ndarray] | None, selection: pd.DataFrame | None, no_mean: set[str]):
    """Draws (n, len(years)) for one series, its method, description ``{lang: text}`` and whether it has a mean.

    A log-t forecast, and anything computed from one, has no mean.
    """
    rng = _rng(sc.seed, s.code)
    kind = s.path["kind"]
    t_ = years - sc.base_year
    if kind == "forecast":
        if len(history) == 0:
            raise DataShapeError(f"scenario {sc.name!r}: {s.code!r} has kind 'forecast' but the panel has no values "
                                 f"of it for region {sc.region}; add its 2015–{sc.base_year} values or use a "
                                 "growth path")
        method = s.path["method"]
        row = None
        if method == "auto":
            method, row = _auto_method(history, sc, s.code, selection)
        pred = predictive(history, method=method, horizon=int(years[-1] - history.index.max()))
        keep = np.isin(pred.year, years)
        text = {lang: describe(pred, lang) + (t("scenarios.detail.sep", lang) + selection_note(row, lang)
                                              if row is not None else "") for lang in LANGS}
        return pred.sample(n, seed=rng)[:, keep], method, text, pred.has_mean
    if kind == "growth":
        base = _base_value(s, history, sc)
        rate = s.path["rate"]
        text = (_texts("scenarios.detail.growth_sd", rate=f"{rate.mean:+.1%}", sd=f"{rate.sd:.1%}") if rate.sd
                else _texts("scenarios.detail.growth", rate=f"{rate.mean:+.1%}"))
        return base * (1 + rate.draw(rng, n)[:, None]) ** t_[None, :], "growth", text, True
    if kind == "target":
        base = _base_value(s, history, sc)
        end = s.path["value"].draw(rng, n)
        span = s.path["year"] - sc.base_year
        frac = np.minimum(t_ / span, 1.0)[None, :]
        if s.path["interpolation"] == "geometric":
            if base <= 0 or np.any(end <= 0):
                raise DataShapeError(f"scenario {sc.name!r}: {s.code!r} needs positive base and target values for "
                                     "geometric interpolation; use 'interpolation: linear'")
            draws = base * (end[:, None] / base) ** frac
        else:
            draws = base + (end[:, None] - base) * frac
        text = _texts(f"scenarios.detail.target_{s.path['interpolation']}", value=f"{s.path['value'].mean:g}",
                      year=s.path["year"])
        return draws, "target", text, True
    if kind == "link":
        other = sc.series[s.path["to"]]
        ratio = s.path["ratio"].draw(rng, n)[:, None]
        text = _texts("scenarios.detail.link", ratio=f"{s.path['ratio'].mean:g}", other=_names(sc, other.code))
        if s.path["ratio_end"] is not None:
            # The ratio moves linearly from its base-year value to ratio_end in the scenario's end year.
            frac = np.minimum(t_ / (sc.horizon_end - sc.base_year), 1.0)[None, :]
            ratio = ratio + (s.path["ratio_end"] - s.path["ratio"].mean) * frac
            text = _texts("scenarios.detail.link_moving", ratio=f"{s.path['ratio'].mean:g}",
                          end=f"{s.path['ratio_end']:g}", other=_names(sc, other.code))
        return ratio * done[other.code] * _factor(other.unit, s.unit), "link", text, other.code not in no_mean
    if kind == "ratio":
        num, den = done[s.path["numerator"]], done[s.path["denominator"]]
        text = _texts("scenarios.detail.ratio", numerator=_names(sc, s.path["numerator"]),
                      denominator=_names(sc, s.path["denominator"]), scale=f"{s.path['scale']:g}")
        has_mean = not ({s.path["numerator"], s.path["denominator"]} & no_mean)
        return s.path["scale"] * num / den, "ratio", text, has_mean
    ages = s.path["ages"]
    if ages not in cohort:
        raise DataShapeError(f"scenario {sc.name!r}: {s.code!r} asks for ages {ages}+ but the cohort age groups start "
                             f"at {sorted(cohort)}; use a group lower bound")
    return cohort[ages].copy(), "cohort", _texts("scenarios.detail.cohort", ages=ages), True


def _candidate_methods(sc: Scenario, s: SeriesSpec) -> tuple[str, ...]:
    # Constant growth of a percentage runs into the 100% ceiling within a plan period, so the
    # log-linear model is not a candidate for shares.
    return tuple(m for m in sc.methods if not (s.unit == "%" and m == "loglinear")) or ("drift",)


def _auto_method(history: pd.Series, sc: Scenario, code: str, selection: pd.DataFrame | None) -> tuple[str, pd.Series]:
    if selection is not None:
        rows = selection[(selection["region"].astype(str) == sc.region) & (selection["indicator"] == code)]
        if len(rows) and "decision" in rows and "best_method" in rows:
            return rows["method"].iloc[0], rows.iloc[0]
    panel = pd.DataFrame({"region": sc.region, "indicator": code, "year": history.index, "value": history.to_numpy()})
    row = select(panel, methods=_candidate_methods(sc, sc.series[code]), min_train=sc.min_train,
                 min_forecasts=sc.min_forecasts, level=sc.level).iloc[0]
    return row["method"], row


def auto_selection(scenarios: Sequence[Scenario], panel: pd.DataFrame) -> pd.DataFrame:
    """Backtest-based method choice for every ``method: auto`` series of the given scenarios.

    The choice depends only on the panel and the scenario's ``select`` settings, so a notebook that
    runs several scenarios computes it once and passes it to :func:`run` as ``selection``. Returns the
    :func:`evalkit.projection.select` table.
    """
    frames, done = [], set()
    for sc in scenarios:
        codes = [c for c in sc.auto if (sc.region, c) not in done]
        for percent in (False, True):
            group = [c for c in codes if (sc.series[c].unit == "%") == percent]
            if group:
                frames.append(select(panel, region=sc.region, indicator=group,
                                     methods=_candidate_methods(sc, sc.series[group[0]]), min_train=sc.min_train,
                                     min_forecasts=sc.min_forecasts, level=sc.level))
        done.update((sc.region, c) for c in codes)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["region", "indicator", "n_years", "method", "mape", "mase", "benchmark_mape", "benchmark_mase",
                 "coverage", "n_forecasts", "max_forecasts", "best_method", "min_forecasts", "decision", "reason"])


def run(scenario: Scenario | str | Path, panel: pd.DataFrame, *, horizon_end: int | None = None,
        n_draws: int | None = None, selection: pd.DataFrame | None = None) -> ScenarioResult:
    """Run a scenario on a panel: Monte Carlo paths of every series, bed demand and programme costs.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of its YAML file.
    panel : pandas.DataFrame
        Tidy panel (``region, year, indicator, value``); only rows of the scenario's region up to
        its base year are used.
    horizon_end : int, optional
        Last projection year (default: the scenario's ``horizon_end``).
    n_draws : int, optional
        Monte Carlo draws (default: the scenario's ``n_draws``).
    selection : pandas.DataFrame, optional
        Output of :func:`evalkit.projection.select` for the panel; ``method: auto`` paths use it
        instead of re-running the backtests (the choice does not depend on the scenario).

    Returns
    -------
    ScenarioResult

    Notes
    -----
    Every series gets ``n_draws`` paths; draw *i* of a linked series uses draw *i* of the series it
    links to, so links and ratios keep their uncertainty consistent. Forecast paths are comonotone
    draws from the model's predictive distribution (:meth:`evalkit.projection.Predictive.sample`).
    Cost of programme *p* in year *t*:
    :math:`C_{pt} = R_{pt} \\cdot s_p \\cdot S^{\\text{year}}_{pt} \\cdot \\rho_p / 10^8` (亿元), with recipients
    :math:`R`, recipient share :math:`s`, the standard converted to 元/人·年 (× 12 for monthly standards)
    and the payment ratio :math:`\\rho` (average payment over the standard). Beds needed:
    :math:`B_t = P^{60+}_t \\cdot b^* / 1000`, nursing beds :math:`B_t \\cdot n^*/100`.
    """
    sc, years, n = _checked(scenario, horizon_end, n_draws)
    return _simulate(sc, panel, years, n, selection)


def _checked(scenario: Scenario | str | Path, horizon_end: int | None,
             n_draws: int | None) -> tuple[Scenario, np.ndarray, int]:
    """The scenario, its projection years and number of draws, after :func:`run`'s argument checks."""
    sc = load(scenario) if isinstance(scenario, (str, Path)) else scenario
    if not isinstance(sc, Scenario):
        raise ParameterError(f"scenario must be a Scenario or a YAML path, got {type(sc).__name__}")
    end = sc.horizon_end if horizon_end is None else horizon_end
    if (isinstance(end, bool) or not isinstance(end, (int, np.integer)) or end <= sc.base_year
            or end > sc.base_year + 30):
        raise ParameterError(f"horizon_end={horizon_end!r} must be an integer year after the base year "
                             f"{sc.base_year} (at most {sc.base_year + 30})")
    n = sc.n_draws if n_draws is None else n_draws
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 10:
        raise ParameterError(f"n_draws={n_draws!r} must be an integer ≥ 10")
    return sc, np.arange(sc.base_year + 1, int(end) + 1), n


def _shared_inputs(sc: Scenario, panel: pd.DataFrame, years: np.ndarray,
                   n: int) -> tuple[dict[int, np.ndarray] | None, dict[str, pd.Series]]:
    """What a run takes from outside the series' paths: the cohort draws and the panel histories.

    Neither depends on the forecasting methods, so runs of one scenario that differ only in its series'
    ``path`` (as in :func:`evalkit.scenarios.method_ranges`) can share them; :func:`_simulate` only reads them.
    """
    return (_cohort_draws(sc, years, n) if sc.elderly_care else None), _histories(panel, sc)


def _simulate(sc: Scenario, panel: pd.DataFrame, years: np.ndarray, n: int, selection: pd.DataFrame | None,
              shared: tuple[dict[int, np.ndarray] | None, dict[str, pd.Series]] | None = None, *,
              summarise: bool = True) -> ScenarioResult:
    """:func:`run` after its checks; *shared* from :func:`_shared_inputs` for the same scenario, years and draws.

    ``summarise=False`` leaves ``paths`` empty (the quantiles of every series are the costliest summary, and
    :func:`evalkit.scenarios.method_ranges` reads only draws, costs and beds).
    """
    cohort, histories = _shared_inputs(sc, panel, years, n) if shared is None else shared
    done: dict[str, np.ndarray] = {}
    no_mean: set[str] = set()
    methods = []
    for code in sc.order:
        s = sc.series[code]
        draws, method, text, has_mean = _project(s, sc, histories[code], years, n, done, cohort, selection, no_mean)
        if s.floor:
            other = sc.series[s.floor["to"]]
            ratio = s.floor["ratio"].draw(_rng(sc.seed, code + ".floor"), n)[:, None]
            draws = np.maximum(draws, ratio * done[other.code] * _factor(other.unit, s.unit))
            floor = _texts("scenarios.detail.floor", ratio=f"{s.floor['ratio'].mean:g}", other=_names(sc, other.code))
            text = {lang: text[lang] + t("scenarios.detail.sep", lang) + floor[lang] for lang in LANGS}
            has_mean = has_mean and other.code not in no_mean
        done[code] = _clip(s, draws)
        if not has_mean:
            no_mean.add(code)
        methods.append({"indicator": code, "kind": s.path["kind"], "method": method, "detail": text["en"],
                        "detail_zh": text["zh"], "has_mean": has_mean})
    level = sc.level
    paths_frame = _paths_frame(sc, histories, done, years, level, no_mean) if summarise else pd.DataFrame()
    population = _population_frame(cohort, years) if cohort else pd.DataFrame()
    beds = _beds(sc, done, cohort, years, level, no_mean) if sc.elderly_care else pd.DataFrame()
    cost, cost_period, shares = programme_costs(sc, done, years, level, no_mean)
    methods_frame = pd.DataFrame(methods).set_index("indicator").loc[list(sc.series)].reset_index()
    return ScenarioResult(sc, tuple(int(y) for y in years), paths_frame, methods_frame, population, beds,
                          cost, cost_period, level, done, shares)


def _band(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return lo, hi


def _paths_frame(sc: Scenario, histories: dict[str, pd.Series], done: dict[str, np.ndarray], years: np.ndarray,
                 level: float, no_mean: set[str]) -> pd.DataFrame:
    """``paths`` of a result: per series its observed values, then the summaries of its projected draws.

    Built as one frame from whole columns (observed rows have NaN beyond ``value``), not concatenated from a
    pair of frames per series.
    """
    stats = ["mean", "lo", "hi", *_QUANTILES]
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("indicator", "year", "kind", "value", *stats)}
    for code in sc.series:
        history = histories[code]
        s = sc.series[code]
        if len(history) == 0 and s.base is not None:
            history = pd.Series({s.base["year"]: s.base["value"]})
        m, draws = len(history), done[code]
        cols["indicator"].append(np.full(m + len(years), code, dtype=object))
        cols["year"] += [np.asarray(history.index.astype(int), dtype=np.int64), np.asarray(years, dtype=np.int64)]
        cols["kind"].append(np.array(["observed"] * m + ["projected"] * len(years), dtype=object))
        # One partition for the interval and every fan quantile: np.quantile gives each q the same value as alone.
        lo, hi, *fan = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2, *_QUANTILES.values()], axis=0)
        cols["value"] += [history.to_numpy(dtype=float), np.median(draws, axis=0)]
        projected = {"mean": _mean(draws, code not in no_mean), "lo": lo, "hi": hi, **dict(zip(_QUANTILES, fan))}
        for k in stats:
            cols[k] += [np.full(m, np.nan), projected[k]]
    return pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()})


def _population_frame(cohort: dict[int, np.ndarray], years: np.ndarray) -> pd.DataFrame:
    out = {"year": years}
    for bound in (60, 65, 80):
        if bound in cohort:
            out[f"pop_{bound}plus"] = np.median(cohort[bound], axis=0)
    return pd.DataFrame(out)


def _beds(sc: Scenario, done: dict[str, np.ndarray], cohort: dict[int, np.ndarray], years: np.ndarray,
          level: float, no_mean: set[str]) -> pd.DataFrame:
    ec = sc.elderly_care
    if 60 not in cohort:
        raise DataShapeError("the cohort age groups have no group starting at 60; beds per 1,000 elderly refer to 60+")
    needed = cohort[60] * ec.beds_per_1000_target / 1000
    planned = done[ec.supply]
    n_lo, n_hi = _band(needed, level)
    p_lo, p_hi = _band(planned, level)
    return pd.DataFrame({
        "year": years, "pop_60plus": np.median(cohort[60], axis=0),
        "beds_per_1000_target": ec.beds_per_1000_target, "beds_needed": needed.mean(axis=0),
        "beds_needed_lo": n_lo, "beds_needed_hi": n_hi,
        "nursing_share_target": ec.nursing_share_target,
        "nursing_beds_needed": needed.mean(axis=0) * ec.nursing_share_target / 100,
        "beds_planned": _mean(planned, ec.supply not in no_mean), "beds_planned_lo": p_lo, "beds_planned_hi": p_hi,
        "gap": _mean(planned - needed, ec.supply not in no_mean), "beds_needed_median": np.median(needed, axis=0),
        "beds_planned_median": np.median(planned, axis=0), "gap_median": np.median(planned - needed, axis=0),
        "prob_enough": (planned >= needed).mean(axis=0)})
