"""evalkit.composite.aggregate: weighted means, missing values and ties, worked out by hand."""
import numpy as np
import pandas as pd
import pytest
from _data.composite import toy

from evalkit import composite as c
from evalkit.errors import DataShapeError


def test_minmax_arithmetic_scores_ranks_and_ties_by_hand():
    result = c.build(*toy())
    third = 100 / 3
    # x1 → 0, ⅓, ⅔, 1; x2 → 0, ⅓, 1, ⅔; x3 (reversed) → 0, ½, 1, ¾ (×100)
    np.testing.assert_allclose(result.scores["P"], [0, third, 250 / 3, 250 / 3])
    np.testing.assert_allclose(result.scores["Q"], [0, 50, 100, 75])
    np.testing.assert_allclose(result.scores["I"], [0, (third + 50) / 2, (250 / 3 + 100) / 2, (250 / 3 + 75) / 2])
    assert list(result.scores.columns) == ["I", "P", "Q"]
    assert result.ranks["I"].tolist() == [4, 3, 1, 2]
    assert result.ranks["P"].tolist() == [4, 3, 1, 1]  # tie: both rank 1, next rank 3
    assert result.ranking(lang="en")["rank"].tolist() == [1, 2, 3, 4]


def test_geometric_and_harmonic_means_and_zero_policy():
    data = pd.DataFrame({"uCode": ["A", "B"], "a": [4.0, 0.0], "b": [1.0, 2.0]})
    meta = pd.DataFrame({"code": ["a", "b", "I"], "level": [1, 1, 2], "parent": ["I", "I", None],
                         "weight": [3.0, 1.0, 1.0]})
    with pytest.raises(DataShapeError, match="positive"):
        c.build(data, meta, normalise="none", aggregation="geometric")
    geo = c.build(data, meta, normalise="none", aggregation="geometric", zeros="zero").scores["I"]
    assert geo["A"] == pytest.approx(4 ** 0.75 * 1 ** 0.25) and geo["B"] == 0
    har = c.build(data.iloc[:1], meta, normalise="none", aggregation="harmonic").scores["I"]
    assert har["A"] == pytest.approx(4 / (3 / 4 + 1 / 1))


def test_missing_values_are_skipped_and_the_other_weights_rescaled():
    data, meta = toy()
    data.loc[2, "x1"] = np.nan
    result = c.build(data, meta.assign(weight=[2.0, 1, 1, 1, 1, 1]), normalise="none")
    assert result.scores.at["C", "P"] == 40  # only x2 present
    assert result.scores.at["A", "P"] == pytest.approx((2 * 1 + 10) / 3)
