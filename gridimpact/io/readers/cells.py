"""Typing text cells: numbers, shares, timestamps and regions, each bad cell becoming a problem.

Conventions, all documented in docs/inputs.md:

- Numbers accept a decimal comma when the file's separator is not a comma (``12,5`` in a ``;`` file;
  a workbook's text cells are read so by ``raw_table.decimal_commas_as_points``),
  and spaces or non-breaking spaces as thousands separators (``2 910 994``).
- Shares accept a fraction (``0.45``) or a percentage with its sign (``45%``).
- Timestamps accept ISO 8601 with or without an offset (``2026-01-09T10:00+02:00``,
  ``2026-01-09 10:00``) and the Ukrainian day-first form ``09.01.2026 10:00``. A timestamp without a
  zone is local time in Kyiv (Europe/Kyiv); the caller is told how many were read that way.
- Numbers must be finite (``inf`` is a problem); dates lie in ``io.readers.limits``' range.
- Regions accept anything ``gridimpact.regions.resolve`` does.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from gridimpact.io.readers.limits import DATE_MAX, DATE_MIN
from gridimpact.io.readers.problems import FileProblems
from gridimpact.regions import Registry, UnknownRegionError, default_registry
from gridimpact.vocab import TIMEZONE

_SPACES = re.compile(r"[\s\u00a0\u202f]")
_DAY_FIRST = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_FIRST_TIME = pd.Timestamp(DATE_MIN, tz=TIMEZONE)
_LAST_TIME = pd.Timestamp(DATE_MAX, tz=TIMEZONE) + pd.Timedelta(days=1)


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype(str).str.strip() == "")


def parse_numbers(series: pd.Series, column: str, problems: FileProblems, *,
                  decimal_comma: bool, required: bool = False) -> pd.Series:
    """Text → float; empty cells become NaN (a problem if ``required``)."""
    text = series.astype(str).str.strip()
    blank = _blank(series)
    cleaned = text.str.replace(_SPACES, "", regex=True)
    if decimal_comma:
        cleaned = cleaned.str.replace(",", ".", regex=False)
    # A leading Unicode minus (U+2212) is common in text copied from documents.
    cleaned = cleaned.str.replace("\u2212", "-", regex=False)
    values = pd.to_numeric(cleaned.where(~blank), errors="coerce").astype(float)
    infinite = np.isinf(values)
    for line, value in text[infinite].items():
        problems.add("not_finite", f"'{value}' is not a finite number", line=line, column=column, value=value)
    values = values.where(~infinite)
    bad = values.isna() & ~blank & ~infinite
    for line, value in text[bad].items():
        hint = (" (a comma as decimal mark needs ';' as separator; thousands are grouped with spaces, 950 000)"
                if "," in value and not decimal_comma else "")
        problems.add("not_a_number", f"'{value}' is not a number{hint}", line=line, column=column, value=value)
    if required:
        for line in series.index[blank]:
            problems.add("missing_value", "is empty but a value is required", line=line, column=column)
    return values.astype(float)


def parse_shares(series: pd.Series, column: str, problems: FileProblems, *,
                 decimal_comma: bool, required: bool = False) -> pd.Series:
    """Text → fraction in [0, 1]; ``45%`` means 0.45. Range is checked by the schema."""
    text = series.astype(str).str.strip()
    percent = text.str.endswith("%")
    numbers = parse_numbers(text.str.rstrip("%").where(~_blank(series), ""), column, problems,
                            decimal_comma=decimal_comma, required=required)
    return numbers.where(~percent, numbers / 100.0)


def parse_times(series: pd.Series, column: str, problems: FileProblems, *,
                required: bool = True) -> pd.Series:
    """Text → tz-aware timestamps in Europe/Kyiv.

    Naive values are taken as Kyiv local time (a note says how many); an hour that does not exist
    because of the spring clock change moves forward, and an hour that occurs twice in autumn is
    read as the first (summer-time) one.
    """
    text = series.astype(str).str.strip()
    blank = _blank(series)
    day_first = text.str.match(_DAY_FIRST)
    iso_text = text.where(~day_first, text.str.replace(_DAY_FIRST, _day_first_to_iso, regex=True))
    has_offset = iso_text.str.contains(_OFFSET) & ~blank
    result = pd.Series(pd.NaT, index=series.index, dtype=f"datetime64[ns, {TIMEZONE}]")
    early = pd.Series(False, index=series.index)  # outside the documented range, found while parsing
    if has_offset.any():
        aware = pd.to_datetime(iso_text[has_offset], format="ISO8601", utc=True, errors="coerce")
        aware, early[has_offset] = _within_range(aware, _FIRST_TIME, _LAST_TIME)
        result[has_offset] = aware.dt.tz_convert(TIMEZONE).dt.as_unit("ns")
    naive_mask = ~has_offset & ~blank
    if naive_mask.any():
        naive = _parse_naive(iso_text[naive_mask])
        naive, early[naive_mask] = _within_range(naive, _FIRST_TIME.tz_localize(None), _LAST_TIME.tz_localize(None))
        naive = naive.dt.as_unit("ns")
        localised = naive.dt.tz_localize(TIMEZONE, ambiguous=np.ones(len(naive), dtype=bool),
                                         nonexistent="shift_forward")
        result[naive_mask] = localised
        if localised.notna().any():
            problems.note(
                f"{problems.file}: {int(localised.notna().sum())} timestamp(s) in column '{column}' have no "
                f"time zone and were read as Kyiv local time ({TIMEZONE})"
            )
    outside = early | (result.notna() & ((result < _FIRST_TIME) | (result >= _LAST_TIME)))
    for line, value in text[outside].items():
        problems.add("date_out_of_range", f"'{value}' lies outside the dates gridimpact reads "
                     f"({DATE_MIN} … {DATE_MAX})", line=line, column=column, value=value)
    bad = result.isna() & ~blank & ~outside
    result = result.where(~outside)
    for line, value in text[bad].items():
        problems.add(
            "not_a_time",
            f"'{value}' is not a date and time (use 2026-01-09 10:00, 2026-01-09T10:00+02:00 or 09.01.2026 10:00)",
            line=line, column=column, value=value,
        )
    if required:
        for line in series.index[blank]:
            problems.add("missing_value", "is empty but a date and time is required", line=line, column=column)
    return result


def _parse_naive(texts: pd.Series) -> pd.Series:
    """Texts without a recognised offset → naive timestamps (NaT where unreadable).

    pandas parses the whole column at once and raises if some cells still carry a zone it
    recognises (``+02``, ``UTC``) while others do not; then each cell is parsed on its own, and a cell
    with such a zone is unreadable (the message asks for a full ``+02:00`` offset or none)."""
    try:
        parsed = pd.to_datetime(texts, format="ISO8601", errors="coerce")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype) or parsed.dtype == object:
            raise TypeError("zone-aware cells among naive ones")
        return parsed
    except (ValueError, TypeError, OverflowError):
        return pd.Series([_naive_or_nat(text) for text in texts], index=texts.index, dtype="datetime64[ns]")


def _naive_or_nat(text: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return pd.NaT
    if stamp is pd.NaT or stamp.tzinfo is not None or not _FIRST_TIME.tz_localize(None) <= stamp < _LAST_TIME.tz_localize(None):
        return pd.NaT
    return stamp


def _within_range(times: pd.Series, first: pd.Timestamp, last: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Times outside [first, last) set to NaT, and the mask of those: pandas may parse a year such
    as 9999 at a coarser resolution that a nanosecond column cannot hold."""
    outside = times.notna() & ((times < first) | (times >= last))
    return times.where(~outside), outside


def _day_first_to_iso(match: re.Match) -> str:
    day, month, year, hour, minute, second = match.groups()
    iso = f"{year}-{int(month):02d}-{int(day):02d}"
    if hour is not None:
        iso += f" {int(hour):02d}:{minute}:{second or '00'}"
    return iso


def parse_dates(series: pd.Series, column: str, problems: FileProblems) -> pd.Series:
    """Text → naive calendar dates (midnight Timestamps), day-first ``09.01.2026`` or ISO."""
    text = series.astype(str).str.strip()
    iso_text = text.str.replace(_DAY_FIRST, _day_first_to_iso, regex=True)
    values = pd.to_datetime(iso_text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    for line, value in text[values.isna()].items():
        problems.add("not_a_date", f"'{value}' is not a date (use 2026-01-09 or 09.01.2026)",
                     line=line, column=column, value=value)
    outside = values.notna() & ((values < pd.Timestamp(DATE_MIN)) | (values > pd.Timestamp(DATE_MAX)))
    for line, value in text[outside].items():
        problems.add("date_out_of_range", f"'{value}' lies outside the dates gridimpact reads "
                     f"({DATE_MIN} … {DATE_MAX})", line=line, column=column, value=value)
    return values.where(~outside)


def parse_regions(series: pd.Series, column: str, problems: FileProblems,
                  registry: Registry | None = None) -> pd.Series:
    """Names, aliases or codes → p-codes; each distinct unknown name is reported with suggestions."""
    registry = registry or default_registry()
    text = series.astype(str).str.strip()
    codes: dict[str, str | None] = {}
    for value in text.unique():
        try:
            codes[value] = registry.resolve(value).pcode if value else None
        except UnknownRegionError as exc:
            codes[value] = None
            lines = text.index[text == value]
            more = f" (and {len(lines) - 1} more line(s))" if len(lines) > 1 else ""
            hint = f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else ""
            problems.add("unknown_region", f"'{value}' is not a known region{hint}{more}",
                         line=lines[0], column=column, value=value)
    for line in text.index[text == ""]:
        problems.add("missing_value", "is empty but a region is required", line=line, column=column)
    return text.map(codes)


def parse_choice(series: pd.Series, column: str, problems: FileProblems,
                 choices: dict[str, str]) -> pd.Series:
    """Text → one of a controlled vocabulary via a synonym map (keys already lower-case)."""
    text = series.astype(str).str.strip()
    mapped = text.str.lower().map(choices)
    allowed = sorted(set(choices.values()))
    for line, value in text[mapped.isna()].items():
        problems.add("not_allowed", f"'{value}' is not one of {', '.join(allowed)}",
                     line=line, column=column, value=value)
    return mapped
