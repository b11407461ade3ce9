"""What the buildings' measures do to the stock, year by year: the area-equivalent saved by deep renovation, the
need factors of area built to an energy standard, the floor area with rooftop PV and its output, and the old wood
stoves left and the wood's CH4 per kg (methods §3.3); and how much of an efficiency gain the heat service takes back
(the direct rebound, :func:`heat_service_demand`). Each reads its levers (``submodels/buildings.py`` lists them)
and hands back the array it was given as long as its measure has not acted, so :mod:`buildings` can tell whether
one has."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import dims
from ..levers import acting
from . import building_stock as stock
from .building_parameters import Coefficients, lever
from .powers import power

if TYPE_CHECKING:
    from .buildings import BuildingState

# The cohorts a deep renovation can reach (those built to TEK17 and later are as deep already).
DEEP_COHORTS = ~np.isin(dims.CONSTRUCTION_PERIODS, ("tek17", "tek21"))


def deep_saving(state: BuildingState, coef: Coefficients, levers: dict, shape: tuple, demolition: np.ndarray,
                newly_renovated: np.ndarray) -> np.ndarray:
    """Area-equivalent saved by deep renovations beyond the ordinary cut [m2], (D, M, T, V).

    X' = X (1 - demolition) + delta * R_new * max((1 - red_v) - (1 - r_deep) / b_v, 0) over the cohorts up to
    TEK10, with delta = ``deep_renovation_share``, r_deep = ``deep_renovation_reduction`` (methods §3.3: a deep
    state of -50 to -70 %) and b_v the cohort's behaviour factor (actual over calculated use, e_v / e_calc,v);
    the space need of the cohort is then (A - R red - X) e. A deeply renovated m2 uses its calculated need
    e_calc (1 - r_deep), its behaviour factor gone to 1 (methods §3.3: "beh_after -> 1 after deep retrofits"; the
    prebound of Galvin & Sunikka-Blank 2016): in older houses (b = 0.85, used below their calculated need before)
    a deep renovation saves less than its engineering cut, in non-residential area (b = 1.15) more.
    """
    saving = state.deep_saving
    if state.deep_renovated:
        saving = saving * (1.0 - demolition)
    if acting(levers, "deep_renovation_share") is None:
        return saving
    share = lever(levers, "deep_renovation_share", shape)
    depth = lever(levers, "deep_renovation_reduction", shape)[..., None, None]
    behaviour = (coef.space_need / coef.space_need_calculated)[:, None]                          # (D, 1, T, V)
    kept = 1.0 - coef.renovation_reduction[:, None, None, :]               # the ordinary renovated state's share
    extra = np.maximum(kept - (1.0 - depth) / behaviour, 0.0) * DEEP_COHORTS
    return saving + newly_renovated * share[..., None, None] * extra


def need_factor(state: BuildingState, new_factor: np.ndarray, area_before: np.ndarray, new: np.ndarray,
                v: int) -> np.ndarray:
    """Need factors after this year's new build joins cohort ``v`` [1], (D, M, T, V).

    Area built under an energy standard has the factor ``new_factor`` (D, M, T) of :func:`new_build_factor`; the
    cohort's factor is the area-weighted mean (:func:`building_stock.mixed_need_factor`).
    """
    factor = state.need_factor
    if not ((new_factor < 1.0).any() or (state.standard_built and (factor[..., v] != 1.0).any())):
        return factor
    factor = np.copy(factor)
    factor[..., v] = stock.mixed_need_factor(factor[..., v], area_before, new, new_factor)
    return factor


def new_build_factor(coef: Coefficients, levers: dict, shape: tuple, v: int) -> np.ndarray:
    """The need factor of this year's new build in cohort ``v`` [1], (D, M, T): area built under an energy standard
    (lever ``new_build_space_heat_need`` S by building type, as calculated in the reference climate) has
    ``f = min(S / e_calc, 1)`` with e_calc the cohort's archetype need without the behaviour factor, so its actual
    need is min(S, e_calc) times that factor; 1 without a standard (the neutral 100 is above every archetype)."""
    standard = lever(levers, "new_build_space_heat_need", shape + (len(dims.BUILDING_TYPES),))
    return np.minimum(standard / coef.space_need_calculated[:, None, :, v], 1.0)


def pv_area(state: BuildingState, levers: dict, shape: tuple, area: np.ndarray, demolition: np.ndarray,
            new: np.ndarray, v: int) -> np.ndarray:
    """Floor area with rooftop solar PV [m2], (D, M, T, V): what stood loses its demolished share, the
    new build of cohort ``v`` adds ``solar_pv_new_build_share`` of itself, and every cohort has at least
    ``solar_pv_existing_share`` of its area (retrofits), never more than its area."""
    pv = state.pv_area
    if not (state.pv_installed or acting(levers, "solar_pv_new_build_share") is not None
            or acting(levers, "solar_pv_existing_share") is not None):
        return pv
    new_share = lever(levers, "solar_pv_new_build_share", shape)
    existing = lever(levers, "solar_pv_existing_share", shape)
    pv = pv * (1.0 - demolition)
    pv[..., v] += new * new_share[..., None]
    total = np.copy(area)
    total[..., v] += new
    return np.minimum(np.maximum(pv, existing[..., None, None] * total), total)


def solar_pv(state: BuildingState, coef: Coefficients) -> np.ndarray | None:
    """Rooftop PV output by building type [GWh/yr], (D, M, T): area with PV x kWp per m2 x yield
    (``buildings.pv_kwp_per_m2.*``, ``buildings.pv_yield``); None without any PV."""
    if not state.pv_installed:
        return None
    kwh = stock.over_cohorts(state.pv_area) * coef.pv_kwp_per_m2[:, None, :] * coef.pv_yield[:, None, None]
    return kwh / stock.KWH_PER_GWH


def old_stove_share(years: int, lifetime: np.ndarray, replaced: np.ndarray | float = 0.0) -> np.ndarray:
    """Share of the 2009 old-stove wood burning still done in old stoves ``years`` after 2009 [1]:
    ``(1 - 1/L)^years (1 - x)``.

    A wood stove is renewed at the end of its life, ``1/L`` of the stoves a year (L =
    ``buildings.lifetime.wood_stove``, as the heating systems' replacement), and every stove sold since
    1998 burns clean (NS 3058/3059, ``buildings.wood_stove.old_share_2009``), so the old ones go at that
    pace whether their area keeps a wood stove or not; a measure replaces a share ``x`` (lever
    ``wood_stove_old_replaced``, at its highest so far) of those still in use. Wood burnt in the stoves of
    new buildings is not counted as clean here (the old share of all wood falls faster than this).
    Arguments broadcast. Example: L = 25 yr, 18 years on, no measure: 0.96^18 = 0.4796.
    """
    return (1.0 - 1.0 / lifetime) ** years * (1.0 - np.asarray(replaced))


def wood_ch4_factor(renewed: np.ndarray, old_share: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Wood CH4 per unit of wood relative to 2009 [1] after renewing old stoves.

    The calibrated 2009 factor holds for the 2009 stove mix, ``o`` of the wood burnt in old stoves and
    the rest in clean-burning ones emitting ``rho`` times as much CH4 per kg. When a share ``x`` of the
    old-stove burning moves to clean stoves, ``o' = o (1 - x)`` and the factor is
    ``(o' + (1 - o') rho) / (o + (1 - o) rho)``. Arguments broadcast.
    """
    now = old_share * (1.0 - renewed)
    return (now + (1.0 - now) * ratio) / (old_share + (1.0 - old_share) * ratio)


def heat_service_demand(cost: np.ndarray, cost_2009: np.ndarray, need: np.ndarray, need_2009: np.ndarray,
                        weight: np.ndarray, elasticity: np.ndarray | float) -> np.ndarray:
    """Space heat over its engineering need [1]: the price response of the heat service, which makes the
    direct rebound of efficiency gains (methods.md §3).

    Households and firms buy warmth in their floor area. Its price per m2 is the cost per kWh of useful space
    heat ``c`` [NOK/kWh] of the heating system that makes it times the engineering space-heat need per m2
    ``n`` [kWh/m2/yr] of the building in the normal climate (the weather is not a price), and demand for it has
    the constant elasticity ``-eta``. A building's heat is its engineering need times
    ``((c / c_2009) (n / n_2009)) ** -eta``; over the construction cohorts v of a building type, each at its
    own need against its own of 2009, and the heating systems h, each at its own cost against its own of 2009:

        factor[h] = (c_h / c_h,2009) ** -eta * sum_v w_v (n_v / n_v,2009) ** -eta / sum_v w_v

    with ``w_v`` the cohort's engineering need [GWh/yr] (the cohort term is the type's, the same for every system:
    the systems are shared by type, not by cohort, so where efficient area joins a type its cohort term moves the
    heat of every system of the type a little, oil and paraffin heating in old buildings included). So an envelope
    that cuts the engineering need by 20 % saves ``1 - 0.8 ** (1 - eta)`` of it (16.4 % at eta = 0.2: a rebound of
    18 %), a carrier whose price doubles lowers the heat its systems make by
    ``1 - 2 ** -eta`` (12.9 %), and a cheaper one raises it. A cohort built after 2009 is measured against its
    archetype need (so a standard stricter than the building code is an efficiency gain and new area built to the
    code is not), and stock turnover alone (new area built to the code, old area demolished) leaves the factor at 1.
    In 2009 every ratio is 1. eta (``buildings.heat_service_elasticity``, 0.1-0.3) is the direct
    rebound for space heating of the ACEEE survey (methods.md §3) and of Sorrell (2007, UKERC, The Rebound Effect:
    10-30 % for household heating).

    Each system against its own cost of 2009, so oil-heated buildings answer the oil price and electrically
    heated ones the electricity price; a switch to a system whose heat is cheaper (a heat pump) brings no rebound
    from that lower level, only the change of its carriers' prices since 2009 counts (a house converting from oil
    to a heat pump in 2020 took 14 % more heat, as electricity was cheaper than in 2009 and oil dearer: the
    comfort taken after such a switch as such is not represented). Assumption: the response is immediate, no
    partial adjustment, as thermostat settings and the rooms heated adjust within the year.

    Arguments broadcast: costs (D, M, 1, H) and (D, 1, 1, H); needs and weights (D, M, T, V), summed over their
    last axis; ``elasticity`` eta [1] e.g. (D, 1, 1). Returns (D, M, T, H). A cost or need that is not positive (no
    floor area) gives a ratio of 1; a type without engineering need a need part of 1.
    """
    eta = np.asarray(elasticity, dtype=float)
    price = ratio_response(cost, cost_2009, eta[..., None])
    weight = np.asarray(weight, dtype=float)
    total = stock.over_cohorts(weight)
    weighted = stock.over_cohorts(weight * ratio_response(need, need_2009, eta[..., None]))
    efficiency = np.divide(weighted, total, out=np.ones(np.shape(total)), where=total > 0)
    return efficiency[..., None] * price


def ratio_response(now: np.ndarray, before: np.ndarray, elasticity: np.ndarray | float) -> np.ndarray:
    """``(now / before) ** -elasticity`` [1], 1 where either is not positive; arguments broadcast."""
    shape = np.broadcast_shapes(np.shape(now), np.shape(before), np.shape(elasticity))
    valid = (np.asarray(now) > 0) & (np.asarray(before) > 0)
    ratio = np.divide(now, before, out=np.ones(shape), where=np.broadcast_to(valid, shape))
    return power(ratio, -np.asarray(elasticity, dtype=float))
