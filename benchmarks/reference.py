"""The physical reference for engine throughput, and how cells are counted.

The reference reads and writes float32 cells once per simulated hour, ``x = a * x + b`` in place,
in chunks small enough to stay in cache between the multiply and the add (so each cell crosses
memory once per hour). Its rate, in cells per second on one core, is what a memory-bound model
with one state value per cohort could at best reach; engine throughput is compared with it.
``compiled_reference_rate`` runs the same pass as one numba loop (no temporaries, no chunks): the
reference for what a compiled kernel could reach.
"""

from __future__ import annotations

import time

import numba
import numpy as np

CHUNK = 1 << 16  # float32 cells: 256 KiB, inside the L2 cache of current x86 cores


def cohorts_per_region() -> int:
    """Cohorts simulated per region with the default parameters."""
    from gridimpact.model.cohorts import cohorts_per_region as per_region
    from gridimpact.model.params import load_params

    return per_region(load_params(None).district_heat_bands)


def reference_seconds(cells: int, hours: int) -> float:
    """Seconds to update ``cells`` float32 values in place once per hour, ``hours`` times."""
    x = np.random.default_rng(0).standard_normal(cells).astype(np.float32)
    a, b = np.float32(0.999), np.float32(0.001)
    began = time.perf_counter()
    for _ in range(hours):
        for start in range(0, cells, CHUNK):
            part = x[start:start + CHUNK]
            np.multiply(part, a, out=part)
            np.add(part, b, out=part)
    return time.perf_counter() - began


def reference_rate(cells: int, hours: int, repeat: int = 2) -> float:
    """Best rate of the reference over ``repeat`` runs, cells per second on one core."""
    return cells * hours / min(reference_seconds(cells, hours) for _ in range(repeat))


@numba.njit(nogil=True, cache=True)
def _compiled_pass(x, a, b, hours):
    for _ in range(hours):
        for i in range(x.shape[0]):
            x[i] = a * x[i] + b


def compiled_reference_seconds(cells: int, hours: int) -> float:
    """``reference_seconds`` with the pass compiled (numba)."""
    x = np.random.default_rng(0).standard_normal(cells).astype(np.float32)
    a, b = np.float32(0.999), np.float32(0.001)
    _compiled_pass(x[:8].copy(), a, b, 1)  # compile (or load) first
    began = time.perf_counter()
    _compiled_pass(x, a, b, hours)
    return time.perf_counter() - began


def compiled_reference_rate(cells: int, hours: int, repeat: int = 2) -> float:
    """Best rate of the compiled reference, cells per second on one core."""
    return cells * hours / min(compiled_reference_seconds(cells, hours) for _ in range(repeat))
