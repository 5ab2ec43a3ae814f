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


def _slsqp_weights(x0, x1, v):
    """W minimising (x1 − x0 W)' diag(v) (x1 − x0 W) on the simplex, by a generic solver."""
    k = x0.shape[1]
    res = optimize.minimize(lambda w: np.sum(v * (x1 - x0 @ w) ** 2), np.full(k, 1 / k), method="SLSQP",
                            bounds=[(0, 1)] * k, constraints={"type": "eq", "fun": lambda w: w.sum() - 1},
                            options={"ftol": 1e-15, "maxiter": 2000})
    return res.x


def test_custom_v_gives_the_weights_of_a_generic_solver():
    df = donor_panel(seed=3)
    predictors = [("y", range(2000, 2004)), ("y", range(2004, 2007)), ("y", range(2007, 2010))]
    res = synth(df, unit="unit", time="year", outcome="y", treated="T", start=2010, predictors=predictors,
                v=[1, 2, 1], placebo=False, leave_one_out=False, lang="en")
    assert res.v_method == "custom" and res.v.to_numpy() == pytest.approx([0.25, 0.5, 0.25])
    wide = df.pivot(index="year", columns="unit", values="y")
    units = ["T", *[f"d{j}" for j in range(6)]]
    x = np.vstack([wide.loc[list(p), units].mean().to_numpy() for _, p in predictors])
    x = x / x.std(axis=1, ddof=1)[:, None]  # scaled as R Synth scales, before V applies
    expected = _slsqp_weights(x[:, 1:], x[:, 0], np.array([0.25, 0.5, 0.25]))
    assert res.weights.to_numpy() == pytest.approx(expected, abs=1e-5)
    labels = list(res.v.index)
    again = synth(df, unit="unit", time="year", outcome="y", treated="T", start=2010, predictors=predictors,
                  v=dict(zip(labels, [1, 2, 1])), placebo=False, leave_one_out=False)
    assert again.weights.to_numpy() == pytest.approx(res.weights.to_numpy(), abs=1e-12)


def test_v_options_are_checked_and_the_placebo_rule_is_stated():
    df = donor_panel()
    base = dict(unit="unit", time="year", outcome="y", treated="T", start=2010, placebo=False, leave_one_out=False)
    with pytest.raises(ParameterError, match="one importance per predictor"):
        synth(df, **base, v=[1, 2])
    with pytest.raises(ParameterError, match="non-negative"):
        synth(df, **base, v=[-1] + [1] * 9)
    with pytest.raises(ParameterError, match="cv_predictors"):
        synth(df, **base, v="cv")
    with pytest.raises(ParameterError, match="'optimised', 'cv'"):
        synth(df, **base, v="best")
    res = synth(df, **base, lang="en")
    assert res.v_method == "optimised" and res.placebo_rule == "rmspe_ratio_rank"
    text = res.placebo_definition()
    assert "post/pre RMSPE ratio" in text and "treated unit included" in text
    assert "RMSPE" in res.placebo_definition("zh") and "含处理单位本身" in res.placebo_definition("zh")
    assert "placebo p" in res._repr_html_().lower()


def test_cross_validated_v_minimises_the_validation_error():
    df = donor_panel(seed=5)
    train = [("y", [t]) for t in range(2000, 2005)]
    main = [("y", [t]) for t in range(2005, 2010)]
    res = synth(df, unit="unit", time="year", outcome="y", treated="T", start=2010, predictors=main,
                v="cv", cv_predictors=train, cv_window=range(2005, 2010), placebo=False, leave_one_out=False)
    assert res.v_method == "cv" and res.v.sum() == pytest.approx(1.0)
    wide = df.pivot(index="year", columns="unit", values="y")
    units = ["T", *[f"d{j}" for j in range(6)]]
    x_train = wide.loc[range(2000, 2005), units].to_numpy()
    x_train = x_train / x_train.std(axis=1, ddof=1)[:, None]
    z = wide.loc[range(2005, 2010), units].to_numpy()

    def validation_mspe(v):
        w = _slsqp_weights(x_train[:, 1:], x_train[:, 0], v)
        return np.mean((z[:, 0] - z[:, 1:] @ w) ** 2)

    chosen = validation_mspe(res.v.to_numpy())
    assert chosen <= validation_mspe(np.full(5, 0.2)) + 1e-9
    assert chosen <= validation_mspe(np.array([0.6, 0.1, 0.1, 0.1, 0.1])) + 1e-9


def test_display_escapes_unit_names():
    df = donor_panel()
    df["unit"] = df["unit"].replace({"T": "<b>T</b>", "d1": "<i>d1</i>"})
    res = synth(df, unit="unit", time="year", outcome="y", treated="<b>T</b>", start=2010, placebo=False,
                leave_one_out=False, lang="en")
    html = res._repr_html_()
    assert "<b>T</b>" not in html and "&lt;b&gt;T&lt;/b&gt;" in html
    assert "<i>d1</i>" not in html and "&lt;i&gt;d1&lt;/i&gt;" in html
