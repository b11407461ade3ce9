"""Tolls: which car trips cross a charged cordon, what they pay, passages and revenue (methods §1.4).

No network assignment (methods §1.4, "recommended here"): a toll scheme is (a) the share of
each group of trips crossing each cordon, from where travellers live and where their trips
end (commuting between municipalities and the ABC zone structure, :mod:`framtid.model.cordon_crossing`),
(b) the price per passage by vehicle class, fuel and period, and (c) the change in generalised
cost of the crossing trips in the pivot logit.

Shapes: ``C`` cordons, ``M`` municipalities (home of the traveller), ``Z`` home zone types,
``P`` purposes, ``T`` periods, ``F`` toll fuels (petrol incl. plug-in hybrids, diesel, BEV).
Every function is pure.
"""

from __future__ import annotations

import functools
from typing import Sequence

import numpy as np

from .. import cordon_crossing, dims
from ..levers import TOLL_FUELS
from .powers import power

PETROL, DIESEL, BEV_FUEL = range(len(TOLL_FUELS))
LIGHT, HEAVY = 0, 1
DAYS_PER_YEAR = 365.0
FEW_VALUES = 256          # values per cordon up to which per_owner adds them with np.add.at


def cordon_prices(toll_lever: np.ndarray, owner: np.ndarray, bev_discount_min: np.ndarray,
                  scale: np.ndarray | None = None) -> np.ndarray:
    """Prices in force at each cordon [NOK/passage], ``(D, C, 2, F, T)``.

    The toll lever ``(D, M, C, 2, F, T)`` holds each cordon's prices in the row of the
    municipality that owns it (``owner`` ``(C,)`` indices), and the ``toll_scale`` lever
    ``scale`` ``(D, M, C)`` a factor on them in the same row (a general change of the tolls in
    force, whatever set them). Battery-electric vehicles pay the cordon's BEV rate, but never more
    than ``(1 - bev_discount_min)`` times the petrol rate of the owner's municipality (national
    rules: free until 2017, at most 50 % from 2018, ev_incentives.csv).
    """
    c = np.arange(len(owner))
    prices = toll_lever[:, owner, c]                                                  # (D, C, 2, F, T), a copy
    if scale is not None:
        prices *= scale[:, owner, c][:, :, None, None, None]
    cap = (1.0 - bev_discount_min[:, owner])[:, :, None, None] * prices[:, :, :, PETROL]
    np.minimum(prices[:, :, :, BEV_FUEL], cap, out=prices[:, :, :, BEV_FUEL])
    return prices


def charged(prices: np.ndarray) -> np.ndarray:
    """Whether a cordon charges light fossil vehicles at all, ``(D, C)`` (bool)."""
    return (prices[:, :, LIGHT, :PETROL + 2] > 0).any(axis=(-1, -2))


def system_weights(cordons: Sequence, is_charged: np.ndarray, split: np.ndarray,
                   dest_zone_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares of a group's trips that cross a charged cordon of its own municipality and one of the others [1],
    each ``(D, M, Z, P)``.

    The union of the charged cordons of each system (:func:`framtid.model.cordon_crossing.system_union`):
    an owner's cordons are nested, so a trip within the owner crosses at least one when its two ends lie
    at different levels of the nest (between the inner and the outer ring, say, and outside both), which is
    more than the most-crossed cordon alone gives. The two systems are crossed by different trips: a trip
    within the home municipality or out of it crosses its own rings, one into another municipality the rings
    there (the crossing rule's home and destination ends). ``cordons`` ``(C,)`` (:class:`.cordons.Cordon`);
    is_charged ``(D, C)``; ``split`` ``(D, M, P, M)`` (:func:`.cordon_crossing.destination_split`);
    dest_zone_share ``(D, Z)``. Draws that charge the same cordons are computed together.
    """
    d, m = is_charged.shape[0], split.shape[-1]
    own = np.zeros((d, m, dest_zone_share.shape[-1], split.shape[-2]))
    other = np.zeros_like(own)
    for pattern, rows in _patterns(is_charged):
        live = [c for c, on in zip(cordons, pattern) if on]
        if live:
            own[rows], other[rows] = cordon_crossing.system_union(live, split[rows], dest_zone_share[rows])
    return own, other


def _patterns(charged: np.ndarray):
    """Each distinct row of ``charged`` ``(D, C)`` (which cordons charge) with the draws that have it (indices):
    the unions are computed once for the draws that charge the same cordons."""
    patterns, inverse = np.unique(charged, axis=0, return_inverse=True)
    for k, pattern in enumerate(patterns):
        yield pattern, np.flatnonzero(inverse.reshape(-1) == k)


def crossing_also(cordons: Sequence, with_charged: np.ndarray, which: np.ndarray, crossings: np.ndarray,
                  split: np.ndarray, dest_zone_share: np.ndarray) -> np.ndarray:
    """Share of each cordon's crossers that cross a cordon of ``with_charged`` of the same system too [1],
    ``(D, W, M, Z, P)`` for the cordons ``which`` ``(W,)`` (indices).

    ``J_c / X_c`` with ``J_c = X_c - (U' - U)``: ``U`` the system's union of the cordons ``with_charged``
    ``(D, C)`` (:func:`system_weights`), ``U'`` the union with cordon ``c`` added; what ``c`` adds are the trips
    crossing it and none of the others. A cordon's crossers are its owner's residents and the trips into its
    owner, so only the owner's cordons of the set count (:func:`.cordon_crossing.owner_union`). 1 for a cordon of
    the set itself (and, to rounding, for one on the line of a cordon of the set), 0 where its crossers cross none
    of them or nobody crosses it. ``crossings`` ``(D, C, M, Z, P)`` as in :class:`.transport_state.Geography`.
    """
    out = np.zeros((crossings.shape[0], len(which)) + crossings.shape[2:])
    for pattern, rows in _patterns(with_charged):
        part = functools.partial(_owner_part, split=split[rows], delta=dest_zone_share[rows])
        alone = {}   # each owner's part of the set, computed once for its cordons of ``which``
        for j, c in enumerate(which):
            cordon = cordons[c]
            crossed = crossings[rows, c]
            if pattern[c]:
                out[rows, j] = crossed > 0
                continue
            group = [cordons[i] for i in np.flatnonzero(pattern) if cordons[i].municipality == cordon.municipality]
            if not group:
                continue
            if cordon.municipality not in alone:
                alone[cordon.municipality] = part(group)
            grown = part(group + [cordon]) - alone[cordon.municipality]
            joint = np.clip(crossed - grown, 0.0, crossed)
            out[rows, j] = np.divide(joint, crossed, out=np.zeros(crossed.shape), where=crossed > 0)
    return out


def _owner_part(group: list, split: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """The owner's part of the system shares of its cordons ``group`` ``(D, M, Z, P)``: its residents' row from
    their own system, the others' rows from the others' (:func:`.cordon_crossing.owner_union`)."""
    mine, into = cordon_crossing.owner_union(group, split, delta)
    out = np.array(into)
    out[:, dims.index(dims.MUNICIPALITIES, group[0].municipality)] = mine
    return out


def toll_per_trip(paid: np.ndarray, prices: np.ndarray, is_charged: np.ndarray, waived: np.ndarray | None = None,
                  pairs: np.ndarray | None = None) -> np.ndarray:
    """Expected toll of a one-way light-vehicle trip by fuel and period [NOK/trip], ``(D, M, Z, P, T, F)``.

    ``sum_c paid_c x price_c - sum_g waived_g x min(price_a, price_b)`` with paid passages per one-way
    trip ``(D, C, M, Z, P)``, the light-vehicle prices of :func:`cordon_prices`, and for each pair ``g``
    of cordons ``(a, b)`` that share an hour rule (``pairs`` ``(G, 2)``) the passages it waives
    ``(D, G, M, Z, P)`` (:func:`framtid.model.cordon_crossing.waived_matrix`): a trip crossing both pays the
    dearer passage only. Example: 1 paid passage of 27 NOK and 1 of 21 NOK, both crossed by the same trip
    under one hour rule: 27 + 21 - 21 = 27 NOK.
    """
    light = light_prices(prices, is_charged)                                            # (D, C, F, T)
    out = _per_trip(paid, light)
    if waived is not None and len(pairs):
        out -= _per_trip(waived, cheaper_passage(light, pairs))
    return out


def light_prices(prices: np.ndarray, is_charged: np.ndarray) -> np.ndarray:
    """The light-vehicle prices ``(D, C, F, T)`` [NOK/passage] of :func:`cordon_prices`, 0 where a cordon does
    not charge light fossil vehicles (``is_charged`` ``(D, C)``, :func:`charged`)."""
    return prices[:, :, LIGHT] * is_charged[:, :, None, None]


def cheaper_passage(light: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The cheaper light-vehicle price of each pair of cordons ``(D, G, F, T)`` from the prices ``(D, C, F, T)``
    (0 where a cordon does not charge) and the pairs' cordon indices ``(G, 2)``: what an hour rule waives."""
    return np.minimum(light[:, pairs[:, 0]], light[:, pairs[:, 1]])


def _per_trip(passages: np.ndarray, light: np.ndarray) -> np.ndarray:
    """``sum_c passages_c x light_c`` ``(D, C, M, Z, P) x (D, C, F, T) -> (D, M, Z, P, T, F)``."""
    d, c = passages.shape[:2]
    # One matrix product per draw, (M Z P, C) x (C, T F): einsum without BLAS is many times slower.
    out = np.matmul(np.swapaxes(passages.reshape(d, c, -1), 1, 2), np.swapaxes(light, 2, 3).reshape(d, c, -1))
    return out.reshape(passages.shape[:1] + passages.shape[2:] + light.shape[-1:] + light.shape[-2:-1])


def fleet_average(by_fuel: np.ndarray, fuel_mix: np.ndarray) -> np.ndarray:
    """Average over toll fuels with the car fleet's shares of vkm ``(D, M, F)``: ``(..., F) -> (...)``.

    ``by_fuel`` has axes ``(D, M, ..., F)``."""
    # A matrix product per (D, M): a product broadcast along the short fuel axis and summed over it is slower.
    lead = by_fuel.shape[:2]
    out = np.matmul(by_fuel.reshape(lead + (-1, by_fuel.shape[-1])), fuel_mix[..., None])
    return out.reshape(by_fuel.shape[:-1])


def cordon_blocks(crossed: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Runs of cordons and the range of municipalities whose residents cross them, ``(c0, c1, m0, m1)``: every
    cordon ``c0 <= c < c1`` is crossed by residents of municipalities ``m0 <= m < m1`` only. ``crossed`` ``(C, M)``
    (bool) holds which municipalities' residents cross each cordon; cordons crossed by nobody are in no run.

    A cordon is crossed from its own municipality and a few around it, so the runs cover a small part of the
    cordon-municipality pairs (:func:`passages` sums over them alone). The runs must not depend on the draws
    of a chunk, or a draw's sums would differ by chunk: ``crossed`` comes from the commuting data and the
    cordons' zones, the same in every draw (were it ever sampled, take it over the ensemble, not the chunk)."""
    crossed = np.asarray(crossed, dtype=bool)
    # The same few arrays come every year (by the geography and its slices): their runs are found once.
    return list(_blocks_of(crossed.shape, crossed.tobytes()))


@functools.lru_cache(maxsize=64)
def _blocks_of(shape: tuple[int, int], crossed: bytes) -> tuple[tuple[int, int, int, int], ...]:
    """:func:`cordon_blocks` of the bool array ``shape`` with the bytes ``crossed``."""
    blocks: list[list[int]] = []
    for c, row in enumerate(np.frombuffer(crossed, dtype=bool).reshape(shape)):
        where = np.flatnonzero(row)
        if where.size == 0:
            continue
        m0, m1 = int(where[0]), int(where[-1]) + 1
        last = blocks[-1] if blocks else None
        if last is not None and last[1] == c and m0 < last[3] and last[2] < m1:   # next cordon, overlapping range
            last[1], last[2], last[3] = c + 1, min(last[2], m0), max(last[3], m1)
        else:
            blocks.append([c, c + 1, m0, m1])
    return tuple((c0, c1, m0, m1) for c0, c1, m0, m1 in blocks)


def passages(trips: np.ndarray, paid: np.ndarray, car_share_crossing: np.ndarray,
             crossed: np.ndarray | None = None) -> np.ndarray:
    """Car passages of each cordon by residents of the 13 municipalities [passages/yr], ``(D, C, T)``.

    ``sum_{m,z,p} N[m,z,p,t] paid_c[m,z,p] Pcar_cross[m,z,p,t]``: trips ``(D, M, Z, P, T)``
    [trips/yr] of each group, paid passages per trip ``(D, C, M, Z, P)`` and the car-driver share
    among the group's crossing trips ``(D, M, Z, P, T)``. ``crossed`` ``(C, M)`` (bool), where given: the
    municipalities whose residents may pay at each cordon (``paid`` is 0 elsewhere); the sums then run over
    those alone (:func:`cordon_blocks`), a few times fewer terms.
    """
    crossing = trips * car_share_crossing
    d, c = paid.shape[:2]
    t = crossing.shape[-1]
    if crossed is None or c < 2 or t < 2:
        # One matrix product per draw, (C, M Z P) x (M Z P, T): einsum without BLAS is many times slower.
        return np.matmul(paid.reshape(d, c, -1), crossing.reshape(d, -1, t))
    out = np.zeros((d, c, t))
    for c0, c1, m0, m1 in cordon_blocks(crossed):
        # The terms left out are zeros. A lone cordon is multiplied together with a neighbour (over its own
        # municipalities; that row is not kept): numpy multiplies a single row by BLAS's matrix-vector product,
        # which adds the terms in another order than the matrix product, so a cordon's passages would depend on
        # whether it shares its run (a copy of a shipped cordon runs as the shipped one, to the bit:
        # tests/test_scenario_cordons.py).
        r0 = c0 if c1 - c0 > 1 else min(c0, c - 2)
        r1 = max(c1, r0 + 2)
        product = np.matmul(paid[:, r0:r1, m0:m1].reshape(d, r1 - r0, -1), crossing[:, m0:m1].reshape(d, -1, t))
        out[:, c0:c1] = product[:, c0 - r0:c1 - r0]
    return out


def per_owner(by_cordon: np.ndarray, owner: np.ndarray, n_municipalities: int) -> np.ndarray:
    """Sum a cordon axis (axis 1) into the owners' municipalities: ``(D, C, ...) -> (D, M, ...)``."""
    out = np.zeros((by_cordon.shape[0], n_municipalities) + by_cordon.shape[2:])
    # np.add.at adds the cordons into their owners' rows one after the other in cordon order, as the loop
    # below does: the same sums. For a few draws it is the cheaper; for many, a product with the
    # cordon-to-owner indicator and np.add.at are slower than adding cordon by cordon.
    if out[:, 0].size <= FEW_VALUES:
        np.add.at(out, (slice(None), owner), by_cordon)
        return out
    for c, m in enumerate(owner):
        out[:, m] += by_cordon[:, c]
    return out


def freight_fuel_factor(price_index: np.ndarray, diesel_share: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
    """vkm of vans or heavy vehicles relative to the 2009 diesel price [1] (methods §1.6: fuel-price elasticity of
    freight vkm -0.05 to -0.2): ``(1 + s (x - 1))^e`` with ``x`` the real diesel price against 2009 and ``s`` the
    diesel share of the class's vkm (zero-emission vans and trucks do not pay it). Arguments broadcast.
    Example: x = 1.1, s = 1, e = -0.1 give 1.1^-0.1 = 0.99051; s = 0.5 gives 1.05^-0.1 = 0.99513.
    """
    return power(1.0 + diesel_share * (price_index - 1.0), elasticity)


def freight_vkm_factor(toll_per_vkm: np.ndarray, toll_per_vkm_base: np.ndarray, operating_cost: np.ndarray,
                       elasticity: np.ndarray) -> np.ndarray:
    """vkm of vans or heavy vehicles relative to the 2009 toll situation [1].

    A constant elasticity to the operating cost per vkm (methods §1.6: -0.05 to -0.2 for
    freight): ``((c0 + tau) / (c0 + tau_2009))^e`` with ``c0`` [NOK/vkm] the operating cost
    without tolls and ``tau`` the tolls paid per vkm. Arguments broadcast.
    """
    return power((operating_cost + toll_per_vkm) / (operating_cost + toll_per_vkm_base), elasticity)
