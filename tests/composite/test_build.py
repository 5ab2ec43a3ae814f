"""evalkit.composite.build: the step table, rebuild, presets and from_panel."""
import numpy as np
import pandas as pd
import pytest
from _data.composite import single, toy

from evalkit import composite as c
from evalkit.errors import DataShapeError, ParameterError


def test_rebuild_and_step_log():
    result = c.build(*toy(), treat=True, impute="mean")
    assert [r.step for r in result.log] == ["input", "impute", "treat", "normalise", "weights", "aggregate"]
    changed = c.rebuild(result, normalise="rank")
    assert changed.settings["normalise"] == "rank" and changed.settings["treat"] is True
    np.testing.assert_allclose(changed.normalised["x1"], [1, 2, 3, 4])
    with pytest.raises(ParameterError, match="unknown setting"):
        c.rebuild(result, normalize="rank")
    assert "<h4>综合指数</h4>" in result._repr_html_()


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
    assert result.ranking(lang="zh").columns.tolist() == ["名次", "综合指数", "甲", "乙"]
    assert result.ranking(lang="en").columns.tolist()[0] == "rank"
    with pytest.raises(DataShapeError, match="no 2018 value"):
        c.from_panel(panel.assign(year=panel["year"].replace(2019, 2018)).query("indicator != 'b' or year != 2018"),
                     catalogue, year=2018)


def test_two_level_hierarchy_and_html():
    data, meta = single([3.0, 1.0, 2.0])
    result = c.build(data, meta)
    assert result.ranks["I"].tolist() == [1, 3, 2]
    assert c.remove_elements(result).level == 1
    with pytest.warns(PendingDeprecationWarning, match="ranking"):
        assert result.table().columns.tolist() == ["rank", "I"]
    with pytest.warns(PendingDeprecationWarning):  # the old headers, whatever the language
        assert result.table(lang="zh", names={"u0": "甲"}).columns.tolist() == ["rank", "name", "I"]
    assert result.ranking().columns.tolist() == ["名次", "I"]
    assert "综合指数" in result._repr_html_()
    assert "逐一剔除第 1 层" in c.remove_elements(result)._repr_html_()
