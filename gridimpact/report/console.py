"""Readable plain-text tables for the terminal: estimates per region and day, comparison summaries."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.model.comparison import ALL, ALL_NAME
from gridimpact.report.context import ensemble_size, refined
from gridimpact.report.numbers import error_note, error_share, plus_minus, quantity

ESTIMATE_COLUMNS = (
    ("date", "date", None),
    ("outdoor_temperature_mean_c", "outdoor °C", "temp"),
    ("people_without_power", "no power (mean)", "count"),
    ("people_without_power_peak", "no power (peak)", "count"),
    ("people_without_heat_peak", "no heat (peak)", "count"),
    ("people_below_16c", "<16 °C", "count"),
    ("people_below_12c", "<12 °C", "count"),
    ("people_below_9c", "<9 °C", "count"),
    ("elderly_below_9c", "65+ <9 °C", "count"),
    ("risk_level", "risk", None),
)

MAX_REGIONS_SHOWN = 12

SUMMARY_METRICS = (
    ("person_hours_without_power", "person-hours without power"),
    ("people_without_heat", "person-days without heat"),
    ("people_below_16c", "person-days below 16 °C"),
    ("people_below_12c", "person-days below 12 °C"),
    ("people_below_9c", "person-days below 9 °C"),
    ("elderly_below_9c", "65+ person-days below 9 °C"),
    ("people_without_heat_peak", "peak people without heat"),
    ("days_at_high_risk", "days at high or severe risk"),
)


def _cell(value, kind) -> str:
    if kind == "count":
        return quantity(value)
    if kind == "temp":
        return f"{value:.1f}"
    return str(value)


def render_table(header: list[str], rows: list[list[str]], align_left: int = 1) -> list[str]:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells):
        return "  ".join(c.ljust(w) if i < align_left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def estimate_text(daily: pd.DataFrame) -> str:
    out = []
    for (pcode, name), block in daily.groupby(["adm1_pcode", "adm1_name"], sort=False):
        population = int(block["population"].iloc[0])
        basis = f": {block['population_basis'].iloc[0]}" if "population_basis" in block.columns else ""
        out.append(f"{name} ({pcode}) — {quantity(population)} people{basis}")
        rows = [[_cell(row[c], kind) for c, _, kind in ESTIMATE_COLUMNS] for _, row in block.iterrows()]
        out.extend(render_table([label for _, label, _ in ESTIMATE_COLUMNS], rows))
        out.append("")
    out.append("Counts are people; 'no power'/'no heat' are hourly means and peaks of the day; '<12 °C' counts "
               "people whose indoor temperature fell below 12 °C at some hour of the day; numbers to three significant "
               "figures (exact values: -o DIR). See docs/outputs.md.")
    return "\n".join(out)


def pause_days_text(result, scenario: str, held_probability: float) -> str:
    """How much of the pause held: its probability of holding fully and the members' own draws."""
    days = (getattr(result, "pause_days_held", None) or {}).get(scenario)
    text = (f"The pause holds for its whole window with probability {held_probability:.0%}; otherwise it fails "
            "or is breached after some days, and the expected change weights each outcome by its chance.")
    if days is None or not len(days):
        return text
    days = np.asarray(days, dtype=float)
    full = np.asarray(result.pause_held[scenario], dtype=bool)
    partial = (days > 0) & ~full
    median = f" (median {np.median(days[partial]):.1f} days)" if partial.any() else ""
    return (text + f" Pause-days held in the members' own draws: none in {np.mean(days == 0):.0%}, some"
            f"{median} in {partial.mean():.0%}, all in {full.mean():.0%}.")


def comparison_text(result) -> str:
    table = result.comparison
    days = result.days[result.window]
    out = []
    for scenario in result.scenarios[1:]:
        rows_of = table[table["scenario"] == scenario]
        held_share = rows_of["pause_held_share"].max()  # NaN in the rows of regions no pause covers
        has_pause = held_share == held_share  # not NaN
        out.append(f"What '{scenario}' changes compared with '{result.baseline}'")
        out.append(f"Window {days[0].date()} … {days[-1].date()} ({len(days)} days) · {ensemble_size(result)} · "
                   f"seed {result.seed}")
        out.append("Quote the expected change with its ± standard error: scenario − baseline, both expected "
                   "values over the ensemble, paired by member; [P10 … P90] is its spread across members.")
        if has_pause:
            out.append(pause_days_text(result, scenario, held_share))
        out.append("")
        header = ["region", "metric", result.baseline, scenario, "expected change", "[P10 … P90]"]
        header += ["if held"] if has_pause else []
        rows = []
        errors = []  # (standard error / |change|, what) of each change shown
        key = "pcode" if "pcode" in rows_of.columns else "adm1_pcode"
        shown = list(result.regions) if len(result.regions) <= MAX_REGIONS_SHOWN else []
        for code in [*shown, ALL]:
            region_rows = rows_of[(rows_of[key] == code) | ((rows_of["adm1_pcode"] == code) & (code == ALL))]
            region_rows = region_rows.set_index("metric")
            region = ALL_NAME if code == ALL else str(region_rows.get("name", region_rows["adm1_name"]).iloc[0])
            for i, (metric, text) in enumerate(SUMMARY_METRICS):
                row = region_rows.loc[metric]
                cells = [region if i == 0 else "", text, quantity(row["baseline_value"]), quantity(row["scenario_value"]),
                         plus_minus(row['difference'], row['difference_se']),
                         f"[{quantity(row['difference_p10'], signed=True)} … {quantity(row['difference_p90'], signed=True)}]"]
                if has_pause:
                    cells.append(quantity(row["difference_if_held"], signed=True))
                rows.append(cells)
                if (ratio := error_share(row["difference"], row["difference_se"])) is not None:
                    errors.append((ratio, f"{text} in {region}"))
        out.extend(render_table(header, rows, align_left=2))
        out.append(error_note(errors, result.members, refined(result)))
        out.append("")
    if len(result.regions) > MAX_REGIONS_SHOWN:
        out.append(f"{len(result.regions)} regions: only their total is shown; every region is in comparison.csv.")
    else:
        for pcode, basis in (result.provenance.get("population_basis", {}) or {}).items():
            out.append(f"Population of {pcode}: {basis}.")
    out.append("A negative change means fewer people affected with the scenario. Person-days count each day a "
               "person was affected. Full tables: -o DIR (impacts.csv, comparison.csv).")
    return "\n".join(out)
