"""Composite indicators: score and rank units on a hierarchy of indicators, the way COINr does.

Inputs are COINr's two tables: *data* (one row per unit, one column per indicator, plus any group and
denominator columns; "iData") and *meta* (one row per indicator and aggregate: ``code``, ``level``,
``parent``, ``direction``, ``weight``, optionally ``denominator``, ``target``, names; "iMeta"). The
hierarchy can have any depth (indicator → category → index, or indicator → pillar → sub-index → index).

One module per role (as COINr has one R file per verb):

* :mod:`~evalkit.composite.hierarchy` — read and check *meta* (:class:`Hierarchy`, :func:`parse_meta`)
* :mod:`~evalkit.composite.steps` — denominate, screen, impute, treat outliers, normalise
* :mod:`~evalkit.composite.weights` — given, equal, entropy, PCA and AHP weights; effective weights
* :mod:`~evalkit.composite.aggregate` — arithmetic, geometric, harmonic means, vectorised over draws
* :mod:`~evalkit.composite.build` — :func:`build` (the steps as a table), :func:`rebuild`, :func:`from_panel`,
  named recipes (:data:`CITY_ASSESSMENT`, :func:`preset`, :func:`city_assessment`)
* :mod:`~evalkit.composite.sensitivity` — :func:`uncertainty`, :func:`sensitivity` (one :class:`Variations`
  value), :func:`remove_elements`, the Sobol estimators
* :mod:`~evalkit.composite.results` — the result objects and their tables in either language
* :mod:`~evalkit.composite.export` — :func:`export_excel`, every table in full in one workbook

Ranks: 1 is the highest score; tied scores share the lowest rank (1, 2, 2, 4). Reference checks:
``tests/reference/test_asem.py`` (COINr's ASEM example), ``tests/reference/test_ishigami.py`` (Sobol estimators
against analytic values) and ``tests/reference/test_sobol_salib.py`` (SALib on the same design).
"""
from __future__ import annotations

from evalkit.composite.aggregate import AGGREGATIONS, Aggregation, ZeroPolicy
from evalkit.composite.build import (
    CITY_ASSESSMENT,
    PRESETS,
    build,
    city_assessment,
    from_panel,
    preset,
    rebuild,
)
from evalkit.composite.export import export_excel
from evalkit.composite.hierarchy import Hierarchy, parse_meta
from evalkit.composite.results import (
    CompositeResult,
    RemovalResult,
    SensitivityResult,
    StepRecord,
    UncertaintyResult,
    factor_labels,
    top_bottom,
)
from evalkit.composite.sensitivity import (
    NORMALISATION_PRESETS,
    Variations,
    remove_elements,
    saltelli_design,
    sensitivity,
    sobol_indices,
    uncertainty,
)
from evalkit.composite.steps import Imputation, Normalisation, kurtosis, skewness
from evalkit.composite.weights import AHPResult, Weighting, ahp_weights, entropy_weights, pca_weights

__all__ = [
    "AGGREGATIONS",
    "CITY_ASSESSMENT",
    "NORMALISATION_PRESETS",
    "PRESETS",
    "AHPResult",
    "Aggregation",
    "CompositeResult",
    "Hierarchy",
    "Imputation",
    "Normalisation",
    "RemovalResult",
    "SensitivityResult",
    "StepRecord",
    "UncertaintyResult",
    "Variations",
    "Weighting",
    "ZeroPolicy",
    "ahp_weights",
    "build",
    "city_assessment",
    "entropy_weights",
    "export_excel",
    "factor_labels",
    "from_panel",
    "kurtosis",
    "parse_meta",
    "pca_weights",
    "preset",
    "rebuild",
    "remove_elements",
    "saltelli_design",
    "sensitivity",
    "skewness",
    "sobol_indices",
    "top_bottom",
    "uncertainty",
]
