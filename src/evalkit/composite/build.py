"""Build a composite indicator: the pipeline of :mod:`evalkit.composite` as a table of steps (COINr's verbs).

:func:`build` runs the steps of :data:`STEPS` in order, each optional and recorded in the result's log:
denominate, screen, impute, treat, normalise (:mod:`evalkit.composite.steps`), then weight and aggregate level by
level (:mod:`evalkit.composite.weights`, :mod:`evalkit.composite.aggregate`). :func:`rebuild` re-runs a result with
changed settings; :func:`from_panel` turns an evalkit panel into COINr's *data* and *meta*; :data:`PRESETS` holds
named recipes (:data:`CITY_ASSESSMENT`), used by :func:`preset` and :func:`city_assessment`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import pandas as pd

from evalkit._shared.checks import check_choice, suggest
from evalkit._shared.codes import is_code, level_of
from evalkit.composite.aggregate import Aggregation, ZeroPolicy, level_methods
from evalkit.composite.hierarchy import Hierarchy, parse_meta, resolve_unit
from evalkit.composite.results import CompositeResult, StepRecord
from evalkit.composite.steps import IMPUTATIONS, NORMALISATIONS, Imputation, Normalisation
from evalkit.composite.steps import denominate as _denominate
from evalkit.composite.steps import impute as _impute
from evalkit.composite.steps import normalise as _normalise
from evalkit.composite.steps import screen as _screen
from evalkit.composite.steps import treat as _treat
from evalkit.composite.weights import Weighting, assign_weights, weight_table
from evalkit.errors import DataShapeError, ParameterError

__all__ = ["CITY_ASSESSMENT", "PRESETS", "STEPS", "build", "city_assessment", "from_panel", "preset", "rebuild"]

#: The city assessment's recipe (notebook ``city_assessment``): per-head values where the catalogue names a
#: denominator, gaps filled with the mean, COINr's outlier treatment, min-max onto [1, 100] (z-scores with mean 10,
#: sd 2 when normalise="zscore") so every score is positive and a geometric mean is defined, equal weights and an
#: arithmetic mean at every level.
CITY_ASSESSMENT: Mapping[str, object] = MappingProxyType(dict(
    denominate=True, impute="mean", treat=True, normalise="minmax", norm_range=(1.0, 100.0), norm_zscore=(10.0, 2.0),
    weights="equal", aggregation="arithmetic"))

#: Named build recipes for :func:`preset`.
PRESETS: Mapping[str, Mapping[str, object]] = MappingProxyType({"city_assessment": CITY_ASSESSMENT})


@dataclass
class _State:
    """What the steps pass on: the current values and what the result will hold."""

    frame: pd.DataFrame
    hierarchy: Hierarchy
    values: pd.DataFrame
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)
    treatment: pd.DataFrame | None = None


def _run_denominate(state: _State, s: Mapping[str, object]) -> StepRecord:
    state.values, info = _denominate(state.values, state.frame, state.hierarchy)
    messages = [("composite.summary.denominate", {"n": len(info["denominated"])})]
    if info["zero_or_missing_denominator"]:
        messages.append(("composite.summary.denominate_bad", {"detail": info["zero_or_missing_denominator"]}))
    return StepRecord("denominate", {}, tuple(messages))


def _run_screen(state: _State, s: Mapping[str, object]) -> StepRecord:
    threshold = float(s["screen"])
    state.values, removed = _screen(state.values, threshold)
    return StepRecord("screen", {"threshold": s["screen"]},
                      (("composite.summary.screen", {"n": len(removed), "threshold": f"{threshold:.0%}",
                                                     "units": removed or "—"}),))


def _run_impute(state: _State, s: Mapping[str, object]) -> StepRecord:
    method, group = s["impute"], s["impute_group"]
    groups = None
    if method.startswith("group_"):
        if group is None or group not in state.frame.columns:
            raise ParameterError(f"impute={method!r} needs impute_group=<a column of data>; got {group!r}"
                                 + (suggest(group, state.frame.columns) if group else ""))
        groups = state.frame.loc[state.values.index, group]
    state.values, info = _impute(state.values, method, groups)
    messages = [("composite.summary.impute", {"n": info["imputed"]})]
    if info["left_missing"]:
        messages.append(("composite.summary.impute_left", {"detail": info["left_missing"]}))
    return StepRecord("impute", {"method": method, "group": group}, tuple(messages))


def _run_treat(state: _State, s: Mapping[str, object]) -> StepRecord:
    state.values, state.treatment = _treat(state.values, winmax=s["winmax"], skew_thresh=s["skew_thresh"],
                                           kurt_thresh=s["kurt_thresh"])
    counts = state.treatment["treatment"].value_counts()
    return StepRecord("treat", {"winmax": s["winmax"], "skew_thresh": s["skew_thresh"],
                                "kurt_thresh": s["kurt_thresh"]},
                      (("composite.summary.treat", {"winsorised": int(counts.get("winsorised", 0)),
                                                    "logged": int(counts.get("log", 0))}),))


def _run_normalise(state: _State, s: Mapping[str, object]) -> StepRecord:
    state.values, flat = _normalise(state.values, state.hierarchy, method=s["normalise"], norm_range=s["norm_range"],
                                    norm_zscore=s["norm_zscore"], goalposts=s["goalposts"],
                                    target_cap=s["target_cap"])
    messages = [("composite.summary.normalise", {"method": s["normalise"]})]
    if flat:
        messages.append(("composite.summary.normalise_flat", {"codes": flat}))
    method = s["normalise"]
    params = {"method": method}
    if method in ("minmax", "distance_to_target", "goalposts"):
        params["norm_range"] = s["norm_range"]
    if method == "zscore":
        params["norm_zscore"] = s["norm_zscore"]
    if method == "distance_to_target":
        params["target_cap"] = s["target_cap"]
    return StepRecord("normalise", params, tuple(messages))


@dataclass(frozen=True)
class _Step:
    """One data step: its name (also the key of the data it leaves in ``datasets``), when it runs, what it does."""

    name: str
    runs: Callable[[Mapping[str, object]], bool]
    apply: Callable[[_State, Mapping[str, object]], StepRecord]


#: The data steps of :func:`build` in the order they run (COINr ``Denominate``, ``Screen``, ``Impute``,
#: ``Treat``, ``Normalise``); weighting and aggregation follow.
STEPS: tuple[_Step, ...] = (
    _Step("denominated", lambda s: bool(s["denominate"]), _run_denominate),
    _Step("screened", lambda s: s["screen"] is not None, _run_screen),
    _Step("imputed", lambda s: s["impute"] != "none", _run_impute),
    _Step("treated", lambda s: bool(s["treat"]), _run_treat),
    _Step("normalised", lambda s: True, _run_normalise),
)


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
    impute_group : str, optional
        Column of *data* holding the groups of ``group_*`` imputation.
    treat : bool
        Outlier treatment (COINr default): indicators with ``|skew| ≥ skew_thresh`` and
        ``kurtosis ≥ kurt_thresh`` are winsorised up to *winmax* points, else log-transformed.
    winmax, skew_thresh, kurt_thresh : int, float, float
        Settings of the outlier treatment.
    normalise : {"minmax", "zscore", "rank", "distance_to_target", "goalposts", "none"}
        With *norm_range* (min-max, distance to target and goalposts map onto it), *norm_zscore*
        (mean, sd), *goalposts* ({code: (low, high)} in indicator units), *target_cap* (cap distance
        to target at the target). Every method applies the direction first (``none`` too: the values
        times ±1).
    norm_range, norm_zscore, goalposts, target_cap
        Settings of the normalisation.
    weights : {"given", "equal", "entropy", "pca", "ahp"} or mapping
        ``given``: meta weights; ``equal``: 1 for every code; ``entropy`` / ``pca``: computed within
        each parent group from the normalised (or aggregated) scores — for ``pca`` the squared
        first-component loadings (positive; COINr's signed loadings are :func:`evalkit.composite.pca_weights`
        and can be passed as a mapping); ``ahp``: from the pairwise matrices in *ahp* ({parent code:
        DataFrame}), CR must be < 0.10. A mapping {code: weight} overrides meta weights.
    weight_levels : sequence of int, optional
        Limits equal/entropy/PCA weights to some levels.
    ahp : mapping, optional
        Pairwise matrices for ``weights="ahp"``.
    aggregation : {"arithmetic", "geometric", "harmonic"} or {level: method}
        Weighted mean used at every level (or per produced level 2…L).
    zeros : {"error", "zero"}
        What a zero score does to a geometric/harmonic mean: refuse, or make the parent 0.

    Returns
    -------
    CompositeResult

    Notes
    -----
    Within a parent group the score is the weighted mean of the children present,
    :math:`y = \\sum w_i x_i / \\sum w_i` (arithmetic; geometric and harmonic analogously). Ranks:
    1 = highest score, ties share the lowest rank. Each step's formula is in its function in
    :mod:`evalkit.composite.steps`. Checked against COINr's ASEM example (``tests/reference/test_asem.py``).
    """
    settings = dict(unit=unit, denominate=denominate, screen=screen, impute=impute, impute_group=impute_group,
                    treat=treat, winmax=winmax, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh,
                    normalise=normalise, norm_range=tuple(norm_range), norm_zscore=tuple(norm_zscore),
                    goalposts=goalposts, target_cap=target_cap, weights=weights, weight_levels=weight_levels,
                    ahp=ahp, aggregation=aggregation, zeros=zeros)
    check_choice("impute", impute, IMPUTATIONS)
    check_choice("normalise", normalise, NORMALISATIONS)
    check_choice("zeros", zeros, ("error", "zero"))
    hierarchy = parse_meta(meta)
    methods = level_methods(hierarchy, aggregation)
    unit_column = resolve_unit(data, unit)
    frame = data.assign(**{unit_column: data[unit_column].astype(str)}).set_index(unit_column)
    state = _State(frame=frame, hierarchy=hierarchy, values=_indicator_values(frame, hierarchy))
    state.datasets["raw"] = state.values
    log = [StepRecord("input", {"unit": unit_column},
                      (("composite.summary.input", {"units": len(state.values), "indicators": state.values.shape[1],
                                                    "missing": int(state.values.isna().sum().sum())}),))]
    for step in STEPS:
        if step.runs(settings):
            log.append(step.apply(state, settings))
            state.datasets[step.name] = state.values
    normalised = state.values
    used, level_scores, method, levels = assign_weights(hierarchy, normalised, weights=weights,
                                                        weight_levels=weight_levels, ahp=ahp, methods=methods,
                                                        zeros=zeros)
    data_driven = method in ("equal", "entropy", "pca")
    log.append(StepRecord("weights", {"method": weights if isinstance(weights, str) else "mapping",
                                      "levels": weight_levels},
                          (("composite.summary.weights" if data_driven else "composite.summary.weights_fixed",
                            {"method": method, "levels": levels}),)))
    log.append(StepRecord("aggregate", {"methods": methods, "zeros": zeros},
                          (("composite.summary.aggregate", {"methods": sorted(set(methods))}),)))
    columns = {code: scores[:, j] for level, scores in enumerate(level_scores, start=2)
               for j, code in enumerate(hierarchy.codes[level - 1])}
    scores = pd.DataFrame({c: columns[c] for c in hierarchy.aggregates}, index=normalised.index)
    ranks = scores.rank(ascending=False, method="min").astype("Int64")
    return CompositeResult(scores=scores, ranks=ranks, normalised=normalised, weights=weight_table(hierarchy, used),
                           treatment=state.treatment, datasets=MappingProxyType(state.datasets), log=tuple(log),
                           settings=MappingProxyType(settings), hierarchy=hierarchy, inputs=(data, meta))


def rebuild(result: CompositeResult, **changes) -> CompositeResult:
    """Run *result*'s pipeline again on the same inputs with some settings changed.

    Parameters
    ----------
    result : CompositeResult
        A built composite.
    **changes
        Any keyword of :func:`build`, e.g. ``normalise="zscore"``.

    Returns
    -------
    CompositeResult
    """
    unknown = sorted(set(changes) - set(result.settings))
    if unknown:
        raise ParameterError(f"rebuild got unknown setting(s) {unknown}; settings are {sorted(result.settings)}")
    return build(*result.inputs, **{**result.settings, **changes})


_BUILD_KEYWORDS = ("unit", "denominate", "screen", "impute", "impute_group", "treat", "winmax", "skew_thresh",
                   "kurt_thresh", "normalise", "norm_range", "norm_zscore", "goalposts", "target_cap", "weights",
                   "weight_levels", "ahp", "aggregation", "zeros")


def preset(name: str = "city_assessment", **changes) -> dict[str, object]:
    """The keyword arguments of :func:`build` for a named recipe of :data:`PRESETS`, with some changed.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS` (``"city_assessment"``).
    **changes
        Keywords of :func:`build` that replace the recipe's (e.g. ``normalise="zscore"``).

    Returns
    -------
    dict
        Ready for ``build(data, meta, **steps)`` and ``uncertainty(..., steps=steps)``.
    """
    check_choice("preset", name, PRESETS)
    unknown = sorted(set(changes) - set(_BUILD_KEYWORDS))
    if unknown:
        raise ParameterError(f"preset({name!r}) got unknown setting(s) {unknown}"
                             f"{suggest(unknown[0], _BUILD_KEYWORDS)}; settings are the keywords of build()")
    return {**PRESETS[name], **changes}


def city_assessment(data: pd.DataFrame, meta: pd.DataFrame, **changes) -> CompositeResult:
    """Build the city assessment: :func:`build` with :data:`CITY_ASSESSMENT`, some settings changed by *changes*.

    Parameters
    ----------
    data, meta : DataFrame
        From :func:`from_panel`.
    **changes
        Keywords of :func:`build` replacing the recipe's (the notebook's ``normalise``, ``weights``,
        ``aggregation`` parameters).

    Returns
    -------
    CompositeResult
        Its ``settings`` are the recipe as run; pass them on as ``steps=result.settings``.
    """
    return build(data, meta, **preset("city_assessment", **changes))


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
        regions = sorted(c for c in rows["region"].unique() if is_code(c) and level_of(c) == "city")
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
