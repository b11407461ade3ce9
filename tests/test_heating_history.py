"""The conversion of oil heating before the 2020 ban, against Norway's heating series (tools/fit_heating.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.parameters import Params
from framtid.model.scenario import load


@pytest.fixture(scope="module")
def fit(module_tool):
    """tools/fit_heating.py as a module, loaded once for the module's tests."""
    return module_tool("fit_heating")


@pytest.fixture(scope="module")
def history(fit):
    """The 13's heating emissions relative to 2009 under the policy history, the review rate at 0.15, the
    table's default and 0.25 (one run, the rates as draws) ``(T, 3)``."""
    default = Params.defaults(1)[fit.RATE][0]
    total = fit.heating_paths(np.array([0.15, default, 0.25]), load("framtid:current-policies")).sum(axis=-1)
    return total / total[0]


def test_national_series_is_relative_to_2009(fit):
    observed = fit.national()
    assert observed[2009] == 1.0
    assert observed[2015] == pytest.approx(904 / 1635)      # SSB 08940: 904 kt in 2015, 1 635 kt in 2009
    assert min(observed) == 2009


def test_the_13s_heating_falls_as_the_nations_in_the_fitted_years(fit, history):
    # The fit misses by 0.056 and 0.031 in log (0.708 and 0.570 against Norway's 0.749 and 0.553); the 0.1 assumed
    # before gives 0.846 and 0.741 with today's model (0.12 and 0.29 in log)
    observed = fit.national()
    for year in (2013, 2015):
        assert abs(math.log(history[year - dims.BASE_YEAR, 1] / observed[year])) < 0.08, year


def test_the_table_holds_the_fit(fit):
    """The table's default is the fit of today's model to the hundredth (0.207 in the table as 0.21): a change of
    the model that moves the fit shows here; then run tools/fit_heating.py and mend the table's default and source."""
    rate, rms, years = fit.fitted(load("framtid:current-policies"))
    assert years == [2013, 2015]
    assert abs(rate - Params.defaults(1)[fit.RATE][0]) < 0.01 and rms < 0.06


def test_the_fit_minimises_its_misfit(fit, history):
    """The misfit of the fitted years is smaller at the table's default than at 0.15 and 0.25 (the objective as the
    tool states it, on the runs of ``history``)."""
    observed = fit.national()
    misfit = [sum(math.log(history[y - dims.BASE_YEAR, d] / observed[y]) ** 2 for y in (2013, 2015)) for d in range(3)]
    assert misfit[1] < misfit[0] and misfit[1] < misfit[2]


def test_a_faster_review_converts_more_before_the_ban(history):
    years = slice(1, 2019 - dims.BASE_YEAR + 1)
    assert np.all(history[years, 2] < history[years, 1]) and np.all(history[years, 1] < history[years, 0])
