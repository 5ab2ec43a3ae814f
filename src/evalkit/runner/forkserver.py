"""Warm kernels: a process that imports the notebooks' libraries once and forks a fresh kernel per run.

A new IPython kernel costs ~0.5 s to start and then pays its notebook's imports (pandas, matplotlib,
statsmodels, evalkit: 2–4 s) again. The fork server pays both once per worker: it imports
``ipykernel`` and the modules the batch's notebooks import, then, for each run, forks a child that
becomes an ordinary ipykernel listening on the connection file jupyter_client wrote. Every run still
gets a fresh process with an empty namespace (no state leaks between runs); only ``sys.modules`` is
warm, exactly as if the modules had been imported by the notebook itself.

Forking is only safe from a single-threaded process, so the server refuses to fork (and the runner
falls back to ordinary kernel start-up) when a preloaded module started a thread, and on platforms
without ``fork`` semantics that are safe with these libraries (only Linux is used).

Protocol: JSON lines over the server's stdin / original stdout. Requests ``{"op": "launch", ...}``,
``{"op": "poll", "pid": n}`` (exit code or null while running); the first request is
``{"op": "preload", "modules": [...]}``. When its
stdin closes (the worker died or finished) the server kills every kernel it forked and exits.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

__all__ = ["serve"]


def _preload(modules: list[str]) -> dict:
    """Import *modules*; an entry ``module:function`` (or ``module:function=ARGUMENT``) is called after the imports.

    Such calls fill a module's caches (tables and data files read once per process) so that every forked kernel
    starts with them. Nothing here is fatal: what fails is recorded and happens again, visibly, in the kernel.
    """
    t0 = time.perf_counter()
    failed = {}
    calls = [name for name in modules if ":" in name]
    for name in [m for m in modules if ":" not in m]:
        try:
            importlib.import_module(name)
        except BaseException as exc:  # a notebook import that fails here fails again, visibly, in the kernel
            failed[name] = f"{type(exc).__name__}: {exc}"
    for name in calls:
        target, has_argument, argument = name.partition("=")
        module, _, function = target.partition(":")
        try:
            call = getattr(importlib.import_module(module), function)
            call(argument) if has_argument else call()
        except BaseException as exc:
            failed[name] = f"{type(exc).__name__}: {exc}"
    # Kernels are ipykernels; importing it here is most of the kernel start-up cost.
    import gc

    import ipykernel.kernelapp  # noqa: F401

    gc.freeze()  # keep the preloaded objects out of the collector so children do not copy their pages
    forkable = sys.platform.startswith("linux") and threading.active_count() == 1
    return {"ok": True, "forkable": forkable, "failed": failed,
            "threads": threading.active_count(), "seconds": round(time.perf_counter() - t0, 3)}


def _become_kernel(request: dict, protocol_out: int) -> None:
    """In the forked child: turn this process into an ipykernel (never returns)."""
    code = 1
    try:
        os.setsid()  # own process group: the terminal's Ctrl-C goes to the batch, not to kernels
        log_fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null_fd = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null_fd, 0)  # also detaches the protocol's input pipe
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        for fd in {protocol_out, log_fd, null_fd} - {0, 1, 2}:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
        # A fresh interpreter would draw new seeds; forked children would otherwise share the server's.
        import random

        random.seed()
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()
        # ipykernel read JPY_PARENT_PID when this server imported it; name the real parent (this server's
        # process) so the kernel exits if the server dies, as a Popen kernel exits with its manager.
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        sys.argv = ["ipykernel_launcher", *argv]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _reap(children: dict[int, int | None]) -> None:
    """Collect the exit codes of kernels that have ended (so none lingers as a zombie)."""
    for pid, returncode in children.items():
        if returncode is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children[pid] = os.waitstatus_to_exitcode(status)


def serve() -> None:
    """Run the fork server loop on stdin/stdout (``python -m evalkit.runner.forkserver``)."""
    out_fd = os.dup(1)
    os.dup2(2, 1)  # anything a preloaded module prints must not corrupt the protocol
    reply_stream = os.fdopen(out_fd, "w", buffering=1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch stops us by closing stdin
    # Same rule as ipykernel_launcher: the working directory is not importable while we load stuff.
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]

    children: dict[int, int | None] = {}
    forkable = False

    def reply(obj: dict) -> None:
        reply_stream.write(json.dumps(obj) + "\n")

    try:
        for line in sys.stdin:
            request = json.loads(line)
            op = request["op"]
            _reap(children)
            if op == "preload":
                status = _preload(request["modules"])
                forkable = status["forkable"]
                reply(status)
            elif op == "launch":
                if not forkable:
                    reply({"ok": False, "error": "fork server is not forkable"})
                    continue
                pid = os.fork()
                if pid == 0:
                    _become_kernel(request, out_fd)
                children[pid] = None
                reply({"ok": True, "pid": pid})
            elif op == "poll":
                reply({"ok": True, "returncode": children.get(request["pid"], 0)})
            else:
                reply({"ok": False, "error": f"unknown op {op!r}"})
    finally:
        for pid, returncode in children.items():
            if returncode is None:
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
        for pid, returncode in children.items():
            if returncode is None:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)


if __name__ == "__main__":
    serve()
