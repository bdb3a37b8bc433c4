"""The observed supply, hour by hour, that the back-test compares power and heat reports with.

A reported figure counts something specific: customers off for any cause at a moment, or only
those physically disconnected by damage; buildings whose district-heat supply failed. The model's
daily means mix those (a daily mean share includes scheduled rotation; people without heat include
heating stopped by power cuts), so the back-test reads the components from the hazard itself
(``hazard.build_hazard``), per region and local hour:

- ``total``: the share of customers off for any cause (``hazard.total_off``: scheduled, emergency
  and persistent shares add, published schedules included);
- ``persistent``: the share physically disconnected by damage (strike rows), excluding rotation;
- ``heat_lost``: the share of district-heat supply lost at the plant or network.

The customer base is uncertain (``customers_low`` … ``customers_high`` of the population table), and
it changes what a share reported as a count becomes, so the hazard is rebuilt for each of
``SUPPLY_DRAWS`` triangular draws of it. The population range (``population_low`` …
``population_high``) scales the people in district-heated buildings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridimpact.inputs import Inputs
from gridimpact.model.exposure import exposure_from
from gridimpact.model.hazard import build_hazard, hourly_mean, total_off
from gridimpact.model.params import Params
from gridimpact.model.period import Period
from gridimpact.vocab import HEATING_SHARE_COLUMNS, PARTS_OF_DAY, TIMEZONE

SUPPLY_DRAWS = 40
"""Triangular draws of the customer base and the population behind the P10–P90 of supply rows."""
PART_OF_DAY_HALF_WIDTH = 2
"""A part of the day ('morning') is a window of ± this many hours around its documented hour
(``vocab.PARTS_OF_DAY``); a clock time ('12:00') is that hour alone."""
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class SupplyReplay:
    """Hourly supply components of the observed case, per draw, region and hour (local)."""

    regions: tuple[str, ...]
    hours: pd.DatetimeIndex          # (H,) local start of each hour, Europe/Kyiv, naive
    total: np.ndarray                # (D, R, H) share of customers off, any cause
    persistent: np.ndarray           # (D, R, H) share physically disconnected by damage
    heat_lost: np.ndarray            # (D, R, H) share of district-heat supply lost
    customers: np.ndarray            # (D, R) electricity accounts
    district_people: np.ndarray      # (D, R) persons in district-heated homes

    def window(self, pcode: str, date, time: str | None) -> tuple[np.ndarray, int | None]:
        """Hour indices of a report's time (see ``hours_of``) and the index of its central hour
        (None when the report gives no time: the central value is then the day's mean)."""
        day = pd.Timestamp(date).normalize()
        wanted, centre = hours_of(time)
        index = np.flatnonzero(self.hours.normalize() == day)
        if len(index) == 0:
            return index, None
        of_day = self.hours[index].hour.to_numpy()
        chosen = index[np.isin(of_day, wanted)]
        central = index[of_day == centre] if centre is not None else []
        return chosen, (int(central[0]) if len(central) else None)


def hours_of(time: str | None) -> tuple[list[int], int | None]:
    """The local hours a report's ``time`` stands for, and its central hour.

    ``"12:00"`` → [12], 12; ``"morning"`` → 06 … 10, 08 (``PARTS_OF_DAY`` ± ``PART_OF_DAY_HALF_WIDTH``);
    no time → all 24 hours, None (compared as the day's mean).
    """
    if time is None or (isinstance(time, float) and np.isnan(time)) or str(time).strip() == "":
        return list(range(24)), None
    text = str(time).strip().lower()
    if text in PARTS_OF_DAY:
        centre = int(PARTS_OF_DAY[text].split(":")[0])
        return [h % 24 for h in range(centre - PART_OF_DAY_HALF_WIDTH, centre + PART_OF_DAY_HALF_WIDTH + 1)], centre
    clock = _CLOCK.match(text)
    if clock is None:
        raise ValueError(f"not a time of day: {time!r}")
    hour = int(clock.group(1)) % 24
    return [hour], hour


def supply_replay(inputs: Inputs, params: Params, regions: list[str], period: Period, *,
                  draws: int = SUPPLY_DRAWS, rng: np.random.Generator | None = None) -> SupplyReplay:
    """The observed hazard's hourly components for the central customer base (draw 0) and
    ``draws`` triangular draws of it and of the population over their documented ranges."""
    rng = rng if rng is not None else np.random.default_rng(0)
    exposure = exposure_from(inputs, regions, params)
    frame = inputs.population.frame.set_index("pcode").loc[regions]
    customers = _triangular(exposure.customers, frame, "customers", draws, rng)
    population = _triangular(exposure.population, frame, "population", draws, rng)
    heating = frame[list(HEATING_SHARE_COLUMNS)].to_numpy(dtype=float)
    district_share = heating[:, 0] / heating.sum(axis=1)
    total, persistent, heat_lost = [], [], []
    for base in customers:
        hazard = build_hazard(inputs.outages.reports, inputs.outages.schedules, regions, period, base,
                              possible_weight=params.possible_outage_weight, bands=params.district_heat_bands)
        published = np.where(hazard.schedule_days, hazard.schedule.mean(axis=1), 0.0)
        total.append(hourly_mean(total_off(hazard.rotating[0], hazard.persistent[0], published)))
        persistent.append(hourly_mean(hazard.persistent[0]))
        heat_lost.append(hourly_mean(hazard.heat_lost[0]))
    hours = period.hours.tz_convert(TIMEZONE).tz_localize(None)
    return SupplyReplay(tuple(regions), hours, np.stack(total), np.stack(persistent), np.stack(heat_lost),
                        customers, population * district_share[None, :])


def _triangular(central: np.ndarray, frame: pd.DataFrame, name: str, draws: int,
                rng: np.random.Generator) -> np.ndarray:
    """(draws + 1, R): the central values, then triangular draws over ``{name}_low`` … ``{name}_high``
    where the table gives them (the central value elsewhere)."""
    low = _column(frame, f"{name}_low", central)
    high = _column(frame, f"{name}_high", central)
    low, high = np.minimum(low, central), np.maximum(high, central)
    spread = high > low
    sampled = np.repeat(central[None, :], draws, axis=0)
    if spread.any():
        sampled[:, spread] = rng.triangular(low[spread], central[spread], high[spread], size=(draws, int(spread.sum())))
    return np.concatenate([central[None, :], sampled])


def _column(frame: pd.DataFrame, name: str, fallback: np.ndarray) -> np.ndarray:
    if name not in frame.columns:
        return fallback.copy()
    values = frame[name].to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(values), fallback, values)
