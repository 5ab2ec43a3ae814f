"""Words and tables for :mod:`evalkit.targets`: labels, templated narrative, styled table, Excel export.

Kept apart from the arithmetic so that the numbers module reads as formulas; the public names are
re-exported from :mod:`evalkit.targets`.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Literal

import pandas as pd

from evalkit.errors import ParameterError
from evalkit.targets import (
    CONTEXT,
    MET,
    NEARLY_MET,
    NO_TARGET,
    NOT_ASSESSABLE,
    NOT_MET,
    STATUSES,
)

__all__ = [
    "CLASS_LIGHTS",
    "LABELS",
    "STATUS_LIGHTS",
    "display_table",
    "export_excel",
    "format_number",
    "label",
    "method_note",
    "narrative",
    "national_table",
    "peer_table",
    "style_status",
    "target_text",
    "traffic_lights",
]

Lang = Literal["zh", "en"]

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        MET: MET, NEARLY_MET: NEARLY_MET, NOT_MET: NOT_MET, NOT_ASSESSABLE: NOT_ASSESSABLE,
        NO_TARGET: NO_TARGET,
        "significant": "显著进展", "moderate": "中等进展", "insufficient": "进展不足",
        "away": "偏离目标", "significant_progress": "显著改善", "moderate_progress": "小幅改善",
        "moderate_away": "小幅退步", "significant_away": "明显退步", CONTEXT: "背景指标",
        "no_series": "无统计序列", "no_data": "无数据", "no_baseline": "缺基期值",
        "no_actual": "缺期末值", "no_target_value": "目标无数值", "bad_years": "年份不合理",
        "zero_baseline": "基期值为零",
        "at_least": "不低于", "at_most": "不高于", "range": "区间", "reach": "达到",
        "other": "无统计序列的规划目标", "unknown": "未明确", "约束性": "约束性", "预期性": "预期性",
    },
    "en": {
        MET: "met", NEARLY_MET: "nearly met", NOT_MET: "not met", NOT_ASSESSABLE: "not assessable",
        NO_TARGET: "no target",
        "significant": "significant progress", "moderate": "moderate progress",
        "insufficient": "insufficient progress", "away": "movement away",
        "significant_progress": "significant progress", "moderate_progress": "moderate progress",
        "moderate_away": "moderate movement away", "significant_away": "significant movement away",
        CONTEXT: "context",
        "no_series": "no data series", "no_data": "no data", "no_baseline": "no baseline value",
        "no_actual": "no end value", "no_target_value": "no numeric target",
        "bad_years": "inconsistent years", "zero_baseline": "zero baseline",
        "at_least": "at least", "at_most": "at most", "range": "range", "reach": "reach",
        "other": "Plan targets without a data series", "unknown": "unknown", "约束性": "binding",
        "预期性": "anticipatory",
    },
}

# Traffic lights in the house colours of evalkit.plots (good / fair / poor / not available).
STATUS_LIGHTS = {MET: "good", NEARLY_MET: "fair", NOT_MET: "poor", NOT_ASSESSABLE: "na"}
CLASS_LIGHTS = {
    "significant": "good", "significant_progress": "good", "moderate": "good", "moderate_progress": "good",
    "insufficient": "fair", "moderate_away": "fair", "away": "poor", "significant_away": "poor",
}

# (column, zh header, en header, format) of the evaluation table; format: text, num, pct.
_TABLE = (
    ("_category", "类别", "Category", "text"),
    ("_name", "指标", "Indicator", "text"),
    ("unit", "单位", "Unit", "text"),
    ("binding", "属性", "Type", "text"),
    ("baseline_year", "基期年份", "Baseline year", "year"),
    ("baseline", "基期值", "Baseline", "num"),
    ("actual", "期末值", "Actual", "num"),
    ("_target", "目标", "Target", "text"),
    ("completion", "完成率", "Completion", "pct"),
    ("status", "完成情况", "Status", "text"),
    ("cagr_actual", "实际年均增速", "Actual CAGR", "pct"),
    ("cagr_required", "所需年均增速", "Required CAGR", "pct"),
    ("progress_ratio", "实际/所需增速", "Actual / required growth", "pct"),
    ("progress_class", "进展评价", "Progress", "text"),
    ("_note", "说明", "Note", "text"),
)


def _check_lang(lang: str) -> None:
    if lang not in LABELS:
        raise ParameterError(f"lang must be one of {', '.join(LABELS)}, got {lang!r}")


def _nan(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def label(code: object, lang: Lang = "zh") -> str:
    """The reader's word for a status, progress class, reason or target type code."""
    _check_lang(lang)
    if _nan(code):
        return ""
    return LABELS[lang].get(str(code), str(code))


def format_number(x: float) -> str:
    """A figure as a reader writes it: 1,234; 35.2; 0.52 — at most three significant decimals."""
    if _nan(x):
        return "—"
    ax = abs(x)
    decimals = 0 if ax >= 1000 or float(x).is_integer() else 1 if ax >= 10 else 2
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(x: float) -> str:
    return "—" if _nan(x) else f"{x * 100:.1f}%"


def target_text(row: dict | pd.Series, lang: Lang = "zh") -> str:
    """The target as written in a plan: ≥30, ≤1.3, 35–40, 达到6.5 / reach 6.5."""
    kind = row.get("target_type")
    if _nan(kind):
        return ""
    if kind == "range":
        return f"{format_number(row['target_low'])}–{format_number(row['target_high'])}"
    if _nan(row.get("target")):
        return ""
    sign = {"at_least": "≥", "at_most": "≤"}.get(kind)
    value = format_number(row["target"])
    if sign:
        return f"{sign}{value}"
    return f"达到{value}" if lang == "zh" else f"reach {value}"


def _name(row: dict, lang: Lang) -> str:
    keys = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    for k in (*keys, "indicator"):
        if not _nan(row.get(k)):
            return str(row[k])
    return "?"


def _category(row: dict, lang: Lang) -> str:
    for k in (f"category_{lang}", "category"):
        if not _nan(row.get(k)):
            return str(row[k])
    return LABELS[lang]["other"]


def _unit(row: dict, lang: Lang) -> str:
    unit = row.get("unit")
    if _nan(unit):
        return ""
    return str(unit) if lang == "zh" or unit in ("%", "‰") else f" {unit}"


def _sentence(row: dict, lang: Lang) -> str:
    name, unit = _name(row, lang), _unit(row, lang)
    if row["status"] == NOT_ASSESSABLE:
        why = label(row.get("reason"), lang)
        return f"{name}：不可评估（{why}）。" if lang == "zh" else f"{name}: not assessable ({why})."
    a, b = format_number(row["actual"]), format_number(row["baseline"])
    t, t0 = int(row["end_year"]), int(row["baseline_year"])
    g = row.get("cagr_actual")
    if lang == "zh":
        text = f"{name}{t}年为{a}{unit}（{t0}年{b}{unit}）"
        change = row["annual_change"]
        if unit == "%":
            text += f"，年均{'提高' if change >= 0 else '降低'}{format_number(abs(change))}个百分点"
        elif not _nan(g):
            text += f"，年均{'增长' if g >= 0 else '下降'}{abs(g) * 100:.1f}%"
        else:
            text += f"，年均{'增加' if change >= 0 else '减少'}{format_number(abs(change))}{unit}"
    else:
        text = f"{name}: {a}{unit} in {t} ({b} in {t0})"
        change = row["annual_change"]
        if unit == "%":
            text += f", {'up' if change >= 0 else 'down'} {format_number(abs(change))} percentage points a year"
        elif not _nan(g):
            text += f", {'up' if g >= 0 else 'down'} {abs(g) * 100:.1f}% a year"
        else:
            text += f", {'up' if change >= 0 else 'down'} {format_number(abs(change))}{unit} a year"
    if row["status"] == NO_TARGET:
        cls = label(row.get("progress_class"), lang)
        if lang == "zh":
            text += "，无规划目标" + (f"，趋势评价为“{cls}”" if cls else "")
        else:
            text += "; no plan target" + (f"; trend: {cls}" if cls else "")
    else:
        target, status = target_text(row, lang), label(row["status"], lang)
        cls, ratio = label(row.get("progress_class"), lang), row.get("progress_ratio")
        if lang == "zh":
            text += f"；目标{target}{unit}，完成率{_pct(row['completion'])}，{status}"
            if cls:
                text += f"；进展评价为“{cls}”"
                if not _nan(ratio):
                    text += f"（实际增速为所需增速的{ratio * 100:.0f}%）"
        else:
            text += f"; target {target}{unit}, completion {_pct(row['completion'])}, {status}"
            if cls:
                text += f"; progress: {cls}"
                if not _nan(ratio):
                    text += f" (actual growth {ratio * 100:.0f}% of required)"
    nat = row.get("national_actual")
    if not _nan(nat):
        text += (f"；全国同期为{format_number(nat)}{unit}" if lang == "zh"
                 else f"; national {format_number(nat)}{unit}")
    return text + ("。" if lang == "zh" else ".")


def narrative(assessment: pd.DataFrame, *, lang: Lang = "zh") -> dict[str, str]:
    """A short paragraph per category with the figures of :func:`evalkit.targets.assess`.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`evalkit.targets.assess`.
    lang : {"zh", "en"}

    Returns
    -------
    dict
        Category name (in *lang*) → paragraph, in the order the categories appear. Each paragraph
        opens with the count of indicators by status, then one sentence per indicator: end and
        baseline values, annual growth, target, completion, status and progress class, and the
        national value where there is one.
    """
    _check_lang(lang)
    out: dict[str, list[dict]] = {}
    for row in assessment.to_dict("records"):
        out.setdefault(_category(row, lang), []).append(row)
    sep = "" if lang == "zh" else " "
    return {cat: sep.join([_summary(rows, cat, lang), *(_sentence(r, lang) for r in rows)])
            for cat, rows in out.items()}


def _summary(rows: list[dict], category: str, lang: Lang) -> str:
    counts = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    n_target = len(rows) - counts[NO_TARGET]
    parts = [(counts[s], label(s, lang)) for s in (MET, NEARLY_MET, NOT_MET, NOT_ASSESSABLE) if counts[s]]
    if lang == "zh":
        text = f"{category}：共{len(rows)}项指标，其中有规划目标{n_target}项"
        if parts:
            text += "，" + "、".join(f"{lab}{n}项" for n, lab in parts)
        return text + "。"
    text = f"{category}: {len(rows)} indicator{'s' * (len(rows) != 1)}, {n_target} with a plan target"
    if parts:
        text += " (" + ", ".join(f"{n} {lab}" for n, lab in parts) + ")"
    return text + "."


def display_table(assessment: pd.DataFrame, *, lang: Lang = "zh") -> pd.DataFrame:
    """The evaluation table as a reader sees it: headers, statuses and classes in *lang*.

    Numbers stay numbers (completion and growth as fractions) so that a Styler or Excel can format
    them; status and progress class are the words of :data:`LABELS`.
    """
    _check_lang(lang)
    rows = assessment.to_dict("records")
    derived = {
        "_category": [_category(r, lang) for r in rows],
        "_name": [_name(r, lang) for r in rows],
        "_target": [target_text(r, lang) for r in rows],
        "_note": [label(r.get("reason"), lang) if r["status"] == NOT_ASSESSABLE else "" for r in rows],
    }
    col = 1 if lang == "zh" else 2
    out = {}
    for spec in _TABLE:
        key = spec[0]
        if key in derived:
            values = derived[key]
        elif key in ("status", "progress_class", "binding"):
            values = [label(v, lang) for v in assessment[key]]
        else:
            values = assessment[key].to_numpy()
        out[spec[col]] = values
    return pd.DataFrame(out)


def _formats(lang: Lang) -> dict[str, str]:
    col = 1 if lang == "zh" else 2
    return {spec[col]: spec[3] for spec in _TABLE}


def traffic_lights(lang: Lang = "zh") -> dict[str, str]:
    """Colour of every status and progress-class word in *lang* (for ``report.table(highlight=…)``)."""
    from evalkit.plots import STATUS_COLOURS

    _check_lang(lang)
    return {label(code, lang): STATUS_COLOURS[light]
            for code, light in {**STATUS_LIGHTS, **CLASS_LIGHTS}.items()}


def style_status(assessment: pd.DataFrame, *, lang: Lang = "zh", caption: str | None = None):
    """The evaluation table as a traffic-light Styler in the house table style.

    Status cells are green (完成), amber (基本完成), red (未完成) or grey (不可评估); progress-class
    cells are green for significant or moderate progress, amber for insufficient progress or
    moderate movement away, red for movement away.
    """
    from evalkit.report import table

    frame = display_table(assessment, lang=lang)
    kinds = _formats(lang)
    lights = traffic_lights(lang)
    return table(
        frame, caption=caption,
        percent=[c for c, k in kinds.items() if k == "pct"],
        formats={c: format_number for c, k in kinds.items() if k == "num"},
        highlight={_header("status", lang): lights, _header("progress_class", lang): lights},
    )


def _header(column: str, lang: Lang) -> str:
    return next(spec[1 if lang == "zh" else 2] for spec in _TABLE if spec[0] == column)


def _sources(assessment: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    heads = (("指标", "项目", "年份", "数值", "来源", "数据状态") if lang == "zh"
             else ("Indicator", "Figure", "Year", "Value", "Source", "Data status"))
    what = {"zh": ("基期值", "期末值", "目标", "全国期末值"),
            "en": ("baseline", "actual", "target", "national actual")}[lang]
    rows = []
    for r in assessment.to_dict("records"):
        name = _name(r, lang)
        figures = (
            (r["baseline"], r["baseline_year"], r.get("baseline_source"), r.get("baseline_status")),
            (r["actual"], r["end_year"], r.get("actual_source"), r.get("actual_status")),
            (target_text(r, lang), r["target_year"], r.get("target_source"), "plan"),
            (r.get("national_actual"), r["end_year"], r.get("national_source"), r.get("national_status")),
        )
        for i, (val, year, src, status) in enumerate(figures):
            if _nan(val) or val == "":
                continue
            text = val if isinstance(val, str) else format_number(val)
            rows.append((name, what[i], None if _nan(year) else int(year), text,
                         "" if _nan(src) else src, "" if _nan(status) else status))
    return pd.DataFrame(rows, columns=list(heads))


def export_excel(assessment: pd.DataFrame, path: str | os.PathLike, *, lang: Lang = "zh") -> Path:
    """Write the evaluation table and the source of every figure to a formatted ``.xlsx``.

    Sheet 1 is :func:`display_table` with percent formats on completion and growth columns; where
    national figures exist, a second sheet is :func:`national_table`; the ``sources`` sheet lists
    each baseline, end value, target and national value with its source and data status.
    Formatting and the atomic write are :func:`evalkit.io.write_excel`'s.
    """
    from evalkit.io import write_excel

    _check_lang(lang)
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ParameterError(f"export_excel writes .xlsx files, got {str(path)!r}")
    kinds = _formats(lang)
    formats = {c: "0.0%" for c, k in kinds.items() if k == "pct"}
    formats.update({c: "0" for c, k in kinds.items() if k == "year"})
    sheets = {("评估结果" if lang == "zh" else "evaluation"): display_table(assessment, lang=lang)}
    national = national_table(assessment, lang=lang)
    if not national.empty:
        sheets["与全国比较" if lang == "zh" else "national"] = national
        formats.update({c: "0.0%" for c in national.columns[5:7]})
    title = "十三五规划目标评估" if lang == "zh" else "13th Five-Year Plan target evaluation"
    return write_excel(sheets, path, sources=_sources(assessment, lang), number_formats=formats, title=title)


def national_table(assessment: pd.DataFrame, *, lang: Lang = "zh") -> pd.DataFrame:
    """The rows that have a national series: levels, growth and gaps, read with the polarity.

    ``对比`` / ``vs national`` says 优于/差于/持平 (better / worse / level) from polarity × level gap;
    growth columns are fractions (format them as percent), the growth gap in percentage points.
    """
    _check_lang(lang)
    rows = assessment[assessment["national_actual"].notna() & assessment["actual"].notna()]
    words = {"zh": ("优于全国", "差于全国", "与全国持平", ""), "en": ("better", "worse", "level", "")}[lang]
    verdict = []
    for pol, gap in zip(rows["polarity"], rows["level_gap"]):
        signed = (0 if pd.isna(pol) else int(pol)) * gap
        verdict.append(words[3] if pd.isna(pol) or int(pol) == 0 else
                       words[0] if signed > 0 else words[1] if signed < 0 else words[2])
    heads = (("指标", "单位", "期末值", "全国", "差距", "年均增速", "全国年均增速", "增速差(百分点)", "对比")
             if lang == "zh" else ("Indicator", "Unit", "Actual", "National", "Gap", "CAGR",
                                   "National CAGR", "Growth gap (pp)", "vs national"))
    records = rows.to_dict("records")
    return pd.DataFrame({
        heads[0]: [_name(r, lang) for r in records], heads[1]: rows["unit"].to_numpy(),
        heads[2]: rows["actual"].to_numpy(), heads[3]: rows["national_actual"].to_numpy(),
        heads[4]: rows["level_gap"].to_numpy(), heads[5]: rows["cagr_actual"].to_numpy(),
        heads[6]: rows["national_cagr"].to_numpy(), heads[7]: (rows["growth_gap"] * 100).to_numpy(),
        heads[8]: verdict,
    })


def peer_table(comparison, *, lang: Lang = "zh") -> pd.DataFrame:
    """A :class:`evalkit.targets.PeerComparison` as a reader's table: value, province, rank "3/14".

    Counts (catalogue kind ``count``) are shown as a share of the provincial total rather than a
    difference from it; percentile and share are fractions (format them as percent).
    """
    _check_lang(lang)
    t = comparison.table
    quarter = {"zh": {1: "前25%", 2: "25–50%", 3: "50–75%", 4: "后25%"},
               "en": {1: "top 25%", 2: "25–50%", 3: "50–75%", 4: "bottom 25%"}}[lang]
    heads = (("指标", "单位", "本地区", "全省", "与全省差值", "占全省比重", "排名", "百分位", "四分位")
             if lang == "zh" else ("Indicator", "Unit", "Value", "Province", "Difference", "Share of province",
                                   "Rank", "Percentile", "Quartile"))
    records = t.to_dict("records")
    return pd.DataFrame({
        heads[0]: [_name(r, lang) for r in records], heads[1]: t["unit"].to_numpy(),
        heads[2]: t["value"].to_numpy(), heads[3]: t["reference_value"].to_numpy(),
        heads[4]: t["diff_reference"].to_numpy(), heads[5]: t["share_reference"].to_numpy(),
        heads[6]: ["—" if pd.isna(r["rank"]) else f"{int(r['rank'])}/{r['n']}" for r in records],
        heads[7]: t["percentile"].to_numpy(),
        heads[8]: ["—" if pd.isna(q) else quarter[int(q)] for q in t["quartile"]],
    })


def method_note(lang: Lang = "zh", thresholds=None) -> str:
    """How the table was computed, in a few lines, with the thresholds in force."""
    from evalkit.targets import Thresholds

    _check_lang(lang)
    th = thresholds or Thresholds()
    if lang == "zh":
        return (
            f"完成率：正向指标为期末值/目标值，逆向指标为目标值/期末值；区间目标按指标方向取下限或上限。"
            f"达到目标为“完成”，完成率≥{th.nearly_met:.0%}为“基本完成”，否则为“未完成”；"
            f"缺少基期或期末数据的指标标为“不可评估”，不以零代替。\n"
            f"进展评价参照欧盟统计局《Sustainable development in the European Union》监测报告（2023年版）方法："
            f"实际年均增速与达标所需年均增速之比≥{th.significant:.0%}为显著进展，"
            f"{th.moderate:.0%}–{th.significant:.0%}为中等进展，"
            f"0–{th.moderate:.0%}为进展不足，<0为偏离目标；基期或期末值非正时改用年均绝对变化量。"
            f"无规划目标的指标按年均增速±{th.trend_progress:.0%}判断趋势（逆向指标取反）。")
    return (
        f"Completion: actual/target for higher-is-better targets, target/actual for lower-is-better ones; a range "
        f"counts from the bound on the indicator's side. Met targets are 'met', completion ≥ {th.nearly_met:.0%} "
        f"'nearly met', otherwise 'not met'; a missing baseline or end value makes the row 'not assessable' "
        f"(never zero).\nProgress follows Eurostat's SDG monitoring report (Sustainable development in the "
        f"European Union, 2023 edition): the ratio of actual to required compound annual growth is significant "
        f"progress at ≥ {th.significant:.0%}, moderate at {th.moderate:.0%}–{th.significant:.0%}, insufficient at "
        f"0–{th.moderate:.0%} and movement away below 0; absolute annual change is used where a value is zero or "
        f"negative. Indicators without a target are classed by their annual growth against ±"
        f"{th.trend_progress:.0%} (sign flipped where lower is better).")
