"""Peak memory and wall time of a comparison on the synthetic national case.

Each run happens in a fresh Python process (``national.py``) so that the peak resident set size
(``ru_maxrss``) is that run's alone. The default, quick variant compares one region block (64 of
the 1,469 units) with 20 members over 30 days. The national run — all 1,469 units, 1,000 members,
90 days — takes an hour or more; set ``GRIDIMPACT_BENCH_NATIONAL=1`` to include it (targets: peak
≤ 1.5 GiB, wall time ≤ 15 min on 2 cores).
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import BENCHMARKS, python, record

TARGET_MIB = 1536
NATIONAL = os.environ.get("GRIDIMPACT_BENCH_NATIONAL") == "1"


def run_national(*arguments: str) -> dict:
    completed = subprocess.run([python(), str(BENCHMARKS / "national.py"), *arguments], check=True,
                               capture_output=True, text=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _measure(benchmark, label: str, arguments: list[str], *, target: bool) -> dict:
    summary = benchmark.pedantic(run_national, args=tuple(arguments), rounds=1, iterations=1)
    peak = summary["peak_rss_mib"]
    record(benchmark,
           f"{label}: {summary['regions']} units x {summary['members']} members x {summary['days']} days: "
           f"peak RSS {peak:.0f} MiB, compare {summary['compare_seconds']:.1f} s, "
           f"inputs generated in {summary['generate_seconds']:.1f} s",
           target_met=(peak <= TARGET_MIB) if target else None, **summary)
    return summary


def test_memory_quick(benchmark):
    summary = _measure(benchmark, "memory (quick)", ["--units", "64", "--members", "20", "--days", "30"],
                       target=False)
    assert summary["regions"] == 64


@pytest.mark.skipif(not NATIONAL, reason="hours long; set GRIDIMPACT_BENCH_NATIONAL=1")
def test_memory_national(benchmark):
    summary = _measure(benchmark, "memory (national)", ["--members", "1000", "--days", "90"], target=True)
    assert summary["regions"] == 1469
