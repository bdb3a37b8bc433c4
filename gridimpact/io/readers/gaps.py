"""The hourly gap policy shared by every temperature source: hours two files both give, and gaps.

An hour given by two files is a ``duplicate`` problem, once per pair of files and region. A run of
missing hours up to ``max_gap_hours`` long is filled by linear interpolation (quality
``interpolated``, with a note); a longer run is a ``gap_too_long`` problem naming its first and last
hour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.readings import HOURLY_COLUMNS, round_celsius
from gridimpact.regions import default_registry
from gridimpact.vocab import TIMEZONE


def _locate(row) -> dict:
    # row["where"], not row.where: on a pandas row the attribute is the Series.where method.
    return {"line": int(row["line"])} if pd.notna(row["line"]) else {"where": row["where"]}


def _stamp(time: pd.Timestamp) -> str:
    return time.tz_convert(TIMEZONE).isoformat(sep=" ", timespec="minutes")


def drop_cross_file_duplicates(combined: pd.DataFrame, by_file: dict[str, FileProblems]) -> pd.DataFrame:
    """Report hours that two files both give, once per pair of files and region."""
    if combined.empty:
        return combined
    repeated = combined.duplicated(["pcode", "time"], keep="first")
    if not repeated.any():
        return combined
    first = combined[~repeated].set_index(["pcode", "time"])
    clashes = combined[repeated].join(first[["file", "line", "where"]].add_suffix("_first"), on=["pcode", "time"])
    for (file, other, pcode), group in clashes.groupby(["file", "file_first", "pcode"], sort=True):
        row = group.iloc[0]
        more = f" (and {len(group) - 1} more hour(s))" if len(group) > 1 else ""
        at = f"line {int(row.line_first)}" if pd.notna(row.line_first) else row.where_first
        by_file[file].add("duplicate", f"region {pcode} at {_stamp(row.time)} is also given by {other} "
                          f"({at}){more}", column="time", **_locate(row))
    return combined[~repeated]


def fill_gaps(combined: pd.DataFrame, by_file: dict[str, FileProblems], max_gap_hours: int) -> pd.DataFrame:
    """Interpolated rows for short gaps; a problem for each gap longer than ``max_gap_hours``."""
    if combined.empty:
        return pd.DataFrame(columns=[*HOURLY_COLUMNS, "file"])
    frame = combined.sort_values(["pcode", "time"], kind="stable").reset_index(drop=True)
    hours = frame["time"].dt.tz_convert("UTC").dt.as_unit("s").astype("int64").to_numpy() // 3600
    same_region = frame["pcode"].to_numpy()[:-1] == frame["pcode"].to_numpy()[1:]
    missing = np.where(same_region, np.diff(hours) - 1, 0)
    registry = default_registry()
    for pos in np.flatnonzero(missing > max_gap_hours):
        before, after = frame.iloc[pos], frame.iloc[pos + 1]
        name = registry.name(before.pcode)
        by_file[before.file].add(
            "gap_too_long",
            f"{name} ({before.pcode}) has no temperature for {int(missing[pos])} h, from after "
            f"{_stamp(before.time)} to {_stamp(after.time)}; gaps of up to {max_gap_hours} h are filled "
            "by linear interpolation (raise max_gap_hours / --max-gap, or add the missing hours)",
            column="time", value=f"{int(missing[pos])} h",
            **({"line": int(before.line)} if pd.notna(before.line)
               else {"where": before["where"] or f"region {before.pcode} at {_stamp(before.time)}"}),
        )
    short = np.flatnonzero((missing > 0) & (missing <= max_gap_hours))
    if short.size == 0:
        return pd.DataFrame(columns=[*HOURLY_COLUMNS, "file"])
    counts = missing[short]
    start = np.repeat(short, counts)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    fraction = step / np.repeat(counts + 1, counts)
    values = frame["temperature_c"].to_numpy(dtype=float)
    filled = values[start] + (values[start + 1] - values[start]) * fraction
    utc = frame["time"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    times = utc[start] + step.astype("timedelta64[h]")
    fills = pd.DataFrame({
        "pcode": frame["pcode"].to_numpy()[start],
        "time": pd.DatetimeIndex(times).tz_localize("UTC").tz_convert(TIMEZONE),
        "temperature_c": round_celsius(filled), "quality": "interpolated",
        "source": frame["source"].to_numpy()[start], "line": np.nan, "where": None,
        "file": frame["file"].to_numpy()[start],
    })
    for file, group in pd.Series(counts, index=frame["file"].to_numpy()[short]).groupby(level=0):
        by_file[file].note(f"{file}: {int(group.sum())} missing hour(s) in {len(group)} gap(s) filled by "
                           "linear interpolation (quality 'interpolated')")
    return fills

