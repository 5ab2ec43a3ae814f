"""Tests of evalkit.targets.inputs through assess: the targets table rules and the errors a user can make.

Every expected value is worked out by hand from the formulas in :func:`evalkit.targets.assess`; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import pandas as pd
import pytest
from _data.targets import R, one, panel_of, targets_of, trow

from evalkit import targets as T
from evalkit.errors import ColumnError, DataShapeError, ParameterError, ValueFormatError


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


def test_shipped_targets_name_every_row_in_english_so_an_en_table_has_no_chinese():
    import re

    from evalkit import io
    table = io.read_reference("targets")
    assert table["name_en"].notna().all() and table["name_zh"].notna().all()
    assert not table["name_en"].str.contains(r"[\u4e00-\u9fff]", regex=True).any()
    no_series = table[table["indicator"].fillna("").eq("")]
    assert "New jobs in social organisations (persons)" in set(no_series["name_en"])
    panel = pd.DataFrame({"region": R, "year": [2015, 2020], "indicator": "volunteer_rate", "value": [5.0, 9.0]})
    result = T.assess(panel, table, region=R, plan="13th", meta=io.read_reference("indicators"), national=None)
    shown = T.display_table(result[result["indicator"].isna()], lang="en")
    assert not any(re.search(r"[\u4e00-\u9fff]", str(v)) for v in shown.to_numpy().ravel())


def test_a_region_gets_its_own_rows_and_the_generic_rows_it_does_not_override_in_file_order():
    from evalkit.targets.inputs import TargetRecords, prepare_targets, select_records, select_targets

    t = prepare_targets(targets_of(
        trow("x", "at_least", 50.0), trow("x", "at_least", 30.0, region=R, baseline=20.0),
        trow("y", "at_most", 4.0), trow("y", "at_most", 3.0, region="210100"),
        trow(None, "at_most", 1.3, name_zh="无序列"), trow(None, "at_least", 2.0, region=R, name_zh="无序列2"),
        trow("z", "range", low=35.0, high=40.0, plan="14th", target_year=2025),
        trow("w", "reach", 6.5, plan=None)), plan=None)
    # rows written out by hand: R's own x overrides the generic x; rows without a series never override
    expected = {R: [(R, "x", 30.0), ("*", "y", 4.0), ("*", None, 1.3), (R, None, 2.0), ("*", "z", None),
                    ("*", "w", 6.5)],
                "210100": [("*", "x", 50.0), ("210100", "y", 3.0), ("*", None, 1.3), ("*", "z", None),
                           ("*", "w", 6.5)],
                "210200": [("*", "x", 50.0), ("*", "y", 4.0), ("*", None, 1.3), ("*", "z", None), ("*", "w", 6.5)]}
    table = TargetRecords.of(t)
    for region, rows in expected.items():
        chosen = select_targets(t, region)
        got = [(r, None if pd.isna(i) else i, None if pd.isna(v) else v)
               for r, i, v in zip(chosen["region"], chosen["indicator"], chosen["target"])]
        assert got == rows, region
        assert chosen["file_row"].is_monotonic_increasing and list(chosen.columns) == list(t.columns)
        # the records the assessment reads are these rows, values and types alike
        assert repr(select_records(table, region)) == repr(chosen.to_dict("records"))
    clash = prepare_targets(targets_of(trow("x", "at_least", 50.0), trow("x", "at_least", 60.0, plan="14th")), None)
    with pytest.raises(DataShapeError, match=r"2 rows for indicator 'x' applying to region 210000 \(rows \[2, 3\]\)"):
        select_targets(clash, R)


def test_region_series_reads_as_series_by_indicator():
    from evalkit.targets.inputs import missing_note, prepare_panel, region_series, series_by_indicator, value_at

    panel = pd.concat([panel_of({"x": {2017: 3.0, 2015: 1.0, 2020: 6.0}, "y": {2016: 2.0}}),
                       panel_of({"y": {2015: 5.0}, "x": {2015: 9.0}}, region="210100")]).sample(frac=1.0,
                                                                                                 random_state=2)
    panel.loc[panel.index[0], "source"] = None
    p = prepare_panel(panel)
    for region in (R, "210100", "210200"):
        frames, arrays = series_by_indicator(p, region), region_series(p, region)
        assert list(arrays) == list(frames)
        for code in frames:
            for year in range(2014, 2022):
                for interpolate in (False, True):
                    assert value_at(arrays[code], year, interpolate) == value_at(frames[code], year, interpolate)
                    assert missing_note(arrays[code], year, interpolate) == missing_note(frames[code], year,
                                                                                         interpolate)


def test_prepare_panel_finds_repeated_keys_and_untidy_codes():
    from evalkit.targets.inputs import prepare_panel

    panel = panel_of({"x": {2015: 1.0, 2020: 2.0}})
    unnamed = panel.assign(indicator=None)  # two rows of one region and year without an indicator code: a repeat
    with pytest.raises(DataShapeError, match="sharing a"):
        prepare_panel(unnamed.assign(year=2015))
    assert len(prepare_panel(unnamed)) == 2
    untidy = panel.assign(region=[" 210000", "210000.0"])
    assert prepare_panel(untidy)["region"].tolist() == ["210000", "210000"]
    with pytest.raises(DataShapeError, match="sharing a"):
        prepare_panel(untidy.assign(year=2020))
