"""Tests of evalkit.targets.measures: growth rates and the Eurostat classes at their boundaries.

Every expected value is worked out by hand from the formulas in :func:`evalkit.targets.assess`; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import math

import pytest

from evalkit import targets as T
from evalkit.errors import ParameterError


def test_cagr_formula_and_undefined_values():
    assert T.cagr(100, 121, 2) == pytest.approx(0.1)       # 1.21^(1/2) − 1
    assert T.cagr(100, 50, 1) == pytest.approx(-0.5)
    assert math.isnan(T.cagr(0, 10, 5)) and math.isnan(T.cagr(-1, 10, 5)) and math.isnan(T.cagr(10, 0, 5))
    with pytest.raises(ParameterError, match="years must be positive"):
        T.cagr(1, 2, 0)


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
