"""The buildings submodel's parameters, gathered once into arrays shaped for the yearly step.

Every number comes from ``model/data/parameters/buildings.csv``; this module
only reshapes and combines them (normalising share vectors, applying the
behaviour factors to the archetype needs, turning efficiencies into carrier
inputs and prices into fuel cost per kWh of need). The submodel's levers are read for the
yearly step here too (:func:`lever`): a year's lever in the same layout, its neutral value when absent.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from .. import dims
from ..levers import LEVERS
from ..parameters import Params
from . import heating

TYPES = dims.BUILDING_TYPES
PERIODS = dims.CONSTRUCTION_PERIODS
SYSTEMS = dims.HEATING_SYSTEMS
FUELS = ("heating_oil", "paraffin", "natural_gas", "lpg", "wood")
NEW_BUILD_SYSTEMS = tuple(s for s, out in zip(SYSTEMS, heating.PHASED_OUT) if not out)
# Cohorts standing in 2009; later ones start empty.
STOCK_PERIODS_2009 = PERIODS[:PERIODS.index("tek07") + 1]
# EBM gives one archetype value for PRE_TEK49-TEK69 houses and applies its
# behaviour factor for "older houses" to that group.
OLDER_HOUSE_PERIODS = np.isin(PERIODS, ("pre_tek49", "tek49", "tek69"))
# EBM has a smaller renovation cut for the newest frames.
RECENT_PERIODS = np.isin(PERIODS, ("tek17", "tek21"))
P = "buildings."


def draws_fastest(values: np.ndarray) -> np.ndarray:
    """``values`` with the draw axis (the first) fastest in memory (Fortran order), the layout of the
    building state: arrays over draws then broadcast against the stock along contiguous draws, and
    the slab of one system, cohort or building type is contiguous."""
    return np.asfortranarray(values)


def lever(levers: dict, name: str, shape: tuple) -> np.ndarray:
    """A lever this year (read only), its neutral value (``levers.py``) when the caller left it out."""
    value = levers.get(name)
    if isinstance(value, np.ndarray) and value.shape == shape and value.dtype == float:
        return draws_fastest(value)       # the simulation's year slice
    # A real array, draws fastest: a broadcast one would leave numpy to guess the layout of results.
    return draws_fastest(np.broadcast_to(np.asarray(LEVERS[name].neutral if value is None else value, dtype=float),
                                         shape))


# Coefficients that enter matrix products per draw, where BLAS wants each draw's matrix contiguous.
_C_ORDER = ("space_input", "water_input", "price", "fuel_input")


@dataclass(frozen=True)
class Coefficients:
    """Parameter arrays over draws ``D``; see buildings.csv for units and sources. Stored draws fastest
    (:func:`draws_fastest`), except the carrier inputs and prices (``_C_ORDER``)."""

    persons_per_dwelling: np.ndarray     # (D,) [persons/dwelling]
    m2_per_dwelling: np.ndarray          # (D, 2) house, apartment [m2]
    m2_per_capita: np.ndarray            # (D,) non-residential [m2/person]
    start_years: np.ndarray              # (V-1,) [yr], same for every draw
    representative_year: np.ndarray      # (D, V) [yr]
    stock_share: np.ndarray              # (D, T, V) [1], 2009 area by cohort
    demolition_mean: np.ndarray          # (D, T) [yr]
    demolition_scale: np.ndarray         # (D, T) [yr]
    demolition_earliest: np.ndarray      # (D, T) [yr]
    never_demolished: np.ndarray         # (D,) [1]
    renovation_rate: np.ndarray          # (D, T) [1/yr]
    renovation_earliest: np.ndarray      # (D, T) [yr]
    renovation_reduction: np.ndarray     # (D, V) [1]
    space_need: np.ndarray               # (D, T, V) [kWh/m2/yr] incl. behaviour factor
    water_need: np.ndarray               # (D, T) [kWh/m2/yr]
    electric_need: np.ndarray            # (D, T) [kWh/m2/yr]
    system_share_2009: np.ndarray        # (D, T, H) [1]
    new_build_share: np.ndarray          # (D, T, H) [1]
    efficiency: np.ndarray               # (D, H) [1]
    space_input: np.ndarray              # (D, H, C) [kWh/kWh]
    water_input: np.ndarray              # (D, H, C) [kWh/kWh]
    lifetime: np.ndarray                 # (D, H) [yr]
    investment: np.ndarray               # (D, H) [NOK/m2]
    recovery_factor: np.ndarray          # (D, H) [1/yr]
    discount_rate: np.ndarray            # (D,) [1/yr]
    price: np.ndarray                    # (D, C) [NOK/kWh] 2009 end-user price of each carrier
    review_rate: np.ndarray              # (D, M) [1/yr] share of oil and paraffin heating reviewed each year
    grant_area: np.ndarray               # (D, T) [m2/dwelling] floor area a per-dwelling grant is spread over
    fuel_input: np.ndarray               # (D, C, 2H) [kWh/kWh] space_input and water_input, carriers first
    space_cost: np.ndarray               # (D, H) [NOK per kWh of space-heat need]
    water_cost: np.ndarray               # (D, H) [NOK per kWh of hot-water need]
    beta: np.ndarray                     # (D,) [1/(NOK/m2/yr)]
    ef_co2: np.ndarray                   # (D, C) [kg CO2/kWh], zero for electricity and district heat
    ef_ch4: np.ndarray                   # (D, C) [kg CH4/TJ]
    ef_n2o: np.ndarray                   # (D, C) [kg N2O/TJ]
    other_fossil: np.ndarray             # (D, 3) CO2, CH4, N2O [kg/m2/yr] of non-residential area
    space_need_calculated: np.ndarray    # (D, T, V) [kWh/m2/yr] as space_need, without the behaviour factor
    pv_kwp_per_m2: np.ndarray            # (D, T) [kWp/m2] rooftop PV per m2 of floor area with PV
    pv_yield: np.ndarray                 # (D,) [kWh/kWp/yr]
    municipal_share: np.ndarray          # (D,) [1] municipal share of non-residential floor area
    wood_old_share: np.ndarray           # (D,) [1] share of 2009 wood burnt in old (pre-1998) stoves
    wood_ch4_ratio: np.ndarray           # (D,) [1] CH4 per kg wood, clean-burning over old stove
    heat_service_elasticity: np.ndarray  # (D,) [1] eta, minus the price elasticity of the heat service


def _normalised(x: np.ndarray) -> np.ndarray:
    return x / x.sum(axis=-1, keepdims=True)


def _per_type(params: Params, prefix: str) -> np.ndarray:
    return params.vector(P + prefix, TYPES)


def _over_carriers(params: Params, prefix: str) -> np.ndarray:
    """A fuel-only parameter vector placed on the carrier axis, zero elsewhere."""
    out = np.zeros((params.n_draws, len(dims.CARRIERS)))
    out[:, [dims.CARRIERS.index(f) for f in FUELS]] = params.vector(P + prefix, FUELS)
    return out


def _stock_share(params: Params) -> np.ndarray:
    n_old = len(STOCK_PERIODS_2009)
    residential = _normalised(params.vector(P + "stock_share_2009.residential", STOCK_PERIODS_2009))
    other = _normalised(params.vector(P + "stock_share_2009.non_residential", STOCK_PERIODS_2009))
    share = np.zeros((params.n_draws, len(TYPES), len(PERIODS)))
    share[:, :2, :n_old] = residential[:, None, :]
    share[:, 2, :n_old] = other
    return share


def _space_need(params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Space-heating need (D, T, V) [kWh/m2/yr] with the behaviour factor (actual use) and without (as calculated)."""
    need = np.stack([params.vector(f"{P}space_heating.{t}", PERIODS) for t in TYPES], axis=1)
    behaviour = np.ones_like(need)
    behaviour[:, 0, OLDER_HOUSE_PERIODS] = params[P + "behaviour_factor.older_house"][:, None]
    behaviour[:, 2, :] = params[P + "behaviour_factor.non_residential"][:, None]
    return need * behaviour, need


def _new_build_share(params: Params) -> np.ndarray:
    share = np.zeros((params.n_draws, len(TYPES), len(SYSTEMS)))
    allowed = ~heating.PHASED_OUT
    for i, t in enumerate(TYPES):
        share[:, i, allowed] = params.vector(f"{P}new_build_share.{t}", NEW_BUILD_SYSTEMS)
    return _normalised(share)


def coefficients(params: Params) -> Coefficients:
    """Collect the buildings parameters into arrays (see :class:`Coefficients`)."""
    start_labels = PERIODS[1:]
    start_years = np.array([params.scalar(f"{P}cohort_start_year.{v}") for v in start_labels])
    efficiency = params.vector(P + "efficiency", SYSTEMS)
    load_share = np.ones_like(efficiency)
    load_share[:, 1:] = params.vector(P + "load_share", SYSTEMS[1:])
    space_input = heating.space_heat_input(efficiency, load_share)
    water_input = heating.hot_water_input(efficiency)
    price = params.vector(P + "price", dims.CARRIERS)
    lifetime = params.vector(P + "lifetime", SYSTEMS)
    reduction = np.where(RECENT_PERIODS, params[P + "renovation.reduction_recent"][:, None],
                         params[P + "renovation.reduction"][:, None])
    space_need, space_need_calculated = _space_need(params)
    coef = Coefficients(
        persons_per_dwelling=params[P + "persons_per_dwelling"],
        m2_per_dwelling=params.vector(P + "m2_per_dwelling", ("house", "apartment")),
        m2_per_capita=params[P + "non_residential_m2_per_capita"],
        start_years=start_years,
        representative_year=params.vector(P + "representative_year", PERIODS),
        stock_share=_stock_share(params),
        demolition_mean=_per_type(params, "demolition.mean_age"),
        demolition_scale=_per_type(params, "demolition.scale"),
        demolition_earliest=_per_type(params, "demolition.earliest_age"),
        never_demolished=params[P + "demolition.never_share"],
        renovation_rate=_per_type(params, "renovation.rate"),
        renovation_earliest=_per_type(params, "renovation.earliest_age"),
        renovation_reduction=reduction,
        space_need=space_need,
        water_need=_per_type(params, "hot_water"),
        electric_need=_per_type(params, "electric_specific"),
        system_share_2009=_normalised(np.stack(
            [params.vector(f"{P}system_share_2009.{t}", SYSTEMS) for t in TYPES], axis=1)),
        new_build_share=_new_build_share(params),
        efficiency=efficiency,
        space_input=space_input,
        water_input=water_input,
        lifetime=lifetime,
        investment=params.vector(P + "investment", SYSTEMS),
        recovery_factor=heating.capital_recovery_factor(params[P + "discount_rate"][:, None], lifetime),
        discount_rate=params[P + "discount_rate"],
        price=price,
        # the shared rate times each municipality's factor (1 unless fitted to its own inventories), at most all
        review_rate=np.minimum(params[P + "oil_review_rate"][:, None]
                               * params.vector(P + "oil_review_factor", dims.MUNICIPALITIES), 1.0),
        # per-dwelling grants reach houses and apartments; non-residential area gets none (infinite area)
        grant_area=np.concatenate([params.vector(P + "m2_per_dwelling", ("house", "apartment")),
                                   np.full((params.n_draws, 1), np.inf)], axis=1),
        # prices (D, M, C) times this give the fuel cost per kWh of both needs in one product per draw
        fuel_input=np.ascontiguousarray(np.swapaxes(np.concatenate([space_input, water_input], axis=1), -1, -2)),
        space_cost=np.einsum("dhc,dc->dh", space_input, price),
        water_cost=np.einsum("dhc,dc->dh", water_input, price),
        beta=params[P + "logit_beta"],
        ef_co2=_over_carriers(params, "ef_co2"),
        ef_ch4=_over_carriers(params, "ef_ch4"),
        ef_n2o=_over_carriers(params, "ef_n2o"),
        other_fossil=params.vector(P + "other_fossil", ("co2_per_m2", "ch4_per_m2", "n2o_per_m2")),
        space_need_calculated=space_need_calculated,
        pv_kwp_per_m2=_per_type(params, "pv_kwp_per_m2"),
        pv_yield=params[P + "pv_yield"],
        municipal_share=params[P + "municipal_share_non_residential"],
        wood_old_share=params[P + "wood_stove.old_share_2009"],
        wood_ch4_ratio=params[P + "wood_stove.ch4_ratio_new_old"],
        heat_service_elasticity=params[P + "heat_service_elasticity"],
    )
    return replace(coef, **{f.name: draws_fastest(getattr(coef, f.name)) for f in fields(coef)
                            if f.name not in _C_ORDER})
