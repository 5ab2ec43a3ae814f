"""evalkit.targets against the analytic example of methods_reference.md §2 and a real national series."""
from __future__ import annotations

import pytest

from evalkit.reproduce import targets_progress


def test_records_reproduce_the_analytic_example():
    recs = {(r["case"], r["quantity"]): r for r in targets_progress.records()}
    for q in ("cagr_actual", "cagr_required", "progress_ratio"):
        r = recs[("targets_progress_example", q)]
        assert r["value"] == pytest.approx(r["reference"], abs=1e-12)


def test_national_beds_per_1000_elderly():
    # 2015 30.3 and 2020 31.1 beds (national_series.csv, 民政/老龄公报) against the 35–40 range:
    recs = {r["quantity"]: r["value"] for r in targets_progress.records() if r["case"] == "targets_national_beds_2020"}
    assert recs["baseline"] == 30.3 and recs["actual"] == 31.1
    assert recs["completion"] == pytest.approx(31.1 / 35)                          # 0.8886 → 未完成
    assert recs["cagr_actual"] == pytest.approx((31.1 / 30.3) ** (1 / 5) - 1)      # 0.52 % a year
    assert recs["cagr_required"] == pytest.approx((35 / 30.3) ** (1 / 5) - 1)      # 2.93 % a year
    assert recs["progress_ratio"] == pytest.approx(
        ((31.1 / 30.3) ** (1 / 5) - 1) / ((35 / 30.3) ** (1 / 5) - 1))             # 0.1786 → insufficient
