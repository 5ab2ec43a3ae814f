"""Staggered-adoption difference-in-differences: Callaway & Sant'Anna (2021) group-time ATTs.

:func:`att_gt` estimates ATT(g,t) for every adoption cohort ``g`` and period ``t`` with analytic
(influence-function) standard errors and the multiplier bootstrap (uniform bands), clustered by unit;
:meth:`ATTgtResult.aggregate` combines them into simple / group / dynamic / calendar summaries. The
numbers reproduce R ``did`` 2.5 (``tests/reference/test_mpdta.py``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._bootstrap import multiplier_bootstrap, multiplier_weights
from evalkit.impact._estimators import did_panel
from evalkit.impact._panel import WidePanel, check_choice, wide_panel

__all__ = ["ATTgtResult", "AggregateResult", "PreTest", "att_gt", "fit_att_gt"]

Control = Literal["never", "notyet"]
EstMethod = Literal["dr", "reg", "ipw"]
BasePeriod = Literal["varying", "universal"]
AggKind = Literal["simple", "group", "dynamic", "calendar"]


def _html(title: str, lines: Sequence[str], table: pd.DataFrame) -> str:
    head = f"<h4>{title}</h4>" + "".join(f"<p>{line}</p>" for line in lines)
    return head + table.to_html(index=False, float_format=lambda v: f"{v:.4f}", na_rep="—")


@dataclass(frozen=True, eq=False)
class PreTest:
    """Wald test that all pre-treatment ATT(g,t) are zero (parallel pre-trends)."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True, eq=False)
class AggregateResult:
    """An aggregation of ATT(g,t).

    Attributes
    ----------
    kind : str
        ``simple``, ``group``, ``dynamic`` or ``calendar``.
    att, se : float
        Overall effect and its analytic standard error.
    table : DataFrame
        One row per cohort (``group``), event time (``event``) or period (``time``): ``att``, ``se``
        (analytic), ``se_boot`` and the uniform band ``lo``/``hi`` (bootstrap sup-t critical value ``crit``).
        Empty for ``simple``.
    crit : float
        Uniform-band critical value (``nan`` without bootstrap draws).
    influence : ndarray
        Influence function of the overall effect, one value per unit.
    """

    kind: str
    att: float
    se: float
    table: pd.DataFrame
    crit: float
    alpha: float
    influence: np.ndarray = field(repr=False)

    @property
    def ci(self) -> tuple[float, float]:
        """Pointwise normal confidence interval of the overall effect."""
        z = stats.norm.ppf(1 - self.alpha / 2)
        return (self.att - z * self.se, self.att + z * self.se)

    def _repr_html_(self) -> str:
        lo, hi = self.ci
        return _html(
            f"ATT aggregation: {self.kind}",
            [f"overall ATT {self.att:.4f} (SE {self.se:.4f}; {100 * (1 - self.alpha):.0f}% CI {lo:.4f} to {hi:.4f})"],
            self.table,
        )


@dataclass(frozen=True, eq=False)
class ATTgtResult:
    """Group-time average treatment effects on the treated.

    Attributes
    ----------
    table : DataFrame
        One row per (group, time): ``group`` (cohort = first treated period), ``time``, ``event``
        (time − group), ``post`` (time ≥ group), ``att``, ``se`` (analytic), ``se_boot``, ``lo``/``hi``
        (uniform band: att ± crit·se_boot; pointwise with se when there are no bootstrap draws),
        ``n_treated``, ``n_control``.
    influence : ndarray
        ``n_units × n_cells`` influence functions, columns in ``table`` order.
    cohort_sizes : Series
        Units per cohort (index 0 = never treated).
    pretest : PreTest or None
        Wald pre-test of parallel trends; ``None`` when there are no pre-treatment cells.
    crit : float
        Sup-t critical value of the uniform band.
    notes : tuple of str
        Data adjustments and warnings an analyst must see (recoded cohorts, tiny cohorts).
    settings : dict
        The arguments the result was computed with.
    """

    table: pd.DataFrame
    influence: np.ndarray = field(repr=False)
    unit_cohort: np.ndarray = field(repr=False)
    cohort_sizes: pd.Series
    pretest: PreTest | None
    crit: float
    notes: tuple[str, ...]
    settings: dict

    @property
    def n_units(self) -> int:
        return int(self.influence.shape[0])

    def aggregate(
        self,
        kind: AggKind = "group",
        *,
        min_e: float = -np.inf,
        max_e: float = np.inf,
        balance_e: int | None = None,
    ) -> AggregateResult:
        """Aggregate ATT(g,t) into one summary (R ``did::aggte``).

        Parameters
        ----------
        kind : {"simple", "group", "dynamic", "calendar"}
            ``simple``: post-treatment cells weighted by cohort size; ``group``: average effect of each
            cohort, then their size-weighted mean (the recommended overall ATT); ``dynamic``: effect by
            event time e = t − g, overall = mean over e ≥ 0; ``calendar``: effect by period, overall = mean
            over periods.
        min_e, max_e : float
            Event-time window (all kinds except ``calendar``).
        balance_e : int, optional
            ``dynamic`` only: keep only cohorts observed for at least ``balance_e`` periods after
            treatment, so the composition of the event-time averages does not change with e.

        Notes
        -----
        With cohort shares :math:`\\pi_g` and weights :math:`w_{gt}\\propto\\pi_g` normalised within the
        set being averaged, every aggregate is :math:`\\theta=\\sum w_{gt}\\,ATT(g,t)`; its influence function
        adds the estimation effect of the weights (R ``did``'s ``wif``).
        """
        check_choice("kind", kind, ("simple", "group", "dynamic", "calendar"))
        if balance_e is not None and kind != "dynamic":
            raise ParameterError("balance_e applies only to kind='dynamic'")
        tab = self.table
        group = tab["group"].to_numpy(float)
        time = tab["time"].to_numpy(float)
        att = tab["att"].to_numpy(float)
        event = time - group
        glist = np.sort(np.unique(group))
        unit_cohort = self.unit_cohort
        pg_group = np.array([np.mean(unit_cohort == g) for g in glist])
        pg = pg_group[np.searchsorted(glist, group)]
        psi = self.influence
        post = (group <= time) & (event >= min_e) & (event <= max_e)

        def weight_if(keep: np.ndarray, shares: np.ndarray, groups: np.ndarray) -> np.ndarray:
            # Influence of estimating the cohort shares that weight the cells in `keep`.
            indicator = (unit_cohort[:, None] == groups[keep][None, :]).astype(float) - shares[keep][None, :]
            total = shares[keep].sum()
            return indicator / total - np.outer(indicator.sum(axis=1), shares[keep] / total**2)

        def combine(keep: np.ndarray, atts=att, infl=psi, shares=pg, groups=group):
            w = shares[keep] / shares[keep].sum()
            value = float(np.sum(w * atts[keep]))
            influence = infl[:, keep] @ w + weight_if(keep, shares, groups) @ atts[keep]
            return value, influence

        if kind == "simple":
            if not post.any():
                raise DataShapeError("no post-treatment ATT(g,t) in the event-time window — widen min_e/max_e")
            value, influence = combine(post)
            return self._aggregate_result(kind, value, influence, "", [], np.empty((psi.shape[0], 0)), [])

        if kind == "group":
            labels, effects, infls = [], [], []
            for g in glist:
                keep = post & (group == g)
                if not keep.any():
                    continue
                labels.append(g)
                effects.append(att[keep].mean())
                infls.append(psi[:, keep] @ np.full(keep.sum(), 1.0 / keep.sum()))
            if not labels:
                raise DataShapeError("no post-treatment ATT(g,t) in the event-time window — widen min_e/max_e")
            effects_a = np.array(effects)
            infl_mat = np.column_stack(infls)
            shares = np.array([pg_group[np.searchsorted(glist, g)] for g in labels])
            value, influence = combine(np.ones(len(labels), bool), effects_a, infl_mat, shares, np.array(labels))
            return self._aggregate_result(kind, value, influence, "group", labels, infl_mat, effects)

        if kind == "dynamic":
            keep_cells = np.ones(len(att), bool)
            if balance_e is not None:
                keep_cells = (time.max() - group) >= balance_e
                keep_cells &= (event <= balance_e) & (event >= balance_e - (time.max() - time.min()))
            keep_cells &= (event >= min_e) & (event <= max_e)
            eseq = np.sort(np.unique(event[keep_cells]))
            if eseq.size == 0:
                raise DataShapeError("no event times left after min_e/max_e/balance_e — widen the window")
            effects, infls = [], []
            for e in eseq:
                v, inf = combine(keep_cells & (event == e))
                effects.append(v)
                infls.append(inf)
            infl_mat = np.column_stack(infls)
            nonneg = eseq >= 0
            if not nonneg.any():
                raise DataShapeError("no event time ≥ 0 in the window, so there is no overall post-treatment effect")
            value = float(np.mean(np.array(effects)[nonneg]))
            influence = infl_mat[:, nonneg].mean(axis=1)
            return self._aggregate_result(kind, value, influence, "event", list(eseq), infl_mat, effects)

        periods = np.sort(np.unique(time[time >= group.min()]))
        labels, effects, infls = [], [], []
        for t in periods:
            keep = (time == t) & (group <= time)
            if not keep.any():
                continue
            v, inf = combine(keep)
            labels.append(t)
            effects.append(v)
            infls.append(inf)
        infl_mat = np.column_stack(infls)
        value = float(np.mean(effects))
        influence = infl_mat.mean(axis=1)
        return self._aggregate_result(kind, value, influence, "time", labels, infl_mat, effects)

    def _aggregate_result(self, kind, value, influence, label, keys, infl_mat, effects) -> AggregateResult:
        n = self.n_units
        alpha = self.settings["alpha"]
        se = float(np.sqrt(np.mean(influence**2) / n))
        table = pd.DataFrame()
        crit = np.nan
        if keys:
            se_k = np.sqrt(np.mean(infl_mat**2, axis=0) / n)
            se_boot, crit = self._bootstrap(infl_mat)
            width = se_k * stats.norm.ppf(1 - alpha / 2) if np.isnan(crit) else se_boot * crit
            table = pd.DataFrame({
                label: np.asarray(keys, dtype=float).astype(int),
                "att": effects,
                "se": se_k,
                "se_boot": se_boot,
                "lo": np.asarray(effects) - width,
                "hi": np.asarray(effects) + width,
            })
        return AggregateResult(kind=kind, att=value, se=se, table=table, crit=crit, alpha=alpha, influence=influence)

    def _bootstrap(self, infl_mat: np.ndarray) -> tuple[np.ndarray, float]:
        n_boot = self.settings["n_boot"]
        if n_boot == 0:
            return np.full(infl_mat.shape[1], np.nan), np.nan
        draws = multiplier_weights(n_boot, infl_mat.shape[0], seed=self.settings["seed"])
        boot = multiplier_bootstrap(infl_mat, draws, alpha=self.settings["alpha"])
        return boot.se, boot.crit

    def _repr_html_(self) -> str:
        s = self.settings
        lines = [
            f"control = {s['control']}, est_method = {s['est_method']}, base_period = {s['base_period']}, "
            f"{self.n_units} units, uniform band from {s['n_boot']} multiplier-bootstrap draws",
        ]
        if self.pretest is not None:
            lines.append(
                f"pre-trend Wald test: W = {self.pretest.statistic:.3f}, df = {self.pretest.df}, "
                f"p = {self.pretest.p_value:.3f}"
            )
        lines.extend(self.notes)
        return _html("Group-time ATT(g,t) — Callaway & Sant'Anna (2021)", lines, self.table)


def att_gt(
    df: pd.DataFrame,
    *,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    control: Control = "never",
    est_method: EstMethod = "dr",
    covariates: Sequence[str] | None = None,
    anticipation: int = 0,
    base_period: BasePeriod = "varying",
    n_boot: int = 999,
    alpha: float = 0.05,
    seed: int = 0,
) -> ATTgtResult:
    """Group-time average treatment effects for staggered adoption (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    df : DataFrame
        Balanced long panel, one row per unit and period.
    unit, time, outcome : str
        Column names: unit identifier, period (numeric), outcome.
    cohort : str
        Column with each unit's first treated period (0 or missing = never treated); constant within a
        unit. Build it from a 0/1 indicator with :func:`evalkit.impact.cohort_from_treatment`.
    control : {"never", "notyet"}
        Comparison units: never treated, or never treated plus those not yet treated by period t.
    est_method : {"dr", "reg", "ipw"}
        Doubly robust (default), outcome regression or inverse probability weighting.
    covariates : list of str, optional
        Covariates (values of the earlier of the two periods compared are used).
    anticipation : int
        Periods before the cohort's start in which units may already react.
    base_period : {"varying", "universal"}
        Pre-treatment cells compare consecutive periods (``varying``) or all use g − 1 − anticipation.
    n_boot : int
        Multiplier-bootstrap draws for the uniform band (0 = none).
    alpha : float
        1 − confidence level of bands and intervals.
    seed : int
        Seed of the bootstrap multipliers (results are reproducible).

    Returns
    -------
    ATTgtResult

    Raises
    ------
    ParameterError
        Unknown option or column.
    DataShapeError
        Unbalanced panel, duplicated rows, cohort changing within a unit (non-absorbing treatment),
        treated units never observed before treatment, no cohorts, or a cohort with no comparison units.

    Notes
    -----
    For cohort g and period t, with base period b = g − 1 − δ (δ = anticipation) for post cells,

    .. math:: ATT(g,t) = E[Y_t - Y_b \\mid G=g] - E[Y_t - Y_b \\mid C]

    where C is the comparison group, estimated with the two-period DR/REG/IPW estimators of Sant'Anna &
    Zhao (2020). Each estimate has an influence function :math:`\\psi_i` per unit; the analytic SE is
    :math:`\\sqrt{\\sum_i\\psi_i^2}/n`, clustered by unit because a unit's rows enter only through
    :math:`\\psi_i`. The multiplier bootstrap (Rademacher weights per unit) gives bootstrap SEs and the
    sup-t critical value of a uniform band over all cells. The pre-test is
    :math:`W = n\\,\\hat\\theta_{pre}'\\hat V_{pre}^{-1}\\hat\\theta_{pre}\\sim\\chi^2_q`.
    """
    check_choice("control", control, ("never", "notyet"))
    check_choice("est_method", est_method, ("dr", "reg", "ipw"))
    check_choice("base_period", base_period, ("varying", "universal"))
    if not (isinstance(anticipation, (int, np.integer)) and anticipation >= 0):
        raise ParameterError(f"anticipation={anticipation!r}: expected a whole number ≥ 0")
    if not (isinstance(n_boot, (int, np.integer)) and n_boot >= 0):
        raise ParameterError(f"n_boot={n_boot!r}: expected a whole number ≥ 0 (0 = no bootstrap)")
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}: expected a number between 0 and 1, e.g. 0.05")
    panel = wide_panel(df, unit=unit, time=time, cohort=cohort, outcome=outcome,
                       covariates=covariates, anticipation=anticipation)
    settings = dict(unit=unit, time=time, cohort=cohort, outcome=outcome, control=control,
                    est_method=est_method, covariates=list(covariates or []), anticipation=anticipation,
                    base_period=base_period, n_boot=n_boot, alpha=alpha, seed=seed)
    return fit_att_gt(panel, settings)


def fit_att_gt(panel: WidePanel, settings: dict) -> ATTgtResult:
    """:func:`att_gt` on an already validated :class:`WidePanel` (``settings`` as stored in the result).

    Randomisation inference calls this once per re-assignment of cohorts, skipping re-validation.
    """
    cohort, control, est_method = settings["cohort"], settings["control"], settings["est_method"]
    anticipation, base_period = settings["anticipation"], settings["base_period"]
    n_boot, alpha, seed = settings["n_boot"], settings["alpha"], settings["seed"]
    times, y, unit_cohort = panel.times, panel.y, panel.cohort
    n = len(panel.units)
    glist = np.sort(np.unique(unit_cohort[unit_cohort > 0]))
    if glist.size == 0:
        raise DataShapeError(
            f"no treated units: column {cohort!r} is 0 (never treated) for every unit — fix: give each "
            "treated unit its first treated period"
        )
    if control == "never" and not (unit_cohort == 0).any():
        raise DataShapeError(
            f"control='never' needs never-treated units, but every unit in {cohort!r} is treated by "
            f"{times.max()} — fix: use control='notyet', or add never-treated units"
        )
    notes = list(panel.notes)
    sizes = pd.Series(unit_cohort).value_counts().sort_index()
    sizes.index = sizes.index.astype(int)
    tiny = [int(g) for g in glist if sizes[int(g)] <= 2]
    if tiny:
        notes.append(
            f"cohort(s) {', '.join(map(str, tiny))} have only 1–2 units: their ATT(g,t) rest on one or two "
            "units and the analytic SEs are not reliable"
        )

    varying = base_period == "varying"
    offset = 1 if varying else 0
    rows, columns = [], []
    for g in glist:
        before = np.flatnonzero(times + anticipation < g)
        base_index = before[-1]
        treated = unit_cohort == g
        for k in range(len(times) - offset):
            current = k + offset
            pre = k if varying else base_index
            if g <= times[current]:
                pre = base_index
            if not varying and pre == current:
                rows.append((g, times[current], 0.0, int(treated.sum()), 0))
                columns.append(np.zeros(n))
                continue
            if control == "never":
                comparison = unit_cohort == 0
            else:
                horizon = times[max(k, pre) + offset] + anticipation
                comparison = (unit_cohort == 0) | ((unit_cohort > horizon) & ~treated)
            if not comparison.any():
                raise DataShapeError(
                    f"cohort {int(g)} has no comparison units in period {times[current]} with "
                    f"control={control!r}: every other unit is treated by then — fix: use control='never' "
                    f"with never-treated units, or drop cohort {int(g)} / the periods from {times[current]} on"
                )
            sample = treated | comparison
            d = treated[sample].astype(float)
            delta_y = y[sample, current] - y[sample, pre]
            design = np.ones((int(sample.sum()), 1))
            if panel.covariates:
                earlier = min(pre, current)
                design = np.column_stack([design] + [c[sample, earlier] for c in panel.covariates.values()])
            att, psi_sub = did_panel(delta_y, d, design, est_method)
            psi = np.zeros(n)
            psi[sample] = psi_sub * (n / sample.sum())
            rows.append((g, times[current], att, int(treated.sum()), int(comparison.sum())))
            columns.append(psi)

    influence = np.column_stack(columns)
    table = pd.DataFrame(rows, columns=["group", "time", "att", "n_treated", "n_control"])
    table["group"] = table["group"].astype(int)
    table["time"] = table["time"].astype(int)
    table.insert(2, "event", table["time"] - table["group"])
    table.insert(3, "post", table["time"] >= table["group"])
    se = np.sqrt(np.mean(influence**2, axis=0) / n)
    degenerate = se <= np.sqrt(np.finfo(float).eps) * 10
    se[degenerate] = np.nan
    table.insert(5, "se", se)
    crit = np.nan
    se_boot = np.full(len(table), np.nan)
    if n_boot:
        draws = multiplier_weights(n_boot, n, seed=seed)
        boot = multiplier_bootstrap(influence, draws, alpha=alpha)
        se_boot, crit = boot.se, boot.crit
    width = se * stats.norm.ppf(1 - alpha / 2) if np.isnan(crit) else se_boot * crit
    table.insert(6, "se_boot", se_boot)
    table.insert(7, "lo", table["att"] - width)
    table.insert(8, "hi", table["att"] + width)

    pre_cells = np.flatnonzero((table["group"] - anticipation > table["time"]).to_numpy() & ~degenerate)
    pretest = None
    if pre_cells.size:
        v_pre = influence[:, pre_cells].T @ influence[:, pre_cells] / n
        theta = table["att"].to_numpy()[pre_cells]
        if np.linalg.cond(v_pre) < 1 / np.finfo(float).eps:
            w = float(n * theta @ np.linalg.solve(v_pre, theta))
            pretest = PreTest(statistic=w, df=int(pre_cells.size), p_value=float(stats.chi2.sf(w, pre_cells.size)))
        else:
            notes.append("pre-trend Wald test not computed: the covariance of the pre-treatment ATTs is singular")

    return ATTgtResult(table=table, influence=influence, unit_cohort=unit_cohort, cohort_sizes=sizes,
                       pretest=pretest, crit=crit, notes=tuple(notes), settings=settings)
