"""Statistics over the draws of an ensemble, shared by ``framtid summary``, the report and the targets:
how many draws a result holds and how they were drawn, the median and the 5-95 % range of a value, and
the cell "median (low–high)" that tables print them in (and read back: :func:`is_range_cell`,
:func:`range_parts`).
"""

from __future__ import annotations

import re

import numpy as np

PERCENTILES = (5.0, 50.0, 95.0)        # [%] the low end of the range, the median, the high end


def draw_count(ds) -> int:
    """Number of draws in a result (1 for a run at default parameters)."""
    return int(ds.sizes.get("draw", 1))


def sampled_once(ds) -> bool:
    """Whether a result of one draw is one sampled draw (``framtid run --draws 1``), not the default run."""
    return draw_count(ds) == 1 and str(ds.attrs.get("sampler", "none")) not in ("none", "unknown")


def one_run_text(ds) -> str:
    """What the single draw of a result is: the default parameter values, or one sampled draw, whose values
    are not the default run's."""
    if not sampled_once(ds):
        return "one draw at default parameters"
    return (f"one sampled draw (sampler {ds.attrs['sampler']}, seed {ds.attrs.get('seed', '?')}), not the default "
            "parameter values")


def ensemble_text(ds) -> str:
    """How many draws a result holds and how they were drawn, e.g. ``32 draws, sampler lhs``; a file
    holding a chunk of a larger ensemble says which draws of how many."""
    n = draw_count(ds)
    total = int(ds.attrs.get("ensemble_draws", n))
    part = ""
    if total != n and "draw" in ds.coords:
        first, last = int(ds["draw"].values[0]), int(ds["draw"].values[-1])
        part = f" (draws {first}-{last} of an ensemble of {total})"
    sampler = str(ds.attrs.get("sampler", "unknown"))
    how = "every draw at the default parameter values" if sampler == "none" else f"sampler {sampler}"
    return f"{n} draws{part}, {how}"


def spread(values, axis: int = -1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(median, 5th percentile, 95th percentile) of ``values`` over ``axis``, the draws [unit of the
    values]. Percentiles interpolate linearly between the sorted draws (numpy's default): over the
    draws 1, 2, ..., 100 they are 50.5, 5.95 and 95.05.

    Take the percentiles of the quantity you report: a total must be summed draw by draw first and
    its percentiles taken after (as the summary's totals are, ``result_summary._totals``)."""
    p05, median, p95 = np.percentile(np.asarray(values, dtype=float), PERCENTILES, axis=axis)
    return median, p05, p95


def range_digits(*values: float) -> int:
    """Decimals for a median and its range: none from 100 on, one from 1 (and for zero), two below
    (about three significant digits, which is more than a spread of draws supports)."""
    a = max((abs(float(v)) for v in values if np.isfinite(v)), default=0.0)
    return 0 if a >= 100 else 1 if a >= 1 or a == 0 else 2


def range_cell(median: float, low: float, high: float, digits: int | None = None, sign: bool = False,
               unit: str = "") -> str:
    """A median and its 5-95 % range as one cell: ``4,761 (4,310–5,220)``. Where a bound is negative
    the range reads ``(-45 to -30)``, since a dash between minus signs reads as one more minus;
    ``unit`` (e.g. " %") follows the median; ``sign`` puts + on positive numbers (and 'to' in the
    range: '+12 (+3 to +20)'). Where the draws agree to the digits shown, the median alone."""
    d = range_digits(median, low, high) if digits is None else digits
    f = f"{'+' if sign else ''},.{d}f"
    med, lo, hi = (_unsigned_zero(f"{x:{f}}") for x in (median, low, high))
    if lo == med == hi:          # the draws agree to the digits shown: a range would only repeat the median
        return med + unit
    dash = "–" if low >= 0 and high >= 0 and not sign else " to "
    return f"{med}{unit} ({lo}{dash}{hi})"


def _unsigned_zero(text: str) -> str:
    """'-0' or '+0.0' (a small number rounded to nothing) without its sign."""
    return text.lstrip("+-") if re.fullmatch(r"[+-]0(\.0*)?", text) else text


_NUMBER = r"[+-]?[\d,]*\.?\d+(?: %)?"
_RANGE = re.compile(rf"{_NUMBER} \({_NUMBER}(?:–| to ){_NUMBER}\)")


def is_range_cell(text: str) -> bool:
    """Whether a cell is a median with its range, as :func:`range_cell` writes it."""
    return bool(_RANGE.fullmatch(text))


def range_parts(cell: str) -> list[str]:
    """'4,761 (4,310–5,220)' -> ['4,761', '(4,310–5,220)']; other cells whole."""
    head, sep, tail = cell.partition(" (")
    return [head, sep.strip() + tail] if sep and is_range_cell(cell) else [cell]
