"""Sobol indices of evalkit.composite against SALib (an independent implementation) on the same design.

Issue 15, finding 3: the first-order estimator ran on uncentred outputs, so S moved when a constant was added
to the model (S[x4] 0.515 → 0.799 for y + 100 in the audit). The outputs are now centred, as SALib's
``sobol.analyze`` does. SALib is a test-only dependency (the ``test`` extra).
"""
import numpy as np
import pytest

from evalkit import composite
from evalkit.reproduce import ishigami, sobol_vs_salib

pytest.importorskip("SALib", reason="SALib is in the test extra: pip install SALib")

N = 4_000


def _uncentred_first_order(y, n, d):
    """The estimator as it was before the fix (Saltelli 2010 on raw outputs), written out here."""
    y_a, y_b, y_ab = y[:n], y[n:2 * n], y[2 * n:].reshape(d, n).T
    return (y_b[:, None] * (y_ab - y_a[:, None])).mean(axis=0) / np.var(np.r_[y_a, y_b], ddof=1)


def test_first_order_indices_do_not_move_when_a_constant_is_added():
    y = sobol_vs_salib.design_outputs(N, seed=3)
    plain = composite.sobol_indices(y, n=N, d=3)
    shifted = composite.sobol_indices(y + 100.0, n=N, d=3)
    np.testing.assert_allclose(shifted[["S", "ST"]], plain[["S", "ST"]], atol=1e-9)
    # the old, uncentred estimator does move on the same outputs: this test would have caught it
    moved = np.abs(_uncentred_first_order(y + 100.0, N, 3) - _uncentred_first_order(y, N, 3))
    assert moved.max() > 0.05


def test_indices_agree_with_salib_on_the_same_design():
    y = sobol_vs_salib.design_outputs(N, seed=3)
    ours = composite.sobol_indices(y, n=N, d=3, names=["x1", "x2", "x3"])
    theirs = sobol_vs_salib.salib_indices(y, N, 3, ["x1", "x2", "x3"])
    # the same estimators: only the variance denominator differs (2n - 1 vs 2n), relative 1/(2n)
    np.testing.assert_allclose(ours[["S", "ST"]], theirs[["S", "ST"]], rtol=1 / N, atol=1e-12)
    # and both are within Monte Carlo error (0.05 at n = 4000) of the closed-form Ishigami indices
    exact = ishigami.analytic_indices()
    np.testing.assert_allclose(ours[["S", "ST"]], exact[["S", "ST"]], atol=0.05)


def test_salib_layout_is_a_then_ab_then_b_per_base_sample():
    n, d = 2, 2
    y = np.arange(n * (d + 2), dtype=float)  # A = 0, 1; B = 2, 3; A_B^1 = 4, 5; A_B^2 = 6, 7
    assert sobol_vs_salib.salib_order(y, n, d).tolist() == [0, 4, 6, 2, 1, 5, 7, 3]


def test_validation_case_records_agree_within_tolerance():
    records = sobol_vs_salib.records()
    assert len(records) == 12 and {r["case"] for r in records} == {"sobol_vs_salib"}
    assert [r["quantity"] for r in records[:3]] == ["S[x1]", "S[x2]", "S[x3]"]
    assert records[6]["quantity"] == "S[x1] (y+100)"
    for r in records:
        assert abs(r["value"] - r["reference"]) <= r["tolerance"], r
