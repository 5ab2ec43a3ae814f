"""Inference that stays honest with few clusters (14 cities): wild cluster bootstrap, randomisation inference.

Cluster-robust standard errors need many clusters; with 14 cities and a handful per pilot batch their
p-values are far too small. Two remedies:

* :func:`wild_cluster_bootstrap` — the restricted wild cluster bootstrap-t (WCR; Cameron, Gelbach &
  Miller 2008) for one TWFE coefficient, with Rademacher or Webb six-point weights, enumerating all
  2^G Rademacher sign patterns when that is no more than ``n_boot``.
* :func:`randomization_inference` — re-assign the observed pilot years at random across units (keeping
  the number of units per batch) and recompute the estimate; the p-value is the share of assignments
  with an estimate at least as large in absolute value (Fisher's sharp null of no effect anywhere).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._bootstrap import multiplier_weights
from evalkit.impact._panel import check_choice, long_panel, wide_panel
from evalkit.impact.did import AggKind, Control, EstMethod, fit_att_gt
from evalkit.impact.twfe import TWFEResult, demean_two_way

__all__ = [
    "RandomizationResult",
    "WildBootstrapResult",
    "randomization_inference",
    "wild_cluster_bootstrap",
]

Weights = Literal["rademacher", "webb"]
Statistic = Literal["att", "twfe"]


@dataclass(frozen=True, eq=False)
class WildBootstrapResult:
    """Wild cluster bootstrap-t test of ``coef = 0`` for one term.

    ``p_value`` is the symmetric bootstrap p-value :math:`\\Pr^*(|t^*| \\ge |t|)`; ``p_analytic`` the
    cluster-robust t-test p-value for comparison.
    """

    term: str
    coef: float
    t_stat: float
    p_value: float
    p_analytic: float
    n_boot: int
    weights: str
    n_clusters: int
    enumerated: bool

    def _repr_html_(self) -> str:
        how = "all sign patterns" if self.enumerated else f"{self.n_boot} draws"
        return (f"<p>Wild cluster bootstrap ({self.weights}, {how}, {self.n_clusters} clusters) for "
                f"<b>{self.term}</b>: coef {self.coef:.4f}, t {self.t_stat:.3f}, bootstrap p = {self.p_value:.3f} "
                f"(cluster-robust t-test p = {self.p_analytic:.3f})</p>")


def _rademacher_patterns(n_clusters: int) -> np.ndarray:
    return np.array(list(itertools.product((-1.0, 1.0), repeat=n_clusters)))


def wild_cluster_bootstrap(result: TWFEResult, *, term: str = "post", weights: Weights = "webb",
                           n_boot: int = 9999, seed: int = 0) -> WildBootstrapResult:
    """Restricted wild cluster bootstrap-t (WCR) p-value for one coefficient of a TWFE fit.

    Parameters
    ----------
    result : TWFEResult
        From :func:`evalkit.impact.twfe` or :func:`evalkit.impact.event_study`.
    term : str
        Coefficient to test against zero (``"post"`` for the static model, ``"e+0"`` etc. in an event study).
    weights : {"webb", "rademacher"}
        Cluster multipliers. Rademacher with G clusters has only 2^G distinct draws (16,384 for 14 cities);
        Webb's six-point weights have 6^G and are recommended for G < 12 (Webb 2023).
    n_boot : int
        Draws; with Rademacher weights and 2^G ≤ n_boot every pattern is used once (exact, no randomness).
    seed : int

    Notes
    -----
    Impose the null: fit the model without the tested column, keeping residuals :math:`\\tilde u` and
    fit :math:`\\tilde y`. For draw b, :math:`y^*_b = \\tilde y + v_{g(i)b}\\tilde u_i`; re-demean (the
    multipliers break orthogonality to the period effects), refit, and form
    :math:`t^*_b=\\hat\\beta^*_b/\\widehat{se}^*_b` with the same cluster-robust SE as the original fit. The
    p-value is :math:`\\frac1B\\sum_b 1\\{|t^*_b|\\ge|t|\\}`.
    """
    check_choice("weights", weights, ("webb", "rademacher"))
    terms = list(result.table["term"])
    if term not in terms:
        raise ParameterError(f"term={term!r} is not in the fit; terms are {', '.join(terms)}")
    if not (isinstance(n_boot, (int, np.integer)) and n_boot >= 99):
        raise ParameterError(f"n_boot={n_boot!r}: expected a whole number ≥ 99")
    j = terms.index(term)
    x, y, clusters = result.x, result.y, result.clusters
    n, n_clusters = len(y), int(clusters.max() + 1)
    others = np.delete(x, j, axis=1)
    if others.shape[1]:
        fitted = others @ np.linalg.lstsq(others, y, rcond=None)[0]
    else:
        fitted = np.zeros(n)
    resid0 = y - fitted
    enumerated = weights == "rademacher" and 2**n_clusters <= n_boot
    if enumerated:
        v = _rademacher_patterns(n_clusters)
    else:
        v = multiplier_weights(n_boot, n_clusters, seed=seed, kind=weights)
    y_star = fitted[:, None] + resid0[:, None] * v.T[clusters]
    y_star = demean_two_way(y_star, result.unit_codes, result.time_codes)
    xtx_inv = np.linalg.inv(x.T @ x)
    beta_star = xtx_inv @ (x.T @ y_star)
    resid_star = y_star - x @ beta_star
    # Only row j of the sandwich is needed: se_j² = c Σ_g (Σ_{i∈g} q_i u_i)², q = X (X'X)^-1 e_j.
    q = x @ xtx_inv[:, j]
    sums = np.zeros((n_clusters, resid_star.shape[1]))
    np.add.at(sums, clusters, q[:, None] * resid_star)
    factor = n_clusters / (n_clusters - 1) * (n - 1) / (n - result.k)
    t_star = beta_star[j] / np.sqrt(factor * np.sum(sums**2, axis=0))
    row = result.table.iloc[j]
    p_value = float(np.mean(np.abs(t_star) >= abs(row["t"]) - 1e-12))
    return WildBootstrapResult(term=term, coef=float(row["coef"]), t_stat=float(row["t"]), p_value=p_value,
                               p_analytic=float(row["p"]), n_boot=len(v), weights=weights,
                               n_clusters=n_clusters, enumerated=enumerated)


@dataclass(frozen=True, eq=False)
class RandomizationResult:
    """Randomisation inference over the assignment of adoption years.

    ``distribution`` holds the estimate under every (sampled) re-assignment; ``p_value`` is two-sided.
    """

    statistic: str
    estimate: float
    p_value: float
    n_assignments: int
    exact: bool
    distribution: np.ndarray = field(repr=False)

    def _repr_html_(self) -> str:
        how = "all" if self.exact else "randomly drawn"
        return (f"<p>Randomisation inference ({self.statistic}): estimate {self.estimate:.4f}; "
                f"p = {self.p_value:.3f} over {self.n_assignments} {how} re-assignments of adoption years</p>")


def _distinct_assignments(cohorts: np.ndarray) -> int:
    _, counts = np.unique(cohorts, return_counts=True)
    total = math.factorial(len(cohorts))
    for c in counts:
        total //= math.factorial(int(c))
    return total


def _all_assignments(cohorts: np.ndarray):
    """Every distinct arrangement of the cohort labels over the units (multiset permutations)."""
    labels, counts = np.unique(cohorts, return_counts=True)
    n = len(cohorts)

    def place(free: tuple[int, ...], k: int):
        if k == len(labels):
            yield {}
            return
        for chosen in itertools.combinations(free, int(counts[k])):
            rest = tuple(i for i in free if i not in chosen)
            for tail in place(rest, k + 1):
                yield {**{i: labels[k] for i in chosen}, **tail}

    for mapping in place(tuple(range(n)), 0):
        yield np.array([mapping[i] for i in range(n)])


def randomization_inference(
    df: pd.DataFrame,
    *,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    statistic: Statistic = "att",
    kind: AggKind = "simple",
    control: Control = "never",
    est_method: EstMethod = "dr",
    n_perm: int = 999,
    seed: int = 0,
) -> RandomizationResult:
    """p-value for "no effect in any unit" by re-assigning the observed adoption years across units.

    Parameters
    ----------
    statistic : {"att", "twfe"}
        ``att``: the Callaway–Sant'Anna aggregate ``kind`` (see :meth:`ATTgtResult.aggregate`);
        ``twfe``: the static TWFE coefficient.
    n_perm : int
        Random re-assignments; when the number of distinct assignments is at most ``n_perm`` all are used
        and the p-value is exact.

    Notes
    -----
    Under the sharp null :math:`Y_{it}(1)=Y_{it}(0)` every assignment :math:`\\pi` of the cohort labels
    (with the same number of units per cohort) is equally likely if adoption years were as good as
    random, so :math:`p = \\frac{1+\\#\\{b: |\\hat\\theta_{\\pi_b}| \\ge |\\hat\\theta|\\}}{1+B}` (sampled) or the
    share over all assignments (exact). The test is valid with any number of clusters but assumes
    adoption order unrelated to outcome trends; late adopters selected for need weaken it.
    """
    check_choice("statistic", statistic, ("att", "twfe"))
    if not (isinstance(n_perm, (int, np.integer)) and n_perm >= 19):
        raise ParameterError(f"n_perm={n_perm!r}: expected a whole number ≥ 19")
    if statistic == "att":
        panel = wide_panel(df, unit=unit, time=time, cohort=cohort, outcome=outcome)
        settings = dict(unit=unit, time=time, cohort=cohort, outcome=outcome, control=control,
                        est_method=est_method, covariates=[], anticipation=0, base_period="varying",
                        n_boot=0, alpha=0.05, seed=seed)
        unit_cohort = panel.cohort

        def estimate(assignment: np.ndarray) -> float:
            return fit_att_gt(replace(panel, cohort=assignment), settings).aggregate(kind).att
    else:
        data = long_panel(df, unit=unit, time=time, cohort=cohort, outcome=outcome, balanced=False)
        unit_codes, units = pd.factorize(data[unit], sort=True)
        time_codes = pd.factorize(data[time], sort=True)[0]
        unit_cohort = data.groupby(unit)[cohort].first().reindex(units).to_numpy(float)
        y_tilde = demean_two_way(data[outcome].to_numpy(float), unit_codes, time_codes)
        times = data[time].to_numpy(float)

        def estimate(assignment: np.ndarray) -> float:
            # Static TWFE coefficient by Frisch–Waugh–Lovell: regress demeaned y on demeaned post.
            g = assignment[unit_codes]
            d_tilde = demean_two_way(((g > 0) & (times >= g)).astype(float), unit_codes, time_codes)
            return float(d_tilde @ y_tilde / (d_tilde @ d_tilde))

    observed = estimate(unit_cohort)
    total = _distinct_assignments(unit_cohort)
    if total <= 1:
        raise DataShapeError("every unit has the same adoption status, so there is nothing to re-assign")
    exact = total <= n_perm
    if exact:
        draws = np.array([estimate(a) for a in _all_assignments(unit_cohort)])
        p = float(np.mean(np.abs(draws) >= abs(observed) - 1e-12))
    else:
        rng = np.random.default_rng(seed)
        draws = np.array([estimate(rng.permutation(unit_cohort)) for _ in range(n_perm)])
        p = float((1 + np.sum(np.abs(draws) >= abs(observed) - 1e-12)) / (1 + n_perm))
    name = f"CS {kind} ATT ({control}, {est_method})" if statistic == "att" else "TWFE post coefficient"
    return RandomizationResult(statistic=name, estimate=float(observed), p_value=p, n_assignments=len(draws),
                               exact=exact, distribution=draws)
