"""Interrupted time series (segmented regression) for one series: level and slope change at an interruption.

``family="ols"`` fits a continuous outcome with Newey–West (HAC, Bartlett kernel) standard errors and
t(n − k) intervals (checked by hand in ``tests/reference/test_its_hac.py``);
``"poisson"``/``"quasipoisson"`` fit counts with a log link, an optional log-exposure offset (population)
and harmonic seasonality, and report effects as rate ratios. Reproduces the three GLMs of Lopez Bernal,
Cummins & Gasparrini (2017) on the Sicily smoking-ban data (``tests/reference/test_sicily.py``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from evalkit import i18n
from evalkit._shared.checks import Lang, check_choice, check_lang
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact._labels import labelled, number
from evalkit.impact._panel import require_columns
from evalkit.impact._types import FAMILIES, Family, check_alpha

__all__ = ["Family", "ITSResult", "harmonics", "its", "newey_west_lags"]

# Fewer points than this in a segment make trend and level change hard to separate (methods_reference §4).
_FEW_POINTS = 8


def harmonics(season: np.ndarray, *, n_pairs: int, period: float) -> pd.DataFrame:
    """Fourier terms ``sin(2πk·season/period)``, ``cos(2πk·season/period)`` for k = 1…n_pairs.

    The definition of R ``tsModel::harmonic``.
    """
    season = np.asarray(season, dtype=float)
    cols = {}
    for k in range(1, n_pairs + 1):
        angle = 2 * np.pi * k * season / period
        cols[f"sin{k}"] = np.sin(angle)
        cols[f"cos{k}"] = np.cos(angle)
    return pd.DataFrame(cols)


@dataclass(frozen=True, eq=False)
class ITSResult(ResultDisplay):
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
    df_resid : float
        Degrees of freedom of the t quantiles (``ols``: n − k); ``inf`` for the Poisson families (normal).
    notes : tuple of str
        In the language ``lang``.
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
    df_resid: float = np.inf
    lang: Lang = "zh"

    def labelled_table(self, lang: Lang | None = None) -> pd.DataFrame:
        """:attr:`effects` with headers and term names in *lang* (default: the result's language), for a report."""
        lang = lang or self.lang
        terms = i18n.labels("impact.col", lang)
        return labelled(self.effects.assign(term=self.effects["term"].map(lambda t: terms.get(t, t))), lang)

    def _summary(self) -> Summary:
        lang = self.lang
        line = i18n.t("impact.display.its_line", lang, n_pre=self.n_pre, n_post=self.n_post,
                      p=number(self.ljung_box_p))
        family = i18n.t(f"impact.option.{self.family}", lang)
        return Summary(title=i18n.t("impact.display.its_title", lang, family=family),
                       lines=[line, *self.notes], frames={"": self.labelled_table()})


def newey_west_lags(n: int) -> int:
    """The Newey–West (1994) rule of thumb ⌊4(n/100)^{2/9}⌋ for the number of HAC lags."""
    return int(np.floor(4 * (n / 100) ** (2 / 9)))


def _series(df: pd.DataFrame, *, time: str, outcome: str, offset: str | None, season: str | None) -> pd.DataFrame:
    """The needed columns as numbers, sorted by time, one row per period; errors name the columns."""
    require_columns(df, time=time, outcome=outcome, offset=offset, season=season)
    cols = list(dict.fromkeys(c for c in (time, outcome, offset, season) if c is not None))
    data = df[cols].apply(pd.to_numeric, errors="coerce")
    if data.isna().any().any():
        bad = data.columns[data.isna().any()].tolist()
        raise DataShapeError(f"columns {bad} have missing or non-numeric values — fix: fill or drop those periods")
    data = data.sort_values(time).reset_index(drop=True)
    if data[time].duplicated().any():
        raise DataShapeError(f"column {time!r} repeats periods; expected one row per period of a single series")
    return data


def _design(data: pd.DataFrame, *, time: str, start: float, slope_change: bool, season: str | None,
            n_harmonics: int, period: float) -> tuple[pd.DataFrame, int, int]:
    """Segmented-regression design (const, time, level[, slope][, harmonics]) and the segment lengths."""
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
    return design, n_pre, n_post


def _fit_model(y: np.ndarray, design: pd.DataFrame, *, family: str, log_offset: np.ndarray | None,
               maxlags: int | None):
    """The statsmodels fit, its dispersion and the df of its quantiles (``inf`` = normal)."""
    # statsmodels is imported here, not with evalkit.impact: it takes seconds and only ITS needs it
    import statsmodels.api as sm

    if family == "ols":
        lags = maxlags if maxlags is not None else newey_west_lags(len(y))
        model = sm.OLS(y, design).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True},
                             use_t=True)
        return model, float(model.scale), float(model.df_resid)
    glm = sm.GLM(y, design, family=sm.families.Poisson(), offset=log_offset)
    model = glm.fit(scale="X2" if family == "quasipoisson" else 1.0)
    return model, float(model.pearson_chi2 / model.df_resid), np.inf


def _quantile(alpha: float, df: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2) if np.isinf(df) else stats.t.ppf(1 - alpha / 2, df))


def _coef_table(model, design: pd.DataFrame, *, family: str, crit: float) -> pd.DataFrame:
    table = pd.DataFrame({"term": design.columns, "coef": model.params.to_numpy(), "se": model.bse.to_numpy(),
                          "p": model.pvalues.to_numpy()})
    table["lo"] = table["coef"] - crit * table["se"]
    table["hi"] = table["coef"] + crit * table["se"]
    if family != "ols":
        for name, col in (("rr", "coef"), ("rr_lo", "lo"), ("rr_hi", "hi")):
            table[name] = np.exp(table[col])
    return table


def _counterfactual(model, design: pd.DataFrame, *, y: np.ndarray, t: np.ndarray, family: str, crit: float,
                    log_offset: np.ndarray | None) -> pd.DataFrame:
    """The same model with the interruption terms switched off, with a delta-method band."""
    params = model.params.to_numpy()
    cf_design = design.copy()
    cf_design[[c for c in ("level", "slope") if c in design]] = 0.0
    x_cf = cf_design.to_numpy()
    linear = x_cf @ params
    linear_se = np.sqrt(np.einsum("ij,jk,ik->i", x_cf, model.cov_params().to_numpy(), x_cf))
    fitted_linear = design.to_numpy() @ params
    lo, hi = linear - crit * linear_se, linear + crit * linear_se
    if family == "ols":
        cf, cf_lo, cf_hi, fit_vals, observed = linear, lo, hi, fitted_linear, y
    else:
        # Offsets are omitted so the curves are rates per unit of exposure (counts when there is no offset).
        cf, cf_lo, cf_hi, fit_vals = np.exp(linear), np.exp(lo), np.exp(hi), np.exp(fitted_linear)
        observed = y / np.exp(log_offset) if log_offset is not None else y
    return pd.DataFrame({"time": t, "observed": observed, "fitted": fit_vals, "counterfactual": cf,
                         "cf_lo": cf_lo, "cf_hi": cf_hi, "post": design["level"].to_numpy() == 1})


def _ljung_box(model, family: str, n: int) -> float:
    from statsmodels.stats.diagnostic import acorr_ljungbox

    resid = model.resid_pearson if family != "ols" else model.resid
    lag = max(1, min(10, n // 5))
    return float(acorr_ljungbox(np.asarray(resid), lags=[lag])["lb_pvalue"].iloc[0])


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
    lang: Lang = "zh",
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
        Model family: OLS with HAC errors for a continuous outcome, Poisson or quasi-Poisson for counts.
    slope_change : bool
        Include the change in slope (``time_since = (time − start)·post``) as well as the level change.
    offset : str, optional
        Exposure column (e.g. population); its log enters as an offset, so effects are on rates.
    season, n_harmonics, period
        Seasonal adjustment with ``n_harmonics`` sine/cosine pairs of ``season`` (e.g. month, period 12).
    maxlags : int, optional
        Newey–West lags for ``ols`` (default :func:`newey_west_lags`, ⌊4(n/100)^{2/9}⌋).
    alpha : float
        1 − confidence level of the intervals.
    lang : {"zh", "en"}
        Language of the notes and the display.

    Returns
    -------
    ITSResult

    Notes
    -----
    :math:`g(E[Y_t]) = \\beta_0 + \\beta_1 t + \\beta_2\\,\\text{post}_t + \\beta_3 (t - t_0)\\text{post}_t
    + \\sum_k (\\gamma_k\\sin + \\delta_k\\cos)(2\\pi k s_t/P) [+ \\log E_t]`, identity link for ``ols`` and
    log link for Poisson. :math:`\\beta_2` is the level change at :math:`t_0`, :math:`\\beta_3` the slope change;
    for counts :math:`e^{\\beta_2}` is the rate ratio.

    ``ols``: Newey–West covariance :math:`\\frac{n}{n-k}(X'X)^{-1}\\hat S(X'X)^{-1}` with Bartlett weights
    :math:`1-l/(L+1)` (statsmodels ``cov_type="HAC"`` with ``use_correction=True``: the small-sample factor of
    Stata's ``newey``), and p-values and intervals from the t distribution with n − k degrees of freedom.
    Normal quantiles with HAC errors are anti-conservative in the 6–20-point series this is used for (Kiefer &
    Vogelsang 2005); t(n − k) is the usual finite-sample correction (Stata's ``newey`` reports t too). With
    very few points the intervals remain optimistic, and a note says so.

    Poisson families: quasi-Poisson scales the SEs by :math:`\\sqrt{X^2/(n-p)}` (Pearson), as R's
    ``quasipoisson``; intervals use the normal quantile (R ``Epi::ci.exp``, the published Sicily analysis).
    """
    check_choice("family", family, FAMILIES)
    check_lang(lang)
    alpha = check_alpha(alpha)
    if n_harmonics and season is None:
        raise ParameterError("n_harmonics > 0 needs season= (the column with the position in the cycle, e.g. month)")
    if family == "ols" and offset is not None:
        raise ParameterError("offset= applies to the Poisson families; for ols divide the outcome by the exposure")
    data = _series(df, time=time, outcome=outcome, offset=offset, season=season)
    design, n_pre, n_post = _design(data, time=time, start=start, slope_change=slope_change, season=season,
                                    n_harmonics=n_harmonics, period=period)
    y = data[outcome].to_numpy(float)
    if family != "ols" and (y < 0).any():
        raise DataShapeError(f"column {outcome!r} has negative values; Poisson models need counts ≥ 0")
    notes = []
    if min(n_pre, n_post) < _FEW_POINTS:
        notes.append(i18n.t("impact.note.short_segments", lang, n_pre=n_pre, n_post=n_post, few=_FEW_POINTS))
    log_offset = np.log(data[offset].to_numpy(float)) if offset else None
    model, dispersion, df_resid = _fit_model(y, design, family=family, log_offset=log_offset, maxlags=maxlags)
    crit = _quantile(alpha, df_resid)
    table = _coef_table(model, design, family=family, crit=crit)
    fitted = _counterfactual(model, design, y=y, t=data[time].to_numpy(float), family=family, crit=crit,
                             log_offset=log_offset)
    ljung = _ljung_box(model, family, len(y))
    if ljung < 0.05:
        notes.append(i18n.t("impact.note.autocorrelated", lang, p=f"{ljung:.3f}"))
    return ITSResult(family=family, table=table, effects=table[table["term"].isin(["level", "slope"])]
                     .reset_index(drop=True), fitted=fitted, ljung_box_p=ljung, dispersion=dispersion, n_pre=n_pre,
                     n_post=n_post, alpha=alpha, notes=tuple(notes), model=model, df_resid=df_resid, lang=lang)
