"""Composite indicators: score and rank units on a hierarchy of indicators, the way COINr does.

Inputs are COINr's two tables: *data* (one row per unit, one column per indicator, plus any group and
denominator columns; "iData") and *meta* (one row per indicator and aggregate: ``code``, ``level``,
``parent``, ``direction``, ``weight``, optionally ``denominator``, ``target``, names; "iMeta"). The
hierarchy can have any depth (indicator → category → index, or indicator → pillar → sub-index → index).

:func:`build` runs the steps in this order, each optional and recorded in the result's log:

1. denominate (divide by population, GDP …, per meta ``denominator``)
2. screen units by data availability
3. impute (overall or group mean/median)
4. treat outliers (COINr default: winsorise, else log)
5. normalise (min-max to any range, z-score, rank, distance to target, goalposts)
6. weight (given, equal, entropy, PCA, AHP) and aggregate (arithmetic, geometric, harmonic) level by
   level up to the index.

:func:`rebuild` re-runs a result with changed settings. :func:`uncertainty` and :func:`sensitivity`
re-compute the index under many alternative assumptions at once (vectorised over draws) and report
rank intervals and Sobol indices; :func:`remove_elements` shows what dropping each pillar/category
does to the ranking. Ranks: 1 is the highest score; tied scores share the lowest rank (1, 2, 2, 4).

Reference checks: ``tests/reference/test_asem.py`` (COINr's ASEM example) and
``tests/reference/test_ishigami.py`` (Sobol estimators against analytic values).
"""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, get_args

import numpy as np
import pandas as pd

from evalkit._composite_engine import AGGREGATIONS, aggregate_all, aggregate_level, rank_descending
from evalkit._composite_meta import Hierarchy, parse_meta, resolve_unit
from evalkit._composite_sobol import saltelli_design, sobol_indices
from evalkit._composite_steps import denominate as _denominate
from evalkit._composite_steps import impute as _impute
from evalkit._composite_steps import kurtosis, skewness
from evalkit._composite_steps import normalise as _normalise
from evalkit._composite_steps import screen as _screen
from evalkit._composite_steps import treat as _treat
from evalkit._composite_weights import AHPResult, ahp_weights, entropy_weights, pca_weights, weight_table
from evalkit.errors import DataShapeError, ParameterError

__all__ = [
    "NORMALISATION_PRESETS",
    "AHPResult",
    "Aggregation",
    "CompositeResult",
    "Imputation",
    "Normalisation",
    "RemovalResult",
    "SensitivityResult",
    "StepRecord",
    "UncertaintyResult",
    "Weighting",
    "ZeroPolicy",
    "ahp_weights",
    "build",
    "entropy_weights",
    "from_panel",
    "kurtosis",
    "pca_weights",
    "rebuild",
    "remove_elements",
    "saltelli_design",
    "sensitivity",
    "skewness",
    "sobol_indices",
    "uncertainty",
]

Imputation = Literal["none", "mean", "median", "group_mean", "group_median"]
Normalisation = Literal["minmax", "zscore", "rank", "distance_to_target", "goalposts", "none"]
Weighting = Literal["given", "equal", "entropy", "pca", "ahp"]
Aggregation = Literal["arithmetic", "geometric", "harmonic"]
ZeroPolicy = Literal["error", "zero"]

# Alternatives for the Monte Carlo analyses when given by name: COINr's sensitivity vignette uses
# min-max onto [1, 100] and z-scores with mean 10, sd 2, both positive so a geometric mean works.
NORMALISATION_PRESETS: Mapping[str, Mapping[str, object]] = MappingProxyType({
    "minmax": {"normalise": "minmax", "norm_range": (1.0, 100.0)},
    "zscore": {"normalise": "zscore", "norm_zscore": (10.0, 2.0)},
    "rank": {"normalise": "rank"},
})
_NORMALISATION_KEYS = {"normalise", "norm_range", "norm_zscore", "goalposts", "target_cap"}


def _choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ParameterError(f"{name}={value!r} is not one of {', '.join(map(repr, choices))}")


@dataclass(frozen=True)
class StepRecord:
    """One step of a build: its name, the settings it ran with, and what it did."""

    step: str
    params: Mapping[str, object]
    summary: str


def _frame_html(title: str, frame: pd.DataFrame, note: str = "", rows: int = 20) -> str:
    shown = frame.head(rows).to_html(float_format="{:.2f}".format, na_rep="–")
    more = f"<p>… {len(frame) - rows} more rows</p>" if len(frame) > rows else ""
    return f"<p><b>{html.escape(title)}</b> {html.escape(note)}</p>{shown}{more}"


@dataclass(frozen=True, eq=False)
class CompositeResult:
    """A built composite indicator.

    Attributes
    ----------
    scores : DataFrame
        Units × aggregates (the index first, then each level down to the first aggregation level).
    ranks : DataFrame
        Ranks of ``scores`` per column: 1 = highest; ties share the lowest rank (1, 2, 2, 4).
    normalised : DataFrame
        Units × indicators after normalisation (direction applied).
    weights : DataFrame
        Per indicator/aggregate: ``level``, ``parent``, ``weight`` as used, ``share`` within the
        parent, ``effective`` weight in the index (each level sums to 1).
    treatment : DataFrame or None
        Outlier treatment per indicator (skew, kurtosis before/after, points winsorised, treatment).
    datasets : mapping
        The data after each step that ran: ``raw``, ``denominated``, ``screened``, ``imputed``,
        ``treated``, ``normalised``.
    log : tuple of StepRecord
        The steps in the order they ran, with their settings.
    settings : mapping
        The keyword arguments of :func:`build`; :func:`rebuild` changes some and runs again.
    hierarchy : Hierarchy
        The checked index structure (``hierarchy.table`` is the metadata as used).
    inputs : (DataFrame, DataFrame)
        *data* and *meta* as given to :func:`build`.
    """

    scores: pd.DataFrame
    ranks: pd.DataFrame
    normalised: pd.DataFrame
    weights: pd.DataFrame
    treatment: pd.DataFrame | None
    datasets: Mapping[str, pd.DataFrame] = field(repr=False)
    log: tuple[StepRecord, ...] = field(repr=False)
    settings: Mapping[str, object] = field(repr=False)
    hierarchy: Hierarchy = field(repr=False)
    inputs: tuple[pd.DataFrame, pd.DataFrame] = field(repr=False)

    @property
    def index_code(self) -> str:
        return self.hierarchy.top

    def table(self, *, level: int | None = None, lang: str = "en",
              names: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Ranking table: rank, index score and the scores of one level (default: the level below the
        index), sorted by rank, columns labelled with the meta names in *lang*; *names* adds unit names.
        """
        h = self.hierarchy
        level = max(2, h.n_levels - 1) if level is None else level
        if not 2 <= level <= h.n_levels:
            raise ParameterError(f"level must be between 2 and {h.n_levels} (aggregate levels), got {level}")
        labels = h.names(lang)
        columns = [h.top] + [c for c in h.codes[level - 1] if c != h.top]
        out = self.scores[columns].rename(columns=labels)
        out.insert(0, "rank", self.ranks[h.top])
        if names is not None:
            out.insert(1, "name", [names.get(u, u) for u in out.index])
        return out.sort_values("rank", kind="stable")

    def log_frame(self) -> pd.DataFrame:
        """The step log as a table: step, settings, what it did."""
        return pd.DataFrame({"step": [r.step for r in self.log],
                             "settings": [", ".join(f"{k}={v}" for k, v in r.params.items() if v is not None)
                                          for r in self.log],
                             "summary": [r.summary for r in self.log]})

    def _repr_html_(self) -> str:
        steps = " → ".join(r.step for r in self.log)
        return _frame_html("Composite indicator", self.table(),
                           f"({len(self.scores)} units; steps: {steps})")


@dataclass(frozen=True, eq=False)
class RemovalResult:
    """Effect on the index ranking of dropping each element of one level (its weight set to 0).

    ``summary`` has per element the mean and largest absolute rank change over units; ``ranks`` the
    index ranks with each element removed (and ``nominal``); ``rank_changes`` nominal − new rank
    (positive: the unit moves up without the element).
    """

    level: int
    summary: pd.DataFrame
    ranks: pd.DataFrame
    rank_changes: pd.DataFrame

    def _repr_html_(self) -> str:
        return _frame_html(f"Removing level-{self.level} elements one at a time", self.summary)


@dataclass(frozen=True, eq=False)
class UncertaintyResult:
    """Index ranks over Monte Carlo draws of the uncertain assumptions.

    ``rank_stats`` per unit: ``nominal`` rank, ``mean``, ``median``, ``q05``, ``q95`` (5th/95th
    percentiles, linear interpolation as R's default) of the draws' ranks. ``ranks`` and ``scores``
    are draws × units; ``draws`` records the assumptions of each draw (``weight_set`` indexes the rows
    of ``weight_sets``, the noisy weights of every code).
    """

    rank_stats: pd.DataFrame
    ranks: pd.DataFrame
    scores: pd.DataFrame
    draws: pd.DataFrame
    weight_sets: pd.DataFrame | None
    nominal: CompositeResult = field(repr=False)

    def _repr_html_(self) -> str:
        return _frame_html("Rank uncertainty", self.rank_stats.sort_values("nominal"), f"({len(self.draws)} draws)")


@dataclass(frozen=True, eq=False)
class SensitivityResult:
    """Sobol indices of each uncertain assumption on the mean absolute rank change of the index.

    ``indices``: ``S`` (first order), ``ST`` (total), with bootstrap 5 %–95 % intervals;
    ``outputs``: mean absolute rank change vs nominal for every run of the design; ``rank_stats``:
    rank uncertainty from the 2n random runs; ``removal``: :func:`remove_elements` of the nominal.
    """

    indices: pd.DataFrame
    outputs: pd.Series
    rank_stats: pd.DataFrame
    removal: RemovalResult
    draws: pd.DataFrame
    weight_sets: pd.DataFrame | None
    n_base: int
    nominal: CompositeResult = field(repr=False)

    def _repr_html_(self) -> str:
        return _frame_html("Sensitivity indices", self.indices, f"(n = {self.n_base}, {len(self.draws)} runs)")


def _indicator_values(frame: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    missing = [c for c in hierarchy.indicators if c not in frame.columns]
    if missing:
        raise DataShapeError(f"indicators {missing} are in meta but not columns of data; "
                             "add them or drop them from meta")
    values = frame[list(hierarchy.indicators)]
    numeric = values.apply(pd.to_numeric, errors="coerce").astype(float)
    bad = values.notna() & numeric.isna()
    if bad.any().any():
        col = bad.any().idxmax()
        unit = bad[col].idxmax()
        raise DataShapeError(
            f"data column {col!r} has a non-numeric value {values.at[unit, col]!r} for unit {unit!r}; "
            "give numbers (blank for missing)"
        )
    return numeric


def _methods(hierarchy: Hierarchy, aggregation) -> list[str]:
    """Aggregation method of each level step (level l → l + 1), from a name or {produced level: name}."""
    n = hierarchy.n_levels
    if isinstance(aggregation, Mapping):
        unknown = [k for k in aggregation if k not in range(2, n + 1)]
        if unknown:
            raise ParameterError(f"aggregation keys are the levels produced, 2…{n}; got {unknown}")
        methods = [aggregation.get(level, "arithmetic") for level in range(2, n + 1)]
    else:
        methods = [aggregation] * (n - 1)
    for m in methods:
        _choice("aggregation", m, AGGREGATIONS)
    return methods


def _ahp_group(hierarchy: Hierarchy, parent: str, matrix) -> pd.Series:
    kids = hierarchy.children(parent)
    if not isinstance(matrix, pd.DataFrame):
        raise ParameterError(f"ahp[{parent!r}] must be a DataFrame whose index and columns name the children {kids}")
    result = ahp_weights(matrix)
    if sorted(map(str, result.weights.index)) != sorted(kids):
        raise ParameterError(f"ahp[{parent!r}] compares {list(result.weights.index)}; "
                             f"the children of {parent!r} are {kids}")
    if not result.consistent:
        raise ParameterError(
            f"ahp[{parent!r}] is inconsistent: CR = {result.consistency_ratio:.3f} ≥ 0.10 (Saaty); revise the "
            "pairwise judgements (evalkit.composite.ahp_weights shows λmax and CR)"
        )
    return result.weights.rename(index=str)


def _weigh_and_aggregate(hierarchy: Hierarchy, normalised: pd.DataFrame, *, weights, weight_levels, ahp,
                         methods: list[str], zeros: str) -> tuple[pd.Series, list[np.ndarray], str]:
    """Weights of every non-top code and the scores of each aggregate level (U × n_level).

    Data-driven weights (entropy, PCA) of level *l* are computed within each parent group from the
    level-*l* scores, so levels are weighted and aggregated bottom-up.
    """
    table = hierarchy.table
    used = table["weight"].astype(float).copy()
    levels = range(1, hierarchy.n_levels)
    if isinstance(weights, Mapping):
        unknown = sorted(set(map(str, weights)) - set(table.index))
        if unknown:
            raise ParameterError(f"weights for unknown codes {unknown}; codes are those of meta")
        used.update(pd.Series({str(k): float(v) for k, v in weights.items()}))
        method = "given"
    else:
        _choice("weights", weights, get_args(Weighting))
        method = weights
    chosen = set(levels if weight_levels is None else weight_levels)
    if not chosen <= set(levels):
        raise ParameterError(f"weight_levels must be among {list(levels)} (levels below the index), "
                             f"got {sorted(chosen)}")
    if method == "ahp":
        if not ahp:
            raise ParameterError("weights='ahp' needs ahp={parent code: pairwise DataFrame of its children}")
        unknown = sorted(set(ahp) - set(hierarchy.aggregates))
        if unknown:
            raise ParameterError(f"ahp keys must be aggregate codes; {unknown} are not")
        for parent, matrix in ahp.items():
            used.update(_ahp_group(hierarchy, parent, matrix))
    if method == "equal":
        used[[c for lev in chosen for c in hierarchy.codes[lev - 1]]] = 1.0
    current = normalised.to_numpy(dtype=float)
    level_scores = []
    for level in levels:
        codes = hierarchy.codes[level - 1]
        if method in ("entropy", "pca") and level in chosen:
            frame = pd.DataFrame(current, index=normalised.index, columns=codes)
            for parent in hierarchy.codes[level]:
                kids = hierarchy.children(parent)
                group = frame[kids]
                rule = entropy_weights(group) if method == "entropy" else pca_weights(group, squared=True)
                used[kids] = rule.to_numpy()
        current = aggregate_level(current, used[list(codes)].to_numpy()[None, :], hierarchy.membership(level),
                                  methods[level - 1], zeros, codes=codes)[0]
        level_scores.append(current)
    summary = f"{method} weights" + ("" if method in ("given", "ahp") else f" at levels {sorted(chosen)}")
    return used.drop(hierarchy.top), level_scores, summary


def build(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    unit: str | None = None,
    denominate: bool = False,
    screen: float | None = None,
    impute: Imputation = "none",
    impute_group: str | None = None,
    treat: bool = False,
    winmax: int = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    normalise: Normalisation = "minmax",
    norm_range: tuple[float, float] = (0.0, 100.0),
    norm_zscore: tuple[float, float] = (0.0, 1.0),
    goalposts: Mapping[str, tuple[float, float]] | None = None,
    target_cap: bool = True,
    weights: Weighting | Mapping[str, float] = "given",
    weight_levels: Sequence[int] | None = None,
    ahp: Mapping[str, pd.DataFrame] | None = None,
    aggregation: Aggregation | Mapping[int, Aggregation] = "arithmetic",
    zeros: ZeroPolicy = "error",
) -> CompositeResult:
    """Build a composite indicator from unit × indicator *data* and its *meta* (COINr iData / iMeta).

    Parameters
    ----------
    data : DataFrame
        One row per unit: a unit-code column, one numeric column per level-1 code of *meta*, and any
        group or denominator columns the steps use.
    meta : DataFrame
        ``code``, ``level``, ``parent``, ``direction``, ``weight`` (+ ``denominator``,
        ``scale_factor``, ``target``, ``name``/``name_zh``/``name_en``); COINr spellings accepted.
    unit : str, optional
        Unit-code column (default ``uCode`` or ``region``, whichever exists).
    denominate : bool
        Divide indicators by their meta ``denominator`` column of *data* (over ``scale_factor``).
    screen : float, optional
        Keep units with at least this share of indicator values present (COINr ``byNA``), e.g. 0.9.
        Screening runs before imputation.
    impute : {"none", "mean", "median", "group_mean", "group_median"}
        Fill missing values per indicator; ``group_*`` within the groups of column *impute_group*.
        With ``"none"`` aggregation skips missing values and rescales the weights of the others.
    treat : bool
        Outlier treatment (COINr default): indicators with ``|skew| ≥ skew_thresh`` and
        ``kurtosis ≥ kurt_thresh`` are winsorised up to *winmax* points, else log-transformed.
    normalise : {"minmax", "zscore", "rank", "distance_to_target", "goalposts", "none"}
        With *norm_range* (min-max, distance to target and goalposts map onto it), *norm_zscore*
        (mean, sd), *goalposts* ({code: (low, high)} in indicator units), *target_cap* (cap distance
        to target at the target). Direction is applied first.
    weights : {"given", "equal", "entropy", "pca", "ahp"} or mapping
        ``given``: meta weights; ``equal``: 1 for every code; ``entropy`` / ``pca``: computed within
        each parent group from the normalised (or aggregated) scores — for ``pca`` the squared
        first-component loadings (positive; COINr's signed loadings are :func:`pca_weights` and can
        be passed as a mapping); ``ahp``: from the pairwise
        matrices in *ahp* ({parent code: DataFrame}), CR must be < 0.10. A mapping {code: weight}
        overrides meta weights. *weight_levels* limits equal/entropy/PCA to some levels.
    aggregation : {"arithmetic", "geometric", "harmonic"} or {level: method}
        Weighted mean used at every level (or per produced level 2…L). *zeros*: ``"error"`` or
        ``"zero"`` (a zero score makes a geometric/harmonic mean 0).

    Returns
    -------
    CompositeResult

    Notes
    -----
    Within a parent group the score is the weighted mean of the children present,
    :math:`y = \\sum w_i x_i / \\sum w_i` (arithmetic; geometric and harmonic analogously). Ranks:
    1 = highest score, ties share the lowest rank. See the step functions in ``_composite_steps`` for
    each step's formula.
    """
    settings = dict(unit=unit, denominate=denominate, screen=screen, impute=impute, impute_group=impute_group,
                    treat=treat, winmax=winmax, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh,
                    normalise=normalise, norm_range=tuple(norm_range), norm_zscore=tuple(norm_zscore),
                    goalposts=goalposts, target_cap=target_cap, weights=weights, weight_levels=weight_levels,
                    ahp=ahp, aggregation=aggregation, zeros=zeros)
    _choice("impute", impute, get_args(Imputation))
    _choice("normalise", normalise, get_args(Normalisation))
    _choice("zeros", zeros, get_args(ZeroPolicy))
    hierarchy = parse_meta(meta)
    methods = _methods(hierarchy, aggregation)
    unit_column = resolve_unit(data, unit)
    frame = data.assign(**{unit_column: data[unit_column].astype(str)}).set_index(unit_column)
    values = _indicator_values(frame, hierarchy)
    datasets = {"raw": values}
    log = [StepRecord("input", {"unit": unit_column},
                      f"{len(values)} units × {values.shape[1]} indicators, "
                      f"{int(values.isna().sum().sum())} missing values")]
    if denominate:
        values, info = _denominate(values, frame, hierarchy)
        datasets["denominated"] = values
        log.append(StepRecord("denominate", {}, f"{len(info['denominated'])} indicators divided by their denominator"
                              + (f"; zero/missing denominators: {info['zero_or_missing_denominator']}"
                                 if info["zero_or_missing_denominator"] else "")))
    if screen is not None:
        values, removed = _screen(values, float(screen))
        datasets["screened"] = values
        log.append(StepRecord("screen", {"threshold": screen},
                              f"removed {len(removed)} units below {screen:.0%} data availability: {removed}"))
    if impute != "none":
        groups = None
        if impute.startswith("group_"):
            if impute_group is None or impute_group not in frame.columns:
                raise ParameterError(f"impute={impute!r} needs impute_group=<a column of data>; got {impute_group!r}")
            groups = frame.loc[values.index, impute_group]
        values, info = _impute(values, impute, groups)
        datasets["imputed"] = values
        log.append(StepRecord("impute", {"method": impute, "group": impute_group},
                              f"{info['imputed']} values imputed" + (f"; still missing: {info['left_missing']}"
                                                                     if info["left_missing"] else "")))
    treatment = None
    if treat:
        values, treatment = _treat(values, winmax=winmax, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh)
        datasets["treated"] = values
        counts = treatment["treatment"].value_counts()
        log.append(StepRecord("treat", {"winmax": winmax, "skew_thresh": skew_thresh, "kurt_thresh": kurt_thresh},
                              f"{counts.get('winsorised', 0)} indicators winsorised, "
                              f"{counts.get('log', 0)} log-transformed"))
    normalised, flat = _normalise(values, hierarchy, method=normalise, norm_range=norm_range,
                                  norm_zscore=norm_zscore, goalposts=goalposts, target_cap=target_cap)
    datasets["normalised"] = normalised
    log.append(StepRecord("normalise", {"method": normalise, "norm_range": tuple(norm_range),
                                        "norm_zscore": tuple(norm_zscore), "target_cap": target_cap},
                          f"{normalise}" + (f"; no spread (left missing): {flat}" if flat else "")))
    used, level_scores, summary = _weigh_and_aggregate(hierarchy, normalised, weights=weights,
                                                       weight_levels=weight_levels, ahp=ahp, methods=methods,
                                                       zeros=zeros)
    log.append(StepRecord("weights", {"method": weights if isinstance(weights, str) else "mapping",
                                      "levels": weight_levels}, summary))
    log.append(StepRecord("aggregate", {"methods": methods, "zeros": zeros},
                          f"{', '.join(sorted(set(methods)))} mean up to {hierarchy.top!r}"))
    columns = {code: scores[:, j] for level, scores in enumerate(level_scores, start=2)
               for j, code in enumerate(hierarchy.codes[level - 1])}
    scores = pd.DataFrame({c: columns[c] for c in hierarchy.aggregates}, index=normalised.index)
    ranks = scores.rank(ascending=False, method="min").astype("Int64")
    return CompositeResult(scores=scores, ranks=ranks, normalised=normalised, weights=weight_table(hierarchy, used),
                           treatment=treatment, datasets=MappingProxyType(datasets), log=tuple(log),
                           settings=MappingProxyType(settings), hierarchy=hierarchy, inputs=(data, meta))


def rebuild(result: CompositeResult, **changes) -> CompositeResult:
    """Run *result*'s pipeline again on the same inputs with some settings changed
    (any keyword of :func:`build`, e.g. ``normalise="zscore"``).
    """
    unknown = sorted(set(changes) - set(result.settings))
    if unknown:
        raise ParameterError(f"rebuild got unknown setting(s) {unknown}; settings are {sorted(result.settings)}")
    return build(*result.inputs, **{**result.settings, **changes})


def _level_weights(result: CompositeResult, draws: int) -> list[np.ndarray]:
    w = result.weights["weight"]
    return [np.repeat(w[list(codes)].to_numpy()[None, :], draws, axis=0) for codes in result.hierarchy.codes[:-1]]


def _index_scores(result: CompositeResult, normalised: np.ndarray, weights: list[np.ndarray], methods) -> np.ndarray:
    return aggregate_all(result.hierarchy, normalised, weights, methods, result.settings["zeros"])[-1][:, :, 0]


def remove_elements(result: CompositeResult, *, level: int | None = None) -> RemovalResult:
    """Drop each element of *level* in turn (weight 0, siblings rescaled) and compare index ranks.

    Parameters
    ----------
    result : CompositeResult
        The nominal composite; its normalised data, weights and aggregation are reused.
    level : int, optional
        Level whose elements are removed (default 2, the first aggregate level, or 1 when the
        hierarchy has only indicators and the index). COINr ``remove_elements``.

    Notes
    -----
    For element *e*: mean absolute rank change :math:`\\frac1U\\sum_u |r_u - r_u^{(-e)}|` over the units.
    """
    h = result.hierarchy
    level = (2 if h.n_levels >= 3 else 1) if level is None else level
    if not 1 <= level < h.n_levels:
        raise ParameterError(f"level must be between 1 and {h.n_levels - 1} (below the index), got {level}")
    elements = list(h.codes[level - 1])
    weights = _level_weights(result, len(elements))
    weights[level - 1][np.arange(len(elements)), np.arange(len(elements))] = 0.0
    scores = _index_scores(result, result.normalised.to_numpy(dtype=float), weights,
                           _methods(h, result.settings["aggregation"]))
    nominal = result.ranks[h.top].to_numpy(dtype=float)
    ranks = pd.DataFrame(rank_descending(scores).T, index=result.scores.index, columns=elements)
    changes = pd.DataFrame(nominal[:, None] - ranks.to_numpy(), index=ranks.index, columns=elements)
    summary = pd.DataFrame({"mean_abs_rank_change": changes.abs().mean().to_numpy(),
                            "max_abs_rank_change": changes.abs().max().to_numpy()},
                           index=pd.Index(elements, name="element"))
    return RemovalResult(level=level, summary=summary, ranks=ranks.assign(nominal=nominal), rank_changes=changes)


@dataclass(frozen=True)
class _Factor:
    name: str
    labels: tuple[str, ...]
    values: tuple


def _factors(nominal: CompositeResult, *, weight_noise, noise_levels, normalisation, aggregation,
             winmax) -> list[_Factor]:
    """The uncertain assumptions, each a finite list of alternatives (for the weights: the noise level
    and the levels it applies to; the noisy sets are drawn in :func:`_simulate`).
    """
    factors = []
    if isinstance(winmax, str):
        _choice("winmax", winmax, ("auto",))
        winmax = (1, 2, 3, 4, 5) if nominal.settings["treat"] else None
    if winmax:
        if any(not _is_int(w) or w < 0 for w in winmax):
            raise ParameterError(f"winmax alternatives must be non-negative integers, got {winmax}")
        factors.append(_Factor("winmax", tuple(str(w) for w in winmax), tuple(int(w) for w in winmax)))
    if normalisation:
        specs = []
        for alt in normalisation:
            if isinstance(alt, str):
                _choice("normalisation alternative", alt, tuple(NORMALISATION_PRESETS))
                alt = NORMALISATION_PRESETS[alt]
            extra = set(alt) - _NORMALISATION_KEYS
            if extra or "normalise" not in alt:
                raise ParameterError(f"normalisation alternatives are names or dicts of {sorted(_NORMALISATION_KEYS)} "
                                     f"including 'normalise'; got {alt}")
            _choice("normalise", alt["normalise"], get_args(Normalisation))
            specs.append(dict(alt))
        labels = tuple(" ".join(str(v) for k, v in s.items() if k in ("normalise", "norm_range", "norm_zscore"))
                       for s in specs)
        factors.append(_Factor("normalisation", labels, tuple(specs)))
    if weight_noise:
        h = nominal.hierarchy
        default = list(range(2, h.n_levels)) or [1]
        levels = tuple(default if noise_levels is None else noise_levels)
        if not set(levels) <= set(range(1, h.n_levels)):
            raise ParameterError(f"noise_levels must be among {list(range(1, h.n_levels))}, got {list(levels)}")
        if not 0 < weight_noise < 1:
            raise ParameterError(f"weight_noise is a ± share of each weight in (0, 1), e.g. 0.25; got {weight_noise}")
        factors.append(_Factor("weights", (f"±{weight_noise:.0%} at levels {list(levels)}",),
                               (float(weight_noise), levels)))
    if aggregation:
        for a in aggregation:
            _choice("aggregation alternative", a, AGGREGATIONS)
        factors.append(_Factor("aggregation", tuple(aggregation), tuple(aggregation)))
    if len(factors) == 0:
        raise ParameterError("nothing varies: give at least one of weight_noise, normalisation, aggregation, winmax")
    return factors


def _pretreatment(result: CompositeResult) -> pd.DataFrame:
    for key in ("imputed", "screened", "denominated", "raw"):
        if key in result.datasets:
            return result.datasets[key]
    raise AssertionError("a CompositeResult always has raw data")  # pragma: no cover


def _simulate(nominal: CompositeResult, factors: list[_Factor], design: np.ndarray, n_weight_sets: int,
              rng: np.random.Generator) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame | None]:
    """Index scores (draws × units) for each row of *design* (uniforms, one column per factor), the
    assumptions of each draw, and the noisy weight sets (the weight-noise factor picks one of
    *n_weight_sets*).
    """
    h = nominal.hierarchy
    settings = nominal.settings
    n_draws = len(design)
    choice = {}
    for j, f in enumerate(factors):
        k = n_weight_sets if f.name == "weights" else len(f.values)
        choice[f.name] = np.minimum((design[:, j] * k).astype(int), k - 1)
    by_name = {f.name: f for f in factors}
    weight_sets = None
    if "weights" in by_name:
        noise, levels = by_name["weights"].values
        base = nominal.weights["weight"]
        weight_sets = pd.DataFrame(np.repeat(base.to_numpy()[None, :], n_weight_sets, axis=0), columns=base.index)
        for level in levels:
            codes = list(h.codes[level - 1])
            weight_sets[codes] *= 1 + noise * (2 * rng.random((n_weight_sets, len(codes))) - 1)
        weights = [weight_sets[list(codes)].to_numpy()[choice["weights"]] for codes in h.codes[:-1]]
    else:
        weights = _level_weights(nominal, n_draws)
    zero = np.zeros(n_draws, dtype=int)
    keys = np.column_stack([choice.get(name, zero) for name in ("winmax", "normalisation", "aggregation")])
    cache: dict[tuple[int, int], np.ndarray] = {}
    out = np.full((n_draws, len(nominal.scores)), np.nan)
    for key in np.unique(keys, axis=0):
        wi, ni, ai = (int(k) for k in key)
        if (wi, ni) not in cache:
            values = nominal.datasets.get("treated", _pretreatment(nominal))
            if "winmax" in by_name:
                values, _ = _treat(_pretreatment(nominal), winmax=by_name["winmax"].values[wi],
                                   skew_thresh=settings["skew_thresh"], kurt_thresh=settings["kurt_thresh"])
            spec = {k: settings[k] for k in _NORMALISATION_KEYS}
            if "normalisation" in by_name:
                spec.update(by_name["normalisation"].values[ni])
            if "winmax" in by_name or "normalisation" in by_name:
                normalised, _ = _normalise(values, h, method=spec["normalise"], norm_range=spec["norm_range"],
                                           norm_zscore=spec["norm_zscore"], goalposts=spec["goalposts"],
                                           target_cap=spec["target_cap"])
            else:
                normalised = nominal.normalised
            cache[(wi, ni)] = normalised.to_numpy(dtype=float)
        methods = ([by_name["aggregation"].values[ai]] * (h.n_levels - 1) if "aggregation" in by_name
                   else _methods(h, settings["aggregation"]))
        rows = np.flatnonzero((keys == key).all(axis=1))
        out[rows] = _index_scores(nominal, cache[(wi, ni)], [w[rows] for w in weights], methods)
    table = pd.DataFrame({f.name: (choice[f.name] if f.name == "weights" else np.asarray(f.labels)[choice[f.name]])
                          for f in factors}).rename(columns={"weights": "weight_set"}).rename_axis("draw")
    return out, table, weight_sets


def _rank_stats(ranks: np.ndarray, nominal: CompositeResult) -> pd.DataFrame:
    return pd.DataFrame({
        "nominal": nominal.ranks[nominal.index_code].to_numpy(dtype=float),
        "mean": np.nanmean(ranks, axis=0),
        "median": np.nanmedian(ranks, axis=0),
        "q05": np.nanquantile(ranks, 0.05, axis=0),
        "q95": np.nanquantile(ranks, 0.95, axis=0),
    }, index=nominal.scores.index)


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _variation_args(n: int, seed) -> np.random.Generator:
    if not _is_int(n) or n < 2:
        raise ParameterError(f"the number of draws must be an integer ≥ 2, got {n!r}")
    if not _is_int(seed):
        raise ParameterError(f"seed must be an integer so the analysis can be reproduced, got {seed!r}")
    return np.random.default_rng(int(seed))


def uncertainty(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    n_draws: int,
    seed: int,
    steps: Mapping[str, object] | None = None,
    weight_noise: float | None = 0.25,
    noise_levels: Sequence[int] | None = None,
    normalisation: Sequence[str | Mapping[str, object]] | None = ("minmax", "zscore"),
    aggregation: Sequence[Aggregation] | None = ("arithmetic", "geometric"),
    winmax: Sequence[int] | Literal["auto"] | None = "auto",
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of the index ranks (COINr ``get_sensitivity(SA_type = "UA")``).

    Each draw samples every varied assumption independently and uniformly; all draws are computed
    together (vectorised over draws).

    Parameters
    ----------
    data, meta : the inputs of :func:`build`.
    n_draws : int
        Number of Monte Carlo draws.
    seed : int
        Seed of the random generator; the same seed gives the same result.
    steps : mapping, optional
        Keyword arguments of :func:`build` for the nominal composite.
    weight_noise : float or None
        Each weight of *noise_levels* (default: every aggregate level below the index, or the
        indicators when there is none) becomes :math:`w(1 + f\\,U(-1, 1))`, ``f = weight_noise``.
    normalisation : sequence or None
        Alternatives: ``"minmax"`` (onto [1, 100]), ``"zscore"`` (mean 10, sd 2), ``"rank"``, or dicts
        of normalisation settings of :func:`build`.
    aggregation : sequence or None
        Alternative means, used at every level.
    winmax : sequence, "auto" or None
        Alternative numbers of points to winsorise; ``"auto"`` = 1…5 when the nominal build treats
        outliers, else not varied.

    Returns
    -------
    UncertaintyResult

    Notes
    -----
    ``None`` (or an empty list) keeps an assumption at its nominal value. Noisy weights perturb the
    weights of the nominal build (data-driven weights are not re-estimated per draw).
    """
    rng = _variation_args(n_draws, seed)
    nominal = build(data, meta, **dict(steps or {}))
    factors = _factors(nominal, weight_noise=weight_noise, noise_levels=noise_levels,
                       normalisation=normalisation, aggregation=aggregation, winmax=winmax)
    design = rng.random((int(n_draws), len(factors)))
    scores, draws, weight_sets = _simulate(nominal, factors, design, int(n_draws), rng)
    ranks = rank_descending(scores)
    units = nominal.scores.index
    return UncertaintyResult(rank_stats=_rank_stats(ranks, nominal),
                             ranks=pd.DataFrame(ranks, columns=units).rename_axis("draw"),
                             scores=pd.DataFrame(scores, columns=units).rename_axis("draw"),
                             draws=draws, weight_sets=weight_sets, nominal=nominal)


def sensitivity(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    n_base: int,
    seed: int,
    n_boot: int | None = 100,
    steps: Mapping[str, object] | None = None,
    weight_noise: float | None = 0.25,
    noise_levels: Sequence[int] | None = None,
    normalisation: Sequence[str | Mapping[str, object]] | None = ("minmax", "zscore"),
    aggregation: Sequence[Aggregation] | None = ("arithmetic", "geometric"),
    winmax: Sequence[int] | Literal["auto"] | None = "auto",
    remove_level: int | None = None,
) -> SensitivityResult:
    """Variance-based sensitivity of the index ranking to each uncertain assumption, plus the effect of
    removing each element of *remove_level* (COINr ``get_sensitivity(SA_type = "SA")`` and
    ``remove_elements``).

    The output analysed is the mean absolute rank change of the units against the nominal ranking.
    The design has ``n_base · (d + 2)`` runs for *d* varied assumptions (see
    :func:`saltelli_design`); indices come from :func:`sobol_indices` with *n_boot* bootstrap
    replicates. Other parameters are those of :func:`uncertainty`; the weight-noise assumption picks
    one of *n_base* noisy weight sets.

    Notes
    -----
    :math:`y = \\frac1U \\sum_u |r_u - r_u^{nom}|`;
    :math:`S_i = \\frac{1}{nV}\\sum_k y_B (y_{A_B^i} - y_A)`,
    :math:`S_{Ti} = \\frac{1}{2nV}\\sum_k (y_A - y_{A_B^i})^2` with :math:`V = \\mathrm{var}(y_A, y_B)`.
    """
    rng = _variation_args(n_base, seed)
    nominal = build(data, meta, **dict(steps or {}))
    factors = _factors(nominal, weight_noise=weight_noise, noise_levels=noise_levels,
                       normalisation=normalisation, aggregation=aggregation, winmax=winmax)
    d = len(factors)
    if d < 2:
        raise ParameterError("sensitivity needs at least two varied assumptions; use uncertainty() for one")
    n = int(n_base)
    # as COINr's list of noisy weights, the weight assumption picks one of n_base noisy sets
    scores, draws, weight_sets = _simulate(nominal, factors, saltelli_design(n, d, seed=rng), n, rng)
    ranks = rank_descending(scores)
    nominal_ranks = nominal.ranks[nominal.index_code].to_numpy(dtype=float)
    y = np.nanmean(np.abs(ranks - nominal_ranks), axis=1)
    indices = sobol_indices(y, n=n, d=d, names=[f.name for f in factors], n_boot=n_boot, seed=rng)
    return SensitivityResult(indices=indices, outputs=pd.Series(y, name="mean_abs_rank_change").rename_axis("run"),
                             rank_stats=_rank_stats(ranks[:2 * n], nominal),
                             removal=remove_elements(nominal, level=remove_level), draws=draws,
                             weight_sets=weight_sets, n_base=n, nominal=nominal)


def _column(frame: pd.DataFrame, name: str) -> list:
    return frame[name].to_list() if name in frame.columns else [None] * len(frame)


def from_panel(panel: pd.DataFrame, indicators: pd.DataFrame, *, year: int,
               regions: Sequence[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn an evalkit panel and the indicator catalogue into *data* and *meta* for :func:`build`.

    Parameters
    ----------
    panel : DataFrame
        Long panel (``region``, ``year``, ``indicator``, ``value``), as :func:`evalkit.io.read_panel`.
    indicators : DataFrame
        Catalogue rows (``code``, ``category``, ``polarity``; optionally ``name_zh``, ``name_en``,
        ``category_zh``, ``category_en``, ``denominator``). Only indicators with polarity ±1 are used.
    year : int
        The year to score.
    regions : sequence of str, optional
        Region codes to score (default: the prefecture-level codes in the panel — six digits ending in
        ``00`` but not ``0000``).

    Returns
    -------
    (data, meta)
        *data*: one row per region (column ``region``), one column per indicator and denominator.
        *meta*: three levels — indicator (direction = polarity) → category → ``index``.
    """
    need = {"region", "year", "indicator", "value"}
    if not isinstance(panel, pd.DataFrame) or not need <= set(panel.columns):
        raise ParameterError(f"panel must be a long DataFrame with columns {sorted(need)} (evalkit.io.read_panel)")
    catalogue = indicators.reset_index(drop="code" in indicators.columns)
    if not {"code", "category", "polarity"} <= set(catalogue.columns):
        raise ParameterError("indicators must have columns code, category, polarity "
                             "(evalkit.io.read_reference('indicators'))")
    catalogue = catalogue[pd.to_numeric(catalogue["polarity"], errors="coerce").isin([1, -1])]
    if catalogue.empty:
        raise DataShapeError("no indicator in the catalogue has polarity +1 or -1; nothing to score")
    rows = panel[pd.to_numeric(panel["year"], errors="coerce") == year]
    rows = rows.assign(region=rows["region"].astype(str))
    if regions is None:
        codes = rows["region"]
        regions = sorted(codes[codes.str.fullmatch(r"\d{4}00") & ~codes.str.endswith("0000")].unique())
    regions = [str(r) for r in regions]
    if not regions:
        raise DataShapeError(f"the panel has no prefecture-level region in {year}; "
                             "pass regions=[...] or another year")
    denominators = []
    if "denominator" in catalogue.columns:
        denominators = sorted({str(d) for d in catalogue["denominator"] if isinstance(d, str) and d.strip()})
    wanted = list(catalogue["code"].astype(str)) + denominators
    rows = rows[rows["region"].isin(regions) & rows["indicator"].isin(wanted)]
    duplicated = rows[rows.duplicated(["region", "indicator"], keep=False)]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        raise DataShapeError(f"the panel has more than one {year} value for region {first['region']}, indicator "
                             f"{first['indicator']}; keep one row per region, year and indicator")
    wide = rows.pivot(index="region", columns="indicator", values="value")
    wide = wide.reindex(pd.Index(regions, name="region"))
    absent = [c for c in catalogue["code"] if c not in wide.columns or wide[c].isna().all()]
    if absent:
        raise DataShapeError(f"no {year} value for indicator(s) {absent} in the chosen regions; drop them from "
                             "indicators or choose another year")
    data = wide.reindex(columns=[c for c in wanted if c in wide.columns]).rename_axis(None, axis=1).reset_index()
    meta = pd.DataFrame({"code": catalogue["code"].astype(str).to_list(), "level": 1,
                         "parent": catalogue["category"].astype(str).to_list(),
                         "direction": pd.to_numeric(catalogue["polarity"]).astype(float).to_list(), "weight": 1.0,
                         "denominator": _column(catalogue, "denominator"), "name_zh": _column(catalogue, "name_zh"),
                         "name_en": _column(catalogue, "name_en")})
    groups = catalogue.drop_duplicates("category")
    categories = pd.DataFrame({"code": groups["category"].astype(str).to_list(), "level": 2, "parent": "index",
                               "direction": 1.0, "weight": 1.0, "name_zh": _column(groups, "category_zh"),
                               "name_en": _column(groups, "category_en")})
    index = pd.DataFrame({"code": ["index"], "level": [3], "parent": [None], "direction": [1.0], "weight": [1.0],
                          "name_zh": ["综合指数"], "name_en": ["Composite index"]})
    return data, pd.concat([meta, categories, index], ignore_index=True)
