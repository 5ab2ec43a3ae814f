"""Batch progress: a live bar on a terminal, plain timestamped lines in logs (cron, CI, files)."""
from __future__ import annotations

import sys
import time
from collections import Counter
from typing import TextIO

from evalkit.runner.pages import FAILED_STATUSES, STATUS_LABELS

__all__ = ["Progress"]


class Progress:
    """Reports runs as they finish: done / failed / cached counts, elapsed time and ETA.

    On a TTY a single live line (tqdm) is redrawn and finished runs are printed above it; otherwise
    each event is one line, so a log file reads top to bottom.
    """

    def __init__(self, *, total: int, cached: int, stream: TextIO | None = None, live: bool | None = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.total = total
        self.counts: Counter = Counter(cached=cached)
        self.started = time.monotonic()
        self._bar = None
        if self.live and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, file=self.stream, unit="run", dynamic_ncols=True, mininterval=0.2,
                             bar_format="{desc} {bar} {n_fmt}/{total_fmt} [{elapsed}<{remaining}]{postfix}")
            self._bar.set_description("evalkit run")
            self._refresh()

    def note(self, text: str) -> None:
        """A line of information (printed above a live bar)."""
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            self.stream.write(f"{time.strftime('%H:%M:%S')} {text}\n")
            self.stream.flush()

    def _refresh(self) -> None:
        if self._bar is not None:
            c = self.counts
            self._bar.set_postfix_str(f"done {c['success']} · failed {c['failed']} · cached {c['cached']}",
                                      refresh=True)

    def finished(self, run_id: str, status: str, duration_s: float | None, detail: str = "") -> None:
        """One run ended with *status*."""
        self.counts["failed" if status in FAILED_STATUSES else status] += 1
        done = self.counts["success"] + self.counts["failed"]
        label = STATUS_LABELS.get(status, (status, status))[1]
        took = f"{duration_s:6.1f} s" if duration_s is not None else ""
        shown = label.upper() if status in FAILED_STATUSES else label
        line = f"[{done:>{len(str(self.total))}}/{self.total}] {run_id:<40} {shown:<11} {took}"
        if detail:
            line += f"  {detail}"
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
            self._bar.update(1)
            self._refresh()
        else:
            elapsed = time.monotonic() - self.started
            eta = elapsed / done * (self.total - done) if done else 0.0
            self.note(f"{line}  (elapsed {elapsed:.0f} s, ETA {eta:.0f} s)")

    def close(self) -> None:
        """Finish the progress bar (if one is shown)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
