"""One day's supply state in the numpy reference: outages and lost heat → the share of each hour
that each heating class works, and the people without power and heat.

Array axes as in ``engine``: H hours, M members, R regions, 12 subqueue groups, K loss bands.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridimpact.model.hazard import (
    HazardWindow,
    band_off,
    combine_outages,
    hourly_mean,
    rotation_off,
)
from gridimpact.model.metrics import row_sum
from gridimpact.vocab import SUBQUEUES


@dataclass
class Supply:
    """One day's supply state, hour-first (H, M, R, …) in float32: what the thermal step needs
    (``fraction``) and what the power and heat metrics count."""

    fraction: np.ndarray       # (H, M, R, 3, 1, 12, K) share of each hour heating works, by heating class
    without_power: np.ndarray  # (H, M, R) persons
    without_heat: np.ndarray   # (H, M, R) persons
    share_off: np.ndarray      # (H, M, R) share of customers
    group_on: np.ndarray       # (H, M, R, 12) share of each hour a subqueue group is supplied
    band_on: np.ndarray        # (H, M, R, K) share of each hour a loss band has power
    plant_on: np.ndarray       # (H, M, R, K) share of each hour a loss band's district heat runs


def people_without_heat(supply: Supply, class_people: np.ndarray) -> np.ndarray:
    """(H, M, R) persons without heat: in each cohort, its people times the share of the hour its
    heating is out, summed over classes, groups and bands.

    ``class_people`` (M, R, 3, K) are the persons of each heating class in one subqueue group and
    loss band. A cohort's heating works the share ``group_on × band_on × plant_on`` of the hour
    (district with pumps), ``plant_on`` (district without) or ``group_on × band_on``
    (power-dependent), so the sum over the 12 groups factorises: with G = Σ_g group_on it is
    12 − band_on·plant_on·G, 12·(1 − plant_on) and 12 − band_on·G in each band. Both engines sum
    in this order (``kernel.simulate_day``).
    """
    groups = supply.group_on.shape[-1]
    working_groups = row_sum(supply.group_on, 3)[..., None]                                   # (H,M,R,1)
    band_on = supply.band_on.astype(np.float64)
    plant_on = supply.plant_on.astype(np.float64)
    both_on = (supply.band_on * supply.plant_on).astype(np.float64)
    people = class_people[None]                                                             # (1,M,R,3,K)
    terms = (people[:, :, :, 0] * (groups - both_on * working_groups)
             + people[:, :, :, 1] * (groups * (1.0 - plant_on))
             + people[:, :, :, 2] * (groups - band_on * working_groups))
    return row_sum(terms, 3)


def day_supply(window: HazardWindow, exposure, settings,
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
                    without_heat=without_heat, share_off=share_off, group_on=group_on[..., 0],
                    band_on=band_on[..., 0, :], plant_on=plant_on[..., 0, :])
    return supply, phase


def _hour_first(array: np.ndarray) -> np.ndarray:
    """(…, H) float array → contiguous float32 (H, …)."""
    return np.ascontiguousarray(np.moveaxis(array, -1, 0), dtype=np.float32)
