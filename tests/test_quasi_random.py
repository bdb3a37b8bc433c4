"""gridimpact's own scrambled Sobol' points are scipy's, bit for bit, without importing scipy.stats."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import qmc

from gridimpact.model.quasi_random import (
    BATCH,
    SOBOL_COORDINATES,
    BatchUniforms,
    batch_points,
    counter_uniforms,
    direction_numbers,
    scrambled_sobol,
)


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


def test_the_counter_stream_is_splitmix64():
    # the first outputs of SplitMix64 from seed 0 (Steele, Lea and Flood 2014), to 53 bits
    expected = [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]
    values = counter_uniforms(np.uint64(0), np.arange(3))
    np.testing.assert_array_equal(values, [(v >> 11) / 2.0 ** 53 for v in expected])
    # any position on its own gives the value it has in the sequence
    np.testing.assert_array_equal(counter_uniforms(np.uint64(0), np.array([2, 0])), values[[2, 0]])


def test_coordinates_beyond_the_sobol_points_are_uniform_and_differ_between_members():
    first, second = BatchUniforms(3, 0, 0), BatchUniforms(3, 1, 0)
    first.skip(SOBOL_COORDINATES)
    second.skip(SOBOL_COORDINATES)
    a, b = first.uniform(size=200_000), second.uniform(size=200_000)
    assert a.min() >= 0 and a.max() < 1
    assert abs(a.mean() - 0.5) < 0.003 and abs(a.var() - 1 / 12) < 0.001
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.01 and abs(np.corrcoef(a, b)[0, 1]) < 0.01
    counts = np.bincount((a * 100).astype(int), minlength=100)
    assert ((counts - 2000) ** 2 / 2000).sum() < 160  # chi-squared, 99 degrees of freedom: P ≈ 1e-4


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 3), st.integers(1, 40), st.integers(1, 200), st.integers(0, 6000), st.data())
def test_a_draw_of_some_columns_equals_those_columns_of_the_whole_draw(member, rows, width, start, data):
    columns = np.array(sorted(data.draw(st.sets(st.integers(0, width - 1), min_size=1, max_size=width))))
    whole, part = BatchUniforms(11, member, 0), BatchUniforms(11, member, 0)
    whole.skip(start)  # also across the end of the Sobol' coordinates
    part.skip(start)
    expected = whole.uniform(2.0, 5.0, size=(rows, width))[:, columns]
    np.testing.assert_array_equal(part.columns((rows, width), columns, 2.0, 5.0), expected)
    assert part.used == whole.used  # the stream moves on as for the whole draw
    np.testing.assert_array_equal(part.uniform(size=3), whole.uniform(size=3))
