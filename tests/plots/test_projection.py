"""Tests for evalkit.plots.projection: the scenario charts."""
import pytest
from _data.scenarios import sample_results

from evalkit.errors import ParameterError


def test_charts_render_with_titles_and_units():
    import matplotlib

    matplotlib.use("Agg")
    from evalkit.plots import projection as charts

    _, results = sample_results()
    r = results[1]
    ax = charts.fan_chart(r, indicator="nursing_bed_share", lang="zh", source="test", illustrative=True)
    assert ax.get_title(loc="left") == "护理型床位占比：加快发展情景" and ax.get_ylabel() == "%"
    assert charts.beds_chart(r, lang="en").get_title(loc="left").startswith("Elderly-care beds")
    assert charts.cost_chart(r, lang="en").get_ylabel().startswith("100 million yuan")
    assert charts.attainment_chart(r, indicator="dibao_urban_std", lang="zh").get_ylabel() == "实现概率"
    axes = charts.fan_grid(r, indicators=["dibao_urban_std", "tekun_std"], ncols=3)
    assert [a.get_visible() for a in axes.flat] == [True, True, False]
    with pytest.raises(ParameterError, match="not in scenario"):
        charts.fan_chart(r, indicator="marriages")
    matplotlib.pyplot.close("all")
