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
