"""Randomised quasi-Monte Carlo draws across members, so that the ensemble's luck averages out.

Members come in batches of ``BATCH`` consecutive indices. Within a batch, the k-th uniform that the
members' streams ask for is coordinate k of a scrambled Sobol' sequence of ``BATCH`` points [1]
(``scipy.stats.qmc.Sobol``, Owen scrambling, one independent scramble per batch, stream and block
of coordinates): member i takes point i. Each member's draw is still uniform on its own, so
estimates stay unbiased; but every coordinate of a batch has exactly one point in each of the
``BATCH`` equal slices of [0, 1) — as a Latin hypercube — and low-dimensional projections are
spread evenly too, which removes most of the variance of the main effects and of the interactions
of the first coordinates (when the first strike comes, whether it hits a region, whether it
destroys a plant there). With the same ensemble size the seed-to-seed spread of the expected
changes is about half that of Latin hypercubes of 10 (docs/scenarios.md gives the measurement).
Batches are independent scrambles, so the Monte-Carlo standard error is estimated from the spread
of batch means (``batch_standard_error``), not from the spread of members, which would overstate it.

A member's draws depend only on the seed, its index and the stream: not on the ensemble size, the
blocking of members or the number of workers.

[1] A. B. Owen, "Scrambling Sobol' and Niederreiter-Xing points", Journal of Complexity 14 (1998)
    466-489.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.stats import qmc

BATCH = 32
"""Members per batch, a power of two as Sobol' nets need (the default ensemble is a whole number
of batches)."""
_CHUNK = 256  # coordinates drawn at once


@lru_cache(maxsize=256)
def batch_points(seed: int, batch: int, stream: int, block: int) -> np.ndarray:
    """(BATCH, _CHUNK) scrambled Sobol' points of one batch, stream and block of coordinates:
    computed once and shared by the batch's members (read-only)."""
    scramble = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(batch, stream, 3, block)))
    points = qmc.Sobol(_CHUNK, scramble=True, seed=scramble).random(BATCH)
    points.flags.writeable = False
    return points


class BatchUniforms:
    """A member's stream of quasi-random uniforms, with the subset of ``numpy.random.Generator``'s
    methods that the strike process and the parameter sampling use."""

    def __init__(self, seed: int, member: int, stream: int):
        self.batch, self.position = divmod(member, BATCH)
        self.seed, self.stream = seed, stream
        self.used = 0
        self._coordinates = np.empty(0)

    def _next(self, count: int) -> np.ndarray:
        while len(self._coordinates) < self.used + count:
            block = len(self._coordinates) // _CHUNK
            points = batch_points(self.seed, self.batch, self.stream, block)
            self._coordinates = np.concatenate([self._coordinates, points[self.position]])
        values = self._coordinates[self.used:self.used + count]
        self.used += count
        return values

    def uniform(self, low=0.0, high=1.0, size=None):
        count = 1 if size is None else int(np.prod(size))
        values = low + (high - low) * self._next(count)
        return float(values[0]) if size is None else values.reshape(size)

    def integers(self, high: int, size=None):
        """Whole numbers 0 … high − 1 (of a quasi-random uniform), e.g. rows of a joint sample."""
        u = self.uniform(size=size)
        values = np.minimum((np.asarray(u) * high).astype(np.int64), high - 1)
        return values if size is not None else int(values)

    def triangular(self, left, mode, right, size=None):
        """Inverse of the triangular distribution's CDF at quasi-random uniforms."""
        u = self.uniform(size=size)
        if right == left:
            return np.full_like(np.asarray(u, dtype=float), left) if size is not None else float(left)
        split = (mode - left) / (right - left)
        rising = left + np.sqrt(u * (right - left) * (mode - left))
        falling = right - np.sqrt((1 - u) * (right - left) * (right - mode))
        values = np.where(u < split, rising, falling)
        return values if size is not None else float(values)


def batch_standard_error(values: np.ndarray) -> np.ndarray:
    """Standard error of the member mean (axis 0) from the spread of batch means.

    Batches are independent scrambles; a last, incomplete batch counts with its own mean.
    With fewer than two batches, the members' own spread (which overstates the error) is used.
    """
    members = len(values)
    if members < 2:
        return np.zeros(values.shape[1:])
    batches = -(-members // BATCH)
    if batches < 2:
        return values.std(axis=0, ddof=1) / np.sqrt(members)
    sizes = np.array([min(BATCH, members - b * BATCH) for b in range(batches)], dtype=float)
    means = np.stack([values[b * BATCH:(b + 1) * BATCH].mean(axis=0) for b in range(batches)])
    weights = sizes / sizes.sum()
    overall = np.tensordot(weights, means, axes=1)
    spread = np.tensordot(weights, (means - overall) ** 2, axes=1) * batches / (batches - 1)
    return np.sqrt(spread / batches)
