"""numpy's pairwise summation, compiled: a sum in a kernel equals numpy's ``sum`` over the same
contiguous float64 row bit for bit (``metrics.row_sum``), so the compiled engine and the numpy
reference agree exactly."""

from __future__ import annotations

import numpy as np

from gridimpact.model.jit import compiled

PAIRWISE_BLOCK = 128  # numpy's PW_BLOCKSIZE: rows up to this length are summed with 8 accumulators


@compiled
def leaf_sum(values, start, n):
    """numpy's sum of a row of at most ``PAIRWISE_BLOCK`` values: eight accumulators.

    Indices are unsigned so that numba leaves out its negative-index wrap-around, which would
    otherwise halve the speed of this loop."""
    row = values[start:start + n]
    if n < 8:
        total = 0.0
        for i in range(n):
            total += row[np.uint64(i)]
        return total
    r0, r1, r2, r3 = row[0], row[1], row[2], row[3]
    r4, r5, r6, r7 = row[4], row[5], row[6], row[7]
    for block in range(1, n // 8):
        j = np.uint64(block * 8)
        r0, r1, r2, r3 = r0 + row[j], r1 + row[j + 1], r2 + row[j + 2], r3 + row[j + 3]
        r4, r5, r6, r7 = r4 + row[j + 4], r5 + row[j + 5], r6 + row[j + 6], r7 + row[j + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(n - n % 8, n):
        total += row[np.uint64(i)]
    return total


@compiled
def pairwise(values, start, n, walk, left_sums):
    """numpy's pairwise sum of ``values[start:start + n]`` (float64), in numpy's order, so that a
    sum here equals ``row_sum`` over the same row bit for bit.

    numpy halves a longer row (the first half a multiple of 8) and adds the two halves' sums; this
    walks the same tree with an explicit stack (numba's cache cannot hold a recursive function)
    kept in ``walk`` ((3, 64) int64: start, size, left half done) and ``left_sums`` ((64,) float64),
    which the caller allocates once (``tree_stack``)."""
    if n <= PAIRWISE_BLOCK:
        return leaf_sum(values, start, n)
    starts, sizes, left_done = walk[0], walk[1], walk[2]
    depth = 0
    starts[0], sizes[0], left_done[0] = start, n, 0
    while True:
        size = sizes[depth]
        if size > PAIRWISE_BLOCK:  # descend into the first half
            half = size // 2 - (size // 2) % 8
            left_done[depth] = 0
            starts[depth + 1], sizes[depth + 1] = starts[depth], half
            depth += 1
            continue
        value = leaf_sum(values, starts[depth], size)
        while True:  # hand the sum up until a parent still needs its second half
            depth -= 1
            if depth < 0:
                return value
            if left_done[depth] == 0:
                left_sums[depth], left_done[depth] = value, 1
                half = sizes[depth] // 2 - (sizes[depth] // 2) % 8
                starts[depth + 1], sizes[depth + 1] = starts[depth] + half, sizes[depth] - half
                depth += 1
                break
            value = left_sums[depth] + value


@compiled
def tree_stack():
    """The scratch ``pairwise`` walks its tree in (deep enough for any row numpy can sum)."""
    return np.empty((3, 64), dtype=np.int64), np.empty(64)
