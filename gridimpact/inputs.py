"""Validated inputs: outage reports and schedules, hourly temperatures, population.

Each ``*Data`` object holds a table that has passed its pandera contract (``gridimpact.schemas``),
the files it came from and notes worth showing the user (such as timestamps read as Kyiv time).
The model trusts these objects. They are plain values: they load nothing themselves;
``gridimpact.io.readers.loader`` reads and validates files into them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from gridimpact.vocab import TIMEZONE

if TYPE_CHECKING:
    import xarray as xr


@dataclass(frozen=True)
class OutageData:
    """Outage reports (``schemas.OutageReports``) and subqueue schedules (``schemas.OutageSchedule``)."""

    reports: pd.DataFrame
    schedules: pd.DataFrame
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


    def combine(self, other: OutageData) -> OutageData:
        return OutageData(
            reports=_concat(self.reports, other.reports, ["pcode", "start", "kind"]),
            schedules=_concat(self.schedules, other.schedules, ["pcode", "start", "subqueue"]),
            files=self.files + other.files,
            notes=tuple(dict.fromkeys(self.notes + other.notes)),
        )

    @property
    def regions(self) -> list[str]:
        return sorted(set(self.reports["pcode"]) | set(self.schedules["pcode"]))

    @property
    def first_day(self) -> date | None:
        """The local day (``datetime.date``) of the earliest report or schedule, or None: no
        period studied with these outages starts before it."""
        starts = [frame["start"].min() for frame in (self.reports, self.schedules) if len(frame)]
        if not starts:
            return None
        return min(starts).tz_convert(TIMEZONE).date()


@dataclass(frozen=True)
class TemperatureData:
    """Hourly outdoor temperature per region (``schemas.Temperature``), without gaps, in °C."""

    frame: pd.DataFrame
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def combine(self, other: TemperatureData) -> TemperatureData:
        return TemperatureData(
            frame=_concat(self.frame, other.frame, ["pcode", "time"]),
            files=self.files + other.files,
            notes=tuple(dict.fromkeys(self.notes + other.notes)),
        )

    @property
    def regions(self) -> list[str]:
        return sorted(set(self.frame["pcode"]))

    def to_dataarray(self) -> xr.DataArray:
        """Temperature as a (region, time) DataArray in °C; missing hours are NaN."""
        import xarray as xr

        wide = self.frame.pivot(index="time", columns="pcode", values="temperature_c")
        da = xr.DataArray(
            wide.to_numpy().T,
            dims=("region", "time"),
            coords={"region": list(wide.columns), "time": wide.index.tz_convert("UTC").tz_localize(None)},
            name="outdoor_temperature",
            attrs={"units": "degC", "long_name": "near-surface air temperature",
                   "standard_name": "air_temperature", "time_zone": "UTC"},
        )
        return da


@dataclass(frozen=True)
class PopulationData:
    """People per region with age, heating-system and building-class shares (``schemas.Population``).

    ``defaults_used`` lists regions whose heating or building shares came from the embedded
    estimates because the file did not give them.
    """

    frame: pd.DataFrame
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    defaults_used: tuple[str, ...] = ()

    @property
    def regions(self) -> list[str]:
        return list(self.frame["pcode"])


@dataclass(frozen=True)
class Inputs:
    """Everything the model needs for a set of regions: outages, temperature, population."""

    outages: OutageData
    temperature: TemperatureData
    population: PopulationData
    notes: tuple[str, ...] = field(default=())
    name: str = "custom"
    as_of: date | None = None
    """Default as-of date of comparisons on these inputs (the embedded case: 2026-01-30)."""
    horizon_days: int | None = None
    """Default number of days compared from the as-of date (the embedded case: 14)."""

    @property
    def regions(self) -> list[str]:
        """Regions the model can run: those with both population and temperature."""
        have_temperature = set(self.temperature.regions)
        return [p for p in self.population.regions if p in have_temperature]

    def regions_left_out(self) -> str | None:
        """Which regions some input has but the model cannot run, and what each lacks (None if none):
        a population file of one region beside the embedded outages and temperature of four, say."""
        run = set(self.regions)
        population, temperature = set(self.population.regions), set(self.temperature.regions)
        known = population | temperature | set(self.outages.regions)
        lacking = {"population": sorted(known - population - run), "temperature": sorted(population - temperature)}
        parts = [f"{', '.join(codes)} (no {what})" for what, codes in lacking.items() if codes]
        if not parts:
            return None
        return (f"not run, for want of inputs: {'; '.join(parts)}; the run covers {', '.join(self.regions) or 'no region'}. "
                "Give the missing family for these regions, or pass --region to name the ones meant.")

    def select(self, regions: list[str]) -> Inputs:
        """The same inputs restricted to some regions (p-codes)."""
        keep = set(regions)
        return replace(
            self,
            outages=replace(
                self.outages,
                reports=self.outages.reports[self.outages.reports["pcode"].isin(keep)].reset_index(drop=True),
                schedules=self.outages.schedules[self.outages.schedules["pcode"].isin(keep)].reset_index(drop=True),
            ),
            temperature=replace(
                self.temperature,
                frame=self.temperature.frame[self.temperature.frame["pcode"].isin(keep)].reset_index(drop=True),
            ),
            population=replace(
                self.population,
                frame=self.population.frame[self.population.frame["pcode"].isin(keep)].reset_index(drop=True),
            ),
        )


def _concat(a: pd.DataFrame, b: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    if a.empty:
        return b.reset_index(drop=True)
    if b.empty:
        return a.reset_index(drop=True)
    return pd.concat([a, b], ignore_index=True).sort_values(order, kind="stable").reset_index(drop=True)
