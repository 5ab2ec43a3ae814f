"""House style: Chinese glyphs render with the bundled font, years are integers, charts are finished."""
import warnings

import matplotlib
import pandas as pd
import pytest

from evalkit import plots
from evalkit.errors import EvalkitError

matplotlib.use("Agg")


def test_bundled_cjk_font_has_the_glyphs_we_use():
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(plots.cjk_font_path()))
    charmap = font.get_charmap()
    for ch in "辽宁省民政厅每千名老年人口拥有养老床位数元/人·月示例数据非官方统计资料来源":
        assert ord(ch) in charmap, ch


def test_chinese_text_draws_without_missing_glyph_warnings(tmp_path):
    fig, ax = plots.new_axes()
    ax.plot([2015, 2020], [1, 2])
    plots.finish(ax, title="城市低保平均标准", unit="元/人·月", source="民政统计公报", illustrative=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(tmp_path / "chart.png")
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert plots.use_house_style() in matplotlib.rcParams["font.sans-serif"][0]


def test_year_axis_has_integer_ticks():
    fig, ax = plots.new_axes()
    ax.plot([2015, 2016, 2017], [1, 2, 3])
    plots.year_axis(ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(lbl.isdigit() and len(lbl) == 4 for lbl in labels)
    assert len(set(labels)) == len(labels)


def test_finish_requires_a_title_and_writes_unit_and_source():
    fig, ax = plots.new_axes()
    with pytest.raises(EvalkitError):
        plots.finish(ax, title="")
    plots.finish(ax, title="标题", unit="张", source="来源X", illustrative=True)
    assert ax.get_title(loc="left") == "标题" and ax.get_ylabel() == "张"
    assert "来源X" in fig._supxlabel.get_text() and "示例数据" in fig._supxlabel.get_text()


def test_line_and_bar_charts_label_groups_and_values():
    frame = pd.DataFrame({"year": [2015, 2016, 2015, 2016], "value": [1.0, 2.0, 3.0, 4.0],
                          "g": ["甲", "甲", "乙", "乙"]})
    ax = plots.line_chart(frame, x="year", y="value", group="g", title="t", unit="u")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["甲", "乙"]
    ax = plots.bar_chart(pd.Series({"沈阳市": 3.0, "大连市": 5.0}), title="b", unit="个", highlight="大连市")
    assert ax.get_xlabel() == "个"
    assert [t.get_text() for t in ax.texts] == ["3.0", "5.0"]


def test_bold_titles_find_the_cjk_font_without_a_fallback_warning(tmp_path):
    import logging

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("matplotlib.font_manager")
    logger.addHandler(handler)
    try:
        fig, ax = plots.new_axes()
        ax.plot([2015, 2020], [1, 2])
        plots.finish(ax, title="城市低保平均标准", unit="元/人·月")
        ax.set_xlabel("年份", fontweight="bold")
        fig.savefig(tmp_path / "bold.png")
    finally:
        logger.removeHandler(handler)
    assert not [r for r in records if "findfont" in r.getMessage()], [r.getMessage() for r in records]


def test_chart_text_follows_the_language_and_the_title_names_the_chart():
    fig, ax = plots.new_axes()
    plots.finish(ax, title="Beds per 1,000 older people", source="panel.csv", illustrative=True, lang="en")
    assert fig._supxlabel.get_text() == "Source: panel.csv; illustrative data, not official statistics"
    assert plots.figure_title(fig) == "Beds per 1,000 older people"
    fig, axes = plots.new_axes(1, 2)
    axes[0].set_title("甲", loc="left")
    axes[1].set_title("乙")
    assert plots.figure_title(fig) == "甲 · 乙"
    fig.suptitle("总标题")
    assert plots.figure_title(fig) == "总标题"
    assert plots.label("year", "zh") == "年份" and plots.label("source", "en") == "Source"


def test_in_an_inline_kernel_a_chart_is_rendered_once_with_its_title_as_alt_text():
    """The inline backend renders the PNG; pyplot's end-of-cell redraw (a second full render) is dropped."""
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.terminal.interactiveshell import TerminalInteractiveShell
    from matplotlib.figure import Figure
    from PIL import Image

    plt.close("all")  # figures other tests left open would be shown too
    shell = TerminalInteractiveShell.instance()
    try:
        shell.enable_matplotlib("inline")
        shell.display_formatter.formatters["image/png"].enabled = True  # as in a Jupyter kernel
        fig, ax = plots.new_axes(figsize=(4, 3))
        ax.plot([2019, 2020], [1, 2])
        plots.finish(ax, title="养老床位", unit="张", source="示例")
        hooks = [getattr(cb, "__name__", "") for cb in shell.events.callbacks["post_execute"]]
        assert "flush_figures" in hooks  # the inline backend still shows figures
        assert "_draw_all_if_interactive" not in hooks
        data, metadata = shell.display_formatter.formatters["image/png"](fig)
        assert metadata["alt"] == "养老床位"
        width, height = Image.open(io.BytesIO(base64.b64decode(data))).size
        assert width > 4 * fig.dpi * 0.8 and height > 3 * fig.dpi * 0.8  # the figure at its own resolution
        drawn = []
        original = Figure.draw
        Figure.draw = lambda self, renderer: drawn.append(self) or original(self, renderer)
        try:
            fig.stale = True
            shell.events.trigger("post_execute")  # the end of the cell
        finally:
            Figure.draw = original
        assert drawn == [fig]  # the PNG only, drawn once (render.figure_png): no off-screen redraw, no dry run
    finally:
        plt.close("all")
        plt.switch_backend("Agg")
        TerminalInteractiveShell.clear_instance()
