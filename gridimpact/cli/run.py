"""The commands that run the model: estimate, compare, report, regenerate."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from gridimpact.arguments import BASELINE_SCENARIO
from gridimpact.cli import sinks as cli_sinks
from gridimpact.cli.options import (
    DATE,
    InputFile,
    dask_client,
    input_options,
    load_parameters,
    log,
    output_options,
    params_options,
    progress_bar,
    scenario_options,
    show_notes,
)
from gridimpact.cli.scenario_tools import compliance_output


@click.command()
@input_options
@click.option("--start", type=DATE, help="First local day (YYYY-MM-DD); default: first day with data.")
@click.option("--end", type=DATE, help="Last local day (YYYY-MM-DD); default: last day with data.")
@params_options
@output_options(netcdf=True)
@cli_sinks.db_option
def estimate(source, start, end, params_file, assignments, output, formats, hxl, db) -> None:
    """Estimate impacts per region and day from the inputs as given.

    With no inputs, runs on the embedded winter 2025/26 case and prints a table per region: people
    without power (daily mean and peak), without heat, and below 16, 12 and 9 °C indoors. With
    -o - the daily table goes to stdout; with --db URL the run is also published into a database.
    """
    from gridimpact.api import estimate as run_estimate

    target = cli_sinks.check_output_options(output, tuple(f.lower() for f in formats), hxl, db)
    data = source.load()
    show_notes(data.notes, None if source.regions else data)  # regions named: the rest is left out on purpose
    params = load_parameters(params_file, assignments)
    formats = tuple(f.lower() for f in formats) or ("csv",)
    result = run_estimate(data, params, start=start, end=end, regions=list(source.regions) or None,
                          hourly="netcdf" in formats)
    written = []
    if output is None or cli_sinks.to_stdout(output):
        from gridimpact.report.console import estimate_text

        if output is None:
            click.echo(estimate_text(result.daily))
        else:
            cli_sinks.write_stdout(result.daily, formats[0], hxl, estimate_text(result.daily))
    else:
        written = result.to_files(output, formats, hxl=hxl)
        cli_sinks.say_written(written, output)
    if target is not None:
        files = cli_sinks.input_files(source, params_file)
        cli_sinks.publish_run(target, result, written, files, output)


def run_comparison(source, scenario_names, as_of, days, members, seed, compliance, params_file, assignments,
                   scheduler=None, target_error=None):
    """The comparison behind `compare` and `report`, with a progress bar and an optional cluster.

    A lone -s is compared with no-pause (said on stderr); a pause outside the compared days is a
    warning on stderr naming the as-of date to use.
    """
    from gridimpact.api import DEFAULT_SCENARIOS, PauseOutsideWindowWarning, compare

    data = source.load()
    show_notes(data.notes, None if source.regions else data)  # regions named: the rest is left out on purpose
    params = load_parameters(params_file, assignments)
    if len(scenario_names) == 1 and scenario_names[0] != BASELINE_SCENARIO:
        log.info("one scenario given: comparing '%s' with '%s'", scenario_names[0], BASELINE_SCENARIO)
    client = dask_client(scheduler)
    try:
        with progress_bar("simulating") as progress, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PauseOutsideWindowWarning)
            result = compare(data, scenario_names or DEFAULT_SCENARIOS, as_of=as_of, days=days, members=members,
                             seed=seed, compliance=compliance, params=params, regions=list(source.regions) or None,
                             progress=progress, client=client, target_error=target_error)
    finally:
        if client is not None:
            client.close()
    for warning in caught:
        if issubclass(warning.category, PauseOutsideWindowWarning):
            log.warning("%s", warning.message)
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return result


@click.command()
@input_options
@scenario_options
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a dask.distributed cluster (e.g. tcp://10.0.0.5:8786); results equal a local run.")
@click.option("--compliance-curve", is_flag=True,
              help="Also give the expected change for holding probabilities 0, 0.1, …, 1 (table; with -o a CSV and a figure).")
@params_options
@output_options()
@cli_sinks.table_option
@cli_sinks.db_option
def compare(source, scenario_names, as_of, days, members, seed, compliance, target_error, scheduler, compliance_curve,
            params_file, assignments, output, formats, hxl, table, db) -> None:
    """Compare scenarios with and without a strike pause (the main job).

    With no arguments: the embedded winter 2025/26 case, `no-pause` against `announced-pause`, from
    30 January 2026 for 14 days, 128 members (more for an oblast whose change needs them). Prints,
    per region, what the pause changes with its P10–P90 range; with -o DIR writes impacts.csv and
    comparison.csv; with -o - writes the comparison table (or --table impacts) to stdout; with
    --db URL also publishes the run.
    """
    if tuple(scenario_names) == (BASELINE_SCENARIO,):
        raise click.UsageError(f"'-s {BASELINE_SCENARIO}' alone has nothing to be compared with: add a scenario "
                               "(e.g. -s announced-pause), or use `gridimpact estimate` for the inputs as given")
    target = cli_sinks.check_output_options(output, tuple(f.lower() for f in formats), hxl, db, table)
    formats = tuple(f.lower() for f in formats) or ("csv",)
    result = run_comparison(source, scenario_names, as_of, days, members, seed, compliance, params_file, assignments,
                            scheduler, target_error)
    written = []
    if output is None or cli_sinks.to_stdout(output):
        from gridimpact.report.console import comparison_text

        if output is None:
            click.echo(comparison_text(result))
        else:
            frame = result.impacts if table == "impacts" else result.comparison
            cli_sinks.write_stdout(frame, formats[0], hxl, comparison_text(result))
    else:
        if compliance_curve:  # its table is checked with the others, before any is written
            from gridimpact.io.writers.ownership import MARKER_COLUMNS, refuse_to_replace_others
            from gridimpact.model.compliance import CURVE_KEYS

            curve_table = Path(output) / "compliance_curve.csv"
            refuse_to_replace_others({curve_table: CURVE_KEYS[:MARKER_COLUMNS]},
                                     {Path(output) / "compliance_curve.png": curve_table})
        written = result.to_files(output, formats, hxl=hxl)
    if compliance_curve:
        # with -o - the table owns stdout, so the curve goes to stderr
        on_stdout = output is not None and cli_sinks.to_stdout(output)
        written += compliance_output(result, None if output is None or on_stdout else output, err=on_stdout)
    if written:
        cli_sinks.say_written(written, output)
    if target is not None:
        files = cli_sinks.input_files(source, params_file, scenario_names)
        cli_sinks.publish_run(target, result, written, files, output)


@click.command()
@input_options
@scenario_options
@click.option("--title", help="Report title (default: what the second scenario changes).")
@click.option("--no-figures", is_flag=True, help="Skip the figures (no matplotlib needed).")
@params_options
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="DIR",
              help="Report folder to write (replaced as a whole only when complete).")
def report(source, scenario_names, as_of, days, members, seed, compliance, target_error, title, no_figures, params_file,
           assignments, output) -> None:
    """Write a self-contained summary (Markdown and HTML, figures, tables, sources, assumptions).

    Runs the same comparison as `gridimpact compare` and writes DIR/report.md, DIR/report.html,
    DIR/brief.pdf (one A4 page), DIR/map.png, DIR/figures/, DIR/comparison.csv and DIR/impacts.csv,
    ready to attach to a situation report.
    """
    from gridimpact.report.document import write_report

    result = run_comparison(source, scenario_names, as_of, days, members, seed, compliance, params_file, assignments,
                            target_error=target_error)
    for path in write_report(result, output, figures=not no_figures, title=title):
        log.info("wrote %s", path)
    click.echo(str(Path(output) / "report.html"))


@click.command()
@click.argument("config", type=InputFile)
@click.pass_context
def regenerate(ctx: click.Context, config: Path) -> None:
    """Regenerate the outputs a CONFIG.toml names: atomically, reproducibly, one run at a time.

    Silent on success unless -v. On failure: a one-line reason on stderr, a non-zero exit code
    (65 invalid input, 66 missing input, 73 output not writable, 75 another run holds the lock),
    and the previous outputs left untouched. See docs/outputs.md for the config keys.
    """
    from gridimpact.regenerate.run import regenerate as run_regenerate

    verbose = (ctx.find_root().obj or {}).get("verbose", 0) > 0
    run_regenerate(config, verbose=verbose, log=(lambda line: click.echo(line, err=True)) if verbose else None)
