"""The two-node building model against closed forms, the single-node model and its own step."""

import tomllib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridimpact.model import thermal
from gridimpact.model.thermal import (
    BuildingParameters,
    _expm,
    _system,
    cooling_run,
    heated_state,
    reheat_hours,
    step_constants,
    step_hour,
)
from gridimpact.resources import data_dir

BLOCK = BuildingParameters(tau_air_h=2.0, tau_mass_h=150.0, coupling=1.5, air_loss_share=0.5,
                           gain_offset=6.0, heating_capacity=45.0)


def run(params, hours, outdoor, fraction, setpoint=20.0, dtype=np.float64, start=None):
    constants = step_constants(params, dtype=dtype)
    air, mass = start if start is not None else heated_state(params, outdoor, setpoint)
    air, mass = np.asarray(air, dtype=dtype), np.asarray(mass, dtype=dtype)
    lows = []
    for _ in range(hours):
        air, mass, low = step_hour(air, mass, dtype(outdoor), dtype(fraction), constants, dtype(setpoint))
        lows.append(low)
    return air, mass, np.array(lows)


def test_unheated_steady_state_is_outdoor_plus_the_gain_offset():
    air, mass, _ = run(BLOCK, 24 * 400, -10.0, 0.0)
    assert air == pytest.approx(-10.0 + 6.0, abs=1e-6)
    # Mass steady excess = ΔT_g · r_m / r_a = 6 · k / (1 − s + k) = 6 · 1.5 / 2.0
    assert mass == pytest.approx(-10.0 + 6.0 * 1.5 / 2.0, abs=1e-6)


def test_full_heating_without_thermostat_settles_at_gain_plus_capacity():
    air, _, _ = run(BLOCK, 24 * 400, -10.0, 1.0, setpoint=1e6)
    assert air == pytest.approx(-10.0 + 6.0 + 45.0, abs=1e-6)


def test_heated_state_is_steady_under_the_thermostat():
    air0, mass0 = heated_state(BLOCK, -15.0, 20.0)
    air, mass, _ = run(BLOCK, 48, -15.0, 1.0, start=(air0, mass0))
    assert air == pytest.approx(20.0, abs=1e-9) and mass == pytest.approx(mass0, abs=1e-9)
    # Mass between air and outdoors: (k·20 + (1 − s)·(−15)) / (k + 1 − s) = (30 − 7.5) / 2
    assert mass0 == pytest.approx(11.25)


@pytest.mark.parametrize("outdoor", [-20.0, -5.0, 3.0])
def test_strong_coupling_is_the_single_node_model(outdoor):
    one = BuildingParameters(tau_air_h=5.0, tau_mass_h=55.0, coupling=1e7, air_loss_share=0.4,
                             gain_offset=5.0, heating_capacity=45.0)
    hours = np.arange(0, 400, 7.0)
    expected = thermal.relax(20.0, outdoor + 5.0, hours, 60.0)
    assert cooling_run(one, hours, outdoor) == pytest.approx(expected, abs=1e-4)
    # and the hourly step, with rotating heat and the thermostat, follows the single-node recurrence
    decay = np.exp(-1.0 / 60.0)
    air = mass = np.array(20.0)
    single = np.array(20.0)
    constants = step_constants(one, dtype=np.float64)
    for hour in range(200):
        fraction = 0.25 if hour % 8 < 4 else 1.0
        air, mass, _ = step_hour(air, mass, outdoor, fraction, constants, 20.0)
        unheated = outdoor + 5.0 + (single - outdoor - 5.0) * decay
        single = min(unheated + fraction * 45.0 * (1.0 - decay), max(unheated, 20.0))
        assert air == pytest.approx(single, abs=1e-3)


def test_uncoupled_air_decays_with_its_own_time_constant():
    # k → 0 with s = 1: the air loses heat only to outdoors (k = 0 exactly leaves the mass undefined)
    air_only = BuildingParameters(tau_air_h=3.0, tau_mass_h=100.0, coupling=1e-9, air_loss_share=1.0,
                                  gain_offset=4.0, heating_capacity=40.0)
    hours = np.array([0.0, 1.0, 3.0, 10.0])
    expected = -12.0 + 4.0 + (20.0 - (-12.0 + 4.0)) * np.exp(-hours / 3.0)
    assert cooling_run(air_only, hours, -12.0) == pytest.approx(expected, rel=1e-7)


def test_two_nodes_drop_fast_then_slowly():
    hours = np.array([6.0, 24.0, 168.0, 336.0])
    two = cooling_run(BLOCK, hours, -12.0)
    assert two[0] < 16.0  # the air and contents lose heat within hours …
    assert two[2] - two[3] < two[0] - two[1] + 20.0 - two[0]  # … the mass much more slowly
    assert np.all(np.diff(two) < 0) and np.all(two > -12.0 + 6.0)


def test_the_hourly_step_reproduces_the_closed_form_cooling_run():
    air, _, _ = run(BLOCK, 300, -12.0, 0.0)
    assert air == pytest.approx(cooling_run(BLOCK, 300.0, -12.0), abs=1e-9)


def test_float32_state_stays_within_a_thousandth_of_a_kelvin():
    air64, _, _ = run(BLOCK, 500, -18.0, 0.3)
    air32, _, _ = run(BLOCK, 500, -18.0, 0.3, dtype=np.float32)
    assert air32.dtype == np.float32
    assert float(air32) == pytest.approx(float(air64), abs=1e-3)


def test_cohort_arrays_broadcast_over_members_regions_and_classes():
    params = BuildingParameters(tau_air_h=np.array([2.0, 3.0, 1.5]), tau_mass_h=np.array([150.0, 220.0, 60.0]),
                                coupling=1.5, air_loss_share=0.5, gain_offset=np.array([6.0, 6.0, 2.0]),
                                heating_capacity=45.0)
    constants = step_constants(params)
    shape = (4, 2, 3)  # members, regions, building classes
    air = np.full(shape, 20.0, dtype=np.float32)
    mass = np.full(shape, 15.0, dtype=np.float32)
    outdoor = np.full((4, 2, 1), -10.0, dtype=np.float32)
    fraction = np.zeros(shape, dtype=np.float32)
    air, mass, low = step_hour(air, mass, outdoor, fraction, constants, np.float32(20.0))
    assert air.shape == shape and air.dtype == np.float32
    assert np.all(air[..., 2] < air[..., 1])  # the light house cools fastest


@pytest.mark.parametrize("building_class", ["panel_block", "house"])
def test_the_ends_of_an_hour_bound_the_air_within_it(building_class):
    shipped = tomllib.loads((data_dir() / "thermal_fit.toml").read_text(encoding="utf-8"))
    params = BuildingParameters(**{n: np.asarray(e["value"]) for n, e in shipped["classes"][building_class].items()})
    constants = step_constants(params, dtype=np.float64)
    air, mass = heated_state(params, -15.0, 20.0)
    for hour in range(72):
        fraction = 1.0 if hour % 6 < 2 else 0.0  # 2 h of heat, 4 h without
        end_air, end_mass, low = step_hour(air, mass, -15.0, fraction, constants, 20.0)
        if fraction == 0.0:
            path = [_free_path(params, air, mass, -15.0, t) for t in np.linspace(0, 1, 61)]
            assert min(path) >= low - 0.05
        air, mass = end_air, end_mass


def _free_path(params, air, mass, outdoor, t):
    """The free-running air temperature t hours into an hour that starts at (air, mass)."""
    p = params.as_arrays()
    (a11, a12, a21, a22, det), (r_a, r_m) = _system(p)
    gain = p["gain_offset"]
    m11, m12, _, _ = _expm(a11, a12, a21, a22, det, t)
    return outdoor + gain + m11 * (air - outdoor - gain) + m12 * (mass - outdoor - gain * r_m / r_a)


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 1), st.floats(0, 1), st.floats(-25, 5))
def test_more_heat_never_gives_a_colder_room(f1, f2, outdoor):
    low_f, high_f = sorted((f1, f2))
    cold, _, _ = run(BLOCK, 48, outdoor, low_f, start=(np.array(12.0), np.array(10.0)))
    warm, _, _ = run(BLOCK, 48, outdoor, high_f, start=(np.array(12.0), np.array(10.0)))
    assert warm >= cold - 1e-9
    assert warm <= 20.0 + 1e-9  # the thermostat never overshoots the set-point


def test_reheating_time_matches_stepping_hour_by_hour():
    hours = float(reheat_hours(BLOCK, 168.0, -10.0, target=18.0))
    air, mass, _ = run(BLOCK, 168, -10.0, 0.0)
    stepped = 0
    while air < 18.0:
        air, mass, _ = run(BLOCK, 1, -10.0, 1.0, start=(air, mass))
        stepped += 1
    assert stepped - 1 < hours <= stepped
    weak = BuildingParameters(**{**BLOCK.as_arrays(), "heating_capacity": np.array(10.0)})
    assert np.isinf(reheat_hours(weak, 168.0, -10.0, target=18.0))
