"""Helpers shared by the reader tests: Kyiv timestamps, files from text, the problems a load raises."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gridimpact.errors import InvalidInputError
from gridimpact.vocab import TIMEZONE


def kyiv(text: str) -> pd.Timestamp:
    """A Europe/Kyiv timestamp."""
    return pd.Timestamp(text, tz=TIMEZONE)


def write(tmp_path: Path, text: str, name: str = "reports.csv", encoding: str = "utf-8") -> Path:
    """``text`` saved as ``tmp_path/name`` in ``encoding``."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(load, source, **kwargs) -> list:
    """The problems ``load(source, **kwargs)`` raises as InvalidInputError (it must raise)."""
    with pytest.raises(InvalidInputError) as caught:
        load(source, **kwargs)
    return caught.value.problems


def only(problems: list, rule: str):
    """The one problem with ``rule`` (fails if there is none or more than one)."""
    matching = [p for p in problems if p.rule == rule]
    assert len(matching) == 1, [p.format() for p in problems]
    return matching[0]
