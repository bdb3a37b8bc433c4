"""Subqueue schedules: the typed table, DTEK fact JSON and pages, Yasno JSON."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridimpact.io.readers.operators import DTEK_HALF_HOURS
from gridimpact.io.readers.outages import load_outages
from tests import helpers
from tests.helpers import kyiv, only

problems_of = partial(helpers.problems_of, load_outages)

FIXTURES = Path(__file__).parent / "fixtures" / "outages"
KYIV = "Europe/Kyiv"
OCT_29 = "1761688800"  # 29 Oct 2025 00:00 in Kyiv (UTC+2)


def intervals(schedules: pd.DataFrame) -> list[tuple]:
    return [(r.pcode, r.subqueue, r.start, r.end, r.certainty) for r in schedules.itertuples()]


def write_json(tmp_path: Path, data, name: str = "schedule.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def dtek_day(**off: str) -> dict[str, str]:
    """24 DTEK hours "1" … "24", power on except the given ones (keyword h13="second" …)."""
    hours = {str(h): "yes" for h in range(1, 25)}
    hours.update({key[1:]: value for key, value in off.items()})
    return hours


# --- DTEK -------------------------------------------------------------------------------------

DTEK_EXPECTED = [  # dtek_fact.json: 29 and 30 Oct 2025
    ("UA80", "6.2", kyiv("2025-10-29 07:30"), kyiv("2025-10-29 09:30"), "possible"),
    # "13": second, "14"–"16": no, "17": first → one outage 12:30–16:30.
    ("UA80", "1.1", kyiv("2025-10-29 12:30"), kyiv("2025-10-29 16:30"), "definite"),
    ("UA80", "3.1", kyiv("2025-10-29 20:00"), kyiv("2025-10-29 22:00"), "possible"),
    # "23", "24": no, then "1", "2": no and "3": first the next day → one outage across midnight.
    ("UA80", "3.1", kyiv("2025-10-29 22:00"), kyiv("2025-10-30 02:30"), "definite"),
    ("UA80", "3.1", kyiv("2025-10-30 17:00"), kyiv("2025-10-30 17:30"), "possible"),
]
# dtek_kem_shutdowns.html holds 29 Oct only: the late outage of 3.1 ends at midnight.
PAGE_EXPECTED = [*DTEK_EXPECTED[:3],
                 ("UA80", "3.1", kyiv("2025-10-29 22:00"), kyiv("2025-10-30 00:00"), "definite")]


def test_dtek_fact_json_gives_the_hand_written_intervals():
    data = load_outages(FIXTURES / "dtek_fact.json", region="Kyiv")
    assert intervals(data.schedules) == DTEK_EXPECTED
    assert set(data.schedules["source"]) == {"DTEK DisconSchedule.fact, updated 29.10.2025 13:51"}
    assert data.reports.empty


def test_dtek_page_region_comes_from_its_canonical_address():
    # The page's footer links to two other DTEK companies; the canonical link decides.
    data = load_outages(FIXTURES / "dtek_kem_shutdowns.html")
    assert intervals(data.schedules) == PAGE_EXPECTED
    assert set(data.schedules["source"]) == {
        "DTEK dtek-kem.com.ua DisconSchedule.fact, updated 29.10.2025 13:51"}
    assert any("UA80" in n and "dtek-kem.com.ua" in n for n in data.notes), data.notes


@pytest.mark.parametrize(("host", "pcode"), [
    ("dtek-kem", "UA80"), ("dtek-krem", "UA32"), ("dtek-oem", "UA51"), ("dtek-dnem", "UA12"),
    ("dtek-dem", "UA14"),
])
def test_dtek_page_region_from_the_only_site_it_names(tmp_path, host, pcode):
    fact = json.dumps({"data": {OCT_29: {"GPV2.2": dtek_day(h1="no")}}})
    page = (f'<html><body><form action="https://www.{host}.com.ua/ua/ajax"></form>\n'
            f"<script>\nDisconSchedule.fact = {fact}</script></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    assert load_outages(tmp_path / "page.html").schedules["pcode"].tolist() == [pcode]


def test_dtek_page_naming_several_sites_needs_a_region(tmp_path):
    page = FIXTURES.joinpath("dtek_kem_shutdowns.html").read_text(encoding="utf-8")
    page = page.replace('<link rel="canonical" href="https://www.dtek-kem.com.ua/ua/shutdowns">', "")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    assert "--region" in only(problems_of(tmp_path / "page.html"), "no_region").message
    assert set(load_outages(tmp_path / "page.html", region="UA32").schedules["pcode"]) == {"UA32"}


def test_the_callers_region_wins_over_the_page_with_a_note():
    data = load_outages(FIXTURES / "dtek_kem_shutdowns.html", region="Odesa")
    assert set(data.schedules["pcode"]) == {"UA51"}
    assert any("dtek-kem.com.ua" in n and "UA80" in n for n in data.notes), data.notes


def test_a_page_without_the_schedule(tmp_path):
    (tmp_path / "page.html").write_text("<html><body>Checking your browser…</body></html>")
    assert only(problems_of(tmp_path / "page.html"), "no_schedule_in_page").line is None


def test_problems_in_a_page_name_the_line_and_the_key(tmp_path):
    fact = json.dumps({"data": {OCT_29: {"GPV1.1": dtek_day(h13="half")}}})
    page = f"<html>\n<head></head>\n<body>\n<script>\nDisconSchedule.fact = {fact}</script>\n</body></html>"
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    problem = only(problems_of(tmp_path / "page.html", region="UA80"), "bad_hour_value")
    assert (problem.line, problem.where, problem.value) == (5, f"data/{OCT_29}/GPV1.1/13", "half")


def test_a_page_saved_as_json_is_read_as_a_page(tmp_path):
    page = FIXTURES.joinpath("dtek_kem_shutdowns.html").read_text(encoding="utf-8")
    (tmp_path / "saved.json").write_text(page, encoding="utf-8")
    assert intervals(load_outages(tmp_path / "saved.json").schedules) == PAGE_EXPECTED


def test_dtek_problems_are_located_by_key_path(tmp_path):
    fact = {"data": {
        OCT_29: {"GPV1.1": dtek_day(h13="half", h25="no"), "GPV2.1": dtek_day(x="no")},
        "yesterday": {"GPV3.1": dtek_day(h2="nope")},
    }}
    found = {(p.rule, p.where, p.line) for p in problems_of(write_json(tmp_path, fact), region="UA80")}
    assert found == {
        ("bad_hour_value", f"data/{OCT_29}/GPV1.1/13", None),
        ("bad_hour_key", f"data/{OCT_29}/GPV1.1/25", None),
        ("bad_hour_key", f"data/{OCT_29}/GPV2.1/", None),
        ("bad_day_key", "data/yesterday", None),
        ("bad_hour_value", "data/yesterday/GPV3.1/2", None),
    }


def test_dtek_hours_numbered_from_zero(tmp_path):
    hours = {str(h): "yes" for h in range(24)}
    hours.update({"0": "no", "13": "first"})
    data = load_outages(write_json(tmp_path, {"data": {OCT_29: {"GPV4.1": hours}}}), region="UA80")
    assert intervals(data.schedules) == [
        ("UA80", "4.1", kyiv("2025-10-29 00:00"), kyiv("2025-10-29 01:00"), "definite"),
        ("UA80", "4.1", kyiv("2025-10-29 13:00"), kyiv("2025-10-29 13:30"), "definite"),
    ]


def test_dtek_groups_of_another_operator_are_skipped_with_a_note(tmp_path):
    fact = {"data": {OCT_29: {"GPV1.1": dtek_day(h1="no"), "GPV1001.1": dtek_day(h2="no")}}}
    data = load_outages(write_json(tmp_path, fact), region="Dnipro")
    assert data.schedules["subqueue"].tolist() == ["1.1"]
    assert any("GPV1001.1" in n for n in data.notes), data.notes


@pytest.mark.parametrize(("region_id", "pcode"), [
    ("kyiv", "UA80"), ("kyiv-region", "UA32"), ("odesa", "UA51"), ("dnipro", "UA12"), ("Kharkiv", "UA63"),
])
def test_a_dtek_page_dump_names_its_region(tmp_path, region_id, pcode):
    dump = {"regionId": region_id, "lastUpdated": "2026-02-05T22:03:14.291Z",
            "fact": {"data": {OCT_29: {"GPV5.2": dtek_day(h8="no")}}, "update": "29.10.2025 06:00"},
            "preset": {"data": {"GPV5.2": {"1": dtek_day(h1="maybe")}}}}
    data = load_outages(write_json(tmp_path, dump))
    assert intervals(data.schedules) == [
        (pcode, "5.2", kyiv("2025-10-29 07:00"), kyiv("2025-10-29 08:00"), "definite")]
    assert any("preset" in n for n in data.notes) and any(region_id in n for n in data.notes)


def test_a_dump_problem_is_located_under_fact(tmp_path):
    dump = {"regionId": "kyiv", "fact": {"data": {OCT_29: {"GPV5.2": dtek_day(h8="off")}}}}
    assert only(problems_of(write_json(tmp_path, dump)), "bad_hour_value").where == \
        f"fact/data/{OCT_29}/GPV5.2/8"


def test_an_empty_dtek_fact_gives_no_intervals_and_a_note(tmp_path):
    dump = {"regionId": "dnipro", "fact": {"data": [], "update": "24.07.2026 08:30"}}
    data = load_outages(write_json(tmp_path, dump))
    assert data.schedules.empty
    assert any("no outage" in n for n in data.notes), data.notes


def test_dtek_on_the_spring_clock_change(tmp_path):
    # 29 Mar 2026: Kyiv clocks jump from 03:00 to 04:00; hours "3"–"5" off are 02:00–05:00 local.
    day = str(int(kyiv("2026-03-29").timestamp()))
    fact = {"data": {day: {"GPV2.1": dtek_day(h3="no", h4="no", h5="no")}}}
    rows = intervals(load_outages(write_json(tmp_path, fact), region="UA80").schedules)
    assert rows == [("UA80", "2.1", kyiv("2026-03-29 02:00"), kyiv("2026-03-29 05:00"), "definite")]
    assert rows[0][3] - rows[0][2] == pd.Timedelta(hours=2)


_hour_values = st.lists(st.sampled_from(sorted(DTEK_HALF_HOURS)), min_size=48, max_size=48)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=_hour_values)
def test_dtek_intervals_cover_exactly_the_off_half_hours(tmp_path, values):
    days = ["1761688800", "1761775200"]  # 29 and 30 Oct 2025, both UTC+2
    fact = {"data": {day: {"GPV1.2": {str(h + 1): values[24 * i + h] for h in range(24)}}
                     for i, day in enumerate(days)}}
    schedules = load_outages(write_json(tmp_path, fact), region="UA80").schedules
    origin = kyiv("2025-10-29 00:00")
    expected = {(2 * k + half, certainty) for k, value in enumerate(values)
                for half, certainty in enumerate(DTEK_HALF_HOURS[value]) if certainty}
    covered = set()
    for row in schedules.itertuples():
        first, last = (int((t - origin) / pd.Timedelta(minutes=30)) for t in (row.start, row.end))
        covered |= {(k, row.certainty) for k in range(first, last)}
    assert covered == expected
    for _, group in schedules.groupby("certainty"):
        assert (group["start"].iloc[1:].to_numpy() > group["end"].iloc[:-1].to_numpy()).all()


# --- Yasno ------------------------------------------------------------------------------------

def test_yasno_gives_the_hand_written_intervals():
    data = load_outages(FIXTURES / "yasno_planned_outages.json", region="Київ")
    assert intervals(data.schedules) == [
        ("UA80", "3.1", kyiv("2026-01-12 08:00"), kyiv("2026-01-12 12:00"), "definite"),
        ("UA80", "1.1", kyiv("2026-01-12 16:00"), kyiv("2026-01-12 20:00"), "definite"),
        # 1350–1440 today and 0–270 tomorrow: one outage across midnight.
        ("UA80", "1.1", kyiv("2026-01-12 22:30"), kyiv("2026-01-13 04:30"), "definite"),
        ("UA80", "1.1", kyiv("2026-01-13 12:00"), kyiv("2026-01-13 15:00"), "definite"),
    ]
    assert set(data.schedules["source"]) == {"Yasno planned outages, updated 2026-01-12T13:42:41+00:00"}


def test_yasno_needs_a_region():
    assert "Kyiv city and Dnipro" in only(problems_of(FIXTURES / "yasno_planned_outages.json"),
                                          "no_region").message


def _yasno_day(date: str, status: str, slots: list | None = None) -> dict:
    return {"date": f"{date}T00:00:00+02:00", "status": status, "slots": slots or []}


def test_yasno_emergency_and_waiting_days_give_notes_only(tmp_path):
    data = {
        "1.1": {"today": _yasno_day("2026-01-12", "EmergencyShutdowns"),
                "tomorrow": _yasno_day("2026-01-13", "WaitingForSchedule",
                                       [{"start": 0, "end": 240, "type": "Definite"}])},
        "2.2": {"today": _yasno_day("2026-01-12", "EmergencyShutdowns"),
                "tomorrow": _yasno_day("2026-01-13", "ScheduleApplies",
                                       [{"start": 60, "end": 120, "type": "Definite"}])},
    }
    loaded = load_outages(write_json(tmp_path, data), region="Dnipro")
    assert intervals(loaded.schedules) == [
        ("UA12", "2.2", kyiv("2026-01-13 01:00"), kyiv("2026-01-13 02:00"), "definite")]
    assert ("schedule.json: Yasno reports emergency shutdowns on 2026-01-12 for groups 1.1, 2.2: "
            "extent unknown, add an emergency outage report") in loaded.notes
    assert any("WaitingForSchedule" in n and "2026-01-13" in n and "1.1" in n for n in loaded.notes)


def test_yasno_problems_are_located_by_key_path(tmp_path):
    data = {
        "1.1": {"today": {"date": "soon", "status": "ScheduleApplies", "slots": []},
                "tomorrow": _yasno_day("2026-01-13", "Blackout")},
        "2.1": {"today": _yasno_day("2026-01-12", "ScheduleApplies", [
            {"start": 300, "end": 120, "type": "Definite"},
            {"start": 0, "end": 60, "type": "Maybe"},
            {"start": 0, "end": 1500, "type": "Definite"},
        ])},
    }
    found = {(p.rule, p.where) for p in problems_of(write_json(tmp_path, data), region="Kyiv")}
    assert found == {
        ("bad_date", "1.1/today/date"),
        ("unknown_status", "1.1/tomorrow/status"),
        ("bad_slot", "2.1/today/slots/0"),
        ("bad_slot_type", "2.1/today/slots/1/type"),
        ("bad_slot", "2.1/today/slots/2"),
    }


# --- JSON in general --------------------------------------------------------------------------

def test_json_that_is_no_schedule(tmp_path):
    problem = only(problems_of(write_json(tmp_path, {"kyiv": [1, 2, 3]})), "not_a_schedule")
    assert "DTEK" in problem.message and "Yasno" in problem.message


def test_broken_json_names_the_line(tmp_path):
    (tmp_path / "broken.json").write_text('{\n  "data": {\n    "1761688800": ,\n  }\n}')
    assert only(problems_of(tmp_path / "broken.json"), "bad_json").line == 3


def test_an_html_answer_saved_as_json(tmp_path):
    (tmp_path / "blocked.json").write_text("<html><body>Request unsuccessful. Incapsula</body></html>")
    assert "HTML page" in only(problems_of(tmp_path / "blocked.json"), "bad_json").message


def test_json_without_the_suffix_is_recognised_by_content(tmp_path):
    (tmp_path / "schedule.dat").write_text(FIXTURES.joinpath("dtek_fact.json").read_text())
    assert intervals(load_outages(tmp_path / "schedule.dat", region="UA80").schedules) == DTEK_EXPECTED


# --- the schedule table -----------------------------------------------------------------------

def test_the_ukrainian_schedule_table():
    data = load_outages(FIXTURES / "schedule_uk.csv")
    assert intervals(data.schedules) == [
        ("UA80", "1.1", kyiv("2026-01-12 16:00"), kyiv("2026-01-12 20:00"), "definite"),
        # 22:30 to 02:00 crosses midnight.
        ("UA80", "3.1", kyiv("2026-01-12 22:30"), kyiv("2026-01-13 02:00"), "possible"),
        ("UA80", "1.2", kyiv("2026-01-13 00:00"), kyiv("2026-01-14 00:00"), "definite"),
    ]
    assert any("Kyiv local time" in n for n in data.notes)


@pytest.mark.parametrize("written", ["GPV1.1", "1.1", "черга 1.1", "Queue 1.1", "підчерга 1.1", "1,1"])
def test_subqueue_spellings(tmp_path, written):
    (tmp_path / "s.csv").write_text(f"region;date;subqueue;off_from;off_to\nUA80;12.01.2026;{written};08:00;12:00\n")
    assert load_outages(tmp_path / "s.csv").schedules["subqueue"].tolist() == ["1.1"]


def test_a_schedule_table_with_timestamps_and_a_canonical_dataframe():
    frame = pd.DataFrame({
        "pcode": ["UA80", "UA80"], "subqueue": ["1.1", "3.1"],
        "start": [kyiv("2026-01-12 16:00"), kyiv("2026-01-12 22:30")],
        "end": [kyiv("2026-01-12 20:00"), kyiv("2026-01-13 02:00")],
        "certainty": ["definite", "possible"], "source": [None, None],
    })
    from_frame = load_outages(frame).schedules
    from_file = load_outages(FIXTURES / "schedule_uk.csv").schedules
    pd.testing.assert_frame_equal(from_frame, from_file.iloc[:2].reset_index(drop=True))


def test_schedule_table_problems_with_their_lines_and_columns(tmp_path):
    text = ("область;дата;черга;з;до;достовірність\n"
            "Київ;12.01.2026;7.1;08:00;12:00;\n"
            "Київ;32.01.2026;1.1;25:00;12:00;\n"
            "Київ;12.01.2026;1.2;24:00;12:60;ймовірно\n"
            ";;2.1;;10:00;\n")
    (tmp_path / "s.csv").write_text(text, encoding="utf-8")
    found = [(p.line, p.column, p.rule) for p in problems_of(tmp_path / "s.csv")]
    assert found == [
        (2, "черга", "not_a_subqueue"),
        (3, "дата", "not_a_date"),
        (3, "з", "not_a_clock_time"),
        (4, "до", "not_a_clock_time"),
        (4, "достовірність", "not_allowed"),
        (4, "з", "not_a_clock_time"),
        (5, "дата", "missing_value"),
        (5, "з", "missing_value"),
        (5, "область", "missing_value"),
    ]


def test_a_schedule_table_without_a_region_takes_the_callers(tmp_path):
    (tmp_path / "s.csv").write_text("date,group,from,to\n2026-01-12,4.2,08:00,10:30\n")
    assert intervals(load_outages(tmp_path / "s.csv", region="Odesa").schedules) == [
        ("UA51", "4.2", kyiv("2026-01-12 08:00"), kyiv("2026-01-12 10:30"), "definite")]
    assert only(problems_of(tmp_path / "s.csv"), "no_region").line == 1
