"""Latin-hypercube draws across members, so that the ensemble's luck averages out.

Members come in batches of ``BATCH`` consecutive indices. Within a batch, every random dimension
(the k-th uniform a member's stream asks for) is stratified: member i of the batch takes the
π(i)-th of ``BATCH`` equal slices of [0, 1), π a random permutation of the batch and dimension, and
a uniform point inside it. Each member's draw is still uniform on its own, so estimates stay
unbiased; but a batch covers every slice of every dimension once, which removes most of the
variance of the main effects (which regions a strike hits, how much damage, how cold the homes
get). Batches are independent, so the Monte-Carlo standard error is estimated from the spread of
batch means (``batch_standard_error``), not from the spread of members, which would overstate it.

A member's draws depend only on the seed, its index and the stream: not on the ensemble size, the
blocking of members or the number of workers.
"""

from __future__ import annotations

import numpy as np

BATCH = 10
"""Members per Latin-hypercube batch (the default ensemble is a whole number of batches)."""
_CHUNK = 256  # dimensions whose permutations are drawn at once


class LatinUniforms:
    """A member's stream of stratified uniforms, with the subset of ``numpy.random.Generator``'s
    methods that the strike process and the parameter sampling use."""

    def __init__(self, seed: int, member: int, stream: int):
        self.batch, self.position = divmod(member, BATCH)
        self.seed, self.stream = seed, stream
        self.jitter = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(member, stream, 1)))
        self.used = 0
        self._slices = np.empty(0)

    def _next(self, count: int) -> np.ndarray:
        while len(self._slices) < self.used + count:
            chunk = len(self._slices) // _CHUNK
            rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(self.batch, self.stream, 2, chunk)))
            permutations = rng.permuted(np.tile(np.arange(BATCH), (_CHUNK, 1)), axis=1)
            self._slices = np.concatenate([self._slices, permutations[:, self.position]])
        slices = self._slices[self.used:self.used + count]
        self.used += count
        return (slices + self.jitter.uniform(size=count)) / BATCH

    def uniform(self, low=0.0, high=1.0, size=None):
        count = 1 if size is None else int(np.prod(size))
        values = low + (high - low) * self._next(count)
        return float(values[0]) if size is None else values.reshape(size)

    def integers(self, high: int, size=None):
        """Whole numbers 0 … high − 1 (a stratified uniform's slice), e.g. rows of a joint sample."""
        u = self.uniform(size=size)
        values = np.minimum((np.asarray(u) * high).astype(np.int64), high - 1)
        return values if size is not None else int(values)

    def triangular(self, left, mode, right, size=None):
        """Inverse of the triangular distribution's CDF at stratified uniforms."""
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

    Batches are independent Latin hypercubes; a last, incomplete batch counts with its own mean.
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
