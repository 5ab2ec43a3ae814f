"""A region beside others: the national series and the other cities of its province.

:func:`compare_national` sets a region beside the national series; :func:`compare_peers` ranks a city among
the cities of its province (:class:`PeerComparison`).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit._shared.codes import NATION, level_of, normalise_code
from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import ParameterError
from evalkit.i18n import t
from evalkit.targets.inputs import (
    META_FIELDS,
    check_year,
    is_true,
    meta_lookup,
    polarity_of,
    prepare_panel,
    region_series,
    text_or_none,
    value_at,
)
from evalkit.targets.measures import cagr, is_nan

__all__ = ["PeerComparison", "compare_national", "compare_peers", "peer_regions"]

_NATIONAL_COLUMNS = ["indicator", "region_start", "region_end", "national_start", "national_end", "region_cagr",
                     "national_cagr", "level_gap", "level_ratio", "growth_gap", "national_source",
                     "national_status"]
_POSITION_COLUMNS = ["indicator", "region", "value", "rank", "percentile", "is_focus"]


def _national_panel(p: pd.DataFrame, national: str | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    if isinstance(national, pd.DataFrame):
        nat_panel = prepare_panel(national, name="national")
        codes_present = set(nat_panel["region"])
        return nat_panel, NATION if NATION in codes_present else next(iter(sorted(codes_present)), NATION)
    return p, normalise_code(national, name="national")


def _window(start_year: object, end_year: object) -> tuple[int, int]:
    start_year, end_year = check_year(start_year, "start_year"), check_year(end_year, "end_year")
    if start_year >= end_year:
        raise ParameterError(f"start_year ({start_year}) must precede end_year ({end_year})")
    return start_year, end_year


def _national_frame(reg: dict, nat: dict, codes: Sequence[str], start_year: int, end_year: int,
                    interpolate: bool) -> pd.DataFrame:
    """:func:`compare_national`'s frame from the region's and the nation's series (:func:`region_series`)."""
    years = end_year - start_year
    rows = []
    for code in codes:
        r0, r1 = (value_at(reg.get(code), y, interpolate) for y in (start_year, end_year))
        n0, n1 = (value_at(nat.get(code), y, interpolate) for y in (start_year, end_year))
        vals = [o.value if o is not None else math.nan for o in (r0, r1, n0, n1)]
        rc, nc = cagr(vals[0], vals[1], years), cagr(vals[2], vals[3], years)
        rows.append({
            "indicator": code, "region_start": vals[0], "region_end": vals[1],
            "national_source": n1.source if n1 else None, "national_status": n1.status if n1 else None,
            "national_start": vals[2], "national_end": vals[3], "region_cagr": rc,
            "national_cagr": nc, "level_gap": vals[1] - vals[3],
            "level_ratio": vals[1] / vals[3] if vals[3] else math.nan,
            "growth_gap": rc - nc,
        })
    return pd.DataFrame(rows, columns=_NATIONAL_COLUMNS)


def compare_national(
    panel: pd.DataFrame,
    *,
    region: str,
    national: str | pd.DataFrame = NATION,
    indicators: Sequence[str] | None = None,
    start_year: int = 2015,
    end_year: int = 2020,
    interpolate: bool = False,
) -> pd.DataFrame:
    """A region beside the national series: levels, growth and the gaps between them.

    Parameters
    ----------
    panel : DataFrame
        Tidy panel holding the region (and the national series when *national* is a code).
    region : str
        Region code.
    national : str or DataFrame
        Region code of the national series in *panel* (default ``"000000"``) or a separate panel.
    indicators : sequence of str, optional
        Codes to compare (default: every indicator the region has).
    start_year, end_year : int
        The comparison window.
    interpolate : bool
        Linear interpolation of a missing start or end value between observed neighbours.

    Returns
    -------
    DataFrame
        One row per indicator: ``region_start``, ``region_end``, ``national_start``,
        ``national_end``, ``region_cagr``, ``national_cagr``, ``level_gap``, ``level_ratio``,
        ``growth_gap``, and the ``national_source`` and ``national_status`` of the national end
        value. Values missing on either side stay missing.

    Notes
    -----
    ``level_gap`` = region − national in the end year; ``level_ratio`` = region / national;
    ``growth_gap`` = :math:`\\mathrm{CAGR}_{region} - \\mathrm{CAGR}_{national}` over the window
    (fractions: 0.01 is one percentage point a year). Read the sign with the indicator's polarity.
    """
    region = normalise_code(region)
    start_year, end_year = _window(start_year, end_year)
    p = prepare_panel(panel)
    nat_panel, nat_code = _national_panel(p, national)
    reg, nat = region_series(p, region), region_series(nat_panel, nat_code)
    codes = list(indicators) if indicators is not None else list(reg)
    return _national_frame(reg, nat, codes, start_year, end_year, interpolate)


def peer_regions(panel: pd.DataFrame, *, province: str = "210000") -> list[str]:
    """Prefecture-level codes of *province* present in the panel.

    GB/T 2260 codes a prefecture as the province's first two digits, two digits of its own (not
    ``00``) and ``00`` (:func:`evalkit._shared.codes.level_of`); county codes are left out.

    Parameters
    ----------
    panel : DataFrame
        Tidy panel.
    province : str
        Province code.

    Returns
    -------
    list of str
    """
    province = normalise_code(province, name="province")
    codes = sorted(set(prepare_panel(panel)["region"].dropna()))
    return [c for c in codes if c[:2] == province[:2] and level_of(c) == "city"]


def _quartile(percentile: float) -> float:
    if is_nan(percentile):
        return math.nan
    return 1 if percentile >= 0.75 else 2 if percentile >= 0.5 else 3 if percentile >= 0.25 else 4


@dataclass(frozen=True)
class PeerComparison(ResultDisplay):
    """A region's indicators ranked among its peers in one year.

    Attributes
    ----------
    table : DataFrame
        One row per indicator: ``value``, ``reference_value`` (the province), ``diff_reference``
        (value − province; missing for counts), ``share_reference`` (value / province, for counts —
        catalogue kind ``count`` — only), ``rank`` (1 = best given the polarity), ``n``, ``percentile``
        (1 = best, 0 = worst), ``quartile`` (1 = top quarter of the percentile scale), ``peer_min``,
        ``peer_median``, ``peer_max``, ``source``, ``status``.
    positions : DataFrame
        Every peer's ``value``, ``rank`` and ``percentile`` per indicator, with ``is_focus``.
    region, reference : str
        The focus region and the region it is set against.
    year : int
        The year compared.
    """

    table: pd.DataFrame
    positions: pd.DataFrame
    region: str
    reference: str
    year: int

    def _summary(self) -> Summary:
        n = int(self.table["n"].max()) if len(self.table) else 0
        return Summary(title=t("targets.peers.title", "en", region=self.region, n=n, year=self.year),
                       frames={"": self.table})


def _peer_codes(present: set, info: dict, indicators: Sequence[str] | None) -> list[str]:
    """The codes compared: *indicators*, or those the focus region has (*present*) in catalogue order."""
    if indicators is not None:
        return [str(c) for c in indicators]
    order = list(info) if info else sorted(present)
    return [c for c in order if c in present and (not info or is_true(info[c].get("in_assessment", True)))]


def _min_ranks(values: np.ndarray, *, ascending: bool) -> np.ndarray:
    """``Series.rank(method="min", ascending=ascending)`` of values without a missing one, as float64.

    The "min" rank of a value is one more than the number of values strictly better: below it when
    ascending, above it when not.
    """
    ordered = np.sort(values)
    if ascending:
        return (np.searchsorted(ordered, values, side="left") + 1).astype(np.float64)
    return (len(values) - np.searchsorted(ordered, values, side="right") + 1).astype(np.float64)


def _rank_one(code: str, values: np.ndarray, focus: int | None, refv: float, i: dict,
              texts: tuple[object, object]) -> tuple[dict, np.ndarray, np.ndarray]:
    """The focus region's row, and every peer's rank and percentile, for one indicator.

    *values* are the peers' values in panel order, *focus* the focus region's position among them (``None``
    when it has no value) and *texts* its source and status.
    """
    pol = polarity_of(i)
    n = len(values)
    ranks = _min_ranks(values, ascending=(pol == -1))
    pct = (n - ranks) / (n - 1) if n > 1 else ranks * math.nan
    value = float(values[focus]) if focus is not None else math.nan
    # a provincial count is the sum over its cities: a share of it means something, a difference does not
    is_count = text_or_none(i.get("kind")) == "count"
    row = {
        "indicator": code, **{f: text_or_none(i.get(f)) for f in META_FIELDS}, "polarity": pol,
        "rank_basis": "polarity" if pol in (1, -1) else "value (no polarity)",
        "value": value, "reference_value": refv,
        "diff_reference": math.nan if is_count else value - refv,
        "share_reference": value / refv if is_count and refv else math.nan,
        "rank": float(ranks[focus]) if focus is not None else math.nan, "n": n,
        "percentile": float(pct[focus]) if focus is not None else math.nan,
        "quartile": _quartile(float(pct[focus])) if focus is not None else math.nan,
        "peer_min": float(values.min()) if n else math.nan,
        "peer_median": float(np.nanmedian(values)) if n else math.nan,  # what Series.median computes
        "peer_max": float(values.max()) if n else math.nan,
        "source": text_or_none(texts[0]) if focus is not None else None,
        "status": text_or_none(texts[1]) if focus is not None else None,
    }
    return row, ranks, pct


def _positions(codes: list[str], regions: list[str], values: list[np.ndarray], ranks: list[np.ndarray],
               pct: list[np.ndarray], region: str) -> pd.DataFrame:
    """Every peer's position, one row per (indicator, peer) in the order compared."""
    if not regions:
        return pd.DataFrame([], columns=_POSITION_COLUMNS)
    return pd.DataFrame({"indicator": codes, "region": regions, "value": np.concatenate(values),
                         "rank": np.concatenate(ranks), "percentile": np.concatenate(pct),
                         "is_focus": np.array([r == region for r in regions], dtype=bool)},
                        columns=_POSITION_COLUMNS)


def compare_peers(
    panel: pd.DataFrame,
    *,
    region: str,
    year: int = 2020,
    peers: Sequence[str] | None = None,
    reference: str = "210000",
    meta: pd.DataFrame | None = None,
    indicators: Sequence[str] | None = None,
) -> PeerComparison:
    """Rank a region's indicators among its peers (by default the other cities of its province).

    Parameters
    ----------
    panel : DataFrame
        Tidy panel.
    region : str
        The focus region (e.g. ``"210100"``).
    year : int
        The year compared.
    peers : sequence of str, optional
        Codes ranked together, the focus included (default :func:`peer_regions` of *reference*).
    reference : str
        Region the focus is set against (default the province ``"210000"``).
    meta : DataFrame, optional
        Indicator catalogue; its polarity orients the ranks (−1: lowest is best). Indicators with
        polarity 0 or unknown are ranked highest-first and flagged in ``rank_basis``.
    indicators : sequence of str, optional
        Codes to compare. Default: the indicators the focus region has in *year* that *meta* marks
        ``in_assessment`` (all of them without *meta*), in catalogue order.

    Returns
    -------
    PeerComparison

    Notes
    -----
    Ranks use the "min" rule for ties (two cities sharing the best value are both 1). With
    :math:`n` peers holding a value, ``percentile`` :math:`p = (n - rank)/(n - 1)` and ``quartile``
    is 1 for :math:`p \\ge 0.75`, 2 for :math:`0.5 \\le p < 0.75`, 3 for :math:`0.25 \\le p < 0.5`,
    4 below (missing when :math:`n = 1`).
    """
    region = normalise_code(region)
    reference = normalise_code(reference, name="reference")
    year = check_year(year, "year")
    p = prepare_panel(panel)
    peer_list = ([normalise_code(c, name="peers") for c in peers] if peers is not None
                 else peer_regions(p, province=reference))
    if region not in peer_list:
        raise ParameterError(f"region {region!r} is not among the peers {peer_list}; pass peers= including it")
    # the year's rows of the peers, grouped by indicator once (in panel order) instead of filtered per indicator
    at_year = p.iloc[np.flatnonzero(p["year"].to_numpy() == year)]
    regions, codes = (at_year[c].to_numpy(dtype=object, na_value=None).tolist() for c in ("region", "indicator"))
    values, sources, statuses = at_year["value"].to_numpy(), at_year["source"].tolist(), at_year["status"].tolist()
    wanted = set(peer_list)
    rows_of: dict[object, list[int]] = {}
    for k, r in enumerate(regions):
        if r in wanted:
            rows_of.setdefault(codes[k], []).append(k)
    present = {codes[k] for k, r in enumerate(regions) if r == region}
    if not present:
        raise ParameterError(f"region {region!r} has no values in {year}; pick another year")
    info = meta_lookup(meta)
    ref = {codes[k]: values[k] for k, r in enumerate(regions) if r == reference}
    rows, position_codes, position_regions, position_values, position_ranks, position_pct = [], [], [], [], [], []
    for code in _peer_codes(present, info, indicators):
        at = rows_of.get(code, [])
        peer_regions_ = [regions[k] for k in at]
        focus = peer_regions_.index(region) if region in peer_regions_ else None
        refv = float(ref[code]) if code in ref else math.nan
        texts = (sources[at[focus]], statuses[at[focus]]) if focus is not None else (None, None)
        row, ranks, pct = _rank_one(code, values[at], focus, refv, info.get(code, {}), texts)
        rows.append(row)
        position_codes += [code] * len(at)
        position_regions += peer_regions_
        position_values.append(values[at])
        position_ranks.append(ranks)
        position_pct.append(pct)
    table = pd.DataFrame(rows)
    if not table.empty:
        table["rank"] = table["rank"].astype("Int64")
        table["quartile"] = table["quartile"].astype("Int64")
    positions = _positions(position_codes, position_regions, position_values, position_ranks, position_pct, region)
    return PeerComparison(table=table, positions=positions, region=region, reference=reference, year=year)
