"""The back-test figure: model against observed for every matched row, log axes (matplotlib, `plot` extra)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridimpact.io.atomic import atomic_path
from gridimpact.io.writers.ownership import FIGURE_SOFTWARE
from gridimpact.report.figures import require_matplotlib

SET_STYLE = {"validation": ("#c0392b", "o"), "calibration": ("#2471a3", "s"), "input": ("#999999", "x")}


def backtest_figure(rows: pd.DataFrame, path: Path) -> Path:
    """Write a PNG of model against observed (indoor temperatures as excess over outdoors)."""
    require_matplotlib()
    # matplotlib is an optional extra: imported only when a figure is drawn.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    matched = rows[rows["matched"]]
    figure = Figure(figsize=(6.0, 5.5), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    observed, model = matched["compared_observed"], matched["compared_model"]
    zero = matched["model_zero"].astype(bool) if "model_zero" in matched else pd.Series(False, index=matched.index)
    for set_name, (colour, marker) in SET_STYLE.items():
        part = matched["set"] == set_name
        if part.any():
            axes.scatter(observed[part], model[part], c=colour, marker=marker, s=24,
                         label=f"{set_name} ({int(part.sum())})")
    if zero.any():  # a zero model is drawn at its floor (1 % of the report), ringed
        axes.scatter(observed[zero], model[zero], facecolors="none", edgecolors="#333333", s=90,
                     label=f"model zero, drawn at 1 % ({int(zero.sum())})")
    if len(matched):
        low, high = float(min(observed.min(), model.min())), float(max(observed.max(), model.max()))
        axes.plot([low, high], [low, high], color="#333333", linewidth=0.8, label="model = observed")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("observed (indoor: excess over outdoors, K)")
    axes.set_ylabel("model")
    axes.set_title("Back-test: model against reported figures")
    axes.legend(fontsize=8, frameon=False)
    with atomic_path(path) as target:
        figure.savefig(target, dpi=120, format="png", metadata={"Software": FIGURE_SOFTWARE})
    return path
