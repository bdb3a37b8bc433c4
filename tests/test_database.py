"""The database sink against SQLite and a real PostgreSQL server: tables, types, the long view,
idempotent publishing, all-or-nothing transactions, and errors that never show the password."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from hypothesis import assume, given
from hypothesis import strategies as st

import gridimpact
from gridimpact.cli import cli
from gridimpact.errors import OutputError, ParameterError
from gridimpact.io.readers.embedded import default_files
from gridimpact.io.writers import database
from gridimpact.io.writers import database_schema as schema
from gridimpact.io.writers.datapackage import output_package
from gridimpact.model.metrics import METRICS
from gridimpact.regenerate import regenerate
from tests import postgres_server

SMALL = {"members": 3, "days": 3, "regions": ["Kyiv", "Odesa"]}
SMALL_ARGS = ["--members", "3", "--days", "3", "--region", "Kyiv", "--region", "Odesa"]


@pytest.fixture(scope="module")
def compared():
    result = gridimpact.compare(**SMALL)
    return result, output_package(result, [], inputs=default_files())


@pytest.fixture(scope="module")
def estimated():
    result = gridimpact.estimate(start="2026-01-20", end="2026-01-22", regions=["Kyiv"])
    return result, output_package(result, [], inputs=default_files())


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'impacts.db'}"
    return request.getfixturevalue("postgres_url")


def query(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    target = database.parse_url(url)
    if target.dialect == "sqlite":
        with sqlite3.connect(target.path) as connection:
            return connection.execute(sql, params).fetchall()
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql.replace("?", "%s"), params).fetchall()


def dump(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in key order, with dates as text (the two drivers differ there)."""
    tables = {}
    for table in schema.TABLES:
        order = ", ".join(table.key)
        rows = query(url, f"SELECT * FROM {table.name} ORDER BY {order}")
        tables[table.name] = [tuple(str(v) if hasattr(v, "isoformat") else v for v in row) for row in rows]
    return tables


def test_a_comparison_fills_every_table(db_url, compared):
    result, package = compared
    published = database.publish(db_url, result, package)
    assert published.changed and not published.replaced
    assert published.run_id == schema.run_id_of(schema.run_settings(package))
    assert query(db_url, "SELECT COUNT(*) FROM impacts") == [(len(result.impacts),)]
    assert query(db_url, "SELECT COUNT(*) FROM comparison") == [(len(result.comparison),)]
    run = query(db_url, "SELECT job, as_of, days, members, seed, baseline, scenarios, version FROM runs")
    job, as_of, days, members, seed, baseline, scenarios, version = run[0]
    assert (job, str(as_of), days, members, seed) == ("compare", "2026-01-30", 3, 3, 20260129)
    assert (baseline, scenarios, version) == ("no-pause", "no-pause,announced-pause", gridimpact.__version__)
    # The 27 oblast-level units of the registry and ALL, with Ukrainian names.
    assert query(db_url, "SELECT COUNT(*) FROM regions") == [(28,)]
    assert query(db_url, "SELECT level, parent, name_en, name_uk FROM regions WHERE pcode = 'UA80'") == [
        (1, "UA", "Kyiv", "Київ")]
    row = result.impacts.set_index(["scenario", "adm1_pcode", "date"]).loc[
        ("announced-pause", "UA80", result.impacts["date"].iloc[0])]
    stored = query(db_url, "SELECT people_below_12c, people_below_12c_p90, share_customers_without_power, risk_level "
                           "FROM impacts WHERE scenario = 'announced-pause' AND pcode = 'UA80' AND date = ?",
                   (str(result.impacts["date"].iloc[0]),))
    assert stored == [(row["people_below_12c"], row["people_below_12c_p90"], row["share_customers_without_power"],
                       row["risk_level"])]
    every = result.comparison.query("adm1_pcode == 'ALL' and metric == 'people_below_12c'").iloc[0]
    assert query(db_url, "SELECT difference, difference_p10 FROM comparison WHERE pcode = 'ALL' AND "
                         "metric = 'people_below_12c'") == [(every["difference"], every["difference_p10"])]


def test_columns_are_typed(db_url, compared):
    database.publish(db_url, *compared)
    if db_url.startswith("sqlite"):
        types = {row[1]: row[2] for row in query(db_url, "PRAGMA table_info(impacts)")}
        assert query(db_url, "SELECT typeof(people_below_12c), typeof(share_customers_without_power) "
                             "FROM impacts LIMIT 1") == [("integer", "real")]
    else:
        types = {name: kind.upper() for name, kind in query(
            db_url, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'impacts'")}
    assert types["date"] == "DATE"
    assert types["people_below_12c"] == "BIGINT"
    assert types["share_customers_without_power"] == "DOUBLE PRECISION"
    assert types["risk_level"] == "TEXT"


def test_the_long_view_has_one_row_per_value_with_its_unit(db_url, compared, estimated):
    result, package = compared
    database.publish(db_url, result, package)
    database.publish(db_url, *estimated)
    day = str(result.impacts["date"].iloc[0])
    rows = query(db_url, "SELECT statistic, value, unit FROM impacts_long WHERE scenario = 'no-pause' AND "
                         "pcode = 'UA51' AND date = ? AND metric = 'person_hours_without_power' ORDER BY statistic",
                 (day,))
    source = result.impacts.set_index(["scenario", "adm1_pcode", "date"]).loc[("no-pause", "UA51", result.impacts["date"].iloc[0])]
    assert rows == [("median", float(source["person_hours_without_power"]), "person-hours"),
                    ("p10", float(source["person_hours_without_power_p10"]), "person-hours"),
                    ("p90", float(source["person_hours_without_power_p90"]), "person-hours")]
    # An estimate has one value per metric, labelled "value", under the scenario "estimate".
    estimate_rows = query(db_url, "SELECT statistic, COUNT(*) FROM impacts_long WHERE scenario = 'estimate' "
                                  "GROUP BY statistic")
    numeric = sum(1 for column in estimated[0].daily.columns if column in schema.IMPACTS.names
                  and column not in ("pcode", "adm1_pcode", "date", "risk_level", "population_basis"))
    assert estimate_rows == [("value", numeric * len(estimated[0].daily))]
    # Compare rows: every numeric metric × 3 statistics × rows of impacts.
    metrics = sum(1 for m in METRICS if m.unit != "category")
    total = query(db_url, "SELECT COUNT(*) FROM impacts_long WHERE run_id = ?",
                  (schema.run_id_of(schema.run_settings(package)),))
    assert total == [(metrics * 3 * len(result.impacts),)]


def test_publishing_the_same_run_twice_changes_nothing(db_url, compared):
    database.publish(db_url, *compared)
    before = dump(db_url)
    again = database.publish(db_url, *compared)
    assert not again.changed
    assert dump(db_url) == before


def test_a_different_run_is_added_beside_the_first(db_url, compared):
    result, package = compared
    other = gridimpact.compare(**SMALL, seed=7)
    first = database.publish(db_url, result, package)
    second = database.publish(db_url, other, output_package(other, [], inputs=default_files()))
    assert first.run_id != second.run_id
    assert query(db_url, "SELECT COUNT(*) FROM runs") == [(2,)]
    assert query(db_url, "SELECT COUNT(*) FROM impacts") == [(2 * len(result.impacts),)]


def test_a_failed_publish_leaves_no_partial_run(db_url, compared, estimated, monkeypatch):
    result, package = compared
    database.publish(db_url, *estimated)
    before = dump(db_url)
    good = schema.comparison_rows

    def with_a_duplicate(run_id, frame):
        rows = good(run_id, frame)
        return rows + rows[:1]  # the last insert breaks the primary key, after runs and impacts went in

    monkeypatch.setattr(schema, "comparison_rows", with_a_duplicate)
    with pytest.raises(OutputError, match="cannot publish to the database"):
        database.publish(db_url, result, package)
    assert dump(db_url) == before  # neither the runs row nor the impacts that went in before the failure
    monkeypatch.setattr(schema, "comparison_rows", good)
    assert database.publish(db_url, result, package).changed


def test_a_run_republished_with_other_numbers_is_replaced_whole(db_url, compared, monkeypatch):
    result, package = compared
    database.publish(db_url, result, package)
    changed = result.comparison.copy()
    changed["difference"] = changed["difference"] + 1.0
    monkeypatch.setattr(result, "comparison", changed)
    again = database.publish(db_url, result, package)
    assert again.changed and again.replaced
    assert query(db_url, "SELECT COUNT(*) FROM comparison") == [(len(changed),)]


def test_the_command_line_publishes_the_same_run_as_regenerate(tmp_path):
    url = f"sqlite:///{tmp_path / 'impacts.db'}"
    runner = CliRunner()
    first = runner.invoke(cli, ["-v", "compare", *SMALL_ARGS, "--db", url])
    assert first.exit_code == 0, first.output
    assert "No pause" in first.stdout or "announced-pause" in first.stdout  # the summary still goes to stdout
    assert "published: run" in first.stderr
    config = tmp_path / "regen.toml"
    config.write_text('[run]\nmembers = 3\ndays = 3\nregions = ["Kyiv", "Odesa"]\n'
                      '[outputs]\ndirectory = "out"\ndatabase = "sqlite:///impacts.db"\n', encoding="utf-8")
    regenerate(config)  # the relative path is taken from the configuration's folder
    assert query(url, "SELECT COUNT(*) FROM runs") == [(1,)]  # same inputs and settings: same run id
    again = runner.invoke(cli, ["-v", "compare", *SMALL_ARGS, "--db", url, "-o", str(tmp_path / "files")])
    assert again.exit_code == 0, again.output
    assert "unchanged (already published)" in again.stderr


def test_estimate_publishes_from_the_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'impacts.db'}"  # the folder is created
    result = CliRunner().invoke(cli, ["estimate", "--start", "2026-01-20", "--end", "2026-01-22", "--region", "Kyiv",
                                      "-o", "-", "--format", "csv", "--db", url])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("adm1_pcode,adm1_name,date")
    assert query(url, "SELECT job, period_start, period_end FROM runs") == [("estimate", "2026-01-20", "2026-01-22")]
    assert query(url, "SELECT COUNT(*) FROM impacts WHERE scenario = 'estimate'") == [(3,)]


def test_an_unwritable_database_exits_73_without_a_traceback(tmp_path):
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    result = CliRunner().invoke(cli, ["compare", *SMALL_ARGS, "--db", f"sqlite:///{folder}"])
    assert result.exit_code == 73, result.output
    assert "cannot publish to the database sqlite:///" in result.stderr
    assert "Traceback" not in result.output


def test_a_refused_password_exits_73_and_is_never_shown(postgres):
    url = postgres.url(password="wrong-" + postgres_server.PASSWORD)
    result = CliRunner().invoke(cli, ["compare", *SMALL_ARGS, "--db", url])
    assert result.exit_code == 73, result.output
    assert "cannot publish to the database postgresql://gridimpact_test:***@127.0.0.1" in result.stderr
    assert "password authentication failed" in result.stderr
    assert postgres_server.PASSWORD not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("url", "dialect"), [
    ("sqlite:///impacts.db", "sqlite"), ("sqlite:////srv/impacts.db", "sqlite"),
    ("postgresql://u:p@db.example.org:5432/ibf?sslmode=require", "postgresql"), ("postgres://u@h/d", "postgresql"),
    ("postgresql+psycopg://u:p@h/d", "postgresql"), ("postgresql://u@h/d?sslmode=require&password=p", "postgresql"),
])
def test_urls_are_parsed_and_redacted(url, dialect):
    target = database.parse_url(url)
    assert target.dialect == dialect
    assert ":p@" not in target.shown and "password=p" not in target.shown
    if "p@" in url or "password=p" in url:
        assert target.password == "p" and "***" in target.shown
    if dialect == "postgresql":
        assert target.url.startswith(("postgresql://", "postgres://"))
    if dialect == "sqlite":
        assert target.path == Path(url[len("sqlite:///"):])


@pytest.mark.parametrize("url", ["mysql://u@h/d", "sqlite://impacts.db", "sqlite:///", "impacts.db"])
def test_unsupported_urls_are_refused(url):
    with pytest.raises(ParameterError, match="database URL"):
        database.parse_url(url)


def test_a_bad_database_url_in_a_config_names_the_key(tmp_path):
    config = tmp_path / "regen.toml"
    config.write_text('[outputs]\ndirectory = "out"\ndatabase = "mysql://x"\n', encoding="utf-8")
    with pytest.raises(ParameterError, match="outputs.database"):
        regenerate(config)


def test_a_failed_publish_in_regenerate_leaves_the_previous_outputs(tmp_path):
    config = tmp_path / "regen.toml"
    text = '[run]\nmembers = 2\ndays = 2\nregions = ["Kyiv"]\n[outputs]\ndirectory = "out"\ndatabase = "{}"\n'
    config.write_text(text.format("sqlite:///impacts.db"), encoding="utf-8")
    regenerate(config)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    (tmp_path / "blocked").mkdir()
    config.write_text(text.format("sqlite:///blocked").replace("members = 2", "members = 3"), encoding="utf-8")
    with pytest.raises(OutputError, match="cannot publish"):
        regenerate(config)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


@given(password=st.text(st.characters(codec="ascii", categories=("L", "N", "P", "S")), min_size=6, max_size=30))
def test_no_password_survives_in_what_is_shown(password):
    quoted = quote(password, safe="")
    url = f"postgresql://analyst:{quoted}@db.example.org:5432/ibf"
    fixed = "postgresql://analyst:***@db.example.org:5432/ibf DatabaseTarget(dialect='postgresql', path=None)"
    assume(password not in fixed and quoted not in fixed)
    target = database.parse_url(url)
    assert target.password == password
    assert target.shown == "postgresql://analyst:***@db.example.org:5432/ibf"
    message = database._scrub(f"connection to {url} failed for {password!s}", target)
    assert password not in message and quoted not in message
    assert password not in repr(target) and quoted not in repr(target)


def test_every_output_column_has_a_database_column(compared, estimated):
    names = {"adm1_name", "name"}  # region names live in the regions table
    assert set(compared[0].impacts.columns) - names <= set(schema.IMPACTS.names)
    assert set(compared[0].comparison.columns) - names <= set(schema.COMPARISON.names)
    assert set(estimated[0].daily.columns) - names <= set(schema.IMPACTS.names)


def test_an_older_database_gets_the_missing_columns_and_view(tmp_path, compared, estimated):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    database.publish(url, *estimated)
    with sqlite3.connect(tmp_path / "old.db") as connection:  # as a version before heating_degree_days_p90
        connection.execute("DROP VIEW impacts_long")
        connection.execute("ALTER TABLE impacts DROP COLUMN heating_degree_days_p90")
        connection.execute("DELETE FROM gridimpact_schema")
    database.publish(url, *compared)
    assert query(url, "SELECT COUNT(*) FROM impacts WHERE heating_degree_days_p90 IS NOT NULL") == [
        (len(compared[0].impacts),)]
    assert query(url, "SELECT COUNT(*) FROM impacts_long WHERE metric = 'heating_degree_days' AND statistic = 'p90'") \
        == [(len(compared[0].impacts),)]


def test_compare_db_fills_postgresql_idempotently_from_the_command_line(postgres_url):
    runner = CliRunner()
    first = runner.invoke(cli, ["-v", "compare", *SMALL_ARGS, "--db", postgres_url])
    assert first.exit_code == 0, first.output
    assert "published: run" in first.stderr and postgres_server.PASSWORD not in first.output
    before = dump(postgres_url)
    assert len(before["impacts"]) == 2 * 2 * 3 and len(before["runs"]) == 1  # scenarios × regions × days
    second = runner.invoke(cli, ["-v", "compare", *SMALL_ARGS, "--db", postgres_url])
    assert second.exit_code == 0, second.output
    assert "unchanged (already published)" in second.stderr
    assert dump(postgres_url) == before


def test_a_sqlite_url_is_shown_as_given(tmp_path):
    url = f"sqlite:///{tmp_path / 'impacts.db'}"  # four slashes: an absolute path
    assert database.parse_url(url).shown == url
    assert database.redact("sqlite:///relative.db") == "sqlite:///relative.db"


def test_the_url_can_come_from_the_environment(tmp_path):
    url = f"sqlite:///{tmp_path / 'impacts.db'}"  # keeps a password out of the process list
    result = CliRunner().invoke(cli, ["compare", *SMALL_ARGS], env={"GRIDIMPACT_COMPARE_DB": url})
    assert result.exit_code == 0, result.output
    assert query(url, "SELECT COUNT(*) FROM runs") == [(1,)]
