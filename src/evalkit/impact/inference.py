"""Inference that stays honest with few clusters (14 cities): wild cluster bootstrap, randomisation inference.

Cluster-robust standard errors need many clusters; with 14 cities and a handful per pilot batch their
p-values are far too small. Two remedies:

* :func:`wild_cluster_bootstrap` — the restricted wild cluster bootstrap-t (WCR; Cameron, Gelbach &
  Miller 2008) for one TWFE coefficient, with Rademacher or Webb six-point weights, enumerating all
  2^G Rademacher sign patterns whenever that is feasible (G ≤ 16, or 2^G ≤ ``n_boot``), with a bootstrap
  confidence interval by test inversion. Checked against ``wildboottest`` 0.3.2
  (``tests/reference/test_wildboot.py``).
* :func:`randomization_inference` — re-assign the observed pilot years at random across units (keeping
  the number of units per batch) and recompute the estimate with the main specification; the p-value is
  the share of assignments with an estimate at least as large in absolute value (Fisher's sharp null of no
  effect anywhere).
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit import i18n
from evalkit._shared.checks import Lang, check_choice, check_lang
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._bootstrap import multiplier_weights
from evalkit.impact._labels import number
from evalkit.impact._panel import WidePanel, group_sums, long_panel, wide_panel
from evalkit.impact._types import (
    AGG_KINDS,
    BASE_PERIODS,
    CONTROLS,
    EST_METHODS,
    STATISTICS,
    WEIGHTS,
    AggKind,
    BasePeriod,
    Control,
    EstMethod,
    Statistic,
    Weights,
    check_count,
)
from evalkit.impact.did import ATTgtResult, aggregate_estimator
from evalkit.impact.twfe import TWFEResult, crv1_factor, demean_two_way

__all__ = [
    "RandomizationResult",
    "WildBootstrapResult",
    "randomization_inference",
    "wild_cluster_bootstrap",
]

#: enumerate every Rademacher sign pattern up to this many clusters (2^16 = 65,536 patterns)
MAX_ENUMERATED_CLUSTERS = 16
#: bootstrap draws per block (bounds the memory of an n × draws matrix)
_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True, eq=False)
class WildBootstrapResult(ResultDisplay):
    """Wild cluster bootstrap-t test of ``coef = 0`` for one term, and its confidence interval.

    ``p_value`` is the symmetric bootstrap p-value :math:`\\Pr^*(|t^*| > |t|)` — ties do not count, as in
    wildboottest and fwildclusterboot; ``p_analytic`` the cluster-robust t-test p-value for comparison;
    ``ci_lo``/``ci_hi`` the bootstrap interval at level 1 − ``alpha`` by test inversion (±inf when the set
    is unbounded, NaN when not computed).
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
    ci_lo: float = np.nan
    ci_hi: float = np.nan
    alpha: float = 0.05
    lang: Lang = "zh"
    inversion: object = field(default=None, repr=False, compare=False)

    @property
    def ci(self) -> tuple[float, float]:
        """The bootstrap confidence interval (test inversion)."""
        return (self.ci_lo, self.ci_hi)

    def p_value_at(self, beta0: float) -> float:
        """Bootstrap p-value of H0: coef = *beta0* with the same draws (the function the interval inverts)."""
        if self.inversion is None:
            raise ParameterError("this result carries no bootstrap draws; rerun evalkit.impact.wild_cluster_bootstrap")
        return self.inversion.p_value(float(beta0))

    def _summary(self) -> Summary:
        lang = self.lang
        how = (i18n.t("impact.display.wild_enumerated", lang) if self.enumerated
               else i18n.t("impact.display.wild_draws", lang, n=self.n_boot))
        lines = [i18n.t("impact.display.wild_line", lang, weights=i18n.t(f"impact.option.{self.weights}", lang),
                        how=how, n_clusters=self.n_clusters,
                        term=i18n.labels("impact.term", lang).get(self.term, self.term), coef=number(self.coef, 4),
                        t=number(self.t_stat), p=number(self.p_value), p_analytic=number(self.p_analytic))]
        if np.isfinite(self.ci_lo) or np.isfinite(self.ci_hi):
            lines.append(i18n.t("impact.display.wild_ci", lang, level=f"{100 * (1 - self.alpha):.0f}",
                                lo=number(self.ci_lo, 4), hi=number(self.ci_hi, 4)))
        return Summary(title=i18n.t("impact.display.wild_title", lang), lines=lines)


def _rademacher_patterns(n_clusters: int) -> np.ndarray:
    return np.array(list(itertools.product((-1.0, 1.0), repeat=n_clusters)))


@dataclass(frozen=True, eq=False)
class _WildParts:
    """The bootstrap t-statistics as functions of the hypothesised value β0 (linear pieces, see the Notes)."""

    coef: float
    se: float
    bp: np.ndarray      # β*_b at β0 = 0
    bq: np.ndarray      # slope of β*_b in β0
    sp: np.ndarray      # G × B cluster score sums at β0 = 0
    sq: np.ndarray      # their slope in β0
    factor: float

    def p_value(self, beta0: float) -> float:
        """Bootstrap p-value of H0: coef = β0 (ties not counted)."""
        t_obs = (self.coef - beta0) / self.se
        se_star = np.sqrt(self.factor * np.sum((self.sp + beta0 * self.sq) ** 2, axis=0))
        t_star = (self.bp + beta0 * self.bq - beta0) / se_star
        tol = 1e-9 * max(1.0, abs(t_obs))
        return float(np.mean(np.abs(t_star) > abs(t_obs) + tol))


def _wild_parts(result: TWFEResult, j: int, v: np.ndarray) -> _WildParts:
    """Precompute the restricted wild bootstrap for term *j* with multipliers *v* (draws × clusters)."""
    x, y, clusters = result.x, result.y, result.clusters
    n, n_clusters = len(y), int(clusters.max() + 1)
    others = np.delete(x, j, axis=1)
    if others.shape[1]:
        coef_o = np.linalg.lstsq(others, np.column_stack([y, x[:, j]]), rcond=None)[0]
        hy, hx = others @ coef_o[:, 0], others @ coef_o[:, 1]
    else:
        hy, hx = np.zeros(n), np.zeros(n)
    r_y, r_x = y - hy, x[:, j] - hx
    xtx_inv = np.linalg.inv(x.T @ x)
    q = x @ xtx_inv[:, j]          # β*_j = q'y*;  se² uses the cluster sums of q_i û*_i
    bp, bq, sp, sq = [], [], [], []
    block = max(1, _BLOCK_CELLS // max(n, 1))
    for start in range(0, len(v), block):
        vb = v[start:start + block].T[clusters]                                  # n × b
        p_part = demean_two_way(hy[:, None] + vb * r_y[:, None], result.unit_codes, result.time_codes)
        q_part = demean_two_way(r_x[:, None] - vb * r_x[:, None], result.unit_codes, result.time_codes)
        for part, coefs, sums in ((p_part, bp, sp), (q_part, bq, sq)):
            beta = xtx_inv @ (x.T @ part)
            resid = part - x @ beta
            coefs.append(beta[j])
            sums.append(group_sums(q[:, None] * resid, clusters, n_clusters))
    row = result.table.iloc[j]
    return _WildParts(coef=float(row["coef"]), se=float(row["se"]), bp=np.concatenate(bp), bq=np.concatenate(bq),
                      sp=np.hstack(sp), sq=np.hstack(sq), factor=crv1_factor(n_clusters, n, result.k))


def _invert(parts: _WildParts, alpha: float, side: float, *, max_doublings: int = 30) -> float:
    """The bound on *side* (−1 or +1) of {β0 : p(β0) > α} nearest the estimate, by bisection."""
    inside = parts.coef
    step = 2.0 * parts.se
    outside = inside + side * step
    for _ in range(max_doublings):
        if parts.p_value(outside) <= alpha:
            break
        inside, step = outside, step * 2
        outside = inside + side * step
    else:
        return side * np.inf
    for _ in range(200):
        middle = 0.5 * (inside + outside)
        if parts.p_value(middle) > alpha:
            inside = middle
        else:
            outside = middle
        if abs(outside - inside) <= 1e-10 * max(parts.se, 1e-300):
            break
    return 0.5 * (inside + outside)


def wild_cluster_bootstrap(result: TWFEResult, *, term: str = "post", weights: Weights = "webb",
                           n_boot: int = 9999, seed: int = 0, ci: bool = True) -> WildBootstrapResult:
    """Restricted wild cluster bootstrap-t (WCR) p-value and confidence interval for one TWFE coefficient.

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
        Random draws. With Rademacher weights every one of the 2^G sign patterns is used once (exact, no
        randomness) whenever G ≤ 16 or 2^G ≤ n_boot.
    seed : int
        Seed of the random draws.
    ci : bool
        Also compute the bootstrap confidence interval at level 1 − ``result.alpha`` by test inversion.

    Returns
    -------
    WildBootstrapResult

    Notes
    -----
    To test :math:`\\beta_j=\\beta_0`, impose the null: regress :math:`y-\\beta_0x_j` on the other columns,
    keeping fit :math:`\\tilde y(\\beta_0)` and residuals :math:`\\tilde u(\\beta_0)`. For draw b,
    :math:`y^*_b = \\tilde y + \\beta_0 x_j + v_{g(i)b}\\tilde u_i`; re-demean (the multipliers break
    orthogonality to the period effects), refit, and form
    :math:`t^*_b=(\\hat\\beta^*_b-\\beta_0)/\\widehat{se}^*_b` with the same CRV1 factor as the original fit.
    The p-value is :math:`\\frac1B\\sum_b 1\\{|t^*_b|>|t(\\beta_0)|\\}`: strictly greater, as wildboottest
    (``np.mean(np.abs(t_stat) < abs(t_boot))``) and fwildclusterboot count, so that the two sign patterns
    ±1 that reproduce the observed t exactly do not count (counting them adds 2/2^G). :math:`y^*` is linear
    in :math:`\\beta_0`, so the t-statistics for every :math:`\\beta_0` come from two bootstrap passes. The
    interval is :math:`\\{\\beta_0: p(\\beta_0) > \\alpha\\}`, its ends found by bisection from the estimate
    outwards with the same draws (test inversion, as fwildclusterboot's ``boottest``).
    """
    check_choice("weights", weights, WEIGHTS)
    terms = list(result.table["term"])
    if term not in terms:
        raise ParameterError(f"term={term!r} is not in the fit; terms are {', '.join(terms)}")
    check_count("n_boot", n_boot, 99)
    j = terms.index(term)
    n_clusters = int(result.clusters.max() + 1)
    enumerated = weights == "rademacher" and (n_clusters <= MAX_ENUMERATED_CLUSTERS or 2**n_clusters <= n_boot)
    v = (_rademacher_patterns(n_clusters) if enumerated
         else multiplier_weights(n_boot, n_clusters, seed=seed, kind=weights))
    parts = _wild_parts(result, j, v)
    lo, hi = ((_invert(parts, result.alpha, -1.0), _invert(parts, result.alpha, 1.0)) if ci else (np.nan, np.nan))
    row = result.table.iloc[j]
    return WildBootstrapResult(term=term, coef=float(row["coef"]), t_stat=float(row["t"]), p_value=parts.p_value(0.0),
                               p_analytic=float(row["p"]), n_boot=len(v), weights=weights, n_clusters=n_clusters,
                               enumerated=enumerated, ci_lo=lo, ci_hi=hi, alpha=result.alpha, lang=result.lang,
                               inversion=parts)


@dataclass(frozen=True, eq=False)
class RandomizationResult(ResultDisplay):
    """Randomisation inference over the assignment of adoption years.

    ``statistic`` is ``"att"`` (the Callaway–Sant'Anna aggregate ``kind`` under the main specification in
    ``settings``) or ``"twfe"`` (the static TWFE coefficient). ``distribution`` holds the estimate under every
    (sampled) re-assignment; ``p_value`` is two-sided.
    """

    statistic: str
    estimate: float
    p_value: float
    n_assignments: int
    exact: bool
    distribution: np.ndarray = field(repr=False)
    kind: str = "simple"
    settings: dict = field(default_factory=dict)
    lang: Lang = "zh"

    @property
    def description(self) -> str:
        """What was tested, in the result's language."""
        return _describe(self.statistic, self.kind, self.lang)

    def _summary(self) -> Summary:
        lang = self.lang
        how = i18n.t("impact.display.ri_all" if self.exact else "impact.display.ri_sampled", lang)
        line = i18n.t("impact.display.ri_line", lang, statistic=self.description, estimate=number(self.estimate, 4),
                      p=number(self.p_value), n=self.n_assignments, how=how)
        return Summary(title=i18n.t("impact.display.ri_title", lang), lines=[line])


def _describe(statistic: str, kind: str, lang: Lang) -> str:
    if statistic == "twfe":
        return i18n.t("impact.estimand.twfe", lang)
    return i18n.t("impact.estimand.cs", lang, kind=i18n.t(f"impact.kind.{kind}", lang))


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


def _att_statistic(panel: WidePanel, settings: dict, kind: str):
    """The CS aggregate of the specification in *settings* as a function of the cohort assignment."""
    settings = {**settings, "n_boot": 0}
    return aggregate_estimator(panel, settings, kind), panel.cohort, settings


def _twfe_statistic(df: pd.DataFrame, *, unit: str, time: str, cohort: str, outcome: str):
    """The static TWFE coefficient (Frisch–Waugh–Lovell) as a function of the cohort assignment."""
    data = long_panel(df, unit=unit, time=time, cohort=cohort, outcome=outcome, balanced=False)
    unit_codes, units = pd.factorize(data[unit], sort=True)
    time_codes = pd.factorize(data[time], sort=True)[0]
    unit_cohort = data.groupby(unit)[cohort].first().reindex(units).to_numpy(float)
    y_tilde = demean_two_way(data[outcome].to_numpy(float), unit_codes, time_codes)
    times = data[time].to_numpy(float)

    def estimate(assignment: np.ndarray) -> float:
        g = assignment[unit_codes]
        d_tilde = demean_two_way(((g > 0) & (times >= g)).astype(float), unit_codes, time_codes)
        return float(d_tilde @ y_tilde / (d_tilde @ d_tilde))

    return estimate, unit_cohort


def _main_spec(data, roles: dict, statistic: str, spec: dict, lang: Lang) -> tuple[WidePanel, dict] | None:
    """The panel and settings of the main att_gt specification the test re-uses (``None`` for TWFE)."""
    if isinstance(data, ATTgtResult):
        if statistic != "att":
            raise ParameterError("statistic='twfe' needs the data frame, not an att_gt result — pass the panel "
                                 "and its column roles")
        if data.panel is None:
            raise ParameterError("this att_gt result carries no panel; refit it with evalkit.impact.att_gt")
        return data.panel, data.settings
    missing = [name for name, column in roles.items() if column is None]
    if missing:
        raise ParameterError(f"randomization_inference on a data frame needs the column roles {', '.join(missing)}")
    if statistic == "twfe":
        return None
    panel = wide_panel(data, **roles, covariates=spec["covariates"], anticipation=spec["anticipation"], lang=lang)
    return panel, dict(**roles, **spec, n_boot=0, alpha=0.05, seed=0, lang=lang)


def randomization_inference(
    data: pd.DataFrame | ATTgtResult,
    *,
    unit: str | None = None,
    time: str | None = None,
    cohort: str | None = None,
    outcome: str | None = None,
    statistic: Statistic = "att",
    kind: AggKind = "simple",
    control: Control = "never",
    est_method: EstMethod = "dr",
    covariates: Sequence[str] | None = None,
    anticipation: int = 0,
    base_period: BasePeriod = "varying",
    n_perm: int = 999,
    seed: int = 0,
    lang: Lang = "zh",
) -> RandomizationResult:
    """p-value for "no effect in any unit" by re-assigning the observed adoption years across units.

    Parameters
    ----------
    data : DataFrame or ATTgtResult
        The main :func:`~evalkit.impact.att_gt` result (recommended: the test then uses exactly its
        specification — comparison group, estimator, covariates, anticipation, base period — and its
        language), or the long panel with the column roles and specification given here.
    unit, time, cohort, outcome : str
        Column roles (data frame only).
    statistic : {"att", "twfe"}
        ``att``: the Callaway–Sant'Anna aggregate ``kind`` (see :meth:`ATTgtResult.aggregate`);
        ``twfe``: the static TWFE coefficient (data frame only).
    kind : {"simple", "group", "dynamic", "calendar"}
        Aggregate tested for ``statistic="att"``.
    control, est_method, covariates, anticipation, base_period
        The specification of the CS estimate, as in :func:`~evalkit.impact.att_gt` (data frame only; taken
        from the result otherwise).
    n_perm : int
        Random re-assignments; when the number of distinct assignments is at most ``n_perm`` all are used
        and the p-value is exact.
    seed : int
        Seed of the random re-assignments.
    lang : {"zh", "en"}
        Language of the display (data frame only; the result's language otherwise).

    Returns
    -------
    RandomizationResult
        Its ``estimate`` on the observed assignment equals the main statistic
        (``result.aggregate(kind).att``).

    Notes
    -----
    Under the sharp null :math:`Y_{it}(1)=Y_{it}(0)` every assignment :math:`\\pi` of the cohort labels
    (with the same number of units per cohort) is equally likely if adoption years were as good as
    random, so :math:`p = \\frac{1+\\#\\{b: |\\hat\\theta_{\\pi_b}| \\ge |\\hat\\theta|\\}}{1+B}` (sampled) or the
    share over all assignments (exact). The test is valid with any number of clusters but assumes
    adoption order unrelated to outcome trends; late adopters selected for need weaken it.
    """
    check_choice("statistic", statistic, STATISTICS)
    check_choice("kind", kind, AGG_KINDS)
    check_count("n_perm", n_perm, 19)
    roles = dict(unit=unit, time=time, cohort=cohort, outcome=outcome)
    if not isinstance(data, ATTgtResult):
        check_choice("control", control, CONTROLS)
        check_choice("est_method", est_method, EST_METHODS)
        check_choice("base_period", base_period, BASE_PERIODS)
        check_count("anticipation", anticipation, 0)
        check_lang(lang)
    spec = dict(control=control, est_method=est_method, covariates=list(covariates or []),
                anticipation=anticipation, base_period=base_period)
    main = _main_spec(data, roles, statistic, spec, lang)
    if main is not None:
        estimate, unit_cohort, settings = _att_statistic(*main, kind)
        lang = settings.get("lang", "zh")
    else:
        estimate, unit_cohort = _twfe_statistic(data, **roles)
        settings = dict(**roles, lang=lang)
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
    return RandomizationResult(statistic=statistic, estimate=float(observed), p_value=p, n_assignments=len(draws),
                               exact=exact, distribution=draws, kind=kind, settings=settings, lang=lang)
