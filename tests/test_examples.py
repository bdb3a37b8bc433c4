"""The examples run end to end from a clean folder, with few members."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from click.testing import CliRunner

from gridimpact.cli import cli
from gridimpact.io.readers.scenarios import load_scenario
from gridimpact.regenerate.run import regenerate
from gridimpact.resources import data_dir

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MEMBERS = "3"


def run_script(script: Path, *args: str, cwd: Path) -> list[str]:
    """Run an example as a user would; returns the lines it printed."""
    done = subprocess.run([sys.executable, str(script), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


# --- report.py ----------------------------------------------------------------------------------------

def test_report_script_plain(tmp_path):
    printed = run_script(EXAMPLES / "report.py", "plain", "--members", MEMBERS, "--plain", cwd=tmp_path)
    assert printed == ["plain/report.md", "plain/people-below-12c.png"]
    text = (tmp_path / "plain" / "report.md").read_text(encoding="utf-8")
    assert f"with {MEMBERS} ensemble members (seed 20260129)" in text
    rows = [line for line in text.splitlines() if line.startswith("| people_below_12c |")]
    assert len(rows) == 1 and rows[0].count("|") == 8
    assert "| expected change ± SE |" in text and "median" not in text.split("## All regions")[1].split("![")[0]
    assert "![people below 12 °C indoors](people-below-12c.png)" in text
    assert (tmp_path / "plain" / "people-below-12c.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_script_default_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDIMPACT_EXAMPLE_MEMBERS", MEMBERS)
    printed = run_script(EXAMPLES / "report.py", cwd=tmp_path)
    assert printed and all((tmp_path / line).is_file() for line in printed)
    assert (tmp_path / "report-out" / "report.md").stat().st_size > 0
    assert any(line.endswith(".png") for line in printed)


# --- custom-scenario.toml -----------------------------------------------------------------------------

def test_custom_scenario_pauses_kharkiv_and_odesa_only():
    scenario = load_scenario(EXAMPLES / "custom-scenario.toml")
    assert scenario.name == "kharkiv-odesa-pause" and scenario.days == 21
    (pause,) = scenario.pauses
    assert pause.regions == ("UA63", "UA51")
    assert (pause.holds_probability, pause.suppressed) == (0.5, "defer")
    assert (pause.end - pause.start).days == 14
    assert scenario.strikes == load_scenario("no-pause").strikes  # the rest comes from the baseline


def test_custom_scenario_runs_with_the_documented_command(tmp_path):
    command = "gridimpact compare -s no-pause -s examples/custom-scenario.toml"
    assert command in (EXAMPLES / "custom-scenario.toml").read_text(encoding="utf-8")
    args = shlex.split(command)[1:]
    args[args.index("examples/custom-scenario.toml")] = str(EXAMPLES / "custom-scenario.toml")
    result = CliRunner().invoke(cli, [*args, "--members", MEMBERS, "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    comparison = pd.read_csv(tmp_path / "comparison.csv")
    assert set(comparison["scenario"]) == {"kharkiv-odesa-pause"}
    # Kyiv and Donetsk have no pause: every member sees the same strikes there in both scenarios.
    unpaused = comparison[comparison["adm1_pcode"].isin(["UA80", "UA14"])]
    assert (unpaused["difference"] == 0).all() and (unpaused["difference_p90"] == 0).all()
    impacts = pd.read_csv(tmp_path / "impacts.csv")
    assert impacts["date"].nunique() == 21


# --- regenerate.toml and the workflow -----------------------------------------------------------------

def test_regenerate_config_runs(tmp_path):
    for name in ("regenerate.toml", "custom-scenario.toml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    config = tmp_path / "regenerate.toml"
    text = config.read_text(encoding="utf-8")
    assert "17 6 * * * cd /srv/gridimpact && gridimpact regenerate examples/regenerate.toml" in text
    config.write_text(text.replace("members = 128", f"members = {MEMBERS}"), encoding="utf-8")
    paths = regenerate(config)
    out = tmp_path / "out"
    names = {p.relative_to(out).as_posix() for p in paths}
    for table in ("impacts", "comparison"):
        assert {f"{table}.{suffix}" for suffix in ("csv", "parquet", "json", "md")} <= names
    assert {"comparison.xlsx", "report/report.md", "datapackage.json"} <= names
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    scenario_inputs = [i for i in package["gridimpact:inputs"] if i["role"] == "scenario"]
    assert [i["path"] for i in scenario_inputs] == ["custom-scenario.toml"]
    run = package["gridimpact:run"]
    assert [s["name"] for s in run["scenarios"]] == ["no-pause", "announced-pause", "kharkiv-odesa-pause"]
    assert (run["days"], run["members"]) == (21, int(MEMBERS))


def test_github_workflow_runs_the_example_and_uploads_its_folder():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((EXAMPLES / "github-workflow.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    (schedule,) = triggers["schedule"]
    minute, hour, *_ = schedule["cron"].split()
    assert int(minute) % 2 == 1 and 0 <= int(hour) < 24
    steps = workflow["jobs"]["regenerate"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "gridimpact regenerate examples/regenerate.toml" in runs
    config = tomllib.loads((EXAMPLES / "regenerate.toml").read_text(encoding="utf-8"))
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].rstrip("/") == f"examples/{config['outputs']['directory']}"


# --- own-data/ ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("own-data")
    printed = run_script(EXAMPLES / "own-data" / "make_sample_files.py", "sample-data", cwd=folder)
    assert printed == ["sample-data/era5-sample.nc", "sample-data/cod-ps-sample.csv"]
    return folder


def test_sample_netcdf_has_the_new_cds_layout(sample_files):
    path = sample_files / "sample-data" / "era5-sample.nc"
    assert path.read_bytes()[:4] == b"\x89HDF"
    with xr.open_dataset(path, engine="h5netcdf", decode_times=False) as dataset:
        assert dataset["t2m"].dims == ("valid_time", "latitude", "longitude")
        assert dataset["t2m"].attrs["units"] == "K" and dataset["t2m"].attrs["standard_name"] == "unknown"
        assert dataset["valid_time"].attrs["units"] == "seconds since 1970-01-01"
        assert np.all(np.diff(dataset["latitude"].to_numpy()) < 0)
        assert dataset["number"].ndim == 0
        assert set(dataset["expver"].to_numpy()) == {"0001", "0005"}
        assert 230 < float(dataset["t2m"].min()) and float(dataset["t2m"].max()) < 290


def test_sample_population_keeps_the_cod_ps_totals(sample_files):
    path = sample_files / "sample-data" / "cod-ps-sample.csv"
    frame = pd.read_csv(path, skiprows=[1])
    assert open(path, encoding="utf-8").read().splitlines()[1].startswith("#date+year,#country+code")
    embedded = pd.read_csv(data_dir() / "population_cod_ps_2022.csv").set_index("region")["population"]
    assert dict(zip(frame["ADM1_PCODE"], frame["T_TL"], strict=True)) == {
        code: embedded[code] for code in ("UA80", "UA51", "UA63", "UA14")}
    bands = [c for c in frame.columns if re.fullmatch(r"T_(\d\d_\d\d|80Plus)", c)]
    assert len(bands) == 17
    assert (frame[bands].sum(axis=1) == frame["T_TL"]).all()
    assert (frame["F_TL"] + frame["M_TL"] == frame["T_TL"]).all()


def readme_commands() -> list[list[str]]:
    """The gridimpact commands of own-data/README.md, continuation lines joined."""
    text = (EXAMPLES / "own-data" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    commands = [" ".join(block.replace("\\\n", " ").split()) for block in blocks]
    return [shlex.split(c) for c in commands if c.startswith("gridimpact ")]


def test_own_data_readme_commands_run(sample_files, monkeypatch):
    commands = readme_commands()
    assert [c[1] for c in commands] == ["validate", "compare"]
    monkeypatch.chdir(sample_files)
    outputs = []
    for command in commands:
        args = command[1:]
        if "--members" in args:
            args[args.index("--members") + 1] = MEMBERS
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert "OK: 2 file(s): 2 valid, 0 invalid" in outputs[0]
    assert "Window 2026-01-30 … 2026-02-12 (14 days)" in outputs[1]
