"""Compare the announced pause with no pause on the embedded case and write a Markdown report.

    python examples/report.py [FOLDER] [--members N] [--plain]

FOLDER (default ``report-out``) receives the report. With gridimpact's report module
(``gridimpact.report.document``, needs ``pip install 'gridimpact[plot]'``) it is the full report:
report.md, report.html, figures and tables. With ``--plain``, or where that module is missing, this
script writes a short report itself: ``report.md`` with the all-region changes and ``people-below-
12c.png``, the daily number of people below 12 °C indoors in each scenario.

Members default to the environment variable ``GRIDIMPACT_EXAMPLE_MEMBERS``, else 50: enough for a
first look; use 100 or more for numbers you publish.
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path

import numpy as np

import gridimpact

DEFAULT_MEMBERS = 50
HEADLINE_METRICS = ("people_without_power", "people_without_heat", "people_below_12c", "people_below_9c",
                    "elderly_below_9c", "days_at_high_risk")
FIGURE_METRIC = "people_below_12c"


def number(value: float, sign: str = "") -> str:
    """A value to at least three significant figures ('−3.90', '−4,000,000'); NaN (the scenario
    has no pause) as an empty cell."""
    if value != value:
        return ""
    decimals = max(0, 2 - math.floor(math.log10(abs(value)))) if value else 0
    return f"{value:{sign},.{decimals}f}"


def signed(value: float) -> str:
    return number(value, "+")


def plain_table(comparison) -> str:
    """The all-region rows of the comparison for a few metrics, as a Markdown table."""
    rows = comparison[(comparison["adm1_pcode"] == "ALL") & comparison["metric"].isin(HEADLINE_METRICS)]
    lines = ["| metric | unit | baseline | with the pause | expected change ± SE | P10 … P90 | if the pause holds |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows.itertuples(index=False):
        lines.append(f"| {row.metric} | {row.unit} | {row.baseline_value:,.0f} | {row.scenario_value:,.0f} | "
                     f"{signed(row.difference)} ± {number(row.difference_se)} | {signed(row.difference_p10)} … "
                     f"{signed(row.difference_p90)} | {signed(row.difference_if_held)} |")
    return "\n".join(lines) + "\n"


def draw_figure(result, target: Path) -> Path:
    """Daily people below 12 °C over all regions: ensemble median and P10–P90 band per scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    days = result.days[result.window]
    figure, axes = plt.subplots(figsize=(8, 4), layout="constrained")
    for scenario in result.scenarios:
        # Sum over regions member by member, then take quantiles over members.
        totals = result.daily[scenario][FIGURE_METRIC][:, :, result.window].sum(axis=1)
        low, median, high = np.quantile(totals, [0.1, 0.5, 0.9], axis=0)
        axes.plot(days, median, label=scenario)
        axes.fill_between(days, low, high, alpha=0.2)
    axes.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    axes.set_ylabel("people below 12 °C indoors")
    axes.set_title("All regions: median and P10–P90 over ensemble members")
    axes.legend()
    figure.autofmt_xdate()
    figure.savefig(target, dpi=100, metadata={"Software": None})
    plt.close(figure)
    return target


def write_plain_report(result, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    figure = draw_figure(result, folder / "people-below-12c.png")
    provenance = result.provenance
    text = (
        f"# What the announced pause changes\n\n"
        f"Scenarios {', '.join(result.scenarios)}, compared from {provenance['as_of']} for "
        f"{provenance['days']} days with {result.members} ensemble members (seed {result.seed}), "
        f"gridimpact {provenance['gridimpact_version']}, parameters {provenance['parameters_version']}.\n\n"
        f"## All regions\n\nValues are expected values (ensemble means); the change to quote is the "
        f"expected change, scenario − baseline, paired member by member and weighted over whether the "
        f"pause fails, is breached or holds, with its Monte-Carlo standard error (SE). Person counts are "
        f"summed over the days of the window (person-days).\n\n{plain_table(result.comparison)}\n"
        f"![people below 12 °C indoors]({figure.name})\n"
    )
    report = folder / "report.md"
    report.write_text(text, encoding="utf-8")
    return [report, figure]


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="report-out", type=Path,
                        help="folder to write the report into (default: report-out)")
    parser.add_argument("--members", type=int,
                        default=int(os.environ.get("GRIDIMPACT_EXAMPLE_MEMBERS", DEFAULT_MEMBERS)),
                        help="ensemble members (default: $GRIDIMPACT_EXAMPLE_MEMBERS or 50)")
    parser.add_argument("--plain", action="store_true",
                        help="write the short report of this script even if the report module is installed")
    options = parser.parse_args(argv)
    result = gridimpact.compare(members=options.members)
    write_report = None
    if not options.plain:
        try:
            from gridimpact.report.document import write_report
        except ImportError:
            write_report = None
    if write_report is not None:
        written = write_report(result, options.folder)
    else:
        written = write_plain_report(result, options.folder)
    for path in written:
        print(path)
    return written


if __name__ == "__main__":
    main()
