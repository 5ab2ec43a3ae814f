"""Table-shaped text (evalkit.extract.tables): rows with name, unit and value in any order, header units.

The rows are written for the test in the layouts of issue 16 (flattened monthly statistics, a bulletin table with
one cell per line, a pipe table); expected values by hand.
"""
from __future__ import annotations

from decimal import Decimal

from evalkit.extract import extract_figures


def _rows(text: str) -> list[tuple[str, Decimal, str, str]]:
    return [(r.subject, r.value, r.unit, r.kind) for r in extract_figures(text).itertuples()]


def test_name_unit_value_in_one_cell():
    text = "特困供养人数万人3.6\n元/人·年9,870.0\n街道52\n一、民政事业费累计支出亿元30.4\n"
    assert _rows(text) == [
        ("特困供养人数", Decimal(36000), "人", "level"), ("", Decimal(9870), "元/人·年", "rate"),
        ("街道", Decimal(52), "", "level"), ("民政事业费累计支出", Decimal(3040000000), "元", "level")]


def test_units_in_a_header_line_one_cell_per_line():
    text = "表3 社会服务机构床位\n单位：万张、张\n指标\n2012\n2013\n床位数\n449.3\n526.7\n每千人口床位数\n3.32\n3.87\n"
    assert _rows(text) == [("床位数", Decimal(4493000), "张", "level"), ("床位数", Decimal(5267000), "张", "level"),
                           ("每千人口床位数", Decimal("3.32"), "张/千人", "rate"),
                           ("每千人口床位数", Decimal("3.87"), "张/千人", "rate")]


def test_one_header_unit_applies_to_every_row():
    assert _rows("单位：万个\n社会组织\t1.2\n基金会\t0.03\n") == [
        ("社会组织", Decimal(12000), "个", "level"), ("基金会", Decimal(300), "个", "level")]


def test_cells_split_by_pipes_and_spaces_with_a_unit_column():
    text = "| 指标名称 | 单位 | 数量 |\n| 乡镇级合计 | 个 | 1,405 |\n| 城市低保累计支出 | 万元 | 19,477.6 |\n" \
           "  1.提供住宿的民政机构                     617\n"
    assert _rows(text) == [("乡镇级合计", Decimal(1405), "个", "level"),
                           ("城市低保累计支出", Decimal(194776000), "元", "level"),
                           ("提供住宿的民政机构", Decimal(617), "", "level")]


def test_a_column_header_gives_unit_year_and_subject():
    text = "指标\t2019年\t2020年\t增长(%)\n城市低保人数(万人)\t6.9\t7.1\t2.9\n"
    figures = extract_figures(text)
    assert [(r.subject, r.as_of, r.value, r.unit) for r in figures.itertuples()] == [
        ("城市低保人数(万人)", "2019", Decimal(69000), "人"), ("城市低保人数(万人)", "2020", Decimal(71000), "人"),
        ("城市低保人数(万人) 增长", None, Decimal("2.9"), "%")]
    assert figures["kind"].tolist() == ["level", "level", "change"]


def test_prose_and_lone_numbers_are_not_table_rows():
    assert extract_figures("2022年社会服务统计3月份报表\n全市共有社区服务站，数量为7149\n12\n").empty
