"""14th Five-Year-Plan scenarios: YAML lever files, Monte Carlo paths, bed demand, costs, target proposals.

A scenario file (``data/scenarios/<name>.yml``) sets, for one region, how each indicator moves from the
base year (2020) to the plan's end (2025):

``forecast``  the statistical projection of its own 2015–2020 record (:mod:`evalkit.projection`;
              ``method: auto`` picks the method by rolling-origin backtest, keeping the drift benchmark
              unless another method beats it; constant growth is not a candidate for percentages);
``growth``    a constant annual growth rate, uncertain if ``sd`` > 0;
``target``    a path to a value in a target year (geometric or linear interpolation);
``link``      a multiple of another indicator or driver, in this indicator's unit — e.g. the 特困 standard
              at 1.3 × the dibao standard, or the dibao standard as a share of per-capita consumption;
``ratio``     numerator / denominator × scale — e.g. beds per 1,000 older people;
``cohort``    the population at or above an age, from the cohort-component projection.

An optional ``floor`` keeps an indicator at or above a multiple of another (``≥ 1.3 ×``), and an optional
``target`` states the plan target whose attainment probability is reported. ``elderly_care`` turns
the cohort projection of the 60+/65+/80+ population into beds needed at a beds-per-1,000 target and a
nursing-bed share, against the beds the scenario plans; ``costs`` prices the assistance programmes
(recipients × standard × 12 months × payment ratio) with Monte Carlo intervals.

:func:`load` validates a file and raises :class:`~evalkit.errors.ConfigError` naming the file, key,
line and fix; :func:`run` returns a :class:`ScenarioResult`; :func:`propose_targets` turns it into 2025
targets at a chosen probability of attainment, and :func:`attainment` gives the probability of meeting
any target.

Modules
-------
spec
    The dataclasses of a validated scenario.
load
    One safe YAML parse and the checks of every key (file, line, key, fix).
simulate
    :func:`run`: Monte Carlo paths, bed demand, programme costs; :func:`auto_selection`.
proposals
    Attainment, proposed targets, comparisons across scenarios, key figures, per-method ranges.
tables
    Display tables in the report's language.
"""
from evalkit.scenarios.load import load, load_all
from evalkit.scenarios.proposals import attainment, compare, key_figures, method_ranges, propose_targets
from evalkit.scenarios.simulate import ScenarioResult, auto_selection, run
from evalkit.scenarios.spec import (
    BINDING,
    PATH_KINDS,
    ElderlyCare,
    Programme,
    Scenario,
    SeriesSpec,
    Uncertain,
    scenario_dir,
)
from evalkit.scenarios.tables import (
    beds_table,
    comparison_table,
    cost_table,
    indicator_table,
    methods_table,
    range_table,
    selection_table,
    targets_table,
    unit_label,
)

__all__ = [
    "BINDING",
    "PATH_KINDS",
    "ElderlyCare",
    "Programme",
    "Scenario",
    "ScenarioResult",
    "SeriesSpec",
    "Uncertain",
    "attainment",
    "auto_selection",
    "beds_table",
    "compare",
    "comparison_table",
    "cost_table",
    "indicator_table",
    "key_figures",
    "load",
    "load_all",
    "method_ranges",
    "methods_table",
    "propose_targets",
    "range_table",
    "run",
    "scenario_dir",
    "selection_table",
    "targets_table",
    "unit_label",
]
