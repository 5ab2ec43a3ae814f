"""Where things are: the project root, data folders, reports, reference datasets.

Nothing here hard-codes a machine path. The project root is found by walking up from the current
directory (and then from this file) to the folder holding ``pyproject.toml`` and ``src/evalkit``;
``EVALKIT_ROOT`` overrides it. ``EVALKIT_DATA`` points at another data folder (default
``<root>/data``); ``EVALKIT_REFERENCE_DATA`` at the public reference datasets (default
``<root>/../shared/reference-data``).
"""
from __future__ import annotations

import os
from pathlib import Path

from evalkit.errors import ReferenceDataMissing

__all__ = [
    "data_dir",
    "notebooks_dir",
    "project_root",
    "reference_data_dir",
    "reference_tables_dir",
    "report_file",
    "reports_dir",
    "require_reference_data",
    "resolve",
    "sample_panel_path",
    "seed_dir",
]


def _is_root(path: Path) -> bool:
    return (path / "pyproject.toml").is_file() and (path / "src" / "evalkit").is_dir()


def project_root() -> Path:
    """The evalkit project folder (``EVALKIT_ROOT``, else the nearest parent with ``pyproject.toml``)."""
    env = os.environ.get("EVALKIT_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for candidate in (start, *start.parents):
            if _is_root(candidate):
                return candidate
    return Path.cwd().resolve()


def data_dir() -> Path:
    """The data folder (``EVALKIT_DATA``, else ``<root>/data``)."""
    env = os.environ.get("EVALKIT_DATA")
    return Path(env).resolve() if env else project_root() / "data"


def reference_tables_dir() -> Path:
    """``data/reference``: the sourced reference tables shipped with the project."""
    return data_dir() / "reference"


def sample_panel_path() -> Path:
    """``data/sample/panel.csv``: the illustrative panel the notebooks run on by default."""
    return data_dir() / "sample" / "panel.csv"


def reports_dir() -> Path:
    """The folder reports are written to (``reports/`` in the project root)."""
    return project_root() / "reports"


#: the language whose reports carry no suffix (``210000.docx``; other languages: ``210000_en.docx``)
DEFAULT_LANG = "zh"


def report_file(notebook: str, stem: str, extension: str, lang: str = DEFAULT_LANG) -> Path:
    """Where a notebook writes a file of its report: ``reports/<notebook>/<stem>[_<lang>]<extension>``."""
    suffix = "" if lang == DEFAULT_LANG else f"_{lang}"
    return reports_dir() / notebook / f"{stem}{suffix}{extension}"


def notebooks_dir() -> Path:
    """The folder of the project's notebooks."""
    return project_root() / "notebooks"


def reference_data_dir() -> Path:
    """Public reference datasets with published results (``EVALKIT_REFERENCE_DATA``)."""
    env = os.environ.get("EVALKIT_REFERENCE_DATA")
    if env:
        return Path(env).resolve()
    return (project_root().parent / "shared" / "reference-data").resolve()


def require_reference_data(*parts: str) -> Path:
    """Path to a reference dataset file or folder; :class:`ReferenceDataMissing` if absent."""
    path = reference_data_dir().joinpath(*parts)
    if not path.exists():
        raise ReferenceDataMissing(
            f"reference data {path} not found; set EVALKIT_REFERENCE_DATA to the folder holding "
            "the shared reference datasets (default ../shared/reference-data)"
        )
    return path


def seed_dir() -> Path:
    """The folder with the source work report (``../shared/seed``), which may be absent."""
    return (project_root().parent / "shared" / "seed").resolve()


def resolve(path: str | os.PathLike) -> Path:
    """Resolve a user-given path.

    Absolute paths stay as they are; a relative path is taken against the current directory if it exists
    there, else against the project root (notebooks run from ``notebooks/`` but name files from the root).
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    if p.exists():
        return p.resolve()
    return (project_root() / p).resolve()
