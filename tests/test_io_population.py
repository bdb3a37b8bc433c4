"""Population readers: COD-PS wide and long (with and without HXL), canonical files, housing defaults."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import hypothesis.strategies as st
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from gridimpact.errors import InputMissingError, InvalidInputError
from gridimpact.io.readers import population
from gridimpact.io.readers.codps import Band, band_of_name, band_of_tag
from gridimpact.io.readers.population import housing_defaults, load_population
from gridimpact.schemas import BUILDING_SHARE_COLUMNS, HEATING_SHARE_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "population"
WIDE = FIXTURES / "cod_ps_ukr_adm1_2022.csv"
WIDE_HXL = FIXTURES / "cod_ps_ukr_adm1_2022_hxl.csv"
AFG_LAYOUT = FIXTURES / "cod_ps_afg_layout.csv"
LONG = FIXTURES / "cod_ps_long_adm1.csv"
CANONICAL = FIXTURES / "canonical_plain.csv"
CANONICAL_EXCEL = FIXTURES / "canonical_excel_uk.csv"

# Test-only housing shares: round numbers chosen so that each block sums to 1, not estimates.
HOUSING_CSV = """\
pcode,share_district,share_gas_boiler,share_electric,share_independent,share_panel_block,share_brick_block,share_house,confidence,method,sources
UA80,0.80,0.15,0.03,0.02,0.60,0.30,0.10,L,test values,none
UA51,0.50,0.30,0.05,0.15,0.40,0.30,0.30,L,test values,none
UA,0.40,0.35,0.05,0.20,0.30,0.30,0.40,L,test values,none
"""
CANONICAL_HEADER = ("region,population,share_65plus,share_0_4,share_district,share_gas_boiler,share_electric,"
                    "share_independent,share_panel_block,share_brick_block,share_house,customers,source")
NO_HOUSING = ",,,,,,,,"
HOUSING_ROW = ",0.5,0.3,0.1,0.1,0.4,0.4,0.2,,"


@pytest.fixture(autouse=True)
def housing_file(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.mktemp("data")
    (folder / "housing.csv").write_text(HOUSING_CSV, encoding="utf-8")
    monkeypatch.setattr(population, "data_dir", lambda: folder)
    return folder / "housing.csv"


def write(folder: Path, text: str, name: str = "population.csv", encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(path_or_frame, **kwargs):
    with pytest.raises(InvalidInputError) as caught:
        load_population(path_or_frame, **kwargs)
    return caught.value.problems


def only(problems, rule):
    found = [p for p in problems if p.rule == rule]
    assert found, f"no problem with rule {rule!r} among {[p.format() for p in problems]}"
    return found


def wide_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(WIDE.read_text(encoding="utf-8"))))
    return rows[0], rows[1:]


def to_csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def shares_only(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["pcode", "population", "share_65plus", "share_0_4"]]


# ------------------------------------------------------------------------------------ COD-PS wide
def test_kyiv_shares_hand_computed_from_cod_ps_2022():
    frame = load_population(WIDE).frame.set_index("pcode")
    # T_TL 2,910,994; T_65_69 + T_70_74 + T_75_79 + T_80Plus = 163,231 + 135,269 + 65,138 + 92,854
    # = 456,492; T_00_04 = 145,897 (COD-PS 2022, seanywng/ukraine data/ukr_admpop_adm1_2022.csv).
    assert frame.at["UA80", "population"] == 2_910_994
    assert frame.at["UA80", "share_65plus"] == pytest.approx(456_492 / 2_910_994, rel=1e-12)
    assert frame.at["UA80", "share_65plus"] == pytest.approx(0.156817, abs=1e-6)
    assert frame.at["UA80", "share_0_4"] == pytest.approx(145_897 / 2_910_994, rel=1e-12)
    assert frame.at["UA14", "share_65plus"] == pytest.approx(948_290 / 4_046_487, rel=1e-12)


def test_result_is_sorted_by_pcode_with_a_fresh_index():
    frame = load_population(WIDE).frame
    assert list(frame["pcode"]) == ["UA14", "UA51", "UA63", "UA80"]
    assert list(frame.index) == [0, 1, 2, 3]
    assert list(frame.columns) == list(population.POPULATION_COLUMNS)
    assert frame["customers"].isna().all()
    assert frame.loc[0, "source"] == "OCHA COD-PS 2022 (cod_ps_ukr_adm1_2022.csv)"


def test_wide_with_and_without_hxl_row_give_the_same_frame():
    plain = load_population(WIDE).frame.drop(columns="source")
    tagged = load_population(WIDE_HXL).frame.drop(columns="source")
    pd.testing.assert_frame_equal(plain, tagged)


def test_hxl_tags_find_columns_whatever_their_names(tmp_path):
    lines = WIDE_HXL.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    renamed = [f"c{i}" if name != "year" else name for i, name in enumerate(header)]
    path = write(tmp_path, "\n".join([",".join(renamed), *lines[1:]]) + "\n")
    expected = shares_only(load_population(WIDE).frame)
    pd.testing.assert_frame_equal(shares_only(load_population(path).frame), expected)


def test_afg_layout_with_admin1_code_and_lowercase_80plus():
    afg = shares_only(load_population(AFG_LAYOUT).frame)
    wide = shares_only(load_population(WIDE).frame)
    expected = wide[wide["pcode"].isin(["UA51", "UA63", "UA80"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(afg, expected)


def test_female_and_male_bands_are_used_when_total_bands_are_absent(tmp_path):
    header, rows = wide_rows()
    keep = [i for i, name in enumerate(header) if not name.startswith("T_")]
    path = write(tmp_path, to_csv([header[i] for i in keep], [[r[i] for i in keep] for r in rows]))
    pd.testing.assert_frame_equal(shares_only(load_population(path).frame),
                                  shares_only(load_population(WIDE).frame))


def test_upper_and_lower_case_headers_are_the_same(tmp_path):
    text = WIDE.read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    path = write(tmp_path, header.lower() + "\n" + body)
    pd.testing.assert_frame_equal(shares_only(load_population(path).frame),
                                  shares_only(load_population(WIDE).frame))


def test_donetsk_age_band_caveat_is_noted():
    notes = load_population(WIDE).notes
    assert any("Donetsk (UA14)" in note and "implausible" in note for note in notes)


def test_hromada_file_keeps_codes_below_oblast_level(tmp_path):
    header = "ADM1_PCODE,ADM2_PCODE,ADM3_PCODE,T_TL,T_00_04,T_05_64,T_65Plus"
    path = write(tmp_path, f"{header}\nUA51,UA5108,UA5108003,1000,50,750,200\n"
                           "UA51,UA5108,UA5108005,2000,100,1500,400\n")
    data = load_population(path)
    assert list(data.frame["pcode"]) == ["UA5108003", "UA5108005"]
    assert list(data.frame["share_65plus"]) == [0.2, 0.2]
    assert any("below oblast level" in note for note in data.notes)
    # A unit without its own housing row takes its oblast's row, not the national one.
    assert list(data.frame["share_district"]) == [0.5, 0.5]


def test_hromada_code_of_the_wrong_shape_is_reported(tmp_path):
    header = "ADM1_PCODE,ADM3_PCODE,T_TL,T_00_04,T_05_64,T_65Plus"
    path = write(tmp_path, f"{header}\nUA51,UA5108003,1000,50,750,200\nUA51,UA99,1000,50,750,200\n")
    problem = only(problems_of(path), "bad_code")[0]
    assert (problem.line, problem.column, problem.value) == (3, "ADM3_PCODE", "UA99")


def test_unknown_oblast_code_in_cod_ps(tmp_path):
    header, rows = wide_rows()
    rows[1][header.index("ADM1_PCODE")] = "UA99"
    problem = only(problems_of(write(tmp_path, to_csv(header, rows))), "unknown_region")[0]
    assert (problem.line, problem.column, problem.value) == (3, "ADM1_PCODE", "UA99")


def test_rows_for_other_countries_are_ignored(tmp_path):
    header, rows = wide_rows()
    other = list(rows[0])
    other[header.index("ISO3")], other[header.index("ADM1_PCODE")] = "AFG", "AF01"
    data = load_population(write(tmp_path, to_csv(header, [*rows, other])))
    assert list(data.frame["pcode"]) == ["UA14", "UA51", "UA63", "UA80"]
    assert any("other countries" in note for note in data.notes)


def test_several_years_use_the_latest_unless_basis_chooses(tmp_path):
    header, rows = wide_rows()
    older = [list(r) for r in rows]
    for row in older:
        row[0] = "2020"
        row[header.index("T_TL")] = str(int(row[header.index("T_TL")]) + 1)  # within the 1 % tolerance
    path = write(tmp_path, to_csv(header, [*older, *rows]))
    latest = load_population(path)
    assert latest.frame.set_index("pcode").at["UA80", "population"] == 2_910_994
    assert any("2020, 2022" in note and "2022 was used" in note for note in latest.notes)
    chosen = load_population(path, basis="2020")
    assert chosen.frame.set_index("pcode").at["UA80", "population"] == 2_910_995
    problem = only(problems_of(path, basis="2019"), "unknown_basis")[0]
    assert (problem.line, problem.column) == (1, "year")


# ------------------------------------------------------------------------------------ COD-PS long
def test_long_format_equals_wide():
    long = load_population(LONG).frame
    wide = load_population(WIDE).frame
    expected = wide[wide["pcode"].isin(["UA51", "UA80"])].reset_index(drop=True)
    pd.testing.assert_frame_equal(long.drop(columns="source"), expected.drop(columns="source"))
    assert set(long["source"]) == {"OCHA COD-PS Ukraine 2022 (UNFPA)"}


def test_long_format_with_several_reference_years(tmp_path):
    lines = LONG.read_text(encoding="utf-8").splitlines()
    older = [line.replace(",2022,", ",2021,") for line in lines[2:]]
    path = write(tmp_path, "\n".join([*lines, *older]) + "\n")
    data = load_population(path)
    assert len(data.frame) == 2
    assert any("2021, 2022" in note for note in data.notes)
    assert len(load_population(path, basis="2021").frame) == 2


def test_long_format_missing_and_repeated_groups_are_located(tmp_path):
    lines = LONG.read_text(encoding="utf-8").splitlines()
    dropped = next(i for i, line in enumerate(lines) if ",UA80," in line and ",T_65_69," in line)
    repeated = next(i for i, line in enumerate(lines) if ",UA51," in line and ",T_TL," in line)
    body = [line for i, line in enumerate(lines) if i != dropped] + [lines[repeated]]
    problems = problems_of(write(tmp_path, "\n".join(body) + "\n"))
    missing = only(problems, "missing_value")[0]
    first_ua80 = next(i for i, line in enumerate(lines) if ",UA80," in line) + 1
    assert (missing.line, missing.column, missing.value) == (first_ua80, "Population_group", "T_65_69")
    duplicate = only(problems, "duplicate")[0]
    assert (duplicate.line, duplicate.column, duplicate.value) == (len(body), "Population_group", "T_TL")


def test_long_format_bad_count_is_reported_once(tmp_path):
    lines = LONG.read_text(encoding="utf-8").splitlines()
    row = lines[5].split(",")
    row[11] = "many"
    lines[5] = ",".join(row)
    problems = problems_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert [(p.rule, p.line, p.column) for p in problems] == [("not_a_number", 6, "Population")]


def test_long_format_unknown_group_is_reported(tmp_path):
    lines = LONG.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",F_05_09,", ",F_5to9,")
    problem = only(problems_of(write(tmp_path, "\n".join(lines) + "\n")), "not_allowed")[0]
    assert (problem.line, problem.column, problem.value) == (4, "Population_group", "F_5to9")


# ------------------------------------------------------------------------------------ canonical
def test_ukrainian_excel_csv_equals_the_plain_one():
    plain = load_population(CANONICAL)
    excel = load_population(CANONICAL_EXCEL)
    pd.testing.assert_frame_equal(plain.frame, excel.frame)
    assert plain.frame.set_index("pcode").at["UA80", "customers"] == 1_200_000
    assert plain.defaults_used == excel.defaults_used == ("UA63",)


def test_housing_given_in_the_file_is_kept_and_the_rest_filled():
    data = load_population(CANONICAL)
    frame = data.frame.set_index("pcode")
    assert frame.at["UA80", "share_panel_block"] == 0.55  # from the file, not housing.csv (0.60)
    assert frame.at["UA63", "share_district"] == 0.40  # UA63 has no housing row: national row
    assert any("UA63" in note and "national row" in note for note in data.notes)


def test_fill_housing_off_leaves_shares_empty():
    data = load_population(CANONICAL, fill_housing=False)
    assert data.defaults_used == ()
    assert data.frame.set_index("pcode").loc["UA63", list(HEATING_SHARE_COLUMNS)].isna().all()


def test_a_dataframe_in_canonical_columns_is_accepted():
    frame = pd.read_csv(CANONICAL)
    from_frame = load_population(frame).frame
    from_file = load_population(CANONICAL).frame
    pd.testing.assert_frame_equal(from_frame, from_file)
    assert load_population(frame).files == ()


def test_excel_workbook_equals_the_csv(tmp_path):
    path = tmp_path / "population.xlsx"
    pd.read_csv(CANONICAL, dtype=str).to_excel(path, index=False)
    pd.testing.assert_frame_equal(load_population(path).frame, load_population(CANONICAL).frame)
    broken = pd.read_csv(CANONICAL, dtype=str)
    broken.loc[2, "region"] = "Narnia"
    broken.to_excel(path, index=False)
    problem = only(problems_of(path), "unknown_region")[0]
    assert (problem.line, problem.line_label, problem.column) == (4, "row", "region")


def test_basis_without_a_basis_column_is_noted():
    data = load_population(CANONICAL, basis="current")
    assert any("no basis column" in note for note in data.notes)


def test_dataframe_problems_are_located_by_row():
    frame = pd.read_csv(CANONICAL)
    frame.loc[1, "population"] = -5
    problem = only(problems_of(frame), "below_minimum")[0]
    assert (problem.file, problem.line, problem.line_label, problem.column) == ("DataFrame", 2, "row", "population")


def test_basis_column_selects_rows(tmp_path):
    text = ("region,basis,population,share_65plus,share_0_4\n"
            "UA80,cod_ps_2022,2910994,0.157,0.050\n"
            "UA80,current,3700000,0.15,0.05\n"
            "UA51,cod_ps_2022,2340332,0.161,0.046\n")
    path = write(tmp_path, text)
    current = load_population(path, basis="current").frame
    assert list(current["pcode"]) == ["UA80"] and current.at[0, "population"] == 3_700_000
    assert len(load_population(path, basis="COD_PS_2022").frame) == 2
    problem = only(problems_of(path), "choose_basis")[0]
    assert (problem.line, problem.column, problem.value) == (3, "region", "UA80")
    assert "cod_ps_2022, current" in problem.message
    unknown = only(problems_of(path, basis="2030"), "unknown_basis")[0]
    assert unknown.column == "basis"


# ------------------------------------------------------------------------------------ errors
def canonical(tmp_path, *rows: str) -> Path:
    return write(tmp_path, "\n".join([CANONICAL_HEADER, *rows]) + "\n")


def test_empty_file(tmp_path):
    problem = only(problems_of(write(tmp_path, "")), "empty_file")[0]
    assert problem.file == "population.csv"


def test_wrong_encoding_is_located_and_explained(tmp_path):
    path = write(tmp_path, "region,population,share_65plus,share_0_4\nКиїв,2910994,0.157,0.05\n",
                 encoding="cp1251")
    problem = only(problems_of(path), "encoding")[0]
    assert problem.line == 2 and "Windows-1251" in problem.message
    assert len(load_population(path, encoding="cp1251").frame) == 1


def test_missing_pcode_column_in_cod_ps(tmp_path):
    header, rows = wide_rows()
    header[header.index("ADM1_PCODE")] = "code"
    problem = only(problems_of(write(tmp_path, to_csv(header, rows))), "missing_column")[0]
    assert (problem.line, problem.column) == (1, "ADM1_PCODE")


def test_missing_population_column_in_canonical(tmp_path):
    path = write(tmp_path, "region,share_65plus,share_0_4\nUA80,0.157,0.05\n")
    problem = only(problems_of(path), "missing_column")[0]
    assert (problem.line, problem.column) == (1, "population")


def test_missing_total_in_cod_ps(tmp_path):
    header, rows = wide_rows()
    drop = {header.index(name) for name in ("T_TL", "F_TL")}
    path = write(tmp_path, to_csv([h for i, h in enumerate(header) if i not in drop],
                                  [[c for i, c in enumerate(r) if i not in drop] for r in rows]))
    problem = only(problems_of(path), "missing_column")[0]
    assert (problem.line, problem.column) == (1, "T_TL")


def test_duplicated_columns(tmp_path):
    path = write(tmp_path, "region,population,Population,share_65plus,share_0_4\nUA80,1,1,0.1,0.1\n")
    problem = only(problems_of(path), "duplicate_column")[0]
    assert (problem.line, problem.column) == (1, "Population")


def test_unknown_region(tmp_path):
    path = canonical(tmp_path, "UA80,100,0.1,0.05" + NO_HOUSING, "Kyyiv oblastt,100,0.1,0.05" + NO_HOUSING)
    problems = problems_of(path)
    problem = only(problems, "unknown_region")[0]
    assert (problem.line, problem.column, problem.value) == (3, "region", "Kyyiv oblastt")
    assert len(problems) == 1  # no knock-on complaint about the empty p-code


def test_negative_population(tmp_path):
    problem = only(problems_of(canonical(tmp_path, "UA80,-100,0.1,0.05" + NO_HOUSING)), "below_minimum")[0]
    assert (problem.line, problem.column) == (2, "population")


def test_share_written_as_a_bare_percentage_gets_a_hint(tmp_path):
    problem = only(problems_of(canonical(tmp_path, "UA80,100,15.7,0.05" + NO_HOUSING)), "above_maximum")[0]
    assert (problem.line, problem.column) == (2, "share_65plus")
    assert "15.7%" in problem.message


def test_age_shares_above_one(tmp_path):
    problem = only(problems_of(canonical(tmp_path, "UA80,100,0.7,0.4" + NO_HOUSING)), "age_shares")[0]
    assert (problem.line, problem.column) == (2, "share_65plus")


def test_heating_and_building_shares_must_sum_to_one(tmp_path):
    problems = problems_of(canonical(tmp_path, "UA80,100,0.1,0.05,0.5,0.3,0.1,0.3,0.4,0.4,0.2,,",
                                     "UA51,100,0.1,0.05,0.5,0.3,0.1,0.1,0.4,0.4,0.3,,"))
    heating = only(problems, "heating_shares")[0]
    building = only(problems, "building_shares")[0]
    assert (heating.line, heating.column) == (2, "share_district")
    assert (building.line, building.column) == (3, "share_panel_block")


def test_partly_given_heating_shares_are_not_filled(tmp_path):
    problem = only(problems_of(canonical(tmp_path, "UA80,100,0.1,0.05,0.5,0.5,,,0.4,0.4,0.2,,")),
                   "heating_shares")[0]
    assert problem.line == 2


def test_unit_appearing_twice(tmp_path):
    path = canonical(tmp_path, "UA80,100,0.1,0.05" + HOUSING_ROW, "Kyiv,200,0.1,0.05" + HOUSING_ROW)
    problem = only(problems_of(path), "duplicate")[0]
    assert (problem.line, problem.column, problem.value) == (3, "region", "UA80")


def test_unit_appearing_twice_in_cod_ps(tmp_path):
    header, rows = wide_rows()
    problem = only(problems_of(write(tmp_path, to_csv(header, [*rows, rows[2]]))), "duplicate")[0]
    assert (problem.line, problem.column, problem.value) == (6, "ADM1_PCODE", "UA80")


def test_age_bands_not_summing_to_the_total(tmp_path):
    header, rows = wide_rows()
    rows[1][header.index("T_80Plus")] = "200000"  # Kharkiv: 108,255 in the source
    problems = problems_of(write(tmp_path, to_csv(header, rows)))
    problem = only(problems, "age_bands_sum")[0]
    assert (problem.line, problem.column, problem.value) == (3, "T_TL", "2675070")
    assert len(problems) == 1


def test_bad_count_is_reported_once(tmp_path):
    header, rows = wide_rows()
    rows[0][header.index("T_65_69")] = "n/a"
    problems = problems_of(write(tmp_path, to_csv(header, rows)))
    assert [(p.rule, p.line, p.column) for p in problems] == [("not_a_number", 2, "T_65_69")]


def test_age_bands_without_a_boundary_at_65(tmp_path):
    path = write(tmp_path, "ADM1_PCODE,T_TL,T_00_04,T_05_59,T_60Plus\nUA80,100,5,70,25\n")
    problem = only(problems_of(path), "age_bands")[0]
    assert problem.line == 1


def test_every_problem_is_reported_at_once(tmp_path):
    path = canonical(tmp_path, "Atlantis,100,0.1,0.05" + NO_HOUSING, "UA80,-1,0.1,0.05" + NO_HOUSING,
                     "UA51,100,0.9,0.5" + NO_HOUSING, "UA63,abc,0.1,0.05" + NO_HOUSING)
    rules = sorted((p.line, p.rule) for p in problems_of(path))
    assert rules == [(2, "unknown_region"), (3, "below_minimum"), (4, "age_shares"), (5, "not_a_number")]


def test_missing_file_is_input_missing(tmp_path):
    with pytest.raises(InputMissingError):
        load_population(tmp_path / "nowhere.csv")


# ------------------------------------------------------------------------------------ housing
def test_housing_defaults_are_indexed_by_pcode():
    frame = housing_defaults()
    assert list(frame.index) == ["UA80", "UA51", "UA"]
    assert frame.at["UA80", "share_district"] == 0.80
    assert frame.at["UA", "method"] == "test values"


def test_housing_defaults_reject_shares_not_summing_to_one(housing_file):
    housing_file.write_text(HOUSING_CSV.replace("UA51,0.50,0.30", "UA51,0.70,0.30"), encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        housing_defaults()
    problem = only(caught.value.problems, "heating_shares")[0]
    assert (problem.file, problem.line, problem.column) == ("housing.csv", 3, "share_district")


def test_housing_defaults_need_a_national_row(housing_file):
    housing_file.write_text("\n".join(HOUSING_CSV.splitlines()[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        housing_defaults()
    assert only(caught.value.problems, "missing_value")[0].column == "pcode"


def test_missing_housing_file_when_needed(housing_file):
    housing_file.unlink()
    with pytest.raises(InputMissingError, match="fill_housing=False"):
        load_population(WIDE)
    assert len(load_population(WIDE, fill_housing=False).frame) == 4


# ------------------------------------------------------------------------------------ bands
@pytest.mark.parametrize(("text", "band"), [
    ("T_TL", Band("T", None, None)), ("f_00_04", Band("F", 0, 4)), ("M_80Plus", Band("M", 80, None)),
    ("T_80plus", Band("T", 80, None)), ("T_Total", None), ("year", None),
])
def test_band_names(text, band):
    assert band_of_name(text) == band


@pytest.mark.parametrize(("tag", "band"), [
    ("#population+total", Band("T", None, None)), ("#population", Band("T", None, None)),
    ("#population+f", Band("F", None, None)), ("#population+infants+age0_4+m", Band("M", 0, 4)),
    ("#population+elderly+age80plus", Band("T", 80, None)), ("#population+age_80_plus+total", Band("T", 80, None)),
    ("#population+group", None), ("#adm1+code", None),
])
def test_band_tags(tag, band):
    assert band_of_tag(tag) == band


# ------------------------------------------------------------------------------------ properties
PROPERTY_SETTINGS = settings(max_examples=25, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY_SETTINGS
@given(order=st.permutations(range(4)))
def test_row_order_does_not_matter(tmp_path_factory, order):
    header, rows = wide_rows()
    path = write(tmp_path_factory.mktemp("order"), to_csv(header, [rows[i] for i in order]))
    pd.testing.assert_frame_equal(load_population(path).frame.drop(columns="source"),
                                  load_population(WIDE).frame.drop(columns="source"))


@PROPERTY_SETTINGS
# Up to 10×: the largest unit of the fixture stays under the plausible maximum (schemas.PEOPLE_MAX).
@given(factor=st.integers(min_value=1, max_value=10))
def test_scaling_every_count_leaves_the_shares_unchanged(tmp_path_factory, factor):
    header, rows = wide_rows()
    counts = {i for i, name in enumerate(header) if band_of_name(name) is not None}
    scaled = [[str(int(c) * factor) if i in counts else c for i, c in enumerate(r)] for r in rows]
    result = load_population(write(tmp_path_factory.mktemp("scale"), to_csv(header, scaled))).frame
    original = load_population(WIDE).frame
    pd.testing.assert_series_equal(result["population"], original["population"] * factor)
    for column in ("share_65plus", "share_0_4"):
        pd.testing.assert_series_equal(result[column], original[column], rtol=1e-12)


@PROPERTY_SETTINGS
@given(given_housing=st.sets(st.sampled_from(["UA80", "UA51", "UA63", "UA14", "UA5108003"])))
def test_filled_shares_sum_to_one_and_name_exactly_the_filled_units(tmp_path_factory, given_housing):
    codes = ["UA80", "UA51", "UA63", "UA14", "UA5108003"]
    rows = [f"{code},1000,0.1,0.05" + (HOUSING_ROW if code in given_housing else NO_HOUSING) for code in codes]
    data = load_population(canonical(tmp_path_factory.mktemp("fill"), *rows))
    assert set(data.defaults_used) == set(codes) - given_housing
    frame = data.frame.set_index("pcode")
    for block in (HEATING_SHARE_COLUMNS, BUILDING_SHARE_COLUMNS):
        assert (frame[list(block)].sum(axis=1) - 1).abs().max() < 1e-9
    for code in given_housing:
        assert frame.at[code, "share_district"] == 0.5


def test_an_age_share_above_one_is_one_problem_not_two(tmp_path):
    lines = CANONICAL.read_text(encoding="utf-8").splitlines()
    header, row = lines[0], lines[1].split(",")
    row[header.split(",").index("share_65plus")] = "1.5"
    found = problems_of(write(tmp_path, f"{header}\n{','.join(row)}\n"))
    assert [(p.line, p.column, p.rule) for p in found] == [(2, "share_65plus", "above_maximum")]
