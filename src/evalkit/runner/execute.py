"""Execute one run in a worker process: papermill with a warm kernel, a timeout, and a report page.

:func:`execute_run` never raises for a notebook that fails: an exception in a cell, a run over its
timeout or a kernel that dies all come back as a :class:`RunOutcome` with the executed notebook (up to
the failure) and an error page that shows the failing cell and its error. Nothing is written to the
project here: outcomes carry the notebook JSON and the HTML, and the batch process publishes them
atomically, so a worker on another machine (Dask) needs no shared report folder.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["WARM_KERNELS_ENV", "RunOutcome", "RunSpec", "cell_compute", "execute_run", "prepare_worker"]

#: set to 0 to start every kernel the ordinary way (no fork server)
WARM_KERNELS_ENV = "EVALKIT_WARM_KERNELS"
_ENGINE = "evalkit"
#: never imported into the fork server: matplotlib's inline backend hooks into the kernel's shell when it
#: is imported (no shell exists in the server); distributed sets up event-loop machinery a fork must not copy.
#: (Any other module that starts a thread makes the server refuse to fork: see forkserver._preload.)
_NOT_PRELOADED = ("matplotlib_inline", "ipykernel.pylab", "distributed", "dask.distributed")
#: always warm: what every kernel imports at start-up (ipykernel's shell and debugger modules)
_KERNEL_MODULES = ("ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger")
#: warm too when a notebook imports evalkit: what evalkit imports inside its functions, on first use (reading
#: and writing workbooks, statistical models); a run would otherwise pay for them in its first cells
_EVALKIT_LAZY = ("openpyxl", "openpyxl.styles", "openpyxl.utils", "docx", "pyarrow.csv", "pyarrow.compute",
                 "scipy.stats", "statsmodels.api", "statsmodels.formula.api", "statsmodels.stats.diagnostic",
                 "statsmodels.tsa.arima.model", "statsmodels.tsa.exponential_smoothing.ets",
                 # called once in the server: the reference tables and region-name lookup every panel check
                 # uses, and the chart fonts
                 "evalkit.io:prepare", "evalkit.plots:use_house_style",
                 "evalkit.io:read_reference=national_series")  # the real series beside the panel
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs to execute one run (picklable; no paths into reports/)."""

    run_id: str
    title: str
    notebook: str  #: display path (relative to the project root)
    notebook_json: str
    parameters: dict
    slug: str
    cwd: str
    kernel: str
    timeout: float
    show_code: bool
    env: dict  #: added to the worker's environment for the kernel
    preload: tuple[str, ...]
    previous: dict | None  #: the last successful run: finished, figures, whether its report exists
    page: dict  #: batch facts shown on every page (evalkit version, commit, dirty flag, generated)
    work_dir: str  #: the batch's scratch folder (run folders go inside; removed after the batch)
    lang: str = "zh"  #: the report's language: markdown cells of the other language and page text follow it
    pdf_href: str | None = None  #: link to the print version beside the page (when PDFs are made)


@dataclass(frozen=True)
class RunOutcome:
    """What happened to one run, with the executed notebook and its page."""

    run_id: str
    status: str  #: success, failed, timeout or kernel_died
    started: str
    finished: str
    duration_s: float
    notebook_json: str
    html: str
    figures: dict = field(default_factory=dict)
    error: dict | None = None
    warm_kernel: bool = False
    warnings: tuple[str, ...] = ()  #: what cells wrote to stderr (kept off the page, recorded in the manifest)
    compute_s: float | None = None  #: Σ of the cells' execution times (papermill's per-cell durations)


def cell_compute(nb: Any) -> float:
    """Σ of the execution times of *nb*'s cells, in seconds (papermill's ``metadata.papermill.duration``).

    This is the notebook's own work — kernel start, export and publishing excluded — and what a batch of
    *n* workers can at best divide by *n*.
    """
    total = 0.0
    for cell in nb.get("cells", []):
        duration = ((cell.get("metadata") or {}).get("papermill") or {}).get("duration")
        if isinstance(duration, (int, float)):
            total += float(duration)
    return total


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def preload_modules(imports: list[str], panels: Sequence[str] = ()) -> tuple[str, ...]:
    """The modules worth importing in the fork server for notebooks importing *imports*.

    When they import evalkit, also the calls that warm its caches, and a read of each of *panels* (the panel
    files the batch's runs name, absolute paths): kernels forked afterwards find them validated.
    """
    keep = [m for m in imports if not any(m == bad or m.startswith(bad + ".") for bad in _NOT_PRELOADED)]
    uses_evalkit = any(m == "evalkit" or m.startswith("evalkit.") for m in keep)
    lazy = _EVALKIT_LAZY if uses_evalkit else ()
    reads = [f"evalkit.io:read_panel={path}" for path in panels] if uses_evalkit else []
    return tuple(dict.fromkeys([*keep, *lazy, *reads, *_KERNEL_MODULES]))


def _warm_kernels_enabled() -> bool:
    return os.environ.get(WARM_KERNELS_ENV, "1") != "0"


def prepare_worker(*, cwd: str, env: dict, preload: tuple[str, ...], local_pool: bool) -> None:
    """Set up a worker process: start its fork server now, so imports overlap with other start-up.

    In evalkit's own local pool (``local_pool``) the worker also ignores Ctrl-C (the batch process
    handles it and stops the workers), dies with the batch process even when that is killed outright
    (an orphaned pool worker would wait for work forever, its fork server and kernel with it), and
    skips jsonschema's optional IRI checker, whose import (``rfc3987_syntax`` compiles a grammar:
    ~1.4 s) nbformat pays and never uses.
    """
    import logging
    import multiprocessing
    import sys

    # nbclient reports a dead kernel or a failing cell through papermill's logger; the outcome says it better
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    if local_pool:
        os.environ["MPLBACKEND"] = "Agg"  # runner processes draw nothing; kernels get the inline backend
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if sys.platform.startswith("linux"):
            import ctypes

            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            parent = multiprocessing.parent_process()
            if parent is not None and os.getppid() != parent.pid:  # the batch died before prctl
                os._exit(1)
        if "jsonschema" not in sys.modules:
            sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]
    if _warm_kernels_enabled() and os.path.isdir(cwd):  # a missing folder fails each run with a clear message
        from evalkit.runner.kernels import fork_server

        fork_server(cwd=cwd, env={**os.environ, **env}, preload=preload)
    import papermill  # noqa: F401 — paid once per worker, not per run

    _register_engine()


class _Watchdog:
    """Ends a run at its timeout: interrupt the kernel, then kill it if it does not stop."""

    def __init__(self, timeout: float, *, grace: float = 5.0):
        self.fired = False
        self._grace = grace
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._timers = [threading.Timer(timeout, self._fire)]
        self._timers[0].daemon = True
        self._timers[0].start()

    def kernel_started(self, pid: int) -> None:
        with self._lock:
            self._pid = pid
            if self.fired:
                self._signal(signal.SIGKILL)

    def _signal(self, signum: int) -> None:
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.killpg(self._pid, signum)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            self._signal(signal.SIGINT)
            kill = threading.Timer(self._grace, self._kill)
            kill.daemon = True
            self._timers.append(kill)
            kill.start()

    def _kill(self) -> None:
        with self._lock:
            self._signal(signal.SIGKILL)

    def cancel(self) -> None:
        with self._lock:
            for timer in self._timers:
                timer.cancel()


class _Tracker:
    """What papermill hands the engine, kept for after a failure: the notebook and the running cell."""

    def __init__(self) -> None:
        self.nb_man: Any = None
        self.running: int | None = None

    def cell_started(self, cell: Any = None, cell_index: int | None = None, **_: Any) -> None:
        self.running = cell_index


_registered = False


def _register_engine() -> None:
    global _registered
    if _registered:
        return
    from papermill.engines import NBClientEngine, papermill_engines

    class EvalkitEngine(NBClientEngine):
        """papermill's nbclient engine, plus the run's kernel manager and a tracker of its state."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, *, tracker: _Tracker, **kwargs):
            tracker.nb_man = nb_man
            return super().execute_managed_notebook(nb_man, kernel_name, on_cell_start=tracker.cell_started,
                                                    **kwargs)

    papermill_engines.register(_ENGINE, EvalkitEngine)
    _registered = True


def execute_run(spec: RunSpec) -> RunOutcome:
    """Execute *spec* with papermill and build its report or error page (see the module docstring)."""
    import nbformat
    import papermill
    from nbclient.exceptions import DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from evalkit.runner.export import report_page, stderr_messages
    from evalkit.runner.kernels import ForkingKernelManager, fork_server, kernel_log_tail
    from evalkit.runner.pages import glued_figures

    _register_engine()
    server = None
    if _warm_kernels_enabled() and os.path.isdir(spec.cwd):
        server = fork_server(cwd=spec.cwd, env={**os.environ, **spec.env}, preload=spec.preload)
    if server is not None and not server.status().get("forkable"):  # waits for the worker's preload
        server = None
    started, t0 = _now(), time.perf_counter()
    run_dir = tempfile.mkdtemp(prefix="run-", dir=spec.work_dir if os.path.isdir(spec.work_dir) else None)
    tracker = _Tracker()
    watchdog = _Watchdog(spec.timeout)
    forked: list[bool] = []

    def kernel_started(pid: int, from_server: bool) -> None:
        forked.append(from_server)
        watchdog.kernel_started(pid)

    manager = ForkingKernelManager.for_run(run_env=spec.env, run_dir=run_dir, server=server,
                                           on_launch=kernel_started)
    nb = nbformat.reads(spec.notebook_json, as_version=4)
    status, error = "success", None
    try:
        if not Path(spec.cwd).is_dir():
            raise FileNotFoundError(f"the project folder {spec.cwd} does not exist on this machine "
                                    f"({os.uname().nodename}); install the project at the same path on every "
                                    "Dask worker")
        papermill.execute_notebook(
            nb, None, parameters=spec.parameters, engine_name=_ENGINE, kernel_name=spec.kernel,
            request_save_on_cell_execute=False, progress_bar=False, log_output=False,
            start_timeout=min(120.0, spec.timeout), tracker=tracker, kernel_manager_class=manager,
            resources={"metadata": {"path": spec.cwd}})
    except PapermillExecutionError as exc:
        status = "failed"
        error = {"ename": exc.ename, "evalue": exc.evalue, "traceback": list(exc.traceback or [])}
    except DeadKernelError as exc:
        status = "kernel_died"
        error = {"ename": "DeadKernelError", "evalue": str(exc), "traceback": []}
    except Exception as exc:  # the kernel could not start, a worker-side failure: still a failed run, never a crash
        status = "failed"
        error = {"ename": type(exc).__name__, "evalue": str(exc), "traceback": []}
    finally:
        watchdog.cancel()
        log_tail = kernel_log_tail(Path(run_dir) / "kernel.log")
        shutil.rmtree(run_dir, ignore_errors=True)
    if watchdog.fired:
        status = "timeout"
    executed = tracker.nb_man.nb if tracker.nb_man is not None else nb
    if error is not None:
        error = _describe_failure(executed, error, status=status, timeout=spec.timeout, running=tracker.running,
                                  log_tail=log_tail if status != "failed" else "")
    figures = glued_figures(executed) if status == "success" else {}
    duration = round(time.perf_counter() - t0, 3)
    html = report_page(nb=executed, status=status, title=spec.title, notebook=spec.notebook, slug=spec.slug,
                       parameters=spec.parameters, started=started, duration_s=duration, show_code=spec.show_code,
                       figures=figures, previous=spec.previous, error=error, page=spec.page,
                       resources_path=spec.cwd, lang=spec.lang,
                       pdf_href=spec.pdf_href if status == "success" else None)
    return RunOutcome(run_id=spec.run_id, status=status, started=started, finished=_now(), duration_s=duration,
                      notebook_json=nbformat.writes(executed), html=html, figures=figures, error=error,
                      warm_kernel=any(forked), warnings=tuple(stderr_messages(executed)),
                      compute_s=round(cell_compute(executed), 3))


def _describe_failure(nb: Any, error: dict, *, status: str, timeout: float, running: int | None,
                      log_tail: str) -> dict:
    """Name the failing cell (index among the notebook's real cells) and summarise the error."""
    real = [c for c in nb.cells if "papermill-error-cell-tag" not in (c.get("metadata", {}).get("tags") or [])]
    index = None
    for i, cell in enumerate(real):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", []) or []):
            index = i
            break
    if index is None and running is not None and running < len(real):
        index = running
    cell = real[index] if index is not None else None
    label = None
    if cell is not None:
        # a kernel that dies at once never reports the execution count; then name the cell by position
        position = sum(c.get("cell_type") == "code" for c in real[:index + 1])
        label = f"In [{cell['execution_count']}]" if cell.get("execution_count") else f"code cell {position}"
    where = f" in cell {label}" if label else ""
    if status == "timeout":
        summary = f"the run took longer than its timeout of {timeout:g} s and was stopped{where}"
    elif status == "kernel_died":
        summary = (f"the kernel died{where} (out of memory, a crash in compiled code, or killed); "
                   "see the kernel log below")
    else:
        evalue = str(error.get("evalue") or "").strip()
        summary = f"{error.get('ename')}: {evalue[:500]}{where}" if evalue else f"{error.get('ename')}{where}"
    return {**error, "kind": status, "summary": summary, "cell_index": index, "cell_label": label,
            "source": cell.get("source") if cell is not None else None, "log_tail": log_tail}
