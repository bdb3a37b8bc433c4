"""Operator schedules in the twelve subqueues, or in a wider scheme of groups, as the model reads them.

Until January 2026 DTEK and Yasno published outages for the 6 queues × 2 subqueues (``1.1`` …
``6.2``), which the model holds as twelve equal cohorts (``schemas.OutageSchedule``). From 29
January 2026 Kyiv's temporary schedules were "not tied to the previous queues (1.1, 1.2, 2.1 …)":
each building got its own group (DTEK, reported by RBC-Ukraine,
https://www.rbc.ua/rus/news/kiyiv-znovu-grafikah-ale-stara-shema-pratsyue-1769637756.html, and
Novyny.kr.ua, https://novyny.kr.ua/society/2026/01/29/263165-amp.html). Yasno's answer then names
groups ``1.1`` … ``60.1`` and DTEK's fact ``GPV1.1`` … ``GPV60.2``.

The operators publish no size for those groups, so every group the file lists is taken to hold the
same share of customers, 1/G for G groups (the rule "weight groups by what the file says": the file
says only how many there are). Such a file becomes scheduled outage *reports*: over each local day
the file covers, the share off at each moment is the number of groups with a definite outage then,
divided by G. The model then rotates that share through its twelve subqueues; the volume of outage
is exact, the order in which cohorts are off is the model's rotation. Possible outages (DTEK's
``maybe``) are not counted in a report, and a note says how many there were.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.schedules import (
    SCHEDULE_COLUMNS,
    empty_schedule_table,
    local_times,
    merge_touching,
    sort_schedules,
    validate_located,
)
from gridimpact.vocab import SUBQUEUES

HALF_HOUR = pd.Timedelta(minutes=30)
_DAY = pd.Timedelta(days=1)
REPORT_COLUMNS = ("pcode", "start", "end", "kind", "share_off", "customers_off", "heat_lost_share",
                  "source")


def is_subqueue_scheme(groups: set[str]) -> bool:
    """True when every group the file lists is one of the twelve subqueues 1.1 … 6.2."""
    return groups <= set(SUBQUEUES)


def finish_intervals(rows: list[tuple], problems: FileProblems, *, pcode: str | None, source: str,
                     groups: set[str], days: set[pd.Timestamp],
                     line: int | None = None) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Rows of (group, naive start, [naive end,] certainty, key path) → (reports, schedules).

    Rows without an end are DTEK half-hours. ``groups`` are all the groups the file lists (also those
    without an outage) and ``days`` the local days it covers. In the subqueue scheme the result is a
    schedule table and no reports; in a wider scheme, reports and no schedules.
    """
    if problems or pcode is None:
        return None, None
    if rows and len(rows[0]) == 4:
        rows = [(group, start, start + HALF_HOUR, certainty, where) for group, start, certainty, where in rows]
    if is_subqueue_scheme(groups):
        return None, _schedule(rows, problems, pcode, source)
    return _reports(rows, problems, pcode=pcode, source=source, groups=groups, days=days), None


def _intervals(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["subqueue", "start", "end", "certainty", "where"])
    frame["start"] = local_times(frame["start"])
    frame["end"] = local_times(frame["end"])
    # A half-hour inside the hour skipped by the spring clock change has no length.
    return frame[frame["end"] > frame["start"]]


def _schedule(rows: list[tuple], problems: FileProblems, pcode: str, source: str) -> pd.DataFrame | None:
    if not rows:
        return empty_schedule_table()
    frame = merge_touching(_intervals(rows).assign(pcode=pcode, source=source))
    from gridimpact.schemas import OutageSchedule  # pandera: loaded only when a file is read

    where = frame.pop("where").tolist()
    valid = validate_located(OutageSchedule, frame, problems, where=where)
    if valid is None:
        return None
    return sort_schedules(valid[list(SCHEDULE_COLUMNS)])


def _reports(rows: list[tuple], problems: FileProblems, *, pcode: str, source: str, groups: set[str],
             days: set[pd.Timestamp]) -> pd.DataFrame | None:
    count = len(groups)
    shown = ", ".join(sorted(groups, key=group_order)[:3]) + " … " + max(groups, key=group_order)
    problems.note(f"{problems.file}: the schedule names {count} groups ({shown}), not the 12 subqueues "
                  f"1.1 … 6.2; each group is taken as 1/{count} of the region's customers and the schedule "
                  "is read as the share of customers off over time (scheduled outage reports)")
    intervals = _intervals(rows) if rows else pd.DataFrame(columns=["subqueue", "start", "end", "certainty"])
    possible = intervals[intervals["certainty"] != "definite"]
    if len(possible):
        hours = (possible["end"] - possible["start"]).sum() / pd.Timedelta(hours=1)
        problems.note(f"{problems.file}: {hours:g} group-hour(s) of possible outages were not counted: a "
                      "possible outage is not a report")
    definite = intervals[intervals["certainty"] == "definite"]
    if len(definite):  # overlapping slots of one group count once
        definite = merge_touching(definite.assign(pcode=pcode, source=source))
    day_starts = local_times(pd.Series(sorted(days), dtype="datetime64[ns]"))
    day_ends = local_times(pd.Series(sorted(day + _DAY for day in days), dtype="datetime64[ns]"))
    edges = pd.DatetimeIndex(pd.concat([day_starts, day_ends, definite["start"], definite["end"]])
                             .drop_duplicates().sort_values())
    if len(edges) < 2:
        return _empty_reports()
    # Groups off per segment between consecutive edges, from a difference array.
    delta = np.zeros(len(edges))
    np.add.at(delta, edges.get_indexer(definite["start"]), 1.0)
    np.add.at(delta, edges.get_indexer(definite["end"]), -1.0)
    # Several intervals of one group never overlap after merging, so at most G groups are off.
    off = np.cumsum(delta)[:-1]
    starts, ends = edges[:-1], edges[1:]
    covered = np.zeros(len(starts), dtype=bool)
    for first, last in zip(day_starts, day_ends, strict=True):
        covered |= (starts >= first) & (ends <= last)
    segments = pd.DataFrame({"start": starts[covered], "end": ends[covered], "off": off[covered]})
    # Join neighbours with the same share into one report.
    new_block = (segments["off"] != segments["off"].shift()) | (segments["start"] != segments["end"].shift())
    merged = segments.groupby(new_block.cumsum(), sort=False).agg(start=("start", "first"), end=("end", "last"),
                                                                   off=("off", "first"))
    table = pd.DataFrame({
        "pcode": pcode, "start": merged["start"].to_numpy(), "end": merged["end"].to_numpy(),
        "kind": "scheduled", "share_off": np.round(merged["off"].to_numpy() / count, 12),
        "customers_off": np.nan, "heat_lost_share": np.nan,
        "source": f"{source} ({count} groups, each 1/{count} of customers)",
    }, index=pd.RangeIndex(len(merged)))
    from gridimpact.schemas import OutageReports  # pandera: loaded only when a file is read

    valid = validate_located(OutageReports, table, problems, where=[f"group share from {s:%Y-%m-%d %H:%M}"
                                                                     for s in merged["start"]])
    return None if valid is None else valid.reset_index(drop=True)


def _empty_reports() -> pd.DataFrame:
    from gridimpact.schemas import OutageReports  # pandera: loaded only when a file is read

    return OutageReports.validate(pd.DataFrame({c: [] for c in REPORT_COLUMNS}))


def group_order(group: str) -> tuple[int, int]:
    queue, _, sub = group.partition(".")
    return (int(queue), int(sub or 0)) if queue.isdigit() and (sub or "0").isdigit() else (10**6, 0)
