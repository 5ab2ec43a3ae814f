"""A figure as PNG bytes, drawn once: what the report pages and the Word drafts embed.

``figure.savefig(format="png", bbox_inches="tight")`` (and Jupyter's inline backend, which calls it for every
figure a cell shows) draws a figure twice: once without painting, to run the layout engine and place everything
for the tight box, then once for the pixels. :func:`figure_png` measures the same box the same way without the
first draw and draws the figure once into it: the same pixels, pixel size and resolution in about two thirds of
the time. It then writes the PNG rows unfiltered at zlib level 3 instead of letting Pillow try five filters per
row at level 6: three times faster, for a file of about the same size.
"""
from __future__ import annotations

import contextlib
import io
import struct
import zlib

import matplotlib
import numpy as np
from matplotlib.axes import Axes

__all__ = ["GridAxes", "figure_png"]


def figure_png(figure, dpi: float) -> bytes:
    """The picture ``figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")`` writes, drawn once.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure; its canvas, resolution and layout engine are as they were afterwards.
    dpi : float
        Resolution of the picture (dots per inch), also written into its ``pHYs`` chunk.

    Returns
    -------
    bytes
        A PNG file (8-bit RGBA), pixel for pixel what savefig draws (``tests/plots/test_render.py`` compares
        them with and without a layout engine).
    """
    pad = matplotlib.rcParams["savefig.pad_inches"]
    if not isinstance(pad, int | float):  # "layout": savefig takes the layout engine's pads
        return _savefig_png(figure, dpi)
    engine = figure.get_layout_engine()
    box = _tight_box(figure, dpi, engine).padded(pad)
    raw = io.BytesIO()
    if engine is not None:  # laid out above; savefig draws a figure with any engine (even "none") twice
        with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            figure.set_layout_engine(None)  # None with these settings: no engine at all
    try:
        figure.savefig(raw, format="rgba", dpi=dpi, bbox_inches=box)
    finally:
        if engine is not None:
            figure.set_layout_engine(engine)
    rgba = raw.getvalue()
    # The canvas savefig sizes from the box: its size in pixels, truncated (rounding error may put it a hair below
    # a whole number, which then loses a pixel)
    for width in dict.fromkeys((int(box.width * dpi), round(box.width * dpi))):
        height, rest = divmod(len(rgba), 4 * width) if width else (0, 1)
        if not rest and abs(height - box.height * dpi) < 1:
            return _png(rgba, width, height, dpi)
    return _savefig_png(figure, dpi)  # pragma: no cover - a canvas sized otherwise


def _savefig_png(figure, dpi: float) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def _tight_box(figure, dpi: float, engine):
    """The figure's tight bounding box in inches as savefig measures it at *dpi* (the layout engine run first).

    On the canvas savefig would use: the figure's own if it is an Agg canvas (its window manager set aside, so
    that the change of dpi does not resize a window), else a new Agg canvas, as savefig switches to.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas, figure_dpi = figure.canvas, figure.dpi
    agg = canvas if isinstance(canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    manager, agg.manager = agg.manager, None
    try:
        figure.dpi = dpi
        renderer = agg.get_renderer()
        if engine is not None and figure.axes:
            with contextlib.suppress(ValueError):  # as Figure.draw does: a layout that cannot be made is skipped
                engine.execute(figure)
        return figure.get_tightbbox(renderer)
    finally:
        figure.dpi = figure_dpi
        agg.manager = manager
        figure.set_canvas(canvas)


def _png(rgba: bytes, width: int, height: int, dpi: float) -> bytes:
    """8-bit RGBA rows (top first) as a PNG file: rows unfiltered, zlib level 3, *dpi* in ``pHYs``."""
    rows = np.frombuffer(rgba, dtype=np.uint8).reshape(height, 4 * width)
    filtered = np.zeros((height, 4 * width + 1), dtype=np.uint8)  # each row starts with its filter, 0: none
    filtered[:, 1:] = rows
    per_metre = int(dpi / 0.0254 + 0.5)
    software = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"  # what savefig writes

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"".join((b"\x89PNG\r\n\x1a\n",
                     chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
                     chunk(b"tEXt", b"Software\x00" + software.encode("latin-1")),
                     chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
                     chunk(b"IDAT", zlib.compress(filtered.tobytes(), 3)),
                     chunk(b"IEND", b"")))


class GridAxes(Axes):
    """Axes of a grid of panels whose margins are fixed in inches (the fan grid, the trend multiples).

    Its tight box is the figure, so a tight picture (:func:`figure_png`, or ``savefig(bbox_inches="tight")`` as
    Jupyter's inline backend does) does not lay out every tick label once more to find what the fixed margins
    already give: the picture is the whole figure (its margins hold the tick labels and titles).
    """

    def get_tightbbox(self, renderer=None, **kwargs):
        """The figure's box (the grid's margins are fixed)."""
        return self.figure.bbox

    def draw(self, renderer):
        """Draw the panel, except in the dry run before a tight save, which only serves layout engines.

        ``savefig(bbox_inches="tight")`` first draws the whole figure with a renderer whose ``draw_*`` methods
        are replaced by no-ops on the instance (``RendererBase._draw_disabled``), so that layout engines can
        measure; this grid has no layout engine and fixed margins. Any other renderer draws normally.
        """
        if "draw_path" in vars(renderer):
            return
        super().draw(renderer)
