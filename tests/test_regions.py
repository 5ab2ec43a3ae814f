"""The national region model: the end-2020 division table, units of an area, names, former codes.

Expected counts are the Ministry of Civil Affairs' published end-2020 figures (333 prefecture-level and
2,844 county-level units; 31 provinces, autonomous regions and municipalities in the national statistics),
not numbers computed from the table.
"""
import pytest

from evalkit import regions
from evalkit.errors import ParameterError


def test_the_table_has_the_ministrys_end_2020_counts():
    table = regions.divisions()
    assert (table["level"] == "city").sum() == 333
    assert (table["level"] == "county").sum() == 2844
    assert len(regions.units_of("000000", "province")) == 31
    assert table["code"].is_unique and table["source"].str.len().gt(0).all()


def test_units_of_an_area_at_each_level():
    assert len(regions.units_of("210000", "city")) == 14
    assert regions.units_of("210000", "city")[0] == "210100"
    shenyang = regions.units_of("210100", "county")
    assert "210102" in shenyang and "210115" in shenyang and "210122" not in shenyang and len(shenyang) == 13
    assert len(regions.units_of("210000", "county")) == 100  # Liaoning's county-level units at the end of 2020
    assert len(regions.units_of("000000", "city")) == 333
    assert len(regions.units_of("220000", "city")) == 9  # Jilin: 8 cities and Yanbian prefecture


def test_names_levels_and_parents():
    assert regions.name("220100") == "长春市" and regions.name("220100", "en") == "Changchun"
    assert regions.name("210102") == "和平区" and regions.name("210102", "en") == "Heping District"
    assert regions.name("150000", "en") == "Inner Mongolia"
    assert regions.level("210102") == "county" and regions.level("220100") == "city"
    assert regions.parent("210102") == "210100"
    assert regions.parent("429004") == "420000"  # 仙桃市: a county-level city under the province itself
    assert regions.parent("110101") == "110000"  # a district of a municipality
    assert regions.parent("000000") is None


def test_a_municipality_has_no_prefecture_level_units():
    with pytest.raises(ParameterError, match="level='county'"):
        regions.units_of("110000", "city")
    assert len(regions.units_of("110000", "county")) == 16


def test_level_must_be_below_the_area():
    with pytest.raises(ParameterError, match="not below"):
        regions.units_of("210100", "city")
    with pytest.raises(ParameterError, match="level must be one of"):
        regions.units_of("210000", "town")


def test_former_code_maps_to_the_current_one():
    code, change = regions.current_code("210122")
    assert code == "210115" and change.year == 2016 and change.change == "撤县设区" and change.one_to_one
    assert regions.current_code("210102") == ("210102", None)


def test_a_merge_is_an_error_naming_both_codes_and_the_fix():
    with pytest.raises(ParameterError) as err:
        regions.current_code("320611")  # 港闸区 went into 崇川区 (320613) with the old 崇川区 (320602) in 2020
    message = str(err.value)
    assert "320611" in message and "320613" in message and "320602" in message and "add up" in message


def test_a_code_that_never_existed_is_rejected_with_a_suggestion():
    with pytest.raises(ParameterError, match="did you mean '21"):
        regions.current_code("219999")
    with pytest.raises(ParameterError, match="did you mean"):
        regions.name("110100")  # the municipality's 市辖区 placeholder is not a unit


def test_the_crosswalk_points_only_at_current_codes():
    changes = regions.changes()
    assert set(changes["code"]) <= set(regions.divisions()["code"])
    assert not set(changes["former_code"]) & set(regions.divisions()["code"])
    assert changes["year"].between(2015, 2020).all()
    assert changes["source"].str.len().gt(0).all()


def test_peers_are_the_units_at_the_same_level_in_the_area():
    assert regions.peers("210102") == regions.units_of("210100", "county")
    assert len(regions.peers("210102", "210000")) == 100
    assert len(regions.peers("220100", "000000")) == 333
    with pytest.raises(ParameterError, match="not inside"):
        regions.peers("220100", "210000")


def test_peers_keep_only_the_units_with_data_when_asked():
    assert regions.peers("210100", present=["210200", "210100", "999999"]) == ["210100", "210200"]
    assert regions.peers("210100", present=[]) == []


def test_compared_units_are_one_level_down_for_an_area_and_peers_for_a_unit():
    assert len(regions.compared_units("000000")) == 31  # the provinces, without 71/81/82
    assert regions.compared_units("210000")[:2] == ["210100", "210200"] and len(regions.compared_units("210000")) == 14
    assert regions.compared_units("210100") == regions.peers("210100")  # a city: Liaoning's 14 cities
    assert regions.compared_units("110000")[0] == "110101"  # a municipality has no prefectures: its districts
    assert regions.compared_units("210000", present=["210300", "211400", "220100"]) == ["210300", "211400"]


def test_names_and_level_names_follow_the_language():
    assert regions.names(["210100", "220100"], "en") == {"210100": "Shenyang", "220100": "Changchun"}
    assert regions.level_name("county", "zh") == "县级" and regions.level_name("city", "en") == "prefecture level"
    assert regions.level_name("county", "en", plural=True) == "county-level units"
