"""Sums over a short axis, added slice by slice in the order numpy's ``sum`` adds them.

numpy reduces a short axis slowly (one call of its inner loop for every sum it makes); adding whole
slices is several times faster, and adding them in numpy's order gives the same numbers to the last
bit. Over an axis that is contiguous in memory numpy adds fewer than eight terms in order; from eight
on it keeps eight partial sums (terms 0-7, then 8-15 added to them, ...), adds those pairwise and
then the remaining terms in order. Runs of more than 128 terms it splits first, which is not done here.
"""

from __future__ import annotations

import numpy as np

MAX_TERMS = 128
# numpy's sum over a short last axis costs about as much for every sum it makes as the slice-by-slice
# loop costs for every term over this many sums; below that numpy's own sum is the cheaper.
FEW_SUMS_PER_TERM = 32


def sum_in_numpy_order(terms: list[np.ndarray]) -> np.ndarray:
    """The sum of ``terms`` (float arrays of one shape) as ``np.sum`` adds a contiguous run of them, a new array."""
    n = len(terms)
    if not 0 < n <= MAX_TERMS:
        raise ValueError(f"sum_in_numpy_order: {n} terms; 1 to {MAX_TERMS} are added in numpy's order here")
    if n < 8:
        total = terms[0].copy()
        for term in terms[1:]:
            total += term
        return total
    whole = n - n % 8
    partial = list(terms[:8])
    for i in range(8, whole, 8):
        partial = [p + term for p, term in zip(partial, terms[i:i + 8])]
    total = (partial[0] + partial[1]) + (partial[2] + partial[3])
    total += (partial[4] + partial[5]) + (partial[6] + partial[7])
    for term in terms[whole:]:
        total += term
    return total


def trailing_sum(x: np.ndarray) -> np.ndarray:
    """``x.sum(axis=-1)`` of a float array, one slice at a time (from eight terms on, numpy adds in this
    order where the last axis is contiguous in memory)."""
    n = x.shape[-1]
    if n == 0:
        return np.zeros(x.shape[:-1], dtype=x.dtype)
    # Few sums (a single draw): numpy's own sum is cheaper than a Python loop over the terms, and over
    # a last axis contiguous in memory it adds them in the very order written out here.
    if x.ndim > 1 and x.strides[-1] == x.itemsize and n <= MAX_TERMS and x.size <= FEW_SUMS_PER_TERM * n * n:
        return x.sum(axis=-1)
    return sum_in_numpy_order([x[..., i] for i in range(x.shape[-1])])
