"""The per-field checks of :mod:`evalkit.schema`, each tested directly on a small raw panel."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit import catalogue, schema
from evalkit.errors import (
    DuplicateRowError,
    InputFileError,
    OutOfRangeError,
    UnitConflictError,
    UnknownCodeError,
    ValueFormatError,
)
from evalkit.schema.lookup import lookup


def _cells(**columns) -> schema.Cells:
    n = len(next(iter(columns.values())))
    raw = pd.DataFrame({**columns, "_row": range(2, n + 2)})
    return schema.Cells.of(raw, "f.csv")


def _regions():
    return schema.region_lookup(catalogue.regions(), catalogue.regions().index)


def test_cells_name_the_sheet_and_the_value_column():
    raw = pd.DataFrame({"value": ["1", "2"], "_row": [3, 4], "_sheet": ["", "S"], "_col": ["", "2015"]})
    cells = schema.Cells.of(raw, "f.xlsx")
    assert list(cells.where) == ["f.xlsx", "f.xlsx [sheet S]"]
    assert list(cells.value_column) == ["value", "2015"]
    assert list(cells.rows) == [3, 4]


def test_check_region_resolves_codes_names_and_excel_numbers():
    cells = _cells(region=["210100", "沈阳", "210100.0", "0", "Shenyang", "大连市"])
    checked = schema.check_region(cells, _regions(), ("210100",))
    assert checked.values.tolist() == ["210100", "210100", "210100", "000000", "210100", "210200"]
    assert not checked.bad.any() and checked.problems == []


def test_check_region_reports_unknown_and_empty_with_row_and_fix():
    cells = _cells(region=["210100", "219999", ""])
    checked = schema.check_region(cells, _regions(), ("210100", "219900"))
    assert checked.bad.tolist() == [False, True, True]
    unknown, empty = checked.problems
    assert (unknown.row, unknown.column, unknown.value, unknown.kind) == (3, "region", "219999", UnknownCodeError)
    assert "did you mean" in unknown.fix
    assert (empty.row, empty.value, empty.message) == (4, "(empty)", "no region")


def test_check_indicator_accepts_code_and_chinese_name():
    table = catalogue.indicators()
    mapping = lookup(table, ["name_zh", "name_en"])
    name = table.at["dibao_urban_std", "name_zh"]
    cells = _cells(indicator=["dibao_urban_std", name, "dibao_urban_sdt"])
    checked = schema.check_indicator(cells, mapping, tuple(table.index))
    assert checked.values.tolist()[:2] == ["dibao_urban_std", "dibao_urban_std"]
    assert checked.bad.tolist() == [False, False, True]
    assert "dibao_urban_std" in checked.problems[0].fix


def test_check_name_flags_a_name_of_another_region():
    cells = _cells(region=["210100", "210200"], region_name=["沈阳市", "沈阳市"])
    codes = pd.Series(["210100", "210200"])
    checked = schema.check_name(cells, "region_name", codes, _regions(), catalogue.regions())
    assert checked.bad.tolist() == [False, True]
    assert "210200 is 大连市" in checked.problems[0].message


def test_check_year_parses_and_reports_range_and_format():
    cells = _cells(year=["2015", "2016年", 2017, "20200", "二〇一八", ""])
    checked = schema.check_year(cells)
    assert checked.values.tolist()[:3] == [2015, 2016, 2017]
    assert checked.bad.tolist() == [False, False, False, True, True, True]
    kinds = [(p.row, p.kind) for p in checked.problems]
    assert (5, OutOfRangeError) in kinds and (6, ValueFormatError) in kinds and (7, ValueFormatError) in kinds


def test_check_unit_accepts_convertible_and_rejects_conflicting_units():
    unit_of = catalogue.indicators()["unit"].to_dict()
    codes = pd.Series(["pop_resident", "pop_resident", "dibao_urban_std"])
    cells = _cells(unit=["万人", "%", ""])
    checked = schema.check_unit(cells, codes, unit_of)
    assert checked.bad.tolist() == [False, True, False]
    assert checked.problems[0].kind is UnitConflictError and checked.problems[0].value == "%"
    assert checked.values.iloc[0] == "万人"


def test_check_value_reads_plain_numbers_units_and_marks():
    unit_of = catalogue.indicators()["unit"].to_dict()
    codes = pd.Series(["pop_resident"] * 5)
    cells = _cells(value=["12", "3.2万", "—", "", "约3万"])
    checked = schema.check_value(cells, codes, pd.Series([None] * 5, dtype=object), unit_of)
    values = checked.values["value"].tolist()
    assert values[:2] == [12.0, 32000.0] and np.isnan(values[2]) and np.isnan(values[3])
    assert checked.bad.tolist() == [False, False, False, False, True]
    assert checked.problems[0].kind is ValueFormatError and checked.problems[0].row == 6
    assert checked.values["note"].tolist()[3] == "empty cell"
    assert checked.values.attrs["notes"] == ["row 4, value: marked not available (—)"]


def test_check_value_converts_a_rows_own_unit_and_rejects_infinity():
    unit_of = catalogue.indicators()["unit"].to_dict()
    codes = pd.Series(["pop_resident", "pop_resident"])
    cells = _cells(value=["3.5", "inf"])
    checked = schema.check_value(cells, codes, pd.Series(["万人", None], dtype=object), unit_of)
    assert checked.values["value"].iloc[0] == 35000.0
    assert checked.bad.tolist() == [False, True] and checked.problems[0].kind is OutOfRangeError


def test_check_value_does_not_read_true_as_one():
    unit_of = catalogue.indicators()["unit"].to_dict()
    cells = _cells(value=[True, 5.0])
    checked = schema.check_value(cells, pd.Series(["pop_resident"] * 2), pd.Series([None] * 2, dtype=object),
                                 unit_of)
    assert checked.bad.tolist() == [True, False] and checked.values["value"].iloc[1] == 5.0


def test_check_status_folds_chinese_words_and_uses_the_default():
    cells = _cells(status=["官方统计", "", "Reported", "maybe"])
    checked = schema.check_status(cells, "derived")
    assert checked.values.tolist()[:3] == ["official", "derived", "reported"]
    assert checked.bad.tolist() == [False, False, False, True]
    assert checked.problems[0].value == "maybe"


def test_check_duplicates_names_every_row():
    panel = pd.DataFrame({"region": ["210100"] * 3, "year": [2020, 2020, 2019], "indicator": ["x"] * 3,
                          "_row": [2, 5, 6], "_sheet": ["", "", ""]})
    (problem,) = schema.check_duplicates(panel, "f.csv")
    assert problem.kind is DuplicateRowError and "rows 2, 5" in problem.message and problem.row == 5


def test_check_panel_combines_the_checks_and_orders_problems_by_row():
    raw = pd.DataFrame({"region": ["219999", "210100"], "year": ["2020", "1900x"],
                        "indicator": ["pop_resident", "nope"], "value": ["1", "2"], "_row": [2, 3]})
    with pytest.raises(InputFileError) as err:  # mixed kinds: the common parent
        schema.check_panel(raw, path="f.csv", default_source="f.csv", default_status="reported",
                           indicators=catalogue.indicators(), regions=catalogue.regions())
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "region"), (3, "indicator"), (3, "year")]
    assert type(err.value).__name__ == "InputFileError"
