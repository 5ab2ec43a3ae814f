"""Tests for evalkit.extract — forms of figures in text (ranges, lists, rates, kinds, subjects, dates), any text.

Expected values are written by hand from the sentences (invented for these tests; see
tests/data/extract/README.md) or taken from ../shared/research/zh_number_libraries.md §5.
"""
from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from _data.extract import DATA, one
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.errors import ParameterError
from evalkit.extract import (
    FIGURE_COLUMNS,
    Kind,
    extract_figures,
    unit_table,
)

# ------------------------------------------------------------------------------------------ forms

def test_percentage_points_are_not_percent():
    figure = one("城市低保对象占比下降0.5个百分点。")
    assert (figure["unit"], figure["dimension"], figure["kind"]) == ("个百分点", "percentage_points", "change_points")


def test_range_keeps_both_ends():
    figure = one("补助标准提高10%-15%。")
    assert (figure["surface"], figure["low"], figure["high"], figure["unit"]) == ("10%-15%", 10, 15, "%")
    figure = one("每个社区配备3至5万元工作经费。")
    assert (figure["low"], figure["high"], figure["unit"]) == (30000, 50000, "元")


def test_list_shares_the_unit_written_last():
    figures = extract_figures("三个县分别新建站点8、12和20个。")
    assert figures["value"].tolist() == [3, 8, 12, 20]
    assert set(figures["unit"]) == {"个"}


@pytest.mark.parametrize("text, approx", [
    ("救助3.5万余人。", True), ("惠及近千人。", True), ("约2.5亿元。", True), ("200多家机构。", True),
    ("超过1000户。", True), ("1000人左右。", True), ("不低于百分之三十。", True), ("共1000人。", False),
])
def test_approximate_forms(text, approx):
    assert bool(one(text)["approx"]) is approx


def test_multiple_and_share():
    figure = one("特困供养标准达到低保标准的1.5倍。")
    assert (figure["value"], figure["unit"], figure["kind"]) == (Decimal("1.5"), "倍", "multiple")


@pytest.mark.parametrize("text, value, unit", [
    ("护理补贴按300元/人.月发放。", 300, "元/人·月"), ("护理补贴按300元/人·月发放。", 300, "元/人·月"),
    ("护理补贴按300元/(人·月)发放。", 300, "元/人·月"), ("护理补贴按300元/人/月发放。", 300, "元/人·月"),
    ("护理补贴按300元/人月发放。", 300, "元/人·月"), ("护理补贴按300元／人•月发放。", 300, "元/人·月"),
    ("供养标准每人每月300元。", 300, "元/人·月"), ("人均每月发放300元。", 300, "元/人·月"),
    ("供养标准每人每年3600元。", 3600, "元/人·年"), ("按3712元/人·年拨付。", 3712, "元/人·年"),
    ("就诊补助每人次50元。", 50, "元/人·次"), ("一次性补助300元。", 300, "元"),
])
def test_rate_units(text, value, unit):
    figure = one(text)
    assert (figure["value"], figure["unit"]) == (value, unit)


def test_from_to_gives_old_and_new():
    figures = extract_figures("农村低保标准从每人每月450元提高到每人每月500元。")
    assert figures["role"].tolist() == ["old", "new"]
    assert figures["value"].tolist() == [450, 500]
    assert set(figures["subject"]) == {"农村低保标准"}
    assert set(figures["unit"]) == {"元/人·月"}


def test_respectively_pairs_subjects_with_figures():
    figures = extract_figures("城市、农村低保平均标准分别上调5%、7%。")
    assert figures["subject"].tolist() == ["城市低保平均标准", "农村低保平均标准"]
    assert set(figures["kind"]) == {"change"}
    figures = extract_figures("养老机构和社区服务站分别达到120家和300个。")
    assert figures["subject"].tolist() == ["养老机构", "社区服务站"]


def test_subject_after_measure_word():
    figures = extract_figures("1200名困境儿童纳入保障，30个乡镇和4个街道开展试点。")
    assert figures["subject"].tolist() == ["困境儿童", "乡镇", "街道"]


def test_chained_counts_share_the_last_noun():
    figures = extract_figures("对各县开展8类20项重点工作评估。")
    assert figures["subject"].tolist() == ["重点工作评估", "重点工作评估"]


@pytest.mark.parametrize("text, kind", [
    ("低保标准提高6%。", "change"), ("比上年增加120个。", "change"), ("养老床位达到5000张。", "level"),
    ("力争到2025年护理型床位占比达到55%。", "target"), ("完成新建20家的目标。", "target"),
    ("组建率达到100%。", "share"), ("实施第五批试点。", "ordinal"),
])
def test_kinds(text, kind):
    assert one(text)["kind"] == kind


def test_as_of_uses_report_year_only_when_given():
    text = "截至5月底，发放补贴2000万元。"
    assert one(text, report_year=2021)["as_of"] == "2021-05"
    assert one(text)["as_of"] is None
    assert one("截至2019年底，共有机构300家。")["as_of"] == "2019-12"
    assert one("截至2020年6月30日，共有机构300家。")["as_of"] == "2020-06-30"


def test_ordinals_are_not_amounts():
    figures = extract_figures("争取第五批试点，第11届评选，第3个工作组。")
    assert figures["kind"].tolist() == ["ordinal"] * 3
    assert figures["value"].tolist() == [5, 11, 3]
    assert figures["unit"].tolist() == ["批", "届", "个"]


@pytest.mark.parametrize("text", [
    "一是加强领导，二是完善机制。", "1.健全制度。2.落实责任。", "（一）困难群众保障；（二）社会治理。",
    "十三五时期和十四五规划。", "做好五保工作。", "落实“两项补贴”和“十件民生实事”。",
    "2020年5月底前完成。", "60年代精简职工。", "印发《目录》（2020版）。", "3至5年内完成。",
    "6个月内建成。", "每万人拥有社会组织。", "每千名老年人口。", "千家万户。", "进一步落实，一肩挑。",
    "一户一档，一人一策。", "零容忍。", "民发〔2020〕18号文件。", "内蒙和辽宁两省区。", "第一书记。",
    "数十个社区。", "一两个乡镇。", "G20峰会、COVID-19疫情。", "60岁以上老年人。", "",
])
def test_not_figures(text):
    assert extract_figures(text).empty


def test_own_texts_against_hand_written_expectations():
    with (DATA / "expected.csv").open(encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    for name in ("forms_a.txt", "forms_b.txt"):
        rows = [r for r in expected if r["file"] == name]
        text = (DATA / name).read_text(encoding="utf-8")
        figures = extract_figures(text, report_year=2020)
        assert figures["surface"].tolist() == [r["surface"] for r in rows], name
        for (_, got), want in zip(figures.iterrows(), rows):
            where = f"{name}: {want['surface']}"
            assert got["value"] == Decimal(want["value"]), where
            assert got["unit"] == want["unit"], where
            assert got["kind"] == want["kind"], where
            assert str(bool(got["approx"])) == want["approx"], where
            assert (got["low"], got["high"]) == (
                Decimal(want["low"]) if want["low"] else None, Decimal(want["high"]) if want["high"] else None), where
            assert got["role"] == (want["role"] or None), where
            assert got["as_of"] == (want["as_of"] or None), where
            assert want["subject_contains"] in got["subject"], where
    assert extract_figures((DATA / "not_figures.txt").read_text(encoding="utf-8")).empty


def test_surface_offsets_point_into_the_original_text():
    text = (DATA / "forms_a.txt").read_text(encoding="utf-8")
    figures = extract_figures(text)
    assert all(text[r.start:r.end] == r.surface for r in figures.itertuples())
    assert list(figures.columns) == list(FIGURE_COLUMNS)


def test_sentence_index_counts_lines_and_full_stops():
    figures = extract_figures("标题\n第一句有3个。第二句有4个！第三句；有5个？")
    assert figures["sentence_index"].tolist() == [1, 2, 4]


def test_resolution_is_one_step_of_the_last_digit():
    figures = extract_figures("发放2.26亿元，惠及66.74万人次，提高6.2%。")
    assert figures["resolution"].tolist() == [Decimal(1000000), Decimal(100), Decimal("0.1")]


def test_bad_arguments():
    with pytest.raises(ParameterError, match="str"):
        extract_figures(b"bytes")
    with pytest.raises(ParameterError, match="report_year"):
        extract_figures("x", report_year=20)
    with pytest.raises(ParameterError, match="report_year"):
        extract_figures("x", report_year="2020")


def test_unit_table_has_the_issue_units():
    table = unit_table()
    needed = {"人", "人次", "户", "名", "个", "家", "项", "张", "所", "类", "元", "万元", "%", "个百分点", "倍",
              "元/人·月", "元/人·年", "元/人·次"}
    assert needed <= set(table["surface"])
    assert table.set_index("surface").loc["万元", ["unit", "factor"]].tolist() == ["元", Decimal(10000)]


# ------------------------------------------------------------------------------------------ robustness

_REPORTISH = st.text(
    alphabet=st.sampled_from(list("0123456789０１２３４５６７８９.,，、%％-~至到 　一二两三四五六七八九十百千万亿点零〇"
                                  "第批届个名人次户元/·.月年日底截至每分别提高从由约近余多以上的“”《》（）()。；\n")),
    max_size=80,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), _REPORTISH))
def test_any_text_extracts_without_crashing(text):
    figures = extract_figures(text, report_year=2020)
    assert list(figures.columns) == list(FIGURE_COLUMNS)
    for row in figures.itertuples():
        assert text[row.start:row.end] == row.surface
        assert isinstance(row.value, Decimal) and row.value.is_finite()
        assert row.kind in Kind.__args__
    assert figures["start"].is_monotonic_increasing


