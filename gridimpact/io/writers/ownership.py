"""Output files gridimpact may replace: its own, never a file of the same name that someone else put
in the folder (``compare -o DIR`` into a folder that holds an analyst's own ``comparison.csv``).

A table is taken as gridimpact's when its first text (``io.head_text``) names, in order, the first
columns gridimpact writes into it: that holds for every earlier version's tables of the same kind,
and not for an unrelated file. A figure (PNG) is gridimpact's when its "Software" text chunk says
``gridimpact``; one with no such chunk, as earlier versions wrote them, only when the table it is
drawn from lies beside it and is gridimpact's. Every target is checked before anything is written,
so a refusal leaves the folder as it was.
"""

from __future__ import annotations

import csv
import re
import struct
from pathlib import Path

from gridimpact.errors import OutputError
from gridimpact.io.head_text import head_text

LINE_TABLES = {".csv": ",", ".tsv": "\t", ".md": "|"}
"""Text tables whose first line is their header, with its separator."""

MARKER_COLUMNS = 3
"""How many of a table's first column names an existing file must show to be taken as gridimpact's."""


FIGURE_SOFTWARE = "gridimpact"
"""The "Software" text of every PNG gridimpact writes: the mark that lets a later run replace it."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def first_columns(frame) -> tuple[str, ...]:
    """The first column names of a table: what a file of it written before must show."""
    return tuple(str(c) for c in frame.columns[:MARKER_COLUMNS])


def looks_written_by_gridimpact(path: Path, names: tuple[str, ...]) -> bool:
    """Whether the file at ``path`` starts as gridimpact's tables of its kind start: a CSV, TSV or
    Markdown file with ``names`` as the first cells of its first line, a JSON file with them as the
    first keys of its first record; a workbook or Parquet file (no lines to hold a header) with
    them in this order near its start, each as a whole name (``adm1_name`` is not found in
    ``adm1_name_en``). A prose file that mentions the names is not taken."""
    if not path.is_file():
        return False
    text = head_text(path, 16384)
    suffix = path.suffix.lower()
    if suffix in LINE_TABLES:
        line = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
        cells = next(csv.reader([line], delimiter=LINE_TABLES[suffix]), [])
        if suffix == ".md":
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        return tuple(cells[:len(names)]) == tuple(names)
    if suffix == ".json":
        record = text.lstrip().removeprefix("[").lstrip().split("}", 1)[0]
        keys = re.findall(r'"((?:[^"\\]|\\.)*)"\s*:', record) if record.startswith("{") else []
        return tuple(keys[:len(names)]) == tuple(names)
    at = 0
    for name in names:
        found = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])").search(text, at)
        if found is None:
            return False
        at = found.end()
    return True


def png_software(path: Path) -> str | None:
    """The "Software" text chunk of the PNG at ``path`` (None when it has none or is no PNG)."""
    return _png_head(path)[1]


def _png_head(path: Path) -> tuple[bool, str | None]:
    """Whether ``path`` is a PNG, and its "Software" text. Text chunks come before the image data
    in the files matplotlib writes, so the walk stops at the first IDAT chunk."""
    try:
        with open(path, "rb") as stream:
            if stream.read(8) != PNG_SIGNATURE:
                return False, None
            while True:
                head = stream.read(8)
                if len(head) < 8:
                    return True, None
                length, kind = struct.unpack(">I4s", head)
                if kind in (b"IDAT", b"IEND"):
                    return True, None
                body = stream.read(length)
                stream.seek(4, 1)  # the chunk's CRC
                if kind == b"tEXt" and body.partition(b"\0")[0] == b"Software":
                    return True, body.partition(b"\0")[2].decode("latin-1")
    except OSError:
        return False, None


def figure_written_by_gridimpact(path: Path, table: Path | None, names: tuple[str, ...] = ()) -> bool:
    """Whether the PNG at ``path`` is gridimpact's: marked as such, or unmarked (as earlier versions
    wrote figures) beside ``table``, the gridimpact table (first columns ``names``) it draws."""
    is_png, software = _png_head(path)
    if software is not None:
        return software == FIGURE_SOFTWARE
    return is_png and table is not None and bool(names) and looks_written_by_gridimpact(table, names)


def refuse_to_replace_others(targets: dict[Path, tuple[str, ...]],
                             figures: dict[Path, Path | None] | None = None) -> None:
    """Raise OutputError (exit 73) naming every existing target that gridimpact did not write;
    ``targets`` maps each table about to be written to the names its content starts with,
    ``figures`` each PNG about to be written to the table it is drawn from (None if none)."""
    foreign = [path for path, names in targets.items()
               if path.exists() and not looks_written_by_gridimpact(path, names)]
    for path, table in (figures or {}).items():
        if path.exists() and not figure_written_by_gridimpact(path, table, targets.get(table, ())):
            foreign.append(path)
    if foreign:
        listed = ", ".join(path.name for path in foreign)
        raise OutputError(f"{foreign[0].parent} holds {listed}, which gridimpact did not write: nothing was "
                          "written. Move the file(s) away or choose another folder (-o DIR).")
