"""Which inputs move the headline expected change most.

Two methods, each stated in the table's ``method`` column:

- **ensemble draws** — for the parameters the ensemble samples (building time constants, heat
  gains, heating capacity, …): Spearman's rank correlation between each member's draw and its
  expected change over all regions, and the expected change among the members whose draw lies in
  the lowest and in the highest third. No extra runs: these are the ensemble's own draws.
- **one at a time** — for inputs the ensemble does not sample: the same ensemble (same seed, so
  the draws are common) re-run with the input at the low and the high end of its range — persons
  per customer at its documented range, every region's population and customer base at the ends
  of their documented ranges, the strike interval shortened and lengthened by a quarter, Kharkiv's
  regional strike rate halved and doubled, the outdoor temperature 2 K colder and warmer — and, exactly from the compliance curve, the holding probability at the ends of its
  posterior's 90 % interval.

The swing (high − low) ranks the inputs; it is a screening of main effects, not a variance
decomposition (Sobol indices would need many more runs). Each swing carries its Monte-Carlo
standard error (``swing_se``): for the ensemble draws, that of a difference of two means over a
third of the members each; one at a time, that of the mean of the members' paired differences
(the same seed gives the same draws); for the holding probability, an upper bound from the
standard errors of the expected change and of the change if the pause holds. A swing within two
standard errors of zero (``beyond_noise`` false) does not show that the input matters.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd

from gridimpact.api import resolve_params
from gridimpact.io.readers.loader import default_inputs
from gridimpact.io.readers.scenarios import load_scenario
from gridimpact.model.block_draws import member_rng
from gridimpact.model.comparison import ALL
from gridimpact.model.compliance import compliance_curve
from gridimpact.model.params import sample_params, specs
from gridimpact.model.pauses import beta_interval
from gridimpact.model.scenarios import Scenario

HEADLINE = ("people_below_12c", "person_hours_without_power")
ONE_AT_A_TIME_PARAMS = ("persons_per_customer",)
"""Parameters the ensemble does not sample (the sampled ones are ranked from its own draws)."""


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    rx, ry = (pd.Series(v).rank().to_numpy() for v in (x, y))
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def _all_regions(result, scenario: str, metric: str) -> pd.Series:
    rows = result.comparison
    return rows[(rows["scenario"] == scenario) & (rows["adm1_pcode"] == ALL) & (rows["metric"] == metric)].iloc[0]


def _headline(result, scenario: str, metric: str) -> float:
    return float(_all_regions(result, scenario, metric)["difference"])


def _mean_variance(values: np.ndarray) -> float:
    """The squared standard error of the mean of ``values``."""
    return float(np.var(values, ddof=1) / len(values)) if len(values) > 1 else float("nan")


def shifted_temperature(inputs, kelvin: float):
    """The inputs with every hourly outdoor temperature ``kelvin`` warmer (a uniform anomaly; the
    climatological draws beyond the last known hour are not shifted)."""
    frame = inputs.temperature.frame.copy()
    frame["temperature_c"] = frame["temperature_c"] + kelvin
    return replace(inputs, temperature=replace(inputs.temperature, frame=frame))


def population_at(inputs, end: str):
    """The inputs with each region's population and customer base at the ``low`` or ``high`` end
    of its documented range (kept where the range is not given)."""
    frame = inputs.population.frame.copy()
    for column in ("population", "customers"):
        bound = f"{column}_{end}"
        if bound in frame:
            frame[column] = frame[bound].where(frame[bound].notna(), frame[column])
    return replace(inputs, population=replace(inputs.population, frame=frame))


def _scaled_strikes(scenario, interval_factor: float = 1.0, regional_factor: float = 1.0):
    strikes = scenario.strikes
    if strikes is None:
        return scenario
    low, mode, high = strikes.interval_days
    regional = {code: replace(r, rate_per_day=r.rate_per_day * regional_factor) for code, r in strikes.regional.items()}
    strikes = replace(strikes, interval_days=(low * interval_factor, mode * interval_factor, high * interval_factor),
                      regional=regional)
    return replace(scenario, strikes=strikes)


def sensitivity(compare, scenarios, *, members: int = 60, seed: int | None = None, params=None, inputs=None,
                shift_temperature=None) -> pd.DataFrame:
    """The ranked table: one row per input and headline metric (``compare`` is ``api.compare``)."""
    # every run keeps the same members in every region, so that runs pair member by member
    compare = partial(compare, target_error=0)
    inputs = inputs if inputs is not None else default_inputs()
    shift_temperature = shift_temperature or shifted_temperature
    base = compare(inputs, scenarios, members=members, seed=seed, params=params)
    scenario = base.scenarios[1]
    rows = []
    values = resolve_params(params)
    draws = [sample_params(values, 1, member_rng(base.seed, m, "params")) for m in range(base.members)]
    for name, spec in specs().items():
        if not spec.sample:
            continue
        x = np.array([float(np.ravel(d[name])[0]) for d in draws])
        low_third, high_third = np.quantile(x, [1 / 3, 2 / 3])
        for metric in HEADLINE:
            y = base.member_changes[(scenario, metric)]
            low, high = y[x <= low_third], y[x >= high_third]
            rows.append({"input": name, "unit": spec.unit, "metric": metric, "method": "ensemble draws",
                         "low_setting": f"lowest third (< {low_third:.3g})", "high_setting": f"highest third (> {high_third:.3g})",
                         "change_at_low": float(low.mean()), "change_at_high": float(high.mean()),
                         "swing_se": float(np.sqrt(_mean_variance(low) + _mean_variance(high))),
                         "rank_correlation": _spearman(x, y)})

    def one_at_a_time(name: str, unit: str, low_label: str, high_label: str, low_result, high_result):
        for metric in HEADLINE:
            paired = high_result.member_changes[(scenario, metric)] - low_result.member_changes[(scenario, metric)]
            rows.append({"input": name, "unit": unit, "metric": metric, "method": "one at a time",
                         "low_setting": low_label, "high_setting": high_label,
                         "change_at_low": _headline(low_result, scenario, metric),
                         "change_at_high": _headline(high_result, scenario, metric),
                         "swing_se": float(np.sqrt(_mean_variance(paired))), "rank_correlation": np.nan})

    every = specs()
    for name in ONE_AT_A_TIME_PARAMS:
        spec = every[name]
        runs = [compare(inputs, scenarios, members=members, seed=base.seed, params=values.replace(**{name: v}))
                for v in (spec.low, spec.high)]
        one_at_a_time(name, spec.unit, f"{spec.low:g}", f"{spec.high:g}", *runs)
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    for name, label, factors in (("strike interval", "× 0.75 / × 1.25", (0.75, 1.25)),
                                 ("Kharkiv regional strike rate", "× 0.5 / × 2", (0.5, 2.0))):
        key = "interval_factor" if name == "strike interval" else "regional_factor"
        runs = [compare(inputs, [_scaled_strikes(s, **{key: f}) for s in loaded], members=members, seed=base.seed,
                        params=values) for f in factors]
        one_at_a_time(name, "1", label.split(" / ")[0], label.split(" / ")[1], *runs)
    runs = [compare(population_at(inputs, end), scenarios, members=members, seed=base.seed, params=values)
            for end in ("low", "high")]
    one_at_a_time("population and customer base", "persons", "low end of range", "high end of range", *runs)
    if shift_temperature is not None:
        runs = [compare(shift_temperature(inputs, k), scenarios, members=members, seed=base.seed, params=values)
                for k in (-2.0, 2.0)]
        one_at_a_time("temperature anomaly", "K", "−2 K", "+2 K", *runs)
    pause = loaded[1].pauses[0] if loaded[1].pauses else None
    if pause is not None:
        low, high = beta_interval(pause.outcomes)
        curve = compliance_curve(base, levels=(low, high))
        held = float(curve["model_holds_probability"].iloc[0])
        for metric in HEADLINE:
            at = curve[(curve["adm1_pcode"] == ALL) & (curve["metric"] == metric)]["expected_change"].to_numpy()
            row = _all_regions(base, scenario, metric)
            # swing = (high − low)·(if held − if not held) = (high − low)·(if held − expected)/(1 − held);
            # the two estimates share their members and correlate positively, so adding variances bounds it
            bound = (high - low) / (1 - held) * np.hypot(row["difference_if_held_se"], row["difference_se"])
            rows.append({"input": "holding probability", "unit": "1", "metric": metric, "method": "compliance curve",
                         "low_setting": f"{low:.2f} (posterior P5)", "high_setting": f"{high:.2f} (posterior P95)",
                         "change_at_low": float(at[0]), "change_at_high": float(at[1]), "swing_se": float(bound),
                         "rank_correlation": np.nan})
    table = pd.DataFrame(rows)
    table["swing"] = (table["change_at_high"] - table["change_at_low"]).abs()
    table["beyond_noise"] = table["swing"] > 2 * table["swing_se"]
    table["headline_change"] = table["metric"].map({m: _headline(base, scenario, m) for m in HEADLINE})
    # swings that noise could explain go last, whatever their size
    table = table.sort_values(["metric", "beyond_noise", "swing"], ascending=[True, False, False],
                              kind="stable").reset_index(drop=True)
    table["rank"] = table.groupby("metric").cumcount() + 1
    columns = ["input", "unit", "metric", "method", "low_setting", "high_setting", "change_at_low",
               "change_at_high", "swing", "swing_se", "beyond_noise", "rank_correlation", "headline_change", "rank"]
    return table[columns].round({"change_at_low": 0, "change_at_high": 0, "swing": 0, "swing_se": 0,
                                 "headline_change": 0, "rank_correlation": 3})
