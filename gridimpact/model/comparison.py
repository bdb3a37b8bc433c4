"""Tables of an ensemble comparison: daily impacts with P10/P50/P90, and scenario − baseline.

Changes are computed member by member (every scenario sees the same draws for the same member). A
scenario with a pause was run in every stratum of the pause's outcome (``model.strata``), so each
member's change is already the expectation over whether and how long the pause held:

- ``difference``: the expected change, the mean over members of that per-member expectation — the
  number to quote — with ``difference_se``, its Monte-Carlo standard error;
- ``difference_p10`` / ``difference_p90``: the spread of the per-member expected change, over
  strikes, weather and parameters;
- ``difference_if_held`` (``_se``): the expected change if the pause holds for its whole window;
  ``difference_if_breached``: if it holds for a while and is then breached;
- ``baseline_value`` / ``scenario_value``: the two scenarios' expected values, so that
  ``scenario_value − baseline_value = difference`` exactly; ``baseline_value_se`` the baseline's
  Monte-Carlo standard error (a grouped jackknife of the plain mean: no regression corrects it).

How each metric aggregates over the comparison window is ``Metric.window`` (docs/scenarios.md):
sums for daily counts and person-hours, maxima for peaks, minima for the lowest indoor temperature,
population-weighted means for shares.

Results arrive one block of regions at a time (with every member), so a national run never holds
all members of all regions: ``ComparisonTables`` reduces each block as it comes and keeps only
per-member totals for the ``ALL`` row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.model.control_variates import ControlFit, jackknife_error, plain_replicates
from gridimpact.model.keys import region_columns
from gridimpact.model.metrics import METRIC_BY_NAME, NUMERIC_METRICS, risk_label
from gridimpact.model.quasi_random import batch_standard_error
from gridimpact.model.region_sums import RegionSums

SHARE_DECIMALS = 6
"""Decimals of a share's change in the comparison table (other metrics keep two)."""

ALL = "ALL"
ALL_NAME = "All regions"
"""The ``adm1_name`` of the ``ALL`` rows, and how every output names them."""
COMPARED_METRICS = tuple(
    name for name in NUMERIC_METRICS
    if name not in {"population", "outdoor_temperature_mean_c", "outdoor_temperature_min_c", "heating_degree_days"}
) + ("days_at_high_risk",)
"""Metrics compared between scenarios; weather metrics are equal in every scenario by design."""

WINDOW_RULE = {name: METRIC_BY_NAME[name].window for name in NUMERIC_METRICS} | {"days_at_high_risk": "sum"}
UNITS = {name: METRIC_BY_NAME[name].window_unit for name in NUMERIC_METRICS} | {"days_at_high_risk": "days"}
"""Units of the window values in the comparison table."""


def quantiles(values: np.ndarray, ordinal: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P10, P50, P90 over the member axis (axis 0); ordinal data take observed values only."""
    method = "inverted_cdf" if ordinal else "linear"
    p10, p50, p90 = np.quantile(values, [0.1, 0.5, 0.9], axis=0, method=method)
    return p10, p50, p90


def impacts_table(daily: dict[str, dict[str, np.ndarray]], regions: tuple[str, ...], days: pd.DatetimeIndex,
                  window: np.ndarray) -> pd.DataFrame:
    """One row per scenario, region and date in the window; each metric as median, _p10, _p90."""
    frames = []
    selected = days[window]
    keys = region_columns(regions, len(selected))
    dates = np.tile(selected.date, len(regions))
    for scenario, metrics in daily.items():
        columns = {"scenario": scenario, **keys, "date": dates}
        # one quantile call over every metric (each column's quantiles are its own, computed alike)
        stacked = np.stack([metrics[name][:, :, window] for name in NUMERIC_METRICS], axis=1)
        for name, p10, p50, p90 in zip(NUMERIC_METRICS, *quantiles(stacked), strict=True):
            integer = METRIC_BY_NAME[name].integer
            for column, values in ((name, p50), (f"{name}_p10", p10), (f"{name}_p90", p90)):
                flat = values.reshape(-1)
                columns[column] = np.round(flat).astype(np.int64) if integer else np.round(flat, 4) + 0.0
        p10, p50, p90 = quantiles(metrics["risk_level"][:, :, window], ordinal=True)
        columns["risk_level"] = risk_label(p50.reshape(-1))
        columns["risk_level_p10"] = risk_label(p10.reshape(-1))
        columns["risk_level_p90"] = risk_label(p90.reshape(-1))
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)


def _window_values(metrics: dict[str, np.ndarray], name: str, window: np.ndarray) -> np.ndarray:
    """(M, R, D_window) daily values of a compared metric."""
    if name == "days_at_high_risk":
        return (metrics["risk_level"][:, :, window] >= 2).astype(float)
    return metrics[name][:, :, window]


_REDUCE = {"sum": np.sum, "max": np.max, "min": np.min, "mean": np.mean}


def _window_totals(run, name: str, window: np.ndarray) -> np.ndarray:
    """(strata, M, R) each stratum's values of a compared metric over the window (``WINDOW_RULE``)."""
    reduce = _REDUCE[WINDOW_RULE[name]]
    return np.stack([reduce(_window_values(stratum, name, window), axis=2) for stratum in run.strata])


def expected_changes(b: np.ndarray, x: np.ndarray, run) -> dict[str, np.ndarray]:
    """Per-member changes against the baseline: expected over the pause's outcome, if it held fully
    and if it was breached (b: (M, U) baseline values; x: (strata, M, U) the scenario's)."""
    members = np.arange(x.shape[1])
    weights = run.weights.T[..., None]                      # (strata, M, 1)
    changes = {"expected": (weights * x).sum(axis=0) - b}
    if run.has_pause:
        changes["held"] = x[run.full, members] - b
        changes["breached"] = (run.breach_weights.T[..., None] * x).sum(axis=0) - b
        changes["failed"] = x[0] - b
    return changes


def _change_rows(keys: list[dict], name, baseline, scenario, b, x, run, controls=None, sums=None,
                 base_members=None) -> list[dict]:
    """Comparison rows for one metric: b (members, units) baseline window values, x (strata,
    members, units) the scenario's; ``keys`` holds the key columns of each unit. ``controls``: the
    regression on the spared strikes and parameters (``control_variates.ControlFit``), which
    corrects the mean changes; None leaves them plain means. ``sums`` (``region_sums.RegionSums``)
    receives the corrected changes of a metric that adds up over regions, and their jackknife
    replicates (groups aligned by ``base_members``, ``control_variates.jackknife_groups``)."""
    changes = expected_changes(b, x, run)
    expected = changes["expected"]
    d10, _, d90 = quantiles(expected)

    def estimate(kind: str) -> tuple[np.ndarray, np.ndarray]:
        """The mean over members of the change ``kind`` and its standard error, corrected by the
        controls when given (and then folded into ``sums``)."""
        if controls is None:
            values = changes[kind]
            mean = values.mean(axis=0)
            if sums is not None:
                sums.add(kind, mean, plain_replicates(values, base_members), np.zeros(len(mean)))
            return mean, batch_standard_error(values)
        mean, se, again, extra = controls.estimate_with_replicates(changes[kind])
        if sums is not None:
            sums.add(kind, mean, again, extra)
        return mean, se

    mean, se = estimate("expected")
    base = b.mean(axis=0)
    base_again = plain_replicates(b, base_members)
    base_se = jackknife_error(base_again)
    if sums is not None:
        sums.add("baseline", base, base_again, np.zeros(len(base)))
    nothing = np.full(len(keys), np.nan)
    if_held, if_held_se = estimate("held") if "held" in changes else (nothing, nothing)
    breached = estimate("breached")[0] if run.has_pause else nothing

    def paused(key: dict) -> bool:
        """Whether a pause of the scenario covers the row's region (the ALL row: any pause)."""
        code = key.get("pcode") or key["adm1_pcode"]
        return run.has_pause and (code == ALL or any(p.covers(code) for p in run.pauses))

    return [{
        **key, "metric": name, "unit": UNITS[name],
        "baseline": baseline, "scenario": scenario,
        "baseline_value": base[i], "baseline_value_se": base_se[i], "scenario_value": base[i] + mean[i],
        "difference": mean[i],
        "difference_se": se[i], "relative_change": mean[i] / base[i] if base[i] != 0 else np.nan,
        "difference_p10": d10[i], "difference_p90": d90[i],
        "difference_mean": mean[i], "pause_held_share": run.held_probability if paused(key) else np.nan,
        "pause_days_held_mean": run.expected_days_held if paused(key) else np.nan,
        "difference_if_held": if_held[i], "difference_if_held_se": if_held_se[i],
        "difference_if_breached": breached[i],
    } for i, key in enumerate(keys)]


def _controls_of(run, base_members: int | None = None):
    if run.controls is None:
        return None
    return ControlFit(run.controls, run.expected_controls, run.controls_covariance, base_members)


def relative_errors(runs: dict, baseline: str, window: np.ndarray, metric: str, regions) -> np.ndarray:
    """(R,) the largest standard error, relative to the change, of the expected change in ``metric``
    of each of a block's ``regions`` between a scenario with a pause (and so with a control-variate
    fit) that covers the region and ``baseline`` (NaN where nothing changes, or without such a
    scenario: a pause elsewhere changes a region by the few strikes it shares, a change too small
    to size an ensemble on)."""
    b = _window_totals(runs[baseline], metric, window)[0]
    worst = np.full(b.shape[1], np.nan)
    for name, run in runs.items():
        if name == baseline or run.controls is None:  # only a pause's change is refined
            continue
        expected = expected_changes(b, _window_totals(run, metric, window), run)["expected"]
        mean, se = _controls_of(run).estimate(expected)
        covered = np.array([any(p.covers(code) for p in run.pauses) for code in regions], dtype=bool)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(covered & (mean != 0), se / np.abs(mean), np.nan)
        worst = np.fmax(worst, ratio)
    return worst


class ComparisonTables:
    """Builds the impacts and comparison tables from blocks of regions.

    Each block (every member, some regions) is reduced to its table rows as it arrives; for the
    ``ALL`` row only per-member totals are kept, in whole people (int64), so that they add up
    exactly whatever the blocking.
    """

    def __init__(self, scenarios: list[str], baseline: str, days: pd.DatetimeIndex, window: np.ndarray,
                 base_members: int | None = None, order: tuple[str, ...] = ()):
        self.base_members = base_members
        """The ensemble size of every region; a region given a multiple of it (``model.refinement``)
        gets its jackknife groups aligned with the others'."""
        self.order = {code: i for i, code in enumerate(order)}
        """Regions in the order of their rows (blocks may arrive in another)."""
        self.scenarios = scenarios
        self.baseline = baseline
        self.days = days
        self.window = window
        self._impacts: list[pd.DataFrame] = []
        self._rows: dict[str, list[dict]] = {name: [] for name in COMPARED_METRICS}
        self._totals: dict[tuple, dict[str, np.ndarray]] = {}
        self._population = 0.0
        self._key_columns: list[str] = ["adm1_pcode", "adm1_name"]
        self._runs: dict = {}
        self._controls: dict[str, tuple] = {}  # scenario → ALL's controls (M, C), mean (C,) and its error bound (C,)
        self._all_fits: dict[str, ControlFit] = {}
        self._sums: dict[tuple[str, str], RegionSums] = {}  # (scenario, additive metric) → sums over regions
        self.members_of: dict[str, int] = {}
        """Region → the members its rows come from."""
        self.member_changes: dict[tuple[str, str], np.ndarray] = {}
        """(scenario, metric) → (M,) each member's expected change over all regions (for sensitivity)."""

    def add(self, regions: tuple[str, ...], population: np.ndarray, runs: dict, all_runs: dict | None = None) -> None:
        """Reduce one block of regions (every member; scenario name → ``ensemble.ScenarioRun``)
        and fold it into the totals. ``all_runs``: the same regions' runs of the base members only,
        for the impacts and the ``ALL`` row, when ``runs`` have more (default: ``runs``)."""
        all_runs = runs if all_runs is None else all_runs
        # daily quantiles from the members every region has, as the kept member values (and figures) are
        self._impacts.append(impacts_table({name: run.daily for name, run in all_runs.items()}, regions,
                                           self.days, self.window))
        self._population += float(population.sum())
        self.members_of.update(dict.fromkeys(regions, len(next(iter(runs.values())).full)))
        self._runs = {name: run.without_values() for name, run in all_runs.items()}  # not the group's values
        columns = region_columns(regions)
        keys = [{column: values[i] for column, values in columns.items()} for i in range(len(regions))]
        self._key_columns = list(columns)
        fits = {scenario: _controls_of(run, self.base_members) for scenario, run in runs.items()}  # one fit for every metric
        for name in COMPARED_METRICS:
            rule = WINDOW_RULE[name]
            per_region = {}
            for scenario in self.scenarios:
                per_region[scenario] = _window_totals(runs[scenario], name, self.window)
                for j, stratum in enumerate(all_runs[scenario].strata):
                    self._accumulate((scenario, j), name, rule, _window_values(stratum, name, self.window), population)
            for scenario in self.scenarios:
                if scenario != self.baseline:
                    sums = self._sums.setdefault((scenario, name), RegionSums()) if rule == "sum" else None
                    self._rows[name].extend(_change_rows(keys, name, self.baseline, scenario,
                                                         per_region[self.baseline][0], per_region[scenario],
                                                         runs[scenario], fits[scenario], sums, self.base_members))
        for scenario in self.scenarios:  # the ALL row's controls: sums over regions
            run = all_runs[scenario]
            if run.controls is not None:
                # the regions' known means come from the same samples, so their errors add up too:
                # the covariance of the sum is bounded here by adding standard deviations
                spared, expected = run.controls.sum(axis=1), run.expected_controls.sum(axis=0)
                spread = np.sqrt(np.einsum("rii->ri", run.controls_covariance)).sum(axis=0)
                if scenario in self._controls:
                    before = self._controls[scenario]
                    spared, expected, spread = spared + before[0], expected + before[1], spread + before[2]
                self._controls[scenario] = (spared, expected, spread)

    def _accumulate(self, key: tuple, name: str, rule: str, values: np.ndarray, population: np.ndarray) -> None:
        if rule == "sum":
            part = np.rint(values.sum(axis=2)).astype(np.int64).sum(axis=1)        # (M,)
        elif rule == "max":
            part = np.rint(values).astype(np.int64).sum(axis=1)                    # (M, D): peaks add by day
        elif rule == "min":
            part = values.min(axis=(1, 2))
        else:
            part = np.rint(values * population[None, :, None]).astype(np.int64).sum(axis=1)  # (M, D)
        totals = self._totals.setdefault(key, {})
        if name not in totals:
            totals[name] = part
        elif rule == "min":
            totals[name] = np.minimum(totals[name], part)
        else:
            totals[name] = totals[name] + part

    def _all_values(self, key: tuple, name: str) -> np.ndarray:
        total = self._totals[key][name]
        rule = WINDOW_RULE[name]
        if rule == "max":
            return total.max(axis=1).astype(float)
        if rule == "mean":
            return (total / max(self._population, 1e-12)).mean(axis=1)
        return total.astype(float)

    def impacts(self) -> pd.DataFrame:
        order = {s: i for i, s in enumerate(self.scenarios)}
        frame = pd.concat(self._impacts, ignore_index=True)
        keys = ["scenario", "pcode" if "pcode" in frame.columns else "adm1_pcode", "date"]
        return frame.sort_values(keys, kind="stable",
                                 key=lambda c: c.map(order) if c.name == "scenario" else c).reset_index(drop=True)

    def comparison(self) -> pd.DataFrame:
        """Each non-baseline scenario against the baseline, per region (and ALL) and metric."""
        rows = []
        for name in COMPARED_METRICS:
            regional = sorted(self._rows[name], key=lambda r: self.order.get(r.get("pcode") or r["adm1_pcode"], 0))
            for scenario in self.scenarios:
                if scenario == self.baseline:
                    continue
                rows.extend(r for r in regional if r["scenario"] == scenario)
                all_key = {column: "" for column in self._key_columns} | {"adm1_pcode": ALL, "adm1_name": ALL_NAME}
                run = self._runs[scenario]
                strata = np.stack([self._all_values((scenario, j), name) for j in range(len(run.strata))])
                baseline_all = self._all_values((self.baseline, 0), name)[:, None]
                controls = self._all_fits.get(scenario)
                if controls is None and scenario in self._controls:
                    spared, expected, spread = self._controls[scenario]
                    controls = self._all_fits[scenario] = ControlFit(spared[:, None, :], expected[None, :],
                                                                     np.outer(spread, spread)[None])
                rows.extend(_change_rows([all_key], name, self.baseline, scenario, baseline_all, strata[:, :, None], run,
                                         controls))
                sums = self._sums.get((scenario, name))
                if sums is not None and sums.mean:  # an additive metric: the sum of the regions' estimates
                    rows[-1] = sums.overwrite(rows[-1])
                self.member_changes[(scenario, name)] = expected_changes(baseline_all, strata[:, :, None], run)["expected"][:, 0]
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        numeric = ["baseline_value", "baseline_value_se", "scenario_value", "difference", "difference_se", "difference_p10",
                   "difference_p90", "difference_mean", "pause_days_held_mean", "difference_if_held",
                   "difference_if_held_se", "difference_if_breached"]
        # cents of a person or degree; a share (unit 1, such as 0.45) to six decimals, not to 0.03;
        # adding 0.0 turns a rounded −0.0 into 0.0
        share = (frame["unit"] == "1").to_numpy()
        frame.loc[~share, numeric] = frame.loc[~share, numeric].round(2) + 0.0
        frame.loc[share, numeric] = frame.loc[share, numeric].round(SHARE_DECIMALS) + 0.0
        frame[["relative_change", "pause_held_share"]] = frame[["relative_change", "pause_held_share"]].round(4) + 0.0
        return frame
