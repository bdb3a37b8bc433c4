"""`gridimpact validate`: read every given file, collect every problem, summarise.

Each file is validated on its own, so a broken file does not hide problems in the others. With no
files the embedded default case is validated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gridimpact.errors import (
    EXIT_DATAERR,
    EXIT_NOINPUT,
    EXIT_OK,
    InputMissingError,
    InvalidInputError,
    Problem,
)
from gridimpact.io.readers.loader import FAMILIES, resolve_files
from gridimpact.io.readers.outages import load_outages
from gridimpact.io.readers.population import load_population
from gridimpact.io.readers.temperature import load_temperature

PROBLEMS_SHOWN = 50
"""Problems listed per file; the rest are counted (the same cap as ``InvalidInputError``'s message)."""


@dataclass
class FileReport:
    path: str
    family: str
    summary: str = ""
    problems: list[Problem] = field(default_factory=list)
    missing: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and self.missing is None


@dataclass
class ValidationReport:
    files: list[FileReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if any(f.missing for f in self.files):
            return EXIT_NOINPUT
        if any(f.problems for f in self.files):
            return EXIT_DATAERR
        return EXIT_OK

    def lines(self) -> list[str]:
        out = []
        for report in self.files:
            if report.missing:
                out.append(f"{report.path}: cannot be read — {report.missing}")
            elif report.problems:
                out.append(f"{report.path}: {len(report.problems)} problem(s) ({report.family})")
                out.extend(f"  {p.format()}" for p in report.problems[:PROBLEMS_SHOWN])
                if len(report.problems) > PROBLEMS_SHOWN:
                    out.append(f"  … and {len(report.problems) - PROBLEMS_SHOWN} more problem(s) in this file "
                               "(fix these first: one mistake repeated often shows here as many)")
            else:
                out.append(f"{report.path}: valid ({report.family}: {report.summary})")
        return out

    def summary(self) -> str:
        valid = sum(f.ok for f in self.files)
        invalid = sum(bool(f.problems) for f in self.files)
        missing = sum(bool(f.missing) for f in self.files)
        problems = sum(len(f.problems) for f in self.files)
        parts = [f"{valid} valid", f"{invalid} invalid"]
        if missing:
            parts.append(f"{missing} unreadable")
        verdict = "OK" if self.exit_code == EXIT_OK else "FAILED"
        return f"{verdict}: {len(self.files)} file(s): {', '.join(parts)}; {problems} problem(s)."


def _summarise(family: str, data) -> str:
    if family == "outages":
        reports, schedules = data.reports, data.schedules
        parts = []
        if len(reports):
            parts.append(f"{len(reports)} reports, {reports['start'].min():%Y-%m-%d} … {reports['start'].max():%Y-%m-%d}")
        if len(schedules):
            parts.append(f"{len(schedules)} schedule intervals")
        return f"{'; '.join(parts) or 'no rows'}; regions {', '.join(data.regions)}"
    if family == "temperature":
        frame = data.frame
        return (f"{len(frame)} hourly values, {frame['time'].min():%Y-%m-%d %H:%M} … "
                f"{frame['time'].max():%Y-%m-%d %H:%M}; regions {', '.join(data.regions)}")
    frame = data.frame
    return f"{len(frame)} regions, {int(frame['population'].sum()):,} people"


def validate_files(*, outages: list, temperature: list, population: list, region: str | None = None,
                   max_gap_hours: int = 6, since=None, encoding: str | None = None,
                   sheet: str | int | None = None, pressure_level: float | None = None,
                   refused: dict | None = None) -> ValidationReport:
    """Check each file on its own. Temperature readings before ``since`` (a local day; by default
    the first day of the valid outage reports given) are set aside, as ``load_inputs`` does.
    ``encoding``, ``sheet`` and ``pressure_level`` are passed to the readers (see ``load_inputs``).
    ``refused`` maps files given without a family that could not be given one to the error
    (``families.split_by_family``): each is reported as a file of its own."""
    report = ValidationReport()
    refused = refused or {}
    resolved = resolve_files(outages=outages, temperature=temperature, population=population)
    if resolved.all_embedded and not refused:
        outages, temperature, population = (resolved.files[family] for family in FAMILIES)
        report.notes.append("no files given: validating the embedded default case")
    reports_since: list = []  # the first report day of each valid outage file, filled as they load
    jobs = ([("outages", p, lambda p: load_outages(p, region=region, encoding=encoding, sheet=sheet)) for p in outages]
            + [("temperature", p, lambda p: load_temperature(
                p, region=region, max_gap_hours=max_gap_hours, encoding=encoding,
                pressure_level=pressure_level, sheet=sheet,
                since=since if since is not None else min(reports_since, default=None)))
               for p in temperature]
            + [("population", p, lambda p: load_population(p, encoding=encoding, sheet=sheet))
               for p in population])
    for family, path, load in jobs:
        entry = FileReport(path=str(Path(path)), family=family)
        try:
            data = load(path)
            if family == "outages" and data.first_day is not None:
                reports_since.append(data.first_day)
            entry.summary = _summarise(family, data)
            report.notes.extend(n for n in data.notes if n not in report.notes)
        except InvalidInputError as exc:
            entry.problems = exc.problems
        except InputMissingError as exc:
            entry.missing = str(exc)
        report.files.append(entry)
    report.files.extend(_refused_entry(path, error) for path, error in refused.items())
    return report


def _refused_entry(path: Path, error: Exception) -> FileReport:
    entry = FileReport(path=str(path), family="family unknown")
    if isinstance(error, InvalidInputError):
        entry.problems = list(error.problems)
    elif isinstance(error, InputMissingError):
        entry.missing = str(error)
    else:  # which family the file holds cannot be told
        entry.problems = [Problem(path.name, "unknown_family", str(error).removeprefix(f"{path}: "))]
    return entry
