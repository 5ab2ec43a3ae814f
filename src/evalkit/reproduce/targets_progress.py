"""Reference checks of :mod:`evalkit.targets` (progress to target).

No public dataset with published Eurostat progress ratios could be retrieved (see
``shared/research/methods_reference.md`` §2), so the check is the analytic example given there:
an indicator growing 100 → 121 over 2015–2017 (CAGR 10 %) against a target of 133.1 in 2018
(required CAGR 10 %) has a progress ratio of exactly 1, "significant progress".

A second case applies the method to real published figures — the national elderly-care beds per
1,000 older people, 30.3 in 2015 and 31.1 in 2020 (``data/reference/national_series.csv``), against
the 13th-plan range 35–40 — and reports evalkit's values without a published reference.
"""
from __future__ import annotations

import pandas as pd

__all__ = ["records"]


def _example() -> pd.Series:
    from evalkit.targets import assess

    panel = pd.DataFrame({"region": "210000", "year": [2015, 2016, 2017], "indicator": "x",
                          "value": [100.0, 110.0, 121.0]})
    targets = pd.DataFrame([{"indicator": "x", "region": "*", "baseline_year": 2015, "target_year": 2018,
                             "target": 133.1, "target_type": "at_least"}])
    return assess(panel, targets, region="210000", end_year=2017, national=None).iloc[0]


def _national_beds() -> pd.Series:
    from evalkit.io import read_reference
    from evalkit.targets import assess

    national = read_reference("national_series")
    targets = read_reference("targets")
    meta = read_reference("indicators")
    result = assess(national, targets, region="000000", plan="13th", meta=meta,
                    indicators=["beds_per_1000_elderly"], national=None)
    return result.iloc[0]


def records() -> list[dict]:
    """The analytic example's growth rates and ratio beside their references, and the national beds case."""
    example = _example()
    beds = _national_beds()
    case = "targets_progress_example"
    out = [
        # methods_reference.md §2 "Reference check": CAGR 10 %, required 10 %, ratio 1.00
        {"case": case, "quantity": "cagr_actual", "value": float(example["cagr_actual"]), "reference": 0.10},
        {"case": case, "quantity": "cagr_required", "value": float(example["cagr_required"]), "reference": 0.10},
        {"case": case, "quantity": "progress_ratio", "value": float(example["progress_ratio"]), "reference": 1.0},
    ]
    case = "targets_national_beds_2020"
    out += [{"case": case, "quantity": q, "value": float(beds[q]), "reference": None}
            for q in ("baseline", "actual", "completion", "cagr_actual", "cagr_required", "progress_ratio")]
    return out
