"""Controlled cooling runs of the engine, with its default parameters, against the calibration reports.

Each indoor report of the calibration set is rerun through ``engine.simulate``: a hand-built hazard
with district heat lost at the plant for the report's hours, at its outdoor temperature, everyone in
the reported building class. The engine's air temperature after those hours must lie inside the
report's stated range, as the fit's closed-form runs do (data/thermal_fit.toml, checks).
"""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from gridimpact.io.readers.observations import load_observations
from gridimpact.model.calibration import cooling_rows
from gridimpact.model.engine import Building, Exposure, Settings, simulate
from gridimpact.model.hazard import Hazard
from gridimpact.model.params import Params, specs
from gridimpact.model.period import Period
from gridimpact.resources import data_dir
from gridimpact.vocab import BUILDING_CLASSES, SUBQUEUES

SETTINGS = Settings(rotation_block=4.0, bands=10, hdd_base=17.0, risk_share=0.01)
OBSERVATIONS = load_observations(data_dir() / "observations.csv")


def engine_cooling_run(hours: float, outdoor_c: float, building_class: str) -> float:
    """Air temperature (°C) the engine gives after ``hours`` without district heat at ``outdoor_c``."""
    days = int(np.ceil(hours / 24)) + 1
    period = Period.of("2026-01-05", str(np.datetime64("2026-01-05") + days - 1))
    n = period.n_quarters
    hazard = Hazard(("UA80",), period, np.zeros((1, 1, n)), np.zeros((1, 1, n)), np.ones((1, 1, n)),
                    np.zeros((1, len(SUBQUEUES), n)), np.zeros((1, n), dtype=bool), np.array([[0.0, 1.0]]))
    weights = np.zeros((1, 3, 3))
    weights[0, 1, BUILDING_CLASSES.index(building_class)] = 1.0  # district heating without pumps
    exposure = Exposure(("UA80",), np.array([1000.0]), np.array([0.2]), weights, np.zeros(1), np.array([400.0]))
    building = Building.from_values(Params.defaults().to_dict(), 1)
    outdoor = np.full((1, 1, period.n_hours), outdoor_c)
    run = simulate(hazard, outdoor, exposure, building, SETTINGS, keep_hourly=True)
    # unpumped district class, the building class, any group and band; end of hour `hours`
    return float(run.hourly["indoor_temperature"][0, 1, BUILDING_CLASSES.index(building_class), 0, 0, int(hours) - 1])


def calibration_reports():
    rows = cooling_rows(OBSERVATIONS)
    classes = OBSERVATIONS.set_index("id")["building_class"]
    return [(i, classes[i], h, o, lo, hi) for i, h, o, lo, hi in
            zip(rows.ids, rows.hours, rows.outdoor, rows.low, rows.high, strict=True)]


@pytest.mark.parametrize(("row_id", "building_class", "hours", "outdoor", "low", "high"), calibration_reports())
def test_engine_reproduces_each_calibration_report_within_its_range(row_id, building_class, hours, outdoor, low, high):
    modelled = engine_cooling_run(hours, outdoor, building_class)
    assert low <= modelled <= high, f"{row_id}: {modelled:.2f} °C outside [{low}, {high}]"


def test_engine_agrees_with_the_fit_file_to_a_few_hundredths_of_a_kelvin():
    shipped = tomllib.loads((data_dir() / "thermal_fit.toml").read_text(encoding="utf-8"))
    for check in shipped["checks"]:
        building_class = OBSERVATIONS.set_index("id").loc[check["id"], "building_class"]
        modelled = engine_cooling_run(check["hours_without_heat"], check["outdoor_temp_c"], building_class)
        assert modelled == pytest.approx(check["two_node"], abs=0.02), check["id"]


def test_every_default_building_parameter_is_the_documented_fit():
    fit = tomllib.loads((data_dir() / "thermal_fit.toml").read_text(encoding="utf-8"))["classes"]
    names = {"gain_offset_block": ("panel_block", "gain_offset"), "tau_mass_block": ("panel_block", "tau_mass_h"),
             "coupling_block": ("panel_block", "coupling"), "tau_air": ("panel_block", "tau_air_h"),
             "air_loss_share": ("panel_block", "air_loss_share"), "tau_house": ("house", "tau_mass_h"),
             "heating_capacity": ("panel_block", "heating_capacity"), "gain_offset_house": ("house", "gain_offset")}
    for name, (building_class, key) in names.items():
        entry, spec = fit[building_class][key], specs()[name]
        assert (spec.value, spec.low, spec.high) == (entry["value"], entry["low"], entry["high"]), name
    power = tomllib.loads((data_dir() / "power_dependence.toml").read_text(encoding="utf-8"))
    for name in ("backup_power_share", "district_pump_dependence"):
        spec = specs()[name]
        assert (spec.value, [spec.low, spec.high], spec.sample) == (power[name]["value"], power[name]["range"], True)
