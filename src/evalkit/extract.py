"""Figures from Chinese work-report text, and their reconciliation with the panel.

A work summary (工作总结) states dozens of figures — 提高6.2%, 2.26亿元, 66.74万人次, 每人每月612元, 11类24项.
:func:`extract_figures` finds each one and returns its exact value (a :class:`decimal.Decimal`, magnitudes
folded: ``2.26亿元`` → 226000000 元), its unit, what it counts, what kind of statement it is (a level, a
change, a target, a ratio or an ordinal), the date it refers to and whether it is approximate.
:func:`reconcile` matches figures to catalogue indicators and compares them with the panel.

The grammar is rule-based and written for this genre (see ``../shared/research/zh_number_libraries.md``):

* numbers: Arabic (full-width digits, ``1,234.5``, ``16 221``) or Chinese (``三十五万``, ``百分之九十三``,
  ``四十二点四八万``); Chinese numerals go through :mod:`cn2an`, Arabic ones are read exactly in Decimal;
* a number is a figure only when a unit from ``evalkit/data/figure_units.csv`` (or, for Arabic digits, a
  magnitude 万/亿) follows it. So list markers (一是, 1.), names (十三五, 五保, “两项补贴”), dates
  (5月底, 60年代, 2020年), durations (6个月) and document numbers (2020版) are not figures;
* ``第五批`` is an ordinal (``kind="ordinal"``), never an amount; ``每万人``/``每千名`` is a denominator;
* ranges (``10%-15%``, ``3至5万人``) keep both ends in ``low``/``high``; lists (``8%、13%``,
  ``3、5个``) share the unit written after the last item; ``从450元提高到500元`` gives an ``old`` and a
  ``new`` figure; rate prefixes (``每人每月``…元) turn 元 into ``元/人·月``;
* the subject is the nearest noun phrase: after a measure word (``1779名事实无人抚养儿童``), else before
  the number (``发放残疾人“两项补贴”2.26亿元``); ``分别`` pairs listed subjects with listed figures.

Extraction never raises on text: anything it cannot read with confidence is left out.
"""
from __future__ import annotations

import csv
import html
import math
import os
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

import cn2an
import pandas as pd

from evalkit import units
from evalkit.errors import FileFormatError, ParameterError, Problem

__all__ = [
    "COLUMN_LABELS",
    "FIGURE_COLUMNS",
    "RECONCILE_COLUMNS",
    "Kind",
    "Reconciliation",
    "Status",
    "extract_figures",
    "extract_file",
    "highlight_html",
    "parse_chinese_numeral",
    "read_report",
    "reconcile",
    "unit_table",
]

Kind = Literal["level", "change", "target", "ratio", "ordinal"]
Status = Literal["agree", "discrepancy", "no_panel_value", "no_match"]

#: Columns of the table :func:`extract_figures` returns, in order.
FIGURE_COLUMNS = (
    "sentence_index", "start", "end", "surface", "value", "unit", "dimension", "subject", "kind",
    "as_of", "approx", "low", "high", "role", "resolution",
)

#: Columns of :attr:`Reconciliation.table`, in order.
RECONCILE_COLUMNS = (
    "sentence_index", "surface", "subject", "kind", "figure_value", "figure_unit", "indicator",
    "indicator_name", "indicator_unit", "compared_with", "panel_value", "panel_status", "status",
    "rel_diff", "note",
)

# ------------------------------------------------------------------------------------------ unit table


@dataclass(frozen=True)
class _Unit:
    surface: str
    unit: str
    factor: Decimal
    dimension: str
    ordinal: bool
    not_followed_by: tuple[str, ...]
    rate_prefixes: tuple[str, ...]


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
        )
        for row in csv.DictReader(text.splitlines())
    )


def unit_table() -> pd.DataFrame:
    """The unit table the extractor reads (``evalkit/data/figure_units.csv``) as a DataFrame.

    Columns: ``surface`` (as written after a number), ``unit`` (what the figure is reported in),
    ``factor`` (``万元`` → 元 × 10000), ``dimension``, ``ordinal`` (may follow 第N), ``not_followed_by``
    (continuations that make the character part of a word: 个月, 家庭), ``rate_prefixes`` (words before the
    number that turn 元 into this rate unit: 每人每月 → 元/人·月).
    """
    return pd.DataFrame([
        {"surface": u.surface, "unit": u.unit, "factor": u.factor, "dimension": u.dimension,
         "ordinal": u.ordinal, "not_followed_by": ";".join(u.not_followed_by),
         "rate_prefixes": ";".join(u.rate_prefixes)}
        for u in _units()
    ])


# ------------------------------------------------------------------------------------------ numbers

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


# ------------------------------------------------------------------------------------------ grammar

_SP = r"[ \t]*"
_ARABIC = r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d{1,3}(?: \d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = f"[{_CN_CHARS}]+(?:点[{_CN_DIGITS}]+)?"
_RATE_SEP = "[·.・•‧∙⋅/]"


def _unit_pattern(surface: str) -> str:
    """Regex for a unit surface; rate units accept the spellings reports use (元/人.月, 元/(人·月), 元/人月)."""
    if "/" not in surface:
        return re.escape(surface)
    numerator, denominator = surface.split("/", 1)
    parts = [re.escape(p) for p in denominator.split("·")]
    return re.escape(numerator) + rf"{_SP}/{_SP}\(?" + f"{_RATE_SEP}?".join(parts) + r"\)?"


@dataclass(frozen=True)
class _Grammar:
    figure: re.Pattern
    plain_units: dict[str, _Unit]
    ordinal_units: dict[str, _Unit]
    rate_prefix: re.Pattern
    rate_unit: dict[str, _Unit]


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    rows = sorted(_units(), key=lambda u: -len(u.surface))
    plain = [u for u in rows if u.dimension != "ordinal"]
    ordinal = [u for u in rows if u.ordinal]
    plain_alt = "|".join(_unit_pattern(u.surface) for u in plain)
    ordinal_alt = "|".join(re.escape(u.surface) for u in ordinal)
    magnitudes = "|".join(units.MAGNITUDES)  # longest first, so 万亿 wins over 万
    figure = re.compile(
        rf"(?P<ord>第{_SP}(?P<ord_num>{_ARABIC}|{_CN}){_SP}(?P<ord_unit>{ordinal_alt}))"
        rf"|(?P<frac>百分之|千分之){_SP}(?P<frac_num>{_ARABIC}|{_CN})"
        rf"|(?P<num>{_ARABIC}|{_CN}){_SP}(?P<apx1>余|多)?{_SP}"
        rf"(?:(?P<unit_a>{plain_alt})|(?P<mag>{magnitudes}){_SP}(?P<apx2>余|多)?{_SP}(?P<unit_b>{plain_alt})?)?"
    )
    rate_rows = [u for u in rows if u.rate_prefixes]
    prefixes = sorted({p for u in rate_rows for p in u.rate_prefixes}, key=lambda p: -len(p))
    return _Grammar(
        figure=figure,
        plain_units={u.surface: u for u in plain},
        ordinal_units={u.surface: u for u in ordinal},
        rate_prefix=re.compile("|".join(map(re.escape, prefixes))),
        rate_unit={p: u for u in rate_rows for p in u.rate_prefixes},
    )


_RATE_SPELLING = re.compile(rf"[ \t()]|{_RATE_SEP}")


def _lookup_unit(written: str, table: dict[str, _Unit]) -> _Unit:
    if written in table:
        return table[written]
    # 元/(人.月) → 元/人·月: the table holds one spelling per rate unit.
    numerator, _, denominator = written.partition("/")
    key = numerator.strip() + "/" + "·".join(p for p in _RATE_SPELLING.split(denominator) if p)
    if key in table:
        return table[key]
    return next(u for s, u in table.items() if "/" in s and s.replace("·", "") == key.replace("·", ""))


_APPROX_BEFORE = ("不低于", "不高于", "不少于", "不超过", "将近", "接近", "大约", "超过", "不足", "不到", "多达",
                  "约", "近", "逾", "超")
_APPROX_AFTER = ("左右", "以上", "以下", "上下")
_VAGUE_BEFORE = frozenset("数几若好")
_MAGNITUDE_APPROX = frozenset("近上约超逾")  # 近千人, 上万户: a bare 千/万 that is a (rough) figure
# Characters that make a following 一 part of a word (统一, 唯一, 之一), not a count.
_WORD_BEFORE_ONE = frozenset("统唯同单划专整归合逐任某之其万千")
_NAME_OPEN = frozenset("“\"「『《‘'")
_RANGE_LINKS = frozenset({"-", "~", "至", "到"})
_LIST_LINKS = frozenset({"、", "和", "及", "与", "或"})


@dataclass
class _Raw:
    """One number found in the text, before units are shared across ranges and lists."""

    start: int
    end: int
    mantissa: Decimal
    magnitude: Decimal = Decimal(1)
    unit: _Unit | None = None
    approx: bool = False
    ordinal: bool = False
    written_magnitude: bool = False
    arabic: bool = True
    high: Decimal | None = None
    decimals: int = 0


def _decimals(number: str) -> int:
    if "点" in number:
        return len(number.split("点", 1)[1])
    return len(number.split(".", 1)[1]) if "." in number else 0


def _parse_number(number: str) -> Decimal | None:
    if number[0].isdigit():
        return units.parse_decimal(number)
    return parse_chinese_numeral(number)


def _scan(norm: str) -> list[_Raw]:
    """Every number with what follows it, minus the ones the guards rule out."""
    grammar = _grammar()
    found: list[_Raw] = []
    for m in grammar.figure.finditer(norm):
        start = m.start()
        before = norm[start - 1] if start else ""
        if before and before.isascii() and (before.isalnum() or before in "._"):
            continue  # part of an identifier or a version number (G20, v2.3)
        if m.group("ord"):
            raw = _ordinal(m, norm, grammar)
        elif m.group("frac"):
            raw = _fraction(m, norm)
        else:
            raw = _amount(m, norm, grammar, before)
        if raw is not None:
            found.append(raw)
    return found


def _blocked(unit: _Unit, norm: str, end: int) -> bool:
    return any(norm.startswith(word, end) for word in unit.not_followed_by)


def _ordinal(m: re.Match, norm: str, grammar: _Grammar) -> _Raw | None:
    unit = grammar.ordinal_units[m.group("ord_unit")]
    value = _parse_number(m.group("ord_num"))
    if value is None or _blocked(unit, norm, m.end()):
        return None
    return _Raw(m.start(), m.end(), value, unit=unit, ordinal=True)


def _fraction(m: re.Match, norm: str) -> _Raw | None:
    number = m.group("frac_num")
    value = _parse_number(number)
    if value is None:
        return None
    unit = _grammar().plain_units["%" if m.group("frac") == "百分之" else "‰"]
    return _Raw(m.start(), m.end(), value, unit=unit, approx=_approx_around(norm, m.start(), m.end()),
                arabic=number[0].isdigit(), decimals=_decimals(number))


def _approx_around(norm: str, start: int, end: int) -> bool:
    head = norm[max(0, start - 3):start]
    return head.endswith(_APPROX_BEFORE) or norm.startswith(_APPROX_AFTER, end)


def _amount(m: re.Match, norm: str, grammar: _Grammar, before: str) -> _Raw | None:
    number = m.group("num")
    arabic = number[0].isdigit()
    start = m.start()
    if before == "每":
        return None  # 每万人, 每100名: the denominator of a rate
    if not arabic:
        if before in _NAME_OPEN or before in _VAGUE_BEFORE or before == "第":
            return None  # “两项补贴”, 数十个, 第一书记
        if number == "一" and before in _WORD_BEFORE_ONE:
            return None
        if _CN_MAGNITUDE_ONLY.fullmatch(number) and before not in _MAGNITUDE_APPROX:
            return None  # 千家万户 is an idiom; 近千人 is a figure
    value = _parse_number(number)
    if value is None:
        return None
    written = m.group("unit_a") or m.group("unit_b")
    unit = None
    if written:
        unit = _lookup_unit(written.replace(" ", ""), grammar.plain_units)
        if _blocked(unit, norm, m.end()):
            return None  # 6个月, 3家庭: a duration or a word, not a measure word
        if not arabic and number == "一" and norm.startswith("一", m.end()):
            return None  # 一户一档, 一人一策
    magnitude = units.MAGNITUDES[m.group("mag")] if m.group("mag") else Decimal(1)
    end = max(m.end(g) for g in ("num", "apx1", "mag", "apx2", "unit_a", "unit_b") if m.group(g))
    approx = bool(m.group("apx1") or m.group("apx2")) or _approx_around(norm, start, end)
    if not arabic and _CN_MAGNITUDE_ONLY.fullmatch(number):
        approx = True
    return _Raw(start, end, value, magnitude=magnitude, unit=unit, approx=approx,
                written_magnitude=bool(m.group("mag")), arabic=arabic, decimals=_decimals(number))


def _link(norm: str, left: _Raw, right: _Raw) -> str:
    return norm[left.end:right.start].strip(" \t")


def _share_units(norm: str, raws: list[_Raw]) -> list[_Raw]:
    """Ranges and lists: 10-15%, 3至5万人, 8、13个 — the unit (and magnitude) written last applies to all."""
    out: list[_Raw] = []
    for raw in reversed(raws):
        nxt = out[-1] if out else None
        link = _link(norm, raw, nxt) if nxt is not None else None
        shares = (nxt is not None and nxt.unit is not None and not nxt.ordinal and not raw.ordinal
                  and (raw.unit is None or raw.unit.unit == nxt.unit.unit))
        if shares and link in _RANGE_LINKS and nxt.high is None and not _from_before(norm, raw.start):
            low = _inherit(raw, nxt)
            if low.mantissa * low.magnitude <= nxt.mantissa * nxt.magnitude:
                out[-1] = replace(nxt, start=low.start, mantissa=low.mantissa, magnitude=low.magnitude,
                                  high=nxt.mantissa * nxt.magnitude, approx=low.approx or nxt.approx)
                continue
        if shares and link in _LIST_LINKS and raw.unit is None:
            out.append(_inherit(raw, nxt))
            continue
        if nxt is not None and link == "-" and raw.unit is None:
            continue  # the lower end of a range whose ends disagree (2019-2020): not a figure
        out.append(raw)
    out.reverse()
    return [_signed(norm, r) for r in out if r.unit is not None or (r.written_magnitude and r.arabic)]


def _inherit(raw: _Raw, nxt: _Raw) -> _Raw:
    magnitude = raw.magnitude if raw.written_magnitude else nxt.magnitude
    return replace(raw, unit=nxt.unit, magnitude=magnitude, written_magnitude=True)


_FROM_BEFORE = re.compile(r"[从由][^,;:。、]{0,6}$")


def _from_before(norm: str, start: int) -> bool:
    """Whether 从/由 opens the phrase before *start* (从450元到500元 is old → new, not a range)."""
    return _FROM_BEFORE.search(norm[max(0, start - 8):start]) is not None


def _signed(norm: str, raw: _Raw) -> _Raw:
    if raw.start and norm[raw.start - 1] == "-" and raw.high is None:
        before = norm[raw.start - 2] if raw.start >= 2 else ""
        if not (before.isascii() and before.isalnum()) and before not in ("%", *_CN_CHARS):
            return replace(raw, start=raw.start - 1, mantissa=-raw.mantissa)
    return raw


# ------------------------------------------------------------------------------------------ context

_CLAUSE_DELIM = re.compile(r"[,;:!?。\n]")
_SENTENCE = re.compile(r"[^\n。!?;]*[。!?;]?")
_LEAD = re.compile(
    r"^(?:[一二三四五六七八九十]+是|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、]|[一二三四五六七八九十]+、"
    r"|截[至止](?:到)?(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}日|底|末)?|\d{4}年(?:底|末|以来)?|\d{1,2}月(?:底|末|份)?"
    r"|其中|全省|全市|全区|全县|全国|我省|我市|各级|各地|目前|当前|同时|此外|全年|年内|今年|当年|共计|合计|累计|共"
    r"|平均|积极|争取|发放|惠及|救助|确定|新建|建成|建设|完成|实施|开展|投入|下达|安排|筹集|拨付|资助|帮助|覆盖|新增"
    r"|为|对|向|在|有|已|将|并|和|及|与|、|的|等|达到|达|其|也|还|都|均|\s)"
)
#: Verbs that turn a figure into a change (提高6.2%) or, followed by 到/至, into a new level (提高到500元).
_CHANGE_VERB = "(?:提高|增加|增长|上升|提升|上调|下调|下降|降低|减少|调整|扩大|缩小|增|降|减)"
_TRAIL = re.compile(
    r"(?:分别为|分别|各|均|共计|合计|累计|共|达到|达|为|是|有|占|计|了|的|个|以|由|从|到|至|按|惠及"
    r"|" + _CHANGE_VERB + r"(?:到|至)?"
    r"|不低于|不高于|不少于|不超过|将近|接近|大约|超过|不足|不到|多达|约|近|逾|超|同比|比上年|较上年|比去年|较去年|力争|预计|确保|计划|拟|\s)$"
)
_FOLLOW_STOP = re.compile(
    r"实施|开展|健全|完善|参照|纳入|获批|率先|完成|实现|提供|达到|列入|参与|建成|通过|进行|获得|享受|入住"
    r"|覆盖|被|将|已|均|全部|在|为|是|用于|参加|得到|受益|开通|投入|运营|接受|落实|到位|占|提高|增长|下降|减少|增加"
)
_CHANGE_END = re.compile(r"(?:" + _CHANGE_VERB[3:-1] + r"|上涨|回落|多|少)了?$")
# 新建203个, 新增床位1260张: an increment of a stock, i.e. a change.
_INCREMENT_START = re.compile(r"^(?:其中|全省|全市|全年|今年|年内|当年|共|累计)*(?:新增|新建|新登记|净增)")
_NEW_END = re.compile(_CHANGE_VERB + r"(?:到|至)$")
_FROM_TO = re.compile(
    r"^(?:[^,;:。]{0,6}?)" + _CHANGE_VERB + r"?(?:到|至)$")
_TARGET = re.compile(r"目标|力争|预计|计划(?![”\"」])|拟|确保|民生实事|规划|[到至]20\d\d年")
_AS_OF = re.compile(
    r"截[至止](?:到|至)?(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})月)?(?:(?P<d>\d{1,2})[日号]|底|末)?"
    r"|(?<![到至])(?P<ye>\d{4})年(?:底|末)"
)
_COUNT_DIMENSIONS = frozenset({"persons", "person_times", "households", "household_times", "count",
                               "institutions", "items", "categories", "events", "couples", "ordinal"})
_RATIO_DIMENSIONS = frozenset({"percent", "per_mille", "multiple"})
_ITEM_SPLIT = re.compile(r"[、和及与]")


def _sentence_starts(norm: str) -> list[int]:
    return [m.start() for m in _SENTENCE.finditer(norm) if m.group().strip()]


def _last_rate_prefix(text: str) -> re.Match | None:
    last = None
    for last in _grammar().rate_prefix.finditer(text):
        pass
    return last


def _strip_rate_tail(text: str) -> str:
    m = _last_rate_prefix(text)
    return text[:m.start()] if m is not None and m.end() == len(text) else text


def _strip_rate_head(text: str) -> str:
    m = _grammar().rate_prefix.match(text)
    return text[m.end():] if m is not None else text


def _clean(text: str) -> str:
    """A noun phrase from clause text: list markers, scope words, verbs and rate prefixes trimmed off."""
    previous = None
    while text != previous:
        previous = text
        text = _LEAD.sub("", text, count=1)
        text = _TRAIL.sub("", text, count=1)
        text = _strip_rate_head(_strip_rate_tail(text))
    return text.strip()


@dataclass
class _Figure:
    raw: _Raw
    sentence: int
    clause_start: int
    clause_end: int
    pre_start: int = 0       # where the clause text before the figure starts (after any earlier figure)
    following: str = ""      # noun phrase after a measure word
    subject: str = ""
    kind: str = "level"
    role: str | None = None
    as_of: str | None = None
    unit: str = ""
    dimension: str = ""
    group: list[_Figure] = field(default_factory=list)  # figures listed together (8%、13%)


def _following(text: str, norm_after: str) -> str:
    if not norm_after or norm_after[0] in "的、和及与" or norm_after.startswith(_APPROX_AFTER):
        return ""
    stop = _FOLLOW_STOP.search(norm_after)
    cut = stop.start() if stop else len(norm_after)
    return text[:min(cut, 24)].rstrip("和及与、等的 ")


def _as_of(match: re.Match, report_year: int | None) -> str | None:
    year = match.group("y") or match.group("ye")
    year = int(year) if year else report_year
    if year is None:
        return None
    month = match.group("m")
    if month is None:
        return f"{year}-12" if match.group("ye") or match.group(0).endswith(("底", "末")) else f"{year}"
    month = int(month) if month.isdigit() else parse_chinese_numeral(month)
    if month is None or not 1 <= int(month) <= 12:
        return None
    if match.group("d"):
        return f"{year}-{int(month):02d}-{int(match.group('d')):02d}"
    return f"{year}-{int(month):02d}"


def _pair_subjects(base: str, n: int) -> list[str] | None:
    """城市、农村低保平均标准 with two figures → 城市低保平均标准, 农村低保平均标准."""
    items = [i for i in _ITEM_SPLIT.split(base) if i]
    if len(items) != n or n < 2:
        return None
    # Short leading items are modifiers of the last item's noun (城市、农村低保标准; 集中和分散供养孤儿…).
    widths = {len(i) for i in items[:-1]}
    if len(widths) == 1 and (k := widths.pop()) <= 2 and len(items[-1]) > k + 1:
        tail = items[-1][k:]
        items = [i + tail for i in items[:-1]] + [items[-1]]
    return items


def _describe(text: str, norm: str, raws: list[_Raw], report_year: int | None) -> list[_Figure]:
    starts = _sentence_starts(norm)
    delims = [m.start() for m in _CLAUSE_DELIM.finditer(norm)]
    grammar = _grammar()
    figures: list[_Figure] = []
    for raw in raws:
        sentence = max(bisect_right(starts, raw.start) - 1, 0)
        k = bisect_left(delims, raw.start)
        clause_start = delims[k - 1] + 1 if k else 0
        j = bisect_left(delims, raw.end)
        clause_end = delims[j] if j < len(delims) else len(norm)
        clause_start = max(clause_start, starts[sentence])
        figures.append(_Figure(raw, sentence, clause_start, clause_end))
    for i, fig in enumerate(figures):
        raw = fig.raw
        prev_end = figures[i - 1].raw.end if i and figures[i - 1].sentence == fig.sentence else 0
        fig.pre_start = max(fig.clause_start, prev_end)
        nxt_start = figures[i + 1].raw.start if i + 1 < len(figures) else len(norm)
        after_end = min(fig.clause_end, nxt_start)
        fig.following = _following(text[raw.end:after_end], norm[raw.end:after_end])
        unit = raw.unit
        fig.unit, fig.dimension = (unit.unit, unit.dimension) if unit else ("", "number")
        if unit is not None and unit.unit == "元":
            prefix = _last_rate_prefix(norm[fig.clause_start:raw.start])
            if prefix is not None:
                rate = grammar.rate_unit[prefix.group()]
                fig.unit, fig.dimension = rate.unit, rate.dimension
    _group_and_subjects(text, norm, figures, delims, starts)
    _kinds(norm, starts, figures)
    sentences_as_of = {}
    for m in _AS_OF.finditer(norm):
        if m.group("y") or m.group("m") or m.group("ye"):
            sentences_as_of.setdefault(max(bisect_right(starts, m.start()) - 1, 0), []).append(m)
    for fig in figures:
        for m in sentences_as_of.get(fig.sentence, []):
            if m.start() < fig.raw.start:
                fig.as_of = _as_of(m, report_year)
    return figures


def _group_and_subjects(text: str, norm: str, figures: list[_Figure], delims: list[int],
                        sentence_start: list[int]) -> None:
    for fig in figures:
        fig.subject = _clean(text[fig.pre_start:fig.raw.start])
    # Figures joined by 、/和 (and a repeated rate prefix) form a group that shares one subject phrase.
    groups: list[list[_Figure]] = []
    for i, fig in enumerate(figures):
        if i and figures[i - 1].sentence == fig.sentence:
            link = _strip_rate_tail(norm[figures[i - 1].raw.end:fig.raw.start].strip(" \t"))
            if link in _LIST_LINKS and not figures[i - 1].following:
                groups[-1].append(fig)
                continue
        groups.append([fig])
    for group in groups:
        if len(group) > 1:
            base = group[0].subject
            paired = _pair_subjects(base, len(group))
            for j, member in enumerate(group):
                member.group = group
                member.subject = paired[j] if paired else base
    # 从450元提高到500元: the second figure is the new level of the first one's subject.
    for prev, fig in zip(figures, figures[1:]):
        if prev.sentence != fig.sentence or prev.clause_start != fig.clause_start:
            continue
        link = _strip_rate_tail(norm[prev.raw.end:fig.raw.start].strip(" \t"))
        if _FROM_TO.match(link) and _from_before(norm, prev.raw.start):
            prev.role, fig.role = "old", "new"
            fig.subject = prev.subject
    # The thing counted follows a measure word (1779名事实无人抚养儿童); 11类24项工作 shares the last noun.
    for i in range(len(figures) - 1, -1, -1):
        fig = figures[i]
        if fig.dimension in _COUNT_DIMENSIONS:
            if fig.following:
                fig.subject = fig.following
            elif i + 1 < len(figures) and figures[i + 1].raw.start == fig.raw.end:
                fig.subject = figures[i + 1].subject
        elif fig.following and fig.role is None:
            fig.subject = (fig.subject + fig.following) if len(fig.group) < 2 else fig.subject
    first = 0  # index of the first figure of the current sentence
    for i, fig in enumerate(figures):
        if i and figures[i - 1].sentence != fig.sentence:
            first = i
        if not fig.subject:
            fig.subject = _subject_from_earlier_clause(text, delims, figures[first:i], fig, sentence_start)


def _subject_from_earlier_clause(text: str, delims: list[int], earlier: list[_Figure], fig: _Figure,
                                 sentence_start: list[int]) -> str:
    """比上年增长3.2%: the subject is in the clause before — its figures' subjects, else its noun phrase."""
    same = [f for f in earlier if f.clause_end < fig.clause_start]
    if same:
        clause = [f for f in same if f.clause_start == same[-1].clause_start]
        position = fig.group.index(fig) if fig.group else -1
        if len(fig.group) == len(clause) and position >= 0:
            return clause[position].subject
        return same[-1].subject
    if fig.clause_start <= sentence_start[fig.sentence]:
        return ""
    k = bisect_left(delims, fig.clause_start - 1)
    return _clean(text[delims[k - 1] + 1 if k else 0:fig.clause_start - 1])


def _kinds(norm: str, starts: list[int], figures: list[_Figure]) -> None:
    for fig in figures:
        head = fig.group[0] if fig.group else fig
        lead_in = _strip_rate_tail(norm[head.clause_start:head.raw.start].rstrip(" \t"))
        lead_in = re.sub(r"(?:分别为|分别|各|均|约|近|超过|逾|了)$", "", lead_in)
        # A target word anywhere before in the sentence (力争到2025年，…达到35张) governs the figure.
        governed = norm[starts[fig.sentence] if starts else 0:fig.clause_end]
        if fig.raw.ordinal:
            fig.kind = "ordinal"
        elif _TARGET.search(governed):
            fig.kind = "target"
        elif fig.unit == "个百分点" or (fig.role is None and (_CHANGE_END.search(lead_in)
                                                               or _INCREMENT_START.match(lead_in))):
            fig.kind = "change"
        elif fig.dimension in _RATIO_DIMENSIONS:
            fig.kind = "ratio"
        else:
            fig.kind = "level"
        if fig.role is None and _NEW_END.search(lead_in):
            fig.role = "new"


def _resolution(raw: _Raw) -> Decimal:
    """Value of one step in the last written digit: 2.26亿元 → 1000000 (what rounding can hide)."""
    factor = raw.unit.factor if raw.unit is not None else Decimal(1)
    return _tidy(Decimal(1).scaleb(-raw.decimals) * raw.magnitude * factor)


def _check_report_year(report_year: int | None) -> None:
    if report_year is not None and (isinstance(report_year, bool) or not isinstance(report_year, int)
                                    or not 1949 <= report_year <= 2100):
        raise ParameterError(f"report_year must be a year such as 2020 (or None), got {report_year!r}")


def extract_figures(text: str, *, report_year: int | None = None) -> pd.DataFrame:
    """Every figure in *text*, one row each, in text order.

    Parameters
    ----------
    text : str
        Report text (any length; full-width digits and punctuation are fine).
    report_year : int, optional
        The year the report covers. Dates without a year (``截至5月底``) take it, so ``as_of`` becomes
        ``2020-05``; without it such dates give no ``as_of``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FIGURE_COLUMNS`:

        ``sentence_index``
            0-based sentence number (sentences end at a line break or 。！？；).
        ``start``, ``end``, ``surface``
            Offsets into *text*; ``surface == text[start:end]`` exactly.
        ``value``
            :class:`~decimal.Decimal` in ``unit``, magnitudes folded (``66.74万人次`` → 667400). For a
            range it is the lower end.
        ``unit``, ``dimension``
            Unit from the unit table (``万元`` is reported in 元, ``元/人.月`` as ``元/人·月``; a number with a
            magnitude but no unit, ``新增就业4.5万``, has unit ``""``) and its dimension.
        ``subject``
            What the figure counts (nearest noun phrase).
        ``kind``
            ``level``, ``change`` (提高6.2%, 个百分点, 新建203个), ``target`` (目标, 力争, 民生实事, 到2025年…),
            ``ratio`` (%, ‰, 倍 stated as a level) or ``ordinal`` (第五批).
        ``as_of``
            ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from 截至…/…年底 earlier in the sentence, else missing.
        ``approx``
            True for 余, 多, 近, 约, 超过, 左右, 以上… (the figure is a bound or an estimate).
        ``low``, ``high``
            Both ends of a range (``10%-15%``), else ``None``.
        ``role``
            ``old``/``new`` for 从…提高到… pairs, ``new`` after 提高到…, else ``None``.
        ``resolution``
            One step of the last written digit, in ``unit`` (``2.26亿元`` → 1000000): how far rounding
            may have moved the true value.

    Notes
    -----
    A figure written as mantissa *m*, magnitude *M* (万 = 10⁴, 亿 = 10⁸…) and unit factor *f*
    (万元 = 10⁴ 元) has ``value = m × M × f``, computed in Decimal, so ``2.26亿元`` is exactly 226000000;
    its resolution is ``10^(−d) × M × f`` for *d* written decimals.
    """
    if not isinstance(text, str):
        raise ParameterError(f"text must be a str (the report text), got {type(text).__name__}; "
                             "to read a file use evalkit.extract.extract_file(path)")
    _check_report_year(report_year)
    norm = text.translate(_FOLD_TABLE)
    raws = _share_units(norm, _scan(norm))
    rows = []
    for fig in _describe(text, norm, raws, report_year):
        raw = fig.raw
        factor = raw.unit.factor if raw.unit is not None else Decimal(1)
        value = _tidy(raw.mantissa * raw.magnitude * factor)
        rows.append({
            "sentence_index": fig.sentence, "start": raw.start, "end": raw.end,
            "surface": text[raw.start:raw.end], "value": value, "unit": fig.unit, "dimension": fig.dimension,
            "subject": fig.subject, "kind": fig.kind, "as_of": fig.as_of, "approx": raw.approx,
            "low": value if raw.high is not None else None,
            "high": _tidy(raw.high * factor) if raw.high is not None else None,
            "role": fig.role, "resolution": _resolution(raw),
        })
    dtypes = {"sentence_index": "int64", "start": "int64", "end": "int64", "approx": "bool"}
    # Decimals and optional labels stay Python objects (None, not NaN, where there is nothing).
    return pd.DataFrame({col: pd.Series([r[col] for r in rows], dtype=dtypes.get(col, object))
                         for col in FIGURE_COLUMNS})


# ------------------------------------------------------------------------------------------ files


def read_report(path: str | os.PathLike) -> str:
    """The text of a report file in UTF-8, UTF-8 with BOM or GB18030/GBK (detected from the bytes).

    Raises :class:`~evalkit.errors.FileFormatError` (naming the file and the fix) when the file is
    missing or is other text (UTF-16) or binary.
    """
    from evalkit.io import detect_encoding

    path = Path(path)
    if not path.is_file():
        raise FileFormatError([Problem("report text file not found", file=str(path),
                                       fix="check the path (relative paths start at the project root)")])
    data = path.read_bytes()
    try:
        encoding = detect_encoding(data)
    except FileFormatError as exc:
        reason = exc.problems[0].message if exc.problems else str(exc)
        raise FileFormatError([Problem(
            f"cannot read the report as text: {reason}", file=str(path),
            fix="save the report as plain text in UTF-8 (or GB18030/GBK), e.g. 另存为 → 纯文本 → UTF-8")]) from None
    return data.decode(encoding)


def extract_file(path: str | os.PathLike, *, output: str | os.PathLike | None = None,
                 report_year: int | None = None) -> pd.DataFrame:
    """Read a report text file, extract its figures and optionally write them to CSV or XLSX.

    Parameters
    ----------
    path : path-like
        A plain-text file in UTF-8, UTF-8 with BOM or GB18030/GBK (detected from the bytes).
    output : path-like, optional
        ``.csv`` (UTF-8 with BOM, for Excel) or ``.xlsx``; written atomically (temporary file, then
        rename), so a reader never sees half a file. Must not be the input file.
    report_year : int, optional
        Passed to :func:`extract_figures`.

    Returns
    -------
    pandas.DataFrame
        The table of :func:`extract_figures`.

    Raises
    ------
    FileFormatError
        The file is missing or is not UTF-8/GB18030 text (UTF-16, binary).
    ParameterError
        *output* has another suffix or is the input file.
    """
    from evalkit import io as ekio

    source = Path(path)
    target = Path(output) if output is not None else None
    if target is not None:
        if target.suffix.lower() not in (".csv", ".xlsx"):
            raise ParameterError(f"output must end in .csv or .xlsx, got {str(target)!r}; e.g. -o figures.csv")
        if target.exists() and source.exists() and target.resolve() == source.resolve():
            raise ParameterError(f"output {str(target)!r} is the input file; choose another name "
                                 "(evalkit never overwrites an input file)")
    figures = extract_figures(read_report(source), report_year=report_year)
    if target is not None and target.suffix.lower() == ".csv":
        ekio.write_csv(figures, target)
    elif target is not None:
        ekio.write_excel({"figures": figures}, target, title=f"Figures extracted from {source.name}")
    return figures


# ------------------------------------------------------------------------------------------ display

_KIND_COLOURS = {"level": "#fde68a", "change": "#bfdbfe", "target": "#bbf7d0", "ratio": "#fbcfe8",
                 "ordinal": "#e5e7eb"}
_LABELS = {
    "zh": {"value": "数值", "subject": "对象", "kind": "类型", "as_of": "截至", "approx": "约数",
           "level": "水平", "change": "变化", "target": "目标", "ratio": "比例", "ordinal": "序数"},
    "en": {"value": "value", "subject": "subject", "kind": "kind", "as_of": "as of", "approx": "approximate",
           "level": "level", "change": "change", "target": "target", "ratio": "ratio", "ordinal": "ordinal"},
}


#: Column headings for display, by report language (keys: the columns of both result tables).
COLUMN_LABELS = {
    "zh": {"sentence_index": "句序", "start": "起", "end": "止", "surface": "原文", "value": "数值", "unit": "单位",
           "dimension": "量纲", "subject": "对象", "kind": "类型", "as_of": "截至", "approx": "约数", "low": "下限",
           "high": "上限", "role": "前后", "resolution": "精度", "figure_value": "报告数值", "figure_unit": "报告单位",
           "indicator": "指标代码", "indicator_name": "指标", "indicator_unit": "指标单位", "compared_with": "比较口径",
           "panel_value": "面板数值", "panel_status": "数据性质", "status": "核对结果", "rel_diff": "相对差异",
           "note": "说明", "figures": "个数"},
    "en": {"sentence_index": "sentence", "start": "start", "end": "end", "surface": "as written", "value": "value",
           "unit": "unit", "dimension": "dimension", "subject": "subject", "kind": "kind", "as_of": "as of",
           "approx": "approx.", "low": "low", "high": "high", "role": "old/new", "resolution": "resolution",
           "figure_value": "report value", "figure_unit": "report unit", "indicator": "indicator code",
           "indicator_name": "indicator", "indicator_unit": "indicator unit", "compared_with": "compared with",
           "panel_value": "panel value", "panel_status": "panel status", "status": "result",
           "rel_diff": "relative difference", "note": "note", "figures": "figures"},
}


def highlight_html(text: str, figures: pd.DataFrame, *, lang: Literal["zh", "en"] = "zh") -> str:
    """*text* as HTML with each figure in a ``<mark>`` whose hover title gives value, unit and subject.

    All text is HTML-escaped and line breaks are kept; marks are coloured by kind.
    """
    if lang not in _LABELS:
        raise ParameterError(f"lang must be one of {', '.join(_LABELS)}, got {lang!r}")
    _require_columns(figures, ("start", "end", "value", "unit", "subject", "kind"), "figures",
                     "pass the table extract_figures returned")
    labels = _LABELS[lang]
    parts, pos = [], 0
    for row in figures.sort_values("start").itertuples(index=False):
        if row.start < pos or row.end > len(text):
            continue
        title = [f"{labels['value']}: {row.value} {row.unit}".rstrip(), f"{labels['subject']}: {row.subject}",
                 f"{labels['kind']}: {labels.get(row.kind, row.kind)}"]
        if getattr(row, "as_of", None):
            title.append(f"{labels['as_of']}: {row.as_of}")
        if getattr(row, "approx", False):
            title.append(labels["approx"])
        parts.append(html.escape(text[pos:row.start]))
        parts.append(f'<mark style="background:{_KIND_COLOURS.get(row.kind, "#fde68a")}" '
                     f'title="{html.escape(" · ".join(title))}">{html.escape(text[row.start:row.end])}</mark>')
        pos = row.end
    parts.append(html.escape(text[pos:]))
    return '<div style="white-space:pre-wrap;line-height:1.9">' + "".join(parts) + "</div>"


# ------------------------------------------------------------------------------------------ reconcile

_FIGURE_NEEDS = ("sentence_index", "surface", "value", "unit", "subject", "kind", "approx", "resolution")
_PANEL_NEEDS = ("region", "year", "indicator", "value")
_INDICATOR_NEEDS = ("code", "name_zh", "unit", "keywords_zh")


@dataclass(frozen=True)
class Reconciliation:
    """Figures from a report set against the panel (result of :func:`reconcile`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per non-ordinal figure, columns :data:`RECONCILE_COLUMNS`.
    region : str
        Region code compared.
    year : int
        Panel year compared.
    """

    table: pd.DataFrame
    region: str
    year: int

    @property
    def summary(self) -> pd.DataFrame:
        """Number of figures by status (agree, discrepancy, no_panel_value, no_match)."""
        counts = self.table["status"].value_counts()
        return pd.DataFrame({"status": list(Status.__args__),
                             "figures": [int(counts.get(s, 0)) for s in Status.__args__]})

    def _repr_html_(self) -> str:
        head = f"<p>Reconciliation for region {html.escape(self.region)}, year {self.year}</p>"
        return head + self.summary.to_html(index=False) + self.table.to_html(index=False, na_rep="")


def _require_columns(frame: pd.DataFrame, needed: tuple[str, ...], name: str, fix: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}; {fix}")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name} lacks columns {missing} (has {list(frame.columns)}); {fix}")


def _unit_factor(figure_unit: str, indicator_unit: str) -> Decimal | None:
    """Factor that turns a value in *figure_unit* into *indicator_unit*, or ``None`` if they differ in kind."""
    if not figure_unit or not indicator_unit:
        return None
    if figure_unit == indicator_unit or units.compatible(figure_unit, indicator_unit):
        return Decimal(1)
    try:
        return Decimal(units.convert(Decimal(1), figure_unit, indicator_unit))
    except units.UnitMismatch:
        return None


def _comparison(fig, indicator_unit: str) -> tuple[str, Decimal] | None:
    """How a figure compares with an indicator's panel series: (what, unit factor) or None if it cannot.

    A change in % is compared with the relative change of the series, a change in 个百分点 with the
    difference of a % series, any other change with the difference in the indicator unit.
    """
    if fig.kind == "change" and fig.unit == "%":
        return "relative_change", Decimal(1)
    if fig.kind == "change" and fig.unit == "个百分点":
        return ("difference", Decimal(1)) if indicator_unit == "%" else None
    factor = _unit_factor(fig.unit, indicator_unit)
    if factor is None:
        return None
    if fig.kind == "change":
        return "difference", factor
    return ("previous_level" if getattr(fig, "role", None) == "old" else "level"), factor


def _keyword_hit(subject: str, keywords: tuple[str, ...]) -> int:
    return max((len(k) for k in keywords if k and k in subject), default=0)


def reconcile(figures: pd.DataFrame, panel: pd.DataFrame, *, region: str, year: int,
              indicators: pd.DataFrame | None = None, rtol: float = 0.005) -> Reconciliation:
    """Match extracted figures to catalogue indicators and compare them with the panel.

    Parameters
    ----------
    figures : pandas.DataFrame
        The table of :func:`extract_figures`.
    panel : pandas.DataFrame
        A long panel (``region``, ``year``, ``indicator``, ``value``; ``status`` if present is shown).
    region : str
        6-digit region code the report is about (``"210000"`` for Liaoning).
    year : int
        The year the report's figures refer to.
    indicators : pandas.DataFrame, optional
        Catalogue with ``code``, ``name_zh``, ``unit`` and ``keywords_zh`` (``;``-separated); default
        ``evalkit.io.read_reference("indicators")``.
    rtol : float
        Relative tolerance for agreement (default 0.5%).

    Returns
    -------
    Reconciliation
        ``table`` has one row per figure except ordinals, with ``status``:

        ``agree``
            within tolerance of the panel;
        ``discrepancy``
            outside it (``rel_diff`` says by how much);
        ``no_panel_value``
            an indicator matches but the panel has no value for it (or the previous year, for changes);
        ``no_match``
            no indicator keyword in the subject, or no indicator with a compatible unit (``note`` says).

    Notes
    -----
    A figure matches an indicator when one of the indicator's keywords occurs in the figure's subject and
    the units fit; among several, the longest keyword wins (ties: catalogue order). With *F* the figure
    in the indicator's unit and *P_t* the panel value in *year*, the compared quantity is

    * level, target, ratio: *P_t*; the old value of 从…提高到…: *P_{t−1}*;
    * change in %: ``100 × (P_t / P_{t−1} − 1)``;
    * change in 个百分点 or another unit: ``P_t − P_{t−1}``.

    ``rel_diff = (F − P) / |P|``. The figure agrees when ``|F − P| ≤ max(rtol × |P|, r / 2)`` where *r* is
    the figure's ``resolution`` in the indicator unit (a figure rounded to 0.1% cannot disagree by less
    than 0.05); for approximate figures (约, 余…) the bound is ``max(rtol × |P|, r)``.
    """
    _require_columns(figures, _FIGURE_NEEDS, "figures", "pass the table extract_figures returned")
    _require_columns(panel, _PANEL_NEEDS, "panel", "read it with evalkit.io.read_panel")
    if not isinstance(region, str) or not re.fullmatch(r"\d{6}", region):
        raise ParameterError(f"region must be a 6-digit code as text such as '210000', got {region!r}")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ParameterError(f"year must be an int such as 2020, got {year!r}")
    if not (isinstance(rtol, (int, float)) and 0 <= rtol < 1):
        raise ParameterError(f"rtol must be a number in [0, 1), got {rtol!r}")
    if indicators is None:
        from evalkit.io import read_reference

        indicators = read_reference("indicators")
    _require_columns(indicators, _INDICATOR_NEEDS, "indicators",
                     "use evalkit.io.read_reference('indicators') or a table with the same columns")
    catalogue = [(row.code, row.name_zh, row.unit, tuple(str(row.keywords_zh).split(";")))
                 for row in indicators.itertuples(index=False)]
    rows = panel[panel["region"].astype(str) == region]
    observed = {}
    for row in rows.itertuples(index=False):
        observed.setdefault((row.indicator, int(row.year)), (float(row.value), getattr(row, "status", None)))
    records = [_reconcile_one(fig, catalogue, observed, year, rtol)
               for fig in figures.itertuples(index=False) if fig.kind != "ordinal"]
    table = pd.DataFrame(records, columns=list(RECONCILE_COLUMNS))
    return Reconciliation(table=table, region=region, year=year)


def _panel_ready(code: str, what: str, observed: dict, year: int) -> bool:
    """Whether the panel holds what the comparison needs (this year; and last year for a change)."""
    needs = {"level": [year], "previous_level": [year - 1]}.get(what, [year, year - 1])
    return all((code, y) in observed for y in needs)


def _reconcile_one(fig, catalogue, observed, year: int, rtol: float) -> dict:
    record = dict.fromkeys(RECONCILE_COLUMNS)
    record.update(sentence_index=fig.sentence_index, surface=fig.surface, subject=fig.subject, kind=fig.kind,
                  figure_unit=fig.unit, status="no_match")
    named = [(_keyword_hit(str(fig.subject), keywords), code, name, unit)
             for code, name, unit, keywords in catalogue]
    named = [c for c in named if c[0] > 0]
    if not named:
        record["note"] = "no indicator keyword in the subject"
        return record
    fitting = [(hit, code, name, unit, how) for hit, code, name, unit in named
               if (how := _comparison(fig, unit)) is not None]
    if not fitting:
        hit, code, name, unit = max(named, key=lambda c: c[0])
        record["note"] = f"unit {fig.unit or '(none)'} ({fig.kind}) does not fit {code} ({unit})"
        return record
    best = max(fitting, key=lambda c: (_panel_ready(c[1], c[4][0], observed, year), c[0]))
    _, code, name, unit, (what, factor) = best
    value = Decimal(fig.value) * factor
    record.update(indicator=code, indicator_name=name, indicator_unit=unit, figure_value=float(value),
                  compared_with={"level": f"level {year}", "previous_level": f"level {year - 1}",
                                 "relative_change": f"% change {year - 1}→{year}",
                                 "difference": f"difference {year - 1}→{year}"}[what])
    if not _panel_ready(code, what, observed, year):
        years = {"level": f"{year}", "previous_level": f"{year - 1}"}.get(what, f"{year - 1} and {year}")
        record.update(status="no_panel_value", note=f"the panel has no {code} for {years}")
        return record
    current, status = observed.get((code, year), (math.nan, None))
    previous, previous_status = observed.get((code, year - 1), (math.nan, None))
    panel_value = {"level": current, "previous_level": previous, "difference": current - previous,
                   "relative_change": 100 * (current / previous - 1) if previous else math.nan}[what]
    status = previous_status if what == "previous_level" else status
    resolution = float(Decimal(fig.resolution) * factor)
    tolerance = max(rtol * abs(panel_value), resolution if fig.approx else resolution / 2)
    diff = float(value) - panel_value
    record.update(panel_value=panel_value, panel_status=status,
                  status="agree" if abs(diff) <= tolerance else "discrepancy",
                  rel_diff=diff / abs(panel_value) if panel_value else math.nan)
    notes = []
    if fig.kind == "target":
        notes.append("a target: a gap may mean it was not (yet) met")
    as_of = getattr(fig, "as_of", None)
    if isinstance(as_of, str) and as_of != f"{year}-12" and as_of.startswith(str(year)) and len(as_of) > 4:
        notes.append(f"part-year figure (as of {as_of})")
    record["note"] = "; ".join(notes) or None
    return record
