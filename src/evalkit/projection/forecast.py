"""Forecasts of annual series: the methods, their predictive distributions, point forecasts and fans.

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
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import stats

from evalkit._shared.checks import Lang, check_choice, check_lang
from evalkit.errors import DataShapeError
from evalkit.i18n import t
from evalkit.projection.series import check_int, check_level, clean_series
from evalkit.projection.statespace import fit_structural

__all__ = ["BENCHMARK", "METHODS", "MIN_POINTS", "Method", "Predictive", "describe", "fan", "forecast", "method_label",
           "predictive"]

Method = Literal["drift", "linear", "loglinear", "ets", "damped", "arima", "local_trend"]
METHODS: tuple[str, ...] = get_args(Method)
BENCHMARK = "drift"

#: Fewest annual values each method is fitted on. Below these the likelihood has more free
#: parameters than the data can pin down (ETS and ARIMA also lose observations to initial states).
MIN_POINTS: dict[str, int] = {
    "drift": 3, "linear": 3, "loglinear": 3, "ets": 4, "damped": 5, "arima": 4, "local_trend": 5,
}

_ARIMA_ORDERS = ((0, 1, 0), (1, 1, 0), (0, 1, 1))



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
        Model description in English (chosen order, estimated parameters); :func:`describe` gives it in
        either language.
    n_obs : int
        Number of annual values the model was fitted on.
    facts : mapping
        The formatted parameters behind ``detail`` (for :func:`describe`).
    """

    method: str
    year: np.ndarray
    loc: np.ndarray
    scale: np.ndarray
    df: float | None
    log: bool
    detail: str
    n_obs: int
    facts: Mapping[str, str] = field(default_factory=dict, compare=False)

    def _dist(self):
        return stats.norm if self.df is None else stats.t(self.df)

    def _back(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x) if self.log else x

    @property
    def point(self) -> np.ndarray:
        """Point forecast: the predictive mean on the model scale, back-transformed (the median if ``log``)."""
        return self._back(self.loc)

    @property
    def median(self) -> np.ndarray:
        """Predictive median of each year (normal and t are symmetric, and the log is monotone)."""
        return self._back(self.loc)

    @property
    def mean(self) -> np.ndarray:
        """Predictive mean of each year; NaN where it does not exist.

        On levels it is ``loc``. On logs with a normal :math:`Z` it is :math:`\\exp(\\text{loc} +
        \\text{scale}^2/2)` (log-normal). On logs with a Student-t :math:`Z` (``loglinear``) the mean of
        :math:`\\exp(\\text{loc} + \\text{scale}\\,T)` is infinite for every finite df — the moment
        generating function of t does not exist — so report the median instead.
        """
        if not self.log:
            return self.loc.copy()
        if self.df is None:
            return np.exp(self.loc + self.scale ** 2 / 2)
        return np.full_like(self.loc, np.nan, dtype=float)

    @property
    def has_mean(self) -> bool:
        """False for a log-t predictive distribution, whose mean does not exist."""
        return not (self.log and self.df is not None)

    def quantile(self, q: float | np.ndarray) -> np.ndarray:
        """Predictive quantile(s); ``q`` of shape (k,) gives an array of shape (k, horizon)."""
        q = np.asarray(q, dtype=float)
        z = self._dist().ppf(q)
        return self._back(self.loc + self.scale * z[..., None]) if q.ndim else self._back(self.loc + self.scale * z)

    def interval(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Equal-tailed prediction interval at ``level`` (e.g. 0.9 → 5% and 95% quantiles)."""
        level = check_level(level)
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
        n_draws = check_int("n_draws", n_draws, 1)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        u = rng.uniform(size=n_draws)
        return self._back(self.loc[None, :] + self.scale[None, :] * self._dist().ppf(u)[:, None])

    def frame(self, level: float = 0.9) -> pd.DataFrame:
        """``year, mean, median, lo, hi`` at ``level`` (``mean`` NaN where it does not exist, see :attr:`mean`)."""
        lo, hi = self.interval(level)
        return pd.DataFrame({"year": self.year.astype(int), "mean": self.mean, "median": self.median,
                             "lo": lo, "hi": hi})


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
    facts = {"c": f"{c:.4g}", "sigma": f"{np.sqrt(sigma2):.4g}"}
    return Predictive("drift", _years_after(y, horizon), values[-1] + c * h, scale, None, False,
                      f"random walk with drift c={facts['c']}, σ={facts['sigma']}", n, facts)


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
    facts = {"growth": f"{np.expm1(beta[1]):.2%}"} if log else {"slope": f"{beta[1]:.4g}"}
    what = f"growth {facts['growth']}/yr" if log else f"slope {facts['slope']}/yr"
    return Predictive("loglinear" if log else "linear", _years_after(y, horizon), X_new @ beta, scale,
                      float(n - 2), log, f"OLS trend on {'logs' if log else 'levels'}, {what}", n, facts)


def _ets(y: pd.Series, horizon: int, *, damped: bool) -> Predictive:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    n = len(y)
    model = ETSModel(pd.Series(y.to_numpy()), error="add", trend="add", damped_trend=damped)
    res = model.fit(disp=False)
    pred = res.get_prediction(start=n, end=n + horizon - 1)
    params = dict(zip(res.param_names, np.asarray(res.params)))
    shown = ", ".join(f"{k}={params[k]:.3g}" for k in ("smoothing_level", "smoothing_trend", "damping_trend")
                      if k in params)
    symbols = {"smoothing_level": "α", "smoothing_trend": "β", "damping_trend": "φ"}
    facts = {"params": ", ".join(f"{sym}={params[k]:.3g}" for k, sym in symbols.items() if k in params)}
    return Predictive("damped" if damped else "ets", _years_after(y, horizon),
                      np.asarray(pred.predicted_mean, dtype=float),
                      np.sqrt(np.asarray(pred.forecast_variance, dtype=float)), None, False,
                      f"ETS(A,{'Ad' if damped else 'A'},N): {shown}", n, facts)


def _aicc(res, n_eff: int) -> float:
    k = len(res.params)
    return np.inf if n_eff - k - 1 <= 0 else res.aic + 2 * k * (k + 1) / (n_eff - k - 1)


def _arima(y: pd.Series, horizon: int) -> Predictive:
    from statsmodels.tsa.arima.model import ARIMA

    values = y.to_numpy()
    n_eff = len(values) - 1
    fits = []
    for order in _ARIMA_ORDERS:
        # No parameter covariance (cov_type="none"): the forecasts, their standard errors and the AIC do not use
        # it, and its numerical Hessian took about half of each fit.
        res = ARIMA(values, order=order, trend="t").fit(cov_type="none")
        fits.append((_aicc(res, n_eff), order, res))
    finite = [f for f in fits if np.isfinite(f[0])]
    # With too few differences for AICc, fall back to the simplest model instead of comparing
    # infinities.
    aicc, order, res = min(finite, key=lambda f: f[0]) if finite else fits[0]
    fc = res.get_forecast(horizon)
    how = "order chosen by AICc" if np.isfinite(aicc) else "too few points to compare orders"
    facts = {"order": str(order), "how": "aicc" if np.isfinite(aicc) else "few"}
    return Predictive("arima", _years_after(y, horizon), np.asarray(fc.predicted_mean, dtype=float),
                      np.asarray(fc.se_mean, dtype=float), None, False,
                      f"ARIMA{order} with drift ({how})", len(values), facts)


def _local_trend(y: pd.Series, horizon: int) -> Predictive:
    res = fit_structural(y.to_numpy(), "local linear trend", cov_type="none")  # forecasts need no covariance
    fc = res.get_forecast(horizon)
    # Variance shares are scale-free, unlike the variances of the rescaled series.
    variances = np.asarray(res.params, dtype=float)
    shares = variances / variances.sum() if variances.sum() > 0 else variances
    text = ", ".join(f"{k.replace('sigma2.', '')} {v:.2f}" for k, v in zip(res.param_names, shares))
    symbols = {"sigma2.irregular": "σ²ε", "sigma2.level": "σ²η", "sigma2.trend": "σ²ζ"}
    facts = {"shares": ", ".join(f"{symbols.get(k, k)} {v:.2f}" for k, v in zip(res.param_names, shares))}
    return Predictive("local_trend", _years_after(y, horizon), np.asarray(fc.predicted_mean, dtype=float),
                      np.asarray(fc.se_mean, dtype=float), None, False,
                      f"local linear trend, variance shares: {text}", len(y), facts)


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
                          pred.detail, pred.n_obs, pred.facts)
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
    check_choice("method", method, METHODS)
    horizon = check_int("horizon", horizon, 1)
    y = clean_series(series)
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
    facts = {**pred.facts, "start": str(int(y.index.min())), "end": str(int(y.index.max()))}
    return Predictive(pred.method, pred.year, pred.loc, np.maximum(pred.scale, floor), pred.df, pred.log,
                      f"{pred.detail}; fitted on {y.index.min()}–{y.index.max()}", pred.n_obs, facts)


def forecast(series: pd.Series, *, method: Method, horizon: int, level: float = 0.9) -> pd.DataFrame:
    """Forecast an annual series: ``year, mean, median, lo, hi`` for ``horizon`` years after the data.

    ``lo``/``hi`` bound the model's equal-tailed prediction interval at ``level``. For ``loglinear`` the
    ``mean`` column is NaN: the back-transformed Student-t predictive has no mean (see
    :attr:`Predictive.mean`); use ``median``.
    See :func:`predictive` for the models, errors and formulas.

    Examples
    --------
    >>> s = pd.Series([451.1, 494.6, 540.6, 580.0, 625.0, 677.6], index=range(2015, 2021))
    >>> forecast(s, method="drift", horizon=5).round(1)["median"].tolist()
    [722.9, 768.2, 813.5, 858.8, 904.1]
    """
    level = check_level(level)
    return predictive(series, method=method, horizon=horizon).frame(level)


def fan(series: pd.Series, *, method: Method, horizon: int,
        levels: Sequence[float] = (0.5, 0.8, 0.95)) -> pd.DataFrame:
    """Nested prediction intervals for a fan chart: ``year, level, mean, lo, hi`` (long)."""
    levels = [check_level(lv, "levels") for lv in levels]
    pred = predictive(series, method=method, horizon=horizon)
    return pd.concat([pred.frame(lv).assign(level=lv) for lv in levels], ignore_index=True)[
        ["year", "level", "median", "lo", "hi"]]


def method_label(method: str, lang: Lang = "zh") -> str:
    """The reader's name of a forecasting method in *lang* (``projection.method.<method>`` in the catalogue)."""
    return t(f"projection.method.{method}", lang)


def describe(pred: Predictive, lang: Lang = "zh") -> str:
    """The model description of *pred* (method, estimated parameters, fitting years) in *lang*.

    Parameters
    ----------
    pred : Predictive
        A predictive distribution from :func:`predictive`.
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    str
        E.g. ``随机游走加漂移：漂移 c=3.82，σ=1.2；拟合期2015—2020年``.
    """
    check_lang(lang)
    facts = dict(pred.facts)
    if pred.method == "arima":
        facts["how"] = t(f"projection.detail.arima_{facts.get('how', 'aicc')}", lang)
    text = t(f"projection.detail.{pred.method}", lang, **{k: v for k, v in facts.items()
                                                           if k not in ("start", "end")})
    if "start" in facts:
        text += t("projection.detail.fitted", lang, start=facts["start"], end=facts["end"])
    return text
