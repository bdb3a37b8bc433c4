"""How a comparison is cut into blocks: members per block, regions per group, threads; and the
memory given back between groups.

Memory follows a block, not the problem: results do not depend on the cut (``tests/test_compare.py``).
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass

import numpy as np

from gridimpact.model.cohorts import cohorts_per_region
from gridimpact.model.metrics import NUMERIC_METRICS
from gridimpact.model.refinement import REFINED_COPIES, may_refine

RESULT_BUDGET_BYTES = 256 * 2**20
"""Memory for one region group's daily results of every member and scenario (float64)."""
ENGINE_BLOCK_CELLS = 2**19
"""Cohort cells (members × regions × cohorts) simulated together at most: the hourly update of
about 0.5 M float32 cells (2 MiB per array) stays in the processor's caches. Measured on the
engine benchmark: 64 regions × 50 members ran 1.4 times slower than groups of 4 to 12 regions."""
HAZARD_CHUNK_BYTES = 16 * 2**20
"""The observed hazard and exposure are built for as many region groups at once as keep its
quarter-hourly arrays (about 16 float64 values per region and quarter-hour) within this, then cut
for each group: building them group by group repeated the same table work for every group (an
eighth of the engine benchmark's profiled time). Building takes a few times the arrays'
size while it runs: at 64 MiB the 1,000-member national run peaked at 1,622 MiB as its second
chunk was built, at 16 MiB at 1,481 MiB (docs/performance.md)."""
KEEP_MEMBER_CELLS = 2_000_000
"""Keep every member's daily values in the result (``.daily``) when regions × members × days is at
most this; larger runs keep only the reduced tables."""


RELEASE_AFTER_GROUPS = 8
"""Comparisons with more region groups than this give the heap's free pages back after each group
(``release_free_memory``); a call takes about 6 ms, which the default comparison's two groups skip."""


def _malloc_trim():
    """The C library's ``malloc_trim`` (glibc), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_MALLOC_TRIM = _malloc_trim()


def release_free_memory() -> bool:
    """Give the pages the C heap holds free back to the system; False where this cannot be done.

    Each region group allocates and frees arrays of the same sizes on every thread, and glibc keeps
    the freed pages: the resident set of a long comparison crept up while the memory Python holds
    stayed flat (tracemalloc, docs/performance.md). Called between region groups: on 40 national
    units × 200 members the resident set then fell back to about 675 MiB after a group, against
    845 MiB without; the peak inside a group stays as it was (839 against 848 MiB)."""
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


def default_workers() -> int:
    """Threads running member blocks at once by default: the CPU cores, at most 4."""
    return min(os.cpu_count() or 1, 4)


@dataclass(frozen=True)
class BlockPlan:
    """How the ensemble is cut: members per block, regions per group, threads."""

    block: int
    region_block: int
    workers: int

    def chunk_regions(self, case) -> int:
        """Regions whose observed hazard and exposure are built together (whole groups)."""
        per_group = self.region_block * case.period.n_quarters * 16 * 8
        return self.region_block * max(1, HAZARD_CHUNK_BYTES // per_group)

    def total_steps(self, case) -> int:
        """Member-block days the run simulates (shared days before the as-of once per block)."""
        region_blocks = -(-len(case.regions) // self.region_block)
        return region_blocks * self.steps(case, case.members)

    def steps(self, case, members: int) -> int:
        """Member-block days of one region group's run of ``members`` members."""
        n_days = len(case.period.days)
        shared = int(np.clip(case.period.day_of_quarter(case.as_of_q), 0, n_days))
        return -(-members // self.block) * (shared + len(case.scenarios) * (n_days - shared))


def plan_blocks(case, *, block: int | None, region_block: int | None, workers: int) -> BlockPlan:
    """Members are split evenly between the workers (at most 64 a block: the default 128 make two
    equal blocks on two cores); regions are grouped so that a group's daily results stay within
    ``RESULT_BUDGET_BYTES`` and a block's cohort cells within ``ENGINE_BLOCK_CELLS``."""
    block = block or max(1, min(64, -(-case.members // workers)))
    if region_block is None:
        per_region = case.members * len(case.period.days) * len(NUMERIC_METRICS) * 8 * len(case.scenarios)
        if may_refine(case.regions, case.members, case.target_error):  # a refined part's copies (model.refinement)
            per_region *= REFINED_COPIES
        cohorts = cohorts_per_region(case.params.district_heat_bands)
        region_block = max(1, min(64, RESULT_BUDGET_BYTES // per_region, ENGINE_BLOCK_CELLS // (block * cohorts)))
    return BlockPlan(block, region_block, workers)
