"""A cohort with no period before its anticipation window is dropped with a note, as R ``did`` does.

R ``did``'s ``pre_process_did`` drops the units of cohorts g ≤ first period + anticipation with the warning
"Dropped N units that were already treated in the first period (accounting for anticipation = δ)"; its
Python port csdid 0.4.3 (bench extra) does the same. Independent implementation: csdid ``ATTgt`` on the same
illustrative panel — every ATT(g,t), its SE and the group aggregation must agree.
"""
import io
import warnings
from contextlib import redirect_stdout

import numpy as np
import pandas as pd
import pytest
from _data.impact import ROLES, staggered

from evalkit.impact import att_gt

pytestmark = pytest.mark.reference


def _panel():
    df = staggered(noise=0.3, seed=4, cohorts=(2016, 2016, 2018, 2018, 2019, 0, 0, 0, 0, 0))
    return df.assign(unit=df["unit"].str[1:].astype(int))  # csdid needs numeric ids


def test_no_pre_period_cohort_is_dropped_with_a_note_in_each_language():
    df = _panel()
    en = att_gt(df, **ROLES, anticipation=1, n_boot=0, lang="en")
    assert set(en.table["group"]) == {2018, 2019} and en.n_units == 8
    assert any("2016" in n and "dropped" in n and "anticipation=1" in n for n in en.notes)
    zh = att_gt(df, **ROLES, anticipation=1, n_boot=0)
    assert any("2016" in n and "剔除" in n for n in zh.notes)
    # By hand: the same fit as on the panel without the cohort's units.
    by_hand = att_gt(df[df["cohort"] != 2016], **ROLES, anticipation=1, n_boot=0)
    assert np.allclose(en.table[["att", "se"]], by_hand.table[["att", "se"]], rtol=0, atol=1e-13)


CSDID_MISSING = 'csdid (in the test extra) is the reference implementation: pip install -e ".[test]"'


@pytest.mark.parametrize("control, group", [("never", "nevertreated"), ("notyet", "notyettreated")])
def test_matches_csdid(control, group):
    csdid = pytest.importorskip("csdid.att_gt", reason=CSDID_MISSING)
    df = _panel()
    ours = att_gt(df, **ROLES, anticipation=1, n_boot=0, control=control, lang="en")
    with warnings.catch_warnings(record=True) as caught, redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        fit = csdid.ATTgt(yname="y", tname="year", idname="unit", gname="cohort", data=df, control_group=[group],
                          anticipation=1).fit(est_method="dr", bstrap=False)
        agg = fit.aggte(typec="group").atte
    assert any("Dropped 2 units" in str(w.message) for w in caught)
    theirs = pd.DataFrame({"group": fit.results["group"], "time": fit.results["year"], "att": fit.results["att"],
                           "se": fit.results["se"]})
    merged = ours.table.merge(theirs, on=["group", "time"], suffixes=("", "_csdid"), validate="one_to_one")
    assert len(merged) == len(ours.table) == len(theirs) == 10
    assert np.allclose(merged["att"], merged["att_csdid"], rtol=0, atol=1e-10)
    assert np.allclose(merged["se"], merged["se_csdid"], rtol=1e-8)
    group_agg = ours.aggregate("group")
    assert group_agg.att == pytest.approx(float(agg["overall_att"]), abs=1e-10)
    assert group_agg.se == pytest.approx(float(agg["overall_se"]), rel=1e-8)


def test_mpdta_with_anticipation_matches_csdid():
    pytest.importorskip("csdid.att_gt", reason=CSDID_MISSING)
    from evalkit.errors import ReferenceDataMissing
    from evalkit.reproduce import did_anticipation

    try:
        records = did_anticipation.records()
    except ReferenceDataMissing as exc:
        pytest.skip(str(exc))
    rows = {r["quantity"]: r for r in records}
    assert rows["units"]["value"] == 480 and rows["cells"]["value"] == 8  # the 20 counties of 2004 dropped
    for r in records:
        assert r["value"] == pytest.approx(r["reference"], abs=r["tolerance"]), r["quantity"]
