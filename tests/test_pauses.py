"""Pauses that fail, are breached or hold: the outcome model, its strata and the exact expectation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gridimpact
from gridimpact.errors import ParameterError
from gridimpact.io.readers.scenarios import precedent_outcomes
from gridimpact.model.comparison import expected_changes
from gridimpact.model.compliance import compliance_curve
from gridimpact.model.ensemble import ScenarioRun
from gridimpact.model.pauses import PauseOutcomes, beta_interval
from gridimpact.model.quasi_random import BATCH, ERROR_BATCH, BatchUniforms, batch_standard_error
from gridimpact.model.strata import strata_of
from gridimpact.model.strikes import StrikeDraws

OUTCOMES = PauseOutcomes.fixed(held=0.25, breached=0.5, held_share=(0.0, 0.5))


def draws_with(phi_rows, held_share=None):
    """Strike draws of one region whose strikes fall at the given shares of the pause window."""
    width = max(len(row) for row in phi_rows)
    phi = np.full((len(phi_rows), width, 1), np.inf)
    for m, row in enumerate(phi_rows):
        phi[m, :len(row), 0] = row
    shape = phi.shape
    held = np.zeros(len(phi_rows)) if held_share is None else np.asarray(held_share, dtype=float)
    return StrikeDraws(np.where(np.isfinite(phi), 100.0 + phi, np.inf), {}, np.zeros((shape[0], 1)), phi,
                       np.zeros(shape), np.ones(shape), np.zeros(shape, dtype=bool), held)


def test_survival_by_hand():
    # S(φ) = p_held + p_breached · P(U[0, 0.5] > φ)
    assert OUTCOMES.survival(0.2) == pytest.approx(0.25 + 0.5 * 0.6)
    assert OUTCOMES.survival(0.5) == pytest.approx(0.25)
    assert OUTCOMES.survival(0.0) == pytest.approx(0.75)
    assert OUTCOMES.survival(1.0) == 0.0


def test_two_members_expected_change_by_hand():
    # member 0: strikes at 0.2 and 0.5 of the window; member 1: none in it
    strata = strata_of(draws_with([[0.2, 0.5], []], held_share=[0.3, 1.0]), OUTCOMES)
    np.testing.assert_allclose(strata.weights[0], [0.45, 0.30, 0.25])
    np.testing.assert_allclose(strata.weights[1], [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(strata.count, [2, 0])
    np.testing.assert_array_equal(strata.realized, [1, 0])  # 0.3 of the window held: the first strike spared
    # given a breach (held share uniform on [0, 0.5]): P(j ≥ 1) = 0.6, P(j ≥ 2) = 0
    np.testing.assert_allclose(strata.breach_weights[0], [0.4, 0.6, 0.0])
    run = ScenarioRun([{}], strata.weights, strata.breach_weights, strata.count, strata.realized,
                      np.array([0.3, 1.0]), True, 0.25, 7.0, OUTCOMES.expected_held_share())
    baseline = np.array([[10.0], [8.0]])
    values = np.array([[[10.0], [8.0]], [[7.0], [8.0]], [[4.0], [8.0]]])  # strata × members × units
    changes = expected_changes(baseline, values, run)
    np.testing.assert_allclose(changes["expected"][:, 0], [0.30 * -3 + 0.25 * -6, 0.0])  # −2.4 and 0
    np.testing.assert_allclose(changes["held"][:, 0], [-6.0, 0.0])
    np.testing.assert_allclose(changes["breached"][:, 0], [0.6 * -3, 0.0])
    assert run.expected_days_held == pytest.approx(7 * (0.25 + 0.5 * 0.25))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0.0, 0.99), max_size=4), min_size=1, max_size=6),
       st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.data())
def test_expected_change_lies_between_zero_and_the_change_if_held(phis, held, breached_share, data):
    outcomes = PauseOutcomes.fixed(held, (1 - held) * breached_share)
    strata = strata_of(draws_with([sorted(set(row)) for row in phis]), outcomes)
    np.testing.assert_allclose(strata.weights.sum(axis=1), 1.0)
    assert (strata.weights >= -1e-12).all()
    members, size = len(phis), strata.size + 1
    # a monotone metric: every further suppressed strike lowers it
    steps = np.array(data.draw(st.lists(st.floats(0.0, 100.0), min_size=members * size, max_size=members * size)))
    values = 1000.0 - np.cumsum(steps.reshape(members, size), axis=1).T[..., None]
    for m in range(members):  # a member's strata beyond its own count repeat its full hold
        values[strata.count[m] + 1:, m] = values[strata.count[m], m]
    run = ScenarioRun([{}], strata.weights, strata.breach_weights, strata.count, strata.realized,
                      np.zeros(members), True, held, 7.0, 0.5)
    changes = expected_changes(values[0], values, run)
    assert (changes["expected"] <= 1e-9).all()
    assert (changes["expected"] >= changes["held"] - 1e-9).all()


def test_outcomes_validate_and_split_the_rest_as_the_posterior():
    with pytest.raises(ParameterError):
        PauseOutcomes.fixed(0.8, 0.5)
    posterior = precedent_outcomes()
    assert posterior.concentration == (1.75, 2.5, 1.0)
    low, high = beta_interval(posterior)
    assert 0.005 < low < 0.03 and 0.4 < high < 0.55  # Beta(1, 4.25): 90 % interval ≈ 0.012–0.51
    half = posterior.with_full_hold(0.5)
    assert half.probabilities == pytest.approx((0.5 * 1.75 / 4.25, 0.5 * 2.5 / 4.25, 0.5))


def test_outcome_draws_follow_the_probabilities():
    rng = np.random.default_rng(1)
    shares = np.array([OUTCOMES.draw(rng) for _ in range(4000)])
    assert np.mean(shares == 0) == pytest.approx(0.25, abs=0.03)
    assert np.mean(shares == 1) == pytest.approx(0.25, abs=0.03)
    breached = shares[(shares > 0) & (shares < 1)]
    assert breached.max() <= 0.5 and np.mean(breached) == pytest.approx(0.25, abs=0.02)


def test_quasi_random_batches_cover_every_slice_and_do_not_depend_on_the_ensemble():
    draws = np.array([BatchUniforms(5, m, 0).uniform(size=30) for m in range(BATCH)])
    slices = np.sort(np.floor(draws * BATCH), axis=0)
    np.testing.assert_array_equal(slices, np.tile(np.arange(BATCH)[:, None], (1, 30)))
    # the first two coordinates form a (0, 7, 2)-net: every 1/8 × 1/16 box (and 1/16 × 1/8, 1/2 × 1/64)
    # holds exactly one member
    assert BATCH == 128
    for across, up in ((8, 16), (16, 8), (2, 64)):
        assert len({(int(a * across), int(b * up)) for a, b in draws[:, :2]}) == BATCH
    again = BatchUniforms(5, 3, 0).uniform(size=30)
    np.testing.assert_array_equal(again, draws[3])
    # a triangular draw by inversion stays within its bounds and has the right mean
    values = np.concatenate([BatchUniforms(9, m, 0).triangular(4, 7, 11, size=50) for m in range(200)])
    assert values.min() >= 4 and values.max() <= 11 and values.mean() == pytest.approx(22 / 3, abs=0.05)


def test_batch_standard_error_by_hand():
    values = np.repeat([1.0, 3.0], ERROR_BATCH)[:, None]  # two blocks with means 1 and 3
    # sample variance of block means = 2, over 2 blocks → SE = 1
    assert batch_standard_error(values)[0] == pytest.approx(1.0)
    # the default ensemble: four blocks of 32 with means 1, 1, 3, 3 → variance 4/3, SE √(1/3)
    values = np.repeat([1.0, 1.0, 3.0, 3.0], ERROR_BATCH)[:, None]
    assert len(values) == BATCH and batch_standard_error(values)[0] == pytest.approx(np.sqrt(1 / 3))
    assert np.isnan(batch_standard_error(np.ones((1, 1)))[0])  # one member: no error, not 0


def test_compliance_curve_is_exact_at_the_models_own_probability_and_linear():
    result = gridimpact.compare(members=4, days=6, seed=3)
    own = result.provenance["scenarios"][1]["pause_outcome_probabilities"][0][2]
    assert own == pytest.approx(1 / 5.25)
    curve = compliance_curve(result, levels=(0.0, own, 1.0))
    table = result.comparison.set_index(["adm1_pcode", "metric"])
    for (code, metric), block in curve.groupby(["adm1_pcode", "metric"]):
        low, model, high = block["expected_change"].to_numpy()
        assert model == pytest.approx(table.loc[(code, metric), "difference"], abs=0.05)
        assert high == pytest.approx(table.loc[(code, metric), "difference_if_held"], abs=0.05)


def test_cli_compliance_curve_prints_and_writes(tmp_path):
    from click.testing import CliRunner

    from gridimpact.cli.main import cli

    runner = CliRunner()
    shown = runner.invoke(cli, ["-q", "compare", "--members", "2", "--days", "4", "--compliance-curve"])
    assert shown.exit_code == 0, shown.output
    assert "probability that the pause holds" in shown.output and "\n1.0 " in shown.output
    written = runner.invoke(cli, ["-q", "compare", "--members", "2", "--days", "4", "--compliance-curve",
                                  "-o", str(tmp_path)])
    assert written.exit_code == 0, written.output
    curve = (tmp_path / "compliance_curve.csv").read_text(encoding="utf-8").splitlines()
    assert curve[0].startswith("scenario,adm1_pcode,adm1_name,metric,unit,holds_probability,expected_change")
    assert (tmp_path / "compliance_curve.png").stat().st_size > 1000
    baseline_only = runner.invoke(cli, ["-q", "compare", "-s", "no-pause", "-s", "observed", "--members", "2", "--days", "3",
                                        "--compliance-curve"])
    assert baseline_only.exit_code == 2 and "needs a compared scenario with a pause" in baseline_only.output


def test_regions_no_pause_covers_carry_no_holding_probability():
    c = gridimpact.compare(scenarios="kremlin-statement", members=4, days=3).comparison
    cold = c[c.metric == "people_below_12c"].set_index("adm1_pcode")
    assert cold.loc[["UA14", "UA51", "UA63"], "pause_held_share"].isna().all()
    assert cold.loc[["UA14", "UA51", "UA63"], "difference"].eq(0).all()  # and nothing changes there
    assert cold.loc["UA80", "pause_held_share"] == cold.loc["ALL", "pause_held_share"] > 0
