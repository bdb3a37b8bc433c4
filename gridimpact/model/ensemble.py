"""Ensembles: one seed, a random stream per member, members run in blocks.

Each member m draws from its own streams, ``SeedSequence(seed, spawn_key=(m, stream))``, for the
strikes, the pause decisions, the parameters and the weather. A member's results therefore depend
only on the seed and its index — not on how members are grouped into blocks, how many workers run
them, or in which order — and every scenario sees the same draws for the same member (common random
numbers), so differences between scenarios are paired.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from gridimpact.model.climatology import fill_beyond_observed
from gridimpact.model.engine import Building, Exposure, Settings, simulate
from gridimpact.model.hazard import Hazard
from gridimpact.model.metrics import PERSON_METRICS
from gridimpact.model.params import Params, sample_params
from gridimpact.model.period import Period
from gridimpact.model.scenarios import Scenario
from gridimpact.model.strikes import (
    EFFECTS,
    ScenarioHazard,
    StrikeDraws,
    draw_member,
    strike_capacity,
)

STREAMS = ("strikes", "pause", "params", "weather", "exposure")


def member_rng(seed: int, member: int, stream: str) -> np.random.Generator:
    """The random generator of one member's stream (independent of every other member and stream)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(member, STREAMS.index(stream))))


@dataclass(frozen=True)
class EnsembleSetup:
    """Everything the scenarios of one comparison share, for one block of regions.

    Random draws are always made for ``all_regions`` and then cut to the block
    (``block_index``), so that a region's results do not depend on how regions are blocked.
    """

    regions: tuple[str, ...]       # this block's regions
    all_regions: tuple[str, ...]   # every region of the comparison, in order
    block_index: np.ndarray        # positions of ``regions`` in ``all_regions``
    period: Period
    params: Params
    exposure: Exposure             # this block
    base: Hazard                   # this block
    observed_outdoor: np.ndarray   # (all regions, H) °C, NaN after the last known hour
    climatology: object | None     # climatology.Climatology, needed when temperatures run out
    as_of_q: float                 # quarter-hour index of the as-of moment
    observed_until_q: float        # end of the observed outage reports
    seed: int
    engine: str | None = None      # engine.ENGINES; None: the default


def _switch(setup: EnsembleSetup, scenario: Scenario) -> float:
    return max(setup.as_of_q, setup.observed_until_q) if scenario.replay_observed else setup.as_of_q


def draw_block(setup: EnsembleSetup, scenario: Scenario, members: Sequence[int]) -> StrikeDraws:
    """Strike draws of a block of members, stacked along the member axis."""
    switch_q = _switch(setup, scenario)
    horizon_days = setup.period.quarters_to_days(setup.period.n_quarters - switch_q) + 1
    capacity = strike_capacity(scenario.strikes, horizon_days)
    drawn = [draw_member(scenario, setup.all_regions, setup.period, switch_q, capacity,
                         member_rng(setup.seed, m, "strikes"), member_rng(setup.seed, m, "pause"))
             for m in members]
    cut = setup.block_index
    times = np.stack([d[0][:, cut] for d in drawn])
    effects = {name: np.stack([d[1][name][:, cut] for d in drawn]) for name in EFFECTS}
    return StrikeDraws(time=times, effects=effects, existing_days=np.stack([d[2][cut] for d in drawn]),
                       pause_held=np.stack([d[3] for d in drawn]))


def member_parameters(setup: EnsembleSetup, members: Sequence[int]) -> dict:
    """Per-member parameter values (arrays of the block's length for the sampled ones)."""
    samples = [sample_params(setup.params, 1, member_rng(setup.seed, m, "params")) for m in members]
    values = setup.params.to_dict()
    return {name: np.concatenate([np.atleast_1d(s[name]) for s in samples]) if np.ndim(samples[0][name]) else values[name]
            for name in values}


def member_population_scale(setup: EnsembleSetup, members: Sequence[int]) -> np.ndarray:
    """(M, R) sampled population / population: triangular on each region's documented range
    (``population_low`` … ``population_high``) with its mode at the population; 1 without a range.

    Person counts are proportional to the population at fixed shares, so the engine runs on the
    population and each member's counts are scaled afterwards. A member's uniform draws cover every
    region and are then cut to the block.
    """
    u = np.stack([member_rng(setup.seed, m, "exposure").random(len(setup.all_regions))[setup.block_index]
                  for m in members])
    population = setup.exposure.population
    bounds = setup.exposure.population_range
    if bounds is None:
        return np.ones_like(u)
    low = np.fmin(bounds[:, 0], population)
    high = np.fmax(bounds[:, 1], population)
    known = ~np.isnan(bounds).any(axis=1) & (high > low) & (population > 0)
    low, high = np.where(known, low, population), np.where(known, high, population)
    span = np.where(known, high - low, 1.0)
    below = (population - low) / span
    sampled = np.where(u < below, low + np.sqrt(u * span * (population - low)),
                       high - np.sqrt((1.0 - u) * span * (high - population)))
    return np.where(known, sampled / np.where(population > 0, population, 1.0), 1.0)


def member_weather(setup: EnsembleSetup, members: Sequence[int]) -> np.ndarray:
    """(M, R, H) outdoor temperature: observed, then a climatological draw per member where it runs out.

    A member's draw covers every region (regions are correlated) and is then cut to the block.
    """
    observed = setup.observed_outdoor
    if not np.isnan(observed).any():
        return observed[setup.block_index][None]
    return np.stack([fill_beyond_observed(setup.climatology, list(setup.all_regions), setup.period.hours,
                                          observed, member_rng(setup.seed, m, "weather"))[setup.block_index]
                     for m in members])


@dataclass
class ScenarioRun:
    """One scenario's ensemble: daily metrics (name → (M, R, D)) and whether its pauses all held
    in each member ((M,) booleans; None when the scenario has no pause)."""

    daily: dict[str, np.ndarray]
    pause_held: np.ndarray | None


def run_block(setup: EnsembleSetup, scenarios: Sequence[Scenario], members: Sequence[int],
              progress: Callable[[int], None] | None = None) -> list[ScenarioRun]:
    """Every scenario for one block of members.

    The days before the earliest switch are the same in every scenario (observed hazard, same
    weather and parameters per member), so they are simulated once and each scenario continues
    from that state.
    """
    values = member_parameters(setup, members)
    building = Building.from_values(values, len(members))
    outdoor = member_weather(setup, members)
    scale = member_population_scale(setup, members)
    settings = Settings.from_params(setup.params, setup.engine)
    hazards, held = [], []
    for scenario in scenarios:
        draws = draw_block(setup, scenario, members)
        hazards.append(ScenarioHazard(setup.base, draws, _switch(setup, scenario)))
        held.append(draws.pause_held.all(axis=1) if draws.pause_held.shape[1] else None)
    n_days = len(setup.period.days)
    shared_days = int(setup.period.day_of_quarter(min(h.switch_q for h in hazards)))
    shared_days = max(0, min(shared_days, n_days))
    prefix = simulate(hazards[0], outdoor, setup.exposure, building, settings, days=range(shared_days),
                      progress=progress)
    runs = []
    for hazard, pause_held in zip(hazards, held, strict=True):
        rest = simulate(hazard, outdoor, setup.exposure, building, settings, days=range(shared_days, n_days),
                        state=prefix.state, progress=progress)
        daily = {name: np.concatenate([np.broadcast_to(prefix.daily[name], (len(members), *prefix.daily[name].shape[1:])),
                                       rest.daily[name]], axis=2)
                 for name in rest.daily}
        for name in PERSON_METRICS:
            daily[name] = daily[name] * scale[:, :, None]
        runs.append(ScenarioRun(daily, pause_held))
    return runs


def run_ensemble(setup: EnsembleSetup, scenarios: Sequence[Scenario], members: int, *, block: int = 50,
                 progress: Callable[[int], None] | None = None, runner: Callable | None = None,
                 workers: int = 1) -> list[ScenarioRun]:
    """Every scenario's ensemble, members run in blocks (results do not depend on ``block``).

    ``runner`` maps a list of (setup, scenarios, member indices) jobs to their results (for a
    cluster). Otherwise blocks run here, on ``workers`` threads: numpy releases the interpreter
    lock in its array loops, so blocks of a few dozen members use several cores.
    """
    blocks = [range(start, min(start + block, members)) for start in range(0, members, block)]
    if runner is not None:
        results = runner([(setup, list(scenarios), b) for b in blocks])
    elif workers > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(blocks))) as pool:
            results = list(pool.map(lambda b: run_block(setup, scenarios, b, progress), blocks))
    else:
        results = [run_block(setup, scenarios, b, progress) for b in blocks]
    return _gather(results, len(scenarios), members)


def _gather(results: list[list[ScenarioRun]], n_scenarios: int, members: int) -> list[ScenarioRun]:
    """Stack the blocks' runs along the member axis into arrays allocated once."""
    runs = []
    for i in range(n_scenarios):
        parts = [block_runs[i] for block_runs in results]
        daily = {}
        for name, first in parts[0].daily.items():
            stacked = np.empty((members, *first.shape[1:]), dtype=first.dtype)
            start = 0
            for part in parts:
                values = part.daily[name]
                stacked[start:start + len(values)] = values
                start += len(values)
                part.daily[name] = None  # release the block's copy as soon as it is stacked
            daily[name] = stacked
        held = None if parts[0].pause_held is None else np.concatenate([p.pause_held for p in parts])
        runs.append(ScenarioRun(daily, held))
    return runs
