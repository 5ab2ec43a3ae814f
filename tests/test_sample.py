"""The illustrative sample: deterministic, complete, labelled, and carrying the real figures unchanged."""
import pandas as pd
import pytest

from evalkit import catalogue, io, paths, regions, sample
from evalkit.errors import ParameterError


@pytest.fixture(scope="module")
def generated():
    return sample.generate()


def test_generation_is_deterministic_and_matches_the_shipped_file(generated):
    again = sample.generate()
    pd.testing.assert_frame_equal(generated, again)
    shipped = io.read_panel(paths.sample_panel_path())
    pd.testing.assert_frame_equal(generated.reset_index(drop=True), shipped[generated.columns].reset_index(drop=True),
                                  check_dtype=False)


def test_covers_every_indicator_region_and_year(generated):
    n_regions = 1 + len(catalogue.cities())
    assert len(generated) == n_regions * len(sample.YEARS) * len(catalogue.indicators())
    assert not generated.duplicated(["region", "year", "indicator"]).any()
    assert generated["value"].notna().all()


def test_generated_rows_are_illustrative_and_real_rows_keep_their_source(generated):
    real = io.reference_panel()
    real = real[real.region.isin(generated.region.unique()) & real.year.isin(sample.YEARS)]
    merged = real.merge(generated, on=["region", "year", "indicator"], suffixes=("_real", "_sample"))
    assert len(merged) == len(real)
    assert (merged["value_real"] == merged["value_sample"]).all()
    assert (merged["status_sample"] != "illustrative").all()
    others = generated.merge(real[["region", "year", "indicator"]], how="left", indicator=True)
    assert (others.loc[others["_merge"] == "left_only", "status"] == "illustrative").all()


def test_calibration_anchors_hold(generated):
    prov = generated[generated.region == "210000"].pivot(index="year", columns="indicator", values="value")
    # dibao standards: national averages in 2015 and 2020, Liaoning's reported 2020 rises
    assert prov.loc[2015, "dibao_urban_std"] == pytest.approx(451.1)
    assert prov.loc[2020, "dibao_urban_std"] / prov.loc[2019, "dibao_urban_std"] == pytest.approx(1.062, abs=2e-3)
    assert prov.loc[2020, "dibao_rural_std"] / prov.loc[2019, "dibao_rural_std"] == pytest.approx(1.096, abs=2e-3)
    assert prov.loc[2020, "one_shoulder_rate"] == 76.8
    # cities add up to the province for counts
    cities = generated[generated.region != "210000"].groupby(["year", "indicator"])["value"].sum().unstack()
    assert cities.loc[2020, "pop_resident"] == pytest.approx(prov.loc[2020, "pop_resident"], rel=1e-6)
    assert cities.loc[2018, "vagrant_assisted"] == pytest.approx(prov.loc[2018, "vagrant_assisted"], rel=1e-3)


def test_rates_stay_within_bounds(generated):
    rates = catalogue.indicators()
    pct = rates.index[rates["unit"] == "%"]
    values = generated[generated.indicator.isin(pct)]["value"]
    assert values.between(0, 100).all()


def test_any_area_and_level_gives_a_panel_that_validates(tmp_path):
    path = sample.write_sample(tmp_path / "jilin.csv", region="220000", level="city")
    panel = io.read_panel(path)
    assert set(panel["region"]) == {"220000", *regions.units_of("220000", "city")}
    assert (panel["status"] == "illustrative").all() and panel["source"].str.contains("220000").all()
    assert sorted(panel["year"].unique()) == sample.YEARS
    # the area's row is the units' sum for counts and lies between the units for rates
    pop = panel[panel.indicator == "pop_resident"].pivot(index="year", columns="region", values="value")
    assert (pop["220000"] == pop.drop(columns="220000").sum(axis=1)).all()
    rate = panel[(panel.indicator == "cremation_rate") & (panel.year == 2020)].set_index("region")["value"]
    assert rate.drop("220000").min() <= rate["220000"] <= rate.drop("220000").max()


def test_other_areas_are_seeded_per_area_and_deterministic():
    a = sample.generate(region="210000", level="county")
    b = sample.generate(region="210000", level="county")
    pd.testing.assert_frame_equal(a, b)
    assert a["region"].nunique() == 101  # Liaoning and its 100 county-level units
    c = sample.generate(region="220000", level="city")
    assert not a[a.region == "210000"]["value"].equals(c[c.region == "220000"]["value"])


def test_the_shipped_sample_is_never_replaced_by_another_area(tmp_path):
    with pytest.raises(ParameterError, match="-o FILE"):
        sample.write_sample(None, region="220000", level="city")
