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
from gridimpact.io.readers.families import NAME_PREFIXES
from gridimpact.io.readers.levels import align_levels
from gridimpact.io.readers.limits import loads_json, open_bytes
from gridimpact.io.readers.outages import load_outages
from gridimpact.io.readers.population import load_population
from gridimpact.io.readers.problems import sorted_problems
from gridimpact.io.readers.temperature import load_temperature
from gridimpact.regions import SEED_REGIONS

FAMILIES = ("outages", "temperature", "population")
# File-name prefixes recognised in a folder without a datapackage.json.
_PREFIXES = NAME_PREFIXES
_PREFERRED_POPULATION = ("population_current", "population")


@dataclass(frozen=True)
class ResolvedFiles:
    """The files a run reads, by family, which families came from the embedded case, and notes
    about the folder (files it holds that are not read)."""

    files: dict[str, list[Path]]
    defaulted: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def all_embedded(self) -> bool:
        return len(self.defaulted) == len(FAMILIES)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def family_of_name(name: str) -> str | None:
    """The input family a file name announces by its prefix (``outages…``, ``era5…``), else None."""
    lowered = name.lower()
    for family, prefixes in _PREFIXES.items():
        if lowered.startswith(prefixes):
            return family
    return None


def _looked_for() -> str:
    return "; ".join(f"{family}: names starting with {', '.join(prefixes)}"
                     for family, prefixes in _PREFIXES.items())


def files_in_folder(folder: Path, notes: list[str] | None = None) -> dict[str, list[Path]]:
    """Input files of a folder, by family: from its datapackage.json if it has one, else by name.

    A file the datapackage.json lists but the folder lacks is InputMissingError (exit 66), and so is
    a folder with no input it recognises; files it does not read are named in ``notes``.
    """
    folder = Path(folder)
    notes = notes if notes is not None else []
    if not folder.is_dir():
        raise InputMissingError(f"{folder}: no such folder")
    package = folder / "datapackage.json"
    if package.is_file():
        found = _files_of_package(folder, package, notes)
    else:
        found = _files_by_name(folder, notes)
    if not any(found.values()):
        what = (f"its {package.name} lists no input resource" if package.is_file()
                else f"it holds no file gridimpact reads (looked for a datapackage.json, or {_looked_for()})")
        raise InputMissingError(f"{folder}: no input found: {what}")
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


def _files_by_name(folder: Path, notes: list[str]) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {family: [] for family in FAMILIES}
    skipped = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith("."):
            continue
        family = family_of_name(path.name) if path.is_file() else None
        if family is None:
            skipped.append(path.name + ("/" if path.is_dir() else ""))
        else:
            found[family].append(path)
    if skipped and any(found.values()):
        notes.append(f"{folder}: not read (names not recognised as inputs): {', '.join(skipped[:20])}"
                     + (f" and {len(skipped) - 20} more" if len(skipped) > 20 else ""))
    return found


def _package_problem(package: Path, message: str) -> InvalidInputError:
    return InvalidInputError([Problem(str(package), "bad_datapackage", message)])


def _files_of_package(folder: Path, package: Path, notes: list[str]) -> dict[str, list[Path]]:
    """The inputs a datapackage.json lists: by ``gridimpact:kind``, else by the resource's name."""
    try:
        document = loads_json(open_bytes(package).decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _package_problem(package, f"not valid JSON: {exc}") from None
    resources = document.get("resources", []) if isinstance(document, dict) else None
    if not isinstance(resources, list):
        raise _package_problem(package, "expected an object with a \"resources\" list")
    found: dict[str, list[Path]] = {family: [] for family in FAMILIES}
    missing, unread = [], []
    for number, entry in enumerate(resources):
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not path.strip():
            raise _package_problem(package, f"resource {number} has no \"path\" (a file name)")
        name = Path(path).name
        kind = entry.get("gridimpact:kind")
        if kind is not None and kind not in found:
            continue  # gridimpact's own non-input tables (regions, stations, housing, sources)
        family = kind if kind in found else family_of_name(name)
        if family is None:
            unread.append(name)
            continue
        if not (folder / name).is_file():
            missing.append(name)
            continue
        found[family].append(folder / name)
    if missing:
        raise InputMissingError(f"{package}: lists {', '.join(missing)}, which the folder does not hold")
    if unread and any(found.values()):
        notes.append(f"{package}: resources not read as inputs: {', '.join(unread[:20])}"
                     + (f" and {len(unread) - 20} more" if len(unread) > 20 else ""))
    return found


def resolve_files(*, outages=None, temperature=None, population=None, folder: Path | None = None,
                  population_basis: str = "current") -> ResolvedFiles:
    """Which files a run reads: those given, then the folder's, then the embedded case's."""
    given = {"outages": _as_list(outages), "temperature": _as_list(temperature),
             "population": _as_list(population)}
    notes: list[str] = []
    if folder is not None:
        for family, paths in files_in_folder(folder, notes).items():
            if not given[family]:
                given[family] = paths
    defaulted = tuple(family for family in FAMILIES if not given[family])
    if defaulted:
        defaults = default_files(population_basis)
        for family in defaulted:
            given[family] = list(defaults[family])
    return ResolvedFiles(files=given, defaulted=defaulted, notes=tuple(notes))


def load_inputs(outages=None, temperature=None, population=None, *, folder: Path | None = None,
                region: str | None = None, max_gap_hours: int = 6, since: date | None = None,
                population_basis: str = "current", encoding: str | None = None,
                sheet: str | int | None = None, pressure_level: float | None = None) -> Inputs:
    """Load and validate input files into ``Inputs``; the embedded case fills what is not given.

    ``outages`` and ``temperature`` take a path or a list of paths, ``population`` one path;
    ``folder`` is a folder of inputs. ``region`` names the region of files that do not say it
    themselves. Temperature readings before ``since`` (by default the first outage report's day)
    are set aside. ``population_basis`` chooses the embedded population (``current`` or
    ``cod-ps-2022``). ``encoding`` overrides UTF-8 for text files (``cp1251``); ``sheet`` names
    the sheet of the population workbook (by default the sheet whose columns make a population
    table), and of outage and temperature workbooks that have it (others are read as without it);
    ``pressure_level`` (hPa) lets a gridded temperature on pressure levels be read at that level.
    Units of the population finer than the temperature or outage inputs (a raion in an oblast)
    take their parent's series, with a note (``io.readers.levels``). A folder whose
    datapackage.json has ``gridimpact:case`` (as one written by ``gridimpact data export``) keeps
    that case's as-of date, horizon and regions when its outage reports are read. Raises
    InvalidInputError listing every problem in every file, and
    InputMissingError for a file that cannot be read.
    """
    resolved = resolve_files(outages=outages, temperature=temperature, population=population,
                             folder=folder, population_basis=population_basis)
    if resolved.all_embedded:
        return default_inputs(population_basis)
    inputs = _read(resolved, region=region, max_gap_hours=max_gap_hours, since=since, encoding=encoding,
                   sheet=sheet, pressure_level=pressure_level)
    if "outages" in resolved.defaulted:
        # the embedded reports keep the embedded case's as-of date and horizon: a population or
        # temperature file of one's own does not move the comparison past the pause
        inputs = replace(inputs, as_of=DEFAULT_AS_OF, horizon_days=DEFAULT_HORIZON_DAYS)
    return _with_case(inputs, folder, resolved)


def _with_case(inputs: Inputs, folder: Path | None, resolved: ResolvedFiles) -> Inputs:
    """The as-of date, horizon and regions a folder's datapackage.json declares for its reports."""
    if folder is None or not (Path(folder) / "datapackage.json").is_file():
        return inputs
    try:
        package = json.loads((Path(folder) / "datapackage.json").read_text(encoding="utf-8"))
        case = package.get("gridimpact:case") or {}
        as_of = date.fromisoformat(case["as_of"]) if case.get("as_of") else None
    except (json.JSONDecodeError, UnicodeDecodeError, AttributeError, TypeError, ValueError):
        return inputs  # files_in_folder has already refused a broken datapackage.json
    from_folder = all(Path(path).parent == Path(folder) for path in resolved.files["outages"])
    if as_of is None or not from_folder:
        return inputs
    regions = [code for code in package.get("gridimpact:regions") or [] if code in inputs.population.regions]
    if regions:
        inputs = inputs.select(regions)
    horizon = case.get("horizon_days")
    return replace(inputs, name=str(case.get("name") or inputs.name), as_of=as_of,
                   horizon_days=horizon if isinstance(horizon, int) and horizon > 0 else inputs.horizon_days)


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


def _read(resolved: ResolvedFiles, *, region: str | None, max_gap_hours: int, since: date | None,
          encoding: str | None = None, sheet: str | int | None = None,
          pressure_level: float | None = None) -> Inputs:
    given = resolved.files
    if len(given["population"]) > 1:
        raise InvalidInputError([Problem("population", "several_population_files",
                                         "give one population file")])
    problems: list[Problem] = []
    loaded = {}
    loaders = {
        "outages": lambda paths: load_outages(paths, region=region, encoding=encoding, sheet=sheet),
        # Readings before the first outage report lie outside any period studied: set them aside,
        # so that the old gaps of a station's whole record do not block the run.
        "temperature": lambda paths: load_temperature(
            paths, region=region, max_gap_hours=max_gap_hours, encoding=encoding,
            pressure_level=pressure_level, sheet=sheet, since=since if since is not None else (loaded["outages"].first_day if "outages" in loaded else None)),
        "population": lambda paths: load_population(paths[0], encoding=encoding, sheet=sheet),
    }
    for family in FAMILIES:
        try:
            loaded[family] = loaders[family](given[family])
        except InvalidInputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInputError(sorted_problems(problems))
    notes = resolved.notes + tuple(f"{family} taken from the embedded default case"
                                   for family in resolved.defaulted)
    return align_levels(Inputs(outages=loaded["outages"], temperature=loaded["temperature"],
                               population=loaded["population"], notes=notes))
