"""Run a comparison on the synthetic national case and report its wall time and peak memory.

Usable on its own (the national run takes hours; see docs/performance.md)::

    python benchmarks/national.py --members 1000 --days 90 --log national-progress.jsonl

and by ``bench_memory.py``, which runs it in a subprocess so that the peak resident set size
(``ru_maxrss``) belongs to this run alone. The last line on stdout is a JSON summary: wall time,
peak memory, and throughput in region-cohort-member-hours per second beside the numpy reference
pass of ``reference.py`` (per core, over as many cells as the engine benchmark's block).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

from reference import cohorts_per_region, reference_rate

# The reference pass runs over as many cells as the engine benchmark's block (bench_engine.py:
# 64 regions × 50 members × cohorts), so both report the same reference.
REFERENCE_REGIONS = 64
REFERENCE_MEMBERS = 50
REFERENCE_HOURS = 48


def peak_rss_mib() -> float:
    """High-water mark of this process's resident set, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mib() -> float:
    """Resident set now, MiB (from /proc; 0 where it is unavailable)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class ProgressLog:
    """Counts simulated days of member blocks and writes a line each time ``every`` more are done.

    ``compare`` may call it from several threads at once, hence the lock.
    """

    def __init__(self, path: Path | None, every: int):
        self.path, self.every = path, every
        self.done = 0
        self.total: int | None = None
        self.began = time.perf_counter()
        self._lock = threading.Lock()

    def start(self, total: int) -> None:
        """``compare`` announces how many block-days it will simulate."""
        self.total = total
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"total_block_days": total}) + "\n")

    def __call__(self, days: int) -> None:
        with self._lock:
            self.done += days
            if self.path is None or self.done % self.every:
                return
            record = {"block_days": self.done, "total": self.total, "seconds": round(time.perf_counter() - self.began, 1),
                      "rss_mib": round(current_rss_mib(), 1), "peak_rss_mib": round(peak_rss_mib(), 1)}
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record) + "\n")


def run(*, hromadas: int, members: int, days: int, units: int | None, block: int | None,
        region_block: int | None, workers: int | None, seed: int, log: Path | None) -> dict:
    """Generate the case, compare the default scenarios on it and summarise the run.

    ``block``, ``region_block`` and ``workers`` of None leave ``compare`` its own defaults.
    """
    import gridimpact
    from gridimpact.planning import default_workers
    from gridimpact.synthetic import national_case

    began = time.perf_counter()
    inputs = national_case(hromadas=hromadas, days=days, seed=seed)
    generated = time.perf_counter() - began
    regions = None if units is None else list(inputs.population.frame["pcode"][:units])
    n_regions = hromadas if units is None else units
    horizon = inputs.horizon_days
    # Days simulated per member block: the shared prefix once, then each of the two scenarios' rest.
    simulated_days = (days - horizon) + 2 * horizon
    progress = ProgressLog(log, every=10 * simulated_days)
    start = time.perf_counter()
    # a fixed ensemble (target_error=0): every unit runs the members asked for, so the rate counts its cells
    result = gridimpact.compare(inputs, members=members, seed=seed, regions=regions, block=block,
                                region_block=region_block, workers=workers, progress=progress, target_error=0)
    compared = time.perf_counter() - start
    threads = workers or default_workers()
    cells = n_regions * members * cohorts_per_region()
    engine_rate = cells * simulated_days * 24 / compared  # every day of the case has 24 hours
    numpy_rate = reference_rate(REFERENCE_REGIONS * REFERENCE_MEMBERS * cohorts_per_region(), REFERENCE_HOURS)
    return {
        "hromadas": hromadas, "regions": n_regions, "members": members, "days": days,
        "block": block or "default", "region_block": region_block or "default", "workers": workers or "default",
        "simulated_block_days": progress.done,
        "generate_seconds": round(generated, 2), "compare_seconds": round(compared, 2),
        "peak_rss_mib": round(peak_rss_mib(), 1), "threads": threads,
        "engine_cells_per_s": round(engine_rate), "reference_cells_per_s_per_core": round(numpy_rate),
        "engine_share_of_reference_per_core": round(engine_rate / threads / numpy_rate, 3),
        "impact_rows": len(result.impacts), "comparison_rows": len(result.comparison),
        "python": sys.version.split()[0],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hromadas", type=int, default=1469)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--units", type=int, default=None, help="compare only the first N units")
    parser.add_argument("--block", type=int, default=None, help="members per block (default: compare's)")
    parser.add_argument("--region-block", type=int, default=None, help="regions per group (default: compare's)")
    parser.add_argument("--workers", type=int, default=None, help="threads (default: compare's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log", type=Path, default=None, help="append JSON progress lines here")
    args = parser.parse_args(argv)
    summary = run(hromadas=args.hromadas, members=args.members, days=args.days, units=args.units,
                  block=args.block, region_block=args.region_block, workers=args.workers, seed=args.seed,
                  log=args.log)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
