"""Reading a scenario file: one safe YAML parse, then every key checked with its file, line and fix.

The file is parsed once by :func:`evalkit._shared.yamlfile.load_yaml`, whose mappings and lists remember the
line of every key and item; each check below raises :class:`~evalkit.errors.ConfigError` naming the file, the
key path (``indicators.dibao_urban_std.path.rate``), its line and how to fix it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evalkit import catalogue, paths, regions
from evalkit._shared.checks import closest
from evalkit._shared.yamlfile import LineList, LineMap, load_yaml, read_text, unknown_keys
from evalkit.errors import ConfigError, ParameterError
from evalkit.projection import METHODS, MIN_FORECASTS
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
from evalkit.units import UnitMismatch, convert

__all__ = ["load", "load_all"]


@dataclass(frozen=True)
class _Source:
    """The parsed file and its path: where every check looks up the line of a key path."""

    file: Path
    root: Any

    def line(self, keys: tuple) -> int | None:
        """The line of the deepest key of *keys* present in the file (the block's line for an absent key)."""
        node, line = self.root, getattr(self.root, "line", None)
        for key in keys:
            present = key in node if isinstance(node, LineMap) else (
                isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node))
            if present:
                line, node = node.line_of(key), node[key]
            else:
                break
        return line

    def fail(self, keys: tuple, message: str, fix: str) -> ConfigError:
        """A ConfigError for the key path *keys*."""
        return ConfigError(message, file=self.file, key=".".join(map(str, keys)) or None,
                           line=self.line(keys), fix=fix)


def _parse(path: Path) -> _Source:
    text = read_text(path, missing_fix=f"check the path; the shipped scenarios are in {scenario_dir()}")
    data = load_yaml(text, file=path)
    if not isinstance(data, dict):
        raise ConfigError("a scenario file must be a mapping of keys (name:, base_year:, indicators: …)",
                          file=path, line=1, fix="start from data/scenarios/baseline.yml")
    return _Source(path, data)


def _block(doc: _Source, value: Any, keys: tuple, *, required: Sequence[str] = (),
           optional: Sequence[str] = ()) -> dict:
    """*value* as a mapping with only the allowed keys and every required one."""
    if not isinstance(value, dict):
        raise doc.fail(keys, f"expected a mapping (key: value lines), got {_kind(value)}",
                       f"indent the entries under {keys[-1] if keys else 'the top level'}:")
    allowed = list(required) + list(optional)
    if isinstance(value, LineMap):
        unknown_keys(value, allowed, file=doc.file, prefix="".join(f"{k}." for k in keys))
    for key in required:
        if key not in value:
            where = ".".join(map(str, keys)) or "the top level"
            raise doc.fail(keys, f"missing required key {key!r}", f"add '{key}:' under {where}")
    return value


def _named(doc: _Source, value: Any, keys: tuple) -> dict:
    """A mapping whose keys are names chosen by the author (indicator codes, programme names)."""
    if not isinstance(value, dict):
        raise doc.fail(keys, f"expected a mapping of names to entries, got {_kind(value)}",
                       f"list the entries under {keys[-1]}: as 'name:' lines, indented")
    return value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"yes/no ({value})"
    if isinstance(value, str):
        return f"text {value!r}"
    return "nothing (an empty value)" if value is None else f"{type(value).__name__} {value!r}"


def _number(doc: _Source, value: Any, keys: tuple, *, low: float | None = None, high: float | None = None,
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


def _uncertain(doc: _Source, value: Any, keys: tuple, **bounds) -> Uncertain:
    if isinstance(value, dict):
        _block(doc, value, keys, required=["mean"], optional=["sd"])
        return Uncertain(_number(doc, value["mean"], keys + ("mean",), **bounds),
                         _number(doc, value.get("sd", 0.0), keys + ("sd",), low=0))
    return Uncertain(_number(doc, value, keys, **bounds))


def _text(doc: _Source, value: Any, keys: tuple, *, pattern: str | None = None, choices: Sequence[str] = ()) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and pattern:
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise doc.fail(keys, f"expected text, got {_kind(value)}", "write the value as text, in quotes if it is a code")
    if choices and value not in choices:
        close = [closest(value, choices, cutoff=0.5)] if closest(value, choices, cutoff=0.5) else []
        raise doc.fail(keys, f"{value!r} is not one of {', '.join(map(str, choices))}",
                       f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(map(str, choices))}")
    if pattern and not re.fullmatch(pattern, value):
        raise doc.fail(keys, f"{value!r} does not have the expected form ({pattern})", "see data/scenarios/README.md")
    return value


def _bilingual(doc: _Source, value: Any, keys: tuple, *, required: bool) -> tuple[str, str]:
    if value is None and not required:
        return "", ""
    value = _block(doc, value, keys, required=["zh", "en"])
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
    top = _block(doc, doc.root, (), required=["name", "label", "base_year", "horizon_end", "indicators"],
                   optional=["description", "region", "interval", "n_draws", "seed", "select", "drivers",
                             "elderly_care", "costs"])
    name = _text(doc, top["name"], ("name",), pattern=r"[a-z][a-z0-9_]*")
    label_zh, label_en = _bilingual(doc, top["label"], ("label",), required=True)
    desc_zh, desc_en = _bilingual(doc, top.get("description"), ("description",), required=False)
    region = _text(doc, top.get("region", catalogue.PROVINCE), ("region",), pattern=r"\d{6}")
    if not regions.is_current(region):
        try:
            regions.name(region)
        except ParameterError as exc:  # says whether it is a former code and which code is closest
            raise doc.fail(("region",), str(exc), "use a GB/T 2260 code in force at the end of 2020 "
                           "(data/reference/divisions.csv; 210000 = Liaoning province)") from None
    base_year = _number(doc, top["base_year"], ("base_year",), low=1990, high=2100, integer=True)
    horizon_end = _number(doc, top["horizon_end"], ("horizon_end",), low=base_year + 1, high=base_year + 30,
                          integer=True)
    # The file key stays ``interval:``; it is the interval level (``Scenario.level``).
    level = _number(doc, top.get("interval", 0.9), ("interval",), low=0, high=0.999, strict_low=True)
    n_draws = _number(doc, top.get("n_draws", 2000), ("n_draws",), low=100, high=200_000, integer=True)
    seed = _number(doc, top.get("seed", 2021), ("seed",), low=0, integer=True)
    sel = _block(doc, top.get("select", {}), ("select",), optional=["min_train", "min_forecasts", "methods"])
    methods = sel.get("methods", list(METHODS))
    if not isinstance(methods, list) or not methods:
        raise doc.fail(("select", "methods"), f"expected a list of methods, got {_kind(methods)}",
                       f"write e.g. [drift, linear, loglinear]; choices: {', '.join(METHODS)}")
    methods = tuple(_text(doc, m, ("select", "methods", i), choices=METHODS) for i, m in enumerate(methods))
    min_train = _number(doc, sel.get("min_train", 4), ("select", "min_train"), low=3, integer=True)
    min_forecasts = _number(doc, sel.get("min_forecasts", MIN_FORECASTS), ("select", "min_forecasts"), low=1,
                            integer=True)

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
                    level=level, n_draws=n_draws, seed=seed, series=series, order=order,
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


def _path_spec(doc: _Source, spec: Any, keys: tuple, horizon_end: int, *, driver: bool) -> dict:
    spec = _block(doc, spec, keys, required=["kind"],
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
    _block(doc, spec, keys, required=["kind", *needed], optional=allowed)
    out: dict[str, Any] = {"kind": kind}
    if kind == "forecast":
        out["method"] = _text(doc, spec.get("method", "auto"), keys + ("method",), choices=("auto", *METHODS))
    elif kind == "growth":
        out["rate"] = Uncertain(_number(doc, spec["rate"], keys + ("rate",), low=-0.5, high=1.0),
                                _number(doc, spec.get("sd", 0.0), keys + ("sd",), low=0, high=0.5))
    elif kind == "target":
        out["value"] = Uncertain(_number(doc, spec["value"], keys + ("value",)),
                                 _number(doc, spec.get("sd", 0.0), keys + ("sd",), low=0))
        out["year"] = _number(doc, spec.get("year", horizon_end), keys + ("year",), low=1990, high=horizon_end,
                              integer=True)
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


def _base(doc: _Source, spec: Any, keys: tuple) -> dict:
    spec = _block(doc, spec, keys, required=["year", "value", "source"], optional=["status"])
    return {"year": _number(doc, spec["year"], keys + ("year",), low=1990, high=2100, integer=True),
            "value": _number(doc, spec["value"], keys + ("value",)),
            "source": _text(doc, spec["source"], keys + ("source",)),
            "status": _text(doc, spec.get("status", "illustrative"), keys + ("status",),
                            choices=("official", "reported", "derived", "illustrative"))}


def _driver(doc: _Source, code: str, spec: Any, horizon_end: int) -> SeriesSpec:
    keys = ("drivers", code)
    spec = _block(doc, spec, keys, required=["name", "unit", "base", "path"])
    name_zh, name_en = _bilingual(doc, spec["name"], keys + ("name",), required=True)
    return SeriesSpec(code=code, unit=_text(doc, spec["unit"], keys + ("unit",)), name_zh=name_zh, name_en=name_en,
                  polarity=0, path=_path_spec(doc, spec["path"], keys + ("path",), horizon_end, driver=True),
                  base=_base(doc, spec["base"], keys + ("base",)), is_driver=True)


def _indicator(doc: _Source, code: str, spec: Any, horizon_end: int) -> SeriesSpec:
    keys = ("indicators", code)
    try:
        meta = catalogue.indicator(code)
    except ParameterError:
        raise doc.fail(keys, f"unknown indicator code {code!r}{catalogue.suggest(code, catalogue.indicators().index)}",
                       "use a code from data/reference/indicators.csv, or declare a series under drivers:") from None
    spec = _block(doc, spec, keys, required=["path"], optional=["floor", "target", "binding", "base"])
    floor = None
    if "floor" in spec:
        f = _block(doc, spec["floor"], keys + ("floor",), required=["to", "ratio"])
        floor = {"to": _text(doc, f["to"], keys + ("floor", "to")),
                 "ratio": _uncertain(doc, f["ratio"], keys + ("floor", "ratio"), low=0, strict_low=True)}
    target = None
    if "target" in spec:
        t = _block(doc, spec["target"], keys + ("target",), required=["value"], optional=["type", "source"])
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


def _data_file(doc: _Source, value: Any, keys: tuple, columns: set[str]) -> Path:
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


def _elderly_care(doc: _Source, spec: Any, base_year: int) -> ElderlyCare:
    keys = ("elderly_care",)
    spec = _block(doc, spec, keys, required=["population", "rates", "beds_per_1000_target", "nursing_share_target"],
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


def _check_references(doc: _Source, series: dict[str, SeriesSpec], elderly: ElderlyCare | None) -> None:
    known = list(series)
    for code, s in series.items():
        section = "drivers" if s.is_driver else "indicators"
        refs = [(("path", k), s.path[k]) for k in ("to", "numerator", "denominator") if k in s.path]
        if s.floor:
            refs.append((("floor", "to"), s.floor["to"]))
        for sub, ref in refs:
            if ref not in series:
                close = [closest(ref, known)] if closest(ref, known) else []
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


def _order(doc: _Source, series: dict[str, SeriesSpec]) -> tuple[str, ...]:
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


def _programmes(doc: _Source, spec: Any, series: dict[str, SeriesSpec]) -> dict[str, Programme]:
    keys = ("costs",)
    out = {}
    for code, p in _named(doc, spec, keys).items():
        k = keys + (code,)
        p = _block(doc, p, k, required=["name", "recipients", "standard"],
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
        # Shares of the same recipients are drawn jointly and must leave room for each other.
        same = [c for c, q in out.items() if q.recipients == refs["recipients"]]
        shares = sum(out[c].recipients_share.mean for c in same)
        if len(same) > 1 and shares > 1 + 1e-9:
            raise doc.fail(k + ("recipients_share",),
                           f"the recipient shares of {', '.join(same)} (all of {refs['recipients']!r}) add up to "
                           f"{shares:g}, more than 1", "make the shares of the same recipients add up to at most 1")
        if len(same) > 1 and any(out[c].recipients_share.sd > 0 for c in same):
            _dirichlet_feasible(doc, k, [out[c] for c in same])
    return out


def _dirichlet_feasible(doc: _Source, keys: tuple, group: list[Programme]) -> None:
    """The shares of one recipient series are drawn from a Dirichlet: its sds must fit inside [0, 1]."""
    known = sum(p.recipients_share.mean for p in group if p.recipients_share.sd == 0)
    free = 1 - known
    for p in group:
        share = p.recipients_share
        if share.sd > 0 and (free <= 0 or share.sd ** 2 >= share.mean * (free - share.mean)):
            raise doc.fail(keys + ("recipients_share",),
                           f"recipient share {share.mean:g} ± {share.sd:g} of {p.code!r} is too uncertain for a "
                           f"share of at most {free:g}", "give a smaller sd (shares of the same recipients are "
                           "drawn together so that they add up)")

