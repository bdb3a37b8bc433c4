"""Tidy temperature tables (CSV, Excel, Parquet or a DataFrame): hourly values or daily extremes.

Hourly: a region column (``pcode``, ``region``, ``oblast`` …), a time column (``time``,
``datetime``, ``timestamp`` …) and one temperature column that says its unit — ``temperature_c``,
``temperature_k``, ``temperature_f``, ``temperature (°C)`` — or a bare ``temperature`` beside a
``unit`` column. Daily: a region column, a ``date`` column and any of ``tmin_c``, ``tmax_c``,
``tmean_c`` (same unit rules, e.g. ``tmin_k`` or ``tmin`` with ``unit``). Both may add ``quality``
(default ``observed``) and ``source`` (default the file name). Without a region column the caller's
region applies. Naive times are Kyiv local time.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gridimpact.io.readers.cells import parse_dates, parse_numbers, parse_regions, parse_times
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.raw_table import cell_text
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
from gridimpact.io.readers.tables import RawTable
from gridimpact.regions import normalise

REGION_NAMES = ("pcode", "adm1_pcode", "admin1pcode", "region", "region_name", "oblast", "adm1_name",
                "adm1_en", "area")
TIME_NAMES = ("time", "datetime", "date_time", "timestamp", "valid_time", "date")
DATE_NAMES = ("date", "day", "time")
UNIT_NAMES = ("unit", "units", "temperature_unit")
HOURLY_STEMS = ("temperature", "temp", "t2m", "tas", "air_temperature", "temperature_2m",
                "outdoor_temperature")
DAILY_STEMS = {
    "tmin_c": ("tmin", "temperature_min", "min_temperature", "t_min", "temperature_2m_min"),
    "tmax_c": ("tmax", "temperature_max", "max_temperature", "t_max", "temperature_2m_max"),
    "tmean_c": ("tmean", "tavg", "temperature_mean", "mean_temperature", "t_mean", "temperature_2m_mean"),
}
_HEADER = re.compile(
    r"^(?P<stem>.+?)(?:\s*[(\[](?P<bracket>[^)\]]*)[)\]]"
    r"|_(?P<suffix>c|k|f|degc|degk|degf|celsius|kelvin|fahrenheit))?\s*$",
    re.IGNORECASE,
)
_NO_UNIT = object()


def _declared(column: str, stems: tuple[str, ...]):
    """The unit text a temperature header declares, ``_NO_UNIT`` if none; None if not a temperature header."""
    match = _HEADER.match(column.strip())
    if not match:
        return None
    stem = re.sub(r"\s+", "_", match["stem"].strip().lower())
    if stem not in stems:
        return None
    unit = match["bracket"] if match["bracket"] is not None else match["suffix"]
    return _NO_UNIT if unit is None else unit.strip()


def _find(columns, names: tuple[str, ...]) -> str | None:
    wanted = [normalise(n) for n in names]
    by_key = {normalise(c): c for c in columns}
    return next((by_key[key] for key in wanted if key in by_key), None)


def read_dataframe(frame: pd.DataFrame, ctx: ReadContext) -> Readings:
    """A tidy DataFrame (hourly or daily canonical columns) read like a file; rows are numbered from 1."""
    problems = FileProblems("<DataFrame>", line_label="row")
    text = frame.reset_index(drop=True).astype(object).map(cell_text)
    text.columns = [str(c).strip() for c in frame.columns]
    text.index = pd.Index(range(1, len(text) + 1), name="line")
    if text.empty:
        problems.add("no_rows", "the DataFrame has no rows")
        return Readings(problems)
    return read_raw(RawTable(frame=text, problems=problems), problems, ctx)


def read_raw(raw: RawTable | None, problems: FileProblems, ctx: ReadContext) -> Readings:
    """Readings from a tidy table already read as text cells."""
    if raw is None:
        return Readings(problems)
    columns = list(raw.frame.columns)
    daily = {target: (c, unit) for c in columns for target, stems in DAILY_STEMS.items()
             if (unit := _declared(c, stems)) is not None}
    hourly = [(c, unit) for c in columns if (unit := _declared(c, HOURLY_STEMS)) is not None]
    if daily:
        return _read_daily(raw, daily, ctx)
    if len(hourly) > 1:
        problems.add("ambiguous_column", f"several temperature columns ({', '.join(c for c, _ in hourly)}); "
                     "keep one per file", line=raw.header_line, column=hourly[1][0])
        return Readings(problems)
    if hourly:
        return _read_hourly(raw, *hourly[0], ctx)
    problems.add("missing_column", "no temperature column: expected an hourly 'temperature_c' (or _k, _f) "
                 f"or daily 'tmin_c', 'tmax_c', 'tmean_c'; the file has: {', '.join(columns)}",
                 line=raw.header_line, column="temperature_c")
    return Readings(problems)


def _regions(raw: RawTable, ctx: ReadContext) -> tuple[pd.Series | None, str | None]:
    column = _find(raw.frame.columns, REGION_NAMES)
    if column is not None:
        return parse_regions(raw.frame[column], column, raw.problems), column
    if ctx.region:
        return pd.Series(ctx.region, index=raw.frame.index), None
    raw.problems.add("no_region", "no region column (pcode, region, oblast …) and no region given; add a "
                     "column or pass the region (--region / region=)", line=raw.header_line, column="pcode")
    return None, None


def _celsius(raw: RawTable, column: str, declared, unit_column: str | None) -> tuple[pd.Series | None, str | None]:
    """The column's values in °C, converted from the unit its name or the unit column declares, and
    that unit when one holds for the whole column (None for a unit column that mixes units)."""
    problems = raw.problems
    values = parse_numbers(raw.frame[column], column, problems, decimal_comma=raw.decimal_comma)
    if declared is not _NO_UNIT:
        unit = canonical_unit(declared)
        if unit is None:
            problems.add("unit_unknown", f"unit unknown: '{declared}' is not K, °C or °F", line=raw.header_line,
                         column=column, value=declared)
            return None, None
        conflict = declared_unit_conflict(values, unit)
        if conflict:
            problems.add("unit_mismatch", conflict, line=raw.header_line, column=column)
            return None, None
        return to_celsius(values, unit), unit
    if unit_column is None:
        problems.add("unit_unknown", f"unit unknown: column '{column}' does not say its unit; name it "
                     f"{column}_c, {column}_k or {column}_f, or add a 'unit' column", line=raw.header_line, column=column)
        return None, None
    texts = raw.frame[unit_column].astype(str).str.strip()
    units = texts.map(canonical_unit)
    ok = True
    for text in texts[units.isna()].unique():
        lines = texts.index[texts == text]
        more = f" (and {len(lines) - 1} more line(s))" if len(lines) > 1 else ""
        message = ("unit unknown: the unit is empty" if not text
                   else f"unit unknown: '{text}' is not K, °C or °F") + more
        problems.add("unit_unknown", message, line=lines[0], column=unit_column, value=text or None)
        ok = False
    result = pd.Series(np.nan, index=values.index)
    for unit in units.dropna().unique():
        mask = units == unit
        conflict = declared_unit_conflict(values[mask], unit)
        if conflict:
            problems.add("unit_mismatch", conflict, line=mask[mask].index[0], column=unit_column)
            ok = False
            continue
        result[mask] = to_celsius(values[mask], unit)
    only = units.dropna().unique()
    return (result, only[0] if len(only) == 1 and not units.isna().any() else None) if ok else (None, None)


def _quality_and_source(raw: RawTable) -> tuple[pd.Series, pd.Series, dict[str, str]]:
    names = {}
    quality = pd.Series("observed", index=raw.frame.index, dtype=object)
    source = pd.Series(raw.problems.file, index=raw.frame.index, dtype=object)
    if column := _find(raw.frame.columns, ("quality",)):
        text = raw.frame[column].astype(str).str.strip().str.lower()
        quality = text.where(text != "", "observed")
        names["quality"] = column
    if column := _find(raw.frame.columns, ("source",)):
        text = raw.frame[column].astype(str).str.strip()
        source = text.where(text != "", raw.problems.file)
        names["source"] = column
    return quality, source, names


def _read_hourly(raw: RawTable, column: str, declared, ctx: ReadContext) -> Readings:
    problems = raw.problems
    pcodes, region_column = _regions(raw, ctx)
    time_column = _find(raw.frame.columns, TIME_NAMES)
    if time_column is None:
        problems.add("missing_column", "no time column (time, datetime or timestamp); the file has: "
                     f"{', '.join(raw.frame.columns)}", line=raw.header_line, column="time")
    times = None if time_column is None else parse_times(raw.frame[time_column], time_column, problems)
    celsius, unit = _celsius(raw, column, declared, _find(raw.frame.columns, UNIT_NAMES))
    if pcodes is None or times is None or celsius is None:
        return Readings(problems)
    quality, source, names = _quality_and_source(raw)
    names.update({"pcode": region_column or "pcode", "time": time_column, "temperature_c": column})
    return Readings(problems, column_names=names, units=converted_units({"temperature_c": unit}), hourly=hourly_frame(
        pcode=pcodes, time=times, temperature_c=celsius, quality=quality, source=source,
        line=pd.Series(raw.frame.index, index=raw.frame.index, dtype=float)))


def _read_daily(raw: RawTable, columns: dict[str, tuple[str, object]], ctx: ReadContext) -> Readings:
    problems = raw.problems
    pcodes, region_column = _regions(raw, ctx)
    date_column = _find(raw.frame.columns, DATE_NAMES)
    if date_column is None:
        problems.add("missing_column", f"no date column; the file has: {', '.join(raw.frame.columns)}",
                     line=raw.header_line, column="date")
    dates = None if date_column is None else parse_dates(raw.frame[date_column], date_column, problems)
    unit_column = _find(raw.frame.columns, UNIT_NAMES)
    read = {target: _celsius(raw, column, declared, unit_column) for target, (column, declared) in columns.items()}
    values = {target: celsius for target, (celsius, _) in read.items()}
    if pcodes is None or dates is None or any(v is None for v in values.values()):
        return Readings(problems)
    quality, source, names = _quality_and_source(raw)
    names.update({"pcode": region_column or "pcode", "date": date_column})
    names.update({target: column for target, (column, _) in columns.items()})
    units = converted_units({target: unit for target, (_, unit) in read.items()})
    return Readings(problems, column_names=names, units=units, daily=daily_frame(
        pcode=pcodes, date=dates, quality=quality, source=source,
        line=pd.Series(raw.frame.index, index=raw.frame.index, dtype=float), **values))
