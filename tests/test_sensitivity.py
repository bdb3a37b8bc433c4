"""gridimpact sensitivity: the ranked table, its methods and the tornado figure."""

import numpy as np
from click.testing import CliRunner

import gridimpact
from gridimpact.cli.main import cli
from gridimpact.sensitivity import _spearman, sensitivity


def test_rank_correlation_by_hand():
    assert _spearman(np.array([1.0, 2.0, 3.0]), np.array([10.0, 30.0, 20.0])) == 0.5
    assert np.isnan(_spearman(np.ones(3), np.arange(3.0)))


def test_cli_sensitivity_ranks_every_input_and_draws_a_tornado(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["-q", "sensitivity", "--members", "10", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "sensitivity.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ("input,unit,metric,method,low_setting,high_setting,change_at_low,change_at_high,swing,"
                        "swing_se,beyond_noise,rank_correlation,headline_change,rank")
    body = "\n".join(lines[1:])
    for name in ("holding probability", "tau_house", "district_pump_dependence", "strike interval",
                 "population and customer base", "temperature anomaly",
                 "Kharkiv regional strike rate"):
        assert name in body
    assert {"ensemble draws", "one at a time", "compliance curve"} <= {line.split(",")[3] for line in lines[1:]}
    assert (tmp_path / "sensitivity.png").stat().st_size > 1000
    wrong = runner.invoke(cli, ["-q", "sensitivity", "-s", "no-pause"])
    assert wrong.exit_code == 2 and "exactly two scenarios" in wrong.output


def test_swings_carry_their_standard_error_and_noise_ranks_last():
    table = sensitivity(gridimpact.compare, ["no-pause", "announced-pause"], members=16)
    assert (table["swing_se"] >= 0).all()
    assert (table["beyond_noise"] == (table["swing"] > 2 * table["swing_se"])).all()
    for _, block in table.groupby("metric"):
        flags = block.sort_values("rank")["beyond_noise"].tolist()
        assert flags == sorted(flags, reverse=True)  # every swing beyond noise ranks above every other
    # thermal parameters cannot change power cuts: at 16 members none of them may look as if they did
    power = table[(table["metric"] == "person_hours_without_power") & (table["method"] == "ensemble draws")]
    assert not power[power["input"].str.startswith(("tau_", "gain_offset", "coupling"))]["beyond_noise"].any()
