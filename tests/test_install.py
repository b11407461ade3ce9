"""The package works outside a clone: a built wheel, installed elsewhere, runs its shipped scenarios
and records provenance honestly (no commit of a repository it merely sits in)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel of this checkout, installed into a folder inside another git repository."""
    root = tmp_path_factory.mktemp("elsewhere")
    # build from a copy, so no build/ folder of an earlier build (or of this one) is involved
    source = root / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info",
                                                                "__pycache__", "*.nc", ".pytest_cache"))
    wheels = root / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(source)],
                           capture_output=True, text=True, timeout=600)
    if built.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{built.stderr[-2000:]}")
    other = root / "other-project"
    other.mkdir()
    for args in (["init", "-q"], ["-c", "user.email=x@y", "-c", "user.name=x", "commit", "-q", "--allow-empty",
                                  "-m", "another project"]):
        subprocess.run(["git", "-C", str(other), *args], check=True, capture_output=True)
    site = other / "site-packages"
    wheel = next(wheels.glob("framtid-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    return other, site


def framtid(installed, *args):
    """Run the installed command. ``python -S`` skips the .pth files of this environment, so the
    editable install of the checkout (a path hook that maps every framtid module to the source
    tree) cannot stand in for a module the wheel lacks; the dependencies come from site-packages."""
    import sysconfig

    other, site = installed
    deps = sysconfig.get_paths()["purelib"]
    code = (f"import sys; sys.path[:0] = [{str(site)!r}, {deps!r}]; import framtid; "
            f"assert framtid.__file__.startswith({str(site)!r}), framtid.__file__; "
            "from framtid.cli.main import main; main()")
    return subprocess.run([sys.executable, "-S", "-c", code, *args], capture_output=True, text=True, cwd=other,
                          timeout=300)


def test_wheel_ships_every_module_of_the_source_tree(installed):
    _, site = installed
    for folder, package in (("model", "framtid/model"), ("cli", "framtid/cli"), ("scenarios", "framtid/scenarios")):
        for source in (REPO / folder).rglob("*.py"):
            if "__pycache__" in source.parts:
                continue
            assert (site / package / source.relative_to(REPO / folder)).is_file(), source
    for source in (REPO / "model" / "data").rglob("*"):
        if source.is_file():
            assert (site / "framtid" / "model" / "data" / source.relative_to(REPO / "model" / "data")).is_file(), \
                source


def test_wheel_ships_scenarios_data_and_license(installed):
    _, site = installed
    assert (site / "framtid" / "scenarios" / "reference.toml").is_file()
    assert (site / "framtid" / "scenarios" / "current-policies.toml").is_file()
    assert (site / "framtid" / "model" / "data" / "scenarios" / "policies-2009.toml").is_file()
    assert (site / "framtid" / "model" / "explore" / "page.html").read_bytes() == \
        (REPO / "model" / "explore" / "page.html").read_bytes()     # framtid explore's page
    licenses = list(site.glob("framtid-*.dist-info/**/LICENSE*"))
    assert licenses and "MIT License" in licenses[0].read_text()
    assert not (site / "model").exists() and not (site / "cli").exists()   # no bare top-level packages


def test_installed_package_runs_builtins_from_another_folder(installed):
    other, _ = installed
    listed = framtid(installed, "list", "scenarios", "--format", "csv")
    assert listed.returncode == 0, listed.stderr
    assert "framtid:reference" in listed.stdout and "framtid:current-policies" in listed.stdout
    done = framtid(installed, "run", "framtid:current-policies", "--out", "cp.nc")
    assert done.returncode == 0, done.stderr
    shown = framtid(installed, "summary", "cp.nc", "--format", "json", "--years", "2009")
    assert shown.returncode == 0, shown.stderr

    import xarray as xr

    with xr.open_dataset(other / "cp.nc") as ds:
        # it runs inside another repository, but not from its own checkout: no commit is claimed
        assert ds.attrs["git_commit"] == "none (installed package)"
        assert ds.attrs["framtid_version"]
        files = [v for k, v in ds.attrs.items() if k.startswith("scenario1_file")]
        assert files[-1].startswith("# current-policies.toml")
