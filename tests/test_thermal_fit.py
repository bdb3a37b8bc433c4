"""The thermal calibration: reproducible, recovers known parameters, and reproduces the reports."""

import csv
import hashlib
import importlib.util
import os
import subprocess
import sys
import tomllib

import numpy as np
import pandas as pd
import pytest

from gridimpact.io.readers.observations import load_observations
from gridimpact.model.calibration import (
    CoolingRows,
    cooling_rows,
    fit_extra_gain,
    fit_one_node,
    fit_two_node,
    heating_capacity_for,
)
from gridimpact.model.thermal import BuildingParameters, cooling_run, reheat_hours
from gridimpact.model.thermal_fit import controlled_run, fit_thermal
from gridimpact.resources import data_dir, package_file

FIT_FILE = data_dir() / "thermal_fit.toml"


@pytest.fixture(scope="module")
def shipped():
    return tomllib.loads(FIT_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def observations():
    return load_observations()


def _script():
    spec = importlib.util.spec_from_file_location("fit_thermal_script", data_dir() / "fit_thermal.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_same(a, b, path="fit"):
    """Same structure and strings; numbers equal to the four significant digits written."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float | int) and not isinstance(a, bool):
        assert a == pytest.approx(b, rel=2e-3, abs=1e-6), path
    else:
        assert a == b, path


def test_refitting_the_shipped_observations_reproduces_the_shipped_fit(shipped, observations):
    script = _script()
    digest = hashlib.sha256((data_dir() / "observations.csv").read_bytes()).hexdigest()
    assert shipped["observations_sha256"] == digest, "observations.csv changed: run data/fit_thermal.py"
    result = fit_thermal(observations)
    draws = result.pop("joint_draws")
    again = tomllib.loads(script.render(result, digest))
    assert_same(again, shipped)
    # the ensembles' joint draws ship with the package and come from the same fit
    assert script.render_draws(draws, digest) == package_file("thermal_draws.csv").read_text(encoding="utf-8")


def test_controlled_runs_reproduce_the_calibration_reports_within_their_stated_range(shipped, observations):
    classes = shipped["classes"]
    indoor = observations[(observations["quantity"] == "indoor_temperature_c") & (observations["set"] == "calibration")]
    assert len(indoor) >= 6
    for row in indoor.itertuples(index=False):
        extra = shipped["gas_stove"]["extra_gain_k"] if row.supplementary_heat == "gas_stove" else 0.0
        run = float(controlled_run(classes, row.building_class, row.hours_without_heat, row.outdoor_temp_c, extra))
        assert row.value_low <= run <= row.value_high, (row.id, run, row.value_low, row.value_high)


def test_the_restart_capacity_reproduces_the_reported_reheating_time(shipped, observations):
    reheat = shipped["reheat"][0]
    row = observations.set_index("id").loc[reheat["id"]]
    values = {n: np.asarray(e["value"]) for n, e in shipped["classes"][row["building_class"]].items()}
    values["heating_capacity"] = np.asarray(reheat["restart_heating_capacity_k"])
    hours = float(reheat_hours(BuildingParameters(**values), row["hours_without_heat"], row["outdoor_temp_c"],
                               target=reheat["target_c"]))
    assert row["value_low"] <= hours <= row["value_high"]
    assert hours == pytest.approx(row["value"], rel=0.02)
    assert reheat["restart_heating_capacity_low_k"] < reheat["restart_heating_capacity_k"] < reheat["restart_heating_capacity_high_k"]


def test_one_capacity_cannot_fit_the_first_day_and_the_week_together(shipped, observations):
    rows = cooling_rows(observations)
    one, two = fit_one_node(rows), fit_two_node(rows)
    week = rows.ids.index("O053")
    assert not one.inside[week] and one.predicted[week] < rows.low[week]
    assert two.inside.all() and two.chi2 < one.chi2
    assert shipped["form"] == "two_node" and "O053" in shipped["decision"]
    # every sampled class parameter has a range that contains its value
    for name, entry in shipped["classes"]["panel_block"].items():
        assert entry["low"] <= entry["value"] <= entry["high"], name


def _synthetic_rows(building, hours, outdoor):
    truth = cooling_run(building, hours, outdoor)
    return CoolingRows(ids=tuple(f"S{i}" for i in range(len(hours))), value=truth, low=truth - 1.0,
                       high=truth + 1.0, hours=hours, outdoor=outdoor), truth


def test_the_fit_recovers_known_two_node_parameters():
    truth = BuildingParameters(tau_air_h=2.0, tau_mass_h=240.0, coupling=1.2, air_loss_share=0.5,
                               gain_offset=7.0, heating_capacity=45.0)
    hours = np.array([6.0, 19.0, 30.0, 72.0, 168.0, 264.0, 312.0, 500.0])
    outdoor = np.array([-13.0, -13.0, -10.0, -8.0, -13.0, -12.0, -12.0, -5.0])
    rows, _ = _synthetic_rows(truth, hours, outdoor)
    fit = fit_two_node(rows)
    assert fit.parameter("gain_offset")[0] == pytest.approx(7.0, rel=1e-4)
    assert fit.parameter("tau_mass_h")[0] == pytest.approx(240.0, rel=1e-4)
    assert fit.parameter("coupling")[0] == pytest.approx(1.2, rel=1e-4)
    assert fit.chi2 < 1e-10


def test_the_one_node_fit_recovers_a_single_exponential():
    hours = np.array([10.0, 24.0, 48.0, 96.0, 200.0])
    outdoor = np.full(5, -10.0)
    value = -10.0 + 5.0 + (20.0 - (-10.0 + 5.0)) * np.exp(-hours / 60.0)
    rows = CoolingRows(ids=tuple("abcde"), value=value, low=value - 1, high=value + 1, hours=hours, outdoor=outdoor)
    fit = fit_one_node(rows)
    assert fit.parameter("tau_h")[0] == pytest.approx(60.0, rel=1e-4)
    assert fit.parameter("gain_offset")[0] == pytest.approx(5.0, rel=1e-4)


def test_the_extra_gain_and_the_restart_capacity_invert_their_runs():
    building = BuildingParameters(tau_air_h=2.0, tau_mass_h=200.0, coupling=1.4, air_loss_share=0.5,
                                  gain_offset=9.0, heating_capacity=45.0)
    hours, outdoor = np.array([30.0, 400.0]), np.array([-10.0, -11.0])
    value = cooling_run(building, hours, outdoor, extra_gain=3.5)
    rows = CoolingRows(ids=("g1", "g2"), value=value, low=value - 1, high=value + 1, hours=hours, outdoor=outdoor)
    gain, _, predicted = fit_extra_gain(building, rows)
    assert gain == pytest.approx(3.5, rel=1e-9) and predicted == pytest.approx(value)
    capacity = heating_capacity_for(building, 48.0, 360.0, -9.0)
    again = BuildingParameters(**{**building.as_arrays(), "heating_capacity": np.array(capacity)})
    assert float(reheat_hours(again, 360.0, -9.0)) == pytest.approx(48.0, rel=1e-4)


def test_the_script_refits_a_users_file(tmp_path, observations):
    source = data_dir() / "observations.csv"
    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame.loc[frame["id"] == "O050", "value"] = "11"  # a user's corrected reading
    users = tmp_path / "mine.csv"
    frame.to_csv(users, index=False)
    output = tmp_path / "fit.toml"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(data_dir().parent), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run([sys.executable, str(data_dir() / "fit_thermal.py"), "--observations", str(users),
                           "--output", str(output), "--draws-output", str(tmp_path / "draws.csv")], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    fitted = tomllib.loads(output.read_text(encoding="utf-8"))
    assert fitted["observations_sha256"] == hashlib.sha256(users.read_bytes()).hexdigest()
    check = {c["id"]: c for c in fitted["checks"]}
    assert check["O050"]["observed"] == 11.0


def test_power_dependence_parameters_have_unit_range_and_known_sources():
    with open(data_dir() / "sources.csv", encoding="utf-8", newline="") as handle:
        known = {row["id"] for row in csv.DictReader(handle)}
    document = tomllib.loads((data_dir() / "power_dependence.toml").read_text(encoding="utf-8"))
    entries = {k: v for k, v in document.items() if isinstance(v, dict)}
    assert {"backup_power_share", "district_pump_dependence"} <= entries.keys()
    for name, entry in entries.items():
        low, high = entry["range"]
        assert low <= entry["value"] <= high, name
        assert entry["unit"] and entry["derivation"].strip() and entry["confidence"], name
        assert entry["sources"] and set(entry["sources"]) <= known, name
    # the range covers most of the stock depending on building power (the city's statements)
    assert entries["district_pump_dependence"]["range"][1] > 0.5


def test_reports_from_one_capacity_keep_the_simpler_form():
    truth = BuildingParameters(tau_air_h=30.0, tau_mass_h=30.0, coupling=1e7, air_loss_share=0.5,
                               gain_offset=6.0, heating_capacity=45.0)
    hours = np.array([12.0, 30.0, 60.0, 120.0, 200.0, 300.0])
    outdoor = np.array([-12.0, -10.0, -14.0, -8.0, -12.0, -11.0])
    value = cooling_run(truth, hours, outdoor)
    frame = pd.DataFrame({
        "id": [f"S{i}" for i in range(len(hours))], "set": "calibration", "quantity": "indoor_temperature_c",
        "value": value, "value_low": value - 1.0, "value_high": value + 1.0, "building_class": "panel_block",
        "supplementary_heat": "none", "hours_without_heat": hours, "outdoor_temp_c": outdoor,
    })
    result = fit_thermal(frame, draws=2000)
    assert result["form"] == "one_node", result["decision"]
    assert result["fits"]["one_node"]["values"] == pytest.approx([6.0, 60.0], rel=1e-3)
    panel = result["classes"]["panel_block"]
    assert panel["tau_mass_h"]["value"] + panel["tau_air_h"]["value"] == pytest.approx(60.0, rel=1e-3)
