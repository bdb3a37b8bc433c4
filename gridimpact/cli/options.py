"""Options and helpers shared by the gridimpact commands (no heavy imports at module level)."""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from gridimpact.arguments import (
    ArgumentError,
    DayOutOfRange,
    encoding_name,
    parse_day,
    parse_probability,
)
from gridimpact.errors import InvalidInputError, Problem
from gridimpact.io.readers.families import split_by_family
from gridimpact.io.writers.formats import ALIASES, JOB_FORMATS
from gridimpact.vocab import FIRST_YEAR, LAST_YEAR

log = logging.getLogger("gridimpact")

InputFile = click.Path(dir_okay=False, path_type=Path)


class DateType(click.ParamType):
    """A calendar day as YYYY-MM-DD, DD.MM.YYYY or ``today`` (Kyiv), checked by click so a typo is a
    usage error."""

    name = "DATE"

    def convert(self, value, param, ctx):
        try:
            return parse_day(value, "date")
        except DayOutOfRange:
            self.fail(f"{value!r} is a day outside the years {FIRST_YEAR}–{LAST_YEAR} that gridimpact reads",
                      param, ctx)
        except ArgumentError:
            self.fail(f"{value!r} is not a date (use YYYY-MM-DD, e.g. 2026-01-30, DD.MM.YYYY or 'today')",
                      param, ctx)


DATE = DateType()


class ProbabilityType(click.ParamType):
    """A probability (or another share) as 0.25 or 25%, as input files accept it."""

    name = "P"

    def __init__(self, kind: str = "a probability"):
        self.kind = kind

    def convert(self, value, param, ctx):
        try:
            return parse_probability(value, "the value", self.kind)
        except ArgumentError as exc:
            self.fail(str(exc), param, ctx)


PROBABILITY = ProbabilityType()
SHARE = ProbabilityType("a share")




@dataclass(frozen=True)
class InputChoice:
    """What the input options of a command chose; ``load()`` reads it through the one loader."""

    paths: tuple[Path, ...] = ()
    outages: tuple[Path, ...] = ()
    temperature: tuple[Path, ...] = ()
    population: tuple[Path, ...] = ()
    population_basis: str = "current"
    regions: tuple[str, ...] = ()
    max_gap: int = 6
    since: datetime.date | None = None
    encoding: str | None = None
    sheet: str | None = None
    pressure_level: float | None = None

    @property
    def region(self) -> str | None:
        """The region of files that do not name one: only when exactly one --region is given."""
        return self.regions[0] if len(self.regions) == 1 else None

    def files(self, refused: dict | None = None) -> tuple[Path | None, dict[str, list[Path]]]:
        """The folder (at most one) and the files by family: positional files join the options'.
        ``refused`` collects the positional files that cannot be given a family (``split_by_family``)."""
        folders = [path for path in self.paths if path.is_dir()]
        if len(folders) > 1:
            raise click.UsageError(f"give at most one input folder, got {', '.join(map(str, folders))}")
        by_family = split_by_family((path for path in self.paths if not path.is_dir()), refused)
        for family in by_family:
            by_family[family] = list(getattr(self, family)) + by_family[family]
        return (folders[0] if folders else None), by_family

    def load(self):
        from gridimpact.io.readers.loader import load_inputs as load  # heavy: pandas, pandera

        folder, files = self.files()
        if len(files["population"]) > 1:
            raise click.UsageError("give one population file")
        with unreadable_values(files):
            return load(files["outages"], files["temperature"], files["population"][0] if files["population"] else None,
                        folder=folder, region=self.region, max_gap_hours=self.max_gap, since=self.since,
                        population_basis=self.population_basis, encoding=self.encoding, sheet=self.sheet,
                        pressure_level=self.pressure_level)


@contextlib.contextmanager
def unreadable_values(files: dict[str, list[Path]]):
    """Values no table can hold (a number beyond 64 bits, a date past 2262, nesting too deep) are
    invalid input, exit 65, not a crash."""
    try:
        yield
    except (RecursionError, OverflowError) as exc:
        names = ", ".join(str(p) for paths in files.values() for p in paths) or "the inputs"
        reason = ("is nested too deeply to read" if isinstance(exc, RecursionError)
                  else f"holds a number too large for a table ({exc})")
        raise InvalidInputError([Problem(names, "unreadable_value", f"the input {reason}")]) from None
    except Exception as exc:
        if type(exc).__name__ not in ("OutOfBoundsDatetime", "OutOfBoundsTimedelta"):
            raise
        names = ", ".join(str(p) for paths in files.values() for p in paths) or "the inputs"
        raise InvalidInputError([Problem(names, "date_out_of_range",
                                         f"a date outside 1677 … 2262, the range tables hold ({exc})")]) from None


def _check_encoding(ctx, param, value):
    if value is None:
        return None
    try:
        return encoding_name(value)
    except ArgumentError as exc:
        raise click.BadParameter(str(exc)) from None


def reading_options(function):
    """--region, --max-gap, --since, --encoding, --sheet and --pressure-level: how files are read, on
    every command that reads them."""
    options = [
        click.option("--region", "regions", multiple=True, metavar="NAME",
                     help="Region (name or p-code; repeatable). One --region is also the region of files "
                          "that do not name one (a station file, a DTEK page, a Yasno answer); the run is "
                          "restricted to the regions given."),
        click.option("--max-gap", "max_gap", type=click.IntRange(0, 240), default=6, show_default=True,
                     metavar="HOURS", help="Longest temperature gap filled by interpolation."),
        click.option("--since", "since", type=DATE, metavar="DATE",
                     help="Set aside temperature readings before this local day (e.g. the old years of a "
                          "station's whole record). Default: the first outage report's day."),
        click.option("--encoding", metavar="NAME", callback=_check_encoding,
                     help="Text encoding of files that are not UTF-8, e.g. cp1251 (Windows Cyrillic)."),
        click.option("--sheet", metavar="NAME",
                     help="Sheet of a workbook to read, by name or number from 0 (default: the sheet whose "
                          "columns make the table, e.g. the ADM1 sheet of HDX's ukr_admpop_2022.xlsx)."),
        click.option("--pressure-level", "pressure_level", type=click.FloatRange(1, 1100), metavar="HPA",
                     help="Read a gridded temperature on pressure levels at this level (hPa); without it "
                          "such files are refused, since they are not 2 m temperature."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def input_options(function):
    """[INPUTS]... plus --outages/--temperature/--population and the reading options, bundled into
    one ``source`` argument (an InputChoice)."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[INPUTS]..."),
        click.option("--outages", multiple=True, type=InputFile, metavar="FILE",
                     help="Outage reports or schedules (repeatable); default: the embedded case."),
        click.option("--temperature", multiple=True, type=InputFile, metavar="FILE",
                     help="Temperature file (repeatable); default: the embedded case."),
        click.option("--population", multiple=True, type=InputFile, metavar="FILE",
                     help="Population file; default: the embedded case."),
        click.option("--population-basis", "population_basis", type=click.Choice(["current", "cod-ps-2022"]),
                     default="current", show_default=True,
                     help="Embedded population: current estimates (displacement, government-controlled "
                          "Donetsk) or the OCHA COD-PS 2022 projection."),
    ]

    @functools.wraps(function)
    def bundled(*args, paths, outages, temperature, population, population_basis, regions, max_gap, since,
                encoding, sheet, pressure_level, **kwargs):
        source = InputChoice(paths=tuple(paths), outages=tuple(outages), temperature=tuple(temperature),
                             population=tuple(population), population_basis=population_basis,
                             regions=tuple(regions), max_gap=max_gap, since=since, encoding=encoding,
                             sheet=sheet, pressure_level=pressure_level)
        return function(*args, source=source, **kwargs)

    decorated = reading_options(bundled)
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


def params_options(function):
    function = click.option("--set", "assignments", multiple=True, metavar="NAME=VALUE",
                            help="Override one parameter (repeatable); see `gridimpact params`.")(function)
    return click.option("--params", "params_file", type=InputFile, metavar="FILE",
                        help="Parameter overrides in TOML (name = value).")(function)


class FormatChoice(click.Choice):
    """An output format by its name or a common alias (``md``, ``excel``, ``nc``), as a regenerate
    configuration takes them."""

    def convert(self, value, param, ctx):
        text = str(value).strip().lower()
        return super().convert(ALIASES.get(text, text), param, ctx)


def output_options(netcdf: bool = False):
    choices = JOB_FORMATS["estimate" if netcdf else "compare"]
    extra = "; netcdf writes the hourly dataset" if netcdf else ""

    def decorate(function):
        function = click.option("--hxl", is_flag=True, help="Add the HXL hashtag row under CSV headers (for HDX).")(function)
        function = click.option("--format", "formats", multiple=True, type=FormatChoice(choices, case_sensitive=False),
                                help=f"Output format with -o (repeatable; default csv{extra}); with -o - one of "
                                     "csv, tsv, json, markdown.")(function)
        return click.option("-o", "--output", type=click.Path(path_type=Path, allow_dash=True), metavar="DIR",
                            help="Write the tables into DIR (created if needed) instead of printing a summary; "
                                 "-o - writes one table to stdout and the summary to stderr.")(function)
    return decorate


def load_parameters(params_file: Path | None, assignments):
    from gridimpact.model.params import load_params, parse_assignments

    params = load_params(params_file)
    if assignments:
        params = load_params(parse_assignments(assignments), base=params)
    return params


def show_notes(notes, inputs=None) -> None:
    """The readers' notes (with -v), and on stderr the regions some input has but the run leaves out."""
    for note in notes:
        log.info(note)
    left_out = inputs.regions_left_out() if inputs is not None else None
    if left_out:
        log.warning("%s", left_out)


def scenario_options(function):
    """Scenario, as-of date, horizon, members, seed, compliance and target error, as on `compare`."""
    options = [
        click.option("-s", "--scenario", "scenario_names", multiple=True, metavar="NAME_OR_FILE",
                     help="Scenario (built-in name or TOML file), repeatable; the first is the baseline. "
                          "Default: no-pause and announced-pause."),
        click.option("--as-of", "as_of", type=DATE,
                     help="Scenarios take over from this local day, or 'today' (default 2026-01-30 for the "
                          "embedded case)."),
        click.option("--days", type=click.IntRange(1, 366), help="Days compared from the as-of date (default: the scenario's `days`, else 14)."),
        click.option("--members", type=click.IntRange(1, 100_000), help="Base ensemble members of every region (default 128, one net of quasi-random draws; a power of two up to 128, or a multiple of 128, keeps the draws balanced); --target-error may give some oblasts up to 4 times as many."),
        click.option("--seed", type=click.IntRange(min=0), help="Random seed, 0 or more (default 20260129); the "
                     "same seed gives identical output."),
        click.option("--compliance", type=PROBABILITY, metavar="P",
                     help="Probability that each pause holds for its whole window, as 0.25 or 25% (fixed, "
                          "overriding the scenarios); the rest splits between failing and being breached as in "
                          "the scenario."),
        click.option("--target-error", "target_error", type=SHARE, metavar="E",
                     help="An oblast whose standard error for the change in person-days below 12 °C exceeds this "
                          "share of the change gets k = ⌈(error/share)²⌉ times --members, at most 4 (so the "
                          "error can stay above it). Default 4%; 0 turns it off; not applied below 64 members."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def dask_client(address: str | None):
    if not address:
        return None
    from gridimpact.errors import require

    distributed = require("dask.distributed", "Cluster execution (--scheduler)", "dask")
    try:
        return distributed.Client(address, timeout="20s")
    except OSError as exc:
        raise click.UsageError(f"cannot reach the dask scheduler at {address}: {exc}") from None


class progress_bar:
    """A progress bar on stderr, only when stderr is a terminal and --quiet is off.

    Yields a callable for ``compare(progress=...)``: ``progress(n)`` advances by n simulated
    member-block days; ``progress.start(total)`` (called by compare once it knows) sets the length.
    """

    def __init__(self, label: str):
        self.label = label
        self.bar = None

    def __enter__(self):
        ctx = click.get_current_context()
        quiet = (ctx.find_root().obj or {}).get("quiet", False)
        if quiet or not sys.stderr.isatty():
            return None
        return self

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=max(1, total), label=self.label, file=sys.stderr, show_eta=True)
        self.bar.__enter__()

    def extend(self, more: int) -> None:
        """More steps than ``start`` announced (members added to some regions)."""
        if self.bar is not None:
            self.bar.length += more

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def _set_verbosity(ctx: click.Context, param: click.Parameter, value) -> None:
    """-v/-q given after a subcommand: the same effect as before it."""
    if not value or ctx.resilient_parsing:
        return
    state = ctx.find_root().obj
    if state is None:
        state = ctx.find_root().obj = {"verbose": 0, "quiet": False}
    if param.name == "quiet":
        state["quiet"] = True
    else:
        state["verbose"] = state.get("verbose", 0) + value
    configure_logging(state.get("verbose", 0), state.get("quiet", False))


def verbosity_parameters() -> list[click.Option]:
    """-v and -q for a subcommand (``gridimpact estimate -q`` as well as ``gridimpact -q estimate``)."""
    return [
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_set_verbosity,
                     help="More messages on stderr (-vv for debug detail)."),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_set_verbosity,
                     help="Only errors on stderr; no progress bar."),
    ]


def configure_logging(verbosity: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbosity, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
