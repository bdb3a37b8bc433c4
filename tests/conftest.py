"""Fixtures shared by the test modules (plain helper functions are in tests/helpers.py), among
them a real PostgreSQL server for the database tests."""

from __future__ import annotations

import itertools
import os
import subprocess
import tempfile

import pytest

import gridimpact
from tests import postgres_server

# Tests keep the embedded-case cache out of the user's cache folder (one folder per test process).
os.environ.setdefault("GRIDIMPACT_CACHE_DIR", tempfile.mkdtemp(prefix="gridimpact-test-cache-"))


@pytest.fixture(scope="session")
def embedded_inputs():
    """The embedded case as validated Inputs, read once per test session."""
    return gridimpact.default_inputs()


@pytest.fixture
def no_epoch(monkeypatch):
    """No SOURCE_DATE_EPOCH: outputs take their fixed default timestamps."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(scope="module")
def small_comparison():
    """The default comparison of the embedded case with 4 members over 5 days (once per module)."""
    return gridimpact.compare(members=4, days=5)


_databases = itertools.count()


def _unavailable(reason: str):
    """Skip, or fail where CI demands the server (GRIDIMPACT_REQUIRE_POSTGRES=1)."""
    if os.environ.get("GRIDIMPACT_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"{reason} (GRIDIMPACT_REQUIRE_POSTGRES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server on 127.0.0.1 for this test session (one per xdist worker)."""
    try:
        import psycopg  # noqa: F401  (the postgres extra)
    except ImportError:
        _unavailable("psycopg is not installed: pip install 'gridimpact[postgres]'")
    binaries = postgres_server.server_binaries()
    if binaries is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package "
                     "'postgresql' or set GRIDIMPACT_PG_BIN")
    try:
        server = postgres_server.start(binaries)
    except subprocess.CalledProcessError as exc:
        output = (exc.stderr or b"").decode(errors="replace")[-2000:]
        pytest.fail(f"could not start PostgreSQL with {binaries}: {output}")
    try:
        yield server
    finally:
        postgres_server.stop(binaries, server)


@pytest.fixture
def postgres_url(postgres):
    """The URL of a new, empty database on the session's server."""
    import psycopg

    name = f"test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres.url(name)
