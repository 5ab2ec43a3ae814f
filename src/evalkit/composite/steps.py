"""Data steps of :mod:`evalkit.composite` before weighting: denominate, screen, impute, treat, normalise.

Each function takes a units × indicators frame of floats and returns a new one plus what it did, so
:func:`evalkit.composite.build` can log it. The rules follow COINr (``Denominate``, ``Screen``,
``Impute``, ``Treat``, ``Normalise``) where COINr has the step.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from evalkit.composite.hierarchy import Hierarchy
from evalkit.errors import DataShapeError, ParameterError

__all__ = [
    "IMPUTATIONS",
    "NORMALISATIONS",
    "Imputation",
    "Normalisation",
    "denominate",
    "impute",
    "kurtosis",
    "normalise",
    "screen",
    "skewness",
    "treat",
]

Imputation = Literal["none", "mean", "median", "group_mean", "group_median"]
Normalisation = Literal["minmax", "zscore", "rank", "distance_to_target", "goalposts", "none"]
IMPUTATIONS: tuple[str, ...] = ("none", "mean", "median", "group_mean", "group_median")
NORMALISATIONS: tuple[str, ...] = ("minmax", "zscore", "rank", "distance_to_target", "goalposts", "none")


def _deviations(x) -> tuple[int, np.ndarray, float]:
    """Count, deviations from the mean and their sum of squares, missing values dropped."""
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    d = v - v.mean() if v.size else v
    return v.size, d, float(np.sum(d**2))


def skewness(x) -> float:
    """Sample skewness, e1071 type 2 (Excel's SKEW), missing values dropped.

    Notes
    -----
    With deviations :math:`d_i = x_i - \\bar x` over the *n* non-missing values,

    .. math:: g = \\sqrt{n}\\,\\frac{\\sum d_i^3}{(\\sum d_i^2)^{3/2}}\\cdot\\frac{\\sqrt{n(n-1)}}{n-2}.

    NaN when fewer than 3 values or no variation.
    """
    n, d, s2 = _deviations(x)
    if n < 3 or s2 == 0:
        return float("nan")
    return float(np.sqrt(n) * np.sum(d**3) / s2**1.5 * np.sqrt(n * (n - 1)) / (n - 2))


def kurtosis(x) -> float:
    """Sample excess kurtosis, e1071 type 2 (Excel's KURT), missing values dropped.

    Notes
    -----
    With :math:`r = n \\sum d_i^4 / (\\sum d_i^2)^2`,

    .. math:: k = \\frac{\\left((n+1)(r-3)+6\\right)(n-1)}{(n-2)(n-3)}.

    NaN when fewer than 4 values or no variation.
    """
    n, d, s2 = _deviations(x)
    if n < 4 or s2 == 0:
        return float("nan")
    r = n * np.sum(d**4) / s2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def denominate(values: pd.DataFrame, data: pd.DataFrame, hierarchy: Hierarchy) -> tuple[pd.DataFrame, dict]:
    """Divide each indicator with a ``denominator`` by that column of *data* (scaled by ``scale_factor``).

    ``x / (denominator / scale_factor)``, COINr's ``Denominate``. Zero or missing denominators give a
    missing value.
    """
    table = hierarchy.table
    if "denominator" not in table.columns:
        raise ParameterError("denominate=True but meta has no 'denominator' column; add it or drop denominate")
    spec = table.loc[list(hierarchy.indicators), ["denominator"]].copy()
    spec = spec[spec["denominator"].notna() & (spec["denominator"].astype(str).str.strip() != "")]
    absent = sorted(set(spec["denominator"].astype(str)) - set(data.columns))
    if absent:
        raise DataShapeError(
            f"denominator column(s) {absent} named in meta are not in data; add them to data or clear "
            "the denominator of those indicators"
        )
    scale = table["scale_factor"] if "scale_factor" in table.columns else pd.Series(1.0, index=table.index)
    out = values.copy()
    zero_or_missing: dict[str, list[str]] = {}
    for code, denom in spec["denominator"].astype(str).items():
        d = pd.to_numeric(data[denom], errors="coerce").to_numpy(dtype=float) / float(
            1.0 if pd.isna(scale.get(code)) else scale[code])
        bad = ~np.isfinite(d) | (d == 0)
        if bad.any():
            zero_or_missing[code] = list(values.index[bad])
        out[code] = np.where(bad, np.nan, values[code].to_numpy() / np.where(bad, 1.0, d))
    return out, {"denominated": dict(spec["denominator"].astype(str)), "zero_or_missing_denominator": zero_or_missing}


def screen(values: pd.DataFrame, threshold: float) -> tuple[pd.DataFrame, list[str]]:
    """Keep units whose share of non-missing indicator values is at least *threshold* (COINr ``byNA``)."""
    if not 0 < threshold <= 1:
        raise ParameterError(f"screen must be a data-availability share in (0, 1], e.g. 0.9; got {threshold!r}")
    availability = values.notna().mean(axis=1)
    keep = availability >= threshold
    if not keep.any():
        raise DataShapeError(
            f"screening at {threshold:.0%} data availability removes every unit (best unit has "
            f"{availability.max():.0%}); lower screen or impute first"
        )
    return values[keep], list(values.index[~keep])


def impute(values: pd.DataFrame, method: str, groups: pd.Series | None) -> tuple[pd.DataFrame, dict]:
    """Fill missing values column by column with the mean or median, overall or within *groups*."""
    statistic = "mean" if method.endswith("mean") else "median"
    if method.startswith("group_"):
        filled = values.fillna(values.groupby(groups).transform(statistic))
    else:
        filled = values.fillna(getattr(values, statistic)())
    still = filled.isna().sum()
    return filled, {
        "imputed": int(values.isna().sum().sum() - still.sum()),
        "left_missing": {c: int(n) for c, n in still.items() if n},
    }


def _passes(x: np.ndarray, skew_thresh: float, kurt_thresh: float) -> tuple[bool, float, float]:
    s, k = skewness(x), kurtosis(x)
    return bool(abs(s) < skew_thresh or k < kurt_thresh), s, k


def _treat_column(x: np.ndarray, winmax: int, skew_thresh: float, kurt_thresh: float) -> tuple[np.ndarray, dict]:
    """COINr ``Treat`` with its defaults (``winsorise`` then ``log_CT``) on one indicator.

    Winsorising replaces every occurrence of the current maximum by the next-highest value (minimum by
    the next-lowest when the skew is negative) and repeats while the check fails and ``nwin < winmax``,
    where ``nwin`` is the number of points set in the last step (COINr's counter: the tied block grows by
    one point per step, so it counts the points winsorised so far). If the check still fails the
    original values are log-transformed instead: ``log(x - min + 0.01·(max - min))``.
    """
    ok, s0, k0 = _passes(x, skew_thresh, kurt_thresh)
    info = {"skew": s0, "kurt": k0, "winsorised": 0, "skew_winsorised": np.nan, "kurt_winsorised": np.nan,
            "treatment": "none", "skew_after": s0, "kurt_after": k0}
    if ok or np.isnan(s0) or np.isnan(k0):
        return x, info
    y = x.copy()
    high = low = np.array([], dtype=int)
    nwin = 0
    s1, k1 = s0, k0
    while not ok and nwin < winmax:
        if skewness(y) >= 0:
            high = np.flatnonzero(y == np.nanmax(y))
            rest = np.delete(y, high)
            y[high] = np.nanmax(rest) if np.any(~np.isnan(rest)) else y[high]
        else:
            low = np.flatnonzero(y == np.nanmin(y))
            rest = np.delete(y, low)
            y[low] = np.nanmin(rest) if np.any(~np.isnan(rest)) else y[low]
        nwin = high.size + low.size
        ok, s1, k1 = _passes(y, skew_thresh, kurt_thresh)
    info.update(winsorised=nwin, skew_winsorised=s1, kurt_winsorised=k1, treatment="winsorised",
                skew_after=s1, kurt_after=k1)
    if ok:
        return y, info
    lo, hi = np.nanmin(x), np.nanmax(x)
    logged = np.log(x - lo + 0.01 * (hi - lo))
    _, s2, k2 = _passes(logged, skew_thresh, kurt_thresh)
    info.update(skew_after=s2, kurt_after=k2, treatment="log")
    return logged, info


def treat(values: pd.DataFrame, *, winmax: int, skew_thresh: float,
          kurt_thresh: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Outlier treatment of every indicator; returns the treated values and one row of details per indicator.

    The details: skew and kurtosis before, points winsorised and the skew/kurtosis after winsorising, the treatment
    kept (``none``, ``winsorised``, ``log``) and the skew/kurtosis after it.

    Notes
    -----
    An indicator passes when :math:`|g| < 2` **or** :math:`k < 3.5` (skewness and kurtosis of
    :func:`skewness`, :func:`kurtosis`; thresholds ``skew_thresh``, ``kurt_thresh``). Failing
    indicators are winsorised up to ``winmax`` points; if they still fail, the original values are
    log-transformed (see ``_treat_column``). This is COINr's ``Treat`` default.
    """
    if int(winmax) != winmax or winmax < 0:
        raise ParameterError(f"winmax must be a non-negative integer (points to winsorise), got {winmax!r}")
    out = values.copy()
    rows = {}
    for code in values.columns:
        treated, info = _treat_column(values[code].to_numpy(dtype=float).copy(), int(winmax), skew_thresh, kurt_thresh)
        out[code] = treated
        rows[code] = info
    return out, pd.DataFrame.from_dict(rows, orient="index").rename_axis("code")


def normalise(
    values: pd.DataFrame,
    hierarchy: Hierarchy,
    *,
    method: str,
    norm_range: tuple[float, float],
    norm_zscore: tuple[float, float],
    goalposts: Mapping[str, tuple[float, float]] | None,
    target_cap: bool,
) -> tuple[pd.DataFrame, list[str]]:
    """Bring indicators onto a common scale; returns the normalised values and the constant indicators.

    Constant columns are left without information (missing). Direction is applied first: every method sees
    ``x·direction``.

    Notes
    -----
    * ``none``: :math:`x \\cdot \\mathrm{direction}` — the values as they are, sign-flipped for a lower-is-better
      indicator so that a higher score is always better (a unit worst on such an indicator gets its lowest score).
    * ``minmax``: :math:`l + (u-l)(x-\\min x)/(\\max x-\\min x)` with ``norm_range = (l, u)``.
    * ``zscore``: :math:`m + s(x-\\bar x)/\\mathrm{sd}(x)` (sd with n-1) with ``norm_zscore = (m, s)``.
    * ``rank``: ranks 1…n, highest value n, ties get the lowest rank (COINr ``n_rank``).
    * ``distance_to_target``: :math:`(x-\\min x)/(t-\\min x)`, capped at 1 when ``target_cap``,
      mapped to ``norm_range``; *t* is the meta ``target`` (same direction convention).
    * ``goalposts``: :math:`(x-g_{lo})/(g_{hi}-g_{lo})` clipped to [0, 1] and mapped to
      ``norm_range``; goalposts are given in the indicator's own units.
    """
    codes = list(values.columns)
    direction = hierarchy.table.loc[codes, "direction"].to_numpy(dtype=float)
    x = values.to_numpy(dtype=float) * direction
    lo_r, hi_r = (float(v) for v in norm_range)
    if method == "none":
        out = x
    elif method == "minmax":
        mn, mx = np.nanmin(x, axis=0), np.nanmax(x, axis=0)
        span = np.where(mx > mn, mx - mn, np.nan)
        out = lo_r + (hi_r - lo_r) * (x - mn) / span
    elif method == "zscore":
        mean, sd = np.nanmean(x, axis=0), np.nanstd(x, axis=0, ddof=1)
        out = norm_zscore[0] + norm_zscore[1] * (x - mean) / np.where(sd > 0, sd, np.nan)
    elif method == "rank":
        out = pd.DataFrame(x).rank(method="min", na_option="keep").to_numpy()
    elif method == "distance_to_target":
        if "target" not in hierarchy.table.columns:
            raise ParameterError("normalise='distance_to_target' needs a 'target' column in meta")
        target = pd.to_numeric(hierarchy.table.loc[codes, "target"], errors="coerce").to_numpy() * direction
        absent = [c for c, t in zip(codes, target) if np.isnan(t)]
        if absent:
            raise DataShapeError(f"normalise='distance_to_target': no target in meta for {absent}")
        mn = np.nanmin(x, axis=0)
        share = (x - mn) / np.where(target > mn, target - mn, np.nan)
        out = lo_r + (hi_r - lo_r) * (np.minimum(share, 1.0) if target_cap else share)
    elif method == "goalposts":
        absent = [c for c in codes if not goalposts or c not in goalposts]
        if absent:
            raise ParameterError(
                f"normalise='goalposts' needs goalposts={{code: (low, high)}} for every indicator; missing {absent}"
            )
        posts = np.array([sorted(np.asarray(goalposts[c], dtype=float) * d) for c, d in zip(codes, direction)])
        width = np.where(posts[:, 1] > posts[:, 0], posts[:, 1] - posts[:, 0], np.nan)
        out = lo_r + (hi_r - lo_r) * np.clip((x - posts[:, 0]) / width, 0.0, 1.0)
    else:  # pragma: no cover - choices are validated by build()
        raise ParameterError(f"unknown normalisation {method!r}")
    no_information = [c for c, col in zip(codes, out.T) if values[c].notna().any() and np.isnan(col).all()]
    return pd.DataFrame(out, index=values.index, columns=codes), no_information
