"""Fixtures shared by the test modules (plain helper functions are in tests/helpers.py)."""

from __future__ import annotations

import pytest

import gridimpact


@pytest.fixture(scope="session")
def embedded_inputs():
    """The embedded case as validated Inputs, read once per test session."""
    return gridimpact.default_inputs()


@pytest.fixture
def no_epoch(monkeypatch):
    """No SOURCE_DATE_EPOCH: outputs take their fixed default timestamps."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
