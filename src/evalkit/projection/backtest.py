"""Rolling-origin backtests of the forecasting methods and the choice of a method per series."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit._shared.checks import check_choice
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import DataShapeError, ParameterError
from evalkit.projection.forecast import BENCHMARK, METHODS, MIN_POINTS, Method, predictive
from evalkit.projection.series import _check_panel, check_int, check_level, clean_series, series_of

__all__ = ["MIN_FORECASTS", "BacktestResult", "backtest", "select"]

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
        lo, hi, ape`` (absolute percentage error), ``covered`` (actual inside [lo, hi]).
    summary : pandas.DataFrame
        One row per method: ``n_forecasts, mape, coverage, benchmark_mape`` (the drift benchmark's
        MAPE on the same origins and years), ``relative_mape`` (mape / benchmark_mape),
        ``beats_benchmark`` and ``reason`` when a method could not be evaluated.
    verdict : str
        One sentence: the best method, or that no method beats the naive drift benchmark.
    level : float
        Interval level used for coverage.
    """

    forecasts: pd.DataFrame
    summary: pd.DataFrame
    verdict: str
    level: float

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
    :math:`\\text{MAPE} = \\frac{100}{N}\\sum |y - \\hat y| / |y|`; coverage is the share of actuals inside
    the interval. Each method is compared with the benchmark on exactly the same (origin, year)
    pairs, so a method that can only be fitted on the longest windows is not flattered.
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
            for step, (year, actual) in enumerate(test.items(), start=1):
                i = step - 1
                rows.append({"method": method, "origin": int(train.index[-1]), "year": int(year), "step": step,
                             "actual": actual, "mean": pred.point[i], "lo": lo[i], "hi": hi[i]})
    fc = pd.DataFrame(rows, columns=["method", "origin", "year", "step", "actual", "mean", "lo", "hi"])
    fc["ape"] = 100 * (fc["actual"] - fc["mean"]).abs() / fc["actual"].abs().where(fc["actual"] != 0)
    fc["covered"] = (fc["actual"] >= fc["lo"]) & (fc["actual"] <= fc["hi"])
    summary = _summarise(fc, methods, reasons, margin)
    return BacktestResult(fc, summary, _verdict(summary, y), level)


def _summarise(fc: pd.DataFrame, methods: list[str], reasons: dict[str, str], margin: float) -> pd.DataFrame:
    bench = fc[fc["method"] == BENCHMARK].set_index(["origin", "year"])["ape"]
    out = []
    for method in methods:
        own = fc[fc["method"] == method]
        paired = own.join(bench.rename("bench_ape"), on=["origin", "year"])
        n = len(own)
        mape = own["ape"].mean() if n else np.nan
        bmape = paired["bench_ape"].mean() if n else np.nan
        relative = mape / bmape if n and bmape > 0 else np.nan
        beats = bool(method != BENCHMARK and n and np.isfinite(relative) and relative < 1 - margin)
        reason = "" if n else reasons.get(method, "not enough years for any origin")
        out.append({"method": method, "n_forecasts": n, "mape": mape,
                    "coverage": own["covered"].mean() if n else np.nan, "benchmark_mape": bmape,
                    "relative_mape": relative, "beats_benchmark": beats, "reason": reason})
    return pd.DataFrame(out)


def _verdict(summary: pd.DataFrame, y: pd.Series) -> str:
    name = y.name or "the series"
    winners = summary[summary["beats_benchmark"]].sort_values(["relative_mape", "n_forecasts"],
                                                                ascending=[True, False])
    bench = summary.set_index("method").loc[BENCHMARK]
    if winners.empty:
        return (f"No method beats the naive drift benchmark on {name} "
                f"({int(bench['n_forecasts'])} backtest forecasts, benchmark MAPE {bench['mape']:.2f}%); "
                "use the random walk with drift.")
    best = winners.iloc[0]
    return (f"{best['method']} beats the naive drift benchmark on {name}: MAPE {best['mape']:.2f}% vs "
            f"{best['benchmark_mape']:.2f}% on the same {int(best['n_forecasts'])} forecasts.")


def select(panel: pd.DataFrame, *, region: str | Sequence[str] | None = None,
           indicator: str | Sequence[str] | None = None, methods: Sequence[Method] = METHODS,
           horizon: int = 1, min_train: int = 4, min_forecasts: int = MIN_FORECASTS, level: float = 0.9,
           margin: float = 0.01) -> pd.DataFrame:
    """Choose a forecasting method per (region, indicator) series by rolling-origin backtest error.

    A method is chosen over the random walk with drift only if it has at least ``min_forecasts``
    backtest forecasts and a MAPE lower than the benchmark's on the same forecasts by more than
    ``margin``; otherwise the benchmark is kept and ``decision`` says why. Parameters are those of
    :func:`backtest`.

    Returns
    -------
    pandas.DataFrame
        ``region, indicator, n_years, method, mape, benchmark_mape, coverage, n_forecasts, decision,
        reason``; ``decision`` ∈ {``beats_benchmark``, ``no_method_beats_benchmark``, ``too_short``}.
    """
    _check_panel(panel)
    min_forecasts = check_int("min_forecasts", min_forecasts, 1)
    level = check_level(level)
    regions = _as_list(region) or sorted(panel["region"].astype(str).unique())
    indicators = _as_list(indicator) or sorted(panel["indicator"].unique())
    rows = []
    for reg in regions:
        for ind in indicators:
            rows.append(_select_one(panel, reg, ind, methods, horizon, min_train, min_forecasts, level, margin))
    return pd.DataFrame([r for r in rows if r is not None])


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _select_one(panel, region, indicator, methods, horizon, min_train, min_forecasts, level, margin) -> dict | None:
    rows = panel[(panel["region"].astype(str) == str(region)) & (panel["indicator"] == indicator)]
    if rows.empty:
        return None
    y = series_of(panel, region=region, indicator=indicator)
    base = {"region": str(region), "indicator": indicator, "n_years": len(y)}
    try:
        bt = backtest(y, methods=methods, horizon=horizon, min_train=min_train, level=level, margin=margin)
    except DataShapeError as exc:
        return {**base, "method": BENCHMARK, "mape": np.nan, "benchmark_mape": np.nan, "coverage": np.nan,
                "n_forecasts": 0, "decision": "too_short", "reason": str(exc)}
    s = bt.summary
    eligible = s[s["beats_benchmark"] & (s["n_forecasts"] >= min_forecasts)]
    if eligible.empty:
        chosen, decision = s[s["method"] == BENCHMARK].iloc[0], "no_method_beats_benchmark"
        reason = bt.verdict if s["beats_benchmark"].sum() == 0 else (
            f"methods that beat the benchmark did so on fewer than {min_forecasts} forecasts; "
            "keeping the random walk with drift")
    else:
        chosen = eligible.sort_values("relative_mape").iloc[0]
        decision, reason = "beats_benchmark", (
            f"{chosen['method']}: MAPE {chosen['mape']:.2f}% vs drift {chosen['benchmark_mape']:.2f}% "
            f"on {int(chosen['n_forecasts'])} forecasts")
    return {**base, "method": chosen["method"], "mape": chosen["mape"],
            "benchmark_mape": chosen["benchmark_mape"], "coverage": chosen["coverage"],
            "n_forecasts": int(chosen["n_forecasts"]), "decision": decision, "reason": reason}


