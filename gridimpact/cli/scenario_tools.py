"""CLI pieces for judging scenarios: the compliance curve of `compare` and `gridimpact sensitivity`."""

from __future__ import annotations

import logging
from pathlib import Path

import click

log = logging.getLogger("gridimpact")

CURVE_SHOWN = ("people_below_12c", "person_hours_without_power")
"""Metrics of the curve printed on the console (the CSV has every compared metric)."""


def compliance_output(result, output: Path | None) -> None:
    """Print the all-regions curve, or write compliance_curve.csv and its figure into ``output``."""
    from gridimpact.model.compliance import compliance_curve

    curve = compliance_curve(result)
    if curve.empty:
        raise click.UsageError("--compliance-curve needs a compared scenario with a pause")
    if output is None:
        click.echo(curve_text(curve))
        return
    from gridimpact.errors import MissingExtraError
    from gridimpact.io.atomic import ensure_directory
    from gridimpact.io.writers.tables import write_table

    directory = ensure_directory(Path(output))
    log.info("wrote %s", write_table(curve, directory / "compliance_curve.csv", "csv"))
    try:
        from gridimpact.report.compliance import compliance_figure

        log.info("wrote %s", compliance_figure(curve, directory / "compliance_curve.png", result))
    except MissingExtraError as exc:  # the table is the result; the figure needs the plot extra
        log.warning("%s; compliance_curve.png not drawn", exc)


def curve_text(curve) -> str:
    from gridimpact.report.console import human, render_table

    rows = curve[(curve["adm1_pcode"] == "ALL") & curve["metric"].isin(CURVE_SHOWN)]
    out = []
    for scenario, block in rows.groupby("scenario", sort=False):
        model = float(block["model_holds_probability"].iloc[0])
        out.append(f"Expected change of '{scenario}' in all regions by the probability that the pause holds "
                   f"for its whole window (the precedents give {model:.2f}):")
        wide = block.pivot(index="holds_probability", columns="metric", values="expected_change")
        header = ["P(holds)", *[m for m in CURVE_SHOWN if m in wide.columns]]
        table = [[f"{level:.1f}", *[human(wide.loc[level, m], signed=True) for m in header[1:]]] for level in wide.index]
        out.extend(render_table(header, table))
        out.append("")
    out.append("Each row is exact for that probability (no new runs): with -o DIR, compliance_curve.csv has every "
               "region and metric, and compliance_curve.png draws it.")
    return "\n".join(out)
