"""Loading outdoor temperature: one entry point for every format, and one missing-data policy.

``load_temperature`` reads a file (or a list of them, or a DataFrame, or an xarray Dataset), works
out its format from its content, and returns a ``TemperatureData`` whose table matches
``schemas.Temperature``: one row per region and hour, in °C, zone-aware Europe/Kyiv times.

Formats: ERA5 / ERA5-Land NetCDF (also zipped; ``io.gridded``), Open-Meteo CSV and JSON
(``io.open_meteo``), Meteostat and GHCN-Daily station files (``io.stations``), and tidy tables
(CSV, Excel, Parquet, DataFrame; ``io.tidy_temperature``) holding hourly values or daily
minimum/maximum/mean. Gzip-compressed text files are read as they are.

Policy, the same for every format (documented in docs/inputs.md):

- Daily values become hourly through the diurnal curve of ``gridimpact.model.diurnal``.
- Sub-hourly values are averaged over each clock hour (labelled by the hour's start).
- Empty values and hours absent from a region's span are *missing*. A run of at most
  ``max_gap_hours`` missing hours is filled by linear interpolation (quality ``interpolated``, with a
  note); a longer run is a problem (rule ``gap_too_long``).
- The same region and hour given twice, in one file or in two, is a problem.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from gridimpact.errors import InvalidInputError, Problem
from gridimpact.inputs import TemperatureData
from gridimpact.io.readers import ghcn, open_meteo, stations, tidy_temperature
from gridimpact.io.readers.families import header_score
from gridimpact.io.readers.gaps import drop_cross_file_duplicates, fill_gaps
from gridimpact.io.readers.limits import gunzip
from gridimpact.io.readers.problems import FileProblems, sorted_problems, validate_frame
from gridimpact.io.readers.readings import HOURLY_COLUMNS, ReadContext, Readings, round_celsius
from gridimpact.io.readers.tables import (
    EXCEL_SUFFIXES,
    PARQUET_SUFFIXES,
    decode_text,
    display_name,
    open_bytes,
    read_csv_text,
    read_table,
)
from gridimpact.io.readers.temperature_checks import validate_located
from gridimpact.model import diurnal
from gridimpact.regions import UnknownRegionError, default_registry
from gridimpact.vocab import TIMEZONE

CANONICAL_COLUMNS = ["pcode", "time", "temperature_c", "quality", "source"]
DIURNAL_OFFSET = pd.Timedelta(hours=2)
"""The diurnal curve runs on local *standard* time (UTC+02:00, Kyiv winter time): the sun, not the
clock, sets the hours of the daily minimum and maximum."""

def load_temperature(source, *, region: str | None = None, radius_km: float | None = None,
                     max_gap_hours: int = 6, encoding: str | None = None, since=None,
                     pressure_level: float | None = None, sheet: str | int | None = None) -> TemperatureData:
    """Read hourly outdoor temperature per region from any supported source.

    Parameters
    ----------
    source:
        A path, a list of paths (combined; every problem in every file reported together), a
        DataFrame in the tidy hourly or daily columns, or an ``xarray.Dataset`` (gridded).
    region:
        A region name or p-code: the region of single-location files (Open-Meteo, Meteostat,
        GHCN-Daily); for files with several regions (tidy tables, grids), the one region to keep.
    radius_km:
        For grids: average the cells whose centres lie within this great-circle distance (km) of each
        region's reference point, instead of taking the nearest cell.
    max_gap_hours:
        The longest run of missing hours (h) filled by linear interpolation; longer runs are errors.
    encoding:
        Text encoding of text files (default UTF-8, with or without a byte-order mark).
    since:
        A date (``YYYY-MM-DD``, a local day in Europe/Kyiv): readings before it are set aside, with a
        note, and neither checked for gaps nor kept — for files that hold a station's whole record
        (GHCN-Daily, Meteostat), whose old gaps do not concern the period studied. Values are still
        checked against their schema.
    pressure_level:
        For a grid of temperature on pressure levels (ERA5 ``t`` at 925 hPa …): the level to read, hPa.
        Without it such a file is refused, since air aloft is not 2 m temperature.
    sheet:
        The sheet of a workbook, by name or number from 0 (default: the sheet whose header names
        temperature columns; a workbook without that sheet is read as without it, with a note).

    Raises ``InvalidInputError`` listing every problem, or ``InputMissingError`` for a missing file.
    """
    if max_gap_hours < 0:
        raise ValueError("max_gap_hours must be 0 or more")
    if radius_km is not None and not radius_km > 0:
        raise ValueError("radius_km must be a positive number of kilometres")
    ctx = ReadContext(region=_resolve_region(region), radius_km=radius_km, encoding=encoding,
                      pressure_level=pressure_level, sheet=sheet)
    items = list(source) if isinstance(source, list | tuple) else [source]
    if not items:
        raise ValueError("no temperature source given")
    names = _display_names(items)
    first_day = _first_local_day(since)  # a bad date fails before any file is read
    results = [_read_one(item, name, ctx) for item, name in zip(items, names, strict=True)]
    return _finish(results, ctx, max_gap_hours, first_day)


def _first_local_day(since) -> pd.Timestamp | None:
    """The start (UTC) of the local day ``since``, or None."""
    if since is None:
        return None
    try:
        day = pd.Timestamp(since)
    except (TypeError, ValueError):
        raise ValueError(f"since must be a date such as 2026-01-09, not {since!r}") from None
    if day.tzinfo is not None:
        day = day.tz_convert(TIMEZONE).tz_localize(None)
    return day.normalize().tz_localize(TIMEZONE).tz_convert("UTC")


def _set_aside_before(combined: pd.DataFrame, since: pd.Timestamp | None,
                      by_file: dict[str, FileProblems]) -> pd.DataFrame:
    """Readings from ``since`` on; a note per file for the readings set aside."""
    if since is None or combined.empty:
        return combined
    early = (pd.to_datetime(combined["time"], utc=True) < since).to_numpy()
    if not early.any():
        return combined
    day = since.tz_convert(TIMEZONE).date()
    for file, count in combined.loc[early, "file"].value_counts(sort=False).items():
        by_file[file].note(f"{file}: {int(count)} hourly value(s) before {day} set aside (not used, "
                           "not checked for gaps)")
    return combined[~early]


def _display_names(items: list) -> list[str]:
    """File names for messages; files of the same name in different folders keep their folder."""
    names = [display_name(item) if isinstance(item, str | Path) else "" for item in items]
    clashing = {n for n in names if n and names.count(n) > 1}
    return [f"{Path(item).parent.name}/{name}" if name in clashing else name
            for item, name in zip(items, names, strict=True)]


def _resolve_region(region: str | None) -> str | None:
    if region is None:
        return None
    try:
        return default_registry().resolve(region).pcode
    except UnknownRegionError as exc:
        hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        raise InvalidInputError([Problem(file="region option", rule="unknown_region",
                                         message=f"'{region}' is not a known region{hint}",
                                         value=str(region))]) from exc


# ------------------------------------------------------------------------------------ dispatching

def _is_xarray_dataset(item) -> bool:
    return type(item).__name__ == "Dataset" and type(item).__module__.startswith("xarray")


def _read_one(item, name: str, ctx: ReadContext) -> Readings:
    if isinstance(item, pd.DataFrame):
        return tidy_temperature.read_dataframe(item, ctx)
    if _is_xarray_dataset(item):
        from gridimpact.io.readers.gridded import read_dataset  # xarray: only for gridded data

        return read_dataset(item, FileProblems("<xarray.Dataset>"), ctx)
    path = Path(item)
    problems = FileProblems(name)
    if path.suffix.lower() in EXCEL_SUFFIXES | PARQUET_SUFFIXES:
        raw = read_table(path, problems, encoding=ctx.encoding, sheet=ctx.sheet,
                         sheet_score=header_score("temperature"), sheet_strict=False)
        return tidy_temperature.read_raw(raw, problems, ctx)
    data = open_bytes(path)
    if data[:2] == b"PK" or data[:4] in (b"\x89HDF", b"CDF\x01", b"CDF\x02"):
        from gridimpact.io.readers.gridded import read_gridded_file  # xarray: only for gridded data

        return read_gridded_file(path, data, problems, ctx)
    if data[:4] == b"GRIB":
        problems.add("unsupported_format", "GRIB files are not read; download ERA5 as NetCDF instead")
        return Readings(problems)
    if data[:2] == b"\x1f\x8b":
        try:
            data = gunzip(data, path)
        except (OSError, EOFError, zlib.error) as exc:
            problems.add("unreadable", f"the gzip-compressed file cannot be decompressed: {exc}")
            return Readings(problems)
    text = decode_text(data, problems, ctx.encoding)
    if text is None:
        return Readings(problems)
    if not text.strip():
        problems.add("empty_file", "the file is empty: it has no header and no rows")
        return Readings(problems)
    return _read_text(text, problems, ctx)


def _read_text(text: str, problems: FileProblems, ctx: ReadContext) -> Readings:

    start = text.lstrip("\ufeff").lstrip()[:1]
    if start in ("{", "["):
        return open_meteo.read_open_meteo_json(text, problems, ctx)
    if open_meteo.looks_like_csv(text):
        return open_meteo.read_open_meteo_csv(text, problems, ctx)
    if ghcn.looks_like_ghcn(text):
        return ghcn.read_ghcn(text, problems, ctx)
    if ghcn.looks_like_ghcn_dly(text):
        return ghcn.read_ghcn_dly(text, problems, ctx)
    if stations.looks_like_meteostat(text):
        return stations.read_meteostat(text, problems, ctx)
    return tidy_temperature.read_raw(read_csv_text(text, problems), problems, ctx)


# ------------------------------------------------------------------------------- the hourly policy

def _finish(results: list[Readings], ctx: ReadContext, max_gap_hours: int,
            since: pd.Timestamp | None = None) -> TemperatureData:
    hourly_parts, rejected_regions = [], set()
    for result in results:
        problems = result.problems
        for frame, to_hours in ((result.daily, _daily_part), (result.hourly, _hourly_part)):
            if frame is None:
                continue
            frame = _restrict(frame, ctx.region, problems)
            part = to_hours(frame, result) if len(frame) else None
            if part is None:
                rejected_regions |= set(frame["pcode"].dropna())
            else:
                hourly_parts.append(part.assign(file=problems.file))
    every = [r.problems for r in results]
    combined = (pd.concat(hourly_parts, ignore_index=True) if hourly_parts
                else pd.DataFrame(columns=[*HOURLY_COLUMNS, "file"]))
    by_file = {p.file: p for p in every}
    combined = _set_aside_before(combined, since, by_file)
    combined = drop_cross_file_duplicates(combined, by_file)
    checked = combined[~combined["pcode"].isin(rejected_regions)]
    fills = fill_gaps(checked, by_file, max_gap_hours)
    if combined.empty and not any(every):
        wanted = f" for region {ctx.region}" if ctx.region else ""
        every[0].add("no_data", f"no temperature{wanted} could be read from the input")
    problems = [p for fp in every for p in fp.items]
    if problems:
        raise InvalidInputError(sorted_problems(problems))
    parts = [part for part in (combined, fills) if not part.empty]
    frame = pd.concat(parts, ignore_index=True)[CANONICAL_COLUMNS]
    frame["time"] = pd.to_datetime(frame["time"], utc=True).dt.tz_convert(TIMEZONE).dt.as_unit("ns")
    frame = frame.sort_values(["pcode", "time"], kind="stable").reset_index(drop=True)
    final = FileProblems(", ".join(by_file))
    from gridimpact import schemas  # pandera: files only, the embedded case is cached

    frame = validate_frame(schemas.Temperature, frame, final)
    final.raise_if_any()
    notes = tuple(dict.fromkeys(n for fp in every for n in fp.notes))
    return TemperatureData(frame=frame, files=tuple(by_file), notes=notes)


def _restrict(frame: pd.DataFrame, region: str | None, problems: FileProblems) -> pd.DataFrame:
    if region is None:
        return frame
    keep = frame["pcode"] == region
    if (~keep).any():
        problems.note(f"{problems.file}: {int((~keep).sum())} row(s) of other regions skipped "
                      f"(only {region} was asked for)")
    return frame[keep].reset_index(drop=True)


def _hourly_part(frame: pd.DataFrame, result: Readings) -> pd.DataFrame | None:
    problems = result.problems
    empty = frame["temperature_c"].isna()
    if empty.any():
        problems.note(f"{problems.file}: {int(empty.sum())} empty temperature value(s) treated as missing hours")
        frame = frame[~empty]
    frame = frame.assign(quality=frame["quality"].fillna("observed"), source=frame["source"].fillna(problems.file))
    from gridimpact import schemas  # pandera: files only, the embedded case is cached

    valid = validate_located(schemas.Temperature, frame, problems, result.column_names, result.units)
    if valid is None or valid.empty:
        return None
    utc = valid["time"].dt.tz_convert("UTC")
    hour = utc.dt.floor("h")
    if (utc == hour).all():
        return valid
    grouped = valid.assign(time=hour).groupby(["pcode", "time"], sort=True)
    averaged = grouped.agg(temperature_c=("temperature_c", "mean"), quality=("quality", "first"),
                           source=("source", "first"), line=("line", "first"),
                           where=("where", "first")).reset_index()
    problems.note(f"{problems.file}: {len(valid)} reading(s) at sub-hourly times averaged to {len(averaged)} hour(s)")
    averaged["temperature_c"] = round_celsius(averaged["temperature_c"])
    averaged["time"] = averaged["time"].dt.tz_convert(TIMEZONE)
    return averaged[HOURLY_COLUMNS]


def _daily_part(frame: pd.DataFrame, result: Readings) -> pd.DataFrame | None:
    problems = result.problems
    usable = (frame["tmin_c"].notna() & frame["tmax_c"].notna()) | frame["tmean_c"].notna()
    if (~usable).any():
        problems.note(f"{problems.file}: {int((~usable).sum())} day(s) without both extremes or a mean were "
                      "skipped; their hours count as missing")
        frame = frame[usable]
    frame = frame.assign(quality=frame["quality"].fillna("observed"), source=frame["source"].fillna(problems.file))
    from gridimpact import schemas  # pandera: files only, the embedded case is cached

    valid = validate_located(schemas.DailyTemperature, frame, problems, result.column_names, result.units)
    if valid is None or valid.empty:
        return None
    mean_only = int((valid["tmin_c"].isna() | valid["tmax_c"].isna()).sum())
    problems.note(
        f"{problems.file}: {len(valid)} day(s) turned into hourly values by the diurnal curve (minimum at "
        f"{_clock(diurnal.HOUR_OF_MIN)}, maximum at {_clock(diurnal.HOUR_OF_MAX)} local standard time)"
        + (f"; {mean_only} day(s) with only a mean are flat" if mean_only else ""))
    return _hourly_from_daily(valid)


def _clock(hour: float) -> str:
    minutes = round(hour * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def daily_to_hourly_frame(daily: pd.DataFrame) -> pd.DataFrame:
    """Hourly temperatures (``schemas.Temperature`` columns) from a validated ``schemas.DailyTemperature`` frame.

    Each day with a minimum and a maximum follows the diurnal curve of ``gridimpact.model.diurnal``
    (hours in local standard time, UTC+02:00); a day with only a mean is flat at the mean. The
    ``quality`` and ``source`` of each day are kept on its 24 hours. Temperatures in °C.
    """
    hourly = _hourly_from_daily(daily)
    return hourly[CANONICAL_COLUMNS].sort_values(["pcode", "time"], kind="stable").reset_index(drop=True)


def _hourly_from_daily(daily: pd.DataFrame) -> pd.DataFrame:
    days = daily.reset_index(drop=True)
    if days.empty:
        return pd.DataFrame(columns=HOURLY_COLUMNS)
    dates = pd.to_datetime(days["date"]).dt.normalize()
    first = dates.min()
    day_index = (dates - first).dt.days.to_numpy()
    pcodes, region_index = np.unique(days["pcode"].astype(str).to_numpy(), return_inverse=True)
    shape = (len(pcodes), int(day_index.max()) + 1)

    def grid(column: str) -> np.ndarray:
        values = np.full(shape, np.nan)
        values[region_index, day_index] = days[column].to_numpy(dtype=float)
        return values

    tmin, tmax, tmean = grid("tmin_c"), grid("tmax_c"), grid("tmean_c")
    mean_only = (np.isnan(tmin) | np.isnan(tmax)) & ~np.isnan(tmean)
    # A mean-only day is flat; to its neighbours it counts as a day whose extremes equal its mean.
    curve = diurnal.hourly_from_daily_extremes(np.where(mean_only, tmean, tmin), np.where(mean_only, tmean, tmax))
    hours_per_day = diurnal.HOURS_PER_DAY
    values = np.where(np.repeat(mean_only, hours_per_day, axis=-1),
                      np.repeat(tmean, hours_per_day, axis=-1), curve)
    row_of = np.full(shape, -1)
    row_of[region_index, day_index] = np.arange(len(days))
    rows = np.repeat(row_of, hours_per_day, axis=-1)
    region_pos, hour_pos = np.nonzero(rows >= 0)
    source_rows = rows[region_pos, hour_pos]
    utc = first + pd.to_timedelta(hour_pos, unit="h") - DIURNAL_OFFSET
    times = pd.DatetimeIndex(utc).tz_localize("UTC").tz_convert(TIMEZONE).as_unit("ns")
    line = days["line"].to_numpy(dtype=float)[source_rows] if "line" in days else np.nan
    where = days["where"].to_numpy(dtype=object)[source_rows] if "where" in days else None
    return pd.DataFrame({
        "pcode": pcodes[region_pos], "time": times,
        "temperature_c": round_celsius(values[region_pos, hour_pos]),
        "quality": days["quality"].to_numpy(dtype=object)[source_rows],
        "source": days["source"].to_numpy(dtype=object)[source_rows],
        "line": line, "where": where,
    })[HOURLY_COLUMNS]
