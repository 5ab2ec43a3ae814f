"""One way for every result object to show itself in Jupyter and in the exported pages.

A result class inherits :class:`ResultDisplay` and implements :meth:`ResultDisplay._summary`, returning a
:class:`Summary`: a title, lines of text and named frames. The mixin renders it as HTML and **always escapes**
text, column names and cells, so a region or indicator name from a user's file can never become markup.
(The model is linearmodels' ``_SummaryStr``: one rendering for all results.)
"""
from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["ResultDisplay", "Summary", "frame_html"]


@dataclass(frozen=True)
class Summary:
    """What a result shows: a title, lines of text, and named frames (shown in order, empty ones skipped)."""

    title: str
    lines: Sequence[str] = ()
    frames: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: format of float cells; the default shows up to four significant digits with separators
    float_format: Callable[[float], str] | None = None
    #: show at most this many rows of each frame, then "… n more rows"
    max_rows: int = 30
    index: bool = False


def _float(value: float) -> str:
    return f"{value:,.4g}"


def frame_html(frame: pd.DataFrame, *, float_format: Callable[[float], str] | None = None,
               max_rows: int = 30, index: bool = False) -> str:
    """An escaped HTML table of *frame* (first *max_rows* rows, then a line saying how many more)."""
    shown = frame.head(max_rows)
    table = shown.to_html(index=index, escape=True, float_format=float_format or _float, na_rep="—",
                          border=0, classes="evalkit-result")
    more = f"<p>… {len(frame) - max_rows:,} more rows</p>" if len(frame) > max_rows else ""
    return table + more


class ResultDisplay:
    """Mixin: ``_repr_html_`` and ``__str__``-friendly text from :meth:`_summary`, always escaped."""

    def _summary(self) -> Summary:  # pragma: no cover - every subclass implements it
        raise NotImplementedError

    def _repr_html_(self) -> str:
        summary = self._summary()
        parts = [f"<h4>{html.escape(str(summary.title))}</h4>"]
        parts += [f"<p>{html.escape(str(line))}</p>" for line in summary.lines if line]
        for name, frame in summary.frames.items():
            if frame is None or frame.empty:
                continue
            if name:
                parts.append(f"<h5>{html.escape(str(name))}</h5>")
            parts.append(frame_html(frame, float_format=summary.float_format, max_rows=summary.max_rows,
                                    index=summary.index))
        return "\n".join(parts)

    def summary_text(self) -> str:
        """The summary as plain text: title, lines, and each frame's ``to_string``."""
        summary = self._summary()
        out = [str(summary.title)] + [str(line) for line in summary.lines if line]
        for name, frame in summary.frames.items():
            if frame is None or frame.empty:
                continue
            out += ([str(name)] if name else []) + [frame.head(summary.max_rows).to_string(index=summary.index)]
        return "\n".join(out)
