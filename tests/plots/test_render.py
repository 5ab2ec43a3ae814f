"""render.figure_png draws the picture savefig(bbox_inches="tight") draws, pixel for pixel, in one draw."""
import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from evalkit import maps, plots
from evalkit.plots.render import figure_png

matplotlib.use("Agg")


def _house_line():
    frame = pd.DataFrame({"year": [2015, 2016, 2017, 2018] * 2, "value": [1, 2, 3, 4, 2, 3, 3, 5],
                          "region": ["沈阳市"] * 4 + ["大连市"] * 4})
    return plots.line_chart(frame, x="year", y="value", group="region", title="城市低保平均标准",
                            unit="元/人·月", source="示例", illustrative=True).figure


def _legend_outside():
    fig, ax = plt.subplots(figsize=(5, 3))  # no layout engine: the tight box takes in the legend at the right
    ax.plot([1, 2, 3], [3, 1, 2], label="农村特困人员")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_title("An English title, and 中文")
    return fig


def _grid_with_figure_legend():
    fig, axes = plt.subplots(2, 2, figsize=(6, 4), layout="constrained")
    for k, ax in enumerate(axes.flat):
        ax.bar(["甲", "乙", "丙"], [k + 1, 2, 3], label="数值")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside upper center")
    fig.suptitle("四个面板")
    return fig


def _map():
    codes = [f"21{i:02d}00" for i in range(1, 15)]
    return maps.choropleth(pd.Series(range(14), index=codes, dtype=float), title="辽宁省各市", unit="张",
                           highlight="210200", source="示例").figure


@pytest.mark.parametrize("make", [_house_line, _legend_outside, _grid_with_figure_legend, _map])
@pytest.mark.parametrize("dpi", [110, 200])
def test_the_same_pixels_as_savefig_with_a_tight_box(make, dpi):
    want = io.BytesIO()
    make().savefig(want, format="png", dpi=dpi, bbox_inches="tight")
    fig = make()
    canvas, fig_dpi, engine = fig.canvas, fig.dpi, fig.get_layout_engine()
    drawn = []
    original = Figure.draw
    Figure.draw = lambda self, renderer: drawn.append(self) or original(self, renderer)
    try:
        data = figure_png(fig, dpi)
    finally:
        Figure.draw = original
    got, expected = Image.open(io.BytesIO(data)), Image.open(want)
    assert got.size == expected.size and got.mode == expected.mode == "RGBA"
    assert got.info["dpi"] == pytest.approx(expected.info["dpi"], abs=0.01)
    assert np.array_equal(np.asarray(got), np.asarray(expected))
    assert len(drawn) == 1  # savefig draws twice
    assert fig.canvas is canvas and fig.dpi == fig_dpi and fig.get_layout_engine() is engine
    plt.close("all")


def test_a_whole_figure_grid_at_a_size_with_rounding_error_is_still_drawn_once():
    from evalkit.plots.render import GridAxes

    def make():
        fig = plt.figure(figsize=(4.2, 4.0))  # padded by 0.1 in, 4.4 in × 200 dpi = 879.999… px
        ax = fig.add_axes((0.15, 0.15, 0.8, 0.75), axes_class=GridAxes)
        ax.plot([2015, 2020], [1.0, 2.0])
        ax.set_title("农村社区综合服务设施覆盖率", loc="left")
        return fig

    want = io.BytesIO()
    make().savefig(want, format="png", dpi=200, bbox_inches="tight")
    fig = make()
    drawn = []
    original = Figure.draw
    Figure.draw = lambda self, renderer: drawn.append(self) or original(self, renderer)
    try:
        got = Image.open(io.BytesIO(figure_png(fig, 200)))
    finally:
        Figure.draw = original
    expected = Image.open(want)
    assert got.size == expected.size == (880, 840)
    assert np.array_equal(np.asarray(got), np.asarray(expected)) and len(drawn) == 1
    plt.close("all")
