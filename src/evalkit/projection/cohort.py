"""Cohort-component population projection in five-year age groups and five-year steps.

Preston, Heuveline & Guillot (2001), *Demography*, ch. 6; used for the elderly-care demand model. The one-step
arithmetic (:func:`cohort_step`) and the input checks (:func:`cohort_inputs`) are public so that the scenario
Monte Carlo runs the same step on arrays of draws.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evalkit._shared.display import ResultDisplay, Summary
from evalkit.errors import DataShapeError, ParameterError
from evalkit.projection.series import check_int

__all__ = ["CohortResult", "cohort_inputs", "cohort_project", "cohort_step", "older_population"]


@dataclass(frozen=True)
class CohortResult(ResultDisplay):
    """A cohort-component projection.

    Attributes
    ----------
    population : pandas.DataFrame
        ``year, age`` (lower bound of the five-year group; the last group is open), ``sex`` (if the
        inputs had one) and ``population``.
    components : pandas.DataFrame
        One row per step (and sex): ``year_start, year_end, population_start, births, deaths,
        net_migration, population_end``. ``population_end − population_start = births − deaths +
        net_migration`` holds exactly.
    """

    population: pd.DataFrame
    components: pd.DataFrame

    def _summary(self) -> Summary:
        return Summary("Cohort-component projection", (), {"Components of change": self.components})


def cohort_step(pop: np.ndarray, surv: np.ndarray, mig: np.ndarray, fert: np.ndarray | None,
                 female: np.ndarray | None, birth_survival: float, female_birth_share: float,
                 step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One five-year step of the cohort-component method on arrays shaped (..., sex, age).

    Parameters
    ----------
    pop, surv, mig : numpy.ndarray
        Population, survival ratios and net migrants per step, shaped (..., sex, age); leading axes
        (e.g. Monte Carlo draws) broadcast.
    fert : numpy.ndarray or None
        Births per woman (per person without a sex axis) per year, shaped (sex, age); ``None``: no births.
    female : numpy.ndarray or None
        Boolean per sex, which rows are women; ``None`` when there is no sex axis.
    birth_survival : float
        Share of the step's births alive in group 0–4 at its end.
    female_birth_share : float
        Share of births that are girls, :math:`1/(1+\\text{SRB})`.
    step : int
        Length of the step in years (5).

    Returns
    -------
    tuple of numpy.ndarray
        The new population, births by sex and deaths by sex (see :func:`cohort_project` for the formulas).
    """
    survivors = pop * surv + 0.5 * mig * (1 + surv)
    new = np.zeros_like(pop)
    new[..., 1:] = survivors[..., :-1]
    new[..., -1] += survivors[..., -1]  # the open group keeps its own survivors
    deaths = (pop * (1 - surv) + 0.5 * mig * (1 - surv)).sum(axis=-1)
    if fert is None:
        births = np.zeros(pop.shape[:-1])
    else:
        mothers = np.ones(pop.shape[-2]) if female is None else female.astype(float)
        # Women exposed to childbearing: the average of the start and end of the step (PHG eq. 6.4).
        exposure = 0.5 * (pop + new) * mothers[:, None]
        total_births = step * (fert * exposure).sum(axis=(-1, -2))
        share = np.ones(1) if female is None else np.where(female, female_birth_share, 1 - female_birth_share)
        births = total_births[..., None] * share
        new[..., 0] = births * birth_survival
        deaths = deaths + births * (1 - birth_survival)
    return new, births, deaths


def cohort_inputs(base: pd.DataFrame, rates: pd.DataFrame):
    """Check the base population and rates tables and shape them as arrays for :func:`cohort_step`.

    Parameters
    ----------
    base, rates : pandas.DataFrame
        As for :func:`cohort_project`.

    Returns
    -------
    tuple
        ``(sexes, ages, population, survival, migration, fertility or None, has_sex)`` with arrays shaped
        (sex, age).

    Raises
    ------
    DataShapeError
        Missing columns, repeated rows, age groups that are not 0, 5, 10, …, missing rates or survival outside
        [0, 1].
    """
    for name, frame, needed in (("base", base, {"age", "population"}), ("rates", rates, {"age", "survival"})):
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(f"{name} must be a DataFrame, got {type(frame).__name__}")
        missing = needed - set(frame.columns)
        if missing:
            extra = ", net_migration, fertility" if name == "rates" else ""
            raise DataShapeError(f"cohort {name} table lacks column(s) {sorted(missing)}; expected "
                                 f"{sorted(needed)} (+ optional 'sex'{extra})")
    has_sex = "sex" in base.columns
    if has_sex != ("sex" in rates.columns):
        raise DataShapeError("base and rates must both have a 'sex' column or both lack it")
    keys = ["sex", "age"] if has_sex else ["age"]
    for name, frame in (("base", base), ("rates", rates)):
        if frame.duplicated(keys).any():
            raise DataShapeError(f"cohort {name} table repeats {keys} rows: "
                                 f"{frame.loc[frame.duplicated(keys), keys].to_dict('records')[:3]}")
    ages = np.sort(base["age"].astype(int).unique())
    if len(ages) < 2 or np.any(np.diff(ages) != 5) or ages[0] != 0:
        raise DataShapeError(f"age groups must be five-year groups 0, 5, 10, … (lower bounds); got {ages.tolist()}")
    sexes = sorted(base["sex"].unique()) if has_sex else ["total"]
    idx = pd.MultiIndex.from_product([sexes, ages], names=["sex", "age"])
    b = (base.assign(sex="total") if not has_sex else base).set_index(["sex", "age"])
    r = (rates.assign(sex="total") if not has_sex else rates).set_index(["sex", "age"])
    missing_rates = idx.difference(r.index)
    if len(missing_rates):
        raise DataShapeError(f"rates lack rows for {list(missing_rates)[:5]}; give survival for every base group")
    b = b.reindex(idx)
    if b["population"].isna().any():
        raise DataShapeError(f"base population missing for {list(b.index[b['population'].isna()])[:5]}")
    r = r.reindex(idx)
    surv = r["survival"].to_numpy(dtype=float)
    if np.any(~np.isfinite(surv)) or np.any((surv < 0) | (surv > 1)):
        raise DataShapeError("survival ratios must be between 0 and 1 (proportion alive five years later)")
    shape = (len(sexes), len(ages))
    mig = r["net_migration"].fillna(0).to_numpy(float) if "net_migration" in r else np.zeros(surv.size)
    fert = r["fertility"].fillna(0).to_numpy(float).reshape(shape) if "fertility" in r else None
    return (sexes, ages, b["population"].to_numpy(float).reshape(shape), surv.reshape(shape),
            mig.reshape(shape), fert, has_sex)


def cohort_project(base: pd.DataFrame, rates: pd.DataFrame, *, start_year: int, steps: int,
                   birth_survival: float | None = None, female: str = "female",
                   srb: float = 1.05) -> CohortResult:
    """Project a population by five-year age groups in five-year steps (cohort-component method).

    Parameters
    ----------
    base : pandas.DataFrame
        ``age`` (lower bound: 0, 5, …, the last group open-ended), ``population`` and optionally
        ``sex``.
    rates : pandas.DataFrame
        Same keys as ``base`` with ``survival`` (:math:`S_x`, the share of group *x* alive five
        years later; for the open group the share still alive in it), optional ``net_migration``
        (net migrants in group *x* over one step) and optional ``fertility`` (births per woman — or per
        person when there is no ``sex`` — per year).
    start_year : int
        Year of the base population.
    steps : int
        Number of five-year steps.
    birth_survival : float, optional
        :math:`{}_5L_0 / (5\\,l_0)`: share of the step's births alive in group 0–4 at its end. Required
        when ``rates`` has ``fertility``.
    female : str
        The ``sex`` value of women (births come from them).
    srb : float
        Sex ratio at birth (boys per girl) used to split births by sex.

    Returns
    -------
    CohortResult

    Notes
    -----
    Survivors: :math:`P_{x+5}(t+5) = P_x(t) S_x + \\tfrac12 M_x (1 + S_x)` (migrants arrive mid-step);
    open group: :math:`P_{A+}(t+5) = P_{A-5}(t) S_{A-5} + P_{A+}(t) S_{A+}` (+ migrants likewise).
    Births: :math:`B = 5 \\sum_x F_x \\tfrac12 (P^f_x(t) + P^f_x(t+5))`; :math:`P_0(t+5) = B \\cdot
    {}_5L_0/(5 l_0)` split by :math:`1/(1+\\text{SRB})` for girls. Deaths are everything that leaves:
    :math:`\\sum_x (P_x + \\tfrac12 M_x)(1 - S_x) + B (1 - {}_5L_0/(5 l_0))`, so
    :math:`P(t+5) - P(t) = B - D + M` exactly (Preston, Heuveline & Guillot 2001, ch. 6).
    """
    start_year = check_int("start_year", start_year, 0)
    steps = check_int("steps", steps, 1)
    sexes, ages, pop, surv, mig, fert, has_sex = cohort_inputs(base, rates)
    if fert is not None and birth_survival is None:
        raise ParameterError("rates has a 'fertility' column: pass birth_survival (₅L₀/(5·l₀), e.g. 0.995)")
    if fert is not None and not 0 < birth_survival <= 1:
        raise ParameterError(f"birth_survival={birth_survival!r} must be in (0, 1]")
    if has_sex and fert is not None and female not in sexes:
        raise ParameterError(f"female={female!r} is not a value of the 'sex' column ({sexes})")
    if srb <= 0:
        raise ParameterError(f"srb={srb!r} must be positive (boys per girl, e.g. 1.05)")
    is_female = np.array([s == female for s in sexes]) if has_sex else None
    pop_rows, comp_rows = [], []

    def record(year: int, p: np.ndarray) -> None:
        for i, sex in enumerate(sexes):
            pop_rows.append(pd.DataFrame({"year": year, "sex": sex, "age": ages, "population": p[i]}))

    record(start_year, pop)
    for k in range(steps):
        new, births, deaths = cohort_step(pop, surv, mig, fert, is_female, birth_survival or 1.0,
                                           1 / (1 + srb), 5)
        y0, y1 = start_year + 5 * k, start_year + 5 * (k + 1)
        for i, sex in enumerate(sexes):
            comp_rows.append({"year_start": y0, "year_end": y1, "sex": sex, "population_start": pop[i].sum(),
                              "births": births[i], "deaths": deaths[i], "net_migration": mig[i].sum(),
                              "population_end": new[i].sum()})
        pop = new
        record(y1, pop)
    population = pd.concat(pop_rows, ignore_index=True)
    components = pd.DataFrame(comp_rows)
    if not has_sex:
        population = population.drop(columns="sex")
        components = components.drop(columns="sex")
    return CohortResult(population, components)


def older_population(population: pd.DataFrame, *, thresholds: Sequence[int] = (60, 65, 80)) -> pd.DataFrame:
    """Population at or above each age threshold by year: ``year, pop_60plus, pop_65plus, …``.

    Thresholds must be lower bounds of the five-year groups in ``population``.
    """
    ages = set(population["age"].astype(int))
    out = {}
    for threshold in thresholds:
        if threshold not in ages:
            raise ParameterError(f"threshold {threshold} is not the lower bound of an age group ({sorted(ages)})")
        rows = population[population["age"] >= threshold]
        out[f"pop_{threshold}plus"] = rows.groupby("year")["population"].sum()
    return pd.DataFrame(out).rename_axis("year").reset_index()
