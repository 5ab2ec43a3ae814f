"""Helpers for the runner tests: a throw-away project built from the fixture notebooks.

(No tests here; the runner test modules import these helpers.)
"""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"


def make_project(root: Path, runs_yml: str, *, values: str = "1\n2\n3\n") -> Path:
    """A project folder with ``runs.yml``, the fixture notebooks and tiny data; returns runs.yml's path."""
    (root / "notebooks").mkdir(parents=True, exist_ok=True)
    for nb in FIXTURES.glob("*.ipynb"):
        shutil.copy(nb, root / "notebooks" / nb.name)
    (root / "data" / "reference").mkdir(parents=True, exist_ok=True)
    (root / "data" / "values.txt").write_text(values, encoding="utf-8")
    (root / "data" / "other.txt").write_text("5\n", encoding="utf-8")
    (root / "data" / "reference" / "regions.csv").write_text("code,name_zh\n210100,沈阳市\n", encoding="utf-8")
    config = root / "runs.yml"
    config.write_text(textwrap.dedent(runs_yml).lstrip(), encoding="utf-8")
    return config


def notebook_json(cells: list[dict], *, metadata: dict | None = None) -> dict:
    """A minimal nbformat-4 notebook (plain JSON) with the given cells."""
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": metadata or {"kernelspec": {"name": "python3"}},
            "cells": [{"id": f"c{i}", "metadata": c.get("metadata", {}), "outputs": [], "execution_count": None,
                       **c} if c["cell_type"] == "code" else {"id": f"c{i}", "metadata": {}, **c}
                      for i, c in enumerate(cells)]}


def write_notebook(path: Path, parameters: str, *body: str, metadata: dict | None = None) -> Path:
    """Write a notebook whose first cell is the given ``parameters`` cell, then code cells *body*."""
    cells = [{"cell_type": "code", "source": parameters, "metadata": {"tags": ["parameters"]}}]
    cells += [{"cell_type": "code", "source": src} for src in body]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(notebook_json(cells, metadata=metadata)), encoding="utf-8")
    return path
