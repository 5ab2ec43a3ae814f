"""The reference tables shipped in ``data/reference`` (regions, indicators, targets, pilots, real series)."""
from __future__ import annotations

import pandas as pd

from evalkit import catalogue, paths, regions, schema
from evalkit._shared.checks import suggest
from evalkit.errors import FileFormatError, ParameterError
from evalkit.io.panel import read_panel_file as read_panel

__all__ = ["REFERENCE_TABLES", "prepare", "read_reference", "reference_panel"]

REFERENCE_TABLES = ("regions", "indicators", "targets", "pilots", "national_series", "liaoning_series",
                    "seed_2020_figures", "divisions", "division_changes")


def read_reference(name: str) -> pd.DataFrame:
    """A reference table from ``data/reference/<name>.csv``; codes stay text (``000000``).

    ``national_series`` and ``liaoning_series`` are panels and come back validated like one.
    """
    if name not in REFERENCE_TABLES:
        raise ParameterError(f"unknown reference table {name!r}{suggest(name, REFERENCE_TABLES)}; "
                             f"choose from {', '.join(REFERENCE_TABLES)}")
    path = paths.reference_tables_dir() / f"{name}.csv"
    if not path.is_file():
        raise FileFormatError(f"reference table not found: {path}", path=path)
    if name in ("national_series", "liaoning_series"):
        return read_panel(path, layout="long")
    return schema.read_reference_csv(name, path)


def reference_panel() -> pd.DataFrame:
    """All real figures shipped in ``data/reference`` (national and Liaoning series) as one panel."""
    return pd.concat([read_reference("national_series"), read_reference("liaoning_series")], ignore_index=True)


def prepare() -> None:
    """Read the shipped tables every panel check uses and build its region-name lookup, once per process.

    The indicator catalogue, the regions, the national division table with its code changes, and the lookup
    of every region code and name (3,000 units; about 0.1 s to build). Each is cached on first use anyway; the
    batch runner calls this in its fork server so that every kernel forked from it starts with them.
    """
    from evalkit import i18n
    from evalkit.schema.lookup import cached_region_lookup

    catalogue.indicators()
    cached_region_lookup(regions.table(), tuple(catalogue.regions().index))
    regions.changes()
    i18n.catalogue()
