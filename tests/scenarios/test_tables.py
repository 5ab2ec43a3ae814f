"""Tests for evalkit.scenarios.tables: the display tables in each language."""
import pytest
from _data.scenarios import sample_results

from evalkit import scenarios


def test_display_tables():
    _, results = sample_results()
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
