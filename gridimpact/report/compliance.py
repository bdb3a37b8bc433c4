"""Figure of the compliance curve: the expected change against the probability that the pause holds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridimpact.model.comparison import ALL, ALL_NAME
from gridimpact.report.figures import SCENARIO_COLOURS, _new_figure, save_figure, style

CURVE_PANELS = (("people_below_12c", "Person-days below 12 °C indoors"),
                ("person_hours_without_power", "Person-hours without power"))


def compliance_figure(curve: pd.DataFrame, target: Path, result) -> Path:
    """One panel per headline metric: a line per region (and all regions), the model's own
    holding probability marked."""
    with style():
        figure = _new_figure(10.0, 4.2)
        axes = figure.subplots(1, len(CURVE_PANELS))
        for ax, (metric, title) in zip(axes, CURVE_PANELS, strict=True):
            rows = curve[(curve["metric"] == metric) & (curve["scenario"] == result.scenarios[1])]
            for i, (code, block) in enumerate(rows.groupby("adm1_pcode", sort=False)):
                colour = "#000000" if code == ALL else SCENARIO_COLOURS[(i + 1) % len(SCENARIO_COLOURS)]
                label = ALL_NAME if code == ALL else str(block["adm1_name"].iloc[0])
                ax.plot(block["holds_probability"], block["expected_change"] / 1e6, color=colour,
                        lw=2.0 if code == ALL else 1.2, label=label)
            if len(rows):
                ax.axvline(float(rows["model_holds_probability"].iloc[0]), color="#777777", ls="--", lw=0.8)
            ax.set_title(title)
            ax.set_xlabel("probability that the pause holds for its whole window", fontsize=8)
            ax.set_ylabel(f"expected change, millions of {rows['unit'].iloc[0] if len(rows) else ''}", fontsize=8)
            ax.grid(alpha=0.3)
        axes[0].legend(fontsize=7, frameon=False)
        figure.get_layout_engine().set(wspace=0.08)
        figure.text(0.5, 0.995, f"What '{result.scenarios[1]}' changes, by how likely it is to hold "
                    "(dashed: the precedents' estimate)", ha="center", va="top", fontsize=10, fontweight="bold")
        return save_figure(figure, target)
