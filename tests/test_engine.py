"""The engine on hand-built cases: supply state in, thermal hours, every metric of the catalogue out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridimpact.model.engine import Building, Exposure, Settings, simulate
from gridimpact.model.hazard import Hazard, loss_band_edges
from gridimpact.model.metrics import METRICS
from gridimpact.model.period import QUARTERS_PER_HOUR, Period
from gridimpact.model.thermal import relax
from gridimpact.vocab import SUBQUEUES

SETTINGS = Settings(rotation_block=4.0, bands=10, hdd_base=17.0, risk_share=0.01)
DAYS = 2
PERIOD = Period.of("2026-01-10", "2026-01-11")  # no clock change: 48 hours


def hazard(rotating=0.0, persistent=0.0, heat_lost=0.0, members=1, regions=1) -> Hazard:
    n = PERIOD.n_quarters
    full = lambda value: np.broadcast_to(np.asarray(value, dtype=float), (members, regions, n)).copy()  # noqa: E731
    rot, per, heat = full(rotating), full(persistent), full(heat_lost)
    edges = loss_band_edges(per[0], heat[0], SETTINGS.bands)
    return Hazard(tuple(f"UA{80 + r}" for r in range(regions)), PERIOD, rot, per, heat,
                  np.zeros((regions, len(SUBQUEUES), n)), np.zeros((regions, n), dtype=bool), edges)


def exposure(regions=1, *, heating=(0.0, 0.0, 1.0), independent=0.0, population=12_000.0) -> Exposure:
    """All people in panel blocks, split over the simulated heating classes as ``heating``."""
    weights = np.zeros((regions, 3, 3))
    weights[:, :, 0] = np.asarray(heating) * (1.0 - independent)
    return Exposure(tuple(f"UA{80 + r}" for r in range(regions)), np.full(regions, population),
                    np.full(regions, 0.25), weights, np.full(regions, independent), np.full(regions, population / 2))


# Blocks in the single-node limit (air and mass locked together, τ = 1 + 39 = 40 h), so that the
# closed forms of the exponential model apply; no backup power.
LOCKED = dict(tau_air=1.0, tau_mass_block=39.0, coupling_block=1e7, air_loss_share=0.5, gain_offset_block=5.0,
              tau_house=29.0, gain_offset_house=3.0, heating_capacity=45.0, heating_capacity_house=45.0, setpoint=20.0,
              district_pump_dependence=0.15, backup_power_share=0.0)
BUILDING = Building.from_values(LOCKED, 1)


def outdoor(value=-10.0, members=1, regions=1) -> np.ndarray:
    return np.full((members, regions, PERIOD.n_hours), value)


def run(h=None, e=None, out=None, **kwargs):
    return simulate(h or hazard(), outdoor() if out is None else out, e or exposure(), BUILDING, SETTINGS, **kwargs)


def test_every_metric_of_the_catalogue_is_computed():
    daily = run(hazard(rotating=0.5, persistent=0.2, heat_lost=0.3)).daily
    assert set(daily) == {m.name for m in METRICS}
    for name, values in daily.items():
        assert values.shape == (1, 1, DAYS), name
        assert not np.isnan(values).any(), f"{name} was declared but not computed"


def test_with_power_and_heat_nobody_is_affected_and_rooms_stay_at_the_setpoint():
    daily = run().daily
    for name in ("people_without_power", "people_without_heat", "people_below_12c", "person_hours_below_12c"):
        assert np.all(daily[name] == 0), name
    assert np.allclose(daily["min_indoor_temperature_c"], 20.0)
    assert np.all(daily["population"] == 12_000)


def test_a_whole_day_without_power_follows_the_closed_form_cooling():
    daily = run(hazard(persistent=1.0)).daily
    assert np.allclose(daily["people_without_power"], 12_000)
    assert np.allclose(daily["person_hours_without_power"][0, 0], 12_000 * 24)
    # Panel blocks, all heating power-dependent: every cohort relaxes toward −10 + 5 °C with τ = 40 h.
    expected = relax(20.0, -5.0, np.array([24.0, 48.0]), 40.0)
    assert np.allclose(daily["min_indoor_temperature_c"][0, 0], expected, atol=1e-3)


def test_rotating_outages_leave_that_share_of_people_without_power_on_average():
    daily = run(hazard(rotating=0.25)).daily
    assert np.allclose(daily["share_customers_without_power"], 0.25, atol=1e-6)
    assert np.allclose(daily["people_without_power"], 0.25 * 12_000, rtol=1e-6)


def test_district_heat_lost_at_the_plant_leaves_unpumped_buildings_without_heat_despite_power():
    daily = run(hazard(heat_lost=1.0), exposure(heating=(0.0, 1.0, 0.0))).daily
    assert np.allclose(daily["people_without_heat"], 12_000)
    assert np.all(daily["people_without_power"] == 0)


def test_independent_heating_keeps_its_people_out_of_the_cold_counts():
    daily = run(hazard(persistent=1.0), exposure(independent=0.5), outdoor(-25.0)).daily
    assert daily["people_below_12c"][0, 0, -1] == pytest.approx(6_000)


def test_heating_degree_days_and_outdoor_temperatures_are_daily_statistics():
    daily = run(out=outdoor(-3.0)).daily
    assert np.allclose(daily["heating_degree_days"], 20.0)
    assert np.allclose(daily["outdoor_temperature_mean_c"], -3.0)
    assert np.allclose(daily["outdoor_temperature_min_c"], -3.0)


def test_two_days_run_at_once_equal_one_day_continued_from_the_state():
    h = hazard(rotating=0.4, persistent=0.1)
    whole = run(h)
    first = run(h, days=range(0, 1))
    second = run(h, days=range(1, 2), state=first.state)
    for name in whole.daily:
        assert np.array_equal(whole.daily[name][..., 1], second.daily[name][..., 0]), name


@settings(max_examples=15, deadline=None)
@given(rotating=st.floats(0, 1), persistent=st.floats(0, 1), heat=st.floats(0, 1),
       temperature=st.floats(-30, 10))
def test_members_are_independent_of_how_many_run_together(rotating, persistent, heat, temperature):
    """A member's results do not depend on the other members in its block (bitwise)."""
    h2 = hazard(rotating=[[[rotating]], [[0.3]]], persistent=[[[persistent]], [[0.0]]],
                heat_lost=[[[heat]], [[0.5]]], members=2)
    out2 = np.stack([outdoor(temperature)[0], outdoor(-5.0)[0]])
    building2 = Building.from_values(LOCKED, 2)
    together = simulate(h2, out2, exposure(), building2, SETTINGS).daily
    alone = run(hazard(rotating, persistent, heat), out=outdoor(temperature)).daily
    for name in alone:
        assert np.array_equal(together[name][0], alone[name][0]), name


def test_counts_never_exceed_the_population_and_colder_thresholds_count_fewer():
    daily = run(hazard(rotating=0.7, persistent=0.3, heat_lost=0.4), out=outdoor(-20.0)).daily
    population = daily["population"]
    for name in ("people_without_power", "people_without_power_peak", "people_without_heat", "people_below_18c"):
        assert np.all(daily[name] <= population + 1e-6), name
    order = [daily[f"people_below_{t}c"] for t in (18, 16, 12, 9)]
    assert all(np.all(a >= b - 1e-9) for a, b in zip(order, order[1:], strict=False))
    assert np.all(daily["elderly_below_12c"] <= daily["people_below_12c"] + 1e-9)


def test_the_quarter_hour_grid_has_four_quarters_an_hour():
    assert PERIOD.n_quarters == PERIOD.n_hours * QUARTERS_PER_HOUR == 48 * 4
    assert list(PERIOD.day_hour_starts()) == [0, 24, 48]
    autumn = Period.of("2025-10-26", "2025-10-26")  # clocks go back: a 25-hour local day
    assert autumn.n_hours == 25
    assert PERIOD.day_of_quarter(96 * 1.5) == 1
    assert PERIOD.quarter_of(pd.Timestamp("2026-01-10 06:00", tz="Europe/Kyiv")) == 24
