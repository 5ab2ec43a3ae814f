"""Tables of :mod:`evalkit.targets` as a reader sees them.

The evaluation table, the national and peer tables, the traffic-light Styler and the Excel export. Headers and
cell words come from the message catalogue.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from evalkit._shared.checks import Lang, check_lang
from evalkit._shared.numbers import format_figure, is_missing
from evalkit.errors import ParameterError
from evalkit.i18n import has, t
from evalkit.targets.measures import MET, NEARLY_MET, NOT_ASSESSABLE, NOT_MET
from evalkit.targets.peers import PeerComparison
from evalkit.targets.text import category_text, label, name_text, target_text, unit_name

__all__ = ["CLASS_LIGHTS", "STATUS_LIGHTS", "display_table", "export_excel", "national_table", "peer_table",
           "style_status", "traffic_lights"]

#: traffic light of each status in the house colours of :data:`evalkit.plots.STATUS_COLOURS`
STATUS_LIGHTS = {MET: "good", NEARLY_MET: "fair", NOT_MET: "poor", NOT_ASSESSABLE: "na"}
#: traffic light of each progress class
CLASS_LIGHTS = {
    "significant": "good", "significant_progress": "good", "moderate": "good", "moderate_progress": "good",
    "insufficient": "fair", "moderate_away": "fair", "away": "poor", "significant_away": "poor",
}

# (column, format) of the evaluation table; the header is the message targets.head.<column without "_">.
_TABLE = (
    ("_category", "text"), ("_indicator", "text"), ("unit", "text"), ("binding", "text"),
    ("baseline_year", "year"), ("baseline", "num"), ("actual", "num"), ("_target", "text"),
    ("completion", "pct"), ("gap_closed", "pct"), ("status", "text"), ("cagr_actual", "pct"),
    ("cagr_required", "pct"), ("progress_ratio", "pct"), ("progress_class", "text"), ("_note", "text"),
)
#: text columns that must keep a readable width (a Chinese name is never set one character per line); an English
#: character is about half an em wide, so English columns need about twice the width for the same characters
_MIN_WIDTH = {"zh": {"_indicator": "7em", "_category": "5em", "_note": "6em"},
              "en": {"_indicator": "11em", "_category": "7em", "_note": "9em"}}


def _header(column: str, lang: Lang) -> str:
    return t(f"targets.head.{column.lstrip('_')}", lang)


def _note(row: dict, lang: Lang) -> str:
    if row["status"] == NOT_ASSESSABLE or row.get("reason") == "no_baseline_level":
        return label(row.get("reason"), lang)
    return label("moved_away", lang) if row.get("moved_away") is True else ""


def display_table(assessment: pd.DataFrame, *, lang: Lang = "zh") -> pd.DataFrame:
    """The evaluation table as a reader sees it: headers, statuses and classes in *lang*.

    Both completion conventions are columns: the level ratio 实际/目标 (``completion``) and the share of
    the required change (实际−基期)/(目标−基期) (``gap_closed``). Numbers stay numbers (completion and
    growth as fractions) so that a Styler or Excel can format them; words come from the catalogue.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`evalkit.targets.assess`.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    DataFrame
    """
    check_lang(lang)
    rows = assessment.to_dict("records")
    derived = {
        "_category": [category_text(r, lang) for r in rows],
        "_indicator": [name_text(r, lang) for r in rows],
        "_target": [target_text(r, lang) for r in rows],
        "_note": [_note(r, lang) for r in rows],
    }
    out = {}
    for key, _ in _TABLE:
        if key in derived:
            values = derived[key]
        elif key in ("status", "progress_class", "binding"):
            values = [label(v, lang) for v in assessment[key]]
        elif key == "unit":
            values = [unit_name(v, lang) for v in assessment[key]]
        else:
            values = assessment[key].to_numpy()
        out[_header(key, lang)] = values
    return pd.DataFrame(out)


def _formats(lang: Lang) -> dict[str, str]:
    return {_header(key, lang): kind for key, kind in _TABLE}


def traffic_lights(lang: Lang = "zh") -> dict[str, str]:
    """Colour of every status and progress-class word in *lang* (for ``report.table(highlight=…)``).

    Parameters
    ----------
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    dict
        Word → CSS colour.
    """
    from evalkit.plots import STATUS_COLOURS  # matplotlib: loaded when a table is styled, not on import

    check_lang(lang)
    return {label(code, lang): STATUS_COLOURS[light] for code, light in {**STATUS_LIGHTS, **CLASS_LIGHTS}.items()}


def style_status(assessment: pd.DataFrame, *, lang: Lang = "zh", caption: str | None = None):
    """The evaluation table as a traffic-light Styler in the house table style.

    Status cells are green (完成), amber (基本完成), red (未完成) or grey (不可评估); progress-class
    cells are green for significant or moderate progress, amber for insufficient progress or
    moderate movement away, red for movement away. Name, category and note columns keep a minimum
    width so that a long Chinese name wraps into lines of several characters, never one per line.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`evalkit.targets.assess`.
    lang : {"zh", "en"}
        Language.
    caption : str, optional
        Table caption.

    Returns
    -------
    pandas.io.formats.style.Styler
    """
    from evalkit.report import table

    frame = display_table(assessment, lang=lang)
    kinds = _formats(lang)
    lights = traffic_lights(lang)
    styler = table(
        frame, caption=caption,
        percent=[c for c, k in kinds.items() if k == "pct"],
        formats={c: format_figure for c, k in kinds.items() if k == "num"},
        highlight={_header("status", lang): lights, _header("progress_class", lang): lights},
    )
    for key, width in _MIN_WIDTH[lang].items():
        styler = styler.set_properties(subset=[_header(key, lang)], **{"min-width": width, "white-space": "normal"})
    # a header of four or more Chinese characters keeps at least two of them per line (基期年份, 实际年均增速)
    wide = {c: [{"selector": "th", "props": "min-width: 4.5em;"}] for c in frame.columns
            if len(re.findall(r"[\u4e00-\u9fff]", str(c))) >= 4}
    return styler.set_table_styles(wide, overwrite=False) if wide else styler


def _sources(assessment: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    heads = [t(f"targets.head.{k}", lang)
             for k in ("indicator", "figure", "year", "figure_value", "source", "data_status")]
    what = [t(f"targets.figure.{k}", lang) for k in ("baseline", "actual", "target", "national")]
    rows = []
    for r in assessment.to_dict("records"):
        figures = (
            (r["baseline"], r["baseline_year"], r.get("baseline_source"), r.get("baseline_status")),
            (r["actual"], r["end_year"], r.get("actual_source"), r.get("actual_status")),
            (target_text(r, lang), r["target_year"], r.get("target_source"), "plan"),
            (r.get("national_actual"), r["end_year"], r.get("national_source"), r.get("national_status")),
        )
        for i, (val, year, src, status) in enumerate(figures):
            if is_missing(val) or val == "":
                continue
            rows.append((name_text(r, lang), what[i], None if is_missing(year) else int(year),
                         val if isinstance(val, str) else format_figure(val), "" if is_missing(src) else src,
                         "" if is_missing(status) else _data_status(status, lang)))
    return pd.DataFrame(rows, columns=heads)


def _data_status(status: object, lang: Lang) -> str:
    key = f"targets.data_status.{status}"
    return t(key, lang) if has(key) else str(status)


def export_excel(assessment: pd.DataFrame, path: str | os.PathLike, *, lang: Lang = "zh") -> Path:
    """Write the evaluation table and the source of every figure to a formatted ``.xlsx``.

    Sheet 1 is :func:`display_table` with percent formats on completion and growth columns; where
    national figures exist, a second sheet is :func:`national_table`; the last sheet (数据来源 / sources) lists
    each baseline, end value, target and national value with its source and data status.
    Formatting and the atomic write are :func:`evalkit.io.write_excel`'s.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`evalkit.targets.assess`.
    path : str or path-like
        The ``.xlsx`` file to write.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    Path
    """
    from evalkit.io import write_excel

    check_lang(lang)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ParameterError(f"export_excel writes .xlsx files, got {str(path)!r}")
    kinds = _formats(lang)
    formats = {c: "0.0%" for c, k in kinds.items() if k == "pct"}
    formats.update({c: "0" for c, k in kinds.items() if k == "year"})
    sheets = {t("targets.sheet.evaluation", lang): display_table(assessment, lang=lang)}
    national = national_table(assessment, lang=lang)
    if not national.empty:
        sheets[t("targets.sheet.national", lang)] = national
        formats.update({c: "0.0%" for c in national.columns[5:7]})
    # the sources sheet is named in the workbook's language (write_excel's own ``sources=`` names it in English)
    sheets[t("targets.sheet.sources", lang)] = _sources(assessment, lang)
    return write_excel(sheets, path, number_formats=formats, title=t("targets.sheet.title", lang))


def _versus(polarity: object, gap: float) -> str:
    if pd.isna(polarity) or int(polarity) == 0:
        return ""
    signed = int(polarity) * gap
    return "better" if signed > 0 else "worse" if signed < 0 else "level"


def national_table(assessment: pd.DataFrame, *, lang: Lang = "zh") -> pd.DataFrame:
    """The rows that have a national series: levels, growth and gaps, read with the polarity.

    ``对比`` / ``vs national`` says 优于/差于/持平 (better / worse / level) from polarity × level gap;
    growth columns are fractions (format them as percent), the growth gap in percentage points.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`evalkit.targets.assess`.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    DataFrame
    """
    check_lang(lang)
    rows = assessment[assessment["national_actual"].notna() & assessment["actual"].notna()]
    verdict = [_versus(pol, gap) for pol, gap in zip(rows["polarity"], rows["level_gap"])]
    records = rows.to_dict("records")
    heads = [t(f"targets.head.{k}", lang) for k in ("indicator", "unit", "actual", "national", "gap", "cagr_actual",
                                                     "national_cagr", "growth_gap", "vs_national")]
    return pd.DataFrame({
        heads[0]: [name_text(r, lang) for r in records], heads[1]: [unit_name(u, lang) for u in rows["unit"]],
        heads[2]: rows["actual"].to_numpy(), heads[3]: rows["national_actual"].to_numpy(),
        heads[4]: rows["level_gap"].to_numpy(), heads[5]: rows["cagr_actual"].to_numpy(),
        heads[6]: rows["national_cagr"].to_numpy(), heads[7]: (rows["growth_gap"] * 100).to_numpy(),
        heads[8]: [t(f"targets.versus.{v}", lang) if v else "" for v in verdict],
    })


def peer_table(comparison: PeerComparison, *, lang: Lang = "zh") -> pd.DataFrame:
    """A :class:`evalkit.targets.PeerComparison` as a reader's table: value, province, rank "3/14".

    Counts (catalogue kind ``count``) are shown as a share of the provincial total rather than a
    difference from it; percentile and share are fractions (format them as percent).

    Parameters
    ----------
    comparison : PeerComparison
        Output of :func:`evalkit.targets.compare_peers`.
    lang : {"zh", "en"}
        Language.

    Returns
    -------
    DataFrame
    """
    check_lang(lang)
    tab = comparison.table
    heads = [t(f"targets.head.{k}", lang) for k in ("indicator", "unit", "value", "province", "diff_province",
                                                     "share_province", "rank", "percentile", "quartile")]
    # the columns read row by row, as lists: ``to_dict("records")`` of the table costs ~10x more
    read = [c for c in ("indicator", "name_zh", "name_en", "rank", "n") if c in tab.columns]
    records = [dict(zip(read, values)) for values in zip(*(tab[c].tolist() for c in read))]
    return pd.DataFrame({
        heads[0]: [name_text(r, lang) for r in records], heads[1]: [unit_name(u, lang) for u in tab["unit"]],
        heads[2]: tab["value"].to_numpy(), heads[3]: tab["reference_value"].to_numpy(),
        heads[4]: tab["diff_reference"].to_numpy(), heads[5]: tab["share_reference"].to_numpy(),
        heads[6]: ["—" if pd.isna(r["rank"]) else f"{int(r['rank'])}/{r['n']}" for r in records],
        heads[7]: tab["percentile"].to_numpy(),
        heads[8]: ["—" if pd.isna(q) else t(f"targets.quartile.{int(q)}", lang) for q in tab["quartile"]],
    })
