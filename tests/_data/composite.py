"""Small composite-indicator inputs whose results the tests work out by hand (generated data is illustrative)."""
import numpy as np
import pandas as pd

__all__ = ["VECTOR", "generated", "single", "toy"]

VECTOR = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100]  # COINr treat.md: x <- c(1:10, 30, 100)


def toy():
    """4 units, indicators x1, x2 → pillar P, x3 (lower is better) → pillar Q, P and Q → index I."""
    data = pd.DataFrame({"uCode": ["A", "B", "C", "D"], "x1": [1.0, 2, 3, 4], "x2": [10.0, 20, 40, 30],
                         "x3": [5.0, 3, 1, 2], "grp": ["g", "g", "h", "h"], "pop": [1.0, 2, 4, 8]})
    meta = pd.DataFrame({"code": ["x1", "x2", "x3", "P", "Q", "I"], "level": [1, 1, 1, 2, 2, 3],
                         "parent": ["P", "P", "Q", "I", "I", None], "direction": [1, 1, -1, 1, 1, 1],
                         "weight": [1.0, 1, 1, 1, 1, 1]})
    return data, meta


def single(values, **meta_extra):
    """One indicator x straight into an index."""
    data = pd.DataFrame({"uCode": [f"u{i}" for i in range(len(values))], "x": values})
    meta = pd.DataFrame({"code": ["x", "I"], "level": [1, 2], "parent": ["I", None], **meta_extra})
    return data, meta


def generated(n_units=8, seed=3):
    """Illustrative generated data: n units, 6 indicators in 3 categories."""
    rng = np.random.default_rng(seed)
    values = rng.lognormal(size=(n_units, 6))
    data = pd.DataFrame(values, columns=[f"i{k}" for k in range(6)]).assign(uCode=[f"u{k}" for k in range(n_units)])
    meta = pd.DataFrame({"code": [f"i{k}" for k in range(6)] + ["c0", "c1", "c2", "I"], "level": [1] * 6 + [2, 2, 2, 3],
                         "parent": ["c0", "c0", "c1", "c1", "c2", "c2", "I", "I", "I", None],
                         "direction": [1, -1, 1, 1, -1, 1, 1, 1, 1, 1]})
    return data, meta
