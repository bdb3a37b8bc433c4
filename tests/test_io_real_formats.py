"""Real structures: wider operator group schemes, DTEK's weekly template, GHCN-Daily .dly, COD-PS
workbooks and trimmed tables, ERA5 pressure levels, and population units finer than the other inputs.

Each fixture is written by hand in the structure of the real file (tests/fixtures/*/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import gridimpact
from gridimpact.errors import InvalidInputError
from gridimpact.io.readers.levels import nearest_parent, parent_codes
from gridimpact.io.readers.outages import load_outages
from gridimpact.io.readers.population import load_population
from gridimpact.io.readers.temperature import load_temperature

FIXTURES = Path(__file__).parent / "fixtures"
OUTAGES = FIXTURES / "outages"
POPULATION = FIXTURES / "population"


def kyiv(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Europe/Kyiv")


# --- wider group schemes --------------------------------------------------------------------------

def test_yasno_60_groups_are_all_read_as_the_share_of_customers_off():
    """Groups 1.1 … 30.1 off 08:00–12:00 and 31.1 … 60.1 off 18:00–22:00: half the customers each time."""
    data = load_outages(OUTAGES / "yasno_kyiv_60_groups.json", region="Kyiv")
    assert data.schedules.empty
    reports = data.reports
    assert set(reports["kind"]) == {"scheduled"} and set(reports["pcode"]) == {"UA80"}
    assert list(zip(reports["start"], reports["end"], reports["share_off"], strict=True)) == [
        (kyiv("2026-02-02 00:00"), kyiv("2026-02-02 08:00"), 0.0),
        (kyiv("2026-02-02 08:00"), kyiv("2026-02-02 12:00"), 0.5),
        (kyiv("2026-02-02 12:00"), kyiv("2026-02-02 18:00"), 0.0),
        (kyiv("2026-02-02 18:00"), kyiv("2026-02-02 22:00"), 0.5),
        (kyiv("2026-02-02 22:00"), kyiv("2026-02-03 00:00"), 0.0),
    ]
    # 8 h at one half: the person-hours the file describes, 4 h per customer on average.
    hours = ((reports["end"] - reports["start"]) / pd.Timedelta(hours=1) * reports["share_off"]).sum()
    assert hours == 4.0
    assert any("60 groups" in note and "1/60" in note for note in data.notes)
    assert any("2026-02-03" in note and "WaitingForSchedule" in note for note in data.notes)


def test_dtek_gpv1_1_to_gpv60_2_are_all_read():
    """120 groups: 60 off 08:00–12:00 (a half), GPV31.1 off 12:30–14:30 (1/120), GPV31.2 only 'maybe'."""
    data = load_outages(OUTAGES / "dtek_kyiv_120_groups.json", region="UA80")
    reports = data.reports
    by_start = dict(zip(reports["start"], reports["share_off"], strict=True))
    assert by_start[kyiv("2026-02-02 08:00")] == 0.5
    assert by_start[kyiv("2026-02-02 12:30")] == pytest.approx(1 / 120, abs=1e-12)
    assert reports["end"].max() == kyiv("2026-02-03 00:00")
    assert reports["start"].min() == kyiv("2026-02-02 00:00")
    assert any("120 groups" in note for note in data.notes)
    assert any("possible outages were not counted" in note for note in data.notes)


def test_a_twelve_subqueue_file_still_gives_a_schedule():
    data = load_outages(OUTAGES / "yasno_planned_outages.json", region="UA80")
    assert data.reports.empty and not data.schedules.empty


def test_a_wider_scheme_built_from_the_structure_matches_a_hand_count(tmp_path):
    """Yasno structure with 24 groups, group k off for k quarter-hours from 10:00: the share off in
    the quarter-hour starting 10:00 + 15·j min is (24 − j) / 24."""
    answer = {}
    for k in range(1, 25):
        answer[f"{k}.1"] = {"today": {"date": "2026-02-05T00:00:00+02:00", "status": "ScheduleApplies",
                                      "slots": [{"start": 600, "end": 600 + 15 * k, "type": "Definite"}]}}
    path = tmp_path / "yasno.json"
    path.write_text(json.dumps(answer))
    reports = load_outages(path, region="UA80").reports
    inside = reports[(reports["start"] >= kyiv("2026-02-05 10:00")) & (reports["end"] <= kyiv("2026-02-05 16:00"))]
    assert list(inside["share_off"]) == pytest.approx([(24 - j) / 24 for j in range(24)])


def test_dtek_weekly_template_is_refused_with_one_clear_problem():
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(OUTAGES / "dtek_preset.json", region="UA80")
    [problem] = excinfo.value.problems
    assert problem.rule == "weekly_template"
    assert "DisconSchedule.fact" in problem.message


def test_a_preset_without_its_legends_is_still_recognised(tmp_path):
    preset = json.loads((OUTAGES / "dtek_preset.json").read_text(encoding="utf-8"))
    path = tmp_path / "preset.json"
    path.write_text(json.dumps({"data": preset["data"]}))
    with pytest.raises(InvalidInputError) as excinfo:
        load_outages(path, region="UA80")
    assert [p.rule for p in excinfo.value.problems] == ["weekly_template"]


# --- GHCN-Daily .dly ------------------------------------------------------------------------------

def test_ghcn_dly_reads_tmax_tmin_tavg_in_tenths_and_drops_flagged_values():
    data = load_temperature(FIXTURES / "temperature" / "UPM00033345.dly", max_gap_hours=24)
    assert data.regions == ["UA80"]
    assert any("QFLAG" in note and "1 TMAX" in note for note in data.notes)
    assert any("UPM00033345 (Kyiv)" in note for note in data.notes)
    frame = data.frame.set_index("time")["temperature_c"]
    # 1 January: TMAX −2.5 °C, TMIN −8.5 °C (tenths: −25, −85); the diurnal curve stays between them.
    first_day = frame[(frame.index >= kyiv("2026-01-01")) & (frame.index < kyiv("2026-01-02"))]
    assert first_day.max() <= -2.5 + 1e-6 and first_day.min() >= -8.5 - 1e-6
    assert len(frame) == 31 * 24


def test_a_broken_dly_line_is_located(tmp_path):
    text = (FIXTURES / "temperature" / "UPM00033345.dly").read_text().splitlines()
    text.insert(2, "UPM0003334 garbage")
    path = tmp_path / "UPM00033345.dly"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_temperature(path)
    assert [(p.rule, p.line) for p in excinfo.value.problems] == [("bad_record", 3)]


# --- COD-PS ---------------------------------------------------------------------------------------

def test_cod_ps_with_only_the_needed_bands_gives_the_same_shares_as_the_full_table():
    trimmed = load_population(POPULATION / "cod_ps_ukr_adm1_bands_needed.csv").frame.set_index("pcode")
    full = load_population(POPULATION / "cod_ps_ukr_adm1_2022.csv").frame.set_index("pcode")
    for column in ("population", "share_65plus", "share_0_4"):
        pd.testing.assert_series_equal(trimmed[column], full[column], rtol=1e-12)
    # Kyiv by hand: (163,231 + 135,269 + 65,138 + 92,854) / 2,910,994 and 145,897 / 2,910,994.
    assert trimmed.at["UA80", "share_65plus"] == pytest.approx(456_492 / 2_910_994)
    assert trimmed.at["UA80", "share_0_4"] == pytest.approx(145_897 / 2_910_994)


def test_trimmed_bands_larger_than_the_total_are_a_problem(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("ADM1_PCODE,T_TL,T_00_04,T_65Plus\nUA80,1000,600,600\n")
    with pytest.raises(InvalidInputError) as excinfo:
        load_population(path)
    assert [p.rule for p in excinfo.value.problems] == ["age_bands_sum"]


def _hdx_workbook(path: Path) -> Path:
    """The layout of HDX's ukr_admpop_2022.xlsx: a notes sheet first, then one sheet per level."""
    pytest.importorskip("openpyxl")
    adm1 = pd.read_csv(POPULATION / "cod_ps_ukr_adm1_2022.csv", dtype=str)
    adm2 = pd.read_csv(POPULATION / "cod_ps_adm2_units.csv", dtype=str)
    national = pd.DataFrame({"ADM0_PCODE": ["UA"], "T_TL": ["41000000"], "T_00_04": ["1"], "T_05_64": ["1"],
                             "T_65Plus": ["1"]})
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"Notes": ["Population statistics, estimates for 2022"]}).to_excel(
            writer, sheet_name="Readme", index=False)
        national.to_excel(writer, sheet_name="ukr_admpop_adm0_2022", index=False)
        adm1.to_excel(writer, sheet_name="ukr_admpop_adm1_2022", index=False)
        adm2.to_excel(writer, sheet_name="ukr_admpop_adm2_2022", index=False)
    return path


def test_cod_ps_workbook_data_sheet_found_by_its_columns(tmp_path):
    book = _hdx_workbook(tmp_path / "ukr_admpop_2022.xlsx")
    data = load_population(book)
    assert data.regions == ["UA14", "UA51", "UA63", "UA80"]
    assert any("ukr_admpop_adm1_2022" in note and "sheet=" in note for note in data.notes)
    expected = load_population(POPULATION / "cod_ps_ukr_adm1_2022.csv").frame
    pd.testing.assert_frame_equal(data.frame.drop(columns="source"), expected.drop(columns="source"))


def test_cod_ps_workbook_sheet_chosen_by_name_or_number(tmp_path):
    book = _hdx_workbook(tmp_path / "ukr_admpop_2022.xlsx")
    assert load_population(book, sheet="ukr_admpop_adm2_2022").regions == ["UA5108", "UA5110", "UA6312", "UA8000"]
    assert load_population(book, sheet=3).regions == ["UA5108", "UA5110", "UA6312", "UA8000"]
    with pytest.raises(InvalidInputError) as excinfo:
        load_population(book, sheet="adm9")
    [problem] = excinfo.value.problems
    assert problem.rule == "no_such_sheet" and "ukr_admpop_adm1_2022" in problem.message


# --- ERA5 on pressure levels ----------------------------------------------------------------------

def _pressure_level_file(path: Path, levels=(925.0,)) -> Path:
    times = pd.date_range("2026-01-09T00:00", periods=3, freq="h")
    values = np.full((len(times), len(levels), 2, 2), 265.15, dtype="float32")
    dataset = xr.Dataset(
        {"t": (("valid_time", "pressure_level", "latitude", "longitude"), values,
               {"units": "K", "standard_name": "air_temperature", "long_name": "Temperature"})},
        coords={"valid_time": times, "pressure_level": np.array(levels), "latitude": [50.5, 50.25],
                "longitude": [30.5, 30.75]})
    dataset.to_netcdf(path, engine="h5netcdf")
    return path


def test_era5_pressure_level_temperature_is_refused_without_a_level(tmp_path):
    path = _pressure_level_file(tmp_path / "era5_pl.nc")
    with pytest.raises(InvalidInputError) as excinfo:
        load_temperature(path)
    [problem] = excinfo.value.problems
    assert problem.rule == "pressure_level" and "925" in problem.message


def test_era5_pressure_level_temperature_is_read_at_the_chosen_level(tmp_path):
    path = _pressure_level_file(tmp_path / "era5_pl.nc", levels=(850.0, 925.0))
    data = load_temperature(path, pressure_level=925)
    assert set(data.frame["temperature_c"].round(6)) == {-8.0}
    assert any("925 hPa" in note for note in data.notes)
    with pytest.raises(InvalidInputError) as excinfo:
        load_temperature(path, pressure_level=500)
    assert [p.rule for p in excinfo.value.problems] == ["pressure_level"]


# --- units finer than the other inputs ------------------------------------------------------------

def test_parent_codes_nest_as_prefixes():
    assert parent_codes("UA4604003") == ["UA4604", "UA46"]
    assert parent_codes("UA46") == []
    assert nearest_parent("UA5108003", {"UA51", "UA5108"}) == "UA5108"
    assert nearest_parent("UA5108003", {"UA63"}) is None


@pytest.mark.parametrize("name", ["cod_ps_adm2_units.csv", "cod_ps_adm3_units.csv"])
def test_finer_population_units_take_their_oblasts_series_and_estimate_runs(name):
    inputs = gridimpact.load_inputs(population=POPULATION / name)
    units = load_population(POPULATION / name).regions
    assert inputs.regions == units
    notes = " ".join(inputs.notes)
    assert "temperature of the parent unit" in notes and "outage reports and schedules of the parent" in notes
    embedded = gridimpact.load_inputs()
    parent_temperature = embedded.temperature.frame.set_index(["pcode", "time"])["temperature_c"]
    for unit in units:
        own = inputs.temperature.frame[inputs.temperature.frame["pcode"] == unit].set_index("time")["temperature_c"]
        np.testing.assert_array_equal(own.to_numpy(), parent_temperature.loc[unit[:4]].to_numpy())
    result = gridimpact.estimate(inputs, hourly=False)
    assert set(result.daily["pcode"]) == set(units)
    assert result.daily["people_without_power"].sum() > 0


def test_counts_of_customers_off_are_split_by_population():
    inputs = gridimpact.load_inputs(population=POPULATION / "cod_ps_adm2_units.csv")
    reports = inputs.outages.reports
    embedded = gridimpact.load_inputs().outages.reports
    counted = embedded[(embedded["pcode"] == "UA51") & embedded["customers_off"].notna()]
    if counted.empty:
        pytest.skip("the embedded case has no count report for Odesa oblast")
    start = counted["start"].iloc[0]
    parts = reports[(reports["start"] == start) & reports["pcode"].isin(["UA5108", "UA5110"])
                    & reports["customers_off"].notna()].set_index("pcode")["customers_off"]
    total = counted["customers_off"].iloc[0]
    assert parts["UA5108"] == pytest.approx(total * 1_000_000 / 1_500_000)
    assert parts["UA5110"] == pytest.approx(total * 500_000 / 1_500_000)


def test_a_unit_with_its_own_series_keeps_it(tmp_path):
    hourly = gridimpact.load_inputs().temperature.frame
    own = hourly[hourly["pcode"] == "UA51"].assign(pcode="UA5108", temperature_c=-5.0)
    path = tmp_path / "temperature_units.csv"
    own[["pcode", "time", "temperature_c"]].assign(time=own["time"].map(lambda t: t.isoformat())).to_csv(path, index=False)
    inputs = gridimpact.load_inputs(population=POPULATION / "cod_ps_adm2_units.csv",
                                    temperature=[gridimpact.resources.data_dir() / "temperature_daily.csv", path])
    frame = inputs.temperature.frame
    assert set(frame.loc[frame["pcode"] == "UA5108", "temperature_c"]) == {-5.0}
    assert "UA5108" not in " ".join(n for n in inputs.notes if n.startswith("temperature of the parent"))
