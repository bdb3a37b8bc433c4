"""Reading tabular files as analysts have them: CSV in any common dialect, Excel, Parquet.

Everything is read as text first and typed later by ``io.cells``, so that a bad cell becomes a
located problem rather than a silent NaN. The index of a ``RawTable`` holds the physical line of
each row in the file (the header is line 1), or its row number in a spreadsheet.

CSV dialects handled: UTF-8 with or without a byte-order mark; ``,``, ``;`` or tab as separator (with
``;`` and tab, a comma inside a number is its decimal mark); an HXL hashtag row under the header;
quoted fields with embedded line breaks.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import pandas as pd

from gridimpact.errors import require
from gridimpact.io.readers.families import WORKBOOK_SUFFIXES as EXCEL_SUFFIXES
from gridimpact.io.readers.limits import CSV_FIELD_LIMIT, check_regular_file, open_bytes
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.raw_table import (
    TITLE_ROWS_MAX,
    RawTable,
    cell_text,
    check_columns,
    header_index,
    is_hxl_row,
    note_titles,
)
from gridimpact.io.readers.workbooks import SheetScore, read_workbook
from gridimpact.regions import normalise

TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
_QUOTED = re.compile(r'"[^"]*"')


def display_name(path: Path | str) -> str:
    return Path(path).name


def decode_text(data: bytes, problems: FileProblems, encoding: str | None = None) -> str | None:
    """Decode as UTF-8 (a BOM is dropped), or as UTF-16 when the file starts with a UTF-16 byte-order
    mark (Excel's "Unicode Text"), or report where the first undecodable byte is."""
    if encoding is None and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    if encoding is not None and _utf8_beyond_ascii(data) and not codecs.lookup(encoding).name.startswith("utf"):
        # Cyrillic in UTF-8 read as cp1251 gives "РљРёС—РІ", never an error: an 8-bit encoding was
        # asked for other files of the run (or by mistake); text that is UTF-8 is read as UTF-8
        problems.note(f"{problems.file}: the file is UTF-8 text and was read as UTF-8 "
                      f"(--encoding {encoding} is for files that are not)")
        encoding = None
    try:
        return data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(
            "encoding",
            f"the file is not valid {encoding or 'UTF-8'} text (byte 0x{data[exc.start]:02x} at line {line}).{_encoding_hint(data)}",
            line=line,
        )
        return None


def _encoding_hint(data: bytes) -> str:
    """What a file that is not UTF-8 most likely is, and what to do about it ('' if unclear)."""
    if data[:4] == b"PK\x03\x04":
        return " It is a zip archive: a workbook (.xlsx) saved under a text file's name? Give it its .xlsx name."
    try:
        data.decode("cp1251")
    except UnicodeDecodeError:
        return ""
    return (" It looks like Windows-1251 (Cyrillic Windows); save it as 'CSV UTF-8' or pass --encoding cp1251 "
            "(encoding='cp1251' in Python).")


def _utf8_beyond_ascii(data: bytes) -> bool:
    """Whether the bytes are UTF-8 text with some character beyond ASCII."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _table_delimiter(head: list[str]) -> str:
    """The separator of the first line, as always; but when that line is a title above the header
    (one cell, or no trace of the separator the next line is written with), the next line's."""
    lines = [line for line in head if line.strip()]
    first = sniff_delimiter(lines[0])
    if len(lines) < 2:
        return first
    second = sniff_delimiter(_QUOTED.sub("", lines[1]))
    one_cell = sum(bool(cell.strip()) for cell in _QUOTED.sub("", lines[0]).split(first)) <= 1
    if second != first and (one_cell or (second not in lines[0] and lines[1].count(second) >= 2)):
        return second
    return first


def read_csv_text(text: str, problems: FileProblems, *, skip_lines: int = 0,
                  header: bool = True, names: list[str] | None = None) -> RawTable | None:
    """Parse CSV text into a RawTable; ``skip_lines`` drops a preamble before the header."""
    lines = text.splitlines(keepends=True)
    body = "".join(lines[skip_lines:])
    if not body.lstrip("\ufeff").strip():
        problems.add("empty_file", "the file is empty: it has no header and no rows")
        return None
    delimiter = _table_delimiter(body.lstrip("\ufeff").splitlines()[:TITLE_ROWS_MAX + 1])
    parsed = _parse_records(body.lstrip("\ufeff"), delimiter, skip_lines, problems)
    if parsed is None:
        return None
    rows, line_numbers = parsed
    if not any(cell.strip() for row in rows for cell in row):
        problems.add("empty_file", "the file holds no values: only separators and blank lines")
        return None
    header_line = skip_lines + 1
    if header:
        top = header_index(rows)
        note_titles(problems, top, "line")
        columns = [c.strip() for c in rows[top]]
        header_line = line_numbers[top]
        rows, line_numbers = rows[top + 1:], line_numbers[top + 1:]
    else:
        width = max(len(r) for r in rows)
        columns = names or [f"column_{i + 1}" for i in range(width)]
    tags: dict[str, str] = {}
    if rows and is_hxl_row(rows[0]):
        tags = {col: tag.strip() for col, tag in zip(columns, rows[0], strict=False) if tag.strip()}
        rows, line_numbers = rows[1:], line_numbers[1:]
    keep = [i for i, r in enumerate(rows) if any(c.strip() for c in r)]
    rows = [rows[i] for i in keep]
    line_numbers = [line_numbers[i] for i in keep]
    if not check_columns(columns, problems, line=header_line):
        return None
    if not rows:
        problems.add("no_rows", "the file has a header but no data rows", line=header_line)
        return None
    width = len(columns)
    for row, line in zip(rows, line_numbers, strict=True):
        if len(row) > width and any(c.strip() for c in row[width:]):
            problems.add(
                "extra_cells",
                f"the row has {len(row)} cells but the header has {width} columns"
                + (" (a decimal comma in a comma-separated file?)" if delimiter == "," else ""),
                line=line,
            )
    padded = [(r + [""] * width)[:width] for r in rows]
    frame = pd.DataFrame(padded, columns=columns, index=pd.Index(line_numbers, name="line"), dtype=object)
    return RawTable(frame=frame, problems=problems, delimiter=delimiter, tags=tags, header_line=header_line)


def _parse_records(body: str, delimiter: str, skip_lines: int,
                   problems: FileProblems) -> tuple[list[list[str]], list[int]] | None:
    """CSV records with the physical line each starts on; a malformed record is a located problem.

    Strict parsing: a quote that is never closed would otherwise swallow the rest of the file into
    one field, and a field over ``CSV_FIELD_LIMIT`` characters is refused rather than read.
    """
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(body), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    start_line = skip_lines + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows, line_numbers
        except csv.Error as exc:
            problems.add("malformed_csv", _csv_error_text(str(exc)), line=start_line)
            return None
        rows.append(row)
        # reader.line_num is the physical line where the record ends; a record starts after the
        # previous one ended.
        line_numbers.append(start_line)
        start_line = skip_lines + reader.line_num + 1


def _csv_error_text(error: str) -> str:
    if "field larger than field limit" in error:
        return (f"a field is longer than {CSV_FIELD_LIMIT:,} characters (the limit for one CSV cell): "
                "an unclosed quote, or not a CSV file?")
    if "unexpected end of data" in error or "EOF" in error:
        return "a quote (\") opened in this record is never closed: the rest of the file would be one cell"
    if "expected after" in error:
        return "a closing quote (\") must be followed by the separator or the end of the line; double a quote inside a quoted cell (\"\")"
    if "NUL" in error or "null byte" in error.lower():
        return "the file holds a NUL byte: it is not a text file (a spreadsheet saved with a .csv name?)"
    return f"the CSV cannot be parsed: {error}"


def read_table(path: Path | str, problems: FileProblems | None = None, *,
               encoding: str | None = None, sheet: str | int | None = None,
               sheet_score: SheetScore | None = None, sheet_strict: bool = True) -> RawTable | None:
    """Read a CSV, Excel or Parquet file as text cells. Returns None if the file itself is unusable.

    For a workbook, ``sheet`` names the sheet (or numbers it from 0); without it, ``sheet_score``
    (sheet name, header cells → a score, 0 for "not this kind of table") picks the best sheet, and
    the first sheet that holds a table is read when no score is positive (``workbooks``). With
    ``sheet_strict`` false a ``sheet`` the workbook lacks is passed over with a note.
    """
    path = Path(path)
    # An empty FileProblems is falsy, so test for None: the caller must get its own collector back.
    problems = problems if problems is not None else FileProblems(display_name(path))
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return read_workbook(path, problems, sheet, sheet_score, sheet_strict)
    if suffix in PARQUET_SUFFIXES:
        return _read_parquet(path, problems)
    text = decode_text(open_bytes(path), problems, encoding)
    if text is None:
        return None
    return read_csv_text(text, problems)


def _read_parquet(path: Path, problems: FileProblems) -> RawTable | None:

    require("pyarrow", "Reading Parquet files", "parquet")
    check_regular_file(path)
    problems.line_label = "row"
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a corrupt file
        problems.add("unreadable", f"cannot read the Parquet file: {exc}")
        return None
    frame = frame.astype(object).map(cell_text)
    frame.index = pd.Index(range(1, len(frame) + 1), name="line")
    return RawTable(frame=frame, problems=problems, delimiter=",")


def pick_columns(raw: RawTable, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...],
                 hxl: dict[str, tuple[str, ...]] | None = None) -> dict[str, str] | None:
    """Map canonical names to the file's columns by alias (case- and accent-insensitive) or HXL tag.

    Reports each missing required column once, listing the columns the file does have.
    """
    by_key = {normalise(c): c for c in raw.frame.columns}
    found: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            if normalise(name) in by_key:
                found[canonical] = by_key[normalise(name)]
                break
    if hxl and raw.tags:
        for canonical, wanted in hxl.items():
            if canonical in found:
                continue
            for column, tag in raw.tags.items():
                if _tag_matches(tag, wanted):
                    found[canonical] = column
                    break
    missing = [c for c in required if c not in found]
    for name in missing:
        choices = " or ".join(repr(n) for n in (name, *aliases.get(name, ())[:3]))
        raw.problems.add(
            "missing_column",
            f"required column {choices} is missing; the file has: {', '.join(raw.frame.columns)}",
            line=raw.header_line,
            column=name,
        )
    return None if missing else found


def _tag_matches(tag: str, wanted: tuple[str, ...]) -> bool:
    """An HXL tag matches when it has the wanted hashtag and all wanted attributes (any order)."""
    parts = tag.strip().lower().replace(" ", "").split("+")
    want = [w.lower() for w in wanted]
    return parts[0] == want[0] and set(want[1:]) <= set(parts[1:])
