"""Variance-based sensitivity estimators (Saltelli 2010 first order, Jansen 1999 total), as COINr's
``SA_sample`` / ``SA_estimate``.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from evalkit.errors import ParameterError

__all__ = ["saltelli_design", "sobol_indices"]


def saltelli_design(n: int, d: int, *, seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Input sample on the unit hypercube for estimating Sobol indices: ``n·(d + 2)`` rows × ``d``.

    Rows are stacked as ``[A; B; A_B^1; …; A_B^d]``: *A* and *B* are independent uniform n × d
    matrices and :math:`A_B^i` is *A* with column *i* taken from *B* (COINr ``SA_sample``).
    """
    if n < 2 or d < 1:
        raise ParameterError(f"saltelli_design needs n ≥ 2 base samples and d ≥ 1 inputs, got n={n}, d={d}")
    rng = np.random.default_rng(seed)
    a = rng.random((n, d))
    b = rng.random((n, d))
    blocks = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    return np.vstack(blocks)


def sobol_indices(y, *, n: int, d: int, names: Sequence[str] | None = None, n_boot: int | None = None,
                  seed: int | np.random.Generator | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices from model outputs on a :func:`saltelli_design` sample.

    Parameters
    ----------
    y : array of length n·(d + 2)
        Outputs in the row order of the design.
    n, d : int
        Base sample size and number of inputs.
    names : input names (default ``x1 … xd``)
    n_boot : int, optional
        Bootstrap replicates for 5 %–95 % intervals (columns ``S_q05`` … ``ST_q95``); each index
        resamples its own n terms with replacement, the variance held fixed (COINr ``SA_estimate``).
    seed : seed for the bootstrap

    Returns
    -------
    DataFrame indexed by input: ``S``, ``ST`` (and the interval columns).

    Notes
    -----
    With :math:`V = \\mathrm{var}(y_A, y_B)` over the 2n outputs of *A* and *B*:

    .. math::
        S_i = \\frac{1}{nV} \\sum_k y_{B,k}\\,(y_{A_B^i,k} - y_{A,k}) \\quad \\text{(Saltelli et al. 2010)}

        S_{Ti} = \\frac{1}{2nV} \\sum_k (y_{A,k} - y_{A_B^i,k})^2 \\quad \\text{(Jansen 1999)}
    """
    y = np.asarray(y, dtype=float)
    if y.size != n * (d + 2):
        raise ParameterError(f"y must have n·(d+2) = {n * (d + 2)} values for n={n}, d={d}; got {y.size}")
    names = list(names) if names is not None else [f"x{i + 1}" for i in range(d)]
    if len(names) != d:
        raise ParameterError(f"names must have d = {d} entries, got {len(names)}")
    y_a, y_b = y[:n], y[n:2 * n]
    y_ab = y[2 * n:].reshape(d, n).T
    variance = np.var(np.concatenate([y_a, y_b]), ddof=1)
    first_terms = y_b[:, None] * (y_ab - y_a[:, None])
    total_terms = (y_a[:, None] - y_ab) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({"S": first_terms.mean(axis=0) / variance,
                            "ST": total_terms.sum(axis=0) / (2 * n * variance)}, index=pd.Index(names, name="input"))
        if n_boot:
            rng = np.random.default_rng(seed)
            first_boot = np.empty((n_boot, d))
            total_boot = np.empty((n_boot, d))
            for r in range(n_boot):
                first_boot[r] = np.take_along_axis(first_terms, rng.integers(0, n, (n, d)), axis=0).mean(axis=0)
                total_boot[r] = np.take_along_axis(total_terms, rng.integers(0, n, (n, d)), axis=0).sum(axis=0)
            first_boot /= variance
            total_boot /= 2 * n * variance
            out["S_q05"], out["S_q95"] = np.quantile(first_boot, [0.05, 0.95], axis=0)
            out["ST_q05"], out["ST_q95"] = np.quantile(total_boot, [0.05, 0.95], axis=0)
    return out
