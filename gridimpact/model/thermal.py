"""Indoor temperature of a building cohort: a lumped (single-capacity) thermal model.

The room air and structure form one heat capacity C [J/K] losing heat through a conductance H
[W/K] to outdoors, with internal gains Q_g [W] and, when heating works, up to Q_h [W] of heat:

    C dT/dt = −H (T − T_out) + Q_g + Q_h

(ISO 13790's simple method with one node; τ = C/H is the building's time constant in hours.)
With heating off, T relaxes toward the free-running temperature T_out + ΔT_g, where ΔT_g = Q_g/H
(``gain_offset``). With heating on at full output it relaxes toward T_out + ΔT_g + ΔT_h, where
ΔT_h = Q_h/H (``heating_capacity``), and the thermostat or the heat network holds it at the
set-point once reached. For a constant outdoor temperature each phase has the closed form

    T(t) = T_eq + (T(0) − T_eq) · exp(−t / τ),

which the step below applies exactly, so the hourly scheme has no time-step error.

Within an hour in which heating is available a fraction f of the time (rotating outages at
quarter-hour resolution), heat is taken as delivered at f of full output throughout the hour, so the
hour relaxes toward T_out + ΔT_g + f·ΔT_h. This is exact for f = 0 and f = 1 and, for a partial hour,
differs from an off-then-on sequence by under 0.01 K when τ ≥ 25 h (e.g. τ = 25 h, −20 °C, f = 0.5:
19.510 against 19.518 °C). The thermostat caps heated rooms at the set-point, unless the free-running
temperature is higher (mild weather).

All functions are plain numpy and broadcast over any leading shape (members, regions, cohorts).
Units: temperatures and differences in °C (K for differences), times in hours.
"""

from __future__ import annotations

import numpy as np


def relax(temperature, target, hours, tau_hours):
    """Temperature after ``hours`` of exponential relaxation toward ``target`` (°C) with time constant τ (h)."""
    return target + (temperature - target) * np.exp(-np.asarray(hours) / tau_hours)


def advance_hour(temperature, free_running, heat_fraction, decay, heating_gain, setpoint):
    """The thermal step: indoor temperature at the end of one hour, for every cohort at once.

    The one implementation of the model's hourly recurrence; the engine calls it on its float32
    cohort arrays, and ``step_hour`` wraps it for callers that hold physical parameters.

    Parameters
    ----------
    temperature : array, °C
        Indoor temperature at the start of the hour (not modified).
    free_running : array, °C
        Outdoor temperature plus the gain offset, T_out + ΔT_g: where the room settles unheated.
    heat_fraction : array in [0, 1]
        Share of the hour during which heating is available.
    decay : array
        exp(−1 h / τ), the share of the initial excess left after one hour.
    heating_gain : array, K
        ΔT_h · (1 − decay): the rise in one hour at full heating output.
    setpoint : float, °C
        Indoor temperature held when heating suffices (the thermostat caps heated rooms there,
        unless the free-running temperature is higher).

    Returns
    -------
    array, °C
        Temperature at the end of the hour. The path within an hour is monotone, so the lowest
        temperature of the hour is the lower of its two ends.

    Written with in-place operations on the intermediate arrays: two new arrays per hour, which
    keeps the engine's hot loop memory-bound rather than allocation-bound.
    """
    unheated = np.subtract(temperature, free_running)
    unheated *= decay
    unheated += free_running
    heated = np.multiply(heat_fraction, heating_gain)
    heated += unheated
    np.maximum(unheated, setpoint, out=unheated)
    return np.minimum(heated, unheated, out=heated)


def step_hour(temperature, outdoor, heat_fraction, *, tau_hours=None, gain_offset, heating_capacity,
              setpoint, decay=None):
    """Advance indoor temperature by one hour from physical parameters (``advance_hour``).

    Parameters
    ----------
    temperature : array, °C
        Indoor temperature at the start of the hour.
    outdoor : array, °C
        Outdoor temperature during the hour.
    heat_fraction : array in [0, 1]
        Share of the hour during which heating is available.
    tau_hours : array, h
        Building time constant τ = C/H (or give ``decay`` = exp(−1 h / τ) directly).
    gain_offset : array, K
        Free-running indoor excess over outdoor from internal gains (ΔT_g).
    heating_capacity : array, K
        Indoor excess over outdoor that full heating output can hold (ΔT_h).
    setpoint : float, °C
        Indoor temperature held when heating suffices.

    Returns
    -------
    (end, lowest) : arrays, °C
        Temperature at the end of the hour and the lowest temperature within it.
    """
    if decay is None:
        decay = np.exp(-1.0 / np.asarray(tau_hours))
    free_running = np.asarray(outdoor) + gain_offset
    heating_gain = heating_capacity * (1.0 - decay)
    shape = np.broadcast(temperature, free_running, heat_fraction, decay, heating_gain).shape
    # advance_hour writes into its intermediates, which needs arrays (not numpy scalars).
    start, free_running, heat_fraction, decay, heating_gain = (
        np.array(np.broadcast_to(x, shape), dtype=float, ndmin=1)
        for x in (temperature, free_running, heat_fraction, decay, heating_gain))
    end = advance_hour(start, free_running, heat_fraction, decay, heating_gain, setpoint)
    return end.reshape(shape), np.minimum(start, end).reshape(shape)


def periodic_steady_state(outdoor, hours_off, hours_on, *, tau_hours, gain_offset, heating_capacity):
    """Indoor temperature at the end of the off-phase in a strict off/on rotation, once settled.

    For constant outdoor temperature and heating that never reaches the set-point, one cycle maps
    the end-of-off temperature x to a·(b·x + (1 − b)·T_on) + (1 − a)·T_off with a = exp(−off/τ),
    b = exp(−on/τ); its fixed point is the periodic steady state. Used to check the simulation.
    """
    a = np.exp(-hours_off / tau_hours)
    b = np.exp(-hours_on / tau_hours)
    t_off = outdoor + gain_offset
    t_on = t_off + heating_capacity
    return (a * (1 - b) * t_on + (1 - a) * t_off) / (1 - a * b)
