"""A table read as text: ``RawTable``, the checks of its header, and where its header starts.

Shared by the CSV, workbook and Parquet readers (``tables``, ``workbooks``), so that a table reads
the same whatever file it came in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from gridimpact.io.readers.problems import FileProblems
from gridimpact.regions import normalise

TITLE_ROWS_MAX = 10
"""How many rows of titles and notes may stand above a header (a report's name, its date, a blank row)."""


@dataclass
class RawTable:
    """A table read as text, with the file's dialect and any HXL tags."""

    frame: pd.DataFrame
    problems: FileProblems
    delimiter: str = ","
    tags: dict[str, str] = field(default_factory=dict)
    cells_apart: bool = False
    """Cells stored apart (a workbook's), so a comma in a number typed as text is its decimal mark."""

    @property
    def decimal_comma(self) -> bool:
        """Whether ``12,5`` is twelve and a half: in a file whose separator is not a comma, and in
        a workbook's text cells ("2,910,994" is then no number, and reported, never misread)."""
        return self.cells_apart or self.delimiter != ","


def is_hxl_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and sum(c.startswith("#") for c in filled) >= max(1, len(filled) // 2)


def header_index(rows: list[list[str]]) -> int:
    """The index of the header among ``rows``: the first row of at least two filled cells and at
    least half as many as the widest of the first rows; 0 when no row has two.

    Reports exported from a spreadsheet often open with a title ("Графік відключень, 12.01.2026",
    which a comma may split in two) and a blank row; a table has at least two columns, and its
    header names all or nearly all of them."""
    head = rows[:TITLE_ROWS_MAX + 1]
    filled = [sum(bool(str(cell).strip()) for cell in row) for row in head]
    wanted = max(2, (max(filled, default=0) + 1) // 2)
    return next((index for index, count in enumerate(filled) if count >= wanted), 0)


def note_titles(problems: FileProblems, rows_above: int, label: str) -> None:
    """Say that the rows above the header were set aside, and which the header is."""
    if rows_above:
        problems.note(f"{problems.file}: the header is {label} {rows_above + 1}; the {rows_above} "
                      f"{label}(s) above it (a title or notes) were not read")


def check_columns(columns: list[str], problems: FileProblems) -> bool:
    ok = True
    seen: dict[str, int] = {}
    for position, name in enumerate(columns, start=1):
        key = normalise(name)
        if key in seen:
            problems.add(
                "duplicate_column",
                f"column '{name}' appears twice (columns {seen[key]} and {position})",
                line=1,
                column=name,
            )
            ok = False
        seen[key] = position
    return ok


def cell_text(value) -> str:
    """A typed cell (a spreadsheet's, a Parquet file's, a DataFrame's) as text that ``io.cells``
    parses back without loss."""
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def alias_score(aliases: dict[str, tuple[str, ...]]):
    """A sheet score (``workbooks.choose_sheet``): how many header cells name a column of ``aliases``
    (canonical names and their aliases, compared as ``regions.normalise`` does)."""
    known = {normalise(name) for canonical, names in aliases.items() for name in (canonical, *names)}

    def score(sheet_name: str, header: list[str]) -> int:
        return sum(normalise(cell) in known for cell in header if cell)

    return score
