"""Shared test data for evalkit.extract: the folder of test texts and a one-figure helper."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from evalkit.extract import extract_figures

__all__ = ["DATA", "one"]

DATA = Path(__file__).resolve().parents[1] / "data" / "extract"


def one(text: str, **kwargs) -> pd.Series:
    """The single figure of *text* (fails the test when there is not exactly one)."""
    figures = extract_figures(text, **kwargs)
    assert len(figures) == 1, figures[["surface", "value", "unit"]]
    return figures.iloc[0]
