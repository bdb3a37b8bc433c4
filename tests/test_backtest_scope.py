"""The back-test compares like with like: a report's scope (any cause, or damage only) and its time
of day select the hazard component and the hour it is matched with (hand-computed values)."""

from __future__ import annotations

import csv
import subprocess
import sys

import numpy as np
import pytest

from gridimpact.api import estimate
from gridimpact.backtest import ZERO_FLOOR, backtest
from gridimpact.io.readers.observations import COLUMNS, load_observations
from gridimpact.model.supply_replay import hours_of
from tests.synthetic import make_inputs, outage_reports, population_frame, temperature_frame

POPULATION = 1_000_000.0
CUSTOMERS = POPULATION / 2.5           # tests.synthetic.population_frame
DISTRICT_PEOPLE = 0.6 * POPULATION     # share_district of the synthetic population


def synthetic_case(population=None):
    """Kyiv, 10 January from 06:00: 30 % in emergency rotation, 10 % cut by damage, 5 % of district
    heat lost; nothing on 11 January."""
    rows = [
        ("UA80", "2026-01-10 06:00", "2026-01-11 00:00", "emergency", 0.3, None),
        ("UA80", "2026-01-10 06:00", "2026-01-11 00:00", "strike", 0.1, None),
        ("UA80", "2026-01-10 06:00", "2026-01-11 00:00", "strike", None, 0.05),
    ]
    population = population if population is not None else population_frame(["UA80"], POPULATION)
    return make_inputs(outage_reports(rows), temperature_frame(["UA80"], "2026-01-10", 3, -5.0), population)


def observations_file(path, rows):
    blank = dict.fromkeys(COLUMNS, "")
    base = dict(blank, set="validation", pcode="UA80", source="test", confidence="M")
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(dict(base, **row) for row in rows)
    return path


ROWS = [
    dict(id="D1", date="2026-01-10", time="12:00", scope="damage", quantity="customers_without_power",
         value="30000", unit="customers"),
    dict(id="A1", date="2026-01-10", time="12:00", scope="all", quantity="customers_without_power",
         value="150000", unit="customers"),
    dict(id="A2", date="2026-01-10", scope="all", quantity="share_customers_without_power", value="0.3", unit="1"),
    dict(id="H1", date="2026-01-10", time="evening", scope="damage", quantity="buildings_without_heat",
         value="120", unit="buildings", persons_per_building="200"),
    dict(id="H2", date="2026-01-10", time="03:00", scope="damage", quantity="buildings_without_heat",
         value="120", unit="buildings", persons_per_building="200"),
    dict(id="P1", date="2026-01-10", time="morning", scope="damage", quantity="people_without_heat",
         value="30000", unit="persons"),
    dict(id="Z1", date="2026-01-11", time="12:00", scope="damage", quantity="customers_without_power",
         value="5000", unit="customers"),
    dict(id="N1", date="2026-01-10", quantity="hours_without_power_per_day", value="8", unit="h/day"),
]


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    path = observations_file(tmp_path_factory.mktemp("scope") / "obs.csv", ROWS)
    return backtest(synthetic_case(), path, regions=["UA80"], members=1).rows.set_index("id")


def test_damage_counts_compare_with_the_persistent_share_and_all_with_every_cause(rows):
    assert rows.loc["D1", "model"] == pytest.approx(0.1 * CUSTOMERS)
    assert rows.loc["A1", "model"] == pytest.approx((0.3 + 0.1) * CUSTOMERS)   # shares add (combine_outages)
    assert rows.loc["D1", "log_error"] == pytest.approx(np.log(0.1 * CUSTOMERS / 30000))


def test_a_report_without_time_is_the_days_mean_within_the_spread_of_its_hours(rows):
    assert rows.loc["A2", "model"] == pytest.approx(0.4 * 18 / 24)
    assert rows.loc["A2", "model_p10"] == pytest.approx(0.0)
    assert rows.loc["A2", "model_p90"] == pytest.approx(0.4)
    assert rows.loc["N1", "model"] == pytest.approx(0.4 * 18 / 24 * 24)


def test_heat_network_losses_are_matched_at_the_reported_hour(rows):
    assert rows.loc["H1", "model"] == pytest.approx(0.05 * DISTRICT_PEOPLE / 200)  # 19:00
    assert rows.loc["P1", "model"] == pytest.approx(0.05 * DISTRICT_PEOPLE)        # 08:00
    # the morning window (06 … 10) starts with the loss, so its range is that single level
    assert rows.loc["P1", "model_p10"] == pytest.approx(0.05 * DISTRICT_PEOPLE)
    # at 03:00 the loss has not happened yet: a zero model against a positive report is a miss
    assert rows.loc["H2", "model"] == 0.0 and bool(rows.loc["H2", "model_zero"])
    assert rows.loc["H2", "log_error"] == pytest.approx(np.log(ZERO_FLOOR))
    assert bool(rows.loc["H2", "matched"])


def test_a_zero_model_against_a_positive_report_is_counted_not_dropped(rows):
    assert bool(rows.loc["Z1", "model_zero"]) and bool(rows.loc["Z1", "matched"])


def test_the_customer_base_range_widens_the_range_of_shares_turned_into_counts(tmp_path):
    population = population_frame(["UA80"], POPULATION).assign(customers_low=0.8 * CUSTOMERS,
                                                               customers_high=1.2 * CUSTOMERS)
    path = observations_file(tmp_path / "obs.csv", ROWS[:1])
    row = backtest(synthetic_case(population), path, regions=["UA80"], members=1).rows.iloc[0]
    assert row["model"] == pytest.approx(0.1 * CUSTOMERS)
    assert 0.8 * 0.1 * CUSTOMERS < row["model_p10"] < row["model"] < row["model_p90"] < 1.2 * 0.1 * CUSTOMERS


@pytest.mark.parametrize(("time", "hours", "centre"), [
    ("12:00", [12], 12), ("18:30", [18], 18), ("morning", [6, 7, 8, 9, 10], 8),
    ("evening", [17, 18, 19, 20, 21], 19), ("night", [1, 2, 3, 4, 5], 3), (None, list(range(24)), None),
])
def test_a_reports_time_is_an_hour_or_a_documented_window(time, hours, centre):
    assert hours_of(time) == (hours, centre)


def test_every_shipped_observation_states_what_it_counts():
    table = load_observations()
    assert set(table["scope"]) == {"all", "damage"}
    heat_network = table[table["quantity"] == "buildings_without_heat"]
    assert (heat_network["scope"] == "damage").all()


def test_the_shipped_heat_network_echoes_come_back_exactly_at_their_hour():
    """Kyiv's 1,200 buildings at 18:00 on 23 January and 6,000 on the morning of 24 January feed
    outages.csv: matched at that hour with the heat-loss component they come back to within 0.5 %."""
    rows = backtest(regions=["UA80"], members=1).rows.set_index("id")
    for row_id in ("O066", "O068", "O036"):
        assert abs(rows.loc[row_id, "log_error"]) < 0.005, rows.loc[row_id]


def test_the_calibration_reports_come_back_within_their_stated_range():
    """Every calibration row (indoor reports without and with a gas stove, the re-heating time) is
    reproduced by its controlled run within the report's own uncertainty."""
    observations = load_observations().set_index("id")
    rows = backtest(regions=["UA80"], members=1).rows.set_index("id")
    calibration = rows[rows["set"] == "calibration"]
    assert len(calibration) >= 8 and calibration["matched"].all()
    for row_id, row in calibration.iterrows():
        low, high = observations.loc[row_id, ["value_low", "value_high"]]
        assert low <= row["model"] <= high, (row_id, row["model"], low, high)


def test_counts_of_people_for_any_cause_are_the_estimates_hourly_people(tmp_path):
    rows = [dict(id="P2", date="2026-01-10", time="12:00", scope="all", quantity="people_without_heat",
                 value="200000", unit="persons"),
            dict(id="W1", date="2026-01-10", time="12:00", quantity="people_without_power",
                 value="300000", unit="persons")]
    path = observations_file(tmp_path / "obs.csv", rows)
    matched = backtest(synthetic_case(), path, regions=["UA80"], members=1).rows.set_index("id")
    hourly = estimate(synthetic_case(), regions=["UA80"]).hourly
    noon = np.datetime64("2026-01-10T10:00")  # 12:00 in Kyiv (UTC+2), the hourly dataset's UTC clock
    for row_id, name in (("P2", "people_without_heat"), ("W1", "people_without_power")):
        expected = float(hourly[name].sel(region="UA80", time=noon))
        assert matched.loc[row_id, "model"] == pytest.approx(expected), row_id
    assert matched.loc["P2", "model"] > 0.05 * DISTRICT_PEOPLE  # power cuts stop heating too


def test_a_bad_scope_through_the_command_is_exit_65_naming_line_and_column(tmp_path):
    """As a subprocess: the message names the file, line and column, and there is no traceback."""
    path = observations_file(tmp_path / "scoped.csv", [dict(ROWS[0], scope="rotation")])
    done = subprocess.run([sys.executable, "-m", "gridimpact", "backtest", "--observations", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 65, done.stderr
    output = done.stdout + done.stderr
    assert "scoped.csv" in output and "line 2" in output and "scope" in output
    assert "Traceback" not in output
