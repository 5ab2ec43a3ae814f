"""Projections for the 14th Five-Year Plan: trend, ETS and ARIMA forecasts, backtests, cohort projection.

Every forecast comes from a model with a predictive distribution, and its intervals are that model's
prediction intervals, not a band drawn by hand:

========================  ==================================================================  ==============
method                    model                                                               interval
========================  ==================================================================  ==============
``drift``                 random walk with drift, :math:`y_t = y_{t-1} + c + e_t` (benchmark)  normal
``linear``                OLS linear trend :math:`y_t = a + b t + e_t`                         Student t
``loglinear``             OLS on logs (constant growth rate), back-transformed                 Student t, log
``ets``                   ETS(A,A,N), Holt's linear trend, maximum likelihood (statsmodels)    normal
``damped``                ETS(A,Ad,N), damped trend, maximum likelihood (statsmodels)          normal
``arima``                 ARIMA(p,1,q) with drift, order by AICc among (0,1,0), (1,1,0),       normal
                          (0,1,1) (statsmodels state space)
``local_trend``           local linear trend, exact diffuse initialisation (statsmodels)       normal
========================  ==================================================================  ==============

The random walk with drift is the benchmark every method must beat in a rolling-origin backtest
(:func:`backtest`, :func:`select`); with the six annual points of a Five-Year-Plan panel it often is
not beaten, and :func:`select` says so rather than picking the best-looking model by chance.

:func:`cohort_project` is a cohort-component population projection in five-year age groups and
five-year steps (Preston, Heuveline & Guillot 2001, ch. 6), used for the elderly-care demand model.
"""
from __future__ import annotations

import html
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.errors import DataShapeError, ParameterError

__all__ = [
    "BENCHMARK",
    "METHODS",
    "MIN_POINTS",
    "BacktestResult",
    "CohortResult",
    "Method",
    "Predictive",
    "backtest",
    "cohort_project",
    "fan",
    "forecast",
    "older_population",
    "predictive",
    "select",
    "series_of",
]

Method = Literal["drift", "linear", "loglinear", "ets", "damped", "arima", "local_trend"]
METHODS: tuple[str, ...] = get_args(Method)
BENCHMARK = "drift"

#: Fewest annual values each method is fitted on. Below these the likelihood has more free
#: parameters than the data can pin down (ETS and ARIMA also lose observations to initial states).
MIN_POINTS: dict[str, int] = {
    "drift": 3, "linear": 3, "loglinear": 3, "ets": 4, "damped": 5, "arima": 4, "local_trend": 5,
}

_ARIMA_ORDERS = ((0, 1, 0), (1, 1, 0), (0, 1, 1))


def _check_choice(name: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ParameterError(f"{name}={value!r} is not one of {', '.join(map(repr, choices))}")


def _check_level(level: float, name: str = "level") -> float:
    if not isinstance(level, (int, float)) or isinstance(level, bool) or not 0 < float(level) < 1:
        raise ParameterError(f"{name}={level!r} must be a probability strictly between 0 and 1, e.g. 0.9")
    return float(level)


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name}={value!r} must be an integer ≥ {minimum}")
    return int(value)


def _clean_series(series: pd.Series, *, name: str = "series") -> pd.Series:
    """An annual series with consecutive integer years and finite values, or a clear error."""
    if not isinstance(series, pd.Series):
        raise ParameterError(
            f"{name} must be a pandas Series indexed by year, got {type(series).__name__}; "
            "use evalkit.projection.series_of(panel, region=..., indicator=...) to take one from a panel"
        )
    label = f" ({series.name})" if series.name is not None else ""
    try:
        years = pd.Index(series.index).astype("int64")
    except (TypeError, ValueError) as exc:
        raise DataShapeError(
            f"{name}{label}: the index must hold years as integers (e.g. 2015 … 2020), "
            f"got {list(series.index)[:6]}"
        ) from exc
    values = pd.to_numeric(pd.Series(series.to_numpy(), index=years), errors="coerce")
    if years.has_duplicates:
        dup = sorted(set(years[years.duplicated()]))
        raise DataShapeError(f"{name}{label}: year(s) {dup} appear more than once; keep one value per year")
    values = values.sort_index()
    bad = values.index[~np.isfinite(values.to_numpy(dtype=float))]
    if len(bad):
        raise DataShapeError(
            f"{name}{label}: missing or non-numeric value(s) in year(s) {list(map(int, bad))}; "
            "fill them from the source or drop those years (interior gaps are not interpolated)"
        )
    gaps = sorted(set(range(int(values.index.min()), int(values.index.max()) + 1)) - set(values.index))
    if gaps:
        raise DataShapeError(
            f"{name}{label}: years {gaps} are missing between {values.index.min()} and "
            f"{values.index.max()}; the models need consecutive annual values — add the missing years "
            "or shorten the series to its latest unbroken run"
        )
    out = values.astype(float)
    out.name = series.name
    return out


def _check_panel(panel: pd.DataFrame) -> None:
    if not isinstance(panel, pd.DataFrame):
        raise ParameterError(f"panel must be a DataFrame, got {type(panel).__name__}; read it with evalkit.io.read_panel")
    missing = {"region", "year", "indicator", "value"} - set(panel.columns)
    if missing:
        raise ParameterError(f"panel lacks column(s) {sorted(missing)}; read it with evalkit.io.read_panel")


def series_of(panel: pd.DataFrame, *, region: str, indicator: str) -> pd.Series:
    """The annual series of one indicator in one region of a tidy panel, indexed by year.

    Raises :class:`DataShapeError` when the panel has no such rows.
    """
    _check_panel(panel)
    rows = panel[(panel["region"].astype(str) == str(region)) & (panel["indicator"] == indicator)]
    if rows.empty:
        raise DataShapeError(
            f"the panel has no values of indicator {indicator!r} for region {region!r}; "
            "check the codes against data/reference/indicators.csv and regions.csv"
        )
    s = rows.set_index(rows["year"].astype(int))["value"].astype(float).sort_index()
    s.index.name = "year"
    s.name = indicator
    return s


# --------------------------------------------------------------------------------------------------
# Predictive distributions


@dataclass(frozen=True)
class Predictive:
    """The predictive distribution of a fitted model for the years after the data.

    For each forecast year, :math:`g(Y) = \\text{loc} + \\text{scale}\\,Z` with :math:`g` the identity or
    the natural log (``log=True``) and :math:`Z` standard normal (``df=None``) or Student t with ``df``
    degrees of freedom. Quantiles, intervals and exceedance probabilities follow exactly because
    :math:`g` is monotone.

    Attributes
    ----------
    method : str
        The forecasting method.
    year : numpy.ndarray
        Forecast years.
    loc, scale : numpy.ndarray
        Location and scale on the model scale, one per year.
    df : float or None
        Student-t degrees of freedom; ``None`` for a normal predictive distribution.
    log : bool
        Whether the model works on logs (values are back-transformed; the point forecast is then
        the predictive median, not the mean).
    detail : str
        Model description (chosen order, estimated parameters).
    n_obs : int
        Number of annual values the model was fitted on.
    """

    method: str
    year: np.ndarray
    loc: np.ndarray
    scale: np.ndarray
    df: float | None
    log: bool
    detail: str
    n_obs: int

    def _dist(self):
        return stats.norm if self.df is None else stats.t(self.df)

    def _back(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x) if self.log else x

    @property
    def point(self) -> np.ndarray:
        """Point forecast: the predictive mean on the model scale, back-transformed (median if ``log``)."""
        return self._back(self.loc)

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Predictive quantile(s); ``q`` of shape (k,) gives an array of shape (k, horizon)."""
        q = np.asarray(q, dtype=float)
        z = self._dist().ppf(q)
        return self._back(self.loc + self.scale * z[..., None]) if q.ndim else self._back(self.loc + self.scale * z)

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed prediction interval at ``level`` (e.g. 0.9 → 5% and 95% quantiles)."""
        level = _check_level(level)
        return self.quantile((1 - level) / 2), self.quantile((1 + level) / 2)

    def prob_at_least(self, value: float | np.ndarray) -> np.ndarray:
        """Probability that each forecast year's value is ≥ ``value``."""
        value = np.asarray(value, dtype=float)
        if self.log:
            with np.errstate(divide="ignore"):
                x = np.where(value > 0, np.log(np.where(value > 0, value, 1.0)), -np.inf)
        else:
            x = value
        return self._dist().sf((x - self.loc) / self.scale)

    def sample(self, n_draws: int, *, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """Draw ``n_draws`` paths, shape (n_draws, horizon).

        Each path takes the same predictive quantile in every year (comonotone draws). Year by
        year the draws follow the predictive distribution exactly; sums over years get the widest
        spread consistent with those marginals, so totals over the plan period err on the side
        of more uncertainty.
        """
        n_draws = _check_int("n_draws", n_draws, 1)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        u = rng.uniform(size=n_draws)
        return self._back(self.loc[None, :] + self.scale[None, :] * self._dist().ppf(u)[:, None])

    def frame(self, level: float = 0.9) -> pd.DataFrame:
        """``year, mean, lo, hi`` at ``level``."""
        lo, hi = self.interval(level)
        return pd.DataFrame({"year": self.year.astype(int), "mean": self.point, "lo": lo, "hi": hi})


def _years_after(y: pd.Series, horizon: int) -> np.ndarray:
    last = int(y.index.max())
    return np.arange(last + 1, last + 1 + horizon)


def _drift(y: pd.Series, horizon: int) -> Predictive:
    values = y.to_numpy()
    n = len(values)
    diffs = np.diff(values)
    c = diffs.mean()
    sigma2 = np.sum((diffs - c) ** 2) / (n - 2)
    h = np.arange(1, horizon + 1)
    # Var of the h-step error when the drift is estimated from n-1 differences (Hyndman &
    # Athanasopoulos, FPP3 §5.5): σ² h (1 + h/(n-1)).
    scale = np.sqrt(sigma2 * h * (1 + h / (n - 1)))
    return Predictive("drift", _years_after(y, horizon), values[-1] + c * h, scale, None, False,
                      f"random walk with drift c={c:.4g}, σ={np.sqrt(sigma2):.4g}", n)


def _trend(y: pd.Series, horizon: int, *, log: bool) -> Predictive:
    values = y.to_numpy()
    if log and np.any(values <= 0):
        bad = [int(t) for t, v in y.items() if v <= 0]
        raise DataShapeError(
            f"method 'loglinear' needs positive values; {y.name or 'series'} is ≤ 0 in {bad}; "
            "use 'linear' or 'drift' for series that can be zero or negative"
        )
    z = np.log(values) if log else values
    t = y.index.to_numpy(dtype=float) - float(y.index.min())
    X = np.column_stack([np.ones_like(t), t])
    beta, *_ = np.linalg.lstsq(X, z, rcond=None)
    n = len(z)
    s2 = np.sum((z - X @ beta) ** 2) / (n - 2)
    t_new = np.arange(1, horizon + 1) + t[-1]
    X_new = np.column_stack([np.ones_like(t_new), t_new])
    xtx_inv = np.linalg.inv(X.T @ X)
    leverage = np.einsum("ij,jk,ik->i", X_new, xtx_inv, X_new)
    scale = np.sqrt(s2 * (1 + leverage))
    what = f"growth {np.expm1(beta[1]):.2%}/yr" if log else f"slope {beta[1]:.4g}/yr"
    return Predictive("loglinear" if log else "linear", _years_after(y, horizon), X_new @ beta, scale,
                      float(n - 2), log, f"OLS trend on {'logs' if log else 'levels'}, {what}", n)


def _ets(y: pd.Series, horizon: int, *, damped: bool) -> Predictive:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    n = len(y)
    model = ETSModel(pd.Series(y.to_numpy()), error="add", trend="add", damped_trend=damped)
    res = model.fit(disp=False)
    pred = res.get_prediction(start=n, end=n + horizon - 1)
    params = dict(zip(res.param_names, np.asarray(res.params)))
    shown = ", ".join(f"{k}={params[k]:.3g}" for k in ("smoothing_level", "smoothing_trend", "damping_trend")
                      if k in params)
    return Predictive("damped" if damped else "ets", _years_after(y, horizon),
                      np.asarray(pred.predicted_mean, dtype=float),
                      np.sqrt(np.asarray(pred.forecast_variance, dtype=float)), None, False,
                      f"ETS(A,{'Ad' if damped else 'A'},N): {shown}", n)


def _aicc(res, n_eff: int) -> float:
    k = len(res.params)
    return np.inf if n_eff - k - 1 <= 0 else res.aic + 2 * k * (k + 1) / (n_eff - k - 1)


def _arima(y: pd.Series, horizon: int) -> Predictive:
    from statsmodels.tsa.arima.model import ARIMA

    values = y.to_numpy()
    n_eff = len(values) - 1
    fits = []
    for order in _ARIMA_ORDERS:
        res = ARIMA(values, order=order, trend="t").fit()
        fits.append((_aicc(res, n_eff), order, res))
    finite = [f for f in fits if np.isfinite(f[0])]
    # With too few differences for AICc, fall back to the simplest model instead of comparing
    # infinities.
    aicc, order, res = min(finite, key=lambda f: f[0]) if finite else fits[0]
    fc = res.get_forecast(horizon)
    how = "order chosen by AICc" if np.isfinite(aicc) else "too few points to compare orders"
    return Predictive("arima", _years_after(y, horizon), np.asarray(fc.predicted_mean, dtype=float),
                      np.asarray(fc.se_mean, dtype=float), None, False,
                      f"ARIMA{order} with drift ({how})", len(values))


def _fit_structural(values: np.ndarray, level: str, **fit_kwargs):
    """Fit an unobserved-components model with exact diffuse initialisation of the states."""
    import statsmodels.api as sm

    model = sm.tsa.UnobservedComponents(np.asarray(values, dtype=float), level, use_exact_diffuse=True)
    return model.fit(disp=False, **fit_kwargs)


def _local_trend(y: pd.Series, horizon: int) -> Predictive:
    res = _fit_structural(y.to_numpy(), "local linear trend")
    fc = res.get_forecast(horizon)
    # Variance shares are scale-free, unlike the variances of the rescaled series.
    variances = np.asarray(res.params, dtype=float)
    shares = variances / variances.sum() if variances.sum() > 0 else variances
    text = ", ".join(f"{k.replace('sigma2.', '')} {v:.2f}" for k, v in zip(res.param_names, shares))
    return Predictive("local_trend", _years_after(y, horizon), np.asarray(fc.predicted_mean, dtype=float),
                      np.asarray(fc.se_mean, dtype=float), None, False,
                      f"local linear trend, variance shares: {text}", len(y))


def _fit_sarimax(values: np.ndarray, *, order, seasonal_order, **fit_kwargs):
    """Fit a SARIMAX model the way R's ``arima`` does: likelihood of the differenced series."""
    import statsmodels.api as sm

    model = sm.tsa.SARIMAX(np.asarray(values, dtype=float), order=order, seasonal_order=seasonal_order,
                           simple_differencing=True)
    return model.fit(disp=False, **fit_kwargs)


def _rescaled(fitter):
    """Fit on ``y / k`` and scale the forecast back, with ``k`` the spread of the yearly changes.

    The statsmodels optimisers start from unit-scale parameters; on a series in the hundreds of
    thousands (beds, recipients) they stop where they started. The models are scale-equivariant, so
    the forecast of ``y`` is ``k`` times the forecast of ``y / k``.
    """
    def fit(y: pd.Series, horizon: int) -> Predictive:
        values = y.to_numpy()
        k = float(np.std(np.diff(values))) or float(np.abs(values).mean()) or 1.0
        pred = fitter(y / k, horizon)
        return Predictive(pred.method, pred.year, pred.loc * k, pred.scale * k, pred.df, pred.log,
                          pred.detail, pred.n_obs)
    return fit


_FITTERS = {
    "drift": _drift,
    "linear": lambda y, h: _trend(y, h, log=False),
    "loglinear": lambda y, h: _trend(y, h, log=True),
    "ets": _rescaled(lambda y, h: _ets(y, h, damped=False)),
    "damped": _rescaled(lambda y, h: _ets(y, h, damped=True)),
    "arima": _rescaled(_arima),
    "local_trend": _rescaled(_local_trend),
}


def predictive(series: pd.Series, *, method: Method, horizon: int) -> Predictive:
    """Fit ``method`` to an annual series and return its predictive distribution ``horizon`` years ahead.

    Parameters
    ----------
    series : pandas.Series
        Annual values indexed by consecutive integer years.
    method : {"drift", "linear", "loglinear", "ets", "damped", "arima", "local_trend"}
        Forecasting model; see the module docstring.
    horizon : int
        Number of years after the last observation.

    Returns
    -------
    Predictive

    Raises
    ------
    ParameterError
        Unknown method or a bad horizon.
    DataShapeError
        Gaps, missing values, too few points for the method, non-positive values for ``loglinear``,
        or a model the data cannot support.

    Notes
    -----
    Drift: :math:`\\hat y_{T+h} = y_T + h\\hat c`, :math:`\\hat c = (y_T - y_1)/(T-1)`,
    :math:`\\operatorname{Var} = \\hat\\sigma^2 h (1 + h/(T-1))`.
    Linear/loglinear: OLS prediction interval
    :math:`\\hat z_{T+h} \\pm t_{T-2}\\, s \\sqrt{1 + x_0^\\top (X^\\top X)^{-1} x_0}` on levels or logs.
    ETS, ARIMA and the local linear trend use the statsmodels state-space forecast variance
    (parameters treated as known, so with few points the intervals are narrow — the backtest
    coverage shows by how much).
    """
    _check_choice("method", method, METHODS)
    horizon = _check_int("horizon", horizon, 1)
    y = _clean_series(series)
    need = MIN_POINTS[method]
    if len(y) < need:
        span = f" ({y.index.min()}–{y.index.max()})" if len(y) else ""
        raise DataShapeError(
            f"method {method!r} needs at least {need} annual values; {y.name or 'the series'} has "
            f"{len(y)}{span}. Use 'drift' or 'linear' (≥ 3 values) or add earlier years"
        )
    if np.ptp(y.to_numpy()) == 0 and method in ("ets", "damped", "arima", "local_trend"):
        raise DataShapeError(
            f"{y.name or 'the series'} is constant ({y.iloc[0]:g}); method {method!r} cannot estimate a "
            "variance from it — use 'drift' (which forecasts the constant) or check the data"
        )
    with warnings.catch_warnings():
        # statsmodels warns about convergence and index frequency on short annual series; the
        # backtest, not the optimiser's message, is the test of whether a model is any good.
        warnings.simplefilter("ignore")
        try:
            pred = _FITTERS[method](y, horizon)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise DataShapeError(
                f"method {method!r} could not be fitted to {y.name or 'the series'} "
                f"({y.index.min()}–{y.index.max()}): {exc}. Try 'drift' or 'linear'"
            ) from exc
    if not (np.all(np.isfinite(pred.loc)) and np.all(np.isfinite(pred.scale)) and np.all(pred.scale >= 0)):
        raise DataShapeError(
            f"method {method!r} gave a non-finite forecast for {y.name or 'the series'}; "
            "the data cannot support this model — use 'drift' or 'linear'"
        )
    # A zero-variance fit (a series on an exact line) would make every interval a point; keep a
    # floor so probabilities stay defined.
    floor = 1e-9 * max(1.0, float(np.abs(pred.loc).max()))
    return Predictive(pred.method, pred.year, pred.loc, np.maximum(pred.scale, floor), pred.df, pred.log,
                      f"{pred.detail}; fitted on {y.index.min()}–{y.index.max()}", pred.n_obs)


def forecast(series: pd.Series, *, method: Method, horizon: int, level: float = 0.9) -> pd.DataFrame:
    """Forecast an annual series: ``year, mean, lo, hi`` for ``horizon`` years after the data.

    ``lo``/``hi`` bound the model's equal-tailed prediction interval at ``level``. For
    ``loglinear`` the ``mean`` column is the back-transformed point forecast (the predictive median).
    See :func:`predictive` for the models, errors and formulas.

    Examples
    --------
    >>> s = pd.Series([451.1, 494.6, 540.6, 580.0, 625.0, 677.6], index=range(2015, 2021))
    >>> forecast(s, method="drift", horizon=5).round(1)["mean"].tolist()
    [722.9, 768.2, 813.5, 858.8, 904.1]
    """
    level = _check_level(level)
    return predictive(series, method=method, horizon=horizon).frame(level)


def fan(series: pd.Series, *, method: Method, horizon: int,
        levels: Sequence[float] = (0.5, 0.8, 0.95)) -> pd.DataFrame:
    """Nested prediction intervals for a fan chart: ``year, level, mean, lo, hi`` (long)."""
    levels = [_check_level(lv, "levels") for lv in levels]
    pred = predictive(series, method=method, horizon=horizon)
    return pd.concat([pred.frame(lv).assign(level=lv) for lv in levels], ignore_index=True)[
        ["year", "level", "mean", "lo", "hi"]]


# --------------------------------------------------------------------------------------------------
# Backtests and method selection


def _html(title: str, frames: dict[str, pd.DataFrame], lines: Sequence[str] = ()) -> str:
    """HTML of a result for Jupyter: a title, lines of text and the non-empty frames (text escaped)."""
    parts = [f"<h4>{html.escape(title)}</h4>"] + [f"<p>{html.escape(line)}</p>" for line in lines]
    for name, frame in frames.items():
        if not frame.empty:
            parts.append(f"<h5>{html.escape(name)}</h5>"
                         + frame.to_html(index=False, float_format=lambda v: f"{v:,.4g}"))
    return "\n".join(parts)


@dataclass(frozen=True)
class BacktestResult:
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

    def _repr_html_(self) -> str:
        return _html("Backtest (rolling origin)", {"Summary": self.summary}, [self.verdict])


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
    level = _check_level(level)
    horizon = _check_int("horizon", horizon, 1)
    min_train = _check_int("min_train", min_train, MIN_POINTS[BENCHMARK])
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin < 1:
        raise ParameterError(f"margin={margin!r} must be a fraction in [0, 1), e.g. 0.01")
    methods = list(dict.fromkeys([BENCHMARK, *methods]))
    for m in methods:
        _check_choice("methods", m, METHODS)
    y = _clean_series(series)
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
           horizon: int = 1, min_train: int = 4, min_forecasts: int = 2, level: float = 0.9,
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
    min_forecasts = _check_int("min_forecasts", min_forecasts, 1)
    level = _check_level(level)
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


# --------------------------------------------------------------------------------------------------
# Cohort-component projection


@dataclass(frozen=True)
class CohortResult:
    """A cohort-component projection.

    Attributes
    ----------
    population : pandas.DataFrame
        ``year, age`` (lower bound of the five-year group; the last group is open), ``sex`` (if the
        inputs had one) and ``population``.
    components : pandas.DataFrame
        One row per step (and sex): ``year_start, year_end, population_start, births, deaths,
        net_migration, population_end``. ``population_end − population_start = births − deaths +
        net_migration`` holds exactly.
    """

    population: pd.DataFrame
    components: pd.DataFrame

    def _repr_html_(self) -> str:
        return _html("Cohort-component projection", {"Components of change": self.components})


def _cohort_step(pop: np.ndarray, surv: np.ndarray, mig: np.ndarray, fert: np.ndarray | None,
                 female: np.ndarray | None, birth_survival: float, female_birth_share: float,
                 step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One step on arrays shaped (..., sex, age). Returns (new population, births by sex, deaths by sex)."""
    survivors = pop * surv + 0.5 * mig * (1 + surv)
    new = np.zeros_like(pop)
    new[..., 1:] = survivors[..., :-1]
    new[..., -1] += survivors[..., -1]  # the open group keeps its own survivors
    deaths = (pop * (1 - surv) + 0.5 * mig * (1 - surv)).sum(axis=-1)
    if fert is None:
        births = np.zeros(pop.shape[:-1])
    else:
        mothers = np.ones(pop.shape[-2]) if female is None else female.astype(float)
        # Women exposed to childbearing: the average of the start and end of the step (PHG eq. 6.4).
        exposure = 0.5 * (pop + new) * mothers[:, None]
        total_births = step * (fert * exposure).sum(axis=(-1, -2))
        share = np.ones(1) if female is None else np.where(female, female_birth_share, 1 - female_birth_share)
        births = total_births[..., None] * share
        new[..., 0] = births * birth_survival
        deaths = deaths + births * (1 - birth_survival)
    return new, births, deaths


def _cohort_inputs(base: pd.DataFrame, rates: pd.DataFrame):
    for name, frame, needed in (("base", base, {"age", "population"}), ("rates", rates, {"age", "survival"})):
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(f"{name} must be a DataFrame, got {type(frame).__name__}")
        missing = needed - set(frame.columns)
        if missing:
            raise DataShapeError(f"cohort {name} table lacks column(s) {sorted(missing)}; expected "
                                 f"{sorted(needed)} (+ optional 'sex'{', net_migration, fertility' if name == 'rates' else ''})")
    has_sex = "sex" in base.columns
    if has_sex != ("sex" in rates.columns):
        raise DataShapeError("base and rates must both have a 'sex' column or both lack it")
    keys = ["sex", "age"] if has_sex else ["age"]
    for name, frame in (("base", base), ("rates", rates)):
        if frame.duplicated(keys).any():
            raise DataShapeError(f"cohort {name} table repeats {keys} rows: "
                                 f"{frame.loc[frame.duplicated(keys), keys].to_dict('records')[:3]}")
    ages = np.sort(base["age"].astype(int).unique())
    if len(ages) < 2 or np.any(np.diff(ages) != 5) or ages[0] != 0:
        raise DataShapeError(f"age groups must be five-year groups 0, 5, 10, … (lower bounds); got {ages.tolist()}")
    sexes = sorted(base["sex"].unique()) if has_sex else ["total"]
    idx = pd.MultiIndex.from_product([sexes, ages], names=["sex", "age"])
    b = (base.assign(sex="total") if not has_sex else base).set_index(["sex", "age"])
    r = (rates.assign(sex="total") if not has_sex else rates).set_index(["sex", "age"])
    missing_rates = idx.difference(r.index)
    if len(missing_rates):
        raise DataShapeError(f"rates lack rows for {list(missing_rates)[:5]}; give survival for every base group")
    b = b.reindex(idx)
    if b["population"].isna().any():
        raise DataShapeError(f"base population missing for {list(b.index[b['population'].isna()])[:5]}")
    r = r.reindex(idx)
    surv = r["survival"].to_numpy(dtype=float)
    if np.any(~np.isfinite(surv)) or np.any((surv < 0) | (surv > 1)):
        raise DataShapeError("survival ratios must be between 0 and 1 (proportion alive five years later)")
    shape = (len(sexes), len(ages))
    mig = r["net_migration"].fillna(0).to_numpy(float) if "net_migration" in r else np.zeros(surv.size)
    fert = r["fertility"].fillna(0).to_numpy(float).reshape(shape) if "fertility" in r else None
    return (sexes, ages, b["population"].to_numpy(float).reshape(shape), surv.reshape(shape),
            mig.reshape(shape), fert, has_sex)


def cohort_project(base: pd.DataFrame, rates: pd.DataFrame, *, start_year: int, steps: int,
                   birth_survival: float | None = None, female: str = "female",
                   srb: float = 1.05) -> CohortResult:
    """Project a population by five-year age groups in five-year steps (cohort-component method).

    Parameters
    ----------
    base : pandas.DataFrame
        ``age`` (lower bound: 0, 5, …, the last group open-ended), ``population`` and optionally
        ``sex``.
    rates : pandas.DataFrame
        Same keys as ``base`` with ``survival`` (:math:`S_x`, the share of group *x* alive five
        years later; for the open group the share still alive in it), optional ``net_migration``
        (net migrants in group *x* over one step) and optional ``fertility`` (births per woman — or per
        person when there is no ``sex`` — per year).
    start_year : int
        Year of the base population.
    steps : int
        Number of five-year steps.
    birth_survival : float, optional
        :math:`{}_5L_0 / (5\\,l_0)`: share of the step's births alive in group 0–4 at its end. Required
        when ``rates`` has ``fertility``.
    female : str
        The ``sex`` value of women (births come from them).
    srb : float
        Sex ratio at birth (boys per girl) used to split births by sex.

    Returns
    -------
    CohortResult

    Notes
    -----
    Survivors: :math:`P_{x+5}(t+5) = P_x(t) S_x + \\tfrac12 M_x (1 + S_x)` (migrants arrive mid-step);
    open group: :math:`P_{A+}(t+5) = P_{A-5}(t) S_{A-5} + P_{A+}(t) S_{A+}` (+ migrants likewise).
    Births: :math:`B = 5 \\sum_x F_x \\tfrac12 (P^f_x(t) + P^f_x(t+5))`; :math:`P_0(t+5) = B \\cdot
    {}_5L_0/(5 l_0)` split by :math:`1/(1+\\text{SRB})` for girls. Deaths are everything that leaves:
    :math:`\\sum_x (P_x + \\tfrac12 M_x)(1 - S_x) + B (1 - {}_5L_0/(5 l_0))`, so
    :math:`P(t+5) - P(t) = B - D + M` exactly (Preston, Heuveline & Guillot 2001, ch. 6).
    """
    start_year = _check_int("start_year", start_year, 0)
    steps = _check_int("steps", steps, 1)
    sexes, ages, pop, surv, mig, fert, has_sex = _cohort_inputs(base, rates)
    if fert is not None and birth_survival is None:
        raise ParameterError("rates has a 'fertility' column: pass birth_survival (₅L₀/(5·l₀), e.g. 0.995)")
    if fert is not None and not 0 < birth_survival <= 1:
        raise ParameterError(f"birth_survival={birth_survival!r} must be in (0, 1]")
    if has_sex and fert is not None and female not in sexes:
        raise ParameterError(f"female={female!r} is not a value of the 'sex' column ({sexes})")
    if srb <= 0:
        raise ParameterError(f"srb={srb!r} must be positive (boys per girl, e.g. 1.05)")
    is_female = np.array([s == female for s in sexes]) if has_sex else None
    pop_rows, comp_rows = [], []

    def record(year: int, p: np.ndarray) -> None:
        for i, sex in enumerate(sexes):
            pop_rows.append(pd.DataFrame({"year": year, "sex": sex, "age": ages, "population": p[i]}))

    record(start_year, pop)
    for k in range(steps):
        new, births, deaths = _cohort_step(pop, surv, mig, fert, is_female, birth_survival or 1.0,
                                           1 / (1 + srb), 5)
        y0, y1 = start_year + 5 * k, start_year + 5 * (k + 1)
        for i, sex in enumerate(sexes):
            comp_rows.append({"year_start": y0, "year_end": y1, "sex": sex, "population_start": pop[i].sum(),
                              "births": births[i], "deaths": deaths[i], "net_migration": mig[i].sum(),
                              "population_end": new[i].sum()})
        pop = new
        record(y1, pop)
    population = pd.concat(pop_rows, ignore_index=True)
    components = pd.DataFrame(comp_rows)
    if not has_sex:
        population = population.drop(columns="sex")
        components = components.drop(columns="sex")
    return CohortResult(population, components)


def older_population(population: pd.DataFrame, *, thresholds: Sequence[int] = (60, 65, 80)) -> pd.DataFrame:
    """Population at or above each age threshold by year: ``year, pop_60plus, pop_65plus, …``.

    Thresholds must be lower bounds of the five-year groups in ``population``.
    """
    ages = set(population["age"].astype(int))
    out = {}
    for threshold in thresholds:
        if threshold not in ages:
            raise ParameterError(f"threshold {threshold} is not the lower bound of an age group ({sorted(ages)})")
        rows = population[population["age"] >= threshold]
        out[f"pop_{threshold}plus"] = rows.groupby("year")["population"].sum()
    return pd.DataFrame(out).rename_axis("year").reset_index()
