"""evalkit.plots.composite: titles, units, names and legibility of the composite charts."""
import matplotlib.pyplot as plt
import pytest
from _data.composite import generated

from evalkit import composite as c
from evalkit.errors import ParameterError
from evalkit.plots import composite as cp


def test_charts_carry_titles_units_and_names(tmp_path):
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


def _fonts(ax):
    labels = ax.get_xticklabels() + ax.get_yticklabels() + list(ax.texts)
    return [t.get_fontsize() for t in labels if t.get_text()]


def test_labels_stay_legible_at_print_size_and_many_units_do_not_crowd():
    # 100 illustrative units: the heat map draws the two ends, the rank chart becomes a ranked dot plot
    data, meta = generated(n_units=100, seed=5)
    ua = c.uncertainty(data, meta, n_draws=20, seed=1, winmax=None, normalisation=["minmax", "rank"])
    names = {f"u{k}": f"城市{k}" for k in range(100)}
    ax = cp.indicator_heatmap(ua.nominal.normalised, unit_names=names, order=ua.nominal.ranking().index, lang="zh")
    assert ax.figure.get_figwidth() <= cp.PRINT_WIDTH and min(_fonts(ax)) >= 8
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 41 and rows[20] == "⋯" and "前后共 40 个" in ax.get_title(loc="left")
    ax = cp.rank_intervals(ua, unit_names=names, lang="en", ends=5)
    assert ax.figure.get_figwidth() <= cp.PRINT_WIDTH and min(_fonts(ax)) >= 8
    assert len(ax.texts) == 2 and ax.texts[0].get_text().startswith("Top 5: ") and "城市" in ax.texts[1].get_text()
    assert ax.get_xlabel() == "ordered by nominal rank" and "rank" in ax.get_ylabel()
    small = c.uncertainty(*generated(), n_draws=20, seed=1, level=0.8)
    ax = cp.rank_intervals(small, lang="zh")
    assert len(ax.get_yticklabels()) == 8 and min(_fonts(ax)) >= 8
    assert "第 10–90 百分位区间" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close("all")
