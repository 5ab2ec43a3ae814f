"""How numbers are printed for readers: one function per style, used by tables, text and pages.

* :func:`format_fixed` — fixed decimals with thousands separators (tables: ``12,345.6``).
* :func:`format_figure` — a figure in running text, at most three significant decimals (``1,234``, ``35.2``,
  ``0.52``).
* :func:`format_value` — a key figure on a page: integers as integers, large floats with one decimal.

Missing values (``None``, NaN, ``pd.NA``, ±inf) print as an em dash ``—`` in every style.
"""
from __future__ import annotations

import math
from numbers import Integral, Real

__all__ = ["MISSING", "format_figure", "format_fixed", "format_value", "is_missing"]

MISSING = "—"


def is_missing(value: object) -> bool:
    """True for ``None``, ``pd.NA``/``NaT`` and non-finite floats."""
    if value is None:
        return True
    if isinstance(value, Real) and not isinstance(value, Integral):
        return not math.isfinite(float(value))
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
    return value is pd.NA or value is pd.NaT


def format_fixed(value: object, decimals: int = 1) -> str:
    """Thousands separators and *decimals* places; integers stay integers; text is returned as is."""
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        return f"{float(value):,.{decimals}f}"
    return str(value)


def format_figure(value: object) -> str:
    """A figure as a reader writes it: ``1,234``; ``35.2``; ``0.52`` — trailing zeros dropped."""
    if is_missing(value):
        return MISSING
    x = float(value)  # type: ignore[arg-type]
    magnitude = abs(x)
    decimals = 0 if magnitude >= 1000 or x.is_integer() else 1 if magnitude >= 10 else 2
    text = f"{x:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_value(value: object) -> str:
    """A key figure for a page: integers with separators, floats with up to 3 decimals, text as is.

    Floats below 1 keep 4 significant digits. Booleans print as ``True``/``False``: a page translates them itself.
    """
    if is_missing(value):
        return MISSING
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        x = float(value)
        magnitude = abs(x)
        if magnitude >= 1000:
            return f"{x:,.1f}"
        if magnitude >= 1 or magnitude == 0:
            return f"{x:,.3f}".rstrip("0").rstrip(".")
        return f"{x:.4g}"
    return str(value)
