"""``runs.yml``: which notebook runs with which parameters, checked before anything runs.

::

    defaults:                  # shared by every job (parameters only where the notebook declares them)
      timeout: 600             # seconds per run
      parameters: {lang: zh}
    jobs:
      - name: data_audit
        notebook: notebooks/data_audit.ipynb
        output: "{lang}"                  # report name template, from the run's parameters
        grid: {lang: [zh, en]}            # cartesian product of lists
      - name: report_claims_seed
        notebook: notebooks/report_claims.ipynb
        output: "seed"
        when_exists: ../shared/seed/000_094b9a3db5cf8248.txt   # skipped (not failed) when absent
        parameter_sets:                                        # or an explicit list of sets
          - {text: ../shared/seed/000_094b9a3db5cf8248.txt}

Job keys: ``notebook`` (required), ``name`` (default: the notebook's file stem), ``output``, ``parameters``
(fixed values), ``grid`` or ``parameter_sets``, ``timeout``, ``when_exists``, ``inputs`` (extra data
files/globs the cache should watch), ``kernel``. Paths are relative to the folder holding ``runs.yml``
(the project root). The file is read with a safe YAML loader; every error names the file, line and key and
says how to fix it.
"""
from __future__ import annotations

import fnmatch
import hashlib
import itertools
import os
import re
import string
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit._shared.yamlfile import LineList, LineMap, load_yaml, read_text, unknown_keys
from evalkit.errors import ConfigError, ParameterError
from evalkit.runner.contract import Contract, contract_of, read_notebook

__all__ = ["DEFAULT_TIMEOUT", "BatchPlan", "Job", "PlannedRun", "load_config", "plan_batch", "slugify"]

DEFAULT_TIMEOUT = 1800.0
_TOP_KEYS = ("defaults", "jobs")
_DEFAULT_KEYS = ("timeout", "parameters", "inputs", "kernel")
_JOB_KEYS = ("name", "notebook", "output", "parameters", "grid", "parameter_sets", "timeout", "when_exists",
             "inputs", "kernel")


@dataclass(frozen=True)
class Job:
    """One job of ``runs.yml`` after validation (parameter sets not yet expanded)."""

    name: str
    notebook: Path
    output: str | None
    parameters: dict  #: fixed values for every set of this job
    defaults: dict  #: runs.yml `defaults.parameters` (applied where the notebook declares them)
    sets: tuple[dict, ...]
    set_lines: tuple[int, ...]
    timeout: float
    when_exists: Path | None
    inputs: tuple[str, ...]
    kernel: str | None
    line: int


@dataclass(frozen=True)
class PlannedRun:
    """One notebook execution: a job with one parameter set, checked against the notebook's contract."""

    job: Job
    parameters: dict
    slug: str
    line: int
    contract: Contract = field(repr=False)
    skip_reason: str | None = None

    @property
    def notebook_dir(self) -> str:
        """The report folder name: ``reports/<notebook_dir>/<slug>.html``."""
        return slugify(self.job.notebook.stem)

    @property
    def run_id(self) -> str:
        """``<notebook_dir>/<slug>``: the run's id in the manifest and its report path."""
        return f"{self.notebook_dir}/{self.slug}"


@dataclass(frozen=True)
class BatchPlan:
    """Every run of a ``runs.yml``, its project root and where reports go."""

    config: Path
    root: Path
    runs: tuple[PlannedRun, ...]  #: every run of runs.yml, in file order
    selected: frozenset  #: run ids to execute in this batch (all unless --only)
    contracts: dict = field(repr=False)
    notebooks: dict = field(repr=False)  #: notebook path -> notebook JSON (read once)

    @property
    def reports(self) -> Path:
        """The report folder, ``<root>/reports``."""
        return self.root / "reports"

    @property
    def kernel_cwd(self) -> Path:
        """Where kernels run: ``<root>/notebooks`` (as in JupyterLab), else the root."""
        folder = self.root / "notebooks"
        return folder if folder.is_dir() else self.root


def load_config(path: str | Path) -> tuple[list[Job], Path]:
    """Read and validate ``runs.yml``; return its jobs and the project root (its folder)."""
    path = Path(path)
    text = read_text(path, missing_fix="run from the project root or pass the batch file: evalkit run PATH/runs.yml")
    data = load_yaml(text, file=path)
    root = path.resolve().parent
    if data is None:
        raise ConfigError("the batch file is empty", file=path, fix="add a `jobs:` list")
    _require(isinstance(data, LineMap), "the top level must be a mapping with `jobs:` (and optional `defaults:`)",
             path, 1, None)
    unknown_keys(data, _TOP_KEYS, file=path, prefix="")
    defaults = data.get("defaults") or LineMap()
    _require(isinstance(defaults, LineMap), "`defaults` must be a mapping", path, data.line_of("defaults"), "defaults")
    unknown_keys(defaults, _DEFAULT_KEYS, file=path, prefix="defaults.")
    jobs_node = data.get("jobs")
    _require(isinstance(jobs_node, LineList) and len(jobs_node) > 0, "`jobs` must be a non-empty list of jobs",
             path, data.line_of("jobs"), "jobs")
    default_params = _mapping(defaults, "parameters", path, "defaults.parameters")
    default_timeout = _timeout(defaults, path, "defaults.timeout", DEFAULT_TIMEOUT)
    default_inputs = _strings(defaults, "inputs", path, "defaults.inputs")
    default_kernel = _optional_str(defaults, "kernel", path, "defaults.kernel")
    jobs: list[Job] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(jobs_node):
        line = jobs_node.lines[i]
        _require(isinstance(node, LineMap), "each job must be a mapping with at least `notebook`",
                 path, line, f"jobs[{i}]")
        job = _job(node, i, path, root, default_params, default_timeout, default_inputs, default_kernel)
        if job.name in seen:
            raise ConfigError(f"job name {job.name!r} is used twice (also on line {seen[job.name]})", file=path,
                              line=job.line, key=f"jobs.{job.name}.name", fix="give every job its own name")
        seen[job.name] = job.line
        jobs.append(job)
    return jobs, root


def _job(node: LineMap, i: int, path: Path, root: Path, default_params: dict, default_timeout: float,
         default_inputs: tuple[str, ...], default_kernel: str | None) -> Job:
    name = node.get("name")
    where = f"jobs[{i}]"
    notebook = node.get("notebook")
    if "name" not in node and isinstance(notebook, str) and notebook.endswith(".ipynb"):
        name = Path(notebook).stem  # a job without a name takes its notebook's
    _require(isinstance(name, str) and re.fullmatch(r"[\w.-]+", name or "") is not None,
             "each job needs a `name` of letters, digits, '_', '-' or '.'", path, node.line_of("name"), f"{where}.name")
    where = f"jobs.{name}"
    unknown_keys(node, _JOB_KEYS, file=path, prefix=f"{where}.")
    _require(isinstance(notebook, str) and notebook.endswith(".ipynb"),
             "`notebook` must be the path of an .ipynb file, relative to the project root",
             path, node.line_of("notebook"), f"{where}.notebook")
    notebook_path = Path(os.path.normpath(root / notebook))  # keep symlinked folders as the user named them
    if not notebook_path.is_file():
        raise ConfigError(f"notebook {notebook} not found (looked for {notebook_path})", file=path,
                          line=node.line_of("notebook"), key=f"{where}.notebook",
                          fix="correct the path; it is relative to the folder holding runs.yml")
    output = _optional_str(node, "output", path, f"{where}.output")
    if output is not None:
        _check_template(output, path, node.line_of("output"), f"{where}.output")
    params = {**_mapping(node, "parameters", path, f"{where}.parameters")}
    if "grid" in node and "parameter_sets" in node:
        raise ConfigError("a job has either `grid` or `parameter_sets`, not both", file=path,
                          line=node.line_of("parameter_sets"), key=f"{where}.parameter_sets",
                          fix="split it into two jobs, or list every combination under parameter_sets")
    sets, set_lines = _parameter_sets(node, path, where)
    for s, ln in zip(sets, set_lines):
        clash = sorted(set(s) & set(params))
        if clash:
            raise ConfigError(f"{', '.join(clash)} given both under `parameters` and in a parameter set",
                              file=path, line=ln, key=f"{where}", fix="keep each parameter in one place")
    when = _optional_str(node, "when_exists", path, f"{where}.when_exists")
    return Job(name=name, notebook=notebook_path, output=output, parameters=params, defaults=default_params,
               sets=tuple(sets), set_lines=tuple(set_lines),
               timeout=_timeout(node, path, f"{where}.timeout", default_timeout),
               when_exists=(root / when) if when else None,
               inputs=default_inputs + _strings(node, "inputs", path, f"{where}.inputs"),
               kernel=_optional_str(node, "kernel", path, f"{where}.kernel") or default_kernel,
               line=node.line)


def _parameter_sets(node: LineMap, path: Path, where: str) -> tuple[list[dict], list[int]]:
    if "grid" in node:
        grid = node["grid"]
        _require(isinstance(grid, LineMap) and len(grid) > 0, "`grid` must map parameter names to lists of values",
                 path, node.line_of("grid"), f"{where}.grid")
        for key, values in grid.items():
            if not isinstance(values, LineList) or not values:
                raise ConfigError(f"grid values must be a non-empty list, got {values!r}", file=path,
                                  line=grid.line_of(key), key=f"{where}.grid.{key}",
                                  fix=f"write `{key}: [a, b]`, or move a single value under `parameters:`")
        names = list(grid)
        combos = list(itertools.product(*(grid[k] for k in names)))
        return [dict(zip(names, combo)) for combo in combos], [node.line_of("grid")] * len(combos)
    if "parameter_sets" in node:
        sets = node["parameter_sets"]
        _require(isinstance(sets, LineList) and len(sets) > 0, "`parameter_sets` must be a non-empty list of mappings",
                 path, node.line_of("parameter_sets"), f"{where}.parameter_sets")
        for j, s in enumerate(sets):
            _require(isinstance(s, LineMap), "each parameter set must be a mapping `{name: value, ...}`",
                     path, sets.lines[j], f"{where}.parameter_sets[{j}]")
        return [dict(s) for s in sets], list(sets.lines)
    return [{}], [node.line]


def _require(ok: bool, message: str, path: Path, line: int | None, key: str | None, fix: str | None = None) -> None:
    if not ok:
        raise ConfigError(message, file=path, line=line, key=key, fix=fix)


def _mapping(node: LineMap, key: str, path: Path, where: str) -> dict:
    value = node.get(key)
    if value is None:
        return {}
    _require(isinstance(value, LineMap), f"`{key}` must be a mapping of parameter names to values",
             path, node.line_of(key), where)
    return dict(value)


def _timeout(node: LineMap, path: Path, where: str, default: float) -> float:
    value = node.get("timeout", default)
    # the watchdog's timer cannot wait longer than threading.TIMEOUT_MAX (~292 years; .inf overflows)
    _require(isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= threading.TIMEOUT_MAX,
             f"`timeout` must be a positive number of seconds (a finite number), got {value!r}", path,
             node.line_of("timeout"), where)
    return float(value)


def _strings(node: LineMap, key: str, path: Path, where: str) -> tuple[str, ...]:
    value = node.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    _require(isinstance(value, LineList) and all(isinstance(v, str) for v in value),
             f"`{key}` must be a list of paths or globs", path, node.line_of(key), where)
    return tuple(value)


def _optional_str(node: LineMap, key: str, path: Path, where: str) -> str | None:
    value = node.get(key)
    _require(value is None or (isinstance(value, str) and value.strip() != ""), f"`{key}` must be text",
             path, node.line_of(key), where)
    return value


def _check_template(template: str, path: Path, line: int, where: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise ConfigError(f"bad output template {template!r} ({exc})", file=path, line=line, key=where,
                          fix="use {parameter} placeholders, e.g. \"{lang}_{weighting}\"") from None
    for f in fields:
        if not re.fullmatch(r"\w+", f):
            raise ConfigError(f"output template field {{{f}}} must be a plain parameter name", file=path,
                              line=line, key=where, fix="use {parameter} placeholders, e.g. \"{lang}\"")


_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(text: str, *, max_bytes: int = 120) -> str:
    """A safe file name from *text*: no path separators or traversal, Chinese kept, bounded length.

    Letters and digits of any script (so 沈阳市 stays 沈阳市), ``-``, ``_`` and inner ``.`` are kept;
    everything else becomes ``_``. Over-long names are cut and suffixed with a short hash so
    distinct inputs stay distinct.
    """
    text = unicodedata.normalize("NFKC", str(text))
    kept = "".join(ch if (ch.isalnum() or ch in "-_.") else "_" for ch in text)
    kept = re.sub(r"\.{2,}", "_", kept)  # never '..'
    kept = re.sub(r"_+", "_", kept).strip("._-") or "run"
    if kept.split(".")[0].lower() in _WINDOWS_RESERVED:
        kept = f"_{kept}"
    if len(kept.encode("utf-8")) > max_bytes:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
        cut = kept.encode("utf-8")[:max_bytes - 11].decode("utf-8", errors="ignore")
        kept = f"{cut.rstrip('._-')}-{digest}"
    return kept


def _format_slug(job: Job, values: dict, varying: list[str]) -> str:
    if job.output is not None:
        try:
            return job.output.format_map({k: _slug_text(v) for k, v in values.items()})
        except KeyError as exc:
            raise ParameterError(
                f"job {job.name}: the output template {job.output!r} names {{{exc.args[0]}}}, which is neither "
                f"given in runs.yml nor has a literal default in the notebook — use one of: "
                f"{', '.join(sorted(values)) or '(no parameters)'}") from None
    if not varying:
        return job.name
    return "_".join(_slug_text(values[k]) for k in varying)


def _slug_text(value: Any) -> str:
    if isinstance(value, str) and ("/" in value or os.sep in value):
        # a path parameter names the run by its file, not by its folders
        value = Path(value).stem
    return str(value)


def plan_batch(config: str | Path = "runs.yml", *, only: Iterable[str] | None = None) -> BatchPlan:
    """Validate ``runs.yml`` and every parameter set against its notebook's contract.

    Nothing is executed. Raises :class:`ConfigError` for a malformed file and one
    :class:`ParameterError` listing every parameter problem of every job.
    """
    jobs, root = load_config(config)
    config = Path(config)
    contracts: dict[Path, Contract] = {}
    notebooks: dict[Path, dict] = {}
    runs: list[PlannedRun] = []
    problems: list[str] = []
    for job in jobs:
        if job.notebook not in contracts:
            nb = read_notebook(job.notebook)
            notebooks[job.notebook] = nb
            contracts[job.notebook] = contract_of(nb, notebook=_rel(job.notebook, root))
        contract = contracts[job.notebook]
        defaults = {k: v for k, v in job.defaults.items() if k in contract}
        varying = [k for k in dict.fromkeys(k for s in job.sets for k in s)
                   if len({repr(s.get(k)) for s in job.sets}) > 1]
        skip = None
        if job.when_exists is not None and not job.when_exists.exists():
            skip = f"{_rel(job.when_exists, root)} does not exist (when_exists)"
        for values, line in zip(job.sets, job.set_lines):
            given = {**defaults, **job.parameters, **values}
            found = contract.problems(given)
            label = f"{config.name}, line {line}, job {job.name}" + (
                f" ({', '.join(f'{k}={values[k]!r}' for k in varying if k in values)})" if varying else "")
            problems += [f"{label}: {p}" for p in found]
            if found:
                continue
            given = contract.coerce(given)
            slug = slugify(_format_slug(job, {**contract.defaults(), **given}, varying))
            runs.append(PlannedRun(job=job, parameters=given, slug=slug, line=line, contract=contract,
                                   skip_reason=skip))
    if problems:
        n = len(problems)
        raise ParameterError(f"{n} parameter problem{'s' if n > 1 else ''} in {config} (no notebook was run):\n"
                             + "\n".join(f"  - {p}" for p in problems)
                             + "\n  fix: correct runs.yml, or run `evalkit params NOTEBOOK` to see what a notebook "
                               "accepts")
    _check_unique(runs, config)
    selected = tuple(r.run_id for r in runs)
    if only:
        patterns = list(only)
        selected = tuple(r.run_id for r in runs if any(_matches(r, p) for p in patterns))
        if not selected:
            names = ", ".join(j.name for j in jobs)
            raise ParameterError(f"--only {' '.join(patterns)} matches no run — job names: {names} "
                                 "(patterns match a job name, a notebook name or NOTEBOOK/REPORT, with * wildcards)")
    return BatchPlan(config=config, root=root, runs=tuple(runs), selected=frozenset(selected),
                     contracts=contracts, notebooks=notebooks)


def _matches(run: PlannedRun, pattern: str) -> bool:
    return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in
               (run.job.name, run.job.notebook.stem, run.run_id, f"{run.job.name}/{run.slug}"))


def _check_unique(runs: list[PlannedRun], config: Path) -> None:
    seen: dict[str, PlannedRun] = {}
    for run in runs:
        # <slug>.error.html is the error page of <slug>; case-insensitive file systems merge names by case
        names = (run.run_id, f"{run.run_id}.error")
        for name in names:
            other = seen.get(name.casefold())
            if other is not None:
                raise ConfigError(
                    f"two runs would write reports/{name}.html: {_describe_run(other, run)} and "
                    f"{_describe_run(run, other)}", file=config, line=run.line, key=f"jobs.{run.job.name}.output",
                    fix="make the `output` templates distinct, e.g. include the parameter that differs")
        seen.update((name.casefold(), run) for name in names)


def _describe_run(run: PlannedRun, other: PlannedRun) -> str:
    differ = [k for k in dict.fromkeys([*run.parameters, *other.parameters])
              if run.parameters.get(k) != other.parameters.get(k)]
    return f"job {run.job.name} (line {run.line}" + "".join(f", {k}={run.parameters.get(k)!r}" for k in differ) + ")"


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return os.path.relpath(path.resolve(), root)
