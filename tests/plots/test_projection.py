"""Tests for evalkit.plots.projection: the scenario charts."""
import numpy as np
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


def test_fan_grid_saves_whole_at_the_same_size_and_dpi():
    import io

    import matplotlib

    matplotlib.use("Agg")
    from PIL import Image

    from evalkit.plots import projection as charts

    _, results = sample_results()
    r = results[0]
    axes = charts.fan_grid(r, lang="en", source="test", illustrative=True)
    fig = axes.flat[0].figure
    codes = r.scenario.indicators
    assert tuple(fig.get_size_inches()) == pytest.approx((5.2 * 3, 3.4 * -(-len(codes) // 3)))
    assert sum(a.get_visible() for a in axes.flat) == len(codes)
    assert axes.flat[0].get_title(loc="left").endswith(": Baseline") and axes.flat[0].get_legend() is not None
    assert axes.flat[1].get_legend() is None
    tight, plain = io.BytesIO(), io.BytesIO()
    fig.savefig(tight, format="png", dpi=fig.dpi, bbox_inches="tight")  # as Jupyter's inline backend saves
    fig.savefig(plain, format="png", dpi=fig.dpi)
    with Image.open(tight) as a, Image.open(plain) as b:
        width, height = round(fig.get_figwidth() * fig.dpi), round(fig.get_figheight() * fig.dpi)
        pad = round(2 * 0.1 * fig.dpi)  # savefig.pad_inches on each side
        assert abs(a.size[0] - width - pad) <= 2 and abs(a.size[1] - height - pad) <= 2
        assert b.size == (width, height)
        # Both saves drew the panels: far from a blank page.
        assert len(np.unique(np.asarray(a.convert("L")))) > 50 and len(np.unique(np.asarray(b.convert("L")))) > 50
    matplotlib.pyplot.close("all")


def test_fan_grid_titles_fit_their_panel_and_units_follow_the_language():
    import matplotlib

    matplotlib.use("Agg")
    from evalkit.plots import projection as charts

    _, results = sample_results()
    r = results[0]
    axes = charts.fan_grid(r, indicators=["dibao_urban_std", "tekun_centralised_rate"], lang="en")
    fig = axes.flat[0].figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes.flat[:2]:
        title = ax.title if ax.title.get_text() else ax._left_title
        # the title ends before the next panel starts (panel width 5.2 in less the 0.75 in gap)
        assert title.get_window_extent(renderer).width / fig.dpi <= 5.2 - 0.75 + 0.05
    assert axes.flat[0].get_ylabel() == "yuan/person/month"  # 元/人·月 in the catalogue
    assert axes.flat[1]._left_title.get_fontsize() < axes.flat[0]._left_title.get_fontsize() == 10
    matplotlib.pyplot.close("all")
