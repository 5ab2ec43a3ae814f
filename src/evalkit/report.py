"""What notebooks display: the provenance banner, styled tables, headings and notes, glued figures.

Every data-derived string is HTML-escaped before it reaches the page. Display helpers return objects
with ``_repr_html_`` (shown by Jupyter, kept in the exported HTML); they print nothing.

Provenance banner rule: when any value shown comes from generated data (``status=illustrative``), the
report says so at the top, in red, in the report language: 示例数据，非官方统计 / illustrative data, not
official statistics. Otherwise the banner lists the share of values by status and their sources.
"""
from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from evalkit._shared.checks import check_lang
from evalkit._shared.numbers import MISSING, format_fixed
from evalkit.errors import ParameterError
from evalkit.i18n import labels, t
from evalkit.runner.pages import GLUE_MIME

__all__ = [
    "GLUE_MIME",
    "HTML",
    "banner",
    "fmt_number",
    "glue",
    "note",
    "provenance",
    "table",
    "title",
]


def _lang(lang: str) -> str:
    check_lang(lang)
    return lang


@dataclass(frozen=True)
class HTML:
    """A fragment of trusted (already escaped) HTML that Jupyter displays."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def provenance(*frames: pd.DataFrame) -> dict[str, Any]:
    """Counts by status and the distinct sources of the values shown (for banners and manifests)."""
    parts = [f[f["value"].notna()] if "value" in f else f for f in frames if "status" in f]
    data = pd.concat(parts) if parts else pd.DataFrame(columns=["status", "source"])
    counts = data["status"].value_counts().to_dict()
    shown = data.loc[data["status"] != "illustrative"]
    sources = shown["source"].dropna().unique().tolist() if "source" in data else []
    return {"n": len(data), "counts": {k: int(v) for k, v in counts.items()}, "sources": sources,
            "illustrative": bool(counts.get("illustrative", 0))}


def banner(*frames: pd.DataFrame, lang: str = "zh") -> HTML:
    """The provenance banner that opens every report showing data.

    Red "illustrative data" notice when any shown value is illustrative; otherwise a neutral line
    with the counts by status. Pass every panel (or slice of one) whose values the report shows.
    """
    lang = _lang(lang)
    info = provenance(*frames)
    statuses = labels("report.status", lang)
    shares = t("report.banner.separator", lang).join(
        t("report.banner.count", lang, status=html.escape(statuses.get(k, str(k))), n=f"{v:,}")
        for k, v in sorted(info["counts"].items()))
    if info["illustrative"]:
        share = info["counts"]["illustrative"] / max(info["n"], 1)
        detail = t("report.banner.illustrative_detail", lang, share=f"{share:.0%}")
        body = (f'<div class="evalkit-banner evalkit-illustrative" style="border:2px solid #C62828;'
                f'background:#FDECEA;color:#7F1D1D;padding:10px 14px;margin:6px 0 14px;border-radius:4px;">'
                f'<strong style="font-size:1.15em;">⚠ {t("report.banner.illustrative", lang)}</strong><br>'
                f'<span>{html.escape(detail)}</span><br><small>{shares}</small></div>')
    else:
        body = (f'<div class="evalkit-banner" style="border-left:4px solid #1F3A5F;background:#F3F6FA;'
                f'padding:8px 12px;margin:6px 0 14px;"><strong>{t("report.banner.real", lang)}</strong>: '
                f'{shares}</div>')
    return HTML(body)


def title(text: str, *, subtitle: str | None = None, level: int = 1) -> HTML:
    """A heading (escaped) with an optional subtitle line."""
    level = min(max(int(level), 1), 4)
    sub = f'<p style="color:#555;margin-top:-4px;">{html.escape(subtitle)}</p>' if subtitle else ""
    return HTML(f"<h{level}>{html.escape(text)}</h{level}>{sub}")


def note(text: str, *, kind: str = "info") -> HTML:
    """A short boxed note (``info``, ``warning``, ``method``); text is escaped, newlines kept."""
    colours = {"info": ("#1F3A5F", "#F3F6FA"), "warning": ("#B26A00", "#FFF6E5"), "method": ("#555555", "#F7F7F7")}
    if kind not in colours:
        raise ParameterError(f"kind must be one of {', '.join(colours)}, got {kind!r}")
    edge, fill = colours[kind]
    body = html.escape(text).replace("\n", "<br>")
    return HTML(f'<div style="border-left:4px solid {edge};background:{fill};padding:8px 12px;margin:8px 0;">'
                f"{body}</div>")


#: the old name of :func:`evalkit._shared.numbers.format_fixed` (kept as an alias)
fmt_number = format_fixed


_TIME_ROLES = {"year", "time", "group", "cohort", "period", "g", "t", "基期", "目标年", "批次年份"}


def _is_year_column(name: str, series: pd.Series) -> bool:
    """Columns of calendar years print without thousands separators (2018, not 2,018)."""
    lowered = name.lower()
    named = "year" in lowered or "年份" in name or name == "年" or lowered in _TIME_ROLES
    if not named:
        return False
    values = pd.to_numeric(series, errors="coerce").dropna()
    return values.empty or bool(((values >= 1900) & (values <= 2100) & (values == values.round())).all())


def _formatter(name: str, series: pd.Series, decimals: int, *, percent: bool):
    """How one column's cells print: percentages, years, fixed decimals, integers or escaped text."""
    if percent:
        return lambda v: MISSING if pd.isna(v) else f"{v:.1%}"
    if _is_year_column(name, series):
        return _year_text
    if pd.api.types.is_float_dtype(series):
        return lambda v, d=decimals: fmt_number(v, d)
    if pd.api.types.is_integer_dtype(series):
        return lambda v: fmt_number(v)
    return _cell_text


def _year_text(v: Any) -> str:
    if pd.isna(v):
        return MISSING
    return f"{int(v)}" if isinstance(v, (int, float, np.integer, np.floating)) else html.escape(str(v))


def _cell_text(v: Any) -> str:
    return MISSING if v is None or (isinstance(v, float) and math.isnan(v)) else html.escape(str(v))


_TABLE_CSS = [
    {"selector": "", "props": "border-collapse:collapse;font-size:0.92em;margin:6px 0 14px;"},
    {"selector": "caption", "props": "caption-side:top;text-align:left;font-weight:bold;font-size:1.05em;"
                                     "padding:4px 0;color:#1F3A5F;"},
    {"selector": "thead th", "props": "background:#1F3A5F;color:white;padding:6px 8px;text-align:center;"
                                      "border:1px solid #1F3A5F;"},
    {"selector": "tbody td", "props": "padding:4px 8px;border-bottom:1px solid #E0E0E0;"},
    {"selector": "tbody th", "props": "padding:4px 8px;border-bottom:1px solid #E0E0E0;text-align:left;"
                                      "font-weight:normal;"},
    {"selector": "tbody tr:nth-child(even)", "props": "background:#F7F9FC;"},
]


def table(frame: pd.DataFrame, *, caption: str | None = None, decimals: int | Mapping[str, int] = 1,
          formats: Mapping[str, Any] | None = None, hide_index: bool = True, percent: Iterable[str] = (),
          highlight: Mapping[str, Mapping[Any, str]] | None = None, bar: Iterable[str] = (),
          max_rows: int | None = None):
    """A pandas ``Styler`` in the house table style.

    Parameters
    ----------
    decimals
        Decimals for float columns (one number, or per column).
    formats
        Explicit per-column format strings or callables (override ``decimals``).
    percent
        Columns shown as percentages (values are fractions).
    highlight
        ``{column: {cell value: CSS colour}}`` — background colours for categorical cells, e.g. a
        traffic-light status column.
    bar
        Numeric columns drawn with in-cell bars.

    All text cells are HTML-escaped; years and other integers are shown without separators when the
    column name says year/年.
    """
    if max_rows is not None:
        frame = frame.head(max_rows)
    formatters: dict[str, Any] = {}
    compact: list = []  # numbers, years, units and status words never wrap inside a cell
    widths: dict[Any, int] = {}  # text columns wrap long names, but never below a readable width
    for col in frame.columns:
        name = str(col)
        dec = decimals.get(name, 1) if isinstance(decimals, Mapping) else decimals
        series = frame[col]
        short_text = series.dropna().astype(str).str.len().max() <= 8 if len(series.dropna()) else True
        if name in set(percent) or pd.api.types.is_numeric_dtype(series) or col in (highlight or {}) or short_text:
            compact.append(col)
        else:
            longest = int(series.dropna().astype(str).str.len().max())
            widths[col] = min(max(longest // 2, 6), 12)
        formatters[col] = _formatter(name, series, dec, percent=name in set(percent))
    if formats:
        formatters.update(formats)
    styler = frame.style.format(formatters).set_table_styles(_TABLE_CSS)
    styler = styler.format_index(lambda v: html.escape(str(v)), axis=0).format_index(
        lambda v: html.escape(str(v)), axis=1)
    if compact:
        styler = styler.set_properties(subset=compact, **{"white-space": "nowrap"})
    for col, em in widths.items():
        styler = styler.set_properties(subset=[col], **{"min-width": f"{em}em"})
    if caption:
        styler = styler.set_caption(html.escape(caption))
    if hide_index:
        styler = styler.hide(axis="index")
    for col, colours in (highlight or {}).items():
        if col in frame.columns:
            styler = styler.map(lambda v, c=colours: f"background-color:{c[v]};color:white;font-weight:bold;"
                                if v in c else "", subset=[col])
    numeric_bars = [c for c in bar if c in frame.columns]
    if numeric_bars:
        styler = styler.bar(subset=numeric_bars, color="#9DB4CF", align="zero")
    return styler


def glue(name: str, value: Any, *, display: bool = True) -> Any:
    """Record a key figure of the report (the batch compares it with the previous run).

    Emits a display output of MIME type :data:`GLUE_MIME` that renders as nothing visible; the
    runner reads these from the executed notebook. Returns *value* so it can be used inline.
    """
    if not name or not isinstance(name, str):
        raise ParameterError("glue name must be a non-empty string")
    if isinstance(value, (np.integer,)):
        payload_value: Any = int(value)
    elif isinstance(value, (np.floating, float)):
        payload_value = None if math.isnan(float(value)) else float(value)
    elif isinstance(value, (int, str, bool)) or value is None:
        payload_value = value
    else:
        raise ParameterError(f"glue value for {name!r} must be a number or text, got {type(value).__name__}")
    if display:
        try:
            from IPython.display import display as ipy_display
        except ImportError:  # pragma: no cover - IPython comes with jupyterlab
            return value
        ipy_display({GLUE_MIME: {"name": name, "value": payload_value}, "text/plain": ""}, raw=True)
    return value
