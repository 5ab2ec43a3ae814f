"""Word drafts a civil-affairs department circulates, built from evalkit's results in the GB/T 9704 layout.

* :func:`evaluation_report` — the 十三五 plan implementation evaluation report (draft);
* :func:`plan_tables` / :func:`indicator_table` — the 十四五 main-indicator table per scenario and compared;
* :func:`assessment_notice` — the notice of the cities' comprehensive assessment.

Every document is written atomically, in one language (``lang``), every string from the message catalogue.
"""
from evalkit.documents.evaluation import (
    CHAPTERS,
    category_charts,
    city_ranking,
    evaluation_report,
    has_boundaries,
    ranking_frame,
)
from evalkit.documents.layout import FALLBACK_FONTS, FONTS, LINE_PITCH_PT, MARGINS_MM, Draft, new_draft
from evalkit.documents.notice import assessment_notice, category_ranks
from evalkit.documents.plan_table import comparison_table, indicator_table, plan_tables, proposal_frame
from evalkit.documents.result import DocumentResult

__all__ = [
    "CHAPTERS",
    "FALLBACK_FONTS",
    "FONTS",
    "LINE_PITCH_PT",
    "MARGINS_MM",
    "DocumentResult",
    "Draft",
    "assessment_notice",
    "category_charts",
    "category_ranks",
    "city_ranking",
    "comparison_table",
    "evaluation_report",
    "has_boundaries",
    "indicator_table",
    "new_draft",
    "plan_tables",
    "proposal_frame",
    "ranking_frame",
]
