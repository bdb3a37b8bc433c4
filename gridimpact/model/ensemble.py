"""Ensembles: one seed, a random stream per member, members run in blocks.

Each member m draws from its own streams, ``SeedSequence(seed, spawn_key=(m, stream))``, for the
strikes, the pause decisions, the parameters and the weather. A member's results therefore depend
only on the seed and its index — not on how members are grouped into blocks, how many workers run
them, or in which order — and every scenario sees the same draws for the same member (common random
numbers), so differences between scenarios are paired.

A scenario with a pause is run once per stratum of its outcome (``model.strata``): every member
with the pause failing, holding for each of its nested partial spans, and holding fully. The tables
weight the strata by their exact probabilities, so the expected change does not depend on which
members' pauses happened to hold. Strata are defined by the strikes of every region of the
comparison; a member whose strikes on a block of regions come out the same as in the stratum
before is not simulated again for that block (its numbers are the same to the last bit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from gridimpact.model.block_draws import draw_block, member_rng, scenario_switch, strike_rows
from gridimpact.model.climatology import fill_beyond_observed
from gridimpact.model.control_variates import expected_spared, member_controls, spared
from gridimpact.model.engine import Building, Exposure, Settings, simulate
from gridimpact.model.hazard import Hazard
from gridimpact.model.layered import Layer, LayeredRunner
from gridimpact.model.metrics import PERSON_METRICS
from gridimpact.model.params import Params, sample_params, sampled_means
from gridimpact.model.period import QUARTERS_PER_DAY, Period
from gridimpact.model.regional import regional_slots
from gridimpact.model.scenarios import Scenario
from gridimpact.model.strata import Strata, strata_of
from gridimpact.model.strikes import ScenarioHazard


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
    memo: dict | None = field(default=None, compare=False, repr=False)
    """Shared by the region blocks of one comparison: members' strike draws, or in a large comparison
    only the positions of their strikes in pause windows (``draw_block``), members' parameter draws
    and the samples of the controls' known means, so that each block does not draw them again.
    None: nothing is kept."""


def member_parameters(setup: EnsembleSetup, members: Sequence[int]) -> dict:
    """Per-member parameter values (arrays of the block's length for the sampled ones).

    A member's draw is the same in every block of regions, so the memo keeps it for the others."""
    memo = setup.memo if setup.memo is not None else {}

    def sample(m: int) -> dict:
        key = ("params", m)
        if key not in memo:
            memo[key] = sample_params(setup.params, 1, member_rng(setup.seed, m, "params"))
        return memo[key]

    samples = [sample(m) for m in members]
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
    """One scenario's ensemble.

    ``strata``: daily metrics (name → (M, R, D)) of each stratum of the pause's outcome, stratum 0
    with no strike suppressed; ``weights`` (M, strata) their probabilities; ``full`` (M,) the
    stratum in which the pause held fully; ``realized`` (M,) the stratum of each member's own
    outcome draw and ``held_share`` (M,) the share of the window that held in it (NaN without a
    pause). A scenario without a pause has one stratum of weight 1.
    """

    strata: list[dict[str, np.ndarray]]
    weights: np.ndarray
    breach_weights: np.ndarray
    full: np.ndarray
    realized: np.ndarray
    held_share: np.ndarray
    has_pause: bool = False
    held_probability: float = float("nan")   # P(the pause holds for its whole window)
    window_days: float = float("nan")        # length of the (first) pause window
    expected_held_share: float = float("nan")
    controls: np.ndarray | None = None           # (M, R, 4 + P) spared strikes and hits × parameters (``control_variates.member_controls``)
    expected_controls: np.ndarray | None = None  # (R, 4 + P) their known means (0 for the parameter products)
    controls_covariance: np.ndarray | None = None  # (R, 4 + P, 4 + P) those means' sampling covariance
    pauses: tuple = ()                             # the scenario's pauses (``scenarios.Pause``), for the regions they cover
    daily: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self):
        self.daily = realized_daily(self.strata, self.realized)

    def without_values(self) -> ScenarioRun:
        """The same run without its members' daily values (``strata`` keeps one empty dict per
        stratum): what the all-regions rows need once a region group's tables are made."""
        return replace(self, strata=[{} for _ in self.strata])

    def take_regions(self, positions: np.ndarray) -> ScenarioRun:
        """The same run on some of its regions (``positions`` along the region axis); the strata
        and their weights stay, as they come from every region's strikes."""
        def cut(values):
            return None if values is None else values[:, positions]
        return replace(self, strata=[{name: values[:, positions] for name, values in layer.items()}
                                     for layer in self.strata],
                       controls=cut(self.controls),
                       expected_controls=None if self.expected_controls is None else self.expected_controls[positions],
                       controls_covariance=(None if self.controls_covariance is None
                                            else self.controls_covariance[positions]))

    @property
    def pause_held(self) -> np.ndarray | None:
        """Whether the pause held for its whole window in each member's own draw (None without a pause)."""
        return self.held_share >= 1.0 if self.has_pause else None

    @property
    def days_held(self) -> np.ndarray:
        """Days of the pause window that held in each member's own draw."""
        return self.held_share * self.window_days

    @property
    def expected_days_held(self) -> float:
        return self.expected_held_share * self.window_days


def realized_daily(strata: list[dict[str, np.ndarray]], realized: np.ndarray) -> dict[str, np.ndarray]:
    """Each member's values in the stratum of its own outcome draw."""
    if len(strata) == 1:
        return strata[0]
    members = np.arange(len(realized))
    return {name: np.stack([s[name] for s in strata])[realized, members] for name in strata[0]}


def _same_strikes(a: Scenario, b: Scenario) -> bool:
    return (a.strikes, a.events, a.replay_observed) == (b.strikes, b.events, b.replay_observed)


def run_block(setup: EnsembleSetup, scenarios: Sequence[Scenario], members: Sequence[int],
              progress: Callable[[int], None] | None = None) -> list[ScenarioRun]:
    """Every scenario for one block of members, a pause's scenario once per stratum of its outcome.

    The days before the earliest switch are the same in every scenario (observed hazard, same
    weather and parameters per member), so they are simulated once and each scenario continues
    from that state. Stratum 0 of a pause (nothing suppressed) is the run of an earlier scenario
    with the same strikes when there is one; a later stratum simulates only the members that have it.
    """
    values = member_parameters(setup, members)
    means = sampled_means(setup.params)
    parameters = np.stack([np.asarray(values[name], dtype=float) - mean for name, mean in means.items()
                           if np.ndim(values[name])], axis=1) if means else np.zeros((len(members), 0))
    size = len(members)
    building = Building.from_values(values, size)
    outdoor = member_weather(setup, members)
    scale = member_population_scale(setup, members)
    settings = Settings.from_params(setup.params, setup.engine)
    draws = [draw_block(setup, scenario, members) for scenario in scenarios]
    switches = [scenario_switch(setup, scenario) for scenario in scenarios]
    n_days = len(setup.period.days)
    shared_days = max(0, min(int(setup.period.day_of_quarter(min(switches))), n_days))
    first = ScenarioHazard(setup.base, draws[0], switches[0])
    prefix = simulate(first, outdoor, setup.exposure, building, settings, days=range(shared_days), progress=progress)

    every_strata = [strata_of(draw, scenario.pauses[0].outcomes if scenario.pauses else None)
                    for scenario, draw in zip(scenarios, draws, strict=True)]
    keep_until = max((s.last_day(QUARTERS_PER_DAY) for s in every_strata), default=-1)
    runner = LayeredRunner(setup, building, outdoor, prefix, shared_days, settings, keep_until)
    runs: list[ScenarioRun] = []
    whole: dict[int, Layer] = {}
    for i, (scenario, draw, switch, strata) in enumerate(zip(scenarios, draws, switches, every_strata, strict=True)):
        outcomes = scenario.pauses[0].outcomes if scenario.pauses else None
        twin = next((k for k in range(i) if not scenarios[k].pauses and _same_strikes(scenarios[k], scenario)), None)
        if twin is None:
            whole[i] = runner.whole(draw, switch, progress)
        elif progress is not None:  # the days this scenario would have simulated
            for _ in range(shared_days, n_days):
                progress(1)
        layer = whole_layer = whole[i if twin is None else twin]
        layers = [layer.daily]
        times = draw.time.copy()  # each member's strike times on this block in the stratum before
        for stratum in range(1, strata.size + 1):
            subset, cut, following = strata.cutoff(stratum)
            suppressed = draw.take(subset).suppress(cut, following)
            # strata come from every region's strikes: where this block's strikes come out as in the
            # stratum before, so does every number of the block, and the member is not run again
            changed = ~(suppressed.time == times[subset]).all(axis=1)  # (members, regions)
            differs = np.flatnonzero(changed.any(axis=1))
            times[subset] = suppressed.time
            if len(differs):
                # a later stratum's layer is this scenario's own; the first starts from a shared one.
                # Only the member's regions whose strikes changed are simulated again
                layer = runner.stratum(layer, suppressed.take(differs), switch, subset[differs],
                                       strata.first_day(stratum, subset[differs], QUARTERS_PER_DAY),
                                       consume=layer is not whole_layer, cells=changed[differs])
            layers.append(layer.daily)
        run = _scenario_run([_scaled(daily, scale) for daily in layers], strata, draw.held_share, scenario)
        if scenario.pauses and scenario.strikes is not None:
            strikes = spared(draw.phi, draw.time, draw.effects, outcomes, draw.time.shape[1] - len(scenario.events),
                             float(setup.period.n_quarters))
            run.controls = member_controls(strikes, parameters)
        runs.append(run)
    return runs


def _scaled(daily: dict[str, np.ndarray], scale: np.ndarray) -> dict[str, np.ndarray]:
    """Person counts at each member's sampled population (``member_population_scale``)."""
    return {name: values * scale[:, :, None] if name in PERSON_METRICS else values for name, values in daily.items()}


def _scenario_run(layers, strata: Strata, held_share: np.ndarray, scenario: Scenario) -> ScenarioRun:
    if not scenario.pauses:
        return ScenarioRun(layers, strata.weights, strata.breach_weights, strata.count, strata.realized, held_share)
    pause = scenario.pauses[0]
    return ScenarioRun(layers, strata.weights, strata.breach_weights, strata.count, strata.realized, held_share,
                       True, pause.outcomes.held, (pause.end - pause.start).total_seconds() / 86400,
                       pause.outcomes.expected_held_share(), pauses=scenario.pauses)


def run_ensemble(setup: EnsembleSetup, scenarios: Sequence[Scenario], members: int, *, block: int = 50,
                 progress: Callable[[int], None] | None = None, runner: Callable | None = None,
                 workers: int = 1, first_member: int = 0) -> list[ScenarioRun]:
    """Every scenario's ensemble, members run in blocks (results do not depend on ``block``).

    Members ``first_member`` … ``members`` − 1 are run (``more_members`` appends them to a run of
    the ones before). ``runner`` maps a list of (setup, scenarios, member indices) jobs to their
    results (for a cluster). Otherwise blocks run here, on ``workers`` threads: numpy releases the
    interpreter lock in its array loops, so blocks of a few dozen members use several cores.
    """
    blocks = [range(start, min(start + block, members)) for start in range(first_member, members, block)]
    controlled = [s for s in scenarios if s.pauses and s.strikes is not None]
    if runner is not None:  # jobs travel to other processes without the memo
        results = runner([(replace(setup, memo=None), list(scenarios), b) for b in blocks])
        means = [controls_mean(setup, s) for s in controlled]
    elif workers > 1 and len(blocks) > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(blocks))) as pool:
            # the known means are array work that releases the interpreter lock: computed beside the blocks
            pending = [pool.submit(controls_mean, setup, s) for s in controlled]
            results = list(pool.map(lambda b: run_block(setup, scenarios, b, progress), blocks))
            means = [p.result() for p in pending]
    else:
        results = [run_block(setup, scenarios, b, progress) for b in blocks]
        means = [controls_mean(setup, s) for s in controlled]
    runs = _gather(results, len(scenarios), members - first_member)
    known = dict(zip((s.name for s in controlled), means, strict=True))
    for scenario, run in zip(scenarios, runs, strict=True):
        if run.controls is not None:
            mean, covariance = known[scenario.name]
            extra = run.controls.shape[2] - mean.shape[1]
            run.expected_controls = np.pad(mean, ((0, 0), (0, extra)))
            run.controls_covariance = np.pad(covariance, ((0, 0), (0, extra), (0, extra)))
    return runs


def controls_mean(setup: EnsembleSetup, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """The known mean (R, 4) of the spared-strike controls of this block's regions and its sampling
    covariance (R, 4, 4) (``control_variates.expected_spared``), for the strike rows ``draw_block`` draws."""
    switch_q, capacity = strike_rows(setup, scenario)
    slots = regional_slots(scenario.strikes.regional, capacity * scenario.strikes.interval_days[0])
    return expected_spared(scenario, setup.regions, setup.period, switch_q, capacity, slots, setup.seed, setup.memo)


def _gather(results: list[list[ScenarioRun]], n_scenarios: int, members: int) -> list[ScenarioRun]:
    """Stack the blocks' runs along the member axis into arrays allocated once; blocks with fewer
    strata repeat their last (the pause holding fully) with weight 0."""
    runs = []
    for i in range(n_scenarios):
        parts = [block_runs[i] for block_runs in results]
        n_strata = max(len(p.strata) for p in parts)
        strata = []
        for j in range(n_strata):
            layer = {}
            for name, first in parts[0].strata[0].items():
                stacked = np.empty((members, *first.shape[1:]), dtype=first.dtype)
                start = 0
                for part in parts:
                    values = part.strata[min(j, len(part.strata) - 1)][name]
                    stacked[start:start + len(values)] = values
                    start += len(values)
                layer[name] = stacked
            strata.append(layer)
        first = parts[0]
        runs.append(ScenarioRun(strata, _padded(parts, "weights", n_strata), _padded(parts, "breach_weights", n_strata),
                                np.concatenate([p.full for p in parts]), np.concatenate([p.realized for p in parts]),
                                np.concatenate([p.held_share for p in parts]), first.has_pause,
                                first.held_probability, first.window_days, first.expected_held_share,
                                None if first.controls is None else np.concatenate([p.controls for p in parts]),
                                pauses=first.pauses))
    return runs


def more_members(first: list[ScenarioRun], more: list[ScenarioRun]) -> list[ScenarioRun]:
    """Each scenario's run of some members followed by the run of the members after them (same
    regions); the known means of the controls are the first run's."""
    members = len(first[0].full) + len(more[0].full)
    joined = _gather([first, more], len(first), members)
    return [replace(run, expected_controls=before.expected_controls, controls_covariance=before.controls_covariance)
            for run, before in zip(joined, first, strict=True)]


def _padded(parts: list[ScenarioRun], name: str, n_strata: int) -> np.ndarray:
    """Stratum probabilities of the blocks stacked, with zeros for strata a block does not have."""
    return np.concatenate([np.pad(getattr(p, name), ((0, 0), (0, n_strata - len(p.strata)))) for p in parts])
