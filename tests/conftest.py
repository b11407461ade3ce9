"""Fixtures shared by several test modules."""

import importlib.util
import os
import runpy
import sys
from pathlib import Path

import pytest

from framtid.model import api

TOOLS = Path(__file__).resolve().parents[1] / "tools"


@pytest.fixture
def shared_data() -> Path:
    """The reference data the build tools read: ``FRAMTID_REFERENCE_DATA`` where set (and not empty), else
    ``../shared/data`` beside the repository (the tools' own default, tools/reference_folder.py). Where it is absent
    a test of a build tool is skipped, or fails when ``FRAMTID_REQUIRE_REFERENCE_DATA=1`` asks that the embedded
    files be checked against their sources."""
    default = runpy.run_path(str(TOOLS / "reference_folder.py"))["DEFAULT"]   # the data builders' own default
    path = Path(os.environ.get("FRAMTID_REFERENCE_DATA") or default)
    if not (path / "policies").is_dir():
        if os.environ.get("FRAMTID_REQUIRE_REFERENCE_DATA") == "1":
            pytest.fail(f"reference data not found at {path} (FRAMTID_REQUIRE_REFERENCE_DATA=1)")
        pytest.skip(f"reference data not present at {path} (set FRAMTID_REFERENCE_DATA to check the build tools)")
    return path


@pytest.fixture(autouse=True)
def terminal_of_100_columns(monkeypatch):
    """Tables fit the terminal; every test sees the width of output that is not a terminal (100 columns),
    whether pytest runs in a terminal, in a pipe or in a worker process (``-n 2``). A test may set its own."""
    monkeypatch.setenv("COLUMNS", "100")


def _load_tool(name: str, patch: pytest.MonkeyPatch):
    """A script of tools/ as a module, registered under its name through ``patch`` (dataclasses look their module
    up) until the patch is undone."""
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    patch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tool(monkeypatch):
    """Load a script of tools/ as a module: ``tool("toll_history")``, registered while the test runs."""
    return lambda name: _load_tool(name, monkeypatch)


@pytest.fixture
def data_in_tmp(tmp_path, monkeypatch):
    """``data_in_tmp(cached, ...)`` makes the data files be read from ``tmp_path`` (``data_store.data_path``) and
    empties the given lru-cached readers now and after the test, so that no table read from the test's files
    outlives it; returns ``tmp_path``."""
    from framtid.model import data_store

    cleared = []

    def use(*cached):
        monkeypatch.setattr(data_store, "data_path", lambda name: tmp_path / name)
        for reader in cached:
            reader.cache_clear()
        cleared.extend(cached)
        return tmp_path

    yield use
    for reader in cleared:
        reader.cache_clear()


@pytest.fixture(scope="session")
def sampled(tmp_path_factory):
    """A result file of the reference run as an ensemble of 8 LHS draws (seed 0); read only."""
    path = tmp_path_factory.mktemp("sampled") / "ref8.nc"
    api.save(api.run(["framtid:reference"], n_draws=8, sampler="lhs"), path)
    return path


@pytest.fixture
def whole_file(monkeypatch):
    """``with whole_file() as asked:`` makes ``api.open_results`` load every variable of a result file,
    whatever a command asks for (as the commands did before they asked only for the variables they
    read, and before the report read the file part by part); ``asked`` collects the variables each
    call asked for."""
    from contextlib import contextmanager

    from framtid.model import result_file

    @contextmanager
    def loading_everything():
        asked = []

        def open_whole(path, variables=None, needed_by=None, optional=(), lazy=False):
            asked.append(variables)
            return result_file.open_results(path, None, needed_by, optional)

        with monkeypatch.context() as patch:
            patch.setattr(api, "open_results", open_whole)
            yield asked

    return loading_everything


@pytest.fixture
def prints_as_with_whole_file(whole_file):
    """``prints_as_with_whole_file(variables, *args)`` runs ``framtid *args``, which must succeed, then
    again loading the whole result file: the command must have asked for ``variables`` and print the
    same both times. Returns the first run's result."""
    from click.testing import CliRunner

    from framtid.cli.main import main

    def check(variables, *args):
        declared = CliRunner().invoke(main, [str(a) for a in args])
        with whole_file() as asked:
            whole = CliRunner().invoke(main, [str(a) for a in args])
        assert asked == [list(variables)]
        assert declared.exit_code == 0, declared.output
        assert (whole.exit_code, whole.stdout, whole.stderr) == (declared.exit_code, declared.stdout, declared.stderr)
        return declared

    return check
