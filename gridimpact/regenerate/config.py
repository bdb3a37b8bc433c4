"""The regeneration configuration: a TOML file read, validated and resolved to absolute paths.

Every problem is collected before failing, each naming the file and the key (``run.members``):
unknown keys with the closest allowed one, wrong types and values (``ParameterError``, exit 65),
missing files (``InputMissingError``, exit 66). Paths are relative to the configuration file's
folder. docs/outputs.md documents every key.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from gridimpact.arguments import ArgumentError, encoding_name
from gridimpact.errors import InputMissingError, MissingExtraError, ParameterError
from gridimpact.io.readers.embedded import POPULATION_BASES
from gridimpact.io.readers.scenarios import builtin_names, load_scenario
from gridimpact.io.writers.database import check_driver, parse_url, resolve_relative
from gridimpact.io.writers.formats import ALIASES, JOB_FORMATS
from gridimpact.io.writers.formats import FORMATS as OUTPUT_FORMATS
from gridimpact.model.params import check_value, load_params
from gridimpact.regenerate.checker import SECTION_KEYS, _Checker, _kind
from gridimpact.regenerate.checker import TODAY as TODAY  # part of this module's interface
from gridimpact.regions import UnknownRegionError, resolve
from gridimpact.vocab import TIMEZONE

JOBS = ("compare", "estimate")
FORMATS = JOB_FORMATS
OPTIONAL_FORMAT_PACKAGES = {**{name: f.extra for name, f in OUTPUT_FORMATS.items() if f.extra},
                            "report": ("matplotlib", "plot")}
"""Output → (module it needs, extra that installs it); the report needs matplotlib for its figures."""

COMPARE_ONLY = ("scenarios", "as_of", "days", "members", "seed", "compliance", "target_error")
ESTIMATE_ONLY = ("start", "end")


@dataclass(frozen=True)
class InputFiles:
    """Input files named by the configuration (absolute paths); families left empty use the
    folder's files, then the embedded case."""

    folder: Path | None = None
    outages: tuple[Path, ...] = ()
    temperature: tuple[Path, ...] = ()
    population: Path | None = None
    region: str | None = None
    max_gap_hours: int = 6
    since: date | None = None
    encoding: str | None = None
    sheet: str | None = None
    pressure_level: float | None = None
    population_basis: str = "current"

    @property
    def given(self) -> bool:
        return bool(self.folder or self.outages or self.temperature or self.population)


@dataclass(frozen=True)
class RegenerationConfig:
    """A validated regeneration configuration; every path is absolute."""

    path: Path
    directory: Path
    inputs: InputFiles = field(default_factory=InputFiles)
    job: str = "compare"
    scenarios: tuple[str, ...] = ("no-pause", "announced-pause")
    """Built-in scenario names, or absolute paths of scenario files."""
    as_of: date | str | None = None
    days: int | None = None
    members: int | None = None
    seed: int | None = None
    compliance: float | None = None
    target_error: float | None = None
    regions: tuple[str, ...] = ()
    start: date | str | None = None
    end: date | str | None = None
    params: Path | None = None
    overrides: dict[str, float] = field(default_factory=dict)
    formats: tuple[str, ...] = ("csv",)
    hxl: bool = False
    report: bool = False
    figures: bool = True
    database: str | None = None
    """A database URL (``io.database``); a relative SQLite path is resolved against the config's folder."""

    @property
    def scenario_files(self) -> list[Path]:
        return [Path(s) for s in self.scenarios if Path(s).is_absolute()]

    @property
    def lock_path(self) -> Path:
        return self.directory.parent / f".{self.directory.name}.lock"


# --- reading the configuration -----------------------------------------------------------------------

def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputMissingError(f"{path}: no such configuration file") from None
    except IsADirectoryError:
        raise InputMissingError(f"{path}: is a folder, not a configuration file") from None
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{path.name}: not UTF-8 text: {exc}") from None
    except OSError as exc:
        raise InputMissingError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{path.name}: not valid TOML: {exc}") from None


def _inputs_section(check: _Checker, table: dict) -> InputFiles:
    p = "inputs."
    check.unknown_keys(table, SECTION_KEYS["inputs"], p)
    folder = check.text(table, "folder", p)
    population = check.text(table, "population", p)
    region = check.text(table, "region", p)
    if region is not None:
        try:
            resolve(region)
        except UnknownRegionError as exc:
            check.fail(p + "region", str(exc))
    max_gap = check.whole(table, "max_gap_hours", p, 0, 240)
    since = check.day(table, "since", p)
    if since == TODAY:
        check.fail(p + "since", "must be a date such as 2026-01-01 (readings before it are set aside)")
        since = None
    encoding = check.text(table, "encoding", p)
    if encoding is not None:
        try:
            encoding = encoding_name(encoding)
        except ArgumentError as exc:
            check.fail(p + "encoding", str(exc))
    basis = check.text(table, "population_basis", p) or "current"
    if basis not in POPULATION_BASES:
        check.fail(p + "population_basis", f"must be one of {', '.join(POPULATION_BASES)}, got {basis!r}")
    return InputFiles(
        folder=check.file(folder, p + "folder", folder=True) if folder else None,
        outages=tuple(check.file(name, p + "outages") for name in check.texts(table, "outages", p)),
        temperature=tuple(check.file(name, p + "temperature") for name in check.texts(table, "temperature", p)),
        population=check.file(population, p + "population") if population else None,
        region=region,
        max_gap_hours=6 if max_gap is None else max_gap,
        since=since,
        encoding=encoding,
        sheet=check.text(table, "sheet", p),
        pressure_level=check.number(table, "pressure_level", p, 1.0, 1100.0),
        population_basis=basis,
    )


def _scenarios(check: _Checker, table: dict) -> tuple[str, ...]:
    key = "run.scenarios"
    if "scenarios" not in table:
        return RegenerationConfig.scenarios
    names = check.texts(table, "scenarios", "run.")
    if not names and not any(key in problem for problem in check.problems):
        check.fail(key, "must name at least one scenario (the first is the baseline)")
    builtins = builtin_names()
    resolved = []
    for name in names:
        if name.lower().endswith(".toml") or "/" in name or "\\" in name:
            resolved.append(str(check.file(name, key)))
        elif name in builtins:
            resolved.append(name)
        else:
            close = difflib.get_close_matches(name, builtins, n=1)
            hint = f"; did you mean {' or '.join(close)}?" if close else f"; built-in scenarios: {', '.join(builtins)}"
            check.fail(key, f"no built-in scenario '{name}'{hint} (a scenario file must end in .toml)")
    if len(set(resolved)) != len(resolved):
        check.fail(key, "names a scenario more than once")
    return tuple(resolved)


def _overrides(check: _Checker, table: dict) -> dict[str, float]:
    values = table.get("set", {})
    if not isinstance(values, dict):
        check.fail("run.set", f"must be a table ([run.set] with name = value lines), got {_kind(values)}")
        return {}
    checked = {}
    for name, value in values.items():
        try:
            checked[name] = check_value(name, value)
        except ParameterError as exc:
            check.fail(f"run.set.{name}", str(exc))
    return checked


def _regions(check: _Checker, table: dict) -> tuple[str, ...]:
    pcodes = []
    for name in check.texts(table, "regions", "run."):
        try:
            pcodes.append(resolve(name).pcode)
        except UnknownRegionError as exc:
            check.fail("run.regions", str(exc))
    return tuple(dict.fromkeys(pcodes))


def _outputs_section(check: _Checker, table: dict, job: str) -> dict:
    p = "outputs."
    check.unknown_keys(table, SECTION_KEYS["outputs"], p)
    directory = check.text(table, "directory", p)
    if directory is None and "directory" not in table:
        check.fail(p + "directory", "is required: the folder the outputs are written to (relative to this file)")
    formats = [f.lower() for f in check.texts(table, "formats", p)] if "formats" in table else ["csv"]
    formats = [ALIASES.get(f, f) for f in formats]
    if "formats" in table and not formats and not any(f"{p}formats" in problem for problem in check.problems):
        check.fail(p + "formats", "must name at least one format")
    allowed = FORMATS[job]
    for fmt in formats:
        if fmt not in allowed:
            names = {**{a: a for a in allowed}, **{k: v for k, v in ALIASES.items() if v in allowed}}
            close = difflib.get_close_matches(fmt, list(names), n=1)
            only = " (netcdf is for job = \"estimate\")" if fmt == "netcdf" else ""
            hint = f"; did you mean '{names[close[0]]}'?" if close and not only else ""
            check.fail(p + "formats", f"unknown format '{fmt}'{hint}{only}; allowed: {', '.join(allowed)}")
    report = check.flag(table, "report", p, False)
    if report and job != "compare":
        check.fail(p + "report", "the report is written for job = \"compare\" only")
    return {
        "directory": _output_directory(check.base / Path(directory).expanduser() if directory else check.base / "out"),
        "formats": tuple(dict.fromkeys(formats)),
        "hxl": check.flag(table, "hxl", p, False),
        "report": report,
        "figures": check.flag(table, "figures", p, True),
        "database": _database(check, table, p),
    }


def _output_directory(path: Path) -> Path:
    """The absolute output folder: its parent resolved, its own name kept even when it is a link
    (where folders cannot be exchanged, ``out`` is a link to the current outputs)."""
    absolute = Path(os.path.abspath(path))
    return absolute.parent.resolve() / absolute.name if absolute.name else absolute


def _database(check: _Checker, table: dict, prefix: str) -> str | None:
    url = check.text(table, "database", prefix)
    if url is None:
        return None
    try:
        target = parse_url(url)
    except ParameterError as exc:
        check.fail(prefix + "database", str(exc))
        return None
    check_driver(target)
    return resolve_relative(target, check.base).url


def load_config(path: str | Path) -> RegenerationConfig:
    """Read and validate a regeneration configuration (TOML).

    Every problem is collected before failing: unknown keys (with the closest allowed one), wrong
    types and values raise ``ParameterError`` (exit 65); a missing configuration, input, parameter
    or scenario file raises ``InputMissingError`` (exit 66). Paths are relative to the file's folder.
    """
    path = Path(path).expanduser().resolve()
    document = _read_toml(path)
    check = _Checker(path)
    check.unknown_keys(document, tuple(SECTION_KEYS), "")
    inputs = _inputs_section(check, check.table(document, "inputs"))
    run = check.table(document, "run")
    check.unknown_keys(run, SECTION_KEYS["run"], "run.")
    job = run.get("job", "compare")
    if job not in JOBS:
        close = difflib.get_close_matches(str(job), JOBS, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        check.fail("run.job", f"must be \"compare\" or \"estimate\", got {job!r}{hint}")
        job = "compare"
    for key in COMPARE_ONLY if job == "estimate" else ESTIMATE_ONLY:
        if key in run:
            other = "compare" if job == "estimate" else "estimate"
            check.fail(f"run.{key}", f"applies to job = \"{other}\" only (this file runs \"{job}\")")
    params_name = check.text(run, "params", "run.")
    values: dict[str, Any] = {
        "job": job,
        "scenarios": _scenarios(check, run) if job == "compare" else (),
        "as_of": check.day(run, "as_of", "run."),
        "days": check.whole(run, "days", "run.", 1, 366),
        "members": check.whole(run, "members", "run.", 1, 100_000),
        "seed": check.whole(run, "seed", "run.", 0),
        "compliance": check.number(run, "compliance", "run.", 0.0, 1.0),
        "target_error": check.number(run, "target_error", "run.", 0.0, 1.0),
        "regions": _regions(check, run),
        "start": check.day(run, "start", "run."),
        "end": check.day(run, "end", "run."),
        "params": check.file(params_name, "run.params") if params_name else None,
        "overrides": _overrides(check, run),
    }
    values.update(_outputs_section(check, check.table(document, "outputs"), job))
    if check.problems:
        raise ParameterError("invalid configuration:\n" + "\n".join(check.problems + check.missing))
    if check.missing:
        raise InputMissingError("\n".join(check.missing))
    _check_format_packages(values["formats"] + (("report",) if values["report"] and values["figures"] else ()))
    config = RegenerationConfig(path=path, inputs=inputs, **values)
    _check_referenced_files(config)
    return config


def _check_referenced_files(config: RegenerationConfig) -> None:
    """Parse the parameter and scenario files now, so a broken one fails before any work is done."""
    load_params(config.params)
    for scenario in config.scenario_files:
        load_scenario(scenario)


def _check_format_packages(formats: tuple[str, ...]) -> None:
    """Fail before a long run when an output's optional package is not installed."""
    for fmt in formats:
        if fmt in OPTIONAL_FORMAT_PACKAGES:
            module, extra = OPTIONAL_FORMAT_PACKAGES[fmt]
            if importlib.util.find_spec(module) is None:
                raise MissingExtraError(f"Writing {fmt}", extra, module)


def local_today() -> date:
    """Today's date in Europe/Kyiv."""
    return datetime.now(ZoneInfo(TIMEZONE)).date()
