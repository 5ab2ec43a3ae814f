"""Tests for evalkit.scenarios.tables: the display tables in each language."""
import re

import pandas as pd
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
    assert beds["Beds needed"].tolist() == base.beds["beds_needed_median"].round(0).astype(int).tolist()
    period = scenarios.cost_table(acc, lang="zh", period=True).set_index("项目")
    assert period.loc["合计", "中位数"] == pytest.approx(acc.cost_period.iloc[-1]["median"], abs=0.005)
    targets = scenarios.targets_table(acc, lang="en")
    assert targets.set_index("Indicator").loc["Share of nursing-type beds", "Stated target"] == "55.0"
    figures = scenarios.key_figures(acc)
    assert figures["cost_total_mean"] == pytest.approx(acc.cost_period.iloc[-1]["mean"])
    assert figures["cost_total_median"] == pytest.approx(acc.cost_period.iloc[-1]["median"])
    assert 0 <= figures["p_target_nursing_bed_share"] <= 1 and "beds_gap_end" in figures
    medians = scenarios.key_figures(acc, means=False)
    assert "cost_total_mean" not in medians and "beds_gap_end" not in medians
    assert medians["cost_total_median"] == figures["cost_total_median"]


def test_unit_label_translates_catalogue_units():
    assert scenarios.unit_label("元/人·月", "en") == "yuan/person/month"
    assert scenarios.unit_label("元/人·月", "zh") == "元/人·月"
    assert scenarios.unit_label("张", "en") == "beds" and scenarios.unit_label("%", "en") == "%"


def test_selection_table_shows_mase_beside_mape():
    panel, results = sample_results()
    base = results[0]
    selection = scenarios.auto_selection([base.scenario], panel)
    table = scenarios.selection_table(base, selection, lang="en")
    assert list(table.columns[3:5]) == ["Benchmark MAPE (%)", "Benchmark MASE"]
    auto = [c for c in base.scenario.indicators if base.scenario.series[c].path.get("method") == "auto"]
    assert len(table) == len(auto)
    row = selection.set_index("indicator").loc["dibao_recipients_urban"]
    shown = table.set_index("Indicator").loc[base.scenario.series["dibao_recipients_urban"].name_en]
    assert shown["Benchmark MASE"] == f"{row['benchmark_mase']:,.2f}"
    zh = scenarios.selection_table(base, selection, lang="zh")
    assert "随机游走加漂移" in zh["方法"].iloc[0] and not zh.map(lambda v: "drift" in str(v)).any().any()
    # six annual values: no candidate can reach five forecasts, so none was backtested
    assert set(zh["选择结果"]) == {"数据年数不足，未回测其他方法"}
    others = scenarios.auto_selection([results[1].scenario], panel)  # a scenario with other auto series
    assert len(scenarios.selection_table(base, others, lang="zh")) <= len(auto)


HAN = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{4,}")
#: method names and symbols that may stay in Latin letters in a Chinese table
ALLOWED = {"ETS", "ARIMA", "AICc", "MAPE", "MASE"}


def _cells(frame: pd.DataFrame) -> list[str]:
    return [str(c) for c in frame.columns] + [str(v) for v in frame.to_numpy().ravel()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tables_speak_one_language(lang):
    _, results = sample_results()
    base = results[0]
    tables = [scenarios.methods_table(base, lang=lang), scenarios.beds_table(base, lang=lang),
              scenarios.cost_table(base, lang=lang), scenarios.indicator_table(base, lang=lang),
              scenarios.targets_table(base, lang=lang), scenarios.comparison_table(results, lang=lang)]
    if lang == "en":
        # Every cell English, units included (元/人·月 → yuan/person/month).
        for table in tables:
            assert not [c for c in _cells(table) if HAN.search(c)], table
    for table in tables:
        for cell in _cells(table):
            assert cell not in ("True", "False")
            if lang == "zh":
                words = set(LATIN_WORD.findall(re.sub(r"σ²\w|[a-z]=", "", cell))) - ALLOWED
                assert not words, f"English in a zh table: {cell!r}"
