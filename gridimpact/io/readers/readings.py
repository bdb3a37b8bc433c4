"""What every temperature reader hands back, and the unit rules they all share.

A reader turns one source (a file, a DataFrame, an xarray Dataset) into *readings*: hourly or
sub-hourly values, or daily extremes, already in °C and keyed by region, each remembering where in
the source it came from (a line, or a ``where`` for formats without lines). The hourly gap policy in
``io.temperature`` then turns the readings of all sources into one canonical table.

Units come only from what the source declares (a column name, a ``unit`` column, a NetCDF ``units``
attribute, a header suffix); a value is never taken to be Kelvin because it is large. Converted values
are rounded to 1e-6 °C so that the same data given in K and in °C read identically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gridimpact.io.readers.problems import FileProblems

CELSIUS = "degC"
KELVIN = "K"
FAHRENHEIT = "degF"

# Spellings seen in CF/UDUNITS attributes, GRIB-derived NetCDF, Open-Meteo headers and spreadsheets.
_UNIT_SPELLINGS = {
    CELSIUS: ("degc", "°c", "c", "celsius", "deg_c", "degreec", "degreesc", "degree_celsius",
              "degrees_celsius", "degreecelsius", "degreescelsius", "℃", "ºc", "deg c", "degrees c"),
    KELVIN: ("k", "kelvin", "kelvins", "degk", "deg_k", "°k"),
    FAHRENHEIT: ("degf", "°f", "f", "fahrenheit", "deg_f", "degree_fahrenheit", "degrees_fahrenheit",
                 "degreesf", "℉", "ºf", "deg f", "degrees f"),
}
_UNIT_LOOKUP = {spelling: unit for unit, names in _UNIT_SPELLINGS.items() for spelling in names}

ABSOLUTE_ZERO_C = -273.15
"""0 K in °C (SI definition of the kelvin; BIPM SI Brochure, 9th edition, 2019)."""

KELVIN_LOOKALIKE = 150.0
"""A column declared in °C whose values are *all* above this many degrees cannot be air temperature
(the schema's upper bound is 60 °C) but fits Kelvin (150 K is −123 °C, colder than any surface record):
the declaration is then reported as inconsistent, never silently reinterpreted."""

ROUNDING_DECIMALS = 6


def canonical_unit(text: object) -> str | None:
    """``degC``, ``K`` or ``degF`` for a unit spelling (case and spaces ignored), else None."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    key = str(text).strip().lower()
    if key in _UNIT_LOOKUP:
        return _UNIT_LOOKUP[key]
    squeezed = re.sub(r"[\s.]+", "", key)
    return _UNIT_LOOKUP.get(squeezed)


def to_celsius(values, unit: str):
    """Convert values (array or Series) from ``unit`` (``degC``, ``K``, ``degF``) to °C.

    Values too large to convert become infinite, without a warning: the schema reports them."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _to_celsius(values, unit)


def _to_celsius(values, unit: str):
    if unit == CELSIUS:
        converted = values * 1.0
    elif unit == KELVIN:
        converted = values + ABSOLUTE_ZERO_C
    elif unit == FAHRENHEIT:
        converted = (values - 32.0) * (5.0 / 9.0)
    else:
        raise ValueError(f"unknown unit {unit!r}")
    return np.round(converted, ROUNDING_DECIMALS)


UNIT_SYMBOLS = {CELSIUS: "°C", KELVIN: "K", FAHRENHEIT: "°F"}


def from_celsius(value: float, unit: str) -> float:
    """A °C value back in ``unit`` (``degC``, ``K``, ``degF``), rounded as ``to_celsius`` rounds."""
    if unit == KELVIN:
        value = value - ABSOLUTE_ZERO_C
    elif unit == FAHRENHEIT:
        value = value * (9.0 / 5.0) + 32.0
    return round(value, ROUNDING_DECIMALS)


def converted_units(units: dict[str, str | None]) -> dict[str, str]:
    """The entries of ``units`` (canonical column → unit) whose values were converted to °C."""
    return {column: unit for column, unit in units.items() if unit in (KELVIN, FAHRENHEIT)}


def round_celsius(values):
    """Values rounded to ``ROUNDING_DECIMALS``; a value too large to round stays as it is, without a
    warning (the schema reports it as out of range)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.round(values, ROUNDING_DECIMALS)


def declared_unit_conflict(values, unit: str) -> str | None:
    """A message when values contradict their declared unit, judged on the whole column.

    Declared °C but every value above 150 looks like Kelvin; declared K but every value below 150 looks
    like °C. Either way the declaration, not the data, is what the user must fix.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return None
    if unit == CELSIUS and (finite > KELVIN_LOOKALIKE).all():
        return (f"declared °C but values look like Kelvin (all {finite.size} above {KELVIN_LOOKALIKE:g}, "
                f"e.g. {finite[0]:g}); declare the unit as K")
    if unit == KELVIN and (finite < KELVIN_LOOKALIKE).all():
        return (f"declared K but values look like °C (all {finite.size} below {KELVIN_LOOKALIKE:g}, "
                f"e.g. {finite[0]:g}); declare the unit as °C")
    return None


HOURLY_COLUMNS = ["pcode", "time", "temperature_c", "quality", "source", "line", "where"]
DAILY_COLUMNS = ["pcode", "date", "tmin_c", "tmax_c", "tmean_c", "quality", "source", "line", "where"]


@dataclass
class ReadContext:
    """What the caller asked for: the region for single-location files, the radius for grids."""

    region: str | None = None
    radius_km: float | None = None
    encoding: str | None = None
    pressure_level: float | None = None
    """hPa: read a pressure-level temperature at this level (refused without one)."""
    sheet: str | int | None = None
    """The sheet of a workbook (by default the one whose header names temperature columns)."""


@dataclass
class Readings:
    """Temperatures read from one source, before the hourly gap policy.

    ``hourly`` has ``HOURLY_COLUMNS`` (times tz-aware, any resolution); ``daily`` has
    ``DAILY_COLUMNS`` (naive calendar dates). ``line`` is the source line (NaN when the format has
    none) and ``where`` the location used instead. Either frame may be None. ``column_names`` maps
    canonical columns to the source's own names, so that problems name the column the user sees;
    ``units`` maps a canonical column to the unit (``K``, ``degF``) the source gave all its values
    in, so that a problem shows the value as the user typed it beside its °C.
    """

    problems: FileProblems
    hourly: pd.DataFrame | None = None
    daily: pd.DataFrame | None = None
    column_names: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)


def hourly_frame(**columns) -> pd.DataFrame:
    """An hourly readings frame with every column present (missing ones filled with None/NaN)."""
    frame = pd.DataFrame(columns)
    for name in HOURLY_COLUMNS:
        if name not in frame:
            frame[name] = np.nan if name == "line" else None
    return frame[HOURLY_COLUMNS].reset_index(drop=True)


def daily_frame(**columns) -> pd.DataFrame:
    """A daily readings frame with every column present (missing ones filled with None/NaN)."""
    frame = pd.DataFrame(columns)
    for name in DAILY_COLUMNS:
        if name not in frame:
            frame[name] = np.nan if name in ("line", "tmin_c", "tmax_c", "tmean_c") else None
    return frame[DAILY_COLUMNS].reset_index(drop=True)


EARTH_RADIUS_KM = 6371.0088
"""Mean radius of the Earth, km (IUGG; H. Moritz, Geodetic Reference System 1980, J. Geodesy 74:128–133)."""


def great_circle_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km between points given in degrees (haversine; arrays broadcast)."""
    phi1, phi2 = np.radians(lat1), np.radians(lat2)
    dphi = phi2 - phi1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    h = np.sin(dphi / 2.0) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
