"""Projections for the 14th Five-Year Plan: trend, ETS and ARIMA forecasts, backtests, cohort projection.

Modules
-------
series
    Taking an annual series from a panel; the checks every model shares.
forecast
    The methods, their predictive distributions (:class:`Predictive`), :func:`forecast` and :func:`fan`.
statespace
    The statsmodels state-space fitters behind ``local_trend`` and the reference reproductions.
backtest
    Rolling-origin backtests against the random walk with drift, method selection, per-method ranges.
cohort
    The cohort-component population projection (Preston, Heuveline & Guillot 2001, ch. 6).

The random walk with drift is the benchmark every method must beat in a rolling-origin backtest
(:func:`backtest`, :func:`select`); with the six annual points of a Five-Year-Plan panel it often is
not beaten, and :func:`select` says so rather than picking the best-looking model by chance.
"""
from evalkit.projection.backtest import (
    MIN_FORECASTS,
    BacktestResult,
    backtest,
    possible_forecasts,
    select,
    selection_note,
)
from evalkit.projection.cohort import CohortResult, cohort_inputs, cohort_project, cohort_step, older_population
from evalkit.projection.forecast import (
    BENCHMARK,
    METHODS,
    MIN_POINTS,
    Method,
    Predictive,
    describe,
    fan,
    forecast,
    method_label,
    predictive,
)
from evalkit.projection.series import series_of
from evalkit.projection.statespace import fit_sarimax, fit_structural

__all__ = [
    "BENCHMARK",
    "METHODS",
    "MIN_FORECASTS",
    "MIN_POINTS",
    "BacktestResult",
    "CohortResult",
    "Method",
    "Predictive",
    "backtest",
    "cohort_inputs",
    "cohort_project",
    "cohort_step",
    "describe",
    "fan",
    "fit_sarimax",
    "fit_structural",
    "forecast",
    "method_label",
    "older_population",
    "possible_forecasts",
    "predictive",
    "select",
    "selection_note",
    "series_of",
]
