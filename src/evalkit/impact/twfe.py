"""Two-way fixed-effects (TWFE) regressions: static DiD and the event study, with cluster-robust SEs.

Under staggered adoption with effects that change over time or differ between cohorts, TWFE
compares late adopters with early adopters that are already treated, and some treated cells enter
with negative weight (Goodman-Bacon 2021; de Chaisemartin & D'Haultfœuille 2020). evalkit reports TWFE
only beside :func:`evalkit.impact.att_gt`, with those weights in ``TWFEResult.weights``.

Small-sample convention
-----------------------
The cluster-robust variance is :math:`c\\,(X'X)^{-1}\\sum_g X_g'u_gu_g'X_g(X'X)^{-1}` with
:math:`c = \\frac{G}{G-1}\\frac{N-1}{N-K}`. ``ssc="fixest"`` (default) counts in K the regressors and one per
period, but not the unit effects, which are nested in the unit clusters (R ``fixest`` / ``pyfixest``
CRV1 with ``fixef.K="nested"``). ``ssc="statsmodels"`` counts every fixed-effect dummy, as
``statsmodels.OLS(...).fit(cov_type="cluster")`` on a dummy-variable regression does; its SEs are
larger by :math:`\\sqrt{(N-K_{fixest})/(N-K_{statsmodels})}`. p-values use the t distribution with
G − 1 degrees of freedom.
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
from evalkit.impact._labels import labelled
from evalkit.impact._panel import group_sums, long_panel
from evalkit.impact._types import SSC, SSCS, check_alpha

__all__ = ["SSC", "TWFEResult", "cluster_vcov", "crv1_factor", "demean_two_way", "event_study", "twfe"]

#: below this many clusters a note points to the few-cluster tests (Cameron & Miller 2015 discuss 42 as a rule)
_FEW_CLUSTERS = 42


def demean_two_way(values: np.ndarray, unit_codes: np.ndarray, time_codes: np.ndarray,
                   *, tol: float = 1e-13, max_iter: int = 10_000) -> np.ndarray:
    """Remove unit and time means from each column (alternating projections; exact in one pass if balanced).

    Notes
    -----
    Iterates :math:`x \\leftarrow x - \\bar x_{i\\cdot}`, :math:`x \\leftarrow x - \\bar x_{\\cdot t}` until the
    largest change is below ``tol`` times the scale of ``values`` (Gaure 2013). The result equals the
    residual of a regression on unit and time dummies (Frisch–Waugh–Lovell).
    """
    x = np.array(values, dtype=float, copy=True)
    squeeze = x.ndim == 1
    if squeeze:
        x = x[:, None]
    scale = max(1.0, float(np.max(np.abs(x)))) if x.size else 1.0
    n_units, n_times = unit_codes.max() + 1, time_codes.max() + 1
    unit_n = np.bincount(unit_codes, minlength=n_units)[:, None]
    time_n = np.bincount(time_codes, minlength=n_times)[:, None]
    for _ in range(max_iter):
        before = x.copy()
        for codes, counts, size in ((unit_codes, unit_n, n_units), (time_codes, time_n, n_times)):
            x -= (group_sums(x, codes, size) / counts)[codes]
        if np.max(np.abs(x - before)) < tol * scale:
            break
    return x[:, 0] if squeeze else x


def crv1_factor(n_clusters: int, n_obs: int, k: int) -> float:
    """The CRV1 small-sample factor :math:`\\frac{G}{G-1}\\frac{N-1}{N-K}` (one definition for every SE here)."""
    return n_clusters / (n_clusters - 1) * (n_obs - 1) / (n_obs - k)


def cluster_vcov(x: np.ndarray, resid: np.ndarray, clusters: np.ndarray, *, k: int) -> np.ndarray:
    """CRV1 cluster-robust covariance with the factor :func:`crv1_factor`."""
    n = x.shape[0]
    n_clusters = clusters.max() + 1
    bread = np.linalg.inv(x.T @ x)
    scores = group_sums(x * resid[:, None], clusters, n_clusters)
    return crv1_factor(n_clusters, n, k) * bread @ (scores.T @ scores) @ bread


@dataclass(frozen=True, eq=False)
class TWFEResult(ResultDisplay):
    """A TWFE regression with unit and period fixed effects.

    Attributes
    ----------
    table : DataFrame
        ``term``, ``event`` (event time; NaN for the static ``post`` term), ``coef``, ``se``, ``t``, ``p``,
        ``lo``, ``hi`` (pointwise, t with G − 1 df).
    weights : DataFrame
        Static model only: the weight of each treated (group, time) cell in the TWFE coefficient
        (``weight``; they sum to 1; negative weights signal the staggered-adoption bias). Empty otherwise.
    ssc : str
        Small-sample convention of the SEs.
    n_obs, n_clusters, k : int
        Observations, clusters (units) and parameters counted in the small-sample factor.
    notes : tuple of str
        In the language ``lang``.
    lang : str
        Language of notes and display.
    """

    table: pd.DataFrame
    weights: pd.DataFrame
    ssc: str
    n_obs: int
    n_clusters: int
    k: int
    alpha: float
    notes: tuple[str, ...]
    x: np.ndarray = field(repr=False)            # demeaned regressors
    y: np.ndarray = field(repr=False)            # demeaned outcome
    clusters: np.ndarray = field(repr=False)     # cluster code per row
    unit_codes: np.ndarray = field(repr=False)
    time_codes: np.ndarray = field(repr=False)
    lang: Lang = "zh"

    def coef(self, term: str) -> float:
        """The coefficient of *term* (``"post"``, ``"e+0"`` …)."""
        return float(self.table.set_index("term").loc[term, "coef"])

    def labelled_table(self, lang: Lang | None = None) -> pd.DataFrame:
        """:attr:`table` with headers and the ``post`` term in *lang* (default: the result's language)."""
        lang = lang or self.lang
        terms = i18n.labels("impact.term", lang)
        return labelled(self.table.assign(term=self.table["term"].map(lambda t: terms.get(t, t))), lang)

    def labelled_weights(self, lang: Lang | None = None) -> pd.DataFrame:
        """:attr:`weights` (cohort, year, weight) with headers in *lang* (default: the result's language)."""
        return labelled(self.weights, lang or self.lang)

    def _summary(self) -> Summary:
        lang = self.lang
        line = i18n.t("impact.display.twfe_line", lang, n_obs=self.n_obs, n_clusters=self.n_clusters,
                      ssc=i18n.t(f"impact.option.{self.ssc}", lang))
        return Summary(title=i18n.t("impact.display.twfe_title", lang), lines=[line, *self.notes],
                       frames={"": self.labelled_table()})


def _fit(data: pd.DataFrame, regressors: pd.DataFrame, *, unit: str, time: str, outcome: str,
         ssc: SSC, alpha: float, events: list[float], notes: list[str],
         weights: pd.DataFrame, lang: Lang) -> TWFEResult:
    check_choice("ssc", ssc, SSCS)
    check_lang(lang)
    alpha = check_alpha(alpha)
    unit_codes = pd.factorize(data[unit], sort=True)[0]
    time_codes = pd.factorize(data[time], sort=True)[0]
    n_units, n_times = unit_codes.max() + 1, time_codes.max() + 1
    if n_units < 2:
        raise DataShapeError("a TWFE regression needs at least two units (clusters)")
    demeaned = demean_two_way(np.column_stack([data[outcome].to_numpy(float), regressors.to_numpy(float)]),
                              unit_codes, time_codes)
    y, x = demeaned[:, 0], demeaned[:, 1:]
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise DataShapeError(
            f"the TWFE regressors {', '.join(regressors.columns)} are collinear with the unit and period "
            "effects (e.g. no never-treated units and every event time included) — fix: add never-treated "
            "units, or bin/limit event times with min_e/max_e"
        )
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    resid = y - x @ beta
    n = len(y)
    # fixest keeps every period level in K; statsmodels' dummy regression has intercept + (units−1) + (periods−1).
    k = x.shape[1] + n_times + (n_units - 1 if ssc == "statsmodels" else 0)
    vcov = cluster_vcov(x, resid, unit_codes, k=k)
    se = np.sqrt(np.diag(vcov))
    with np.errstate(divide="ignore", invalid="ignore"):  # a perfect fit has se = 0
        t_stat = beta / se
    dist = stats.t(df=n_units - 1)
    crit = dist.ppf(1 - alpha / 2)
    table = pd.DataFrame({
        "term": list(regressors.columns),
        "event": events,
        "coef": beta,
        "se": se,
        "t": t_stat,
        "p": 2 * dist.sf(np.abs(t_stat)),
        "lo": beta - crit * se,
        "hi": beta + crit * se,
    })
    if n_units < _FEW_CLUSTERS:
        notes.append(i18n.t("impact.note.few_clusters", lang, n=int(n_units)))
    return TWFEResult(table=table, weights=weights, ssc=ssc, n_obs=n, n_clusters=int(n_units), k=int(k),
                      alpha=alpha, notes=tuple(notes), x=x, y=y, clusters=unit_codes,
                      unit_codes=unit_codes, time_codes=time_codes, lang=lang)


def twfe(df: pd.DataFrame, *, unit: str, time: str, cohort: str, outcome: str,
         ssc: SSC = "fixest", alpha: float = 0.05, lang: Lang = "zh") -> TWFEResult:
    """Static TWFE DiD: ``outcome ~ post + unit FE + period FE``, SEs clustered by unit.

    ``post`` is 1 from a unit's cohort (first treated period) on. Works on unbalanced panels. Notes and
    the display are in *lang*.

    Notes
    -----
    :math:`Y_{it} = \\alpha_i + \\lambda_t + \\beta D_{it} + \\varepsilon_{it}`. By Frisch–Waugh–Lovell
    :math:`\\hat\\beta = \\sum_{D_{it}=1} w_{it} Y_{it}`-type contrast with cell weights
    :math:`w_{it} = \\tilde D_{it}/\\sum_{D=1}\\tilde D_{it}` on the treated cells' effects, where
    :math:`\\tilde D` is :math:`D` net of unit and period means; these weights (reported in ``weights``)
    can be negative for early cohorts in late periods (de Chaisemartin & D'Haultfœuille 2020).
    """
    data = long_panel(df, unit=unit, time=time, cohort=cohort, outcome=outcome, balanced=False)
    post = ((data[cohort] > 0) & (data[time] >= data[cohort])).astype(float)
    if post.sum() == 0:
        raise DataShapeError(f"no treated observations: {cohort!r} is 0 or later than every period")
    unit_codes = pd.factorize(data[unit], sort=True)[0]
    time_codes = pd.factorize(data[time], sort=True)[0]
    d_tilde = demean_two_way(post.to_numpy(), unit_codes, time_codes)
    treated = post.to_numpy() == 1
    cells = pd.DataFrame({"group": data[cohort].to_numpy()[treated].astype(int),
                          "time": data[time].to_numpy()[treated].astype(int),
                          "weight": d_tilde[treated] / d_tilde[treated].sum()})
    weights = cells.groupby(["group", "time"], as_index=False)["weight"].sum()
    notes = []
    negative = weights[weights["weight"] < 0]
    if len(negative):
        notes.append(i18n.t("impact.note.negative_weights", lang, n=len(negative),
                            total=f"{negative['weight'].sum():.3f}"))
    return _fit(data, pd.DataFrame({"post": post}), unit=unit, time=time, outcome=outcome,
                ssc=ssc, alpha=alpha, events=[np.nan], notes=notes, weights=weights, lang=lang)


def event_study(df: pd.DataFrame, *, unit: str, time: str, cohort: str, outcome: str,
                reference: int = -1, min_e: int | None = None, max_e: int | None = None,
                ssc: SSC = "fixest", alpha: float = 0.05, lang: Lang = "zh") -> TWFEResult:
    """TWFE event study: outcome on event-time dummies with unit and period FE, SEs clustered by unit.

    Parameters
    ----------
    reference : int
        Omitted event time (default −1, the period before treatment).
    min_e, max_e : int, optional
        Bin event times below ``min_e`` / above ``max_e`` into the end dummies.
    ssc : {"fixest", "statsmodels"}
        Small-sample convention (see the module docstring).
    lang : {"zh", "en"}
        Language of notes and display.

    Notes
    -----
    :math:`Y_{it} = \\alpha_i + \\lambda_t + \\sum_{e\\ne r}\\beta_e 1\\{t-G_i=e\\} + \\varepsilon_{it}`,
    never-treated units having all dummies 0. With heterogeneous effects the :math:`\\beta_e` mix effects
    of other event times (Sun & Abraham 2021); the CS dynamic aggregation does not.
    """
    data = long_panel(df, unit=unit, time=time, cohort=cohort, outcome=outcome, balanced=False)
    treated_unit = data[cohort] > 0
    if not treated_unit.any():
        raise DataShapeError(f"no treated units: {cohort!r} is 0 for every unit")
    event = (data[time] - data[cohort]).where(treated_unit)
    if min_e is not None:
        event = event.clip(lower=min_e)
    if max_e is not None:
        event = event.clip(upper=max_e)
    levels = sorted(e for e in event.dropna().unique() if e != reference)
    if reference not in set(event.dropna().unique()):
        raise ParameterError(f"reference={reference} is not an event time in the data; event times are "
                             f"{sorted(event.dropna().unique().astype(int))}")
    regressors = pd.DataFrame({f"e{int(e):+d}": (event == e).astype(float) for e in levels}, index=data.index)
    return _fit(data, regressors, unit=unit, time=time, outcome=outcome, ssc=ssc, alpha=alpha,
                events=[float(e) for e in levels], notes=[], weights=pd.DataFrame(), lang=lang)
