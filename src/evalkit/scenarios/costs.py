"""Programme costs of a scenario run: recipients × share × standard × payment ratio, with joint recipient shares.

Cost of programme *p* in year *t*: :math:`C_{pt} = R_{pt} \\cdot s_p \\cdot S^{\\text{year}}_{pt} \\cdot \\rho_p /
10^8` (亿元), with recipients :math:`R`, recipient share :math:`s`, the standard converted to 元/人·年 (× 12 for
monthly standards) and the payment ratio :math:`\\rho` (average payment over the standard).

**Shares of the same recipients are drawn jointly.** Orphans in institutions (share 0.18 ± 0.03) and orphans
in family care (0.82 ± 0.03) are two parts of one group: drawn independently, the two shares of a draw do
not add up to 1, and the total counts some orphans twice or not at all. Programmes that split one recipient
series therefore draw their uncertain shares from one Dirichlet distribution (Kotz, Balakrishnan & Johnson
2000, *Continuous Multivariate Distributions*, ch. 49), with a remainder component when the stated means add
up to less than 1, scaled to what the known shares leave. Its means are the stated means; its concentration
:math:`c` is chosen so that component *i* has the stated sd, :math:`\\operatorname{Var} s_i = F^2 p_i (1-p_i) /
(c + 1)` with :math:`p_i = m_i / F` and :math:`F` = 1 − the known shares; when the sds imply different
:math:`c` the average is used. For two complementary shares with the same sd (the orphans) the sds are met
exactly, and the shares add up to 1 in every draw.
"""
from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from evalkit.errors import DataShapeError
from evalkit.scenarios.spec import Programme, Scenario
from evalkit.units import convert

__all__ = ["joint_shares", "programme_costs"]

#: slack when the share means of one recipient series add up to 1
_TOLERANCE = 1e-9


def _rng(seed: int, name: str) -> np.random.Generator:
    # Seeded per name, so adding or reordering series does not change another series' draws.
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _mean(draws: np.ndarray, exists: bool) -> np.ndarray:
    """Monte Carlo mean over draws, or NaN where the distribution has no mean (log-t and what follows it)."""
    return draws.mean(axis=0) if exists else np.full(draws.shape[1:], np.nan)


def joint_shares(programmes: Mapping[str, Programme], rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Draws of the recipient shares of programmes that split the same recipients (see the module docstring).

    Parameters
    ----------
    programmes : mapping
        Programmes with the same ``recipients``, by code.
    rng : numpy.random.Generator
        Random numbers.
    n : int
        Number of draws.

    Returns
    -------
    dict
        Share draws, shape (n,), per programme code; known shares (sd 0) are constant.

    Raises
    ------
    DataShapeError
        The share means add up to more than 1, or an sd is too large for any Dirichlet with those means.
    """
    fixed = {c: p.recipients_share.mean for c, p in programmes.items() if p.recipients_share.sd == 0}
    uncertain = {c: p.recipients_share for c, p in programmes.items() if p.recipients_share.sd > 0}
    total = sum(p.recipients_share.mean for p in programmes.values())
    if total > 1 + _TOLERANCE:
        raise DataShapeError(f"the recipient shares of programmes {sorted(programmes)} add up to {total:g} > 1; "
                             "shares of the same recipients must add up to at most 1")
    out = {c: np.full(n, v) for c, v in fixed.items()}
    if not uncertain:
        return out
    free = 1 - sum(fixed.values())
    means = np.array([u.mean for u in uncertain.values()]) / free
    sds = np.array([u.sd for u in uncertain.values()]) / free
    remainder = max(0.0, 1 - means.sum())
    parts = np.append(means, remainder) if remainder > _TOLERANCE else means
    if len(parts) == 1:
        # One uncertain share that takes everything the known shares leave: it cannot vary.
        out[next(iter(uncertain))] = np.full(n, free)
        return out
    concentration = float(np.mean(means * (1 - means) / sds ** 2 - 1))
    if not concentration > 0:
        raise DataShapeError(f"the sds of the recipient shares of {sorted(uncertain)} are too large for shares "
                             "that add up to at most 1; give smaller sds")
    draws = rng.dirichlet(concentration * parts, size=n) * free
    for k, code in enumerate(uncertain):
        out[code] = draws[:, k]
    return out


def _groups(sc: Scenario) -> dict[str, dict[str, Programme]]:
    groups: dict[str, dict[str, Programme]] = {}
    for code, p in sc.programmes.items():
        groups.setdefault(p.recipients, {})[code] = p
    return groups


def programme_costs(sc: Scenario, done: dict[str, np.ndarray], years: np.ndarray, level: float,
                    no_mean: set[str]) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Cost by year and over the period of each programme and in total, and the share draws.

    Parameters
    ----------
    sc : Scenario
        The scenario (its ``costs`` section).
    done : dict
        Draws of every series, shape (n, len(years)).
    years : numpy.ndarray
        Projection years.
    level : float
        Interval level.
    no_mean : set of str
        Series whose distribution has no mean.

    Returns
    -------
    tuple
        ``(cost, cost_period, shares)``: frames ``[year,] programme, name_zh, name_en, median, mean, lo, hi``
        in 亿元 and the share draws per programme.
    """
    rows, period, total, shares = [], [], None, {}
    total_has_mean = True
    for recipients, group in _groups(sc).items():
        n = done[recipients].shape[0]
        if len(group) > 1 and any(p.recipients_share.sd > 0 for p in group.values()):
            shares.update(joint_shares(group, _rng(sc.seed, "costs.shares." + recipients), n))
    for code, p in sc.programmes.items():
        rng = _rng(sc.seed, "costs." + code)
        n = done[p.recipients].shape[0]
        if code not in shares:
            shares[code] = np.clip(p.recipients_share.draw(rng, n), 0, 1)
        ratio = np.maximum(p.payment_ratio.draw(rng, n), 0)[:, None]
        annual_standard = done[p.standard] * float(convert(1.0, sc.series[p.standard].unit, "元/人·年"))
        cost = done[p.recipients] * shares[code][:, None] * annual_standard * ratio / 1e8
        has_mean = not ({p.recipients, p.standard} & no_mean)
        total_has_mean = total_has_mean and has_mean
        total = cost if total is None else total + cost
        rows.append(_cost_rows(cost, years, level, code, p.name_zh, p.name_en, has_mean))
        period.append(_cost_rows(cost.sum(axis=1, keepdims=True), None, level, code, p.name_zh, p.name_en, has_mean))
    if total is None:
        empty = pd.DataFrame(columns=["year", "programme", "name_zh", "name_en", "median", "mean", "lo", "hi"])
        return empty, empty.drop(columns="year"), shares
    rows.append(_cost_rows(total, years, level, "total", "合计", "Total", total_has_mean))
    period.append(_cost_rows(total.sum(axis=1, keepdims=True), None, level, "total", "合计", "Total",
                             total_has_mean))
    return _frame(rows), _frame(period), shares


def _cost_rows(cost: np.ndarray, years, level, code, name_zh, name_en, has_mean: bool) -> dict[str, np.ndarray]:
    lo, hi = np.quantile(cost, [(1 - level) / 2, (1 + level) / 2], axis=0)
    m = cost.shape[1]
    columns = {"programme": np.full(m, code, dtype=object), "name_zh": np.full(m, name_zh, dtype=object),
               "name_en": np.full(m, name_en, dtype=object), "median": np.median(cost, axis=0),
               "mean": _mean(cost, has_mean), "lo": lo, "hi": hi}
    return columns if years is None else {"year": np.asarray(years), **columns}


def _frame(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """One frame of the programmes' rows (built from whole columns rather than concatenated frame by frame)."""
    return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})
