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


# ----------------------------------------------------------------------------- a project's own catalogue
import pandas as pd  # noqa: E402

from evalkit import io  # noqa: E402
from evalkit.errors import ColumnError  # noqa: E402


@pytest.fixture
def project_catalogue(tmp_path):
    """A project catalogue with one new indicator and one built-in indicator renamed; reset afterwards."""
    table = pd.read_csv("data/reference/indicators.csv", dtype=str, keep_default_na=False)
    new = table.iloc[[0]].assign(code="orphan_home_visits", name_zh="孤儿家访次数", name_en="Orphan home visits",
                                 unit="次", in_assessment="1", category="child_welfare")
    renamed = table[table["code"] == "dibao_urban_std"].assign(name_zh="城市低保标准（本省口径）")
    path = tmp_path / "catalogue.csv"
    pd.concat([new, renamed]).to_csv(path, index=False)
    yield path
    catalogue.use(None)


def test_a_project_catalogue_extends_the_built_in_one(project_catalogue, write_text):
    catalogue.use(project_catalogue)
    table = catalogue.indicators()
    assert "orphan_home_visits" in table.index and len(table) == 41
    assert table.at["dibao_urban_std", "name_zh"] == "城市低保标准（本省口径）"
    assert catalogue.assessment_indicators().count("orphan_home_visits") == 1
    assert "extend" in catalogue.catalogue_source()
    panel = io.read_panel(write_text("p.csv", "地区,年份,指标,数值\n210100,2020,孤儿家访次数,35\n"))
    assert panel["indicator"].tolist() == ["orphan_home_visits"]


def test_a_project_catalogue_can_replace_the_built_in_one(project_catalogue, write_text):
    catalogue.use(project_catalogue, mode="replace")
    assert list(catalogue.indicators().index) == ["orphan_home_visits", "dibao_urban_std"]
    with pytest.raises(Exception, match="unknown indicator"):
        io.read_panel(write_text("p.csv", "region,year,indicator,value\n210100,2020,pop_resident,1\n"))


def test_templates_follow_the_project_catalogue(project_catalogue, tmp_path):
    catalogue.use(project_catalogue, mode="replace")
    path = io.write_template(tmp_path / "t.xlsx", region="210000", level="city")
    sheets = pd.read_excel(path, sheet_name=None)
    codes = {c for name, sheet in sheets.items() if "指标" in sheet for c in sheet["指标"]}
    assert codes == {"orphan_home_visits", "dibao_urban_std"}


def test_a_bad_project_catalogue_names_file_row_and_column(tmp_path):
    table = pd.read_csv("data/reference/indicators.csv", dtype=str, keep_default_na=False).head(2)
    table.loc[1, "polarity"] = "up"
    path = tmp_path / "catalogue.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ColumnError) as err:
        catalogue.use(path)
    (problem,) = err.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "polarity", "up")
    with pytest.raises(ParameterError, match="mode must be one of"):
        catalogue.use(path, mode="merge")


def test_the_environment_names_the_project_catalogue(project_catalogue, monkeypatch):
    monkeypatch.setenv("EVALKIT_CATALOGUE", str(project_catalogue))
    catalogue.reload()
    try:
        assert "orphan_home_visits" in catalogue.indicators().index
    finally:
        monkeypatch.delenv("EVALKIT_CATALOGUE")
        catalogue.reload()


def test_region_names_of_units_outside_the_project_table():
    assert catalogue.region_name("220100") == "长春市"
    assert catalogue.region_name("210102", "en") == "Heping District"
