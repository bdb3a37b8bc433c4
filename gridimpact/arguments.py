"""Checks of the arguments given to ``gridimpact.estimate`` and ``gridimpact.compare``.

The API is a door: what comes through it is checked once, here, and a wrong type or value is an
``ArgumentError`` that names the argument, what it got and what it takes, instead of a numpy or
pandas exception from deep inside the model. The command line uses the same parsers for dates
(``today``) and probabilities (``25%``), so both accept the same spellings.

Rules (documented in docs/inputs.md, "Options and arguments"):

- a string (or path, or Scenario) where a list is expected is one item: ``scenarios="observed"``
  is ``["observed"]``, ``regions="Kyiv"`` is ``["Kyiv"]``;
- counts (``members``, ``days``, ``seed``, ``block`` ...) must be integers: ``2.5``, ``2.0``,
  ``"2"`` and ``True`` are refused, numpy integers are accepted;
- probabilities are numbers in [0, 1] or strings such as ``"0.25"`` and ``"25%"``;
- days are dates, datetimes, ISO strings (``2026-01-30``), ``DD.MM.YYYY`` or ``"today"`` (the
  local day in Kyiv).

This module imports nothing heavy, so the command line can use it at start-up.
"""

from __future__ import annotations

import codecs
import datetime
import math
import numbers
import os
import re
from zoneinfo import ZoneInfo

from gridimpact.errors import ArgumentError
from gridimpact.vocab import FIRST_YEAR, LAST_YEAR, TIMEZONE

BASELINE_SCENARIO = "no-pause"
"""The scenario a lone scenario is compared with."""


def _shown(value) -> str:
    return f"{value!r} ({type(value).__name__})"


def as_list(value, name: str) -> list | None:
    """None stays None; one string, path or object is a list of one; any other iterable is listed."""
    if value is None:
        return None
    if isinstance(value, str | bytes | os.PathLike) or not _iterable(value):
        return [value]
    return list(value)


def _iterable(value) -> bool:
    if isinstance(value, dict):
        return False
    try:
        iter(value)
    except TypeError:
        return False
    return True


def as_int(value, name: str, *, minimum: int | None = None, maximum: int | None = None,
           optional: bool = True) -> int | None:
    """An integer (numpy integers too); floats, strings and bools are refused."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{name} must be an integer, got {_shown(value)}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ArgumentError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise ArgumentError(f"{name} must be at most {maximum}, got {number}")
    return number


def parse_probability(value, name: str = "probability", kind: str = "a probability") -> float:
    """A probability (or another ``kind`` of share) from 0.25, "0.25" or "25%"; it must lie in [0, 1]."""
    if isinstance(value, bool):
        raise ArgumentError(f"{name} must be {kind} (0.25 or '25%'), got {_shown(value)}")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise ArgumentError(f"{name} must be {kind} such as 0.25 or '25%', got {value!r}") from None
    elif isinstance(value, numbers.Real):
        number = float(value)
    else:
        raise ArgumentError(f"{name} must be {kind} (0.25 or '25%'), got {_shown(value)}")
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise ArgumentError(f"{name} must be between 0 and 1 (0% and 100%), got {value!r}")
    return number


def encoding_name(value: str) -> str:
    """The canonical name of a text encoding (``CP1251`` → ``cp1251``); ``ArgumentError`` naming
    examples when Python does not know it."""
    try:
        return codecs.lookup(value).name
    except LookupError:
        raise ArgumentError(f"unknown encoding {value!r} (e.g. utf-8, cp1251, koi8-u)") from None


def today() -> datetime.date:
    """The local calendar day in Kyiv now: daily metrics are per Kyiv day."""
    return datetime.datetime.now(ZoneInfo(TIMEZONE)).date()


_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


class DayOutOfRange(ArgumentError):
    """A real calendar day outside ``FIRST_YEAR`` … ``LAST_YEAR``."""


def parse_day(value, name: str = "date") -> datetime.date:
    """A calendar day from a date, a datetime (its own day), an ISO or DD.MM.YYYY string, or "today"."""
    day = _day(value, name)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DayOutOfRange(f"{name} {day} must lie between {FIRST_YEAR} and {LAST_YEAR}")
    return day


def _day(value, name: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if hasattr(value, "to_pydatetime"):  # a pandas Timestamp, without importing pandas here
        return value.to_pydatetime().date()
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "today":
            return today()
        match = _DOTTED.fullmatch(text)
        if match:
            text = f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
        for parse in (datetime.date.fromisoformat, lambda t: datetime.datetime.fromisoformat(t).date()):
            try:
                return parse(text)
            except ValueError:
                pass
        raise ArgumentError(f"{name} {value!r} is not a date (use YYYY-MM-DD, DD.MM.YYYY or 'today')")
    raise ArgumentError(f"{name} must be a date (YYYY-MM-DD or 'today'), got {_shown(value)}")


def optional_day(value, name: str) -> datetime.date | None:
    return None if value is None else parse_day(value, name)


def check_period(start: datetime.date | None, end: datetime.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ArgumentError(f"the end ({end}) is before the start ({start}); give an end on or after the start")


def _check_regions(regions) -> list[str] | None:
    listed = as_list(regions, "regions")
    if listed is None:
        return None
    if not listed:
        raise ArgumentError("regions is empty: give at least one name or p-code, or None for every region")
    for item in listed:
        if not isinstance(item, str):
            raise ArgumentError(f"regions must be names or p-codes (strings), got {_shown(item)}")
    return listed


def _check_params(params) -> None:
    # Recognised by shape, like scenarios: this module stays free of the model and of pandas.
    is_params = hasattr(params, "to_dict") and hasattr(params, "changed")
    if params is not None and not is_params and not isinstance(params, dict | str | os.PathLike):
        raise ArgumentError(f"params must be a Params, a dict of overrides or a TOML path, got {_shown(params)}")


def _check_inputs(inputs) -> None:
    is_inputs = all(hasattr(inputs, family) for family in ("outages", "temperature", "population"))
    if inputs is not None and not is_inputs:
        raise ArgumentError("inputs must be an Inputs (from gridimpact.load_inputs) or None for the embedded "
                            f"case, got {_shown(inputs)}")


def estimate_arguments(inputs, params, start, end, regions, hourly) -> dict:
    """The arguments of ``estimate``, checked and normalised (dates as ``datetime.date``)."""
    _check_inputs(inputs)
    _check_params(params)
    if not isinstance(hourly, bool):
        raise ArgumentError(f"hourly must be True or False, got {_shown(hourly)}")
    start, end = optional_day(start, "start"), optional_day(end, "end")
    check_period(start, end)
    return {"start": start, "end": end, "regions": _check_regions(regions)}


def scenario_list(scenarios) -> list:
    """The scenarios to compare: one string is one scenario, and a lone scenario other than
    ``no-pause`` is compared with ``no-pause``. ``no-pause`` alone is a baseline-only run (its
    impacts, no comparison); the ``compare`` command refuses it."""
    listed = as_list(scenarios, "scenarios")
    if not listed:
        raise ArgumentError("compare needs at least one scenario (e.g. 'announced-pause')")
    for item in listed:
        if not isinstance(item, str | os.PathLike) and not hasattr(item, "pauses"):
            raise ArgumentError(f"scenarios must be names, TOML paths or Scenario objects, got {_shown(item)}")
    if len(listed) == 1 and scenario_name(listed[0]) != BASELINE_SCENARIO:
        listed = [BASELINE_SCENARIO, listed[0]]
    return listed


def scenario_name(item) -> str:
    return getattr(item, "name", None) or str(item)


def compare_arguments(inputs, scenarios, as_of, days, members, seed, compliance, params, regions, block,
                      region_block, workers, progress, target_error=None) -> dict:
    """The arguments of ``compare``, checked and normalised."""
    _check_inputs(inputs)
    _check_params(params)
    if progress is not None and not callable(progress):
        raise ArgumentError(f"progress must be callable, got {_shown(progress)}")
    return {
        "scenarios": scenario_list(scenarios),
        "as_of": optional_day(as_of, "as_of"),
        "days": as_int(days, "days", minimum=1, maximum=3660),
        "members": as_int(members, "members", minimum=1),
        "seed": as_int(seed, "seed", minimum=0),
        "compliance": None if compliance is None else parse_probability(compliance, "compliance"),
        "regions": _check_regions(regions),
        "block": as_int(block, "block", minimum=1),
        "region_block": as_int(region_block, "region_block", minimum=1),
        "workers": as_int(workers, "workers", minimum=1),
        "target_error": None if target_error is None else parse_probability(
            target_error, "target_error", "a share of the change"),
    }


def pause_warnings(scenarios, first_day: datetime.date, last_day: datetime.date) -> list[str]:
    """Why a comparison would show no effect of a pause: it lies outside the compared days.

    ``scenarios`` are loaded Scenario objects; the days are the first and last compared local day.
    """
    messages = []
    for scenario in scenarios:
        for pause in scenario.pauses:
            start, end = _local_day(pause.start), _local_day(pause.end)
            if end < first_day:
                messages.append(
                    f"the pause of '{scenario.name}' ({start} … {end}) ends before the compared days "
                    f"({first_day} … {last_day}), so the comparison cannot show any effect of it; "
                    f"use --as-of {start} (as_of='{start}') to compare from its start")
            elif start > last_day:
                messages.append(
                    f"the pause of '{scenario.name}' ({start} … {end}) starts after the compared days "
                    f"({first_day} … {last_day}), so the comparison cannot show any effect of it; "
                    f"use --as-of {start} (as_of='{start}'), or more --days")
    return messages


def _local_day(moment) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo(TIMEZONE))
        return moment.date()
    return parse_day(moment)
