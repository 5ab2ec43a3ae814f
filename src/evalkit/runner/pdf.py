"""The print version of every report: ``reports/<notebook>/<name>.pdf`` from the same HTML, by headless Chromium.

A browser engine found on the machine (``EVALKIT_CHROMIUM``, else ``chromium``, ``chromium-browser``,
``google-chrome`` on ``PATH``) prints each page through the DevTools protocol on a pipe (no Python package
needed): A4 portrait, margins, the report title in the running header, "page N of M" in the footer, print
styles of ``evalkit.css`` (charts and table rows are not split, table headers repeat on every page), and
tables wider than the page scaled to fit it. Chromium embeds the fonts it uses (subsets) in the PDF.

Without a browser the batch still succeeds: :func:`find_browser` returns ``None`` and the batch says once
that the PDFs were skipped.
"""
from __future__ import annotations

import base64
import contextlib
import fcntl
import html
import json
import os
import queue
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from evalkit._shared.files import write_atomic
from evalkit.i18n import t

__all__ = ["BROWSER_ENV", "Chromium", "PdfJob", "PdfPrinter", "find_browser", "print_pdfs"]

#: path of the browser binary to use (overrides the search on PATH); an empty value turns PDFs off
BROWSER_ENV = "EVALKIT_CHROMIUM"
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_MM = 1 / 25.4  # inches per millimetre
_MARGIN_MM = (20, 14, 18, 14)  # top, right, bottom, left
#: the printed column of an A4 page in CSS pixels (96 per inch)
_PRINT_WIDTH_PX = round((210 - _MARGIN_MM[1] - _MARGIN_MM[3]) * _MM * 96)
#: tables wider than the printed column are scaled down to fit it (not below half size)
_FIT_TABLES = """(() => {
  const main = document.querySelector('main') || document.body;
  const width = main.clientWidth;
  for (const table of document.querySelectorAll('table')) {
    const wide = table.scrollWidth;
    if (wide > width + 1) { table.style.zoom = Math.max(0.5, width / wide).toFixed(3); }
  }
  return document.fonts ? document.fonts.status : 'loaded';
})()"""


def find_browser() -> str | None:
    """The Chromium/Chrome binary to print with, or ``None`` if there is none on this machine."""
    configured = os.environ.get(BROWSER_ENV)
    if configured is not None:
        return (shutil.which(configured) or (configured if os.path.isfile(configured) else None)) if configured \
            else None
    return next((found for name in _CANDIDATES if (found := shutil.which(name))), None)


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``).

    Parameters
    ----------
    binary
        The browser executable.
    profile
        A scratch folder for the browser profile (``None``: a temporary one, removed on :meth:`close`).
    width, height
        The window size in CSS pixels (screenshots are taken at this width).
    """

    def __init__(self, binary: str, profile: str | os.PathLike | None = None, *, width: int = 1280,
                 height: int = 1600):
        self._own_profile = profile is None
        self.profile = Path(tempfile.mkdtemp(prefix="evalkit-chromium-") if profile is None else profile)
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def fds() -> None:  # Chromium reads commands on fd 3 and writes replies on fd 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (cmd_r, out_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        # close_fds=False keeps the fds 3 and 4 made above; every other fd is close-on-exec (PEP 446)
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "about:blank"],
            close_fds=False, preexec_fn=fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(cmd_r)
        os.close(out_w)
        self._id = 0
        self._buffer = b""
        self.events: list[dict] = []

    def _read(self, timeout: float) -> dict:
        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._out_r], [], [], timeout)
            if not ready:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._out_r, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium exited")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: str | None = None, timeout: float = 60, **params) -> dict:
        """Send one DevTools command (to *session* if given) and return its result."""
        self._id += 1
        message = {"id": self._id, "method": method, "params": params, **({"sessionId": session} if session else {})}
        os.write(self._cmd_w, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(reply["error"])
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 60) -> None:
        """Wait until an event *method* has arrived (events are kept in :attr:`events`)."""
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            self.events.append(self._read(max(0.1, deadline - time.monotonic())))

    def open(self, url: str) -> tuple[str, str]:
        """Open *url* in a new tab and wait for it to load; return ``(target id, session id)``."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session)
        self.events.clear()
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired")
        return target, session

    def evaluate(self, session: str, expression: str) -> object:
        """The value of a JavaScript *expression* in the page (DevTools, not the page's own scripts)."""
        reply = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(reply["exceptionDetails"].get("text", "exception"))
        return reply["result"].get("value")

    def close_tab(self, target: str) -> None:
        """Close a tab opened with :meth:`open`."""
        self.send("Target.closeTarget", targetId=target)

    def print_pdf(self, url: str, *, title: str, lang: str = "zh") -> bytes:
        """The PDF of the page at *url*: A4 portrait, *title* in the running header, page numbers below."""
        target, session = self.open(url)
        try:
            # lay the page out at the printed column's width, so the tables measured are the tables printed
            self.send("Emulation.setEmulatedMedia", session, media="print")
            self.send("Emulation.setDeviceMetricsOverride", session, width=_PRINT_WIDTH_PX, height=1123,
                      deviceScaleFactor=1, mobile=False)
            self.evaluate(session, _FIT_TABLES)
            self.evaluate(session, "document.fonts ? document.fonts.ready.then(() => true) : true")
            style = ("font-family:'Noto Sans CJK SC','Noto Sans SC',sans-serif;font-size:8px;color:#555;"
                     "width:100%;margin:0 14mm;")
            header = f'<div style="{style}">{html.escape(title)}</div>'
            number = t("runner.pdf.page", lang, page='<span class="pageNumber"></span>',
                       pages='<span class="totalPages"></span>')
            footer = f'<div style="{style}text-align:center;">{number}</div>'
            result = self.send("Page.printToPDF", session, timeout=120, paperWidth=210 * _MM, paperHeight=297 * _MM,
                               marginTop=_MARGIN_MM[0] * _MM, marginRight=_MARGIN_MM[1] * _MM,
                               marginBottom=_MARGIN_MM[2] * _MM, marginLeft=_MARGIN_MM[3] * _MM,
                               printBackground=True, displayHeaderFooter=True, headerTemplate=header,
                               footerTemplate=footer, preferCSSPageSize=False)
            return base64.b64decode(result["data"])
        finally:
            self.close_tab(target)

    def close(self) -> None:
        """Close the browser and remove its temporary profile."""
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_w)
        os.close(self._out_r)
        if self._own_profile:
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class PdfJob(tuple):
    """One page to print: ``(html path, pdf path, title, lang)``."""

    def __new__(cls, html_path: Path, pdf_path: Path, title: str, lang: str = "zh"):  # noqa: D102
        return super().__new__(cls, (Path(html_path), Path(pdf_path), title, lang))


def print_pdfs(jobs: Iterable[PdfJob], *, browser: str) -> dict[Path, str | None]:
    """Print every job with one browser; return ``{pdf path: None or the error}`` (a failure skips one PDF)."""
    results: dict[Path, str | None] = {}
    jobs = list(jobs)
    if not jobs:
        return results
    with Chromium(browser) as chromium:
        for html_path, pdf_path, title, lang in jobs:
            try:
                write_atomic(pdf_path, chromium.print_pdf(html_path.resolve().as_uri(), title=title, lang=lang))
                results[pdf_path] = None
            except (RuntimeError, TimeoutError, OSError) as exc:
                results[pdf_path] = f"{type(exc).__name__}: {exc}"
    return results


class PdfPrinter:
    """Print PDFs on a background thread while the batch goes on (one browser, started with the first job).

    :meth:`submit` queues a page as soon as it is published; :meth:`close` waits for the queue and returns
    ``{pdf path: None or the error}``.
    """

    def __init__(self, browser: str):
        self._browser = browser
        self._jobs: queue.Queue = queue.Queue()
        self._results: dict[Path, str | None] = {}
        self._thread: threading.Thread | None = None
        self.seconds = 0.0  #: time spent printing

    def submit(self, job: PdfJob) -> None:
        """Queue *job* for printing."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="evalkit-pdf", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def _work(self) -> None:
        chromium = None
        try:
            while (job := self._jobs.get()) is not None:
                t0 = time.monotonic()
                try:
                    chromium = chromium or Chromium(self._browser)
                    html_path, pdf_path, title, lang = job
                    write_atomic(pdf_path, chromium.print_pdf(html_path.resolve().as_uri(), title=title, lang=lang))
                    self._results[job[1]] = None
                except (RuntimeError, TimeoutError, OSError) as exc:
                    self._results[job[1]] = f"{type(exc).__name__}: {exc}"
                self.seconds += time.monotonic() - t0
        finally:
            if chromium is not None:
                chromium.close()

    def close(self) -> dict[Path, str | None]:
        """Wait for every queued job; return the results."""
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None
        return dict(self._results)
