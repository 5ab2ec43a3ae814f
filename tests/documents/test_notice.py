"""The city assessment notice: ranking with intervals, ranks by category, a paragraph per city."""
from __future__ import annotations

import docx
import pytest
from _data.documents import category_scores, ranking

from evalkit import documents
from evalkit.errors import ColumnError, ParameterError


def test_notice_ranks_the_cities_and_names_their_strong_and_weak_fields(tmp_path):
    result = documents.assessment_notice(tmp_path / "2020.docx", ranking=ranking(), category_scores=category_scores(),
                                         year=2020, illustrative=True)
    doc = docx.Document(str(result.path))
    total, by_category = doc.tables
    assert [c.text for c in total.rows[0].cells] == ["名次", "城市", "综合得分", "名次区间"]
    assert [c.text for c in total.rows[1].cells] == ["1", "沈阳市", "71.2", "第1–3名"]
    assert [c.text for c in by_category.rows[0].cells] == ["城市", "社会救助", "养老服务", "基层社会治理"]
    assert [c.text for c in by_category.rows[1].cells] == ["沈阳市", "1", "14", "14"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "辽宁省2020年各市民政事业发展" in text and "示例数据，非官方统计" in text
    assert ("沈阳市综合得分71.2分，居第1位（名次区间：第1–3名）。"
            "优势领域为社会救助（第1位），薄弱领域为养老服务（第14位）。") in text
    assert ("葫芦岛市综合得分37.2分，居第14位（名次区间：第13–14名）。"
            "优势领域为养老服务（第1位），薄弱领域为社会救助（第14位）。") in text  # tie at 1: the first category
    assert len([p for p in doc.paragraphs if p.style.name == "Heading 1"]) == 3


def test_category_ranks_share_ties():
    frame = category_scores().iloc[:3].assign(社会救助=[5.0, 5.0, 1.0])
    assert documents.category_ranks(frame)["社会救助"].tolist() == [1, 1, 3]


def test_notice_errors(tmp_path):
    with pytest.raises(ColumnError, match="ranking_frame"):
        documents.assessment_notice(tmp_path / "x.docx", ranking=ranking().drop(columns="score"),
                                    category_scores=category_scores(), year=2020, illustrative=True)
    with pytest.raises(ParameterError, match="211400"):
        documents.assessment_notice(tmp_path / "x.docx", ranking=ranking(), category_scores=category_scores().iloc[:-1],
                                    year=2020, illustrative=True)


def test_a_wide_category_table_gets_a_landscape_page(tmp_path):
    scores = category_scores()
    for i in range(5):
        scores[f"类别{i}"] = range(len(scores))
    doc = docx.Document(str(documents.assessment_notice(tmp_path / "w.docx", ranking=ranking(), category_scores=scores,
                                                         year=2020, illustrative=False).path))
    assert [s.page_width > s.page_height for s in doc.sections] == [False, True, False]
    assert len(doc.tables[1].columns) == 9
