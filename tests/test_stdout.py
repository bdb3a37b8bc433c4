"""Tables on standard output: `-o -` with one text format, usage errors, and a reader that stops early."""

import io
import json
import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from gridimpact.cli import cli
from gridimpact.cli import sinks as cli_sinks
from gridimpact.io.writers import formats as writers
from gridimpact.model.comparison import COMPARED_METRICS

SMALL = ["--members", "3", "--days", "3", "--region", "Kyiv", "--region", "Odesa"]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def compared_files(tmp_path_factory):
    """impacts.* and comparison.* of the small run written by `-o DIR`, to compare stdout against."""
    out = tmp_path_factory.mktemp("compare") / "out"
    result = CliRunner().invoke(cli, ["compare", *SMALL, "-o", str(out), "--format", "csv", "--format", "json",
                                      "--format", "tsv"])
    assert result.exit_code == 0, result.output
    return out


def test_the_stdout_formats_are_the_text_formats_of_the_writers():
    assert cli_sinks.TEXT_FORMATS == writers.TEXT_FORMATS


@pytest.mark.parametrize(("fmt", "table", "name"), [
    (None, None, "comparison.csv"),            # csv and the comparison table are the defaults
    ("csv", "impacts", "impacts.csv"),
    ("json", "comparison", "comparison.json"),
    ("tsv", "impacts", "impacts.tsv"),
])
def test_stdout_holds_exactly_the_bytes_of_the_file(runner, compared_files, fmt, table, name):
    args = ["compare", *SMALL, "-o", "-"] + (["--format", fmt] if fmt else []) + (["--table", table] if table else [])
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == (compared_files / name).read_bytes()
    assert "announced-pause" in result.stderr and "Window 2026-01-30" in result.stderr  # the summary


def test_tsv_reads_back_as_the_same_table(runner, compared_files):
    result = runner.invoke(cli, ["compare", *SMALL, "-o", "-", "--format", "tsv"])
    from_tsv = pd.read_csv(io.BytesIO(result.stdout_bytes), sep="\t")
    from_csv = pd.read_csv(compared_files / "comparison.csv")
    pd.testing.assert_frame_equal(from_tsv, from_csv)
    # One row per region (Kyiv, Odesa and ALL) and compared metric, for the one non-baseline scenario.
    assert len(from_tsv) == 3 * len(COMPARED_METRICS)


def test_estimate_writes_its_daily_table_to_stdout(runner, tmp_path):
    args = ["estimate", "--start", "2026-01-20", "--end", "2026-01-22", "--region", "Kyiv"]
    files = runner.invoke(cli, [*args, "-o", str(tmp_path), "--format", "json"])
    assert files.exit_code == 0, files.output
    printed = runner.invoke(cli, [*args, "-o", "-", "--format", "json"])
    assert printed.exit_code == 0, printed.output
    assert printed.stdout_bytes == (tmp_path / "daily.json").read_bytes()
    records = json.loads(printed.stdout)
    assert [r["date"] for r in records] == ["2026-01-20", "2026-01-21", "2026-01-22"]
    assert "UA80" in printed.stderr  # the per-region summary goes to stderr


def test_hxl_row_and_quiet(runner):
    result = runner.invoke(cli, ["-q", "compare", *SMALL, "-o", "-", "--hxl", "--table", "impacts"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("scenario,adm1_pcode") and lines[1].startswith("#meta+scenario,#adm1+code")
    assert result.stderr == ""  # -q: no summary


@pytest.mark.parametrize(("args", "message"), [
    (["compare", "--format", "xlsx"], "--format needs -o DIR"),
    (["compare", "--hxl"], "--hxl needs -o DIR"),
    (["compare", "--table", "impacts"], "--table needs -o DIR"),
    (["compare", "-o", "-", "--format", "xlsx"], "cannot go to standard output"),
    (["compare", "-o", "-", "--format", "parquet"], "cannot go to standard output"),
    (["estimate", "-o", "-", "--format", "netcdf"], "cannot go to standard output"),
    (["compare", "-o", "-", "--format", "csv", "--format", "json"], "one table in one format"),
    (["compare", "-o", "out", "--table", "impacts"], "--table chooses the table for -o -"),
])
def test_combinations_that_would_be_ignored_are_usage_errors(runner, args, message):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_default_outputs_are_unchanged(runner, tmp_path):
    result = runner.invoke(cli, ["compare", *SMALL, "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["comparison.csv", "impacts.csv"]
    assert not (tmp_path / "-").exists()


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "gridimpact", *args]


def test_piped_into_head_exits_cleanly():
    pipeline = " ".join(_command("compare", "--format", "csv", "-o", "-", "--table", "impacts")) + " | head -n 3"
    done = subprocess.run(["bash", "-c", f"set -o pipefail; {pipeline}"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 3 and done.stdout.startswith("scenario,adm1_pcode,adm1_name,date")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_a_reader_that_closed_before_the_table_came_gives_exit_0_and_no_traceback():
    process = subprocess.Popen(_command("estimate", "-o", "-"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # like `head` that has already exited: every write raises EPIPE
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=300) == 0
    assert "Traceback" not in stderr and "Exception ignored" not in stderr and "BrokenPipe" not in stderr


def test_a_tsv_file_is_a_tab_separated_table_in_the_datapackage(compared_files):
    from gridimpact.io.writers.datapackage import output_resources

    frame = pd.read_csv(compared_files / "impacts.csv")
    (resource,) = output_resources(compared_files / "impacts.tsv", compared_files, {"impacts": (frame, True)})
    assert resource["type"] == "table" and resource["mediatype"] == "text/tab-separated-values"
    assert resource["dialect"] == {"delimiter": "\t"}
