"""Observations: reported figures to calibrate and test the model against (``data/observations.csv``).

One row per reported figure: an operator's count of customers without power, a city's count of
buildings without heat, a resident's indoor thermometer reading. The format is documented in
docs/inputs.md ("Observations"); the shipped file uses it, and so may any user's file (CSV in any
common dialect, Excel, Parquet).

Conversions happen here, once, from the row's own ``unit``: an indoor temperature in ``K`` or
``degF`` becomes °C, a share in ``%`` becomes a fraction. Every problem in the file is reported at
once, located by line and column (exit 65); a missing or unreadable file is exit 66.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from gridimpact.io.readers.cells import parse_dates, parse_numbers, parse_regions
from gridimpact.io.readers.problems import FileProblems, validate_frame
from gridimpact.io.readers.tables import display_name, pick_columns, read_table
from gridimpact.resources import data_dir
from gridimpact.schemas import Observations
from gridimpact.vocab import OBSERVED_QUANTITIES

OBSERVATIONS_FILE = "observations.csv"
COLUMNS = ("id", "set", "date", "time", "pcode", "quantity", "scope", "value", "value_low", "value_high", "unit",
           "building_class", "heating", "supplementary_heat", "hours_without_heat", "outdoor_temp_c",
           "persons_per_building", "source", "confidence", "note")
NUMBER_COLUMNS = ("value", "value_low", "value_high", "hours_without_heat", "outdoor_temp_c", "persons_per_building")
CHOICE_COLUMNS = ("set", "quantity", "scope", "building_class", "heating", "supplementary_heat")
DEFAULT_SCOPE = "all"
"""A row without ``scope`` (or a file without the column) counts for any cause at the reported time."""
REQUIRED = ("id", "set", "date", "pcode", "quantity", "value", "unit", "source", "confidence")

_ALIASES = {
    "id": ("observation_id",),
    "set": ("use", "role"),
    "date": ("day",),
    "time": ("time_of_day",),
    "pcode": ("region", "adm1_pcode", "p_code"),
    "quantity": ("metric",),
    "scope": ("counts",),
    "value": (),
    "value_low": ("low",),
    "value_high": ("high",),
    "unit": ("units",),
    "building_class": ("building",),
    "heating": ("heating_system",),
    "supplementary_heat": ("extra_heat",),
    "hours_without_heat": (),
    "outdoor_temp_c": ("outdoor_temperature_c",),
    "persons_per_building": (),
    "source": ("sources", "source_url"),
    "confidence": (),
    "note": ("notes",),
}

# Units a file may state and how each becomes the canonical one: (canonical unit, a·x + b).
_TEMPERATURE_UNITS = {"degc": (1.0, 0.0), "°c": (1.0, 0.0), "c": (1.0, 0.0), "k": (1.0, -273.15),
                      "degf": (5 / 9, -32 * 5 / 9), "°f": (5 / 9, -32 * 5 / 9)}
_SHARE_UNITS = {"1": 1.0, "fraction": 1.0, "%": 0.01, "percent": 0.01}


def load_observations(source: str | Path | None = None, *, encoding: str | None = None) -> pd.DataFrame:
    """Read and validate an observations table; ``None`` reads the shipped ``data/observations.csv``.

    Returns one row per observation in the columns ``COLUMNS`` plus ``line`` (the row's line in the
    file), ``date`` as a calendar date (local, Europe/Kyiv), values in the canonical unit of their
    quantity (``vocab.OBSERVED_QUANTITIES``). Raises InvalidInputError holding every problem found,
    InputMissingError if the file does not exist or cannot be read.
    """
    path = data_dir() / OBSERVATIONS_FILE if source is None else Path(source)
    problems = FileProblems(display_name(path))
    raw = read_table(path, problems, encoding=encoding)
    if raw is None:
        problems.raise_if_any()
    columns = pick_columns(raw, _ALIASES, REQUIRED)
    problems.raise_if_any()
    rows = raw.frame
    comma = raw.decimal_comma
    frame = pd.DataFrame(index=rows.index)
    for name in COLUMNS:
        text = rows[columns[name]].astype(str).str.strip() if name in columns else pd.Series("", index=rows.index)
        if name == "date":
            frame[name] = parse_dates(text, columns[name], problems)
        elif name == "pcode":
            frame[name] = parse_regions(text, columns[name], problems)
        elif name in NUMBER_COLUMNS:
            frame[name] = parse_numbers(text.str.rstrip("%"), columns.get(name, name), problems,
                                        decimal_comma=comma, required=name in REQUIRED)
        elif name == "scope":
            frame[name] = text.str.lower().replace("", DEFAULT_SCOPE)
        elif name in CHOICE_COLUMNS or name == "time":
            frame[name] = text.str.lower().replace("", None)
        else:
            frame[name] = text.replace("", None)
    _to_canonical_units(frame, rows, columns, problems)
    valid = _validate(frame, columns, problems)
    problems.raise_if_any()
    valid = valid.reindex(columns=list(COLUMNS))
    valid.insert(0, "line", valid.index.astype(int))
    return valid.reset_index(drop=True)


def _to_canonical_units(frame: pd.DataFrame, rows: pd.DataFrame, columns: dict[str, str],
                        problems: FileProblems) -> None:
    """Indoor temperatures to °C, shares to fractions (a ``45%`` cell counts as ``%``)."""
    unit = frame["unit"].fillna("").str.lower()
    percent_cell = rows[columns["value"]].astype(str).str.strip().str.endswith("%")
    indoor = frame["quantity"] == "indoor_temperature_c"
    share = frame["quantity"] == "share_customers_without_power"
    for line in frame.index[indoor & unit.isin(list(_TEMPERATURE_UNITS))]:
        scale, offset = _TEMPERATURE_UNITS[unit[line]]
        for name in ("value", "value_low", "value_high"):
            frame.at[line, name] = frame.at[line, name] * scale + offset
        frame.at[line, "unit"] = "degC"
    for line in frame.index[share & (unit.isin(list(_SHARE_UNITS)) | percent_cell)]:
        factor = 0.01 if percent_cell[line] else _SHARE_UNITS[unit[line]]
        for name in ("value", "value_low", "value_high"):
            frame.at[line, name] = frame.at[line, name] * factor
        frame.at[line, "unit"] = "1"
    hinted = indoor & ~unit.isin(list(_TEMPERATURE_UNITS)) & (unit != "")
    for line in frame.index[hinted]:
        problems.add("unknown_unit", "an indoor temperature must be in degC, K or degF", line=line,
                     column=columns["unit"], value=frame.at[line, "unit"])


def _validate(frame: pd.DataFrame, columns: dict[str, str], problems: FileProblems) -> pd.DataFrame | None:
    """Schema checks, reported against the file's own column names; a cell already reported (a bad
    number left empty) is not reported again as missing."""
    found = FileProblems(problems.file, problems.line_label)
    valid = validate_frame(Observations, frame, found)
    reported = {(p.line, p.column) for p in problems.items}
    for problem in found.items:
        column = columns.get(problem.column, problem.column) if problem.column else None
        if (problem.line, column) in reported:
            continue
        if problem.rule == "unit_of_quantity" and problem.line in frame.index:
            quantity = frame.at[problem.line, "quantity"]
            problem = replace(problem, value=frame.at[problem.line, "unit"],
                              message=f"{problem.message}; {quantity} is given in {_unit_of(quantity)}")
        problems.items.append(replace(problem, column=column))
    return valid


def _unit_of(quantity: str) -> str:
    return OBSERVED_QUANTITIES.get(quantity, "one of the documented units")
