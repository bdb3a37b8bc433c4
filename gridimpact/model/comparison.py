"""Tables of an ensemble comparison: daily impacts with P10/P50/P90, and scenario − baseline.

Differences are computed member by member (every scenario sees the same draws for the same member),
then summarised: ``difference`` is the median of the paired differences, not the difference of the
medians, and ``difference_p10`` / ``difference_p90`` bound it. ``difference_mean`` is the expected
change; ``difference_if_held`` the median change among members in which the scenario's pauses held.
How each metric aggregates over the comparison window is ``Metric.window`` (docs/scenarios.md):
sums for daily counts and person-hours, maxima for peaks, minima for the lowest indoor temperature,
population-weighted means for shares.

Results arrive one block of regions at a time (with every member), so a national run never holds
all members of all regions: ``ComparisonTables`` reduces each block as it comes and keeps only
per-member totals for the ``ALL`` row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.model.keys import region_columns
from gridimpact.model.metrics import METRIC_BY_NAME, NUMERIC_METRICS, risk_label

ALL = "ALL"
COMPARED_METRICS = tuple(
    name for name in NUMERIC_METRICS
    if name not in {"population", "outdoor_temperature_mean_c", "outdoor_temperature_min_c", "heating_degree_days"}
) + ("days_at_high_risk",)
"""Metrics compared between scenarios; weather metrics are equal in every scenario by design."""

WINDOW_RULE = {name: METRIC_BY_NAME[name].window for name in NUMERIC_METRICS} | {"days_at_high_risk": "sum"}
UNITS = {name: METRIC_BY_NAME[name].window_unit for name in NUMERIC_METRICS} | {"days_at_high_risk": "days"}
"""Units of the window values in the comparison table."""


def quantiles(values: np.ndarray, ordinal: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P10, P50, P90 over the member axis (axis 0); ordinal data take observed values only."""
    method = "inverted_cdf" if ordinal else "linear"
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9], axis=0, method=method)
    return p10, p50, p90


def impacts_table(daily: dict[str, dict[str, np.ndarray]], regions: tuple[str, ...], days: pd.DatetimeIndex,
                  window: np.ndarray) -> pd.DataFrame:
    """One row per scenario, region and date in the window; each metric as median, _p10, _p90."""
    frames = []
    selected = days[window]
    keys = region_columns(regions, len(selected))
    for scenario, metrics in daily.items():
        frame = pd.DataFrame({"scenario": scenario, **keys, "date": np.tile(selected.date, len(regions))})
        columns = {}
        for name in NUMERIC_METRICS:
            p10, p50, p90 = quantiles(metrics[name][:, :, window])
            integer = METRIC_BY_NAME[name].integer
            for column, values in ((name, p50), (f"{name}_p10", p10), (f"{name}_p90", p90)):
                flat = values.reshape(-1)
                columns[column] = np.round(flat).astype(np.int64) if integer else np.round(flat, 4)
        p10, p50, p90 = quantiles(metrics["risk_level"][:, :, window], ordinal=True)
        columns["risk_level"] = risk_label(p50.reshape(-1))
        columns["risk_level_p10"] = risk_label(p10.reshape(-1))
        columns["risk_level_p90"] = risk_label(p90.reshape(-1))
        frames.append(pd.concat([frame, pd.DataFrame(columns)], axis=1))
    return pd.concat(frames, ignore_index=True)


def _window_values(metrics: dict[str, np.ndarray], name: str, window: np.ndarray) -> np.ndarray:
    """(M, R, D_window) daily values of a compared metric."""
    if name == "days_at_high_risk":
        return (metrics["risk_level"][:, :, window] >= 2).astype(float)
    return metrics[name][:, :, window]


_REDUCE = {"sum": np.sum, "max": np.max, "min": np.min, "mean": np.mean}


def _change_rows(keys: list[dict], name, baseline, scenario, b, s, held) -> list[dict]:
    """Comparison rows for one metric: b and s are (members, units) window values; ``keys`` holds
    the key columns of each unit."""
    difference = s - b
    d10, d50, d90 = quantiles(difference)
    b50, s50 = np.median(b, axis=0), np.median(s, axis=0)
    mean = difference.mean(axis=0)
    held_share = np.nan if held is None else float(held.mean())
    if_held = np.median(difference[held], axis=0) if held is not None and held.any() else np.full(len(keys), np.nan)
    return [{
        **key, "metric": name, "unit": UNITS[name],
        "baseline": baseline, "scenario": scenario,
        "baseline_value": b50[i], "scenario_value": s50[i], "difference": d50[i],
        "relative_change": d50[i] / b50[i] if b50[i] != 0 else np.nan,
        "difference_p10": d10[i], "difference_p90": d90[i],
        "difference_mean": mean[i], "pause_held_share": held_share, "difference_if_held": if_held[i],
    } for i, key in enumerate(keys)]


class ComparisonTables:
    """Builds the impacts and comparison tables from blocks of regions.

    Each block (every member, some regions) is reduced to its table rows as it arrives; for the
    ``ALL`` row only per-member totals are kept, in whole people (int64), so that they add up
    exactly whatever the blocking.
    """

    def __init__(self, scenarios: list[str], baseline: str, days: pd.DatetimeIndex, window: np.ndarray):
        self.scenarios = scenarios
        self.baseline = baseline
        self.days = days
        self.window = window
        self._impacts: list[pd.DataFrame] = []
        self._rows: dict[str, list[dict]] = {name: [] for name in COMPARED_METRICS}
        self._totals: dict[str, dict[str, np.ndarray]] = {s: {} for s in scenarios}
        self._population = 0.0
        self._key_columns: list[str] = ["adm1_pcode", "adm1_name"]
        self._pause_held: dict[str, np.ndarray | None] = {}

    def add(self, regions: tuple[str, ...], population: np.ndarray, daily: dict[str, dict[str, np.ndarray]],
            pause_held: dict[str, np.ndarray | None]) -> None:
        """Reduce one block of regions (every member) and fold it into the totals."""
        self._impacts.append(impacts_table(daily, regions, self.days, self.window))
        self._population += float(population.sum())
        self._pause_held = pause_held
        columns = region_columns(regions)
        keys = [{column: values[i] for column, values in columns.items()} for i in range(len(regions))]
        self._key_columns = list(columns)
        for name in COMPARED_METRICS:
            rule = WINDOW_RULE[name]
            per_region = {}
            for scenario in self.scenarios:
                values = _window_values(daily[scenario], name, self.window)
                per_region[scenario] = _REDUCE[rule](values, axis=2)
                self._accumulate(scenario, name, rule, values, population)
            for scenario in self.scenarios:
                if scenario != self.baseline:
                    self._rows[name].extend(_change_rows(keys, name, self.baseline, scenario,
                                                         per_region[self.baseline], per_region[scenario],
                                                         pause_held.get(scenario)))

    def _accumulate(self, scenario: str, name: str, rule: str, values: np.ndarray, population: np.ndarray) -> None:
        if rule == "sum":
            part = np.rint(values.sum(axis=2)).astype(np.int64).sum(axis=1)        # (M,)
        elif rule == "max":
            part = np.rint(values).astype(np.int64).sum(axis=1)                    # (M, D): peaks add by day
        elif rule == "min":
            part = values.min(axis=(1, 2))
        else:
            part = np.rint(values * population[None, :, None]).astype(np.int64).sum(axis=1)  # (M, D)
        totals = self._totals[scenario]
        if name not in totals:
            totals[name] = part
        elif rule == "min":
            totals[name] = np.minimum(totals[name], part)
        else:
            totals[name] = totals[name] + part

    def _all_values(self, scenario: str, name: str) -> np.ndarray:
        total = self._totals[scenario][name]
        rule = WINDOW_RULE[name]
        if rule == "max":
            return total.max(axis=1).astype(float)
        if rule == "mean":
            return (total / max(self._population, 1e-12)).mean(axis=1)
        return total.astype(float)

    def impacts(self) -> pd.DataFrame:
        order = {s: i for i, s in enumerate(self.scenarios)}
        frame = pd.concat(self._impacts, ignore_index=True)
        keys = ["scenario", "pcode" if "pcode" in frame.columns else "adm1_pcode", "date"]
        return frame.sort_values(keys, kind="stable",
                                 key=lambda c: c.map(order) if c.name == "scenario" else c).reset_index(drop=True)

    def comparison(self) -> pd.DataFrame:
        """Each non-baseline scenario against the baseline, per region (and ALL) and metric."""
        rows = []
        for name in COMPARED_METRICS:
            regional = self._rows[name]
            for scenario in self.scenarios:
                if scenario == self.baseline:
                    continue
                rows.extend(r for r in regional if r["scenario"] == scenario)
                all_key = {column: "" for column in self._key_columns} | {"adm1_pcode": ALL, "adm1_name": "All regions"}
                rows.extend(_change_rows([all_key], name, self.baseline, scenario,
                                         self._all_values(self.baseline, name)[:, None],
                                         self._all_values(scenario, name)[:, None],
                                         self._pause_held.get(scenario)))
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        numeric = ["baseline_value", "scenario_value", "difference", "difference_p10", "difference_p90",
                   "difference_mean", "difference_if_held"]
        frame[numeric] = frame[numeric].round(2)
        frame[["relative_change", "pause_held_share"]] = frame[["relative_change", "pause_held_share"]].round(4)
        return frame
