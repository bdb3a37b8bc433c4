"""Fixtures shared by the test modules (plain helper functions are in tests/helpers.py)."""

from __future__ import annotations

import os
import tempfile

import pytest

import gridimpact

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
