"""The nested outcomes of a pause in each member, and their exact probabilities.

A member's strikes inside pause windows, ordered by how far into the window they fall
(φ₁ < φ₂ < … < φₙ), can only be suppressed from the first on: a pause that held a share ``h`` of its
window suppresses exactly those with φ < h. So the member has n + 1 possible outcomes — stratum j
suppresses its first j strikes; stratum 0 is the pause failing, stratum n the pause holding — and

    P(stratum ≥ j) = S(φⱼ),  S the survival function of ``h`` (``PauseOutcomes.survival``).

Every stratum is simulated, so the expected change over the pause's outcome is an exact weighted
sum per member; Monte-Carlo error then comes only from strikes, weather and parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass

import numpy as np

from gridimpact.model.pauses import PauseOutcomes
from gridimpact.model.strikes import StrikeDraws


@dataclass(frozen=True)
class Strata:
    """For a block of members: the φ levels that bound each stratum and their probabilities."""

    levels: np.ndarray   # (M, V) sorted distinct φ per member, inf-padded beyond its own count
    count: np.ndarray    # (M,) n: strikes (levels) the member's pause could suppress
    weights: np.ndarray  # (M, V + 1) probability of each stratum
    breach_weights: np.ndarray  # (M, V + 1) probability of each stratum given that the pause is breached
    realized: np.ndarray  # (M,) the stratum of the member's own outcome draw
    level_time: np.ndarray | None = None  # (M, V) quarter-hour of the strike each level spares (inf-padded)

    @property
    def size(self) -> int:
        """Strata beyond stratum 0 (the most strikes any member could have suppressed)."""
        return self.levels.shape[1]

    def first_day(self, stratum: int, members: np.ndarray, quarters_per_day: int) -> np.ndarray:
        """Day from which stratum ``stratum`` differs from the one before, for each of ``members``."""
        return np.floor(self.level_time[members, stratum - 1] / quarters_per_day).astype(int)

    def last_day(self, quarters_per_day: int) -> int:
        """The last day on which any stratum of any member starts (−1 if none does)."""
        if self.level_time is None or not np.isfinite(self.level_time).any():
            return -1
        return int(np.floor(self.level_time[np.isfinite(self.level_time)].max() / quarters_per_day))

    def cutoff(self, stratum: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Members that have this stratum, their φ cutoff and the φ of the next strike (inf if none)."""
        members = np.flatnonzero(self.count >= stratum)
        cut = self.levels[members, stratum - 1]
        following = self.levels[members, stratum] if stratum < self.size else np.full(len(members), np.inf)
        return members, cut, following


def strike_levels(phi: np.ndarray, time: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One member's distinct positions in pause windows (sorted φ of the strikes inside one) over
    ``phi`` (S, R), and the time of the earliest strike at each (from ``time`` (S, R))."""
    flat_phi, flat_time = phi.ravel(), time.ravel()
    levels = np.unique(flat_phi[np.isfinite(flat_phi)])  # a few strikes per member
    return levels, np.array([flat_time[flat_phi == level].min() for level in levels])


def stacked_levels(found: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Members' ``strike_levels`` as (M, V) arrays of levels and their times, inf-padded."""
    width = max((len(levels) for levels, _ in found), default=0)
    levels, times = np.full((len(found), width), np.inf), np.full((len(found), width), np.inf)
    for m, (member_levels, member_times) in enumerate(found):  # a few levels per member
        levels[m, :len(member_levels)], times[m, :len(member_levels)] = member_levels, member_times
    return levels, times


def strata_of(draws: StrikeDraws, outcomes: PauseOutcomes | None) -> Strata:
    """The strata of each member from its strike draws (no pause: one stratum, weight 1).

    Levels come from every region of the comparison (``draws.levels``, else the block's own
    ``phi``), so that stratum j is the same outcome in every block of regions and their totals add up.
    """
    members = draws.members
    if outcomes is None:
        one = np.ones((members, 1))
        return Strata(np.full((members, 0), np.inf), np.zeros(members, dtype=int), one, one,
                      np.zeros(members, dtype=int))
    if draws.levels is not None:
        levels, level_time = draws.levels, draws.level_time
    else:
        levels, level_time = stacked_levels([strike_levels(draws.phi[m], draws.time[m]) for m in range(members)])
    count = np.isfinite(levels).sum(axis=1)
    phi = np.where(np.isfinite(levels), levels, 1.0)

    def stratum_probabilities(probabilities=None) -> np.ndarray:
        at_least = np.concatenate([np.ones((members, 1)), outcomes.survival(phi, probabilities),
                                   np.zeros((members, 1))], axis=1)
        return at_least[:, :-1] - at_least[:, 1:]

    realized = (levels < draws.held_share[:, None]).sum(axis=1)
    return Strata(levels, count, stratum_probabilities(), stratum_probabilities((0.0, 1.0, 0.0)), realized,
                  level_time)


def put_members(value, members: np.ndarray, part, total: int, *, in_place: bool = False,
                cells: np.ndarray | None = None):
    """``value`` with the per-member arrays of ``members`` replaced by ``part``'s: a copy, or
    ``value`` itself changed when ``in_place`` (its owner hands it over). ``cells`` (members,
    regions) bool: only those cells are replaced (arrays with a region axis after the member's)."""
    changes = {}
    for field in fields(value):
        item = getattr(value, field.name)
        if isinstance(item, np.ndarray) and item.ndim and item.shape[0] == total:
            item = item if in_place and item.flags.writeable else item.copy()
            new = getattr(part, field.name)
            if cells is not None:
                new = np.where(cells.reshape(cells.shape + (1,) * (item.ndim - 2)), new, item[members])
            item[members] = new
        changes[field.name] = item
    return type(value)(**changes)


def take_members(value, members: np.ndarray, total: int):
    """The same dataclass with every per-member array (leading axis ``total``) cut to ``members``."""
    changes = {}
    for field in fields(value):
        item = getattr(value, field.name)
        if isinstance(item, np.ndarray) and item.ndim and item.shape[0] == total:
            changes[field.name] = item[members]
        elif is_dataclass(item) and not isinstance(item, type):
            changes[field.name] = take_members(item, members, total)
        else:
            changes[field.name] = item
    return type(value)(**changes)
