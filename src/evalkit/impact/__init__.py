"""Pilot impact evaluation: staggered DiD, TWFE, few-cluster inference, ITS and synthetic control.

Staggered DiD is Callaway & Sant'Anna's; TWFE comes with event studies and its cell weights.

Start with :func:`att_gt` (group-time ATTs) and :meth:`ATTgtResult.aggregate`; compare with
:func:`twfe` / :func:`event_study`; judge significance with :func:`randomization_inference` and
:func:`wild_cluster_bootstrap` (14 cities are too few for cluster-robust SEs); summarise with
:func:`conclude`. Single-series designs: :func:`its`; one treated unit with many donors: :func:`synth`.
"""
from evalkit.impact._panel import cohort_from_treatment
from evalkit.impact.conclusion import Conclusion, comparison_table, conclude
from evalkit.impact.did import AggregateResult, ATTgtResult, PreTest, att_gt
from evalkit.impact.inference import (
    RandomizationResult,
    WildBootstrapResult,
    randomization_inference,
    wild_cluster_bootstrap,
)
from evalkit.impact.its import ITSResult, its
from evalkit.impact.pilots import DiDSample, did_sample, pilot_cohorts
from evalkit.impact.synth import SynthResult, synth
from evalkit.impact.twfe import TWFEResult, event_study, twfe

__all__ = [
    "ATTgtResult",
    "AggregateResult",
    "Conclusion",
    "DiDSample",
    "ITSResult",
    "PreTest",
    "RandomizationResult",
    "SynthResult",
    "TWFEResult",
    "WildBootstrapResult",
    "att_gt",
    "cohort_from_treatment",
    "comparison_table",
    "conclude",
    "did_sample",
    "event_study",
    "its",
    "pilot_cohorts",
    "randomization_inference",
    "synth",
    "twfe",
    "wild_cluster_bootstrap",
]
