"""The hazard timeline: how reports become shares per quarter-hour, and how rotation works."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridimpact.model.hazard import band_off, build_hazard, hourly_mean, rotation_off
from gridimpact.model.period import Period

TZ = "Europe/Kyiv"


def reports(*rows):
    frame = pd.DataFrame(rows, columns=["pcode", "start", "end", "kind", "share_off", "customers_off", "heat_lost_share"])
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize(TZ)
    frame["source"] = None
    return frame


def no_schedules():
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in ("pcode", "subqueue", "certainty", "source")})
    frame["start"] = pd.Series(dtype=f"datetime64[ns, {TZ}]")
    frame["end"] = pd.Series(dtype=f"datetime64[ns, {TZ}]")
    return frame


PERIOD = Period.of("2026-01-10", "2026-01-12")


def hourly(array):
    return hourly_mean(array[0, 0])


def test_a_later_report_of_the_same_kind_replaces_the_earlier_one():
    frame = reports(
        ("UA80", "2026-01-10 00:00", None, "scheduled", 0.5, None, None),
        ("UA80", "2026-01-11 00:00", None, "scheduled", 0.25, None, None),
    )
    hazard = build_hazard(frame, no_schedules(), ["UA80"], PERIOD, np.array([1e6]))
    rotating = hourly(hazard.rotating)
    assert np.allclose(rotating[:24], 0.5)
    assert np.allclose(rotating[24:], 0.25)  # open-ended: runs to the end of the period


def test_a_report_ends_at_its_end_and_kinds_add_up():
    frame = reports(
        ("UA80", "2026-01-10 06:00", "2026-01-10 12:00", "emergency", 0.2, None, None),
        ("UA80", "2026-01-10 00:00", None, "scheduled", 0.5, None, None),
    )
    hazard = build_hazard(frame, no_schedules(), ["UA80"], PERIOD, np.array([1e6]))
    rotating = hourly(hazard.rotating)
    assert np.allclose(rotating[:6], 0.5)
    assert np.allclose(rotating[6:12], 0.7)
    assert np.allclose(rotating[12:], 0.5)


def test_customer_counts_become_shares_of_the_customer_base():
    frame = reports(("UA80", "2026-01-10 00:00", "2026-01-11 00:00", "strike", None, 250_000, 0.4))
    hazard = build_hazard(frame, no_schedules(), ["UA80"], PERIOD, np.array([1_000_000.0]))
    assert np.allclose(hourly(hazard.persistent)[:24], 0.25)
    assert np.allclose(hourly(hazard.persistent)[24:], 0.0)
    assert np.allclose(hourly(hazard.heat_lost)[:24], 0.4)


def test_partial_hours_are_weighted_by_quarter_hours():
    frame = reports(("UA80", "2026-01-10 10:30", "2026-01-10 11:15", "strike", 1.0, None, None))
    hazard = build_hazard(frame, no_schedules(), ["UA80"], PERIOD, np.array([1e6]))
    persistent = hourly(hazard.persistent)
    assert persistent[10] == pytest.approx(0.5)
    assert persistent[11] == pytest.approx(0.25)


@given(st.permutations(range(4)))
@settings(max_examples=20, deadline=None)
def test_the_order_of_report_rows_does_not_matter(order):
    frame = reports(
        ("UA80", "2026-01-10 00:00", None, "scheduled", 0.5, None, None),
        ("UA80", "2026-01-11 03:00", "2026-01-11 09:00", "emergency", 0.3, None, None),
        ("UA63", "2026-01-10 12:00", None, "strike", 0.2, None, 0.1),
        ("UA80", "2026-01-11 00:00", None, "scheduled", 0.25, None, None),
    )
    base = build_hazard(frame, no_schedules(), ["UA80", "UA63"], PERIOD, np.array([1e6, 1e6]))
    shuffled = build_hazard(frame.iloc[list(order)], no_schedules(), ["UA80", "UA63"], PERIOD, np.array([1e6, 1e6]))
    for name in ("rotating", "persistent", "heat_lost"):
        assert np.array_equal(getattr(base, name), getattr(shuffled, name))


@pytest.mark.parametrize(("share", "hours_off"), [(1 / 6, 4), (2 / 6, 8), (0.5, 12), (4 / 6, 16)])
def test_rotation_gives_each_group_four_hours_per_queue(share, hours_off):
    # Ukrenergo: one queue off ≈ 4 h a day per consumer, three queues = half of consumers.
    quarters = np.full((1, 96 * 3), share)
    off, _ = rotation_off(quarters, block_hours=4.0)
    per_group_hours = off[0, :, 96:192].sum(axis=-1) / 4  # the middle day
    assert np.allclose(per_group_hours, hours_off, atol=0.5)
    assert np.allclose(off[0].mean(axis=0), share, atol=1 / 12 + 1e-9)


def test_rotation_switches_in_blocks_of_the_block_length():
    off, _ = rotation_off(np.full((1, 96), 0.5), block_hours=4.0)
    group = off[0, 0]
    runs = np.diff(np.flatnonzero(np.diff(group) != 0))
    assert set(runs.tolist()) == {16}  # 16 quarter-hours = 4 h off, then 4 h on


def test_rotation_continues_across_chunks():
    quarters = np.full((1, 192), 0.4)
    whole, _ = rotation_off(quarters, 4.0)
    first, phase = rotation_off(quarters[:, :96], 4.0)
    second, _ = rotation_off(quarters[:, 96:], 4.0, phase)
    assert np.array_equal(whole, np.concatenate([first, second], axis=-1))


def test_bands_fill_in_order():
    bands = band_off(np.array([0.25]), 4)
    assert bands[:, 0].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert band_off(np.array([0.3]), 10)[:, 0].tolist() == pytest.approx([1, 1, 1] + [0] * 7)
    assert band_off(np.array([0.35]), 10)[3, 0] == pytest.approx(0.5)


def test_a_published_schedule_replaces_the_scheduled_rotation_that_day():
    frame = reports(("UA80", "2026-01-10 00:00", None, "scheduled", 0.5, None, None))
    schedules = pd.DataFrame({
        "pcode": ["UA80"], "subqueue": ["1.1"], "certainty": ["definite"], "source": [None],
        "start": pd.to_datetime(["2026-01-11 08:00"]).tz_localize(TZ),
        "end": pd.to_datetime(["2026-01-11 12:00"]).tz_localize(TZ),
    })
    hazard = build_hazard(frame, schedules, ["UA80"], PERIOD, np.array([1e6]))
    rotating = hourly(hazard.rotating)
    assert np.allclose(rotating[:24], 0.5) and np.allclose(rotating[24:48], 0.0)
    schedule = hourly_mean(hazard.schedule[0])
    assert np.allclose(schedule[0, 32:36], 1.0) and schedule[0].sum() == pytest.approx(4.0)
    assert hazard.schedule_days[0, 96:192].all() and not hazard.schedule_days[0, :96].any()
