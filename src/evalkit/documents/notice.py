"""The notice of the cities' comprehensive assessment (11类24项综合评估通报), drafted in Word.

It holds the ranking of the cities by total score with the rank interval of each (how far its rank moves
when the assessment's assumptions change), the rank of each city in each category, and one paragraph per
city naming its strongest and weakest categories.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from evalkit import catalogue, i18n
from evalkit._shared.checks import check_lang
from evalkit._shared.codes import province_of
from evalkit._shared.numbers import format_figure
from evalkit.documents.layout import new_draft, rank_interval
from evalkit.documents.result import DocumentResult
from evalkit.errors import ColumnError, ParameterError

__all__ = ["assessment_notice", "category_ranks"]


def _t(key: str, lang: str, **fields) -> str:
    return i18n.t(f"documents.{key}", lang, **fields)


def _area_name(code: object, lang: str) -> str:
    try:
        return catalogue.region_name(province_of(str(code)), lang)
    except ParameterError:
        return str(code)


def category_ranks(category_scores: pd.DataFrame) -> pd.DataFrame:
    """Rank of each unit (rows) in each category (columns): 1 = highest score, ties share the best rank."""
    if not isinstance(category_scores, pd.DataFrame) or category_scores.empty:
        raise ParameterError("category_scores must be a non-empty DataFrame: one row per city, one column per "
                             "category (e.g. result.scores[list(result.hierarchy.codes[1])])")
    return category_scores.rank(ascending=False, method="min").astype(int)


def assessment_notice(path: str | Path, *, ranking: pd.DataFrame, category_scores: pd.DataFrame,
                      year: int, illustrative: bool, area: str | None = None, date: dt.date | None = None,
                      lang: str = "zh") -> DocumentResult:
    """Write the city assessment notice (.docx, GB/T 9704 layout).

    Parameters
    ----------
    path : str or Path
        Where to write (atomically), e.g. ``reports/city_assessment/2020.docx``.
    ranking : DataFrame
        :func:`evalkit.documents.ranking_frame` output (``name``, ``score``, ``rank``, optional
        ``rank_low``/``rank_high``), indexed by region code.
    category_scores : DataFrame
        Category scores by city (rows: the same codes; columns: category names as shown to readers).
    year : int
        The year assessed.
    illustrative : bool
        Whether the scores rest on illustrative data; the notice then says so under its title.
    area : str, optional
        Name of the province (or area) whose cities are assessed, for the title (default: the province of
        the first city).
    date : datetime.date, optional
        Date under the title (default: today).
    lang : {"zh", "en"}
        Language of the document.
    """
    check_lang(lang)
    missing = [c for c in ("name", "score", "rank") if c not in ranking.columns]
    if missing:
        raise ColumnError(f"ranking: missing column(s) {', '.join(missing)}; build it with "
                          "evalkit.documents.ranking_frame(result, uncertainty)")
    unknown = [c for c in ranking.index if c not in category_scores.index]
    if unknown:
        raise ParameterError(f"category_scores has no row for {', '.join(map(str, unknown[:5]))}; give the "
                             "category scores of the same cities as the ranking")
    ranks = category_ranks(category_scores.loc[ranking.index])
    if area is None:
        area = _area_name(ranking.index[0], lang)
    title = _t("notice.title", lang, year=int(year), area=area)
    draft = new_draft(lang=lang, title=title)
    draft.title(_t("notice.title_1", lang, year=int(year), area=area))
    draft.title(_t("notice.title_2", lang, year=int(year), area=area))
    day = date or dt.date.today()
    draft.centred(_t("date", lang, year=day.year, month=day.month, day=day.day))
    if illustrative:
        draft.centred(i18n.t("common.illustrative_banner", lang))
    n_cat = category_scores.shape[1]
    draft.paragraph(_t("notice.lead", lang, n=len(ranking), year=int(year), categories=n_cat))

    draft.heading(_t("heading1", lang, number=_t("numerals", lang).split(",")[0], title=_t("notice.total", lang)))
    has_interval = {"rank_low", "rank_high"} <= set(ranking.columns)
    total = pd.DataFrame({_t("col.rank", lang): ranking["rank"].astype(int), _t("col.city", lang): ranking["name"],
                          _t("col.score", lang): ranking["score"]})
    if has_interval:
        total[_t("col.interval", lang)] = [rank_interval(lo, hi, lang)
                                           for lo, hi in zip(ranking["rank_low"], ranking["rank_high"], strict=True)]
        draft.paragraph(_t("cities.interval_note", lang))
    draft.table(total, _t("notice.total_caption", lang, year=int(year)), decimals=1)

    wide = category_scores.shape[1] > 6
    if wide:
        draft.new_section(landscape=True)
    draft.heading(_t("heading1", lang, number=_t("numerals", lang).split(",")[1], title=_t("notice.by_category", lang)))
    by_cat = ranks.copy()
    by_cat.insert(0, _t("col.city", lang), ranking["name"])
    draft.table(by_cat.reset_index(drop=True), _t("notice.category_caption", lang), decimals=0)
    if wide:
        draft.new_section(landscape=False)

    draft.heading(_t("heading1", lang, number=_t("numerals", lang).split(",")[2], title=_t("notice.cities", lang)))
    for code, row in ranking.iterrows():
        city_ranks = ranks.loc[code]
        best, worst = city_ranks.idxmin(), city_ranks.idxmax()
        interval = (_t("notice.interval_clause", lang,
                       interval=rank_interval(row["rank_low"], row["rank_high"], lang))
                    if has_interval else "")
        draft.paragraph(_t("notice.city", lang, city=row["name"], score=format_figure(row["score"]),
                           rank=int(row["rank"]), interval=interval, best=best, best_rank=int(city_ranks[best]),
                           worst=worst, worst_rank=int(city_ranks[worst])))
    out = draft.save(path)
    return DocumentResult(out, "notice", lang, pd.DataFrame(draft.outline, columns=["level", "heading"]),
                          draft.tables, draft.figures, illustrative)
