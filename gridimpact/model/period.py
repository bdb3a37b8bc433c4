"""The modelled period: local days in Europe/Kyiv, their hours, and the quarter-hour grid.

Every conversion between times, hours, quarter-hours and days goes through ``Period``, so the
resolution (``QUARTERS_PER_HOUR``) is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from gridimpact.vocab import TIMEZONE

QUARTERS_PER_HOUR = 4
"""Time resolution of the hazard: 15 minutes, fine enough for half-hour DTEK slots."""
QUARTERS_PER_DAY = 24 * QUARTERS_PER_HOUR


@dataclass(frozen=True)
class Period:
    """The modelled local days: hours from local midnight of ``first_day`` to that after ``last_day``."""

    first_day: pd.Timestamp
    last_day: pd.Timestamp

    @classmethod
    def of(cls, start, end) -> Period:
        first = pd.Timestamp(start).normalize()
        last = pd.Timestamp(end).normalize()
        if first.tzinfo is not None:
            first = first.tz_convert(TIMEZONE).tz_localize(None).normalize()
        if last.tzinfo is not None:
            last = last.tz_convert(TIMEZONE).tz_localize(None).normalize()
        if last < first:
            raise ValueError(f"the period ends ({last.date()}) before it starts ({first.date()})")
        return cls(first, last)

    # The derived grids below are computed once per period: the engine asks for them every day.
    @cached_property
    def start(self) -> pd.Timestamp:
        return self.first_day.tz_localize(TIMEZONE)

    @cached_property
    def end(self) -> pd.Timestamp:
        return (self.last_day + pd.Timedelta(days=1)).tz_localize(TIMEZONE)

    @cached_property
    def hours(self) -> pd.DatetimeIndex:
        """Start of each hour, in UTC (a local day may have 23 or 25 hours)."""
        return pd.date_range(self.start.tz_convert("UTC"), self.end.tz_convert("UTC"),
                             freq="h", inclusive="left")

    @cached_property
    def days(self) -> pd.DatetimeIndex:
        return pd.date_range(self.first_day, self.last_day, freq="D")

    def day_of_hour(self) -> np.ndarray:
        """Index into ``days`` of each hour's local calendar day."""
        return self._day_of_hour.copy()

    @cached_property
    def _day_of_hour(self) -> np.ndarray:
        local = self.hours.tz_convert(TIMEZONE).tz_localize(None).normalize()
        return ((local - self.first_day) // pd.Timedelta(days=1)).to_numpy().astype(np.int64)

    def quarter_index(self, times: pd.Series) -> np.ndarray:
        """Quarter-hour index of each time from the period start, rounded, clipped to the period."""
        offset = (times.dt.tz_convert("UTC") - self.start.tz_convert("UTC")) / pd.Timedelta(minutes=15)
        n = self.n_quarters
        return np.clip(np.round(offset.to_numpy(dtype=float, na_value=np.inf)), 0, n).astype(np.int64)

    @property
    def n_hours(self) -> int:
        """Hours in the period (local days of 23 or 25 hours included)."""
        return len(self.hours)

    @property
    def n_quarters(self) -> int:
        return self.n_hours * QUARTERS_PER_HOUR

    def day_hour_starts(self) -> np.ndarray:
        """Index of the first hour of each local day, and the period's hour count at the end."""
        return self._day_hour_starts.copy()

    @cached_property
    def _day_hour_starts(self) -> np.ndarray:
        return np.searchsorted(self._day_of_hour, np.arange(len(self.days) + 1))

    @staticmethod
    def quarter_of_hour(hour):
        """Quarter-hour index of the start of hour ``hour`` (an index or array of them)."""
        return hour * QUARTERS_PER_HOUR

    @staticmethod
    def day_of_quarter(quarter):
        """Whole days (of 24 h) from the period start to quarter-hour ``quarter``."""
        return quarter // QUARTERS_PER_DAY

    @staticmethod
    def quarters_to_days(quarters):
        """A number of quarter-hours as days of 24 h."""
        return quarters / QUARTERS_PER_DAY

    def quarter_of(self, moment) -> float:
        """Quarter-hours from the period start to ``moment`` (tz-aware)."""
        delta = pd.Timestamp(moment).tz_convert("UTC") - self.start.tz_convert("UTC")
        return delta / pd.Timedelta(minutes=15)

