"""Property: damaged input never escapes as anything but InvalidInputError or InputMissingError.

Random bytes, truncations and mutations of every fixture (tests/fuzz/mutations.py), read by the
reader of its family, and through ``gridimpact validate`` (CliRunner and a subprocess): exit 0, 65
or 66, never 1, never a traceback. The longer run is ``python -m tests.fuzz.run`` (docs/inputs.md).
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridimpact.cli import cli
from gridimpact.errors import InputMissingError, InvalidInputError
from tests.fuzz.mutations import Seed, binary_seeds, mutate, read, text_seeds

SEEDS = text_seeds()
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def container_seeds(tmp_path_factory) -> list[Seed]:
    return binary_seeds(tmp_path_factory.mktemp("containers"))


def read_damaged(seed: Seed, data: bytes, folder: Path) -> None:
    path = folder / seed.path.name
    path.write_bytes(data)
    try:
        read(seed.family, path)
    except (InvalidInputError, InputMissingError):
        pass


@FUZZ
@given(seed=st.sampled_from(SEEDS), data=st.binary(max_size=600))
def test_random_bytes_under_any_fixture_name(tmp_path_factory, seed, data):
    read_damaged(seed, data, tmp_path_factory.mktemp("bytes"))


@FUZZ
@given(seed=st.sampled_from(SEEDS), fraction=st.floats(0, 1))
def test_truncations_of_every_fixture(tmp_path_factory, seed, fraction):
    original = seed.path.read_bytes()
    read_damaged(seed, original[: int(len(original) * fraction)], tmp_path_factory.mktemp("cut"))


@FUZZ
@given(seed=st.sampled_from(SEEDS), number=st.integers(0, 2**32), rounds=st.integers(1, 4))
def test_mutations_of_every_fixture(tmp_path_factory, seed, number, rounds):
    data, _ = mutate(seed.path.read_bytes(), random.Random(number), rounds)
    read_damaged(seed, data, tmp_path_factory.mktemp("mutated"))


@FUZZ
@given(pick=st.integers(0, 100), number=st.integers(0, 2**32), rounds=st.integers(1, 3))
def test_mutations_of_workbooks_netcdf_zip_and_gzip(tmp_path_factory, container_seeds, pick, number, rounds):
    seed = container_seeds[pick % len(container_seeds)]
    data, _ = mutate(seed.path.read_bytes(), random.Random(number), rounds)
    read_damaged(seed, data, tmp_path_factory.mktemp("container"))


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), number=st.integers(0, 2**32))
def test_validate_never_exits_1_on_a_damaged_file(tmp_path_factory, seed, number):
    data, how = mutate(seed.path.read_bytes(), random.Random(number), 2)
    path = tmp_path_factory.mktemp("cli") / seed.path.name
    path.write_bytes(data)
    args = ["validate", f"--{seed.family}", str(path)] + (["--region", "UA80"] if seed.family == "outages" else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 65, 66), (how, result.output)
    assert "Traceback" not in result.output and "report it as a bug" not in result.output


@pytest.mark.parametrize("family, name", [("outages", "reports_iso.csv"), ("temperature", "tidy_hourly.csv"),
                                          ("population", "cod_ps_ukr_adm1_2022.csv")])
def test_validate_in_a_subprocess_gives_65_without_a_traceback(tmp_path, family, name):
    seed = Seed(family, Path(__file__).parent / "fixtures" / family / name)
    data, _ = mutate(seed.path.read_bytes(), random.Random(7), 3)
    path = tmp_path / name
    path.write_bytes(b'"' + data)  # an unclosed quote at the start: the whole file is one cell
    done = subprocess.run([sys.executable, "-m", "gridimpact", "validate", f"--{family}", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (65, 66), done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
