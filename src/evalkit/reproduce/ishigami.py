"""The Sobol estimators of :mod:`evalkit.composite` on the Ishigami function (case ``ishigami``).

:math:`f(x) = \\sin x_1 + a \\sin^2 x_2 + b\\, x_3^4 \\sin x_1`, :math:`x_i \\sim U(-\\pi, \\pi)`,
a = 7, b = 0.1 (Ishigami & Homma 1990), has closed-form variance components (e.g. Saltelli et al.
2008, *Global Sensitivity Analysis: The Primer*, and the ``sensobol``/SALib documentation):

.. math::
    V = \\tfrac{a^2}{8} + \\tfrac{b\\pi^4}{5} + \\tfrac{b^2\\pi^8}{18} + \\tfrac12,\\quad
    V_1 = \\tfrac12\\left(1 + \\tfrac{b\\pi^4}{5}\\right)^2,\\quad V_2 = \\tfrac{a^2}{8},\\quad V_3 = 0,\\quad
    V_{13} = \\tfrac{8 b^2 \\pi^8}{225}

so S = (0.3139, 0.4424, 0) and ST = (0.5576, 0.4424, 0.2437) to 4 d.p. (the values quoted in
``../shared/research/methods_reference.md`` §1, check 1D). The references of the records are these
closed-form values; the estimates use :func:`evalkit.composite.saltelli_design` and
:func:`evalkit.composite.sobol_indices` (COINr's estimators: Saltelli 2010 first order on centred outputs, as
SALib, and Jansen total) with N = 200 000 base samples (1 000 000 function evaluations). The same estimators are
compared with SALib on one design in case ``sobol_vs_salib``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.composite import saltelli_design, sobol_indices

__all__ = ["N_BASE", "SEED", "TOLERANCE", "A", "B", "analytic_indices", "estimated_indices", "ishigami", "records"]

A, B = 7.0, 0.1
N_BASE = 200_000
SEED = 20240601
TOLERANCE = 0.01  # Monte Carlo error of these estimators at N = 2e5 (methods_reference.md §1, check 1D)


def ishigami(x: np.ndarray, a: float = A, b: float = B) -> np.ndarray:
    """The Ishigami function of the rows of *x* (three columns, each in [-π, π])."""
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def analytic_indices(a: float = A, b: float = B) -> pd.DataFrame:
    """Closed-form first-order (S) and total (ST) indices of x1, x2, x3."""
    pi4, pi8 = np.pi**4, np.pi**8
    v = a**2 / 8 + b * pi4 / 5 + b**2 * pi8 / 18 + 0.5
    v1, v2, v13 = 0.5 * (1 + b * pi4 / 5) ** 2, a**2 / 8, 8 * b**2 * pi8 / 225
    return pd.DataFrame({"S": [v1 / v, v2 / v, 0.0], "ST": [(v1 + v13) / v, v2 / v, v13 / v]},
                        index=pd.Index(["x1", "x2", "x3"], name="input"))


def estimated_indices(n: int = N_BASE, seed: int = SEED, n_boot: int | None = None) -> pd.DataFrame:
    """Sobol indices of the Ishigami function estimated on a Saltelli design of n base samples."""
    x = -np.pi + 2 * np.pi * saltelli_design(n, 3, seed=seed)
    return sobol_indices(ishigami(x), n=n, d=3, names=["x1", "x2", "x3"], n_boot=n_boot, seed=seed)


def records() -> list[dict]:
    """``S[x1]`` … ``ST[x3]``: estimates against the closed-form values, tolerance 0.01."""
    estimate, exact = estimated_indices(), analytic_indices()
    return [{"case": "ishigami", "quantity": f"{kind}[{name}]", "value": float(estimate.at[name, kind]),
             "reference": float(exact.at[name, kind]), "tolerance": TOLERANCE}
            for kind in ("S", "ST") for name in exact.index]
