"""Landfill methane: the IPCC 2006 first-order-decay (FOD) model, per waste fraction.

A landfill is a stock of decomposable degradable organic carbon (DDOCm) per waste
fraction. Each year's deposit joins the stock at the end of the year and starts
decaying the year after (IPCC 2006 Vol 5 ch. 3, eq. 3.4-3.6, without the
six-month delay variant):

    DDOCm_d(T)   = W_landfilled(T) * DOC * DOCf * MCF                    [t C/yr]
    DDOCm_a(T)   = DDOCm_d(T) + DDOCm_a(T-1) * exp(-k)                  [t C]
    DDOCm_dec(T) = DDOCm_a(T-1) * (1 - exp(-k))                          [t C/yr]
    CH4_gen(T)   = DDOCm_dec(T) * F * 16/12                              [t CH4/yr]
    CH4_em(T)    = (CH4_gen(T) - R(T)) * (1 - OX)                        [t CH4/yr]

Because 2009 emissions come mostly from waste deposited decades earlier, the stock
is built by a pre-run from 1960 along a documented historic path (population and
waste per capita growing towards 2009, landfilling falling from a high level to
the observed 2009 share).

All functions are pure: arrays in, arrays out. Arrays over waste fractions have
the fraction axis last, in the order of ``dims.WASTE_FRACTIONS``.
"""

from __future__ import annotations

import numpy as np

# Mass of CH4 per mass of carbon (molar masses 16 and 12 g/mol).
CH4_PER_C = 16.0 / 12.0


def ddocm_deposited(landfilled: np.ndarray, doc: np.ndarray, docf: np.ndarray,
                    mcf: np.ndarray) -> np.ndarray:
    """Decomposable degradable organic carbon deposited in a year.

    ``DDOCm_d = W * DOC * DOCf * MCF`` [t C/yr], with ``W`` the landfilled wet mass
    [t/yr], ``DOC`` [t C/t wet], ``DOCf`` and ``MCF`` [1]
    (IPCC 2006 Vol 5 ch. 3 eq. 3.2). Arrays broadcast against each other.
    """
    return landfilled * doc * docf * mcf


def kept_share(k: np.ndarray) -> np.ndarray:
    """Share of a pool left after a year of decay at rate ``k`` [1/yr]: ``exp(-k)`` [1]."""
    return np.exp(-k)


def decomposed_share(kept: np.ndarray) -> np.ndarray:
    """Share of a pool that decomposes in a year: ``1 - exp(-k)`` [1], from :func:`kept_share`."""
    return 1.0 - kept


def carried_over(pool: np.ndarray, deposit: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """``DDOCm_a(T) = DDOCm_d(T) + DDOCm_a(T-1) * exp(-k)`` [t C], with ``kept`` = :func:`kept_share`."""
    return deposit + pool * kept


def decomposing(pool: np.ndarray, decomposed: np.ndarray) -> np.ndarray:
    """``DDOCm_dec(T) = DDOCm_a(T-1) * (1 - exp(-k))`` [t C/yr], with ``decomposed`` = :func:`decomposed_share`."""
    return pool * decomposed


def fod_step(pool: np.ndarray, deposit: np.ndarray, k: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One year of first-order decay.

    ``pool`` is DDOCm_a(T-1), the stock at the end of the previous year [t C];
    ``deposit`` is DDOCm_d(T) [t C/yr]; ``k`` the decay rate [1/yr].
    Returns ``(DDOCm_a(T), DDOCm_dec(T))`` with
    ``DDOCm_a(T) = DDOCm_d(T) + DDOCm_a(T-1) * exp(-k)`` and
    ``DDOCm_dec(T) = DDOCm_a(T-1) * (1 - exp(-k))`` (IPCC 2006 Vol 5 ch. 3 eq. 3.4-3.5):
    this year's deposit does not decay before next year. A yearly run takes the shares once
    (:func:`kept_share`, :func:`decomposed_share`) and steps with :func:`carried_over` and
    :func:`decomposing`.
    """
    kept = kept_share(k)
    return carried_over(pool, deposit, kept), decomposing(pool, decomposed_share(kept))


def methane_generated(ddocm_decomposed: np.ndarray, f: np.ndarray) -> np.ndarray:
    """CH4 generated from decomposed DDOCm: ``CH4_gen = DDOCm_dec * F * 16/12`` [t CH4/yr].

    ``F`` is the volume fraction of CH4 in landfill gas [1] (IPCC 2006 Vol 5 ch. 3 eq. 3.6).
    """
    return ddocm_decomposed * f * CH4_PER_C


def methane_emitted(generated: np.ndarray, recovered: np.ndarray, ox: np.ndarray) -> np.ndarray:
    """CH4 leaving the landfill surface: ``(CH4_gen - R) * (1 - OX)`` [t CH4/yr].

    ``R`` is the CH4 recovered (flared or used) [t CH4/yr] and ``OX`` the share of the
    rest oxidised in the cover soil [1] (IPCC 2006 Vol 5 ch. 3 eq. 3.1).
    """
    return (generated - recovered) * (1.0 - ox)


def steady_state_pool(deposit: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Stock reached under a constant yearly deposit: ``DDOCm_a = DDOCm_d / (1 - exp(-k))`` [t C].

    Then the yearly decomposition equals the yearly deposit. Used to check the
    pre-run and to reason about how far the legacy stock is from equilibrium.
    """
    return deposit / (1.0 - np.exp(-k))


def historic_landfill_share(years: np.ndarray, share_early: np.ndarray, decline_start: np.ndarray,
                            share_base: np.ndarray, base_year: int) -> np.ndarray:
    """Share of household waste landfilled in the years before the base year [1].

    Constant at ``share_early`` up to ``decline_start``, then linear to the observed
    base-year share::

        L(T) = share_early                                              T <= decline_start
        L(T) = share_early + (share_base - share_early)
               * (T - decline_start) / (base_year - decline_start)       otherwise

    years: ``(Y,)``; share_early, decline_start: ``(D,)``; share_base: ``(D, M)``.
    Returns ``(Y, D, M)``. The path is an assumption (see the parameter table):
    Norwegian household waste went mostly to landfill until incineration with
    energy recovery and sorting grew from the 1990s.
    """
    t = np.asarray(years, dtype=float)[:, None, None]
    start = decline_start[None, :, None]
    span = np.maximum(base_year - start, 1.0)
    progress = np.clip((t - start) / span, 0.0, 1.0)
    early = share_early[None, :, None]
    return early + (share_base[None] - early) * progress


def fraction_landfill_share(share_total: np.ndarray, base_fraction_share: np.ndarray,
                            base_share_total: np.ndarray) -> np.ndarray:
    """Landfill share per waste fraction in a past year with total landfill share ``L`` [1].

    The part of each fraction kept out of landfill shrinks in proportion to the
    total::

        L_f = 1 - (1 - L_f,base) * (1 - L) / (1 - L_base)

    so that ``sum_f c_f L_f = L`` for composition ``c`` with ``sum_f c_f L_f,base = L_base``,
    ``L_f = L_f,base`` when ``L = L_base`` and everything is landfilled when ``L = 1``.
    share_total: ``(..., D, M)``; base_fraction_share: ``(D, M, F)``; base_share_total:
    ``(D, M)``. Returns ``(..., D, M, F)``. If nothing escaped landfill in the base
    year (``L_base = 1``), every fraction is landfilled.
    """
    kept_base = 1.0 - base_share_total
    ratio = np.divide(1.0 - share_total, kept_base, out=np.zeros(np.broadcast(share_total, kept_base).shape),
                      where=kept_base > 0.0)
    return 1.0 - (1.0 - base_fraction_share) * ratio[..., None]


def legacy_pool(population_base: np.ndarray, waste_per_capita_base: np.ndarray, composition: np.ndarray,
                base_fraction_share: np.ndarray, ddocm_per_t: np.ndarray, k: np.ndarray,
                population_growth: np.ndarray, waste_growth: np.ndarray, share_early: np.ndarray,
                decline_start: np.ndarray, first_year: int, base_year: int) -> np.ndarray:
    """DDOCm stock at the end of the year before the base year, from a pre-run [t C].

    For each year ``T`` in ``first_year .. base_year-1`` (the stock is empty before)::

        P(T)   = P_base * (1 + g_pop) ** (T - base_year)                [inhabitants]
        w(T)   = w_base * (1 + g_w) ** (T - base_year)                  [t/cap/yr]
        W_f(T) = P(T) * w(T) * c_f * L_f(T)                             [t/yr landfilled]
        DDOCm_d,f(T) = W_f(T) * DOC_f * DOCf * MCF

    with ``L_f(T)`` from :func:`historic_landfill_share` and
    :func:`fraction_landfill_share`, then :func:`fod_step` year by year.

    population_base, waste_per_capita_base: ``(D, M)``; composition: ``(D, F)``;
    base_fraction_share: ``(D, M, F)`` landfill share per fraction in the base year;
    ddocm_per_t: ``(D, F)`` = DOC * DOCf * MCF [t C/t]; k: ``(D, F)`` [1/yr];
    population_growth, waste_growth, share_early, decline_start: ``(D,)``.
    Returns ``(D, M, F)``.
    """
    years = np.arange(first_year, base_year)
    base_total = np.einsum("df,dmf->dm", composition, base_fraction_share)
    totals = historic_landfill_share(years, share_early, decline_start, base_total, base_year)   # (T, D, M)
    back = (years - base_year)[:, None].astype(float)
    growth = ((1.0 + population_growth[None, :]) ** back) * ((1.0 + waste_growth[None, :]) ** back)
    generated = population_base * waste_per_capita_base
    pool = np.zeros(base_fraction_share.shape)
    per_t = (composition * ddocm_per_t)[:, None, :]
    k_b = k[:, None, :]
    for i in range(years.size):
        # One year's fraction shares at a time: all of them at once would be a large (T, D, M, F) array.
        shares = fraction_landfill_share(totals[i], base_fraction_share, base_total)
        deposit = (generated * growth[i][:, None])[..., None] * per_t * shares
        pool, _ = fod_step(pool, deposit, k_b)
    return pool
