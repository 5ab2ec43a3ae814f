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
    assert bt.verdict.startswith("loglinear beats")


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
    out = pj.select(panel, methods=["loglinear"], min_forecasts=3)
    assert out["method"].iloc[0] == "drift" and "fewer than 3" in out["reason"].iloc[0]

