"""Scenario loading and validation: one bad scenario per rule, each error located."""

from pathlib import Path

import numpy as np
import pytest

from framtid.model import dims
from framtid.model.errors import ScenarioError
from framtid.model.measures import lever_paths
from framtid.model.scenario import load

REPO = Path(__file__).resolve().parent.parent
GOOD_HEAD = '[scenario]\nname = "t"\n'


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, name: str = "bad.toml") -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load(write(tmp_path, name, text))
    return info.value.problems


def test_shipped_scenarios_are_valid():
    ref = load(REPO / "scenarios" / "reference.toml")
    cur = load(REPO / "scenarios" / "current-policies.toml")
    assert ref.name == "reference" and cur.name == "current-policies"
    assert ref.gwp == "ar5"
    # current policies inherit the reference's measures first, then add their own
    assert [m.label for m in cur.measures[: len(ref.measures)]] == [m.label for m in ref.measures]
    assert {m.kind for m in cur.measures} >= {"landfill_ban", "oil_heating_ban", "ev_incentives", "biofuel_blend"}


@pytest.mark.parametrize("text, where, words", [
    ("colour = 1\n" + GOOD_HEAD, "bad.toml: colour", "unknown top-level key"),
    ('[scenario]\nname = "t"\nauthor = "x"\n', "bad.toml: scenario.author", "unknown key"),
    ("[parameters]\n", "bad.toml", "missing [scenario]"),
    ('[scenario]\nname = ""\n', "bad.toml: scenario.name", "a name of 1 to 64 ASCII letters"),
    ('[scenario]\nname = "../../etc/x"\n', "bad.toml: scenario.name", "names the result file"),
    ('[scenario]\nname = "t"\ngwp = "ar9"\n', "bad.toml: scenario.gwp", "unknown GWP set"),
    ("[scenario\nname = 1\n", "bad.toml", "invalid TOML"),
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "bad.toml", "invalid TOML: values nested too deeply"),
    (GOOD_HEAD + '[[measure]]\nkind = "teleport"\nmunicipality = "oslo"\nstart_year = 2020\n',
     "bad.toml: measure[1].kind", "unknown measure kind"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "gotham"\nstart_year = 2020\n',
     "bad.toml: measure[1].municipality", "unknown municipality"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = "2020"\n',
     "bad.toml: measure[1].start_year", "integer year"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2070\n',
     "bad.toml: measure[1].start_year", "between"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\ncompliance = 1.5\n',
     "bad.toml: measure[1].compliance", "between 0 and 1"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\ncompliance = "all"\n',
     "bad.toml: measure[1].compliance", "must be a number"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\nspeed = 3\n',
     "bad.toml: measure[1].speed", "unknown key for kind"),
    (GOOD_HEAD + '[[measure]]\nkind = "biofuel_blend"\nmunicipality = "*"\nstart_year = 2020\npetrol_share = 0.1\n',
     "bad.toml: measure[1]", "missing required key 'diesel_share'"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nstart_year = 2020\n',
     "bad.toml: measure[1]", "missing required key 'municipality'"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2030\nend_year = 2020\n',
     "bad.toml: measure[1].end_year", "before start_year"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2000\nend_year = 2009\n',
     "bad.toml: measure[1].end_year", "measures act from 2010 (the base year 2009 runs under the 2009 policies)"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\nprice_year = 2015\n',
     "bad.toml: measure[1].price_year", "landfill_ban has no field in NOK, so price_year would do nothing"),
    (GOOD_HEAD + '[[measure]]\nkind = "toll_change"\nmunicipality = "oslo"\nstart_year = 2027\nfactor = 1.1\n'
     'price_year = 1960\n', "bad.toml: measure[1].price_year",
     "must be between 1990 and 2050 (got 1960); money is turned into 2009 NOK at the assumed inflation"),
    (GOOD_HEAD + '[[measure]]\nkind = "congestion_charge"\ncordon = "oslo_ring"\nstart_year = 1970\n'
     'peak_nok = 20\noffpeak_nok = 20\n', "bad.toml: measure[1].price_year",
     "a measure starting before 1990 has its money in NOK of its start year (1970) unless price_year says"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\nramp_years = -1\n',
     "bad.toml: measure[1].ramp_years", "integer from 0"),
    (GOOD_HEAD + '[parameters]\n"transport.no_such_thing" = 1\n',
     'bad.toml: parameters."transport.no_such_thing"', "unknown parameter"),
    # an unquoted dotted name is a nested table in TOML: the message says to quote it
    (GOOD_HEAD + '[parameters]\ntransport.toll_elasticity = -0.3\n',
     'bad.toml: parameters."transport"', 'must be quoted in TOML; write "transport.toll_elasticity" = -0.3 (quoted)'),
    # ... however deep the tables a long dotted key makes
    (GOOD_HEAD + '[parameters]\n' + "a" + ".a" * 3000 + ' = 1\n',
     'bad.toml: parameters."a"', "a parameter's dotted name must be quoted in TOML"),
    (GOOD_HEAD + '[parameters]\n"land_use.population_growth_long_run" = 0.5\n',
     'bad.toml: parameters."land_use.population_growth_long_run"', "must be between"),
    (GOOD_HEAD + ('[[measure]]\nkind = "pt_fare"\nlabel = "a"\nmunicipality = "oslo"\nstart_year = 2020\n'
                  'change = -0.1\n') * 2,
     "bad.toml: measure[2].label", "'a' labels measure[1] already"),
    # an empty table is not "the default in every zone"
    (GOOD_HEAD + '[[measure]]\nkind = "cycle_network"\nmunicipality = "oslo"\nstart_year = 2020\ncoverage = {}\n',
     "bad.toml: measure[1].coverage", "an empty table sets no zone; give the zones it covers (A, B, C)"),
    (GOOD_HEAD + '[population.anchors]\noslo = { 2015 = 700000 }\n',
     "bad.toml: population.anchors.oslo.2015", "year must be"),
    # a superscript two is a digit to str.isdigit, not to int()
    (GOOD_HEAD + '[population.anchors]\noslo = { "2030\u00b2" = 760000 }\n',
     "bad.toml: population.anchors.oslo.2030\u00b2", "year must be"),
    (GOOD_HEAD + '[population.anchors]\noslo = { 2029 = 10000, 2030 = 760000 }\n',
     "bad.toml: population.anchors.oslo", "10,000 in 2029 is 0.01 times the 699,827 observed in 2022"),
    (GOOD_HEAD + '[population.anchors]\noslo = { 2030 = 780000, 2031 = 1700000 }\n',
     "bad.toml: population.anchors.oslo", "780,000 in 2030 to 1,700,000 in 2031"),
    # a digit too many far off stays under the yearly bound, not under the whole change
    (GOOD_HEAD + '[population.anchors]\nbergen = { 2050 = 3500000 }\n',
     "bad.toml: population.anchors.bergen", "3,500,000 in 2050 is 12.20 times the 286,930 observed in 2022"),
    (GOOD_HEAD + 'extends = "nowhere"\n', "bad.toml: scenario.extends", "no scenario 'nowhere'"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = ["*"]\nstart_year = 2020\n',
     "bad.toml: measure[1].municipality", '"*" (all 13) stands alone, not inside a list: write municipality = "*"'),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2030-01-01\n',
     "bad.toml: measure[1].start_year", "must be an integer year (got date 2030-01-01)"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\n'
     'compliance = 07:30:00\n', "bad.toml: measure[1].compliance", "must be a number [share] (got time 07:30:00)"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\n'
     'replaces = [2020-01-01]\n', "bad.toml: measure[1].replaces", "(got [2020-01-01])"),
    (GOOD_HEAD + '[parameters]\n"transport.tco_coefficient" = 2030-01-01T08:00:00\n',
     'bad.toml: parameters."transport.tco_coefficient"', "(got datetime 2030-01-01T08:00:00)"),
    # control characters in the texts a terminal shows: a carriage return overwrites the line read, an escape
    # starts a terminal sequence
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\n'
     'label = "ban\\r"\n', "bad.toml: measure[1].label", "must not hold control characters (U+000D at position 4)"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\n'
     'replaces = ["\\u001b[2J"]\n', "bad.toml: measure[1].replaces", "U+001B at position 1"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\n'
     'label = "ban\\u202Etxt"\n', "bad.toml: measure[1].label", "U+202E at position 4"),
    ('[scenario]\nname = "bad"\ndescription = "a\\u0007b"\n', "bad.toml: scenario.description",
     "must not hold control characters (U+0007 at position 2); allowed: printable text on one line"),
])
def test_each_rule_reports_file_and_key(tmp_path, text, where, words):
    found = problems(tmp_path, text)
    assert any(p.startswith(where + ":") and words in p for p in found), found


def test_cycle_in_extends_is_reported(tmp_path):
    write(tmp_path, "a.toml", '[scenario]\nname = "a"\nextends = "b"\n')
    write(tmp_path, "b.toml", '[scenario]\nname = "b"\nextends = "a"\n')
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "a.toml")
    assert any("cycle in extends (a.toml -> b.toml -> a.toml)" in p for p in info.value.problems)


def test_a_problem_in_an_extended_file_names_the_file_that_extends_it(tmp_path):
    bad = '[[measure]]\nkind = "landfill_ban"\nmunicipality = "gotham"\nstart_year = 2020\n'
    write(tmp_path, "base.toml", '[scenario]\nname = "base"\n' + bad)
    write(tmp_path, "child.toml", '[scenario]\nname = "child"\nextends = "base"\n')
    top = write(tmp_path, "top.toml", '[scenario]\nname = "top"\nextends = "child"\n')
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "child.toml")
    assert info.value.problems[0].startswith("base.toml: measure[1].municipality: unknown municipality 'gotham'")
    assert info.value.problems[-1] == ("child.toml: scenario.extends: the problem(s) above are in base.toml, which "
                                       "child.toml extends")
    with pytest.raises(ScenarioError) as info:
        load(top)
    assert info.value.problems[-1] == ("top.toml: scenario.extends: the problem(s) above are in base.toml, of the "
                                       "files top.toml extends ('child' and those it extends)")
    assert len(info.value.problems) == 2


def test_every_problem_is_reported_at_once(tmp_path):
    found = problems(tmp_path, GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "gotham"\n'
                                           'start_year = 2020\ncompliance = 2\n[[measure]]\nkind = "x"\n')
    assert len(found) == 3, found


def test_extends_inherits_and_overrides(tmp_path):
    write(tmp_path, "base.toml", GOOD_HEAD.replace('"t"', '"base"') +
          '[parameters]\n"land_use.population_growth_long_run" = 0.004\n'
          '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2012\n')
    child = write(tmp_path, "child.toml", '[scenario]\nname = "child"\nextends = "base"\ngwp = "ar5"\n'
                  '[parameters]\n"land_use.population_growth_long_run" = 0.002\n'
                  '[[measure]]\nkind = "landfill_ban"\nmunicipality = ["oslo", "bergen"]\nstart_year = 2020\n'
                  'compliance = 0.5\nreplaces = "landfill_ban"\n')
    s = load(child)
    assert s.gwp == "ar5"
    assert s.parameters["land_use.population_growth_long_run"] == 0.002
    # the parent's measure now ends in 2019 (its only municipality is among the replacing one's)
    assert [(m.start_year, m.end_year) for m in s.measures] == [(2012, 2019), (2020, None)]
    paths = lever_paths(list(s.measures), np.array(dims.YEARS), 1)["landfill_ban"]
    oslo, bergen, skien = (dims.MUNICIPALITIES.index(m) for m in ("oslo", "bergen", "skien"))
    # Oslo: full from 2012, then the later measure sets it to 0.5 from 2020
    assert paths[2011 - 2009, 0, oslo] == 0 and paths[2012 - 2009, 0, oslo] == 1.0
    assert paths[2020 - 2009, 0, oslo] == 0.5 and paths[2020 - 2009, 0, bergen] == 0.5
    assert np.all(paths[:, 0, skien] == 0)


# -- hardening: inputs that once escaped as internal errors ------------------------------------------

@pytest.mark.parametrize("kind", ['{ a = 1 }', '["landfill_ban"]', "3", "true"])
def test_kind_that_is_not_a_string_is_a_located_error(tmp_path, kind):
    found = problems(tmp_path, GOOD_HEAD + f'[[measure]]\nkind = {kind}\nmunicipality = "oslo"\nstart_year = 2020\n')
    assert any(p.startswith("bad.toml: measure[1].kind: must be a string") and "landfill_ban" in p
               for p in found), found


def test_symlink_loop_is_a_located_error(tmp_path):
    loop = tmp_path / "loop.toml"
    loop.symlink_to(tmp_path / "loop.toml")
    with pytest.raises(ScenarioError) as info:
        load(loop)
    assert any("loop.toml" in p and "cannot follow" in p for p in info.value.problems), info.value.problems
    # and as the parent of a valid file
    child = write(tmp_path, "child.toml", '[scenario]\nname = "child"\nextends = "loop"\n')
    with pytest.raises(ScenarioError) as info:
        load(child)
    assert any(p.startswith("child.toml: scenario.extends: cannot follow") for p in info.value.problems)


def test_extends_chain_deeper_than_the_limit_is_refused(tmp_path):
    from framtid.model.scenario_inheritance import MAX_EXTENDS_DEPTH

    n = 1200   # deeper than Python's default recursion limit
    for i in range(n):
        head = f'[scenario]\nname = "s{i}"\n' + (f'extends = "s{i + 1}"\n' if i < n - 1 else "")
        write(tmp_path, f"s{i}.toml", head)
    with pytest.raises(ScenarioError) as info:
        load(tmp_path / "s0.toml")
    assert any(f"deeper than {MAX_EXTENDS_DEPTH} files" in p for p in info.value.problems)
    # a chain within the limit loads
    assert load(tmp_path / f"s{n - MAX_EXTENDS_DEPTH}.toml").name == f"s{n - MAX_EXTENDS_DEPTH}"


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD_HEAD.encode())
    assert load(path).name == "t"


CHARGE = ('[[measure]]\nkind = "congestion_charge"\ncordon = "trondheim_ring"\nstart_year = 2027\n'
          'peak_nok = 50\noffpeak_nok = 25\n')


def test_start_date_is_the_day_a_measure_took_effect_in_its_start_year_or_the_one_before(tmp_path):
    late = write(tmp_path, "late.toml", GOOD_HEAD + CHARGE.replace("start_year = 2027\n",
                                                                     "start_year = 2027\nstart_date = 2026-10-01\n"))
    assert load(late).measures[0].start_date.isoformat() == "2026-10-01"   # a TOML date
    text = write(tmp_path, "text.toml", GOOD_HEAD + CHARGE + 'start_date = "2027-03-15"\n')
    assert load(text).measures[0].start_date.isoformat() == "2027-03-15"   # or a string
    assert load(write(tmp_path, "none.toml", GOOD_HEAD + CHARGE)).measures[0].start_date is None
    for value, message in (("2020-01-01", "must lie in start_year (2027) or the year before (got 2020-01-01)"),
                           ('"2027-13-01"', "must be a date like 2017-10-01 (got string '2027-13-01')"),
                           ("2027", "must be a date like 2017-10-01 (got integer 2027)"),
                           ("2027-03-15T08:00:00", "must be a date like 2017-10-01 (got datetime")):
        found = problems(tmp_path, GOOD_HEAD + CHARGE + f"start_date = {value}\n")
        assert len(found) == 1 and found[0].startswith("bad.toml: measure[1].start_date: " + message), found


@pytest.mark.parametrize("text, where, hint", [
    (GOOD_HEAD + CHARGE.replace('"congestion_charge"', '"congestion_charges"'), "measure[1].kind",
     "did you mean 'congestion_charge'? allowed: biofuel_blend"),
    (GOOD_HEAD + CHARGE.replace("peak_nok = 50", "peak_nokk = 50"), "measure[1].peak_nokk",
     "did you mean 'peak_nok'? allowed: kind,"),
    (GOOD_HEAD + CHARGE.replace("start_year", "start_yaer"), "measure[1].start_yaer", "did you mean 'start_year'"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipalities = "oslo"\nstart_year = 2020\n',
     "measure[1].municipalities", "did you mean 'municipality'?"),
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "baerumm"\nstart_year = 2020\n',
     "measure[1].municipality", "unknown municipality 'baerumm'; did you mean 'baerum'? allowed: oslo"),
    (GOOD_HEAD + CHARGE.replace('"trondheim_ring"', '"trondheim"'), "measure[1].cordon",
     "(got 'trondheim'); did you mean 'trondheim_ring' or 'trondheim_inner'?"),
    (GOOD_HEAD.replace("[scenario]", "[scenario]\nextend = 'reference'"), "scenario.extend",
     "did you mean 'extends'? allowed: name"),
    (GOOD_HEAD + CHARGE.replace("[[measure]]", "[[measures]]"), "measures", "did you mean 'measure'?"),
    (GOOD_HEAD + '[parameters]\n"land_use.population_growth_longrun" = 0.004\n',
     'parameters."land_use.population_growth_longrun"', "did you mean 'land_use.population_growth_long_run'?"),
])
def test_a_misspelt_name_is_one_problem_that_names_the_near_miss(tmp_path, text, where, hint):
    """A misspelling is reported once, at the key, with the names it comes close to; a required key
    spelt wrongly is not reported as missing too."""
    found = problems(tmp_path, text)
    assert len(found) == 1 and found[0].startswith(f"bad.toml: {where}:") and hint in found[0], found


def test_a_municipality_may_be_named_by_its_name_or_number_as_on_the_command_line(tmp_path):
    """A measure's municipalities may be ids, names or municipality numbers of 2020 or 2024 (Bærum, 3024, 3201);
    the same municipality named twice in two ways is one problem."""
    from framtid.model.scenario import load

    path = tmp_path / "named.toml"
    path.write_text(GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = ["Bærum", "0301", "Tromsø", '
                                '"3201 "]\nstart_year = 2020\n')
    found = problems(tmp_path, path.read_text())
    assert found == ["bad.toml: measure[1].municipality: lists a municipality twice"], found
    path.write_text(GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = ["Bærum", "0301", "tromsø"]\n'
                                'start_year = 2020\n')
    (measure,) = [m for m in load(path).measures if m.kind == "landfill_ban"]
    assert measure.municipalities == ("baerum", "oslo", "tromso")
    # a number written as a TOML integer, as the message offers numbers
    path.write_text(GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = 3201\nstart_year = 2020\n')
    (measure,) = [m for m in load(path).measures if m.kind == "landfill_ban"]
    assert measure.municipalities == ("baerum",)
    path.write_text(GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = [301, "Tromsø"]\n'
                                'start_year = 2020\n')
    (measure,) = [m for m in load(path).measures if m.kind == "landfill_ban"]
    assert measure.municipalities == ("oslo", "tromso")


def test_a_measure_whose_municipality_comes_from_its_cordon_is_not_asked_for_one(tmp_path):
    """An unknown or missing cordon is the one problem: the municipality follows from the cordon."""
    found = problems(tmp_path, GOOD_HEAD + CHARGE.replace('cordon = "trondheim_ring"\n', ""))
    assert found == ["bad.toml: measure[1]: missing required key 'cordon' (the cordon charged (see `framtid list "
                     "cordons`) [id])"], found
    assert load(write(tmp_path, "ok.toml", GOOD_HEAD + CHARGE)).measures[0].municipalities == ("trondheim",)


def test_a_result_file_given_as_a_scenario_is_named_as_such(tmp_path):
    for magic in (b"\x89HDF\r\n\x1a\n", b"CDF\x01"):
        path = tmp_path / "compare.nc"
        path.write_bytes(magic + bytes(64))
        with pytest.raises(ScenarioError) as info:
            load(path)
        assert info.value.problems == ["compare.nc: is a NetCDF file (a result of framtid run?), not a scenario; a "
                                       "scenario is a TOML text file (see `framtid list scenarios`)"]


def test_scenario_name_longer_than_64_characters_is_refused(tmp_path):
    found = problems(tmp_path, f'[scenario]\nname = "{"x" * 65}"\n')
    assert any(p.startswith("bad.toml: scenario.name") for p in found), found
    assert load(write(tmp_path, "ok.toml", f'[scenario]\nname = "{"x" * 64}"\n')).name == "x" * 64


@pytest.mark.parametrize("extends", ["/etc/passwd", "../reference", "sub/base", "framtid:../reference",
                                     "framtid:/abs", "", "~/base", "base.toml/x"])
def test_extends_outside_the_rule_is_refused_with_the_rule(tmp_path, extends):
    found = problems(tmp_path, GOOD_HEAD + f'extends = "{extends}"\n')
    assert any(p.startswith("bad.toml: scenario.extends") and "not allowed" in p and "same folder" in p
               for p in found), found


def test_extends_sibling_with_or_without_suffix_and_builtins(tmp_path):
    write(tmp_path, "base.toml", '[scenario]\nname = "base"\n')
    for value in ("base", "base.toml"):
        assert load(write(tmp_path, "c.toml", GOOD_HEAD + f'extends = "{value}"\n')).name == "t"
    s = load(write(tmp_path, "d.toml", GOOD_HEAD + 'extends = "framtid:current-policies"\n'))
    assert [Path(f).name for f, _ in s.files] == ["policies-2009.toml", "reference.toml",
                                                   "current-policies-taxes.toml", "current-policies-tolls.toml",
                                                   "current-policies.toml", "d.toml"]


def test_extends_of_a_missing_sibling_points_to_the_builtin(tmp_path):
    found = problems(tmp_path, GOOD_HEAD + 'extends = "reference"\n')
    assert any('extends = "framtid:reference"' in p for p in found), found


def test_builtins_load_by_name():
    from framtid.model.scenario_inheritance import builtin_names

    assert {"reference", "current-policies", "policies-2009"} <= set(builtin_names())
    assert load("framtid:reference").name == "reference"
    assert load("framtid:current-policies.toml").name == "current-policies"
    with pytest.raises(ScenarioError, match="no such built-in scenario; built-ins: framtid:"):
        load("framtid:nothing")
    with pytest.raises(ScenarioError, match="no such built-in scenario; did you mean 'framtid:reference'"):
        load("framtid:referense")
    with pytest.raises(ScenarioError, match=r"reference: no such scenario file \(the shipped scenario is "
                                            r"framtid:reference\)"):
        load("reference")


def test_the_toll_and_tax_histories_are_generated_from_the_embedded_data(tool):
    for name in ("toll_history", "tax_history"):
        assert tool(name).main(check=True) == 0, f"run python tools/{name}.py"
    cur = load(REPO / "scenarios" / "current-policies.toml")
    charges = [m for m in cur.measures if m.kind == "congestion_charge"]
    assert {m.values["cordon"] for m in charges} >= {"oslo_ring_2019", "trondheim_ring", "tromso_ring"}
    # Trondheim's ring opened on 2010-03-31: in force from 2010 (a change before April counts for the year)
    trondheim = next(m for m in charges if m.values["cordon"] == "trondheim_ring")
    assert (trondheim.start_year, trondheim.ramp_years, trondheim.price_year) == (2010, 0, 2010)


def test_every_measure_of_the_policy_history_has_a_source_comment():
    """Each [[measure]] of the shipped scenarios is preceded by a comment naming where its date and
    value come from (a data file, a law or a publication), or sits in a generated file whose header
    names the embedded data it was written from."""
    import re

    for path in sorted((REPO / "scenarios").glob("*.toml")) + [REPO / "model/data/scenarios/policies-2009.toml"]:
        text = path.read_text(encoding="utf-8")
        if "Written by tools/" in text:
            assert re.search(r"model/data/\w+\.csv", text.split("[scenario]")[0]), path.name
            continue
        blocks = text.split("[[measure]]")
        for i, block in enumerate(blocks[1:], start=1):
            before = blocks[i - 1]
            comment = [line for line in before.splitlines() if line.startswith("#")]
            # the comment may cover several measures in a row: look back to the last comment block
            j = i - 1
            while not comment and j > 0:
                j -= 1
                comment = [line for line in blocks[j].splitlines() if line.startswith("#")]
            assert comment, f"{path.name}: measure {i} has no source comment"
            assert re.search(r"(\.csv|http|§|forskrift|Prop\.|methods|assumption|Stortinget|lovdata|law)",
                             " ".join(comment), re.I), f"{path.name}: measure {i}: {comment}"


def test_a_scenario_name_outside_ascii_is_told_what_is_allowed(tmp_path):
    """"Bærum" was refused as not "a name of letters": the rule is ASCII letters, at most 64."""
    found = problems(tmp_path, GOOD_HEAD.replace('name = "t"', 'name = "Bærum"'))
    assert any("scenario.name: must be a name of 1 to 64 ASCII letters (a-z, A-Z, no æ, ø, å)" in p for p in found), \
        found



def test_the_suggestions_skip_only_names_too_unlike_to_be_suggested():
    """did_you_mean compares a word only with names whose lengths let the spelling ratio reach 0.6 (difflib's
    real_quick_ratio bounds it): the same suggestions as comparing every name, for misspellings, short and long
    words, and none for a key thousands of characters long."""
    import difflib

    from framtid.model.errors import did_you_mean
    from framtid.model.parameters import table

    names = list(table())

    def every_name(word):
        w = word.strip().lower()
        close = [a for a in names if len(w) >= 3 and a.lower().startswith(w)][:3]
        if not close:
            scored = sorted(((difflib.SequenceMatcher(None, w, a.lower()).ratio(), a) for a in names), reverse=True)
            close = [a for r, a in scored[:3] if r >= 0.6 and r >= scored[0][0] - 0.1]
        return f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""

    for word in ("transprt.toll_elasticity", "toll", "transport.toll_elasticty", "buildings.oil_review_rte", "x",
                 "land_use.population_growth_long", "a" * 40, "transport.maturity_midpoint.bevv"):
        assert did_you_mean(word, names) == every_name(word), word
    assert did_you_mean("a" + ".a" * 3000, names) == ""
