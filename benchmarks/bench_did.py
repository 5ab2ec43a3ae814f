"""Benchmark: evalkit.impact.att_gt vs the csdid package on mpdta, 999 multiplier-bootstrap draws.

Both estimate the 12 group-time ATTs (never-treated comparisons, doubly robust, varying base period)
with a uniform band from 999 bootstrap draws, on the same data in the same process: one warm-up each,
then the median of several repeats. The point estimates must agree (to 1e-10); the bootstrap draws
differ (different random number generators), so the bootstrap SEs are compared only loosely.
Run: ``python benchmarks/bench_did.py``; the last line is JSON.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd

from evalkit.impact import att_gt
from evalkit.paths import require_reference_data

REPEATS = 7
N_BOOT = 999


def run_evalkit(data: pd.DataFrame) -> pd.DataFrame:
    res = att_gt(data, unit="countyreal", time="year", cohort="first.treat", outcome="lemp",
                 control="never", est_method="dr", n_boot=N_BOOT, seed=1)
    return res.table[["group", "time", "att", "se_boot"]]


def run_csdid(data: pd.DataFrame) -> pd.DataFrame:
    from csdid.att_gt import ATTgt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ATTgt(yname="lemp", tname="year", idname="countyreal", gname="first.treat", data=data,
                    control_group=["nevertreated"], biters=N_BOOT, cband=True).fit(est_method="dr", bstrap=True)
    res = out.results
    return pd.DataFrame({"group": res["group"], "time": res["year"], "att": res["att"], "se_boot": res["se"]})


def timed(fn, data) -> tuple[float, pd.DataFrame]:
    fn(data)  # warm-up
    times, result = [], None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    data = pd.read_csv(require_reference_data("mpdta", "mpdta.csv"))
    evalkit_s, ours = timed(run_evalkit, data)
    csdid_s, theirs = timed(run_csdid, data)
    merged = ours.merge(theirs, on=["group", "time"], suffixes=("_evalkit", "_csdid"))
    max_att_diff = float(np.max(np.abs(merged["att_evalkit"] - merged["att_csdid"])))
    se_ratio = merged["se_boot_evalkit"] / merged["se_boot_csdid"]
    identical = len(merged) == len(ours) == 12 and max_att_diff < 1e-10
    print(f"mpdta: 500 counties x 5 years, 12 ATT(g,t), {N_BOOT} bootstrap draws, median of {REPEATS}")
    print(f"evalkit att_gt : {evalkit_s * 1000:8.1f} ms")
    print(f"csdid ATTgt    : {csdid_s * 1000:8.1f} ms")
    print(f"speed ratio (csdid / evalkit): {csdid_s / evalkit_s:.1f}x")
    print(f"max |ATT difference| = {max_att_diff:.2e}; bootstrap SE ratio range "
          f"{se_ratio.min():.3f}-{se_ratio.max():.3f} (different random draws)")
    print(json.dumps({"benchmark": "did", "evalkit_s": evalkit_s, "baseline": "csdid 0.4.3 ATTgt.fit (bstrap, 999)",
                      "baseline_s": csdid_s, "ratio": csdid_s / evalkit_s, "max_att_diff": max_att_diff,
                      "identical_point_estimates": identical}))
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
