"""CLI pieces for judging scenarios: the compliance curve of `compare` and `gridimpact sensitivity`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from gridimpact.cli.sinks import say_written

log = logging.getLogger("gridimpact")

CURVE_SHOWN = ("people_below_12c", "person_hours_without_power")
"""Metrics of the curve printed on the console (the CSV has every compared metric)."""


def write_table_and_figure(table, output: Path, stem: str, draw) -> list[Path]:
    """``stem``.csv in ``output``, then ``stem``.png drawn by ``draw(target)``; without the plot
    extra the table is still the result and the figure is skipped with a warning. Returns the
    paths written; a ``stem``.csv or ``stem``.png that gridimpact did not write is never replaced (exit 73)."""
    from gridimpact.errors import MissingExtraError
    from gridimpact.io.atomic import ensure_directory
    from gridimpact.io.writers.ownership import first_columns, refuse_to_replace_others
    from gridimpact.io.writers.tables import write_table

    table_path = Path(output) / f"{stem}.csv"
    refuse_to_replace_others({table_path: first_columns(table)}, {Path(output) / f"{stem}.png": table_path})
    directory = ensure_directory(output)
    written = [write_table(table, directory / f"{stem}.csv", "csv")]
    try:
        written.append(draw(directory / f"{stem}.png"))
    except MissingExtraError as exc:
        log.warning("%s; %s.png not drawn", exc, stem)
    return written


def compliance_output(result, output: Path | None, *, err: bool = False) -> list[Path]:
    """Print the all-regions curve (on stderr with ``err``), or write compliance_curve.csv and its
    figure into ``output`` (returns the paths written)."""
    from gridimpact.model.compliance import compliance_curve

    curve = compliance_curve(result)
    if curve.empty:
        raise click.UsageError("--compliance-curve needs a compared scenario with a pause")
    if output is None:
        click.echo(curve_text(curve), err=err)
        return []
    from gridimpact.report.compliance import compliance_figure  # matplotlib only when it draws

    return write_table_and_figure(curve, Path(output), "compliance_curve",
                                  lambda target: compliance_figure(curve, target, result))


def curve_text(curve) -> str:
    from gridimpact.report.console import render_table
    from gridimpact.report.numbers import quantity

    rows = curve[(curve["adm1_pcode"] == "ALL") & curve["metric"].isin(CURVE_SHOWN)]
    out = []
    for scenario, block in rows.groupby("scenario", sort=False):
        model = float(block["model_holds_probability"].iloc[0])
        out.append(f"Expected change of '{scenario}' in all regions by the probability that the pause holds "
                   f"for its whole window (the precedents give {model:.2f}):")
        wide = block.pivot(index="holds_probability", columns="metric", values="expected_change")
        header = ["P(holds)", *[m for m in CURVE_SHOWN if m in wide.columns]]
        table = [[f"{level:.1f}", *[quantity(wide.loc[level, m], signed=True) for m in header[1:]]] for level in wide.index]
        out.extend(render_table(header, table))
        out.append("")
    out.append("Each row is exact for that probability (no new runs): with -o DIR, compliance_curve.csv has every "
               "region and metric, and compliance_curve.png draws it.")
    return "\n".join(out)


@click.command()
@click.option("-s", "--scenario", "scenario_names", multiple=True, metavar="NAME_OR_FILE",
              help="Baseline, then the scenario whose change is analysed (default: no-pause, announced-pause).")
@click.option("--members", type=click.IntRange(10, 100_000), default=64, show_default=True,
              help="Ensemble members of every run (one run per one-at-a-time setting).")
@click.option("--seed", type=click.IntRange(min=0), help="Random seed, 0 or more (default 20260129).")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write sensitivity.csv and sensitivity.png (tornado) into DIR instead of printing.")
def sensitivity(scenario_names, members, seed, output) -> None:
    """Which inputs move the headline expected change most: a ranked table and a tornado figure.

    Sampled parameters are ranked from the ensemble's own draws (rank correlation and the change
    among the members in their lowest and highest third); pump dependence, persons per customer,
    the strike interval and Kharkiv's regional strike rate by one-at-a-time runs at the ends of
    their ranges; the holding probability from the compliance curve at its posterior's P5 and P95.
    See docs/model.md.
    """
    from gridimpact.api import DEFAULT_SCENARIOS, compare
    from gridimpact.sensitivity import sensitivity as rank_inputs

    names = scenario_names or DEFAULT_SCENARIOS
    if len(names) != 2:
        raise click.UsageError("give exactly two scenarios: the baseline and the one analysed")
    table = rank_inputs(compare, list(names), members=members, seed=seed)
    if output is None:
        click.echo(sensitivity_text(table))
        return
    from gridimpact.report.sensitivity import tornado_figure  # matplotlib only when it draws

    written = write_table_and_figure(table, Path(output), "sensitivity", lambda target: tornado_figure(table, target))
    say_written(written, Path(output))


def sensitivity_text(table) -> str:
    from gridimpact.report.console import SUMMARY_METRICS, render_table
    from gridimpact.report.numbers import quantity

    labels = dict(SUMMARY_METRICS)
    out = []
    for metric, block in table.groupby("metric", sort=False):
        out.append(f"{labels.get(metric, metric)} ({metric}): expected change over all regions "
                   f"{quantity(block['headline_change'].iloc[0], signed=True)}")
        rows = [[str(r.rank), r.input, r.method, f"{r.low_setting} → {quantity(r.change_at_low, signed=True)}",
                 f"{r.high_setting} → {quantity(r.change_at_high, signed=True)}",
                 f"{quantity(r.swing)} ± {quantity(r.swing_se)}" + ("" if r.beyond_noise else " ~"),
                 "" if r.rank_correlation != r.rank_correlation else f"{r.rank_correlation:+.2f}"]
                for r in block.itertuples()]
        out.extend(render_table(["#", "input", "method", "low", "high", "swing ± SE", "ρ"], rows, align_left=3))
        out.append("")
    out.append("Swing = |change at high − change at low| ± its Monte-Carlo standard error; ~ marks a swing "
               "within two standard errors of zero, ranked after the others: it does not show that the "
               "input matters. ρ = Spearman rank correlation over the ensemble's draws.")
    return "\n".join(out)
