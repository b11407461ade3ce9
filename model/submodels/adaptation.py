"""Adaptation to climate change: sealed surfaces, stormwater runoff and flood-exposed new building.

The fourth programme area of Framtidens byer (methods §5). The submodel keeps a surface account
of each zone's developed area (the land-use zones A, B, C, whose areas are fixed since 2009) in
four surface types (:data:`SURFACES`):

* ``roof``        roofs without vegetation;
* ``green_roof``  vegetated (sedum) roofs;
* ``paved``       the rest of the sealed ground: streets, squares, parking, yards;
* ``green``       unsealed ground: lawns, parks, gardens, gravel paths.

Land use gives the sealed share of each zone (it rises with density); the adaptation levers open
paved ground (``depaving_share``), keep a minimum green share of a zone (``green_area_share_min``),
put green roofs on new buildings and on the 2009 roofs (``green_roof_share_new``,
``green_roof_share_existing``), add detention volume (``detention_volume``) and keep new building
out of flood-exposed areas (``flood_safe_location_share``). From the surfaces it derives, per
municipality and year (methods §5.1, rational method and composite runoff coefficient):

* the sealed share of the developed area and the composite runoff coefficient;
* the peak flow of the climate-adjusted 20- and 100-year design rain, Q = K(t) i_T C A, after
  detention;
* the yearly runoff volume in a year of normal precipitation;
* the floor area built in flood-exposed areas (below the 200-year flood level, TEK17 §7-2 class F2).

What is built stays: once a measure has opened paving, built detention or retrofitted roofs,
a later end of the measure adds nothing more but removes nothing (the state keeps the largest
value reached). The submodel emits no greenhouse gases and no other submodel reads it, so a run
with or without it has the same emissions.

Arrays are ``(D, M)`` or ``(D, M, Z)`` (zones in ``dims.ZONES`` order), with a last surface axis
in :data:`SURFACES` order where the surfaces are split; everything is vectorised over draws and
municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .. import dims
from ..parameters import Params
from .ordered_sums import sum_in_numpy_order, trailing_sum

SURFACES = ("roof", "green_roof", "paved", "green")
SEALED = slice(0, 3)                                  # the sealed surfaces (green roofs lie on sealed ground)
GREEN = 3                                             # the unsealed surface
RETURN_PERIODS = np.array([20, 100], dtype=np.int32)  # years (int32: CF-1.8 has no 64-bit integers)
INTENSITY_LABELS = tuple(f"{t}yr" for t in RETURN_PERIODS)   # adaptation.design_intensity.<label>

# Reference periods (definitions, not coefficients): MET's projected climate factors for short-duration
# rain are relative to 1971-2000 (methods §5.1), taken as the climate of the IVF intensities; the
# precipitation normals are those of 1961-1990 (adaptation.precipitation_normal.*).
CLIMATE_REFERENCE_YEAR = 1985.5
CLIMATE_FACTOR_YEAR = 2100.0
PRECIPITATION_NORMAL_YEAR = 1975.5

M3_PER_HA_MM = 10.0       # 1 mm of water on 1 ha is 10 m3
L_PER_M3 = 1000.0
M2_PER_HA = 1.0e4
S_PER_MIN = 60.0


@dataclass
class AdaptationState:
    """What the adaptation measures have built so far; ``advance`` returns a new state."""

    coef: "Coefficients"            # the run's parameters, shaped once
    roof_area_2009: np.ndarray      # (D, M) [ha] roof area of 2009, the stock green-roof retrofits apply to
    paved_area_2009: np.ndarray     # (D, M, Z) [ha] paved ground of 2009, drained: what opening it leaves drained
    green_roof_new: np.ndarray      # (D, M) [ha] green roofs built on new buildings since 2009
    retrofit_share: np.ndarray      # (D, M) [1] share of the 2009 roof area retrofitted with green roofs
    depaved_share: np.ndarray       # (D, M) [1] share of the paved ground opened
    green_share_min: np.ndarray     # (D, M, Z) [1] minimum green share of each zone's area
    detention: np.ndarray           # (D, M) [m3/ha of sealed area] detention volume in place


# -- pure functions ------------------------------------------------------------------------------

def climate_factor(year: float, factor_2100: np.ndarray) -> np.ndarray:
    """Multiplier on short-duration design-rain intensity in ``year`` [1].

    ``K(t) = 1 + (K_2100 - 1) * (t - 1985.5) / (2100 - 1985.5)``: linear from the 1971-2000
    climate (K = 1) to ``K_2100`` (1.4, MET: about +40 % by 2100 and about +20 % by mid-century,
    methods §5.1; the line gives 1.23 in 2050). ``factor_2100``: ``(D,)`` or broadcastable.
    """
    return 1.0 + (np.asarray(factor_2100, dtype=float) - 1.0) * \
        (year - CLIMATE_REFERENCE_YEAR) / (CLIMATE_FACTOR_YEAR - CLIMATE_REFERENCE_YEAR)


def annual_precipitation(year: float, normal: np.ndarray, trend: np.ndarray) -> np.ndarray:
    """Precipitation of a normal year in ``year`` [mm/yr]: ``P = P_1961-1990 * (1 + g * (t - 1975.5))``.

    ``normal`` (D, M) [mm/yr]; ``trend`` g [1/yr] broadcastable (the observed +18 % per century,
    methods §5.1, continued).
    """
    return np.asarray(normal, dtype=float) * (1.0 + np.asarray(trend, dtype=float) * (year - PRECIPITATION_NORMAL_YEAR))


def paved_ground(zone_area: np.ndarray, sealed_fraction: np.ndarray, roof_share: np.ndarray) -> np.ndarray:
    """The paved ground before any is opened [ha], ``(1 - r) s A`` (:func:`surface_areas`' P before depaving)."""
    sealed = zone_area * sealed_fraction
    return sealed - roof_share * sealed


def surface_areas(zone_area: np.ndarray, sealed_fraction: np.ndarray, roof_share: np.ndarray,
                  green_roof_share: np.ndarray, depaved_share: np.ndarray,
                  green_share_min: np.ndarray) -> np.ndarray:
    """Area of each surface type in each zone [ha], ``(D, M, Z, 4)`` over :data:`SURFACES`.

    With zone area ``A``, land use's sealed fraction ``s``, roofs a share ``r`` of the sealed
    area, green-roof share ``g_r`` of the roofs, depaved share ``d`` of the paved ground and
    minimum green share ``g_min``::

        R  = r s A                                   roofs (they are never opened)
        P1 = (1 - r) s A (1 - d)                     paved ground after depaving
        P  = min(P1, max(A (1 - g_min) - R, 0))      paved ground opened further to reach g_min
        G  = A - R - P                               green ground
        roof = (1 - g_r) R,  green_roof = g_r R,  paved = P,  green = G

    zone_area, sealed_fraction, green_share_min: ``(D, M, Z)``; roof_share: broadcastable to
    ``(D, M, Z)``; green_roof_share, depaved_share: ``(D, M)``. Where roofs alone exceed
    ``1 - g_min`` the minimum cannot be reached (green roofs do not count as green ground).

    The result is a view of surface-first storage: each surface ``[..., s]`` is one contiguous
    ``(D, M, Z)`` block, which is how the runoff functions below read it. A lever at zero moves
    nothing (``g_r R`` is 0, ``1 - d`` and ``1 - g_min`` are 1), so its arithmetic is skipped.
    """
    sealed = zone_area * sealed_fraction
    roofs = roof_share * sealed
    shape = np.broadcast_shapes(roofs.shape, green_roof_share.shape + (1,), depaved_share.shape + (1,),
                                np.shape(green_share_min))
    areas = np.empty((len(SURFACES),) + shape)
    roof, green_roof, paved, green = areas       # each surface written in place, no temporaries of full size
    if np.any(green_roof_share):
        np.multiply(green_roof_share[..., None], roofs, out=green_roof)
        np.subtract(roofs, green_roof, out=roof)
    else:
        green_roof[...] = 0.0
        roof[...] = roofs
    np.subtract(sealed, roofs, out=paved)
    if np.any(depaved_share):
        paved *= 1.0 - depaved_share[..., None]
    unroofed = zone_area - roofs
    room = zone_area * (1.0 - green_share_min) - roofs if np.any(green_share_min) else unroofed.copy()
    np.minimum(paved, np.maximum(room, 0.0, out=room), out=paved)       # paving beyond g_min's room is opened
    np.subtract(unroofed, paved, out=green)
    return np.moveaxis(areas, 0, -1)


def by_surface(x: np.ndarray) -> list[np.ndarray]:
    """The surfaces of ``(..., Z, S)`` as a list of ``(..., Z)`` blocks (contiguous for :func:`surface_areas`)."""
    return [x[..., s] for s in range(x.shape[-1])]


def surface_products(areas: np.ndarray, coefficients: np.ndarray) -> list[np.ndarray]:
    """``C_s A_s`` [ha] of each surface, ``(..., Z)`` blocks: areas ``(..., Z, S)``, coefficients
    ``(..., S)``. One product per surface block: numpy's broadcasting of a short last axis is slow."""
    return [a * c for a, c in zip(by_surface(areas), by_surface(coefficients))]


def zone_surface_sum(surfaces: list[np.ndarray]) -> np.ndarray:
    """Sum over zones and surfaces of per-surface ``(..., Z)`` blocks, ``(...)``: what ``sum(axis=(-2, -1))``
    gives for the contiguous ``(..., Z, S)`` array, whatever the blocks' layout."""
    return sum_in_numpy_order([x[..., z] for z in range(surfaces[0].shape[-1]) for x in surfaces])


def composite_coefficient(areas: np.ndarray, coefficients: np.ndarray,
                          weighted: list[np.ndarray] | None = None) -> np.ndarray:
    """Area-weighted runoff coefficient ``C = sum_s C_s A_s / sum_s A_s`` [1] (methods §5.1).

    areas: ``(..., Z, S)`` [ha], summed over zones and surfaces; coefficients: ``(..., S)``
    (a ``(D, 1, 1, S)`` parameter stack); ``weighted``: their :func:`surface_products` if already
    computed. Returns ``(...)``.
    """
    if weighted is None:
        weighted = surface_products(areas, coefficients)
    return zone_surface_sum(weighted) / zone_surface_sum(by_surface(areas))


def rational_peak_flow(coefficient: np.ndarray, intensity: np.ndarray, area: np.ndarray,
                       climate: np.ndarray) -> np.ndarray:
    """Rational method ``Q = C i A K`` [m3/s] with ``i`` in l/(s ha) and ``A`` in ha (methods §5.1)."""
    return coefficient * intensity * area * climate / L_PER_M3


def design_peak_flow(areas: np.ndarray, coefficients: np.ndarray, intensity: np.ndarray, climate: np.ndarray,
                     detention: np.ndarray, duration_min: np.ndarray,
                     weighted: list[np.ndarray] | None = None, opened: np.ndarray | None = None) -> np.ndarray:
    """Peak flow of a design rain after detention [m3/s], ``(D, M, R)`` for intensities over return periods R.

    Per zone, green ground drains as it is; the sealed surfaces drain through detention of volume
    ``v`` per ha of sealed area, which over a design rain of duration ``D`` takes out ``v S / D``
    of their flow (the volume formula of methods §5.1, ``V = (C i - q_out) A D``, turned round)::

        Q_z = K i C_green G / 1000 + max(K i sum_sealed C_s A_s / 1000 - v S / (60 D), 0)

    summed over zones: the sum of the peak flows of the small sub-catchments (rational method, below
    about 50-200 ha) the developed area is made of, not the flow at one outlet.

    Ground paved in 2009 and opened since (``opened`` O ``(D, M, Z)`` [ha]: depaved, or opened for a zone's
    minimum green share) keeps its drains, and detention on the network takes in its runoff (at the green
    coefficient) with the sealed surfaces' and is sized on it too (``v`` per ha of the drained area), so that
    opening ground never raises the peak::

        Q_z = K i C_green (G - O) / 1000 + max(K i (sum_sealed C_s A_s + C_green O) / 1000 - v (S + O) / (60 D), 0)

    areas: ``(D, M, Z, S)`` [ha]; coefficients: ``(D, 1, 1, S)`` [1]; intensity: ``(D, R)`` [l/(s ha)];
    climate: ``(D,)`` [1]; detention: ``(D, M)`` [m3/ha]; duration_min: ``(D,)`` [min]; ``weighted``:
    the :func:`surface_products` of areas and coefficients if already computed.
    """
    if weighted is None:
        weighted = surface_products(areas, coefficients)                   # (D, M, Z) each [ha]
    rain = (intensity * climate[:, None]) / L_PER_M3                        # (D, R) [m3/(s ha)]
    sealed = sum_in_numpy_order(weighted[SEALED])                          # (D, M, Z) [ha]
    green = weighted[GREEN]
    detained = None                       # without detention nothing is taken out (q - 0 is q): skipped
    if np.any(detention):
        drained = trailing_sum(areas[..., SEALED])                         # (D, M, Z) [ha]
        if opened is not None and np.any(opened):
            opened_weighted = coefficients[..., GREEN] * opened             # [ha] C_green O
            green, sealed, drained = green - opened_weighted, sealed + opened_weighted, drained + opened
        detained = detention[..., None] * drained / (S_PER_MIN * duration_min[:, None, None])   # (D, M, Z) [m3/s]
    # One return period at a time on (D, M, Z) blocks: the zone sum is then a sum of slices.
    flows = []
    for r in range(rain.shape[-1]):
        rain_r = rain[:, r, None, None]
        flow = green * rain_r
        sealed_flow = sealed * rain_r
        if detained is not None:
            sealed_flow -= detained
        flow += np.maximum(sealed_flow, 0.0, out=sealed_flow)
        flows.append(trailing_sum(flow))
    return np.stack(flows, axis=-1)


def annual_runoff(areas: np.ndarray, coefficients: np.ndarray, precipitation: np.ndarray) -> np.ndarray:
    """Runoff volume of a year [m3/yr]: ``V = P * 10 * sum C_s A_s`` with ``P`` in mm/yr, ``A`` in ha.

    areas: ``(D, M, Z, S)``; coefficients: ``(D, 1, 1, S)`` (volumetric: a green roof's annual
    runoff share differs from its design-storm coefficient); precipitation: ``(D, M)``.
    """
    return precipitation * M3_PER_HA_MM * zone_surface_sum(surface_products(areas, coefficients))


def new_roof_area(new_floor_area: np.ndarray, storeys: np.ndarray) -> np.ndarray:
    """Roof area of this year's new buildings [ha], ``(D, M)``: ``sum_b N_b / n_b / 10 000``.

    new_floor_area: ``(D, M, B)`` [m2/yr] by building type; storeys: ``(D, 1, B)`` [1].
    """
    return trailing_sum(new_floor_area / storeys) / M2_PER_HA


def green_roof_share(green_roof_new: np.ndarray, retrofit_share: np.ndarray, roof_area_2009: np.ndarray,
                     roof_area: np.ndarray) -> np.ndarray:
    """Share of the roof area that is green [1]: ``min((G_new + e R_2009) / R, 1)``.

    Green roofs on new buildings ``G_new`` [ha] plus the retrofitted share ``e`` of the 2009 roofs,
    over this year's roof area ``R`` [ha] (all ``(D, M)``). Roofs replaced by demolition and new
    building are not tracked apart, hence the cap.
    """
    return np.minimum((green_roof_new + retrofit_share * roof_area_2009) / roof_area, 1.0)


def flood_exposed_floor_area(new_floor_area: np.ndarray, exposed_share: np.ndarray,
                             kept_out: np.ndarray) -> np.ndarray:
    """Floor area built in flood-exposed areas [m2/yr]: ``N e (1 - k)``.

    ``N`` (D, M) new floor area [m2/yr], ``e`` share of it that would be placed below the 200-year
    flood level (TEK17 §7-2 class F2) without a flood-safe-location policy, ``k`` (D, M) the
    lever ``flood_safe_location_share``, the share of that kept out.
    """
    return new_floor_area * exposed_share * (1.0 - kept_out)


# -- the submodel over a run -----------------------------------------------------------------------

@dataclass(frozen=True)
class Coefficients:
    """The run's parameters in the shapes the yearly functions use (read once per run)."""

    roof_share: np.ndarray          # (D, 1, Z) [1] roofs as a share of the sealed area
    peak: np.ndarray                # (D, 1, 1, S) [1] design-rain runoff coefficients
    annual: np.ndarray              # (D, 1, 1, S) [1] annual runoff shares
    intensity: np.ndarray           # (D, R) [l/(s ha)] 10-minute design intensities, 1971-2000 climate
    duration: np.ndarray            # (D,) [min]
    climate_2100: np.ndarray        # (D,) [1]
    precipitation_normal: np.ndarray  # (D, M) [mm/yr] 1961-1990
    precipitation_trend: np.ndarray   # (D, 1) [1/yr]
    storeys: np.ndarray             # (D, 1, B) [1]
    exposed_share: np.ndarray       # (D, 1) [1]


def coefficients(params: Params) -> Coefficients:
    p = params
    peak = p.vector("adaptation.runoff_coefficient", SURFACES)
    annual = peak.copy()
    annual[:, SURFACES.index("green_roof")] = p["adaptation.annual_runoff_coefficient.green_roof"]
    return Coefficients(
        roof_share=p.vector("adaptation.roof_share_of_sealed", dims.ZONES)[:, None, :],
        peak=peak[:, None, None, :], annual=annual[:, None, None, :],
        intensity=p.vector("adaptation.design_intensity", INTENSITY_LABELS),
        duration=p["adaptation.design_duration"], climate_2100=p["adaptation.climate_factor_2100"],
        precipitation_normal=p.vector("adaptation.precipitation_normal", dims.MUNICIPALITIES),
        precipitation_trend=p["adaptation.precipitation_trend"][:, None],
        storeys=p.vector("adaptation.storeys", dims.BUILDING_TYPES)[:, None, :],
        exposed_share=p["adaptation.flood_exposed_share_new_build"][:, None],
    )


def roof_area(land_use: dict, roof_share: np.ndarray) -> np.ndarray:
    """Roof area [ha] ``(D, M)``: ``sum_z r_z s_z A_z`` from land use's zone areas and sealed fractions."""
    return trailing_sum(roof_share * land_use["zone_sealed_share"] * land_use["zone_area"])


def init_state(land_use: dict, params: Params) -> AdaptationState:
    """The 2009 state: no adaptation measure in place; the 2009 roof area from land use."""
    coef = coefficients(params)
    d, m, z = land_use["zone_area"].shape
    zeros = np.zeros((d, m))
    return AdaptationState(coef=coef, roof_area_2009=roof_area(land_use, coef.roof_share),
                           paved_area_2009=paved_ground(land_use["zone_area"], land_use["zone_sealed_share"],
                                                        coef.roof_share), green_roof_new=zeros,
                           retrofit_share=zeros, depaved_share=zeros, green_share_min=np.zeros((d, m, z)),
                           detention=zeros)


def _lever(levers: dict, name: str, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """A lever's value held to its range (scenario files are checked already; tools may set anything)."""
    return np.minimum(np.maximum(levers[name], low), high)


def advance(state: AdaptationState, levers: dict, new_floor_area: np.ndarray) -> AdaptationState:
    """This year's measures on top of what is built (levers ``(D, M)``, ``green_area_share_min`` ``(D, M, Z)``).

    New buildings ``new_floor_area`` (D, M, B) [m2/yr] get green roofs at ``green_roof_share_new``;
    the retrofitted share of the 2009 roofs, the depaved share, the zones' minimum green shares and
    the detention volume keep the largest value reached (what is built stays).
    """
    new_roofs = new_roof_area(new_floor_area, state.coef.storeys)
    return replace(
        state,
        green_roof_new=state.green_roof_new + _lever(levers, "green_roof_share_new") * new_roofs,
        retrofit_share=np.maximum(state.retrofit_share, _lever(levers, "green_roof_share_existing")),
        depaved_share=np.maximum(state.depaved_share, _lever(levers, "depaving_share")),
        green_share_min=np.maximum(state.green_share_min, _lever(levers, "green_area_share_min")),
        detention=np.maximum(state.detention, _lever(levers, "detention_volume", 0.0, np.inf)),
    )


def account(state: AdaptationState, land_use: dict, new_floor_area: np.ndarray, levers: dict, year: int) -> dict:
    """Adaptation indicators of ``year`` (the state is not changed).

    Returns ``sealed_surface_share`` (D,M) [1], ``green_roof_share`` (D,M) [1],
    ``runoff_coefficient`` (D,M) [1] (design rain), ``design_peak_flow`` (D,M,R) [m3/s] over
    :data:`RETURN_PERIODS`, ``annual_runoff`` (D,M) [m3/yr], ``new_floor_area_flood_exposed``
    (D,M) [m2/yr] and ``surface_area`` (D,M,Z,S) [ha].
    """
    c = state.coef
    zone_area = land_use["zone_area"]
    roofs = green_roof_share(state.green_roof_new, state.retrofit_share, state.roof_area_2009,
                             roof_area(land_use, c.roof_share))
    areas = surface_areas(zone_area, land_use["zone_sealed_share"], c.roof_share, roofs, state.depaved_share,
                          state.green_share_min)
    weighted = surface_products(areas, c.peak)     # shared by the runoff coefficient and the peak flow
    # Ground paved in 2009 and opened since (depaved, or for a minimum green share) keeps its drains, which the
    # detention takes in; ground that would have been paved later but was kept green never had any.
    opened = None
    if np.any(state.detention) and (np.any(state.depaved_share) or np.any(state.green_share_min)):
        paved_before = np.minimum(paved_ground(zone_area, land_use["zone_sealed_share"], c.roof_share),
                                  state.paved_area_2009)
        opened = np.maximum(paved_before - areas[..., SURFACES.index("paved")], 0.0)
    return {
        # as 1 - green ground, so that splitting roofs into green and other roofs cannot move it by rounding
        "sealed_surface_share": 1.0 - trailing_sum(areas[..., GREEN]) / trailing_sum(zone_area),
        "green_roof_share": roofs,
        "runoff_coefficient": composite_coefficient(areas, c.peak, weighted),
        "design_peak_flow": design_peak_flow(areas, c.peak, c.intensity, climate_factor(year, c.climate_2100),
                                             state.detention, c.duration, weighted, opened),
        "annual_runoff": annual_runoff(areas, c.annual,
                                       annual_precipitation(year, c.precipitation_normal, c.precipitation_trend)),
        "new_floor_area_flood_exposed": flood_exposed_floor_area(
            trailing_sum(new_floor_area), c.exposed_share, _lever(levers, "flood_safe_location_share")),
        "surface_area": areas,
    }


class Adaptation:
    """Adaptation in the simulation's protocol (``submodels/__init__.py``). It comes after buildings,
    whose new floor area it reads, and emits nothing."""

    name, decided_by, emits = "adaptation", None, False

    def init_state(self, ctx) -> AdaptationState:
        return init_state(ctx.outputs["land_use"], ctx.params)

    def advance(self, state: AdaptationState, ctx) -> AdaptationState:
        return advance(state, ctx.levers, ctx.outputs["buildings"]["new_floor_area"])

    def account(self, state: AdaptationState, ctx) -> dict:
        return account(state, ctx.outputs["land_use"], ctx.outputs["buildings"]["new_floor_area"], ctx.levers,
                       ctx.year)


SUBMODEL = Adaptation()
