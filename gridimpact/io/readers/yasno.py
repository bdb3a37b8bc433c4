"""Yasno planned outages (JSON API answer), read into schedule rows or group-share reports.

Shape: ``{"1.1": {"today": {"date": …, "status": …, "slots": [{"start": minutes, "end": minutes,
"type": "Definite"}]}, "tomorrow": {…}, "updatedOn": …}, …}``; docs/inputs.md gives the sources.
Groups ``1.1`` … ``6.2`` are the twelve subqueues; the 2026 Kyiv answer names ``1.1`` … ``60.1``,
read as described in ``io.group_schemes``.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pandas as pd

from gridimpact.io.readers.group_schemes import finish_intervals, group_order
from gridimpact.io.readers.limits import DATE_MAX, DATE_MIN
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.schedules import choose_region
from gridimpact.vocab import TIMEZONE

YASNO_STATUSES = ("ScheduleApplies", "WaitingForSchedule", "EmergencyShutdowns")
_YASNO_GROUP = re.compile(r"^(\d{1,3})\.(\d{1,2})$")


def _as_utc(stamp: pd.Timestamp) -> pd.Timestamp:
    return stamp.tz_convert("UTC") if stamp.tzinfo is not None else stamp.tz_localize("UTC")


def is_yasno(data: object) -> bool:
    """Top-level groups "1.1" … with "today"/"tomorrow" objects: Yasno's planned-outages answer."""
    return isinstance(data, dict) and any(
        isinstance(value, dict) and {"today", "tomorrow"} & set(value) and _yasno_group(key)
        for key, value in data.items()
    )


def _yasno_group(key: object) -> str | None:
    match = _YASNO_GROUP.match(str(key).strip())
    return f"{int(match.group(1))}.{int(match.group(2))}" if match else None


def read_yasno(data: dict, problems: FileProblems, *,
               region: str | None = None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Yasno planned outages → schedule rows.

    ``Definite`` slots are outages (minutes from the local midnight of ``date``; a slot ending at 1440
    and one starting at 0 the next day join); ``NotPlanned`` slots are ignored. Days with status
    ``EmergencyShutdowns`` or ``WaitingForSchedule`` give no intervals, only a note. Groups beyond
    the twelve subqueues (Kyiv's ``1.1`` … ``60.1`` of 2026) are read by ``io.group_schemes``.
    """
    pcode = choose_region(region, problems, detected=None,
                          what="Yasno schedule (Yasno serves Kyiv city and Dnipro)")
    rows: list[tuple[str, pd.Timestamp, pd.Timestamp, str]] = []
    held: dict[tuple[str, str], list[str]] = defaultdict(list)
    others: list[str] = []
    updated: set[str] = set()
    group_names: set[str] = set()
    days: set[pd.Timestamp] = set()
    for key, group in data.items():
        subqueue = _yasno_group(key)
        if subqueue is None or not isinstance(group, dict):
            others.append(str(key))
            continue
        group_names.add(subqueue)
        if group.get("updatedOn"):
            updated.add(str(group["updatedOn"]))
        for day_name, day in group.items():
            if isinstance(day, dict):
                rows.extend(_yasno_day(day, subqueue, f"{key}/{day_name}", problems, held, days))
    if others:
        problems.note(f"{problems.file}: entries that are not groups <queue>.<subqueue> were skipped: "
                      f"{', '.join(others[:20])}")
    for (status, date), groups in sorted(held.items()):
        listed = ", ".join(sorted(groups, key=group_order)[:12]) + (" …" if len(groups) > 12 else "")
        if status == "EmergencyShutdowns":
            problems.note(f"{problems.file}: Yasno reports emergency shutdowns on {date} for groups "
                          f"{listed}: extent unknown, add an emergency outage report")
        else:
            problems.note(f"{problems.file}: Yasno has not yet published the schedule for {date} "
                          f"(WaitingForSchedule) for groups {listed}; no outage read for that day")
    source = "Yasno planned outages" + (f", updated {max(updated)}" if updated else "")
    return finish_intervals(rows, problems, pcode=pcode, source=source, groups=group_names, days=days)


def _yasno_day(day: dict, subqueue: str, where: str, problems: FileProblems,
               held: dict[tuple[str, str], list[str]], days: set[pd.Timestamp]):
    """Yield (subqueue, naive start, naive end, certainty, key path) for each Definite slot."""
    try:
        stamp = pd.Timestamp(str(day.get("date")))
    # pandas raises ValueError for most bad text, but OverflowError or OutOfBoundsDatetime for a
    # year it cannot hold.
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        stamp = pd.NaT
    if stamp is pd.NaT or not (pd.Timestamp(DATE_MIN, tz="UTC") <= _as_utc(stamp) <= pd.Timestamp(DATE_MAX, tz="UTC")):
        problems.add("bad_date", "expected \"date\", the local midnight of the day (e.g. "
                     "2025-10-27T00:00:00+02:00)", where=f"{where}/date", value=day.get("date"))
        return
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(TIMEZONE).tz_localize(None)
    midnight = stamp.normalize()
    status = day.get("status", "ScheduleApplies")
    if status == "ScheduleApplies":
        days.add(midnight)
    if status in ("EmergencyShutdowns", "WaitingForSchedule"):
        held[(status, midnight.strftime("%Y-%m-%d"))].append(subqueue)
        return
    if not isinstance(status, str) or status != "ScheduleApplies":
        problems.add("unknown_status", f"'{status}' is not a Yasno day status (one of "
                     f"{', '.join(YASNO_STATUSES)})", where=f"{where}/status", value=status)
        return
    slots = day.get("slots", [])
    if not isinstance(slots, list):
        problems.add("bad_structure", "expected \"slots\": a list", where=f"{where}/slots")
        return
    for number, slot in enumerate(slots):
        slot_where = f"{where}/slots/{number}"
        start, end = (slot.get("start"), slot.get("end")) if isinstance(slot, dict) else (None, None)
        if not (_is_minute(start) and _is_minute(end) and start < end):
            problems.add("bad_slot", "a slot needs \"start\" < \"end\", in minutes 0 … 1440 from "
                         "midnight", where=slot_where, value=slot)
            continue
        kind = slot.get("type")
        if kind == "NotPlanned":
            continue
        if kind != "Definite":
            problems.add("bad_slot_type", f"'{kind}' is not a Yasno slot type (Definite or NotPlanned)",
                         where=f"{slot_where}/type", value=kind)
            continue
        yield (subqueue, midnight + pd.Timedelta(minutes=start), midnight + pd.Timedelta(minutes=end),
               "definite", slot_where)


def _is_minute(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1440
