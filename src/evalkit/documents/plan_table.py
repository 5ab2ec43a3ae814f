"""The 十四五 main-indicator table in the plan's own form, one Word file per scenario plus a comparison.

The table has the columns of a five-year plan's main-indicator table — 类别 | 序号 | 指标 | 单位 | 2020年 |
2025年 | 年均增长/累计 | 属性 (约束性/预期性) — and a note column with the probability of attaining each proposed
target under the scenario. The input is :func:`evalkit.scenarios.propose_targets` output.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from evalkit import catalogue, i18n, paths
from evalkit._shared.checks import check_lang
from evalkit._shared.numbers import format_figure, is_missing
from evalkit.documents.layout import new_draft
from evalkit.documents.result import DocumentResult
from evalkit.errors import ColumnError, ParameterError
from evalkit.scenarios import unit_label

__all__ = ["PROPOSAL_COLUMNS", "comparison_table", "indicator_table", "plan_tables", "proposal_frame"]

#: columns of :func:`evalkit.scenarios.propose_targets` that the tables read
PROPOSAL_COLUMNS = ("indicator", "name_zh", "unit", "base_year", "base", "year", "proposed", "probability",
                    "binding")
_RATE_UNITS = ("%", "‰")


def _t(key: str, lang: str, **fields) -> str:
    return i18n.t(f"documents.{key}", lang, **fields)


def _check(proposals: pd.DataFrame, name: str = "proposals") -> None:
    if not isinstance(proposals, pd.DataFrame):
        raise ParameterError(f"{name} must be the DataFrame from evalkit.scenarios.propose_targets, "
                             f"got {type(proposals).__name__}")
    missing = [c for c in PROPOSAL_COLUMNS if c not in proposals.columns]
    if missing:
        raise ColumnError(f"{name}: missing column(s) {', '.join(missing)}; pass the frame returned by "
                          "evalkit.scenarios.propose_targets")


def _category(code: str, lang: str) -> str:
    try:
        return catalogue.category_name(catalogue.indicator(code).category, lang)
    except ParameterError:
        return _t("other", lang)


def _category_order(code: str) -> int:
    """Position of the indicator's category in the catalogue (plan order); unknown categories last."""
    table = catalogue.indicators()
    order = list(dict.fromkeys(table["category"]))
    try:
        return order.index(catalogue.indicator(code).category)
    except ParameterError:
        return len(order)


def _growth(row: pd.Series, lang: str) -> str:
    """年均增长 x% for levels, 累计提高 x 个百分点 for rates (%, ‰)."""
    base, target, years = row["base"], row["proposed"], int(row["year"]) - int(row["base_year"])
    if is_missing(base) or is_missing(target) or years <= 0:
        return "—"
    if str(row["unit"]) in _RATE_UNITS:
        key = "growth.points_pct" if str(row["unit"]) == "%" else "growth.points_permille"
        return _t(key, lang, change=f"{float(target) - float(base):+.2g}" if abs(float(target) - float(base)) < 1
                  else f"{float(target) - float(base):+.1f}")
    if float(base) <= 0:
        return "—"
    return _t("growth.cagr", lang, rate=f"{((float(target) / float(base)) ** (1 / years) - 1) * 100:.1f}")


def _figure(value: object, code: str) -> str:
    """A value with the catalogue's decimals for the indicator (``8,486.3``, ``47.0``), else as a figure."""
    if is_missing(value):
        return "—"
    try:
        return f"{float(value):,.{catalogue.indicator(code).decimals}f}"
    except ParameterError:
        return format_figure(value)


def _figures(values: pd.Series, codes) -> list[str]:
    return [_figure(v, c) for v, c in zip(values, codes)]


def _binding(value: object, lang: str) -> str:
    text = str(value)
    labels = i18n.labels("documents.binding", lang)
    return {"约束性": labels["binding"], "预期性": labels["expected"]}.get(text, labels["unknown"])


def _name(row: pd.Series, lang: str) -> str:
    value = row.get(f"name_{lang}")
    return str(row["name_zh"]) if is_missing(value) else str(value)


def proposal_frame(proposals: pd.DataFrame, *, lang: str = "zh", compact: bool = False) -> pd.DataFrame:
    """The plan-form indicator table of one scenario's proposals (display frame, columns in *lang*).

    ``compact=True`` gives the narrower table of a report chapter: 类别 | 指标 | 单位 | 2020年 | 2025年 | 属性 |
    实现概率.
    """
    check_lang(lang)
    _check(proposals)
    rows = proposals.assign(_category=[_category(c, lang) for c in proposals["indicator"]],
                            _order=[_category_order(c) for c in proposals["indicator"]])
    rows = rows.sort_values("_order", kind="stable")
    base_year, year = int(rows["base_year"].iloc[0]), int(rows["year"].iloc[0])
    note = []
    for _, row in rows.iterrows():
        text = _t("note.probability", lang, probability=f"{float(row['probability']):.0%}")
        if "prob_stated_target" in row and not is_missing(row.get("prob_stated_target")):
            text += _t("note.stated", lang, target=format_figure(row["stated_target"]),
                       probability=f"{float(row['prob_stated_target']):.0%}")
        note.append(text)
    out = pd.DataFrame({
        _t("col.category", lang): rows["_category"].to_list(),
        _t("col.number", lang): range(1, len(rows) + 1),
        _t("col.indicator", lang): [_name(r, lang) for _, r in rows.iterrows()],
        _t("col.unit", lang): [unit_label(u, lang) for u in rows["unit"]],
        _t("col.year", lang, year=base_year): _figures(rows["base"], rows["indicator"]),
        _t("col.year", lang, year=year): _figures(rows["proposed"], rows["indicator"]),
        _t("col.growth", lang): [_growth(r, lang) for _, r in rows.iterrows()],
        _t("col.binding", lang): [_binding(b, lang) for b in rows["binding"]],
        _t("col.note", lang): note,
    })
    if compact:
        out = out.drop(columns=[_t("col.number", lang), _t("col.growth", lang), _t("col.note", lang)])
        out[_t("col.probability", lang)] = [f"{float(p):.0%}" for p in rows["probability"]]
    return out


def comparison_table(proposals: Mapping[str, pd.DataFrame], *, lang: str = "zh") -> pd.DataFrame:
    """Proposed 2025 targets side by side, one column per scenario (scenario label → proposals)."""
    check_lang(lang)
    if not proposals:
        raise ParameterError("proposals is empty: give at least one scenario label and its propose_targets frame")
    first = None
    columns = {}
    for label, frame in proposals.items():
        _check(frame, f"proposals[{label!r}]")
        frame = frame.set_index("indicator")
        if first is None:
            first = frame
        columns[_t("col.scenario", lang, scenario=label)] = pd.Series(_figures(frame["proposed"], frame.index),
                                                                     index=frame.index)
    out = pd.DataFrame({
        _t("col.indicator", lang): [_name(r, lang) for _, r in first.iterrows()],
        _t("col.unit", lang): [unit_label(u, lang) for u in first["unit"]],
        _t("col.year", lang, year=int(first["base_year"].iloc[0])): _figures(first["base"], first.index),
    })
    for name, col in columns.items():
        out[name] = col.reindex(first.index).fillna("—").to_list()
    return out.reset_index(drop=True)


def _write(path: Path, frame: pd.DataFrame, *, title: str, caption: str, note: str, illustrative: bool, lang: str,
           kind: str) -> DocumentResult:
    draft = new_draft(lang=lang, title=title, landscape=True)
    draft.title(title)
    if illustrative:
        draft.centred(i18n.t("common.illustrative_banner", lang), size=14)
    draft.table(frame, caption, decimals=2, align_left=[_t("col.indicator", lang), _t("col.note", lang)])
    draft.paragraph(note)
    out = draft.save(path)
    return DocumentResult(out, kind, lang, pd.DataFrame(draft.outline, columns=["level", "heading"]),
                          draft.tables, draft.figures, illustrative)


def indicator_table(path: str | Path, proposals: pd.DataFrame, *, scenario: str, illustrative: bool,
                    lang: str = "zh") -> DocumentResult:
    """Write one scenario's 十四五 main-indicator table (.docx, A4 landscape, GB/T 9704 type).

    Parameters
    ----------
    path : str or Path
        Where to write (atomically).
    proposals : DataFrame
        :func:`evalkit.scenarios.propose_targets` output for the scenario.
    scenario : str
        The scenario's label as shown to readers (e.g. ``result.scenario.label(lang)``).
    illustrative : bool
        Whether the projections rest on illustrative data; the table then carries the notice.
    lang : {"zh", "en"}
        Language of the document.
    """
    frame = proposal_frame(proposals, lang=lang)
    level = float(proposals["probability"].iloc[0])
    return _write(Path(path), frame, title=_t("plan.title", lang, scenario=scenario),
                  caption=_t("plan.caption", lang, scenario=scenario),
                  note=_t("plan.note", lang, probability=f"{level:.0%}"), illustrative=illustrative, lang=lang,
                  kind="plan_table")


def plan_tables(folder: str | Path, proposals: Mapping[str, pd.DataFrame], *, illustrative: bool,
                labels: Mapping[str, str] | None = None, lang: str = "zh", write: Sequence[str] | None = None,
                comparison: bool = True) -> list[DocumentResult]:
    """One indicator table per scenario (``<folder>/<scenario>.docx``) and ``comparison.docx``.

    Parameters
    ----------
    folder : str or Path
        Folder of the files (created if missing).
    proposals : mapping
        Scenario name (used in the file name) → its :func:`evalkit.scenarios.propose_targets` frame. The
        comparison has every scenario given here.
    illustrative : bool
        Whether the projections rest on illustrative data (the files then carry the notice).
    labels : mapping, optional
        Scenario name → the label shown (default: the name).
    lang : {"zh", "en"}
        Language; English files get an ``_en`` suffix.
    write : sequence of str, optional
        The scenarios whose own table is written (default: all). A batch that runs one scenario per job
        writes only its own file, so that parallel jobs never write the same file.
    comparison : bool
        Whether to write ``comparison.docx`` (in a batch: only in one job, e.g. the baseline's).

    Returns
    -------
    list of DocumentResult
        The files written, the per-scenario tables first.
    """
    check_lang(lang)
    folder = Path(folder)
    suffix = "" if lang == paths.DEFAULT_LANG else f"_{lang}"
    labels = dict(labels or {})
    names = list(proposals) if write is None else [write] if isinstance(write, str) else list(write)
    for name in names:
        if name not in proposals:
            raise ParameterError(f"write={name!r} is not a scenario of proposals ({', '.join(proposals)})")
    out = [indicator_table(folder / f"{name}{suffix}.docx", proposals[name], scenario=labels.get(name, name),
                           illustrative=illustrative, lang=lang) for name in names]
    if not comparison:
        return out
    shown = {labels.get(name, name): frame for name, frame in proposals.items()}
    level = float(next(iter(proposals.values()))["probability"].iloc[0])
    out.append(_write(folder / f"comparison{suffix}.docx", comparison_table(shown, lang=lang),
                      title=_t("plan.comparison_title", lang), caption=_t("plan.comparison_caption", lang),
                      note=_t("plan.note", lang, probability=f"{level:.0%}"), illustrative=illustrative, lang=lang,
                      kind="plan_comparison"))
    return out
