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
    QUARTERS_PER_HOUR,
    HazardWindow,
    Period,
    band_off,
    hourly_mean,
    rotation_off,
)
from gridimpact.model.metrics import heating_degree_days, risk_score
from gridimpact.vocab import BUILDING_CLASSES, COLD_THRESHOLDS_C, SUBQUEUES


class HazardSource(Protocol):
    period: Period

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


def simulate(hazard: HazardSource, outdoor: np.ndarray, exposure: Exposure, building: Building, *,
             rotation_block: float, bands: int, hdd_base: float, risk_share: float,
             keep_hourly: bool = False, progress: Callable[[int], None] | None = None,
             days: range | None = None, state: State | None = None) -> Simulation:
    """Run the model over the hazard's period, or over the local days ``days`` of it.

    ``hazard``: anything with ``period``, ``members`` and ``window(q0, q1)`` (a ``hazard.Hazard``
    or a scenario's hazard, computed day by day). ``outdoor``: (M or 1, R, H) °C on the period's
    hours. Members of the hazard, the weather and the building parameters must agree or be 1.
    ``state`` continues an earlier simulation that ended where ``days`` begins; without it the
    simulation starts with every room at the set-point.
    """
    period = hazard.period
    day_of_hour = period.day_of_hour()
    days = range(len(period.days)) if days is None else days
    n_days = len(days)
    members = max(hazard.members, building.tau_hours.shape[0], outdoor.shape[0])
    n_regions = len(exposure.regions)
    groups = len(SUBQUEUES)

    pop_cohort = cohort_population(exposure.population, exposure.weights, bands)  # (R,3,3,12,K)
    pop_power_unit = exposure.population / (groups * bands)                         # (R,) per (g,k)
    # People per (group, band) unit of each heating class: cohorts are equal across groups and bands,
    # so sums over them factorise into (sum over groups) × (sum over bands).
    class_unit = exposure.population[:, None] * exposure.weights.sum(axis=2) / (groups * bands)  # (R,3)
    occupied = pop_cohort > 0
    has_independent = exposure.independent * exposure.population > 0

    # Per member and building class; float32 halves the memory traffic of the hot loop and is
    # far more precise than the model (0.001 K at 20 °C).
    decay = np.exp(-1.0 / building.tau_hours)[:, None, None, :, None, None].astype(np.float32)
    gain = building.gain_offset[:, None, None, :, None, None].astype(np.float32)
    heating_gain = (building.capacity[:, None, None, None, None, None] * (1.0 - decay)).astype(np.float32)
    setpoint = np.float32(building.setpoint)
    if state is None:
        temperature = np.full((members, n_regions, *pop_cohort.shape[1:]), setpoint, dtype=np.float32)
        phase = np.zeros((hazard.members, n_regions))
    else:
        temperature = np.broadcast_to(state.temperature, (members, *state.temperature.shape[1:])).copy()
        phase = np.broadcast_to(state.phase, (hazard.members, n_regions)).copy()

    names = _metric_names()
    daily = {name: np.zeros((members, n_regions, n_days)) for name in names}
    hourly = _hourly_buffers(members, n_regions, len(day_of_hour), pop_cohort.shape[1:]) if keep_hourly else None

    hour_starts = np.searchsorted(day_of_hour, np.arange(len(period.days) + 1))
    for out_day, day in enumerate(days):
        h0, h1 = hour_starts[day], hour_starts[day + 1]
        q0, q1 = h0 * QUARTERS_PER_HOUR, h1 * QUARTERS_PER_HOUR
        window = hazard.window(q0, q1)
        rot_off, phase = rotation_off(window.rotating, rotation_block, phase)
        sched = np.where(window.schedule_days[:, None, :], window.schedule, 0.0)
        group_off = 1.0 - (1.0 - hourly_mean(rot_off)) * (1.0 - hourly_mean(sched))[None]  # (M,R,12,H)
        band_power = hourly_mean(band_off(window.persistent, bands))                       # (M,R,K,H)
        band_heat = hourly_mean(band_off(window.heat_lost, bands))                         # (M,R,K,H)
        # Hour-first and C-contiguous from here on, in float32: each hour is one contiguous block,
        # and every sum over cohorts runs along the last axis, row by row, so results do not depend
        # on how many members or regions share the arrays.
        group_on = _hour_first(1.0 - group_off)[..., :, None]                               # (H,M,R,12,1)
        band_on = _hour_first(1.0 - band_power)[..., None, :]                               # (H,M,R,1,K)
        plant_on = _hour_first(1.0 - band_heat)[..., None, :]                               # (H,M,R,1,K)
        fraction = np.empty((*group_on.shape[:3], 3, groups, bands), dtype=np.float32)     # (H,M,R,3,12,K)
        np.multiply(group_on, band_on, out=fraction[:, :, :, 2])                           # power-dependent
        np.multiply(fraction[:, :, :, 2], plant_on, out=fraction[:, :, :, 0])              # district, pumped
        fraction[:, :, :, 1] = plant_on                                                     # district, no pumps
        groups_on = _row_sum(group_on, 3)                                                   # (H,M,R) Σ_g
        bands_on = _row_sum(band_on, 3)                                                     # Σ_k power
        plants_on = _row_sum(plant_on, 3)                                                   # Σ_k plant
        both_on = _row_sum(band_on * plant_on, 3)                                           # Σ_k power·plant
        units = groups * bands
        units_off = units - groups_on * bands_on                                            # (H,M,R) of 12·K
        without_power = pop_power_unit * units_off                                          # (H,M,R)
        share_off = units_off / units
        without_heat = (class_unit[:, 0] * (units - groups_on * both_on)                   # district, pumped
                        + class_unit[:, 1] * (units - groups * plants_on)                   # district, no pumps
                        + class_unit[:, 2] * units_off)                                     # power-dependent
        fraction = fraction[:, :, :, :, None]                                               # add the building axis
        free_running = (np.moveaxis(outdoor[:, :, h0:h1], -1, 0)[:, :, :, None, None, None, None] + gain).astype(np.float32)
        day_min = temperature.copy()  # the path within an hour is monotone: its ends bound it
        hours_below_12 = np.zeros(temperature.shape, dtype=np.uint8)
        for h in range(h1 - h0):
            temperature = _step(temperature, free_running[h], fraction[h], decay, heating_gain, setpoint)
            np.minimum(day_min, temperature, out=day_min)
            hours_below_12 += temperature < 12.0
            if hourly is not None:
                hourly["indoor_temperature"][..., h0 + h] = temperature[0]
        if hourly is not None:
            hourly["without_power"][:, h0:h1] = without_power[:, 0].T
            hourly["without_heat"][:, h0:h1] = without_heat[:, 0].T
            hourly["share_off"][:, h0:h1] = share_off[:, 0].T

        _daily_metrics(daily, out_day, exposure, pop_cohort, occupied, has_independent, day_min, hours_below_12,
                       without_power, without_heat, share_off, outdoor[:, :, h0:h1], building.setpoint,
                       hdd_base, risk_share)
        if progress is not None:
            progress(1)
    return Simulation(daily=daily, state=State(temperature, phase), hourly=hourly)


def _row_sum(array: np.ndarray, keep: int) -> np.ndarray:
    """Sum over every axis after the first ``keep``, as one contiguous row each (deterministic),
    accumulated in float64."""
    return np.ascontiguousarray(array).reshape(*array.shape[:keep], -1).sum(axis=-1, dtype=np.float64)


def _hour_first(array: np.ndarray) -> np.ndarray:
    """(…, H) float array → contiguous float32 (H, …)."""
    return np.ascontiguousarray(np.moveaxis(array, -1, 0), dtype=np.float32)


def _step(temperature, free_running, fraction, decay, heating_gain, setpoint):
    """One thermal hour for every cohort (``thermal.step_hour`` with its constants precomputed).

    Written with in-place operations: two new arrays per hour instead of seven.
    """
    unheated = np.subtract(temperature, free_running)
    unheated *= decay
    unheated += free_running
    heated = np.multiply(fraction, heating_gain)
    heated += unheated
    np.maximum(unheated, setpoint, out=unheated)
    return np.minimum(heated, unheated, out=heated)


def _metric_names() -> list[str]:
    from gridimpact.model.metrics import NUMERIC_METRICS

    return [*NUMERIC_METRICS, "risk_level"]


def _hourly_buffers(members, n_regions, n_hours, cohort_shape) -> dict[str, np.ndarray]:
    return {
        "indoor_temperature": np.zeros((n_regions, *cohort_shape, n_hours), dtype=np.float32),
        "without_power": np.zeros((n_regions, n_hours)),
        "without_heat": np.zeros((n_regions, n_hours)),
        "share_off": np.zeros((n_regions, n_hours)),
    }


def _daily_metrics(daily, day, exposure, pop_cohort, occupied, has_independent, day_min, hours_below_12,
                   without_power, without_heat, share_off, outdoor, setpoint, hdd_base, risk_share) -> None:
    """Fold one day's hourly arrays ((H, M, R) and per-cohort (M, R, ...)) into daily metrics."""
    population = exposure.population
    hours = without_power.shape[0]
    # Sums over hours run along a contiguous last axis, like every other sum (see simulate).
    power_hours = _row_sum(np.moveaxis(without_power, 0, -1), 2)
    heat_hours = _row_sum(np.moveaxis(without_heat, 0, -1), 2)
    daily["population"][:, :, day] = population
    daily["people_without_power"][:, :, day] = power_hours / hours
    daily["people_without_power_peak"][:, :, day] = without_power.max(axis=0)
    daily["person_hours_without_power"][:, :, day] = power_hours
    daily["share_customers_without_power"][:, :, day] = _row_sum(np.moveaxis(share_off, 0, -1), 2) / hours
    daily["people_without_heat"][:, :, day] = heat_hours / hours
    daily["people_without_heat_peak"][:, :, day] = without_heat.max(axis=0)
    below = {}
    for threshold in COLD_THRESHOLDS_C:
        below[threshold] = _row_sum((day_min < threshold) * pop_cohort, 2)
        daily[f"people_below_{threshold:g}c"][:, :, day] = below[threshold]
    for threshold in (12.0, 9.0):
        daily[f"elderly_below_{threshold:g}c"][:, :, day] = below[threshold] * exposure.share_65plus
    daily["person_hours_below_12c"][:, :, day] = _row_sum(hours_below_12 * pop_cohort, 2)
    coldest = np.where(occupied, day_min, np.inf).reshape(*day_min.shape[:2], -1).min(axis=-1)
    daily["min_indoor_temperature_c"][:, :, day] = np.where(has_independent, np.minimum(coldest, setpoint), coldest)
    mean_out = _row_sum(outdoor, 2) / outdoor.shape[-1]
    daily["outdoor_temperature_mean_c"][:, :, day] = mean_out
    daily["outdoor_temperature_min_c"][:, :, day] = outdoor.min(axis=-1)
    daily["heating_degree_days"][:, :, day] = heating_degree_days(mean_out, hdd_base)
    daily["risk_level"][:, :, day] = risk_score(population, below[16.0], below[12.0], below[9.0], risk_share)
