"""Figures shown in their text: ``highlight_html`` and the column headings of both tables.

Every heading and label comes from the message catalogue (``evalkit/data/messages/extract.csv``).
"""
from __future__ import annotations

import html

import pandas as pd

from evalkit import catalogue, i18n
from evalkit._shared.checks import LANGS, Lang, check_lang
from evalkit.errors import ParameterError
from evalkit.extract.columns import require_columns

__all__ = ["COLUMN_LABELS", "KIND_COLOURS", "display_table", "highlight_html", "kind_labels"]

#: Background colour of a figure's mark, by kind.
KIND_COLOURS = {"level": "#fde68a", "change": "#bfdbfe", "change_points": "#bfdbfe", "target": "#bbf7d0",
                "share": "#fbcfe8", "rate": "#fbcfe8", "multiple": "#fbcfe8", "duration": "#ddd6fe",
                "ordinal": "#e5e7eb"}

#: Column headings for display, by report language (keys: the columns of both result tables).
COLUMN_LABELS = {lang: i18n.labels("extract.column", lang) for lang in LANGS}


def kind_labels(lang: Lang = "zh") -> dict[str, str]:
    """The name of each figure kind (``level`` → 水平) in *lang*."""
    return i18n.labels("extract.kind", check_lang(lang))


def highlight_html(text: str, figures: pd.DataFrame, *, lang: Lang = "zh") -> str:
    """*text* as HTML with each figure in a ``<mark>`` whose hover title gives value, unit and subject.

    Parameters
    ----------
    text : str
        The text the figures were extracted from.
    figures : pandas.DataFrame
        The table :func:`~evalkit.extract.extract_figures` returned for *text*.
    lang : {"zh", "en"}
        Language of the hover titles.

    Returns
    -------
    str
        One ``<div>``: all text HTML-escaped, line breaks kept, marks coloured by kind.
    """
    check_lang(lang)
    require_columns(figures, ("start", "end", "value", "unit", "subject", "kind"), "figures",
                    "pass the table extract_figures returned")
    hover = i18n.labels("extract.hover", lang)
    kinds = kind_labels(lang)
    parts, pos = [], 0
    for row in figures.sort_values("start").itertuples(index=False):
        if row.start < pos or row.end > len(text):
            continue
        title = [f"{hover['value']}: {row.value} {row.unit}".rstrip(), f"{hover['subject']}: {row.subject}",
                 f"{hover['kind']}: {kinds.get(row.kind, row.kind)}"]
        if getattr(row, "as_of", None):
            title.append(f"{hover['as_of']}: {row.as_of}")
        if getattr(row, "approx", False):
            title.append(hover["approx"])
        parts.append(html.escape(text[pos:row.start]))
        parts.append(f'<mark style="background:{KIND_COLOURS.get(row.kind, "#fde68a")}" '
                     f'title="{html.escape(" · ".join(title))}">{html.escape(text[row.start:row.end])}</mark>')
        pos = row.end
    parts.append(html.escape(text[pos:]))
    return '<div style="white-space:pre-wrap;line-height:1.9">' + "".join(parts) + "</div>"


#: columns whose values are codes shown through a message prefix
_CODED = {"kind": "extract.kind", "status": "extract.status", "role": "extract.role",
          "panel_status": "extract.panel_status"}
#: yes/no columns
_FLAGS = ("approx", "at_least", "at_most")


def display_table(frame: pd.DataFrame, *, lang: Lang = "zh", columns: list[str] | tuple[str, ...] | None = None,
                  ) -> pd.DataFrame:
    """A figures or reconciliation table as a reader sees it: every code and heading in *lang*.

    Kinds (``level`` → 水平), statuses (``agree`` → 一致), roles (``old``/``new`` → 原/现), the panel's
    status words and yes/no flags (``True`` → 是) come from the message catalogue; the indicator code gives
    way to the indicator's name in *lang*; empty cells stay empty. The figure's own words (``surface``,
    ``subject``, ``unit``, ``bound``) are the report's text and are kept as written.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`~evalkit.extract.extract_figures` output or :attr:`Reconciliation.table`.
    lang : {"zh", "en"}
        Language of headings and labels.
    columns : sequence of str, optional
        The columns to show, in order (default: all but offsets, the figure's unit code and the indicator
        code).

    Returns
    -------
    pandas.DataFrame
        Headings from ``extract.column.*``; numeric columns stay numeric (the report formats them), the
        others are text with empty cells empty.
    """
    check_lang(lang)
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"frame must be the DataFrame of extract_figures or Reconciliation.table, "
                             f"got {type(frame).__name__}")
    if columns is None:
        columns = [c for c in frame.columns if c not in ("start", "end", "dimension", "resolution", "indicator",
                                                          "figure_unit")]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"columns {missing} are not in the table (it has {', '.join(map(str, frame.columns))})")
    out = frame[list(columns)].copy()
    for column, prefix in _CODED.items():
        if column in out:
            words = i18n.labels(prefix, lang)
            out[column] = [words.get(v, v) if isinstance(v, str) else "" for v in out[column]]
    yes_no = i18n.labels("extract.flag", lang)
    for column in _FLAGS:
        if column in out:
            out[column] = [yes_no["yes"] if v is True or v == 1 else yes_no["no"] if v is False or v == 0 else ""
                           for v in out[column]]
    if "indicator_name" in out and "indicator" in frame:
        out["indicator_name"] = [catalogue.indicator_name(code, lang) if isinstance(code, str) and code else ""
                                 for code in frame["indicator"]]
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype(object).where(out[column].notna(), "")
    return out.rename(columns=COLUMN_LABELS[lang])
