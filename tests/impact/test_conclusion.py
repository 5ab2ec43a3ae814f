"""The plain-language verdict (one estimand per sentence, level rule) and the estimator comparison table."""
import re

import pytest
from _data.impact import PILOTS, REGIONS, ROLES, pilot_panel, staggered

from evalkit.errors import ParameterError
from evalkit.impact import att_gt, comparison_table, conclude, did_sample, pilot_cohorts, randomization_inference, twfe
from evalkit.impact.inference import RandomizationResult, WildBootstrapResult

SAMPLE_ROLES = dict(unit="region", time="year", cohort="cohort", outcome="value")


def _wild(p, coef=1.0):
    return WildBootstrapResult(term="post", coef=coef, t_stat=3.0, p_value=p, p_analytic=0.01, n_boot=999,
                               weights="webb", n_clusters=14, enumerated=False, ci_lo=0.5, ci_hi=1.5)


def _ri(p, kind="group", statistic="att", estimate=1.0):
    return RandomizationResult(statistic=statistic, estimate=estimate, p_value=p, n_assignments=20, exact=True,
                               distribution=None, kind=kind)


def _fit(effect=1.0):
    cohorts = pilot_cohorts(PILOTS, REGIONS, programme="p", unknown="never")
    sample = did_sample(pilot_panel(effect=effect), cohorts, indicator="x", control="never")
    return sample, att_gt(sample.data, **SAMPLE_ROLES, n_boot=0)


@pytest.mark.parametrize("ri_p, level", [(0.01, "clear"), (0.07, "suggestive"), (0.40, "inconclusive")])
def test_levels_follow_the_test_of_the_cs_effect(ri_p, level):
    _, res = _fit()
    c_en = conclude(res, outcome="beds", unit="per 1,000", randomization=_ri(ri_p), lang="en")
    c_zh = conclude(res, outcome="床位", unit="张", randomization=_ri(ri_p), lang="zh")
    assert c_en.level == c_zh.level == level
    assert "raised" in c_en.text and "提高" in c_zh.text and f"p = {ri_p:.2f}" in c_en.text
    assert "only 2 pilot cities and at most 3 post-pilot years" in c_en.text


def test_twfe_tests_alone_make_the_verdict_at_most_suggestive():
    _, res = _fit()
    assert conclude(res, outcome="x", wild=_wild(0.001), lang="en").level == "suggestive"
    assert conclude(res, outcome="x", wild=_wild(0.001, coef=-1.0), lang="en").level == "inconclusive"
    assert conclude(res, outcome="x", wild=_wild(0.30), lang="en").level == "inconclusive"
    # A test of another aggregate is not a test of the headline effect.
    assert conclude(res, outcome="x", randomization=_ri(0.01, kind="simple"), lang="en").level == "inconclusive"


def test_one_estimand_per_sentence():
    _, res = _fit()
    c = conclude(res, outcome="x", randomization=_ri(0.01), wild=_wild(0.03), lang="en")
    sentences = re.split(r"(?<=\.) ", c.text)
    for sentence in sentences:
        names_twfe = "TWFE" in sentence
        names_cs = "Callaway" in sentence or "this effect" in sentence
        assert not (names_twfe and names_cs), sentence
    twfe_sentence = next(s for s in sentences if "TWFE" in s)
    assert "p = 0.03" in twfe_sentence and "0.50 to 1.50" in twfe_sentence
    cs_sentence = next(s for s in sentences if "Randomisation inference on this effect" in s)
    assert "p = 0.01" in cs_sentence
    zh = conclude(res, outcome="x", randomization=_ri(0.01), wild=_wild(0.03), lang="zh").text
    for sentence in zh.split("。"):
        assert not ("TWFE" in sentence and "Callaway" in sentence), sentence


def test_without_few_cluster_tests_is_inconclusive_and_flags_illustrative_data():
    sample, res = _fit()
    c = conclude(res, outcome="x", illustrative=True, lang="en")
    assert c.level == "inconclusive" and "illustrative" in c.text and "no test suited to few cities" in c.text
    ri = randomization_inference(sample.data, **SAMPLE_ROLES, statistic="twfe", n_perm=999)
    assert ri.exact and ri.n_assignments == 20
    with pytest.raises(ParameterError):
        conclude(res, outcome="x", lang="fr")
    html = c._repr_html_()
    assert "Conclusion: inconclusive" in html and "#9E9E9E" in html


def test_comparison_table_puts_cs_beside_twfe():
    sample, _ = _fit()
    res = att_gt(sample.data, **SAMPLE_ROLES, n_boot=0)
    sample2, res2 = _fit(effect=2.0)
    tab = comparison_table(res2, twfe(sample2.data, **SAMPLE_ROLES), lang="en")
    assert list(tab["estimator"]) == ["CS simple", "CS by cohort (recommended)", "CS by event time", "TWFE static"]
    assert tab["estimate"].to_numpy() == pytest.approx([2.0] * 4)
    assert comparison_table(res, twfe(sample.data, **SAMPLE_ROLES), lang="zh").columns[0] == "估计方法"


def test_significant_but_failed_pretest_is_only_suggestive():
    frame = staggered(noise=0.05, cohorts=(2017,) * 3 + (2018,) * 3 + (0,) * 6)
    late = frame["cohort"] == 2018
    frame.loc[late, "y"] += 0.5 * (frame.loc[late, "year"] - 2015)  # a pre-existing trend in the 2018 batch
    res = att_gt(frame, **ROLES, n_boot=0)
    assert res.pretest.p_value < 0.10
    c = conclude(res, outcome="x", randomization=_ri(0.01), lang="en")
    assert c.level == "suggestive" and "pre-existing trend" in c.text
