"""Checks of a regeneration configuration's values, each problem naming the file and the key.

``_Checker`` collects every problem before the configuration fails: wrong types and ranges (the
caller raises ``ParameterError``), missing files (``InputMissingError``).
"""

from __future__ import annotations

import difflib
from datetime import date, datetime
from pathlib import Path
from typing import Any

SECTION_KEYS = {
    "inputs": ("folder", "outages", "temperature", "population", "region", "max_gap_hours", "since", "encoding",
               "sheet", "pressure_level", "population_basis"),
    "run": ("job", "scenarios", "as_of", "days", "members", "seed", "compliance", "target_error", "regions",
            "params", "set", "start", "end"),
    "outputs": ("directory", "formats", "hxl", "report", "figures", "database"),
}
TODAY = "today"
"""``as_of``, ``start`` or ``end`` = "today": the local date in Europe/Kyiv when the run starts."""


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):
        return "a date-time"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class _Checker:
    """Validates a configuration document, collecting every problem before failing."""

    def __init__(self, path: Path):
        self.path = path
        self.base = path.parent
        self.problems: list[str] = []
        self.missing: list[str] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"{self.path.name}: {key}: {message}")

    def unknown_keys(self, table: dict, allowed: tuple[str, ...], prefix: str) -> None:
        for key in table:
            if key in allowed:
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            elsewhere = [s for s, keys in SECTION_KEYS.items() if key in keys and f"{s}." != prefix]
            if elsewhere:  # a key of another table is more likely misplaced than misspelt
                hint = f"; it belongs in [{elsewhere[0]}]"
            elif close:
                hint = f"; did you mean '{prefix}{close[0]}'?"
            else:
                hint = f"; allowed: {', '.join(allowed)}"
            self.fail(f"{prefix}{key}", f"unknown key{hint}")

    def table(self, document: dict, key: str) -> dict:
        value = document.get(key, {})
        if not isinstance(value, dict):
            self.fail(key, f"must be a table ([{key}]), got {_kind(value)}")
            return {}
        return value

    def whole(self, table: dict, key: str, prefix: str, low: int, high: int | None = None) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(prefix + key, f"must be a whole number, got {value!r} ({_kind(value)})")
            return None
        if value < low or (high is not None and value > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            self.fail(prefix + key, f"must be {bound}, got {value}")
            return None
        return value

    def number(self, table: dict, key: str, prefix: str, low: float, high: float) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(prefix + key, f"must be a number, got {value!r} ({_kind(value)})")
            return None
        if not low <= value <= high:
            self.fail(prefix + key, f"must be between {low} and {high}, got {value}")
            return None
        return float(value)

    def flag(self, table: dict, key: str, prefix: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.fail(prefix + key, f"must be true or false, got {value!r} ({_kind(value)})")
            return default
        return value

    def text(self, table: dict, key: str, prefix: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(prefix + key, f"must be non-empty text, got {value!r} ({_kind(value)})")
            return None
        return value.strip()

    def texts(self, table: dict, key: str, prefix: str) -> list[str]:
        """A string or a list of strings."""
        value = table.get(key)
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
            self.fail(prefix + key, f"must be text or a list of text, got {value!r}")
            return []
        return [v.strip() for v in items]

    def file(self, name: str, key: str, *, folder: bool = False) -> Path:
        path = (self.base / Path(name).expanduser()).resolve()
        wanted = "folder" if folder else "file"
        if not path.exists():
            self.missing.append(f"{self.path.name}: {key}: no such {wanted}: {name} (looked for {path})")
        elif folder and not path.is_dir():
            self.missing.append(f"{self.path.name}: {key}: {name} is a file, not a folder")
        elif not folder and path.is_dir():
            self.missing.append(f"{self.path.name}: {key}: {name} is a folder, not a file")
        return path

    def day(self, table: dict, key: str, prefix: str) -> date | str | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            self.fail(prefix + key, f"must be a date such as 2026-01-30 (not a date-time), got {value.isoformat()}")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            if value.strip().lower() == TODAY:
                return TODAY
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.fail(prefix + key, f"must be a date such as 2026-01-30 or \"today\", got {value!r}")
        return None
