"""Panels of any province, city or county: current codes, former codes, merges, names shared by two units."""
import pytest

from evalkit import io
from evalkit.errors import DuplicateRowError, UnknownCodeError


def test_districts_and_cities_of_any_province_validate(write_text):
    path = write_text("p.csv", "region,year,indicator,value\n210102,2020,pop_resident,645000\n"
                               "220100,2020,pop_resident,9066906\n469001,2020,pop_resident,112000\n")
    panel = io.read_panel(path)
    assert sorted(panel["region"]) == ["210102", "220100", "469001"]


def test_a_former_code_in_2015_is_read_as_the_current_unit_with_a_note(write_text):
    path = write_text("p.csv", "region,year,indicator,value\n210122,2015,pop_resident,520000\n"
                               "210115,2016,pop_resident,521000\n")
    panel = io.read_panel(path)
    assert panel["region"].tolist() == ["210115", "210115"] and panel["year"].tolist() == [2015, 2016]
    (note,) = panel.attrs["notes"]
    assert "210122" in note and "210115" in note and "2016" in note


def test_the_former_and_the_current_code_for_the_same_year_are_a_duplicate(write_text):
    path = write_text("p.csv", "region,year,indicator,value\n210122,2015,pop_resident,1\n"
                               "210115,2015,pop_resident,2\n")
    with pytest.raises(DuplicateRowError, match="appears 2 times"):
        io.read_panel(path)


def test_a_code_that_never_existed_is_rejected_with_a_suggestion(write_text):
    path = write_text("p.csv", "region,year,indicator,value\n219999,2020,pop_resident,1\n")
    with pytest.raises(UnknownCodeError) as err:
        io.read_panel(path)
    (problem,) = err.value.problems
    assert problem.row == 2 and problem.value == "219999" and "did you mean '21" in problem.fix


def test_a_merged_former_code_names_both_codes_and_the_fix(write_text):
    path = write_text("p.csv", "region,year,indicator,value\n320611,2015,pop_resident,1\n")
    with pytest.raises(UnknownCodeError) as err:
        io.read_panel(path)
    (problem,) = err.value.problems
    assert "320613" in problem.message and "320602" in problem.message and "not one-to-one" in problem.message
    assert "add up" in problem.fix


def test_a_name_two_units_share_asks_for_the_code(write_text):
    path = write_text("p.csv", "region,year,indicator,value\n和平区,2020,pop_resident,1\n沈阳,2020,pop_resident,2\n")
    with pytest.raises(UnknownCodeError) as err:
        io.read_panel(path)
    (problem,) = err.value.problems
    assert "120101" in problem.message and "210102" in problem.message and problem.row == 2


def test_unique_names_of_units_elsewhere_are_read(write_text):
    path = write_text("p.csv", "地区,年份,指标,数值\n长春市,2020,常住人口,1\n辽中区,2020,常住人口,2\n")
    assert sorted(io.read_panel(path)["region"]) == ["210115", "220100"]
