"""evalkit.composite.weights: given, equal, entropy, PCA and AHP weights.

Published values: AHPy's README (``PhilipGriffith/AHPy`` commit 0139ea6ed2a83eb545ecda982e2aeff39168025d) for AHP
weights.
"""
import numpy as np
import pandas as pd
import pytest
from _data.composite import toy

from evalkit import composite as c
from evalkit.errors import DataShapeError, ParameterError


def test_weights_equal_given_mapping_and_effective():
    data, meta = toy()
    meta["weight"] = [3.0, 1, 1, 1, 3, 1]
    given = c.build(data, meta)
    w = given.weights
    assert w.at["x1", "share"] == 0.75 and w.at["Q", "share"] == 0.75
    assert w.at["x1", "effective"] == pytest.approx(0.75 * 0.25)
    assert w.groupby("level")["effective"].sum().tolist() == pytest.approx([1.0, 1.0])
    equal = c.build(data, meta, weights="equal")
    assert (equal.weights["weight"] == 1).all()
    assert c.build(data, meta, weights="equal", weight_levels=[2]).weights.at["x1", "weight"] == 3
    override = c.build(data, meta, weights={"Q": 0})
    np.testing.assert_allclose(override.scores["I"], override.scores["P"])


def test_entropy_weights_follow_the_formula():
    scores = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 1.0, 4.0]})
    n = 3
    e = []
    for col in scores:
        p = scores[col] / scores[col].sum()
        e.append(-(p * np.log(p)).sum() / np.log(n))
    d = 1 - np.array(e)
    np.testing.assert_allclose(c.entropy_weights(scores), d / d.sum())
    with pytest.raises(DataShapeError, match="non-negative"):
        c.entropy_weights(scores - 2)


def test_pca_weights_are_unit_first_component_with_positive_sum():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    together = c.pca_weights(pd.DataFrame({"a": x, "b": 2 * x + 1}))
    np.testing.assert_allclose(together, [np.sqrt(0.5), np.sqrt(0.5)])
    opposed = c.pca_weights(pd.DataFrame({"a": x, "b": -x, "c": x}))
    np.testing.assert_allclose(opposed, np.array([1, -1, 1]) / np.sqrt(3))
    np.testing.assert_allclose(c.pca_weights(pd.DataFrame({"a": x, "b": -x}), squared=True), [0.5, 0.5])
    # build(weights="pca") uses the squared loadings, so opposed indicators still get positive weights
    data = pd.DataFrame({"uCode": list("ABCD"), "a": x, "b": -x + 0.1 * np.array([1, -1, 1, -1])})
    meta = pd.DataFrame({"code": ["a", "b", "I"], "level": [1, 1, 2], "parent": ["I", "I", None]})
    built = c.build(data, meta, weights="pca")
    assert built.weights["weight"].tolist() == pytest.approx([0.5, 0.5])


def test_ahp_weights_match_ahpy_example_and_build_checks_consistency():
    # AHPy README: comparisons {(a,b): 1, (a,c): 5, (a,d): 2, (b,c): 3, (b,d): 4, (c,d): 3/4}
    # → target weights b 0.3917, a 0.3742, d 0.1349, c 0.0991
    labels = list("abcd")
    m = pd.DataFrame(1.0, index=labels, columns=labels)
    judgements = {("a", "b"): 1, ("a", "c"): 5, ("a", "d"): 2, ("b", "c"): 3, ("b", "d"): 4, ("c", "d"): 0.75}
    for (i, j), v in judgements.items():
        m.loc[i, j], m.loc[j, i] = v, 1 / v
    result = c.ahp_weights(m)
    assert result.weights.round(4).to_dict() == {"a": 0.3742, "b": 0.3917, "c": 0.0991, "d": 0.1349}
    assert result.consistent and result.consistency_ratio == pytest.approx(
        (result.lambda_max - 4) / 3 / 0.90)
    consistent = pd.DataFrame([[1, 3], [1 / 3, 1]], index=["P", "Q"], columns=["P", "Q"])
    built = c.build(*toy(), weights="ahp", ahp={"I": consistent})
    assert built.weights.loc[["P", "Q"], "share"].tolist() == pytest.approx([0.75, 0.25])
    circular = pd.DataFrame([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]], index=list("xyz"), columns=list("xyz"))
    assert not c.ahp_weights(circular).consistent
    with pytest.raises(ParameterError, match="reciprocal"):
        c.ahp_weights(np.array([[1, 2], [2, 1]]))


def test_inconsistent_ahp_is_refused_by_build():
    data = pd.DataFrame({"uCode": ["A", "B"], "x": [1.0, 2], "y": [2.0, 1], "z": [1.0, 1.5]})
    meta = pd.DataFrame({"code": ["x", "y", "z", "I"], "level": [1, 1, 1, 2], "parent": ["I", "I", "I", None]})
    circular = pd.DataFrame([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]], index=list("xyz"), columns=list("xyz"))
    with pytest.raises(ParameterError, match="CR"):
        c.build(data, meta, weights="ahp", ahp={"I": circular})
