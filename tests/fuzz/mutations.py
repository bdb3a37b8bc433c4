"""Seed files for every reader and the ways a file is damaged: random bytes, truncation, mutation.

Used by the property test (tests/test_io_fuzz.py) and the fuzzing runner (``python -m tests.fuzz.run``).
A reader passes when it returns or raises gridimpact's InvalidInputError (exit 65) or
InputMissingError (exit 66); any other exception would be exit 1 ("please report it as a bug").
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# Text that tends to break parsers: unclosed quotes, separators, huge, infinite and odd numbers,
# odd dates, deep nesting, NUL, a byte-order mark, Windows-1251 bytes, HTML.
TOKENS = [b'"', b'""', b",", b";", b"\t", b"\n", b"\r\n", b"inf", b"-inf", b"nan", b"1e308", b"-1e308",
          b"9" * 40, b"0x1F", b"2206-01-01", b"9999-12-31 25:61", b"00.00.0000", b"\x00", b"\xef\xbb\xbf",
          b"\xcf\xf0\xe8", b"{", b"}", b"[", b"]", b"[" * 3000, b'{"a":' * 1500, b"null", b"true", b"-",
          b"%", b"UA", b"UA99", b"GPV99.9", b"<html>", b"PK\x03\x04", b"\x89HDF\r\n\x1a\n", b"CDF\x01",
          b"\x1f\x8b\x08", b"e" * 200]


@dataclass(frozen=True)
class Seed:
    """One fixture: the family that reads it and its file name (the suffix drives the dispatch)."""

    family: str
    path: Path

    @property
    def label(self) -> str:
        return f"{self.family}/{self.path.name}"


def text_seeds() -> list[Seed]:
    """Every committed fixture, with its family from its folder."""
    seeds = []
    for family in ("outages", "temperature", "population"):
        for path in sorted((FIXTURES / family).iterdir()):
            if path.is_file() and path.suffix.lower() != ".md":
                seeds.append(Seed(family, path))
    return seeds


def binary_seeds(folder: Path) -> list[Seed]:
    """Container formats written on the fly (no binary file is committed): xlsx, NetCDF, zip, gzip."""
    import gzip
    import zipfile

    import numpy as np
    import pandas as pd
    import xarray as xr

    folder.mkdir(parents=True, exist_ok=True)
    seeds = []
    try:
        import openpyxl  # noqa: F401  (an optional extra: skip the workbook seed without it)

        frame = pd.read_csv(FIXTURES / "population" / "canonical_plain.csv", dtype=str)
        workbook = folder / "population.xlsx"
        frame.to_excel(workbook, index=False)
        seeds.append(Seed("population", workbook))
        reports = pd.read_csv(FIXTURES / "outages" / "reports_iso.csv", dtype=str)
        outages_book = folder / "outages.xlsx"
        reports.to_excel(outages_book, index=False)
        seeds.append(Seed("outages", outages_book))
    except ImportError:
        pass
    times = pd.date_range("2026-01-09T00:00", periods=6, freq="h")
    values = 270.0 + np.arange(6 * 2 * 3, dtype="float32").reshape(6, 2, 3) / 10
    dataset = xr.Dataset({"t2m": (("valid_time", "latitude", "longitude"), values, {"units": "K"})},
                         coords={"valid_time": times, "latitude": [50.5, 50.25], "longitude": [30.25, 30.5, 30.75]})
    netcdf = folder / "era5.nc"
    dataset.to_netcdf(netcdf, engine="h5netcdf")
    seeds.append(Seed("temperature", netcdf))
    archive = folder / "era5.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(netcdf, "data_stream-oper_stepType-instant.nc")
    seeds.append(Seed("temperature", archive))
    compressed = folder / "tidy_hourly.csv.gz"
    compressed.write_bytes(gzip.compress((FIXTURES / "temperature" / "tidy_hourly.csv").read_bytes(), mtime=0))
    seeds.append(Seed("temperature", compressed))
    return seeds


# --- damage ---------------------------------------------------------------------------------------

def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def insert_token(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice(TOKENS) + data[at:]


def replace_number(data: bytes, rng: random.Random) -> bytes:
    """Swap one run of digits for a token: the cell stays in place, its value turns hostile."""
    starts = [i for i in range(len(data)) if data[i:i + 1].isdigit() and (i == 0 or not data[i - 1:i].isdigit())]
    if not starts:
        return insert_token(data, rng)
    start = rng.choice(starts)
    end = start
    while end < len(data) and data[end:end + 1].isdigit():
        end += 1
    return data[:start] + rng.choice(TOKENS) + data[end:]


def delete_chunk(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 64):]


def duplicate_chunk(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    start = rng.randrange(len(data))
    chunk = data[start:start + rng.randint(1, 200)]
    return data[:start] + chunk * rng.randint(2, 50) + data[start:]


def random_bytes(data: bytes, rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 512)))


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": truncate, "flip": flip_bytes, "insert": insert_token, "number": replace_number,
    "delete": delete_chunk, "duplicate": duplicate_chunk, "random": random_bytes,
}


def mutate(data: bytes, rng: random.Random, rounds: int = 1) -> tuple[bytes, str]:
    """Apply ``rounds`` random mutations; return the bytes and the names of those applied."""
    names = []
    for _ in range(rounds):
        name = rng.choice(sorted(MUTATIONS))
        data = MUTATIONS[name](data, rng)
        names.append(name)
    return data, "+".join(names)


def read(family: str, path: Path):
    """Read ``path`` with the reader of its family, the way the CLI does (region given for files that
    do not name one, and the station record not cut by a first outage day)."""
    from gridimpact.io.readers.outages import load_outages
    from gridimpact.io.readers.population import load_population
    from gridimpact.io.readers.temperature import load_temperature

    if family == "outages":
        return load_outages(path, region="UA80")
    if family == "temperature":
        return load_temperature(path, max_gap_hours=48)
    return load_population(path)
