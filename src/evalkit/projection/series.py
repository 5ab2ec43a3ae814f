"""Annual series for the projection models: taking one from a panel, and the argument checks every model shares."""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.errors import DataShapeError, ParameterError

__all__ = ["check_int", "check_level", "clean_series", "series_of"]


def check_level(level: float, name: str = "level") -> float:
    """Return *level* as a float if it is a probability strictly between 0 and 1, else raise ParameterError."""
    if not isinstance(level, (int, float)) or isinstance(level, bool) or not 0 < float(level) < 1:
        raise ParameterError(f"{name}={level!r} must be a probability strictly between 0 and 1, e.g. 0.9")
    return float(level)


def check_int(name: str, value: object, minimum: int) -> int:
    """Return *value* as an int if it is an integer ≥ *minimum*, else raise ParameterError naming *name*."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name}={value!r} must be an integer ≥ {minimum}")
    return int(value)


def clean_series(series: pd.Series, *, name: str = "series") -> pd.Series:
    """An annual series with consecutive integer years and finite values, or a clear error.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by year.
    name : str
        What the series is called in error messages.

    Returns
    -------
    pandas.Series
        Float values sorted by year, with the original name.

    Raises
    ------
    ParameterError
        Not a Series.
    DataShapeError
        Non-integer years, duplicate years, missing values or gaps between years.
    """
    if not isinstance(series, pd.Series):
        raise ParameterError(
            f"{name} must be a pandas Series indexed by year, got {type(series).__name__}; "
            "use evalkit.projection.series_of(panel, region=..., indicator=...) to take one from a panel"
        )
    label = f" ({series.name})" if series.name is not None else ""
    try:
        years = pd.Index(series.index).astype("int64")
    except (TypeError, ValueError) as exc:
        raise DataShapeError(
            f"{name}{label}: the index must hold years as integers (e.g. 2015 … 2020), "
            f"got {list(series.index)[:6]}"
        ) from exc
    values = pd.to_numeric(pd.Series(series.to_numpy(), index=years), errors="coerce")
    if years.has_duplicates:
        dup = sorted(set(years[years.duplicated()]))
        raise DataShapeError(f"{name}{label}: year(s) {dup} appear more than once; keep one value per year")
    values = values.sort_index()
    bad = values.index[~np.isfinite(values.to_numpy(dtype=float))]
    if len(bad):
        raise DataShapeError(
            f"{name}{label}: missing or non-numeric value(s) in year(s) {list(map(int, bad))}; "
            "fill them from the source or drop those years (interior gaps are not interpolated)"
        )
    gaps = sorted(set(range(int(values.index.min()), int(values.index.max()) + 1)) - set(values.index))
    if gaps:
        raise DataShapeError(
            f"{name}{label}: years {gaps} are missing between {values.index.min()} and "
            f"{values.index.max()}; the models need consecutive annual values — add the missing years "
            "or shorten the series to its latest unbroken run"
        )
    out = values.astype(float)
    out.name = series.name
    return out


def _check_panel(panel: pd.DataFrame) -> None:
    if not isinstance(panel, pd.DataFrame):
        raise ParameterError(f"panel must be a DataFrame, got {type(panel).__name__}; "
                             "read it with evalkit.io.read_panel")
    missing = {"region", "year", "indicator", "value"} - set(panel.columns)
    if missing:
        raise ParameterError(f"panel lacks column(s) {sorted(missing)}; read it with evalkit.io.read_panel")


def series_of(panel: pd.DataFrame, *, region: str, indicator: str) -> pd.Series:
    """The annual series of one indicator in one region of a tidy panel, indexed by year.

    Raises :class:`DataShapeError` when the panel has no such rows.
    """
    _check_panel(panel)
    rows = panel[(panel["region"].astype(str) == str(region)) & (panel["indicator"] == indicator)]
    if rows.empty:
        raise DataShapeError(
            f"the panel has no values of indicator {indicator!r} for region {region!r}; "
            "check the codes against data/reference/indicators.csv and regions.csv"
        )
    s = rows.set_index(rows["year"].astype(int))["value"].astype(float).sort_index()
    s.index.name = "year"
    s.name = indicator
    return s

