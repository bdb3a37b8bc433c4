"""Cohorts: the joint housing table by IPF, the simulated heating classes, people per cohort."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gridimpact.model.cohorts import (
    JOINT_PRIOR,
    cohort_population,
    cohorts_per_region,
    joint_housing_shares,
    simulated_weights,
)


def shares(n):
    return st.lists(st.floats(0.01, 1.0), min_size=n, max_size=n).map(lambda v: np.array(v) / sum(v))


@settings(max_examples=40, deadline=None)
@given(heating=shares(4), building=shares(3))
def test_ipf_keeps_the_structural_zeros_and_sums_to_one(heating, building):
    joint = joint_housing_shares(heating[None], building[None])[0]
    assert np.isclose(joint.sum(), 1.0)
    assert np.all(joint[JOINT_PRIOR == 0] == 0)
    assert np.all(joint >= 0)


def test_ipf_matches_feasible_margins():
    heating = np.array([[0.5, 0.2, 0.2, 0.1]])
    building = np.array([[0.4, 0.3, 0.3]])
    joint = joint_housing_shares(heating, building)
    assert np.allclose(joint.sum(axis=2), heating, atol=1e-12)
    assert np.allclose(joint.sum(axis=1), building, atol=1e-12)


def test_ipf_of_one_region_does_not_depend_on_the_others():
    a = (np.array([[0.5, 0.2, 0.2, 0.1]]), np.array([[0.4, 0.3, 0.3]]))
    b = (np.array([[0.1, 0.6, 0.2, 0.1]]), np.array([[0.2, 0.2, 0.6]]))
    together = joint_housing_shares(np.vstack([a[0], b[0]]), np.vstack([a[1], b[1]]))
    assert np.array_equal(together[0], joint_housing_shares(*a)[0])


def test_pump_dependence_splits_district_heating_and_independent_heating_is_apart():
    joint = np.zeros((1, 4, 3))
    joint[0, 0, 0] = 0.6   # district, panel
    joint[0, 1, 2] = 0.3   # gas boiler, house
    joint[0, 3, 2] = 0.1   # independent, house
    weights, independent = simulated_weights(joint, pump_dependence=0.25)
    assert np.isclose(weights[0, 0, 0], 0.15) and np.isclose(weights[0, 1, 0], 0.45)
    assert np.isclose(weights[0, 2, 2], 0.3)
    assert np.isclose(independent[0], 0.1)
    assert np.isclose(weights.sum() + independent.sum(), 1.0)


def test_people_per_cohort_add_up_to_the_simulated_population():
    weights = np.full((2, 3, 3), 0.1)
    bands = np.full((2, 10), 0.1)  # ten equal loss bands
    people = cohort_population(np.array([1_000.0, 5_000.0]), weights, bands)
    assert people.shape == (2, 3, 3, 12, 10)
    assert np.allclose(people.sum(axis=(1, 2, 3, 4)), [900.0, 4_500.0])
    assert cohorts_per_region(10) == 3 * 3 * 12 * 10
