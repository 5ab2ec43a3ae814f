"""Figures set against the panel: ``reconcile`` and its result, :class:`Reconciliation`."""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from evalkit import catalogue as indicator_catalogue
from evalkit import i18n, units
from evalkit._shared.checks import Lang, check_lang
from evalkit._shared.codes import is_code
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import ParameterError
from evalkit.extract.columns import RECONCILE_COLUMNS, Status, require_columns

__all__ = ["Reconciliation", "reconcile"]


_FIGURE_NEEDS = ("sentence_index", "surface", "value", "unit", "subject", "kind", "approx", "resolution")
_PANEL_NEEDS = ("region", "year", "indicator", "value")
_INDICATOR_NEEDS = ("code", "name_zh", "unit", "keywords_zh")


@dataclass(frozen=True)
class Reconciliation(ResultDisplay):
    """Figures from a report set against the panel (result of :func:`reconcile`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per non-ordinal figure, columns :data:`RECONCILE_COLUMNS`.
    region : str
        Region code compared.
    year : int
        Panel year compared.
    lang : {"zh", "en"}
        Language of the display (headings, statuses, kinds); the table itself keeps its codes.
    """

    table: pd.DataFrame
    region: str
    year: int
    lang: Lang = "zh"

    @property
    def summary(self) -> pd.DataFrame:
        """Number of figures by status (agree, discrepancy, no_panel_value, no_match)."""
        counts = self.table["status"].value_counts()
        return pd.DataFrame({"status": list(Status.__args__),
                             "figures": [int(counts.get(s, 0)) for s in Status.__args__]})

    def _summary(self) -> Summary:
        columns = i18n.labels("extract.column", self.lang)
        statuses = i18n.labels("extract.status", self.lang)
        kinds = i18n.labels("extract.kind", self.lang)
        counts = dict(zip(self.summary["status"], self.summary["figures"], strict=True))
        shown = self.table.assign(status=self.table["status"].map(lambda s: statuses.get(s, s)),
                                  kind=self.table["kind"].map(lambda k: kinds.get(k, k)))
        return Summary(
            title=i18n.t("extract.reconciliation.title", self.lang, region=self.region, year=self.year),
            lines=[i18n.t("extract.reconciliation.counts", self.lang, **counts)],
            frames={"": shown.rename(columns=columns)},
            max_rows=200,
        )


def _unit_factor(figure_unit: str, indicator_unit: str) -> Decimal | None:
    """Factor that turns a value in *figure_unit* into *indicator_unit*, or ``None`` if they differ in kind."""
    if not figure_unit or not indicator_unit:
        return None
    if figure_unit == indicator_unit or units.compatible(figure_unit, indicator_unit):
        return Decimal(1)
    try:
        return Decimal(units.convert(Decimal(1), figure_unit, indicator_unit))
    except units.UnitMismatch:
        return None


def _comparison(figure, indicator_unit: str) -> tuple[str, Decimal] | None:
    """How a figure compares with an indicator's panel series: (what, unit factor) or None if it cannot.

    A change in % is compared with the relative change of the series, a change in 个百分点 with the
    difference of a % series, any other change with the difference in the indicator unit.
    """
    if figure.kind == "change" and figure.unit == "%":
        return "relative_change", Decimal(1)
    if figure.kind in ("change", "change_points") and figure.unit == "个百分点":
        return ("difference", Decimal(1)) if indicator_unit == "%" else None
    factor = _unit_factor(figure.unit, indicator_unit)
    if factor is None:
        return None
    if figure.kind in ("change", "change_points"):
        return "difference", factor
    return ("previous_level" if getattr(figure, "role", None) == "old" else "level"), factor


def _keyword_hit(subject: str, keywords: tuple[str, ...]) -> int:
    return max((len(k) for k in keywords if k and k in subject), default=0)


def reconcile(figures: pd.DataFrame, panel: pd.DataFrame, *, region: str, year: int,
              indicators: pd.DataFrame | None = None, rtol: float = 0.005, lang: Lang = "zh") -> Reconciliation:
    """Match extracted figures to catalogue indicators and compare them with the panel.

    Parameters
    ----------
    figures : pandas.DataFrame
        The table of :func:`extract_figures`.
    panel : pandas.DataFrame
        A long panel (``region``, ``year``, ``indicator``, ``value``; ``status`` if present is shown).
    region : str
        6-digit region code the report is about (``"210000"`` for Liaoning).
    year : int
        The year the report's figures refer to.
    indicators : pandas.DataFrame, optional
        Catalogue with ``code``, ``name_zh``, ``unit`` and ``keywords_zh`` (``;``-separated); default
        ``evalkit.io.read_reference("indicators")``.
    rtol : float
        Relative tolerance for agreement (default 0.5%).
    lang : {"zh", "en"}
        Language of ``note`` and ``compared_with`` and of the result's display (headings, statuses, kinds);
        the ``status`` and ``kind`` columns keep their codes.

    Returns
    -------
    Reconciliation
        ``table`` has one row per figure except ordinals, with ``status``:

        ``agree``
            within tolerance of the panel;
        ``discrepancy``
            outside it (``rel_diff`` says by how much);
        ``no_panel_value``
            an indicator matches but the panel has no value for it (or the previous year, for changes);
        ``no_match``
            no indicator keyword in the subject, or no indicator with a compatible unit (``note`` says).

    Notes
    -----
    A figure matches an indicator when one of the indicator's keywords occurs in the figure's subject and
    the units fit; among several, the longest keyword wins (ties: catalogue order). With *F* the figure
    in the indicator's unit and *P_t* the panel value in *year*, the compared quantity is

    * level, target, share, rate, multiple: *P_t*; the old value of 从…提高到…: *P_{t−1}*;
    * change in %: ``100 × (P_t / P_{t−1} − 1)``;
    * change in 个百分点 or another unit: ``P_t − P_{t−1}``.

    ``rel_diff = (F − P) / |P|``. The figure agrees when ``|F − P| ≤ max(rtol × |P|, r / 2)`` where *r* is
    the figure's ``resolution`` in the indicator unit (a figure rounded to 0.1% cannot disagree by less
    than 0.05); for approximate figures (约, 余…) the bound is ``max(rtol × |P|, r)``.
    """
    require_columns(figures, _FIGURE_NEEDS, "figures", "pass the table extract_figures returned")
    require_columns(panel, _PANEL_NEEDS, "panel", "read it with evalkit.io.read_panel")
    if not isinstance(region, str) or not is_code(region):
        raise ParameterError(f"region must be a 6-digit code as text such as '210000', got {region!r}")
    if isinstance(year, bool) or not isinstance(year, int):
        raise ParameterError(f"year must be an int such as 2020, got {year!r}")
    check_lang(lang)
    if not (isinstance(rtol, (int, float)) and 0 <= rtol < 1):
        raise ParameterError(f"rtol must be a number in [0, 1), got {rtol!r}")
    if indicators is None:
        from evalkit.io import read_reference

        indicators = read_reference("indicators")
    require_columns(indicators, _INDICATOR_NEEDS, "indicators",
                     "use evalkit.io.read_reference('indicators') or a table with the same columns")
    catalogue = [(row.code, row.name_zh, row.unit, tuple(str(row.keywords_zh).split(";")))
                 for row in indicators.itertuples(index=False)]
    rows = panel[panel["region"].astype(str) == region]
    observed = {}
    for row in rows.itertuples(index=False):
        observed.setdefault((row.indicator, int(row.year)), (float(row.value), getattr(row, "status", None)))
    records = [_reconcile_one(figure, catalogue, observed, year, rtol, lang)
               for figure in figures.itertuples(index=False) if figure.kind != "ordinal"]
    table = pd.DataFrame(records, columns=list(RECONCILE_COLUMNS))
    return Reconciliation(table=table, region=region, year=year, lang=lang)


def _panel_ready(code: str, what: str, observed: dict, year: int) -> bool:
    """Whether the panel holds what the comparison needs (this year; and last year for a change)."""
    needs = {"level": [year], "previous_level": [year - 1]}.get(what, [year, year - 1])
    return all((code, y) in observed for y in needs)


def _shown_name(code: str, name: str, lang: Lang) -> str:
    """The indicator's name in *lang* for a note (the catalogue's, else the name given with the code)."""
    try:
        return indicator_catalogue.indicator_name(code, lang)
    except ParameterError:
        return str(name)


def _reconcile_one(figure, catalogue, observed, year: int, rtol: float, lang: Lang) -> dict:
    def say(key: str, **fields) -> str:
        return i18n.t(f"extract.note.{key}", lang, **fields)

    record = dict.fromkeys(RECONCILE_COLUMNS)
    record.update(sentence_index=figure.sentence_index, surface=figure.surface, subject=figure.subject,
                  kind=figure.kind, figure_unit=figure.unit, status="no_match")
    named = [(_keyword_hit(str(figure.subject), keywords), code, name, unit)
             for code, name, unit, keywords in catalogue]
    named = [c for c in named if c[0] > 0]
    if not named:
        record["note"] = say("no_keyword")
        return record
    fitting = [(hit, code, name, unit, how) for hit, code, name, unit in named
               if (how := _comparison(figure, unit)) is not None]
    if not fitting:
        _, code, name, unit = max(named, key=lambda c: c[0])
        kind = i18n.labels("extract.kind", lang).get(figure.kind, figure.kind)
        record["note"] = say("unit_mismatch", unit=figure.unit or say("no_unit"), kind=kind,
                             code=_shown_name(code, name, lang), indicator_unit=unit)
        return record
    best = max(fitting, key=lambda c: (_panel_ready(c[1], c[4][0], observed, year), c[0]))
    _, code, name, unit, (what, factor) = best
    value = Decimal(figure.value) * factor
    record.update(indicator=code, indicator_name=name, indicator_unit=unit, figure_value=float(value),
                  compared_with=i18n.t(f"extract.compared.{what}", lang, year=year, previous=year - 1))
    if not _panel_ready(code, what, observed, year):
        years = {"level": f"{year}", "previous_level": f"{year - 1}"}.get(
            what, say("both_years", previous=year - 1, year=year))
        record.update(status="no_panel_value",
                      note=say("no_panel_value", code=_shown_name(code, name, lang), years=years))
        return record
    current, status = observed.get((code, year), (math.nan, None))
    previous, previous_status = observed.get((code, year - 1), (math.nan, None))
    panel_value = {"level": current, "previous_level": previous, "difference": current - previous,
                   "relative_change": 100 * (current / previous - 1) if previous else math.nan}[what]
    status = previous_status if what == "previous_level" else status
    resolution = float(Decimal(figure.resolution) * factor)
    tolerance = max(rtol * abs(panel_value), resolution if figure.approx else resolution / 2)
    diff = float(value) - panel_value
    record.update(panel_value=panel_value, panel_status=status,
                  status="agree" if abs(diff) <= tolerance else "discrepancy",
                  rel_diff=diff / abs(panel_value) if panel_value else math.nan)
    notes = []
    if figure.kind == "target":
        notes.append(say("target"))
    as_of = getattr(figure, "as_of", None)
    if isinstance(as_of, str) and as_of != f"{year}-12" and as_of.startswith(str(year)) and len(as_of) > 4:
        notes.append(say("part_year", as_of=as_of))
    record["note"] = say("separator").join(notes) or None
    return record
