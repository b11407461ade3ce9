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
    assert ref.gwp == "ar4"
    # current policies inherit the reference's measures first, then add their own
    assert [m.label for m in cur.measures[: len(ref.measures)]] == [m.label for m in ref.measures]
    assert {m.kind for m in cur.measures} >= {"landfill_ban", "oil_heating_ban", "ev_incentives", "biofuel_blend"}


@pytest.mark.parametrize("text, where, words", [
    ("colour = 1\n" + GOOD_HEAD, "bad.toml: colour", "unknown top-level key"),
    ('[scenario]\nname = "t"\nauthor = "x"\n', "bad.toml: scenario.author", "unknown key"),
    ("[parameters]\n", "bad.toml", "missing [scenario]"),
    ('[scenario]\nname = ""\n', "bad.toml: scenario.name", "non-empty"),
    ('[scenario]\nname = "../../etc/x"\n', "bad.toml: scenario.name", "names the result file"),
    ('[scenario]\nname = "t"\ngwp = "ar9"\n', "bad.toml: scenario.gwp", "unknown GWP set"),
    ("[scenario\nname = 1\n", "bad.toml", "invalid TOML"),
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
    (GOOD_HEAD + '[[measure]]\nkind = "landfill_ban"\nmunicipality = "oslo"\nstart_year = 2020\nramp_years = -1\n',
     "bad.toml: measure[1].ramp_years", "integer from 0"),
    (GOOD_HEAD + '[parameters]\n"transport.no_such_thing" = 1\n',
     'bad.toml: parameters."transport.no_such_thing"', "unknown parameter"),
    (GOOD_HEAD + '[parameters]\n"land_use.population_growth_long_run" = 0.5\n',
     'bad.toml: parameters."land_use.population_growth_long_run"', "must be between"),
    (GOOD_HEAD + '[population.anchors]\noslo = { 2015 = 700000 }\n',
     "bad.toml: population.anchors.oslo.2015", "year must be"),
    (GOOD_HEAD + 'extends = "nowhere"\n', "bad.toml: scenario.extends", "no scenario 'nowhere'"),
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
                  'compliance = 0.5\n')
    s = load(child)
    assert s.gwp == "ar5"
    assert s.parameters["land_use.population_growth_long_run"] == 0.002
    assert [m.start_year for m in s.measures] == [2012, 2020]
    paths = lever_paths(list(s.measures), np.array(dims.YEARS), 1)["landfill_ban"]
    oslo, bergen, skien = (dims.MUNICIPALITIES.index(m) for m in ("oslo", "bergen", "skien"))
    # Oslo: full from 2012, then the later measure sets it to 0.5 from 2020
    assert paths[2011 - 2009, 0, oslo] == 0 and paths[2012 - 2009, 0, oslo] == 1.0
    assert paths[2020 - 2009, 0, oslo] == 0.5 and paths[2020 - 2009, 0, bergen] == 0.5
    assert np.all(paths[:, 0, skien] == 0)
