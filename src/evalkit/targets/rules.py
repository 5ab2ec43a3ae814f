"""How one indicator is judged: direction, 完成率 (two conventions), status, growth and progress class.

:func:`target_row` judges an indicator with a plan target, :func:`trend_row` one without. Both fill a row
made by :func:`blank_row` with the columns of :data:`ASSESSMENT_COLUMNS`; the formulas are written out in
:func:`evalkit.targets.assess`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from evalkit.targets.inputs import META_FIELDS, Observation, missing_note, text_or_none, value_at
from evalkit.targets.measures import (
    CONTEXT,
    MET,
    NEARLY_MET,
    NO_TARGET,
    NOT_ASSESSABLE,
    NOT_MET,
    Thresholds,
    at_least,
    cagr,
    classify_progress,
    classify_trend,
    is_nan,
)

__all__ = ["ASSESSMENT_COLUMNS", "Judgement", "blank_row", "status_of", "target_row", "trend_row"]

ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "region", "indicator", "name_zh", "name_en", "category", "category_zh", "category_en", "unit",
    "polarity", "plan", "binding", "target_type", "baseline_year", "baseline", "end_year", "actual",
    "target_year", "target", "target_low", "target_high", "met", "completion", "gap_closed",
    "status_basis", "moved_away", "status", "cagr_actual", "cagr_required", "annual_change",
    "annual_change_required", "growth_basis", "progress_ratio", "progress_class", "national_baseline",
    "national_actual", "national_cagr", "level_gap", "growth_gap", "reason", "note", "baseline_source",
    "baseline_status", "actual_source", "actual_status", "target_source", "national_source",
    "national_status",
)

_TEXT_FIELDS = ("plan", "binding", "target_type", "status_basis", "growth_basis", "progress_class", "reason",
                "note", "baseline_source", "baseline_status", "actual_source", "actual_status", "target_source",
                "national_source", "national_status")


@dataclass(frozen=True)
class Judgement:
    """How a target is read for one indicator.

    Attributes
    ----------
    direction : int
        +1 when the value should rise, −1 when it should fall, 0 for a two-sided range the baseline is inside.
    level : float
        The bound the value is measured against (the target, or the range bound on the indicator's side).
    two_sided : bool
        True for a range whose both bounds count (``range_rule="within"`` or no polarity).
    low, high : float
        The range bounds (NaN for one-sided targets).
    """

    direction: int
    level: float
    two_sided: bool
    low: float
    high: float

    @classmethod
    def of(cls, target_type: str, rule: str, polarity: int | None, baseline: float, target: float,
           low: float, high: float) -> Judgement:
        """Read the target: direction of the required change and the level measured against."""
        if target_type == "at_least":
            return cls(1, target, False, low, high)
        if target_type == "at_most":
            return cls(-1, target, False, low, high)
        if target_type == "reach":
            if is_nan(baseline) or baseline == target:
                return cls(polarity if polarity in (1, -1) else 1, target, False, low, high)
            return cls(1 if target > baseline else -1, target, False, low, high)
        if rule == "polarity" and polarity in (1, -1):
            return cls(polarity, low if polarity == 1 else high, False, low, high)
        if is_nan(baseline) or baseline < low:
            return cls(1, low, True, low, high)
        if baseline > high:
            return cls(-1, high, True, low, high)
        return cls(0, math.nan, True, low, high)

    def met(self, value: float) -> bool:
        """True when *value* satisfies the target."""
        if self.two_sided:
            return self.low <= value <= self.high
        return at_least(value, self.level) if self.direction == 1 else at_least(-value, -self.level)

    def distance(self, value: float) -> float:
        """How far *value* is from satisfying the target (0 when it does), in the indicator's unit."""
        if self.two_sided:
            return max(0.0, self.low - value, value - self.high)
        return max(0.0, self.direction * (self.level - value))

    def completion(self, value: float) -> float:
        """完成率 as a level ratio, oriented so that 1 means "just met" (NaN where a sign makes it meaningless)."""
        low, high = self.low, self.high
        if self.two_sided:
            if low <= value <= high:
                return 1.0
            if value < low:
                return value / low if low > 0 and value >= 0 else math.nan
            return high / value if value > 0 and high >= 0 else math.nan
        if self.direction == 1:
            return value / self.level if self.level > 0 and value >= 0 else math.nan
        return self.level / value if value > 0 and self.level >= 0 else math.nan

    def required_change(self, baseline: float) -> bool:
        """True when the target asks for a change from *baseline* (it was not already met then)."""
        return self.direction != 0 and self.direction * (self.level - baseline) > 0


def blank_row(region: str, code: str | None, info: dict, end_year: int) -> dict:
    """A row with every column of :data:`ASSESSMENT_COLUMNS` missing, the catalogue fields filled."""
    row = dict.fromkeys(ASSESSMENT_COLUMNS, math.nan)
    row.update(region=region, indicator=code, end_year=end_year, met=pd.NA, moved_away=pd.NA)
    for f in META_FIELDS:
        row[f] = text_or_none(info.get(f))
    for f in _TEXT_FIELDS:
        row[f] = None
    return row


def _not_assessable(row: dict, reason: str, note: str) -> dict:
    row.update(status=NOT_ASSESSABLE, reason=reason, note=note)
    return row


def status_of(*, met: bool, moved_away: object, score: float, th: Thresholds) -> str:
    """完成 when met; 未完成 when the indicator moved away from its target; else 基本完成 at ``score ≥ nearly_met``.

    Parameters
    ----------
    met : bool
        The target is satisfied at the end.
    moved_away : bool or NA
        The distance to the target grew over the period (NA when the baseline is unknown).
    score : float
        The measure that sets the status (share of the required change, or the level ratio).
    th : Thresholds
        ``th.nearly_met`` is the 基本完成 boundary.

    Returns
    -------
    str
    """
    if met:
        return MET
    if moved_away is True:
        return NOT_MET
    return NEARLY_MET if not is_nan(score) and at_least(score, th.nearly_met) else NOT_MET


def _observe(row: dict, trow: dict, series: pd.DataFrame | None, *, region: str, t0: int, end_year: int,
             interpolate: bool) -> tuple[Observation | None, Observation | None]:
    explicit = trow["region"] == region and not is_nan(trow["baseline"])
    base = (Observation(float(trow["baseline"]), f"targets table: {text_or_none(trow['source'])}", "reported")
            if explicit else value_at(series, t0, interpolate))
    end = value_at(series, end_year, interpolate)
    if base is not None:
        row.update(baseline=base.value, baseline_source=base.source, baseline_status=base.status)
    if end is not None:
        row.update(actual=end.value, actual_source=end.source, actual_status=end.status)
    return base, end


def _growth(row: dict, judgement: Judgement, *, t0: int, end_year: int, T: int, th: Thresholds,
            notes: list[str]) -> None:
    b, a, level = row["baseline"], row["actual"], judgement.level
    ya, yr = end_year - t0, T - t0
    row["cagr_actual"] = cagr(b, a, ya)
    row["annual_change"] = (a - b) / ya
    if not judgement.required_change(b):
        notes.append("target already met at baseline; no growth was required")
        row["progress_class"] = "significant" if row["met"] else "away"
        return
    row["gap_closed"] = (a - b) / (level - b)
    row["cagr_required"] = cagr(b, level, yr)
    row["annual_change_required"] = (level - b) / yr
    if b > 0 and a > 0 and level > 0:
        row["growth_basis"] = "cagr"
        row["progress_ratio"] = row["cagr_actual"] / row["cagr_required"]
    else:
        row["growth_basis"] = "absolute"
        row["progress_ratio"] = row["annual_change"] / row["annual_change_required"]
        notes.append("CAGR undefined for zero or negative values; absolute annual change used")
    row["progress_class"] = classify_progress(row["progress_ratio"], th)


def _score(row: dict, basis: str, notes: list[str]) -> float:
    """The measure that sets the status, with ``status_basis`` recorded on the row."""
    change, level = row["gap_closed"], row["completion"]
    if basis == "level":
        if is_nan(level) and not is_nan(change):
            notes.append("level ratio undefined for non-positive values; share of the required change used")
            row["status_basis"] = "change"
            return change
        row["status_basis"] = "level"
        return level
    if is_nan(change):  # no baseline, or no change required: only the level can be compared
        row["status_basis"] = "level"
        return level
    row["status_basis"] = "change"
    return change


def target_row(row: dict, trow: dict, *, series: pd.DataFrame | None, region: str, t0: int, end_year: int,
               interpolate: bool, rule: str, basis: str, th: Thresholds, polarity: int | None) -> dict:
    """Judge an indicator against its plan target (fills *row* and returns it).

    Parameters
    ----------
    row : dict
        From :func:`blank_row`.
    trow : dict
        The target row (from :func:`evalkit.targets.inputs.select_targets`).
    series : DataFrame or None
        The region's series of the indicator.
    region : str
        The region assessed.
    t0, end_year : int
        Baseline and end year.
    interpolate : bool
        Interpolate missing baseline or end values.
    rule : {"polarity", "within"}
        How a range target is read.
    basis : {"auto", "change", "level"}
        Which measure sets the status (see :func:`evalkit.targets.assess`).
    th : Thresholds
        Class boundaries.
    polarity : int or None
        Catalogue polarity.

    Returns
    -------
    dict
    """
    target_type = trow["target_type"]
    T = int(trow["target_year"]) if not is_nan(trow["target_year"]) else end_year
    row.update(plan=text_or_none(trow["plan"]), binding=text_or_none(trow["binding"]) or "unknown",
               target_type=target_type, baseline_year=t0, target_year=T, target=trow["target"],
               target_low=trow["target_low"], target_high=trow["target_high"],
               target_source=text_or_none(trow["source"]))
    for name in ("name_zh", "name_en"):  # a plan target without a series is named by the targets table
        if row[name] is None:
            row[name] = text_or_none(trow[name])
    if polarity is None:
        polarity = {"at_least": 1, "at_most": -1}.get(target_type)
    row["polarity"] = polarity
    if row["indicator"] is None:
        return _not_assessable(row, "no_series", "the plan target has no indicator series in the catalogue")
    if target_type != "range" and is_nan(trow["target"]):
        return _not_assessable(row, "no_target_value", "the targets table gives no numeric target")
    if not (t0 < end_year and t0 < T):
        return _not_assessable(
            row, "bad_years", f"baseline year {t0} must precede the end year {end_year} and target year {T}")
    if series is None:
        return _not_assessable(row, "no_data", "the panel has no values of this indicator for the region")
    base, end = _observe(row, trow, series, region=region, t0=t0, end_year=end_year, interpolate=interpolate)
    if end is None:
        return _not_assessable(row, "no_actual", missing_note(series, end_year, interpolate))
    if base is None and basis == "change":
        return _not_assessable(row, "no_baseline", missing_note(series, t0, interpolate))
    return _judge(row, trow, base is not None, t0=t0, end_year=end_year, T=T, rule=rule, basis=basis, th=th,
                  polarity=polarity, missing=None if base else missing_note(series, t0, interpolate))


def _judge(row: dict, trow: dict, has_baseline: bool, *, t0: int, end_year: int, T: int, rule: str, basis: str,
           th: Thresholds, polarity: int | None, missing: str | None) -> dict:
    target_type, a, b = trow["target_type"], row["actual"], row["baseline"]
    judgement = Judgement.of(target_type, rule, polarity, b, trow["target"], trow["target_low"],
                             trow["target_high"])
    notes = []
    if polarity is not None and polarity * judgement.direction < 0 and target_type in ("at_least", "at_most"):
        notes.append(f"target type {target_type} runs against the catalogue polarity {polarity:+d}")
    if target_type == "range":
        row["target"] = judgement.level
    row["met"] = bool(judgement.met(a))
    row["completion"] = judgement.completion(a)
    if has_baseline:
        row["moved_away"] = bool(judgement.distance(a) > judgement.distance(b) * (1 + 1e-9) + 1e-12)
        if row["moved_away"]:
            notes.append("the indicator moved away from its target over the period")
        _growth(row, judgement, t0=t0, end_year=end_year, T=T, th=th, notes=notes)
    else:
        row["reason"] = "no_baseline_level"
        notes.append(f"{missing}; status from the level ratio, direction of travel not checked")
    score = _score(row, basis, notes)
    row["status"] = status_of(met=row["met"], moved_away=row["moved_away"], score=score, th=th)
    row["note"] = "; ".join(notes) or None
    return row


def trend_row(row: dict, *, series: pd.DataFrame | None, t0: int, end_year: int, interpolate: bool,
              th: Thresholds, polarity: int | None) -> dict:
    """Judge an indicator without a plan target by its trend (Eurostat ±1 %/yr rule); fills and returns *row*.

    Parameters
    ----------
    row : dict
        From :func:`blank_row`.
    series : DataFrame or None
        The region's series of the indicator.
    t0, end_year : int
        Start and end year.
    interpolate : bool
        Interpolate missing start or end values.
    th : Thresholds
        Class boundaries.
    polarity : int or None
        Catalogue polarity (None: no class; 0: context indicator).

    Returns
    -------
    dict
    """
    row.update(baseline_year=t0, polarity=polarity, target_type=None)
    if series is None:
        return _not_assessable(row, "no_data", "the panel has no values of this indicator for the region")
    base, end = value_at(series, t0, interpolate), value_at(series, end_year, interpolate)
    if base is None:
        return _not_assessable(row, "no_baseline", missing_note(series, t0, interpolate))
    if end is None:
        return _not_assessable(row, "no_actual", missing_note(series, end_year, interpolate))
    b, a = base.value, end.value
    years = end_year - t0
    row.update(baseline=b, actual=a, baseline_source=base.source, baseline_status=base.status,
               actual_source=end.source, actual_status=end.status, status=NO_TARGET,
               cagr_actual=cagr(b, a, years), annual_change=(a - b) / years)
    if not is_nan(row["cagr_actual"]):
        row["growth_basis"], growth = "cagr", row["cagr_actual"]
    elif b != 0:
        row["growth_basis"], growth = "relative_change", row["annual_change"] / abs(b)
        row["note"] = "CAGR undefined for zero or negative values; annual change relative to |baseline| used"
    else:
        return _not_assessable(row, "zero_baseline", "growth is undefined from a zero baseline")
    if polarity is None:
        row["note"] = "the indicator has no polarity in the catalogue, so no trend class"
    elif polarity == 0:
        row["progress_class"] = CONTEXT
    else:
        row["progress_class"] = classify_trend(polarity * growth, th)
    return row
