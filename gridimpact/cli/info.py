"""The commands that inspect inputs, data, scenarios and parameters."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from gridimpact.cli.options import InputChoice, InputFile, log, reading_options, unreadable_values
from gridimpact.errors import GridimpactError


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[FILES]...")
@click.option("--outages", "outages", multiple=True, type=InputFile, metavar="FILE",
              help="Outage reports or schedules: CSV, XLSX, Parquet, DTEK or Yasno JSON. Repeatable.")
@click.option("--temperature", "temperature", multiple=True, type=InputFile, metavar="FILE",
              help="Temperature: ERA5 NetCDF/zip, Open-Meteo, Meteostat, GHCN-daily or tidy CSV. Repeatable.")
@click.option("--population", "population", multiple=True, type=InputFile, metavar="FILE",
              help="Population: OCHA COD-PS CSV (wide or long, with or without HXL) or canonical CSV.")
@reading_options
def validate(paths, outages, temperature, population, regions, max_gap, since, encoding, sheet,
             pressure_level) -> None:
    """Check input files and list every problem: file, line, column, value and rule.

    FILES may be files of any family (told apart by name, format and header words; name a file's
    family with --outages, --temperature or --population when that fails) or a data folder. With no
    files, validates the embedded default case. Exit 0 when all files are valid, 65 when any is
    invalid, 66 when one is missing or unreadable.
    """
    from gridimpact.io.readers.loader import files_in_folder
    from gridimpact.io.readers.validation import validate_files

    choice = InputChoice(paths=tuple(paths), outages=outages, temperature=temperature, population=population,
                         regions=tuple(regions), max_gap=max_gap, since=since, encoding=encoding)
    refused: dict = {}  # files that cannot be given a family are reported with the others
    folder, files = choice.files(refused)
    folder_notes: list[str] = []  # the folder's files that are not read
    if folder is not None:
        for family, found in files_in_folder(folder, folder_notes).items():
            files[family] = files[family] or found
    with unreadable_values(files):
        report = validate_files(outages=files["outages"], temperature=files["temperature"],
                                population=files["population"], region=choice.region, max_gap_hours=max_gap,
                                since=since, encoding=encoding, sheet=sheet, pressure_level=pressure_level,
                                refused=refused)
    for line in report.lines():
        click.echo(line)
    if log.isEnabledFor(logging.WARNING):  # -q: only errors on stderr
        for note in [*folder_notes, *report.notes]:
            click.echo(f"note: {note}", err=True)
    click.echo(report.summary())
    sys.exit(report.exit_code)


@click.group()
def scenarios() -> None:
    """List and show the built-in scenarios."""


@scenarios.command("list")
def scenarios_list() -> None:
    """Built-in scenario names with one line each."""
    from gridimpact.io.readers.scenarios import builtin_scenarios

    for name, scenario in builtin_scenarios().items():
        first = scenario.description.split(". ")[0].rstrip(".")
        click.echo(f"{name:20s} {first}.")


@scenarios.command("show")
@click.argument("name")
def scenarios_show(name: str) -> None:
    """What a scenario (built-in name or TOML file) assumes, with the seeds it cites."""
    import json

    from gridimpact.io.readers.scenarios import load_scenario, seed_events
    from gridimpact.model.scenarios import describe

    scenario = load_scenario(name)
    click.echo(json.dumps(describe(scenario), indent=2, ensure_ascii=False, default=str))
    events = seed_events()
    for seed_id in scenario.seeds:
        event = events.get(seed_id, {})
        click.echo(f"\nseed {seed_id} ({event.get('_file', 'missing')}): {event.get('summary', '')}")
        for citation in event.get("citations", []):
            click.echo(f"  - {citation.get('publisher', '')}, {citation.get('title', '')}: {citation.get('url', '')}")


@click.command("params")
@click.argument("name", required=False)
def params_command(name: str | None) -> None:
    """List every model parameter with value, unit, range and source (or one in full)."""
    from gridimpact.model.params import defaults_version, specs

    table = specs()
    if name:
        if name not in table:
            from gridimpact.model.params import check_value

            check_value(name, 0)  # raises with suggestions
        spec = table[name]
        for key in ("name", "value", "unit", "low", "high", "sample", "confidence", "description", "source"):
            click.echo(f"{key:12s} {getattr(spec, key)}")
        return
    click.echo(f"parameters version {defaults_version()}")
    for spec in table.values():
        click.echo(f"{spec.name:26s} {spec.value!s:>7} {spec.unit:8s} [{spec.low}, {spec.high}]"
                   f"{'  sampled' if spec.sample else ''}  {spec.description}")


@click.group()
def data() -> None:
    """The embedded default data: list, show its sources, export it as editable CSV."""


@data.command("list")
def data_list() -> None:
    """Every embedded file with what it holds and its period."""
    from gridimpact.io.readers.embedded import resources

    for entry in resources():
        period = entry.get("gridimpact:period") or {}
        span = f"{period.get('start', '')} … {period.get('end', '')}" if period else ""
        click.echo(f"{entry['name']:28s} {entry.get('title', '')}" + (f"  [{span}]" if span else ""))


@data.command("show")
@click.argument("name")
def data_show(name: str) -> None:
    """What an embedded file is: period, regions, sources, licence, columns."""
    from gridimpact.io.readers.embedded import cited_sources, resource

    try:
        entry = resource(name)
    except GridimpactError as exc:  # a name typed wrong is a usage mistake (exit 2)
        raise click.BadParameter(str(exc), param_hint="NAME") from None
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
@click.option("--force", is_flag=True, help="Overwrite files in DIRECTORY that differ from the embedded ones.")
def data_export(directory: Path, force: bool) -> None:
    """Copy the embedded inputs as editable CSV into DIRECTORY (every command accepts them back).

    Files already there that differ from the embedded ones (edited copies) are left alone and the
    export is refused (exit 73) unless --force is given.
    """
    from gridimpact.io.readers.embedded import export

    for path in export(directory, force=force):
        click.echo(str(path))
