"""What a validated scenario file is: the dataclasses :func:`evalkit.scenarios.load` returns.

A scenario sets, for one region, how each indicator moves from the base year to the plan's end. See the
package docstring of :mod:`evalkit.scenarios` and ``data/scenarios/README.md`` for the keys.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from evalkit import paths
from evalkit._shared.checks import Lang, check_choice, check_lang

__all__ = ["BINDING", "PATH_KINDS", "ElderlyCare", "Programme", "Scenario", "SeriesSpec", "Uncertain", "scenario_dir"]

PATH_KINDS = ("forecast", "growth", "target", "link", "ratio", "cohort")
BINDING = ("约束性", "预期性")


def scenario_dir() -> Path:
    """``data/scenarios``: the shipped scenario files and their demographic inputs."""
    return paths.data_dir() / "scenarios"


@dataclass(frozen=True)
class Uncertain:
    """A number that may be uncertain: normal with ``mean`` and ``sd`` (``sd = 0``: known)."""

    mean: float
    sd: float = 0.0

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws from the normal distribution (all equal to ``mean`` when ``sd`` is 0)."""
        return self.mean + self.sd * rng.standard_normal(n) if self.sd > 0 else np.full(n, self.mean)


@dataclass(frozen=True)
class SeriesSpec:
    """How one indicator (or driver) moves: its validated ``path`` and optional floor and target."""

    code: str
    unit: str
    name_zh: str
    name_en: str
    polarity: int
    path: Mapping[str, Any]
    floor: Mapping[str, Any] | None = None
    target: Mapping[str, Any] | None = None
    binding: str = "预期性"
    base: Mapping[str, Any] | None = None
    is_driver: bool = False

    def depends_on(self) -> list[str]:
        """The series this one's path and floor refer to."""
        kind = self.path["kind"]
        refs = {"link": ["to"], "ratio": ["numerator", "denominator"]}.get(kind, [])
        out = [self.path[k] for k in refs]
        if self.floor:
            out.append(self.floor["to"])
        return out


@dataclass(frozen=True)
class ElderlyCare:
    """The ``elderly_care`` section: cohort inputs, their uncertainty and the bed-demand levers."""

    population: Path
    rates: Path
    birth_survival: float
    srb: float
    mortality_change: Uncertain
    migration_scale: Uncertain
    beds_per_1000_target: float
    nursing_share_target: float
    supply: str


@dataclass(frozen=True)
class Programme:
    """One costed programme of the ``costs`` section."""

    code: str
    name_zh: str
    name_en: str
    recipients: str
    standard: str
    recipients_share: Uncertain
    payment_ratio: Uncertain


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file (see the module docstring and ``data/scenarios/README.md``)."""

    name: str
    label_zh: str
    label_en: str
    description_zh: str
    description_en: str
    region: str
    base_year: int
    horizon_end: int
    level: float
    n_draws: int
    seed: int
    series: Mapping[str, SeriesSpec]
    order: tuple[str, ...]
    elderly_care: ElderlyCare | None
    programmes: Mapping[str, Programme]
    min_train: int
    min_forecasts: int
    methods: tuple[str, ...]
    file: str

    @property
    def interval(self) -> float:
        """Old name of :attr:`level` (the file key is still ``interval:``)."""
        return self.level

    def label(self, lang: Lang = "zh") -> str:
        """The scenario's label in *lang*."""
        return self.label_zh if check_lang(lang) == "zh" else self.label_en

    def description(self, lang: Lang = "zh") -> str:
        """The scenario's description in *lang*."""
        return self.description_zh if check_lang(lang) == "zh" else self.description_en

    @property
    def indicators(self) -> list[str]:
        """Catalogue indicators the scenario projects (drivers excluded), in file order."""
        return [c for c, s in self.series.items() if not s.is_driver]

    @property
    def auto(self) -> list[str]:
        """The indicators forecast with ``method: auto`` (chosen by backtest), in file order."""
        return [c for c in self.indicators
                if self.series[c].path["kind"] == "forecast" and self.series[c].path["method"] == "auto"]

    def with_method(self, method: str) -> Scenario:
        """The scenario with every ``method: auto`` forecast made by *method*, no backtest.

        Constant growth (``loglinear``) is no candidate for a percentage, which the drift benchmark forecasts
        instead (as ``method: auto`` would choose among its candidates). The same seeds, so the same draws as an
        ``auto`` run that chose *method*.
        """
        from evalkit.projection import BENCHMARK, METHODS

        check_choice("method", method, METHODS)
        series = dict(self.series)
        for code in self.auto:
            allowed = method != "loglinear" or self.series[code].unit != "%"
            series[code] = replace(self.series[code],
                                   path={**self.series[code].path, "method": method if allowed else BENCHMARK})
        return replace(self, series=series)
