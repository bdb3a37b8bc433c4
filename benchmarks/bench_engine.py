"""Engine throughput against the physical reference of a plain numpy pass.

The representative block is what ``compare`` simulates at a time by default: 64 regions (hromada-like
units of the synthetic national case) × 50 members × every cohort (3 heating classes × 3 building
classes × 12 subqueue groups × the loss bands), for the shared days before the as-of date and each
scenario's days after it. Throughput is counted in region-cohort-member-hours per second.

The reference reads and writes the same number of float32 cells once per simulated hour,
``x = a * x + b`` in place, in chunks small enough to stay in cache between the multiply and the
add (so each cell crosses memory once per hour). Both run on one core; the ratio engine / reference
says how close the model comes to the memory-bound limit (target ≥ 25 %).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from conftest import record

REGIONS = 64
MEMBERS = 50
DAYS = 10  # the synthetic case puts the as-of date 2/3 in: 7 shared days, then 3 per scenario
SCENARIOS = ("no-pause", "announced-pause")
CHUNK = 1 << 16  # float32 cells: 256 KiB, inside the L2 cache of current x86 cores
TARGET_RATIO = 0.25


@pytest.fixture(scope="module")
def block_inputs():
    from gridimpact.synthetic import national_case

    inputs = national_case(days=DAYS, seed=0)
    return inputs.select(list(inputs.population.frame["pcode"][:REGIONS]))


def cohorts_per_region() -> int:
    from gridimpact.params import load_params
    from gridimpact.vocab import SUBQUEUES

    simulated_heating, building_classes = 3, 3
    return simulated_heating * building_classes * len(SUBQUEUES) * load_params(None).district_heat_bands


def simulated_hours(inputs) -> int:
    shared = (DAYS - inputs.horizon_days) * 24
    return shared + len(SCENARIOS) * inputs.horizon_days * 24  # December: every day has 24 hours


def reference_pass(cells: int, hours: int) -> float:
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


def test_engine_throughput_against_a_numpy_pass(benchmark, block_inputs):
    import gridimpact

    def run():
        return gridimpact.compare(block_inputs, SCENARIOS, members=MEMBERS, seed=1, block=MEMBERS,
                                  region_block=REGIONS)

    result = benchmark.pedantic(run, rounds=2, iterations=1, warmup_rounds=0)
    assert len(result.regions) == REGIONS
    engine_seconds = benchmark.stats.stats.min
    cells = REGIONS * MEMBERS * cohorts_per_region()
    hours = simulated_hours(block_inputs)
    reference_seconds = min(reference_pass(cells, hours) for _ in range(2))
    engine_rate = cells * hours / engine_seconds
    reference_rate = cells * hours / reference_seconds
    ratio = engine_rate / reference_rate
    record(benchmark,
           f"engine: {engine_rate / 1e6:.1f} M region-cohort-member-hours/s per core "
           f"({REGIONS} regions x {MEMBERS} members x {cohorts_per_region()} cohorts x {hours} h in "
           f"{engine_seconds:.2f} s); numpy pass x = a*x + b: {reference_rate / 1e6:.0f} M cells/s; "
           f"ratio {ratio:.1%} (target >= {TARGET_RATIO:.0%})",
           target_met=ratio >= TARGET_RATIO, engine_cells_per_s=engine_rate,
           reference_cells_per_s=reference_rate, ratio=ratio, cells=cells, hours=hours)
