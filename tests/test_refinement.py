"""More members for the regions whose headline change is not yet steady (``model.refinement``)."""

from __future__ import annotations

import numpy as np
import pytest

import gridimpact
from gridimpact.errors import ArgumentError
from gridimpact.model.control_variates import jackknife_groups
from gridimpact.model.refinement import MAX_FACTOR, member_factors

DAYS = 4


@pytest.fixture(scope="module")
def inputs():
    return gridimpact.default_inputs()


@pytest.fixture(scope="module")
def refined(inputs):
    """64 base members; a target no region meets gives each the largest factor."""
    return gridimpact.compare(inputs, members=64, days=DAYS, seed=3, target_error=0.001)


@pytest.fixture(scope="module")
def fixed(inputs):
    return gridimpact.compare(inputs, members=64 * MAX_FACTOR, days=DAYS, seed=3, target_error=0)


@pytest.fixture(scope="module")
def base(inputs):
    return gridimpact.compare(inputs, members=64, days=DAYS, seed=3, target_error=0)


def test_factors_follow_the_square_of_the_error_ratio():
    errors = np.array([0.03, 0.04, 0.05, 0.0801, 0.2, np.nan, np.inf])
    # (0.05/0.04)² = 1.56 → 2; (0.0801/0.04)² = 4.01 → 5, capped at 4; no change (NaN) needs nothing,
    # an unbounded error the most
    assert member_factors(errors, 0.04).tolist() == [1, 1, 2, 4, 4, 1, 4]
    assert member_factors(errors, 0).tolist() == [1] * 7
    assert member_factors(errors, None).tolist() == [1] * 7


def test_groups_of_a_larger_ensemble_repeat_the_base_groups():
    groups = jackknife_groups(256, 64)
    assert len(groups) == 16
    assert groups[0].tolist() == [0, 1, 2, 3, 64, 65, 66, 67, 128, 129, 130, 131, 192, 193, 194, 195]
    assert sorted(np.concatenate(groups).tolist()) == list(range(256))
    for small, large in zip(jackknife_groups(64), groups, strict=True):
        assert set(small.tolist()) <= set(large.tolist())
    # without a whole multiple, or the same size, the groups are the plain consecutive ones
    assert [g.tolist() for g in jackknife_groups(100, 64)] == [g.tolist() for g in jackknife_groups(100)]
    assert [g.tolist() for g in jackknife_groups(64, 64)] == [g.tolist() for g in jackknife_groups(64)]


def test_a_refined_region_has_the_mean_of_the_larger_ensemble(refined, fixed):
    assert set(refined.region_members.values()) == {64 * MAX_FACTOR}
    assert refined.provenance["region_members"] == refined.region_members
    mine = refined.comparison.set_index(["adm1_pcode", "metric"])
    theirs = fixed.comparison.set_index(["adm1_pcode", "metric"])
    regions = [code for code in mine.index.get_level_values(0).unique() if code != "ALL"]
    for column in ("difference", "baseline_value", "scenario_value", "difference_if_held", "difference_p10"):
        assert np.array_equal(mine.loc[regions, column].to_numpy(), theirs.loc[regions, column].to_numpy(),
                              equal_nan=True), column
    # the error differs only by which members the jackknife leaves out together
    ratio = mine.loc[regions, "difference_se"] / theirs.loc[regions, "difference_se"]
    assert ratio.dropna().between(0.5, 2.0).all()


def test_the_all_regions_row_sums_refined_regions_and_keeps_the_base_spread(refined, base):
    table = refined.comparison
    metric = "people_below_12c"
    rows = table[table["metric"] == metric]
    regional = rows[rows["adm1_pcode"] != "ALL"]
    all_row = rows[rows["adm1_pcode"] == "ALL"].iloc[0]
    for column in ("difference", "baseline_value", "scenario_value"):  # the sums of the rows above
        assert all_row[column] == pytest.approx(regional[column].sum(), abs=0.05)
    base_all = base.comparison.query("adm1_pcode == 'ALL' and metric == @metric").iloc[0]
    for column in ("difference_p10", "difference_p90"):  # from the members every region has
        assert all_row[column] == base_all[column]
    peak = table[(table["metric"] == "people_without_heat_peak") & (table["adm1_pcode"] == "ALL")].iloc[0]
    base_peak = base.comparison.query("adm1_pcode == 'ALL' and metric == 'people_without_heat_peak'").iloc[0]
    assert peak["baseline_value"] == base_peak["baseline_value"]  # a peak does not add: the base totals
    assert np.array_equal(refined.member_changes[("announced-pause", metric)],
                          base.member_changes[("announced-pause", metric)])
    assert refined.daily["no-pause"][metric].shape[0] == 64  # member values: the base members


def test_rows_stay_in_p_code_order_when_regions_get_different_sizes(inputs):
    result = gridimpact.compare(inputs, members=64, days=DAYS, seed=3, target_error=0.04)
    sizes = result.region_members
    assert len(set(sizes.values())) > 1  # some regions refined, some not: the case this test is about
    rows = result.comparison[result.comparison["metric"] == "people_below_12c"]["adm1_pcode"].tolist()
    assert rows == sorted(sizes) + ["ALL"]
    again = gridimpact.compare(inputs, members=64, days=DAYS, seed=3, target_error=0.04, workers=1, block=16)
    assert again.comparison.equals(result.comparison)  # nor do blocks and threads change anything
    assert again.region_members == sizes


def test_the_target_is_checked(inputs):
    for wrong in ("often", 1.5, -0.1, True):
        with pytest.raises(ArgumentError, match="target_error"):
            gridimpact.compare(inputs, members=2, days=1, target_error=wrong)
    small = gridimpact.compare(inputs, members=8, days=2, target_error="1%")  # too few members to refine
    assert set(small.region_members.values()) == {8}


def test_the_cli_takes_the_target_and_names_the_regions_given_more():
    from click.testing import CliRunner

    from gridimpact.cli.main import cli

    runner = CliRunner()
    shown = runner.invoke(cli, ["compare", "--members", "64", "--days", str(DAYS), "--seed", "3",
                                "--target-error", "4%"])
    assert shown.exit_code == 0, shown.output
    assert "64 members, 256 for " in shown.output  # e.g. "64 members, 256 for Donetska and Kyiv, 128 for Odeska"
    assert "halve the errors of the regions run at 64 (less for those given more)" in shown.output
    wrong = runner.invoke(cli, ["compare", "--target-error", "150%"])
    assert wrong.exit_code == 2
    assert "--target-error" in wrong.output and "between 0 and 1" in wrong.output


def test_factors_grow_with_the_error_and_stay_within_the_cap():
    from hypothesis import given
    from hypothesis import strategies as st

    errors = st.floats(min_value=0.0, max_value=10.0, allow_nan=False)

    @given(errors, errors, st.floats(min_value=1e-3, max_value=1.0))
    def check(a, b, target):
        low, high = sorted((a, b))
        factors = member_factors(np.array([low, high]), target)
        assert 1 <= factors[0] <= factors[1] <= MAX_FACTOR
        if factors[1] < MAX_FACTOR:  # below the cap the error would meet the target with these members
            assert high / np.sqrt(factors[1]) <= target * (1 + 1e-6)

    check()


def test_a_scenario_without_a_pause_sums_refined_regions_too(inputs):
    scenarios = ("no-pause", "announced-pause", "observed")
    result = gridimpact.compare(inputs, scenarios, members=64, days=DAYS, seed=3, target_error=0.001)
    assert set(result.region_members.values()) == {64 * MAX_FACTOR}  # set by the pause's change
    rows = result.comparison.query("scenario == 'observed' and metric == 'person_hours_without_power'")
    regional, all_row = rows[rows["adm1_pcode"] != "ALL"], rows[rows["adm1_pcode"] == "ALL"].iloc[0]
    for column in ("difference", "baseline_value"):
        assert all_row[column] == pytest.approx(regional[column].sum(), abs=0.05)
    assert all_row["difference_se"] > 0
    # a comparison without any pause refines nothing: its change has no targeted error
    plain = gridimpact.compare(inputs, ("no-pause", "observed"), members=64, days=DAYS, seed=3, target_error=0.001)
    assert set(plain.region_members.values()) == {64}


def test_hromadas_keep_the_base_members(monkeypatch):
    from gridimpact.model import refinement
    from gridimpact.synthetic import national_case

    small = national_case(hromadas=40, start="2026-01-20", days=20, seed=2)
    codes = list(small.population.frame["pcode"][:3])

    def run():
        return gridimpact.compare(small, members=64, seed=1, regions=codes, as_of="2026-01-30", days=5,
                                  target_error=0.001)

    assert set(run().region_members.values()) == {64}
    monkeypatch.setattr(refinement, "refinable", lambda code: True)  # as if they were oblasts
    assert max(run().region_members.values()) > 64


def test_a_cluster_gets_the_same_refined_numbers(inputs, refined, monkeypatch):
    import pickle

    from gridimpact.model.ensemble import run_block

    def runner(jobs):  # what a cluster does with each job: ship it, run it, ship the result back
        return [pickle.loads(pickle.dumps(run_block(*pickle.loads(pickle.dumps(job))))) for job in jobs]

    monkeypatch.setattr("gridimpact.api.dask_runner", lambda client: runner)
    monkeypatch.setattr("gridimpact.api.cluster_threads", lambda client: 2)
    remote = gridimpact.compare(inputs, members=64, days=DAYS, seed=3, target_error=0.001, client=object())
    assert remote.region_members == refined.region_members
    assert remote.comparison.equals(refined.comparison)


def test_a_pause_sets_members_only_in_the_regions_it_covers(inputs):
    two = gridimpact.compare(inputs, members=64, days=DAYS, seed=3)
    three = gridimpact.compare(inputs, ("no-pause", "announced-pause", "kremlin-statement"), members=64, days=DAYS,
                               seed=3)
    # the Kremlin's version covers Kyiv only: the few strikes it shares with other regions change them
    # too little to size their ensembles on
    for code in ("UA14", "UA51", "UA63"):
        assert three.region_members[code] == two.region_members[code], code


def test_the_baseline_values_carry_their_own_error(refined, base):
    table = base.comparison
    rows = table[table["metric"] == "people_below_12c"]
    assert (rows["baseline_value_se"] > 0).all()
    # the pairing cancels the members' common noise in the change, not in a scenario's own value
    assert (rows["baseline_value_se"] > rows["difference_se"]).all()
    # refined regions have more members, so a smaller error; ALL sums the regions' replicates
    mine = refined.comparison.set_index(["adm1_pcode", "metric"])["baseline_value_se"]
    theirs = table.set_index(["adm1_pcode", "metric"])["baseline_value_se"]
    assert (mine.loc["UA80"] < theirs.loc["UA80"]).mean() > 0.8
    assert mine.loc[("ALL", "people_below_12c")] < theirs.loc[("ALL", "people_below_12c")]
