"""`gridimpact backtest`: the model beside every reported figure of an observations table."""

from __future__ import annotations

from pathlib import Path

import click

from gridimpact.cli.options import (
    input_options,
    load_parameters,
    log,
    params_options,
    show_notes,
)
from gridimpact.errors import MissingExtraError


@click.command()
@input_options
@click.option("--observations", "observations_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Observations table (docs/inputs.md); default: the shipped data/observations.csv.")
@click.option("--members", type=click.IntRange(1, 200), default=4, show_default=True,
              help="Parameter draws for the P10–P90 range.")
@params_options
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Write backtest_rows.csv, backtest_summary.csv and backtest.png into DIR.")
def backtest(source, observations_file, members, params_file, assignments, output) -> None:
    """Match every observation with the model's quantity; report errors per row and per quantity × set.

    Each row is matched by what it counts (its scope: any cause, or damage only) and at its time of
    day (the day's mean when no time is given). Rows marked `input` echo an input figure: listed
    apart, never counted as validation.
    """
    from gridimpact.backtest import backtest as run_backtest  # light start-up: pandas only when run
    from gridimpact.io.atomic import ensure_directory
    from gridimpact.io.writers.ownership import first_columns, refuse_to_replace_others
    from gridimpact.io.writers.tables import write_table

    data = source.load()
    show_notes(data.notes)
    result = run_backtest(data, observations_file, load_parameters(params_file, assignments),
                          regions=list(source.regions) or None, members=members)
    summary = result.summary
    for set_name in ("validation", "calibration", "input"):
        part = summary[summary["set"] == set_name]
        if part.empty:
            continue
        click.echo(f"{set_name}{' (echoes of inputs, not a test)' if set_name == 'input' else ''}:")
        for row in part.itertuples(index=False):
            click.echo(f"  {row.quantity:32} {row.rows:3d} rows  median |log error| {row.median_abs_log_error:.2f}"
                       f" (×{row.factor:.2f}); {row.share_inside_p10_p90:.0%} inside P10–P90")
    unmatched = int((~result.rows["matched"]).sum())
    if unmatched:
        click.echo(f"{unmatched} rows not matched (no model quantity, place or day)")
    click.echo(result.headline())
    if output is not None:
        rows_path = output / "backtest_rows.csv"
        refuse_to_replace_others({rows_path: first_columns(result.rows),
                                  output / "backtest_summary.csv": first_columns(summary)},
                                 {output / "backtest.png": rows_path})
        for name, frame in (("backtest_rows.csv", result.rows), ("backtest_summary.csv", summary)):
            log.info("wrote %s", write_table(frame, ensure_directory(output) / name, "csv"))
        try:
            from gridimpact.report.backtest import backtest_figure  # matplotlib: optional extra

            backtest_figure(result.rows, output / "backtest.png")
        except MissingExtraError as exc:
            log.warning("no figure: %s", exc)
