"""Randomised quasi-Monte Carlo draws across members, so that the ensemble's luck averages out.

Members come in batches of ``BATCH`` consecutive indices. Within a batch, the k-th uniform that the
members' streams ask for is coordinate k of a scrambled Sobol' sequence of ``BATCH`` points [1]
(the points of ``scipy.stats.qmc.Sobol`` with its default linear matrix scrambling and digital
shift, one independent scramble per batch, stream and block of coordinates, computed here —
``scrambled_sobol`` — so that a run does not import ``scipy.stats``, which costs more than half a
second; tests/test_quasi_random.py checks the points equal scipy's bit for bit): member i takes
point i. Each member's draw is still uniform on its own, so
estimates stay unbiased; but every coordinate of a batch has exactly one point in each of the
``BATCH`` equal slices of [0, 1) — as a Latin hypercube — and low-dimensional projections are
spread evenly too, which removes most of the variance of the main effects and of the interactions
of the first coordinates (when the first strike comes, whether it hits a region, whether it
destroys a plant there). With the same ensemble size the seed-to-seed spread of the expected
changes is about half that of Latin hypercubes of 10 (docs/scenarios.md gives the measurement).
Batches are independent scrambles. A batch is 128 members, the default ensemble: one 128-point net
spreads the draws that matter (the first strikes of the pause window on each region) twice as
finely in each pair of coordinates as four nets of 32 did, and lowered the spread between seeds of
the regions' headline changes by about 4–37 % (docs/scenarios.md, "Ensemble size"); more members
continue with further independent nets. Where no regression corrects a mean, its error comes from
the spread of the means of consecutive blocks of ``ERROR_BATCH`` members (``batch_standard_error``):
each block of a net is a net of its own, so the blocks' spread measures what a net of that size
leaves, which is more than the whole net leaves (the error is on the safe side), and much less
than the spread of single members would say.

A member's draws depend only on the seed, its index and the stream: not on the ensemble size, the
blocking of members or the number of workers.

[1] A. B. Owen, "Scrambling Sobol' and Niederreiter-Xing points", Journal of Complexity 14 (1998)
    466-489.
[2] S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better two-dimensional projections",
    SIAM Journal on Scientific Computing 30 (2008) 2635-2654 (the direction numbers).
[3] J. Matoušek, "On the L2-discrepancy for anchored boxes", Journal of Complexity 14 (1998)
    527-556 (linear matrix scrambling).
[4] G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number generators",
    OOPSLA 2014, 453-472 (SplitMix64).
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np

from gridimpact.resources import sobol_direction_numbers_file

BATCH = 128
"""Members per batch, a power of two as Sobol' nets need (the default ensemble is one batch; the
first 2^k members of a batch, 32 or 64, are a net of their own)."""
ERROR_BATCH = 32
"""Members per block of ``batch_standard_error``: a quarter of a batch, so that the default
ensemble gives four block means."""
_CHUNK = 256  # coordinates drawn at once
SOBOL_BLOCKS = 16
"""Blocks of ``_CHUNK`` coordinates that are Sobol' points (4,096 uniforms per member and stream:
every draw of the four embedded regions). Further coordinates — the per-unit hits and damage of a
national run's thousands of units, where a 128-point net spreads nothing evenly — come from the
member's own counter-based stream (``counter_uniforms``), which costs a hundredth as much and can
be read at any coordinate: a group of units draws its own columns only (``BatchUniforms.columns``)."""
SOBOL_COORDINATES = SOBOL_BLOCKS * _CHUNK
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX = (np.uint64(30), np.uint64(0xBF58476D1CE4E5B9), np.uint64(27), np.uint64(0x94D049BB133111EB), np.uint64(31))


def counter_uniforms(key: np.uint64, index: np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) at positions ``index`` of the counter-based stream ``key``: SplitMix64 [4],
    the Weyl sequence key + (i + 1)·γ through its mixing function, the top 53 bits as a double. A
    value depends on its position only, so any subset is drawn without the values before it."""
    first, times_1, second, times_2, third = _MIX
    z = key + (np.asarray(index, dtype=np.uint64) + np.uint64(1)) * _GOLDEN  # wraps modulo 2^64, as meant
    z = (z ^ (z >> first)) * times_1
    z = (z ^ (z >> second)) * times_2
    z = z ^ (z >> third)
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 2.0 ** 53)


@lru_cache(maxsize=256)
def batch_points(seed: int, batch: int, stream: int, block: int) -> np.ndarray:
    """(BATCH, _CHUNK) scrambled Sobol' points of one batch, stream and block of coordinates:
    computed once and shared by the batch's members (read-only)."""
    scramble = np.random.SeedSequence(seed, spawn_key=(batch, stream, 3, block))
    # scipy's engine draws from a child of the generator it is given: the same child here
    points = scrambled_sobol(_CHUNK, BATCH, np.random.default_rng(scramble.spawn(1)[0]))
    points.flags.writeable = False
    return points


BITS = 30
"""Bits of each coordinate (scipy's default)."""


@cache
def direction_numbers(dimensions: int) -> np.ndarray:
    """(dimensions, BITS) uint64 Sobol' direction numbers, each scaled to ``BITS`` bits.

    Row 0 is the van der Corput sequence; row d follows the recurrence of its primitive polynomial
    of degree m from its m initial numbers [2]; rows of the same degree are computed together."""
    with np.load(sobol_direction_numbers_file()) as table:
        poly = table["poly"][:dimensions].astype(np.uint64)
        initial = table["vinit"][:dimensions].astype(np.uint64)
    numbers = np.zeros((dimensions, BITS), dtype=np.uint64)
    numbers[0] = 1
    degree = np.array([int(p).bit_length() - 1 for p in poly])
    for m in np.unique(degree[1:]):
        rows = np.flatnonzero(degree == m)
        rows = rows[rows > 0]
        numbers[rows, :m] = initial[rows, :m]
        coefficients = poly[rows]
        for j in range(m, BITS):
            value = numbers[rows, j - m].copy()
            for k in range(m):
                a_k = (coefficients >> np.uint64(m - 1 - k)) & np.uint64(1)
                value ^= a_k * (numbers[rows, j - k - 1] << np.uint64(k + 1))
            numbers[rows, j] = value
    numbers <<= (np.uint64(BITS - 1) - np.arange(BITS, dtype=np.uint64))[None, :]
    numbers.flags.writeable = False
    return numbers


def scrambled_sobol(dimensions: int, points: int, rng: np.random.Generator) -> np.ndarray:
    """(points, dimensions) scrambled Sobol' points in [0, 1): a random digital shift, then each
    coordinate's direction numbers multiplied by a random lower-triangular bit matrix with a unit
    diagonal (linear matrix scrambling [3]), drawn from ``rng`` in that order; points in Gray-code
    order from the shift. The same numbers as ``scipy.stats.qmc.Sobol(dimensions, scramble=True)``
    with that generator."""
    exponent = np.uint64(BITS - 1) - np.arange(BITS, dtype=np.uint64)
    shift = np.dot(rng.integers(2, size=(dimensions, BITS), dtype=np.uint32),
                   2 ** np.arange(BITS, dtype=np.uint32)).astype(np.uint64)
    matrix = np.tril(rng.integers(2, size=(dimensions, BITS, BITS), dtype=np.uint32)).astype(np.uint64)
    matrix[:, np.arange(BITS), np.arange(BITS)] = 1
    rows = (matrix << exponent[None, None, :]).sum(axis=2)                           # (d, BITS) row masks
    parity = np.bitwise_count(rows[:, None, :] & direction_numbers(dimensions)[:, :, None]) & 1
    scrambled = (parity.astype(np.uint64) << exponent[None, None, :]).sum(axis=2)       # (d, BITS)
    out = np.empty((points, dimensions))
    quasi = shift.copy()
    out[0] = quasi / 2.0 ** BITS
    for i in range(1, points):  # Gray code: flip the direction number of the lowest zero bit of i − 1
        lowest_zero = ((i - 1) ^ i).bit_length() - 1
        quasi ^= scrambled[:, lowest_zero]
        out[i] = quasi / 2.0 ** BITS
    return out


class BatchUniforms:
    """A member's stream of quasi-random uniforms, with the subset of ``numpy.random.Generator``'s
    methods that the strike process and the parameter sampling use, and ``columns`` to draw only
    some columns of a (..., regions) draw."""

    def __init__(self, seed: int, member: int, stream: int):
        self.batch, self.position = divmod(member, BATCH)
        self.seed, self.stream = seed, stream
        self.used = 0
        self._key: np.uint64 | None = None

    def _values(self, index: np.ndarray) -> np.ndarray:
        """The uniforms at coordinates ``index`` of this stream (1-D, any order)."""
        if not len(index):
            return np.empty(0)
        if index.min() >= SOBOL_COORDINATES:  # a national run's per-unit draws: all counter-based
            return counter_uniforms(self._counter_key(), index - SOBOL_COORDINATES)
        sobol = index < SOBOL_COORDINATES
        every = bool(sobol.all())
        wanted = index if every else index[sobol]
        blocks = wanted // _CHUNK
        low, high = int(blocks.min()), int(blocks.max())
        if low == high:  # most draws lie within one block of 256 coordinates
            values = batch_points(self.seed, self.batch, self.stream, low)[self.position][wanted - low * _CHUNK]
        else:
            values = np.empty(len(wanted))
            for block in range(low, high + 1):  # a few blocks
                inside = blocks == block
                values[inside] = batch_points(self.seed, self.batch, self.stream, block)[self.position][wanted[inside] % _CHUNK]
        if every:
            return values
        out = np.empty(len(index))
        out[sobol] = values
        out[~sobol] = counter_uniforms(self._counter_key(), index[~sobol] - SOBOL_COORDINATES)
        return out

    def _counter_key(self) -> np.uint64:
        if self._key is None:
            sequence = np.random.SeedSequence(self.seed, spawn_key=(self.batch * BATCH + self.position, self.stream, 4))
            self._key = sequence.generate_state(1, dtype=np.uint64)[0]
        return self._key

    def _next(self, count: int) -> np.ndarray:
        values = self._values(np.arange(self.used, self.used + count))
        self.used += count
        return values

    def columns(self, size, columns: np.ndarray, low=0.0, high=1.0) -> np.ndarray:
        """``uniform(low, high, size)`` restricted to ``columns`` of its last axis: the coordinates
        of the other columns are passed over, not drawn, so the stream moves on as for the whole draw."""
        shape = (int(size),) if np.ndim(size) == 0 else tuple(size)
        width = shape[-1]
        rows = int(np.prod(shape[:-1], dtype=np.int64))
        index = self.used + (np.arange(rows)[:, None] * width + np.asarray(columns)[None, :])
        values = self._values(index.ravel()).reshape(*shape[:-1], len(columns))
        self.used += rows * width
        return low + (high - low) * values

    def skip(self, count: int) -> None:
        """Pass over ``count`` coordinates (draws of which nothing is wanted)."""
        self.used += count

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
    """Standard error of the member mean (axis 0) from the spread of the means of blocks of
    ``ERROR_BATCH`` consecutive members (nets of their own, module docstring).

    A last, incomplete block counts with its own mean. With fewer than two blocks, the members' own
    spread (which overstates the error) is used; one member gives no error at all (NaN).
    """
    members = len(values)
    if members < 2:
        return np.full(values.shape[1:], np.nan)
    size = ERROR_BATCH
    batches = -(-members // size)
    if batches < 2:
        return values.std(axis=0, ddof=1) / np.sqrt(members)
    sizes = np.array([min(size, members - b * size) for b in range(batches)], dtype=float)
    means = np.stack([values[b * size:(b + 1) * size].mean(axis=0) for b in range(batches)])
    weights = sizes / sizes.sum()
    overall = np.tensordot(weights, means, axes=1)
    spread = np.tensordot(weights, (means - overall) ** 2, axes=1) * batches / (batches - 1)
    return np.sqrt(spread / batches)
