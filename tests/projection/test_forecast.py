"""Tests for evalkit.projection.forecast: forecasts, their intervals and predictive distributions.

Expected values come from hand arithmetic (the drift and cohort formulas) or from statsmodels fitted
directly (the reference implementation), never from evalkit itself.
"""
import numpy as np
import pandas as pd
import pytest
from _data.projection import annual
from scipy import stats

from evalkit import projection as pj
from evalkit.errors import DataShapeError, ParameterError

YEARS = range(2015, 2021)




# ------------------------------------------------------------------------------------------ forecast
def test_forecast_frame_shape_and_years():
    out = pj.forecast(annual([10, 12, 13, 15, 18, 19]), method="linear", horizon=5)
    assert list(out.columns) == ["year", "mean", "median", "lo", "hi"]
    assert out["mean"].tolist() == pytest.approx(out["median"].tolist())  # symmetric on levels
    assert out["year"].tolist() == [2021, 2022, 2023, 2024, 2025]
    assert (out["lo"] < out["mean"]).all() and (out["mean"] < out["hi"]).all()


def test_loglinear_reports_the_median_because_a_log_t_has_no_mean():
    # exp(loc + scale·T) with T ~ t_df has E = ∫ e^{s t} f_t(t) dt = ∞ for every df (t tails are polynomial),
    # so the mean column is empty and the median is exp(loc): the t median is 0.
    y = annual([100, 112, 125, 141, 158, 177])
    pred = pj.predictive(y, method="loglinear", horizon=3)
    assert pred.df == 4 and not pred.has_mean
    assert np.isnan(pred.mean).all()
    assert pred.median == pytest.approx(np.exp(pred.loc))
    assert pred.quantile(0.5) == pytest.approx(pred.median)
    out = pj.forecast(y, method="loglinear", horizon=3)
    assert out["mean"].isna().all() and (out["median"] > 177).all()
    assert pj.predictive(y, method="drift", horizon=3).has_mean


def test_drift_matches_hand_formula():
    # y = 1, 3, 4, 7: c = 2, residuals of the differences 0, -1, 1 → σ² = 2 / (4 - 2) = 1.
    # h-step variance σ² h (1 + h/(T-1)) (FPP3 §5.5): h=1 → 4/3, h=2 → 2 · 5/3 = 10/3.
    out = pj.forecast(annual([1, 3, 4, 7]), method="drift", horizon=2, level=0.9)
    z = stats.norm.ppf(0.95)
    assert out["mean"].tolist() == pytest.approx([9.0, 11.0])
    assert out["lo"].tolist() == pytest.approx([9 - z * np.sqrt(4 / 3), 11 - z * np.sqrt(10 / 3)])
    assert out["hi"].tolist() == pytest.approx([9 + z * np.sqrt(4 / 3), 11 + z * np.sqrt(10 / 3)])


@pytest.mark.parametrize("log", [False, True])
def test_trend_intervals_match_statsmodels_ols(log):
    import statsmodels.api as sm

    y = annual([451.1, 494.6, 540.6, 580.0, 625.0, 677.6])
    z = np.log(y.to_numpy()) if log else y.to_numpy()
    X = sm.add_constant(np.arange(6.0))
    ref = sm.OLS(z, X).fit().get_prediction(sm.add_constant(np.arange(6.0, 9.0))).summary_frame(alpha=0.2)
    back = np.exp if log else (lambda v: v)
    out = pj.forecast(y, method="loglinear" if log else "linear", horizon=3, level=0.8)
    assert out["median"].to_numpy() == pytest.approx(back(ref["mean"].to_numpy()))
    assert out["lo"].to_numpy() == pytest.approx(back(ref["obs_ci_lower"].to_numpy()))
    assert out["hi"].to_numpy() == pytest.approx(back(ref["obs_ci_upper"].to_numpy()))


def test_ets_interval_is_the_models_own():
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    # Differences with unit spread, so evalkit's internal rescaling is (nearly) the identity.
    y = annual([10.0, 11.2, 11.9, 13.4, 14.1, 15.3, 16.0, 17.6])
    ref = ETSModel(pd.Series(y.to_numpy()), error="add", trend="add").fit(disp=False)
    pred = ref.get_prediction(start=8, end=10)
    sd = np.sqrt(np.asarray(pred.forecast_variance))
    out = pj.forecast(y, method="ets", horizon=3, level=0.95)
    mean = np.asarray(pred.predicted_mean)
    assert out["mean"].to_numpy() == pytest.approx(mean, rel=1e-3)
    assert (out["hi"] - out["lo"]).to_numpy() == pytest.approx(2 * stats.norm.ppf(0.975) * sd, rel=2e-2)


@pytest.mark.parametrize("method", ["ets", "damped", "arima", "local_trend"])
def test_state_space_forecasts_are_scale_equivariant(method):
    y = annual([30.3, 31.6, 32.2, 33.9, 34.1, 35.8, 36.2])
    small = pj.forecast(y, method=method, horizon=3)
    big = pj.forecast(y * 10_000, method=method, horizon=3)
    for col in ("mean", "lo", "hi"):
        assert big[col].to_numpy() == pytest.approx(10_000 * small[col].to_numpy(), rel=1e-4)


def test_arima_reports_chosen_order():
    pred = pj.predictive(annual([5.0, 5.9, 7.1, 7.8, 9.2, 9.9, 11.1]), method="arima", horizon=2)
    assert pred.detail.startswith("ARIMA(") and "drift" in pred.detail


def test_fan_nests_intervals():
    out = pj.fan(annual([10, 12, 13, 15, 18, 19]), method="drift", horizon=3, levels=(0.5, 0.8, 0.95))
    wide = out.pivot(index="year", columns="level", values="hi")
    assert (wide[0.5] < wide[0.8]).all() and (wide[0.8] < wide[0.95]).all()


def test_predictive_probabilities_and_quantiles_agree():
    pred = pj.predictive(annual([3.1, 3.4, 3.9, 4.1, 4.6, 5.2]), method="loglinear", horizon=4)
    q30 = pred.quantile(0.3)
    assert pred.prob_at_least(q30) == pytest.approx(np.full(4, 0.7))
    assert pred.prob_at_least(0.0) == pytest.approx(np.ones(4))  # log model: values are positive


def test_sample_follows_the_predictive_marginals():
    pred = pj.predictive(annual([10, 12, 13, 15, 18, 19]), method="linear", horizon=3)
    draws = pred.sample(20_000, seed=1)
    assert draws.shape == (20_000, 3)
    assert np.quantile(draws, 0.9, axis=0) == pytest.approx(pred.quantile(0.9), rel=2e-3)
    assert np.array_equal(draws, pred.sample(20_000, seed=1))


# ---------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("series, method, match", [
    (annual([1, 2, np.nan, 4, 5]), "drift", "2017"),
    (pd.Series([1.0, 2, 3, 4], index=[2015, 2016, 2018, 2019]), "drift", r"\[2017\]"),
    (annual([1, 2, 3, 4]), "damped", "at least 5"),
    (annual([0, 2, 3, 4]), "loglinear", "positive"),
    (pd.Series([1.0, 2, 3], index=["a", "b", "c"]), "drift", "years as integers"),
    (pd.Series([1.0, 2, 3, 4], index=[2015, 2015, 2016, 2017]), "drift", "more than once"),
])
def test_bad_series_raise_data_shape_errors(series, method, match):
    with pytest.raises(DataShapeError, match=match):
        pj.forecast(series, method=method, horizon=2)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "holt", "horizon": 2}, "drift"),
    ({"method": "drift", "horizon": 0}, "horizon"),
    ({"method": "drift", "horizon": 2, "level": 90}, "between 0 and 1"),
])
def test_bad_arguments_raise_parameter_errors(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        pj.forecast(annual([1, 2, 3, 4]), **kwargs)


def test_not_a_series_is_a_parameter_error():
    with pytest.raises(ParameterError, match="series_of"):
        pj.forecast([1, 2, 3], method="drift", horizon=1)
