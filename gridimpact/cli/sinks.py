"""Where `compare` and `estimate` send results besides a folder: standard output and a database.

``-o -`` writes one table in one text format to stdout (the summary goes to stderr), so that
``gridimpact compare -o - | head`` or ``… | sqlite-utils insert db.sqlite comparison - --csv`` work;
``--db URL`` publishes the run into SQLite or PostgreSQL (``gridimpact.io.writers.database``). Options are
checked before the model runs, so a wrong combination fails at once with exit 2.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from gridimpact.cli.console import silence_broken_pipe

log = logging.getLogger("gridimpact")

STDOUT = "-"
TEXT_FORMATS = ("csv", "tsv", "json", "markdown")
"""Kept equal to ``io.writers.formats.TEXT_FORMATS`` (a test checks); spelled out so `--help` stays light."""


def db_option(function):
    return click.option(
        "--db", "db", metavar="URL",
        help="Also publish the run into a database: sqlite:///file.db or postgresql://user@host/db "
             "(needs the postgres extra). See docs/outputs.md.")(function)


def table_option(function):
    return click.option(
        "--table", "table", type=click.Choice(["comparison", "impacts"]),
        help="With -o -: which table goes to stdout (default comparison).")(function)


def to_stdout(output: Path | None) -> bool:
    return output is not None and str(output) == STDOUT


def check_output_options(output: Path | None, formats: tuple[str, ...], hxl: bool, database: str | None,
                         table: str | None = None):
    """Refuse option combinations that would be ignored or cannot work (click.UsageError, exit 2);
    returns the parsed database target (or None)."""
    if output is None:
        given = [name for name, value in (("--format", formats), ("--hxl", hxl), ("--table", table)) if value]
        if given:
            verb = "needs" if len(given) == 1 else "need"
            raise click.UsageError(f"{' and '.join(given)} {verb} -o DIR (files) or -o - (standard output)")
    elif to_stdout(output):
        if len(formats) > 1:
            raise click.UsageError(f"-o - writes one table in one format; got --format {', '.join(formats)}")
        if formats and formats[0] not in TEXT_FORMATS:
            raise click.UsageError(f"--format {formats[0]} cannot go to standard output (it is not text); "
                                   f"use one of {', '.join(TEXT_FORMATS)}, or -o DIR")
    elif table is not None:
        raise click.UsageError("--table chooses the table for -o -; with -o DIR every table is written")
    if database is None:
        return None
    from gridimpact.errors import ParameterError
    from gridimpact.io.writers.database import check_driver, parse_url

    try:
        target = parse_url(database)
    except ParameterError as exc:
        raise click.UsageError(f"--db: {exc}") from None
    check_driver(target)
    return target


def _quiet(command_quiet: bool = False) -> bool:
    return command_quiet or (click.get_current_context().find_root().obj or {}).get("quiet", False)


def say_written(paths, directory: Path) -> None:
    """One line on stderr (unless quiet) naming the files a run wrote into ``directory``; each path
    also at INFO level (-v)."""
    for path in paths:
        log.info("wrote %s", path)
    if paths and not _quiet():
        names = ", ".join(sorted(Path(path).name for path in paths))
        click.echo(f"wrote {len(paths)} file(s) to {directory}: {names}", err=True)


def emit(data: bytes) -> None:
    """Write bytes to stdout; a reader that stopped early (``| head``) ends the command quietly
    (``console.silence_broken_pipe``)."""
    stream = getattr(sys.stdout, "buffer", None)
    try:
        if stream is None:  # a text-only stream (an embedding application's): decode what we encoded
            sys.stdout.write(data.decode("utf-8"))
            sys.stdout.flush()
        else:
            stream.write(data)
            stream.flush()
    except BrokenPipeError:
        raise click.exceptions.Exit(silence_broken_pipe()) from None


def write_stdout(frame, fmt: str | None, hxl: bool, summary: str, quiet: bool = False) -> None:
    """The summary on stderr (unless quiet), then the table on stdout."""
    from gridimpact.io.writers.text import table_text

    if not _quiet(quiet):
        click.echo(summary, err=True)
    emit(table_text(frame, fmt or "csv", hxl=hxl).encode("utf-8"))


def input_files(source, params_file: Path | None = None, scenario_names=()) -> dict[str, list[Path]]:
    """The files a command reads (``source`` is its InputChoice), by role, as
    ``io.writers.datapackage.input_entries`` records them."""
    from gridimpact.io.readers.loader import resolve_files  # pandas: only once a run is published

    folder, given = source.files()
    resolved = resolve_files(outages=given["outages"], temperature=given["temperature"],
                             population=given["population"], folder=folder,
                             population_basis=source.population_basis)
    files = {family: [Path(p) for p in paths] for family, paths in resolved.files.items()}
    if params_file is not None:
        files["params"] = [Path(params_file)]
    scenario_files = [Path(name) for name in scenario_names if Path(name).is_file()]
    if scenario_files:
        files["scenario"] = scenario_files
    return files


def publish_run(target, result, files: list[Path], inputs: dict[str, list[Path]], root: Path | None) -> None:
    """Publish a result into the database ``target``; says what happened at INFO level."""
    from gridimpact.cli.options import log
    from gridimpact.io.writers.database import publish
    from gridimpact.io.writers.datapackage import output_package

    package = output_package(result, files, inputs=inputs, root=root if files else None)
    publication = publish(target, result, package)
    state = "published" if publication.changed else "unchanged (already published)"
    log.info("%s: run %s, %d impact rows, %d comparison rows, in %s", state, publication.run_id[:12],
             publication.impacts, publication.comparison, target.shown)
