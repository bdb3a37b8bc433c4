"""Excel workbooks as analysts have them: several sheets (notes beside the table), a title above
the header, typed cells.

The sheet read is the one named (``--sheet``, ``sheet=``), else the best by the family's own score
(population: ``codps.sheet_score``, the ADM1 sheet first; outages and temperature: the first sheet
whose header names their columns), else the first sheet that holds a table. Rows of titles and
notes above the header are set aside, and problems name spreadsheet rows as Excel numbers them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from gridimpact.errors import require
from gridimpact.io.readers.limits import check_regular_file
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.raw_table import (
    TITLE_ROWS_MAX,
    RawTable,
    cell_text,
    check_columns,
    decimal_commas_as_points,
    header_index,
    is_hxl_row,
    note_titles,
)

SheetScore = Callable[[str, list[str]], int]


def read_workbook(path: Path, problems: FileProblems, sheet: str | int | None = None,
                  sheet_score: SheetScore | None = None, sheet_strict: bool = True) -> RawTable | None:
    """One sheet of a workbook as text cells, indexed by spreadsheet row; None if unusable.
    ``sheet_strict`` false: a ``sheet`` the workbook lacks is passed over with a note (one
    ``--sheet`` serves the population workbook of a run that also reads other workbooks)."""
    require("openpyxl", "Reading Excel files", "excel")
    check_regular_file(path)
    problems.line_label = "row"
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            chosen = choose_sheet(book, problems, sheet, sheet_score, sheet_strict)
            if chosen is None:
                return None
            if len(book.sheet_names) > 1:  # every problem names the sheet: a wrong one shows at once
                problems.place = f"sheet '{chosen}'"
            cells = pd.read_excel(book, sheet_name=chosen, dtype=object, header=None, keep_default_na=False)
    # A corrupt workbook surfaces as any of zipfile, XML, KeyError, TypeError, ValueError… from
    # openpyxl's depths: each is the same fact for the user, the file cannot be read.
    except Exception as exc:
        problems.add("unreadable", f"cannot read the workbook (a corrupt or truncated .xlsx?): "
                     f"{type(exc).__name__}: {exc}")
        return None
    if cells.empty:
        problems.add("empty_file", "the sheet is empty: it has no header and no rows")
        return None
    text = cells.map(cell_text)
    top = header_index(text.head(TITLE_ROWS_MAX + 1).values.tolist())
    note_titles(problems, top, "row")
    header = [str(c).strip() for c in text.iloc[top]]
    body = text.iloc[top + 1:]
    # columns with neither a name nor a value are the sheet's formatting, not data
    kept = [i for i, name in enumerate(header) if name or (body.iloc[:, i] != "").any()]
    columns = [header[i] if header[i] else f"Unnamed: {i}" for i in kept]
    if not check_columns(columns, problems, line=top + 1):
        return None
    frame = body.iloc[:, kept].copy()
    frame.columns = columns
    # spreadsheet rows as Excel numbers them: the header's is top + 1
    frame.index = pd.Index(range(top + 2, top + 2 + len(frame)), name="line")
    tags: dict[str, str] = {}
    if len(frame) and is_hxl_row(list(frame.iloc[0])):
        tags = {c: t for c, t in zip(frame.columns, frame.iloc[0], strict=True) if t}
        frame = frame.iloc[1:]
    frame = frame[(frame != "").any(axis=1)]
    if frame.empty:
        problems.add("no_rows", "the sheet has a header but no data rows", line=top + 1)
        return None
    return RawTable(frame=decimal_commas_as_points(frame), problems=problems, delimiter=",", tags=tags,
                    header_line=top + 1)


def choose_sheet(book, problems: FileProblems, sheet, sheet_score: SheetScore | None,
                 strict: bool = True) -> str | None:
    """The sheet to read: the one asked for, else the best-scoring, else the first holding a table."""
    names = [str(name) for name in book.sheet_names]
    if sheet is not None:
        if str(sheet) in names:
            return str(sheet)
        position = int(sheet) if isinstance(sheet, str) and sheet.isdigit() else sheet  # --sheet 1: from 0
        if isinstance(position, int) and not isinstance(position, bool) and 0 <= position < len(names):
            return names[position]
        if strict:
            problems.add("no_such_sheet", f"the workbook has no sheet {sheet!r}; its sheets: {', '.join(names)}")
            return None
        problems.note(f"{problems.file}: no sheet {sheet!r} here (its sheets: {', '.join(names)}); "
                      "the sheet was chosen as without --sheet")
    if len(names) <= 1:
        return names[0] if names else None
    headers = {name: _header_cells(book, name) for name in names}
    scores = {name: sheet_score(name, cells) if sheet_score else 0 for name, cells in headers.items()}
    best = max(names, key=lambda name: scores[name])
    how = "by its columns"
    if scores[best] <= 0:
        tables = [name for name in names if sum(bool(cell) for cell in headers[name]) >= 2]
        best = tables[0] if tables else names[0]
        how = "the first sheet that holds a table"
    others = [name for name in names if name != best]
    problems.note(f"{problems.file}: read the sheet '{best}' ({how}; the workbook also has "
                  f"{', '.join(others)}; pass --sheet NAME, or sheet= in Python, to read another)")
    return best


def _header_cells(book, name: str) -> list[str]:
    """The header cells of a sheet, below any title rows ([] for an empty sheet)."""
    head = pd.read_excel(book, sheet_name=name, header=None, nrows=TITLE_ROWS_MAX + 1, dtype=object,
                         keep_default_na=False)
    rows = head.map(cell_text).values.tolist()
    return [str(c).strip() for c in rows[header_index(rows)]] if rows else []
