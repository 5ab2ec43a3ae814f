"""Reference case ``wildboot_vs_wildboottest``: the wild cluster bootstrap against wildboottest 0.3.2.

Data: a 12-county subset of the real mpdta panel (``EVALKIT_REFERENCE_DATA/mpdta/mpdta.csv``; the three
lowest county ids of each adoption cohort 2004, 2006, 2007 and never), static TWFE of ``lemp`` on ``post``
with county and year effects, clustered by county — few clusters, the case the bootstrap is for.

Independent implementation: ``wildboottest`` 0.3.2 (Fischer & Roodman's Python port of fwildclusterboot;
``wildboottest.wildboottest(model, B, cluster, param, weights_type="rademacher", bootstrap_type="11",
impose_null=True)`` on the statsmodels dummy-variable regression). With 2^12 = 4,096 < B it enumerates every
Rademacher sign pattern, so both sides are exact and must agree to rounding:

* ``t[post]``, ``p[post]`` — the bootstrap p-value of H0: β = 0 (ties not counted by either);
* ``p[ci_lo inside/outside]``, ``p[ci_hi …]`` — the p-value of H0: β = β0 just inside and outside each end of
  evalkit's 95 % bootstrap interval (test inversion). wildboottest has no intervals; it tests β0 ≠ 0 here by
  testing 0 on ``lemp − β0·post``, the same hypothesis, and the reference counts its bootstrap t-statistics
  without the two exact ties (see :func:`reference_p_value`). Inside the interval p > 0.05, outside p ≤ 0.05.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from evalkit.errors import ReferenceDataMissing
from evalkit.impact import twfe, wild_cluster_bootstrap
from evalkit.paths import require_reference_data

__all__ = ["ROLES", "B", "load", "records", "reference_p_value", "subset"]

ROLES = dict(unit="countyreal", time="year", cohort="first.treat", outcome="lemp")
#: wildboottest draws: above 2^12, so it enumerates all sign patterns
B = 5000
#: distance from each interval end, in standard errors, at which both p-values are compared
_STEP = 1e-6


def subset(data: pd.DataFrame, per_cohort: int = 3) -> pd.DataFrame:
    """The *per_cohort* lowest county ids of each cohort, with the ``post`` indicator."""
    ids = np.concatenate([np.sort(u)[:per_cohort] for u in data.groupby("first.treat")["countyreal"].unique()])
    out = data[data["countyreal"].isin(ids)].copy()
    out["post"] = ((out["first.treat"] > 0) & (out["year"] >= out["first.treat"])).astype(float)
    return out.reset_index(drop=True)


def load() -> pd.DataFrame:
    """The 12-county mpdta subset (``ReferenceDataMissing`` if the data or wildboottest are absent)."""
    try:
        import wildboottest  # noqa: F401 - only checks that the reference implementation is installed
    except ImportError:
        raise ReferenceDataMissing("the reference implementation wildboottest is not installed; "
                                   "pip install -e '.[test]'") from None
    return subset(pd.read_csv(require_reference_data("mpdta", "mpdta.csv")))


def reference_p_value(data: pd.DataFrame, beta0: float = 0.0) -> tuple[float, float, float]:
    """Wildboottest's t, p and tie-free p for H0: β_post = *beta0* (Rademacher, WCR11, all sign patterns).

    The tie-free p counts :math:`|t^*| > |t|(1 + 10^{-9})` over wildboottest's own bootstrap t-statistics: the
    two sign patterns ±1 reproduce the observed t exactly, and whether wildboottest's ``|t| < |t*|`` counts
    them depends on the last bit of rounding (it does at some β0). evalkit leaves them out by that tolerance.
    """
    import statsmodels.formula.api as smf
    from wildboottest.wildboottest import WildboottestCL

    frame = data.assign(y0=data["lemp"] - beta0 * data["post"])
    model = smf.ols("y0 ~ post + C(countyreal) + C(year)", data=frame)
    r = np.array([name == "post" for name in model.exog_names], dtype=float)
    boot = WildboottestCL(X=model.exog, Y=model.endog, cluster=frame["countyreal"].to_numpy(), R=r, B=B, seed=1,
                          parallel=False)
    boot.get_scores(bootstrap_type="11", impose_null=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        boot.get_weights(weights_type="rademacher")
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    t_obs = float(np.ravel(boot.t_stat)[0])
    t_boot = np.abs(np.ravel(boot.t_boot))
    tie_free = float(np.mean(t_boot > abs(t_obs) + 1e-9 * max(1.0, abs(t_obs))))
    return t_obs, float(boot.pvalue), tie_free


def records() -> list[dict]:
    """Evalkit's t, p and the p-values at the ends of its interval beside wildboottest's."""
    data = load()
    fit = twfe(data, **ROLES, ssc="statsmodels")
    ours = wild_cluster_bootstrap(fit, weights="rademacher", n_boot=B)
    t_ref, p_ref, _ = reference_p_value(data)
    case = "wildboot_vs_wildboottest"
    out = [{"case": case, "quantity": "t[post]", "value": ours.t_stat, "reference": t_ref, "tolerance": 1e-9},
           {"case": case, "quantity": "p[post]", "value": ours.p_value, "reference": p_ref, "tolerance": 1e-12},
           {"case": case, "quantity": "enumerated_patterns", "value": ours.n_boot, "reference": 2**12,
            "tolerance": 0}]
    se = float(fit.table["se"].iloc[0])
    for name, end in (("ci_lo", ours.ci_lo), ("ci_hi", ours.ci_hi)):
        out.append({"case": case, "quantity": name, "value": end, "reference": None})
        inward = 1.0 if name == "ci_lo" else -1.0
        for label, beta0 in (("inside", end + inward * _STEP * se), ("outside", end - inward * _STEP * se)):
            value = ours.p_value_at(beta0)
            out.append({"case": case, "quantity": f"p[{name} {label}]", "value": value,
                        "reference": reference_p_value(data, beta0)[2], "tolerance": 1e-12})
    return out

