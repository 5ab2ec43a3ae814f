"""A plain-language verdict on a pilot effect, generated from the estimates, in the report's language.

How sure we can be depends on the few-cluster tests, not on the analytic standard error: with a
dozen cities, cluster-robust and influence-function SEs are too small. The rule is stated in
:func:`conclude`; every sentence of the text is about one estimand (the Callaway–Sant'Anna effect, or the
TWFE coefficient), and the sentences are templates in the message catalogue (``impact.verdict.*``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from evalkit import i18n
from evalkit._shared.checks import Lang, check_lang
from evalkit._shared.display import ResultDisplay, Summary
from evalkit._shared.numbers import format_fixed
from evalkit.impact._types import AggKind
from evalkit.impact.did import AggregateResult, ATTgtResult
from evalkit.impact.inference import RandomizationResult, WildBootstrapResult
from evalkit.impact.twfe import TWFEResult

__all__ = ["Conclusion", "comparison_table", "conclude"]

Level = Literal["clear", "suggestive", "inconclusive"]

_COLOURS = {"clear": "#2E7D32", "suggestive": "#F9A825", "inconclusive": "#9E9E9E"}
#: typography, not text: Chinese sentences follow each other without a space
_SENTENCE_GAP = {"zh": "", "en": " "}


@dataclass(frozen=True)
class Conclusion(ResultDisplay):
    """``level`` (clear / suggestive / inconclusive) and the paragraph that explains it."""

    level: Level
    text: str
    lang: Lang = "zh"

    def _summary(self) -> Summary:
        return Summary(title=i18n.t(f"impact.verdict.title.{self.level}", self.lang), lines=[self.text])

    def _repr_html_(self) -> str:
        return (f'<div style="border-left:4px solid {_COLOURS[self.level]};padding:6px 10px;margin:6px 0">'
                f"{super()._repr_html_()}</div>")


@dataclass(frozen=True)
class _Evidence:
    """The few-cluster p-values sorted by the estimand they test."""

    cs: float | None            # a test of the headline CS aggregate
    twfe: list[float]           # tests of the TWFE coefficient
    twfe_agrees: bool           # the TWFE coefficient has the sign of the CS effect


def _evidence(effect: AggregateResult, kind: str, randomization: RandomizationResult | None,
              wild: WildBootstrapResult | None) -> _Evidence:
    cs = None
    twfe: list[float] = []
    signs: list[float] = []
    if randomization is not None:
        if randomization.statistic == "att" and randomization.kind == kind:
            cs = randomization.p_value
        elif randomization.statistic == "twfe":
            twfe.append(randomization.p_value)
            signs.append(randomization.estimate)
    if wild is not None:
        twfe.append(wild.p_value)
        signs.append(wild.coef)
    agrees = bool(signs) and all(np.sign(s) == np.sign(effect.att) for s in signs)
    return _Evidence(cs=cs, twfe=twfe, twfe_agrees=agrees)


def _level(evidence: _Evidence, excludes_zero: bool, trends_ok: bool) -> tuple[Level, str]:
    """The verdict level and the key of the sentence that explains it."""
    if evidence.cs is not None:
        if evidence.cs < 0.05 and excludes_zero:
            return ("clear", "clear") if trends_ok else ("suggestive", "suggestive_trends")
        if evidence.cs < 0.10:
            return "suggestive", "suggestive"
        return "inconclusive", "inconclusive"
    if evidence.twfe and evidence.twfe_agrees and max(evidence.twfe) < 0.10:
        return "suggestive", "suggestive_indirect"
    return "inconclusive", "inconclusive" if (evidence.twfe or evidence.cs is not None) else "untested"


def _fmt(value: float, decimals: int) -> str:
    return format_fixed(float(value), decimals)


def _test_sentences(lang: Lang, kind: str, randomization: RandomizationResult | None,
                    wild: WildBootstrapResult | None, decimals: int) -> list[str]:
    """One sentence per few-cluster test, each naming the estimand it tests."""
    t = i18n.t
    out = []
    if randomization is not None:
        if randomization.statistic == "att":
            out.append(t("impact.verdict.ri_cs", lang, kind=t(f"impact.kind.{randomization.kind}", lang),
                         p=f"{randomization.p_value:.2f}", n=randomization.n_assignments))
        else:
            out.append(t("impact.verdict.ri_twfe", lang, estimate=_fmt(randomization.estimate, decimals),
                         p=f"{randomization.p_value:.2f}", n=randomization.n_assignments))
    if wild is not None:
        sentence = t("impact.verdict.wild", lang, coef=_fmt(wild.coef, decimals), p=f"{wild.p_value:.2f}")
        if np.isfinite(wild.ci_lo) and np.isfinite(wild.ci_hi):
            sentence += t("impact.verdict.wild_ci", lang, level=round(100 * (1 - wild.alpha)),
                          lo=_fmt(wild.ci_lo, decimals), hi=_fmt(wild.ci_hi, decimals))
        out.append(sentence + t("impact.verdict.end", lang))
    return out or [t("impact.verdict.no_tests", lang)]


def conclude(
    result: ATTgtResult,
    *,
    outcome: str,
    unit: str = "",
    kind: AggKind = "group",
    randomization: RandomizationResult | None = None,
    wild: WildBootstrapResult | None = None,
    illustrative: bool = False,
    decimals: int = 2,
    lang: Lang = "zh",
) -> Conclusion:
    """Say in plain words what the estimate is and how sure we can be.

    Parameters
    ----------
    result : ATTgtResult
        The group-time ATTs; the overall effect is ``result.aggregate(kind)`` and the pre-test, the
        number of pilot units and of post-adoption periods are read from it.
    outcome, unit : str
        Indicator name and unit for the text.
    kind : {"simple", "group", "dynamic", "calendar"}
        The aggregate the verdict is about.
    randomization, wild
        The few-cluster tests that were run.
    illustrative : bool
        The data are generated; the text then says the result demonstrates the method only.
    decimals : int
        Decimals of the figures in the text.
    lang : {"zh", "en"}
        Language of the text.

    Returns
    -------
    Conclusion

    Notes
    -----
    The verdict is about the Callaway–Sant'Anna aggregate ``kind``. Only a test of that estimand decides it:
    randomisation inference with ``statistic="att"`` and the same ``kind``, with p-value :math:`p`:
    *clear* if :math:`p < 0.05`, the analytic interval excludes 0 and the pre-test (if any) has p ≥ 0.10;
    *suggestive* if :math:`p < 0.10`, or if a clear case fails only the pre-test; otherwise *inconclusive*.
    Tests of the TWFE coefficient (the wild cluster bootstrap; randomisation inference with
    ``statistic="twfe"``) test a different estimand: they are reported in their own sentences and, when no
    test of the CS effect was run, can make the verdict at most *suggestive* (all p < 0.10 and the same
    sign as the CS effect). Without any few-cluster test the verdict is *inconclusive*.
    """
    check_lang(lang)
    t = i18n.t
    effect = result.aggregate(kind)
    pretest = result.pretest
    lo, hi = effect.ci
    trends_ok = pretest is None or pretest.p_value >= 0.10
    level, reason = _level(_evidence(effect, kind, randomization, wild), lo > 0 or hi < 0, trends_ok)
    post = result.table[result.table["post"]]
    parts = [t("impact.verdict.effect", lang, kind=t(f"impact.kind.{kind}", lang), outcome=outcome,
               direction=t("impact.verdict.raised" if effect.att > 0 else "impact.verdict.lowered", lang),
               size=_fmt(abs(effect.att), decimals), unit=unit, level=round(100 * (1 - effect.alpha)),
               lo=_fmt(lo, decimals), hi=_fmt(hi, decimals))]
    parts += _test_sentences(lang, kind, randomization, wild, decimals)
    if pretest is not None:
        parts.append(t("impact.verdict.pretest_ok" if trends_ok else "impact.verdict.pretest_failed", lang,
                       p=f"{pretest.p_value:.2f}"))
    parts.append(t(f"impact.verdict.level.{reason}", lang))
    parts.append(t("impact.verdict.basis", lang, n_treated=int(np.sum(result.unit_cohort > 0)),
                   n_years=int(post["event"].max() + 1) if len(post) else 0))
    if illustrative:
        parts.append(t("impact.verdict.illustrative", lang))
    return Conclusion(level=level, text=_SENTENCE_GAP[lang].join(parts), lang=lang)


def comparison_table(result: ATTgtResult, twfe: TWFEResult, *, lang: Lang = "zh") -> pd.DataFrame:
    """Overall effects side by side: the CS aggregations and the static TWFE coefficient.

    CS rows carry the analytic SE and a normal interval; the TWFE row its cluster-robust SE and t(G−1)
    interval. Column and row labels in ``lang``.
    """
    check_lang(lang)
    names = i18n.labels("impact.compare", lang)
    rows = []
    for kind in ("simple", "group", "dynamic"):
        agg = result.aggregate(kind)
        rows.append((names[kind], agg.att, agg.se, *agg.ci))
    tw = twfe.table.set_index("term").loc["post"]
    rows.append((names["twfe"], tw["coef"], tw["se"], tw["lo"], tw["hi"]))
    cols = [i18n.t(f"impact.col.{c}", lang) for c in ("estimator", "estimate", "se", "lo", "hi")]
    return pd.DataFrame(rows, columns=cols)
