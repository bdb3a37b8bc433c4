"""Tables as they come out of an office: a notes sheet before the table, a title above the header."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridimpact.io.readers.outages import load_outages
from gridimpact.io.readers.population import load_population
from gridimpact.io.readers.raw_table import header_index
from gridimpact.io.readers.temperature import load_temperature
from tests.helpers import only, problems_of, write

openpyxl = pytest.importorskip("openpyxl")

FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = FIXTURES / "outages" / "reports_iso.csv"
TITLE = "Графік відключень, січень 2026"


def office_workbook(path: Path, table: pd.DataFrame, *, title_rows: list[list], notes_first: bool = True) -> Path:
    """A workbook as an oblast office sends it: a notes sheet, then the table under a title."""
    book = openpyxl.Workbook()
    first = book.active
    if notes_first:
        first.title = "Notes"
        first.append(["Compiled from the oblast administration's channel"])
        first.append(["Times are Kyiv local time"])
        sheet = book.create_sheet("reports")
    else:
        sheet = first
        sheet.title = "reports"
    for row in title_rows:
        sheet.append(row)
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False):
        sheet.append([None if pd.isna(value) else value for value in row])
    book.save(path)
    return path


@pytest.fixture
def reports() -> pd.DataFrame:
    return pd.read_csv(REPORTS, dtype=str)


def test_the_table_sheet_is_read_past_a_notes_sheet_and_a_title(tmp_path, reports):
    path = office_workbook(tmp_path / "outages.xlsx", reports, title_rows=[[TITLE], []])
    data = load_outages(path)
    pd.testing.assert_frame_equal(data.reports, load_outages(REPORTS).reports)
    assert any("read the sheet 'reports' (by its columns" in note and "Notes" in note and "--sheet" in note
               for note in data.notes)
    assert any("the header is row 3" in note for note in data.notes)


def test_problems_name_the_spreadsheet_row_below_a_title(tmp_path, reports):
    reports.loc[1, "kind"] = "meteor"  # the second data row: row 5 under a title, a blank row and the header
    path = office_workbook(tmp_path / "outages.xlsx", reports, title_rows=[[TITLE], []])
    problem = only(problems_of(load_outages, path), "not_allowed")
    assert (problem.line, problem.line_label, problem.column) == (5, "row", "kind")


def test_sheet_names_the_sheet_read(tmp_path, reports):
    path = office_workbook(tmp_path / "outages.xlsx", reports, title_rows=[])
    missing = problems_of(load_outages, path, sheet="Notes")
    assert {p.rule for p in missing} == {"missing_column"}
    assert len(load_outages(path, sheet="reports").reports) == len(reports)
    assert len(load_outages(path, sheet=1).reports) == len(reports)
    # one --sheet serves a run's population workbook: an outage workbook without it reads as without it
    passed_over = load_outages(path, sheet="Sheet9")
    assert len(passed_over.reports) == len(reports)
    assert any("no sheet 'Sheet9' here (its sheets: Notes, reports)" in note for note in passed_over.notes)


def test_a_population_workbook_without_the_sheet_named_is_an_error(tmp_path):
    frame = pd.read_csv(FIXTURES / "population" / "canonical_plain.csv", dtype=str)
    path = office_workbook(tmp_path / "population.xlsx", frame, title_rows=[])
    unknown = only(problems_of(load_population, path, sheet="Sheet9"), "no_such_sheet")
    assert "its sheets: Notes, reports" in unknown.message


def test_a_temperature_workbook_reads_its_table_sheet(tmp_path):
    hourly = pd.read_csv(FIXTURES / "temperature" / "tidy_hourly.csv", dtype=str)
    path = office_workbook(tmp_path / "temperature.xlsx", hourly, title_rows=[["Hourly temperature"]])
    from_book = load_temperature(path).frame
    from_text = load_temperature(FIXTURES / "temperature" / "tidy_hourly.csv").frame
    columns = from_book.columns.drop("source")  # the source of unsourced rows is the file's name
    pd.testing.assert_frame_equal(from_book[columns], from_text[columns])


@pytest.mark.parametrize("title, separator", [
    ("Outage reports\n\n", ","),
    (f"{TITLE}\n", ","),              # a comma splits the title in two cells, still not a header
    (f"{TITLE}\n", ";"),              # and does not make the separator a comma
    ("Outage reports;;;;;;;;\n", ";"),  # as Excel saves a title cell above a table
])
def test_a_csv_title_above_the_header_is_set_aside(tmp_path, title, separator):
    text = REPORTS.read_text(encoding="utf-8")
    path = write(tmp_path, title + (text if separator == "," else text.replace(",", separator)))
    data = load_outages(path)
    pd.testing.assert_frame_equal(data.reports, load_outages(REPORTS).reports)
    header_line = title.count("\n") + 1
    assert any(f"the header is line {header_line}" in note for note in data.notes)


def test_a_csv_title_does_not_shift_the_lines_of_problems(tmp_path):
    text = "Outage reports\n" + "region,start,end,kind,share_off\nUA80,2026-01-09 07:30,,meteor,0.4\n"
    problem = only(problems_of(load_outages, write(tmp_path, text)), "not_allowed")
    assert (problem.line, problem.column) == (3, "kind")


def test_a_file_without_a_title_reads_from_its_first_line(tmp_path):
    text = "region,start,end,kind,share_off\nUA80,2026-01-09 07:30,,emergency,0.4\n"
    data = load_outages(write(tmp_path, text))
    assert len(data.reports) == 1
    assert not any("header is line" in note for note in data.notes)


@pytest.mark.parametrize("rows, header", [
    ([["region", "start", "kind"], ["UA80", "2026-01-09", "strike"]], 0),
    ([["Population, 2026"], ["region", "population"], ["UA80", "3000000"]], 1),
    ([["Population", "2026"], ["region", "population"], ["UA80", "3000000"]], 1),  # a comma split the title
    ([["Температура", "Київ"], [], ["time", "region", "temperature_c"], ["2026-01-09 00:00", "UA80", "-5"]], 2),
    ([["Population as of", "2026-01-01T00:00:00"], ["region", "population", "share_65plus", "share_0_4"],
      ["UA80", "3000000", "0.2", "0.05"]], 1),
    ([["region", "kind"], ["Kyiv", "strike"]], 0),  # a table of text only keeps its first row
    ([["time", "00:00", "01:00"], ["UA80", "0", "1"]], 0),  # hours as column names: still the header
    ([["notes"], ["more notes"]], 0),
])
def test_the_header_is_found_below_titles_of_any_width(rows, header):
    assert header_index(rows) == header


@given(st.lists(st.lists(st.sampled_from(["", "x", " ", "1"]), min_size=0, max_size=6), min_size=0, max_size=14))
def test_only_short_rows_are_ever_set_aside_above_the_header(rows):
    index = header_index(rows)
    assert 0 <= index <= max(len(rows) - 1, 0)
    filled = [sum(bool(c.strip()) for c in row) for row in rows]
    if index > 0:
        assert filled[index] >= 1
        assert all(count <= 2 for count in filled[:index])  # titles and blank rows, never a wide row


@pytest.mark.parametrize("text", [
    "Населення, 2026\nregion;population;share_65plus;share_0_4\nUA80;3000000;0,2;0,05\n",  # a comma in the title
    'region;start;end;kind;share_off;note\nUA80;2026-01-09 07:00;;emergency;0,4;"a, b, c, d, e, f, g, h, i, j"\n',
])
def test_the_separator_is_not_taken_from_a_title_or_a_quoted_note(tmp_path, text):
    path = write(tmp_path, text, name="table.csv")
    if text.startswith("Населення"):
        assert load_population(path).frame["population"].tolist() == [3_000_000]
    else:
        assert load_outages(path).reports["share_off"].tolist() == [0.4]


def test_problems_below_a_title_name_the_headers_own_line(tmp_path):
    missing = problems_of(load_outages, write(tmp_path, "Report\n\nregion,begin_x\nUA80,1\n"))
    assert {(p.rule, p.line) for p in missing} == {("missing_column", 3)}
    twice = only(problems_of(load_outages, write(tmp_path, "Report\nregion,start,start\nUA80,a,b\n")),
                 "duplicate_column")
    assert twice.line == 2


def test_a_file_holding_only_a_byte_order_mark_is_empty_whatever_the_encoding(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    assert only(problems_of(load_outages, path, encoding="utf-8"), "empty_file").line is None


@pytest.mark.parametrize("text", [
    # a quoted comment over several lines, full of commas, in a ';' file
    'Область;Початок;Кінець;Тип;Частка;Коментар\nКиїв;09.01.2026 07:30;09.01.2026 23:00;аварійні;0,45;'
    '"Після атаки, ремонт\nбригади, на місці\nживлення, частково"\n',
    # rows that leave off their trailing separators
    "region;start;end;kind;share_off;source\nUA80;2026-01-09 07:30;;emergency;0,45\n",
    # a header with an empty last name above its HXL tag row
    "region,start,end,kind,share_off,\n#adm1,#date+start,#date+end,#status,#indicator,#meta+source\n"
    "UA80,2026-01-09 07:30,2026-01-09 23:00,emergency,0.45,x\n",
])
def test_files_read_before_titles_were_looked_for_read_the_same(tmp_path, text):
    assert load_outages(write(tmp_path, text)).reports["share_off"].tolist() == [0.45]


def test_the_first_sheet_that_names_the_columns_is_read_not_a_later_one_that_names_more(tmp_path, reports):
    shares = reports[reports["share_off"].notna()][["start", "kind", "share_off"]]  # three columns it knows
    path = office_workbook(tmp_path / "outages.xlsx", shares, title_rows=[], notes_first=False)
    book = openpyxl.load_workbook(path)
    book.create_sheet("Sources").append(["id", "region", "date", "source", "url"])  # four it knows
    book.save(path)
    assert len(load_outages(path, region="Kyiv").reports) == len(shares)
