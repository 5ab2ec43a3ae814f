"""Plan targets: completion, required versus actual growth, progress classes and status.

The 十三五 evaluation asks four questions about every plan indicator of a region: where did it start
(the baseline year, normally 2015), where did it end (2020), was the target met, and was the path fast
enough. :func:`assess` answers them in one table, one row per indicator. :func:`compare_national`
sets a region beside the national series, :func:`compare_peers` sets a city beside the other cities
of its province, and :func:`narrative` turns an assessment into short templated text per category.

Two families of measures are reported side by side:

* the Chinese plan-evaluation measures — both conventions of 完成率: the level ratio 实际/目标
  (``completion``) and the share of the required change (实际−基期)/(目标−基期) (``gap_closed``); the
  evaluation chooses which one sets the status 完成 / 基本完成 / 未完成 (``assess(basis=…)``), and an
  indicator that moved away from its target is never 完成 or 基本完成;
* the Eurostat SDG progress classes — the ratio of actual to required compound annual growth for
  indicators with a quantified target, and the ±1 %/yr trend rule for indicators without one.

Modules: :mod:`~evalkit.targets.measures` (statuses, classes, thresholds, growth),
:mod:`~evalkit.targets.inputs` (panel and targets contracts), :mod:`~evalkit.targets.rules` (how one row is
judged), :mod:`~evalkit.targets.assessment` (:func:`assess`), :mod:`~evalkit.targets.peers` (national and
peer comparison), :mod:`~evalkit.targets.text` (labels, narrative, method note) and
:mod:`~evalkit.targets.tables` (display tables, Styler, Excel).

Method reference
----------------
Eurostat, *Sustainable development in the European Union — Monitoring report on progress towards
the SDGs in an EU context*, 2023 edition (the seventh), Introduction and annex "Methodological notes:
assessment of indicator trends"; summarised in the Statistics Explained article "Overview of status
and progress of EU Member States towards the SDGs" (data extracted April 2023). The edition and
article identity were checked in the stored copy of that Statistics Explained page; its method
section was not readable there, so the thresholds below (≥95 % / 60–95 % / 0–60 % / <0 for targets,
±1 %/yr for trends) follow the project's methods reference (``shared/research/methods_reference.md``
§2, flagged there as recalled from the 2019–2024 editions). Every threshold is a parameter
(:class:`Thresholds`) so a reader who has the annex at hand can set it to the letter.
"""
from __future__ import annotations

from evalkit.targets.assessment import assess, assess_many, required_path, status_counts
from evalkit.targets.measures import (
    BASES,
    CONTEXT,
    MET,
    NATION,
    NEARLY_MET,
    NO_TARGET,
    NOT_ASSESSABLE,
    NOT_MET,
    STATUSES,
    TARGET_CLASSES,
    TARGET_TYPES,
    TREND_CLASSES,
    Thresholds,
    cagr,
    classify_progress,
    classify_trend,
)
from evalkit.targets.peers import PeerComparison, compare_national, compare_peers, peer_regions
from evalkit.targets.rules import ASSESSMENT_COLUMNS
from evalkit.targets.tables import (
    CLASS_LIGHTS,
    STATUS_LIGHTS,
    display_table,
    export_excel,
    national_table,
    peer_table,
    style_status,
    traffic_lights,
)
from evalkit.targets.text import label, method_note, narrative, target_text, unit_name

__all__ = [
    "ASSESSMENT_COLUMNS",
    "BASES",
    "CLASS_LIGHTS",
    "CONTEXT",
    "MET",
    "NATION",
    "NEARLY_MET",
    "NOT_ASSESSABLE",
    "NOT_MET",
    "NO_TARGET",
    "STATUSES",
    "STATUS_LIGHTS",
    "TARGET_CLASSES",
    "TARGET_TYPES",
    "TREND_CLASSES",
    "PeerComparison",
    "Thresholds",
    "assess",
    "assess_many",
    "cagr",
    "classify_progress",
    "classify_trend",
    "compare_national",
    "compare_peers",
    "display_table",
    "export_excel",
    "label",
    "method_note",
    "narrative",
    "national_table",
    "peer_regions",
    "peer_table",
    "required_path",
    "status_counts",
    "style_status",
    "target_text",
    "traffic_lights",
    "unit_name",
]
