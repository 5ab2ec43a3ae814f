"""Callaway & Sant'Anna on mpdta vs R ``did`` 2.5.0 (analytic SEs), and TWFE vs pyfixest/statsmodels.

Reference values: ``ref_attgt.csv`` / ``ref_aggte.csv`` (R ``did`` 2.5.0 output, ``d2cml-ai/csdid``
``csdid/test_csdid/r_ref/`` @ca91c1fe), the README pre-test (W = 7.79124, p = 0.16812), the did-basics
vignette's ``balance_e = 1`` estimate (−0.0288) and the TWFE runs in methods_reference.md §3C. Every
ATT(g,t), SE and aggregate is compared at 1e-6.
"""
import pytest

from evalkit.errors import ReferenceDataMissing

pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def records():
    from evalkit.reproduce import mpdta

    try:
        return mpdta.records()
    except ReferenceDataMissing as exc:
        pytest.skip(str(exc))


def test_every_fixture_scenario_is_covered(records):
    from evalkit.reproduce import mpdta

    _, ref_attgt, _ = mpdta.load()
    fixture_scenarios = {s for s in ref_attgt["scenario"].unique() if s.startswith("mpdta_")}
    assert fixture_scenarios == set(mpdta.SCENARIOS)
    for scenario in fixture_scenarios:
        cells = [r for r in records if r["case"] == scenario and r["quantity"].startswith("ATT[")]
        assert len(cells) == (ref_attgt["scenario"] == scenario).sum()


@pytest.mark.parametrize("case", ["mpdta_nev_dr", "mpdta_nev_ipw", "mpdta_nyt_dr", "mpdta_nev_reg_cov"])
def test_att_gt_and_aggregations_match_r_did(records, case):
    rows = [r for r in records if r["case"] == case]
    assert len(rows) >= 24 + 8
    for r in rows:
        assert r["value"] == pytest.approx(r["reference"], abs=r["tolerance"]), r["quantity"]


def test_pretest_and_balanced_event_study(records):
    rows = {r["quantity"]: r for r in records if r["case"] == "mpdta_nev_dr"}
    assert rows["pretest.W"]["value"] == pytest.approx(7.79124, abs=5e-6)
    assert rows["pretest.p"]["value"] == pytest.approx(0.16812, abs=5e-6)
    assert rows["dynamic_balance1.overall_att"]["value"] == pytest.approx(-0.0288, abs=5e-5)


def test_twfe_both_small_sample_conventions(records):
    rows = {r["quantity"]: r for r in records if r["case"] == "mpdta_twfe"}
    assert rows["static.se_fixest"]["value"] == pytest.approx(0.013265, abs=5e-7)
    assert rows["static.se_statsmodels"]["value"] == pytest.approx(0.014832, abs=5e-7)
    for r in rows.values():
        assert r["value"] == pytest.approx(r["reference"], abs=r["tolerance"]), r["quantity"]
