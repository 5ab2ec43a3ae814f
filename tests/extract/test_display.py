"""Tests for evalkit.extract — highlight_html: escaping and marks.

Expected values are written by hand from the sentences (invented for these tests; see
tests/data/extract/README.md) or taken from ../shared/research/zh_number_libraries.md §5.
"""
from __future__ import annotations

import pytest

from evalkit.errors import ParameterError
from evalkit.extract import (
    extract_figures,
    highlight_html,
)

# ------------------------------------------------------------------------------------------ display

def test_highlight_escapes_and_marks_every_figure():
    text = "<script>alert(1)</script>发放2.26亿元，\n惠及“残疾人”66.74万人次 & more。"
    figures = extract_figures(text)
    page = highlight_html(text, figures, lang="en")
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; more" in page
    assert page.count("<mark") == len(figures) == 2
    assert 'title="value: 226000000 元' in page
    assert "subject: " in page
    with pytest.raises(ParameterError, match="lang"):
        highlight_html(text, figures, lang="fr")




def test_display_table_shows_codes_flags_and_roles_in_the_page_language():
    import pandas as pd

    from evalkit.extract import display_table

    text = "特困人员基本生活标准从829元提高到881元，救助流浪乞讨人员2.8万余人次。"
    figures = extract_figures(text, report_year=2020)
    shown = ["surface", "kind", "approx", "role"]
    zh = display_table(figures, lang="zh", columns=shown)
    assert list(zh.columns) == ["原文", "类型", "约数", "前后"]
    assert zh.set_index("原文").loc["829元"].tolist() == ["水平", "否", "原"]
    assert zh.set_index("原文").loc["881元", "前后"] == "现"
    assert zh.set_index("原文").loc["2.8万余人次"].tolist() == ["水平", "是", ""]
    en = display_table(figures, lang="en", columns=shown)
    assert en.set_index("as written").loc["829元"].tolist() == ["level", "no", "old"]
    table = pd.DataFrame({"indicator": ["dibao_urban_std", None], "indicator_name": ["城市低保平均标准", None],
                          "status": ["agree", "no_match"], "panel_status": ["illustrative", None],
                          "rel_diff": [0.01, float("nan")]})
    zh = display_table(table, lang="zh")
    assert list(zh.columns) == ["指标", "核对结果", "数据性质", "相对差异"]  # the code column is left out
    assert zh.iloc[0, :3].tolist() == ["城市低保平均标准", "一致", "示例（生成）"]
    assert zh.iloc[1, :3].tolist() == ["", "未匹配", ""]
    assert display_table(table, lang="en").iloc[0, 0] == "Average urban dibao standard"
    with pytest.raises(ParameterError, match="not in the table"):
        display_table(table, columns=["nope"])
