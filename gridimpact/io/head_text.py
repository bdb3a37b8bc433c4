"""The first text of a file, whatever holds it: a text file's start, a workbook's cells, a Parquet
file's schema. Enough to tell what a file is (its family, whether gridimpact wrote it) without
reading it whole or importing a reader."""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

HEAD_BYTES = 4096
ARCHIVE_ERRORS = (OSError, EOFError, RuntimeError, ValueError, NotImplementedError, zipfile.BadZipFile, zlib.error)
"""What reading a damaged zip archive (a workbook) raises, from zlib, zipfile or its entries' own checks."""


def head_text(path: Path, size: int = HEAD_BYTES) -> str:
    """About ``size`` characters of ``path``'s text ("" when it cannot be read).

    A zip archive (a workbook) gives the text of its shared strings and sheets, which other writers
    than Excel keep inline; a Parquet file the end where it keeps its column names; a text file its
    start, as UTF-8, else Windows-1251, else Latin-1."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as book:
                parts = [name for name in book.namelist()
                         if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet")]
                data = b" ".join(book.open(name).read(size * 4) for name in parts)
            return re.sub(r"<[^>]*>", " ", data.decode("utf-8", "replace"))
        with open(path, "rb") as handle:
            data = handle.read(size)
            if data[:4] == b"PAR1":  # Parquet keeps its column names in the footer
                handle.seek(max(0, path.stat().st_size - size * 4))
                return handle.read().decode("latin-1")
    except ARCHIVE_ERRORS:  # a damaged file has no text to tell
        return ""
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
