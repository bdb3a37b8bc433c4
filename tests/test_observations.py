"""Observations: the shipped file and a user's file read, converted and checked like every input."""

import pytest

from gridimpact.errors import InputMissingError, InvalidInputError
from gridimpact.io.readers.observations import COLUMNS, load_observations
from gridimpact.vocab import OBSERVATION_SETS, OBSERVED_QUANTITIES

HEADER = ("id,set,date,time,pcode,quantity,value,value_low,value_high,unit,building_class,heating,"
          "supplementary_heat,hours_without_heat,outdoor_temp_c,persons_per_building,source,confidence,note\n")
VALID = HEADER + (
    "A1,validation,2026-02-10,,UA80,buildings_without_heat,1400,,1400,buildings,,,,,,235,tsn-2026-02-10-kyiv-1400,H,\n"
    "A2,calibration,21.01.2026,morning,Kyiv,indoor_temperature_c,10,8,12,degC,panel_block,district,none,30,-10.1,,"
    "https://example.org/report,M,about +10 after a day\n"
    "A3,validation,2026-01-21,12:00,UA63,share_customers_without_power,60%,,,%,,,,,,,governor briefing,H,\n"
    "A4,validation,2026-01-22,,UA80,indoor_temperature_c,275.15,274.15,276.15,K,brick_block,district,none,168,,,x,L,\n"
)


def write(tmp_path, text, name="obs.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_is_valid_and_uses_every_set():
    frame = load_observations()
    assert list(frame.columns) == ["line", *COLUMNS]
    assert set(frame["set"]) == set(OBSERVATION_SETS)
    assert set(frame["quantity"]) <= set(OBSERVED_QUANTITIES)
    assert frame["id"].is_unique
    indoor = frame[frame["quantity"] == "indoor_temperature_c"]
    assert indoor[["building_class", "hours_without_heat", "outdoor_temp_c"]].notna().all().all()
    assert (frame["value_low"].isna() | (frame["value_low"] <= frame["value"])).all()
    february = frame[(frame["date"] >= "2026-02-01") & (frame["set"] == "validation")]
    assert len(february) >= 3


def test_a_valid_user_file_is_read_with_units_converted(tmp_path):
    frame = load_observations(write(tmp_path, VALID)).set_index("id")
    assert frame.loc["A2", "pcode"] == "UA80"  # a region name resolves to its p-code
    assert str(frame.loc["A2", "date"].date()) == "2026-01-21"  # day-first date
    assert frame.loc["A3", "value"] == pytest.approx(0.60) and frame.loc["A3", "unit"] == "1"
    assert frame.loc["A4", ["value", "value_low", "value_high"]].tolist() == pytest.approx([2.0, 1.0, 3.0])
    assert frame.loc["A4", "unit"] == "degC"
    assert frame.loc["A1", "line"] == 2 and frame.loc["A4", "line"] == 5


def test_bad_rows_are_reported_by_line_column_and_rule(tmp_path):
    bad = HEADER + (
        "B1,validation,2026-02-10,,UA80,buildings_without_heat,lots,,,buildings,,,,,,,s,H,\n"      # line 2
        "B2,guess,2026-02-10,,UA80,buildings_without_heat,10,,,buildings,,,,,,,s,H,\n"            # line 3
        "B3,validation,2026-02-10,,Atlantis,buildings_without_heat,10,,,buildings,,,,,,,s,H,\n"   # line 4
        "B4,validation,2026-02-10,,UA80,buildings_without_heat,10,,,people,,,,,,,s,H,\n"          # line 5
        "B5,calibration,2026-02-10,,UA80,indoor_temperature_c,8,9,12,degC,,district,none,,,,s,M,\n"  # line 6
        "B6,validation,2026-02-30,25:00,UA80,customers_without_power,-5,,,customers,,,,,,,s,Q,\n"  # line 7
        "B6,validation,2026-02-10,,UA80,customers_without_power,5,,,customers,,,,,,,,H,\n"       # line 8
    )
    with pytest.raises(InvalidInputError) as caught:
        load_observations(write(tmp_path, bad))
    found = {(p.line, p.column, p.rule) for p in caught.value.problems}
    expected = {
        (2, "value", "not_a_number"),
        (3, "set", "not_allowed"),
        (4, "pcode", "unknown_region"),
        (5, "unit", "unit_of_quantity"),
        (6, "value_low", "range_brackets_value"),
        (6, "building_class", "indoor_context"),
        (7, "date", "not_a_date"),
        (7, "time", "bad_code"),
        (7, "value", "value_in_range"),
        (7, "confidence", "not_allowed"),
        (8, "id", "duplicate"),
        (8, "source", "missing_value"),
    }
    assert expected <= found, sorted(found)
    assert all(p.file == "obs.csv" for p in caught.value.problems)
    assert "line 5, column 'unit'" in str(caught.value)


def test_a_missing_column_names_what_the_file_has(tmp_path):
    path = write(tmp_path, "id,date,value\nX,2026-01-01,3\n")
    with pytest.raises(InvalidInputError, match="required column 'quantity'.*the file has: id, date, value"):
        load_observations(path)


def test_a_missing_file_is_input_missing(tmp_path):
    with pytest.raises(InputMissingError):
        load_observations(tmp_path / "nothing.csv")


SCOPED_HEADER = HEADER.replace("quantity,value,", "quantity,scope,value,")


def test_scope_defaults_to_all_and_is_read_where_given(tmp_path):
    assert set(load_observations(write(tmp_path, VALID))["scope"]) == {"all"}  # no scope column
    text = SCOPED_HEADER + (
        "S1,validation,2026-01-21,,UA80,customers_without_power,Damage,44000,,,customers,,,,,,,s,H,\n"
        "S2,validation,2026-01-21,,UA80,customers_without_power,,44000,,,customers,,,,,,,s,H,\n"
    )
    frame = load_observations(write(tmp_path, text, "scoped.csv")).set_index("id")
    assert frame.loc["S1", "scope"] == "damage" and frame.loc["S2", "scope"] == "all"


def test_a_bad_scope_is_reported_by_line_and_column(tmp_path):
    text = SCOPED_HEADER + (
        "S1,validation,2026-01-21,,UA80,customers_without_power,rotation,44000,,,customers,,,,,,,s,H,\n"
        "S2,validation,2026-01-21,,UA80,indoor_temperature_c,damage,5,,,degC,panel_block,district,none,30,-10,,s,M,\n"
    )
    with pytest.raises(InvalidInputError) as caught:
        load_observations(write(tmp_path, text))
    found = {(p.line, p.column, p.rule) for p in caught.value.problems}
    assert {(2, "scope", "not_allowed"), (3, "scope", "scope_of_quantity")} <= found, sorted(found)
