"""A north-up equal-area projection fitted to the area on the map: Albers conic on the sphere.

Snyder, J. P. (1987), *Map Projections — A Working Manual*, U.S. Geological Survey Professional Paper 1395,
§14 (Albers Equal-Area Conic), equations 14-1 to 14-4 for the sphere; the test checks Snyder's numerical
example for the sphere. The standard parallels are put at one sixth and five sixths of the area's latitude
range (Deetz & Adams' rule of thumb), the central meridian and the origin at its middle, so meridians converge
gently and north is up along the central meridian.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Albers", "fit_albers"]


@dataclass(frozen=True)
class Albers:
    """Albers equal-area conic on the unit sphere (degrees in, unit-sphere lengths out)."""

    lat1: float
    lat2: float
    lat0: float
    lon0: float

    def __call__(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """Project longitudes and latitudes (degrees) to ``(x, y)`` on the unit sphere."""
        phi1, phi2, phi0 = np.radians([self.lat1, self.lat2, self.lat0])
        n = (np.sin(phi1) + np.sin(phi2)) / 2
        c = np.cos(phi1) ** 2 + 2 * n * np.sin(phi1)
        rho0 = np.sqrt(c - 2 * n * np.sin(phi0)) / n
        phi = np.radians(np.asarray(lat, dtype=float))
        theta = n * np.radians(np.asarray(lon, dtype=float) - self.lon0)
        rho = np.sqrt(c - 2 * n * np.sin(phi)) / n
        return rho * np.sin(theta), rho0 - rho * np.cos(theta)

    def ring(self, ring: np.ndarray) -> np.ndarray:
        """Project an ``(n, 2)`` lon/lat array."""
        x, y = self(ring[:, 0], ring[:, 1])
        return np.column_stack([x, y])


def fit_albers(bounds: tuple[float, float, float, float]) -> Albers:
    """The projection for an area with ``(lon_min, lat_min, lon_max, lat_max)``."""
    lon_min, lat_min, lon_max, lat_max = bounds
    span = max(lat_max - lat_min, 0.5)
    mid = (lat_min + lat_max) / 2
    return Albers(lat1=mid - span / 3, lat2=mid + span / 3, lat0=mid, lon0=(lon_min + lon_max) / 2)
