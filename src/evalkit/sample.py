"""The illustrative sample panel: 14 cities and the province, 2015–2020, every catalogue indicator.

No systematic city-level series of Liaoning's civil-affairs statistics is public, so the notebooks run
on a generated panel until an analyst brings real data. It is generated, seeded and deterministic
(:func:`generate` with the same seed gives the same file), and every generated row has
``status=illustrative``. Real figures found so far (``data/reference/national_series.csv`` and
``liaoning_series.csv``) are included as they are, with their own status and source.

Calibration (province path, then cities around it):

* Each indicator has a 2015 and a 2020 province value in :data:`CALIBRATION`. Where a real figure
  exists it sets that value (e.g. the 2020 share of villages with one leader for Party branch and
  committee, 76.8%; registered volunteers 9.13% of residents; medical services in 93% of care
  institutions — all from the 2020 half-year work summary), and the 2019→2020 step of the dibao and
  orphan standards follows the rises that summary reports (6.2%, 9.6%, 8%, 13%). Others are scaled to
  the national bulletin series (dibao standards 2015 = national average, growth as nationally
  2015–2020; beds per 1,000 elderly from the 2017 Liaoning bed count over the 60+ population).
  Figures with no anchor are plausible ranges chosen for illustration, marked ``(assumed)`` below.
* Between 2015 and 2020 the province path is geometric with small seeded noise.
* Each city is the province value times a city factor (log-normal, sd ``dispersion``) and a small
  city-specific trend; rate indicators are then rescaled so the population-weighted mean of the cities
  equals the province path, count indicators so that the cities sum to it.
* Population: the province series is real; city populations in 2020 are the 7th-census figures where
  found (7 cities), the remaining cities share the rest in illustrative proportions, and 2015–2019
  city populations are back-projected with illustrative city-specific rates.
* Pilot effect: to give the impact notebook something to find, cities in the known pilot batches
  (pilots.csv: 2018, 2019, 2020) get an *illustrative* effect after entry — +0.8·(e+1) beds per 1,000
  elderly, +1.5·(e+1) points of nursing-bed share and +8% care centres in event year e ≥ 0. It is a
  demonstration, not an estimate of what the pilots did.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from evalkit import catalogue, regions, schema
from evalkit._shared.codes import DEFAULT_AREA, LEVELS
from evalkit.errors import ParameterError
from evalkit.io.reference import read_reference, reference_panel

__all__ = ["CALIBRATION", "PILOT_EFFECTS", "YEARS", "generate", "generate_area", "write_sample"]

YEARS = list(range(2015, 2021))
SOURCE = "evalkit sample generator (illustrative, seed {seed}); see data/README.md"


@dataclass(frozen=True)
class Calib:
    start: float          # province value 2015
    end: float            # province value 2020
    dispersion: float     # sd of log city factors
    basis: str            # "rate" (population-weighted mean) or "count" (sum over cities)
    weight: str = "pop_resident"
    last_step: float | None = None  # real 2019→2020 growth (fraction) where the work summary reports it
    cap: float | None = None


CALIBRATION: dict[str, Calib] = {
    # national averages 451.1 → 677.6 (2015 → 2020); Liaoning's 2020 rise 6.2% (work summary)
    "dibao_urban_std": Calib(451.1, 677.6, 0.08, "rate", last_step=0.062),
    # national averages 3177.6 → 5962.3; Liaoning's 2020 rise 9.6%
    "dibao_rural_std": Calib(3177.6, 5962.3, 0.10, "rate", last_step=0.096),
    "tekun_centralised_rate": Calib(36.0, 47.0, 0.15, "rate", cap=100),            # (assumed)
    "orphan_std_inst": Calib(1250.0, 1650.0, 0.08, "rate", last_step=0.08),        # (assumed) 2020 rise 8%
    "orphan_std_dispersed": Calib(880.0, 1230.0, 0.08, "rate", last_step=0.13),    # (assumed) 2020 rise 13%
    "minor_protection_coverage": Calib(58.0, 93.0, 0.12, "rate", cap=100),        # (assumed)
    # 667,400 person-times in Jan–May 2020 (work summary) → about 1.6 million a year
    "disability_subsidy_persons": Calib(1.35e6, 1.6e6, 0.10, "count"),
    "mental_rehab_county_share": Calib(28.0, 62.0, 0.25, "rate", cap=100),        # (assumed)
    # 16,221 person-times in the 2019/20 winter campaign (work summary) → about 30,000 a year (assumed)
    "vagrant_assisted": Calib(26000, 30000, 0.20, "count"),
    "rural_community_facility_coverage": Calib(34.0, 58.0, 0.18, "rate", cap=100),  # (assumed)
    "urban_community_platform_coverage": Calib(38.0, 66.0, 0.15, "rate", cap=100),  # (assumed)
    "one_shoulder_rate": Calib(22.0, 76.8, 0.20, "rate", cap=100),                 # 2020: 76.8% (real)
    "social_org_per_10k": Calib(4.9, 6.4, 0.15, "rate"),                           # (assumed) national 2018 ≈ 5.9
    "social_worker_per_1000": Calib(0.45, 0.85, 0.25, "rate"),                     # (assumed)
    "volunteer_rate": Calib(4.8, 9.13, 0.20, "rate", cap=100),                     # 2020: 9.13% (derived, real)
    # 2017: 263,900 beds / 9.98 million aged 60+ ≈ 26.4 per 1,000 (real, derived)
    "beds_per_1000_elderly": Calib(25.5, 27.8, 0.12, "rate", weight="pop_60plus"),
    "nursing_bed_share": Calib(27.0, 45.0, 0.15, "rate", weight="elderly_beds", cap=100),  # (assumed)
    "community_care_centres": Calib(420, 1100, 0.20, "count"),                     # (assumed)
    "medical_care_share": Calib(62.0, 93.0, 0.08, "rate", cap=100),                # 2020: 93% (real)
    "eco_burial_rate": Calib(18.0, 42.0, 0.25, "rate", cap=100),                   # (assumed)
    "cremation_rate": Calib(74.0, 81.0, 0.08, "rate", weight="pop_resident", cap=100),  # (assumed)
    "boundary_inspection_rate": Calib(82.0, 100.0, 0.08, "rate", cap=100),         # (assumed)
    "expenditure_per_capita": Calib(330.0, 372.0, 0.15, "rate"),                   # (assumed) national ≈ 350
    "service_platform_coverage": Calib(8.0, 84.0, 0.25, "rate", cap=100),          # (assumed)
    # context
    "pop_80plus": Calib(1.16e6, 1.43e6, 0.05, "count"),       # 2015: 115.8万 aged 80+ (户籍 basis, real)
    "dibao_recipients_urban": Calib(5.2e5, 2.9e5, 0.20, "count"),                  # (assumed)
    "dibao_recipients_rural": Calib(7.8e5, 6.1e5, 0.20, "count"),                  # (assumed)
    "tekun_persons": Calib(1.45e5, 1.38e5, 0.15, "count"),                        # (assumed)
    "orphans": Calib(1.05e4, 6.2e3, 0.20, "count"),                               # (assumed)
    "elderly_institutions": Calib(1760, 1980, 0.15, "count"),                     # 2017: 1,842 (real)
    "marriages": Calib(327000, 224000, 0.08, "count"),                             # province real where known
    "divorces": Calib(129000, 134000, 0.08, "count"),
}

#: Illustrative effect per event year e ≥ 0 (see module docstring): additive, or multiplicative for centres.
PILOT_EFFECTS = {
    "beds_per_1000_elderly": ("add", 0.8),
    "nursing_bed_share": ("add", 1.5),
    "community_care_centres": ("mul", 0.08),
}

# Share of the remainder of the province population for the cities whose census figure was not found.
_ILLUSTRATIVE_POP_SHARES = {"210500": 0.095, "210700": 0.194, "210900": 0.118, "211000": 0.115,
                            "211100": 0.100, "211200": 0.172, "211300": 0.206}
# Illustrative 60+ shares where the census share was not found (province 2020: 25.72%).
_ELDERLY_SHARE_2020 = {"210100": 0.255, "210300": 0.272, "210500": 0.281, "210600": 0.279, "210700": 0.262,
                       "210900": 0.268, "211000": 0.270, "211100": 0.238, "211200": 0.266, "211300": 0.229,
                       "211400": 0.243}


def _path(calib: Calib, rng: np.random.Generator) -> np.ndarray:
    """Province values 2015..2020: geometric from start to end, small noise, optional real last step."""
    n = len(YEARS) - 1
    if calib.last_step is not None:
        v2019 = calib.end / (1 + calib.last_step)
        growth = (v2019 / calib.start) ** (1 / (n - 1))
        values = [calib.start * growth ** i for i in range(n)] + [calib.end]
    else:
        growth = (calib.end / calib.start) ** (1 / n)
        values = [calib.start * growth ** i for i in range(n + 1)]
    values = np.array(values)
    noise = np.exp(rng.normal(0, 0.01, len(values)))
    noise[0] = noise[-1] = 1.0  # keep the anchored ends exact
    if calib.last_step is not None:
        noise[-2] = 1.0  # and the real 2019→2020 step
    values = values * noise
    return np.minimum(values, calib.cap) if calib.cap else values


def _population(rng: np.random.Generator, real: pd.DataFrame) -> pd.DataFrame:
    """Resident population and 60+/65+ by region and year (real where found, else illustrative)."""
    cities = catalogue.cities()
    prov_pop = real[(real.region == "210000") & (real.indicator == "pop_resident")].set_index("year")["value"]
    city_2020 = real[(real.indicator == "pop_resident") & (real.year == 2020) & (real.region != "210000")]
    city_2020 = city_2020.set_index("region")["value"].to_dict()
    remainder = prov_pop[2020] - sum(city_2020.values())
    for code, share in _ILLUSTRATIVE_POP_SHARES.items():
        city_2020.setdefault(code, remainder * share)
    rows = []
    for code in cities:
        yearly_change = rng.uniform(-0.012, 0.004)
        for year in YEARS:
            rows.append((code, year, city_2020[code] * (1 + yearly_change) ** (year - 2020)))
    pop = pd.DataFrame(rows, columns=["region", "year", "value"])
    # illustrative back-projection: scale to the real provincial totals of each year
    totals = pop.groupby("year")["value"].transform("sum")
    pop["value"] = np.where(pop.year == 2020, pop.value, pop.value * pop.year.map(prov_pop) / totals)
    pop["value"] = pop["value"].round()

    share_real = real[(real.indicator == "elderly_share_60") & (real.region != "210000") & (real.year == 2020)]
    shares = {**_ELDERLY_SHARE_2020, **(share_real.set_index("region")["value"] / 100).to_dict()}
    prov_share = real[(real.region == "210000") & (real.indicator == "elderly_share_60")]
    prov_share = prov_share.set_index("year")["value"] / 100
    prov_share = prov_share.reindex(YEARS)
    # 2015–2016 are not on the same (resident) basis in the sources found: extend the 2017–2020 trend
    step = (prov_share[2020] - prov_share[2017]) / 3
    for year in (2016, 2015):
        prov_share[year] = prov_share[year + 1] - step
    elderly = pop.copy()
    elderly["value"] = [v * shares[r] * prov_share[y] / prov_share[2020] for r, y, v in
                        zip(pop.region, pop.year, pop.value)]
    # rescale so cities add up to the provincial 60+ count of each year
    prov_60 = (prov_pop * prov_share).round()
    totals_60 = elderly.groupby("year")["value"].transform("sum")
    elderly["value"] = (elderly.value * elderly.year.map(prov_60) / totals_60).round()
    # 65+ as a share of 60+: real provincial ratio for 2017–2020, its 2017 value before
    prov_real = real[real.region == "210000"].pivot(index="year", columns="indicator", values="value")
    ratio_65 = (prov_real["pop_65plus"] / prov_real["pop_60plus"]).reindex(YEARS).bfill()
    old65 = elderly.copy()
    old65["value"] = (old65.value * old65.year.map(ratio_65) * (1 + rng.normal(0, 0.02, len(old65)))).round()
    out = []
    for code, frame in (("pop_resident", pop), ("pop_60plus", elderly), ("pop_65plus", old65)):
        out.append(frame.assign(indicator=code))
    return pd.concat(out, ignore_index=True)


def _city_series(code: str, calib: Calib, rng: np.random.Generator, cities: list[str],
                 city_values: dict[str, pd.DataFrame], entry: dict[str, int]) -> pd.DataFrame:
    """One indicator for every city and year: province path × city factors, calibrated, pilot effect added."""
    prov = _path(calib, rng)
    factors = np.exp(rng.normal(0, calib.dispersion, len(cities)))
    trends = rng.normal(0, calib.dispersion / 6, len(cities))
    grid = np.outer(factors, prov) * np.exp(np.outer(trends, np.arange(len(YEARS)) - 2.5))
    frame = pd.DataFrame(grid, index=cities, columns=YEARS)
    if calib.basis == "rate":
        w = city_values[calib.weight]
        frame = frame * (prov / ((frame * w).sum() / w.sum()).to_numpy())
        if calib.cap:
            frame = frame.clip(upper=calib.cap)
    else:
        frame = frame * (prov / frame.sum().to_numpy())
    if code in PILOT_EFFECTS:
        frame = _pilot_effect(frame, code, entry)
        if calib.cap:
            frame = frame.clip(upper=calib.cap)
    return frame


def _pilot_effect(frame: pd.DataFrame, code: str, entry: dict[str, int]) -> pd.DataFrame:
    """Add the illustrative effect of :data:`PILOT_EFFECTS` to the pilot cities after their entry."""
    how, size = PILOT_EFFECTS[code]
    for region, start in entry.items():
        for year in YEARS:
            e = year - start
            if e >= 0:
                frame.loc[region, year] = (frame.loc[region, year] + size * (e + 1) if how == "add"
                                           else frame.loc[region, year] * (1 + size))
    return frame


def _province_series(code: str, frame: pd.DataFrame, city_values: dict[str, pd.DataFrame]) -> pd.Series | None:
    """The province value of one indicator from its cities: a sum, a weighted mean, or none (``tekun_std``)."""
    calib = CALIBRATION.get(code)
    if code in ("pop_resident", "pop_60plus", "pop_65plus", "elderly_beds", "social_orgs",
                "volunteers_registered") or (calib and calib.basis == "count"):
        return frame.sum()
    if code == "elderly_share_60":
        return city_values["pop_60plus"].sum() / city_values["pop_resident"].sum() * 100
    if code == "tekun_std":
        return None
    weight = calib.weight if calib and calib.weight in city_values else "pop_resident"
    w = city_values[weight]
    return (frame * w).sum() / w.sum()


def _long_panel(city_values: dict[str, pd.DataFrame], area: str = "210000") -> pd.DataFrame:
    """The units and their area as a long panel (region, year, value, indicator)."""
    rows = []
    for code, frame in city_values.items():
        long = frame.stack().rename("value").reset_index()
        long.columns = ["region", "year", "value"]
        long["indicator"] = code
        rows.append(long)
        prov = _province_series(code, frame, city_values)
        if prov is not None:
            rows.append(pd.DataFrame({"region": area, "year": YEARS, "value": prov.to_numpy(),
                                      "indicator": code}))
    panel = pd.concat(rows, ignore_index=True)
    prov_dibao = panel[(panel.region == area) & (panel.indicator == "dibao_urban_std")].set_index("year")["value"]
    return pd.concat([panel, pd.DataFrame({"region": area, "year": YEARS, "indicator": "tekun_std",
                                           "value": (prov_dibao * 1.3).to_numpy()})], ignore_index=True)


def _finish(panel: pd.DataFrame, real: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Round to the catalogue's decimals, label as illustrative, and let real figures replace generated ones."""
    decimals = catalogue.indicators()["decimals"].to_dict()
    panel["value"] = [round(v, decimals[c]) if decimals[c] else float(round(v)) for v, c in
                      zip(panel.value, panel.indicator)]
    panel["source"] = SOURCE.format(seed=seed)
    panel["status"] = "illustrative"
    panel["note"] = ""
    # real figures replace generated ones (same region, year, indicator) and are added where missing
    real_keyed = real.set_index(["region", "year", "indicator"])
    panel = panel.set_index(["region", "year", "indicator"])
    panel = panel[~panel.index.isin(real_keyed.index)]
    panel = pd.concat([panel, real_keyed]).reset_index()
    panel = panel[panel.year.isin(YEARS)]
    return panel[schema.PANEL_COLUMNS].sort_values(["region", "indicator", "year"]).reset_index(drop=True)


def generate(seed: int = 20200630, *, region: str = DEFAULT_AREA, level: str = "city") -> pd.DataFrame:
    """Generate the illustrative panel (see the module docstring for the calibration).

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives the same panel.
    region, level
        The area and the level of its units (:func:`evalkit.regions.units_of`). The default, Liaoning's
        14 cities, is the shipped ``data/sample/panel.csv``; any other area is generated as described in
        :func:`generate_area`.

    Returns
    -------
    DataFrame
        The canonical panel of the area and its units, 2015–2020, every generated row ``illustrative``.
    """
    area, level = regions.check_area_level(region, level)
    if (area, level) != (DEFAULT_AREA, "city"):
        return generate_area(area, level, seed=seed)
    rng = np.random.default_rng(seed)
    real = reference_panel()
    real = real[real.region.isin(["210000", *catalogue.cities()])]
    cities = catalogue.cities()
    pilots = read_reference("pilots")
    entry = {r: int(y) for r, y in zip(pilots.region, pilots.year) if str(y).isdigit()}

    pop = _population(rng, real)
    city_values: dict[str, pd.DataFrame] = {}
    for code in ("pop_resident", "pop_60plus", "pop_65plus"):
        city_values[code] = pop[pop.indicator == code].pivot(index="region", columns="year", values="value")

    # the nursing-bed share is weighted by beds, which follow from beds per 1,000 elderly: do that first
    order = ["beds_per_1000_elderly"] + [c for c in CALIBRATION if c != "beds_per_1000_elderly"]
    for code in order:
        city_values[code] = _city_series(code, CALIBRATION[code], rng, cities, city_values, entry)
        if code == "beds_per_1000_elderly":
            city_values["elderly_beds"] = (city_values[code] * city_values["pop_60plus"] / 1000).round()

    # derived context series
    city_values["elderly_share_60"] = city_values["pop_60plus"] / city_values["pop_resident"] * 100
    city_values["social_orgs"] = (city_values["social_org_per_10k"] * city_values["pop_resident"] / 1e4).round()
    city_values["volunteers_registered"] = (city_values["volunteer_rate"] / 100 * city_values["pop_resident"]).round()
    city_values["tekun_std"] = city_values["dibao_urban_std"] * 1.3
    return _finish(_long_panel(city_values), real, seed)


#: Illustrative 2020 resident population of a unit by level (median; log-normal spread 0.5), used outside
#: Liaoning where the sample has no real population figures: a typical province, prefecture and county.
_TYPICAL_POPULATION = {"province": 4.0e7, "city": 3.0e6, "county": 4.0e5}
_LIAONING_2020 = 42591407  # 7th census, data/reference/regions.csv: the calibration's population


def generate_area(region: str, level: str, *, seed: int = 20200630) -> pd.DataFrame:
    """The illustrative panel for any area and level: the area's units and the area itself, 2015–2020.

    Everything is generated (``status=illustrative``); no real figure is mixed in. Unit populations are
    log-normal around a typical size for the level (:data:`_TYPICAL_POPULATION`), 60+ shares around 22%
    (65+ are 68% of them), trends as in the Liaoning sample. Each indicator follows the Liaoning calibration
    (:data:`CALIBRATION`): rates as they are, counts scaled by the area's population relative to Liaoning's.
    The generator is seeded by *seed*, the area and the level, so each area gets its own reproducible panel.
    """
    area, level = regions.check_area_level(region, level)
    units = regions.units_of(area, level)
    rng = np.random.default_rng([seed, int(area), LEVELS.index(level)])
    known = set(catalogue.indicators().index)
    city_values = _area_population(rng, units, level)
    scale = city_values["pop_resident"][2020].sum() / _LIAONING_2020
    order = ["beds_per_1000_elderly"] + [c for c in CALIBRATION if c != "beds_per_1000_elderly"]
    for code in order:
        calib = CALIBRATION[code]
        if calib.basis == "count":
            calib = replace(calib, start=calib.start * scale, end=calib.end * scale)
        city_values[code] = _city_series(code, calib, rng, units, city_values, entry={})
        if code == "beds_per_1000_elderly":
            city_values["elderly_beds"] = (city_values[code] * city_values["pop_60plus"] / 1000).round()
    city_values["elderly_share_60"] = city_values["pop_60plus"] / city_values["pop_resident"] * 100
    city_values["social_orgs"] = (city_values["social_org_per_10k"] * city_values["pop_resident"] / 1e4).round()
    city_values["volunteers_registered"] = (city_values["volunteer_rate"] / 100 * city_values["pop_resident"]).round()
    city_values["tekun_std"] = city_values["dibao_urban_std"] * 1.3
    panel = _long_panel({c: f for c, f in city_values.items() if c in known}, area)
    empty = pd.DataFrame(columns=["region", "year", "indicator", *schema.PANEL_COLUMNS[3:]])
    out = _finish(panel, empty, seed).astype({"region": str, "year": "int64", "indicator": str, "value": "float64"})
    out["source"] = f"evalkit sample generator (illustrative, seed {seed}, area {area}, {level} level)"
    return out


def _area_population(rng: np.random.Generator, units: list[str], level: str) -> dict[str, pd.DataFrame]:
    """Illustrative resident, 60+ and 65+ population of every unit and year."""
    size = _TYPICAL_POPULATION[level] * np.exp(rng.normal(0, 0.5, len(units)))
    change = rng.uniform(-0.012, 0.004, len(units))
    resident = pd.DataFrame(np.outer(size, np.ones(len(YEARS))) * (1 + change[:, None]) ** (np.array(YEARS) - 2020),
                            index=units, columns=YEARS).round()
    share = np.clip(rng.normal(0.22, 0.03, len(units)), 0.1, 0.35)
    ageing = np.linspace(0.85, 1.0, len(YEARS))  # shares rose by about a sixth over 2015–2020
    elderly = (resident * np.outer(share, ageing)).round()
    old65 = (elderly * 0.68 * np.exp(rng.normal(0, 0.02, elderly.shape))).round()
    return {"pop_resident": resident, "pop_60plus": elderly, "pop_65plus": old65}


def write_sample(path=None, *, seed: int = 20200630, region: str = DEFAULT_AREA, level: str = "city"):
    """Generate and write the sample panel (atomically; CSV, or Parquet for a ``.parquet`` path); returns the path.

    Parameters
    ----------
    path
        Where to write; default ``data/sample/panel.csv`` (only for the default area and level: another
        area needs a path, so the shipped sample is never replaced by another area's).
    seed
        Seed of the generator.
    region, level
        The area and the level of its units (see :func:`generate`).

    Returns
    -------
    Path
        The file written.
    """
    from evalkit import paths
    from evalkit.io import write_panel

    area, level = regions.check_area_level(region, level)
    if path is None and (area, level) != (DEFAULT_AREA, "city"):
        raise ParameterError(f"give an output file (-o FILE) for region {area} at the {level} level; "
                             "data/sample/panel.csv is the shipped Liaoning sample")
    target = paths.sample_panel_path() if path is None else paths.resolve(path)
    panel = generate(seed, region=area, level=level)
    return write_panel(panel, target)
