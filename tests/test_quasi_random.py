"""gridimpact's own scrambled Sobol' points are scipy's, bit for bit, without importing scipy.stats."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy.stats import qmc

from gridimpact.model.quasi_random import BATCH, batch_points, direction_numbers, scrambled_sobol


@pytest.mark.parametrize("seed", [0, 1, 20260129])
@pytest.mark.parametrize(("dimensions", "points"), [(1, 2), (7, 8), (256, BATCH), (40, 128)])
def test_the_points_equal_scipy_s(seed, dimensions, points):
    sequence = np.random.SeedSequence(seed, spawn_key=(3, 1, 3, 0))
    expected = qmc.Sobol(dimensions, scramble=True, rng=np.random.default_rng(sequence)).random(points)
    sequence = np.random.SeedSequence(seed, spawn_key=(3, 1, 3, 0))
    assert np.array_equal(scrambled_sobol(dimensions, points, np.random.default_rng(sequence.spawn(1)[0])), expected)


def test_the_direction_numbers_equal_scipy_s():
    assert np.array_equal(direction_numbers(300), qmc.Sobol(300, scramble=False)._sv)


def test_every_coordinate_of_a_batch_has_one_point_in_each_slice():
    points = batch_points(5, 0, 0, 0)
    slices = np.sort(np.floor(points * BATCH).astype(int), axis=0)
    assert (slices == np.arange(BATCH)[:, None]).all()


def test_drawing_points_does_not_import_scipy_stats():
    code = ("import sys; from gridimpact.model.quasi_random import batch_points; batch_points(1, 0, 0, 0); "
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
