"""The API door: argument types and values are checked once, with gridimpact's own exceptions."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gridimpact
from gridimpact import api
from gridimpact.arguments import (
    ArgumentError,
    as_int,
    as_list,
    parse_day,
    parse_probability,
    pause_warnings,
    scenario_list,
    today,
)
from gridimpact.errors import EXIT_USAGE, GridimpactError, InternalError, OutputError
from gridimpact.io.readers.embedded import export
from gridimpact.io.readers.scenarios import load_scenario

SMALL = {"members": 2, "days": 2}


def test_one_string_is_one_scenario_and_a_lone_scenario_is_compared_with_no_pause():
    result = gridimpact.compare(scenarios="announced-pause", **SMALL)
    assert result.scenarios == ("no-pause", "announced-pause")
    assert result.baseline == "no-pause"
    assert scenario_list(("observed",)) == ["no-pause", "observed"]
    assert scenario_list(["no-pause"]) == ["no-pause"]  # a baseline-only run: its impacts, no comparison
    assert scenario_list(Path("my.toml")) == ["no-pause", Path("my.toml")]


@pytest.mark.parametrize(("arguments", "message"), [
    ({"members": 2.5}, "members must be an integer, got 2.5 (float)"),
    ({"members": 2.0}, "members must be an integer"),
    ({"members": "2"}, "members must be an integer"),
    ({"members": True}, "got True (bool)"),
    ({"members": 0}, "members must be at least 1"),
    ({"seed": -1}, "seed must be at least 0"),
    ({"seed": 1.5}, "seed must be an integer"),
    ({"days": 0}, "days must be at least 1"),
    ({"compliance": 1.5}, "between 0 and 1"),
    ({"compliance": "125%"}, "between 0 and 1"),
    ({"compliance": "half"}, "such as 0.25 or '25%'"),
    ({"compliance": float("nan")}, "between 0 and 1"),
    ({"compliance": False}, "compliance must be a probability"),
    ({"regions": 3}, "regions must be names or p-codes"),
    ({"scenarios": []}, "at least one scenario"),
    ({"scenarios": [3]}, "scenarios must be names"),
    ({"as_of": "30/01/2026"}, "is not a date"),
    ({"as_of": 20260130}, "as_of must be a date"),
    ({"as_of": "3000-01-01"}, "between 1800 and 2100"),
    ({"inputs": "data/"}, "inputs must be an Inputs"),
    ({"params": 3}, "params must be a Params"),
    ({"workers": 0}, "workers must be at least 1"),
    ({"block": 2.5}, "block must be an integer"),
    ({"progress": 5}, "progress must be callable"),
])
def test_compare_refuses_wrong_arguments_at_the_door(arguments, message):
    with pytest.raises(ArgumentError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        gridimpact.compare(**arguments)
    assert isinstance(caught.value, GridimpactError) and caught.value.exit_code == EXIT_USAGE
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, ValueError)


def test_numpy_integers_are_integers():
    assert as_int(np.int64(3), "members") == 3
    assert isinstance(as_int(np.int32(3), "members"), int)


def test_estimate_checks_its_arguments():
    with pytest.raises(ArgumentError, match=r"the end \(2026-02-01\) is before the start \(2026-02-03\)"):
        gridimpact.estimate(start="2026-02-03", end="2026-02-01")
    with pytest.raises(ArgumentError, match="hourly must be True or False"):
        gridimpact.estimate(hourly="yes")
    with pytest.raises(ArgumentError, match="end 2025-02-01 is before the first day with data; the data cover"):
        gridimpact.estimate(end="2025-02-01")  # an end before the data: a message, not pandas' ValueError
    with pytest.raises(ArgumentError, match="start 2026-03-20 is after the last day with data"):
        gridimpact.estimate(start="2026-03-20")  # no end was given, so none is blamed


def test_estimate_takes_one_region_as_a_string():
    result = gridimpact.estimate(regions="Kyiv", start="2026-02-01", end="2026-02-02", hourly=False)
    assert set(result.daily["adm1_pcode"]) == {"UA80"}


def test_as_list_keeps_strings_and_paths_whole():
    assert as_list("Kyiv", "regions") == ["Kyiv"]
    assert as_list(Path("a.toml"), "scenarios") == [Path("a.toml")]
    assert as_list(("a", "b"), "scenarios") == ["a", "b"]
    assert as_list(None, "regions") is None


def test_days_in_every_spelling():
    expected = datetime.date(2026, 1, 30)
    for value in ("2026-01-30", " 30.01.2026 ", "30.1.2026", "2026-01-30T18:00", datetime.date(2026, 1, 30),
                  datetime.datetime(2026, 1, 30, 23, 0), pd.Timestamp("2026-01-30 12:00")):
        assert parse_day(value) == expected, value
    assert parse_day("today") == parse_day("TODAY") == today()
    assert today() == datetime.datetime.now(ZoneInfo("Europe/Kyiv")).date()


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_a_percentage_is_a_hundredth(percent):
    assert parse_probability(f"{percent!r}%") == pytest.approx(percent / 100)
    assert parse_probability(percent / 100) == pytest.approx(percent / 100)


@given(st.floats(allow_nan=True).filter(lambda x: not 0 <= x <= 1))
def test_a_probability_outside_zero_and_one_is_refused(value):
    with pytest.raises(ArgumentError):
        parse_probability(value)


def test_a_pause_outside_the_compared_days_is_named_with_the_date_to_use():
    pause = load_scenario("announced-pause")  # its pause: 30 January to 6 February 2026
    (before,) = pause_warnings([pause], datetime.date(2026, 2, 10), datetime.date(2026, 2, 23))
    assert "ends before the compared days" in before and "--as-of 2026-01-30" in before
    (after,) = pause_warnings([pause], datetime.date(2026, 1, 10), datetime.date(2026, 1, 20))
    assert "starts after the compared days" in after and "--as-of 2026-01-30" in after
    assert pause_warnings([pause], datetime.date(2026, 1, 30), datetime.date(2026, 2, 12)) == []
    assert pause_warnings([pause], datetime.date(2026, 2, 6), datetime.date(2026, 2, 8)) == []  # its last day
    with pytest.warns(api.PauseOutsideWindowWarning, match="--as-of 2026-01-30") as caught:
        gridimpact.compare(as_of="2026-02-10", **SMALL)
    assert caught[0].filename == __file__  # reported at the caller's line, not inside gridimpact


def test_a_raw_exception_from_inside_becomes_an_internal_error(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("operands could not be broadcast together")

    monkeypatch.setattr(api, "simulate", broken)
    with pytest.raises(InternalError, match="estimate failed unexpectedly: ValueError") as caught:
        gridimpact.estimate(start="2026-02-01", end="2026-02-01")
    assert isinstance(caught.value.__cause__, ValueError)


def test_an_exception_of_the_callers_own_callback_passes_through():
    class Stop(Exception):
        pass

    def progress(n):
        raise Stop

    with pytest.raises(Stop):
        gridimpact.compare(progress=progress, **SMALL)


def test_the_exported_case_gives_the_embedded_answer(tmp_path):
    export(tmp_path / "case")
    loaded = gridimpact.load_inputs(folder=tmp_path / "case")
    embedded = gridimpact.default_inputs()
    assert (loaded.as_of, loaded.horizon_days, loaded.name) == (embedded.as_of, embedded.horizon_days, embedded.name)
    assert loaded.regions == embedded.regions
    ours = gridimpact.compare(loaded, members=2, days=3)
    theirs = gridimpact.compare(members=2, days=3)
    pd.testing.assert_frame_equal(ours.comparison, theirs.comparison)
    assert ours.provenance["as_of"] == "2026-01-30"


def test_export_refuses_to_overwrite_an_edited_file(tmp_path):
    folder = tmp_path / "case"
    export(folder)
    export(folder)  # the same bytes again: nothing is lost
    edited = folder / "outages.csv"
    edited.write_text(edited.read_text(encoding="utf-8") + "UA80,2026-02-20 10:00,,0.5,scheduled,,,,x,,\n",
                      encoding="utf-8")
    mine = edited.read_bytes()
    with pytest.raises(OutputError, match=r"1 file\(s\) differ.*outages.csv.*--force"):
        export(folder)
    assert edited.read_bytes() == mine
    export(folder, force=True)
    assert edited.read_bytes() != mine


@pytest.mark.parametrize("scenarios", [["announced-pause", "no-pause"], ["announced-pause", "kremlin-statement"]])
def test_a_baseline_with_a_pause_is_refused_rather_than_taken_as_failing(scenarios):
    with pytest.raises(gridimpact.ArgumentError, match="the baseline 'announced-pause' has a pause"):
        gridimpact.compare(scenarios=scenarios, members=2, days=1)


def test_regions_asked_for_wrongly_are_argument_errors():
    with pytest.raises(gridimpact.ArgumentError, match="regions is empty"):
        gridimpact.compare(regions=[], members=2, days=1)
    with pytest.raises(gridimpact.ArgumentError, match="did you mean 'Kyiv"):
        gridimpact.estimate(regions=["Kyivv"])
    with pytest.raises(LookupError):  # and still a LookupError, as before
        gridimpact.estimate(regions=["Kyivv"])
    with pytest.raises(gridimpact.InvalidInputError, match=r"Lvivska \(UA46\) lacks .*regions with both: .*Kyiv \(UA80\)"):
        gridimpact.estimate(regions=["Lviv"])


def test_the_order_and_repetition_of_regions_asked_for_change_nothing():
    once = gridimpact.compare(regions=["Odesa", "Kyiv"], members=2, days=2).comparison
    again = gridimpact.compare(regions=["Kyiv", "Kyiv", "Odesa"], members=2, days=2).comparison
    assert once.equals(again)
    assert list(once["adm1_pcode"].unique()) == ["UA51", "UA80", "ALL"]  # sorted by p-code, ALL last
