"""The impact engine end to end on synthetic inputs: reference cases and invariants."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridimpact.api import estimate
from gridimpact.model.params import Params
from tests.synthetic import make_inputs, outage_reports, population_frame, temperature_frame

REGIONS = ("UA80", "UA63")
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(rows, temperature=-10.0, days=4, params=None, regions=REGIONS):
    inputs = make_inputs(outage_reports(rows), temperature_frame(regions, "2026-01-10", days, temperature),
                         population_frame(regions))
    return estimate(inputs, params, start="2026-01-10", end=f"2026-01-{9 + days}", hourly=False).daily


def test_no_outage_means_nobody_affected():
    daily = run([("UA80", "2026-01-10 00:00", None, "scheduled", 0.0, None)])
    assert (daily["people_without_power"] == 0).all()
    assert (daily["people_below_18c"] == 0).all()
    assert (daily["risk_level"] == "none").all()
    assert (daily["heating_degree_days"] == 27.0).all()  # 17 − (−10)


def test_a_total_blackout_reproduces_the_closed_form_for_power_dependent_heating():
    # Everyone off from the first hour; gas/electric heating fails, independent heating does not.
    # A house (one capacity, τ = τ_a + τ_m = 2 + 70.43 h) cools as −10 + 2 + (20 − (−8))·exp(−t/τ):
    # below 12 °C after t = τ·ln(28/20) = 24.4 h.
    daily = run([("UA80", "2026-01-10 00:00", None, "strike", 1.0, 0.0)], regions=("UA80",))
    first = daily.iloc[0]
    assert first["people_without_power"] == 1_000_000
    assert first["person_hours_without_power"] == 24_000_000
    tau = 2.0 + 70.43
    assert tau * math.log(28 / 20) < 48
    assert daily.iloc[1]["people_below_12c"] > 0
    # District heating without pumps keeps working: never below 18 °C.
    hourly = estimate(make_inputs(outage_reports([("UA80", "2026-01-10 00:00", None, "strike", 1.0, 0.0)]),
                                  temperature_frame(("UA80",), "2026-01-10", 4, -10.0), population_frame(("UA80",))),
                      start="2026-01-10", end="2026-01-13").hourly
    unpumped = hourly["indoor_temperature"].sel(region="UA80", heating_class="district_unpumped")
    assert float(unpumped.min()) == pytest.approx(20.0)
    house = hourly["indoor_temperature"].sel(region="UA80", heating_class="power_dependent", building="house")
    assert float(house.isel(time=23).max()) == pytest.approx(-8 + 28 * math.exp(-24 / tau), abs=1e-3)


def test_population_and_peaks_are_consistent():
    daily = run([
        ("UA80", "2026-01-10 00:00", None, "scheduled", 0.5, None),
        ("UA63", "2026-01-10 00:00", "2026-01-12 00:00", "strike", 0.3, 0.4),
    ])
    assert (daily["people_without_power"] <= daily["people_without_power_peak"]).all()
    assert (daily["people_without_power_peak"] <= daily["population"]).all()
    assert (daily["people_without_heat_peak"] <= daily["population"]).all()
    for a, b in [("people_below_9c", "people_below_12c"), ("people_below_12c", "people_below_16c"),
                 ("people_below_16c", "people_below_18c"), ("elderly_below_9c", "people_below_9c")]:
        assert (daily[a] <= daily[b]).all()
    kyiv = daily[daily["adm1_pcode"] == "UA80"]
    assert kyiv["people_without_power"].iloc[1] == pytest.approx(500_000, rel=1e-6)


share = st.floats(0.0, 1.0)


@SETTINGS
@given(scheduled=share, strike=share, heat=share)
def test_people_without_power_never_exceed_population(scheduled, strike, heat):
    daily = run([
        ("UA80", "2026-01-10 00:00", None, "scheduled", scheduled, None),
        ("UA80", "2026-01-10 12:00", "2026-01-12 00:00", "strike", strike, heat),
    ], regions=("UA80",), days=3)
    assert (daily["people_without_power_peak"] <= daily["population"]).all()
    assert (daily["people_without_heat_peak"] <= daily["population"]).all()
    assert (daily["people_without_power"] >= 0).all()


RISK_ORDER = {"none": 0, "moderate": 1, "high": 2, "severe": 3}


@SETTINGS
@given(base=st.floats(0.0, 0.9), extra=st.floats(0.0, 0.5), heat=st.floats(0.0, 0.8))
def test_more_outage_never_lowers_risk(base, extra, heat):
    rows = lambda s: [("UA80", "2026-01-10 00:00", None, "strike", s, heat)]  # noqa: E731
    less = run(rows(base), regions=("UA80",), days=3)
    more = run(rows(min(1.0, base + extra)), regions=("UA80",), days=3)
    for column in ("people_below_16c", "people_below_12c", "people_below_9c", "person_hours_without_power"):
        assert (more[column].to_numpy() >= less[column].to_numpy() - 1).all()
    assert (more["risk_level"].map(RISK_ORDER).to_numpy() >= less["risk_level"].map(RISK_ORDER).to_numpy()).all()


@SETTINGS
@given(outdoor=st.floats(-25.0, 5.0), colder=st.floats(0.0, 15.0), share_off=st.floats(0.0, 1.0))
def test_colder_weather_never_lowers_risk(outdoor, colder, share_off):
    rows = [("UA80", "2026-01-10 00:00", None, "scheduled", share_off, None)]
    warm = run(rows, temperature=outdoor, regions=("UA80",), days=3)
    cold = run(rows, temperature=outdoor - colder, regions=("UA80",), days=3)
    for column in ("people_below_18c", "people_below_12c", "people_below_9c"):
        assert (cold[column].to_numpy() >= warm[column].to_numpy() - 1).all()
    assert (cold["risk_level"].map(RISK_ORDER).to_numpy() >= warm["risk_level"].map(RISK_ORDER).to_numpy()).all()


def test_row_order_of_reports_does_not_change_the_estimate():
    rows = [
        ("UA80", "2026-01-10 00:00", None, "scheduled", 0.5, None),
        ("UA80", "2026-01-11 00:00", None, "scheduled", 0.25, None),
        ("UA63", "2026-01-10 06:00", "2026-01-11 18:00", "strike", 0.4, 0.3),
        ("UA63", "2026-01-10 00:00", None, "emergency", 0.2, None),
    ]
    forward = run(rows)
    backward = run(rows[::-1])
    assert forward.equals(backward)


def test_parameters_change_the_result_in_the_expected_direction():
    rows = [("UA80", "2026-01-10 00:00", None, "strike", 0.5, 0.5)]
    slow = run(rows, regions=("UA80",), params=Params.defaults().replace(tau_mass_block=538, coupling_block=3.6, tau_house=88))
    fast = run(rows, regions=("UA80",), params=Params.defaults().replace(tau_mass_block=34, coupling_block=0.92, tau_house=53))
    assert fast["people_below_12c"].sum() > slow["people_below_12c"].sum()
    assert np.isfinite(fast["min_indoor_temperature_c"]).all()
