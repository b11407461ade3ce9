"""An announced oil-heating ban: owners who replace a heating system before the ban foresee it.

Hand-computed annuities for :func:`heating_choice.foreseen_capital`, the years until a scheduled lever
(:func:`levers.years_until`), the buildings step with and without foresight, and whole runs: the
announcement acts only where a ban is scheduled, only from its start, and only before the ban.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest

from framtid.model import api, dims, levers
from framtid.model.elasticities import _measure, _with
from framtid.model.measures import KINDS, example_values
from framtid.model.parameters import Params
from framtid.model.scenario import load
from framtid.model.submodels import buildings
from framtid.model.submodels.heating_choice import foreseen_capital

M = len(dims.MUNICIPALITIES)
OSLO, BERGEN = dims.MUNICIPALITIES.index("oslo"), dims.MUNICIPALITIES.index("bergen")
OIL, PARAFFIN = dims.HEATING_SYSTEMS.index("oil_boiler"), dims.HEATING_SYSTEMS.index("paraffin_stove")


def test_foreseen_capital_hand_computed():
    one = np.ones(1)
    # I = 300 NOK/m2, r = 4 %, L = 25 yr: crf(25) = 0.04 / (1 - 1.04^-25) = 0.0640120, crf(8) = 0.1485278
    full, short = 300 * 0.0640120, 300 * 0.1485278
    got = foreseen_capital(300 * one, 0.04 * one, 25 * one, np.array([[1.0, 0.0, 0.5, 1.0, 1.0]]),
                           np.array([[8.0, 8.0, 8.0, np.inf, 0.0]]))
    np.testing.assert_allclose(got, [[short, full, 0.5 * (full + short), full, 300 * 1.04]], rtol=1e-6)
    # no discounting: the investment spread evenly over the years left
    np.testing.assert_allclose(foreseen_capital(300 * one, 0 * one, 25 * one, np.ones((1, 2)),
                                                np.array([[5.0, 40.0]])), [[60.0, 12.0]])


def test_years_until_a_scheduled_lever():
    path = np.zeros((10, 1, 3))
    path[6:, 0, 0] = 0.5               # from index 6 in the first municipality
    path[2:4, 0, 1] = 1.0              # a while, early, in the second
    paths = {"oil_heating_ban": path}
    np.testing.assert_array_equal(levers.years_until(paths, "oil_heating_ban", 1), [[5, 1, np.inf]])
    np.testing.assert_array_equal(levers.years_until(paths, "oil_heating_ban", 6), [[0, np.inf, np.inf]])
    # a lever with an axis counts as in force when any of its cells is
    toll = np.zeros((4, 1, 2, 3))
    toll[3, 0, 1, 2] = 10.0
    assert levers.years_until({"low_emission_zone_nok": toll}, "low_emission_zone_nok", 0).tolist() == [[np.inf, 3]]


POP = np.array([[575475, 109700, 90196, 72760, 51723, 34377, 51359, 96330, 128288, 64565, 252051, 173891, 66513]],
               float)
APARTMENTS = np.full((1, M), 0.45)


def _oil_after(foresight: float | None, years_left: float, n: int = 4) -> np.ndarray:
    params = Params.defaults(1)
    state = buildings.init_state(POP, APARTMENTS, np.full(M, 4000.0), np.full(M, 0.4), params)
    lv = {} if foresight is None else {"oil_heating_ban_foresight": np.full((1, M), foresight)}
    for year in range(2010, 2010 + n):
        ahead = None if foresight is None else np.full((1, M), years_left - (year - 2010))
        state = buildings.advance(state, POP, APARTMENTS, lv, params, year, ban_ahead=ahead)
    return state.system_share[..., [OIL, PARAFFIN]]


def test_owners_who_foresee_a_near_ban_choose_less_oil():
    free = _oil_after(None, np.inf)
    near, far = _oil_after(1.0, 6.0), _oil_after(1.0, 30.0)
    assert np.all(near < free)
    assert np.all(near < far)
    # half the owners foreseeing it: between
    half = _oil_after(0.5, 6.0)
    assert np.all((near < half) & (half < free))
    # no ban ahead (inf), or a ban further away than the lifetime: exactly as without foresight
    np.testing.assert_array_equal(_oil_after(1.0, np.inf), free)
    np.testing.assert_array_equal(_oil_after(1.0, 60.0), free)


# -- whole runs ---------------------------------------------------------------------------------------

def _ban(base):
    return _with(base, _measure("oil_heating_ban", ("oslo",), 2020, example_values(KINDS["oil_heating_ban"],
                                                                                     "default"), "ban"))


def _announced(base, start=2013):
    return _with(base, _measure("oil_heating_ban_announcement", ("oslo",), start, {"credibility": 1.0}, "announced"))


@lru_cache(maxsize=None)
def _run(which: str):
    reference = load("framtid:reference")
    scenario = {"reference": reference, "announced only": _announced(reference), "ban": _ban(reference),
                "ban announced": _announced(_ban(reference))}[which]
    return api.run_scenario(scenario).record


def _oil_co2(record) -> np.ndarray:
    """CO2 of heating oil and paraffin [t/yr], (T, M)."""
    gases = record["emissions_gas"][:, 0]
    return sum(gases[..., dims.SOURCES.index(s), 0] for s in ("heating_oil", "heating_paraffin"))


def test_an_announcement_without_a_ban_changes_nothing():
    ref, only = _run("reference"), _run("announced only")
    for name in ref:
        np.testing.assert_array_equal(only[name], ref[name], err_msg=name)


def test_an_announced_ban_converts_oil_from_the_announcement_only_where_it_comes():
    ban, announced = _run("ban"), _run("ban announced")
    k13, k19, k20 = (y - dims.BASE_YEAR for y in (2013, 2019, 2020))
    for name in ban:
        np.testing.assert_array_equal(announced[name][:k13], ban[name][:k13], err_msg=name)
        np.testing.assert_array_equal(announced[name][:, :, BERGEN], ban[name][:, :, BERGEN], err_msg=name)
    gained = _oil_co2(ban)[k13:k20, OSLO] - _oil_co2(announced)[k13:k20, OSLO]
    assert np.all(gained > 0)
    # the gap widens as the ban comes closer, then the ban closes it
    assert np.all(np.diff(gained) > 0)
    share = announced["heating_system_share"][k20, 0, OSLO][..., [OIL, PARAFFIN]]
    np.testing.assert_allclose(share, ban["heating_system_share"][k20, 0, OSLO][..., [OIL, PARAFFIN]], atol=0.02)


@pytest.mark.parametrize("year", [2015, 2019])
def test_current_policies_announce_the_ban_of_2020_from_2013(year):
    """current-policies carries the announcement of June 2012 (Meld. St. 21 (2011-2012)); without it heating
    emits more in the years before the ban."""
    cp = load("framtid:current-policies")
    without = replace(cp, measures=tuple(m for m in cp.measures if m.kind != "oil_heating_ban_announcement"))
    assert len(without.measures) == len(cp.measures) - 1
    k = year - dims.BASE_YEAR
    with_, without_ = (_oil_co2(api.run_scenario(s).record)[k] for s in (cp, without))
    assert np.all(with_ < without_)


def test_validate_warns_of_an_announcement_with_no_ban_to_foresee(tmp_path):
    from click.testing import CliRunner

    from framtid.cli.main import main

    body = ('[scenario]\nname = "{name}"\nextends = "framtid:reference"\n[[measure]]\n'
            'kind = "oil_heating_ban_announcement"\nmunicipality = "oslo"\nstart_year = 2013\n{more}')
    ban = '[[measure]]\nkind = "oil_heating_ban"\nmunicipality = "oslo"\nstart_year = 2020\n'
    alone, with_ban = tmp_path / "alone.toml", tmp_path / "with.toml"
    alone.write_text(body.format(name="alone", more=""))
    with_ban.write_text(body.format(name="with", more=ban))
    out = CliRunner().invoke(main, ["validate", str(alone)])
    assert out.exit_code == 0 and "announces an oil-heating ban, but no forced oil_heating_ban" in out.output
    out = CliRunner().invoke(main, ["validate", str(with_ban)])
    assert out.exit_code == 0 and "announces an oil-heating ban" not in out.output
