"""gridimpact sensitivity: the ranked table, its methods and the tornado figure."""

import numpy as np
from click.testing import CliRunner

from gridimpact.cli.main import cli
from gridimpact.sensitivity import _spearman


def test_rank_correlation_by_hand():
    assert _spearman(np.array([1.0, 2.0, 3.0]), np.array([10.0, 30.0, 20.0])) == 0.5
    assert np.isnan(_spearman(np.ones(3), np.arange(3.0)))


def test_cli_sensitivity_ranks_every_input_and_draws_a_tornado(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["-q", "sensitivity", "--members", "10", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "sensitivity.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("input,unit,metric,method,low_setting,high_setting,change_at_low,change_at_high")
    body = "\n".join(lines[1:])
    for name in ("holding probability", "tau_house", "district_pump_dependence", "strike interval",
                 "population and customer base", "temperature anomaly",
                 "Kharkiv regional strike rate"):
        assert name in body
    assert {"ensemble draws", "one at a time", "compliance curve"} <= {line.split(",")[3] for line in lines[1:]}
    assert (tmp_path / "sensitivity.png").stat().st_size > 1000
    wrong = runner.invoke(cli, ["-q", "sensitivity", "-s", "no-pause"])
    assert wrong.exit_code == 2 and "exactly two scenarios" in wrong.output
