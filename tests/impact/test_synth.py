"""Synthetic control: the simplex QP against a generic solver, exact recovery, placebo p-value, errors."""
import numpy as np
import pytest
from _data.impact import donor_panel
from scipy import optimize

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact import synth
from evalkit.impact.synth import simplex_least_squares


def test_simplex_least_squares_matches_slsqp():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(8, 6)), rng.normal(size=8)
    w = simplex_least_squares(a, b)
    ref = optimize.minimize(lambda x: np.sum((a @ x - b) ** 2), np.full(6, 1 / 6), method="SLSQP",
                            bounds=[(0, 1)] * 6, constraints={"type": "eq", "fun": lambda x: x.sum() - 1},
                            options={"ftol": 1e-14, "maxiter": 1000})
    assert w.sum() == pytest.approx(1.0, abs=1e-12) and (w >= 0).all()
    assert np.sum((a @ w - b) ** 2) <= ref.fun + 1e-10
    assert w == pytest.approx(ref.x, abs=1e-5)


def test_recovers_a_convex_combination_and_the_effect():
    res = synth(donor_panel(), unit="unit", time="year", outcome="y", treated="T", start=2010)
    assert res.weights["d1"] == pytest.approx(0.6, abs=1e-3)
    assert res.weights["d4"] == pytest.approx(0.4, abs=1e-3)
    assert res.pre_rmspe < 1e-3
    assert res.gaps.loc[res.gaps["post"], "gap"].to_numpy() == pytest.approx(3.0, abs=1e-2)
    assert res.placebo_p == pytest.approx(1 / 7)  # the treated unit has the largest post/pre ratio
    assert set(res.leave_one_out["dropped"]) == {"d1", "d4"}


def test_errors():
    df = donor_panel()
    with pytest.raises(ParameterError, match="treated"):
        synth(df, unit="unit", time="year", outcome="y", treated="X", start=2010)
    with pytest.raises(DataShapeError, match="2 donor"):
        synth(df, unit="unit", time="year", outcome="y", treated="T", start=2010, donors=["d1"])
    with pytest.raises(DataShapeError, match="missing"):
        synth(df.drop(index=3), unit="unit", time="year", outcome="y", treated="T", start=2010, placebo=False)
