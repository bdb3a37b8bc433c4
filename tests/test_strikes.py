"""Strike draws of one member: reproducible streams, nothing before the switch, pauses that hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gridimpact.io.readers.scenarios import load_scenario
from gridimpact.model.ensemble import member_rng
from gridimpact.model.period import Period
from gridimpact.model.strikes import draw_member, strike_capacity

REGIONS = ("UA80", "UA51", "UA63", "UA14")
PERIOD = Period.of("2026-01-25", "2026-02-12")
SWITCH = PERIOD.quarter_of(pd.Timestamp("2026-01-30", tz="Europe/Kyiv"))


def draws(scenario, member=0, seed=7):
    capacity = strike_capacity(scenario.strikes, 20)
    return draw_member(scenario, REGIONS, PERIOD, SWITCH, capacity,
                       member_rng(seed, member, "strikes"), member_rng(seed, member, "pause"))


@pytest.fixture(scope="module")
def no_pause():
    return load_scenario("no-pause")


def test_the_same_member_and_seed_draw_the_same_strikes(no_pause):
    first, second = draws(no_pause), draws(no_pause)
    assert np.array_equal(first[0], second[0])
    assert all(np.array_equal(first[1][k], second[1][k]) for k in first[1])
    assert not np.array_equal(first[0], draws(no_pause, member=1)[0])


def test_no_strike_falls_before_the_switch(no_pause):
    for member in range(20):
        times = draws(no_pause, member)[0]
        assert np.all(times[np.isfinite(times)] >= SWITCH)


def test_a_pause_that_holds_leaves_no_strike_inside_its_window_in_the_regions_it_covers():
    scenario = load_scenario("announced-pause").with_compliance(1.0)
    pause = scenario.pauses[0]
    start, end = PERIOD.quarter_of(pause.start), PERIOD.quarter_of(pause.end)
    covered = np.array([pause.covers(p) for p in REGIONS])
    assert covered.any()
    for member in range(30):
        times, _, _, windows, held_share = draws(scenario, member)
        assert held_share == 1.0
        # phi: how far into the window each strike falls; a pause that held a share h of its
        # window suppresses the strikes with phi < h (model.pauses)
        phi = windows[0]
        inside = (times >= start) & (times < end) & covered[None, :]
        assert inside.any() or member > 0
        assert np.all(phi[inside] < held_share)


def test_the_pause_stream_does_not_change_the_strike_draws(no_pause):
    """A scenario with a pause draws the same strikes as without it, up to the pause's effect:
    the pause has its own random stream."""
    with_pause = load_scenario("announced-pause").with_compliance(0.0)
    base, paused = draws(no_pause)[0], draws(with_pause)[0]
    assert base.shape == paused.shape
    assert np.array_equal(base, paused)
