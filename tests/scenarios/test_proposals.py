"""Tests for evalkit.scenarios.proposals: attainment, proposed targets, key figures."""
import textwrap

import numpy as np
import pytest
from _data.scenarios import MINIMAL, elderly_care_yaml, small_panel, write_scenario

from evalkit import projection, scenarios
from evalkit.errors import ParameterError


# ------------------------------------------------------------------------------------ targets
@pytest.fixture()
def uncertain_result(tmp_path):
    body = MINIMAL.replace("rate: 0.05}", "rate: 0.05, sd: 0.02}") + (
        "  nursing_bed_share:\n    path: {kind: target, value: 55, sd: 3}\n"
        "    target: {value: 55, type: at_least}\n    binding: 约束性\n")
    path = write_scenario(tmp_path, body.replace("n_draws: 500", "n_draws: 4000"))
    return scenarios.run(scenarios.load(path), small_panel())


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


AUTO = MINIMAL.replace("n_draws: 500", "n_draws: 2000") + textwrap.dedent("""\
  dibao_recipients_urban:
    path: {kind: forecast, method: auto}
  nursing_bed_share:
    path: {kind: forecast, method: auto}
select: {methods: [linear, loglinear]}
costs:
  dibao_urban:
    name: {zh: 城市低保, en: Urban dibao}
    recipients: dibao_recipients_urban
    standard: dibao_urban_std
""")


def test_method_ranges_show_every_candidate_method(tmp_path):
    panel = small_panel()
    res = scenarios.run(scenarios.load(write_scenario(tmp_path, AUTO)), panel)
    # Six annual values → two rolling-origin forecasts < 5: the benchmark stays.
    assert set(res.methods.set_index("indicator").loc[["dibao_recipients_urban", "nursing_bed_share"], "method"]) \
        == {"drift"}
    ranges = scenarios.method_ranges(res, panel).set_index("figure")
    assert {"drift", "linear", "loglinear"} <= set(ranges.columns)
    recipients = ranges.loc["median_dibao_recipients_urban"]
    history = panel.query("indicator == 'dibao_recipients_urban'").set_index("year")["value"]
    for method in ("drift", "linear", "loglinear"):  # each column is that model's 2025 median
        model = projection.predictive(history, method=method, horizon=5).median[-1]
        assert recipients[method] == pytest.approx(model, rel=0.02)
    assert recipients["chosen"] == pytest.approx(recipients["drift"])
    assert recipients["min"] == min(recipients[["drift", "linear", "loglinear"]])
    assert recipients["max"] == max(recipients[["drift", "linear", "loglinear"]])
    # Shares are not forecast by log-linear growth: its column repeats the benchmark for nursing_bed_share.
    share = ranges.loc["median_nursing_bed_share"]
    assert share["loglinear"] == pytest.approx(share["drift"])
    # The 2025 cost moves with the recipients' method: recipients × standard × 12 / 10⁸ per method.
    cost = ranges.loc["cost_total_2025"]
    assert cost["max_method"] == recipients["max_method"] and cost["min"] < cost["max"]
    table = scenarios.range_table(ranges.reset_index(), lang="zh")
    assert "对数线性趋势（固定增长率）" in table.columns and table.columns[-1] == "各方法范围"
    figures = scenarios.key_figures(res, ranges.reset_index())
    assert figures["cost_total_2025_max"] == pytest.approx(cost["max"])


def test_method_ranges_reports_what_a_full_run_of_each_method_gives(tmp_path):
    # method_ranges shares the cohort draws and histories between its runs and leaves out their paths frames;
    # each column must still be exactly what scenarios.run gives with that method.
    from dataclasses import replace

    extra = ("  pop_60plus:\n    path: {kind: cohort, ages: 60}\n"
             "  elderly_beds:\n    path: {kind: forecast, method: auto}\n")
    body = AUTO.replace("n_draws: 2000", "n_draws: 300").replace("select:", extra + "select:") + elderly_care_yaml()
    sc = scenarios.load(write_scenario(tmp_path, body))
    panel = small_panel()
    res = scenarios.run(sc, panel)
    ranges = scenarios.method_ranges(res, panel).set_index("figure")
    auto = ["dibao_recipients_urban", "nursing_bed_share", "elderly_beds"]
    for m in ("drift", "linear", "loglinear"):
        series = dict(sc.series)
        for c in auto:
            method = "drift" if m == "loglinear" and sc.series[c].unit == "%" else m
            series[c] = replace(sc.series[c], path={**sc.series[c].path, "method": method})
        full = scenarios.run(replace(sc, series=series), panel)
        for c in auto:
            assert ranges.loc[f"median_{c}", m] == float(np.median(full.draws[c][:, -1]))
        cost = full.cost[full.cost["year"] == 2025].set_index("programme")["median"]
        assert ranges.loc["cost_total_2025", m] == float(cost.loc["total"])
        assert ranges.loc["cost_total_period", m] == float(
            full.cost_period.set_index("programme").loc["total", "median"])
        assert ranges.loc["beds_gap_2025", m] == float(full.beds.set_index("year").loc[2025, "gap_median"])


def test_with_method_fixes_every_auto_forecast_and_keeps_shares_off_constant_growth(tmp_path):
    sc = scenarios.load(write_scenario(tmp_path, AUTO))
    assert sc.auto == ["dibao_recipients_urban", "nursing_bed_share"]
    fixed = sc.with_method("loglinear")
    assert fixed.series["dibao_recipients_urban"].path["method"] == "loglinear"
    assert fixed.series["nursing_bed_share"].path["method"] == "drift"  # a percentage: the benchmark instead
    assert fixed.auto == [] and sc.auto == ["dibao_recipients_urban", "nursing_bed_share"]  # sc itself unchanged
    panel = small_panel()
    # An auto run that keeps the benchmark and a run fixed to it draw the same paths (same seeds), without backtests
    chosen = scenarios.run(sc, panel)
    fixed_run = scenarios.run(sc.with_method("drift"), panel)
    for code in sc.auto:
        assert np.array_equal(chosen.draws[code], fixed_run.draws[code])
    assert set(fixed_run.methods.set_index("indicator").loc[sc.auto, "method"]) == {"drift"}
    with pytest.raises(ParameterError, match="method"):
        sc.with_method("prophet")
