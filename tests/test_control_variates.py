"""The control-variate correction of the expected change (``model.control_variates``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import gridimpact
from gridimpact.io.readers.scenarios import load_scenario
from gridimpact.model.block_draws import member_rng
from gridimpact.model.control_variates import (
    CONTROLS,
    ControlFit,
    expected_spared,
    member_controls,
    spared,
    usable_controls,
)
from gridimpact.model.period import Period
from gridimpact.model.regional import regional_slots
from gridimpact.model.strikes import draw_member, strike_capacity

REGIONS = ("UA80", "UA51", "UA63", "UA14")
PERIOD = Period.of("2026-01-25", "2026-02-12")
SWITCH = PERIOD.quarter_of(pd.Timestamp("2026-01-30", tz="Europe/Kyiv"))


def test_a_change_that_is_a_line_in_the_controls_comes_back_exactly_at_their_known_mean():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 2, size=(64, 1, 1))             # members, units, controls
    values = 3.0 * x[:, :, 0] + 1.0                     # no noise: all luck is in the control
    fixed, extra = ControlFit(x, np.array([[1.0]]), np.zeros((1, 1, 1))).correct(values)
    assert np.allclose(fixed, 4.0)                      # 3 · E[x] + 1 for every member
    assert extra[0] == 0.0
    assert abs(values.mean() - 4.0) > 0.01              # the plain mean had the draw's luck


def test_the_known_mean_s_own_error_is_carried_into_the_variance():
    x = np.linspace(0, 1, 40)[:, None, None]
    values = 2.0 * x[:, :, 0]
    _, extra = ControlFit(x, np.array([[0.5]]), np.full((1, 1, 1), 0.01)).correct(values)
    assert extra[0] == pytest.approx(4.0 * 0.01)        # β² · Var(known mean)


def test_a_unit_whose_controls_do_not_vary_keeps_its_values():
    values = np.arange(20.0).reshape(10, 2)
    controls = np.zeros((10, 2, len(CONTROLS)))
    fixed, extra = ControlFit(controls, np.zeros((2, len(CONTROLS)))).correct(values)
    assert np.array_equal(fixed, values) and not extra.any()


def test_a_change_exactly_linear_in_the_controls_has_no_standard_error_but_the_known_mean_s():
    x = np.random.default_rng(4).uniform(0, 2, size=(64, 1, 2))
    values = 3.0 * x[:, :, 0] - x[:, :, 1]
    mean, se = ControlFit(x, np.array([[1.0, 1.0]])).estimate(values)
    assert mean[0] == pytest.approx(2.0) and se[0] == pytest.approx(0.0, abs=1e-9)
    _, se = ControlFit(x, np.array([[1.0, 1.0]]), np.diag([0.01, 0.0])[None]).estimate(values)
    assert se[0] == pytest.approx(0.3)                   # √(β² · Var(known mean)) = 3 · 0.1


def test_the_jackknife_standard_error_matches_the_spread_of_the_estimates():
    """400 ensembles of 40 members, 8 controls and skewed noise: the stated error is the real one
    (or a little above it), where the residuals' own spread understates it by a fifth."""
    rng = np.random.default_rng(11)
    estimates, errors, residual = [], [], []
    for _ in range(400):
        x = rng.uniform(0, 1, size=(40, 1, 8))
        values = 5.0 * x[:, :, 0] + x[:, :, 1] * x[:, :, 2] * 4.0 + rng.exponential(1.0, size=(40, 1))
        fit = ControlFit(x, np.full((1, 8), 0.5))
        mean, se = fit.estimate(values)
        estimates.append(mean[0])
        errors.append(se[0])
        residual.append(fit.correct(values)[0][:, 0].std(ddof=1) / np.sqrt(40))
    spread = np.std(estimates)
    assert np.mean(estimates) == pytest.approx(2.5 + 1.0 + 1.0, abs=0.03)   # unbiased
    assert 0.95 * spread < np.mean(errors) < 1.25 * spread
    assert np.mean(residual) < 0.85 * spread


def test_parameters_enter_the_controls_through_the_spared_hits():
    strikes = np.arange(12.0).reshape(2, 3, 2)                  # members, regions, controls
    parameters = np.array([[1.0, -1.0], [0.5, 2.0]])            # members, centred parameters
    controls = member_controls(strikes, parameters)
    assert controls.shape == (2, 3, 4)
    assert np.array_equal(controls[..., :2], strikes)
    assert np.array_equal(controls[1, 2, 2:], strikes[1, 2, 0] * parameters[1])


def test_the_known_mean_equals_the_mean_over_members_draws():
    """E[X] from the process's definition against X averaged over 1,024 members' own draws."""
    scenario = load_scenario("announced-pause")
    capacity = strike_capacity(scenario.strikes, 20)
    slots = regional_slots(scenario.strikes.regional, capacity * scenario.strikes.interval_days[0])
    rows = []
    for member in range(1024):
        times, effects, _, windows, _ = draw_member(scenario, REGIONS, PERIOD, SWITCH, capacity,
                                                     member_rng(5, member, "strikes"), member_rng(5, member, "pause"))
        rows.append(spared(windows[0][None], times[None], {k: v[None] for k, v in effects.items()},
                           scenario.pauses[0].outcomes, times.shape[0] - len(scenario.events),
                           float(PERIOD.n_quarters))[0])
    members = np.stack(rows)                                                 # (members, R, 4)
    mean, covariance = expected_spared(scenario, REGIONS, PERIOD, SWITCH, capacity, slots, seed=5)
    error = members.std(axis=0) / np.sqrt(len(members))                       # overstates Sobol' error
    known = np.sqrt(np.einsum("rii->ri", covariance))
    assert (mean > 0).all()
    assert (np.abs(members.mean(axis=0) - mean) <= 4 * (error + known)).all()


def test_the_comparison_s_power_change_has_a_small_standard_error():
    """The spared strikes explain nearly all of the members' spread in person-hours without power."""
    result = gridimpact.compare(seed=2)
    c = result.comparison
    power = c[(c.metric == "person_hours_without_power") & (c.adm1_pcode != "ALL")]
    assert (power.difference < 0).all()
    assert (power.difference_se < 0.03 * power.difference.abs()).all()


def test_a_fit_takes_only_as_many_controls_as_its_members_with_a_spared_strike_can_carry():
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 1, size=(128, 13))
    assert usable_controls(x) == 13                     # 128 ≥ 4 · 13 + 2
    x[40:, 0] = 0.0                                      # 40 members with a spared strike
    assert usable_controls(x) == len(CONTROLS)          # < 54, ≥ 18: the four spared-strike controls
    x[12:, 0] = 0.0
    assert usable_controls(x) == 0                      # 12 < 18: no fit
    values = rng.normal(size=(128, 1)) + x[:, :1] * 5.0
    fixed, _ = ControlFit(x[:, None, :], np.zeros((1, 13))).correct(values)
    assert np.array_equal(fixed, values)                # left as they are


def test_a_small_ensemble_of_a_short_pause_is_not_thrown_off_by_its_fit():
    """32 members of the Kremlin version (two days, Kyiv only): before the rule the fit on a dozen
    spared strikes gave −37,000 ± 12.5 million person-days below 12 °C and positive changes if held."""
    c = gridimpact.compare(scenarios="kremlin-statement", members=32).comparison
    cold = c[(c.adm1_pcode == "UA80") & (c.metric == "people_below_12c")].iloc[0]
    assert cold.difference < 0 and cold.difference_se < 0.5 * abs(cold.difference)
    harmful = c[~c.metric.isin(["min_indoor_temperature_c"]) & (c.adm1_pcode == "UA80")]
    assert (harmful.difference_if_held <= harmful.difference_if_held_se).all()


def test_one_member_gives_no_standard_error_rather_than_zero():
    c = gridimpact.compare(members=1, days=2).comparison
    assert c["difference_se"].isna().all()
