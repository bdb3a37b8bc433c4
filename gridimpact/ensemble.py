"""Ensembles: one seed, a random stream per member, members run in blocks.

Each member m draws from its own streams, ``SeedSequence(seed, spawn_key=(m, stream))``, for the
strikes, the pause decisions, the parameters and the weather. A member's results therefore depend
only on the seed and its index — not on how members are grouped into blocks, how many workers run
them, or in which order — and every scenario sees the same draws for the same member (common random
numbers), so differences between scenarios are paired.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gridimpact.engine import Building, Exposure, simulate
from gridimpact.hazard import Hazard, Period
from gridimpact.params import Params, sample_params
from gridimpact.scenarios import Scenario
from gridimpact.strikes import (
    EFFECTS,
    ScenarioHazard,
    StrikeDraws,
    draw_member,
    quarter_of,
    strike_capacity,
)

STREAMS = ("strikes", "pause", "params", "weather")


def member_rng(seed: int, member: int, stream: str) -> np.random.Generator:
    """The random generator of one member's stream (independent of every other member and stream)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(member, STREAMS.index(stream))))


@dataclass(frozen=True)
class EnsembleSetup:
    """Everything the scenarios of one comparison share."""

    regions: tuple[str, ...]
    period: Period
    params: Params
    exposure: Exposure
    base: Hazard
    observed_outdoor: np.ndarray   # (R, H) °C, NaN after the last known hour
    climatology: object | None     # climatology.Climatology, needed when temperatures run out
    as_of_q: float                 # quarter-hour index of the as-of moment
    observed_until_q: float        # end of the observed outage reports
    seed: int


def _switch(setup: EnsembleSetup, scenario: Scenario) -> float:
    return max(setup.as_of_q, setup.observed_until_q) if scenario.replay_observed else setup.as_of_q


def draw_block(setup: EnsembleSetup, scenario: Scenario, members: Sequence[int]) -> StrikeDraws:
    """Strike draws of a block of members, stacked along the member axis."""
    switch_q = _switch(setup, scenario)
    horizon_days = (len(setup.period.hours) * 4 - switch_q) / 96 + 1
    capacity = strike_capacity(scenario.strikes, horizon_days)
    drawn = [draw_member(scenario, setup.regions, setup.period, switch_q, capacity,
                         member_rng(setup.seed, m, "strikes"), member_rng(setup.seed, m, "pause"))
             for m in members]
    times = np.stack([d[0] for d in drawn])
    effects = {name: np.stack([d[1][name] for d in drawn]) for name in EFFECTS}
    return StrikeDraws(time=times, effects=effects, existing_days=np.stack([d[2] for d in drawn]),
                       pause_held=np.stack([d[3] for d in drawn]))


def member_parameters(setup: EnsembleSetup, members: Sequence[int]) -> dict:
    """Per-member parameter values (arrays of the block's length for the sampled ones)."""
    samples = [sample_params(setup.params, 1, member_rng(setup.seed, m, "params")) for m in members]
    values = setup.params.to_dict()
    return {name: np.concatenate([np.atleast_1d(s[name]) for s in samples]) if np.ndim(samples[0][name]) else values[name]
            for name in values}


def member_weather(setup: EnsembleSetup, members: Sequence[int]) -> np.ndarray:
    """(M, R, H) outdoor temperature: observed, then a climatological draw per member where it runs out."""
    observed = setup.observed_outdoor
    if not np.isnan(observed).any():
        return observed[None]
    from gridimpact.climatology import fill_beyond_observed

    return np.stack([fill_beyond_observed(setup.climatology, list(setup.regions), setup.period.hours,
                                          observed, member_rng(setup.seed, m, "weather"))
                     for m in members])


def run_block(setup: EnsembleSetup, scenario: Scenario, members: Sequence[int],
              progress: Callable[[int], None] | None = None) -> dict[str, np.ndarray]:
    """Daily metrics (name → (len(members), R, D)) of one scenario for a block of members."""
    draws = draw_block(setup, scenario, members)
    hazard = ScenarioHazard(setup.base, draws, _switch(setup, scenario))
    values = member_parameters(setup, members)
    building = Building.from_values(values, len(members))
    outdoor = member_weather(setup, members)
    params = setup.params
    simulation = simulate(hazard, outdoor, setup.exposure, building, rotation_block=params.rotation_block,
                          bands=params.district_heat_bands, hdd_base=params.hdd_base,
                          risk_share=params.risk_share, progress=progress)
    return simulation.daily


def run_ensemble(setup: EnsembleSetup, scenario: Scenario, members: int, *, block: int = 64,
                 progress: Callable[[int], None] | None = None,
                 runner: Callable | None = None) -> dict[str, np.ndarray]:
    """Daily metrics (name → (members, R, D)) of one scenario, run in blocks of members.

    ``runner`` maps a list of (setup, scenario, member indices) jobs to results (for a cluster);
    by default blocks run here, one after another.
    """
    blocks = [range(start, min(start + block, members)) for start in range(0, members, block)]
    if runner is None:
        results = [run_block(setup, scenario, b, progress) for b in blocks]
    else:
        results = runner([(setup, scenario, b) for b in blocks])
    return {name: np.concatenate([r[name] for r in results], axis=0) for name in results[0]}


def quantiles(values: np.ndarray, ordinal: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P10, P50, P90 over the member axis (axis 0); ordinal data take observed values only."""
    method = "inverted_cdf" if ordinal else "linear"
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9], axis=0, method=method)
    return p10, p50, p90


def as_of_quarter(moment, period: Period) -> float:
    return quarter_of(moment, period)
