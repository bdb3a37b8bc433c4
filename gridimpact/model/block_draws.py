"""Members' random streams and the strike draws of a block of members on a block of regions.

Each member m draws from its own streams, ``SeedSequence(seed, spawn_key=(m, stream))`` — quasi-random
within its batch for the strikes and parameters (``model.quasi_random``) — so a member's draws
depend only on the seed and its index. ``draw_block`` stacks a block's strike draws on the block's
regions; the strata need every region's strikes, whose few numbers per member the memo keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from gridimpact.model.quasi_random import BatchUniforms
from gridimpact.model.scenarios import Scenario
from gridimpact.model.strata import stacked_levels, strike_levels
from gridimpact.model.strikes import EFFECTS, StrikeDraws, draw_member, strike_capacity

if TYPE_CHECKING:
    from gridimpact.model.ensemble import EnsembleSetup

STREAMS = ("strikes", "pause", "params", "weather", "exposure")
DRAW_MEMO_REGION_MEMBERS = 1 << 15
"""Regions × members up to which members' whole strike draws are kept between region blocks (about
100 MiB per scenario at most, for a month of strikes); a larger comparison draws each block's
columns only and keeps the members' levels."""


QUASI_RANDOM_STREAMS = ("strikes", "params")
"""Streams drawn as scrambled Sobol' points across batches of members (``model.quasi_random``)."""


def member_rng(seed: int, member: int, stream: str):
    """The random generator of one member's stream (independent of every other member and stream;
    quasi-random within its batch for the strike and parameter streams)."""
    if stream in QUASI_RANDOM_STREAMS:
        return BatchUniforms(seed, member, STREAMS.index(stream))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(member, STREAMS.index(stream))))


def scenario_switch(setup: EnsembleSetup, scenario: Scenario) -> float:
    """The quarter-hour from which the scenario's strikes replace the observed hazard."""
    return max(setup.as_of_q, setup.observed_until_q) if scenario.replay_observed else setup.as_of_q


def strike_rows(setup: EnsembleSetup, scenario: Scenario) -> tuple[float, int]:
    """The scenario's switch (quarter-hour) and the major-strike slots a member draws after it."""
    switch_q = scenario_switch(setup, scenario)
    horizon_days = setup.period.quarters_to_days(setup.period.n_quarters - switch_q) + 1
    return switch_q, strike_capacity(scenario.strikes, horizon_days)


def draw_block(setup: EnsembleSetup, scenario: Scenario, members: Sequence[int]) -> StrikeDraws:
    """Strike draws of a block of members on this setup's regions, stacked along the member axis.

    The strata need the positions of each member's strikes in pause windows over every region
    (``strata.strike_levels``). In a comparison of up to ``DRAW_MEMO_REGION_MEMBERS`` regions ×
    members, a block's members are drawn whole once, stacked, kept in the memo and cut for each group; in a
    larger one a block reads the member's streams at its own columns only (``strikes.ColumnView``)
    and the memo keeps only each member's levels, from one whole draw."""
    switch_q, capacity = strike_rows(setup, scenario)
    memo = setup.memo if setup.memo is not None else {}
    cut = setup.block_index
    small = setup.memo is not None and len(setup.all_regions) * max(members, default=0) <= DRAW_MEMO_REGION_MEMBERS

    def draw(m: int, columns=None):
        return draw_member(scenario, setup.all_regions, setup.period, switch_q, capacity,
                           member_rng(setup.seed, m, "strikes"), member_rng(setup.seed, m, "pause"), columns)

    def whole(m: int):
        """A member's draw of every region with its levels."""
        times, effects, existing, windows, held = draw(m)
        return times, effects, existing, windows, held, strike_levels(windows[0], times)

    def levels(m: int):
        key = ("levels", scenario.name, m)
        if key not in memo:  # a few numbers per member
            memo[key] = whole(m)[5]
        return memo[key]

    if small or len(cut) == len(setup.all_regions):
        # the block's members drawn over every region, stacked once (kept for the other groups of
        # a small comparison), then cut to this group's regions
        key = ("stacked", scenario.name, tuple(members))
        stacked = memo.get(key)
        if stacked is None:
            stacked = _stacked([whole(m) for m in members])
            if small:
                memo[key] = stacked
        times, effects, existing, windows, held, (level_values, level_times) = stacked
        return StrikeDraws(time=times[:, :, cut], effects={name: v[:, :, cut] for name, v in effects.items()},
                           existing_days=existing[:, cut], phi=windows[0][:, :, cut],
                           pause_start=windows[1][:, :, cut], pause_length=windows[2][:, :, cut],
                           defer=windows[3][:, :, cut], held_share=held, levels=level_values,
                           level_time=level_times)
    drawn = [draw(m, cut) for m in members]
    found = [levels(m) if scenario.pauses else (np.empty(0), np.empty(0)) for m in members]
    times, effects, existing, windows, held, (level_values, level_times) = _stacked(
        [(*d, found_m) for d, found_m in zip(drawn, found, strict=True)])
    return StrikeDraws(time=times, effects=effects, existing_days=existing, phi=windows[0], pause_start=windows[1],
                       pause_length=windows[2], defer=windows[3], held_share=held, levels=level_values,
                       level_time=level_times)


def _stacked(parts: list[tuple]) -> tuple:
    """Members' draws (times, effects, existing, windows, held, levels) stacked along a member axis."""
    return (np.stack([d[0] for d in parts]), {name: np.stack([d[1][name] for d in parts]) for name in EFFECTS},
            np.stack([d[2] for d in parts]), [np.stack([d[3][i] for d in parts]) for i in range(4)],
            np.array([d[4] for d in parts], dtype=float), stacked_levels([d[5] for d in parts]))
