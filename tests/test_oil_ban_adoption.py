"""An adopted oil-heating ban: the owners it will remove convert ahead of it, evenly over the lead time.

Hand-computed shares for :func:`heating_shares.share_left_ahead_of_ban` and
:func:`heating_shares.converted_ahead_of_ban`, the first value of a scheduled lever (:func:`levers.first_value`), and
whole runs of current-policies with and without the adoption of 28 June 2018.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest

from framtid.model import api, dims, levers
from framtid.model.measures.scenario_checks import unforeseeable_bans
from framtid.model.scenario import load
from framtid.model.submodels import heating_shares

OIL, PARAFFIN = dims.HEATING_SYSTEMS.index("oil_boiler"), dims.HEATING_SYSTEMS.index("paraffin_stove")
HEAT_PUMP = dims.HEATING_SYSTEMS.index("heat_pump")
YEAR = {y: k for k, y in enumerate(dims.YEARS)}


def test_share_left_by_hand():
    lead = np.full((1, 6), 1.51)
    lead[0, 5] = 0.0                                                     # not adopted
    years_left = np.array([[3.0, 2.0, 1.0, 0.0, np.inf, 1.0]])
    # clip((n - 1/2) / L, 0, 1): 2.5 / 1.51 -> 1; 1.5 / 1.51 = 0.99338; 0.5 / 1.51 = 0.33113; in force, none,
    # not adopted: 1
    np.testing.assert_allclose(heating_shares.share_left_ahead_of_ban(years_left, lead),
                               [[1.0, 1.5 / 1.51, 0.5 / 1.51, 1.0, 1.0, 1.0]], rtol=1e-12)


def test_conversions_ahead_of_the_ban_by_hand():
    shares = np.zeros((1, 2, 1, len(dims.HEATING_SYSTEMS)))
    shares[..., OIL], shares[..., PARAFFIN], shares[..., HEAT_PUMP] = 0.3, 0.1, 0.6
    reference = shares.copy()
    reference[..., OIL] = 0.4                                            # the shares at the adoption
    choice = np.zeros_like(shares)
    choice[..., HEAT_PUMP] = 1.0
    strength = np.full((1, 2), 0.95)
    out = heating_shares.converted_ahead_of_ban(shares, reference, strength, np.array([[1.0, 2.0]]),
                                                np.full((1, 2), 1.51), choice)
    # the year before the ban: 1 - 0.33113 / 0.99338 = 2/3 of the excess above (1 - 0.95) x reference converts
    rate = 1.0 - (0.5 / 1.51) / (1.5 / 1.51)
    oil, paraffin = rate * (0.3 - 0.05 * 0.4), rate * (0.1 - 0.05 * 0.1)  # 0.18667, 0.06333
    np.testing.assert_allclose(out[0, 0, 0, [OIL, PARAFFIN, HEAT_PUMP]], [0.3 - oil, 0.1 - paraffin,
                                                                          0.6 + oil + paraffin], rtol=1e-12)
    # two years before it (adopted half a year before this year's middle): 1 - 0.99338 of the excess
    rate2 = 1.0 - 1.5 / 1.51
    np.testing.assert_allclose(out[0, 1, 0, OIL], 0.3 - rate2 * 0.28, rtol=1e-12)
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-12)


def test_first_value_of_a_scheduled_lever():
    path = np.zeros((6, 1, 3))
    path[3:, 0, 0] = 0.95
    path[5:, 0, 0] = 0.98
    path[1:, 0, 1] = 0.5
    paths = {"oil_heating_ban": path}
    np.testing.assert_allclose(levers.first_value(paths, "oil_heating_ban", 0), [[0.95, 0.5, 0.0]])
    np.testing.assert_allclose(levers.first_value(paths, "oil_heating_ban", 5), [[0.98, 0.5, 0.0]])


@lru_cache(maxsize=None)
def runs():
    cp = load("framtid:current-policies")
    without = replace(cp, measures=tuple(m for m in cp.measures if m.kind != "oil_heating_ban_adoption"))
    return api.run_scenario(cp).record, api.run_scenario(without).record


def _oil_area(record, year: int) -> float:
    k = YEAR[year]
    share = record["heating_system_share"][k, 0][..., [OIL, PARAFFIN]].sum(axis=-1)     # (M, building type)
    return float((share * record["floor_area"][k, 0]).sum())


def test_the_adoption_moves_the_conversions_ahead_of_the_ban():
    adopted, without = runs()
    # nothing changes before the adoption
    for name in ("heating_system_share", "emissions_gas", "delivered_energy"):
        np.testing.assert_array_equal(adopted[name][:YEAR[2018]], without[name][:YEAR[2018]], err_msg=name)
    # In 2019 two thirds of what the ban would remove is gone (0.33113 left at mid-year, of 0.99338 in 2018)
    before = _oil_area(without, 2019)
    after_ban = _oil_area(without, 2020)
    assert _oil_area(adopted, 2019) < before - 0.6 * (before - after_ban)
    assert _oil_area(adopted, 2018) < _oil_area(without, 2018)
    # From the ban on, oil and paraffin stay within (1 - ban) x their shares at the adoption (start of 2018)
    for year, strength in ((2020, 0.95), (2030, 0.98)):
        k, ref = YEAR[year], YEAR[2017]
        for h in (OIL, PARAFFIN):
            got = adopted["heating_system_share"][k, 0][..., h]
            assert np.all(got <= (1 - strength) * adopted["heating_system_share"][ref, 0][..., h] + 1e-12), year


def test_the_heating_emissions_of_2019_fall_ahead_of_the_ban():
    adopted, without = runs()
    heat = [dims.SOURCES.index(s) for s in ("heating_oil", "heating_paraffin")]
    co2 = {name: r["emissions_gas"][:, 0][:, :, heat, 0].sum(axis=(1, 2)) for name, r in (("a", adopted),
                                                                                            ("w", without))}
    k = YEAR[2019]
    assert co2["a"][k] < 0.6 * co2["w"][k]
    assert co2["a"][k] > co2["a"][YEAR[2020]]                     # not all of it: a third is left at mid-year


def test_an_adoption_without_a_ban_warns(tmp_path):
    cp = load("framtid:current-policies")
    no_ban = [m for m in cp.measures if m.kind != "oil_heating_ban"]
    warnings = unforeseeable_bans(no_ban)
    assert any("adopts an oil-heating ban" in w and "the adoption changes nothing" in w for w in warnings)
    assert any("announces an oil-heating ban" in w for w in warnings)
    assert not unforeseeable_bans(list(cp.measures))


def test_an_adoption_or_announcement_out_of_step_with_the_ban_warns(tmp_path):
    # The ban in Bergen from 2025: an announcement in 2030 comes after it (nothing to foresee), and an adoption
    # in 2015 with a lead of 2 years converts over 2023-2024 whatever its start year says.
    path = tmp_path / "ban.toml"
    path.write_text('[scenario]\nname = "b"\nextends = "framtid:reference"\n'
                    '[[measure]]\nkind = "oil_heating_ban"\nmunicipality = "bergen"\nstart_year = 2025\n'
                    '[[measure]]\nkind = "oil_heating_ban_adoption"\nmunicipality = "bergen"\nstart_year = 2015\n'
                    'lead_years = 2\n'
                    '[[measure]]\nkind = "oil_heating_ban_announcement"\nmunicipality = "bergen"\nstart_year = 2030\n')
    assert unforeseeable_bans(list(load(path).measures)) == [
        "ban.toml: measure[2]: adopted in 2015 with lead_years = 2 before a ban from 2025: the owners convert over "
        "the 2 years before the ban (from 2023) whatever start_year says; make start_year and lead_years agree",
        "ban.toml: measure[3]: announces the oil-heating ban in 2030, but the ban is in force from 2025; an "
        "announcement acts only before the ban, so it changes nothing"]
    agreed = path.read_text().replace("start_year = 2015", "start_year = 2023").replace("start_year = 2030",
                                                                                          "start_year = 2013")
    path.write_text(agreed)
    assert unforeseeable_bans(list(load(path).measures)) == []


@pytest.mark.parametrize("field, message", [("lead_years = 20\n", "between 0.1 and 10"), ("", "lead_years")])
def test_lead_years_is_required_and_bounded(tmp_path, field, message):
    from framtid.model.errors import ScenarioError

    measure = 'kind = "oil_heating_ban_adoption"\nmunicipality = "oslo"\nstart_year = 2018\n' + field
    (tmp_path / "bad.toml").write_text('[scenario]\nname = "bad"\n\n[[measure]]\n' + measure)
    with pytest.raises(ScenarioError, match=message):
        load(tmp_path / "bad.toml")


def test_an_adoption_without_a_scheduled_ban_changes_nothing():
    ref = load("framtid:reference")
    from framtid.model.elasticities import _measure, _with

    adopted = _with(ref, _measure("oil_heating_ban_adoption", ("oslo",), 2018, {"lead_years": 1.5}, "adopted"))
    a, b = api.run_scenario(adopted).record, api.run_scenario(ref).record
    for name in ("heating_system_share", "emissions_gas"):
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
