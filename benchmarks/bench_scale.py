"""Scale: read and validate a national county-level panel (≈ 2,844 counties × 20 years × 50 indicators).

    python benchmarks/bench_scale.py                 # ¼, ½ and the full size, CSV and Parquet
    python benchmarks/bench_scale.py --sizes 0.25    # only a quarter (quick)

The panel is generated (illustrative values, seeded) for every county-level unit of ``data/reference/divisions.csv``
and 50 indicators: the 40 of the built-in catalogue and 10 more from a project catalogue (the path of a project
catalogue is exercised as well). Each measurement runs in its own process, so its peak resident memory
(``ru_maxrss``) is the measurement's own; the CPU seconds (all threads) and the machine's 1-minute load average
are printed beside the wall time, because on a shared machine the wall time measures the other processes too.
Goal: ``read_panel`` + validation of the full CSV in ≤ 15 s and ≤ 3 GB.

The last line printed is JSON with ``rows``, ``read_validate_s``, ``cpu_s`` and ``peak_mb`` (of the full-size CSV
run) and every measurement in ``runs``.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

YEARS = list(range(2001, 2021))
EXTRA = 10
GOAL_S, GOAL_MB = 15.0, 3072.0


def _catalogue(folder: Path) -> Path:
    """A project catalogue adding EXTRA indicators to the built-in 40."""
    from evalkit import schema

    rows = [{"code": f"bench_{i:02d}", "name_zh": f"基准指标{i:02d}", "name_en": f"Benchmark indicator {i:02d}",
             "category": "bench", "category_zh": "基准", "category_en": "Benchmark", "unit": "%", "polarity": "1",
             "kind": "rate", "in_assessment": "0", "denominator": "", "decimals": "2", "keywords_zh": "",
             "description": "Illustrative indicator of the scale benchmark."} for i in range(1, EXTRA + 1)]
    path = folder / "catalogue.csv"
    pd.DataFrame(rows, columns=schema.REFERENCE_COLUMNS["indicators"]).to_csv(path, index=False)
    return path


def build(folder: Path, fraction: float, seed: int = 1) -> tuple[Path, Path, int]:
    """Write the panel for *fraction* of the counties as CSV and Parquet; return both paths and the row count."""
    from evalkit import catalogue, io, regions

    counties = regions.units_of("000000", "county")
    counties = counties[: max(1, round(len(counties) * fraction))]
    codes = list(catalogue.indicators().index)
    rng = np.random.default_rng(seed)
    n = len(counties) * len(YEARS) * len(codes)
    frame = pd.DataFrame({
        "region": np.repeat(counties, len(YEARS) * len(codes)),
        "year": np.tile(np.repeat(YEARS, len(codes)), len(counties)),
        "indicator": np.tile(codes, len(counties) * len(YEARS)),
        "value": np.round(rng.uniform(0, 100, n), 2),
        "source": "evalkit bench_scale (illustrative)",
        "status": "illustrative",
    })
    csv_path, parquet_path = folder / f"panel_{fraction:g}.csv", folder / f"panel_{fraction:g}.parquet"
    frame.to_csv(csv_path, index=False)
    io.write_panel(frame.assign(note=""), parquet_path)
    return csv_path, parquet_path, n


def child(path: str, catalogue_path: str) -> None:
    """Run in a fresh process: read and validate *path*, print seconds, rows and peak memory as JSON."""
    from evalkit import catalogue, io

    catalogue.use(catalogue_path)
    catalogue.indicators()
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    panel = io.read_panel(path)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(json.dumps({"rows": len(panel), "seconds": round(seconds, 2), "cpu_s": round(cpu, 2),
                      "peak_mb": round(after.ru_maxrss / 1024, 1), "load": round(os.getloadavg()[0], 1)}))


def measure(path: Path, catalogue_path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1] / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, __file__, "--child", str(path), str(catalogue_path)], env=env,
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    from evalkit import catalogue

    runs = []
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        folder = Path(tmp)
        catalogue_path = _catalogue(folder)
        catalogue.use(catalogue_path)
        print(f"{'size':>5} {'format':>8} {'rows':>10} {'read+validate s':>16} {'CPU s':>7} {'peak MB':>9} "
              f"{'MB on disk':>11} {'load':>5}")
        for fraction in args.sizes:
            csv_path, parquet_path, _ = build(folder, fraction)
            for fmt, path in (("csv", csv_path), ("parquet", parquet_path)):
                result = measure(path, catalogue_path)
                result.update(size=fraction, format=fmt, file_mb=round(path.stat().st_size / 2**20, 1))
                runs.append(result)
                print(f"{fraction:>5g} {fmt:>8} {result['rows']:>10,} {result['seconds']:>16.2f} "
                      f"{result['cpu_s']:>7.2f} {result['peak_mb']:>9.0f} {result['file_mb']:>11.1f} "
                      f"{result['load']:>5.1f}", flush=True)
            csv_path.unlink()
            parquet_path.unlink()
    full = max((r for r in runs if r["format"] == "csv"), key=lambda r: r["size"])
    summary = {"rows": full["rows"], "read_validate_s": full["seconds"], "cpu_s": full["cpu_s"],
               "peak_mb": full["peak_mb"], "load_1min": full["load"], "cores": os.cpu_count(),
               "goal_s": GOAL_S, "goal_mb": GOAL_MB,
               "met": full["seconds"] <= GOAL_S and full["peak_mb"] <= GOAL_MB, "runs": runs}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
