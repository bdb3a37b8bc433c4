"""The synthetic national case: units, p-codes, populations, contracts, labels, determinism."""

from __future__ import annotations

import csv
import re

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from gridimpact import schemas
from gridimpact.api import compare
from gridimpact.errors import ParameterError
from gridimpact.model import block_draws
from gridimpact.model.exposure import default_period
from gridimpact.regions import admin_level_of, default_registry
from gridimpact.resources import data_dir
from gridimpact.synthetic import (
    CASE_NAME,
    SOURCE,
    allocate_units,
    national_case,
    split_population,
)
from gridimpact.vocab import HEATING_SYSTEMS, QUEUES

ADM3 = re.compile(r"^UA(\d{2})(\d{2})(\d{3})$")


def _csv_rows(name: str, key: str) -> dict[str, dict[str, str]]:
    with open(data_dir() / name, encoding="utf-8", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def national():
    return national_case()


@pytest.fixture(scope="module")
def small():
    return national_case(hromadas=40, days=12, seed=2)


def test_national_case_has_1469_units_in_all_27_adm1_units(national):
    codes = national.population.frame["pcode"]
    assert len(codes) == 1469
    assert codes.is_unique
    adm1 = {region.pcode for region in default_registry()}
    assert len(adm1) == 27
    assert set(codes.str[:4]) == adm1
    # Kyiv city and Sevastopol are one municipality each
    assert (codes.str[:4] == "UA80").sum() == 1
    assert (codes.str[:4] == "UA85").sum() == 1


def test_pcodes_have_the_cod_adm3_shape(national):
    for code in national.population.frame["pcode"]:
        match = ADM3.match(code)
        assert match, code
        assert admin_level_of(code) == 3
        assert int(match.group(2)) >= 1 and int(match.group(3)) >= 1, code
    # raions hold about 11 units: no raion-like group is much larger
    raions = national.population.frame["pcode"].str[:6].value_counts()
    assert raions.max() <= 12


def test_populations_add_up_to_the_cod_ps_totals_per_oblast(national):
    totals = {code: int(row["population"]) for code, row in _csv_rows("population_cod_ps_2022.csv", "region").items()}
    frame = national.population.frame
    sums = frame.groupby(frame["pcode"].str[:4])["population"].sum()
    assert {code: int(value) for code, value in sums.items()} == totals
    assert (frame["population"] == np.round(frame["population"])).all()
    assert frame.loc[frame["pcode"].str.startswith("UA80"), "population"].item() == 2910994


def test_shares_are_those_of_the_oblast(national):
    housing = _csv_rows("housing.csv", "pcode")
    people = _csv_rows("population_cod_ps_2022.csv", "region")
    frame = national.population.frame
    for row in frame.sample(50, random_state=0).itertuples():
        oblast = row.pcode[:4]
        for system in HEATING_SYSTEMS:
            assert getattr(row, f"share_{system}") == float(housing[oblast][f"share_{system}"])
        assert row.share_65plus == float(people[oblast]["share_65plus"])


def test_every_table_passes_its_contract_and_says_synthetic(small):
    schemas.Population.validate(small.population.frame)
    schemas.Temperature.validate(small.temperature.frame)
    schemas.OutageReports.validate(small.outages.reports)
    assert small.name == CASE_NAME
    for frame in (small.population.frame, small.temperature.frame, small.outages.reports):
        assert (frame["source"] == SOURCE).all()
    assert any("SYNTHETIC" in note for note in small.notes)


def test_temperature_covers_every_hour_and_units_differ_from_their_oblast_by_a_constant(small):
    frame = small.temperature.frame
    hours = 12 * 24  # December: no clock change
    assert frame.groupby("pcode").size().eq(hours).all()
    assert len(frame) == 40 * hours
    period = default_period(small, small.regions)
    assert len(period.days) == 12
    wide = frame.pivot(index="time", columns="pcode", values="temperature_c")
    oblast = [c for c in wide.columns if c.startswith("UA12")]
    assert len(oblast) >= 2
    difference = wide[oblast[0]] - wide[oblast[1]]
    assert difference.max() - difference.min() <= 0.011  # values are rounded to 0.01 °C
    assert wide.stack().between(-40, 20).all()


def test_outages_cover_the_period_with_queues_and_strikes(small):
    reports = small.outages.reports
    scheduled = reports[reports["kind"] == "scheduled"]
    assert scheduled.groupby("pcode").size().eq(12).all()
    assert scheduled["share_off"].between(0, 5 / QUEUES).all()
    strikes = reports[reports["kind"] == "strike"]
    assert len(strikes) > 0
    power, heat = strikes[strikes["share_off"].notna()], strikes[strikes["heat_lost_share"].notna()]
    assert len(power) == len(heat)
    # repairs take 1–5 days (2–6 for heat) unless the period ends first
    period_end = scheduled["end"].max()
    cut = power["end"] == period_end
    assert ((power["end"] - power["start"])[~cut] >= pd.Timedelta(days=1) - pd.Timedelta(minutes=1)).all()
    assert ((power["end"] - power["start"])[~cut] <= pd.Timedelta(days=5) + pd.Timedelta(minutes=1)).all()
    assert power["share_off"].between(0.05, 0.6).all()
    assert heat["heat_lost_share"].between(0.1, 0.6).all()


def test_the_same_seed_gives_the_same_case_and_another_seed_another():
    a = national_case(hromadas=30, days=5, seed=11)
    b = national_case(hromadas=30, days=5, seed=11)
    c = national_case(hromadas=30, days=5, seed=12)
    for left, right in ((a.population.frame, b.population.frame), (a.temperature.frame, b.temperature.frame),
                        (a.outages.reports, b.outages.reports)):
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    assert not a.temperature.frame["temperature_c"].equals(c.temperature.frame["temperature_c"])
    assert not a.population.frame["population"].equals(c.population.frame["population"])


def test_allocation_by_largest_remainder_matches_hand_computed_counts():
    # one each, then 10 more in proportion 1:3:6
    assert allocate_units(np.array([100, 300, 600]), 13).tolist() == [2, 4, 7]
    # 2 more over equal quotas of 2/3: the earliest regions take the remainders
    assert allocate_units(np.array([1, 1, 1]), 5).tolist() == [2, 2, 1]
    # a single-unit region keeps one; 9 more go 10:80 → 1 and 8
    assert allocate_units(np.array([10, 10, 80]), 12, np.array([True, False, False])).tolist() == [1, 2, 9]


@settings(max_examples=60, deadline=None)
@given(totals=st.lists(st.integers(0, 5_000_000), min_size=1, max_size=6),
       extra=st.lists(st.integers(0, 5), min_size=6, max_size=6), seed=st.integers(0, 2**32 - 1))
def test_split_population_adds_up_exactly(totals, extra, seed):
    counts = np.array([1 + e for e in extra[:len(totals)]])
    parent = np.repeat(np.arange(len(totals)), counts)
    persons = split_population(np.array(totals), parent, np.random.default_rng(seed))
    assert persons.dtype == np.int64
    assert (persons >= 0).all()
    assert np.bincount(parent, persons, minlength=len(totals)).astype(np.int64).tolist() == totals


def test_too_few_units_and_days_outside_the_climatology_are_parameter_errors():
    with pytest.raises(ParameterError, match="at least 27"):
        national_case(hromadas=26)
    with pytest.raises(ParameterError, match="climatology"):
        national_case(hromadas=27, start="2025-07-01", days=5)


def test_a_tiny_comparison_on_a_few_hromadas(small):
    codes = list(small.population.frame["pcode"][small.population.frame["pcode"].str[:4].isin(["UA12", "UA46"])][:3])
    result = compare(small, members=4, seed=1, regions=codes)
    assert result.scenarios == ("no-pause", "announced-pause")
    assert result.regions == tuple(codes)
    assert len(result.days) == 12 and int(result.window.sum()) == small.horizon_days == 4
    impacts = result.impacts
    assert len(impacts) == 2 * 3 * 4
    # units keep their own code; adm1_pcode names the oblast they lie in
    assert set(impacts["pcode"]) == set(codes)
    assert (impacts["adm1_pcode"] == impacts["pcode"].str[:4]).all()
    assert set(impacts["adm1_name"]) == {"Dnipropetrovska", "Lvivska"}
    population = small.population.frame.set_index("pcode")["population"]
    assert (impacts["population"].to_numpy() == population.loc[impacts["pcode"]].to_numpy()).all()
    assert (impacts["people_without_power_p90"] <= impacts["population"]).all()
    assert (impacts["people_without_power"] > 0).any()
    assert set(result.comparison["pcode"]) == {*codes, ""}
    assert set(result.comparison["adm1_pcode"]) == {"UA12", "UA46", "ALL"}


class _Planned(Exception):
    """Raised by a progress object as soon as ``compare`` announces its plan (nothing runs)."""


def _planned_block_days(inputs, **options) -> int:
    class Plan:
        def start(self, total):
            raise _Planned(total)

        def __call__(self, days):
            pass

    with pytest.raises(_Planned) as planned:
        compare(inputs, seed=1, progress=Plan(), **options)
    return planned.value.args[0]


def test_default_region_groups_keep_a_block_within_the_engine_cells(small):
    from gridimpact.planning import ENGINE_BLOCK_CELLS

    codes = list(small.population.frame["pcode"][:20])
    cohorts = 3 * 3 * 12 * 32
    per_group = ENGINE_BLOCK_CELLS // (50 * cohorts)
    assert per_group == 3  # 50 members × 3 units × 3,456 cohorts ≤ 2**19 cells
    options = dict(members=50, block=50, workers=1, regions=codes)
    default = _planned_block_days(small, **options)
    assert default == _planned_block_days(small, region_block=per_group, **options)
    assert default == 7 * _planned_block_days(small, region_block=20, **options)  # 7 groups, not 1


def test_units_beyond_the_sobol_coordinates_give_the_same_numbers_in_any_grouping(monkeypatch):
    # 40 units draw beyond the Sobol' coordinates. A group cuts each member's whole draw (a small
    # comparison) or reads its own columns of the member's streams (a large one, forced here), and
    # the strata come from every unit's strikes: neither the grouping nor the way of drawing changes anything
    case = national_case(hromadas=40, start="2026-01-22", days=16, seed=2)
    options = dict(scenarios=("no-pause", "announced-pause"), as_of="2026-01-30", days=7, members=6, seed=4,
                   workers=1)
    whole = compare(case, region_block=40, **options)
    monkeypatch.setattr(block_draws, "DRAW_MEMO_REGION_MEMBERS", 0)
    for grouping in (dict(region_block=7), dict(region_block=3, block=2)):
        other = compare(case, **grouping, **options)
        pd.testing.assert_frame_equal(whole.impacts, other.impacts, check_exact=True)
        pd.testing.assert_frame_equal(whole.comparison, other.comparison, check_exact=True)
    assert (whole.comparison["difference"] != 0).any()  # the pause spares strikes
