"""Tests of evalkit.targets.tables: display tables, traffic lights and the Excel export.

Every expected value is worked out by hand from the formulas in :func:`evalkit.targets.assess`; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import math
import re

import openpyxl
import pandas as pd
import pytest
from _data.targets import R, case_a, meta_of, panel_of, targets_of, trow

from evalkit import targets as T
from evalkit.errors import ParameterError


def test_status_counts_in_words_and_traffic_lights():
    counts = T.status_counts(case_a(basis="level"), lang="en")
    assert counts.index.name == "Status" and counts.name == "Indicators"
    assert counts.to_dict() == {"met": 0, "nearly met": 1, "not met": 0, "not assessable": 1, "no target": 0}
    from evalkit.plots import STATUS_COLOURS
    lights = T.traffic_lights("zh")
    assert lights["完成"] == STATUS_COLOURS["good"] and lights["未完成"] == STATUS_COLOURS["poor"]
    assert lights["偏离目标"] == STATUS_COLOURS["poor"] and lights["进展不足"] == STATUS_COLOURS["fair"]


def test_national_table_reads_gaps_with_polarity():
    # up (higher better): 121 vs national 220.5 → worse; down (lower better): 81 vs 90 → better.
    panel = pd.concat([panel_of({"up": {2015: 100.0, 2017: 121.0}, "down": {2015: 100.0, 2017: 81.0}}),
                       panel_of({"up": {2015: 200.0, 2017: 220.5}, "down": {2015: 100.0, 2017: 90.0}},
                                region=T.NATION)])
    a = T.assess(panel, targets_of(), region=R, start_year=2015, end_year=2017, meta=meta_of(up=1, down=-1))
    table = T.national_table(a, lang="en").set_index("Indicator")
    assert table.loc["Indicator up", "vs national"] == "worse"
    assert table.loc["Indicator down", "vs national"] == "better"
    assert table.loc["Indicator up", "Gap"] == pytest.approx(-99.5)              # 121 − 220.5
    assert table.loc["Indicator up", "Growth gap (pp)"] == pytest.approx(5.0)    # (0.10 − 0.05) × 100
    assert table.loc["Indicator down", "Growth gap (pp)"] == pytest.approx(
        ((0.81 ** 0.5 - 1) - (0.9 ** 0.5 - 1)) * 100)                            # −10 % vs −5.13 % a year


def test_peer_table_shows_counts_as_a_share_of_the_province():
    rows = [("210100", 30.0, 20.0), ("210200", 70.0, 10.0), ("210000", 100.0, 15.0)]
    panel = pd.DataFrame([{"region": r, "year": 2020, "indicator": code, "value": v, "source": "s",
                           "status": "illustrative"}
                          for r, count, rate in rows for code, v in (("n", count), ("rate", rate))])
    meta = meta_of(n=1, rate=1).assign(kind=["count", "rate"])
    comp = T.compare_peers(panel, region="210100", meta=meta)
    t = comp.table.set_index("indicator")
    assert math.isnan(t.loc["n", "diff_reference"])
    assert t.loc["n", "share_reference"] == pytest.approx(0.3)      # 30 of the provincial 100
    assert t.loc["rate", "diff_reference"] == pytest.approx(5.0)    # 20 − 15
    table = T.peer_table(comp, lang="zh").set_index("指标")
    assert table.loc["指标n", "排名"] == "2/2" and table.loc["指标rate", "排名"] == "1/2"
    assert table.loc["指标rate", "四分位"] == "前25%"               # percentile (2 − 1)/(2 − 1) = 1 ≥ 0.75
    assert table.loc["指标n", "四分位"] == "后25%"                  # percentile 0 < 0.25


def test_display_table_and_traffic_light_styler():
    a = case_a(basis="level")
    table = T.display_table(a, lang="en")
    assert list(table.columns[:3]) == ["Category", "Indicator", "Unit"]
    assert table["Status"].tolist() == ["nearly met", "not assessable"]
    assert table["Target"].tolist() == ["≥133.1", "≤1.3"]
    html = T.style_status(a, lang="zh").to_html()
    from evalkit.plots import STATUS_COLOURS
    assert STATUS_COLOURS["fair"] in html                 # 基本完成 cell is amber
    assert "90.9%" in html
    assert "min-width: 7em" in html                       # the name column never collapses
    assert re.search(r"th\.col\d+ \{\s*min-width: 4.5em;", html)  # nor a header such as 实际年均增速


def test_display_table_shows_both_completion_conventions():
    table = T.display_table(case_a(), lang="zh")
    level, change = "完成率（实际/目标）", "变化完成率"     # the method note gives (实际−基期)/(目标−基期)
    assert table[level].iloc[0] == pytest.approx(121 / 133.1)          # 0.909
    assert table[change].iloc[0] == pytest.approx(21 / 33.1)           # 0.634: sets the status by default
    assert table["完成情况"].tolist() == ["未完成", "不可评估"]
    assert table["说明"].tolist() == ["", "无统计序列"]
    en = T.display_table(case_a(), lang="en")
    assert {"Completion (actual/target)", "Share of required change"} <= set(en.columns)
    assert not any(isinstance(v, bool) for v in en.to_numpy().ravel())  # words, never True/False
    # a worsening indicator carries the reason in the note column, in the page's language
    worse = T.assess(panel_of({"x": {2015: 30.0, 2020: 28.0}}), targets_of(trow("x", "at_least", 31.0)), region=R,
                     national=None)
    assert T.display_table(worse, lang="zh")["说明"].tolist() == ["期内背离目标"]
    assert T.display_table(worse, lang="en")["Note"].tolist() == ["moved away from the target"]


def test_export_excel_writes_formatted_workbook(tmp_path):
    a = case_a(basis="level")
    path = T.export_excel(a, tmp_path / "out" / "210000.xlsx", lang="zh")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["评估结果", "数据来源"]                # every sheet named in Chinese
    ws = wb["评估结果"]
    headers = [c.value for c in ws[1]]
    col = headers.index("完成率（实际/目标）") + 1
    assert ws.cell(row=2, column=col).number_format == "0.0%"
    assert ws.cell(row=2, column=col).value == pytest.approx(10 / 11)
    assert ws.freeze_panes == "A2"
    src = wb["数据来源"]
    assert [c.value for c in src[1]] == ["指标", "项目", "年份", "数值", "来源", "数据状态"]
    assert src.max_row == 1 + 3 + 1                         # x: baseline, actual, target; no-series: target
    assert [src.cell(row=r, column=6).value for r in (2, 4)] == ["示例数据", "规划文件"]   # statuses in words
    assert not list((tmp_path / "out").glob(".*"))          # no temporary file left behind
    with pytest.raises(ParameterError, match="xlsx"):
        T.export_excel(a, tmp_path / "out.csv")
