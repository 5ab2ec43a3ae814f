"""Aggregations of ATT(g,t) into simple / group / dynamic / calendar summaries (R ``did::aggte``).

Each aggregation is a weighted mean of cells; its influence function adds the estimation effect of the
cohort-share weights (R ``did``'s ``wif``). :func:`aggregate_cells` returns the raw pieces; the result
object is built in :mod:`evalkit.impact.did`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from evalkit.errors import DataShapeError

__all__ = ["Aggregated", "Cells", "aggregate_cells"]


@dataclass(frozen=True, eq=False)
class Cells:
    """What an aggregation needs from a fit: the cells, their influence functions, each unit's cohort."""

    group: np.ndarray
    time: np.ndarray
    att: np.ndarray
    psi: np.ndarray            # n_units × n_cells
    unit_cohort: np.ndarray

    @property
    def event(self) -> np.ndarray:
        """Event time t − g of each cell."""
        return self.time - self.group

    def shares(self) -> tuple[np.ndarray, np.ndarray]:
        """(cohorts, their share of all units), cohorts sorted."""
        glist = np.sort(np.unique(self.group))
        return glist, np.array([np.mean(self.unit_cohort == g) for g in glist])


@dataclass(frozen=True, eq=False)
class Aggregated:
    """An overall effect with its influence function, and the per-key effects behind it (empty for simple)."""

    value: float
    influence: np.ndarray = field(repr=False)
    label: str = ""
    keys: list = field(default_factory=list)
    effects: list = field(default_factory=list)
    infl_mat: np.ndarray | None = field(default=None, repr=False)


def _weight_influence(unit_cohort: np.ndarray, shares: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Influence of estimating the cohort shares that weight the cells (one column per cell)."""
    indicator = (unit_cohort[:, None] == groups[None, :]).astype(float) - shares[None, :]
    total = shares.sum()
    return indicator / total - np.outer(indicator.sum(axis=1), shares / total**2)


def _combine(unit_cohort: np.ndarray, atts: np.ndarray, infl: np.ndarray, shares: np.ndarray,
             groups: np.ndarray) -> tuple[float, np.ndarray]:
    """Share-weighted mean of *atts* and its influence function."""
    w = shares / shares.sum()
    value = float(np.sum(w * atts))
    return value, infl @ w + _weight_influence(unit_cohort, shares, groups) @ atts


def _cell_shares(cells: Cells) -> np.ndarray:
    glist, pg = cells.shares()
    return pg[np.searchsorted(glist, cells.group)]


def _combine_cells(cells: Cells, keep: np.ndarray) -> tuple[float, np.ndarray]:
    return _combine(cells.unit_cohort, cells.att[keep], cells.psi[:, keep], _cell_shares(cells)[keep],
                    cells.group[keep])


def _no_post() -> DataShapeError:
    return DataShapeError("no post-treatment ATT(g,t) in the event-time window — widen min_e/max_e")


def _simple(cells: Cells, post: np.ndarray) -> Aggregated:
    if not post.any():
        raise _no_post()
    value, influence = _combine_cells(cells, post)
    return Aggregated(value, influence)


def _group(cells: Cells, post: np.ndarray) -> Aggregated:
    glist, pg = cells.shares()
    labels, effects, infls = [], [], []
    for g in glist:
        keep = post & (cells.group == g)
        if not keep.any():
            continue
        labels.append(g)
        effects.append(float(cells.att[keep].mean()))
        infls.append(cells.psi[:, keep].mean(axis=1))
    if not labels:
        raise _no_post()
    infl_mat = np.column_stack(infls)
    shares = pg[np.searchsorted(glist, labels)]
    value, influence = _combine(cells.unit_cohort, np.array(effects), infl_mat, shares, np.array(labels))
    return Aggregated(value, influence, "group", labels, effects, infl_mat)


def _dynamic(cells: Cells, min_e: float, max_e: float, balance_e: int | None) -> Aggregated:
    event, time = cells.event, cells.time
    keep_cells = np.ones(len(cells.att), bool)
    if balance_e is not None:
        keep_cells = (time.max() - cells.group) >= balance_e
        keep_cells &= (event <= balance_e) & (event >= balance_e - (time.max() - time.min()))
    keep_cells &= (event >= min_e) & (event <= max_e)
    eseq = np.sort(np.unique(event[keep_cells]))
    if eseq.size == 0:
        raise DataShapeError("no event times left after min_e/max_e/balance_e — widen the window")
    effects, infls = [], []
    for e in eseq:
        value, influence = _combine_cells(cells, keep_cells & (event == e))
        effects.append(value)
        infls.append(influence)
    infl_mat = np.column_stack(infls)
    nonneg = eseq >= 0
    if not nonneg.any():
        raise DataShapeError("no event time ≥ 0 in the window, so there is no overall post-treatment effect")
    value = float(np.mean(np.array(effects)[nonneg]))
    return Aggregated(value, infl_mat[:, nonneg].mean(axis=1), "event", list(eseq), effects, infl_mat)


def _calendar(cells: Cells) -> Aggregated:
    group, time = cells.group, cells.time
    labels, effects, infls = [], [], []
    for t in np.sort(np.unique(time[time >= group.min()])):
        keep = (time == t) & (group <= time)
        if not keep.any():
            continue
        value, influence = _combine_cells(cells, keep)
        labels.append(t)
        effects.append(value)
        infls.append(influence)
    infl_mat = np.column_stack(infls)
    return Aggregated(float(np.mean(effects)), infl_mat.mean(axis=1), "time", labels, effects, infl_mat)


def aggregate_cells(cells: Cells, kind: str, *, min_e: float, max_e: float, balance_e: int | None) -> Aggregated:
    """The *kind* aggregation of *cells* (see :meth:`evalkit.impact.ATTgtResult.aggregate`)."""
    post = (cells.group <= cells.time) & (cells.event >= min_e) & (cells.event <= max_e)
    if kind == "simple":
        return _simple(cells, post)
    if kind == "group":
        return _group(cells, post)
    if kind == "dynamic":
        return _dynamic(cells, min_e, max_e, balance_e)
    return _calendar(cells)
