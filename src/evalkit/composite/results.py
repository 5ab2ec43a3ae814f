"""Results of :mod:`evalkit.composite`: the built index, rank uncertainty, Sobol indices, element removal.

Every result is a frozen dataclass shown through :class:`evalkit._shared.display.ResultDisplay` (escaped HTML).
The display tables (:meth:`CompositeResult.ranking`, :meth:`CompositeResult.weights_at`,
:meth:`CompositeResult.log_frame`, :meth:`UncertaintyResult.rank_table`, :meth:`SensitivityResult.index_table`,
:meth:`RemovalResult.change_table`) have headers and cell values in the report's language, from the message
catalogue (``data/messages/composite.csv``).
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evalkit import i18n
from evalkit._shared.checks import check_lang, list_values
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.composite.hierarchy import Hierarchy
from evalkit.errors import ParameterError

__all__ = ["CompositeResult", "RemovalResult", "SensitivityResult", "StepRecord", "UncertaintyResult",
           "factor_labels", "top_bottom"]

_GAP = "⋯"


def factor_labels(lang: str = "zh") -> dict[str, str]:
    """Display names of the uncertain assumptions (``winmax``, ``normalisation``, ``weights``, ``aggregation``)."""
    return i18n.labels("composite.factor", check_lang(lang))


def _value_text(value: object, lang: str) -> str:
    """A setting's value in *lang*: yes/no for booleans, catalogue names for method names, lists joined."""
    if isinstance(value, (bool, np.bool_)):
        return i18n.t("common.yes" if value else "common.no", lang)
    if isinstance(value, str):
        return _word(value, lang)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return f"{value[0]:g}–{value[1]:g}"
    if isinstance(value, (list, tuple)):
        return i18n.t("common.list_sep", lang).join(_value_text(v, lang) for v in value)
    if isinstance(value, Mapping):
        return i18n.t("composite.value.mapping", lang)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


#: settings kept in the record but not shown in the log table (the unit column is a name from the user's file)
_NOT_SHOWN = {"unit"}


def _setting_text(name: str, value: object, lang: str) -> str:
    if name == "norm_zscore":
        mean, sd = value
        return i18n.t("composite.value.mean_sd", lang, mean=f"{mean:g}", sd=f"{sd:g}")
    return _value_text(value, lang)


def _word(value: object, lang: str) -> str:
    key = f"composite.value.{value}"
    return i18n.t(key, lang) if isinstance(value, str) and i18n.has(key) else str(value)


def _fields_text(fields: Mapping[str, object], lang: str) -> dict[str, str]:
    """Message fields as text: method names translated, lists and mappings listed."""
    out = {}
    for name, value in fields.items():
        if isinstance(value, Mapping):
            value = "; ".join(f"{k}: {list_values(list(v)) if isinstance(v, (list, tuple)) else v}"
                              for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            value = list_values([_word(v, lang) for v in value])
        else:
            value = _word(value, lang)
        out[name] = str(value)
    return out


@dataclass(frozen=True)
class StepRecord:
    """One step of a build: its name, the settings it ran with, and what it did.

    ``messages`` are catalogue keys (``composite.summary.*``) with their fields, so the record reads in
    either language (:meth:`describe`); ``summary`` is the English text.
    """

    step: str
    params: Mapping[str, object]
    messages: tuple[tuple[str, Mapping[str, object]], ...] = ()

    def describe(self, lang: str = "zh") -> str:
        """What the step did, in *lang*."""
        check_lang(lang)
        return "".join(i18n.t(key, lang, **_fields_text(fields, lang)) for key, fields in self.messages)

    def settings_text(self, lang: str = "zh") -> str:
        """The step's settings as ``name: value`` pairs in *lang* (``None`` settings left out)."""
        check_lang(lang)
        sep, colon = i18n.t("common.clause_sep", lang), i18n.t("common.colon", lang)
        return sep.join(f"{i18n.t(f'composite.setting.{k}', lang)}{colon}{_setting_text(k, v, lang)}"
                        for k, v in self.params.items() if v is not None and k not in _NOT_SHOWN)

    @property
    def summary(self) -> str:
        """What the step did, in English."""
        return self.describe("en")


def top_bottom(frame: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The first and last *n* rows of a ranked table with a ``⋯`` row between them.

    The whole table comes back when it has at most ``2n + 1`` rows.

    For pages and print: a ranking of 100 units is read at its two ends; export the full table (e.g. to Excel)
    beside it. The gap row has the index label ``⋯``, ``⋯`` in text columns and missing numbers.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n must be a positive integer (rows kept at each end), got {n!r}")
    if len(frame) <= 2 * n + 1:
        return frame
    gap = frame.iloc[:0].reindex(pd.Index([_GAP], name=frame.index.name))
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            gap[column] = _GAP  # text columns (names) show the gap when the index is hidden
    return pd.concat([frame.head(n), gap, frame.tail(n)])


@dataclass(frozen=True, eq=False)
class CompositeResult(ResultDisplay):
    """A built composite indicator.

    Attributes
    ----------
    scores : DataFrame
        Units × aggregates (the index first, then each level down to the first aggregation level).
    ranks : DataFrame
        Ranks of ``scores`` per column: 1 = highest; ties share the lowest rank (1, 2, 2, 4).
    normalised : DataFrame
        Units × indicators after normalisation (direction applied).
    weights : DataFrame
        Per indicator/aggregate: ``level``, ``parent``, ``weight`` as used, ``share`` within the
        parent, ``effective`` weight in the index (each level sums to 1).
    treatment : DataFrame or None
        Outlier treatment per indicator (skew, kurtosis before/after, points winsorised, treatment).
    datasets : mapping
        The data after each step that ran: ``raw``, ``denominated``, ``screened``, ``imputed``,
        ``treated``, ``normalised``.
    log : tuple of StepRecord
        The steps in the order they ran, with their settings.
    settings : mapping
        The keyword arguments of :func:`evalkit.composite.build`; :func:`evalkit.composite.rebuild` changes
        some and runs again.
    hierarchy : Hierarchy
        The checked index structure (``hierarchy.table`` is the metadata as used).
    inputs : (DataFrame, DataFrame)
        *data* and *meta* as given to :func:`evalkit.composite.build`.
    """

    scores: pd.DataFrame
    ranks: pd.DataFrame
    normalised: pd.DataFrame
    weights: pd.DataFrame
    treatment: pd.DataFrame | None
    datasets: Mapping[str, pd.DataFrame] = field(repr=False)
    log: tuple[StepRecord, ...] = field(repr=False)
    settings: Mapping[str, object] = field(repr=False)
    hierarchy: Hierarchy = field(repr=False)
    inputs: tuple[pd.DataFrame, pd.DataFrame] = field(repr=False)

    @property
    def index_code(self) -> str:
        """Code of the index (the top of the hierarchy)."""
        return self.hierarchy.top

    def _level(self, level: int | None, low: int) -> int:
        h = self.hierarchy
        level = max(low, h.n_levels - 1) if level is None else level
        if isinstance(level, bool) or not isinstance(level, (int, np.integer)) or not low <= level <= h.n_levels:
            raise ParameterError(f"level must be an integer between {low} and {h.n_levels}, got {level!r}")
        return int(level)

    def ranking(self, *, level: int | None = None, lang: str = "zh", names: Mapping[str, str] | None = None,
                name_label: str | None = None) -> pd.DataFrame:
        """Ranking table: rank, index score and the scores of one level, sorted by rank.

        Parameters
        ----------
        level : int, optional
            Aggregate level whose scores are shown beside the index (default: the level below the index).
        lang : {"zh", "en"}
            Language of the headers (meta names ``name_<lang>``; rank and name from the catalogue).
        names : mapping, optional
            Unit code → display name; adds a name column.
        name_label : str, optional
            Header of the name column (default: the catalogue's "name"; e.g. "城市").

        Returns
        -------
        DataFrame
            Indexed by unit code. For 100 units show :func:`top_bottom` of it on a page and the full table in
            the workbook.
        """
        check_lang(lang)
        h = self.hierarchy
        level = self._level(level, 2)
        labels = h.names(lang)
        columns = [h.top] + [c for c in h.codes[level - 1] if c != h.top]
        out = self.scores[columns].rename(columns=labels)
        out.insert(0, i18n.t("composite.ranking.rank", lang), self.ranks[h.top])
        if names is not None:
            out.insert(1, name_label or i18n.t("composite.ranking.name", lang), [names.get(u, u) for u in out.index])
        out = out.rename_axis(i18n.t("composite.ranking.code", lang))
        return out.sort_values(i18n.t("composite.ranking.rank", lang), kind="stable")

    def table(self, *, level: int | None = None, lang: str = "en",
              names: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Deprecated alias of :meth:`ranking`, with its old English default.

        ``.table`` means the main DataFrame on other results; this method will be removed.
        """
        warnings.warn("CompositeResult.table() is renamed ranking(); table() will be removed",
                      PendingDeprecationWarning, stacklevel=2)
        out = self.ranking(level=level, lang=lang, names=names)
        old = {i18n.t("composite.ranking.rank", lang): "rank", i18n.t("composite.ranking.name", lang): "name"}
        return out.rename(columns=old).rename_axis(self.scores.index.name)

    def weights_at(self, level: int = 2, *, lang: str = "zh") -> pd.DataFrame:
        """Weights of the codes of one level: as used, share within the parent, effective weight in the index.

        Rows are labelled with the meta names in *lang*, headers come from the catalogue. ``weights_at(2)`` is
        the category weights of a three-level index.
        """
        check_lang(lang)
        h = self.hierarchy
        level = self._level(level, 1)
        if level == h.n_levels:
            raise ParameterError(f"level {level} is the index itself; weights exist for levels 1…{h.n_levels - 1}")
        codes = list(h.codes[level - 1])
        frame = self.weights.loc[codes, ["weight", "share", "effective"]].rename(index=h.names(lang))
        return (frame.rename(columns=i18n.labels("composite.weights", lang))
                .rename_axis(i18n.t("composite.weights.element", lang)))

    def log_frame(self, lang: str = "zh") -> pd.DataFrame:
        """The step log as a table in *lang*: step, settings, what it did."""
        check_lang(lang)
        head = i18n.labels("composite.log", lang)
        return pd.DataFrame({head["step"]: [i18n.t(f"composite.step.{r.step}", lang) for r in self.log],
                             head["settings"]: [r.settings_text(lang) for r in self.log],
                             head["summary"]: [r.describe(lang) for r in self.log]})

    def _summary(self, lang: str = "zh") -> Summary:
        steps = " → ".join(i18n.t(f"composite.step.{r.step}", lang) for r in self.log)
        return Summary(title=i18n.t("composite.title.result", lang),
                       lines=[i18n.t("composite.line.result", lang, units=len(self.scores), steps=steps)],
                       frames={"": top_bottom(self.ranking(lang=lang), 10)}, index=True, max_rows=25)


@dataclass(frozen=True, eq=False)
class RemovalResult(ResultDisplay):
    """Effect on the index ranking of dropping each element of one level (its weight set to 0).

    ``summary`` has per element the mean and largest absolute rank change over units; ``ranks`` the
    index ranks with each element removed (and ``nominal``); ``rank_changes`` nominal − new rank
    (positive: the unit moves up without the element).
    """

    level: int
    summary: pd.DataFrame
    ranks: pd.DataFrame
    rank_changes: pd.DataFrame

    @property
    def table(self) -> pd.DataFrame:
        """The main table, ``summary``."""
        return self.summary

    def summary_table(self, lang: str = "zh", element_names: Mapping[str, str] | None = None) -> pd.DataFrame:
        """``summary`` with headers in *lang* and elements named by *element_names*."""
        check_lang(lang)
        return (self.summary.rename(index=dict(element_names or {}), columns=i18n.labels("composite.removal", lang))
                .rename_axis(i18n.t("composite.weights.element", lang)))

    def change_table(self, lang: str = "zh", *, unit_names: Mapping[str, str] | None = None,
                     element_names: Mapping[str, str] | None = None, unit_label: str | None = None) -> pd.DataFrame:
        """``rank_changes`` (units × elements, positive = moves up) with names and the unit header in *lang*."""
        check_lang(lang)
        return (self.rank_changes.rename(index=dict(unit_names or {}), columns=dict(element_names or {}))
                .rename_axis(unit_label or i18n.t("composite.ranking.name", lang)))

    def _summary(self, lang: str = "zh") -> Summary:
        return Summary(title=i18n.t("composite.title.removal", lang, level=self.level),
                       frames={"": self.summary_table(lang)}, index=True)


def _rank_table(stats: pd.DataFrame, level: float, lang: str, names, unit_label) -> pd.DataFrame:
    check_lang(lang)
    low, high = 50 * (1 - level), 50 * (1 + level)
    head = {"nominal": i18n.t("composite.rank.nominal", lang), "mean": i18n.t("composite.rank.mean", lang),
            "median": i18n.t("composite.rank.median", lang),
            "lo": i18n.t("composite.rank.percentile", lang, pct=f"{low:g}"),
            "hi": i18n.t("composite.rank.percentile", lang, pct=f"{high:g}")}
    return (stats.sort_values(["nominal", "median"]).rename(index=dict(names or {}), columns=head)
            .rename_axis(unit_label or i18n.t("composite.ranking.name", lang)))


@dataclass(frozen=True, eq=False)
class UncertaintyResult(ResultDisplay):
    """Index ranks over Monte Carlo draws of the uncertain assumptions.

    ``rank_stats`` per unit: ``nominal`` rank, ``mean``, ``median``, ``lo``, ``hi`` (the interval of width
    ``level``, e.g. the 5th/95th percentiles for 0.9, linear interpolation as R's default) of the draws'
    ranks. ``ranks`` and ``scores`` are draws × units; ``draws`` records the assumptions of each draw
    (``weight_set`` indexes the rows of ``weight_sets``, the noisy weights of every code).
    """

    rank_stats: pd.DataFrame
    ranks: pd.DataFrame
    scores: pd.DataFrame
    draws: pd.DataFrame
    weight_sets: pd.DataFrame | None
    nominal: CompositeResult = field(repr=False)
    level: float = 0.9

    @property
    def table(self) -> pd.DataFrame:
        """The main table, ``rank_stats``."""
        return self.rank_stats

    def rank_table(self, lang: str = "zh", *, names: Mapping[str, str] | None = None,
                   unit_label: str | None = None) -> pd.DataFrame:
        """``rank_stats`` sorted by nominal rank, units named by *names*, headers in *lang*."""
        return _rank_table(self.rank_stats, self.level, lang, names, unit_label)

    def _summary(self, lang: str = "zh") -> Summary:
        return Summary(title=i18n.t("composite.title.uncertainty", lang),
                       lines=[i18n.t("composite.line.draws", lang, n=len(self.draws))],
                       frames={"": top_bottom(self.rank_table(lang), 10)}, index=True)


@dataclass(frozen=True, eq=False)
class SensitivityResult(ResultDisplay):
    """Sobol indices of each uncertain assumption on the mean absolute rank change of the index.

    ``indices``: ``S`` (first order), ``ST`` (total), with bootstrap intervals of width ``level``
    (``S_lo`` … ``ST_hi``); ``outputs``: mean absolute rank change vs nominal for every run of the design;
    ``rank_stats``: rank uncertainty from the 2n random runs; ``removal``:
    :func:`evalkit.composite.remove_elements` of the nominal.
    """

    indices: pd.DataFrame
    outputs: pd.Series
    rank_stats: pd.DataFrame
    removal: RemovalResult
    draws: pd.DataFrame
    weight_sets: pd.DataFrame | None
    n_base: int
    nominal: CompositeResult = field(repr=False)
    level: float = 0.9

    @property
    def table(self) -> pd.DataFrame:
        """The main table, ``indices``."""
        return self.indices

    def index_table(self, lang: str = "zh") -> pd.DataFrame:
        """``indices`` with the assumptions and headers in *lang*."""
        check_lang(lang)
        low, high = f"{50 * (1 - self.level):g}", f"{50 * (1 + self.level):g}"
        head = {"S": i18n.t("composite.sobol.first", lang), "ST": i18n.t("composite.sobol.total", lang),
                "S_lo": i18n.t("composite.sobol.first_pct", lang, pct=low),
                "S_hi": i18n.t("composite.sobol.first_pct", lang, pct=high),
                "ST_lo": i18n.t("composite.sobol.total_pct", lang, pct=low),
                "ST_hi": i18n.t("composite.sobol.total_pct", lang, pct=high)}
        return (self.indices.rename(index=factor_labels(lang), columns=head)
                .rename_axis(i18n.t("composite.sobol.assumption", lang)))

    def rank_table(self, lang: str = "zh", *, names: Mapping[str, str] | None = None,
                   unit_label: str | None = None) -> pd.DataFrame:
        """``rank_stats`` (from the 2n random runs) in *lang*, as :meth:`UncertaintyResult.rank_table`."""
        return _rank_table(self.rank_stats, self.level, lang, names, unit_label)

    def _summary(self, lang: str = "zh") -> Summary:
        return Summary(title=i18n.t("composite.title.sensitivity", lang),
                       lines=[i18n.t("composite.line.runs", lang, n=self.n_base, runs=len(self.draws))],
                       frames={"": self.index_table(lang)}, index=True, float_format="{:.3f}".format)
