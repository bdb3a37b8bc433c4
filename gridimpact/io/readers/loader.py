"""The one place that decides which input files are read, and reads them into ``Inputs``.

Every entry point uses it: the API (``gridimpact.load_inputs``), every CLI command, ``validate`` and
``regenerate``. The rule, written once here: files given explicitly come first; a folder (its
``datapackage.json``, or file names) fills the families not given; the embedded case fills the
rest. With nothing given at all, the result is the embedded case itself (its four regions, its
as-of date and horizon). Problems in every file are collected and reported together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from gridimpact.errors import InputMissingError, InvalidInputError, Problem
from gridimpact.inputs import Inputs
from gridimpact.io.readers.case_cache import cached_case
from gridimpact.io.readers.embedded import (
    CASE_NAME,
    DEFAULT_AS_OF,
    DEFAULT_HORIZON_DAYS,
    default_files,
)
from gridimpact.io.readers.outages import load_outages
from gridimpact.io.readers.population import load_population
from gridimpact.io.readers.temperature import load_temperature
from gridimpact.regions import SEED_REGIONS

FAMILIES = ("outages", "temperature", "population")
# File-name prefixes recognised in a folder without a datapackage.json.
_PREFIXES = {
    "outages": ("outage", "schedule", "dtek", "yasno"),
    "temperature": ("temperature", "era5", "open-meteo", "openmeteo", "meteostat", "ghcn"),
    "population": ("population", "cod-ps", "codps", "ukr_admpop"),
}
_PREFERRED_POPULATION = ("population_current", "population")


@dataclass(frozen=True)
class ResolvedFiles:
    """The files a run reads, by family, and which families came from the embedded case."""

    files: dict[str, list[Path]]
    defaulted: tuple[str, ...]

    @property
    def all_embedded(self) -> bool:
        return len(self.defaulted) == len(FAMILIES)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def files_in_folder(folder: Path) -> dict[str, list[Path]]:
    """Input files of a folder, by family: from its datapackage.json if it has one, else by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputMissingError(f"{folder}: no such folder")
    found: dict[str, list[Path]] = {family: [] for family in FAMILIES}
    package = folder / "datapackage.json"
    if package.exists():
        try:
            resources = json.loads(package.read_text(encoding="utf-8")).get("resources", [])
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInputError([Problem(str(package), "bad_datapackage", f"not valid JSON: {exc}")]) from None
        for entry in resources:
            kind = entry.get("gridimpact:kind")
            if kind in found and (folder / Path(entry["path"]).name).exists():
                found[kind].append(folder / Path(entry["path"]).name)
    else:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                for family, prefixes in _PREFIXES.items():
                    if path.name.lower().startswith(prefixes):
                        found[family].append(path)
    if len(found["population"]) > 1:
        for preferred in _PREFERRED_POPULATION:
            match = [p for p in found["population"] if p.stem == preferred]
            if match:
                found["population"] = match
                break
        else:
            names = ", ".join(p.name for p in found["population"])
            raise InvalidInputError([Problem(str(folder), "several_population_files",
                                             f"several population files ({names}); pass one with --population")])
    return found


def resolve_files(*, outages=None, temperature=None, population=None, folder: Path | None = None,
                  population_basis: str = "current") -> ResolvedFiles:
    """Which files a run reads: those given, then the folder's, then the embedded case's."""
    given = {"outages": _as_list(outages), "temperature": _as_list(temperature),
             "population": _as_list(population)}
    if folder is not None:
        for family, paths in files_in_folder(folder).items():
            if not given[family]:
                given[family] = paths
    defaulted = tuple(family for family in FAMILIES if not given[family])
    if defaulted:
        defaults = default_files(population_basis)
        for family in defaulted:
            given[family] = list(defaults[family])
    return ResolvedFiles(files=given, defaulted=defaulted)


def load_inputs(outages=None, temperature=None, population=None, *, folder: Path | None = None,
                region: str | None = None, max_gap_hours: int = 6, since: date | None = None,
                population_basis: str = "current") -> Inputs:
    """Load and validate input files into ``Inputs``; the embedded case fills what is not given.

    ``outages`` and ``temperature`` take a path or a list of paths, ``population`` one path;
    ``folder`` is a folder of inputs. ``region`` names the region of files that do not say it
    themselves. Temperature readings before ``since`` (by default the first outage report's day)
    are set aside. ``population_basis`` chooses the embedded population (``current`` or
    ``cod-ps-2022``). Raises InvalidInputError listing every problem in every file, and
    InputMissingError for a file that cannot be read.
    """
    resolved = resolve_files(outages=outages, temperature=temperature, population=population,
                             folder=folder, population_basis=population_basis)
    if resolved.all_embedded:
        return default_inputs(population_basis)
    return _read(resolved, region=region, max_gap_hours=max_gap_hours, since=since)


def default_inputs(population_basis: str = "current") -> Inputs:
    """The embedded case: Kyiv city, Odesa, Kharkiv and Donetsk oblasts, winter 2025/26.

    Validated once, then read from the user's cache (``io.readers.case_cache``).
    """

    def validate() -> Inputs:
        resolved = resolve_files(population_basis=population_basis)
        inputs = _read(resolved, region=None, max_gap_hours=6, since=None)
        return replace(inputs.select(list(SEED_REGIONS)), name=CASE_NAME, as_of=DEFAULT_AS_OF,
                       horizon_days=DEFAULT_HORIZON_DAYS, notes=())

    return cached_case(population_basis, validate)


def _read(resolved: ResolvedFiles, *, region: str | None, max_gap_hours: int, since: date | None) -> Inputs:
    given = resolved.files
    if len(given["population"]) > 1:
        raise InvalidInputError([Problem("population", "several_population_files",
                                         "give one population file")])
    problems: list[Problem] = []
    loaded = {}
    loaders = {
        "outages": lambda paths: load_outages(paths, region=region),
        # Readings before the first outage report lie outside any period studied: set them aside,
        # so that the old gaps of a station's whole record do not block the run.
        "temperature": lambda paths: load_temperature(
            paths, region=region, max_gap_hours=max_gap_hours,
            since=since if since is not None else (loaded["outages"].first_day if "outages" in loaded else None)),
        "population": lambda paths: load_population(paths[0]),
    }
    for family in FAMILIES:
        try:
            loaded[family] = loaders[family](given[family])
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInputError(problems)
    notes = tuple(f"{family} taken from the embedded default case" for family in resolved.defaulted)
    return Inputs(outages=loaded["outages"], temperature=loaded["temperature"],
                  population=loaded["population"], notes=notes)
