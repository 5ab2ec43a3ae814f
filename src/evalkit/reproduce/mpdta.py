"""Reference cases ``mpdta_*``: Callaway & Sant'Anna ATT(g,t) and aggregations on the minimum-wage data.

Reference implementation: R ``did`` 2.5.0 with ``bstrap=FALSE`` (analytic SEs), output shipped as
``ref_attgt.csv`` / ``ref_aggte.csv`` in ``d2cml-ai/csdid`` ``csdid/test_csdid/r_ref/`` (commit
ca91c1fef4974bde0d973d7f4195328414130c92), copied to ``EVALKIT_REFERENCE_DATA/mpdta/``. One case per
scenario in the fixtures: ``nev``/``nyt`` = never / not-yet-treated comparisons; ``dr``/``ipw``/``reg`` =
estimator; ``_cov`` = ``xformla = ~lpop``. Also checked:

* ``mpdta_nev_dr`` pre-test: W = 7.79124, p = 0.16812 (R ``did`` README / ``ref_pretest.csv`` of the
  same fixture set, via ../shared/research/methods_reference.md §3B).
* ``mpdta_nev_dr`` dynamic aggregation with ``balance_e=1``: −0.0288 (``did-basics`` vignette; the
  vignette's SE is a bootstrap draw, so only the point estimate is compared).
* ``mpdta_twfe``: static and event-study TWFE with cluster SEs under both small-sample conventions,
  against pyfixest 0.60.0 (``feols(..., vcov={"CRV1": "countyreal"})``) and statsmodels 0.15 dummy-variable
  OLS (methods_reference.md §3C).
"""
from __future__ import annotations

import pandas as pd

from evalkit.impact import att_gt, event_study, twfe
from evalkit.paths import require_reference_data

__all__ = ["SCENARIOS", "fit", "load", "records"]

SCENARIOS = {
    "mpdta_nev_dr": dict(control="never", est_method="dr"),
    "mpdta_nev_ipw": dict(control="never", est_method="ipw"),
    "mpdta_nyt_dr": dict(control="notyet", est_method="dr"),
    "mpdta_nev_reg_cov": dict(control="never", est_method="reg", covariates=["lpop"]),
}
KINDS = ("simple", "group", "dynamic", "calendar")
ROLES = dict(unit="countyreal", time="year", cohort="first.treat", outcome="lemp")

# methods_reference.md §3B/§3C (R did README; did-basics vignette; pyfixest and statsmodels runs).
PRETEST = {"W": 7.79124, "p": 0.16812}
BALANCE_E1 = -0.0288
TWFE_REF = {
    "static.coef": -0.036549, "static.se_fixest": 0.013265, "static.se_statsmodels": 0.014832,
    **{f"es.coef[{e}]": v for e, v in zip((-4, -3, -2, 0, 1, 2, 3),
                                          (0.003549, 0.024624, 0.023355, -0.018144, -0.043472, -0.131795, -0.092247))},
    **{f"es.se_statsmodels[{e}]": v
       for e, v in zip((-4, -3, -2, 0, 1, 2, 3),
                       (0.025532, 0.019773, 0.015028, 0.012283, 0.019659, 0.032253, 0.036166))},
    **{f"es.se_fixest[{e}]": v for e, v in zip((-4, -3, -2, 0, 1, 2, 3),
                                              (0.022829, 0.017679, 0.013437, 0.010982, 0.017577, 0.028837, 0.032336))},
}


def load() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Mpdta data and the R ``did`` reference tables (``ReferenceDataMissing`` if absent)."""
    folder = require_reference_data("mpdta")
    return (pd.read_csv(require_reference_data("mpdta", "mpdta.csv")),
            pd.read_csv(folder / "ref_attgt.csv"), pd.read_csv(folder / "ref_aggte.csv"))


def fit(data: pd.DataFrame, scenario: str, *, n_boot: int = 0):
    """:func:`evalkit.impact.att_gt` on mpdta with the options of *scenario* (analytic SEs by default)."""
    return att_gt(data, **ROLES, **SCENARIOS[scenario], n_boot=n_boot)


def _scenario_records(data, ref_attgt, ref_aggte, scenario: str) -> list[dict]:
    result = fit(data, scenario)
    out = []
    table = result.table.set_index(["group", "time"])
    for row in ref_attgt[ref_attgt["scenario"] == scenario].itertuples():
        key = (int(row.group), int(row.t))
        for name, col, ref in (("ATT", "att", row.att), ("SE", "se", row.se)):
            value = float(table.loc[key, col]) if key in table.index else float("nan")
            out.append({"case": scenario, "quantity": f"{name}[{key[0]},{key[1]}]", "value": value,
                        "reference": float(ref), "tolerance": 1e-6})
    for kind in KINDS:
        agg = result.aggregate(kind)
        ref = ref_aggte[(ref_aggte["scenario"] == scenario) & (ref_aggte["type"] == kind)].iloc[0]
        out.append({"case": scenario, "quantity": f"{kind}.overall_att", "value": agg.att,
                    "reference": float(ref["overall_att"]), "tolerance": 1e-6})
        out.append({"case": scenario, "quantity": f"{kind}.overall_se", "value": agg.se,
                    "reference": float(ref["overall_se"]), "tolerance": 1e-6})
    if scenario == "mpdta_nev_dr":
        out.append({"case": scenario, "quantity": "pretest.W", "value": result.pretest.statistic,
                    "reference": PRETEST["W"], "tolerance": 5e-6})
        out.append({"case": scenario, "quantity": "pretest.p", "value": result.pretest.p_value,
                    "reference": PRETEST["p"], "tolerance": 5e-6})
        out.append({"case": scenario, "quantity": "dynamic_balance1.overall_att",
                    "value": result.aggregate("dynamic", balance_e=1).att, "reference": BALANCE_E1,
                    "tolerance": 5e-5})
    return out


def _twfe_records(data: pd.DataFrame) -> list[dict]:
    values = {}
    for ssc in ("fixest", "statsmodels"):
        static = twfe(data, **ROLES, ssc=ssc).table.iloc[0]
        values["static.coef"] = static["coef"]
        values[f"static.se_{ssc}"] = static["se"]
        for row in event_study(data, **ROLES, ssc=ssc).table.itertuples():
            values[f"es.coef[{int(row.event)}]"] = row.coef
            values[f"es.se_{ssc}[{int(row.event)}]"] = row.se
    return [{"case": "mpdta_twfe", "quantity": q, "value": float(values[q]), "reference": ref, "tolerance": 5e-7}
            for q, ref in TWFE_REF.items()]


def records() -> list[dict]:
    """Every ATT(g,t), SE and aggregation of every fixture scenario, plus the pre-test and TWFE checks."""
    data, ref_attgt, ref_aggte = load()
    out = []
    for scenario in SCENARIOS:
        out.extend(_scenario_records(data, ref_attgt, ref_aggte, scenario))
    out.extend(_twfe_records(data))
    return out
