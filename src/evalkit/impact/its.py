"""Interrupted time series (segmented regression) for one series: level and slope change at an interruption.

``family="ols"`` fits a continuous outcome with Newey–West (HAC, Bartlett kernel) standard errors;
``"poisson"``/``"quasipoisson"`` fit counts with a log link, an optional log-exposure offset (population)
and harmonic seasonality, and report effects as rate ratios. Reproduces the three GLMs of Lopez Bernal,
Cummins & Gasparrini (2017) on the Sicily smoking-ban data (``tests/reference/test_sicily.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import acorr_ljungbox

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._panel import check_choice, require_columns

__all__ = ["ITSResult", "harmonics", "its"]

Family = Literal["ols", "poisson", "quasipoisson"]

# Fewer points than this in a segment make trend and level change hard to separate (methods_reference §4).
_FEW_POINTS = 8


def harmonics(season: np.ndarray, *, n_pairs: int, period: float) -> pd.DataFrame:
    """Fourier terms ``sin(2πk·season/period)``, ``cos(2πk·season/period)`` for k = 1…n_pairs (R ``tsModel::harmonic``)."""
    season = np.asarray(season, dtype=float)
    cols = {}
    for k in range(1, n_pairs + 1):
        angle = 2 * np.pi * k * season / period
        cols[f"sin{k}"] = np.sin(angle)
        cols[f"cos{k}"] = np.cos(angle)
    return pd.DataFrame(cols)


@dataclass(frozen=True, eq=False)
class ITSResult:
    """A fitted segmented regression.

    Attributes
    ----------
    table : DataFrame
        ``term``, ``coef``, ``se``, ``p``, ``lo``, ``hi`` for every model term; for Poisson families also
        ``rr``, ``rr_lo``, ``rr_hi`` (exp of coefficient and interval).
    effects : DataFrame
        The interruption's effects: ``level`` (step at the first post period) and, if fitted, ``slope``
        (change in trend per period); value and interval on the model scale and, for counts, as rate ratios.
    fitted : DataFrame
        ``time``, ``observed``, ``fitted``, ``counterfactual`` (the model with the interruption terms set to
        0) and its interval ``cf_lo``/``cf_hi``, on the outcome scale (counts are returned per the offset's
        unit when an offset is given: ``rate`` columns).
    ljung_box_p : float
        Ljung–Box p-value for residual autocorrelation (lag ``min(10, n//5)``).
    dispersion : float
        Pearson χ²/df (1 for Poisson; the scale for quasi-Poisson; residual variance for OLS).
    notes : tuple of str
    """

    family: str
    table: pd.DataFrame
    effects: pd.DataFrame
    fitted: pd.DataFrame
    ljung_box_p: float
    dispersion: float
    n_pre: int
    n_post: int
    alpha: float
    notes: tuple[str, ...]
    model: object = field(repr=False)

    def _repr_html_(self) -> str:
        head = (f"<h4>Interrupted time series ({self.family})</h4><p>{self.n_pre} points before, "
                f"{self.n_post} after; Ljung–Box p = {self.ljung_box_p:.3f}</p>")
        head += "".join(f"<p>{n}</p>" for n in self.notes)
        return head + self.effects.to_html(index=False, float_format=lambda v: f"{v:.4f}")


def its(
    df: pd.DataFrame,
    *,
    time: str,
    outcome: str,
    start: float,
    family: Family = "ols",
    slope_change: bool = True,
    offset: str | None = None,
    season: str | None = None,
    n_harmonics: int = 0,
    period: float = 12,
    maxlags: int | None = None,
    alpha: float = 0.05,
) -> ITSResult:
    """Segmented regression for an interruption at ``start``.

    Parameters
    ----------
    df : DataFrame
        One row per period of a single series.
    time : str
        Column with the period index (numeric, increasing; e.g. month number or year).
    outcome : str
        Outcome column (a rate/level for ``ols``; counts for Poisson families).
    start : float
        First period under the intervention.
    family : {"ols", "poisson", "quasipoisson"}
    slope_change : bool
        Include the change in slope (``time_since = (time − start)·post``) as well as the level change.
    offset : str, optional
        Exposure column (e.g. population); its log enters as an offset, so effects are on rates.
    season, n_harmonics, period
        Seasonal adjustment with ``n_harmonics`` sine/cosine pairs of ``season`` (e.g. month, period 12).
    maxlags : int, optional
        Newey–West lags for ``ols`` (default ⌊4(n/100)^{2/9}⌋).
    alpha : float

    Notes
    -----
    :math:`g(E[Y_t]) = \\beta_0 + \\beta_1 t + \\beta_2\\,\\text{post}_t + \\beta_3 (t - t_0)\\text{post}_t
    + \\sum_k (\\gamma_k\\sin + \\delta_k\\cos)(2\\pi k s_t/P) [+ \\log E_t]`, identity link for ``ols`` and
    log link for Poisson. :math:`\\beta_2` is the level change at :math:`t_0`, :math:`\\beta_3` the slope change;
    for counts :math:`e^{\\beta_2}` is the rate ratio. Quasi-Poisson scales the SEs by
    :math:`\\sqrt{X^2/(n-p)}` (Pearson), as R's ``quasipoisson``; intervals use the normal quantile (R
    ``Epi::ci.exp``).
    """
    check_choice("family", family, ("ols", "poisson", "quasipoisson"))
    require_columns(df, time=time, outcome=outcome, offset=offset, season=season)
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}: expected a number between 0 and 1, e.g. 0.05")
    if n_harmonics and season is None:
        raise ParameterError("n_harmonics > 0 needs season= (the column with the position in the cycle, e.g. month)")
    cols = list(dict.fromkeys(c for c in (time, outcome, offset, season) if c is not None))
    data = df[cols].apply(pd.to_numeric, errors="coerce")
    if data.isna().any().any():
        bad = data.columns[data.isna().any()].tolist()
        raise DataShapeError(f"columns {bad} have missing or non-numeric values — fix: fill or drop those periods")
    data = data.sort_values(time).reset_index(drop=True)
    if data[time].duplicated().any():
        raise DataShapeError(f"column {time!r} repeats periods; expected one row per period of a single series")
    t = data[time].to_numpy(float)
    post = (t >= start).astype(float)
    n_pre, n_post = int((post == 0).sum()), int(post.sum())
    if n_pre < 2 or n_post < 1:
        raise DataShapeError(
            f"start={start} leaves {n_pre} period(s) before and {n_post} after; an interrupted time series needs "
            "at least 2 before (for the trend) and 1 after — fix: check start and the time column"
        )
    design = pd.DataFrame({"const": 1.0, "time": t, "level": post})
    if slope_change:
        if n_post < 2:
            raise DataShapeError("a slope change needs at least 2 periods after start — fix: slope_change=False")
        design["slope"] = (t - start) * post
    if n_harmonics:
        design = pd.concat([design, harmonics(data[season].to_numpy(), n_pairs=n_harmonics, period=period)], axis=1)
    y = data[outcome].to_numpy(float)
    notes = []
    if min(n_pre, n_post) < _FEW_POINTS:
        notes.append(
            f"only {n_pre} points before and {n_post} after the interruption: trend and level change are hard "
            f"to separate with fewer than {_FEW_POINTS} points per segment, and the intervals understate the uncertainty"
        )
    log_offset = np.log(data[offset].to_numpy(float)) if offset else None
    if family == "ols":
        if offset is not None:
            raise ParameterError("offset= applies to the Poisson families; for ols divide the outcome by the exposure")
        lags = maxlags if maxlags is not None else int(np.floor(4 * (len(y) / 100) ** (2 / 9)))
        model = sm.OLS(y, design).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
        dispersion = float(model.scale)
    else:
        if (y < 0).any():
            raise DataShapeError(f"column {outcome!r} has negative values; Poisson models need counts ≥ 0")
        glm = sm.GLM(y, design, family=sm.families.Poisson(), offset=log_offset)
        model = glm.fit(scale="X2" if family == "quasipoisson" else 1.0)
        dispersion = float(model.pearson_chi2 / model.df_resid)
    z = stats.norm.ppf(1 - alpha / 2)
    table = pd.DataFrame({"term": design.columns, "coef": model.params.to_numpy(), "se": model.bse.to_numpy(),
                          "p": model.pvalues.to_numpy()})
    table["lo"] = table["coef"] - z * table["se"]
    table["hi"] = table["coef"] + z * table["se"]
    if family != "ols":
        for name, col in (("rr", "coef"), ("rr_lo", "lo"), ("rr_hi", "hi")):
            table[name] = np.exp(table[col])
    effects = table[table["term"].isin(["level", "slope"])].reset_index(drop=True)

    # Counterfactual: the same model with the interruption terms switched off, with a delta-method band.
    cf_design = design.copy()
    cf_design[["level"] + (["slope"] if slope_change else [])] = 0.0
    linear = cf_design.to_numpy() @ model.params.to_numpy()
    linear_se = np.sqrt(np.einsum("ij,jk,ik->i", cf_design.to_numpy(), model.cov_params().to_numpy(), cf_design.to_numpy()))
    fitted_linear = design.to_numpy() @ model.params.to_numpy()
    if family == "ols":
        cf, cf_lo, cf_hi, fit_vals, observed = linear, linear - z * linear_se, linear + z * linear_se, fitted_linear, y
    else:
        # Offsets are omitted so the curves are rates per unit of exposure (counts when there is no offset).
        cf, cf_lo, cf_hi = np.exp(linear), np.exp(linear - z * linear_se), np.exp(linear + z * linear_se)
        fit_vals = np.exp(fitted_linear)
        observed = y / np.exp(log_offset) if log_offset is not None else y
    fitted = pd.DataFrame({"time": t, "observed": observed, "fitted": fit_vals, "counterfactual": cf,
                           "cf_lo": cf_lo, "cf_hi": cf_hi, "post": post.astype(bool)})
    resid = model.resid_pearson if family != "ols" else model.resid
    lag = max(1, min(10, len(y) // 5))
    ljung = float(acorr_ljungbox(np.asarray(resid), lags=[lag])["lb_pvalue"].iloc[0])
    if ljung < 0.05:
        notes.append(f"residuals are autocorrelated (Ljung–Box p = {ljung:.3f}): consider seasonality terms or "
                     "HAC/ARIMA errors")
    return ITSResult(family=family, table=table, effects=effects, fitted=fitted, ljung_box_p=ljung,
                     dispersion=dispersion, n_pre=n_pre, n_post=n_post, alpha=alpha, notes=tuple(notes),
                     model=model)
