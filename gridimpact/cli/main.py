"""The ``gridimpact`` command line: parses options, calls the API, maps errors to exit codes.

Nothing here computes; commands import the API only when they run, so ``gridimpact --help`` stays
fast. Exit codes: 0 success, 1 unexpected failure, 2 usage error, 65 invalid input data, 66 input
missing or unreadable, 73 output cannot be written, 75 another regeneration holds the lock; a
reader of the pipe that stopped early (``| head``) ends the run quietly with 0.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys

import click

from gridimpact import __version__
from gridimpact.cli import backtest as cli_backtest
from gridimpact.cli import info as cli_info
from gridimpact.cli import run as cli_run
from gridimpact.cli import scenario_tools as cli_scenario_tools
from gridimpact.cli import warmup as cli_warmup
from gridimpact.cli.console import degrade_to_ascii, silence_broken_pipe
from gridimpact.cli.options import configure_logging, verbosity_parameters
from gridimpact.errors import EXIT_FAILURE, GridimpactError

CONTEXT = {"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "GRIDIMPACT", "max_content_width": 100}

log = logging.getLogger("gridimpact")


class State:
    debug = False


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
        except BrokenPipeError:  # the reader of a pipe stopped early (`| head`): nothing to say
            ctx.exit(silence_broken_pipe())
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
    check_source_date_epoch()
    degrade_to_ascii()
    ctx.obj = {"verbose": verbose, "quiet": quiet}
    configure_logging(verbose, quiet)


LAST_EPOCH_SECOND = 253_402_300_799
"""9999-12-31T23:59:59Z, the last second a date stamp can hold."""


def check_source_date_epoch() -> None:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) before anything reads it: empty counts as unset
    (a CI step whose ``git log`` printed nothing), anything but whole seconds from 1970 to 9999 is
    a usage error (exit 2) rather than a crash inside a library that reads it first."""
    text = os.environ.get("SOURCE_DATE_EPOCH")
    if text is None:
        return
    if not text.strip():
        del os.environ["SOURCE_DATE_EPOCH"]
        return
    if not (text.strip().isdigit() and int(text) <= LAST_EPOCH_SECOND):
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC (at most "
                               f"{LAST_EPOCH_SECOND}), got {text!r}; unset it or fix the step that sets it")


SHORT_HELP = {
    "compare": "Scenarios with and without a strike pause (the main job).",
    "estimate": "Impacts per region and day from the inputs as given.",
    "validate": "Check input files; list every problem with its location.",
    "report": "Write an HTML and Markdown report, a one-page PDF brief and a map.",
    "regenerate": "Regenerate configured outputs atomically (for cron and CI).",
    "scenarios": "List and show the built-in scenarios.",
    "params": "Model parameters with unit, range and source.",
    "data": "The embedded default data: list, show sources, export.",
    "backtest": "The model against reported figures: errors per row and quantity.",
    "sensitivity": "Which inputs move the headline change most: ranked table, tornado.",
    "warm-up": "Compile the engine ahead of the first run (fills its cache).",
}



def _with_verbosity(command: click.Command) -> None:
    """-v/-q on every subcommand, as on the group."""
    taken = {name for param in command.params for name in getattr(param, "opts", ())}
    command.params.extend(p for p in verbosity_parameters() if not taken & set(p.opts))
    for sub in getattr(command, "commands", {}).values():
        _with_verbosity(sub)


for command in (cli_info.validate, cli_run.estimate, cli_run.compare, cli_run.report, cli_run.regenerate,
                cli_info.scenarios, cli_info.params_command, cli_info.data, cli_backtest.backtest,
                cli_scenario_tools.sensitivity, cli_warmup.warm_up):
    command.short_help = SHORT_HELP[command.name]
    _with_verbosity(command)
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Console entry point; a pipe closed by its reader ends the run quietly (exit 0). Run as the
    command (``argv`` None) it ends the process through ``leave``; with ``argv`` it raises
    ``SystemExit`` like any click program."""
    try:
        cli.main(args=argv, prog_name="gridimpact")
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = silence_broken_pipe()
    if argv is None:  # the console command: its process ends here
        leave(code)
    sys.exit(code)  # called from Python with arguments: the caller gets SystemExit


def leave(code) -> None:
    """End the process with ``code`` (``sys.exit``'s meaning). Once the compiled engine is loaded,
    the interpreter's own teardown takes half a second (numba's compiler is dismantled piece by
    piece), so then the exit handlers run, the streams are flushed and the process ends at once:
    everything a run writes is complete and closed before this point."""
    if "numba" not in sys.modules:
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message") prints the message and exits with 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status & 0xFF)
