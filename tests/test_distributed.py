"""Cluster execution: a comparison run on a dask cluster equals the local run bit for bit."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import gridimpact
from gridimpact.errors import MissingExtraError

MEMBERS = 6
DAYS = 5
SEED = 11


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with cluster, distributed.Client(cluster) as connected:
        yield connected


@pytest.fixture
def inputs(embedded_inputs):
    return embedded_inputs


def test_cluster_comparison_equals_the_local_one_bit_for_bit(client, inputs):
    # Several member blocks and region blocks, so that ordering and joining are exercised.
    options = dict(members=MEMBERS, days=DAYS, seed=SEED, block=2, region_block=3)
    local = gridimpact.compare(inputs, **options)
    remote = gridimpact.compare(inputs, client=client, **options)
    pd.testing.assert_frame_equal(local.impacts, remote.impacts, check_exact=True)
    pd.testing.assert_frame_equal(local.comparison, remote.comparison, check_exact=True)
    assert local.daily.keys() == remote.daily.keys()
    for scenario, metrics in local.daily.items():
        for name, values in metrics.items():
            assert np.array_equal(values, remote.daily[scenario][name], equal_nan=True), (scenario, name)
    for scenario, held in local.pause_held.items():
        assert (held is None and remote.pause_held[scenario] is None) or np.array_equal(held, remote.pause_held[scenario])


def test_cluster_blocking_does_not_change_results(client, inputs):
    one_block = gridimpact.compare(inputs, members=MEMBERS, days=DAYS, seed=SEED, client=client)
    many = gridimpact.compare(inputs, members=MEMBERS, days=DAYS, seed=SEED, block=1, region_block=1, client=client)
    pd.testing.assert_frame_equal(one_block.comparison, many.comparison, check_exact=True)


def test_cluster_threads_counts_every_worker_thread(client):
    from gridimpact.distributed import cluster_threads

    assert cluster_threads(client) == 2


class _RecordingClient:
    """Runs jobs in this process and records what is scattered (the dask Client calls used)."""

    def __init__(self):
        self.scattered = []

    def scatter(self, value, hash=True):
        self.scattered.append(value)
        return value

    def map(self, function, *iterables, pure=True):
        return [function(*arguments) for arguments in zip(*iterables, strict=True)]

    def gather(self, futures):
        return list(futures)

    def cancel(self, futures):
        pass


def test_each_setup_is_sent_once_and_results_keep_job_order(inputs, monkeypatch):
    pytest.importorskip("dask.distributed")
    from gridimpact import distributed

    calls = []

    def fake_run_block(setup, scenarios, members):
        calls.append(tuple(members))
        return (setup, tuple(members))

    monkeypatch.setattr("gridimpact.distributed.run_block", fake_run_block)
    recording = _RecordingClient()
    runner = distributed.dask_runner(recording)
    setup_a, setup_b, scenarios = object(), object(), ["s1", "s2"]
    jobs = [(setup_a, list(scenarios), range(0, 2)), (setup_a, list(scenarios), range(2, 4)),
            (setup_b, list(scenarios), range(0, 2))]
    results = runner(jobs)
    assert results == [(setup_a, (0, 1)), (setup_a, (2, 3)), (setup_b, (0, 1))]
    # two setups and one scenario list (the same scenario objects in fresh lists)
    assert len(recording.scattered) == 3
    assert runner([]) == []


def test_without_dask_the_error_names_the_extra(monkeypatch):
    from gridimpact import distributed

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # makes the import fail
    with pytest.raises(MissingExtraError, match=r"gridimpact\[dask\]"):
        distributed.dask_runner(object())
