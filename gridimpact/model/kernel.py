"""The compiled engine: one simulated day of a block of members × regions in one numba kernel.

``simulate_day`` does what ``supply.day_supply``, ``supply.people_without_heat``,
``engine.thermal_day`` and the cohort sums of ``metrics.Day`` do with numpy, fused per member and
region: the quarter-hour supply (``hazard.combine_outages``, ``rotation_off``, ``band_off``,
``hourly_mean``), the hourly heating fractions, the two-node thermal step of ``thermal.step_hour``
on every cohort, and the day's reductions (people below each threshold, person-hours below 12 °C,
the coldest occupied cohort, the hourly people without power and heat).

It reproduces the numpy path bit for bit (tests/test_kernel.py): every operation is the same IEEE
operation on the same types in the same order — float32 where the numpy path works in float32,
float64 elsewhere, no fast-math and so no reassociation or fused multiply-add — and every sum over
cohorts is numpy's own pairwise summation (``pairwise.pairwise``) over the same contiguous row. Members and
regions are independent cells, computed one after the other, so results do not depend on blocking
or threads; the kernel releases the interpreter lock, so member blocks on several threads use
several cores.

Compiled code is cached on disk (numba's ``cache=True``: next to this module, or in the user's
cache directory when the package folder is read-only, or in ``NUMBA_CACHE_DIR``); where no cache
folder can be used the kernels are compiled in memory on each run.
"""

from __future__ import annotations

import numpy as np

from gridimpact.model.alike import (
    BUILDINGS,
    GROUPS,
    HEATING,
    POWERLESS_CLASS,
    copy_alike,
    groups_alike,
    representative_band,
)
from gridimpact.model.jit import compiled as _compiled
from gridimpact.model.jit import inlined as _inlined
from gridimpact.model.pairwise import pairwise as _pairwise
from gridimpact.model.pairwise import tree_stack as _tree_stack
from gridimpact.model.period import QUARTERS_PER_HOUR

STEP_FIELDS = ("m_aa", "m_am", "m_ma", "m_mm", "free_air", "free_mass", "heat_air", "heat_mass")
"""The order of ``thermal.StepConstants`` in the kernel's (M, 3, 8) constants array."""

@_compiled
def _unit_mod(x):
    """``np.mod(x, 1.0)``, the remainder with the sign of the divisor: x − ⌊x⌋ is the same number
    (exact, or one rounding of the same exact value below 0) and much faster than fmod."""
    return x - np.floor(x)


@_compiled
def _band_off(share, low, width):
    """``hazard.band_off`` of one band: ``clip((share − low) / width, 0, 1)``, 0 for an empty band.
    Division rounds monotonically, so a difference at or beyond 0 or ``width`` gives 0 or 1
    without dividing; only the one band the share falls inside is divided."""
    if not width > 0:
        return 0.0
    above = share - low
    if above <= 0.0:
        return 0.0
    if above >= width:
        return 1.0
    return _clip01(above / width)


@_compiled
def _clip01(x):
    """``np.clip(x, 0.0, 1.0)`` for a number that is not NaN."""
    x = x if x > 0.0 else 0.0
    return x if x < 1.0 else 1.0


@_compiled
def _cell_supply(rotating, persistent, heat_lost, schedule, schedule_days, edges, block_hours, phase0,
                 published, rho, off_counts, group_on, band_on, plant_on):
    """One member and region's supply for the day into ``group_on`` (H, 12), ``band_on`` and
    ``plant_on`` (H, K), float32 shares on; returns the rotation phase at the end of the day.

    ``hazard.combine_outages`` per quarter-hour, ``rotation_off`` and ``band_off``, then
    ``hourly_mean`` and ``supply.day_supply``'s float32 conversion, in the numpy path's order."""
    quarters = rotating.shape[0]
    hours = quarters // QUARTERS_PER_HOUR
    bands = edges.shape[0] - 1
    for q in range(quarters):
        p = persistent[q]
        still_on = 1.0 - p
        governs = schedule_days[q]
        if not governs:  # no published schedule: the same operations on zero shares, without the loops
            total = rotating[q] + 0.0 / GROUPS + p
            total = 1.0 if 1.0 <= total else total
            wanted = (total - p) / still_on if still_on > 0 else 1.0
            for g in range(GROUPS):
                published[g, q] = 0.0
            rho[q] = _clip01((wanted - (1.0 - 1.0)) / 1.0)
            continue
        mean = 0.0
        for g in range(GROUPS):
            mean += schedule[g, q]
        total = rotating[q] + mean / GROUPS + p
        total = 1.0 if 1.0 <= total else total
        wanted = (total - p) / still_on if still_on > 0 else 1.0
        scale = 1.0 / still_on if still_on > 0 else 0.0
        mean = 0.0
        for g in range(GROUPS):
            share = _clip01(schedule[g, q] * scale)
            published[g, q] = share
            mean += share
        left = 1.0 - mean / GROUPS
        rho[q] = _clip01((wanted - (1.0 - left)) / left) if left > 0 else 0.0
    power_sums = np.empty(bands)
    heat_sums = np.empty(bands)
    advance_per_share = 1.0 / QUARTERS_PER_HOUR / block_hours
    offsets = np.arange(GROUPS) / GROUPS  # the groups' stagger through the cycle
    running = 0.0
    cumulative = phase0
    for h in range(hours):
        off_counts[:] = 0
        for quarter in range(QUARTERS_PER_HOUR):
            q = h * QUARTERS_PER_HOUR + quarter
            advance = rho[q] * advance_per_share
            running += advance
            cumulative = phase0 + running
            middle = cumulative - advance / 2
            if rho[q] > 0.0:  # a position in [0, 1) is below rho only when rho is above 0
                for g in range(GROUPS):
                    if _unit_mod(middle + offsets[g]) < rho[q]:
                        off_counts[g] += np.float32(1.0)
        for g in range(GROUPS):
            rotation_on = np.float32(1.0) - off_counts[g] / np.float32(QUARTERS_PER_HOUR)
            schedule_sum = 0.0
            for quarter in range(QUARTERS_PER_HOUR):
                schedule_sum += published[g, h * QUARTERS_PER_HOUR + quarter]
            group_off = 1.0 - np.float64(rotation_on) * (1.0 - schedule_sum / QUARTERS_PER_HOUR)
            group_on[h, g] = np.float32(1.0 - group_off)
        power_sums[:] = 0.0
        heat_sums[:] = 0.0
        for quarter in range(QUARTERS_PER_HOUR):
            q = h * QUARTERS_PER_HOUR + quarter
            # a band whose lower edge is at or above the loss is on (adds 0.0, which changes no sum);
            # losses fill bands from the bottom, so only the bands below the loss are visited
            k = 0
            while k < bands and edges[k] < persistent[q]:
                power_sums[k] += _band_off(persistent[q], edges[k], edges[k + 1] - edges[k])
                k += 1
            k = 0
            while k < bands and edges[k] < heat_lost[q]:
                heat_sums[k] += _band_off(heat_lost[q], edges[k], edges[k + 1] - edges[k])
                k += 1
        for k in range(bands):
            band_on[h, k] = np.float32(1.0 - power_sums[k] / QUARTERS_PER_HOUR)
            plant_on[h, k] = np.float32(1.0 - heat_sums[k] / QUARTERS_PER_HOUR)
    return _unit_mod(cumulative)


@_compiled
def simulate_day(rotating, persistent, heat_lost, schedule, schedule_days, edges, block_hours, phase,
                 phase_end, outdoor, first_hour, air, mass, constants, setpoint, cohort_people, band_share,
                 heat_people, band_weight, population, thresholds, keep_hourly, hourly_air,
                 without_power, without_heat, share_off, below, cold_hours, coldest, high_hours, risk_people,
                 active):
    """One local day of every member × region cell of a block.

    Hazard window (Mh members): ``rotating``, ``persistent``, ``heat_lost`` (Mh, R, Q) float64,
    ``schedule`` (R, 12, Q), ``schedule_days`` (R, Q) bool, ``edges`` (R, K + 1); ``phase`` (Mh, R)
    rotation phase at the start, ``phase_end`` receives it at the end. ``outdoor`` (Mo, R, period hours) float32 from hour
    ``first_hour``. State ``air`` and ``mass`` (M, R, 3, 3, 12, K) float32, advanced in place;
    ``constants`` (M, 3, 8) float32 in ``STEP_FIELDS`` order; ``setpoint`` float32. People:
    ``cohort_people`` (M, R, 3, 3) per group and unit band share, ``band_share`` (R, K),
    ``heat_people`` (M, R, 3, K) persons of a class in one group and band, ``band_weight`` (R, K)
    float32, ``population`` (R,). ``thresholds`` (T,) float32 °C. Member 0's hourly air goes to
    ``hourly_air`` (R, 3, 3, 12, K, period hours) when ``keep_hourly``.

    Outputs: ``without_power``, ``without_heat``, ``share_off`` (H, M, R); ``below`` (T, M, R)
    people below each threshold at some time of the day; ``cold_hours`` (M, R) person-hours below
    12 °C; ``coldest`` (M, R) float32 lowest air temperature of an occupied cohort (inf if none);
    ``risk_people`` (2, M, R) people at risk level 2 or above and at level 3 (``metrics.person_risk_levels``,
    with ``high_hours`` its hours below 12 °C of a high day).

    ``active`` (M, R) bool: cells to simulate. Another cell is left as it was (its state is not
    advanced, its phase carried over) and its outputs are zero: the caller has its values already.
    """
    members, regions = air.shape[0], air.shape[1]
    bands = air.shape[5]
    quarters = rotating.shape[2]
    hours = quarters // QUARTERS_PER_HOUR
    cells = HEATING * BUILDINGS * GROUPS * bands
    published = np.empty((GROUPS, quarters))
    rho = np.empty(quarters)
    group_on = np.empty((hours, GROUPS), dtype=np.float32)
    band_on = np.empty((hours, bands), dtype=np.float32)
    plant_on = np.empty((hours, bands), dtype=np.float32)
    day_min = np.empty(cells, dtype=np.float32)
    hours_below = np.zeros(cells, dtype=np.uint8)
    row = np.empty(cells)
    people = np.empty(cells)
    off_counts = np.empty(GROUPS, dtype=np.float32)
    walk, left_sums = _tree_stack()
    for m in range(members):
        mh = m if rotating.shape[0] > 1 else 0
        mo = m if outdoor.shape[0] > 1 else 0
        for r in range(regions):
            if not active[m, r]:
                _skip_cell(m, r, mh, rotating.shape[0], phase, phase_end, without_power, without_heat, share_off,
                           below, cold_hours, coldest, risk_people)
                continue
            end_phase = _cell_supply(rotating[mh, r], persistent[mh, r], heat_lost[mh, r], schedule[r],
                                     schedule_days[r], edges[r], block_hours, phase[mh, r], published, rho,
                                     off_counts, group_on, band_on, plant_on)
            if m < rotating.shape[0]:
                phase_end[m, r] = end_phase
            cell_air = air[m, r].reshape(cells)
            cell_mass = mass[m, r].reshape(cells)
            day_min[:] = cell_air
            hours_below[:] = 0
            # cohorts that must stay equal to one already simulated are copied from it at the end of
            # the day; member 0's hourly temperatures are kept cohort by cohort, so it runs in full
            if keep_hourly and m == 0:
                simulated_bands, one_group = bands, False
            else:
                simulated_bands = representative_band(band_on, plant_on, cell_air, cell_mass) + 1
                if simulated_bands > 2:  # whole vectors: bands above the representative simulate as it does
                    simulated_bands = min(bands, (simulated_bands + 15) // 16 * 16)
                one_group = groups_alike(cell_air, cell_mass, bands)
            for h in range(hours):
                for g in range(GROUPS):
                    row[g] = np.float64(group_on[h, g])
                working_groups = _pairwise(row, 0, GROUPS, walk, left_sums)
                groups_on = working_groups / GROUPS
                for k in range(bands):
                    row[k] = np.float64(band_on[h, k] * band_weight[r, k])
                share = 1.0 - groups_on * _pairwise(row, 0, bands, walk, left_sums)
                share_off[h, m, r] = share
                without_power[h, m, r] = population[r] * share
                # ``supply.people_without_heat``: the sum over groups factorised, band by band
                for k in range(bands):
                    on_k, plant_k = band_on[h, k], plant_on[h, k]
                    both = np.float64(on_k * plant_k)
                    term = heat_people[m, r, 0, k] * (GROUPS - both * working_groups)
                    term = term + heat_people[m, r, 1, k] * (GROUPS * (1.0 - np.float64(plant_k)))
                    row[k] = term + heat_people[m, r, 2, k] * (GROUPS - np.float64(on_k) * working_groups)
                without_heat[h, m, r] = _pairwise(row, 0, bands, walk, left_sums)
                to = outdoor[mo, r, first_hour + h]
                for c in range(HEATING):
                    for b in range(BUILDINGS):
                        m_aa, m_am = constants[m, b, 0], constants[m, b, 1]
                        m_ma, m_mm = constants[m, b, 2], constants[m, b, 3]
                        free_air, free_mass = constants[m, b, 4], constants[m, b, 5]
                        heat_air, heat_mass = constants[m, b, 6], constants[m, b, 7]
                        heats = heat_air > 0
                        for g in range(1 if one_group and c == POWERLESS_CLASS else GROUPS):
                            at = ((c * BUILDINGS + b) * GROUPS + g) * bands
                            group_k = group_on[h, g]
                            if simulated_bands == 1:  # one band (most cohorts of a quiet day): no loop to set up
                                _step_cohort(cell_air, cell_mass, day_min, hours_below, at,
                                             _heating_share(c, group_k, band_on, plant_on, h, 0), to, free_air,
                                             free_mass, m_aa, m_am, m_ma, m_mm, heat_air, heat_mass, heats, setpoint)
                                continue
                            for k in range(simulated_bands):
                                _step_cohort(cell_air, cell_mass, day_min, hours_below, at + k,
                                             _heating_share(c, group_k, band_on, plant_on, h, k), to, free_air,
                                             free_mass, m_aa, m_am, m_ma, m_mm, heat_air, heat_mass, heats, setpoint)
                if keep_hourly and m == 0:
                    hourly = hourly_air[r].reshape(cells, hourly_air.shape[5])
                    for i in range(cells):
                        hourly[i, first_hour + h] = cell_air[i]
            copy_alike(cell_air, cell_mass, day_min, hours_below, simulated_bands, one_group, bands)
            _reduce_cell(day_min, hours_below, cohort_people[m, r], band_share[r], thresholds, row, people,
                         m, r, below, cold_hours, coldest, hours, high_hours, risk_people, walk, left_sums)


@_compiled
def _skip_cell(m, r, mh, hazard_members, phase, phase_end, without_power, without_heat, share_off, below,
               cold_hours, coldest, risk_people):
    """Zero outputs for a cell that is not simulated, and its rotation phase carried over."""
    if m < hazard_members:
        phase_end[m, r] = phase[mh, r]
    for h in range(without_power.shape[0]):
        without_power[h, m, r] = 0.0
        without_heat[h, m, r] = 0.0
        share_off[h, m, r] = 0.0
    for t in range(below.shape[0]):
        below[t, m, r] = 0.0
    cold_hours[m, r] = 0.0
    coldest[m, r] = np.float32(np.inf)
    risk_people[0, m, r] = 0.0
    risk_people[1, m, r] = 0.0


@_inlined
def _heating_share(c, group_on, band_on, plant_on, h, k):
    """The share of the hour a cohort of heating class ``c`` in band ``k`` is heated (``supply.day_supply``)."""
    if c == POWERLESS_CLASS:
        return plant_on[h, k]
    if c == 0:
        return group_on * band_on[h, k] * plant_on[h, k]
    return group_on * band_on[h, k]


@_inlined
def _step_cohort(cell_air, cell_mass, day_min, hours_below, i, on, to, free_air, free_mass, m_aa, m_am, m_ma, m_mm,
                 heat_air, heat_mass, heats, setpoint):
    """One cohort's hour (``thermal.step_hour``): the free two-node step, then heating up to the
    set-point within the share of the hour it works; the day's lowest air temperature and hours below 12 °C."""
    a, s = cell_air[i], cell_mass[i]
    dx_a = a - to - free_air
    dx_m = s - to - free_mass
    free_air_end = to + free_air + m_aa * dx_a + m_am * dx_m
    free_mass_end = to + free_mass + m_ma * dx_a + m_mm * dx_m
    # heating to bring the air to the set-point (all there is without capacity)
    needed = (setpoint - free_air_end) / heat_air if heats else np.float32(np.inf)
    delivered = on if on <= needed else needed
    delivered = delivered if delivered >= np.float32(0.0) else np.float32(0.0)
    air_end = free_air_end + delivered * heat_air
    cell_air[i] = air_end
    cell_mass[i] = free_mass_end + delivered * heat_mass
    lowest = a if a <= air_end else air_end
    day_min[i] = lowest if lowest < day_min[i] else day_min[i]
    hours_below[i] += np.uint8(air_end < np.float32(12.0))


@_compiled
def _reduce_cell(day_min, hours_below, cohort_people, band_share, thresholds, row, people, m, r, below,
                 cold_hours, coldest, hours, high_hours, risk_people, walk, left_sums):
    """The day's cohort sums of one member and region (``metrics.Day``), numpy's pairwise order.

    A cohort's people are its class's people per group times its band share, as
    ``engine.cohort_population_by_member`` multiplies them. (Indices are unsigned: see ``_leaf_sum``.)"""
    bands = band_share.shape[0]
    n = day_min.shape[0]
    lowest = np.float32(np.inf)
    for j in range(HEATING * BUILDINGS * GROUPS):
        per_group = cohort_people[j // (BUILDINGS * GROUPS), (j // GROUPS) % BUILDINGS]
        first = j * bands
        for k in range(bands):
            i = np.uint64(first + k)
            share = per_group * band_share[np.uint64(k)]
            people[i] = share
            if share > 0 and day_min[i] < lowest:
                lowest = day_min[i]
            row[i] = np.float64(hours_below[i]) * share
    coldest[m, r] = lowest
    cold_hours[m, r] = _pairwise(row, 0, n, walk, left_sums)
    for t in range(thresholds.shape[0]):
        limit = thresholds[t]
        for j in range(n):
            i = np.uint64(j)
            row[i] = people[i] if day_min[i] < limit else 0.0
        below[t, m, r] = _pairwise(row, 0, n, walk, left_sums)
    severe_cold = np.float32(9.0)
    for j in range(n):
        i = np.uint64(j)
        severe = hours_below[i] >= hours and day_min[i] < severe_cold
        row[i] = people[i] if severe or hours_below[i] >= high_hours else 0.0
    risk_people[0, m, r] = _pairwise(row, 0, n, walk, left_sums)  # level 2 (high) or above
    for j in range(n):
        i = np.uint64(j)
        row[i] = people[i] if hours_below[i] >= hours and day_min[i] < severe_cold else 0.0
    risk_people[1, m, r] = _pairwise(row, 0, n, walk, left_sums)  # level 3 (severe)
