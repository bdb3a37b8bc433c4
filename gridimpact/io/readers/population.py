"""Population input: OCHA COD-PS tables or the canonical table, and the embedded housing shares.

Every format ends as one ``schemas.Population`` table: people per unit, the shares aged 65+ and 0–4
and — filled from ``data/housing.csv`` where the file gives none — the heating-system and
building-class shares. The format is recognised from the columns:

- **COD-PS long** has a population-group column (``Population_group`` or ``#population+group``);
- **COD-PS wide** has count columns such as ``T_TL`` or ``F_00_04`` (or their HXL tags);
- anything else is read as the **canonical** table (``region, population, share_65plus, …``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from gridimpact.errors import InputMissingError
from gridimpact.inputs import PopulationData
from gridimpact.io.readers import codps
from gridimpact.io.readers.cells import parse_numbers, parse_shares
from gridimpact.io.readers.problems import FileProblems, validate_frame
from gridimpact.io.readers.tables import RawTable, display_name, pick_columns, read_table
from gridimpact.regions import normalise
from gridimpact.resources import data_dir
from gridimpact.vocab import BUILDING_SHARE_COLUMNS, HEATING_SHARE_COLUMNS

POPULATION_COLUMNS = ("pcode", "population", "share_65plus", "share_0_4", *HEATING_SHARE_COLUMNS,
                      *BUILDING_SHARE_COLUMNS, "customers", "source")
RANGE_COLUMNS = ("population_low", "population_high", "customers_low", "customers_high")
"""Optional documented ranges, sampled in ensembles (docs/inputs.md)."""
SHARE_COLUMNS = (*HEATING_SHARE_COLUMNS, *BUILDING_SHARE_COLUMNS)
HOUSING_FILE = "housing.csv"
NATIONAL_CODE = "UA"
"""The row of ``housing.csv`` used for a unit that has no row of its own (nor its oblast)."""

_FRAME_NAME = "DataFrame"
_PERCENT_HINT = "a percentage needs its sign (15.7%); otherwise write a fraction (0.157)"
_HINTS = {column: _PERCENT_HINT for column in ("share_65plus", "share_0_4", *SHARE_COLUMNS)}

_CANONICAL_ALIASES = {
    "region": ("pcode", "p_code", "adm1_pcode", "admin1Pcode", "oblast", "область", "регіон"),
    "population": ("people", "total_population", "населення"),
    "share_65plus": ("share_65_plus", "share_elderly"),
    "share_0_4": ("share_00_04", "share_under_5"),
    **{column: () for column in SHARE_COLUMNS},
    "customers": ("accounts", "electricity_customers"),
    "source": ("sources",),
    "basis": (),
    "population_basis": (),
    **{column: () for column in RANGE_COLUMNS},
}


def load_population(source, *, basis: str | None = None, fill_housing: bool = True,
                    encoding: str | None = None, sheet: str | int | None = None) -> PopulationData:
    """Read people per unit with their age shares from a COD-PS table, a canonical file or a DataFrame.

    ``source`` is a path (CSV in any common dialect, Excel, Parquet) or a DataFrame in canonical
    columns. ``basis`` picks a reference year of a COD-PS table (``"2022"``; by default the latest)
    or the rows of a canonical file's ``basis`` column (``"current"``). With ``fill_housing``, units
    whose file gives no heating-system (or no building-class) shares get them from the embedded
    estimates, ``housing_defaults()``; ``defaults_used`` names them. ``sheet`` names (or numbers, from
    0) the sheet of a workbook; by default the sheet whose columns make a population table is read
    (HDX's COD-PS workbooks hold one sheet per administrative level: ADM1 is preferred).

    Population is in persons, customers in electricity accounts, every share a fraction in [0, 1].
    Raises InvalidInputError holding every problem found, InputMissingError if the file is unreadable.
    """
    if isinstance(source, pd.DataFrame):
        problems = FileProblems(_FRAME_NAME, line_label="row")
        raw, files = _raw_from_frame(source, problems), ()
    else:
        problems = FileProblems(display_name(source))
        raw = read_table(Path(source), problems, encoding=encoding, sheet=sheet, sheet_score=codps.sheet_score)
        files = (str(source),)
    if raw is None:
        problems.raise_if_any()
    if codps.is_long(raw):
        read = codps.read_long(raw, basis, problems)
    elif codps.is_wide(raw):
        read = codps.read_wide(raw, basis, problems)
    else:
        read = _read_canonical(raw, basis, problems)
    frame = None
    if read is not None:
        table, names = read
        optional = [c for c in (*RANGE_COLUMNS, "population_basis") if c in table.columns]
        table = table.reindex(columns=[*POPULATION_COLUMNS, *optional])
        frame = _validate(table[table["pcode"].notna()], names, problems)
    problems.raise_if_any()
    frame = frame.sort_values("pcode", kind="stable").reset_index(drop=True)
    defaults_used: tuple[str, ...] = ()
    if fill_housing:
        frame, defaults_used = _fill_housing(frame, problems)
    return PopulationData(frame=frame, files=files, notes=tuple(problems.notes), defaults_used=defaults_used)


def _read_canonical(raw: RawTable, basis: str | None, problems: FileProblems):
    """The canonical table → (frame by line in ``POPULATION_COLUMNS``, file column per canonical name)."""
    columns = pick_columns(raw, _CANONICAL_ALIASES, ("region", "population", "share_65plus", "share_0_4"))
    if columns is None:
        return None
    rows = raw.frame
    basis_column = columns.get("basis")
    if basis_column is not None:
        rows = rows[codps.select_basis(rows[basis_column], basis_column, basis, problems, latest=False)]
    elif basis is not None:
        problems.note(f"{problems.file}: the file has no basis column; basis '{basis}' was ignored")
    comma = raw.decimal_comma
    frame = pd.DataFrame(index=rows.index)
    frame["pcode"] = codps.resolve_units(rows[columns["region"]], columns["region"], None, problems)
    frame["population"] = parse_numbers(rows[columns["population"]], columns["population"], problems,
                                        decimal_comma=comma, required=True)
    for name in ("share_65plus", "share_0_4", *SHARE_COLUMNS):
        if name in columns:
            frame[name] = parse_shares(rows[columns[name]], columns[name], problems, decimal_comma=comma,
                                       required=name in ("share_65plus", "share_0_4"))
    if "customers" in columns:
        frame["customers"] = parse_numbers(rows[columns["customers"]], columns["customers"], problems,
                                           decimal_comma=comma)
    for name in RANGE_COLUMNS:
        if name in columns:
            frame[name] = parse_numbers(rows[columns[name]], columns[name], problems, decimal_comma=comma)
    if "population_basis" in columns:
        frame["population_basis"] = rows[columns["population_basis"]].str.strip().replace("", None)
    if "source" in columns:
        frame["source"] = rows[columns["source"]].str.strip().replace("", None)
    else:
        frame["source"] = None if problems.file == _FRAME_NAME else problems.file
    basis_values = rows[basis_column].str.strip() if basis_column is not None and basis is None else None
    frame = codps.drop_repeated_units(frame, problems, columns["region"], basis_values)
    names = {canonical: column for canonical, column in columns.items()}
    names["pcode"] = columns["region"]
    return frame, names


def _raw_from_frame(frame: pd.DataFrame, problems: FileProblems) -> RawTable | None:
    """A DataFrame given in code, as text cells numbered by row (the first row is row 1)."""
    seen: set[str] = set()
    for name in map(str, frame.columns):
        if normalise(name) in seen:
            problems.add("duplicate_column", f"column '{name}' appears twice", line=1, column=name)
        seen.add(normalise(name))
    if frame.empty:
        problems.add("empty_file", "the table has no rows")
    if problems:
        return None

    def text(value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        return repr(float(value)) if isinstance(value, float) else str(value).strip()

    cells = frame.astype(object).map(text)
    cells.columns = [str(c) for c in frame.columns]
    cells.index = pd.Index(range(1, len(frame) + 1), name="line")
    return RawTable(frame=cells, problems=problems)


def _validate(frame: pd.DataFrame, names: dict[str, str], problems: FileProblems) -> pd.DataFrame | None:
    """The schema checks, reported against the file's own column names.

    A failure at a place already reported (a bad cell that left a value empty) is not repeated.
    """
    from gridimpact.schemas import Population  # pandera: files only

    found = FileProblems(problems.file, problems.line_label)
    valid = validate_frame(Population, frame, found, hints=_HINTS)
    reported = {(p.line, p.column) for p in problems.items}
    lines_with_problems = {p.line for p in problems.items}
    no_age_share = set(frame.index[frame[["share_65plus", "share_0_4"]].isna().any(axis=1)])
    # An age share above 1 also makes the two shares' sum exceed 1: one problem, not two.
    age_share_out_of_range = {p.line for p in found.items if p.column in ("share_65plus", "share_0_4")
                              and p.rule in ("above_maximum", "below_minimum")}
    for problem in found.items:
        column = names.get(problem.column, problem.column) if problem.column else None
        if problem.rule == "missing_value":
            knock_on = problem.line in lines_with_problems
        elif problem.rule == "age_shares":
            knock_on = (problem.line in age_share_out_of_range
                        or (problem.line in no_age_share and problem.line in lines_with_problems))
        else:
            knock_on = False
        if (problem.line, column) not in reported and not knock_on:
            problems.items.append(replace(problem, column=column))
    return valid


# ------------------------------------------------------------------------------------- housing
def housing_defaults() -> pd.DataFrame:
    """The embedded heating-system and building-class shares (fractions) per ADM1 p-code and ``UA``.

    Read from ``data/housing.csv`` (columns ``pcode``, the seven shares, ``confidence``, ``method``,
    ``sources``); the heating shares and the building shares of each row must each sum to 1
    (± ``schemas.SHARE_SUM_TOLERANCE``), and a national row ``UA`` must be present. Indexed by p-code.
    """
    from gridimpact.schemas import SHARE_SUM_TOLERANCE  # pandera: files only

    problems = FileProblems(HOUSING_FILE)
    raw = read_table(data_dir() / HOUSING_FILE, problems)
    if raw is None:
        problems.raise_if_any()
    aliases = {name: () for name in ("pcode", *SHARE_COLUMNS, "confidence", "method", "sources")}
    columns = pick_columns(raw, aliases, ("pcode", *SHARE_COLUMNS))
    problems.raise_if_any()
    rows = raw.frame
    frame = pd.DataFrame({"pcode": rows[columns["pcode"]].str.strip().str.upper()}, index=rows.index)
    for name in SHARE_COLUMNS:
        frame[name] = parse_shares(rows[columns[name]], columns[name], problems,
                                   decimal_comma=raw.decimal_comma, required=True)
        for line in frame.index[(frame[name] < 0) | (frame[name] > 1)]:
            problems.add("out_of_range", "a share must lie between 0 and 1", line=line, column=name,
                         value=frame.at[line, name])
    for block, rule in ((HEATING_SHARE_COLUMNS, "heating_shares"), (BUILDING_SHARE_COLUMNS, "building_shares")):
        total = frame[list(block)].sum(axis=1, min_count=len(block))
        for line in frame.index[(total - 1.0).abs() > SHARE_SUM_TOLERANCE]:
            problems.add(rule, f"{', '.join(block)} sum to {total[line]:.3f}, not 1", line=line, column=block[0])
    for line in frame.index[frame["pcode"].duplicated()]:
        problems.add("duplicate", f"{frame.at[line, 'pcode']} appears more than once", line=line,
                     column="pcode", value=frame.at[line, "pcode"])
    if not (frame["pcode"] == NATIONAL_CODE).any():
        problems.add("missing_value", f"no national row '{NATIONAL_CODE}' to fall back on",
                     line=1, column="pcode")
    problems.raise_if_any()
    for name in ("confidence", "method", "sources"):
        frame[name] = rows[columns[name]].str.strip() if name in columns else ""
    return frame.set_index("pcode")


def _fill_housing(frame: pd.DataFrame, problems: FileProblems) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Fill each wholly empty block of heating or building shares; returns the frame and the units filled.

    A unit takes its own row of ``housing.csv``, else its oblast's (for a unit below oblast level),
    else the national row.
    """
    blocks = {"heating-system": list(HEATING_SHARE_COLUMNS), "building-class": list(BUILDING_SHARE_COLUMNS)}
    empty = {name: frame[cols].isna().all(axis=1) for name, cols in blocks.items()}
    if not any(mask.any() for mask in empty.values()):
        return frame, ()
    try:
        defaults = housing_defaults()
    except InputMissingError as exc:
        raise InputMissingError(
            f"the embedded housing estimates are missing ({exc}); give heating-system and building-class "
            "shares in the population file, or load it without filling them (fill_housing=False)"
        ) from exc

    def row_for(code: str) -> str:
        for candidate in (code, code[:4]):
            if candidate in defaults.index:
                return candidate
        return NATIONAL_CODE

    frame = frame.copy()
    rows = frame["pcode"].map(row_for)
    for name, cols in blocks.items():
        if empty[name].any():
            frame.loc[empty[name], cols] = defaults.loc[rows[empty[name]], cols].to_numpy()
    same = empty["heating-system"].equals(empty["building-class"])
    groups = {"heating-system and building-class": empty["heating-system"]} if same else empty
    for name, mask in groups.items():
        if not mask.any():
            continue
        codes = list(frame.loc[mask, "pcode"])
        national = [code for code, row in zip(codes, rows[mask], strict=True) if row == NATIONAL_CODE]
        text = (f"{problems.file}: {name} shares for {', '.join(codes)} were not given and were taken "
                f"from the embedded estimates ({HOUSING_FILE})")
        if national:
            text += f"; {', '.join(national)} took the national row"
        problems.note(text)
    filled = empty["heating-system"] | empty["building-class"]
    return frame, tuple(frame.loc[filled, "pcode"])
