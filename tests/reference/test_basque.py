"""Synthetic Basque Country (Abadie & Gardeazabal 2003) vs published weights.

Published: Cataluña 0.851, Madrid 0.149, other donors 0 (R ``Synth`` example); unrounded
0.850816306 / 0.149183694 from pysyncon's ``tests/test_synth_basque.py`` (commit 1377549768…), compared
at 1e-3. The pre-period RMSPE is checked against the RMSPE of the gap that the *published* weights give
on the same data (computed here, independently of evalkit's optimiser).
"""
import numpy as np
import pytest

from evalkit.errors import ReferenceDataMissing

pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def result():
    from evalkit.reproduce import basque

    try:
        data = basque.load()
    except ReferenceDataMissing as exc:
        pytest.skip(str(exc))
    return data, basque.fit(data, placebo=True, leave_one_out=True)


def test_donor_weights_match_published(result):
    from evalkit.reproduce import basque

    _, fit = result
    assert len(fit.weights) == 16
    for region, weight in fit.weights.items():
        assert weight == pytest.approx(basque.PUBLISHED_WEIGHTS.get(region, 0.0), abs=1e-3), region
    assert fit.weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_pre_rmspe_equals_that_of_the_published_weights(result):
    from evalkit.reproduce import basque

    data, fit = result
    wide = data.pivot(index="year", columns="regionname", values="gdpcap").loc[1960:1969]
    synthetic = sum(w * wide[r] for r, w in basque.PUBLISHED_WEIGHTS.items())
    published_rmspe = float(np.sqrt(np.mean((wide[basque.TREATED] - synthetic) ** 2)))
    assert fit.pre_rmspe == pytest.approx(published_rmspe, abs=1e-4)


def test_placebo_and_leave_one_out(result):
    _, fit = result
    assert len(fit.placebo) == 17 and fit.placebo["treated"].sum() == 1
    assert fit.placebo_p * 17 == pytest.approx(round(fit.placebo_p * 17))
    assert 1 / 17 <= fit.placebo_p <= 1
    assert set(fit.leave_one_out["dropped"]) == {"Cataluna", "Madrid (Comunidad De)"}
    # The terrorism gap: the Basque GDP per capita falls below its synthetic twin in the 1990s.
    assert fit.gaps.loc[fit.gaps["time"] >= 1990, "gap"].mean() < -0.5


def test_records_cover_every_donor(result):
    from evalkit.reproduce import basque

    recs = basque.records_from(result[1])
    assert all(r["reference"] is None or abs(r["value"] - r["reference"]) <= r["tolerance"] for r in recs)
    names = {r["quantity"] for r in recs}
    assert {"pre_rmspe", "placebo_p"} <= names
    assert sum(q.startswith("W[") for q in names) == 16


def test_custom_v_equal_to_the_optimised_v_keeps_the_published_weights(result):
    from evalkit.reproduce import basque

    data, fit = result
    custom = basque.fit(data, placebo=False, v=fit.v.to_dict())
    assert custom.v_method == "custom"
    for region, weight in custom.weights.items():
        assert weight == pytest.approx(basque.PUBLISHED_WEIGHTS.get(region, 0.0), abs=1e-3), region
    assert fit.v_method == "optimised" and fit.placebo_rule == "rmspe_ratio_rank"
    assert "post/pre RMSPE ratio" in fit.placebo_definition("en")


def test_cross_validated_v_on_basque(result):
    """ADH (2015): V from predictors measured in a training window (1960–1964) that best predicts the
    validation window's GDP (1965–1969); W from the published predictors with that V. Checked by hand:
    a generic solver (SLSQP) gives the same W for that V, and no simple alternative V predicts the
    validation window better."""
    from scipy import optimize

    from evalkit.reproduce import basque

    data, _ = result
    train = ([(c, [1964]) for c in ("school.illit", "school.prim", "school.med", "school.high",
                                     "school.post.high", "invest")]
             + [("gdpcap", range(1960, 1965))]
             + [(c, [1961, 1963]) for c in ("sec.agriculture", "sec.energy", "sec.industry", "sec.construction",
                                            "sec.services.venta", "sec.services.nonventa")]
             + [("popdens", [1969])])
    cv = basque.fit(data, placebo=False, v="cv", cv_predictors=train, cv_window=range(1965, 1970))
    assert cv.v_method == "cv" and cv.weights.sum() == pytest.approx(1.0)
    units = [basque.TREATED, *cv.weights.index]

    def matrix(predictors):
        rows = [data[data["year"].isin(list(p))].groupby("regionname")[c].mean().reindex(units).to_numpy()
                for c, p in predictors]
        x = np.vstack(rows)
        return x / x.std(axis=1, ddof=1)[:, None]

    def simplex(x, v):
        k = x.shape[1] - 1
        res = optimize.minimize(lambda w: np.sum(v * (x[:, 0] - x[:, 1:] @ w) ** 2), np.full(k, 1 / k),
                                method="SLSQP", bounds=[(0, 1)] * k,
                                constraints={"type": "eq", "fun": lambda w: w.sum() - 1},
                                options={"ftol": 1e-16, "maxiter": 5000})
        return res.x

    v = cv.v.to_numpy()
    assert cv.weights.to_numpy() == pytest.approx(simplex(matrix(basque.PREDICTORS), v), abs=2e-3)
    gdp = data.pivot(index="year", columns="regionname", values="gdpcap").loc[1965:1969, units].to_numpy()
    x_train = matrix(train)

    def validation_mspe(v):
        w = simplex(x_train, v)
        return np.mean((gdp[:, 0] - gdp[:, 1:] @ w) ** 2)

    assert validation_mspe(v) <= validation_mspe(np.full(len(v), 1 / len(v))) + 1e-6
