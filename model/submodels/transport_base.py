"""The 2009 base of road transport: base mode shares, base fleets and cost coefficients (methods §1.2-1.3, §1.5).

Base mode shares by zone type, purpose and period: zone and purpose constants plus municipal constants
solved so that the trip-weighted municipal shares equal the observed ones. Base fleets: stationary age
profiles sized from the base vkm that the calibration factors of ``CLASS_SOURCES`` scale. Cost
coefficients ``beta = kappa / VoT``: ``kappa`` gives the target toll and fare elasticities at the 2009
toll and fare. ``transport_setup.init_state`` and ``transport_setup.calibrated`` build the 2009 state from them.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from . import fleet, mode_choice, same_inputs_reused
from .car_powertrains import fleet_state
from .fleet import FleetCoefficients
from .demand_coefficients import DemandCoefficients
from .transport_state import CAR, CAR_CLASS, CLASS_SOURCES, DIESEL, PT, TINY

SHARE_TOLERANCE = 1e-6


def validate_shares(name: str, shares: np.ndarray, columns: int, lowest: float) -> np.ndarray:
    """Check ``(M, columns)`` shares (each >= ``lowest``, rows sum 1) and rescale rows to sum exactly 1."""
    shares = np.asarray(shares, dtype=float)
    if shares.ndim != 2 or shares.shape[1] != columns:
        raise ValueError(f"{name} must have shape (M, {columns}), got {shares.shape}")
    if np.any(shares < lowest) or np.any(np.abs(shares.sum(axis=1) - 1.0) > SHARE_TOLERANCE):
        raise ValueError(f"{name} must be >= {lowest} and sum to 1 per municipality")
    return shares / shares.sum(axis=1, keepdims=True)


def base_mode_shares(c: DemandCoefficients, weights: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """2009 shares ``(D, M, Z, P, T, 5)``: zone and purpose constants plus municipal constants
    solved so that the weighted municipal shares equal the observed ``shares`` (M, 5)."""
    return _solved_base_shares(c.zone_constant, c.purpose_constant, weights, shares)


@same_inputs_reused()
def _solved_base_shares(zone_constant: np.ndarray, purpose_constant: np.ndarray, weights: np.ndarray,
                        shares: np.ndarray) -> np.ndarray:
    # Solved once for the runs of the same draws (same_inputs_reused; no calibration factor enters).
    structure = np.broadcast_to(zone_constant[:, None, :, None, :] + purpose_constant[:, None, None, :, :],
                                weights.shape + (len(dims.MODES),))
    constants = mode_choice.solve_constants(structure, weights, shares)
    p0 = mode_choice.logit_shares(structure + constants[:, :, None, None])
    # The same in both periods: a read-only view repeats them (a copy would only take memory).
    return np.broadcast_to(p0[:, :, :, :, None, :], p0.shape[:4] + (len(dims.PERIODS),) + p0.shape[4:])


def _base_stock(fc: FleetCoefficients, cars: np.ndarray, car_mix: np.ndarray,
                activity_vkm: np.ndarray) -> fleet.VintageStock:
    """2009 fleets ``(D, M, C, A, K)`` [vehicles]: stationary age profiles; cars with the observed
    powertrain mix at every age, the other classes diesel and sized as vkm / annual km."""
    vehicles = np.concatenate([cars[..., None], activity_vkm / fc.annual_km[:, None, 1:]], axis=-1)
    mix = np.zeros(vehicles.shape + (len(dims.POWERTRAINS),))
    mix[..., DIESEL] = 1.0
    mix[:, :, CAR_CLASS] = car_mix
    return fleet.stationary_vintage_stock(vehicles, fc.age_profile, mix, fc.survival, dims.BASE_YEAR)


def base_fleets(fc: FleetCoefficients, population: np.ndarray, cars_per_capita: np.ndarray,
               car_powertrain_share: np.ndarray, calibration: dict[str, np.ndarray] | None
               ) -> tuple[np.ndarray, np.ndarray, fleet.VintageStock, np.ndarray, np.ndarray]:
    """The part of the 2009 state that the calibration factors act on: the factors of ``CLASS_SOURCES``
    ``(D, M, 4)`` [1] (1 where missing), the base vkm of vans, heavy vehicles and buses ``(D, M, 3)``
    [vkm/yr] they scale, and the fleets sized from it (:func:`_base_stock`) with their vkm shares by
    powertrain and energy per vkm (:func:`.car_powertrains.fleet_state`)."""
    powertrains = validate_shares("car_powertrain_share", car_powertrain_share, len(dims.POWERTRAINS), 0.0)
    calibration = calibration or {}
    cal = np.stack([np.broadcast_to(np.asarray(calibration.get(source, 1.0), float), population.shape)
                    for source in CLASS_SOURCES], axis=-1)
    activity_vkm = fc.base_vkm_per_capita[:, None, :] * population[..., None] * cal[..., 1:]
    stock, vkm_share, energy = fleet_state(_base_stock(fc, population * cars_per_capita, powertrains, activity_vkm),
                                          fc, dims.BASE_YEAR)
    return cal, activity_vkm, stock, vkm_share, energy


def cost_coefficients(c: DemandCoefficients, weights: np.ndarray, p0: np.ndarray,
                     costs: dict) -> tuple[np.ndarray, np.ndarray]:
    """``beta = kappa / VoT`` per municipality and purpose [1/NOK], car driver and public transport.

    ``kappa`` [1/h] makes the trip-weighted long-run elasticity ``e = beta x (1 - P0)`` equal the
    target: for the car, the toll elasticity of crossing trips at the 2009 toll per crossing
    trip (``transport.reference_toll`` where no ring was in force); for public transport, the
    fare elasticity at the 2009 fare (methods §1.2-1.3).
    """
    p0 = p0[..., 0, :]                                                                      # (D, M, Z, P, 5)
    crossing = weights * np.maximum(costs["crossing"], 0.0)
    toll_weights = np.where(crossing.sum(axis=(2, 3), keepdims=True) > 0, crossing, weights)  # (D, M, Z, P)
    car_w = toll_weights * p0[..., CAR]
    toll = (car_w * costs["toll"].mean(axis=-1)).sum(axis=(2, 3)) / np.maximum(car_w.sum(axis=(2, 3)), TINY)
    toll = np.where(toll > 0, toll, c.reference_toll[:, None])                               # (D, M)
    car_term = (car_w * (1.0 - p0[..., CAR]) / c.car_value_of_time[:, None, None, :]).sum(axis=(2, 3)) \
        / np.maximum(car_w.sum(axis=(2, 3)), TINY)
    kappa_car = c.toll_elasticity[:, None] / (toll * car_term)
    pt_w = weights * p0[..., PT]
    pt_term = (pt_w * (1.0 - p0[..., PT]) / c.value_of_time[:, None, None, :]).sum(axis=(2, 3)) \
        / np.maximum(pt_w.sum(axis=(2, 3)), TINY)
    kappa_pt = c.fare_elasticity[:, None] / (c.pt_fare[:, None] * pt_term)
    return (kappa_car[..., None] / c.car_value_of_time[:, None, :],
            kappa_pt[..., None] / c.value_of_time[:, None, :])
