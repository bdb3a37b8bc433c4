"""Scenarios: what happens to the grid after an as-of date, as a pure transform of the inputs.

A scenario holds a strike process (how often major strikes come, which regions they hit, what they
damage and how fast it is repaired), pause windows that suppress strikes with some probability,
scripted events, and whether observed reports after the as-of date are replayed. The baseline is a
named scenario like any other (``no-pause``). Scenarios are read from TOML and validated; see
docs/scenarios.md for the format and the built-ins.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from gridimpact.errors import InputMissingError, ParameterError
from gridimpact.model.pauses import PauseOutcomes
from gridimpact.model.scenario_reader import Range, _pause_outcomes, _Reader, _regional

__all__ = ["Range"]  # re-exported: a scenario's ranges are read with it
from gridimpact.resources import package_file, seeds_dir

BUILTIN_DIR = package_file("builtin_scenarios")
SUPPRESSION = ("cancel", "defer")


@dataclass(frozen=True)
class StrikeProcess:
    """Major combined strikes on energy infrastructure after the as-of date.

    Intervals between strikes are triangular on ``interval_days`` (min, mode, max); the first strike
    comes a uniform fraction of one interval after the start (the forward recurrence time of a
    renewal process). Each strike hits each region with its probability; a hit cuts a share of
    customers off (repaired linearly over ``power_restore_days``), takes a share of district-heat
    supply (repaired over ``heat_restore_days``, or over ``destroyed_restore_days`` when a plant is
    destroyed) and raises rotating emergency outages for ``emergency_days``.
    """

    interval_days: tuple[float, float, float]
    hit_probability: dict[str, float]
    power_share: Range
    power_restore_days: Range
    heat_lost_share: Range
    heat_restore_days: Range
    plant_destroyed_probability: float
    destroyed_restore_days: Range
    emergency_share: Range
    emergency_days: Range
    existing_damage_restore_days: Range
    regional: dict = field(default_factory=dict, hash=False)  # region → regional.RegionalStrikes

    def probability(self, pcode: str) -> float:
        return probability_for(self.hit_probability, pcode)


def probability_for(table: dict[str, float], pcode: str) -> float:
    """A region's hit probability: its own entry, else its oblast's, else the ``"*"`` default."""
    if pcode in table:
        return table[pcode]
    if pcode[:4] in table:
        return table[pcode[:4]]
    return table.get("*", 0.0)


@dataclass(frozen=True)
class Pause:
    """A window in which strikes on the listed regions are suppressed for as long as the pause holds.

    ``outcomes`` says how likely it is to fail, to be breached part-way or to hold
    (``model.pauses``). Suppressed hits are cancelled, or with ``suppressed = "defer"`` moved to the
    moment the pause ends (the strikes are postponed, not abandoned). ``regions`` may be ``("*",)``
    for every region.
    """

    start: datetime
    end: datetime
    regions: tuple[str, ...]
    outcomes: PauseOutcomes
    suppressed: str = "cancel"
    spares: tuple[str, ...] = ("energy",)
    seed: str | None = None

    @property
    def holds_probability(self) -> float:
        """Probability that the pause holds for its whole window."""
        return self.outcomes.held

    def covers(self, pcode: str) -> bool:
        return "*" in self.regions or pcode in self.regions or pcode[:4] in self.regions


@dataclass(frozen=True)
class Event:
    """A scripted strike with fixed effects (for replaying or testing a known event)."""

    time: datetime
    regions: tuple[str, ...]
    power_share: float
    heat_lost_share: float
    power_restore_days: float
    heat_restore_days: float
    emergency_share: float = 0.0
    emergency_days: float = 0.0


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    strikes: StrikeProcess | None
    pauses: tuple[Pause, ...] = ()
    events: tuple[Event, ...] = ()
    replay_observed: bool = False
    as_of: date | None = None
    days: int | None = None
    seeds: tuple[str, ...] = ()
    source: str = ""
    document: dict = field(default_factory=dict, repr=False, compare=False)

    def with_compliance(self, probability: float) -> Scenario:
        """The same scenario with every pause holding fully with ``probability`` (fixed, not sampled);
        the rest is split between failing and being breached as in the pause's own outcomes."""
        if not 0.0 <= probability <= 1.0:
            raise ParameterError(f"compliance must be between 0 and 1, got {probability}")
        return replace(self, pauses=tuple(replace(p, outcomes=p.outcomes.with_full_hold(probability))
                                          for p in self.pauses))


# --- Reading scenario files --------------------------------------------------------------------------

_TOP_KEYS = {"name", "description", "extends", "as_of", "days", "replay_observed", "seeds", "strikes",
             "pauses", "events"}
_STRIKE_KEYS = {"regional", "interval_days", "hit_probability", "power_share", "power_restore_days", "heat_lost_share",
                "heat_restore_days", "plant_destroyed_probability", "destroyed_restore_days",
                "emergency_share", "emergency_days", "existing_damage_restore_days"}
_PAUSE_KEYS = {"from_seed", "start", "end", "regions", "outcomes", "holds_probability", "breached_probability",
               "breach_held_share", "suppressed", "spares"}
_EVENT_KEYS = {"time", "regions", "power_share", "heat_lost_share", "power_restore_days", "heat_restore_days",
               "emergency_share", "emergency_days"}


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


def describe(scenario: Scenario) -> dict[str, Any]:
    """A plain summary for `gridimpact scenarios show`."""
    info: dict[str, Any] = {"name": scenario.name, "description": scenario.description,
                            "replay_observed": scenario.replay_observed}
    if scenario.as_of:
        info["as_of"] = str(scenario.as_of)
    if scenario.days:
        info["days"] = scenario.days
    if scenario.strikes:
        s = scenario.strikes
        info["strikes"] = {
            "interval_days (min, mode, max)": list(s.interval_days),
            "hit_probability": s.hit_probability,
            "power_share": [s.power_share.low, s.power_share.high],
            "power_restore_days": [s.power_restore_days.low, s.power_restore_days.high],
            "heat_lost_share": [s.heat_lost_share.low, s.heat_lost_share.high],
            "heat_restore_days": [s.heat_restore_days.low, s.heat_restore_days.high],
            "plant_destroyed_probability": s.plant_destroyed_probability,
            "destroyed_restore_days": [s.destroyed_restore_days.low, s.destroyed_restore_days.high],
            "emergency_share": [s.emergency_share.low, s.emergency_share.high],
            "emergency_days": [s.emergency_days.low, s.emergency_days.high],
        }
    info["pauses"] = [
        {"start": p.start.isoformat(), "end": p.end.isoformat(), "regions": list(p.regions),
         "holds_probability": p.holds_probability,
         "outcome_probabilities (failed, breached, held)": [round(x, 4) for x in p.outcomes.probabilities],
         "outcome_posterior": list(p.outcomes.concentration) if p.outcomes.concentration else None,
         "breach_held_share": list(p.outcomes.held_share), "suppressed": p.suppressed, "seed": p.seed}
        for p in scenario.pauses
    ]
    info["seeds"] = list(scenario.seeds)
    return info
