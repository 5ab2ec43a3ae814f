import pytest

from evalkit import catalogue
from evalkit.errors import ParameterError


def test_the_assessment_has_24_indicators_in_11_categories():
    # the work summary's 11类24项 comprehensive assessment of the cities
    assert len(catalogue.assessment_indicators()) == 24
    cats = catalogue.categories()
    assert len(cats) == 11 and cats["n_indicators"].sum() == 24
    assert cats["name_zh"].iloc[0] == "社会救助"


def test_every_indicator_has_names_unit_and_a_valid_polarity():
    table = catalogue.indicators()
    assert table["code"].is_unique
    assert (table["name_zh"].str.len() > 0).all() and (table["name_en"].str.len() > 0).all()
    assert (table["unit"].str.len() > 0).all()
    assert set(table.loc[table["in_assessment"], "polarity"]) <= {-1, 1}
    assert set(table["polarity"]) <= {-1, 0, 1}
    denominators = set(table["denominator"]) - {""}
    assert denominators <= set(table.index)


def test_regions_are_the_province_and_its_14_cities():
    cities = catalogue.cities()
    assert len(cities) == 14 and cities[0] == "210100" and cities[-1] == "211400"
    assert catalogue.region_name("210100") == "沈阳市"
    assert catalogue.region_name("211400", "en") == "Huludao"


def test_unknown_codes_suggest_the_closest():
    with pytest.raises(ParameterError, match="did you mean 'cremation_rate'"):
        catalogue.indicator("cremation_rat")
    with pytest.raises(ParameterError):
        catalogue.region_name("219999")
    with pytest.raises(ParameterError):
        catalogue.region_name("210100", lang="fr")


def test_indicator_metadata():
    meta = catalogue.indicator("beds_per_1000_elderly")
    assert meta.unit == "张" and meta.polarity == 1 and meta.category == "elderly_care"
    assert meta.name("en") == "Elderly-care beds per 1,000 older people"
    assert "养老床位" in meta.keywords_zh
