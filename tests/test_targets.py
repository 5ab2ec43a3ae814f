"""Tests of evalkit.targets.

Every expected value is worked out by hand from the formulas in the module docstring; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import math

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit import targets as T
from evalkit.errors import ColumnError, DataShapeError, ParameterError, ValueFormatError

R = "210000"
TARGET_COLUMNS = ["plan", "indicator", "name_zh", "region", "baseline_year", "baseline", "target_year",
                  "target", "target_type", "target_low", "target_high", "binding", "source"]


def panel_of(series: dict[str, dict[int, float]], region: str = R) -> pd.DataFrame:
    return pd.DataFrame([
        {"region": region, "year": y, "indicator": code, "value": v, "source": f"hand {code}",
         "status": "illustrative"}
        for code, values in series.items() for y, v in values.items()])


def trow(indicator, target_type, target=None, *, low=None, high=None, baseline_year=2015,
         target_year=2020, region="*", baseline=None, plan="13th", name_zh=None, binding="预期性"):
    return {"plan": plan, "indicator": indicator, "name_zh": name_zh or indicator, "region": region,
            "baseline_year": baseline_year, "baseline": baseline, "target_year": target_year,
            "target": target, "target_type": target_type, "target_low": low, "target_high": high,
            "binding": binding, "source": "hand-made target"}


def targets_of(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=TARGET_COLUMNS)


def meta_of(**polarity: int) -> pd.DataFrame:
    return pd.DataFrame([
        {"code": code, "name_zh": f"指标{code}", "name_en": f"Indicator {code}", "category": "care",
         "category_zh": "养老服务", "category_en": "Elderly care", "unit": "张", "polarity": p,
         "in_assessment": True}
        for code, p in polarity.items()])


def one(panel, targets, **kw) -> dict:
    kw.setdefault("region", R)
    out = T.assess(panel, targets, **kw)
    assert len(out) == 1, out
    return out.iloc[0].to_dict()


# ------------------------------------------------------------------------------------ at_least


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
    assert r["status"] == T.NEARLY_MET                      # 0.909 ≥ 0.90, target not reached
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


# ------------------------------------------------------------------------------------ at_most


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
    assert r["status"] == T.NEARLY_MET                      # 0.9 ≥ 0.9 (boundary is inclusive)
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


# ------------------------------------------------------------------------------------ zero / met at baseline


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
    assert lost["status"] == T.NEARLY_MET                   # 28/30 = 0.9333 ≥ 0.9
    assert lost["progress_class"] == "away"


# ------------------------------------------------------------------------------------ range, reach


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
    assert below["status"] == T.NEARLY_MET
    assert below["gap_closed"] == pytest.approx(3 / 5)      # (33 − 30) / (35 − 30)
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
    assert r["status"] == T.NEARLY_MET                      # 40/41 = 0.9756
    assert r["completion"] == pytest.approx(40 / 41)
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


# ------------------------------------------------------------------------------------ no target: trend


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


def test_classify_trend_boundaries_and_merged_away_classes():
    assert T.classify_trend(0.0101) == "significant_progress"
    assert T.classify_trend(0.01) == "moderate_progress"
    assert T.classify_trend(0.0) == "moderate_progress"
    assert T.classify_trend(-0.0001) == "moderate_away"
    assert T.classify_trend(-0.01) == "moderate_away"
    assert T.classify_trend(-0.0101) == "significant_away"
    assert T.classify_trend(math.nan) is None
    merged = T.Thresholds(trend_away=0.0)
    assert T.classify_trend(-0.0001, merged) == "significant_away"


def test_classify_progress_boundaries_and_custom_thresholds():
    assert T.classify_progress(0.95) == "significant"
    assert T.classify_progress(0.9499) == "moderate"
    assert T.classify_progress(0.60) == "moderate"
    assert T.classify_progress(0.5999) == "insufficient"
    assert T.classify_progress(0.0) == "insufficient"
    assert T.classify_progress(-0.0001) == "away"
    assert T.classify_progress(math.nan) is None
    strict = T.Thresholds(significant=1.0, moderate=0.5)
    assert T.classify_progress(0.95, strict) == "moderate"
    assert T.classify_progress(0.5, strict) == "moderate"
    assert T.classify_progress(0.4999, strict) == "insufficient"


def test_status_boundary_follows_the_configured_threshold():
    # completion 121/133.1 = 0.90909: nearly met at 0.90, not met at 0.95.
    panel = panel_of({"x": {2015: 100.0, 2017: 121.0}})
    targets = targets_of(trow("x", "at_least", 133.1, target_year=2018))
    assert one(panel, targets, end_year=2017)["status"] == T.NEARLY_MET
    assert one(panel, targets, end_year=2017, thresholds=T.Thresholds(nearly_met=0.95))["status"] == T.NOT_MET
    # with basis="gap" the share of planned change 21/33.1 = 0.634 decides → not met
    assert one(panel, targets, end_year=2017, basis="gap")["status"] == T.NOT_MET


def test_cagr_formula_and_undefined_values():
    assert T.cagr(100, 121, 2) == pytest.approx(0.1)       # 1.21^(1/2) − 1
    assert T.cagr(100, 50, 1) == pytest.approx(-0.5)
    assert math.isnan(T.cagr(0, 10, 5)) and math.isnan(T.cagr(-1, 10, 5)) and math.isnan(T.cagr(10, 0, 5))
    with pytest.raises(ParameterError, match="years must be positive"):
        T.cagr(1, 2, 0)


# ------------------------------------------------------------------------------------ missing data


def test_missing_baseline_is_not_assessable_never_zero():
    panel = panel_of({"x": {2014: 10.0, 2016: 14.0, 2020: 20.0}})
    targets = targets_of(trow("x", "at_least", 25.0))
    r = one(panel, targets)
    assert r["status"] == T.NOT_ASSESSABLE and r["reason"] == "no_baseline"
    assert math.isnan(r["baseline"]) and math.isnan(r["completion"])
    assert "2015" in r["note"] and "interpolat" in r["note"]
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
    assert no_series["target"] == 30.0
    absent = out[out["indicator"] == "absent"].iloc[0]
    assert absent["status"] == T.NOT_ASSESSABLE and absent["reason"] == "no_data"
    assert out.loc[out["indicator"] == "x", "status"].item() == T.NO_TARGET


# ------------------------------------------------------------------------------------ target table rules


def test_baseline_from_table_only_on_the_regions_own_row():
    panel = panel_of({"x": {2015: 25.0, 2020: 33.0}})
    generic = one(panel, targets_of(trow("x", "at_least", 35.0, baseline=30.0)))
    assert generic["baseline"] == 25.0                      # a * row's baseline is someone else's fact
    own = one(panel, targets_of(trow("x", "at_least", 35.0, baseline=30.0, region=R)))
    assert own["baseline"] == 30.0
    assert own["baseline_source"].startswith("targets table")
    assert own["gap_closed"] == pytest.approx(3 / 5)        # (33 − 30) / (35 − 30)


def test_regional_row_overrides_the_generic_row_and_plan_filter():
    panel = panel_of({"x": {2015: 20.0, 2020: 30.0}})
    targets = targets_of(trow("x", "at_least", 50.0), trow("x", "at_least", 30.0, region=R),
                         trow("x", "at_least", 60.0, plan="14th", target_year=2025))
    r = one(panel, targets, plan="13th")
    assert r["target"] == 30.0 and r["status"] == T.MET
    with pytest.raises(DataShapeError, match="rows for indicator 'x'"):
        T.assess(panel, targets, region=R)                  # 13th and 14th both target x
    with pytest.raises(ParameterError, match="plans present"):
        T.assess(panel, targets, region=R, plan="12th")


def test_conflicting_polarity_is_noted():
    r = one(panel_of({"x": {2015: 20.0, 2020: 25.0}}), targets_of(trow("x", "at_least", 30.0)),
            meta=meta_of(x=-1))
    assert "polarity" in r["note"]


# ------------------------------------------------------------------------------------ national


def test_national_level_and_growth_gaps():
    # region 100 → 121 (CAGR 10 %), nation 200 → 220.5 (= 200·1.05², CAGR 5 %) over 2015–2017.
    panel = pd.concat([panel_of({"x": {2015: 100.0, 2017: 121.0}}),
                       panel_of({"x": {2015: 200.0, 2017: 220.5}}, region=T.NATION)])
    comp = T.compare_national(panel, region=R, start_year=2015, end_year=2017).iloc[0]
    assert comp["level_gap"] == pytest.approx(-99.5)        # 121 − 220.5
    assert comp["level_ratio"] == pytest.approx(121 / 220.5)
    assert comp["growth_gap"] == pytest.approx(0.05)        # 0.10 − 0.05
    r = one(panel, targets_of(trow("x", "at_least", 133.1, target_year=2018)), end_year=2017)
    assert r["national_actual"] == 220.5 and r["national_baseline"] == 200.0
    assert r["national_cagr"] == pytest.approx(0.05) and r["growth_gap"] == pytest.approx(0.05)
    separate = one(panel_of({"x": {2015: 100.0, 2017: 121.0}}),
                   targets_of(trow("x", "at_least", 133.1, target_year=2018)), end_year=2017,
                   national=panel_of({"x": {2015: 200.0, 2017: 220.5}}, region=T.NATION))
    assert separate["level_gap"] == pytest.approx(-99.5)
    skipped = one(panel, targets_of(trow("x", "at_least", 133.1, target_year=2018)), end_year=2017,
                  national=None)
    assert math.isnan(skipped["national_actual"])


# ------------------------------------------------------------------------------------ errors


def test_bad_target_rows_are_reported_with_row_numbers():
    bad = targets_of(trow("x", "at_leest", 1.0), trow("y", "range", low=40.0, high=35.0))
    with pytest.raises(ValueFormatError) as err:
        T.assess(panel_of({"x": {2015: 1.0, 2020: 2.0}}), bad, region=R)
    text = str(err.value)
    assert "row 2" in text and "at_leest" in text and "row 3" in text and "target_low" in text


def test_parameter_and_column_errors():
    panel = panel_of({"x": {2015: 1.0, 2020: 2.0}})
    with pytest.raises(ColumnError, match="target_type"):
        T.assess(panel, pd.DataFrame({"indicator": ["x"], "region": ["*"]}), region=R)
    with pytest.raises(ColumnError, match="value"):
        T.assess(panel.drop(columns="value"), targets_of(), region=R)
    with pytest.raises(ParameterError, match="no rows in the panel"):
        T.assess(panel, targets_of(), region="210100")
    with pytest.raises(ParameterError, match="basis"):
        T.assess(panel, targets_of(), region=R, basis="ratio")
    with pytest.raises(ParameterError, match="range_rule"):
        T.assess(panel, targets_of(), region=R, range_rule="inside")
    with pytest.raises(ParameterError, match="end_year"):
        T.assess(panel, targets_of(), region=R, end_year="2020")
    with pytest.raises(ParameterError, match="significant ≥ moderate"):
        T.Thresholds(significant=0.5, moderate=0.6)
    with pytest.raises(ParameterError, match="nearly_met"):
        T.Thresholds(nearly_met=1.5)
    with pytest.raises(DataShapeError, match="sharing a"):
        T.assess(pd.concat([panel, panel]), targets_of(), region=R)


def test_region_codes_read_as_numbers_are_restored():
    panel = panel_of({"x": {2015: 1.0, 2020: 2.0}})
    panel["region"] = panel["region"].astype(int)
    out = T.assess(panel, targets_of(), region=210000, national=None)
    assert out["region"].tolist() == ["210000"]


# ------------------------------------------------------------------------------------ derived outputs


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


@settings(max_examples=60, deadline=None)
@given(base=st.floats(1, 1e4), actual=st.floats(1, 1e4), target=st.floats(1, 1e4))
def test_completion_reaches_one_exactly_when_met(base, actual, target):
    panel = panel_of({"x": {2015: base, 2020: actual}})
    r = one(panel, targets_of(trow("x", "at_least", target)), national=None)
    assert bool(r["met"]) == (r["completion"] >= 1 - 1e-9)
    assert (r["status"] == T.MET) == bool(r["met"])


# ------------------------------------------------------------------------------------ peers


def test_compare_peers_ranks_with_polarity():
    rows = []
    for code, (up, down) in {"210100": (20.0, 20.0), "210200": (10.0, 10.0), "210300": (20.0, 30.0),
                             "210400": (40.0, 40.0), "210000": (25.0, 25.0)}.items():
        rows.append({"region": code, "year": 2020, "indicator": "up", "value": up, "source": "s", "status": "illustrative"})
        rows.append({"region": code, "year": 2020, "indicator": "down", "value": down, "source": "s", "status": "illustrative"})
    panel = pd.DataFrame(rows)
    res = T.compare_peers(panel, region="210100", meta=meta_of(up=1, down=-1))
    t = res.table.set_index("indicator")
    # up: 40, 20, 20, 10 → the two 20s share rank 2 ("min"); percentile (4 − 2)/(4 − 1) = 2/3
    assert t.loc["up", "rank"] == 2 and t.loc["up", "n"] == 4
    assert t.loc["up", "percentile"] == pytest.approx(2 / 3)
    assert t.loc["up", "quartile"] == 2                     # 0.5 ≤ 2/3 < 0.75
    assert t.loc["up", "diff_reference"] == pytest.approx(-5.0)     # 20 − 25
    assert t.loc["up", "peer_median"] == pytest.approx(20.0)
    # down (lower is better): 10, 20, 30, 40 → 20 is second
    assert t.loc["down", "rank"] == 2
    assert res.positions["is_focus"].sum() == 2
    assert set(res.positions["region"]) == {"210100", "210200", "210300", "210400"}
    with pytest.raises(ParameterError, match="not among the peers"):
        T.compare_peers(panel, region="210100", peers=["210200", "210300"])


def test_peer_regions_keeps_prefectures_only():
    panel = pd.DataFrame({"region": ["210000", "210100", "210102", "211400", "220100"], "year": 2020,
                          "indicator": "x", "value": 1.0})
    assert T.peer_regions(panel) == ["210100", "211400"]


# ------------------------------------------------------------------------------------ text and export


def _case_a():
    panel = panel_of({"x": {2015: 100.0, 2016: 110.0, 2017: 121.0}})
    targets = targets_of(trow("x", "at_least", 133.1, target_year=2018),
                         trow(None, "at_most", 1.3, name_zh="因灾损失占比"))
    return T.assess(panel, targets, region=R, end_year=2017, meta=meta_of(x=1), national=None)


def test_narrative_carries_the_numbers_in_both_languages():
    a = _case_a()
    zh = T.narrative(a, lang="zh")
    text = zh["养老服务"]
    assert text.startswith("养老服务：共1项指标，其中有规划目标1项，基本完成1项。")
    assert "2017年为121张（2015年100张）" in text and "年均增长10.0%" in text
    assert "目标≥133.1张" in text and "完成率90.9%" in text           # 121/133.1
    assert "实际增速为所需增速的100%" in text
    assert "因灾损失占比：不可评估（无统计序列）" in zh["无统计序列的规划目标"]
    en = T.narrative(a, lang="en")["Elderly care"]
    assert "121 张 in 2017 (100 in 2015)" in en and "completion 90.9%, nearly met" in en
    with pytest.raises(ParameterError, match="lang"):
        T.narrative(a, lang="fr")


def test_status_counts_in_words_and_traffic_lights():
    counts = T.status_counts(_case_a(), lang="en")
    assert counts.index.name == "Status" and counts.name == "Indicators"
    assert counts.to_dict() == {"met": 0, "nearly met": 1, "not met": 0, "not assessable": 1, "no target": 0}
    from evalkit.plots import STATUS_COLOURS
    lights = T.traffic_lights("zh")
    assert lights["完成"] == STATUS_COLOURS["good"] and lights["未完成"] == STATUS_COLOURS["poor"]
    assert lights["偏离目标"] == STATUS_COLOURS["poor"] and lights["进展不足"] == STATUS_COLOURS["fair"]


def test_national_table_reads_gaps_with_polarity():
    # up (higher better): 121 vs national 220.5 → worse; down (lower better): 81 vs 90 → better.
    panel = pd.concat([panel_of({"up": {2015: 100.0, 2017: 121.0}, "down": {2015: 100.0, 2017: 81.0}}),
                       panel_of({"up": {2015: 200.0, 2017: 220.5}, "down": {2015: 100.0, 2017: 90.0}},
                                region=T.NATION)])
    a = T.assess(panel, targets_of(), region=R, start_year=2015, end_year=2017, meta=meta_of(up=1, down=-1))
    table = T.national_table(a, lang="en").set_index("Indicator")
    assert table.loc["Indicator up", "vs national"] == "worse"
    assert table.loc["Indicator down", "vs national"] == "better"
    assert table.loc["Indicator up", "Gap"] == pytest.approx(-99.5)              # 121 − 220.5
    assert table.loc["Indicator up", "Growth gap (pp)"] == pytest.approx(5.0)    # (0.10 − 0.05) × 100
    assert table.loc["Indicator down", "Growth gap (pp)"] == pytest.approx(
        ((0.81 ** 0.5 - 1) - (0.9 ** 0.5 - 1)) * 100)                            # −10 % vs −5.13 % a year


def test_peer_table_shows_counts_as_a_share_of_the_province():
    rows = [("210100", 30.0, 20.0), ("210200", 70.0, 10.0), ("210000", 100.0, 15.0)]
    panel = pd.DataFrame([{"region": r, "year": 2020, "indicator": code, "value": v, "source": "s",
                           "status": "illustrative"}
                          for r, count, rate in rows for code, v in (("n", count), ("rate", rate))])
    meta = meta_of(n=1, rate=1).assign(kind=["count", "rate"])
    comp = T.compare_peers(panel, region="210100", meta=meta)
    t = comp.table.set_index("indicator")
    assert math.isnan(t.loc["n", "diff_reference"])
    assert t.loc["n", "share_reference"] == pytest.approx(0.3)      # 30 of the provincial 100
    assert t.loc["rate", "diff_reference"] == pytest.approx(5.0)    # 20 − 15
    table = T.peer_table(comp, lang="zh").set_index("指标")
    assert table.loc["指标n", "排名"] == "2/2" and table.loc["指标rate", "排名"] == "1/2"
    assert table.loc["指标rate", "四分位"] == "前25%"               # percentile (2 − 1)/(2 − 1) = 1 ≥ 0.75
    assert table.loc["指标n", "四分位"] == "后25%"                  # percentile 0 < 0.25


def test_display_table_and_traffic_light_styler():
    a = _case_a()
    table = T.display_table(a, lang="en")
    assert list(table.columns[:3]) == ["Category", "Indicator", "Unit"]
    assert table["Status"].tolist() == ["nearly met", "not assessable"]
    assert table["Target"].tolist() == ["≥133.1", "≤1.3"]
    html = T.style_status(a, lang="zh").to_html()
    from evalkit.plots import STATUS_COLOURS
    assert STATUS_COLOURS["fair"] in html                 # 基本完成 cell is amber
    assert "90.9%" in html


def test_export_excel_writes_formatted_workbook(tmp_path):
    a = _case_a()
    path = T.export_excel(a, tmp_path / "out" / "210000.xlsx", lang="zh")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["评估结果", "sources"]
    ws = wb["评估结果"]
    headers = [c.value for c in ws[1]]
    col = headers.index("完成率") + 1
    assert ws.cell(row=2, column=col).number_format == "0.0%"
    assert ws.cell(row=2, column=col).value == pytest.approx(10 / 11)
    assert ws.freeze_panes == "A2"
    src = wb["sources"]
    assert [c.value for c in src[1]] == ["指标", "项目", "年份", "数值", "来源", "数据状态"]
    assert src.max_row == 1 + 3 + 1                         # x: baseline, actual, target; no-series: target
    assert not list((tmp_path / "out").glob(".*"))          # no temporary file left behind
    with pytest.raises(ParameterError, match="xlsx"):
        T.export_excel(a, tmp_path / "out.csv")


# ------------------------------------------------------------------------------------ charts


def test_charts_draw_what_was_assessed():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evalkit.plots import targets as P

    panel = panel_of({"x": {2015: 100.0, 2016: 110.0, 2017: 121.0}, "y": {2015: 30.0, 2017: 33.0}})
    a = T.assess(panel, targets_of(trow("x", "at_least", 133.1, target_year=2018),
                                   trow("y", "range", low=35.0, high=40.0, target_year=2018)),
                 region=R, end_year=2017, meta=meta_of(x=1, y=1), national=None)
    ax = P.bullet_chart(a, lang="zh", source="hand")
    assert ax.get_title(loc="left") == "规划目标完成率"
    widths = sorted(p.get_width() for p in ax.patches if p.get_height() == pytest.approx(0.45))
    assert widths == pytest.approx([121 / 133.1 * 100, 33 / 35 * 100])   # completions in percent, sorted
    fig = P.trend_multiples(panel, a, region=R, lang="en")
    titled = [ax for ax in fig.axes if ax.get_visible()]
    assert len(titled) == 2 and all(ax.get_title(loc="left") for ax in titled)
    required = [line for line in titled[0].lines if line.get_linestyle() == "--"][0]
    assert list(required.get_ydata()) == pytest.approx([100.0, 110.0, 121.0, 133.1])
    with pytest.raises(ParameterError, match="at least one assessed"):
        P.bullet_chart(a[a["status"] == T.NO_TARGET])
    plt.close("all")


def test_rank_strip_marks_the_focus_region():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evalkit.plots import targets as P

    panel = pd.DataFrame({"region": ["210100", "210200", "210300"], "year": 2020, "indicator": "x",
                          "value": [3.0, 1.0, 2.0], "source": "s", "status": "illustrative"})
    comp = T.compare_peers(panel, region="210300", meta=meta_of(x=1))
    ax = P.rank_strip(comp, lang="en", region_name="Anshan")
    focus = ax.collections[1].get_offsets()
    assert focus[0][0] == pytest.approx(0.5)               # rank 2 of 3: (3 − 2)/(3 − 1)
    assert any(t.get_text() == "2/3" for t in ax.texts)
    plt.close("all")


def test_method_note_states_the_thresholds_in_force():
    assert "completion ≥ 80% 'nearly met'" in T.method_note("en", T.Thresholds(nearly_met=0.8))
    assert "完成率≥90%为“基本完成”" in T.method_note("zh")
    assert "2023" in T.method_note("zh")                    # the Eurostat edition cited


def test_non_numeric_values_are_an_error_not_silently_dropped():
    import pandas as pd
    import pytest

    from evalkit import targets as T
    from evalkit.errors import DataShapeError

    panel = pd.DataFrame({"region": ["210000", "210000"], "year": [2015, 2020],
                          "indicator": ["cremation_rate", "cremation_rate"], "value": [70.0, "约80"]})
    frame = pd.DataFrame({"plan": ["13th"], "indicator": ["cremation_rate"], "name_zh": ["火化率"], "region": ["*"],
                          "baseline_year": [None], "baseline": [None], "target_year": [2020], "target": [75.0],
                          "target_type": ["at_least"], "target_low": [None], "target_high": [None],
                          "binding": ["unknown"], "source": ["test"], "note": [""]})
    with pytest.raises(DataShapeError, match="约80"):
        T.assess(panel, frame, region="210000")
