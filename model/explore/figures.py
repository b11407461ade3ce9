"""What the page shows of a run: a finished model summarised by area (:func:`summarise`), bands over draws, the
targets' rows of the three runs side by side, the car-vkm index against the base's 2017, and values made safe
for JSON."""

from __future__ import annotations

import math
from datetime import date

import numpy as np

from .. import dims
from ..errors import UsageError

ZERO_GROWTH_YEAR = 2017  # the car-vkm index's reference year on the page: the zero-growth goal's (targets.csv)


def indexed_to_base(indicators: dict[str, dict], car_vkm: dict[str, np.ndarray]) -> dict[str, dict]:
    """The runs' indicators with the car-vkm index of every run against the *base's* 2017: each run's own 2017
    (the zero-growth goal's definition, which the targets keep) would move with measures acting before 2017, and a
    choice that cuts car traffic could then be drawn above the base."""
    k = ZERO_GROWTH_YEAR - dims.BASE_YEAR
    out = {}
    for run, values in indicators.items():
        values = dict(values)
        if values.get("car_vkm_index") is not None and car_vkm["base"][k] > 0:
            values["car_vkm_index"] = _finite(car_vkm[run] / car_vkm["base"][k])
        out[run] = values
    return out


def check_area(area: str) -> None:
    from ..evaluation.targets import areas

    known = [area_id(a) for a in areas()]
    if area not in known:
        raise UsageError(f"area: {area!r} is not an area; allowed: {', '.join(known)}")


def area_id(area) -> str:
    """An area's name on the page, as ``framtid indicators`` names it: a municipality's id, ``region:<name>``
    for a region of several (Oslo's region shares its name with the municipality), ``total`` for the 13 together."""
    if area.level == "region" and len(dims.REGIONS.get(area.name, ())) > 1:
        return f"region:{area.name}"
    return "total" if area.level == "all" else area.name   # a region of one municipality is that municipality


def band(values: np.ndarray) -> dict:
    """Median, 5th and 95th percentile over the draws (the first axis) of each year, as lists for JSON."""
    low, mid, high = np.percentile(values, [5, 50, 95], axis=0)
    return {"median": _finite(mid), "p05": _finite(low), "p95": _finite(high)}


def summed(values: np.ndarray) -> dict:
    """Median, 5th and 95th percentile over the draws of the sum over 2010-2050 of ``values`` (D, T) [kt CO2e]."""
    low, mid, high = np.percentile(values[:, 1:].sum(axis=1), [5, 50, 95])
    return {"median": float(mid), "p05": float(low), "p95": float(high)}


def _finite(values) -> list:
    """A list of floats for JSON, None where not finite."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def summarise(model) -> dict:
    """A finished model as the page reads it: ``emissions[area][sector]`` yearly [kt CO2e/yr] (the median over the
    draws), ``totals[area]`` (D, T) every draw's total [kt CO2e/yr] (numpy),
    ``indicators[area][name]`` yearly (car_vkm_index against :data:`ZERO_GROWTH_YEAR`), ``targets``, the rows of
    :func:`evaluation.targets.assess`, and ``car_vkm_resident[area]`` yearly [vkm/yr] (numpy)."""
    from ..evaluation import indicators, targets
    from ..result_dataset import to_dataset

    ds = to_dataset([model], 0)
    by_sector = ds["emissions"].isel(scenario=0).transpose("draw", "municipality", "sector", "year")
    values = np.asarray(by_sector.values, dtype=float) / 1e3          # t -> kt, (D, M, S, T)
    municipalities = [str(m) for m in ds["municipality"].values]
    vkm = np.asarray(ds["car_vkm_resident"].isel(scenario=0).mean("draw").transpose("municipality", "year").values,
                     dtype=float)
    emissions, totals, car_vkm = {}, {}, {}
    for a in targets.areas():
        rows = [municipalities.index(m) for m in a.members]
        part = values[:, rows].sum(axis=1)                              # (D, S, T)
        median = np.median(part, axis=0)
        emissions[area_id(a)] = {s: _finite(median[k]) for k, s in enumerate(dims.SECTORS)}
        totals[area_id(a)] = part.sum(axis=1)
        car_vkm[area_id(a)] = vkm[rows].sum(axis=0)
    _, ind = indicators.compute(ds, reference_year=ZERO_GROWTH_YEAR)   # its areas are named as area_id's
    per_area: dict[str, dict] = {}
    for (_, area, indicator), value in ind.items():
        per_area.setdefault(area, {})[indicator] = None if value is None else _finite(value)
    rows = targets.assess(ds)
    for r in rows:
        r["area_id"] = area_id(targets.Area(r["level"], r["area"], ()))
    return {"emissions": emissions, "totals": totals, "indicators": per_area, "targets": rows,
            "car_vkm_resident": car_vkm}


TARGET_KEYS = ("target_id", "target", "indicator", "scope", "base_year", "target_year", "unit", "confidence",
               "note", "group")


def target_rows(by_run: dict[str, list[dict]], area: str) -> list[dict]:
    """The targets of ``area``, one row each, with the target value and the modelled value of every run."""
    out: dict[str, dict] = {}
    for run, rows in by_run.items():
        for r in rows:
            if r["area_id"] != area:
                continue
            row = out.setdefault(r["target_id"], {k: r.get(k) for k in TARGET_KEYS})
            row[run] = {"target_value": r["target_value"], "modelled_value": r["modelled_value"],
                        "met": bool(r["met_in_target_year"]), "first_year_met": r["first_year_met"],
                        "p_met_inventory": r.get("p_met_inventory"), "p_met": r.get("p_met"),
                        "modelled_p05": r.get("modelled_p05"), "modelled_p95": r.get("modelled_p95")}
    return [json_safe(r) for r in out.values()]


def json_safe(x):
    """``x`` with numpy numbers as Python ones and non-finite floats as None (JSON has neither)."""
    if isinstance(x, dict):
        return {k: json_safe(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [json_safe(v) for v in x]
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, date):
        return x.isoformat()
    return x

