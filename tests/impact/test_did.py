"""Unit tests for evalkit.impact.att_gt: exact recovery on noise-free designs, bootstrap, and the errors."""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from _data.impact import ROLES, staggered

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact import att_gt, cohort_from_treatment
from evalkit.impact.did import aggregate_estimator, fit_att_gt


@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("method", ["dr", "reg", "ipw"])
def test_recovers_known_effects_exactly_without_noise(control, method):
    res = att_gt(staggered(), **ROLES, control=control, est_method=method, n_boot=0)
    tab = res.table
    post = tab[tab["post"]]
    assert np.allclose(post["att"], 1.0 + 0.5 * post["event"], atol=1e-10)
    assert np.allclose(tab.loc[~tab["post"], "att"], 0.0, atol=1e-10)
    dyn = res.aggregate("dynamic").table.set_index("event")
    assert np.allclose(dyn.loc[[0, 1, 2, 3], "att"], [1.0, 1.5, 2.0, 2.5], atol=1e-10)
    # Dynamic overall = mean over e >= 0 of the event-time effects.
    assert res.aggregate("dynamic").att == pytest.approx(np.mean([1.0, 1.5, 2.0, 2.5]))


def test_group_aggregation_weights_cohorts_by_size():
    res = att_gt(staggered(effect=lambda e: 1.0), **ROLES, n_boot=0)
    group = res.aggregate("group")
    assert group.att == pytest.approx(1.0)
    assert list(group.table["group"]) == [2017, 2018, 2019]
    assert res.aggregate("simple").att == pytest.approx(1.0)
    assert res.aggregate("calendar").att == pytest.approx(1.0)


def test_universal_base_period_has_zero_reference_cells():
    res = att_gt(staggered(), **ROLES, base_period="universal", n_boot=0)
    ref = res.table[res.table["event"] == -1]
    assert (ref["att"] == 0).all() and ref["se"].isna().all()
    assert np.allclose(res.table.loc[res.table["post"], "att"], 1 + 0.5 * res.table.loc[res.table["post"], "event"])


def test_bootstrap_is_reproducible_and_the_uniform_band_is_wider_than_pointwise():
    df = staggered(noise=0.3, cohorts=(2017,) * 4 + (2018,) * 4 + (0,) * 12)
    a = att_gt(df, **ROLES, n_boot=499, seed=7)
    b = att_gt(df, **ROLES, n_boot=499, seed=7)
    assert a.table.equals(b.table)
    assert a.crit > 1.96
    assert np.allclose(a.table["hi"] - a.table["att"], a.crit * a.table["se_boot"])
    # Bootstrap SEs estimate the same quantity as the analytic ones.
    ratio = a.table["se_boot"] / a.table["se"]
    assert ratio.between(0.6, 1.5).all()
    assert a.pretest is not None and 0 <= a.pretest.p_value <= 1


def test_covariates_are_used_and_tiny_cohorts_are_flagged():
    df = staggered(noise=0.1)
    df["x"] = df["unit"].str[1:].astype(int) % 3
    res = att_gt(df, **ROLES, est_method="dr", covariates=["x"], n_boot=0, lang="en")
    assert res.settings["covariates"] == ["x"]
    assert any("only 1–2 units" in n for n in res.notes)
    zh = att_gt(df, **ROLES, est_method="dr", covariates=["x"], n_boot=0)
    assert any("只有 1–2 个单位" in n for n in zh.notes) and not any("units" in n for n in zh.notes)


@pytest.mark.parametrize("spec", [
    dict(control="notyet", est_method="dr"),
    dict(control="never", est_method="ipw", covariates=["x"], base_period="universal"),
    dict(control="never", est_method="reg", covariates=["x"], anticipation=1),
])
def test_aggregate_estimator_equals_the_full_fit_bit_for_bit(spec):
    """Randomisation inference's fast statistic is the full fit's aggregate, re-used cells included."""
    df = staggered(noise=0.4, seed=5, cohorts=(2017,) * 3 + (2018,) * 3 + (2019,) * 2 + (0,) * 12)
    df["x"] = np.random.default_rng(4).normal(size=len(df))
    main = att_gt(df, **ROLES, **spec, n_boot=0)
    rng = np.random.default_rng(0)
    # repeated assignments: the second time every cell comes from the memo
    assignments = [main.panel.cohort] + [rng.permutation(main.panel.cohort) for _ in range(5)]
    assignments += assignments[1:3]
    # other cohort labels (not a re-assignment) re-plan the cells instead of re-using the first plan
    assignments.append(np.where(main.panel.cohort == 2019, 2018.0, main.panel.cohort))
    for kind in ("simple", "group", "dynamic", "calendar"):
        estimate = aggregate_estimator(main.panel, main.settings, kind)
        for cohort in assignments:
            full = fit_att_gt(replace(main.panel, cohort=cohort), main.settings).aggregate(kind).att
            assert estimate(cohort) == full  # exactly: the same arithmetic, not only the same value
    with pytest.raises(DataShapeError, match="no treated units"):
        estimate(np.zeros_like(main.panel.cohort))


def test_late_cohort_becomes_never_treated_with_a_note():
    df = staggered(cohorts=(2017, 2017, 2025, 0, 0))
    res = att_gt(df, **ROLES, n_boot=0, lang="en")
    assert res.cohort_sizes[0] == 3
    assert any("after the last period" in n for n in res.notes)


def test_unbalanced_panel_is_an_error():
    df = staggered().iloc[1:]
    with pytest.raises(DataShapeError, match="unbalanced"):
        att_gt(df, **ROLES)


def test_duplicate_rows_are_an_error():
    df = staggered()
    with pytest.raises(DataShapeError, match="more than one row"):
        att_gt(pd.concat([df, df.iloc[:1]]), **ROLES)


def test_cohort_changing_within_unit_is_non_absorbing():
    df = staggered()
    df.loc[df.index[0], "cohort"] = 2019
    with pytest.raises(DataShapeError, match="absorbing"):
        att_gt(df, **ROLES)


def test_units_treated_from_the_first_period_are_an_error():
    with pytest.raises(DataShapeError, match="never observed before treatment"):
        att_gt(staggered(cohorts=(2015, 2017, 0, 0)), **ROLES)


def test_no_never_treated_with_control_never():
    with pytest.raises(DataShapeError, match="never-treated"):
        att_gt(staggered(cohorts=(2017, 2018, 2019)), **ROLES, control="never")


def test_cohort_without_comparison_units():
    with pytest.raises(DataShapeError, match="no comparison units"):
        att_gt(staggered(cohorts=(2017, 2018, 2019)), **ROLES, control="notyet")


def test_bad_options_list_the_choices():
    with pytest.raises(ParameterError, match="'dr', 'reg', 'ipw'"):
        att_gt(staggered(), **ROLES, est_method="ols")
    with pytest.raises(ParameterError, match="not a column"):
        att_gt(staggered(), unit="unit", time="year", cohort="first", outcome="y")
    with pytest.raises(ParameterError):
        att_gt(staggered(), **ROLES, n_boot=0).aggregate("overall")


def test_cohort_from_treatment_and_non_absorbing_error():
    df = staggered()
    df["d"] = ((df["cohort"] > 0) & (df["year"] >= df["cohort"])).astype(int)
    derived = cohort_from_treatment(df, unit="unit", time="year", treatment="d")
    assert derived.to_dict() == df.groupby("unit")["cohort"].first().astype(float).to_dict()
    df.loc[(df["unit"] == "u0") & (df["year"] == 2019), "d"] = 0
    with pytest.raises(DataShapeError, match="not absorbing"):
        cohort_from_treatment(df, unit="unit", time="year", treatment="d")


def test_display_is_escaped_and_in_the_result_language():
    df = staggered(cohorts=(2017, 2017, 2025, 0, 0))
    df["unit"] = df["unit"].replace({"u2": "<script>x</script>"})
    en = att_gt(df, **ROLES, n_boot=0, lang="en")
    html = en._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html  # the late-cohort note names the unit
    assert "Group-time ATT" in html and "after start" in html and "effect" in html
    zh = att_gt(df, **ROLES, n_boot=0)._repr_html_()
    assert "分组–时期" in zh and "效果估计" in zh and "试点后" in zh and "Group-time" not in zh
    table = att_gt(df, **ROLES, n_boot=0).labelled_table()
    assert list(table.columns[:5]) == ["批次年份", "年份", "试点后年数", "试点后", "效果估计"]
    assert set(table["试点后"]) == {"是", "否"}
    assert "Overall ATT" in en.aggregate("group")._repr_html_()


def test_numeric_arguments_are_checked_once_for_every_estimator():
    from evalkit.impact import its, twfe

    df = staggered()
    for bad in (0, 1, 1.5, "0.05", True):
        with pytest.raises(ParameterError, match="alpha="):
            att_gt(df, **ROLES, alpha=bad)
    with pytest.raises(ParameterError, match="alpha="):
        twfe(df, **ROLES, alpha=0)
    with pytest.raises(ParameterError, match="alpha="):
        its(df[df["unit"] == "u0"], time="year", outcome="y", start=2018, alpha=2)
    with pytest.raises(ParameterError, match=r"n_boot=-1.*0 = no bootstrap"):
        att_gt(df, **ROLES, n_boot=-1)
    with pytest.raises(ParameterError, match=r"anticipation=0\.5"):
        att_gt(df, **ROLES, anticipation=0.5)
