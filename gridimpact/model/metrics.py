"""Impact metrics: their definitions, units, HXL tags, and how each aggregates over a window.

The engine computes every metric per member, region and local day; this module says what each one
means. docs/outputs.md and the datapackage.json schemas are written from ``METRICS``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gridimpact.vocab import COLD_THRESHOLDS_C, RISK_LEVELS


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    description: str
    hxl: str
    window: str
    """How the metric aggregates over a comparison window: sum, max, min or mean."""
    integer: bool = False

    @property
    def window_unit(self) -> str:
        """Unit of the metric aggregated over a window: daily counts of persons sum to person-days."""
        return "person-days" if self.window == "sum" and self.unit == "persons" else self.unit


def _below(threshold: float, who: str, hxl_group: str) -> Metric:
    label = f"{threshold:g}"
    return Metric(
        f"{who}_below_{label}c",
        "persons",
        f"{'People aged 65 and over' if who == 'elderly' else 'People'} whose indoor temperature fell below "
        f"{label} °C at some time of the local day (daily count; summed over a window it is person-days).",
        f"#affected+{hxl_group}+indoor_below_{label}c",
        "sum",
        True,
    )


METRICS: tuple[Metric, ...] = (
    Metric("population", "persons", "Population of the region used by the model.", "#population", "max", True),
    Metric("people_without_power", "persons",
           "Mean over the day's hours of the number of people without grid power.",
           "#affected+ind+without_power", "sum", True),
    Metric("people_without_power_peak", "persons",
           "Largest hourly number of people without grid power during the day.",
           "#affected+ind+without_power+peak", "max", True),
    Metric("person_hours_without_power", "person-hours",
           "Sum over the day's hours of the people without grid power.",
           "#affected+ind+without_power+person_hours", "sum", True),
    Metric("share_customers_without_power", "1",
           "Mean share of electricity customers without power during the day.",
           "#indicator+num+share_without_power", "mean"),
    Metric("people_without_heat", "persons",
           "Mean over the day's hours of the people whose heating did not work (power or heat plant).",
           "#affected+ind+without_heat", "sum", True),
    Metric("people_without_heat_peak", "persons",
           "Largest hourly number of people whose heating did not work during the day.",
           "#affected+ind+without_heat+peak", "max", True),
    *(_below(t, "people", "ind") for t in COLD_THRESHOLDS_C),
    *(_below(t, "elderly", "elderly+age65plus") for t in (12.0, 9.0)),
    Metric("person_hours_below_12c", "person-hours",
           "Sum over the day's hours of the people whose indoor temperature was below 12 °C.",
           "#affected+ind+indoor_below_12c+person_hours", "sum", True),
    Metric("min_indoor_temperature_c", "degC",
           "Lowest indoor temperature of any cohort with people in it during the day.",
           "#indicator+num+indoor_min_c", "min"),
    Metric("outdoor_temperature_mean_c", "degC", "Daily mean outdoor temperature (from hourly values).",
           "#indicator+num+outdoor_mean_c", "mean"),
    Metric("outdoor_temperature_min_c", "degC", "Lowest hourly outdoor temperature of the day.",
           "#indicator+num+outdoor_min_c", "min"),
    Metric("heating_degree_days", "K d",
           "Heating degree days, base 17 °C: max(0, 17 − daily mean outdoor temperature), as xclim defines them.",
           "#indicator+num+hdd", "sum"),
    Metric("risk_level", "category",
           "none / moderate / high / severe: at least `risk_share` (1 %) of the population below 16 / 12 / 9 °C at some hour of the day.",
           "#severity", "max"),
)

METRIC_BY_NAME = {m.name: m for m in METRICS}
NUMERIC_METRICS = tuple(m.name for m in METRICS if m.name != "risk_level")


def heating_degree_days(daily_mean_c: np.ndarray, base_c: float = 17.0) -> np.ndarray:
    """Heating degree days (K d) from daily mean temperature (°C): max(0, base − mean).

    xclim's ``heating_degree_days`` (default threshold 17 °C) clips the daily deficit at zero and
    sums; per day that is this expression.
    """
    return np.maximum(0.0, base_c - np.asarray(daily_mean_c))


def risk_score(population: np.ndarray, below_16: np.ndarray, below_12: np.ndarray, below_9: np.ndarray,
               share: float) -> np.ndarray:
    """Ordinal daily risk 0–3 (none, moderate, high, severe) from people below 16, 12 and 9 °C.

    A level is reached when at least ``share`` of the population was below its threshold at some
    hour of the day; the highest level reached wins. Zero population gives 0.
    """
    cut = np.asarray(population) * share
    has_people = np.asarray(population) > 0
    score = np.zeros(np.broadcast(below_16, cut).shape, dtype=np.int8)
    for level, below in enumerate((below_16, below_12, below_9), start=1):
        score = np.where(has_people & (below >= cut) & (below > 0), np.int8(level), score)
    return score


def risk_label(score: np.ndarray) -> np.ndarray:
    return np.asarray(RISK_LEVELS, dtype=object)[np.asarray(score, dtype=int)]
