"""Figures shown in their text: ``highlight_html`` and the column headings of both tables.

Every heading and label comes from the message catalogue (``evalkit/data/messages/extract.csv``).
"""
from __future__ import annotations

import html

import pandas as pd

from evalkit import i18n
from evalkit._shared.checks import LANGS, Lang, check_lang
from evalkit.extract.columns import require_columns

__all__ = ["COLUMN_LABELS", "KIND_COLOURS", "highlight_html", "kind_labels"]

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
