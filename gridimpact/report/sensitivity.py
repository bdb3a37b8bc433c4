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
            # a swing that Monte-Carlo noise could explain is drawn faint and said to be so
            shown = rows["beyond_noise"].to_numpy(bool)
            for faint in (False, True):
                keep = shown != faint
                alpha = 0.3 if faint else 1.0
                ax.barh(y[keep], (low - centre)[keep], left=centre, color=SCENARIO_COLOURS[1], alpha=alpha,
                        label=None if faint else "low end")
                ax.barh(y[keep], (high - centre)[keep], left=centre, color=SCENARIO_COLOURS[0], alpha=alpha,
                        label=None if faint else "high end")
            ax.axvline(centre, color="#000000", lw=0.8)
            labels = [f"{i}\n({m}{'' if strong else ', within noise'})"
                      for i, m, strong in zip(rows["input"], rows["method"], shown, strict=True)]
            ax.set_yticks(y, labels, fontsize=7)
            ax.set_title(title)
            ax.set_xlabel("expected change over all regions, millions", fontsize=8)
        axes[0].legend(fontsize=7, frameon=False)
        figure.text(0.5, 0.995, "What moves the expected change most (black: the headline)", ha="center",
                    va="top", fontsize=10, fontweight="bold")
        figure.text(0.5, 0.005, "Faint bars: a swing within two Monte-Carlo standard errors of zero, listed "
                    "below the others; it does not show that the input matters.", ha="center", va="bottom",
                    fontsize=7)
        return save_figure(figure, target)
