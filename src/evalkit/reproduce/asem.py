"""COINr's ASEM Sustainable Connectivity example, reproduced with :mod:`evalkit.composite`.

Data: ``reference-data/asem/ASEM_iData.csv`` and ``ASEM_iMeta.csv`` (COINr's ``ASEM_iData`` /
``ASEM_iMeta``; 51 units, 49 indicators → 8 pillars → 2 sub-indices → Index).

Case ``asem`` is ``build_example_coin()`` (COINr ``R/examples.R``): Denominate → Impute
(``i_mean_grp`` by ``EurAsia_group``) → Screen (``dat_thresh = 0.9``, ``byNA``) → Treat
(``winmax = 5``) → Normalise (min-max 0–100) → Aggregate (``a_amean``). COINr screens *after*
imputing, when no value is missing any more, so its screen keeps all 51 units; evalkit screens before
imputing (the order an analyst needs), so the equivalent call here leaves screening out (the test
checks that imputation leaves no value missing). Case ``asem_screened`` is the pipeline of COINr's
Overview article and of ``coin90`` in its Adjustments article: screening at 90 % on the denominated
data, no imputation, the same treatment, normalisation and aggregation (46 units).

Published values, all from the pkgdown articles in ``bluefoxr/COINr`` (``articles/*.md`` at commit
cb1fa25c65ecd09bf92ba7c1a980a96ba1556e8f):

* ``results.md`` — ``get_results(..., tab_type = "Aggs")``: the six top units, every aggregate, 2 d.p.;
  ``get_unit_summary(usel = "IND")``: India's aggregate scores (2 d.p.) and ranks.
* ``aggregate.md`` — the first five rows of the Aggregated data set (AUS, AUT, BEL, BGD, BGR: COINr
  keeps units sorted by code), every aggregate, 3 significant figures.
* ``adjustments.md`` — ``compare_coins_multi``: the Index rank of all 51 units (column ``Nominal``)
  and of the 46 screened units (column ``Screen90``).
* ``weights.md`` — ``get_PCA(dset = "Aggregated", Level = 2)``: the level-2 PCA weights.
* ``sensitivity.md`` — ``remove_elements(Level = 2)``: ``MeanAbsDiff`` per pillar.
* ``overview.md`` — ``get_results`` of the screened pipeline: the six top units, 2 d.p.

Other unit scores were not published; their records carry ``reference = None``.
"""
from __future__ import annotations

import math

import pandas as pd

from evalkit import composite
from evalkit.paths import require_reference_data

__all__ = [
    "EXAMPLE_STEPS",
    "PUBLISHED",
    "PUBLISHED_IND_RANKS",
    "SCREENED_STEPS",
    "build_example",
    "build_screened",
    "load",
    "matches",
    "pca_level2",
    "records",
    "tolerance",
]

EXAMPLE_STEPS = dict(unit="uCode", denominate=True, impute="group_mean", impute_group="EurAsia_group",
                     treat=True, winmax=5, normalise="minmax", norm_range=(0.0, 100.0), aggregation="arithmetic")
SCREENED_STEPS = dict(unit="uCode", denominate=True, screen=0.9, treat=True, winmax=5, normalise="minmax",
                      norm_range=(0.0, 100.0), aggregation="arithmetic")

_AGGS = ("Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin")

# results.md, get_results(coin, dset = "Aggregated", tab_type = "Aggs"): Index … SusEcFin, 2 d.p.
_RESULTS_TOP6 = {
    "CHE": (68.38, 62.79, 73.98, 63.41, 32.87, 74.78, 85.94, 56.93, 77.21, 87.85, 56.88),
    "NLD": (64.82, 61.94, 67.70, 64.87, 46.62, 84.55, 71.74, 41.92, 58.73, 86.58, 57.78),
    "DNK": (64.80, 57.10, 72.51, 50.52, 30.43, 78.13, 75.35, 51.04, 69.83, 86.40, 61.29),
    "NOR": (64.47, 57.44, 71.50, 58.18, 25.70, 80.03, 89.46, 33.80, 70.90, 87.00, 56.59),
    "BEL": (63.54, 63.99, 63.09, 71.97, 48.22, 80.84, 75.60, 43.32, 53.01, 86.17, 50.09),
    "SWE": (63.00, 53.87, 72.12, 51.51, 23.87, 80.98, 74.51, 38.50, 66.37, 87.74, 62.27),
}
# results.md, get_unit_summary(coin, usel = "IND", Levels = c(4, 3, 2)): score (2 d.p.) and rank
_RESULTS_IND = {"Index": (39.79, 45), "Conn": (28.60, 44), "Sust": (50.99, 43), "Physical": (18.78, 48),
                "ConEcFin": (6.38, 49), "Political": (51.90, 33), "Instit": (59.84, 37), "P2P": (6.07, 47),
                "Environ": (75.34, 6), "Social": (22.74, 51), "SusEcFin": (54.88, 36)}
# aggregate.md, head(5) of the Aggregated data set |> signif(3); columns in the article's order
_AGGREGATE_COLUMNS = ("ConEcFin", "Environ", "Instit", "P2P", "Physical", "Political", "Social", "SusEcFin",
                      "Conn", "Sust", "Index")
_AGGREGATE_HEAD = {
    "AUS": (12.6, 31.9, 52.4, 39.50, 34.8, 52.5, 71.9, 55.7, 38.4, 53.2, 45.8),
    "AUT": (26.2, 69.5, 77.5, 54.10, 41.1, 78.2, 72.8, 62.9, 55.4, 68.4, 61.9),
    "BEL": (48.2, 53.0, 75.6, 43.30, 72.0, 80.8, 86.2, 50.1, 64.0, 63.1, 63.5),
    "BGD": (13.3, 81.7, 26.5, 5.85, 22.9, 32.4, 27.5, 64.6, 20.2, 57.9, 39.0),
    "BGR": (24.6, 55.7, 75.9, 27.10, 28.4, 67.5, 53.3, 61.7, 44.7, 56.9, 50.8),
}
# adjustments.md, compare_coins_multi(...), column Nominal (= coin.1 of compare_coins)
_RANKS = dict(CHE=1, NLD=2, DNK=3, NOR=4, BEL=5, SWE=6, AUT=7, LUX=8, DEU=9, MLT=10, SVN=11, IRL=12, FIN=13,
              SGP=14, GBR=15, LTU=16, CZE=17, HRV=18, ESP=19, HUN=20, FRA=21, EST=22, LVA=23, SVK=24, ROU=25,
              POL=26, PRT=27, ITA=28, CYP=29, BGR=30, KOR=31, GRC=32, NZL=33, JPN=34, AUS=35, VNM=36, KHM=37,
              PHL=38, MYS=39, BRN=40, MMR=41, THA=42, IDN=43, MNG=44, IND=45, BGD=46, KAZ=47, LAO=48, CHN=49,
              PAK=50, RUS=51)
# weights.md, coin$Meta$Weights$PCAwtsLev2 at Level 2
_PCA = dict(Physical=0.5117970, ConEcFin=0.3049926, Political=0.3547671, Instit=0.5081540, P2P=0.5108455,
            Environ=0.6513188, Social=-0.7443677, SusEcFin=0.1473108)
# sensitivity.md, remove_elements(coin, Level = 2, dset = "Aggregated", iCode = "Index")$MeanAbsDiff
_REMOVE = dict(Physical=1.529412, ConEcFin=2.627451, Political=2.901961, Instit=1.176471, P2P=1.686275,
               Environ=3.098039, Social=3.960784, SusEcFin=2.627451)
# overview.md, get_results(ASEM, dset = "Aggregated", tab_type = "Aggs") of the screened pipeline, 2 d.p.
_SCREENED_TOP6 = {
    "CHE": (68.33, 62.18, 74.48, 64.37, 33.30, 73.03, 83.32, 56.87, 78.13, 87.63, 57.67),
    "DNK": (64.47, 56.05, 72.90, 50.17, 30.52, 76.98, 71.59, 51.01, 70.53, 86.17, 61.99),
    "NLD": (64.46, 61.32, 67.60, 68.15, 45.11, 83.49, 67.96, 41.86, 57.14, 86.00, 59.65),
    "NOR": (64.23, 56.53, 71.93, 57.45, 25.39, 78.95, 87.10, 33.75, 71.55, 87.04, 57.20),
    "BEL": (63.11, 63.02, 63.19, 71.80, 48.65, 79.57, 71.84, 43.27, 52.00, 85.36, 52.22),
    "SWE": (62.82, 52.88, 72.77, 51.90, 23.93, 80.10, 70.04, 38.43, 68.34, 86.92, 63.04),
}
# adjustments.md, compare_coins_multi(...), column Screen90 (coin90: no imputation, screened at 90 %)
_SCREENED_RANKS = dict(CHE=1, DNK=2, NLD=3, NOR=4, BEL=5, SWE=6, AUT=7, LUX=8, DEU=9, SVN=10, SGP=11, IRL=12,
                       MLT=13, FIN=14, GBR=15, LTU=16, CZE=17, FRA=18, HRV=19, HUN=20, LVA=21, SVK=22, EST=23,
                       ESP=24, ROU=25, PRT=26, POL=27, ITA=28, CYP=29, KOR=30, BGR=31, NZL=32, GRC=33, JPN=34,
                       AUS=35, VNM=36, THA=37, MYS=38, PHL=39, IND=40, IDN=41, MNG=42, KAZ=43, PAK=44, CHN=45,
                       RUS=46)


def _published() -> dict[str, dict[str, tuple[float, str]]]:
    """{case: {quantity: (published value, precision rule)}}; rules: "2dp", "3sf", "int", "6dp", "7dp"."""
    asem: dict[str, tuple[float, str]] = {}
    for u, row in _AGGREGATE_HEAD.items():
        asem.update({f"{code}[{u}]": (v, "3sf") for code, v in zip(_AGGREGATE_COLUMNS, row)})
    for u, row in _RESULTS_TOP6.items():
        asem.update({f"{code}[{u}]": (v, "2dp") for code, v in zip(_AGGS, row)})
    asem.update({f"{code}[IND]": (v, "2dp") for code, (v, _) in _RESULTS_IND.items()})
    asem.update({f"Rank[{u}]": (r, "int") for u, r in _RANKS.items()})
    asem.update({f"PCAWeight[{p}]": (w, "7dp") for p, w in _PCA.items()})
    asem.update({f"RemoveMeanAbsDiff[{p}]": (v, "6dp") for p, v in _REMOVE.items()})
    screened = {f"{code}[{u}]": (v, "2dp") for u, row in _SCREENED_TOP6.items() for code, v in zip(_AGGS, row)}
    screened.update({f"Rank[{u}]": (r, "int") for u, r in _SCREENED_RANKS.items()})
    return {"asem": asem, "asem_screened": screened}


PUBLISHED = _published()
#: India's published ranks at every aggregate level (results.md, get_unit_summary)
PUBLISHED_IND_RANKS = {code: rank for code, (_, rank) in _RESULTS_IND.items()}


def tolerance(published: float, rule: str) -> float:
    """Half a unit of the last digit *published* shows (0 for ranks)."""
    if rule == "int":
        return 0.0
    if rule == "3sf":
        return 0.5 * 10.0 ** (math.floor(math.log10(abs(published))) - 2)
    return 0.5 * 10.0 ** -int(rule[0])


def matches(value: float, published: float, rule: str) -> bool:
    """Whether *value* agrees with *published* at the precision it was published with."""
    return abs(value - published) <= tolerance(published, rule) + 1e-12


def load() -> tuple[pd.DataFrame, pd.DataFrame]:
    """ASEM iData and iMeta; :class:`~evalkit.errors.ReferenceDataMissing` if absent."""
    data = pd.read_csv(require_reference_data("asem", "ASEM_iData.csv"))
    meta = pd.read_csv(require_reference_data("asem", "ASEM_iMeta.csv"))
    return data, meta


def build_example() -> composite.CompositeResult:
    """COINr ``build_example_coin()`` with evalkit."""
    return composite.build(*load(), **EXAMPLE_STEPS)


def build_screened() -> composite.CompositeResult:
    """The screened pipeline of COINr's Overview article (``coin90``) with evalkit."""
    return composite.build(*load(), **SCREENED_STEPS)


def pca_level2(result: composite.CompositeResult) -> pd.Series:
    """PCA weights of the level-2 aggregates within each level-3 group (COINr ``get_PCA(Level = 2)``)."""
    h = result.hierarchy
    return pd.concat([composite.pca_weights(result.scores[h.children(parent)]) for parent in h.codes[2]])


def _records(case: str, values: dict[str, float]) -> list[dict]:
    out = []
    for quantity, value in values.items():
        record = {"case": case, "quantity": quantity, "value": float(value), "reference": None}
        if quantity in PUBLISHED[case]:
            published, rule = PUBLISHED[case][quantity]
            record.update(reference=float(published), tolerance=tolerance(published, rule))
        out.append(record)
    return out


def _scores_and_ranks(result: composite.CompositeResult) -> dict[str, float]:
    values = {f"{code}[{u}]": result.scores.at[u, code] for code in _AGGS for u in result.scores.index}
    values.update({f"Rank[{u}]": r for u, r in result.ranks["Index"].items()})
    return values


def records() -> list[dict]:
    """Validation records of cases ``asem`` and ``asem_screened`` (see the module docstring).

    Records with a published value carry a ``tolerance`` of half a unit of its last digit.
    """
    nominal = build_example()
    values = _scores_and_ranks(nominal)
    values.update({f"PCAWeight[{p}]": w for p, w in pca_level2(nominal).items()})
    removal = composite.remove_elements(nominal, level=2).summary["mean_abs_rank_change"]
    values.update({f"RemoveMeanAbsDiff[{p}]": v for p, v in removal.items()})
    return _records("asem", values) + _records("asem_screened", _scores_and_ranks(build_screened()))
