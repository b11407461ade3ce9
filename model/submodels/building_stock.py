"""Building stock: floor area by building type and TEK cohort, and its yearly flows.

A dynamic stock model in the manner of NVE's Energibruksmodell (EBM) and the
NTNU/SINTEF RE-BUILDS models (methods.md §3.1-3.2): floor-area demand follows
population, demolition follows an S-curve over cohort age, new construction
fills the gap and enters the TEK cohort in force, and a constant yearly share
of the older area is renovated, which cuts its space-heating need.

Axes (after draw ``D`` and municipality ``M``): building type ``T`` over
``dims.BUILDING_TYPES`` and cohort ``V`` over ``dims.CONSTRUCTION_PERIODS``.
All functions are pure: numpy in, numpy out.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from .ordered_sums import sum_in_numpy_order, trailing_sum

HOUSE = dims.index(dims.BUILDING_TYPES, "house")
APARTMENT = dims.index(dims.BUILDING_TYPES, "apartment")
NON_RESIDENTIAL = dims.index(dims.BUILDING_TYPES, "non_residential")

KWH_PER_GWH = 1e6
FEW_VALUES = 4096   # stocks of up to this many values (a single draw) are turned over in whole-array operations


def cohort_in_force(year: int, start_years: np.ndarray) -> int:
    """Index in ``dims.CONSTRUCTION_PERIODS`` of the cohort that area built in ``year`` joins.

    ``start_years`` [yr] holds the first construction year of every cohort after
    the first (TEK49 ... TEK21), ascending; a building belongs to the last
    cohort that had started by its construction year (EBM TEK_parameters.csv).
    """
    return int(np.searchsorted(start_years, year, side="right"))


def cohort_age(year: int, representative_year: np.ndarray) -> np.ndarray:
    """Age of each cohort [yr]: ``max(year - representative_year, 0)``.

    A cohort whose representative year lies ahead (EBM puts TEK07 at 2012)
    has age 0 until then.
    """
    return np.maximum(year - representative_year, 0.0)


def demolition_share(age: np.ndarray, mean_age: np.ndarray, scale: np.ndarray,
                     earliest_age: np.ndarray, never_share: np.ndarray) -> np.ndarray:
    """Share of a cohort's remaining area demolished in the year it reaches ``age`` [1/yr].

    The cumulative demolished share of the original area is a logistic S-curve
    ``L(a) = 1 / (1 + exp(-(a - mean_age)/scale))`` re-based to start from zero at
    ``earliest_age`` (EBM scurve_parameters.csv, methods.md §3.3; EBM's curves start
    from zero there): ``F(a) = (1 - never) (L(a) - L(e)) / (1 - L(e))`` from ``e`` on,
    zero before. (Cut at ``e`` without re-basing, a cohort lost the logistic's whole
    tail below ``e``, 6.5 % of its area at the defaults, in the one year it reached
    ``e``.) The yearly share of the surviving area is the discrete hazard
    ``q(a) = (F(a) - F(a-1)) / (1 - F(a-1))``.
    All arguments broadcast; ages in [yr].
    """
    def logistic(a):
        return 1.0 / (1.0 + np.exp(-(a - mean_age) / scale))

    start = logistic(earliest_age)

    def cumulative(a):
        # (A curve that starts at its end, 1 - L(e) = 0 in floating point, demolishes nothing.)
        f = (1.0 - never_share) * (logistic(a) - start) / np.maximum(1.0 - start, np.finfo(float).tiny)
        return np.where(a >= earliest_age, f, 0.0)

    now, before = cumulative(age), cumulative(age - 1.0)
    return (now - before) / (1.0 - before)


def renovated_share_before_start(age: np.ndarray, rate: np.ndarray,
                                 earliest_age: np.ndarray) -> np.ndarray:
    """Share of a cohort already renovated at the start of the run [1].

    The same constant-rate process as in the simulation, run from the
    earliest renovation age: ``1 - exp(-rate * max(age - earliest_age, 0))``.
    """
    return 1.0 - np.exp(-rate * np.maximum(age - earliest_age, 0.0))


def floor_area_demand(population: np.ndarray, apartment_share: np.ndarray,
                      persons_per_dwelling: np.ndarray, m2_per_dwelling: np.ndarray,
                      non_residential_m2_per_capita: np.ndarray) -> np.ndarray:
    """Floor area needed by the population, per building type [m2], shape ``(D, M, 3)``.

    dwellings = population / persons_per_dwelling (methods.md §3.2);
    house area = dwellings * (1 - apartment_share) * m2_per_dwelling[house];
    apartment area = dwellings * apartment_share * m2_per_dwelling[apartment];
    non-residential area = population * m2_per_capita.

    Shapes: ``population``, ``apartment_share`` (D, M); ``persons_per_dwelling``
    and ``non_residential_m2_per_capita`` (D,); ``m2_per_dwelling`` (D, 2) for
    (house, apartment).
    """
    dwellings = population / persons_per_dwelling[:, None]
    house = dwellings * (1.0 - apartment_share) * m2_per_dwelling[:, None, 0]
    apartment = dwellings * apartment_share * m2_per_dwelling[:, None, 1]
    non_residential = population * non_residential_m2_per_capita[:, None]
    return np.stack([house, apartment, non_residential], axis=-1)


def new_construction(population: np.ndarray, new_apartment_share: np.ndarray,
                     remaining_area: np.ndarray, persons_per_dwelling: np.ndarray,
                     m2_per_dwelling: np.ndarray,
                     non_residential_m2_per_capita: np.ndarray) -> np.ndarray:
    """Floor area built this year, per building type [m2/yr], shape ``(D, M, 3)``.

    New build = demand - stock left after demolition (methods.md §3.2), never
    negative: a shrinking city keeps its surplus stock (vacancy) rather than
    tearing it down. Housing is counted in dwellings so the house/apartment
    split of new dwellings follows ``new_apartment_share`` (D, M):

        new dwellings = max(pop / ppd - house_left / m2_house - apt_left / m2_apt, 0)
        new house area = new dwellings * (1 - new_apartment_share) * m2_house
        new apartment area = new dwellings * new_apartment_share * m2_apt
        new non-residential area = max(pop * m2_per_capita - non_res_left, 0)

    ``remaining_area`` (D, M, 3) [m2] is the stock after this year's demolition.
    """
    m2_house = m2_per_dwelling[:, None, 0]
    m2_apartment = m2_per_dwelling[:, None, 1]
    dwellings_left = remaining_area[..., HOUSE] / m2_house + remaining_area[..., APARTMENT] / m2_apartment
    new_dwellings = np.maximum(population / persons_per_dwelling[:, None] - dwellings_left, 0.0)
    house = new_dwellings * (1.0 - new_apartment_share) * m2_house
    apartment = new_dwellings * new_apartment_share * m2_apartment
    non_residential = np.maximum(population * non_residential_m2_per_capita[:, None]
                                 - remaining_area[..., NON_RESIDENTIAL], 0.0)
    return np.stack([house, apartment, non_residential], axis=-1)


def over_cohorts(values: np.ndarray) -> np.ndarray:
    """Sum over the cohorts (the last axis) [unit of ``values``], slab by slab in numpy's own order
    (:func:`.ordered_sums.trailing_sum`), so that the sum does not depend on the memory layout: with the
    draws fastest in memory each cohort's slab is contiguous."""
    return trailing_sum(values)


def turnover(area: np.ndarray, renovated: np.ndarray, demolition: np.ndarray, renovation_rate: np.ndarray,
             eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One year of demolition and renovation of the stock [m2].

    With ``demolition`` q (D, 1, T, V) [1/yr], ``renovation_rate`` r (D, M, T, 1) [1/yr] and
    ``eligible`` e (D, 1, T, V) (1 past the earliest renovation age, else 0):

        demolished = A q;  A' = A - demolished;  R'' = R (1 - q);  N = (A' - R'') r e;  R' = R'' + N

    for ``area`` A and ``renovated`` R (D, M, T, V). Returns A', R', the area renovated this year N
    (D, M, T, V) and the area demolished by type (D, M, T). One cohort at a time, each slab made while
    its parts are in cache.
    """
    new_area, new_renovated, renovated_now = np.empty_like(area), np.empty_like(area), np.empty_like(area)
    kept = 1.0 - demolition
    if area.size <= FEW_VALUES:
        # A single draw: the same operations on whole arrays, element by element the same numbers (the
        # loop over cohorts only pays off for many draws, whose slabs then stay in cache).
        gone = area * demolition
        np.subtract(area, gone, out=new_area)
        np.multiply(renovated, kept, out=new_renovated)
        np.subtract(new_area, new_renovated, out=renovated_now)
        renovated_now *= renovation_rate[..., :1]
        renovated_now *= eligible
        new_renovated += renovated_now
        return new_area, new_renovated, renovated_now, over_cohorts(gone)
    demolished = []
    for v in range(area.shape[-1]):
        gone = area[..., v] * demolition[..., v]
        left = np.subtract(area[..., v], gone, out=new_area[..., v])
        still = np.multiply(renovated[..., v], kept[..., v], out=new_renovated[..., v])
        now = np.subtract(left, still, out=renovated_now[..., v])
        now *= renovation_rate[..., 0]
        now *= eligible[..., v]
        still += now
        demolished.append(gone)
    return new_area, new_renovated, renovated_now, sum_in_numpy_order(demolished)


def space_heating_need(area: np.ndarray, renovated: np.ndarray, need_per_m2: np.ndarray,
                       renovation_reduction: np.ndarray, hdd_ratio: np.ndarray,
                       need_factor: np.ndarray | float = 1.0, deep_saving: np.ndarray | float = 0.0) -> np.ndarray:
    """Net space-heating and ventilation need per building type [GWh/yr], ``(D, M, T)``.

    EN = sum_v (A_v - R_v * red_v - X_v) * e_v * f_v * HDD / HDD_normal  (methods.md §3.2),
    with ``area`` A and ``renovated`` R (D, M, T, V) [m2], ``need_per_m2`` e
    (D, 1, T, V) [kWh/m2/yr] in normal climate including the behaviour factor,
    ``renovation_reduction`` red (D, 1, 1, V) [1] and ``hdd_ratio`` (D, M) [1];
    ``need_factor`` f (D, M, T, V) [1] is the cohort's mean need relative to its archetype
    (below 1 where area was built to a stricter standard, :func:`mixed_need_factor`), and
    ``deep_saving`` X (D, M, T, V) [m2] the area-equivalent saved beyond ``red`` by deep
    renovations (renovated area times the extra cut). Without those measures pass the defaults,
    which spare the full-size steps.
    """
    need = cohort_space_need(area, renovated, need_per_m2, renovation_reduction, need_factor, deep_saving)
    return over_cohorts(need) * (hdd_ratio / KWH_PER_GWH)[..., None]


def cohort_space_need(area: np.ndarray, renovated: np.ndarray, need_per_m2: np.ndarray,
                      renovation_reduction: np.ndarray, need_factor: np.ndarray | float = 1.0,
                      deep_saving: np.ndarray | float = 0.0) -> np.ndarray:
    """Net space-heating need of each cohort in the normal climate [kWh/yr], ``(D, M, T, V)``:
    ``(A_v - R_v * red_v - X_v) * e_v * f_v``, the terms of :func:`space_heating_need` before the sum over cohorts
    and the weather (also the engineering need of the heat service's price, ``buildings.engineering_need``)."""
    effective = renovated * renovation_reduction
    np.subtract(area, effective, out=effective)
    if np.ndim(deep_saving) or deep_saving:     # the default 0 changes nothing
        effective -= deep_saving
    effective *= need_per_m2 * need_factor
    return effective


def mixed_need_factor(factor: np.ndarray, area_before: np.ndarray, new_area: np.ndarray,
                      new_factor: np.ndarray) -> np.ndarray:
    """Mean need factor of a cohort after new area joins it [1] (all arguments (D, M, T)).

    f' = (f A + f_new N) / (A + N); demolition takes the same share of every part of a cohort,
    so it leaves f unchanged. An empty cohort keeps f.
    """
    total = area_before + new_area
    mixed = (factor * area_before + new_factor * new_area) / np.where(total > 0, total, 1.0)
    return np.where(total > 0, mixed, factor)
