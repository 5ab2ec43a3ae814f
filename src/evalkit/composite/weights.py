"""Weights for :mod:`evalkit.composite`: AHP from a pairwise matrix, entropy, PCA, effective weights."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evalkit import i18n
from evalkit._shared.checks import check_choice
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.composite.aggregate import aggregate_level
from evalkit.composite.hierarchy import Hierarchy
from evalkit.errors import DataShapeError, ParameterError

__all__ = ["SAATY_RANDOM_INDEX", "WEIGHTINGS", "AHPResult", "Weighting", "ahp_weights", "assign_weights",
           "entropy_weights", "pca_weights", "weight_table"]

Weighting = Literal["given", "equal", "entropy", "pca", "ahp"]
WEIGHTINGS: tuple[str, ...] = ("given", "equal", "entropy", "pca", "ahp")

# Saaty's random consistency index RI(n) for n = 1…10 (Saaty 1980, as tabulated in
# ../shared/research/methods_reference.md §1); n = 1, 2 are always consistent.
SAATY_RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
CONSISTENCY_LIMIT = 0.10


@dataclass(frozen=True, eq=False)
class AHPResult(ResultDisplay):
    """Weights from an AHP pairwise-comparison matrix and Saaty's consistency check."""

    weights: pd.Series
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float

    @property
    def consistent(self) -> bool:
        """Saaty's acceptance rule, ``CR < 0.10``."""
        return self.consistency_ratio < CONSISTENCY_LIMIT

    def _summary(self, lang: str = "zh") -> Summary:
        verdict = i18n.t("composite.ahp.consistent" if self.consistent else "composite.ahp.inconsistent", lang)
        line = i18n.t("composite.ahp.line", lang, lambda_max=f"{self.lambda_max:.4f}",
                      ci=f"{self.consistency_index:.4f}", cr=f"{self.consistency_ratio:.4f}", verdict=verdict)
        frame = self.weights.to_frame(i18n.t("composite.weights.weight", lang))
        return Summary(title=i18n.t("composite.ahp.title", lang), lines=[line], frames={"": frame}, index=True,
                       float_format="{:.4f}".format)


def ahp_weights(matrix: pd.DataFrame | np.ndarray) -> AHPResult:
    """Weights of the elements compared in an AHP pairwise matrix.

    Parameters
    ----------
    matrix : DataFrame or array, n × n
        ``matrix[i, j]`` = how many times more important element *i* is than *j* (Saaty's 1–9
        scale); positive, with ``matrix[j, i] = 1 / matrix[i, j]`` and ones on the diagonal. A
        DataFrame's index names the elements.

    Returns
    -------
    AHPResult

    Notes
    -----
    *w* is the principal right eigenvector scaled to sum 1, :math:`A w = \\lambda_{max} w`.
    :math:`CI = (\\lambda_{max} - n)/(n - 1)`, :math:`CR = CI / RI(n)` with Saaty's random index
    (0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49 for n = 3…10); judgements are accepted when
    :math:`CR < 0.10`.
    """
    labels = list(matrix.index) if isinstance(matrix, pd.DataFrame) else None
    a = np.asarray(matrix, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise ParameterError(f"AHP matrix must be square n × n, got shape {a.shape}")
    n = a.shape[0]
    if n not in SAATY_RANDOM_INDEX:
        raise ParameterError(f"AHP needs 1–10 elements per comparison matrix (Saaty's RI table); got {n} — "
                             "split the group")
    if isinstance(matrix, pd.DataFrame) and list(matrix.columns) != labels:
        raise ParameterError("AHP matrix rows and columns must name the same elements in the same order")
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ParameterError("AHP matrix entries must be positive numbers (Saaty scale 1/9 … 9)")
    # a_ij · a_ji = 1 for all i, j also forces a_ii = 1 (entries are positive)
    broken = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=1e-6))
    if broken.size:
        i, j = broken[0]
        raise ParameterError(
            f"AHP matrix must be reciprocal with ones on the diagonal: entry [{i}, {j}] = {a[i, j]:g} but "
            f"[{j}, {i}] = {a[j, i]:g} (should be {1 / a[i, j]:g})"
        )
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ri = SAATY_RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    return AHPResult(weights=pd.Series(w, index=labels, name="weight"), lambda_max=lam,
                     consistency_index=float(ci), random_index=ri, consistency_ratio=float(cr))


def entropy_weights(values: pd.DataFrame) -> pd.Series:
    """Entropy weights of the columns of *values* (non-negative normalised scores), summing to 1.

    Notes
    -----
    Over the *n* non-missing values of each column *j*:
    :math:`p_{ij} = x_{ij}/\\sum_i x_{ij}`, :math:`e_j = -\\frac{1}{\\ln n}\\sum_i p_{ij}\\ln p_{ij}`
    (with :math:`0 \\ln 0 = 0`), :math:`w_j = (1-e_j)/\\sum_k (1-e_k)`. A column with no spread
    (all values equal, or all zero) carries no information: :math:`1-e_j = 0`. If no column carries
    information the weights are equal.
    """
    x = values.to_numpy(dtype=float)
    if np.any(x[~np.isnan(x)] < 0):
        raise DataShapeError(
            "entropy weights need non-negative scores; normalise with minmax or rank (or zscore with a "
            "mean large enough to keep every score positive) before weights='entropy'"
        )
    n = np.sum(~np.isnan(x), axis=0)
    totals = np.nansum(x, axis=0)
    p = np.where(totals > 0, np.nan_to_num(x) / np.where(totals > 0, totals, 1.0), 0.0)
    plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where((n > 1) & (totals > 0), -plogp.sum(axis=0) / np.log(np.maximum(n, 2)), 1.0)
    d = np.clip(1.0 - e, 0.0, None)
    w = d / d.sum() if d.sum() > 0 else np.full(d.size, 1.0 / d.size)
    return pd.Series(w, index=values.columns, name="weight")


def pca_weights(values: pd.DataFrame, *, squared: bool = False) -> pd.Series:
    """First-principal-component loadings of the standardised columns.

    ``squared=False`` gives COINr's ``get_PCA`` weights: the loadings themselves, of unit length. Their
    sign is arbitrary in PCA, so they are oriented to have a non-negative sum (the component points the
    way most columns grow); a column that runs against the others gets a negative weight, and two
    columns that run against each other get weights summing to zero. ``squared=True`` gives the
    OECD/JRC Handbook form for one retained component: squared loadings, which are positive and sum
    to 1.

    Rows with a missing value are dropped (as ``na.omit``).

    Notes
    -----
    With *Z* the columns centred and scaled to unit standard deviation and :math:`Z = U S V^T`, the
    loadings are the first column :math:`v` of *V*; squared weights are :math:`v_j^2 / \\sum_k v_k^2`.
    """
    if values.shape[1] == 1:
        return pd.Series([1.0], index=values.columns, name="weight")
    complete = values.dropna()
    sd = complete.std(ddof=1)
    if len(complete) < 2 or (sd > 0).sum() < values.shape[1]:
        flat = list(sd.index[~(sd > 0)]) if len(complete) >= 2 else list(values.columns)
        raise DataShapeError(
            f"PCA weights need at least two complete rows and variation in every column; no variation in {flat}"
        )
    z = ((complete - complete.mean()) / sd).to_numpy()
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    v = vt[0]
    if v.sum() < 0 or (v.sum() == 0 and v[np.flatnonzero(v)[0]] < 0):
        v = -v
    return pd.Series(v**2 / np.sum(v**2) if squared else v, index=values.columns, name="weight")


def weight_table(hierarchy: Hierarchy, weights: pd.Series) -> pd.DataFrame:
    """Weights as used, their share inside each parent group, and effective weights in the index.

    Notes
    -----
    ``share`` = :math:`w_c / \\sum_{s \\in \\mathrm{siblings}(c)} w_s`; ``effective`` is the product of
    shares along the path from *c* to the index (COINr ``get_eff_weights``); effective weights of
    each level sum to 1.
    """
    table = hierarchy.table
    rows = [c for level in hierarchy.codes[:-1] for c in level]
    parent = table.loc[rows, "parent"]
    w = weights.reindex(rows).astype(float)
    totals = w.groupby(parent).transform("sum")
    share = w / totals.where(totals != 0)
    effective = share.copy()
    for code in rows:
        up = parent[code]
        while up != hierarchy.top:
            effective[code] *= share[up]
            up = parent[up]
    return pd.DataFrame({"level": table.loc[rows, "level"].astype(int), "parent": parent,
                         "weight": w, "share": share, "effective": effective}).rename_axis("code")


def ahp_group(hierarchy: Hierarchy, parent: str, matrix) -> pd.Series:
    """AHP weights of the children of *parent* from its pairwise *matrix*; refuses CR ≥ 0.10."""
    kids = hierarchy.children(parent)
    if not isinstance(matrix, pd.DataFrame):
        raise ParameterError(f"ahp[{parent!r}] must be a DataFrame whose index and columns name the children {kids}")
    result = ahp_weights(matrix)
    if sorted(map(str, result.weights.index)) != sorted(kids):
        raise ParameterError(f"ahp[{parent!r}] compares {list(result.weights.index)}; "
                             f"the children of {parent!r} are {kids}")
    if not result.consistent:
        raise ParameterError(
            f"ahp[{parent!r}] is inconsistent: CR = {result.consistency_ratio:.3f} ≥ 0.10 (Saaty); revise the "
            "pairwise judgements (evalkit.composite.ahp_weights shows λmax and CR)"
        )
    return result.weights.rename(index=str)


def _given_weights(hierarchy: Hierarchy, weights, weight_levels, ahp) -> tuple[pd.Series, str, set[int]]:
    """Meta weights with a mapping, AHP or equal weights applied; the method name; the levels it covers."""
    table = hierarchy.table
    used = table["weight"].astype(float).copy()
    levels = range(1, hierarchy.n_levels)
    if isinstance(weights, Mapping):
        unknown = sorted(set(map(str, weights)) - set(table.index))
        if unknown:
            raise ParameterError(f"weights for unknown codes {unknown}; codes are those of meta")
        used.update(pd.Series({str(k): float(v) for k, v in weights.items()}))
        method = "given"
    else:
        check_choice("weights", weights, WEIGHTINGS)
        method = weights
    chosen = set(levels if weight_levels is None else weight_levels)
    if not chosen <= set(levels):
        raise ParameterError(f"weight_levels must be among {list(levels)} (levels below the index), "
                             f"got {sorted(chosen)}")
    if method == "ahp":
        if not ahp:
            raise ParameterError("weights='ahp' needs ahp={parent code: pairwise DataFrame of its children}")
        unknown = sorted(set(ahp) - set(hierarchy.aggregates))
        if unknown:
            raise ParameterError(f"ahp keys must be aggregate codes; {unknown} are not")
        for parent, matrix in ahp.items():
            used.update(ahp_group(hierarchy, parent, matrix))
    if method == "equal":
        used[[c for lev in chosen for c in hierarchy.codes[lev - 1]]] = 1.0
    return used, method, chosen


def assign_weights(hierarchy: Hierarchy, normalised: pd.DataFrame, *, weights, weight_levels: Sequence[int] | None,
                   ahp, methods: list[str], zeros: str) -> tuple[pd.Series, list[np.ndarray], str, list[int]]:
    """Weights of every non-top code and the scores of each aggregate level (U × n_level).

    Data-driven weights (entropy, PCA) of level *l* are computed within each parent group from the
    level-*l* scores, so levels are weighted and aggregated bottom-up. Returns the weights, the scores of
    levels 2 … L, the weighting method and the levels it was applied to.
    """
    used, method, chosen = _given_weights(hierarchy, weights, weight_levels, ahp)
    current = normalised.to_numpy(dtype=float)
    level_scores = []
    for level in range(1, hierarchy.n_levels):
        codes = hierarchy.codes[level - 1]
        if method in ("entropy", "pca") and level in chosen:
            frame = pd.DataFrame(current, index=normalised.index, columns=codes)
            for parent in hierarchy.codes[level]:
                kids = hierarchy.children(parent)
                group = frame[kids]
                rule = entropy_weights(group) if method == "entropy" else pca_weights(group, squared=True)
                used[kids] = rule.to_numpy()
        current = aggregate_level(current, used[list(codes)].to_numpy()[None, :], hierarchy.membership(level),
                                  methods[level - 1], zeros, codes=codes)[0]
        level_scores.append(current)
    return used.drop(hierarchy.top), level_scores, method, sorted(chosen)
