"""Staggered-adoption difference-in-differences: Callaway & Sant'Anna (2021) group-time ATTs.

:func:`att_gt` estimates ATT(g,t) for every adoption cohort ``g`` and period ``t`` with analytic
(influence-function) standard errors and the multiplier bootstrap (uniform bands), clustered by unit;
:meth:`ATTgtResult.aggregate` combines them into simple / group / dynamic / calendar summaries. The
numbers reproduce R ``did`` 2.5 (``tests/reference/test_mpdta.py``).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from evalkit import i18n
from evalkit._shared.checks import Lang, check_choice, check_lang
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._aggregate import Cells, aggregate_cells
from evalkit.impact._bootstrap import multiplier_bootstrap, multiplier_weights
from evalkit.impact._estimators import did_panel
from evalkit.impact._labels import labelled, number
from evalkit.impact._panel import WidePanel, wide_panel
from evalkit.impact._types import (
    AGG_KINDS,
    BASE_PERIODS,
    CONTROLS,
    EST_METHODS,
    AggKind,
    BasePeriod,
    Control,
    EstMethod,
    check_alpha,
    check_count,
)

__all__ = ["ATTgtResult", "AggKind", "AggregateResult", "BasePeriod", "Control", "EstMethod", "PreTest",
           "aggregate_estimator", "att_gt", "fit_att_gt"]

#: the cell memo of randomisation inference keeps at most this many influence values (32 MB)
_MEMO_VALUES = 4_000_000
#: an SE at or below this is a degenerate cell (e.g. the zero reference cell of a universal base period)
_DEGENERATE = np.sqrt(np.finfo(float).eps) * 10


@dataclass(frozen=True, eq=False)
class PreTest:
    """Wald test that all pre-treatment ATT(g,t) are zero (parallel pre-trends)."""

    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True, eq=False)
class AggregateResult(ResultDisplay):
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
    alpha : float
        1 − confidence level (the name R ``did`` uses).
    influence : ndarray
        Influence function of the overall effect, one value per unit.
    lang : str
        Language of the display.
    """

    kind: str
    att: float
    se: float
    table: pd.DataFrame
    crit: float
    alpha: float
    influence: np.ndarray = field(repr=False)
    lang: Lang = "zh"

    @property
    def ci(self) -> tuple[float, float]:
        """Pointwise normal confidence interval of the overall effect."""
        z = stats.norm.ppf(1 - self.alpha / 2)
        return (self.att - z * self.se, self.att + z * self.se)

    def labelled_table(self, lang: Lang | None = None) -> pd.DataFrame:
        """:attr:`table` with headers in *lang* (default: the result's language), for a report."""
        return labelled(self.table, lang or self.lang)

    def _summary(self) -> Summary:
        lo, hi = self.ci
        lang = self.lang
        line = i18n.t("impact.display.aggregate_line", lang, att=number(self.att, 4), se=number(self.se, 4),
                      level=f"{100 * (1 - self.alpha):.0f}", lo=number(lo, 4), hi=number(hi, 4))
        return Summary(title=i18n.t("impact.display.aggregate_title", lang,
                                    kind=i18n.t(f"impact.kind.{self.kind}", lang)),
                       lines=[line], frames={"": self.labelled_table()})


@dataclass(frozen=True, eq=False)
class ATTgtResult(ResultDisplay):
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
        Data adjustments and warnings an analyst must see (recoded cohorts, dropped cohorts, tiny cohorts),
        in the language of ``settings["lang"]``.
    settings : dict
        The arguments the result was computed with.
    panel : WidePanel
        The validated panel (randomisation inference re-uses it with the same settings).
    """

    table: pd.DataFrame
    influence: np.ndarray = field(repr=False)
    unit_cohort: np.ndarray = field(repr=False)
    cohort_sizes: pd.Series
    pretest: PreTest | None
    crit: float
    notes: tuple[str, ...]
    settings: dict
    panel: WidePanel | None = field(default=None, repr=False)

    @property
    def n_units(self) -> int:
        """Number of units (clusters) in the panel."""
        return int(self.influence.shape[0])

    @property
    def lang(self) -> Lang:
        """Language of notes and display."""
        return self.settings.get("lang", "zh")

    def labelled_table(self, lang: Lang | None = None) -> pd.DataFrame:
        """:attr:`table` with headers and yes/no cells in *lang* (default: the result's language), for a report."""
        return labelled(self.table, lang or self.lang)

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

        Returns
        -------
        AggregateResult

        Notes
        -----
        With cohort shares :math:`\\pi_g` and weights :math:`w_{gt}\\propto\\pi_g` normalised within the
        set being averaged, every aggregate is :math:`\\theta=\\sum w_{gt}\\,ATT(g,t)`; its influence function
        adds the estimation effect of the weights (R ``did``'s ``wif``).
        """
        check_choice("kind", kind, AGG_KINDS)
        if balance_e is not None and kind != "dynamic":
            raise ParameterError("balance_e applies only to kind='dynamic'")
        tab = self.table
        cells = Cells(group=tab["group"].to_numpy(float), time=tab["time"].to_numpy(float),
                      att=tab["att"].to_numpy(float), psi=self.influence, unit_cohort=self.unit_cohort)
        agg = aggregate_cells(cells, kind, min_e=min_e, max_e=max_e, balance_e=balance_e)
        n = self.n_units
        alpha = self.settings["alpha"]
        table = pd.DataFrame()
        crit = np.nan
        if agg.keys:
            se_k = np.sqrt(np.mean(agg.infl_mat**2, axis=0) / n)
            se_boot, crit = self._bootstrap(agg.infl_mat)
            width = se_k * stats.norm.ppf(1 - alpha / 2) if np.isnan(crit) else se_boot * crit
            effects = np.asarray(agg.effects)
            table = pd.DataFrame({agg.label: np.asarray(agg.keys, dtype=float).astype(int), "att": effects,
                                  "se": se_k, "se_boot": se_boot, "lo": effects - width, "hi": effects + width})
        return AggregateResult(kind=kind, att=agg.value, se=float(np.sqrt(np.mean(agg.influence**2) / n)),
                               table=table, crit=crit, alpha=alpha, influence=agg.influence, lang=self.lang)

    def _bootstrap(self, infl_mat: np.ndarray) -> tuple[np.ndarray, float]:
        n_boot = self.settings["n_boot"]
        if n_boot == 0:
            return np.full(infl_mat.shape[1], np.nan), np.nan
        draws = multiplier_weights(n_boot, infl_mat.shape[0], seed=self.settings["seed"])
        boot = multiplier_bootstrap(infl_mat, draws, alpha=self.settings["alpha"])
        return boot.se, boot.crit

    def _summary(self) -> Summary:
        s, lang = self.settings, self.lang
        option = i18n.labels("impact.option", lang)
        lines = [i18n.t("impact.display.attgt_settings", lang, control=option[s["control"]],
                        est_method=option[s["est_method"]], base_period=option[s["base_period"]],
                        n_units=self.n_units, n_boot=s["n_boot"])]
        if self.pretest is not None:
            lines.append(i18n.t("impact.display.pretest", lang, statistic=number(self.pretest.statistic),
                                df=self.pretest.df, p=number(self.pretest.p_value)))
        lines.extend(self.notes)
        return Summary(title=i18n.t("impact.display.attgt_title", lang), lines=lines,
                       frames={"": self.labelled_table()})


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
    lang: Lang = "zh",
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
        Periods before the cohort's start in which units may already react. A cohort with no period before
        ``g − anticipation`` has no valid base period: its units are dropped and a note says so, as R ``did``
        does.
    base_period : {"varying", "universal"}
        Pre-treatment cells compare consecutive periods (``varying``) or all use g − 1 − anticipation.
    n_boot : int
        Multiplier-bootstrap draws for the uniform band (0 = none).
    alpha : float
        1 − confidence level of bands and intervals (R ``did``'s name; newer evalkit APIs say ``level``).
    seed : int
        Seed of the bootstrap multipliers (results are reproducible).
    lang : {"zh", "en"}
        Language of the notes and of the display.

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
    check_choice("control", control, CONTROLS)
    check_choice("est_method", est_method, EST_METHODS)
    check_choice("base_period", base_period, BASE_PERIODS)
    check_lang(lang)
    check_count("anticipation", anticipation, 0)
    check_count("n_boot", n_boot, 0, hint=" (0 = no bootstrap)")
    alpha = check_alpha(alpha)
    panel = wide_panel(df, unit=unit, time=time, cohort=cohort, outcome=outcome,
                       covariates=covariates, anticipation=anticipation, lang=lang)
    settings = dict(unit=unit, time=time, cohort=cohort, outcome=outcome, control=control,
                    est_method=est_method, covariates=list(covariates or []), anticipation=anticipation,
                    base_period=base_period, n_boot=n_boot, alpha=alpha, seed=seed, lang=lang)
    return fit_att_gt(panel, settings)


def _check_treated(unit_cohort: np.ndarray, times: np.ndarray, settings: dict) -> np.ndarray:
    """The cohorts (sorted); errors when there are none, or no never-treated units for control='never'."""
    glist = np.sort(np.unique(unit_cohort[unit_cohort > 0]))
    if glist.size == 0:
        raise DataShapeError(
            f"no treated units: column {settings['cohort']!r} is 0 (never treated) for every unit — fix: give "
            "each treated unit its first treated period"
        )
    if settings["control"] == "never" and not (unit_cohort == 0).any():
        raise DataShapeError(
            f"control='never' needs never-treated units, but every unit in {settings['cohort']!r} is treated by "
            f"{times.max()} — fix: use control='notyet', or add never-treated units"
        )
    return glist


def _tiny_cohorts(glist: np.ndarray, sizes: pd.Series, settings: dict) -> list[str]:
    """A note on cohorts of one or two units."""
    tiny = [int(g) for g in glist if sizes[int(g)] <= 2]
    if not tiny:
        return []
    return [i18n.t("impact.note.tiny_cohorts", settings.get("lang", "zh"), cohorts=", ".join(map(str, tiny)))]


def _comparison(unit_cohort: np.ndarray, treated: np.ndarray, horizon: float, control: str) -> np.ndarray:
    if control == "never":
        return unit_cohort == 0
    return (unit_cohort == 0) | ((unit_cohort > horizon) & ~treated)


@dataclass(frozen=True, eq=False)
class _CellPlan:
    """What a (g, t) cell compares, for every unit: fixed by the periods, whoever is in cohort g.

    ``horizon`` is the period after which not-yet-treated units still compare; ``delta`` the change
    :math:`Y_t - Y_{pre}` and ``design`` the intercept and covariates (earlier period) of every unit, so that
    a cell's inputs are their rows of the units in its sample; ``periods`` the indexes (t, pre) they come
    from. ``delta`` is ``None`` for the zero reference cell of a universal base period.
    """

    group: float
    time: float
    horizon: float = np.nan
    periods: tuple[int, int] = (-1, -1)
    delta: np.ndarray | None = field(default=None, repr=False)
    design: np.ndarray | None = field(default=None, repr=False)


def _cell_plan(panel: WidePanel, glist: np.ndarray, settings: dict) -> list[_CellPlan]:
    """The (g, t) cells of :func:`_cell_estimates` in table order, each with its per-unit inputs."""
    times, y = panel.times, panel.y
    anticipation = settings["anticipation"]
    n = len(panel.units)
    varying = settings["base_period"] == "varying"
    offset = 1 if varying else 0
    intercept = np.ones((n, 1))
    plan = []
    for g in glist:
        base_index = np.flatnonzero(times + anticipation < g)[-1]
        for k in range(len(times) - offset):
            current = k + offset
            pre = base_index if (g <= times[current] or not varying) else k
            if not varying and pre == current:
                plan.append(_CellPlan(g, times[current]))
                continue
            design = intercept
            if panel.covariates:
                earlier = min(pre, current)
                design = np.column_stack([design] + [c[:, earlier] for c in panel.covariates.values()])
            plan.append(_CellPlan(g, times[current], times[max(k, pre) + offset] + anticipation,
                                  (int(current), int(pre)), y[:, current] - y[:, pre], design))
    return plan


def _estimate_cells(plan: list[_CellPlan], unit_cohort: np.ndarray, settings: dict,
                    memo: dict | None = None) -> tuple[list[tuple], np.ndarray]:
    """Every cell of *plan* with the cohorts *unit_cohort*: its row (g, t, att, n_treated, n_control) and influence.

    A cell's estimate depends only on its periods (t, pre) and on which units are treated and which
    compare, so with a *memo* (a dict kept across calls with the same plan) an estimate already made for
    the same periods and units, in this or another cell, is re-used instead of re-computed (the same
    numbers: the same call on the same inputs).
    """
    control, method = settings["control"], settings["est_method"]
    n = len(unit_cohort)
    rows, columns = [], []
    treated, group = None, None
    for cell in plan:
        if cell.group != group:
            group = cell.group
            treated = unit_cohort == group
        if cell.delta is None:
            rows.append((cell.group, cell.time, 0.0, int(treated.sum()), 0))
            columns.append(np.zeros(n))
            continue
        comparison = _comparison(unit_cohort, treated, cell.horizon, control)
        if not comparison.any():
            raise DataShapeError(
                f"cohort {int(cell.group)} has no comparison units in period {cell.time} with "
                f"control={control!r}: every other unit is treated by then — fix: use control='never' "
                f"with never-treated units, or drop cohort {int(cell.group)} / the periods from {cell.time} on"
            )
        sample = treated | comparison
        key = (cell.periods, sample.tobytes(), treated.tobytes()) if memo is not None else None
        if key is not None and key in memo:
            att, psi = memo[key]
        else:
            att, psi_sub = did_panel(cell.delta[sample], treated[sample].astype(float), cell.design[sample], method)
            psi = np.zeros(n)
            psi[sample] = psi_sub * (n / sample.sum())
            if key is not None and len(memo) * n < _MEMO_VALUES:
                memo[key] = (att, psi)
        rows.append((cell.group, cell.time, att, int(treated.sum()), int(comparison.sum())))
        columns.append(psi)
    return rows, np.column_stack(columns)


def _cell_estimates(panel: WidePanel, glist: np.ndarray, settings: dict) -> tuple[list[tuple], np.ndarray]:
    """Every (g, t) cell: its row (g, t, att, n_treated, n_control) and influence-function column."""
    return _estimate_cells(_cell_plan(panel, glist, settings), panel.cohort, settings)


def _cell_table(rows: list[tuple], influence: np.ndarray, settings: dict) -> tuple[pd.DataFrame, float]:
    """The ATT(g,t) table with analytic and bootstrap SEs and the (uniform) band; and the sup-t critical value."""
    n, alpha, n_boot = influence.shape[0], settings["alpha"], settings["n_boot"]
    table = pd.DataFrame(rows, columns=["group", "time", "att", "n_treated", "n_control"])
    table["group"] = table["group"].astype(int)
    table["time"] = table["time"].astype(int)
    table.insert(2, "event", table["time"] - table["group"])
    table.insert(3, "post", table["time"] >= table["group"])
    se = np.sqrt(np.mean(influence**2, axis=0) / n)
    se[se <= _DEGENERATE] = np.nan
    table.insert(5, "se", se)
    crit = np.nan
    se_boot = np.full(len(table), np.nan)
    if n_boot:
        boot = multiplier_bootstrap(influence, multiplier_weights(n_boot, n, seed=settings["seed"]), alpha=alpha)
        se_boot, crit = boot.se, boot.crit
    width = se * stats.norm.ppf(1 - alpha / 2) if np.isnan(crit) else se_boot * crit
    table.insert(6, "se_boot", se_boot)
    table.insert(7, "lo", table["att"] - width)
    table.insert(8, "hi", table["att"] + width)
    return table, crit


def _pretest(table: pd.DataFrame, influence: np.ndarray, settings: dict) -> tuple[PreTest | None, list[str]]:
    """Wald test of the pre-treatment cells (before the anticipation window), or a note why it is missing."""
    n = influence.shape[0]
    pre = (table["group"] - settings["anticipation"] > table["time"]).to_numpy() & table["se"].notna().to_numpy()
    cells = np.flatnonzero(pre)
    if not cells.size:
        return None, []
    v_pre = influence[:, cells].T @ influence[:, cells] / n
    theta = table["att"].to_numpy()[cells]
    if np.linalg.cond(v_pre) >= 1 / np.finfo(float).eps:
        return None, [i18n.t("impact.note.pretest_singular", settings.get("lang", "zh"))]
    w = float(n * theta @ np.linalg.solve(v_pre, theta))
    return PreTest(statistic=w, df=int(cells.size), p_value=float(stats.chi2.sf(w, cells.size))), []


def fit_att_gt(panel: WidePanel, settings: dict) -> ATTgtResult:
    """:func:`att_gt` on an already validated :class:`WidePanel` (``settings`` as stored in the result).

    Randomisation inference evaluates only its aggregate, through :func:`aggregate_estimator`.
    """
    unit_cohort = panel.cohort
    glist = _check_treated(unit_cohort, panel.times, settings)
    sizes = pd.Series(unit_cohort).value_counts().sort_index()
    sizes.index = sizes.index.astype(int)
    cohort_notes = _tiny_cohorts(glist, sizes, settings)
    rows, influence = _cell_estimates(panel, glist, settings)
    table, crit = _cell_table(rows, influence, settings)
    pretest, pretest_notes = _pretest(table, influence, settings)
    return ATTgtResult(table=table, influence=influence, unit_cohort=unit_cohort, cohort_sizes=sizes,
                       pretest=pretest, crit=crit, notes=(*panel.notes, *cohort_notes, *pretest_notes),
                       settings=settings, panel=panel)


def aggregate_estimator(panel: WidePanel, settings: dict, kind: AggKind) -> Callable[[np.ndarray], float]:
    """The aggregate *kind* of the fit as a function of the cohort assignment (for randomisation inference).

    ``aggregate_estimator(panel, settings, kind)(cohort)`` is
    ``fit_att_gt(replace(panel, cohort=cohort), settings).aggregate(kind).att``: the same cell estimates and
    the same aggregation (:func:`~evalkit.impact._aggregate.aggregate_cells`) on the same numbers, without
    what the aggregate does not use (result tables, pre-test, bootstrap bands, notes). The cells' per-unit
    inputs are prepared once, and a cell whose treated and comparison units were already estimated under an
    earlier assignment is re-used. ``tests/impact/test_did.py`` checks that the values equal the full fit's
    bit for bit.
    """
    check_choice("kind", kind, AGG_KINDS)
    glist = _check_treated(panel.cohort, panel.times, settings)
    plan = _cell_plan(panel, glist, settings)
    memo: dict = {}

    def estimate(cohort: np.ndarray) -> float:
        nonlocal glist, plan, memo
        cohort = np.asarray(cohort, dtype=float)
        current = _check_treated(cohort, panel.times, settings)
        if not np.array_equal(current, glist):
            glist, plan, memo = current, _cell_plan(panel, current, settings), {}
        rows, influence = _estimate_cells(plan, cohort, settings, memo)
        # the table's group and time columns are integers (see _cell_table); aggregate() reads them as floats
        group = np.array([row[0] for row in rows], dtype=float).astype(int).astype(float)
        time = np.array([row[1] for row in rows], dtype=float).astype(int).astype(float)
        att = np.array([row[2] for row in rows], dtype=float)
        cells = Cells(group=group, time=time, att=att, psi=influence, unit_cohort=cohort)
        return aggregate_cells(cells, kind, min_e=-np.inf, max_e=np.inf, balance_e=None).value

    return estimate
