"""The command line through click's CliRunner and as a real subprocess."""

import json
import os
import struct
import subprocess
import sys
import zlib

import pandas as pd
import pytest
from click.testing import CliRunner

from gridimpact.cli import cli
from gridimpact.io.writers import ownership
from gridimpact.resources import data_dir


@pytest.fixture
def runner():
    return CliRunner()


def test_help_lists_the_commands(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("compare", "estimate", "validate", "scenarios", "data", "params"):
        assert command in result.output


def test_validate_the_embedded_case(runner):
    result = runner.invoke(cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert "OK: 3 file(s)" in result.stdout
    assert "Kyiv local time" in result.stderr or "diurnal curve" in result.stderr


def test_validate_reports_every_problem_with_its_location(runner, tmp_path):
    bad = tmp_path / "outages.csv"
    bad.write_text(
        "region,start,end,share_off,kind\n"
        "Kyiv,2026-01-10 10:00,2026-01-10 08:00,0.5,scheduled\n"
        "Atlantis,2026-01-10 10:00,,0.5,scheduled\n"
        "Kharkiv,2026-01-10 10:00,,1.5,scheduled\n"
        "Odesa,not a date,,0.2,planned\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["validate", "--outages", str(bad)])
    assert result.exit_code == 65
    out = result.stdout
    assert "outages.csv, line 2, column 'end'" in out and "end_after_start" in out
    assert "line 3" in out and "Atlantis" in out and "unknown_region" in out
    assert "line 4" in out and "share_off" in out
    assert "line 5" in out and "not_a_time" in out
    assert "FAILED" in out
    assert "Traceback" not in result.output


def test_validate_a_missing_file_exits_66(runner, tmp_path):
    result = runner.invoke(cli, ["validate", "--temperature", str(tmp_path / "nope.csv")])
    assert result.exit_code == 66
    assert "no such file" in result.stdout


def test_usage_errors_exit_2(runner):
    assert runner.invoke(cli, ["compare", "--members", "0"]).exit_code == 2
    assert runner.invoke(cli, ["compare", "--as-of", "tomorrow"]).exit_code == 2
    assert runner.invoke(cli, ["frobnicate"]).exit_code == 2


def test_an_as_of_date_past_the_inputs_winter_is_a_usage_error(runner):
    # The embedded inputs end in February and the normals cover November to March: a December
    # as-of date would need a forecast through the summer.
    result = runner.invoke(cli, ["compare", "--as-of", "2026-12-03", "--members", "2"])
    assert result.exit_code == 2
    assert "inputs end on 2026-02-15" in result.stderr
    assert "no month 4" in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_scenario_is_a_clear_error(runner):
    result = runner.invoke(cli, ["compare", "-s", "no-pause", "-s", "anounced-pause", "--members", "2"])
    assert result.exit_code == 65
    assert "announced-pause" in result.stderr  # suggested
    assert "Traceback" not in result.output


def test_a_bad_parameter_is_a_clear_error(runner):
    result = runner.invoke(cli, ["estimate", "--set", "tau_house=1000"])
    assert result.exit_code == 65
    assert "outside its range" in result.stderr


def test_estimate_prints_a_table_per_region(runner):
    result = runner.invoke(cli, ["estimate", "--start", "2026-02-01", "--end", "2026-02-03"])
    assert result.exit_code == 0, result.output
    for name in ("Kyiv (UA80)", "Odeska (UA51)", "Kharkivska (UA63)", "Donetska (UA14)"):
        assert name in result.stdout
    assert "2026-02-03" in result.stdout and "2026-01-31" not in result.stdout


def test_estimate_writes_files(runner, tmp_path):
    result = runner.invoke(cli, ["estimate", "--end", "2026-01-12", "-o", str(tmp_path),
                                 "--format", "csv", "--format", "netcdf", "--hxl"])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "daily.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("adm1_pcode,adm1_name,date,population")
    assert lines[1].startswith("#adm1+code,#adm1+name,#date,#population")
    import xarray as xr

    with xr.open_dataset(tmp_path / "hourly.nc", engine="h5netcdf") as dataset:
        assert dataset["indoor_temperature"].attrs["units"] == "degC"


def test_compare_writes_impacts_and_comparison(runner, tmp_path):
    result = runner.invoke(cli, ["compare", "--members", "3", "--days", "4", "-q", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    impacts = pd.read_csv(tmp_path / "impacts.csv")
    comparison = pd.read_csv(tmp_path / "comparison.csv")
    assert set(impacts["scenario"]) == {"no-pause", "announced-pause"}
    assert impacts["date"].nunique() == 4
    assert "ALL" in set(comparison["adm1_pcode"])
    assert result.stderr == "" and result.stdout == ""  # -q: nothing but errors


def test_compare_says_which_files_it_wrote(runner, tmp_path):
    result = runner.invoke(cli, ["compare", "--members", "2", "--days", "2", "-o", str(tmp_path / "out"),
                                 "--format", "csv", "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert f"wrote {len(written)} file(s) to {tmp_path / 'out'}: {', '.join(written)}" in result.stderr


def test_compare_prints_the_summary(runner):
    result = runner.invoke(cli, ["compare", "--members", "4", "--days", "5"])
    assert result.exit_code == 0, result.output
    assert "What 'announced-pause' changes compared with 'no-pause'" in result.stdout
    assert "All regions" in result.stdout and "P10" in result.stdout
    assert result.stderr == ""  # no progress bar when stderr is not a terminal


def test_scenarios_and_params_and_data(runner, tmp_path):
    listing = runner.invoke(cli, ["scenarios", "list"])
    assert listing.exit_code == 0
    for name in ("no-pause", "announced-pause", "kremlin-statement", "observed"):
        assert name in listing.stdout
    shown = runner.invoke(cli, ["scenarios", "show", "kremlin-statement"])
    assert shown.exit_code == 0 and '"outcome_probabilities (failed, breached, held)"' in shown.stdout and "https://" in shown.stdout
    params = runner.invoke(cli, ["params", "tau_mass_block"])
    assert params.exit_code == 0 and "source" in params.stdout
    data = runner.invoke(cli, ["data", "list"])
    assert data.exit_code == 0 and "outages" in data.stdout
    show = runner.invoke(cli, ["data", "show", "outages"])
    assert show.exit_code == 0 and "sources:" in show.stdout and "http" in show.stdout
    exported = runner.invoke(cli, ["data", "export", str(tmp_path / "case")])
    assert exported.exit_code == 0
    again = runner.invoke(cli, ["validate", "--outages", str(tmp_path / "case" / "outages.csv"),
                                "--temperature", str(tmp_path / "case" / "temperature_daily.csv"),
                                "--population", str(tmp_path / "case" / "population_current.csv")])
    assert again.exit_code == 0, again.output
    folder = runner.invoke(cli, ["estimate", str(tmp_path / "case"), "--end", "2026-01-11"])
    assert folder.exit_code == 0, folder.output


def test_debug_shows_the_traceback(runner):
    result = runner.invoke(cli, ["--debug", "estimate", "--set", "tau_house=1000"])
    assert result.exit_code != 0
    assert result.exception is not None  # re-raised for the developer instead of a message


def run_subprocess(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "gridimpact", *args], capture_output=True, text=True,
                          timeout=300, **kwargs)


def test_subprocess_exit_codes_and_streams(tmp_path):
    ok = run_subprocess("scenarios", "list")
    assert ok.returncode == 0 and "no-pause" in ok.stdout
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    bad = run_subprocess("validate", "--population", str(empty))
    assert bad.returncode == 65
    assert "empty" in bad.stdout and "Traceback" not in bad.stdout + bad.stderr
    compared = run_subprocess("compare", "--members", "2", "--days", "3", "-o", str(tmp_path / "out"),
                              "--format", "json")
    assert compared.returncode == 0, compared.stderr
    records = json.loads((tmp_path / "out" / "comparison.json").read_text(encoding="utf-8"))
    assert records and {"metric", "difference_p10", "difference_p90"} <= set(records[0])
    unwritable = tmp_path / "file-not-folder"
    unwritable.write_text("x", encoding="utf-8")
    blocked = run_subprocess("compare", "--members", "2", "--days", "3", "-o", str(unwritable / "sub"))
    assert blocked.returncode == 73
    assert "cannot write" in blocked.stderr


def test_help_does_not_import_the_heavy_libraries():
    code = ("import sys; from gridimpact.cli import cli; import gridimpact; "
            "heavy = [m for m in ('pandas', 'xarray', 'pandera', 'numpy', 'numba') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    helped = run_subprocess("--help")
    assert helped.returncode == 0


def test_report_command_writes_a_report_folder(runner, tmp_path):
    result = runner.invoke(cli, ["report", "--members", "3", "--days", "3", "--no-figures", "-o", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "announced-pause" in html and "<table" in html
    assert (tmp_path / "r" / "comparison.csv").exists()


def test_regenerate_command_exit_codes(runner, tmp_path):
    config = tmp_path / "regen.toml"
    config.write_text('[run]\njob = "compare"\nmembers = 2\ndays = 2\n[outputs]\ndirectory = "out"\n'
                      'formats = ["csv"]\n', encoding="utf-8")
    ok = runner.invoke(cli, ["regenerate", str(config)])
    assert ok.exit_code == 0, ok.output
    assert ok.output == ""  # silent on success
    assert (tmp_path / "out" / "datapackage.json").exists()
    from filelock import FileLock

    with FileLock(str(tmp_path / ".out.lock")):
        busy = run_subprocess("regenerate", str(config))
    assert busy.returncode == 75, busy.stderr
    assert "lock" in busy.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[run]\nmembres = 2\n', encoding="utf-8")
    wrong = runner.invoke(cli, ["regenerate", str(bad)])
    assert wrong.exit_code == 65 and "members" in wrong.stderr
    assert runner.invoke(cli, ["regenerate", str(tmp_path / "missing.toml")]).exit_code == 66


def test_validate_sets_aside_a_station_record_before_the_outage_reports(runner, tmp_path):
    station = tmp_path / "UPM00034519.csv"
    station.write_text("UPM00034519,19950101,TMAX,-20,,,S,\nUPM00034519,19950101,TMIN,-80,,,S,\n"
                       "UPM00034519,20260109,TMAX,-20,,,S,\nUPM00034519,20260109,TMIN,-101,,,S,\n",
                       encoding="utf-8")
    alone = runner.invoke(cli, ["validate", "--temperature", str(station)])
    assert alone.exit_code == 65 and "gap_too_long" in alone.stdout
    since = runner.invoke(cli, ["validate", "--temperature", str(station), "--since", "2026-01-09"])
    assert since.exit_code == 0, since.output
    assert "set aside" in since.stderr
    outages = tmp_path / "outages.csv"
    outages.write_text("region,start,end,share_off,kind\nDonetsk,2026-01-09 10:00,2026-01-09 14:00,0.3,scheduled\n",
                       encoding="utf-8")
    with_reports = runner.invoke(cli, ["validate", "--outages", str(outages), "--temperature", str(station)])
    assert with_reports.exit_code == 0, with_reports.output
    bad_date = runner.invoke(cli, ["validate", "--since", "2026-13-01"])
    assert bad_date.exit_code == 2


def test_compare_with_a_whole_station_record_runs(runner, tmp_path):
    # Donetsk's embedded daily temperatures as a GHCN-Daily record, with a 1995 day in front.
    daily = pd.read_csv(data_dir() / "temperature_daily.csv")
    donetsk = daily[daily["region"] == "UA14"]
    lines = ["UPM00034519,19950101,TMAX,-20,,,S,", "UPM00034519,19950101,TMIN,-80,,,S,"]
    for row in donetsk.itertuples():
        day = row.date.replace("-", "")
        lines += [f"UPM00034519,{day},TMAX,{round(row.tmax_c * 10)},,,S,",
                  f"UPM00034519,{day},TMIN,{round(row.tmin_c * 10)},,,S,"]
    station = tmp_path / "UPM00034519.csv"
    station.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(cli, ["compare", "--temperature", str(station), "--region", "Donetsk",
                                 "--members", "4", "--days", "3", "-q"])
    assert result.exit_code == 0, result.output
    assert "Donetsk" in result.stdout


@pytest.mark.parametrize(("code", "status", "printed"), [("None", 0, ""), ("3", 3, ""), ("'bye'", 1, "bye")])
def test_the_quick_exit_after_the_engine_ran_keeps_exit_codes_and_runs_exit_handlers(code, status, printed):
    script = ("import atexit, sys, numba; from gridimpact.cli.main import leave; "
              "atexit.register(lambda: print('handler ran', flush=True)); "
              f"print('output', end=''); leave({code})")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == status
    assert done.stdout == "outputhandler ran\n"
    assert done.stderr.strip() == printed


def test_a_population_file_of_its_own_keeps_the_embedded_window_and_says_which_regions_are_left_out(
        runner, tmp_path):
    population = pd.read_csv(data_dir() / "population_current.csv", dtype=str)
    population[population["region"] == "UA80"].to_csv(tmp_path / "population_kyiv.csv", index=False)
    result = runner.invoke(cli, ["compare", "--members", "2", str(tmp_path / "population_kyiv.csv")])
    assert result.exit_code == 0, result.output
    assert "Window 2026-01-30 … 2026-02-12" in result.stdout  # the embedded outages' as-of date and horizon
    assert "not run, for want of inputs: UA14, UA51, UA63 (no population); the run covers UA80" in result.stderr
    named = runner.invoke(cli, ["compare", "--members", "2", "--days", "2", "--region", "Kyiv",
                                str(tmp_path / "population_kyiv.csv")])
    assert named.exit_code == 0, named.output
    assert "not run" not in named.stderr  # the region asked for is the one run


def test_compare_and_estimate_never_replace_a_file_they_did_not_write(runner, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "comparison.csv").write_text("my own notes\n", encoding="utf-8")
    refused = runner.invoke(cli, ["compare", "--members", "2", "--days", "2", "-o", str(folder)])
    assert refused.exit_code == 73 and "comparison.csv, which gridimpact did not write" in refused.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["comparison.csv"]  # nothing written, nothing replaced
    assert (folder / "comparison.csv").read_text(encoding="utf-8") == "my own notes\n"
    (folder / "comparison.csv").write_text("scenario,adm1_pcode,adm1_name_en,value\n", encoding="utf-8")
    alike = runner.invoke(cli, ["compare", "--members", "2", "--days", "2", "-o", str(folder)])
    assert alike.exit_code == 73  # names like gridimpact's are not gridimpact's
    (folder / "comparison.csv").unlink()
    for _ in range(2):  # its own files of an earlier run it replaces, in every format
        again = runner.invoke(cli, ["compare", "--members", "2", "--days", "2", "-o", str(folder), "--format", "csv",
                                    "--format", "json", "--format", "xlsx", "--format", "parquet", "--hxl"])
        assert again.exit_code == 0, again.output
    (folder / "daily.csv").write_text("region,start\n", encoding="utf-8")
    estimate = runner.invoke(cli, ["estimate", "-o", str(folder)])
    assert estimate.exit_code == 73 and "daily.csv" in estimate.stderr


def test_quiet_validate_prints_no_notes(runner):
    talkative = runner.invoke(cli, ["validate"])
    assert talkative.exit_code == 0 and "note: " in talkative.stderr
    for argv in (["-q", "validate"], ["validate", "-q"]):
        quiet = runner.invoke(cli, argv)
        assert quiet.exit_code == 0 and quiet.stderr == "", quiet.stderr
        assert "OK: 3 file(s)" in quiet.stdout


def test_the_written_line_names_the_compliance_curve_too(runner, tmp_path):
    result = runner.invoke(cli, ["compare", "--members", "2", "--days", "3", "--compliance-curve", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["comparison.csv", "compliance_curve.csv", "compliance_curve.png", "impacts.csv"]
    assert f"wrote 4 file(s) to {tmp_path}: {', '.join(names)}" in result.stderr


def test_format_aliases_are_taken_as_a_regenerate_configuration_takes_them(runner, tmp_path):
    result = runner.invoke(cli, ["compare", "--members", "2", "--days", "2", "-o", str(tmp_path), "--format", "md",
                                 "--format", "Excel"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["comparison.md", "comparison.xlsx", "impacts.md"]


def _png(software: str | None) -> bytes:
    """A one-pixel PNG, with a "Software" text chunk when ``software`` is given."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    text = chunk(b"tEXt", b"Software\0" + software.encode()) if software else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) + text
            + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b""))


def test_a_figure_gridimpact_did_not_write_is_never_replaced(runner, tmp_path):
    curve = ["compare", "--members", "2", "--days", "3", "--compliance-curve", "-o", str(tmp_path)]
    (tmp_path / "compliance_curve.png").write_bytes(_png("Matplotlib version3.9"))  # an analyst's own chart
    refused = runner.invoke(cli, curve)
    assert refused.exit_code == 73 and "compliance_curve.png, which gridimpact did not write" in refused.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["compliance_curve.png"]  # nothing written
    (tmp_path / "compliance_curve.png").write_bytes(_png(None))  # unmarked, with no gridimpact table beside it
    assert runner.invoke(cli, curve).exit_code == 73
    (tmp_path / "compliance_curve.png").unlink()
    first = runner.invoke(cli, curve)
    assert first.exit_code == 0, first.output
    assert ownership.png_software(tmp_path / "compliance_curve.png") == "gridimpact"
    (tmp_path / "compliance_curve.png").write_bytes(_png(None))  # as earlier versions wrote it, beside its table
    again = runner.invoke(cli, curve)
    assert again.exit_code == 0, again.output
    assert ownership.png_software(tmp_path / "compliance_curve.png") == "gridimpact"


def test_backtest_never_replaces_files_it_did_not_write(runner, tmp_path):
    (tmp_path / "backtest_summary.csv").write_text("my,own\n1,2\n", encoding="utf-8")
    refused = runner.invoke(cli, ["backtest", "--region", "UA80", "-o", str(tmp_path)])
    assert refused.exit_code == 73 and "backtest_summary.csv" in refused.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["backtest_summary.csv"]
    (tmp_path / "backtest_summary.csv").unlink()
    for _ in range(2):  # its own files it replaces
        done = runner.invoke(cli, ["backtest", "--region", "UA80", "-o", str(tmp_path)])
        assert done.exit_code == 0, done.output
    assert {p.name for p in tmp_path.iterdir()} >= {"backtest_rows.csv", "backtest_summary.csv"}


def test_a_file_that_only_mentions_the_column_names_is_not_taken_for_gridimpact_s(runner, tmp_path):
    notes = "For each scenario we list adm1_pcode and adm1_name, then the metrics.\n"
    (tmp_path / "impacts.md").write_text(notes, encoding="utf-8")
    refused = runner.invoke(cli, ["compare", "--members", "2", "--days", "2", "-o", str(tmp_path), "--format", "md"])
    assert refused.exit_code == 73 and "impacts.md" in refused.stderr
    assert (tmp_path / "impacts.md").read_text(encoding="utf-8") == notes


@pytest.mark.parametrize("value, code", [("", 0), ("abc", 2), ("99999999999999", 2), ("1769731200", 0)])
def test_source_date_epoch_is_checked_before_any_library_reads_it(value, code):
    done = subprocess.run([sys.executable, "-m", "gridimpact", "-q", "compare", "--members", "2", "--days", "1"],
                          capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": value})
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    if code:
        assert "SOURCE_DATE_EPOCH must be whole seconds" in done.stderr
