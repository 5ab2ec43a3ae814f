"""evalkit.plots.composite: titles, units, names and legibility of the composite charts."""
import matplotlib.pyplot as plt
import pytest
from _data.composite import generated

from evalkit import composite as c
from evalkit.errors import ParameterError


def test_charts_carry_titles_units_and_names(tmp_path):
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
