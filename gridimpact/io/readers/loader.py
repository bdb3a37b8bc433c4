"""Loading a set of input files (or a folder of them) into one validated ``Inputs``.

Problems in every file are collected and reported together. Inputs that are not given come from
the embedded default case, so an analyst can swap in one file (say, new outage reports) and keep
the rest.
"""

from __future__ import annotations

import json
from pathlib import Path

from gridimpact.errors import InputMissingError, InvalidInputError, Problem

FAMILIES = ("outages", "temperature", "population")
# File-name prefixes recognised in a folder without a datapackage.json.
_PREFIXES = {
    "outages": ("outage", "schedule", "dtek", "yasno"),
    "temperature": ("temperature", "era5", "open-meteo", "openmeteo", "meteostat", "ghcn"),
    "population": ("population", "cod-ps", "codps", "ukr_admpop"),
}
_PREFERRED_POPULATION = ("population_current", "population")


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


def load_bundle(*, outages=None, temperature=None, population=None, region: str | None = None,
                folder: Path | None = None, max_gap_hours: int = 6, population_basis: str = "current"):
    """Load the given files (and a folder's files) into ``Inputs``; the embedded case fills the rest
    (its population on ``population_basis``)."""
    from gridimpact.inputs import Inputs
    from gridimpact.io.readers.outages import load_outages
    from gridimpact.io.readers.population import load_population
    from gridimpact.io.readers.temperature import load_temperature

    given = {"outages": _as_list(outages), "temperature": _as_list(temperature), "population": _as_list(population)}
    if folder is not None:
        for family, paths in files_in_folder(folder).items():
            if not given[family]:
                given[family] = paths
    if not any(given.values()):
        from gridimpact.io.readers.embedded import default_inputs

        return default_inputs(population_basis)
    defaulted = [family for family in FAMILIES if not given[family]]
    if defaulted:
        from gridimpact.io.readers.embedded import default_files

        defaults = default_files(population_basis)
        for family in defaulted:
            given[family] = defaults[family]
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
            since=loaded["outages"].first_day if "outages" in loaded else None),
        "population": lambda paths: load_population(paths[0]),
    }
    for family in FAMILIES:
        try:
            loaded[family] = loaders[family](given[family])
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInputError(problems)
    notes = tuple(f"{family} taken from the embedded default case" for family in defaulted)
    return Inputs(outages=loaded["outages"], temperature=loaded["temperature"],
                  population=loaded["population"], notes=notes)
