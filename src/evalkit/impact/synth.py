"""Synthetic control for one treated unit (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010).

:func:`synth` finds donor weights W (≥ 0, summing to 1) that reproduce the treated unit's predictors,
with predictor importances V chosen so that the synthetic unit tracks the outcome in the fit window
(nested optimisation, as R ``Synth``). It reports the gap series, the pre-period RMSPE, in-space
placebos with post/pre RMSPE ratios and their permutation p-value, and leave-one-out donor checks.
Reproduces the synthetic Basque Country (``tests/reference/test_basque.py``).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._panel import require_columns

__all__ = ["SynthResult", "simplex_least_squares", "synth"]

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


def _fit_synth(x0: np.ndarray, x1: np.ndarray, z0: np.ndarray, z1: np.ndarray) -> _Fit:
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


@dataclass(frozen=True, eq=False)
class SynthResult:
    """A synthetic control.

    Attributes
    ----------
    weights : Series
        Donor weights W (index = donor unit).
    v : Series
        Predictor importances V (diagonal, summing to 1; index = predictor label).
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
        cannot be below 1/(number of donors + 1).
    leave_one_out : DataFrame
        For each donor with positive weight: the synthetic series refitted without it (``time``,
        ``dropped``, ``synthetic``, ``gap``).
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

    def _repr_html_(self) -> str:
        w = self.weights[self.weights > 0.001].sort_values(ascending=False)
        lines = (f"<h4>Synthetic control for {self.treated}</h4><p>pre-period RMSPE {self.pre_rmspe:.4f}; "
                 f"post/pre RMSPE placebo p = {self.placebo_p:.3f}</p>")
        return lines + w.rename("weight").to_frame().to_html(float_format=lambda v: f"{v:.3f}")


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
) -> SynthResult:
    """Synthetic control for one treated unit.

    Parameters
    ----------
    df : DataFrame
        Long panel: ``unit``, ``time``, ``outcome`` and any predictor columns.
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

    Notes
    -----
    Predictors are scaled by their standard deviation across treated and donors. For diagonal
    :math:`V\\ge0` with :math:`\\sum V=1`,
    :math:`W(V)=\\arg\\min_{W\\ge0,\\,1'W=1}(X_1-X_0W)'V(X_1-X_0W)`, and :math:`V` minimises
    :math:`\\frac1{T_0}\\sum_{t\\in\\text{fit}}(Z_{1t}-Z_{0t}W(V))^2` (BFGS from equal and
    regression-based starts, the best kept). The placebo p-value is
    :math:`\\#\\{j: r_j \\ge r_1\\}/(J+1)` with :math:`r=\\text{RMSPE}_{post}/\\text{RMSPE}_{pre}`.
    """
    require_columns(df, unit=unit, time=time, outcome=outcome)
    all_units = list(pd.unique(df[unit]))
    if treated not in all_units:
        raise ParameterError(f"treated={treated!r} is not a value of column {unit!r}")
    donors = [u for u in (donors if donors is not None else all_units) if u != treated]
    unknown = [u for u in donors if u not in all_units]
    if unknown:
        raise ParameterError(f"donors {unknown} are not values of column {unit!r}")
    if len(donors) < 2:
        raise DataShapeError("a synthetic control needs at least 2 donor units")
    data = df[df[unit].isin([treated, *donors])]
    outcome_wide = data.pivot_table(index=time, columns=unit, values=outcome, aggfunc="first")
    times = np.sort(outcome_wide.index.to_numpy(float))
    if outcome_wide[[treated, *donors]].isna().any().any():
        gaps_at = outcome_wide.columns[outcome_wide.isna().any()].tolist()
        raise DataShapeError(f"outcome {outcome!r} is missing for units {gaps_at} in some periods — synth needs "
                             "the outcome in every period; fix: fill the gaps or drop those donors")
    pre_times = times[times < start]
    if len(pre_times) < 2 or not (times >= start).any():
        raise DataShapeError(f"start={start} leaves {len(pre_times)} pre-treatment periods and "
                             f"{int((times >= start).sum())} post; synth needs ≥ 2 before and ≥ 1 after")
    fit_window = list(fit_window) if fit_window is not None else list(pre_times)
    predictors = list(predictors) if predictors is not None else [(outcome, [t]) for t in fit_window]
    for column, _ in predictors:
        require_columns(df, predictor=column)
    labels = [f"{c} [{min(p)}–{max(p)}]" if len(p) > 1 else f"{c} [{p[0]}]"
              for c, p in ((c, list(p)) for c, p in predictors)]
    x_all = _matrices(data, [treated, *donors], unit=unit, time=time, predictors=predictors)
    z_all = outcome_wide.loc[fit_window, [treated, *donors]].to_numpy(float)
    y_all = outcome_wide.loc[times, [treated, *donors]].to_numpy(float)

    def run(target: int, pool: list[int]):
        x = x_all[:, [target, *pool]]
        sd = x.std(axis=1, ddof=1)
        sd[sd == 0] = 1.0
        xs = x / sd[:, None]
        fit = _fit_synth(xs[:, 1:], xs[:, 0], z_all[:, pool], z_all[:, target])
        synthetic = y_all[:, pool] @ fit.weights
        return fit, synthetic

    def rmspe(gap: np.ndarray) -> tuple[float, float]:
        pre = np.isin(times, fit_window)
        return float(np.sqrt(np.mean(gap[pre] ** 2))), float(np.sqrt(np.mean(gap[times >= start] ** 2)))

    donor_idx = list(range(1, len(donors) + 1))
    fit, synthetic = run(0, donor_idx)
    gap = y_all[:, 0] - synthetic
    pre_rmspe, post_rmspe = rmspe(gap)
    gaps = pd.DataFrame({"time": times, "treated": y_all[:, 0], "synthetic": synthetic, "gap": gap,
                         "post": times >= start})
    weights = pd.Series(fit.weights, index=pd.Index(donors, name=unit), name="weight")
    x_treated = x_all[:, 0]
    table = pd.DataFrame({"treated": x_treated, "synthetic": x_all[:, 1:] @ fit.weights,
                          "donor_mean": x_all[:, 1:].mean(axis=1)}, index=pd.Index(labels, name="predictor"))

    placebo_rows = [(treated, pre_rmspe, post_rmspe, True)]
    placebo_gaps = {treated: gap}
    if placebo:
        for j in donor_idx:
            _, syn_j = run(j, [i for i in donor_idx if i != j])
            gap_j = y_all[:, j] - syn_j
            placebo_gaps[donors[j - 1]] = gap_j
            placebo_rows.append((donors[j - 1], *rmspe(gap_j), False))
    placebo_table = pd.DataFrame(placebo_rows, columns=["unit", "pre_rmspe", "post_rmspe", "treated"])
    placebo_table.insert(3, "ratio", placebo_table["post_rmspe"] / placebo_table["pre_rmspe"])
    placebo_p = (float(np.mean(placebo_table["ratio"] >= placebo_table["ratio"].iloc[0] - 1e-12))
                 if placebo else np.nan)

    loo_frames = []
    if leave_one_out:
        for j in [i for i in donor_idx if fit.weights[i - 1] > 1e-6]:
            _, syn_j = run(0, [i for i in donor_idx if i != j])
            loo_frames.append(pd.DataFrame({"time": times, "dropped": donors[j - 1], "synthetic": syn_j,
                                            "gap": y_all[:, 0] - syn_j}))
    return SynthResult(
        treated=treated, weights=weights, v=pd.Series(fit.v, index=labels, name="v"), predictors=table,
        gaps=gaps, pre_rmspe=pre_rmspe, post_rmspe=post_rmspe, placebo=placebo_table,
        placebo_gaps=pd.DataFrame(placebo_gaps, index=pd.Index(times, name=time)), placebo_p=placebo_p,
        leave_one_out=pd.concat(loo_frames, ignore_index=True) if loo_frames else pd.DataFrame(),
    )
