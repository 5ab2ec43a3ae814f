"""The 十四五 main-indicator table: the plan's columns, one file per scenario and a comparison."""
from __future__ import annotations

import docx
import pytest
from _data.documents import proposals

from evalkit import documents
from evalkit.errors import ColumnError, ParameterError

PLAN_COLUMNS = ["类别", "序号", "指标", "单位", "2020年", "2025年", "年均增长/累计", "属性", "备注"]


def test_indicator_table_has_the_plan_columns_and_probabilities(tmp_path):
    result = documents.indicator_table(tmp_path / "baseline.docx", proposals(), scenario="基准情景",
                                       illustrative=True)
    doc = docx.Document(str(result.path))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == PLAN_COLUMNS
    rows = {r.cells[2].text: [c.text for c in r.cells] for r in table.rows[1:]}
    bed = rows["护理型床位占比"]
    assert bed[0] == "养老服务" and bed[3:6] == ["%", "46.1", "62.2"]
    assert bed[6] == "累计+16.1个百分点"  # 62.2 − 46.1
    assert bed[7] == "约束性"
    assert bed[8] == "实现概率80%；情景目标55的实现概率100%"
    dibao = rows["城市低保平均标准"]
    assert dibao[6] == "年均增长5.8%"  # (897.2 / 677.6) ** (1/5) − 1 = 5.78 %
    assert dibao[7] == "预期性"
    assert rows["社会工作专业人才占常住人口比例"][6] == "累计+0.73个千分点"
    assert rows["特困人员基本生活标准"][0] == "背景指标"  # the catalogue's category of a context indicator
    assert rows["特困人员基本生活标准"][7] == "待定"
    assert [r.cells[1].text for r in table.rows[1:]] == ["1", "2", "3", "4"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "示例数据，非官方统计" in text and "基准情景" in text
    section = doc.sections[0]
    assert section.page_width > section.page_height  # landscape A4 for the wide table


def test_one_file_per_scenario_plus_a_comparison(tmp_path):
    results = documents.plan_tables(tmp_path, {"baseline": proposals(), "accelerated": proposals(shift=1.0)},
                                    illustrative=False, labels={"baseline": "基准情景", "accelerated": "加快发展情景"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accelerated.docx", "baseline.docx", "comparison.docx"]
    comparison = docx.Document(str(results[-1].path)).tables[0]
    assert [c.text for c in comparison.rows[0].cells] == ["指标", "单位", "2020年", "基准情景", "加快发展情景"]
    assert [c.text for c in comparison.rows[1].cells][3:] == ["897.2", "898.2"]


def test_a_batch_job_writes_only_its_own_scenario_and_one_job_the_comparison(tmp_path):
    both = {"baseline": proposals(), "accelerated": proposals(shift=1.0)}
    own = documents.plan_tables(tmp_path, both, illustrative=False, write=["accelerated"], comparison=False)
    assert [r.path.name for r in own] == ["accelerated.docx"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accelerated.docx"]
    with_comparison = documents.plan_tables(tmp_path, both, illustrative=False, write="baseline")
    assert [r.path.name for r in with_comparison] == ["baseline.docx", "comparison.docx"]
    header = [c.text for c in docx.Document(str(with_comparison[-1].path)).tables[0].rows[0].cells]
    assert header[3:] == ["baseline", "accelerated"]  # every scenario given, not only the one written
    with pytest.raises(ParameterError, match="write='nope'"):
        documents.plan_tables(tmp_path, both, illustrative=False, write=["nope"])


def test_english_table(tmp_path):
    results = documents.plan_tables(tmp_path, {"baseline": proposals()}, illustrative=True, lang="en")
    assert results[0].path.name == "baseline_en.docx"
    header = [c.text for c in docx.Document(str(results[0].path)).tables[0].rows[0].cells]
    assert header[:3] == ["Category", "No.", "Indicator"] and header[7] == "Type"
    units = [r.cells[3].text for r in docx.Document(str(results[0].path)).tables[0].rows[1:]]
    assert "yuan/person/month" in units and not any("元" in u for u in units)


def test_bad_proposals_are_clear_errors(tmp_path):
    with pytest.raises(ColumnError, match="propose_targets"):
        documents.indicator_table(tmp_path / "x.docx", proposals().drop(columns="proposed"), scenario="x",
                                  illustrative=True)
    with pytest.raises(ParameterError, match="empty"):
        documents.comparison_table({})
