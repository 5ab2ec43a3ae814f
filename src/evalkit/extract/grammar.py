"""The grammar of a figure: number, magnitude, measure word; ranges, lists, signs, ordinals and fractions."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from evalkit import units
from evalkit.extract.lexicon import _lexicon
from evalkit.extract.numerals import (
    _CN_CHARS,
    _CN_DIGITS,
    _CN_MAGNITUDE_ONLY,
    _Unit,
    _units,
    parse_chinese_numeral,
)

__all__: list[str] = []


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
        rf"|(?P<pfrac>[一二两三四五六七八九十]+)分之(?P<pfrac_num>[{_CN_DIGITS}十]+)"
        rf"|(?P<afrac>\d{{1,3}})/(?P<afrac_den>\d{{1,3}})(?![\d/.])"
        rf"|翻(?P<fan>[一两二三四五])番"
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


_APPROX_AFTER = tuple(b.word for b in _lexicon().after)  # 左右, 以上…: a following bound ends a figure
# What may follow a unit that needs a clause end (15年左右, 有9年。, 5年一次, 三成的老人; not 十二年教育, 5年内)
_END_FOLLOW = re.compile(r"[,;:!?。、)\]\s\n(]|$|的|一次|一届|一轮|" + "|".join(_APPROX_AFTER))
_PERIOD_BEFORE = frozenset("年月周天日")
# Words before a number that make N年 a duration whatever follows (有9年任职经历), unless a date word follows.
_DURATION_BEFORE = ("有", "长达", "历时", "用了", "连续", "提前", "达", "满", "经过", "坚持", "工作", "任职")
_DATE_AFTER = frozenset("内前后代底初末级度制版来")  # 5年一次: the 一次 of a frequency is not a count
_VAGUE_BEFORE = frozenset("数几若好")
_MAGNITUDE_APPROX = frozenset("近上约超逾")  # 近千人, 上万户: a bare 千/万 that is a (rough) figure
# Characters that make a following 一 part of a word (统一, 唯一, 之一), not a count.
_WORD_BEFORE_ONE = frozenset("统唯同单划专整归合逐任某之其万千上下当前去这那")  # 上一年 is last year
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
    at_least: bool = False
    at_most: bool = False
    bound: str = ""
    kind: str = ""                 # a kind the form itself states (share for 三成, multiple for 翻一番)
    subject: str | None = None     # set by the table reader: the row name
    per: str = ""                  # set by the table reader: a denominator from the row name
    as_of: str | None = None       # set by the table reader: the year of a column (2019, 2020年)


def _decimals(number: str) -> int:
    if "点" in number:
        return len(number.split("点", 1)[1])
    return len(number.split(".", 1)[1]) if "." in number else 0


def _parse_number(number: str) -> Decimal | None:
    if number[0].isdigit():
        try:  # the grammar matched digits with optional , or space groups and one decimal point
            return Decimal(number.replace(",", "").replace(" ", ""))
        except InvalidOperation:
            return units.parse_decimal(number)
    return parse_chinese_numeral(number)


def _scan(norm: str) -> list[_Raw]:
    """Every number with what follows it, minus the ones the guards rule out."""
    grammar = _grammar()
    names = _lexicon().names
    blocked = [(m.start(), m.end()) for m in names.finditer(norm)] if names is not None else []
    k = 0
    found: list[_Raw] = []
    for m in grammar.figure.finditer(norm):
        start = m.start()
        while k < len(blocked) and blocked[k][1] <= start:
            k += 1
        if k < len(blocked) and blocked[k][0] <= start:
            continue  # inside a name or an idiom (十二年教育, 一老一小, 千家万户)
        before = norm[start - 1] if start else ""
        if before and before.isascii() and (before.isalnum() or before in "._"):
            continue  # part of an identifier or a version number (G20, v2.3)
        if m.group("ord"):
            raw = _ordinal(m, norm, grammar)
        elif m.group("frac"):
            raw = _fraction(m, norm)
        elif m.group("pfrac") or m.group("afrac"):
            raw = _part_of(m, norm)
        elif m.group("fan"):
            raw = _doubling(m, norm)
        else:
            raw = _amount(m, norm, grammar, before)
        if raw is not None:
            found.append(raw)
    return found


def _blocked(unit: _Unit, norm: str, end: int) -> bool:
    if not unit.not_followed_by or not norm.startswith(unit.not_followed_by, end):
        return False
    return not (unit.unless_followed_by and norm.startswith(unit.unless_followed_by, end))  # 12户外出 is 12户


def _bounds(norm: str, start: int, end: int, inside: str = "") -> tuple[bool, bool, bool, str]:
    """(approx, at_least, at_most, words) from the bound words around a figure (约, 近, 以上, 余, 多…)."""
    lexicon = _lexicon()
    before = lexicon.before_pattern.search(norm, max(0, start - 3), start) if start else None
    after = lexicon.after_pattern.match(norm, end)
    if before is None and after is None and not inside:
        return False, False, False, ""
    words, at_least, at_most = [], False, False
    if before is not None:
        bound = lexicon.bound[before.group()]
        words.append(bound.word)
        at_least, at_most = bound.at_least, bound.at_most
    if inside in lexicon.inside:
        words.append(inside)
        at_least = at_least or lexicon.inside[inside].at_least
    if after is not None:
        bound = lexicon.bound[after.group()]
        words.append(bound.word)
        at_least, at_most = at_least or bound.at_least, at_most or bound.at_most
    return bool(words), at_least, at_most, ";".join(words)


def _with_bounds(raw: _Raw, norm: str, inside: str = "") -> _Raw:
    raw.approx, raw.at_least, raw.at_most, raw.bound = _bounds(norm, raw.start, raw.end, inside)
    return raw


def _part_of(m: re.Match, norm: str) -> _Raw | None:
    """四分之一, 近1/4 → a share in % (25)."""
    if m.group("pfrac"):
        den, num = parse_chinese_numeral(m.group("pfrac")), parse_chinese_numeral(m.group("pfrac_num"))
    else:
        if norm[m.end():m.end() + 1] in ("号", "日") or (m.start() and norm[m.start() - 1] in "年月"):
            return None  # a date written 6/30
        den, num = Decimal(m.group("afrac_den")), Decimal(m.group("afrac"))
    if den is None or num is None or not 0 < num < den:
        return None
    unit = _grammar().plain_units["%"]
    raw = _Raw(m.start(), m.end(), num * 100 / den, unit=unit, arabic=bool(m.group("afrac")), kind="share",
               decimals=4)
    return _with_bounds(raw, norm)


def _doubling(m: re.Match, norm: str) -> _Raw:
    """翻一番 → 2倍, 翻两番 → 4倍."""
    unit = _grammar().plain_units["倍"]
    value = Decimal(2) ** int(parse_chinese_numeral(m.group("fan")))
    return _with_bounds(_Raw(m.start(), m.end(), value, unit=unit, arabic=False, kind="multiple"), norm)


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
    raw = _Raw(m.start(), m.end(), value, unit=unit, arabic=number[0].isdigit(), decimals=_decimals(number))
    return _with_bounds(raw, norm)


def _not_a_figure(unit: _Unit, value: Decimal, norm: str, start: int, end: int) -> bool:
    """Dates (民国25年, 2020年), deadlines and names (5年内, 十二年教育) and the 一次 of 5年一次."""
    if unit.needs_end:
        if unit.dimension == "duration" and value >= 1000:
            return True  # a year
        if not _END_FOLLOW.match(norm, end) and not (
                norm[max(0, start - 2):start].endswith(_DURATION_BEFORE) and norm[end:end + 1] not in _DATE_AFTER):
            return True
        if norm[max(0, start - 3):start].endswith(_lexicon().eras):
            return True
    return unit.surface == "次" and value == 1 and start > 0 and norm[start - 1] in _PERIOD_BEFORE


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
        if _not_a_figure(unit, value, norm, start, m.end()):
            return None
    magnitude = units.MAGNITUDES[m.group("mag")] if m.group("mag") else Decimal(1)
    end = m.end()
    while norm[end - 1] in " \t":
        end -= 1  # the grammar may have taken the spaces after a bare number
    raw = _Raw(start, end, value, magnitude=magnitude, unit=unit, written_magnitude=bool(m.group("mag")),
               arabic=arabic, decimals=_decimals(number))
    if unit is not None and unit.surface in ("次", "届") and norm.startswith(_lexicon().ordinal_after, end):
        raw.ordinal, raw.kind = True, "ordinal"  # 十六次常委会议: the 16th session
    _with_bounds(raw, norm, m.group("apx1") or m.group("apx2") or "")
    if not arabic and _CN_MAGNITUDE_ONLY.fullmatch(number):
        raw.approx = True
    return raw


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
