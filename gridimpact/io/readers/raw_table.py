"""A table read as text: ``RawTable``, the checks of its header, and where its header starts.

Shared by the CSV, workbook and Parquet readers (``tables``, ``workbooks``), so that a table reads
the same whatever file it came in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from gridimpact.io.readers.problems import FileProblems
from gridimpact.regions import normalise

_NUMBER_LIKE = re.compile(r"[-+\u2212]?[\d\s.,:/%T-]*\d[\d\s.,:/%T-]*")
TITLE_ROWS_MAX = 10
"""How many rows of titles and notes may stand above a header (a report's name, its date, a blank row)."""


@dataclass
class RawTable:
    """A table read as text, with the file's dialect and any HXL tags."""

    frame: pd.DataFrame
    problems: FileProblems
    delimiter: str = ","
    tags: dict[str, str] = field(default_factory=dict)
    header_line: int = 1
    """The header's line (or spreadsheet row): 1 unless a title stands above it."""

    @property
    def decimal_comma(self) -> bool:
        """Whether ``12,5`` is twelve and a half: in a file whose separator is not a comma."""
        return self.delimiter != ","


def is_hxl_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and sum(c.startswith("#") for c in filled) >= max(1, len(filled) // 2)


def header_index(rows: list[list[str]]) -> int:
    """The index of the header among ``rows``: 0 unless titles stand above it.

    Reports exported from a spreadsheet often open with a title ("Графік відключень, 12.01.2026",
    which a comma may split in two) and a blank row. A row of at most two filled cells is a title
    when the next row of two or more is one of names only (a header, not an HXL tag row) and the
    title has one cell, or fewer than that header, or a year or a date where a header holds names.
    Anything else is read as before: the first row is the header."""
    head = [[str(cell).strip() for cell in row if str(cell).strip()] for row in rows[:TITLE_ROWS_MAX + 1]]
    for index, cells in enumerate(head):
        if not cells:
            continue
        if len(cells) > 2:
            return index
        following = next((row for row in head[index + 1:] if len(row) >= 2), None)
        names_follow = (following is not None and not is_hxl_row(following)
                        and not any(map(_number_like, following)))
        title = names_follow and (len(cells) <= 1 or len(following) > len(cells) or any(map(_number_like, cells)))
        if not title:
            return index
    return 0


def _number_like(cell: str) -> bool:
    """A number, a date or a time ("2026", "12.01.2026", "2026-01-01T00:00:00"), not a name."""
    return bool(_NUMBER_LIKE.fullmatch(cell))


def note_titles(problems: FileProblems, rows_above: int, label: str) -> None:
    """Say that the rows above the header were set aside, and which the header is."""
    if rows_above:
        problems.note(f"{problems.file}: the header is {label} {rows_above + 1}; the {rows_above} "
                      f"{label}(s) above it (a title or notes) were not read")


_UNAMBIGUOUS_DECIMAL = r"^([+\-\u2212]?(?:\d{4,}|\d{1,3}(?=,\d{1,2}%?$|,\d{4,}%?$))),(\d+%?)$"
"""A number typed as text with one comma that can only be a decimal mark: '0,45', '15,7%', '1234,5'
(never '950,000', which could as well be nine hundred and fifty thousand)."""


def decimal_commas_as_points(frame: pd.DataFrame) -> pd.DataFrame:
    """A workbook's text cells with an unambiguous decimal comma, written with a point; a comma that
    might group thousands is left, so that the number is refused rather than misread."""
    return frame.replace(_UNAMBIGUOUS_DECIMAL, r"\1.\2", regex=True)


def check_columns(columns: list[str], problems: FileProblems, line: int = 1) -> bool:
    ok = True
    seen: dict[str, int] = {}
    for position, name in enumerate(columns, start=1):
        key = normalise(name)
        if key in seen:
            problems.add(
                "duplicate_column",
                f"column '{name}' appears twice (columns {seen[key]} and {position})",
                line=line,
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


def alias_score(aliases: dict[str, tuple[str, ...]], at_least: int = 2):
    """A sheet score (``workbooks.choose_sheet``): 1 for a sheet whose header names ``at_least``
    columns of ``aliases`` (canonical names and their aliases, compared as ``regions.normalise``
    does), else 0; so the first such sheet is read, as it was before sheets were scored."""
    known = {normalise(name) for canonical, names in aliases.items() for name in (canonical, *names)}

    def score(sheet_name: str, header: list[str]) -> int:
        return int(sum(normalise(cell) in known for cell in header if cell) >= at_least)

    return score
