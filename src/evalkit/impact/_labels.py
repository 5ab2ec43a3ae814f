"""Reader-facing tables of the impact results: column headers and yes/no cells in the report's language.

Result tables keep their code column names (``group``, ``att``, ``se`` …) for computation; :func:`labelled`
gives the copy a report shows, with headers from the catalogue (``impact.col.*``) and booleans as 是/否 or
yes/no.
"""
from __future__ import annotations

import pandas as pd

from evalkit import i18n
from evalkit._shared.checks import Lang, check_lang

__all__ = ["labelled", "number"]


def labelled(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """A copy of *frame* with headers and boolean cells in *lang* (unknown headers are kept as they are)."""
    check_lang(lang)
    names = i18n.labels("impact.col", lang)
    yes, no = i18n.t("common.yes", lang), i18n.t("common.no", lang)
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: yes, False: no})
    out.columns = [names.get(str(c), str(c)) for c in out.columns]
    if out.index.name is not None:
        out.index = out.index.rename(names.get(str(out.index.name), str(out.index.name)))
    return out


def number(value: float, decimals: int = 3) -> str:
    """A number in running text: fixed decimals with separators, ``—`` when missing."""
    from evalkit._shared.numbers import format_fixed

    return format_fixed(float(value), decimals)
