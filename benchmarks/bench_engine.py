"""Engine throughput against the physical reference of a plain numpy pass.

The case: 64 hromada-like units of the synthetic national case × 50 members × every cohort (3
simulated heating classes × 3 building classes × 12 subqueue groups × the loss bands), for the
shared days before the as-of date and each scenario's days after it, on one thread, in ``compare``'s
default region groups (``planning.ENGINE_BLOCK_CELLS``: 3 units per group of 50 members at 32 bands).
Throughput is counted in region-cohort-member-hours per second.

The references (``reference.py``) read and write the same number of float32 cells once per
simulated hour: (a) a numpy pass in cache-sized chunks, (b) the same pass compiled with numba.
Everything runs on one core; the ratio engine / reference (a) says how close the model comes to
the memory-bound limit (target ≥ 40 %). The numpy reference engine (``GRIDIMPACT_ENGINE=numpy``)
is measured on the same case, for the speed-up of the compiled one.
"""

from __future__ import annotations

import pytest
from conftest import record
from reference import cohorts_per_region, compiled_reference_rate, reference_rate

REGIONS = 64
MEMBERS = 50
DAYS = 10  # the synthetic case puts the as-of date 2/3 in: 7 shared days, then 3 per scenario
SCENARIOS = ("no-pause", "announced-pause")
TARGET_RATIO = 0.40


@pytest.fixture(scope="module")
def block_inputs():
    from gridimpact.synthetic import national_case

    inputs = national_case(days=DAYS, seed=0)
    return inputs.select(list(inputs.population.frame["pcode"][:REGIONS]))


def simulated_hours(inputs) -> int:
    shared = (DAYS - inputs.horizon_days) * 24
    return shared + len(SCENARIOS) * inputs.horizon_days * 24  # December: every day has 24 hours


def engine_seconds(benchmark, inputs, engine: str, rounds: int) -> float:
    import gridimpact

    gridimpact.compare(inputs, SCENARIOS, members=2, days=1, seed=1, workers=1, engine=engine)  # warm up

    def run():
        return gridimpact.compare(inputs, SCENARIOS, members=MEMBERS, seed=1, block=MEMBERS, workers=1,
                                  engine=engine, target_error=0)  # a fixed ensemble: the cells counted

    result = benchmark.pedantic(run, rounds=rounds, iterations=1, warmup_rounds=0)
    assert len(result.regions) == REGIONS
    return benchmark.stats.stats.min


def test_engine_throughput_against_a_numpy_pass(benchmark, block_inputs):
    seconds = engine_seconds(benchmark, block_inputs, "compiled", rounds=3)
    cells = REGIONS * MEMBERS * cohorts_per_region()
    hours = simulated_hours(block_inputs)
    engine_rate = cells * hours / seconds
    numpy_rate = reference_rate(cells, hours)
    compiled_rate = compiled_reference_rate(cells, hours)
    ratio = engine_rate / numpy_rate
    record(benchmark,
           f"engine (compiled): {engine_rate / 1e6:.0f} M region-cohort-member-hours/s per core "
           f"({REGIONS} regions x {MEMBERS} members x {cohorts_per_region()} cohorts x {hours} h in "
           f"{seconds:.2f} s); (a) numpy pass x = a*x + b: {numpy_rate / 1e6:.0f} M cells/s, ratio "
           f"{ratio:.1%} (target >= {TARGET_RATIO:.0%}); (b) the pass compiled: {compiled_rate / 1e6:.0f} M "
           f"cells/s, ratio {engine_rate / compiled_rate:.1%}",
           target_met=ratio >= TARGET_RATIO, engine_cells_per_s=engine_rate,
           reference_cells_per_s=numpy_rate, compiled_reference_cells_per_s=compiled_rate, ratio=ratio,
           compiled_ratio=engine_rate / compiled_rate, cells=cells, hours=hours)


def test_numpy_engine_throughput(benchmark, block_inputs):
    seconds = engine_seconds(benchmark, block_inputs, "numpy", rounds=1)
    cells = REGIONS * MEMBERS * cohorts_per_region()
    rate = cells * simulated_hours(block_inputs) / seconds
    record(benchmark, f"engine (numpy reference): {rate / 1e6:.0f} M region-cohort-member-hours/s per core "
                      f"({seconds:.2f} s)", engine_cells_per_s=rate)
