"""Outage reports: every accepted format, every error rule with its location, and invariants."""

from __future__ import annotations

import math
import random
from functools import partial
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gridimpact.errors import InputMissingError, InvalidInputError
from gridimpact.io.readers.outages import (
    KIND_SYNONYMS,
    empty_reports,
    empty_schedules,
    load_outages,
)
from tests import helpers
from tests.helpers import kyiv, only, write

problems_of = partial(helpers.problems_of, load_outages)

FIXTURES = Path(__file__).parent / "fixtures" / "outages"
KYIV = "Europe/Kyiv"
HEADER = "region,start,end,kind,share_off\n"


# --- reading ----------------------------------------------------------------------------------

def test_plain_csv_gives_the_hand_written_table():
    reports = load_outages(FIXTURES / "reports_iso.csv").reports
    expected = pd.DataFrame({
        "pcode": ["UA51", "UA63", "UA80", "UA80"],
        "start": [kyiv("2026-01-10 00:00"), kyiv("2026-01-15 06:00"), kyiv("2026-01-09 07:30"),
                  kyiv("2026-01-20 00:00")],
        "end": [pd.NaT, kyiv("2026-01-16 06:00"), kyiv("2026-01-09 23:00"), pd.NaT],
        "kind": ["scheduled", "strike", "emergency", "strike"],
        # 2.5 queues of 6 are off at once: 2.5 / 6 of customers.
        "share_off": [2.5 / 6, math.nan, 0.45, math.nan],
        "customers_off": [math.nan, 400_000.0, math.nan, math.nan],
        "heat_lost_share": [math.nan, 0.3, math.nan, 0.46],
        "source": [math.nan, "https://news.liga.net/x", "https://unn.ua/en/news/kyiv", math.nan],
    })
    expected = expected.astype(empty_reports().dtypes.to_dict())
    pd.testing.assert_frame_equal(reports, expected)


def test_ukrainian_excel_csv_reads_like_the_iso_csv():
    # BOM, ';', decimal comma, DD.MM.YYYY HH:MM, Cyrillic headers, names and kinds, "400 000".
    ukrainian = load_outages(FIXTURES / "reports_uk.csv")
    plain = load_outages(FIXTURES / "reports_iso.csv")
    pd.testing.assert_frame_equal(ukrainian.reports, plain.reports)
    assert ukrainian.files == ("reports_uk.csv",)
    assert any("Коментар" in note for note in ukrainian.notes), ukrainian.notes


def test_naive_timestamps_are_kyiv_time_and_a_note_says_so(tmp_path):
    path = write(tmp_path, HEADER + "UA80,2026-01-09 10:00,2026-01-09T10:00:00Z,strike,0.2\n")
    data = load_outages(path)
    row = data.reports.iloc[0]
    assert row["start"] == pd.Timestamp("2026-01-09 08:00", tz="UTC")
    assert row["end"] == kyiv("2026-01-09 12:00")
    assert str(data.reports["start"].dtype) == "datetime64[ns, Europe/Kyiv]"
    assert any("'start'" in n and "Kyiv local time" in n for n in data.notes), data.notes
    assert not any("'end'" in n for n in data.notes), data.notes


def test_the_returned_dtypes_are_the_schema_dtypes():
    data = load_outages(FIXTURES / "reports_iso.csv")
    assert data.reports.dtypes.to_dict() == empty_reports().dtypes.to_dict()
    assert data.schedules.dtypes.to_dict() == empty_schedules().dtypes.to_dict()
    assert list(data.reports.index) == list(range(len(data.reports)))
    assert empty_reports().empty and empty_schedules().empty


def test_region_from_the_caller_when_the_file_has_none(tmp_path):
    path = write(tmp_path, "start,kind,queues\n2026-01-12 06:00,ГПВ,3\n")
    reports = load_outages(path, region="Харківська").reports
    assert reports["pcode"].tolist() == ["UA63"]
    assert reports["share_off"].tolist() == [0.5]


def test_the_file_region_column_wins_over_the_caller(tmp_path):
    path = write(tmp_path, HEADER + "Odesa,2026-01-12 06:00,,strike,0.1\n")
    assert load_outages(path, region="Kyiv").reports["pcode"].tolist() == ["UA51"]


@pytest.mark.parametrize(("written", "kind"), [
    ("planned", "scheduled"), ("ГПВ", "scheduled"), ("Графік", "scheduled"), ("планові", "scheduled"),
    ("аварійні", "emergency"), ("Екстрені", "emergency"), ("ГАВ", "emergency"),
    ("Emergency  shutdowns", "emergency"), ("attack", "strike"), ("удар", "strike"),
    ("обстріл", "strike"), ("damage", "strike"), ("пошкодження", "strike"),
])
def test_kind_synonyms(tmp_path, written, kind):
    path = write(tmp_path, HEADER + f"UA80,2026-01-12 06:00,,{written},0.1\n")
    assert load_outages(path).reports["kind"].tolist() == [kind]


def test_customers_with_thousands_separators_and_percent_shares(tmp_path):
    text = "область;початок;тип;споживачів;без тепла\nКиїв;12.01.2026 06:00;удар;2 910 994;12,5%\n"
    row = load_outages(write(tmp_path, text)).reports.iloc[0]
    assert row["customers_off"] == 2_910_994
    assert row["heat_lost_share"] == pytest.approx(0.125)


def test_xlsx_written_by_the_test_reads_like_the_csv(tmp_path):
    frame = pd.read_csv(FIXTURES / "reports_iso.csv", dtype=str)
    frame.to_excel(tmp_path / "reports.xlsx", index=False)
    plain = load_outages(FIXTURES / "reports_iso.csv").reports
    pd.testing.assert_frame_equal(load_outages(tmp_path / "reports.xlsx").reports, plain)


def test_xlsx_problems_are_located_by_row(tmp_path):
    frame = pd.read_csv(FIXTURES / "reports_iso.csv", dtype=str)
    frame.loc[2, "kind"] = "meteor"
    frame.to_excel(tmp_path / "reports.xlsx", index=False)
    problem = only(problems_of(tmp_path / "reports.xlsx"), "not_allowed")
    assert (problem.line, problem.line_label, problem.column) == (4, "row", "kind")


def test_parquet_reads_like_the_csv(tmp_path):
    pd.read_csv(FIXTURES / "reports_iso.csv", dtype=str).to_parquet(tmp_path / "reports.parquet")
    plain = load_outages(FIXTURES / "reports_iso.csv").reports
    pd.testing.assert_frame_equal(load_outages(tmp_path / "reports.parquet").reports, plain)


def test_a_canonical_dataframe_is_validated_like_a_file():
    frame = pd.DataFrame({
        "pcode": ["UA80", "UA51"],
        "start": [kyiv("2026-01-09 10:00"), kyiv("2026-01-10 00:00")],
        "end": [pd.NaT, kyiv("2026-01-10 12:00")],
        "kind": ["strike", "scheduled"],
        "share_off": [0.3, 0.5],
    })
    reports = load_outages(frame).reports
    assert reports["pcode"].tolist() == ["UA51", "UA80"]
    assert reports["end"].iloc[0] == kyiv("2026-01-10 12:00")
    frame.loc[1, "kind"] = "nope"
    problem = only(problems_of(frame), "not_allowed")
    assert (problem.file, problem.line, problem.line_label) == ("DataFrame", 2, "row")


def test_an_empty_dataframe_gives_empty_tables():
    data = load_outages(pd.DataFrame(columns=["pcode", "start", "kind", "share_off"]))
    assert data.reports.empty and data.schedules.empty


def test_several_files_are_combined(tmp_path):
    reports = write(tmp_path, HEADER + "UA80,2026-01-12 06:00,,strike,0.1\n")
    data = load_outages([reports, FIXTURES / "schedule_uk.csv"])
    assert len(data.reports) == 1 and len(data.schedules) == 3
    assert data.files == ("reports.csv", "schedule_uk.csv")


# --- errors -----------------------------------------------------------------------------------

def test_a_missing_file_raises_input_missing(tmp_path):
    with pytest.raises(InputMissingError, match="no such file"):
        load_outages(tmp_path / "nowhere.csv")


def test_an_empty_file(tmp_path):
    assert only(problems_of(write(tmp_path, "")), "empty_file").line is None


def test_a_windows_1251_file_is_reported_with_advice(tmp_path):
    path = write(tmp_path, "region,start,kind,share_off\nКиїв,2026-01-12 06:00,удар,0.1\n",
                 encoding="cp1251")
    problem = only(problems_of(path), "encoding")
    assert problem.line == 2 and "cp1251" in problem.message
    assert load_outages(path, encoding="cp1251").reports["kind"].tolist() == ["strike"]


def test_a_utf8_file_read_with_an_8_bit_encoding_is_read_as_utf8_with_a_note(tmp_path):
    # the same bytes read as cp1251 would give "РљРёС—РІ" and "СѓРґР°СЂ" without any error
    text = "region,start,kind,share_off\nКиїв,2026-01-12 06:00,удар,0.1\n"
    utf8 = load_outages(write(tmp_path, text, name="utf8.csv"), encoding="cp1251")
    assert utf8.reports["kind"].tolist() == ["strike"]
    assert any("utf8.csv: the file is UTF-8 text" in note for note in utf8.notes)
    plain = load_outages(write(tmp_path, text.replace("Київ", "Kyiv").replace("удар", "strike"), name="ascii.csv"),
                         encoding="cp1251")
    assert not any("UTF-8 text" in note for note in plain.notes)  # ASCII reads the same either way


def test_excels_unicode_text_is_read_like_utf8(tmp_path):
    # Excel's "Unicode Text" export: UTF-16 with a byte-order mark, tab-separated.
    rows = "region\tstart\tkind\tshare_off\nКиїв\t2026-01-12 06:00\tудар\t0,1\n"
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(("\ufeff" + rows).encode(codec))
        reports = load_outages(path).reports
        assert reports["kind"].tolist() == ["strike"] and reports["pcode"].tolist() == ["UA80"]
        assert reports["share_off"].tolist() == [0.1]


def test_missing_and_duplicated_columns(tmp_path):
    problem = only(problems_of(write(tmp_path, "region,kind,share_off\nUA80,strike,0.1\n")),
                   "missing_column")
    assert (problem.line, problem.column) == (1, "start")
    text = "region,start,kind,Kind,share_off\nUA80,2026-01-12 06:00,strike,strike,0.1\n"
    problem = only(problems_of(write(tmp_path, text)), "duplicate_column")
    assert (problem.line, problem.column) == (1, "Kind")


def test_an_unknown_region_with_suggestions(tmp_path):
    path = write(tmp_path, HEADER + "UA80,2026-01-12 06:00,,strike,0.1\nOdessaa,2026-01-12 06:00,,strike,0.1\n")
    problem = only(problems_of(path), "unknown_region")
    assert (problem.line, problem.column, problem.value) == (3, "region", "Odessaa")
    assert "UA51" in problem.message


def test_no_region_column_and_no_region_given(tmp_path):
    problem = only(problems_of(write(tmp_path, "start,kind,share_off\n2026-01-12 06:00,strike,0.1\n")),
                   "no_region")
    assert problem.line == 1 and "--region" in problem.message


def test_an_unknown_region_given_by_the_caller(tmp_path):
    path = write(tmp_path, "start,kind,share_off\n2026-01-12 06:00,strike,0.1\n")
    problem = only(problems_of(path, region="Atlantis"), "unknown_region")
    assert problem.where == "region argument"


def test_not_a_time(tmp_path):
    problem = only(problems_of(write(tmp_path, HEADER + "UA80,yesterday,,strike,0.1\n")), "not_a_time")
    assert (problem.line, problem.column, problem.value) == (2, "start", "yesterday")


def test_end_before_start(tmp_path):
    path = write(tmp_path, HEADER + "UA80,2026-01-12 06:00,2026-01-12 05:00,strike,0.1\n")
    problem = only(problems_of(path), "end_after_start")
    assert (problem.line, problem.column) == (2, "end")


@pytest.mark.parametrize(("written", "hint"), [
    ("45", "write 0.45 or 45%"), ("1.5", "write 0.015 or 1.5%"), ("145%", None), ("-0.1", None),
    ("250", None),
])
def test_a_share_outside_0_1(tmp_path, written, hint):
    problem = only(problems_of(write(tmp_path, HEADER + f"UA80,2026-01-12 06:00,,strike,{written}\n")),
                   "share_out_of_range")
    assert (problem.line, problem.column, problem.value) == (2, "share_off", written)
    if hint:
        assert "looks like a percentage: " + hint in problem.message
    else:
        assert "percentage:" not in problem.message


def test_heat_lost_share_outside_0_1(tmp_path):
    path = write(tmp_path, "region,start,kind,heat_lost_share\nUA80,2026-01-12 06:00,strike,46\n")
    problem = only(problems_of(path), "share_out_of_range")
    assert problem.column == "heat_lost_share" and "0.46 or 46%" in problem.message


def test_negative_customers(tmp_path):
    path = write(tmp_path, "region,start,kind,customers_off\nUA80,2026-01-12 06:00,strike,-5\n")
    problem = only(problems_of(path), "negative_customers")
    assert (problem.line, problem.column, problem.value) == (2, "customers_off", "-5")


@pytest.mark.parametrize("queues", ["7", "-1", "6.5"])
def test_queues_outside_0_6(tmp_path, queues):
    path = write(tmp_path, f"region,start,kind,queues\nUA80,2026-01-12 06:00,scheduled,{queues}\n")
    problem = only(problems_of(path), "queues_out_of_range")
    assert (problem.line, problem.column, problem.value) == (2, "queues", queues)


def test_a_missing_measure(tmp_path):
    path = write(tmp_path, "region,start,kind,queues,source\nUA80,2026-01-12 06:00,scheduled,,x\n")
    problem = only(problems_of(path), "has_measure")
    assert (problem.line, problem.column) == (2, "queues")


def test_several_measures_in_one_row(tmp_path):
    path = write(tmp_path, "region,start,kind,share_off,queues\nUA80,2026-01-12 06:00,scheduled,0.5,3\n")
    problem = only(problems_of(path), "several_measures")
    assert (problem.line, problem.column) == (2, "queues")


def test_an_unknown_kind_lists_the_allowed_ones(tmp_path):
    problem = only(problems_of(write(tmp_path, HEADER + "UA80,2026-01-12 06:00,,meteor,0.1\n")),
                   "not_allowed")
    assert (problem.line, problem.column) == (2, "kind")
    assert all(kind in problem.message for kind in ("scheduled", "emergency", "strike"))


def test_an_empty_kind(tmp_path):
    problem = only(problems_of(write(tmp_path, HEADER + "UA80,2026-01-12 06:00,,,0.1\n")), "missing_value")
    assert (problem.line, problem.column) == (2, "kind")


def test_every_problem_is_reported_once_in_file_order(tmp_path):
    text = ("область;початок;кінець;тип;частка\n"
            "Київ;12.01.2026 06:00;12.01.2026 05:00;удар;0,2\n"      # end before start
            "Нарнія;12.01.2026 06:00;;удар;45\n"                     # region, share
            "Одеса;вчора;;кіт;\n")                                   # time, kind, no measure
    found = [(p.line, p.column, p.rule) for p in problems_of(write(tmp_path, text))]
    assert found == [
        (2, "кінець", "end_after_start"),
        (3, "область", "unknown_region"),
        (3, "частка", "share_out_of_range"),
        (4, "початок", "not_a_time"),
        (4, "тип", "not_allowed"),
    ]


def test_problems_of_several_files_are_reported_together(tmp_path):
    first = write(tmp_path, HEADER + "UA80,2026-01-12 06:00,,meteor,0.1\n", name="a.csv")
    second = write(tmp_path, HEADER + "UA80,soon,,strike,0.1\n", name="b.csv")
    found = [(p.file, p.rule) for p in problems_of([first, second])]
    assert found == [("a.csv", "not_allowed"), ("b.csv", "not_a_time")]


# --- invariants -------------------------------------------------------------------------------

# Few distinct values, so that rows often tie on region, start and kind.
_rows = st.lists(
    st.tuples(
        st.sampled_from(["UA80", "Kyiv", "Odesa"]),
        st.integers(min_value=0, max_value=3),                 # hours after 1 Jan 2026 00:00
        st.sampled_from(["scheduled", "strike"]),
        st.one_of(st.integers(0, 100).map(lambda p: (f"{p}%", "")),       # share_off
                  st.integers(0, 5000).map(lambda n: ("", str(n)))),       # customers_off
        st.sampled_from(["", "0.2", "0.5"]),                   # heat_lost_share
        st.sampled_from(["", "report A", "report B"]),         # source
    ),
    min_size=1, max_size=12,
)


_TIES = [("UA80", 1, "strike", ("", "100"), "", "report A"),
         ("Kyiv", 1, "strike", ("", "200"), "0.2", "report B"),
         ("UA80", 1, "strike", ("", "100"), "", "report B")]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows, seed=st.integers(min_value=0, max_value=2**32))
@example(rows=_TIES, seed=0)
def test_row_order_does_not_change_the_table(tmp_path, rows, seed):
    """The same table, or the same problems (conflicting reports), whatever the order of rows."""
    def load(order, name):
        header = "region,start,kind,share_off,customers_off,heat_lost_share,source\n"
        text = header + "".join(
            f"{region},2026-01-01 0{hour}:00,{kind},{share},{customers},{heat},{source}\n"
            for region, hour, kind, (share, customers), heat, source in order)
        try:
            return load_outages(write(tmp_path, text, name)).reports
        except InvalidInputError as exc:
            return pd.DataFrame({"rule": sorted(p.rule for p in exc.problems)})

    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    first = load(rows, "a.csv")
    pd.testing.assert_frame_equal(first, load(rows[::-1], "b.csv"))
    pd.testing.assert_frame_equal(first, load(shuffled, "c.csv"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(queues=st.floats(min_value=0, max_value=6, allow_nan=False))
def test_queues_are_the_same_as_their_share(tmp_path, queues):
    by_queues = write(tmp_path, f"region,start,kind,queues\nUA80,2026-01-12 06:00,scheduled,{queues!r}\n",
                      "q.csv")
    by_share = write(tmp_path, HEADER + f"UA80,2026-01-12 06:00,,scheduled,{queues / 6!r}\n", "s.csv")
    pd.testing.assert_frame_equal(load_outages(by_queues).reports, load_outages(by_share).reports)


def test_kind_synonyms_only_name_known_kinds():
    assert set(KIND_SYNONYMS.values()) == {"scheduled", "emergency", "strike"}
    assert all(key == key.lower().strip() for key in KIND_SYNONYMS)
