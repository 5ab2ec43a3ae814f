"""Shared fixtures: the project root, reference data (skipped with a reason when absent), file writers."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _project_root(monkeypatch):
    """Run every test from the project root with a headless matplotlib backend."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")


@pytest.fixture
def reference_data() -> Path:
    """The shared reference datasets; tests that need them skip, with the reason, where they are absent."""
    from evalkit import paths

    folder = paths.reference_data_dir()
    if not folder.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"reference data missing in CI: {folder} (set EVALKIT_REFERENCE_DATA)")
        pytest.skip(f"reference data not found at {folder}; set EVALKIT_REFERENCE_DATA to run this test")
    return folder


@pytest.fixture
def write_text(tmp_path):
    """Write text to a file in the given encoding and return its path."""
    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path
    return _write
