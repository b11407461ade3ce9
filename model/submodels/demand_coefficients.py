"""The demand side's parameters as arrays over draws: trip rates, purposes and periods, trip lengths, the
utility constants by zone type and purpose, the elasticities the cost coefficients are calibrated to, values
of time, public-transport supply, parking and congestion (the ``transport.*`` rows of the parameter table that
the travel choice reads; ``mode_choice`` holds the choice's equations)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import dims
from ..parameters import Params

ZONE_CONSTANT_MODES = ("public_transport", "bicycle", "walk")   # zone A and C constants, relative to B
PURPOSE_CONSTANT_MODES = ("car_passenger", "public_transport", "bicycle", "walk")  # relative to commute


@dataclass(frozen=True)
class DemandCoefficients:
    """Parameter-derived arrays of the demand side, leading axis ``D`` (draws)."""

    trip_rate: np.ndarray          # (D,) [trips/person/day]
    purpose_share: np.ndarray      # (D, P) [1], sums to 1
    peak_share: np.ndarray         # (D, P) [1]
    trip_length: np.ndarray        # (D, 5) [km/trip] at trip-length factor 1
    zone_constant: np.ndarray      # (D, Z, 5) [1] utility constants, zone B and the car modes 0
    purpose_constant: np.ndarray   # (D, P, 5) [1] utility constants, commute and car driver 0
    toll_elasticity: np.ndarray    # (D,) [1] long-run elasticity of crossing car trips to the toll (target)
    reference_toll: np.ndarray     # (D,) [NOK/trip] toll per crossing trip of the calibration where no ring was
    fare_elasticity: np.ndarray    # (D,) [1] long-run elasticity of PT trips to the fare (target)
    trip_length_elasticity: np.ndarray  # (D,) [1] car-driver trip length to the energy cost per km
    trip_length_persistence: np.ndarray  # (D,) [1] its partial-adjustment lambda (destinations adjust slowly)
    persistence: np.ndarray        # (D,) [1] partial-adjustment lambda
    car_value_of_time: np.ndarray  # (D, P) [NOK/h] car drivers
    value_of_time: np.ndarray      # (D, P) [NOK/h] public-transport users
    wait_weight: np.ndarray        # (D,) [1]
    period_scale: np.ndarray       # (D,) [1] scale of the peak/off-peak choice
    car_speed: np.ndarray          # (D, T) [km/h] 2009
    volume_capacity: np.ndarray    # (D, T) [1] 2009
    bpr: np.ndarray                # (D, 2) [1] alpha, beta of the BPR curve
    congestion_learning: np.ndarray  # (D,) [1] share of the gap to last year's congestion closed each year
    road_network_growth: np.ndarray  # (D,) [1] elasticity of the roads' capacity to the population (1: with the city)
    outside_factor: np.ndarray     # (D,) [1] errand and leisure trips leaving the municipality vs commute
    headway: np.ndarray            # (D, T) [min]
    pt_fare: np.ndarray            # (D,) [NOK/trip]
    home_end_share: np.ndarray     # (D,) [1] car trips ending at home (free parking)
    destination_share: np.ndarray  # (D, Z) [1] other car trips ending in each zone, sums to 1
    public_parking: np.ndarray     # (D, Z) [1] of those, share parking in public paid spaces
    ownership_utility: np.ndarray  # (D,) [1] utility per unit log cars per capita
    free_workplace_parking: np.ndarray  # (D, Z) [1] car commute trips ending in the zone with free parking at work
    workplace_parking_value: np.ndarray  # (D,) [NOK/trip] cost of losing free workplace parking
    parking_relocation_min: np.ndarray  # (D,) [min/trip] extra search and walk where public spaces are removed
    destination_constant_pt: np.ndarray  # (D, Z) [1] PT constant of commute trips ending in each zone (B = 0)
    park_and_ride_access_km: np.ndarray  # (D,) [km/trip] car access leg of a park-and-ride trip
    telework_rebound: np.ndarray   # (D,) [1] errand trips added per commute trip avoided by telework


def _normalised(values: np.ndarray) -> np.ndarray:
    # Shares are sampled independently in Monte Carlo runs; rescale to a true split.
    return values / values.sum(axis=-1, keepdims=True)


def demand_coefficients(params: Params) -> DemandCoefficients:
    """Read the demand parameters (``transport.*`` rows) into arrays over draws."""
    n = params.n_draws
    zone_constant = np.zeros((n, len(dims.ZONES), len(dims.MODES)))
    for zone in ("A", "C"):
        for mode in ZONE_CONSTANT_MODES:
            zone_constant[:, dims.index(dims.ZONES, zone), dims.index(dims.MODES, mode)] = \
                params[f"transport.zone_constant.{zone}.{mode}"]
    purpose_constant = np.zeros((n, len(dims.PURPOSES), len(dims.MODES)))
    for purpose in ("errands", "leisure"):
        for mode in PURPOSE_CONSTANT_MODES:
            purpose_constant[:, dims.index(dims.PURPOSES, purpose), dims.index(dims.MODES, mode)] = \
                params[f"transport.purpose_constant.{purpose}.{mode}"]
    return DemandCoefficients(
        trip_rate=params["transport.trip_rate"],
        purpose_share=_normalised(params.vector("transport.purpose_share", dims.PURPOSES)),
        peak_share=params.vector("transport.peak_share", dims.PURPOSES),
        trip_length=params.vector("transport.trip_length", dims.MODES),
        zone_constant=zone_constant,
        purpose_constant=purpose_constant,
        toll_elasticity=params["transport.toll_elasticity"],
        reference_toll=params["transport.reference_toll"],
        fare_elasticity=params["transport.fare_elasticity"],
        trip_length_elasticity=params["transport.trip_length_cost_elasticity"],
        trip_length_persistence=params["transport.trip_length_adjustment"],
        persistence=params["transport.partial_adjustment"],
        car_value_of_time=params.vector("transport.value_of_time.car", dims.PURPOSES),
        value_of_time=params.vector("transport.value_of_time.pt", dims.PURPOSES),
        wait_weight=params["transport.wait_weight"],
        period_scale=params["transport.period_choice_scale"],
        car_speed=params.vector("transport.car_speed", dims.PERIODS),
        volume_capacity=params.vector("transport.volume_capacity", dims.PERIODS),
        bpr=np.stack([params["transport.bpr_alpha"], params["transport.bpr_beta"]], axis=-1),
        congestion_learning=params["transport.congestion_learning"],
        road_network_growth=params["transport.road_network_growth"],
        outside_factor=params["transport.other_purpose_outside_factor"],
        headway=params.vector("transport.pt_headway", dims.PERIODS),
        pt_fare=params["transport.pt_fare"],
        home_end_share=params["transport.trips_ending_at_home"],
        destination_share=_normalised(params.vector("transport.parking_destination_share", dims.ZONES)),
        public_parking=params.vector("transport.public_parking_share", dims.ZONES),
        ownership_utility=params["transport.car_ownership_utility"],
        free_workplace_parking=np.minimum(params["transport.free_workplace_parking_share"][:, None],
                                          1.0 - params.vector("transport.public_parking_share", dims.ZONES)),
        workplace_parking_value=params["transport.workplace_parking_value"],
        parking_relocation_min=params["transport.parking_relocation_min"],
        destination_constant_pt=np.stack(
            [params["transport.destination_constant.A.public_transport"], np.zeros(n),
             params["transport.destination_constant.C.public_transport"]], axis=-1),
        park_and_ride_access_km=params["transport.park_and_ride_access_km"],
        telework_rebound=params["transport.telework_rebound"],
    )
