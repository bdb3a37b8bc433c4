"""Scenarios: what happens to the grid after an as-of date, as a pure transform of the inputs.

A scenario holds a strike process (how often major strikes come, which regions they hit, what they
damage and how fast it is repaired), pause windows that suppress strikes with some probability,
scripted events, and whether observed reports after the as-of date are replayed. The baseline is a
named scenario like any other (``no-pause``). These are the types; ``gridimpact.io.readers.scenarios``
reads and validates them from TOML (docs/scenarios.md gives the format and the built-ins).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from gridimpact.errors import ParameterError
from gridimpact.model.pauses import PauseOutcomes

SUPPRESSION = ("cancel", "defer")


@dataclass(frozen=True)
class Range:
    """A uniform range [low, high] in ``unit``; ensembles draw from it."""

    low: float
    high: float

    def draw(self, rng, size=None):
        return rng.uniform(self.low, self.high, size=size)


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
