"""Engine throughput against the physical reference of a plain numpy pass.

The case: 64 hromada-like units of the synthetic national case × 50 members × every cohort (3
simulated heating classes × 3 building classes × 12 subqueue groups × the loss bands), for the
shared days before the as-of date and each scenario's days after it, on one thread, in ``compare``'s
default region groups (``planning.ENGINE_BLOCK_CELLS``: 9 units per group of 50 members).
Throughput is counted in region-cohort-member-hours per second.

The reference (``reference.py``) reads and writes the same number of float32 cells once per
simulated hour. Both run on one core; the ratio engine / reference
says how close the model comes to the memory-bound limit (target ≥ 25 %).
"""

from __future__ import annotations

import pytest
from conftest import record
from reference import cohorts_per_region, reference_rate

REGIONS = 64
MEMBERS = 50
DAYS = 10  # the synthetic case puts the as-of date 2/3 in: 7 shared days, then 3 per scenario
SCENARIOS = ("no-pause", "announced-pause")
TARGET_RATIO = 0.25


@pytest.fixture(scope="module")
def block_inputs():
    from gridimpact.synthetic import national_case

    inputs = national_case(days=DAYS, seed=0)
    return inputs.select(list(inputs.population.frame["pcode"][:REGIONS]))


def simulated_hours(inputs) -> int:
    shared = (DAYS - inputs.horizon_days) * 24
    return shared + len(SCENARIOS) * inputs.horizon_days * 24  # December: every day has 24 hours


def test_engine_throughput_against_a_numpy_pass(benchmark, block_inputs):
    import gridimpact

    def run():
        return gridimpact.compare(block_inputs, SCENARIOS, members=MEMBERS, seed=1, block=MEMBERS, workers=1)

    result = benchmark.pedantic(run, rounds=2, iterations=1, warmup_rounds=0)
    assert len(result.regions) == REGIONS
    engine_seconds = benchmark.stats.stats.min
    cells = REGIONS * MEMBERS * cohorts_per_region()
    hours = simulated_hours(block_inputs)
    engine_rate = cells * hours / engine_seconds
    numpy_rate = reference_rate(cells, hours)
    ratio = engine_rate / numpy_rate
    record(benchmark,
           f"engine: {engine_rate / 1e6:.1f} M region-cohort-member-hours/s per core "
           f"({REGIONS} regions x {MEMBERS} members x {cohorts_per_region()} cohorts x {hours} h in "
           f"{engine_seconds:.2f} s); numpy pass x = a*x + b: {numpy_rate / 1e6:.0f} M cells/s; "
           f"ratio {ratio:.1%} (target >= {TARGET_RATIO:.0%})",
           target_met=ratio >= TARGET_RATIO, engine_cells_per_s=engine_rate,
           reference_cells_per_s=numpy_rate, ratio=ratio, cells=cells, hours=hours)
