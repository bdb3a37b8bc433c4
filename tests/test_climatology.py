"""Climatological draws beyond the last known temperature: the table, the AR(1) draw, the fill."""

from __future__ import annotations

import math

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from gridimpact.errors import InputMissingError, InvalidInputError
from gridimpact.io.readers.climatology import load_climatology
from gridimpact.model.climatology import (
    FALLBACK_REGION,
    ClimatologyCoverageError,
    draw_daily_anomalies,
    fill_beyond_observed,
    innovation_correlation,
)
from gridimpact.model.diurnal import hourly_from_daily_extremes
from gridimpact.regions import all_regions

HEADER = ("region,month,tmin_normal_c,tmax_normal_c,anomaly_sd_k,lag1_autocorrelation,"
          "period,source,confidence,method")
SEED_REGIONS = ["UA80", "UA51", "UA63", "UA14"]


def write_table(tmp_path, rows: list[str], name: str = "clim.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def constant_table(tmp_path, tmin=-6.0, tmax=0.0, sd=0.0, phi=0.0):
    """Test-only table: the same values in every month for the fallback region."""
    rows = [f"UA,{m},{tmin},{tmax},{sd},{phi},test,test values,L/L,test" for m in range(1, 13)]
    return load_climatology(write_table(tmp_path, rows))


def utc_hours(start: str, end: str) -> pd.DatetimeIndex:
    """Hours from local midnight of ``start`` to local midnight of ``end`` (Europe/Kyiv), in UTC."""
    first = pd.Timestamp(start).tz_localize("Europe/Kyiv").tz_convert("UTC")
    last = pd.Timestamp(end).tz_localize("Europe/Kyiv").tz_convert("UTC")
    return pd.date_range(first, last, freq="h", inclusive="left")


# -- the shipped table ------------------------------------------------------------------------


def test_shipped_table_covers_every_adm1_unit_and_the_fallback_in_winter():
    clim = load_climatology()
    expected = {r.pcode for r in all_regions()} | {FALLBACK_REGION}
    assert expected <= set(clim.regions)
    for month in (11, 12, 1, 2, 3):
        column = month - 1
        assert not np.isnan(clim.tmin_c[:, column]).any()
        assert (clim.tmin_c[:, column] < clim.tmax_c[:, column]).all()
        assert ((clim.anomaly_sd_k[:, column] > 2) & (clim.anomaly_sd_k[:, column] < 8)).all()
        assert ((clim.lag1[:, column] > 0.5) & (clim.lag1[:, column] < 0.95)).all()


def test_shipped_kyiv_january_keeps_the_official_1991_2020_mean():
    # CGO: January 2024 (-2.6 °C) was 0.6 K above the 1991-2020 norm, so the norm is -3.2 °C.
    clim = load_climatology()
    row = clim.rows_for(["UA80"])[0]
    assert (clim.tmin_c[row, 0] + clim.tmax_c[row, 0]) / 2 == pytest.approx(-3.2, abs=0.01)
    # Kharkiv's January norm is -4.5 °C (Kharkiv Regional Hydromet Centre).
    row = clim.rows_for(["UA63"])[0]
    assert (clim.tmin_c[row, 0] + clim.tmax_c[row, 0]) / 2 == pytest.approx(-4.5, abs=0.01)


# -- normals and lookup -----------------------------------------------------------------------


def test_daily_normals_interpolate_between_mid_month_values(tmp_path):
    rows = [
        "UA80,12,-4,0,5,0.8,test,test values,L/L,test",
        "UA80,1,-6,-2,5,0.8,test,test values,L/L,test",
        "UA,12,0,1,5,0.8,test,test values,L/L,test",
    ]
    clim = load_climatology(write_table(tmp_path, rows))
    dates = pd.DatetimeIndex(["2025-12-16", "2025-12-31", "2026-01-16", "2026-01-31", "2025-12-01"])
    tmin, tmax = clim.daily_normals(["UA80"], dates)
    # 16 Dec and 16 Jan at noon are the middles of their 31-day months: the monthly values.
    # 31 Dec at noon is 15 of the 31 days from mid-December to mid-January: -4 - 2 * 15/31.
    # After mid-January and before mid-December the neighbours (Feb, Nov) are absent: hold.
    assert tmin[0] == pytest.approx([-4.0, -4.0 - 2.0 * 15 / 31, -6.0, -6.0, -4.0])
    assert tmax[0] == pytest.approx([0.0, -2.0 * 15 / 31, -2.0, -2.0, 0.0])


def test_unknown_region_uses_the_fallback_and_adm2_uses_its_oblast(tmp_path):
    rows = [
        "UA80,1,-6,-2,5,0.8,test,test values,L/L,test",
        "UA,1,-1,3,4,0.7,test,test values,L/L,test",
    ]
    clim = load_climatology(write_table(tmp_path, rows))
    tmin, _ = clim.daily_normals(["UA8000000", "UA63", "UA80"], pd.DatetimeIndex(["2026-01-16"]))
    assert tmin[:, 0].tolist() == [-6.0, -1.0, -6.0]
    sd, phi = clim.ar1(["UA63"], pd.DatetimeIndex(["2026-01-16"]))
    assert (sd[0, 0], phi[0, 0]) == (4.0, 0.7)


def test_a_month_outside_the_table_is_an_error_naming_it():
    clim = load_climatology()
    with pytest.raises(ClimatologyCoverageError, match=r"no month 4 for region UA80 \(needed for 2026-04-01\)"):
        clim.daily_normals(["UA80"], pd.date_range("2026-03-30", "2026-04-02"))


# -- validation of the table ------------------------------------------------------------------


def problems_of(tmp_path, rows):
    with pytest.raises(InvalidInputError) as caught:
        load_climatology(write_table(tmp_path, rows))
    return {(p.rule, p.line, p.column) for p in caught.value.problems}


def test_every_bad_row_is_reported_with_its_line(tmp_path):
    found = problems_of(tmp_path, [
        "UA,1,-6,-2,5,0.8,test,src,L/L,test",
        "UA,1,-6,-2,5,0.8,test,src,L/L,test",        # line 3: duplicate
        "UA,2,x,-2,5,0.8,test,src,L/L,test",         # line 4: not a number
        "UA,3,2,-2,5,0.8,test,src,L/L,test",         # line 5: min above max
        "UA,13,-6,-2,-1,1.5,test,src,L/L,test",      # line 6: month, sd, lag-1 out of range
        "UA,4,-6,-2,5,0.8,test,,Q,test",             # line 7: no source, bad confidence
        "Kyiv,5,-6,-2,5,0.8,test,src,L/L,test",      # line 8: not a p-code
        "UA,6.5,-6,-2,5,0.8,test,src,L/L,test",      # line 9: not a whole month
    ])
    assert found == {
        ("duplicate", 3, "month"),
        ("not_a_number", 4, "tmin_normal_c"),
        ("min_above_max", 5, "tmin_normal_c"),
        ("above_maximum", 6, "month"),
        ("below_minimum", 6, "anomaly_sd_k"),
        ("above_maximum", 6, "lag1_autocorrelation"),
        ("missing_source", 7, "source"),
        ("not_allowed", 7, "confidence"),
        ("bad_code", 8, "region"),
        ("not_whole_month", 9, "month"),
    }


def test_a_table_without_the_fallback_row_is_rejected(tmp_path):
    assert problems_of(tmp_path, ["UA80,1,-6,-2,5,0.8,test,src,L/L,test"]) == {
        ("missing_fallback", None, "region")}


def test_a_missing_column_is_reported_on_the_header(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("region,month,tmin_normal_c\nUA,1,-6\n", encoding="utf-8")
    with pytest.raises(InvalidInputError) as caught:
        load_climatology(path)
    missing = {p.column for p in caught.value.problems if p.rule == "missing_column"}
    assert missing == {"tmax_normal_c", "anomaly_sd_k", "lag1_autocorrelation", "period", "source",
                       "confidence", "method"}
    assert {p.line for p in caught.value.problems} == {1}


def test_a_missing_file_is_input_missing(tmp_path):
    with pytest.raises(InputMissingError):
        load_climatology(tmp_path / "absent.csv")


# -- the AR(1) draw ---------------------------------------------------------------------------


def test_with_zero_sd_the_anomaly_decays_geometrically_from_the_initial_value():
    phi = np.full((2, 5), 0.5)
    anomalies = draw_daily_anomalies(phi, np.zeros((2, 5)), np.array([8.0, -4.0]), np.random.default_rng(0))
    assert anomalies[0] == pytest.approx([4.0, 2.0, 1.0, 0.5, 0.25])
    assert anomalies[1] == pytest.approx([-2.0, -1.0, -0.5, -0.25, -0.125])


def lag_correlation(series: np.ndarray, lag: int) -> float:
    return float(np.corrcoef(series[:-lag], series[lag:])[0, 1])


def test_with_zero_phi_successive_anomalies_are_uncorrelated():
    days = 20_000
    anomalies = draw_daily_anomalies(np.zeros((1, days)), np.full((1, days), 5.0), np.zeros(1),
                                     np.random.default_rng(7))[0]
    # Sampling standard error of a correlation from 20 000 independent pairs is 0.007.
    assert abs(lag_correlation(anomalies, 1)) < 0.03
    assert anomalies.std() == pytest.approx(5.0, rel=0.03)


def test_a_long_draw_matches_the_requested_sd_and_persistence():
    days, phi, sd = 40_000, 0.85, 5.0
    anomalies = draw_daily_anomalies(np.full((1, days), phi), np.full((1, days), sd), np.zeros(1),
                                     np.random.default_rng(11))[0]
    # About days * (1 - phi) / (1 + phi) = 3 200 independent values: the sd is known to ~1.3 %.
    assert anomalies.std() == pytest.approx(sd, rel=0.05)
    assert lag_correlation(anomalies, 1) == pytest.approx(phi, abs=0.02)
    assert lag_correlation(anomalies, 3) == pytest.approx(phi ** 3, abs=0.04)


def test_correlated_innovations_give_correlated_regions():
    days = 20_000
    correlation = np.array([[1.0, 0.7], [0.7, 1.0]])
    anomalies = draw_daily_anomalies(np.full((2, days), 0.8), np.full((2, days), 4.0), np.zeros(2),
                                     np.random.default_rng(3), correlation=correlation)
    assert np.corrcoef(anomalies)[0, 1] == pytest.approx(0.7, abs=0.05)


def test_the_same_seed_gives_the_same_draw_and_another_seed_another():
    phi, sd, initial = np.full((3, 30), 0.8), np.full((3, 30), 5.0), np.zeros(3)
    first = draw_daily_anomalies(phi, sd, initial, np.random.default_rng(42))
    again = draw_daily_anomalies(phi, sd, initial, np.random.default_rng(42))
    other = draw_daily_anomalies(phi, sd, initial, np.random.default_rng(43))
    assert np.array_equal(first, again)
    assert not np.allclose(first, other)


def test_innovation_correlation_decays_with_distance_between_reference_points():
    matrix = innovation_correlation(["UA80", "UA51", "UA", "UA8000"], length_km=1200.0)
    # Kyiv (50.45 N, 30.52 E) to Odesa (46.48 N, 30.73 E): 441.7 km on a 6371 km sphere.
    assert matrix[0, 1] == pytest.approx(math.exp(-441.7 / 1200.0), abs=0.002)
    assert matrix[0, 2] == 0.0  # the national row has no point
    assert matrix[0, 3] == pytest.approx(1.0)  # an ADM2 unit uses its oblast's point
    assert np.array_equal(innovation_correlation(["UA80", "UA51"], length_km=0.0), np.eye(2))


# -- filling the tail ---------------------------------------------------------------------------


def test_with_zero_sd_a_region_without_data_gets_exactly_the_normal_curve(tmp_path):
    clim = constant_table(tmp_path, tmin=-6.0, tmax=0.0, sd=0.0, phi=0.0)
    hours = utc_hours("2026-01-10", "2026-01-14")
    observed = np.full((1, len(hours)), np.nan)
    filled = fill_beyond_observed(clim, ["UA80"], hours, observed, np.random.default_rng(0))
    one_day = hourly_from_daily_extremes(np.array([-6.0]), np.array([0.0]))
    expected = one_day[hours.tz_convert("Europe/Kyiv").hour]
    assert filled[0] == pytest.approx(expected)
    assert filled[0].min() == pytest.approx(-6.0) and filled[0].max() == pytest.approx(0.0)


def test_the_anomaly_starts_from_the_last_known_day_and_persists(tmp_path):
    clim = constant_table(tmp_path, tmin=-6.0, tmax=0.0, sd=0.0, phi=0.9)
    hours = utc_hours("2026-01-10", "2026-01-14")
    local_hour = hours.tz_convert("Europe/Kyiv").hour.to_numpy()
    observed = np.full((1, len(hours)), np.nan)
    observed[0, :24] = -13.0  # 10 January: daily mean -13 °C against a normal mean of -3 °C
    filled = fill_beyond_observed(clim, ["UA80"], hours, observed, np.random.default_rng(0))
    # Anomaly -10 K on 10 January, then -9 K on the 11th and -8.1 K on the 12th (phi = 0.9).
    # 11 January 15:00 is 16 hours after the join, beyond the 12-hour blend: Tmax_n + a.
    assert filled[0, 24 + 15] == pytest.approx(0.0 - 9.0)
    assert filled[0, 48 + 6] == pytest.approx(-6.0 - 8.1)
    assert filled[0, 48 + 15] == pytest.approx(0.0 - 8.1)
    assert (local_hour[[39, 54, 63]] == [15, 6, 15]).all()


def test_observed_hours_and_complete_regions_are_never_changed():
    clim = load_climatology()
    hours = utc_hours("2026-01-20", "2026-01-27")
    rng = np.random.default_rng(5)
    observed = rng.normal(-5.0, 4.0, size=(3, len(hours)))
    observed[0, 100:] = np.nan
    observed[1, 30:40] = np.nan  # a gap before the last known hour stays a gap
    observed[1, 150:] = np.nan
    filled = fill_beyond_observed(clim, ["UA80", "UA51", "UA63"], hours, observed, np.random.default_rng(1))
    assert np.array_equal(filled[0, :100], observed[0, :100])
    assert np.array_equal(filled[1, :150], observed[1, :150], equal_nan=True)
    assert np.isnan(filled[1, 30:40]).all()
    assert np.array_equal(filled[2], observed[2])
    assert not np.isnan(filled[0, 100:]).any() and not np.isnan(filled[1, 150:]).any()


def test_the_first_drawn_hour_joins_the_last_observed_one():
    clim = load_climatology()
    hours = utc_hours("2026-01-20", "2026-01-30")
    rng = np.random.default_rng(2)
    for seed in range(20):
        last = int(rng.integers(24, 24 * 6))
        offset = float(rng.uniform(-10.0, 10.0))
        observed = np.full((4, len(hours)), np.nan)
        normal = hourly_from_daily_extremes(np.full(10, -5.5), np.full(10, -0.9))
        observed[:, :last] = normal[:last] + offset
        filled = fill_beyond_observed(clim, SEED_REGIONS, hours, observed, np.random.default_rng(seed))
        jump = np.abs(filled[:, last] - observed[:, last - 1])
        # Stated bound: the drawn curve moves at most about 1.5 K in an hour in winter, and the
        # blend leaves at most 1.7 % of the offset (here up to 10 K) at the first hour.
        assert (jump <= 2.0).all(), (seed, last, offset, jump)


def test_the_blend_follows_the_cosine_taper_and_ends_after_its_window():
    clim = load_climatology()
    hours = utc_hours("2026-01-20", "2026-01-25")
    observed = np.full((1, len(hours)), np.nan)
    observed[0, :40] = -3.0
    observed[0, 39] = 6.0  # a last reading 9 K above the rest, so the blend has work to do
    smooth = fill_beyond_observed(clim, ["UA80"], hours, observed, np.random.default_rng(9), blend_hours=12)
    raw = fill_beyond_observed(clim, ["UA80"], hours, observed, np.random.default_rng(9), blend_hours=1)
    difference = smooth[0] - raw[0]
    # blend_hours=1 leaves the draw unblended; the difference is delta * (1 + cos(pi k / 12)) / 2.
    k3, k6 = difference[39 + 3], difference[39 + 6]
    assert k3 / k6 == pytest.approx((1 + math.cos(math.pi / 4)) / (1 + math.cos(math.pi / 2)))
    assert np.allclose(difference[39 + 12:], 0.0)
    assert k6 > 2.0


def test_the_same_seed_gives_the_same_fill():
    clim = load_climatology()
    hours = utc_hours("2026-02-01", "2026-02-10")
    observed = np.full((4, len(hours)), np.nan)
    observed[:, :50] = -12.0
    first = fill_beyond_observed(clim, SEED_REGIONS, hours, observed, np.random.default_rng(123))
    again = fill_beyond_observed(clim, SEED_REGIONS, hours, observed, np.random.default_rng(123))
    other = fill_beyond_observed(clim, SEED_REGIONS, hours, observed, np.random.default_rng(124))
    assert np.array_equal(first, again)
    assert not np.allclose(first[:, 50:], other[:, 50:])


def test_the_fill_runs_across_the_spring_clock_change():
    clim = load_climatology()
    hours = utc_hours("2026-03-27", "2026-03-31")  # 29 March has 23 local hours
    assert len(hours) == 4 * 24 - 1
    observed = np.full((2, len(hours)), np.nan)
    observed[:, :20] = 3.0
    filled = fill_beyond_observed(clim, ["UA80", "UA63"], hours, observed, np.random.default_rng(4))
    assert not np.isnan(filled).any()


def test_a_tail_beyond_the_covered_months_is_an_error():
    clim = load_climatology()
    hours = utc_hours("2026-03-30", "2026-04-03")
    observed = np.full((1, len(hours)), np.nan)
    observed[0, :10] = 2.0
    with pytest.raises(ClimatologyCoverageError, match="no month 4"):
        fill_beyond_observed(clim, ["UA80"], hours, observed, np.random.default_rng(0))


def test_bad_arguments_are_refused():
    clim = load_climatology()
    hours = utc_hours("2026-01-20", "2026-01-21")
    with pytest.raises(ValueError, match="time-zone aware"):
        fill_beyond_observed(clim, ["UA80"], hours.tz_localize(None), np.zeros((1, 24)), np.random.default_rng(0))
    with pytest.raises(ValueError, match="shape"):
        fill_beyond_observed(clim, ["UA80", "UA51"], hours, np.zeros((1, 24)), np.random.default_rng(0))


HOURS = utc_hours("2026-01-25", "2026-02-01")


@settings(max_examples=40, deadline=None)
@given(
    tails=st.lists(st.integers(min_value=0, max_value=len(HOURS)), min_size=1, max_size=4),
    level=st.floats(min_value=-25.0, max_value=8.0),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_any_nan_tail_is_filled_and_observed_values_are_kept(tails, level, seed):
    clim = load_climatology()
    pcodes = SEED_REGIONS[: len(tails)]
    observed = np.full((len(tails), len(HOURS)), np.nan)
    for row, known in enumerate(tails):
        observed[row, :known] = level + np.sin(np.arange(known) / 5.0)
    filled = fill_beyond_observed(clim, pcodes, HOURS, observed, np.random.default_rng(seed))
    assert not np.isnan(filled).any()
    for row, known in enumerate(tails):
        assert np.array_equal(filled[row, :known], observed[row, :known])
    assert (filled > -70).all() and (filled < 40).all()
