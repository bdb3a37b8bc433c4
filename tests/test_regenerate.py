"""Scheduled regeneration: configuration errors, outputs with datapackage.json, determinism,
atomic replacement on failure, the lock, and GitHub Actions annotations."""

from __future__ import annotations

import csv
import hashlib
import importlib
import json
import os
import stat
import warnings
from datetime import date
from pathlib import Path

import pytest
from filelock import FileLock
from hypothesis import given
from hypothesis import strategies as st

from gridimpact.errors import (
    InputMissingError,
    InvalidInputError,
    LockBusyError,
    MissingExtraError,
    OutputError,
    ParameterError,
)
from gridimpact.io.writers import tables as writers
from gridimpact.io.writers.datapackage import resource_name
from gridimpact.model.metrics import METRIC_BY_NAME
from gridimpact.regenerate.config import TODAY
from gridimpact.regenerate.run import load_config, regenerate
from gridimpact.resources import data_dir

regen = importlib.import_module("gridimpact.regenerate.run")

# A small, fast run: two regions, three compared days, two members.
SMALL_RUN = """
[run]
job = "compare"
members = 2
seed = 11
days = 3
regions = ["Kyiv", "Odesa"]
"""
OUTPUTS = """
[outputs]
directory = "out"
formats = ["csv", "json", "markdown", "parquet"]
hxl = true
"""


def write_config(folder: Path, text: str, name: str = "regenerate.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def small_config(folder: Path, extra_run: str = "", outputs: str = OUTPUTS) -> Path:
    return write_config(folder, SMALL_RUN + extra_run + outputs)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(folder: Path) -> set[str]:
    """What a run left beside its output folder, apart from the lock file (kept or removed on
    release depending on the filelock version)."""
    return {p.name for p in folder.iterdir()} - {".out.lock"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- configuration errors -----------------------------------------------------------------------------

def config_error(tmp_path: Path, text: str, kind=ParameterError):
    path = write_config(tmp_path, text)
    with pytest.raises(kind) as excinfo:
        load_config(path)
    return excinfo.value


def test_unknown_key_names_the_key_and_suggests_the_closest(tmp_path):
    error = config_error(tmp_path, "[run]\nmember = 4\n[outputs]\ndirectory = 'out'\n")
    assert error.exit_code == 65
    assert "regenerate.toml: run.member: unknown key; did you mean 'run.members'?" in str(error)


def test_unknown_section_and_key_in_the_wrong_section(tmp_path):
    error = config_error(tmp_path, "[output]\ndirectory = 'out'\n[inputs]\nseed = 3\n")
    text = str(error)
    assert "output: unknown key; did you mean 'outputs'?" in text
    assert "inputs.seed: unknown key; it belongs in [run]" in text
    assert "outputs.directory: is required" in text


def test_wrong_types_are_all_reported_with_their_keys(tmp_path):
    error = config_error(tmp_path, """
[run]
members = "4"
compliance = 1.5
target_error = -0.01
as_of = "30 January"
[outputs]
directory = "out"
hxl = "yes"
formats = ["csv", "exel"]
""")
    text = str(error)
    assert "run.members: must be a whole number, got '4' (text)" in text
    assert "run.compliance: must be between 0.0 and 1.0, got 1.5" in text
    assert "run.target_error: must be between 0.0 and 1.0, got -0.01" in text
    assert "run.as_of: must be a date such as 2026-01-30 or \"today\", got '30 January'" in text
    assert "outputs.hxl: must be true or false, got 'yes' (text)" in text
    assert "outputs.formats: unknown format 'exel'; did you mean 'xlsx'?" in text


def test_keys_of_the_other_job_and_netcdf_for_compare(tmp_path):
    error = config_error(tmp_path, """
[run]
job = "estimate"
members = 4
[outputs]
directory = "out"
formats = ["csv", "netcdf"]
report = true
""")
    text = str(error)
    assert "run.members: applies to job = \"compare\" only" in text
    assert "outputs.report: the report is written for job = \"compare\" only" in text
    error = config_error(tmp_path, "[run]\nstart = 2026-01-10\n[outputs]\ndirectory = 'out'\nformats = 'netcdf'\n")
    assert "run.start: applies to job = \"estimate\" only" in str(error)
    assert "unknown format 'netcdf' (netcdf is for job = \"estimate\")" in str(error)


def test_bad_job_scenario_region_and_parameter_suggest_names(tmp_path):
    error = config_error(tmp_path, """
[run]
job = "compar"
scenarios = ["no-pause", "anounced-pause"]
regions = ["Kyvi"]
[run.set]
tau_hous = 45
setpoint = 99
[outputs]
directory = "out"
""")
    text = str(error)
    assert "run.job: must be \"compare\" or \"estimate\", got 'compar'; did you mean 'compare'?" in text
    assert "run.scenarios: no built-in scenario 'anounced-pause'; did you mean announced-pause?" in text
    assert "run.regions:" in text and "Kyiv" in text
    assert "run.set.tau_hous: unknown parameter 'tau_hous'; did you mean tau_house?" in text
    assert "run.set.setpoint: parameter 'setpoint' = 99.0" in text


def test_missing_files_give_exit_66_and_name_the_key(tmp_path):
    error = config_error(tmp_path, """
[inputs]
population = "population.csv"
outages = ["a.csv"]
[run]
scenarios = ["no-pause", "mine.toml"]
params = "params.toml"
[outputs]
directory = "out"
""", InputMissingError)
    assert error.exit_code == 66
    text = str(error)
    for key, name in (("inputs.population", "population.csv"), ("inputs.outages", "a.csv"),
                      ("run.scenarios", "mine.toml"), ("run.params", "params.toml")):
        assert f"regenerate.toml: {key}: no such file: {name} (looked for {tmp_path.resolve() / name})" in text


def test_missing_optional_package_fails_before_the_run(tmp_path, monkeypatch):
    import importlib.util

    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "pyarrow" else real_find_spec(name, *args))
    path = write_config(tmp_path, "[outputs]\ndirectory = 'out'\nformats = ['csv', 'parquet']\n")
    with pytest.raises(MissingExtraError, match=r"pip install 'gridimpact\[parquet\]'"):
        regenerate(path)
    assert not (tmp_path / "out").exists()


def test_missing_config_and_invalid_toml(tmp_path):
    with pytest.raises(InputMissingError) as excinfo:
        load_config(tmp_path / "absent.toml")
    assert excinfo.value.exit_code == 66
    error = config_error(tmp_path, "[run\nmembers = 3\n")
    assert "regenerate.toml: not valid TOML" in str(error)
    assert "line 1" in str(error)


def test_broken_scenario_file_fails_when_loading_the_config(tmp_path):
    (tmp_path / "mine.toml").write_text('name = "mine"\nextends = "no-pause"\ndays = 0\n', encoding="utf-8")
    error = config_error(tmp_path, "[run]\nscenarios = ['no-pause', 'mine.toml']\n[outputs]\ndirectory = 'out'\n")
    assert "mine.toml: 'days': must be a whole number of days from 1 to 366, got 0" in str(error)


def test_paths_are_relative_to_the_config_file(tmp_path, monkeypatch):
    folder = tmp_path / "jobs"
    folder.mkdir()
    (folder / "inputs").mkdir()
    (folder / "params.toml").write_text("tau_house = 60\n", encoding="utf-8")
    path = write_config(folder, """
[inputs]
folder = "inputs"
[run]
params = "params.toml"
as_of = "today"
[outputs]
directory = "../published"
""")
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("jobs") / "regenerate.toml")
    assert config.path == path.resolve()
    assert config.inputs.folder == (folder / "inputs").resolve()
    assert config.params == (folder / "params.toml").resolve()
    assert config.directory == (tmp_path / "published").resolve()
    assert config.lock_path == (tmp_path / ".published.lock").resolve()
    assert config.as_of == TODAY
    assert config.scenarios == ("no-pause", "announced-pause")
    assert config.formats == ("csv",)


def test_reading_keys_are_checked_like_the_command_line_options(tmp_path):
    error = config_error(tmp_path, """
[inputs]
since = "today"
encoding = "cp-1251x"
population_basis = "2022"
pressure_level = 2000
sheet = 3
[outputs]
directory = "out"
""")
    text = str(error)
    assert "inputs.since: must be a date such as 2026-01-01" in text
    assert "inputs.encoding: unknown encoding 'cp-1251x' (e.g. utf-8, cp1251, koi8-u)" in text
    assert "inputs.population_basis: must be one of current, cod-ps-2022, got '2022'" in text
    assert "inputs.pressure_level: must be between 1.0 and 1100.0, got 2000" in text
    assert "inputs.sheet: must be non-empty text, got 3" in text


def test_reading_keys_reach_the_readers(tmp_path, monkeypatch):
    seen = {}

    def capture(*args, **kwargs):
        seen.update(kwargs)
        raise ParameterError("stop here")

    monkeypatch.setattr(regen, "load_inputs", capture)
    path = write_config(tmp_path, """
[inputs]
since = 2026-01-01
encoding = "Windows-1251"
population_basis = "cod-ps-2022"
pressure_level = 850
sheet = "ukr_admpop_adm1_2022"
max_gap_hours = 3
[outputs]
directory = "out"
""")
    with pytest.raises(ParameterError, match="stop here"):
        regenerate(path)
    assert seen["since"] == date(2026, 1, 1) and seen["encoding"] == "cp1251"
    assert seen["population_basis"] == "cod-ps-2022" and seen["pressure_level"] == 850.0
    assert seen["sheet"] == "ukr_admpop_adm1_2022" and seen["max_gap_hours"] == 3


@pytest.mark.filterwarnings("ignore:the pause of")  # the report's days lie before the pause
def test_a_cp1251_report_is_read_with_the_encoding_key(tmp_path):
    reports = tmp_path / "reports.csv"
    reports.write_bytes("Область,Початок,Кінець,Частка,Тип\nХарківська,20.01.2026 08:00,20.01.2026 20:00,0.4,"
                        "планові\n".encode("cp1251"))
    run = '[run]\nmembers = 2\ndays = 2\nregions = ["Kharkiv"]\n[outputs]\ndirectory = "out"\n'
    path = write_config(tmp_path, '[inputs]\noutages = "reports.csv"\n' + run)
    with pytest.raises(InvalidInputError, match="cp1251"):
        regenerate(path)
    assert not (tmp_path / "out").exists()
    write_config(tmp_path, '[inputs]\noutages = "reports.csv"\nencoding = "cp1251"\n' + run)
    regenerate(path)
    with open(tmp_path / "out" / "comparison.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert {row["adm1_pcode"] for row in rows} == {"UA63", "ALL"}


# --- a run and its datapackage.json ------------------------------------------------------------------

@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    path = small_config(folder)
    paths = regenerate(path)
    return folder, paths


def test_run_writes_every_table_and_a_datapackage(first_run):
    folder, paths = first_run
    out = folder / "out"
    expected = {f"{table}{suffix}" for table in ("impacts", "comparison")
                for suffix in (".csv", ".json", ".md", ".parquet")} | {"datapackage.json", "hdx_dataset.json"}
    assert {p.name for p in paths} == expected
    assert set(snapshot(out)) == expected
    assert not [p for p in folder.iterdir() if ".staging." in p.name or p.name.endswith(".previous")]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask  # not the private mode of a temporary folder
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o666 & ~umask}


def test_datapackage_hashes_and_sizes_match_the_files(first_run):
    folder, _ = first_run
    out = folder / "out"
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert "created" not in package  # no SOURCE_DATE_EPOCH, no timestamp
    listed = {r["path"] for r in package["resources"]}
    assert listed == set(snapshot(out)) - {"datapackage.json", "hdx_dataset.json"}
    for resource in package["resources"]:
        path = out / resource["path"]
        assert resource["bytes"] == path.stat().st_size
        assert resource["hash"] == f"sha256:{sha256(path)}"
    names = [r["name"] for r in package["resources"]]
    assert len(set(names)) == len(names)


def test_datapackage_schema_matches_the_csv_and_the_metrics(first_run):
    folder, _ = first_run
    out = folder / "out"
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["path"] == "impacts.csv")
    with open(out / "impacts.csv", encoding="utf-8", newline="") as stream:
        header, tags = next(csv.reader(stream)), next(csv.reader(stream))
    fields = resource["schema"]["fields"]
    assert [f["name"] for f in fields] == header
    assert [f.get("gridimpact:hxl", "") for f in fields] == tags
    assert resource["dialect"] == {"headerRows": [1], "commentRows": [2]}
    by_name = {f["name"]: f for f in fields}
    assert by_name["date"]["type"] == "date"
    assert by_name["people_below_12c"]["type"] == "integer"
    assert by_name["people_below_12c"]["unit"] == METRIC_BY_NAME["people_below_12c"].unit == "persons"
    assert by_name["people_below_12c_p90"]["description"].startswith("90th percentile over ensemble members")
    assert by_name["min_indoor_temperature_c"]["unit"] == "degC"
    assert by_name["risk_level"]["constraints"] == {"enum": ["none", "moderate", "high", "severe"]}
    markdown = next(r for r in package["resources"] if r["path"] == "impacts.md")
    assert "schema" not in markdown and markdown["mediatype"] == "text/markdown"
    json_table = next(r for r in package["resources"] if r["path"] == "impacts.json")
    first_date = json.loads((out / "impacts.json").read_text(encoding="utf-8"))[0]["date"]
    json_date = next(f for f in json_table["schema"]["fields"] if f["name"] == "date")
    assert json_date["type"] == ("date" if len(first_date) == 10 else "datetime")
    parquet = next(r for r in package["resources"] if r["path"] == "comparison.parquet")
    assert parquet["type"] == "table" and "dialect" not in parquet
    assert {f["name"]: f.get("unit") for f in parquet["schema"]["fields"]}["relative_change"] == "1"


def test_datapackage_records_inputs_parameters_run_and_versions(first_run):
    folder, _ = first_run
    package = json.loads((folder / "out" / "datapackage.json").read_text(encoding="utf-8"))
    inputs = {entry["path"]: entry for entry in package["gridimpact:inputs"]}
    outages = inputs["outages.csv"]
    assert outages["role"] == "outages" and outages["embedded"] is True
    assert outages["sha256"] == sha256(data_dir() / "outages.csv")
    assert outages["bytes"] == (data_dir() / "outages.csv").stat().st_size
    assert inputs["regenerate.toml"]["role"] == "config"
    assert inputs["regenerate.toml"]["sha256"] == sha256(folder / "regenerate.toml")
    run = package["gridimpact:run"]
    assert (run["seed"], run["members"], run["days"], run["as_of"]) == (11, 2, 3, "2026-01-30")
    assert [s["name"] for s in run["scenarios"]] == ["no-pause", "announced-pause"]
    assert run["regions"] == ["UA51", "UA80"]  # in p-code order, whatever the order asked for
    parameters = package["gridimpact:parameters"]
    assert parameters["changed"] == {} and parameters["values"]["tau_house"] > 0
    assert set(package["gridimpact:versions"]) == {"gridimpact", "numpy", "pandas", "xarray", "pandera"}
    notes = "\n".join(package["gridimpact:notes"])
    assert notes and str(data_dir()) not in notes and str(folder) not in notes  # no machine paths


def test_two_runs_are_byte_identical(tmp_path, monkeypatch):
    path = small_config(tmp_path)
    regenerate(path)
    first = snapshot(tmp_path / "out")
    for name in first:
        (tmp_path / "out" / name).unlink()  # the next run writes everything afresh
    regenerate(path)
    assert snapshot(tmp_path / "out") == first


def test_source_date_epoch_sets_created_and_runs_stay_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1769731200")  # 2026-01-30T00:00:00Z
    path = small_config(tmp_path)
    regenerate(path)
    first = snapshot(tmp_path / "out")
    assert json.loads(first["datapackage.json"])["created"] == "2026-01-30T00:00:00Z"
    (tmp_path / "out" / "impacts.csv").unlink()  # the next run swaps in a whole new folder
    regenerate(path)
    assert snapshot(tmp_path / "out") == first


def test_malformed_source_date_epoch_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ParameterError, match="SOURCE_DATE_EPOCH must be a whole number"):
        regenerate(small_config(tmp_path))
    assert not (tmp_path / "out").exists()


def test_unchanged_outputs_are_left_in_place(tmp_path):
    path = small_config(tmp_path)
    regenerate(path)
    out = tmp_path / "out"
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()}
    folder_inode = out.stat().st_ino
    lines = []
    regenerate(path, verbose=True, log=lines.append)
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.iterdir()} == before
    assert out.stat().st_ino == folder_inode
    assert len(lines) == len(before) and all(line.startswith(f"unchanged {out}") for line in lines)


def test_verbose_logs_one_line_per_file_and_is_silent_otherwise(tmp_path, capsys, caplog):
    path = small_config(tmp_path)
    caplog.set_level("DEBUG", logger="gridimpact")
    regenerate(path)
    assert capsys.readouterr() == ("", "") and caplog.records == []
    (tmp_path / "regenerate.toml").write_text(path.read_text().replace("seed = 11", "seed = 12"))
    regenerate(path, verbose=True)
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 10  # eight tables, datapackage.json, hdx_dataset.json
    assert f"wrote {tmp_path / 'out' / 'comparison.csv'} (" in messages[0]


def test_today_is_the_local_date_in_kyiv(tmp_path, monkeypatch):
    monkeypatch.setattr(regen, "local_today", lambda: date(2026, 2, 2))
    path = small_config(tmp_path, extra_run='as_of = "today"\n', outputs="[outputs]\ndirectory = 'out'\n")
    regenerate(path)
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["gridimpact:run"]["as_of"] == "2026-02-02"


# --- failures leave the previous outputs untouched ----------------------------------------------------

def test_failure_part_way_keeps_previous_outputs_byte_identical(tmp_path, monkeypatch):
    path = small_config(tmp_path)
    regenerate(path)
    before = snapshot(tmp_path / "out")
    path.write_text(path.read_text().replace("seed = 11", "seed = 99"))  # a run that would change things
    real_write_table = writers.write_table
    calls = []

    def write_then_fail(frame, target, fmt, *, hxl=False):
        calls.append(Path(target).name)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_write_table(frame, target, fmt, hxl=hxl)

    monkeypatch.setattr(writers, "write_table", write_then_fail)
    with pytest.raises(OSError, match="No space left"):
        regenerate(path)
    assert len(calls) == 3  # two files were written into the staging folder before the failure
    assert snapshot(tmp_path / "out") == before
    assert leftovers(tmp_path) == {"out", "regenerate.toml"}


def test_failure_before_any_output_creates_nothing(tmp_path):
    path = small_config(tmp_path, outputs="[outputs]\ndirectory = 'out'\n")
    path.write_text(path.read_text().replace('regions = ["Kyiv", "Odesa"]', 'regions = ["Lviv"]'))
    with pytest.raises(InvalidInputError) as excinfo:  # Lviv has no temperature in the embedded case
        regenerate(path)
    assert excinfo.value.exit_code == 65
    assert "region Lvivska (UA46) lacks population or temperature data" in str(excinfo.value)
    assert "(regions with both: " in str(excinfo.value) and "Kyiv (UA80)" in str(excinfo.value)
    assert leftovers(tmp_path) == {"regenerate.toml"}


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError) as excinfo:
        regenerate(small_config(tmp_path))
    assert excinfo.value.exit_code == 73
    assert "holds files that gridimpact did not write" in str(excinfo.value)
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"


def test_held_lock_raises_lock_busy_at_once(tmp_path):
    path = small_config(tmp_path)
    lock = FileLock(str(tmp_path / ".out.lock"))
    with lock:
        with pytest.raises(LockBusyError) as excinfo:
            regenerate(path)
    assert excinfo.value.exit_code == 75
    assert str(tmp_path / ".out.lock") in str(excinfo.value)
    assert not (tmp_path / "out").exists()


# --- GitHub Actions -----------------------------------------------------------------------------------

def test_github_actions_failure_prints_an_error_annotation(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = write_config(tmp_path, "[run]\nmember = 4\nsed = 1\n[outputs]\ndirectory = 'out'\n")
    with pytest.raises(ParameterError):
        regenerate(path)
    err = capsys.readouterr().err
    assert err.startswith("::error title=gridimpact regenerate::invalid configuration:%0Aregenerate.toml: run.member")
    assert err.count("\n") == 1 and "%0Aregenerate.toml: run.sed: unknown key" in err


def test_without_github_actions_failures_print_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    with pytest.raises(ParameterError):
        regenerate(write_config(tmp_path, "[run]\nmember = 4\n"))
    assert capsys.readouterr() == ("", "")


def test_github_actions_success_appends_a_step_summary(tmp_path, monkeypatch, capsys):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    regenerate(small_config(tmp_path))
    text = summary.read_text()
    assert text.startswith("earlier step\n## gridimpact regenerate: regenerate.toml")
    assert "| announced-pause | people_below_12c | person-days |" in text
    assert "| baseline | scenario value | expected change | ± SE | P10 | P90 |" in text
    assert "median" not in text
    assert "| impacts.csv |" in text and "10 files, updated" in text
    assert capsys.readouterr().err == ""


@given(st.text(max_size=200))
def test_error_annotation_is_one_line_and_reversible(message):
    line = regen.github_error(ParameterError(message))
    assert "\n" not in line and "\r" not in line
    body = line.split("::", 2)[2]
    assert body.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%") == message


@given(st.text(max_size=80))
def test_resource_names_follow_the_data_package_pattern(relative):
    import re

    assert re.fullmatch(r"[a-z0-9._-]+", resource_name(relative))


# --- other jobs and formats ---------------------------------------------------------------------------

def test_estimate_job_with_netcdf(tmp_path):
    path = write_config(tmp_path, """
[run]
job = "estimate"
regions = ["Kyiv"]
start = 2026-01-20
end = 2026-01-22
[outputs]
directory = "out"
formats = ["csv", "netcdf"]
""")
    regenerate(path)
    out = tmp_path / "out"
    assert set(snapshot(out)) == {"daily.csv", "hourly.nc", "datapackage.json", "hdx_dataset.json"}
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["gridimpact:job"] == "estimate"
    assert package["gridimpact:run"]["period"] == {"start": "2026-01-20", "end": "2026-01-22"}
    netcdf = next(r for r in package["resources"] if r["path"] == "hourly.nc")
    assert netcdf["mediatype"] == "application/x-netcdf" and netcdf["hash"] == f"sha256:{sha256(out / 'hourly.nc')}"
    variables = {v["name"]: v["unit"] for v in netcdf["gridimpact:variables"]}
    assert variables["indoor_temperature"] == "degC"
    daily = next(r for r in package["resources"] if r["path"] == "daily.csv")
    assert "dialect" not in daily  # no HXL row asked for
    first = snapshot(out)
    (out / "hourly.nc").unlink()
    regenerate(path)
    assert snapshot(out) == first


def test_xlsx_outputs_are_byte_identical(tmp_path):
    pytest.importorskip("openpyxl")
    pytest.importorskip("gridimpact.io.writers.excel")
    path = small_config(tmp_path, outputs="[outputs]\ndirectory = 'out'\nformats = ['xlsx']\n")
    regenerate(path)
    first = snapshot(tmp_path / "out")
    assert set(first) == {"comparison.xlsx", "datapackage.json", "hdx_dataset.json"}  # one workbook, both tables
    package = json.loads(first["datapackage.json"])
    sheets = {r["dialect"]["sheetName"]: r for r in package["resources"]}
    assert set(sheets) == {"impacts", "comparison"}
    assert {r["path"] for r in sheets.values()} == {"comparison.xlsx"}
    assert sheets["impacts"]["hash"] == f"sha256:{sha256(tmp_path / 'out' / 'comparison.xlsx')}"
    assert [f["name"] for f in sheets["comparison"]["schema"]["fields"]][:3] == ["adm1_pcode", "adm1_name", "metric"]
    (tmp_path / "out" / "comparison.xlsx").unlink()
    regenerate(path)
    assert snapshot(tmp_path / "out") == first


# --- what a scheduled job sees ------------------------------------------------------------------------

def test_a_pause_outside_the_compared_days_is_one_line_in_the_configuration_s_terms(tmp_path, caplog):
    path = small_config(tmp_path, 'as_of = "2026-02-10"\n', outputs="[outputs]\ndirectory = 'out'\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Python warning may reach the job's stderr
        regenerate(path)
    said = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(said) == 1 and "as_of = 2026-01-30 under [run]" in said[0] and "--as-of" not in said[0]


def test_a_value_that_does_not_fit_the_data_is_a_problem_of_the_configuration(tmp_path):
    path = small_config(tmp_path, 'as_of = "2025-12-01"\n', outputs="[outputs]\ndirectory = 'out'\n")
    with pytest.raises(InvalidInputError) as excinfo:
        regenerate(path)
    assert excinfo.value.exit_code == 65
    assert "regenerate.toml" in str(excinfo.value) and "before the first day with data" in str(excinfo.value)
    assert leftovers(tmp_path) == {"regenerate.toml"}


def test_an_unwritable_step_summary_does_not_fail_a_run_whose_outputs_are_in_place(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))  # a folder
    paths = regenerate(small_config(tmp_path, outputs="[outputs]\ndirectory = 'out'\n"))
    assert paths and all(p.exists() for p in paths)
    assert any("step summary could not be written" in r.getMessage() for r in caplog.records)


def test_the_output_folder_and_a_folder_of_the_user_keep_their_mode_and_group(tmp_path):
    path = small_config(tmp_path, outputs="[outputs]\ndirectory = 'out'\n")
    regenerate(path)
    out = tmp_path / "out"
    (out / "private").mkdir()
    (out / "private" / "notes.txt").write_text("mine\n", encoding="utf-8")
    os.chmod(out, 0o2775)
    os.chmod(out / "private", 0o700)
    path.write_text(path.read_text().replace("members = 2", "members = 3"))  # the outputs change
    regenerate(path)
    assert stat.S_IMODE(out.stat().st_mode) == 0o2775
    assert stat.S_IMODE((out / "private").stat().st_mode) == 0o700
    assert (out / "private" / "notes.txt").read_text(encoding="utf-8") == "mine\n"
