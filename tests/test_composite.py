"""Unit tests of evalkit.composite on small frames whose results are worked out by hand in the tests.

Published values used here: COINr's Outlier Treatment article (``bluefoxr/COINr`` articles/treat.md,
commit cb1fa25c65ecd09bf92ba7c1a980a96ba1556e8f) for the skewness/kurtosis estimators and
winsorisation; AHPy's README (``PhilipGriffith/AHPy`` commit 0139ea6ed2a83eb545ecda982e2aeff39168025d)
for AHP weights.
"""
import numpy as np
import pandas as pd
import pytest

from evalkit import composite as c
from evalkit.errors import DataShapeError, ParameterError

VECTOR = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]  # treat.md: x <- c(1:10, 30, 100)


def toy():
    """4 units, indicators x1, x2 → pillar P, x3 (lower is better) → pillar Q, P and Q → index I."""
    data = pd.DataFrame({"uCode": ["A", "B", "C", "D"], "x1": [1.0, 2, 3, 4], "x2": [10.0, 20, 40, 30],
                         "x3": [5.0, 3, 1, 2], "grp": ["g", "g", "h", "h"], "pop": [1.0, 2, 4, 8]})
    meta = pd.DataFrame({"code": ["x1", "x2", "x3", "P", "Q", "I"], "level": [1, 1, 1, 2, 2, 3],
                         "parent": ["P", "P", "Q", "I", "I", None], "direction": [1, 1, -1, 1, 1, 1],
                         "weight": [1.0, 1, 1, 1, 1, 1]})
    return data, meta


def single(values, **meta_extra):
    """One indicator x straight into an index."""
    data = pd.DataFrame({"uCode": [f"u{i}" for i in range(len(values))], "x": values})
    meta = pd.DataFrame({"code": ["x", "I"], "level": [1, 2], "parent": ["I", None], **meta_extra})
    return data, meta


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
    assert result.table()["rank"].tolist() == [1, 2, 3, 4]


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


def test_rebuild_and_step_log():
    result = c.build(*toy(), treat=True, impute="mean")
    assert [r.step for r in result.log] == ["input", "impute", "treat", "normalise", "weights", "aggregate"]
    changed = c.rebuild(result, normalise="rank")
    assert changed.settings["normalise"] == "rank" and changed.settings["treat"] is True
    np.testing.assert_allclose(changed.normalised["x1"], [1, 2, 3, 4])
    with pytest.raises(ParameterError, match="unknown setting"):
        c.rebuild(result, normalize="rank")
    assert "Composite indicator" in result._repr_html_()


@pytest.mark.parametrize("kwargs, match", [
    (dict(normalise="maxmin"), "'minmax'"),
    (dict(impute="group_mean"), "impute_group"),
    (dict(aggregation="median"), "arithmetic"),
    (dict(weights="random"), "entropy"),
    (dict(screen=1.5), "screen"),
])
def test_bad_options_name_the_choices(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        c.build(*toy(), **kwargs)


def test_bad_inputs_explain_what_is_wrong():
    data, meta = toy()
    with pytest.raises(DataShapeError, match="'Z'"):
        c.build(data, meta.assign(parent=["P", "P", "Z", "I", "I", None]))
    with pytest.raises(DataShapeError, match="non-numeric"):
        c.build(data.assign(x1=["1", "2", "n/a", "4"]), meta)
    with pytest.raises(DataShapeError, match="x3"):
        c.build(data.drop(columns="x3"), meta)
    with pytest.raises(DataShapeError, match="more than one row"):
        c.build(data.assign(uCode=["A", "A", "C", "D"]), meta)
    with pytest.raises(ParameterError, match="unit"):
        c.build(data.rename(columns={"uCode": "id"}), meta)


def test_remove_elements_by_hand():
    removal = c.remove_elements(c.build(*toy()), level=2)
    # without Q the index is P: ranks C 1, D 1, B 3, A 4 vs nominal C 1, D 2, B 3, A 4
    assert removal.rank_changes["Q"].tolist() == [0, 0, 0, 1]
    assert removal.summary.at["Q", "mean_abs_rank_change"] == 0.25
    assert removal.summary.at["P", "mean_abs_rank_change"] == 0  # without P the index is Q: same order


def generated(n_units=8, seed=3):
    """Illustrative generated data: n units, 6 indicators in 3 categories."""
    rng = np.random.default_rng(seed)
    values = rng.lognormal(size=(n_units, 6))
    data = pd.DataFrame(values, columns=[f"i{k}" for k in range(6)]).assign(uCode=[f"u{k}" for k in range(n_units)])
    meta = pd.DataFrame({"code": [f"i{k}" for k in range(6)] + ["c0", "c1", "c2", "I"], "level": [1] * 6 + [2, 2, 2, 3],
                         "parent": ["c0", "c0", "c1", "c1", "c2", "c2", "I", "I", "I", None],
                         "direction": [1, -1, 1, 1, -1, 1, 1, 1, 1, 1]})
    return data, meta


def test_vectorised_draws_equal_a_full_build_with_the_same_assumptions():
    data, meta = generated()
    steps = dict(treat=True, normalise="minmax", norm_range=(1, 100))
    result = c.uncertainty(data, meta, n_draws=40, seed=7, steps=steps)
    presets = {label.split()[0]: c.NORMALISATION_PRESETS[label.split()[0]] for label in result.draws["normalisation"]}
    for draw in range(0, 40, 8):
        row = result.draws.loc[draw]
        weights = result.weight_sets.loc[row["weight_set"]].to_dict()
        normalisation = presets[row["normalisation"].split()[0]]
        rebuilt = c.build(data, meta, **{**steps, **normalisation}, winmax=int(row["winmax"]),
                          aggregation=row["aggregation"], weights=weights)
        np.testing.assert_allclose(result.scores.loc[draw], rebuilt.scores["I"], rtol=1e-12)
        assert result.ranks.loc[draw].tolist() == rebuilt.ranks["I"].astype(float).tolist()


def test_uncertainty_is_seeded_and_summarises_ranks():
    data, meta = generated()
    first = c.uncertainty(data, meta, n_draws=50, seed=1)
    again = c.uncertainty(data, meta, n_draws=50, seed=1)
    other = c.uncertainty(data, meta, n_draws=50, seed=2)
    pd.testing.assert_frame_equal(first.ranks, again.ranks)
    assert not first.ranks.equals(other.ranks)
    stats = first.rank_stats
    assert (stats["q05"] <= stats["median"]).all() and (stats["median"] <= stats["q95"]).all()
    assert stats["mean"].sum() == pytest.approx(sum(range(1, 9)))
    fixed = c.uncertainty(data, meta, n_draws=5, seed=1, weight_noise=None, normalisation=None,
                          aggregation=["arithmetic"], winmax=None)
    assert (fixed.rank_stats["mean"] == fixed.rank_stats["nominal"]).all()
    with pytest.raises(ParameterError, match="seed"):
        c.uncertainty(data, meta, n_draws=5, seed=None)


def test_sensitivity_runs_the_saltelli_design_and_removal():
    data, meta = generated()
    result = c.sensitivity(data, meta, n_base=16, seed=4, n_boot=20, winmax=None)
    assert list(result.indices.index) == ["normalisation", "weights", "aggregation"]
    assert len(result.outputs) == 16 * 5 and (result.outputs >= 0).all()
    assert {"S_q05", "ST_q95"} <= set(result.indices.columns)
    assert list(result.removal.summary.index) == ["c0", "c1", "c2"]


def test_from_panel_builds_a_three_level_hierarchy():
    rows = []
    for region, offset in (("210100", 0.0), ("210200", 1.0), ("210300", 2.0), ("210000", 9.0)):
        for indicator, base in (("a", 1.0), ("b", 5.0), ("ctx", 3.0), ("pop", 100.0)):
            rows.append({"region": region, "year": 2020, "indicator": indicator, "value": base + offset})
            rows.append({"region": region, "year": 2019, "indicator": indicator, "value": base})
    panel = pd.DataFrame(rows)
    catalogue = pd.DataFrame({"code": ["a", "b", "ctx"], "category": ["k1", "k2", "context"],
                              "category_zh": ["甲", "乙", "背景"], "polarity": [1, -1, 0],
                              "name_zh": ["指标a", "指标b", "背景"], "denominator": ["pop", None, None]})
    data, meta = c.from_panel(panel, catalogue, year=2020)
    assert data["region"].tolist() == ["210100", "210200", "210300"]
    assert data["a"].tolist() == [1.0, 2.0, 3.0] and "pop" in data.columns and "ctx" not in data.columns
    assert meta.set_index("code").loc[["a", "b", "k1", "k2", "index"], "level"].tolist() == [1, 1, 2, 2, 3]
    assert meta.set_index("code").at["b", "direction"] == -1
    result = c.build(data, meta, denominate=True)
    assert result.table(lang="zh").columns.tolist() == ["rank", "综合指数", "甲", "乙"]
    with pytest.raises(DataShapeError, match="no 2018 value"):
        c.from_panel(panel.assign(year=panel["year"].replace(2019, 2018)).query("indicator != 'b' or year != 2018"),
                     catalogue, year=2018)


def test_two_level_hierarchy_and_html():
    data, meta = single([3.0, 1.0, 2.0])
    result = c.build(data, meta)
    assert result.ranks["I"].tolist() == [1, 3, 2]
    assert c.remove_elements(result).level == 1
    assert result.table().columns.tolist() == ["rank", "I"] and "Composite" in result._repr_html_()
    assert "Removing" in c.remove_elements(result)._repr_html_()


def test_charts_carry_titles_units_and_names(tmp_path):
    import matplotlib.pyplot as plt

    from evalkit.plots import composite as cp

    data, meta = generated()
    ua = c.uncertainty(data, meta, n_draws=20, seed=1)
    sa = c.sensitivity(data, meta, n_base=8, seed=1, n_boot=5, winmax=None)
    names = {f"u{k}": f"城市{k}" for k in range(8)}
    ax = cp.rank_intervals(ua, unit_names=names, source="test", illustrative=True, lang="zh")
    assert ax.get_title(loc="left") == "综合排名的不确定性区间" and "名次" in ax.get_xlabel()
    assert {t.get_text() for t in ax.get_yticklabels()} == set(names.values())
    ax = cp.sobol_bars(sa, lang="en")
    assert ax.get_xlabel() == "share of variance"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["normalisation", "weights", "aggregation"]
    ax = cp.removal_bars(sa.removal, element_names={"c0": "类一"}, lang="zh")
    assert "类一" in {t.get_text() for t in ax.get_yticklabels()}
    ax = cp.indicator_heatmap(ua.nominal.normalised, unit_names=names, lang="en")
    ax.figure.savefig(tmp_path / "heat.png")
    assert (tmp_path / "heat.png").stat().st_size > 0
    with pytest.raises(ParameterError, match="lang"):
        cp.factor_labels("fr")
    plt.close("all")
