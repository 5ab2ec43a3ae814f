"""The measures of plan-target evaluation: statuses, progress classes, thresholds, growth rates.

Everything here is a formula on numbers; where the numbers come from is :mod:`evalkit.targets.inputs`,
how a row is judged is :mod:`evalkit.targets.rules`.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

from evalkit._shared.codes import NATION
from evalkit.errors import ParameterError

__all__ = [
    "BASES",
    "CONTEXT",
    "MET",
    "NATION",
    "NEARLY_MET",
    "NOT_ASSESSABLE",
    "NOT_MET",
    "NO_TARGET",
    "STATUSES",
    "STATUS_KEYS",
    "TARGET_CLASSES",
    "TARGET_TYPES",
    "TREND_CLASSES",
    "Basis",
    "TargetType",
    "Thresholds",
    "at_least",
    "cagr",
    "classify_progress",
    "classify_trend",
    "is_nan",
]

TargetType = Literal["at_least", "at_most", "range", "reach"]
TARGET_TYPES: tuple[str, ...] = ("at_least", "at_most", "range", "reach")

MET = "完成"
NEARLY_MET = "基本完成"
NOT_MET = "未完成"
NOT_ASSESSABLE = "不可评估"
NO_TARGET = "无目标"
STATUSES: tuple[str, ...] = (MET, NEARLY_MET, NOT_MET, NOT_ASSESSABLE, NO_TARGET)
#: catalogue key of each status (``targets.label.<key>``)
STATUS_KEYS: dict[str, str] = {MET: "met", NEARLY_MET: "nearly_met", NOT_MET: "not_met",
                               NOT_ASSESSABLE: "not_assessable", NO_TARGET: "no_target"}

TARGET_CLASSES: tuple[str, ...] = ("significant", "moderate", "insufficient", "away")
TREND_CLASSES: tuple[str, ...] = (
    "significant_progress", "moderate_progress", "moderate_away", "significant_away",
)
CONTEXT = "context"

#: which completion measure sets the status: the share of the required change, or the level ratio
Basis = Literal["auto", "change", "level"]
BASES: tuple[str, ...] = ("auto", "change", "level")

# Boundaries are compared with this relative slack so that a figure that is exactly on a threshold
# when computed by hand (27/30 = 90 %) is not pushed below it by binary rounding.
_REL_TOL = 1e-9


@dataclass(frozen=True)
class Thresholds:
    """Boundaries of the status and progress classes.

    Parameters
    ----------
    nearly_met : float
        A target that is not met is 基本完成 when the measure that sets the status (the share of the
        required change, or the level ratio) is at least this (default 0.90).
    significant, moderate, insufficient : float
        Eurostat classes for indicators with a target, on the ratio of actual to required growth:
        ``ratio ≥ significant`` → significant progress, ``moderate ≤ ratio < significant`` →
        moderate, ``insufficient ≤ ratio < moderate`` → insufficient, below → movement away.
    trend_progress, trend_away : float
        Eurostat classes for indicators without a target, on the polarity-signed annual growth g:
        ``g > trend_progress`` → significant progress, ``0 ≤ g ≤ trend_progress`` → moderate
        progress, ``trend_away ≤ g < 0`` → moderate movement away, ``g < trend_away`` → significant
        movement away. Set ``trend_away=0`` to merge the two "away" classes, as some editions do.
    """

    nearly_met: float = 0.90
    significant: float = 0.95
    moderate: float = 0.60
    insufficient: float = 0.0
    trend_progress: float = 0.01
    trend_away: float = -0.01

    def __post_init__(self) -> None:
        """Check that every boundary is a finite number and the boundaries are ordered."""
        for name, value in asdict(self).items():
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ParameterError(f"Thresholds.{name} must be a finite number, got {value!r}")
        if not 0 < self.nearly_met <= 1:
            raise ParameterError(
                f"Thresholds.nearly_met must be in (0, 1], got {self.nearly_met!r}; "
                "it is the completion at or above which an unmet target counts as 基本完成 (e.g. 0.9)")
        if not self.significant >= self.moderate >= self.insufficient:
            raise ParameterError(
                "Thresholds must satisfy significant ≥ moderate ≥ insufficient, got "
                f"{self.significant!r}, {self.moderate!r}, {self.insufficient!r}")
        if not self.trend_progress >= 0 >= self.trend_away:
            raise ParameterError(
                "Thresholds must satisfy trend_progress ≥ 0 ≥ trend_away, got "
                f"{self.trend_progress!r}, {self.trend_away!r} (Eurostat uses 0.01 and -0.01)")


def at_least(value: float, bound: float) -> bool:
    """``value ≥ bound`` with a relative slack of 1e-9, so a figure exactly on a threshold counts."""
    return value >= bound - _REL_TOL * max(1.0, abs(bound))


def is_nan(value: object) -> bool:
    """True for ``None`` and float NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate from *start* to *end* over *years* years.

    Returns NaN when either value is zero or negative: the rate is undefined there, and
    :func:`evalkit.targets.assess` then falls back to the absolute annual change.

    Parameters
    ----------
    start, end : float
        Values at the start and the end of the period.
    years : float
        Length of the period (positive).

    Returns
    -------
    float

    Notes
    -----
    .. math:: \\mathrm{CAGR} = (y_{end} / y_{start})^{1/years} - 1
    """
    if not years > 0:
        raise ParameterError(f"years must be positive, got {years!r}; the end year must follow the start year")
    if is_nan(start) or is_nan(end) or start <= 0 or end <= 0:
        return math.nan
    return (end / start) ** (1.0 / years) - 1.0


def classify_progress(ratio: float, thresholds: Thresholds | None = None) -> str | None:
    """Eurostat class of an indicator with a target, from the ratio of actual to required growth.

    Parameters
    ----------
    ratio : float
        Actual over required growth.
    thresholds : Thresholds, optional
        Class boundaries (default :class:`Thresholds`).

    Returns
    -------
    str or None
        One of :data:`TARGET_CLASSES`, or ``None`` for NaN.
    """
    th = thresholds or Thresholds()
    if is_nan(ratio):
        return None
    if at_least(ratio, th.significant):
        return "significant"
    if at_least(ratio, th.moderate):
        return "moderate"
    if at_least(ratio, th.insufficient):
        return "insufficient"
    return "away"


def classify_trend(signed_growth: float, thresholds: Thresholds | None = None) -> str | None:
    """Eurostat class of an indicator without a target, from its polarity-signed annual growth.

    Parameters
    ----------
    signed_growth : float
        The annual growth multiplied by the polarity (so that a fall of an indicator where lower
        is better counts as progress).
    thresholds : Thresholds, optional
        Class boundaries (default :class:`Thresholds`).

    Returns
    -------
    str or None
        One of :data:`TREND_CLASSES`, or ``None`` for NaN.
    """
    th = thresholds or Thresholds()
    if is_nan(signed_growth):
        return None
    if signed_growth > th.trend_progress * (1 + _REL_TOL):
        return "significant_progress"
    if at_least(signed_growth, 0.0):
        return "moderate_progress"
    if at_least(signed_growth, th.trend_away):
        return "moderate_away"
    return "significant_away"
