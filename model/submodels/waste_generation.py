"""Household waste: generation by fraction and the treatment shares, under the levers.

This module says how much household waste a municipality generates in each fraction and
which share of each fraction goes to each treatment; :mod:`waste` accounts the emissions of
those flows and :mod:`landfill` the landfill stock. Each year (methods.md §4.1)::

    W       = P * w_2009 * (1 + lever waste_per_capita_change)       [t/yr]
    W_f     = W * c_f * (1 + a * lever food_waste_change [f = food])  [t/yr] by waste fraction
    W_food  = max(W_food, P * w_2009 * c_food * (1 - a))              [t/yr] the unavoidable food stays
    W_f,j   = W_f * S_f,j                                            [t/yr] by treatment j

``c`` is the composition of household waste, ``a`` the avoidable share of the food
fraction (``waste.food.avoidable_share``) and ``S`` the treatment shares per
fraction. The municipality's observed 2009 shares are totals over all fractions;
:func:`fit_fraction_shares` spreads them over fractions (food and garden waste can
only be treated biologically among the sorted streams, glass cannot be composted,
...). Without levers the 2009 generation per capita and shares are held (the
policies of 2009 continue). Levers on the shares act in this order: the capture rates of
separate collection (food to biological treatment, plastics to material recovery),
the minimum material-recovery share, the landfill ban (on waste of more than 10 % organic
carbon, in force in Norway since 2009; methods.md §4.1).

All functions are pure: arrays (and the parameter table) in, arrays out. Arrays over waste
fractions have the fraction axis last, in the order of ``dims.WASTE_FRACTIONS``; arrays over treatments
in the order of ``dims.TREATMENTS``.
"""

from __future__ import annotations

import numpy as np

from .. import dims
from ..levers import acting
from ..parameters import Params

FRACTIONS = dims.WASTE_FRACTIONS
MATERIAL, BIOLOGICAL, INCINERATION, LANDFILL = (
    dims.index(dims.TREATMENTS, t) for t in ("material_recovery", "biological", "incineration", "landfill"))

# Fractions that can be sorted for material recovery, and for composting or biogas.
RECYCLABLE = ("paper", "wood", "textiles", "plastics", "glass_metal", "other")
COMPOSTABLE = ("food", "garden")
# The fractions the 2009 landfill ban applies to: waste of more than 10 % total organic carbon (avfallsforskriften
# § 9-4; methods §4.1), which is every fraction with carbon (the carbon of waste.doc.* and waste.carbon_content.*:
# plastics 0.75, the mixed rest 0.3, food 0.15 t C/t), so mixed residual waste with its plastics as well as what
# decays; glass and metal may still be landfilled. (Taken as the decaying fractions alone, 8 % of household waste
# stayed landfilled for ever, a third of its plastics, against 3 % in 2023.)
BANNED = ("food", "garden", "paper", "wood", "textiles", "plastics", "other")

FOOD, PLASTICS = FRACTIONS.index("food"), FRACTIONS.index("plastics")


def _mask(labels: tuple[str, ...]) -> np.ndarray:
    """1 for the fractions in ``labels``, 0 for the others [1], ``(F,)``."""
    return np.isin(np.array(FRACTIONS), labels).astype(float)


RECYCLABLE_MASK = _mask(RECYCLABLE)
BANNED_MASK = _mask(BANNED)


def by_fraction(params: Params, prefix: str, labels: tuple[str, ...]) -> np.ndarray:
    """Parameters ``prefix.<fraction>`` for ``labels`` as a ``(D, F)`` array, 0 for other fractions."""
    out = np.zeros((params.n_draws, len(FRACTIONS)))
    out[:, [FRACTIONS.index(f) for f in labels]] = params.vector(prefix, labels)
    return out


def composition(params: Params) -> np.ndarray:
    """Mass shares of household waste by fraction, normalised to sum 1 [1], ``(D, F)``.

    Normalising keeps the shares a composition when the rows are sampled independently.
    """
    raw = params.vector("waste.composition", FRACTIONS)
    return raw / raw.sum(axis=1, keepdims=True)


def sorting_weights(params: Params) -> np.ndarray:
    """Relative propensity of each fraction to end in each treatment [1], ``(D, F, 4)``.

    Zero where a treatment cannot take the fraction; mixed residual waste goes to
    incineration or landfill whatever it contains, so those columns are 1.
    """
    weights = np.ones((params.n_draws, len(FRACTIONS), len(dims.TREATMENTS)))
    weights[:, :, MATERIAL] = by_fraction(params, "waste.sorting_weight.material_recovery", RECYCLABLE)
    weights[:, :, BIOLOGICAL] = by_fraction(params, "waste.sorting_weight.biological", COMPOSTABLE)
    return weights


def fit_fraction_shares(composition: np.ndarray, totals: np.ndarray, weights: np.ndarray,
                        tol: float = 1e-12, max_iter: int = 2000) -> np.ndarray:
    """Treatment shares per fraction consistent with the municipality's total shares [1].

    Biproportional fitting (RAS): find ``S_f,j = a_f,j u_f v_j`` with seed weights ``a``
    such that every fraction is fully treated, ``sum_j S_f,j = 1``, and the shares
    over all waste match the observed totals, ``sum_f c_f S_f,j = s_j``.

    composition: ``(D, F)``; totals: ``(D, M, 4)`` summing to 1; weights: ``(D, F, 4)``.
    Returns ``(D, M, F, 4)``. Rows always sum to 1 (mass balance); if the totals
    cannot be met (e.g. a biological share above the food and garden share) the fit
    stops at the closest proportional solution after ``max_iter`` sweeps.
    """
    seed = weights / weights.sum(axis=-1, keepdims=True)
    fitted = np.broadcast_to(seed[:, None], totals.shape[:2] + seed.shape[1:]).copy()
    # Each draw stops at its own convergence, so a draw's result does not depend on the draws it
    # is batched with (chunked ensembles equal whole ones bit for bit). The sweeps go on with the draws
    # not fitted yet alone: ``shares`` holds the rows ``todo`` of ``fitted``.
    todo = np.arange(len(fitted))
    shares, scaled = fitted.copy(), np.empty(fitted.shape)
    for _ in range(max_iter):
        # Sums over fractions and over treatments by einsum: numpy's sums over a middle or a short last
        # axis are several times slower.
        achieved = np.einsum("df,dmfj->dmj", composition, shares)
        fitting = np.abs(achieved - totals).reshape(len(todo), -1).max(axis=1) >= tol
        if not fitting.all():
            fitted[todo[~fitting]] = shares[~fitting]
            todo = todo[fitting]
            shares, composition, totals, achieved = (x[fitting] for x in (shares, composition, totals, achieved))
            scaled = scaled[:todo.size]
            if not todo.size:
                break
        scale = np.divide(totals, achieved, out=np.zeros_like(achieved), where=achieved > 0.0)
        np.multiply(shares, scale[:, :, None, :], out=scaled)
        row = np.einsum("dmfj->dmf", scaled)[..., None]
        # A fraction whose every outlet was scaled to zero keeps its previous split (unmasked, the faster
        # loop, where every fraction has an outlet left).
        positive = row > 0.0
        np.divide(scaled, row, out=shares, where=True if positive.all() else positive)
    fitted[todo] = shares   # the draws still fitting after max_iter sweeps
    return fitted


def raise_material_recovery(shares: np.ndarray, composition: np.ndarray, minimum: np.ndarray) -> np.ndarray:
    """Lever ``material_recovery_share_min``: material recovery of at least ``minimum`` of all waste.

    The missing share comes from incineration and landfill of the recyclable
    fractions, the same proportion ``theta`` of each [1]::

        theta = min(1, max(0, m - sum_f c_f S_f,MR) / sum_f c_f (S_f,inc + S_f,lf) [f recyclable])

    shares: ``(D, M, F, 4)``; composition: ``(D, F)``; minimum: ``(D, M)``. Returns new shares.
    If the recyclable residual is too small the minimum is not reached (theta = 1).
    """
    c = composition[:, None, :]
    residual = (shares[..., INCINERATION] + shares[..., LANDFILL]) * RECYCLABLE_MASK
    missing = np.maximum(minimum - (c * shares[..., MATERIAL]).sum(axis=-1), 0.0)
    available = (c * residual).sum(axis=-1)
    theta = np.minimum(np.divide(missing, available, out=np.zeros_like(missing), where=available > 0.0), 1.0)
    moved = theta[..., None] * RECYCLABLE_MASK
    out = shares.copy()
    out[..., MATERIAL] += moved * (shares[..., INCINERATION] + shares[..., LANDFILL])
    out[..., INCINERATION] *= 1.0 - moved
    out[..., LANDFILL] *= 1.0 - moved
    return out


def divert_from_landfill(shares: np.ndarray, ban: np.ndarray) -> np.ndarray:
    """Lever ``landfill_ban``: divert share ``ban`` of the landfilled fractions it covers (:data:`BANNED`: more
    than 10 % organic carbon, all but glass and metal).

    For each, the diverted part ``ban * S_f,lf`` goes to biological treatment and incineration in
    proportion to that fraction's current shares of the two (all to incineration if it has neither) [1].
    shares: ``(D, M, F, 4)``; ban: ``(D, M)`` in [0, 1]. Returns new shares.
    """
    moved = shares[..., LANDFILL] * ban[..., None] * BANNED_MASK
    bio, inc = shares[..., BIOLOGICAL], shares[..., INCINERATION]
    to_bio = moved * np.divide(bio, bio + inc, out=np.zeros_like(bio), where=(bio + inc) > 0.0)
    out = shares.copy()
    out[..., LANDFILL] -= moved
    out[..., BIOLOGICAL] += to_bio
    out[..., INCINERATION] += moved - to_bio
    return out


def raise_capture(shares: np.ndarray, fraction: int, treatment: int, minimum: np.ndarray) -> np.ndarray:
    """Levers ``food_separation_min`` and ``plastics_separation_min``: separate collection.

    The share of ``fraction`` going to ``treatment`` (biological treatment for food, material
    recovery for plastics) is raised to the capture rate ``minimum``; the missing share comes
    from that fraction's incineration and landfill, the same proportion ``theta`` of each [1]::

        theta = min(1, max(0, m - S_f,j) / (S_f,inc + S_f,lf))

    shares: ``(D, M, F, 4)``; minimum: ``(D, M)``. Returns new shares (rows still sum to 1). A
    capture rate already reached changes nothing; what is sorted elsewhere (e.g. food composted at
    home) is not touched.
    """
    row = shares[..., fraction, :]
    residual = row[..., INCINERATION] + row[..., LANDFILL]
    missing = np.maximum(minimum - row[..., treatment], 0.0)
    theta = np.minimum(np.divide(missing, residual, out=np.zeros_like(missing), where=residual > 0.0), 1.0)
    out = shares.copy()
    out[..., fraction, treatment] += theta * residual
    out[..., fraction, INCINERATION] *= 1.0 - theta
    out[..., fraction, LANDFILL] *= 1.0 - theta
    return out


# The levers that move the treatment shares, in the order they act.
SHARE_LEVERS = ("food_separation_min", "plastics_separation_min", "material_recovery_share_min", "landfill_ban")


def share_levers(levers: dict) -> tuple:
    """The :data:`SHARE_LEVERS` as :func:`levers.acting` gives them (None where neutral or absent)."""
    return tuple(acting(levers, name) for name in SHARE_LEVERS)


def same_share_levers(acting: tuple, before: tuple | None) -> bool:
    """Whether the acting share levers equal those of ``before`` (None: not known, never equal)."""
    return before is not None and all(
        (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
        for a, b in zip(acting, before))


def shares_under(base_shares: np.ndarray, composition: np.ndarray, acting: tuple) -> np.ndarray:
    """The 2009 shares ``(D, M, F, 4)`` moved by the acting share levers (:func:`share_levers`), in the
    order separate collection (food, plastics), minimum material recovery, landfill ban."""
    food, plastics, minimum, ban = acting
    shares = base_shares
    if food is not None:
        shares = raise_capture(shares, FOOD, BIOLOGICAL, food)
    if plastics is not None:
        shares = raise_capture(shares, PLASTICS, MATERIAL, plastics)
    if minimum is not None:
        shares = raise_material_recovery(shares, composition, minimum)
    if ban is not None:
        shares = divert_from_landfill(shares, ban)
    return shares


def treatment_shares_after_levers(base_shares: np.ndarray, composition: np.ndarray, levers: dict) -> np.ndarray:
    """The year's treatment shares per fraction ``(D, M, F, 4)``: the 2009 shares moved by the levers
    present in ``levers`` (absent = neutral), in the order separate collection (food, plastics),
    minimum material recovery, landfill ban."""
    return shares_under(base_shares, composition, share_levers(levers))


def generation(population: np.ndarray, waste_per_capita_base: np.ndarray, composition: np.ndarray, levers: dict,
               food_avoidable: np.ndarray) -> np.ndarray:
    """This year's household waste by fraction [t/yr] ``(D, M, F)`` (module docstring).

    population: ``(D, M)`` inhabitants; waste_per_capita_base: ``(D, M)`` [t/cap/yr]; composition:
    ``(D, F)`` [1]; food_avoidable: ``(D, 1)`` avoidable share of the food fraction ``a`` [1].
    """
    change = levers.get("waste_per_capita_change")
    generated = population * waste_per_capita_base * (1.0 if change is None else 1.0 + change)
    by_fraction_ = generated[..., None] * composition[:, None, :]
    food = acting(levers, "food_waste_change")
    if food is not None:
        by_fraction_[..., FOOD] *= np.maximum(1.0 + food_avoidable * food, 0.0)
    if change is not None or food is not None:
        # No lever prevents the unavoidable food waste (peels, bones): the food fraction falls at most by its
        # avoidable share, whatever the general prevention and the food measure together ask (each alone does
        # not reach it at its default: 15 % of all food waste, and half the avoidable 40 %).
        unavoidable = population * waste_per_capita_base * composition[:, None, FOOD] * (1.0 - food_avoidable)
        np.maximum(by_fraction_[..., FOOD], unavoidable, out=by_fraction_[..., FOOD])
    return by_fraction_
