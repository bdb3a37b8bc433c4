"""Result objects: the daily table, the hourly dataset and the provenance behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gridimpact.io.writers.tables import write_comparison, write_estimate
from gridimpact.model.keys import region_columns
from gridimpact.model.metrics import METRIC_BY_NAME, NUMERIC_METRICS, risk_label
from gridimpact.report.metadata import metadata_sheets

if TYPE_CHECKING:
    import xarray as xr

KEY_COLUMNS = ("adm1_pcode", "adm1_name", "date")


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
        return write_estimate(self, Path(directory), formats, hxl=hxl, extra_sheets=_extra_sheets(self, formats))


@dataclass
class ComparisonResult:
    """What ``gridimpact.compare`` returns.

    ``impacts``: one row per scenario, region and date of the comparison window, each metric as the
    ensemble median with ``_p10`` and ``_p90`` siblings. ``comparison``: one row per region (plus
    ``ALL``), metric and non-baseline scenario, with the expected baseline and scenario values and
    the expected change between them (``difference``, paired by member, with its standard error).
    ``daily``: the member arrays (scenario → metric → (members, regions, days)) over the whole
    simulated period ``days`` — kept for runs of moderate size only, else None; ``window`` marks
    the compared days.
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
    scenario_definitions: tuple = ()
    """The Scenario objects as run (after any compliance override), in the order of ``scenarios``:
    what a report says about each scenario comes from here, never from re-reading its file."""
    member_changes: dict = field(default_factory=dict)
    """(scenario, metric) → (members,) each member's expected change over all regions."""
    pause_days_held: dict = field(default_factory=dict)
    """Scenario → (members,) days of the pause window that held in each member's own draw of the
    outcome (None without pauses): the distribution behind ``pause_days_held_mean``."""
    region_members: dict = field(default_factory=dict)
    """Region → the members its comparison rows come from: ``members``, or a multiple of it for a
    region whose headline change needed more (``model.refinement``). The impacts table, the member
    values in ``daily``, ``member_changes`` and the ``ALL`` row's spread keep the first ``members``."""

    def to_files(self, directory: str | Path, formats: tuple[str, ...] = ("csv",), *, hxl: bool = False) -> list[Path]:
        """Write impacts and comparison tables in each format, atomically."""
        return write_comparison(self, Path(directory), formats, hxl=hxl,
                                extra_sheets=_extra_sheets(self, formats))


def _extra_sheets(result, formats) -> dict | None:
    """The about, sources and parameters sheets of an xlsx workbook (built only when one is written)."""
    return metadata_sheets(result.provenance) if "xlsx" in formats else None
