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
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape

from evalkit._shared.checks import Lang
from evalkit._shared.numbers import format_value
from evalkit.i18n import has, t

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

_STATUSES = ("success", "cached", "failed", "timeout", "kernel_died", "skipped", "not_run", "interrupted")
#: status → (zh, en) label, from the catalogue (``runner.status.*``)
STATUS_LABELS = {status: (t(f"runner.status.{status}", "zh"), t(f"runner.status.{status}", "en"))
                 for status in _STATUSES}
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


@pass_context
def _translate(context: Any, key: str, **fields: Any) -> str:
    return t(key, context.get("lang") or "zh", **fields)


def _is_code(text: Any) -> bool:
    """An identifier such as ``vagrancy_relief`` (shown as code, not as prose)."""
    return isinstance(text, str) and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", text) is not None


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("evalkit", "templates"),
                      autoescape=select_autoescape(["html", "j2", "css"], default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(value=fmt_value, delta=_fmt_delta, seconds=_fmt_seconds, when=_fmt_time, is_code=_is_code)
    env.globals.update(STATUS_LABELS=STATUS_LABELS, FAILED_STATUSES=FAILED_STATUSES, _=_translate, has=has)
    return env


def render(template: str, **context: Any) -> str:
    """Render one of ``evalkit/templates/*.html.j2`` with *context* (autoescaped).

    ``lang`` in the context (default ``zh``) is the language of the page's own text (the catalogue's
    ``runner.*`` messages).
    """
    context.setdefault("lang", "zh")
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
