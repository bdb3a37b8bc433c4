"""Regional strikes: the smaller attacks on one region's grid between the major combined strikes.

Kharkiv, 30 km from the border, was hit on its own on 5, 15, 23 and 26 January 2026, each time
with large outages, besides the major strikes (seeds/strikes_record_2026-01.toml). A region with a
``[strikes.regional.<region>]`` table gets a Poisson process of such strikes after the switch, at
``rate_per_day``, each cutting off a share of its customers and of its district-heat supply,
repaired linearly like a major strike's damage.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

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


def process_key(regional: dict, code: str) -> str | None:
    """The key of ``regional`` that gives region ``code`` its process: its own, else its oblast's."""
    if code in regional:
        return code
    return code[:4] if code[:4] in regional else None


@lru_cache(maxsize=64)
def process_columns(keys: tuple[str, ...], regions: tuple[str, ...]) -> tuple[tuple[str, np.ndarray], ...]:
    """Each regional process (by its key, in the order of the regions) with the columns of the
    regions it strikes: worked out once per region list, not for every member."""
    table = dict.fromkeys(keys)
    owner = [process_key(table, code) for code in regions]
    ordered = dict.fromkeys(key for key in owner if key is not None)
    columns = tuple((key, np.array([i for i, k in enumerate(owner) if k == key])) for key in ordered)
    for _, index in columns:
        index.flags.writeable = False  # shared by every member's draw
    return columns


def draw_regional(regional: dict, regions: tuple[str, ...], switch_q: float, slots: int, quarters_per_day: int,
                  rng, columns: np.ndarray | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Times (slots, R) in quarter-hours (inf in the columns of regions without a process) and
    effects of regional strikes; with ``columns`` (positions in ``regions``), of those regions only,
    the stream moving on as for all of them.

    Each process fills the ``slots`` rows of its regions' columns: one series of strikes for an
    oblast's process, which hits all of the oblast's units at once (a hromada-level case shares its
    oblast's strikes, as the reports it is fitted on count them). Gaps are exponential (drawn by
    inverting the uniform, so the draws stay stratified across members), the first from the switch.
    """
    owners = process_columns(tuple(regional), regions)
    rows = slots if owners else 0
    wanted = np.arange(len(regions)) if columns is None else np.asarray(columns)
    times = np.full((rows, len(wanted)), np.inf)
    names = ("power_share", "power_days", "heat_share", "heat_days", "emergency_share", "emergency_days")
    effects = {name: np.zeros((rows, len(wanted))) for name in names}
    for key, owned in owners:  # a few processes at most; the arrays span the slots
        process = regional[key]
        here = np.flatnonzero(np.isin(wanted, owned))  # the wanted regions this process strikes
        if not len(here) and hasattr(rng, "skip"):
            rng.skip(5 * slots)  # its gaps and four effects, of which nothing is wanted
            continue
        gaps = -np.log1p(-rng.uniform(size=slots)) / process.rate_per_day
        times[:, here] = (switch_q + np.cumsum(gaps) * quarters_per_day)[:, None]
        effects["power_share"][:, here] = process.power_share.draw(rng, slots)[:, None]
        effects["power_days"][:, here] = process.power_restore_days.draw(rng, slots)[:, None]
        effects["heat_share"][:, here] = process.heat_lost_share.draw(rng, slots)[:, None]
        effects["heat_days"][:, here] = process.heat_restore_days.draw(rng, slots)[:, None]
    return times, effects
