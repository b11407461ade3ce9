"""What measures cost: cost streams per measure, abatement cost per tonne and the marginal abatement
cost (MAC) curve of a package.

A package is the measures a scenario file adds to the scenario it extends (its base). Each measure
is run alone added to the base ("first-in"): its cost items (``MeasureKind.costs``, declared in the
area's ``measures/costs_*.py`` with the builders of ``measures/costing.py``) are computed from
the base run and that run, and its abatement is the base's emissions less the run's, over all 13
municipalities (a cordon or a plant acts beyond its owner). Abatement from elsewhere, e.g. Shapley
values of the package (``attribution.py``), can be passed in instead; the costs stay first-in.

Arithmetic (pure functions in ``discounting.py``), with discount rate r [1/yr] (default ``cost.discount_rate``,
4 %: R-109/21) and the appraisal window Y0..Y1 (default: the package's first start year to 2050),
everything in real 2009 NOK discounted to Y0:

    PV(x)             = sum_{t=Y0..Y1} x_t / (1 + r)^(t - Y0)                        [NOK]
    abatement         = sum_t a_t                (undiscounted, t CO2e; the MAC's width)
    discounted tonnes = sum_t a_t / (1 + r)^(t - Y0)                                 [t CO2e]
    social cost       = PV(resource items) + PV(lambda x net public budget)          [NOK]
    NOK/t             = social cost / discounted tonnes   (the levelised cost; the MAC's height)

with lambda = ``cost.tax_financing_share`` (R-109/21's cost of public funds) on the items the public
pays (transfers included) and a_t = base - run emissions [t CO2e/yr] in the scenario's GWP set.
Transfers (revenue, grants, taxes) are reported by payer and cancel in the social cost. The carbon
price beside each NOK/t (``carbon_value.py``) is the central CBA path (``model/data/carbon_price_path.csv``, 2023 NOK,
converted to real 2009 NOK) weighted by the measure's discounted abatement: a measure pays at the
carbon price when its NOK/t is at most that.

The tables and the MAC chart of a :class:`CostReport` are :mod:`.cost_tables`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np

from .. import dims
from ..errors import UsageError
# the arithmetic and the carbon price are modules of their own; their names are the costs' too (costs.present_value)
from .carbon_value import (CARBON_PRICE_FILE, CARBON_SERIES, carbon_price_path, carbon_price_rows,  # noqa: F401
                           carbon_value_outside, weighted_price)
from .discounting import cost_per_tonne, discount_factors, mac_curve, present_value, total, window_mask  # noqa: F401

MNOK = 1e6


# ---------------------------------------------------------------- the package and its runs

def package_of(scenario, base: str | None = None) -> tuple:
    """(base scenario, package, base's file name): the measures the scenario's own file adds (or, with ``base``,
    all the files of its chain add after that scenario: :func:`.scenario_inheritance.package_since`), and the
    scenario without them. A package without measures is a usage error."""
    from ..scenario_inheritance import package_since

    name = Path(scenario.files[-1][0]).name if scenario.files else scenario.name
    inherited, own, path = package_since(scenario, base)
    if not own:
        after = "the scenario it extends" if base is None else repr(base)
        raise UsageError(f"{name}: adds no measures to {after}, so there is no package to cost; "
                         "give a scenario file with [[measure]] entries")
    return (dataclasses.replace(scenario, measures=tuple(inherited), own=()), tuple(own),
            path.name if path is not None else "a scenario without measures")


def with_measure(base, measure, package=()):
    """The base with one measure of ``package`` added (its ``replaces`` applied), as the scenario file
    would have it; a measure that replaces another of the package replaces nothing here."""
    return with_measures(base, [measure], package)


def with_measures(base, measures, package=()):
    """The base with some measures of ``package`` added together, in their order (:func:`with_measure`)."""
    from ..scenario_inheritance import compose

    return dataclasses.replace(base, measures=compose(base.measures, list(measures), package=package),
                               own=tuple(measures))


def _costed_groups(package: tuple, by: str) -> list[tuple[str, str, list]]:
    """(label, kind, measures) of what is costed first-in: each measure, or the measures of each kind together
    (their costs follow from the runs with and without them, item by item of the kind; a programme area mixes
    kinds, whose items differ, so it is not a group here)."""
    from .players import display_name, players

    if by == "area":
        raise UsageError("--by: area mixes measure kinds whose costs are counted differently; allowed: measure, kind")
    if by not in ("measure", "kind"):
        raise UsageError(f"--by: {by!r}; allowed: measure, kind")
    names, members = players(list(package), by)
    if by == "measure":
        return [(package[i].label, package[i].kind, [package[i]]) for (i,) in members]
    adaptive = [package[i].label for ix in members for i in ix if package[i].adoption == "adaptive"]
    if adaptive:
        raise UsageError(f"--by kind: adaptive measures ({', '.join(adaptive)}) are costed one by one, as each is "
                         "adopted on its own; use --by measure")
    return [(display_name(kind, label, by), kind, [package[i] for i in ix])
            for (kind, label), ix in zip(names, members)]


def item_streams(kind_name: str, base, run, rate: float) -> dict[str, np.ndarray]:
    """Cost streams of a kind's items ``{item: (T, D, M)}`` [real 2009 NOK/yr] from two runs (``RunView``s),
    zero in the base year (measures act from 2010)."""
    from ..measures import KINDS

    out = {}
    for item in KINDS[kind_name].costs.items:
        stream = np.array(item.compute(base, run, rate), dtype=float)
        stream[0] = 0.0
        out[item.name] = stream
    return out


def check_declarations(model, rate: float | None = None) -> dict[str, float]:
    """Every costed kind's items computed with one run as both base and run: the largest absolute
    value per kind (0 when the declarations are consistent: no measure, no cost). Reads every cost
    parameter the declarations name."""
    from ..measures import KINDS
    from ..measures.costing import RunView

    view = RunView.of(model)
    rate = float(model.params["cost.discount_rate"][0]) if rate is None else rate
    if not np.all(np.isfinite(model.params["cost.tax_financing_share"])):
        raise ValueError("cost.tax_financing_share is not finite")
    out = {}
    for name, kind in KINDS.items():
        if kind.costs.costed:
            streams = item_streams(name, view, view, rate)
            out[name] = max(float(np.nanmax(np.abs(s))) if np.isfinite(s).all() else np.inf for s in streams.values())
    return out


@dataclass
class ItemCost:
    name: str
    flow: str
    payer: str
    method: str
    parameters: tuple[str, ...]
    stream: np.ndarray            # (T, D) [real 2009 NOK/yr], summed over municipalities
    pv: np.ndarray                # (D,) [real 2009 NOK]


@dataclass
class MeasureCost:
    """Costs and abatement of one measure of a package (first-in)."""

    label: str
    kind: str
    origin: str
    municipalities: tuple[str, ...]
    costed: bool
    reason: str                           # why not costed
    not_counted: tuple[str, ...]
    items: list[ItemCost]
    abatement: np.ndarray                 # (T, D) [t CO2e/yr], base - run, all municipalities
    abatement_source: str                 # "first-in" or what was passed in
    tonnes: np.ndarray = field(default=None)             # (D,) undiscounted over the window [t CO2e]
    tonnes_discounted: np.ndarray = field(default=None)  # (D,)
    social: np.ndarray = field(default=None)             # (D,) [NOK] PV of resource items + tax financing
    public: np.ndarray = field(default=None)             # (D,) [NOK] PV of the public's items
    users: np.ndarray = field(default=None)              # (D,) [NOK] PV of the users' items
    nok_per_t: np.ndarray = field(default=None)          # (D,) social / discounted tonnes
    nok_per_t_undiscounted: np.ndarray = field(default=None)   # (D,) social / undiscounted tonnes
    carbon_price: dict = field(default_factory=dict)     # series -> (D,) [NOK/t], weighted by abatement
    caveat: str = ""                                     # the kind's Costs.caveat, where costed
    # an adaptive measure (adoption = "adaptive") runs with its adoption rule: the year it was adopted in each
    # draw and municipality of the measure (D, M'), NaN where never; None for a forced measure
    adopted: np.ndarray | None = None
    carbon_outside: bool = False                         # its carbon value per net tonne lies outside the price path
    partly: str = ""                      # why its costs cover only a part of its abatement (then no NOK/t)

    def central_nok_per_t(self) -> float:
        """NOK/t of the mean social cost and the mean discounted tonnes over the draws (the draw's own
        value with one draw): a ratio of means, which draws that abate almost nothing cannot blow up. NaN for a
        measure not costed, or costed for a part of its abatement only."""
        if self.partly:
            return float("nan")
        return float(cost_per_tonne(np.mean(self.social), np.mean(self.tonnes_discounted)))

    def pays(self) -> bool | None:
        """Whether the measure costs at most the central carbon price of its timing (None: no NOK/t)."""
        c, p = self.central_nok_per_t(), float(np.mean(self.carbon_price["central"]))
        return None if not np.isfinite(c) else c <= p

    def pays_share(self) -> float:
        """Share of the draws [1] in which the measure abates and costs at most the central carbon price
        of its timing in that draw (NaN when it is not costed)."""
        if not self.costed or self.partly:
            return float("nan")
        return float(np.mean(np.isfinite(self.nok_per_t) & (self.nok_per_t <= self.carbon_price["central"])))


@dataclass
class CostReport:
    scenario: str
    base: str
    discount_rate: float
    year_from: int
    year_to: int
    years: np.ndarray
    measures: list[MeasureCost]
    carbon_price: dict                    # series -> (T,) [real 2009 NOK/t]
    draws: int = 0                        # sampled parameter draws (0: one run at the default values)
    sampler: str | None = None
    base_totals: np.ndarray | None = None     # (T, D, M) [t CO2e/yr] of the base run, for what else needs it

    def mac(self) -> list[tuple[MeasureCost, float, float, float]]:
        """(measure, left, right, NOK/t) of the MAC curve: costed measures with positive abatement,
        cheapest first; widths in t CO2e (undiscounted over the window), heights the central NOK/t
        (over draws: mean cost over mean discounted tonnes)."""
        order = mac_curve([m.central_nok_per_t() for m in self.measures],
                          [np.mean(m.tonnes) for m in self.measures])
        return [(self.measures[i], left, right, h) for i, left, right, h in order]


def _window(package, year_from, year_to) -> tuple[int, int]:
    first = max(min(m.start_year for m in package), dims.BASE_YEAR + 1)
    y0 = first if year_from is None else int(year_from)
    y1 = dims.FINAL_YEAR if year_to is None else int(year_to)
    lo = dims.BASE_YEAR + 1
    for option, y in (("--year-from", y0), ("--year-to", y1)):
        if not lo <= y <= dims.FINAL_YEAR:
            raise UsageError(f"{option}: must lie in {lo}-{dims.FINAL_YEAR} (measures act from {lo}; got {y})")
    if y0 > y1:
        raise UsageError(f"--year-from {y0} is after --year-to {y1}")
    return y0, y1


def evaluate(scenario, discount_rate: float | None = None, year_from: int | None = None,
             year_to: int | None = None, abatement: Mapping[str, np.ndarray] | None = None,
             seed: int = 0, draws: int | None = None, sampler: str = "lhs", base: str | None = None,
             by: str = "measure") -> CostReport:
    """Cost the package of ``scenario`` (a loaded :class:`Scenario`): run the base and each measure
    first-in, compute every measure's cost items, abatement and NOK/t.

    ``base``: the package is every measure the chain of ``extends`` adds after that scenario (:func:`package_of`);
    ``by="kind"``: the measures of each kind are costed together, first-in as one (label ``kind (n measures)``).

    ``abatement`` optionally maps a measure's label to its abatement ``(T,)`` or ``(T, D)`` [t CO2e/yr,
    positive = a cut] over ``dims.YEARS`` (e.g. Shapley values from ``attribution.py``); measures it
    does not name keep their first-in abatement.

    ``draws``: run the base and every measure in the same ``draws`` sampled draws of the uncertain
    parameters (``sampler``, ``seed``), cost parameters included, instead of once at the default
    values; every array then carries the draws, and abatement and costs are paired differences.
    """
    from .. import api
    from ..measures import KINDS
    from ..measures.costing import RunView

    base_scenario, package, base_name = package_of(scenario, base)
    groups = _costed_groups(package, by)
    years = np.asarray(dims.YEARS)
    y0, y1 = _window(package, year_from, year_to)
    if discount_rate is not None and not -0.5 < float(discount_rate) <= 1.0:
        raise UsageError(f"--discount-rate: must be a real rate per year above -0.5 and at most 1 (e.g. 0.04; got "
                         f"{discount_rate})")
    labels = [label for label, _, _ in groups]
    passed = dict(abatement or {})
    unknown = [k for k in passed if k not in labels]
    if unknown:
        raise UsageError(f"abatement given for {', '.join(map(repr, unknown))}, not measures of the package "
                         f"(labels: {', '.join(labels)})")
    doubled = sorted({x for x in passed if labels.count(x) > 1})
    if doubled:
        raise UsageError(f"abatement given by label for {', '.join(doubled)}, but several measures carry it")
    for label, given in passed.items():
        shape = np.shape(given)
        if not shape or shape[0] != len(years) or len(shape) > 2:
            raise UsageError(f"abatement of {label!r}: one value per year {dims.BASE_YEAR}-{dims.FINAL_YEAR} "
                             f"({len(years)}, optionally by draw) [t CO2e/yr]; got shape {shape}")

    if draws is not None and draws < 1:
        raise UsageError(f"--draws must be at least 1 (got {draws})")

    def run(s):
        return api.run_scenario(s, seed, draws or 1, sampler if draws else None)

    base_model = run(base_scenario)
    base_view = RunView.of(base_model)
    rate = float(base_model.params["cost.discount_rate"][0]) if discount_rate is None else float(discount_rate)
    lam = base_model.params["cost.tax_financing_share"]                              # (D,)
    base_totals = base_model.emission_totals()                                       # (T, D, M)
    prices = {s: carbon_price_path(s, years) for s in CARBON_SERIES}
    out = []
    for label, kind_name, measures in groups:
        m = measures[0]
        kind = KINDS[kind_name]
        model = run(with_measures(base_scenario, measures, package))
        view = RunView.of(model)
        a = (base_totals - model.emission_totals()).sum(-1)                          # (T, D)
        source = "first-in"
        if label in passed:
            a = np.broadcast_to(np.asarray(passed[label], dtype=float).reshape(len(years), -1), a.shape).copy()
            source = "given"
        items = []
        # a group is not costed when each of its measures is not (the reason of the first)
        why = [kind.costs.not_costed_because(n.values) for n in measures]
        costed = not all(w is not None for w in why)
        if costed:
            streams = item_streams(kind_name, base_view, view, rate)
            for item in kind.costs.items:
                stream = streams[item.name].sum(-1)                                  # (T, D)
                items.append(ItemCost(item.name, item.flow, item.payer, item.method,
                                      item.parameters_for(base_view, view), stream,
                                      present_value(stream, years, rate, y0, y1)))
            if any(i.payer == "public" for i in items):
                public = sum(i.stream for i in items if i.payer == "public")
                items.append(ItemCost(
                    "tax_financing", "resource", "public",
                    "cost.tax_financing_share x the public's net outlays (its items, transfers included)",
                    ("cost.tax_financing_share",), lam[None, :] * public,
                    present_value(lam[None, :] * public, years, rate, y0, y1)))
        places = (tuple(m.municipalities) if len(measures) == 1 else
                  tuple(x for x in dims.MUNICIPALITIES if any(x in n.municipalities for n in measures)))
        left = kind.costs.not_counted
        if costed and any(w is not None for w in why):   # some measures of the group act only through what is left out
            n = sum(w is not None for w in why)
            left = left + (f"{n} of its {len(why)} measures: {next(w for w in why if w is not None)}",)
        # costs for a part of the abatement only: a measure acting partly through what the items leave out, or a
        # group of which some measures are not costed at all
        partly = [kind.costs.partly_costed_because(n.values) for n in measures] if costed else []
        uncosted = sum(w is not None for w in why)
        if costed and uncosted:
            partly.append(f"{uncosted} of its {len(why)} measures not costed, so no NOK/t")
        cost = MeasureCost(label, kind_name, m.origin, places, costed, "" if costed else why[0],
                           left, items, a, source, caveat=kind.costs.caveat if costed else "",
                           partly=next((w for w in partly if w is not None), ""))
        if m.adoption == "adaptive":
            where = [dims.MUNICIPALITIES.index(x) for x in m.municipalities]
            cost.adopted = model.agenda.adoption_years()[m.label][1][:, where]
        out.append(_summarise(cost, years, rate, y0, y1, prices))
    name = Path(scenario.files[-1][0]).name if scenario.files else scenario.name
    return CostReport(name, base_name, rate, y0, y1, years, out, prices, draws or 0, sampler if draws else None,
                      base_totals)


def _summarise(m: MeasureCost, years, rate, y0, y1, prices) -> MeasureCost:
    m.tonnes = total(m.abatement, years, y0, y1)
    m.tonnes_discounted = present_value(m.abatement, years, rate, y0, y1)
    nan = np.full(m.tonnes.shape, np.nan)
    if m.costed:
        resource = [i for i in m.items if i.flow == "resource"]
        zero = np.zeros(m.tonnes.shape)
        m.social = sum((i.pv for i in resource), zero)
        m.public = sum((i.pv for i in m.items if i.payer == "public" and i.name != "tax_financing"), zero)
        m.users = sum((i.pv for i in m.items if i.payer == "users"), zero)
        m.nok_per_t = nan if m.partly else cost_per_tonne(m.social, m.tonnes_discounted)
        m.nok_per_t_undiscounted = nan if m.partly else cost_per_tonne(m.social, m.tonnes)
    else:
        m.social = m.public = m.users = m.nok_per_t = m.nok_per_t_undiscounted = nan
    m.carbon_price = {s: weighted_price(p, m.abatement, years, rate, y0, y1) for s, p in prices.items()}
    m.carbon_outside = carbon_value_outside(m.abatement, prices, years, rate, y0, y1)
    return m
