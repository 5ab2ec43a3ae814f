"""pyproject.toml and environment.yml must list the same packages (the conda twin may not drift)."""
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ;]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_packages() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(s) for s in meta["dependencies"]}
    names |= {_name(s) for s in meta["optional-dependencies"]["test"]}
    return names


def _environment_packages() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    names = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            names |= {_name(s) for s in dep.get("pip", []) if not s.startswith("-e")}
        else:
            names.add(_name(dep))
    return names - {"python", "pip"}


def test_environment_matches_pyproject():
    pyproject, environment = _pyproject_packages(), _environment_packages()
    assert pyproject - environment == set(), f"in pyproject.toml but not environment.yml: {pyproject - environment}"
    assert environment - pyproject == set(), f"in environment.yml but not pyproject.toml: {environment - pyproject}"


def test_environment_installs_the_project_itself():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip
    assert "conda-forge" in env["channels"]
