"""Outage schedules published by grid operators: DTEK's ``DisconSchedule.fact`` and Yasno JSON.

Both become ``schemas.OutageSchedule`` rows (see ``io.schedules``); docs/inputs.md describes the
formats with their sources:

- DTEK ``DisconSchedule.fact``, embedded in the operator's shutdowns page: ``{"data": {"<unix day>":
  {"GPV1.1": {"1": "yes", …, "24": "no"}}}, "update": "DD.MM.YYYY HH:MM"}``. The day key is local
  midnight; hour key h covers h−1:00–h:00. Also read: the page itself, and page dumps that wrap the
  object as ``{"regionId": …, "fact": {…}, "preset": {…}}``.
- Yasno planned outages: ``{"1.1": {"today": {"date": …, "status": …, "slots": [{"start": minutes,
  "end": minutes, "type": "Definite"}]}, "tomorrow": {…}, "updatedOn": …}, …}``.

Consecutive off half-hours (DTEK) and touching slots (Yasno) of one group become one interval, also
across midnight. Problems are located by key path (``data/1761688800/GPV1.1/13``).
"""

from __future__ import annotations

import json
import re

import pandas as pd

from gridimpact.io.readers.group_schemes import HALF_HOUR, finish_intervals
from gridimpact.io.readers.limits import decode_json, loads_json
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.schedules import choose_region
from gridimpact.io.readers.yasno import is_yasno, read_yasno
from gridimpact.regions import UnknownRegionError, default_registry
from gridimpact.vocab import TIMEZONE

# DTEK shutdowns sites and the ADM1 unit each distribution company serves (DTEK Kyiv Grids, Kyiv
# Regional Grids, Odesa Grids, Dnipro Grids, Donetsk Grids): https://www.dtek-kem.com.ua/ua/shutdowns,
# https://www.dtek-krem.com.ua/ua/shutdowns, https://www.dtek-oem.com.ua/ua/shutdowns,
# https://www.dtek-dnem.com.ua/ua/shutdowns, https://www.dtek-dem.com.ua/ua/shutdowns.
DTEK_HOST_REGIONS = {"dtek-kem": "UA80", "dtek-krem": "UA32", "dtek-oem": "UA51",
                     "dtek-dnem": "UA12", "dtek-dem": "UA14"}
# ``regionId`` of the page dumps published by github.com/Baskerville42/outage-data-ua (data/<id>.json);
# other ids (e.g. "Kharkiv" in github.com/yaroslav2901/OE_OUTAGE_DATA) are resolved as region names.
DUMP_REGION_IDS = {"kyiv": "UA80", "kyiv-region": "UA32", "odesa": "UA51", "dnipro": "UA12"}

# Each DTEK hour value → the state of its first and second half-hour (None = power on).
DTEK_HALF_HOURS = {
    "yes": (None, None), "no": ("definite", "definite"),
    "first": ("definite", None), "second": (None, "definite"),
    "maybe": ("possible", "possible"), "mfirst": ("possible", None), "msecond": (None, "possible"),
}

# Any GPV<queue>.<subqueue>: the 12 subqueues GPV1.1 … GPV6.2, or Kyiv's wider 2026 scheme (GPV60.2).
_DTEK_GROUP = re.compile(r"^GPV(\d{1,3})\.(\d{1,2})$", re.IGNORECASE)
_FACT_IN_PAGE = re.compile(r"DisconSchedule\.fact\s*=\s*")
_DTEK_HOST = re.compile(r"//(?:www\.)?(dtek-(?:kem|krem|oem|dnem|dem))\.com\.ua", re.IGNORECASE)
_PAGE_ADDRESS = re.compile(r"<link\b[^>]*\bcanonical\b[^>]*>|<meta\b[^>]*og:url[^>]*>"
                           r"|<!--\s*saved from url=[^>]*-->", re.IGNORECASE)
_HALF_HOUR = HALF_HOUR


Read = tuple[pd.DataFrame | None, pd.DataFrame | None]
"""What an operator reader returns: (outage reports, subqueue schedules); see ``io.group_schemes``."""


def read_schedule_json(text: str, problems: FileProblems, *, region: str | None = None) -> Read:
    """A DTEK fact object, a DTEK page dump (``{"fact": …, "preset": …}``) or Yasno JSON."""
    try:
        data = loads_json(text)
    except json.JSONDecodeError as exc:
        page = "<html" in text[:4000].lower()
        hint = " (the file holds an HTML page: a bot-check page saved instead of the data?)" if page else ""
        problems.add("bad_json", f"the file is not valid JSON: {exc.msg} at column {exc.colno}{hint}",
                     line=exc.lineno)
        return None, None
    if is_weekly_template(data):
        problems.add("weekly_template", "this is DTEK's weekly template (DisconSchedule.preset: groups × "
                     "weekdays 1–7), which says what a week of outages would look like, not which outages "
                     "were scheduled on which dates; give the 'fact' schedule (DisconSchedule.fact, or the "
                     "saved shutdowns page) instead")
        return None, None
    if isinstance(data, dict) and isinstance(data.get("fact"), dict):
        if "preset" in data:
            problems.note(f"{problems.file}: the weekly 'preset' template is not read, only the 'fact' "
                          "schedule")
        pcode = choose_region(region, problems, detected=_dump_region(data), what="DTEK schedule")
        return read_dtek_fact(data["fact"], problems, pcode=pcode, prefix="fact")
    if isinstance(data, dict) and isinstance(data.get("data"), (dict, list)):
        pcode = choose_region(region, problems, detected=None, what="DTEK schedule")
        return read_dtek_fact(data, problems, pcode=pcode)
    if is_yasno(data):
        return read_yasno(data, problems, region=region)
    problems.add("not_a_schedule", "not a DTEK or Yasno schedule: expected a DTEK DisconSchedule.fact "
                 "object (\"data\" keyed by day), a DTEK page dump (with \"fact\"), or Yasno planned "
                 "outages (groups \"1.1\", \"1.2\" … with \"today\" and \"tomorrow\")")
    return None, None


def is_weekly_template(data: object) -> bool:
    """DTEK's ``DisconSchedule.preset``: ``data`` keyed by group, then weekday "1" … "7", then hour;
    it also carries ``time_zone``/``time_type``/``sch_names`` legends, which a fact never has."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
        return False
    if {"time_zone", "time_type", "sch_names"} & set(data):
        return True
    groups = data["data"]
    return bool(groups) and all(
        (_DTEK_GROUP.match(str(key).strip()) or (str(key).strip().isdigit() and int(str(key)) < 1000))
        and isinstance(week, dict) and week and set(map(str, week)) <= {str(day) for day in range(1, 8)}
        for key, week in groups.items())


def read_dtek_html(text: str, problems: FileProblems, *, region: str | None = None) -> Read:
    """A saved DTEK shutdowns page: cut out ``DisconSchedule.fact = {…}`` and read it."""
    match = _FACT_IN_PAGE.search(text)
    if match is None:
        problems.add("no_schedule_in_page", "the page holds no 'DisconSchedule.fact = {…}' script: save "
                     "the DTEK shutdowns page after the schedule has loaded")
        return None, None
    line = text.count("\n", 0, match.end()) + 1
    try:
        fact, _ = decode_json(text, match.end())
    except json.JSONDecodeError as exc:
        problems.add("bad_json", f"the DisconSchedule.fact object is not valid JSON: {exc.msg}",
                     line=text.count("\n", 0, exc.pos) + 1)
        return None, None
    if not isinstance(fact, dict):
        problems.add("bad_structure", "DisconSchedule.fact is not an object", line=line)
        return None, None
    host = page_host(text)
    detected = (DTEK_HOST_REGIONS[host], f"the DTEK site named in the page ({host}.com.ua)") if host else None
    pcode = choose_region(region, problems, detected=detected, what="DTEK page")
    label = f"DTEK {host}.com.ua" if host else "DTEK"
    return read_dtek_fact(fact, problems, pcode=pcode, line=line, label=label)


def page_host(text: str) -> str | None:
    """The DTEK company whose site the page is from: its canonical address, else the only one named."""
    for tag in _PAGE_ADDRESS.findall(text):
        hit = _DTEK_HOST.search(tag)
        if hit:
            return hit.group(1).lower()
    hosts = {h.lower() for h in _DTEK_HOST.findall(text)}
    return hosts.pop() if len(hosts) == 1 else None


def _dump_region(data: dict) -> tuple[str, str] | None:
    for key in ("regionId", "regionAffiliation"):
        value = data.get(key)
        if not isinstance(value, str):
            continue
        if value.strip().lower() in DUMP_REGION_IDS:
            return DUMP_REGION_IDS[value.strip().lower()], f"{key} '{value}'"
        try:
            return default_registry().resolve(value).pcode, f"{key} '{value}'"
        except UnknownRegionError:
            continue
    return None


def read_dtek_fact(fact: dict, problems: FileProblems, *, pcode: str | None, prefix: str = "",
                   line: int | None = None, label: str = "DTEK") -> Read:
    """DTEK ``DisconSchedule.fact`` → schedule rows; consecutive off half-hours become one interval.

    Hour key h covers local h−1:00–h:00 (h = 1 … 24); a file whose hours run 0 … 23 is read with
    key h covering h:00–h+1:00. A missing hour counts as power on.
    """
    path = f"{prefix}/data" if prefix else "data"
    data = fact.get("data")
    if not isinstance(data, (dict, list)) or (isinstance(data, list) and data):
        problems.add("bad_structure", "expected \"data\": an object keyed by day", where=path, line=line)
        return None, None
    rows: list[tuple[str, pd.Timestamp, str, str]] = []
    others: set[str] = set()
    listed: set[str] = set()
    days: set[pd.Timestamp] = set()
    for day_key, groups in (data.items() if isinstance(data, dict) else []):
        day = _dtek_day(day_key)
        if day is None:  # still checked below, so that every problem of the file is reported
            problems.add("bad_day_key", f"'{day_key}' is not a day: DTEK keys days by the Unix time of "
                         "local midnight (e.g. 1761688800)", where=f"{path}/{day_key}", value=day_key,
                         line=line)
        else:
            days.add(day)
        if not isinstance(groups, dict):
            problems.add("bad_structure", "expected an object of groups GPV1.1, GPV1.2 …",
                         where=f"{path}/{day_key}", line=line)
            continue
        for group_key, hours in groups.items():
            match = _DTEK_GROUP.match(str(group_key).strip())
            if match is None:
                others.add(str(group_key))
                continue
            group = f"{int(match.group(1))}.{int(match.group(2))}"
            listed.add(group)
            where = f"{path}/{day_key}/{group_key}"
            for half_hour, certainty, hour_where in _dtek_half_hours(hours, problems, where, line):
                if day is not None:
                    rows.append((group, day + half_hour * _HALF_HOUR, certainty, hour_where))
    if others:
        problems.note(f"{problems.file}: entries that are not groups GPV<queue>.<subqueue> were skipped: "
                      f"{', '.join(sorted(others)[:20])}")
    if not rows and not problems:
        problems.note(f"{problems.file}: the DTEK schedule lists no outage")
    update = fact.get("update")
    source = f"{label} DisconSchedule.fact" + (f", updated {update}" if update else "")
    return finish_intervals(rows, problems, pcode=pcode, source=source, groups=listed, days=days, line=line)


def _dtek_day(key: object) -> pd.Timestamp | None:
    """A DTEK day key (Unix seconds of local midnight) → that local calendar day, naive."""
    try:
        seconds = float(key)
    except (TypeError, ValueError):
        return None
    if not seconds.is_integer() or not 0 < seconds < 4e9:
        return None
    local = pd.Timestamp(int(seconds), unit="s", tz="UTC").tz_convert(TIMEZONE)
    return local.tz_localize(None).normalize()


def _dtek_half_hours(hours: object, problems: FileProblems, where: str, line: int | None):
    """Yield (half-hour index 0 … 47, certainty, key path) for each half-hour that is off."""
    if not isinstance(hours, dict):
        problems.add("bad_structure", "expected an object of hours \"1\" … \"24\"", where=where, line=line)
        return
    zero_based = "0" in hours
    for key, value in hours.items():
        hour_where = f"{where}/{key}"
        try:
            hour = int(str(key)) - (0 if zero_based else 1)
        except ValueError:
            hour = -1
        if not 0 <= hour <= 23:
            problems.add("bad_hour_key", f"'{key}' is not an hour key (\"1\" … \"24\", or \"0\" … \"23\")",
                         where=hour_where, value=key, line=line)
            continue
        states = DTEK_HALF_HOURS.get(str(value).strip().lower())
        if states is None:
            problems.add("bad_hour_value", f"'{value}' is not a DTEK hour value (one of "
                         f"{', '.join(DTEK_HALF_HOURS)})", where=hour_where, value=value, line=line)
            continue
        for half, certainty in enumerate(states):
            if certainty:
                yield 2 * hour + half, certainty, hour_where


