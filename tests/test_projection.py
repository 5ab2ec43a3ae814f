"""Tests for evalkit.projection: forecasts and their intervals, backtests, selection, cohort projection.

Expected values come from hand arithmetic (the drift and cohort formulas) or from statsmodels fitted
directly (the reference implementation), never from evalkit itself.
"""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evalkit import projection as pj
from evalkit.errors import DataShapeError, ParameterError

YEARS = range(2015, 2021)


def annual(values, start=2015, name="x"):
    return pd.Series(values, index=range(start, start + len(values)), name=name, dtype=float)


# ------------------------------------------------------------------------------------------ forecast
def test_forecast_frame_shape_and_years():
    out = pj.forecast(annual([10, 12, 13, 15, 18, 19]), method="linear", horizon=5)
    assert list(out.columns) == ["year", "mean", "lo", "hi"]
    assert out["year"].tolist() == [2021, 2022, 2023, 2024, 2025]
    assert (out["lo"] < out["mean"]).all() and (out["mean"] < out["hi"]).all()


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
    assert out["mean"].to_numpy() == pytest.approx(back(ref["mean"].to_numpy()))
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


# ---------------------------------------------------------------------------------------- backtests
def test_backtest_origins_and_pairing():
    bt = pj.backtest(annual([1.0, 2.1, 2.9, 4.2, 5.0, 6.1]), methods=["linear"], min_train=4)
    drift = bt.forecasts[bt.forecasts["method"] == "drift"]
    assert drift["origin"].tolist() == [2018, 2019] and drift["year"].tolist() == [2019, 2020]
    # drift from 2015–2018: 4.2 + (4.2 - 1.0)/3 = 5.2666…; APE vs 5.0
    assert drift["ape"].iloc[0] == pytest.approx(100 * abs(5.0 - (4.2 + 3.2 / 3)) / 5.0)


def test_no_method_beats_drift_on_an_exact_line():
    bt = pj.backtest(annual([2.0, 4.0, 6.0, 8.0, 10.0, 12.0]), methods=["linear", "loglinear"])
    assert not bt.summary["beats_benchmark"].any()
    assert bt.verdict.startswith("No method beats the naive drift benchmark")


def test_loglinear_beats_drift_on_constant_growth():
    bt = pj.backtest(annual(100 * 1.25 ** np.arange(6)), methods=["loglinear"])
    row = bt.summary.set_index("method").loc["loglinear"]
    assert row["beats_benchmark"] and row["mape"] < 1e-8
    assert bt.verdict.startswith("loglinear beats")


def test_backtest_needs_more_points_than_min_train():
    with pytest.raises(DataShapeError, match="min_train"):
        pj.backtest(annual([1, 2, 3, 4]), min_train=4)


def _panel(series: dict[str, list[float]], region="210000"):
    rows = [{"region": region, "year": 2015 + i, "indicator": k, "value": v}
            for k, vals in series.items() for i, v in enumerate(vals)]
    return pd.DataFrame(rows)


def test_select_chooses_per_series_and_says_when_drift_stays():
    panel = _panel({"growth": list(100 * 1.25 ** np.arange(6)), "line": [2, 4, 6, 8, 10, 12], "short": [1, 2, 3]})
    out = pj.select(panel, methods=["linear", "loglinear"]).set_index("indicator")
    assert out.loc["growth", "method"] == "loglinear" and out.loc["growth", "decision"] == "beats_benchmark"
    assert out.loc["line", "method"] == "drift" and out.loc["line", "decision"] == "no_method_beats_benchmark"
    assert out.loc["short", "decision"] == "too_short" and "min_train" in out.loc["short", "reason"]


def test_select_and_series_of_need_a_panel():
    with pytest.raises(ParameterError, match="lacks column"):
        pj.select(pd.DataFrame({"year": [2015], "value": [1.0]}))
    with pytest.raises(DataShapeError, match="no values of indicator 'x'"):
        pj.series_of(_panel({"growth": [1.0, 2.0]}), region="210000", indicator="x")


def test_select_requires_min_forecasts():
    panel = _panel({"growth": list(100 * 1.25 ** np.arange(6))})
    out = pj.select(panel, methods=["loglinear"], min_forecasts=3)
    assert out["method"].iloc[0] == "drift" and "fewer than 3" in out["reason"].iloc[0]


# --------------------------------------------------------------------------------------- cohorts
def _cohort_frames(pop, surv, mig=None, fert=None):
    ages = [0, 5, 10, 15][: len(pop)]
    base = pd.DataFrame({"age": ages, "population": pop})
    rates = pd.DataFrame({"age": ages, "survival": surv})
    if mig is not None:
        rates["net_migration"] = mig
    if fert is not None:
        rates["fertility"] = fert
    return base, rates


def test_ageing_without_deaths_or_migration_shifts_cohorts_and_keeps_the_total():
    base, rates = _cohort_frames([100.0, 80.0, 60.0, 40.0], [1, 1, 1, 1])
    res = pj.cohort_project(base, rates, start_year=2020, steps=1)
    after = res.population[res.population["year"] == 2025]["population"].tolist()
    assert after == [0.0, 100.0, 80.0, 100.0]  # 15+ open group keeps its 40 and gains the 60
    assert sum(after) == 280.0


def test_hand_computed_step_with_deaths_and_migration():
    # P_{x+5} = P_x S_x + M_x (1 + S_x)/2 ; open group adds its own survivors
    base, rates = _cohort_frames([100.0, 80.0, 60.0], [0.9, 0.8, 0.5], mig=[10.0, -20.0, 0.0])
    res = pj.cohort_project(base, rates, start_year=2020, steps=1)
    after = res.population[res.population["year"] == 2025]["population"].to_numpy()
    expected = [0.0, 100 * 0.9 + 10 * 1.9 / 2, 80 * 0.8 - 20 * 1.8 / 2 + 60 * 0.5]
    assert after == pytest.approx(expected)
    comp = res.components.iloc[0]
    deaths = 100 * 0.1 + 80 * 0.2 + 60 * 0.5 + 10 * 0.1 / 2 - 20 * 0.2 / 2
    assert comp["deaths"] == pytest.approx(deaths)
    assert comp["net_migration"] == pytest.approx(-10.0)


@settings(max_examples=40, deadline=None)
@given(
    pop=st.lists(st.floats(0, 1e6), min_size=4, max_size=4),
    surv=st.lists(st.floats(0, 1), min_size=4, max_size=4),
    mig=st.lists(st.floats(-1e4, 1e4), min_size=4, max_size=4),
    fert=st.lists(st.floats(0, 0.1), min_size=4, max_size=4),
    birth_survival=st.floats(0.5, 1.0),
)
def test_components_balance_exactly(pop, surv, mig, fert, birth_survival):
    base, rates = _cohort_frames(pop, surv, mig, fert)
    res = pj.cohort_project(base, rates, start_year=2020, steps=3, birth_survival=birth_survival)
    c = res.components
    lhs = c["population_end"] - c["population_start"]
    rhs = c["births"] - c["deaths"] + c["net_migration"]
    assert np.allclose(lhs, rhs, rtol=1e-9, atol=1e-6)
    ends = res.population.groupby("year")["population"].sum()
    assert np.allclose(ends.loc[[2025, 2030, 2035]].to_numpy(), c["population_end"].to_numpy())


def test_births_split_by_sex_ratio():
    base = pd.DataFrame({"sex": ["female"] * 3 + ["male"] * 3, "age": [0, 5, 10] * 2,
                         "population": [100.0, 100.0, 100.0] * 2})
    rates = base[["sex", "age"]].assign(survival=1.0, fertility=[0, 0.02, 0, 0, 0, 0])
    res = pj.cohort_project(base, rates, start_year=2020, steps=1, birth_survival=1.0, srb=1.06)
    births = res.components.set_index("sex")["births"]
    # women 5-9 exposed: (100 at the start + 100 aged in from 0-4 at the end) / 2 = 100; × 0.02 × 5 years
    assert births.sum() == pytest.approx(10.0)
    assert births["male"] / births["female"] == pytest.approx(1.06)


def test_older_population_sums_groups():
    pop = pd.DataFrame({"year": 2020, "age": [0, 60, 65, 80], "population": [5.0, 3.0, 2.0, 1.0]})
    out = pj.older_population(pop, thresholds=(60, 80))
    assert out[["pop_60plus", "pop_80plus"]].iloc[0].tolist() == [6.0, 1.0]
    with pytest.raises(ParameterError, match="lower bound"):
        pj.older_population(pop, thresholds=(62,))


@pytest.mark.parametrize("change, match", [
    (lambda b, r: (b.assign(age=[0, 4, 10, 15]), r), "five-year groups"),
    (lambda b, r: (b, r.assign(survival=[1.2, 1, 1, 1])), "between 0 and 1"),
    (lambda b, r: (b, r.drop(columns="survival")), "survival"),
])
def test_bad_cohort_inputs(change, match):
    base, rates = change(*_cohort_frames([1.0, 2, 3, 4], [1, 1, 1, 1]))
    with pytest.raises(DataShapeError, match=match):
        pj.cohort_project(base, rates, start_year=2020, steps=1)


def test_fertility_needs_birth_survival():
    base, rates = _cohort_frames([1.0, 2, 3, 4], [1, 1, 1, 1], fert=[0, 0.1, 0, 0])
    with pytest.raises(ParameterError, match="birth_survival"):
        pj.cohort_project(base, rates, start_year=2020, steps=1)
