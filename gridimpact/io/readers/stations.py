"""Weather-station files: Meteostat daily (and hourly) CSV; the station registry every station
reader uses (GHCN-Daily is read by ``io.readers.ghcn``).

Both name a station, not a region. The region is the caller's, or else the station's entry in
``data/stations.csv`` (WMO, GHCN-Daily and Meteostat ids with the p-code of the region each station
stands for, every value with its source). Values are station observations (quality ``observed``).

Meteostat (https://dev.meteostat.net): version 1 ``Daily`` tables have ``time, tavg, tmin, tmax, …``
(older bulk files the same columns without a header); version 2 names the daily mean ``temp`` and its
bulk files (``data.meteostat.net/daily/{year}/{station}.csv.gz``) have ``year, month, day`` and a
``<param>_source`` column beside each value. Temperatures are °C; days are UTC calendar days, taken
here as Kyiv calendar days. Meteostat fills gaps with model data; a value whose source names a
forecast (e.g. ``metno_forecast``, ``dwd_mosmix``) is tagged ``forecast``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from gridimpact.io.readers.cells import parse_dates, parse_numbers
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.readings import (
    ReadContext,
    Readings,
    daily_frame,
    great_circle_km,
    hourly_frame,
)
from gridimpact.io.readers.tables import RawTable, read_csv_text
from gridimpact.regions import default_registry
from gridimpact.resources import data_dir
from gridimpact.vocab import TIMEZONE

MATCH_RADIUS_KM = 50.0
"""A location names a region when it lies within this distance of the region's reference point
(a project choice: about the half-width of a Ukrainian oblast)."""

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_METEOSTAT_ONLY = {"tavg", "temp", "prcp", "snow", "snwd", "wdir", "wspd", "wpgt", "pres", "tsun",
                   "rhum", "cldc", "coco", "dwpt"}
_METEOSTAT_V1_BULK = ["date", "tavg", "tmin", "tmax", "prcp", "snow", "wdir", "wspd", "wpgt", "pres", "tsun"]
_FORECAST_SOURCES = re.compile(r"forecast|mosmix", re.IGNORECASE)
# A region or unit column marks a tidy table, even when its other columns look like Meteostat's.
_TIDY_ONLY_COLUMNS = {"pcode", "region", "adm1_pcode", "oblast", "region_name", "adm1_name", "unit"}


@dataclass(frozen=True)
class Station:
    wmo_id: str
    ghcn_id: str
    meteostat_id: str
    name: str
    lat: float
    lon: float
    pcode: str


@cache
def stations() -> tuple[Station, ...]:
    """The station table shipped in ``data/stations.csv``."""
    with open(data_dir() / "stations.csv", encoding="utf-8", newline="") as handle:
        return tuple(
            Station(row["wmo_id"], row["ghcn_id"], row["meteostat_id"], row["name"],
                    float(row["lat"]), float(row["lon"]), row["pcode"])
            for row in csv.DictReader(handle)
        )


def station_by_id(identifier: str) -> Station | None:
    """The station with this WMO, GHCN-Daily or Meteostat id (case-insensitive), if known."""
    key = str(identifier).strip().upper()
    for station in stations():
        if key and key in (station.wmo_id.upper(), station.ghcn_id.upper(), station.meteostat_id.upper()):
            return station
    return None


def nearest_region(lat: float, lon: float, max_km: float = MATCH_RADIUS_KM) -> tuple[str, float] | None:
    """The region whose reference point is nearest to (lat, lon), if within ``max_km``; with the distance."""
    regions = list(default_registry())
    distances = great_circle_km(lat, lon, np.array([r.lat for r in regions]), np.array([r.lon for r in regions]))
    best = int(np.argmin(distances))
    return (regions[best].pcode, float(distances[best])) if distances[best] <= max_km else None


def assign_location(lat: float, lon: float, region: str | None, problems: FileProblems, *,
                    line: int | None = None, where: str | None = None, report: bool = True) -> str | None:
    """The region for a single-location file: the caller's, else the nearest within 50 km.

    Without either, adds a problem (when ``report``) telling the user to pass a region. The
    caller's region wins, with a note when the coordinates lie near another region's reference point
    (Kyiv's coordinates read as Odesa by a stray ``--region``).
    """
    if region:
        near = nearest_region(lat, lon)
        if near is not None and near[0] != region:
            problems.note(f"{problems.file}: coordinates {lat:.4f}, {lon:.4f} lie {near[1]:.0f} km from the "
                          f"reference point of {near[0]}, but are read as {region}, as asked (--region / region=)")
        return region
    match = nearest_region(lat, lon)
    if match is None:
        if report:
            problems.add("no_region", f"the coordinates {lat:.4f}, {lon:.4f} are not within "
                         f"{MATCH_RADIUS_KM:g} km of any region's reference point; pass the region "
                         "(--region / region=)", line=line, where=where, column="latitude")
        return None
    pcode, km = match
    problems.note(f"{problems.file}: coordinates {lat:.4f}, {lon:.4f} read as region {pcode} "
                  f"({km:.0f} km from its reference point)")
    return pcode


# --------------------------------------------------------------------------------------- sniffing

def looks_like_meteostat(text: str) -> bool:
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0].strip()
    cells = [c.strip().strip('"').lower() for c in first.split(",")]
    if _ISO_DATE.match(cells[0]) and len(cells) >= 4:
        return True  # a version-1 bulk file: no header, date first
    names = set(cells)
    dated = bool({"time", "date"} & names) or {"year", "month", "day"} <= names
    temperature = bool({"tavg", "temp"} & names) or {"tmin", "tmax"} <= names
    meteostat_only = bool(_METEOSTAT_ONLY & names) or any(n.endswith("_source") for n in names)
    return dated and temperature and meteostat_only and not (_TIDY_ONLY_COLUMNS & names)


# -------------------------------------------------------------------------------------- Meteostat

def read_meteostat(text: str, problems: FileProblems, ctx: ReadContext) -> Readings:
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    headerless = bool(_ISO_DATE.match(first.strip().strip('"')))
    raw = read_csv_text(text, problems, header=not headerless,
                        names=_METEOSTAT_V1_BULK if headerless else None)
    if raw is None:
        return Readings(problems)
    columns = {c.strip().lower(): c for c in raw.frame.columns}
    pcode = station_region(problems, ctx, _file_station_ids(problems.file), "Meteostat",
                            origin=f"the file name '{problems.file}'")
    if pcode is None:
        return Readings(problems)
    source = f"Meteostat {_station_label(problems.file)} ({problems.file})"
    if "hour" in columns:
        return Readings(problems, hourly=_meteostat_hourly(raw, columns, pcode, source))
    return Readings(problems, daily=_meteostat_daily(raw, columns, pcode, source))


def _file_station_ids(file_name: str) -> list[str]:
    stem = file_name.split(".", 1)[0]
    return [token for token in re.split(r"[^0-9A-Za-z]+", stem) if token]


def _station_label(file_name: str) -> str:
    for token in _file_station_ids(file_name):
        station = station_by_id(token)
        if station:
            return f"{station.meteostat_id} {station.name}"
    return "station"


def station_region(problems: FileProblems, ctx: ReadContext, ids: list[str], kind: str, *,
                    origin: str, line: int = 1) -> str | None:
    if ctx.region:
        return ctx.region
    for token in ids:
        station = station_by_id(token)
        if station:
            problems.note(f"{problems.file}: {kind} station {token} ({station.name}) read as region {station.pcode}")
            return station.pcode
    problems.add("no_region", f"no region for this {kind} data: {origin} is not a station listed in "
                 "data/stations.csv; pass the region (--region / region=)", line=line,
                 value=", ".join(ids) or None)
    return None


def _meteostat_dates(raw: RawTable, columns: dict[str, str], problems: FileProblems) -> pd.Series:
    if "time" in columns or "date" in columns:
        name = columns.get("time", columns.get("date"))
        return parse_dates(raw.frame[name], name, problems)
    if not {"year", "month", "day"} <= set(columns):
        problems.add("missing_column", "a date column ('time', 'date' or 'year', 'month', 'day') is missing",
                     line=1, column="time")
        return pd.Series(pd.NaT, index=raw.frame.index, dtype="datetime64[ns]")
    parts = {k: parse_numbers(raw.frame[columns[k]], columns[k], problems, decimal_comma=False, required=True)
             for k in ("year", "month", "day")}
    dates = pd.to_datetime(pd.DataFrame(parts), errors="coerce")
    for line in dates.index[dates.isna() & parts["year"].notna() & parts["month"].notna() & parts["day"].notna()]:
        problems.add("not_a_date", "year, month and day do not form a date", line=line, column=columns["day"])
    return dates.astype("datetime64[ns]")


def _meteostat_quality(raw: RawTable, columns: dict[str, str], params: list[str],
                       problems: FileProblems) -> pd.Series:
    """``forecast`` where any used parameter's ``_source`` names a forecast model, else ``observed``."""
    flagged = pd.Series(False, index=raw.frame.index)
    for param in params:
        source = columns.get(f"{param}_source")
        if source:
            flagged |= raw.frame[source].astype(str).str.contains(_FORECAST_SOURCES)
    if flagged.any():
        problems.note(f"{problems.file}: {int(flagged.sum())} row(s) use Meteostat's model or forecast "
                      "data in place of observations; tagged quality 'forecast'")
    return pd.Series(np.where(flagged, "forecast", "observed"), index=raw.frame.index)


def _meteostat_daily(raw: RawTable, columns: dict[str, str], pcode: str, source: str) -> pd.DataFrame:
    problems = raw.problems
    mean_name = "tavg" if "tavg" in columns else "temp"
    values = {}
    for target, name in (("tmin_c", "tmin"), ("tmax_c", "tmax"), ("tmean_c", mean_name)):
        if name in columns:
            values[target] = parse_numbers(raw.frame[columns[name]], columns[name], problems, decimal_comma=False)
    used = [name for name in ("tmin", "tmax", mean_name) if name in columns]
    return daily_frame(pcode=pcode, date=_meteostat_dates(raw, columns, problems),
                       quality=_meteostat_quality(raw, columns, used, problems), source=source,
                       line=pd.Series(raw.frame.index, index=raw.frame.index, dtype=float), **values)


def _meteostat_hourly(raw: RawTable, columns: dict[str, str], pcode: str, source: str) -> pd.DataFrame | None:
    problems = raw.problems
    if "temp" not in columns:
        problems.add("missing_column", "the hourly file has no 'temp' column", line=1, column="temp")
        return None
    dates = _meteostat_dates(raw, columns, problems)
    hours = parse_numbers(raw.frame[columns["hour"]], columns["hour"], problems, decimal_comma=False, required=True)
    utc = (dates + pd.to_timedelta(hours, unit="h")).dt.tz_localize("UTC")
    return hourly_frame(pcode=pcode, time=utc.dt.tz_convert(TIMEZONE),
                        temperature_c=parse_numbers(raw.frame[columns["temp"]], columns["temp"], problems,
                                                    decimal_comma=False),
                        quality=_meteostat_quality(raw, columns, ["temp"], problems), source=source,
                        line=pd.Series(raw.frame.index, index=raw.frame.index, dtype=float))
