"""evalkit.composite.results: the display tables read in one language, headers and values; top/bottom tables."""
import re

import numpy as np
import pandas as pd
import pytest
from _data.composite import generated, toy

from evalkit import composite as c
from evalkit.errors import ParameterError

ENGLISH_WORD = re.compile(r"[A-Za-z]{4,}")
#: what may stay in Latin letters on a Chinese page: Sobol, method symbols, and the test data's codes
ALLOWED = {"Sobol"}


def _texts(frame: pd.DataFrame) -> list[str]:
    out = [str(frame.index.name or ""), *map(str, frame.columns), *map(str, frame.index)]
    out += [str(v) for v in frame.to_numpy().ravel() if isinstance(v, str)]
    return out


def _english_words(frame: pd.DataFrame) -> set[str]:
    return {w for text in _texts(frame) for w in ENGLISH_WORD.findall(text)} - ALLOWED


def test_ranking_is_sorted_with_headers_in_the_language_and_unit_names():
    result = c.build(*toy())
    zh = result.ranking(names={"C": "丙市"}, name_label="城市")
    assert zh.columns.tolist()[:2] == ["名次", "城市"] and zh.index.tolist() == ["C", "D", "B", "A"]
    assert zh["城市"].tolist() == ["丙市", "D", "B", "A"]
    en = result.ranking(lang="en", level=2)
    assert en.columns.tolist() == ["rank", "I", "P", "Q"]
    with pytest.raises(ParameterError, match="level"):
        result.ranking(level=5)
    with pytest.raises(ParameterError, match="lang"):
        result.ranking(lang="fr")


def test_weights_at_a_level_replaces_the_notebook_lookup():
    data, meta = toy()
    meta["weight"] = [3.0, 1, 1, 1, 3, 1]
    meta["name_zh"] = ["甲", "乙", "丙", "第一类", "第二类", "综合"]
    result = c.build(data, meta)
    table = result.weights_at(2)
    assert table.index.tolist() == ["第一类", "第二类"] and table.index.name == "组成部分"
    assert table.columns.tolist() == ["权重", "组内份额", "在综合指数中的实际权重"]
    assert table["权重"].tolist() == [1.0, 3.0] and table["在综合指数中的实际权重"].tolist() == [0.25, 0.75]
    en = result.weights_at(1, lang="en")
    assert en.columns.tolist() == ["weight", "share in group", "effective weight in the index"]
    assert en.loc["x1", "effective weight in the index"] == pytest.approx(0.75 * 0.25)
    with pytest.raises(ParameterError, match="index itself"):
        result.weights_at(3)


def test_step_log_reads_in_chinese_without_english_or_booleans():
    data, meta = toy()
    meta["denominator"] = ["pop", None, None, None, None, None]
    result = c.build(data, meta, denominate=True, impute="mean", treat=True, normalise="minmax", norm_range=(1, 100),
                     weights="equal", aggregation="arithmetic")
    log = result.log_frame()
    assert log.columns.tolist() == ["步骤", "设置", "结果"]
    assert log["步骤"].tolist() == ["读入数据", "按分母折算", "缺失值插补", "离群值处理", "标准化", "权重", "合成"]
    words = _english_words(log)
    assert not words, words
    text = " ".join(_texts(log))
    assert "True" not in text and "False" not in text and "uCode" not in text
    assert "标准化区间：1–100" in text and "等权" in text and "算术平均" in text
    zscore = c.rebuild(result, normalise="zscore", norm_zscore=(10, 2)).log_frame()
    assert "方法：标准分法；标准分的均值与标准差：均值 10，标准差 2" in zscore.iloc[4, 1]
    en = result.log_frame("en")
    assert en.columns.tolist() == ["step", "settings", "result"]
    assert "normalised range: 1–100" in " ".join(_texts(en)) and not re.search(r"[\u4e00-\u9fff]", " ".join(
        _texts(en)))
    assert result.log[1].summary == "1 indicators divided by their denominator"


def test_uncertainty_and_sobol_tables_in_each_language():
    data, meta = generated()
    ua = c.uncertainty(data, meta, n_draws=30, seed=2, level=0.8)
    zh = ua.rank_table(names={"u0": "一号"})
    assert zh.columns.tolist() == ["基准名次", "平均名次", "名次中位数", "第 10 百分位名次", "第 90 百分位名次"]
    assert zh.index.name == "名称" and "一号" in zh.index
    stats = ua.rank_stats
    ranks = ua.ranks.to_numpy()
    np.testing.assert_allclose(stats["lo"], np.quantile(ranks, 0.1, axis=0))
    np.testing.assert_allclose(stats["hi"], np.quantile(ranks, 0.9, axis=0))
    assert ua.table is ua.rank_stats
    sa = c.sensitivity(data, meta, n_base=8, seed=1, n_boot=5, winmax=None)
    table = sa.index_table()
    assert table.index.tolist() == ["标准化方法", "权重扰动", "合成方法"] and table.index.name == "假设"
    assert "ST 第 95 百分位" in table.columns and not _english_words(table)
    assert sa.index_table("en").columns[0] == "first order S"
    removal = sa.removal.summary_table(element_names={"c0": "类一"})
    assert removal.columns.tolist() == ["平均绝对名次变化", "最大绝对名次变化"] and "类一" in removal.index
    changes = sa.removal.change_table(unit_names={"u0": "一号"}, unit_label="城市")
    assert changes.index.name == "城市" and "一号" in changes.index


def test_variations_value_and_keywords_are_the_same_analysis():
    data, meta = generated()
    chosen = c.Variations(weight_noise=0.1, aggregation=None, winmax=None)
    by_value = c.uncertainty(data, meta, n_draws=20, seed=5, variations=chosen)
    by_keywords = c.uncertainty(data, meta, n_draws=20, seed=5, weight_noise=0.1, aggregation=None, winmax=None)
    pd.testing.assert_frame_equal(by_value.ranks, by_keywords.ranks)
    assert list(by_value.draws.columns) == ["normalisation", "weight_set"]
    with pytest.raises(ParameterError, match="unknown variation"):
        c.uncertainty(data, meta, n_draws=5, seed=1, noise=0.1)
    with pytest.raises(ParameterError, match="level"):
        c.uncertainty(data, meta, n_draws=5, seed=1, level=90)


def test_city_assessment_preset_is_the_notebook_recipe():
    assert c.preset() == dict(denominate=True, impute="mean", treat=True, normalise="minmax", norm_range=(1.0, 100.0),
                              norm_zscore=(10.0, 2.0), weights="equal", aggregation="arithmetic")
    assert c.preset("city_assessment", normalise="zscore")["normalise"] == "zscore"
    with pytest.raises(ParameterError, match="normalise"):
        c.preset(normalize="zscore")
    data, meta = generated()
    built = c.city_assessment(data, meta.assign(denominator=None), aggregation="geometric")
    assert built.settings["norm_range"] == (1.0, 100.0) and built.settings["aggregation"] == "geometric"
    assert built.normalised.min().min() == 1.0 and built.normalised.max().max() == 100.0


def test_top_bottom_keeps_both_ends_with_a_gap_row():
    frame = pd.DataFrame({"名次": pd.array(range(1, 31), dtype="Int64"), "城市": [f"市{k}" for k in range(30)],
                          "得分": np.linspace(90, 10, 30)}, index=[f"u{k}" for k in range(30)])
    short = c.top_bottom(frame, 5)
    assert short.index.tolist() == ["u0", "u1", "u2", "u3", "u4", "⋯", "u25", "u26", "u27", "u28", "u29"]
    assert short.loc["⋯", ["名次", "得分"]].isna().all() and short.at["⋯", "城市"] == "⋯"
    assert str(short["名次"].dtype) == "Int64" and short["城市"].tolist()[-1] == "市29"
    assert c.top_bottom(frame.head(11), 5) is not None and len(c.top_bottom(frame.head(11), 5)) == 11
    with pytest.raises(ParameterError, match="positive"):
        c.top_bottom(frame, 0)


def test_html_is_escaped_and_in_chinese_by_default():
    data, meta = toy()
    meta["name_zh"] = ["甲", "乙", "丙", "<b>类</b>", "第二类", "综合"]
    result = c.build(data, meta)
    page = result._repr_html_()
    assert "&lt;b&gt;类&lt;/b&gt;" in page and "<b>类</b>" not in page
    assert "<h4>综合指数</h4>" in page
    ahp = c.ahp_weights(pd.DataFrame([[1, 3], [1 / 3, 1]], index=["<i>P</i>", "Q"], columns=["<i>P</i>", "Q"]))
    assert "&lt;i&gt;P&lt;/i&gt;" in ahp._repr_html_() and "一致性可以接受" in ahp._repr_html_()


def test_booleans_in_the_log_are_words():
    from _data.composite import single

    data, meta = single([2.0, 4.0, 6.0], target=[10.0, None])
    log = c.build(data, meta, normalise="distance_to_target").log_frame()
    assert "以目标值封顶：是" in log.iloc[1, 1]
    assert "capped at the target: no" in c.build(data, meta, normalise="distance_to_target",
                                                 target_cap=False).log_frame("en").iloc[1, 1]
