"""The one door into the model: ``estimate`` (what happened, or will, under the inputs as given)
and ``compare`` (scenarios with and without a strike pause)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from gridimpact import __version__
from gridimpact.errors import ParameterError
from gridimpact.inputs import Inputs
from gridimpact.model.cohorts import cohorts_per_region
from gridimpact.model.engine import Building, simulate
from gridimpact.model.exposure import (
    default_period,
    exposure_from,
    model_regions,
    outdoor_array,
    outdoor_values,
)
from gridimpact.model.hazard import Period, build_hazard
from gridimpact.model.metrics import NUMERIC_METRICS
from gridimpact.model.params import Params, load_params
from gridimpact.results import ComparisonResult, EstimateResult, daily_frame
from gridimpact.vocab import TIMEZONE


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
    reported = Period.of(start if start is not None else default.first_day,
                         end if end is not None else default.last_day)
    if reported.first_day < default.first_day:
        raise ParameterError(f"start {reported.first_day.date()} is before the first day with data "
                             f"({default.first_day.date()})")
    return Period.of(default.first_day, reported.last_day), reported


def estimate(inputs: Inputs | None = None, params: Params | dict | str | Path | None = None, *,
             start=None, end=None, regions: list[str] | None = None, hourly: bool = True) -> EstimateResult:
    """Estimate impacts per region and local day from the inputs as given (no scenario).

    Parameters
    ----------
    inputs : Inputs, optional
        Validated inputs; the embedded default case when None.
    params : Params, dict, TOML path, optional
        Model parameters; overrides over the defaults when a dict or a file.
    start, end : date-like, optional
        First and last local day; by default the days covered by temperature and outage reports.
    regions : list of names or p-codes, optional
        Restrict to these regions.
    hourly : bool
        Also return the hourly dataset (indoor temperature per cohort and hour).
    """
    inputs = inputs if inputs is not None else Inputs.default()
    params = resolve_params(params)
    chosen = model_regions(inputs, regions)
    period, reported = resolve_period(inputs, chosen, start, end)
    exposure = exposure_from(inputs, chosen, params)
    hazard = build_hazard(inputs.outages.reports, inputs.outages.schedules, chosen, period,
                          exposure.customers, possible_weight=params.possible_outage_weight)
    outdoor = outdoor_array(inputs, chosen, period)
    building = Building.from_values(params.to_dict(), 1)
    simulation = simulate(hazard, outdoor, exposure, building, rotation_block=params.rotation_block,
                          bands=params.district_heat_bands, hdd_base=params.hdd_base,
                          risk_share=params.risk_share, keep_hourly=hourly)
    shown = period.days >= reported.first_day
    daily = daily_frame({k: v[0][:, shown] for k, v in simulation.daily.items()}, exposure.regions,
                        period.days[shown])
    provenance = provenance_record(inputs, params, reported, chosen)
    dataset = None
    if hourly:
        from gridimpact.model.hourly import hourly_dataset

        dataset = hourly_dataset(simulation.hourly, exposure, period, outdoor[0], params, provenance)
        dataset = dataset.sel(time=slice(reported.start.tz_convert("UTC").tz_localize(None), None))
    return EstimateResult(daily=daily, hourly=dataset, provenance=provenance)


def provenance_record(inputs: Inputs, params: Params, period: Period, regions: list[str], **extra) -> dict:
    return {
        "gridimpact_version": __version__,
        "parameters_version": params.version,
        "parameters_changed": params.changed(),
        "inputs": {  # file names only: outputs must not depend on where the inputs sit
            "name": inputs.name,
            "outages": [Path(f).name for f in inputs.outages.files],
            "temperature": [Path(f).name for f in inputs.temperature.files],
            "population": [Path(f).name for f in inputs.population.files],
        },
        "period": {"start": str(period.first_day.date()), "end": str(period.last_day.date())},
        "regions": list(regions),
        "notes": list(dict.fromkeys(inputs.notes + inputs.outages.notes + inputs.temperature.notes
                                    + inputs.population.notes)),
        **extra,
    }



DEFAULT_SCENARIOS = ("no-pause", "announced-pause")
DEFAULT_MEMBERS = 100
DEFAULT_SEED = 20260129
"""The date of the announcement, as a seed: any fixed number makes runs reproducible."""
DEFAULT_HORIZON_DAYS = 14
RESULT_BUDGET_BYTES = 256 * 2**20
"""Memory for one region group's daily results of every member and scenario (float64)."""
ENGINE_BLOCK_CELLS = 2**19
"""Cohort cells (members × regions × cohorts) simulated together at most: the hourly update of
about 0.5 M float32 cells (2 MiB per array) stays in the processor's caches. Measured on the
engine benchmark: 64 regions × 50 members ran 1.4 times slower than groups of 4 to 12 regions."""
KEEP_MEMBER_CELLS = 2_000_000
"""Keep every member's daily values in the result (``.daily``) when regions × members × days is at
most this; larger runs keep only the reduced tables."""


def default_workers() -> int:
    """Threads running member blocks at once by default: the CPU cores, at most 4."""
    return min(os.cpu_count() or 1, 4)


def compare(inputs: Inputs | None = None, scenarios=DEFAULT_SCENARIOS, *, as_of=None, days: int | None = None,
            members: int | None = None, seed: int | None = None, compliance: float | None = None,
            params: Params | dict | str | Path | None = None, regions: list[str] | None = None,
            block: int | None = None, region_block: int | None = None, workers: int | None = None, progress=None,
            client=None) -> ComparisonResult:
    """Compare scenarios on the same inputs with an ensemble; the first scenario is the baseline.

    Parameters
    ----------
    inputs : Inputs, optional
        Validated inputs; the embedded default case when None.
    scenarios : sequence of names, paths or Scenario objects
        Built-in names (``gridimpact scenarios list``) or scenario TOML files; the first is the
        baseline and each other is compared with it.
    as_of : date-like, optional
        The scenarios take over from local midnight of this day. Default: the inputs' own default
        (2026-01-30 for the embedded case), else the day after the last outage report starts.
    days : int, optional
        Days compared from ``as_of`` (default 14).
    members : int, optional
        Ensemble members (default 100).
    seed : int, optional
        Seed of every random stream (default 20260129); the same seed gives identical results.
    compliance : float in [0, 1], optional
        Overrides the probability that each pause holds.
    params : Params, dict or TOML path, optional
        Parameter overrides; sampled parameters vary around these values.
    block, region_block : int
        Members and regions simulated together: memory grows with their product; results do not
        depend on them. By default members are split evenly between the workers, at most 50, and
        regions are grouped so that one group's daily results for every member stay within
        ``RESULT_BUDGET_BYTES`` and a block's cohort cells within ``ENGINE_BLOCK_CELLS`` (at most
        64 regions).
    workers : int, optional
        Threads running member blocks at once (default: the number of CPU cores, at most 4; with
        ``client``, the threads of the cluster's workers). Only the default block size depends on it.
    progress : callable(int), optional
        Called with the number of simulated member-block days completed, for progress bars; if it
        has a ``start(total)`` method, that is called first with the total.
    client : dask.distributed.Client, optional
        Run member blocks on a cluster (results are identical to a local run).
    """
    from gridimpact.model.comparison import ComparisonTables
    from gridimpact.model.ensemble import EnsembleSetup, run_ensemble
    from gridimpact.model.scenarios import Scenario, load_scenario
    from gridimpact.model.strikes import quarter_of

    inputs = inputs if inputs is not None else Inputs.default()
    params = resolve_params(params)
    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if not loaded:
        raise ParameterError("compare needs at least one scenario")
    if compliance is not None:
        loaded = [s.with_compliance(compliance) for s in loaded]
    names = [s.name for s in loaded]
    if len(set(names)) != len(names):
        raise ParameterError(f"scenario names must differ: {', '.join(names)}")
    members = DEFAULT_MEMBERS if members is None else int(members)
    if members < 1:
        raise ParameterError(f"members must be at least 1, got {members}")
    seed = DEFAULT_SEED if seed is None else int(seed)
    chosen = model_regions(inputs, regions)
    as_of_day = _default_as_of(inputs, loaded, chosen) if as_of is None else pd.Timestamp(as_of).normalize()
    days = days or next((s.days for s in loaded if s.days), None) or inputs.horizon_days or DEFAULT_HORIZON_DAYS
    first_day = default_period(inputs, chosen).first_day
    if as_of_day < first_day:
        raise ParameterError(f"as-of date {as_of_day.date()} is before the first day with data ({first_day.date()})")
    period = Period.of(first_day, as_of_day + pd.Timedelta(days=days - 1))
    observed = outdoor_values(inputs, chosen, period)
    climatology = None
    if np.isnan(observed).any():
        from gridimpact.model.climatology import Climatology

        climatology = Climatology.load()
    runner = None
    if client is not None:
        from gridimpact.distributed import cluster_threads, dask_runner

        runner = dask_runner(client)
        workers = workers or cluster_threads(client)
    workers = workers or default_workers()
    block = block or max(1, min(50, -(-members // workers)))
    if region_block is None:
        per_region = members * len(period.days) * len(NUMERIC_METRICS) * 8 * len(loaded)
        cohorts = cohorts_per_region(params.district_heat_bands)
        region_block = max(1, min(64, RESULT_BUDGET_BYTES // per_region, ENGINE_BLOCK_CELLS // (block * cohorts)))
    window = (period.days >= as_of_day) & (period.days < as_of_day + pd.Timedelta(days=days))
    tables = ComparisonTables(names, names[0], period.days, window)
    as_of_q = quarter_of(as_of_day.tz_localize(TIMEZONE), period)
    observed_until_q = _observed_until(inputs, chosen, period)
    keep = len(chosen) * members * len(period.days) <= KEEP_MEMBER_CELLS
    daily: dict | None = {name: [] for name in names} if keep else None
    pause_held: dict = {}
    pause_days: dict = {}
    population = []
    if hasattr(progress, "start"):
        shared = int(np.clip(as_of_q // 96, 0, len(period.days)))
        member_blocks = -(-members // block)
        region_blocks = -(-len(chosen) // region_block)
        progress.start(region_blocks * member_blocks * (shared + len(loaded) * (len(period.days) - shared)))
    for start in range(0, len(chosen), region_block):
        block_regions = chosen[start:start + region_block]
        exposure = exposure_from(inputs, block_regions, params)
        setup = EnsembleSetup(
            regions=tuple(block_regions), all_regions=tuple(chosen),
            block_index=np.arange(start, start + len(block_regions)), period=period, params=params,
            exposure=exposure,
            base=build_hazard(inputs.outages.reports, inputs.outages.schedules, block_regions, period,
                              exposure.customers, possible_weight=params.possible_outage_weight),
            observed_outdoor=observed, climatology=climatology, as_of_q=as_of_q,
            observed_until_q=observed_until_q, seed=seed,
        )
        runs = run_ensemble(setup, loaded, members, block=block, progress=progress, runner=runner, workers=workers)
        block_daily = {s.name: run.daily for s, run in zip(loaded, runs, strict=True)}
        pause_held = {s.name: run.pause_held for s, run in zip(loaded, runs, strict=True)}
        pause_days = {s.name: run.days_held if run.has_pause else None for s, run in zip(loaded, runs, strict=True)}
        tables.add(setup.regions, exposure.population, dict(zip(names, runs, strict=True)))
        population.append(exposure.population)
        if daily is not None:
            for name in names:
                daily[name].append(block_daily[name])
    if daily is not None:
        daily = {name: {metric: np.concatenate([part[metric] for part in parts], axis=1) for metric in parts[0]}
                 for name, parts in daily.items()}
    provenance = provenance_record(
        inputs, params, period, chosen, seed=seed, members=members, as_of=str(as_of_day.date()), days=days,
        scenarios=[{"name": s.name, "source": s.source, "seeds": list(s.seeds),
                    "pause_holds_probability": [p.holds_probability for p in s.pauses],
                    "pause_outcome_probabilities": [list(p.outcomes.probabilities) for p in s.pauses]}
                   for s in loaded],
    )
    comparison = tables.comparison()  # before member_changes is read: it fills them
    return ComparisonResult(impacts=tables.impacts(), comparison=comparison, daily=daily,
                            member_changes=tables.member_changes, pause_held=pause_held,
                            pause_days_held=pause_days, days=period.days, window=window, regions=tuple(chosen),
                            baseline=names[0], scenarios=tuple(names), members=members, seed=seed,
                            provenance=provenance)


def _default_as_of(inputs: Inputs, scenarios, regions) -> pd.Timestamp:
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


def _observed_until(inputs: Inputs, regions, period: Period) -> float:
    from gridimpact.model.strikes import quarter_of

    reports = inputs.outages.reports
    reports = reports[reports["pcode"].isin(regions)]
    if not len(reports):
        return 0.0
    last = pd.concat([reports["start"], reports["end"].dropna()]).max()
    return quarter_of(last, period)
