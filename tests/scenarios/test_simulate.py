"""Tests for evalkit.scenarios.simulate: paths, bed demand and costs of a scenario run."""
import textwrap

import numpy as np
import pandas as pd
import pytest
from _data.scenarios import MINIMAL, elderly_care_yaml, sample_results, small_panel, write_scenario

from evalkit import paths, projection, scenarios
from evalkit.errors import ConfigError, DataShapeError, ParameterError


def test_shipped_scenarios_run_on_the_samplesmall_panel():
    _, results = sample_results()
    for r in results:
        assert r.years == (2021, 2022, 2023, 2024, 2025)
        assert set(r.beds["year"]) == set(r.years) and (r.beds["beds_needed"] > 0).all()
        assert (r.cost_period.set_index("programme").loc["total", ["lo", "mean", "hi"]].diff().dropna() > 0).all()
    table = scenarios.compare(results)
    assert {"baseline_median", "accelerated_median", "fiscal_constrained_median"} <= set(table.columns)


def test_fiscal_constrained_costs_less_than_accelerated():
    _, results = sample_results()
    total = {r.scenario.name: r.cost_period.set_index("programme").loc["total", "mean"] for r in results}
    assert total["fiscal_constrained"] < total["accelerated"]


# ------------------------------------------------------------------------------------ running
def test_growth_and_link_paths(tmp_path):
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, MINIMAL)), small_panel())
    dibao = res.draws["dibao_urban_std"]
    assert dibao[0] == pytest.approx(600 * 1.05 ** np.arange(1, 6))  # sd 0: every draw identical
    assert res.draws["tekun_std"] == pytest.approx(1.3 * dibao)
    projected = res.paths[(res.paths["indicator"] == "tekun_std") & (res.paths["kind"] == "projected")]
    assert projected["year"].tolist() == [2021, 2022, 2023, 2024, 2025]


def test_floor_keeps_at_least_the_multiple(tmp_path):
    body = MINIMAL.replace("path: {kind: link, to: dibao_urban_std, ratio: 1.3}",
                           "path: {kind: growth, rate: 0.0}\n    base: {year: 2020, value: 700, source: test}\n"
                           "    floor: {to: dibao_urban_std, ratio: 1.3}")
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, body)), small_panel())
    expected = np.maximum(700.0, 1.3 * 600 * 1.05 ** np.arange(1, 6))
    assert res.draws["tekun_std"][0] == pytest.approx(expected)


def test_target_path_reaches_its_value(tmp_path):
    body = MINIMAL + "  nursing_bed_share:\n    path: {kind: target, value: 55, year: 2025, interpolation: linear}\n"
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, body)), small_panel())
    assert res.draws["nursing_bed_share"][0] == pytest.approx([43, 46, 49, 52, 55])


def test_link_ratio_moves_to_ratio_end(tmp_path):
    body = MINIMAL.replace("ratio: 1.3}", "ratio: 1.3, ratio_end: 1.8}")
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, body)), small_panel())
    ratio = res.draws["tekun_std"][0] / res.draws["dibao_urban_std"][0]
    assert ratio == pytest.approx([1.4, 1.5, 1.6, 1.7, 1.8])


def test_forecast_path_uses_the_models_predictive_distribution(tmp_path):
    body = MINIMAL.replace("path: {kind: growth, rate: 0.05}", "path: {kind: forecast, method: drift}")
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, body)), small_panel(), n_draws=4000)
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
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, body)), small_panel())
    t = np.arange(1, 6)
    expected = 36000 * 0.9 ** t * 600 * 1.05 ** t * 12 * 0.8 / 1e8
    cost = res.cost[res.cost["programme"] == "dibao_urban"]
    assert cost["mean"].to_numpy() == pytest.approx(expected)
    assert res.cost_period.set_index("programme").loc["total", "mean"] == pytest.approx(expected.sum())


def test_bed_demand_follows_the_cohort_projection(tmp_path):
    folder = paths.data_dir() / "scenarios"
    series = ("  pop_60plus:\n    path: {kind: cohort, ages: 60}\n"
              "  elderly_beds:\n    path: {kind: growth, rate: 0.05}\n")
    body = MINIMAL + series + elderly_care_yaml()
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, body)), small_panel())
    base = pd.read_csv(folder / "liaoning_population_2020.csv")
    rates = pd.read_csv(folder / "liaoning_cohort_rates.csv")
    ref = projection.cohort_project(base[["age", "population"]],
                                    rates[["age", "survival", "net_migration", "fertility"]],
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
    sc = scenarios.load(write_scenario(tmp_path, body))
    a, b = scenarios.run(sc, small_panel()), scenarios.run(sc, small_panel())
    assert np.array_equal(a.draws["dibao_urban_std"], b.draws["dibao_urban_std"])
    seeded = write_scenario(tmp_path, body.replace("n_draws: 500", "n_draws: 500\nseed: 7"))
    c = scenarios.run(scenarios.load(seeded), small_panel())
    assert not np.array_equal(a.draws["dibao_urban_std"], c.draws["dibao_urban_std"])


def test_missing_base_value_explains_the_fix(tmp_path):
    body = MINIMAL.replace("dibao_urban_std:", "orphan_std_inst:").replace("to: dibao_urban_std", "to: orphan_std_inst")
    with pytest.raises(DataShapeError, match=r"base: \{year: 2020"):
        scenarios.run(scenarios.load(write_scenario(tmp_path, body)), small_panel())


def test_forecast_without_history_is_a_data_error(tmp_path):
    body = MINIMAL + "  orphans:\n    path: {kind: forecast, method: auto}\n"
    with pytest.raises(DataShapeError, match="no values"):
        scenarios.run(scenarios.load(write_scenario(tmp_path, body)), small_panel())


def test_bad_run_arguments(tmp_path):
    sc = scenarios.load(write_scenario(tmp_path, MINIMAL))
    with pytest.raises(ParameterError, match="horizon_end"):
        scenarios.run(sc, small_panel(), horizon_end=2019)
    with pytest.raises(ParameterError, match="n_draws"):
        scenarios.run(sc, small_panel(), n_draws=3)


ORPHANS = (MINIMAL + textwrap.dedent("""\
  orphans:
    path: {kind: growth, rate: -0.05}
    base: {year: 2020, value: 2000, source: test}
  orphan_std_inst:
    path: {kind: growth, rate: 0.03}
    base: {year: 2020, value: 1500, source: test}
  orphan_std_dispersed:
    path: {kind: growth, rate: 0.03}
    base: {year: 2020, value: 1100, source: test}
costs:
  orphans_institutional:
    name: {zh: 集中供养孤儿, en: Orphans in institutions}
    recipients: orphans
    standard: orphan_std_inst
    recipients_share: {mean: 0.18, sd: 0.03}
  orphans_dispersed:
    name: {zh: 分散供养孤儿, en: Orphans in family care}
    recipients: orphans
    standard: orphan_std_dispersed
    recipients_share: {mean: 0.82, sd: 0.03}
""")).replace("n_draws: 500", "n_draws: 4000")


def test_shares_of_the_same_recipients_add_up_to_one_in_every_draw(tmp_path):
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, ORPHANS)), small_panel())
    inst, disp = res.shares["orphans_institutional"], res.shares["orphans_dispersed"]
    assert inst + disp == pytest.approx(np.ones(4000), abs=1e-12)
    assert inst.mean() == pytest.approx(0.18, abs=0.003) and inst.std() == pytest.approx(0.03, abs=0.002)
    assert disp.std() == pytest.approx(0.03, abs=0.002) and inst.min() > 0
    # Every orphan is costed once: the recipients of the two programmes are the orphans of each draw.
    cost = res.cost.set_index(["year", "programme"])["median"]
    assert cost.loc[(2021, "orphans_institutional")] < cost.loc[(2021, "orphans_dispersed")]


def test_shares_of_the_same_recipients_above_one_are_a_config_error(tmp_path):
    body = ORPHANS.replace("mean: 0.82, sd: 0.03", "mean: 0.9, sd: 0.03")
    with pytest.raises(ConfigError, match=r"add up to 1\.08") as info:
        scenarios.load(write_scenario(tmp_path, body))
    assert info.value.key == "costs.orphans_dispersed.recipients_share" and info.value.line is not None
    with pytest.raises(ConfigError, match="too uncertain"):
        scenarios.load(write_scenario(tmp_path, ORPHANS.replace("mean: 0.18, sd: 0.03", "mean: 0.18, sd: 0.5")))


LOGLINEAR = MINIMAL + textwrap.dedent("""\
  dibao_recipients_urban:
    path: {kind: forecast, method: loglinear}
costs:
  dibao_urban:
    name: {zh: 城市低保, en: Urban dibao}
    recipients: dibao_recipients_urban
    standard: dibao_urban_std
""")


def test_a_log_linear_path_reports_its_median_because_its_mean_does_not_exist(tmp_path):
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, LOGLINEAR)), small_panel())
    rows = res.paths[(res.paths["indicator"] == "dibao_recipients_urban") & (res.paths["kind"] == "projected")]
    assert rows["mean"].isna().all()
    history = small_panel().query("indicator == 'dibao_recipients_urban'").set_index("year")["value"]
    median = projection.predictive(history, method="loglinear", horizon=5).median
    assert rows["value"].to_numpy() == pytest.approx(median, rel=0.01)  # the draws' median is the model's
    assert res.cost["mean"].isna().all() and res.cost["median"].notna().all()
    methods = res.methods.set_index("indicator")
    assert not methods.loc["dibao_recipients_urban", "has_mean"] and methods.loc["dibao_urban_std", "has_mean"]
    figures = scenarios.key_figures(res)
    assert np.isnan(figures["cost_total_mean"]) and figures["cost_total_median"] > 0


def test_cohort_interpolation_is_numpys_interp_bit_for_bit():
    from evalkit.scenarios.simulate import _interp_rows

    rng = np.random.default_rng(3)
    years = np.arange(2021, 2036)
    knots = 2020 + 5 * np.arange(4)
    logs = np.log(rng.uniform(1e3, 1e7, size=(200, 4)))
    logs[0, 1], logs[1, 2], logs[2] = np.inf, np.nan, -np.inf  # numpy's fallbacks when the line is NaN
    got = _interp_rows(years, knots, logs)
    with np.errstate(all="ignore"):
        expected = np.stack([np.interp(years, knots, row) for row in logs])
    assert got.tobytes() == expected.tobytes() and got.flags.c_contiguous
    x = np.array([-3.0, 0.0, 0.5, 1.0, 2.5, 7.0])  # below, at, between and after the knots
    xp, fp = np.array([0.0, 1.0, 4.0]), rng.normal(size=(5, 3))
    assert _interp_rows(x, xp, fp).tobytes() == np.stack([np.interp(x, xp, row) for row in fp]).tobytes()
