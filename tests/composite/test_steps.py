"""evalkit.composite.steps: denominate, screen, impute, treat, normalise, by hand and against COINr.

Published values: COINr's Outlier Treatment article (``bluefoxr/COINr`` articles/treat.md, commit
cb1fa25c65ecd09bf92ba7c1a980a96ba1556e8f) for the skewness/kurtosis estimators and winsorisation.
"""
import numpy as np
import pandas as pd
from _data.composite import VECTOR, single, toy

from evalkit import composite as c


def test_skewness_and_kurtosis_match_coinr_published_values():
    # treat.md: skew(x) 3.063241, kurt(x) 9.741391 (e1071 type 2)
    assert round(c.skewness(VECTOR), 6) == 3.063241
    assert round(c.kurtosis(VECTOR), 6) == 9.741391
    assert np.isnan(c.skewness([1.0, 1.0, 1.0]))


def test_treatment_winsorises_one_point_as_in_coinr_vignette():
    # treat.md: Treat(x, f1_para = list(winmax = 2)) winsorises one point; then skew 1.712038, kurt 1.815781
    result = c.build(*single(VECTOR), treat=True, winmax=2, normalise="none")
    row = result.treatment.loc["x"]
    assert row["winsorised"] == 1 and row["treatment"] == "winsorised"
    assert round(row["skew_winsorised"], 6) == 1.712038
    assert round(row["kurt_winsorised"], 6) == 1.815781
    assert result.datasets["treated"]["x"].tolist() == VECTOR[:-1] + [30]


def test_treatment_falls_back_to_log_of_the_original_values():
    result = c.build(*single(VECTOR), treat=True, winmax=0, normalise="none")
    x = np.array(VECTOR, dtype=float)
    expected = np.log(x - 1 + 0.01 * (100 - 1))  # log_CT: log(x - min + 0.01·(max - min))
    np.testing.assert_allclose(result.datasets["treated"]["x"], expected)
    assert result.treatment.loc["x", "treatment"] == "log"


def test_normalisation_methods_by_hand():
    data, meta = single([2.0, 4.0, 6.0, 12.0], target=[10.0, None])
    x = np.array([2.0, 4, 6, 12])
    norm = lambda **kw: c.build(data, meta, **kw).normalised["x"].to_numpy()  # noqa: E731
    np.testing.assert_allclose(norm(normalise="minmax", norm_range=(1, 10)), 1 + 9 * (x - 2) / 10)
    np.testing.assert_allclose(norm(normalise="zscore", norm_zscore=(10, 2)), 10 + 2 * (x - 6) / np.std(x, ddof=1))
    np.testing.assert_allclose(norm(normalise="rank"), [1, 2, 3, 4])
    np.testing.assert_allclose(norm(normalise="distance_to_target"), [0, 25, 50, 100])  # capped at the target 10
    np.testing.assert_allclose(norm(normalise="distance_to_target", target_cap=False), [0, 25, 50, 125])
    np.testing.assert_allclose(norm(normalise="goalposts", goalposts={"x": (3, 11)}), [0, 12.5, 37.5, 100])
    reversed_meta = meta.assign(direction=[-1, 1])
    np.testing.assert_allclose(c.build(data, reversed_meta).normalised["x"], 100 - 100 * (x - 2) / 10)


def test_denominate_screen_and_impute():
    data, meta = toy()
    meta["denominator"] = ["pop", None, None, None, None, None]
    meta["scale_factor"] = [10.0, None, None, None, None, None]
    den = c.build(data, meta, denominate=True, normalise="none").datasets["denominated"]["x1"]
    np.testing.assert_allclose(den, [1 / 0.1, 2 / 0.2, 3 / 0.4, 4 / 0.8])  # x / (pop / 10)

    data.loc[0, ["x1", "x2"]] = np.nan
    data.loc[2, "x2"] = np.nan
    screened = c.build(data, meta, screen=0.5, normalise="none")
    assert list(screened.scores.index) == ["B", "C", "D"]
    assert "removed 1 units" in screened.log[1].summary
    grouped = c.build(data, meta, impute="group_mean", impute_group="grp", normalise="none").datasets["imputed"]
    assert grouped.at["A", "x1"] == 2 and grouped.at["A", "x2"] == 20  # group g: B only
    assert grouped.at["C", "x2"] == 30  # group h: D only
    overall = c.build(data, meta, impute="median", normalise="none").datasets["imputed"]
    assert overall.at["A", "x1"] == 3 and overall.at["A", "x2"] == 25


def test_normalise_none_applies_the_direction():
    # issue 15, finding 4: with normalise="none" a unit worst on a lower-is-better indicator ranked first
    data = pd.DataFrame({"uCode": ["A", "B", "C"], "good": [5.0, 5.0, 5.0], "bad": [10.0, 1.0, 2.0]})
    meta = pd.DataFrame({"code": ["good", "bad", "I"], "level": [1, 1, 2], "parent": ["I", "I", None],
                         "direction": [1, -1, 1]})
    result = c.build(data, meta, normalise="none")
    assert result.normalised["bad"].tolist() == [-10.0, -1.0, -2.0]  # x · direction
    assert result.normalised["good"].tolist() == [5.0, 5.0, 5.0]
    assert result.ranks["I"].tolist() == [3, 1, 2]  # A has the most of the bad thing: last, not first
    np.testing.assert_allclose(result.scores["I"], [(5 - 10) / 2, (5 - 1) / 2, (5 - 2) / 2])
