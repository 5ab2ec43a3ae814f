"""TWFE and event study: FWL demeaning vs a dummy-variable regression (statsmodels), weights, errors."""
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from _data.impact import ROLES, staggered

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact import event_study, twfe
from evalkit.impact._panel import group_sums
from evalkit.impact.twfe import demean_two_way


def test_unbalanced_twfe_matches_dummy_variable_ols_with_statsmodels_convention():
    df = staggered(noise=0.5, cohorts=(2017, 2017, 2018, 2019, 0, 0, 0, 0)).drop(index=[3, 17, 30])
    df["post"] = ((df["cohort"] > 0) & (df["year"] >= df["cohort"])).astype(float)
    ols = smf.ols("y ~ post + C(unit) + C(year)", data=df).fit(cov_type="cluster", cov_kwds={"groups": df["unit"]})
    ours = twfe(df, **ROLES, ssc="statsmodels").table.iloc[0]
    assert ours["coef"] == pytest.approx(ols.params["post"], rel=1e-9)
    assert ours["se"] == pytest.approx(ols.bse["post"], rel=1e-9)


def test_fixest_convention_is_smaller_by_the_dof_ratio():
    df = staggered(noise=0.5)
    a = twfe(df, **ROLES, ssc="fixest")
    b = twfe(df, **ROLES, ssc="statsmodels")
    n = a.n_obs
    assert a.table["se"][0] / b.table["se"][0] == pytest.approx(np.sqrt((n - b.k) / (n - a.k)))


def test_weights_sum_to_one_and_turn_negative_under_staggering():
    res = twfe(staggered(cohorts=(2016, 2016, 2017, 2019, 2020, 0)), **ROLES, lang="en")
    assert res.weights["weight"].sum() == pytest.approx(1.0)
    assert (res.weights["weight"] < 0).any()
    assert any("negative weight" in n for n in res.notes)
    assert list(res.labelled_weights().columns) == ["cohort", "year", "weight"]
    assert list(res.labelled_weights("zh").columns) == ["批次年份", "年份", "权重"]
    assert any("负" in n for n in twfe(staggered(cohorts=(2016, 2016, 2017, 2019, 2020, 0)), **ROLES).notes)


def test_event_study_recovers_effects_without_noise_when_homogeneous():
    res = event_study(staggered(effect=lambda e: 2.0), **ROLES)
    tab = res.table.set_index("event")
    assert np.allclose(tab.loc[tab.index >= 0, "coef"], 2.0)
    assert np.allclose(tab.loc[tab.index < -1, "coef"], 0.0, atol=1e-10)


def test_demeaning_balanced_equals_closed_form():
    df = staggered(noise=1.0)
    u = pd.factorize(df["unit"], sort=True)[0]
    t = pd.factorize(df["year"], sort=True)[0]
    y = df["y"].to_numpy()
    closed = y - df.groupby("unit")["y"].transform("mean") - df.groupby("year")["y"].transform("mean") + y.mean()
    assert np.allclose(demean_two_way(y, u, t), closed)


@pytest.mark.parametrize("columns", [1, 5, 300])
def test_group_sums_are_np_add_at_bit_for_bit(columns):
    rng = np.random.default_rng(columns)
    codes = rng.integers(0, 7, size=60)
    # magnitudes far apart make the sums depend on the order of the additions
    values = rng.normal(size=(60, columns)) * 10.0 ** rng.integers(-8, 17, size=(60, columns))
    values[3] = -0.0
    expected = np.zeros((8, columns))
    np.add.at(expected, codes, values)
    ours = group_sums(values, codes, 8)
    assert ours.shape == (8, columns) and ours.tobytes() == expected.tobytes()
    assert not ours[7].any()  # a group without rows sums to zero


def test_errors():
    with pytest.raises(ParameterError, match="reference"):
        event_study(staggered(), **ROLES, reference=-9)
    with pytest.raises(ParameterError, match="'fixest', 'statsmodels'"):
        twfe(staggered(), **ROLES, ssc="stata")
    with pytest.raises(DataShapeError, match="no treated"):
        twfe(staggered(cohorts=(0, 0, 0)), **ROLES)
