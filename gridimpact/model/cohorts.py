"""Exposure: people per region split into cohorts that share one indoor-temperature history.

A cohort is (heating system × building class × subqueue group × loss band):

- heating system and building class: a region gives their *marginal* shares; the joint table comes
  from iterative proportional fitting (IPF, Deming & Stephan 1940, Ann. Math. Stat. 11:427–444) of
  a prior that encodes what is known about Ukrainian housing — district heating serves apartment
  blocks, not houses; stoves and solid fuel are mostly in houses (``JOINT_PRIOR``);
- subqueue group: the 12 rotating-outage groups hold equal shares of customers (operators balance
  them; each queue is about 1/6 of load, Ukrenergo);
- loss band: ``district_heat_bands`` bands per region along which persistent outages and
  district-heat losses are allocated, the same bands for both; their boundaries follow the region's
  loss shares (``hazard.loss_band_edges``), so a band holds the share of people between two of them.

The simulated heating classes are what heat availability depends on:

- ``district_pumped``: district heating in buildings whose own circulation pumps need power (an
  individual heating substation): needs the plant and the building's power;
- ``district_unpumped``: district heating through pump-less elevator units: needs only the plant;
- ``power_dependent``: gas boilers (controls and pumps) and electric heating: need the building's power.

The split of district heating is ``district_pump_dependence``. Independent heating (stoves, solid
fuel) needs no grid power and is not simulated: it stays at the set-point.

The 65+ and 0–4 shares apply uniformly across cohorts (no data links age to housing by region).
"""

from __future__ import annotations

import numpy as np

from gridimpact.vocab import BUILDING_CLASSES, HEATING_SYSTEMS, SUBQUEUES

SIMULATED_HEATING = ("district_pumped", "district_unpumped", "power_dependent")

# Prior odds of each heating system in each building class (rows HEATING_SYSTEMS, columns
# BUILDING_CLASSES). Zeros are structural: IPF keeps them. The non-zero values are a judgement that
# only sets the starting point; IPF then matches each region's marginals. Sources for the structure:
# district heating is a multi-apartment service (about half of Ukraine's >240,000 multi-family
# buildings are on it; USAID Municipal Energy Reform, via uabio.org); stove heating is a rural-house
# phenomenon (State Statistics Service, rural dwellings with stove heating, 1 Jan 2021).
JOINT_PRIOR = np.array(
    [
        # panel  brick  house
        [1.00, 1.00, 0.00],  # district
        [0.25, 0.50, 1.00],  # gas_boiler (apartment boilers exist in newer and brick blocks)
        [0.25, 0.25, 0.50],  # electric
        [0.02, 0.05, 1.00],  # independent (stoves, solid fuel)
    ]
)


def joint_housing_shares(heating: np.ndarray, building: np.ndarray, *, iterations: int = 100) -> np.ndarray:
    """Joint heating × building shares per region by IPF of ``JOINT_PRIOR`` to the marginals.

    ``heating``: (R, 4) shares in HEATING_SYSTEMS order; ``building``: (R, 3) shares in
    BUILDING_CLASSES order; each row sums to 1. Returns (R, 4, 3) summing to 1 per region.
    Marginals that the structural zeros make impossible (more district heating than apartment
    blocks) are matched as closely as IPF allows; the caller can compare the margins. The number of
    iterations is fixed (no early stop) so that each region's result does not depend on which other
    regions are fitted with it; 100 iterations match feasible margins to better than 1e-12.
    """
    heating = np.asarray(heating, dtype=float)
    building = np.asarray(building, dtype=float)
    table = np.broadcast_to(JOINT_PRIOR, (len(heating), *JOINT_PRIOR.shape)).copy()
    table /= table.sum(axis=(1, 2), keepdims=True)
    for _ in range(iterations):
        rows = table.sum(axis=2, keepdims=True)
        table *= np.divide(heating[:, :, None], rows, out=np.zeros_like(rows), where=rows > 0)
        cols = table.sum(axis=1, keepdims=True)
        table *= np.divide(building[:, None, :], cols, out=np.zeros_like(cols), where=cols > 0)
    return table / table.sum(axis=(1, 2), keepdims=True)


def simulated_weights(joint: np.ndarray, pump_dependence: float) -> tuple[np.ndarray, np.ndarray]:
    """Population shares of the simulated heating classes and of independent heating.

    Returns ``(weights (R, 3, 3), independent (R,))``: classes in SIMULATED_HEATING order, by
    building class.
    """
    district = joint[:, HEATING_SYSTEMS.index("district")]
    power = joint[:, HEATING_SYSTEMS.index("gas_boiler")] + joint[:, HEATING_SYSTEMS.index("electric")]
    independent = joint[:, HEATING_SYSTEMS.index("independent")].sum(axis=1)
    classes = [district * pump_dependence, district * (1.0 - pump_dependence), power]
    return np.stack(classes, axis=1), independent


def cohorts_per_region(bands: int) -> int:
    """Simulated cohorts per region: heating classes × building classes × subqueue groups × loss
    bands (independent heating is not simulated)."""
    return len(SIMULATED_HEATING) * len(BUILDING_CLASSES) * len(SUBQUEUES) * bands


def cohort_population(population: np.ndarray, weights: np.ndarray, band_share: np.ndarray) -> np.ndarray:
    """People per simulated cohort: (R,), (R, 3, 3) and loss-band shares (R, K) → (R, 3, 3, 12, K)."""
    groups = len(SUBQUEUES)
    per = population[:, None, None] * weights / groups
    people = per[..., None, None] * np.asarray(band_share, dtype=float)[:, None, None, None, :]
    return np.broadcast_to(people, (*weights.shape, groups, people.shape[-1])).copy()


def building_parameter(values_by_class: dict[str, np.ndarray | float]) -> np.ndarray:
    """Stack a per-building-class parameter as (..., 3) in BUILDING_CLASSES order."""
    return np.stack([np.asarray(values_by_class[name], dtype=float) for name in BUILDING_CLASSES], axis=-1)
