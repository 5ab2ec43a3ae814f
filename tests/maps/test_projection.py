"""Albers equal-area conic against Snyder's worked example, and the fit to an area."""
from __future__ import annotations

import numpy as np
import pytest

from evalkit.maps import Albers, fit_albers


def test_snyder_numerical_example_for_the_sphere():
    # Snyder (1987), Map Projections — A Working Manual, USGS PP 1395, p. 291: Albers on the sphere, R = 1,
    # standard parallels 29.5° and 45.5° N, origin 23° N 96° W; the point 35° N 75° W projects to
    # x = 0.2952720, y = 0.2416774.
    proj = Albers(lat1=29.5, lat2=45.5, lat0=23.0, lon0=-96.0)
    x, y = proj(-75.0, 35.0)
    assert float(x) == pytest.approx(0.2952720, abs=1e-6)
    assert float(y) == pytest.approx(0.2416774, abs=1e-6)


def test_fitted_projection_is_north_up_on_the_central_meridian():
    proj = fit_albers((118.8, 38.7, 125.8, 43.5))  # Liaoning
    assert proj.lon0 == pytest.approx(122.3) and 38.7 < proj.lat1 < proj.lat2 < 43.5
    x, y = proj(np.array([122.3, 122.3]), np.array([40.0, 42.0]))
    assert x[0] == pytest.approx(0.0) and x[1] == pytest.approx(0.0) and y[1] > y[0]
