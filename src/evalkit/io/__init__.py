"""Reading panels and reference tables; writing outputs atomically.

One module per role: :mod:`~evalkit.io.grid` (bytes → cells: file kind, encoding, CSV and XLSX grids),
:mod:`~evalkit.io.panel` (cells → validated panel), :mod:`~evalkit.io.reference` (the shipped reference
tables), :mod:`~evalkit.io.excel` (CSV and workbook output) and :mod:`~evalkit.io.template` (the fill-in
workbook). The names below stay importable from ``evalkit.io``.
"""
from __future__ import annotations

from evalkit._shared.files import atomic_write
from evalkit._shared.files import sha256_file as file_sha256
from evalkit.io.collect import panel_files, read_panel
from evalkit.io.excel import write_csv, write_excel, write_panel, write_parquet
from evalkit.io.grid import detect_encoding
from evalkit.io.reference import prepare, read_reference, reference_panel
from evalkit.io.template import TEMPLATE_MARKER, write_template, write_templates

__all__ = [
    "TEMPLATE_MARKER",
    "atomic_write",
    "detect_encoding",
    "file_sha256",
    "panel_files",
    "prepare",
    "read_panel",
    "read_reference",
    "reference_panel",
    "write_csv",
    "write_excel",
    "write_panel",
    "write_parquet",
    "write_template",
    "write_templates",
]
