"""The house style for every evalkit chart.

* Chinese renders on a fresh machine: the Noto Sans CJK SC font ships inside the ``mplfonts``
  package (a PyPI dependency), is registered with matplotlib on import and put first in the font
  list — no system font is assumed. Only the regular face ships, so it is registered for the bold
  weight too (bold titles then draw in the regular face): no ``findfont`` warning ever reaches a page.
* Chart text (source line, notices) comes from the message catalogue (``plots.*``), in the chart's ``lang``.
* In a Jupyter kernel every figure's PNG carries an alt text, the figure's title (``alt`` metadata, which
  nbconvert writes into the report's ``<img>``).
* Years on an axis are integers (no ``2,017.5`` ticks).
* Every chart has a title, the unit on the value axis, and a source line under the plot
  (:func:`finish`); charts that show illustrative values say so in the source line.

Chart functions take an ``ax`` (or create one) and return it. Area-specific charts live in
``evalkit.plots.<area>`` and build on these helpers.
"""
from __future__ import annotations

import base64
import importlib.resources
from collections.abc import Iterable
from functools import lru_cache, partial
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.ticker import FuncFormatter, MaxNLocator

from evalkit._shared.checks import Lang
from evalkit.errors import EvalkitError
from evalkit.i18n import t
from evalkit.plots.render import figure_png

__all__ = [
    "PALETTE",
    "STATUS_COLOURS",
    "bar_chart",
    "cjk_font_path",
    "figure_title",
    "finish",
    "label",
    "line_chart",
    "new_axes",
    "new_figure",
    "use_house_style",
    "year_axis",
]

#: Colours chosen to stay distinguishable in print and for common colour-vision deficiencies.
PALETTE = ["#1F3A5F", "#D1495B", "#EDAE49", "#00798C", "#66A182", "#8E6C8A", "#30638E", "#A0A0A0"]
STATUS_COLOURS = {"good": "#2E7D32", "fair": "#F9A825", "poor": "#C62828", "na": "#9E9E9E"}
_FONT_FILE = "NotoSansCJKsc-Regular.otf"

def label(key: str, lang: Lang = "zh") -> str:
    """A chart text from the catalogue (``plots.label.<key>``: ``source``, ``illustrative``, ``year``) in *lang*."""
    return t(f"plots.label.{key}", lang)


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the bundled CJK font (from the ``mplfonts`` package)."""
    try:
        path = Path(str(importlib.resources.files("mplfonts") / "fonts" / _FONT_FILE))
    except ModuleNotFoundError as exc:  # pragma: no cover - dependency of evalkit
        raise EvalkitError("the mplfonts package is missing; run `make run` or `pip install -e .`") from exc
    if not path.is_file():  # pragma: no cover
        raise EvalkitError(f"the CJK font {path} is missing; reinstall mplfonts")
    return path


def use_house_style() -> str:
    """Register the CJK font and set the house rcParams (once a process); returns the font family name.

    In an IPython kernel it also makes every figure's PNG carry its title as alt text and draws it once
    (:func:`_add_alt_text`): every chart function calls this before it draws, so a chart that is the first of a
    kernel is covered even when the style was set before the kernel started (the batch's fork server sets it).
    """
    family = _house_style()
    _add_alt_text()
    return family


@lru_cache(maxsize=1)
def _house_style() -> str:
    path = cjk_font_path()
    family = font_manager.FontProperties(fname=str(path)).get_name()
    manager = font_manager.fontManager
    has_bold = any(f.name == family and f.weight in (600, 700, 800, 900, "bold", "semibold", "heavy", "black")
                   for f in manager.ttflist)
    if not has_bold:  # the regular file also answers for the bold weight (titles): no findfont fallback warning
        manager.ttflist.append(font_manager.FontEntry(fname=str(path), name=family, style="normal",
                                                      variant="normal", weight=700, stretch="normal",
                                                      size="scalable"))
    manager.addfont(str(path))  # also clears matplotlib's lookup cache
    matplotlib.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,  # the CJK font has no U+2212 glyph at small sizes
        # FreeType draws the outlines as they are instead of fitting them to the pixel grid first: the CJK
        # glyphs look the same at report sizes and every chart draws about 7 % faster
        "text.hinting": "no_hinting",
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "figure.figsize": (8, 4.5),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "legend.frameon": False,
        "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    })
    return family


def figure_title(fig) -> str:
    """The title of a figure for its alt text: the suptitle, else the titles of its axes (left, centre)."""
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(suptitle.get_text().strip())
    else:
        for ax in fig.axes:
            for loc in ("left", "center"):
                text = ax.get_title(loc=loc).strip()
                if text and text not in parts:
                    parts.append(text)
    return " · ".join(parts[:3]) + (" …" if len(parts) > 3 else "")


def _add_alt_text() -> None:
    """In an IPython kernel, make the PNG of every figure carry its title as ``alt`` metadata.

    Also, under the inline backend, skip pyplot's redundant redraw (:func:`_skip_idle_redraw`) and draw each
    figure once for its PNG (:func:`evalkit.plots.render.figure_png`) rather than twice.
    """
    import sys

    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters.get("image/png")
    try:
        current = png.lookup_by_type(Figure)
    except (KeyError, AttributeError):
        return
    if getattr(current, "_evalkit_alt", False):
        return
    _skip_idle_redraw()

    # IPython's own PNG printer with its default settings (a tight box at the figure's dpi) is replaced by
    # render.figure_png: the same picture, drawn once instead of twice
    default = (isinstance(current, partial) and getattr(current.func, "__name__", "") == "print_figure"
               and current.keywords == {"fmt": "png", "base64": True, "bbox_inches": "tight"})

    def with_alt(fig, _render=current):
        if default:
            data = (base64.b64encode(figure_png(fig, fig.dpi)).decode("ascii")
                    if fig.axes or fig.lines else None)  # as IPython: nothing for an empty figure
        else:
            data = _render(fig)
        if data is None:
            return None
        metadata = {}
        if isinstance(data, tuple):
            data, metadata = data
        title = figure_title(fig)
        return (data, {**(metadata or {}), "alt": title}) if title else (data, metadata or {})

    with_alt._evalkit_alt = True  # type: ignore[attr-defined]
    png.for_type(Figure, with_alt)


def _skip_idle_redraw() -> None:
    """Under the inline backend, drop pyplot's end-of-cell redraw of every changed figure.

    The inline backend shows a figure by rendering it to PNG at the end of the cell; pyplot's own
    post-execute hook (meant for windowed backends) first draws each changed figure on an off-screen
    canvas nobody sees, a full render that took a quarter of the charts' time. Other backends (e.g.
    ipympl's widgets in JupyterLab) keep it.
    """
    if "inline" in matplotlib.get_backend():
        plt.uninstall_repl_displayhook()


def new_figure(*, figsize: tuple[float, float], **kwargs):
    """``plt.figure`` in the house style, without Axes (grids of panels add their own), alt text included."""
    use_house_style()
    fig = plt.figure(figsize=figsize, **kwargs)
    _add_alt_text()  # the inline backend registers its PNG formatter with the first figure
    return fig


def new_axes(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None, **kwargs):
    """``plt.subplots`` in the house style."""
    use_house_style()
    kwargs.setdefault("layout", "constrained")
    made = plt.subplots(nrows, ncols, figsize=figsize, **kwargs)
    _add_alt_text()  # the inline backend registers its PNG formatter with the first figure
    return made


def year_axis(ax, axis: str = "x"):
    """Integer year ticks on *axis* (no thousands separator, no fractional years)."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    return ax


def finish(ax, *, title: str, unit: str | None = None, source: str | None = None,
           illustrative: bool = False, lang: str = "zh", years: str | None = "x", unit_axis: str = "y"):
    """Title, unit label, integer years and a source line: what every chart must carry.

    Parameters
    ----------
    title
        Chart title (required: an untitled chart is not finished).
    unit
        Unit of the values, shown on the value axis (e.g. ``元/人·月``).
    source
        Where the figures come from; ``illustrative=True`` appends the illustrative-data notice.
    years
        ``"x"``/``"y"`` for the axis that carries years, ``None`` if none does.
    """
    if not title:
        raise EvalkitError("every chart needs a title")
    use_house_style()
    _add_alt_text()  # the inline backend may have re-registered its formatter since
    ax.set_title(title, loc="left")
    if unit:
        (ax.set_ylabel if unit_axis == "y" else ax.set_xlabel)(unit)
    if years:
        year_axis(ax, years)
    parts = []
    if source:
        parts.append(t("plots.source", lang, source=source))
    if illustrative:
        parts.append(label("illustrative", lang))
    if parts:
        fig = ax.figure
        text = t("plots.separator", lang).join(parts)
        # supxlabel is laid out by the constrained layout engine, so the line never overlaps tick labels
        fig.supxlabel(text, x=0.01, ha="left", fontsize=7.5, color="#555555")
        if fig.get_layout_engine() is None:
            fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, min(0.16, 0.9 / fig.get_figheight())))
    return ax


def line_chart(frame, *, x: str, y: str, group: str | None = None, ax=None, title: str,
               unit: str | None = None, source: str | None = None, illustrative: bool = False,
               lang: str = "zh", labels: dict | None = None, marker: str = "o"):
    """Lines of *y* over *x* (years), one per *group*, in the house style."""
    if ax is None:
        _, ax = new_axes()
    groups: Iterable = [(None, frame)] if group is None else frame.groupby(group, sort=False)
    for key, part in groups:
        part = part.sort_values(x)
        name = (labels or {}).get(key, key)
        ax.plot(part[x], part[y], marker=marker, markersize=4, linewidth=1.8, label=name)
    if group is not None:
        ax.legend(fontsize=8, ncols=2 if frame[group].nunique() > 6 else 1)
    return finish(ax, title=title, unit=unit, source=source, illustrative=illustrative, lang=lang)


def bar_chart(series, *, ax=None, title: str, unit: str | None = None, source: str | None = None,
              illustrative: bool = False, lang: str = "zh", horizontal: bool = True, highlight=None,
              value_format: str = "{:,.1f}"):
    """Bars of a labelled series (largest first), values printed at the bar ends."""
    if ax is None:
        _, ax = new_axes(figsize=(8, max(3, 0.32 * len(series) + 1)) if horizontal else None)
    series = series.sort_values(ascending=horizontal)
    colours = [PALETTE[1] if highlight is not None and idx == highlight else PALETTE[0] for idx in series.index]
    if horizontal:
        bars = ax.barh([str(i) for i in series.index], series.to_numpy(), color=colours)
        ax.grid(axis="y", visible=False)
    else:
        bars = ax.bar([str(i) for i in series.index], series.to_numpy(), color=colours)
        ax.grid(axis="x", visible=False)
    ax.bar_label(bars, labels=[value_format.format(v) for v in series.to_numpy()], fontsize=7.5, padding=2)
    return finish(ax, title=title, unit=unit, source=source, illustrative=illustrative, lang=lang, years=None,
                  unit_axis="x" if horizontal else "y")
