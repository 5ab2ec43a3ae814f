"""Vectorised aggregation for :mod:`evalkit.composite`: many weight sets (draws) in one pass.

Scores of one level are an array ``(draws, units, codes)`` (or ``(units, codes)`` when every draw
shares them); weights are ``(draws, codes)``. Aggregating a level is a product with the weight-masked
membership matrix, so D draws cost a few matrix products rather than D pandas pipelines.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from scipy.stats import rankdata

from evalkit._shared.checks import check_choice
from evalkit.composite.hierarchy import Hierarchy
from evalkit.errors import DataShapeError, ParameterError

__all__ = ["AGGREGATIONS", "Aggregation", "ZeroPolicy", "aggregate_all", "aggregate_level", "level_methods",
           "rank_descending"]

Aggregation = Literal["arithmetic", "geometric", "harmonic"]
ZeroPolicy = Literal["error", "zero"]
AGGREGATIONS: tuple[str, ...] = ("arithmetic", "geometric", "harmonic")


def level_methods(hierarchy: Hierarchy, aggregation) -> list[str]:
    """Aggregation method of each level step (level l → l + 1), from a name or {produced level: name}."""
    n = hierarchy.n_levels
    if isinstance(aggregation, Mapping):
        unknown = [k for k in aggregation if k not in range(2, n + 1)]
        if unknown:
            raise ParameterError(f"aggregation keys are the levels produced, 2…{n}; got {unknown}")
        methods = [aggregation.get(level, "arithmetic") for level in range(2, n + 1)]
    else:
        methods = [aggregation] * (n - 1)
    for m in methods:
        check_choice("aggregation", m, AGGREGATIONS)
    return methods


def _weighted_sum(values: np.ndarray, wm: np.ndarray) -> np.ndarray:
    """Σ_j values[..., u, j] · wm[d, j, g] → (D, u, g)."""
    if values.ndim == 2:
        # shared values: one BLAS product over all draws at once
        n_units, n = values.shape
        d, _, g = wm.shape
        flat = values @ wm.transpose(1, 0, 2).reshape(n, d * g)
        return flat.reshape(n_units, d, g).transpose(1, 0, 2)
    return np.matmul(values, wm)


def aggregate_level(scores: np.ndarray, weights: np.ndarray, membership: np.ndarray, method: str,
                    zeros: str, *, codes: Sequence[str] = ()) -> np.ndarray:
    """Aggregate one level into its parents for every draw.

    Parameters
    ----------
    scores : array (D, U, n) or (U, n)
    weights : array (D, n)
    membership : array (n, g), 0/1
    method : "arithmetic", "geometric" or "harmonic"
    zeros : "error" or "zero" — what a zero score does to a geometric or harmonic mean
    codes : names of the n children, for error messages

    Returns
    -------
    array (D, U, g). A parent whose children are all missing, or whose weights sum to zero, is NaN.

    Notes
    -----
    Missing children are skipped and the weights of the others rescaled (COINr ``a_amean``):

    * arithmetic :math:`\\sum w_i x_i / \\sum w_i`
    * geometric :math:`\\exp(\\sum w_i \\ln x_i / \\sum w_i)`
    * harmonic :math:`\\sum w_i / \\sum (w_i / x_i)`

    Geometric and harmonic means need positive scores. With ``zeros="zero"`` a zero score with a
    non-zero weight makes the parent 0 (the limit of both means); negative scores are always an error.
    """
    present = ~np.isnan(scores)
    wm = weights[:, :, None] * membership[None, :, :]
    if method != "arithmetic":
        negative = present & (scores < 0)
        zero = present & (scores == 0)
        bad_mask = negative | zero if zeros == "error" else negative
        if bad_mask.any():
            bad = np.flatnonzero(bad_mask.reshape(-1, scores.shape[-1]).any(axis=0))
            names = [codes[i] for i in bad] if codes else list(bad)
            raise DataShapeError(
                f"{method} aggregation needs positive scores; {names} have "
                f"{'negative' if negative.any() else 'zero'} values — normalise to a positive range "
                "(e.g. normalise='minmax', norm_range=(1, 100)) or pass zeros='zero' to score a zero as 0"
            )
        hit = _weighted_sum(zero.astype(float), np.abs(wm)) > 0
    if method == "arithmetic":
        values = np.where(present, scores, 0.0)
    elif method == "geometric":
        values = np.log(np.where(present & (scores > 0), scores, 1.0))
    else:
        values = np.where(present & (scores > 0), 1.0 / np.where(scores > 0, scores, 1.0), 0.0)
    numerator = _weighted_sum(values, wm)
    denominator = _weighted_sum(present.astype(float), wm)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if method == "arithmetic":
            out = numerator / denominator
        elif method == "geometric":
            out = np.exp(numerator / denominator)
        else:
            out = denominator / numerator
    out = np.where(denominator == 0, np.nan, out)
    if method != "arithmetic":
        out = np.where(hit, 0.0, out)
    return out


def aggregate_all(hierarchy: Hierarchy, indicator_scores: np.ndarray, weights: Sequence[np.ndarray],
                  methods: Sequence[str], zeros: str) -> list[np.ndarray]:
    """Scores of every aggregate level (2 … L), each (D, U, n_level).

    ``weights[l - 1]`` is (D, n_l) for the codes of level *l*; ``methods[l - 1]`` aggregates level *l*
    into level *l + 1*.
    """
    out = []
    current = indicator_scores
    for level in range(1, hierarchy.n_levels):
        current = aggregate_level(current, weights[level - 1], hierarchy.membership(level), methods[level - 1],
                                  zeros, codes=hierarchy.codes[level - 1])
        out.append(current)
    return out


def rank_descending(scores: np.ndarray) -> np.ndarray:
    """Ranks along the last axis, 1 = highest score; ties share the lowest rank (1, 2, 2, 4); NaN stays NaN."""
    return rankdata(-scores, method="min", axis=-1, nan_policy="omit")
