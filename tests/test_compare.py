"""Scenario comparison invariants on the embedded case (small ensembles)."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from gridimpact.api import compare
from gridimpact.io.readers.scenarios import load_scenario
from gridimpact.model.block_draws import draw_block
from gridimpact.model.pauses import PauseOutcomes
from gridimpact.model.strikes import quarter_of

MEMBERS = 12
DAYS = 10


@pytest.fixture
def inputs(embedded_inputs):
    return embedded_inputs


def run(inputs, scenarios=("no-pause", "announced-pause"), **kwargs):
    options = dict(members=MEMBERS, days=DAYS, seed=7)
    options.update(kwargs)
    return compare(inputs, scenarios, **options)


def _always(scenario, outcomes):
    return replace(scenario, pauses=tuple(replace(p, outcomes=outcomes) for p in scenario.pauses))


def test_a_pause_that_always_fails_equals_the_baseline_exactly(inputs):
    failing = _always(load_scenario("announced-pause"), PauseOutcomes.fixed(0.0))
    result = run(inputs, ("no-pause", failing))
    base, pause = result.daily["no-pause"], result.daily["announced-pause"]
    for name in base:
        assert np.array_equal(base[name], pause[name]), name
    changes = result.comparison[["difference", "difference_se", "difference_p10", "difference_p90"]]
    assert (changes == 0).all().all()
    assert (result.comparison["pause_held_share"] == 0).all()


def test_compliance_sets_the_probability_of_holding_fully(inputs):
    scenario = load_scenario("announced-pause")
    outcomes = scenario.with_compliance(0.4).pauses[0].outcomes
    assert outcomes.held == 0.4 and outcomes.concentration is None
    # the rest is split between failing and being breached as in the posterior (1.75 : 2.5)
    assert outcomes.probabilities[1] == pytest.approx(0.6 * 2.5 / 4.25)


def test_with_compliance_one_no_strike_falls_in_the_pause_window(inputs):
    result = run(inputs, compliance=1.0)
    assert (result.comparison["pause_held_share"] == 1).all()
    rows = result.comparison.dropna(subset=["difference_if_held"])
    np.testing.assert_allclose(rows["difference"], rows["difference_if_held"], atol=0.02)
    scenario = load_scenario("announced-pause").with_compliance(1.0)
    setup = _setup(inputs, result)
    draws = draw_block(setup, scenario, range(MEMBERS))
    held = draws.suppress(np.full(MEMBERS, 1.0 - 1e-9), np.full(MEMBERS, np.inf))
    pause = scenario.pauses[0]
    start, end = quarter_of(pause.start, setup.period), quarter_of(pause.end, setup.period)
    assert not ((held.time >= start) & (held.time < end) & np.isfinite(held.time)).any()
    # and the same members without the pause do have strikes in that window
    assert ((draws.time >= start) & (draws.time < end)).any()
    # removing strikes never makes anyone worse off
    for metric in ("people_below_12c", "person_hours_without_power", "people_without_heat"):
        rows = result.comparison[result.comparison["metric"] == metric]
        assert (rows["difference_p90"] <= 0).all(), metric


def _setup(inputs, result):
    from gridimpact.model.ensemble import EnsembleSetup
    from gridimpact.model.exposure import exposure_from, outdoor_values
    from gridimpact.model.hazard import build_hazard
    from gridimpact.model.params import Params
    from gridimpact.model.period import Period

    params = Params.defaults()
    regions = list(result.regions)
    period = Period.of(result.days[0], result.days[-1])
    exposure = exposure_from(inputs, regions, params)
    return EnsembleSetup(
        regions=tuple(regions), all_regions=tuple(regions), block_index=np.arange(len(regions)), period=period,
        params=params, exposure=exposure,
        base=build_hazard(inputs.outages.reports, inputs.outages.schedules, regions, period, exposure.customers),
        observed_outdoor=outdoor_values(inputs, regions, period), climatology=None,
        as_of_q=quarter_of(pd.Timestamp("2026-01-30").tz_localize("Europe/Kyiv"), period),
        observed_until_q=0.0, seed=result.seed,
    )


def test_before_the_pause_both_scenarios_are_identical(inputs):
    result = run(inputs, compliance=1.0)
    before = result.days < pd.Timestamp("2026-01-30")
    assert before.sum() > 10
    for name in result.daily["no-pause"]:
        assert np.array_equal(result.daily["no-pause"][name][:, :, before],
                              result.daily["announced-pause"][name][:, :, before]), name


def test_a_pause_never_raises_the_number_of_strikes(inputs):
    result = run(inputs, members=4)
    setup = _setup(inputs, result)
    members = range(200)
    base = draw_block(setup, load_scenario("no-pause"), members)
    for compliance in (0.0, 0.3, 1.0):
        for suppressed in ("cancel", "defer"):
            scenario = load_scenario("announced-pause").with_compliance(compliance)
            scenario = replace(scenario, pauses=tuple(replace(p, suppressed=suppressed) for p in scenario.pauses))
            draws = draw_block(setup, scenario, members)
            for share in (0.0, 0.3, 1.0 - 1e-9):
                paused = draws.suppress(np.full(len(members), share), np.full(len(members), np.inf))
                assert (np.isfinite(paused.time).sum(axis=(1, 2)) <= np.isfinite(base.time).sum(axis=(1, 2))).all()


def test_the_same_seed_gives_identical_files(inputs, tmp_path):
    first = run(inputs, members=6).to_files(tmp_path / "a", ("csv", "json"))
    second = run(inputs, members=6).to_files(tmp_path / "b", ("csv", "json"))
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()
    different = run(inputs, members=6, seed=8).to_files(tmp_path / "c", ("csv",))
    assert different[0].read_bytes() != first[0].read_bytes()


def test_results_do_not_depend_on_blocking_or_threads(inputs):
    whole = run(inputs, members=9, block=50, region_block=64, workers=1)
    split = run(inputs, members=9, block=4, region_block=1, workers=1)
    threaded = run(inputs, members=9, block=2, region_block=3, workers=3)
    for other in (split, threaded):
        pd.testing.assert_frame_equal(whole.impacts, other.impacts)
        pd.testing.assert_frame_equal(whole.comparison, other.comparison)


def test_more_scenarios_are_each_compared_with_the_first(inputs):
    result = run(inputs, ("no-pause", "announced-pause", "kremlin-statement", "observed"), members=4)
    assert set(result.comparison["scenario"]) == {"announced-pause", "kremlin-statement", "observed"}
    assert (result.comparison["baseline"] == "no-pause").all()
    assert set(result.impacts["scenario"]) == set(result.scenarios)
    observed = result.comparison[result.comparison["scenario"] == "observed"]
    assert observed["pause_held_share"].isna().all()  # no pause in a replay


def test_comparison_table_has_the_documented_columns(inputs):
    result = run(inputs, members=4)
    expected = ["adm1_pcode", "adm1_name", "metric", "baseline", "scenario", "baseline_value", "scenario_value",
                "difference", "relative_change", "difference_p10", "difference_p90"]
    assert all(column in result.comparison.columns for column in expected)
    assert list(result.impacts.columns[:4]) == ["scenario", "adm1_pcode", "adm1_name", "date"]
    assert {"people_below_12c", "people_below_12c_p10", "people_below_12c_p90"} <= set(result.impacts.columns)
    assert "ALL" in set(result.comparison["adm1_pcode"])
    window_days = result.impacts["date"].nunique()
    assert window_days == DAYS
    # the ALL row of a summed metric is the sum of the regions, member by member (in whole people)
    rows = result.comparison[(result.comparison["metric"] == "person_hours_without_power")]
    base = result.daily["no-pause"]["person_hours_without_power"][:, :, result.window].sum(axis=(1, 2))
    all_value = rows.set_index("adm1_pcode").loc["ALL", "baseline_value"]
    assert all_value == pytest.approx(np.mean(base), abs=len(result.regions))
    # window values carry the unit of the aggregate: daily counts sum to person-days
    units = result.comparison.drop_duplicates("metric").set_index("metric")["unit"]
    assert units["people_below_12c"] == units["people_without_power"] == "person-days"
    assert units["person_hours_without_power"] == "person-hours"
    assert units["people_without_power_peak"] == "persons"
    assert units["min_indoor_temperature_c"] == "degC"
    assert units["days_at_high_risk"] == "days"


def test_the_horizon_beyond_the_temperature_data_uses_climatology(inputs):
    result = run(inputs, members=3, days=35)  # the embedded temperatures end on 28 February
    outdoor = result.daily["no-pause"]["outdoor_temperature_mean_c"]
    late = result.days >= pd.Timestamp("2026-03-01")
    assert late.any()
    assert np.isfinite(outdoor[:, :, late]).all()
    assert not np.array_equal(outdoor[0, :, late], outdoor[1, :, late])  # members draw their own weather
    assert np.array_equal(outdoor[0, :, ~late], outdoor[1, :, ~late])      # observed days are shared


def test_progress_reports_a_total_and_reaches_it(inputs):
    class Progress:
        total = None
        done = 0

        def start(self, total):
            self.total = total

        def extend(self, more):
            self.total += more

        def __call__(self, n):
            self.done += n

    progress = Progress()
    run(inputs, members=5, days=3, block=2, progress=progress)
    assert progress.total == progress.done > 0
    refined = Progress()  # regions given more members announce their steps too
    result = run(inputs, members=64, days=3, block=32, progress=refined, target_error=0.001)
    assert max(result.region_members.values()) == 256
    assert refined.total == refined.done > 0
