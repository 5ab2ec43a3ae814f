"""Reference checks of the direction-of-travel rule and the two completion conventions of :mod:`evalkit.targets`.

Issue 15, finding 1: an indicator that moved away from its target over the plan period must never be
完成 or 基本完成, and an evaluation must be able to show both conventions Chinese evaluations use — the level
ratio 实际/目标 and the share of the required change (实际−基期)/(目标−基期). No published table reports these
cases, so every reference below is a hand calculation, written out beside it:

* ``at_least_fell``: at least, baseline 30 (2015), actual 28 (2020), target ≥ 31. Level ratio 28/31 = 0.9032
  (≥ 0.90, which alone would read 基本完成), share of the change (28 − 30)/(31 − 30) = −2, distance to the
  target 1 → 3: moved away, so 未完成 on every basis.
* ``at_most_worsened``: at most, 4.0 → 4.8 against ≤ 4.5. Met at baseline (no change required, the share is
  undefined), level ratio 4.5/4.8 = 0.9375, distance 0 → 0.3: moved away, 未完成 on every basis.
* ``at_least_short``: at least, 28 → 30 against ≥ 31 — moving toward the target. Level ratio 30/31 = 0.9677
  (基本完成 by the level), share (30 − 28)/(31 − 28) = 2/3 (未完成 by the change, the default).
* ``at_most_nearly``: at most, 5.0 → 4.55 against ≤ 4.5. Level ratio 4.5/4.55 = 0.98901, share
  (4.55 − 5)/(4.5 − 5) = 0.9 — on the 基本完成 boundary by either convention.

Status is recorded as a number: 2 完成, 1 基本完成, 0 未完成.
"""
from __future__ import annotations

import math

import pandas as pd

__all__ = ["CASES", "records"]

#: (case, target_type, baseline, actual, target, hand values: completion, gap_closed, status by basis)
CASES = (
    ("at_least_fell", "at_least", 30.0, 28.0, 31.0, 28 / 31, -2.0, {"auto": 0, "change": 0, "level": 0}),
    ("at_most_worsened", "at_most", 4.0, 4.8, 4.5, 4.5 / 4.8, None, {"auto": 0, "change": 0, "level": 0}),
    ("at_least_short", "at_least", 28.0, 30.0, 31.0, 30 / 31, 2 / 3, {"auto": 0, "change": 0, "level": 1}),
    ("at_most_nearly", "at_most", 5.0, 4.55, 4.5, 4.5 / 4.55, 0.9, {"auto": 1, "change": 1, "level": 1}),
)
_RANK = {"完成": 2, "基本完成": 1, "未完成": 0}


def _assess(target_type: str, baseline: float, actual: float, target: float, basis: str) -> pd.Series:
    from evalkit.targets import assess

    panel = pd.DataFrame({"region": "210000", "year": [2015, 2020], "indicator": "x", "value": [baseline, actual]})
    targets = pd.DataFrame([{"indicator": "x", "region": "*", "baseline_year": 2015, "target_year": 2020,
                             "target": target, "target_type": target_type}])
    return assess(panel, targets, region="210000", national=None, basis=basis).iloc[0]


def records() -> list[dict]:
    """The level ratio, the share of the change and the status on each basis, beside the hand calculation."""
    out = []
    for case, kind, b, a, x, completion, share, status in CASES:
        name = f"targets_direction_{case}"
        rows = {basis: _assess(kind, b, a, x, basis) for basis in status}
        auto = rows["auto"]
        out.append({"case": name, "quantity": "completion (actual/target)", "value": float(auto["completion"]),
                    "reference": completion, "tolerance": 1e-12})
        gap = float(auto["gap_closed"])
        out.append({"case": name, "quantity": "share of the required change",
                    "value": None if math.isnan(gap) else gap, "reference": share,
                    "tolerance": None if share is None else 1e-12})
        for basis, expected in status.items():
            out.append({"case": name, "quantity": f"status on basis={basis} (2 met, 1 nearly met, 0 not met)",
                        "value": float(_RANK[rows[basis]["status"]]), "reference": float(expected), "tolerance": 0})
    return out
