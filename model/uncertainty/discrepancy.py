"""The model's discrepancy: how far the municipal inventory may lie from the model beyond what the
spread of its parameters holds, and the prediction band that adds it.

A sampled ensemble spreads the parameters. The inventory also moves with what no parameter holds: a
winter, a plant's operation, the agency's allocation of fuel sales to municipalities, and the model's
own structural error. Every draw is calibrated to 2009, so that year's noise is built into every
path. Seen from the model, the log ratio of an observation to the modelled value h years after the
calibration,

    r = ln(observed / modelled),    Var(r) = a + b h,

has a part that does not grow (``noise`` a [1]: the noise of the observed year and of 2009, 2 sigma_e^2)
and one that grows with the years since calibration (``drift`` b [1/yr]: a random walk of the
structure, sigma_w^2 per year). Kennedy & O'Hagan (2001, J. R. Stat. Soc. B 63:425) call the second the
model discrepancy; both are estimated here from the hindcast's residuals (:func:`fit`: non-negative
least squares of r^2 on (1, h), per sector and per source), as the roadmap's calibration asks: on the
years up to a cut-off (2013, where the embedded inventory ends), never on the years a projection is
judged on.

The variance is estimated from few residuals (six of three municipalities for most sectors), so the
band of a new observation is Student's t with n - 2 degrees of freedom, not normal (the predictive
distribution of a value whose variance is estimated: t_{0.95} = 2.13 for n = 6, 1.67 for the 62 of every
sector pooled). :meth:`Discrepancy.log_variance` gives that predictive variance, the fit's a + b h times
(t_{0.95} / z)^2, so a band, a sum of parts and a chance of meeting a target all take it as they take a
log variance. The **prediction band** of a modelled value combines it with the draws' spread in log space,

    s^2 = s_p^2 + (a + b h) (t / z)^2,    band = median x exp(+-z s),    z = 1.645 (5 and 95 %),

with s_p the spread of the draws on each side, ln(median / p05) / z below and ln(p95 / median) / z above
(zero with one draw: a single run gets the band of the discrepancy alone; without a discrepancy the band
is the draws' range). A sum of sectors (a municipality's total) takes its discrepancy from
its parts, independent of each other: Var(X) = sum_i m_i^2 (exp(v_i) - 1) for parts of median m_i and
log variance v_i, as a log variance ln(1 + Var(X) / (sum m_i)^2) (:func:`sum_log_variance`).

Where a municipality's 2009 is not observed but estimated bottom-up (seven of the 13 wholly, and single
sources elsewhere), the calibration has nothing to correct and the level itself is uncertain: how far such an
estimate lies from the inventory is seen where 2009 is observed, as ln of the calibration factor that brought the
default run's bottom-up estimate to it (for cars, whose estimate takes the observed municipalities' mean factor,
its distance from the others' mean). Their mean square by sector (bias included: an estimate at factor 1 is not
corrected for it; the road sectors together where one has too few, else every sector pooled; widened by t as
above) is the ``estimate`` rows' ``noise`` (:func:`fit_estimate`), and an estimated part adds it to its log
variance in every year, 2009 included, times the square of the share of the part's 2009 emissions that is
estimated (:func:`estimated_shares`, :func:`estimated_log_variance`); cars of an estimated municipality: a log
standard deviation of 0.41 from the 12 values of the road sectors, so a 5-95 % band of about x0.51 to x1.95.

The table (``data/discrepancy.csv``) is written by ``tools/fit_discrepancy.py`` from the default run
of current-policies and the embedded observations 2009-2013; ``tests/test_discrepancy.py`` fits it
again and fails when a change of the model has left it stale. Its ranges are the fits that leave out
one municipality at a time. A name without enough observations (at least four, of at least two
municipalities for a sector and three for a source) takes its sector's values, a sector without them
those of every sector pooled (``sector``, ``*``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .. import dims

Z90 = 1.6448536269514722        # the standard normal's 95th percentile: the band holds 90 %
POOLED = ("sector", "*")         # every sector's residuals together: the fall-back of a sector
ESTIMATE = "estimate"            # the level of the rows of an estimated 2009 (:func:`fit_estimate`)
ESTIMATE_POOLED = (ESTIMATE, "*")
ESTIMATED = "estimated"          # how the calibration's status of a source estimated bottom-up begins
# the road sectors' estimates share one method (vkm from the fleet and trips): a road sector with too few values
# of its own takes theirs together before every sector's
ROAD = "road"
MIN_OBSERVATIONS = 4             # a name is fitted on at least this many residuals ...
# ... of at least this many municipalities: a source is one fuel, where one municipality's outlier (Porsgrunn's
# gas in 2013, ln ratio -1.3) would set the variance of two; sectors average their sources out
MIN_MUNICIPALITIES = {"sector": 2, "source": 3}
FILE = "discrepancy.csv"
COLUMNS = ("level", "name", "noise", "noise_low", "noise_high", "drift", "drift_low", "drift_high", "t95",
           "observations", "municipalities", "source")


@dataclass(frozen=True)
class Discrepancy:
    """Var(ln(observed / modelled)) = noise + drift x (years since calibration), of one sector or source."""

    level: str                  # "sector", "source" or "estimate" (the error of an estimated 2009, by sector)
    name: str                   # a sector or source of dims, or "*" (every sector pooled)
    noise: float                # a [1] the variance that does not grow
    drift: float                # b [1/yr] the variance added per year since calibration
    observations: int = 0       # residuals it was fitted on
    municipalities: tuple[str, ...] = ()
    noise_range: tuple[float, float] = (0.0, 0.0)    # [1] leaving out one municipality at a time
    drift_range: tuple[float, float] = (0.0, 0.0)    # [1/yr]
    t95: float = Z90            # [1] Student's t 95th percentile for observations - 2 degrees of freedom

    def log_variance(self, years_since: np.ndarray | float) -> np.ndarray:
        """The predictive log variance [1] of an observation h > 0 years after calibration: the fit's a + b h
        widened by (t95 / z)^2 for a variance estimated from few residuals; 0 at (or before) the calibration
        year."""
        h = np.asarray(years_since, dtype=float)
        widening = (self.t95 / Z90) ** 2
        return np.where(h > 0, (self.noise + self.drift * np.maximum(h, 0.0)) * widening, 0.0)


def fit_variance(years_since, residuals) -> tuple[float, float]:
    """(a [1], b [1/yr]) of Var(r) = a + b h by non-negative least squares of r^2 on (1, h).

    r^2 = 0.04 and 0.16 at h = 2 and 4: the line through both has a = -0.08 < 0, so a = 0 and
    b = sum(h r^2) / sum(h^2) = (0.08 + 0.64) / 20 = 0.036.
    """
    from scipy.optimize import nnls   # here: scipy.optimize costs 40 MB to import, and only a fit needs it

    h, r = np.asarray(years_since, dtype=float), np.asarray(residuals, dtype=float)
    (a, b), _ = nnls(np.column_stack([np.ones_like(h), h]), r * r)
    return float(a), float(b)


def residuals(rows) -> dict[tuple[str, str], list[tuple[str, int, float]]]:
    """(municipality, years since calibration, ln(observed / modelled)) by (level, name), from hindcast rows
    (``hindcast.compare``) of sectors and sources after the base year where both values are positive."""
    out: dict[tuple[str, str], list[tuple[str, int, float]]] = {}
    for r in rows:
        if r.level in ("sector", "source") and r.year > dims.BASE_YEAR and r.observed > 0 and r.modelled > 0:
            out.setdefault((r.level, r.name), []).append(
                (r.municipality, r.year - dims.BASE_YEAR, math.log(r.observed / r.modelled)))
    return out


def _fit_one(level: str, name: str, found: list[tuple[str, int, float]]) -> Discrepancy:
    municipalities = tuple(sorted({m for m, _, _ in found}))
    a, b = fit_variance([h for _, h, _ in found], [r for _, _, r in found])
    left_out = [fit_variance([h for m, h, _ in found if m != out], [r for m, _, r in found if m != out])
                for out in municipalities] if len(municipalities) > 1 else [(a, b)]
    return Discrepancy(level, name, a, b, len(found), municipalities,
                       (min(f[0] for f in left_out), max(f[0] for f in left_out)),
                       (min(f[1] for f in left_out), max(f[1] for f in left_out)), t95(len(found)))


def t95(observations: int) -> float:
    """Student's t 95th percentile [1] for a variance fitted (a and b) to ``observations`` residuals:
    observations - 2 degrees of freedom, at least 1. Six residuals: t(4) = 2.132, against z = 1.645."""
    from scipy.special import stdtrit   # here: only a fit needs it

    return float(stdtrit(max(observations - 2, 1), 0.95))


def enough(level: str, found: list[tuple[str, int, float]]) -> bool:
    """Whether residuals of a sector or source suffice for a fit of their own (MIN_OBSERVATIONS of
    MIN_MUNICIPALITIES)."""
    return len(found) >= MIN_OBSERVATIONS and len({m for m, _, _ in found}) >= MIN_MUNICIPALITIES[level]


def fit(rows, calibration=None) -> list[Discrepancy]:
    """The discrepancy of every sector and source with enough residuals, and of every sector pooled,
    from hindcast rows of a run at default parameters (see the module's text); with that run's
    ``calibration``, also the error of an estimated 2009 (:func:`fit_estimate`)."""
    found = residuals(rows)
    pooled = [x for (level, _), xs in found.items() if level == "sector" for x in xs]
    out = [_fit_one(*POOLED, pooled)]
    for level, names in (("sector", dims.SECTORS), ("source", dims.SOURCES)):
        out.extend(_fit_one(level, n, found[(level, n)]) for n in names if enough(level, found.get((level, n), [])))
    return out + (fit_estimate(calibration) if calibration is not None else [])


def estimate_errors(calibration, without: str | None = None) -> dict[str, list[tuple[str, int, float]]]:
    """(municipality, 0, error) by sector of every source whose 2009 the inventory observes, or gives in a later year
    back-cast to 2009 (status ``calibration.DERIVED``) (``calibration``: a
    run's :class:`..calibration.Calibration`, draw 0), municipality ``without`` left out as if unobserved: how far
    an estimate of it would have lain from what the inventory shows. For a source estimated at factor 1 that is ln
    of its factor; for one whose estimate takes the other municipalities' mean factor (``calibration.TRANSFERRED``,
    cars) it is ln of its factor less the mean ln factor of the others (left out, as an estimated municipality's
    own factor is unknown). Only factors that say how far a bottom-up lay (``calibration.informative``: not 0, not
    1 within rounding), the same the transfer takes."""
    from ..calibration import DERIVED, TRANSFERRED, informative

    found: dict[str, list[tuple[str, float]]] = {}
    for i, m in enumerate(dims.MUNICIPALITIES):
        for j, s in enumerate(dims.SOURCES):
            factor = float(calibration.factors[0, i, j])
            status = calibration.status[(m, s)]
            if m != without and (status == "observed" or status.startswith(DERIVED)) and informative(factor):
                found.setdefault(s, []).append((m, math.log(factor)))
    out: dict[str, list[tuple[str, int, float]]] = {}
    for s, values in found.items():
        for m, ln_factor in values:
            others = [x for other, x in values if other != m]
            if s in TRANSFERRED and not others:
                continue
            error = ln_factor - float(np.mean(others)) if s in TRANSFERRED else ln_factor
            out.setdefault(dims.SOURCE_SECTOR[s], []).append((m, 0, error))
    return out


def fit_estimate(calibration) -> list[Discrepancy]:
    """The error of a 2009 estimated bottom-up, by sector (level ``estimate``): the mean square of the errors of
    :func:`estimate_errors` (their bias included, as an estimate at factor 1 is not corrected for it), a
    variance that does not grow (``noise``), widened as the others for few values; a sector with too few values
    (MIN_OBSERVATIONS of two municipalities) takes the road sectors' together (``road``, for a road sector) or
    every sector's pooled. The range: the same fitted with each municipality left out (the errors of a transferred
    source then taken against the mean of the rest)."""
    found = estimate_errors(calibration)

    def groups(errors: dict) -> dict[str, list]:
        road = [x for s, xs in errors.items() if s.startswith(ROAD + "_") for x in xs]
        return {"*": [x for xs in errors.values() for x in xs], ROAD: road} | {
            s: errors.get(s, []) for s in dims.SECTORS}

    mean_square = lambda xs: float(np.mean([r * r for _, _, r in xs]))   # noqa: E731
    every = groups(found)
    without = {m: groups(estimate_errors(calibration, without=m))
               for m in sorted({m for xs in found.values() for m, _, _ in xs})}

    def one(name: str) -> Discrepancy:
        values = every[name]
        municipalities = tuple(sorted({m for m, _, _ in values}))
        left_out = [mean_square(without[out][name]) for out in municipalities if without[out][name]] \
            if len(municipalities) > 1 else [mean_square(values)]
        return Discrepancy(ESTIMATE, name, mean_square(values), 0.0, len(values), municipalities,
                           (min(left_out), max(left_out)), (0.0, 0.0), t95(len(values)))

    out = [one("*")] + ([one(ROAD)] if enough("sector", every[ROAD]) else [])
    out.extend(one(s) for s in dims.SECTORS if enough("sector", every[s]))
    return out


def estimate_of(sector: str, fits: dict[tuple[str, str], Discrepancy] | None = None) -> Discrepancy:
    """The error of an estimated 2009 of a sector: its own row, else the road sectors' (a road sector), else
    every sector's pooled."""
    found = table() if fits is None else fits
    if (ESTIMATE, sector) in found:
        return found[(ESTIMATE, sector)]
    if sector.startswith(ROAD + "_") and (ESTIMATE, ROAD) in found:
        return found[(ESTIMATE, ROAD)]
    return found[ESTIMATE_POOLED]


def estimated_log_variance(level: str, names, estimated: np.ndarray) -> np.ndarray:
    """The log variance [1] an estimated 2009 adds to each part, in every year: ``estimated`` ``(M, P)`` the
    share of the part's 2009 emissions [1] whose 2009 is estimated (a source: 0 or 1), times the error of its
    sector's estimate (:func:`estimate_of`, widened for few values), squared share for a part estimated in
    part (the log variance of a sum of an exact and an uncertain part, to first order)."""
    rows = [estimate_of(dims.SOURCE_SECTOR.get(str(n), str(n)) if level == "source" else str(n)) for n in names]
    errors = np.array([r.noise * (r.t95 / Z90) ** 2 for r in rows])
    return np.asarray(estimated, dtype=float) ** 2 * errors


def log_variances(ds, level: str, names, municipalities, years_since) -> np.ndarray:
    """The prediction band's log variance [1] of each part of each municipality of a result ``ds``: the
    discrepancy of its sector or source (:func:`of_each`) and, where its 2009 is estimated, that estimate's error
    (:func:`estimated_log_variance` of :func:`estimated_shares`), ``(M, P) + shape of years_since``."""
    years_since = np.asarray(years_since, dtype=float)
    estimated = estimated_log_variance(level, names, estimated_shares(ds, level, names, municipalities))   # (M, P)
    return of_each(level, names, years_since)[None] + estimated.reshape(estimated.shape + (1,) * years_since.ndim)


def estimated_shares(ds, level: str, names, municipalities) -> np.ndarray:
    """The share of each part's 2009 emissions whose 2009 is estimated ``(M, P)`` [1], from a result's
    ``base_year_status`` and 2009 ``emissions_source`` (its first scenario and draw: 2009 is the calibrated
    year, the same in every scenario); without the sources (a file written with ``--variables``) each source of a
    sector counts alike; zeros for a file without the status (older than 0.9.0)."""
    if "base_year_status" not in ds:
        return np.zeros((len(municipalities), len(names)))
    status = ds["base_year_status"].sel(municipality=list(municipalities))
    estimated = np.char.startswith(np.asarray(status.values, dtype=str), ESTIMATED)      # (M, S)
    if level == "source":
        where = [list(status["source"].values).index(str(n)) for n in names]
        return estimated[:, where].astype(float)
    sources = [str(s) for s in status["source"].values]
    if "emissions_source" in ds:
        first = ds["emissions_source"].isel(scenario=0).sel(municipality=list(municipalities), source=sources)
        first = first.isel(draw=0) if "draw" in first.dims else first            # (a slice of 2009 has neither axis)
        first = first.sel(year=dims.BASE_YEAR) if "year" in first.dims else first
        values = np.asarray(first.transpose("municipality", "source").values, dtype=float)          # (M, S)
    else:
        values = np.ones(estimated.shape)
    out = np.zeros((len(municipalities), len(names)))
    for p, sector in enumerate(str(n) for n in names):
        cols = [k for k, s in enumerate(sources) if dims.SOURCE_SECTOR.get(s) == sector]
        total = values[:, cols].sum(axis=1)
        part = (values[:, cols] * estimated[:, cols]).sum(axis=1)
        out[:, p] = np.divide(part, total, out=np.zeros_like(total), where=total > 0)
    return out


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, str], Discrepancy]:
    """The embedded ``data/discrepancy.csv`` by (level, name)."""
    from ..data_store import _float, data_path, read_rows
    from ..errors import DataError

    out = {}
    for line, r in read_rows(data_path(FILE), COLUMNS):
        key = (r["level"], r["name"])
        if key not in (POOLED, ESTIMATE_POOLED) and r["name"] not in {
                "sector": dims.SECTORS, "source": dims.SOURCES, ESTIMATE: (*dims.SECTORS, ROAD)}.get(r["level"], ()):
            raise DataError(f"{FILE}: line {line}: {r['level']} {r['name']!r} is not a framtid sector or source")
        values = {c: _float(FILE, line, r, c) for c in COLUMNS[2:8]}
        if any(v < 0 for v in values.values()):
            raise DataError(f"{FILE}: line {line}: variances must be at least 0")
        t = _float(FILE, line, r, "t95")
        if not t >= Z90:
            raise DataError(f"{FILE}: line {line}: t95 is {t:g}; a t percentile is at least z = {Z90:.4f}")
        out[key] = Discrepancy(r["level"], r["name"], values["noise"], values["drift"],
                               int(_float(FILE, line, r, "observations")), tuple(r["municipalities"].split()),
                               (values["noise_low"], values["noise_high"]), (values["drift_low"], values["drift_high"]),
                               t)
    for pooled in (POOLED, ESTIMATE_POOLED):
        if pooled not in out:
            raise DataError(f"{FILE}: the pooled row (level {pooled[0]}, name *) is missing")
    return out


def of(level: str, name: str, fits: dict[tuple[str, str], Discrepancy] | None = None) -> Discrepancy:
    """The discrepancy of a sector or source: its own row, else its sector's, else every sector pooled; of
    the embedded table, or of ``fits`` by (level, name)."""
    found = table() if fits is None else fits
    if (level, name) in found:
        return found[(level, name)]
    sector = dims.SOURCE_SECTOR.get(name, name)
    return found.get(("sector", sector), found[POOLED])


def of_each(level: str, names, years_since) -> np.ndarray:
    """The log variances [1] of the sectors or sources ``names`` (:func:`of`) at ``years_since`` (a number or
    an array of years after the calibration): ``(len(names),) + shape of years_since``."""
    return np.stack([of(level, str(n)).log_variance(years_since) for n in names])


def sum_log_variance(medians: np.ndarray, log_variances: np.ndarray, axis: int | tuple[int, ...] | None = 0
                     ) -> np.ndarray:
    """Log variance [1] of a sum of independent lognormal parts of median ``medians`` and log variance
    ``log_variances`` (broadcast against the medians: one per kind of part, e.g. per sector of every
    municipality) summed along ``axis`` (an axis, several, or None for all): ln(1 + sum m^2 (exp(v) - 1) /
    (sum m)^2); 0 where the sum is 0.

    >>> float(sum_log_variance(np.array([1.0, 1.0]), np.array([np.log(2.0), 0.0])))   # ln(1 + 1/4)
    0.22314355131420976
    """
    m, v = np.broadcast_arrays(np.asarray(medians, dtype=float), np.asarray(log_variances, dtype=float))
    if axis is None or isinstance(axis, tuple):   # the parts' axes as one, in C order, then summed along it
        axes = tuple(range(m.ndim)) if axis is None else tuple(a % m.ndim for a in axis)
        kept = [a for a in range(m.ndim) if a not in axes]
        m, v = (np.moveaxis(x, axes, range(len(kept), m.ndim)).reshape([x.shape[a] for a in kept] + [-1])
                for x in (m, v))
        axis = -1
    total = m.sum(axis=axis)
    var = (m * m * np.expm1(v)).sum(axis=axis)
    return np.log1p(np.divide(var, total * total, out=np.zeros_like(total), where=total != 0))


def total_band(parts: np.ndarray, log_variances: np.ndarray) -> tuple[float, float, float]:
    """The median of a total over its parts and its prediction band [the parts' unit]: ``parts`` ``(D, ...)``
    over draws (the parts on the other axes, e.g. municipality and sector), each part's discrepancy
    ``log_variances`` [1] broadcast against ``parts[0]`` (e.g. one per sector). The total is summed in each
    draw before its median and the draws' 5-95 % range are taken (none with one draw); its discrepancy is
    the parts' (:func:`sum_log_variance` of their medians)."""
    from ..draw_statistics import spread

    parts = np.asarray(parts, dtype=float)
    totals = parts.reshape(len(parts), -1).sum(axis=1)
    median, low, high = (float(x) for x in spread(totals)) if len(totals) > 1 else (float(totals[0]), None, None)
    v = sum_log_variance(np.median(parts, axis=0), log_variances, axis=None)
    lo, hi = band(median, low, high, v)
    return median, float(lo), float(hi)


def band(median, low, high, log_variance) -> tuple[np.ndarray, np.ndarray]:
    """The prediction band (5 and 95 %) of a modelled value [its unit]: its median, the draws' 5-95 %
    range (``low`` and ``high``, or None with one draw) and the discrepancy's log variance [1].

    Each side of the draws' range is taken as a lognormal spread, ``s_low = ln(median / low) / z`` and
    ``s_high = ln(high / median) / z``, and widened by the discrepancy: ``median exp(-z sqrt(s_low^2 + v))``
    and ``median exp(z sqrt(s_high^2 + v))``. Without a discrepancy the band is the draws' range; with one
    draw it is the discrepancy's alone. Where a value is not positive, the draws' range as it is (or the
    median)."""
    median = np.asarray(median, dtype=float)
    v = np.asarray(log_variance, dtype=float)
    positive = median > 0
    s_low = s_high = np.zeros_like(median)
    if low is not None:
        low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        ok = positive & (low > 0) & (high > 0)
        s_low = np.where(ok, np.log(np.where(ok, median, 1.0) / np.where(ok, low, 1.0)) / Z90, 0.0)
        s_high = np.where(ok, np.log(np.where(ok, high, 1.0) / np.where(ok, median, 1.0)) / Z90, 0.0)
    safe = np.where(positive, median, 1.0)
    lo = np.where(positive, safe * np.exp(-Z90 * np.sqrt(s_low ** 2 + v)), median if low is None else low)
    hi = np.where(positive, safe * np.exp(Z90 * np.sqrt(s_high ** 2 + v)), median if high is None else high)
    return lo, hi
