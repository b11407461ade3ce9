"""The measure library and the scenario library, run as a planner would run them.

Every kind acts, and only where it should; effects grow with intensity; a charge interacts with
the electric share of the fleet; a charge on one city's cordon reaches the commuters of its
neighbour; the shipped packages do what their comments say.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from framtid.model import api, dims
from framtid.model.cordons import owner_of
from framtid.model.elasticities import _measure, _with
from framtid.model.measures import AREAS, KINDS, example_values
from framtid.model.scenario import load

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
OSLO, BAERUM, BERGEN, TROMSO = (dims.MUNICIPALITIES.index(m) for m in ("oslo", "baerum", "bergen", "tromso"))
START = 2015
AREA_PACKAGES = {"land-use-transport": "land_use_transport", "buildings-energy": "buildings_energy",
                 "consumption-waste": "consumption_waste", "adaptation": "adaptation"}


@lru_cache(maxsize=None)
def scenario(name: str):
    return load(SCENARIOS / f"{name}.toml") if (SCENARIOS / f"{name}.toml").exists() else load(f"framtid:{name}")


@lru_cache(maxsize=None)
def run_named(name: str):
    return api.run_scenario(scenario(name))


@lru_cache(maxsize=None)
def run_with(base: str, kind: str, values: tuple = (), munis: tuple = ("oslo",), start: int = START):
    """``base`` plus one measure of ``kind`` (values: sorted (field, value) pairs; others at defaults)."""
    if kind is None:
        return run_named(base)
    full = example_values(KINDS[kind], "default") | dict(values)
    return api.run_scenario(_with(scenario(base), _measure(kind, munis, start, full, f"test {kind}")))


def series(model, name, m=OSLO):
    return model.record[name][:, 0, m]


def co2e(model):
    return model.emission_totals()[:, 0]                                  # (T, M)


# -- the library files ---------------------------------------------------------------------------------

def test_the_library_has_the_packages_a_planner_expects():
    names = {p.stem for p in SCENARIOS.glob("*.toml")}
    expected = set(AREA_PACKAGES) | {"framtidens-byer-2009", "restrictive", "restrictive-adaptive"}
    expected |= {f"congestion-{city}-{v}" for city in ("oslo", "bergen", "trondheim")
                 for v in ("flat", "rush-hour", "high-ev-free")}
    assert expected <= names, expected - names


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_library_file_validates_and_opens_with_a_comment_for_planners(path):
    s = load(path)
    assert s.name == path.stem and s.description
    head = path.read_text(encoding="utf-8").split("[scenario]")[0]
    assert sum(line.startswith("#") for line in head.splitlines()) >= 2, path.name


@pytest.mark.parametrize("name, area", AREA_PACKAGES.items())
def test_each_area_package_holds_measures_of_its_area(name, area):
    own = [m for m in scenario(name).measures if m.origin.startswith(f"{name}.toml")]
    assert len(own) >= 5 and {KINDS[m.kind].area for m in own} == {area}


def test_framtidens_byer_2009_covers_the_four_areas_for_all_13():
    s = scenario("framtidens-byer-2009")
    own = [m for m in s.measures if m.origin.startswith("framtidens-byer-2009.toml")]
    for area in AREAS:
        for muni in dims.MUNICIPALITIES:
            assert any(KINDS[m.kind].area == area and muni in m.municipalities for m in own), (area, muni)
    assert all(m.start_year >= 2010 for m in own)


def test_the_2009_package_cuts_emissions_everywhere_against_the_2009_policies():
    ref, pkg = co2e(run_named("reference")), co2e(run_named("framtidens-byer-2009"))
    k = slice(2011 - dims.BASE_YEAR, None)
    assert (pkg[k].sum(axis=1) < ref[k].sum(axis=1)).all()
    assert (pkg[2020 - dims.BASE_YEAR] < ref[2020 - dims.BASE_YEAR]).all()
    np.testing.assert_array_equal(pkg[0], ref[0])                       # 2009 is the observed year


@pytest.mark.parametrize("name", ["land-use-transport", "buildings-energy", "consumption-waste", "restrictive"])
def test_mitigation_packages_cut_emissions_against_current_policies(name):
    k = 2035 - dims.BASE_YEAR
    assert co2e(run_named(name))[k].sum() < co2e(run_named("current-policies"))[k].sum()
    np.testing.assert_allclose(co2e(run_named(name))[:2027 - dims.BASE_YEAR],
                               co2e(run_named("current-policies"))[:2027 - dims.BASE_YEAR], rtol=1e-12)


def test_the_adaptation_package_changes_runoff_not_emissions():
    ref, pkg = run_named("reference"), run_named("adaptation")
    np.testing.assert_array_equal(co2e(pkg), co2e(ref))
    k = 2050 - dims.BASE_YEAR
    assert (pkg.record["runoff_coefficient"][k, 0] < ref.record["runoff_coefficient"][k, 0]).all()


@pytest.mark.parametrize("city", ["oslo", "bergen", "trondheim"])
def test_congestion_variants_of_each_city(city):
    m = dims.MUNICIPALITIES.index(city)
    k = 2030 - dims.BASE_YEAR
    base = run_named("current-policies")
    flat, rush, high = (run_named(f"congestion-{city}-{v}") for v in ("flat", "rush-hour", "high-ev-free"))
    passages = {n: r.record["cordon_car_trips"][k, 0, m] for n, r in
                (("base", base), ("flat", flat), ("rush", rush), ("high", high))}     # (period,)
    # the rush-hour charge moves passages out of the peaks relative to the flat toll
    peak_share = {n: p[0] / p.sum() for n, p in passages.items()}
    assert peak_share["rush"] < peak_share["flat"]
    # twice the prices with electric cars free: fewer fossil passages and more electric cars bought
    assert co2e(high)[k, m] < co2e(base)[k, m]
    bev = dims.POWERTRAINS.index("bev")
    assert series(high, "new_car_share", m)[k, bev] > series(flat, "new_car_share", m)[k, bev]
    # nothing changes before 2027, nor in Tromsø
    np.testing.assert_allclose(co2e(high)[:2027 - dims.BASE_YEAR], co2e(base)[:2027 - dims.BASE_YEAR], rtol=1e-12)
    np.testing.assert_allclose(co2e(high)[:, TROMSO], co2e(base)[:, TROMSO], rtol=1e-12)


# -- every kind acts, and only where it should ---------------------------------------------------------

def _differs(a, b) -> bool:
    return not np.allclose(a, b, rtol=1e-12, atol=1e-9, equal_nan=True)


# Kinds that act only on what another measure schedules, with that measure (kind, start year) in Oslo.
COMPANIONS = {"oil_heating_ban_announcement": ("oil_heating_ban", 2020),
              "oil_heating_ban_adoption": ("oil_heating_ban", 2020)}


@lru_cache(maxsize=None)
def companion(kind: str):
    """The reference with ``kind``'s companion measure (COMPANIONS) in Oslo."""
    other, start = COMPANIONS[kind]
    return _with(scenario("reference"), _measure(other, ("oslo",), start, example_values(KINDS[other], "default"),
                                                  f"companion {other}"))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_acts_in_its_municipality_from_its_start_and_not_far_away(kind):
    """At its default values in Oslo from 2015: some recorded quantity of Oslo changes; nothing changes
    before 2015, nor in Bergen and Tromsø (other commuting regions). A kind in COMPANIONS is compared on
    the reference with its companion measure."""
    if kind in COMPANIONS:
        base = companion(kind)
        full = example_values(KINDS[kind], "default")
        model = api.run_scenario(_with(base, _measure(kind, ("oslo",), START, full, f"test {kind}")))
        ref = api.run_scenario(base)
    else:
        model, ref = run_with("reference", kind), run_named("reference")
    before = slice(0, START - dims.BASE_YEAR)
    changed = []
    for name, values in model.record.items():
        base = ref.record[name]
        assert not _differs(values[before], base[before]), (kind, name, "before its start year")
        for far in (BERGEN, TROMSO):
            assert not _differs(_of(model, name, values, far), _of(model, name, base, far)), (
                kind, name, dims.MUNICIPALITIES[far])
        if _differs(_of(model, name, values, OSLO), _of(model, name, base, OSLO)):
            changed.append(name)
    assert changed, f"{kind} at its defaults changed nothing in Oslo"


def _of(model, name: str, values: np.ndarray, m: int) -> np.ndarray:
    """A record's rows of municipality ``m``: its axis 2 is the municipality, or for ``cordon_passages`` the
    cordon, whose rows are those of the cordons the municipality owns."""
    if name != "cordon_passages":
        return values[:, :, m]
    return values[:, :, [i for i, c in enumerate(model.cordons) if owner_of(c) == dims.MUNICIPALITIES[m]]]


# -- intensity, interaction, spill-over -----------------------------------------------------------------

@pytest.mark.parametrize("kind, field, levels, quantity, sign", [
    ("toll_change", "factor", (1.25, 1.5, 2.0), "car_vkm_resident", -1),
    ("parking_fee", "fee_nok", (10.0, 30.0, 60.0), "car_vkm_resident", -1),
    ("pt_fare", "change", (-0.1, -0.3, -0.6), "pt", +1),
    ("pt_service", "change", (0.1, 0.3, 0.6), "pt", +1),
    ("densification", "share", (0.25, 0.5, 1.0), "car_vkm_resident", -1),
    ("car_sharing", "member_share", (0.05, 0.1, 0.2), "car_vkm_resident", -1),
    ("parking_supply", "workplace_share", (0.25, 0.5, 1.0), "car_vkm_resident", -1),
])
def test_effects_grow_with_intensity(kind, field, levels, quantity, sign):
    k = 2030 - dims.BASE_YEAR
    values = []
    for level in (None,) + levels:
        extra = () if level is None else ((field, level),)     # a number: every label of the field's axis
        model = run_with("reference", kind if level is not None else None, extra)
        if quantity == "pt":
            values.append(series(model, "mode_share")[k, dims.MODES.index("public_transport")])
        else:
            values.append(series(model, quantity)[k])
    steps = np.diff(values) * sign
    assert (steps > 0).all(), (kind, values)


def test_a_charge_saves_less_co2_per_car_km_as_the_fleet_turns_electric():
    """EV share x charge: the same doubled toll removes car-km in 2016 and 2045, but each removed
    car-km saves less CO2 when more of the cars are electric."""
    ref, toll = run_named("current-policies"), run_with("current-policies", "toll_change", (("factor", 2.0),))
    cars = dims.SOURCES.index("cars")
    ratios, bev = [], []
    for year in (2016, 2045):
        k = year - dims.BASE_YEAR
        vkm_cut = series(ref, "car_vkm_resident")[k] - series(toll, "car_vkm_resident")[k]
        co2_cut = ref.record["emissions_gas"][k, 0, OSLO, cars, 0] - toll.record["emissions_gas"][k, 0, OSLO, cars, 0]
        assert vkm_cut > 0 and co2_cut > 0
        ratios.append(co2_cut / vkm_cut)
        bev.append(series(ref, "bev_share_of_car_stock")[k])
    assert bev[1] > bev[0] + 0.5
    assert ratios[1] < 0.5 * ratios[0]


def test_an_ev_exemption_turns_a_charge_from_fewer_trips_into_more_electric_cars():
    """The other side of the interaction: with electric cars free, the same charge removes fewer car-km
    but raises the electric share of new cars."""
    k = 2030 - dims.BASE_YEAR
    base = {"cordon": "oslo_ring_2019", "peak_nok": 80.0, "offpeak_nok": 80.0, "heavy_peak_nok": 200.0,
            "heavy_offpeak_nok": 200.0}
    # current policies: from 2023 electric cars pay at least 30 % less than petrol cars (national rule)
    free = run_with("current-policies", "congestion_charge", tuple(sorted((base | {"bev_discount": 1.0}).items())),
                    start=2027)
    paying = run_with("current-policies", "congestion_charge", tuple(sorted((base | {"bev_discount": 0.0}).items())),
                      start=2027)
    assert series(free, "car_vkm_resident")[k] > series(paying, "car_vkm_resident")[k]
    bev = dims.POWERTRAINS.index("bev")
    assert series(free, "new_car_share")[k, bev] > series(paying, "new_car_share")[k, bev]


def test_ending_the_national_toll_exemption_makes_battery_cars_pay_at_the_2009_rings(tmp_path):
    """The 2009 rings write the full rate for battery-electric cars and the national exemption made them free, so
    a scenario replacing "BEV toll exemption" makes them pay (it changed nothing while the rings wrote them free
    themselves: an audit found +0.00 kt): fewer battery-electric cars are bought in Oslo, whose ring they cross."""
    path = tmp_path / "no-exemption.toml"
    path.write_text('[scenario]\nname = "no-exemption"\nextends = "framtid:reference"\n[[measure]]\n'
                    'kind = "ev_incentives"\nlabel = "BEVs pay tolls"\nreplaces = "BEV toll exemption"\n'
                    'municipality = "*"\nstart_year = 2015\ntoll_discount = 0\n')
    ended = api.run_scenario(load(path))
    bev, k = dims.POWERTRAINS.index("bev"), 2020 - dims.BASE_YEAR
    assert series(ended, "new_car_share")[k, bev] < series(run_named("reference"), "new_car_share")[k, bev]
    assert (series(ended, "new_car_share")[:6] == series(run_named("reference"), "new_car_share")[:6]).all()


def test_a_charge_on_oslos_cordons_reaches_the_commuters_of_baerum():
    ref, toll = run_named("reference"), run_with("reference", "toll_change", (("factor", 2.0),))
    k = 2020 - dims.BASE_YEAR
    assert series(toll, "car_vkm_resident", BAERUM)[k] < series(ref, "car_vkm_resident", BAERUM)[k]
    assert series(toll, "car_vkm_resident", OSLO)[k] < series(ref, "car_vkm_resident", OSLO)[k]
    np.testing.assert_allclose(series(toll, "car_vkm_resident", BERGEN), series(ref, "car_vkm_resident", BERGEN),
                               rtol=1e-12)


def test_the_policy_history_holds_oslos_parking_fees_with_their_bev_rules():
    """current-policies: Oslo's fees of 2016 and 2020 per car trip since 2009 (parking.csv, one hour per paying
    trip, the 2015 fees held at their real value since 2009, in real 2009 NOK with d(y) the deflator to 2009:
    A zones 0.5 (56 d16 - 37.3 d15) + 0.5 (24 d16 - 20 d15), B 13 d16 - 10.8 d15; from 2020 the same with 67.2,
    28.8 and 15.6 at d20), battery-electric cars free until 2020 and paying 20 % of the whole fee after,
    0.2 x (0.5 x 67.2 + 0.5 x 28.8) d20 of the A zones' change (spared 0.40 of it), which the national cap on the
    change (they pay at most half of it: the model knows no fee of 2009) makes half of the change; no other
    municipality has a fee."""
    from framtid.model.measures import lever_paths
    from framtid.model.prices import to_real_2009 as d

    paths = lever_paths(list(scenario("current-policies").measures), np.array(dims.YEARS), 1)
    fee, discount = paths["parking_fee_nok"][:, 0], paths["bev_parking_discount"][:, 0]

    def at(year):
        return year - dims.BASE_YEAR

    def change(after, year):   # the A and B zones' fee per trip against the 2015 fees held since 2009
        a, b, b_before = after
        return [0.5 * (a * d(year) - 37.3 * d(2015)) + 0.5 * (b * d(year) - 20 * d(2015)),
                b_before * d(year) - 10.8 * d(2015), 0.0]

    assert fee[at(2015)].max() == 0.0
    np.testing.assert_allclose(fee[at(2016), OSLO], change((56, 24, 13), 2016), atol=0.006)
    np.testing.assert_allclose(fee[at(2024), OSLO], change((67.2, 28.8, 15.6), 2020), atol=0.006)
    assert np.delete(fee, OSLO, axis=1).max() == 0.0
    assert discount[at(2019), OSLO] == 1.0
    bev_pays = 0.2 * (0.5 * 67.2 + 0.5 * 28.8) * d(2020)          # 7.42 of a change of 12.42 (real 2009 NOK)
    assert discount[at(2020), OSLO] == 0.5 and paths["bev_parking_discount_min"][at(2020), 0, OSLO] == 0.5
    assert fee[at(2024), OSLO][0] * (1.0 - discount[at(2020), OSLO]) == pytest.approx(0.5 * fee[at(2024), OSLO][0])
    assert 0.5 * fee[at(2024), OSLO][0] < bev_pays - 1.0
    # the fees cut Oslo's car use against the history without them
    history = scenario("current-policies")
    without = api.run_scenario(dataclasses.replace(history, measures=tuple(
        m for m in history.measures if m.kind != "parking_fee")))
    k = at(2020)
    assert series(run_named("current-policies"), "car_vkm_resident")[k] < 0.99 * series(without, "car_vkm_resident")[k]


def test_in_the_adaptive_package_some_municipalities_adopt_and_others_wait():
    model = run_named("restrictive-adaptive")
    adopted = model.agenda.adopted[0]                                      # (M, J)
    on = model.agenda.on_agenda
    assert 0 < np.sum(~np.isnan(adopted[on])) < on.sum()
    assert np.nanmin(adopted) >= 2027
    # every adoption acts: the package lies between current policies and the forced package in 2035
    k = 2035 - dims.BASE_YEAR
    total = {n: co2e(run_named(n))[k].sum() for n in ("current-policies", "restrictive-adaptive", "restrictive")}
    assert total["restrictive"] < total["restrictive-adaptive"] < total["current-policies"]


def test_tolls_are_paid_where_the_drivers_live():
    """toll_paid: Oslo's cordons are paid by Oslo's and its neighbours' residents, not by Bergen's; doubling
    Oslo's tolls raises what Bærum's commuters pay and leaves Bergen's payments as they were."""
    ref, toll = run_named("reference"), run_with("reference", "toll_change", (("factor", 2.0),))
    k = 2020 - dims.BASE_YEAR
    paid_ref, paid = series(ref, "toll_paid", BAERUM)[k], series(toll, "toll_paid", BAERUM)[k]
    assert paid > paid_ref > 0
    np.testing.assert_allclose(series(toll, "toll_paid", BERGEN), series(ref, "toll_paid", BERGEN), rtol=1e-12)
    assert series(ref, "toll_paid", TROMSO)[k] == 0.0          # no cordon in Tromsø under the 2009 policies
    # residents pay at most the cordons' car revenue (which adds vehicles from elsewhere and freight)
    assert ref.record["toll_paid"][k, 0].sum() < ref.record["toll_revenue"][k, 0].sum()


def test_more_road_capacity_saves_car_hours_per_trip():
    ref, wider = run_named("reference"), run_with("reference", "road_capacity", (("change", 0.2),))
    k = 2030 - dims.BASE_YEAR
    car = dims.MODES.index("car_driver")

    def per_trip(model):
        return series(model, "car_hours")[k] / series(model, "trips")[k, car]

    assert per_trip(wider) < per_trip(ref)
    np.testing.assert_allclose(series(wider, "car_hours", BERGEN), series(ref, "car_hours", BERGEN), rtol=1e-12)
