"""What a run depends on, hashed: the cache key that lets an unchanged run be skipped.

A run's key is the SHA-256 of

* its notebook's cells (type and source; outputs and execution counts do not matter),
* its parameters (after defaults and type coercion),
* the content of every data file it reads: parameters (given or the notebook's defaults) naming
  existing files or folders (resolved as
  the kernel resolves them: against the kernel's working folder, then the project root), everything
  under ``data/reference/`` and ``data/scenarios/`` (read by name, not path: ``read_reference("targets")``,
  ``scenarios.load("baseline")``), the files the notebook declares in its metadata (``evalkit.inputs``)
  and the job's ``inputs`` globs in runs.yml,
* the evalkit package source (every file of the installed package, so a change to any helper a
  notebook calls invalidates it — the gap ploomber and Quarto leave open),
* the Python version and the versions of every installed distribution,
* the report options (``--show-code``) and the kernel name.

Content hashes, not timestamps: touching a file does not re-run anything, editing it does.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalkit._shared.files import sha256_file
from evalkit.runner.config import BatchPlan, PlannedRun

__all__ = [
    "Environment",
    "capture_environment",
    "display_path",
    "notebook_digest",
    "parameter_paths",
    "run_inputs",
    "run_key",
    "sha256_file",
]


@dataclass(frozen=True)
class Environment:
    """Where a batch ran: git state, Python, package versions, evalkit source hash."""

    git_commit: str | None
    git_dirty: bool | None
    python: str
    platform: str
    packages: dict = field(repr=False)
    evalkit_version: str
    evalkit_source_sha256: str

    @property
    def fingerprint(self) -> str:
        """Hash of what can change results without changing notebooks or data (not git state)."""
        return _sha_json([self.python, sorted(self.packages.items()), self.evalkit_source_sha256])

    def to_dict(self) -> dict:
        """The environment as JSON-ready values (for the manifest)."""
        return {"git_commit": self.git_commit, "git_dirty": self.git_dirty, "python": self.python,
                "platform": self.platform, "evalkit_version": self.evalkit_version,
                "evalkit_source_sha256": self.evalkit_source_sha256, "packages": dict(sorted(self.packages.items()))}


def _sha_json(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def capture_environment(root: Path) -> Environment:
    """The environment of this process (the runner's and its kernels' Python)."""
    import importlib.metadata as metadata

    import evalkit

    commit = _git(root, "rev-parse", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=no") if commit else None
    packages: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            packages[name] = dist.version
    source = Path(evalkit.__file__).resolve().parent
    files = sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                   and p.suffix not in (".pyc", ".pyo"))
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.relative_to(source).as_posix().encode())
        digest.update(bytes.fromhex(sha256_file(p)))
    return Environment(
        git_commit=commit.strip() if commit else None,
        git_dirty=bool(status.strip()) if status is not None else None,
        python=platform.python_version(), platform=f"{platform.system()} {platform.machine()}",
        packages=packages, evalkit_version=getattr(evalkit, "__version__", "unknown"),
        evalkit_source_sha256=digest.hexdigest())


def _files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not any(
        part.startswith(".") or part == "__pycache__" for part in p.relative_to(folder).parts))


def _data_dir(root: Path) -> Path:
    # the rule of evalkit.paths.data_dir(), applied to this batch's root rather than the cwd's project
    env = os.environ.get("EVALKIT_DATA")
    return Path(env).resolve() if env else root / "data"


def _path_values(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _path_values(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _path_values(v)


def parameter_paths(run: PlannedRun, plan: BatchPlan) -> list[Path]:
    """The existing files and folders *run*'s parameters (and their defaults) name, resolved as the kernel does.

    A relative path is taken against the kernels' folder, then the project root (:func:`evalkit.paths.resolve`).
    """
    found: dict[Path, None] = {}
    for text in _path_values({**run.contract.defaults(), **run.parameters}):
        if not text or "\n" in text or len(text) > 1024:
            continue
        candidate = Path(text).expanduser()
        for base in ((candidate,) if candidate.is_absolute() else (plan.kernel_cwd / candidate, plan.root / candidate)):
            try:
                if base.is_file() or base.is_dir():
                    found[base.resolve()] = None
                    break
            except OSError:  # text that cannot be a path (a name over 255 bytes): not an input
                continue
    return list(found)


def run_inputs(run: PlannedRun, plan: BatchPlan) -> list[Path]:
    """The data files *run* reads (see the module docstring), sorted and de-duplicated."""
    found: set[Path] = set()
    for path in parameter_paths(run, plan):
        if path.is_dir():
            found.update(p.resolve() for p in _files_under(path))
        else:
            found.add(path)
    for folder in ("reference", "scenarios"):  # what evalkit reads by name; see the module docstring
        implicit = _data_dir(plan.root) / folder
        if implicit.is_dir():
            found.update(p.resolve() for p in _files_under(implicit))
    for pattern in (*run.contract.inputs, *run.job.inputs):
        found.update(p.resolve() for p in plan.root.glob(pattern) if p.is_file())
    if run.job.when_exists is not None and run.job.when_exists.is_file():
        found.add(run.job.when_exists.resolve())
    return sorted(found)


def display_path(path: Path, root: Path) -> str:
    """*path* relative to the project root when inside it (manifest keys), else absolute."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def notebook_digest(nb: dict) -> str:
    """Hash of what a notebook computes and says: cell types, sources, tags and its kernel."""
    cells = [[c.get("cell_type"), "".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", ""),
              sorted((c.get("metadata") or {}).get("tags") or [])] for c in nb["cells"]]
    kernel = ((nb.get("metadata") or {}).get("kernelspec") or {}).get("name")
    return _sha_json([cells, kernel])


def run_key(run: PlannedRun, *, notebook_sha: str, inputs: dict[str, str], environment: Environment,
            show_code: bool, kernel: str) -> str:
    """The cache key of *run*: equal keys mean the same report would be produced."""
    return _sha_json({"notebook": notebook_sha, "parameters": run.parameters, "inputs": inputs,
                      "environment": environment.fingerprint, "show_code": show_code, "kernel": kernel,
                      "slug": run.run_id})
