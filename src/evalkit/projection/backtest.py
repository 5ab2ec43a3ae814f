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
    y, cols, records = _backtest_records(series, methods, horizon, min_train, level, margin)
    name = "" if y.name is None else str(y.name)
    return BacktestResult(_forecast_frame(cols), pd.DataFrame(records), _verdict_of(records, name, "en"), level,
                          name)


def _backtest_records(series: pd.Series, methods: Sequence[Method], horizon: int, min_train: int, level: float,
                      margin: float) -> tuple[pd.Series, dict[str, np.ndarray], list[dict]]:
    """The checks and computations of :func:`backtest`, without building its tables.

    Returns the clean series, the forecasts column by column and the summary rows; :func:`select` needs
    only the summary.
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
    cols, reasons = _rolling_forecasts(y, methods, horizon, min_train, level)
    return y, cols, _summary_records(cols, methods, reasons, margin)


#: Columns of the rolling-origin forecasts as :func:`_rolling_forecasts` collects them.
_FC_COLUMNS = ("method", "origin", "year", "step", "actual", "mean", "lo", "hi", "naive_mae")


def _rolling_forecasts(y: pd.Series, methods: list[str], horizon: int, min_train: int,
                       level: float) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Refit each method on the first *k* years of a clean series and forecast the next ones.

    Returns the forecasts column by column (:data:`_FC_COLUMNS` plus ``ape, ase, covered``) and, per
    method, the message of its last failed fit.
    """
    lists: dict[str, list] = {c: [] for c in _FC_COLUMNS}
    reasons: dict[str, str] = {}
    values, years = y.to_numpy(), y.index.to_numpy()
    for method in methods:
        for k in range(max(min_train, MIN_POINTS[method]), len(y)):
            test = values[k:k + horizon]
            try:
                pred = predictive(y.iloc[:k], method=method, horizon=len(test))
            except DataShapeError as exc:
                reasons[method] = str(exc)
                continue
            lo, hi = pred.interval(level)
            naive_mae = float(np.mean(np.abs(np.diff(values[:k]))))
            origin = int(years[k - 1])
            for i in range(len(test)):
                lists["method"].append(method)
                lists["origin"].append(origin)
                lists["year"].append(int(years[k + i]))
                lists["step"].append(i + 1)
                lists["actual"].append(float(test[i]))
                lists["mean"].append(pred.point[i])
                lists["lo"].append(lo[i])
                lists["hi"].append(hi[i])
                lists["naive_mae"].append(naive_mae)
    cols: dict[str, np.ndarray] = {"method": np.array(lists["method"], dtype=object)}
    for c in ("origin", "year", "step"):
        cols[c] = np.array(lists[c], dtype=np.int64)
    for c in ("actual", "mean", "lo", "hi", "naive_mae"):
        cols[c] = np.array(lists[c], dtype=np.float64)
    actual, naive = cols["actual"], cols["naive_mae"]
    error = np.abs(actual - cols["mean"])
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["ape"] = 100 * error / np.where(actual != 0, np.abs(actual), np.nan)
        cols["ase"] = error / np.where(naive > 0, naive, np.nan)
    cols["covered"] = (actual >= cols["lo"]) & (actual <= cols["hi"])
    return cols, reasons


def _forecast_frame(cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """The ``forecasts`` table of :class:`BacktestResult` from the columns of :func:`_rolling_forecasts`."""
    if not len(cols["method"]):
        # no forecast at all: the table of an empty list of rows, errors computed as on any other
        fc = pd.DataFrame([], columns=list(_FC_COLUMNS))
        fc["ape"] = 100 * (fc["actual"] - fc["mean"]).abs() / fc["actual"].abs().where(fc["actual"] != 0)
        fc["ase"] = (fc["actual"] - fc["mean"]).abs() / fc["naive_mae"].where(fc["naive_mae"] > 0)
        fc = fc.drop(columns="naive_mae")
        fc["covered"] = (fc["actual"] >= fc["lo"]) & (fc["actual"] <= fc["hi"])
        return fc
    out = {c: cols[c] for c in ("origin", "year", "step", "actual", "mean", "lo", "hi", "ape", "ase", "covered")}
    return pd.DataFrame({"method": list(cols["method"]), **out})


def _mean(values: np.ndarray) -> float:
    """The mean of *values* skipping NaN, computed as :meth:`pandas.Series.mean` computes it.

    NaN are summed as 0 and the sum divided by the count, so the figures are the pandas ones to the last bit.
    """
    if values.dtype == bool:
        return np.int64(values.sum(dtype=np.int64)) / np.float64(len(values)) if len(values) else np.nan
    missing = np.isnan(values)
    count = np.float64(len(values) - missing.sum())
    if not count > 0:
        return np.nan
    return np.where(missing, 0.0, values).sum(dtype=np.float64) / count


def _summary_records(cols: dict[str, np.ndarray], methods: list[str], reasons: dict[str, str],
                     margin: float) -> list[dict]:
    """One row of the ``summary`` table per method.

    Each method is paired with the benchmark on its own (origin, year) forecasts.
    """
    method = cols["method"]
    is_bench = method == BENCHMARK
    bench_at = {key: i for i, key in enumerate(zip(cols["origin"][is_bench].tolist(),
                                                    cols["year"][is_bench].tolist()))}
    bench_ape, bench_ase = cols["ape"][is_bench], cols["ase"][is_bench]
    out = []
    for m in methods:
        own = np.flatnonzero(method == m)
        n = len(own)
        if n:
            pos = [bench_at.get(key, -1) for key in zip(cols["origin"][own].tolist(), cols["year"][own].tolist())]
            paired = np.array(pos, dtype=np.int64)
            found = paired >= 0
            b_ape = np.where(found, bench_ape[paired] if len(bench_ape) else np.nan, np.nan)
            b_ase = np.where(found, bench_ase[paired] if len(bench_ase) else np.nan, np.nan)
            mape, bmape = _mean(cols["ape"][own]), _mean(b_ape)
            mase, bmase, coverage = _mean(cols["ase"][own]), _mean(b_ase), _mean(cols["covered"][own])
        else:
            mape = bmape = mase = bmase = coverage = np.nan
        relative = mape / bmape if n and bmape > 0 else np.nan
        beats = bool(m != BENCHMARK and n and np.isfinite(relative) and relative < 1 - margin)
        reason = "" if n else reasons.get(m, "not enough years for any origin")
        out.append({"method": m, "n_forecasts": n, "mape": mape, "mase": mase, "coverage": coverage,
                    "benchmark_mape": bmape, "benchmark_mase": bmase, "relative_mape": relative,
                    "beats_benchmark": beats, "reason": reason})
    return out


def _winners(records: list[dict]) -> list[dict]:
    """The methods that beat the benchmark, lowest relative MAPE first (ties: more forecasts, then table order)."""
    return sorted((r for r in records if r["beats_benchmark"]),
                  key=lambda r: (r["relative_mape"], -r["n_forecasts"]))


def _verdict(summary: pd.DataFrame, name: str, lang: Lang) -> str:
    columns = ["method", "n_forecasts", "mape", "mase", "benchmark_mape", "benchmark_mase", "relative_mape",
               "beats_benchmark"]
    arrays = [summary[c].to_numpy() for c in columns]
    return _verdict_of([dict(zip(columns, row)) for row in zip(*arrays)], name, lang)


def _verdict_of(records: list[dict], name: str, lang: Lang) -> str:
    winners = _winners(records)
    bench = next(r for r in records if r["method"] == BENCHMARK)
    series = name or t("projection.verdict.the_series", lang)
    if not winners:
        return t("projection.verdict.none", lang, name=series, n=int(bench["n_forecasts"]),
                 mape=f"{bench['mape']:.2f}", mase=format_figure(bench["mase"]))
    best = winners[0]
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
    region_of = panel["region"].astype(str).to_numpy()
    indicator_of = panel["indicator"].to_numpy()
    rows = []
    for reg in regions:
        in_region = region_of == str(reg)
        for ind in indicators:
            at = np.flatnonzero(in_region & (indicator_of == ind))
            if len(at):
                rows.append(_select_one(_series_at(panel, at, reg, ind), reg, ind, methods, horizon, min_train,
                                        min_forecasts, level, margin, skip_unreachable))
    return pd.DataFrame(rows)


def _series_at(panel: pd.DataFrame, at: np.ndarray, region: str, indicator: str) -> pd.Series:
    """:func:`series_of` for the panel rows at positions *at* (those of *region* and *indicator*)."""
    year, value = panel["year"], panel["value"]
    if year.dtype != np.int64 or value.dtype != np.float64:
        return series_of(panel, region=region, indicator=indicator)
    return pd.Series(value.to_numpy()[at], index=pd.Index(year.to_numpy()[at], name="year"),
                     name=indicator).sort_index()


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


def _select_one(y, region, indicator, methods, horizon, min_train, min_forecasts, level, margin,
                skip_unreachable=True) -> dict:
    base = {"region": str(region), "indicator": indicator, "n_years": len(y)}
    others = [m for m in methods if m != BENCHMARK]
    possible = max([possible_forecasts(len(y), m, horizon=horizon, min_train=min_train) for m in others] or [0])
    if skip_unreachable:
        methods = [m for m in others
                   if possible_forecasts(len(y), m, horizon=horizon, min_train=min_train) >= min_forecasts]
    try:
        _, _, records = _backtest_records(y, methods, horizon, min_train, level, margin)
    except DataShapeError as exc:
        row = {**base, "method": BENCHMARK, "mape": np.nan, "mase": np.nan, "benchmark_mape": np.nan,
               "benchmark_mase": np.nan, "coverage": np.nan, "n_forecasts": 0, "max_forecasts": possible,
               "best_method": BENCHMARK, "min_forecasts": min_forecasts, "decision": "too_short"}
        return {**row, "reason": f"{selection_note(row, 'en')} ({exc})"}
    # lowest relative MAPE first; stable, as the pandas sort of a table this small is
    winners = sorted((r for r in records if r["beats_benchmark"]), key=lambda r: r["relative_mape"])
    eligible = [r for r in winners if r["n_forecasts"] >= min_forecasts]
    best = winners[0]["method"] if winners else BENCHMARK
    if eligible:
        chosen, decision = eligible[0], "beats_benchmark"
    else:
        chosen = next(r for r in records if r["method"] == BENCHMARK)
        decision = ("too_few_forecasts" if winners else
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


