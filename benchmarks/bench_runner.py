"""Benchmark: the batch runner vs the loop a user would write, on the same batch, in the same run.

    python benchmarks/bench_runner.py [--config runs.yml] [--repeats 1] [--naive-all] [--ablation]

* baseline: for every run of the batch, ``papermill`` CLI, then ``jupyter nbconvert --to html --no-input``
  CLI, one run after another (what papermill's docs lead a user to write). To keep the benchmark near
  two minutes it is timed on the first run of each job and scaled by the job's number of runs (the
  runs of a job execute the same notebook); ``--naive-all`` times every run;
* evalkit: ``evalkit run --force`` on the whole batch (parallel workers, warm kernels, in-process HTML);
* ``--ablation``: evalkit again with ordinary kernel start-up (``EVALKIT_WARM_KERNELS=0``), to show what
  the fork server contributes;
* rerun: ``evalkit run`` again with nothing changed (every run cached), median of three;
* Σ cell compute: the sum of every executed cell's time in the forced batch (papermill's per-cell durations,
  recorded in the manifest), the limit a batch of *w* workers can reach (Σ ÷ w), and the batch's ratio to
  that limit (1.0 would be perfect parallelism with zero overhead), beside the naive loop's ratio to it.

PDFs are not printed in the timed runs (``--no-pdf``): the naive loop makes none.

Both sides run in a scratch copy of the project (links to notebooks/ and data/, its own reports/),
with the same parameters and the same kernel working folder. The last line is JSON:
``{"benchmark": "runner", "evalkit_s", "baseline", "baseline_s", "ratio", "rerun_s", "cell_compute_s",
"limit_s", "batch_to_limit", "naive_to_limit", ...}``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def scratch_project(config: Path) -> Path:
    """A scratch project: *config* copied as runs.yml, this project's notebooks/ and data/ linked, and
    ../shared linked when present (runs.yml may name files there)."""
    work = Path(tempfile.mkdtemp(prefix="evalkit-bench-"))
    project = work / "project"
    project.mkdir()
    shutil.copy(config, project / "runs.yml")
    for name in ("notebooks", "data"):
        (project / name).symlink_to(ROOT / name)
    shared = ROOT.parent / "shared"
    if shared.is_dir():
        (work / "shared").symlink_to(shared)
    return project


def timed(cmd: list[str], *, env: dict | None = None, cwd: Path | None = None) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode not in (0, 1):  # 1: a notebook failed, which the runner reports but is still timed
        raise SystemExit(f"command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-3000:]}")
    return elapsed


def evalkit_run(project: Path, *extra: str, env: dict | None = None) -> float:
    code = ("import sys; from evalkit.runner.cli import run_command; "
            f"sys.exit(run_command(['--config', {str(project / 'runs.yml')!r}, *{list(extra)!r}]))")
    return timed([sys.executable, "-c", code], env=env)


def naive_loop(project: Path, runs: list, out: Path) -> list[float]:
    """papermill CLI then nbconvert CLI for each run, one after another; returns each run's wall time."""
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # ipykernel picks the inline backend
    env["EVALKIT_ROOT"] = str(project)
    out.mkdir(parents=True, exist_ok=True)
    times = []
    for run in runs:
        executed = out / f"{run.run_id.replace('/', '__')}.ipynb"
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "papermill"), str(run.job.notebook), str(executed), "-y", json.dumps(run.parameters),
                        "--cwd", str(project / "notebooks"), "--no-progress-bar"],
                       env=env, capture_output=True, check=False)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return times


def naive_baseline(project: Path, runs: list, *, every_run: bool) -> tuple[float, int]:
    """Wall time of the naive loop over *runs*: measured on every run, or on the first run of each job
    and scaled by the job's number of runs (runs of one job execute the same notebook)."""
    if every_run:
        return sum(naive_loop(project, runs, project.parent / "naive")), len(runs)
    by_job: dict[str, list] = {}
    for run in runs:
        by_job.setdefault(run.job.name, []).append(run)
    firsts = [job_runs[0] for job_runs in by_job.values()]
    times = naive_loop(project, firsts, project.parent / "naive")
    for run, seconds in zip(firsts, times):
        print(f"  naive {run.run_id:<40} {seconds:5.1f} s × {len(by_job[run.job.name])} runs")
    return sum(t * len(by_job[r.job.name]) for r, t in zip(firsts, times)), len(firsts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "runs.yml")
    parser.add_argument("--repeats", type=int, default=1, help="forced evalkit runs (median)")
    parser.add_argument("--naive-all", action="store_true",
                        help="time the naive loop on every run (default: the first run of each job, scaled)")
    parser.add_argument("--ablation", action="store_true", help="also time evalkit with ordinary kernel start-up")
    args = parser.parse_args()
    from evalkit.runner.batch import default_workers
    from evalkit.runner.config import plan_batch

    config = args.config.resolve()
    project = scratch_project(config)
    plan = plan_batch(project / "runs.yml")
    runs = [r for r in plan.runs if r.skip_reason is None]
    print(f"batch: {config} — {len(runs)} runs ({len(plan.runs) - len(runs)} skipped), "
          f"{default_workers()} workers, load average {os.getloadavg()[0]:.1f}")
    try:
        warm = evalkit_run(project, "--force", "--only", runs[0].job.name)
        naive_loop(project, runs[:1], project.parent / "naive-warmup")
        print(f"warm-up: evalkit --only {runs[0].job.name} {warm:.1f} s, one naive run")
        baseline_s, measured = naive_baseline(project, runs, every_run=args.naive_all)
        forced, computes = [], []
        for _ in range(args.repeats):
            forced.append(evalkit_run(project, "--force", "--no-pdf"))
            batch = json.loads((project / "reports" / "manifest.json").read_text(encoding="utf-8"))["batch"]
            computes.append((batch.get("compute_s"), batch.get("workers") or default_workers()))
        cold = (evalkit_run(project, "--force", "--no-pdf", env={**os.environ, "EVALKIT_WARM_KERNELS": "0"})
                if args.ablation else None)
        reruns = [evalkit_run(project) for _ in range(3)]
        manifest = json.loads((project / "reports" / "manifest.json").read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(project.parent, ignore_errors=True)
    evalkit_s, rerun_s = statistics.median(forced), statistics.median(reruns)
    compute_s, workers = computes[forced.index(min(forced, key=lambda s: abs(s - evalkit_s)))]
    limit_s = compute_s / workers if compute_s else None
    how = "measured" if measured == len(runs) else f"estimated from {measured} runs, one per job"
    print(f"naive loop (papermill CLI + nbconvert CLI, sequential): {baseline_s:7.1f} s  "
          f"({baseline_s / len(runs):.1f} s/run, {how})")
    print(f"evalkit run --force (all {len(runs)} runs):                   {evalkit_s:7.1f} s  "
          f"ratio {baseline_s / evalkit_s:.1f}×")
    if cold is not None:
        print(f"evalkit run --force, ordinary kernels (no fork server): {cold:7.1f} s  ratio {baseline_s / cold:.1f}×")
    print(f"evalkit run, nothing changed:                            {rerun_s:7.2f} s  "
          f"({manifest['batch']['counts']['cached']} cached)")
    if limit_s:
        print(f"Σ cell compute of the forced batch: {compute_s:7.1f} s; limit with {workers} workers (Σ ÷ workers): "
              f"{limit_s:.1f} s; batch / limit {evalkit_s / limit_s:.2f}×, "
              f"naive loop / limit {baseline_s / limit_s:.2f}×")
    result = {"benchmark": "runner", "evalkit_s": round(evalkit_s, 3),
              "baseline": "papermill CLI then jupyter nbconvert --to html CLI, one run after another",
              "baseline_s": round(baseline_s, 3), "ratio": round(baseline_s / evalkit_s, 2),
              "rerun_s": round(rerun_s, 3), "runs": len(runs), "baseline_runs_timed": measured,
              "workers": default_workers(), "cell_compute_s": compute_s,
              "limit_s": round(limit_s, 3) if limit_s else None,
              "batch_to_limit": round(evalkit_s / limit_s, 2) if limit_s else None,
              "naive_to_limit": round(baseline_s / limit_s, 2) if limit_s else None}
    if cold is not None:
        result["evalkit_ordinary_kernels_s"] = round(cold, 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
