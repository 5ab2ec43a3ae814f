"""Table-shaped text: one row per line, name, unit and value in any order, units in a header line.

Statistical tables reach the extractor flattened: ``最低生活保障人数万人7.1`` (name, unit, value),
``元/人·年14,940.0`` (unit, value), ``街道165`` (name, value), cells split by tabs, ``|`` or runs of spaces
(``乡镇级合计 | 个 | 1,405``), or one cell per line under a header ``单位：万张、张``. Each value becomes a figure
whose subject is the row name (plus the column header when there are several value columns) and whose unit is
the one written in the row's ``单位`` cell, in the column header (``增长(%)``), after the row name (``人数(万人)``)
or in the header line — in that order. A row name with a rate word (每千人口床位数) gives the unit its denominator.

Only lines without sentence punctuation are read as rows, so prose is left to the sentence grammar.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from evalkit import units
from evalkit.extract.grammar import _ARABIC, _decimals, _grammar, _lookup_unit, _Raw, _unit_pattern
from evalkit.extract.lexicon import _lexicon
from evalkit.extract.numerals import _Unit

__all__ = ["table_raws"]

_SEPARATOR = re.compile(r"\t|\||\u3000+| {2,}")
_PROSE = re.compile(r"[。，；！？;!?]|,(?!\d{3})")
_HEADER_LINE = re.compile(r"^[(（]?(?:计量)?单位\s*[:：]\s*(?P<units>[^)）]+)[)）]?$")
_NUMBER = re.compile(rf"^(?P<sign>[+-]?)(?P<num>{_ARABIC})(?P<pct>%?)$")
_YEAR = re.compile(r"^(?:19|20)\d\d(?:年(?:度|末|底)?)?$")
_LIST_MARK = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、]|[A-Za-z][ .、]|#)\s*")
_PAREN_UNIT = re.compile(r"[(（](?P<unit>[^()（）]{1,8})[)）]$")
_HEADER_NAMES = frozenset({"指标", "项目", "指标名称", "名称", "年份", "年度", "地区", "类别", "序号", "单位", "数量",
                           "计量单位", "项 目", "指 标"})
_CHANGE_WORDS = re.compile(r"增长|增减|比上年|同比|增幅|变化")
_MAX_NAME = 40
_TABLE_LINE = re.compile(r"\d[ \t%|]*$", re.MULTILINE)


@dataclass(frozen=True)
class _TableGrammar:
    unit: re.Pattern          # a whole cell that is a unit (万人, 元/人·月, 万)
    row: re.Pattern           # name, unit, value written together in one cell


@lru_cache(maxsize=1)
def _table_grammar() -> _TableGrammar:
    grammar = _grammar()
    rows = [u for u in sorted(grammar.plain_units.values(), key=lambda u: -len(u.surface)) if not u.needs_end]
    alt = "|".join(_unit_pattern(u.surface) for u in rows)
    mags = "|".join(units.MAGNITUDES)
    unit = rf"(?:(?P<mag>{mags})?(?P<unit>{alt})|(?P<bare>{mags}))"
    return _TableGrammar(
        unit=re.compile(rf"^{unit}$"),
        row=re.compile(rf"^(?P<name>.*?)[ \t]*(?:[(（]?{unit}[)）]?)?[ \t]*(?P<sign>[+-]?)(?P<num>{_ARABIC})"
                       rf"(?P<pct>%?)$"),
    )


@dataclass(frozen=True)
class _Written:
    """A unit as written in a table: magnitude × unit (万张 → 10⁴ × 张); unit None for a bare magnitude."""

    magnitude: Decimal
    unit: _Unit | None


def _written_unit(match: re.Match) -> _Written:
    if match.group("bare"):
        return _Written(units.MAGNITUDES[match.group("bare")], None)
    mag = units.MAGNITUDES[match.group("mag")] if match.group("mag") else Decimal(1)
    return _Written(mag, _lookup_unit(match.group("unit").replace(" ", ""), _grammar().plain_units))


def _parse_unit(text: str) -> _Written | None:
    text = text.strip()
    paren = _PAREN_UNIT.search(text)
    if paren and paren.end() == len(text) and paren.start() == 0:
        text = paren.group("unit")
    m = _table_grammar().unit.match(text)
    return _written_unit(m) if m else None


def _header_units(text: str) -> list[_Written]:
    return [w for part in re.split(r"[、,，/;；]", text) if (w := _parse_unit(part)) is not None]


def _clean_name(name: str) -> str:
    name = _LIST_MARK.sub("", name.strip())
    return name.strip(" \t:：")


@dataclass
class _State:
    """What earlier lines of a table say about the current one."""

    header_units: list[_Written] = field(default_factory=list)
    rows_seen: int = 0
    columns: list[str] = field(default_factory=list)
    pending: str = ""        # a name line waiting for its values on the next lines

    def reset(self) -> None:
        self.header_units, self.rows_seen, self.columns, self.pending = [], 0, [], ""

    def header_unit(self) -> _Written | None:
        if not self.header_units:
            return None
        if len(self.header_units) == 1:
            return self.header_units[0]
        return self.header_units[self.rows_seen - 1] if 0 < self.rows_seen <= len(self.header_units) else None


def _cells(line: str, offset: int) -> list[tuple[str, int]]:
    out, pos = [], 0
    for sep in _SEPARATOR.finditer(line):
        if line[pos:sep.start()].strip():
            out.append((line[pos:sep.start()], offset + pos))
        pos = sep.end()
    if line[pos:].strip():
        out.append((line[pos:], offset + pos))
    # strip each cell, keeping its offset
    return [(c.strip(), o + len(c) - len(c.lstrip())) for c, o in out]


def _raw(start: int, sign: str, number: str, pct: str, written: _Written | None, subject: str) -> _Raw | None:
    value = units.parse_decimal(number)
    if value is None:
        return None
    end = start + len(sign) + len(number) + len(pct)
    grammar = _grammar()
    if pct:
        unit, magnitude = grammar.plain_units["%"], Decimal(1)
    elif written is not None:
        unit, magnitude = written.unit, written.magnitude
    else:
        unit, magnitude = None, Decimal(1)
    prefix = None
    for prefix in _lexicon().rate_prefix.finditer(subject):  # noqa: B007 - the last rate word is wanted
        pass
    per = _lexicon().rates[prefix.group()] if prefix is not None else ""
    kind = "change" if _CHANGE_WORDS.search(subject) else ""
    return _Raw(start, end, -value if sign == "-" else value, magnitude=magnitude, unit=unit,
                written_magnitude=magnitude != 1, decimals=_decimals(number), subject=subject, per=per, kind=kind)


def table_raws(norm: str, taken: list[_Raw]) -> list[_Raw]:
    """Figures in the table-shaped lines of *norm* that the sentence grammar did not already take."""
    if _TABLE_LINE.search(norm) is None:
        return []  # no line ends in a number: no table
    spans = [(r.start, r.end) for r in taken]  # in text order already
    found: list[_Raw] = []
    state = _State()
    for m in re.finditer(r"[^\n]+", norm):
        line = m.group()
        stripped = line.strip()
        if not stripped:
            continue
        if _PROSE.search(stripped) and not _SEPARATOR.search(stripped):
            state.reset()
            continue
        header = _HEADER_LINE.match(stripped)
        if header:
            state.reset()
            state.header_units = _header_units(header.group("units"))
            continue
        found.extend(_row(line, m.start(), state))
    return [r for r in found if not _overlaps(spans, r)]


def _overlaps(spans: list[tuple[int, int]], raw: _Raw) -> bool:
    k = bisect_right(spans, (raw.start, raw.end))
    return any(s < raw.end and raw.start < e for s, e in spans[max(0, k - 2):k + 1])


def _row(line: str, offset: int, state: _State) -> list[_Raw]:
    cells = _cells(line, offset)
    if not cells:
        return []
    if len(cells) == 1:
        return _one_cell(cells[0], state)
    numbers = [(c, o) for c, o in cells if _NUMBER.match(c) and not _YEAR.match(c)]
    texts = [(i, c) for i, (c, _) in enumerate(cells) if not _NUMBER.match(c)]
    if not numbers:
        if any(_YEAR.match(c) or _PAREN_UNIT.search(c) or c in _HEADER_NAMES for c, _ in cells):
            state.columns = [c for c, _ in cells]  # a header row: 指标 | 2019年 | 2020年 | 增长(%)
        return []
    name_cells = [c for i, c in texts if _parse_unit(c) is None and not _YEAR.match(c)]
    unit_cells = [c for i, c in texts if _parse_unit(c) is not None]
    name = _clean_name(name_cells[0]) if name_cells else state.pending
    if not name or name in _HEADER_NAMES:
        return []
    state.rows_seen += 1
    row_unit = _parse_unit(unit_cells[0]) if unit_cells else None
    paren = _PAREN_UNIT.search(name)
    name_unit = _parse_unit(paren.group(0)) if paren else None
    out = []
    for cell, start in numbers:
        index = next(i for i, (c, o) in enumerate(cells) if o == start)
        column = state.columns[index] if index < len(state.columns) else ""
        column_unit = _parse_unit(_PAREN_UNIT.search(column).group(0)) if _PAREN_UNIT.search(column) else None
        written = row_unit or column_unit or name_unit or state.header_unit()
        label = _PAREN_UNIT.sub("", column).strip()
        subject = name if not label or _YEAR.match(label) or label in _HEADER_NAMES else f"{name} {label}"
        n = _NUMBER.match(cell)
        raw = _raw(start, n.group("sign"), n.group("num"), n.group("pct"), written, subject)
        if raw is not None:
            if _YEAR.match(label):
                raw.as_of = label[:4]
            out.append(raw)
    return out


def _one_cell(cell: tuple[str, int], state: _State) -> list[_Raw]:
    text, start = cell
    number = _NUMBER.match(text)
    if number:  # a value on its own line, under the name on the line before
        if not state.pending or _YEAR.match(text):
            return []
        raw = _raw(start, number.group("sign"), number.group("num"), number.group("pct"), state.header_unit(),
                   state.pending)
        return [raw] if raw is not None else []
    m = _table_grammar().row.match(text)
    if m is None or (not text[-1].isdigit() and not text.endswith("%")):
        name = _clean_name(text)
        if len(name) <= _MAX_NAME and not any(ch.isdigit() for ch in name) and name not in _HEADER_NAMES:
            state.pending = name
            state.rows_seen += 1
        elif name in _HEADER_NAMES:
            state.pending = ""
        return []
    name = _clean_name(m.group("name"))
    if not name and not (m.group("unit") or m.group("bare")):
        return []
    if name and (any(ch.isdigit() for ch in name) or len(name) > _MAX_NAME):
        return []  # prose-like: 2022年社会服务统计3月份报表, a date, an identifier
    state.rows_seen += 1 if name else 0
    written = _written_unit(m) if (m.group("unit") or m.group("bare")) else state.header_unit()
    raw = _raw(start + m.start("sign"), m.group("sign"), m.group("num"), m.group("pct"), written,
               name or state.pending)
    return [raw] if raw is not None else []
