"""Tests for evalkit.projection.cohort: the cohort-component projection, checked by hand arithmetic."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalkit import projection as pj
from evalkit.errors import DataShapeError, ParameterError


def _cohort_frames(pop, surv, mig=None, fert=None):
    ages = [0, 5, 10, 15][: len(pop)]
    base = pd.DataFrame({"age": ages, "population": pop})
    rates = pd.DataFrame({"age": ages, "survival": surv})
    if mig is not None:
        rates["net_migration"] = mig
    if fert is not None:
        rates["fertility"] = fert
    return base, rates


def test_ageing_without_deaths_or_migration_shifts_cohorts_and_keeps_the_total():
    base, rates = _cohort_frames([100.0, 80.0, 60.0, 40.0], [1, 1, 1, 1])
    res = pj.cohort_project(base, rates, start_year=2020, steps=1)
    after = res.population[res.population["year"] == 2025]["population"].tolist()
    assert after == [0.0, 100.0, 80.0, 100.0]  # 15+ open group keeps its 40 and gains the 60
    assert sum(after) == 280.0


def test_hand_computed_step_with_deaths_and_migration():
    # P_{x+5} = P_x S_x + M_x (1 + S_x)/2 ; open group adds its own survivors
    base, rates = _cohort_frames([100.0, 80.0, 60.0], [0.9, 0.8, 0.5], mig=[10.0, -20.0, 0.0])
    res = pj.cohort_project(base, rates, start_year=2020, steps=1)
    after = res.population[res.population["year"] == 2025]["population"].to_numpy()
    expected = [0.0, 100 * 0.9 + 10 * 1.9 / 2, 80 * 0.8 - 20 * 1.8 / 2 + 60 * 0.5]
    assert after == pytest.approx(expected)
    comp = res.components.iloc[0]
    deaths = 100 * 0.1 + 80 * 0.2 + 60 * 0.5 + 10 * 0.1 / 2 - 20 * 0.2 / 2
    assert comp["deaths"] == pytest.approx(deaths)
    assert comp["net_migration"] == pytest.approx(-10.0)


@settings(max_examples=40, deadline=None)
@given(
    pop=st.lists(st.floats(0, 1e6), min_size=4, max_size=4),
    surv=st.lists(st.floats(0, 1), min_size=4, max_size=4),
    mig=st.lists(st.floats(-1e4, 1e4), min_size=4, max_size=4),
    fert=st.lists(st.floats(0, 0.1), min_size=4, max_size=4),
    birth_survival=st.floats(0.5, 1.0),
)
def test_components_balance_exactly(pop, surv, mig, fert, birth_survival):
    base, rates = _cohort_frames(pop, surv, mig, fert)
    res = pj.cohort_project(base, rates, start_year=2020, steps=3, birth_survival=birth_survival)
    c = res.components
    lhs = c["population_end"] - c["population_start"]
    rhs = c["births"] - c["deaths"] + c["net_migration"]
    assert np.allclose(lhs, rhs, rtol=1e-9, atol=1e-6)
    ends = res.population.groupby("year")["population"].sum()
    assert np.allclose(ends.loc[[2025, 2030, 2035]].to_numpy(), c["population_end"].to_numpy())


def test_births_split_by_sex_ratio():
    base = pd.DataFrame({"sex": ["female"] * 3 + ["male"] * 3, "age": [0, 5, 10] * 2,
                         "population": [100.0, 100.0, 100.0] * 2})
    rates = base[["sex", "age"]].assign(survival=1.0, fertility=[0, 0.02, 0, 0, 0, 0])
    res = pj.cohort_project(base, rates, start_year=2020, steps=1, birth_survival=1.0, srb=1.06)
    births = res.components.set_index("sex")["births"]
    # women 5-9 exposed: (100 at the start + 100 aged in from 0-4 at the end) / 2 = 100; × 0.02 × 5 years
    assert births.sum() == pytest.approx(10.0)
    assert births["male"] / births["female"] == pytest.approx(1.06)


def test_older_population_sums_groups():
    pop = pd.DataFrame({"year": 2020, "age": [0, 60, 65, 80], "population": [5.0, 3.0, 2.0, 1.0]})
    out = pj.older_population(pop, thresholds=(60, 80))
    assert out[["pop_60plus", "pop_80plus"]].iloc[0].tolist() == [6.0, 1.0]
    with pytest.raises(ParameterError, match="lower bound"):
        pj.older_population(pop, thresholds=(62,))


@pytest.mark.parametrize("change, match", [
    (lambda b, r: (b.assign(age=[0, 4, 10, 15]), r), "five-year groups"),
    (lambda b, r: (b, r.assign(survival=[1.2, 1, 1, 1])), "between 0 and 1"),
    (lambda b, r: (b, r.drop(columns="survival")), "survival"),
])
def test_bad_cohort_inputs(change, match):
    base, rates = change(*_cohort_frames([1.0, 2, 3, 4], [1, 1, 1, 1]))
    with pytest.raises(DataShapeError, match=match):
        pj.cohort_project(base, rates, start_year=2020, steps=1)


def test_fertility_needs_birth_survival():
    base, rates = _cohort_frames([1.0, 2, 3, 4], [1, 1, 1, 1], fert=[0, 0.1, 0, 0])
    with pytest.raises(ParameterError, match="birth_survival"):
        pj.cohort_project(base, rates, start_year=2020, steps=1)
