"""Excel workbooks: round trip, formula neutralisation, sheet names, reproducible bytes, atomicity."""

import sys
import zipfile
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gridimpact
from gridimpact.errors import MissingExtraError, OutputError
from gridimpact.io.writers import excel
from gridimpact.io.writers.excel import sheet_names, write_workbook
from gridimpact.io.writers.tables import write_table
from gridimpact.model.params import specs
from gridimpact.report.metadata import metadata_sheets, parameters_table, sources_table

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def result():
    return gridimpact.compare(members=4, days=5)


@pytest.fixture(autouse=True)
def _no_epoch(no_epoch):
    """Every test here writes workbooks with the default timestamp."""


def write_comparison_workbook(result, target):
    """The comparison workbook as ``result.to_files`` writes it, at ``target``."""
    sheets = {"impacts": result.impacts, "comparison": result.comparison, **metadata_sheets(result.provenance)}
    return write_workbook(sheets, target)


def _cells(path, sheet):
    return list(openpyxl.load_workbook(path)[sheet].iter_rows())


# --- Round trip --------------------------------------------------------------------------------------

def test_comparison_workbook_has_the_tables_then_provenance(result, tmp_path):
    path = write_comparison_workbook(result, tmp_path / "compare.xlsx")
    assert path == tmp_path / "compare.xlsx"
    assert openpyxl.load_workbook(path).sheetnames == ["impacts", "comparison", "about", "sources", "parameters"]


def test_comparison_workbook_round_trips_every_value(result, tmp_path):
    path = write_comparison_workbook(result, tmp_path / "compare.xlsx")
    back = pd.read_excel(path, sheet_name=None)

    impacts = back["impacts"]
    assert list(impacts.columns) == list(result.impacts.columns)
    assert len(impacts) == len(result.impacts)
    assert (impacts["date"].dt.date == result.impacts["date"]).all()
    for column in result.impacts.columns.drop("date"):
        expected = result.impacts[column]
        if pd.api.types.is_numeric_dtype(expected):
            np.testing.assert_allclose(impacts[column].to_numpy(float), expected.to_numpy(float), rtol=0, atol=0)
        else:
            assert impacts[column].astype(str).tolist() == expected.astype(str).tolist(), column

    comparison = back["comparison"]
    pd.testing.assert_frame_equal(comparison, result.comparison, check_dtype=False, check_exact=True)


def test_numbers_are_numbers_and_dates_are_dates(result, tmp_path):
    path = write_comparison_workbook(result, tmp_path / "compare.xlsx")
    header, first = _cells(path, "impacts")[:2]
    by_name = {h.value: c for h, c in zip(header, first, strict=True)}
    assert by_name["date"].is_date and by_name["date"].number_format == "yyyy-mm-dd"
    assert by_name["date"].value == datetime(2026, 1, 30)
    assert by_name["people_without_power"].data_type == "n"
    assert by_name["people_without_power"].number_format == "#,##0"
    assert by_name["heating_degree_days"].data_type == "n"
    assert by_name["scenario"].data_type == "s"


def test_header_is_bold_frozen_and_filtered(result, tmp_path):
    path = write_comparison_workbook(result, tmp_path / "compare.xlsx")
    sheet = openpyxl.load_workbook(path)["comparison"]
    assert sheet.freeze_panes == "A2"
    last = openpyxl.utils.get_column_letter(len(result.comparison.columns))
    assert sheet.auto_filter.ref == f"A1:{last}{len(result.comparison) + 1}"
    assert all(cell.font.b for cell in sheet[1])
    # adm1_name holds "All regions" (11 characters) and its header is 9: width 11 + 2
    assert sheet.column_dimensions["B"].width == 13


def test_float_columns_show_the_decimals_they_carry(tmp_path):
    frame = pd.DataFrame({"whole": [1.0, 2.0], "halves": [1.5, 2.0], "fine": [0.1234, 1.0],
                          "finer": [1 / 3, 1.0], "gap": [1.25, np.nan]})
    path = write_workbook({"t": frame}, tmp_path / "t.xlsx")
    row = _cells(path, "t")[1]
    assert [c.number_format for c in row] == ["#,##0", "#,##0.0", "#,##0.0000", "General", "#,##0.00"]
    second = _cells(path, "t")[2]
    assert second[4].value is None                      # NaN is an empty cell, not text
    assert pd.read_excel(path)["finer"][0] == 1 / 3     # every digit stored


def test_missing_values_and_booleans_and_zoned_times(tmp_path):
    frame = pd.DataFrame({
        "flag": [True, False],
        "count": pd.array([3, None], dtype="Int64"),
        "time": pd.to_datetime(["2026-01-30 06:00", "2026-01-30 07:30"]).tz_localize("Europe/Kyiv"),
        "naive": pd.to_datetime(["2026-01-30 06:00", None]),
    })
    path = write_workbook({"t": frame}, tmp_path / "t.xlsx")
    first, second = _cells(path, "t")[1:3]
    assert first[0].value is True and first[0].data_type == "b"
    assert first[1].value == 3 and second[1].value is None
    # Excel has no time zones: the instant is kept as ISO text with its offset
    assert first[2].value == "2026-01-30T06:00:00+02:00"
    assert first[3].value == datetime(2026, 1, 30, 6) and first[3].number_format == "yyyy-mm-dd hh:mm"
    assert second[3].value is None


# --- Formulas and unsafe text -------------------------------------------------------------------------

def test_text_that_looks_like_a_formula_is_neutralised(tmp_path):
    frame = pd.DataFrame({"=HEADER()": ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "a=b", "\x01=EVIL()"],
                          "value": [1, 2, 3, 4, 5, 6]})
    path = write_workbook({"t": frame}, tmp_path / "t.xlsx")
    rows = _cells(path, "t")
    assert all(cell.data_type != "f" for row in rows for cell in row)
    assert rows[0][0].value == "'=HEADER()"
    texts = [row[0].value for row in rows[1:]]
    assert texts[:5] == ["'=1+2", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "a=b"]
    # a control character cannot be stored in XML; it is shown as U+FFFD and cannot uncover a formula
    assert texts[5] == "\ufffd=EVIL()"


def test_over_long_text_is_cut_to_the_excel_cell_limit(tmp_path):
    path = write_workbook({"t": pd.DataFrame({"text": ["x" * 40_000]})}, tmp_path / "t.xlsx")
    value = _cells(path, "t")[1][0].value
    assert len(value) == excel.MAX_CELL_TEXT and value.endswith("…")


def test_a_table_too_long_for_a_sheet_is_refused_and_nothing_written(tmp_path):
    frame = pd.DataFrame({"n": np.zeros(excel.MAX_ROWS, dtype=np.int8)})
    with pytest.raises(OutputError, match="1,048,576 rows"):
        write_workbook({"big": frame}, tmp_path / "big.xlsx")
    assert list(tmp_path.iterdir()) == []


# --- Sheet names --------------------------------------------------------------------------------------

def test_sheet_names_follow_the_excel_rules():
    long = "comparison_with_a_very_long_name_indeed"
    assert sheet_names(["a/b", "[x]", long, long, "History", "", "'q'", "A", "a"]) == [
        "a_b", "_x_", long[:31], long[:29] + "~2", "History_", "Sheet", "q", "A", "a~2"]


@given(st.lists(st.text(max_size=40), max_size=12))
def test_sheet_names_are_always_valid_and_unique(names):
    result = sheet_names(names)
    assert len(result) == len(names)
    assert len({n.casefold() for n in result}) == len(result)
    for name in result:
        assert 1 <= len(name) <= 31
        assert not set(name) & set(":\\/?*[]")
        assert not name.startswith("'") and not name.endswith("'")
        assert name.casefold() != "history"


# --- Metadata sheets ----------------------------------------------------------------------------------

def test_parameters_sheet_lists_every_parameter_and_what_changed():
    table = parameters_table({"parameters_changed": {"tau_house": 40.0}})
    assert list(table["name"]) == list(specs())
    house = table.set_index("name").loc["tau_house"]
    assert house["value"] == 40.0 and house["default"] == specs()["tau_house"].value and house["changed"]
    assert table["changed"].sum() == 1
    assert set(table.columns) >= {"unit", "low", "high", "sampled", "confidence", "source"}
    assert (table["source"].str.len() > 0).all()


def test_sources_sheet_holds_datapackage_sources_and_the_cited_seeds(result):
    table = sources_table(result.provenance)
    data = table[table["kind"] == "embedded data"]
    assert "https://data.humdata.org/dataset/cod-ps-ukr" in set(data["link"])
    assert set(table.loc[table["kind"] == "seed event", "item"]) == {
        "announced-pause-2026-01-29", "kremlin-statement-2026-01-30", "observed-pause-2026-01-30"}
    assert "https://www.tag24.com/politics/politicians/donald-trump/trump-says-putin-has-agreed-to-pause-on-ukraine-" \
           "attacks-amid-freezing-temps-3464637" in set(table["link"])


def test_about_sheet_names_input_files_without_their_folders(result, tmp_path):
    path = write_comparison_workbook(result, tmp_path / "compare.xlsx")
    about = pd.read_excel(path, sheet_name="about").set_index("item")["value"]
    assert about["population files"] == "population_current.csv"
    assert about["seed"] == "20260129" and about["ensemble members"] == "4"
    assert not any("/" in str(v) and "http" not in str(v) for v in about.values)


# --- Reproducible and atomic --------------------------------------------------------------------------

def test_two_writes_are_byte_identical(result, tmp_path):
    first = write_comparison_workbook(result, tmp_path / "a.xlsx").read_bytes()
    second = write_comparison_workbook(result, tmp_path / "b.xlsx").read_bytes()
    assert first == second


def test_stamps_are_fixed_and_follow_source_date_epoch(result, tmp_path, monkeypatch):
    default = write_workbook({"t": pd.DataFrame({"a": [1]})}, tmp_path / "default.xlsx")
    with zipfile.ZipFile(default) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"1980-01-01T00:00:00Z" in archive.read("docProps/core.xml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770000000")          # 2026-02-02 02:40:00 UTC
    stamped = write_workbook({"t": pd.DataFrame({"a": [1]})}, tmp_path / "stamped.xlsx")
    with zipfile.ZipFile(stamped) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 2, 2, 2, 40, 0)}
        core = archive.read("docProps/core.xml")
    assert core.count(b"2026-02-02T02:40:00Z") == 2                # created and modified
    assert openpyxl.load_workbook(stamped).properties.modified == datetime(2026, 2, 2, 2, 40)


def test_a_malformed_source_date_epoch_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(gridimpact.GridimpactError, match="SOURCE_DATE_EPOCH"):
        write_workbook({"t": pd.DataFrame({"a": [1]})}, tmp_path / "t.xlsx")


def test_a_failure_while_writing_leaves_the_previous_file(tmp_path, monkeypatch):
    target = write_workbook({"t": pd.DataFrame({"a": [1]})}, tmp_path / "t.xlsx")
    before = target.read_bytes()

    def broken(sheet, columns):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(excel, "_fill_sheet", broken)
    with pytest.raises(RuntimeError):
        write_workbook({"t": pd.DataFrame({"a": [2]})}, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_without_openpyxl_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(MissingExtraError, match=r"gridimpact\[excel\]"):
        write_workbook({"t": pd.DataFrame({"a": [1]})}, tmp_path / "t.xlsx")


def test_write_table_xlsx_goes_through_the_workbook_writer(tmp_path):
    frame = pd.DataFrame({"date": [date(2026, 1, 30)], "value": [1.5]})
    path = write_table(frame, tmp_path / "daily.xlsx", "xlsx")
    assert openpyxl.load_workbook(path).sheetnames == ["daily"]
    assert pd.read_excel(path)["value"][0] == 1.5
