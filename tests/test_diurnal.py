"""The diurnal curve: hand-computed values, anchors, bounds, edges and vectorisation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridimpact.model.diurnal import hourly_from_daily_extremes


def test_single_day_hand_values():
    # Tmin −10 at 06:00, Tmax −2 at 15:00; the same day's extremes stand in for missing neighbours.
    hours = hourly_from_daily_extremes([-10.0], [-2.0])
    assert hours.shape == (24,)
    assert hours[6] == pytest.approx(-10.0)
    assert hours[15] == pytest.approx(-2.0)
    # 09:00 is a third of the way up: −10 + 8·(1 − cos(π/3))/2 = −8.
    assert hours[9] == pytest.approx(-8.0)
    # 00:00 lies 9 h into the 15 h night: −10 + 8·(1 + cos(0.6π))/2 = −7.2360680
    assert hours[0] == pytest.approx(-10.0 + 8.0 * (1 + math.cos(0.6 * math.pi)) / 2)
    assert hours[0] == pytest.approx(-7.236068, abs=1e-6)
    # 20:00, a third of the way down to the (same-day) minimum: −10 + 8·0.75 = −4.
    assert hours[20] == pytest.approx(-4.0)


def test_night_runs_to_the_next_days_minimum():
    hours = hourly_from_daily_extremes([-10.0, -12.0], [-2.0, -4.0])
    # 20:00 on day 1 falls towards day 2's −12: −12 + 10·0.75 = −4.5
    assert hours[20] == pytest.approx(-4.5)
    # 03:00 on day 2 rises from day 1's maximum: phi = (3 + 9)/15 → −12 + 10·(1 + cos(0.8π))/2
    assert hours[24 + 3] == pytest.approx(-12.0 + 10.0 * (1 + math.cos(0.8 * math.pi)) / 2)
    assert hours[24 + 6] == pytest.approx(-12.0)


def test_continuous_across_midnight():
    # With the minimum at midnight the night segment ends exactly on day 2's first hour.
    hours = hourly_from_daily_extremes([-10.0, -12.0], [-2.0, -4.0], hour_of_min=0.0, hour_of_max=14.0)
    night = hours[14:25]
    assert night[0] == pytest.approx(-2.0)
    assert night[-1] == pytest.approx(-12.0)
    assert np.all(np.diff(night) < 0)  # falls monotonically, no jump at 24:00


def test_custom_anchor_hours():
    hours = hourly_from_daily_extremes([0.0], [10.0], hour_of_min=8.0, hour_of_max=14.0)
    assert hours[8] == pytest.approx(0.0)
    assert hours[14] == pytest.approx(10.0)
    assert hours[11] == pytest.approx(5.0)  # halfway up a half-cosine is the midpoint


def test_missing_day_gives_nan_and_neighbours_use_their_own_extremes():
    hours = hourly_from_daily_extremes([-10.0, np.nan, -6.0], [-2.0, np.nan, 0.0])
    assert np.isnan(hours[24:48]).all()
    alone = hourly_from_daily_extremes([-10.0], [-2.0])
    np.testing.assert_allclose(hours[:24], alone)
    np.testing.assert_allclose(hours[48:], hourly_from_daily_extremes([-6.0], [0.0]))


def test_vectorised_over_regions_equals_one_by_one():
    tmin = np.array([[-10.0, -12.0, -8.0], [-3.0, -1.0, 0.5]])
    tmax = np.array([[-2.0, -4.0, -1.0], [2.0, 3.0, 4.0]])
    both = hourly_from_daily_extremes(tmin, tmax)
    assert both.shape == (2, 72)
    for row in range(2):
        np.testing.assert_allclose(both[row], hourly_from_daily_extremes(tmin[row], tmax[row]))


@pytest.mark.parametrize(("lo", "hi"), [(6.0, 6.0), (15.0, 6.0), (-1.0, 15.0), (6.0, 24.0)])
def test_bad_anchor_hours_are_refused(lo, hi):
    with pytest.raises(ValueError, match="hour_of_min"):
        hourly_from_daily_extremes([0.0], [1.0], hour_of_min=lo, hour_of_max=hi)


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="shape"):
        hourly_from_daily_extremes([0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="day axis"):
        hourly_from_daily_extremes(0.0, 1.0)


temperature = st.floats(min_value=-40, max_value=30, allow_nan=False)


@st.composite
def days_and_hours(draw):
    n = draw(st.integers(min_value=1, max_value=6))
    lows = draw(st.lists(temperature, min_size=n, max_size=n))
    spans = draw(st.lists(st.floats(min_value=0, max_value=20), min_size=n, max_size=n))
    hour_min = draw(st.integers(min_value=0, max_value=12))
    hour_max = draw(st.integers(min_value=hour_min + 1, max_value=23))
    return np.array(lows), np.array(lows) + np.array(spans), float(hour_min), float(hour_max)


@settings(max_examples=200, deadline=None)
@given(days_and_hours())
def test_passes_through_the_extremes_at_their_hours(case):
    tmin, tmax, hour_min, hour_max = case
    hours = hourly_from_daily_extremes(tmin, tmax, hour_of_min=hour_min, hour_of_max=hour_max)
    day = np.arange(len(tmin)) * 24
    np.testing.assert_allclose(hours[day + int(hour_min)], tmin, atol=1e-9)
    np.testing.assert_allclose(hours[day + int(hour_max)], tmax, atol=1e-9)


@settings(max_examples=200, deadline=None)
@given(days_and_hours())
def test_every_hour_lies_between_its_two_bounding_extremes(case):
    tmin, tmax, hour_min, hour_max = case
    hours = hourly_from_daily_extremes(tmin, tmax, hour_of_min=hour_min, hour_of_max=hour_max)
    n = len(tmin)
    prev_max = np.concatenate([tmax[:1], tmax[:-1]])
    next_min = np.concatenate([tmin[1:], tmin[-1:]])
    for d in range(n):
        for h in range(24):
            if h < hour_min:
                pair = (prev_max[d], tmin[d])
            elif h <= hour_max:
                pair = (tmin[d], tmax[d])
            else:
                pair = (tmax[d], next_min[d])
            value = hours[24 * d + h]
            assert min(pair) - 1e-9 <= value <= max(pair) + 1e-9
