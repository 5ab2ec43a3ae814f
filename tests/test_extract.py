"""Tests for evalkit.extract: figures from report text, files, highlighting and reconciliation.

Expected values are written by hand from the sentences (all invented for these tests; see
tests/data/extract/README.md) or taken from the library survey ../shared/research/zh_number_libraries.md
§5 (the normalisation stress forms and their correct values).
"""
from __future__ import annotations

import csv
import hashlib
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalkit.errors import FileFormatError, ParameterError
from evalkit.extract import (
    COLUMN_LABELS,
    FIGURE_COLUMNS,
    RECONCILE_COLUMNS,
    extract_figures,
    extract_file,
    highlight_html,
    parse_chinese_numeral,
    read_report,
    reconcile,
    unit_table,
)

DATA = Path(__file__).parent / "data" / "extract"


def _one(text: str, **kwargs) -> pd.Series:
    figures = extract_figures(text, **kwargs)
    assert len(figures) == 1, figures[["surface", "value", "unit"]]
    return figures.iloc[0]


# ------------------------------------------------------------------------------------------ numbers

@pytest.mark.parametrize("numeral, expected", [
    # survey §5b, "gold" column
    ("三十五万", "350000"), ("一百二十三亿四千万", "12340000000"), ("两千万", "20000000"),
    ("四十二点四八万", "424800"), ("零点五", "0.5"), ("一千零五十", "1050"), ("三千五百万", "35000000"),
    ("壹佰贰拾叁万", "1230000"), ("二〇二〇", "2020"), ("百万", "1000000"), ("十万零三百", "100300"),
])
def test_chinese_numerals_are_exact(numeral, expected):
    assert parse_chinese_numeral(numeral) == Decimal(expected)


@pytest.mark.parametrize("numeral", ["十三五", "十四五", "一两", "三四十", "", "点"])
def test_names_and_vague_numerals_have_no_value(numeral):
    assert parse_chinese_numeral(numeral) is None


@pytest.mark.parametrize("text, value, unit", [
    # survey §5a/§5b/§5c forms, each inside a sentence of our own
    ("全年发放补贴２．２６亿元。", "226000000", "元"),           # full-width digits
    ("全省社会救助支出1.2万亿元。", "1200000000000", "元"),      # 万亿
    ("累计投入1,234.5万元。", "12345000", "元"),                 # thousands separator
    ("服务对象3.14159万人。", "31415.9", "人"),                  # cn2an's smart mode would truncate
    ("结余0.00005万元。", "0.5", "元"),
    ("全市救助66.74万人次。", "667400", "人次"),
    ("参与志愿服务16 221人。", "16221", "人"),                   # space as thousands separator
    ("新建站点 45 个。", "45", "个"),                            # spaces around the figure
    ("新增用地3.5平方公里。", "3.5", "平方公里"),
    ("储备物资50万吨。", "500000", "吨"),
    ("流转土地1800亩。", "1800", "亩"),
    ("覆盖率达到百分之九十三。", "93", "%"),
    ("社工占比1.5‰。", "1.5", "‰"),
    ("认定十五个示范社区。", "15", "个"),
])
def test_value_and_unit(text, value, unit):
    figure = _one(text)
    assert isinstance(figure["value"], Decimal)
    assert figure["value"] == Decimal(value)
    assert figure["unit"] == unit


def test_values_are_decimals_with_no_binary_noise():
    figures = extract_figures("下达资金2.26亿元、2.68亿元和0.1万元。")
    assert [str(v) for v in figures["value"]] == ["226000000", "268000000", "1000"]


# ------------------------------------------------------------------------------------------ forms

def test_percentage_points_are_not_percent():
    figure = _one("城市低保对象占比下降0.5个百分点。")
    assert (figure["unit"], figure["dimension"], figure["kind"]) == ("个百分点", "percentage_points", "change")


def test_range_keeps_both_ends():
    figure = _one("补助标准提高10%-15%。")
    assert (figure["surface"], figure["low"], figure["high"], figure["unit"]) == ("10%-15%", 10, 15, "%")
    figure = _one("每个社区配备3至5万元工作经费。")
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
    assert bool(_one(text)["approx"]) is approx


def test_multiple_and_ratio():
    figure = _one("特困供养标准达到低保标准的1.5倍。")
    assert (figure["value"], figure["unit"], figure["kind"]) == (Decimal("1.5"), "倍", "ratio")


@pytest.mark.parametrize("text, value, unit", [
    ("护理补贴按300元/人.月发放。", 300, "元/人·月"), ("护理补贴按300元/人·月发放。", 300, "元/人·月"),
    ("护理补贴按300元/(人·月)发放。", 300, "元/人·月"), ("护理补贴按300元/人/月发放。", 300, "元/人·月"),
    ("护理补贴按300元/人月发放。", 300, "元/人·月"), ("护理补贴按300元／人•月发放。", 300, "元/人·月"),
    ("供养标准每人每月300元。", 300, "元/人·月"), ("人均每月发放300元。", 300, "元/人·月"),
    ("供养标准每人每年3600元。", 3600, "元/人·年"), ("按3712元/人·年拨付。", 3712, "元/人·年"),
    ("就诊补助每人次50元。", 50, "元/人·次"), ("一次性补助300元。", 300, "元"),
])
def test_rate_units(text, value, unit):
    figure = _one(text)
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
    ("组建率达到100%。", "ratio"), ("实施第五批试点。", "ordinal"),
])
def test_kinds(text, kind):
    assert _one(text)["kind"] == kind


def test_as_of_uses_report_year_only_when_given():
    text = "截至5月底，发放补贴2000万元。"
    assert _one(text, report_year=2021)["as_of"] == "2021-05"
    assert _one(text)["as_of"] is None
    assert _one("截至2019年底，共有机构300家。")["as_of"] == "2019-12"
    assert _one("截至2020年6月30日，共有机构300家。")["as_of"] == "2020-06-30"


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
        assert row.kind in ("level", "change", "target", "ratio", "ordinal")
    assert figures["start"].is_monotonic_increasing


# ------------------------------------------------------------------------------------------ files

SAMPLE = "截至5月底，发放补贴2.26亿元，惠及66.74万人次。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_extract_file_reads_the_usual_encodings(tmp_path, encoding):
    path = tmp_path / "report.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    figures = extract_file(path, report_year=2020)
    assert figures["value"].tolist() == [226000000, 667400]
    assert figures["as_of"].tolist() == ["2020-05", "2020-05"]


def test_extract_file_refuses_other_encodings(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(SAMPLE.encode("utf-16"))
    with pytest.raises(FileFormatError, match="UTF-8"):
        extract_file(path)
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(FileFormatError, match="report.txt"):
        extract_file(path)
    with pytest.raises(FileFormatError, match="not found"):
        extract_file(tmp_path / "missing.txt")


def test_extract_file_writes_csv_and_xlsx(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(SAMPLE, encoding="utf-8")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    extract_file(path, output=tmp_path / "figures.csv")
    extract_file(path, output=tmp_path / "figures.xlsx")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    written = pd.read_csv(tmp_path / "figures.csv", encoding="utf-8-sig", dtype=str)
    assert written["surface"].tolist() == ["2.26亿元", "66.74万人次"]
    assert written["value"].tolist() == ["226000000", "667400"]
    book = pd.read_excel(tmp_path / "figures.xlsx", sheet_name="figures")
    assert book["value"].tolist() == [226000000, 667400]
    assert not list(tmp_path.glob(".*.tmp"))


def test_extract_file_output_checks(tmp_path):
    path = tmp_path / "report.csv"  # a text report that happens to be named .csv
    path.write_text(SAMPLE, encoding="utf-8")
    with pytest.raises(ParameterError, match=r"\.csv or \.xlsx"):
        extract_file(path, output=tmp_path / "figures.json")
    with pytest.raises(ParameterError, match="input file"):
        extract_file(path, output=path)
    assert path.read_text(encoding="utf-8") == SAMPLE


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
                       indicators=INDICATORS)
    assert result.table.loc[0, "status"] == "no_match"
    assert "does not fit" in result.table.loc[0, "note"]


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
