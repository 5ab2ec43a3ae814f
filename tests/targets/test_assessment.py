"""Tests of evalkit.targets.assess as a whole: missing data, rows without a series, derived outputs.

Every expected value is worked out by hand from the formulas in :func:`evalkit.targets.assess`; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import math

import pandas as pd
import pytest
from _data.targets import R, meta_of, one, panel_of, targets_of, trow

from evalkit import targets as T


def test_missing_baseline_is_not_assessable_never_zero():
    panel = panel_of({"x": {2014: 10.0, 2016: 14.0, 2020: 20.0}})
    targets = targets_of(trow("x", "at_least", 25.0))
    r = one(panel, targets, basis="change")
    assert r["status"] == T.NOT_ASSESSABLE and r["reason"] == "no_baseline"
    assert math.isnan(r["baseline"]) and math.isnan(r["completion"])
    assert "2015" in r["note"] and "interpolat" in r["note"]
    # by default a row without a baseline is judged on the level ratio, its direction of travel unknown
    level = one(panel, targets)
    assert math.isnan(level["baseline"]) and math.isnan(level["gap_closed"])     # never a zero baseline
    assert level["completion"] == pytest.approx(0.8)       # 20 / 25
    assert level["status"] == T.NOT_MET and level["status_basis"] == "level"
    assert level["reason"] == "no_baseline_level" and "2015" in level["note"]
    assert pd.isna(level["moved_away"]) and math.isnan(level["progress_ratio"])
    filled = one(panel, targets, interpolate=True)
    assert filled["baseline"] == pytest.approx(12.0)       # halfway between 10 (2014) and 14 (2016)
    assert filled["baseline_status"] == "derived"
    assert filled["completion"] == pytest.approx(0.8)      # 20 / 25


def test_missing_end_value_is_not_extrapolated():
    panel = panel_of({"x": {2015: 10.0, 2019: 14.0}})
    r = one(panel, targets_of(trow("x", "at_least", 25.0)), interpolate=True)
    assert r["status"] == T.NOT_ASSESSABLE and r["reason"] == "no_actual"
    assert math.isnan(r["actual"])


def test_target_without_series_and_indicator_without_data():
    panel = panel_of({"x": {2015: 1.0, 2020: 2.0}})
    targets = targets_of(trow(None, "at_least", 30.0, name_zh="重特大疾病医疗救助比例"),
                         trow("absent", "at_least", 5.0))
    out = T.assess(panel, targets, region=R)
    no_series = out[out["indicator"].isna()].iloc[0]
    assert no_series["reason"] == "no_series" and no_series["name_zh"] == "重特大疾病医疗救助比例"
    assert no_series["name_en"] is None                     # the table has no English name for it
    named = T.assess(panel, targets.assign(name_en=["Medical assistance for serious illness", None]), region=R)
    assert named.loc[named["indicator"].isna(), "name_en"].item() == "Medical assistance for serious illness"
    assert no_series["target"] == 30.0
    absent = out[out["indicator"] == "absent"].iloc[0]
    assert absent["status"] == T.NOT_ASSESSABLE and absent["reason"] == "no_data"
    assert out.loc[out["indicator"] == "x", "status"].item() == T.NO_TARGET


def test_conflicting_polarity_is_noted():
    r = one(panel_of({"x": {2015: 20.0, 2020: 25.0}}), targets_of(trow("x", "at_least", 30.0)),
            meta=meta_of(x=-1))
    assert "polarity" in r["note"]


def test_required_path_geometric_and_straight():
    panel = panel_of({"x": {2015: 100.0, 2017: 121.0}, "eco": {2015: 0.0, 2017: 10.0}})
    targets = targets_of(trow("x", "at_least", 133.1, target_year=2018),
                         trow("eco", "at_least", 30.0, target_year=2018))
    path = T.required_path(T.assess(panel, targets, region=R, end_year=2017))
    x = path[path["indicator"] == "x"]["value"].tolist()
    assert x == pytest.approx([100.0, 110.0, 121.0, 133.1])    # 100·1.1^k
    eco = path[path["indicator"] == "eco"]["value"].tolist()
    assert eco == pytest.approx([0.0, 10.0, 20.0, 30.0])        # 0 + 10·k


def test_status_counts_in_fixed_order():
    panel = panel_of({"a": {2015: 1.0, 2020: 2.0}, "b": {2015: 1.0, 2020: 1.5}, "c": {2015: 1.0}})
    targets = targets_of(trow("a", "at_least", 2.0), trow("b", "at_least", 2.0), trow("c", "at_least", 2.0))
    counts = T.status_counts(T.assess(panel, targets, region=R))
    assert list(counts.index) == list(T.STATUSES)
    assert counts.tolist() == [1, 0, 1, 1, 0]               # a met; b 1.5/2 = 0.75 not met; c no end value
