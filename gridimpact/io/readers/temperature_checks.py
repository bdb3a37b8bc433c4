"""Validating temperature readings with their pandera schema, each problem located in the file's
own terms: its line (or ``where``), its column name, and a temperature out of range in °C beside
the value as the file gave it."""

from __future__ import annotations

import dataclasses

import pandas as pd

from gridimpact.io.readers.problems import FileProblems, validate_frame
from gridimpact.io.readers.readings import UNIT_SYMBOLS, from_celsius

TEMPERATURE_COLUMNS = ("temperature_c", "tmin_c", "tmax_c", "tmean_c")
_RANGE_RULES = ("above_maximum", "below_minimum")
_RANGE_HINT = "temperatures must lie between −90 and 60 °C; check the unit declared for the column"


def validate_located(model, frame: pd.DataFrame, problems: FileProblems,
                     column_names: dict[str, str] | None = None,
                     units: dict[str, str] | None = None) -> pd.DataFrame | None:
    """Validate readings with a pandera model and locate each failure by its ``line`` or ``where``.

    A temperature out of range is shown in °C, and as the file gave it when ``units`` says the
    column was converted (``400.5 K = 127.35 °C``). Returns the valid frame (with ``line`` and
    ``where`` kept) or None when anything failed.
    """
    body = frame.reset_index(drop=True)
    scratch = FileProblems(problems.file, problems.line_label)
    valid = validate_frame(model, body, scratch, {"temperature_c": _RANGE_HINT},
                           dict.fromkeys(TEMPERATURE_COLUMNS, "°C"))
    names = column_names or {}
    # A value the parser already refused (not a date, not a number) is not reported again as missing.
    reported = {(p.line, p.column) for p in problems.items}
    for item in scratch.items:
        line, where = None, item.where
        if item.line is not None and 0 <= item.line < len(body):
            found = body["line"].iat[item.line]
            if pd.notna(found):
                line = int(found)
            else:
                where = body["where"].iat[item.line]
        column = names.get(item.column, item.column)
        if item.rule == "missing_value" and (line, column) in reported:
            continue
        if item.column in TEMPERATURE_COLUMNS and item.rule in _RANGE_RULES:
            item = _in_units(item, (units or {}).get(item.column))
        problems.items.append(dataclasses.replace(item, line=line, where=where, column=column,
                                                  line_label=problems.line_label))
    if valid is None:
        return None
    return valid.assign(line=body["line"].to_numpy(), where=body["where"].to_numpy())


def _in_units(item, unit: str | None):
    """A range problem of a temperature column with its value in °C, and also in ``unit`` when
    the file gave it so."""
    try:
        celsius = float(item.value)
    except (TypeError, ValueError):
        return item
    value = f"{celsius:.10g} °C"
    if unit is not None:
        value = f"{from_celsius(celsius, unit):.10g} {UNIT_SYMBOLS[unit]} = {value}"
    return dataclasses.replace(item, value=value)
