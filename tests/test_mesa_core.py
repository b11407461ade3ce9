"""Mesa's Model and Agent load without Mesa's optional extras, and the rest of Mesa stays usable."""

import subprocess
import sys


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_running_framtid_does_not_import_mesas_extras():
    out = _fresh("import sys; from framtid.model import simulation; "
                 "print(sorted(m for m in ('pandas', 'scipy.spatial', 'tqdm', 'mesa.experimental') "
                 "if m in sys.modules))")
    assert out == "[]"


def test_the_whole_of_mesa_is_there_on_first_use():
    out = _fresh("from framtid.model import simulation; import mesa; from mesa import batch_run; "
                 "print(mesa.__version__, mesa.DataCollector.__name__, batch_run.__name__, "
                 "mesa.Model is simulation.Model)")
    version, collector, runner, same = out.split()
    assert version.startswith("3.3") and collector == "DataCollector" and runner == "batch_run"
    assert same == "True"


def test_mesa_imported_first_is_used_as_it_is():
    out = _fresh("import mesa, sys; from framtid.model import mesa_core; "
                 "print(mesa_core.Agent is mesa.Agent, '__getattr__' in vars(sys.modules['mesa']))")
    assert out == "True False"
