"""Argument checks used by every subsystem: the report language, option strings, close-match hints."""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Literal

from evalkit.errors import ParameterError

__all__ = ["LANGS", "Lang", "check_choice", "check_lang", "closest", "list_values", "suggest"]

Lang = Literal["zh", "en"]
LANGS: tuple[str, ...] = ("zh", "en")

#: how many values an inline list in a message shows before "… (n in all)"
_LISTED = 8


def check_lang(lang: object) -> Lang:
    """Return *lang* if it is ``"zh"`` or ``"en"``; otherwise raise :class:`ParameterError`."""
    if lang not in LANGS:
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return lang  # type: ignore[return-value]


def check_choice(name: str, value: object, choices: Iterable[object]) -> None:
    """Raise :class:`ParameterError` naming *name* when *value* is not one of *choices*."""
    options = list(choices)
    if value not in options:
        raise ParameterError(f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}"
                             + suggest(value, options))


def closest(value: object, choices: Iterable[object], *, cutoff: float = 0.6) -> str | None:
    """The choice closest to *value* by :func:`difflib.get_close_matches`, or ``None``."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=cutoff)
    return close[0] if close else None


def suggest(value: object, choices: Iterable[object], *, cutoff: float = 0.6) -> str:
    """`` — did you mean 'x'?`` for the closest choice, or an empty string."""
    close = closest(value, choices, cutoff=cutoff)
    return f" — did you mean {close!r}?" if close is not None else ""


def list_values(values: Sequence[object], limit: int = _LISTED) -> str:
    """``a, b, c`` — at most *limit* values, then ``… (n in all)``."""
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f", … ({len(values)} in all)" if len(values) > limit else "")
