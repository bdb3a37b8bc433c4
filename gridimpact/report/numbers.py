"""One way to write a number and a date, for every place a person reads one.

The report's sentences, bullets and tables, the figure axes, the PDF brief and the terminal summary
all write numbers with ``quantity``: three significant figures, thousands separators, "million" and
"billion" spelled out ("1.37 million", "953,000", "412", "4.5"), a true minus sign (U+2212) and an
en dash for a missing value. The exact values stay in comparison.csv and impacts.csv.
"""

from __future__ import annotations

import math

import pandas as pd

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
MINUS = "\u2212"
MISSING = "\u2013"
_SCALES = ((1e9, "billion"), (1e6, "million"))


def missing(value) -> bool:
    """None, NaN or an infinity: nothing a reader can use."""
    if value is None:
        return True
    try:
        return not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def _three_figures(magnitude: float) -> float:
    """``magnitude`` rounded to three significant figures."""
    return float(f"{magnitude:.3g}")


def quantity(value, signed: bool = False) -> str:
    """A number as a person reads it: 1.37 billion · 1.37 million · 953,000 · 41,600 · 412 · 12 · 4.5.

    Three significant figures from 100 up; whole numbers from 10 to 100; one decimal below 10. A value
    that rounds to zero is ``0`` (no sign); ``signed`` puts + before a positive change; negative values
    carry − (U+2212); a missing value is an en dash.
    """
    if missing(value):
        return MISSING
    value = float(value)
    magnitude = abs(value)
    rounded = _three_figures(magnitude) if magnitude >= 99.5 else magnitude
    text = ""
    for scale, word in _SCALES:
        if rounded >= scale:
            text = f"{_three_figures(rounded / scale):g} {word}"
            break
    if not text:
        if rounded >= 99.5:
            text = f"{rounded:,.0f}"
        elif rounded >= 9.95:
            text = f"{rounded:.0f}"
        else:
            text = f"{rounded:.1f}".removesuffix(".0")
    if text == "0":
        return "0"
    if value < 0:
        return MINUS + text
    return ("+" + text) if signed else text


def error(value) -> str:
    """A standard error as a person reads it: ``quantity``, but with two significant figures below
    1, so that a small error (0.046 days) does not print as ``0`` beside a change it qualifies."""
    if missing(value):
        return MISSING
    magnitude = abs(float(value))
    if 0.0 < magnitude < 0.95:
        decimals = 1 - math.floor(math.log10(magnitude))
        return f"{magnitude:.{decimals}f}".rstrip("0").rstrip(".")
    return quantity(magnitude)


def plus_minus(change, standard_error) -> str:
    """A change with its standard error: ``−1.46 million ± 22,300``."""
    return f"{quantity(change, signed=True)} ± {error(standard_error)}"


def axis_scale(largest: float) -> tuple[float, str]:
    """(divisor, label suffix) for axis ticks: ticks up to 1.5 million read "1.5" under a label that
    ends "(millions)", so that long tick labels do not run into each other."""
    for scale, word in _SCALES:
        if abs(largest) >= scale:
            return scale, f" ({word}s)"
    return 1.0, ""


def share(value) -> str:
    """A share 0–1 as a whole percentage: 22%."""
    return MISSING if missing(value) else f"{float(value):.0%}"


def long_date(day) -> str:
    """30 January 2026 (English month names whatever the locale)."""
    stamp = pd.Timestamp(day)
    return f"{stamp.day} {MONTHS[stamp.month - 1]} {stamp.year}"


def short_date(day) -> str:
    """30 Jan (for axes; English month abbreviations whatever the locale)."""
    stamp = pd.Timestamp(day)
    return f"{stamp.day} {MONTHS[stamp.month - 1][:3]}"


def span(days) -> str:
    """30 January to 12 February 2026; one day as its long date; ``no days`` when empty."""
    days = pd.DatetimeIndex(days)
    if not len(days):
        return "no days"
    if len(days) == 1:
        return long_date(days[0])
    first, last = pd.Timestamp(days[0]), pd.Timestamp(days[-1])
    start = long_date(first) if first.year != last.year else f"{first.day} {MONTHS[first.month - 1]}"
    return f"{start} to {long_date(last)}"


def join(parts: list[str]) -> str:
    """a · a and b · a, b and c."""
    parts = list(parts)
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


STEADY_ERROR_SHARE = 0.05
"""A change whose standard error is above this share of it is named in the note on errors (``error_note``)."""


def error_share(difference, standard_error) -> float | None:
    """|standard error / change|, or None for a change of 0 or without a standard error."""
    if missing(difference) or missing(standard_error) or difference == 0:
        return None
    return abs(standard_error / difference)


def error_note(errors: list[tuple[float, str]], members: int, refined: bool = False) -> str:
    """One sentence on the Monte-Carlo error of the changes shown that are not zero (a zero change, a
    region the scenario leaves alone, has no relative error): how many have a standard error
    above ``STEADY_ERROR_SHARE`` of their value, the largest, and how many members would halve it
    (``refined``: some regions were given more than ``members``, so it halves theirs less)."""
    wide = sorted((e for e in errors if e[0] > STEADY_ERROR_SHARE), reverse=True)
    if not wide:
        return f"Every non-zero change shown has a standard error within {STEADY_ERROR_SHARE:.0%} of its value."
    share, what = wide[0]
    return (f"{len(wide)} of the {len(errors)} non-zero changes shown have a standard error above {STEADY_ERROR_SHARE:.0%} "
            f"of their value (the largest: {what}, {share:.0%}); four times the members (--members {4 * members}) "
            + ("halve the errors of the regions run at " + f"{members} (less for those given more)." if refined
               else "halve the errors."))
