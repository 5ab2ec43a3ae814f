"""Benchmark: Monte Carlo rank uncertainty of a composite index, vectorised vs a per-draw loop.

Work: 10,000 draws × 14 units × 24 indicators in 11 categories (generated, illustrative data —
not statistics). Each draw varies the outlier treatment (winmax 1–5), the normalisation (min-max
[1, 100] or z-score (10, 2)), the weights (±25 % noise at the category level) and the aggregation
(arithmetic or geometric mean).

* evalkit: ``evalkit.composite.uncertainty`` — all draws at once.
* baseline: the straightforward loop, ``evalkit.composite.build`` once per draw with that draw's
  assumptions (treat → normalise → weight → aggregate). The loop is timed on the first
  ``LOOP_DRAWS`` draws and scaled to 10,000; its scores are checked against the vectorised ones.

Runs on one core (BLAS threads pinned to 1). Prints readable lines, then one JSON line.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from evalkit import composite  # noqa: E402

N_DRAWS = 10_000
LOOP_DRAWS = 200
REPEATS = 3
STEPS = dict(treat=True, normalise="minmax", norm_range=(1.0, 100.0))


def generated_data(seed: int = 2020) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Illustrative data shaped like the city assessment: 14 units, 24 indicators, 11 categories."""
    rng = np.random.default_rng(seed)
    sizes = [3, 3, 2, 1, 3, 3, 4, 2, 1, 1, 1]  # 24 indicators
    codes = [f"ind{k:02d}" for k in range(24)]
    parents = [f"cat{g:02d}" for g, size in enumerate(sizes) for _ in range(size)]
    data = pd.DataFrame(rng.lognormal(mean=3.0, sigma=0.6, size=(14, 24)), columns=codes)
    data.insert(0, "uCode", [f"{210100 + 100 * k}" for k in range(14)])
    meta = pd.DataFrame({
        "code": codes + sorted(set(parents)) + ["index"],
        "level": [1] * 24 + [2] * 11 + [3],
        "parent": parents + ["index"] * 11 + [None],
        "direction": list(rng.choice([1, -1], size=24, p=[0.8, 0.2])) + [1] * 12,
        "weight": 1.0,
    })
    return data, meta


def per_draw_loop(data, meta, result: composite.UncertaintyResult, draws: int) -> np.ndarray:
    presets = composite.NORMALISATION_PRESETS
    out = np.empty((draws, len(result.nominal.scores)))
    for draw in range(draws):
        row = result.draws.loc[draw]
        normalisation = presets[row["normalisation"].split()[0]]
        weights = result.weight_sets.loc[row["weight_set"]].to_dict()
        built = composite.build(data, meta, **{**STEPS, **normalisation}, winmax=int(row["winmax"]),
                                aggregation=row["aggregation"], weights=weights)
        out[draw] = built.scores["index"].to_numpy()
    return out


def main() -> None:
    data, meta = generated_data()
    run = lambda: composite.uncertainty(data, meta, n_draws=N_DRAWS, seed=1, steps=STEPS)  # noqa: E731
    run()  # warm-up
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t0)
    evalkit_s = statistics.median(times)

    per_draw_loop(data, meta, result, 5)  # warm-up
    loop_times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        loop_scores = per_draw_loop(data, meta, result, LOOP_DRAWS)
        loop_times.append(time.perf_counter() - t0)
    loop_subset_s = statistics.median(loop_times)
    baseline_s = loop_subset_s * N_DRAWS / LOOP_DRAWS
    max_diff = float(np.nanmax(np.abs(loop_scores - result.scores.to_numpy()[:LOOP_DRAWS])))

    print(f"work: {N_DRAWS} Monte Carlo draws × 14 units × 24 indicators × 11 categories (generated data)")
    print(f"evalkit.composite.uncertainty (vectorised): {evalkit_s:.3f} s (median of {REPEATS})")
    print(f"per-draw loop of build(): {loop_subset_s:.3f} s for {LOOP_DRAWS} draws (median of {REPEATS}), "
          f"scaled ×{N_DRAWS // LOOP_DRAWS} to {baseline_s:.1f} s for {N_DRAWS} draws")
    print(f"speed-up: {baseline_s / evalkit_s:.0f}×; largest score difference loop vs vectorised: {max_diff:.2e}")
    print(json.dumps({
        "benchmark": "composite",
        "evalkit_s": round(evalkit_s, 4),
        "baseline": f"per-draw loop of evalkit.composite.build (timed on {LOOP_DRAWS} draws, scaled to {N_DRAWS})",
        "baseline_s": round(baseline_s, 3),
        "ratio": round(baseline_s / evalkit_s, 1),
        "n_draws": N_DRAWS,
        "loop_draws_timed": LOOP_DRAWS,
        "max_abs_score_diff": max_diff,
        "threads": 1,
    }))


if __name__ == "__main__":
    main()
