"""Reference case ``airline``: the Box–Jenkins airline model on log AirPassengers.

Model: ARIMA(0,1,1)(0,1,1)\\ :sub:`12` on the natural log of the 144 monthly passenger totals
1949–1960, fitted by exact maximum likelihood on the differenced series — what R's ``arima`` does,
and what :func:`evalkit.projection.fit_sarimax` (``simple_differencing=True``) does.

Published values: R ``arima`` output shown by astsa's ``sarima`` (front end to ``stats::arima``) for
``sarima(log(AirPassengers), 0,1,1, 0,1,1, 12)`` in nickpoison/astsa ``fun_with_astsa/fun_with_astsa.md``
(commit e50de840b83b2877314f95cd15e776f208794d2e): ma1 = −0.4018 (s.e. 0.0896), sma1 = −0.5569
(s.e. 0.0731), σ² = 0.001348, log likelihood 244.7, aic = −483.4.

The data file comes from ``EVALKIT_REFERENCE_DATA``/``airline/AirPassengers.csv`` (columns ``month``,
``passengers``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.paths import require_reference_data
from evalkit.projection.statespace import fit_sarimax

__all__ = ["CASE", "PUBLISHED", "TOLERANCE", "fit", "load", "records"]

CASE = "airline"
PUBLISHED = {"ma1": -0.4018, "sma1": -0.5569, "sigma2": 0.001348, "aic": -483.4}
#: Half a unit in the last printed digit.
TOLERANCE = {"ma1": 5e-5, "sma1": 5e-5, "sigma2": 5e-7, "aic": 0.05}


def load() -> pd.Series:
    """Monthly passengers 1949-01 … 1960-12 (raises ReferenceDataMissing if the file is absent)."""
    path = require_reference_data("airline", "AirPassengers.csv")
    frame = pd.read_csv(path)
    return frame.set_index("month")["passengers"].astype(float)


def fit():
    """Airline-model fit.

    BFGS with a tight gradient tolerance, so the estimates are converged to well below the published rounding.
    """
    return fit_sarimax(np.log(load().to_numpy()), order=(0, 1, 1), seasonal_order=(0, 1, 1, 12),
                        method="bfgs", gtol=1e-8, maxiter=1000)


def records() -> list[dict]:
    """``ma1``, ``sma1``, ``sigma2`` and ``aic`` beside the published values."""
    res = fit()
    values = dict(zip(res.model.param_names, np.asarray(res.params)))
    found = {"ma1": values["ma.L1"], "sma1": values["ma.S.L12"], "sigma2": values["sigma2"], "aic": res.aic}
    return [{"case": CASE, "quantity": q, "value": float(found[q]), "reference": PUBLISHED[q],
             "tolerance": TOLERANCE[q]} for q in PUBLISHED]
