"""The context of a figure: its sentence and clause, subject, kind (level, change, target…), date and role."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise

from evalkit.errors import ParameterError
from evalkit.extract.grammar import _APPROX_AFTER, _LIST_LINKS, _from_before, _grammar, _Raw
from evalkit.extract.lexicon import _lexicon
from evalkit.extract.numerals import _tidy, parse_chinese_numeral

__all__: list[str] = []


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
_TARGET = re.compile(r"目标|力争|预计|计划(?![”\"」])|拟|确保|民生实事|规划|(?<!截)[到至]20\d\d年")
_AS_OF = re.compile(
    r"截[至止](?:到|至)?(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})月)?(?:(?P<d>\d{1,2})[日号]|底|末)?"
    r"|(?<![到至])(?P<ye>\d{4})年(?:底|末)"
)
#: Dimensions that never take a denominator (a share, a change in points, a multiple, a duration, an ordinal).
_NO_RATE = frozenset({"percent", "per_mille", "percentage_points", "multiple", "duration", "ordinal", "age",
                      "sessions"})
_COUNT_DIMENSIONS = frozenset({"persons", "person_times", "households", "household_times", "count",
                               "institutions", "items", "categories", "events", "couples", "ordinal"})
_ITEM_SPLIT = re.compile(r"[、和及与]")


def _sentence_starts(norm: str) -> list[int]:
    return [m.start() for m in _SENTENCE.finditer(norm) if m.group().strip()]


def _strip_rate_tail(text: str) -> str:
    """每人每月… at the end of a subject is the figure's denominator, not part of what it counts."""
    m = _lexicon().per_tail.search(text)
    return text[:m.start()] if m is not None else text


def _strip_rate_head(text: str) -> str:
    m = _lexicon().per_head.match(text)
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


class _RateWords:
    """Every rate word of the text (每千名老年人, 人均, 月人均…) found once, looked up by position."""

    def __init__(self, norm: str) -> None:
        hits = [(m.end(), m.start(), m.group()) for m in _lexicon().rate_prefix.finditer(norm)]
        self._ends = [h[0] for h in hits]
        self._hits = hits

    def last(self, lo: int, hi: int) -> str | None:
        """The last rate word inside ``norm[lo:hi]``, or None."""
        k = bisect_right(self._ends, hi) - 1
        return self._hits[k][2] if k >= 0 and self._hits[k][1] >= lo else None


def _describe(text: str, norm: str, raws: list[_Raw], report_year: int | None) -> list[_Figure]:
    starts = _sentence_starts(norm)
    delims = [m.start() for m in _CLAUSE_DELIM.finditer(norm)]
    grammar = _grammar()
    rate_words = _RateWords(norm)
    figures: list[_Figure] = []
    for raw in raws:
        sentence = max(bisect_right(starts, raw.start) - 1, 0)
        k = bisect_left(delims, raw.start)
        clause_start = delims[k - 1] + 1 if k else 0
        j = bisect_left(delims, raw.end)
        clause_end = delims[j] if j < len(delims) else len(norm)
        clause_start = max(clause_start, starts[sentence])
        figures.append(_Figure(raw, sentence, clause_start, clause_end))
    for i, figure in enumerate(figures):
        raw = figure.raw
        sentence = figure.sentence
        prev_end = figures[i - 1].raw.end if i and figures[i - 1].sentence == figure.sentence else 0
        figure.pre_start = max(figure.clause_start, prev_end)
        nxt_start = figures[i + 1].raw.start if i + 1 < len(figures) else len(norm)
        after_end = min(figure.clause_end, nxt_start)
        figure.following = _following(text[raw.end:after_end], norm[raw.end:after_end])
        unit = raw.unit
        figure.unit, figure.dimension = (unit.unit, unit.dimension) if unit else ("", "number")
        if unit is not None and unit.dimension not in _NO_RATE and "/" not in unit.unit:
            per = raw.per
            if not per:
                prefix = rate_words.last(figure.clause_start, raw.start)
                if prefix is None:  # 每千名老年人，全市共拥有养老床位31.2张: a 每… phrase earlier in the sentence
                    prefix = rate_words.last(max(starts[sentence] if starts else 0, prev_end), raw.start)
                    prefix = prefix if prefix is not None and prefix.startswith("每") else None
                per = _lexicon().rates[prefix] if prefix is not None else ""
            if per:
                rated = grammar.plain_units.get(f"{unit.unit}/{per}")
                figure.unit = f"{unit.unit}/{per}"
                figure.dimension = rated.dimension if rated is not None else f"{unit.dimension}_rate"
    _group_and_subjects(text, norm, figures, delims, starts)
    for figure in figures:
        if figure.raw.subject is not None:
            figure.subject = figure.raw.subject  # a table row's name
    _kinds(norm, starts, figures)
    sentences_as_of = {}
    for m in _AS_OF.finditer(norm):
        if m.group("y") or m.group("m") or m.group("ye"):
            sentences_as_of.setdefault(max(bisect_right(starts, m.start()) - 1, 0), []).append(m)
    for figure in figures:
        for m in sentences_as_of.get(figure.sentence, []):
            if m.start() < figure.raw.start:
                figure.as_of = _as_of(m, report_year)
        if figure.raw.as_of is not None:
            figure.as_of = figure.raw.as_of  # a table column's year
    return figures


def _group_and_subjects(text: str, norm: str, figures: list[_Figure], delims: list[int],
                        sentence_start: list[int]) -> None:
    for figure in figures:
        figure.subject = _clean(text[figure.pre_start:figure.raw.start])
    _group_lists(norm, figures)
    _pair_old_new(norm, figures)
    _counted_nouns(figures)
    first = 0  # index of the first figure of the current sentence
    for i, figure in enumerate(figures):
        if i and figures[i - 1].sentence != figure.sentence:
            first = i
        if not figure.subject:
            figure.subject = _subject_from_earlier_clause(text, delims, figures[first:i], figure, sentence_start)


def _group_lists(norm: str, figures: list[_Figure]) -> None:
    """Figures joined by 、/和 (and a repeated rate prefix) form a group that shares one subject phrase."""
    groups: list[list[_Figure]] = []
    for i, figure in enumerate(figures):
        if i and figures[i - 1].sentence == figure.sentence:
            link = _strip_rate_tail(norm[figures[i - 1].raw.end:figure.raw.start].strip(" \t"))
            if link in _LIST_LINKS and not figures[i - 1].following:
                groups[-1].append(figure)
                continue
        groups.append([figure])
    for group in groups:
        if len(group) > 1:
            base = group[0].subject
            paired = _pair_subjects(base, len(group))
            for j, member in enumerate(group):
                member.group = group
                member.subject = paired[j] if paired else base


def _pair_old_new(norm: str, figures: list[_Figure]) -> None:
    """从450元提高到500元: the second figure is the new level of the first one's subject."""
    for prev, figure in pairwise(figures):
        if prev.sentence != figure.sentence or prev.clause_start != figure.clause_start:
            continue
        link = _strip_rate_tail(norm[prev.raw.end:figure.raw.start].strip(" \t"))
        if _FROM_TO.match(link) and _from_before(norm, prev.raw.start):
            prev.role, figure.role = "old", "new"
            figure.subject = prev.subject


def _counted_nouns(figures: list[_Figure]) -> None:
    """The thing counted follows a measure word (1779名事实无人抚养儿童); 11类24项工作 shares the last noun."""
    for i in range(len(figures) - 1, -1, -1):
        figure = figures[i]
        if figure.dimension in _COUNT_DIMENSIONS:
            if figure.following:
                figure.subject = figure.following
            elif i + 1 < len(figures) and figures[i + 1].raw.start == figure.raw.end:
                figure.subject = figures[i + 1].subject
        elif figure.following and figure.role is None:
            figure.subject = (figure.subject + figure.following) if len(figure.group) < 2 else figure.subject


def _subject_from_earlier_clause(text: str, delims: list[int], earlier: list[_Figure], figure: _Figure,
                                 sentence_start: list[int]) -> str:
    """比上年增长3.2%: the subject is in the clause before — its figures' subjects, else its noun phrase."""
    same = [f for f in earlier if f.clause_end < figure.clause_start]
    if same:
        clause = [f for f in same if f.clause_start == same[-1].clause_start]
        position = figure.group.index(figure) if figure.group else -1
        if len(figure.group) == len(clause) and position >= 0:
            return clause[position].subject
        return same[-1].subject
    if figure.clause_start <= sentence_start[figure.sentence]:
        return ""
    k = bisect_left(delims, figure.clause_start - 1)
    return _clean(text[delims[k - 1] + 1 if k else 0:figure.clause_start - 1])


def _kinds(norm: str, starts: list[int], figures: list[_Figure]) -> None:
    for figure in figures:
        head = figure.group[0] if figure.group else figure
        lead_in = _strip_rate_tail(norm[head.clause_start:head.raw.start].rstrip(" \t"))
        lead_in = re.sub(r"(?:分别为|分别|各|均|约|近|超过|逾|了)$", "", lead_in)
        # A target word anywhere before in the sentence (力争到2025年，…达到35张) governs the figure.
        governed = norm[starts[figure.sentence] if starts else 0:figure.clause_end]
        raw = figure.raw
        stated = raw.kind or (raw.unit.kind if raw.unit is not None else "")
        if raw.ordinal or stated == "ordinal":
            figure.kind = "ordinal"
        elif _TARGET.search(governed):
            figure.kind = "target"
        elif figure.unit == "个百分点":
            figure.kind = "change_points"
        elif stated not in ("duration", "multiple") and figure.role is None and (_CHANGE_END.search(lead_in)
                                                               or _INCREMENT_START.match(lead_in)):
            figure.kind = "change"
        elif stated:
            figure.kind = stated
        elif "/" in figure.unit:
            figure.kind = "rate"
        else:
            figure.kind = "level"
        if figure.role is None and _NEW_END.search(lead_in):
            figure.role = "new"


def _resolution(raw: _Raw) -> Decimal:
    """Value of one step in the last written digit: 2.26亿元 → 1000000 (what rounding can hide)."""
    factor = raw.unit.factor if raw.unit is not None else Decimal(1)
    return _tidy(Decimal(1).scaleb(-raw.decimals) * raw.magnitude * factor)


def _check_report_year(report_year: int | None) -> None:
    if report_year is not None and (isinstance(report_year, bool) or not isinstance(report_year, int)
                                    or not 1949 <= report_year <= 2100):
        raise ParameterError(f"report_year must be a year such as 2020 (or None), got {report_year!r}")
