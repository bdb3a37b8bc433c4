"""Result objects: the daily table, the hourly dataset and the provenance behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gridimpact.model.metrics import METRIC_BY_NAME, NUMERIC_METRICS, risk_label
from gridimpact.regions import default_registry

if TYPE_CHECKING:
    import xarray as xr

KEY_COLUMNS = ("adm1_pcode", "adm1_name", "date")


def region_names(pcodes) -> list[str]:
    registry = default_registry()
    return [registry.name(p) for p in pcodes]


def region_columns(pcodes, repeat: int = 1) -> dict[str, np.ndarray]:
    """Key columns for regions: ``adm1_pcode``, ``adm1_name``, and — when some units are finer
    than oblasts (raions, hromadas) — ``pcode`` and ``name`` of the unit itself. Each value is
    repeated ``repeat`` times (one row per day)."""
    from gridimpact.regions import admin_level_of

    pcodes = list(pcodes)
    adm1 = [p[:4] if p.startswith("UA") else p for p in pcodes]
    columns = {"adm1_pcode": adm1, "adm1_name": region_names(adm1)}
    if any(admin_level_of(p) not in (None, 1) for p in pcodes):
        columns["pcode"] = pcodes
        columns["name"] = region_names(pcodes)
    return {key: np.repeat(np.asarray(values, dtype=object), repeat) for key, values in columns.items()}


def daily_frame(daily: dict[str, np.ndarray], regions: tuple[str, ...], days: pd.DatetimeIndex) -> pd.DataFrame:
    """One row per region and local date from (R, D) metric arrays; counts rounded to whole people."""
    n_regions, n_days = len(regions), len(days)
    frame = pd.DataFrame({**region_columns(regions, n_days), "date": np.tile(days.date, n_regions)})
    for name in NUMERIC_METRICS:
        values = daily[name].reshape(-1)
        if METRIC_BY_NAME[name].integer:
            frame[name] = np.round(values).astype(np.int64)
        else:
            frame[name] = np.round(values, 4)
    frame["risk_level"] = risk_label(daily["risk_level"].reshape(-1))
    return frame


@dataclass
class EstimateResult:
    """What ``gridimpact.estimate`` returns.

    ``daily``: one row per region and local date, columns ``adm1_pcode, adm1_name, date`` then the
    metrics of docs/outputs.md. ``hourly``: an xarray Dataset with outdoor and indoor temperatures,
    people without power and heat per hour (units and descriptions in attributes).
    ``provenance``: versions, parameters, inputs and notes.
    """

    daily: pd.DataFrame
    hourly: xr.Dataset | None
    provenance: dict = field(default_factory=dict)
    member_changes: dict = field(default_factory=dict)
    """(scenario, metric) → (members,) each member's expected change over all regions."""
    pause_days_held: dict = field(default_factory=dict)
    """Scenario → (members,) days of the pause window that held in each member's own draw of the
    outcome (None without pauses): the distribution behind ``pause_days_held_mean``."""

    def to_files(self, directory: str | Path, formats: tuple[str, ...] = ("csv",), *, hxl: bool = False) -> list[Path]:
        """Write the daily table (and, for ``netcdf``, the hourly dataset) atomically."""
        from gridimpact.io.writers.tables import write_estimate

        return write_estimate(self, Path(directory), formats, hxl=hxl)


@dataclass
class ComparisonResult:
    """What ``gridimpact.compare`` returns.

    ``impacts``: one row per scenario, region and date of the comparison window, each metric as the
    ensemble median with ``_p10`` and ``_p90`` siblings. ``comparison``: one row per region (plus
    ``ALL``), metric and non-baseline scenario, with the baseline and scenario values and their
    paired difference. ``daily``: the member arrays (scenario → metric → (members, regions, days))
    over the whole simulated period ``days`` — kept for runs of moderate size only, else None;
    ``window`` marks the compared days.
    """

    impacts: pd.DataFrame
    comparison: pd.DataFrame
    daily: dict | None
    pause_held: dict
    """Scenario → (members,) booleans: did every pause of the scenario hold (None without pauses)."""
    days: pd.DatetimeIndex
    window: np.ndarray
    regions: tuple[str, ...]
    baseline: str
    scenarios: tuple[str, ...]
    members: int
    seed: int
    provenance: dict = field(default_factory=dict)
    member_changes: dict = field(default_factory=dict)
    """(scenario, metric) → (members,) each member's expected change over all regions."""
    pause_days_held: dict = field(default_factory=dict)
    """Scenario → (members,) days of the pause window that held in each member's own draw of the
    outcome (None without pauses): the distribution behind ``pause_days_held_mean``."""

    def to_files(self, directory: str | Path, formats: tuple[str, ...] = ("csv",), *, hxl: bool = False) -> list[Path]:
        """Write impacts and comparison tables in each format, atomically."""
        from gridimpact.io.writers.tables import write_comparison

        return write_comparison(self, Path(directory), formats, hxl=hxl)
