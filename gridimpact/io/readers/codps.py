"""OCHA COD-PS population tables (wide or long, with or without HXL) and the unit codes they carry.

A COD-PS table counts people per administrative unit by sex (T total, F, M) and five-year age band
(``T_00_04`` … ``T_80Plus``); ``T_TL`` is the unit's total. The wide layout has one column per count
and one row per unit; the long (global) layout has one row per unit and population group. Both may
carry an HXL hashtag row (``#adm1+code``, ``#population+elderly+age80plus+f``). This module turns
either into people and the shares aged 65+ and 0–4 per unit, indexed by the unit's line in the file.
"""

from __future__ import annotations

import re

import pandas as pd

from gridimpact.io.readers.age_bands import (  # noqa: F401 (re-exported for the population reader)
    AGE_BAND_TOLERANCE,
    ELDERLY_FROM_AGE,
    UNDER_FIVE_TO_AGE,
    Band,
    BandPlan,
    band_of_name,
    band_of_tag,
    plan_bands,
    shares_from_counts,
)
from gridimpact.io.readers.cells import parse_numbers, parse_regions
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.tables import RawTable
from gridimpact.regions import admin_level_of, default_registry, normalise

# COD-PS 2022 artefact (OCHA/UNFPA table as published; checked in the copy at GitHub
# seanywng/ukraine data/ukr_admpop_adm1_2022.csv, commit 85965ad4): the 0–4 band is 1.7 % of
# Donetsk and 1.1 % of Luhansk, and Donetsk's 80+ band (332,894 people) is nearly three times its
# 75–79 band (116,900).
IMPLAUSIBLE_AGE_BANDS = {"UA14": "Donetsk", "UA44": "Luhansk"}

_PCODE_DIGITS = {1: 2, 2: 4, 3: 7, 4: 10}


# ------------------------------------------------------------------------------ columns and units
def find_column(raw: RawTable, names: tuple[str, ...], tag: str | None = None) -> str | None:
    """The file's column named one of ``names`` (any case or spacing), else the one tagged ``tag``."""
    by_key = {normalise(c): c for c in raw.frame.columns}
    for name in names:
        if normalise(name) in by_key:
            return by_key[normalise(name)]
    if tag:
        for column, value in raw.tags.items():
            if value.strip().lower().replace(" ", "") == tag:
                return column
    return None


def pcode_column(raw: RawTable, problems: FileProblems) -> tuple[int, str] | None:
    """The finest administrative level whose p-code column has values, and that column."""
    found = None
    for level in (1, 2, 3, 4):
        names = (f"ADM{level}_PCODE", f"admin{level}Pcode", f"Admin{level}_Code")
        column = find_column(raw, names, f"#adm{level}+code")
        if column is not None and (raw.frame[column].str.strip() != "").any():
            found = (level, column)
    if found is None:
        problems.add("missing_column", "no p-code column (ADM1_PCODE, admin1Pcode, Admin1_Code, ADM2_PCODE, "
                     f"… or an HXL #adm1+code tag); the file has: {', '.join(raw.frame.columns)}",
                     line=1, column="ADM1_PCODE")
    return found


def ukraine_rows(raw: RawTable, problems: FileProblems) -> pd.DataFrame:
    """Rows for Ukraine only, when the file names a country per row (global COD-PS tables)."""
    frame = raw.frame
    column = find_column(raw, ("ISO3", "ADM0_PCODE", "Admin0_Code"), "#country+code") \
        or find_column(raw, (), "#adm0+code")
    if column is None:
        return frame
    country = frame[column].str.strip().str.upper()
    keep = country.isin(["UKR", "UA"]) | (country == "")
    if not keep.any():
        problems.add("no_rows", f"no row is for Ukraine (column '{column}' holds neither UKR nor UA)",
                     line=1, column=column)
    elif not keep.all():
        problems.note(f"{problems.file}: {int((~keep).sum())} row(s) for other countries were ignored")
    return frame[keep]


def resolve_units(series: pd.Series, column: str, level: int | None, problems: FileProblems) -> pd.Series:
    """P-codes (or, with ``level`` None, any region name or code) → p-codes; None where unknown.

    Units below oblast level are not in the region registry: a code of the right shape inside a
    known oblast is kept as given, and a note says so.
    """
    oblasts = {r.pcode for r in default_registry() if r.admin_level == 1}
    text = series.astype(str).str.strip()
    upper = text.str.upper()
    shape = upper.map(admin_level_of)
    inside = shape.ge(2) & upper.str[:4].isin(oblasts)
    result = pd.Series(None, index=series.index, dtype=object)
    if level is not None and level >= 2:
        good = inside & (shape == level)
        result[good] = upper[good]
        for value in text[~good & (text != "")].unique():
            problems.add("bad_code", f"'{value}' is not an ADM{level} p-code inside a known oblast (UA and "
                         f"{_PCODE_DIGITS[level]} digits)", line=text.index[text == value][0],
                         column=column, value=value)
        for line in text.index[text == ""]:
            problems.add("missing_value", "is empty but a p-code is required", line=line, column=column)
    else:
        if level is None:
            result[inside] = upper[inside]
        rest = result.isna()
        result[rest] = parse_regions(text[rest], column, problems)
    below = sorted(set(result[result.notna() & inside]))
    if below:
        problems.note(f"{problems.file}: {len(below)} unit(s) below oblast level (e.g. {below[0]}) are not "
                      "in the region registry and were kept with their p-codes as given")
    return result


def select_basis(values: pd.Series, column: str, basis: str | None, problems: FileProblems, *,
                 latest: bool) -> pd.Series:
    """A row mask for one basis (a reference year or a named basis such as ``current``).

    With ``basis`` None and ``latest``, the latest year is used and a note says so; without
    ``latest`` every row is kept (repeated units are then reported by ``drop_repeated_units``).
    """
    text = values.astype(str).str.strip()
    present = sorted(set(text) - {""})
    if basis is not None:
        mask = text.str.casefold() == str(basis).strip().casefold()
        if not mask.any():
            problems.add("unknown_basis", f"no row has basis '{basis}'; the file has: {', '.join(present)}",
                         line=1, column=column, value=basis)
        return mask
    if latest and len(present) > 1:
        chosen = max(present, key=lambda v: (v.isdigit(), int(v) if v.isdigit() else 0, v))
        problems.note(f"{problems.file}: the file holds years {', '.join(present)}; {chosen} was used "
                      f"(pass basis='{present[0]}' to choose another)")
        return text == chosen
    return pd.Series(True, index=values.index)


def drop_repeated_units(frame: pd.DataFrame, problems: FileProblems, column: str,
                        basis_values: pd.Series | None = None) -> pd.DataFrame:
    """Report every repeat of a unit (a basis choice when the repeats differ in basis); keep the first."""
    repeated = frame["pcode"].notna() & frame.duplicated("pcode", keep="first")
    for line in frame.index[repeated]:
        code = frame.at[line, "pcode"]
        lines = list(frame.index[frame["pcode"] == code])
        if basis_values is not None and basis_values[lines].nunique() > 1:
            choices = ", ".join(sorted(set(basis_values[lines])))
            problems.add("choose_basis", f"{code} has rows for several bases ({choices}); choose one with "
                         "basis=…", line=line, column=column, value=code)
        else:
            problems.add("duplicate", f"{code} appears more than once (lines {lines[0]} and {line})",
                         line=line, column=column, value=code)
    return frame[~repeated]


def _year_column(raw: RawTable) -> str | None:
    return find_column(raw, ("Reference_year", "year"), "#date+year") \
        or find_column(raw, ("Date_start",), "#date+start")


def _source(raw: RawTable, rows: pd.DataFrame, year_column: str | None, problems: FileProblems):
    column = find_column(raw, ("Source",), "#meta+source")
    if column is not None:
        return rows[column].str.strip().replace("", None)
    years = "" if year_column is None else " " + ", ".join(sorted(set(rows[year_column].str[:4]) - {""}))
    return f"OCHA COD-PS{years} ({problems.file})"


def _note_caveats(pcodes: pd.Series, problems: FileProblems) -> None:
    for code, name in IMPLAUSIBLE_AGE_BANDS.items():
        if (pcodes == code).any():
            problems.note(f"{problems.file}: the COD-PS 2022 age bands for {name} ({code}) are implausible "
                          "(too few under-fives, an oversized 80+ band); consider national age shares in a "
                          "canonical file for this oblast")


# ------------------------------------------------------------------------------------- readers
def sheet_score(name: str, header: list[str]) -> int:
    """How well a workbook sheet fits a COD-PS table: 0 if it is not one; ADM1 sheets score highest.

    HDX's COD-PS workbooks hold one sheet per level (``ukr_admpop_adm1_2022`` …) besides notes;
    the sheet is recognised by its count columns, its level by its name or its p-code columns.
    """
    keys = {normalise(cell) for cell in header}
    counts = any(band_of_name(cell) for cell in header) or "population group" in keys
    if not counts:
        return 0
    level = max((lvl for lvl in range(1, 5) if f"adm{lvl} pcode" in keys), default=None)
    named = re.search(r"adm(\d)", name.lower())
    level = level or (int(named.group(1)) if named else None)
    return 10 if level == 1 else 5 if level is not None else 1


def is_long(raw: RawTable) -> bool:
    return find_column(raw, ("Population_group",), "#population+group") is not None


def is_wide(raw: RawTable) -> bool:
    return any(band_of_name(c) or band_of_tag(raw.tags.get(c, "")) for c in raw.frame.columns)


def read_wide(raw: RawTable, basis: str | None, problems: FileProblems):
    """A wide COD-PS table → (frame of pcode, population, shares, source by line; file column names)."""
    rows = ukraine_rows(raw, problems)
    located = pcode_column(raw, problems)
    columns: dict[Band, str] = {}
    for column in raw.frame.columns:
        band = band_of_name(column) or band_of_tag(raw.tags.get(column, ""))
        if band is not None:
            columns.setdefault(band, column)
    plan = plan_bands(set(columns), problems)
    year_column = _year_column(raw)
    if year_column is not None:
        rows = rows[select_basis(rows[year_column].str[:4], year_column, basis, problems, latest=True)]
    elif basis is not None:
        problems.note(f"{problems.file}: the file has no year column; basis '{basis}' was ignored")
    if located is None or plan is None or rows.empty:
        return None
    level, code_column = located
    counts = {band: parse_numbers(rows[columns[band]], columns[band], problems,
                                  decimal_comma=raw.decimal_comma, required=True)
              for band in plan.bands}
    total_column = columns[plan.total[0]]
    frame = shares_from_counts(plan, counts, total_column, problems)
    codes = resolve_units(rows[code_column], code_column, level, problems)
    frame.insert(0, "pcode", codes.reindex(frame.index))
    source = _source(raw, rows, year_column, problems)
    frame["source"] = source.reindex(frame.index) if isinstance(source, pd.Series) else source
    _note_caveats(frame["pcode"], problems)
    frame = drop_repeated_units(frame, problems, code_column)
    return frame, {"pcode": code_column, "population": total_column}


def read_long(raw: RawTable, basis: str | None, problems: FileProblems):
    """A long (global) COD-PS table → the same as ``read_wide``, one row per unit at its first line."""
    rows = ukraine_rows(raw, problems)
    located = pcode_column(raw, problems)
    group_column = find_column(raw, ("Population_group",), "#population+group")
    value_column = find_column(raw, ("Population", "Value"), "#population")
    if value_column is None:
        problems.add("missing_column", "column 'Population' (the count) is missing", line=1, column="Population")
    year_column = _year_column(raw)
    if year_column is not None:
        rows = rows[select_basis(rows[year_column].str[:4], year_column, basis, problems, latest=True)]
    elif basis is not None:
        problems.note(f"{problems.file}: the file has no year column; basis '{basis}' was ignored")
    if located is None or value_column is None or rows.empty:
        return None
    level, code_column = located
    groups = rows[group_column].str.strip()
    bands = groups.map(band_of_name)
    for value in groups[bands.isna()].unique():
        problems.add("not_allowed", f"'{value}' is not a COD-PS population group such as T_TL, F_00_04 or "
                     "T_80Plus", line=groups.index[groups == value][0], column=group_column, value=value)
    long = pd.DataFrame({
        "pcode": resolve_units(rows[code_column], code_column, level, problems),
        "band": bands.map(lambda b: None if b is None else b.label),
        "value": parse_numbers(rows[value_column], value_column, problems,
                               decimal_comma=raw.decimal_comma, required=True),
    }).dropna(subset=["pcode", "band"])
    long["line"] = long.index
    repeated = long.duplicated(["pcode", "band"], keep="first")
    for line, row in long[repeated].iterrows():
        first = long.index[(long["pcode"] == row.pcode) & (long["band"] == row.band)][0]
        problems.add("duplicate", f"population group {row.band} for {row.pcode} appears more than once "
                     f"(lines {first} and {line})", line=line, column=group_column, value=row.band)
    long = long[~repeated]
    if long.empty:
        return None
    first_line = long.groupby("pcode")["line"].min()
    wide = long.pivot(index="pcode", columns="band", values="value").reindex(first_line.index)
    given = long.pivot(index="pcode", columns="band", values="line").reindex(first_line.index).notna()
    wide.index = given.index = pd.Index(first_line.to_numpy(), name="line")
    plan = plan_bands({band_of_name(label) for label in wide.columns}, problems)
    if plan is None:
        return None
    counts = {}
    for band in plan.bands:
        counts[band] = wide.get(band.label, pd.Series(float("nan"), index=wide.index))
        has_row = given.get(band.label, pd.Series(False, index=wide.index))
        for line in has_row.index[~has_row]:
            problems.add("missing_value", f"has no row for population group {band.label}",
                         line=line, column=group_column, value=band.label)
    frame = shares_from_counts(plan, counts, value_column, problems)
    unit_at_line = pd.Series(first_line.index.to_numpy(), index=first_line.to_numpy())
    frame.insert(0, "pcode", unit_at_line.reindex(frame.index))
    source = _source(raw, rows, year_column, problems)
    frame["source"] = source.reindex(frame.index).to_numpy() if isinstance(source, pd.Series) else source
    _note_caveats(frame["pcode"], problems)
    return frame, {"pcode": code_column, "population": value_column}
