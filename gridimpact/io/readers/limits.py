"""The limits every reader enforces, in one place: what a file may be, how big, and which values are
plausible. docs/inputs.md ("Limits") lists them for users.

- Only regular files are read (not a folder, a FIFO, a device such as ``/dev/zero``), up to
  ``max_input_bytes()``: 512 MB unless the environment variable ``GRIDIMPACT_MAX_INPUT_MB`` says
  otherwise. A gzip-compressed file may expand to the same limit.
- A CSV field may hold up to ``CSV_FIELD_LIMIT`` characters (Python's own default, 128 KiB).
- Counts of people and customers lie in [0, ``PEOPLE_MAX``]; dates in [``DATE_MIN``, ``DATE_MAX``].
"""

from __future__ import annotations

import json
import os
import stat
import zlib
from pathlib import Path

from gridimpact.errors import InputMissingError, InvalidInputError, Problem
from gridimpact.vocab import FIRST_YEAR, LAST_YEAR

MAX_INPUT_ENV = "GRIDIMPACT_MAX_INPUT_MB"
DEFAULT_MAX_INPUT_MB = 512
"""An hourly ERA5 download for all of Ukraine over a winter is tens of MB; 512 MB leaves room for
several winters while refusing a runaway file before it fills memory."""

CSV_FIELD_LIMIT = 131_072
"""Characters in one CSV field: the csv module's default limit, kept as the documented cap."""


DATE_MIN = f"{FIRST_YEAR}-01-01"
DATE_MAX = f"{LAST_YEAR}-12-31"
"""Dates accepted in inputs (inclusive, local calendar days): the years of ``vocab.FIRST_YEAR``
… ``vocab.LAST_YEAR``, the same as options take."""




def max_input_bytes() -> int:
    """The size cap for one input file, in bytes (``GRIDIMPACT_MAX_INPUT_MB``, default 512)."""
    text = os.environ.get(MAX_INPUT_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_INPUT_MB * 1_000_000
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = float("nan")
    if not megabytes > 0 or megabytes == float("inf"):
        raise InvalidInputError([Problem(MAX_INPUT_ENV, "bad_setting",
                                         f"{MAX_INPUT_ENV}={text!r} is not a positive number of MB")])
    return int(megabytes * 1_000_000)


def _too_big(path: Path, size_text: str) -> InvalidInputError:
    limit = max_input_bytes() / 1_000_000
    return InvalidInputError([Problem(str(path), "file_too_large",
                                      f"the file is {size_text}, over the {limit:g} MB limit for one input "
                                      f"file; set the environment variable {MAX_INPUT_ENV} to raise it")])


def check_regular_file(path: Path | str) -> Path:
    """The path, if it names a regular file within the size cap; else InputMissingError or a problem."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputMissingError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputMissingError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputMissingError(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputMissingError(f"{path}: is not a regular file (a device, pipe or socket); "
                                "save the data to a file first")
    if info.st_size > max_input_bytes():
        raise _too_big(path, f"{info.st_size / 1_000_000:,.1f} MB")
    return path


def open_bytes(path: Path | str) -> bytes:
    """The bytes of a regular file within the size cap, or InputMissingError (exit 66)."""
    path = check_regular_file(path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputMissingError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def gunzip(data: bytes, path: Path | str) -> bytes:
    """Decompress gzip data, refusing output over the size cap (a small file may expand hugely)."""
    limit = max_input_bytes()
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, limit + 1)
    if len(out) > limit:
        raise _too_big(Path(path), "over the limit once decompressed")
    if not inflater.eof:
        raise zlib.error("the compressed data ends early (a truncated file?)")
    return out


def decode_json(text: str, start: int = 0) -> tuple[object, int]:
    """``json`` decoding of ``text`` from ``start``: (value, end). A document nested too deeply for
    Python's parser is a ``json.JSONDecodeError`` like any other malformed JSON, not a crash."""
    try:
        return json.JSONDecoder().raw_decode(text, start)
    except RecursionError:
        raise json.JSONDecodeError("the document is nested too deeply to be data", text, start) from None


def loads_json(text: str) -> object:
    """``json.loads`` with the same guard as ``decode_json``; trailing text is an error."""
    value, end = decode_json(text, len(text) - len(text.lstrip()))
    if text[end:].strip():
        raise json.JSONDecodeError("Extra data", text, end + len(text[end:]) - len(text[end:].lstrip()))
    return value
