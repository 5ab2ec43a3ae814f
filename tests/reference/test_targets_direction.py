"""evalkit.targets against hand calculations of the direction-of-travel rule (issue 15, finding 1).

The references are the hand calculations written out in :mod:`evalkit.reproduce.targets_direction`.
"""
from __future__ import annotations

import pytest

from evalkit.reproduce import targets_direction


def test_every_quantity_matches_the_hand_calculation():
    recs = targets_direction.records()
    assert len(recs) == 4 * 5                               # 4 cases × (level, share, 3 bases)
    for r in recs:
        if r["reference"] is None:
            assert r["value"] is None, r                    # the share is undefined where no change was required
        else:
            assert r["value"] == pytest.approx(r["reference"], abs=r["tolerance"]), r


def test_an_indicator_that_moved_away_is_never_nearly_met():
    recs = {(r["case"], r["quantity"]): r["value"] for r in targets_direction.records()}
    for case in ("targets_direction_at_least_fell", "targets_direction_at_most_worsened"):
        for basis in ("auto", "change", "level"):
            assert recs[(case, f"status on basis={basis} (2 met, 1 nearly met, 0 not met)")] == 0
    # while its level ratio alone would have read 基本完成 (≥ 0.90): 28/31 and 4.5/4.8
    assert recs[("targets_direction_at_least_fell", "completion (actual/target)")] == pytest.approx(0.903226, abs=1e-6)
    assert recs[("targets_direction_at_most_worsened", "completion (actual/target)")] == pytest.approx(0.9375)
