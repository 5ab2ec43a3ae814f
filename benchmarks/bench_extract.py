"""Benchmark: figure extraction throughput and peak memory on 1 MB of report text.

The text is evalkit's own invented sample texts (data/sample/report_sample.txt and
tests/data/extract/*.txt) repeated until it reaches 1 MB of UTF-8. The baseline is a naive
regex-only number finder over the same text: every run of digits (with an optional decimal part and
万/亿) converted to a Decimal — no units, subjects, dates or filtering. Both run in this process, after a
warm-up, median of several repeats. Peak memory is measured with tracemalloc in a separate run.

Run: ``python benchmarks/bench_extract.py``. The last line is one JSON object.
"""
from __future__ import annotations

import json
import re
import statistics
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from evalkit.extract import extract_figures

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "data" / "sample" / "report_sample.txt", *sorted((ROOT / "tests" / "data" / "extract").glob("*.txt"))]
TARGET_BYTES = 1_000_000
REPEATS = 5

_NAIVE = re.compile(r"([0-9０-９]+(?:[.．][0-9０-９]+)?)([万亿]?)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_MAGNITUDE = {"": 1, "万": 10**4, "亿": 10**8}


def naive_numbers(text: str) -> list[Decimal]:
    """The baseline: every digit run (× 万/亿) as a Decimal."""
    return [Decimal(m.group(1).translate(_FULLWIDTH)) * _MAGNITUDE[m.group(2)] for m in _NAIVE.finditer(text)]


def build_text() -> str:
    pieces = [p.read_text(encoding="utf-8") for p in SOURCES]
    unit = "\n".join(pieces) + "\n"
    copies = -(-TARGET_BYTES // len(unit.encode("utf-8")))
    return unit * copies


def timed(func, text: str) -> tuple[float, object]:
    func(text)  # warm-up (compiles the grammar, fills caches)
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = func(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_memory_mb(func, text: str) -> float:
    tracemalloc.start()
    func(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    text = build_text()
    n_bytes, n_chars = len(text.encode("utf-8")), len(text)
    evalkit_s, figures = timed(extract_figures, text)
    baseline_s, numbers = timed(naive_numbers, text)
    evalkit_mb = peak_memory_mb(extract_figures, text)
    baseline_mb = peak_memory_mb(naive_numbers, text)
    print(f"text: {n_bytes:,} bytes UTF-8, {n_chars:,} characters ({len(SOURCES)} sample texts repeated)")
    print(f"evalkit extract_figures: {evalkit_s:.3f} s median of {REPEATS}, {n_chars / evalkit_s:,.0f} chars/s, "
          f"{len(figures):,} figures, peak {evalkit_mb:.1f} MiB")
    print(f"baseline naive regex:    {baseline_s:.3f} s median of {REPEATS}, {n_chars / baseline_s:,.0f} chars/s, "
          f"{len(numbers):,} numbers, peak {baseline_mb:.1f} MiB")
    print(f"ratio baseline_s / evalkit_s = {baseline_s / evalkit_s:.3f} (the baseline finds numbers only: "
          "no units, subjects, dates or filtering)")
    print(json.dumps({
        "benchmark": "extract", "evalkit_s": round(evalkit_s, 4), "baseline": "naive regex digit finder",
        "baseline_s": round(baseline_s, 4), "ratio": round(baseline_s / evalkit_s, 4),
        "chars_per_s": round(n_chars / evalkit_s), "baseline_chars_per_s": round(n_chars / baseline_s),
        "bytes": n_bytes, "chars": n_chars, "figures": len(figures), "baseline_numbers": len(numbers),
        "peak_mb": round(evalkit_mb, 1), "baseline_peak_mb": round(baseline_mb, 1),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
