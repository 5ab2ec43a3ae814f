"""Few-cluster inference: wild cluster bootstrap and randomisation inference vs brute-force statsmodels versions."""
import itertools

import numpy as np
import pytest
import statsmodels.formula.api as smf
from _data.impact import ROLES, staggered

from evalkit.errors import ParameterError
from evalkit.impact import att_gt, randomization_inference, twfe, wild_cluster_bootstrap


def _cluster_t(df):
    fit = smf.ols("y ~ post + C(unit) + C(year)", data=df).fit(cov_type="cluster", cov_kwds={"groups": df["unit"]})
    return fit.params["post"] / fit.bse["post"]


def test_wild_bootstrap_enumeration_matches_brute_force_statsmodels():
    df = staggered(noise=0.4, seed=3, cohorts=(2017, 2018, 2019, 0, 0, 0))
    df["post"] = ((df["cohort"] > 0) & (df["year"] >= df["cohort"])).astype(float)
    res = twfe(df, **ROLES, ssc="statsmodels")
    ours = wild_cluster_bootstrap(res, weights="rademacher", n_boot=999)
    assert ours.enumerated and ours.n_boot == 2**6
    # Brute force: restricted fit (no post), every sign pattern, statsmodels refit with cluster SEs.
    restricted = smf.ols("y ~ C(unit) + C(year)", data=df).fit()
    units = sorted(df["unit"].unique())
    t_obs = _cluster_t(df)
    t_star = []
    for signs in itertools.product((-1.0, 1.0), repeat=len(units)):
        v = df["unit"].map(dict(zip(units, signs)))
        t_star.append(_cluster_t(df.assign(y=restricted.fittedvalues + v * restricted.resid)))
    # Ties (the ±1 patterns reproduce t exactly) do not count, as in wildboottest and fwildclusterboot.
    expected = np.mean(np.abs(t_star) > abs(t_obs) + 1e-9)
    assert ours.t_stat == pytest.approx(t_obs, rel=1e-9)
    assert ours.p_value == pytest.approx(expected, abs=1e-12)


def test_wild_bootstrap_webb_is_seeded_and_bounded():
    res = twfe(staggered(noise=0.5, seed=2), **ROLES)
    a = wild_cluster_bootstrap(res, n_boot=999, seed=1)
    b = wild_cluster_bootstrap(res, n_boot=999, seed=1)
    assert a.p_value == b.p_value and 0 <= a.p_value <= 1 and not a.enumerated
    with pytest.raises(ParameterError, match="term"):
        wild_cluster_bootstrap(res, term="e+0")


def test_randomization_inference_exact_matches_brute_force():
    df = staggered(noise=0.3, seed=5, cohorts=(2017, 2018, 0, 0, 0))
    ri = randomization_inference(df, **ROLES, statistic="twfe", n_perm=999)
    assert ri.exact and ri.n_assignments == 20  # 5!/(1!·1!·3!)
    units = sorted(df["unit"].unique())
    cohorts = df.groupby("unit")["cohort"].first().reindex(units).to_numpy()
    stats = []
    for perm in sorted(set(itertools.permutations(cohorts))):
        frame = df.assign(cohort=df["unit"].map(dict(zip(units, perm))))
        frame["post"] = ((frame["cohort"] > 0) & (frame["year"] >= frame["cohort"])).astype(float)
        stats.append(smf.ols("y ~ post + C(unit) + C(year)", data=frame).fit().params["post"])
    observed = twfe(df, **ROLES).coef("post")
    assert ri.estimate == pytest.approx(observed)
    assert sorted(ri.distribution) == pytest.approx(sorted(stats))
    assert ri.p_value == pytest.approx(np.mean(np.abs(stats) >= abs(observed) - 1e-12))


def test_randomization_inference_sampled_att():
    df = staggered(noise=0.2, cohorts=(2017, 2017, 2018, 2018, 0, 0, 0, 0, 0, 0))
    a = randomization_inference(df, **ROLES, n_perm=49, seed=3, kind="group")
    b = randomization_inference(df, **ROLES, n_perm=49, seed=3, kind="group")
    assert not a.exact and a.n_assignments == 49
    assert np.array_equal(a.distribution, b.distribution)
    # A large true effect is in the tail of the re-assignment distribution.
    assert a.p_value == pytest.approx(1 / 50)


def test_wild_bootstrap_interval_inverts_the_test():
    df = staggered(noise=0.4, seed=3, cohorts=(2017, 2018, 2019, 0, 0, 0, 0))
    res = twfe(df, **ROLES, lang="en")
    wb = wild_cluster_bootstrap(res, weights="rademacher", n_boot=99)
    assert wb.enumerated and wb.n_boot == 2**7  # G ≤ 16: every sign pattern, whatever n_boot
    lo, hi = wb.ci
    assert lo < wb.coef < hi
    step = 1e-6 * res.table["se"].iloc[0]
    assert wb.p_value_at(lo + step) > 0.05 >= wb.p_value_at(lo - step)
    assert wb.p_value_at(hi - step) > 0.05 >= wb.p_value_at(hi + step)
    assert wb.p_value_at(0.0) == wb.p_value
    assert "bootstrap confidence interval" in wb.summary_text()
    assert np.isnan(wild_cluster_bootstrap(res, weights="rademacher", n_boot=99, ci=False).ci_lo)


def test_randomization_inference_from_the_main_result_and_its_errors():
    df = staggered(noise=0.3, seed=5, cohorts=(2017, 2018, 0, 0, 0))
    main = att_gt(df, **ROLES, control="notyet", base_period="universal", n_boot=0, lang="en")
    ri = randomization_inference(main, kind="simple", n_perm=999)
    assert ri.exact and ri.estimate == pytest.approx(main.aggregate("simple").att)
    assert ri.settings["control"] == "notyet" and ri.lang == "en"
    assert "Callaway" in ri.summary_text()
    with pytest.raises(ParameterError, match="statistic='twfe'"):
        randomization_inference(main, statistic="twfe")
    with pytest.raises(ParameterError, match="column roles"):
        randomization_inference(df, unit="unit", time="year")
    with pytest.raises(ParameterError, match="n_perm"):
        randomization_inference(main, n_perm=5)
