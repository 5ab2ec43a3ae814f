"""Benchmark: figure extraction accuracy on the public-text corpus, throughput and peak memory on 1 MB of text.

Accuracy: precision and recall per text of ``tests/data/extract/corpus_expected.csv`` (value and unit must match,
spans must overlap; the scorer is ``tests/_data/extract.py``), the held-out texts reported apart.

Throughput: the text is evalkit's own invented sample texts (data/sample/report_sample.txt and the invented
tests/data/extract/forms_a.txt, forms_b.txt, not_figures.txt — the mix the 697k chars/s of issue 16 was measured
on) repeated until it reaches 1 MB of UTF-8; a second run uses the public corpus texts (denser in figures and with
tables). The baseline is a naive regex-only number finder over the same text: every run of digits (with an
optional decimal part and 万/亿) converted to a Decimal — no units, subjects, dates or filtering. Both run in this
process, after a warm-up, median of several repeats, timed by wall clock and by process CPU time (the machine may
be shared; CPU time is the steadier figure). Peak memory is measured with tracemalloc in a separate run, on 1 MB and
on 2 MB (flat memory: peak per MB does not grow with the text).

Run: ``python benchmarks/bench_extract.py``. The last line is one JSON object.
"""
from __future__ import annotations

import json
import re
import statistics
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from evalkit.extract import extract_figures

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "extract"
SOURCES = [ROOT / "data" / "sample" / "report_sample.txt", DATA / "forms_a.txt", DATA / "forms_b.txt",
           DATA / "not_figures.txt"]
sys.path.insert(0, str(ROOT / "tests"))
from _data.extract import CORPUS, HELD_OUT, score  # noqa: E402 - the test helpers hold the scorer

CORPUS_SOURCES = [DATA / name for name in CORPUS]
TARGET_BYTES = 1_000_000
REPEATS = 5

_NAIVE = re.compile(r"([0-9０-９]+(?:[.．][0-9０-９]+)?)([万亿]?)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_MAGNITUDE = {"": 1, "万": 10**4, "亿": 10**8}


def naive_numbers(text: str) -> list[Decimal]:
    """The baseline: every digit run (× 万/亿) as a Decimal."""
    return [Decimal(m.group(1).translate(_FULLWIDTH)) * _MAGNITUDE[m.group(2)] for m in _NAIVE.finditer(text)]


def build_text(sources=SOURCES, target_bytes: int = TARGET_BYTES) -> str:
    pieces = [p.read_text(encoding="utf-8") for p in sources]
    unit = "\n".join(pieces) + "\n"
    copies = -(-target_bytes // len(unit.encode("utf-8")))
    return unit * copies


def timed(func, text: str) -> tuple[float, float, object]:
    func(text)  # warm-up (compiles the grammar, fills caches)
    walls, cpus, result = [], [], None
    for _ in range(REPEATS):
        start, cpu = time.perf_counter(), time.process_time()
        result = func(text)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def peak_memory_mb(func, text: str) -> float:
    tracemalloc.start()
    func(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def accuracy() -> dict:
    """Precision and recall per corpus text, printed, and pooled over the tuned and the held-out texts."""
    out = {}
    for held in (False, True):
        matched = predicted = gold = 0
        for name, genre in CORPUS.items():
            if (name in HELD_OUT) != held:
                continue
            result = score(name)
            matched, predicted, gold = matched + result.matched, predicted + result.predicted, gold + result.gold
            out[name] = {"genre": genre, "precision": round(result.precision, 3), "recall": round(result.recall, 3)}
            print(f"{name:30s} {genre:40s} precision {result.precision:.3f} recall {result.recall:.3f} "
                  f"({result.matched} matched, {result.predicted} predicted, {result.gold} annotated)")
        label = "held-out" if held else "tuned"
        out[label] = {"precision": round(matched / predicted, 3), "recall": round(matched / gold, 3)}
        print(f"{label:30s} {'(pooled)':40s} precision {matched / predicted:.3f} recall {matched / gold:.3f}")
    return out


def main() -> None:
    scores = accuracy()
    text = build_text()
    n_bytes, n_chars = len(text.encode("utf-8")), len(text)
    evalkit_s, evalkit_cpu, figures = timed(extract_figures, text)
    baseline_s, _, numbers = timed(naive_numbers, text)
    corpus_text = build_text(CORPUS_SOURCES)
    corpus_s, corpus_cpu, corpus_figures = timed(extract_figures, corpus_text)
    evalkit_mb = peak_memory_mb(extract_figures, text)
    evalkit_mb_2 = peak_memory_mb(extract_figures, build_text(target_bytes=2 * TARGET_BYTES))
    baseline_mb = peak_memory_mb(naive_numbers, text)
    print(f"text: {n_bytes:,} bytes UTF-8, {n_chars:,} characters ({len(SOURCES)} sample texts repeated)")
    print(f"evalkit extract_figures: {evalkit_s:.3f} s median of {REPEATS} ({evalkit_cpu:.3f} s CPU), "
          f"{n_chars / evalkit_s:,.0f} chars/s ({n_chars / evalkit_cpu:,.0f} chars/s of CPU time), "
          f"{len(figures):,} figures, peak {evalkit_mb:.1f} MiB (2 MB of text: {evalkit_mb_2:.1f} MiB)")
    print(f"baseline naive regex:    {baseline_s:.3f} s median of {REPEATS}, {n_chars / baseline_s:,.0f} chars/s, "
          f"{len(numbers):,} numbers, peak {baseline_mb:.1f} MiB")
    print(f"public corpus repeated:  {len(corpus_text):,} characters, {corpus_s:.3f} s ({corpus_cpu:.3f} s CPU), "
          f"{len(corpus_text) / corpus_s:,.0f} chars/s ({len(corpus_text) / corpus_cpu:,.0f} chars/s of CPU time), "
          f"{len(corpus_figures):,} figures")
    print(f"ratio baseline_s / evalkit_s = {baseline_s / evalkit_s:.3f} (the baseline finds numbers only: "
          "no units, subjects, dates or filtering)")
    print(json.dumps({
        "benchmark": "extract", "evalkit_s": round(evalkit_s, 4), "evalkit_cpu_s": round(evalkit_cpu, 4),
        "baseline": "naive regex digit finder", "baseline_s": round(baseline_s, 4),
        "ratio": round(baseline_s / evalkit_s, 4), "chars_per_s": round(n_chars / evalkit_s),
        "chars_per_cpu_s": round(n_chars / evalkit_cpu), "baseline_chars_per_s": round(n_chars / baseline_s),
        "corpus_chars_per_s": round(len(corpus_text) / corpus_s),
        "corpus_chars_per_cpu_s": round(len(corpus_text) / corpus_cpu),
        "bytes": n_bytes, "chars": n_chars, "figures": len(figures), "baseline_numbers": len(numbers),
        "peak_mb": round(evalkit_mb, 1), "peak_mb_2mb": round(evalkit_mb_2, 1),
        "baseline_peak_mb": round(baseline_mb, 1),
        "accuracy": scores,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
