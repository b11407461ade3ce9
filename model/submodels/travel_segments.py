"""The travel choice of segments of trips that differ only in what the car costs them (methods §1.2-1.4).

The trips of a municipality, home zone type, purpose and period are split into segments: by whether
they cross a charged cordon in 2009 (or a reference one, :mod:`.toll_groups`) and now (toll segments), and by
where they end when a destination's car costs changed or the car is not allowed there (destination segments).
Each segment pivots the 2009 mode shares on its own car-driver utility change and chooses the period by the
change in its logsum; :func:`segment_mixture` sums their trips per trip of the group. :func:`toll_crossing` and
:func:`destination_segments` set the segments up from the year's generalised costs (``transport.choose``
calls them).

The arrays hold the period (and the mode) as leading axes, every coefficient stored at the full
``(D, M, Z, P)`` size (:class:`ChoiceTerms`), and the draws are taken a block at a time: numpy runs
products that broadcast a short trailing axis many times slower than products of arrays laid out
alike, and element-wise work on arrays small enough to stay in the processor's cache several times
faster.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import dims
from . import mode_choice
from .ordered_sums import trailing_sum

CAR, PASSENGER, PT, BIKE, WALK = (dims.index(dims.MODES, m) for m in dims.MODES)
TINY = np.finfo(float).tiny
BLOCK_CELLS = 8192   # (D, M, Z, P) cells of the draws segment_mixture takes at a time


@dataclass(frozen=True)
class ChoiceTerms:
    """Terms of the travel choice that stay the same through a run (parameters and 2009 costs), at the
    size ``transport.choose`` uses them: every cell ``(D, M, Z, P)``, the period first."""

    car_cost: np.ndarray        # (D, M, Z, P) [1/NOK] beta of car-driver costs
    pt_cost: np.ndarray         # (D, M, Z, P) [1/NOK] beta of public-transport costs
    peak_share: np.ndarray      # (D, M, Z, P) [1] 2009 share of trips in the peak, s0
    off_peak_share: np.ndarray  # (D, M, Z, P) [1] 1 - s0
    peak_odds: np.ndarray       # (D, M, Z, P) [1] (1 - s0) / s0
    period_scale: np.ndarray    # (D, M, Z, P) [1] scale of the period choice
    persistence: np.ndarray     # (D, M, Z, P) [1] lambda of the partial adjustment
    adjustment: np.ndarray      # (D, M, Z, P) [1] 1 - lambda
    toll_own: np.ndarray        # (T, D, M, Z, P) [NOK/trip] 2009 toll per trip crossing the own cordons (fleet
    toll_other: np.ndarray      # average) and per trip crossing the other municipalities' (toll_segments)


def period_first(x: np.ndarray) -> np.ndarray:
    """``(D, M, Z, P, T, ...)`` -> ``(T, D, M, Z, P, ...)``, contiguous."""
    return np.ascontiguousarray(x.transpose((4, 0, 1, 2, 3) + tuple(range(5, x.ndim))))


def full_cells(x: np.ndarray, shape: tuple) -> np.ndarray:
    """``x`` broadcast to ``shape`` and stored at that size."""
    return np.ascontiguousarray(np.broadcast_to(x, shape))


def period_first_view(x: np.ndarray) -> np.ndarray:
    """``(D, M, Z, P, T)`` -> ``(T, D, M, Z, P)`` as a view, to write period-first results into."""
    return x.transpose(4, 0, 1, 2, 3)


def period_last_view(x: np.ndarray) -> np.ndarray:
    """``(T, D, M, Z, P)`` -> ``(D, M, Z, P, T)`` as a view (:func:`period_first` of it needs no copy)."""
    return x.transpose(1, 2, 3, 4, 0)


OWN, OTHER = "own", "other"   # the system a toll segment's trips cross (toll_segments)
# The positions in toll_segments' list of each system's segment of the trips crossing a reference cordon and a
# charged one now (toll_groups): their car trips are summed apart as well (the passages of the cordons they cross,
# road_traffic).
BOTH_YEARS = {0: OWN, 3: OTHER}


def toll_segments(base: tuple, now: tuple, both: tuple | None = None
                  ) -> tuple[list[tuple[np.ndarray, np.ndarray | float, bool, str | None]],
                             np.ndarray, np.ndarray, np.ndarray]:
    """The seven toll segments of trips crossing the charged cordons of two systems, their own municipality's
    and the others' (:func:`.tolls.system_weights`): (weight (D, M, Z, P), long-run toll change
    (T, D, M, Z, P) [NOK/trip] or 0.0 for the trips crossing no charged cordon, crosses now?, system: ``OWN``,
    ``OTHER`` or None for the trips crossing neither). A segment empty in every cell costs the choice nothing.

    ``base`` and ``now`` are (share crossing the own system, share crossing the others (D, M, Z, P), toll per
    trip crossing the own system, per trip crossing the others (T, D, M, Z, P) [NOK/trip]) in 2009 (or of the
    reference sets and paid in 2009, :func:`toll_crossing`) and now. Each system splits its trips as
    :func:`mode_choice.cordon_segments` does (crosses then and now, only now, only then: the own system's three
    segments, then the others'; with ``both`` = (share crossing a reference and a charged cordon of the own
    system, of the others', toll per trip of those trips in 2009 for the own, the others', now for the own, the
    others' (T, D, M, Z, P)) the first segments are those trips and pay their own tolls, :mod:`.toll_groups`;
    without, the nested rule of :func:`mode_choice.cordon_segments`), and the systems'
    trips are taken as distinct (a trip into another municipality's ring is not one across the rings of home;
    one that crosses both counts in each), so each answers its own toll: a ring of its own leaves the trips into another
    municipality's ring at the toll they paid, and their car share to the passages there. The last segment
    crosses neither. Where one system is crossed, the other's segments are empty and the rest are that
    system's, bit for bit. Should the two systems' shares add up to more than 1, their crossing segments are
    scaled to fill the group, and their toll changes up by as much, so that the trips' tolls in all stay the
    same. Returns the segments, the shares of trips crossing each system now and of those crossing either
    (``min(1, own + other)``, the crossing segments' share; all scaled alike).
    """
    own_now, other_now = now[0], now[1]
    crossing_now = np.minimum(own_now + other_now, 1.0)
    shared = (None, None) if both is None else ((both[0], both[2], both[4]), (both[1], both[3], both[5]))
    own = mode_choice.cordon_segments(base[0], now[0], base[2], now[2], shared[0])
    other = mode_choice.cordon_segments(base[1], now[1], base[3], now[3], shared[1])
    out = [[w, d_toll, crosses_now, system] for segments, system in ((own, OWN), (other, OTHER))
           for (w, d_toll), crosses_now in zip(segments[:3], (True, True, False))]
    # 1 - (own crossed in either year) - (other crossed in either year), as the one system's own where the other is
    # not crossed; crossed in either year: the system's three crossing segments (max(c0, c1) when nested)
    widest_other = other[0][0] + other[1][0] + other[2][0]
    neither = np.where(widest_other > 0, np.where(own[3][0] < 1.0, own[3][0] - widest_other, other[3][0]), own[3][0])
    over = neither < 0.0
    if over.any():
        fill = 1.0 - neither   # the crossing segments' sum, above 1 where they overfill the group
        for segment in out:
            segment[0] = np.where(over, segment[0] / fill, segment[0])
            segment[1] = np.where(over, segment[1] * fill, segment[1])
        own_now, other_now = (np.where(over, x / fill, x) for x in (own_now, other_now))
        crossing_now = np.where(over, own_now + other_now, crossing_now)
        neither = np.maximum(neither, 0.0)
    return [tuple(segment) for segment in out] + [(neither, 0.0, False, None)], own_now, other_now, crossing_now


def toll_crossing(base: dict, now: dict, terms: ChoiceTerms, last_year: list) -> tuple:
    """The toll segments of this year's choice, :func:`segment_mixture`'s ``crossing``: (the segments of
    :func:`toll_segments`, each (weight (D, M, Z, P) [1], long-run toll change (T, D, M, Z, P) [NOK/trip] or
    0.0, crosses now?, system), ``last_year`` their weights last year (D, M, Z, P) [1], and the shares of the
    group's trips crossing a charged cordon now, of either system, of the own and of the others' (D, M, Z, P)
    [1]).

    ``base`` and ``now`` are the cost terms of 2009 and of this year (:func:`.travel_costs.generalised_costs`:
    the shares crossing each system and, this year's, the tolls per trip crossing it); the 2009 tolls are
    ``terms.toll_own`` and ``terms.toll_other``, already period first. Where the reference set of cordons holds
    a ring that came after 2009 (:func:`.toll_groups.reference`, ``now["reference_2009"]``), the base crossing
    shares are those of the reference set and the 2009 tolls per trip crossing it: the trips crossing a
    reference cordon only are the segment "only then", which paid what they paid in 2009.
    """
    reference = now.get("reference_2009")
    segments, own_now, other_now, crossing_now = toll_segments(
        (base["crossing_own"], base["crossing_other"], terms.toll_own, terms.toll_other) if reference is None
        else reference,
        (now["crossing_own"], now["crossing_other"], period_first(now["toll_own"]), period_first(now["toll_other"])),
        (now["both_own"], now["both_other"], period_first(now["toll_own_both_2009"]),
         period_first(now["toll_other_both_2009"]), period_first(now["toll_own_both"]),
         period_first(now["toll_other_both"])))
    return (segments, last_year, crossing_now, own_now, other_now)


def destination_segments(now: dict, d_dest: np.ndarray, beta: np.ndarray,
                         cells: tuple) -> tuple[list[tuple[np.ndarray | None, np.ndarray | None, tuple, int | None]],
                                                np.ndarray | None]:
    """The destination segments of this year's choice, :func:`segment_mixture`'s ``destinations`` and ``away``.

    ``now``: this year's cost terms (:func:`.travel_costs.generalised_costs`: ``away`` (D, M, P, Zdest) [1]
    the share of trips ending away from home in each zone type, ``car_free`` and ``zez_removed`` (D, M, Zdest)
    [1] the shares of those that lose both car modes and the car-driver mode); ``d_dest`` (D, M, P, Zdest)
    [NOK/trip] the adjusted change in the car costs of trips ending in each zone type; ``beta`` (D, M, Z, P)
    [1/NOK] the car-driver cost coefficient; ``cells`` the shape (D, M, Z, P).

    Where no destination's costs changed and no mode is removed, one segment (the same shares for every
    destination); else the trips ending at home, those ending in each zone type at its cost change, and in
    each zone type those inside car-free areas and inside zero-emission zones, where there are any. Returns
    the segments, each (weight (D, M, Z, P) [1] or None where there is one segment, car-driver utility change
    of the destination (D, M, Z, P) [1] or None, modes removed, zone type or None for home), and ``away`` when
    there is one segment (its car trips end in each zone type as the trips do), else None.
    """
    away = now["away"]                                                                         # (D, M, P, Zdest)
    home = 1.0 - trailing_sum(away)                                                          # (D, M, P)
    car_free, zez = now["car_free"], now["zez_removed"]                                        # (D, M, Zdest)
    removal = bool(np.any(car_free) or np.any(zez))
    single = not (removal or np.any(d_dest))
    # Destination segments: (weight (D, M, P), car cost change (D, M, P) or None, modes removed, zone type).
    if single:   # nothing differs between destinations: one segment (the same shares for every destination)
        destinations = [(None, None, (), None)]
    else:
        destinations = [(home, None, (), None)]
        for d in range(len(dims.ZONES)):
            w = away[..., d]
            destinations.append((w * (1.0 - car_free[..., d, None] - zez[..., d, None]), d_dest[..., d], (), d))
            if np.any(car_free[..., d]):
                destinations.append((w * car_free[..., d, None], None, (CAR, PASSENGER), d))
            if np.any(zez[..., d]):
                destinations.append((w * zez[..., d, None], None, (CAR,), d))
    destinations = [(None if w is None else full_cells(w[:, :, None, :], cells),
                     None if d_car is None else beta * d_car[:, :, None, :], removed, dest)
                    for w, d_car, removed, dest in destinations]
    return destinations, away if single else None


def partial_adjustment(before: np.ndarray | float, target: np.ndarray | float, persistence: tuple,
                        out: np.ndarray | None = None) -> np.ndarray:
    """``lambda before + (1 - lambda) target`` (methods §1.3), ``persistence`` (lambda, 1 - lambda) shaped to
    broadcast against both; written into ``out`` when given."""
    lam, adjustment = persistence
    out, towards = np.multiply(lam, before, out=out), adjustment * target
    # (Arrays of one shape need no np.broadcast_shapes, which costs more than the sum at a single draw.)
    if out.shape != towards.shape and out.shape != np.broadcast_shapes(out.shape, towards.shape):
        return out + towards
    out += towards   # in place: one temporary of the full size fewer
    return out


def _carried(before: np.ndarray | None, weight_before: np.ndarray, weight: np.ndarray,
             inflow: np.ndarray | None = None) -> np.ndarray:
    """Last year's adjusted toll change of a segment ``(T, D, M, Z, P)`` as its trips of this year carry it: the
    share ``min(w_before, w) / w`` of them that were in the segment last year carry its own ``before`` (None:
    zero), those that entered it, ``max(w - w_before, 0) / w``, the change they brought from the segments they
    left (``inflow``, :func:`_leavers_change`; None: zero, trips from segments without a change). 0 where the
    segment is empty."""
    stayed = np.divide(np.minimum(weight_before, weight), weight, out=np.zeros(np.shape(weight)), where=weight > 0)
    carried = 0.0 if before is None else before * stayed
    if inflow is not None:
        carried = carried + inflow * np.subtract(1.0, stayed, out=stayed, where=weight > 0)
    return carried


def _leavers_change(lagged: list, previous: list, weights: list) -> np.ndarray | None:
    """The mean adjusted toll change ``(T, D, M, Z, P)`` of the trips that left their segment this year (each
    segment's ``max(w_before - w, 0)`` at its last year's change, ``lagged`` None where zero), which the trips
    entering a segment carry into it (:func:`_carried`): the segments' weights add up to 1 both years, so as many
    trips enter as leave. None where no trip left a segment with a change (then every entrant starts from
    none). So a cordon that stops charging hands its trips' partly adjusted toll change to the segment they
    join (the trips crossing no charged cordon, or those that crossed only then), and the removal phases in as
    a new toll does, instead of acting in full in its first year."""
    pool, leaving = None, np.zeros(np.shape(weights[0]))
    for before, w_before, w in zip(lagged, previous, weights):
        left = np.maximum(np.subtract(w_before, w), 0.0)
        leaving += left
        if before is not None and left.any():
            pool = before * left if pool is None else pool + before * left
    if pool is None:
        return None
    return np.divide(pool, leaving, out=np.zeros(pool.shape), where=leaving > 0)


def _draws(x: np.ndarray | float, b: slice) -> np.ndarray | float:
    """The draws ``b`` of a ``(T, D, M, Z, P)`` or ``(D, M, Z, P)`` array (a scalar as it is)."""
    return x[:, b] if np.ndim(x) == 5 else x[b] if np.ndim(x) == 4 else x


def segment_mixture(crossing: tuple, lagged_tolls: list, utilities: list, destinations: list,
                     base_shares: np.ndarray, terms: ChoiceTerms, away: np.ndarray | None,
                     counted: bool = True) -> tuple[dict, list, list]:
    """Every toll segment crossed with every destination segment chooses its mode and period; their
    trips summed per trip of the group and turned into the choice's shares (see ``transport.choose``).

    ``crossing``: the toll segments of :func:`toll_segments` (weight, long-run toll change, crosses now?,
    system), their weights last year ``(D, M, Z, P)``, and the shares of trips crossing a charged cordon now,
    of either system, of the own and of the others' ``(D, M, Z, P)``; ``lagged_tolls``: last year's toll
    change of each segment or None where zero (carried by the segment's trips that were in it last year, and
    brought by the trips that left a segment into the one they join: :func:`_carried`,
    :func:`_leavers_change`). ``utilities``: by mode, (last year's utility change ``(T, D, M, Z, P)`` or
    None where zero, the long-run one ``(T, D, M, Z, P)``, ``(D, M, Z, P)`` or 0.0), or None where
    it stays zero; both adjust at the pace ``terms.persistence`` (lambda). ``destinations``:
    (weight (D, M, Z, P) or None where there is one destination segment, car utility change of the
    destination ``(D, M, Z, P)`` or None, modes removed, zone type or None). ``base_shares``
    ``(5, T, D, M, Z, P)`` are the 2009 shares, ``away`` ``(D, M, P, Zdest)`` where trips end when
    there is one destination segment (else None).

    Returns the ``modes``, ``periods``, ``crossing_car`` (and by system ``crossing_own``, ``crossing_other``, and
    of their trips that cross a reference cordon too ``crossing_own_both``, ``crossing_other_both``)
    and ``parked_car`` of ``transport.choose``, and the adjusted utility changes by mode and toll changes by
    segment (None where zero). Works through the draws a block at a time (:func:`_mixture_block`; the draws
    are independent). Without ``counted``, the car trips crossing a charged cordon and those parking away from
    home are not summed (nor returned): a run that reads the car fleet alone counts no passages and no parking,
    and the other outputs are the same to the bit.
    """
    cells = base_shares.shape[2:]                                                              # (D, M, Z, P)
    by_period = cells + (len(dims.PERIODS),)                                                   # (D, M, Z, P, T)
    out = {"modes": np.empty(by_period + (len(dims.MODES),)), "periods": np.empty(by_period),
           "dv": np.empty(base_shares.shape),   # the rows of the unchanged modes stay unset
           "toll": [None] * len(lagged_tolls)}   # made by the first block with a toll change
    if counted:
        out |= {"crossing_car": np.empty(by_period), "parked_car": np.empty(by_period + (len(dims.ZONES),)),
                "crossing_own": np.empty(by_period), "crossing_other": np.empty(by_period),
                "crossing_own_both": np.empty(by_period), "crossing_other_both": np.empty(by_period)}
    # A toll segment empty in every cell holds no trips this year, and none of its trips carry its adjusted toll
    # change into next year (:func:`_carried` scales it by min(w_before, w) / w = 0): its change is left at zero
    # (None) instead of being adjusted over every cell, which gives next year's choice the same numbers.
    occupied = [bool(w.any()) for w, _, _, _ in crossing[0]]
    # A segment whose weights are last year's keeps all its trips: last year's change carries over whole where it
    # holds trips (min(w, w) / w = 1), and where it holds none the change reaches no trip, this year or the next
    # (then scaled by 0 again, or by min(0, w) / w = 0 should the segment grow there). It is not scaled.
    steady = [w_before is w or np.array_equal(w_before, w) for w_before, (w, _, _, _) in zip(crossing[1], crossing[0])]
    step = max(1, BLOCK_CELLS // math.prod(cells[1:]))
    for start in range(0, cells[0], step):
        _mixture_block(slice(start, start + step), crossing, lagged_tolls, utilities, destinations,
                       base_shares, terms, away, out, occupied, steady, counted)
    dv = [None if u is None else changes for u, changes in zip(utilities, out.pop("dv"))]
    return out, dv, out.pop("toll")


def _mixture_block(b: slice, crossing: tuple, lagged_tolls: list, utilities: list, destinations: list,
                   base_shares: np.ndarray, terms: ChoiceTerms, away: np.ndarray | None, out: dict,
                   occupied: list, steady: list, counted: bool = True) -> None:
    """:func:`segment_mixture` for the draws ``b``, written into ``out``; ``occupied``: whether each toll segment
    holds trips in some cell of any draw (an empty one is skipped, its toll change left None); ``steady``: whether
    its weights are last year's (its change then carries over unscaled); ``counted``: whether the car trips
    crossing a charged cordon and parking away from home are summed.

    Segments differ only in the car-driver utility (or in removed car modes), so the other modes'
    pivot terms are computed once (:func:`mode_choice.pivot_weights`) and each segment costs a few
    operations per cell (:func:`mode_choice.pivot_varying_alternative`) instead of a logit over every
    mode. Its trips in each period relative to the 2009 split, ``w s / s0`` and ``w (1 - s) / (1 - s0)``,
    add up the trips of each group, its car-driver trips, those crossing a charged cordon now and
    those ending in each zone type, and the factors on the other modes' pivot weights (with and
    without the car passenger: only car-free areas remove the passenger as well).

    A block of draws is small enough for its dozen arrays to stay in the processor's cache, where
    numpy's element-wise operations run several times faster than on arrays of every draw; the
    temporaries are written in place for the same reason. (The pivot's guard against overflow, a
    utility gap above ``mode_choice.MAX_EXPONENT``, looks at the block's cells.)
    """
    base_shares = base_shares[:, :, b]
    beta, peak_share, off_peak_share, peak_odds, scale, lam, adjustment = (
        x[b] for x in (terms.car_cost, terms.peak_share, terms.off_peak_share, terms.peak_odds, terms.period_scale,
                       terms.persistence, terms.adjustment))
    shape = base_shares.shape[1:]                                                              # (T, D, M, Z, P)

    def adjusted(before: np.ndarray | None, target: np.ndarray | float, into: np.ndarray) -> np.ndarray:
        """Partial adjustment of last year's change (all draws, None where zero) towards ``target`` (these draws)."""
        return partial_adjustment(0.0 if before is None else before[:, b], target, (lam, adjustment), out=into)

    dv = out["dv"][:, :, b]   # the rows of unchanged modes stay unset: nothing reads them
    unchanged = tuple(mode for mode, u in enumerate(utilities) if u is None)
    for mode, u in enumerate(utilities):
        if u is not None:
            before, target = u
            adjusted(before, _draws(target, b), into=dv[mode])
    top_rest, rest = mode_choice.pivot_weights(base_shares, dv, CAR, axis=0, unchanged=unchanged)
    without_passenger = rest[PT] + rest[BIKE] + rest[WALK]
    with_passenger = rest[PASSENGER] + without_passenger
    periods, car_total, crossing_car, rest_factor = (np.zeros(shape) for _ in range(4))
    # Without car-free areas no segment removes the car passenger: its factor is the other modes'.
    passenger_apart = any(PASSENGER in removed for _, _, removed, _ in destinations)
    passenger_factor = np.zeros(shape) if passenger_apart else rest_factor
    parked = [np.zeros(shape) for _ in dims.ZONES] if away is None and counted else None
    car_toll, car_dest, car_share, factor_rest, logsum, scaled = (np.empty(shape) for _ in range(6))
    peak, ratio, weight = (np.empty(shape[1:]) for _ in range(3))
    every_draw, last_year, crossing_now, own_now, other_now = crossing
    segments = [(w[b], _draws(d_toll, b), crosses_now, system) for w, d_toll, crosses_now, system in every_draw]
    previous = [w[b] for w in last_year]
    # The change the trips that switched segments bring with them (None where none of them had one).
    inflow = None if all(steady) else _leavers_change([None if x is None else x[:, b] for x in lagged_tolls],
                                                       previous, [w for w, _, _, _ in segments])
    by_system = {OWN: np.zeros(shape), OTHER: np.zeros(shape)}   # car trips crossing each system now
    # ... of those, the trips crossing a reference cordon too, summed apart only where some cross the system only now
    # (the segments after each system's first, BOTH_YEARS: else they are all the system's)
    apart = {system: occupied[s + 1] for s, system in BOTH_YEARS.items()}
    both_years = {system: np.zeros(shape) if apart[system] else by_system[system] for system in by_system}
    for s, ((w_toll, target, crosses_now, system), before) in enumerate(zip(segments, lagged_tolls)):
        if not occupied[s]:
            continue
        entered = inflow is not None and not steady[s] and bool((w_toll > previous[s]).any())
        if before is None and np.ndim(target) == 0 and not entered:   # no toll change then or now, none brought
            d_toll = None
        else:
            if out["toll"][s] is None:
                out["toll"][s] = np.zeros(out["dv"].shape[1:])   # (T, D, M, Z, P); zero in blocks without it
            # Each trip carries its own adjustment: the trips that were in the segment last year its change, those
            # that entered it the change of the segment they left (:func:`_carried`), so a trip that starts to
            # cross a new cordon starts from no change, as partial adjustment means, not from a change the
            # segment's earlier trips had met, and one whose cordon stops charging keeps what it had adjusted.
            kept = None if before is None else before[:, b]
            if not steady[s]:
                kept = _carried(kept, previous[s], w_toll, inflow if entered else None)
            d_toll = partial_adjustment(0.0 if kept is None else kept, target, (lam, adjustment),
                                        out=out["toll"][s][:, b])
        if not w_toll.any():
            continue
        car = dv[CAR] if d_toll is None else np.add(dv[CAR], np.multiply(beta, d_toll, out=car_toll), out=car_toll)
        for w_cells, dest_cost, removed, dest in destinations:
            if w_cells is not None and not w_cells[b].any():
                continue
            if CAR in removed:
                seg_car = -np.inf
            else:
                seg_car = car if dest_cost is None else np.add(car, dest_cost[b], out=car_dest)
            mode_choice.pivot_varying_alternative(base_shares[CAR], seg_car, top_rest,
                                                  without_passenger if PASSENGER in removed else with_passenger,
                                                  out=(car_share, factor_rest, logsum))
            mode_choice.period_shift(peak_share, logsum[0], logsum[1], scale, base_odds=peak_odds, out=peak)
            w = w_toll if w_cells is None else np.multiply(w_toll, w_cells[b], out=weight)
            np.multiply(w, np.divide(peak, peak_share, out=ratio), out=scaled[0])
            np.multiply(w, np.divide(np.subtract(1.0, peak, out=ratio), off_peak_share, out=ratio), out=scaled[1])
            periods += scaled
            # Trips of the other modes: their pivot weights times the sum of these factors.
            scaled_rest = np.multiply(scaled, factor_rest, out=factor_rest)
            rest_factor += scaled_rest
            if passenger_apart and PASSENGER not in removed:
                passenger_factor += scaled_rest
            if CAR in removed:   # no car-driver trips to add
                continue
            car_trips = np.multiply(scaled, car_share, out=car_share)
            car_total += car_trips
            if not counted:
                continue
            if crosses_now:
                crossing_car += car_trips
                by_system[system] += car_trips
                if s in BOTH_YEARS and apart[system]:
                    both_years[system] += car_trips
            if dest is not None:
                parked[dest] += car_trips

    # Into the choice's layout, (D, M, Z, P, T, ...): views of the block's rows of ``out`` with the period first.
    modes = out["modes"][b].transpose(5, 4, 0, 1, 2, 3)
    for mode, factor in ((PASSENGER, passenger_factor), (PT, rest_factor), (BIKE, rest_factor), (WALK, rest_factor)):
        np.divide(np.multiply(rest[mode], factor, out=car_dest), periods, out=modes[mode])
    np.divide(car_total, periods, out=modes[CAR])
    np.copyto(period_first_view(out["periods"][b]), periods)
    if not counted:
        return
    for key, car, weight_now in (("crossing_car", crossing_car, crossing_now),
                                 ("crossing_own", by_system[OWN], own_now),
                                 ("crossing_other", by_system[OTHER], other_now),
                                 ("crossing_own_both", both_years[OWN], every_draw[0][0]),
                                 ("crossing_other_both", both_years[OTHER], every_draw[3][0])):
        if key.endswith("_both") and not apart[OWN if key == "crossing_own_both" else OTHER]:
            # the same trips as the system's: its shares (the sums above were divided in place, not read again)
            np.copyto(out[key][b], out[key[:-5]][b])
            continue
        # car / w where w > 0, else 0: divided in place (the sums are not read again), then copied once into
        # the choice's layout (no temporaries of the block's size).
        weight_now = weight_now[b]
        np.divide(car, np.maximum(weight_now, TINY), out=car)
        np.copyto(car, 0.0, where=~(weight_now > 0))
        np.copyto(period_first_view(out[key][b]), car)
    for dest in range(len(dims.ZONES)):
        into = period_first_view(out["parked_car"][b][..., dest])
        if away is None:
            np.copyto(into, parked[dest])
        else:   # one destination segment: its car trips end in each zone type as the trips do
            np.multiply(car_total, away[b][:, :, None, :, dest], out=into)
