"""A scenario applied to the observed hazard: strikes drawn per member, pauses that suppress them.

Before the switch time (the as-of date, or the end of the observed reports when a scenario replays
them) every member sees exactly the observed hazard. After it:

- the rotating (scheduled + emergency) level stays at its mean over the 24 h before the switch;
- damage standing at the switch (persistent outages, district-heat losses) is repaired linearly
  over ``existing_damage_restore_days``;
- each drawn strike adds its effects, each repaired linearly over its own duration:
  ``share × max(0, 1 − (t − t_strike) / duration)`` from the strike time on;
- shares are capped at 1.

Random draws come from per-member streams that do not depend on the pauses (the pause outcome has
its own stream), so a scenario whose pauses fail reproduces the baseline exactly, and a pause that
holds longer can only remove strikes. Draws keep every strike; ``StrikeDraws.phi`` says how far
into a pause window each (strike, region) falls, and ``suppress`` removes those a given share of
the window held would suppress (``model.pauses``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np

from gridimpact.model.hazard import Hazard, HazardWindow
from gridimpact.model.period import QUARTERS_PER_DAY, Period
from gridimpact.model.regional import draw_regional, regional_slots
from gridimpact.model.scenarios import Event, Pause, Scenario, StrikeProcess, probability_for

EFFECTS = ("power_share", "power_days", "heat_share", "heat_days", "emergency_share", "emergency_days")


@dataclass(frozen=True)
class StrikeDraws:
    """Strike effects per member, strike and region; ``time`` is in quarter-hours from the period
    start (``inf`` where a strike does not hit that region)."""

    time: np.ndarray            # (M, S, R) before any pause
    effects: dict[str, np.ndarray]  # name → (M, S, R); days for durations, shares in [0, 1]
    existing_days: np.ndarray   # (M, R) repair time of damage standing at the switch
    phi: np.ndarray             # (M, S, R) share of a pause window elapsed at the strike; inf outside
    pause_start: np.ndarray     # (M, S, R) quarter-hour where that window starts
    pause_length: np.ndarray    # (M, S, R) its length in quarter-hours
    defer: np.ndarray           # (M, S, R) that pause defers suppressed strikes (else cancels)
    held_share: np.ndarray      # (M,) the share of the window that held in each member's own draw
    levels: np.ndarray | None = None      # (M, V) sorted φ of the strikes in pause windows over every region, inf-padded
    level_time: np.ndarray | None = None  # (M, V) the time of the earliest strike at each level

    @property
    def members(self) -> int:
        return self.time.shape[0]

    def take(self, members: np.ndarray) -> StrikeDraws:
        """The draws of some members only."""
        return StrikeDraws(self.time[members], {k: v[members] for k, v in self.effects.items()},
                           self.existing_days[members], self.phi[members], self.pause_start[members],
                           self.pause_length[members], self.defer[members], self.held_share[members],
                           None if self.levels is None else self.levels[members],
                           None if self.level_time is None else self.level_time[members])

    def suppress(self, cutoff: np.ndarray, next_phi: np.ndarray) -> StrikeDraws:
        """Strikes with ``phi <= cutoff`` (per member) suppressed: cancelled, or deferred to the
        moment the pause stops — its end when nothing in it escapes (``next_phi`` inf), else the
        first strike it does not suppress (the breach)."""
        inside = self.phi <= cutoff[:, None, None]
        stop = np.where(np.isfinite(next_phi)[:, None, None], next_phi[:, None, None], 1.0)
        resumed = self.pause_start + np.minimum(stop, 1.0) * self.pause_length
        moved = np.where(self.defer, resumed, np.inf)
        return replace(self, time=np.where(inside, moved, self.time))


def quarter_of(moment, period: Period) -> float:
    """Quarter-hours from the period start to ``moment`` (tz-aware)."""
    return period.quarter_of(moment)


def strike_capacity(process: StrikeProcess | None, horizon_days: float) -> int:
    """Enough strike slots that the process cannot run out within the horizon."""
    if process is None:
        return 0
    return max(0, int(np.ceil(horizon_days / process.interval_days[0])) + 2)  # none if the switch is past the end


class ColumnView:
    """A member's strike stream seen through a block of regions: a draw shaped (..., every region)
    gives only the block's ``columns``, the stream moving on as for the whole draw. Streams without
    ``columns`` (a plain numpy generator, in tests) draw everything and are cut."""

    def __init__(self, rng, columns: np.ndarray | None):
        self.rng, self.cut = rng, columns

    def uniform(self, low=0.0, high=1.0, size=None):
        if self.cut is None:
            return self.rng.uniform(low, high, size=size)
        if hasattr(self.rng, "columns"):
            return self.rng.columns(size, self.cut, low, high)
        return self.rng.uniform(low, high, size=size)[..., self.cut]


def draw_member(scenario: Scenario, regions: tuple[str, ...], period: Period, switch_q: float,
                capacity: int, rng_strikes, rng_pause: np.random.Generator,
                columns: np.ndarray | None = None) -> tuple:
    """One member's strikes: times (S, R), effects (S, R) each, existing repair days (R,), the
    pause windows of each (strike, region) (``pause_windows``) and the share of the pause held.

    The number of draws from each stream is fixed by ``capacity``, the regions and the pauses, so the
    draws of one member never depend on another member or on the scenario's pauses. ``columns``
    (positions in ``regions``) draws the strikes of those regions only — R is then their number —
    with the same values as the whole draw has in those columns.
    """
    n_regions = len(regions)
    view = ColumnView(rng_strikes, None if columns is None else np.asarray(columns))
    wanted = tuple(regions) if columns is None else tuple(regions[i] for i in view.cut)
    n_wanted = len(wanted)
    process = scenario.strikes
    effects = {name: np.zeros((capacity, n_wanted)) for name in EFFECTS}
    times = np.full((capacity, n_wanted), np.inf)
    existing = np.zeros(n_wanted)
    if process is not None and capacity > 0:
        low, mode, high = process.interval_days
        intervals = rng_strikes.triangular(low, mode, high, size=capacity) if high > low else np.full(capacity, low)
        first = rng_strikes.uniform() * intervals[0]
        strike_days = first + np.concatenate([[0.0], np.cumsum(intervals[1:])])
        strike_q = switch_q + strike_days * QUARTERS_PER_DAY
        probability = _hit_probabilities(process, wanted)
        # One uniform decides both whether a strike hits a region and whether it destroys a heat
        # plant there (u < p·q given u < p has probability q): the rare, costly combination is then
        # stratified across members as one dimension (``model.quasi_random``), not as a product of two.
        shape = (capacity, n_regions)
        hit_u = view.uniform(size=shape)
        hit = hit_u < probability
        effects["power_share"] = process.power_share.draw(view, shape)
        effects["power_days"] = process.power_restore_days.draw(view, shape)
        effects["heat_share"] = process.heat_lost_share.draw(view, shape)
        destroyed = hit_u < probability * process.plant_destroyed_probability
        heat_days = process.heat_restore_days.draw(view, shape)
        long_days = process.destroyed_restore_days.draw(view, shape)
        effects["heat_days"] = np.where(destroyed, long_days, heat_days)
        effects["emergency_share"] = process.emergency_share.draw(view, shape)
        effects["emergency_days"] = process.emergency_days.draw(view, shape)
        existing = process.existing_damage_restore_days.draw(view, n_regions)
        times = np.where(hit, strike_q[:, None], np.inf)
        if process.regional:
            slots = regional_slots(process.regional, capacity * process.interval_days[0])
            extra_t, extra = draw_regional(process.regional, tuple(regions), switch_q, slots, QUARTERS_PER_DAY,
                                           rng_strikes, view.cut)
            times = np.concatenate([times, extra_t])
            effects = {name: np.concatenate([effects[name], extra[name]]) for name in EFFECTS}
    times, effects = _append_events(times, effects, scenario.events, wanted, period)
    times = np.where(times >= switch_q, times, np.inf)  # scripted events apply after the switch only
    # The pauses of a scenario are one agreement: one outcome per member, drawn from the first's.
    held_share = scenario.pauses[0].outcomes.draw(rng_pause) if scenario.pauses else np.nan
    return times, effects, existing, pause_windows(times, scenario.pauses, wanted, period), held_share


def _append_events(times, effects, events: tuple[Event, ...], regions, period):
    if not events:
        return times, effects
    n_regions = len(regions)
    extra_t = np.full((len(events), n_regions), np.inf)
    extra = {name: np.zeros((len(events), n_regions)) for name in EFFECTS}
    for i, event in enumerate(events):  # scripted events are few; their shape, not their data, loops
        covered = _event_coverage(event, tuple(regions))
        extra_t[i] = np.where(covered, quarter_of(event.time, period), np.inf)
        extra["power_share"][i] = event.power_share
        extra["power_days"][i] = event.power_restore_days
        extra["heat_share"][i] = event.heat_lost_share
        extra["heat_days"][i] = event.heat_restore_days
        extra["emergency_share"][i] = event.emergency_share
        extra["emergency_days"][i] = event.emergency_days
    return (np.concatenate([times, extra_t]),
            {name: np.concatenate([effects[name], extra[name]]) for name in EFFECTS})


@lru_cache(maxsize=256)
def _event_coverage(event: Event, regions: tuple[str, ...]) -> np.ndarray:
    """Which regions a scripted event strikes, worked out once per region list, not per member."""
    return np.array(["*" in event.regions or p in event.regions or p[:4] in event.regions for p in regions])


def _hit_probabilities(process: StrikeProcess, regions: tuple[str, ...]) -> np.ndarray:
    return _probability_vector(tuple(sorted(process.hit_probability.items())), tuple(regions))


@lru_cache(maxsize=64)
def _probability_vector(items: tuple, regions: tuple[str, ...]) -> np.ndarray:
    """Hit probability per region, computed once per scenario and region list (not per member)."""
    table = dict(items)
    return np.array([probability_for(table, p) for p in regions])


@lru_cache(maxsize=64)
def _pause_coverage(pause: Pause, regions: tuple[str, ...]) -> np.ndarray:
    return np.array([pause.covers(p) for p in regions])


@lru_cache(maxsize=64)
def _pause_quarters(pause: Pause, period: Period) -> tuple[float, float]:
    """A pause's start and end in quarter-hours of the period, worked out once per pause, not per member."""
    return quarter_of(pause.start, period), quarter_of(pause.end, period)


def pause_windows(times: np.ndarray, pauses: tuple[Pause, ...], regions, period) -> tuple[np.ndarray, ...]:
    """Per (strike, region): how far into a covering pause window it falls (``phi`` in [0, 1), inf
    when none covers it), that window's start and length in quarter-hours, and whether it defers.
    Where windows overlap, the one the strike is earliest in counts."""
    phi = np.full(times.shape, np.inf)
    start_q = np.zeros(times.shape)
    length_q = np.ones(times.shape)
    defer = np.zeros(times.shape, dtype=bool)
    for pause in pauses:  # a scenario has one pause or a few; the arrays span strikes and regions
        start, end = _pause_quarters(pause, period)
        covered = _pause_coverage(pause, regions)
        share = np.where((times >= start) & (times < end) & covered[None, :], (times - start) / (end - start), np.inf)
        earlier = share < phi
        phi = np.where(earlier, share, phi)
        start_q = np.where(earlier, start, start_q)
        length_q = np.where(earlier, end - start, length_q)
        defer = np.where(earlier, pause.suppressed == "defer", defer)
    return phi, start_q, length_q, defer


class ScenarioHazard:
    """The hazard of one scenario for a block of members, computed one window at a time."""

    def __init__(self, base: Hazard, draws: StrikeDraws, switch_q: float):
        self.base = base
        self.period = base.period
        self.band_edges = base.band_edges
        self.draws = draws
        self.switch_q = switch_q
        q = int(np.clip(np.floor(switch_q), 0, base.rotating.shape[-1]))
        before = slice(max(0, q - QUARTERS_PER_DAY), q)
        level = base.rotating[0, :, before]
        self.rotating_level = level.mean(axis=-1) if level.shape[-1] else np.zeros(len(base.regions))
        last = max(q - 1, 0)
        self.persistent_level = base.persistent[0, :, last] if q > 0 else np.zeros(len(base.regions))
        self.heat_level = base.heat_lost[0, :, last] if q > 0 else np.zeros(len(base.regions))
        effects = draws.effects
        longest = np.maximum(np.maximum(effects["power_days"], effects["heat_days"]), effects["emergency_days"])
        self.repaired_q = draws.time + longest * QUARTERS_PER_DAY  # (M, S, R) when each strike's damage is gone

    @property
    def members(self) -> int:
        return self.draws.members

    @cached_property
    def window_arrays(self) -> tuple[np.ndarray, ...]:
        """What every window of the compiled engine reads (``scenario_kernel``), contiguous float64,
        made once: the standing damage's repair days (M, R), the rotating, persistent and heat levels
        at the switch (R,), the strike times and the six effects (M, S, R) in ``EFFECTS`` order."""
        def contiguous(values) -> np.ndarray:
            return np.ascontiguousarray(values, dtype=np.float64)

        return (contiguous(self.draws.existing_days), contiguous(self.rotating_level), contiguous(self.persistent_level),
                contiguous(self.heat_level), contiguous(self.draws.time),
                *(contiguous(self.draws.effects[name]) for name in EFFECTS))

    def window(self, q0: int, q1: int, shares=None) -> HazardWindow:
        """The supply state of quarter-hours [q0, q1). ``shares``: how the shares after the switch
        are computed (``scenario_shares``'s signature; the compiled engine passes its own, which
        gives the same numbers)."""
        base = self.base.window(q0, q1)
        t = np.arange(q0, q1, dtype=float) + 0.5
        after = t >= self.switch_q
        if not after.any():
            return HazardWindow(*(np.broadcast_to(a, (self.members, *a.shape[1:])) for a in
                                  (base.rotating, base.persistent, base.heat_lost)),
                                base.schedule, base.schedule_days)
        # Only strikes that have come by the end of the window and are not yet repaired at its start
        # act on it; the others would add exact zeros.
        arrived = np.flatnonzero(((self.draws.time < q1) & (self.repaired_q > q0)).any(axis=(0, 2)))
        rotating, persistent, heat = (shares or scenario_shares)(self, base, t, after, arrived)
        # Published schedules describe the observed grid: they stop applying at the switch.
        return HazardWindow(rotating, persistent, heat, base.schedule, base.schedule_days & ~after[None, :])


def scenario_shares(hazard: ScenarioHazard, base: HazardWindow, t: np.ndarray, after: np.ndarray,
                    arrived: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rotating, persistent and heat-loss shares (M, R, Q) of a window that reaches past the
    switch: the observed hazard before it; after it, the levels at the switch (standing damage
    repaired linearly) plus the ramps of the strikes ``arrived`` (indices along the strike axis)."""
    draws = hazard.draws
    since = np.maximum(t - hazard.switch_q, 0.0)  # quarters since the switch
    repair = np.clip(1.0 - since[None, None, :] / (draws.existing_days[:, :, None] * QUARTERS_PER_DAY + 1e-9), 0.0, 1.0)
    rotating = np.where(after, hazard.rotating_level[None, :, None], base.rotating)
    persistent = np.where(after, hazard.persistent_level[None, :, None] * repair, base.persistent)
    heat = np.where(after, hazard.heat_level[None, :, None] * repair, base.heat_lost)
    effects = {name: values[:, arrived] for name, values in draws.effects.items()}
    time = draws.time[:, arrived, :, None]                                 # (M,S,R,1)
    elapsed = t[None, None, None, :] - time                                # (M,S,R,Q)
    started = elapsed >= 0

    def ramp(share: str, days: str) -> np.ndarray:
        duration = effects[days][..., None] * QUARTERS_PER_DAY
        remaining = np.clip(1.0 - np.where(started, elapsed, 0.0) / np.maximum(duration, 1e-9), 0.0, 1.0)
        return (effects[share][..., None] * np.where(started & (duration > 0), remaining, 0.0)).sum(axis=1)

    return (np.clip(rotating + ramp("emergency_share", "emergency_days"), 0.0, 1.0),
            np.clip(persistent + ramp("power_share", "power_days"), 0.0, 1.0),
            np.clip(heat + ramp("heat_share", "heat_days"), 0.0, 1.0))
