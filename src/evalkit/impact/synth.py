"""Synthetic control for one treated unit (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010).

:func:`synth` finds donor weights W (≥ 0, summing to 1) that reproduce the treated unit's predictors,
with predictor importances V chosen so that the synthetic unit tracks the outcome in the fit window
(nested optimisation, as R ``Synth``). It reports the gap series, the pre-period RMSPE, in-space
placebos with post/pre RMSPE ratios and their permutation p-value, and leave-one-out donor checks.
V may instead be given (``v=[…]``, as R ``Synth``'s ``custom.v``) or chosen by cross-validation over a
training and a validation window (``v="cv"``; Abadie, Diamond & Hainmueller 2015).
Reproduces the synthetic Basque Country (``tests/reference/test_basque.py``).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from evalkit import i18n
from evalkit._shared.checks import Lang, check_lang
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._labels import labelled, number
from evalkit.impact._panel import require_columns
from evalkit.impact._types import V_METHODS

__all__ = ["PLACEBO_RULE", "SynthResult", "simplex_least_squares", "synth"]

#: how the placebo p-value is defined (ADH 2010 §3.3, Figure 8): the treated unit's post/pre RMSPE ratio
#: ranked among all units, the treated unit included, ties counted against it
PLACEBO_RULE = "rmspe_ratio_rank"

Predictor = tuple[str, Sequence[float]]


def simplex_least_squares(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``argmin ||a w − b||²`` subject to ``w ≥ 0``, ``Σ w = 1``.

    Notes
    -----
    Lawson–Hanson NNLS on the system augmented with a heavily weighted row ``M·1'w = M`` finds the
    support; the equality-constrained least squares on that support is then solved exactly from its
    KKT system, so the weights sum to 1 to machine precision.
    """
    k = a.shape[1]
    scale = max(1.0, float(np.abs(a).max()))
    big = 1e4 * scale
    w, _ = optimize.nnls(np.vstack([a, np.full((1, k), big)]), np.append(b, big), maxiter=50 * k)
    support = np.flatnonzero(w > 1e-12)
    if support.size == 0:
        return np.full(k, 1.0 / k)
    sub = a[:, support]
    kkt = np.block([[2 * sub.T @ sub, np.ones((support.size, 1))], [np.ones((1, support.size)), np.zeros((1, 1))]])
    rhs = np.append(2 * sub.T @ b, 1.0)
    try:
        exact = np.linalg.solve(kkt, rhs)[: support.size]
    except np.linalg.LinAlgError:
        exact = w[support] / w[support].sum()
    if (exact < 0).any():
        exact = w[support] / w[support].sum()
    out = np.zeros(k)
    out[support] = exact
    return out


def _weights_for_v(v: np.ndarray, x0: np.ndarray, x1: np.ndarray) -> np.ndarray:
    root = np.sqrt(np.abs(v) / np.abs(v).sum())
    return simplex_least_squares(x0 * root[:, None], x1 * root)


@dataclass(frozen=True)
class _Fit:
    weights: np.ndarray
    v: np.ndarray
    loss: float


def _optimise_v(x0: np.ndarray, x1: np.ndarray, z0: np.ndarray, z1: np.ndarray) -> _Fit:
    """Nested optimisation: inner simplex least squares for W given V; outer search over V on the fit MSPE."""
    def loss(v: np.ndarray) -> float:
        if not np.any(v):
            return np.inf
        w = _weights_for_v(v, x0, x1)
        return float(np.mean((z1 - z0 @ w) ** 2))

    k = x0.shape[0]
    starts = [np.full(k, 1.0 / k)]
    # R Synth's second start: squared coefficients of a regression of the fit-window outcomes on predictors.
    xall = np.column_stack([np.ones(x0.shape[1] + 1), np.column_stack([x1, x0]).T])
    zall = np.column_stack([z1, z0])
    beta = np.linalg.lstsq(xall, zall.T, rcond=None)[0][1:]
    reg_start = np.diag(beta @ beta.T)
    if np.all(np.isfinite(reg_start)) and reg_start.sum() > 0:
        starts.append(reg_start / reg_start.sum())
    best = None
    for start in starts:
        # BFGS with numerical gradients, as R Synth's documented Basque run (method = "BFGS");
        # Nelder–Mead stalled above the optimum on the Basque data in our trials.
        res = optimize.minimize(loss, start, method="BFGS", options={"gtol": 1e-10})
        if best is None or res.fun < best.fun:
            best = res
    v = np.abs(best.x) / np.abs(best.x).sum()
    return _Fit(weights=_weights_for_v(v, x0, x1), v=v, loss=float(best.fun))




def _scaled(x: np.ndarray) -> np.ndarray:
    """Predictors divided by their standard deviation across the units of one fit (R ``Synth``'s scaling)."""
    sd = x.std(axis=1, ddof=1)
    sd[sd == 0] = 1.0
    return x / sd[:, None]


@dataclass(frozen=True, eq=False)
class _Problem:
    """The matrices of one synthetic-control analysis (column 0 = treated unit) and how V is chosen."""

    x: np.ndarray               # predictors × units
    z: np.ndarray               # fit-window outcomes × units
    y: np.ndarray               # all periods × units
    pre: np.ndarray             # periods in the fit window
    post: np.ndarray            # periods from the start on
    v_fixed: np.ndarray | None  # custom V
    x_train: np.ndarray | None  # cross-validation: predictors measured in the training window
    z_valid: np.ndarray | None  # cross-validation: outcomes in the validation window

    def fit(self, target: int, pool: list[int]) -> tuple[_Fit, np.ndarray]:
        """Weights for unit *target* from donors *pool*, and its synthetic series."""
        cols = [target, *pool]
        xs = _scaled(self.x[:, cols])
        if self.v_fixed is not None:
            v = self.v_fixed
        elif self.x_train is not None:
            xt = _scaled(self.x_train[:, cols])
            v = _optimise_v(xt[:, 1:], xt[:, 0], self.z_valid[:, pool], self.z_valid[:, target]).v
        else:
            fit = _optimise_v(xs[:, 1:], xs[:, 0], self.z[:, pool], self.z[:, target])
            return fit, self.y[:, pool] @ fit.weights
        w = _weights_for_v(v, xs[:, 1:], xs[:, 0])
        loss = float(np.mean((self.z[:, target] - self.z[:, pool] @ w) ** 2))
        return _Fit(weights=w, v=v, loss=loss), self.y[:, pool] @ w

    def rmspe(self, gap: np.ndarray) -> tuple[float, float]:
        """Root mean squared gap in the fit window and after the start."""
        return float(np.sqrt(np.mean(gap[self.pre] ** 2))), float(np.sqrt(np.mean(gap[self.post] ** 2)))


@dataclass(frozen=True, eq=False)
class SynthResult(ResultDisplay):
    """A synthetic control.

    Attributes
    ----------
    weights : Series
        Donor weights W (index = donor unit).
    v : Series
        Predictor importances V (diagonal, summing to 1; index = predictor label).
    v_method : str
        How V was chosen: ``optimised`` (fit-window MSPE), ``custom`` or ``cv`` (cross-validated).
    predictors : DataFrame
        Treated, synthetic and donor-average values of each predictor.
    gaps : DataFrame
        ``time``, ``treated``, ``synthetic``, ``gap`` (treated − synthetic), ``post``.
    pre_rmspe, post_rmspe : float
        Root mean squared gap in the fit window and after the start.
    placebo : DataFrame
        In-space placebos, one row per unit (the treated unit first): ``unit``, ``pre_rmspe``,
        ``post_rmspe``, ``ratio``, ``treated``; empty if not run.
    placebo_gaps : DataFrame
        Gap series of every placebo (columns = units), for the placebo plot.
    placebo_p : float
        Share of units whose post/pre RMSPE ratio is at least the treated unit's (including itself);
        cannot be below 1/(number of donors + 1). Its definition is :attr:`placebo_rule`
        (:data:`PLACEBO_RULE`), described in words by :meth:`placebo_definition`.
    leave_one_out : DataFrame
        For each donor with positive weight: the synthetic series refitted without it (``time``,
        ``dropped``, ``synthetic``, ``gap``).
    lang : str
        Language of the display.
    """

    treated: object
    weights: pd.Series
    v: pd.Series
    predictors: pd.DataFrame
    gaps: pd.DataFrame
    pre_rmspe: float
    post_rmspe: float
    placebo: pd.DataFrame
    placebo_gaps: pd.DataFrame = field(repr=False)
    placebo_p: float = np.nan
    leave_one_out: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    v_method: str = "optimised"
    placebo_rule: str = PLACEBO_RULE
    lang: Lang = "zh"

    @property
    def table(self) -> pd.DataFrame:
        """The main table: donor weights, largest first (``unit``, ``weight``)."""
        w = self.weights.sort_values(ascending=False)
        return pd.DataFrame({"unit": w.index, "weight": w.to_numpy()})

    def placebo_definition(self, lang: Lang | None = None) -> str:
        """How :attr:`placebo_p` is defined, in words."""
        return i18n.t(f"impact.synth.placebo_rule.{self.placebo_rule}", lang or self.lang)

    def labelled_table(self, lang: Lang | None = None) -> pd.DataFrame:
        """:attr:`table` with headers in *lang* (default: the result's language), for a report."""
        return labelled(self.table, lang or self.lang)

    def _summary(self) -> Summary:
        lang = self.lang
        lines = [i18n.t("impact.display.synth_line", lang, rmspe=number(self.pre_rmspe, 4), p=number(self.placebo_p),
                        v_method=i18n.t(f"impact.option.v_{self.v_method}", lang)),
                 self.placebo_definition()]
        shown = self.table[self.table["weight"] > 0.001]
        return Summary(title=i18n.t("impact.display.synth_title", lang, unit=str(self.treated)), lines=lines,
                       frames={"": labelled(shown, lang)})


def _matrices(data: pd.DataFrame, units: list, *, unit: str, time: str, predictors: Sequence[Predictor]) -> np.ndarray:
    rows = []
    for column, periods in predictors:
        window = data[data[time].isin(list(periods))]
        means = window.groupby(unit)[column].mean().reindex(units)
        if means.isna().any():
            missing = list(means.index[means.isna()])
            raise DataShapeError(
                f"predictor {column!r} has no values in periods {list(periods)} for units {missing} — fix: choose "
                "periods with data, or drop the predictor"
            )
        rows.append(means.to_numpy(float))
    return np.vstack(rows)


def _label(column: str, periods: Sequence[float]) -> str:
    periods = list(periods)
    return f"{column} [{min(periods)}–{max(periods)}]" if len(periods) > 1 else f"{column} [{periods[0]}]"


def _outcome_wide(df: pd.DataFrame, units: list, *, unit: str, time: str, outcome: str, start: float
                  ) -> pd.DataFrame:
    """Outcome as periods × units; errors for gaps and too few periods before or after the start."""
    data = df[df[unit].isin(units)]
    wide = data.pivot_table(index=time, columns=unit, values=outcome, aggfunc="first")
    if wide[units].isna().any().any():
        gaps_at = wide.columns[wide.isna().any()].tolist()
        raise DataShapeError(f"outcome {outcome!r} is missing for units {gaps_at} in some periods — synth needs "
                             "the outcome in every period; fix: fill the gaps or drop those donors")
    times = np.sort(wide.index.to_numpy(float))
    pre = times[times < start]
    if len(pre) < 2 or not (times >= start).any():
        raise DataShapeError(f"start={start} leaves {len(pre)} pre-treatment periods and "
                             f"{int((times >= start).sum())} post; synth needs ≥ 2 before and ≥ 1 after")
    return wide.sort_index()[units]


def _donor_list(df: pd.DataFrame, *, unit: str, treated, donors: Sequence | None) -> list:
    all_units = list(pd.unique(df[unit]))
    if treated not in all_units:
        raise ParameterError(f"treated={treated!r} is not a value of column {unit!r}")
    donors = [u for u in (donors if donors is not None else all_units) if u != treated]
    unknown = [u for u in donors if u not in all_units]
    if unknown:
        raise ParameterError(f"donors {unknown} are not values of column {unit!r}")
    if len(donors) < 2:
        raise DataShapeError("a synthetic control needs at least 2 donor units")
    return donors


def _custom_v(v, labels: list[str]) -> np.ndarray:
    """A given V as an array in predictor order, checked and normalised to sum 1."""
    if isinstance(v, Mapping):
        unknown = [k for k in v if k not in labels]
        if unknown:
            raise ParameterError(f"v names predictors {unknown} that are not in the fit; predictors are {labels}")
        values = np.array([float(v.get(label, 0.0)) for label in labels])
    else:
        values = np.asarray(list(v), dtype=float)
        if values.shape != (len(labels),):
            raise ParameterError(f"v has {values.size} values but there are {len(labels)} predictors ({labels}) — "
                                 "fix: give one importance per predictor, in order, or a mapping label → value")
    if not np.all(np.isfinite(values)) or (values < 0).any() or values.sum() <= 0:
        raise ParameterError(f"v must be non-negative numbers, not all 0; got {list(values)}")
    return values / values.sum()


def _placebos(problem: _Problem, donors: list, treated, gap: np.ndarray) -> tuple[pd.DataFrame, dict, float]:
    """Every donor in turn as the treated unit; the table of RMSPEs and ratios, the gaps, and the p-value."""
    donor_idx = list(range(1, len(donors) + 1))
    rows = [(treated, *problem.rmspe(gap), True)]
    gaps = {treated: gap}
    for j in donor_idx:
        _, syn_j = problem.fit(j, [i for i in donor_idx if i != j])
        gap_j = problem.y[:, j] - syn_j
        gaps[donors[j - 1]] = gap_j
        rows.append((donors[j - 1], *problem.rmspe(gap_j), False))
    table = pd.DataFrame(rows, columns=["unit", "pre_rmspe", "post_rmspe", "treated"])
    table.insert(3, "ratio", table["post_rmspe"] / table["pre_rmspe"])
    p = float(np.mean(table["ratio"] >= table["ratio"].iloc[0] - 1e-12))
    return table, gaps, p


def _leave_one_out(problem: _Problem, donors: list, weights: np.ndarray, times: np.ndarray) -> pd.DataFrame:
    donor_idx = list(range(1, len(donors) + 1))
    frames = []
    for j in [i for i in donor_idx if weights[i - 1] > 1e-6]:
        _, syn_j = problem.fit(0, [i for i in donor_idx if i != j])
        frames.append(pd.DataFrame({"time": times, "dropped": donors[j - 1], "synthetic": syn_j,
                                    "gap": problem.y[:, 0] - syn_j}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _v_inputs(v, labels: list[str], data: pd.DataFrame, units: list, wide: pd.DataFrame, *, unit: str, time: str,
              cv_predictors: Sequence[Predictor] | None, cv_window: Sequence[float] | None):
    """(custom V, training predictors, validation outcomes, method name) for the V option."""
    if isinstance(v, str):
        if v not in V_METHODS:
            raise ParameterError(f"v must be one of {', '.join(map(repr, V_METHODS))} or one importance per "
                                 f"predictor, got {v!r}")
        if v == "optimised":
            return None, None, None, "optimised"
        if cv_predictors is None or cv_window is None:
            raise ParameterError("v='cv' needs cv_predictors (the predictors measured in the training window) and "
                                 "cv_window (the validation periods) — see Abadie, Diamond & Hainmueller (2015)")
        cv_predictors = list(cv_predictors)
        if len(cv_predictors) != len(labels):
            raise ParameterError(f"cv_predictors has {len(cv_predictors)} entries but predictors has {len(labels)}: "
                                 "give the same predictors, measured in the training window")
        missing = [p for p in cv_window if p not in wide.index]
        if missing:
            raise ParameterError(f"cv_window periods {missing} are not periods of the data")
        x_train = _matrices(data, units, unit=unit, time=time, predictors=cv_predictors)
        return None, x_train, wide.loc[list(cv_window)].to_numpy(float), "cv"
    return _custom_v(v, labels), None, None, "custom"


def synth(
    df: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated,
    start: float,
    donors: Sequence | None = None,
    predictors: Sequence[Predictor] | None = None,
    fit_window: Sequence[float] | None = None,
    placebo: bool = True,
    leave_one_out: bool = True,
    v: str | Sequence[float] | Mapping[str, float] = "optimised",
    cv_predictors: Sequence[Predictor] | None = None,
    cv_window: Sequence[float] | None = None,
    lang: Lang = "zh",
) -> SynthResult:
    """Synthetic control for one treated unit.

    Parameters
    ----------
    df : DataFrame
        Long panel: ``unit``, ``time``, ``outcome`` and any predictor columns.
    unit, time, outcome : str
        Column names.
    treated : object
        The treated unit's value in ``unit``.
    start : float
        First period under treatment.
    donors : list, optional
        Donor pool (default: every other unit).
    predictors : list of (column, periods)
        Each predictor is the mean of ``column`` over ``periods`` (missing values skipped), as R
        ``Synth::dataprep``'s special predictors. Default: the outcome in each fit-window period.
    fit_window : list of periods, optional
        Periods whose outcome MSPE the outer optimisation minimises (default: all periods before ``start``).
    placebo : bool
        Run the in-space placebo test (one full fit per donor).
    leave_one_out : bool
        Refit without each donor that has positive weight.
    v : {"optimised", "cv"} or list of float or dict
        Predictor importances. ``"optimised"`` (default): chosen to minimise the outcome MSPE over
        ``fit_window`` (R ``Synth``). ``"cv"``: cross-validated (ADH 2015) — V minimises the outcome MSPE over
        ``cv_window`` of a synthetic control built from ``cv_predictors`` (the same predictors measured in an
        earlier training window); W then comes from ``predictors`` with that V. A list (one value per
        predictor, in order) or a mapping predictor label → value sets V (R ``Synth``'s ``custom.v``);
        values are normalised to sum 1.
    cv_predictors : list of (column, periods), optional
        ``v="cv"`` only: the predictors measured in the training window, in the order of ``predictors``.
    cv_window : list of periods, optional
        ``v="cv"`` only: the validation periods.
    lang : {"zh", "en"}
        Language of the display.

    Returns
    -------
    SynthResult

    Notes
    -----
    Predictors are scaled by their standard deviation across treated and donors; V applies to the scaled
    predictors (as R ``Synth``'s ``custom.v``). For diagonal :math:`V\\ge0` with :math:`\\sum V=1`,
    :math:`W(V)=\\arg\\min_{W\\ge0,\\,1'W=1}(X_1-X_0W)'V(X_1-X_0W)`, and the optimised :math:`V` minimises
    :math:`\\frac1{T_0}\\sum_{t\\in\\text{fit}}(Z_{1t}-Z_{0t}W(V))^2` (BFGS from equal and
    regression-based starts, the best kept). Placebos choose V the same way for each unit. The placebo
    p-value (Abadie, Diamond & Hainmueller 2010, Figure 8) is :math:`\\#\\{j: r_j \\ge r_1\\}/(J+1)` with
    :math:`r=\\text{RMSPE}_{post}/\\text{RMSPE}_{pre}`, the treated unit included and no placebo discarded for a
    poor pre-period fit.
    """
    check_lang(lang)
    require_columns(df, unit=unit, time=time, outcome=outcome)
    donors = _donor_list(df, unit=unit, treated=treated, donors=donors)
    units = [treated, *donors]
    wide = _outcome_wide(df, units, unit=unit, time=time, outcome=outcome, start=start)
    times = wide.index.to_numpy(float)
    fit_window = list(fit_window) if fit_window is not None else list(times[times < start])
    predictors = list(predictors) if predictors is not None else [(outcome, [t]) for t in fit_window]
    for column, _ in [*predictors, *(cv_predictors or [])]:
        require_columns(df, predictor=column)
    labels = [_label(c, p) for c, p in predictors]
    data = df[df[unit].isin(units)]
    x_all = _matrices(data, units, unit=unit, time=time, predictors=predictors)
    v_fixed, x_train, z_valid, v_method = _v_inputs(v, labels, data, units, wide, unit=unit, time=time,
                                                    cv_predictors=cv_predictors, cv_window=cv_window)
    problem = _Problem(x=x_all, z=wide.loc[fit_window].to_numpy(float), y=wide.to_numpy(float),
                       pre=np.isin(times, fit_window), post=times >= start, v_fixed=v_fixed, x_train=x_train,
                       z_valid=z_valid)
    fit, synthetic = problem.fit(0, list(range(1, len(donors) + 1)))
    gap = problem.y[:, 0] - synthetic
    pre_rmspe, post_rmspe = problem.rmspe(gap)
    if placebo:
        placebo_table, placebo_gaps, placebo_p = _placebos(problem, donors, treated, gap)
    else:
        placebo_table = pd.DataFrame({"unit": [treated], "pre_rmspe": [pre_rmspe], "post_rmspe": [post_rmspe],
                                      "ratio": [post_rmspe / pre_rmspe], "treated": [True]})
        placebo_gaps, placebo_p = {treated: gap}, np.nan
    return SynthResult(
        treated=treated, weights=pd.Series(fit.weights, index=pd.Index(donors, name=unit), name="weight"),
        v=pd.Series(fit.v, index=labels, name="v"),
        predictors=pd.DataFrame({"treated": x_all[:, 0], "synthetic": x_all[:, 1:] @ fit.weights,
                                 "donor_mean": x_all[:, 1:].mean(axis=1)}, index=pd.Index(labels, name="predictor")),
        gaps=pd.DataFrame({"time": times, "treated": problem.y[:, 0], "synthetic": synthetic, "gap": gap,
                           "post": problem.post}),
        pre_rmspe=pre_rmspe, post_rmspe=post_rmspe, placebo=placebo_table,
        placebo_gaps=pd.DataFrame(placebo_gaps, index=pd.Index(times, name=time)), placebo_p=placebo_p,
        leave_one_out=_leave_one_out(problem, donors, fit.weights, times) if leave_one_out else pd.DataFrame(),
        v_method=v_method, lang=lang,
    )
