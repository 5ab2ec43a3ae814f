"""Tests for evalkit.projection.backtest: rolling-origin backtests, MAPE/MASE, method selection and ranges.

Expected values come from hand arithmetic, never from evalkit itself.
"""
import numpy as np
import pandas as pd
import pytest
from _data.projection import annual, panel_of

from evalkit import projection as pj
from evalkit.errors import DataShapeError, ParameterError


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
    assert bt.verdict.startswith("log-linear trend (constant growth) beats")
    zh = bt.verdict_text("zh")
    assert zh.startswith("对数线性趋势") and "MASE" in zh and "loglinear" not in zh


def test_backtest_needs_more_points_than_min_train():
    with pytest.raises(DataShapeError, match="min_train"):
        pj.backtest(annual([1, 2, 3, 4]), min_train=4)


def test_select_chooses_per_series_and_says_when_drift_stays():
    panel = panel_of({"growth": list(100 * 1.25 ** np.arange(6)), "line": [2, 4, 6, 8, 10, 12], "short": [1, 2, 3]})
    out = pj.select(panel, methods=["linear", "loglinear"], min_forecasts=2).set_index("indicator")
    assert out.loc["growth", "method"] == "loglinear" and out.loc["growth", "decision"] == "beats_benchmark"
    assert out.loc["line", "method"] == "drift" and out.loc["line", "decision"] == "no_method_beats_benchmark"
    assert out.loc["short", "decision"] == "too_short" and "min_train" in out.loc["short", "reason"]


def test_select_and_series_of_need_apanel_of():
    with pytest.raises(ParameterError, match="lacks column"):
        pj.select(pd.DataFrame({"year": [2015], "value": [1.0]}))
    with pytest.raises(DataShapeError, match="no values of indicator 'x'"):
        pj.series_of(panel_of({"growth": [1.0, 2.0]}), region="210000", indicator="x")


def test_select_requires_min_forecasts():
    panel = panel_of({"growth": list(100 * 1.25 ** np.arange(6))})
    out = pj.select(panel, methods=["loglinear"], min_forecasts=3, skip_unreachable=False)
    assert out["method"].iloc[0] == "drift" and "fewer than 3" in out["reason"].iloc[0]


def test_possible_forecasts_by_hand():
    # 6 years, min_train 4: origins with 4 and 5 training years → 2 one-step forecasts; damped needs 5 points
    # → 1; horizon 2 from origin 4 scores 2 steps, from 5 one step → 3.
    assert pj.possible_forecasts(6, "loglinear") == 2
    assert pj.possible_forecasts(6, "damped") == 1
    assert pj.possible_forecasts(6, "drift", horizon=2) == 3
    assert pj.possible_forecasts(10, "loglinear") == 6


def test_select_skips_methods_that_cannot_reach_min_forecasts():
    # Six points: no method can have 3 forecasts, so none is backtested; the benchmark's errors are still given.
    panel = panel_of({"growth": list(100 * 1.25 ** np.arange(6))})
    row = pj.select(panel, methods=["loglinear", "ets"], min_forecasts=3).iloc[0]
    assert row["decision"] == "too_few_years" and row["method"] == "drift" and row["best_method"] == "drift"
    assert row["max_forecasts"] == 2 and row["n_forecasts"] == 2
    assert "at most 2" in row["reason"] and "fewer than the 3" in row["reason"]
    assert "6年数据最多只能做2次" in pj.selection_note(row, "zh")
    # Drift: 195.3125 + 95.3125/3 against 244.140625, then 244.140625 + 144.140625/4 against 305.17578125.
    ape = [abs(244.140625 - (195.3125 + 95.3125 / 3)) / 244.140625,
           abs(305.17578125 - (244.140625 + 144.140625 / 4)) / 305.17578125]
    assert row["mape"] == pytest.approx(100 * sum(ape) / 2)



def test_mase_and_mape_by_hand():
    # Drift, min_train 4 on 10, 12, 15, 16, 20, 21.
    # Origin 2018 (train 10,12,15,16): c = 2 → 18; actual 20; |e| = 2; naive MAE = (2+3+1)/3 = 2 → q = 1.
    # Origin 2019 (train …,20): c = 2.5 → 22.5; actual 21; |e| = 1.5; naive MAE = (2+3+1+4)/4 = 2.5 → q = 0.6.
    # MASE (Hyndman & Koehler 2006) = (1 + 0.6)/2 = 0.8; MAPE = (2/20 + 1.5/21)/2 · 100.
    bt = pj.backtest(annual([10, 12, 15, 16, 20, 21]), methods=["drift"], min_train=4)
    fc = bt.forecasts
    assert fc["mean"].tolist() == pytest.approx([18.0, 22.5])
    assert fc["ase"].tolist() == pytest.approx([1.0, 0.6])
    row = bt.summary.set_index("method").loc["drift"]
    assert row["mase"] == pytest.approx(0.8)
    assert row["mape"] == pytest.approx(100 * (2 / 20 + 1.5 / 21) / 2)
    assert row["benchmark_mase"] == pytest.approx(0.8)


def test_selection_needs_five_rolling_origin_forecasts_by_default():
    # Six annual values give two one-step forecasts (min_train 4): log-linear growth fits a 25%/yr series
    # perfectly, but two forecasts are not enough to choose it (FPP3 §5.8: test set ≥ forecast horizon).
    panel = panel_of({"growth": list(100 * 1.25 ** np.arange(6))})
    row = pj.select(panel, methods=["loglinear"], skip_unreachable=False).iloc[0]
    assert pj.MIN_FORECASTS == 5
    assert row["method"] == "drift" and row["decision"] == "too_few_forecasts"
    assert row["best_method"] == "loglinear" and row["n_forecasts"] == 2 and row["min_forecasts"] == 5
    assert "fewer than 5" in row["reason"]
    zh = pj.selection_note(row, "zh")
    assert "对数线性趋势" in zh and "5次" in zh and "loglinear" not in zh
    longer = panel_of({"growth": list(100 * 1.25 ** np.arange(10))})
    assert pj.select(longer, methods=["loglinear"]).iloc[0]["method"] == "loglinear"  # 6 forecasts


def test_select_row_is_the_backtest_summary_of_its_series():
    # an actual of 0 has no APE: the MAPE averages the others, in select exactly as in backtest
    values = [3.0, 2.0, 1.5, 0.8, 0.0, 0.6, 1.1, 1.9]
    bt = pj.backtest(annual(values), methods=["linear"], min_train=3)
    fc = bt.forecasts
    assert fc["ape"].isna().sum() == 2 and fc["ase"].notna().all()
    summary = bt.summary.set_index("method")
    for method in ("drift", "linear"):
        own = fc[fc["method"] == method]
        assert summary.loc[method, "mape"] == own["ape"].dropna().mean()
        assert summary.loc[method, "n_forecasts"] == len(values) - 3
    row = pj.select(panel_of({"x": values}), methods=["linear"], min_train=3, min_forecasts=1).iloc[0]
    for col in ("mape", "mase", "coverage", "benchmark_mape", "benchmark_mase"):
        assert row[col] == summary.loc[row["method"], col]
