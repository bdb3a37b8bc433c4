"""Cohorts that stay alike: the kernel simulates one of each set and copies it to the others.

A cohort's hour depends only on its building class, its heating class's share of the hour and its
own temperatures. So cohorts that start a day at the same temperatures and get the same heating
stay equal to the last bit through it: the 12 subqueue groups of district heating without pumps
(it follows the plant alone), and the loss bands above every loss the day brings (power and heat
on all day). ``kernel.simulate_day`` steps one cohort of each such set and copies its values to the
others at the end of the day, which gives the same numbers as stepping each.
"""

from __future__ import annotations

import numpy as np

from gridimpact.model.jit import compiled

# subqueue groups (vocab.SUBQUEUES), simulated heating classes (cohorts.SIMULATED_HEATING), buildings
GROUPS, HEATING, BUILDINGS = 12, 3, 3
POWERLESS_CLASS = 1
"""District heating without pumps: its heating follows the plant alone, the same in every subqueue group."""


@compiled
def representative_band(band_on, plant_on, air, mass):
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


@compiled
def groups_alike(air, mass, bands):
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


@compiled
def copy_alike(air, mass, day_min, hours_below, simulated_bands, one_group, bands):
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
