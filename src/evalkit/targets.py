"""Plan targets: completion, required versus actual growth, progress classes and status.

The 十三五 evaluation asks four questions about every plan indicator of a region: where did it start
(the baseline year, normally 2015), where did it end (2020), was the target met, and was the path fast
enough. :func:`assess` answers them in one table, one row per indicator. :func:`compare_national`
sets a region beside the national series, :func:`compare_peers` sets a city beside the other cities
of its province, and :func:`narrative` turns an assessment into short templated text per category.

Two families of measures are reported side by side:

* the Chinese plan-evaluation measures — 完成率 (completion, the level of the end value relative to
  the target), 进度 (the share of the planned change achieved) and the status 完成 / 基本完成 / 未完成;
* the Eurostat SDG progress classes — the ratio of actual to required compound annual growth for
  indicators with a quantified target, and the ±1 %/yr trend rule for indicators without one.

Method reference
----------------
Eurostat, *Sustainable development in the European Union — Monitoring report on progress towards
the SDGs in an EU context*, 2023 edition (the seventh), Introduction and annex "Methodological notes:
assessment of indicator trends"; summarised in the Statistics Explained article "Overview of status
and progress of EU Member States towards the SDGs" (data extracted April 2023). The edition and
article identity were checked in the stored copy of that Statistics Explained page; its method
section was not readable there, so the thresholds below (≥95 % / 60–95 % / 0–60 % / <0 for targets,
±1 %/yr for trends) follow the project's methods reference (``shared/research/methods_reference.md``
§2, flagged there as recalled from the 2019–2024 editions). Every threshold is a parameter
(:class:`Thresholds`) so a reader who has the annex at hand can set it to the letter.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evalkit.errors import (
    ColumnError,
    DataShapeError,
    ParameterError,
    Problem,
    ValueFormatError,
    raise_problems,
)

__all__ = [
    "ASSESSMENT_COLUMNS",
    "CONTEXT",
    "MET",
    "NATION",
    "NEARLY_MET",
    "NOT_ASSESSABLE",
    "NOT_MET",
    "NO_TARGET",
    "STATUSES",
    "TARGET_CLASSES",
    "TARGET_TYPES",
    "TREND_CLASSES",
    "PeerComparison",
    "Thresholds",
    "assess",
    "cagr",
    "classify_progress",
    "classify_trend",
    "compare_national",
    "compare_peers",
    "display_table",
    "export_excel",
    "label",
    "method_note",
    "narrative",
    "national_table",
    "peer_regions",
    "peer_table",
    "required_path",
    "status_counts",
    "style_status",
    "target_text",
    "traffic_lights",
]

TargetType = Literal["at_least", "at_most", "range", "reach"]
TARGET_TYPES: tuple[str, ...] = ("at_least", "at_most", "range", "reach")

MET = "完成"
NEARLY_MET = "基本完成"
NOT_MET = "未完成"
NOT_ASSESSABLE = "不可评估"
NO_TARGET = "无目标"
STATUSES: tuple[str, ...] = (MET, NEARLY_MET, NOT_MET, NOT_ASSESSABLE, NO_TARGET)

TARGET_CLASSES: tuple[str, ...] = ("significant", "moderate", "insufficient", "away")
TREND_CLASSES: tuple[str, ...] = (
    "significant_progress", "moderate_progress", "moderate_away", "significant_away",
)
CONTEXT = "context"
NATION = "000000"

# Boundaries are compared with this relative slack so that a figure that is exactly on a threshold
# when computed by hand (27/30 = 90 %) is not pushed below it by binary rounding.
_REL_TOL = 1e-9

ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "region", "indicator", "name_zh", "name_en", "category", "category_zh", "category_en", "unit",
    "polarity", "plan", "binding", "target_type", "baseline_year", "baseline", "end_year", "actual",
    "target_year", "target", "target_low", "target_high", "met", "completion", "gap_closed",
    "status", "cagr_actual", "cagr_required", "annual_change", "annual_change_required",
    "growth_basis", "progress_ratio", "progress_class", "national_baseline", "national_actual",
    "national_cagr", "level_gap", "growth_gap", "reason", "note", "baseline_source",
    "baseline_status", "actual_source", "actual_status", "target_source", "national_source",
    "national_status",
)

_PANEL_COLUMNS = ("region", "year", "indicator", "value")
_TARGET_REQUIRED = ("indicator", "region", "target_type")
_TARGET_OPTIONAL = (
    "plan", "name_zh", "baseline_year", "baseline", "target_year", "target", "target_low",
    "target_high", "binding", "source",
)
_META_FIELDS = ("name_zh", "name_en", "category", "category_zh", "category_en", "unit")


@dataclass(frozen=True)
class Thresholds:
    """Boundaries of the status and progress classes.

    Parameters
    ----------
    nearly_met : float
        A target that is not met is 基本完成 when its completion is at least this (default 0.90).
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


def _at_least(value: float, bound: float) -> bool:
    return value >= bound - _REL_TOL * max(1.0, abs(bound))


def _isnan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate from *start* to *end* over *years* years.

    Returns NaN when either value is zero or negative: the rate is undefined there, and
    :func:`assess` then falls back to the absolute annual change.

    Notes
    -----
    .. math:: \\mathrm{CAGR} = (y_{end} / y_{start})^{1/years} - 1
    """
    if not years > 0:
        raise ParameterError(f"years must be positive, got {years!r}; the end year must follow the start year")
    if _isnan(start) or _isnan(end) or start <= 0 or end <= 0:
        return math.nan
    return (end / start) ** (1.0 / years) - 1.0


def classify_progress(ratio: float, thresholds: Thresholds | None = None) -> str | None:
    """Eurostat class of an indicator with a target, from the ratio of actual to required growth.

    Returns one of :data:`TARGET_CLASSES`, or ``None`` for NaN.
    """
    th = thresholds or Thresholds()
    if _isnan(ratio):
        return None
    if _at_least(ratio, th.significant):
        return "significant"
    if _at_least(ratio, th.moderate):
        return "moderate"
    if _at_least(ratio, th.insufficient):
        return "insufficient"
    return "away"


def classify_trend(signed_growth: float, thresholds: Thresholds | None = None) -> str | None:
    """Eurostat class of an indicator without a target, from its polarity-signed annual growth.

    *signed_growth* is the annual growth multiplied by the polarity (so that a fall of an indicator
    where lower is better counts as progress). Returns one of :data:`TREND_CLASSES`, or ``None``.
    """
    th = thresholds or Thresholds()
    if _isnan(signed_growth):
        return None
    if signed_growth > th.trend_progress * (1 + _REL_TOL):
        return "significant_progress"
    if _at_least(signed_growth, 0.0):
        return "moderate_progress"
    if _at_least(signed_growth, th.trend_away):
        return "moderate_away"
    return "significant_away"


# --------------------------------------------------------------------------------------------------
# inputs


def _codes(values: pd.Series) -> pd.Series:
    """Region codes as 6-digit text: a CSV read without dtype turns '000000' into 0."""
    text = values.astype("string").str.strip()
    digits = text.str.fullmatch(r"\d{1,6}").fillna(False).astype(bool)
    return text.where(~digits, text.str.zfill(6))


def _prepare_panel(panel: pd.DataFrame, *, name: str = "panel") -> pd.DataFrame:
    if not isinstance(panel, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame (a tidy panel), got {type(panel).__name__}")
    missing = [c for c in _PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise ColumnError(
            [Problem(f"{name} has no column {c!r}", column=c,
                     fix="pass a tidy panel with columns region, year, indicator, value "
                         "(evalkit.io.read_panel returns one)") for c in missing])
    out = pd.DataFrame({
        "region": _codes(panel["region"]),
        "year": pd.to_numeric(panel["year"], errors="coerce"),
        "indicator": panel["indicator"].astype("string").str.strip(),
        "value": pd.to_numeric(panel["value"], errors="coerce"),
        "source": panel["source"].astype("string") if "source" in panel else pd.NA,
        "status": panel["status"].astype("string") if "status" in panel else pd.NA,
    })
    not_numbers = out["value"].isna() & panel["value"].notna().to_numpy()
    if not_numbers.any():
        i = int(np.flatnonzero(not_numbers.to_numpy())[0])
        raise DataShapeError(
            f"{name} column 'value' must hold numbers; row {i} has {panel['value'].iloc[i]!r}. "
            "Fix: read the file with evalkit.io.read_panel, which converts or rejects such cells.")
    bad_year = out["year"].isna() | (out["year"] != out["year"].round())
    if bad_year.any():
        i = int(np.flatnonzero(bad_year.to_numpy())[0])
        raise DataShapeError(
            f"{name} column 'year' must hold whole years; row {i} has {panel['year'].iloc[i]!r}. "
            "Fix: clean the panel with evalkit.io.read_panel first.")
    out["year"] = out["year"].astype(int)
    out = out.dropna(subset=["value"])
    dup = out.duplicated(["region", "year", "indicator"], keep=False)
    if dup.any():
        first = out.loc[dup].iloc[0]
        raise DataShapeError(
            f"{name} has {int(dup.sum())} rows sharing a (region, year, indicator), e.g. "
            f"({first['region']}, {first['year']}, {first['indicator']}); keep one value per key "
            "(evalkit.io.read_panel reports duplicates with their file rows)")
    return out


def _prepare_targets(targets: pd.DataFrame, plan: str | None) -> pd.DataFrame:
    if not isinstance(targets, pd.DataFrame):
        raise ParameterError(f"targets must be a pandas DataFrame, got {type(targets).__name__}")
    missing = [c for c in _TARGET_REQUIRED if c not in targets.columns]
    if missing:
        raise ColumnError(
            [Problem(f"targets has no column {c!r}", column=c,
                     fix="use the layout of data/reference/targets.csv "
                         "(plan, indicator, region, target_type, target, target_low, target_high, …)")
             for c in missing])
    t = targets.copy()
    for c in _TARGET_OPTIONAL:
        if c not in t.columns:
            t[c] = pd.NA
    t["file_row"] = np.arange(len(t)) + 2  # spreadsheet row: header is row 1
    t["region"] = _codes(t["region"])
    t["indicator"] = t["indicator"].astype("string").str.strip().replace("", pd.NA)
    t["target_type"] = t["target_type"].astype("string").str.strip()
    for c in ("baseline_year", "baseline", "target_year", "target", "target_low", "target_high"):
        t[c] = pd.to_numeric(t[c], errors="coerce")
    problems = []
    for rec in t.itertuples(index=False):
        if rec.region is pd.NA:
            problems.append(Problem(
                "region is empty", row=rec.file_row, column="region",
                fix="write a 6-digit region code, or * for a target that applies to every region",
                kind=ValueFormatError))
        if rec.target_type is pd.NA or rec.target_type not in TARGET_TYPES:
            problems.append(Problem(
                "unknown target_type", row=rec.file_row, column="target_type", value=rec.target_type,
                fix=f"use one of {', '.join(TARGET_TYPES)}", kind=ValueFormatError))
        elif rec.target_type == "range" and not (rec.target_low <= rec.target_high):
            problems.append(Problem(
                "a range target needs target_low ≤ target_high", row=rec.file_row, column="target_low",
                value=(None if _isnan(rec.target_low) else rec.target_low,
                       None if _isnan(rec.target_high) else rec.target_high),
                fix="fill both bounds, e.g. 35 and 40 for 35~40", kind=ValueFormatError))
    raise_problems(problems, path="targets")
    if plan is not None:
        plans = sorted(str(p) for p in t["plan"].dropna().unique())
        t = t[t["plan"].astype("string").eq(plan).fillna(False).astype(bool)]
        if t.empty:
            raise ParameterError(f"plan={plan!r} has no rows in targets; plans present: {plans}")
    return t


def _select_targets(t: pd.DataFrame, region: str) -> pd.DataFrame:
    """Rows that apply to *region*: its own rows, and ``*`` rows of a plan and indicator it has no own row for."""
    own = t[t["region"].eq(region).fillna(False).astype(bool)]
    generic = t[t["region"].eq("*").fillna(False).astype(bool)]
    coded_own = own[own["indicator"].notna()]
    own_keys = set(zip(coded_own["plan"].astype("string").fillna(""), coded_own["indicator"]))
    keys = zip(generic["plan"].astype("string").fillna(""), generic["indicator"].fillna(""))
    overridden = [k in own_keys for k in keys]
    generic = generic[~pd.Series(overridden, index=generic.index, dtype=bool)]
    chosen = pd.concat([own, generic]).sort_values("file_row", kind="stable")
    coded = chosen[chosen["indicator"].notna()]
    dup = coded["indicator"].duplicated(keep=False)
    if dup.any():
        code = coded.loc[dup, "indicator"].iloc[0]
        rows = coded.loc[coded["indicator"] == code, "file_row"].tolist()
        raise DataShapeError(
            f"targets has {len(rows)} rows for indicator {code!r} applying to region {region} "
            f"(rows {rows}); keep one per plan and region, or pass plan= to choose the plan")
    return chosen


def _meta_lookup(meta: pd.DataFrame | None) -> dict[str, dict]:
    if meta is None:
        return {}
    if not isinstance(meta, pd.DataFrame) or ("code" not in meta.columns and meta.index.name != "code"):
        raise ParameterError(
            "meta must be the indicator catalogue (a DataFrame with a 'code' column, e.g. "
            "evalkit.io.read_reference('indicators'))")
    m = meta.reset_index(drop=True) if "code" in meta.columns else meta.reset_index()
    return {str(r["code"]): r for r in m.to_dict("records")}


def _polarity(info: dict) -> int | None:
    p = info.get("polarity")
    if _isnan(p) or p is pd.NA:
        return None
    p = int(p)
    if p not in (-1, 0, 1):
        raise ParameterError(f"polarity of indicator {info.get('code')!r} must be -1, 0 or 1, got {p}")
    return p


# --------------------------------------------------------------------------------------------------
# values at a year


@dataclass(frozen=True)
class _Obs:
    value: float
    source: str | None
    status: str | None


def _series(panel: pd.DataFrame, region: str) -> dict[str, pd.DataFrame]:
    sub = panel[panel["region"] == region]
    return {code: g.set_index("year").sort_index() for code, g in sub.groupby("indicator", sort=False)}


def _value_at(series: pd.DataFrame | None, year: int, interpolate: bool) -> _Obs | None:
    """The value in *year*; with *interpolate*, a straight line between the nearest years on each side."""
    if series is None or series.empty:
        return None
    if year in series.index:
        row = series.loc[year]
        return _Obs(float(row["value"]), _text(row["source"]), _text(row["status"]))
    if not interpolate:
        return None
    before = series.index[series.index < year]
    after = series.index[series.index > year]
    if before.empty or after.empty:
        return None
    y0, y1 = int(before.max()), int(after.min())
    v0, v1 = float(series.loc[y0, "value"]), float(series.loc[y1, "value"])
    value = v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return _Obs(value, f"linear interpolation between {y0} and {y1}", "derived")


def _text(value: object) -> str | None:
    return None if value is None or value is pd.NA or _isnan(value) else str(value)


# --------------------------------------------------------------------------------------------------
# one row


def _blank(region: str, code: str | None, info: dict, end_year: int) -> dict:
    row = dict.fromkeys(ASSESSMENT_COLUMNS, math.nan)
    row.update(region=region, indicator=code, end_year=end_year, met=pd.NA)
    for f in _META_FIELDS:
        row[f] = _text(info.get(f))
    for f in ("plan", "binding", "target_type", "growth_basis", "progress_class", "reason", "note",
              "baseline_source", "baseline_status", "actual_source", "actual_status", "target_source",
              "national_source", "national_status"):
        row[f] = None
    return row


def _not_assessable(row: dict, reason: str, note: str) -> dict:
    row.update(status=NOT_ASSESSABLE, reason=reason, note=note)
    return row


def _direction(target_type: str, rule: str, polarity: int | None, baseline: float,
               target: float, low: float, high: float) -> tuple[int, float, bool]:
    """(desired direction, level measured against, whether the target is two-sided)."""
    if target_type == "at_least":
        return 1, target, False
    if target_type == "at_most":
        return -1, target, False
    if target_type == "reach":
        if baseline != target:
            return (1 if target > baseline else -1), target, False
        return (polarity if polarity in (1, -1) else 1), target, False
    if rule == "polarity" and polarity == 1:
        return 1, low, False
    if rule == "polarity" and polarity == -1:
        return -1, high, False
    if baseline < low:
        return 1, low, True
    if baseline > high:
        return -1, high, True
    return 0, math.nan, True


def _level_completion(actual: float, direction: int, level: float, two_sided: bool,
                      low: float, high: float) -> float:
    """完成率: the end value relative to the target, oriented so that 1 means "just met"."""
    if two_sided:
        if low <= actual <= high:
            return 1.0
        if actual < low:
            return actual / low if low > 0 and actual >= 0 else math.nan
        return high / actual if actual > 0 and high >= 0 else math.nan
    if direction == 1:
        return actual / level if level > 0 and actual >= 0 else math.nan
    return level / actual if actual > 0 and level >= 0 else math.nan


def _target_row(row: dict, trow: dict, *, series: pd.DataFrame | None, region: str, t0: int,
                end_year: int, interpolate: bool, rule: str, basis: str, th: Thresholds,
                polarity: int | None) -> dict:
    target_type = trow["target_type"]
    T = int(trow["target_year"]) if not _isnan(trow["target_year"]) else end_year
    target, low, high = trow["target"], trow["target_low"], trow["target_high"]
    row.update(plan=_text(trow["plan"]), binding=_text(trow["binding"]) or "unknown",
               target_type=target_type, baseline_year=t0, target_year=T, target=target,
               target_low=low, target_high=high, target_source=_text(trow["source"]))
    if row["name_zh"] is None:
        row["name_zh"] = _text(trow["name_zh"])
    if polarity is None:
        polarity = {"at_least": 1, "at_most": -1}.get(target_type)
    row["polarity"] = polarity
    if row["indicator"] is None:
        return _not_assessable(row, "no_series", "the plan target has no indicator series in the catalogue")
    if target_type != "range" and _isnan(target):
        return _not_assessable(row, "no_target_value", "the targets table gives no numeric target")
    if not (t0 < end_year and t0 < T):
        return _not_assessable(
            row, "bad_years", f"baseline year {t0} must precede the end year {end_year} and target year {T}")

    if series is None:
        return _not_assessable(row, "no_data", "the panel has no values of this indicator for the region")
    explicit = trow["region"] == region and not _isnan(trow["baseline"])
    base = (_Obs(float(trow["baseline"]), f"targets table: {_text(trow['source'])}", "reported")
            if explicit else _value_at(series, t0, interpolate))
    end = _value_at(series, end_year, interpolate)
    if base is None:
        return _not_assessable(row, "no_baseline", _missing_note(series, t0, interpolate))
    if end is None:
        return _not_assessable(row, "no_actual", _missing_note(series, end_year, interpolate))
    b, a = base.value, end.value
    row.update(baseline=b, actual=a, baseline_source=base.source, baseline_status=base.status,
               actual_source=end.source, actual_status=end.status)

    direction, level, two_sided = _direction(target_type, rule, polarity, b, target, low, high)
    notes = []
    if polarity is not None and polarity * direction < 0 and target_type in ("at_least", "at_most"):
        notes.append(f"target type {target_type} runs against the catalogue polarity {polarity:+d}")
    row["target"] = level if target_type == "range" else target

    if two_sided:
        met = low <= a <= high
    elif direction == 1:
        met = _at_least(a, level)
    else:
        met = _at_least(-a, -level)
    row["met"] = bool(met)
    row["completion"] = _level_completion(a, direction, level, two_sided, low, high)

    ya, yr = end_year - t0, T - t0
    row["cagr_actual"] = cagr(b, a, ya)
    row["annual_change"] = (a - b) / ya
    already_met = direction == 0 or direction * (level - b) <= 0
    if already_met:
        notes.append("target already met at baseline; no growth was required")
        row["progress_class"] = "significant" if met else "away"
    else:
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

    score = row["gap_closed"] if basis == "gap" else row["completion"]
    if basis == "level" and _isnan(score) and not already_met:
        score = row["gap_closed"]
        notes.append("level completion undefined for non-positive values; share of planned change used")
    if met:
        row["status"] = MET
    elif not _isnan(score) and _at_least(score, th.nearly_met):
        row["status"] = NEARLY_MET
    else:
        row["status"] = NOT_MET
    row["note"] = "; ".join(notes) or None
    return row


def _trend_row(row: dict, *, series: pd.DataFrame | None, t0: int, end_year: int,
               interpolate: bool, th: Thresholds, polarity: int | None) -> dict:
    row.update(baseline_year=t0, polarity=polarity, target_type=None)
    if series is None:
        return _not_assessable(row, "no_data", "the panel has no values of this indicator for the region")
    base, end = _value_at(series, t0, interpolate), _value_at(series, end_year, interpolate)
    if base is None:
        return _not_assessable(row, "no_baseline", _missing_note(series, t0, interpolate))
    if end is None:
        return _not_assessable(row, "no_actual", _missing_note(series, end_year, interpolate))
    b, a = base.value, end.value
    years = end_year - t0
    row.update(baseline=b, actual=a, baseline_source=base.source, baseline_status=base.status,
               actual_source=end.source, actual_status=end.status, status=NO_TARGET,
               cagr_actual=cagr(b, a, years), annual_change=(a - b) / years)
    if not _isnan(row["cagr_actual"]):
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


def _missing_note(series: pd.DataFrame | None, year: int, interpolate: bool) -> str:
    have = [] if series is None else [int(y) for y in series.index]
    years = f"years present: {have[0]}–{have[-1]} ({len(have)})" if have else "no years present"
    how = "nor could it be interpolated" if interpolate else "interpolation was not requested (interpolate=True)"
    return f"no value for {year}, {how}; {years}"


# --------------------------------------------------------------------------------------------------
# public


def assess(
    panel: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    region: str,
    end_year: int = 2020,
    indicators: Sequence[str] | None = None,
    plan: str | None = None,
    meta: pd.DataFrame | None = None,
    start_year: int | None = None,
    national: str | pd.DataFrame | None = NATION,
    interpolate: bool = False,
    thresholds: Thresholds | None = None,
    basis: Literal["level", "gap"] = "level",
    range_rule: Literal["polarity", "within"] = "polarity",
) -> pd.DataFrame:
    """Assess a region's indicators against plan targets: completion, status, growth and progress.

    Parameters
    ----------
    panel : DataFrame
        Tidy panel (``region``, ``year``, ``indicator``, ``value``, optional ``source``, ``status``).
    targets : DataFrame
        Targets table in the layout of ``data/reference/targets.csv``.
    region : str
        6-digit region code to assess, e.g. ``"210000"``.
    end_year : int
        Year of the actual value (2020 for the end of the 13th plan; earlier for a mid-term review).
    indicators : sequence of str, optional
        Catalogue codes to assess. Default: every indicator with a target for the region (including
        plan targets with no series, reported "not assessable: no series") plus the region's other
        panel indicators marked ``in_assessment`` in *meta* (all of them without *meta*), which get
        the trend rule.
    plan : str, optional
        Keep only target rows of this plan (e.g. ``"13th"``). Needed when the table holds several
        plans that target the same indicator.
    meta : DataFrame, optional
        Indicator catalogue (``evalkit.io.read_reference("indicators")``): names, category, unit and
        polarity. Without it, polarity comes from the target type (at_least → +1, at_most → −1).
    start_year : int, optional
        Baseline year for target rows that give none and for indicators without target
        (default ``end_year - 5``).
    national : str or DataFrame or None
        Where the national series is: a region code in *panel* (default ``"000000"``), a separate
        panel, or ``None`` to skip the comparison.
    interpolate : bool
        Fill a missing baseline or end value by linear interpolation between the nearest observed
        years on each side (never extrapolated). Off by default: a missing value makes the row
        "not assessable" with the reason.
    thresholds : Thresholds, optional
        Status and progress-class boundaries.
    basis : {"level", "gap"}
        Which completion measure decides 基本完成: the level ratio (``completion``, default) or the
        share of the planned change achieved (``gap_closed``).
    range_rule : {"polarity", "within"}
        For range targets: ``"polarity"`` (default) treats a range of a higher-is-better indicator
        as "at least the lower bound" (35–40 beds: 42 counts as met) and of a lower-is-better one
        as "at most the upper bound"; ``"within"`` requires the value inside the range.

    Returns
    -------
    DataFrame
        One row per indicator with the columns :data:`ASSESSMENT_COLUMNS`. ``status`` is one of
        :data:`STATUSES`; ``progress_class`` one of :data:`TARGET_CLASSES` (rows with a target),
        :data:`TREND_CLASSES` (rows without), ``"context"`` (polarity 0) or missing. Rows that
        cannot be assessed carry ``reason`` (``no_series``, ``no_data``, ``no_baseline``,
        ``no_actual``, ``no_target_value``, ``bad_years``, ``zero_baseline``) and a ``note``.

    Notes
    -----
    Let :math:`b` be the baseline value in year :math:`t_0`, :math:`a` the actual value in year
    :math:`t` (*end_year*), :math:`x^*` the target for year :math:`T`.

    The baseline is the targets table's ``baseline`` only on a row written for this very region
    (a ``*`` row's baseline would be another region's fact); otherwise the panel value in
    ``baseline_year``.

    **Direction and met.** at_least: met when :math:`a \\ge x^*`; at_most: :math:`a \\le x^*`;
    reach: the direction from :math:`b` toward :math:`x^*` (polarity if they are equal), met once
    :math:`a` is on or past :math:`x^*`; range :math:`[L, H]`: see *range_rule* — two-sided ranges
    are met when :math:`L \\le a \\le H` and measured against the bound on the baseline's side.

    **完成率 (completion)**, oriented so that 1 means "just met":

    * at_least, reach upward, range from below: :math:`a / x^*`;
    * at_most, reach downward, range from above: :math:`x^* / a`;
    * two-sided range: 1 inside :math:`[L, H]`, :math:`a/L` below, :math:`H/a` above.

    The level ratio needs :math:`x^* > 0` (or :math:`a > 0` for the inverse ratio); otherwise it is
    missing and the status falls back to the share of the planned change.

    **Share of the planned change** (``gap_closed``): :math:`(a - b) / (x^* - b)`.

    **Status**: 完成 when met; 基本完成 when not met but completion ≥ ``thresholds.nearly_met``;
    未完成 otherwise.

    **Growth** (Eurostat): :math:`\\mathrm{CAGR}_a = (a/b)^{1/(t-t_0)} - 1`,
    :math:`\\mathrm{CAGR}_r = (x^*/b)^{1/(T-t_0)} - 1`, progress ratio
    :math:`\\mathrm{CAGR}_a / \\mathrm{CAGR}_r`, classed by :func:`classify_progress`. A decreasing
    target makes both rates negative, so the ratio is positive when the indicator falls. When
    :math:`b`, :math:`a` or :math:`x^*` is zero or negative the CAGR is undefined and the ratio is
    :math:`\\frac{(a-b)/(t-t_0)}{(x^*-b)/(T-t_0)}` (``growth_basis="absolute"``). A target already
    met at baseline needs no growth: the ratio is missing and the class is "significant" if the
    target is still met at :math:`t`, "away" if not.

    **Indicators without a target**: polarity × :math:`\\mathrm{CAGR}_a` classed by
    :func:`classify_trend`; when the CAGR is undefined, the annual change divided by :math:`|b|`.

    **National comparison**: ``level_gap`` = :math:`a - a_{nat}`, ``growth_gap`` =
    :math:`\\mathrm{CAGR}_a - \\mathrm{CAGR}_{nat}` over the same years (see
    :func:`compare_national`).
    """
    if basis not in ("level", "gap"):
        raise ParameterError(f"basis must be 'level' or 'gap', got {basis!r}")
    if range_rule not in ("polarity", "within"):
        raise ParameterError(f"range_rule must be 'polarity' or 'within', got {range_rule!r}")
    th = thresholds if thresholds is not None else Thresholds()
    if not isinstance(th, Thresholds):
        raise ParameterError(f"thresholds must be an evalkit.targets.Thresholds, got {type(th).__name__}")
    region = _region_code(region)
    end_year = _year(end_year, "end_year")
    start_default = _year(start_year, "start_year") if start_year is not None else end_year - 5

    p = _prepare_panel(panel)
    if region not in set(p["region"]):
        raise ParameterError(
            f"region {region!r} has no rows in the panel; regions present: {sorted(set(p['region']))[:20]}")
    t = _select_targets(_prepare_targets(targets, plan), region)
    info = _meta_lookup(meta)
    by_code = _series(p, region)

    targeted = {r["indicator"]: r for r in t.to_dict("records") if not _isnan_code(r["indicator"])}
    if indicators is None:
        codes = list(targeted)
        for code in by_code:
            if code not in targeted and (not info or _truthy(info.get(code, {}).get("in_assessment", True))):
                codes.append(code)
        no_series = [r for r in t.to_dict("records") if _isnan_code(r["indicator"])]
    else:
        codes = [str(c) for c in indicators]
        no_series = []

    rows = []
    for code in codes:
        i = info.get(code, {})
        row = _blank(region, code, i, end_year)
        pol = _polarity(i)
        if code in targeted:
            tr = targeted[code]
            t0 = int(tr["baseline_year"]) if not _isnan(tr["baseline_year"]) else start_default
            rows.append(_target_row(row, tr, series=by_code.get(code), region=region, t0=t0,
                                    end_year=end_year, interpolate=interpolate, rule=range_rule,
                                    basis=basis, th=th, polarity=pol))
        else:
            rows.append(_trend_row(row, series=by_code.get(code), t0=start_default, end_year=end_year,
                                   interpolate=interpolate, th=th, polarity=pol))
    for tr in no_series:
        row = _blank(region, None, {}, end_year)
        rows.append(_target_row(row, tr, series=None, region=region, t0=start_default,
                                end_year=end_year, interpolate=interpolate, rule=range_rule,
                                basis=basis, th=th, polarity=None))
    out = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    out = _add_national(out, p, national, region=region, end_year=end_year, interpolate=interpolate)
    return _order(out, meta)


def _isnan_code(code: object) -> bool:
    return code is None or code is pd.NA or _isnan(code)


def _truthy(value: object) -> bool:
    if value is None or value is pd.NA or _isnan(value):
        return True
    return str(value).strip().lower() not in ("0", "false", "no", "")


def _region_code(region: object) -> str:
    code = str(region).strip()
    if not (code == "*" or (code.isdigit() and len(code) <= 6)):
        raise ParameterError(f"region must be a 6-digit code such as '210000', got {region!r}")
    return code.zfill(6)


def _year(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be a year as an int (e.g. 2020), got {value!r}")
    return int(value)


def _order(out: pd.DataFrame, meta: pd.DataFrame | None) -> pd.DataFrame:
    """Catalogue order (categories in plan order) when a catalogue is given; no-series rows last."""
    if meta is not None and not out.empty:
        codes = list(meta["code"] if "code" in meta.columns else meta.index)
        pos = {c: i for i, c in enumerate(codes)}
        key = out["indicator"].map(lambda c: pos.get(c, len(pos)) if isinstance(c, str) else len(pos) + 1)
        out = out.iloc[np.argsort(key.to_numpy(), kind="stable")]
    out = out.reset_index(drop=True)
    out["met"] = out["met"].astype("boolean")
    for c in ("polarity", "baseline_year", "target_year", "end_year"):
        out[c] = out[c].astype("Int64")
    return out


def _add_national(out: pd.DataFrame, p: pd.DataFrame, national: str | pd.DataFrame | None, *,
                  region: str, end_year: int, interpolate: bool) -> pd.DataFrame:
    if national is None or (isinstance(national, str) and _region_code(national) == region):
        return out
    for t0, idx in out.groupby("baseline_year", dropna=True).groups.items():
        codes = out.loc[idx, "indicator"].dropna().tolist()
        if not codes:
            continue
        comp = compare_national(p, region=region, national=national, indicators=codes,
                                start_year=int(t0), end_year=end_year, interpolate=interpolate)
        comp = comp.set_index("indicator")
        for col, src in (("national_baseline", "national_start"), ("national_actual", "national_end"),
                         ("national_cagr", "national_cagr"), ("level_gap", "level_gap"),
                         ("growth_gap", "growth_gap")):
            out.loc[idx, col] = out.loc[idx, "indicator"].map(comp[src]).astype(float).to_numpy()
        for col in ("national_source", "national_status"):
            out.loc[idx, col] = out.loc[idx, "indicator"].map(comp[col]).to_numpy()
    return out


def compare_national(
    panel: pd.DataFrame,
    *,
    region: str,
    national: str | pd.DataFrame = NATION,
    indicators: Sequence[str] | None = None,
    start_year: int = 2015,
    end_year: int = 2020,
    interpolate: bool = False,
) -> pd.DataFrame:
    """A region beside the national series: levels, growth and the gaps between them.

    Parameters
    ----------
    panel : DataFrame
        Tidy panel holding the region (and the national series when *national* is a code).
    region : str
        Region code.
    national : str or DataFrame
        Region code of the national series in *panel* (default ``"000000"``) or a separate panel.
    indicators : sequence of str, optional
        Codes to compare (default: every indicator the region has).
    start_year, end_year : int
        The comparison window.
    interpolate : bool
        Linear interpolation of a missing start or end value between observed neighbours.

    Returns
    -------
    DataFrame
        One row per indicator: ``region_start``, ``region_end``, ``national_start``,
        ``national_end``, ``region_cagr``, ``national_cagr``, ``level_gap``, ``level_ratio``,
        ``growth_gap``, and the ``national_source`` and ``national_status`` of the national end
        value. Values missing on either side stay missing.

    Notes
    -----
    ``level_gap`` = region − national in the end year; ``level_ratio`` = region / national;
    ``growth_gap`` = :math:`\\mathrm{CAGR}_{region} - \\mathrm{CAGR}_{national}` over the window
    (fractions: 0.01 is one percentage point a year). Read the sign with the indicator's polarity.
    """
    region = _region_code(region)
    start_year, end_year = _year(start_year, "start_year"), _year(end_year, "end_year")
    if start_year >= end_year:
        raise ParameterError(f"start_year ({start_year}) must precede end_year ({end_year})")
    p = _prepare_panel(panel)
    if isinstance(national, pd.DataFrame):
        nat_panel = _prepare_panel(national, name="national")
        codes_present = set(nat_panel["region"])
        nat_code = NATION if NATION in codes_present else next(iter(sorted(codes_present)), NATION)
    else:
        nat_panel, nat_code = p, _region_code(national)
    reg, nat = _series(p, region), _series(nat_panel, nat_code)
    codes = list(indicators) if indicators is not None else list(reg)
    years = end_year - start_year
    rows = []
    for code in codes:
        r0, r1 = (_value_at(reg.get(code), y, interpolate) for y in (start_year, end_year))
        n0, n1 = (_value_at(nat.get(code), y, interpolate) for y in (start_year, end_year))
        vals = [o.value if o is not None else math.nan for o in (r0, r1, n0, n1)]
        rc = cagr(vals[0], vals[1], years)
        nc = cagr(vals[2], vals[3], years)
        rows.append({
            "indicator": code, "region_start": vals[0], "region_end": vals[1],
            "national_source": n1.source if n1 else None, "national_status": n1.status if n1 else None,
            "national_start": vals[2], "national_end": vals[3], "region_cagr": rc,
            "national_cagr": nc, "level_gap": vals[1] - vals[3],
            "level_ratio": vals[1] / vals[3] if vals[3] else math.nan,
            "growth_gap": rc - nc,
        })
    return pd.DataFrame(rows, columns=[
        "indicator", "region_start", "region_end", "national_start", "national_end", "region_cagr",
        "national_cagr", "level_gap", "level_ratio", "growth_gap", "national_source", "national_status"])


def status_counts(assessment: pd.DataFrame, *, lang: Literal["zh", "en"] | None = None) -> pd.Series:
    """Number of indicators per status, in the order of :data:`STATUSES` (zeros included).

    With *lang*, the index holds the status words in that language and the series and index are
    named for display (``counts.reset_index()`` is then a ready table).
    """
    if "status" not in assessment.columns:
        raise ParameterError("status_counts needs the output of evalkit.targets.assess (no 'status' column)")
    counts = assessment["status"].value_counts()
    out = pd.Series([int(counts.get(s, 0)) for s in STATUSES], index=list(STATUSES), name="count")
    if lang is None:
        return out
    out.index = [label(s, lang) for s in STATUSES]
    out.index.name = "完成情况" if lang == "zh" else "Status"
    return out.rename("指标数" if lang == "zh" else "Indicators")


def required_path(assessment: pd.DataFrame) -> pd.DataFrame:
    """The path each target required, year by year from the baseline year to the target year.

    Returns a long frame (``indicator``, ``year``, ``value``) for rows with a required growth
    rate: geometric :math:`b (1 + \\mathrm{CAGR}_r)^{y - t_0}` when ``growth_basis`` is ``"cagr"``,
    straight :math:`b + (y - t_0) \\Delta_r` when it is ``"absolute"``.
    """
    rows = []
    for r in assessment.to_dict("records"):
        if r.get("growth_basis") not in ("cagr", "absolute") or _isnan(r.get("annual_change_required")):
            continue
        t0, T, b = int(r["baseline_year"]), int(r["target_year"]), r["baseline"]
        for y in range(t0, T + 1):
            if r["growth_basis"] == "cagr":
                v = b * (1 + r["cagr_required"]) ** (y - t0)
            else:
                v = b + (y - t0) * r["annual_change_required"]
            rows.append({"indicator": r["indicator"], "year": y, "value": v})
    return pd.DataFrame(rows, columns=["indicator", "year", "value"])


# --------------------------------------------------------------------------------------------------
# a city among its peers


def peer_regions(panel: pd.DataFrame, *, province: str = "210000") -> list[str]:
    """Prefecture-level codes of *province* present in the panel.

    GB/T 2260 codes a prefecture as the province's first two digits, two digits of its own (not
    ``00``) and ``00``; county codes (not ending in ``00``) are left out.
    """
    province = _region_code(province)
    codes = sorted(set(_prepare_panel(panel)["region"].dropna()))
    return [c for c in codes if c[:2] == province[:2] and c.endswith("00") and c[2:4] != "00"]


def _quartile(percentile: float) -> float:
    if _isnan(percentile):
        return math.nan
    return 1 if percentile >= 0.75 else 2 if percentile >= 0.5 else 3 if percentile >= 0.25 else 4


@dataclass(frozen=True)
class PeerComparison:
    """A region's indicators ranked among its peers in one year.

    Attributes
    ----------
    table : DataFrame
        One row per indicator: ``value``, ``reference_value`` (the province), ``diff_reference``
        (value − province; missing for counts), ``share_reference`` (value / province, for counts —
        catalogue kind ``count`` — only), ``rank`` (1 = best given the polarity), ``n``, ``percentile`` (1 = best, 0 = worst),
        ``quartile`` (1 = top quarter of the percentile scale), ``peer_min``, ``peer_median``,
        ``peer_max``, ``source``, ``status``.
    positions : DataFrame
        Every peer's ``value``, ``rank`` and ``percentile`` per indicator, with ``is_focus``.
    region, reference : str
    year : int
    """

    table: pd.DataFrame
    positions: pd.DataFrame
    region: str
    reference: str
    year: int

    def _repr_html_(self) -> str:
        head = f"<p><b>{self.region}</b> among {self.table['n'].max() if len(self.table) else 0} peers, {self.year}</p>"
        return head + self.table.to_html(index=False, float_format=lambda x: f"{x:,.4g}")


def compare_peers(
    panel: pd.DataFrame,
    *,
    region: str,
    year: int = 2020,
    peers: Sequence[str] | None = None,
    reference: str = "210000",
    meta: pd.DataFrame | None = None,
    indicators: Sequence[str] | None = None,
) -> PeerComparison:
    """Rank a region's indicators among its peers (by default the other cities of its province).

    Parameters
    ----------
    panel : DataFrame
        Tidy panel.
    region : str
        The focus region (e.g. ``"210100"``).
    year : int
        The year compared.
    peers : sequence of str, optional
        Codes ranked together, the focus included (default :func:`peer_regions` of *reference*).
    reference : str
        Region the focus is set against (default the province ``"210000"``).
    meta : DataFrame, optional
        Indicator catalogue; its polarity orients the ranks (−1: lowest is best). Indicators with
        polarity 0 or unknown are ranked highest-first and flagged in ``rank_basis``.
    indicators : sequence of str, optional
        Codes to compare. Default: the indicators the focus region has in *year* that *meta* marks
        ``in_assessment`` (all of them without *meta*), in catalogue order.

    Notes
    -----
    Ranks use the "min" rule for ties (two cities sharing the best value are both 1). With
    :math:`n` peers holding a value, ``percentile`` :math:`p = (n - rank)/(n - 1)` and ``quartile``
    is 1 for :math:`p \\ge 0.75`, 2 for :math:`0.5 \\le p < 0.75`, 3 for :math:`0.25 \\le p < 0.5`,
    4 below (missing when :math:`n = 1`).
    """
    region = _region_code(region)
    reference = _region_code(reference)
    year = _year(year, "year")
    p = _prepare_panel(panel)
    peer_list = [_region_code(c) for c in peers] if peers is not None else peer_regions(p, province=reference)
    if region not in peer_list:
        raise ParameterError(
            f"region {region!r} is not among the peers {peer_list}; pass peers= including it")
    at_year = p[(p["year"] == year) & p["region"].isin(peer_list)]
    if region not in set(at_year["region"]):
        raise ParameterError(f"region {region!r} has no values in {year}; pick another year")
    info = _meta_lookup(meta)
    if indicators is not None:
        codes = [str(c) for c in indicators]
    else:
        present = set(at_year.loc[at_year["region"] == region, "indicator"])
        order = list(info) if info else sorted(present)
        codes = [c for c in order if c in present
                 and (not info or _truthy(info[c].get("in_assessment", True)))]
    ref = p[(p["year"] == year) & (p["region"] == reference)].set_index("indicator")["value"]
    rows, positions = [], []
    for code in codes:
        i = info.get(code, {})
        pol = _polarity(i)
        vals = at_year[at_year["indicator"] == code].set_index("region")
        n = len(vals)
        ranks = vals["value"].rank(ascending=(pol == -1), method="min")
        pct = (n - ranks) / (n - 1) if n > 1 else ranks * math.nan
        focus = vals.loc[region] if region in vals.index else None
        rank = float(ranks[region]) if focus is not None else math.nan
        value = float(focus["value"]) if focus is not None else math.nan
        refv = float(ref[code]) if code in ref.index else math.nan
        # a provincial count is the sum over its cities: a share of it means something, a difference does not
        is_count = _text(i.get("kind")) == "count"
        rows.append({
            "indicator": code, **{f: _text(i.get(f)) for f in _META_FIELDS}, "polarity": pol,
            "rank_basis": "polarity" if pol in (1, -1) else "value (no polarity)",
            "value": value, "reference_value": refv,
            "diff_reference": math.nan if is_count else value - refv,
            "share_reference": value / refv if is_count and refv else math.nan,
            "rank": rank, "n": n, "percentile": float(pct[region]) if focus is not None else math.nan,
            "quartile": _quartile(float(pct[region])) if focus is not None else math.nan,
            "peer_min": float(vals["value"].min()) if n else math.nan,
            "peer_median": float(vals["value"].median()) if n else math.nan,
            "peer_max": float(vals["value"].max()) if n else math.nan,
            "source": _text(focus["source"]) if focus is not None else None,
            "status": _text(focus["status"]) if focus is not None else None,
        })
        for code_r, v in vals["value"].items():
            positions.append({"indicator": code, "region": code_r, "value": float(v),
                              "rank": float(ranks[code_r]), "percentile": float(pct[code_r]),
                              "is_focus": code_r == region})
    table = pd.DataFrame(rows)
    if not table.empty:
        table["rank"] = table["rank"].astype("Int64")
        table["quartile"] = table["quartile"].astype("Int64")
    pos = pd.DataFrame(positions, columns=["indicator", "region", "value", "rank", "percentile", "is_focus"])
    return PeerComparison(table=table, positions=pos, region=region, reference=reference, year=year)


from evalkit._targets_text import (  # noqa: E402  (the text helpers import the constants above)
    display_table,
    export_excel,
    label,
    method_note,
    narrative,
    national_table,
    peer_table,
    style_status,
    target_text,
    traffic_lights,
)
