"""Reference case ``projection_methods``: the method fixes of issue 15, checked by hand or against scipy/statsmodels.

* ``mase_hand``, ``mape_hand`` — the rolling-origin MASE (Hyndman & Koehler 2006, *Int. J. Forecasting* 22,
  679–688) and MAPE of the drift benchmark on 10, 12, 15, 16, 20, 21 (min_train 4), by hand: forecasts 18 and
  22.5 for 20 and 21; scaled errors 2/2 and 1.5/2.5; MASE 0.8, MAPE (2/20 + 1.5/21)/2 · 100.
* ``loglinear_median_vs_statsmodels`` — the log-linear forecast reports the median, :math:`\\exp` of the OLS
  prediction on logs (statsmodels ``OLS.get_prediction``); its mean does not exist (log-t).
* ``share_sd_vs_beta``, ``share_sum`` — recipient shares of one group (orphans in institutions 0.18 ± 0.03,
  in family care 0.82 ± 0.03) are drawn from a Dirichlet whose marginal is a Beta; the sd of the draws
  against scipy's Beta(c·0.18, c·0.82) with :math:`c = 0.18 · 0.82 / 0.03^2 - 1`, and the largest
  deviation of the two shares' sum from 1 over the draws.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.projection import backtest, predictive
from evalkit.scenarios.costs import joint_shares
from evalkit.scenarios.spec import Programme, Uncertain

__all__ = ["CASE", "records"]

CASE = "projection_methods"


def _mase_records() -> list[dict]:
    y = pd.Series([10.0, 12, 15, 16, 20, 21], index=range(2015, 2021))
    row = backtest(y, methods=["drift"], min_train=4).summary.set_index("method").loc["drift"]
    return [{"case": CASE, "quantity": "mase_hand", "value": float(row["mase"]), "reference": 0.8,
             "tolerance": 1e-12},
            {"case": CASE, "quantity": "mape_hand", "value": float(row["mape"]),
             "reference": 100 * (2 / 20 + 1.5 / 21) / 2, "tolerance": 1e-12}]


def _loglinear_record() -> dict:
    import statsmodels.api as sm

    values = np.array([451.1, 494.6, 540.6, 580.0, 625.0, 677.6])
    ref = sm.OLS(np.log(values), sm.add_constant(np.arange(6.0))).fit().get_prediction(
        sm.add_constant(np.arange(6.0, 11.0))).predicted_mean
    pred = predictive(pd.Series(values, index=range(2015, 2021)), method="loglinear", horizon=5)
    return {"case": CASE, "quantity": "loglinear_median_vs_statsmodels", "value": float(pred.median[-1]),
            "reference": float(np.exp(ref[-1])), "tolerance": 1e-6}


def _share_records(n: int = 200_000) -> list[dict]:
    from scipy import stats

    group = {code: Programme(code, code, code, "orphans", "std", Uncertain(mean, 0.03), Uncertain(1.0))
             for code, mean in (("institutional", 0.18), ("dispersed", 0.82))}
    draws = joint_shares(group, np.random.default_rng(2021), n)
    c = 0.18 * 0.82 / 0.03 ** 2 - 1
    beta_sd = float(stats.beta(c * 0.18, c * 0.82).std())
    total = draws["institutional"] + draws["dispersed"]
    return [{"case": CASE, "quantity": "share_sd_vs_beta", "value": float(draws["institutional"].std()),
             "reference": beta_sd, "tolerance": 3e-4},
            {"case": CASE, "quantity": "share_sum", "value": float(np.abs(total - 1).max()), "reference": 0.0,
             "tolerance": 1e-12}]


def records() -> list[dict]:
    """MASE and MAPE by hand, the log-linear median against statsmodels, the joint shares against a Beta."""
    return [*_mase_records(), _loglinear_record(), *_share_records()]
