"""Open-Meteo files (Historical Weather API and forecast API): CSV and JSON downloads.

CSV layout (as the API writes it): a metadata header ``latitude,longitude,elevation,
utc_offset_seconds,timezone,timezone_abbreviation`` (with a leading ``location_id`` for several
locations), one value line per location, a blank line, then one section per resolution
(``current``, ``minutely_15``, ``hourly``, ``daily``) separated by blank lines, each with a header
such as ``time,temperature_2m (°C)``. JSON: an object (or a list of them, one per location) with
``hourly.time``, ``hourly.temperature_2m`` and ``hourly_units.temperature_2m``; daily values are
``temperature_2m_min``, ``_max`` and ``_mean``.

Times are local clock times at the *single* offset ``utc_offset_seconds``: the API applies the
offset valid when the request was made to the whole series, without daylight-saving changes
(open-meteo/open-meteo issues #488 and #1255). ``timeformat=unixtime`` files carry UTC epoch
seconds; for daily values the offset is added back to get the local date (API documentation).

Open-Meteo's archive serves the ERA5 family of reanalyses, so values are tagged ``reanalysis``.
A file names no region: the caller's region is used, or else the file's coordinates matched to the
nearest region reference point within 50 km.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridimpact.io.readers.cells import parse_dates, parse_numbers
from gridimpact.io.readers.limits import loads_json
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.readings import (
    ReadContext,
    Readings,
    canonical_unit,
    converted_units,
    daily_frame,
    declared_unit_conflict,
    hourly_frame,
    to_celsius,
)
from gridimpact.io.readers.stations import assign_location
from gridimpact.io.readers.tables import read_csv_text
from gridimpact.vocab import TIMEZONE

QUALITY = "reanalysis"
_HEADER_UNIT = re.compile(r"^(?P<name>.*?)\s*\((?P<unit>[^)]*)\)\s*$")
_DAILY_NAMES = {"tmin_c": "temperature_2m_min", "tmax_c": "temperature_2m_max",
                "tmean_c": "temperature_2m_mean"}
_MISSING_TEXT = {"nan", "null", "none"}


@dataclass
class _Location:
    key: str
    lat: float
    lon: float
    offset_s: int
    line: int | None = None
    where: str | None = None


def looks_like_csv(text: str) -> bool:
    """True for the Open-Meteo CSV metadata header."""
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0].strip().lower()
    return first.startswith(("latitude,longitude,", "location_id,latitude,longitude,"))


def _split_header(column: str) -> tuple[str, str | None]:
    match = _HEADER_UNIT.match(column)
    return (match["name"].strip(), match["unit"].strip()) if match else (column.strip(), None)


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) line indices of runs of non-blank lines."""
    blocks, start = [], None
    for i, line in enumerate(lines):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            blocks.append((start, i))
            start = None
    if start is not None:
        blocks.append((start, len(lines)))
    return blocks


def _numbers(series: pd.Series, column: str, problems: FileProblems) -> pd.Series:
    text = series.astype(str).str.strip()
    text = text.where(~text.str.lower().isin(_MISSING_TEXT), "")
    return parse_numbers(text, column, problems, decimal_comma=False)


def read_open_meteo_csv(text: str, problems: FileProblems, ctx: ReadContext) -> Readings:
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    blocks = _blocks(lines)
    start, end = blocks[0]
    meta = read_csv_text("".join(lines[:end]), problems, skip_lines=start)
    if meta is None:
        return Readings(problems)
    locations = _csv_locations(meta.frame, problems)
    hourly, daily = [], []
    for start, end in blocks[1:]:
        scratch = FileProblems(problems.file)
        raw = read_csv_text("".join(lines[:end]), scratch, skip_lines=start)
        if raw is None or "time" not in raw.frame.columns or "interval" in raw.frame.columns:
            continue  # the 'current' section (one row with an 'interval') is not a series
        names = [_split_header(c)[0] for c in raw.frame.columns]
        section = (raw.frame, scratch, start + 1)
        if _hourly_column(raw.frame.columns) is not None:
            hourly.append(section)
        elif any(name in names for name in _DAILY_NAMES.values()):
            daily.append(section)
    if not locations:
        return Readings(problems)
    regions = _assign_regions(locations, problems, ctx)
    if hourly:
        # minutely_15 and hourly sections share a header: prefer the coarser (hourly) one.
        frame, scratch, header_line = max(hourly, key=lambda item: _step_seconds(item[0]["time"]))
        problems.items.extend(scratch.items)
        column = _hourly_column(frame.columns)
        return Readings(problems, hourly=_csv_hourly(frame, header_line, locations, regions, problems),
                        column_names={"temperature_c": column, "time": "time"},
                        units=converted_units({"temperature_c": canonical_unit(_split_header(column)[1])}))
    if daily:
        frame, scratch, header_line = daily[0]
        problems.items.extend(scratch.items)
        by_name = {_split_header(c)[0]: c for c in frame.columns}
        names = {target: by_name[name] for target, name in _DAILY_NAMES.items() if name in by_name}
        return Readings(problems, daily=_csv_daily(frame, header_line, locations, regions, problems),
                        column_names=names,
                        units=converted_units({t: canonical_unit(_split_header(c)[1]) for t, c in names.items()}))
    problems.add("no_temperature", "no section with a 'temperature_2m' column (hourly, 15-minutely or "
                 "daily temperature_2m_min/_max/_mean); request temperature_2m from Open-Meteo")
    return Readings(problems)


def _hourly_column(columns) -> str | None:
    """The hourly temperature column: ``temperature_2m (unit)``, or a single model-specific one."""
    by_name = {_split_header(c)[0]: c for c in columns}
    if "temperature_2m" in by_name:
        return by_name["temperature_2m"]
    model = [c for n, c in by_name.items() if n.startswith("temperature_2m_")
             and not n.startswith(("temperature_2m_max", "temperature_2m_min", "temperature_2m_mean"))]
    return model[0] if len(model) == 1 else None


def _step_seconds(times: pd.Series) -> float:
    parsed = pd.to_datetime(times.head(2), format="ISO8601", errors="coerce")
    if len(parsed) < 2 or parsed.isna().any():
        return 0.0
    return float((parsed.iloc[1] - parsed.iloc[0]).total_seconds())


def _csv_locations(meta: pd.DataFrame, problems: FileProblems) -> dict[str, _Location]:
    columns = {c.strip().lower(): c for c in meta.columns}
    missing = [c for c in ("latitude", "longitude", "utc_offset_seconds") if c not in columns]
    if missing:
        problems.add("missing_column", f"the metadata line lacks {', '.join(missing)}", line=1)
        return {}
    lat = _numbers(meta[columns["latitude"]], "latitude", problems)
    lon = _numbers(meta[columns["longitude"]], "longitude", problems)
    offset = _numbers(meta[columns["utc_offset_seconds"]], "utc_offset_seconds", problems)
    keys = meta[columns["location_id"]].str.strip() if "location_id" in columns else pd.Series("", meta.index)
    found = {}
    for line in meta.index:
        if np.isnan(lat[line]) or np.isnan(lon[line]) or np.isnan(offset[line]):
            continue
        found[keys[line]] = _Location(keys[line], float(lat[line]), float(lon[line]), int(offset[line]), line=line)
    return found


def _assign_regions(locations: dict[str, _Location], problems: FileProblems,
                    ctx: ReadContext) -> dict[str, str]:
    regions = {}
    single = len(locations) == 1
    for key, loc in locations.items():
        # With several locations and a region asked for, keep only the locations near that region.
        pcode = assign_location(loc.lat, loc.lon, ctx.region if single else None, problems,
                                line=loc.line, where=loc.where, report=single or ctx.region is None)
        if pcode and (single or ctx.region is None or pcode == ctx.region):
            regions[key] = pcode
    if ctx.region and not single and not regions:
        problems.add("unknown_region", f"none of the {len(locations)} locations lies within 50 km of "
                     f"{ctx.region}'s reference point", line=1)
    return regions


def _local_to_kyiv(text: pd.Series, offset_s: pd.Series, problems: FileProblems, column: str,
                   where: pd.Series | None = None) -> pd.Series:
    """Open-Meteo times → Europe/Kyiv: ISO local clock times at a fixed offset, or UTC epoch seconds."""
    text = text.astype(str).str.strip()
    epoch = text.str.fullmatch(r"-?\d+")
    iso = pd.to_datetime(text.where(~epoch), format="ISO8601", errors="coerce")
    iso_utc = iso - pd.to_timedelta(offset_s.to_numpy(dtype=float), unit="s")
    from_epoch = pd.to_datetime(pd.to_numeric(text.where(epoch), errors="coerce"), unit="s")
    utc = iso_utc.where(~epoch, from_epoch).astype("datetime64[ns]")
    for pos in np.flatnonzero(utc.isna().to_numpy()):
        value = text.iloc[pos]
        loc = {"where": where.iloc[pos]} if where is not None else {"line": text.index[pos]}
        problems.add("not_a_time", f"'{value}' is not an ISO date-time or epoch seconds",
                     column=column, value=value, **loc)
    return utc.dt.tz_localize("UTC").dt.tz_convert(TIMEZONE)


def _local_dates(text: pd.Series, offset_s: pd.Series, problems: FileProblems, column: str,
                 where: pd.Series | None = None) -> pd.Series:
    """Daily Open-Meteo dates: ISO dates, or UTC epoch seconds shifted back by the offset."""
    text = text.astype(str).str.strip()
    epoch = text.str.fullmatch(r"-?\d+")
    if not epoch.any():
        if where is None:
            return parse_dates(text, column, problems)
        dates = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    else:
        seconds = pd.to_numeric(text.where(epoch), errors="coerce") + offset_s.to_numpy(dtype=float)
        from_epoch = pd.to_datetime(seconds, unit="s").dt.normalize()
        iso = pd.to_datetime(text.where(~epoch).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        dates = iso.where(~epoch, from_epoch)
    for pos in np.flatnonzero(dates.isna().to_numpy()):
        value = text.iloc[pos]
        loc = {"where": where.iloc[pos]} if where is not None else {"line": text.index[pos]}
        problems.add("not_a_date", f"'{value}' is not a date", column=column, value=value, **loc)
    return dates.astype("datetime64[ns]")


def _unit_or_problem(unit_text: str | None, column: str, problems: FileProblems, **loc) -> str | None:
    unit = canonical_unit(unit_text)
    if unit is None:
        said = "has no unit" if not unit_text else f"has the unit '{unit_text}', which is not K, °C or °F"
        problems.add("unit_unknown", f"unit unknown: the temperature column {said}", column=column,
                     value=unit_text, **loc)
    return unit


def _converted(values: pd.Series, unit: str, column: str, problems: FileProblems, **loc) -> pd.Series | None:
    conflict = declared_unit_conflict(values, unit)
    if conflict:
        problems.add("unit_mismatch", conflict, column=column, **loc)
        return None
    return to_celsius(values, unit)


def _csv_hourly(frame: pd.DataFrame, header_line: int, locations, regions,
                problems: FileProblems) -> pd.DataFrame | None:
    column = _hourly_column(frame.columns)
    unit = _unit_or_problem(_split_header(column)[1], column, problems, line=header_line)
    keys = frame["location_id"].str.strip() if "location_id" in frame else pd.Series("", frame.index)
    known = keys.isin(list(locations))
    keys = keys[known]
    frame = frame[known]
    offsets = keys.map({k: loc.offset_s for k, loc in locations.items()})
    times = _local_to_kyiv(frame["time"], offsets, problems, "time")
    values = _numbers(frame[column], column, problems)
    if unit is None:
        return None
    celsius = _converted(values, unit, column, problems, line=header_line)
    if celsius is None:
        return None
    sources = keys.map({k: f"Open-Meteo {loc.lat:.4f},{loc.lon:.4f} ({problems.file})" for k, loc in locations.items()})
    keep = keys.isin(list(regions))
    lines = pd.Series(frame.index, index=frame.index, dtype=float)
    return hourly_frame(pcode=keys[keep].map(regions), time=times[keep], temperature_c=celsius[keep],
                        quality=QUALITY, source=sources[keep], line=lines[keep])


def _csv_daily(frame: pd.DataFrame, header_line: int, locations, regions,
               problems: FileProblems) -> pd.DataFrame | None:
    by_name = {_split_header(c)[0]: c for c in frame.columns}
    keys = frame["location_id"].str.strip() if "location_id" in frame else pd.Series("", frame.index)
    known = keys.isin(list(locations))
    keys, frame = keys[known], frame[known]
    offsets = keys.map({k: loc.offset_s for k, loc in locations.items()})
    columns = {"date": _local_dates(frame["time"], offsets, problems, "time")}
    ok = True
    for target, name in _DAILY_NAMES.items():
        if name not in by_name:
            continue
        column = by_name[name]
        unit = _unit_or_problem(_split_header(column)[1], column, problems, line=header_line)
        values = _numbers(frame[column], column, problems)
        converted = None if unit is None else _converted(values, unit, column, problems, line=header_line)
        ok = ok and converted is not None
        columns[target] = converted
    if not ok:
        return None
    sources = keys.map({k: f"Open-Meteo {loc.lat:.4f},{loc.lon:.4f} ({problems.file})" for k, loc in locations.items()})
    keep = keys.isin(list(regions))
    columns = {k: v[keep] for k, v in columns.items()}
    lines = pd.Series(frame.index, index=frame.index, dtype=float)
    return daily_frame(pcode=keys[keep].map(regions), quality=QUALITY, source=sources[keep],
                       line=lines[keep], **columns)


def read_open_meteo_json(text: str, problems: FileProblems, ctx: ReadContext) -> Readings:
    try:
        data = loads_json(text)
    except json.JSONDecodeError as exc:
        problems.add("not_json", f"not valid JSON: {exc.msg}", line=exc.lineno)
        return Readings(problems)
    items = data if isinstance(data, list) else [data]
    hourly, daily = [], []
    for index, item in enumerate(items):
        prefix = f"[{index}]." if isinstance(data, list) else ""
        if not isinstance(item, dict):
            problems.add("not_open_meteo", "expected an Open-Meteo response object", where=prefix.rstrip(".") or "top level")
            continue
        if item.get("error"):
            problems.add("api_error", f"the file is an Open-Meteo error response: {item.get('reason', 'no reason given')}",
                         where=f"{prefix}reason")
            continue
        hourly_part, daily_part = _json_item(item, prefix, problems, ctx, single=len(items) == 1)
        if hourly_part is not None:
            hourly.append(hourly_part)
        if daily_part is not None:
            daily.append(daily_part)
    if hourly:
        return Readings(problems, hourly=pd.concat(hourly, ignore_index=True))
    if daily:
        return Readings(problems, daily=pd.concat(daily, ignore_index=True))
    if ctx.region and len(items) > 1 and not problems:
        problems.add("unknown_region", f"none of the {len(items)} locations lies within 50 km of "
                     f"{ctx.region}'s reference point", where="top level")
    elif not problems:
        problems.add("no_temperature", "no 'hourly', 'minutely_15' or 'daily' temperature_2m series; "
                     "request temperature_2m from Open-Meteo", where="top level")
    return Readings(problems)


def _json_item(item: dict, prefix: str, problems: FileProblems, ctx: ReadContext, *, single: bool):
    try:
        lat, lon = float(item["latitude"]), float(item["longitude"])
        offset = int(item.get("utc_offset_seconds", 0))
    except (KeyError, TypeError, ValueError):
        problems.add("missing_value", "latitude, longitude or utc_offset_seconds is missing or not a number",
                     where=f"{prefix}latitude")
        return None, None
    pcode = assign_location(lat, lon, ctx.region if single else None, problems, where=f"{prefix}latitude",
                            report=single or ctx.region is None)
    if pcode is None or (ctx.region and pcode != ctx.region):
        return None, None
    source = f"Open-Meteo {lat:.4f},{lon:.4f} ({problems.file})"
    for block in ("hourly", "minutely_15"):
        series = item.get(block)
        if isinstance(series, dict) and "temperature_2m" in series:
            return _json_hourly(item, block, prefix, pcode, offset, source, problems), None
    series = item.get("daily")
    if isinstance(series, dict) and any(name in series for name in _DAILY_NAMES.values()):
        return None, _json_daily(item, prefix, pcode, offset, source, problems)
    return None, None


def _json_values(item: dict, block: str, name: str, prefix: str, problems: FileProblems):
    raw = item[block][name]
    where = f"{prefix}{block}_units.{name}"
    unit = _unit_or_problem((item.get(f"{block}_units") or {}).get(name), f"{block}.{name}", problems, where=where)
    values = pd.Series([np.nan if v is None else v for v in raw], dtype=object)
    numbers = pd.to_numeric(values, errors="coerce")
    for pos in np.flatnonzero(numbers.isna() & values.notna()):
        problems.add("not_a_number", f"'{values.iloc[pos]}' is not a number", value=values.iloc[pos],
                     where=f"{prefix}{block}.{name}[{pos}]")
    if unit is None:
        return None
    return _converted(numbers.astype(float), unit, f"{block}.{name}", problems, where=where)


def _json_hourly(item, block, prefix, pcode, offset, source, problems) -> pd.DataFrame | None:
    times = pd.Series(item[block].get("time", []), dtype=object).astype(str)
    where = pd.Series([f"{prefix}{block}.temperature_2m[{i}]" for i in range(len(times))], dtype=object)
    values = _json_values(item, block, "temperature_2m", prefix, problems)
    if values is None:
        return None
    if len(values) != len(times):
        problems.add("length_mismatch", f"{block}.time has {len(times)} entries but "
                     f"{block}.temperature_2m has {len(values)}", where=f"{prefix}{block}")
        return None
    kyiv = _local_to_kyiv(times, pd.Series(offset, index=times.index), problems, f"{block}.time",
                          where=where.str.replace("temperature_2m", "time"))
    return hourly_frame(pcode=pcode, time=kyiv, temperature_c=values, quality=QUALITY, source=source,
                        where=where)


def _json_daily(item, prefix, pcode, offset, source, problems) -> pd.DataFrame | None:
    times = pd.Series(item["daily"].get("time", []), dtype=object).astype(str)
    where = pd.Series([f"{prefix}daily.time[{i}]" for i in range(len(times))], dtype=object)
    columns = {}
    for target, name in _DAILY_NAMES.items():
        if name in item["daily"]:
            values = _json_values(item, "daily", name, prefix, problems)
            if values is None:
                return None
            if len(values) != len(times):
                problems.add("length_mismatch", f"daily.time has {len(times)} entries but daily.{name} "
                             f"has {len(values)}", where=f"{prefix}daily")
                return None
            columns[target] = values
    dates = _local_dates(times, pd.Series(offset, index=times.index), problems, "daily.time", where=where)
    return daily_frame(pcode=pcode, date=dates, quality=QUALITY, source=source, where=where, **columns)
