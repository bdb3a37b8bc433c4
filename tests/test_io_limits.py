"""The reading layer's limits: malformed CSV, what may be read, plausible numbers and dates,
duplicate and conflicting reports, corrupt containers, and data folders."""

from __future__ import annotations

import gzip
import json
import os
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from gridimpact.errors import InputMissingError, InvalidInputError
from gridimpact.io.readers.limits import CSV_FIELD_LIMIT, MAX_INPUT_ENV
from gridimpact.io.readers.loader import files_in_folder, load_inputs
from gridimpact.io.readers.outages import load_outages
from gridimpact.io.readers.population import load_population
from gridimpact.io.readers.temperature import load_temperature
from gridimpact.io.readers.validation import PROBLEMS_SHOWN, validate_files

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = "region,start,end,kind,share_off\n"
ROW = "UA80,2026-01-09 10:00,2026-01-09 14:00,scheduled,0.5\n"


def write(folder: Path, text: str | bytes, name: str = "outages.csv") -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def rules(excinfo) -> list[tuple[str, int | None]]:
    return [(p.rule, p.line) for p in excinfo.value.problems]


# --- CSV ------------------------------------------------------------------------------------------

def test_an_unclosed_quote_is_an_error_at_the_line_where_it_opens(tmp_path):
    path = write(tmp_path, HEADER + 'UA80,2026-01-09 10:00,2026-01-09 14:00,scheduled,"0.5\n' + ROW)
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    assert rules(excinfo) == [("malformed_csv", 2)]
    assert "never closed" in excinfo.value.problems[0].message


def test_a_field_over_the_limit_is_an_error_with_its_line(tmp_path):
    path = write(tmp_path, HEADER + ROW + "UA80,2026-01-10 10:00,,scheduled," + "9" * (CSV_FIELD_LIMIT + 1) + "\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    assert rules(excinfo) == [("malformed_csv", 3)]
    assert f"{CSV_FIELD_LIMIT:,}" in excinfo.value.problems[0].message


def test_text_after_a_closing_quote_is_an_error(tmp_path):
    path = write(tmp_path, HEADER + 'UA80,"2026-01-09 10:00"x,,scheduled,0.5\n')
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    assert rules(excinfo) == [("malformed_csv", 2)]


def test_a_quoted_line_break_is_still_one_cell(tmp_path):
    path = write(tmp_path, "region,start,end,kind,share_off,source\n"
                 'UA80,2026-01-09 10:00,2026-01-09 14:00,scheduled,0.5,"two\nlines"\n' + "UA51,2026-01-09 10:00,,strike,0.1,x\n")
    reports = load_outages(path).reports
    assert list(reports["source"]) == ["x", "two\nlines"]


# --- what may be read -----------------------------------------------------------------------------

@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs a device file")
def test_a_device_is_not_read():
    with pytest.raises(InputMissingError, match="not a regular file"):
        load_outages(Path("/dev/zero"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_not_read(tmp_path):
    fifo = tmp_path / "outages.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputMissingError, match="not a regular file"):
        load_outages(fifo)


def test_a_file_over_the_size_cap_says_how_to_raise_it(tmp_path, monkeypatch):
    path = write(tmp_path, HEADER + ROW * 2000)  # about 110 kB
    monkeypatch.setenv(MAX_INPUT_ENV, "0.05")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    assert rules(excinfo) == [("file_too_large", None)]
    assert MAX_INPUT_ENV in excinfo.value.problems[0].message
    monkeypatch.setenv(MAX_INPUT_ENV, "1")
    assert len(load_outages(path).reports) == 1  # the 2000 rows repeat one report, read once


def test_a_gzip_file_that_expands_over_the_cap_is_refused(tmp_path, monkeypatch):
    path = write(tmp_path, gzip.compress(b"pcode,time,temperature_c\n" + b"UA80,2026-01-09T00:00+02:00,1.0\n" * 20000,
                                         mtime=0), "temperature.csv.gz")
    monkeypatch.setenv(MAX_INPUT_ENV, "0.1")
    with pytest.raises(InvalidInputError) as excinfo:
        load_temperature(path)
    assert [p.rule for p in excinfo.value.problems] == ["file_too_large"]


def test_a_bad_size_setting_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv(MAX_INPUT_ENV, "lots")
    with pytest.raises(InvalidInputError, match=MAX_INPUT_ENV):
        load_outages(write(tmp_path, HEADER + ROW))


# --- plausible numbers and dates ------------------------------------------------------------------

@pytest.mark.parametrize("value", ["inf", "-inf", "Infinity", "1e400"])
def test_an_infinite_count_is_a_problem_never_clipped(tmp_path, value):
    path = write(tmp_path, "region,start,kind,customers_off\nUA80,2026-01-09 10:00,strike," + value + "\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    [found] = excinfo.value.problems
    assert (found.rule, found.line, found.column) == ("not_finite", 2, "customers_off")


def test_a_count_above_the_plausible_maximum_is_a_problem(tmp_path):
    path = write(tmp_path, "region,start,kind,customers_off\nUA80,2026-01-09 10:00,strike,60000001\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    assert [(p.rule, p.line, p.column) for p in excinfo.value.problems] == [("above_maximum", 2, "customers_off")]


@pytest.mark.parametrize("population", ["1e308", "60000001", "inf"])
def test_an_implausible_population_is_a_problem(tmp_path, population):
    path = write(tmp_path, f"region,population,share_65plus,share_0_4\nUA80,{population},0.2,0.05\n", "population.csv")
    with pytest.raises(InvalidInputError) as excinfo:
        load_population(path)
    [found] = excinfo.value.problems
    assert (found.line, found.column) == (2, "population")
    assert found.rule in ("above_maximum", "not_finite")


def test_the_largest_plausible_population_is_read(tmp_path):
    path = write(tmp_path, "region,population,share_65plus,share_0_4\nUA80,60000000,0.2,0.05\n", "population.csv")
    assert load_population(path).frame["population"].tolist() == [60_000_000.0]


@pytest.mark.parametrize("stamp", ["1799-12-31 10:00", "2101-01-01 00:00", "31.12.2206 10:00"])
def test_a_date_outside_the_documented_range_is_a_problem(tmp_path, stamp):
    path = write(tmp_path, HEADER + f"UA80,{stamp},,scheduled,0.5\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    assert ("date_out_of_range", 2) in rules(excinfo)


def test_a_year_pandas_cannot_hold_is_a_problem_not_a_crash(tmp_path):
    path = write(tmp_path, HEADER + "UA80,9999-01-09 10:00,,scheduled,0.5\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    assert rules(excinfo)[0][1] == 2


# --- duplicates and conflicts ---------------------------------------------------------------------

def test_an_exact_duplicate_report_is_read_once_with_a_note(tmp_path):
    data = load_outages(write(tmp_path, HEADER + ROW + ROW))
    assert len(data.reports) == 1
    assert any("repeat an earlier line exactly" in note and "line 3" in note for note in data.notes)


def test_conflicting_reports_are_an_error_naming_both_lines(tmp_path):
    path = write(tmp_path, HEADER + ROW + "UA80,2026-01-09 10:00,2026-01-09 16:00,scheduled,0.5\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    [found] = excinfo.value.problems
    assert (found.rule, found.line) == ("conflicting_reports", 3)
    assert "line 2" in found.message


def test_a_power_report_and_a_heat_report_with_the_same_start_are_both_kept(tmp_path):
    path = write(tmp_path, "region,start,kind,share_off,heat_lost_share\n"
                 "UA80,2026-01-09 04:00,strike,0.4,\nUA80,2026-01-09 04:00,strike,,0.6\n")
    assert len(load_outages(path).reports) == 2


# --- corrupt containers ---------------------------------------------------------------------------

def test_deeply_nested_json_is_an_input_error(tmp_path):
    path = write(tmp_path, "[" * 100_000 + "]" * 100_000, "schedule.json")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path, region="UA80")
    assert [p.rule for p in excinfo.value.problems] == ["bad_json"]


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really", bytes(range(64)), b"<html></html>"],
                         ids=["empty", "zip-magic", "binary", "html"])
def test_a_corrupt_workbook_is_an_input_error_naming_the_file(tmp_path, data):
    pytest.importorskip("openpyxl")
    path = write(tmp_path, data, "population.xlsx")
    with pytest.raises(InvalidInputError) as excinfo:
        load_population(path)
    assert {p.file for p in excinfo.value.problems} == {"population.xlsx"}


def test_a_truncated_workbook_is_an_input_error(tmp_path):
    pytest.importorskip("openpyxl")
    frame = pd.DataFrame({"region": ["UA80"], "population": [100], "share_65plus": [0.2], "share_0_4": [0.05]})
    whole = tmp_path / "whole.xlsx"
    frame.to_excel(whole, index=False)
    cut = write(tmp_path, whole.read_bytes()[: whole.stat().st_size // 2], "population.xlsx")
    with pytest.raises(InvalidInputError) as excinfo:
        load_population(cut)
    assert [p.rule for p in excinfo.value.problems] == ["unreadable"]


def test_a_zip_with_a_corrupt_member_is_an_input_error(tmp_path):
    path = tmp_path / "era5.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data_stream-oper.nc", b"\x89HDF\r\n\x1a\n" + b"\x00" * 64)
    data = bytearray(path.read_bytes())
    with pytest.raises(InvalidInputError) as excinfo:
        load_temperature(path)
    assert [p.rule for p in excinfo.value.problems] == ["unreadable"]
    path.write_bytes(bytes(data[: len(data) // 2]))
    with pytest.raises(InvalidInputError):
        load_temperature(path)


# --- the problem list -----------------------------------------------------------------------------

def test_validate_lists_the_first_problems_then_a_count(tmp_path):
    rows = "".join(f"UA80,2026-01-{1 + i % 28:02d} {i % 24:02d}:00,,nonsense,0.5\n" for i in range(120))
    path = write(tmp_path, HEADER + rows)
    report = validate_files(outages=[path], temperature=[], population=[])
    lines = report.lines()
    assert len(lines) == 1 + PROBLEMS_SHOWN + 1
    assert lines[-1].strip().startswith(f"… and {120 - PROBLEMS_SHOWN} more problem(s)")


# --- data folders ---------------------------------------------------------------------------------

def test_a_datapackage_listing_a_missing_file_is_input_missing(tmp_path):
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [
        {"path": "outages.csv", "gridimpact:kind": "outages"}]}))
    with pytest.raises(InputMissingError, match="outages.csv"):
        load_inputs(folder=tmp_path)


def test_an_empty_folder_is_input_missing_naming_what_was_looked_for(tmp_path):
    with pytest.raises(InputMissingError, match="datapackage.json") as excinfo:
        load_inputs(folder=tmp_path)
    assert "outage" in str(excinfo.value) and "population" in str(excinfo.value)


def test_a_folder_of_unrecognised_names_is_input_missing(tmp_path):
    write(tmp_path, HEADER + ROW, "my data.csv")
    with pytest.raises(InputMissingError, match="no input found"):
        load_inputs(folder=tmp_path)


def test_unknown_names_beside_inputs_get_a_note(tmp_path):
    write(tmp_path, HEADER + ROW, "outages_kyiv.csv")
    write(tmp_path, "notes", "README.txt")
    inputs = load_inputs(folder=tmp_path)
    assert any("README.txt" in note and "not read" in note for note in inputs.notes)


def test_a_bad_datapackage_is_an_input_error(tmp_path):
    (tmp_path / "datapackage.json").write_text(json.dumps({"resources": [{"name": "x"}]}))
    with pytest.raises(InvalidInputError) as excinfo:
        files_in_folder(tmp_path)
    assert [p.rule for p in excinfo.value.problems] == ["bad_datapackage"]


def test_the_exported_embedded_folder_reads_without_notes(tmp_path):
    from gridimpact.io.readers.embedded import export

    export(tmp_path)
    notes: list[str] = []
    found = files_in_folder(tmp_path, notes)
    assert notes == []
    assert [p.name for p in found["population"]] == ["population_current.csv"]


def test_a_long_gap_in_a_netcdf_file_names_the_place_not_a_method(tmp_path):
    import numpy as np
    import xarray as xr

    times = pd.DatetimeIndex(["2026-01-09T00:00", "2026-01-09T01:00", "2026-01-09T10:00"])
    dataset = xr.Dataset({"t2m": (("valid_time", "latitude", "longitude"), np.full((3, 2, 2), 270.0, "float32"),
                                  {"units": "K"})},
                         coords={"valid_time": times, "latitude": [50.5, 50.25], "longitude": [30.5, 30.75]})
    path = tmp_path / "era5.nc"
    dataset.to_netcdf(path, engine="h5netcdf")
    with pytest.raises(InvalidInputError) as excinfo:
        load_temperature(path)
    [gap] = [p for p in excinfo.value.problems if p.rule == "gap_too_long"]
    assert "bound method" not in gap.format()
    assert gap.where.startswith("variable 't2m' at 2026-01-09T01:00Z")


@pytest.mark.parametrize("stamp", ["2026-01-09T10:00+02", "2026-01-09 10:00 UTC"])
def test_a_zone_pandas_knows_among_naive_times_is_a_located_problem(tmp_path, stamp):
    """Found by fuzzing: one such cell among naive ones made pandas raise for the whole column."""
    path = write(tmp_path, HEADER + ROW + f"UA51,{stamp},,strike,0.1\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path)
    assert rules(excinfo) == [("not_a_time", 3)]
