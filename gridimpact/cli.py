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


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    cli.main(args=argv, prog_name="gridimpact")
