"""Pilot cohorts with unknown status, the DiD sample, and the plain-language conclusion."""
import pandas as pd
import pytest

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact import att_gt, comparison_table, conclude, did_sample, pilot_cohorts, randomization_inference, twfe
from evalkit.impact.inference import WildBootstrapResult

REGIONS = pd.DataFrame({"code": ["210000", "A", "B", "C", "D", "E"], "level": ["province"] + ["city"] * 5,
                        "name_zh": ["辽宁省", "甲", "乙", "丙", "丁", "戊"], "name_en": ["LN", "a", "b", "c", "d", "e"]})
PILOTS = pd.DataFrame({"region": ["A", "B", "C"], "programme": "p", "year": ["2017", "2018", "unknown"]})


def panel(effect=1.0):
    cohort = {"A": 2017, "B": 2018}
    rows = []
    for i, r in enumerate("ABCDE"):
        for t in range(2015, 2020):
            rows.append((r, t, "x", i + 0.2 * t + (effect if r in cohort and t >= cohort[r] else 0.0), "illustrative"))
    return pd.DataFrame(rows, columns=["region", "year", "indicator", "value", "status"])


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
    sample = did_sample(panel(), cohorts, indicator="x", control="notyet")
    assert sample.data["year"].max() == 2017 and (sample.data["cohort"] == 0).sum() == 3
    assert any("2018" in n for n in sample.notes("en")) and any("2018" in n for n in sample.notes("zh"))
    assert sample.illustrative
    with pytest.raises(DataShapeError, match="control='notyet'"):
        did_sample(panel(), cohorts, indicator="x", control="never")


def test_did_sample_feeds_att_gt():
    cohorts = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="never")
    sample = did_sample(panel(), cohorts, indicator="x", control="never")
    res = att_gt(sample.data, unit="region", time="year", cohort="cohort", outcome="value", n_boot=0)
    assert res.aggregate("group").att == pytest.approx(1.0)
    assert any("early-batch" in n for n in sample.notes("en"))


def _wild(p):
    return WildBootstrapResult(term="post", coef=1.0, t_stat=3.0, p_value=p, p_analytic=0.01, n_boot=999,
                               weights="webb", n_clusters=14, enumerated=False)


@pytest.mark.parametrize("wild_p, level", [(0.01, "clear"), (0.07, "suggestive"), (0.40, "inconclusive")])
def test_conclusion_levels_follow_the_few_cluster_p_values(wild_p, level):
    cohorts = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="never")
    sample = did_sample(panel(effect=1.0), cohorts, indicator="x", control="never")
    res = att_gt(sample.data, unit="region", time="year", cohort="cohort", outcome="value", n_boot=0)
    c_en = conclude(res, outcome="beds", unit="per 1,000", wild=_wild(wild_p), lang="en")
    c_zh = conclude(res, outcome="床位", unit="张", wild=_wild(wild_p), lang="zh")
    assert c_en.level == c_zh.level == level
    assert "raised" in c_en.text and "提高" in c_zh.text and f"{wild_p:.2f}" in c_en.text
    assert "only 2 pilot cities and at most 3 post-pilot years" in c_en.text


def test_conclusion_without_few_cluster_tests_is_inconclusive_and_flags_illustrative_data():
    cohorts = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="never")
    sample = did_sample(panel(), cohorts, indicator="x", control="never")
    res = att_gt(sample.data, unit="region", time="year", cohort="cohort", outcome="value", n_boot=0)
    c = conclude(res, outcome="x", illustrative=True, lang="en")
    assert c.level == "inconclusive" and "illustrative" in c.text
    ri = randomization_inference(sample.data, unit="region", time="year", cohort="cohort", outcome="value",
                                 statistic="twfe", n_perm=999)
    assert ri.exact and ri.n_assignments == 20
    with pytest.raises(ParameterError):
        conclude(res, outcome="x", lang="fr")


def test_comparison_table_puts_cs_beside_twfe():
    cohorts = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="never")
    sample = did_sample(panel(effect=2.0), cohorts, indicator="x", control="never")
    roles = dict(unit="region", time="year", cohort="cohort", outcome="value")
    res = att_gt(sample.data, **roles, n_boot=0)
    tab = comparison_table(res, twfe(sample.data, **roles), lang="en")
    assert list(tab["estimator"]) == ["CS simple", "CS by cohort (recommended)", "CS by event time", "TWFE static"]
    assert tab["estimate"].to_numpy() == pytest.approx([2.0] * 4)
    assert list(comparison_table(res, twfe(sample.data, **roles), lang="zh").columns)[0] == "估计方法"


def test_significant_but_failed_pretest_is_only_suggestive():
    from test_impact_did import ROLES, staggered

    frame = staggered(noise=0.05, cohorts=(2017,) * 3 + (2018,) * 3 + (0,) * 6)
    late = frame["cohort"] == 2018
    frame.loc[late, "y"] += 0.5 * (frame.loc[late, "year"] - 2015)  # a pre-existing trend in the 2018 batch
    res = att_gt(frame, **ROLES, n_boot=0)
    assert res.pretest.p_value < 0.10
    c = conclude(res, outcome="x", wild=_wild(0.01), lang="en")
    assert c.level == "suggestive" and "pre-existing trend" in c.text
