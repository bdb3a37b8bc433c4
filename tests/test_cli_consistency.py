"""One command line: the same options everywhere, user mistakes as usage errors, pipes and consoles."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gridimpact.arguments import ArgumentError, today
from gridimpact.cli import cli
from gridimpact.cli.console import BROKEN_PIPE_EXIT
from gridimpact.cli.options import DATE, PROBABILITY
from gridimpact.errors import InvalidInputError
from gridimpact.io.readers.families import family_of

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
SMALL = ["--members", "2", "--days", "3"]
BUG = "report it as a bug"


@pytest.fixture
def runner():
    return CliRunner()


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def run_subprocess(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "gridimpact", *args], capture_output=True, timeout=300, **kwargs)


SUBCOMMANDS = [["estimate"], ["compare"], ["report"], ["validate"], ["regenerate"], ["scenarios"],
               ["scenarios", "list"], ["scenarios", "show"], ["params"], ["data"], ["data", "list"],
               ["data", "show"], ["data", "export"]]


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_takes_quiet_and_verbose(runner, command):
    for flag in ("-q", "-v", "-vv", "--quiet", "--verbose"):
        result = runner.invoke(cli, [*command, flag, "--help"])
        assert result.exit_code == 0, (flag, result.output)


@pytest.mark.parametrize("command", ["estimate", "compare", "report", "validate"])
def test_every_command_that_reads_inputs_has_the_same_input_options(runner, command):
    text = runner.invoke(cli, [command, "--help"]).output
    for option in ("--outages", "--temperature", "--population", "--region", "--max-gap", "--since", "--encoding"):
        assert option in text, (command, option)


def test_verbosity_after_the_subcommand_works_as_before_it(runner):
    reports = ["estimate", "--outages", fixture("outages", "reports_iso.csv"), "--start", "2026-01-10",
               "--end", "2026-01-10"]
    for args in ([*reports, "-v"], ["-v", *reports]):
        loud = runner.invoke(cli, args)
        assert loud.exit_code == 0, loud.output
        assert "INFO: temperature taken from the embedded default case" in loud.stderr
    assert "INFO" not in runner.invoke(cli, reports).stderr
    quiet = runner.invoke(cli, ["scenarios", "list", "-q"])
    assert quiet.exit_code == 0 and "announced-pause" in quiet.stdout
    silent = runner.invoke(cli, ["estimate", "--start", "2026-02-01", "--end", "2026-02-01", "-q"])
    assert silent.exit_code == 0 and silent.stderr == ""


@pytest.mark.parametrize(("args", "message"), [
    (["compare", "--seed", "-1"], "-1 is not in the range x>=0"),
    (["estimate", "--start", "2026-02-03", "--end", "2026-02-01"], "is before the start"),
    (["data", "show", "nope"], "no embedded dataset 'nope'"),
    (["data", "show", "outage"], "did you mean outages"),
    (["compare", "--compliance", "125%"], "between 0 and 1"),
    (["compare", "--compliance", "most"], "such as 0.25 or '25%'"),
    (["compare", "--as-of", "1799-12-31"], "is a day outside the years 1800–2100"),
    (["compare", "-s", "no-pause"], "alone has nothing to be compared with"),
    (["validate", "--encoding", "klingon"], "unknown encoding 'klingon'"),
    (["estimate", "--since", "someday"], "is not a date"),
])
def test_user_mistakes_are_usage_errors(runner, args, message):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert BUG not in result.output and "Traceback" not in result.output


def test_dates_take_today_and_probabilities_take_percentages():
    assert DATE.convert("today", None, None) == today()
    assert DATE.convert("30.01.2026", None, None).isoformat() == "2026-01-30"
    assert PROBABILITY.convert("25%", None, None) == 0.25
    assert PROBABILITY.convert("0.45", None, None) == 0.45


def test_compliance_as_a_percentage_runs(runner):
    result = runner.invoke(cli, ["compare", "--compliance", "100%", *SMALL])
    assert result.exit_code == 0, result.output
    assert "The pause holds for its whole window with probability 100%" in result.stdout


def test_files_given_without_an_option_are_told_apart(runner, tmp_path):
    assert family_of(fixture("outages", "reports_uk.csv")) == "outages"  # Ukrainian header, generic name
    assert family_of(fixture("temperature", "33345.csv")) == "temperature"  # a station number as the name
    assert family_of(fixture("temperature", "open_meteo_odesa.json")) == "temperature"
    assert family_of(fixture("outages", "yasno_planned_outages.json")) == "outages"
    assert family_of(fixture("population", "cod_ps_ukr_adm1_2022.csv")) == "population"
    result = runner.invoke(cli, ["validate", fixture("outages", "reports_iso.csv"),
                                 fixture("temperature", "tidy_hourly.csv"),
                                 fixture("population", "canonical_plain.csv")])
    assert result.exit_code == 0, result.output
    assert "OK: 3 file(s)" in result.stdout
    unknown = tmp_path / "notes.csv"
    unknown.write_text("a,b\n1,2\n", encoding="utf-8")
    refused = runner.invoke(cli, ["compare", str(unknown)])
    assert refused.exit_code == 2 and "--outages, --temperature or --population" in refused.stderr
    told = runner.invoke(cli, ["validate", str(unknown)])
    assert told.exit_code == 65 and "[unknown_family]" in told.stdout, told.output
    missing = runner.invoke(cli, ["validate", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 66 and "no such file" in missing.stdout


def test_validate_reports_every_file_given_without_an_option_even_those_it_cannot_read(runner, tmp_path):
    blank = {"empty.csv": b"", "bom.csv": b"\xef\xbb\xbf", "lines.csv": b"\r\n\r\n", "seps.csv": b";;;;\n;;;;\n"}
    for name, content in blank.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04 cut short")
    given = [fixture("outages", "reports_iso.csv"), *(str(tmp_path / n) for n in blank), str(tmp_path / "book.xlsx"),
             str(tmp_path / "gone.csv")]
    result = runner.invoke(cli, ["validate", *given])
    assert result.exit_code == 66, result.output  # a missing file outranks invalid ones
    assert "reports_iso.csv: valid" in result.stdout
    for name in blank:
        assert f"{name}: the file is empty: it has no header and no rows [empty_file]" in result.stdout
    assert "book.xlsx: cannot read the workbook" in result.stdout and "gone.csv: no such file" in result.stdout
    assert "FAILED: 7 file(s): 1 valid, 5 invalid, 1 unreadable" in result.stdout


def test_an_empty_or_damaged_workbook_given_without_an_option_says_what_is_wrong(runner, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    openpyxl.Workbook().save(tmp_path / "blank.xlsx")
    pd.read_csv(fixture("outages", "reports_iso.csv"), dtype=str).to_excel(tmp_path / "book.xlsx", index=False)
    data = bytearray((tmp_path / "book.xlsx").read_bytes())
    data[len(data) // 2:len(data) // 2 + 64] = b"\0" * 64  # a damaged stretch in the middle
    (tmp_path / "damaged.xlsx").write_bytes(bytes(data))
    result = runner.invoke(cli, ["validate", str(tmp_path / "blank.xlsx"), str(tmp_path / "damaged.xlsx")])
    assert result.exit_code == 65, result.output
    assert "blank.xlsx: the workbook's sheets hold no cell [empty_file]" in result.stdout
    assert "damaged.xlsx: cannot read the workbook" in result.stdout and "[unreadable]" in result.stdout


def test_a_file_of_separators_only_is_empty_and_a_workbook_named_csv_is_said_to_be_one(runner, tmp_path):
    (tmp_path / "seps.csv").write_bytes(b";;;;\n;;;;\n")
    seps = runner.invoke(cli, ["validate", "--outages", str(tmp_path / "seps.csv")])
    assert seps.exit_code == 65 and "only separators and blank lines [empty_file]" in seps.stdout, seps.output
    pytest.importorskip("openpyxl")
    pd.read_csv(fixture("outages", "reports_iso.csv"), dtype=str).to_excel(tmp_path / "book.xlsx", index=False)
    (tmp_path / "book.csv").write_bytes((tmp_path / "book.xlsx").read_bytes())
    named = runner.invoke(cli, ["validate", "--outages", str(tmp_path / "book.csv")])
    assert named.exit_code == 65 and "a workbook (.xlsx) saved under a text file's name" in named.stdout


def test_workbooks_and_parquet_given_without_an_option_are_told_apart(tmp_path):
    pytest.importorskip("openpyxl")
    pytest.importorskip("pyarrow")
    reports = pd.read_csv(fixture("outages", "reports_iso.csv"), dtype=str)
    hourly = pd.read_csv(fixture("temperature", "tidy_hourly.csv"), dtype=str)
    reports.to_excel(tmp_path / "book1.xlsx", index=False)
    hourly.to_excel(tmp_path / "book2.xlsx", index=False)
    reports.to_parquet(tmp_path / "table1.parquet")
    hourly.to_parquet(tmp_path / "table2.parquet")
    assert [family_of(tmp_path / name) for name in ("book1.xlsx", "book2.xlsx", "table1.parquet", "table2.parquet")] \
        == ["outages", "temperature", "outages", "temperature"]


def test_validate_takes_a_data_folder(runner, tmp_path):
    assert runner.invoke(cli, ["data", "export", str(tmp_path / "case")]).exit_code == 0
    result = runner.invoke(cli, ["validate", str(tmp_path / "case")])
    assert result.exit_code == 0, result.output
    assert "outages.csv: valid" in result.stdout and "population_current.csv: valid" in result.stdout


def test_validate_of_a_folder_names_the_files_it_does_not_read(runner, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "outages.csv").write_bytes(Path(fixture("outages", "reports_iso.csv")).read_bytes())
    (folder / "readme.txt").write_text("where the files come from\n", encoding="utf-8")
    result = runner.invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"note: {folder}: not read (names not recognised as inputs): readme.txt" in result.stderr


def test_one_region_is_the_region_of_files_that_name_none(runner, tmp_path):
    reports = tmp_path / "reports.csv"
    reports.write_text("start,end,share_off,kind\n2026-01-20 08:00,2026-01-20 20:00,0.4,scheduled\n",
                       encoding="utf-8")
    without = runner.invoke(cli, ["estimate", "--outages", str(reports)])
    assert without.exit_code == 65 and "no_region" in without.stderr
    estimated = runner.invoke(cli, ["estimate", "--outages", str(reports), "--region", "Kharkiv",
                                    "--start", "2026-01-20", "--end", "2026-01-20"])
    assert estimated.exit_code == 0, estimated.output
    assert "Kharkiv" in estimated.stdout and "Odesa" not in estimated.stdout
    positional = runner.invoke(cli, ["estimate", str(reports), "--region", "Kharkiv", "--start", "2026-01-20",
                                     "--end", "2026-01-20"])
    assert positional.exit_code == 0 and positional.stdout == estimated.stdout
    validated = runner.invoke(cli, ["validate", str(reports), "--region", "UA63"])
    assert validated.exit_code == 0 and "regions UA63" in validated.stdout
    several = runner.invoke(cli, ["estimate", "--outages", str(reports), "--region", "Kharkiv", "--region", "Kyiv"])
    assert several.exit_code == 65 and "no_region" in several.stderr  # several regions: files must name theirs


def test_a_cp1251_file_needs_the_encoding_option_the_hint_names(runner, tmp_path):
    reports = tmp_path / "reports.csv"
    reports.write_bytes("Область,Початок,Кінець,Частка,Тип\nХарківська,20.01.2026 08:00,20.01.2026 20:00,0.4,"
                        "планові\n".encode("cp1251"))
    refused = runner.invoke(cli, ["validate", "--outages", str(reports)])
    assert refused.exit_code == 65 and "--encoding cp1251" in refused.stdout
    accepted = runner.invoke(cli, ["validate", "--outages", str(reports), "--encoding", "cp1251"])
    assert accepted.exit_code == 0, accepted.output
    estimated = runner.invoke(cli, ["estimate", "--outages", str(reports), "--encoding", "windows-1251",
                                    "--start", "2026-01-20", "--end", "2026-01-20"])
    assert estimated.exit_code == 0, estimated.output


def test_max_gap_and_since_work_on_estimate(runner, tmp_path):
    station = tmp_path / "UPM00034519.csv"  # Kharkiv's GHCN station, with a 1995 day in front
    station.write_text("UPM00034519,19950101,TMAX,-20,,,S,\nUPM00034519,19950101,TMIN,-80,,,S,\n"
                       + "".join(f"UPM00034519,202601{day:02d},TMAX,-20,,,S,\nUPM00034519,202601{day:02d},TMIN,-101,,,S,\n"
                                 for day in range(9, 31)), encoding="utf-8")
    kept = runner.invoke(cli, ["estimate", "--temperature", str(station), "--since", "1995-01-01",
                               "--region", "Kharkiv"])
    assert kept.exit_code == 65 and "gap_too_long" in kept.stderr
    set_aside = runner.invoke(cli, ["estimate", "--temperature", str(station), "--since", "2026-01-09",
                                    "--region", "Kharkiv", "--start", "2026-01-20", "--end", "2026-01-20"])
    assert set_aside.exit_code == 0, set_aside.output


def test_a_lone_scenario_is_compared_with_no_pause(runner):
    result = runner.invoke(cli, ["compare", "-s", "announced-pause", *SMALL])
    assert result.exit_code == 0, result.output
    assert "What 'announced-pause' changes compared with 'no-pause'" in result.stdout
    assert "WARNING" not in result.stderr  # said by the title; a warning would mail a cron job daily
    told = runner.invoke(cli, ["-v", "compare", "-s", "announced-pause", *SMALL])
    assert "comparing 'announced-pause' with 'no-pause'" in told.stderr


def test_a_pause_before_the_as_of_date_is_a_warning_naming_the_date(runner):
    result = runner.invoke(cli, ["compare", "--as-of", "2026-02-10", *SMALL])
    assert result.exit_code == 0, result.output
    assert "WARNING: the pause of 'announced-pause' (2026-01-30 … 2026-02-06) ends before" in result.stderr
    assert "use --as-of 2026-01-30" in result.stderr
    plain = runner.invoke(cli, ["compare", *SMALL])
    assert "WARNING" not in plain.stderr


def test_the_exported_case_compares_like_the_embedded_case(runner, tmp_path):
    assert runner.invoke(cli, ["data", "export", str(tmp_path / "d")]).exit_code == 0
    exported = runner.invoke(cli, ["compare", str(tmp_path / "d"), *SMALL])
    embedded = runner.invoke(cli, ["compare", *SMALL])
    assert exported.exit_code == 0, exported.output
    assert exported.stdout == embedded.stdout
    assert "Window 2026-01-30" in exported.stdout


def test_data_export_keeps_edited_files_unless_forced(runner, tmp_path):
    folder = tmp_path / "d"
    assert runner.invoke(cli, ["data", "export", str(folder)]).exit_code == 0
    assert runner.invoke(cli, ["data", "export", str(folder)]).exit_code == 0  # nothing changed
    (folder / "regions.csv").write_text("my own notes\n", encoding="utf-8")
    refused = runner.invoke(cli, ["data", "export", str(folder)])
    assert refused.exit_code == 73 and "regions.csv" in refused.stderr and "--force" in refused.stderr
    assert (folder / "regions.csv").read_text(encoding="utf-8") == "my own notes\n"
    forced = runner.invoke(cli, ["data", "export", str(folder), "--force"])
    assert forced.exit_code == 0
    assert (folder / "regions.csv").read_text(encoding="utf-8") != "my own notes\n"


def test_a_closed_pipe_ends_quietly():
    # The reading end is closed before gridimpact writes anything, as `gridimpact validate | head -0`.
    process = subprocess.Popen([sys.executable, "-m", "gridimpact", "validate"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()
    stderr = process.stderr.read().decode("utf-8")
    assert process.wait(timeout=300) == BROKEN_PIPE_EXIT == 0  # the rule of `-o -` tables too (test_stdout)
    assert "Traceback" not in stderr and BUG not in stderr and "Broken pipe" not in stderr


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "latin-1", "cp437"])
def test_a_console_that_cannot_encode_the_minus_sign_gets_ascii(encoding):
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    result = run_subprocess("compare", "-s", "no-pause", "-s", "kremlin-statement", *SMALL, env=env)
    assert result.returncode == 0, result.stderr.decode(encoding, "replace")
    text = result.stdout.decode(encoding)  # strict: every byte is in the console's encoding
    assert "scenario - baseline, both expected values" in text
    assert "What 'kremlin-statement' changes compared with 'no-pause'" in text
    if encoding == "ascii":
        assert "Window 2026-01-30 ... 2026-02-01 (3 days) - 2 members" in text
        assert "below 16 degC" in text
    mistake = run_subprocess("data", "show", "nope", env=env)
    assert mistake.returncode == 2 and BUG not in mistake.stderr.decode(encoding)


def test_values_no_table_can_hold_are_invalid_input(runner, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    far = tmp_path / "outages_far.csv"
    far.write_text("region,start,end,share_off,kind\nKyiv,9999-01-20 08:00,9999-01-20 10:00,0.5,scheduled\n",
                   encoding="utf-8")
    for command in ("validate", "estimate"):
        nested = runner.invoke(cli, [command, str(deep)])
        assert nested.exit_code == 65 and "nested too deeply" in nested.stdout + nested.stderr, nested.output
        dated = runner.invoke(cli, [command, str(far)])
        assert dated.exit_code == 65 and "date_out_of_range" in dated.stdout + dated.stderr, dated.output
        assert BUG not in nested.output + dated.output


@settings(max_examples=60, deadline=None)
@given(content=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".json", ".txt", ".xlsx", ""]))
@example(content=b"\xff\xfe\r\x00\n\x00", suffix=".csv").via("a UTF-16 file of one blank line")
@example(content=b"\x00", suffix=".csv").via("a NUL byte is not blank")
def test_any_file_is_given_a_family_or_refused_with_the_options(tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("family") / f"input{suffix}"
    path.write_bytes(content)
    try:
        assert family_of(path) in ("outages", "temperature", "population")
    except ArgumentError as exc:
        assert content and "--outages, --temperature or --population" in str(exc)
    except InvalidInputError as exc:
        rules = [p.rule for p in exc.problems]
        text = content[2:].replace(b"\x00", b"") if content[:2] in (b"\xff\xfe", b"\xfe\xff") else content
        blank = not text.removeprefix(b"\xef\xbb\xbf").strip(b" \t\r\n;,")
        assert rules == ["empty_file"] if blank else (rules == ["unreadable"] and suffix == ".xlsx")
