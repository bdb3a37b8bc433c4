"""The compiled engine's side of ``engine.simulate``: a simulation's arrays in the layout of
``kernel.simulate_day``, one kernel call per local day, and the reduced day the metrics read.

``engine.simulate`` imports this module only when the compiled engine runs (numba is imported
here, through ``kernel``, not when ``gridimpact`` or its command line start).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridimpact.model import compilation, kernel
from gridimpact.model.hazard import HazardWindow
from gridimpact.model.metrics import BELOW_THRESHOLDS_C, RISK_HIGH_HOURS_BELOW_12
from gridimpact.model.period import QUARTERS_PER_HOUR
from gridimpact.model.scenario_kernel import compiled_shares
from gridimpact.model.strikes import ScenarioHazard


def _layout(values, dtype) -> np.ndarray:
    """C-contiguous and writable, as the kernel is compiled for (a copy only when needed): another
    layout or a read-only view would make numba compile a second version."""
    if isinstance(values, np.ndarray) and values.dtype == dtype and values.flags.c_contiguous and values.flags.writeable:
        return values  # the usual case, without np.require's own checks (a dozen arrays per day)
    return np.require(values, dtype=dtype, requirements=("C", "W"))


@dataclass
class DayOutput:
    """What one kernel call gives: hourly (H, M, R) supply counts and the (M, R) cohort sums."""

    without_power: np.ndarray
    without_heat: np.ndarray
    share_off: np.ndarray
    below_counts: dict[float, np.ndarray]
    cold_person_hours: np.ndarray
    coldest_cohort: np.ndarray
    risk_people: np.ndarray  # (2, M, R) persons at risk level 2 or above, and at level 3
    phase: np.ndarray  # (Mh, R) rotation phase at the end of the day
    air: np.ndarray    # (M, R, 3, 3, 12, K) °C at the end of the day
    mass: np.ndarray

    def hourly(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.without_power, self.without_heat, self.share_off

    def reduced(self) -> dict:
        """The cohort sums as ``metrics.Day`` takes them."""
        return {"below_counts": self.below_counts, "cold_person_hours": self.cold_person_hours,
                "coldest_cohort": self.coldest_cohort, "risk_people": self.risk_people}


class CompiledDays:
    """The arrays every day of one simulation shares, prepared once.

    ``step`` is ``engine.ThermalConstants.step`` (fields (M, 1, 1, 3, 1, 1) float32), ``setpoint``
    float32; ``per_group`` (M, R, 3, 3) persons per subqueue group and unit band share (the first
    factor of ``engine.cohort_population_by_member``); ``band_share`` (R, K); ``class_people``
    (M, R, 3, K) persons of a heating class in one group and band (``supply.people_without_heat``);
    ``outdoor`` (M or 1, R, period hours) °C; ``hourly_air`` receives member 0's air temperature,
    (R, 3, 3, 12, K, period hours) float32, or None.
    """

    def __init__(self, step, setpoint, per_group, band_share, class_people, population, band_edges,
                 rotation_block: float, outdoor: np.ndarray, hourly_air: np.ndarray | None):
        compilation.ensure_compiled()
        members = per_group.shape[0]
        constants = np.stack([np.broadcast_to(np.asarray(getattr(step, name))[:, 0, 0, :, 0, 0], (members, 3))
                              for name in kernel.STEP_FIELDS], axis=-1)
        self.constants = _layout(constants, np.float32)         # (M, 3, 8)
        self.setpoint = np.float32(setpoint)
        self.per_group = _layout(per_group, np.float64)
        self.band_share = _layout(band_share, np.float64)
        self.band_weight = self.band_share.astype(np.float32)
        self.class_people = _layout(class_people, np.float64)
        self.population = _layout(population, np.float64)
        self.edges = _layout(band_edges, np.float64)
        self.rotation_block = np.float64(rotation_block)
        self.outdoor = _layout(outdoor, np.float32)
        self.keep_hourly = hourly_air is not None
        self.hourly_air = hourly_air if hourly_air is not None else np.zeros((1,) * 6, dtype=np.float32)
        self.thresholds = np.asarray(BELOW_THRESHOLDS_C, dtype=np.float32)

    @staticmethod
    def window(hazard, q0: int, q1: int) -> HazardWindow:
        """The hazard's window, a scenario's shares computed by the compiled loop."""
        if isinstance(hazard, ScenarioHazard):
            return hazard.window(q0, q1, shares=compiled_shares)
        return hazard.window(q0, q1)

    def run(self, window: HazardWindow, first_hour: int, air: np.ndarray, mass: np.ndarray,
            phase: np.ndarray, active: np.ndarray | None = None) -> DayOutput:
        """Step ``air`` and ``mass`` (M, R, 3, 3, 12, K) float32 through one day: in place when they
        are C-contiguous, else in contiguous copies (the kernel is compiled for that layout).
        ``active`` (M, R) bool: the cells to simulate (None: all); the others keep their state and
        give zeros."""
        air = _layout(air, np.float32)
        mass = _layout(mass, np.float32)
        hazard_members = max(window.rotating.shape[0], window.persistent.shape[0], window.heat_lost.shape[0])

        def quarterly(values) -> np.ndarray:
            return _layout(np.broadcast_to(values, (hazard_members, *values.shape[1:])), np.float64)

        members, regions = air.shape[:2]
        hours = window.rotating.shape[-1] // QUARTERS_PER_HOUR
        hourly = (hours, members, regions)
        out = DayOutput(np.empty(hourly), np.empty(hourly), np.empty(hourly), {}, np.empty((members, regions)),
                        np.empty((members, regions), dtype=np.float32), np.empty((2, members, regions)),
                        np.empty(phase.shape), air, mass)
        below = np.empty((len(self.thresholds), members, regions))
        active = np.ones((members, regions), dtype=bool) if active is None else _layout(active, bool)
        kernel.simulate_day(
            quarterly(window.rotating), quarterly(window.persistent), quarterly(window.heat_lost),
            _layout(window.schedule, np.float64), _layout(window.schedule_days, bool), self.edges,
            self.rotation_block, _layout(phase, np.float64), out.phase, self.outdoor, first_hour, air, mass, self.constants,
            self.setpoint, self.per_group, self.band_share, self.class_people, self.band_weight, self.population,
            self.thresholds, self.keep_hourly, self.hourly_air, out.without_power, out.without_heat,
            out.share_off, below, out.cold_person_hours, out.coldest_cohort, RISK_HIGH_HOURS_BELOW_12,
            out.risk_people, active)
        out.below_counts = dict(zip(BELOW_THRESHOLDS_C, below, strict=True))
        return out
