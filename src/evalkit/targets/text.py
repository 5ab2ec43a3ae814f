"""Words for :mod:`evalkit.targets`: labels, the target as written in a plan, the narrative and the method note.

Every word comes from the message catalogue (``evalkit/data/messages/targets.csv``) through :func:`evalkit.i18n.t`;
this module only chooses the message and fills in the figures, so a zh text is Chinese throughout and an en text
English throughout.
"""
from __future__ import annotations

import pandas as pd

from evalkit._shared.checks import Lang, check_choice, check_lang
from evalkit._shared.numbers import format_figure, is_missing
from evalkit.i18n import has, t
from evalkit.targets.measures import (
    BASES,
    MET,
    NEARLY_MET,
    NO_TARGET,
    NOT_ASSESSABLE,
    NOT_MET,
    STATUS_KEYS,
    STATUSES,
    Thresholds,
)

__all__ = ["category_text", "label", "method_note", "name_text", "narrative", "percent", "target_text",
           "unit_name", "unit_text"]

#: catalogue keys of codes that are not themselves keys (the Chinese status words, the binding types)
_KEYS = {**STATUS_KEYS, "约束性": "binding", "预期性": "anticipatory"}
#: catalogue keys (``targets.unit.<key>``) of the units of the indicator catalogue
_UNIT_KEYS = {"个": "count", "人": "persons", "人次": "person_times", "元/人": "yuan_person",
              "元/人·年": "yuan_person_year", "元/人·月": "yuan_person_month", "对": "couples", "张": "beds"}


def label(code: object, lang: Lang = "zh") -> str:
    """The reader's word for a status, progress class, reason, target type, binding type or status basis.

    Parameters
    ----------
    code : object
        A status (``完成`` …), class (``significant`` …), reason (``no_baseline`` …), target type, binding
        (``约束性``/``预期性``/``unknown``) or basis (``change``/``level``).
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
        The word; an empty string for a missing code; the code itself when the catalogue has no word for it.
    """
    check_lang(lang)
    if is_missing(code):
        return ""
    key = f"targets.label.{_KEYS.get(str(code), str(code))}"
    return t(key, lang) if has(key) else str(code)


def percent(x: object, decimals: int = 1) -> str:
    """A fraction as a percentage with *decimals* places (``0.909`` → ``90.9%``), ``—`` when missing."""
    return "—" if is_missing(x) else f"{float(x) * 100:.{decimals}f}%"


def target_text(row: dict | pd.Series, lang: Lang = "zh") -> str:
    """The target as written in a plan: ≥30, ≤1.3, 35–40, 达到6.5 / reach 6.5.

    Parameters
    ----------
    row : dict or Series
        A row of :func:`evalkit.targets.assess` (``target_type``, ``target``, ``target_low``, ``target_high``).
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    str
    """
    kind = row.get("target_type")
    if is_missing(kind):
        return ""
    if kind == "range":
        return f"{format_figure(row['target_low'])}–{format_figure(row['target_high'])}"
    if is_missing(row.get("target")):
        return ""
    sign = {"at_least": "≥", "at_most": "≤"}.get(kind)
    value = format_figure(row["target"])
    return f"{sign}{value}" if sign else t("targets.target.reach", lang, value=value)


def name_text(row: dict, lang: Lang) -> str:
    """The indicator's name in *lang* (the other language's name, then the code, when it has none)."""
    keys = (f"name_{lang}", "name_en" if lang == "zh" else "name_zh")
    for k in (*keys, "indicator"):
        if not is_missing(row.get(k)):
            return str(row[k])
    return "?"


def category_text(row: dict, lang: Lang) -> str:
    """The indicator's category in *lang* (``targets.label.other`` when it has none)."""
    for k in (f"category_{lang}", "category"):
        if not is_missing(row.get(k)):
            return str(row[k])
    return t("targets.label.other", lang)


def unit_name(unit: object, lang: Lang) -> str:
    """A catalogue unit in *lang*: ``张`` → ``beds``, ``元/人·月`` → ``yuan per person a month``; ``%`` as is."""
    if is_missing(unit):
        return ""
    key = _UNIT_KEYS.get(str(unit))
    return t(f"targets.unit.{key}", lang) if key else str(unit)


def unit_text(row: dict, lang: Lang) -> str:
    """The unit as it follows a number: ``张`` in Chinese, `` beds`` in English; ``%`` and ``‰`` never spaced."""
    unit = row.get("unit")
    if is_missing(unit):
        return ""
    return str(unit) if unit in ("%", "‰") else t("targets.unit.spaced", lang, unit=unit_name(unit, lang))


def _change(row: dict, lang: Lang, unit: str) -> str:
    change, g = row["annual_change"], row.get("cagr_actual")
    if unit == "%":
        kind, value = "pp", format_figure(abs(change))
    elif not is_missing(g):
        kind, value, change = "growth", f"{abs(g) * 100:.1f}", g
    else:
        kind, value = "change", format_figure(abs(change))
    return t(f"targets.sentence.{kind}_{'up' if change >= 0 else 'down'}", lang, value=value, unit=unit)


def _judgement(row: dict, lang: Lang, unit: str) -> str:
    if row["status"] == NO_TARGET:
        cls = label(row.get("progress_class"), lang)
        return t("targets.sentence.no_target", lang) + (t("targets.sentence.trend", lang, cls=cls) if cls else "")
    fields = {"target": target_text(row, lang), "unit": unit, "completion": percent(row["completion"]),
              "status": label(row["status"], lang)}
    if is_missing(row.get("gap_closed")):
        text = t("targets.sentence.target", lang, **fields)
    else:
        text = t("targets.sentence.target_change", lang, change=percent(row["gap_closed"]), **fields)
    if row.get("moved_away") is True:
        text += t("targets.sentence.moved_away", lang)
    cls, ratio = label(row.get("progress_class"), lang), row.get("progress_ratio")
    if cls:
        text += t("targets.sentence.progress", lang, cls=cls)
        if not is_missing(ratio):
            text += t("targets.sentence.ratio", lang, ratio=f"{ratio * 100:.0f}")
    return text


def _sentence(row: dict, lang: Lang) -> str:
    name, unit = name_text(row, lang), unit_text(row, lang)
    if row["status"] == NOT_ASSESSABLE:
        return t("targets.sentence.not_assessable", lang, name=name, why=label(row.get("reason"), lang))
    text = t("targets.sentence.values", lang, name=name, year=int(row["end_year"]), actual=format_figure(row["actual"]),
             base_year=int(row["baseline_year"]), baseline=format_figure(row["baseline"]), unit=unit)
    if not is_missing(row.get("annual_change")):
        text += _change(row, lang, unit)
    text += _judgement(row, lang, unit)
    nat = row.get("national_actual")
    if not is_missing(nat):
        text += t("targets.sentence.national", lang, value=format_figure(nat), unit=unit)
    return text + t("targets.sentence.end", lang)


def _summary(rows: list[dict], category: str, lang: Lang) -> str:
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    n_target = len(rows) - counts[NO_TARGET]
    key = "targets.sentence.summary_one" if len(rows) == 1 else "targets.sentence.summary"
    text = t(key, lang, category=category, n=len(rows), n_target=n_target)
    items = [t("targets.sentence.count_item", lang, n=counts[s], label=label(s, lang))
             for s in (MET, NEARLY_MET, NOT_MET, NOT_ASSESSABLE) if counts[s]]
    if items:
        text += t("targets.sentence.count_list", lang, items=t("targets.sentence.list_sep", lang).join(items))
    return text + t("targets.sentence.end", lang)


def narrative(assessment: pd.DataFrame, *, lang: Lang = "zh") -> dict[str, str]:
    """A short paragraph per category with the figures of :func:`evalkit.targets.assess`.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`evalkit.targets.assess`.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    dict
        Category name (in *lang*) → paragraph, in the order the categories appear. Each paragraph
        opens with the count of indicators by status, then one sentence per indicator: end and
        baseline values, annual growth, target, both completion conventions, status and progress
        class, and the national value where there is one.
    """
    check_lang(lang)
    out: dict[str, list[dict]] = {}
    for row in assessment.to_dict("records"):
        out.setdefault(category_text(row, lang), []).append(row)
    return {cat: "".join([_summary(rows, cat, lang), *(_sentence(r, lang) for r in rows)]).rstrip()
            for cat, rows in out.items()}


def method_note(lang: Lang = "zh", thresholds: Thresholds | None = None, *, basis: str = "auto") -> str:
    """How the table was computed, in a few lines, with the thresholds and the status basis in force.

    Parameters
    ----------
    lang : {"zh", "en"}
        Language.
    thresholds : Thresholds, optional
        The thresholds passed to :func:`evalkit.targets.assess`.
    basis : {"auto", "change", "level"}
        The *basis* passed to :func:`evalkit.targets.assess` (``"gap"`` is read as ``"change"``): the note says
        which completion convention set the status.

    Returns
    -------
    str
    """
    check_lang(lang)
    basis = "change" if basis == "gap" else basis
    check_choice("basis", basis, BASES)
    th = thresholds or Thresholds()
    return "\n".join([
        t("targets.note.completion", lang),
        t(f"targets.note.basis_{basis}", lang),
        t("targets.note.status", lang, nearly_met=f"{th.nearly_met:.0%}"),
        t("targets.note.progress", lang, significant=f"{th.significant:.0%}", moderate=f"{th.moderate:.0%}",
          trend=f"{th.trend_progress:.0%}"),
    ])
