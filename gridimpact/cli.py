"""The ``gridimpact`` command line: parses options, calls the API, maps errors to exit codes.

Nothing here computes; commands import the API only when they run, so ``gridimpact --help`` stays
fast. Exit codes: 0 success, 1 unexpected failure, 2 usage error, 65 invalid input data, 66 input
missing or unreadable, 73 output cannot be written, 75 another regeneration holds the lock.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from gridimpact import __version__
from gridimpact.errors import EXIT_FAILURE, GridimpactError

CONTEXT = {"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "GRIDIMPACT", "max_content_width": 100}

log = logging.getLogger("gridimpact")

InputFile = click.Path(dir_okay=False, path_type=Path)


class DateType(click.ParamType):
    """A calendar day as YYYY-MM-DD (or DD.MM.YYYY), checked by click so a typo is a usage error."""

    name = "DATE"

    def convert(self, value, param, ctx):
        import datetime
        import re

        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        if match:
            text = f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}"
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date (use YYYY-MM-DD, e.g. 2026-01-30)", param, ctx)


DATE = DateType()


class State:
    debug = False


def _configure_logging(verbosity: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbosity, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


class _Group(click.Group):
    """A group that turns gridimpact's errors into a one-line message and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except GridimpactError as exc:
            if State.debug:
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # the last line of defence: a message, not a traceback
            if State.debug:
                raise
            click.echo(
                f"Error: unexpected failure: {type(exc).__name__}: {exc}\n"
                "Run again with --debug for the traceback, and please report it as a bug.",
                err=True,
            )
            ctx.exit(EXIT_FAILURE)


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="gridimpact")
@click.option("--debug", is_flag=True, envvar="GRIDIMPACT_DEBUG",
              help="Show Python tracebacks for every error (for bug reports).")
@click.option("-v", "--verbose", count=True, help="More messages on stderr (-vv for debug detail).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bar.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, verbose: int, quiet: bool) -> None:
    """Estimate who is without power, without heat and in dangerous indoor cold.

    gridimpact combines regional outage reports with temperature series and population to estimate,
    per region and day, people without power, without heat and below 18, 16, 12 and 9 °C indoors —
    and compares scenarios with and without a pause in strikes on energy infrastructure.

    Start with `gridimpact compare` (the embedded winter 2025/26 case) or `gridimpact validate FILE`.
    """
    State.debug = debug
    ctx.obj = {"verbose": verbose, "quiet": quiet}
    _configure_logging(verbose, quiet)


@cli.command()
@click.option("--outages", "outages", multiple=True, type=InputFile, metavar="FILE",
              help="Outage reports or schedules: CSV, XLSX, Parquet, DTEK or Yasno JSON. Repeatable.")
@click.option("--temperature", "temperature", multiple=True, type=InputFile, metavar="FILE",
              help="Temperature: ERA5 NetCDF/zip, Open-Meteo, Meteostat, GHCN-daily or tidy CSV. Repeatable.")
@click.option("--population", "population", multiple=True, type=InputFile, metavar="FILE",
              help="Population: OCHA COD-PS CSV (wide or long, with or without HXL) or canonical CSV.")
@click.option("--region", metavar="NAME",
              help="Region for files that do not name one (a station file, a DTEK page).")
@click.option("--max-gap", "max_gap", type=click.IntRange(0, 240), default=6, show_default=True,
              metavar="HOURS", help="Longest temperature gap filled by interpolation.")
def validate(outages, temperature, population, region, max_gap) -> None:
    """Check input files and list every problem: file, line, column, value and rule.

    With no files, validates the embedded default case. Exit 0 when all files are valid, 65 when
    any is invalid, 66 when one is missing or unreadable.
    """
    from gridimpact.validation import validate_files

    report = validate_files(outages=list(outages), temperature=list(temperature),
                            population=list(population), region=region, max_gap_hours=max_gap)
    for line in report.lines():
        click.echo(line)
    if report.notes:
        for note in report.notes:
            click.echo(f"note: {note}", err=True)
    click.echo(report.summary())
    sys.exit(report.exit_code)


# --- shared options ----------------------------------------------------------------------------

OUTPUT_FORMATS = ("csv", "parquet", "json", "markdown", "xlsx")


def input_options(function):
    """INPUTS folder plus --outages/--temperature/--population/--region, as on `validate`."""
    options = [
        click.argument("inputs", required=False, type=click.Path(file_okay=False, path_type=Path)),
        click.option("--outages", multiple=True, type=InputFile, metavar="FILE",
                     help="Outage reports or schedules (repeatable); default: the embedded case."),
        click.option("--temperature", multiple=True, type=InputFile, metavar="FILE",
                     help="Temperature file (repeatable); default: the embedded case."),
        click.option("--population", type=InputFile, metavar="FILE",
                     help="Population file; default: the embedded case."),
        click.option("--region", "regions", multiple=True, metavar="NAME",
                     help="Only these regions (name or p-code; repeatable)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def params_options(function):
    function = click.option("--set", "assignments", multiple=True, metavar="NAME=VALUE",
                            help="Override one parameter (repeatable); see `gridimpact params`.")(function)
    return click.option("--params", "params_file", type=InputFile, metavar="FILE",
                        help="Parameter overrides in TOML (name = value).")(function)


def output_options(netcdf: bool = False):
    choices = (*OUTPUT_FORMATS, "netcdf") if netcdf else OUTPUT_FORMATS
    extra = "; netcdf writes the hourly dataset" if netcdf else ""

    def decorate(function):
        function = click.option("--hxl", is_flag=True, help="Add the HXL hashtag row under CSV headers (for HDX).")(function)
        function = click.option("--format", "formats", multiple=True, type=click.Choice(choices, case_sensitive=False),
                                help=f"Output format with -o (repeatable; default csv{extra}).")(function)
        return click.option("-o", "--output", type=click.Path(path_type=Path), metavar="DIR",
                            help="Write the tables into DIR (created if needed) instead of printing a summary.")(function)
    return decorate


def load_inputs(inputs: Path | None, outages, temperature, population):
    from gridimpact.inputs import Inputs

    if inputs is None and not outages and not temperature and not population:
        return Inputs.default()
    from gridimpact.io.bundle import load_bundle

    return load_bundle(outages=list(outages), temperature=list(temperature), population=population, folder=inputs)


def load_parameters(params_file: Path | None, assignments):
    from gridimpact.params import load_params, parse_assignments

    params = load_params(params_file)
    if assignments:
        params = load_params(parse_assignments(assignments), base=params)
    return params


def _show_notes(notes) -> None:
    for note in notes:
        log.info(note)


# --- estimate ---------------------------------------------------------------------------------------

@cli.command()
@input_options
@click.option("--start", type=DATE, help="First local day (YYYY-MM-DD); default: first day with data.")
@click.option("--end", type=DATE, help="Last local day (YYYY-MM-DD); default: last day with data.")
@params_options
@output_options(netcdf=True)
def estimate(inputs, outages, temperature, population, regions, start, end, params_file, assignments,
             output, formats, hxl) -> None:
    """Estimate impacts per region and day from the inputs as given.

    With no inputs, runs on the embedded winter 2025/26 case and prints a table per region: people
    without power (daily mean and peak), without heat, and below 16, 12 and 9 °C indoors.
    """
    from gridimpact.api import estimate as run_estimate

    data = load_inputs(inputs, outages, temperature, population)
    _show_notes(data.notes)
    params = load_parameters(params_file, assignments)
    formats = tuple(f.lower() for f in formats) or ("csv",)
    result = run_estimate(data, params, start=start, end=end, regions=list(regions) or None,
                          hourly="netcdf" in formats)
    if output is None:
        from gridimpact.report.console import estimate_text

        click.echo(estimate_text(result.daily))
        return
    for path in result.to_files(output, formats, hxl=hxl):
        log.info("wrote %s", path)


# --- compare ----------------------------------------------------------------------------------------

@cli.command()
@input_options
@click.option("-s", "--scenario", "scenario_names", multiple=True, metavar="NAME_OR_FILE",
              help="Scenario (built-in name or TOML file), repeatable; the first is the baseline. "
                   "Default: no-pause and announced-pause.")
@click.option("--as-of", "as_of", type=DATE, help="Scenarios take over from this local day (default 2026-01-30 "
              "for the embedded case).")
@click.option("--days", type=click.IntRange(1, 366), help="Days compared from the as-of date (default 14).")
@click.option("--members", type=click.IntRange(1, 100_000), help="Ensemble members (default 100).")
@click.option("--seed", type=int, help="Random seed (default 20260129); the same seed gives identical output.")
@click.option("--compliance", type=click.FloatRange(0.0, 1.0), metavar="P",
              help="Probability that each pause holds (overrides the scenarios).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a dask.distributed cluster (e.g. tcp://10.0.0.5:8786); results equal a local run.")
@click.option("-q", "--quiet", "quiet", is_flag=True, help="No progress bar.")
@params_options
@output_options()
def compare(inputs, outages, temperature, population, regions, scenario_names, as_of, days, members, seed,
            compliance, scheduler, quiet, params_file, assignments, output, formats, hxl) -> None:
    """Compare scenarios with and without a strike pause (the main job).

    With no arguments: the embedded winter 2025/26 case, `no-pause` against `announced-pause`, from
    30 January 2026 for 14 days, 100 members. Prints, per region, what the pause changes with its
    P10–P90 range; with -o DIR writes impacts.csv and comparison.csv.
    """
    from gridimpact.api import DEFAULT_SCENARIOS
    from gridimpact.api import compare as run_compare

    data = load_inputs(inputs, outages, temperature, population)
    _show_notes(data.notes)
    params = load_parameters(params_file, assignments)
    formats = tuple(f.lower() for f in formats) or ("csv",)
    client = _dask_client(scheduler)
    try:
        with progress_bar("simulating", quiet) as progress:
            result = run_compare(data, scenario_names or DEFAULT_SCENARIOS, as_of=as_of, days=days, members=members,
                                 seed=seed, compliance=compliance, params=params, regions=list(regions) or None,
                                 progress=progress, client=client)
    finally:
        if client is not None:
            client.close()
    if output is None:
        from gridimpact.report.console import comparison_text

        click.echo(comparison_text(result))
        return
    for path in result.to_files(output, formats, hxl=hxl):
        log.info("wrote %s", path)


def _dask_client(address: str | None):
    if not address:
        return None
    from gridimpact.errors import require

    distributed = require("dask.distributed", "Cluster execution (--scheduler)", "dask")
    try:
        return distributed.Client(address, timeout="20s")
    except OSError as exc:
        raise click.UsageError(f"cannot reach the dask scheduler at {address}: {exc}") from None


class progress_bar:
    """A progress bar on stderr, only when stderr is a terminal and --quiet is off."""

    def __init__(self, label: str, quiet: bool = False):
        self.label = label
        self.quiet = quiet
        self.bar = None

    def __enter__(self):
        ctx = click.get_current_context()
        quiet = self.quiet or (ctx.find_root().obj or {}).get("quiet", False)
        if quiet or not sys.stderr.isatty():
            return None
        self.bar = click.progressbar(length=None, label=self.label, file=sys.stderr, show_pos=True)
        self.bar.__enter__()
        return lambda n: self.bar.update(n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


# --- scenarios and parameters ------------------------------------------------------------------------

@cli.group()
def scenarios() -> None:
    """List and show the built-in scenarios."""


@scenarios.command("list")
def scenarios_list() -> None:
    """Built-in scenario names with one line each."""
    from gridimpact.scenarios import builtin_scenarios

    for name, scenario in builtin_scenarios().items():
        first = scenario.description.split(". ")[0].rstrip(".")
        click.echo(f"{name:20s} {first}.")


@scenarios.command("show")
@click.argument("name")
def scenarios_show(name: str) -> None:
    """What a scenario (built-in name or TOML file) assumes, with the seeds it cites."""
    import json

    from gridimpact.scenarios import describe, load_scenario, seed_events

    scenario = load_scenario(name)
    click.echo(json.dumps(describe(scenario), indent=2, ensure_ascii=False, default=str))
    events = seed_events()
    for seed_id in scenario.seeds:
        event = events.get(seed_id, {})
        click.echo(f"\nseed {seed_id} ({event.get('_file', 'missing')}): {event.get('summary', '')}")
        for citation in event.get("citations", []):
            click.echo(f"  - {citation.get('publisher', '')}, {citation.get('title', '')}: {citation.get('url', '')}")


@cli.command("params")
@click.argument("name", required=False)
def params_command(name: str | None) -> None:
    """List every model parameter with value, unit, range and source (or one in full)."""
    from gridimpact.params import defaults_version, specs

    table = specs()
    if name:
        if name not in table:
            from gridimpact.params import check_value

            check_value(name, 0)  # raises with suggestions
        spec = table[name]
        for key in ("name", "value", "unit", "low", "high", "sample", "confidence", "description", "source"):
            click.echo(f"{key:12s} {getattr(spec, key)}")
        return
    click.echo(f"parameters version {defaults_version()}")
    for spec in table.values():
        click.echo(f"{spec.name:26s} {spec.value!s:>7} {spec.unit:8s} [{spec.low}, {spec.high}]"
                   f"{'  sampled' if spec.sample else ''}  {spec.description}")


# --- data -------------------------------------------------------------------------------------------

@cli.group()
def data() -> None:
    """The embedded default data: list, show its sources, export it as editable CSV."""


@data.command("list")
def data_list() -> None:
    """Every embedded file with what it holds and its period."""
    from gridimpact.datasets import resources

    for entry in resources():
        period = entry.get("gridimpact:period") or {}
        span = f"{period.get('start', '')} … {period.get('end', '')}" if period else ""
        click.echo(f"{entry['name']:28s} {entry.get('title', '')}" + (f"  [{span}]" if span else ""))


@data.command("show")
@click.argument("name")
def data_show(name: str) -> None:
    """What an embedded file is: period, regions, sources, licence, columns."""
    from gridimpact.datasets import cited_sources, resource

    entry = resource(name)
    click.echo(f"{entry['name']} — {entry.get('title', '')}")
    click.echo(f"file:        data/{entry['path']}")
    if entry.get("description"):
        click.echo(f"what:        {' '.join(entry['description'].split())}")
    period = entry.get("gridimpact:period")
    if period:
        click.echo(f"period:      {period.get('start')} … {period.get('end')}")
    if entry.get("gridimpact:regions"):
        click.echo(f"regions:     {', '.join(entry['gridimpact:regions'])}")
    licences = entry.get("licenses") or []
    if licences:
        click.echo("licence:     " + "; ".join(lic.get("title") or lic.get("name", "") for lic in licences))
    click.echo("sources:")
    for source in entry.get("sources", []):
        click.echo(f"  - {source.get('title', '')}" + (f": {source['path']}" if source.get("path") else ""))
    cited = cited_sources(name)
    if cited:
        click.echo(f"cited by its rows ({len(cited)}; rows citing each):")
        for label, rows in cited:
            click.echo(f"  {rows:4d}  {label}")
    fields = entry.get("schema", {}).get("fields", [])
    if fields:
        click.echo("columns:")
        for f in fields:
            unit = f" [{f['unit']}]" if f.get("unit") else ""
            click.echo(f"  {f['name']:24s} {f.get('type', '')}{unit}  {f.get('description', '')}")


@data.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def data_export(directory: Path) -> None:
    """Copy the embedded inputs as editable CSV into DIRECTORY (every command accepts them back)."""
    from gridimpact.datasets import export

    for path in export(directory):
        click.echo(str(path))


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=argv, prog_name="gridimpact")
