"""The hazard timeline: how reports become shares per quarter-hour, and how rotation works."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridimpact import api
from gridimpact.io.readers.loader import default_inputs
from gridimpact.model.exposure import default_period, exposure_from, model_regions
from gridimpact.model.hazard import (
    band_off,
    band_resolution_error,
    build_hazard,
    combine_outages,
    hourly_mean,
    loss_band_edges,
    rotation_off,
    total_off,
)
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


def test_bands_fill_in_order_from_their_boundaries():
    edges = np.array([[0.0, 0.1, 0.25, 0.5, 1.0]])
    off = band_off(np.array([[[0.25]]]), edges)[0, 0, :, 0]
    assert off.tolist() == [1.0, 1.0, 0.0, 0.0]
    # inside a band: (0.35 − 0.25) / (0.5 − 0.25) of it is off
    assert band_off(np.array([[[0.35]]]), edges)[0, 0, :, 0] == pytest.approx([1, 1, 0.4, 0])


def test_every_observed_loss_share_is_a_band_boundary():
    persistent = np.array([[0.0, 0.05, 0.05, 0.3, 0.0]])
    heat = np.array([[0.0156, 0.0156, 0.0, 0.3, 0.0]])
    edges = loss_band_edges(persistent, heat, 8)
    assert edges.shape == (1, 9) and edges[0, 0] == 0.0 and edges[0, -1] == 1.0
    assert {0.0156, 0.05, 0.3} <= set(edges[0].round(12))
    assert band_resolution_error(np.concatenate([persistent, heat], axis=-1)[None], edges) == pytest.approx([0.0])
    # the spare boundaries halve the widest bands: 0.3–1 first
    assert 0.65 in set(edges[0].round(12))


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=40), st.integers(2, 40))
@settings(max_examples=60, deadline=None)
def test_band_boundaries_are_increasing_and_cover_zero_to_one(permille, bands):
    values = np.array([permille]) / 1000.0
    edges = loss_band_edges(values, np.zeros_like(values), bands)
    assert edges.shape == (1, bands + 1)
    assert edges[0, 0] == 0.0 and edges[0, -1] == 1.0 and np.all(np.diff(edges[0]) >= 0)
    distinct = np.unique(values[(values > 0) & (values < 1)])
    if len(distinct) <= bands - 1:
        assert band_resolution_error(values[None], edges)[0] == 0.0  # every share is a boundary
    # whatever the shares, the share off is reproduced exactly by the band widths
    off = band_off(values[None], edges)[0, 0]
    assert np.allclose((off * np.diff(edges[0])[:, None]).sum(axis=0), values[0])


def test_a_one_percent_heat_loss_takes_one_percent_of_the_people_out_whole():
    heat = np.zeros((1, 96 * 3))
    heat[0, 96:] = 0.01
    edges = loss_band_edges(np.zeros_like(heat), heat, 10)
    off = band_off(heat[None], edges)[0, 0]
    widths = np.diff(edges[0])
    assert widths[0] == pytest.approx(0.01) and off[0, -1] == 1.0 and off[1:, -1].sum() == 0.0


def test_the_embedded_case_is_resolved_to_better_than_one_percent_of_each_region():
    inputs, params = default_inputs(), api.resolve_params(None)
    regions = model_regions(inputs, None)
    period = default_period(inputs, regions)
    exposure = exposure_from(inputs, regions, params)
    hazard = build_hazard(inputs.outages.reports, inputs.outages.schedules, regions, period, exposure.customers,
                          bands=params.district_heat_bands)
    shares = np.concatenate([hazard.persistent, hazard.heat_lost], axis=-1)
    error = band_resolution_error(shares, hazard.band_edges)
    assert error.max() < 0.01, dict(zip(regions, error, strict=True))


def test_outage_shares_add_hand_computed():
    # 2.6 of 6 queues scheduled and a strike of 0.17 on top (Kharkiv, 3 February 2026)
    rotating, persistent = np.array([[[2.6 / 6]]]), np.array([[[0.17]]])
    rotate, published = combine_outages(rotating, persistent, np.zeros((1, 12, 1)), np.zeros((1, 1), bool))
    assert rotate[0, 0, 0] == pytest.approx((2.6 / 6) / 0.83)
    assert 0.17 + 0.83 * rotate[0, 0, 0] == pytest.approx(2.6 / 6 + 0.17)
    assert total_off(2.6 / 6, 0.17) == pytest.approx(0.60333, abs=1e-5)
    assert published.shape == (1, 1, 12, 1) and not published.any()


@given(st.floats(0, 1), st.floats(0, 1), st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=12, max_size=12))
@settings(max_examples=200, deadline=None)
def test_combined_shares_reproduce_the_sum_of_the_components(rotating, persistent, slots):
    schedule = np.array(slots)[None, :, None]
    rotate, published = combine_outages(np.array([[[rotating]]]), np.array([[[persistent]]]), schedule,
                                        np.ones((1, 1), bool))
    assert 0.0 <= rotate.min() <= rotate.max() <= 1.0 and 0.0 <= published.min() <= published.max() <= 1.0
    # the persistent share is off whole; the rest is off in its groups, rotation independent of the schedule
    group_on = (1.0 - rotate[0, 0, 0]) * (1.0 - published[0, 0, :, 0])
    share_off = persistent + (1.0 - persistent) * (1.0 - group_on.mean())
    assert share_off == pytest.approx(min(1.0, rotating + persistent + np.mean(slots)), abs=1e-9)


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
