"""Control variates for the expected change: the spared strikes, whose mean is known, carry most of
the members' luck, so the estimate is corrected by how far the ensemble's strikes fell from it.

A member's expected change under a pause depends above all on which strikes its pause could spare:
how many fell inside the window on a region, how late in it (the chance that the pause still held
then, ``PauseOutcomes.survival``), and how much damage each would have done. Four numbers per
member and region summarise them (``spared``): the expected number of spared hits, and the spared
hits weighted by the share × days of power, heat and emergency outage their damage would leave
inside the compared days. Their expectation under the strike process is known without simulating
buildings (``expected_spared``). The member's sampled building parameters, each less its known mean
(``params.sampled_means``), enter multiplied by the spared hits (``member_controls``): a parameter
shifts both scenarios of a member alike, so in the paired change it only scales what the spared
strikes do, and the products have mean zero because the parameters are drawn independently of the
strikes. The estimate of the mean change is then the regression estimator [1]

    Δ̂ = mean(d) − β · (mean(X) − E[X]),   β fitted over the members by least squares,

which is unbiased up to O(1/members) from fitting β, and whose variance is the members' variance
left after the regression, about (1 − R²) × Var(d) / n (with R² of 0.65–0.99 on the embedded case;
the standard error is the grouped jackknife's, ``ControlFit.estimate``). The strikes stay random;
only the arithmetic of the mean changes.

``E[X]`` is computed from the process's own definition: a hit of region r with probability p_r
independent of the strike times and of the damage drawn; the strike times of the renewal process
(triangular intervals, the first a uniform share of one) and of the regional Poisson processes and
their damage (uniform ranges, a destroyed plant with its probability) are drawn here for
``TIME_SAMPLES`` sequences with a fixed seed — array operations without buildings or hours — and
their error, estimated from ``SAMPLE_GROUPS`` groups, is carried into the standard error.
Scripted events are the same in every member and are left out of X.

[1] A. B. Owen, *Monte Carlo theory, methods and examples* (2013), ch. 8.9, regression estimators.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from gridimpact.model.period import QUARTERS_PER_DAY
from gridimpact.model.quasi_random import batch_standard_error
from gridimpact.model.regional import process_key
from gridimpact.model.strikes import pause_windows

CONTROLS = ("spared_hits", "spared_power", "spared_heat", "spared_emergency")
TIME_SAMPLES = 1 << 15
"""Strike sequences drawn for E[X]; its own sampling error (from ``SAMPLE_GROUPS`` group means) is
carried into the standard error of the corrected estimate, to which it adds a few per cent."""
SAMPLE_GROUPS = 16


def _features(time: np.ndarray, effects: dict[str, np.ndarray], end_q: float) -> np.ndarray:
    """(..., 4) per strike row: 1, and the share × days of power, heat and emergency outage that its
    damage, repaired linearly, leaves inside the compared days (up to ``end_q``)."""
    left = np.maximum(end_q - time, 0.0) / QUARTERS_PER_DAY

    def lasting(share: str, days: str) -> np.ndarray:
        duration = np.maximum(effects[days], 1e-9)
        overlap = np.minimum(duration, left)
        return effects[share] * (overlap - overlap * overlap / (2.0 * duration))

    return np.stack([np.ones_like(left), lasting("power_share", "power_days"), lasting("heat_share", "heat_days"),
                     lasting("emergency_share", "emergency_days")], axis=-1)


def _weight(phi: np.ndarray, outcomes) -> np.ndarray:
    """P(the strike is suppressed): the pause still held at φ (0 outside every window)."""
    inside = np.isfinite(phi)
    return np.where(inside, outcomes.survival(np.where(inside, phi, 1.0)), 0.0)


def spared(phi: np.ndarray, time: np.ndarray, effects: dict[str, np.ndarray], outcomes, process_rows: int,
           end_q: float) -> np.ndarray:
    """(M, R, 4) the ``CONTROLS`` of each member and region from its draws: ``phi`` (M, S, R) the
    position of each strike in a pause window (inf outside), ``time`` (M, S, R) quarter-hours (inf
    where it does not hit), ``effects`` (M, S, R) each; only the first ``process_rows`` strike rows
    (the random processes, not scripted events) count."""
    rows = slice(0, process_rows)
    weight = _weight(phi[:, rows], outcomes)
    features = _features(time[:, rows], {name: values[:, rows] for name, values in effects.items()}, end_q)
    return (weight[..., None] * features).sum(axis=1)


def _grouped_sum(times: np.ndarray, effects: dict[str, np.ndarray], scenario, code: str, period,
                 end_q: float) -> np.ndarray:
    """(G, 4) means over ``SAMPLE_GROUPS`` groups of samples of Σ over rows of weight × features, for
    strike rows (N, S) that hit region ``code``."""
    n, rows = times.shape
    flat = times.reshape(-1, 1)
    features = _features(flat[:, 0], {name: values.reshape(-1) for name, values in effects.items()}, end_q)
    weight = _weight(pause_windows(flat, scenario.pauses, (code,), period)[0][:, 0], scenario.pauses[0].outcomes)
    groups = SAMPLE_GROUPS
    per_group = n // groups * rows
    return np.einsum("gs,gsc->gc", weight.reshape(groups, per_group), features.reshape(groups, per_group, -1)) / (n // groups)


def _uniform(rng, value, size) -> np.ndarray:
    return rng.uniform(value.low, value.high, size=size)


def _national_samples(process, switch_q: float, capacity: int, seed: int) -> tuple[np.ndarray, dict]:
    """Strike times (N, S) in quarter-hours and damage of ``TIME_SAMPLES`` sequences of major strikes."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7, 1)))
    low, mode, high = process.interval_days
    size = (TIME_SAMPLES, capacity)
    intervals = rng.triangular(low, mode, high, size=size) if high > low else np.full(size, low)
    first = rng.uniform(size=TIME_SAMPLES) * intervals[:, 0]
    days = first[:, None] + np.concatenate([np.zeros((TIME_SAMPLES, 1)), np.cumsum(intervals[:, 1:], axis=1)], axis=1)
    destroyed = rng.uniform(size=size) < process.plant_destroyed_probability
    effects = {"power_share": _uniform(rng, process.power_share, size),
               "power_days": _uniform(rng, process.power_restore_days, size),
               "heat_share": _uniform(rng, process.heat_lost_share, size),
               "heat_days": np.where(destroyed, _uniform(rng, process.destroyed_restore_days, size),
                                     _uniform(rng, process.heat_restore_days, size)),
               "emergency_share": _uniform(rng, process.emergency_share, size),
               "emergency_days": _uniform(rng, process.emergency_days, size)}
    return switch_q + days * QUARTERS_PER_DAY, effects


def _regional_samples(regional, key: str, switch_q: float, slots: int, seed: int) -> tuple[np.ndarray, dict]:
    """The same for one regional Poisson process (its own stream, whatever the other regions)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7, 2, zlib.crc32(key.encode()))))
    size = (TIME_SAMPLES, slots)
    gaps = rng.exponential(1.0 / regional.rate_per_day, size=size)
    effects = {"power_share": _uniform(rng, regional.power_share, size),
               "power_days": _uniform(rng, regional.power_restore_days, size),
               "heat_share": _uniform(rng, regional.heat_lost_share, size),
               "heat_days": _uniform(rng, regional.heat_restore_days, size),
               "emergency_share": np.zeros(size), "emergency_days": np.zeros(size)}
    return switch_q + np.cumsum(gaps, axis=1) * QUARTERS_PER_DAY, effects


def expected_spared(scenario, regions: tuple[str, ...], period, switch_q: float, capacity: int,
                    regional_slots: int, seed: int, memo: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """E[``spared``] under the scenario's strike process and its pause, for ``regions``: the mean
    (R, 4) and its sampling covariance (R, 4, 4).

    ``capacity`` and ``regional_slots`` are the strike rows a member draws (``strikes.draw_member``);
    ``TIME_SAMPLES`` sequences of strike times and damage are drawn with plain random numbers from
    ``seed``. A major strike hits region r with probability p_r, independently of its time and
    damage, so its part of the mean is p_r times the mean over sequences that hit — the same for
    every region the pauses cover alike, so it is computed once per pattern of cover. ``memo``
    (a dict the blocks of one comparison share) keeps the samples and those sums between blocks.
    """
    process = scenario.strikes
    result = np.zeros((SAMPLE_GROUPS, len(regions), len(CONTROLS)))
    if process is None or not scenario.pauses or capacity <= 0:
        return result[0], np.zeros((len(regions), len(CONTROLS), len(CONTROLS)))
    memo = {} if memo is None else memo
    end_q = float(period.n_quarters)
    key = ("spared", scenario.name, switch_q, capacity, seed)
    for i, code in enumerate(regions):
        cover = (key, tuple(pause.covers(code) for pause in scenario.pauses))
        if cover not in memo:
            if key not in memo:
                memo[key] = _national_samples(process, switch_q, capacity, seed)
            memo[cover] = _grouped_sum(*memo[key], scenario, code, period, end_q)
        result[:, i] = process.probability(code) * memo[cover]
        owner = process_key(process.regional, code)
        if owner is not None and regional_slots > 0:
            own = (key, "regional", owner, cover[1])
            if own not in memo:
                samples = _regional_samples(process.regional[owner], owner, switch_q, regional_slots, seed)
                memo[own] = _grouped_sum(*samples, scenario, code, period, end_q)
            result[:, i] += memo[own]
    deviation = result - result.mean(axis=0)
    covariance = np.einsum("gri,grj->rij", deviation, deviation) / (SAMPLE_GROUPS - 1) / SAMPLE_GROUPS
    return result.mean(axis=0), covariance


def member_controls(strikes: np.ndarray, parameters: np.ndarray) -> np.ndarray:
    """(M, R, 4 + P) the controls of a block: the spared strikes (M, R, 4) (``spared``) and the
    spared hits × each centred sampled parameter (M, P), whose known mean is 0.

    Measured on the embedded case (4,096 members, the spread of 32 estimates from 128 members
    each), the products lowered the error of the cold metrics' change by up to a fifth against the
    parameters added alone (Kyiv, person-days below 12 °C: 4.3 → 3.4 %) and left the others as
    they were."""
    return np.concatenate([strikes, strikes[..., :1] * parameters[:, None, :]], axis=2)


JACKKNIFE_GROUPS = 16
"""Groups of consecutive members left out in turn for the standard error (``ControlFit.estimate``)."""

MEMBERS_PER_CONTROL = 4
"""Members with a spared strike that each fitted control needs (plus two). Fewer, and the fit
follows the few members' noise: 32 members of the Kremlin version's two-day pause, with about a
dozen spared strikes among them, gave a standard error of 12 million for a change of 0.4 million.
A unit short of that for all its controls is fitted on the four spared-strike controls alone, and
short of it for those, not at all."""


def usable_controls(x: np.ndarray) -> int:
    """How many of a unit's controls (M, k) — all of them, the four of ``CONTROLS``, or none —
    its members with a spared strike (a non-zero first control) can fit."""
    informative = int(np.count_nonzero(x[:, 0]))
    for count in (x.shape[1], min(len(CONTROLS), x.shape[1])):
        if informative >= MEMBERS_PER_CONTROL * count + 2:
            return count
    return 0


@dataclass(frozen=True)
class _UnitFit:
    """One unit's regression: the solve (k, M) of its centred controls, their offsets from the known
    means (M, k), the known means' covariance (k, k), and for each left-out group g the solve (G, k, M)
    of the other members (zero in g's columns), their weights (G, M) and their mean offset (G, k)."""

    solve: np.ndarray
    offset: np.ndarray
    covariance: np.ndarray | None
    group_solve: np.ndarray
    group_weights: np.ndarray
    group_shift: np.ndarray


def jackknife_groups(members: int, base_members: int | None = None) -> list[np.ndarray]:
    """The groups of consecutive members left out in turn: the same for every unit and block.

    ``base_members``: the ensemble size every unit has, when this unit has a whole multiple of it
    (a region given more members, ``model.refinement``); member m then joins the group of member
    m mod ``base_members``, so that every unit leaves out the shared members together and the
    replicates of units with different ensemble sizes still add up."""
    base = base_members
    if base is None or base >= members or members % base:
        return np.array_split(np.arange(members), min(JACKKNIFE_GROUPS, members))
    return [np.concatenate([group + repeat * base for repeat in range(members // base)])
            for group in jackknife_groups(base)]


def _kept(groups: list[np.ndarray], members: int) -> np.ndarray:
    """(G, M) 1 for the members each replicate keeps, 0 for its left-out group."""
    weights = np.ones((len(groups), members))
    for g, left_out in enumerate(groups):
        weights[g, left_out] = 0.0
    return weights


def plain_replicates(values: np.ndarray, base_members: int | None = None) -> np.ndarray:
    """(G, U) the plain mean of member values (M, U) made again with each jackknife group left out."""
    weights = _kept(jackknife_groups(len(values), base_members), len(values))
    with np.errstate(invalid="ignore", divide="ignore"):  # one member: its one group leaves none
        return weights @ values / weights.sum(axis=1, keepdims=True)


def jackknife_error(replicates: np.ndarray, extra=0.0) -> np.ndarray:
    """Standard error from leave-one-group-out replicates (G, ...), plus a variance ``extra``
    (NaN from fewer than two groups: one member gives no error)."""
    groups = len(replicates)
    if groups < 2:
        return np.full(np.shape(replicates)[1:], np.nan)
    spread = np.sum((replicates - replicates.mean(axis=0)) ** 2, axis=0)
    return np.sqrt((groups - 1) / groups * spread + extra)


def _unit_fit(x: np.ndarray, expected: np.ndarray, covariance: np.ndarray | None,
              base_members: int | None) -> _UnitFit:
    members = len(x)
    groups = jackknife_groups(members, base_members)
    solves = np.zeros((len(groups), x.shape[1], members))
    weights = _kept(groups, members)
    for g in range(len(groups)):  # sixteen small fits, once per set of controls
        rest = weights[g] > 0
        solves[g][:, rest] = np.linalg.pinv(x[rest] - x[rest].mean(axis=0))
    shift = weights @ x / weights.sum(axis=1, keepdims=True) - expected
    return _UnitFit(np.linalg.pinv(x - x.mean(axis=0)), x - expected, covariance, solves, weights, shift)


class ControlFit:
    """The regression of member values on the controls, prepared once per set of controls and then
    applied to every metric (``estimate``): ``controls`` (M, U, C), ``expected`` (U, C) their known
    means and ``covariance`` (U, C, C) its sampling covariance (None: exact); ``base_members``
    the ensemble size of the comparison's other units, when these have a whole multiple of it
    (``jackknife_groups``).

    The standard error is the grouped jackknife's [2]: the estimate is made again with each of
    ``JACKKNIFE_GROUPS`` groups of members left out, regression and all. The spread of those
    estimates carries the error of the fitted β, which the residuals of a fit over the same members
    hide. Measured on the embedded case with nets of 32 members (32 ensembles of 128 from 4,096
    members), the jackknife error came within −3 to +25 % of the spread of the estimates for the
    cold and power metrics of every region, mostly above it, and the batch means' error mostly 15
    to 35 % below it. With one net of 128 members it exceeds the spread between seeds by 1.2–2.1 times
    (docs/scenarios.md): the members of a net are spread more evenly than independent groups.

    [2] B. Efron and C. Stein, "The jackknife estimate of variance", Annals of Statistics 9 (1981)
        586-596.
    """

    def __init__(self, controls: np.ndarray, expected: np.ndarray, covariance: np.ndarray | None = None,
                 base_members: int | None = None):
        self.base_members = base_members
        self.units: list[_UnitFit | None] = []
        for u in range(controls.shape[1]):  # a few units (regions) per block; the fit is over members
            x = controls[:, u, :]
            keep = x.std(axis=0) > 1e-12 * (np.abs(x).max(axis=0) + 1e-300)
            keep[usable_controls(x):] = False
            if not keep.any():  # a unit whose controls do not vary (no pause there), or too few spared strikes
                self.units.append(None)
                continue
            self.units.append(_unit_fit(x[:, keep], expected[u, keep],
                                        None if covariance is None else covariance[u][np.ix_(keep, keep)],
                                        base_members))

    def correct(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each member's value (M, U) corrected by the regression, and the variance (U,) that the
        known means' own sampling error adds to the corrected mean. The corrected values' mean is
        the regression estimate."""
        out = values.astype(float).copy()
        extra = np.zeros(values.shape[1])
        for u, unit in enumerate(self.units):
            if unit is None:
                continue
            beta = unit.solve @ (values[:, u] - values[:, u].mean())
            out[:, u] = values[:, u] - unit.offset @ beta
            if unit.covariance is not None:
                extra[u] = beta @ unit.covariance @ beta
        return out, extra

    def replicates(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The corrected mean (U,) of member values (M, U), the estimate made again with each
        jackknife group left out, regression and all (G, U; a plain mean for a unit without a
        fit), and the variance (U,) the known means' own error adds. Replicates of units add up,
        so a sum over regions gets its error from the summed replicates."""
        fixed, extra = self.correct(values)
        again = plain_replicates(values, self.base_members)
        for u, unit in enumerate(self.units):
            if unit is None:
                continue
            y = values[:, u]
            beta = unit.group_solve @ y          # (G, k); each solve's rows sum to zero over its members
            counts = unit.group_weights.sum(axis=1)
            again[:, u] = unit.group_weights @ y / counts - np.einsum("gk,gk->g", unit.group_shift, beta)
        return fixed.mean(axis=0), again, extra

    def estimate(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The corrected mean (U,) of member values (M, U) and its standard error (U,): the grouped
        jackknife's, plus the known means' own error; the batch means' error (``quasi_random``)
        for a unit without a fit."""
        return self.estimate_with_replicates(values)[:2]

    def estimate_with_replicates(self, values: np.ndarray):
        """``estimate``'s mean and standard error, then ``replicates``' replicates and variance."""
        mean, again, extra = self.replicates(values)
        se = batch_standard_error(values)
        for u, unit in enumerate(self.units):
            if unit is not None:
                se[u] = jackknife_error(again[:, u], extra[u])
        return mean, se, again, extra
