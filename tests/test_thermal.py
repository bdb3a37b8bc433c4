"""Reference values for the thermal step in its single-node limit, computed by hand from the closed form.

With a very strong air–mass coupling the two-node step of ``gridimpact.model.thermal`` is one
capacity with τ = τ_a + τ_m (tests/test_thermal_two_node.py shows the limit); these tests pin that
limit to hand-computed numbers of the exponential model.
"""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridimpact.model.thermal import (
    BuildingParameters,
    periodic_steady_state,
    relax,
    step_constants,
    step_hour,
)

TAU = 60.0
GAIN = 5.0
CAPACITY = 45.0
SETPOINT = 20.0
LOCKED = 1e7  # air–mass coupling at which the two nodes act as one


def one_node_step(temperature, outdoor, heat_fraction, *, tau_hours, gain_offset, heating_capacity, setpoint):
    """One hour of the engine's step for a building whose two nodes are locked into one capacity."""
    building = BuildingParameters(tau_air_h=1.0, tau_mass_h=tau_hours - 1.0, coupling=LOCKED,
                                  air_loss_share=0.5, gain_offset=gain_offset, heating_capacity=heating_capacity)
    constants = step_constants(building, dtype=np.float64)
    end, _, low = step_hour(temperature, temperature, outdoor, heat_fraction, constants, setpoint)
    return end, low


def run(outdoor, heat, hours, start=SETPOINT, tau=TAU, gain=GAIN, capacity=CAPACITY):
    temperature = np.array(start, dtype=float)
    ends, lows = [], []
    for h in range(hours):
        f = heat(h) if callable(heat) else heat
        temperature, low = one_node_step(temperature, outdoor, f, tau_hours=tau, gain_offset=gain,
                                     heating_capacity=capacity, setpoint=SETPOINT)
        ends.append(float(temperature))
        lows.append(float(low))
    return np.array(ends), np.array(lows)


def test_heat_off_follows_the_closed_form_exponential():
    # −10 °C outside, gains +5 K: the room tends to −5 °C. After 24 h from 20 °C:
    # T = −5 + 25·exp(−24/60) = −5 + 25·0.670320 = 11.758 °C.
    ends, _ = run(outdoor=-10.0, heat=0.0, hours=48)
    assert ends[23] == pytest.approx(-5 + 25 * math.exp(-24 / 60), abs=1e-4)
    assert ends[23] == pytest.approx(11.758, abs=1e-3)
    assert ends[47] == pytest.approx(-5 + 25 * math.exp(-48 / 60), abs=1e-4)


def test_heat_on_holds_the_setpoint():
    ends, lows = run(outdoor=-15.0, heat=1.0, hours=24)
    assert np.allclose(ends, SETPOINT)
    assert np.allclose(lows, SETPOINT)


def test_heat_returns_toward_setpoint_at_the_capacity_rate():
    # From 5 °C at −10 °C outside the heated target is −10 + 5 + 45 = 40 °C: after 10 h
    # T = 40 − 35·exp(−10/60) = 10.379 °C.
    ends, _ = run(outdoor=-10.0, heat=1.0, hours=10, start=5.0)
    assert ends[-1] == pytest.approx(40 - 35 * math.exp(-10 / 60), abs=1e-4)


def test_four_hours_off_four_on_settles_into_the_periodic_steady_state():
    # Capacity low enough that the set-point is never reached, so the cycle map is linear.
    capacity = 20.0
    outdoor = -12.0
    ends, _ = run(outdoor, heat=lambda h: 0.0 if h % 8 < 4 else 1.0, hours=8 * 200, capacity=capacity)
    expected_after_off = periodic_steady_state(outdoor, 4, 4, tau_hours=TAU, gain_offset=GAIN,
                                               heating_capacity=capacity)
    # By hand: a = b = exp(−4/60) = 0.935507; T_off = −7, T_on = 13.
    a = math.exp(-4 / 60)
    by_hand = (a * (1 - a) * 13 + (1 - a) * -7) / (1 - a * a)
    assert expected_after_off == pytest.approx(by_hand, abs=1e-6)
    assert ends[-5] == pytest.approx(expected_after_off, abs=1e-4)  # end of the last off phase
    after_on = relax(expected_after_off, -12 + GAIN + capacity, 4, TAU)
    assert ends[-1] == pytest.approx(after_on, abs=1e-4)


def test_a_partly_heated_hour_is_heat_at_that_fraction_of_full_output():
    # f = 0.5 at −20 °C, τ = 25 h, no gains, capacity 45 K: target −20 + 22.5 = 2.5 °C, so
    # T = 2.5 + 17.5·exp(−1/25) = 19.3137 °C; an off-then-on half hour each gives 19.3213 °C.
    end, low = one_node_step(np.array(20.0), -20.0, 0.5, tau_hours=25.0, gain_offset=0.0,
                         heating_capacity=45.0, setpoint=20.0)
    assert end == pytest.approx(2.5 + 17.5 * math.exp(-1 / 25), abs=1e-4)
    sequential = relax(relax(20.0, -20.0, 0.5, 25.0), 25.0, 0.5, 25.0)
    assert abs(end - sequential) < 0.01
    assert low == pytest.approx(end)  # the path within an hour is monotone


def test_warm_weather_does_not_hold_the_room_at_the_setpoint():
    # 18 °C outside with 5 K of gains: unheated, the room drifts up toward 23 °C; heating is idle.
    off_end, _ = one_node_step(np.array(20.0), 18.0, 0.0, tau_hours=TAU, gain_offset=GAIN,
                           heating_capacity=CAPACITY, setpoint=SETPOINT)
    on_end, _ = one_node_step(np.array(20.0), 18.0, 1.0, tau_hours=TAU, gain_offset=GAIN,
                          heating_capacity=CAPACITY, setpoint=SETPOINT)
    assert off_end > SETPOINT
    assert on_end == pytest.approx(relax(20.0, 23.0, 1.0, TAU))  # heating idles: free-running


@given(
    outdoor=st.floats(-35, 10),
    start=st.floats(-10, 20),
    heat=st.floats(0, 1),
    colder=st.floats(0.1, 20),
)
def test_colder_outside_never_warms_the_room(outdoor, start, heat, colder):
    kwargs = dict(tau_hours=TAU, gain_offset=GAIN, heating_capacity=CAPACITY, setpoint=SETPOINT)
    warm_end, warm_low = one_node_step(np.array(start), outdoor, heat, **kwargs)
    cold_end, cold_low = one_node_step(np.array(start), outdoor - colder, heat, **kwargs)
    assert cold_end <= warm_end + 1e-6
    assert cold_low <= warm_low + 1e-6


@given(outdoor=st.floats(-35, 10), start=st.floats(-10, 20), less=st.floats(0, 1), more=st.floats(0, 1))
def test_more_heating_never_cools_the_room(outdoor, start, less, more):
    less, more = min(less, more), max(less, more)
    kwargs = dict(tau_hours=TAU, gain_offset=GAIN, heating_capacity=CAPACITY, setpoint=SETPOINT)
    end_less, low_less = one_node_step(np.array(start), outdoor, less, **kwargs)
    end_more, low_more = one_node_step(np.array(start), outdoor, more, **kwargs)
    assert end_more >= end_less - 1e-9
    assert low_more >= low_less - 1e-9
