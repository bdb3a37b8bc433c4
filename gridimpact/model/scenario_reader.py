"""Reading scenario files: the validating reader and the parts of a scenario it builds (ranges,
regional strike processes, pause outcomes). ``model.scenarios`` assembles them into a Scenario."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date, datetime

from gridimpact.model.pauses import PauseOutcomes, precedent_outcomes
from gridimpact.model.regional import RegionalStrikes

_REGIONAL_KEYS = {"rate_per_day", "power_share", "power_restore_days", "heat_lost_share", "heat_restore_days"}


@dataclass(frozen=True)
class Range:
    """A uniform range [low, high] in ``unit``; ensembles draw from it."""

    low: float
    high: float

    def draw(self, rng, size=None):
        return rng.uniform(self.low, self.high, size=size)


class _Reader:
    """Validates one scenario document, collecting every problem before failing."""

    def __init__(self, where: str):
        self.where = where
        self.problems: list[str] = []

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"{self.where}: '{key}': {message}")

    def unknown(self, table: dict, allowed: set[str], prefix: str) -> None:
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.fail(f"{prefix}{key}", f"unknown key{hint}")

    def number(self, table: dict, key: str, prefix: str, low: float, high: float, default=None) -> float:
        value = table.get(key, default)
        if value is None:
            self.fail(prefix + key, "is required")
            return low
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(prefix + key, f"must be a number, got {value!r}")
            return low
        if not low <= value <= high:
            self.fail(prefix + key, f"{value} is outside [{low}, {high}]")
        return float(value)

    def range(self, table: dict, key: str, prefix: str, low: float, high: float) -> Range:
        value = table.get(key)
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int | float) for v in value)):
            self.fail(prefix + key, f"must be a [low, high] pair of numbers, got {value!r}")
            return Range(low, low)
        a, b = float(value[0]), float(value[1])
        if a > b:
            self.fail(prefix + key, f"low {a} is above high {b}")
        if a < low or b > high:
            self.fail(prefix + key, f"[{a}, {b}] leaves the allowed [{low}, {high}]")
        return Range(a, b)

    def moment(self, table: dict, key: str, prefix: str) -> datetime | None:
        from gridimpact.vocab import TIMEZONE

        value = table.get(key)
        if isinstance(value, datetime):
            if value.tzinfo is None:
                from zoneinfo import ZoneInfo

                value = value.replace(tzinfo=ZoneInfo(TIMEZONE))
            return value
        if isinstance(value, date):
            from zoneinfo import ZoneInfo

            return datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(TIMEZONE))
        self.fail(prefix + key, f"must be a date or date-time (2026-01-30 or 2026-01-30T00:00:00+02:00), got {value!r}")
        return None

    def regions(self, table: dict, key: str, prefix: str) -> tuple[str, ...]:
        from gridimpact.regions import UnknownRegionError, resolve

        value = table.get(key, ["*"])
        if isinstance(value, str):
            value = [value]
        result = []
        for name in value:
            if name == "*":
                result.append("*")
                continue
            try:
                result.append(resolve(str(name)).pcode)
            except UnknownRegionError as exc:
                self.fail(prefix + key, str(exc))
        return tuple(result)


def _regional(tables: dict, reader: _Reader, prefix: str) -> dict:
    """``[strikes.regional.<region>]`` tables: a region's own strikes between the major ones."""
    result = {}
    if not isinstance(tables, dict):
        reader.fail(prefix[:-1], "must be a table of region = {rate_per_day, power_share, ...}")
        return result
    for region, table in tables.items():
        where = f"{prefix}{region}."
        codes = reader.regions({"r": [region]}, "r", where)
        reader.unknown(table, _REGIONAL_KEYS, where)
        result[codes[0] if codes else region] = RegionalStrikes(
            rate_per_day=reader.number(table, "rate_per_day", where, 0.001, 10.0),
            power_share=reader.range(table, "power_share", where, 0.0, 1.0),
            power_restore_days=reader.range(table, "power_restore_days", where, 0.0, 365.0),
            heat_lost_share=reader.range(table, "heat_lost_share", where, 0.0, 1.0),
            heat_restore_days=reader.range(table, "heat_restore_days", where, 0.0, 365.0))
    return result


def _pause_outcomes(table: dict, reader: _Reader, prefix: str) -> PauseOutcomes:
    """``outcomes = "precedents"`` (the posterior of seeds/pause_outcomes.toml), or fixed
    ``holds_probability`` and ``breached_probability`` with ``breach_held_share``."""
    prior = precedent_outcomes()
    if "outcomes" in table:
        if table["outcomes"] != "precedents":
            reader.fail(prefix + "outcomes", f"must be \"precedents\", got {table['outcomes']!r}")
        for key in ("holds_probability", "breached_probability"):
            if key in table:
                reader.fail(prefix + key, "cannot be combined with outcomes = \"precedents\"")
        return prior
    if "holds_probability" not in table:
        reader.fail(prefix + "holds_probability", 'is required (or outcomes = "precedents")')
        return prior
    held = reader.number(table, "holds_probability", prefix, 0.0, 1.0)
    breached = reader.number(table, "breached_probability", prefix, 0.0, 1.0, 0.0)
    if held + breached > 1.0 + 1e-9:
        reader.fail(prefix + "breached_probability", f"holds_probability + breached_probability = {held + breached} exceeds 1")
        breached = 1.0 - held
    share = reader.range(table, "breach_held_share", prefix, 0.0, 1.0) if "breach_held_share" in table else None
    return PauseOutcomes.fixed(held, breached, (share.low, share.high) if share else prior.held_share)
