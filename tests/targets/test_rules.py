"""Tests of how one indicator is judged (evalkit.targets.rules), through evalkit.targets.assess.

Every expected value is worked out by hand from the formulas in :func:`evalkit.targets.assess`; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import math

import pytest
from _data.targets import R, meta_of, one, panel_of, targets_of, trow
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit import targets as T


def test_methods_reference_example_ratio_one_is_significant():
    # methods_reference §2: y 100 → 121 over 2015–2017 (CAGR 10 %), target 133.1 in 2018.
    panel = panel_of({"x": {2015: 100.0, 2016: 110.0, 2017: 121.0}})
    r = one(panel, targets_of(trow("x", "at_least", 133.1, target_year=2018)), end_year=2017)
    assert r["cagr_actual"] == pytest.approx(0.10)          # (121/100)^(1/2) − 1 = 1.1 − 1
    assert r["cagr_required"] == pytest.approx(0.10)        # (133.1/100)^(1/3) − 1 = 1.1 − 1
    assert r["progress_ratio"] == pytest.approx(1.0)        # 0.10 / 0.10
    assert r["progress_class"] == "significant"
    assert r["completion"] == pytest.approx(10 / 11)        # 121 / 133.1 = 1 / 1.1 = 0.90909
    assert r["gap_closed"] == pytest.approx(21 / 33.1)      # (121 − 100) / (133.1 − 100) = 0.6344
    assert not r["met"]
    assert r["status_basis"] == "change"                    # a baseline, and a change was required
    assert r["status"] == T.NOT_MET                         # share of the change 0.634 < 0.90
    level = one(panel, targets_of(trow("x", "at_least", 133.1, target_year=2018)), end_year=2017, basis="level")
    assert level["status_basis"] == "level"
    assert level["status"] == T.NEARLY_MET                  # level ratio 0.909 ≥ 0.90, target not reached
    assert r["growth_basis"] == "cagr"
    assert r["annual_change"] == pytest.approx(10.5)        # (121 − 100) / 2
    assert r["annual_change_required"] == pytest.approx(33.1 / 3)   # (133.1 − 100) / 3 = 11.033


def test_at_least_met_with_faster_growth_than_required():
    # b = 100, a = 100·1.1^5 = 161.051, x* = 100·1.05^5 = 127.62815625, 2015 → 2020.
    panel = panel_of({"x": {2015: 100.0, 2020: 161.051}})
    r = one(panel, targets_of(trow("x", "at_least", 127.62815625)))
    assert r["met"]
    assert r["status"] == T.MET
    assert r["cagr_actual"] == pytest.approx(0.10)
    assert r["cagr_required"] == pytest.approx(0.05)
    assert r["progress_ratio"] == pytest.approx(2.0)        # 0.10 / 0.05
    assert r["completion"] == pytest.approx(161.051 / 127.62815625)   # = (1.1/1.05)^5 = 1.26188
    assert r["gap_closed"] == pytest.approx(61.051 / 27.62815625)     # = 2.20974


def test_at_least_slow_growth_is_insufficient_and_not_met():
    # b = 100, a = 100·1.05^5, x* = 100·1.1^5: ratio 0.05/0.10 = 0.5 < 0.60.
    panel = panel_of({"x": {2015: 100.0, 2020: 127.62815625}})
    r = one(panel, targets_of(trow("x", "at_least", 161.051)))
    assert r["progress_ratio"] == pytest.approx(0.5)
    assert r["progress_class"] == "insufficient"
    assert r["completion"] == pytest.approx((1.05 / 1.1) ** 5)        # 0.79247 < 0.90
    assert r["status"] == T.NOT_MET


def test_at_least_exactly_on_target_is_met():
    panel = panel_of({"x": {2015: 20.0, 2020: 30.0}})
    r = one(panel, targets_of(trow("x", "at_least", 30.0)))
    assert r["status"] == T.MET
    assert r["completion"] == pytest.approx(1.0)            # 30 / 30
    assert r["gap_closed"] == pytest.approx(1.0)            # (30 − 20) / (30 − 20)


def test_negative_growth_against_a_rising_target_is_movement_away():
    # b = 100, a = 81 after two years (CAGR −10 %), x* = 121 in 2017 (CAGR +10 %).
    panel = panel_of({"x": {2015: 100.0, 2017: 81.0}})
    r = one(panel, targets_of(trow("x", "at_least", 121.0, target_year=2017)), end_year=2017)
    assert r["cagr_actual"] == pytest.approx(-0.10)         # 0.81^(1/2) − 1 = 0.9 − 1
    assert r["cagr_required"] == pytest.approx(0.10)        # 1.21^(1/2) − 1
    assert r["progress_ratio"] == pytest.approx(-1.0)
    assert r["progress_class"] == "away"
    assert r["completion"] == pytest.approx(81 / 121)       # 0.6694
    assert r["gap_closed"] == pytest.approx(-19 / 21)       # (81 − 100) / (121 − 100)
    assert r["status"] == T.NOT_MET


def test_at_most_decreasing_is_better_on_the_required_path():
    # b = 100 (2015), a = 90 (2016), x* = 81 (2017): both rates −10 %, ratio +1.
    panel = panel_of({"loss": {2015: 100.0, 2016: 90.0}})
    r = one(panel, targets_of(trow("loss", "at_most", 81.0, target_year=2017)), end_year=2016,
            meta=meta_of(loss=-1))
    assert r["cagr_actual"] == pytest.approx(-0.10)         # 90/100 − 1
    assert r["cagr_required"] == pytest.approx(-0.10)       # (81/100)^(1/2) − 1 = 0.9 − 1
    assert r["progress_ratio"] == pytest.approx(1.0)        # −0.10 / −0.10
    assert r["progress_class"] == "significant"
    assert r["completion"] == pytest.approx(0.9)            # x*/a = 81 / 90 — exactly the boundary
    assert r["gap_closed"] == pytest.approx(10 / 19)        # (90 − 100) / (81 − 100) = 0.526
    assert r["status"] == T.NOT_MET                         # by the share of the change: 0.526 < 0.9
    level = one(panel, targets_of(trow("loss", "at_most", 81.0, target_year=2017)), end_year=2016,
                meta=meta_of(loss=-1), basis="level")
    assert level["status"] == T.NEARLY_MET                  # 0.9 ≥ 0.9 (boundary is inclusive)
    assert r["polarity"] == -1


def test_at_most_met_and_moving_the_wrong_way():
    targets = targets_of(trow("loss", "at_most", 81.0, target_year=2017))
    met = one(panel_of({"loss": {2015: 100.0, 2016: 80.0}}), targets, end_year=2016)
    assert met["status"] == T.MET                           # 80 ≤ 81
    assert met["completion"] == pytest.approx(81 / 80)      # 1.0125
    away = one(panel_of({"loss": {2015: 100.0, 2016: 110.0}}), targets, end_year=2016)
    assert away["progress_ratio"] == pytest.approx(-1.0)    # +0.10 / −0.10
    assert away["progress_class"] == "away"
    assert away["completion"] == pytest.approx(81 / 110)    # 0.7364
    assert away["status"] == T.NOT_MET
    assert away["polarity"] == -1                           # from the target type without a catalogue


def test_at_most_target_of_zero_uses_absolute_change():
    # b = 5, a = 1, x* = 0: CAGR undefined at 0 → absolute: (1 − 5)/5 = −0.8 a year vs (0 − 5)/5 = −1.
    panel = panel_of({"acc": {2015: 5.0, 2020: 1.0}})
    r = one(panel, targets_of(trow("acc", "at_most", 0.0)))
    assert r["growth_basis"] == "absolute"
    assert r["progress_ratio"] == pytest.approx(0.8)        # −0.8 / −1.0
    assert r["progress_class"] == "moderate"
    assert r["completion"] == pytest.approx(0.0)            # x*/a = 0 / 1
    assert r["gap_closed"] == pytest.approx(0.8)            # (1 − 5) / (0 − 5)
    assert r["status"] == T.NOT_MET                         # level 0 < 0.9
    gap = one(panel, targets_of(trow("acc", "at_most", 0.0)), basis="gap",
              thresholds=T.Thresholds(nearly_met=0.8))
    assert gap["status"] == T.NEARLY_MET                    # share of planned change 0.8 ≥ 0.8


def test_zero_baseline_falls_back_to_absolute_change():
    # b = 0, a = 40, x* = 50 over 2015–2020: 40/5 = 8 a year vs 50/5 = 10 → ratio 0.8.
    panel = panel_of({"eco": {2015: 0.0, 2020: 40.0}})
    r = one(panel, targets_of(trow("eco", "at_least", 50.0)))
    assert math.isnan(r["cagr_actual"]) and math.isnan(r["cagr_required"])
    assert r["growth_basis"] == "absolute"
    assert r["annual_change"] == pytest.approx(8.0)
    assert r["annual_change_required"] == pytest.approx(10.0)
    assert r["progress_ratio"] == pytest.approx(0.8)
    assert r["progress_class"] == "moderate"                # 0.60 ≤ 0.8 < 0.95
    assert r["completion"] == pytest.approx(0.8)            # 40 / 50
    assert r["status"] == T.NOT_MET
    assert "absolute" in r["note"]
    relaxed = one(panel, targets_of(trow("eco", "at_least", 50.0)), thresholds=T.Thresholds(nearly_met=0.8))
    assert relaxed["status"] == T.NEARLY_MET                # 0.8 ≥ 0.8


def test_target_already_met_at_baseline():
    targets = targets_of(trow("x", "at_least", 30.0))
    kept = one(panel_of({"x": {2015: 35.0, 2020: 40.0}}), targets)
    assert kept["status"] == T.MET
    assert math.isnan(kept["progress_ratio"]) and math.isnan(kept["gap_closed"])
    assert kept["progress_class"] == "significant"
    assert "already met" in kept["note"]
    lost = one(panel_of({"x": {2015: 35.0, 2020: 28.0}}), targets)
    assert lost["completion"] == pytest.approx(28 / 30)     # 0.9333 ≥ 0.9 by the level ratio …
    assert lost["moved_away"]                               # … but 0 short at baseline, 2 short at the end
    assert lost["status"] == T.NOT_MET                      # moved away: never 基本完成, on either basis
    assert one(panel_of({"x": {2015: 35.0, 2020: 28.0}}), targets, basis="level")["status"] == T.NOT_MET
    assert lost["status_basis"] == "level"                  # no change was required: the level is compared
    assert lost["progress_class"] == "away"


def test_range_of_a_higher_is_better_indicator_counts_overshoot_as_met():
    panel = panel_of({"beds": {2015: 30.0, 2020: 42.0}})
    targets = targets_of(trow("beds", "range", low=35.0, high=40.0))
    r = one(panel, targets, meta=meta_of(beds=1))
    assert r["status"] == T.MET                             # 42 ≥ 35
    assert r["target"] == 35.0                              # measured against the lower bound
    assert r["completion"] == pytest.approx(42 / 35)        # 1.2
    assert r["cagr_required"] == pytest.approx((35 / 30) ** 0.2 - 1)
    strict = one(panel, targets, meta=meta_of(beds=1), range_rule="within")
    assert strict["status"] == T.NEARLY_MET                 # above 40: 40/42 = 0.952 ≥ 0.9
    assert strict["completion"] == pytest.approx(40 / 42)


def test_range_below_and_inside():
    targets = targets_of(trow("beds", "range", low=35.0, high=40.0))
    below = one(panel_of({"beds": {2015: 30.0, 2020: 33.0}}), targets, meta=meta_of(beds=1))
    assert below["completion"] == pytest.approx(33 / 35)    # 0.942857
    assert below["gap_closed"] == pytest.approx(3 / 5)      # (33 − 30) / (35 − 30)
    assert below["status"] == T.NOT_MET                     # 0.6 < 0.9
    by_level = one(panel_of({"beds": {2015: 30.0, 2020: 33.0}}), targets, meta=meta_of(beds=1), basis="level")
    assert by_level["status"] == T.NEARLY_MET               # 0.943 ≥ 0.9
    inside = one(panel_of({"beds": {2015: 30.0, 2020: 37.0}}), targets, range_rule="within")
    assert inside["status"] == T.MET and inside["completion"] == 1.0


def test_range_of_a_lower_is_better_indicator_uses_the_upper_bound():
    panel = panel_of({"y": {2015: 50.0, 2020: 38.0}})
    r = one(panel, targets_of(trow("y", "range", low=35.0, high=40.0)), meta=meta_of(y=-1))
    assert r["target"] == 40.0
    assert r["status"] == T.MET                             # 38 ≤ 40
    assert r["completion"] == pytest.approx(40 / 38)
    assert r["gap_closed"] == pytest.approx(12 / 10)        # (38 − 50) / (40 − 50)


def test_two_sided_range_met_at_baseline_then_left():
    # no catalogue polarity → two-sided; baseline 37 inside [35, 40], end 41 above.
    r = one(panel_of({"y": {2015: 37.0, 2020: 41.0}}), targets_of(trow("y", "range", low=35.0, high=40.0)))
    assert r["completion"] == pytest.approx(40 / 41)        # 0.9756 ≥ 0.9 by the level ratio …
    assert r["moved_away"]                                  # … but it left the range: 0 → 1 outside
    assert r["status"] == T.NOT_MET
    assert r["progress_class"] == "away"                    # was inside, now outside
    assert math.isnan(r["progress_ratio"])


def test_reach_upward_and_downward():
    up = one(panel_of({"org": {2015: 5.0, 2020: 6.5}}), targets_of(trow("org", "reach", 6.5)))
    assert up["status"] == T.MET and up["completion"] == pytest.approx(1.0)
    assert up["progress_ratio"] == pytest.approx(1.0)       # same start, same end, same years
    down = one(panel_of({"org": {2015: 10.0, 2020: 9.0}}), targets_of(trow("org", "reach", 8.0)))
    assert down["completion"] == pytest.approx(8 / 9)       # 0.8889 — just below 0.9
    assert down["status"] == T.NOT_MET
    assert down["gap_closed"] == pytest.approx(0.5)         # (9 − 10) / (8 − 10)


def test_trend_rule_respects_polarity():
    # two years, 100 → 96.04 = 100·0.98²: CAGR −2 %.
    panel = panel_of({"good_down": {2018: 100.0, 2020: 96.04}, "good_up": {2018: 100.0, 2020: 96.04}})
    out = T.assess(panel, targets_of(), region=R, start_year=2018, meta=meta_of(good_down=-1, good_up=1))
    rows = out.set_index("indicator")
    assert rows.loc["good_down", "cagr_actual"] == pytest.approx(-0.02)
    assert rows.loc["good_down", "progress_class"] == "significant_progress"   # −1 × −2 % = +2 % > 1 %
    assert rows.loc["good_up", "progress_class"] == "significant_away"         # +1 × −2 % < −1 %
    assert (rows["status"] == T.NO_TARGET).all()


def test_trend_boundaries_through_assess():
    # 100 → 101 in one year: CAGR exactly 1 % (binary rounding gives 0.010000000000000009).
    panel = panel_of({"a": {2019: 100.0, 2020: 101.0}, "b": {2019: 100.0, 2020: 99.0},
                      "c": {2019: 100.0, 2020: 100.0}, "ctx": {2019: 1.0, 2020: 2.0}})
    out = T.assess(panel, targets_of(), region=R, start_year=2019,
                   meta=meta_of(a=1, b=1, c=1, ctx=0)).set_index("indicator")
    assert out.loc["a", "progress_class"] == "moderate_progress"    # 1 % is not "> 1 %"
    assert out.loc["b", "progress_class"] == "moderate_away"        # −1 % is in [−1 %, 0)
    assert out.loc["c", "progress_class"] == "moderate_progress"    # 0 is in [0, 1 %]
    assert out.loc["ctx", "progress_class"] == T.CONTEXT


def test_status_boundary_follows_the_configured_threshold():
    # completion 121/133.1 = 0.90909: nearly met at 0.90, not met at 0.95.
    panel = panel_of({"x": {2015: 100.0, 2017: 121.0}})
    targets = targets_of(trow("x", "at_least", 133.1, target_year=2018))
    assert one(panel, targets, end_year=2017, basis="level")["status"] == T.NEARLY_MET
    assert one(panel, targets, end_year=2017, basis="level",
               thresholds=T.Thresholds(nearly_met=0.95))["status"] == T.NOT_MET
    # by the share of the required change 21/33.1 = 0.634 (the default; "gap" is its old name) → not met
    assert one(panel, targets, end_year=2017)["status"] == T.NOT_MET
    assert one(panel, targets, end_year=2017, basis="gap")["status"] == T.NOT_MET
    assert one(panel, targets, end_year=2017, thresholds=T.Thresholds(nearly_met=0.6))["status"] == T.NEARLY_MET


@settings(max_examples=20, deadline=None)  # each example is a whole assessment (~0.1 s)
@given(base=st.floats(1, 1e4), actual=st.floats(1, 1e4), target=st.floats(1, 1e4))
def test_completion_reaches_one_exactly_when_met(base, actual, target):
    panel = panel_of({"x": {2015: base, 2020: actual}})
    r = one(panel, targets_of(trow("x", "at_least", target)), national=None)
    assert bool(r["met"]) == (r["completion"] >= 1 - 1e-9)
    assert (r["status"] == T.MET) == bool(r["met"])
    if r["moved_away"]:
        assert actual < min(base, target) and r["status"] == T.NOT_MET   # the gap to ≥ target widened


# ------------------------------------------------------------------------------------ direction of travel (issue 15)


@pytest.mark.parametrize("basis", ["auto", "change", "level"])
def test_at_least_that_fell_is_not_nearly_met(basis):
    # issue 15: at least, 30 → 28 against ≥ 31. Level 28/31 = 0.9032 ≥ 0.90 would read 基本完成.
    r = one(panel_of({"x": {2015: 30.0, 2020: 28.0}}), targets_of(trow("x", "at_least", 31.0)), basis=basis)
    assert r["completion"] == pytest.approx(0.9032258064516129)     # 28 / 31
    assert r["gap_closed"] == pytest.approx(-2.0)                   # (28 − 30) / (31 − 30)
    assert r["moved_away"]                                          # 1 short at baseline, 3 short at the end
    assert r["status"] == T.NOT_MET
    assert r["cagr_actual"] == pytest.approx((28 / 30) ** 0.2 - 1)  # −1.37 % a year
    assert r["progress_class"] == "away"
    assert r["status_basis"] == ("level" if basis == "level" else "change")


@pytest.mark.parametrize("basis", ["auto", "change", "level"])
def test_at_most_that_worsened_is_not_nearly_met(basis):
    # issue 15: at most, 4.0 → 4.8 against ≤ 4.5. Met at baseline; level 4.5/4.8 = 0.9375 would read 基本完成.
    r = one(panel_of({"x": {2015: 4.0, 2020: 4.8}}), targets_of(trow("x", "at_most", 4.5)), basis=basis)
    assert r["completion"] == pytest.approx(0.9375)                 # 4.5 / 4.8
    assert math.isnan(r["gap_closed"])                              # no change was required from 4.0
    assert r["moved_away"]                                          # 0 → 0.3 above the ceiling
    assert not r["met"] and r["status"] == T.NOT_MET
    assert r["progress_class"] == "away"


def test_the_two_conventions_differ_for_an_indicator_short_of_its_target():
    # at least, 28 → 30 against ≥ 31: level 30/31 = 0.9677, share of the change (30 − 28)/(31 − 28) = 2/3.
    panel, targets = panel_of({"x": {2015: 28.0, 2020: 30.0}}), targets_of(trow("x", "at_least", 31.0))
    auto = one(panel, targets)
    assert auto["completion"] == pytest.approx(30 / 31) and auto["gap_closed"] == pytest.approx(2 / 3)
    assert not auto["moved_away"]
    assert auto["status_basis"] == "change" and auto["status"] == T.NOT_MET        # 0.667 < 0.9
    assert one(panel, targets, basis="change")["status"] == T.NOT_MET
    level = one(panel, targets, basis="level")
    assert level["status_basis"] == "level" and level["status"] == T.NEARLY_MET    # 0.968 ≥ 0.9


def test_share_of_the_change_on_the_boundary_is_nearly_met():
    # at most, 5.0 → 4.55 against ≤ 4.5: share (4.55 − 5)/(4.5 − 5) = 0.9 exactly, level 4.5/4.55 = 0.98901.
    r = one(panel_of({"x": {2015: 5.0, 2020: 4.55}}), targets_of(trow("x", "at_most", 4.5)))
    assert r["gap_closed"] == pytest.approx(0.9) and r["completion"] == pytest.approx(4.5 / 4.55)
    assert r["status"] == T.NEARLY_MET


def test_level_basis_falls_back_to_the_change_where_the_level_ratio_is_undefined():
    # at most 0: level ratio 0/a is 0, not undefined; an at-least target of 0 from −10 makes a/x* undefined.
    r = one(panel_of({"x": {2015: -10.0, 2020: -0.5}}), targets_of(trow("x", "at_least", 0.0)), basis="level")
    assert math.isnan(r["completion"])                              # x* = 0: a / x* is not defined
    assert r["gap_closed"] == pytest.approx(0.95)                   # (−0.5 + 10) / (0 + 10)
    assert r["status_basis"] == "change" and r["status"] == T.NEARLY_MET
    assert "level ratio undefined" in r["note"]
