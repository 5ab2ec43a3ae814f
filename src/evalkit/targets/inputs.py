"""What :func:`evalkit.targets.assess` reads.

The panel and targets contracts, the target rows that apply to a region, the catalogue lookup, and the value
of a series in a year (optionally interpolated).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit._shared.codes import normalise_codes
from evalkit.errors import (
    ColumnError,
    DataShapeError,
    ParameterError,
    Problem,
    ValueFormatError,
    raise_problems,
)
from evalkit.targets.measures import TARGET_TYPES, is_nan

__all__ = [
    "META_FIELDS",
    "Observation",
    "TargetRecords",
    "check_year",
    "is_true",
    "meta_lookup",
    "missing_note",
    "no_code",
    "polarity_of",
    "prepare_panel",
    "prepare_targets",
    "region_series",
    "select_records",
    "select_targets",
    "series_by_indicator",
    "series_by_region",
    "text_or_none",
    "value_at",
]

_PANEL_COLUMNS = ("region", "year", "indicator", "value")
_TARGET_REQUIRED = ("indicator", "region", "target_type")
_TARGET_OPTIONAL = (
    "plan", "name_zh", "name_en", "baseline_year", "baseline", "target_year", "target", "target_low",
    "target_high", "binding", "source",
)
#: catalogue fields copied onto every assessed row
META_FIELDS = ("name_zh", "name_en", "category", "category_zh", "category_en", "unit")


def text_or_none(value: object) -> str | None:
    """*value* as text, or ``None`` when it is missing."""
    return None if value is None or value is pd.NA or is_nan(value) else str(value)


def no_code(code: object) -> bool:
    """True when an indicator code is missing (a plan target without a series)."""
    return code is None or code is pd.NA or is_nan(code)


def is_true(value: object) -> bool:
    """A catalogue flag such as ``in_assessment``: missing counts as true; ``0``/``false``/``no``/empty as false."""
    if value is None or value is pd.NA or is_nan(value):
        return True
    return str(value).strip().lower() not in ("0", "false", "no", "")


def check_year(value: object, name: str) -> int:
    """*value* as a year; :class:`ParameterError` naming *name* unless it is an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be a year as an int (e.g. 2020), got {value!r}")
    return int(value)


def _require_columns(frame: object, name: str, required: Sequence[str], fix: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ColumnError([Problem(f"{name} has no column {c!r}", column=c, fix=fix) for c in missing])


def _first_bad_row(name: str, column: str, bad: pd.Series, original: pd.Series, what: str, fix: str) -> None:
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataShapeError(f"{name} column {column!r} must hold {what}; row {i} has {original.iloc[i]!r}. "
                             f"Fix: {fix}")


def _region_codes(values: pd.Series, *, star: bool = False) -> pd.Series:
    """:func:`normalise_codes` of a ``region`` column, without its text passes when every code is six digits.

    Six digits (what :func:`evalkit.io.read_panel` gives) are left as they are by every step of
    :func:`normalise_codes` (no blank to strip, no ``.0`` to cut, nothing to pad), so the text is returned as is;
    with *star*, so is ``*`` (a targets row for every region).
    """
    text = values.astype("string")
    if text.notna().all():
        plain = text.str.len().eq(6) & text.str.isdigit()
        if (plain | text.eq("*") if star else plain).all():
            return text
    return normalise_codes(values)


def _may_repeat_keys(out: pd.DataFrame) -> bool:
    """False when no two rows share a (region, year, indicator); True means "look".

    A missing code counts as a value, as in :meth:`DataFrame.duplicated`, which the caller runs on "look" to
    find the rows to report.
    """
    if len(out) < 2:
        return False
    region = pd.factorize(out["region"])[0].astype(np.int64) + 1  # 0: a missing code
    indicator = pd.factorize(out["indicator"])[0].astype(np.int64) + 1
    year = out["year"].to_numpy(dtype=np.int64)
    low, span = int(year.min()), int(year.max()) - int(year.min()) + 1
    if (int(region.max()) + 1) * (int(indicator.max()) + 1) * span >= 2**62:
        return True
    key = (region * (int(indicator.max()) + 1) + indicator) * span + (year - low)
    return len(np.unique(key)) < len(key)


def prepare_panel(panel: pd.DataFrame, *, name: str = "panel") -> pd.DataFrame:
    """The tidy panel with 6-digit region codes, int years and float values; duplicates and text values raise.

    Parameters
    ----------
    panel : DataFrame
        Columns ``region``, ``year``, ``indicator``, ``value`` (``source`` and ``status`` optional).
    name : str
        The parameter's name in error messages.

    Returns
    -------
    DataFrame
        Columns ``region``, ``year``, ``indicator``, ``value``, ``source``, ``status``; rows without a
        value are dropped.
    """
    _require_columns(panel, name, _PANEL_COLUMNS, "pass a tidy panel with columns region, year, indicator, value "
                                                  "(evalkit.io.read_panel returns one)")
    out = pd.DataFrame({
        "region": _region_codes(panel["region"]),
        "year": pd.to_numeric(panel["year"], errors="coerce"),
        "indicator": panel["indicator"].astype("string").str.strip(),
        "value": pd.to_numeric(panel["value"], errors="coerce"),
        "source": panel["source"].astype("string") if "source" in panel else pd.NA,
        "status": panel["status"].astype("string") if "status" in panel else pd.NA,
    }, copy=False)  # the columns are new series already: no second copy
    _first_bad_row(name, "value", out["value"].isna() & panel["value"].notna().to_numpy(), panel["value"],
                   "numbers", "read the file with evalkit.io.read_panel, which converts or rejects such cells.")
    _first_bad_row(name, "year", out["year"].isna() | (out["year"] != out["year"].round()), panel["year"],
                   "whole years", "clean the panel with evalkit.io.read_panel first.")
    out["year"] = out["year"].astype(int)
    if out["value"].isna().any():  # dropna of a frame without a missing value is the same frame
        out = out.dropna(subset=["value"])
    dup = out.duplicated(["region", "year", "indicator"], keep=False) if _may_repeat_keys(out) else None
    if dup is not None and dup.any():
        first = out.loc[dup].iloc[0]
        raise DataShapeError(
            f"{name} has {int(dup.sum())} rows sharing a (region, year, indicator), e.g. "
            f"({first['region']}, {first['year']}, {first['indicator']}); keep one value per key "
            "(evalkit.io.read_panel reports duplicates with their file rows)")
    return out


def _may_have_problems(t: pd.DataFrame) -> bool:
    """False when :func:`_target_problems` finds nothing (checked on whole columns); True means "look"."""
    kind = t["target_type"]
    if t["region"].isna().any() or not kind.isin(TARGET_TYPES).to_numpy(dtype=bool, na_value=False).all():
        return True
    ranged = kind.eq("range").to_numpy(dtype=bool, na_value=False)
    if not ranged.any():
        return False
    low, high = (t[c].to_numpy(dtype=float, na_value=np.nan)[ranged] for c in ("target_low", "target_high"))
    return not bool(np.all(low <= high))


def _target_problems(t: pd.DataFrame) -> list[Problem]:
    if not _may_have_problems(t):
        return []
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
                value=(None if is_nan(rec.target_low) else rec.target_low,
                       None if is_nan(rec.target_high) else rec.target_high),
                fix="fill both bounds, e.g. 35 and 40 for 35~40", kind=ValueFormatError))
    return problems


def prepare_targets(targets: pd.DataFrame, plan: str | None) -> pd.DataFrame:
    """The targets table checked (every bad row reported with its spreadsheet row) and filtered to *plan*.

    Parameters
    ----------
    targets : DataFrame
        In the layout of ``data/reference/targets.csv``.
    plan : str or None
        Keep only rows of this plan.

    Returns
    -------
    DataFrame
        With every optional column present and ``file_row`` (the spreadsheet row, header = 1).
    """
    _require_columns(targets, "targets", _TARGET_REQUIRED,
                     "use the layout of data/reference/targets.csv "
                     "(plan, indicator, region, target_type, target, target_low, target_high, …)")
    t = targets.copy()
    for c in _TARGET_OPTIONAL:
        if c not in t.columns:
            t[c] = pd.NA
    t["file_row"] = np.arange(len(t)) + 2  # spreadsheet row: header is row 1
    t["region"] = _region_codes(t["region"], star=True)
    t["indicator"] = t["indicator"].astype("string").str.strip().replace("", pd.NA)
    t["target_type"] = t["target_type"].astype("string").str.strip()
    for c in ("baseline_year", "baseline", "target_year", "target", "target_low", "target_high"):
        t[c] = pd.to_numeric(t[c], errors="coerce")
    raise_problems(_target_problems(t), path="targets")
    if plan is not None:
        every = t
        t = t[t["plan"].astype("string").eq(plan).to_numpy(dtype=bool, na_value=False)]
        if t.empty:
            plans = sorted(str(p) for p in every["plan"].dropna().unique())
            raise ParameterError(f"plan={plan!r} has no rows in targets; plans present: {plans}")
    return t


def select_targets(t: pd.DataFrame, region: str) -> pd.DataFrame:
    """Rows that apply to *region*: its own rows, and ``*`` rows of a plan and indicator it has no own row for.

    Parameters
    ----------
    t : DataFrame
        Output of :func:`prepare_targets`.
    region : str
        6-digit region code.

    Returns
    -------
    DataFrame
    """
    return t.iloc[_chosen(TargetRecords.of(t), region)]


@dataclass(frozen=True)
class TargetRecords:
    """A prepared targets table as records, for :func:`select_records` (made once, selected from per region).

    Attributes
    ----------
    records : list of dict
        ``t.to_dict("records")``: every row as :func:`select_targets` would give it.
    plans, codes : list of str
        The ``(plan, indicator)`` key of each row as :func:`select_targets` compares it (missing as ``""``).
    """

    records: list[dict]
    plans: list[str]
    codes: list[str]

    @classmethod
    def of(cls, t: pd.DataFrame) -> TargetRecords:
        """The records of *t* (output of :func:`prepare_targets`)."""
        return cls(t.to_dict("records"), t["plan"].astype("string").fillna("").tolist(),
                   t["indicator"].fillna("").tolist())


def _is_text(value: object, text: str) -> bool:
    return isinstance(value, str) and value == text


def select_records(table: TargetRecords, region: str) -> list[dict]:
    """``select_targets(t, region).to_dict("records")`` without a frame operation per region (microseconds, not ms).

    Parameters
    ----------
    table : TargetRecords
        The prepared targets table's records.
    region : str
        6-digit region code.

    Returns
    -------
    list of dict
        The same rows in the same order (the record dicts of *table*, shared: read them, do not change them);
        the same :class:`DataShapeError` when two rows for one indicator apply.
    """
    return [table.records[k] for k in _chosen(table, region)]


def _chosen(table: TargetRecords, region: str) -> list[int]:
    """Positions of the rows that apply to *region*, in file order (the rule of :func:`select_targets`)."""
    records, plans, codes = table.records, table.plans, table.codes
    own = [k for k, r in enumerate(records) if _is_text(r["region"], region)]
    generic = [k for k, r in enumerate(records) if _is_text(r["region"], "*")]
    own_keys = {(plans[k], codes[k]) for k in own if not no_code(records[k]["indicator"])}
    generic = [k for k in generic if (plans[k], codes[k]) not in own_keys]
    chosen = sorted(own + generic, key=lambda k: records[k]["file_row"])  # stable, as sort_values(kind="stable")
    coded = [records[k] for k in chosen if not no_code(records[k]["indicator"])]
    counts = Counter(r["indicator"] for r in coded)
    code = next((r["indicator"] for r in coded if counts[r["indicator"]] > 1), None)
    if code is not None:
        rows = [r["file_row"] for r in coded if r["indicator"] == code]
        raise DataShapeError(
            f"targets has {len(rows)} rows for indicator {code!r} applying to region {region} "
            f"(rows {rows}); keep one per plan and region, or pass plan= to choose the plan")
    return chosen


def meta_lookup(meta: pd.DataFrame | None) -> dict[str, dict]:
    """The indicator catalogue as ``{code: row}`` (empty without a catalogue).

    Parameters
    ----------
    meta : DataFrame or None
        ``evalkit.io.read_reference("indicators")``, with a ``code`` column or index.

    Returns
    -------
    dict
    """
    if meta is None:
        return {}
    if not isinstance(meta, pd.DataFrame) or ("code" not in meta.columns and meta.index.name != "code"):
        raise ParameterError(
            "meta must be the indicator catalogue (a DataFrame with a 'code' column, e.g. "
            "evalkit.io.read_reference('indicators'))")
    m = meta.reset_index(drop=True) if "code" in meta.columns else meta.reset_index()
    return {str(r["code"]): r for r in m.to_dict("records")}


def polarity_of(info: dict) -> int | None:
    """The catalogue polarity of an indicator (−1, 0, 1), or ``None`` when the catalogue gives none."""
    p = info.get("polarity")
    if is_nan(p) or p is pd.NA:
        return None
    p = int(p)
    if p not in (-1, 0, 1):
        raise ParameterError(f"polarity of indicator {info.get('code')!r} must be -1, 0 or 1, got {p}")
    return p


@dataclass(frozen=True)
class Observation:
    """A value with its source and data status."""

    value: float
    source: str | None
    status: str | None


def series_by_indicator(panel: pd.DataFrame, region: str) -> dict[str, pd.DataFrame]:
    """The region's series, one frame indexed by year per indicator."""
    sub = panel[panel["region"] == region]
    return {code: g.set_index("year").sort_index() for code, g in sub.groupby("indicator", sort=False)}


def series_by_region(panel: pd.DataFrame) -> dict[str, dict[str, object]]:
    """Every region's :func:`series_by_indicator` in one pass: ``{region: {indicator: series}}``.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`prepare_panel`.

    Returns
    -------
    dict
        The same indicators, in the same order, with the same years, values, sources and statuses as
        ``series_by_indicator(panel, region)`` for each region, held as arrays (read by :func:`value_at` and
        :func:`missing_note` ~50x faster than a frame).
    """
    if panel.empty:
        return {}
    pair = panel.groupby(["region", "indicator"], sort=False).ngroup().to_numpy()  # -1: a missing key
    order = np.lexsort((panel["year"].to_numpy(), pair))  # first-appearance order of (region, indicator), years
    order = order[pair[order] >= 0]
    if not len(order):
        return {}
    sub = panel.iloc[order]
    regions, codes = sub["region"].to_numpy(), sub["indicator"].to_numpy()
    years, values = sub["year"].to_numpy(), sub["value"].to_numpy()
    (sources, source_names), (statuses, status_names) = (_factorised(sub[c]) for c in ("source", "status"))
    pair = pair[order]
    starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
    ends = np.r_[starts[1:], len(pair)]
    out: dict[str, dict[str, _YearSeries]] = {}
    for a, b in zip(starts.tolist(), ends.tolist()):
        out.setdefault(regions[a], {})[codes[a]] = _YearSeries(years[a:b], values[a:b], sources[a:b],
                                                               statuses[a:b], source_names, status_names)
    return out


def region_series(panel: pd.DataFrame, region: str) -> dict[str, object]:
    """One region's :func:`series_by_indicator` held as arrays, as :func:`series_by_region` holds them.

    Parameters
    ----------
    panel : DataFrame
        Output of :func:`prepare_panel`.
    region : str
        6-digit region code.

    Returns
    -------
    dict
        ``series_by_region(panel).get(region, {})``: the region's indicators in the order they first appear,
        each series sorted by year, read by :func:`value_at` and :func:`missing_note` as a frame would be.
    """
    rows = np.flatnonzero(panel["region"].eq(region).to_numpy(dtype=bool, na_value=False))
    if not len(rows):
        return {}
    sub = panel.iloc[rows]
    code_of_row, codes = pd.factorize(sub["indicator"])  # first-appearance order, as groupby(sort=False); -1: missing
    order = np.lexsort((sub["year"].to_numpy(), code_of_row))
    order = order[code_of_row[order] >= 0]
    if not len(order):
        return {}
    sub, code_of_row = sub.iloc[order], code_of_row[order]
    years, values = sub["year"].to_numpy(), sub["value"].to_numpy()
    (sources, source_names), (statuses, status_names) = (_factorised(sub[c]) for c in ("source", "status"))
    starts = np.flatnonzero(np.r_[True, code_of_row[1:] != code_of_row[:-1]])
    ends = np.r_[starts[1:], len(code_of_row)]
    return {str(codes[code_of_row[a]]): _YearSeries(years[a:b], values[a:b], sources[a:b], statuses[a:b],
                                                    source_names, status_names)
            for a, b in zip(starts.tolist(), ends.tolist())}


def _factorised(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Positions and the distinct texts (the last, ``None``, for a missing text).

    A few texts repeated millions of times cost 4 bytes a row this way instead of a Python string each.
    """
    codes, names = pd.factorize(texts)
    return codes.astype(np.int32), np.array([*(str(n) for n in names), None], dtype=object)


@dataclass(frozen=True)
class _YearSeries:
    """One region's series of one indicator as arrays sorted by year (what :func:`value_at` reads, ~50x faster)."""

    index: np.ndarray
    value: np.ndarray
    source: np.ndarray  #: positions in source_names
    status: np.ndarray  #: positions in status_names
    source_names: np.ndarray
    status_names: np.ndarray

    @property
    def empty(self) -> bool:
        return len(self.index) == 0

    def at(self, year: int) -> int | None:
        """The position of *year*, or ``None``."""
        i = int(np.searchsorted(self.index, year))
        return i if i < len(self.index) and self.index[i] == year else None


def _value_at_arrays(series: _YearSeries, year: int, interpolate: bool) -> Observation | None:
    i = series.at(year)
    if i is not None:
        return Observation(float(series.value[i]), text_or_none(series.source_names[series.source[i]]),
                           text_or_none(series.status_names[series.status[i]]))
    if not interpolate:
        return None
    before, after = series.index[series.index < year], series.index[series.index > year]
    if not len(before) or not len(after):
        return None
    y0, y1 = int(before.max()), int(after.min())
    v0, v1 = float(series.value[series.at(y0)]), float(series.value[series.at(y1)])
    value = v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return Observation(value, f"linear interpolation between {y0} and {y1}", "derived")


def value_at(series: pd.DataFrame | None, year: int, interpolate: bool) -> Observation | None:
    """The value in *year*; with *interpolate*, a straight line between the nearest years on each side.

    Parameters
    ----------
    series : DataFrame or None
        One indicator's series from :func:`series_by_indicator`.
    year : int
        The year wanted.
    interpolate : bool
        Interpolate linearly between observed neighbours (never extrapolated).

    Returns
    -------
    Observation or None
    """
    if series is None or series.empty:
        return None
    if isinstance(series, _YearSeries):
        return _value_at_arrays(series, year, interpolate)
    if year in series.index:
        i = series.index.get_loc(year)  # positional reads: a row lookup (.loc) costs ~20x more
        return Observation(float(series["value"].iat[i]), text_or_none(series["source"].iat[i]),
                           text_or_none(series["status"].iat[i]))
    if not interpolate:
        return None
    before = series.index[series.index < year]
    after = series.index[series.index > year]
    if before.empty or after.empty:
        return None
    y0, y1 = int(before.max()), int(after.min())
    v0, v1 = float(series.loc[y0, "value"]), float(series.loc[y1, "value"])
    value = v0 + (v1 - v0) * (year - y0) / (y1 - y0)
    return Observation(value, f"linear interpolation between {y0} and {y1}", "derived")


def missing_note(series: pd.DataFrame | None, year: int, interpolate: bool) -> str:
    """Why there is no value for *year*: which years exist and whether interpolation was tried."""
    have = [] if series is None else [int(y) for y in series.index]
    years = f"years present: {have[0]}–{have[-1]} ({len(have)})" if have else "no years present"
    how = "nor could it be interpolated" if interpolate else "interpolation was not requested (interpolate=True)"
    return f"no value for {year}, {how}; {years}"
