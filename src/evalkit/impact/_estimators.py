"""Two-period panel DiD kernels with influence functions (Sant'Anna & Zhao 2020).

Each kernel takes the outcome change ``delta_y = Y_post - Y_pre`` of the units in one comparison
(treated ``d = 1`` or comparison ``d = 0``) and a design ``x`` whose first column is the intercept, and
returns the ATT and its influence function ``psi`` (one value per unit, mean zero) such that
``ATT_hat - ATT ≈ mean(psi)``. They follow the formulas of R ``DRDID`` (``drdid_panel``,
``reg_did_panel``, ``std_ipw_did_panel``) with unit weights equal to 1.
"""
from __future__ import annotations

import numpy as np

from evalkit.errors import DataShapeError
from evalkit.impact._types import EstMethod

__all__ = ["did_panel", "logit_fit"]

# Controls whose propensity score reaches this level get zero weight (R DRDID's trim.level).
_TRIM_LEVEL = 0.995


def logit_fit(x: np.ndarray, d: np.ndarray, *, max_iter: int = 100, tol: float = 1e-12):
    """Logistic regression of ``d`` on ``x`` by Newton–Raphson.

    Returns the fitted probabilities and the inverse information matrix ``(X'WX)^-1``. Raises
    :class:`DataShapeError` when the design is singular or the fit separates the groups perfectly.
    """
    if x.shape[1] == 1 and np.all(x == 1):
        # Intercept only: the MLE is the treated share (no iterations needed).
        share = float(np.mean(d))
        return np.full(len(d), share), np.array([[1.0 / (len(d) * share * (1.0 - share))]])
    beta = np.zeros(x.shape[1])
    for _ in range(max_iter):
        eta = x @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        w = p * (1.0 - p)
        info = x.T @ (w[:, None] * x)
        try:
            step = np.linalg.solve(info, x.T @ (d - p))
        except np.linalg.LinAlgError:
            raise DataShapeError(
                "the propensity-score model is singular (a covariate has no variation, or covariates are "
                "collinear, among the units of one comparison) — fix: drop or combine covariates"
            ) from None
        beta = beta + step
        if np.max(np.abs(step)) < tol * (1.0 + np.max(np.abs(beta))):
            break
    else:
        raise DataShapeError(
            "the propensity-score model did not converge (covariates separate treated and comparison "
            "units perfectly) — fix: use est_method='reg', or fewer covariates"
        )
    p = 1.0 / (1.0 + np.exp(-(x @ beta)))
    w = p * (1.0 - p)
    return p, np.linalg.inv(x.T @ (w[:, None] * x))


def _ols_on_controls(delta_y: np.ndarray, d: np.ndarray, x: np.ndarray):
    """OLS of the change on the design among comparison units; linear representation of its estimate."""
    n = len(d)
    control = 1.0 - d
    xtx = (x * control[:, None]).T @ x / n
    if np.linalg.matrix_rank(xtx) < x.shape[1]:
        raise DataShapeError(
            "the outcome regression is singular among the comparison units (too few units for the "
            "covariates, or a covariate without variation) — fix: drop covariates or use control='notyet'"
        )
    xtx_inv = np.linalg.inv(xtx)
    coef = xtx_inv @ ((x * control[:, None]).T @ delta_y / n)
    fitted = x @ coef
    linrep = (control * (delta_y - fitted))[:, None] * x @ xtx_inv
    return fitted, linrep


def did_panel(delta_y: np.ndarray, d: np.ndarray, x: np.ndarray, method: EstMethod) -> tuple[float, np.ndarray]:
    """ATT and influence function for one 2×2 panel comparison.

    Notes
    -----
    With propensity score :math:`p(X)` and outcome regression :math:`m(X)=E[\\Delta Y|X,D=0]`, the
    doubly robust estimator is

    .. math:: \\widehat{ATT} = \\frac{\\sum D(\\Delta Y - m(X))}{\\sum D}
              - \\frac{\\sum w_0 (\\Delta Y - m(X))}{\\sum w_0},\\quad w_0 = \\frac{p(X)(1-D)}{1-p(X)};

    ``reg`` drops the weights (:math:`\\widehat{ATT} = \\overline{\\Delta Y}_{D=1} - \\overline{m(X)}_{D=1}`),
    ``ipw`` drops the regression (Hájek-normalised weights). The influence functions add the estimation
    effect of the logit and OLS nuisance fits through their linear representations.
    """
    n = len(d)
    if method == "reg":
        fitted, lin_ols = _ols_on_controls(delta_y, d, x)
        w_treat = d
        eta_treat = np.mean(w_treat * delta_y) / np.mean(w_treat)
        eta_cont = np.mean(w_treat * fitted) / np.mean(w_treat)
        inf_treat = (w_treat * delta_y - w_treat * eta_treat) / np.mean(w_treat)
        m1 = np.mean(w_treat[:, None] * x, axis=0)
        inf_cont = (w_treat * fitted - w_treat * eta_cont + lin_ols @ m1) / np.mean(w_treat)
        return float(eta_treat - eta_cont), inf_treat - inf_cont

    p, info_inv = logit_fit(x, d)
    p = np.minimum(p, 1.0 - 1e-6)
    keep = np.where(d == 1, 1.0, (p < _TRIM_LEVEL).astype(float))
    lin_ps = ((d - p)[:, None] * x) @ (info_inv * n)
    w_treat = keep * d
    w_cont = keep * p * (1.0 - d) / (1.0 - p)
    if method == "ipw":
        resid = delta_y
        fitted = None
    else:
        fitted, lin_ols = _ols_on_controls(delta_y, d, x)
        resid = delta_y - fitted
    eta_treat = np.mean(w_treat * resid) / np.mean(w_treat)
    eta_cont = np.mean(w_cont * resid) / np.mean(w_cont)
    inf_treat = w_treat * resid - w_treat * eta_treat
    inf_cont = w_cont * resid - w_cont * eta_cont
    inf_cont = inf_cont + lin_ps @ np.mean((w_cont * (resid - eta_cont))[:, None] * x, axis=0)
    if fitted is not None:
        inf_treat = inf_treat - lin_ols @ np.mean(w_treat[:, None] * x, axis=0)
        inf_cont = inf_cont - lin_ols @ np.mean(w_cont[:, None] * x, axis=0)
    psi = inf_treat / np.mean(w_treat) - inf_cont / np.mean(w_cont)
    return float(eta_treat - eta_cont), psi
