"""NOAA GHCN-Daily station files: the by-station CSV and the fixed-width ``.dly`` file.

Both hold TMAX, TMIN and TAVG as integers in tenths of °C, −9999 missing, with a measurement, a
quality and a source flag per value (NOAA NCEI, GHCN-Daily ``readme.txt`` and
``readme-by_station.txt``, https://www.ncei.noaa.gov/pub/data/ghcn/daily/). A value with a
non-blank quality flag failed one of NOAA's checks and is dropped (the count is noted). Other
elements (PRCP, SNWD …) are ignored.

- **By-station CSV** (``by_station/UPM00033345.csv.gz``): no header;
  ``ID, YYYYMMDD, ELEMENT, VALUE, MFLAG, QFLAG, SFLAG, OBS-TIME``.
- **``.dly``** (``all/UPM00033345.dly``): one line per station, month and element, fixed width —
  ID columns 1–11, YEAR 12–15, MONTH 16–17, ELEMENT 18–21, then for each day 1 … 31 a VALUE of 5
  characters and the MFLAG, QFLAG and SFLAG characters (8 characters per day). Days a month does
  not have hold −9999.
"""

from __future__ import annotations

import re

import pandas as pd

from gridimpact.io.readers.cells import parse_numbers
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.readings import ReadContext, Readings, daily_frame, round_celsius
from gridimpact.io.readers.stations import station_region
from gridimpact.io.readers.tables import read_csv_text

_CSV_LINE = re.compile(r"^[A-Z]{2}[A-Z0-9]{9},\d{8},[A-Z0-9]{4},")
_DLY_LINE = re.compile(r"^([A-Z]{2}[A-Z0-9]{9})(\d{4})(\d{2})([A-Z0-9]{4})")
_CSV_COLUMNS = ["id", "date", "element", "value", "mflag", "qflag", "sflag", "obs_time"]
ELEMENTS = {"TMIN": "tmin_c", "TMAX": "tmax_c", "TAVG": "tmean_c"}
GHCN_MISSING = -9999
GHCN_SCALE = 0.1
"""GHCN-Daily temperatures are integers in tenths of °C (NOAA readme.txt)."""
DLY_HEAD = 21
DLY_DAY_WIDTH = 8
DLY_DAYS = 31
MAX_LINE_PROBLEMS = 20
"""Malformed .dly lines reported one by one before the rest are counted."""


def looks_like_ghcn(text: str) -> bool:
    """A by-station CSV: the first line starts ``ID,YYYYMMDD,ELEMENT,``."""
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    return bool(_CSV_LINE.match(first))


def looks_like_ghcn_dly(text: str) -> bool:
    """A ``.dly`` file: the first line is ID, year, month, element, then a 5-character value."""
    first = text.lstrip("\ufeff").lstrip("\r\n").split("\n", 1)[0]
    return bool(_DLY_LINE.match(first)) and len(first.rstrip()) >= DLY_HEAD + 5


def read_ghcn(text: str, problems: FileProblems, ctx: ReadContext) -> Readings:
    """A by-station CSV → daily readings."""
    raw = read_csv_text(text, problems, header=False, names=_CSV_COLUMNS)
    if raw is None:
        return Readings(problems)
    frame = raw.frame[["id", "date", "element", "value", "qflag"]]
    return _readings(frame.apply(lambda column: column.str.strip()), problems, ctx, date_column="YYYYMMDD")


def read_ghcn_dly(text: str, problems: FileProblems, ctx: ReadContext) -> Readings:
    """A fixed-width ``.dly`` file → daily readings (one record per day of each month line)."""
    records: list[tuple] = []
    bad = 0
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        match = _DLY_LINE.match(line)
        if match is None:
            bad += 1
            if bad <= MAX_LINE_PROBLEMS:
                problems.add("bad_record", "not a GHCN-Daily .dly record (ID, YEAR, MONTH, ELEMENT, then "
                             "31 × value and flags, fixed width)", line=number, value=line[:30])
            continue
        station, year, month, element = match.groups()
        if element not in ELEMENTS:
            continue
        body = line[DLY_HEAD:].ljust(DLY_DAYS * DLY_DAY_WIDTH)
        for day in range(DLY_DAYS):
            cell = body[day * DLY_DAY_WIDTH:(day + 1) * DLY_DAY_WIDTH]
            value = cell[:5].strip()
            if value in ("", str(GHCN_MISSING)):
                continue
            records.append((number, station, f"{year}{month}{day + 1:02d}", element, value, cell[6].strip()))
    if bad > MAX_LINE_PROBLEMS:
        problems.add("bad_record", f"… and {bad - MAX_LINE_PROBLEMS} more lines that are not .dly records")
    if problems:
        return Readings(problems)
    frame = pd.DataFrame([r[1:] for r in records], columns=["id", "date", "element", "value", "qflag"],
                         index=pd.Index([r[0] for r in records], name="line"), dtype=object)
    return _readings(frame, problems, ctx, date_column="YEAR/MONTH/day")


def _readings(frame: pd.DataFrame, problems: FileProblems, ctx: ReadContext, *, date_column: str) -> Readings:
    """Records (id, date YYYYMMDD, element, value in tenths, qflag; index = line) → daily readings."""
    frame = frame[frame["element"].isin(list(ELEMENTS))]
    if frame.empty:
        problems.add("no_temperature", "no TMIN, TMAX or TAVG records in the file")
        return Readings(problems)
    values = parse_numbers(frame["value"], "VALUE", problems, decimal_comma=False, required=True)
    dates = pd.to_datetime(frame["date"], format="%Y%m%d", errors="coerce")
    for line, value in frame["date"][dates.isna()].items():
        problems.add("not_a_date", f"'{value}' is not a date of the form YYYYMMDD", line=line,
                     column=date_column, value=value)
    flagged = frame["qflag"] != ""
    if flagged.any():
        counts = frame.loc[flagged, "element"].value_counts().sort_index()
        detail = ", ".join(f"{n} {element}" for element, n in counts.items())
        problems.note(f"{problems.file}: {int(flagged.sum())} value(s) with a NOAA quality flag (QFLAG) "
                      f"were dropped ({detail})")
    keep = ~flagged & (values != GHCN_MISSING) & values.notna() & dates.notna()
    records = pd.DataFrame({
        "id": frame["id"], "date": dates, "element": frame["element"],
        "value_c": values * GHCN_SCALE, "line": frame.index.astype(float),
    })[keep]
    duplicated = records.duplicated(["id", "date", "element"], keep="first")
    for line in records["line"][duplicated].head(MAX_LINE_PROBLEMS):
        problems.add("duplicate", "the same station, date and element appear more than once", line=int(line),
                     column="ELEMENT")
    records = records[~duplicated]
    wide = records.pivot(index=["id", "date"], columns="element", values="value_c")
    lines = records.groupby(["id", "date"])["line"].min()
    wide = wide.reindex(columns=list(ELEMENTS)).rename(columns=ELEMENTS).reset_index()
    regions = {}
    for station_id in wide["id"].unique():
        first_line = int(records.loc[records["id"] == station_id, "line"].min())
        pcode = station_region(problems, ctx, [station_id], "GHCN-Daily",
                                origin=f"the station id {station_id}", line=first_line)
        if pcode:
            regions[station_id] = pcode
    wide = wide[wide["id"].isin(list(regions))]
    return Readings(problems, daily=daily_frame(
        pcode=wide["id"].map(regions), date=wide["date"], tmin_c=round_celsius(wide["tmin_c"]),
        tmax_c=round_celsius(wide["tmax_c"]), tmean_c=round_celsius(wide["tmean_c"]), quality="observed",
        source="GHCN-Daily " + wide["id"] + f" ({problems.file})",
        line=lines.reindex(pd.MultiIndex.from_frame(wide[["id", "date"]])).to_numpy(),
    ))
