"""Multiplier bootstrap of influence functions: bootstrap SEs and uniform (sup-t) critical values."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from evalkit.impact._types import Weights

__all__ = ["MultiplierBootstrap", "multiplier_bootstrap", "multiplier_weights"]

_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])


def multiplier_weights(n_draws: int, n_clusters: int, *, seed: int, kind: Weights = "rademacher") -> np.ndarray:
    """``n_draws × n_clusters`` mean-zero, unit-variance multipliers from ``numpy.random.default_rng(seed)``.

    Rademacher weights are ±1 with probability ½; Webb's six-point weights (±√1.5, ±1, ±√0.5) give
    more distinct draws when clusters are few (Webb 2023).
    """
    rng = np.random.default_rng(seed)
    if kind == "webb":
        return rng.choice(_WEBB, size=(n_draws, n_clusters))
    return rng.integers(0, 2, size=(n_draws, n_clusters), dtype=np.int8) * 2.0 - 1.0


@dataclass(frozen=True, eq=False)
class MultiplierBootstrap:
    """Bootstrap standard errors per column and the sup-t critical value of a uniform band."""

    se: np.ndarray      # bootstrap standard error per column (NaN where degenerate)
    crit: float         # sup-t critical value for a (1 - alpha) uniform band over the columns


def multiplier_bootstrap(psi: np.ndarray, draws: np.ndarray, *, alpha: float) -> MultiplierBootstrap:
    """Multiplier bootstrap of an ``n × k`` influence-function matrix (R ``did::mboot``).

    Notes
    -----
    For draw :math:`b` with multipliers :math:`v_{bi}`,
    :math:`R_{bk} = \\sqrt{n}\\,\\frac1n\\sum_i v_{bi}\\psi_{ik}`. The scale of column :math:`k` is the
    normalised interquartile range :math:`\\sigma_k = (q_{.75}-q_{.25})/(z_{.75}-z_{.25})` and its SE
    :math:`\\sigma_k/\\sqrt n`. The uniform critical value is the :math:`1-\\alpha` quantile of
    :math:`\\max_k |R_{bk}|/\\sigma_k`.
    """
    n = psi.shape[0]
    boot = draws @ psi / np.sqrt(n)
    q75, q25 = np.quantile(boot, [0.75, 0.25], axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    sigma = np.where(sigma > np.sqrt(np.finfo(float).eps) * 10, sigma, np.nan)
    usable = np.isfinite(sigma)
    if not usable.any():
        return MultiplierBootstrap(se=np.full(psi.shape[1], np.nan), crit=np.nan)
    sup_t = np.max(np.abs(boot[:, usable] / sigma[usable]), axis=1)
    crit = float(np.quantile(sup_t, 1 - alpha, method="inverted_cdf"))
    return MultiplierBootstrap(se=sigma / np.sqrt(n), crit=crit)
