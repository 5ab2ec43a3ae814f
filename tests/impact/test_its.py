"""Interrupted time series: exact recovery of level/slope changes, harmonics, rate ratios, errors."""
import numpy as np
import pytest
from _data.impact import series

from evalkit.errors import DataShapeError, ParameterError
from evalkit.impact import its
from evalkit.impact.its import harmonics


def test_ols_recovers_level_and_slope_change_exactly():
    res = its(series(), time="time", outcome="y", start=25, season="month", n_harmonics=1)
    eff = res.effects.set_index("term")["coef"]
    assert eff["level"] == pytest.approx(-5.0)
    assert eff["slope"] == pytest.approx(0.5)
    # The counterfactual continues the pre-period line.
    f = res.fitted
    assert np.allclose(f["fitted"] - f["counterfactual"], np.where(f["post"], -5 + 0.5 * (f["time"] - 25), 0))


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")
def test_poisson_rate_ratio_with_offset():
    df = series(level=0.0, slope=0.0)
    t = df["time"].to_numpy()
    pop = np.full(len(t), 1e5)
    rate = np.exp(-6 + 0.01 * t + np.log(0.8) * (t >= 25))
    df["count"] = rate * pop
    df["pop"] = pop
    res = its(df, time="time", outcome="count", start=25, family="poisson", offset="pop", slope_change=False)
    assert res.effects.set_index("term").loc["level", "rr"] == pytest.approx(0.8, rel=1e-8)


def test_harmonics_match_tsmodel_definition():
    h = harmonics(np.array([3.0]), n_pairs=2, period=12)
    assert list(h.columns) == ["sin1", "cos1", "sin2", "cos2"]
    assert h.iloc[0].to_numpy() == pytest.approx([1.0, 0.0, 0.0, -1.0], abs=1e-12)


def test_short_segments_are_flagged_and_too_short_is_an_error():
    df = series(n=10, start=6)
    res = its(df, time="time", outcome="y", start=6, lang="en")
    assert any("only 5 points" in n.lower() for n in res.notes)
    assert any("只有 5 个点" in n for n in its(df, time="time", outcome="y", start=6).notes)
    with pytest.raises(DataShapeError, match="at least 2 before"):
        its(df, time="time", outcome="y", start=2)


def test_parameter_errors():
    df = series()
    with pytest.raises(ParameterError, match="'ols', 'poisson', 'quasipoisson'"):
        its(df, time="time", outcome="y", start=25, family="negbin")
    with pytest.raises(ParameterError, match="season"):
        its(df, time="time", outcome="y", start=25, n_harmonics=2)
    with pytest.raises(ParameterError, match="offset"):
        its(df.assign(p=1.0), time="time", outcome="y", start=25, offset="p")
