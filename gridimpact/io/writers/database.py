"""Publishing a run into a database: SQLite (standard library) or PostgreSQL (psycopg 3).

``publish(url, result, package)`` writes one run — its ``runs`` row, the regions it uses, its
``impacts`` and ``comparison`` rows — in one transaction: a failure leaves the database as it was,
and publishing the same run again changes nothing. A run is identified by ``run_id``, the SHA-256
of its inputs and settings (``database_schema.run_settings``); when a run with that id holds other
numbers (a development build under an unchanged version), its rows are replaced, with a warning.

URLs: ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db`` (the SQLAlchemy spelling) and
``postgresql://user:password@host:port/database?sslmode=require`` (any libpq connection URI;
``postgres://`` is accepted too). A password is never printed: messages show ``***`` instead.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from gridimpact.errors import MissingExtraError, OutputError, ParameterError, require
from gridimpact.io.writers import database_schema as schema

logger = logging.getLogger("gridimpact")

SCHEMES = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql"}


@dataclass(frozen=True)
class DatabaseTarget:
    """A parsed database URL. ``shown`` is safe to print (no password); so is the repr."""

    dialect: str
    url: str = field(repr=False)
    path: Path | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def shown(self) -> str:
        return redact(self.url)

    def secrets(self) -> list[str]:
        """The password as given in the URL (percent-encoded) and decoded, for scrubbing messages."""
        raw = urlsplit(self.url).password
        return [text for text in {self.password, raw} if text]


@dataclass(frozen=True)
class Publication:
    """What ``publish`` did: the run id, and whether the database changed."""

    run_id: str
    changed: bool
    replaced: bool
    impacts: int
    comparison: int


def _query_password(query: str) -> str | None:
    return next((value for key, value in parse_qsl(query) if key == "password"), None)


def redact(url: str) -> str:
    """The URL with its password (in the user part or a ``password=`` parameter) replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None and _query_password(parts.query) is None:
        return url  # untouched: rebuilding would fold sqlite://// into sqlite://
    if parts.password is not None:
        host = parts.netloc.rsplit("@", 1)[-1]
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{host}")
    if _query_password(parts.query) is not None:
        parts = parts._replace(query=re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query))
    return urlunsplit(parts)


def parse_url(url: str) -> DatabaseTarget:
    """Check a database URL's shape (not whether the database is reachable).

    Raises ParameterError naming what is wrong; the command line turns it into a usage error.
    """
    text = str(url).strip()
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    dialect = SCHEMES.get(scheme.split("+", 1)[0])
    if dialect is None:
        raise ParameterError(f"database URL {redact(text)!r}: use sqlite:///path/to/file.db or "
                             "postgresql://user@host/database")
    if dialect == "sqlite":
        if not text.lower().startswith("sqlite:///") or len(text) <= len("sqlite:///"):
            raise ParameterError(f"database URL {text!r}: a SQLite URL is sqlite:///relative/file.db or "
                                 "sqlite:////absolute/file.db (three slashes, then the path)")
        return DatabaseTarget("sqlite", text, path=Path(unquote(text[len("sqlite:///"):])))
    if "+" in scheme:  # SQLAlchemy's postgresql+psycopg://: libpq knows only postgresql://
        text = "postgresql" + text[len(scheme):]
    parts = urlsplit(text)
    password = unquote(parts.password) if parts.password else _query_password(parts.query)
    return DatabaseTarget("postgresql", text, password=password)


def resolve_relative(target: DatabaseTarget, base: Path) -> DatabaseTarget:
    """A SQLite target whose relative path is taken from ``base`` (a configuration file's folder)."""
    if target.dialect != "sqlite" or target.path.is_absolute():
        return target
    path = (Path(base) / target.path).resolve()
    return DatabaseTarget("sqlite", f"sqlite:///{path.as_posix()}", path=path)


def check_driver(target: DatabaseTarget) -> None:
    """Fail before a long run when PostgreSQL is asked for and psycopg is not installed."""
    if target.dialect == "postgresql":


        if importlib.util.find_spec("psycopg") is None:
            raise MissingExtraError("Publishing to PostgreSQL", "postgres", "psycopg")


def _scrub(text: str, target: DatabaseTarget) -> str:
    text = text.replace(target.url, target.shown)
    for secret in sorted(target.secrets(), key=len, reverse=True):
        text = text.replace(secret, "***")
    return re.sub(r"\s+", " ", text).strip()


class _Connection:
    """One connection in one transaction, with ``?`` placeholders in either dialect."""

    def __init__(self, target: DatabaseTarget):
        self.target = target
        self.dialect = target.dialect
        if target.dialect == "sqlite":
            target.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: no implicit transactions, so BEGIN/COMMIT below are the only ones.
            self.raw = sqlite3.connect(target.path, isolation_level=None)
            self.raw.execute("PRAGMA foreign_keys = ON")
            self.raw.execute("BEGIN IMMEDIATE")
        else:
            psycopg = require("psycopg", "Publishing to PostgreSQL", "postgres")
            self.raw = psycopg.connect(target.url, connect_timeout=20, application_name="gridimpact")
        self.cursor = self.raw.cursor()

    def sql(self, statement: str) -> str:
        return statement if self.dialect == "sqlite" else statement.replace("?", "%s")

    def execute(self, statement: str, params: tuple = ()) -> None:
        if params:
            self.cursor.execute(self.sql(statement), params)
        else:
            self.cursor.execute(statement)

    def executemany(self, statement: str, rows: list[tuple]) -> None:
        if rows:
            self.cursor.executemany(self.sql(statement), rows)

    def one(self, statement: str, params: tuple = ()):
        self.execute(statement, params)
        return self.cursor.fetchone()

    def columns(self, table: str) -> list[str]:
        self.execute(f"SELECT * FROM {table} WHERE 1 = 0")
        names = [column[0] for column in self.cursor.description]
        self.cursor.fetchall()
        return names

    def commit(self) -> None:
        if self.dialect == "sqlite":
            self.raw.execute("COMMIT")
        else:
            self.raw.commit()

    def rollback(self) -> None:
        try:
            if self.dialect == "sqlite":
                self.raw.execute("ROLLBACK")
            else:
                self.raw.rollback()
        except Exception:  # the connection may already be gone; closing it discards the transaction
            pass

    def close(self) -> None:
        self.raw.close()


def _driver_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [sqlite3.Error, OSError]
    try:
        import psycopg  # optional: only present with the postgres extra
    except ImportError:
        return tuple(errors)
    return (*errors, psycopg.Error)


@contextmanager
def transaction(target: DatabaseTarget) -> Iterator[_Connection]:
    """A connection whose work is committed only if the block succeeds; driver errors → exit 73."""
    connection = None
    try:
        connection = _Connection(target)
        yield connection
        connection.commit()
    except _driver_errors() as exc:
        if connection is not None:
            connection.rollback()
        reason = _scrub(str(exc) or type(exc).__name__, target)
        raise OutputError(f"cannot publish to the database {target.shown}: {reason}") from None
    except BaseException:
        if connection is not None:
            connection.rollback()
        raise
    finally:
        if connection is not None:
            connection.close()


# --- the schema --------------------------------------------------------------------------------------

def _view_exists(db: _Connection) -> bool:
    if db.dialect == "sqlite":
        return db.one("SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = ?", (schema.VIEW,)) is not None
    return db.one("SELECT 1 FROM pg_views WHERE viewname = ? AND schemaname = ANY (current_schemas(false))",
                  (schema.VIEW,)) is not None


def ensure_schema(db: _Connection) -> None:
    """Create missing tables, add columns that a newer metric catalogue defines, and (re)build the
    view when its definition changed. Nothing is altered when the schema is already current."""
    for table in schema.TABLES:
        db.execute(table.ddl(db.dialect))
        present = set(db.columns(table.name))
        types = schema.SQL_TYPES[db.dialect]
        for name, kind in table.columns:
            if name not in present:
                db.execute(f"ALTER TABLE {table.name} ADD COLUMN {name} {types[kind]}")
    wanted = schema.view_definition_sha256()
    row = db.one("SELECT definition_sha256 FROM gridimpact_schema WHERE object = ?", (schema.VIEW,))
    if row is not None and row[0] == wanted and _view_exists(db):
        return
    db.execute(f"DROP VIEW IF EXISTS {schema.VIEW}")
    db.execute(schema.view_sql())
    db.execute("DELETE FROM gridimpact_schema WHERE object = ?", (schema.VIEW,))
    db.execute("INSERT INTO gridimpact_schema (object, definition_sha256) VALUES (?, ?)", (schema.VIEW, wanted))


def _insert(table: schema.Table, conflict: str = "") -> str:
    marks = ", ".join("?" for _ in table.names)
    return f"INSERT INTO {table.name} ({', '.join(table.names)}) VALUES ({marks}){conflict}"


def _upsert_regions(db: _Connection, rows: list[tuple]) -> None:
    """Add missing regions; correct a name or parent that differs; leave equal rows untouched."""
    keys = ("level", "parent", "name_en", "name_uk")
    assignments = ", ".join(f"{key} = excluded.{key}" for key in keys)
    # Null-safe "differs": SQLite spells it IS NOT (IS DISTINCT FROM only from SQLite 3.39).
    distinct = "IS NOT" if db.dialect == "sqlite" else "IS DISTINCT FROM"
    differs = " OR ".join(f"regions.{key} {distinct} excluded.{key}" for key in keys)
    db.executemany(_insert(schema.REGIONS, f" ON CONFLICT (pcode) DO UPDATE SET {assignments} WHERE {differs}"),
                   rows)


# --- publishing -----------------------------------------------------------------------------------------

def _tables_of(result):
    """(impacts or daily frame, comparison frame or None, job) of a comparison or an estimate."""
    if hasattr(result, "comparison"):
        return result.impacts, result.comparison, "compare"
    return result.daily, None, "estimate"


def publish(url: str | DatabaseTarget, result, package: dict) -> Publication:
    """Publish one run into the database at ``url`` in one transaction.

    Parameters
    ----------
    url : str or DatabaseTarget
        ``sqlite:///path`` or ``postgresql://…``.
    result : ComparisonResult or EstimateResult
        The tables to publish.
    package : dict
        The run's ``datapackage.json`` descriptor (``io.datapackage.output_package``): it gives the
        run record, the parameters and the input hashes behind ``run_id``, and is stored in ``runs``.
    """
    target = url if isinstance(url, DatabaseTarget) else parse_url(url)
    check_driver(target)
    settings = schema.run_settings(package)
    run_id = schema.run_id_of(settings)
    impacts_frame, comparison_frame, job = _tables_of(result)
    impacts = schema.impact_rows(run_id, impacts_frame, None if job == "compare" else schema.ESTIMATE_SCENARIO)
    comparison = schema.comparison_rows(run_id, comparison_frame) if comparison_frame is not None else []
    content = schema.content_sha256(impacts, comparison)
    pcodes = sorted({row[2] for row in impacts} | {row[2] for row in comparison})
    with transaction(target) as db:
        ensure_schema(db)
        _upsert_regions(db, schema.region_rows(pcodes))
        existing = db.one("SELECT content_sha256 FROM runs WHERE run_id = ?", (run_id,))
        if existing is not None and existing[0] == content:
            return Publication(run_id, changed=False, replaced=False, impacts=len(impacts), comparison=len(comparison))
        if existing is not None:
            logger.warning("run %s was published before with other numbers; its rows are replaced", run_id[:12])
            for table in ("comparison", "impacts", "runs"):
                db.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
        db.execute(_insert(schema.RUNS), schema.run_row(run_id, settings, package, content))
        db.executemany(_insert(schema.IMPACTS), impacts)
        db.executemany(_insert(schema.COMPARISON), comparison)
    return Publication(run_id, changed=True, replaced=existing is not None, impacts=len(impacts),
                       comparison=len(comparison))
