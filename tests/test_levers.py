"""Levers and measure kinds: strength ramps, how measures set and override levers, neutral paths."""

from pathlib import Path

import numpy as np
import pytest

from framtid.model import dims, measures
from framtid.model.levers import LEVERS, apply_setting, neutral_paths, strength, year_slice
from framtid.model.measures import KINDS, Measure, MeasureKind, lever_paths
from framtid.model.scenario import builtin_path, load

REPO = Path(__file__).resolve().parent.parent
YEARS = np.array(dims.YEARS)
M = len(dims.MUNICIPALITIES)
OSLO, BAERUM, BERGEN = (dims.MUNICIPALITIES.index(m) for m in ("oslo", "baerum", "bergen"))


def measure(kind, values, start, ramp=0, end=None, munis=dims.MUNICIPALITIES, label=""):
    return Measure(kind, tuple(munis), start, ramp, end, dict(values), label or kind, "test")


def at(year):
    return year - dims.BASE_YEAR


# -- strength ---------------------------------------------------------------------------------------

def test_strength_without_ramp_is_a_step_at_the_start_year():
    years = np.arange(2009, 2015)
    assert strength(years, 2011, 0, None).tolist() == [0, 0, 1, 1, 1, 1]


def test_strength_ramps_linearly_to_full_in_start_plus_ramp_minus_one():
    # R = 3 from 2010: 2009 -> 0, 2010 -> 1/3, 2011 -> 2/3, 2012 (= 2010 + 3 - 1) -> 1, then 1.
    years = np.arange(2009, 2015)
    assert strength(years, 2010, 3, None) == pytest.approx([0, 1 / 3, 2 / 3, 1, 1, 1])


def test_strength_ramp_of_one_equals_no_ramp():
    years = np.arange(2009, 2015)
    assert strength(years, 2011, 1, None).tolist() == strength(years, 2011, 0, None).tolist()


def test_strength_started_before_the_first_year_is_partly_ramped_already():
    # Start 2001, R = 10: 2009 -> (2009 - 2001 + 1) / 10 = 0.9, 2010 -> 1.0.
    assert strength(np.array([2009, 2010, 2011]), 2001, 10, None) == pytest.approx([0.9, 1.0, 1.0])


def test_strength_is_zero_after_the_end_year():
    years = np.arange(2009, 2016)
    # Step from 2010, last year 2012.
    assert strength(years, 2010, 0, 2012).tolist() == [0, 1, 1, 1, 0, 0, 0]
    # Ramp R = 4 from 2010 cut at 2011: 1/4, 2/4, then 0 (the ramp never completes).
    assert strength(years, 2010, 4, 2011) == pytest.approx([0, 0.25, 0.5, 0, 0, 0, 0])
    # A one-year measure (end = start).
    assert strength(years, 2013, 0, 2013).tolist() == [0, 0, 0, 0, 1, 0, 0]


# -- apply_setting ----------------------------------------------------------------------------------

def test_apply_setting_ramps_from_the_value_in_force_and_leaves_other_municipalities():
    t = np.arange(2009, 2015)
    path = np.zeros((len(t), 2, 4))           # (T, D, M)
    idx = np.array([0, 2])
    apply_setting(path, idx, strength(t, 2010, 0, None), 0.5)
    # Second setting from 2012 with R = 2, target 1.0: 2012 -> 0.5 + 1/2 * (1.0 - 0.5) = 0.75; 2013 -> 1.0.
    apply_setting(path, idx, strength(t, 2012, 2, None), 1.0)
    expected = [0.0, 0.5, 0.5, 0.75, 1.0, 1.0]
    for m in (0, 2):
        for d in range(2):
            assert path[:, d, m] == pytest.approx(expected)
    assert np.all(path[:, :, [1, 3]] == 0.0)


def test_apply_setting_can_relax_a_lever():
    # A tightening to 1.0 from 2010, then a relaxation to 0.2 ramped over 4 years from 2012:
    # 2012 -> 1.0 + 1/4 * (0.2 - 1.0) = 0.8; 2013 -> 1.0 + 2/4 * (-0.8) = 0.6; 2014 -> 0.4; 2015 -> 0.2.
    t = np.arange(2009, 2017)
    path = np.zeros((len(t), 1, 1))
    apply_setting(path, np.array([0]), strength(t, 2010, 0, None), 1.0)
    apply_setting(path, np.array([0]), strength(t, 2012, 4, None), 0.2)
    assert path[:, 0, 0] == pytest.approx([0, 1, 1, 0.8, 0.6, 0.4, 0.2, 0.2])


def test_apply_setting_on_a_lever_with_a_period_axis():
    # toll_nok has an extra axis over dims.PERIODS: a scalar target sets both periods,
    # a (2,) target sets peak and off-peak separately.
    paths = neutral_paths(len(YEARS), 2, M)
    toll = paths["toll_nok"]
    assert toll.shape == (len(YEARS), 2, M, len(dims.PERIODS))
    apply_setting(toll, np.array([OSLO]), strength(YEARS, 2010, 0, None), 20.0)
    # From 2015 with R = 2: peak 20 -> 40 (2015: 20 + 1/2 * 20 = 30), off-peak 20 -> 10 (2015: 15).
    apply_setting(toll, np.array([OSLO]), strength(YEARS, 2015, 2, None), np.array([40.0, 10.0]))
    assert toll[at(2009), :, OSLO].tolist() == [[0.0, 0.0]] * 2
    assert toll[at(2012), :, OSLO].tolist() == [[20.0, 20.0]] * 2
    assert toll[at(2015), :, OSLO] == pytest.approx(np.array([[30.0, 15.0]] * 2))
    assert toll[at(2050), :, OSLO] == pytest.approx(np.array([[40.0, 10.0]] * 2))
    others = [m for m in range(M) if m != OSLO]
    assert np.all(toll[:, :, others] == 0.0)


def test_apply_setting_on_a_lever_with_two_extra_axes():
    path = neutral_paths(len(YEARS), 1, M)["cordon_crossing_share"]
    assert path.shape == (len(YEARS), 1, M, len(dims.ZONES), len(dims.PURPOSES))
    target = np.array([[0.6, 0.5, 0.4], [0.3, 0.2, 0.1], [0.0, 0.0, 0.05]])   # (zone, purpose)
    apply_setting(path, np.array([BERGEN]), strength(YEARS, 2020, 0, None), target)
    assert np.all(path[:at(2020), :, BERGEN] == 0.0)
    assert path[at(2030), 0, BERGEN] == pytest.approx(target)
    assert np.all(np.delete(path, BERGEN, axis=2) == 0.0)


# -- lever_paths ------------------------------------------------------------------------------------

def test_later_measure_overrides_regardless_of_file_order():
    # File order: the 2020 measure first, the 2012 measure second. Applied by start year, the
    # 2020 measure overrides from 2020: 0.3 in 2012-2019, 0.9 from 2020. (Applied in file order,
    # the 2012 measure would override the 2020 one and leave 0.3 in 2030.)
    ms = [measure("landfill_ban", {"compliance": 0.9}, 2020),
          measure("landfill_ban", {"compliance": 0.3}, 2012)]
    p = lever_paths(ms, YEARS, 1)["landfill_ban"]
    assert p[at(2011), 0] == pytest.approx(np.zeros(M))
    assert p[at(2012), 0] == pytest.approx(np.full(M, 0.3))
    assert p[at(2019), 0] == pytest.approx(np.full(M, 0.3))
    assert p[at(2020), 0] == pytest.approx(np.full(M, 0.9))
    assert p[at(2050), 0] == pytest.approx(np.full(M, 0.9))


def test_ties_in_start_year_keep_file_order():
    ms = [measure("oil_heating_ban", {"compliance": 0.2}, 2015),
          measure("oil_heating_ban", {"compliance": 0.7}, 2015)]
    assert lever_paths(ms, YEARS, 1)["oil_heating_ban"][at(2030), 0, 0] == pytest.approx(0.7)
    assert lever_paths(ms[::-1], YEARS, 1)["oil_heating_ban"][at(2030), 0, 0] == pytest.approx(0.2)


def test_an_ended_override_returns_to_the_earlier_value():
    # 0.4 from 2010; 1.0 in 2015-2019 only; then back to 0.4.
    ms = [measure("landfill_ban", {"compliance": 0.4}, 2010),
          measure("landfill_ban", {"compliance": 1.0}, 2015, end=2019)]
    p = lever_paths(ms, YEARS, 1)["landfill_ban"][:, 0, OSLO]
    assert p[at(2014)] == pytest.approx(0.4)
    assert p[at(2015)] == pytest.approx(1.0)
    assert p[at(2019)] == pytest.approx(1.0)
    assert p[at(2020)] == pytest.approx(0.4)


def test_only_listed_municipalities_change_and_draws_repeat():
    ms = [measure("biofuel_blend", {"petrol_share": 0.1, "diesel_share": 0.2}, 2012, ramp=4,
                  munis=("oslo", "baerum"))]
    paths = lever_paths(ms, YEARS, 3)
    diesel = paths["biofuel_share_diesel"]
    assert diesel.shape == (len(YEARS), 3, M)
    # R = 4 from 2012: 2013 -> 2/4 * 0.2 = 0.1; from 2015 -> 0.2.
    assert diesel[at(2013), :, [OSLO, BAERUM]] == pytest.approx(np.full((2, 3), 0.1))
    assert diesel[at(2015), :, OSLO] == pytest.approx([0.2] * 3)
    others = [m for m in range(M) if m not in (OSLO, BAERUM)]
    assert np.all(diesel[:, :, others] == 0.0)
    assert np.all(paths["biofuel_share_petrol"][:, :, others] == 0.0)
    # Untouched levers stay neutral.
    assert np.all(paths["district_heating_access"] == 1.0)
    assert np.all(paths["toll_nok"] == 0.0)


def test_no_measures_gives_the_neutral_paths():
    paths = lever_paths([], YEARS, 2)
    neutral = neutral_paths(len(YEARS), 2, M)
    assert paths.keys() == neutral.keys() == LEVERS.keys()
    for name in LEVERS:
        assert np.array_equal(paths[name], neutral[name]), name


def test_unknown_lever_named_by_a_kind_is_an_error(monkeypatch):
    field = measures.Field("x", "share", 1.0, 0.0, 1.0, "a field", "no_such_lever")
    bad = MeasureKind("bad", "transport", "sets a lever that does not exist", (field,))
    monkeypatch.setitem(measures.KINDS, "bad", bad)
    with pytest.raises(KeyError, match="no_such_lever"):
        lever_paths([measure("bad", {"x": 1.0}, 2010)], YEARS, 1)


def test_shipped_policies_by_hand():
    ref = lever_paths(list(load(builtin_path("policies-2009")).measures), YEARS, 1)
    assert np.all(ref["biofuel_share_petrol"] == 0.025)
    assert np.all(ref["bev_vat_exemption"] == 1.0)
    assert np.all(ref["landfill_ban"] == 0.0)

    cur = lever_paths(list(load(REPO / "scenarios" / "current-policies.toml").measures), YEARS, 1)
    diesel = cur["biofuel_share_diesel"][:, 0, OSLO]
    # 2.5 % from 2009, then R = 11 from 2010 to 15 %: 2015 -> 0.025 + 6/11 * (0.15 - 0.025) = 0.0931818.
    assert diesel[at(2009)] == pytest.approx(0.025)
    assert diesel[at(2015)] == pytest.approx(0.025 + 6 / 11 * 0.125)
    assert diesel[at(2020)] == pytest.approx(0.15)
    # Landfill ban from 2009 with R = 2: 0.5 in 2009, 1 from 2010.
    assert cur["landfill_ban"][at(2009), 0, OSLO] == pytest.approx(0.5)
    assert cur["landfill_ban"][at(2010), 0, OSLO] == pytest.approx(1.0)
    # Oil-heating ban from 2018 with R = 3: 1/3, 2/3, 1.
    assert cur["oil_heating_ban"][at(2017):at(2021) + 1, 0, OSLO] == pytest.approx([0, 1 / 3, 2 / 3, 1, 1])
    # EV incentives: toll discount 1 until 2018, 0.5 from 2019; VAT exemption 1 until 2022, 0.85 from 2023.
    assert cur["bev_toll_discount"][at(2018), 0, OSLO] == 1.0
    assert cur["bev_toll_discount"][at(2019), 0, OSLO] == 0.5
    assert cur["bev_vat_exemption"][at(2022), 0, OSLO] == 1.0
    assert cur["bev_vat_exemption"][at(2023), 0, OSLO] == pytest.approx(0.85)


# -- neutral paths and year slices ------------------------------------------------------------------

def test_neutral_paths_shapes_and_values():
    paths = neutral_paths(5, 2, M)
    assert set(paths) == set(LEVERS)
    for name, lv in LEVERS.items():
        assert paths[name].shape == (5, 2, M) + tuple(len(e) for e in lv.extra), name
        assert np.all(paths[name] == lv.neutral), name
    assert paths["toll_nok"].shape == (5, 2, M, 2)
    assert paths["parking_fee_nok"].shape == (5, 2, M, 3)
    assert paths["cordon_crossing_share"].shape == (5, 2, M, 3, 3)
    # Multipliers are neutral at 1, shares and changes at 0.
    assert np.all(paths["district_heating_access"] == 1.0)
    assert np.all(paths["renovation_rate_multiplier"] == 1.0)
    assert np.all(paths["biofuel_share_petrol"] == 0.0)


def test_neutral_paths_are_independent_arrays():
    paths = neutral_paths(3, 1, M)
    paths["landfill_ban"][:] = 1.0
    assert np.all(paths["oil_heating_ban"] == 0.0)
    assert np.all(neutral_paths(3, 1, M)["landfill_ban"] == 0.0)


def test_year_slice_takes_one_year():
    paths = lever_paths([measure("landfill_ban", {"compliance": 0.6}, 2030)], YEARS, 2)
    before, after = year_slice(paths, at(2029)), year_slice(paths, at(2030))
    assert after["landfill_ban"].shape == (2, M)
    assert after["toll_nok"].shape == (2, M, 2)
    assert np.all(before["landfill_ban"] == 0.0) and np.all(after["landfill_ban"] == 0.6)


def test_every_lever_neutral_value_lies_in_its_range():
    for lv in LEVERS.values():
        assert lv.low <= lv.neutral <= lv.high, lv.name
        assert all(len(axis) > 0 for axis in lv.extra), lv.name


# -- measure kinds ------------------------------------------------------------------------------------

def _values(kind, pick):
    """Field values: ``pick`` is 'default' (mid-range for required fields), 'low' or 'high'."""
    out = {}
    for f in kind.fields:
        if pick == "default":
            out[f.name] = f.default if f.default is not None else (f.low + f.high) / 2
        else:
            out[f.name] = getattr(f, pick)
    return out


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_sets_only_known_levers_within_their_ranges(name):
    kind = KINDS[name]
    assert kind.name == name
    assert kind.fields, name
    for pick in ("default", "low", "high"):
        targets = kind.to_levers(_values(kind, pick))
        assert targets, name
        for lever, target in targets.items():
            assert lever in LEVERS, f"{name} sets unknown lever {lever!r}"
            lv = LEVERS[lever]
            assert np.all(lv.low <= np.asarray(target)) and np.all(np.asarray(target) <= lv.high), (name, lever)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_field_default_lies_in_its_range(name):
    for f in KINDS[name].fields:
        assert f.low <= f.high, (name, f.name)
        if f.default is not None:
            assert f.low <= f.default <= f.high, (name, f.name)
        assert f.unit and f.description, (name, f.name)


def test_each_field_reaches_its_lever():
    # Changing one field changes exactly the lever it maps to (no field is ignored or crossed).
    for kind in KINDS.values():
        base = kind.to_levers(_values(kind, "low"))
        for f in kind.fields:
            values = _values(kind, "low") | {f.name: f.high}
            changed = {k for k, v in kind.to_levers(values).items() if not np.array_equal(v, base[k])}
            assert len(changed) == 1, (kind.name, f.name, changed)


def test_measure_lever_targets_uses_its_kind():
    m = measure("ev_incentives", {"vat_exemption": 0.85, "registration_tax_exemption": 1.0,
                                  "toll_discount": 0.5, "parking_discount": 0.25}, 2023)
    assert m.lever_targets() == {"bev_vat_exemption": 0.85, "bev_registration_tax_exemption": 1.0,
                                 "bev_toll_discount": 0.5, "bev_parking_discount": 0.25}


def test_omitted_optional_fields_keep_the_lever_in_force(tmp_path):
    # A later ev_incentives entry that only sets the VAT leaves the toll discount at its earlier value.
    path = tmp_path / "ev.toml"
    path.write_text('[scenario]\nname = "ev"\n'
                    '[[measure]]\nkind = "ev_incentives"\nmunicipality = "*"\nstart_year = 2010\n'
                    'vat_exemption = 1.0\ntoll_discount = 0.5\n'
                    '[[measure]]\nkind = "ev_incentives"\nmunicipality = "*"\nstart_year = 2025\n'
                    'vat_exemption = 0.0\n')
    paths = lever_paths(list(load(path).measures), YEARS, 1)
    assert paths["bev_vat_exemption"][2025 - 2009, 0, 0] == 0.0
    assert paths["bev_toll_discount"][2025 - 2009, 0, 0] == 0.5
    assert paths["bev_parking_discount"][2025 - 2009, 0, 0] == 0.0   # never set: neutral


def test_a_measure_that_sets_nothing_is_rejected(tmp_path):
    from framtid.model.errors import ScenarioError

    path = tmp_path / "empty.toml"
    path.write_text('[scenario]\nname = "e"\n[[measure]]\nkind = "ev_incentives"\nmunicipality = "*"\n'
                    'start_year = 2010\n')
    with pytest.raises(ScenarioError, match="sets nothing"):
        load(path)


def test_no_field_shadows_a_common_key():
    for kind in KINDS.values():
        assert not {f.name for f in kind.fields} & set(measures.COMMON_KEYS), kind.name
