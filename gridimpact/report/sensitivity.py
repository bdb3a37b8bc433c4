"""Tornado figure of the sensitivity table: the expected change at each input's low and high end."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gridimpact.report.figures import SCENARIO_COLOURS, _new_figure, save_figure, style

TORNADO_METRICS = (("people_below_12c", "Person-days below 12 °C indoors"),
                   ("person_hours_without_power", "Person-hours without power"))


def tornado_figure(table, target: Path) -> Path:
    """One panel per headline metric: a bar from the change at the low end to the high end of each
    input, widest on top, around the headline expected change."""
    with style():
        figure = _new_figure(11.0, 0.5 * table["input"].nunique() + 1.8)
        axes = figure.subplots(1, len(TORNADO_METRICS))
        for ax, (metric, title) in zip(axes, TORNADO_METRICS, strict=True):
            rows = table[table["metric"] == metric].iloc[::-1]
            y = np.arange(len(rows))
            centre = float(rows["headline_change"].iloc[0]) / 1e6 if len(rows) else 0.0
            low, high = rows["change_at_low"].to_numpy(float) / 1e6, rows["change_at_high"].to_numpy(float) / 1e6
            ax.barh(y, low - centre, left=centre, color=SCENARIO_COLOURS[1], label="low end")
            ax.barh(y, high - centre, left=centre, color=SCENARIO_COLOURS[0], label="high end")
            ax.axvline(centre, color="#000000", lw=0.8)
            ax.set_yticks(y, [f"{i}\n({m})" for i, m in zip(rows["input"], rows["method"], strict=True)], fontsize=7)
            ax.set_title(title)
            ax.set_xlabel("expected change over all regions, millions", fontsize=8)
        axes[0].legend(fontsize=7, frameon=False)
        figure.text(0.5, 0.995, "What moves the expected change most (black: the headline)", ha="center",
                    va="top", fontsize=10, fontweight="bold")
        return save_figure(figure, target)
