"""The plan-target assessment: :func:`assess`, :func:`assess_many`, :func:`required_path`, :func:`status_counts`.

:func:`assess` gives one row per indicator of a region; :func:`assess_many` the same rows for many regions.

The rules for one row are in :mod:`evalkit.targets.rules`; the inputs' contracts in :mod:`evalkit.targets.inputs`.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from evalkit._shared.checks import Lang, check_choice, check_lang
from evalkit._shared.codes import NATION, normalise_code
from evalkit.errors import ParameterError
from evalkit.i18n import t as message
from evalkit.targets.inputs import (
    TargetRecords,
    check_year,
    is_true,
    meta_lookup,
    no_code,
    polarity_of,
    prepare_panel,
    prepare_targets,
    region_series,
    select_records,
    series_by_region,
)
from evalkit.targets.measures import BASES, STATUSES, Thresholds, is_nan
from evalkit.targets.peers import _national_frame, _national_panel, _window
from evalkit.targets.rules import ASSESSMENT_COLUMNS, blank_row, target_row, trend_row
from evalkit.targets.text import label

__all__ = ["ASSESSMENT_COLUMNS", "assess", "assess_many", "required_path", "status_counts"]

_NATIONAL_FIELDS = (("national_baseline", "national_start"), ("national_actual", "national_end"),
                    ("national_cagr", "national_cagr"), ("level_gap", "level_gap"), ("growth_gap", "growth_gap"))


def _order(out: pd.DataFrame, meta: pd.DataFrame | None, groups: np.ndarray | None = None) -> pd.DataFrame:
    """Catalogue order (categories in plan order) when a catalogue is given; no-series rows last.

    With *groups* (one number per row, rows of a group together and groups in order), each group is ordered
    on its own, as if each had been ordered alone and the results put one after the other.
    """
    if meta is not None and not out.empty:
        codes = list(meta["code"] if "code" in meta.columns else meta.index)
        pos = {c: i for i, c in enumerate(codes)}
        key = out["indicator"].map(lambda c: pos.get(c, len(pos)) if isinstance(c, str) else len(pos) + 1)
        order = (np.argsort(key.to_numpy(), kind="stable") if groups is None
                 else np.lexsort((key.to_numpy(), groups)))
        out = out.iloc[order]
    out = out.reset_index(drop=True)
    out["met"] = out["met"].astype("boolean")
    out["moved_away"] = out["moved_away"].astype("boolean")
    for c in ("polarity", "baseline_year", "target_year", "end_year"):
        out[c] = out[c].astype("Int64")
    return out


def _add_national(out: pd.DataFrame, p: pd.DataFrame, national: str | pd.DataFrame | None, *,
                  region: str, end_year: int, interpolate: bool, own: dict | None = None) -> pd.DataFrame:
    """The national comparison's columns filled in, one :func:`compare_national` per baseline year.

    *own* is the region's :func:`region_series` when the caller has cut it already.
    """
    if national is None or (isinstance(national, str) and normalise_code(national, name="national") == region):
        return out
    series = None  # the region's and the nation's series, cut once for every baseline year
    for t0, idx in out.groupby("baseline_year", dropna=True).groups.items():
        indicator = out.loc[idx, "indicator"]
        codes = indicator.dropna().tolist()
        if not codes:
            continue
        # what compare_national(p, region=region, national=national, indicators=codes, start_year=int(t0), ...)
        # returns, without preparing the panels again for each baseline year
        start_year, _ = _window(int(t0), end_year)
        if series is None:
            nat_panel, nat_code = _national_panel(p, national)
            series = (own if own is not None else region_series(p, region)), region_series(nat_panel, nat_code)
        comp = _national_frame(*series, codes, start_year, end_year, interpolate).set_index("indicator")
        for col, src in _NATIONAL_FIELDS:
            out.loc[idx, col] = indicator.map(comp[src]).astype(float).to_numpy()
        for col in ("national_source", "national_status"):
            out.loc[idx, col] = indicator.map(comp[col]).to_numpy()
    return out


def _codes_to_assess(targeted: dict, by_code: dict, info: dict, indicators: Sequence[str] | None) -> list[str]:
    if indicators is not None:
        return [str(c) for c in indicators]
    codes = list(targeted)
    codes += [code for code in by_code if code not in targeted
              and (not info or is_true(info.get(code, {}).get("in_assessment", True)))]
    return codes


def assess(
    panel: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    region: str,
    end_year: int = 2020,
    indicators: Sequence[str] | None = None,
    plan: str | None = None,
    meta: pd.DataFrame | None = None,
    start_year: int | None = None,
    national: str | pd.DataFrame | None = NATION,
    interpolate: bool = False,
    thresholds: Thresholds | None = None,
    basis: Literal["auto", "change", "level"] = "auto",
    range_rule: Literal["polarity", "within"] = "polarity",
) -> pd.DataFrame:
    """Assess a region's indicators against plan targets: completion, status, growth and progress.

    Parameters
    ----------
    panel : DataFrame
        Tidy panel (``region``, ``year``, ``indicator``, ``value``, optional ``source``, ``status``).
    targets : DataFrame
        Targets table in the layout of ``data/reference/targets.csv``.
    region : str
        6-digit region code to assess, e.g. ``"210000"``.
    end_year : int
        Year of the actual value (2020 for the end of the 13th plan; earlier for a mid-term review).
    indicators : sequence of str, optional
        Catalogue codes to assess. Default: every indicator with a target for the region (including
        plan targets with no series, reported "not assessable: no series") plus the region's other
        panel indicators marked ``in_assessment`` in *meta* (all of them without *meta*), which get
        the trend rule.
    plan : str, optional
        Keep only target rows of this plan (e.g. ``"13th"``). Needed when the table holds several
        plans that target the same indicator.
    meta : DataFrame, optional
        Indicator catalogue (``evalkit.io.read_reference("indicators")``): names, category, unit and
        polarity. Without it, polarity comes from the target type (at_least → +1, at_most → −1).
    start_year : int, optional
        Baseline year for target rows that give none and for indicators without target
        (default ``end_year - 5``).
    national : str or DataFrame or None
        Where the national series is: a region code in *panel* (default ``"000000"``), a separate
        panel, or ``None`` to skip the comparison.
    interpolate : bool
        Fill a missing baseline or end value by linear interpolation between the nearest observed
        years on each side (never extrapolated). Off by default: a missing value makes the row
        "not assessable" with the reason.
    thresholds : Thresholds, optional
        Status and progress-class boundaries.
    basis : {"auto", "change", "level"}
        Which of the two completion conventions of Chinese plan evaluations sets the status.
        ``"change"``: the share of the required change achieved, (实际−基期)/(目标−基期)
        (``gap_closed``); ``"level"``: the level ratio 实际/目标 (``completion``); ``"auto"``
        (default): the share of the change where a baseline exists and a change was required, the level
        ratio otherwise (no baseline value, or the target already met at baseline). Both measures are
        always computed; ``status_basis`` says which one set each row's status. ``"gap"`` is the old
        spelling of ``"change"`` and still accepted. With ``"change"`` a row without a baseline value
        is not assessable; otherwise it is judged on the level ratio alone (its direction of travel
        unknown, ``reason="no_baseline_level"``).
    range_rule : {"polarity", "within"}
        For range targets: ``"polarity"`` (default) treats a range of a higher-is-better indicator
        as "at least the lower bound" (35–40 beds: 42 counts as met) and of a lower-is-better one
        as "at most the upper bound"; ``"within"`` requires the value inside the range.

    Returns
    -------
    DataFrame
        One row per indicator with the columns :data:`ASSESSMENT_COLUMNS`. ``status`` is one of
        :data:`STATUSES`; ``progress_class`` one of :data:`TARGET_CLASSES` (rows with a target),
        :data:`TREND_CLASSES` (rows without), ``"context"`` (polarity 0) or missing. Rows that
        cannot be assessed carry ``reason`` (``no_series``, ``no_data``, ``no_baseline``,
        ``no_actual``, ``no_target_value``, ``bad_years``, ``zero_baseline``) and a ``note``.

    Notes
    -----
    Let :math:`b` be the baseline value in year :math:`t_0`, :math:`a` the actual value in year
    :math:`t` (*end_year*), :math:`x^*` the target for year :math:`T`.

    The baseline is the targets table's ``baseline`` only on a row written for this very region
    (a ``*`` row's baseline would be another region's fact); otherwise the panel value in
    ``baseline_year``.

    **Direction and met.** at_least: met when :math:`a \\ge x^*`; at_most: :math:`a \\le x^*`;
    reach: the direction from :math:`b` toward :math:`x^*` (polarity if they are equal), met once
    :math:`a` is on or past :math:`x^*`; range :math:`[L, H]`: see *range_rule* — two-sided ranges
    are met when :math:`L \\le a \\le H` and measured against the bound on the baseline's side.

    **完成率 (completion)**, oriented so that 1 means "just met":

    * at_least, reach upward, range from below: :math:`a / x^*`;
    * at_most, reach downward, range from above: :math:`x^* / a`;
    * two-sided range: 1 inside :math:`[L, H]`, :math:`a/L` below, :math:`H/a` above.

    The level ratio needs :math:`x^* > 0` (or :math:`a > 0` for the inverse ratio); otherwise it is
    missing and, with ``basis="level"``, the status falls back to the share of the required change.

    **Share of the required change** (``gap_closed``): :math:`(a - b) / (x^* - b)`, defined when the
    target was not yet met at baseline; negative when the indicator moved the wrong way.

    **Direction of travel** (``moved_away``): true when the distance to the target,
    :math:`\\max(0, d\\,(x^* - y))` for a one-sided target with direction :math:`d = \\pm 1` (the
    distance to :math:`[L, H]` for a two-sided range), grew from :math:`b` to :math:`a`. An indicator
    that moved away from its target is never 完成 (it cannot be met) nor 基本完成, whatever the
    level ratio says: at least, 30 → 28 against ≥ 31 has the level ratio 28/31 = 90.3 % and is
    未完成; at most, 4.0 → 4.8 against ≤ 4.5 has 4.5/4.8 = 93.75 % and is 未完成.

    **Status**: 完成 when met; 未完成 when moved away; otherwise 基本完成 when the measure chosen by
    *basis* is ≥ ``thresholds.nearly_met``, 未完成 below.

    **Growth** (Eurostat): :math:`\\mathrm{CAGR}_a = (a/b)^{1/(t-t_0)} - 1`,
    :math:`\\mathrm{CAGR}_r = (x^*/b)^{1/(T-t_0)} - 1`, progress ratio
    :math:`\\mathrm{CAGR}_a / \\mathrm{CAGR}_r`, classed by :func:`classify_progress`. A decreasing
    target makes both rates negative, so the ratio is positive when the indicator falls. When
    :math:`b`, :math:`a` or :math:`x^*` is zero or negative the CAGR is undefined and the ratio is
    :math:`\\frac{(a-b)/(t-t_0)}{(x^*-b)/(T-t_0)}` (``growth_basis="absolute"``). A target already
    met at baseline needs no growth: the ratio is missing and the class is "significant" if the
    target is still met at :math:`t`, "away" if not.

    **Indicators without a target**: polarity × :math:`\\mathrm{CAGR}_a` classed by
    :func:`classify_trend`; when the CAGR is undefined, the annual change divided by :math:`|b|`.

    **National comparison**: ``level_gap`` = :math:`a - a_{nat}`, ``growth_gap`` =
    :math:`\\mathrm{CAGR}_a - \\mathrm{CAGR}_{nat}` over the same years (see
    :func:`compare_national`).
    """
    basis, th, end_year, start_default = _check_options(basis, range_rule, thresholds, end_year, start_year)
    region = normalise_code(region)
    p = prepare_panel(panel)
    series = region_series(p, region)  # empty exactly when the region has no row: every panel row has a value
    if not series and region not in set(p["region"].unique()):
        raise ParameterError(
            f"region {region!r} has no rows in the panel; regions present: {sorted(set(p['region']))[:20]}")
    t = TargetRecords.of(prepare_targets(targets, plan))
    rows = _region_rows(t, meta_lookup(meta), series, indicators, region=region,
                        end_year=end_year, start_default=start_default, interpolate=interpolate, th=th,
                        range_rule=range_rule, basis=basis)
    out = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS))
    out = _add_national(out, p, national, region=region, end_year=end_year, interpolate=interpolate, own=series)
    return _order(out, meta)


def _check_options(basis: str, range_rule: str, thresholds: Thresholds | None, end_year: int,
                   start_year: int | None) -> tuple[str, Thresholds, int, int]:
    basis = "change" if basis == "gap" else basis
    check_choice("basis", basis, BASES)
    check_choice("range_rule", range_rule, ("polarity", "within"))
    th = thresholds if thresholds is not None else Thresholds()
    if not isinstance(th, Thresholds):
        raise ParameterError(f"thresholds must be an evalkit.targets.Thresholds, got {type(th).__name__}")
    end_year = check_year(end_year, "end_year")
    start_default = check_year(start_year, "start_year") if start_year is not None else end_year - 5
    return basis, th, end_year, start_default


def _region_rows(t: TargetRecords | tuple, info: dict, by_code: dict, indicators: Sequence[str] | None, *,
                 region: str, end_year: int, start_default: int, interpolate: bool, th: Thresholds, range_rule: str,
                 basis: str) -> list[dict]:
    """The assessed rows of one region (before the national comparison and the ordering).

    *t* is the prepared targets table's records, or a ``(records, generic_records, own_regions)`` triple from
    :func:`assess_many`: a region with no row of its own gets the shared ``*`` rows without a new selection.
    """
    if isinstance(t, tuple):
        t, generic, own = t
        records = generic if region not in own else select_records(t, region)
    else:
        records = select_records(t, region)
    targeted = {r["indicator"]: r for r in records if not no_code(r["indicator"])}
    no_series = [r for r in records if no_code(r["indicator"])] if indicators is None else []
    common = {"end_year": end_year, "interpolate": interpolate, "th": th}
    rules = {"region": region, "rule": range_rule, "basis": basis, **common}

    rows = []
    for code in _codes_to_assess(targeted, by_code, info, indicators):
        i = info.get(code, {})
        row, pol = blank_row(region, code, i, end_year), polarity_of(i)
        if code in targeted:
            tr = targeted[code]
            t0 = int(tr["baseline_year"]) if not is_nan(tr["baseline_year"]) else start_default
            rows.append(target_row(row, tr, series=by_code.get(code), t0=t0, polarity=pol, **rules))
        else:
            rows.append(trend_row(row, series=by_code.get(code), t0=start_default, polarity=pol, **common))
    for tr in no_series:
        rows.append(target_row(blank_row(region, None, {}, end_year), tr, series=None, t0=start_default,
                               polarity=None, **rules))
    return rows


def assess_many(
    panel: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    regions: Sequence[str] | None = None,
    end_year: int = 2020,
    indicators: Sequence[str] | None = None,
    plan: str | None = None,
    meta: pd.DataFrame | None = None,
    start_year: int | None = None,
    national: str | pd.DataFrame | None = NATION,
    interpolate: bool = False,
    thresholds: Thresholds | None = None,
    basis: Literal["auto", "change", "level"] = "auto",
    range_rule: Literal["polarity", "within"] = "polarity",
) -> pd.DataFrame:
    """:func:`assess` for many regions at once: the same rows as one call per region, one after the other.

    The panel and the targets table are checked once and every region's series are cut out in one
    pass, so a national county panel (≈ 2,850 counties) is assessed in seconds where a loop of
    :func:`assess` reads the whole panel once per county.

    Parameters
    ----------
    panel, targets : DataFrame
        As for :func:`assess`.
    regions : sequence of str, optional
        Region codes to assess, in the order wanted (default: every region of the panel in code order,
        except the national series when *national* is a code).
    end_year, indicators, plan, meta, start_year, national, interpolate, thresholds, basis, range_rule
        As for :func:`assess`; they apply to every region.

    Returns
    -------
    DataFrame
        ``pd.concat([assess(panel, targets, region=r, ...) for r in regions], ignore_index=True)``:
        the columns :data:`ASSESSMENT_COLUMNS`, each region's rows in :func:`assess`'s order.
    """
    basis, th, end_year, start_default = _check_options(basis, range_rule, thresholds, end_year, start_year)
    p = prepare_panel(panel)
    present = set(p["region"].unique())
    if regions is None:
        skip = normalise_code(national, name="national") if isinstance(national, str) else None
        codes = sorted(r for r in present if r != skip)
    else:
        codes = [normalise_code(r) for r in regions]
        missing = [r for r in codes if r not in present]
        if missing:
            raise ParameterError(f"regions {missing[:10]} have no rows in the panel; "
                                 f"regions present: {sorted(present)[:20]}")
    t = prepare_targets(targets, plan)
    own = set(t["region"].dropna()) - {"*"}
    plain = next((r for r in codes if r not in own), None)  # every region without own rows: the same selection
    t = TargetRecords.of(t)
    t = (t, select_records(t, plain) if plain is not None else [], own)
    info = meta_lookup(meta)
    series = series_by_region(p)
    options = {"end_year": end_year, "start_default": start_default, "interpolate": interpolate, "th": th,
               "range_rule": range_rule, "basis": basis}
    if national is None:  # one frame for all regions: building and ordering a frame per region costs ~10 ms each
        rows, groups = [], []
        for k, r in enumerate(codes):
            mine = _region_rows(t, info, series.get(r, {}), indicators, region=r, **options)
            rows += mine
            groups += [k] * len(mine)
        out, groups = pd.DataFrame(rows, columns=list(ASSESSMENT_COLUMNS)), np.asarray(groups, dtype=np.int64)
        for c in out.columns:  # a text column empty for one region is object (None) in its frame and the concat
            if not isinstance(out[c].dtype, pd.StringDtype):
                continue
            filled = out[c].notna().groupby(groups).any()
            if not filled.all():
                values = out[c].to_numpy(dtype=object, na_value=np.nan)
                values[np.isin(groups, filled.index[~filled.to_numpy()])] = None
                out[c] = pd.Series(values, index=out.index, dtype=object)
        return _order(out, meta, groups)
    rows_of = p.groupby("region", sort=False).indices
    nat_rows = rows_of.get(normalise_code(national, name="national"), []) if isinstance(national, str) else []
    frames = []
    for r in codes:
        out = pd.DataFrame(_region_rows(t, info, series.get(r, {}), indicators, region=r, **options),
                           columns=list(ASSESSMENT_COLUMNS))
        sub = p.iloc[np.sort(np.r_[rows_of[r], nat_rows]).astype(int)]
        out = _add_national(out, sub, national, region=r, end_year=end_year, interpolate=interpolate)
        frames.append(_order(out, meta))
    return pd.concat(frames, ignore_index=True)


def status_counts(assessment: pd.DataFrame, *, lang: Lang | None = None) -> pd.Series:
    """Number of indicators per status, in the order of :data:`STATUSES` (zeros included).

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`assess`.
    lang : {"zh", "en"}, optional
        With *lang*, the index holds the status words in that language and the series and index are
        named for display (``counts.reset_index()`` is then a ready table).

    Returns
    -------
    Series
    """
    if "status" not in assessment.columns:
        raise ParameterError("status_counts needs the output of evalkit.targets.assess (no 'status' column)")
    counts = assessment["status"].value_counts()
    out = pd.Series([int(counts.get(s, 0)) for s in STATUSES], index=list(STATUSES), name="count")
    if lang is None:
        return out
    check_lang(lang)
    out.index = [label(s, lang) for s in STATUSES]
    out.index.name = message("targets.head.status", lang)
    return out.rename(message("targets.head.count", lang))


def required_path(assessment: pd.DataFrame) -> pd.DataFrame:
    """The path each target required, year by year from the baseline year to the target year.

    Parameters
    ----------
    assessment : DataFrame
        Output of :func:`assess`.

    Returns
    -------
    DataFrame
        Long frame (``indicator``, ``year``, ``value``) for rows with a required growth rate:
        geometric :math:`b (1 + \\mathrm{CAGR}_r)^{y - t_0}` when ``growth_basis`` is ``"cagr"``,
        straight :math:`b + (y - t_0) \\Delta_r` when it is ``"absolute"``.
    """
    rows = []
    for r in assessment.to_dict("records"):
        if r.get("growth_basis") not in ("cagr", "absolute") or is_nan(r.get("annual_change_required")):
            continue
        t0, T, b = int(r["baseline_year"]), int(r["target_year"]), r["baseline"]
        years = np.arange(t0, T + 1)
        if r["growth_basis"] == "cagr":
            values = b * (1 + r["cagr_required"]) ** (years - t0)
        else:
            values = b + (years - t0) * r["annual_change_required"]
        rows += [{"indicator": r["indicator"], "year": int(y), "value": float(v)} for y, v in zip(years, values)]
    return pd.DataFrame(rows, columns=["indicator", "year", "value"])
