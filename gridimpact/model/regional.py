"""Regional strikes: the smaller attacks on one region's grid between the major combined strikes.

Kharkiv, 30 km from the border, was hit on its own on 5, 15, 23 and 26 January 2026, each time
with large outages, besides the major strikes (seeds/strikes_record_2026-01.toml). A region with a
``[strikes.regional.<region>]`` table gets a Poisson process of such strikes after the switch, at
``rate_per_day``, each cutting off a share of its customers and of its district-heat supply,
repaired linearly like a major strike's damage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridimpact.model.scenarios import probability_for

SLOTS_PER_EXPECTED = 3
"""Slots per expected regional strike in the horizon (plus 3): the process cannot run out of them
in practice (P < 1e-6 for the embedded rates), and their number fixes the draws per member."""


@dataclass(frozen=True)
class RegionalStrikes:
    rate_per_day: float
    power_share: object        # scenarios.Range
    power_restore_days: object
    heat_lost_share: object
    heat_restore_days: object


def regional_slots(regional: dict, horizon_days: float) -> int:
    """Slots per region with a regional process (the same for every member)."""
    if not regional:
        return 0
    rate = max(r.rate_per_day for r in regional.values())
    return int(np.ceil(SLOTS_PER_EXPECTED * rate * max(horizon_days, 0.0))) + 3


def draw_regional(regional: dict, regions: tuple[str, ...], switch_q: float, slots: int, quarters_per_day: int,
                  rng) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Times (slots, R) in quarter-hours (inf in the columns of regions without a process) and
    effects of regional strikes.

    Each region with a process fills its own column of the ``slots`` rows; gaps are exponential (drawn by inverting the
    uniform, so the draws stay stratified across members), the first from the switch.
    """
    owners = [code for code in regions if probability_for({k: 1.0 for k in regional}, code) > 0]
    rows = slots if owners else 0  # each region's strikes in its own column, so the regions share rows
    n_regions = len(regions)
    times = np.full((rows, n_regions), np.inf)
    names = ("power_share", "power_days", "heat_share", "heat_days", "emergency_share", "emergency_days")
    effects = {name: np.zeros((rows, n_regions)) for name in names}
    for code in owners:  # a few regions at most; the arrays span the slots
        process = regional.get(code) or regional[code[:4]]
        column = regions.index(code)
        gaps = -np.log1p(-rng.uniform(size=slots)) / process.rate_per_day
        block = slice(0, slots)
        times[block, column] = switch_q + np.cumsum(gaps) * quarters_per_day
        effects["power_share"][block, column] = process.power_share.draw(rng, slots)
        effects["power_days"][block, column] = process.power_restore_days.draw(rng, slots)
        effects["heat_share"][block, column] = process.heat_lost_share.draw(rng, slots)
        effects["heat_days"][block, column] = process.heat_restore_days.draw(rng, slots)
    return times, effects
