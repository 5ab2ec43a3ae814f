"""Uncertainty and sensitivity of a composite index (COINr ``get_sensitivity``, ``remove_elements``).

:func:`uncertainty` and :func:`sensitivity` re-compute the index under many alternative assumptions at once
(vectorised over draws, :mod:`evalkit.composite.aggregate`) and report rank intervals and Sobol indices;
:func:`remove_elements` shows what dropping each pillar/category does to the ranking. The alternatives are one
:class:`Variations` value. The Sobol estimators (Saltelli 2010 first order on centred outputs, Jansen 1999 total)
are :func:`saltelli_design` and :func:`sobol_indices`.

Reference checks: ``tests/reference/test_ishigami.py`` (closed-form Ishigami indices),
``tests/reference/test_sobol_salib.py`` (SALib on the same design) and ``tests/reference/test_asem.py`` (COINr).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd

from evalkit._shared.checks import check_choice
from evalkit.composite.aggregate import AGGREGATIONS, Aggregation, aggregate_all, level_methods, rank_descending
from evalkit.composite.build import build
from evalkit.composite.results import CompositeResult, RemovalResult, SensitivityResult, UncertaintyResult
from evalkit.composite.steps import NORMALISATIONS
from evalkit.composite.steps import normalise as _normalise
from evalkit.composite.steps import treat as _treat
from evalkit.errors import ParameterError

__all__ = ["NORMALISATION_PRESETS", "Variations", "remove_elements", "saltelli_design", "sensitivity",
           "sobol_indices", "uncertainty"]

# Alternatives for the Monte Carlo analyses when given by name: COINr's sensitivity vignette uses
# min-max onto [1, 100] and z-scores with mean 10, sd 2, both positive so a geometric mean works.
NORMALISATION_PRESETS: Mapping[str, Mapping[str, object]] = MappingProxyType({
    "minmax": {"normalise": "minmax", "norm_range": (1.0, 100.0)},
    "zscore": {"normalise": "zscore", "norm_zscore": (10.0, 2.0)},
    "rank": {"normalise": "rank"},
})
_NORMALISATION_KEYS = {"normalise", "norm_range", "norm_zscore", "goalposts", "target_cap"}


@dataclass(frozen=True)
class Variations:
    """The assumptions :func:`uncertainty` and :func:`sensitivity` vary, and their alternatives.

    Attributes
    ----------
    weight_noise : float or None
        Each weight of *noise_levels* becomes :math:`w(1 + f\\,U(-1, 1))`, ``f = weight_noise``
        (default 0.25); ``None`` keeps the weights.
    noise_levels : sequence of int, optional
        Levels whose weights are perturbed (default: every aggregate level below the index, or the
        indicators when there is none).
    normalisation : sequence or None
        Alternatives: ``"minmax"`` (onto [1, 100]), ``"zscore"`` (mean 10, sd 2), ``"rank"``, or dicts of
        normalisation settings of :func:`evalkit.composite.build`.
    aggregation : sequence or None
        Alternative means, used at every level.
    winmax : sequence, "auto" or None
        Alternative numbers of points to winsorise; ``"auto"`` = 1…5 when the nominal build treats
        outliers, else not varied.

    Notes
    -----
    ``None`` (or an empty list) keeps an assumption at its nominal value. The defaults are COINr's
    sensitivity vignette.
    """

    weight_noise: float | None = 0.25
    noise_levels: Sequence[int] | None = None
    normalisation: Sequence[str | Mapping[str, object]] | None = ("minmax", "zscore")
    aggregation: Sequence[Aggregation] | None = ("arithmetic", "geometric")
    winmax: Sequence[int] | Literal["auto"] | None = "auto"

    @classmethod
    def of(cls, variations: Variations | None = None, **changes) -> Variations:
        """*variations* (default: the defaults) with some fields changed; unknown names are refused."""
        base = cls() if variations is None else variations
        if not isinstance(base, cls):
            raise ParameterError(f"variations must be an evalkit.composite.Variations, got {type(base).__name__}")
        known = [f.name for f in fields(cls)]
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise ParameterError(f"unknown variation(s) {unknown}; the variations are {known}")
        return replace(base, **changes)


def saltelli_design(n: int, d: int, *, seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Input sample on the unit hypercube for estimating Sobol indices: ``n·(d + 2)`` rows × ``d``.

    Rows are stacked as ``[A; B; A_B^1; …; A_B^d]``: *A* and *B* are independent uniform n × d
    matrices and :math:`A_B^i` is *A* with column *i* taken from *B* (COINr ``SA_sample``).
    """
    if n < 2 or d < 1:
        raise ParameterError(f"saltelli_design needs n ≥ 2 base samples and d ≥ 1 inputs, got n={n}, d={d}")
    rng = np.random.default_rng(seed)
    a = rng.random((n, d))
    b = rng.random((n, d))
    blocks = [a, b]
    for i in range(d):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    return np.vstack(blocks)


def _check_level(level: float) -> float:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ParameterError(f"level is the width of an interval in (0, 1), e.g. 0.9; got {level!r}")
    return float(level)


def sobol_indices(y, *, n: int, d: int, names: Sequence[str] | None = None, n_boot: int | None = None,
                  seed: int | np.random.Generator | None = None, level: float = 0.9) -> pd.DataFrame:
    """First-order and total Sobol indices from model outputs on a :func:`saltelli_design` sample.

    Parameters
    ----------
    y : array of length n·(d + 2)
        Outputs in the row order of the design.
    n, d : int
        Base sample size and number of inputs.
    names : sequence of str, optional
        Input names (default ``x1 … xd``).
    n_boot : int, optional
        Bootstrap replicates for percentile intervals of width *level* (columns ``S_lo``, ``S_hi``,
        ``ST_lo``, ``ST_hi``); each index resamples its own n terms with replacement, the variance held
        fixed (COINr ``SA_estimate``).
    seed : int or Generator, optional
        Seed of the bootstrap.
    level : float
        Width of the bootstrap intervals (default 0.9: the 5th and 95th percentiles).

    Returns
    -------
    DataFrame
        Indexed by input: ``S``, ``ST`` (and the interval columns).

    Notes
    -----
    The outputs are centred first, :math:`\\tilde y = y - \\bar y` over all n(d + 2) runs (as SALib's
    ``sobol.analyze``), so adding a constant to the model leaves the indices unchanged. With
    :math:`V = \\mathrm{var}(\\tilde y_A, \\tilde y_B)` over the 2n outputs of *A* and *B*:

    .. math::
        S_i = \\frac{1}{nV} \\sum_k \\tilde y_{B,k}\\,(\\tilde y_{A_B^i,k} - \\tilde y_{A,k})
        \\quad \\text{(Saltelli et al. 2010)}

        S_{Ti} = \\frac{1}{2nV} \\sum_k (y_{A,k} - y_{A_B^i,k})^2 \\quad \\text{(Jansen 1999)}

    Without centring the first-order estimator is unbiased but not shift-invariant: a shift by *c* adds
    :math:`c \\cdot \\mathrm{mean}(y_{A_B^i} - y_A)/V`, whose Monte Carlo variance grows with :math:`c^2`
    (issue 15: S moved from 0.515 to 0.799 for y + 100). Checked
    against SALib on the same design (``tests/reference/test_sobol_salib.py``) and against the closed-form
    Ishigami indices (``tests/reference/test_ishigami.py``).
    """
    y = np.asarray(y, dtype=float)
    if y.size != n * (d + 2):
        raise ParameterError(f"y must have n·(d+2) = {n * (d + 2)} values for n={n}, d={d}; got {y.size}")
    names = list(names) if names is not None else [f"x{i + 1}" for i in range(d)]
    if len(names) != d:
        raise ParameterError(f"names must have d = {d} entries, got {len(names)}")
    level = _check_level(level)
    y = y - np.nanmean(y)
    y_a, y_b = y[:n], y[n:2 * n]
    y_ab = y[2 * n:].reshape(d, n).T
    variance = np.var(np.concatenate([y_a, y_b]), ddof=1)
    first_terms = y_b[:, None] * (y_ab - y_a[:, None])
    total_terms = (y_a[:, None] - y_ab) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({"S": first_terms.mean(axis=0) / variance,
                            "ST": total_terms.sum(axis=0) / (2 * n * variance)}, index=pd.Index(names, name="input"))
        if n_boot:
            rng = np.random.default_rng(seed)
            first_boot = np.empty((n_boot, d))
            total_boot = np.empty((n_boot, d))
            for r in range(n_boot):
                first_boot[r] = np.take_along_axis(first_terms, rng.integers(0, n, (n, d)), axis=0).mean(axis=0)
                total_boot[r] = np.take_along_axis(total_terms, rng.integers(0, n, (n, d)), axis=0).sum(axis=0)
            first_boot /= variance
            total_boot /= 2 * n * variance
            tails = [(1 - level) / 2, (1 + level) / 2]
            out["S_lo"], out["S_hi"] = np.quantile(first_boot, tails, axis=0)
            out["ST_lo"], out["ST_hi"] = np.quantile(total_boot, tails, axis=0)
    return out


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
                           level_methods(h, result.settings["aggregation"]))
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
    """The uncertain assumptions, each a finite list of alternatives.

    For the weights: the noise level and the levels it applies to; the noisy sets are drawn in :func:`_simulate`.
    """
    factors = []
    if isinstance(winmax, str):
        check_choice("winmax", winmax, ("auto",))
        winmax = (1, 2, 3, 4, 5) if nominal.settings["treat"] else None
    if winmax:
        if any(not _is_int(w) or w < 0 for w in winmax):
            raise ParameterError(f"winmax alternatives must be non-negative integers, got {winmax}")
        factors.append(_Factor("winmax", tuple(str(w) for w in winmax), tuple(int(w) for w in winmax)))
    if normalisation:
        specs = []
        for alt in normalisation:
            if isinstance(alt, str):
                check_choice("normalisation alternative", alt, tuple(NORMALISATION_PRESETS))
                alt = NORMALISATION_PRESETS[alt]
            extra = set(alt) - _NORMALISATION_KEYS
            if extra or "normalise" not in alt:
                raise ParameterError(f"normalisation alternatives are names or dicts of {sorted(_NORMALISATION_KEYS)} "
                                     f"including 'normalise'; got {alt}")
            check_choice("normalise", alt["normalise"], NORMALISATIONS)
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
            check_choice("aggregation alternative", a, AGGREGATIONS)
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
    """Index scores (draws × units) for each row of *design* (uniforms, one column per factor).

    Also returns the assumptions of each draw and the noisy weight sets (the weight-noise factor picks one of
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
                   else level_methods(h, settings["aggregation"]))
        rows = np.flatnonzero((keys == key).all(axis=1))
        out[rows] = _index_scores(nominal, cache[(wi, ni)], [w[rows] for w in weights], methods)
    table = pd.DataFrame({f.name: (choice[f.name] if f.name == "weights" else np.asarray(f.labels)[choice[f.name]])
                          for f in factors}).rename(columns={"weights": "weight_set"}).rename_axis("draw")
    return out, table, weight_sets


def _rank_stats(ranks: np.ndarray, nominal: CompositeResult, level: float) -> pd.DataFrame:
    tails = ((1 - level) / 2, (1 + level) / 2)
    return pd.DataFrame({
        "nominal": nominal.ranks[nominal.index_code].to_numpy(dtype=float),
        "mean": np.nanmean(ranks, axis=0),
        "median": np.nanmedian(ranks, axis=0),
        "lo": np.nanquantile(ranks, tails[0], axis=0),
        "hi": np.nanquantile(ranks, tails[1], axis=0),
    }, index=nominal.scores.index)


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _variation_args(n: int, seed) -> np.random.Generator:
    if not _is_int(n) or n < 2:
        raise ParameterError(f"the number of draws must be an integer ≥ 2, got {n!r}")
    if not _is_int(seed):
        raise ParameterError(f"seed must be an integer so the analysis can be reproduced, got {seed!r}")
    return np.random.default_rng(int(seed))


def _nominal_and_factors(data, meta, steps, variations, changes) -> tuple[CompositeResult, list[_Factor]]:
    chosen = Variations.of(variations, **changes)
    nominal = build(data, meta, **dict(steps or {}))
    factors = _factors(nominal, weight_noise=chosen.weight_noise, noise_levels=chosen.noise_levels,
                       normalisation=chosen.normalisation, aggregation=chosen.aggregation, winmax=chosen.winmax)
    return nominal, factors


def uncertainty(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    n_draws: int,
    seed: int,
    steps: Mapping[str, object] | None = None,
    variations: Variations | None = None,
    level: float = 0.9,
    **changes,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of the index ranks (COINr ``get_sensitivity(SA_type = "UA")``).

    Each draw samples every varied assumption independently and uniformly; all draws are computed
    together (vectorised over draws).

    Parameters
    ----------
    data, meta : DataFrame
        The inputs of :func:`evalkit.composite.build`.
    n_draws : int
        Number of Monte Carlo draws.
    seed : int
        Seed of the random generator; the same seed gives the same result.
    steps : mapping, optional
        Keyword arguments of :func:`evalkit.composite.build` for the nominal composite (e.g.
        ``result.settings`` or :func:`evalkit.composite.preset`).
    variations : Variations, optional
        What varies (default: :class:`Variations` ()).
    level : float
        Width of the rank interval (default 0.9: ``lo``/``hi`` are the 5th and 95th percentiles, linear
        interpolation as R's default).
    **changes
        Fields of :class:`Variations` given one by one (``weight_noise=0.1``, ``aggregation=None`` …);
        they change *variations*.

    Returns
    -------
    UncertaintyResult

    Notes
    -----
    Noisy weights perturb the weights of the nominal build (data-driven weights are not re-estimated per
    draw).
    """
    rng = _variation_args(n_draws, seed)
    level = _check_level(level)
    nominal, factors = _nominal_and_factors(data, meta, steps, variations, changes)
    design = rng.random((int(n_draws), len(factors)))
    scores, draws, weight_sets = _simulate(nominal, factors, design, int(n_draws), rng)
    ranks = rank_descending(scores)
    units = nominal.scores.index
    return UncertaintyResult(rank_stats=_rank_stats(ranks, nominal, level),
                             ranks=pd.DataFrame(ranks, columns=units).rename_axis("draw"),
                             scores=pd.DataFrame(scores, columns=units).rename_axis("draw"),
                             draws=draws, weight_sets=weight_sets, nominal=nominal, level=level)


def sensitivity(
    data: pd.DataFrame,
    meta: pd.DataFrame,
    *,
    n_base: int,
    seed: int,
    n_boot: int | None = 100,
    steps: Mapping[str, object] | None = None,
    variations: Variations | None = None,
    remove_level: int | None = None,
    level: float = 0.9,
    **changes,
) -> SensitivityResult:
    """Variance-based sensitivity of the index ranking to each uncertain assumption, and element removal.

    COINr ``get_sensitivity(SA_type = "SA")`` plus ``remove_elements`` of each element of *remove_level*.

    The output analysed is the mean absolute rank change of the units against the nominal ranking.
    The design has ``n_base · (d + 2)`` runs for *d* varied assumptions (see :func:`saltelli_design`);
    indices come from :func:`sobol_indices` with *n_boot* bootstrap replicates.

    Parameters
    ----------
    data, meta : DataFrame
        The inputs of :func:`evalkit.composite.build`.
    n_base : int
        Base sample size *n* of the Saltelli design; the weight-noise assumption picks one of *n_base* noisy
        weight sets (as COINr's list of noisy weights).
    seed : int
        Seed of the random generator.
    n_boot : int, optional
        Bootstrap replicates for the intervals of the indices.
    steps : mapping, optional
        Keyword arguments of :func:`evalkit.composite.build` for the nominal composite.
    variations : Variations, optional
        What varies (default: :class:`Variations` ()); ``**changes`` change single fields.
    remove_level : int, optional
        Level of :func:`remove_elements` (default: the first aggregate level).
    level : float
        Width of the bootstrap intervals of the indices and of the rank intervals (default 0.9).
    **changes
        Fields of :class:`Variations` given one by one.

    Returns
    -------
    SensitivityResult

    Notes
    -----
    :math:`y = \\frac1U \\sum_u |r_u - r_u^{nom}|`; the indices are those of :func:`sobol_indices`
    (first order on centred outputs, Jansen total).
    """
    rng = _variation_args(n_base, seed)
    level = _check_level(level)
    nominal, factors = _nominal_and_factors(data, meta, steps, variations, changes)
    d = len(factors)
    if d < 2:
        raise ParameterError("sensitivity needs at least two varied assumptions; use uncertainty() for one")
    n = int(n_base)
    scores, draws, weight_sets = _simulate(nominal, factors, saltelli_design(n, d, seed=rng), n, rng)
    ranks = rank_descending(scores)
    nominal_ranks = nominal.ranks[nominal.index_code].to_numpy(dtype=float)
    y = np.nanmean(np.abs(ranks - nominal_ranks), axis=1)
    indices = sobol_indices(y, n=n, d=d, names=[f.name for f in factors], n_boot=n_boot, seed=rng, level=level)
    return SensitivityResult(indices=indices, outputs=pd.Series(y, name="mean_abs_rank_change").rename_axis("run"),
                             rank_stats=_rank_stats(ranks[:2 * n], nominal, level),
                             removal=remove_elements(nominal, level=remove_level), draws=draws,
                             weight_sets=weight_sets, n_base=n, nominal=nominal, level=level)
