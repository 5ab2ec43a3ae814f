"""Rolling-origin backtests of the forecasting methods and the choice of a method per series."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit._shared.checks import Lang, check_choice, check_lang
from evalkit._shared.display import ResultDisplay, Summary
from evalkit._shared.numbers import format_figure
from evalkit.errors import DataShapeError, ParameterError
from evalkit.i18n import t
from evalkit.projection.forecast import BENCHMARK, METHODS, MIN_POINTS, Method, method_label, predictive
from evalkit.projection.series import _check_panel, check_int, check_level, clean_series, series_of

__all__ = ["MIN_FORECASTS", "BacktestResult", "backtest", "possible_forecasts", "select", "selection_note"]

#: Fewest rolling-origin forecasts on which a method may be chosen over the benchmark. Hyndman &
#: Athanasopoulos (*Forecasting: Principles and Practice*, 3rd ed., §5.8 and §5.10) ask for a test set at
#: least as large as the longest horizon to be forecast; a Five-Year-Plan projection runs five years ahead.
#: With fewer forecasts the random walk with drift is kept and every method's result is shown beside it.
MIN_FORECASTS = 5


@dataclass(frozen=True)
class BacktestResult(ResultDisplay):
    """Rolling-origin evaluation of forecasting methods on one series.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        One row per forecast: ``method, origin`` (last training year), ``year, step, actual, mean,
        lo, hi, ape`` (absolute percentage error), ``ase`` (absolute scaled error: the absolute error over
        the mean absolute one-step change of that origin's training years) and ``covered`` (actual inside
        [lo, hi]).
    summary : pandas.DataFrame
        One row per method: ``n_forecasts, mape, mase, coverage, benchmark_mape, benchmark_mase`` (the
        drift benchmark's errors on the same origins and years), ``relative_mape`` (mape / benchmark_mape),
        ``beats_benchmark`` and ``reason`` when a method could not be evaluated.
    verdict : str
        One sentence in English: the best method, or that no method beats the naive drift benchmark
        (:meth:`verdict_text` gives it in either language).
    level : float
        Interval level used for coverage.
    name : str
        The series' name (empty when the series had none).
    """

    forecasts: pd.DataFrame
    summary: pd.DataFrame
    verdict: str
    level: float
    name: str = ""

    def verdict_text(self, lang: Lang = "zh") -> str:
        """The verdict in *lang*, from the message catalogue (``projection.verdict.*``).

        Parameters
        ----------
        lang : {"zh", "en"}
            Language of the sentence.

        Returns
        -------
        str
            The best method and its MAPE and MASE against the benchmark's, or that no method beats it.
        """
        check_lang(lang)
        return _verdict(self.summary, self.name, lang)

    def _summary(self) -> Summary:
        return Summary("Backtest (rolling origin)", [self.verdict], {"Summary": self.summary})


def backtest(series: pd.Series, *, methods: Sequence[Method] = METHODS, horizon: int = 1,
             min_train: int = 4, level: float = 0.9, margin: float = 0.01) -> BacktestResult:
    """Rolling-origin backtest: refit each method on the first *k* years and forecast the next ones.

    Parameters
    ----------
    series : pandas.Series
        Annual values indexed by consecutive years.
    methods : sequence of str
        Methods to compare; the drift benchmark is always added.
    horizon : int
        Steps ahead evaluated at each origin (only those with an actual value are scored).
    min_train : int
        Smallest training window (years). A method whose :data:`MIN_POINTS` is larger starts later.
    level : float
        Prediction-interval level whose coverage is reported.
    margin : float
        A method beats the benchmark only if its MAPE is lower by more than this fraction
        (default 1%): a model that reproduces the random walk with drift up to rounding is a tie.

    Returns
    -------
    BacktestResult

    Notes
    -----
    :math:`\\text{MAPE} = \\frac{100}{N}\\sum |y - \\hat y| / |y|`. MASE (Hyndman & Koehler 2006,
    *Int. J. Forecasting* 22, 679–688) scales each error by the in-sample mean absolute error of the naive
    one-step forecast on that origin's training years, :math:`q = (y - \\hat y) / \\frac{1}{k-1}
    \\sum_{t=2}^{k} |y_t - y_{t-1}|`, and averages :math:`|q|`; unlike MAPE it is defined when a value is
    near zero and does not favour under-forecasts. Coverage is the share of actuals inside the interval.
    Each method is compared with the benchmark on exactly the same (origin, year) pairs, so a method that
    can only be fitted on the longest windows is not flattered.
    """
    level = check_level(level)
    horizon = check_int("horizon", horizon, 1)
    min_train = check_int("min_train", min_train, MIN_POINTS[BENCHMARK])
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin < 1:
        raise ParameterError(f"margin={margin!r} must be a fraction in [0, 1), e.g. 0.01")
    methods = list(dict.fromkeys([BENCHMARK, *methods]))
    for m in methods:
        check_choice("methods", m, METHODS)
    y = clean_series(series)
    if len(y) <= min_train:
        raise DataShapeError(
            f"{y.name or 'the series'} has {len(y)} annual values; a backtest with min_train={min_train} "
            f"needs at least {min_train + 1}. Lower min_train (≥ {MIN_POINTS[BENCHMARK]}) or add years"
        )
    rows, reasons = [], {}
    for method in methods:
        for k in range(max(min_train, MIN_POINTS[method]), len(y)):
            train, test = y.iloc[:k], y.iloc[k:k + horizon]
            try:
                pred = predictive(train, method=method, horizon=len(test))
            except DataShapeError as exc:
                reasons[method] = str(exc)
                continue
            lo, hi = pred.interval(level)
            naive_mae = float(np.mean(np.abs(np.diff(train.to_numpy()))))
            for step, (year, actual) in enumerate(test.items(), start=1):
                i = step - 1
                rows.append({"method": method, "origin": int(train.index[-1]), "year": int(year), "step": step,
                             "actual": actual, "mean": pred.point[i], "lo": lo[i], "hi": hi[i],
                             "naive_mae": naive_mae})
    fc = pd.DataFrame(rows, columns=["method", "origin", "year", "step", "actual", "mean", "lo", "hi", "naive_mae"])
    fc["ape"] = 100 * (fc["actual"] - fc["mean"]).abs() / fc["actual"].abs().where(fc["actual"] != 0)
    fc["ase"] = (fc["actual"] - fc["mean"]).abs() / fc["naive_mae"].where(fc["naive_mae"] > 0)
    fc = fc.drop(columns="naive_mae")
    fc["covered"] = (fc["actual"] >= fc["lo"]) & (fc["actual"] <= fc["hi"])
    summary = _summarise(fc, methods, reasons, margin)
    name = "" if y.name is None else str(y.name)
    return BacktestResult(fc, summary, _verdict(summary, name, "en"), level, name)


def _summarise(fc: pd.DataFrame, methods: list[str], reasons: dict[str, str], margin: float) -> pd.DataFrame:
    bench = fc[fc["method"] == BENCHMARK].set_index(["origin", "year"])[["ape", "ase"]]
    out = []
    for method in methods:
        own = fc[fc["method"] == method]
        paired = own.join(bench.add_prefix("bench_"), on=["origin", "year"])
        n = len(own)
        mape = own["ape"].mean() if n else np.nan
        bmape = paired["bench_ape"].mean() if n else np.nan
        relative = mape / bmape if n and bmape > 0 else np.nan
        beats = bool(method != BENCHMARK and n and np.isfinite(relative) and relative < 1 - margin)
        reason = "" if n else reasons.get(method, "not enough years for any origin")
        out.append({"method": method, "n_forecasts": n, "mape": mape, "mase": own["ase"].mean() if n else np.nan,
                    "coverage": own["covered"].mean() if n else np.nan, "benchmark_mape": bmape,
                    "benchmark_mase": paired["bench_ase"].mean() if n else np.nan,
                    "relative_mape": relative, "beats_benchmark": beats, "reason": reason})
    return pd.DataFrame(out)


def _verdict(summary: pd.DataFrame, name: str, lang: Lang) -> str:
    winners = summary[summary["beats_benchmark"]].sort_values(["relative_mape", "n_forecasts"],
                                                                ascending=[True, False])
    bench = summary.set_index("method").loc[BENCHMARK]
    series = name or t("projection.verdict.the_series", lang)
    if winners.empty:
        return t("projection.verdict.none", lang, name=series, n=int(bench["n_forecasts"]),
                 mape=f"{bench['mape']:.2f}", mase=format_figure(bench["mase"]))
    best = winners.iloc[0]
    return t("projection.verdict.best", lang, method=method_label(best["method"], lang), name=series,
             mape=f"{best['mape']:.2f}", bench_mape=f"{best['benchmark_mape']:.2f}", mase=format_figure(best["mase"]),
             bench_mase=format_figure(best["benchmark_mase"]), n=int(best["n_forecasts"]))


def select(panel: pd.DataFrame, *, region: str | Sequence[str] | None = None,
           indicator: str | Sequence[str] | None = None, methods: Sequence[Method] = METHODS,
           horizon: int = 1, min_train: int = 4, min_forecasts: int = MIN_FORECASTS, level: float = 0.9,
           margin: float = 0.01, skip_unreachable: bool = True) -> pd.DataFrame:
    """Choose a forecasting method per (region, indicator) series by rolling-origin backtest error.

    A method is chosen over the random walk with drift only if it has at least ``min_forecasts``
    backtest forecasts and a MAPE lower than the benchmark's on the same forecasts by more than
    ``margin``; otherwise the benchmark is kept and ``decision`` says why. Other parameters are those of
    :func:`backtest`.

    The default ``min_forecasts`` is :data:`MIN_FORECASTS` (5): Hyndman & Athanasopoulos, *Forecasting:
    Principles and Practice* (3rd ed., §5.8, §5.10 on time-series cross-validation), ask for a test set at
    least as large as the horizon to be forecast, and a Five-Year-Plan projection runs five years. A panel of
    six annual values gives at most three one-step rolling-origin forecasts, so with the default no method
    displaces the benchmark there: the choice would rest on noise (two forecasts put 2025 urban dibao
    recipients at 164 thousand under log-linear growth against about 60 thousand under drift). Show the
    spread across methods instead (:func:`evalkit.scenarios.method_ranges`).

    With ``skip_unreachable`` (the default) a method that cannot reach ``min_forecasts`` on a series — the
    number of rolling-origin forecasts is fixed by the series length, ``min_train``, the method's
    :data:`MIN_POINTS` and ``horizon`` — is not backtested at all, since it could not be chosen whatever its
    errors; only the benchmark is backtested (for its MAPE and MASE) and ``decision`` is ``too_few_years``.
    This saves every ETS/ARIMA/state-space refit on a six-point panel. ``skip_unreachable=False`` backtests
    every method anyway and reports the best one (``too_few_forecasts``).

    Returns
    -------
    pandas.DataFrame
        ``region, indicator, n_years, method, mape, mase, benchmark_mape, benchmark_mase, coverage,
        n_forecasts, max_forecasts, best_method, min_forecasts, decision, reason``; ``best_method`` is the
        method with the lowest MAPE relative to the benchmark whatever its number of forecasts (the benchmark
        when the others were not backtested); ``max_forecasts`` the most forecasts any candidate method could
        have; ``decision`` ∈ {``beats_benchmark``, ``no_method_beats_benchmark``, ``too_few_forecasts``,
        ``too_few_years``, ``too_short``}; ``reason`` is the English :func:`selection_note`.
    """
    _check_panel(panel)
    min_forecasts = check_int("min_forecasts", min_forecasts, 1)
    level = check_level(level)
    if not isinstance(skip_unreachable, bool):
        raise ParameterError(f"skip_unreachable={skip_unreachable!r} must be True or False")
    regions = _as_list(region) or sorted(panel["region"].astype(str).unique())
    indicators = _as_list(indicator) or sorted(panel["indicator"].unique())
    rows = []
    for reg in regions:
        for ind in indicators:
            rows.append(_select_one(panel, reg, ind, methods, horizon, min_train, min_forecasts, level, margin,
                                    skip_unreachable))
    return pd.DataFrame([r for r in rows if r is not None])


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def possible_forecasts(n_years: int, method: str, *, horizon: int = 1, min_train: int = 4) -> int:
    """How many rolling-origin forecasts :func:`backtest` can make of *method* on a series of *n_years*.

    Origins run from ``max(min_train, MIN_POINTS[method])`` to ``n_years − 1`` training years, each scoring
    the steps up to ``horizon`` that have an actual value. Fixed by the series length, so a method that
    cannot reach ``min_forecasts`` need not be backtested to know it cannot be chosen.
    """
    check_choice("method", method, METHODS)
    first = max(int(min_train), MIN_POINTS[method])
    return int(sum(min(int(horizon), n_years - k) for k in range(first, n_years)))


def _select_one(panel, region, indicator, methods, horizon, min_train, min_forecasts, level, margin,
                skip_unreachable=True) -> dict | None:
    rows = panel[(panel["region"].astype(str) == str(region)) & (panel["indicator"] == indicator)]
    if rows.empty:
        return None
    y = series_of(panel, region=region, indicator=indicator)
    base = {"region": str(region), "indicator": indicator, "n_years": len(y)}
    others = [m for m in methods if m != BENCHMARK]
    possible = max([possible_forecasts(len(y), m, horizon=horizon, min_train=min_train) for m in others] or [0])
    if skip_unreachable:
        methods = [m for m in others
                   if possible_forecasts(len(y), m, horizon=horizon, min_train=min_train) >= min_forecasts]
    try:
        bt = backtest(y, methods=methods, horizon=horizon, min_train=min_train, level=level, margin=margin)
    except DataShapeError as exc:
        row = {**base, "method": BENCHMARK, "mape": np.nan, "mase": np.nan, "benchmark_mape": np.nan,
               "benchmark_mase": np.nan, "coverage": np.nan, "n_forecasts": 0, "max_forecasts": possible,
               "best_method": BENCHMARK, "min_forecasts": min_forecasts, "decision": "too_short"}
        return {**row, "reason": f"{selection_note(row, 'en')} ({exc})"}
    s = bt.summary
    winners = s[s["beats_benchmark"]].sort_values("relative_mape")
    eligible = winners[winners["n_forecasts"] >= min_forecasts]
    best = winners.iloc[0]["method"] if len(winners) else BENCHMARK
    if len(eligible):
        chosen, decision = eligible.iloc[0], "beats_benchmark"
    else:
        chosen = s[s["method"] == BENCHMARK].iloc[0]
        decision = ("too_few_forecasts" if len(winners) else
                    "too_few_years" if others and not methods else "no_method_beats_benchmark")
    row = {**base, "method": chosen["method"], "mape": chosen["mape"], "mase": chosen["mase"],
           "benchmark_mape": chosen["benchmark_mape"], "benchmark_mase": chosen["benchmark_mase"],
           "coverage": chosen["coverage"], "n_forecasts": int(chosen["n_forecasts"]),
           "max_forecasts": possible, "best_method": best,
           "min_forecasts": min_forecasts, "decision": decision}
    return {**row, "reason": selection_note(row, "en")}


def selection_note(row, lang: Lang = "zh") -> str:
    """The sentence saying why :func:`select` chose the method of one row, in *lang*.

    Parameters
    ----------
    row : mapping
        A row of :func:`select` (``decision, method, best_method, mape, benchmark_mape, mase, n_forecasts,
        min_forecasts``).
    lang : {"zh", "en"}
        Language of the note.

    Returns
    -------
    str
        The note, from the message catalogue (``projection.select.<decision>``).
    """
    check_lang(lang)
    fields = {"method": method_label(row["method"], lang), "best": method_label(row["best_method"], lang),
              "n": int(row["n_forecasts"]), "years": int(row.get("n_years", 0)),
              "possible": int(row.get("max_forecasts", 0)),
              "need": int(row["min_forecasts"]), "mape": format_figure(row["mape"]),
              "bench_mape": format_figure(row["benchmark_mape"]), "mase": format_figure(row["mase"])}
    return t(f"projection.select.{row['decision']}", lang, **fields)


