"""Subqueue outage schedules: the table analysts type, and the parts every outage reader shares.

A schedule row says that one subqueue (1.1 … 6.2) of a region is, or may be, without power from
``start`` to ``end`` (``schemas.OutageSchedule``, Europe/Kyiv time). Analysts type schedules as a
table of dates and clock times; the operators' own formats are read by ``io.operators``.

Clock times are local wall-clock times, placed on the time line as ``io.cells.parse_times`` does (a
repeated autumn hour is the first one, a skipped spring hour moves forward), so an interval that
falls entirely in the skipped hour disappears.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from gridimpact.io.readers.cells import parse_choice, parse_dates, parse_regions, parse_times
from gridimpact.io.readers.problems import FileProblems, validate_frame
from gridimpact.io.readers.tables import RawTable, pick_columns
from gridimpact.regions import Registry, UnknownRegionError, default_registry, normalise
from gridimpact.vocab import TIMEZONE

SCHEDULE_COLUMNS = ("pcode", "subqueue", "start", "end", "certainty", "source")

REGION_ALIASES = ("pcode", "adm1_pcode", "adm1_name", "admin1", "region_name", "oblast", "область",
                  "регіон", "регион", "oblast_name", "p-code")
SUBQUEUE_ALIASES = ("sub_queue", "queue", "queue_group", "outage_group", "group", "gpv", "гпв",
                    "підчерга", "черга", "група", "подочередь", "очередь", "группа")
SOURCE_ALIASES = ("url", "link", "reference", "джерело", "посилання", "источник", "ссылка")

_CLOCK_LAYOUT = {
    "region": REGION_ALIASES,
    "date": ("day", "дата", "день"),
    "subqueue": SUBQUEUE_ALIASES,
    "off_from": ("from", "start", "off_start", "time_from", "з", "від", "початок", "с", "начало"),
    "off_to": ("to", "end", "off_end", "time_to", "до", "по", "кінець", "конец"),
    "certainty": ("status", "type", "достовірність", "тип", "достоверность"),
    "source": SOURCE_ALIASES,
}
_STAMP_LAYOUT = {
    "region": REGION_ALIASES,
    "subqueue": SUBQUEUE_ALIASES,
    "start": ("start_time", "from", "begin", "початок", "начало"),
    "end": ("end_time", "to", "until", "кінець", "конец"),
    "certainty": _CLOCK_LAYOUT["certainty"],
    "source": SOURCE_ALIASES,
}

SCHEDULE_ALIASES = {**_CLOCK_LAYOUT, **_STAMP_LAYOUT}
"""Every column a schedule table may have, by either layout (for telling which sheet holds one)."""

CERTAINTY_SYNONYMS = {
    **dict.fromkeys(("definite", "certain", "confirmed", "yes", "так", "точно", "definite_outage",
                     "планове", "точно буде", "да"), "definite"),
    **dict.fromkeys(("possible", "maybe", "probable", "можливо", "можливе", "possible_outage",
                     "возможно", "возможное"), "possible"),
}


_SUBQUEUE_WORDS = re.compile(r"subqueue|sub-queue|queue|group|gpv|гпв|підчерга|черга|група|"
                             r"подочередь|очередь|группа|№|#")
_SUBQUEUE = r"^([1-6])\s*[.,]\s*([12])$"
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")


# --- shared by every outage reader -------------------------------------------------------------

def validate_located(model, frame: pd.DataFrame, problems: FileProblems, *,
                     columns: dict[str, str] | None = None,
                     where: list[str] | None = None) -> pd.DataFrame | None:
    """Validate ``frame`` with a pandera ``model`` and report failures in the file's own terms.

    ``columns`` maps canonical names to the file's column names. ``where`` gives a key path per row
    position for formats without lines (the frame's index is then ignored). The readers check every
    cell themselves, so a schema failure on a row they already reported is a consequence (an empty
    end because the date was unreadable) and is dropped: one mistake is reported once.
    """
    columns = columns or {}
    if where is not None:
        frame = frame.reset_index(drop=True)
    scratch = FileProblems(problems.file, problems.line_label)
    valid = validate_frame(model, frame, scratch)
    reported = {(p.line, p.where) for p in problems.items}
    for problem in scratch.items:
        line, place = problem.line, problem.where
        if where is not None and line is not None:
            line, place = None, where[line]
        if (line, place) in reported:
            continue
        column = columns.get(problem.column, problem.column)
        problems.items.append(replace(problem, line=line, where=place, column=column))
    return valid


def has_column(raw: RawTable, canonical: str, aliases: tuple[str, ...]) -> bool:
    names = {normalise(c) for c in raw.frame.columns}
    return any(normalise(n) in names for n in (canonical, *aliases))


def is_schedule_table(raw: RawTable) -> bool:
    """A table with a subqueue column holds a subqueue schedule; otherwise outage reports."""
    return has_column(raw, "subqueue", SUBQUEUE_ALIASES)


def note_unused_columns(raw: RawTable, found: dict[str, str]) -> None:
    used = set(found.values())
    unused = [str(c) for c in raw.frame.columns if c not in used]
    if unused:
        raw.problems.note(f"{raw.problems.file}: columns not used: {', '.join(unused)}")


def caller_region(region: str | None, problems: FileProblems,
                  registry: Registry | None = None) -> str | None:
    """The p-code of the region the caller named (``region=``, ``--region``), or None."""
    if region is None:
        return None
    try:
        return (registry or default_registry()).resolve(region).pcode
    except UnknownRegionError as exc:
        hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
        problems.add("unknown_region", f"the region given as region= / --region, '{region}', is not "
                     f"a known region{hint}", where="region argument", value=region)
        return None


def regions_for_rows(raw: RawTable, found: dict[str, str], region: str | None,
                     registry: Registry | None = None) -> pd.Series:
    """Each row's p-code: from the file's region column, else the caller's ``region``.

    Rows whose region could not be read hold None (a problem says why).
    """
    index = raw.frame.index
    if "region" in found:
        return parse_regions(raw.frame[found["region"]], found["region"], raw.problems, registry)
    if region is None:
        raw.problems.add("no_region", "the file has no region column (region, pcode, oblast, область "
                         "…) and no region was given: add the column or pass --region (region= in "
                         "Python)", line=1)
        return pd.Series(None, index=index, dtype=object)
    return pd.Series(caller_region(region, raw.problems, registry), index=index, dtype=object)


def blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str).str.strip() == "")


def report_blanks(series: pd.Series, column: str, problems: FileProblems, what: str) -> pd.Series:
    """Record a missing-value problem for each empty cell; return the mask of empty cells."""
    empty = blank(series)
    for line in series.index[empty]:
        problems.add("missing_value", f"is empty but {what} is required", line=line, column=column)
    return empty


def choose_region(region: str | None, problems: FileProblems, *, detected: tuple[str, str] | None,
                  what: str) -> str | None:
    """The caller's region, else the one the file names (with a note), else a no_region problem."""
    registry = default_registry()
    if region is not None:
        pcode = caller_region(region, problems)
        if pcode and detected and detected[0] != pcode:
            problems.note(f"{problems.file}: read as {pcode} as requested, although {detected[1]} "
                          f"points to {detected[0]} ({registry.name(detected[0])})")
        return pcode
    if detected:
        problems.note(f"{problems.file}: region {detected[0]} ({registry.name(detected[0])}) taken "
                      f"from {detected[1]}")
        return detected[0]
    problems.add("no_region", f"the {what} does not say which region it covers: pass --region "
                 "(region= in Python)")
    return None


def local_times(naive: pd.Series) -> pd.Series:
    """Kyiv wall-clock times → zone-aware times, with the conventions of ``io.cells.parse_times``."""
    return naive.dt.tz_localize(TIMEZONE, ambiguous=np.ones(len(naive), dtype=bool),
                                nonexistent="shift_forward")


def empty_schedule_table() -> pd.DataFrame:
    from gridimpact.schemas import OutageSchedule

    return OutageSchedule.validate(pd.DataFrame({c: [] for c in SCHEDULE_COLUMNS}))


def sort_schedules(frame: pd.DataFrame) -> pd.DataFrame:
    order = ["pcode", "start", "subqueue", "end", "certainty", "source"]
    return frame.sort_values(order, kind="stable", na_position="last").reset_index(drop=True)


# --- the schedule table ------------------------------------------------------------------------

def parse_subqueues(series: pd.Series, column: str, problems: FileProblems) -> pd.Series:
    """Text → "1.1" … "6.2"; accepts "GPV1.1", "черга 1.1", "Queue 1.1" and "1,1"."""
    text = series.astype(str).str.strip()
    core = text.str.casefold().str.replace(_SUBQUEUE_WORDS, "", regex=True).str.strip()
    parts = core.str.extract(_SUBQUEUE)
    result = (parts[0] + "." + parts[1]).where(parts[0].notna())
    for line, value in text[result.isna() & ~blank(series)].items():
        problems.add("not_a_subqueue", f"'{value}' is not a subqueue: write 1.1 … 6.2 (GPV3.1 or "
                     "'черга 3.1' also work)", line=line, column=column, value=value)
    return result


def parse_clock(series: pd.Series, column: str, problems: FileProblems, *,
                end_of_day: bool) -> pd.Series:
    """Text "HH:MM" → minutes after midnight; "24:00" only where ``end_of_day``."""
    text = series.astype(str).str.strip()
    parts = text.str.extract(_CLOCK).astype(float)
    minutes = parts[0] * 60 + parts[1]
    ok = parts[0].le(23) & parts[1].le(59) & (parts[2].isna() | parts[2].le(59))
    if end_of_day:
        ok |= minutes.eq(24 * 60) & parts[2].fillna(0).eq(0)
    bad = ~ok & ~blank(series)
    latest = "24:00" if end_of_day else "23:59"
    for line, value in text[bad].items():
        problems.add("not_a_clock_time", f"'{value}' is not a time of day (use HH:MM, 00:00–{latest})",
                     line=line, column=column, value=value)
    return minutes.where(ok)


def parse_certainty(series: pd.Series, column: str, problems: FileProblems) -> pd.Series:
    """Text → definite | possible; an empty cell means definite."""
    empty = blank(series)
    result = pd.Series("definite", index=series.index, dtype=object)
    if (~empty).any():
        result[~empty] = parse_choice(series[~empty], column, problems, CERTAINTY_SYNONYMS)
    return result


def read_schedule_table(raw: RawTable, *, region: str | None = None,
                        registry: Registry | None = None) -> pd.DataFrame | None:
    """A subqueue schedule table → ``schemas.OutageSchedule`` rows, or None if it has problems.

    Two layouts: ``date`` + ``off_from``/``off_to`` clock times (``off_to`` ≤ ``off_from`` crosses
    midnight; ``24:00`` ends the day), or full ``start``/``end`` timestamps. Rows are kept as typed.
    """
    problems = raw.problems
    clock = has_column(raw, "date", _CLOCK_LAYOUT["date"])
    layout = _CLOCK_LAYOUT if clock else _STAMP_LAYOUT
    required = ("date", "subqueue", "off_from", "off_to") if clock else ("subqueue", "start", "end")
    found = pick_columns(raw, layout, required)
    if found is None:
        return None
    note_unused_columns(raw, found)
    frame = raw.frame
    pcode = regions_for_rows(raw, found, region, registry)
    subqueue = parse_subqueues(frame[found["subqueue"]], found["subqueue"], problems)
    report_blanks(frame[found["subqueue"]], found["subqueue"], problems, "a subqueue")
    if clock:
        start, end = _clock_interval(frame, found, problems)
        problems.note(f"{problems.file}: clock times in columns '{found['off_from']}' and "
                      f"'{found['off_to']}' were read as Kyiv local time ({TIMEZONE})")
    else:
        start = parse_times(frame[found["start"]], found["start"], problems)
        end = parse_times(frame[found["end"]], found["end"], problems)
    certainty = (parse_certainty(frame[found["certainty"]], found["certainty"], problems)
                 if "certainty" in found else pd.Series("definite", index=frame.index))
    source = (frame[found["source"]].where(~blank(frame[found["source"]]))
              if "source" in found else pd.Series(None, index=frame.index, dtype=object))
    table = pd.DataFrame({
        # A placeholder keeps rows with an already-reported region checkable by the other rules.
        "pcode": pcode.fillna("UA00"), "subqueue": subqueue, "start": start, "end": end,
        "certainty": certainty, "source": source,
    })
    columns = {"pcode": found.get("region", "region"), "subqueue": found["subqueue"],
               "start": found.get("start", found.get("off_from")),
               "end": found.get("end", found.get("off_to")),
               "certainty": found.get("certainty", "certainty"), "source": found.get("source")}
    from gridimpact.schemas import OutageSchedule

    valid = validate_located(OutageSchedule, table, problems, columns=columns)
    if valid is None or problems:
        return None
    return sort_schedules(valid)


def _clock_interval(frame: pd.DataFrame, found: dict[str, str],
                    problems: FileProblems) -> tuple[pd.Series, pd.Series]:
    date_col, from_col, to_col = found["date"], found["off_from"], found["off_to"]
    empty = report_blanks(frame[date_col], date_col, problems, "a date")
    day = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    if (~empty).any():
        day[~empty] = parse_dates(frame.loc[~empty, date_col], date_col, problems)
    report_blanks(frame[from_col], from_col, problems, "a time")
    report_blanks(frame[to_col], to_col, problems, "a time")
    off_from = parse_clock(frame[from_col], from_col, problems, end_of_day=False)
    off_to = parse_clock(frame[to_col], to_col, problems, end_of_day=True)
    # An end at or before the start is on the next day: 22:00–02:00 crosses midnight.
    off_to = off_to.where(off_to > off_from, off_to + 24 * 60)
    start = local_times(day + pd.to_timedelta(off_from, unit="min"))
    end = local_times(day + pd.to_timedelta(off_to, unit="min"))
    return start, end


def merge_touching(frame: pd.DataFrame) -> pd.DataFrame:
    """Join intervals of one region, subqueue and certainty that touch or overlap into one."""
    keys = ["pcode", "subqueue", "certainty"]
    frame = frame.sort_values(keys + ["start"], kind="stable").reset_index(drop=True)
    same_key = frame[keys].eq(frame[keys].shift()).all(axis=1)
    reach = frame.groupby(keys, sort=False)["end"].cummax().shift()
    block = (~same_key | (frame["start"] > reach)).cumsum()
    grouped = frame.groupby(block, sort=False)
    merged = grouped.first()
    merged["end"] = grouped["end"].max()
    return merged.reset_index(drop=True)

