"""Parameters: every default documented and in range; overrides checked with clear errors."""

import numpy as np
import pytest

from gridimpact.errors import InputMissingError, ParameterError
from gridimpact.model.params import Params, load_params, parse_assignments, sample_params, specs


def test_every_parameter_has_unit_range_and_source_and_its_default_is_in_range():
    for spec in specs().values():
        assert spec.unit and spec.source and spec.description and spec.confidence
        assert spec.low <= spec.value <= spec.high, spec.name


def test_python_override_checks_range():
    assert Params.defaults().replace(tau_house=60).tau_house == 60.0
    with pytest.raises(ParameterError, match=r"tau_house.*outside its range \[52.32, 88.54\] h"):
        Params.defaults().replace(tau_house=500)


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ParameterError, match="unknown parameter 'tau_mass'.*tau_mass_block"):
        Params.defaults().replace(tau_mass=40)


def test_toml_override_file(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[params]\ntau_house = 65\nsetpoint = { value = 19.0 }\n', encoding="utf-8")
    params = load_params(path)
    assert (params.tau_house, params.setpoint) == (65.0, 19.0)
    assert params.changed() == {"tau_house": 65.0, "setpoint": 19.0}


def test_toml_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("tau_house = [", encoding="utf-8")
    with pytest.raises(ParameterError, match="bad.toml: not valid TOML"):
        load_params(bad)
    out_of_range = tmp_path / "range.toml"
    out_of_range.write_text("risk_share = 2\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="range.toml: parameter 'risk_share'"):
        load_params(out_of_range)
    with pytest.raises(InputMissingError):
        load_params(tmp_path / "missing.toml")


def test_integer_parameter_rejects_fractions():
    with pytest.raises(ParameterError, match="whole number"):
        Params.defaults().replace(district_heat_bands=2.5)


def test_command_line_assignments():
    assert parse_assignments(["tau_house=60", " setpoint = 19 "]) == {"tau_house": "60", "setpoint": "19"}
    params = load_params(parse_assignments(["tau_house=60,5"]))
    assert params.tau_house == 60.5  # a decimal comma is accepted
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_assignments(["tau_house"])


def test_sampling_stays_in_range_and_centres_on_the_value():
    rng = np.random.default_rng(1)
    values = sample_params(Params.defaults(), 20_000, rng)
    for name, spec in specs().items():
        if spec.sample and spec.joint:
            # from the fit's joint draws, whose 5–95 % range is the documented range
            inside = np.mean((values[name] >= spec.low) & (values[name] <= spec.high))
            assert 0.8 <= inside <= 0.97, name
        elif spec.sample:
            assert values[name].min() >= spec.low and values[name].max() <= spec.high
            # the mean of a triangular distribution is (low + mode + high) / 3
            assert values[name].mean() == pytest.approx((spec.low + spec.value + spec.high) / 3, rel=0.02)
        else:
            assert values[name] == spec.value
