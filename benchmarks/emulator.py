"""What an emulator of the ensemble would give: how well a linear emulator, fitted to a small sampled ensemble,
reproduces a large one, and what each costs.

    python benchmarks/emulator.py                          # train on 128/256/512 draws, test on 1 000 (about 1 min)
    python benchmarks/emulator.py --train 256 --test 500 --scenario reference

An ensemble of ``--test`` draws (seed 2) is run with the model as ``framtid run --draws`` runs it (LHS, every
draw fitted to the battery-electric history, single precision), and so is a training ensemble of the largest
``--train`` size (seed 1; the smaller sizes take its first draws, so they are random subsets of a Latin
hypercube, not hypercubes of their own). For each training size and each screening size k, an emulator maps a
draw's sampled parameters to its emissions: the parameters are standardised, the k most correlated with each
output (absolute Pearson correlation on the training draws) are kept, their union enters a ridge regression
(penalty 1 on the standardised coefficients, the intercept free) of every output at once. The outputs are the
13's total in every year and each municipality's total in ``--year``.

Printed for each emulator, on the test draws it has not seen: R^2 of the 13's total in ``--year`` and in 2050,
the lowest and the median R^2 of the 13 municipalities' totals in ``--year``, and the 5/50/95 % quantiles of the
13's total in ``--year`` by the model and by the emulator; then the time of each model run, of the fit and of the
emulator's prediction of the test draws. Asserts nothing: it measures what an emulator could replace, for the
decision whether to build one; the model itself has none.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def ensemble(scenario, n: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The sampled parameters ``(n, P)`` of an LHS ensemble, the totals ``(T, n, M)`` [t CO2e/yr] and the seconds
    the model took (sampling with the history fit, set-up and run: ``api.run_scenario`` as ``framtid run --draws``)."""
    from framtid.model import api
    from framtid.model.parameters import table

    t0 = time.perf_counter()
    model = api.run_scenario(scenario, seed, n, "lhs", precision="single")
    seconds = time.perf_counter() - t0
    totals = model.emission_totals().copy()
    sample = model.params.sample_matrix(sorted(table()))
    model.dispose()
    return np.nan_to_num(sample), totals, seconds


def outputs(totals: np.ndarray, year: int) -> np.ndarray:
    """``(D, T + M)`` [kt CO2e/yr]: the 13's total in every year, then each municipality's total in ``year``."""
    from framtid.model.dims import BASE_YEAR

    return np.concatenate([totals.sum(axis=-1).T, totals[year - BASE_YEAR]], axis=1) / 1e3


def features(z: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((len(z), 1)), z])


def fit(x: np.ndarray, y: np.ndarray, k: int, penalty: float = 1.0):
    """An emulator of ``y`` ``(D, O)`` from the parameters ``x`` ``(D, P)``: returns a function of new parameters."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    varying = scale > 1e-9 * (np.abs(mean) + 1e-12)   # constant columns (a spread below rounding) left out
    z = (x[:, varying] - mean[varying]) / scale[varying]
    zc, yc = z - z.mean(axis=0), y - y.mean(axis=0)
    corr = np.abs(zc.T @ yc) / (np.linalg.norm(zc, axis=0)[:, None] * np.linalg.norm(yc, axis=0)[None] + 1e-12)
    kept = np.unique(np.argsort(-corr, axis=0)[:k].ravel())
    f = features(z[:, kept])
    gram = f.T @ f + penalty * np.eye(f.shape[1])
    gram[0, 0] -= penalty                               # the intercept is not shrunk
    coefficients = np.linalg.solve(gram, f.T @ y)

    def predict(x_new: np.ndarray) -> np.ndarray:
        return features((x_new[:, varying][:, kept] - mean[varying][kept]) / scale[varying][kept]) @ coefficients

    return predict, len(kept)


def r_squared(predicted: np.ndarray, observed: np.ndarray) -> np.ndarray:
    return 1.0 - ((predicted - observed) ** 2).mean(axis=0) / observed.var(axis=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="current-policies", help="a scenario of scenarios/")
    parser.add_argument("--train", default="128,256,512", help="training ensemble sizes, comma-separated")
    parser.add_argument("--test", type=int, default=1000, help="draws of the test ensemble")
    parser.add_argument("--screen", default="10,20,40", help="parameters kept per output, comma-separated")
    parser.add_argument("--year", type=int, default=2030)
    args = parser.parse_args()
    from framtid.model import api
    from framtid.model.dims import BASE_YEAR, FINAL_YEAR, MUNICIPALITIES

    scenario = api.load_scenario(REPO / "scenarios" / f"{args.scenario}.toml")
    sizes = sorted(int(s) for s in args.train.split(","))
    api.run_scenario(scenario, 0, 2, "lhs")   # warm-up: imports, embedded data
    x_train, totals_train, train_seconds = ensemble(scenario, sizes[-1], seed=1)
    x_test, totals_test, test_seconds = ensemble(scenario, args.test, seed=2)
    y_train, y_test = outputs(totals_train, args.year), outputs(totals_test, args.year)
    at, last = args.year - BASE_YEAR, FINAL_YEAR - BASE_YEAR
    municipal = slice(last + 1, None)
    quantiles = (5, 50, 95)
    model_q = np.percentile(y_test[:, at], quantiles)
    print(f"{args.scenario}: the model's {args.test} draws took {test_seconds:.1f} s, its {sizes[-1]} training draws "
          f"{train_seconds:.1f} s; the 13's total in {args.year} by the model: "
          f"{' / '.join(f'{q:,.0f}' for q in model_q)} kt (5/50/95 %)")
    for n in sizes:
        for k in (int(s) for s in args.screen.split(",")):
            t0 = time.perf_counter()
            predict, kept = fit(x_train[:n], y_train[:n], k)
            t1 = time.perf_counter()
            predicted = predict(x_test)
            t2 = time.perf_counter()
            r2 = r_squared(predicted, y_test)
            emulated_q = np.percentile(predicted[:, at], quantiles)
            worst = MUNICIPALITIES[int(np.argmin(r2[municipal]))]
            print(f"train {n:4d}, k {k:3d} ({kept:3d} parameters): R^2 the 13 {args.year} {r2[at]:.3f}, 2050 "
                  f"{r2[last]:.3f}; municipalities {args.year} lowest {r2[municipal].min():.3f} ({worst}), median "
                  f"{np.median(r2[municipal]):.3f}; quantiles {' / '.join(f'{q:,.0f}' for q in emulated_q)} kt; "
                  f"fit {1e3 * (t1 - t0):.0f} ms, {args.test} predictions {1e3 * (t2 - t1):.1f} ms")


if __name__ == "__main__":
    main()
