"""The parameter table: one place for every model parameter's unit, default,
plausible range, distribution and source.

The table is stored as CSV files under ``model/data/parameters/`` (one file per
submodel, same columns) and loaded into a single registry. Values are held as
arrays over the Monte Carlo ``draw`` axis, shape ``(D,)``, so a submodel never
needs to know whether it runs one draw or a thousand.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, TypeVar

import numpy as np

from .errors import DataError, csv_rows, utf8_data

COLUMNS = ("name", "unit", "default", "low", "high", "distribution", "description", "source")
DISTRIBUTIONS = ("fixed", "uniform", "triangular", "pert", "normal", "lognormal", "discrete")
ALTERNATIVE_COLUMNS = ("parameter", "value", "weight", "source")
CORRELATION_COLUMNS = ("parameter_a", "parameter_b", "rank_correlation", "source")
T = TypeVar("T")


@dataclass(frozen=True)
class ParameterSpec:
    """One row of the parameter table."""

    name: str
    unit: str
    default: float
    low: float
    high: float
    distribution: str
    description: str
    source: str

    @property
    def submodel(self) -> str:
        return self.name.split(".", 1)[0]


def _parameter_files() -> list[Path]:
    folder = resources.files("framtid.model") / "data" / "parameters"
    return sorted(Path(str(p)) for p in folder.iterdir() if str(p).endswith(".csv"))


def _parse_row(path: Path, lineno: int, row: dict[str, str]) -> ParameterSpec:
    where = f"{path.name}: line {lineno}"
    missing = [c for c in COLUMNS if c not in row or row[c] is None]
    if missing:
        raise DataError(f"{where}: missing column(s) {', '.join(missing)}")
    name = row["name"].strip()
    numbers = {}
    for column in ("default", "low", "high"):
        try:
            numbers[column] = float(row[column])
        except ValueError:
            numbers[column] = math.nan
        if not math.isfinite(numbers[column]):
            raise DataError(f"{where}: parameter {name!r}: column {column!r} must be a finite number, got "
                            f"{row[column]!r}")
    default, low, high = numbers["default"], numbers["low"], numbers["high"]
    if low > high:
        raise DataError(f"{where}: parameter {name!r}: low {low:g} is above high {high:g}; the range is low to high")
    if not (low <= default <= high):
        raise DataError(f"{where}: parameter {name!r}: default {default} outside [{low}, {high}]")
    if row["distribution"].strip() == "lognormal" and not low > 0.0:
        raise DataError(f"{where}: parameter {name!r}: a lognormal parameter takes positive values only, so its "
                        f"low must be above 0, got {low:g}")
    if row["unit"].strip() == "share" and not (0.0 <= low and high <= 1.0):
        # a share lies in [0, 1] whatever its range says (a user editing all three could set 1.65)
        raise DataError(f"{where}: parameter {name!r}: unit share, but its range [{low}, {high}] leaves [0, 1]; "
                        "a share is 0 to 1 (give a relative change the unit 1)")
    dist = row["distribution"].strip()
    if dist not in DISTRIBUTIONS:
        raise DataError(f"{where}: parameter {name!r}: distribution {dist!r} not one of {', '.join(DISTRIBUTIONS)}")
    for col in ("unit", "description", "source"):
        if not row[col].strip():
            raise DataError(f"{where}: parameter {name!r}: empty {col}")
    return ParameterSpec(name, row["unit"].strip(), default, low, high, dist,
                         row["description"].strip(), row["source"].strip())


def load_table(files: Iterable[Path] | None = None) -> dict[str, ParameterSpec]:
    """Read every parameter file into one registry keyed by name."""
    table: dict[str, ParameterSpec] = {}
    for path in files if files is not None else _parameter_files():
        with open(path, newline="", encoding="utf-8-sig") as fh, utf8_data(path):
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise DataError(f"{path.name}: header must be {','.join(COLUMNS)}")
            for lineno, row in csv_rows(reader, path.name):
                spec = _parse_row(path, lineno, row)
                if spec.name in table:
                    raise DataError(f"{path.name}: line {lineno}: parameter {spec.name!r} defined twice")
                table[spec.name] = spec
    return table


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    """The rows of a CSV file whose header must be ``columns``: ``(where, row)``, ``where`` naming the file and
    line for messages."""
    with open(path, newline="", encoding="utf-8-sig") as fh, utf8_data(path):
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != columns:
            raise DataError(f"{path.name}: header must be {','.join(columns)}")
        for lineno, row in csv_rows(reader, path.name):
            yield f"{path.name}: line {lineno}", row


def load_alternatives(path: Path, specs: Mapping[str, ParameterSpec]) -> dict[str, tuple[tuple, tuple]]:
    """The competing values of the ``discrete`` parameters: ``{name: (values, weights)}``.
    Every discrete parameter needs at least two alternatives inside its [low, high]; each alternative
    names its study."""
    out: dict[str, tuple[list, list]] = {}
    for where, row in _rows(path, ALTERNATIVE_COLUMNS):
        name = (row["parameter"] or "").strip()
        spec = specs.get(name)
        if spec is None or spec.distribution != "discrete":
            raise DataError(f"{where}: {name!r} is not a parameter with distribution 'discrete'")
        try:
            value, weight = float(row["value"]), float(row["weight"])
        except (TypeError, ValueError):
            raise DataError(f"{where}: parameter {name!r}: value and weight must be numbers") from None
        if not (spec.low <= value <= spec.high) or not weight > 0:
            raise DataError(f"{where}: parameter {name!r}: value {value} outside [{spec.low}, {spec.high}] "
                            f"or weight {weight} not positive")
        if not (row["source"] or "").strip():
            raise DataError(f"{where}: parameter {name!r}: empty source")
        values, weights = out.setdefault(name, ([], []))
        values.append(value)
        weights.append(weight)
    for name, spec in specs.items():
        if spec.distribution == "discrete" and len(out.get(name, ((), ()))[0]) < 2:
            raise DataError(f"{path.name}: parameter {name!r} is discrete but has fewer than two alternatives")
    return {name: (tuple(v), tuple(w)) for name, (v, w) in out.items()}


@dataclass(frozen=True)
class Correlation:
    """One row of the correlation table: the rank (Spearman) correlation of two sampled parameters."""

    parameter_a: str
    parameter_b: str
    rank_correlation: float
    source: str


def load_correlations(path: Path, specs: Mapping[str, ParameterSpec]) -> dict[tuple[str, str], Correlation]:
    """The rank (Spearman) correlations between uncertain parameters that move together:
    ``{(a, b): Correlation}`` with ``a < b``. Both parameters must be sampled (a distribution other than
    ``fixed``, a range wider than a point), ``rho`` in [-1, 1], each pair given once with its source,
    and the correlations of each connected group must be possible together (a positive semi-definite
    matrix, :func:`.uncertainty.sampling.correlation_groups`)."""
    from .uncertainty.sampling import correlation_groups, uncertain

    sampled = set(uncertain(specs))
    out: dict[tuple[str, str], Correlation] = {}
    for where, row in _rows(path, CORRELATION_COLUMNS):
        names = [(row[c] or "").strip() for c in ("parameter_a", "parameter_b")]
        for column, name in zip(("parameter_a", "parameter_b"), names):
            if name not in sampled:
                what = "is a parameter that is not sampled" if name in specs else "is not a parameter"
                raise DataError(f"{where}: {column} {name!r} {what}; a correlation needs two sampled parameters")
        if names[0] == names[1]:
            raise DataError(f"{where}: parameter {names[0]!r} correlated with itself")
        try:
            rho = float(row["rank_correlation"])
        except (TypeError, ValueError):
            raise DataError(f"{where}: rank_correlation must be a number in [-1, 1]") from None
        if not -1.0 <= rho <= 1.0:
            raise DataError(f"{where}: rank_correlation {rho} outside [-1, 1]")
        source = (row["source"] or "").strip()
        if not source:
            raise DataError(f"{where}: correlation of {names[0]!r} and {names[1]!r}: empty source")
        key = tuple(sorted(names))
        if key in out:
            raise DataError(f"{where}: correlation of {key[0]!r} and {key[1]!r} given twice")
        out[key] = Correlation(*key, rho, source)
    for members, target in correlation_groups({k: c.rank_correlation for k, c in out.items()}, sampled):
        if np.linalg.eigvalsh(target).min() < -1e-9:
            raise DataError(f"{path.name}: the correlations among {', '.join(members)} cannot hold together "
                            "(their matrix is not positive semi-definite): a pair's correlation must agree with "
                            "the correlations of both parameters with a third")
    return out


_TABLE: dict[str, ParameterSpec] | None = None


def table() -> dict[str, ParameterSpec]:
    """The packaged parameter table (read once)."""
    global _TABLE
    if _TABLE is None:
        _TABLE = load_table()
    return _TABLE


def _packaged(file: str) -> Path:
    return Path(str(resources.files("framtid.model") / "data" / file))


@functools.cache
def alternatives() -> dict[str, tuple[tuple, tuple]]:
    """The packaged alternatives of the discrete parameters (read once)."""
    return load_alternatives(_packaged("parameter_alternatives.csv"), table())


@functools.cache
def correlation_table() -> dict[tuple[str, str], Correlation]:
    """The packaged correlations between parameters, with their sources (read once)."""
    return load_correlations(_packaged("parameter_correlations.csv"), table())


def correlations() -> dict[tuple[str, str], float]:
    """The packaged rank correlations, ``{(a, b): rho}``: what the sampling imposes."""
    return {pair: c.rank_correlation for pair, c in correlation_table().items()}


_LAST_ENSEMBLE: tuple | None = None   # (key, sample) of the last ensemble sampled from the packaged table


def _ensemble_sample(specs: Mapping[str, ParameterSpec], n_draws: int, seed: int, sampler: str) -> dict:
    """The whole ensemble's sample, ``{name: (n_draws,)}``. Every chunk of an ensemble, and every
    scenario of it, slices the same sample, so the last one drawn from the packaged table is kept
    (10 000 draws cost about 0.4 s to sample, once instead of once per chunk and scenario)."""
    from .uncertainty.sampling import sample_table

    global _LAST_ENSEMBLE
    key = (n_draws, seed, sampler)
    packaged = specs is table()
    if packaged and _LAST_ENSEMBLE is not None and _LAST_ENSEMBLE[0] == key:
        return _LAST_ENSEMBLE[1]
    # The packaged correlations hold for a replaced table too, between the parameters it still samples.
    sampled = sample_table(specs, n_draws, seed, sampler, alternatives(), correlations=correlations())
    if packaged:
        _LAST_ENSEMBLE = (key, sampled)
    return sampled


class Params:
    """Parameter values over draws: ``params[name]`` is an array of shape ``(D,)``."""

    def __init__(self, values: Mapping[str, np.ndarray], n_draws: int,
                 specs: Mapping[str, ParameterSpec] | None = None):
        self._values = dict(values)
        self.n_draws = n_draws
        self.specs = specs if specs is not None else table()
        self._vectors: dict[tuple, np.ndarray] = {}   # the table is fixed once built: stacks are cached
        self._derived: dict[Callable, object] = {}    # ... and so are the coefficients derived from it

    @classmethod
    def defaults(cls, n_draws: int = 1, overrides: Mapping[str, float] | None = None) -> "Params":
        """Every parameter at its default value, repeated over ``n_draws``."""
        specs = table()
        values = {n: np.full(n_draws, s.default) for n, s in specs.items()}
        params = cls(values, n_draws, specs)
        return params.with_overrides(overrides or {})

    @classmethod
    def sampled(cls, n_draws: int, seed: int, sampler: str = "lhs",
                overrides: Mapping[str, float] | None = None, draws: slice | None = None,
                specs: Mapping[str, ParameterSpec] | None = None) -> "Params":
        """Every uncertain parameter sampled over an ensemble of ``n_draws`` draws (see
        :mod:`framtid.model.uncertainty.sampling`), the others at their defaults. ``draws`` picks a
        chunk of the ensemble; its values equal those rows of the whole ensemble. ``overrides`` (a
        scenario's ``[parameters]``) replace the sampled values: a value set by the scenario is not
        uncertain in that scenario. ``specs`` replaces the packaged table (e.g. with narrowed
        ranges). Each draw is then fitted to the battery-electric history
        (:func:`framtid.model.uncertainty.history_fit.fitted_to_history`)."""
        specs = table() if specs is None else specs
        draws = draws if draws is not None else slice(0, n_draws)
        sampled = _ensemble_sample(specs, n_draws, seed, sampler)
        d = len(range(*draws.indices(n_draws)))
        values = {n: sampled[n][draws].copy() if n in sampled else np.full(d, s.default) for n, s in specs.items()}
        params = cls(values, d, specs).with_overrides(overrides or {})
        from .uncertainty.history_fit import fitted_to_history

        key = (n_draws, seed, sampler, draws.indices(n_draws), tuple(sorted((overrides or {}).items())))
        return fitted_to_history(params, overrides or {}, key if specs is table() else None)

    def sample_matrix(self, names: Iterable[str]) -> np.ndarray:
        """Values of ``names`` as a ``(D, len(names))`` array (what a result stores as
        ``parameter_sample``)."""
        return np.stack([self[n] for n in names], axis=1) if names else np.empty((self.n_draws, 0))

    def take(self, rows) -> "Params":
        """The table of the draws ``rows`` (indices, repeats allowed), in that order: a batch run whose
        members are (variant, draw) pairs gives each member its draw's values."""
        rows = np.asarray(rows, dtype=int)
        return Params({name: values[rows] for name, values in self._values.items()}, len(rows), self.specs)

    def with_overrides(self, overrides: Mapping[str, float]) -> "Params":
        """A copy with some parameters set to other values (scalars or ``(D,)`` arrays)."""
        values = dict(self._values)
        for name, value in overrides.items():
            if name not in values:
                raise KeyError(f"unknown parameter {name!r}")
            values[name] = np.broadcast_to(np.asarray(value, dtype=float), (self.n_draws,)).copy()
        return Params(values, self.n_draws, self.specs)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._values[name]
        except KeyError:
            # the model asks only for parameters it has rows for: a missing one is a row removed or cut off
            # from a parameter file, which the user can put right
            raise DataError(f"the parameter files (model/data/parameters/*.csv) have no row for parameter "
                            f"{name!r}, which the model needs; restore the row") from None

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def names(self) -> list[str]:
        return sorted(self._values)

    def bcast(self, name: str, ndim: int) -> np.ndarray:
        """Values shaped ``(D, 1, ..., 1)`` with ``ndim`` axes, to broadcast against
        arrays of shape ``(D, M, ...)``."""
        return self[name].reshape((self.n_draws,) + (1,) * (ndim - 1))

    def vector(self, prefix: str, labels: Iterable[str]) -> np.ndarray:
        """Stack ``prefix.label`` for each label into shape ``(D, len(labels))`` (read-only: it is
        cached, as the submodels ask for the same stacks every year)."""
        key = (prefix, tuple(labels))
        out = self._vectors.get(key)
        if out is None:
            out = np.stack([self[f"{prefix}.{label}"] for label in key[1]], axis=1)
            out.flags.writeable = False
            self._vectors[key] = out
        return out

    def derived(self, derive: Callable[["Params"], T]) -> T:
        """``derive(self)``, computed once for this table: the coefficient objects a submodel reads from
        the parameters (e.g. ``fleet_coefficients``), which the set-up asks for more than once. ``derive``
        must depend on nothing but the table; the arrays of what it returns are shared, so they are made
        read-only."""
        out = self._derived.get(derive)
        if out is None:
            out = self._derived[derive] = derive(self)
            for value in vars(out).values() if hasattr(out, "__dict__") else (out,):
                if isinstance(value, np.ndarray):
                    value.flags.writeable = False
        return out

    def scalar(self, name: str) -> float:
        """The value of a parameter that must not vary over draws (e.g. a switch)."""
        v = self[name]
        if not np.all(v == v[0]):
            raise ValueError(f"parameter {name!r} varies over draws but is used as a scalar")
        return float(v[0])
