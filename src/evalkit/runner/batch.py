"""The batch: plan, skip what is unchanged, execute the rest in parallel, publish, record.

Order of events in :func:`run_batch`:

1. ``runs.yml`` is validated and every parameter set checked against its notebook's contract
   (:func:`evalkit.runner.config.plan_batch`) — errors stop the batch before any kernel starts.
2. Each selected run's inputs are hashed into its cache key; a run whose key equals the key of its
   last success (and whose report is still there) is *cached* and not executed (``force`` overrides).
3. The other runs execute on local worker processes (default: one per core) or on a Dask cluster.
   Each worker keeps a fork server, so kernels start warm (see :mod:`evalkit.runner.forkserver`).
4. Each outcome is published as it arrives, atomically: a success replaces ``<slug>.ipynb`` and
   ``<slug>.html``; a failure writes ``<slug>.error.html`` / ``.error.ipynb`` and leaves the last good
   report in place (the index marks it stale).
5. ``manifest.json`` is rewritten after every outcome (so even a killed batch leaves a usable cache)
   and ``index.html`` at the end — also after Ctrl-C, which stops workers and kernels and re-raises.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from evalkit.errors import EvalkitError, ParameterError
from evalkit.i18n import t
from evalkit.runner.cache import (
    capture_environment,
    display_path,
    notebook_digest,
    parameter_paths,
    run_inputs,
    run_key,
    sha256_file,
)
from evalkit.runner.config import BatchPlan, PlannedRun, plan_batch
from evalkit.runner.contract import notebook_title, report_language
from evalkit.runner.execute import RunOutcome, RunSpec, execute_run, preload_modules, prepare_worker
from evalkit.runner.index import write_index
from evalkit.runner.manifest import MANIFEST_NAME, Manifest, load_records, write_atomic
from evalkit.runner.pages import FAILED_STATUSES, figure_changes, render
from evalkit.runner.pdf import PdfJob, PdfPrinter, find_browser
from evalkit.runner.progress import Progress

__all__ = ["BatchRunning", "default_workers", "kernel_environment", "run_batch"]

#: what every kernel of a batch gets on top of the worker's environment
_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def kernel_environment(plan: BatchPlan) -> dict[str, str]:
    """Environment variables every kernel of *plan* runs with.

    ``EVALKIT_ROOT`` pins the project root to the batch's (``evalkit.paths`` resolves data paths
    against it); matplotlib draws with the inline backend (Agg-rendered PNGs, no display needed —
    what ipykernel chooses itself; ``MPLBACKEND=Agg`` in a kernel would drop every chart from the
    report); BLAS libraries use one thread unless configured, because the batch already runs one
    kernel per core and oversubscription slows every run.
    """
    env = {"EVALKIT_ROOT": str(plan.root), "MPLBACKEND": _INLINE_BACKEND, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    env.update({var: os.environ.get(var, "1") for var in _THREAD_VARS})
    return env


def _lang(run: PlannedRun) -> str:
    return report_language(run.parameters, run.contract)


def _title(run: PlannedRun, plan: BatchPlan) -> str:
    return notebook_title(plan.notebooks[run.job.notebook], _lang(run)) or run.contract.title


def _base_record(run: PlannedRun, plan: BatchPlan) -> dict:
    return {"id": run.run_id, "job": run.job.name, "notebook": display_path(run.job.notebook, plan.root),
            "title": _title(run, plan), "lang": _lang(run), "slug": run.slug, "parameters": run.parameters}


def _files(run: PlannedRun) -> dict[str, str]:
    stem = f"{run.notebook_dir}/{run.slug}"
    return {"html": f"{stem}.html", "ipynb": f"{stem}.ipynb", "error_html": f"{stem}.error.html",
            "error_ipynb": f"{stem}.error.ipynb", "pdf": f"{stem}.pdf"}


def _report_exists(run: PlannedRun, reports: Path) -> bool:
    files = _files(run)
    return (reports / files["html"]).is_file() and (reports / files["ipynb"]).is_file()


def _not_in_batch(run: PlannedRun, plan: BatchPlan, previous: dict | None) -> dict:
    if previous is not None:
        return {**previous, **_base_record(run, plan), "in_batch": False}
    return {**_base_record(run, plan), "status": "not_run", "in_batch": False, "report": None, "stale": False}


def _skipped(run: PlannedRun, plan: BatchPlan, previous: dict | None) -> dict:
    has_report = _report_exists(run, plan.reports)
    return {**_base_record(run, plan), "status": "skipped", "in_batch": True, "skip_reason": run.skip_reason,
            "report": _files(run)["html"] if has_report else None, "stale": False,
            "last_success": (previous or {}).get("last_success"), "error": None, "error_page": None,
            "figures": (previous or {}).get("figures") or {}, "changes": [], "inputs": {}}


def _cached(run: PlannedRun, plan: BatchPlan, previous: dict, inputs: dict) -> dict:
    last = previous["last_success"]
    _remove_error_files(run, plan.reports)
    return {**previous, **_base_record(run, plan), "status": "cached", "in_batch": True, "stale": False,
            "report": _files(run)["html"], "notebook_output": _files(run)["ipynb"], "error": None,
            "error_page": None, "skip_reason": None, "inputs": inputs, "started": last.get("started"),
            "finished": last.get("finished"), "duration_s": last.get("duration_s"), "changes": [],
            "figures": last.get("figures") or {}}


def _remove_error_files(run: PlannedRun, reports: Path) -> None:
    files = _files(run)
    for name in ("error_html", "error_ipynb"):
        (reports / files[name]).unlink(missing_ok=True)


def _publish(outcome: RunOutcome, run: PlannedRun, plan: BatchPlan, previous: dict | None, inputs: dict,
             key: str) -> dict:
    """Write the outcome's files atomically and return its manifest record."""
    reports, files = plan.reports, _files(run)
    last = (previous or {}).get("last_success")
    record = {**_base_record(run, plan), "key": key, "in_batch": True, "started": outcome.started,
              "finished": outcome.finished, "duration_s": outcome.duration_s, "inputs": inputs,
              "warm_kernel": outcome.warm_kernel, "skip_reason": None, "had_previous": last is not None,
              "warnings": list(outcome.warnings), "compute_s": outcome.compute_s}
    if outcome.status == "success":
        write_atomic(reports / files["ipynb"], outcome.notebook_json)
        write_atomic(reports / files["html"], outcome.html)
        _remove_error_files(run, reports)
        return {**record, "status": "success", "stale": False, "report": files["html"],
                "notebook_output": files["ipynb"], "error": None, "error_page": None,
                "figures": outcome.figures,
                "changes": figure_changes(last.get("figures") or {}, outcome.figures) if last else [],
                "last_success": {"finished": outcome.finished, "started": outcome.started, "key": key,
                                 "duration_s": outcome.duration_s, "figures": outcome.figures}}
    write_atomic(reports / files["error_ipynb"], outcome.notebook_json)
    write_atomic(reports / files["error_html"], outcome.html)
    has_report = _report_exists(run, reports)
    error = outcome.error or {}
    return {**record, "status": outcome.status, "stale": has_report, "report": files["html"] if has_report else None,
            "notebook_output": files["ipynb"] if has_report else None, "error_page": files["error_html"],
            "error": {k: error.get(k) for k in ("kind", "ename", "evalue", "summary", "cell_index", "cell_label")},
            "figures": (last or {}).get("figures") or {}, "changes": [], "last_success": last}


def _internal_failure(spec: RunSpec, exc: BaseException) -> RunOutcome:
    """An outcome for a run whose worker failed (not the notebook): still a page, never a crash."""
    from markupsafe import Markup, escape

    now = _now()
    text = "".join(traceback.format_exception(exc)).strip()
    summary = f"the worker running this notebook failed: {type(exc).__name__}: {exc}"
    html = render("report.html.j2", title=spec.title, notebook=spec.notebook, slug=spec.slug,
                  parameters=spec.parameters, status="failed", started=now, duration_s=None, figures={},
                  changes=[], changes_by_name={}, previous_figures=None,
                  previous_success=(spec.previous or {}).get("finished"),
                  error={"headline": t("runner.page.failed", spec.lang), "summary": summary, "cell_source": None,
                         "traceback_html": Markup(escape(text)), "log_tail": ""},
                  last_good_href=f"{spec.slug}.html" if (spec.previous or {}).get("report") else None,
                  body=Markup(""), index_href="../index.html", manifest_href="../manifest.json", lang=spec.lang,
                  **spec.page)
    return RunOutcome(run_id=spec.run_id, status="failed", started=now, finished=now, duration_s=0.0,
                      notebook_json=spec.notebook_json, html=html,
                      error={"kind": "failed", "ename": type(exc).__name__, "evalue": str(exc), "summary": summary})


def _run_local(specs: list[RunSpec], *, workers: int, init: functools.partial) -> Iterator[RunOutcome]:
    """Execute *specs* on a pool of local worker processes; yield outcomes as they finish.

    When a worker process dies (killed, or the out-of-memory killer chose it), the pool gives up every
    run it had not finished. Those run again in a new pool, then any lost twice alone in a fresh worker
    each: only a run that kills its worker every time fails.
    """
    lost = yield from _pool_run(specs, workers=workers, init=init)
    if lost:
        lost = yield from _pool_run([spec for spec, _ in lost], workers=workers, init=init)
    for spec, _ in lost:
        for again, exc in (yield from _pool_run([spec], workers=1, init=init)):
            yield _internal_failure(again, exc)


def _pool_run(specs: list[RunSpec], *, workers: int,
              init: functools.partial) -> Generator[RunOutcome, None, list[tuple[RunSpec, BaseException]]]:
    """Run *specs* on one process pool; yield their outcomes, return the runs lost with a dead worker."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=init)
    futures = {pool.submit(execute_run, spec): spec for spec in specs}
    lost = []
    clean = False
    try:
        for future in as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool as exc:
                lost.append((futures[future], exc))
            except Exception as exc:  # execute_run itself failed
                yield _internal_failure(futures[future], exc)
        clean = True
    finally:
        if not clean:
            # Interrupted: workers ignore SIGINT, so stop them (their fork servers then kill the kernels).
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
    return lost


def _run_dask(specs: list[RunSpec], *, scheduler: str | None, dask_local: int | None,
              init: functools.partial) -> Iterator[RunOutcome]:
    """Execute *specs* on a Dask cluster (an existing one, or a LocalCluster of ``dask_local`` workers)."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if dask_local:
        cluster = LocalCluster(n_workers=dask_local, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster if cluster is not None else scheduler, timeout=60)
    futures = {}
    try:
        client.run(init)  # warm every worker (fork server, papermill import) before the runs arrive
        for spec in specs:
            future = client.submit(execute_run, spec, key=f"evalkit-{spec.run_id}-{uuid.uuid4().hex[:8]}", pure=False)
            futures[future] = spec
        for future in as_completed(list(futures)):
            try:
                yield future.result()
            except Exception as exc:
                yield _internal_failure(futures[future], exc)
    finally:
        client.cancel(list(futures))
        client.close()
        if cluster is not None:
            cluster.close()


def run_batch(config: str | os.PathLike = "runs.yml", *, only: Iterable[str] | str | None = None,
              workers: int | None = None, force: bool = False, show_code: bool = False,
              scheduler: str | None = None, dask_local: int | None = None, log: TextIO | None = None,
              pdf: bool = True) -> Manifest:
    """Run the batch in *config* and publish its reports; return the manifest.

    Parameters
    ----------
    config
        Path of ``runs.yml``; its folder is the project root (reports go to ``<root>/reports``).
    only
        Glob pattern(s) selecting runs by job name, notebook name or ``notebook/report``.
    workers
        Local worker processes (default: one per core). Ignored with a Dask scheduler.
    force
        Execute every selected run even when its inputs are unchanged.
    show_code
        Show code cells in the HTML reports (hidden by default).
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``); workers need the project at the
        same path and evalkit installed.
    dask_local
        Start a Dask ``LocalCluster`` with this many worker processes for the batch.
    log
        Where progress goes (default ``sys.stderr``; a live bar when it is a terminal).
    pdf
        Print ``<slug>.pdf`` beside every report with headless Chromium (:mod:`evalkit.runner.pdf`). Without a
        browser on the machine the PDFs are skipped and the batch says so once.

    Returns
    -------
    Manifest
        ``manifest.batch["status"]`` is ``"ok"`` or ``"failed"`` (a run failed, timed out or lost its
        kernel; the others still ran). Ctrl-C stops workers and kernels, records what finished and
        re-raises ``KeyboardInterrupt``.

    Raises
    ------
    ConfigError
        ``runs.yml`` is malformed (file, line, key and fix in the message).
    ParameterError
        A parameter set breaks its notebook's contract, or an option is invalid — before any kernel starts.
    """
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ParameterError(f"workers must be a positive integer, got {workers!r}")
    if scheduler is not None and dask_local is not None:
        raise ParameterError("give either scheduler (an existing Dask cluster) or dask_local (a new LocalCluster), "
                             "not both")
    if dask_local is not None and (not isinstance(dask_local, int) or dask_local < 1):
        raise ParameterError(f"dask_local must be a positive number of workers, got {dask_local!r}")
    options = _Options(only=tuple([only] if isinstance(only, str) else only or ()), workers=workers, force=force,
                       show_code=show_code, scheduler=scheduler, dask_local=dask_local,
                       started=_now(), t0=time.monotonic(), pdf=bool(pdf))
    plan = plan_batch(config, only=options.only)
    with _batch_lock(plan.reports), _sigterm_stops_like_ctrl_c():
        return _run_planned(plan, options, log=log if log is not None else sys.stderr)


@dataclass(frozen=True)
class _Options:
    only: tuple[str, ...]
    workers: int | None
    force: bool
    show_code: bool
    scheduler: str | None
    dask_local: int | None
    started: str
    t0: float
    pdf: bool = True

    @property
    def on_dask(self) -> bool:
        return bool(self.scheduler or self.dask_local)


class BatchRunning(EvalkitError):
    """Another batch is writing the same reports folder."""


@contextlib.contextmanager
def _batch_lock(reports: Path) -> Iterator[None]:
    """Hold ``reports/.lock`` for the batch: a cron run and a manual run must not interleave writes."""
    reports.mkdir(parents=True, exist_ok=True)
    with open(reports / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise BatchRunning(f"another evalkit run ({holder}) is writing {reports}; wait for it to finish "
                               "(or stop it) and run again") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {_now()}")
        fh.flush()
        yield


@contextlib.contextmanager
def _sigterm_stops_like_ctrl_c() -> Iterator[None]:
    """Turn SIGTERM (cron, systemd, ``kill``) into ``KeyboardInterrupt`` while the batch runs.

    Python's default for SIGTERM is to die on the spot: no worker, fork server or kernel stopped, the
    manifest left saying "running". As Ctrl-C, it takes the clean way out. A handler the caller
    installed (Dask, a web app) is left alone, as is a batch started outside the main thread.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_planned(plan: BatchPlan, options: _Options, *, log: TextIO) -> Manifest:
    environment = capture_environment(plan.root)
    manifest_path = plan.reports / MANIFEST_NAME
    previous = load_records(manifest_path)
    digests = {path: notebook_digest(nb) for path, nb in plan.notebooks.items()}
    page = {"evalkit_version": environment.evalkit_version, "commit": environment.git_commit,
            "dirty": environment.git_dirty, "generated": options.started}
    browser = find_browser() if options.pdf else None
    records: dict[str, dict] = {}
    pending: list[tuple[PlannedRun, dict, str]] = []
    for run in plan.runs:
        prev = previous.get(run.run_id)
        if run.run_id not in plan.selected:
            records[run.run_id] = _not_in_batch(run, plan, prev)
        elif run.skip_reason:
            records[run.run_id] = _skipped(run, plan, prev)
        else:
            inputs = {display_path(p, plan.root): sha256_file(p) for p in run_inputs(run, plan)}
            key = run_key(run, notebook_sha=digests[run.job.notebook], inputs=inputs, environment=environment,
                          show_code=options.show_code, kernel=run.job.kernel or "python3")
            last = (prev or {}).get("last_success") or {}
            if not options.force and last.get("key") == key and _report_exists(run, plan.reports):
                records[run.run_id] = _cached(run, plan, prev, inputs)
            else:
                pending.append((run, inputs, key))
    n_workers = min(options.workers or default_workers(), max(len(pending), 1))
    executor = (f"dask {options.scheduler}" if options.scheduler else
                f"dask LocalCluster × {options.dask_local}" if options.dask_local else
                f"{n_workers} local worker{'s' if n_workers != 1 else ''}")
    batch = {"started": options.started, "finished": None, "duration_s": None, "status": "running",
             "config": display_path(plan.config.resolve(), plan.root), "only": list(options.only),
             "force": options.force, "show_code": options.show_code, "executor": executor,
             "workers": None if options.on_dask else n_workers}

    def manifest(status: str) -> Manifest:
        # a run not finished (yet, or ever: the batch may be killed after any write) keeps its previous record
        ordered = [records.get(r.run_id) or _not_in_batch(r, plan, previous.get(r.run_id)) for r in plan.runs]
        in_batch = [r for r in ordered if r.get("in_batch")]
        counts = {s: sum(r["status"] == s for r in in_batch) for s in ("success", "cached", "skipped")}
        counts["failed"] = sum(r["status"] in FAILED_STATUSES for r in in_batch)
        counts["warm_kernels"] = sum(bool(r.get("warm_kernel")) for r in in_batch if r["status"] != "cached")
        executed = [r for r in in_batch if r["status"] != "cached" and r.get("compute_s") is not None]
        finished = _now() if status != "running" else None
        return Manifest.build(manifest_path, batch={**batch, "status": status, "finished": finished,
                                                    "duration_s": round(time.monotonic() - options.t0, 3),
                                                    "counts": counts,
                                                    "compute_s": round(sum(r["compute_s"] for r in executed), 3)},
                              environment=environment.to_dict(), records=ordered)

    n_cached = sum(r["status"] == "cached" and r["in_batch"] for r in records.values())
    progress = Progress(total=len(pending), cached=n_cached, stream=log)
    skipped = sum(r["status"] == "skipped" and r["in_batch"] for r in records.values())
    progress.note(f"evalkit run: {len(pending)} to run, {n_cached} unchanged (cached), {skipped} skipped"
                  + (f" — {executor}" if pending else ""))
    if options.pdf and browser is None:
        progress.note("evalkit run: no Chromium or Chrome on this machine — PDFs skipped (install chromium, "
                      "or set EVALKIT_CHROMIUM to the browser's path)")
    status = "running"
    by_id = {run.run_id: (run, inputs, key) for run, inputs, key in pending}
    outcomes = _execute(pending, plan, page, previous, options, workers=n_workers, pdf=browser is not None)
    printer = PdfPrinter(browser) if browser is not None else None
    to_print: list[PdfJob] = []
    try:
        for outcome in outcomes:
            run, inputs, key = by_id[outcome.run_id]
            record = _publish(outcome, run, plan, previous.get(run.run_id), inputs, key)
            records[run.run_id] = record
            if printer is not None and record["status"] == "success":
                # printed once every run is done: a browser beside the kernels would slow their cells
                to_print.append(_pdf_job(run, plan))
            progress.finished(run.run_id, outcome.status, outcome.duration_s,
                              (record.get("error") or {}).get("summary") or "")
            manifest("running").write()
        if printer is not None:
            for job in to_print:
                printer.submit(job)
            _finish_pdfs(plan, records, printer, progress=progress)
            printer = None
        failed = any(r["status"] in FAILED_STATUSES and r.get("in_batch") for r in records.values())
        status = "failed" if failed else "ok"
    finally:
        outcomes.close()  # on Ctrl-C: stop workers and kernels before recording what finished
        if printer is not None:  # interrupted: let the printer finish what it has, record nothing new
            printer.close()
        progress.close()
        final = manifest("interrupted" if status == "running" else status)
        final.write()
        write_index(final, lang=_batch_lang(plan))
    return final


def _batch_lang(plan: BatchPlan) -> str:
    """The index page's language: ``defaults.parameters.lang`` of runs.yml, else the first language."""
    defaults = plan.runs[0].job.defaults if plan.runs else {}
    return report_language({"lang": defaults.get("lang")})


def _pdf_job(run: PlannedRun, plan: BatchPlan) -> PdfJob:
    files = _files(run)
    return PdfJob(plan.reports / files["html"], plan.reports / files["pdf"], _title(run, plan), _lang(run))


def _finish_pdfs(plan: BatchPlan, records: dict[str, dict], printer: PdfPrinter, *, progress: Progress) -> None:
    """Print what is still missing (a cached report without its PDF), wait for the printer, record each PDF."""
    for run in plan.runs:
        record = records.get(run.run_id)
        if record and record.get("in_batch") and record["status"] == "cached":
            if (plan.reports / _files(run)["pdf"]).is_file():
                record["pdf"] = _files(run)["pdf"]
            else:
                printer.submit(_pdf_job(run, plan))
    results = printer.close()
    by_pdf = {plan.reports / _files(run)["pdf"]: records.get(run.run_id) for run in plan.runs}
    for pdf_path, problem in results.items():
        record = by_pdf.get(pdf_path)
        if record is None:
            continue
        record["pdf"] = None if problem else pdf_path.relative_to(plan.reports).as_posix()
        if problem:
            record["pdf_error"] = problem
    made = sum(p is None for p in results.values())
    if results:
        progress.note(f"evalkit run: {made} PDF{'s' if made != 1 else ''} printed in {printer.seconds:.1f} s"
                      + (f", {len(results) - made} failed" if made < len(results) else ""))


#: file kinds a parameter may name as a panel (read once in the fork server; see execute.preload_modules)
_PANEL_SUFFIXES = (".csv", ".tsv", ".xlsx", ".parquet")


def _panel_parameters(runs: list[PlannedRun], plan: BatchPlan) -> list[str]:
    """Absolute paths of the existing panel-like files the runs' parameters name."""
    found = {str(path): None for run in runs for path in parameter_paths(run, plan)
             if path.is_file() and path.suffix.lower() in _PANEL_SUFFIXES}
    return list(found)


def _execute(pending: list[tuple[PlannedRun, dict, str]], plan: BatchPlan, page: dict, previous: dict[str, dict],
             options: _Options, *, workers: int, pdf: bool = False) -> Iterator[RunOutcome]:
    if not pending:
        return
    env = kernel_environment(plan)
    imports = [m for run, _, _ in pending for m in run.contract.imports]
    preload = preload_modules(imports, _panel_parameters([run for run, _, _ in pending], plan))
    cwd = str(plan.kernel_cwd)
    work_dir = tempfile.mkdtemp(prefix="evalkit-batch-")
    specs = []
    for run, _, _ in pending:
        last = (previous.get(run.run_id) or {}).get("last_success")
        specs.append(RunSpec(
            run_id=run.run_id, title=_title(run, plan), notebook=display_path(run.job.notebook, plan.root),
            notebook_json=json.dumps(plan.notebooks[run.job.notebook], ensure_ascii=False),
            parameters=run.parameters, slug=run.slug, cwd=cwd, kernel=run.job.kernel or "python3",
            timeout=run.job.timeout, show_code=options.show_code, env=env, preload=preload,
            previous=({"finished": last.get("finished"), "figures": last.get("figures") or {},
                       "report": _report_exists(run, plan.reports)} if last else None),
            page=page, work_dir=work_dir, lang=_lang(run), pdf_href=f"{run.slug}.pdf" if pdf else None))
    # Longest first (by the last run time; unknown counts as long), so one slow run does not finish alone.
    durations = {rid: (rec.get("last_success") or {}).get("duration_s") for rid, rec in previous.items()}
    specs.sort(key=lambda s: -(durations.get(s.run_id) or float("inf")))
    init = functools.partial(prepare_worker, cwd=cwd, env=env, preload=preload, local_pool=not options.on_dask)
    try:
        if options.on_dask:
            yield from _run_dask(specs, scheduler=options.scheduler, dask_local=options.dask_local, init=init)
        else:
            yield from _run_local(specs, workers=workers, init=init)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)  # kernel sockets and logs of runs that were cut short
