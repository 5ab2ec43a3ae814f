"""Tests of evalkit.targets.assess_many: the same rows as one assess call per region.

The reference is the loop of :func:`evalkit.targets.assess` itself (a different code path: it prepares the
panel and selects the targets once per region), on a small panel that exercises every branch: a region with
its own target row overriding a ``*`` row, missing years, interpolation, a plan target without a series, a
national series, an indicator missing for one region, and an indicator code absent from the catalogue.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evalkit import io
from evalkit import targets as T
from evalkit.errors import ParameterError

REGIONS = ["210102", "210103", "210104", "210122", "000000"]


def _panel() -> pd.DataFrame:
    meta = io.read_reference("indicators")
    codes = list(meta.index[:6]) + ["not_in_catalogue"]
    rng = np.random.default_rng(3)
    rows = [{"region": r, "year": y, "indicator": c, "value": round(float(rng.uniform(1, 100)), 2),
             "source": f"src {r}", "status": "illustrative"}
            for r in REGIONS for c in codes for y in range(2014, 2021)]
    panel = pd.DataFrame(rows)
    drop = ((panel["region"] == "210103") & (panel["year"] == 2015)) | (
        (panel["region"] == "210104") & (panel["indicator"] == codes[1]))
    return panel[~drop].sample(frac=1.0, random_state=1).reset_index(drop=True)


def _targets() -> pd.DataFrame:
    meta = io.read_reference("indicators")
    a, b, c = meta.index[:3]
    return pd.DataFrame([
        {"plan": "13th", "indicator": a, "region": "*", "target_year": 2020, "target": 50, "target_type": "at_least"},
        {"plan": "13th", "indicator": b, "region": "*", "target_year": 2020, "target": 40, "target_type": "at_most"},
        {"plan": "13th", "indicator": None, "name_zh": "无序列指标", "region": "*", "target_year": 2020,
         "target": 5, "target_type": "at_least"},
        {"plan": "13th", "indicator": c, "region": "*", "target_type": "range", "target_low": 35, "target_high": 40,
         "target_year": 2020},
        {"plan": "13th", "indicator": a, "region": "210102", "baseline_year": 2015, "baseline": 20.0,
         "target_year": 2020, "target": 90, "target_type": "at_least"},
    ])


@pytest.mark.parametrize("options", [
    {"national": None},
    {},
    {"interpolate": True, "basis": "change"},
    {"national": None, "indicators": None, "plan": "13th", "start_year": 2014, "range_rule": "within"},
])
def test_assess_many_gives_the_rows_of_one_assess_per_region(options):
    panel, targets, meta = _panel(), _targets(), io.read_reference("indicators")
    regions = REGIONS[:4]
    many = T.assess_many(panel, targets, regions=regions, meta=meta, **options)
    loop = pd.concat([T.assess(panel, targets, region=r, meta=meta, **options) for r in regions],
                     ignore_index=True)
    assert len(many) > 4 * 6 and set(many["region"]) == set(regions)
    pd.testing.assert_frame_equal(many, loop)


@pytest.mark.parametrize("columns", [[], ["source", "status"]])
def test_assess_many_default_regions_skip_the_national_series(columns):
    panel, targets = _panel().drop(columns=columns), _targets()
    many = T.assess_many(panel, targets)
    assert list(dict.fromkeys(many["region"])) == sorted(REGIONS[:4])
    without_meta = pd.concat([T.assess(panel, targets, region=r) for r in sorted(REGIONS[:4])], ignore_index=True)
    pd.testing.assert_frame_equal(many, without_meta)


def test_assess_many_names_regions_without_rows():
    with pytest.raises(ParameterError, match="210105"):
        T.assess_many(_panel(), _targets(), regions=["210102", "210105"])
