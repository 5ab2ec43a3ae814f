"""COINr's ASEM example (``build_example_coin``) reproduced by evalkit.composite.

Every published number is compared at the precision it was published with. Sources (all
``bluefoxr/COINr`` pkgdown articles, ``articles/*.md`` at commit cb1fa25c65ecd09bf92ba7c1a980a96ba1556e8f;
details and the numbers themselves in ``evalkit/validation/asem.py``):

* results.md — top-6 units' scores at every aggregate level (2 d.p.), India's scores and ranks, and
  ranks within GDP-per-capita groups (below);
* aggregate.md — first five units' aggregate scores (3 s.f.);
* adjustments.md — Index ranks of all 51 units (nominal), of the 46 screened units, and with LPI and
  Forest dropped (below);
* weights.md — level-2 PCA weights and effective weights (below);
* sensitivity.md — remove-one-pillar mean absolute rank changes, and the qualitative finding that the
  aggregation method has the largest and winmax the smallest total-order effect;
* treat.md — skewness/kurtosis and winsorisation of raw ASEM indicators (below).
"""
import pytest

from evalkit import composite
from evalkit.errors import ReferenceDataMissing

pytestmark = pytest.mark.reference

AGGS = ("Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social", "SusEcFin")


@pytest.fixture(scope="module")
def asem():
    from evalkit.reproduce import asem

    try:
        asem.load()
    except ReferenceDataMissing as exc:
        pytest.skip(str(exc))
    return asem


@pytest.fixture(scope="module")
def nominal(asem):
    return asem.build_example()


@pytest.fixture(scope="module")
def records(asem):
    return asem.records()


@pytest.mark.parametrize("case, n_units", [("asem", 51), ("asem_screened", 46)])
def test_every_published_value_is_reproduced(asem, records, case, n_units):
    published = asem.PUBLISHED[case]
    mine = {r["quantity"]: r for r in records if r["case"] == case}
    assert len([q for q in mine if q.startswith("Rank[")]) == n_units
    assert len([q for q in mine if not q.startswith(("Rank[", "PCA", "Remove"))]) == n_units * len(AGGS)
    wrong = {q: (mine[q]["value"], v) for q, (v, rule) in published.items()
             if not asem.matches(mine[q]["value"], v, rule)}
    assert not wrong
    assert all(mine[q]["reference"] == v for q, (v, _) in published.items())
    with_reference = [r for r in mine.values() if r["reference"] is not None]
    assert all(abs(r["value"] - r["reference"]) <= r["tolerance"] + 1e-12 for r in with_reference)
    # every unit's index rank is published, in both cases
    assert all(mine[q]["reference"] is not None for q in mine if q.startswith("Rank["))


def test_coinr_screening_after_imputation_keeps_every_unit(nominal):
    imputed = nominal.datasets["imputed"]
    assert imputed.notna().all().all()  # 100 % availability ≥ 0.9: COINr's Screen() removes nobody
    assert len(nominal.scores) == 51


def test_india_ranks_at_every_level(asem, nominal):
    assert {code: int(nominal.ranks.at["IND", code]) for code in AGGS} == asem.PUBLISHED_IND_RANKS


# results.md: get_results(..., use_group = "GDPpc_group", use = "groupranks"), first rows of groups XL and L;
# columns Index, Conn, Sust, Physical, ConEcFin, Political, Instit, P2P, Environ, Social, SusEcFin
GROUP_RANKS = {
    "XL": {"CHE": (1, 2, 1, 3, 5, 8, 2, 2, 1, 1, 8), "NLD": (2, 3, 6, 2, 4, 2, 10, 6, 8, 4, 7),
           "DNK": (3, 6, 2, 8, 6, 6, 6, 5, 3, 5, 5), "NOR": (4, 5, 4, 4, 8, 4, 1, 11, 2, 3, 10),
           "SWE": (5, 10, 3, 7, 10, 3, 8, 10, 5, 2, 3), "AUT": (6, 7, 5, 11, 7, 5, 4, 4, 4, 9, 2)},
    "L": {"BEL": (1, 1, 2, 1, 2, 4, 7, 3, 10, 1, 9), "MLT": (2, 2, 5, 3, 1, 12, 4, 1, 2, 10, 3),
          "SVN": (3, 4, 1, 2, 6, 9, 6, 5, 5, 3, 2), "GBR": (4, 3, 3, 4, 8, 5, 5, 7, 3, 2, 8),
          "CZE": (5, 5, 4, 9, 5, 8, 10, 6, 12, 9, 1), "ESP": (6, 7, 7, 7, 10, 2, 3, 9, 6, 6, 10)},
}


def test_ranks_within_gdp_per_capita_groups(asem, nominal):
    data, _ = asem.load()
    group = data.set_index("uCode")["GDPpc_group"]
    for name, units in GROUP_RANKS.items():
        members = group.index[group == name]
        ranks = nominal.scores.loc[members].rank(ascending=False, method="min")
        for unit, expected in units.items():
            assert tuple(int(ranks.at[unit, code]) for code in AGGS) == expected, unit


# adjustments.md: compare_coins_multi(...), column NoLPIFor (change_ind(coin, drop = c("LPI", "Forest")))
NO_LPI_FOREST = dict(CHE=1, NLD=4, DNK=2, NOR=3, BEL=6, SWE=5, AUT=7, LUX=8, DEU=11, MLT=9, SVN=10, IRL=12, FIN=13,
                     SGP=14, GBR=16, LTU=15, CZE=19, HRV=21, ESP=20, HUN=22, FRA=25, EST=23, LVA=17, SVK=24, ROU=26,
                     POL=27, PRT=18, ITA=28, CYP=29, BGR=30, KOR=31, GRC=32, NZL=33, JPN=34, AUS=37, VNM=36, KHM=35,
                     PHL=40, MYS=38, BRN=45, MMR=39, THA=42, IDN=41, MNG=47, IND=46, BGD=44, KAZ=49, LAO=43, CHN=50,
                     PAK=48, RUS=51)


def test_dropping_two_indicators_matches_coinr(asem):
    data, meta = asem.load()
    dropped = composite.build(data, meta[~meta["iCode"].isin(["LPI", "Forest"])], **asem.EXAMPLE_STEPS)
    assert dropped.ranks["Index"].astype(int).to_dict() == NO_LPI_FOREST


def test_effective_weights(nominal):
    # weights.md: get_eff_weights(coin): Goods 0.02, Renew 0.03333333; each level sums to 1
    eff = nominal.weights["effective"]
    assert eff["Goods"] == pytest.approx(0.02) and round(eff["Renew"], 8) == 0.03333333
    assert nominal.weights.groupby("level")["effective"].sum().tolist() == pytest.approx([1, 1, 1])


def test_outlier_treatment_of_raw_indicators_matches_coinr(asem):
    # treat.md: Treat(coin, dset = "Raw") Dets_Table — skew/kurt before, points winsorised, skew/kurt after
    data, meta = asem.load()
    treated = composite.build(data, meta, unit="uCode", treat=True, winmax=5).treatment
    published = {"LPI": (-0.3042681, -0.6567514, 0, None, None), "Ship": (-0.5756680, -0.6814795, 0, None, None),
                 "Flights": (2.1032872, 4.5088794, 1, 1.900658, 3.336065),
                 "Bord": (2.1482360, 5.7914905, 1, 1.899211, 4.346298),
                 "Elec": (2.2252736, 5.7910268, 1, 1.717744, 2.586062),
                 "Gas": (2.8294486, 10.3346494, 1, 1.602518, 1.525576)}
    for code, (skew, kurt, nwin, skew1, kurt1) in published.items():
        row = treated.loc[code]
        assert (round(row["skew"], 7), round(row["kurt"], 7), row["winsorised"]) == (skew, kurt, nwin), code
        if skew1 is not None:
            assert (round(row["skew_winsorised"], 6), round(row["kurt_winsorised"], 6)) == (skew1, kurt1), code
    # winmax = 1: Goods still fails after one point (skew 2.469910) and is log-transformed
    goods = composite.build(data, meta, unit="uCode", treat=True, winmax=1).treatment.loc["Goods"]
    assert round(goods["skew_winsorised"], 6) == 2.469910 and goods["treatment"] == "log"


def test_sensitivity_ranks_the_assumptions_as_coinr(asem):
    # sensitivity.md: N = 100; winmax 1–5, minmax[1,100] or zscore(10,2), weights ±25 % at levels 2–3,
    # arithmetic or geometric mean: aggregation has the largest total effect, winmax the smallest
    data, meta = asem.load()
    result = composite.sensitivity(data, meta, n_base=100, seed=11, n_boot=None, steps=asem.EXAMPLE_STEPS)
    total = result.indices["ST"]
    assert total.idxmax() == "aggregation" and total.idxmin() == "winmax"
