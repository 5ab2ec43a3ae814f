"""``reports/manifest.json``: the provenance of every report, and the batch's memory between runs.

One record per run defined in runs.yml: its parameters, cache key, status in the latest batch,
start/end and run time, error summary, the SHA-256 of every input data file, the key figures it
glued and how they changed, and its last success (time, key, figures) — which is what the next batch
compares against to skip unchanged runs and to report changes. The batch part records the git
commit and dirty flag, Python and package versions and the evalkit source hash.

All files are written atomically (a temporary file in the same folder, then ``os.replace``), so a
reader — or an interrupted batch — never sees half a file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from evalkit._shared.files import write_atomic
from evalkit.runner.pages import FAILED_STATUSES

__all__ = ["MANIFEST_NAME", "SCHEMA_VERSION", "Manifest", "load_records", "write_atomic"]

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1


def load_records(path: Path) -> dict[str, dict]:
    """The run records of an existing manifest, by run id (empty if absent or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("schema") != SCHEMA_VERSION:
        return {}
    return {r["id"]: r for r in data.get("runs", []) if isinstance(r, dict) and "id" in r}


@dataclass(frozen=True)
class Manifest:
    """The outcome of a batch: what ran, what was cached, what failed, and where everything came from.

    Attributes
    ----------
    path : Path
        ``reports/manifest.json``.
    batch : dict
        started, finished, duration_s, status (ok / failed / interrupted), counts, executor, options.
    environment : dict
        git commit and dirty flag, Python, platform, package versions, evalkit source hash.
    inputs : dict
        SHA-256 of every input data file of the runs in this batch (path relative to the project root).
    runs : pandas.DataFrame
        One row per run: id, job, notebook, slug, status, in_batch, stale, duration_s, started,
        finished, last_success, error, report.
    records : list of dict
        The full run records, as written to the file.
    """

    path: Path
    batch: dict
    environment: dict
    inputs: dict
    runs: pd.DataFrame
    records: list = field(repr=False)

    @property
    def failed(self) -> pd.DataFrame:
        """Runs of this batch that failed, timed out or lost their kernel."""
        return self.runs[self.runs["status"].isin(FAILED_STATUSES) & self.runs["in_batch"]]

    @property
    def ok(self) -> bool:
        """True when every run of the batch succeeded or was cached."""
        return self.batch.get("status") == "ok"

    def to_dict(self) -> dict:
        """The manifest as JSON-ready values."""
        return {"schema": SCHEMA_VERSION, "batch": self.batch, "environment": self.environment,
                "inputs": self.inputs, "runs": self.records}

    def write(self) -> None:
        """Write ``manifest.json`` atomically."""
        write_atomic(self.path, json.dumps(self.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n")

    @classmethod
    def build(cls, path: Path, *, batch: dict, environment: dict, records: list[dict]) -> Manifest:
        """A manifest of *records*, with the inputs of every run gathered in one table."""
        inputs: dict[str, str] = {}
        for record in records:
            if record.get("in_batch"):
                inputs.update(record.get("inputs") or {})
        return cls(path=path, batch=batch, environment=environment, inputs=dict(sorted(inputs.items())),
                   runs=_runs_frame(records), records=records)

    def _repr_html_(self) -> str:
        counts = self.batch.get("counts", {})
        head = (f"<p><strong>evalkit batch</strong> — {self.batch.get('status')}: "
                + ", ".join(f"{v} {k}" for k, v in counts.items()) + "</p>")
        return head + self.runs.to_html(index=False, escape=True)


def _runs_frame(records: list[dict]) -> pd.DataFrame:
    columns = ["id", "job", "notebook", "slug", "status", "in_batch", "stale", "duration_s", "started", "finished",
               "last_success", "error", "report"]
    rows = [{
        **{c: r.get(c) for c in columns},
        "last_success": (r.get("last_success") or {}).get("finished"),
        "error": (r.get("error") or {}).get("summary"),
    } for r in records]
    return pd.DataFrame(rows, columns=columns)
