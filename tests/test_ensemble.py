"""Ensembles in chunks: the same numbers however they are cut and wherever they run, resumable
batches, combined files that verify like whole ones, --variables, and the options of `framtid run`."""

import json
import shutil
import warnings

import netCDF4
import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from framtid.cli.main import main
from framtid.model import api
from framtid.model import ensemble_file as ef
from framtid.model import result_file as rf
from framtid.model.errors import FramtidError, UsageError
from framtid.model.uncertainty import ensemble, ensemble_parts

N, SEED = 8, 11


@pytest.fixture(scope="module")
def scenarios():
    return [api.load_scenario("framtid:reference")]


@pytest.fixture(scope="module")
def serial(scenarios, tmp_path_factory):
    """The reference ensemble: 8 draws in chunks of 3 (3, 3, 2), serially in this process."""
    path = tmp_path_factory.mktemp("serial") / "ens.nc"
    done = ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, progress=False)
    assert done.chunks == 3 and done.resumed == 0 and done.path == path
    return path


def _load(path):
    return api.open_results(path)      # verifies every checksum on the way


def _assert_same_file(a, b):
    """Same variables, coordinates and values to the last bit, and the same checksums."""
    da, db = _load(a), _load(b)
    xr.testing.assert_identical(da.drop_attrs(), db.drop_attrs())
    for name in da.data_vars:
        assert da[name].attrs["checksum"] == db[name].attrs["checksum"], name


def _assert_same_bytes(a, b):
    """The same file, byte for byte (a hash of the file reproduces; the parts' folders had other names)."""
    assert a.read_bytes() == b.read_bytes()


# -- chunks ---------------------------------------------------------------------------------------------

def test_chunks_cover_the_draws_once_and_a_single_draw_joins_the_chunk_before():
    assert ensemble.chunk_bounds(8, 3) == [(0, 3), (3, 6), (6, 8)]
    assert ensemble.chunk_bounds(7, 3) == [(0, 3), (3, 7)]
    assert ensemble.chunk_bounds(1, 250) == [(0, 1)]
    assert ensemble.chunk_bounds(500, 250) == [(0, 250), (250, 500)]
    with pytest.raises(UsageError, match="--chunk-size"):
        ensemble.chunk_bounds(8, 0)


def test_the_combined_file_is_chunked_by_draw_compressed_and_complete(serial):
    ds = _load(serial)
    assert list(ds["draw"].values) == list(range(N))
    assert ds.attrs["draws"] == N and ds.attrs["ensemble_draws"] == N and ds.attrs["sampler"] == "lhs"
    assert ds["parameter_sample"].sizes["draw"] == N
    with netCDF4.Dataset(serial) as nc:
        var = nc["emissions"]
        assert var.chunking()[-1] == 3 and var.filters()["zlib"]
    assert not ensemble.parts_folder(serial).exists()      # the parts are removed once combined
    rf.verify_file(serial)                                 # the slab-by-slab verification agrees


def test_same_seed_gives_identical_files(scenarios, serial, tmp_path):
    again = tmp_path / "again.nc"
    ensemble.run_ensemble(scenarios, again, N, SEED, chunk_size=3, progress=False)
    _assert_same_file(serial, again)
    _assert_same_bytes(serial, again)


def test_chunked_run_equals_the_whole_serial_run(scenarios, serial, tmp_path):
    whole = api.to_dataset([api.run_scenario(s, SEED, N, "lhs") for s in scenarios], SEED)
    chunked = _load(serial)
    np.testing.assert_array_equal(whole["parameter_sample"], chunked["parameter_sample"])
    # The correlations the sample carries are the ensemble's, sampled whole: chunks of 3 draws could carry no
    # group of parameters on their own, and said so when the attribute was read from a chunk.
    carried = chunked["parameter_sample"].attrs["rank_correlations"]
    assert carried == whole["parameter_sample"].attrs["rank_correlations"] and "none imposed" not in carried
    for name in whole.data_vars:   # bit for bit: no draw depends on the draws batched with it
        np.testing.assert_array_equal(chunked[name], whole[name], err_msg=name)
    # One chunk holding every draw is the whole run: the same data, so the same checksums as api.save's.
    api.save(whole, tmp_path / "whole.nc")
    ensemble.run_ensemble(scenarios, tmp_path / "one-chunk.nc", N, SEED, chunk_size=N, progress=False)
    _assert_same_file(tmp_path / "whole.nc", tmp_path / "one-chunk.nc")


def test_chunk_boundaries_change_no_bit(scenarios):
    # the solvers of the base year (mode-share constants, waste treatment shares) stop per draw
    whole = api.run_scenario(scenarios[0], SEED, N, "lhs").record
    parts = [api.run_scenario(scenarios[0], SEED, N, "lhs", slice(a, b)).record for a, b in ((0, 3), (3, 8))]
    for name, values in whole.items():
        np.testing.assert_array_equal(np.concatenate([p[name] for p in parts], axis=1), values, err_msg=name)


def test_two_workers_give_the_serial_file(scenarios, serial, tmp_path, monkeypatch):
    # One process cluster (starting one takes seconds): the chunks of the serial run, spread over two.
    import distributed

    real_map, mapped = distributed.Client.map, []

    def map_on_the_cluster(client, func, *items, **options):   # what the chunks were handed to
        mapped.append((len(client.scheduler_info()["workers"]), len(items[0])))
        return real_map(client, func, *items, **options)

    monkeypatch.setattr(distributed.Client, "map", map_on_the_cluster)
    path = tmp_path / "workers.nc"
    ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, workers=2, progress=False)
    assert mapped == [(2, 3)]          # the 3 chunks of 8 draws went to a cluster of two worker processes
    _assert_same_file(serial, path)
    _assert_same_bytes(serial, path)


def test_map_chunks_keeps_the_input_order_and_checks_where_to_run():
    assert ensemble.map_chunks(abs, [-3, 1, -2], progress=False) == [3, 1, 2]
    with pytest.raises(UsageError, match="--workers and --scheduler"):
        ensemble.map_chunks(abs, [1], workers=2, scheduler="tcp://127.0.0.1:8786")


# -- resuming -------------------------------------------------------------------------------------------

def _interrupt_after(monkeypatch, finished: int):
    """Make the batch stop (as on Ctrl-C) when chunk number ``finished`` starts."""
    real, calls = ensemble.run_chunk, []

    def run_chunk(batch, folder, manifest, bounds):
        calls.append(bounds)
        if len(calls) > finished:
            raise KeyboardInterrupt
        return real(batch, folder, manifest, bounds)

    monkeypatch.setattr(ensemble, "run_chunk", run_chunk)


def test_a_chunk_half_written_when_the_batch_stops_leaves_no_temporary_file(scenarios, tmp_path, monkeypatch):
    """A Dask worker ended with its cluster (SIGTERM on a --workers run) leaves the chunk it was writing as a hidden
    temporary file in the batch's folder: the batch, which holds the folder's lock, removes it as it stops."""
    path = tmp_path / "stopped.nc"
    real = ensemble.run_chunk

    def run_chunk(batch, folder, manifest, bounds):
        if bounds[0] == 0:
            return real(batch, folder, manifest, bounds)
        (tmp_path / ".stopped.nc.parts" / ".draws-000003-000005.nc.x7k2m9qa.tmp").write_bytes(b"half a chunk")
        raise KeyboardInterrupt

    monkeypatch.setattr(ensemble, "run_chunk", run_chunk)
    with pytest.raises(KeyboardInterrupt):
        ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, progress=False)
    folder = ensemble.parts_folder(path)
    assert sorted(p.name for p in folder.iterdir() if p.name.endswith((".nc", ".tmp"))) == ["draws-000000-000002.nc"]


def test_a_resumed_batch_equals_an_uninterrupted_one(scenarios, serial, tmp_path, monkeypatch):
    path = tmp_path / "resumed.nc"
    with monkeypatch.context() as m:
        _interrupt_after(m, 2)
        with pytest.raises(KeyboardInterrupt):
            ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, progress=False)
    folder = ensemble.parts_folder(path)
    assert sorted(p.name for p in folder.glob("*.nc")) == ["draws-000000-000002.nc", "draws-000003-000005.nc"]
    assert not path.exists()
    assert "2 of 3 chunks" in ensemble.unfinished_note(path)
    # A finished part damaged afterwards is found and run again; the intact one is kept, not run again.
    damaged = folder / "draws-000003-000005.nc"
    with netCDF4.Dataset(damaged, "a") as nc:
        nc["population"][0, 0, 0, 0] = 1.0
    real, ran = ensemble.run_chunk, []

    def run_chunk(batch, folder, manifest, bounds):
        ran.append(bounds)
        return real(batch, folder, manifest, bounds)

    monkeypatch.setattr(ensemble, "run_chunk", run_chunk)
    # a combination killed outright (kill -9) leaves a temporary twin of the file: named on resume, not removed
    leftover, other = tmp_path / ".resumed.nc.k9x2q7ab.tmp", tmp_path / ".other.nc.k9x2q7ab.tmp"
    for stray in (leftover, other):
        stray.write_bytes(b"")
    done = ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, resume=True, progress=False)
    assert done.resumed == 1 and done.recomputed == [damaged.name]
    assert done.leftovers == [leftover.name] and leftover.exists()
    assert sorted(ran) == [(3, 6), (6, 8)]
    _assert_same_file(serial, path)
    _assert_same_bytes(serial, path)
    assert not folder.exists()


def test_resume_refuses_another_batch_and_a_new_run_refuses_to_overwrite_one(scenarios, tmp_path, monkeypatch):
    path = tmp_path / "batch.nc"
    with monkeypatch.context() as m:
        _interrupt_after(m, 1)
        with pytest.raises(KeyboardInterrupt):
            ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=4, progress=False)
    manifest = json.loads((ensemble.parts_folder(path) / "manifest.json").read_text())
    assert manifest["seed"] == SEED and manifest["draws"] == N and manifest["chunk_size"] == 4
    assert manifest["scenarios"][0]["name"] == "reference" and manifest["variables"] == "all"
    with pytest.raises(UsageError, match=r"seed: 11 in the unfinished batch, 12 now"):
        ensemble.run_ensemble(scenarios, path, N, SEED + 1, chunk_size=4, resume=True)
    with pytest.raises(UsageError, match=r"chunk_size: 4 .*, 3 now.*variables"):
        ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, resume=True, variables=["population"])
    with pytest.raises(UsageError, match="pass --resume to continue it, or --force"):
        ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=4)
    with pytest.raises(UsageError, match="no unfinished batch"):
        ensemble.run_ensemble(scenarios, tmp_path / "never.nc", N, SEED, resume=True)


def test_a_batch_stopped_before_any_chunk_leaves_nothing(scenarios, tmp_path, monkeypatch):
    path = tmp_path / "empty.nc"
    _interrupt_after(monkeypatch, 0)
    with pytest.raises(KeyboardInterrupt):
        ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=4, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_resume_runs_again_a_chunk_of_another_batch_found_in_the_folder(scenarios, serial, tmp_path, monkeypatch):
    """A chunk that is whole but another batch's (another seed: copied in by hand, or left by a run of other code)
    is not kept: it records its batch's manifest, which is not this one's."""
    other = tmp_path / "other.nc"
    with monkeypatch.context() as m:
        _interrupt_after(m, 1)
        with pytest.raises(KeyboardInterrupt):
            ensemble.run_ensemble(scenarios, other, N, SEED + 1, chunk_size=3, progress=False)
    path = tmp_path / "mine.nc"
    with monkeypatch.context() as m:
        _interrupt_after(m, 2)
        with pytest.raises(KeyboardInterrupt):
            ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, progress=False)
    foreign = ensemble.parts_folder(other) / "draws-000000-000002.nc"
    shutil.copyfile(foreign, ensemble.parts_folder(path) / foreign.name)
    done = ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, resume=True, progress=False)
    assert done.recomputed == [foreign.name] and done.resumed == 1
    _assert_same_file(serial, path)


def test_a_batch_running_on_a_target_keeps_every_other_run_off_it(scenarios, tmp_path):
    """While a batch runs (its parts folder locked), a second run on the same target is refused, with --force
    or --resume too: discarding or resuming a running batch would mix two runs' draws in one file."""
    path = tmp_path / "busy.nc"
    folder = ensemble.parts_folder(path)
    folder.mkdir()
    running = ensemble_parts.Held(folder)   # as the first run holds it
    try:
        for options in ({"force": True}, {"resume": True}, {}):
            with pytest.raises(UsageError, match="another framtid run is writing this batch now"):
                ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, progress=False, **options)
        assert folder.is_dir() and not path.exists()
    finally:
        running.release()


def test_a_worker_on_other_code_refuses_to_run_a_chunk(scenarios, tmp_path):
    """A chunk runs only where the batch's manifest (version, code, libraries, data) is made again: a Dask
    worker on another installation would write numbers that are not the batch's."""
    batch = ensemble.Batch(tuple(scenarios), N, SEED, chunk_size=3)
    started = json.loads(ensemble_parts.manifest_text(batch.manifest()))
    started["code_sha256"] = "0" * 64
    with pytest.raises(FramtidError, match="this worker runs other code.*code_sha256: \"0{64}\" in the batch"):
        ensemble.run_chunk(batch, str(tmp_path), json.dumps(started, sort_keys=True), (0, 3))
    assert list(tmp_path.iterdir()) == []


def test_a_file_system_without_locks_runs_the_batch_unguarded_and_says_so(scenarios, tmp_path, monkeypatch,
                                                                          capsys):
    """Only a lock held by another run refuses the batch; a file system that cannot lock (ENOLCK: some network
    mounts) lets it run, with a warning."""
    import errno
    import fcntl

    def cannot(handle, how):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", cannot)
    folder = tmp_path / "unlocked"
    folder.mkdir()
    held = ensemble_parts.Held(folder)
    assert held.handle is None and "cannot lock it (No locks available)" in capsys.readouterr().err

    def busy(handle, how):
        raise OSError(errno.EWOULDBLOCK, "Resource temporarily unavailable")

    monkeypatch.setattr(fcntl, "flock", busy)
    with pytest.raises(UsageError, match="another framtid run is writing this batch now"):
        ensemble_parts.Held(folder)


def test_a_batch_is_the_same_whatever_order_its_variables_are_named_in_and_chunks_hold_two_draws(scenarios):
    a = ensemble.Batch(tuple(scenarios), N, SEED, variables=("population", "car_vkm"))
    b = ensemble.Batch(tuple(scenarios), N, SEED, variables=("car_vkm", "emissions", "population"))
    assert a.manifest() == b.manifest() and "libraries" in a.manifest()
    with pytest.raises(UsageError, match="--chunk-size: must be at least 2 draws"):
        ensemble.chunk_bounds(N, 1)
    assert ensemble.chunk_bounds(1, 1) == [(0, 1)]


# -- --variables and checksums ----------------------------------------------------------------------------

def test_variables_keeps_the_asked_ones_and_what_a_result_needs(scenarios, tmp_path):
    path = tmp_path / "few.nc"
    ensemble.run_ensemble(scenarios, path, 4, SEED, chunk_size=2, variables=["population", "mode_share"],
                          progress=False)
    ds = _load(path)
    assert set(ds.data_vars) == {"population", "mode_share", "emissions", "parameter_sample", "maturity_amplitude",
                                  "time_bounds", "base_year_status"}
    assert "measure" not in ds.coords and ds.attrs["variables"].startswith("population,")
    with pytest.raises(UsageError, match="unknown variable.*popu; allowed: population, "):
        api.check_variables(["popu"])
    # the variables every result keeps may be named too, as the message says they are kept
    assert api.check_variables(["population", "parameter_sample", "time_bounds"]) == [
        "population", "parameter_sample", "time_bounds"]


def test_the_allowed_variables_are_those_of_a_result(scenarios):
    ds = api.to_dataset([api.run_scenario(scenarios[0], SEED, 2, "lhs")], SEED)
    assert set(api.result_variables()) | set(api.ALWAYS_KEPT) == set(ds.data_vars)


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 0, 3), (7,)])
def test_slab_by_slab_checksums_are_the_whole_array_checksums(shape):
    values = np.arange(np.prod(shape), dtype=float).reshape(shape)
    values.flat[::4] = np.nan
    var = xr.Variable(tuple("abc"[:len(shape)]), values)
    for budget in (8, 64, 1 << 20):
        assert rf.streamed_checksum(var, budget) == rf.data_checksum(var)


def _part(draws: range) -> xr.Dataset:
    """A small part: numbers with draw last (copied slab by slab), an integer variable with a fill
    value and one with draw first (both written through xarray), a variable without draws, and one with
    a dimension of length 0 (a scenario without measures)."""
    rng = np.random.default_rng(draws[0])
    values = rng.random((2, 3, 4, len(draws))).astype("f4")
    values[0, 1, 2, 0] = np.nan
    counts = rng.integers(0, 9, (3, len(draws))).astype("i2")
    ds = xr.Dataset({"flows": (("municipality", "source", "year", "draw"), values, {"units": "t yr-1"}),
                     "counts": (("source", "draw"), counts),
                     "sample": (("draw", "parameter"), rng.random((len(draws), 2))),
                     "fixed": (("source",), np.arange(3.0)),
                     "none": (("municipality", "measure", "draw"), np.zeros((2, 0, len(draws)), "f4"))},
                    coords={"draw": np.array(draws, dtype="i4"), "municipality": ["a", "b"]},
                    attrs={"title": "part"})
    return ds


def test_combining_copies_slab_by_slab_what_it_can_and_writes_the_rest_through_xarray(tmp_path, monkeypatch):
    parts = [_part(range(3)), _part(range(3, 5)), _part(range(5, 9))]
    paths = [tmp_path / f"part{i}.nc" for i in range(len(parts))]
    for ds, path in zip(parts, paths):
        ds.to_netcdf(path, engine="netcdf4", encoding={"counts": {"_FillValue": -1}})
    monkeypatch.setattr(ef, "CHUNK_BYTES", 8 * 2 * 4)        # HDF5 chunks of one source: (1, 1, 4, 2)
    monkeypatch.setattr(ef, "COMBINE_SLAB_BYTES", 8 * 9)     # slabs of one source too, not smaller than a chunk
    with netCDF4.Dataset(paths[0]) as nc:
        assert [ef._copied_raw(nc[name]) for name in ("flows", "counts", "sample", "fixed")] == [True, False, False,
                                                                                               False]
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # e.g. xarray's about an unlimited dimension it does not write
        out = ef.save_parts(paths, tmp_path / "all.nc", 2, {"title": "all"})
    rf.verify_file(out)
    whole = xr.concat(parts, "draw", data_vars="minimal", coords="minimal", compat="override")
    with xr.open_dataset(out) as combined:
        assert combined.attrs["title"] == "all"
        for name in whole.data_vars:
            xr.testing.assert_identical(combined[name].drop_attrs(), whole[name].drop_attrs())
            assert combined[name].attrs["checksum"] == rf.data_checksum(combined[name].variable), name
        assert combined["flows"].attrs["units"] == "t yr-1"
        assert combined["flows"].encoding["chunksizes"] == (1, 1, 4, 2)


def test_an_edited_combined_file_is_refused(serial, tmp_path):
    edited = tmp_path / "edited.nc"
    edited.write_bytes(serial.read_bytes())
    with netCDF4.Dataset(edited, "a") as nc:
        nc["emissions"][0, 0, 0, 5, 2] = 0.0
    with pytest.raises(rf.ResultFileError, match="emissions do not match"):
        rf.verify_file(edited)
    with pytest.raises(rf.ResultFileError, match="emissions do not match"):
        api.open_results(edited)


# -- the command line -------------------------------------------------------------------------------------

def _invoke(*args):
    return CliRunner().invoke(main, ["run", "framtid:reference", *args])


def test_a_result_that_cannot_be_written_keeps_the_chunks_and_says_how_to_finish(scenarios, serial, tmp_path,
                                                                                monkeypatch):
    """The disk fills while the chunks are combined: the message says why, that every chunk is kept and to run
    again with --resume, which then writes the file the uninterrupted run writes."""
    path = tmp_path / "full.nc"

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(ensemble, "save_parts", no_space)
        with pytest.raises(FramtidError, match=r"full.nc: cannot write the result \(OSError: .*No space left on "
                                               r"device\).*3 of 3 chunks.*--resume"):
            ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, progress=False)
    assert not path.exists() and len(list(ensemble.parts_folder(path).glob("draws-*.nc"))) == 3
    done = ensemble.run_ensemble(scenarios, path, N, SEED, chunk_size=3, resume=True, progress=False)
    assert done.resumed == 3
    ours, theirs = _load(path), _load(serial)
    for name in theirs.data_vars:
        np.testing.assert_array_equal(ours[name].values, theirs[name].values, err_msg=name)


def test_too_few_draws_for_the_declared_correlations_are_warned_of():
    """A group of k correlated parameters needs k + 2 draws (sampling.correlate); fewer leave it uncorrelated,
    which the run says, counting the largest group of the table; one draw has no correlation to keep."""
    from framtid.model.parameters import correlations, table
    from framtid.model.uncertainty.ensemble import check_options
    from framtid.model.uncertainty.sampling import correlation_groups, uncertain

    k = max(len(members) for members, _ in correlation_groups(correlations(), uncertain(table())))
    assert any(f"groups of up to {k} parameters need {k + 2}" in w for w in check_options(k + 1))
    assert not any("correlations" in w for w in check_options(k + 2) + check_options(1))


def test_run_draws_prints_the_ensemble_summary_and_warns_about_sobol(tmp_path):
    out = tmp_path / "cli.nc"
    res = _invoke("--draws", "6", "--chunk-size", "4", "--sampler", "sobol", "--variables", "population",
                  "--out", str(out))
    assert res.exit_code == 0, res.output
    assert "warning: --sampler sobol: 6 draws is not a power of two" in res.stderr
    assert "6 draws, sampler sobol" in res.stdout and "in 2 chunk(s)" in res.stdout and f"wrote {out}" in res.stdout
    assert set(_load(out).data_vars) == {"population", "emissions", "parameter_sample", "maturity_amplitude",
                                         "time_bounds", "base_year_status"}


def test_run_without_draws_keeps_variables_too(tmp_path):
    out = tmp_path / "plain.nc"
    res = _invoke("--variables", "car_vkm", "--out", str(out))
    assert res.exit_code == 0, res.output
    assert set(_load(out).data_vars) == {"car_vkm", "emissions", "time_bounds", "base_year_status"}


@pytest.mark.parametrize("args, words", [
    (["--draws", "0"], "'--draws': 0 is not in the range 1<=x<=100000"),
    (["--draws", "many"], "'--draws': 'many' is not a valid integer"),
    (["--draws", "4", "--variables", "population,nonsense"], "--variables: unknown variable(s) nonsense; allowed: "),
    (["--draws", "4", "--resume"], "--resume: no unfinished batch"),
    (["--resume"], "--resume: only with --draws N"),
    (["--sampler", "lhs", "--workers", "2"], "--sampler, --workers: only with --draws N"),
    (["--draws", "4", "--sampler", "halton"], "'--sampler': 'halton' is not one of"),
    (["--draws", "4", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "--workers and --scheduler"),
    (["--draws", "4", "--nc-format", "netcdf3"], "--nc-format netcdf3: an ensemble"),
    (["--draws", "4", "--chunk-size", "0"], "'--chunk-size': 0 is not in the range 2<=x<=2000"),
])
def test_bad_ensemble_options_are_one_clear_message_before_any_run(tmp_path, args, words):
    res = _invoke(*args, "--out", str(tmp_path / "x.nc"))
    assert res.exit_code == 2, res.output
    assert words in res.output and "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []


def test_the_unfinished_note_counts_the_batchs_own_chunks(scenarios, tmp_path):
    """What an interrupted batch says it kept: its own chunks, not every file of the pattern in its folder."""
    path = tmp_path / "kept.nc"
    batch = ensemble.Batch(tuple(scenarios), N, SEED, chunk_size=3)
    folder, _, held = ensemble.prepare(batch, path)
    held.release()
    (folder / batch.part_name((0, 3))).touch()
    (folder / "draws-000000-000099.nc").touch()          # of another batch's size: not this batch's
    assert ensemble.unfinished_note(path).startswith("1 of 3 chunks finished")
