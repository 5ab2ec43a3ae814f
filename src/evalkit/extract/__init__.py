"""Figures from Chinese work-report text, and their reconciliation with the panel.

A work summary (工作总结) states dozens of figures — 提高6.2%, 2.26亿元, 66.74万人次, 每人每月612元, 11类24项.
:func:`extract_figures` finds each one and returns its exact value (a :class:`decimal.Decimal`, magnitudes
folded: ``2.26亿元`` → 226000000 元), its unit, what it counts, what kind of statement it is (a level, a
change, a share, a rate, a duration, a multiple, a target or an ordinal), the date it refers to and whether it
is approximate or a bound.
:func:`reconcile` matches figures to catalogue indicators and compares them with the panel.

The grammar is rule-based and written for this genre (see ``../shared/research/zh_number_libraries.md``):

* numbers: Arabic (full-width digits, ``1,234.5``, ``16 221``) or Chinese (``三十五万``, ``百分之九十三``,
  ``四十二点四八万``); Chinese numerals go through :mod:`cn2an`, Arabic ones are read exactly in Decimal;
* a number is a figure only when a unit from ``evalkit/data/figure_units.csv`` (or, for Arabic digits, a
  magnitude 万/亿) follows it. So list markers (一是, 1.), names (十三五, 五保, “两项补贴”), dates
  (5月底, 60年代, 2020年, 民国25年), deadlines (6个月内), names and idioms (十二年教育, 千家万户; the table
  ``evalkit/data/extract_not_figures.csv``) and document numbers (2020版) are not figures;
* ``第五批`` is an ordinal (``kind="ordinal"``), never an amount; ``每万人``/``每千名`` is a denominator;
* ranges (``10%-15%``, ``3至5万人``) keep both ends in ``low``/``high``; lists (``8%、13%``,
  ``3、5个``) share the unit written after the last item; ``从450元提高到500元`` gives an ``old`` and a
  ``new`` figure; rate prefixes (``每人每月``…元) turn 元 into ``元/人·月``;
* the subject is the nearest noun phrase: after a measure word (``1779名事实无人抚养儿童``), else before
  the number (``发放残疾人“两项补贴”2.26亿元``); ``分别`` pairs listed subjects with listed figures.

Extraction never raises on text: anything it cannot read with confidence is left out.
"""
from __future__ import annotations

from evalkit.extract.columns import FIGURE_COLUMNS, RECONCILE_COLUMNS, Kind, Status
from evalkit.extract.display import COLUMN_LABELS, display_table, highlight_html
from evalkit.extract.figures import extract_figures
from evalkit.extract.files import extract_file, read_report
from evalkit.extract.lexicon import grammar_tables
from evalkit.extract.numerals import parse_chinese_numeral, unit_table
from evalkit.extract.reconcile import Reconciliation, reconcile

__all__ = [
    "COLUMN_LABELS",
    "FIGURE_COLUMNS",
    "RECONCILE_COLUMNS",
    "Kind",
    "Reconciliation",
    "Status",
    "display_table",
    "extract_figures",
    "extract_file",
    "grammar_tables",
    "highlight_html",
    "parse_chinese_numeral",
    "read_report",
    "reconcile",
    "unit_table",
]
