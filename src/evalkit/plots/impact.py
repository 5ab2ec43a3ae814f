"""Charts for pilot impact evaluation: adoption timeline, event study, randomisation test, ITS, synthetic control.

Each function takes an ``ax`` (or creates one), draws in the house style with a title, the unit and a
source line (:func:`evalkit.plots.finish`), labels in Chinese or English, and returns the ``ax``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit import i18n
from evalkit.impact.did import AggregateResult
from evalkit.impact.inference import RandomizationResult
from evalkit.impact.its import ITSResult
from evalkit.impact.synth import SynthResult
from evalkit.impact.twfe import TWFEResult
from evalkit.plots import PALETTE, finish, new_axes

__all__ = ["adoption_timeline", "event_study_chart", "its_chart", "randomization_chart", "synth_chart"]


def _t(key: str, lang: str) -> str:
    return i18n.t(f"plots_impact.{key}", lang)


def adoption_timeline(cohorts: pd.DataFrame, *, years, ax=None, title: str, source: str | None = None,
                      lang: str = "zh"):
    """One row per city, one cell per year: pilot years dark, pre-pilot light, unknown status hatched.

    ``cohorts`` is :func:`evalkit.impact.pilot_cohorts` output (``name_zh``/``name_en``, ``cohort``,
    ``pilot_status``, ``included``).
    """
    years = list(years)
    frame = cohorts.copy()
    frame["order"] = frame["cohort"].where(frame["pilot_status"] == "confirmed", np.inf)
    frame = frame.sort_values(["order", "region"], ascending=[False, False]).reset_index(drop=True)
    if ax is None:
        _, ax = new_axes(figsize=(8, 0.32 * len(frame) + 1.6))
    name_col = f"name_{lang}"
    cells: dict[str, list[tuple[int, float]]] = {}  # the cells of each kind, kinds in the order first met
    for row_idx, row in enumerate(frame.to_dict("records")):
        for year in years:
            if row["pilot_status"] == "confirmed":
                key = "confirmed" if year >= row["cohort"] else "before"
            else:
                key = "unknown_kept" if row["included"] else "unknown"
            cells.setdefault(key, []).append((row_idx, year - 0.45))
    styles = {"confirmed": (PALETTE[1], None), "before": ("#F3D9DC", None), "unknown_kept": ("#E0E0E0", "//"),
              "unknown": ("white", "//")}
    for key, where in cells.items():  # one bar call per kind (cells do not overlap; one legend entry each)
        colour, hatch = styles[key]
        rows, lefts = zip(*where)
        ax.barh(list(rows), 0.9, left=list(lefts), color=colour, edgecolor="#9E9E9E", hatch=hatch, linewidth=0.5,
                label=_t(key, lang))
    ax.set_yticks(range(len(frame)), frame[name_col])
    ax.set_xticks(years)
    ax.grid(False)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=2)
    return finish(ax, title=title, source=source, lang=lang)


def event_study_chart(dynamic: AggregateResult, *, twfe: TWFEResult | None = None, ax=None, title: str,
                      unit: str | None = None, source: str | None = None, illustrative: bool = False,
                      lang: str = "zh"):
    """CS event-time effects with their uniform band, and optionally the TWFE event-study points beside them."""
    if ax is None:
        _, ax = new_axes()
    tab = dynamic.table
    ax.axhline(0, color="#555555", linewidth=0.8)
    ax.axvline(-0.5, color="#9E9E9E", linewidth=0.8, linestyle=":")
    ax.errorbar(tab["event"] - 0.08, tab["att"], yerr=[tab["att"] - tab["lo"], tab["hi"] - tab["att"]],
                fmt="o", color=PALETTE[0], capsize=3, label=_t("cs", lang))
    if twfe is not None:
        es = twfe.table.dropna(subset=["event"])
        ax.errorbar(es["event"] + 0.08, es["coef"], yerr=[es["coef"] - es["lo"], es["hi"] - es["coef"]],
                    fmt="s", color=PALETTE[2], capsize=3, label=_t("twfe", lang))
    ax.set_xlabel(_t("event", lang))
    ax.legend(fontsize=8)
    return finish(ax, title=title, unit=unit, source=source, illustrative=illustrative, lang=lang)


def randomization_chart(result: RandomizationResult, *, ax=None, title: str, unit: str | None = None,
                        source: str | None = None, illustrative: bool = False, lang: str = "zh"):
    """Histogram of the re-assignment distribution with the actual estimate marked."""
    if ax is None:
        _, ax = new_axes()
    ax.hist(result.distribution, bins=min(30, max(5, len(result.distribution) // 5)), color=PALETTE[0], alpha=0.7,
            label=_t("null", lang))
    ax.axvline(result.estimate, color=PALETTE[1], linewidth=2,
               label=f"{_t('observed', lang)} (p = {result.p_value:.2f})")
    ax.set_ylabel(_t("count", lang))
    ax.legend(fontsize=8)
    finish(ax, title=title, source=source, illustrative=illustrative, lang=lang, years=None)
    if unit:
        ax.set_xlabel(unit)
    return ax


def its_chart(result: ITSResult, *, ax=None, title: str, unit: str | None = None, source: str | None = None,
              illustrative: bool = False, lang: str = "zh", years: bool = True):
    """Observed series, fitted segmented model and the counterfactual with its band after the interruption."""
    if ax is None:
        _, ax = new_axes()
    f = result.fitted
    post = f[f["post"]]
    ax.plot(f["time"], f["observed"], "o", markersize=3.5, color=PALETTE[0], label=_t("observed_series", lang))
    ax.plot(f["time"], f["fitted"], color=PALETTE[1], label=_t("fitted", lang))
    ax.plot(post["time"], post["counterfactual"], "--", color=PALETTE[3], label=_t("counterfactual", lang))
    ax.fill_between(post["time"], post["cf_lo"], post["cf_hi"], color=PALETTE[3], alpha=0.15)
    ax.axvline(post["time"].min() - 0.5, color="#9E9E9E", linestyle=":")
    ax.legend(fontsize=8)
    return finish(ax, title=title, unit=unit, source=source, illustrative=illustrative, lang=lang,
                  years="x" if years else None)


def synth_chart(result: SynthResult, *, placebos: bool = False, ax=None, title: str, unit: str | None = None,
                source: str | None = None, illustrative: bool = False, lang: str = "zh"):
    """Treated vs synthetic series, or (``placebos=True``) the gap of the treated unit among placebo gaps."""
    if ax is None:
        _, ax = new_axes()
    g = result.gaps
    start = g.loc[g["post"], "time"].min()
    if placebos:
        for col in result.placebo_gaps.columns:
            if col != result.treated:
                ax.plot(result.placebo_gaps.index, result.placebo_gaps[col], color="#BDBDBD", linewidth=0.8)
        ax.plot([], [], color="#BDBDBD", label=_t("placebo", lang))
        ax.plot(g["time"], g["gap"], color=PALETTE[1], linewidth=2, label=_t("treated", lang))
        ax.axhline(0, color="#555555", linewidth=0.8)
        ax.set_ylabel(_t("gap", lang))
    else:
        ax.plot(g["time"], g["treated"], color=PALETTE[1], linewidth=2, label=_t("treated", lang))
        ax.plot(g["time"], g["synthetic"], "--", color=PALETTE[0], linewidth=2, label=_t("synthetic", lang))
    ax.axvline(start - 0.5, color="#9E9E9E", linestyle=":")
    ax.legend(fontsize=8)
    return finish(ax, title=title, unit=None if placebos else unit, source=source, illustrative=illustrative, lang=lang)
