"""The expected change as a function of the probability that the pause holds (a compliance curve).

The comparison already holds, per region and metric, the expected change if the pause holds fully
(``difference_if_held``) and if it is breached after some days (``difference_if_breached``); the
change if it fails is what is left of the expected change. Each is an exact expectation over the
same members, so the curve is linear in the holding probability c and needs no further runs:

    change(c) = c · if_held + (1 − c) · (b · if_breached + (1 − b) · if_failed),

with b the share of the not-fully-held outcomes in which the pause holds for a while (from the
pause's own outcome probabilities, seeds/pause_outcomes.toml). A reader who trusts Moscow's word
more or less than the precedents do reads the change at their own c.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CURVE_KEYS = ("scenario", "adm1_pcode", "adm1_name", "metric", "unit")
"""The key columns of the curve, first in its table."""
CURVE_LEVELS = tuple(np.round(np.linspace(0.0, 1.0, 11), 2))
"""Holding probabilities of the curve's rows: 0, 0.1, …, 1."""


def _outcome_probabilities(result, scenario: str) -> tuple[float, float, float] | None:
    for entry in (result.provenance or {}).get("scenarios", []):
        if entry.get("name") == scenario and entry.get("pause_outcome_probabilities"):
            return tuple(entry["pause_outcome_probabilities"][0])
    return None


def compliance_curve(result, levels=CURVE_LEVELS) -> pd.DataFrame:
    """One row per scenario with a pause, region (and ALL), metric and holding probability."""
    table = result.comparison
    frames = []
    for scenario in result.scenarios[1:]:
        probabilities = _outcome_probabilities(result, scenario)
        rows = table[(table["scenario"] == scenario) & table["difference_if_held"].notna()]
        if probabilities is None or rows.empty:
            continue
        failed, breached, held = probabilities
        share = breached / (failed + breached) if failed + breached > 0 else 0.0
        # the expected change is failed·f + breached·b + held·h: what is left of it is the failures'
        rest = rows["difference"] - breached * rows["difference_if_breached"] - held * rows["difference_if_held"]
        if_failed = rest / failed if failed > 0 else 0.0 * rest
        keys = rows[list(CURVE_KEYS)]
        for level in levels:
            not_held = share * rows["difference_if_breached"] + (1 - share) * if_failed
            frame = keys.assign(holds_probability=float(level),
                                expected_change=(level * rows["difference_if_held"] + (1 - level) * not_held).round(2),
                                model_holds_probability=round(held, 4))
            frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[*CURVE_KEYS, "holds_probability", "expected_change", "model_holds_probability"])
    curve = pd.concat(frames, ignore_index=True)
    order = {code: i for i, code in enumerate(dict.fromkeys(table["adm1_pcode"]))}
    return curve.sort_values(["scenario", "metric", "adm1_pcode", "holds_probability"], kind="stable",
                             key=lambda c: c.map(order) if c.name == "adm1_pcode" else c).reset_index(drop=True)
