"""A region beside others: the national series and the other cities of its province.

:func:`compare_national` sets a region beside the national series; :func:`compare_peers` ranks a city among
the cities of its province (:class:`PeerComparison`).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

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
    series_by_indicator,
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
    start_year, end_year = check_year(start_year, "start_year"), check_year(end_year, "end_year")
    if start_year >= end_year:
        raise ParameterError(f"start_year ({start_year}) must precede end_year ({end_year})")
    p = prepare_panel(panel)
    nat_panel, nat_code = _national_panel(p, national)
    reg, nat = series_by_indicator(p, region), series_by_indicator(nat_panel, nat_code)
    codes = list(indicators) if indicators is not None else list(reg)
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


def _peer_codes(at_year: pd.DataFrame, region: str, info: dict, indicators: Sequence[str] | None) -> list[str]:
    if indicators is not None:
        return [str(c) for c in indicators]
    present = set(at_year.loc[at_year["region"] == region, "indicator"])
    order = list(info) if info else sorted(present)
    return [c for c in order if c in present and (not info or is_true(info[c].get("in_assessment", True)))]


def _rank_one(code: str, vals: pd.DataFrame, region: str, refv: float, i: dict) -> tuple[dict, list[dict]]:
    """The focus region's row and every peer's position for one indicator."""
    pol = polarity_of(i)
    n = len(vals)
    ranks = vals["value"].rank(ascending=(pol == -1), method="min")
    pct = (n - ranks) / (n - 1) if n > 1 else ranks * math.nan
    focus = vals.loc[region] if region in vals.index else None
    value = float(focus["value"]) if focus is not None else math.nan
    # a provincial count is the sum over its cities: a share of it means something, a difference does not
    is_count = text_or_none(i.get("kind")) == "count"
    row = {
        "indicator": code, **{f: text_or_none(i.get(f)) for f in META_FIELDS}, "polarity": pol,
        "rank_basis": "polarity" if pol in (1, -1) else "value (no polarity)",
        "value": value, "reference_value": refv,
        "diff_reference": math.nan if is_count else value - refv,
        "share_reference": value / refv if is_count and refv else math.nan,
        "rank": float(ranks[region]) if focus is not None else math.nan, "n": n,
        "percentile": float(pct[region]) if focus is not None else math.nan,
        "quartile": _quartile(float(pct[region])) if focus is not None else math.nan,
        "peer_min": float(vals["value"].min()) if n else math.nan,
        "peer_median": float(vals["value"].median()) if n else math.nan,
        "peer_max": float(vals["value"].max()) if n else math.nan,
        "source": text_or_none(focus["source"]) if focus is not None else None,
        "status": text_or_none(focus["status"]) if focus is not None else None,
    }
    positions = [{"indicator": code, "region": code_r, "value": float(v), "rank": float(ranks[code_r]),
                  "percentile": float(pct[code_r]), "is_focus": code_r == region}
                 for code_r, v in vals["value"].items()]
    return row, positions


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
    at_year = p[(p["year"] == year) & p["region"].isin(peer_list)]
    if region not in set(at_year["region"]):
        raise ParameterError(f"region {region!r} has no values in {year}; pick another year")
    info = meta_lookup(meta)
    ref = p[(p["year"] == year) & (p["region"] == reference)].set_index("indicator")["value"]
    rows, positions = [], []
    for code in _peer_codes(at_year, region, info, indicators):
        vals = at_year[at_year["indicator"] == code].set_index("region")
        refv = float(ref[code]) if code in ref.index else math.nan
        row, pos = _rank_one(code, vals, region, refv, info.get(code, {}))
        rows.append(row)
        positions += pos
    table = pd.DataFrame(rows)
    if not table.empty:
        table["rank"] = table["rank"].astype("Int64")
        table["quartile"] = table["quartile"].astype("Int64")
    return PeerComparison(table=table, positions=pd.DataFrame(positions, columns=_POSITION_COLUMNS),
                          region=region, reference=reference, year=year)
