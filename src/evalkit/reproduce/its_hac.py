"""Reference case ``its_hac``: OLS interrupted time series with Newey–West errors and t(n − k) inference.

Data: the Sicily series (``EVALKIT_REFERENCE_DATA/sicily/sicily.csv``, see :mod:`evalkit.reproduce.sicily`)
as a rate, acute coronary events per 100,000 standard population, with a level change at the smoking ban
(``time`` 37) — and its first 12 months around the ban (``time`` 31–42), the short-series case the t
quantiles are for. The reference is a hand calculation written out in NumPy/SciPy here, independent of the
statsmodels code evalkit uses: the Newey–West (1987) estimator with Bartlett weights 1 − l/(L+1) and
L = ⌊4(n/100)^{2/9}⌋, the small-sample factor n/(n − k) (as Stata's ``newey``), p-values and 95 % intervals
from Student's t with n − k degrees of freedom. No published value exists for this OLS variant.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.impact import its
from evalkit.paths import require_reference_data

__all__ = ["WINDOWS", "hand_calculation", "load", "records"]

#: (label, first time, last time) of the series fitted
WINDOWS = (("full", 1, 59), ("short", 31, 42))


def load() -> pd.DataFrame:
    """The Sicily data with the rate per 100,000 (``ReferenceDataMissing`` if absent)."""
    data = pd.read_csv(require_reference_data("sicily", "sicily.csv"))
    return data.assign(rate=data["aces"] / data["stdpop"] * 1e5)


def hand_calculation(t: np.ndarray, y: np.ndarray, start: float) -> dict[str, float]:
    """Level change, its Newey–West SE, t(n − k) p-value and 95 % interval, written out by hand."""
    x = np.column_stack([np.ones(len(t)), t, (t >= start).astype(float)])
    n, k = x.shape
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    scores = x * (y - x @ beta)[:, None]
    lags = int(np.floor(4 * (n / 100) ** (2 / 9)))
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        meat += (1 - lag / (lags + 1)) * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    se = float(np.sqrt((n / (n - k) * bread @ meat @ bread)[2, 2]))
    crit = stats.t.ppf(0.975, n - k)
    return {"level": float(beta[2]), "se": se, "p": float(2 * stats.t.sf(abs(beta[2] / se), n - k)),
            "lo": float(beta[2] - crit * se), "hi": float(beta[2] + crit * se)}


def records() -> list[dict]:
    """The level change, SE, p and interval of evalkit beside the hand calculation (full and short series)."""
    data = load()
    out = []
    for label, first, last in WINDOWS:
        part = data[(data["time"] >= first) & (data["time"] <= last)]
        ours = its(part, time="time", outcome="rate", start=37, slope_change=False, lang="en")
        row = ours.table.set_index("term").loc["level"]
        ref = hand_calculation(part["time"].to_numpy(float), part["rate"].to_numpy(float), 37)
        for quantity, value in (("level", row["coef"]), ("se", row["se"]), ("p", row["p"]), ("lo", row["lo"]),
                                ("hi", row["hi"])):
            out.append({"case": "its_hac", "quantity": f"{quantity}[{label}]", "value": float(value),
                        "reference": ref[quantity], "tolerance": 1e-8})
    return out
