"""Pilot cohorts with unknown status and the DiD sample built from them."""
import pandas as pd
import pytest
from _data.impact import PILOTS, REGIONS, pilot_panel

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact import att_gt, did_sample, pilot_cohorts


def test_unknown_status_exclude_or_never():
    ex = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="exclude").set_index("region")
    assert ex.loc["C", "pilot_status"] == "listed_year_unknown" and not ex.loc["C", "included"]
    assert ex.loc["D", "pilot_status"] == "not_listed" and pd.isna(ex.loc["D", "cohort"])
    nv = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="never").set_index("region")
    assert nv["included"].all() and nv.loc[["C", "D", "E"], "cohort"].eq(0).all()
    assert nv.loc["A", "cohort"] == 2017
    with pytest.raises(ParameterError, match="'exclude', 'never'"):
        pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="guess")
    with pytest.raises(ParameterError, match="programme"):
        pilot_cohorts(PILOTS, REGIONS, programme="q")


def test_did_sample_without_never_treated_uses_last_cohort_as_comparison():
    cohorts = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="exclude")
    sample = did_sample(pilot_panel(), cohorts, indicator="x", control="notyet")
    assert sample.data["year"].max() == 2017 and (sample.data["cohort"] == 0).sum() == 3
    assert any("2018" in n for n in sample.notes("en")) and any("2018" in n for n in sample.notes("zh"))
    assert any("丙、丁、戊" in n for n in sample.notes("zh")) and any("c, d, e" in n for n in sample.notes("en"))
    assert sample.illustrative
    with pytest.raises(DataShapeError, match="control='notyet'"):
        did_sample(pilot_panel(), cohorts, indicator="x", control="never")
    with pytest.raises(ParameterError, match="lang"):
        sample.notes("fr")


def test_did_sample_feeds_att_gt():
    cohorts = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="never")
    sample = did_sample(pilot_panel(), cohorts, indicator="x", control="never")
    res = att_gt(sample.data, unit="region", time="year", cohort="cohort", outcome="value", n_boot=0)
    assert res.aggregate("group").att == pytest.approx(1.0)
    assert any("early-batch" in n for n in sample.notes("en"))
    assert any("较早批次" in n for n in sample.notes("zh"))


def test_county_pilots_and_units_without_pilots():
    counties = pd.DataFrame({"code": ["210102", "210103", "210104"], "level": "county",
                             "name_zh": ["和平区", "沈河区", "大东区"], "name_en": ["Heping", "Shenhe", "Dadong"]})
    pilots = pd.DataFrame({"region": ["210103"], "programme": "p", "year": ["2018"]})
    out = pilot_cohorts(pilots, counties, programme="p", unknown="never", level="county").set_index("region")
    assert list(out.index) == ["210102", "210103", "210104"]
    assert out.loc["210103", "cohort"] == 2018 and out.loc[["210102", "210104"], "cohort"].eq(0).all()
    # the city-level rows of REGIONS hold none of these county pilots: a clear error, not an empty sample
    with pytest.raises(ParameterError, match=r"no city-level unit of the 5 given is listed.*210103"):
        pilot_cohorts(pilots, REGIONS, programme="p")
    with pytest.raises(ParameterError, match="level"):
        pilot_cohorts(pilots, counties, programme="p", level="district")
