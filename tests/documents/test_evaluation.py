"""The 十三五 evaluation report draft: structure, provenance, chapters that say what is missing."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import docx
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from _data.documents import assessment, chart_png, proposals, ranking
from docx.oxml.ns import qn

from evalkit import documents
from evalkit.errors import ColumnError, ParameterError


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _full(path, lang="zh", **kw):
    return documents.evaluation_report(
        path, region="210000", assessment=assessment(),
        narratives={"社会救助": "社会救助：共1项指标。", "养老服务": "养老服务：共2项指标。"},
        charts={"社会救助": chart_png("a"), "养老服务": chart_png("b")}, ranking=ranking(),
        map_image=chart_png("map"), verdict="试点效果尚无定论。", caveats=["仅14个城市。"], proposals=proposals(),
        date=dt.date(2021, 3, 1), lang=lang, **kw)


def test_full_draft_has_the_chapters_tables_pictures_and_provenance(tmp_path):
    result = _full(tmp_path / "210000.docx")
    doc = docx.Document(str(result.path))
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert len(level1) >= 6
    assert level1[0] == "一、总体进展"
    assert any("存在的主要问题" in h for h in level1) and any("十四五" in h for h in level1)
    assert len(doc.tables) >= 3
    assert len(doc.inline_shapes) >= 3
    text = _text(doc)
    assert "示例数据，非官方统计" in text  # the assessment has illustrative values
    assert "民政事业发展“十三五”规划" in text and "实施情况评估报告" in text and "（初稿）" in text
    assert "2021年3月1日" in text
    assert result.missing == ()
    assert result.n_headings == len(level1) and result.n_pictures == len(doc.inline_shapes)


def test_indicator_table_has_completion_and_status_and_repeats_its_header(tmp_path):
    doc = docx.Document(str(_full(tmp_path / "a.docx").path))
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["类别", "指标", "单位", "2015年", "2020年", "规划目标", "完成率", "变化完成率", "完成情况"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert rows["护理型床位占比"][6:] == ["153.7%", "636.7%", "完成"]
    assert rows["每千名老年人口拥有养老床位数"][6:] == ["80.9%", "29.5%", "未完成"]
    assert "火化率" not in rows  # no target: not in the completion table
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_problems_name_the_indicator_and_its_figure(tmp_path):
    text = _text(docx.Document(str(_full(tmp_path / "a.docx").path)))
    assert "每千名老年人口拥有养老床位数未完成规划目标：2020年为28.3张，目标为35张，完成率80.9%" in text
    assert "葫芦岛市（37.2分）" in text  # the lowest city with its score
    assert "“一站式”结算服务机制覆盖地区比例" in text  # the data gap by name


def test_pictures_have_captions_and_alt_text(tmp_path):
    doc = docx.Document(str(_full(tmp_path / "a.docx").path))
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert [c.split("　")[0] for c in captions if c.startswith("图")] == ["图1", "图2", "图3"]
    assert [c.split("　")[0] for c in captions if c.startswith("表")] == ["表1", "表2", "表3"]
    alts = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    assert any(a.startswith("地图") for a in alts)


def test_missing_inputs_are_said_not_skipped(tmp_path):
    result = documents.evaluation_report(tmp_path / "empty.docx", region="210000", illustrative=False,
                                         date=dt.date(2021, 3, 1))
    doc = docx.Document(str(result.path))
    assert len([p for p in doc.paragraphs if p.style.name == "Heading 1"]) == len(documents.CHAPTERS)
    assert "规划指标评估结果未提供" in _text(doc)
    assert "示例数据" not in _text(doc)
    assert "主要指标完成情况" in result.missing and "附录：资料来源与方法说明" not in result.missing


def test_english_draft_is_english(tmp_path):
    doc = docx.Document(str(_full(tmp_path / "en.docx", lang="en").path))
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert level1[0] == "1. Overall progress"
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert header[-3:] == ["Completion", "Share of change", "Status"]
    units = {r.cells[1].text: r.cells[2].text for r in doc.tables[0].rows[1:]}
    assert units["Beds per 1,000 older people"] == "beds"  # the catalogue's unit in English, not 张
    assert "Illustrative data, not official statistics" in _text(doc)


def test_bad_inputs_are_clear_errors(tmp_path):
    with pytest.raises(ColumnError, match=r"targets\.assess"):
        documents.evaluation_report(tmp_path / "x.docx", region="210000", assessment=assessment()[["name_zh"]])
    with pytest.raises(ParameterError, match="stage"):
        documents.evaluation_report(tmp_path / "x.docx", region="210000", stage="final")
    assert not (tmp_path / "x.docx").exists()


def test_a_failed_write_keeps_the_good_file(tmp_path):
    path = tmp_path / "keep.docx"
    _full(path)
    before = path.read_bytes()
    with pytest.raises(ParameterError, match=r"社会救助.*not a picture"):
        documents.evaluation_report(path, region="210000", charts={"社会救助": b"not a picture"},
                                    narratives={"社会救助": "x"}, illustrative=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.docx"]


def test_ranking_frame_from_composite_results():
    scores = pd.DataFrame({"index": [50.0, 70.0, 60.0]}, index=["210100", "210200", "210300"])
    ranks = pd.DataFrame({"index": [3, 1, 2]}, index=scores.index)
    result = SimpleNamespace(scores=scores, ranks=ranks, index_code="index")
    stats = pd.DataFrame({"q05": [2.0, 1.0, 1.0], "q95": [3.0, 2.0, 3.0]}, index=scores.index)
    frame = documents.ranking_frame(result, SimpleNamespace(rank_stats=stats))
    assert list(frame.index) == ["210200", "210300", "210100"]
    assert list(frame["name"]) == ["大连市", "鞍山市", "沈阳市"]
    assert list(frame["rank_low"]) == [1.0, 1.0, 2.0] and list(frame["rank_high"]) == [2.0, 3.0, 3.0]
    assert list(documents.ranking_frame(result, lang="en")["name"]) == ["Dalian", "Anshan", "Shenyang"]


def test_ranking_frame_reads_the_composite_rank_interval_columns():
    scores = pd.DataFrame({"index": [50.0, 70.0, 60.0]}, index=["210100", "210200", "210300"])
    ranks = pd.DataFrame({"index": [3, 1, 2]}, index=scores.index)
    result = SimpleNamespace(scores=scores, ranks=ranks, index_code="index")
    stats = pd.DataFrame({"lo": [2.0, 1.0, 1.0], "hi": [3.0, 2.0, 3.0]}, index=scores.index)  # rank_stats' names
    frame = documents.ranking_frame(result, SimpleNamespace(rank_stats=stats))
    assert list(frame["rank_low"]) == [1.0, 1.0, 2.0] and list(frame["rank_high"]) == [2.0, 3.0, 3.0]


def test_a_tall_chart_is_scaled_to_fit_the_page(tmp_path):
    figure = plt.figure(figsize=(3, 6))  # one panel drawn tall: 150 mm wide would be 300 mm high
    figure.add_subplot().plot([1, 2])
    result = documents.evaluation_report(tmp_path / "t.docx", region="210000", assessment=assessment(),
                                         charts={"养老服务": figure}, narratives={"养老服务": "养老服务。"},
                                         date=dt.date(2021, 3, 1))
    plt.close(figure)
    shape = docx.Document(str(result.path)).inline_shapes[0]
    assert shape.height.mm <= 120.5 and shape.width.mm < 75


def test_map_caption_is_the_map_title(tmp_path):
    figure, ax = plt.subplots(figsize=(4, 3), label="地图：每千名老年人口拥有养老床位数（2020年）分布图")
    result = documents.evaluation_report(tmp_path / "m.docx", region="210000", ranking=ranking(), map_image=ax,
                                         illustrative=True, date=dt.date(2021, 3, 1))
    plt.close(figure)
    captions = [p.text for p in docx.Document(str(result.path)).paragraphs if p.style.name == "Caption"]
    assert any(c.endswith("每千名老年人口拥有养老床位数（2020年）分布图") for c in captions)


def test_category_charts_are_for_the_document_not_shown_again_in_a_notebook(tmp_path):
    from evalkit import io, paths, targets
    panel = io.read_panel(paths.project_root() / "data" / "sample" / "panel.csv")
    result = targets.assess(panel, io.read_reference("targets"), region="210000", plan="13th",
                            meta=io.read_reference("indicators"), national=None)
    plt.close("all")
    charts = documents.category_charts(panel, result, region="210000")
    assert len(charts) >= 3 and plt.get_fignums() == []  # closed in pyplot: the inline backend shows none
    written = documents.evaluation_report(tmp_path / "c.docx", region="210000", charts=charts,
                                          narratives={k: k for k in charts}, illustrative=True)
    assert written.n_pictures == len(charts)  # closed figures still save as pictures


def test_has_boundaries_only_for_areas_that_can_be_drawn():
    assert documents.has_boundaries(["210100", "210200"])  # Liaoning ships with evalkit
    assert not documents.has_boundaries([])
    assert not documents.has_boundaries(["210100", "999999"])  # a code without an outline cannot be drawn


def test_city_ranking_needs_three_units_with_data():
    panel = pd.DataFrame({"region": ["210100", "210200"], "year": [2020, 2020], "indicator": ["x", "x"],
                          "value": [1.0, 2.0]})
    assert documents.city_ranking(panel, ["210100", "210200", "210300"], year=2020) is None


def test_city_ranking_of_the_sample_cities_has_intervals_around_each_rank():
    from evalkit import io, paths
    panel = io.read_panel(paths.project_root() / "data" / "sample" / "panel.csv")
    frame = documents.city_ranking(panel, [f"21{i:02d}00" for i in range(1, 15)], year=2020, n_draws=50, seed=1)
    assert len(frame) == 14 and list(frame["rank"]) == list(range(1, 15))
    assert (frame["rank_low"] <= frame["rank"]).all() and (frame["rank"] <= frame["rank_high"]).all()
    assert frame["name"].iloc[0].endswith("市")


def test_result_shows_what_was_written(tmp_path):
    result = documents.evaluation_report(tmp_path / "r.docx", region="210000", illustrative=False)
    html = result._repr_html_()
    assert "r.docx" in html and "0张表" in html and "缺少输入的章节：总体进展" in html
    assert list(result.table.columns) == ["level", "heading"] and result.n_headings == 8


@pytest.mark.slow
def test_draft_from_the_real_assessment_of_the_sample_panel(tmp_path):
    from evalkit import io, paths, targets

    panel = io.read_panel(paths.resolve("data/sample/panel.csv"))
    result = targets.assess(panel, io.read_reference("targets"), region="210000", end_year=2020, plan="13th",
                            meta=io.read_reference("indicators"))
    charts = documents.category_charts(panel, result, region="210000", source="panel.csv", illustrative=True)
    assert "养老服务" in charts and "无统计序列的规划目标" not in charts
    out = documents.evaluation_report(tmp_path / "210000.docx", region="210000", assessment=result,
                                      narratives=targets.narrative(result, lang="zh"),
                                      charts={"养老服务": charts["养老服务"]})
    plt.close("all")
    assert out.illustrative and out.n_pictures == 1 and out.n_tables == 1
    doc = docx.Document(str(out.path))
    assert "示例数据，非官方统计" in _text(doc)


def test_pilot_verdict_from_a_conclusion_gives_its_certainty_in_words(tmp_path):
    verdict = SimpleNamespace(level="suggestive", text="试点城市的床位数平均高0.8张。")
    doc = docx.Document(str(documents.evaluation_report(tmp_path / "v.docx", region="210000", verdict=verdict,
                                                        caveats=["只有14个城市。"], illustrative=True).path))
    text = _text(doc)
    assert "结论的确定程度：提示性。" in text and "试点城市的床位数平均高0.8张。" in text
    assert any(p.style.name == "List Bullet" and p.text == "只有14个城市。" for p in doc.paragraphs)
