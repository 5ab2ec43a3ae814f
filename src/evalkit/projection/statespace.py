"""State-space fitters shared by the ``local_trend`` method and the reference reproductions.

Both fit with statsmodels and are public so that :mod:`evalkit.reproduce` checks exactly the fitter the
forecasts use (Nile against Durbin & Koopman's local level, AirPassengers against R's ``arima``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["fit_sarimax", "fit_structural"]


def fit_structural(values: np.ndarray, level: str, **fit_kwargs):
    """Fit an unobserved-components model with exact diffuse initialisation of the states.

    Parameters
    ----------
    values : array_like
        The observations.
    level : str
        The statsmodels trend specification, e.g. ``"local level"`` or ``"local linear trend"``.
    **fit_kwargs
        Passed to ``UnobservedComponents.fit`` (e.g. ``start_params``).

    Returns
    -------
    statsmodels.tsa.statespace.structural.UnobservedComponentsResults
        The fitted model.
    """
    import statsmodels.api as sm

    model = sm.tsa.UnobservedComponents(np.asarray(values, dtype=float), level, use_exact_diffuse=True)
    return model.fit(disp=False, **fit_kwargs)


def fit_sarimax(values: np.ndarray, *, order, seasonal_order, **fit_kwargs):
    """Fit a SARIMAX model the way R's ``arima`` does: likelihood of the differenced series.

    Parameters
    ----------
    values : array_like
        The observations.
    order : tuple of int
        ``(p, d, q)``.
    seasonal_order : tuple of int
        ``(P, D, Q, s)``.
    **fit_kwargs
        Passed to ``SARIMAX.fit``.

    Returns
    -------
    statsmodels.tsa.statespace.sarimax.SARIMAXResults
        The fitted model.
    """
    import statsmodels.api as sm

    model = sm.tsa.SARIMAX(np.asarray(values, dtype=float), order=order, seasonal_order=seasonal_order,
                           simple_differencing=True)
    return model.fit(disp=False, **fit_kwargs)
