"""The grammar tables kept as data: rate denominators, bound words and what is not a figure.

``evalkit/data/extract_rates.csv``
    ``prefix,per``: a word before a figure in its clause that gives its denominator (每千名老年人…张 → 张/千人).
``evalkit/data/extract_bounds.csv``
    ``word,position,at_least,at_most``: 约, 近, 超过, 以上, 以内, 不低于, 左右, 余, 多… and what bound they state.
``evalkit/data/extract_not_figures.csv``
    ``class,text``: eras before a year (民国25年), names and idioms containing numerals (十二年教育, 一老一小,
    千家万户), and words after 次/届 that make a count an ordinal (十六次常委会议).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd

__all__ = ["grammar_tables"]


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("evalkit").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class _Bound:
    word: str
    position: str
    at_least: bool
    at_most: bool


@dataclass(frozen=True)
class _Lexicon:
    rates: dict[str, str]              # prefix → denominator
    rate_prefix: re.Pattern            # any prefix, longest first
    per_head: re.Pattern               # a 每… prefix at the start of a text
    per_tail: re.Pattern               # a 每… prefix at the end of a text
    before: tuple[_Bound, ...]         # bound words before the number, longest first
    after: tuple[_Bound, ...]          # bound words after the figure
    inside: dict[str, _Bound]          # 余/多 between number and unit
    bound: dict[str, _Bound]           # every before/after word
    before_pattern: re.Pattern         # a before word ending where the number starts
    after_pattern: re.Pattern          # an after word starting where the figure ends
    eras: tuple[str, ...]
    names: re.Pattern | None           # names and idioms containing numerals
    ordinal_after: tuple[str, ...]


def _longest_first(words) -> list[str]:
    return sorted(set(words), key=lambda w: -len(w))


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    rates = {row["prefix"]: row["per"] for row in _read("extract_rates.csv")}
    bounds = [_Bound(r["word"], r["position"], r["at_least"] == "1", r["at_most"] == "1")
              for r in _read("extract_bounds.csv")]
    not_figures = _read("extract_not_figures.csv")
    by_class: dict[str, list[str]] = {}
    for row in not_figures:
        by_class.setdefault(row["class"], []).append(row["text"])
    words = _longest_first(by_class.get("name", []) + by_class.get("idiom", []))
    return _Lexicon(
        rates=rates,
        rate_prefix=re.compile("|".join(map(re.escape, _longest_first(rates)))),
        per_head=re.compile("|".join(map(re.escape, _longest_first(p for p in rates if p.startswith("每"))))),
        per_tail=re.compile("(?:" + "|".join(map(re.escape, _longest_first(p for p in rates if p.startswith("每"))))
                            + ")$"),
        before=tuple(sorted((b for b in bounds if b.position == "before"), key=lambda b: -len(b.word))),
        after=tuple(sorted((b for b in bounds if b.position == "after"), key=lambda b: -len(b.word))),
        inside={b.word: b for b in bounds if b.position == "inside"},
        bound={b.word: b for b in bounds if b.position != "inside"},
        before_pattern=re.compile("(?:" + "|".join(
            re.escape(b.word) for b in sorted(bounds, key=lambda b: -len(b.word)) if b.position == "before") + ")$"),
        after_pattern=re.compile("|".join(
            re.escape(b.word) for b in sorted(bounds, key=lambda b: -len(b.word)) if b.position == "after")),
        eras=tuple(_longest_first(by_class.get("era", []))),
        names=re.compile("|".join(map(re.escape, words))) if words else None,
        ordinal_after=tuple(_longest_first(by_class.get("ordinal_after", []))),
    )


def grammar_tables() -> dict[str, pd.DataFrame]:
    """The three grammar tables the extractor reads, as DataFrames (``rates``, ``bounds``, ``not_figures``).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``rates`` (prefix → denominator), ``bounds`` (word, position, at_least, at_most) and ``not_figures``
        (class, text): the CSV files in ``evalkit/data/`` an analyst extends instead of the code.
    """
    return {
        "rates": pd.DataFrame(_read("extract_rates.csv")),
        "bounds": pd.DataFrame(_read("extract_bounds.csv")),
        "not_figures": pd.DataFrame(_read("extract_not_figures.csv")),
    }
