"""evalkit's Sobol estimators against SALib on the same design (case ``sobol_vs_salib``).

SALib (Herman & Usher 2017, ``SALib.analyze.sobol``) is an independent implementation of the same estimators
evalkit uses in :func:`evalkit.composite.sobol_indices`: Saltelli et al. (2010) first order and Jansen (1999)
total, on centred outputs. Both are run on the outputs of one Saltelli design of the Ishigami function
(:mod:`evalkit.reproduce.ishigami`), evalkit's rows ``[A; B; A_B^1; …; A_B^d]`` reordered into SALib's layout
(per base sample: ``A, A_B^1 … A_B^d, B``). They differ only in the variance's denominator (2n − 1 in evalkit,
2n in SALib), a relative difference of 1/(2n).

The case also checks what issue 15 found: the first-order estimate must not move when a constant is added to
the output. The records for ``y + 100`` compare evalkit on the shifted outputs with SALib on them (SALib centres
and scales the outputs, so its indices do not move). SALib is a test-only dependency (the ``test`` extra);
without it the case is reported as not run.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.composite import saltelli_design, sobol_indices
from evalkit.errors import ReferenceDataMissing
from evalkit.reproduce.ishigami import ishigami

__all__ = ["N_BASE", "SEED", "SHIFT", "TOLERANCE", "design_outputs", "records", "salib_indices", "salib_order"]

N_BASE = 20_000
SEED = 20251207
SHIFT = 100.0
#: |evalkit − SALib| on the same outputs is ≈ S/(2n) ≈ 1e-5 here; 1e-3 is far below the Monte Carlo error
#: (≈ 0.01 at this n) and far above rounding
TOLERANCE = 1e-3
_NAMES = ["x1", "x2", "x3"]


def design_outputs(n: int = N_BASE, seed: int = SEED) -> np.ndarray:
    """Ishigami outputs on :func:`evalkit.composite.saltelli_design` (n base samples, 3 inputs on [-π, π])."""
    return ishigami(-np.pi + 2 * np.pi * saltelli_design(n, 3, seed=seed))


def salib_order(y: np.ndarray, n: int, d: int) -> np.ndarray:
    """Outputs in evalkit's order ``[A; B; A_B^1 …]`` rearranged into SALib's (per base row: A, A_B^1 … A_B^d, B)."""
    y = np.asarray(y, dtype=float)
    blocks = [y[:n]] + [y[(2 + j) * n:(3 + j) * n] for j in range(d)] + [y[n:2 * n]]
    return np.column_stack(blocks).reshape(-1)


def salib_indices(y: np.ndarray, n: int, d: int, names: list[str] | None = None) -> pd.DataFrame:
    """SALib's first-order and total indices of outputs given in evalkit's design order."""
    try:
        from SALib.analyze import sobol as salib_sobol
    except ModuleNotFoundError as exc:  # pragma: no cover - SALib is in the test extra
        raise ReferenceDataMissing("SALib is not installed; pip install SALib (the test extra)") from exc
    names = names or [f"x{i + 1}" for i in range(d)]
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    result = salib_sobol.analyze(problem, salib_order(y, n, d), calc_second_order=False, num_resamples=10,
                                 seed=1)
    return pd.DataFrame({"S": result["S1"], "ST": result["ST"]}, index=pd.Index(names, name="input"))


def records() -> list[dict]:
    """``S[x1]`` … ``ST[x3]`` of evalkit against SALib on the same outputs, then the same for ``y + 100``."""
    y = design_outputs()
    out = []
    for label, outputs in (("", y), (f" (y+{SHIFT:g})", y + SHIFT)):
        ours = sobol_indices(outputs, n=N_BASE, d=3, names=_NAMES)
        theirs = salib_indices(outputs, N_BASE, 3, _NAMES)
        out += [{"case": "sobol_vs_salib", "quantity": f"{kind}[{name}]{label}",
                 "value": float(ours.at[name, kind]), "reference": float(theirs.at[name, kind]),
                 "tolerance": TOLERANCE}
                for kind in ("S", "ST") for name in _NAMES]
    return out
