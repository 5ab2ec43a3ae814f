"""Issue 15 method fixes against hand calculations, statsmodels and scipy (see evalkit.reproduce.projection_methods).

MASE and MAPE by hand (Hyndman & Koehler 2006); the log-linear median against statsmodels OLS on logs, and the
non-existence of its mean; the joint recipient shares against scipy's Beta marginal of a Dirichlet.
"""
import numpy as np
import pytest
from scipy import integrate, stats

pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def records():
    from evalkit.reproduce import projection_methods

    return {r["quantity"]: r for r in projection_methods.records()}


@pytest.mark.parametrize("quantity", ["mase_hand", "mape_hand", "loglinear_median_vs_statsmodels",
                                      "share_sd_vs_beta", "share_sum"])
def test_matches_the_reference(records, quantity):
    r = records[quantity]
    assert abs(r["value"] - r["reference"]) <= r["tolerance"], r


def test_the_beta_sd_is_the_stated_sd():
    # Concentration c chosen so that Var = p(1-p)/(c+1) = 0.03²: the Beta marginal has the stated sd exactly.
    c = 0.18 * 0.82 / 0.03 ** 2 - 1
    assert stats.beta(c * 0.18, c * 0.82).std() == pytest.approx(0.03, rel=1e-12)


def test_a_log_t_has_no_mean():
    # E exp(T) for T ~ t_4: the partial integrals over [0, M] grow without bound (polynomial tails against an
    # exponential), which is why a log-linear forecast reports its median.
    t4 = stats.t(4)
    partial = [integrate.quad(lambda x: np.exp(x) * t4.pdf(x), 0, m, limit=200)[0] for m in (10, 20, 40)]
    assert partial[1] > 100 * partial[0] and partial[2] > 1e6 * partial[1]  # 7, 2.4e3, 3.1e10
