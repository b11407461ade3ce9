"""The crossing rule: how many times a resident's car trip crosses each toll cordon, and pays (methods §1.4).

Methods §1.4 ("recommended here") replaces a network assignment by (a) the share of a region's car trips
crossing each cordon; this module gives that share, per one-way car trip, for residents of each municipality,
zone type and purpose, from the commuting shares and the cordons' inside shares by zone type.

A one-way car trip has one end at home and the other end in the destination municipality, in zone type ``d``
with probability ``delta_d``. Each end lies inside the cordon independently with its zone type's inside
share (``I_z``, :attr:`cordons.Cordon.inside_share`), and the trip crosses the cordon when its two ends lie on
different sides::

    P_z = sum_d delta_d [H_z (1 - D_d) + (1 - H_z) D_d]

with ``H = I`` for a home in the owner and ``H = 0`` elsewhere, ``D = I`` for a destination in the owner and
``D = 0`` elsewhere. So an owner-internal trip crosses with ``sum_d delta_d [I_z (1 - I_d) + (1 - I_z) I_d]``,
a trip from another municipality into the owner with ``sum_d delta_d I_d`` and a trip out of the owner with
``I_z``. Trips between two other municipalities do not cross (transit through a third municipality is not
modelled; it is part of the cordon's ``external_passage_ratio``). Trips ending at home cross exactly when the
trip out did, so the rule holds for both legs of a home-based tour. A cordon charged inbound only is paid on
one leg of a round trip that crosses it (direction factor 0.5); one charged both ways on both (1).

Where trips go is :func:`commute_matrix` (the commuting shares of a year) and :func:`destination_split` (by
purpose); :func:`crossing_probability` is ``P_z`` and :func:`crossing_matrix` sums it over destinations for
every cordon. The rule is apart from the data (:mod:`cordons`, which reads and checks the embedded files and
raises :class:`DataError` naming file, line and column) because it is arithmetic on whatever cordons and
commuting shares it is given: the embedded ones, a scenario's own cordons, or the rows
``tools/build_cordons.py`` is building (it calibrates Oslo's inside shares with the rule before it writes
them). Every function is pure (numpy in, numpy out).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import dims
from .cordons import DIRECTION_FACTOR, CommuteShare, Cordon


def commute_matrix(records: Sequence[CommuteShare], year: int) -> np.ndarray:
    """Share of the employed residents of each municipality working in each other one [1].

    Returns ``(M, M)`` in the order of ``dims.MUNICIPALITIES`` (rows: home). Each pair
    takes the record whose year is nearest to ``year`` (the earlier on a tie): shares
    are held constant outside the years the data cover. Pairs without a record are 0.
    The diagonal is what is left, ``1 - sum of the row``: working in the home
    municipality or outside the 13.
    """
    m = len(dims.MUNICIPALITIES)
    out = np.zeros((m, m))
    best: dict[tuple[str, str], CommuteShare] = {}
    for r in records:
        key = (r.home, r.work)
        if key not in best or (abs(r.year - year), r.year) < (abs(best[key].year - year), best[key].year):
            best[key] = r
    for (home, work), r in best.items():
        out[dims.index(dims.MUNICIPALITIES, home), dims.index(dims.MUNICIPALITIES, work)] = r.share
    out[np.diag_indices(m)] = 1.0 - out.sum(axis=1)
    return out


def destination_split(commute_share: np.ndarray, other_purpose_factor) -> np.ndarray:
    """Share of residents' one-way trips by purpose going to each municipality [1].

    ``S[h, commute, n] = c[h, n]`` and ``S[h, p, n] = f c[h, n]`` for errands and leisure
    (``n != h``), with ``c`` the off-diagonal commuting shares (the diagonal of
    ``commute_share`` is ignored) and ``f`` = ``other_purpose_factor`` [1]: errand and
    leisure trips leave the municipality ``f`` times as often as commute trips. The
    diagonal is the internal share, ``1 - sum of the rest``, so rows sum to 1. Trips to
    places outside the 13 count as internal (the model has no geography there).
    commute_share ``(M, M)``; ``f`` a scalar or an array of leading (e.g. draw) axes.
    Returns ``f.shape + (M, P, M)`` with P = ``dims.PURPOSES``. Raises ValueError if a
    row's outside share would exceed 1.
    """
    c = np.array(commute_share, dtype=float)
    np.fill_diagonal(c, 0.0)
    f = np.asarray(other_purpose_factor, dtype=float)
    factor = np.stack([np.ones_like(f)] + [f] * (len(dims.PURPOSES) - 1), axis=-1)   # (..., P)
    split = factor[..., None, :, None] * c[:, None, :]                                 # (..., M, P, M)
    outside = split.sum(axis=-1)
    if np.any(outside > 1.0) or np.any(split < 0.0):
        raise ValueError("commuting shares times other_purpose_factor leave a negative internal share")
    home = np.arange(c.shape[0])
    split[..., home, :, home] = np.moveaxis(1.0 - outside, -2, 0)
    return split


def crossing_probability(inside_home: np.ndarray, inside_dest: np.ndarray,
                         dest_zone_share: np.ndarray) -> np.ndarray:
    """Probability that a one-way trip from a home in zone type z crosses the cordon [1].

    ``P_z = sum_d delta_d [H_z (1 - D_d) + (1 - H_z) D_d]`` with ``H`` the inside shares
    at the home end, ``D`` at the destination end (0 where that end lies in another
    municipality than the owner) and ``delta`` the share of trip ends in each zone
    type, summing to 1. All ``(..., Z)``; returns ``(..., Z)``.
    """
    home = np.asarray(inside_home, dtype=float)
    dest_inside = (np.asarray(dest_zone_share, dtype=float) * np.asarray(inside_dest, dtype=float)).sum(axis=-1)
    return home * (1.0 - dest_inside[..., None]) + (1.0 - home) * dest_inside[..., None]


def crossing_matrix(cordons: Sequence[Cordon], split: np.ndarray,
                    dest_zone_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected crossings and paid passages per one-way car trip, by cordon [1].

    ``X[c, h, z, p] = sum_n S[h, p, n] P_c(h, n, z)`` with ``S`` from
    :func:`destination_split` ``(..., M, P, M)`` and ``P_c`` from
    :func:`crossing_probability` for residents of ``h`` in zone type ``z`` travelling to
    ``n`` (only the owner's own trips and its trips with ``cordon.exchange_with`` can
    cross). Paid passages are ``X`` times the direction factor (0.5 inbound, 1 both).
    dest_zone_share ``(..., Z)``. Returns ``(crossings, paid)``, each ``(..., C, M, Z, P)``.
    """
    delta = np.asarray(dest_zone_share, dtype=float)

    def probability(home, destination):
        return crossing_probability(home[0], destination[0], delta)

    crossings = _summed(split, delta, [_cases(c.municipality, c.exchange_with, (np.array(c.inside_share),),
                                              probability) for c in cordons])
    factor = np.array([DIRECTION_FACTOR[c.charged_direction] for c in cordons])
    return crossings, crossings * factor[:, None, None, None]


def _cases(owner: str, exchange: Sequence[str], inside: tuple, probability) -> list[tuple]:
    """(home, destination, probability ``(..., Z)``) of the trips that can cross a cordon (or a pair of them):
    the owner's own trips and its trips to and from the municipalities of ``exchange``. ``probability``
    takes the home end's and the destination end's inside shares (each a tuple like ``inside``; zeros at an
    end in another municipality)."""
    outside = tuple(np.zeros_like(x) for x in inside)
    o = dims.index(dims.MUNICIPALITIES, owner)
    out = [(o, o, probability(inside, inside))]
    for other in exchange:
        n = dims.index(dims.MUNICIPALITIES, other)
        out += [(o, n, probability(inside, outside)), (n, o, probability(outside, inside))]
    return out


def _summed(split: np.ndarray, delta: np.ndarray, cases: list[list[tuple]]) -> np.ndarray:
    """``sum_n S[h, p, n] P(h, n, z)`` for each list of :func:`_cases`: ``(..., len(cases), M, Z, P)``.

    Only a few (home, destination) pairs can cross a cordon: the owner's own trips and its exchange with
    its neighbours. Summing those pairs alone spares a dense (C, M, M, Z) array of mostly zeros."""
    split = np.asarray(split, dtype=float)
    m, z, p = len(dims.MUNICIPALITIES), len(dims.ZONES), split.shape[-2]
    lead = np.broadcast_shapes(split.shape[:-3], delta.shape[:-1])
    out = np.zeros(lead + (len(cases), m, z, p))
    for k, found in enumerate(cases):
        for home, destination, probability in sorted(found, key=lambda x: x[:2]):
            out[..., k, home, :, :] += (split[..., home, None, :, destination]
                                        * np.broadcast_to(probability, lead + (z,))[..., :, None])
    return out


def end_states(inside_1: np.ndarray, inside_2: np.ndarray) -> tuple[np.ndarray, ...]:
    """Probabilities that a trip end lies inside both of two cordons of one owner, inside only the first,
    only the second, and inside neither [1], from their inside shares ``(..., Z)``: the cordon with the
    smaller share lies inside the other (nested cordons, as :func:`tolls.system_weights` takes them), so
    ``both = min(I_1, I_2)``."""
    both = np.minimum(inside_1, inside_2)
    return both, inside_1 - both, inside_2 - both, 1.0 - inside_1 - inside_2 + both


def joint_crossing_probability(home_1: np.ndarray, home_2: np.ndarray, dest_1: np.ndarray, dest_2: np.ndarray,
                               dest_zone_share: np.ndarray) -> np.ndarray:
    """Probability that a one-way trip from a home in zone type z crosses both of two cordons of one owner [1].

    It crosses a cordon when its ends lie on different sides, so it crosses both when the two ends differ
    in both: ``P_z = h11 q00 + h00 q11 + h10 q01 + h01 q10`` with ``h`` the home end's states
    (:func:`end_states` of the inside shares ``home_1``, ``home_2``, 0 where the home lies in another
    municipality) and ``q`` the destination end's, averaged over its zone types (``dest_zone_share``).
    Two equal cordons give :func:`crossing_probability`. All ``(..., Z)``; returns ``(..., Z)``.
    """
    delta = np.asarray(dest_zone_share, dtype=float)
    h = end_states(np.asarray(home_1, dtype=float), np.asarray(home_2, dtype=float))
    q = [(delta * s).sum(axis=-1)[..., None] for s in end_states(np.asarray(dest_1, dtype=float),
                                                                 np.asarray(dest_2, dtype=float))]
    return h[0] * q[3] + h[3] * q[0] + h[1] * q[2] + h[2] * q[1]


def waived_matrix(cordons: Sequence[Cordon], pairs: Sequence[tuple[int, int]], split: np.ndarray,
                  dest_zone_share: np.ndarray) -> np.ndarray:
    """Paid passages per one-way car trip that an hour rule waives, by pair of cordons sharing one [1].

    A trip crossing both cordons of a pair pays the dearer passage only (the Norwegian "timesregel"), so
    ``W[g, h, z, p] = sum_n S[h, p, n] P_g(h, n, z) min(f_1, f_2)`` of the pair's cheaper passage is not
    paid: ``P_g`` from :func:`joint_crossing_probability` over the (home, destination) pairs whose trips
    can cross both cordons (the owner's own trips and its exchange with the municipalities both cordons
    exchange with), ``f`` the direction factors (on an inbound cordon only the inbound leg pays). The
    pair's cordons share their owner (:func:`cordons.hour_rule_problem`). Returns ``(..., G, M, Z, P)``.
    """
    delta = np.asarray(dest_zone_share, dtype=float)

    def probability(home, destination):
        return joint_crossing_probability(home[0], home[1], destination[0], destination[1], delta)

    cases = []
    for i, j in pairs:
        a, b = cordons[i], cordons[j]
        both = sorted(set(a.exchange_with) & set(b.exchange_with), key=dims.MUNICIPALITIES.index)
        cases.append(_cases(a.municipality, both, (np.array(a.inside_share), np.array(b.inside_share)), probability))
    factor = np.array([min(DIRECTION_FACTOR[cordons[k].charged_direction] for k in pair) for pair in pairs])
    return _summed(split, delta, cases) * factor.reshape(-1, 1, 1, 1)


def nested_union(inside: np.ndarray, dest_zone_share: np.ndarray) -> np.ndarray:
    """Probability that a trip within the owner from a home in zone type z crosses at least one of nested
    cordons [1].

    The cordons' inside shares ``inside`` ``(K, Z)`` cut every zone type into K + 1 levels (inside the
    innermost, between two cordons, outside all; nested: sorted by share in each zone type, the smaller lies
    inside the larger), and the trip's two ends lie at a level each, independently, as in
    :func:`crossing_probability`. It crosses at least one cordon when its ends lie at different levels:
    ``U_z = 1 - sum_l h_zl q_l`` with ``h_zl`` the home end's level probabilities and ``q_l = sum_d delta_d
    h_dl`` the destination end's (``dest_zone_share`` ``(..., Z)``). One cordon gives
    :func:`crossing_probability`. Example, one zone type: cordons at 0.2 and 0.6 give levels 0.2 / 0.4 / 0.4,
    ``U = 1 - (0.04 + 0.16 + 0.16) = 0.64`` (the larger cordon alone: 0.48). Returns ``(..., Z)``.
    """
    bounds = np.sort(np.asarray(inside, dtype=float), axis=0)
    edges = np.concatenate([np.zeros_like(bounds[:1]), bounds, np.ones_like(bounds[:1])])
    levels = np.diff(edges, axis=0).T                                                   # (Z, L)
    # Sums over the short axes, not matrix products: a draw's figures must not depend on how many draws share
    # the call (a product's blocking may).
    destination = (np.asarray(dest_zone_share, dtype=float)[..., :, None] * levels).sum(axis=-2)   # (..., L)
    return 1.0 - (destination[..., None, :] * levels).sum(axis=-1)


def system_union(cordons: Sequence[Cordon], split: np.ndarray,
                 dest_zone_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shares of one-way trips crossing at least one of ``cordons`` (the charged ones of a year), of the
    residents' own municipality's and of another's [1], each ``(..., M, Z, P)``.

    The cordons of one owner are nested (:func:`nested_union`). A resident's trip within the owner crosses
    at least one with ``U_z``; a trip out of it to a municipality ``n`` when its home lies inside the widest
    of the cordons that exchange trips with ``n`` (``max_c I_cz``: a ring on the city boundary holds every
    home); a trip of a resident of ``n`` into the owner when its destination does (``sum_d delta_d max_c
    I_cd``). Trips into two other municipalities go to different places, so the others' shares add up over
    owners (:func:`owner_union` is one owner's part). With one cordon per owner, the shares are
    :func:`crossing_matrix`'s crossings. ``split`` of :func:`destination_split` ``(..., M, P, M)``;
    ``dest_zone_share`` ``(..., Z)``.
    """
    split = np.asarray(split, dtype=float)
    delta = np.asarray(dest_zone_share, dtype=float)
    m, z, p = len(dims.MUNICIPALITIES), len(dims.ZONES), split.shape[-2]
    lead = np.broadcast_shapes(split.shape[:-3], delta.shape[:-1])
    own, other = np.zeros(lead + (m, z, p)), np.zeros(lead + (m, z, p))
    for owner in sorted({c.municipality for c in cordons}, key=dims.MUNICIPALITIES.index):
        o = dims.index(dims.MUNICIPALITIES, owner)
        mine, into = owner_union([c for c in cordons if c.municipality == owner], split, delta)
        own[..., o, :, :] += mine
        other += into
    return own, other


def owner_union(group: Sequence[Cordon], split: np.ndarray, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One owner's part of :func:`system_union`: the share of its residents' trips crossing at least one of
    its cordons ``group`` ``(..., Z, P)`` and of the other municipalities' residents' trips into it
    ``(..., M, Z, P)`` (0 for the owner's own row)."""
    o = dims.index(dims.MUNICIPALITIES, group[0].municipality)
    inside = np.array([c.inside_share for c in group])                                         # (K, Z)
    # The widest cordon that exchanges trips with each municipality (0 where none does; the owner's own row
    # is 0: its trips within are the nest's).
    reach = np.array([[n in c.exchange_with for c in group] for n in dims.MUNICIPALITIES])     # (M, K)
    widest = np.max(np.where(reach[:, :, None], inside[None], 0.0), axis=1)                    # (M, Z)
    within = nested_union(inside, delta)                                                        # (..., Z)
    mine = within[..., :, None] * split[..., o, None, :, o]                                     # (..., Z, P)
    # out of the owner to each other municipality: summed over destinations (the last, contiguous axis)
    mine += (split[..., o, None, :, :] * widest.T[:, None, :]).sum(axis=-1)
    into = (delta[..., None, :] * widest).sum(axis=-1)                                          # (..., M)
    other = into[..., :, None, None] * split[..., :, None, :, o]                                # (..., M, 1, P)
    return mine, np.broadcast_to(other, other.shape[:-2] + (len(dims.ZONES), other.shape[-1]))
