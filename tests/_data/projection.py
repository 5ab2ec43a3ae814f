"""Shared test data for the projection tests: small annual series and panels (hand-made values)."""
import pandas as pd


def annual(values, start=2015, name="x"):
    """An annual Series from *start*."""
    return pd.Series(values, index=range(start, start + len(values)), name=name, dtype=float)


def panel_of(series: dict[str, list[float]], region="210000"):
    """A tidy panel of the given indicator series from 2015."""
    rows = [{"region": region, "year": 2015 + i, "indicator": k, "value": v}
            for k, vals in series.items() for i, v in enumerate(vals)]
    return pd.DataFrame(rows)
