"""Airline model ARIMA(0,1,1)(0,1,1)12 on log AirPassengers vs R ``arima``.

Published: R ``arima`` via astsa ``sarima(log(AirPassengers),0,1,1,0,1,1,12)`` — nickpoison/astsa
``fun_with_astsa/fun_with_astsa.md`` @e50de840: ma1 −0.4018, sma1 −0.5569, σ² 0.001348, aic −483.4
(also Box, Jenkins & Reinsel, series G). Compared at the printed precision: half a unit in the last
printed digit.
"""
import pytest

from evalkit.errors import ReferenceDataMissing

pytestmark = pytest.mark.reference

PUBLISHED = {"ma1": (-0.4018, 4), "sma1": (-0.5569, 4), "sigma2": (0.001348, 6), "aic": (-483.4, 1)}


@pytest.fixture(scope="module")
def records():
    from evalkit.reproduce import airline

    try:
        return {r["quantity"]: r for r in airline.records()}
    except ReferenceDataMissing as exc:
        pytest.skip(f"AirPassengers reference data not available: {exc}")


@pytest.mark.parametrize("quantity", sorted(PUBLISHED))
def test_matches_r_arima_to_published_precision(records, quantity):
    value, decimals = PUBLISHED[quantity]
    assert records[quantity]["reference"] == value
    assert round(records[quantity]["value"], decimals) == value
    assert abs(records[quantity]["value"] - value) <= 0.5 * 10 ** -decimals
