"""Choropleth maps of any set of region codes, drawn offline in the house style.

:func:`choropleth` is the one drawing function (numbers on a sequential scale with a colour bar, or categories
with a legend); :func:`score_map`, :func:`pilot_map`, :func:`place_map` and :func:`indicator_map` are the four
maps the notebooks show. Every map has a title, a legend with its unit, a north arrow, the source line and the
illustrative mark of :func:`evalkit.plots.finish`, names in the report's language, and an alt text
(:func:`alt_text`) that says it is a map. The projection is an Albers conic fitted to the units drawn
(:mod:`evalkit.maps.projection`), so north is up whatever the province.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath

from evalkit import catalogue, i18n
from evalkit._shared.checks import check_choice, check_lang
from evalkit._shared.codes import normalise_code, parent_code
from evalkit._shared.numbers import format_figure, is_missing
from evalkit.errors import ParameterError
from evalkit.maps.projection import Albers, fit_albers
from evalkit.maps.shapes import boundaries, boundary
from evalkit.plots import PALETTE, finish, new_axes

__all__ = ["alt_text", "choropleth", "indicator_map", "pilot_map", "place_map", "region_label", "score_map"]

_NO_DATA = "#E0E0E0"
_EDGE = "#FFFFFF"
_OUTLINE = "#404040"
_SEQUENTIAL = "YlGnBu"


def region_label(code: str, lang: str = "zh") -> str:
    """The unit's name in *lang*: the catalogue's name, else the boundary source's Chinese name (zh) or the code."""
    try:
        return catalogue.region_name(code, lang)
    except ParameterError:
        return boundary(code).name_zh if lang == "zh" else code


def alt_text(ax) -> str:
    """The alt text of a map drawn by this module (``地图：<title>`` / ``Map: <title>``)."""
    return ax.figure.get_label()


def _values(values, name: str = "values") -> pd.Series:
    if isinstance(values, Mapping):
        values = pd.Series(values, dtype=object)
    if not isinstance(values, pd.Series):
        raise ParameterError(f"{name} must be a pandas Series or a mapping of region code to value, "
                             f"got {type(values).__name__}")
    if values.empty:
        raise ParameterError(f"{name} is empty: give at least one region code and its value")
    out = values.copy()
    out.index = [normalise_code(c, name=f"{name} region code") for c in values.index]
    if out.index.duplicated().any():
        raise ParameterError(f"{name}: region code {out.index[out.index.duplicated()][0]!r} is given twice")
    return out


@lru_cache(maxsize=64)
def _projected(codes: tuple[str, ...]) -> tuple[Albers, dict[str, tuple[np.ndarray, ...]]]:
    """Projected rings of *codes* (cached: one map of the same units does the geometry once)."""
    found = boundaries(codes)
    bounds = np.array([b.bounds for b in found.values()])
    proj = fit_albers((bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()))
    return proj, {c: tuple(proj.ring(r) for r in b.rings) for c, b in found.items()}


def _path(rings: Sequence[np.ndarray]) -> MplPath:
    verts, codes = [], []
    for ring in rings:
        verts.append(ring)
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 2) + [MplPath.CLOSEPOLY]
    return MplPath(np.concatenate(verts), codes)


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def _anchor(rings: Sequence[np.ndarray]) -> tuple[float, float]:
    """Area centroid of the largest ring (where the name goes)."""
    def signed(r):
        x, y = r[:, 0], r[:, 1]
        return float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2
    ring = max(rings, key=lambda r: abs(signed(r)))
    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2
    if a == 0:
        return float(x.mean()), float(y.mean())
    return float(((x + np.roll(x, -1)) * cross).sum() / (6 * a)), float(((y + np.roll(y, -1)) * cross).sum() / (6 * a))


def _outline_code(codes: Sequence[str]) -> str | None:
    parents = {parent_code(c) for c in codes}
    if len(parents) != 1:
        return None
    parent = parents.pop()
    try:
        boundary(parent)
    except ParameterError:
        return None
    return parent


def _north_arrow(ax, lang: str) -> None:
    ax.annotate(i18n.t("maps.north", lang), xy=(0.97, 0.97), xytext=(0.97, 0.86), xycoords="axes fraction",
                ha="center", va="center", fontsize=9,
                arrowprops={"arrowstyle": "-|>", "color": _OUTLINE, "lw": 1.2})


def _label_text(code: str, value, *, numeric: bool, decimals: int | None, lang: str) -> str:
    if value is None:
        return region_label(code, lang)
    if not numeric:
        shown = str(value)
    elif decimals is None:
        shown = format_figure(value)
    else:
        shown = f"{float(value):,.{decimals}f}"
    return region_label(code, lang) + "\n" + shown


def _draw_labels(ax, shapes, series: pd.Series, missing: pd.Series, *, numeric: bool, decimals: int | None,
                 label_values: bool, annotations: Mapping | None, lang: str) -> None:
    """Names (and values, annotations) at each unit's centroid; units too small for a name stay unnamed."""
    codes = list(series.index)
    areas = {c: sum(_ring_area(r) for r in shapes[c]) for c in codes}
    total = sum(areas.values())
    for code in codes:
        if areas[code] < 0.006 * total and len(codes) > 16:
            continue  # too small to carry a name legibly (city districts)
        x, y = _anchor(shapes[code])
        value = series[code] if label_values and not missing[code] else None
        text = _label_text(code, value, numeric=numeric, decimals=decimals, lang=lang)
        if annotations and code in annotations:
            text += "\n" + str(annotations[code])
        ax.text(x, y, text, ha="center", va="center", fontsize=7 if len(codes) <= 16 else 5.5,
                color="#111111", linespacing=1.1,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.6, "edgecolor": "none"})


def _continuous_faces(ax, numeric: pd.Series, missing: pd.Series, *, unit: str | None, cmap: str) -> dict:
    finite = numeric[~missing].astype(float)
    vmin, vmax = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    norm = mpl.colors.Normalize(vmin=vmin, vmax=vmax)
    colormap = mpl.colormaps[cmap]
    bar = ax.figure.colorbar(mpl.cm.ScalarMappable(norm=norm, cmap=colormap), ax=ax, shrink=0.6, pad=0.02)
    bar.set_label(unit or "")
    bar.outline.set_visible(False)
    return {c: _NO_DATA if missing[c] else colormap(norm(float(numeric[c]))) for c in numeric.index}


def _category_faces(series: pd.Series, missing: pd.Series, *, order, colours, category_labels) -> tuple[dict, list]:
    present = [v for v in (order or pd.unique(series[~missing])) if (series == v).any()]
    colours = dict(colours or {})
    for i, v in enumerate(present):
        colours.setdefault(v, PALETTE[i % len(PALETTE)])
    names = category_labels or {}
    handles = [Patch(facecolor=colours[v], edgecolor="none", label=str(names.get(v, v))) for v in present]
    return {c: _NO_DATA if missing[c] else colours[series[c]] for c in series.index}, handles


def choropleth(values, *, title: str, unit: str | None = None, kind: str = "auto", order: Sequence | None = None,
               category_labels: Mapping | None = None, colours: Mapping | None = None, labels: bool | None = None,
               label_values: bool = False, decimals: int | None = None, annotations: Mapping | None = None,
               highlight: str | None = None,
               outline: bool = True, source: str | None = None, illustrative: bool = False, lang: str = "zh",
               cmap: str = _SEQUENTIAL, ax=None):
    """Draw units coloured by their value and return the axes.

    Parameters
    ----------
    values : pandas.Series or mapping
        One value per 6-digit region code (cities, counties, or a mix); missing values are drawn grey and
        listed in the legend as "no data".
    title : str
        The map's title (also its alt text, prefixed with 地图 / Map).
    unit : str, optional
        Unit of the values, shown on the colour bar (numbers) or in the legend title (categories).
    kind : {"auto", "continuous", "categorical"}
        ``auto`` is continuous for numbers, categorical otherwise.
    order, category_labels, colours
        For categories: their order in the legend, the text shown for each, and a colour per category.
    labels : bool, optional
        Write unit names on the map (default: when at most 30 units are drawn).
    label_values : bool
        Add the value under each name.
    annotations : mapping, optional
        Text added under the name of each code it holds (e.g. the rank).
    highlight : str, optional
        A code drawn with a thick outline (a unit's place among its peers).
    outline : bool
        Draw the outline of the parent unit when all units share one (the province around its cities).
    source, illustrative, lang
        As in :func:`evalkit.plots.finish`: the source line and the illustrative-data mark.

    Raises
    ------
    ParameterError
        A code that is not a region code, a code without a boundary, a bad ``kind`` or ``lang``.
    """
    check_lang(lang)
    check_choice("kind", kind, ("auto", "continuous", "categorical"))
    series = _values(values)
    if highlight is not None:
        highlight = normalise_code(highlight, name="highlight")
        if highlight not in series.index:
            raise ParameterError(f"highlight {highlight!r} is not among the codes of the map; "
                                 f"give one of {', '.join(series.index[:5])}…")
    codes = tuple(series.index)
    parent = _outline_code(codes) if outline else None
    _, shapes = _projected(codes + ((parent,) if parent else ()))
    numeric = pd.to_numeric(series, errors="coerce")
    if kind == "auto":
        kind = "continuous" if numeric.notna().sum() == series.map(lambda v: not is_missing(v)).sum() else "categorical"
    if ax is None:
        _, ax = new_axes(figsize=(7.5, 6.2))
    fig = ax.figure
    missing = series.map(is_missing)
    handles: list = []
    if kind == "continuous":
        face = _continuous_faces(ax, numeric, missing, unit=unit, cmap=cmap)
    else:
        face, handles = _category_faces(series, missing, order=order, colours=colours,
                                        category_labels=category_labels)
    if missing.any():
        handles.append(Patch(facecolor=_NO_DATA, edgecolor="none", label=i18n.t("maps.no_data", lang)))
    # add_artist, and the data limits from the rings' vertices once: add_patch walks every patch's Bézier
    # segments to find the same limits (a ring's last point closes it and is not drawn), which took half the
    # time of building a map
    for code in codes:
        ax.add_artist(PathPatch(_path(shapes[code]), facecolor=face[code], edgecolor=_EDGE, linewidth=0.6))
    if parent:
        ax.add_artist(PathPatch(_path(shapes[parent]), facecolor="none", edgecolor=_OUTLINE, linewidth=1.1))
    if highlight:
        ax.add_artist(PathPatch(_path(shapes[highlight]), facecolor="none", edgecolor=PALETTE[1], linewidth=2.4))
    ax.update_datalim(np.concatenate([ring[:-1] for code in (*codes, *([parent] if parent else []))
                                      for ring in shapes[code]]))
    if labels is None:
        labels = len(codes) <= 30
    if labels:
        _draw_labels(ax, shapes, series, missing, numeric=kind == "continuous", decimals=decimals,
                     label_values=label_values, annotations=annotations, lang=lang)
    if handles:
        ax.legend(handles=handles, title=unit, loc="lower right", fontsize=8, title_fontsize=8)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_axis_off()
    _north_arrow(ax, lang)
    finish(ax, title=title, source=source, illustrative=illustrative, lang=lang, years=None)
    fig.set_label(i18n.t("maps.alt", lang, title=title))
    return ax


def score_map(scores, *, ranks=None, title: str | None = None, unit: str | None = None, source: str | None = None,
              illustrative: bool = False, lang: str = "zh", ax=None):
    """The composite score of each unit, its rank under its name (``city_assessment``).

    *scores* is a Series by region code (e.g. ``result.scores[result.index_code]``); *ranks* (optional) a Series
    of ranks by the same codes.
    """
    series = _values(scores, "scores").astype(float)
    notes = {}
    if ranks is not None:
        notes = {c: i18n.t("maps.rank", lang, rank=int(r)) for c, r in _values(ranks, "ranks").items()
                 if not is_missing(r)}
    return choropleth(series, title=title or i18n.t("maps.title_score", lang),
                      unit=unit or i18n.t("maps.unit_score", lang), kind="continuous", annotations=notes,
                      source=source, illustrative=illustrative, lang=lang, ax=ax)


_UNKNOWN = "unknown"


def _batch_year(value: object) -> int | str | None:
    """A pilot's year of entry: an int, ``None`` for never a pilot, ``"unknown"`` for an unconfirmed batch."""
    if is_missing(value) or value == 0 or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return _UNKNOWN


def pilot_map(batches, *, codes: Sequence[str] | None = None, title: str | None = None, source: str | None = None,
              illustrative: bool = False, lang: str = "zh", ax=None):
    """Pilot batches by year of entry (``pilot_impact``): one colour per batch year, units never in a pilot grey.

    *batches* maps a region code to its year of entry (``NaN``/``None``/``0`` = not a pilot; text such as
    ``"unknown"`` = a pilot whose batch is not confirmed, drawn apart); *codes* adds units with no entry (drawn as
    not a pilot), e.g. all the cities of the province. ``io.read_reference("pilots").set_index("region")["year"]``
    is such a mapping.
    """
    series = _values(batches, "batches").astype(object)
    years_by_code = {c: _batch_year(v) for c, v in series.items()}
    for code in codes or ():
        years_by_code.setdefault(normalise_code(code, name="codes"), None)
    never, unknown = i18n.t("maps.not_pilot", lang), i18n.t("maps.unknown_batch", lang)
    years = sorted({v for v in years_by_code.values() if isinstance(v, int)})
    cats = pd.Series({c: never if v is None else unknown if v == _UNKNOWN else v for c, v in years_by_code.items()},
                     dtype=object)
    labels_ = {y: i18n.t("maps.batch", lang, year=y) for y in years}
    colours = {y: PALETTE[i % len(PALETTE)] for i, y in enumerate(years)} | {never: "#C8C8C8", unknown: "#8C8C8C"}
    return choropleth(cats, title=title or i18n.t("maps.title_pilots", lang), unit=i18n.t("maps.unit_batch", lang),
                      kind="categorical", order=[*years, unknown, never], category_labels=labels_, colours=colours,
                      source=source, illustrative=illustrative, lang=lang, ax=ax)


def place_map(region: str, values, *, title: str | None = None, unit: str | None = None,
              source: str | None = None, illustrative: bool = False, lang: str = "zh", ax=None):
    """A unit's place among its peers (``city_profile``): peers shaded by *values*, *region* outlined in red."""
    region = normalise_code(region, name="region")
    series = _values(values)
    return choropleth(series, title=title or i18n.t("maps.title_place", lang, name=region_label(region, lang)),
                      unit=unit, highlight=region, source=source, illustrative=illustrative, lang=lang, ax=ax)


def indicator_map(panel: pd.DataFrame, indicator: str, *, year: int, codes: Sequence[str] | None = None,
                  highlight: str | None = None, title: str | None = None, source: str | None = None,
                  illustrative: bool | None = None, lang: str = "zh", ax=None):
    """One indicator by unit in one year from a long panel (``fyp13_evaluation``).

    *codes* are the units drawn (default: the units of the panel's rows at city level). The unit comes from
    the catalogue; ``illustrative`` defaults to whether any value drawn has ``status == "illustrative"``;
    ``highlight`` outlines one unit (a city's place among the others, ``city_profile``).
    """
    rows = panel[(panel["indicator"] == indicator) & (panel["year"] == int(year))]
    if codes is None:
        codes = sorted(c for c in rows["region"].astype(str).unique() if c.endswith("00") and not c.endswith("0000"))
    if not len(codes):
        raise ParameterError(f"indicator {indicator!r}, year {year}: the panel has no city rows to map; "
                             "give codes= or check the indicator and year")
    rows = rows[rows["region"].astype(str).isin(codes)]
    series = rows.set_index(rows["region"].astype(str))["value"].reindex(list(codes))
    if illustrative is None:
        illustrative = bool("status" in rows and (rows["status"] == "illustrative").any())
    meta = catalogue.indicator(indicator)
    title = title or i18n.t("maps.title_indicator", lang, name=meta.name(lang), year=int(year))
    return choropleth(series.astype(float), title=title, unit=meta.unit, kind="continuous", highlight=highlight,
                      label_values=True, source=source, illustrative=illustrative, lang=lang, ax=ax)
