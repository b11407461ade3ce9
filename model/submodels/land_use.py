"""Land use: where the municipality's residents live, by ABC zone, and what follows from it.

Zones follow the ABC principle ("rett virksomhet på rett sted", methods §2.2):
A central areas around the main public-transport hubs, B mixed urban areas, C
car-oriented periphery. Each year the change in population is placed in the zones:
growth follows a trend allocation, or, with the ``densification`` lever, a compact
allocation that favours A and B; a decline is taken from every zone in proportion to
its residents. Each zone keeps the developable area implied by its 2009 density, so
growth in a zone raises its density.

From the zone populations the submodel derives (methods §2.4):

* the relative trip length of residents of each zone (longer from the periphery,
  shorter where density grows; Ewing & Cervero 2010, methods §2.1) for transport;
* the share of new dwellings that are apartments (apartments in A/B, houses in C)
  for the building stock;
* jobs, and the sealed share of the developed area (an indicator for stormwater and adaptation);
* where the jobs are, by zone type (``job_zone_share``): the 2009 split is the destination split of
  trips (``transport.parking_destination_share``); job growth follows it, or, with the
  ``job_location_a`` lever, goes to A zones (the ABC principle), and transport's commute trips end
  where the jobs are.

Arrays are ``(D, M, Z)`` with zones in ``dims.ZONES`` order; everything is vectorised
over draws and municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import dims
from ..parameters import Params
from .ordered_sums import trailing_sum
from .powers import power

SHARE_TOLERANCE = 1e-6


@dataclass
class LandUseState:
    """Residents and area by zone; ``advance`` returns a new state, ``account`` only reads it."""

    zone_population: np.ndarray       # (D, M, Z) [inhabitants]
    zone_area: np.ndarray             # (D, M, Z) [ha], fixed developable area implied by base density
    base_zone_share: np.ndarray       # (D, M, Z) [1] 2009 population shares
    base_zone_population: np.ndarray  # (D, M, Z) [inhabitants] 2009
    zone_growth: np.ndarray           # (D, M, Z) [inhabitants/yr] change placed in the last step (0 in 2009)
    zone_jobs: np.ndarray | None = None   # (D, M, Z) [jobs] by zone type


def zone_vector(params: Params, prefix: str) -> np.ndarray:
    """Per-zone parameters ``prefix.A``, ``.B``, ``.C`` shaped ``(D, 1, Z)``."""
    return params.vector(prefix, dims.ZONES)[:, None, :]


def growth_shares(params: Params, prefix: str) -> np.ndarray:
    """Per-zone allocation shares ``(D, 1, Z)`` scaled to sum to 1.

    The three shares are sampled independently in Monte Carlo runs, so they are
    rescaled here to keep the allocation a true split of growth [1].
    """
    shares = zone_vector(params, prefix)
    return shares / trailing_sum(shares)[..., None]


def allocate_growth(zone_population: np.ndarray, growth: np.ndarray, trend_shares: np.ndarray,
                    compact_shares: np.ndarray, densification: np.ndarray) -> np.ndarray:
    """Zone population after this year's change in municipal population [inhabitants].

    Growth ``G > 0``: ``N_z' = N_z + G * ((1 - d) * s_trend_z + d * s_compact_z)``.
    Decline ``G < 0``: ``N_z' = N_z * (1 + G / sum_z N_z)`` (deaths and out-migration are
    spread over the zones like the residents; a decline does not move anyone between zones).

    zone_population: ``(D, M, Z)``; growth: ``(D, M)`` [inhabitants/yr];
    trend_shares, compact_shares: broadcastable to ``(D, M, Z)``, each summing to 1 over zones;
    densification ``d``: ``(D, M)`` in [0, 1] [1]. Municipal totals are conserved:
    ``sum_z N_z' = sum_z N_z + G``.
    """
    d = np.asarray(densification, dtype=float)[..., None]
    g = np.asarray(growth, dtype=float)[..., None]
    # Without densification the split is the trend split: (1 - 0) s_trend + 0 s_compact is s_trend to the bit.
    shares = (1.0 - d) * trend_shares + d * compact_shares if np.any(d) else trend_shares
    total = trailing_sum(zone_population)[..., None]
    kept = np.maximum(1.0 + np.minimum(g, 0.0) / total, 0.0)
    return zone_population * kept + np.maximum(g, 0.0) * shares


def job_trend_shares(params: Params) -> np.ndarray:
    """2009 split of jobs over zone types ``(D, 1, Z)`` [1]: the destination split of trips not ending at
    home (``transport.parking_destination_share``, rescaled to sum 1), which trend job growth keeps."""
    return growth_shares(params, "transport.parking_destination_share")


def trip_length_factor(density_ratio: np.ndarray, base_zone_share: np.ndarray,
                       zone_factor: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """Relative trip length of a resident of each zone [1], ``(D, M, Z)``.

    ``f_z = k_z * (rho_z / rho_z,2009) ** e / sum_z' (S_z',2009 * k_z')``

    ``k_z`` zone multiplier (distance to the centre), ``rho / rho_2009`` density relative
    to 2009 ``(D, M, Z)`` (the area is fixed, so it equals ``N / N_2009``), ``e`` density
    elasticity (< 0), ``S_2009`` 2009 population shares. The divisor makes the 2009
    population-weighted mean exactly 1 in each municipality, so transport keeps its
    observed base-year trip lengths and only changes in where and how densely people
    live move the factor.
    Ewing & Cervero (2010), JAPA 76(3), weighted VMT elasticities (methods §2.1).

    zone_factor: broadcastable to ``(D, M, Z)``; elasticity: broadcastable to ``(D, M, Z)``.
    """
    norm = trailing_sum(base_zone_share * zone_factor)[..., None]
    return zone_factor * power(density_ratio, elasticity) / norm


def apartment_share(zone_share: np.ndarray, apartment_share_by_zone: np.ndarray) -> np.ndarray:
    """Share of dwellings that are apartments [1], ``(D, M)``.

    ``a = sum_z w_z * a_z / sum_z w_z`` with weights ``w_z`` (population shares, or any
    non-negative weights such as this year's growth by zone) ``(D, M, Z)`` and per-zone
    apartment shares ``a_z`` broadcastable to ``(D, M, Z)``.
    Also used by the simulation to estimate the 2009 dwelling mix from the 2009 zone shares
    (parameters ``land_use.stock_apartment_share.{A,B,C}``).
    """
    return trailing_sum(zone_share * apartment_share_by_zone) / trailing_sum(zone_share)


def zone_sealed_fraction(density_ratio: np.ndarray, base_sealed: np.ndarray,
                         elasticity: np.ndarray) -> np.ndarray:
    """Sealed (impervious) fraction of each zone's developed area [1], ``(D, M, Z)``.

    ``s_z = 1 - (1 - s_z,2009) * max(rho_z / rho_z,2009, 1) ** (-e_u)``

    Densification builds on gardens, yards and open ground, so the unsealed part shrinks
    with elasticity ``e_u`` to density. A zone below its 2009 density keeps its 2009
    sealed fraction (buildings and roads stay when residents leave), hence the
    ``max(., 1)``. An input for runoff coefficients (methods §5.2); recorded as ``sealed_share``.
    """
    return 1.0 - (1.0 - base_sealed) * power(np.maximum(density_ratio, 1.0), -elasticity)


def init_state(population: np.ndarray, zone_share: np.ndarray, params: Params) -> LandUseState:
    """Base-year (2009) state from the municipal population and its split over zones.

    population: ``(D, M)`` [inhabitants]; zone_share: ``(D, M, Z)`` [1], positive, summing
    to 1 over zones. Zone area [ha] = 2009 zone population / ``land_use.base_density.{A,B,C}``.
    """
    population = np.asarray(population, dtype=float)
    zone_share = np.broadcast_to(np.asarray(zone_share, dtype=float), population.shape + (len(dims.ZONES),))
    if not np.all(population > 0):
        raise ValueError("land use: the 2009 population must be positive in every municipality")
    if not np.all(zone_share > 0):
        raise ValueError("land use: every zone (A, B, C) needs a positive 2009 population share")
    if np.any(np.abs(zone_share.sum(axis=-1) - 1.0) > SHARE_TOLERANCE):
        raise ValueError("land use: 2009 zone shares must sum to 1 in every municipality")
    zone_population = population[..., None] * zone_share
    return LandUseState(
        zone_population=zone_population,
        zone_area=zone_population / zone_vector(params, "land_use.base_density"),
        base_zone_share=zone_share.copy(),
        base_zone_population=zone_population.copy(),
        zone_growth=np.zeros_like(zone_population),
        zone_jobs=(population * params["land_use.jobs_per_capita"][:, None])[..., None] * job_trend_shares(params),
    )


def advance(state: LandUseState, population: np.ndarray, levers: dict, params: Params,
            year: int) -> LandUseState:
    """Place the change in population from year-1 to ``year`` in the zones.

    population: ``(D, M)`` [inhabitants] in ``year``. Lever ``densification`` ``(D, M)``
    in [0, 1], neutral 0: share of growth allocated by ``land_use.growth_share_compact``
    instead of ``land_use.growth_share_trend`` (values outside [0, 1] are clipped).
    ``year`` is part of the yearly protocol; the allocation itself does not depend on it.
    """
    d = np.clip(np.asarray(levers.get("densification", 0.0), dtype=float), 0.0, 1.0)
    growth = population - trailing_sum(state.zone_population)
    zone_population = allocate_growth(state.zone_population, growth,
                                      growth_shares(params, "land_use.growth_share_trend"),
                                      growth_shares(params, "land_use.growth_share_compact"),
                                      np.broadcast_to(d, growth.shape))
    jobs = population * params["land_use.jobs_per_capita"][:, None]
    zone_jobs = state.zone_jobs
    if zone_jobs is not None:
        # Job growth follows the 2009 split, or with lever ``job_location_a`` in [0, 1] goes to A zones.
        j = np.clip(np.asarray(levers.get("job_location_a", 0.0), dtype=float), 0.0, 1.0)
        to_a = np.zeros(len(dims.ZONES))
        to_a[dims.ZONES.index("A")] = 1.0
        zone_jobs = allocate_growth(zone_jobs, jobs - trailing_sum(zone_jobs), job_trend_shares(params), to_a,
                                    np.broadcast_to(j, jobs.shape))
    return replace(state, zone_population=zone_population,
                   zone_growth=zone_population - state.zone_population, zone_jobs=zone_jobs)


def account(state: LandUseState, params: Params, year: int) -> dict:
    """Land-use outputs for ``year`` (the state is not changed).

    Returns ``zone_population`` (D,M,Z) [inhabitants], ``zone_area`` (D,M,Z) [ha] (fixed
    since 2009; read by the adaptation submodel), ``zone_density`` (D,M,Z)
    [inhabitants/ha], ``trip_length_factor`` (D,M,Z) [1], ``mean_trip_length_factor``
    (D,M) [1] population-weighted, ``new_dwelling_apartment_share`` (D,M) [1]
    (weighted by this year's growth by zone; by zone population when there is no
    growth), ``jobs`` (D,M) [jobs], ``job_zone_share`` (D,M,Z) [1] where the jobs are,
    ``zone_sealed_share`` (D,M,Z) [1] and ``sealed_share`` (D,M) [1] of the developed zone area.
    """
    zone_population = state.zone_population
    population = trailing_sum(zone_population)
    density_ratio = zone_population / state.base_zone_population
    # Zone areas are fixed, so density relative to 2009 is population relative to 2009
    # (and exactly 1 in 2009, which keeps the trip-length normalisation exact).
    trip_length = trip_length_factor(density_ratio, state.base_zone_share,
                                     zone_vector(params, "land_use.trip_length_zone_factor"),
                                     params.bcast("land_use.elasticity_trip_length_density", 3))
    grew = trailing_sum(state.zone_growth)[..., None] > 0
    new_dwelling_weights = np.where(grew, state.zone_growth, zone_population)
    zone_sealed = zone_sealed_fraction(density_ratio, zone_vector(params, "land_use.sealed_fraction"),
                                       params.bcast("land_use.elasticity_unsealed_density", 3))
    return {
        "zone_population": zone_population,
        "zone_area": state.zone_area,
        "zone_density": zone_population / state.zone_area,
        "trip_length_factor": trip_length,
        "mean_trip_length_factor": trailing_sum(zone_population * trip_length) / population,
        "new_dwelling_apartment_share": apartment_share(
            new_dwelling_weights, zone_vector(params, "land_use.new_apartment_share")),
        "jobs": population * params["land_use.jobs_per_capita"][:, None],
        "job_zone_share": (state.zone_jobs / trailing_sum(state.zone_jobs)[..., None]
                           if state.zone_jobs is not None else np.broadcast_to(job_trend_shares(params),
                                                                               zone_population.shape)),
        "zone_sealed_share": zone_sealed,
        "sealed_share": trailing_sum(state.zone_area * zone_sealed) / trailing_sum(state.zone_area),
    }


class LandUse:
    """Land use in the simulation's protocol (``submodels/__init__.py``)."""

    name, decided_by, emits = "land_use", None, False

    def init_state(self, ctx) -> LandUseState:
        zone_share = np.broadcast_to(ctx.inputs.zone_share, (ctx.params.n_draws,) + ctx.inputs.zone_share.shape)
        return init_state(ctx.population, zone_share, ctx.params)

    def advance(self, state: LandUseState, ctx) -> LandUseState:
        return advance(state, ctx.population, ctx.levers, ctx.params, ctx.year)

    def account(self, state: LandUseState, ctx) -> dict:
        return account(state, ctx.params, ctx.year)


SUBMODEL = LandUse()
