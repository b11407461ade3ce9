"""Energy supply: waste incineration and the fossil fuels of district heating.

The inventory counts waste incineration under energy supply in the municipality
that hosts the plant, not where the waste comes from. Plants do not move, so each
host's 2009 emissions (inventory, or plant register where the inventory is
silent) are carried forward and only the *changes* the other submodels cause are
added:

    E_incineration(t) = max(0, E_incineration(2009) + host * (F(t) - F(2009) (1 + g(t))) * p_inc)
    E_dh_fuels(t)     = max(0, E_dh_fuels(2009) + (Q(t) (1 - w(t)) - Q(2009)) * i_dh * p_dh) * (1 - r(t))

F is the fossil CO2 of the incinerated waste of the host's own residents (waste submodel: it falls when plastics
are sorted out; g(t) is 0 but where the incinerators' reports are added, below), ``host`` is 1 where a plant
burned waste in 2009 (elsewhere residents' waste is burned outside the
municipality, often abroad, and is not counted here); the plant's waste from other
municipalities and industry stays at its 2009 level. Q is the district-heat demand
of the municipality's buildings [GWh/yr] and ``i_dh`` the fossil CO2 per GWh of
extra district heat delivered (parameter). ``p`` are the sources' gas profiles per
t CO2 (CH4 and N2O move with CO2). Two levers change the district-heat supply: ``w`` =
``district_heating_waste_heat_share``, the share of the heat delivered that waste heat supplies beyond
2009 (each GWh of it displaces fuel-fired production at ``i_dh``, the national 2009 fossil intensity per
GWh delivered), and ``r`` = ``district_heating_fossil_replaced``, the share of the fossil fuel (oil and gas
peak and reserve boilers) replaced by renewable heat (bioenergy, heat pumps, electric boilers); both are
neutral at 0.

The incinerators' own reports to the plant register for 2010-2013 (``model/data/plants.csv``) are
inputs, as for industry: where the register's 2009 reports and the host's 2009 level agree within a
factor of two, the change of the host's reported incinerator emissions against 2009 is added in those years,
and after 2013 the mean change of 2012 and 2013 is held (the plants' capacity then; Oslo +47 kt, its
Klemetsrud reporting 68.5 kt in 2009 and 118.7 kt in 2013; Trondheim's Heimdal +24 kt; Bergen's BIR -8.5 kt):

    E_incineration(t) += R(t),    R(t) = sum of the host's incinerator reports in t - those of 2009

R is in t CO2e and is spread over the gases by the source's gas profile. The reports hold the change of the
host's own residents' waste as the policy history made it (the landfill ban of July 2009 sent it to the plants
from 2010), which ``host * (F(t) - F(2009))`` adds too; where R is added, that history's change g(t), relative to
2009 (``incineration_history.csv``, written by tools/incineration_history.py from the default run of
current-policies; held after 2013 as R), is taken out of the residents' term, ``host * (F(t) - F(2009) (1 +
g(t)))``, so that the history meets the reports and a scenario adds only its departure from the history.
Where the register and the level do not agree (Fredrikstad: 794 t reported against 52 kt in the inventory;
Sarpsborg: no report in 2009) the later reports cannot be told apart from what the inventory counts already,
and nothing is added (nor taken out). This puts the
register's view of 2011 and 2013 into the hindcast of those hosts: partly in sample there, like industry.

Plants that opened after 2009 and are missing from the register
(``model/data/plants_opened.csv``; Kristiansand's Returkraft, 2010) add to their host from
their start year:

    E_opened(t) = (W(t) * f(2009) + s(t) * (F(t) - F(2009))) * p_inc

W the waste they burn [t/yr] (the start year's share of a full year, then the full
tonnage; s that share), f(2009) the fossil CO2 per tonne of the host's residents'
incinerated waste in 2009 (waste submodel; where the host's residents burned nothing, the
mean over the 13 municipalities), as household residual waste stands in for the plant's
mix, and F(t) - F(2009) the change of its residents' fossil CO2 incinerated, as for the
2009 hosts: the plant burns its tonnage whatever they sort, so their sorting changes its
emissions by their own waste's change only. (Valuing the whole tonnage at the residents'
mix of each year multiplied their change by the plant's tonnage over theirs, about ten in
Kristiansand: sorting food out, which leaves the residual waste more fossil per tonne, added
17.7 kt a year there with no change of the fossil CO2 burned.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import dims
from ..accounting import gwp_vector
from ..data_store import plants_opened
from ..levers import acting
from ..parameters import Params
from .other_sectors import estimated_levels, gas_profile, plant_sum

SOURCES = ("waste_incineration", "district_heating_fuels")
REPORTED_YEARS = (2010, 2011, 2012, 2013)   # the register's reports after 2009 in the embedded data
HELD_FROM = (2012, 2013)                    # their mean change is held after the last
AGREEMENT = 0.5      # the register's 2009 reports and the host's 2009 level must agree within a factor 1 / AGREEMENT


def base_year_co2e() -> dict[str, np.ndarray]:
    """Bottom-up 2009 estimates [t CO2e], (M,): plant-register sums per host municipality."""
    return {
        "waste_incineration": np.array([plant_sum(m, "waste_incineration") for m in dims.MUNICIPALITIES]),
        "district_heating_fuels": np.array([plant_sum(m, "district_heating") for m in dims.MUNICIPALITIES]),
    }


@dataclass
class EnergySupplyState:
    base: dict[str, np.ndarray]          # source -> (D, M, G) calibrated 2009 gas masses
    fossil_co2_2009: np.ndarray          # (D, M) F(2009) [t CO2/yr]
    district_heat_2009: np.ndarray       # (D, M) Q(2009) [GWh/yr]
    reported: np.ndarray                 # (T, M) R(t) [t CO2e/yr]: the hosts' incinerator reports against 2009
    fossil_per_tonne_2009: np.ndarray | None = None   # (D, M) f(2009) [t CO2/t] of the plants opened after 2009
    # (T, M) g(t) [1]: the residents' change the reports hold already, where they are added (residents_in_reports)
    in_reports: np.ndarray | None = None


def reported_changes(base_co2e: np.ndarray) -> np.ndarray:
    """R(t) [t CO2e/yr] ``(T, M)`` over ``dims.YEARS``: the change of each host's registered incinerators'
    reports against 2009 in ``REPORTED_YEARS`` (each plant's report of the year, or of the nearest year
    within one, as :func:`other_sectors.plant_sum`), the mean of ``HELD_FROM`` after, 0 in 2009; only where the
    register's 2009 reports and the host's 2009 level ``base_co2e`` (M,) [t CO2e] agree within a factor of two
    (``AGREEMENT``), so that the reports describe the plants the level counts.

    >>> r = reported_changes(np.full(len(dims.MUNICIPALITIES), 1.0e9))   # no host covered: nothing added
    >>> float(abs(r).max())
    0.0
    """
    return np.where(_agree(base_co2e), _register_changes()[1], 0.0)


def _agree(base_co2e: np.ndarray) -> np.ndarray:
    """Hosts whose register's 2009 incinerator reports and 2009 level ``base_co2e`` (M,) agree within a factor of
    two (M,) (bool): their reports are added (:func:`reported_changes`)."""
    first, _ = _register_changes()
    base = np.asarray(base_co2e, dtype=float)
    return (first > 0.0) & (base > 0.0) & (first >= AGREEMENT * base) & (first * AGREEMENT <= base)


def residents_in_reports(base_co2e: np.ndarray) -> np.ndarray:
    """g(t) [1] ``(T, M)`` over ``dims.YEARS``: the change of the residents' fossil CO2 incinerated against 2009
    under the policy history (``incineration_history.csv``, tools/incineration_history.py), which the reports hold
    already, in ``REPORTED_YEARS``, the mean of ``HELD_FROM`` after (as the reports), 0 in 2009; only where the
    reports are added (:func:`reported_changes`), 0 elsewhere.

    >>> g = residents_in_reports(np.full(len(dims.MUNICIPALITIES), 1.0e9))   # no host covered: nothing taken out
    >>> float(abs(g).max())
    0.0
    """
    from ..data_store import incineration_history

    history = incineration_history(REPORTED_YEARS)
    g = _over_years(np.array([[history[m, y] for m in dims.MUNICIPALITIES] for y in REPORTED_YEARS]))
    return np.where(_agree(base_co2e), g, 0.0)


@lru_cache(maxsize=1)
def _register_changes() -> tuple[np.ndarray, np.ndarray]:
    """The register's 2009 incinerator reports (M,) and their change after it (T, M) [t CO2e], every host."""
    first = np.array([plant_sum(m, "waste_incineration") for m in dims.MUNICIPALITIES])
    reported = np.array([[plant_sum(m, "waste_incineration", y) for m in dims.MUNICIPALITIES]
                         for y in REPORTED_YEARS]) - first
    changes = _over_years(reported)
    changes.setflags(write=False)
    return first, changes


def _over_years(reported: np.ndarray) -> np.ndarray:
    """Values of ``REPORTED_YEARS`` ``(R, M)`` over ``dims.YEARS`` ``(T, M)``: each in its year, the mean of
    ``HELD_FROM`` after the last, 0 before the first (2009)."""
    held = reported[[REPORTED_YEARS.index(y) for y in HELD_FROM]].mean(axis=0)
    out = np.zeros((len(dims.YEARS),) + reported.shape[1:])
    for k, year in enumerate(dims.YEARS):
        if year in REPORTED_YEARS:
            out[k] = reported[REPORTED_YEARS.index(year)]
        elif year > REPORTED_YEARS[-1]:
            out[k] = held
    return out


def init_state(incineration_fossil_co2: np.ndarray, district_heat_demand: np.ndarray, params: Params,
               levels: dict[str, np.ndarray] | None = None, incinerated: np.ndarray | None = None
               ) -> EnergySupplyState:
    """2009 emissions per source: the calibrated ``levels`` (D, M, G) if given, else the plant register; the
    incinerators' reported changes after 2009 (:func:`reported_changes`, on the first draw's AR5 level); and,
    with the residents' incinerated waste of 2009 ``incinerated`` (D, M) [t/yr], the fossil CO2 per tonne the
    plants opened after 2009 burn (without it they are left out)."""
    if levels is None:
        levels = estimated_levels(base_year_co2e(), SOURCES, params)
    base = {s: np.array(levels[s], dtype=float) for s in SOURCES}
    base_co2e = base["waste_incineration"][0] @ gwp_vector(params, "ar5")[0]
    per_tonne = None if incinerated is None else fossil_co2_per_tonne(incineration_fossil_co2, incinerated)
    return EnergySupplyState(base, incineration_fossil_co2.copy(), district_heat_demand.copy(),
                             reported_changes(base_co2e), per_tonne, residents_in_reports(base_co2e))


def per_t_co2(params: Params, source: str) -> np.ndarray:
    """Gas masses per t of CO2 of a source, (D, 1, G): CH4 and N2O move in proportion to CO2."""
    profile = gas_profile(params, source)
    return (profile / profile[:, :1])[:, None, :]


def opened_tonnage(year: int) -> np.ndarray:
    """Waste burned in plants opened after 2009 in ``year`` [t/yr], (M,) by host municipality."""
    out = np.zeros(len(dims.MUNICIPALITIES))
    for plant in plants_opened():
        out[dims.MUNICIPALITIES.index(plant.municipality)] += plant.tonnage(year)
    return out


def opened_share(year: int) -> np.ndarray:
    """s(t): the share of a full year the plants opened after 2009 run in ``year`` [1], (M,) by host (their
    tonnage this year over their full tonnage; 0 where none has opened)."""
    full = opened_tonnage(dims.FINAL_YEAR)
    return np.divide(opened_tonnage(year), full, out=np.zeros_like(full), where=full > 0.0)


def fossil_co2_per_tonne(incineration_fossil_co2: np.ndarray, incinerated: np.ndarray) -> np.ndarray:
    """Fossil CO2 per tonne of residents' incinerated waste [t CO2/t], (D, M): each municipality's own,
    or the mean over all 13 where its residents burn nothing."""
    mean = incineration_fossil_co2.sum(axis=1, keepdims=True) / np.maximum(incinerated.sum(axis=1, keepdims=True),
                                                                            1e-12)
    own = np.divide(incineration_fossil_co2, incinerated, out=np.zeros_like(incineration_fossil_co2),
                    where=incinerated > 0.0)
    return np.where(incinerated > 0.0, own, mean)


def account(state: EnergySupplyState, incineration_fossil_co2: np.ndarray, district_heat_demand: np.ndarray,
            levers: dict, params: Params, year: int, incinerated: np.ndarray | None = None) -> dict:
    """Emissions per source [t gas/yr] (see the module docstring).

    ``incinerated`` (D, M) [t/yr] is the residents' incinerated waste this year; it switches the plants opened
    after 2009 on (None leaves them out: the 2009 plants alone), which burn their tonnage at the fossil CO2 per
    tonne of 2009 (``state.fossil_per_tonne_2009``, from the 2009 tonnage; a state without it leaves them out
    too) plus their residents' change of fossil CO2 since: this year's tonnage itself does not enter. Lever
    ``incineration_capture_share`` (D, M) in [0, 1], neutral 0: share of the plants' fossil CO2 captured and
    stored (CCS); it leaves CH4 and N2O untouched. Levers
    ``district_heating_waste_heat_share`` and ``district_heating_fossil_replaced`` (D, M) act on the
    district-heating fuels (module docstring); absent, they count as 0.
    """
    base_inc = state.base["waste_incineration"]
    host = base_inc[..., 0] > 0
    change = np.where(host, incineration_fossil_co2 - state.fossil_co2_2009, 0.0)
    if state.in_reports is not None:   # what the history's residents changed is in the reports added below
        change = change - np.where(host, state.fossil_co2_2009 * state.in_reports[year - dims.BASE_YEAR], 0.0)
    if incinerated is not None and state.fossil_per_tonne_2009 is not None:
        residents = np.where(host, 0.0, incineration_fossil_co2 - state.fossil_co2_2009)
        change = change + opened_tonnage(year) * state.fossil_per_tonne_2009 + opened_share(year) * residents
    reported = state.reported[year - dims.BASE_YEAR][None, :, None] * gas_profile(params, "waste_incineration")[:, None]
    incineration = np.maximum(base_inc + change[..., None] * per_t_co2(params, "waste_incineration") + reported, 0.0)
    capture = acting(levers, "incineration_capture_share")
    if capture is not None:
        incineration[:, :, 0] *= 1.0 - capture
    fuel_heat = district_heat_demand                                                   # [GWh/yr]
    waste_heat = acting(levers, "district_heating_waste_heat_share")
    if waste_heat is not None:
        fuel_heat = fuel_heat * (1.0 - waste_heat)                                     # the rest is fuel-fired
    extra_heat = fuel_heat - state.district_heat_2009                                  # [GWh/yr]
    intensity = params["energy_supply.district_heating_marginal_co2"][:, None]       # [t CO2/GWh]
    dh = np.maximum(state.base["district_heating_fuels"]
                    + (extra_heat * intensity)[..., None] * per_t_co2(params, "district_heating_fuels"), 0.0)
    replaced = acting(levers, "district_heating_fossil_replaced")
    if replaced is not None:
        dh = dh * (1.0 - replaced)[..., None]
    return {"emissions": {"waste_incineration": incineration, "district_heating_fuels": dh}}


class EnergySupply:
    """Energy supply in the simulation's protocol (``submodels/__init__.py``): it converts the
    waste incinerated and the district heat delivered this year, so it comes after both."""

    name, decided_by, emits = "energy_supply", None, True

    def init_state(self, ctx) -> EnergySupplyState:
        levels = ctx.calibration.levels_of(SOURCES) if ctx.calibration is not None else None
        return init_state(ctx.outputs["waste"]["incineration_fossil_co2"],
                          ctx.outputs["buildings"]["district_heat_demand"], ctx.params, levels,
                          incinerated=ctx.outputs["waste"]["incinerated"])

    def advance(self, state: EnergySupplyState, ctx) -> EnergySupplyState:
        return state

    def account(self, state: EnergySupplyState, ctx) -> dict:
        waste = ctx.outputs["waste"]
        return account(state, waste["incineration_fossil_co2"], ctx.outputs["buildings"]["district_heat_demand"],
                       ctx.levers, ctx.params, ctx.year, incinerated=waste["incinerated"])


SUBMODEL = EnergySupply()
