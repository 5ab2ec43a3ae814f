"""Shared checks and reshaping for the panel estimators (DiD, TWFE, inference).

Every check raises :class:`~evalkit.errors.ParameterError` (bad argument) or
:class:`~evalkit.errors.DataShapeError` (data that cannot support the analysis) with a message that
names the column, the offending units/values and a fix.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit import i18n
from evalkit._shared.checks import Lang, list_values
from evalkit.errors import DataShapeError, ParameterError

__all__ = [
    "WidePanel",
    "cohort_from_treatment",
    "group_sums",
    "long_panel",
    "require_columns",
    "wide_panel",
]


def _listed(values: Iterable) -> str:
    return list_values(list(values))


#: from this many columns on, :func:`group_sums` adds whole rows instead of calling ``np.add.at``
_ROW_COLUMNS = 64


def group_sums(values: np.ndarray, codes: np.ndarray, size: int) -> np.ndarray:
    """Column sums of the rows of each group: row ``g`` of the result adds the rows ``i`` with ``codes[i] == g``.

    Parameters
    ----------
    values : ndarray
        ``n × k`` array.
    codes : ndarray
        Group of each row, integers in ``0 … size − 1``.
    size : int
        Number of groups.

    Returns
    -------
    ndarray
        ``size × k`` sums.

    Notes
    -----
    The result is ``np.add.at(np.zeros((size, k)), codes, values)`` bit for bit: every group's rows are added
    one after another in their order, starting from zero (``tests/impact/test_twfe.py`` compares the two).
    With many columns (bootstrap draws) whole rows are added in a loop, which is much faster than
    ``np.add.at``'s element-wise updates.
    """
    sums = np.zeros((size, values.shape[1]))
    if values.shape[1] < _ROW_COLUMNS:
        np.add.at(sums, codes, values)
        return sums
    for row, group in enumerate(np.asarray(codes).tolist()):
        sums[group] += values[row]
    return sums


def require_columns(df: pd.DataFrame, **roles: str | None) -> None:
    """Check that every column named for a role exists in ``df``."""
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"expected a pandas DataFrame, got {type(df).__name__}")
    for role, column in roles.items():
        if column is None:
            continue
        if column not in df.columns:
            raise ParameterError(
                f"{role}={column!r} is not a column of the data; columns are "
                f"{_listed(df.columns)} — fix: pass the name of the {role} column"
            )


def cohort_from_treatment(df: pd.DataFrame, *, unit: str, time: str, treatment: str) -> pd.Series:
    """First treated period of each unit from a 0/1 treatment indicator (0 = never treated).

    Raises :class:`DataShapeError` when treatment is not absorbing (a unit switches back to 0),
    because the staggered-adoption estimators assume that once treated, a unit stays treated.
    """
    require_columns(df, unit=unit, time=time, treatment=treatment)
    values = pd.to_numeric(df[treatment], errors="coerce")
    bad = df.loc[~values.isin([0, 1]), treatment]
    if len(bad):
        raise DataShapeError(
            f"column {treatment!r} must be 0 or 1; found {_listed(bad.unique())} — fix: code "
            "treatment as 1 from the first treated period on, 0 before"
        )
    frame = pd.DataFrame({"u": df[unit].to_numpy(), "t": df[time].to_numpy(), "d": values.to_numpy()})
    frame = frame.sort_values(["u", "t"])
    switched_off = frame.groupby("u")["d"].apply(lambda d: bool((np.diff(d.to_numpy()) < 0).any()))
    if switched_off.any():
        units = switched_off.index[switched_off]
        raise DataShapeError(
            f"treatment in column {treatment!r} is not absorbing: units {_listed(units)} go from 1 "
            "back to 0 — the staggered-adoption estimators need treatment that stays on once started; "
            "fix: code a unit as treated from its first treated period on, or analyse the episodes separately"
        )
    first = frame[frame["d"] == 1].groupby("u")["t"].min()
    units = pd.Index(frame["u"].unique(), name=unit)
    return first.reindex(units).fillna(0).astype(float).rename("cohort")


@dataclass(frozen=True)
class WidePanel:
    """A balanced panel as arrays: outcome ``y[i, s]`` for unit ``units[i]`` at ``times[s]``."""

    units: np.ndarray
    times: np.ndarray
    y: np.ndarray
    cohort: np.ndarray  # first treated period per unit; 0 = never treated
    covariates: dict[str, np.ndarray]
    notes: tuple[str, ...]


def _numeric(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Convert *columns* to numbers in place; an entry that is not a number is an error naming the column."""
    for col in columns:
        numeric = pd.to_numeric(data[col], errors="coerce")
        bad = data.loc[numeric.isna() & data[col].notna(), col]
        if len(bad):
            raise DataShapeError(
                f"column {col!r} must be numeric; found {_listed(bad.unique())} — fix: convert these values"
            )
        data[col] = numeric


def _complete(data: pd.DataFrame, columns: Sequence[str], *, unit: str, time: str) -> None:
    """No missing value in *columns*; the error lists the unit/time of the gaps."""
    for col in columns:
        missing = data[data[col].isna()]
        if len(missing):
            where = _listed(f"{u}/{t}" for u, t in zip(missing[unit], missing[time]))
            raise DataShapeError(
                f"column {col!r} has {len(missing)} missing value(s) at unit/time {where} — fix: fill the "
                "gaps, or drop these rows/units"
            )


def _one_row_per_unit_time(data: pd.DataFrame, *, unit: str, time: str) -> None:
    dup = data.duplicated([unit, time], keep=False)
    if dup.any():
        where = _listed(f"{u}/{t}" for u, t in data.loc[dup, [unit, time]].drop_duplicates().to_numpy())
        raise DataShapeError(
            f"more than one row per unit and time for unit/time {where} — fix: keep one row per "
            f"{unit!r} and {time!r}"
        )


def _cohort_per_unit(data: pd.DataFrame, *, unit: str, cohort: str) -> None:
    """The cohort is the same in every row of a unit (absorbing treatment) and not negative."""
    per_unit = data.groupby(unit)[cohort].nunique()
    if (per_unit > 1).any():
        units = per_unit.index[per_unit > 1]
        raise DataShapeError(
            f"column {cohort!r} changes within units {_listed(units)}: treatment must be absorbing and the "
            "cohort (first treated period, 0 = never) the same in every row of a unit — fix: code each unit's "
            "first treated period in every row (see evalkit.impact.cohort_from_treatment)"
        )
    negative = data.loc[data[cohort] < 0, unit].unique()
    if len(negative):
        raise DataShapeError(
            f"column {cohort!r} is negative for units {_listed(negative)}; expected the first treated "
            "period, or 0 for never treated"
        )


def _balanced(data: pd.DataFrame, *, unit: str, time: str) -> None:
    times = np.sort(data[time].unique())
    counts = data.groupby(unit)[time].nunique()
    if (counts < len(times)).any():
        short = counts.index[counts < len(times)]
        raise DataShapeError(
            f"the panel is unbalanced: units {_listed(short)} are not observed in every one of the "
            f"{len(times)} periods {_listed(times)} — this estimator needs a balanced panel; fix: fill "
            "the missing periods, or drop these units"
        )


def long_panel(
    df: pd.DataFrame,
    *,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    covariates: Sequence[str] | None = None,
    balanced: bool = True,
) -> pd.DataFrame:
    """Validate a long panel and return the needed columns with numeric time, cohort (NaN → 0), outcome.

    Checks, each with its own message: columns exist; time, cohort, outcome and covariates numeric and
    complete; no duplicate (unit, time); cohort constant within unit (a changing cohort means
    non-absorbing or mis-coded treatment) and not negative; and, if ``balanced``, every unit observed
    in every period.
    """
    covariates = list(covariates or [])
    require_columns(df, unit=unit, time=time, cohort=cohort, outcome=outcome)
    for c in covariates:
        require_columns(df, covariate=c)
    data = df[list(dict.fromkeys([unit, time, cohort, outcome, *covariates]))].copy()
    _numeric(data, (time, cohort, outcome, *covariates))
    data[cohort] = data[cohort].fillna(0)
    _complete(data, (time, outcome, *covariates), unit=unit, time=time)
    _one_row_per_unit_time(data, unit=unit, time=time)
    _cohort_per_unit(data, unit=unit, cohort=cohort)
    if balanced:
        _balanced(data, unit=unit, time=time)
    return data


def wide_panel(
    df: pd.DataFrame,
    *,
    unit: str,
    time: str,
    cohort: str,
    outcome: str,
    covariates: Sequence[str] | None = None,
    anticipation: int = 0,
    lang: Lang = "zh",
) -> WidePanel:
    """Validate a balanced long panel (:func:`long_panel`) and reshape it to unit × time arrays.

    Also checks that every treated unit is observed before it is treated. Cohorts later than the last
    period (+ anticipation) are recoded as never treated, as R ``did`` does, and this is recorded in
    ``notes`` (in *lang*). Units of a cohort observed before its start but not before its anticipation
    window (first period < g ≤ first period + anticipation) are dropped with a note, as R ``did``'s
    ``pre_process_did`` drops them ("already treated in the first period (accounting for anticipation)").
    """
    covariates = list(covariates or [])
    data = long_panel(df, unit=unit, time=time, cohort=cohort, outcome=outcome,
                      covariates=covariates, balanced=True)
    times = np.sort(data[time].unique())
    units = np.sort(data[unit].unique())
    notes: list[str] = []
    unit_cohort = data.groupby(unit)[cohort].first().reindex(units).to_numpy(dtype=float)
    late = unit_cohort > times.max() + anticipation
    if late.any():
        notes.append(i18n.t("impact.note.late_cohorts", lang, n=int(late.sum()), units=_listed(units[late])))
        unit_cohort = np.where(late, 0.0, unit_cohort)
    early = (unit_cohort > 0) & (unit_cohort <= times.min())
    if early.any():
        raise DataShapeError(
            f"units {_listed(units[early])} are treated from the first observed period {times.min()} "
            f"(cohort ≤ {times.min()}), so they are never observed before treatment and "
            "no change can be measured for them — fix: drop these units, or add earlier periods"
        )
    no_pre = (unit_cohort > times.min()) & (unit_cohort - anticipation <= times.min())
    if no_pre.any():
        cohorts = sorted({int(g) for g in unit_cohort[no_pre]})
        notes.append(i18n.t("impact.note.no_pre_period", lang, cohorts=", ".join(map(str, cohorts)),
                            anticipation=anticipation, n=int(no_pre.sum()), units=_listed(units[no_pre])))
        units, unit_cohort = units[~no_pre], unit_cohort[~no_pre]
    wide = data.pivot(index=unit, columns=time, values=outcome).reindex(index=units, columns=times)
    covs = {
        c: data.pivot(index=unit, columns=time, values=c).reindex(index=units, columns=times).to_numpy(float)
        for c in covariates
    }
    return WidePanel(
        units=units,
        times=times,
        y=wide.to_numpy(dtype=float),
        cohort=unit_cohort,
        covariates=covs,
        notes=tuple(notes),
    )
