"""The actors: municipalities and household cohorts (Mesa agents).

Agents are few and hold no stocks: vehicle fleets, buildings and landfills are
numpy arrays owned by the submodels. What agents own is *decisions*:

* a :class:`Municipality` follows its own climate target and, each year, takes
  stock of how far it is from it (recorded as ``target_gap``; no measure adapts to
  it yet);
* a :class:`HouseholdCohort` (the residents of one zone type in one municipality)
  chooses how to travel and which car to buy. Heating systems are chosen per
  municipality and building type when a system reaches the end of its life, inside
  the building-stock step (``submodels.buildings.choose_heating_systems``).

A cohort's decision rule is applied to all cohorts at once as array operations
(``decide_all``), so a year costs a fixed few dozen numpy calls however many
cohorts or Monte Carlo draws there are; each agent is a named view on its slice.
"""

from __future__ import annotations

import numpy as np

from . import dims
from .mesa_core import Agent


class Municipality(Agent):
    """One of the 13 municipalities, with its own emission target."""

    def __init__(self, model, index: int, target: tuple[int, int, float] | None):
        super().__init__(model)
        self.index = index
        self.id = dims.MUNICIPALITIES[index]
        self.region = dims.REGION_OF[self.id]
        # (base year, target year, relative change), e.g. (2009, 2030, -0.95) for Oslo.
        self.target = target
        self.target_gap = np.full(model.n_draws, np.nan)

    def target_path(self, year: int) -> np.ndarray | None:
        """Emissions on the straight line from the target's base year to its target [t CO2e/yr]."""
        if self.target is None:
            return None
        base_year, target_year, change = self.target
        if not dims.BASE_YEAR <= base_year <= year:
            return None
        base = self.model.total_emissions(self.index, base_year)
        share = min(1.0, (year - base_year) / (target_year - base_year))
        return base * (1.0 + change * share)

    def deliberate(self, year: int) -> None:
        """Take stock: last year's emissions against the target path (positive = above the path)."""
        path = self.target_path(year - 1)
        if path is not None:
            self.target_gap = self.model.total_emissions(self.index, year - 1) - path


class HouseholdCohort(Agent):
    """The residents of one zone type (A, B or C) in one municipality."""

    def __init__(self, model, municipality: int, zone: int):
        super().__init__(model)
        self.municipality = municipality
        self.zone = zone

    @property
    def mode_shares(self) -> np.ndarray:
        """This cohort's trip shares by purpose, period and mode, (D, P, T, 5)."""
        return self.model.choices["transport"]["travel"]["modes"][:, self.municipality, self.zone]

    @property
    def new_car_shares(self) -> np.ndarray:
        """Powertrain shares of the cars this cohort buys this year, (D, K)."""
        return self.model.choices["transport"]["cars"][:, self.municipality, self.zone]

    @classmethod
    def decide_all(cls, model, submodel, state, ctx) -> dict[str, np.ndarray]:
        """Every cohort's travel and car-purchase choice this year, as array operations.

        Mode choice is a pivot-point logit on the change in generalised cost since
        2009; car purchase a logit on total cost of ownership with a peer effect of
        the local electric-car fleet (``submodels.transport``).
        """
        return submodel.choose(state, ctx)
