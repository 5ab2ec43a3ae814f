"""Tests for evalkit.scenarios: YAML validation, scenario paths, bed demand, costs, target proposals."""
import textwrap

import numpy as np
import pandas as pd
import pytest

from evalkit import paths, projection, scenarios
from evalkit.errors import ConfigError, DataShapeError, ParameterError

SHIPPED = ["baseline", "accelerated", "fiscal_constrained"]


def _panel() -> pd.DataFrame:
    """A small hand-made panel for region 210000, 2015–2020 (values chosen for easy arithmetic)."""
    years = range(2015, 2021)
    series = {
        "dibao_urban_std": [400, 440, 480, 520, 560, 600],
        "dibao_recipients_urban": [60000, 55000, 50000, 45000, 40000, 36000],
        "nursing_bed_share": [30, 32, 34, 36, 38, 40],
        "elderly_beds": [1000, 1100, 1200, 1300, 1400, 1500],
    }
    return pd.DataFrame([{"region": "210000", "year": y, "indicator": k, "value": float(v)}
                         for k, vals in series.items() for y, v in zip(years, vals)])


def _write(tmp_path, body: str, name: str = "s.yml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


MINIMAL = """
name: test
label: {zh: 测试, en: Test}
base_year: 2020
horizon_end: 2025
n_draws: 500
indicators:
  dibao_urban_std:
    path: {kind: growth, rate: 0.05}
  tekun_std:
    path: {kind: link, to: dibao_urban_std, ratio: 1.3}
"""


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


@pytest.fixture(scope="module")
def sample_results():
    from evalkit.io import read_panel

    panel = read_panel(paths.sample_panel_path())
    loaded = [scenarios.load(f"{n}.yml") for n in SHIPPED]
    codes = sorted({c for sc in loaded for c in sc.indicators})
    # Fast methods keep the test quick; the notebook runs the scenario's own selection.
    selection = projection.select(panel, region="210000", indicator=codes, methods=["linear", "loglinear"])
    return panel, [scenarios.run(sc, panel, n_draws=300, selection=selection) for sc in loaded]


def test_shipped_scenarios_run_on_the_sample_panel(sample_results):
    _, results = sample_results
    for r in results:
        assert r.years == (2021, 2022, 2023, 2024, 2025)
        assert set(r.beds["year"]) == set(r.years) and (r.beds["beds_needed"] > 0).all()
        assert (r.cost_period.set_index("programme").loc["total", ["lo", "mean", "hi"]].diff().dropna() > 0).all()
    table = scenarios.compare(results)
    assert {"baseline_median", "accelerated_median", "fiscal_constrained_median"} <= set(table.columns)


def test_fiscal_constrained_costs_less_than_accelerated(sample_results):
    _, results = sample_results
    total = {r.scenario.name: r.cost_period.set_index("programme").loc["total", "mean"] for r in results}
    assert total["fiscal_constrained"] < total["accelerated"]


# ------------------------------------------------------------------------------------ broken files
BROKEN = [
    ("syntax", "name: test\nlabel: {zh: 测试, en: Test\nbase_year: 2020\n", "starts on line 2", 3, None),
    ("unknown top key", MINIMAL.replace("horizon_end:", "horizon_ned:"), "unknown key 'horizon_ned'", 4,
     "did you mean 'horizon_end'"),
    ("missing key", MINIMAL.replace("base_year: 2020\n", ""), "missing required key 'base_year'", None, "add 'base_year:'"),
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
    path = _write(tmp_path, body)
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
    with pytest.raises(ConfigError, match="circular links: .*dibao_urban_std.*tekun_std"):
        scenarios.load(_write(tmp_path, body))


def test_missing_data_file_is_named(tmp_path):
    body = MINIMAL + textwrap.dedent("""
    elderly_care:
      population: nowhere.csv
      rates: nowhere.csv
      beds_per_1000_target: 35
      nursing_share_target: 55
    """)
    with pytest.raises(ConfigError, match="nowhere.csv' not found") as info:
        scenarios.load(_write(tmp_path, body))
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
        scenarios.load(_write(tmp_path, body))


# ------------------------------------------------------------------------------------ running
def test_growth_and_link_paths(tmp_path):
    res = scenarios.run(scenarios.load(_write(tmp_path, MINIMAL)), _panel())
    dibao = res.draws["dibao_urban_std"]
    assert dibao[0] == pytest.approx(600 * 1.05 ** np.arange(1, 6))  # sd 0: every draw identical
    assert res.draws["tekun_std"] == pytest.approx(1.3 * dibao)
    projected = res.paths[(res.paths["indicator"] == "tekun_std") & (res.paths["kind"] == "projected")]
    assert projected["year"].tolist() == [2021, 2022, 2023, 2024, 2025]


def test_floor_keeps_at_least_the_multiple(tmp_path):
    body = MINIMAL.replace("path: {kind: link, to: dibao_urban_std, ratio: 1.3}",
                           "path: {kind: growth, rate: 0.0}\n    base: {year: 2020, value: 700, source: test}\n"
                           "    floor: {to: dibao_urban_std, ratio: 1.3}")
    res = scenarios.run(scenarios.load(_write(tmp_path, body)), _panel())
    expected = np.maximum(700.0, 1.3 * 600 * 1.05 ** np.arange(1, 6))
    assert res.draws["tekun_std"][0] == pytest.approx(expected)


def test_target_path_reaches_its_value(tmp_path):
    body = MINIMAL + "  nursing_bed_share:\n    path: {kind: target, value: 55, year: 2025, interpolation: linear}\n"
    res = scenarios.run(scenarios.load(_write(tmp_path, body)), _panel())
    assert res.draws["nursing_bed_share"][0] == pytest.approx([43, 46, 49, 52, 55])


def test_link_ratio_moves_to_ratio_end(tmp_path):
    body = MINIMAL.replace("ratio: 1.3}", "ratio: 1.3, ratio_end: 1.8}")
    res = scenarios.run(scenarios.load(_write(tmp_path, body)), _panel())
    ratio = res.draws["tekun_std"][0] / res.draws["dibao_urban_std"][0]
    assert ratio == pytest.approx([1.4, 1.5, 1.6, 1.7, 1.8])


def test_forecast_path_uses_the_models_predictive_distribution(tmp_path):
    body = MINIMAL.replace("path: {kind: growth, rate: 0.05}", "path: {kind: forecast, method: drift}")
    res = scenarios.run(scenarios.load(_write(tmp_path, body)), _panel(), n_draws=4000)
    # dibao rises by exactly 40 a year: drift 40, zero residual variance → the path is a line.
    assert np.median(res.draws["dibao_urban_std"], axis=0) == pytest.approx(600 + 40 * np.arange(1, 6))
    assert res.methods.set_index("indicator").loc["dibao_urban_std", "method"] == "drift"


def test_cost_is_recipients_times_standard_times_twelve(tmp_path):
    body = MINIMAL + textwrap.dedent("""\
      dibao_recipients_urban:
        path: {kind: growth, rate: -0.1}
    costs:
      dibao_urban:
        name: {zh: 城市低保, en: Urban dibao}
        recipients: dibao_recipients_urban
        standard: dibao_urban_std
        payment_ratio: 0.8
    """)
    res = scenarios.run(scenarios.load(_write(tmp_path, body)), _panel())
    t = np.arange(1, 6)
    expected = 36000 * 0.9 ** t * 600 * 1.05 ** t * 12 * 0.8 / 1e8
    cost = res.cost[res.cost["programme"] == "dibao_urban"]
    assert cost["mean"].to_numpy() == pytest.approx(expected)
    assert res.cost_period.set_index("programme").loc["total", "mean"] == pytest.approx(expected.sum())


def test_bed_demand_follows_the_cohort_projection(tmp_path):
    folder = paths.data_dir() / "scenarios"
    body = MINIMAL + textwrap.dedent(f"""\
      pop_60plus:
        path: {{kind: cohort, ages: 60}}
      elderly_beds:
        path: {{kind: growth, rate: 0.05}}
    elderly_care:
      population: {folder / 'liaoning_population_2020.csv'}
      rates: {folder / 'liaoning_cohort_rates.csv'}
      birth_survival: 0.995
      beds_per_1000_target: 35
      nursing_share_target: 55
    """)
    res = scenarios.run(scenarios.load(_write(tmp_path, body)), _panel())
    base = pd.read_csv(folder / "liaoning_population_2020.csv")
    rates = pd.read_csv(folder / "liaoning_cohort_rates.csv")
    ref = projection.cohort_project(base[["age", "population"]], rates[["age", "survival", "net_migration", "fertility"]],
                                    start_year=2020, steps=1, birth_survival=0.995)
    older = projection.older_population(ref.population).set_index("year")
    beds = res.beds.set_index("year")
    assert beds.loc[2025, "pop_60plus"] == pytest.approx(older.loc[2025, "pop_60plus"])
    assert beds.loc[2025, "beds_needed"] == pytest.approx(older.loc[2025, "pop_60plus"] * 35 / 1000)
    assert beds.loc[2025, "nursing_beds_needed"] == pytest.approx(beds.loc[2025, "beds_needed"] * 0.55)
    assert beds.loc[2025, "beds_planned"] == pytest.approx(1500 * 1.05 ** 5)
    # 2020 base: the census 60+ total; annual values between five-year points grow geometrically
    growth = (older.loc[2025, "pop_60plus"] / 10_954_467) ** (1 / 5)
    assert beds.loc[2021, "pop_60plus"] == pytest.approx(10_954_467 * growth)


def test_runs_are_reproducible_and_seeded(tmp_path):
    body = MINIMAL.replace("rate: 0.05}", "rate: 0.05, sd: 0.02}")
    sc = scenarios.load(_write(tmp_path, body))
    a, b = scenarios.run(sc, _panel()), scenarios.run(sc, _panel())
    assert np.array_equal(a.draws["dibao_urban_std"], b.draws["dibao_urban_std"])
    c = scenarios.run(scenarios.load(_write(tmp_path, body.replace("n_draws: 500", "n_draws: 500\nseed: 7"))), _panel())
    assert not np.array_equal(a.draws["dibao_urban_std"], c.draws["dibao_urban_std"])


def test_missing_base_value_explains_the_fix(tmp_path):
    body = MINIMAL.replace("dibao_urban_std:", "orphan_std_inst:").replace("to: dibao_urban_std", "to: orphan_std_inst")
    with pytest.raises(DataShapeError, match="base: {year: 2020"):
        scenarios.run(scenarios.load(_write(tmp_path, body)), _panel())


def test_forecast_without_history_is_a_data_error(tmp_path):
    body = MINIMAL + "  orphans:\n    path: {kind: forecast, method: auto}\n"
    with pytest.raises(DataShapeError, match="no values"):
        scenarios.run(scenarios.load(_write(tmp_path, body)), _panel())


def test_bad_run_arguments(tmp_path):
    sc = scenarios.load(_write(tmp_path, MINIMAL))
    with pytest.raises(ParameterError, match="horizon_end"):
        scenarios.run(sc, _panel(), horizon_end=2019)
    with pytest.raises(ParameterError, match="n_draws"):
        scenarios.run(sc, _panel(), n_draws=3)


# ------------------------------------------------------------------------------------ targets
@pytest.fixture()
def uncertain_result(tmp_path):
    body = MINIMAL.replace("rate: 0.05}", "rate: 0.05, sd: 0.02}") + (
        "  nursing_bed_share:\n    path: {kind: target, value: 55, sd: 3}\n"
        "    target: {value: 55, type: at_least}\n    binding: 约束性\n")
    return scenarios.run(scenarios.load(_write(tmp_path, body.replace("n_draws: 500", "n_draws: 4000"))), _panel())


@pytest.mark.parametrize("p", [0.5, 0.8, 0.95])
def test_proposed_targets_are_met_with_the_chosen_probability(uncertain_result, p):
    table = scenarios.propose_targets(uncertain_result, probability=p).set_index("indicator")
    for code, row in table.iterrows():
        prob = scenarios.attainment(uncertain_result, indicator=code, target=row["proposed"])
        assert prob == pytest.approx(p, abs=0.01)
    assert table.loc["nursing_bed_share", "prob_stated_target"] == pytest.approx(0.5, abs=0.03)
    assert table.loc["nursing_bed_share", "binding"] == "约束性"


def test_attainment_curve_falls_as_the_target_rises(uncertain_result):
    curve = scenarios.attainment(uncertain_result, indicator="dibao_urban_std", target=np.linspace(500, 900, 17))
    assert curve.shape == (17,) and np.all(np.diff(curve) <= 0) and curve[0] == 1.0
    low = scenarios.attainment(uncertain_result, indicator="dibao_urban_std", target=700, direction="at_most")
    high = scenarios.attainment(uncertain_result, indicator="dibao_urban_std", target=700)
    assert low + high == pytest.approx(1.0)


def test_indicator_table_has_the_plan_layout(uncertain_result):
    zh = scenarios.indicator_table(uncertain_result, probability=0.8, lang="zh")
    assert list(zh.columns) == ["序号", "指标名称", "单位", "2020年基数", "2025年目标", "属性"]
    row = zh.set_index("指标名称").loc["护理型床位占比"]
    assert row["2020年基数"] == "40.0" and row["2025年目标"].endswith("以上") and row["属性"] == "约束性"
    en = scenarios.indicator_table(uncertain_result, lang="en")
    assert en["2025 target"].str.startswith("≥").all()


def test_target_helpers_reject_bad_arguments(uncertain_result):
    with pytest.raises(ParameterError, match="probability"):
        scenarios.propose_targets(uncertain_result, probability=80)
    with pytest.raises(ParameterError, match="not a projection year"):
        scenarios.attainment(uncertain_result, indicator="dibao_urban_std", target=1, year=2030)
    with pytest.raises(ParameterError, match="not in scenario"):
        scenarios.attainment(uncertain_result, indicator="orphans", target=1)


# ------------------------------------------------------------------------------------ display
def test_load_by_name_and_unknown_name():
    assert scenarios.load("baseline").name == "baseline"
    with pytest.raises(ConfigError, match="not found") as info:
        scenarios.load("optimistic")
    assert "baseline" in info.value.fix and "fiscal_constrained" in info.value.fix


def test_display_tables(sample_results):
    _, results = sample_results
    base, acc, _ = results
    table = scenarios.comparison_table(results, lang="zh")
    assert list(table.columns[-3:]) == ["基准情景 2025", "加快发展情景 2025", "财政约束情景 2025"]
    numbers = scenarios.compare(results).set_index("indicator")
    row = table.set_index("指标").loc["护理型床位占比"]
    assert row["基准情景 2025"].startswith(f"{numbers.loc['nursing_bed_share', 'baseline_median']:,.1f} [")
    assert len(scenarios.methods_table(base, lang="en")) == len(base.scenario.series)
    beds = scenarios.beds_table(base, lang="en")
    assert beds["Beds needed"].tolist() == base.beds["beds_needed"].round(0).astype(int).tolist()
    period = scenarios.cost_table(acc, lang="zh", period=True).set_index("项目")
    assert period.loc["合计", "均值"] == pytest.approx(acc.cost_period.iloc[-1]["mean"], abs=0.005)
    targets = scenarios.targets_table(acc, lang="en")
    assert targets.set_index("Indicator").loc["Share of nursing-type beds", "Stated target"] == "55.0"
    figures = scenarios.key_figures(acc)
    assert figures["cost_total_mean"] == pytest.approx(acc.cost_period.iloc[-1]["mean"])
    assert 0 <= figures["p_target_nursing_bed_share"] <= 1 and "beds_gap_end" in figures


def test_charts_render_with_titles_and_units(sample_results):
    import matplotlib

    matplotlib.use("Agg")
    from evalkit.plots import projection as charts

    _, results = sample_results
    r = results[1]
    ax = charts.fan_chart(r, indicator="nursing_bed_share", lang="zh", source="test", illustrative=True)
    assert ax.get_title(loc="left") == "护理型床位占比：加快发展情景" and ax.get_ylabel() == "%"
    assert charts.beds_chart(r, lang="en").get_title(loc="left").startswith("Elderly-care beds")
    assert charts.cost_chart(r, lang="en").get_ylabel().startswith("100 million yuan")
    assert charts.attainment_chart(r, indicator="dibao_urban_std", lang="zh").get_ylabel() == "实现概率"
    axes = charts.fan_grid(r, indicators=["dibao_urban_std", "tekun_std"], ncols=3)
    assert [a.get_visible() for a in axes.flat] == [True, True, False]
    with pytest.raises(ParameterError, match="not in scenario"):
        charts.fan_chart(r, indicator="marriages")
    matplotlib.pyplot.close("all")
