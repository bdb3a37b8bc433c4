"""Temperature readers for tabular formats, and the hourly gap policy they share."""

from __future__ import annotations

import gzip
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridimpact.errors import InputMissingError, InvalidInputError
from gridimpact.io.readers.temperature import (
    CANONICAL_COLUMNS,
    daily_to_hourly_frame,
    load_temperature,
)

FIXTURES = Path(__file__).parent / "fixtures" / "temperature"
NIGHT_WEIGHT_AT_MIDNIGHT = (1 + math.cos(0.6 * math.pi)) / 2  # 00:00 is 9 h into a 15 h night


def kyiv(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Europe/Kyiv")


def at(frame: pd.DataFrame, pcode: str, time: str) -> pd.Series:
    rows = frame[(frame["pcode"] == pcode) & (frame["time"] == kyiv(time))]
    assert len(rows) == 1, f"expected one row for {pcode} at {time}"
    return rows.iloc[0]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(excinfo) -> list:
    return excinfo.value.problems


def only(excinfo, rule: str):
    found = [p for p in problems(excinfo) if p.rule == rule]
    assert len(found) == 1, [p.format() for p in problems(excinfo)]
    return found[0]


def assert_canonical(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == CANONICAL_COLUMNS
    assert str(frame["time"].dtype) == "datetime64[ns, Europe/Kyiv]"
    assert frame.index.equals(pd.RangeIndex(len(frame)))
    assert frame.equals(frame.sort_values(["pcode", "time"]).reset_index(drop=True))
    assert (frame["time"].dt.minute == 0).all()


# ------------------------------------------------------------------------------- tidy tables

def test_tidy_hourly_kelvin_with_quality_source_and_a_filled_gap():
    data = load_temperature(FIXTURES / "tidy_hourly.csv")
    frame = data.frame
    assert_canonical(frame)
    assert len(frame) == 6
    first = at(frame, "UA80", "2026-01-09 00:00")
    assert first.temperature_c == pytest.approx(-3.0)
    assert (first.quality, first.source) == ("observed", "Kyiv observatory")
    blank = at(frame, "UA80", "2026-01-09 01:00")
    assert (blank.temperature_c, blank.quality, blank.source) == (-3.5, "observed", "tidy_hourly.csv")
    # 01:00 −3.5 and 04:00 −7.0: the two missing hours step by a third of the difference.
    assert at(frame, "UA80", "2026-01-09 02:00").temperature_c == pytest.approx(-4.666667)
    filled = at(frame, "UA80", "2026-01-09 03:00")
    assert filled.temperature_c == pytest.approx(-5.833333)
    assert filled.quality == "interpolated"
    assert at(frame, "UA80", "2026-01-09 04:00").quality == "forecast"
    assert at(frame, "UA51", "2026-01-09 00:00").temperature_c == pytest.approx(2.0)
    assert any("no time zone" in n for n in data.notes)
    assert any("2 missing hour(s) in 1 gap(s)" in n for n in data.notes)
    assert data.files == ("tidy_hourly.csv",)


def test_tidy_daily_goes_through_the_diurnal_curve():
    frame = load_temperature(FIXTURES / "tidy_daily.csv").frame
    assert_canonical(frame)
    assert len(frame) == 72
    assert at(frame, "UA63", "2026-02-02 06:00").temperature_c == pytest.approx(-24.0)
    assert at(frame, "UA63", "2026-02-02 15:00").temperature_c == pytest.approx(-13.0)
    # Before the first minimum the day's own maximum stands in for the previous one.
    assert at(frame, "UA63", "2026-02-02 00:00").temperature_c == pytest.approx(
        -24.0 + 11.0 * NIGHT_WEIGHT_AT_MIDNIGHT, abs=1e-6)
    # 20:00 falls towards the next minimum (−25): −25 + 12·0.75 = −16.
    assert at(frame, "UA63", "2026-02-02 20:00").temperature_c == pytest.approx(-16.0)
    # Day 3 has only a mean: flat; day 2's evening heads for it (−18 + 3·0.75).
    assert at(frame, "UA63", "2026-02-03 20:00").temperature_c == pytest.approx(-15.75)
    day3 = frame[frame["time"].dt.day == 4]
    assert (day3["temperature_c"] == -18.0).all() and len(day3) == 24
    assert set(frame["quality"]) == {"observed"}


def test_daily_to_hourly_frame_keeps_quality_and_source():
    daily = pd.DataFrame({
        "pcode": ["UA80", "UA80"], "date": pd.to_datetime(["2026-01-09", "2026-01-10"]),
        "tmin_c": [-10.0, np.nan], "tmax_c": [-2.0, np.nan], "tmean_c": [np.nan, -5.0],
        "quality": ["forecast", "climatology"], "source": ["a", "b"],
    })
    hourly = daily_to_hourly_frame(daily)
    assert list(hourly.columns) == CANONICAL_COLUMNS
    assert len(hourly) == 48
    assert hourly["time"].iloc[0] == kyiv("2026-01-09 00:00")
    assert hourly["temperature_c"].iloc[15] == pytest.approx(-2.0)
    assert list(hourly["quality"].unique()) == ["forecast", "climatology"]
    assert (hourly["source"].iloc[24:] == "b").all()
    assert (hourly["temperature_c"].iloc[24:] == -5.0).all()


def test_unit_column_with_fahrenheit_and_kelvin():
    frame = load_temperature(pd.DataFrame({
        "pcode": ["UA80", "UA80"], "time": ["2026-01-09 00:00", "2026-01-09 01:00"],
        "temperature": [23.0, 268.15], "unit": ["°F", "K"],
    })).frame
    assert list(frame["temperature_c"]) == [-5.0, -5.0]


def test_region_option_keeps_one_region_of_a_multi_region_table():
    data = load_temperature(FIXTURES / "tidy_hourly.csv", region="Odesa")
    assert set(data.frame["pcode"]) == {"UA51"}
    assert any("row(s) of other regions skipped" in n for n in data.notes)


def test_region_option_names_the_region_of_a_table_without_one(tmp_path):
    path = write(tmp_path, "kyiv.csv", "time,temperature_c\n2026-01-09 00:00,-3\n2026-01-09 01:00,-4\n")
    assert set(load_temperature(path, region="Київ").frame["pcode"]) == {"UA80"}


def test_dataframe_with_zone_aware_times():
    frame = load_temperature(pd.DataFrame({
        "pcode": ["UA80", "UA80"],
        "time": pd.to_datetime(["2026-01-09T00:00Z", "2026-01-09T01:00Z"]),
        "temperature_c": [-3.0, -4.0],
    })).frame
    assert list(frame["time"]) == [kyiv("2026-01-09 02:00"), kyiv("2026-01-09 03:00")]
    assert list(frame["source"]) == ["<DataFrame>", "<DataFrame>"]


def test_sub_hourly_values_are_averaged_to_hours(tmp_path):
    path = write(tmp_path, "t.csv", "pcode,time,temperature_c\nUA80,2026-01-09 00:00,-3\n"
                 "UA80,2026-01-09 00:30,-4\nUA80,2026-01-09 01:15,-6\n")
    data = load_temperature(path)
    assert list(data.frame["temperature_c"]) == [-3.5, -6.0]
    assert list(data.frame["time"]) == [kyiv("2026-01-09 00:00"), kyiv("2026-01-09 01:00")]
    assert any("averaged to 2 hour(s)" in n for n in data.notes)


def test_excel_table_rows_are_located_by_sheet_row(tmp_path):
    path = tmp_path / "kharkiv.xlsx"
    pd.DataFrame({"oblast": ["Kharkiv", "Kharkiv"], "datetime": ["2026-02-03 00:00", "2026-02-03 01:00"],
                  "temperature_c": [-24.5, 99.0]}).to_excel(path, index=False)
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    problem = only(info, "above_maximum")
    assert (problem.line, problem.line_label, problem.column) == (3, "row", "temperature_c")


# ---------------------------------------------------------------------------------- Open-Meteo

def test_open_meteo_csv_with_its_three_line_preamble():
    data = load_temperature(FIXTURES / "open_meteo_kyiv_hourly.csv")
    frame = data.frame
    assert_canonical(frame)
    assert list(frame["pcode"].unique()) == ["UA80"]
    assert list(frame["time"]) == [kyiv(f"2026-01-09 0{h}:00") for h in range(5)]
    assert list(frame["temperature_c"]) == [-5.0, -5.5, -6.0, -6.5, -7.25]
    assert list(frame["quality"]) == ["reanalysis", "reanalysis", "interpolated", "reanalysis", "reanalysis"]
    assert any("read as region UA80" in n for n in data.notes)


def test_open_meteo_json_times_use_the_files_single_utc_offset():
    # utc_offset_seconds 10800: 00:00 local is 21:00 UTC, which is 23:00 in Kyiv in January.
    frame = load_temperature(FIXTURES / "open_meteo_odesa.json").frame
    assert list(frame["time"]) == [kyiv("2026-01-08 23:00"), kyiv("2026-01-09 00:00"), kyiv("2026-01-09 01:00")]
    assert list(frame["temperature_c"]) == [1.5, 1.0, 0.5]
    assert list(frame["pcode"].unique()) == ["UA51"]


def test_an_open_meteo_value_out_of_range_is_reported_under_the_files_own_column(tmp_path):
    text = (FIXTURES / "open_meteo_kyiv_hourly.csv").read_text(encoding="utf-8")
    path = write(tmp_path, "om.csv", text.replace("2026-01-09T01:00,-5.5,", "2026-01-09T01:00,-95.0,"))
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    problem = only(info, "below_minimum")
    assert (problem.line, problem.column) == (6, "temperature_2m (°C)")


def test_a_region_asked_for_a_file_located_near_another_is_kept_with_a_note():
    kyiv_file = FIXTURES / "open_meteo_kyiv_hourly.csv"
    as_odesa = load_temperature(kyiv_file, region="Odesa")
    assert list(as_odesa.frame["pcode"].unique()) == ["UA51"]  # the caller's word wins
    assert any("lie 2 km from the reference point of UA80, but are read as UA51" in n for n in as_odesa.notes)
    as_kyiv = load_temperature(kyiv_file, region="Kyiv")
    assert not any("but are read as" in n for n in as_kyiv.notes)


def test_open_meteo_json_unixtime_fahrenheit_and_region_option(tmp_path):
    start = int(pd.Timestamp("2026-01-09T00:00Z").timestamp())
    payload = {"latitude": 52.25, "longitude": 21.0, "utc_offset_seconds": 0, "timezone": "GMT",
               "hourly_units": {"time": "unixtime", "temperature_2m": "°F"},
               "hourly": {"time": [start, start + 3600], "temperature_2m": [23.0, 32.0]}}
    path = write(tmp_path, "far.json", json.dumps(payload))
    frame = load_temperature(path, region="Kharkiv").frame
    assert list(frame["pcode"].unique()) == ["UA63"]
    assert list(frame["time"]) == [kyiv("2026-01-09 02:00"), kyiv("2026-01-09 03:00")]
    assert list(frame["temperature_c"]) == [-5.0, 0.0]


def test_open_meteo_daily_csv_uses_the_diurnal_curve(tmp_path):
    text = ("latitude,longitude,elevation,utc_offset_seconds,timezone,timezone_abbreviation\n"
            "49.9375,36.25,150.0,7200,Europe/Kyiv,GMT+2\n\n"
            "time,temperature_2m_max (°C),temperature_2m_min (°C)\n2026-02-03,-15.0,-25.0\n")
    frame = load_temperature(write(tmp_path, "kharkiv.csv", text)).frame
    assert len(frame) == 24
    assert at(frame, "UA63", "2026-02-03 06:00").temperature_c == pytest.approx(-25.0)
    assert at(frame, "UA63", "2026-02-03 15:00").temperature_c == pytest.approx(-15.0)


def test_open_meteo_csv_with_several_locations(tmp_path):
    text = ("location_id,latitude,longitude,elevation,utc_offset_seconds,timezone,timezone_abbreviation\n"
            "0,50.4375,30.5,171.0,7200,Europe/Kyiv,GMT+2\n1,46.5,30.75,40.0,7200,Europe/Kyiv,GMT+2\n\n"
            "location_id,time,temperature_2m (°C)\n0,2026-01-09T00:00,-5.0\n1,2026-01-09T00:00,1.0\n")
    path = write(tmp_path, "two.csv", text)
    both = load_temperature(path).frame
    assert dict(zip(both["pcode"], both["temperature_c"], strict=True)) == {"UA80": -5.0, "UA51": 1.0}
    assert list(load_temperature(path, region="Odesa").frame["pcode"]) == ["UA51"]
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path, region="Lviv")
    assert "none of the 2 locations" in only(info, "unknown_region").message


# --------------------------------------------------------------------------- station files

def test_meteostat_version_1_daily_named_by_station():
    data = load_temperature(FIXTURES / "33345.csv")
    frame = data.frame
    assert_canonical(frame)
    assert len(frame) == 72 and set(frame["pcode"]) == {"UA80"}
    assert at(frame, "UA80", "2026-01-09 00:00").temperature_c == pytest.approx(
        -10.0 + 8.0 * NIGHT_WEIGHT_AT_MIDNIGHT, abs=1e-6)
    assert at(frame, "UA80", "2026-01-10 06:00").temperature_c == pytest.approx(-12.0)
    assert (frame[frame["time"].dt.day == 11]["temperature_c"] == -5.0).all()  # tavg only
    assert set(frame["quality"]) == {"observed"}
    assert frame["source"].iloc[0] == "Meteostat 33345 Kyiv (33345.csv)"


def test_meteostat_version_2_bulk_gzip_with_source_columns(tmp_path):
    path = tmp_path / "34300.csv.gz"
    path.write_bytes(gzip.compress((FIXTURES / "meteostat_v2_34300.csv").read_bytes()))
    data = load_temperature(path)
    frame = data.frame
    assert set(frame["pcode"]) == {"UA63"}
    assert at(frame, "UA63", "2026-02-02 06:00").temperature_c == pytest.approx(-24.0)
    assert at(frame, "UA63", "2026-02-03 15:00").temperature_c == pytest.approx(-15.0)
    assert at(frame, "UA63", "2026-02-02 12:00").quality == "observed"
    assert at(frame, "UA63", "2026-02-03 12:00").quality == "forecast"
    assert any("forecast data" in n for n in data.notes)


def test_meteostat_version_1_bulk_without_header(tmp_path):
    path = tmp_path / "33837.csv.gz"
    path.write_bytes(gzip.compress(b"2026-01-09,1.0,-1.0,3.0,0.0,,,,,,\n"))
    frame = load_temperature(path).frame
    assert set(frame["pcode"]) == {"UA51"}
    assert at(frame, "UA51", "2026-01-09 06:00").temperature_c == pytest.approx(-1.0)


def test_meteostat_hourly_bulk_is_utc(tmp_path):
    text = ("year,month,day,hour,temp,temp_source,rhum,rhum_source\n"
            "2026,1,9,0,-3.0,synop,80,synop\n2026,1,9,1,-3.5,synop,81,synop\n")
    frame = load_temperature(write(tmp_path, "33837.csv", text)).frame
    assert list(frame["time"]) == [kyiv("2026-01-09 02:00"), kyiv("2026-01-09 03:00")]
    assert list(frame["temperature_c"]) == [-3.0, -3.5]


def test_ghcn_daily_drops_a_flagged_value_and_notes_it():
    data = load_temperature(FIXTURES / "UPM00034519.csv")
    frame = data.frame
    assert set(frame["pcode"]) == {"UA14"}
    assert at(frame, "UA14", "2026-01-09 06:00").temperature_c == pytest.approx(-10.1)  # tenths of °C
    assert at(frame, "UA14", "2026-01-09 15:00").temperature_c == pytest.approx(-2.0)
    # The flagged TMIN (−98.7, which would be out of range) is gone: 10 January is flat at TAVG.
    assert (frame[frame["time"].dt.day == 10]["temperature_c"] == -9.0).all()
    assert at(frame, "UA14", "2026-01-09 20:00").temperature_c == pytest.approx(-9.0 + 7.0 * 0.75)
    assert any("1 value(s) with a NOAA quality flag (QFLAG) were dropped (1 TMIN)" in n for n in data.notes)


def test_station_table_is_consistent_and_sourced():
    stations = pd.read_csv(Path(__file__).parent.parent / "data" / "stations.csv", dtype=str)
    seed = dict(zip(stations["pcode"], stations["wmo_id"], strict=False))
    assert {p: seed[p] for p in ("UA80", "UA51", "UA63", "UA14")} == {
        "UA80": "33345", "UA51": "33837", "UA63": "34300", "UA14": "34519"}
    from gridimpact.regions import default_registry

    assert set(stations["pcode"]) <= {r.pcode for r in default_registry()}
    ghcn = stations.dropna(subset=["ghcn_id"])
    assert (ghcn["ghcn_id"] == "UPM000" + ghcn["wmo_id"]).all()
    assert stations[["source_wmo", "source_ghcn", "source_meteostat"]].notna().all().all()
    assert stations["wmo_id"].is_unique


def test_a_list_of_files_is_combined():
    data = load_temperature([FIXTURES / "open_meteo_kyiv_hourly.csv", FIXTURES / "tidy_daily.csv"])
    assert data.regions == ["UA63", "UA80"]
    assert data.files == ("open_meteo_kyiv_hourly.csv", "tidy_daily.csv")
    assert_canonical(data.frame)


def test_yearly_station_files_of_the_same_name_are_told_apart(tmp_path):
    for year, day in (("2025", "2025-12-31"), ("2026", "2026-01-01")):
        (tmp_path / year).mkdir()
        write(tmp_path / year, "33345.csv", f"time,tavg,tmin,tmax,prcp\n{day},-6.0,-10.0,-2.0,0.0\n")
    data = load_temperature([tmp_path / "2025" / "33345.csv", tmp_path / "2026" / "33345.csv"])
    assert data.files == ("2025/33345.csv", "2026/33345.csv")
    assert len(data.frame) == 48 and set(data.frame["pcode"]) == {"UA80"}


# -------------------------------------------------------------------------------------- errors

def test_bare_temperature_column_has_unknown_unit(tmp_path):
    path = write(tmp_path, "t.csv", "region,time,temperature\nKyiv,2026-01-09 00:00,-3\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    problem = only(info, "unit_unknown")
    assert (problem.file, problem.line, problem.column) == ("t.csv", 1, "temperature")
    assert "unit unknown" in problem.message


def test_unknown_units_in_a_header_and_in_a_unit_column(tmp_path):
    header = write(tmp_path, "a.csv", "region,time,temperature (degR)\nKyiv,2026-01-09 00:00,480\n")
    column = write(tmp_path, "b.csv", "region,time,temperature,unit\nKyiv,2026-01-09 00:00,-3,C\n"
                   "Kyiv,2026-01-09 01:00,-3,Rankine\nKyiv,2026-01-09 02:00,-3,\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature([header, column])
    found = {(p.file, p.line, p.column, p.value) for p in problems(info) if p.rule == "unit_unknown"}
    assert found == {("a.csv", 1, "temperature (degR)", "degR"), ("b.csv", 3, "unit", "Rankine"),
                     ("b.csv", 4, "unit", None)}


def test_kelvin_declared_as_celsius(tmp_path):
    path = write(tmp_path, "t.csv", "pcode,time,temperature_c\nUA80,2026-01-09 00:00,270.15\n"
                 "UA80,2026-01-09 01:00,271.0\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    problem = only(info, "unit_mismatch")
    assert (problem.line, problem.column) == (1, "temperature_c")
    assert "declared °C but values look like Kelvin" in problem.message


def test_a_converted_value_out_of_range_is_shown_as_the_file_gave_it_and_in_celsius(tmp_path):
    kelvin = write(tmp_path, "k.csv", "date,adm1_pcode,tmean_k\n2026-01-30,UA80,263.1\n2026-01-31,UA80,400.5\n")
    fahrenheit = write(tmp_path, "f.csv", "pcode,time,temperature_f\nUA80,2026-01-09 00:00,14\n"
                       "UA80,2026-01-09 01:00,-200\n")
    celsius = write(tmp_path, "c.csv", "date,pcode,tmin_c,tmax_c\n2026-01-30,UA80,-5,70\n")
    found = {}
    for path in (kelvin, fahrenheit, celsius):
        with pytest.raises(InvalidInputError) as info:
            load_temperature(path)
        problem = problems(info)[0]
        found[problem.file] = (problem.line, problem.column, problem.rule, problem.value)
        assert "°C" in problem.message  # the bound's unit is said
    assert found == {"k.csv": (3, "tmean_k", "above_maximum", "400.5 K = 127.35 °C"),
                     "f.csv": (3, "temperature_f", "below_minimum", "-200 °F = -128.888889 °C"),
                     "c.csv": (2, "tmax_c", "above_maximum", "70 °C")}


def test_gap_too_long_names_region_times_length_and_line(tmp_path):
    text = ("pcode,time,temperature_c\nUA80,2026-01-09 00:00,-3\nUA80,2026-01-09 01:00,-4\n"
            "UA80,2026-01-09 10:00,-1\n")
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    problem = only(info, "gap_too_long")
    assert (problem.file, problem.line, problem.column) == ("t.csv", 3, "time")
    for part in ("Kyiv (UA80)", "8 h", "2026-01-09 01:00+02:00", "2026-01-09 10:00+02:00"):
        assert part in problem.message
    filled = load_temperature(path, max_gap_hours=8).frame
    assert len(filled) == 11 and (filled["quality"] == "interpolated").sum() == 8


def test_max_gap_zero_refuses_any_gap(tmp_path):
    path = write(tmp_path, "t.csv", "pcode,time,temperature_c\nUA80,2026-01-09 00:00,-3\nUA80,2026-01-09 02:00,-4\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path, max_gap_hours=0)
    assert only(info, "gap_too_long").line == 2


def test_daily_rows_are_checked_before_the_curve(tmp_path):
    path = write(tmp_path, "d.csv", "pcode,date,tmin_c,tmax_c,quality\nUA80,2026-01-09,-1,-5,observed\n"
                 "UA80,2026-01-10,-10,-5,bogus\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    assert {(p.rule, p.line, p.column) for p in problems(info)} == {
        ("min_below_max", 2, "tmin_c"), ("not_allowed", 3, "quality")}


def test_nothing_left_for_the_asked_region(tmp_path):
    with pytest.raises(InvalidInputError) as info:
        load_temperature(FIXTURES / "tidy_daily.csv", region="Lviv")
    assert "for region UA46" in only(info, "no_data").message


def test_duplicate_timestamps(tmp_path):
    path = write(tmp_path, "t.csv", "pcode,datetime,temperature_c\nUA80,2026-01-09 00:00,-3\n"
                 "UA80,2026-01-09 01:00,-4\nUA80,2026-01-09T01:00+02:00,-5\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    found = [(p.line, p.column) for p in problems(info) if p.rule == "unique_time"]
    assert found == [(3, "datetime"), (4, "datetime")]


def test_duplicate_hours_across_two_files(tmp_path):
    second = write(tmp_path, "odesa.csv", "pcode,time,temperature_c\nUA51,2026-01-09 00:00,0.9\n"
                   "UA51,2026-01-09 01:00,0.4\n")
    # The JSON's 00:00 is null, so only 01:00 clashes; the other hours merge.
    with pytest.raises(InvalidInputError) as info:
        load_temperature([FIXTURES / "open_meteo_odesa.json", second])
    problem = only(info, "duplicate")
    assert (problem.file, problem.line) == ("odesa.csv", 3)
    assert "UA51" in problem.message and "open_meteo_odesa.json" in problem.message
    assert "2026-01-09 01:00+02:00" in problem.message


def test_files_fill_each_others_missing_hours(tmp_path):
    second = write(tmp_path, "odesa.csv", "pcode,time,temperature_c\nUA51,2026-01-09 00:00,0.9\n")
    frame = load_temperature([FIXTURES / "open_meteo_odesa.json", second]).frame
    assert list(frame["temperature_c"]) == [1.5, 0.9, 0.5]
    assert list(frame["quality"]) == ["reanalysis", "observed", "reanalysis"]


def test_out_of_range_value_names_the_files_own_column(tmp_path):
    path = write(tmp_path, "t.csv", "pcode,time,temperature_k\nUA80,2026-01-09 00:00,270\nUA80,2026-01-09 01:00,400\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    problem = only(info, "above_maximum")
    assert (problem.line, problem.column) == (3, "temperature_k")
    assert "check the unit" in problem.message


@pytest.mark.parametrize("content", [b"", b"   \n\n", gzip.compress(b"", mtime=0)])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    assert only(info, "empty_file").file == "empty.csv"


def test_unknown_region_in_a_file_and_as_the_option(tmp_path):
    path = write(tmp_path, "t.csv", "region,time,temperature_c\nNarnia,2026-01-09 00:00,-3\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    problem = only(info, "unknown_region")
    assert (problem.line, problem.column, problem.value) == (2, "region", "Narnia")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(FIXTURES / "33345.csv", region="Narnia")
    assert only(info, "unknown_region").file == "region option"


def test_station_file_without_a_known_station_needs_a_region(tmp_path):
    meteostat = tmp_path / "kyiv_daily.csv"
    shutil.copy(FIXTURES / "33345.csv", meteostat)
    ghcn = write(tmp_path, "g.csv", "UPM00099999,20260109,TMAX,-20,,,S,\nUPM00099999,20260109,TMIN,-100,,,S,\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature([meteostat, ghcn])
    found = {(p.file, p.line) for p in problems(info) if p.rule == "no_region"}
    assert found == {("kyiv_daily.csv", 1), ("g.csv", 1)}
    assert set(load_temperature(meteostat, region="UA80").frame["pcode"]) == {"UA80"}


def test_open_meteo_far_from_every_region_needs_a_region(tmp_path):
    payload = {"latitude": 52.25, "longitude": 21.0, "utc_offset_seconds": 0,
               "hourly_units": {"temperature_2m": "°C"},
               "hourly": {"time": ["2026-01-09T00:00"], "temperature_2m": [1.0]}}
    with pytest.raises(InvalidInputError) as info:
        load_temperature(write(tmp_path, "warsaw.json", json.dumps(payload)))
    problem = only(info, "no_region")
    assert problem.where == "latitude" and "--region" in problem.message


def test_open_meteo_error_response(tmp_path):
    path = write(tmp_path, "e.json", '{"error": true, "reason": "Parameter \'hourly\' is invalid"}')
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    assert "is invalid" in only(info, "api_error").message


def test_missing_file_is_input_missing(tmp_path):
    with pytest.raises(InputMissingError):
        load_temperature(tmp_path / "nope.csv")


def test_every_problem_of_every_file_together(tmp_path):
    bad_unit = write(tmp_path, "a.csv", "region,time,temperature\nKyiv,2026-01-09 00:00,-3\n")
    bad_value = write(tmp_path, "b.csv", "region,time,temperature_c\nOdesa,2026-01-09 00:00,99\n"
                      "Odesa,2026-01-09 01:00,oops\n")
    with pytest.raises(InvalidInputError) as info:
        load_temperature([bad_unit, bad_value])
    assert {(p.file, p.rule, p.line) for p in problems(info)} == {
        ("a.csv", "unit_unknown", 1), ("b.csv", "above_maximum", 2), ("b.csv", "not_a_number", 3)}
    assert "3 problem(s) in a.csv, b.csv" in str(info.value)


# ------------------------------------------------------------------------------ properties

hours = st.integers(min_value=2, max_value=30)
values = st.lists(st.integers(min_value=-4000, max_value=3500), min_size=30, max_size=30)


@settings(max_examples=60, deadline=None)
@given(hours, values)
def test_kelvin_and_celsius_versions_read_identically(n, hundredths):
    celsius = [v / 100 for v in hundredths[:n]]
    times = pd.date_range("2026-01-09", periods=n, freq="h").strftime("%Y-%m-%d %H:%M")
    base = {"pcode": ["UA80"] * n, "time": list(times)}
    in_c = load_temperature(pd.DataFrame({**base, "temperature_c": celsius})).frame
    in_k = load_temperature(pd.DataFrame({**base, "temperature_k": [round(c + 273.15, 2) for c in celsius]})).frame
    pd.testing.assert_frame_equal(in_c, in_k, check_exact=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["UA80", "UA51"]), st.integers(0, 20),
                          st.integers(-300, 100)), min_size=1, max_size=40, unique_by=lambda r: r[:2]),
       st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows, rng):
    table = pd.DataFrame(rows, columns=["pcode", "hour", "tenths"])
    table["temperature_c"] = table.pop("tenths") / 10
    table["time"] = (pd.Timestamp("2026-01-09") + pd.to_timedelta(table["hour"], unit="h")).astype(str)
    table = table.drop(columns="hour")
    shuffled = table.sample(frac=1.0, random_state=rng.randint(0, 2**31))
    first = load_temperature(table, max_gap_hours=24).frame
    again = load_temperature(shuffled, max_gap_hours=24).frame
    pd.testing.assert_frame_equal(first, again, check_exact=True)


WHOLE_RECORD = ("UPM00034519,19950101,TMAX,-20,,,S,\nUPM00034519,19950101,TMIN,-80,,,S,\n"
                "UPM00034519,20260109,TMAX,-20,,,S,\nUPM00034519,20260109,TMIN,-101,,,S,\n"
                "UPM00034519,20260110,TMAX,-35,,,S,\nUPM00034519,20260110,TMIN,-120,,,S,\n")


def test_a_whole_station_record_fails_on_its_old_gap_unless_set_aside(tmp_path):
    path = write(tmp_path, "UPM00034519.csv", WHOLE_RECORD)
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    assert "1995-01-01" in only(info, "gap_too_long").message
    data = load_temperature(path, since="2026-01-09")
    times = data.frame["time"]
    assert times.min() == kyiv("2026-01-09 00:00") and times.max() == kyiv("2026-01-10 23:00")
    assert len(data.frame) == 48
    assert any("24 hourly value(s) before 2026-01-09 set aside" in note for note in data.notes)
    # The readings kept are those a file without the old years gives.
    recent = write(tmp_path, "recent.csv", WHOLE_RECORD.split("\n", 2)[2])
    kept = load_temperature(recent).frame
    assert kept["temperature_c"].tolist() == data.frame["temperature_c"].tolist()


def test_since_is_a_local_day_and_must_be_a_date(tmp_path):
    path = write(tmp_path, "t.csv", "pcode,time,temperature_c\nUA80,2026-01-08T21:30:00Z,-3\n"
                                    "UA80,2026-01-08T22:00:00Z,-4\n")
    # 22:00 UTC is midnight in Kyiv (UTC+2): the first reading is set aside, the second kept.
    frame = load_temperature(path, since="2026-01-09").frame
    assert frame["time"].tolist() == [kyiv("2026-01-09 00:00")]
    with pytest.raises(ValueError, match="since must be a date"):
        load_temperature(path, since="ninth of January")


def test_a_time_that_is_not_a_date_is_reported_once(tmp_path):
    path = write(tmp_path, "t.csv", "region,time,temperature_c\nUA80,2026-01-12 00:00,-5\n"
                                    "UA80,notadate,-6\nUA80,2026-01-12 02:00,-7\n")
    with pytest.raises(InvalidInputError) as caught:
        load_temperature(path)
    assert [(p.line, p.column, p.rule) for p in problems(caught)] == [(3, "time", "not_a_time")]
