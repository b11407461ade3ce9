"""Co-benefits after a run: road NOx and PM10 with fleet renewal, WHO HEAT, tolls paid by residents."""

import numpy as np
import pytest
import xarray as xr

from framtid.model import api, dims
from framtid.model.evaluation import cobenefits as cb
from framtid.model.parameters import Params

DEFAULTS = Params.defaults(1)


def _one_year(municipality="oslo", cars=(1e9, 5e8, 1e7, 2e8), others=(7e8, 2e8, 5e7)):
    """A one-scenario result of 2009 only: car vkm by powertrain (petrol, diesel, phev, bev) and
    the vkm of vans, heavy vehicles and buses [vkm/yr]; 1 000 cars of each powertrain."""
    coords = {"municipality": [municipality], "year": [2009], "draw": [0]}
    car_vkm = xr.DataArray(np.array(cars, float).reshape(1, 4, 1, 1),
                           dims=("municipality", "powertrain", "year", "draw"),
                           coords={**coords, "powertrain": list(dims.POWERTRAINS)})
    vkm = xr.DataArray(np.array((sum(cars),) + others, float).reshape(1, 4, 1, 1),
                       dims=("municipality", "vehicle_class", "year", "draw"),
                       coords={**coords, "vehicle_class": list(dims.VEHICLE_CLASSES)})
    return xr.Dataset({"car_vkm": car_vkm, "vkm": vkm, "car_stock": car_vkm * 0 + 1000.0})


def test_nox_and_pm10_of_the_2009_fleet_by_hand():
    # In 2009 every vehicle is of the first step (Euro 4 / Euro V and older). Defaults [g/vkm]:
    # NOx petrol car 0.12, diesel car 0.65, van 1.0, heavy 4.5, bus 8.0; plug-in hybrids drive
    # 1 - 0.4 of their km on petrol; battery-electric cars emit nothing.
    air = cb.road_air_pollutants(_one_year(), DEFAULTS)
    nox = air["nox_exhaust"].sel(municipality="oslo", year=2009, draw=0)
    # cars: 1e9 * 0.12 + 5e8 * 0.65 + 1e7 * 0.12 * 0.6 = 1.2e8 + 3.25e8 + 7.2e5 g = 445.72 t
    assert float(nox.sel(vehicle_class="car")) == pytest.approx(445.72)
    # vans 7e8 * 1.0 = 700 t; heavy 2e8 * 4.5 = 900 t; buses 5e7 * 8.0 = 400 t
    assert nox.sel(vehicle_class=["van", "heavy", "bus"]).values == pytest.approx([700.0, 900.0, 400.0])
    assert float(nox.sum()) == pytest.approx(2445.72)
    # exhaust PM10 of cars: 1e9 * 0.002 + 5e8 * 0.04 + 1e7 * 0.002 * 0.6 = 2 + 20 + 0.012 t
    pm = air["pm10_exhaust"].sel(municipality="oslo", year=2009, draw=0)
    assert float(pm.sel(vehicle_class="car")) == pytest.approx(22.012)
    wear = air["pm10_wear"].sel(municipality="oslo", year=2009, draw=0)
    # tyre wear: cars 1.71e9 * 0.0064 + vans 7e8 * 0.0101 + (2e8 + 5e7) * 0.027 = 10.944 + 7.07 + 6.75 t
    assert float(wear.sel(wear_source="tyre")) == pytest.approx(24.764)
    # studded tyres: light vkm (1.71e9 + 7e8) * share 0.3 * season 0.44 * 0.7 g = 222.684 t
    assert float(wear.sel(wear_source="studded")) == pytest.approx(222.684)


def test_the_north_has_the_longer_studded_tyre_season():
    # Tromso: share 0.6, season 16 October - 30 April = 0.54: 2.41e9 * 0.6 * 0.54 * 0.7 g = 546.588 t
    wear = cb.road_air_pollutants(_one_year("tromso"), DEFAULTS)["pm10_wear"]
    assert float(wear.sel(wear_source="studded").squeeze()) == pytest.approx(546.588)


def test_vintages_rebuilt_from_the_stock_by_hand():
    # Vehicles live two years at most: R = 1, 0.5, 0, ...; a constant stock of 300.
    # First year stationary: N0 = 300 / (1 + 0.5) = 200 registrations a year; 200 new + 100 a year old.
    # Year 1: survivors 200 * 0.5 = 100 (the 2-year-old are gone), so N1 = 300 - 100 = 200.
    survival = np.array([1.0, 0.5, 0.0, 0.0, 0.0])
    counts = cb.vintage_counts(np.array([300.0, 300.0, 450.0]), survival, max_age=1)
    # vintages: registered one year before the first, in the first, then years 1 and 2
    assert counts[0] == pytest.approx([100.0, 200.0, 0.0, 0.0])
    assert counts[1] == pytest.approx([0.0, 100.0, 200.0, 0.0])
    # year 2: survivors 100 of year 1's registrations; the stock grew to 450, so N2 = 350
    assert counts[2] == pytest.approx([0.0, 0.0, 100.0, 350.0])


def test_step_shares_weigh_older_vehicles_by_their_mileage():
    # As above; a new step from the second year; mileage halves per year of age (d = 0.5).
    # Year 1: new 200 * 1 against 100 a year old * 0.5: shares 0.8 / 0.2.
    survival = np.array([1.0, 0.5, 0.0, 0.0])
    shares = cb.fleet_step_shares(np.array([300.0, 300.0]), survival, 1, 2009, 0.5, (2010,))
    assert shares[0] == pytest.approx([1.0, 0.0])
    assert shares[1] == pytest.approx([0.2, 0.8])


def test_heat_one_case_by_hand():
    # 274 km walked per resident and year at 4.8 km/h: 274 / 4.8 * 60 = 3 425 min/yr,
    # / (365 / 7) = 65.6849 min/week; risk reduction 0.11 * 65.6849 / 168 = 0.0430080.
    # 100 000 residents, 69 % aged 20-74, 3.4 deaths per 1 000 a year:
    # 100 000 * 0.69 * 0.0034 * 0.0430080 = 10.0897 deaths avoided a year.
    minutes = cb.heat_minutes_per_week(274.0, 4.8)
    assert minutes == pytest.approx(65.6849, rel=1e-5)
    assert cb.heat_mortality_reduction(minutes, 0.89, 168.0, 0.30) == pytest.approx(0.0430080, rel=1e-5)
    deaths = cb.heat_deaths_avoided(274.0, 100_000, 4.8, 0.89, 168.0, 0.30, 0.0034, 0.69)
    assert deaths == pytest.approx(10.0897, rel=1e-4)
    # the benefit is capped: 1 000 min/week of cycling gives 0.45, not 0.1 * 1 000 / 100 = 1.0
    assert cb.heat_mortality_reduction(1000.0, 0.90, 100.0, 0.45) == pytest.approx(0.45)


def test_heat_on_a_result_uses_the_table_and_prices_deaths_with_the_vsl():
    coords = {"municipality": ["oslo"], "year": [2009, 2012], "draw": [0]}
    population = xr.DataArray(np.full((1, 2, 1), 100_000.0), dims=("municipality", "year", "draw"), coords=coords)
    pkm = xr.DataArray(np.array([[[[274e5]] * 2, [[0.0]] * 2]]).reshape(1, 2, 2, 1),
                       dims=("municipality", "mode", "year", "draw"),
                       coords={**coords, "mode": ["walk", "bicycle"]})
    out = cb.health_effects(xr.Dataset({"population": population, "pkm": pkm}), DEFAULTS)
    deaths = out["heat_deaths_avoided"].sel(municipality="oslo", draw=0)
    assert deaths.sel(mode="walk").values == pytest.approx([10.0897] * 2, rel=1e-4)
    assert deaths.sel(mode="bicycle").values == pytest.approx([0.0, 0.0])
    # VSL 30 million 2012 NOK deflated to 2009 at 2.5 %/yr: 30e6 / 1.025^3 = 27 857 997 NOK
    value = out["heat_value"].sel(municipality="oslo", draw=0, mode="walk")
    assert value.values == pytest.approx(deaths.sel(mode="walk").values * 30e6 / 1.025 ** 3)


@pytest.fixture(scope="module")
def result():
    return api.run(["framtid:reference"])


def test_fleet_renewal_brings_the_newest_factors(result):
    one = result.sel(scenario="reference")
    air = cb.road_air_pollutants(one, DEFAULTS)
    fuel_vkm = one["car_vkm"].sel(powertrain=["petrol", "diesel", "phev"]).sum("powertrain")
    per_km = (air["nox_exhaust"].sel(vehicle_class="car") * 1e6 / fuel_vkm).sel(draw=0)       # [g/vkm]
    # 2009: between the Euro 4 petrol (0.12) and diesel (0.65) factors; by 2050 every car is Euro 6d,
    # so at most the Euro 6d diesel factor 0.10 g/vkm
    assert 0.12 < float(per_km.sel(year=2009).min()) and float(per_km.sel(year=2009).max()) < 0.65
    assert float(per_km.sel(year=2050).max()) <= 0.10 + 1e-9
    # heavy vehicles: Euro VI (0.4 g/vkm) has replaced nearly all older ones (4.5) by 2050
    heavy = (air["nox_exhaust"].sel(vehicle_class="heavy") * 1e6 / one["vkm"].sel(vehicle_class="heavy")).sel(draw=0)
    assert float(heavy.sel(year=2009).max()) == pytest.approx(4.5)
    assert float(heavy.sel(year=2050).max()) < 0.45


def test_draws_taken_a_block_at_a_time_give_the_same_pollutants(monkeypatch):
    one = api.run(["framtid:reference"], seed=4, n_draws=5, sampler="lhs").sel(scenario="reference")
    whole = cb.road_air_pollutants(one, DEFAULTS)
    monkeypatch.setattr(cb, "AIR_DRAW_BLOCK", 2)    # blocks of 2, 2 and 1 draws
    blocked = cb.road_air_pollutants(one, DEFAULTS)
    xr.testing.assert_identical(blocked, whole)
    assert whole.sizes["draw"] == 5


def test_scenario_parameter_overrides_apply_after_the_run(result):
    ds = result.copy()
    k = next(int(key[8:-5]) for key, v in ds.attrs.items() if key.endswith("_name") and v == "reference")
    ds.attrs[f"scenario{k}_parameters"] = repr([("cobenefits.studded_tyre_share.oslo", 0.15)])
    params = cb.scenario_params(ds)["reference"]
    assert float(params["cobenefits.studded_tyre_share.oslo"][0]) == 0.15
    one = ds.sel(scenario="reference")
    changed = cb.road_air_pollutants(one, params)["pm10_wear"].sel(wear_source="studded")
    before = cb.road_air_pollutants(one, DEFAULTS)["pm10_wear"].sel(wear_source="studded")
    assert (changed.sel(municipality="oslo") / before.sel(municipality="oslo")).values == pytest.approx(0.5)
    assert changed.sel(municipality="bergen").values == pytest.approx(before.sel(municipality="bergen").values)


def test_an_edited_parameter_record_is_a_clear_error(result):
    from framtid.model.errors import ResultFileError

    ds = result.copy()
    k = next(int(key[8:-5]) for key, v in ds.attrs.items() if key.endswith("_name") and v == "reference")
    ds.attrs[f"scenario{k}_parameters"] = "[('x', "
    with pytest.raises(ResultFileError, match=f"scenario{k}_parameters of scenario 'reference'"):
        cb.scenario_params(ds)


def test_tolls_paid_are_read_only_when_recorded(result):
    assert cb.toll_paid(result.drop_vars("toll_paid")) is None
    paid = result["population"] * 1000.0
    assert cb.toll_paid(result.assign(toll_paid=paid)).equals(paid)
    assert cb.toll_paid(result).equals(result["toll_paid"])


def test_each_draw_takes_its_own_sampled_factors():
    # With sampled draws the co-benefits use each draw's emission, wear and HEAT values, not the defaults:
    # studded-tyre PM10 = light vkm x studded share x season share x extra wear / 1e6, draw by draw.
    ds = api.run(["framtid:reference"], seed=2, n_draws=4, sampler="lhs")
    one = ds.sel(scenario="reference")
    params = cb.scenario_params(ds)["reference"]
    sample = ds["parameter_sample"]
    factor = sample.sel(parameter="cobenefits.studded_road_wear_pm10").values
    share = sample.sel(parameter="cobenefits.studded_tyre_share.oslo").values
    season = sample.sel(parameter="cobenefits.studded_season_share.south").values
    assert np.ptp(factor) > 0                                                  # the draws differ
    light = one["vkm"].sel(vehicle_class=["car", "van"], municipality="oslo", year=2030).sum("vehicle_class")
    studded = cb.road_air_pollutants(one, params)["pm10_wear"].sel(wear_source="studded", municipality="oslo",
                                                                   year=2030)
    np.testing.assert_allclose(studded.values, light.values * share * season * factor / 1e6, rtol=1e-6)
    # and the HEAT relative risk of each draw
    heat = cb.health_effects(one, params)["heat_deaths_avoided"].sel(mode="walk", municipality="oslo", year=2030)
    rr = sample.sel(parameter="cobenefits.heat.walk.relative_risk").values
    assert np.ptp(rr) > 0 and len(set(np.round(heat.values, 6))) == 4


def test_sampled_factors_taken_a_block_of_draws_at_a_time(monkeypatch):
    ds = api.run(["framtid:reference"], seed=5, n_draws=5, sampler="lhs")
    one, params = ds.sel(scenario="reference"), cb.scenario_params(ds)["reference"]
    whole = cb.road_air_pollutants(one, params)
    monkeypatch.setattr(cb, "AIR_DRAW_BLOCK", 2)    # blocks of 2, 2 and 1 draws, each with its draws' values
    xr.testing.assert_allclose(cb.road_air_pollutants(one, params), whole)
