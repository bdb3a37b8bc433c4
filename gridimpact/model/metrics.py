"""Impact metrics: the catalogue. Each metric's name, unit, description, HXL tag, how it aggregates
over a window, and the code that computes it from one simulated day, declared together.

The engine folds every day through ``fold_day``, which computes every metric of ``METRICS``;
a metric cannot be declared without its ``compute`` function. docs/outputs.md, the HXL row and the
datapackage.json schemas take their column metadata from ``METRICS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from gridimpact.vocab import COLD_THRESHOLDS_C, RISK_LEVELS


def row_sum(array: np.ndarray, keep: int) -> np.ndarray:
    """Sum over every axis after the first ``keep``, as one contiguous row each (deterministic:
    the result does not depend on how many members or regions share the array), in float64."""
    return np.ascontiguousarray(array).reshape(*array.shape[:keep], -1).sum(axis=-1, dtype=np.float64)


BELOW_THRESHOLDS_C = tuple(sorted({*COLD_THRESHOLDS_C, 16.0, 12.0, 9.0}, reverse=True))
"""Every indoor threshold (°C) a metric asks ``Day.below`` about: the compiled engine counts the
people below each of these while it steps the cohorts, and only these."""


@dataclass
class Day:
    """One simulated local day, as the engine hands it to the metrics.

    Hourly arrays are hour-first (H, M, R); cohort arrays are (M, R, 3, 3, 12, K) like the engine's
    state; ``pop_cohort`` is (M, R, 3, 3, 12, K) persons. The compiled engine reduces the cohorts
    itself: it leaves ``pop_cohort``, ``occupied``, ``day_min`` and ``hours_below_12`` None and
    gives the sums they would give
    (``below_counts`` for every threshold of ``BELOW_THRESHOLDS_C``, ``cold_person_hours``,
    ``coldest_cohort``, ``risk_people``).
    """

    population: np.ndarray        # (R,) persons
    share_65plus: np.ndarray      # (R,)
    pop_cohort: np.ndarray | None  # (M, R, 3, 3, 12, K) persons (None from the compiled engine)
    occupied: np.ndarray | None    # (M, R, 3, 3, 12, K) bool (None from the compiled engine)
    has_independent: np.ndarray   # (R,) bool: some people heat independently of the grid
    day_min: np.ndarray | None    # (M, R, 3, 3, 12, K) °C, lowest indoor temperature of the day
    hours_below_12: np.ndarray | None  # (M, R, 3, 3, 12, K) hours
    without_power: np.ndarray     # (H, M, R) persons
    without_heat: np.ndarray      # (H, M, R) persons
    share_off: np.ndarray         # (H, M, R) share of customers
    outdoor: np.ndarray           # (M or 1, R, H) °C
    setpoint: float               # °C
    hdd_base: float               # °C
    risk_share: float             # share of the population
    below_counts: dict = field(default_factory=dict, repr=False)  # threshold °C → (M, R) persons
    cold_person_hours: np.ndarray | None = None  # (M, R) person-hours below 12 °C
    coldest_cohort: np.ndarray | None = None     # (M, R) °C, lowest of an occupied cohort (inf if none)
    risk_people: np.ndarray | None = None        # (2, M, R) persons at risk level 2 or above, and 3

    @property
    def hours(self) -> int:
        return self.without_power.shape[0]

    @cached_property
    def power_hours(self) -> np.ndarray:
        # Sums over hours run along a contiguous last axis, like every other sum.
        return row_sum(np.moveaxis(self.without_power, 0, -1), 2)

    @cached_property
    def heat_hours(self) -> np.ndarray:
        return row_sum(np.moveaxis(self.without_heat, 0, -1), 2)

    @cached_property
    def outdoor_mean(self) -> np.ndarray:
        return row_sum(self.outdoor, 2) / self.outdoor.shape[-1]

    def below(self, threshold: float) -> np.ndarray:
        """People whose indoor temperature fell below ``threshold`` °C at some time of the day."""
        if threshold not in self.below_counts:
            if self.day_min is None:
                raise KeyError(f"the compiled engine counts people below {BELOW_THRESHOLDS_C} °C only, "
                               f"not {threshold}: add it to metrics.BELOW_THRESHOLDS_C")
            self.below_counts[threshold] = row_sum((self.day_min < threshold) * self.pop_cohort, 2)
        return self.below_counts[threshold]

    @cached_property
    def hours_below_12_people(self) -> np.ndarray:
        """Person-hours below 12 °C: each cohort's hours below it times its people."""
        if self.cold_person_hours is not None:
            return self.cold_person_hours
        return row_sum(self.hours_below_12 * self.pop_cohort, 2)

    @cached_property
    def at_risk_levels(self) -> list[np.ndarray]:
        """People at risk level 1 or above, 2 or above, and 3 (``person_risk_levels``), (M, R) each."""
        if self.risk_people is not None:  # level 1 is exactly 'below 16 °C at some hour'
            return [self.below(16.0), self.risk_people[0], self.risk_people[1]]
        at_least = person_risk_levels(self.day_min, self.hours_below_12, self.hours)
        return [row_sum((at_least >= level) * self.pop_cohort, 2) for level in (1, 2, 3)]

    @cached_property
    def coldest(self) -> np.ndarray:
        """The lowest indoor temperature of any cohort with people in it, (M, R) °C (inf if none)."""
        if self.coldest_cohort is not None:
            return self.coldest_cohort
        return np.where(self.occupied, self.day_min, np.inf).reshape(*self.day_min.shape[:2], -1).min(axis=-1)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    description: str
    hxl: str
    window: str
    """How the metric aggregates over a comparison window: sum, max, min or mean."""
    compute: Callable[[Day], np.ndarray] = field(repr=False, compare=False)
    """The metric of one day, (M, R) (or broadcastable to it)."""
    integer: bool = False

    @property
    def window_unit(self) -> str:
        """Unit of the metric aggregated over a window: daily counts of persons sum to person-days."""
        return "person-days" if self.window == "sum" and self.unit == "persons" else self.unit


def _below(threshold: float, who: str, hxl_group: str) -> Metric:
    label = f"{threshold:g}"
    if who == "elderly":
        def compute(day: Day) -> np.ndarray:
            return day.below(threshold) * day.share_65plus
    else:
        def compute(day: Day) -> np.ndarray:
            return day.below(threshold)
    return Metric(
        f"{who}_below_{label}c",
        "persons",
        f"{'People aged 65 and over' if who == 'elderly' else 'People'} whose indoor temperature fell below "
        f"{label} °C at some time of the local day (daily count; summed over a window it is person-days).",
        f"#affected+{hxl_group}+indoor_below_{label}c",
        "sum",
        compute,
        True,
    )


def _coldest_indoor(day: Day) -> np.ndarray:
    coldest = day.coldest
    # Independently heated homes are held at the set-point: they bound the coldest from above.
    return np.where(day.has_independent, np.minimum(coldest, day.setpoint), coldest)


def _risk_level(day: Day) -> np.ndarray:
    return risk_score(day.population, day.at_risk_levels, day.risk_share)


METRICS: tuple[Metric, ...] = (
    Metric("population", "persons", "Population of the region used by the model.", "#population", "max",
           lambda day: day.population, True),
    Metric("people_without_power", "persons",
           "Mean over the day's hours of the number of people without grid power.",
           "#affected+ind+without_power", "sum",
           lambda day: day.power_hours / day.hours, True),
    Metric("people_without_power_peak", "persons",
           "Largest hourly number of people without grid power during the day.",
           "#affected+ind+without_power+peak", "max",
           lambda day: day.without_power.max(axis=0), True),
    Metric("person_hours_without_power", "person-hours",
           "Sum over the day's hours of the people without grid power.",
           "#affected+ind+without_power+person_hours", "sum",
           lambda day: day.power_hours, True),
    Metric("share_customers_without_power", "1",
           "Mean share of electricity customers without power during the day.",
           "#indicator+num+share_without_power", "mean",
           lambda day: row_sum(np.moveaxis(day.share_off, 0, -1), 2) / day.hours),
    Metric("people_without_heat", "persons",
           "Mean over the day's hours of the people whose heating did not work (power or heat plant).",
           "#affected+ind+without_heat", "sum",
           lambda day: day.heat_hours / day.hours, True),
    Metric("people_without_heat_peak", "persons",
           "Largest hourly number of people whose heating did not work during the day.",
           "#affected+ind+without_heat+peak", "max",
           lambda day: day.without_heat.max(axis=0), True),
    *(_below(t, "people", "ind") for t in COLD_THRESHOLDS_C),
    *(_below(t, "elderly", "elderly+age65plus") for t in (12.0, 9.0)),
    Metric("person_hours_below_12c", "person-hours",
           "Sum over the day's hours of the people whose indoor temperature was below 12 °C.",
           "#affected+ind+indoor_below_12c+person_hours", "sum",
           lambda day: day.hours_below_12_people, True),
    Metric("min_indoor_temperature_c", "degC",
           "Lowest indoor temperature of any cohort with people in it during the day.",
           "#indicator+num+indoor_min_c", "min", _coldest_indoor),
    Metric("outdoor_temperature_mean_c", "degC", "Daily mean outdoor temperature (from hourly values).",
           "#indicator+num+outdoor_mean_c", "mean",
           lambda day: day.outdoor_mean),
    Metric("outdoor_temperature_min_c", "degC", "Lowest hourly outdoor temperature of the day.",
           "#indicator+num+outdoor_min_c", "min",
           lambda day: day.outdoor.min(axis=-1)),
    Metric("heating_degree_days", "K d",
           "Heating degree days, base 17 °C: max(0, 17 − daily mean outdoor temperature), as xclim defines them.",
           "#indicator+num+hdd", "sum",
           lambda day: heating_degree_days(day.outdoor_mean, day.hdd_base)),
    Metric("risk_level", "category",
           "none / moderate / high / severe: the highest level that at least `risk_share` (20 %) of the population "
           "reaches or exceeds; a person is moderate below 16 °C at some hour, high below 12 °C for at least 12 hours "
           "of the day, severe below 12 °C all day and below 9 °C at some hour.",
           "#severity", "max", _risk_level),
)

METRIC_BY_NAME = {m.name: m for m in METRICS}
NUMERIC_METRICS = tuple(m.name for m in METRICS if m.name != "risk_level")
PERSON_METRICS = tuple(m.name for m in METRICS if m.unit in ("persons", "person-hours"))
"""Metrics proportional to the population at fixed shares: they scale with a sampled population."""


def fold_day(daily: dict[str, np.ndarray], index: int, day: Day) -> None:
    """Write every metric of ``day`` into column ``index`` of the (M, R, D) arrays of ``daily``."""
    for metric in METRICS:
        daily[metric.name][:, :, index] = metric.compute(day)


def fold_days(daily: dict[str, np.ndarray], folded: list[tuple[int, Day]]) -> None:
    """``fold_day`` for several (column, day) pairs of the compiled engine at once: days with the same
    hours are laid side by side along the region axis (``side_by_side``), so that each metric is one
    array operation over all of them. Every value is computed from its own cell, so the numbers
    are those ``fold_day`` gives day by day."""
    by_hours: dict[int, list[tuple[int, Day]]] = {}
    for index, day in folded:
        by_hours.setdefault(day.hours, []).append((index, day))
    for group in by_hours.values():
        if len(group) == 1:
            fold_day(daily, *group[0])
            continue
        columns = [index for index, _ in group]
        together = side_by_side([day for _, day in group])
        members, regions = next(iter(daily.values())).shape[:2]
        for metric in METRICS:
            value = np.broadcast_to(metric.compute(together), (members, len(columns) * regions))
            daily[metric.name][:, :, columns] = np.moveaxis(value.reshape(members, len(columns), regions), 1, 2)


def side_by_side(days: list[Day]) -> Day:
    """One ``Day`` of the compiled engine whose regions are those of ``days`` in turn (same hours)."""
    first, n = days[0], len(days)

    def joined(name: str, axis: int) -> np.ndarray:
        return np.concatenate([getattr(day, name) for day in days], axis=axis)

    return Day(np.tile(first.population, n), np.tile(first.share_65plus, n), None, None,
               np.tile(first.has_independent, (1, n)), None, None, joined("without_power", 2),
               joined("without_heat", 2), joined("share_off", 2), joined("outdoor", 1), first.setpoint,
               first.hdd_base, first.risk_share,
               {t: np.concatenate([day.below_counts[t] for day in days], axis=1) for t in first.below_counts},
               joined("cold_person_hours", 1), joined("coldest_cohort", 1), joined("risk_people", 2))


def empty_daily(members: int, regions: int, days: int) -> dict[str, np.ndarray]:
    """The (M, R, D) arrays ``fold_day`` fills, one per metric, NaN until computed."""
    return {metric.name: np.full((members, regions, days), np.nan) for metric in METRICS}


def heating_degree_days(daily_mean_c: np.ndarray, base_c: float = 17.0) -> np.ndarray:
    """Heating degree days (K d) from daily mean temperature (°C): max(0, base − mean).

    xclim's ``heating_degree_days`` (default threshold 17 °C) clips the daily deficit at zero and
    sums; per day that is this expression.
    """
    return np.maximum(0.0, base_c - np.asarray(daily_mean_c))


RISK_HIGH_HOURS_BELOW_12 = 12
"""Hours below 12 °C in a day that make a person's day 'high': half the day or more (docs/model.md,
"Risk level")."""


def person_risk_levels(day_min: np.ndarray, hours_below_12: np.ndarray, hours: int) -> np.ndarray:
    """Each cohort's level of the day, 0–3, from its coldest indoor temperature and hours below 12 °C.

    1 (moderate): below 16 °C at some hour (reduced resistance to respiratory infection);
    2 (high): below 12 °C for at least ``RISK_HIGH_HOURS_BELOW_12`` hours (cardiovascular strain);
    3 (severe): below 12 °C for every hour of the day and below 9 °C at some hour (a home that never
    recovers and falls to where core body temperature drops after about two hours).
    """
    day_min, hours_below_12 = np.asarray(day_min), np.asarray(hours_below_12)
    level = np.where(day_min < 16.0, 1, 0)
    level = np.where(hours_below_12 >= RISK_HIGH_HOURS_BELOW_12, 2, level)
    level = np.where((hours_below_12 >= hours - 1e-6) & (day_min < 9.0), 3, level)
    return level.astype(np.int8)


def risk_score(population: np.ndarray, at_least: list[np.ndarray], share: float) -> np.ndarray:
    """Ordinal daily risk 0–3 (none, moderate, high, severe) of an area, by the 20 % rule of area
    classification (IPC, JIAF): the highest level that at least ``share`` of the population reaches
    or exceeds. ``at_least[k]``: people at level k + 1 or above (``person_risk_levels``). Zero
    population gives 0.
    """
    cut = np.asarray(population) * share
    has_people = np.asarray(population) > 0
    score = np.zeros(np.broadcast(at_least[0], cut).shape, dtype=np.int8)
    for level, people in enumerate(at_least, start=1):
        score = np.where(has_people & (people >= cut) & (people > 0), np.int8(level), score)
    return score


def risk_label(score: np.ndarray) -> np.ndarray:
    return np.asarray(RISK_LEVELS, dtype=object)[np.asarray(score, dtype=int)]
