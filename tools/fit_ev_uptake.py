"""Fit the battery-electric maturity path to the new-car sales of 2018-2024 under the policy history.

    python tools/fit_ev_uptake.py

The maturity path (``transport.maturity_midpoint.bev``, ``transport.maturity_rate.bev``) holds
what prices and policies do not: range, model choice and fast charging. It is fitted with the
policies actually in force (scenarios/current-policies.toml: the toll rings with their
battery-electric rates, the national caps, VAT and registration-tax exemptions), so that the
exemptions are not counted twice. Target: the BEV share of new cars in Norway (OFV, methods §1.5;
``bev_share_of_new_cars`` in model/data/observations.csv): 2018 31.2 %, 2020 54 %, 2021 65 %, 2022 80 %,
2023 82 %, 2024 90 %, compared with the car-stock weighted share of the 13 municipalities. Prints the fit;
the parameter table is edited by hand. Sampled draws are fitted again one by one
(framtid/model/uncertainty/history_fit.py).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from framtid.model.parameters import Params
from framtid.model.scenario import load
from framtid.model.uncertainty.history_fit import observed_sales

OBSERVED = dict(zip(*(a.tolist() for a in observed_sales())))


def path(midpoint: float, rate: float, scenario) -> dict[int, float]:
    params = Params.defaults(1, dict(scenario.parameters) | {"transport.maturity_midpoint.bev": midpoint,
                                                             "transport.maturity_rate.bev": rate})
    from framtid.model.simulation import FramtidModel

    model = FramtidModel(scenario, params)
    record = model.run()
    bev = record["new_car_share"][:, 0, :, 3]                     # (T, M)
    stock = record["car_stock"][:, 0].sum(-1)
    return {y: float((bev[y - 2009] * stock[y - 2009]).sum() / stock[y - 2009].sum()) for y in OBSERVED}


def main() -> None:
    scenario = load("framtid:current-policies")

    def loss(x):
        got = path(x[0], x[1], scenario)
        return sum((got[y] - OBSERVED[y]) ** 2 for y in OBSERVED)

    fit = minimize(loss, x0=[2016.7, 0.3], method="Nelder-Mead", options={"xatol": 0.01, "fatol": 1e-6})
    midpoint, rate = fit.x
    got = path(midpoint, rate, scenario)
    print(f"midpoint {midpoint:.2f}, rate {rate:.3f}, rms error {np.sqrt(fit.fun / len(OBSERVED)):.3f}")
    for y, share in OBSERVED.items():
        print(f"  {y}: model {got[y]:.3f}  observed {share:.3f}")


if __name__ == "__main__":
    main()
