"""Options and helpers shared by the gridimpact commands (no heavy imports at module level)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

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
        click.option("--population-basis", "population_basis", type=click.Choice(["current", "cod-ps-2022"]),
                     default="current", show_default=True,
                     help="Embedded population: current estimates (displacement, government-controlled "
                          "Donetsk) or the OCHA COD-PS 2022 projection."),
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


def load_inputs(inputs: Path | None, outages, temperature, population, population_basis: str = "current"):
    from gridimpact.inputs import Inputs

    if inputs is None and not outages and not temperature and not population:
        return Inputs.default(population_basis=population_basis)
    from gridimpact.io.readers.loader import load_bundle

    return load_bundle(outages=list(outages), temperature=list(temperature), population=population, folder=inputs,
                       population_basis=population_basis)


def load_parameters(params_file: Path | None, assignments):
    from gridimpact.model.params import load_params, parse_assignments

    params = load_params(params_file)
    if assignments:
        params = load_params(parse_assignments(assignments), base=params)
    return params


def show_notes(notes) -> None:
    for note in notes:
        log.info(note)


def scenario_options(function):
    """Scenario, as-of date, horizon, members, seed and compliance, as on `compare`."""
    options = [
        click.option("-s", "--scenario", "scenario_names", multiple=True, metavar="NAME_OR_FILE",
                     help="Scenario (built-in name or TOML file), repeatable; the first is the baseline. "
                          "Default: no-pause and announced-pause."),
        click.option("--as-of", "as_of", type=DATE,
                     help="Scenarios take over from this local day (default 2026-01-30 for the embedded case)."),
        click.option("--days", type=click.IntRange(1, 366), help="Days compared from the as-of date (default 14)."),
        click.option("--members", type=click.IntRange(1, 100_000), help="Ensemble members (default 100)."),
        click.option("--seed", type=int, help="Random seed (default 20260129); the same seed gives identical output."),
        click.option("--compliance", type=click.FloatRange(0.0, 1.0), metavar="P",
                     help="Probability that each pause holds for its whole window (fixed, overriding the "
                          "scenarios); the rest splits between failing and being breached as in the scenario."),
        click.option("-q", "--quiet", "quiet", is_flag=True, help="No progress bar."),
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

    def __init__(self, label: str, quiet: bool = False):
        self.label = label
        self.quiet = quiet
        self.bar = None

    def __enter__(self):
        ctx = click.get_current_context()
        quiet = self.quiet or (ctx.find_root().obj or {}).get("quiet", False)
        if quiet or not sys.stderr.isatty():
            return None
        return self

    def start(self, total: int) -> None:
        self.bar = click.progressbar(length=max(1, total), label=self.label, file=sys.stderr, show_eta=True)
        self.bar.__enter__()

    def __call__(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False
