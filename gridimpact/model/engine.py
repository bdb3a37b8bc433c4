"""The simulation: hazard × exposure × vulnerability → daily impact metrics per member and region.

One local day at a time (so memory follows the day, not the period), and within a day hour by
hour for the thermal recurrence; every array operation spans members, regions and cohorts at once.
There is no Python loop over regions, cohorts or members.

Array axes: M members, R regions, 3 simulated heating classes (``cohorts.SIMULATED_HEATING``),
3 building classes, 12 subqueue groups, K loss bands, H hours.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from gridimpact.errors import ArgumentError
from gridimpact.model.hazard import HazardWindow
from gridimpact.model.metrics import Day, empty_daily, fold_day, fold_days
from gridimpact.model.period import Period
from gridimpact.model.supply import day_supply, people_without_heat
from gridimpact.model.thermal import BuildingParameters, StepConstants, step_constants, step_hour
from gridimpact.vocab import SUBQUEUES

# The compiled engine (``kernel``, the default) and the numpy reference it equals bit for bit.
ENGINES = ("compiled", "numpy")
ENGINE_VARIABLE = "GRIDIMPACT_ENGINE"

# Air–mass coupling at which a house's two nodes act as one capacity (tests/test_thermal_two_node.py).
LOCKED_COUPLING = 1e7


class HazardSource(Protocol):
    period: Period
    band_edges: np.ndarray  # (R, K + 1) loss-band boundaries

    @property
    def members(self) -> int: ...

    def window(self, q0: int, q1: int) -> HazardWindow: ...


@dataclass(frozen=True)
class Exposure:
    """People per region and the shares that split them into cohorts."""

    regions: tuple[str, ...]
    population: np.ndarray    # (R,) persons
    share_65plus: np.ndarray  # (R,)
    weights: np.ndarray       # (R, 3, 3) shares of the simulated heating classes by building class;
                              # the engine re-splits district heating per member (``member_weights``)
    independent: np.ndarray   # (R,) share heated independently of the grid
    customers: np.ndarray     # (R,) electricity accounts
    basis: tuple[str, ...] = ()  # per region: what the population counts, its source and date
    population_range: np.ndarray | None = None  # (R, 2) persons, documented range; NaN where none

    def take_regions(self, positions: np.ndarray) -> Exposure:
        """The exposure of the regions at ``positions``."""
        return Exposure(tuple(self.regions[i] for i in positions), self.population[positions],
                        self.share_65plus[positions], self.weights[positions], self.independent[positions],
                        self.customers[positions], tuple(self.basis[i] for i in positions) if self.basis else (),
                        None if self.population_range is None else self.population_range[positions])


@dataclass(frozen=True)
class Building:
    """Per-member building physics and heating dependence.

    ``physics`` holds the two-node parameters (``thermal.BuildingParameters``) as (M, 3) arrays by
    building class; ``pump_dependence`` and ``backup_share`` are (M,) shares that split the heating
    classes per member (``member_weights``).
    """

    physics: BuildingParameters
    setpoint: float              # °C
    pump_dependence: np.ndarray  # (M,) share of district-heated people whose building pumps need power
    backup_share: np.ndarray     # (M,) share of power-dependent heating kept running by backup power

    @property
    def members(self) -> int:
        return self.pump_dependence.shape[0]

    @classmethod
    def from_values(cls, values: dict, members: int) -> Building:
        """From parameter values (scalars, or (M,) arrays as ``params.sample_params`` gives).

        Panel and brick blocks share the fitted block parameters; a house is one capacity (its two
        nodes locked together) with its own time constant and gain offset.
        """
        def per_member(x) -> np.ndarray:
            return np.broadcast_to(np.asarray(x, dtype=float), (members,))

        def by_class(block, house) -> np.ndarray:
            return np.stack([per_member(block), per_member(block), per_member(house)], axis=1)

        tau_air = per_member(values["tau_air"])
        physics = BuildingParameters(
            tau_air_h=by_class(tau_air, tau_air),
            tau_mass_h=by_class(values["tau_mass_block"], values["tau_house"]),
            coupling=by_class(values["coupling_block"], LOCKED_COUPLING),
            air_loss_share=by_class(values["air_loss_share"], values["air_loss_share"]),
            gain_offset=by_class(values["gain_offset_block"], values["gain_offset_house"]),
            heating_capacity=by_class(values["heating_capacity"], values["heating_capacity_house"]),
        )
        return cls(physics, float(values["setpoint"]), per_member(values["district_pump_dependence"]).copy(),
                   per_member(values["backup_power_share"]).copy())


@dataclass
class State:
    """What carries over from one simulated day to the next: the two thermal nodes and rotation phase."""

    air: np.ndarray    # (M, R, 3, 3, 12, K) °C, float32: indoor air
    mass: np.ndarray   # (M, R, 3, 3, 12, K) °C, float32: building structure
    phase: np.ndarray  # (M, R) cycles


@dataclass
class Simulation:
    """Daily metrics (name → (M, R, D) for the simulated days), the final state, and on request
    the hourly state of member 0."""

    daily: dict[str, np.ndarray]
    state: State
    hourly: dict[str, np.ndarray] | None = None


@dataclass(frozen=True)
class Settings:
    """Engine settings that are not building physics: see ``params.Params`` for units and sources."""

    rotation_block: float   # h, length of one rotation block of a subqueue group
    bands: int              # loss bands per region (their boundaries come with the hazard)
    hdd_base: float         # °C, base of heating degree days
    risk_share: float       # share of the population that makes a risk level
    engine: str = field(default_factory=lambda: resolve_engine(None))  # one of ``ENGINES``

    @classmethod
    def from_params(cls, params, engine: str | None = None) -> Settings:
        return cls(params.rotation_block, params.district_heat_bands, params.hdd_base, params.risk_share,
                   resolve_engine(engine))


def resolve_engine(engine: str | None) -> str:
    """The engine asked for, else ``$GRIDIMPACT_ENGINE``, else the compiled one."""
    chosen = engine if engine is not None else os.environ.get(ENGINE_VARIABLE) or ENGINES[0]
    if chosen not in ENGINES:
        raise ArgumentError(f"{'engine' if engine is not None else ENGINE_VARIABLE} must be one of "
                            f"{', '.join(ENGINES)}, got {chosen!r}")
    return chosen


@dataclass(frozen=True)
class Prepared:
    """What every day of a block's simulation derives from its exposure and buildings, computed once
    (``prepare``) and cut to the members of a stratum (``strata.take_members``) instead of again
    for each of its days."""

    weights: np.ndarray        # (M, R, 3, 3) class shares per member (``member_weights``)
    independent: np.ndarray    # (M, R) share heated independently of the grid
    per_group: np.ndarray      # (M, R, 3, 3) persons of each class in one subqueue group
    class_people: np.ndarray   # (M, R, 3, K) persons of a heating class in one group and band
    thermal: ThermalConstants  # (M, …) per-member step constants


def prepare(exposure: Exposure, building: Building, band_edges: np.ndarray) -> Prepared:
    weights, independent = member_weights(exposure, building)
    band_share = np.diff(band_edges, axis=1)                                               # (R, K)
    class_people = (exposure.population[None, :, None, None] * weights.sum(axis=3)[..., None]
                    * band_share[None, :, None, :] / len(SUBQUEUES))                       # (M, R, 3, K)
    return Prepared(weights, independent, _per_group(exposure.population, weights), class_people,
                    ThermalConstants.of(building))


def simulate(hazard: HazardSource, outdoor: np.ndarray, exposure: Exposure, building: Building,
             settings: Settings, *, keep_hourly: bool = False,
             progress: Callable[[int], None] | None = None, days: range | None = None,
             state: State | None = None, engine: str | None = None, consume_state: bool = False,
             prepared: Prepared | None = None, active: np.ndarray | None = None) -> Simulation:
    """Run the model over the hazard's period, or over the local days ``days`` of it.

    ``hazard``: anything with ``period``, ``members`` and ``window(q0, q1)`` (a ``hazard.Hazard``
    or a scenario's hazard, computed day by day). ``outdoor``: (M or 1, R, H) °C on the period's
    hours. Members of the hazard, the weather and the building parameters must agree or be 1.
    ``state`` continues an earlier simulation that ended where ``days`` begins; without it every
    building starts in its heated steady state at the first simulated hour's outdoor temperature.
    With ``consume_state`` the simulation may advance ``state``'s arrays in place (the caller hands
    over arrays it does not keep); otherwise they are copied. ``prepared``: ``prepare(exposure,
    building, hazard.band_edges)`` when the caller has it already.

    Each day: the supply state from the hazard (``day_supply``), the thermal hours
    (``thermal_day``), then every metric of the catalogue (``metrics.fold_day``). People move
    between heating classes per member (``member_weights``: pump dependence and backup power), so
    cohort populations and the people without heat are per member.

    ``engine`` (default ``settings.engine``): ``"compiled"`` runs each day as one compiled kernel
    (``kernel.simulate_day``), ``"numpy"`` the numpy reference; their results are identical.
    ``active`` (M, R) bool: the cells whose values the caller will read; the compiled engine skips
    the others (their state and values are then meaningless), the numpy engine computes them anyway.
    """
    period = hazard.period
    days = range(len(period.days)) if days is None else days
    members = max(hazard.members, building.members, outdoor.shape[0])
    n_regions = len(exposure.regions)
    prepared = prepare(exposure, building, hazard.band_edges) if prepared is None else prepared
    band_share = np.diff(hazard.band_edges, axis=1)                                        # (R, K)
    thermal = prepared.thermal
    cohort_shape = (*prepared.weights.shape[1:], len(SUBQUEUES), band_share.shape[1])     # (R, 3, 3, 12, K)
    hour_starts = period.day_hour_starts()
    if state is None:
        first = hour_starts[days.start] if len(days) else 0
        air, mass = heated_start(thermal, outdoor[:, :, first], building.setpoint)
        shape = (members, *cohort_shape)
        state = State(np.broadcast_to(air, shape).astype(np.float32), np.broadcast_to(mass, shape).astype(np.float32),
                      np.zeros((hazard.members, n_regions)))
    else:
        shape = (members, *state.air.shape[1:])
        def own(values, wanted):  # the caller's arrays are left as they were unless handed over
            if consume_state and values.shape == wanted and values.flags.c_contiguous and values.flags.writeable:
                return values
            return np.broadcast_to(values, wanted).copy()

        state = State(own(state.air, shape), own(state.mass, shape), own(state.phase, (hazard.members, n_regions)))

    daily = empty_daily(members, n_regions, len(days))
    hourly = (_hourly_buffers(n_regions, period.n_hours, cohort_shape[1:]) if keep_hourly else None)
    has_independent = prepared.independent * exposure.population > 0                     # (M, R)
    class_people = prepared.class_people
    compiled = None  # numba is imported only when the compiled engine runs
    pop_cohort = occupied = None  # the compiled engine sums the cohorts itself
    if resolve_engine(engine if engine is not None else settings.engine) == "compiled":
        from gridimpact.model.fused import CompiledDays
        compiled = CompiledDays(thermal.step, thermal.setpoint, prepared.per_group, band_share, class_people,
                                exposure.population, hazard.band_edges, settings.rotation_block, outdoor,
                                None if hourly is None else hourly["indoor_temperature"])
    else:
        pop_cohort = cohort_population_by_member(exposure.population, prepared.weights, band_share)  # (M,R,3,3,12,K)
        occupied = pop_cohort > 0
    folded = []
    for out_day, day in enumerate(days):
        h0, h1 = hour_starts[day], hour_starts[day + 1]
        q0, q1 = period.quarter_of_hour(h0), period.quarter_of_hour(h1)
        window = hazard.window(q0, q1) if compiled is None else compiled.window(hazard, q0, q1)
        reduced = {}  # the compiled engine's cohort sums (``metrics.Day``)
        if compiled is None:
            supply, phase = day_supply(window, exposure, settings, state.phase, hazard.band_edges)
            without_heat = people_without_heat(supply, class_people)
            air, mass, day_min, hours_below_12 = thermal_day(
                state.air, state.mass, outdoor[:, :, h0:h1], supply.fraction, thermal,
                None if hourly is None else hourly["indoor_temperature"][..., h0:h1])
            state, without_power, share_off = State(air, mass, phase), supply.without_power, supply.share_off
        else:  # the kernel steps the state in place and reduces the cohorts itself
            out = compiled.run(window, h0, state.air, state.mass, state.phase, active)
            state = State(out.air, out.mass, out.phase)
            without_power, without_heat, share_off, day_min, hours_below_12 = out.hourly() + (None, None)
            reduced = out.reduced()
        if hourly is not None:
            hourly["without_power"][:, h0:h1] = without_power[:, 0].T
            hourly["without_heat"][:, h0:h1] = without_heat[:, 0].T
            hourly["share_off"][:, h0:h1] = share_off[:, 0].T
        simulated = Day(exposure.population, exposure.share_65plus, pop_cohort, occupied, has_independent, day_min,
                        hours_below_12, without_power, without_heat, share_off, outdoor[:, :, h0:h1],
                        building.setpoint, settings.hdd_base, settings.risk_share, **reduced)
        if compiled is None:
            fold_day(daily, out_day, simulated)  # its cohort arrays are not kept beyond the day
        else:
            folded.append((out_day, simulated))  # a few (M, R) sums: all days folded together
        if progress is not None:
            progress(1)
    fold_days(daily, folded)
    return Simulation(daily=daily, state=state, hourly=hourly)


def member_weights(exposure: Exposure, building: Building) -> tuple[np.ndarray, np.ndarray]:
    """Shares of the simulated heating classes by building class per member, and of heat
    independent of the grid: ``(weights (M, R, 3, 3), independent (M, R))``.

    District heating splits by the member's pump dependence d; backup power b keeps a share b of
    the pumped-district people on heat whenever the plant runs (they join the pump-less class) and
    a share b of the power-dependent people heated through grid outages (they join independent
    heating, which is not simulated).
    """
    district = exposure.weights[:, 0] + exposure.weights[:, 1]       # (R, 3)
    power = exposure.weights[:, 2]                                   # (R, 3)
    pumped = (building.pump_dependence * (1.0 - building.backup_share))[:, None, None]  # (M, 1, 1)
    backup = building.backup_share[:, None, None]
    weights = np.stack([district * pumped, district * (1.0 - pumped), power * (1.0 - backup)], axis=2)
    independent = exposure.independent[None, :] + backup[:, :, 0] * power.sum(axis=1)[None, :]
    return weights, independent


def cohort_population_by_member(population: np.ndarray, weights: np.ndarray, band_share: np.ndarray) -> np.ndarray:
    """(M, R, 3, 3, 12, K) persons: each member's class shares spread equally over the subqueue
    groups and over the loss bands by their shares ``band_share`` (R, K)."""
    groups = len(SUBQUEUES)
    per = _per_group(population, weights)                                            # (M, R, 3, 3)
    people = per[..., None, None] * np.asarray(band_share, dtype=float)[None, :, None, None, None, :]
    return np.broadcast_to(people, (*weights.shape, groups, people.shape[-1])).copy()


def _per_group(population: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(M, R, 3, 3) persons of each class in one subqueue group (before the band shares)."""
    return population[None, :, None, None] * weights / len(SUBQUEUES)


@dataclass(frozen=True)
class ThermalConstants:
    """The thermal step's per-member, per-building-class constants (``thermal.StepConstants``) in
    float32, shaped to the cohort arrays (M, 1, 1, 3, 1, 1): float32 halves the memory traffic of
    the hot loop and is far more precise than the model (0.001 K at 20 °C)."""

    step: StepConstants
    mass_share: np.ndarray  # (M, 1, 1, 3, 1, 1) steady mass excess per unit of air excess, k / (1 − s + k)
    full_air: np.ndarray    # (M, 1, 1, 3, 1, 1) K, steady air excess at full heating: ΔT_g + ΔT_h
    setpoint: np.float32

    @classmethod
    def of(cls, building: Building) -> ThermalConstants:
        physics = building.physics
        step = step_constants(physics, dtype=np.float64)
        shaped = StepConstants(*(_cohort_shaped(getattr(step, name)) for name in StepConstants.__dataclass_fields__))
        k, s = np.asarray(physics.coupling, dtype=float), np.asarray(physics.air_loss_share, dtype=float)
        full = np.asarray(physics.gain_offset, dtype=float) + np.asarray(physics.heating_capacity, dtype=float)
        return cls(shaped, _cohort_shaped(k / (1.0 - s + k)), _cohort_shaped(full), np.float32(building.setpoint))


def _cohort_shaped(values: np.ndarray) -> np.ndarray:
    return np.asarray(values)[:, None, None, :, None, None].astype(np.float32)


def heated_start(thermal: ThermalConstants, outdoor: np.ndarray, setpoint: float) -> tuple[np.ndarray, np.ndarray]:
    """Air and mass (M, R, 1, 3, 1, 1) °C of buildings heated long enough to be steady at ``outdoor``
    ((M or 1, R) °C): the air at the set-point where heating can hold it, else at the most full
    heating holds (never below free-running); the mass in its steady place between air and outdoors."""
    to = np.asarray(outdoor, dtype=float)[:, :, None, None, None, None]
    air_excess = np.clip(setpoint - to, thermal.step.free_air.astype(float), thermal.full_air.astype(float))
    return to + air_excess, to + air_excess * thermal.mass_share


def thermal_day(air: np.ndarray, mass: np.ndarray, outdoor: np.ndarray, fraction: np.ndarray,
                thermal: ThermalConstants, hourly_out: np.ndarray | None = None):
    """Step every cohort through the day's hours (``thermal.step_hour``).

    ``outdoor`` is (M or 1, R, H) °C for the day, ``fraction`` (H, M, R, 3, 1, 12, K). Returns the
    air and mass temperatures at the end of the day, the day's lowest air temperature and the hours
    below 12 °C per cohort. ``hourly_out``, if given, receives member 0's air temperature hour by hour.
    """
    hourly_outdoor = np.moveaxis(outdoor, -1, 0)[:, :, :, None, None, None, None].astype(np.float32)
    day_min = air.copy()  # the ends of each hour bound the air within it (to 0.05 K, thermal.step_hour)
    hours_below_12 = np.zeros(air.shape, dtype=np.uint8)
    for h in range(outdoor.shape[-1]):
        air, mass, lowest = step_hour(air, mass, hourly_outdoor[h], fraction[h], thermal.step, thermal.setpoint)
        np.minimum(day_min, lowest, out=day_min)
        hours_below_12 += air < 12.0
        if hourly_out is not None:
            hourly_out[..., h] = air[0]
    return air, mass, day_min, hours_below_12


def _hourly_buffers(n_regions, n_hours, cohort_shape) -> dict[str, np.ndarray]:
    return {
        "indoor_temperature": np.zeros((n_regions, *cohort_shape, n_hours), dtype=np.float32),
        "without_power": np.zeros((n_regions, n_hours)),
        "without_heat": np.zeros((n_regions, n_hours)),
        "share_off": np.zeros((n_regions, n_hours)),
    }
