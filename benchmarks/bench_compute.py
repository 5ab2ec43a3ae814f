"""Benchmark: Σ cell compute of the default batch, this tree against the tree before the speed work, alternated.

    python benchmarks/bench_compute.py [--baseline f36c176] [--rounds 2]

* baseline: the commit the faster-pages work started from (``f36c176``, the end of the first round), checked out
  with ``git worktree`` into a scratch folder and run with its own ``runs.yml`` and its own code (``PYTHONPATH``
  pointing at its ``src``) in this environment;
* evalkit: this tree's batch in a scratch project (``bench_runner.scratch_project``: its own ``reports/``),
  ``evalkit run --force --no-pdf`` (the baseline makes no PDFs);
* both with the default workers (one per core); Σ cell compute is the sum of every executed cell's duration as
  papermill records it in the executed notebooks (``reports/<notebook>/<name>.ipynb``), the same figure for both;
* the two are alternated ``--rounds`` times, so that a machine whose load changes weighs on both.

The last line is JSON: ``{"benchmark": "compute", "baseline_s": [...], "evalkit_s": [...], "ratio", ...}`` with
``ratio`` = mean evalkit Σ ÷ mean baseline Σ (the goal: ≤ 0.5). The baseline's pages have less on them (no maps,
Word drafts or per-method ranges), so the ratio understates the speed-up of the work they share.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench_runner import scratch_project  # the same scratch project (../shared linked beside it when present)

ROOT = Path(__file__).resolve().parents[1]


def cell_compute(reports: Path) -> tuple[float, int]:
    """Σ of papermill's cell durations over the executed notebooks under *reports*, and how many there are."""
    total, runs = 0.0, 0
    for path in reports.glob("*/*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        runs += 1
        for cell in nb.get("cells", []):
            duration = ((cell.get("metadata") or {}).get("papermill") or {}).get("duration")
            if isinstance(duration, (int, float)):
                total += duration
    return total, runs


def run_batch(project: Path, src: Path, *extra: str) -> tuple[float, int]:
    """``evalkit run --force`` in *project* (a scratch project) with the code in *src*; Σ cell compute of it."""
    shutil.rmtree(project / "reports", ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(src), "OPENBLAS_NUM_THREADS": "1"}
    env.pop("EVALKIT_ROOT", None)
    done = subprocess.run([sys.executable, "-m", "evalkit.cli", "run", "--force", *extra], cwd=project, env=env,
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"batch in {project} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return cell_compute(project / "reports")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="f36c176", help="commit to compare against")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of baseline and evalkit")
    args = parser.parse_args()
    current_project = scratch_project(ROOT / "runs.yml")  # links notebooks/ and data/; its own reports/
    scratch = current_project.parent
    before = scratch / "before"
    try:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before), args.baseline],
                       check=True, capture_output=True)
        baseline, current = [], []
        for k in range(args.rounds):
            seconds, n = run_batch(before, before / "src")
            baseline.append(seconds)
            print(f"round {k + 1}: baseline {args.baseline} Σ {seconds:6.1f} s ({n} runs)", flush=True)
            seconds, n = run_batch(current_project, ROOT / "src", "--no-pdf")
            current.append(seconds)
            print(f"round {k + 1}: evalkit            Σ {seconds:6.1f} s ({n} runs), "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)], capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    ratio = statistics.mean(current) / statistics.mean(baseline)
    print(f"Σ cell compute: baseline {statistics.mean(baseline):.1f} s, evalkit {statistics.mean(current):.1f} s "
          f"→ {ratio:.2f} of the baseline ({1 / ratio:.2f}× less)")
    print(json.dumps({"benchmark": "compute", "baseline": args.baseline, "baseline_s": [round(s, 1) for s in baseline],
                      "evalkit_s": [round(s, 1) for s in current], "ratio": round(ratio, 3)}))


if __name__ == "__main__":
    main()
