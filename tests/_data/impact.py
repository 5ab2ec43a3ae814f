"""Generated (illustrative) data for the impact tests: staggered panels, pilot tables, donor pools, series.

Every generator is deterministic (seeded) and builds data with a known effect, so a test can compare an
estimate with the truth it was built from.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PILOTS", "REGIONS", "ROLES", "donor_panel", "pilot_panel", "series", "staggered"]

#: column roles of :func:`staggered`
ROLES = dict(unit="unit", time="year", cohort="cohort", outcome="y")


def staggered(effect=lambda e: 1.0 + 0.5 * e, noise=0.0, seed=0,
              cohorts=(2017, 2017, 2018, 2018, 2019, 0, 0, 0, 0), years=range(2015, 2021)):
    """Unit and year effects plus a known effect by event time e = year − cohort (parallel trends hold)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, g in enumerate(cohorts):
        alpha = rng.normal()
        for t in years:
            tau = effect(t - g) if g and t >= g else 0.0
            rows.append((f"u{i}", t, g, alpha + 0.3 * (t - 2015) + tau + noise * rng.normal()))
    return pd.DataFrame(rows, columns=["unit", "year", "cohort", "y"])


#: a region table with five cities and a pilot list: A (2017), B (2018), C (listed, year unknown)
REGIONS = pd.DataFrame({"code": ["210000", "A", "B", "C", "D", "E"], "level": ["province"] + ["city"] * 5,
                        "name_zh": ["辽宁省", "甲", "乙", "丙", "丁", "戊"],
                        "name_en": ["LN", "a", "b", "c", "d", "e"]})
PILOTS = pd.DataFrame({"region": ["A", "B", "C"], "programme": "p", "year": ["2017", "2018", "unknown"]})


def pilot_panel(effect=1.0):
    """A long panel of indicator ``x`` for the five cities of :data:`REGIONS`, effect from A's and B's years."""
    cohort = {"A": 2017, "B": 2018}
    rows = []
    for i, r in enumerate("ABCDE"):
        for t in range(2015, 2020):
            rows.append((r, t, "x", i + 0.2 * t + (effect if r in cohort and t >= cohort[r] else 0.0), "illustrative"))
    return pd.DataFrame(rows, columns=["region", "year", "indicator", "value", "status"])


def donor_panel(seed=0):
    """Six random-walk donors; the treated unit T = 0.6·d1 + 0.4·d4 + 3 from 2010."""
    rng = np.random.default_rng(seed)
    years = np.arange(2000, 2016)
    donors = {f"d{j}": 10 + j + rng.normal(size=len(years)).cumsum() * 0.5 for j in range(6)}
    treated = 0.6 * donors["d1"] + 0.4 * donors["d4"] + np.where(years >= 2010, 3.0, 0.0)
    rows = [(u, y, v) for u, s in {**donors, "T": treated}.items() for y, v in zip(years, s)]
    return pd.DataFrame(rows, columns=["unit", "year", "y"])


def series(n=48, start=25, level=-5.0, slope=0.5, noise=0.0, seed=0):
    """A monthly series with trend, a 12-month cycle and a known level and slope change at *start*."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, n + 1)
    post = t >= start
    y = 100 + 0.8 * t + level * post + slope * (t - start) * post + 3 * np.sin(2 * np.pi * t / 12)
    return pd.DataFrame({"time": t, "month": (t - 1) % 12 + 1, "y": y + noise * rng.normal(size=n)})
