"""Scale: a national county-level panel (2,844 counties × 20 years × 50 indicators) through evalkit, with peak memory.

    python benchmarks/bench_scale.py                  # ¼, ½ and the full size, every step
    python benchmarks/bench_scale.py --sizes 0.25     # only a quarter (quick)
    python benchmarks/bench_scale.py --csdid-sizes 0.25 0.5   # the csdid baseline at these sizes only

The panel is generated (illustrative values, seeded) for every county-level unit of ``data/reference/divisions.csv``
and 50 indicators: the 40 of the built-in catalogue and 10 more from a project catalogue (the path of a project
catalogue is exercised as well). At each size (¼, ½, full: the first 711, 1,422 and 2,844 counties) it measures

* ``read`` — :func:`evalkit.io.read_panel` + validation from CSV and from Parquet (goal at full size: ≤ 15 s,
  ≤ 3 GB);
* ``assess`` — :func:`evalkit.targets.assess_many`, the plan-target assessment of every county against the
  national ``*`` targets of ``data/reference/targets.csv`` (13th plan); the loop of :func:`evalkit.targets.assess`
  (one county per call) is timed on the first 20 counties and scaled, and its rows are checked to be identical;
* ``composite`` — :func:`evalkit.composite.build` and :func:`evalkit.composite.uncertainty` (1,000 Monte Carlo
  draws) over the counties' 2020 values of 24 indicators in 11 categories (the 11类24项 shape);
* ``att_gt`` — :func:`evalkit.impact.att_gt` (never-treated comparisons, doubly robust, 999 multiplier-bootstrap
  draws) on a generated staggered-adoption panel of the counties × 20 years, and ``csdid`` (``ATTgt.fit``, the
  same settings) on the same data in its own process; the point estimates must agree (to 1e-8).

Each measurement runs in its own process, so its peak resident memory (``VmHWM``) is the measurement's own (it
includes the inputs it holds and the imported libraries); the CPU seconds (all threads) and the machine's 1-minute
load average are printed beside the wall time, because on a shared machine the wall time measures the other
processes too.

The last line printed is JSON: ``rows``, ``read_validate_s``, ``cpu_s`` and ``peak_mb`` (the full-size CSV read),
``assess_s``, ``composite_s``, ``att_gt_s``, ``csdid_s`` and ``ratio`` (csdid ÷ att_gt) at the largest size
measured (``csdid_size`` says which size the csdid figures are from), and every measurement in ``runs``.
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
LOOP_REGIONS = 20
N_DRAWS = 1000
N_BOOT = 999


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


def _timed(fn):
    """Run *fn*; return its result, wall seconds and CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    return result, seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _peak_mb() -> float:
    """This process's peak resident memory: ``VmHWM`` (Linux), else ``ru_maxrss``.

    ``ru_maxrss`` survives ``exec`` on Linux, so a child started by a parent holding a big panel would report
    the parent's memory; ``VmHWM`` belongs to the child's own address space.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report(**fields) -> None:
    peak = _peak_mb()
    print(json.dumps({**fields, "peak_mb": round(peak, 1), "load": round(os.getloadavg()[0], 1)}))


def step_read(path: str) -> None:
    """Read and validate *path* (CSV or Parquet)."""
    from evalkit import io

    panel, seconds, cpu = _timed(lambda: io.read_panel(path))
    _report(rows=len(panel), seconds=round(seconds, 2), cpu_s=round(cpu, 2))


def step_assess(path: str) -> None:
    """Every county against the national targets: assess_many, and a loop of assess on 20 counties."""
    from evalkit import io, targets

    panel = io.read_panel(path)
    goals, meta = io.read_reference("targets"), io.read_reference("indicators")
    options = {"plan": "13th", "meta": meta, "national": None}
    out, seconds, cpu = _timed(lambda: targets.assess_many(panel, goals, **options))
    first = sorted(set(out["region"]))[:LOOP_REGIONS]
    loop, loop_s, _ = _timed(lambda: pd.concat([targets.assess(panel, goals, region=r, **options) for r in first],
                                               ignore_index=True))
    same = out[out["region"].isin(first)].reset_index(drop=True)
    try:
        pd.testing.assert_frame_equal(same, loop)
        identical = True
    except AssertionError:
        identical = False
    n = out["region"].nunique()
    _report(regions=n, rows=len(out), seconds=round(seconds, 2), cpu_s=round(cpu, 2),
            loop_s=round(loop_s * n / len(first), 1), identical=identical,
            targeted=int(out["target_type"].notna().sum()))


def _composite_inputs(path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The counties' 2020 values of 24 indicators in 11 categories (sizes 3,3,2,1,3,3,4,2,1,1,1)."""
    from evalkit import io

    panel = io.read_panel(path)
    codes = sorted(panel["indicator"].unique())[:24]
    wide = (panel[(panel["year"] == 2020) & panel["indicator"].isin(codes)]
            .pivot(index="region", columns="indicator", values="value")[codes].reset_index())
    sizes = [3, 3, 2, 1, 3, 3, 4, 2, 1, 1, 1]
    parents = [f"cat{g:02d}" for g, size in enumerate(sizes) for _ in range(size)]
    meta = pd.DataFrame({"code": codes + sorted(set(parents)) + ["index"],
                         "level": [1] * 24 + [2] * 11 + [3],
                         "parent": parents + ["index"] * 11 + [None],
                         "direction": [1 if k % 5 else -1 for k in range(24)] + [1] * 12,
                         "weight": 1.0})
    return wide.rename(columns={"region": "uCode"}), meta


def step_composite(path: str) -> None:
    """A composite build and 1,000 Monte Carlo draws over the counties."""
    from evalkit import composite

    data, meta = _composite_inputs(path)
    steps = {"treat": True, "normalise": "minmax", "norm_range": (1.0, 100.0)}
    built, build_s, build_cpu = _timed(lambda: composite.build(data, meta, **steps))
    ua, ua_s, ua_cpu = _timed(lambda: composite.uncertainty(data, meta, n_draws=N_DRAWS, seed=1, steps=steps))
    _report(units=len(built.scores), build_s=round(build_s, 2), uncertainty_s=round(ua_s, 2),
            seconds=round(build_s + ua_s, 2), cpu_s=round(build_cpu + ua_cpu, 2), draws=len(ua.scores))


def did_data(n_units: int, seed: int = 7) -> pd.DataFrame:
    """A balanced staggered-adoption panel: *n_units* counties × 20 years, ¼ never treated (illustrative)."""
    rng = np.random.default_rng(seed)
    cohorts = rng.choice([0, 2006, 2008, 2010, 2012, 2014, 2016, 2018], size=n_units,
                         p=[0.25] + [0.75 / 7] * 7)
    unit = np.repeat(np.arange(1, n_units + 1), len(YEARS))
    year = np.tile(YEARS, n_units)
    cohort = np.repeat(cohorts, len(YEARS))
    treated = (cohort > 0) & (year >= cohort)
    effect = np.where(treated, 1.0 + 0.1 * (year - cohort), 0.0)
    y = (np.repeat(rng.normal(0, 1, n_units), len(YEARS)) + 0.05 * (year - YEARS[0]) + effect
         + rng.normal(0, 1, len(year)))
    return pd.DataFrame({"unit": unit, "year": year, "first_treat": cohort, "y": y})


def step_att_gt(n_units: str, out_path: str) -> None:
    """evalkit.impact.att_gt with the multiplier bootstrap; the ATT(g,t) are written to *out_path*."""
    from evalkit.impact import att_gt

    data = did_data(int(n_units))
    res, seconds, cpu = _timed(lambda: att_gt(data, unit="unit", time="year", cohort="first_treat", outcome="y",
                                              control="never", est_method="dr", n_boot=N_BOOT, seed=1))
    res.table[["group", "time", "att"]].to_csv(out_path, index=False)
    _report(units=int(n_units), cells=len(res.table), seconds=round(seconds, 2), cpu_s=round(cpu, 2))


def step_csdid(n_units: str, out_path: str) -> None:
    """csdid's ATTgt.fit on the same data, the same settings; the ATT(g,t) are written to *out_path*."""
    import warnings

    from csdid.att_gt import ATTgt

    data = did_data(int(n_units))

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ATTgt(yname="y", tname="year", idname="unit", gname="first_treat", data=data,
                         control_group=["nevertreated"], biters=N_BOOT, cband=True).fit(est_method="dr", bstrap=True)

    res, seconds, cpu = _timed(run)
    r = res.results
    pd.DataFrame({"group": r["group"], "time": r["year"], "att": r["att"]}).to_csv(out_path, index=False)
    _report(units=int(n_units), cells=len(r["att"]), seconds=round(seconds, 2), cpu_s=round(cpu, 2))


STEPS = {"read": step_read, "assess": step_assess, "composite": step_composite, "att_gt": step_att_gt,
         "csdid": step_csdid}


def measure(step: str, *args: object, catalogue_path: Path) -> dict:
    """Run one step in a fresh process; its JSON line as a dict."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1] / "src"),
                                                         os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, __file__, "--child", step, str(catalogue_path), *map(str, args)],
                         env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _line(size: float, what: str, r: dict, extra: str = "") -> None:
    print(f"{size:>5g} {what:>16} {r.get('rows', r.get('units', '')):>10,} {r['seconds']:>9.2f} {r['cpu_s']:>7.2f} "
          f"{r['peak_mb']:>8.0f} {r['load']:>5.1f}  {extra}", flush=True)


def _did(folder: Path, size: float, n_units: int, catalogue_path: Path, with_csdid: bool) -> list[dict]:
    ours_path, theirs_path = folder / "att_evalkit.csv", folder / "att_csdid.csv"
    ours = measure("att_gt", n_units, ours_path, catalogue_path=catalogue_path)
    runs = [{**ours, "size": size, "step": "att_gt"}]
    if not with_csdid:
        _line(size, "att_gt", ours, f"{ours['cells']} ATT(g,t), {N_BOOT} bootstrap draws; csdid not run at this size")
        return runs
    theirs = measure("csdid", n_units, theirs_path, catalogue_path=catalogue_path)
    merged = pd.read_csv(ours_path).merge(pd.read_csv(theirs_path), on=["group", "time"],
                                          suffixes=("_evalkit", "_csdid"))
    diff = float(np.max(np.abs(merged["att_evalkit"] - merged["att_csdid"])))
    agree = len(merged) == ours["cells"] == theirs["cells"] and diff < 1e-8
    ratio = theirs["seconds"] / ours["seconds"]
    _line(size, "att_gt", ours, f"{ours['cells']} ATT(g,t), {N_BOOT} bootstrap draws")
    _line(size, "csdid", theirs, f"csdid/evalkit {ratio:.1f}x; max |ATT diff| {diff:.1e}"
                                 f"{'' if agree else ' — POINT ESTIMATES DIFFER'}")
    runs.append({**theirs, "size": size, "step": "csdid", "ratio": round(ratio, 2), "max_att_diff": diff,
                 "agree": agree})
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.5, 1.0])
    parser.add_argument("--csdid-sizes", type=float, nargs="*", default=None,
                        help="sizes at which csdid runs too (default: every size)")
    parser.add_argument("--steps", nargs="+", default=list(STEPS)[:4], choices=list(STEPS)[:4])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        from evalkit import catalogue

        step, catalogue_path, *rest = args.child
        catalogue.use(catalogue_path)
        catalogue.indicators()
        STEPS[step](*rest)
        return 0
    from evalkit import catalogue

    csdid_sizes = args.sizes if args.csdid_sizes is None else args.csdid_sizes
    runs = []
    with tempfile.TemporaryDirectory(prefix="evalkit-bench-") as tmp:
        folder = Path(tmp)
        catalogue_path = _catalogue(folder)
        catalogue.use(catalogue_path)
        print(f"{'size':>5} {'step':>16} {'rows/units':>10} {'wall s':>9} {'CPU s':>7} {'peak MB':>8} {'load':>5}")
        for fraction in args.sizes:
            csv_path, parquet_path, _ = build(folder, fraction)
            if "read" in args.steps:
                for fmt, path in (("csv", csv_path), ("parquet", parquet_path)):
                    r = measure("read", path, catalogue_path=catalogue_path)
                    r.update(size=fraction, step="read", format=fmt, file_mb=round(path.stat().st_size / 2**20, 1))
                    runs.append(r)
                    _line(fraction, f"read {fmt}", r, f"{r['file_mb']:.0f} MB on disk")
            if "assess" in args.steps:
                r = measure("assess", parquet_path, catalogue_path=catalogue_path)
                runs.append({**r, "size": fraction, "step": "assess"})
                _line(fraction, "assess_many", r, f"{r['regions']:,} counties; loop of assess ≈ {r['loop_s']:.0f} s "
                      f"(scaled from {LOOP_REGIONS}); rows identical: {r['identical']}")
            if "composite" in args.steps:
                r = measure("composite", parquet_path, catalogue_path=catalogue_path)
                runs.append({**r, "size": fraction, "step": "composite"})
                _line(fraction, "composite", r, f"build {r['build_s']:.2f} s + {r['draws']:,} draws "
                      f"{r['uncertainty_s']:.2f} s")
            n_units = len(pd.read_parquet(parquet_path, columns=["region"])["region"].unique())
            csv_path.unlink()
            parquet_path.unlink()
            if "att_gt" in args.steps:
                runs += _did(folder, fraction, n_units, catalogue_path, fraction in csdid_sizes)
    print(json.dumps(summary(runs, csdid_sizes)))
    return 0


def summary(runs: list[dict], csdid_sizes: list[float]) -> dict:
    """The headline figures: the full-size CSV read, and each step at the largest size it ran."""
    def largest(step: str, **match) -> dict:
        mine = [r for r in runs if r["step"] == step and all(r.get(k) == v for k, v in match.items())]
        return max(mine, key=lambda r: r["size"]) if mine else {}

    read, csdid = largest("read", format="csv"), largest("csdid")
    att_at_csdid = next((r for r in runs if r["step"] == "att_gt" and r["size"] == csdid.get("size")), {})
    out = {"rows": read.get("rows"), "read_validate_s": read.get("seconds"), "cpu_s": read.get("cpu_s"),
           "peak_mb": read.get("peak_mb"), "load_1min": read.get("load"), "cores": os.cpu_count(),
           "goal_s": GOAL_S, "goal_mb": GOAL_MB,
           "met": bool(read) and read["seconds"] <= GOAL_S and read["peak_mb"] <= GOAL_MB,
           "assess_s": largest("assess").get("seconds"), "assess_peak_mb": largest("assess").get("peak_mb"),
           "composite_s": largest("composite").get("seconds"),
           "composite_peak_mb": largest("composite").get("peak_mb"),
           "att_gt_s": largest("att_gt").get("seconds"), "att_gt_peak_mb": largest("att_gt").get("peak_mb"),
           "csdid_s": csdid.get("seconds"), "csdid_size": csdid.get("size"), "csdid_sizes": csdid_sizes,
           "att_gt_s_at_csdid_size": att_at_csdid.get("seconds"), "ratio": csdid.get("ratio"),
           "point_estimates_agree": csdid.get("agree"), "runs": runs}
    return out


if __name__ == "__main__":
    sys.exit(main())
