"""Tests of evalkit.targets.peers: the national comparison and the ranking among peer cities.

Every expected value is worked out by hand from the formulas in :func:`evalkit.targets.assess`; the
arithmetic is written next to it (as a comment, or as a Python expression of the literal inputs).
"""
from __future__ import annotations

import math

import pandas as pd
import pytest
from _data.targets import R, meta_of, one, panel_of, targets_of, trow

from evalkit import targets as T
from evalkit.errors import ParameterError


def test_national_level_and_growth_gaps():
    # region 100 → 121 (CAGR 10 %), nation 200 → 220.5 (= 200·1.05², CAGR 5 %) over 2015–2017.
    panel = pd.concat([panel_of({"x": {2015: 100.0, 2017: 121.0}}),
                       panel_of({"x": {2015: 200.0, 2017: 220.5}}, region=T.NATION)])
    comp = T.compare_national(panel, region=R, start_year=2015, end_year=2017).iloc[0]
    assert comp["level_gap"] == pytest.approx(-99.5)        # 121 − 220.5
    assert comp["level_ratio"] == pytest.approx(121 / 220.5)
    assert comp["growth_gap"] == pytest.approx(0.05)        # 0.10 − 0.05
    r = one(panel, targets_of(trow("x", "at_least", 133.1, target_year=2018)), end_year=2017)
    assert r["national_actual"] == 220.5 and r["national_baseline"] == 200.0
    assert r["national_cagr"] == pytest.approx(0.05) and r["growth_gap"] == pytest.approx(0.05)
    separate = one(panel_of({"x": {2015: 100.0, 2017: 121.0}}),
                   targets_of(trow("x", "at_least", 133.1, target_year=2018)), end_year=2017,
                   national=panel_of({"x": {2015: 200.0, 2017: 220.5}}, region=T.NATION))
    assert separate["level_gap"] == pytest.approx(-99.5)
    skipped = one(panel, targets_of(trow("x", "at_least", 133.1, target_year=2018)), end_year=2017,
                  national=None)
    assert math.isnan(skipped["national_actual"])


def test_compare_peers_ranks_with_polarity():
    rows = []
    for code, (up, down) in {"210100": (20.0, 20.0), "210200": (10.0, 10.0), "210300": (20.0, 30.0),
                             "210400": (40.0, 40.0), "210000": (25.0, 25.0)}.items():
        for indicator, value in (("up", up), ("down", down)):
            rows.append({"region": code, "year": 2020, "indicator": indicator, "value": value, "source": "s",
                         "status": "illustrative"})
    panel = pd.DataFrame(rows)
    res = T.compare_peers(panel, region="210100", meta=meta_of(up=1, down=-1))
    t = res.table.set_index("indicator")
    # up: 40, 20, 20, 10 → the two 20s share rank 2 ("min"); percentile (4 − 2)/(4 − 1) = 2/3
    assert t.loc["up", "rank"] == 2 and t.loc["up", "n"] == 4
    assert t.loc["up", "percentile"] == pytest.approx(2 / 3)
    assert t.loc["up", "quartile"] == 2                     # 0.5 ≤ 2/3 < 0.75
    assert t.loc["up", "diff_reference"] == pytest.approx(-5.0)     # 20 − 25
    assert t.loc["up", "peer_median"] == pytest.approx(20.0)
    # down (lower is better): 10, 20, 30, 40 → 20 is second
    assert t.loc["down", "rank"] == 2
    assert res.positions["is_focus"].sum() == 2
    assert set(res.positions["region"]) == {"210100", "210200", "210300", "210400"}
    with pytest.raises(ParameterError, match="not among the peers"):
        T.compare_peers(panel, region="210100", peers=["210200", "210300"])


def test_peer_regions_keeps_prefectures_only():
    panel = pd.DataFrame({"region": ["210000", "210100", "210102", "211400", "220100"], "year": 2020,
                          "indicator": "x", "value": 1.0})
    assert T.peer_regions(panel) == ["210100", "211400"]


def test_peer_comparison_html_escapes_names_from_the_users_files():
    panel = pd.DataFrame({"region": ["210100", "210200"], "year": 2020, "indicator": "x", "value": [1.0, 2.0],
                          "source": "<script>s</script>", "status": "illustrative"})
    meta = meta_of(x=1).assign(name_zh="<img src=x onerror=alert(1)>")
    html = T.compare_peers(panel, region="210100", meta=meta)._repr_html_()
    assert "<img" not in html and "<script>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "210100" in html and "2020" in html


def test_peer_ranks_and_summary_are_pandas_rank_and_median():
    import numpy as np

    rng = np.random.default_rng(5)
    cities = [f"21{k:02d}00" for k in range(1, 15)]
    polarity = {"up": 1, "down": -1, "flat": 0, "none": None}
    rows = [{"region": c, "year": 2020, "indicator": i, "value": float(rng.integers(0, 4)), "source": "s",
             "status": "illustrative"}
            for i in polarity for c in rng.permutation(cities) if rng.uniform() < 0.9 or c == "210300"]
    panel = pd.DataFrame(rows)
    meta = meta_of(**{k: v for k, v in polarity.items() if v is not None}).assign(kind=None)
    meta = pd.concat([meta, meta.iloc[[0]].assign(code="none", polarity=None)], ignore_index=True)
    res = T.compare_peers(panel, region="210300", meta=meta)
    for code, pol in polarity.items():
        vals = panel[panel["indicator"] == code].set_index("region")["value"]
        ranks = vals.rank(ascending=(pol == -1), method="min")
        pos = res.positions[res.positions["indicator"] == code]
        assert pos["region"].tolist() == vals.index.tolist()   # panel order
        assert pos["rank"].tolist() == ranks.tolist()
        row = res.table.set_index("indicator").loc[code]
        assert row["rank"] == ranks["210300"] and row["n"] == len(vals)
        assert row["peer_median"] == vals.median() and row["peer_min"] == vals.min()
