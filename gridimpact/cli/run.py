"""The commands that run the model: estimate, compare, report, regenerate."""

from __future__ import annotations

from pathlib import Path

import click

from gridimpact.cli.options import (
    DATE,
    InputFile,
    dask_client,
    input_options,
    load_inputs,
    load_parameters,
    log,
    output_options,
    params_options,
    progress_bar,
    scenario_options,
    show_notes,
)


@click.command()
@input_options
@click.option("--start", type=DATE, help="First local day (YYYY-MM-DD); default: first day with data.")
@click.option("--end", type=DATE, help="Last local day (YYYY-MM-DD); default: last day with data.")
@params_options
@output_options(netcdf=True)
def estimate(inputs, outages, temperature, population, population_basis, regions, start, end, params_file, assignments,
             output, formats, hxl) -> None:
    """Estimate impacts per region and day from the inputs as given.

    With no inputs, runs on the embedded winter 2025/26 case and prints a table per region: people
    without power (daily mean and peak), without heat, and below 16, 12 and 9 °C indoors.
    """
    from gridimpact.api import estimate as run_estimate

    data = load_inputs(inputs, outages, temperature, population, population_basis)
    show_notes(data.notes)
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


def run_comparison(inputs, outages, temperature, population, population_basis, regions, scenario_names, as_of,
                   days, members, seed, compliance, quiet, params_file, assignments, scheduler=None):
    """The comparison behind `compare` and `report`, with a progress bar and an optional cluster."""
    from gridimpact.api import DEFAULT_SCENARIOS, compare

    data = load_inputs(inputs, outages, temperature, population, population_basis)
    show_notes(data.notes)
    params = load_parameters(params_file, assignments)
    client = dask_client(scheduler)
    try:
        with progress_bar("simulating", quiet) as progress:
            return compare(data, scenario_names or DEFAULT_SCENARIOS, as_of=as_of, days=days, members=members,
                           seed=seed, compliance=compliance, params=params, regions=list(regions) or None,
                           progress=progress, client=client)
    finally:
        if client is not None:
            client.close()


@click.command()
@input_options
@scenario_options
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a dask.distributed cluster (e.g. tcp://10.0.0.5:8786); results equal a local run.")
@click.option("--compliance-curve", is_flag=True,
              help="Also give the expected change for holding probabilities 0, 0.1, …, 1 (table; with -o a CSV and a figure).")
@params_options
@output_options()
def compare(inputs, outages, temperature, population, population_basis, regions, scenario_names, as_of, days, members, seed,
            compliance, scheduler, compliance_curve, quiet, params_file, assignments, output, formats, hxl) -> None:
    """Compare scenarios with and without a strike pause (the main job).

    With no arguments: the embedded winter 2025/26 case, `no-pause` against `announced-pause`, from
    30 January 2026 for 14 days, 100 members. Prints, per region, what the pause changes with its
    P10–P90 range; with -o DIR writes impacts.csv and comparison.csv.
    """
    formats = tuple(f.lower() for f in formats) or ("csv",)
    result = run_comparison(inputs, outages, temperature, population, population_basis, regions, scenario_names,
                            as_of, days, members, seed, compliance, quiet, params_file, assignments, scheduler)
    if output is None:
        from gridimpact.report.console import comparison_text

        click.echo(comparison_text(result))
    else:
        for path in result.to_files(output, formats, hxl=hxl):
            log.info("wrote %s", path)
    if compliance_curve:
        from gridimpact.cli.scenario_tools import compliance_output

        compliance_output(result, output)


@click.command()
@input_options
@scenario_options
@click.option("--title", help="Report title (default: what the second scenario changes).")
@click.option("--no-figures", is_flag=True, help="Skip the figures (no matplotlib needed).")
@params_options
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True, metavar="DIR",
              help="Report folder to write (replaced as a whole only when complete).")
def report(inputs, outages, temperature, population, population_basis, regions, scenario_names, as_of, days, members, seed,
           compliance, title, no_figures, quiet, params_file, assignments, output) -> None:
    """Write a self-contained summary (Markdown and HTML, figures, tables, sources, assumptions).

    Runs the same comparison as `gridimpact compare` and writes DIR/report.md, DIR/report.html,
    DIR/figures/, DIR/comparison.csv and DIR/impacts.csv, ready to attach to a situation report.
    """
    from gridimpact.report.document import write_report

    result = run_comparison(inputs, outages, temperature, population, population_basis, regions, scenario_names,
                            as_of, days, members, seed, compliance, quiet, params_file, assignments)
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
