"""The simulation: hazard × exposure × vulnerability → daily impact metrics per member and region.

One local day at a time (so memory follows the day, not the period), and within a day hour by
hour for the thermal recurrence; every array operation spans members, regions and cohorts at once.
There is no Python loop over regions, cohorts or members.

Array axes: M members, R regions, 3 simulated heating classes (``cohorts.SIMULATED_HEATING``),
3 building classes, 12 subqueue groups, K loss bands, H hours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from gridimpact.model.cohorts import cohort_population
from gridimpact.model.hazard import (
    HazardWindow,
    band_off,
    combine_outages,
    hourly_mean,
    rotation_off,
)
from gridimpact.model.metrics import Day, empty_daily, fold_day, row_sum
from gridimpact.model.period import Period
from gridimpact.model.thermal import advance_hour
from gridimpact.vocab import BUILDING_CLASSES, SUBQUEUES


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
    weights: np.ndarray       # (R, 3, 3) shares of the simulated heating classes by building class
    independent: np.ndarray   # (R,) share heated independently of the grid
    customers: np.ndarray     # (R,) electricity accounts
    basis: tuple[str, ...] = ()  # per region: what the population counts, its source and date
    population_range: np.ndarray | None = None  # (R, 2) persons, documented range; NaN where none


@dataclass(frozen=True)
class Building:
    """Thermal parameters per member: τ and gain offset by building class, capacity, set-point."""

    tau_hours: np.ndarray     # (M, 3) h
    gain_offset: np.ndarray   # (M, 3) K
    capacity: np.ndarray      # (M,) K
    setpoint: float           # °C

    @classmethod
    def from_values(cls, values: dict, members: int) -> Building:
        """From parameter values (scalars, or (M,) arrays as ``params.sample_params`` gives)."""
        def per_member(x) -> np.ndarray:
            return np.broadcast_to(np.asarray(x, dtype=float), (members,))

        tau = np.stack([per_member(values[f"tau_{b}"]) for b in BUILDING_CLASSES], axis=1)
        block_gain = per_member(values["gain_offset_block"])
        gain = np.stack([block_gain, block_gain, per_member(values["gain_offset_house"])], axis=1)
        return cls(tau, gain, per_member(values["heating_capacity"]).copy(), float(values["setpoint"]))


@dataclass
class State:
    """What carries over from one simulated day to the next: indoor temperatures and rotation phase."""

    temperature: np.ndarray  # (M, R, 3, 3, 12, K) °C, float32
    phase: np.ndarray        # (M, R) cycles


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

    @classmethod
    def from_params(cls, params) -> Settings:
        return cls(params.rotation_block, params.district_heat_bands, params.hdd_base, params.risk_share)


@dataclass
class Supply:
    """One day's supply state, hour-first (H, M, R, …) in float32: what the thermal step needs
    (``fraction``) and what the power and heat metrics count."""

    fraction: np.ndarray       # (H, M, R, 3, 1, 12, K) share of each hour heating works, by heating class
    without_power: np.ndarray  # (H, M, R) persons
    without_heat: np.ndarray   # (H, M, R) persons
    share_off: np.ndarray      # (H, M, R) share of customers


def simulate(hazard: HazardSource, outdoor: np.ndarray, exposure: Exposure, building: Building,
             settings: Settings, *, keep_hourly: bool = False,
             progress: Callable[[int], None] | None = None, days: range | None = None,
             state: State | None = None) -> Simulation:
    """Run the model over the hazard's period, or over the local days ``days`` of it.

    ``hazard``: anything with ``period``, ``members`` and ``window(q0, q1)`` (a ``hazard.Hazard``
    or a scenario's hazard, computed day by day). ``outdoor``: (M or 1, R, H) °C on the period's
    hours. Members of the hazard, the weather and the building parameters must agree or be 1.
    ``state`` continues an earlier simulation that ended where ``days`` begins; without it the
    simulation starts with every room at the set-point.

    Each day: the supply state from the hazard (``day_supply``), the thermal hours
    (``thermal_day``), then every metric of the catalogue (``metrics.fold_day``).
    """
    period = hazard.period
    days = range(len(period.days)) if days is None else days
    members = max(hazard.members, building.tau_hours.shape[0], outdoor.shape[0])
    n_regions = len(exposure.regions)
    band_share = np.diff(hazard.band_edges, axis=1)                                        # (R, K)
    pop_cohort = cohort_population(exposure.population, exposure.weights, band_share)      # (R,3,3,12,K)
    thermal = ThermalConstants.of(building)
    if state is None:
        state = State(np.full((members, n_regions, *pop_cohort.shape[1:]), thermal.setpoint, dtype=np.float32),
                      np.zeros((hazard.members, n_regions)))
    else:
        state = State(np.broadcast_to(state.temperature, (members, *state.temperature.shape[1:])).copy(),
                      np.broadcast_to(state.phase, (hazard.members, n_regions)).copy())

    daily = empty_daily(members, n_regions, len(days))
    hourly = (_hourly_buffers(n_regions, period.n_hours, pop_cohort.shape[1:]) if keep_hourly else None)
    occupied = pop_cohort > 0
    has_independent = exposure.independent * exposure.population > 0
    hour_starts = period.day_hour_starts()
    for out_day, day in enumerate(days):
        h0, h1 = hour_starts[day], hour_starts[day + 1]
        supply, phase = day_supply(hazard.window(period.quarter_of_hour(h0), period.quarter_of_hour(h1)),
                                   exposure, settings, state.phase, hazard.band_edges)
        temperature, day_min, hours_below_12 = thermal_day(
            state.temperature, outdoor[:, :, h0:h1], supply.fraction, thermal,
            None if hourly is None else hourly["indoor_temperature"][..., h0:h1])
        state = State(temperature, phase)
        if hourly is not None:
            hourly["without_power"][:, h0:h1] = supply.without_power[:, 0].T
            hourly["without_heat"][:, h0:h1] = supply.without_heat[:, 0].T
            hourly["share_off"][:, h0:h1] = supply.share_off[:, 0].T
        fold_day(daily, out_day, Day(
            exposure.population, exposure.share_65plus, pop_cohort, occupied, has_independent, day_min,
            hours_below_12, supply.without_power, supply.without_heat, supply.share_off,
            outdoor[:, :, h0:h1], building.setpoint, settings.hdd_base, settings.risk_share))
        if progress is not None:
            progress(1)
    return Simulation(daily=daily, state=state, hourly=hourly)


def day_supply(window: HazardWindow, exposure: Exposure, settings: Settings,
               phase: np.ndarray, band_edges: np.ndarray) -> tuple[Supply, np.ndarray]:
    """The supply state of one day's hazard window, and the rotation phase at its end.

    Outages combine by ``hazard.combine_outages`` (shares of all customers add): persistent outages
    and lost district heat take whole loss bands (boundaries ``band_edges``, (R, K + 1)), and the
    rotation and published schedules fall on the customers still on.
    """
    groups = len(SUBQUEUES)
    rotate, published = combine_outages(window.rotating, window.persistent, window.schedule,
                                        window.schedule_days)
    rot_off, phase = rotation_off(rotate, settings.rotation_block, phase)
    group_off = 1.0 - (1.0 - hourly_mean(rot_off)) * (1.0 - hourly_mean(published))   # (M,R,12,H)
    band_power = hourly_mean(band_off(window.persistent, band_edges))                  # (M,R,K,H)
    band_heat = hourly_mean(band_off(window.heat_lost, band_edges))                    # (M,R,K,H)
    band_share = np.diff(band_edges, axis=1)                                            # (R,K)
    # Hour-first and C-contiguous from here on, in float32: each hour is one contiguous block,
    # and every sum over cohorts runs along the last axis, row by row, so results do not depend
    # on how many members or regions share the arrays.
    group_on = _hour_first(1.0 - group_off)[..., :, None]                               # (H,M,R,12,1)
    band_on = _hour_first(1.0 - band_power)[..., None, :]                               # (H,M,R,1,K)
    plant_on = _hour_first(1.0 - band_heat)[..., None, :]                               # (H,M,R,1,K)
    bands = band_on.shape[-1]
    fraction = np.empty((*group_on.shape[:3], 3, groups, bands), dtype=np.float32)     # (H,M,R,3,12,K)
    np.multiply(group_on, band_on, out=fraction[:, :, :, 2])                           # power-dependent
    np.multiply(fraction[:, :, :, 2], plant_on, out=fraction[:, :, :, 0])              # district, pumped
    fraction[:, :, :, 1] = plant_on                                                     # district, no pumps
    # Cohorts are equal across groups, and a band holds its share of each group: sums over
    # cohorts factorise into (sum over groups) × (share-weighted sum over bands).
    weight = band_share.astype(np.float32)[:, None, :]                                 # (R,1,K)
    class_people = exposure.population[:, None] * exposure.weights.sum(axis=2)         # (R,3)
    groups_on = row_sum(group_on, 3) / groups                                          # (H,M,R) mean_g
    bands_on = row_sum(band_on * weight, 3)                                             # Σ_k w·power
    plants_on = row_sum(plant_on * weight, 3)                                           # Σ_k w·plant
    both_on = row_sum(band_on * plant_on * weight, 3)                                   # Σ_k w·power·plant
    share_off = 1.0 - groups_on * bands_on                                              # (H,M,R)
    without_heat = (class_people[:, 0] * (1.0 - groups_on * both_on)                   # district, pumped
                    + class_people[:, 1] * (1.0 - plants_on)                            # district, no pumps
                    + class_people[:, 2] * share_off)                                   # power-dependent
    supply = Supply(fraction=fraction[:, :, :, :, None], without_power=exposure.population * share_off,
                    without_heat=without_heat, share_off=share_off)
    return supply, phase


@dataclass(frozen=True)
class ThermalConstants:
    """The thermal step's per-member constants, in float32 and shaped to the cohort arrays
    (M, 1, 1, 3, 1, 1): float32 halves the memory traffic of the hot loop and is far more precise
    than the model (0.001 K at 20 °C)."""

    decay: np.ndarray
    gain: np.ndarray
    heating_gain: np.ndarray
    setpoint: np.float32

    @classmethod
    def of(cls, building: Building) -> ThermalConstants:
        decay = np.exp(-1.0 / building.tau_hours)[:, None, None, :, None, None].astype(np.float32)
        gain = building.gain_offset[:, None, None, :, None, None].astype(np.float32)
        heating_gain = (building.capacity[:, None, None, None, None, None] * (1.0 - decay)).astype(np.float32)
        return cls(decay, gain, heating_gain, np.float32(building.setpoint))


def thermal_day(temperature: np.ndarray, outdoor: np.ndarray, fraction: np.ndarray,
                thermal: ThermalConstants, hourly_out: np.ndarray | None = None):
    """Step every cohort through the day's hours (``thermal.advance_hour``).

    ``outdoor`` is (M or 1, R, H) °C for the day, ``fraction`` (H, M, R, 3, 1, 12, K). Returns the
    temperature at the end of the day, the day's lowest temperature and the hours below 12 °C
    per cohort. ``hourly_out``, if given, receives member 0's temperature hour by hour.
    """
    free_running = (np.moveaxis(outdoor, -1, 0)[:, :, :, None, None, None, None] + thermal.gain).astype(np.float32)
    day_min = temperature.copy()  # the path within an hour is monotone: its ends bound it
    hours_below_12 = np.zeros(temperature.shape, dtype=np.uint8)
    for h in range(outdoor.shape[-1]):
        temperature = advance_hour(temperature, free_running[h], fraction[h], thermal.decay,
                                   thermal.heating_gain, thermal.setpoint)
        np.minimum(day_min, temperature, out=day_min)
        hours_below_12 += temperature < 12.0
        if hourly_out is not None:
            hourly_out[..., h] = temperature[0]
    return temperature, day_min, hours_below_12


def _hour_first(array: np.ndarray) -> np.ndarray:
    """(…, H) float array → contiguous float32 (H, …)."""
    return np.ascontiguousarray(np.moveaxis(array, -1, 0), dtype=np.float32)


def _hourly_buffers(n_regions, n_hours, cohort_shape) -> dict[str, np.ndarray]:
    return {
        "indoor_temperature": np.zeros((n_regions, *cohort_shape, n_hours), dtype=np.float32),
        "without_power": np.zeros((n_regions, n_hours)),
        "without_heat": np.zeros((n_regions, n_hours)),
        "share_off": np.zeros((n_regions, n_hours)),
    }
