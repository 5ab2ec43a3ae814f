"""The assessment as a workbook: every table of the report in full, for 100 units as for 14.

A page shows the two ends of a long ranking (:func:`evalkit.composite.top_bottom`); the workbook written by
:func:`export_excel` holds all rows, in the report's language.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from evalkit import i18n
from evalkit._shared.checks import check_lang
from evalkit.composite.results import CompositeResult, SensitivityResult, UncertaintyResult
from evalkit.io.excel import write_excel

__all__ = ["export_excel"]


def export_excel(path: str | os.PathLike, result: CompositeResult, *, uncertainty: UncertaintyResult | None = None,
                 sensitivity: SensitivityResult | None = None, names: Mapping[str, str] | None = None,
                 unit_label: str | None = None, lang: str = "zh") -> Path:
    """Write the assessment's full tables to one workbook (atomically) and return its path.

    Parameters
    ----------
    path : str or PathLike
        The ``.xlsx`` file to write, e.g. ``reports/city_assessment/equal.xlsx``.
    result : CompositeResult
        The nominal assessment: its ranking (index and category scores), the category weights and the step log.
    uncertainty : UncertaintyResult, optional
        Adds the rank interval of every unit.
    sensitivity : SensitivityResult, optional
        Adds the Sobol indices and the rank change of every unit when each category is dropped; without
        *uncertainty*, the rank intervals come from its 2n random runs (``sensitivity.rank_table``).
    names : mapping, optional
        Unit code → name in *lang* (the code stays in its own column).
    unit_label : str, optional
        Header of the name column (e.g. 城市 / county).
    lang : {"zh", "en"}
        Language of sheet names, headers and labels.
    """
    check_lang(lang)
    sheet = i18n.labels("composite.sheet", lang)
    code = i18n.t("composite.ranking.code", lang)
    ranking = result.ranking(lang=lang, names=names, name_label=unit_label)
    sheets = {sheet["ranking"]: ranking.reset_index(), sheet["weights"]: result.weights_at(2, lang=lang).reset_index()}
    intervals = uncertainty if uncertainty is not None else sensitivity
    if intervals is not None:
        ranks = intervals.rank_table(lang, names=None, unit_label=code)
        if names is not None:
            label = unit_label or i18n.t("composite.ranking.name", lang)
            ranks.insert(0, label, [names.get(c, c) for c in ranks.index])
        sheets[sheet["ranks"]] = ranks.reset_index()
    if sensitivity is not None:
        sheets[sheet["sobol"]] = sensitivity.index_table(lang).reset_index()
        changes = sensitivity.removal.change_table(lang, element_names=result.hierarchy.names(lang), unit_label=code)
        changes = changes.reindex(ranking.index.rename(code))
        if names is not None:
            changes.insert(0, unit_label or i18n.t("composite.ranking.name", lang),
                           [names.get(c, c) for c in changes.index])
        sheets[sheet["removal"]] = changes.reset_index()
    sheets[sheet["steps"]] = result.log_frame(lang)
    return write_excel(sheets, path, title=sheet["title"])
