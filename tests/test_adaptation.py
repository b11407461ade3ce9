"""Adaptation submodel and measure kinds: hand-computed runoff, each kind's direction, and that
adaptation adds indicators only (no emission or other result changes)."""

from pathlib import Path

import numpy as np
import pytest

from framtid.model import api, dims, simulation
from framtid.model.measures import KINDS, lever_paths
from framtid.model.measures.scenario_checks import overlaps
from framtid.model.parameters import Params
from framtid.model.scenario import load
from framtid.model.submodels import adaptation as ad

REPO = Path(__file__).resolve().parent.parent
OSLO = dims.MUNICIPALITIES.index("oslo")
INDICATORS = ("sealed_surface_share", "green_roof_share", "runoff_coefficient", "design_peak_flow",
              "annual_runoff", "new_floor_area_flood_exposed")

# One zone of 10 ha: 2 ha roof, 1 ha green roof, 3 ha paved, 4 ha green ground, shaped (D, M, Z, S).
AREAS = np.array([2.0, 1.0, 3.0, 4.0]).reshape(1, 1, 1, 4)
PEAK_C = np.array([0.9, 0.4, 0.8, 0.2]).reshape(1, 1, 1, 4)


# -- pure functions, by hand ------------------------------------------------------------------------

def test_composite_runoff_coefficient_by_hand():
    # (2*0.9 + 1*0.4 + 3*0.8 + 4*0.2) / 10 = (1.8 + 0.4 + 2.4 + 0.8) / 10 = 0.54
    assert ad.composite_coefficient(AREAS, PEAK_C)[0, 0] == pytest.approx(0.54, rel=1e-12)


def test_rational_method_by_hand():
    # Q = C i A K / 1000 = 0.54 * 170 l/(s ha) * 10 ha * 1.2 / 1000 = 1.1016 m3/s
    assert ad.rational_peak_flow(0.54, 170.0, 10.0, 1.2) == pytest.approx(1.1016, rel=1e-12)


def test_design_peak_flow_without_detention_is_the_rational_method():
    # 20 and 100 years at 170 and 230 l/(s ha), K = 1.2: 0.54*170*10*1.2/1000 = 1.1016 and
    # 0.54*230*10*1.2/1000 = 1.4904 m3/s.
    q = ad.design_peak_flow(AREAS, PEAK_C, np.array([[170.0, 230.0]]), np.array([1.2]), np.zeros((1, 1)),
                            np.array([10.0]))
    np.testing.assert_allclose(q[0, 0], [1.1016, 1.4904], rtol=1e-12)


def test_detention_lowers_the_sealed_peak_by_volume_over_duration():
    # 30 m3/ha on 6 ha sealed over 10 min: 30 * 6 / 600 = 0.3 m3/s off the sealed flow.
    # 20-year: sealed (1.8 + 0.4 + 2.4) * 0.204 = 0.9384, green 0.8 * 0.204 = 0.1632 -> 0.1632 + 0.6384 = 0.8016.
    # 100-year: rain 0.276 m3/(s ha): sealed 4.6 * 0.276 = 1.2696, green 0.2208 -> 0.2208 + 0.9696 = 1.1904.
    q = ad.design_peak_flow(AREAS, PEAK_C, np.array([[170.0, 230.0]]), np.array([1.2]), np.array([[30.0]]),
                            np.array([10.0]))
    np.testing.assert_allclose(q[0, 0], [0.8016, 1.1904], rtol=1e-12)
    # A volume larger than the sealed runoff leaves only the green ground's flow: 0.1632 and 0.2208.
    q = ad.design_peak_flow(AREAS, PEAK_C, np.array([[170.0, 230.0]]), np.array([1.2]), np.array([[2000.0]]),
                            np.array([10.0]))
    np.testing.assert_allclose(q[0, 0], [0.1632, 0.2208], rtol=1e-12)


def test_ground_opened_under_detention_keeps_its_drains_and_never_raises_the_peak():
    """1 of the 4 ha of green ground was paved in 2009 (opened since): it keeps its drains, and its
    runoff at the green coefficient goes through that detention. 30 m3/ha on 6 + 1 ha over 10 min: 0.35 m3/s off
    the sealed flow and the opened ground's. 20-year, rain 0.204 m3/(s ha): green (0.8 - 0.2) * 0.204 = 0.1224,
    sealed (4.6 + 0.2) * 0.204 - 0.35 = 0.6292 -> 0.7516; 100-year, rain 0.276: green 0.1656, sealed
    4.8 * 0.276 - 0.35 = 0.9748 -> 1.1404. Both below the 0.8016 and 1.1904 with the ground still paved (0.8 for
    that ha): opening it lowers the peak; with a volume beyond the runoff, the lawns alone drain (0.1224, 0.1656),
    where the opened ha draining beside the detention gave 0.1632 and 0.2208, above the paved ground's."""
    opened = np.array([1.0]).reshape(1, 1, 1)
    rain, climate, minutes = np.array([[170.0, 230.0]]), np.array([1.2]), np.array([10.0])
    q = ad.design_peak_flow(AREAS, PEAK_C, rain, climate, np.array([[30.0]]), minutes, opened=opened)
    np.testing.assert_allclose(q[0, 0], [0.7516, 1.1404], rtol=1e-12)
    q = ad.design_peak_flow(AREAS, PEAK_C, rain, climate, np.array([[2000.0]]), minutes, opened=opened)
    np.testing.assert_allclose(q[0, 0], [0.1224, 0.1656], rtol=1e-12)
    # without detention the opened ground drains as the green ground it is: the rational method as before
    q = ad.design_peak_flow(AREAS, PEAK_C, rain, climate, np.zeros((1, 1)), minutes, opened=opened)
    np.testing.assert_allclose(q[0, 0], [1.1016, 1.4904], rtol=1e-12)


def test_surface_areas_by_hand():
    # 100 ha, sealed 0.5 -> 50 ha; roofs 0.4 of it = 20 ha, a quarter green (5); paved 30 ha, 10 % opened -> 27;
    # green ground 100 - 20 - 27 = 53.
    def areas(green_min):
        return ad.surface_areas(np.full((1, 1, 1), 100.0), np.full((1, 1, 1), 0.5), 0.4, np.array([[0.25]]),
                                np.array([[0.1]]), np.full((1, 1, 1), green_min))[0, 0, 0]
    np.testing.assert_allclose(areas(0.0), [15.0, 5.0, 27.0, 53.0])
    # A green minimum of 0.6 leaves room for 100 * 0.4 - 20 = 20 ha of paving.
    np.testing.assert_allclose(areas(0.6), [15.0, 5.0, 20.0, 60.0])
    # 0.9 cannot be reached with 20 ha of roofs: all paving is opened, green ground 80 ha.
    np.testing.assert_allclose(areas(0.9), [15.0, 5.0, 0.0, 80.0])


def test_climate_factor_path():
    # 1 in 1985.5 (1971-2000), 1.4 in 2100; 2050: 1 + 0.4 * 64.5 / 114.5 = 1.225328.
    assert ad.climate_factor(1985.5, 1.4) == pytest.approx(1.0)
    assert ad.climate_factor(2100, 1.4) == pytest.approx(1.4)
    assert ad.climate_factor(2050, 1.4) == pytest.approx(1.225328, rel=1e-6)


def test_annual_precipitation_and_runoff_by_hand():
    # 800 mm (1961-1990) and +0.18 %/yr since 1975.5: 2009 -> 800 * (1 + 0.0018 * 33.5) = 848.24 mm.
    assert ad.annual_precipitation(2009, 800.0, 0.0018) == pytest.approx(848.24, rel=1e-12)
    # Annual shares with the green roof at 0.75: 1.8 + 0.75 + 2.4 + 0.8 = 5.75 ha; 1000 mm * 10 m3/(ha mm) * 5.75.
    annual_c = np.array([0.9, 0.75, 0.8, 0.2]).reshape(1, 1, 1, 4)
    assert ad.annual_runoff(AREAS, annual_c, np.array([[1000.0]]))[0, 0] == pytest.approx(57500.0, rel=1e-12)


def test_new_roofs_green_roof_share_and_flood_exposure_by_hand():
    # 1500 m2 of houses / 1.5 + 4000 m2 of apartments / 4 + 2500 m2 non-residential / 2.5 = 3000 m2 = 0.3 ha.
    roofs = ad.new_roof_area(np.array([[[1500.0, 4000.0, 2500.0]]]), np.array([[[1.5, 4.0, 2.5]]]))
    assert roofs[0, 0] == pytest.approx(0.3)
    # 2 ha green on new buildings + 10 % of 50 ha of 2009 roofs, over 60 ha of roofs: 7 / 60.
    assert ad.green_roof_share(2.0, 0.1, 50.0, 60.0) == pytest.approx(7 / 60)
    assert ad.green_roof_share(100.0, 0.1, 50.0, 60.0) == 1.0
    # 10 000 m2 built, 5 % would be flood-exposed, 80 % of that kept out: 100 m2.
    assert ad.flood_exposed_floor_area(10000.0, 0.05, 0.8) == pytest.approx(100.0)


def test_what_is_built_stays_built():
    p = Params.defaults(1)
    land = {"zone_area": np.full((1, 1, 3), 10.0), "zone_sealed_share": np.full((1, 1, 3), 0.5)}
    state = ad.init_state(land, p)
    on = {"green_roof_share_new": np.array([[1.0]]), "green_roof_share_existing": np.array([[0.2]]),
          "depaving_share": np.array([[0.3]]), "green_area_share_min": np.full((1, 1, 3), 0.4),
          "detention_volume": np.array([[50.0]])}
    off = {k: np.zeros_like(v) for k, v in on.items()}
    built = np.array([[[1500.0, 4000.0, 2500.0]]])      # 0.3 ha of new roofs at the default storeys
    state = ad.advance(state, on, built)
    state = ad.advance(state, off, built)                # the measures end: nothing more, nothing removed
    assert state.green_roof_new[0, 0] == pytest.approx(0.3)
    assert (state.retrofit_share[0, 0], state.depaved_share[0, 0], state.detention[0, 0]) == (0.2, 0.3, 50.0)
    np.testing.assert_array_equal(state.green_share_min, 0.4)


def test_opening_ground_paved_in_2009_under_detention_never_raises_the_peak():
    """Depaving or a minimum green share of the ground paved in 2009, on top of detention, lowers the design peak or
    leaves it (the opened ground's drains stay and the detention takes its runoff); before, the detention went
    with the paving, and the peak rose (Oslo +9 % with 200 m3/ha and a fifth of the paving opened)."""
    p = Params.defaults(1)
    land = {"zone_area": np.full((1, 1, 3), 10.0), "zone_sealed_share": np.array([[[0.8, 0.6, 0.4]]])}
    none = np.zeros((1, 1, 1))
    off = {"green_roof_share_new": np.zeros((1, 1)), "green_roof_share_existing": np.zeros((1, 1)),
           "depaving_share": np.zeros((1, 1)), "green_area_share_min": np.zeros((1, 1, 3)),
           "detention_volume": np.zeros((1, 1)), "flood_safe_location_share": np.zeros((1, 1))}
    peaks = []
    for volume in (20.0, 200.0):
        detained = ad.advance(ad.init_state(land, p), dict(off, detention_volume=np.array([[volume]])), none)
        for opening in ({"depaving_share": np.array([[0.3]])}, {"green_area_share_min": np.full((1, 1, 3), 0.5)}):
            opened = ad.advance(detained, dict(off, **opening), none)
            before, after = (ad.account(st, land, none, off, 2030)["design_peak_flow"] for st in (detained, opened))
            assert np.all(after <= before + 1e-12), (volume, opening)
            peaks.append((before, after))
    assert np.all(peaks[0][1] < peaks[0][0])   # with little detention opening the ground lowers the peak
    # Ground that densification would have paved after 2009 but a minimum green share kept green never had
    # drains: it gets no detention (the zones of 2009 paved 0.8 x 0.4 .. 0.4 x 0.4 of 10 ha, the denser zones of
    # 2030 would pave more, and green minimums of 0.35 and 0.5 hold part of it back, none of the 2009 paving).
    state = ad.advance(ad.init_state(land, p), dict(off, detention_volume=np.array([[200.0]]),
                                                    green_area_share_min=np.array([[[0.0, 0.35, 0.5]]])), none)
    denser = dict(land, zone_sealed_share=np.array([[[0.8, 0.7, 0.55]]]))
    out = ad.account(state, denser, none, off, 2030)
    areas = out["surface_area"]
    assert np.all(areas[0, 0, 1:, ad.SURFACES.index("paved")] >= state.paved_area_2009[0, 0, 1:] - 1e-12)
    c = state.coef
    expected = ad.design_peak_flow(areas, c.peak, c.intensity, ad.climate_factor(2030, c.climate_2100),
                                   state.detention, c.duration)
    np.testing.assert_allclose(out["design_peak_flow"], expected, rtol=1e-12)


# -- measure kinds -> levers ---------------------------------------------------------------------------

def test_kinds_set_their_levers():
    assert {k.name for k in KINDS.values() if k.area == "adaptation"} == {
        "green_roofs", "depaving", "green_areas", "detention_volume", "flood_safe_location"}
    assert set(KINDS["green_roofs"].to_levers({"new_share": 0.3, "existing_share": None})) == {"green_roof_share_new"}
    zones = KINDS["green_areas"].to_levers({"green_share": np.array([0.3, np.nan, np.nan])})["green_area_share_min"]
    assert zones[0] == 0.3 and np.isnan(zones[1:]).all()


# -- runs ------------------------------------------------------------------------------------------------

MEASURES = {   # kind -> (the field set, a weak and a strong value, the indicators it must lower)
    "green_roofs": ("new_share", (0.3, 0.9), ("runoff_coefficient", "design_peak_flow", "annual_runoff")),
    "depaving": ("paved_share_opened", (0.1, 0.3),
                 ("sealed_surface_share", "runoff_coefficient", "design_peak_flow", "annual_runoff")),
    "green_areas": ("green_share", (0.4, 0.6),
                    ("sealed_surface_share", "runoff_coefficient", "design_peak_flow", "annual_runoff")),
    "detention_volume": ("m3_per_ha", (20.0, 60.0), ("design_peak_flow",)),
    "flood_safe_location": ("share_kept_out", (0.4, 0.8), ("new_floor_area_flood_exposed",)),
}
RAISED = {"green_roofs": ("green_roof_share",)}
START = 2015


def _run(path):
    return api.run_scenario(api.load_scenario(path)).record


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The reference, and each kind at two strengths in Oslo only (from 2015, ramp 5)."""
    folder = tmp_path_factory.mktemp("adaptation")
    out = {"reference": _run(REPO / "scenarios" / "reference.toml")}
    for kind, (field, values, _) in MEASURES.items():
        for value in values:
            path = folder / f"{kind}-{value}.toml"
            path.write_text(f'[scenario]\nname = "{kind}"\nextends = "framtid:reference"\n[[measure]]\n'
                            f'kind = "{kind}"\nmunicipality = "oslo"\nstart_year = {START}\nramp_years = 5\n'
                            f'{field} = {value}\n', encoding="utf-8")
            out[kind, value] = _run(path)
    return out


def _others(record):
    return [k for k in record if k not in INDICATORS]


@pytest.mark.parametrize("kind", sorted(MEASURES))
def test_each_kind_moves_its_indicators_monotonically_and_nothing_else(runs, kind):
    ref = runs["reference"]
    weak, strong = (runs[kind, v] for v in MEASURES[kind][1])
    lowered, raised = MEASURES[kind][2], RAISED.get(kind, ())
    before, k50 = START - dims.BASE_YEAR, 2050 - dims.BASE_YEAR
    for name in INDICATORS:
        r, w, s = (x[name][:, 0, OSLO] for x in (ref, weak, strong))
        np.testing.assert_array_equal(w[:before], r[:before], err_msg=name)      # nothing before the start
        if name in lowered:
            assert np.all(s <= w + 1e-12) and np.all(w <= r + 1e-12), name      # monotone in the strength
            assert np.all(s[k50] < w[k50]) and np.all(w[k50] < r[k50]), name
        elif name in raised:
            assert np.all(s >= w) and np.all(w >= r) and np.all(s[k50] > w[k50] > r[k50]), name
        else:
            np.testing.assert_array_equal(s, r, err_msg=name)
    for name in _others(ref):       # emissions and every other result: exactly the reference
        np.testing.assert_array_equal(strong[name], ref[name], err_msg=name)


def test_a_measure_in_oslo_changes_no_other_municipality(runs):
    ref = runs["reference"]
    others = [i for i in range(len(dims.MUNICIPALITIES)) if i != OSLO]
    for kind, (_, values, _) in MEASURES.items():
        rec = runs[kind, values[1]]
        for name in INDICATORS:
            np.testing.assert_array_equal(rec[name][:, :, others], ref[name][:, :, others], err_msg=(kind, name))


def test_without_measures_the_indicators_follow_land_use_and_the_rational_method(runs):
    ref = runs["reference"]
    np.testing.assert_allclose(ref["sealed_surface_share"], ref["sealed_share"], rtol=1e-12)
    assert np.all(ref["green_roof_share"] == 0.0)
    assert np.all(ref["new_floor_area_flood_exposed"][0] == 0.0)                  # nothing is built in 2009
    # Oslo 2009: zone areas = 2009 residents / base density 80, 30, 12 per ha; Q = C i A K(2009) / 1000.
    area = (ref["zone_population"][0, 0, OSLO] / [80.0, 30.0, 12.0]).sum()
    k2009 = 1 + 0.4 * (2009 - 1985.5) / (2100 - 1985.5)
    expected = ref["runoff_coefficient"][0, 0, OSLO] * np.array([170.0, 230.0]) * area * k2009 / 1000
    np.testing.assert_allclose(ref["design_peak_flow"][0, 0, OSLO], expected, rtol=1e-12)
    # Annual runoff: 763 mm * (1 + 0.0018 * 33.5) * 10 m3/(ha mm) * C * A (no green roofs yet).
    assert ref["annual_runoff"][0, 0, OSLO] == pytest.approx(
        763 * (1 + 0.0018 * 33.5) * 10 * ref["runoff_coefficient"][0, 0, OSLO] * area, rel=1e-12)


def test_the_submodel_adds_indicators_only(runs, monkeypatch):
    """A run without the adaptation submodel gives every other result exactly as the reference."""
    full = runs["reference"]
    without = tuple(sm for sm in simulation.submodels() if sm.name != "adaptation")
    assert len(without) == len(simulation.submodels()) - 1
    monkeypatch.setattr(simulation, "submodels", lambda: without)
    monkeypatch.setattr(simulation, "ACTIVITY", tuple(v for v in simulation.ACTIVITY if v.submodel != "adaptation"))
    bare = _run(REPO / "scenarios" / "reference.toml")
    for name in _others(full):
        np.testing.assert_array_equal(bare[name], full[name], err_msg=name)


def test_the_shipped_adaptation_package(runs):
    scenario = load(REPO / "scenarios" / "adaptation.toml")
    assert scenario.name == "adaptation"
    kinds = {m.kind for m in scenario.measures if KINDS[m.kind].area == "adaptation"}
    assert kinds == set(MEASURES)
    assert all(m.municipalities == dims.MUNICIPALITIES for m in scenario.measures if m.kind in MEASURES)
    assert overlaps(list(scenario.measures)) == []
    paths = lever_paths(list(scenario.measures), np.array(dims.YEARS), 1)
    assert paths["detention_volume"][-1, 0, OSLO] == pytest.approx(100.0)
    rec = api.run_scenario(scenario).record
    ref = runs["reference"]
    np.testing.assert_array_equal(rec["emissions_gas"], ref["emissions_gas"])
    for name in ("sealed_surface_share", "runoff_coefficient", "design_peak_flow", "annual_runoff",
                 "new_floor_area_flood_exposed"):
        assert np.all(rec[name][-1] < ref[name][-1]), name
