"""Column contracts for the panel and the reference tables, and the checks that enforce them.

A *raw* panel is what a reader gets out of a file: one row per observation with text cells and the
spreadsheet row (and column) each came from. :func:`check_panel` turns it into the canonical panel —
``region`` (6-digit code, text), ``year`` (int), ``indicator`` (catalogue code), ``value`` (float, in
the catalogue unit), ``source``, ``status``, ``note`` — or raises one error that lists every problem.

One module per role: :mod:`~evalkit.schema.columns` (the contracts and accepted spellings),
:mod:`~evalkit.schema.lookup` (what a cell names), :mod:`~evalkit.schema.checks` (one check per field) and
:mod:`~evalkit.schema.panel` (the panel check that runs them). The names below stay importable from
``evalkit.schema``.
"""
from __future__ import annotations

from evalkit.schema.checks import (
    Cells,
    Checked,
    check_indicator,
    check_name,
    check_region,
    check_status,
    check_unit,
    check_value,
    check_year,
)
from evalkit.schema.columns import (
    HEADER_ALIASES,
    OPTIONAL_INPUT_COLUMNS,
    PANEL_COLUMNS,
    REFERENCE_COLUMNS,
    REQUIRED_COLUMNS,
    STATUS_ALIASES,
    STATUS_VALUES,
    YEAR_RANGE,
    canonical_header,
    check_reference,
    parse_year,
    read_reference_csv,
    type_reference,
)
from evalkit.schema.lookup import closest_code, region_lookup
from evalkit.schema.panel import check_duplicates, check_panel

__all__ = [
    "HEADER_ALIASES",
    "OPTIONAL_INPUT_COLUMNS",
    "PANEL_COLUMNS",
    "REFERENCE_COLUMNS",
    "REQUIRED_COLUMNS",
    "STATUS_ALIASES",
    "STATUS_VALUES",
    "YEAR_RANGE",
    "Cells",
    "Checked",
    "canonical_header",
    "check_duplicates",
    "check_indicator",
    "check_name",
    "check_panel",
    "check_reference",
    "check_region",
    "check_status",
    "check_unit",
    "check_value",
    "check_year",
    "closest_code",
    "parse_year",
    "read_reference_csv",
    "region_lookup",
    "type_reference",
]
