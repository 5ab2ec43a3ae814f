"""Tests for evalkit.extract — Chinese numerals and the value and unit of one figure.

Expected values are written by hand from the sentences (invented for these tests; see
tests/data/extract/README.md) or taken from ../shared/research/zh_number_libraries.md §5.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from _data.extract import one

from evalkit.extract import (
    extract_figures,
    parse_chinese_numeral,
)

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
    figure = one(text)
    assert isinstance(figure["value"], Decimal)
    assert figure["value"] == Decimal(value)
    assert figure["unit"] == unit


def test_values_are_decimals_with_no_binary_noise():
    figures = extract_figures("下达资金2.26亿元、2.68亿元和0.1万元。")
    assert [str(v) for v in figures["value"]] == ["226000000", "268000000", "1000"]


