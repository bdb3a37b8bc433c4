"""What a run runs on, resolved from the arguments: the parameters, the simulated and reported
period of ``estimate``, and the case of ``compare`` (its scenarios, members, seed, regions, as-of
date and period), with the defaults of both."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from gridimpact.arguments import BASELINE_SCENARIO, pause_warnings
from gridimpact.errors import ArgumentError
from gridimpact.inputs import Inputs
from gridimpact.io.readers.climatology import load_climatology
from gridimpact.io.readers.scenarios import load_scenario
from gridimpact.model.climatology import Climatology
from gridimpact.model.exposure import default_period, model_regions, outdoor_values
from gridimpact.model.params import Params, load_params
from gridimpact.model.period import Period
from gridimpact.model.refinement import DEFAULT_TARGET_ERROR
from gridimpact.model.scenarios import Scenario
from gridimpact.vocab import TIMEZONE

DEFAULT_SCENARIOS = ("no-pause", "announced-pause")
DEFAULT_MEMBERS = 128
DEFAULT_SEED = 20260129
"""The date of the announcement, as a seed: any fixed number makes runs reproducible."""
DEFAULT_HORIZON_DAYS = 14


class PauseOutsideWindowWarning(UserWarning):
    """A scenario's pause lies outside the compared days: the comparison cannot show its effect."""


def resolve_params(params: Params | dict | str | Path | None) -> Params:
    if isinstance(params, Params):
        return params
    return load_params(params)


def resolve_period(inputs: Inputs, regions: list[str], start, end) -> tuple[Period, Period]:
    """The simulated period and the reported one.

    The simulation always starts on the first day with data, so that buildings that cooled before
    ``start`` are still cold on it; only days from ``start`` are reported.
    """
    default = default_period(inputs, regions)
    first = pd.Timestamp(start) if start is not None else default.first_day
    last = pd.Timestamp(end) if end is not None else default.last_day
    cover = f"the data cover {default.first_day.date()} … {default.last_day.date()}"
    if end is None and last < first:
        raise ArgumentError(f"start {first.date()} is after the last day with data; {cover}")
    if start is None and last < first:
        raise ArgumentError(f"end {last.date()} is before the first day with data; {cover}")
    if last < first:
        raise ArgumentError(f"the period ends ({last.date()}) before it starts ({first.date()}); {cover}")
    reported = Period.of(start if start is not None else default.first_day,
                         end if end is not None else default.last_day)
    if reported.first_day < default.first_day:
        raise ArgumentError(f"start {reported.first_day.date()} is before the first day with data; {cover}")
    return Period.of(default.first_day, reported.last_day), reported


@dataclass(frozen=True)
class CompareCase:
    """Everything a comparison runs on, resolved from the arguments: scenarios, regions, period."""

    inputs: Inputs
    params: Params
    scenarios: tuple[Scenario, ...]
    regions: list[str]
    members: int
    seed: int
    as_of_day: pd.Timestamp
    days: int
    period: Period
    observed_outdoor: np.ndarray
    climatology: Climatology | None
    target_error: float = DEFAULT_TARGET_ERROR
    """Regions whose headline change has a larger relative error get more members (0: none)."""

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    @property
    def window(self) -> np.ndarray:
        """The compared local days of the period."""
        days = self.period.days
        return (days >= self.as_of_day) & (days < self.as_of_day + pd.Timedelta(days=self.days))

    @property
    def as_of_q(self) -> float:
        return self.period.quarter_of(self.as_of_day.tz_localize(TIMEZONE))


def prepare_case(inputs: Inputs, scenarios, *, as_of, days, members, seed, compliance, params,
                 regions, target_error=None) -> CompareCase:
    """Resolve the comparison's scenarios, members, seed, regions, as-of date and period."""
    params = resolve_params(params)
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if not loaded:
        raise ArgumentError("compare needs at least one scenario")
    if compliance is not None:
        loaded = [s.with_compliance(compliance) for s in loaded]
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise ArgumentError(f"scenario names must differ: {', '.join(names)}")
    if loaded[0].pauses and len(loaded) > 1:
        # the pause's outcomes are weighted in the compared scenarios only: a baseline with a pause
        # would be taken as if its pause always failed
        suggested = [BASELINE_SCENARIO, *(n for n in names if n != BASELINE_SCENARIO)]
        raise ArgumentError(
            f"the baseline '{names[0]}' has a pause; compare pauses against a baseline without one, "
            f"e.g. scenarios={suggested} ({' '.join('-s ' + n for n in suggested)}), "
            + ("and read its change with the opposite sign" if len(suggested) == 2
               else "and take the difference of the pauses' expected changes"))
    members = DEFAULT_MEMBERS if members is None else int(members)
    if members < 1:
        raise ArgumentError(f"members must be at least 1, got {members}")
    seed = DEFAULT_SEED if seed is None else int(seed)
    chosen = model_regions(inputs, regions)
    as_of_day = default_as_of(inputs, loaded, chosen) if as_of is None else pd.Timestamp(as_of).normalize()
    days = days or next((s.days for s in loaded if s.days), None) or inputs.horizon_days or DEFAULT_HORIZON_DAYS
    with_data = default_period(inputs, chosen)
    first_day = with_data.first_day
    if as_of_day < first_day:
        raise ArgumentError(f"as-of date {as_of_day.date()} is before the first day with data ({first_day.date()})")
    period = Period.of(first_day, as_of_day + pd.Timedelta(days=days - 1))
    for message in pause_warnings(loaded, as_of_day.date(), period.last_day.date()):
        warnings.warn(message, PauseOutsideWindowWarning, stacklevel=4)  # the caller of compare
    observed = outdoor_values(inputs, chosen, period)
    climatology = load_climatology() if np.isnan(observed).any() else None
    if climatology is not None:
        climatology.require_forecast(chosen, with_data.last_day, period.last_day, as_of_day, days)
    return CompareCase(inputs, params, tuple(loaded), chosen, members, seed, as_of_day, days, period,
                       observed, climatology, DEFAULT_TARGET_ERROR if target_error is None else float(target_error))


def default_as_of(inputs: Inputs, scenarios, regions) -> pd.Timestamp:
    declared = {s.as_of for s in scenarios if s.as_of}
    if len(declared) == 1:
        return pd.Timestamp(declared.pop())
    if inputs.as_of is not None:
        return pd.Timestamp(inputs.as_of)
    reports = inputs.outages.reports
    reports = reports[reports["pcode"].isin(regions)]
    if len(reports):
        return reports["start"].max().tz_convert(TIMEZONE).tz_localize(None).normalize() + pd.Timedelta(days=1)
    return default_period(inputs, regions).last_day + pd.Timedelta(days=1)
