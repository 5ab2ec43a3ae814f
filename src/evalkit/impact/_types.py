"""The option types of the impact estimators, defined once, and the checks of their numeric arguments.

Each ``Literal`` has a tuple of its values beside it (``CONTROLS`` for :data:`Control`, …) for
:func:`evalkit._shared.checks.check_choice`. ``alpha`` (1 − confidence level) keeps the name R ``did`` uses,
so that the arguments read as in the package evalkit reproduces; newer evalkit APIs say ``level``.
"""
from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from evalkit.errors import ParameterError

__all__ = [
    "AGG_KINDS",
    "BASE_PERIODS",
    "CONTROLS",
    "EST_METHODS",
    "FAMILIES",
    "SSC",
    "SSCS",
    "STATISTICS",
    "UNKNOWNS",
    "V_METHODS",
    "WEIGHTS",
    "AggKind",
    "BasePeriod",
    "Control",
    "EstMethod",
    "Family",
    "Statistic",
    "Unknown",
    "VMethod",
    "Weights",
    "check_alpha",
    "check_count",
]

#: comparison units: never treated, or never plus not-yet treated
Control = Literal["never", "notyet"]
#: two-period estimator: doubly robust, outcome regression, inverse probability weighting
EstMethod = Literal["dr", "reg", "ipw"]
#: aggregation of ATT(g,t)
AggKind = Literal["simple", "group", "dynamic", "calendar"]
#: base period of the pre-treatment cells
BasePeriod = Literal["varying", "universal"]
#: bootstrap multipliers
Weights = Literal["rademacher", "webb"]
#: statistic of the randomisation test
Statistic = Literal["att", "twfe"]
#: small-sample convention of the cluster-robust SEs
SSC = Literal["fixest", "statsmodels"]
#: model family of the interrupted time series
Family = Literal["ols", "poisson", "quasipoisson"]
#: how cities without a confirmed pilot year are treated
Unknown = Literal["exclude", "never"]
#: how the synthetic control chooses its predictor importances V
VMethod = Literal["optimised", "cv"]

CONTROLS: tuple[str, ...] = get_args(Control)
EST_METHODS: tuple[str, ...] = get_args(EstMethod)
AGG_KINDS: tuple[str, ...] = get_args(AggKind)
BASE_PERIODS: tuple[str, ...] = get_args(BasePeriod)
WEIGHTS: tuple[str, ...] = get_args(Weights)
STATISTICS: tuple[str, ...] = get_args(Statistic)
SSCS: tuple[str, ...] = get_args(SSC)
FAMILIES: tuple[str, ...] = get_args(Family)
UNKNOWNS: tuple[str, ...] = get_args(Unknown)
V_METHODS: tuple[str, ...] = get_args(VMethod)


def check_alpha(alpha: object) -> float:
    """Return *alpha* as a float if it lies strictly between 0 and 1; otherwise raise :class:`ParameterError`."""
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}: expected a number between 0 and 1, e.g. 0.05 for 95% intervals")
    return float(alpha)


def check_count(name: str, value: object, minimum: int, *, hint: str = "") -> int:
    """Return *value* if it is a whole number ≥ *minimum*; otherwise raise :class:`ParameterError` naming *name*."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name}={value!r}: expected a whole number ≥ {minimum}{hint}")
    return int(value)
