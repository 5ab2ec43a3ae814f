"""Sobol estimators (COINr's: Saltelli 2010 first order, Jansen 1999 total) against analytic values.

Ishigami function, a = 7, b = 0.1, x ~ U(-π, π): published analytic indices S = (0.3139, 0.4424, 0),
ST = (0.5576, 0.4424, 0.2437) (Ishigami & Homma 1990; Saltelli et al. 2008 — as quoted in
../shared/research/methods_reference.md §1, check 1D), tolerance ±0.01 at N = 200 000. Also the additive
test function of COINr's ``SA_estimate`` example, y = x1 + 2·x2 + 3·x3 on U(0, 1), whose indices are
S_i = ST_i = c_i² / Σc² = (1, 4, 9) / 14.
"""
import numpy as np
import pytest

from evalkit import composite

pytestmark = pytest.mark.reference

PUBLISHED = {"S": (0.3139, 0.4424, 0.0), "ST": (0.5576, 0.4424, 0.2437)}


def test_closed_form_matches_the_published_values():
    from evalkit.reproduce import ishigami

    exact = ishigami.analytic_indices()
    for kind, values in PUBLISHED.items():
        assert tuple(exact[kind].round(4)) == values


def test_estimates_are_within_0_01_of_the_analytic_values():
    from evalkit.reproduce import ishigami

    records = ishigami.records()
    assert [r["quantity"] for r in records] == ["S[x1]", "S[x2]", "S[x3]", "ST[x1]", "ST[x2]", "ST[x3]"]
    for r in records:
        assert r["case"] == "ishigami"
        assert r["tolerance"] == 0.01 and abs(r["value"] - r["reference"]) < 0.01, r


def test_additive_function_of_coinr_example():
    n, d = 20_000, 3
    x = composite.saltelli_design(n, d, seed=5)
    y = x @ np.array([1.0, 2.0, 3.0])
    indices = composite.sobol_indices(y, n=n, d=d, n_boot=50, seed=5)
    expected = np.array([1, 4, 9]) / 14
    np.testing.assert_allclose(indices["S"], expected, atol=0.02)
    np.testing.assert_allclose(indices["ST"], expected, atol=0.02)
    assert (indices["S_lo"] < indices["S_hi"]).all() and (indices["ST_lo"] < indices["ST_hi"]).all()


def test_design_layout_is_a_b_then_a_with_one_column_of_b():
    x = composite.saltelli_design(4, 2, seed=1)
    a, b, ab1, ab2 = x[:4], x[4:8], x[8:12], x[12:]
    assert x.shape == (16, 2)
    np.testing.assert_array_equal(ab1, np.column_stack([b[:, 0], a[:, 1]]))
    np.testing.assert_array_equal(ab2, np.column_stack([a[:, 0], b[:, 1]]))
