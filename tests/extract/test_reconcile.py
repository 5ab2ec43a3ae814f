"""Tests for evalkit.extract — reconcile: statuses, tolerances, arguments, the shipped catalogue.

Expected values are written by hand from the sentences (invented for these tests; see
tests/data/extract/README.md) or taken from ../shared/research/zh_number_libraries.md §5.
"""
from __future__ import annotations

import pandas as pd
import pytest

from evalkit.errors import ParameterError
from evalkit.extract import (
    COLUMN_LABELS,
    FIGURE_COLUMNS,
    RECONCILE_COLUMNS,
    extract_figures,
    read_report,
    reconcile,
)

# ------------------------------------------------------------------------------------------ reconcile

INDICATORS = pd.DataFrame({
    "code": ["dibao_urban", "beds", "volunteers", "care_share"],
    "name_zh": ["城市低保平均标准", "养老床位", "注册志愿者", "护理型床位占比"],
    "unit": ["元/人·月", "张", "万人", "%"],
    "keywords_zh": ["城市低保;城市低保平均标准", "养老床位;床位", "志愿者", "护理型床位占比;护理型床位"],
})
PANEL = pd.DataFrame({
    "region": ["210000"] * 6,
    "year": [2019, 2020, 2020, 2020, 2019, 2020],
    "indicator": ["dibao_urban", "dibao_urban", "beds", "volunteers", "care_share", "care_share"],
    "value": [600.0, 636.0, 5000.0, 389.0, 50.0, 52.0],
    "status": ["illustrative"] * 6,
})


def test_reconcile_statuses_and_relative_difference():
    text = ("城市低保平均标准提高6%。全省养老床位达到5200张。注册志愿者达389万人。"
            "护理型床位占比提高2个百分点。社区服务站120个。第五批试点。")
    result = reconcile(extract_figures(text), PANEL, region="210000", year=2020, indicators=INDICATORS)
    table = result.table.set_index("surface")
    assert list(result.table.columns) == list(RECONCILE_COLUMNS)
    # 636 / 600 − 1 = 6.0 %: agrees
    assert table.loc["6%", "status"] == "agree"
    assert table.loc["6%", "panel_value"] == pytest.approx(6.0)
    # 5200 vs 5000 beds: (5200 − 5000) / 5000 = 0.04
    assert table.loc["5200张", "status"] == "discrepancy"
    assert table.loc["5200张", "rel_diff"] == pytest.approx(0.04)
    # 389万人 in the catalogue unit 万人 is 389
    assert table.loc["389万人", "figure_value"] == pytest.approx(389.0)
    assert table.loc["389万人", "status"] == "agree"
    # 52 − 50 = 2 percentage points
    assert table.loc["2个百分点", "status"] == "agree"
    assert table.loc["120个", "status"] == "no_match"
    assert "第五批" not in table.index
    assert result.summary.set_index("status")["figures"].to_dict() == {
        "agree": 3, "discrepancy": 1, "no_panel_value": 0, "no_match": 1}
    assert "<table" in result._repr_html_()


def test_reconcile_rounding_tolerance_and_missing_values():
    # 6.2 % reported to one decimal against a true 6.24 %: within half a step (0.05)
    panel = PANEL.copy()
    panel.loc[panel["year"] == 2020, "value"] = [637.44, 5000.0, 389.0, 52.0]
    result = reconcile(extract_figures("城市低保平均标准提高6.2%。"), panel, region="210000", year=2020,
                       indicators=INDICATORS)
    assert result.table.loc[0, "status"] == "agree"
    result = reconcile(extract_figures("城市低保平均标准提高6.2%。"), panel, region="210100", year=2020,
                       indicators=INDICATORS)
    assert result.table.loc[0, "status"] == "no_panel_value"
    result = reconcile(extract_figures("全省养老床位达到5200元。"), panel, region="210000", year=2020,
                       indicators=INDICATORS, lang="en")
    assert result.table.loc[0, "status"] == "no_match"
    assert "does not fit" in result.table.loc[0, "note"]
    result = reconcile(extract_figures("全省养老床位达到5200元。"), panel, region="210000", year=2020,
                       indicators=INDICATORS)
    assert result.table.loc[0, "note"] == "单位 元（水平）与指标 养老床位（张）不符"  # the name, not the code


def test_reconcile_bad_arguments():
    figures = extract_figures("养老床位5000张。")
    with pytest.raises(ParameterError, match="region"):
        reconcile(figures, PANEL, region=210000, year=2020, indicators=INDICATORS)
    with pytest.raises(ParameterError, match="year"):
        reconcile(figures, PANEL, region="210000", year="2020", indicators=INDICATORS)
    with pytest.raises(ParameterError, match="panel lacks"):
        reconcile(figures, PANEL.drop(columns="value"), region="210000", year=2020, indicators=INDICATORS)
    with pytest.raises(ParameterError, match="keywords_zh"):
        reconcile(figures, PANEL, region="210000", year=2020, indicators=INDICATORS.drop(columns="keywords_zh"))


def test_reconcile_uses_the_shipped_catalogue_by_default():
    result = reconcile(extract_figures("全省“一肩挑”比例达76.8%。"), PANEL, region="210000", year=2020)
    assert result.table.loc[0, "indicator"] == "one_shoulder_rate"
    assert result.table.loc[0, "status"] == "no_panel_value"


def test_column_labels_cover_both_tables():
    for lang in ("zh", "en"):
        assert set(FIGURE_COLUMNS) | set(RECONCILE_COLUMNS) <= set(COLUMN_LABELS[lang])


def test_read_report_decodes_gbk(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("全省救助3688人次。".encode("gbk"))
    assert read_report(path) == "全省救助3688人次。"



def test_reconciliation_display_is_escaped_and_follows_lang():
    figures = extract_figures("<b>城市低保</b>平均标准提高6%。")
    zh = reconcile(figures, PANEL, region="210000", year=2020, indicators=INDICATORS)
    en = reconcile(figures, PANEL, region="210000", year=2020, indicators=INDICATORS, lang="en")
    page = zh._repr_html_()
    assert "<b>城市低保" not in page and "&lt;b&gt;城市低保" in page
    assert "核对结果" in page and "一致" in page
    assert "result" in en._repr_html_() and "核对结果" not in en._repr_html_()
    with pytest.raises(ParameterError, match="lang"):
        reconcile(figures, PANEL, region="210000", year=2020, indicators=INDICATORS, lang="fr")
