"""The columns of the extraction tables, the kinds of figure, and the column check both tables use."""
from __future__ import annotations

from typing import Literal

import pandas as pd

from evalkit.errors import ParameterError

__all__ = ["FIGURE_COLUMNS", "RECONCILE_COLUMNS", "Kind", "Status", "require_columns"]

Kind = Literal["level", "change", "change_points", "share", "rate", "duration", "multiple", "ordinal", "target"]
Status = Literal["agree", "discrepancy", "no_panel_value", "no_match"]

#: Columns of the table :func:`~evalkit.extract.extract_figures` returns, in order.
FIGURE_COLUMNS = (
    "sentence_index", "start", "end", "surface", "value", "unit", "dimension", "subject", "kind",
    "as_of", "approx", "at_least", "at_most", "bound", "low", "high", "role", "resolution",
)

#: Columns of :attr:`Reconciliation.table`, in order.
RECONCILE_COLUMNS = (
    "sentence_index", "surface", "subject", "kind", "figure_value", "figure_unit", "indicator",
    "indicator_name", "indicator_unit", "compared_with", "panel_value", "panel_status", "status",
    "rel_diff", "note",
)


def require_columns(frame: pd.DataFrame, needed: tuple[str, ...], name: str, fix: str) -> None:
    """Raise :class:`~evalkit.errors.ParameterError` unless *frame* is a DataFrame with the *needed* columns."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}; {fix}")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name} lacks columns {missing} (has {list(frame.columns)}); {fix}")
