"""`gridimpact backtest`: matches per row, echoes apart, the one-line validation error, a user's file."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from gridimpact.backtest import backtest
from gridimpact.cli.main import cli
from gridimpact.io.readers.observations import COLUMNS, load_observations
from gridimpact.model.engine import Building
from gridimpact.model.params import Params
from gridimpact.model.thermal import cooling_run
from gridimpact.vocab import BUILDING_CLASSES


def user_rows():
    """Three figures of a user's own: an indoor report, a share of customers, and an echo."""
    blank = dict.fromkeys(COLUMNS, "")
    base = dict(blank, date="2026-01-20", pcode="UA80", source="my-notes", confidence="M", note="test")
    return [
        dict(base, id="U1", set="validation", quantity="indoor_temperature_c", value="10", value_low="8",
             value_high="12", unit="degC", building_class="panel_block", heating="district",
             supplementary_heat="none", hours_without_heat="30", outdoor_temp_c="-10"),
        dict(base, id="U2", set="validation", quantity="share_customers_without_power", value="0.3", unit="1"),
        dict(base, id="U3", set="input", quantity="share_customers_without_power", value="0.3", unit="1"),
    ]


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("obs") / "mine.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(user_rows())
    return path


@pytest.fixture(scope="module")
def result(users_file):
    return backtest(observations=users_file, regions=["UA80"], members=1)


def test_indoor_reports_are_matched_by_a_controlled_run_of_the_reported_building(result):
    row = result.rows.set_index("id").loc["U1"]
    building = Building.from_values(Params.defaults().to_dict(), 1).physics
    panel = BUILDING_CLASSES.index("panel_block")
    expected = float(cooling_run(type(building)(**{k: v[:, panel] for k, v in building.as_arrays().items()}),
                                 30.0, -10.0)[0])
    assert row["model"] == pytest.approx(expected)
    # ratio and log error on the excess over outdoors
    assert row["log_error"] == pytest.approx(np.log((expected + 10.0) / 20.0))
    assert row["model_p10"] <= row["model"] <= row["model_p90"]


def test_echoes_are_listed_apart_and_never_counted_as_validation(result):
    assert set(result.validation["id"]) == {"U1", "U2"}
    summary = result.summary.set_index(["quantity", "set"])
    assert summary.loc[("share_customers_without_power", "validation"), "rows"] == 1
    assert summary.loc[("share_customers_without_power", "input"), "rows"] == 1
    share = result.rows.set_index("id")
    assert share.loc["U2", "model"] == share.loc["U3", "model"]  # same place and day, same model value
    assert result.headline().startswith("validation: median |log error| ")
    assert "over 2 rows" in result.headline()


def test_the_cli_prints_the_summary_and_writes_both_tables(users_file, tmp_path):
    runner = CliRunner()
    done = runner.invoke(cli, ["backtest", "--observations", str(users_file), "--region", "UA80",
                               "--members", "1", "-o", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "input (echoes of inputs, not a test):" in done.output
    assert done.output.strip().splitlines()[-1].startswith("validation: median |log error|")
    rows = pd.read_csv(tmp_path / "backtest_rows.csv")
    assert list(rows["id"]) == ["U1", "U2", "U3"]
    assert (tmp_path / "backtest_summary.csv").is_file()
    assert (tmp_path / "backtest.png").read_bytes()[:4] == b"\x89PNG"


def test_a_bad_observations_file_is_a_clear_error_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,set\nX,validation\n", encoding="utf-8")
    done = CliRunner().invoke(cli, ["backtest", "--observations", str(bad)])
    assert done.exit_code == 65
    assert "bad.csv" in done.output and "Traceback" not in done.output


def test_the_shipped_observations_load_and_every_row_is_reported():
    table = load_observations(None)
    assert len(table) > 40
