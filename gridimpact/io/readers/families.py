"""Which family (outages, temperature, population) a file given without an option belongs to.

``gridimpact validate FILE...`` and the positional inputs of every command take files without
``--outages``/``--temperature``/``--population``. The family is decided, in this order, by:

1. the file name: the prefixes a data folder uses (``outages…``, ``temperature…``, ``era5…``,
   ``population…``, ``cod-ps…`` …, see ``loader``);
2. the format: NetCDF, GRIB, GHCN-Daily ``.dly`` and zip archives are temperature; HTML pages are
   outage schedules (DTEK); JSON is temperature when it holds Open-Meteo's ``temperature_2m``,
   else outages (DTEK, Yasno);
3. the words of the first few kilobytes of a text table (its header and first rows), of a
   workbook's text cells, or of a Parquet file's schema, in English, Ukrainian and Russian: the
   family with the most matching words wins.

An empty file is invalid input (``empty_file``); a file that none of these decides is refused with
the options that name the family.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from gridimpact.errors import ArgumentError, InputMissingError, InvalidInputError, Problem
from gridimpact.io.head_text import ARCHIVE_ERRORS, head_text

FAMILIES = ("outages", "temperature", "population")
NAME_PREFIXES = {
    "outages": ("outage", "schedule", "dtek", "yasno"),
    "temperature": ("temperature", "era5", "open-meteo", "openmeteo", "meteostat", "ghcn"),
    "population": ("population", "cod-ps", "codps", "ukr_admpop"),
}
_TEMPERATURE_SUFFIXES = {".nc", ".nc4", ".netcdf", ".grib", ".grb", ".grib2", ".dly", ".zip"}
_OUTAGE_SUFFIXES = {".html", ".htm"}
_SNIFF_BYTES = 4096
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
_BLANK = b" \t\r\n;,"
_WORDS = {
    "outages": ("share_off", "customers_off", "subqueue", "queue", "gpv", "kind", "outage", "heat_lost",
                "черга", "черги", "гпв", "частка", "споживач", "відключ", "очеред", "отключ"),
    "temperature": ("temperature", "temp", "tavg", "tmin", "tmax", "tmean", "t2m", "температур", "tobs"),
    "population": ("population", "t_tl", "f_tl", "m_tl", "share_65plus", "age_range", "населення",
                   "население", "#population", "#affected"),
}
_TOKEN = re.compile(r"[#\w]+", re.UNICODE)


def family_of(path: Path) -> str:
    """The family of one input file, or ArgumentError saying how to name it."""
    path = Path(path)
    if not path.is_file():
        raise InputMissingError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if _holds_nothing(path):
        raise InvalidInputError([Problem(path.name, "empty_file", "the file is empty: it has no header and no rows")])
    if suffix in WORKBOOK_SUFFIXES:
        _check_workbook(path)
    name = path.name.lower()
    for family, prefixes in NAME_PREFIXES.items():
        if name.startswith(prefixes):
            return family
    if suffix in _TEMPERATURE_SUFFIXES:
        return "temperature"
    if suffix in _OUTAGE_SUFFIXES:
        return "outages"
    head = _head(path)
    if suffix == ".json":
        return "temperature" if "temperature_2m" in head else "outages"
    scores = {family: _score(head, words) for family, words in _WORDS.items()}
    best = max(scores.values())
    winners = [family for family, score in scores.items() if score == best]
    if best > 0 and len(winners) == 1:
        return winners[0]
    raise ArgumentError(f"{path}: cannot tell whether it holds outages, temperature or population; "
                        "name it with --outages, --temperature or --population")


def _check_workbook(path: Path) -> None:
    """InvalidInputError for a workbook that is damaged (``unreadable``) or whose sheets hold no cell
    (``empty_file``): its family cannot be told, but what is wrong with it can."""
    unreadable = InvalidInputError([Problem(path.name, "unreadable",
                                            "cannot read the workbook (a corrupt or truncated .xlsx?)")])
    try:
        with zipfile.ZipFile(path) as book:
            if book.testzip() is not None:
                raise unreadable
            sheets = [book.read(name) for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
            empty = not any(b"<c " in sheet or b"<c>" in sheet for sheet in sheets)
    except ARCHIVE_ERRORS:
        raise unreadable from None
    if empty:
        raise InvalidInputError([Problem(path.name, "empty_file", "the workbook's sheets hold no cell")])


def _holds_nothing(path: Path) -> bool:
    """Whether a file is empty, or holds only a byte-order mark, blank lines and separators."""
    if path.stat().st_size > _SNIFF_BYTES * 16:
        return False
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: every character has a NUL beside it
        data = data[2:].replace(b"\x00", b"")
    return not data.removeprefix(b"\xef\xbb\xbf").strip(_BLANK)


def _head(path: Path) -> str:
    """The first text of a file, lower-cased (``io.head_text``: a workbook's cells, a Parquet file's schema)."""
    return head_text(path, _SNIFF_BYTES).lower()


def _score(text: str, words: tuple[str, ...]) -> int:
    tokens = _TOKEN.findall(text)
    return sum(1 for token in tokens for word in words if token.startswith(word))


def header_score(family: str):
    """A sheet score (``workbooks.choose_sheet``): 1 for a sheet whose header has a word of
    ``family`` (the words that tell a file's family), else 0; so the first such sheet is read."""
    words = _WORDS[family]

    def score(sheet_name: str, header: list[str]) -> int:
        return int(_score(" ".join(header).lower(), words) > 0)

    return score


def split_by_family(paths, refused: dict | None = None) -> dict[str, list[Path]]:
    """Files by family, in the order given. With ``refused`` (a dict), a file whose family cannot
    be told, or that is missing or empty, is kept there with its error instead of raising it, so
    that ``validate`` reports it beside the others."""
    found: dict[str, list[Path]] = {family: [] for family in FAMILIES}
    for path in paths:
        try:
            found[family_of(path)].append(Path(path))
        except (ArgumentError, InputMissingError, InvalidInputError) as exc:
            if refused is None:
                raise
            refused[Path(path)] = exc
    return found
