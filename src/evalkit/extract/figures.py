"""``extract_figures``: every figure in a text, one row each."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd

from evalkit.errors import ParameterError
from evalkit.extract.columns import FIGURE_COLUMNS
from evalkit.extract.context import _check_report_year, _describe, _resolution
from evalkit.extract.grammar import _scan, _share_units
from evalkit.extract.numerals import _FOLD_TABLE, _tidy
from evalkit.extract.tables import table_raws

__all__ = ["extract_figures"]


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
            ``level``; ``change`` (提高6.2%, 新建203个); ``change_points`` (提高2.5个百分点); ``share`` (%, ‰,
            三成, 四分之一, 近1/4 stated as a level); ``rate`` (a unit with a denominator: 元/人·月, 张/千人);
            ``duration`` (15年左右, 6个月); ``multiple`` (2.1倍, 翻一番); ``ordinal`` (第五批, 五届,
            十六次常委会议); ``target`` (目标, 力争, 民生实事, 到2025年…: the kind wins over the others).
        ``as_of``
            ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` from 截至…/…年底 earlier in the sentence, else missing.
        ``approx``
            True for 余, 多, 近, 约, 超过, 左右, 以上… (the figure is a bound or an estimate).
        ``at_least``, ``at_most``, ``bound``
            Whether the figure is a lower bound (以上, 超过, 不低于, 余, 多…) or an upper bound (近, 以内, 不足,
            不超过…), and the bound words as written (``;``-separated; ``None`` when there are none). The
            words and what they bound are the table ``evalkit/data/extract_bounds.csv``.
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
    rows_of_tables = table_raws(norm, raws)
    if rows_of_tables:
        raws = sorted(raws + rows_of_tables, key=lambda r: r.start)
    rows = []
    for figure in _describe(text, norm, raws, report_year):
        raw = figure.raw
        factor = raw.unit.factor if raw.unit is not None else Decimal(1)
        value = _tidy(raw.mantissa * raw.magnitude * factor)
        rows.append({
            "sentence_index": figure.sentence, "start": raw.start, "end": raw.end,
            "surface": text[raw.start:raw.end], "value": value, "unit": figure.unit, "dimension": figure.dimension,
            "subject": figure.subject, "kind": figure.kind, "as_of": figure.as_of, "approx": raw.approx,
            "at_least": raw.at_least, "at_most": raw.at_most, "bound": raw.bound or None,
            "low": value if raw.high is not None else None,
            "high": _tidy(raw.high * factor) if raw.high is not None else None,
            "role": figure.role, "resolution": _resolution(raw),
        })
    dtypes = {"sentence_index": "int64", "start": "int64", "end": "int64", "approx": "bool", "at_least": "bool",
              "at_most": "bool"}
    # Decimals and optional labels stay Python objects (None, not NaN, where there is nothing).
    return pd.DataFrame({col: pd.Series([r[col] for r in rows], dtype=dtypes.get(col, object))
                         for col in FIGURE_COLUMNS})
