"""Vehicle fleets: vintage stock, survival, turnover, energy use per km and the fleet parameters.

A cohort (stock) model per vehicle class (methods §1.5): vehicles by age
``0..dims.MAX_VEHICLE_AGE`` (the last age is open-ended) and powertrain
(``dims.POWERTRAINS``), scrapped along a Weibull survival curve, replaced and
supplemented by new vehicles whose powertrain mix comes from a choice model (cars) or
a policy share (vans, heavy vehicles, buses). Energy per km depends on powertrain and
vintage. The cost and utility terms of the cars' choice are in :mod:`.powertrain_costs`,
the fuel blend and the tailpipe gases of the energy used in :mod:`.tailpipe`.

The functions are pure (numpy arrays in, numpy arrays out; stock arrays end in ``(..., A, K)``: age
then powertrain), except that a year's fleet in the simulation is a :class:`VintageStock`, which
:func:`advance_vintages` ages in place.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import dims
from ..parameters import Params
from . import fuel_intensity
from .powers import power
from .powertrain_costs import annuity_factor

FUELS = ("petrol", "diesel")
SURVIVAL_TAIL_YEARS = 100  # ages summed beyond the open class; R is negligible by then
SCALE_FLOOR = 1e-200      # a vintage stock's scale below this is folded into its counts (VintageStock)


def weibull_survival(age: np.ndarray, shape: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Share of vehicles still registered at a given age [1].

    ``R(a) = exp(-(a / lambda)^kappa)`` with shape ``kappa`` [1] and scale ``lambda`` [yr]
    (methods §1.5; kappa = 3, lambda = 19 gives a mean life of 17 years for cars,
    R(10) = 0.87 and R(20) = 0.31). Arguments broadcast.
    """
    return np.exp(-power(np.asarray(age, dtype=float) / scale, shape))


def annual_survival(shape: np.ndarray, scale: np.ndarray, max_age: int) -> np.ndarray:
    """Probability that a vehicle of age ``a`` is still registered a year later [1/yr].

    ``p(a) = R(a + 1) / R(a)`` for ``a < A``; for the open-ended last class
    ``p(A) = sum_{j > A} R(j) / sum_{j >= A} R(j)``, which keeps a stationary stock
    stationary (methods §1.5). ``shape`` and ``scale`` of shape ``(...)`` give ``(..., A + 1)``.
    """
    ages = np.arange(max_age + SURVIVAL_TAIL_YEARS + 1)
    r = weibull_survival(ages, np.asarray(shape, float)[..., None], np.asarray(scale, float)[..., None])
    head = r[..., 1:max_age + 1] / np.maximum(r[..., :max_age], np.finfo(float).tiny)
    tail_in = r[..., max_age:].sum(axis=-1, keepdims=True)
    tail = r[..., max_age + 1:].sum(axis=-1, keepdims=True) / np.maximum(tail_in, np.finfo(float).tiny)
    return np.concatenate([head, tail], axis=-1)


def stationary_age_profile(shape: np.ndarray, scale: np.ndarray, max_age: int) -> np.ndarray:
    """Age distribution of a stock that has had the same number of new vehicles every year [1].

    ``n(a) proportional to R(a)`` for ``a < A`` and to ``sum_{j >= A} R(j)`` for the open class;
    normalised to sum 1 over the last axis ``(..., A + 1)``. Used for the 2009 stock, for
    which registrations by year are not in the data (assumption).
    """
    ages = np.arange(max_age + SURVIVAL_TAIL_YEARS + 1)
    r = weibull_survival(ages, np.asarray(shape, float)[..., None], np.asarray(scale, float)[..., None])
    profile = np.concatenate([r[..., :max_age], r[..., max_age:].sum(axis=-1, keepdims=True)], axis=-1)
    return profile / profile.sum(axis=-1, keepdims=True)


def turnover(stock: np.ndarray, survival: np.ndarray, target_total: np.ndarray,
             new_shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One year of fleet turnover: ageing, scrapping and new registrations [vehicles].

    ``S[a+1, k] = S[a, k] p(a)`` (the open class keeps its own survivors too);
    ``new = max(N_target - sum S_survived, 0)`` and ``S[0, k] = new * share_new[k]``
    (methods §1.5). If the survivors alone exceed the target (a shrinking stock), all
    cohorts are scaled down to the target: extra scrapping and sales out of the area.
    The returned stock therefore always totals ``target_total``.

    stock ``(..., A, K)`` [vehicles]; survival ``(..., A)`` [1/yr]; target_total ``(...)``
    [vehicles]; new_shares ``(..., K)`` summing to 1. Returns (new stock, new vehicles ``(...)``).
    """
    # Survivors counted without materialising the aged stock: sum_a,k p(a) S[a, k] in one einsum.
    surviving_total = np.einsum("...ak,...a->...", stock, survival)
    new = np.maximum(target_total - surviving_total, 0.0)
    keep = np.minimum(target_total, surviving_total) / np.maximum(surviving_total, np.finfo(float).tiny)
    factor = (survival * keep[..., None])[..., None]                    # (..., A, 1) survival and scaling
    # One pass moves every cohort a year on (the open class then adds its own survivors) into an array
    # laid out in memory like ``stock``: the simulation keeps the ages of each powertrain contiguous,
    # which makes these products several times faster than with the powertrain axis innermost.
    shape = np.broadcast_shapes(stock.shape, factor.shape, new_shares.shape[:-1] + (1,) + new_shares.shape[-1:])
    next_stock = np.empty_like(stock, shape=shape)
    np.multiply(stock[..., :-1, :], factor[..., :-1, :], out=next_stock[..., 1:, :])
    next_stock[..., -1, :] += stock[..., -1, :] * factor[..., -1, :]
    next_stock[..., 0, :] = new[..., None] * new_shares
    return next_stock, new


# Rows of the age weights summed over a vintage stock (:func:`vintage_sums`).
VEHICLES, SURVIVORS, KM, FUEL, ELECTRICITY = range(5)


@dataclass(frozen=True)
class VintageStock:
    """A fleet kept by vintage, so that a year of turnover writes only the new vintage [vehicles].

    The same stock as :func:`turnover`'s ``(..., A + 1, K)`` array (ages ``0..A``, the last open-ended),
    stored so that ageing moves no data: the vintage registered in year ``v`` sits in slot ``v mod A`` of a
    ring of ``A`` slots (ages ``0..A-1``), and slot ``A`` holds the open class. Counts are normalised,

        ``S_t(a, k) = cohorts[v mod A, k] x R(a) x scale_t`` (``v = t - a``),  ``S_t(A, k) = cohorts[A, k] x scale_t``,

    with ``R(a) = prod_(j<a) p(j)`` the survival from registration to age ``a`` and ``scale_t`` the product
    of the yearly scalings of a shrinking stock (:func:`turnover`). Survival then needs no arithmetic on
    the cohorts and a scaling only on ``scale``; each year the vintage of ``t - A`` joins the open class and
    the new vintage takes its slot (the equations of :func:`turnover`, methods §1.5).

    A turnover updates ``cohorts`` in place: the stock it started from then holds another year and refuses
    to be read by age or advanced again (``copy()`` it first to branch). Its ``sums`` stay valid.

    cohorts ``(C, D, A + 1, K, M)``; scale ``(C, D, M)``; reach ``R`` and survival ``p`` ``(C, D, A + 1)`` [1];
    ``sums`` ``(D, M, C, rows, K)``: :func:`vintage_sums` with this year's weights, set by the owner of the
    weights (the rows VEHICLES, SURVIVORS, KM, FUEL, ELECTRICITY in the simulation).
    """

    cohorts: np.ndarray
    scale: np.ndarray
    reach: np.ndarray
    survival: np.ndarray
    year: int
    clock: list          # [the year the shared cohorts hold]
    sums: np.ndarray | None = None

    @property
    def ring(self) -> int:
        return self.cohorts.shape[2] - 1

    def slot_ages(self) -> np.ndarray:
        """Age of the vehicles in each slot this year ``(A + 1,)``: the ring's vintages, then the open class."""
        return np.append((self.year - np.arange(self.ring)) % self.ring, self.ring)

    def check_current(self) -> None:
        if self.clock[0] != self.year:
            raise RuntimeError(f"this vehicle stock of {self.year} was advanced to {self.clock[0]}; "
                               "copy() a stock before advancing it to keep it")

    def copy(self) -> "VintageStock":
        self.check_current()
        return replace(self, cohorts=self.cohorts.copy(), clock=[self.year])

    def one_class(self, c: int) -> "VintageStock":
        """A copy of vehicle class ``c`` alone (its axis kept, of length 1), with its sums: a stock that can be
        advanced without touching this one."""
        self.check_current()
        one = slice(c, c + 1)
        return replace(self, cohorts=self.cohorts[one].copy(), scale=self.scale[one].copy(), reach=self.reach[one],
                       survival=self.survival[one], clock=[self.year],
                       sums=None if self.sums is None else self.sums[:, :, one])

    def slot_reach(self) -> np.ndarray:
        """``R(age)`` of each slot ``(C, D, A + 1)``, 1 for the open class (its counts are not normalised by R)."""
        reach = self.reach[:, :, self.slot_ages()]
        reach[:, :, -1] = 1.0
        return reach

    def by_age(self) -> np.ndarray:
        """The stock as an array ``(D, M, C, A + 1, K)`` [vehicles], ages ``0..A`` (the last open-ended)."""
        self.check_current()
        physical = self.cohorts * (self.slot_reach()[..., None, None] * self.scale[:, :, None, None, :])
        out = np.empty(physical.shape)
        out[:, :, self.slot_ages()] = physical        # slot -> age: a permutation
        return out.transpose(1, 4, 0, 2, 3)


def _unfilled_stock(survival: np.ndarray, shape: tuple, year: int) -> VintageStock:
    """A :class:`VintageStock` of ``shape`` (D, M, C, A + 1, K) with its survival ``(D, C, A + 1)`` [1/yr], cohorts
    not yet filled."""
    d, m, c, a1, k = shape
    p = np.ascontiguousarray(np.broadcast_to(survival, (d, c, a1)).transpose(1, 0, 2))            # (C, D, A + 1)
    reach = np.concatenate([np.ones(p.shape[:2] + (1,)), np.cumprod(p[..., :-1], axis=-1)], axis=-1)
    return VintageStock(cohorts=np.empty((c, d, a1, k, m)), scale=np.ones((c, d, m)), reach=reach, survival=p,
                        year=year, clock=[year])


def _per_reach(stock: VintageStock) -> np.ndarray:
    """``1 / R(age)`` of each slot ``(C, D, A + 1)``: where survival to an age underflows to 0 no vehicle of
    that age exists, and its slot holds 0 (x / inf)."""
    reach = stock.slot_reach()
    return 1.0 / np.where(reach > 0.0, reach, np.inf)


def vintage_stock(by_age: np.ndarray, survival: np.ndarray, year: int) -> VintageStock:
    """A :class:`VintageStock` holding ``by_age`` ``(D, M, C, A + 1, K)`` [vehicles] in ``year``, with the annual
    survival ``(D, C, A + 1)`` [1/yr] of :func:`annual_survival`."""
    stock = _unfilled_stock(survival, by_age.shape, year)
    seen = by_age.transpose(2, 0, 3, 4, 1)                                                   # (C, D, A + 1, K, M)
    np.multiply(seen[:, :, stock.slot_ages()], _per_reach(stock)[..., None, None], out=stock.cohorts)
    return stock


def stationary_vintage_stock(vehicles: np.ndarray, age_profile: np.ndarray, mix: np.ndarray,
                             survival: np.ndarray, year: int) -> VintageStock:
    """:func:`vintage_stock` of ``vehicles`` ``(D, M, C)`` spread over the ages by ``age_profile`` ``(D, C, A + 1)``
    [1] with the powertrain ``mix`` ``(D, M, C, K)`` [1] at every age (the 2009 fleets), written straight into the
    stock's layout: ``cohorts[slot] = profile(age) / R(age) x vehicles x mix``."""
    stock = _unfilled_stock(survival, vehicles.shape + age_profile.shape[-1:] + mix.shape[-1:], year)
    per_slot = age_profile.transpose(1, 0, 2)[:, :, stock.slot_ages()] * _per_reach(stock)   # (C, D, A + 1)
    level = (vehicles[..., None] * mix).transpose(2, 0, 3, 1)                              # (C, D, K, M)
    np.multiply(per_slot[..., None, None], level[:, :, None], out=stock.cohorts)
    return stock


def vintage_sums(stock: VintageStock, slot_weights: np.ndarray) -> np.ndarray:
    """Weighted sums over age of a vintage stock, ``sum_a S[a, k] w[row, a]``, ``(D, M, C, rows, K)``.

    slot_weights ``(C, D, rows, A + 1)``: the weight of the vehicles in each slot (at the ages
    ``stock.slot_ages()``). One matrix product per class and draw: the stock is read once for every row.
    """
    stock.check_current()
    c, d, a1, k, m = stock.cohorts.shape
    per_slot = slot_weights * stock.slot_reach()[:, :, None, :]                              # (C, D, rows, A + 1)
    sums = np.matmul(per_slot, stock.cohorts.reshape(c, d, a1, k * m)).reshape(c, d, -1, k, m)
    sums *= stock.scale[:, :, None, None, :]
    return sums.transpose(1, 4, 0, 2, 3)


def advance_vintages(stock: VintageStock, survivors: np.ndarray, target_total: np.ndarray,
                     new_shares: np.ndarray, kept: np.ndarray | None = None) -> tuple[VintageStock, np.ndarray]:
    """One year of turnover of a vintage stock: :func:`turnover`'s equations, in place [vehicles].

    survivors ``(D, M, C)``: the stock's vehicles that survive the year, ``sum_a,k p(a) S[a, k]`` (from its
    sums); target_total ``(D, M, C)``; new_shares ``(D, M, C, K)`` summing to 1. ``kept`` ``(D, M, C)`` [1]: the
    vehicles the owners keep relative to the survivors (None: 1), below 1 where they sell or scrap some, above 1
    where they buy vehicles of every age (``car_stock.cars_kept``). Those given up or bought move every vintage
    alike before the year's purchases, ``new = max(N_target - kept x survivors, 0)``: households that give up a car
    give up the one they have, they do not stop buying new ones, which would age the fleet the others drive.
    Returns the stock a year on (sharing the cohorts, ``sums`` unset) and the new vehicles ``(D, M, C)``.
    """
    stock.check_current()
    year, a = stock.year + 1, stock.ring
    held = survivors if kept is None else survivors * kept
    new = np.maximum(target_total - held, 0.0)
    keep = np.minimum(target_total, held) / np.maximum(survivors, np.finfo(float).tiny)   # no overflow at 0
    scale = stock.scale * keep.transpose(2, 0, 1)                                            # (C, D, M)
    lost = np.nonzero(scale < SCALE_FLOOR)
    if lost[0].size:   # a stock scaled (almost) to nothing: hold its counts as they are, scale 1
        stock.cohorts[lost[0], lost[1], ..., lost[2]] *= scale[lost][:, None, None]
        scale[lost] = 1.0
    slot, cohorts = year % a, stock.cohorts
    # The vintage of year - A joins the open class (the survivors of age A - 1 and of the open class) ...
    cohorts[:, :, a] *= stock.survival[:, :, a, None, None]
    cohorts[:, :, a] += cohorts[:, :, slot] * stock.reach[:, :, a, None, None]
    # ... and the new vintage takes its slot (R(0) = 1), in the stock's normalised counts.
    cohorts[:, :, slot] = (new[..., None] * new_shares).transpose(2, 0, 3, 1) / scale[:, :, None, :]
    stock.clock[0] = year
    return replace(stock, scale=scale, year=year, sums=None), new


def vintage_efficiency(years_after_base: np.ndarray, improvement: np.ndarray,
                       floor: np.ndarray) -> np.ndarray:
    """Energy use per km of a vintage relative to the base-year new vehicle [1].

    ``f(y) = max((1 - g)^(y - y0), f_min)``: new vehicles get a share ``g`` [1/yr] more
    efficient each year until they reach ``f_min`` of the base-year use; vintages older
    than the base year use more (the same trend backwards).
    """
    return np.maximum((1.0 - improvement) ** years_after_base, floor)


def fleet_mix(stock: np.ndarray, mileage_by_age: np.ndarray, fuel_per_km_new: np.ndarray,
              fuel_vintage: np.ndarray, electricity_per_km_new: np.ndarray,
              electricity_vintage: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who drives the class's kilometres, and the fuel and electricity they use per km.

    Kilometres are shared out in proportion to vehicles times the relative annual mileage
    of their age, ``w[a,k] = S[a,k] m(a) / sum S m`` (methods §1.5, ``I_fleet``); a vehicle of
    age ``a`` and powertrain ``k`` uses ``e_new[k] f(a)`` per km, the new vehicle's use times its
    vintage's factor (:func:`vintage_efficiency`).
    stock ``(..., A, K)`` [vehicles]; mileage_by_age and the vintage factors ``(..., A)`` [1];
    fuel and electricity per km of new vehicles ``(..., K)`` [kWh/vkm]; all broadcast.
    Returns the vkm share by powertrain ``(..., K)`` [1], fuel ``(..., K)`` [kWh per vkm of
    the whole class, contributed by powertrain k] and electricity ``(...)`` [kWh/vkm].
    """
    # The three sums over age, sum_a S[a,k] m(a) x (1, f_fuel(a), f_electricity(a)), as one matrix
    # product: the stock is read once.
    weights = np.stack(np.broadcast_arrays(mileage_by_age, mileage_by_age * fuel_vintage,
                                           mileage_by_age * electricity_vintage), axis=-2)        # (..., 3, A)
    by_age = np.matmul(weights, stock)                                                           # (..., 3, K)
    return mix_of_sums(by_age[..., 0, :], by_age[..., 1, :], by_age[..., 2, :], fuel_per_km_new,
                       electricity_per_km_new)


def mix_of_sums(km: np.ndarray, fuel: np.ndarray, electricity: np.ndarray, fuel_per_km_new: np.ndarray,
                electricity_per_km_new: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`fleet_mix` from the stock's sums over age by powertrain ``(..., K)``: ``sum_a S m`` [vehicles],
    ``sum_a S m f_fuel`` and ``sum_a S m f_electricity`` [vehicles] (rows KM, FUEL, ELECTRICITY of
    :func:`vintage_sums`)."""
    total = np.maximum(km.sum(axis=-1), np.finfo(float).tiny)
    return (km / total[..., None], fuel_per_km_new * fuel / total[..., None],
            (electricity_per_km_new * electricity).sum(axis=-1) / total)


@dataclass(frozen=True)
class FleetCoefficients:
    """Parameter-derived arrays of fleets, energy, emissions and car choice, leading axis ``D``.

    C = ``dims.VEHICLE_CLASSES``, A = ages, K = ``dims.POWERTRAINS``; for vans, heavy
    vehicles and buses the powertrains in use are diesel and "bev" (any zero-emission drive).
    """

    survival: np.ndarray                  # (D, C, A) [1/yr]
    age_profile: np.ndarray               # (D, C, A) [1] stationary 2009 profile
    mileage: np.ndarray                   # (D, A) [1] annual km relative to a new vehicle
    annual_km: np.ndarray                 # (D, C) [km/vehicle/yr]
    fuel_per_km_new: np.ndarray           # (D, C, K) [kWh/vkm] fuel, 2009 new vehicles
    electricity_per_km_new: np.ndarray    # (D, C, K) [kWh/vkm]
    fuel_gain: np.ndarray                 # (D, C) [1/yr]
    electric_gain: np.ndarray             # (D,) [1/yr]
    intensity_elasticity: np.ndarray      # (D,) [1] long-run elasticity of cars' fuel use per km to the fuel price
    intensity_persistence: np.ndarray     # (D,) [1] its partial-adjustment weight (fuel_intensity.persistence)
    efficiency_floor: np.ndarray          # (D,) [1]
    energy_content: np.ndarray            # (D, 2) [kWh/L] petrol, diesel
    co2_per_litre: np.ndarray             # (D, 2) [kg CO2/L]
    bio_energy_ratio: np.ndarray          # (D, 2) [1]
    ch4_per_litre: np.ndarray             # (D, C) [g CH4/L]
    n2o_per_litre: np.ndarray             # (D, C) [g N2O/L]
    base_vkm_per_capita: np.ndarray       # (D, 3) [vkm/inhabitant/yr] van, heavy, bus
    activity_elasticity: np.ndarray       # (D, 3) [1]
    base_new_car_share: np.ndarray        # (D, K) [1]
    car_price: np.ndarray                 # (D, K) [NOK] pre-tax, without the battery premium
    price_premium: np.ndarray             # (D, K) [NOK] 2009 premium of PHEV/BEV
    price_premium_decline: np.ndarray     # (D, K) [1/yr]
    registration_tax: np.ndarray          # (D, K) [NOK] without exemptions
    vat_rate: np.ndarray                  # (D,) [1]
    annuity: np.ndarray                   # (D,) [1/yr]
    tco_coefficient: np.ndarray           # (D,) [1/(NOK/yr)]
    maturity_amplitude: np.ndarray        # (D, K) [1]
    maturity_midpoint: np.ndarray         # (D, K) [yr]
    maturity_rate: np.ndarray             # (D, K) [1/yr]
    peer_coefficient: np.ndarray          # (D,) [1]
    charging_coefficient: np.ndarray      # (D,) [1]
    home_charging: np.ndarray             # (D, Z) [1]
    charging_need: np.ndarray             # (D, K) [1] electric share of km: 0, 0, PHEV share, 1
    van_share_a: np.ndarray               # (D,) [1] van vkm on deliveries into A zones
    consolidation_saving: np.ndarray      # (D,) [1] fall in van vkm of consolidated deliveries
    biogas_energy_ratio: np.ndarray       # (D,) [1] energy per km of a gas bus relative to a diesel bus
    ch4_per_kwh_biogas: np.ndarray        # (D,) [g CH4/kWh] buses on biogas
    n2o_per_kwh_biogas: np.ndarray        # (D,) [g N2O/kWh] buses on biogas


def _plug_in(params: Params, prefix: str, fill: float = 0.0) -> np.ndarray:
    """``(D, K)`` with ``prefix.phev`` and ``prefix.bev``; petrol and diesel get ``fill``."""
    other = np.full(params.n_draws, fill)
    return np.stack([other, other, params[f"{prefix}.phev"], params[f"{prefix}.bev"]], axis=-1)


def fleet_coefficients(params: Params) -> FleetCoefficients:
    """Read the fleet parameters (``transport.*`` rows) into arrays over draws.

    New-vehicle fuel use in 2009 is derived from the 2009 *fleet-average* fuel use
    [L/km]: ``I_new = F h / sum_a w(a) (1 - g)^-a`` with the vkm-weighted stationary age
    profile ``w`` and energy content ``h`` [kWh/L], so the 2009 stock reproduces ``F``.
    """
    classes, ages = dims.VEHICLE_CLASSES, np.arange(dims.MAX_VEHICLE_AGE + 1)
    shape = params.vector("transport.weibull_shape", classes)
    scale = params.vector("transport.weibull_scale", classes)
    profile = stationary_age_profile(shape, scale, dims.MAX_VEHICLE_AGE)
    mileage = (1.0 - params["transport.mileage_decline"][:, None]) ** ages
    fuel_gain = params.vector("transport.fuel_efficiency_gain", classes)
    weights = profile * mileage[:, None, :]
    older = (weights * (1.0 - fuel_gain[..., None]) ** -ages).sum(-1) / weights.sum(-1)    # (D, C)
    content = params.vector("transport.energy_content", FUELS)
    litres = np.stack([params[f"transport.fuel_use_2009.{k}"] for k in ("car_petrol", "van", "heavy", "bus")], -1)
    petrol_like = litres * np.stack([content[:, 0]] + [content[:, 1]] * 3, -1) / older   # (D, C) [kWh/vkm]
    diesel = petrol_like.copy()
    diesel[:, 0] = params["transport.fuel_use_2009.car_diesel"] * content[:, 1] / older[:, 0]
    e_share = params["transport.phev_electric_share"][:, None]
    fuel_new = np.stack([petrol_like, diesel, petrol_like * (1.0 - e_share), 0.0 * diesel], -1)
    electricity = params.vector("transport.electricity_use", classes)
    electricity_new = np.stack([0.0 * electricity, 0.0 * electricity, electricity * e_share, electricity], -1)
    base_price = params.vector("transport.car_price", FUELS)
    new_shares = params.vector("transport.base_new_car_share", dims.POWERTRAINS)  # rescaled: sampled independently
    return FleetCoefficients(
        survival=annual_survival(shape, scale, dims.MAX_VEHICLE_AGE),
        age_profile=profile,
        mileage=mileage,
        annual_km=params.vector("transport.annual_km", classes),
        fuel_per_km_new=fuel_new,
        electricity_per_km_new=electricity_new,
        fuel_gain=fuel_gain,
        electric_gain=params["transport.electric_efficiency_gain"],
        intensity_elasticity=params["transport.fuel_intensity_elasticity.long_run"],
        intensity_persistence=fuel_intensity.persistence(params["transport.fuel_intensity_elasticity.short_run"],
                                                         params["transport.fuel_intensity_elasticity.long_run"]),
        efficiency_floor=params["transport.efficiency_floor"],
        energy_content=content,
        co2_per_litre=params.vector("transport.co2_per_litre", FUELS),
        bio_energy_ratio=params.vector("transport.bio_energy_ratio", FUELS),
        ch4_per_litre=params.vector("transport.ch4_per_litre", classes),
        n2o_per_litre=params.vector("transport.n2o_per_litre", classes),
        base_vkm_per_capita=params.vector("transport.base_vkm_per_capita", classes[1:]),
        activity_elasticity=params.vector("transport.activity_elasticity", classes[1:]),
        base_new_car_share=new_shares / new_shares.sum(axis=-1, keepdims=True),
        car_price=np.stack([base_price[:, 0], base_price[:, 1], base_price[:, 0], base_price[:, 0]], -1),
        price_premium=_plug_in(params, "transport.price_premium_2009"),
        price_premium_decline=_plug_in(params, "transport.price_premium_decline"),
        registration_tax=params.vector("transport.registration_tax", dims.POWERTRAINS),
        vat_rate=params["transport.vat_rate"],
        annuity=annuity_factor(params["transport.tco_discount_rate"], params["transport.tco_years"]),
        tco_coefficient=params["transport.tco_coefficient"],
        maturity_amplitude=_plug_in(params, "transport.maturity_amplitude"),
        maturity_midpoint=_plug_in(params, "transport.maturity_midpoint", fill=float(dims.BASE_YEAR)),
        maturity_rate=_plug_in(params, "transport.maturity_rate"),
        peer_coefficient=params["transport.peer_coefficient"],
        charging_coefficient=params["transport.charging_coefficient"],
        home_charging=params.vector("transport.home_charging_access", dims.ZONES),
        charging_need=np.stack([0.0 * e_share[:, 0], 0.0 * e_share[:, 0], e_share[:, 0],
                                np.ones(params.n_draws)], -1),
        van_share_a=params["transport.van_vkm_share_a"],
        consolidation_saving=params["transport.consolidation_van_vkm_saving"],
        biogas_energy_ratio=params["transport.biogas_bus_energy_ratio"],
        ch4_per_kwh_biogas=params["transport.ch4_per_kwh.biogas_bus"],
        n2o_per_kwh_biogas=params["transport.n2o_per_kwh.biogas_bus"],
    )
