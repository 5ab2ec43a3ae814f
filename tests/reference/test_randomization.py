"""Randomisation inference tests the main specification: checked by brute force through the public att_gt.

The hand calculation re-assigns the cohort column of the data frame itself (every distinct arrangement)
and refits :func:`evalkit.impact.att_gt` with the main call's covariates, anticipation, base period,
comparison group and estimator; the randomisation distribution must be exactly these estimates, and its
value on the observed assignment the main statistic.
"""
import itertools

import numpy as np
import pytest
from _data.impact import ROLES, staggered

from evalkit.impact import att_gt, randomization_inference

pytestmark = pytest.mark.reference

SPEC = dict(control="never", est_method="reg", anticipation=1, base_period="universal")


def _panel():
    df = staggered(noise=0.3, seed=11, cohorts=(2017, 2018, 0, 0, 0, 0, 0))
    df["x"] = (df["unit"].str[1:].astype(int) % 3) + 0.1 * (df["year"] - 2015)
    return df


def test_randomization_uses_the_main_specification():
    df = _panel()
    main = att_gt(df, **ROLES, covariates=["x"], **SPEC, n_boot=0)
    ri = randomization_inference(main, kind="group", n_perm=999)
    assert ri.exact and ri.n_assignments == 42  # 7!/(1!·1!·5!)
    # On the observed assignment the test statistic is the main estimate.
    assert ri.estimate == pytest.approx(main.aggregate("group").att, abs=1e-12)
    assert ri.settings["covariates"] == ["x"] and ri.settings["anticipation"] == 1
    assert ri.settings["base_period"] == "universal"
    # Brute force: permute the cohort column and refit the same specification from the data frame.
    units = sorted(df["unit"].unique())
    cohorts = df.groupby("unit")["cohort"].first().reindex(units).to_numpy()
    by_hand = []
    for perm in sorted(set(itertools.permutations(cohorts))):
        frame = df.assign(cohort=df["unit"].map(dict(zip(units, perm))))
        by_hand.append(att_gt(frame, **ROLES, covariates=["x"], **SPEC, n_boot=0).aggregate("group").att)
    assert np.sort(ri.distribution) == pytest.approx(np.sort(by_hand), abs=1e-10)
    observed = main.aggregate("group").att
    assert ri.p_value == pytest.approx(np.mean(np.abs(by_hand) >= abs(observed) - 1e-12))
    # The data-frame form with the same specification gives the same test.
    again = randomization_inference(df, **ROLES, kind="group", covariates=["x"], **SPEC, n_perm=999)
    assert again.p_value == ri.p_value and again.estimate == pytest.approx(ri.estimate, abs=1e-12)
    # The old hard-coded specification (no covariates, no anticipation, varying base) is a different statistic.
    plain = randomization_inference(df, **ROLES, kind="group", n_perm=999)
    assert plain.estimate != pytest.approx(ri.estimate, abs=1e-6)
