"""Between region groups a comparison gives the C heap's free pages back to the system."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

import gridimpact
from gridimpact import planning


def resident_mib() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_heap_pages_go_back_to_the_system():
    # arrays below glibc's mmap threshold live on the heap; keeping every tenth pins the heap's
    # top, so the pages of the others stay resident when they are freed until the heap is trimmed
    arrays = [np.ones(12_000) for _ in range(2_000)]  # 96 KB each, about 190 MB
    kept = arrays[::10]
    del arrays
    before = resident_mib()
    assert planning.release_free_memory()
    after = resident_mib()
    assert before - after > 100, (before, after)
    assert all(a[0] == 1.0 for a in kept)


def test_a_comparison_of_many_groups_releases_memory_after_each(monkeypatch):
    calls = []
    monkeypatch.setattr("gridimpact.api.release_free_memory", lambda: calls.append(1))
    monkeypatch.setattr("gridimpact.api.RELEASE_AFTER_GROUPS", 3)
    gridimpact.compare(members=2, days=2, region_block=1)
    assert len(calls) == 4  # the embedded case's four regions, one group each
    calls.clear()
    gridimpact.compare(members=2, days=2, region_block=2)  # two groups: not a long run
    assert calls == []


def test_a_region_groups_member_values_are_freed_before_the_next_group_is_added(monkeypatch):
    import gc
    import weakref

    from gridimpact.model import comparison

    monkeypatch.setattr("gridimpact.api.KEEP_MEMBER_CELLS", 0)  # as in a large run: only tables are kept
    seen = []
    add = comparison.ComparisonTables.add

    def spy(self, regions, population, runs, *rest):
        gc.collect()
        seen.append(([ref() is None for ref in seen[-1][1]] if seen else [],
                     [weakref.ref(stratum["people_below_12c"]) for run in runs.values() for stratum in run.strata]))
        add(self, regions, population, runs, *rest)

    monkeypatch.setattr(comparison.ComparisonTables, "add", spy)
    gridimpact.compare(members=4, days=4, region_block=2)
    assert len(seen) == 2
    freed, _ = seen[1]
    assert freed and all(freed)  # every stratum of the first group, by the time the second is added
