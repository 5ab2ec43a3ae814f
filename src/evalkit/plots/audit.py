"""Charts for the data audit: coverage heat map."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import LinearSegmentedColormap

from evalkit import i18n
from evalkit.plots import finish, new_axes

__all__ = ["coverage_heatmap"]

_CMAP = LinearSegmentedColormap.from_list("coverage", ["#F2F2F2", "#9DB4CF", "#1F3A5F"])


def coverage_heatmap(share: pd.DataFrame, *, title: str, source: str | None = None, illustrative: bool = False,
                     lang: str = "zh", ax=None, years_on_x: bool = True):
    """Heat map of a coverage table (values 0–1), each cell labelled with its percentage.

    The figure is at most 10 inches wide — about the width of a report page — so that it is not scaled down on
    the page and its 7–8 pt labels stay legible in print (15 regions by 11 categories was 15.75 inches wide and
    shown at less than half size).
    """
    if ax is None:
        height = max(3.0, 0.28 * len(share.index) + 1.5)
        width = min(10.0, max(6.0, 0.5 * len(share.columns) + 3.5))
        _, ax = new_axes(figsize=(width, height))
    data = share.to_numpy(dtype=float)
    ax.imshow(data, cmap=_CMAP, vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(np.arange(len(share.columns)), [str(c) for c in share.columns],
                  rotation=0 if years_on_x else 35, ha="center" if years_on_x else "right", fontsize=8)
    ax.set_yticks(np.arange(len(share.index)), [str(i) for i in share.index], fontsize=8)
    ax.grid(False)
    for (i, j), v in np.ndenumerate(data):
        ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=7, color="white" if v > 0.6 else "#333333")
    ax.set_xlabel(i18n.t("audit.coverage_axis", lang))
    return finish(ax, title=title, source=source, illustrative=illustrative, lang=lang, years=None)
