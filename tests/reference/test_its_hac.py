"""Short-series ITS with Newey–West errors: t(n − k) inference checked against a hand calculation.

The hand calculation writes out the Newey–West (1987) estimator with Bartlett weights 1 − l/(L+1), the
small-sample factor n/(n − k) (as Stata's ``newey``), and takes p-values and intervals from Student's t with
n − k degrees of freedom (scipy). It does not call statsmodels, which evalkit uses.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from evalkit.impact import its
from evalkit.impact.its import newey_west_lags

pytestmark = pytest.mark.reference


def _short_series():
    """12 annual points (illustrative; year 1 = 2009): trend, a level drop of 4 from year 7, and noise."""
    noise = np.array([0.8, -0.3, 0.5, 1.1, -0.6, 0.2, -0.9, 0.4, 1.0, -0.2, -0.7, 0.3])
    t = np.arange(1, 13)
    y = 50 + 1.5 * t - 4.0 * (t >= 7) + noise
    return pd.DataFrame({"year": t, "y": y})


def _newey_west(x, resid, lags):
    n, k = x.shape
    scores = x * resid[:, None]
    s = scores.T @ scores
    for lag in range(1, lags + 1):
        w = 1 - lag / (lags + 1)
        gamma = scores[lag:].T @ scores[:-lag]
        s += w * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    return n / (n - k) * bread @ s @ bread


def test_hac_t_inference_matches_hand_calculation():
    df = _short_series()
    res = its(df, time="year", outcome="y", start=7, slope_change=False, lang="en")
    t = df["year"].to_numpy(float)
    x = np.column_stack([np.ones(len(t)), t, (t >= 7).astype(float)])
    beta = np.linalg.solve(x.T @ x, x.T @ df["y"].to_numpy())
    resid = df["y"].to_numpy() - x @ beta
    lags = int(np.floor(4 * (len(t) / 100) ** (2 / 9)))
    assert newey_west_lags(len(t)) == lags == 2
    se = np.sqrt(np.diag(_newey_west(x, resid, lags)))
    dof = len(t) - x.shape[1]
    tab = res.table.set_index("term")
    assert tab["coef"].to_numpy() == pytest.approx(beta, rel=1e-10)
    assert tab["se"].to_numpy() == pytest.approx(se, rel=1e-10)
    p = 2 * stats.t.sf(np.abs(beta / se), dof)
    assert tab["p"].to_numpy() == pytest.approx(p, rel=1e-8)
    crit = stats.t.ppf(0.975, dof)
    assert tab["lo"].to_numpy() == pytest.approx(beta - crit * se, rel=1e-10)
    assert tab["hi"].to_numpy() == pytest.approx(beta + crit * se, rel=1e-10)
    assert res.df_resid == dof == 9
    # The normal quantile would have given a narrower interval (the anti-conservative convention replaced).
    assert crit > stats.norm.ppf(0.975) * 1.1
    # The counterfactual band uses the same t quantile.
    post = res.fitted[res.fitted["post"]]
    x_cf = x[t >= 7].copy()
    x_cf[:, 2] = 0
    cov = _newey_west(x, resid, lags)
    band = crit * np.sqrt(np.einsum("ij,jk,ik->i", x_cf, cov, x_cf))
    assert (post["cf_hi"] - post["counterfactual"]).to_numpy() == pytest.approx(band, rel=1e-10)


def test_sicily_rate_series_matches_the_hand_calculation():
    from evalkit.errors import ReferenceDataMissing
    from evalkit.reproduce import its_hac

    try:
        records = its_hac.records()
    except ReferenceDataMissing as exc:
        pytest.skip(str(exc))
    assert len(records) == 10
    for r in records:
        assert r["value"] == pytest.approx(r["reference"], abs=r["tolerance"]), r["quantity"]
