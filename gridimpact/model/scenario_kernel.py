"""The compiled engine's version of ``strikes.scenario_shares``: a scenario's supply shares of one
window, computed quarter by quarter in one loop instead of a dozen full-array passes over
(members × strikes × regions × quarters).

It gives the numpy version's numbers to the last bit (tests/test_strikes.py): the same IEEE
operations in the same order, numpy's rules for ``clip`` and ``maximum`` (a NaN passes through),
and the sum over strikes taken in strike order, as numpy reduces an axis that is not the last.
Imported only with the compiled engine (``fused``), so the numpy path needs no numba.
"""

from __future__ import annotations

import numpy as np

from gridimpact.model.hazard import HazardWindow
from gridimpact.model.jit import compiled, inlined
from gridimpact.model.period import QUARTERS_PER_DAY
from gridimpact.model.strikes import scenario_shares


@inlined
def _clip_unit(x):
    """``np.clip(x, 0.0, 1.0)``: numpy's maximum then minimum, a NaN kept."""
    if not x != x:
        x = x if x > 0.0 else 0.0
        x = x if x < 1.0 else 1.0
    return x


@inlined
def _ramp(share, days, elapsed):
    """One strike's share still standing ``elapsed`` quarter-hours after it (0 before it)."""
    duration = days * QUARTERS_PER_DAY
    started = elapsed >= 0.0
    floor = duration if (duration >= 1e-9 or duration != duration) else 1e-9  # np.maximum(duration, 1e-9)
    remaining = _clip_unit(1.0 - (elapsed if started else 0.0) / floor)
    return share * (remaining if started and duration > 0 else 0.0)


@compiled
def _shares(t, after, switch_q, existing_days, rotating_level, persistent_level, heat_level, base_rotating,
            base_persistent, base_heat, time, power_share, power_days, heat_share, heat_days, emergency_share,
            emergency_days, arrived, out):
    """Fill ``out`` (3, M, R, Q) with the rotating, persistent and heat-loss shares."""
    members, regions = existing_days.shape
    for m in range(members):
        for r in range(regions):
            denominator = existing_days[m, r] * QUARTERS_PER_DAY + 1e-9
            for q in range(t.shape[0]):
                if after[q]:
                    since = t[q] - switch_q
                    since = since if (since >= 0.0 or since != since) else 0.0
                    repair = _clip_unit(1.0 - since / denominator)
                    rotating = rotating_level[r]
                    persistent = persistent_level[r] * repair
                    heat = heat_level[r] * repair
                else:
                    rotating, persistent, heat = base_rotating[r, q], base_persistent[r, q], base_heat[r, q]
                emergency_ramp = power_ramp = heat_ramp = 0.0
                for i in range(arrived.shape[0]):
                    s = arrived[i]
                    elapsed = t[q] - time[m, s, r]
                    term_e = _ramp(emergency_share[m, s, r], emergency_days[m, s, r], elapsed)
                    term_p = _ramp(power_share[m, s, r], power_days[m, s, r], elapsed)
                    term_h = _ramp(heat_share[m, s, r], heat_days[m, s, r], elapsed)
                    if i == 0:  # numpy's sum starts from the first term
                        emergency_ramp, power_ramp, heat_ramp = term_e, term_p, term_h
                    else:
                        emergency_ramp += term_e
                        power_ramp += term_p
                        heat_ramp += term_h
                out[0, m, r, q] = _clip_unit(rotating + emergency_ramp)
                out[1, m, r, q] = _clip_unit(persistent + power_ramp)
                out[2, m, r, q] = _clip_unit(heat + heat_ramp)


def compiled_shares(hazard, base: HazardWindow, t: np.ndarray, after: np.ndarray,
                    arrived: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``strikes.scenario_shares`` with the compiled loop (the numpy one where the observed hazard
    has more than one member, which scenario hazards never have)."""
    if base.rotating.shape[0] != 1:
        return scenario_shares(hazard, base, t, after, arrived)
    existing, rotating, persistent, heat, time, *effects = hazard.window_arrays
    out = np.empty((3, *existing.shape, len(t)))
    _shares(np.ascontiguousarray(t, dtype=np.float64), np.ascontiguousarray(after), np.float64(hazard.switch_q),
            existing, rotating, persistent, heat,
            *(np.ascontiguousarray(values[0], dtype=np.float64) for values in
              (base.rotating, base.persistent, base.heat_lost)),
            time, *effects,
            np.ascontiguousarray(arrived, dtype=np.int64), out)
    return out[0], out[1], out[2]


def tiny_shares() -> None:
    """One member, strike, region and quarter: compiles (or loads) ``_shares`` for the argument
    types of every real call (``compilation.ensure_compiled``)."""
    one = np.zeros((1, 1))
    strike = np.zeros((1, 1, 1))
    _shares(np.array([0.5]), np.array([True]), np.float64(0.0), one, np.zeros(1), np.zeros(1), np.zeros(1),
            one, one.copy(), one.copy(), strike, *(strike.copy() for _ in range(6)), np.zeros(1, dtype=np.int64),
            np.empty((3, 1, 1, 1)))
