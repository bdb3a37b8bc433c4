"""The daily risk level: a person's level from their coldest hour and hours below 12 °C, and an
area's level by the 20 % rule (hand-computed cases)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gridimpact.model.metrics import (
    RISK_HIGH_HOURS_BELOW_12,
    person_risk_levels,
    risk_label,
    risk_score,
)


def test_a_persons_level_follows_the_coldest_hour_and_the_hours_below_12():
    day_min = np.array([17.0, 15.0, 11.0, 11.0, 8.0, 8.0, 8.0])
    hours_below_12 = np.array([0, 0, 3, RISK_HIGH_HOURS_BELOW_12, 12, 23, 24])
    # warm; below 16; briefly below 12; half the day below 12; below 9 but recovers; all day but one
    # hour below 12; all day below 12 and below 9 at some hour
    assert person_risk_levels(day_min, hours_below_12, 24).tolist() == [0, 1, 1, 2, 2, 2, 3]


def test_a_day_of_23_hours_is_severe_when_every_one_of_its_hours_is_cold():
    assert person_risk_levels(np.array([8.0]), np.array([23]), 23).tolist() == [3]


def test_an_area_takes_the_highest_level_that_a_fifth_of_its_people_reach():
    population = np.array([100.0, 100.0, 100.0, 100.0, 0.0])
    at_least_moderate = np.array([10.0, 60.0, 60.0, 60.0, 0.0])
    at_least_high = np.array([5.0, 19.0, 20.0, 40.0, 0.0])
    at_least_severe = np.array([5.0, 10.0, 10.0, 20.0, 0.0])
    score = risk_score(population, [at_least_moderate, at_least_high, at_least_severe], 0.2)
    assert risk_label(score).tolist() == ["none", "moderate", "high", "severe", "none"]


@given(st.lists(st.tuples(st.floats(-20, 25), st.integers(0, 24)), min_size=1, max_size=30),
       st.floats(0.0, 5.0))
def test_a_colder_population_never_has_a_lower_level(cohorts, cooling):
    day_min = np.array([c[0] for c in cohorts])
    hours = np.array([c[1] for c in cohorts])
    pop = np.ones(len(cohorts))

    def level(minimum, below):
        people = person_risk_levels(minimum, below, 24)
        return int(risk_score(np.array(pop.sum()), [np.array((people >= k).sum()) for k in (1, 2, 3)], 0.2))

    assert level(day_min - cooling, np.minimum(24, hours + 1)) >= level(day_min, hours)
