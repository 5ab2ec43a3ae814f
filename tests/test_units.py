from decimal import Decimal

import pytest

from evalkit import units


@pytest.mark.parametrize("text, expected", [
    ("1,234", Decimal("1234")),
    ("１２３４", Decimal("1234")),
    ("１，２３４．５", Decimal("1234.5")),
    ("12 345", Decimal("12345")),
    ("1\u00a0234\u00a0567", Decimal("1234567")),
    ("-3.5", Decimal("-3.5")),
])
def test_parse_decimal_folds_fullwidth_and_separators(text, expected):
    assert units.parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["约3万", "3万左右", "abc", "1,2,3", "", "1 2", "5\n6", "12 3456"])
def test_parse_decimal_rejects_non_numbers(text):
    with pytest.raises(units.NotANumber):
        units.parse_decimal(text)


@pytest.mark.parametrize("cell, expected_unit, value, unit", [
    ("3.2万", "人", Decimal("32000"), None),
    ("3.2万人", "人", Decimal("32000"), "人"),
    ("2.26亿元", "元", Decimal("226000000"), "元"),
    ("2.26亿元", "万元", Decimal("22600"), "元"),
    ("66.74万人次", "人次", Decimal("667400"), "人次"),
    ("12%", "%", Decimal("12"), "%"),
    ("612元/人.月", "元/人·月", Decimal("612"), "元/人·月"),
    (15, "个", Decimal("15"), None),
])
def test_parse_quantity_folds_magnitudes_into_the_expected_unit(cell, expected_unit, value, unit):
    q = units.parse_quantity(cell, expected_unit=expected_unit)
    assert q.value == value
    assert q.unit == unit


@pytest.mark.parametrize("cell, expected_unit", [("3万元", "人"), ("12%", "‰"), ("5万户", "元/人·月")])
def test_parse_quantity_rejects_conflicting_units(cell, expected_unit):
    with pytest.raises(units.UnitMismatch):
        units.parse_quantity(cell, expected_unit=expected_unit)


@pytest.mark.parametrize("cell", ["—", "…", "－", "——", "……"])
def test_not_available_marks_become_missing_with_a_note(cell):
    q = units.parse_quantity(cell, expected_unit="人")
    assert q.value is None and "not available" in q.note


def test_approximate_values_are_not_numbers():
    with pytest.raises(units.NotANumber):
        units.parse_quantity("约3万", expected_unit="人")
    with pytest.raises(units.NotANumber):
        units.parse_quantity("3万左右", expected_unit="人")


def test_convert_rates_and_magnitudes():
    assert units.convert(600, "元/人·月", "元/人·年") == 7200
    assert units.convert(Decimal("7200"), "元/人·年", "元/人·月") == Decimal("600")
    assert units.convert(3, "万元", "元") == 30000
    assert units.convert(2.5, "亿元", "万元") == 25000
    assert units.convert(1.5, "%", "‰") == 15
    with pytest.raises(units.UnitMismatch):
        units.convert(1, "人", "元")


def test_unit_spellings_are_normalised():
    assert units.normalise_unit("元/人.月") == "元/人·月"
    assert units.normalise_unit("元/人/年") == "元/人·年"
    assert units.normalise_unit(" ") is None
    assert units.compatible("名", "人") and not units.compatible("元", "人")
