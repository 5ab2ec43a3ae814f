"""The grammar tables in evalkit/data/ (figure_units.csv, extract_rates.csv, extract_bounds.csv,
extract_not_figures.csv): one test per class of row, each on sentences written for the test (invented), with the
expected figures written by hand from the issue's examples (issue 16).
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from _data.extract import one

from evalkit.extract import extract_figures, unit_table
from evalkit.extract.lexicon import grammar_tables


def _figures(text: str) -> list[tuple[str, Decimal, str, str]]:
    return [(r.surface, r.value, r.unit, r.kind) for r in extract_figures(text).itertuples()]


def test_tables_are_well_formed():
    tables = grammar_tables()
    assert set(tables) == {"rates", "bounds", "not_figures"}
    assert not tables["rates"]["prefix"].duplicated().any()
    assert set(tables["bounds"]["position"]) == {"before", "after", "inside"}
    assert set(tables["not_figures"]["class"]) == {"era", "name", "idiom", "ordinal_after"}
    units = unit_table()
    assert not units["surface"].duplicated().any()
    assert set(units["kind"]) <= {"", "share", "change_points", "multiple", "rate", "duration", "ordinal"}


@pytest.mark.parametrize("text, surface, value, unit", [
    # measure words outside the first list (issue 16: 石, 袋, 包, 头(只), 条, 间, 亩, 所, 处, 床, 张次, 户次, 人日)
    ("发放救济粮3石。", "3石", 3, "石"), ("发放大米20袋。", "20袋", 20, "袋"), ("发放面粉15包。", "15包", 15, "包"),
    ("死亡耕牛3头(只)。", "3头", 3, "头"), ("毁坏道路2条。", "2条", 2, "条"), ("倒塌房屋5间。", "5间", 5, "间"),
    ("受灾耕地30亩。", "30亩", 30, "亩"), ("建成学校2所。", "2所", 2, "所"), ("设立安置点6处。", "6处", 6, "处"),
    ("设置床位120床。", "120床", 120, "张"), ("发放被褥300张次。", "300张次", 300, "张次"),
    ("走访1500户次。", "1500户次", 1500, "户次"), ("投入志愿服务120人日。", "120人日", 120, "人日"),
    ("捐赠绸布133米。", "133米", 133, "米"), ("下拨大米20万公斤。", "20万公斤", 200000, "公斤"),
])
def test_measure_words(text, surface, value, unit):
    figure = one(text)
    assert (figure["surface"], figure["value"], figure["unit"]) == (surface, Decimal(value), unit)


def test_a_unit_is_not_shadowed_by_the_word_after_it():
    # 户 is blocked before 户外 but not before 户外出; 人 before 人口 counts persons
    assert _figures("全村12户外出务工。") == [("12户", Decimal(12), "户", "level")]
    assert one("新增3.1万人口。")[["value", "unit"]].tolist() == [Decimal(31000), "人"]
    assert extract_figures("开展3户外活动。").empty


@pytest.mark.parametrize("text, value, unit", [
    ("每千名老年人拥有养老床位31.2张。", "31.2", "张/千人"),
    ("每千名老年人，全市共拥有养老床位31.2张。", "31.2", "张/千人"),  # the 每… phrase is not adjacent
    ("每万人拥有社会工作者服务2.8万次。", "28000", "次/万人"),
    ("人均体育场地面积1.8平方米。", "1.8", "平方米/人"),
    ("月人均补差612元。", "612", "元/人·月"),
    ("农村低保标准为年标准2760元。", "2760", "元/人·年"),
    ("供养标准为人年6240元。", "6240", "元/人·年"),
    ("平均每年以2.47万人增加。", "24700", "人/年"),
])
def test_rates_keep_their_denominator(text, value, unit):
    figure = one(text)
    assert (figure["value"], figure["unit"], figure["kind"]) == (Decimal(value), unit, "rate")


def test_a_share_or_a_change_takes_no_denominator():
    figures = _figures("每千名老年人拥有养老床位24.4张，比上年增长13.9%。")
    assert figures == [("24.4张", Decimal("24.4"), "张/千人", "rate"), ("13.9%", Decimal("13.9"), "%", "change")]


@pytest.mark.parametrize("text, at_least, at_most, bound", [
    ("不低于90%。", True, False, "不低于"), ("超过3000人。", True, False, "超过"), ("约200户。", False, False, "约"),
    ("近千人。", False, True, "近"), ("控制在5%以内。", False, True, "以内"), ("60%以上。", True, False, "以上"),
    ("15年左右。", False, False, "左右"), ("2000余人。", True, False, "余"), ("1500多户。", True, False, "多"),
])
def test_bound_words(text, at_least, at_most, bound):
    figure = one(text)
    assert (bool(figure["approx"]), bool(figure["at_least"]), bool(figure["at_most"]), figure["bound"]) == (
        True, at_least, at_most, bound)


def test_no_bound_word_gives_empty_bound_columns():
    figure = one("共有养老机构586家。")
    assert (bool(figure["approx"]), bool(figure["at_least"]), bool(figure["at_most"]), figure["bound"]) == (
        False, False, False, None)


@pytest.mark.parametrize("text", [
    "民国25年(1936)大旱。", "光绪三年大旱。",                      # era: a date, not a duration
    "实施十二年教育。", "五莲县开展救助。", "做好一老一小工作。",       # names with numerals
    "千家万户受益。", "做到一年一度评比。", "一成不变。",              # idioms
    "90年代初进入老龄化。", "60岁以上老人。", "3至5年内完成改造。",    # dates, age thresholds, deadlines
    "一是加强领导，二是完善制度。(1)健全机制。1.落实责任。",          # list markers
])
def test_not_figures(text):
    assert extract_figures(text).empty, extract_figures(text)[["surface", "value", "unit"]]


def test_ordinal_after_count_words():
    assert _figures("召开十六次常委会议，遭受四次洪涝。") == [
        ("十六次", Decimal(16), "次", "ordinal"), ("四次", Decimal(4), "次", "level")]
    assert _figures("第五届、五届人大。")[1][3] == "ordinal"


@pytest.mark.parametrize("text, surface, value, unit, kind", [
    ("工作15年左右。", "15年", 15, "年", "duration"), ("有9年任职经历。", "9年", 9, "年", "duration"),
    ("近1/4的老人独居。", "1/4", 25, "%", "share"), ("三成老人独居。", "三成", 30, "%", "share"),
    ("四分之一的老人独居。", "四分之一", 25, "%", "share"), ("是上年的2.1倍。", "2.1倍", "2.1", "倍", "multiple"),
    ("收入翻一番。", "翻一番", 2, "倍", "multiple"), ("增长近4倍。", "4倍", 4, "倍", "multiple"),
    ("为期6个月。", "6个月", 6, "个月", "duration"),
])
def test_durations_fractions_shares_multiples(text, surface, value, unit, kind):
    figure = one(text)
    assert (figure["surface"], figure["value"], figure["unit"], figure["kind"]) == (
        surface, Decimal(value), unit, kind)


def test_the_once_of_a_frequency_is_not_a_count():
    assert _figures("5年一次换届。") == [("5年", Decimal(5), "年", "duration")]
