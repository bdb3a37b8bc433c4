"""Running ensemble member blocks on a dask.distributed cluster.

``gridimpact.compare(..., client=client)`` hands each block of members to the cluster through
``dask_runner``. Results equal those of a local run bit for bit: a member's random streams depend
only on the seed and the member's index (``gridimpact.model.ensemble``), every block runs the same code on
the same arrays, and the blocks come back in job order before they are joined.

Workers need gridimpact (and its data) installed at the same version as the client; the setup of a
block of regions is sent to the cluster once and shared by all of its member blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gridimpact.errors import require
from gridimpact.model.ensemble import run_block

Job = tuple  # (ensemble.EnsembleSetup, list[Scenario], Sequence[int] member indices)


def dask_runner(client) -> Callable[[Sequence[Job]], list]:
    """A runner for ``ensemble.run_ensemble``: maps jobs ``(setup, scenarios, members)`` to
    ``ensemble.run_block(setup, scenarios, members)`` on the cluster of ``client``.

    Results are returned in job order. Each distinct setup and scenario list is scattered once,
    so member blocks of the same region block do not each carry a copy of the hazard arrays.
    Needs the ``dask`` extra (``pip install 'gridimpact[dask]'``).
    """
    require("dask.distributed", "Cluster execution", "dask")

    def run(jobs: Sequence[Job]) -> list:
        if not jobs:
            return []
        shared: dict[tuple, object] = {}

        def once(key: tuple, value):
            # The jobs of one call hold the same setup and scenario objects (in fresh lists), so
            # object identity tells which values are shared.
            if key not in shared:
                shared[key] = client.scatter(value, hash=False)
            return shared[key]

        setups = [once((id(setup),), setup) for setup, _, _ in jobs]
        scenarios = [once(tuple(id(s) for s in listed), list(listed)) for _, listed, _ in jobs]
        members = [list(block) for _, _, block in jobs]
        # pure=False: every job is run (no reuse of an earlier result under the same key).
        futures = client.map(run_block, setups, scenarios, members, pure=False)
        try:
            return client.gather(futures)
        finally:
            client.cancel(futures)

    return run


def cluster_threads(client) -> int:
    """Threads across the cluster's workers (at least 1): how many member blocks can run at once,
    for choosing the member block size (``compare``'s ``block``) on a cluster."""
    return max(1, sum(client.nthreads().values()))
