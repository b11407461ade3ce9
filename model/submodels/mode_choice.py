"""Passenger trips and mode choice: generalised cost and the pivot-point logit (methods §1.2-1.4).

Residents of each ABC zone make trips by purpose (``dims.PURPOSES``) and period
(``dims.PERIODS``). The split over ``dims.MODES`` is a multinomial logit applied in
pivot-point (incremental) form: the observed base-year shares ``P0`` are kept, and a
measure acts only through the *change* in generalised cost relative to the base year,

    P1[m] = P0[m] exp(dV[m]) / sum_j P0[j] exp(dV[j]),   dV[m] = beta * dGC[m]   (methods §1.2)

with the cost coefficient ``beta`` [1/NOK] calibrated per purpose from a target
elasticity, ``beta = e / (x (1 - P0))``. Tolls act only on trips that cross a charged
cordon; those trips form their own segment. Short- and long-run responses differ by
partial adjustment (methods §1.3).

Every function is pure: numpy arrays in, numpy arrays out. Alternatives are on the
last axis.
"""

from __future__ import annotations

import numpy as np

from .powers import power


DAYS_PER_YEAR = 365.0
MINUTES_PER_HOUR = 60.0
MAX_EXPONENT = 700.0   # [1] below the largest argument of exp in double precision (709.8)


def logit_shares(utility: np.ndarray) -> np.ndarray:
    """Multinomial-logit choice probabilities over the last axis [1].

    ``P[m] = exp(V[m]) / sum_j exp(V[j])`` (methods §1.2). The maximum is subtracted first
    so that large utilities do not overflow.
    """
    # Maxima and sums alternative by alternative: numpy reduces a short last axis slowly. (Its own sum
    # adds fewer than eight terms in their order, so these sums are the same numbers.)
    top = utility[..., 0].copy()
    for k in range(1, utility.shape[-1]):
        np.maximum(top, utility[..., k], out=top)
    v = np.exp(utility - top[..., None])
    total = v[..., 0].copy()
    for k in range(1, v.shape[-1]):
        total += v[..., k]
    v /= total[..., None]
    return v


def pivot_point_logit(base_shares: np.ndarray, delta_utility: np.ndarray) -> np.ndarray:
    """Shares after a change in utility, pivoting on observed base shares [1].

    ``P1[m] = P0[m] exp(dV[m]) / sum_j P0[j] exp(dV[j])`` (methods §1.2, incremental logit).
    ``base_shares`` and ``delta_utility`` broadcast against each other; alternatives on the
    last axis. A zero utility change returns the base shares.
    """
    weighted = base_shares * np.exp(delta_utility - delta_utility.max(axis=-1, keepdims=True))
    return weighted / weighted.sum(axis=-1, keepdims=True)


def generalised_cost(money: np.ndarray, in_vehicle_min: np.ndarray, wait_min: np.ndarray,
                     value_of_time: np.ndarray, wait_weight: np.ndarray) -> np.ndarray:
    """Generalised cost of a trip [NOK/trip].

    ``GC = money + VoT (ivt + w_wait wait) / 60`` with money [NOK/trip], times [min/trip],
    VoT [NOK/h] and the dimensionless weight on waiting time (methods §1.2; Norwegian values
    of time: TØI 1778/2020). Arguments broadcast.
    """
    return money + value_of_time * (in_vehicle_min + wait_weight * wait_min) / MINUTES_PER_HOUR


def cost_coefficient(target_elasticity: np.ndarray, cost: np.ndarray,
                     base_share: np.ndarray) -> np.ndarray:
    """Logit cost coefficient that reproduces a target own-cost elasticity [1/NOK].

    ``beta = e / (x (1 - P0))`` where ``x`` [NOK/trip] is the cost component the elasticity
    refers to and ``P0`` the base share of the mode (methods §1.2-1.3). Inverse of
    :func:`own_cost_elasticity`.
    """
    return target_elasticity / (cost * (1.0 - base_share))


def own_cost_elasticity(beta: np.ndarray, cost: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Point elasticity of a mode's share with respect to its own cost [1].

    ``e = beta x (1 - P)`` (methods §1.2).
    """
    return beta * cost * (1.0 - share)


def partial_adjustment(previous: np.ndarray, target: np.ndarray,
                       persistence: np.ndarray) -> np.ndarray:
    """This year's shares moving part of the way from last year's towards the long-run shares [1].

    ``ln Q[t] = lambda ln Q[t-1] + (1 - lambda) ln Q*[t]`` applied to each mode share and
    renormalised over the last axis (methods §1.3), so the short-run response is
    ``(1 - lambda)`` times the long-run one. ``persistence`` is ``lambda`` in [0, 1), shaped
    to broadcast against the shares.
    """
    mixed = power(previous, persistence) * power(target, 1.0 - persistence)
    return mixed / mixed.sum(axis=-1, keepdims=True)


def trip_volumes(zone_population: np.ndarray, trip_rate: np.ndarray, purpose_share: np.ndarray,
                 peak_share: np.ndarray) -> np.ndarray:
    """Trips made by the residents of each zone, by purpose and period [trips/yr].

    ``N[z,p,t] = pop[z] * r * 365 * s_purpose[p] * s_period[p,t]``.
    zone_population ``(D, M, Z)`` [inhabitants]; trip_rate ``(D,)`` [trips/person/day];
    purpose_share ``(D, P)`` summing to 1; peak_share ``(D, P)`` share of each purpose's trips
    in the peak (the rest are off-peak). Returns ``(D, M, Z, P, T)`` with T = (peak, offpeak).
    """
    per_person = trip_rate[:, None] * DAYS_PER_YEAR * purpose_share              # (D, P)
    per_period = per_person[:, :, None] * np.stack([peak_share, 1.0 - peak_share], axis=-1)
    return zone_population[:, :, :, None, None] * per_period[:, None, None, :, :]


def headway_wait_min(headway_min: np.ndarray, service_change: np.ndarray) -> np.ndarray:
    """Mean waiting time at the stop [min/trip]: half the headway after a frequency change.

    ``wait = h0 / (2 (1 + s))`` where ``s`` is the relative change in departures per hour
    (methods §1.2: wait ~ headway/2 for headways below about 12 min; for longer headways
    travellers time their arrival, so this overstates the wait there).
    """
    return headway_min / (2.0 * (1.0 + service_change))


def cordon_segments(crossing_base: np.ndarray, crossing_now: np.ndarray,
                    toll_base: np.ndarray, toll_now: np.ndarray, both: tuple | None = None
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Split trips by whether they cross a charged cordon in the base year and now.

    Returns ``[(weight, d_toll), ...]`` for the four segments. Without ``both``, assuming the cordon that
    is crossed by fewer trips lies inside the other (nested cordons), and every crossing trip paying the
    average toll of its year:

    ========================  ==============================  =====================
    segment                   weight                          toll change [NOK/trip]
    ========================  ==============================  =====================
    crosses both              min(c0, c1)                     toll1 - toll0
    crosses only now          c1 - min(c0, c1)                toll1
    crossed only in base      c0 - min(c0, c1)                -toll0
    crosses neither           1 - max(c0, c1)                 0
    ========================  ==============================  =====================

    ``both`` = (share ``b`` crossing in both years, the toll per trip of those trips in the base year
    ``toll0_b`` and now ``toll1_b``): the first segment is ``b`` at ``toll1_b - toll0_b``, the trips crossing
    only now pay the rest of the year's tolls, ``(c1 toll1 - b toll1_b) / (c1 - b)``, those that crossed only
    in the base year the rest of its, and ``1 - c0 - c1 + b`` cross neither (:mod:`.toll_groups`).

    crossing shares ``c0``, ``c1`` [1] and tolls [NOK/crossing] must broadcast together;
    weights sum to 1. Tolls enter only the crossing segments (methods §1.4); the last segment's
    toll change is the scalar 0.
    """
    if both is None:
        shared = np.minimum(crossing_base, crossing_now)
        return [
            (shared, toll_now - toll_base),
            (crossing_now - shared, toll_now),
            (crossing_base - shared, -toll_base),
            (1.0 - np.maximum(crossing_base, crossing_now), 0.0),
        ]
    shared, toll_base_shared, toll_now_shared = both
    return [
        (shared, toll_now_shared - toll_base_shared),
        (crossing_now - shared, _rest(crossing_now, toll_now, shared, toll_now_shared)),
        (crossing_base - shared, -_rest(crossing_base, toll_base, shared, toll_base_shared)),
        (1.0 - crossing_base - crossing_now + shared, 0.0),
    ]


def _rest(weight: np.ndarray, toll: np.ndarray, part: np.ndarray, toll_part: np.ndarray) -> np.ndarray:
    """The toll per trip of the trips ``weight - part`` that are not in ``part``: ``(w t - p t_p) / (w - p)``,
    0 where there are none (at least 0: rounding)."""
    rest = weight - part
    out = np.divide(weight * toll - part * toll_part, rest, out=np.zeros(np.broadcast_shapes(
        np.shape(toll), np.shape(rest))), where=rest > 1e-12)
    return np.maximum(out, 0.0, out=out)


def segment_mixture(base_shares: np.ndarray, delta_utility: np.ndarray, car_alternative: int,
                    segments: list[tuple[np.ndarray, np.ndarray]], beta: np.ndarray) -> np.ndarray:
    """Shares of a population split into toll segments, each answering its own toll change [1].

    ``P = sum_s w_s pivot(P0, dV + beta dToll_s on the car alternative)``. ``segments`` comes
    from :func:`cordon_segments` with weights and toll changes already shaped like
    ``delta_utility[..., 0]``; ``beta`` [1/NOK] broadcasts to the same shape.
    """
    mixed = 0.0
    for weight, d_toll in segments:
        if not weight.any():  # e.g. no cordon anywhere: skip the empty segments
            continue
        dv = delta_utility.copy()
        dv[..., car_alternative] += beta * d_toll
        mixed = mixed + weight[..., None] * pivot_point_logit(base_shares, dv)
    return mixed


def bpr_time_ratio(volume_ratio: np.ndarray, volume_capacity: np.ndarray, alpha: np.ndarray,
                   beta: np.ndarray) -> np.ndarray:
    """Travel time relative to the base when car volume changes by ``volume_ratio`` [1].

    BPR curve ``t = t0 (1 + alpha (V/C)^beta)`` (Bureau of Public Roads 1964; methods §1.4),
    so ``t1 / t_base = (1 + alpha (x v)^beta) / (1 + alpha v^beta)`` with ``v`` the base
    volume-capacity ratio and ``x`` the volume relative to the base. Arguments broadcast.
    """
    return (1.0 + alpha * power(volume_ratio * volume_capacity, beta)) / (1.0 + alpha * power(volume_capacity, beta))


def volume_ratio(car_trips: np.ndarray, base_trips: np.ndarray, population_growth: np.ndarray,
                 network_growth: np.ndarray) -> np.ndarray:
    """Car traffic against the roads' capacity relative to the base [1]: the car-driver trips ``car_trips`` over
    ``base_trips``, those the same residents would make at the base's car-driver shares, times
    ``(N / N_base) ** (1 - e)`` with ``population_growth`` N / N_base and ``network_growth`` e, the elasticity of
    the roads' capacity to the population (``transport.road_network_growth``): at e = 1 the roads grow with the
    city and population growth alone congests nothing (the plain ratio, to the bit: x ** 0 is 1), at e = 0 the
    base network carries every new resident's car trips too. Arguments broadcast."""
    return car_trips / np.maximum(base_trips, np.finfo(float).tiny) * power(population_growth, 1.0 - network_growth)


def expected_volume_ratio(expected_before: np.ndarray, met_before: np.ndarray, learning: np.ndarray) -> np.ndarray:
    """The car volume relative to the base that travellers expect this year [1]: last year's expectation
    moved a share ``learning`` (omega) of the way, in logs, towards the volume they met last year,
    ``x_exp,t = x_exp,t-1^(1 - omega) x_t-1^omega``.

    Year-to-year learning of travel times by exponential smoothing, the process model of route and
    mode choice dynamics (Horowitz 1984, Transp. Res. B 18(1); Cascetta 1989, Transp. Res. B 23(1)).
    With ``omega = 1`` travellers expect last year's congestion, and where the time rises steeply
    with volume (BPR near capacity) each year overshoots the last into a two-year cycle; smoothing
    keeps the same steady state, the volume at which expected and met congestion agree. Arguments
    broadcast.
    """
    # (power: learning is 0.5 at its default, an exponent numpy would take as a square root in a run of one draw)
    return power(expected_before, 1.0 - learning) * power(met_before, learning)


def pivot_logsum(base_shares: np.ndarray, delta_utility: np.ndarray) -> np.ndarray:
    """Change in the logsum (expected maximum utility) of a pivoted choice [1].

    ``dLS = ln sum_m P0[m] exp(dV[m])`` (Ben-Akiva & Lerman 1985; methods §1.2): zero when
    nothing changes, ``dV`` when every alternative changes by ``dV``. Alternatives on the last
    axis, which is summed away.
    """
    top = delta_utility.max(axis=-1, keepdims=True)
    return np.log((base_shares * np.exp(delta_utility - top)).sum(axis=-1)) + top[..., 0]


def pivot_weights(base_shares: np.ndarray, delta_utility: np.ndarray, varying: int, axis: int = -1,
                  unchanged: tuple = (), out: tuple | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The terms of a pivot-point logit that segments sharing all but one alternative have in common.

    ``w[m] = P0[m] exp(dV[m] - top)`` for every alternative but ``varying``, whose weight is 0,
    with ``top = max_(m != varying) dV[m]`` (subtracted so that no exponential overflows).
    Alternatives on ``axis`` of both arrays. Returns ``(top, w)``, ``top`` without that axis;
    :func:`pivot_varying_alternative` completes each segment's choice. The alternatives in
    ``unchanged`` have ``dV = 0`` everywhere (their rows of ``delta_utility`` are not read), so their
    weights share one exponential. ``out``: arrays to write ``(top, w)`` into (alternatives first).
    """
    dv, p0 = delta_utility, base_shares
    if axis != 0 or np.shape(dv) != np.shape(p0):
        shape = np.broadcast_shapes(np.shape(p0), np.shape(dv))
        dv, p0 = (np.moveaxis(np.broadcast_to(x, shape), axis, 0) for x in (dv, p0))
    others = [m for m in range(dv.shape[0]) if m != varying]
    changed = [m for m in others if m not in unchanged]
    top, weights = out if out is not None else (np.empty(dv.shape[1:]), np.empty(dv.shape))
    # Maxima of a few alternatives taken pairwise: a reduction over a short axis is slow in numpy.
    candidates = [dv[m] for m in changed] + ([0.0] if len(changed) < len(others) else [])
    np.maximum(candidates[0], candidates[-1], out=top)
    for x in candidates[1:-1]:
        np.maximum(top, x, out=top)
    weights[varying, ...] = 0.0
    shared = None   # exp(0 - top), once for all unchanged alternatives
    for m in others:
        w = weights[m, ...]   # a view also of a single alternative's value
        if m in unchanged:
            if shared is None:
                shared = np.exp(np.subtract(0.0, top))
            np.multiply(shared, p0[m], out=w)
        else:
            np.exp(np.subtract(dv[m], top, out=w), out=w)
            w *= p0[m]
    return top, (weights if axis == 0 else np.moveaxis(weights, 0, axis))


def pivot_varying_alternative(base_share: np.ndarray, delta_utility: np.ndarray, top_rest: np.ndarray,
                              weight_rest: np.ndarray, out: tuple | None = None
                              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pivot-point logit of a segment in which one alternative has its own utility change [1].

    The other alternatives' weights ``w_m = P0_m exp(dV_m - top_rest)`` (:func:`pivot_weights`),
    summed in ``weight_rest``, are shared by every segment. With the alternative's weight
    ``w_a = P0_a exp(dV_a - top_rest)`` and ``W = w_a + sum_m w_m``: its share ``P_a = w_a / W``,
    the other shares ``P_m = w_m f`` with ``f = 1 / W``, and the logsum change
    ``dLS = ln W + top_rest``; the same as :func:`pivot_point_logit` and :func:`pivot_logsum`
    (methods §1.2). ``dV_a = -inf`` removes the alternative; leaving an alternative out of
    ``weight_rest`` removes it too. Arguments broadcast. Returns ``(P_a, f, dLS)``, written into
    the three arrays ``out`` when given (a loop over segments then allocates nothing).
    """
    if out is None:
        shape = np.broadcast_shapes(*(np.shape(x) for x in (base_share, delta_utility, top_rest, weight_rest)))
        out = tuple(np.empty(shape) for _ in range(3))
    share, factor, logsum = out
    if np.ndim(delta_utility) == 0 and delta_utility == -np.inf:   # removed: W is the others' weight
        share[...] = 0.0
        np.divide(1.0, weight_rest, out=factor)
        return share, factor, np.add(np.log(weight_rest, out=logsum), top_rest, out=logsum)
    gap = np.subtract(delta_utility, top_rest, out=share)
    if np.max(gap) > MAX_EXPONENT:   # exp would overflow: scale every weight down by exp(gap)
        top = np.maximum(gap, 0.0)
        own, rest = base_share * np.exp(gap - top), np.exp(-top)
        total = own + rest * weight_rest
        return (np.divide(own, total, out=share), np.divide(rest, total, out=factor),
                np.add(np.log(total) + top, top_rest, out=logsum))
    own = np.multiply(base_share, np.exp(gap, out=gap), out=gap)
    total = np.add(own, weight_rest, out=logsum)
    factor = np.divide(1.0, total, out=factor)
    share = np.divide(own, total, out=own)
    logsum = np.log(total, out=total)
    return share, factor, np.add(logsum, top_rest, out=logsum)


def period_shift(base_peak_share: np.ndarray, delta_logsum_peak: np.ndarray, delta_logsum_offpeak: np.ndarray,
                 scale: np.ndarray, base_odds: np.ndarray | None = None, out: np.ndarray | None = None) -> np.ndarray:
    """Share of trips made in the peak after a change in what travel costs in each period [1].

    A binary logit of departure time above the mode choice (a nested logit, methods §1.4:
    time-of-day differentiated tolls need peak and off-peak costs), pivoted on the base share
    ``s0`` in (0, 1): ``s = s0 e^(mu dLS_peak) / (s0 e^(mu dLS_peak) + (1 - s0) e^(mu dLS_offpeak))``,
    with ``mu`` in [0, 1] the scale of the period choice relative to the mode choice (0: nobody
    changes departure time); only the difference of the two logsum changes matters. Arguments
    broadcast. ``base_odds``: :func:`peak_odds` of ``s0`` when already at hand; ``out``: the array
    to write the result into.
    """
    # s = 1 / (1 + (1 - s0) / s0 e^(mu (dLS_offpeak - dLS_peak))): one exponential.
    if out is None:
        out = np.empty(np.broadcast_shapes(*(np.shape(x) for x in (base_peak_share, delta_logsum_peak,
                                                                  delta_logsum_offpeak, scale))))
    odds = np.subtract(delta_logsum_offpeak, delta_logsum_peak, out=out)
    odds = np.exp(np.multiply(scale, odds, out=odds), out=odds)
    odds = np.multiply(peak_odds(base_peak_share) if base_odds is None else base_odds, odds, out=odds)
    return np.divide(1.0, np.add(1.0, odds, out=odds), out=odds)


def peak_odds(base_peak_share: np.ndarray) -> np.ndarray:
    """Off-peak to peak odds of the base split over periods ``(1 - s0) / s0`` [1]."""
    return (1.0 - base_peak_share) / base_peak_share


def solve_constants(utility: np.ndarray, weights: np.ndarray, target: np.ndarray,
                    tolerance: float = 1e-13, max_iterations: int = 2000) -> np.ndarray:
    """Alternative-specific constants that make weighted segment shares match a total [1].

    Finds ``c`` (shape ``(D, M, n)``) such that
    ``sum_s w_s logit(V_s + c) / sum_s w_s = target`` by the usual iteration
    ``c <- c + ln(target / modelled)`` (the way RTM-type models calibrate constants on
    observed shares). ``utility`` is ``(D, M, *segments, n)``, ``weights``
    ``(D, M, *segments)``, ``target`` broadcastable to ``(D, M, n)`` with positive shares.
    Iterates until the largest share error is below ``tolerance``.
    """
    d, m, n = utility.shape[0], utility.shape[1], utility.shape[-1]
    # Alternatives first, then the segments (flattened), draws and municipalities: (n, S, D, M), so that every
    # step below runs along contiguous slabs (numpy is several times slower along a short last axis) and
    # writes into the same arrays each iteration. The steps are those of logit_shares and of the weighted sum
    # over segments, in the same order: the constants are the same numbers.
    utility = np.ascontiguousarray(np.moveaxis(utility.reshape(d, m, -1, n), (3, 2), (0, 1)))
    w = np.ascontiguousarray(np.moveaxis(weights.reshape(d, m, -1), 2, 0))                       # (S, D, M)
    w_total = np.maximum(weights.sum(axis=tuple(range(2, weights.ndim))), np.finfo(float).tiny)  # (D, M)
    target = np.moveaxis(np.broadcast_to(target, (d, m, n)), 2, 0)                                # (n, D, M)
    constants = np.zeros((n, d, m))
    shares = np.empty(utility.shape)
    top, total = np.empty(utility.shape[1:]), np.empty(utility.shape[1:])
    # Each draw stops at its own convergence, so a draw's constants do not depend on the draws it
    # is batched with (chunked ensembles equal whole ones bit for bit).
    active = np.ones(d, dtype=bool)
    for _ in range(max_iterations):
        np.add(utility, constants[:, None], out=shares)
        np.copyto(top, shares[0])                  # logit_shares: the largest utility subtracted first
        for k in range(1, n):
            np.maximum(top, shares[k], out=top)
        np.exp(np.subtract(shares, top, out=shares), out=shares)
        np.copyto(total, shares[0])
        for k in range(1, n):
            total += shares[k]
        shares /= total
        shares *= w
        modelled = shares[:, 0].copy()             # the sum over segments, in their order
        for segment in range(1, shares.shape[1]):
            modelled += shares[:, segment]
        modelled /= w_total
        error = np.abs(modelled - target).max(axis=(0, 2))
        active &= error >= tolerance
        if not active.any():
            break
        step = np.log(target / modelled)
        constants = constants + np.where(active[:, None], step, 0.0)
    return np.ascontiguousarray(np.moveaxis(constants, 0, 2))
