"""Tests for evalkit.scenarios.load: the shipped files, and clear errors (file, line, key, fix) for broken ones."""
import textwrap

import pytest
from _data.scenarios import MINIMAL, SHIPPED, write_scenario

from evalkit import scenarios
from evalkit.errors import ConfigError


# ------------------------------------------------------------------------------------ shipped files
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_scenarios_load(name):
    sc = scenarios.load(scenarios.scenario_dir() / f"{name}.yml")
    assert sc.name == name and sc.base_year == 2020 and sc.horizon_end == 2025
    for code in sc.order:  # every dependency comes before the series that uses it
        for dep in sc.series[code].depends_on():
            assert sc.order.index(dep) < sc.order.index(code)
    assert sc.elderly_care is not None and sc.programmes


def test_load_all_finds_the_three_scenarios():
    assert sorted(scenarios.load_all()) == sorted(SHIPPED)


# ------------------------------------------------------------------------------------ broken files
BROKEN = [
    ("syntax", "name: test\nlabel: {zh: 测试, en: Test\nbase_year: 2020\n", "starts on line 2", 3, None),
    ("unknown top key", MINIMAL.replace("horizon_end:", "horizon_ned:"), "unknown key 'horizon_ned'", 4,
     "did you mean 'horizon_end'"),
    ("missing key", MINIMAL.replace("base_year: 2020\n", ""), "missing required key 'base_year'", None,
     "add 'base_year:'"),
    ("text for a number", MINIMAL.replace("rate: 0.05", 'rate: "5%"'), "expected a number", 8, "plain number"),
    ("unknown indicator", MINIMAL.replace("dibao_urban_std:\n", "dibao_urban_st:\n"), "unknown indicator code",
     7, "indicators.csv"),
    ("unknown kind", MINIMAL.replace("kind: growth", "kind: grow"), "not one of", 8, "did you mean 'growth'"),
    ("key for another kind", MINIMAL.replace("rate: 0.05", "rate: 0.05, to: x"), "does not apply", 8,
     "a growth path takes"),
    ("link to nothing", MINIMAL.replace("to: dibao_urban_std", "to: dibao_rural"), "is not an indicator or driver",
     10, "did you mean"),
    ("duplicate key", MINIMAL + "  tekun_std:\n    path: {kind: growth, rate: 0.01}\n", "appears twice", 11,
     "delete or merge"),
    ("unit mismatch", MINIMAL.replace("to: dibao_urban_std", "to: pop_60plus") +
     "  pop_60plus:\n    path: {kind: growth, rate: 0.01}\n", "cannot express", 10, "compatible units"),
    ("too few draws", MINIMAL.replace("n_draws: 500", "n_draws: 5"), "below the allowed minimum", 5, "≥ 100"),
    ("not a mapping", "- just\n- a list\n", "must be a mapping", 1, "baseline.yml"),
    ("cohort without elderly_care", MINIMAL + "  pop_60plus:\n    path: {kind: cohort, ages: 60}\n",
     "needs an elderly_care", 12, "population and rates"),
    ("bad binding", MINIMAL.replace("    path: {kind: growth, rate: 0.05}\n",
                                    "    path: {kind: growth, rate: 0.05}\n    binding: 约束\n"),
     "not one of", 9, "did you mean '约束性'"),
]


@pytest.mark.parametrize("label, body, message, line, fix", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_scenarios_give_clear_errors(tmp_path, label, body, message, line, fix):
    path = write_scenario(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        scenarios.load(path)
    err = info.value
    text = str(err)
    assert message in text
    assert err.file == str(path) and str(path) in text
    if line is not None:
        assert err.line == line and f"line {line}" in text
    if fix is not None:
        assert fix in (err.fix or "")


def test_circular_links_are_named(tmp_path):
    body = MINIMAL.replace("path: {kind: growth, rate: 0.05}", "path: {kind: link, to: tekun_std, ratio: 0.8}")
    with pytest.raises(ConfigError, match=r"circular links: .*dibao_urban_std.*tekun_std"):
        scenarios.load(write_scenario(tmp_path, body))


def test_missing_data_file_is_named(tmp_path):
    body = MINIMAL + textwrap.dedent("""
    elderly_care:
      population: nowhere.csv
      rates: nowhere.csv
      beds_per_1000_target: 35
      nursing_share_target: 55
    """)
    with pytest.raises(ConfigError, match=r"nowhere\.csv' not found") as info:
        scenarios.load(write_scenario(tmp_path, body))
    assert info.value.key == "elderly_care.population"


def test_missing_file_and_non_utf8(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        scenarios.load(tmp_path / "absent.yml")
    path = tmp_path / "gbk.yml"
    path.write_bytes("name: 测试\n".encode("gb18030"))
    with pytest.raises(ConfigError, match="UTF-8"):
        scenarios.load(path)


def test_loader_is_safe(tmp_path):
    body = MINIMAL.replace("name: test", "name: !!python/object/apply:os.system ['echo hi']")
    with pytest.raises(ConfigError, match="YAML"):
        scenarios.load(write_scenario(tmp_path, body))


def test_load_by_name_and_unknown_name():
    assert scenarios.load("baseline").name == "baseline"
    with pytest.raises(ConfigError, match="not found") as info:
        scenarios.load("optimistic")
    assert "baseline" in info.value.fix and "fiscal_constrained" in info.value.fix


def test_a_scenario_for_any_area_in_force_and_a_clear_error_otherwise(tmp_path):
    """The area comes from the scenario file: any GB/T 2260 code in force at the end of 2020 (issue 14)."""
    import shutil

    from evalkit import paths

    shipped = paths.data_dir() / "scenarios"
    for data_file in shipped.glob("*.csv"):
        shutil.copy(data_file, tmp_path)
    text = (shipped / "baseline.yml").read_text(encoding="utf-8")
    jilin = tmp_path / "jilin.yml"
    jilin.write_text(text.replace('region: "210000"', 'region: "220000"'), encoding="utf-8")
    assert scenarios.load(jilin).region == "220000"
    changchun_county = tmp_path / "county.yml"
    changchun_county.write_text(text.replace('region: "210000"', 'region: "220122"'), encoding="utf-8")
    assert scenarios.load(changchun_county).region == "220122"  # 农安县
    unknown = tmp_path / "unknown.yml"
    unknown.write_text(text.replace('region: "210000"', 'region: "229999"'), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 8.*'229999' is not a GB/T 2260 code in force.*did you mean"):
        scenarios.load(unknown)
