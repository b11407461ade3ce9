"""Road traffic of a year, and the tolls it meets per vkm (methods §1.4, §1.6).

Residents' car vkm (car-driver trips x trip length, plus the access legs to park-and-ride sites), the
passages of residents' cars through the charged cordons, the tolls vans and trucks pay per vkm (they cross
each cordon's line as often per vkm as the residents' cars did in 2009) and the vkm of vans, heavy vehicles and buses,
which follow jobs, population, public-transport service and those tolls. ``transport.advance`` sizes the
fleets of vans, heavy vehicles and buses from them, and ``transport.account`` reports them; the passages
are counted once a year (:func:`counted_passages`), and the state keeps them from the one for the other.
The year's toll bookkeeping (revenue, waived passages, the tolls residents pay) is :func:`toll_accounts`.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from . import toll_groups, tolls
from .fleet import FleetCoefficients
from .demand_coefficients import DemandCoefficients
from .ordered_sums import trailing_sum
from .powers import power
from .transport_state import CAR, DIESEL, PT, TINY, Passages, TransportState, crossing_cars
from .travel_costs import toll_fuel_mix, toll_terms

VAN_COLUMN, HEAVY_COLUMN, BUS_COLUMN = 0, 1, 2  # the activity-driven classes (van, heavy, bus)
LINE_TERMS_KEPT = 4     # sets of charged cordons whose line terms line_passages keeps


def _car_passages(state: TransportState, prices: np.ndarray, crossing_car: tuple) -> np.ndarray:
    """Passages of residents' cars through the charged cordons [passages/yr], ``(D, C, T)``: each group's
    trips across a cordon at the car share of the trips crossing its system (:func:`multi_system`); where some
    of a system's crossing trips cross a reference cordon of it (one charged in 2009, or in the own system the
    owner's first) and others do not, each cordon's crossers at the car shares of the two (:mod:`.toll_groups`:
    the share of its crossers that cross a reference cordon at the car share of those trips, the rest at that of
    the others)."""
    terms = toll_terms(state, prices)
    geo = state.geo
    counted = tolls.passages(state.trip_volume, geo.paid, crossing_car[0], geo.crossed)
    mw = multi_system(terms)
    if mw.size:   # residents who cross the cordons of home and of another municipality
        trips, cc = state.trip_volume[:, mw], crossing_car[0][:, mw]
        own, crossed = geo.paid_own[:, :, mw], geo.crossed[:, mw]
        counted += tolls.passages(trips, own, crossing_car[1][:, mw] - cc, crossed)
        counted += tolls.passages(trips, geo.paid[:, :, mw] - own, crossing_car[2][:, mw] - cc, crossed)
    groups = terms.groups
    for k, new in enumerate(groups.apart):   # residents some of whose trips cross a charged cordon only now
        if not new.size:
            continue
        paid, paid_since = _paid_of(geo, terms, k, new)
        car, car_both, car_only = _group_cars(terms, crossing_car, k, new)
        # the system's crossers at car_only and those crossing a reference cordon at car_both, in place of all at car
        trips, crossed = state.trip_volume[:, new], geo.crossed[:, new]
        counted += tolls.passages(trips, paid, car_only - car, crossed)
        counted += tolls.passages(trips, paid_since, car_both - car_only, crossed)
    return counted * terms.charged[..., None]


def _group_cars(terms: tuple, cars: tuple, system: int, residents: np.ndarray) -> tuple[np.ndarray, ...]:
    """The car-driver shares ``(D, M', Z, P, T)`` of the ``residents``' (indices) trips crossing a charged cordon of
    the own ``system`` (0) or the others' (1): of all of them, of those crossing a reference cordon too and of the
    others (:func:`.toll_groups.group_cars`); ``cars`` of :func:`.transport_state.crossing_cars`,
    ``terms`` of ``toll_terms``."""
    groups = terms.groups
    weight = (terms.own, terms.other)[system][:, residents]
    both = (groups.both_own, groups.both_other)[system][:, residents]
    car, car_both = cars[1 + system][:, residents], cars[3 + system][:, residents]
    return car, car_both, toll_groups.group_cars(weight, both, car, car_both)


def _system_part(every: np.ndarray, own: np.ndarray, system: int) -> np.ndarray:
    """The part of ``every`` at the cordons of the own ``system`` (0: ``own``) or the others' (1: the rest)."""
    return own if system == 0 else every - own


def _since(geo, terms: tuple) -> toll_groups.Since:
    """:func:`.toll_groups.since_reference` of the reference sets of ``toll_terms``' ``terms``."""
    return toll_groups.since_reference(geo, terms.reference, terms.first)


def _paid_of(geo, terms: tuple, system: int, residents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The paid passages per one-way trip of the ``residents`` (indices) at the cordons of the own system (0) or
    the others' (1), all and those of the trips that cross a reference cordon of the system too (:func:`_since`),
    ``(D, C, M', Z, P)`` each; kept in ``geo.memo`` (the residents whose trips cross a system only now change
    seldom). ``terms`` of ``toll_terms``."""
    key = ("paid of", system, residents.tobytes(), terms.reference.tobytes(), terms.first.tobytes())
    if key not in geo.memo:
        since = _since(geo, terms)
        paid = _system_part(geo.paid[:, :, residents], geo.paid_own[:, :, residents], system)
        geo.memo[key] = (paid, paid * since.share[:, :, residents])
    return geo.memo[key]


def multi_system(terms: tuple) -> np.ndarray:
    """Municipalities some of whose residents' trips cross a charged cordon of their own municipality and
    others one of another municipality (``toll_terms``' shares), as indices: their passages take each
    system's car share (``crossing_own``, ``crossing_other``), the others' that of all their crossing trips."""
    own, other = terms.own, terms.other
    return np.flatnonzero((own > 0).any(axis=(0, 2, 3)) & (other > 0).any(axis=(0, 2, 3)))


def counted_passages(state: TransportState, prices: np.ndarray, crossing_car: tuple) -> Passages:
    """This year's passages of residents' cars (:func:`_car_passages`) with what they were counted from: the
    state's own (``state.passages``) when counted from the same trips, crossing shares and prices, so that
    ``transport.account`` reads the ones ``transport.advance`` counted. ``crossing_car``: the choice's
    ``crossing_car``, ``crossing_own``, ``crossing_other``, ``crossing_own_both`` and ``crossing_other_both``
    (:func:`.transport_state.crossing_cars`)."""
    kept = state.passages
    if (kept is not None and kept.trip_volume is state.trip_volume and kept.prices is prices
            and all(x is y for x, y in zip(kept.crossing_car, crossing_car))):
        return kept
    counted = _car_passages(state, prices, crossing_car)
    counted.flags.writeable = False   # shared by the advance and the accounting of the year
    return Passages(state.trip_volume, tuple(crossing_car), prices, counted)


def line_passages(state: TransportState, prices: np.ndarray, choice: dict, counted: np.ndarray) -> np.ndarray:
    """Passages of residents' cars across every cordon's line, charged or not [passages/yr], ``(D, C, T)``.

    A charged cordon's are its ``counted`` passages (:func:`counted_passages`). An uncharged cordon's are its
    paid-direction crossings per trip times the car-driver share of the trips that cross it. The cordons of
    the residents' own municipality and those of the others are two systems, each nested
    (:func:`tolls.system_weights`): the share ``J_c / X_c`` of the cordon's crossers that cross a charged
    cordon of its system ``s`` too travels with those trips (car share ``crossing_own`` or ``crossing_other``),
    the rest with the trips crossing none, whose car share is ``(car - w crossing_car) / (1 - w)``; ``X_c`` the
    cordon's crossings per trip ``(D, C, M, Z, P)``, ``J_c`` those that cross a charged cordon of the system
    as well (:func:`_within_paid`) and ``w`` the group's share crossing a charged cordon of either (the
    choice's ``crossing_share``, (D, M, Z, P)). So a ring's line carries
    traffic before it charges, and a before-and-after comparison of a new ring can be made on it.
    """
    terms = toll_terms(state, prices)
    is_charged = terms.charged                                                                 # (D, C)
    free = np.flatnonzero(~is_charged.all(axis=0))                   # the cordons uncharged in some draw
    if free.size == 0:
        return counted
    geo = state.geo
    # Where no trip of a municipality crosses a charged cordon (w = 0), un is its car share itself; elsewhere
    # the formula, and the correction within (cc - un) for the uncharged cordons its residents cross, are
    # computed for those municipalities alone (a cordon is crossed by the residents of a few).
    weight = choice["crossing_share"]                                                          # (D, M, Z, P)
    uncharged = choice["modes"][..., CAR] * choice["periods"]                                  # (D, M, Z, P, T)
    mw = np.flatnonzero(weight.any(axis=(0, 2, 3)))                  # residents crossing a charged cordon
    if mw.size:
        w, car = weight[:, mw, ..., None], uncharged[:, mw]
        cc = choice["crossing_car"][:, mw]
        uncharged[:, mw] = np.divide(car - w * cc, 1.0 - w, out=np.zeros(car.shape), where=w < 1.0)
    line = tolls.passages(state.trip_volume, geo.paid, uncharged, geo.crossed)[:, free]        # (D, U, T)
    both = free[geo.crossed[free][:, mw].any(axis=1)] if mw.size else free[:0]
    if both.size:
        rows = np.searchsorted(free, both)
        cars = crossing_cars(choice)
        groups = terms.groups
        for k, (within, within_both, within_only) in enumerate(_within_paid(state, terms, both, mw)):
            car = cars[1 + k]
            line[:, rows] += tolls.passages(state.trip_volume[:, mw], within, car[:, mw] - uncharged[:, mw],
                                            geo.crossed[both][:, mw])
            # Where the system's crossing trips are in part of each group (toll_groups), the line's crossers that
            # cross a reference cordon too travel at their car share, the rest at the others'.
            sub = np.flatnonzero(np.isin(mw, groups.apart[k]))
            if sub.size:
                new = mw[sub]
                car_new, car_both, car_only = _group_cars(terms, cars, k, new)
                for part, car_part in ((within_both, car_both), (within_only, car_only)):
                    line[:, rows] += tolls.passages(state.trip_volume[:, new], part[:, :, sub], car_part - car_new,
                                                    geo.crossed[both][:, new])
    out = counted.copy()
    out[:, free] = np.where(is_charged[:, free, None], counted[:, free], line)
    return out


def _within_paid(state: TransportState, terms: tuple, both: np.ndarray, mw: np.ndarray) -> tuple[tuple, tuple]:
    """``paid x J / X`` of the uncharged cordons ``both`` for the residents of ``mw`` ``(D, B, M', Z, P)``, of the
    own system's cordons and of the others', each whole and split into the crossers that cross a reference cordon
    of the system too (:func:`.toll_groups.reference`) and the rest: ``J / X`` the share of the cordon's crossers
    that cross a charged cordon of the system (:func:`tolls.crossing_also`), of which ``min(J / X, f)`` cross a
    reference one (``f`` the share of its crossers that cross a reference cordon, :mod:`.toll_groups`; exact for a
    reference cordon or one on its line, an upper bound else). Fixed while the same cordons charge and the same
    reference set holds (the shares, memoised by ``toll_terms``, are then the same arrays), so kept."""
    key = (both.tobytes(), mw.tobytes())
    own = terms.own
    kept = state.line_memo.get(key)
    if kept is not None and kept[0] is own and kept[1] is terms.reference:
        return kept[2]
    geo = state.geo
    share = tolls.crossing_also(geo.cordons, terms.charged, both, geo.crossings, geo.split,
                                geo.destination_share)[:, :, mw]
    since = _since(geo, terms)
    earlier = np.minimum(share, since.share[:, both][:, :, mw])
    paid = geo.paid[:, both][:, :, mw]
    paid_own = geo.paid_own[:, both][:, :, mw]
    within = tuple((share * paid_s, earlier * paid_s, (share - earlier) * paid_s)
                   for paid_s in (paid_own, paid - paid_own))
    if len(state.line_memo) >= LINE_TERMS_KEPT:
        del state.line_memo[next(iter(state.line_memo))]
    state.line_memo[key] = (own, terms.reference, within)
    return within


def freight_crossing_rate(state: TransportState, prices: np.ndarray, choice: dict, counted: np.ndarray,
                          car_vkm: np.ndarray) -> np.ndarray:
    """How often vans and trucks cross each cordon's line per vkm they drive in its owner's municipality
    [passages/vkm], ``(D, C, T)``: the residents' cars' passages across the line (:func:`line_passages`, charged
    or not) per vkm of the owner's residents' cars ``car_vkm`` ``(D, M)``, of the year of ``choice`` (2009 in
    :func:`.transport_setup.init_state`, which keeps it in the base costs). Taken once, it leaves out the
    cars' own avoidance of the cordons, so that a toll dear enough to empty them of cars does not cut the
    toll freight pays per km (freight answers the tolls through its cost elasticity alone)."""
    line = line_passages(state, prices, choice, counted)
    return line / np.maximum(car_vkm[:, state.geo.owner], TINY)[..., None]


def toll_per_vkm(state: TransportState, prices: np.ndarray, rate: np.ndarray | None = None) -> np.ndarray:
    """Tolls a van and a heavy vehicle pay per vkm in each municipality [NOK/vkm], ``(D, M, 2)``: each cordon's
    light and heavy diesel rates ``prices`` (D, C, class, fuel, T) times the cordon's ``rate`` (D, C, T)
    [passages/vkm] (:func:`freight_crossing_rate`; None: the state's base costs' ``freight_crossing_rate``),
    summed over the periods and the cordons each municipality owns. Vans pay the light diesel rate, trucks the
    heavy rate."""
    rate = state.base_costs["freight_crossing_rate"] if rate is None else rate
    m = len(dims.MUNICIPALITIES)
    paid = [tolls.per_owner(trailing_sum(prices[:, :, k, tolls.DIESEL] * rate), state.geo.owner, m)
            for k in (tolls.LIGHT, tolls.HEAVY)]                                                  # (D, M) each
    return np.stack(paid, axis=-1)


def waived_passages(state: TransportState, prices: np.ndarray, cars: tuple,
                    mix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The passages the hour rules waive and their toll: (passages [1/yr], the cheaper passage of the pair
    averaged over the owner's fuels [NOK/passage]), each ``(D, G, T)``. The passages of trips crossing both
    cordons of a pair (``geo.waived`` at the car share of the crossing trips ``(D, M, Z, P, T)``, the first of
    ``cars`` (:func:`.transport_state.crossing_cars`); where a system's crossing trips are two groups, the pair's
    share in each at its car share, :func:`.toll_groups.pair_share`; vehicles from outside the 13 in proportion to
    the two cordons' mean external ratio) pay the dearer cordon only (:func:`tolls.cheaper_passage`); ``mix``
    ``(D, C, F)``."""
    geo = state.geo
    first = geo.pairs[:, 0]                                       # a pair's cordons share their owner
    external = geo.external[geo.pairs].mean(axis=1)               # (G,) the two cordons' external ratios
    terms = toll_terms(state, prices)
    light = tolls.light_prices(prices, terms.charged)            # the prices' terms, kept for the year
    waived = tolls.passages(state.trip_volume, geo.waived, cars[0])
    groups = terms.groups
    since = _since(geo, terms) if any(new.size for new in groups.apart) else None
    for k, new in enumerate(groups.apart):   # as in _car_passages: each group's share of the pair at its car share
        if not new.size:
            continue
        pair = _system_part(geo.waived[:, :, new], geo.waived_own[:, :, new], k)
        _, car_both, car_only = _group_cars(terms, cars, k, new)
        trips = state.trip_volume[:, new]
        waived += tolls.passages(trips, pair, car_only - cars[0][:, new])
        waived += tolls.passages(trips, pair * toll_groups.pair_share(since.share[:, :, new], geo.pairs),
                                 car_both - car_only)
    waived *= (1.0 + external)[None, :, None]
    return waived, np.einsum("dgft,dgf->dgt", tolls.cheaper_passage(light, geo.pairs), mix[:, first])


def toll_accounts(state: TransportState, prices: np.ndarray, choice: dict, counted: np.ndarray,
                  freight_revenue: np.ndarray) -> dict:
    """The year's tolls, for ``transport.account``: ``cordon_car_trips`` (D, M, T) [passages/day] through the
    cordons each municipality owns, every light vehicle (``counted`` (D, C, T) [1/yr], the residents' passages,
    plus vehicles from elsewhere in proportion, ``geo.external``); ``toll_revenue`` (D, M) [NOK/yr] of those
    cordons from cars (less the passages the hour rules waive) and ``freight_revenue`` (D, M) [NOK/yr] of vans
    and heavy vehicles; ``cordon_price`` (D, C, T) [NOK/passage] a light vehicle's toll averaged over the owner's
    fuels; ``waived_passages`` [passages/day] and ``waived_price`` (D, G, T) by pair of cordons; ``toll_paid``
    (D, M) [NOK/yr] the tolls residents' cars pay, by municipality of residence.

    Who pays: each group's crossing car trips x the expected toll of its trip, averaged over the fuels of its own
    municipality's cars (the same terms as the passages and the mode choice), for each system of cordons its
    crossing car trips and its tolls (where a group crosses one, the other's are 0), those that cross a reference
    cordon of the system too and the others apart (:mod:`.toll_groups`)."""
    geo, m = state.geo, len(dims.MUNICIPALITIES)
    all_light = counted * (1.0 + geo.external)[None, :, None]
    fuel_mix = toll_fuel_mix(state.vkm_share)                                                  # (D, M, F)
    mix = fuel_mix[:, geo.owner]                                                               # (D, C, F)
    cordon_price = np.einsum("dcft,dcf->dct", prices[:, :, tolls.LIGHT], mix)                  # (D, C, T)
    car_revenue = tolls.per_owner(np.einsum("dct,dct->dc", all_light, cordon_price), geo.owner, m)      # (D, M)
    terms = toll_terms(state, prices)
    # The hour rules waive the cheaper passage of trips crossing both cordons of a pair (kept by pair for costs).
    waived = waived_price = np.zeros((len(counted), 0, counted.shape[-1]))
    if len(geo.pairs):
        waived, waived_price = waived_passages(state, prices, crossing_cars(choice), mix)         # (D, G, T)
        # The waived passages are the trips crossing both cordons of a pair at the car share of the trips crossing
        # a charged cordon, the passages counted at each cordon at its own crossings: where
        # dear tolls empty the cordons the two part, and the waived could exceed what a cordon counts (revenue below
        # 0). Where both charge, no more are waived than either counts; where one does not, its passages are not
        # counted and the waiver is worth nothing (its cheaper price is 0), so they stay as they are, for the costs'
        # rule of a half across a cordon that starts or stops charging.
        both = (terms.charged[:, geo.pairs[:, 0]] & terms.charged[:, geo.pairs[:, 1]])[..., None]   # (D, G, 1)
        bound = np.minimum(all_light[:, geo.pairs[:, 0]], all_light[:, geo.pairs[:, 1]])       # (D, G, T)
        waived = np.where(both, np.minimum(waived, bound), waived)
        car_revenue -= tolls.per_owner(np.einsum("dgt,dgt->dg", waived, waived_price), geo.owner[geo.pairs[:, 0]], m)
    per_trip = tolls.fleet_average(terms.by_fuel, fuel_mix)                                   # (D, M, Z, P, T)
    own_trip = tolls.fleet_average(terms.own_by_fuel, fuel_mix)
    cars = crossing_cars(choice)
    groups = terms.groups
    toll_paid = np.einsum("dmzpt,dmzpt->dm", state.trip_volume * cars[1], own_trip)
    toll_paid += np.einsum("dmzpt,dmzpt->dm", state.trip_volume * cars[2], per_trip - own_trip)
    for k, new in enumerate(groups.apart):
        if not new.size:
            continue
        # Where some of the system's crossing trips cross it only now, those crossing a reference cordon pay their
        # tolls at their car share and the others the rest at theirs, in place of all at the system's car share.
        mix, at = fuel_mix[:, new], np.searchsorted(groups.rows, new)    # new among the rows of the groups' tolls
        paid = _system_part(per_trip[:, new], own_trip[:, new], k)
        both_own = tolls.fleet_average(groups.own_by_fuel[:, at], mix)
        paid_both = both_own if k == 0 else tolls.fleet_average(groups.by_fuel[:, at], mix) - both_own
        car, car_both, car_only = _group_cars(terms, cars, k, new)
        change = car_both * paid_both + car_only * (paid - paid_both) - car * paid
        toll_paid[:, new] += np.einsum("dmzpt,dmzpt->dm", state.trip_volume[:, new], change)
    return {"cordon_car_trips": tolls.per_owner(all_light, geo.owner, m) / tolls.DAYS_PER_YEAR,
            "toll_revenue": car_revenue + freight_revenue, "cordon_price": cordon_price,
            "waived_passages": waived / tolls.DAYS_PER_YEAR, "waived_price": waived_price, "toll_paid": toll_paid}


def park_and_ride_vkm(state: TransportState, c: DemandCoefficients, choice: dict) -> np.ndarray:
    """Car vkm of the access legs to park-and-ride sites ``(D, M)`` [vkm/yr]: the public-transport trips the
    park-and-ride improvement draws (share ``1 - exp(-dV_pr)`` of each group's PT trips; from car, bicycle,
    walking alike, so a short drive can replace a walk, transport_land_use.csv park_and_ride) times
    ``transport.park_and_ride_access_km``."""
    share = choice.get("park_and_ride")
    if share is None or not np.any(share):
        return np.zeros(state.population.shape)
    trips = state.trip_volume * choice["periods"] * choice["modes"][..., PT] * share              # (D,M,Z,P,T)
    return np.einsum("dmzpt->dm", trips) * c.park_and_ride_access_km[:, None]


def resident_car_vkm(state: TransportState, c: DemandCoefficients, choice: dict) -> np.ndarray:
    """Car vkm of the residents ``(D, M)`` [vkm/yr]: their car-driver trips times the trip lengths, and the
    access legs to park-and-ride sites (:func:`park_and_ride_vkm`)."""
    trips = state.trip_volume * choice["periods"]
    trips *= choice["modes"][..., CAR]                                                         # (D,M,Z,P,T)
    per_zone = np.einsum("dmzpt->dmz", trips) * state.trip_length_factor
    return (np.einsum("dmz->dm", per_zone) * c.trip_length[:, None, CAR] * choice["trip_length"]
            + park_and_ride_vkm(state, c, choice))


def activity_vkm(state: TransportState, fc: FleetCoefficients, lv: dict, population: np.ndarray,
                jobs: np.ndarray, freight: np.ndarray) -> np.ndarray:
    """vkm of vans, heavy vehicles and buses ``(D, M, 3)`` [vkm/yr] (methods §1.6).

    ``vkm = vkm_2009 (act / act_2009)^eps`` with jobs as the activity of vans and heavy
    vehicles and population for buses; vans and heavy vehicles answer the tolls they pay and the
    diesel price (``freight`` ``(D, M, 2)``, :func:`freight_factor`); bus vkm scales with
    public-transport service ``(1 + s) / (1 + s_2009)`` (more departures, more bus-km).
    Urban consolidation centres (lever ``van_vkm_consolidated`` u) take
    ``a u r`` off van vkm: ``a`` = ``transport.van_vkm_share_a`` (van vkm of deliveries into A
    zones), ``r`` = ``transport.consolidation_van_vkm_saving``.
    """
    jobs_ratio = jobs / state.jobs_base
    activity = np.stack([jobs_ratio, jobs_ratio, population / state.population_base], axis=-1)
    vkm = state.activity_vkm_base * power(activity, fc.activity_elasticity[:, None, :])
    vkm[..., :2] *= freight
    consolidated = lv["van_vkm_consolidated"] - state.base_levers["van_vkm_consolidated"]
    if np.any(consolidated):
        vkm[..., VAN_COLUMN] *= 1.0 - fc.van_share_a[:, None] * fc.consolidation_saving[:, None] * consolidated
    service = (1.0 + lv["pt_service_change"]) / (1.0 + state.base_levers["pt_service_change"])
    vkm[..., BUS_COLUMN] *= service
    return vkm


def freight_factor(state: TransportState, per_vkm: np.ndarray, energy_price: np.ndarray | None = None) -> np.ndarray:
    """Van and heavy-vehicle vkm relative to the 2009 tolls and diesel price ``(D, M, 2)``, from this year's
    tolls per vkm (:func:`toll_per_vkm`) and, given ``energy_price`` (D, M, 3) [real NOK/kWh] this year's
    (``travel_costs.energy_prices``), the diesel price on the diesel share of each class's vkm
    (:func:`tolls.freight_fuel_factor`; None: the 2009 price)."""
    p = state.params
    operating = np.stack([p["transport.operating_cost.van"], p["transport.operating_cost.heavy"]], -1)[:, None]
    factor = tolls.freight_vkm_factor(per_vkm, state.base_costs["toll_per_vkm"], operating,
                                      p["transport.freight_cost_elasticity"][:, None, None])
    if energy_price is None:
        return factor
    # energy_price's carriers are petrol, diesel, electricity: diesel sits where the diesel powertrain does
    index = energy_price[..., DIESEL] / state.base_costs["energy_price"][..., DIESEL]                 # (D, M)
    return factor * tolls.freight_fuel_factor(index[..., None], state.vkm_share[:, :, 1:3, DIESEL],
                                              p["transport.freight_fuel_price_elasticity"][:, None, None])
