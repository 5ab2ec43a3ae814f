"""Wild cluster bootstrap vs wildboottest 0.3.2 on a 12-county subset of mpdta (all 4,096 sign patterns).

Independent implementation: ``wildboottest`` (test extra), WCR11 with Rademacher weights on the statsmodels
dummy-variable regression. Both enumerate every sign pattern, so the p-values must agree exactly; the
bootstrap interval is checked by wildboottest's p-value just inside (> 0.05) and outside (≤ 0.05) each end.
"""
import pytest

from evalkit.errors import ReferenceDataMissing

pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def records():
    from evalkit.reproduce import wildboot_vs_wildboottest

    try:
        return {r["quantity"]: r for r in wildboot_vs_wildboottest.records()}
    except ReferenceDataMissing as exc:
        pytest.skip(str(exc))


def test_p_value_and_t_match_wildboottest(records):
    assert records["p[post]"]["value"] == records["p[post]"]["reference"]
    assert records["t[post]"]["value"] == pytest.approx(records["t[post]"]["reference"], rel=1e-9)
    assert records["enumerated_patterns"]["value"] == 2**12


def test_interval_ends_are_where_wildboottest_crosses_alpha(records):
    assert records["ci_lo"]["value"] < 0 < records["ci_hi"]["value"]
    for end in ("ci_lo", "ci_hi"):
        inside, outside = records[f"p[{end} inside]"], records[f"p[{end} outside]"]
        assert inside["reference"] > 0.05 >= outside["reference"]
        assert inside["value"] == inside["reference"] and outside["value"] == outside["reference"]


def test_ties_are_not_counted_as_wildboottest_and_fwildclusterboot_do():
    from evalkit.impact import twfe, wild_cluster_bootstrap
    from evalkit.reproduce import wildboot_vs_wildboottest as case

    try:
        data = case.load()
    except ReferenceDataMissing as exc:
        pytest.skip(str(exc))
    _, p_wildboottest, _ = case.reference_p_value(data)
    # n_boot below 2^G: evalkit still enumerates (G = 12 is feasible), so the p-value is exact and the same.
    ours = wild_cluster_bootstrap(twfe(data, **case.ROLES), weights="rademacher", n_boot=999, ci=False)
    assert ours.enumerated and ours.n_boot == 4096
    assert ours.p_value == p_wildboottest
