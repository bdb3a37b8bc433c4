"""Reading scenarios: TOML documents (a user's file or a built-in) validated into ``Scenario``
objects, with every problem collected before failing; and the seed events (``seeds/``) that the
built-in scenarios start from. See docs/scenarios.md for the format."""

from __future__ import annotations

import difflib
import tomllib
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from gridimpact.errors import InputMissingError, ParameterError
from gridimpact.model.pauses import PauseOutcomes, outcomes_from_precedents
from gridimpact.model.regional import RegionalStrikes
from gridimpact.model.scenarios import SUPPRESSION, Event, Pause, Range, Scenario, StrikeProcess
from gridimpact.regions import UnknownRegionError, resolve
from gridimpact.resources import package_file, seeds_dir
from gridimpact.vocab import TIMEZONE

BUILTIN_DIR = package_file("builtin_scenarios")
PRECEDENTS_FILE = "pause_outcomes.toml"

_TOP_KEYS = {"name", "description", "extends", "as_of", "days", "replay_observed", "seeds", "strikes",
             "pauses", "events"}
_STRIKE_KEYS = {"regional", "interval_days", "hit_probability", "power_share", "power_restore_days", "heat_lost_share",
                "heat_restore_days", "plant_destroyed_probability", "destroyed_restore_days",
                "emergency_share", "emergency_days", "existing_damage_restore_days"}
_PAUSE_KEYS = {"from_seed", "start", "end", "regions", "outcomes", "holds_probability", "breached_probability",
               "breach_held_share", "suppressed", "spares"}
_REGIONAL_KEYS = {"rate_per_day", "power_share", "power_restore_days", "heat_lost_share", "heat_restore_days"}
_EVENT_KEYS = {"time", "regions", "power_share", "heat_lost_share", "power_restore_days", "heat_restore_days",
               "emergency_share", "emergency_days"}


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
            # reading goes on with a value that breaks nothing further, so every problem is listed
            return float(min(max(value, low), high))
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
        value = table.get(key)
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=ZoneInfo(TIMEZONE))
            return value
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(TIMEZONE))
        self.fail(prefix + key, f"must be a date or date-time (2026-01-30 or 2026-01-30T00:00:00+02:00), got {value!r}")
        return None

    def regions(self, table: dict, key: str, prefix: str) -> tuple[str, ...]:
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


def _merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_document(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputMissingError(f"{path}: no such scenario file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path.name}: not valid TOML: {exc}") from None


def _resolve_extends(document: dict, where: str, seen: tuple[str, ...] = ()) -> dict:
    parent = document.get("extends")
    if parent is None:
        return document
    if parent in seen:
        raise ParameterError(f"{where}: 'extends' loops through {' → '.join((*seen, parent))}")
    base = _resolve_extends(builtin_document(parent), parent, (*seen, parent))
    merged = _merge(base, {k: v for k, v in document.items() if k != "extends"})
    for key in ("pauses", "events"):  # arrays replace, they do not append
        if key in document:
            merged[key] = document[key]
        elif key in base:
            merged[key] = base[key]
    merged.pop("extends", None)
    return merged


def scenario_from_document(document: dict, where: str = "scenario") -> Scenario:
    """Validate a scenario document (a dict as read from TOML) and build the Scenario."""
    document = _resolve_extends(document, where)
    reader = _Reader(where)
    reader.unknown(document, _TOP_KEYS, "")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        reader.fail("name", "is required (a short name such as 'my-pause')")
        name = "unnamed"
    strikes = None
    if "strikes" in document:
        table = document["strikes"]
        p = "strikes."
        reader.unknown(table, _STRIKE_KEYS, p)
        interval = table.get("interval_days")
        if not (isinstance(interval, list) and len(interval) == 3 and all(isinstance(v, int | float) for v in interval)
                and 0 < interval[0] <= interval[1] <= interval[2] <= 365):
            reader.fail(p + "interval_days", f"must be [min, mode, max] days with 0 < min ≤ mode ≤ max ≤ 365, got {interval!r}")
            interval = [7, 7, 7]
        hits = table.get("hit_probability", {})
        if not isinstance(hits, dict):
            reader.fail(p + "hit_probability", "must be a table of region = probability")
            hits = {}
        probabilities = {}
        for region in hits:
            key = region if region == "*" else (reader.regions({"r": [region]}, "r", p + "hit_probability.") or ("?",))[0]
            probabilities[key] = reader.number(hits, region, p + "hit_probability.", 0.0, 1.0)
        strikes = StrikeProcess(
            interval_days=tuple(float(v) for v in interval),
            hit_probability=probabilities,
            power_share=reader.range(table, "power_share", p, 0.0, 1.0),
            power_restore_days=reader.range(table, "power_restore_days", p, 0.0, 365.0),
            heat_lost_share=reader.range(table, "heat_lost_share", p, 0.0, 1.0),
            heat_restore_days=reader.range(table, "heat_restore_days", p, 0.0, 365.0),
            plant_destroyed_probability=reader.number(table, "plant_destroyed_probability", p, 0.0, 1.0, 0.0),
            destroyed_restore_days=reader.range(table, "destroyed_restore_days", p, 0.0, 365.0)
            if "destroyed_restore_days" in table else Range(60.0, 60.0),
            emergency_share=reader.range(table, "emergency_share", p, 0.0, 1.0)
            if "emergency_share" in table else Range(0.0, 0.0),
            emergency_days=reader.range(table, "emergency_days", p, 0.0, 365.0)
            if "emergency_days" in table else Range(0.0, 0.0),
            existing_damage_restore_days=reader.range(table, "existing_damage_restore_days", p, 0.0, 365.0)
            if "existing_damage_restore_days" in table else Range(3.0, 3.0),
            regional=_regional(table.get("regional", {}), reader, p + "regional."),
        )
    pauses = []
    for i, table in enumerate(document.get("pauses", [])):
        p = f"pauses[{i}]."
        reader.unknown(table, _PAUSE_KEYS, p)
        seeded = _pause_from_seed(table["from_seed"], reader, p) if "from_seed" in table else {}
        merged = {**seeded, **{k: v for k, v in table.items() if k != "from_seed"}}
        start, end = reader.moment(merged, "start", p), reader.moment(merged, "end", p)
        if start and end and end <= start:
            reader.fail(p + "end", f"{end} is not after start {start}")
        suppressed = merged.get("suppressed", "cancel")
        if suppressed not in SUPPRESSION:
            reader.fail(p + "suppressed", f"must be one of {', '.join(SUPPRESSION)}, got {suppressed!r}")
        pauses.append(Pause(
            start=start, end=end, regions=reader.regions(merged, "regions", p),
            outcomes=_pause_outcomes(merged, reader, p),
            suppressed=suppressed, spares=tuple(merged.get("spares", ["energy"])),
            seed=table.get("from_seed"),
        ))
    events = []
    for i, table in enumerate(document.get("events", [])):
        p = f"events[{i}]."
        reader.unknown(table, _EVENT_KEYS, p)
        events.append(Event(
            time=reader.moment(table, "time", p), regions=reader.regions(table, "regions", p),
            power_share=reader.number(table, "power_share", p, 0.0, 1.0, 0.0),
            heat_lost_share=reader.number(table, "heat_lost_share", p, 0.0, 1.0, 0.0),
            power_restore_days=reader.number(table, "power_restore_days", p, 0.0, 365.0, 1.0),
            heat_restore_days=reader.number(table, "heat_restore_days", p, 0.0, 365.0, 3.0),
            emergency_share=reader.number(table, "emergency_share", p, 0.0, 1.0, 0.0),
            emergency_days=reader.number(table, "emergency_days", p, 0.0, 365.0, 0.0),
        ))
    as_of = document.get("as_of")
    if as_of is not None and not isinstance(as_of, date):
        reader.fail("as_of", f"must be a date such as 2026-01-30, got {as_of!r}")
        as_of = None
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    days = document.get("days")
    if days is not None and not (isinstance(days, int) and 1 <= days <= 366):
        reader.fail("days", f"must be a whole number of days from 1 to 366, got {days!r}")
        days = None
    if reader.problems:
        raise ParameterError("invalid scenario:\n" + "\n".join(reader.problems))
    return Scenario(
        name=name,
        description=" ".join(str(document.get("description", "")).split()),
        strikes=strikes,
        pauses=tuple(pauses),
        events=tuple(events),
        replay_observed=bool(document.get("replay_observed", False)),
        as_of=as_of,
        days=days,
        seeds=tuple(document.get("seeds", ())),
        source=where,
        document=document,
    )


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


def _pause_from_seed(seed_id: str, reader: _Reader, prefix: str) -> dict:
    """Window and regions of a pause taken from a seed event file in seeds/."""
    event = seed_events().get(seed_id)
    if event is None:
        close = difflib.get_close_matches(seed_id, list(seed_events()), n=2)
        reader.fail(prefix + "from_seed", f"no seed event '{seed_id}'" + (f"; did you mean {', '.join(close)}?" if close else ""))
        return {}
    result = {}
    if "window_start" in event:
        result["start"] = event["window_start"]
    if "window_end" in event:
        result["end"] = event["window_end"]
    regions = [r for r in event.get("regions", []) if isinstance(r, str) and r.upper().startswith("UA")]
    if regions:
        result["regions"] = regions
    return result


@cache
def precedent_outcomes() -> PauseOutcomes:
    """The pause-outcome posterior from the weighted precedents of seeds/pause_outcomes.toml."""
    return outcomes_from_precedents(tomllib.loads((seeds_dir() / PRECEDENTS_FILE).read_text(encoding="utf-8")))


@cache
def seed_events() -> dict[str, dict]:
    """Every event in seeds/*.toml by id (a file holds one event at top level or ``[[events]]``)."""
    events: dict[str, dict] = {}
    for path in sorted(seeds_dir().glob("*.toml")):
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        candidates = document.get("events", [document]) if isinstance(document.get("events"), list) else [document]
        for event in candidates:
            if isinstance(event, dict) and "id" in event:
                events[str(event["id"])] = {**event, "_file": path.name}
    return events


@cache
def builtin_document(name: str) -> dict:
    path = BUILTIN_DIR / f"{name}.toml"
    if not path.is_file():
        close = difflib.get_close_matches(name, builtin_names(), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; built-in scenarios: {', '.join(builtin_names())}"
        raise ParameterError(f"no built-in scenario '{name}'{hint}")
    return _read_document(path)


def builtin_names() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml") if not p.stem.startswith("_"))


def builtin_scenarios() -> dict[str, Scenario]:
    """The built-in scenarios by name (no-pause, announced-pause, kremlin-statement, observed)."""
    return {name: load_scenario(name) for name in builtin_names()}


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A built-in scenario by name, or a scenario TOML file by path."""
    text = str(name_or_path)
    path = Path(text)
    if text in builtin_names() and not path.suffix:
        return scenario_from_document(builtin_document(text), text)
    if path.suffix.lower() == ".toml" or path.exists():
        return scenario_from_document(_read_document(path), path.name)
    return scenario_from_document(builtin_document(text), text)


