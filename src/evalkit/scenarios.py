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
"""
from __future__ import annotations

import difflib
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml

from evalkit import catalogue, paths
from evalkit.errors import ConfigError, DataShapeError, ParameterError
from evalkit.projection import METHODS, _cohort_inputs, _cohort_step, _html, predictive, select, series_of
from evalkit.units import UnitMismatch, convert

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
    "methods_table",
    "propose_targets",
    "run",
    "scenario_dir",
    "targets_table",
]

PATH_KINDS = ("forecast", "growth", "target", "link", "ratio", "cohort")
BINDING = ("约束性", "预期性")
_QUANTILES = {"q05": 0.05, "q10": 0.10, "q25": 0.25, "q50": 0.50, "q75": 0.75, "q90": 0.90, "q95": 0.95}


def scenario_dir() -> Path:
    """``data/scenarios``: the shipped scenario files and their demographic inputs."""
    return paths.data_dir() / "scenarios"


# --------------------------------------------------------------------------------------------------
# The validated scenario


@dataclass(frozen=True)
class Uncertain:
    """A number that may be uncertain: normal with ``mean`` and ``sd`` (``sd = 0``: known)."""

    mean: float
    sd: float = 0.0

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
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
    interval: float
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

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def description(self, lang: str = "zh") -> str:
        return self.description_zh if lang == "zh" else self.description_en

    @property
    def indicators(self) -> list[str]:
        """Catalogue indicators the scenario projects (drivers excluded), in file order."""
        return [c for c, s in self.series.items() if not s.is_driver]


# --------------------------------------------------------------------------------------------------
# Loading and validation


class _Doc:
    """A parsed YAML file with the line of every key, for error messages."""

    def __init__(self, file: Path, data: Any, lines: dict[tuple, int]):
        self.file, self.data, self.lines = file, data, lines

    def line(self, keys: tuple) -> int | None:
        for n in range(len(keys), -1, -1):
            if keys[:n] in self.lines:
                return self.lines[keys[:n]]
        return None

    def fail(self, keys: tuple, message: str, fix: str) -> ConfigError:
        return ConfigError(message, file=self.file, key=".".join(map(str, keys)) or None,
                           line=self.line(keys), fix=fix)


def _key_lines(node: yaml.Node, doc_file: Path, prefix: tuple = (), out: dict | None = None) -> dict:
    out = {} if out is None else out
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(f"key {key!r} appears twice (lines {seen[key]} and {line}); YAML keeps only "
                                  "the last one", file=doc_file, key=".".join(map(str, prefix + (key,))),
                                  line=line, fix="delete or merge one of the two entries")
            seen[key] = line
            out[prefix + (key,)] = line
            _key_lines(value_node, doc_file, prefix + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[prefix + (i,)] = item.start_mark.line + 1
            _key_lines(item, doc_file, prefix + (i,), out)
    return out


def _parse(path: Path) -> _Doc:
    if not path.is_file():
        raise ConfigError("scenario file not found", file=path,
                          fix=f"check the path; the shipped scenarios are in {scenario_dir()}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"the file is not UTF-8 text ({exc.reason})", file=path,
                          fix="save it as UTF-8 (in Excel/WPS/Notepad: 另存为 → 编码 UTF-8)") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        started = (f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
                   if exc.context and exc.context_mark and exc.context_mark is not mark else "")
        raise ConfigError(f"YAML syntax error: {exc.problem or exc.context}{started}", file=path,
                          line=mark.line + 1 if mark else None,
                          fix="check indentation (spaces, not tabs), colons after keys and matching quotes/brackets"
                          ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", file=path, fix="check the file's YAML syntax") from exc
    if not isinstance(data, dict):
        raise ConfigError("a scenario file must be a mapping of keys (name:, base_year:, indicators: …)",
                          file=path, line=1, fix="start from data/scenarios/baseline.yml")
    return _Doc(path, data, _key_lines(node, path) if node is not None else {})


def _mapping(doc: _Doc, value: Any, keys: tuple, *, required: Sequence[str] = (),
             optional: Sequence[str] = ()) -> dict:
    if not isinstance(value, dict):
        raise doc.fail(keys, f"expected a mapping (key: value lines), got {_kind(value)}",
                       f"indent the entries under {keys[-1] if keys else 'the top level'}:")
    allowed = list(required) + list(optional)
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
            raise doc.fail(keys + (key,), f"unknown key {key!r}", hint)
    for key in required:
        if key not in value:
            raise doc.fail(keys, f"missing required key {key!r}", f"add '{key}:' under {'.'.join(map(str, keys)) or 'the top level'}")
    return value


def _named(doc: _Doc, value: Any, keys: tuple) -> dict:
    """A mapping whose keys are names chosen by the author (indicator codes, programme names)."""
    if not isinstance(value, dict):
        raise doc.fail(keys, f"expected a mapping of names to entries, got {_kind(value)}",
                       f"list the entries under {keys[-1]}: as 'name:' lines, indented")
    return value


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: f"text {value!r}", bool: f"yes/no ({value})",
            type(None): "nothing (an empty value)"}.get(type(value), f"{type(value).__name__} {value!r}")


def _number(doc: _Doc, value: Any, keys: tuple, *, low: float | None = None, high: float | None = None,
            integer: bool = False, strict_low: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)
    if integer:
        ok = ok and float(value).is_integer()
    if not ok:
        raise doc.fail(keys, f"expected {'an integer' if integer else 'a number'}, got {_kind(value)}",
                       "write a plain number such as 0.05 (no % sign, no units, no quotes)")
    if low is not None and (value <= low if strict_low else value < low):
        raise doc.fail(keys, f"value {value} is below the allowed minimum {'>' if strict_low else '≥'} {low}",
                       f"use a value {'>' if strict_low else '≥'} {low}")
    if high is not None and value > high:
        raise doc.fail(keys, f"value {value} is above the allowed maximum {high}", f"use a value ≤ {high}")
    return int(value) if integer else float(value)


def _uncertain(doc: _Doc, value: Any, keys: tuple, **bounds) -> Uncertain:
    if isinstance(value, dict):
        _mapping(doc, value, keys, required=["mean"], optional=["sd"])
        return Uncertain(_number(doc, value["mean"], keys + ("mean",), **bounds),
                         _number(doc, value.get("sd", 0.0), keys + ("sd",), low=0))
    return Uncertain(_number(doc, value, keys, **bounds))


def _text(doc: _Doc, value: Any, keys: tuple, *, pattern: str | None = None, choices: Sequence[str] = ()) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and pattern:
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise doc.fail(keys, f"expected text, got {_kind(value)}", "write the value as text, in quotes if it is a code")
    if choices and value not in choices:
        close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
        raise doc.fail(keys, f"{value!r} is not one of {', '.join(map(str, choices))}",
                       f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(map(str, choices))}")
    if pattern and not re.fullmatch(pattern, value):
        raise doc.fail(keys, f"{value!r} does not have the expected form ({pattern})", "see data/scenarios/README.md")
    return value


def _bilingual(doc: _Doc, value: Any, keys: tuple, *, required: bool) -> tuple[str, str]:
    if value is None and not required:
        return "", ""
    value = _mapping(doc, value, keys, required=["zh", "en"])
    return _text(doc, value["zh"], keys + ("zh",)), _text(doc, value["en"], keys + ("en",))


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file (safe loader; nothing in it is executed).

    Relative paths are resolved against the current folder, then the project root, then
    ``data/scenarios``; a bare name such as ``"baseline"`` means ``data/scenarios/baseline.yml``.
    Every problem raises :class:`ConfigError` with the file, the key path, the
    line and a fix.
    """
    path = Path(path)
    candidates = [path] if path.is_absolute() else [paths.resolve(path), scenario_dir() / path]
    if not path.suffix:
        candidates.append(scenario_dir() / f"{path}.yml")
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        shipped = ", ".join(sorted(p.stem for p in scenario_dir().glob("*.yml")))
        raise ConfigError("scenario file not found", file=candidates[0],
                          fix=f"give a path to a .yml file or the name of a shipped scenario ({shipped})")
    doc = _parse(found)
    path = found
    top = _mapping(doc, doc.data, (), required=["name", "label", "base_year", "horizon_end", "indicators"],
                   optional=["description", "region", "interval", "n_draws", "seed", "select", "drivers",
                             "elderly_care", "costs"])
    name = _text(doc, top["name"], ("name",), pattern=r"[a-z][a-z0-9_]*")
    label_zh, label_en = _bilingual(doc, top["label"], ("label",), required=True)
    desc_zh, desc_en = _bilingual(doc, top.get("description"), ("description",), required=False)
    region = _text(doc, top.get("region", catalogue.PROVINCE), ("region",), pattern=r"\d{6}")
    if region not in catalogue.regions().index:
        raise doc.fail(("region",), f"unknown region code {region!r}{catalogue.suggest(region, catalogue.regions().index)}",
                       "use a 6-digit code from data/reference/regions.csv (210000 = Liaoning province)")
    base_year = _number(doc, top["base_year"], ("base_year",), low=1990, high=2100, integer=True)
    horizon_end = _number(doc, top["horizon_end"], ("horizon_end",), low=base_year + 1, high=base_year + 30,
                          integer=True)
    interval = _number(doc, top.get("interval", 0.9), ("interval",), low=0, high=0.999, strict_low=True)
    n_draws = _number(doc, top.get("n_draws", 2000), ("n_draws",), low=100, high=200_000, integer=True)
    seed = _number(doc, top.get("seed", 2021), ("seed",), low=0, integer=True)
    sel = _mapping(doc, top.get("select", {}), ("select",), optional=["min_train", "min_forecasts", "methods"])
    methods = sel.get("methods", list(METHODS))
    if not isinstance(methods, list) or not methods:
        raise doc.fail(("select", "methods"), f"expected a list of methods, got {_kind(methods)}",
                       f"write e.g. [drift, linear, loglinear]; choices: {', '.join(METHODS)}")
    methods = tuple(_text(doc, m, ("select", "methods", i), choices=METHODS) for i, m in enumerate(methods))
    min_train = _number(doc, sel.get("min_train", 4), ("select", "min_train"), low=3, integer=True)
    min_forecasts = _number(doc, sel.get("min_forecasts", 2), ("select", "min_forecasts"), low=1, integer=True)

    series: dict[str, SeriesSpec] = {}
    for code, spec in _named(doc, top.get("drivers") or {}, ("drivers",)).items():
        series[code] = _driver(doc, code, spec, horizon_end)
    indicators = _named(doc, top["indicators"], ("indicators",))
    if not indicators:
        raise doc.fail(("indicators",), "no indicators are listed", "add at least one indicator code with a path")
    for code, spec in indicators.items():
        if code in series:
            raise doc.fail(("indicators", code), f"{code!r} is both a driver and an indicator", "rename the driver")
        series[code] = _indicator(doc, code, spec, horizon_end)
    elderly = _elderly_care(doc, top["elderly_care"], base_year) if "elderly_care" in top else None
    _check_references(doc, series, elderly)
    order = _order(doc, series)
    programmes = _programmes(doc, top.get("costs") or {}, series)
    return Scenario(name=name, label_zh=label_zh, label_en=label_en, description_zh=desc_zh,
                    description_en=desc_en, region=region, base_year=base_year, horizon_end=horizon_end,
                    interval=interval, n_draws=n_draws, seed=seed, series=series, order=order,
                    elderly_care=elderly, programmes=programmes, min_train=min_train,
                    min_forecasts=min_forecasts, methods=methods, file=str(path))


def load_all(folder: str | Path | None = None) -> dict[str, Scenario]:
    """Every ``*.yml`` scenario in ``folder`` (default ``data/scenarios``), by scenario name."""
    folder = scenario_dir() if folder is None else paths.resolve(folder)
    files = sorted(Path(folder).glob("*.yml"))
    if not files:
        raise ConfigError("no scenario files (*.yml) found", file=folder, fix="add baseline.yml or check the folder")
    out = {}
    for f in files:
        sc = load(f)
        if sc.name in out:
            raise ConfigError(f"scenario name {sc.name!r} is used by two files ({out[sc.name].file} and {f})",
                              file=f, key="name", fix="give each scenario a unique name")
        out[sc.name] = sc
    return out


def _path_spec(doc: _Doc, spec: Any, keys: tuple, horizon_end: int, *, driver: bool) -> dict:
    spec = _mapping(doc, spec, keys, required=["kind"],
                    optional=["method", "rate", "sd", "value", "year", "interpolation", "to", "ratio",
                              "ratio_end", "numerator", "denominator", "scale", "ages"])
    kinds = [k for k in PATH_KINDS if not (driver and k in ("forecast", "cohort", "ratio"))]
    kind = _text(doc, spec["kind"], keys + ("kind",), choices=kinds)
    allowed = {"forecast": ["method"], "growth": ["rate", "sd"], "target": ["value", "year", "sd", "interpolation"],
               "link": ["to", "ratio", "ratio_end"], "ratio": ["numerator", "denominator", "scale"],
               "cohort": ["ages"]}[kind]
    for key in spec:
        if key != "kind" and key not in allowed:
            raise doc.fail(keys + (key,), f"key {key!r} does not apply to a path of kind {kind!r}",
                           f"a {kind} path takes {', '.join(allowed)}; remove {key!r} or change the kind")
    needed = {"growth": ["rate"], "target": ["value"], "link": ["to", "ratio"], "ratio": ["numerator", "denominator"],
              "cohort": ["ages"]}.get(kind, [])
    _mapping(doc, spec, keys, required=["kind", *needed], optional=allowed)
    out: dict[str, Any] = {"kind": kind}
    if kind == "forecast":
        out["method"] = _text(doc, spec.get("method", "auto"), keys + ("method",), choices=("auto", *METHODS))
    elif kind == "growth":
        out["rate"] = Uncertain(_number(doc, spec["rate"], keys + ("rate",), low=-0.5, high=1.0),
                                _number(doc, spec.get("sd", 0.0), keys + ("sd",), low=0, high=0.5))
    elif kind == "target":
        out["value"] = Uncertain(_number(doc, spec["value"], keys + ("value",)),
                                 _number(doc, spec.get("sd", 0.0), keys + ("sd",), low=0))
        out["year"] = _number(doc, spec.get("year", horizon_end), keys + ("year",), low=1990, high=horizon_end, integer=True)
        out["interpolation"] = _text(doc, spec.get("interpolation", "geometric"), keys + ("interpolation",),
                                     choices=("geometric", "linear"))
    elif kind == "link":
        out["to"] = _text(doc, spec["to"], keys + ("to",))
        out["ratio"] = _uncertain(doc, spec["ratio"], keys + ("ratio",), low=0, strict_low=True)
        out["ratio_end"] = (_number(doc, spec["ratio_end"], keys + ("ratio_end",), low=0, strict_low=True)
                            if "ratio_end" in spec else None)
    elif kind == "ratio":
        out["numerator"] = _text(doc, spec["numerator"], keys + ("numerator",))
        out["denominator"] = _text(doc, spec["denominator"], keys + ("denominator",))
        out["scale"] = _number(doc, spec.get("scale", 1.0), keys + ("scale",), low=0, strict_low=True)
    else:
        out["ages"] = _number(doc, spec["ages"], keys + ("ages",), low=0, high=100, integer=True)
    return out


def _base(doc: _Doc, spec: Any, keys: tuple) -> dict:
    spec = _mapping(doc, spec, keys, required=["year", "value", "source"], optional=["status"])
    return {"year": _number(doc, spec["year"], keys + ("year",), low=1990, high=2100, integer=True),
            "value": _number(doc, spec["value"], keys + ("value",)),
            "source": _text(doc, spec["source"], keys + ("source",)),
            "status": _text(doc, spec.get("status", "illustrative"), keys + ("status",),
                            choices=("official", "reported", "derived", "illustrative"))}


def _driver(doc: _Doc, code: str, spec: Any, horizon_end: int) -> SeriesSpec:
    keys = ("drivers", code)
    spec = _mapping(doc, spec, keys, required=["name", "unit", "base", "path"])
    name_zh, name_en = _bilingual(doc, spec["name"], keys + ("name",), required=True)
    return SeriesSpec(code=code, unit=_text(doc, spec["unit"], keys + ("unit",)), name_zh=name_zh, name_en=name_en,
                  polarity=0, path=_path_spec(doc, spec["path"], keys + ("path",), horizon_end, driver=True),
                  base=_base(doc, spec["base"], keys + ("base",)), is_driver=True)


def _indicator(doc: _Doc, code: str, spec: Any, horizon_end: int) -> SeriesSpec:
    keys = ("indicators", code)
    try:
        meta = catalogue.indicator(code)
    except ParameterError:
        raise doc.fail(keys, f"unknown indicator code {code!r}{catalogue.suggest(code, catalogue.indicators().index)}",
                       "use a code from data/reference/indicators.csv, or declare a series under drivers:") from None
    spec = _mapping(doc, spec, keys, required=["path"], optional=["floor", "target", "binding", "base"])
    floor = None
    if "floor" in spec:
        f = _mapping(doc, spec["floor"], keys + ("floor",), required=["to", "ratio"])
        floor = {"to": _text(doc, f["to"], keys + ("floor", "to")),
                 "ratio": _uncertain(doc, f["ratio"], keys + ("floor", "ratio"), low=0, strict_low=True)}
    target = None
    if "target" in spec:
        t = _mapping(doc, spec["target"], keys + ("target",), required=["value"], optional=["type", "source"])
        default_type = "at_most" if meta.polarity < 0 else "at_least"
        target = {"value": _number(doc, t["value"], keys + ("target", "value")),
                  "type": _text(doc, t.get("type", default_type), keys + ("target", "type"),
                                choices=("at_least", "at_most")),
                  "source": _text(doc, t["source"], keys + ("target", "source")) if "source" in t else ""}
    binding = _text(doc, spec.get("binding", "预期性"), keys + ("binding",), choices=BINDING)
    return SeriesSpec(code=code, unit=meta.unit, name_zh=meta.name_zh, name_en=meta.name_en, polarity=meta.polarity,
                  path=_path_spec(doc, spec["path"], keys + ("path",), horizon_end, driver=False), floor=floor,
                  target=target, binding=binding,
                  base=_base(doc, spec["base"], keys + ("base",)) if "base" in spec else None)


def _data_file(doc: _Doc, value: Any, keys: tuple, columns: set[str]) -> Path:
    name = _text(doc, value, keys)
    path = Path(name) if Path(name).is_absolute() else doc.file.parent / name
    if not path.is_file():
        raise doc.fail(keys, f"data file {name!r} not found (looked in {path.parent})",
                       "give the file name relative to the scenario file's folder")
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise doc.fail(keys, f"data file {name!r} is not a UTF-8 CSV: {exc}", "save it as UTF-8 CSV") from exc
    missing = columns - set(head.columns)
    if missing:
        raise doc.fail(keys, f"data file {name!r} lacks column(s) {sorted(missing)}",
                       f"the file needs columns {sorted(columns)}")
    return path


def _elderly_care(doc: _Doc, spec: Any, base_year: int) -> ElderlyCare:
    keys = ("elderly_care",)
    spec = _mapping(doc, spec, keys, required=["population", "rates", "beds_per_1000_target", "nursing_share_target"],
                    optional=["birth_survival", "srb", "mortality_change", "migration_scale", "supply"])
    population = _data_file(doc, spec["population"], keys + ("population",), {"age", "population"})
    supply = _text(doc, spec.get("supply", "elderly_beds"), keys + ("supply",))
    return ElderlyCare(
        population=population,
        rates=_data_file(doc, spec["rates"], keys + ("rates",), {"age", "survival"}),
        birth_survival=_number(doc, spec.get("birth_survival", 1.0), keys + ("birth_survival",), low=0, high=1,
                               strict_low=True),
        srb=_number(doc, spec.get("srb", 1.05), keys + ("srb",), low=0.8, high=1.4),
        mortality_change=_uncertain(doc, spec.get("mortality_change", 0.0), keys + ("mortality_change",),
                                    low=-0.9, high=2.0),
        migration_scale=_uncertain(doc, spec.get("migration_scale", 1.0), keys + ("migration_scale",), low=0, high=5),
        beds_per_1000_target=_number(doc, spec["beds_per_1000_target"], keys + ("beds_per_1000_target",), low=0,
                                     strict_low=True, high=1000),
        nursing_share_target=_number(doc, spec["nursing_share_target"], keys + ("nursing_share_target",), low=0,
                                     high=100),
        supply=supply,
    )


def _check_references(doc: _Doc, series: dict[str, SeriesSpec], elderly: ElderlyCare | None) -> None:
    known = list(series)
    for code, s in series.items():
        section = "drivers" if s.is_driver else "indicators"
        refs = [(("path", k), s.path[k]) for k in ("to", "numerator", "denominator") if k in s.path]
        if s.floor:
            refs.append((("floor", "to"), s.floor["to"]))
        for sub, ref in refs:
            if ref not in series:
                close = difflib.get_close_matches(ref, known, n=1, cutoff=0.6)
                raise doc.fail((section, code) + sub, f"{ref!r} is not an indicator or driver of this scenario",
                               f"did you mean {close[0]!r}?" if close else f"add {ref!r} under indicators: or drivers:")
            if sub[-1] == "to" and ref == code:
                raise doc.fail((section, code) + sub, f"{code!r} links to itself", "link to another series")
            if sub[-1] == "to":
                try:
                    convert(1.0, series[ref].unit, s.unit)
                except UnitMismatch:
                    raise doc.fail((section, code) + sub,
                                   f"cannot express {ref!r} ({series[ref].unit}) in the unit of {code!r} ({s.unit})",
                                   "link series measured in compatible units (元/人·月 ↔ 元/人·年 convert by 12)"
                                   ) from None
        if s.path["kind"] == "cohort" and elderly is None:
            raise doc.fail((section, code, "path", "kind"), "kind 'cohort' needs an elderly_care: section",
                           "add elderly_care: with the population and rates files")
    if elderly is not None and elderly.supply not in series:
        raise doc.fail(("elderly_care", "supply"), f"supply series {elderly.supply!r} is not listed under indicators:",
                       f"add {elderly.supply}: with a path (the beds the plan provides)")


def _order(doc: _Doc, series: dict[str, SeriesSpec]) -> tuple[str, ...]:
    """Series in an order where every dependency comes first; a cycle is a ConfigError."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(code: str, chain: list[str]) -> None:
        if state.get(code) == "done":
            return
        if state.get(code) == "visiting":
            cycle = chain[chain.index(code):] + [code]
            s = series[code]
            raise doc.fail(("drivers" if s.is_driver else "indicators", code),
                           f"circular links: {' → '.join(cycle)}", "break the cycle: one of them needs its own path")
        state[code] = "visiting"
        for dep in series[code].depends_on():
            visit(dep, chain + [code])
        state[code] = "done"
        order.append(code)

    for code in series:
        visit(code, [])
    return tuple(order)


def _programmes(doc: _Doc, spec: Any, series: dict[str, SeriesSpec]) -> dict[str, Programme]:
    keys = ("costs",)
    out = {}
    for code, p in _named(doc, spec, keys).items():
        k = keys + (code,)
        p = _mapping(doc, p, k, required=["name", "recipients", "standard"],
                     optional=["recipients_share", "payment_ratio"])
        name_zh, name_en = _bilingual(doc, p["name"], k + ("name",), required=True)
        refs = {}
        for role in ("recipients", "standard"):
            ref = _text(doc, p[role], k + (role,))
            if ref not in series:
                raise doc.fail(k + (role,), f"{ref!r} is not an indicator of this scenario",
                               f"add {ref}: with a path under indicators:")
            refs[role] = ref
        unit = series[refs["standard"]].unit
        try:
            convert(1.0, unit, "元/人·年")
        except UnitMismatch:
            raise doc.fail(k + ("standard",), f"standard {refs['standard']!r} is in {unit}, not a per-person amount",
                           "use a standard in 元/人·月 or 元/人·年") from None
        out[code] = Programme(code, name_zh, name_en, refs["recipients"], refs["standard"],
                              _uncertain(doc, p.get("recipients_share", 1.0), k + ("recipients_share",), low=0, high=1),
                              _uncertain(doc, p.get("payment_ratio", 1.0), k + ("payment_ratio",), low=0, high=2))
    return out


# --------------------------------------------------------------------------------------------------
# Running a scenario


@dataclass(frozen=True)
class ScenarioResult:
    """What :func:`run` returns.

    Attributes
    ----------
    scenario : Scenario
    years : tuple of int
        Projection years (base year + 1 … horizon end).
    paths : pandas.DataFrame
        ``indicator, year, kind`` (``observed``/``projected``), ``value`` (observed value; the median when
        projected), ``mean``, ``lo``, ``hi`` (interval at ``level``) and quantiles ``q05 … q95`` for fan charts.
    methods : pandas.DataFrame
        How each series was projected: ``indicator, kind, method, detail``.
    population : pandas.DataFrame
        Cohort projection: ``year, pop_60plus, pop_65plus, pop_80plus`` (medians) every year.
    beds : pandas.DataFrame
        ``year, pop_60plus, beds_needed, beds_needed_lo, beds_needed_hi, nursing_beds_needed, beds_planned,
        beds_planned_lo, beds_planned_hi, gap, prob_enough`` (empty without ``elderly_care``).
    cost : pandas.DataFrame
        ``year, programme, name_zh, name_en, mean, lo, hi`` in 亿元 (10⁸ yuan), with ``programme == "total"``
        rows.
    cost_period : pandas.DataFrame
        Totals over the projection years, same columns without ``year``.
    level : float
        Interval level of ``lo``/``hi``.
    draws : dict
        Monte Carlo draws per series, shape (n_draws, len(years)); used by :func:`propose_targets`.
    """

    scenario: Scenario
    years: tuple[int, ...]
    paths: pd.DataFrame
    methods: pd.DataFrame
    population: pd.DataFrame
    beds: pd.DataFrame
    cost: pd.DataFrame
    cost_period: pd.DataFrame
    level: float
    draws: Mapping[str, np.ndarray] = field(repr=False, compare=False)

    def _repr_html_(self) -> str:
        end = self.years[-1]
        final = self.paths[(self.paths["year"] == end)][["indicator", "mean", "lo", "hi"]]
        return _html(f"Scenario {self.scenario.name} ({self.scenario.label_en}), {self.years[0]}–{end}",
                     {f"{end} (interval {self.level:.0%})": final, "Beds": self.beds,
                      "Cost over the period (亿元)": self.cost_period}, [self.scenario.description_en])


def _rng(seed: int, name: str) -> np.random.Generator:
    # Seeded per series name, so adding or reordering series does not change another series' draws.
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _history(panel: pd.DataFrame, sc: Scenario, code: str) -> pd.Series:
    rows = panel[(panel["region"].astype(str) == sc.region) & (panel["indicator"] == code)]
    if rows.empty:
        return pd.Series(dtype=float, name=code)
    s = series_of(panel, region=sc.region, indicator=code)
    return s[s.index <= sc.base_year]


def _base_value(s: SeriesSpec, history: pd.Series, sc: Scenario) -> float:
    if sc.base_year in history.index:
        return float(history.loc[sc.base_year])
    if s.base is not None and s.base["year"] == sc.base_year:
        return float(s.base["value"])
    have = f"the panel has it up to {int(history.index.max())}" if len(history) else "the panel has no values of it"
    raise DataShapeError(
        f"scenario {sc.name!r}: {s.code!r} needs a {sc.base_year} value to start its {s.path['kind']} path, but "
        f"{have} for region {sc.region}; add the {sc.base_year} value to the panel or a "
        f"'base: {{year: {sc.base_year}, value: …, source: …}}' entry to {s.code} in {sc.file}")


def _cohort_draws(sc: Scenario, years: np.ndarray, n: int) -> dict[int, np.ndarray]:
    """Draws of the population at or above each five-year age bound, interpolated to every year."""
    ec = sc.elderly_care
    base = pd.read_csv(ec.population, encoding="utf-8")
    rates = pd.read_csv(ec.rates, encoding="utf-8")
    sexes, ages, pop, surv, mig, fert, has_sex = _cohort_inputs(base, rates)
    rng = _rng(sc.seed, "elderly_care.cohort")
    # Proportional change in five-year death probabilities (1 − S), and a scale on net migration.
    dm = ec.mortality_change.draw(rng, n)[:, None, None]
    ms = np.maximum(ec.migration_scale.draw(rng, n), 0)[:, None, None]
    surv_d = np.clip(1 - (1 - surv[None]) * (1 + dm), 0, 1)
    mig_d = mig[None] * ms
    female = np.array([s == "female" for s in sexes]) if has_sex else None
    steps = int(np.ceil((years[-1] - sc.base_year) / 5))
    state = np.broadcast_to(pop, (n, *pop.shape)).copy()
    snapshots = [state]
    for _ in range(steps):
        state, _, _ = _cohort_step(state, surv_d, mig_d, fert, female, ec.birth_survival, 1 / (1 + ec.srb), 5)
        snapshots.append(state)
    knots = sc.base_year + 5 * np.arange(steps + 1)
    out = {}
    for bound in ages:
        totals = np.stack([s[..., ages >= bound].sum(axis=(-1, -2)) for s in snapshots], axis=1)  # (n, knots)
        # Between five-year points the population moves geometrically (constant growth rate).
        logs = np.log(totals)
        out[int(bound)] = np.exp(np.stack([np.interp(years, knots, row) for row in logs]))
    return out


def _clip(s: SeriesSpec, draws: np.ndarray) -> np.ndarray:
    return np.clip(draws, 0, 100 if s.unit == "%" else None)


def _factor(from_unit: str, to_unit: str) -> float:
    return float(convert(1.0, from_unit, to_unit))


def _project(s: SeriesSpec, sc: Scenario, history: pd.Series, years: np.ndarray, n: int, done: dict[str, np.ndarray],
             cohort: dict[int, np.ndarray] | None, selection: pd.DataFrame | None) -> tuple[np.ndarray, str, str]:
    """Draws (n, len(years)) for one series, the method name and a detail line."""
    rng = _rng(sc.seed, s.code)
    kind = s.path["kind"]
    t = years - sc.base_year
    if kind == "forecast":
        if len(history) == 0:
            raise DataShapeError(f"scenario {sc.name!r}: {s.code!r} has kind 'forecast' but the panel has no values "
                                 f"of it for region {sc.region}; add its 2015–{sc.base_year} values or use a growth path")
        method = s.path["method"]
        how = ""
        if method == "auto":
            method, how = _auto_method(history, sc, s.code, selection)
        pred = predictive(history, method=method, horizon=int(years[-1] - history.index.max()))
        keep = np.isin(pred.year, years)
        return pred.sample(n, seed=rng)[:, keep], method, "; ".join(x for x in (pred.detail, how) if x)
    if kind == "growth":
        base = _base_value(s, history, sc)
        rate = s.path["rate"]
        return base * (1 + rate.draw(rng, n)[:, None]) ** t[None, :], "growth", (
            f"{rate.mean:+.1%}/yr" + (f" (sd {rate.sd:.1%})" if rate.sd else ""))
    if kind == "target":
        base = _base_value(s, history, sc)
        end = s.path["value"].draw(rng, n)
        span = s.path["year"] - sc.base_year
        frac = np.minimum(t / span, 1.0)[None, :]
        if s.path["interpolation"] == "geometric":
            if base <= 0 or np.any(end <= 0):
                raise DataShapeError(f"scenario {sc.name!r}: {s.code!r} needs positive base and target values for "
                                     "geometric interpolation; use 'interpolation: linear'")
            draws = base * (end[:, None] / base) ** frac
        else:
            draws = base + (end[:, None] - base) * frac
        return draws, "target", f"{s.path['interpolation']} path to {s.path['value'].mean:g} in {s.path['year']}"
    if kind == "link":
        other = sc.series[s.path["to"]]
        ratio = s.path["ratio"].draw(rng, n)[:, None]
        detail = f"{s.path['ratio'].mean:g} × {other.code}"
        if s.path["ratio_end"] is not None:
            # The ratio moves linearly from its base-year value to ratio_end in the scenario's end year.
            frac = np.minimum(t / (sc.horizon_end - sc.base_year), 1.0)[None, :]
            ratio = ratio + (s.path["ratio_end"] - s.path["ratio"].mean) * frac
            detail = f"{s.path['ratio'].mean:g} → {s.path['ratio_end']:g} × {other.code}"
        return ratio * done[other.code] * _factor(other.unit, s.unit), "link", detail
    if kind == "ratio":
        num, den = done[s.path["numerator"]], done[s.path["denominator"]]
        return s.path["scale"] * num / den, "ratio", (
            f"{s.path['numerator']} / {s.path['denominator']} × {s.path['scale']:g}")
    ages = s.path["ages"]
    if ages not in cohort:
        raise DataShapeError(f"scenario {sc.name!r}: {s.code!r} asks for ages {ages}+ but the cohort age groups start "
                             f"at {sorted(cohort)}; use a group lower bound")
    return cohort[ages].copy(), "cohort", f"cohort-component projection, ages {ages}+"


def _candidate_methods(sc: Scenario, s: SeriesSpec) -> tuple[str, ...]:
    # Constant growth of a percentage runs into the 100% ceiling within a plan period, so the
    # log-linear model is not a candidate for shares.
    return tuple(m for m in sc.methods if not (s.unit == "%" and m == "loglinear")) or ("drift",)


def _auto_method(history: pd.Series, sc: Scenario, code: str, selection: pd.DataFrame | None) -> tuple[str, str]:
    if selection is not None:
        rows = selection[(selection["region"].astype(str) == sc.region) & (selection["indicator"] == code)]
        if len(rows):
            return rows["method"].iloc[0], rows["reason"].iloc[0]
    panel = pd.DataFrame({"region": sc.region, "indicator": code, "year": history.index, "value": history.to_numpy()})
    row = select(panel, methods=_candidate_methods(sc, sc.series[code]), min_train=sc.min_train,
                 min_forecasts=sc.min_forecasts, level=sc.interval).iloc[0]
    return row["method"], row["reason"]


def auto_selection(scenarios: Sequence[Scenario], panel: pd.DataFrame) -> pd.DataFrame:
    """Backtest-based method choice for every ``method: auto`` series of the given scenarios.

    The choice depends only on the panel and the scenario's ``select`` settings, so a notebook that
    runs several scenarios computes it once and passes it to :func:`run` as ``selection``. Returns the
    :func:`evalkit.projection.select` table.
    """
    frames, done = [], set()
    for sc in scenarios:
        codes = [c for c in sc.indicators if sc.series[c].path["kind"] == "forecast"
                 and sc.series[c].path["method"] == "auto" and (sc.region, c) not in done]
        for percent in (False, True):
            group = [c for c in codes if (sc.series[c].unit == "%") == percent]
            if group:
                frames.append(select(panel, region=sc.region, indicator=group,
                                     methods=_candidate_methods(sc, sc.series[group[0]]), min_train=sc.min_train,
                                     min_forecasts=sc.min_forecasts, level=sc.interval))
        done.update((sc.region, c) for c in codes)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["region", "indicator", "n_years", "method", "mape", "benchmark_mape", "coverage", "n_forecasts",
                 "decision", "reason"])


def run(scenario: Scenario | str | Path, panel: pd.DataFrame, *, horizon_end: int | None = None,
        n_draws: int | None = None, selection: pd.DataFrame | None = None) -> ScenarioResult:
    """Run a scenario on a panel: Monte Carlo paths of every series, bed demand and programme costs.

    Parameters
    ----------
    scenario : Scenario or path
        A loaded scenario or the path of its YAML file.
    panel : pandas.DataFrame
        Tidy panel (``region, year, indicator, value``); only rows of the scenario's region up to
        its base year are used.
    horizon_end : int, optional
        Last projection year (default: the scenario's ``horizon_end``).
    n_draws : int, optional
        Monte Carlo draws (default: the scenario's ``n_draws``).
    selection : pandas.DataFrame, optional
        Output of :func:`evalkit.projection.select` for the panel; ``method: auto`` paths use it
        instead of re-running the backtests (the choice does not depend on the scenario).

    Returns
    -------
    ScenarioResult

    Notes
    -----
    Every series gets ``n_draws`` paths; draw *i* of a linked series uses draw *i* of the series it
    links to, so links and ratios keep their uncertainty consistent. Forecast paths are comonotone
    draws from the model's predictive distribution (:meth:`evalkit.projection.Predictive.sample`).
    Cost of programme *p* in year *t*:
    :math:`C_{pt} = R_{pt} \\cdot s_p \\cdot S^{\\text{year}}_{pt} \\cdot \\rho_p / 10^8` (亿元), with recipients
    :math:`R`, recipient share :math:`s`, the standard converted to 元/人·年 (× 12 for monthly standards)
    and the payment ratio :math:`\\rho` (average payment over the standard). Beds needed:
    :math:`B_t = P^{60+}_t \\cdot b^* / 1000`, nursing beds :math:`B_t \\cdot n^*/100`.
    """
    sc = load(scenario) if isinstance(scenario, (str, Path)) else scenario
    if not isinstance(sc, Scenario):
        raise ParameterError(f"scenario must be a Scenario or a YAML path, got {type(sc).__name__}")
    end = sc.horizon_end if horizon_end is None else horizon_end
    if isinstance(end, bool) or not isinstance(end, (int, np.integer)) or end <= sc.base_year or end > sc.base_year + 30:
        raise ParameterError(f"horizon_end={horizon_end!r} must be an integer year after the base year "
                             f"{sc.base_year} (at most {sc.base_year + 30})")
    n = sc.n_draws if n_draws is None else n_draws
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 10:
        raise ParameterError(f"n_draws={n_draws!r} must be an integer ≥ 10")
    years = np.arange(sc.base_year + 1, int(end) + 1)
    cohort = _cohort_draws(sc, years, n) if sc.elderly_care else None
    done: dict[str, np.ndarray] = {}
    histories: dict[str, pd.Series] = {}
    methods = []
    for code in sc.order:
        s = sc.series[code]
        history = pd.Series(dtype=float, name=code) if s.is_driver else _history(panel, sc, code)
        histories[code] = history
        draws, method, detail = _project(s, sc, history, years, n, done, cohort, selection)
        if s.floor:
            other = sc.series[s.floor["to"]]
            ratio = s.floor["ratio"].draw(_rng(sc.seed, code + ".floor"), n)[:, None]
            draws = np.maximum(draws, ratio * done[other.code] * _factor(other.unit, s.unit))
            detail += f"; at least {s.floor['ratio'].mean:g} × {other.code}"
        done[code] = _clip(s, draws)
        methods.append({"indicator": code, "kind": s.path["kind"], "method": method, "detail": detail})
    level = sc.interval
    paths_frame = pd.concat([_summarise_paths(code, histories[code], done[code], years, level, sc)
                             for code in sc.series], ignore_index=True)
    population = _population_frame(cohort, years) if cohort else pd.DataFrame()
    beds = _beds(sc, done, cohort, years, level) if sc.elderly_care else pd.DataFrame()
    cost, cost_period = _costs(sc, done, years, level)
    methods_frame = pd.DataFrame(methods).set_index("indicator").loc[list(sc.series)].reset_index()
    return ScenarioResult(sc, tuple(int(y) for y in years), paths_frame, methods_frame, population, beds,
                          cost, cost_period, level, done)


def _band(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    return (np.quantile(draws, (1 - level) / 2, axis=0), np.quantile(draws, (1 + level) / 2, axis=0))


def _summarise_paths(code: str, history: pd.Series, draws: np.ndarray, years: np.ndarray, level: float,
                     sc: Scenario) -> pd.DataFrame:
    lo, hi = _band(draws, level)
    projected = pd.DataFrame({"indicator": code, "year": years, "kind": "projected",
                              "value": np.median(draws, axis=0), "mean": draws.mean(axis=0), "lo": lo, "hi": hi,
                              **{k: np.quantile(draws, q, axis=0) for k, q in _QUANTILES.items()}})
    s = sc.series[code]
    if len(history) == 0 and s.base is not None:
        history = pd.Series({s.base["year"]: s.base["value"]})
    observed = pd.DataFrame({"indicator": code, "year": history.index.astype(int), "kind": "observed",
                             "value": history.to_numpy(dtype=float)})
    return pd.concat([observed, projected], ignore_index=True) if len(observed) else projected


def _population_frame(cohort: dict[int, np.ndarray], years: np.ndarray) -> pd.DataFrame:
    out = {"year": years}
    for bound in (60, 65, 80):
        if bound in cohort:
            out[f"pop_{bound}plus"] = np.median(cohort[bound], axis=0)
    return pd.DataFrame(out)


def _beds(sc: Scenario, done: dict[str, np.ndarray], cohort: dict[int, np.ndarray], years: np.ndarray,
          level: float) -> pd.DataFrame:
    ec = sc.elderly_care
    if 60 not in cohort:
        raise DataShapeError("the cohort age groups have no group starting at 60; beds per 1,000 elderly refer to 60+")
    needed = cohort[60] * ec.beds_per_1000_target / 1000
    planned = done[ec.supply]
    n_lo, n_hi = _band(needed, level)
    p_lo, p_hi = _band(planned, level)
    return pd.DataFrame({
        "year": years, "pop_60plus": np.median(cohort[60], axis=0),
        "beds_per_1000_target": ec.beds_per_1000_target, "beds_needed": needed.mean(axis=0),
        "beds_needed_lo": n_lo, "beds_needed_hi": n_hi,
        "nursing_share_target": ec.nursing_share_target,
        "nursing_beds_needed": needed.mean(axis=0) * ec.nursing_share_target / 100,
        "beds_planned": planned.mean(axis=0), "beds_planned_lo": p_lo, "beds_planned_hi": p_hi,
        "gap": (planned - needed).mean(axis=0), "prob_enough": (planned >= needed).mean(axis=0)})


def _costs(sc: Scenario, done: dict[str, np.ndarray], years: np.ndarray, level: float):
    rows, period, total, total_period = [], [], None, None
    for code, p in sc.programmes.items():
        rng = _rng(sc.seed, "costs." + code)
        n = done[p.recipients].shape[0]
        share = np.clip(p.recipients_share.draw(rng, n), 0, 1)[:, None]
        ratio = np.maximum(p.payment_ratio.draw(rng, n), 0)[:, None]
        annual_standard = done[p.standard] * _factor(sc.series[p.standard].unit, "元/人·年")
        cost = done[p.recipients] * share * annual_standard * ratio / 1e8
        total = cost if total is None else total + cost
        rows.append(_cost_rows(cost, years, level, code, p.name_zh, p.name_en))
        period.append(_cost_rows(cost.sum(axis=1, keepdims=True), None, level, code, p.name_zh, p.name_en))
    if total is None:
        empty = pd.DataFrame(columns=["year", "programme", "name_zh", "name_en", "mean", "lo", "hi"])
        return empty, empty.drop(columns="year")
    rows.append(_cost_rows(total, years, level, "total", "合计", "Total"))
    period.append(_cost_rows(total.sum(axis=1, keepdims=True), None, level, "total", "合计", "Total"))
    return pd.concat(rows, ignore_index=True), pd.concat(period, ignore_index=True)


def _cost_rows(cost: np.ndarray, years, level, code, name_zh, name_en) -> pd.DataFrame:
    lo, hi = _band(cost, level)
    frame = pd.DataFrame({"programme": code, "name_zh": name_zh, "name_en": name_en,
                          "mean": cost.mean(axis=0), "lo": lo, "hi": hi})
    if years is not None:
        frame.insert(0, "year", years)
    return frame


# --------------------------------------------------------------------------------------------------
# Targets and comparisons


def _year_index(result: ScenarioResult, year: int | None) -> tuple[int, int]:
    year = result.years[-1] if year is None else year
    if year not in result.years:
        raise ParameterError(f"year={year!r} is not a projection year of this result ({result.years[0]}–{result.years[-1]})")
    return year, result.years.index(year)


def _direction(s: SeriesSpec, direction: str | None) -> str:
    if direction is not None:
        if direction not in ("at_least", "at_most"):
            raise ParameterError(f"direction={direction!r} must be 'at_least' or 'at_most'")
        return direction
    if s.target:
        return s.target["type"]
    return "at_most" if s.polarity < 0 else "at_least"


def attainment(result: ScenarioResult, *, indicator: str, target: float | Sequence[float] | np.ndarray,
               year: int | None = None, direction: Literal["at_least", "at_most"] | None = None):
    """Probability of meeting ``target`` in ``year`` under the scenario (share of Monte Carlo draws).

    ``direction`` defaults to the scenario target's type, else the indicator's polarity (higher is
    better → ``at_least``). ``target`` may be an array (an attainment curve); a scalar gives a float.
    """
    if indicator not in result.draws:
        raise ParameterError(f"indicator {indicator!r} is not in scenario {result.scenario.name!r}"
                             f"{catalogue.suggest(indicator, result.draws)}")
    year, i = _year_index(result, year)
    direction = _direction(result.scenario.series[indicator], direction)
    values = result.draws[indicator][:, i]
    t = np.asarray(target, dtype=float)
    hits = values[:, None] >= t.ravel()[None, :] if direction == "at_least" else values[:, None] <= t.ravel()[None, :]
    prob = hits.mean(axis=0).reshape(t.shape)
    return float(prob) if prob.ndim == 0 else prob


def propose_targets(result: ScenarioResult, *, probability: float = 0.8, year: int | None = None,
                    indicators: Sequence[str] | None = None) -> pd.DataFrame:
    """A target for each scored indicator that the scenario meets with ``probability``.

    For an indicator where higher is better the proposed target is the :math:`1-p` quantile of the
    scenario's draws in ``year`` (met in a share *p* of the draws); where lower is better, the
    *p* quantile. The probability of meeting the scenario's own stated target (if any) is given beside
    it. Context series (polarity 0) and drivers are left out unless named in ``indicators``.

    Returns
    -------
    pandas.DataFrame
        ``indicator, name_zh, name_en, unit, base_year, base, year, median, proposed, probability,
        direction, binding, stated_target, prob_stated_target, path``.
    """
    if isinstance(probability, bool) or not isinstance(probability, (int, float)) or not 0 < probability < 1:
        raise ParameterError(f"probability={probability!r} must be strictly between 0 and 1, e.g. 0.8")
    sc = result.scenario
    year, i = _year_index(result, year)
    if indicators is None:
        codes = [c for c in sc.indicators if sc.series[c].polarity != 0]
    else:
        codes = list(indicators)
        for c in codes:
            if c not in sc.series:
                raise ParameterError(f"indicator {c!r} is not in scenario {sc.name!r}{catalogue.suggest(c, sc.series)}")
    methods = result.methods.set_index("indicator")
    rows = []
    for code in codes:
        s = sc.series[code]
        direction = _direction(s, None)
        values = result.draws[code][:, i]
        proposed = np.quantile(values, 1 - probability if direction == "at_least" else probability)
        observed = result.paths[(result.paths["indicator"] == code) & (result.paths["kind"] == "observed")
                                & (result.paths["year"] == sc.base_year)]["value"]
        stated = s.target["value"] if s.target else np.nan
        rows.append({
            "indicator": code, "name_zh": s.name_zh, "name_en": s.name_en, "unit": s.unit,
            "base_year": sc.base_year, "base": float(observed.iloc[0]) if len(observed) else np.nan,
            "year": year, "median": float(np.median(values)), "proposed": float(proposed),
            "probability": probability, "direction": direction, "binding": s.binding,
            "stated_target": stated,
            "prob_stated_target": attainment(result, indicator=code, target=stated, year=year) if s.target else np.nan,
            "path": f"{methods.loc[code, 'kind']}: {methods.loc[code, 'method']}"})
    return pd.DataFrame(rows)


def indicator_table(result: ScenarioResult, *, probability: float = 0.8, year: int | None = None,
                    lang: str = "zh") -> pd.DataFrame:
    """The proposed indicators in the form of a plan's 主要指标表: indicator (unit), base, target, attribute.

    Targets come from :func:`propose_targets`, rounded to the catalogue's decimals; ``at_least``
    targets are written with 以上 / "≥" and ``at_most`` with 以下 / "≤".
    """
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    proposals = propose_targets(result, probability=probability, year=year)
    cols = {"zh": ("序号", "指标名称", "单位", "{y}年基数", "{y}年目标", "属性"),
            "en": ("No.", "Indicator", "Unit", "{y} base", "{y} target", "Attribute")}[lang]
    attribute = {"约束性": "Binding", "预期性": "Expected"}
    rows = []
    for k, r in enumerate(proposals.itertuples(), start=1):
        decimals = _decimals(r.indicator)
        target = f"{r.proposed:,.{decimals}f}"
        if lang == "zh":
            target = f"{target}{'以上' if r.direction == 'at_least' else '以下'}"
        else:
            target = f"{'≥' if r.direction == 'at_least' else '≤'} {target}"
        base = "—" if np.isnan(r.base) else f"{r.base:,.{decimals}f}"
        rows.append({cols[0]: k, cols[1]: r.name_zh if lang == "zh" else r.name_en, cols[2]: r.unit,
                     cols[3].format(y=r.base_year): base, cols[4].format(y=r.year): target,
                     cols[5]: r.binding if lang == "zh" else attribute[r.binding]})
    return pd.DataFrame(rows)


def _decimals(code: str) -> int:
    try:
        return catalogue.indicator(code).decimals
    except ParameterError:
        return 1


_HEADERS = {
    "indicator": {"zh": "指标", "en": "Indicator"}, "unit": {"zh": "单位", "en": "Unit"},
    "base": {"zh": "{y}年", "en": "{y}"}, "year": {"zh": "年份", "en": "Year"},
    "path": {"zh": "路径类型", "en": "Path"}, "method": {"zh": "方法", "en": "Method"},
    "detail": {"zh": "说明", "en": "Detail"}, "programme": {"zh": "项目", "en": "Programme"},
    "mean": {"zh": "均值", "en": "Mean"}, "interval": {"zh": "{p}%区间", "en": "{p}% interval"},
    "pop_60plus": {"zh": "60岁及以上人口", "en": "Aged 60+"},
    "beds_needed": {"zh": "需求床位", "en": "Beds needed"},
    "nursing_beds_needed": {"zh": "其中护理型", "en": "of which nursing"},
    "beds_planned": {"zh": "规划供给", "en": "Beds in the plan"}, "gap": {"zh": "缺口(供给−需求)", "en": "Gap (supply − need)"},
    "prob_enough": {"zh": "供给充足概率", "en": "P(supply ≥ need)"},
    "stated": {"zh": "情景目标", "en": "Stated target"}, "prob": {"zh": "实现概率", "en": "P(attained)"},
    "proposed": {"zh": "建议目标（实现概率{p}%）", "en": "Proposed ({p}% likely)"},
}
_KINDS = {"forecast": "统计预测", "growth": "增长率", "target": "目标路径", "link": "联动", "ratio": "比值",
          "cohort": "队列要素法"}


def _h(key: str, lang: str, **kw) -> str:
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    return _HEADERS[key][lang].format(**kw)


def _fmt(value: float, decimals: int) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:,.{decimals}f}"


def comparison_table(results: Sequence[ScenarioResult], *, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """:func:`compare` as display text: per scenario, ``median [lo–hi]`` under the scenario's label."""
    numbers = compare(results, year=year, lang=lang)
    end = results[0].years[-1] if year is None else year
    base_year = results[0].scenario.base_year
    out = pd.DataFrame({_h("indicator", lang): numbers["name"], _h("unit", lang): numbers["unit"]})
    decimals = [_decimals(c) for c in numbers["indicator"]]
    out[_h("base", lang, y=base_year)] = [_fmt(v, d) for v, d in zip(numbers["base"], decimals)]
    for r in results:
        n = r.scenario.name
        out[f"{r.scenario.label(lang)} {end}"] = [
            "—" if not np.isfinite(m) else f"{_fmt(m, d)} [{_fmt(lo, d)}–{_fmt(hi, d)}]"
            for m, lo, hi, d in zip(numbers[f"{n}_median"], numbers[f"{n}_lo"], numbers[f"{n}_hi"], decimals)]
    return out


def methods_table(result: ScenarioResult, *, lang: str = "zh") -> pd.DataFrame:
    """How each series of the scenario was projected (path kind, method, backtest verdict)."""
    sc = result.scenario
    m = result.methods
    names = [sc.series[c].name_zh if lang == "zh" else sc.series[c].name_en for c in m["indicator"]]
    return pd.DataFrame({_h("indicator", lang): names,
                         _h("path", lang): [_KINDS[k] if lang == "zh" else k for k in m["kind"]],
                         _h("method", lang): m["method"], _h("detail", lang): m["detail"]})


def beds_table(result: ScenarioResult, *, lang: str = "zh") -> pd.DataFrame:
    """Bed demand against supply by year, rounded for display."""
    b = result.beds
    if b.empty:
        raise ParameterError(f"scenario {result.scenario.name!r} has no elderly_care section")
    out = pd.DataFrame({_h("year", lang): b["year"]})
    for col in ("pop_60plus", "beds_needed", "nursing_beds_needed", "beds_planned", "gap"):
        out[_h(col, lang)] = b[col].round(0).astype("int64")
    out[_h("prob_enough", lang)] = b["prob_enough"]
    return out


def cost_table(result: ScenarioResult, *, lang: str = "zh", period: bool = False) -> pd.DataFrame:
    """Programme costs (亿元) by year, or totals over the period (``period=True``), with intervals."""
    frame = result.cost_period if period else result.cost
    name = frame["name_zh" if lang == "zh" else "name_en"]
    out = pd.DataFrame({_h("programme", lang): name})
    if not period:
        out.insert(0, _h("year", lang), frame["year"])
    out[_h("mean", lang)] = frame["mean"].round(2)
    out[_h("interval", lang, p=round(100 * result.level))] = [
        f"{lo:,.2f}–{hi:,.2f}" for lo, hi in zip(frame["lo"], frame["hi"])]
    return out


def targets_table(result: ScenarioResult, *, probability: float = 0.8, lang: str = "zh") -> pd.DataFrame:
    """Proposed targets beside the scenario's stated targets and their attainment probabilities."""
    t = propose_targets(result, probability=probability)
    decimals = [_decimals(c) for c in t["indicator"]]
    return pd.DataFrame({
        _h("indicator", lang): t["name_zh" if lang == "zh" else "name_en"], _h("unit", lang): t["unit"],
        _h("base", lang, y=result.scenario.base_year): [_fmt(v, d) for v, d in zip(t["base"], decimals)],
        _h("proposed", lang, p=round(100 * probability)): [_fmt(v, d) for v, d in zip(t["proposed"], decimals)],
        _h("stated", lang): [_fmt(v, d) for v, d in zip(t["stated_target"], decimals)],
        _h("prob", lang): t["prob_stated_target"]})


def key_figures(result: ScenarioResult) -> dict[str, float]:
    """Headline numbers of a result (for ``report.glue``): total cost over the period (mean and interval),
    the bed gap and the probability of enough beds in the last year, and the probability of meeting each
    stated target (``p_target_<indicator>``).
    """
    out: dict[str, float] = {}
    if not result.cost_period.empty:
        total = result.cost_period.set_index("programme").loc["total"]
        out.update({"cost_total_mean": float(total["mean"]), "cost_total_lo": float(total["lo"]),
                    "cost_total_hi": float(total["hi"])})
    if not result.beds.empty:
        last = result.beds.iloc[-1]
        out.update({"beds_gap_end": float(last["gap"]), "beds_prob_enough_end": float(last["prob_enough"])})
    for code, s in result.scenario.series.items():
        if s.target:
            out[f"p_target_{code}"] = attainment(result, indicator=code, target=s.target["value"])
    return out


def compare(results: Sequence[ScenarioResult], *, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """Side by side, the median and interval of each indicator in ``year`` under each scenario.

    Returns one row per indicator (in the first scenario's order, then any others) with columns
    ``indicator, name, unit, base`` and, per scenario *s*, ``s_median, s_lo, s_hi``.
    """
    if lang not in ("zh", "en"):
        raise ParameterError(f"lang must be 'zh' or 'en', got {lang!r}")
    if not results:
        raise ParameterError("compare needs at least one ScenarioResult")
    codes: list[str] = []
    for r in results:
        codes += [c for c in r.scenario.indicators if c not in codes]
    table = []
    for code in codes:
        first = next(r for r in results if code in r.scenario.series)
        s = first.scenario.series[code]
        observed = first.paths[(first.paths["indicator"] == code) & (first.paths["kind"] == "observed")]
        row = {"indicator": code, "name": s.name_zh if lang == "zh" else s.name_en, "unit": s.unit,
               "base": observed["value"].iloc[-1] if len(observed) else np.nan}
        for r in results:
            name = r.scenario.name
            if code in r.draws:
                y, i = _year_index(r, year)
                values = r.draws[code][:, i]
                lo, hi = np.quantile(values, [(1 - r.level) / 2, (1 + r.level) / 2])
                row.update({f"{name}_median": float(np.median(values)), f"{name}_lo": float(lo), f"{name}_hi": float(hi)})
            else:
                row.update({f"{name}_median": np.nan, f"{name}_lo": np.nan, f"{name}_hi": np.nan})
        table.append(row)
    return pd.DataFrame(table)
