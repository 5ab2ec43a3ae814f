"""HTML pages of the batch (index, report shell, error page): Jinja templates with autoescaping.

Every value that comes from data, parameters, notebooks or errors reaches the page through Jinja's
autoescape (a region named ``<script>alert(1)</script>`` shows as that text); the only markup passed
through unescaped is the notebook body nbconvert produced and tracebacks converted by its
``ansi2html`` (which escapes). Pages also carry a Content-Security-Policy that forbids every script,
so even markup a notebook emitted unescaped cannot run. This module imports no nbconvert: the index
of a batch where nothing changed is written in milliseconds.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from evalkit._shared.checks import Lang
from evalkit._shared.numbers import format_value
from evalkit.i18n import t

__all__ = [
    "FAILED_STATUSES",
    "GLUE_MIME",
    "STATUS_LABELS",
    "figure_changes",
    "fmt_value",
    "glued_figures",
    "render",
]

#: MIME type of the display outputs ``evalkit.report.glue`` emits (name and value of a key figure)
GLUE_MIME = "application/vnd.evalkit.glue+json"

STATUS_LABELS = {
    "success": ("已更新", "re-run"),
    "cached": ("未变化", "cached"),
    "failed": ("失败", "failed"),
    "timeout": ("超时", "timed out"),
    "kernel_died": ("内核退出", "kernel died"),
    "skipped": ("跳过", "skipped"),
    "not_run": ("未运行", "not run yet"),
    "interrupted": ("已中断", "interrupted"),
}
FAILED_STATUSES = frozenset({"failed", "timeout", "kernel_died"})


def fmt_value(value: Any, lang: Lang = "zh") -> str:
    """A key figure for people (:func:`evalkit._shared.numbers.format_value`); booleans in the page's language."""
    if isinstance(value, bool):
        return t("common.yes" if value else "common.no", lang)
    return format_value(value)


def _fmt_delta(change: Mapping[str, Any]) -> str:
    delta = change.get("delta")
    if delta is None:
        return ""
    text = ("+" if delta > 0 else "") + format_value(delta)
    relative = change.get("relative")
    if relative is not None and math.isfinite(relative):
        text += f" ({relative:+.1%})"
    return text


def _fmt_seconds(seconds: Any) -> str:
    if seconds is None:
        return "—"
    seconds = float(seconds)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(round(seconds), 60)
    return f"{minutes} min {sec:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _fmt_time(iso: Any) -> str:
    if not iso:
        return "—"
    text = str(iso).replace("T", " ")
    return text[:16]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("evalkit", "templates"),
                      autoescape=select_autoescape(["html", "j2", "css"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(value=fmt_value, delta=_fmt_delta, seconds=_fmt_seconds, when=_fmt_time)
    env.globals.update(STATUS_LABELS=STATUS_LABELS, FAILED_STATUSES=FAILED_STATUSES)
    return env


def render(template: str, **context: Any) -> str:
    """Render one of ``evalkit/templates/*.html.j2`` with *context* (autoescaped)."""
    return _environment().get_template(template).render(**context)


def glued_figures(nb: Mapping[str, Any]) -> dict[str, Any]:
    """The key figures a notebook recorded with ``evalkit.report.glue`` (later values win)."""
    figures: dict[str, Any] = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            payload = (output.get("data") or {}).get(GLUE_MIME)
            if isinstance(payload, dict) and isinstance(payload.get("name"), str):
                figures[payload["name"]] = payload.get("value")
    return figures


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def figure_changes(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[dict]:
    """How *current* key figures differ from those of the previous successful run.

    Returns one record per figure that changed, appeared or disappeared: ``name``, ``kind``
    (changed/new/removed), ``old``, ``new``, and for numbers ``delta`` and ``relative``. Empty when
    there is no previous run to compare with. Numbers equal to 1e-9 relative are unchanged.
    """
    if previous is None:
        return []
    changes = []
    for name in dict.fromkeys([*previous, *current]):
        old, new = previous.get(name), current.get(name)
        if name not in previous:
            changes.append({"name": name, "kind": "new", "old": None, "new": new})
        elif name not in current:
            changes.append({"name": name, "kind": "removed", "old": old, "new": None})
        elif _number(old) and _number(new):
            if not math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12):
                changes.append({"name": name, "kind": "changed", "old": old, "new": new, "delta": new - old,
                                "relative": (new - old) / abs(old) if old else None})
        elif old != new:
            changes.append({"name": name, "kind": "changed", "old": old, "new": new})
    return changes
