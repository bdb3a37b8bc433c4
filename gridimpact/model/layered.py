"""Running the strata of a pause day by day, each from the day on which it first differs.

Stratum j of a member spares one more strike than stratum j − 1, so the two are identical up to the
day of that strike. The scenario's first stratum is simulated one day at a time, keeping the state
at the start of every day up to the last day a later stratum starts on, then the rest in one run;
each later stratum then starts each of its members from the previous stratum's state on the day
its extra strike would have come, and simulates only the members, and of them only the regions,
that differ. Results are the same as simulating every stratum from the switch; the work is about
halved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridimpact.model.engine import Settings, prepare, simulate
from gridimpact.model.strata import put_members, take_members
from gridimpact.model.strikes import ScenarioHazard, StrikeDraws


@dataclass
class Layer:
    """One stratum: daily metrics (name → (M, R, D)) and the state at the start of each day from
    ``first_day`` (``states[d - first_day]``) up to the last day a later stratum can start on
    (``LayeredRunner.keep_until``); None after it."""

    daily: dict[str, np.ndarray]
    states: list
    owned: frozenset = frozenset()  # indices of ``states`` whose arrays this layer made (and may change)


class LayeredRunner:
    """Simulates strata of one block of members after the days every scenario shares."""

    def __init__(self, setup, building, outdoor, prefix, shared_days: int, settings: Settings, keep_until: int):
        """``keep_until``: the last day on which any stratum of the block starts; the states of
        later days are never read again, so they are neither kept nor copied."""
        self.setup, self.building, self.outdoor, self.prefix = setup, building, outdoor, prefix
        self.first_day, self.n_days = shared_days, len(setup.period.days)
        self.settings = settings
        self.size = building.members
        self.keep_until = keep_until
        self.prepared = prepare(setup.exposure, building, setup.base.band_edges)  # cut per stratum, not redone

    def _members(self, value, members):
        if members is None:  # every member, as they are
            return value
        return take_members(value, members, self.size)

    def _weather(self, members):
        return self.outdoor[members] if members is not None and self.outdoor.shape[0] == self.size else self.outdoor

    def _days(self, hazard: ScenarioHazard, members, days: range, state, report=None, consume=False, active=None):
        return simulate(hazard, self._weather(members), self.setup.exposure, self._members(self.building, members),
                        self.settings, days=days, state=state, progress=report, consume_state=consume,
                        prepared=self._members(self.prepared, members), active=active)

    def whole(self, draw: StrikeDraws, switch: float, report=None) -> Layer:
        """Every member, from the shared days to the end."""
        before = {name: np.broadcast_to(v, (self.size, *v.shape[1:])) for name, v in self.prefix.daily.items()}
        state, states, days = self.prefix.state, [self.prefix.state], []
        hazard = ScenarioHazard(self.setup.base, draw, switch)
        day = self.first_day
        while day <= min(self.keep_until, self.n_days - 1):  # a stratum may start from each day's state
            step = self._days(hazard, None, range(day, day + 1), state, report)
            state = step.state
            states.append(state if day + 1 <= self.keep_until else None)
            days.append(step.daily)
            day += 1
        if day < self.n_days:  # no stratum starts later: the rest in one run, its state advanced in
            # place (never the shared prefix's)
            step = self._days(hazard, None, range(day, self.n_days), state, report, consume=self.first_day < day)
            states.extend([None] * (self.n_days - day))
            days.append(step.daily)
        daily = {name: np.concatenate([before[name], *(d[name] for d in days)], axis=2) if days else before[name].copy()
                 for name in before}
        return Layer(daily, states)

    def stratum(self, previous: Layer, draw: StrikeDraws, switch: float, members: np.ndarray,
                start_days: np.ndarray, *, consume: bool = False, cells: np.ndarray | None = None) -> Layer:
        """``previous`` with ``members`` (block indices; ``draw`` holds their draws in that order)
        re-simulated, each from its own ``start_days``. With ``consume`` the caller hands
        ``previous`` over (no one reads it again): its states are updated in place, not copied.

        ``cells`` (members, regions) bool: the regions whose strikes differ from ``previous``'s for
        each member. Only those are simulated; the others keep ``previous``'s values and states,
        which are theirs to the last bit (regions are independent cells)."""
        daily = {name: values.copy() for name, values in previous.daily.items()}
        # a member's entry for day d + 1 is written after its entry for day d is read, and a member
        # joining on day d reads an entry no member of this stratum has written yet
        states = previous.states if consume else list(previous.states)
        owned = set(previous.owned) if consume else set()  # entries shared with another layer are copied
        start_days = np.maximum(start_days, self.first_day)
        last_join = int(start_days.max(initial=self.first_day))
        active = np.zeros(len(members), dtype=bool)
        state = None
        day = int(start_days.min(initial=self.n_days))
        while day < self.n_days:
            active |= start_days <= day
            chosen = np.flatnonzero(active)
            who = members[chosen]
            if day <= last_join:
                # the state at the start of the day: this stratum's for members already running, the
                # previous stratum's for those joining today (a copy: ``take_members`` indexes)
                state = self._members(states[day - self.first_day], who)
                hazard = ScenarioHazard(self.setup.base, draw.take(chosen), switch)
            # else every member has joined: the day continues from yesterday's own state and hazard;
            # once no later stratum reads a state either, the rest runs in one go
            last = day + 1 if day <= last_join or day + 1 <= self.keep_until else self.n_days
            mask = None if cells is None else cells[chosen]
            step = self._days(hazard, who, range(day, last), state, consume=True, active=mask)
            for name, values in step.daily.items():
                if mask is not None:  # the cells left out keep the previous stratum's values
                    values = np.where(mask[:, :, None], values, daily[name][who, :, day:last])
                daily[name][who, :, day:last] = values
            entry = day + 1 - self.first_day
            if last == day + 1 and day + 1 <= self.keep_until:  # a later stratum may start from it
                states[entry] = put_members(states[entry], who, step.state, self.size, in_place=entry in owned,
                                            cells=mask)
                owned.add(entry)
            state = step.state
            day = last
        return Layer(daily, states, frozenset(owned))
