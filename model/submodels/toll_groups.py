"""Which crossing trips crossed a cordon of the reference set as well, and what each group pays (methods §1.4).

The choice pivots every trip on its change against 2009 (:mod:`.travel_segments`). For a system of cordons (the home
municipality's, or the others', :func:`.tolls.system_weights`) the trips crossing a cordon of the reference set and
a charged one now are one group, those crossing one only now another, those that cross a reference cordon only a
third. The reference set (:func:`reference`) holds the cordons charged in 2009 and, for an owner that charged none
then, the cordons it charged in the first year it charged any: Trondheim's ring of 2010, not its inner cordon of
2014. A system of the others' cordons that holds a 2009 cordon its residents cross (Bærum's and Drammen's, into
Oslo's rings) keeps the cordons charged in 2009 (:func:`since_reference`). When the charged cordons change, the
groups overlap only in part: Oslo's 2019 inner ring charges trips between it and Osloringen that crossed nothing in
2009, while the trips across Osloringen crossed the ring of 1990. Each group pays its own tolls: the trips crossing
a cordon charged now pay at it, and the share ``J_c / X_c`` of the cordon's crossers that cross a reference cordon
of the system too (:func:`.tolls.crossing_also`) are in the first group. So a ring's crossers meet the change of
their own ring's price, and the trips a new ring adds meet its price, instead of every crossing trip meeting the
average toll of all of them. What the first group paid in 2009 is what it paid at the cordons charged then (nothing
at a ring that came later).

Under the model's geometry (nested cordons, the two trip ends at independent levels, :mod:`..cordon_crossing`)
the first group is ``U_R + U_N - U_{R+N}`` of the system's unions of the reference cordons ``R``, of those charged
now ``N`` and of both sets together. Every function is pure but for the memo of the geography (``geo.memo``),
which keeps what depends on it, the sets of cordons and the 2009 prices alone, for every run on it
(``road_traffic`` keeps its slices of the groups' passages there too). It is not bounded: a run meets a few sets
of charged cordons, and a geography is kept for a few runs (``transport_state._geography``).
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np

from . import tolls
from .transport_state import Geography

ONLY_NOW_TINY = 1e-12   # a share of trips below which none crosses only now (the unions' rounding)


class Groups(NamedTuple):
    """The trips crossing a cordon of a system's reference set and a charged one now, and their tolls
    (:func:`groups`)."""

    both_own: np.ndarray          # (D, M, Z, P) [1] share of trips crossing a reference and a charged cordon of home
    both_other: np.ndarray        # (D, M, Z, P) [1] ... of another municipality
    # (D, R, Z, P, T, F) [NOK/trip] the tolls those trips pay now, per one-way trip, of the residents of ``rows``
    # (where no group is apart, R = M and all crossing trips' tolls: the groups are one)
    by_fuel: np.ndarray
    own_by_fuel: np.ndarray       # (D, R, Z, P, T, F) [NOK/trip] ... at the home municipality's cordons
    base_by_fuel: np.ndarray      # (D, M, Z, P, T, F) [NOK/trip] the tolls the same trips paid in 2009
    base_own_by_fuel: np.ndarray  # (D, M, Z, P, T, F) [NOK/trip] ... at the home municipality's cordons
    # (own, other) the municipalities some of whose residents' trips cross a charged cordon of the system only now
    # and some a reference cordon too (indices; elsewhere the system's crossing trips are all in one group)
    apart: tuple
    rows: np.ndarray              # (R,) the municipalities of either ``apart`` (sorted): the rows of by_fuel
    # (own, other) (D, M, Z, P) [1] the systems' shares crossing a reference cordon, where the reference set holds a
    # cordon not charged in 2009 (the choice's base crossing shares, :func:`.travel_segments.toll_crossing`); None
    # where it is 2009's cordons, whose shares are the base costs'
    reference: tuple | None = None


def pair_share(share: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The share ``(D, G, M, Z, P)`` of the trips crossing both cordons of each pair that are in a group, from each
    cordon's ``share`` ``(D, C, M, Z, P)``: the larger of the two. Exact where all of one cordon's crossers are in
    the group (the trips crossing both are among them), as for the shipped pairs (Osloringen, on the line of the
    ring of 1990, with the inner ring; Bergen's ring with its outer stations); else an approximation (the pair's
    share lies between bounds that the two cordons' shares and crossings set), for a scenario's own pairs."""
    return np.maximum(share[:, pairs[:, 0]], share[:, pairs[:, 1]])


def also_share(geo: Geography, charged: np.ndarray, which: np.ndarray | None = None) -> np.ndarray:
    """:func:`.tolls.crossing_also` of the cordons ``which`` (default: every cordon; the others 0) against the set
    ``charged`` ``(D, C)``, as a ``(D, C, M, Z, P)`` array."""
    out = np.zeros(geo.crossings.shape)
    which = np.arange(len(geo.cordons)) if which is None else which
    if len(which):
        out[:, which] = tolls.crossing_also(geo.cordons, charged, which, geo.crossings, geo.split,
                                            geo.destination_share)
    return out


def digest(array: np.ndarray) -> bytes:
    """A short key for the memo of the values of ``array`` (the prices of a thousand draws are megabytes)."""
    return hashlib.blake2b(np.ascontiguousarray(array).data, digest_size=20).digest()


def union(geo: Geography, charged: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`.tolls.system_weights` of the cordons ``charged`` ``(D, C)``, kept in ``geo.memo`` (read-only)."""
    key = ("union", charged.tobytes())
    if key not in geo.memo:
        weights = tolls.system_weights(geo.cordons, charged, geo.split, geo.destination_share)
        for array in weights:
            array.flags.writeable = False
        geo.memo[key] = weights
    return geo.memo[key]


def reference(before: np.ndarray, charged: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """The reference set of cordons ``(D, C)`` (bool) the groups are set against:
    ``before`` (the set of last year; the cordons charged in 2009 at first), with the cordons ``charged`` ``(D, C)``
    now of every owner none of whose cordons is in it yet (``owner`` ``(C,)``: index of each cordon's municipality).
    So an owner's first charged cordons join the set in the year they first charge, and its later rings do not: the
    trips crossing its first ring are one group whatever rings it adds. ``before`` itself where nothing joins.

    A system of the others' cordons may hold several owners' (a Bærum resident's: Oslo's rings of 2009 and a ring
    of Drammen's own, say): an owner's first ring there would join the trips into another owner's 2009 rings in one
    group at one toll. Where it holds a 2009 cordon its residents cross, its groups stay set against the cordons
    charged in 2009 (:func:`since_reference`)."""
    same_owner = (owner[:, None] == owner[None, :]).astype(float)               # (C, C)
    owner_has = (before.astype(float) @ same_owner) > 0                        # (D, C): its owner has one in the set
    joins = charged & ~owner_has
    return before | joins if joins.any() else before


class Since(NamedTuple):
    """What depends on the reference sets of cordons alone (:func:`since_reference`)."""

    weights: tuple            # (own, other) (D, M, Z, P) [1] the systems' shares crossing a reference cordon
    share: np.ndarray         # (D, C, M, Z, P) [1] of each cordon's crossers, those crossing a reference cordon too


def crossing_2009_elsewhere(geo: Geography, first: np.ndarray) -> np.ndarray:
    """Whether the residents' system of the others' cordons holds a cordon of ``first`` ``(D, C)`` (the cordons
    charged in 2009) that they cross, ``(D, M)`` (bool): Bærum's and Drammen's (Oslo's rings), not Sandnes's (whose
    others' system is Stavanger's ring of 2018). Their others' groups stay set against ``first``
    (:func:`since_reference`)."""
    return (first[:, :, None] & (geo.crossed & ~geo.own)[None]).any(axis=1)


def _unions(geo: Geography, cordons: np.ndarray, first: np.ndarray, older: np.ndarray) -> tuple:
    """The systems' shares crossing a cordon of ``cordons`` ``(D, C)`` (:func:`union`), the others' systems of the
    residents ``older`` ``(D, M)`` (:func:`crossing_2009_elsewhere`) a cordon of ``first`` instead."""
    own, other = union(geo, cordons)
    return own, np.where(older[..., None, None], union(geo, first)[1], other)


def since_reference(geo: Geography, cordons: np.ndarray, first: np.ndarray | None = None) -> Since:
    """The :class:`Since` of the reference set ``cordons`` ``(D, C)`` (bool, :func:`reference`), kept in
    ``geo.memo``: the systems' shares crossing one of them and the share of each cordon's crossers that cross one
    of their system too (:func:`also_share`). It holds for the residents' own systems, and for their systems of the
    others' cordons unless those hold a cordon of ``first`` (the cordons charged in 2009; default ``cordons``) that
    they cross (:func:`crossing_2009_elsewhere`), against which those stay set: an owner's first ring there would
    join the trips into another owner's 2009 rings in one group at one toll."""
    memo = geo.memo
    first = cordons if first is None else first
    key = ("base", cordons.tobytes(), first.tobytes())
    if key not in memo:
        older = crossing_2009_elsewhere(geo, first)                                            # (D, M)
        share = np.zeros(geo.crossings.shape)
        for owner in np.unique(geo.owner):
            mine = np.flatnonzero(geo.owner == owner)
            own, other = (_owner_also(geo, s, mine) for s in (cordons, first))
            if own is other:   # the owner's cordons alike in both sets (None: none of them in either, 0)
                if own is not None:
                    share[:, mine] = own
            else:   # against first: the crossers from elsewhere whose others' system holds a 2009 cordon
                against_first = (~geo.own[mine])[None] & older[:, None, :]                    # (D, C', M)
                share[:, mine] = np.where(against_first[..., None, None], 0.0 if other is None else other,
                                          0.0 if own is None else own)
        kept = Since(_unions(geo, cordons, first, older), share)
        kept.share.flags.writeable = False   # shared by the years of the run
        memo[key] = kept
    return memo[key]


def _owner_also(geo: Geography, cordons: np.ndarray, mine: np.ndarray) -> np.ndarray | None:
    """:func:`.tolls.crossing_also` of one owner's cordons ``mine`` against the set ``cordons`` ``(D, W, M, Z, P)``,
    None where none of the owner's cordons is in the set (0), kept in ``geo.memo``. A cordon's share depends on its
    owner's cordons of the set alone: a set an owner's first ring joins computes that owner's part alone."""
    part = ("base of owner", int(geo.owner[mine[0]]), cordons[:, mine].tobytes())
    if part not in geo.memo:
        geo.memo[part] = (tolls.crossing_also(geo.cordons, cordons, mine, geo.crossings, geo.split,
                                              geo.destination_share) if cordons[:, mine].any() else None)
    return geo.memo[part]


def _since_tolls(geo: Geography, share: np.ndarray, prices: np.ndarray, charged: np.ndarray,
                 rows: np.ndarray | None = None) -> tuple:
    """The tolls per one-way trip ``(D, M, Z, P, T, F)`` at ``prices`` paid by the share ``share`` ``(D, C, M, Z,
    P)`` of each cordon's crossers, all and at the home municipality's cordons (the hour rules' waived passages
    of the pairs by :func:`pair_share`); of the residents of ``rows`` alone where given ``(D, R, ...)``."""
    pick = slice(None) if rows is None else rows
    share = share[:, :, pick]
    waived = pair_share(share, geo.pairs) if len(geo.pairs) else None
    paid = geo.paid[:, :, pick] * share
    every = tolls.toll_per_trip(paid, prices, charged,
                                None if waived is None else geo.waived[:, :, pick] * waived, geo.pairs)
    # the own cordons' passages into the same buffer: a thousand draws' passages are tens of MB
    own = tolls.toll_per_trip(np.multiply(geo.paid_own[:, :, pick], share, out=paid), prices, charged,
                              None if waived is None else geo.waived_own[:, :, pick] * waived, geo.pairs)
    return every, own


def trip_tolls(geo: Geography, prices: np.ndarray, charged: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tolls per one-way trip ``(D, M, Z, P, T, F)`` at cordon ``prices`` (``charged`` ``(D, C)`` those that
    charge), all and at the home municipality's cordons (:func:`.tolls.toll_per_trip`, the hour rules' waivers
    taken off)."""
    return tuple(tolls.toll_per_trip(p, prices, charged, w, geo.pairs)
                 for p, w in ((geo.paid, geo.waived), (geo.paid_own, geo.waived_own)))


def groups(geo: Geography, base_prices: np.ndarray, prices: np.ndarray, totals: tuple,
           cordons: np.ndarray | None = None) -> Groups:
    """The :class:`Groups` of the cordon ``prices`` now against the reference set ``cordons`` ``(D, C)`` (bool,
    :func:`reference`; default: the cordons charged at ``base_prices``) and the ``base_prices`` of 2009 (both
    ``(D, C, 2, F, T)``, :func:`.tolls.cordon_prices`); ``totals`` the tolls per one-way trip at ``prices``, all and
    at the home municipality's cordons (what the groups pay where every crossing trip crosses a reference cordon
    too). ``geo.memo`` keeps what depends on the 2009 prices and the sets of cordons alone."""
    memo = geo.memo
    now, first = tolls.charged(prices), tolls.charged(base_prices)
    base = first if cordons is None else cordons
    since = since_reference(geo, base, first)
    weights = union(geo, now)
    key = ("now", digest(base_prices), base.tobytes(), now.tobytes())
    if key not in memo:
        together = _unions(geo, base | now, first | now, crossing_2009_elsewhere(geo, first))
        both = tuple(np.clip(b + n - t, 0.0, np.minimum(b, n)) for b, n, t in zip(since.weights, weights, together))
        # the municipalities whose residents' crossing trips are in part in each group (where none crosses a
        # reference cordon, the trips crossing only now are all, and the groups one)
        apart = tuple(np.flatnonzero(((w - b > ONLY_NOW_TINY).any(axis=(0, 2, 3)))
                                     & (b > ONLY_NOW_TINY).any(axis=(0, 2, 3))) for w, b in zip(weights, both))
        # Every reference crosser still crosses (to the unions' rounding: b + n - t is seldom b to the bit): the share
        # of the reference cordons' crossers that cross one now is 1, and their 2009 tolls are all of 2009's (the
        # 2009 cordons are in the set), kept once.
        if all(np.allclose(b, w, rtol=0.0, atol=ONLY_NOW_TINY) for b, w in zip(both, since.weights)):
            then = base_totals(geo, base_prices)
        else:   # the 2009 tolls of the trips crossing a charged cordon now: the share of the reference cordons'
            still = also_share(geo, now, np.flatnonzero(base.any(axis=0)))   # crossers that cross one charged now
            then = _since_tolls(geo, still, base_prices, base)   # (at 2009 prices: nothing at the later rings)
        memo[key] = (both, then, apart)
    both, then, apart = memo[key]
    rows = np.union1d(*apart).astype(int)
    if rows.size:
        totals = _since_tolls(geo, since.share, prices, now, rows)
    later = not np.array_equal(base, first)
    return Groups(*both, *totals, *then, apart, rows, since.weights if later else None)


def base_totals(geo: Geography, base_prices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The tolls per one-way trip at the 2009 prices, all and at the home municipality's cordons, kept."""
    key = ("base tolls", digest(base_prices))
    if key not in geo.memo:
        geo.memo[key] = trip_tolls(geo, base_prices, tolls.charged(base_prices))
    return geo.memo[key]


def group_cars(weight: np.ndarray, both: np.ndarray, car: np.ndarray, car_both: np.ndarray) -> np.ndarray:
    """The car-driver share ``(..., T)`` of a system's trips that cross a charged cordon only now, from the system's
    share crossing now ``weight`` and a reference cordon too ``both`` ``(...)`` and the car-driver shares of the two,
    ``car`` and ``car_both`` ``(..., T)``: ``(w car - b car_both) / (w - b)``, 0 where no trip crosses only now."""
    rest = (weight - both)[..., None]
    return np.divide(weight[..., None] * car - both[..., None] * car_both, rest, out=np.zeros(car.shape),
                     where=rest > ONLY_NOW_TINY)
