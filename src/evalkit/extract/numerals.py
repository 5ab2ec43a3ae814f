"""Numbers and units: the unit table (``evalkit/data/figure_units.csv``) and Chinese numerals read exactly."""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources

import cn2an
import pandas as pd

from evalkit import units

__all__ = ["parse_chinese_numeral", "unit_table"]


@dataclass(frozen=True)
class _Unit:
    surface: str
    unit: str
    factor: Decimal
    dimension: str
    ordinal: bool
    not_followed_by: tuple[str, ...]
    rate_prefixes: tuple[str, ...]
    kind: str = ""
    unless_followed_by: tuple[str, ...] = ()
    needs_end: bool = False


def _split_list(cell: str) -> tuple[str, ...]:
    return tuple(part for part in cell.split(";") if part)


@lru_cache(maxsize=1)
def _units() -> tuple[_Unit, ...]:
    text = resources.files("evalkit").joinpath("data", "figure_units.csv").read_text(encoding="utf-8")
    return tuple(
        _Unit(
            surface=row["surface"], unit=row["unit"], factor=Decimal(row["factor"]),
            dimension=row["dimension"], ordinal=row["ordinal"] == "1",
            not_followed_by=_split_list(row["not_followed_by"]), rate_prefixes=_split_list(row["rate_prefixes"]),
            kind=row["kind"], unless_followed_by=_split_list(row["unless_followed_by"]),
            needs_end=row["needs_end"] == "1",
        )
        for row in csv.DictReader(text.splitlines())
    )


def unit_table() -> pd.DataFrame:
    """The unit table the extractor reads (``evalkit/data/figure_units.csv``) as a DataFrame.

    Returns
    -------
    pandas.DataFrame
        ``surface`` (as written after a number), ``unit`` (what the figure is reported in), ``factor``
        (``万元`` → 元 × 10000), ``dimension``, ``kind`` (the figure kind the unit implies: share for %,
        duration for 年, ordinal for 届; empty when the context decides), ``ordinal`` (may follow 第N),
        ``not_followed_by`` (continuations that make the character part of a word: 个月, 家庭),
        ``unless_followed_by`` (longer continuations that make it a unit again: 12户外出), ``needs_end`` (a
        figure only before a clause end or a bound word: 15年左右 but not 十二年教育) and ``rate_prefixes``
        (words before the number that turn 元 into this rate unit: 每人每月 → 元/人·月).
    """
    return pd.DataFrame([
        {"surface": u.surface, "unit": u.unit, "factor": u.factor, "dimension": u.dimension, "kind": u.kind,
         "ordinal": u.ordinal, "not_followed_by": ";".join(u.not_followed_by),
         "unless_followed_by": ";".join(u.unless_followed_by), "needs_end": u.needs_end,
         "rate_prefixes": ";".join(u.rate_prefixes)}
        for u in _units()
    ])



# Full-width forms fold one character to one character, so offsets in the folded text are offsets in the
# original: every surface is an exact substring of what the analyst gave.
_FOLD_TABLE = str.maketrans(units.FULLWIDTH_FOLD | {
    0x00A0: " ", 0x2212: "-", 0x2014: "-", 0x2013: "-", 0xFF5E: "~", 0x301C: "~"})

_CN_DIGITS = "零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖"
_CN_CHARS = _CN_DIGITS + "十百千万亿拾佰仟"
_CN_VALUE = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {
    "〇": 0, "两": 2, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_CN_MAGNITUDE_ONLY = re.compile(r"[百千万亿佰仟]+")
_CN_PLAN_NAME = re.compile(r"十[一二三四五六]五")  # 十三五 is the 13th Five-Year Plan, not 135
_CN_VAGUE = re.compile(r"[一二两三四五六七八九]{2}")  # 一两个, 三四十: approximate, no single value


@lru_cache(maxsize=4096)
def parse_chinese_numeral(text: str) -> Decimal | None:
    """The exact value of a Chinese numeral, or ``None`` when it has no single value.

    ``三十五万`` → 350000, ``一百二十三亿四千万`` → 12340000000, ``四十二点四八万`` → 424800,
    ``零点五`` → 0.5, ``百万`` → 1000000. Vague forms (``一两``, ``三四十``), plan names (``十三五``) and
    anything :mod:`cn2an` refuses give ``None``.

    Notes
    -----
    A decimal mantissa with a magnitude (``四十二点四八万``) is split: the integer part goes through
    ``cn2an`` (which raises rather than guesses), the fractional digits are read digit by digit, and the product
    mantissa × magnitude is formed in Decimal, so no binary rounding enters.
    """
    if not text or _CN_PLAN_NAME.fullmatch(text) or _CN_VAGUE.search(text.partition("点")[0]):
        return None
    if _CN_MAGNITUDE_ONLY.fullmatch(text):
        value = Decimal(1)
        for ch in text:
            value *= {"百": 100, "佰": 100, "千": 1000, "仟": 1000, "万": 10**4, "亿": 10**8}[ch]
        return value
    magnitude = Decimal(1)
    for word, factor in units.MAGNITUDES.items():
        if "点" in text and text.endswith(word) and len(text) > len(word):
            text, magnitude = text[: -len(word)], factor
            break
    whole, _, fraction = text.partition("点")
    if not whole or any(ch not in _CN_VALUE for ch in fraction):
        return None
    try:
        integer = cn2an.cn2an(whole, "normal") if whole not in ("", "零", "〇") else 0
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if not isinstance(integer, int):
        return None
    digits = "".join(str(_CN_VALUE[ch]) for ch in fraction)
    return Decimal(f"{integer}.{digits}" if digits else integer) * magnitude


def _tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (226000000.00 → 226000000)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
