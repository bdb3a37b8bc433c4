"""The compiled engine: one simulated day of a block of members × regions in one numba kernel.

``simulate_day`` does what ``engine.day_supply``, ``engine.people_without_heat``,
``engine.thermal_day`` and the cohort sums of ``metrics.Day`` do with numpy, fused per member and
region: the quarter-hour supply (``hazard.combine_outages``, ``rotation_off``, ``band_off``,
``hourly_mean``), the hourly heating fractions, the two-node thermal step of ``thermal.step_hour``
on every cohort, and the day's reductions (people below each threshold, person-hours below 12 °C,
the coldest occupied cohort, the hourly people without power and heat).

It reproduces the numpy path bit for bit (tests/test_kernel.py): every operation is the same IEEE
operation on the same types in the same order — float32 where the numpy path works in float32,
float64 elsewhere, no fast-math and so no reassociation or fused multiply-add — and every sum over
cohorts is numpy's own pairwise summation (``_pairwise``) over the same contiguous row. Members and
regions are independent cells, computed one after the other, so results do not depend on blocking
or threads; the kernel releases the interpreter lock, so member blocks on several threads use
several cores.

Compiled code is cached on disk (numba's ``cache=True``: next to this module, or in the user's
cache directory when the package folder is read-only, or in ``NUMBA_CACHE_DIR``); where no cache
folder can be used the kernels are compiled in memory on each run.
"""

from __future__ import annotations

import numba
import numpy as np

from gridimpact.model.period import QUARTERS_PER_HOUR

# subqueue groups (vocab.SUBQUEUES), simulated heating classes (cohorts.SIMULATED_HEATING), buildings
GROUPS, HEATING, BUILDINGS = 12, 3, 3
STEP_FIELDS = ("m_aa", "m_am", "m_ma", "m_mm", "free_air", "free_mass", "heat_air", "heat_mass")
"""The order of ``thermal.StepConstants`` in the kernel's (M, 3, 8) constants array."""

POWERLESS_CLASS = 1
"""District heating without pumps: its heating follows the plant alone, the same in every subqueue group."""

PAIRWISE_BLOCK = 128  # numpy's PW_BLOCKSIZE: rows up to this length are summed with 8 accumulators


def _compiled(function):
    """numba's nopython compilation, cached on disk where a cache folder can be used."""
    try:
        return numba.njit(cache=True, nogil=True, error_model="numpy")(function)
    except RuntimeError:  # numba found no writable cache location: compile in memory instead
        return numba.njit(nogil=True, error_model="numpy")(function)


@_compiled
def _leaf_sum(values, start, n):
    """numpy's sum of a row of at most ``PAIRWISE_BLOCK`` values: eight accumulators.

    Indices are unsigned so that numba leaves out its negative-index wrap-around, which would
    otherwise halve the speed of this loop."""
    row = values[start:start + n]
    if n < 8:
        total = 0.0
        for i in range(n):
            total += row[np.uint64(i)]
        return total
    r0, r1, r2, r3 = row[0], row[1], row[2], row[3]
    r4, r5, r6, r7 = row[4], row[5], row[6], row[7]
    for block in range(1, n // 8):
        j = np.uint64(block * 8)
        r0, r1, r2, r3 = r0 + row[j], r1 + row[j + 1], r2 + row[j + 2], r3 + row[j + 3]
        r4, r5, r6, r7 = r4 + row[j + 4], r5 + row[j + 5], r6 + row[j + 6], r7 + row[j + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(n - n % 8, n):
        total += row[np.uint64(i)]
    return total


@_compiled
def _pairwise(values, start, n, walk, left_sums):
    """numpy's pairwise sum of ``values[start:start + n]`` (float64), in numpy's order, so that a
    sum here equals ``row_sum`` over the same row bit for bit.

    numpy halves a longer row (the first half a multiple of 8) and adds the two halves' sums; this
    walks the same tree with an explicit stack (numba's cache cannot hold a recursive function)
    kept in ``walk`` ((3, 64) int64: start, size, left half done) and ``left_sums`` ((64,) float64),
    which the caller allocates once (``_tree_stack``)."""
    if n <= PAIRWISE_BLOCK:
        return _leaf_sum(values, start, n)
    starts, sizes, left_done = walk[0], walk[1], walk[2]
    depth = 0
    starts[0], sizes[0], left_done[0] = start, n, 0
    while True:
        size = sizes[depth]
        if size > PAIRWISE_BLOCK:  # descend into the first half
            half = size // 2 - (size // 2) % 8
            left_done[depth] = 0
            starts[depth + 1], sizes[depth + 1] = starts[depth], half
            depth += 1
            continue
        value = _leaf_sum(values, starts[depth], size)
        while True:  # hand the sum up until a parent still needs its second half
            depth -= 1
            if depth < 0:
                return value
            if left_done[depth] == 0:
                left_sums[depth], left_done[depth] = value, 1
                half = sizes[depth] // 2 - (sizes[depth] // 2) % 8
                starts[depth + 1], sizes[depth + 1] = starts[depth] + half, sizes[depth] - half
                depth += 1
                break
            value = left_sums[depth] + value


@_compiled
def _tree_stack():
    """The scratch ``_pairwise`` walks its tree in (deep enough for any row numpy can sum)."""
    return np.empty((3, 64), dtype=np.int64), np.empty(64)


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
    ``hourly_mean`` and ``engine.day_supply``'s float32 conversion, in the numpy path's order."""
    quarters = rotating.shape[0]
    hours = quarters // QUARTERS_PER_HOUR
    bands = edges.shape[0] - 1
    for q in range(quarters):
        p = persistent[q]
        still_on = 1.0 - p
        governs = schedule_days[q]
        mean = 0.0
        for g in range(GROUPS):
            mean += schedule[g, q] if governs else 0.0
        total = rotating[q] + mean / GROUPS + p
        total = 1.0 if 1.0 <= total else total
        wanted = (total - p) / still_on if still_on > 0 else 1.0
        scale = 1.0 / still_on if still_on > 0 else 0.0
        mean = 0.0
        for g in range(GROUPS):
            share = _clip01((schedule[g, q] if governs else 0.0) * scale)
            published[g, q] = share
            mean += share
        left = 1.0 - mean / GROUPS
        rho[q] = _clip01((wanted - (1.0 - left)) / left) if left > 0 else 0.0
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
        for k in range(bands):
            low, width = edges[k], edges[k + 1] - edges[k]
            power_sum, heat_sum = 0.0, 0.0
            for quarter in range(QUARTERS_PER_HOUR):
                q = h * QUARTERS_PER_HOUR + quarter
                power_sum += _band_off(persistent[q], low, width)
                heat_sum += _band_off(heat_lost[q], low, width)
            band_on[h, k] = np.float32(1.0 - power_sum / QUARTERS_PER_HOUR)
            plant_on[h, k] = np.float32(1.0 - heat_sum / QUARTERS_PER_HOUR)
    return _unit_mod(cumulative)


@_compiled
def simulate_day(rotating, persistent, heat_lost, schedule, schedule_days, edges, block_hours, phase,
                 phase_end, outdoor, first_hour, air, mass, constants, setpoint, cohort_people, band_share,
                 heat_people, band_weight, population, thresholds, keep_hourly, hourly_air,
                 without_power, without_heat, share_off, below, cold_hours, coldest, high_hours, risk_people):
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
    fraction = np.empty(HEATING * GROUPS * bands, dtype=np.float32)  # (3, 12, K) flat
    infinity, zero, cold = np.float32(np.inf), np.float32(0.0), np.float32(12.0)
    walk, left_sums = _tree_stack()
    for m in range(members):
        mh = m if rotating.shape[0] > 1 else 0
        mo = m if outdoor.shape[0] > 1 else 0
        for r in range(regions):
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
                simulated_bands = _representative_band(band_on, plant_on, cell_air, cell_mass) + 1
                one_group = _groups_alike(cell_air, cell_mass, bands)
            for h in range(hours):
                _hour_fraction(group_on, band_on, plant_on, h, fraction)
                for g in range(GROUPS):
                    row[g] = np.float64(group_on[h, g])
                groups_on = _pairwise(row, 0, GROUPS, walk, left_sums) / GROUPS
                for k in range(bands):
                    row[k] = np.float64(band_on[h, k] * band_weight[r, k])
                share = 1.0 - groups_on * _pairwise(row, 0, bands, walk, left_sums)
                share_off[h, m, r] = share
                without_power[h, m, r] = population[r] * share
                for c in range(HEATING):
                    for g in range(GROUPS):
                        at = (c * GROUPS + g) * bands
                        for k in range(bands):
                            row[at + k] = np.float64(np.float32(1.0) - fraction[at + k]) * heat_people[m, r, c, k]
                without_heat[h, m, r] = _pairwise(row, 0, HEATING * GROUPS * bands, walk, left_sums)
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
                            on_at = (c * GROUPS + g) * bands
                            for k in range(simulated_bands):
                                i = at + k
                                a, s, on = cell_air[i], cell_mass[i], fraction[on_at + k]
                                dx_a = a - to - free_air
                                dx_m = s - to - free_mass
                                free_air_end = to + free_air + m_aa * dx_a + m_am * dx_m
                                free_mass_end = to + free_mass + m_ma * dx_a + m_mm * dx_m
                                # heating to bring the air to the set-point (all there is without capacity)
                                needed = (setpoint - free_air_end) / heat_air if heats else infinity
                                delivered = on if on <= needed else needed
                                delivered = delivered if delivered >= zero else zero
                                air_end = free_air_end + delivered * heat_air
                                cell_air[i] = air_end
                                cell_mass[i] = free_mass_end + delivered * heat_mass
                                lowest = a if a <= air_end else air_end
                                day_min[i] = lowest if lowest < day_min[i] else day_min[i]
                                hours_below[i] += np.uint8(air_end < cold)
                if keep_hourly and m == 0:
                    hourly = hourly_air[r].reshape(cells, hourly_air.shape[5])
                    for i in range(cells):
                        hourly[i, first_hour + h] = cell_air[i]
            _copy_alike(cell_air, cell_mass, day_min, hours_below, simulated_bands, one_group, bands)
            _reduce_cell(day_min, hours_below, cohort_people[m, r], band_share[r], thresholds, row, people,
                         m, r, below, cold_hours, coldest, hours, high_hours, risk_people, walk, left_sums)


@_compiled
def _hour_fraction(group_on, band_on, plant_on, h, fraction):
    """The share of hour ``h`` each heating class works, (3, 12, K) float32 flat (``engine.day_supply``):
    power-dependent needs its group and band powered, district with pumps that and the plant,
    district without pumps only the plant."""
    bands = band_on.shape[1]
    for g in range(GROUPS):
        for k in range(bands):
            powered = group_on[h, g] * band_on[h, k]
            fraction[(2 * GROUPS + g) * bands + k] = powered
            fraction[g * bands + k] = powered * plant_on[h, k]
            fraction[(GROUPS + g) * bands + k] = plant_on[h, k]


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


@_compiled
def _representative_band(band_on, plant_on, air, mass):
    """The lowest band of the top run of bands whose power and heat stay on all day and whose
    cohorts start the day at the temperatures of the top band's: every band of the run then
    follows the same hours as this one, which is simulated for all of them.

    Losses fill bands from the bottom (``hazard.band_off``), so the untouched bands are the top ones."""
    hours, bands = band_on.shape
    rows = air.shape[0] // bands  # heating class × building class × group
    top = bands - 1
    one = np.float32(1.0)
    for k in range(bands - 1, -1, -1):
        for h in range(hours):
            if band_on[h, k] != one or plant_on[h, k] != one:
                return top
        if k < bands - 1:
            for j in range(rows):
                at = j * bands
                if air[at + k] != air[at + bands - 1] or mass[at + k] != mass[at + bands - 1]:
                    return top
        top = k
    return top


@_compiled
def _groups_alike(air, mass, bands):
    """Whether every subqueue group of the pump-less district class starts the day at its first
    group's temperatures (its heating does not depend on the group, so they then stay alike)."""
    for b in range(BUILDINGS):
        first = ((POWERLESS_CLASS * BUILDINGS + b) * GROUPS) * bands
        for g in range(1, GROUPS):
            at = first + g * bands
            for k in range(bands):
                if air[at + k] != air[first + k] or mass[at + k] != mass[first + k]:
                    return False
    return True


@_compiled
def _copy_alike(air, mass, day_min, hours_below, simulated_bands, one_group, bands):
    """Give the cohorts the day did not simulate the values of those they follow: the pump-less
    district class's first group to its other groups, the representative band to the bands above."""
    if one_group:
        for b in range(BUILDINGS):
            first = ((POWERLESS_CLASS * BUILDINGS + b) * GROUPS) * bands
            for g in range(1, GROUPS):
                at = first + g * bands
                for k in range(simulated_bands):
                    air[at + k], mass[at + k] = air[first + k], mass[first + k]
                    day_min[at + k], hours_below[at + k] = day_min[first + k], hours_below[first + k]
    last = simulated_bands - 1
    if last == bands - 1:
        return
    for j in range(air.shape[0] // bands):
        at = j * bands
        for k in range(simulated_bands, bands):
            air[at + k], mass[at + k] = air[at + last], mass[at + last]
            day_min[at + k], hours_below[at + k] = day_min[at + last], hours_below[at + last]
