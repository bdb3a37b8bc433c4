"""Reading the climatology table (``data/climatology.csv`` or a user's): monthly normals and
anomaly statistics per region, validated like every input (see docs/model.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridimpact.io.readers.cells import parse_numbers
from gridimpact.io.readers.problems import FileProblems, validate_frame
from gridimpact.io.readers.tables import display_name, pick_columns, read_table
from gridimpact.model.climatology import Climatology
from gridimpact.resources import data_dir
from gridimpact.vocab import CLIMATOLOGY_COLUMNS, CLIMATOLOGY_NUMBERS, FALLBACK_REGION


def load_climatology(path: Path | str | None = None) -> Climatology:
    """Read and validate a climatology table (default: ``data/climatology.csv``).

    A missing file raises ``InputMissingError``; any bad cell, duplicate (region, month), a
    minimum above the maximum or a missing ``UA`` fallback raises ``InvalidInputError`` listing
    every problem with its line.
    """
    frame, name = _read_table(Path(path) if path is not None else data_dir() / "climatology.csv")
    return Climatology.from_frame(frame, name)


def _read_table(path: Path) -> tuple[pd.DataFrame, str]:
    problems = FileProblems(display_name(path))
    raw = read_table(path, problems)
    if raw is None:
        problems.raise_if_any()
    columns = pick_columns(raw, {name: () for name in CLIMATOLOGY_COLUMNS}, CLIMATOLOGY_COLUMNS)
    if columns is None:
        problems.raise_if_any()
    text = raw.frame
    frame = pd.DataFrame(index=text.index)
    frame["region"] = text[columns["region"]].astype(str).str.strip()
    frame["month"] = parse_numbers(text[columns["month"]], "month", problems,
                                   decimal_comma=raw.decimal_comma, required=True)
    for name in CLIMATOLOGY_NUMBERS:
        frame[name] = parse_numbers(text[columns[name]], name, problems,
                                    decimal_comma=raw.decimal_comma, required=True)
    for name in ("period", "source", "confidence", "method"):
        frame[name] = text[columns[name]].astype(str).str.strip()
    from gridimpact.schemas import ClimatologyTable  # pandera: files only

    _check_rows(frame, problems)
    valid = validate_frame(ClimatologyTable, frame, problems)
    problems.raise_if_any()
    valid = valid.assign(month=valid["month"].astype(int))
    return valid, problems.file


def _check_rows(frame: pd.DataFrame, problems) -> None:
    """Cross-column rules, each reported on its line."""
    month = frame["month"]
    for line, value in month[month.notna() & (month != month.round())].items():
        problems.add("not_whole_month", "the month must be a whole number 1-12", line=line,
                     column="month", value=value)
    both = frame["tmin_normal_c"].notna() & frame["tmax_normal_c"].notna()
    inverted = both & (frame["tmin_normal_c"] > frame["tmax_normal_c"])
    for line in frame.index[inverted]:
        problems.add("min_above_max", "the normal minimum is above the normal maximum", line=line,
                     column="tmin_normal_c", value=frame.at[line, "tmin_normal_c"])
    duplicated = frame.duplicated(["region", "month"], keep="first") & month.notna()
    for line in frame.index[duplicated]:
        problems.add("duplicate", f"region {frame.at[line, 'region']} month {month[line]:g} appears more than once",
                     line=line, column="month", value=f"{month[line]:g}")
    for line in frame.index[frame["source"] == ""]:
        problems.add("missing_source", "every row needs a source (a URL or publication, or how it was estimated)",
                     line=line, column="source")
    if not (frame["region"] == FALLBACK_REGION).any():
        problems.add("missing_fallback",
                     f"no row for the national fallback region '{FALLBACK_REGION}' (used for unlisted regions)",
                     column="region")
