"""Kernel start-up for batch runs: the jupyter_client side of :mod:`evalkit.runner.forkserver`.

:class:`ForkServer` talks to one fork server process; :class:`ForkingKernelManager` is the
``kernel_manager_class`` handed to papermill/nbclient: it asks the fork server for a kernel when it
can and falls back to jupyter_client's ordinary ``Popen`` start-up when it cannot (another Python,
another kernel, a server that is not forkable or died). Either way each run has its own kernel
process, its own kernel log file and an environment built from the worker's plus the run's.
"""
from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from jupyter_client import AsyncKernelManager
from traitlets import default

__all__ = [
    "PRELOAD_TIMEOUT",
    "ForkServer",
    "ForkingKernelManager",
    "fork_server",
    "kernel_log_tail",
]

#: seconds to wait for the fork server's imports before starting kernels the ordinary way
PRELOAD_TIMEOUT = 180.0


class ForkServerUnavailable(RuntimeError):
    """The fork server cannot launch kernels (not forkable, or it died); use ordinary start-up."""


class ForkServer:
    """Client of one ``python -m evalkit.runner.forkserver`` process (thread-safe)."""

    def __init__(self, *, cwd: str, env: dict[str, str], preload: tuple[str, ...]):
        self.cwd = cwd
        self.env = dict(env)
        self.preload = preload
        self._lock = threading.Lock()
        self._status: dict | None = None
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "evalkit.runner.forkserver"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=cwd, env=self.env, text=True, bufsize=1, start_new_session=True,
        )
        # The preload runs while the worker imports papermill; its reply is read on first use.
        self._write({"op": "preload", "modules": list(preload)})

    def _write(self, obj: dict) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(obj) + "\n")
        self._proc.stdin.flush()

    def _read(self, timeout: float | None = None) -> dict:
        assert self._proc.stdout is not None
        if timeout is not None and not select.select([self._proc.stdout], [], [], timeout)[0]:
            raise ForkServerUnavailable(f"the fork server did not answer within {timeout:g} s")
        line = self._proc.stdout.readline()
        if not line:
            raise ForkServerUnavailable("the fork server exited")
        return json.loads(line)

    def _ready(self) -> dict:
        if self._status is None:
            try:
                self._status = self._read(timeout=PRELOAD_TIMEOUT)
            except ForkServerUnavailable as exc:
                self._status = {"ok": False, "forkable": False, "error": str(exc)}
                self.close()
        return self._status

    def status(self) -> dict:
        """The preload report: ``forkable``, ``failed`` imports, ``seconds`` spent importing."""
        with self._lock:
            try:
                return dict(self._ready())
            except (ForkServerUnavailable, OSError, ValueError) as exc:
                return {"ok": False, "forkable": False, "error": str(exc)}

    def _request(self, obj: dict) -> dict:
        with self._lock:
            try:
                if not self._ready().get("forkable"):
                    raise ForkServerUnavailable("the fork server is not forkable")
                self._write(obj)
                reply = self._read()
            except (OSError, ValueError) as exc:
                raise ForkServerUnavailable(f"the fork server failed: {exc}") from exc
        if not reply.get("ok"):
            raise ForkServerUnavailable(reply.get("error", "fork server refused"))
        return reply

    def serves(self, kernel_cmd: list[str]) -> bool:
        """Whether *kernel_cmd* is this Python's ipykernel (the only kernel the server can become)."""
        return _launcher_args(kernel_cmd) is not None and self._proc.poll() is None

    def launch(self, argv: list[str], *, env: dict[str, str], cwd: str, log: str) -> int:
        """Fork a kernel as ``python -m ipykernel_launcher *argv``; return its pid."""
        return self._request({"op": "launch", "argv": argv, "env": env, "cwd": cwd, "log": log})["pid"]

    def poll(self, pid: int) -> int | None:
        """The exit code of kernel *pid*, or ``None`` while it runs."""
        return self._request({"op": "poll", "pid": pid})["returncode"]

    def close(self) -> None:
        """Stop the server; it kills any kernel it forked that is still running."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()


#: interpreter options a forked kernel may go without: ``ipykernel install`` puts ``-Xfrozen_modules=off``
#: in the kernelspec so that the debugger can step into the standard library; batch runs never debug.
_DROPPABLE_OPTIONS = frozenset({"-Xfrozen_modules=off"})


def _launcher_args(kernel_cmd: list[str]) -> list[str] | None:
    """ARGS of ``<this python> [droppable options] -m ipykernel_launcher ARGS``; None for any other command."""
    if not kernel_cmd or not _same_file(kernel_cmd[0], sys.executable):
        return None
    i = 1
    while i < len(kernel_cmd) and kernel_cmd[i] in _DROPPABLE_OPTIONS:
        i += 1
    return kernel_cmd[i + 2:] if kernel_cmd[i:i + 2] == ["-m", "ipykernel_launcher"] else None


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


_SERVERS: dict[tuple, ForkServer] = {}
_SERVERS_LOCK = threading.Lock()


def fork_server(*, cwd: str, env: dict[str, str], preload: tuple[str, ...]) -> ForkServer:
    """The fork server of this process for (*cwd*, *env*, *preload*), started on first use.

    One per worker process: a local pool worker or a Dask worker keeps it for its lifetime, so the
    imports are paid once per worker rather than once per run.
    """
    key = (cwd, tuple(sorted(env.items())), preload)
    with _SERVERS_LOCK:
        server = _SERVERS.get(key)
        if server is None or server._proc.poll() is not None:
            server = _SERVERS[key] = ForkServer(cwd=cwd, env=env, preload=preload)
        return server


class _ForkedKernelProcess:
    """The ``subprocess.Popen`` surface jupyter_client's LocalProvisioner uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, server: ForkServer, pid: int):
        self.server = server
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.server.poll(self.pid)
            except ForkServerUnavailable:
                self.returncode = -signal.SIGKILL  # the server killed its kernels when it went away
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("forked kernel", timeout)
            time.sleep(0.02)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkingKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` that takes its kernels from a :class:`ForkServer` when it can.

    nbclient builds the manager itself from a class, so per-run settings live on a subclass made by
    :meth:`for_run`: ``run_env`` is added to the worker's environment, ``run_dir`` holds the
    connection file, the sockets and ``kernel.log`` (the kernel's own stdout/stderr, not the
    notebook's outputs), ``server`` is the fork server or ``None``, and ``on_launch(pid, forked)`` is
    told the kernel's pid (the run's timeout watchdog signals it) and whether the fork server made it.
    """

    run_env: ClassVar[dict[str, str]] = {}
    run_dir: str = ""
    server: ForkServer | None = None
    on_launch: Callable[[int, bool], None] | None = None

    @default("transport")
    def _default_transport(self) -> str:
        # Unix sockets in the run's private folder rather than TCP ports on localhost: no port races
        # between parallel kernels (papermill#239), nothing listening that other users could reach.
        return "ipc" if os.name == "posix" else "tcp"

    @classmethod
    def for_run(cls, *, run_env: dict[str, str], run_dir: str, server: ForkServer | None,
                on_launch: Callable[[int, bool], None] | None) -> type[ForkingKernelManager]:
        """A manager class for one run; *run_dir* (private, empty) receives its sockets and kernel log."""
        return type("RunKernelManager", (cls,), {
            "run_env": dict(run_env), "run_dir": run_dir, "server": server,
            "on_launch": staticmethod(on_launch) if on_launch else None,
        })

    @property
    def kernel_log(self) -> str:
        """Path of the kernel's log file in the run folder."""
        return os.path.join(self.run_dir, "kernel.log")

    async def _async_pre_start_kernel(self, **kw: Any):
        kw["env"] = {**os.environ, **self.run_env}
        self.connection_file = os.path.join(self.run_dir, "kernel.json")
        if self.transport == "ipc":
            self.ip = os.path.join(self.run_dir, "ipc")
        log = open(self.kernel_log, "ab")  # noqa: SIM115 — Popen dups it; closed after launch
        kw.setdefault("stdout", log)
        kw.setdefault("stderr", log)
        self._log_file = log
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        try:
            launched = False
            server: ForkServer | None = self.server
            if server is not None and server.serves(kernel_cmd):
                try:
                    self._launch_forked(server, kernel_cmd, kw)
                    launched = True
                except ForkServerUnavailable:
                    pass
            if not launched:
                await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            self._log_file.close()
        if self.on_launch is not None:
            self.on_launch(self.provisioner.pid, launched)

    def _launch_forked(self, server: ForkServer, kernel_cmd: list[str], kw: dict) -> None:
        cwd = str(kw.get("cwd") or server.cwd)
        pid = server.launch(_launcher_args(kernel_cmd) or [], env=kw["env"], cwd=cwd, log=self.kernel_log)
        provisioner = self.provisioner
        provisioner.process = _ForkedKernelProcess(server, pid)
        provisioner.pid = pid
        provisioner.pgid = pid  # the child called setsid()
        provisioner.cwd = cwd
        self._reconcile_connection_info(provisioner.connection_info)


def kernel_log_tail(path: str | Path, *, lines: int = 40) -> str:
    """The last *lines* of a kernel log, without ipykernel's known start-up noise."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    noise = ("running over TCP without encryption", "To connect another client", "--existing",
             "or even just:", "if you are using", "Jupyter Console", "WARNING | ")
    kept = [ln for ln in text.splitlines() if ln.strip() and not any(n in ln for n in noise)]
    return "\n".join(kept[-lines:])
