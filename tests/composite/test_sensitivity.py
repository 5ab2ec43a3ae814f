"""evalkit.composite.sensitivity: removal by hand, vectorised draws equal full builds, seeded Monte Carlo."""
import numpy as np
import pandas as pd
import pytest
from _data.composite import generated, toy

from evalkit import composite as c
from evalkit.errors import ParameterError


def test_remove_elements_by_hand():
    removal = c.remove_elements(c.build(*toy()), level=2)
    # without Q the index is P: ranks C 1, D 1, B 3, A 4 vs nominal C 1, D 2, B 3, A 4
    assert removal.rank_changes["Q"].tolist() == [0, 0, 0, 1]
    assert removal.summary.at["Q", "mean_abs_rank_change"] == 0.25
    assert removal.summary.at["P", "mean_abs_rank_change"] == 0  # without P the index is Q: same order


def test_vectorised_draws_equal_a_full_build_with_the_same_assumptions():
    data, meta = generated()
    steps = dict(treat=True, normalise="minmax", norm_range=(1, 100))
    result = c.uncertainty(data, meta, n_draws=40, seed=7, steps=steps)
    presets = {label.split()[0]: c.NORMALISATION_PRESETS[label.split()[0]] for label in result.draws["normalisation"]}
    for draw in range(0, 40, 8):
        row = result.draws.loc[draw]
        weights = result.weight_sets.loc[row["weight_set"]].to_dict()
        normalisation = presets[row["normalisation"].split()[0]]
        rebuilt = c.build(data, meta, **{**steps, **normalisation}, winmax=int(row["winmax"]),
                          aggregation=row["aggregation"], weights=weights)
        np.testing.assert_allclose(result.scores.loc[draw], rebuilt.scores["I"], rtol=1e-12)
        assert result.ranks.loc[draw].tolist() == rebuilt.ranks["I"].astype(float).tolist()


def test_uncertainty_is_seeded_and_summarises_ranks():
    data, meta = generated()
    first = c.uncertainty(data, meta, n_draws=50, seed=1)
    again = c.uncertainty(data, meta, n_draws=50, seed=1)
    other = c.uncertainty(data, meta, n_draws=50, seed=2)
    pd.testing.assert_frame_equal(first.ranks, again.ranks)
    assert not first.ranks.equals(other.ranks)
    stats = first.rank_stats
    assert (stats["lo"] <= stats["median"]).all() and (stats["median"] <= stats["hi"]).all()
    assert stats["mean"].sum() == pytest.approx(sum(range(1, 9)))
    fixed = c.uncertainty(data, meta, n_draws=5, seed=1, weight_noise=None, normalisation=None,
                          aggregation=["arithmetic"], winmax=None)
    assert (fixed.rank_stats["mean"] == fixed.rank_stats["nominal"]).all()
    with pytest.raises(ParameterError, match="seed"):
        c.uncertainty(data, meta, n_draws=5, seed=None)


def test_sensitivity_runs_the_saltelli_design_and_removal():
    data, meta = generated()
    result = c.sensitivity(data, meta, n_base=16, seed=4, n_boot=20, winmax=None)
    assert list(result.indices.index) == ["normalisation", "weights", "aggregation"]
    assert len(result.outputs) == 16 * 5 and (result.outputs >= 0).all()
    assert {"S_lo", "ST_hi"} <= set(result.indices.columns)
    assert list(result.removal.summary.index) == ["c0", "c1", "c2"]
