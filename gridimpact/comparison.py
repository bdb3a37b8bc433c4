"""Tables of an ensemble comparison: daily impacts with P10/P50/P90, and scenario − baseline.

Differences are computed member by member (every scenario sees the same draws for the same member),
then summarised: ``difference`` is the median of the paired differences, not the difference of the
medians, and ``difference_p10`` / ``difference_p90`` bound it. How each metric aggregates over the
comparison window is ``Metric.window`` (docs/scenarios.md): sums for daily counts and person-hours,
maxima for peaks, minima for the lowest indoor temperature, means for shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.ensemble import quantiles
from gridimpact.impact import METRIC_BY_NAME, NUMERIC_METRICS, risk_label
from gridimpact.results import region_names

ALL = "ALL"
COMPARED_METRICS = tuple(
    name for name in NUMERIC_METRICS
    if name not in {"population", "outdoor_temperature_mean_c", "outdoor_temperature_min_c", "heating_degree_days"}
) + ("days_at_high_risk",)
"""Metrics compared between scenarios; weather metrics are equal in every scenario by design."""

WINDOW_RULE = {name: METRIC_BY_NAME[name].window for name in NUMERIC_METRICS} | {"days_at_high_risk": "sum"}
UNITS = {name: METRIC_BY_NAME[name].unit for name in NUMERIC_METRICS} | {"days_at_high_risk": "days"}


def impacts_table(daily: dict[str, dict[str, np.ndarray]], regions: tuple[str, ...], days: pd.DatetimeIndex,
                  window: np.ndarray) -> pd.DataFrame:
    """One row per scenario, region and date in the window; each metric as median, _p10, _p90."""
    frames = []
    names = region_names(regions)
    selected = days[window]
    for scenario, metrics in daily.items():
        frame = pd.DataFrame({
            "scenario": scenario,
            "adm1_pcode": np.repeat(regions, len(selected)),
            "adm1_name": np.repeat(names, len(selected)),
            "date": np.tile(selected.date, len(regions)),
        })
        for name in NUMERIC_METRICS:
            p10, p50, p90 = quantiles(metrics[name][:, :, window])
            integer = METRIC_BY_NAME[name].integer
            for column, values in ((name, p50), (f"{name}_p10", p10), (f"{name}_p90", p90)):
                flat = values.reshape(-1)
                frame[column] = np.round(flat).astype(np.int64) if integer else np.round(flat, 4)
        p10, p50, p90 = quantiles(metrics["risk_level"][:, :, window], ordinal=True)
        frame["risk_level"] = risk_label(p50.reshape(-1))
        frame["risk_level_p10"] = risk_label(p10.reshape(-1))
        frame["risk_level_p90"] = risk_label(p90.reshape(-1))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _member_window_values(metrics: dict[str, np.ndarray], window: np.ndarray, population: np.ndarray) -> dict[str, np.ndarray]:
    """Per member, per region (plus ALL as the last region): each compared metric over the window."""
    result = {}
    weights = population / population.sum() if population.sum() > 0 else np.full(len(population), 1 / len(population))
    for name in COMPARED_METRICS:
        if name == "days_at_high_risk":
            values = (metrics["risk_level"][:, :, window] >= 2).astype(float)
        else:
            values = metrics[name][:, :, window]
        rule = WINDOW_RULE[name]
        if rule in ("sum", "max"):
            combined = values.sum(axis=1, keepdims=True)
        elif rule == "min":
            combined = values.min(axis=1, keepdims=True)
        else:
            combined = np.einsum("mrd,r->md", values, weights)[:, None, :]
        stacked = np.concatenate([values, combined], axis=1)  # (M, R+1, D)
        reduce = {"sum": np.sum, "max": np.max, "min": np.min, "mean": np.mean}[rule]
        result[name] = reduce(stacked, axis=2)
    return result


def comparison_table(daily: dict[str, dict[str, np.ndarray]], baseline: str, regions: tuple[str, ...],
                     window: np.ndarray, population: np.ndarray,
                     pause_held: dict[str, np.ndarray | None] | None = None) -> pd.DataFrame:
    """Each non-baseline scenario against the baseline, per region (and ALL) and metric.

    Besides the median and P10/P90 of the paired difference, ``difference_mean`` is the expected
    change (pauses that fail count with their zero effect), ``pause_held_share`` the share of
    members in which the scenario's pauses held, and ``difference_if_held`` the median change
    among those members: what the pause does if it holds.
    """
    pause_held = pause_held or {}
    base_values = _member_window_values(daily[baseline], window, population)
    codes = list(regions) + [ALL]
    names = region_names(regions) + ["All regions"]
    rows = []
    for scenario, metrics in daily.items():
        if scenario == baseline:
            continue
        values = _member_window_values(metrics, window, population)
        for name in COMPARED_METRICS:
            b, s = base_values[name], values[name]
            difference = s - b
            d10, d50, d90 = quantiles(difference)
            b50 = np.quantile(b, 0.5, axis=0)
            s50 = np.quantile(s, 0.5, axis=0)
            mean = difference.mean(axis=0)
            held = pause_held.get(scenario)
            held_share = np.nan if held is None else float(held.mean())
            if_held = (np.median(difference[held], axis=0) if held is not None and held.any()
                       else np.full(difference.shape[1], np.nan))
            for i, code in enumerate(codes):
                relative = d50[i] / b50[i] if b50[i] != 0 else np.nan
                rows.append({
                    "adm1_pcode": code, "adm1_name": names[i], "metric": name, "unit": UNITS[name],
                    "baseline": baseline, "scenario": scenario,
                    "baseline_value": b50[i], "scenario_value": s50[i], "difference": d50[i],
                    "relative_change": relative, "difference_p10": d10[i], "difference_p90": d90[i],
                    "difference_mean": mean[i], "pause_held_share": held_share, "difference_if_held": if_held[i],
                })
    frame = pd.DataFrame(rows)
    numeric = ["baseline_value", "scenario_value", "difference", "difference_p10", "difference_p90",
               "difference_mean", "difference_if_held"]
    frame[numeric] = frame[numeric].round(2)
    frame["relative_change"] = frame["relative_change"].round(4)
    frame["pause_held_share"] = frame["pause_held_share"].round(4)
    return frame
