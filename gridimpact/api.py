"""The one door into the model: ``estimate`` (what happened, or will, under the inputs as given)
and ``compare`` (scenarios with and without a strike pause)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from gridimpact import __version__
from gridimpact.arguments import (
    compare_arguments,
    estimate_arguments,
)
from gridimpact.cases import (  # noqa: F401  (PauseOutsideWindowWarning and the defaults: part of the API)
    DEFAULT_HORIZON_DAYS,
    DEFAULT_MEMBERS,
    DEFAULT_SCENARIOS,
    DEFAULT_SEED,
    CompareCase,
    PauseOutsideWindowWarning,
    prepare_case,
    resolve_params,
    resolve_period,
)
from gridimpact.distributed import cluster_threads, dask_runner
from gridimpact.errors import guarded
from gridimpact.inputs import Inputs
from gridimpact.io.readers.loader import default_inputs
from gridimpact.model.comparison import ComparisonTables
from gridimpact.model.engine import Building, Settings, resolve_engine, simulate
from gridimpact.model.ensemble import EnsembleSetup, run_ensemble
from gridimpact.model.exposure import (
    exposure_from,
    model_regions,
    outdoor_array,
    population_basis,
)
from gridimpact.model.hazard import build_hazard
from gridimpact.model.hourly import hourly_dataset
from gridimpact.model.params import Params
from gridimpact.model.period import Period
from gridimpact.model.refinement import refined_parts
from gridimpact.planning import (
    KEEP_MEMBER_CELLS,
    RELEASE_AFTER_GROUPS,
    BlockPlan,
    default_workers,
    plan_blocks,
    release_free_memory,
)
from gridimpact.results import ComparisonResult, EstimateResult, daily_frame


@guarded("estimate")
def estimate(inputs: Inputs | None = None, params: Params | dict | str | Path | None = None, *,
             start=None, end=None, regions: list[str] | None = None, hourly: bool = True,
             engine: str | None = None) -> EstimateResult:
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
    engine : "compiled" or "numpy", optional
        The compiled engine (default, or ``$GRIDIMPACT_ENGINE``) or the numpy reference; both give
        identical results (docs/performance.md).

    Wrong argument types or values raise ``gridimpact.ArgumentError`` (see ``gridimpact.arguments``).
    """
    door = estimate_arguments(inputs, params, start, end, regions, hourly)
    start, end, regions = door["start"], door["end"], door["regions"]
    engine = resolve_engine(engine)
    inputs = inputs if inputs is not None else default_inputs()
    params = resolve_params(params)
    chosen = model_regions(inputs, regions)
    period, reported = resolve_period(inputs, chosen, start, end)
    exposure = exposure_from(inputs, chosen, params)
    hazard = build_hazard(inputs.outages.reports, inputs.outages.schedules, chosen, period,
                          exposure.customers, possible_weight=params.possible_outage_weight,
                          bands=params.district_heat_bands)
    outdoor = outdoor_array(inputs, chosen, period)
    building = Building.from_values(params.to_dict(), 1)
    simulation = simulate(hazard, outdoor, exposure, building, Settings.from_params(params, engine),
                          keep_hourly=hourly)
    shown = period.days >= reported.first_day
    daily = daily_frame({k: v[0][:, shown] for k, v in simulation.daily.items()}, exposure.regions,
                        period.days[shown])
    basis = dict(zip(exposure.regions, exposure.basis, strict=True))
    daily = with_population_basis(daily, basis)
    provenance = provenance_record(inputs, params, reported, chosen, population_basis=basis)
    dataset = None
    if hourly:
        dataset = hourly_dataset(simulation.hourly, exposure, period, outdoor[0], params, provenance,
                                 hazard.band_edges)
        dataset = dataset.sel(time=slice(reported.start.tz_convert("UTC").tz_localize(None), None))
    return EstimateResult(daily=daily, hourly=dataset, provenance=provenance)


def with_population_basis(table: pd.DataFrame, basis: dict[str, str]) -> pd.DataFrame:
    """``table`` with a ``population_basis`` column after ``population`` (by the row's unit, or its
    oblast; empty for the ALL rows of a comparison)."""
    key = table["pcode"] if "pcode" in table.columns else table["adm1_pcode"]
    values = key.map(basis).fillna("")
    at = list(table.columns).index("population") + 1 if "population" in table.columns else len(table.columns)
    table = table.copy()
    table.insert(at, "population_basis", values.to_numpy(dtype=object))
    return table


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



@guarded("compare")
def compare(inputs: Inputs | None = None, scenarios=DEFAULT_SCENARIOS, *, as_of=None, days: int | None = None,
            members: int | None = None, seed: int | None = None, compliance: float | None = None,
            params: Params | dict | str | Path | None = None, regions: list[str] | None = None,
            block: int | None = None, region_block: int | None = None, workers: int | None = None, progress=None,
            client=None, engine: str | None = None, target_error: float | None = None) -> ComparisonResult:
    """Compare scenarios on the same inputs with an ensemble; the first scenario is the baseline.

    Parameters
    ----------
    inputs : Inputs, optional
        Validated inputs; the embedded default case when None.
    scenarios : sequence of names, paths or Scenario objects
        Built-in names (``gridimpact scenarios list``) or scenario TOML files; the first is the
        baseline and each other is compared with it.
    as_of : date-like, optional
        The scenarios take over from local midnight of this day. Default: the as-of date the
        scenarios declare (when they agree on one), else the inputs' own default (2026-01-30 for
        the embedded case), else the day after the last outage report starts.
    days : int, optional
        Days compared from ``as_of``. Default: the first scenario's own ``days``, else the inputs'
        horizon (14 for the embedded case), else 14.
    members : int, optional
        Ensemble members of every region (default 128, one net of scrambled Sobol' points).
    target_error : float, optional
        A region whose expected change in person-days below 12 °C has a standard error above this
        share of the change gets more members, up to four times ``members``
        (``gridimpact.model.refinement``; default 0.04, 0 turns it off).
    seed : int, optional
        Seed of every random stream (default 20260129); the same seed gives identical results.
    compliance : float in [0, 1], optional
        Overrides the probability that each pause holds.
    params : Params, dict or TOML path, optional
        Parameter overrides; sampled parameters vary around these values.
    block, region_block : int
        Members and regions simulated together: memory grows with their product; results do not
        depend on them. By default members are split evenly between the workers, at most 64, and
        regions are grouped so that one group's daily results for every member stay within
        ``RESULT_BUDGET_BYTES`` and a block's cohort cells within ``ENGINE_BLOCK_CELLS`` (at most
        64 regions).
    workers : int, optional
        Threads running member blocks at once (default: the number of CPU cores, at most 4; with
        ``client``, the threads of the cluster's workers). Only the default block size depends on it.
    progress : callable(int), optional
        Called with the number of simulated member-block days completed, for progress bars; if it
        has a ``start(total)`` method, that is called first with the total, and an ``extend(more)``
        method, with the steps added when regions get more members (``target_error``).
    client : dask.distributed.Client, optional
        Run member blocks on a cluster (results are identical to a local run).
    engine : "compiled" or "numpy", optional
        The compiled engine (default, or ``$GRIDIMPACT_ENGINE``) or the numpy reference; both give
        identical results.

    One scenario other than ``no-pause`` is compared with ``no-pause``. Wrong argument types or
    values raise ``gridimpact.ArgumentError``; a pause that lies outside the compared days is
    reported with a ``PauseOutsideWindowWarning`` naming the as-of date to use.
    """
    door = compare_arguments(inputs, scenarios, as_of, days, members, seed, compliance, params, regions, block,
                             region_block, workers, progress, target_error)
    scenarios, as_of, days, members, seed, compliance, regions, block, region_block, workers, target_error = (
        door[key] for key in ("scenarios", "as_of", "days", "members", "seed", "compliance", "regions", "block",
                              "region_block", "workers", "target_error"))
    engine = resolve_engine(engine)

    inputs = inputs if inputs is not None else default_inputs()
    case = prepare_case(inputs, scenarios, as_of=as_of, days=days, members=members, seed=seed,
                        compliance=compliance, params=params, regions=regions, target_error=target_error)
    runner = None
    if client is not None:
        runner = dask_runner(client)
        workers = workers or cluster_threads(client)
    plan = plan_blocks(case, block=block, region_block=region_block, workers=workers or default_workers())
    if hasattr(progress, "start"):
        progress.start(plan.total_steps(case))
    tables, daily, pauses = run_blocks(case, plan, progress=progress, runner=runner, engine=engine)
    return assemble(case, tables, daily, pauses)


def run_blocks(case: CompareCase, plan: BlockPlan, *, progress=None, runner=None, engine: str | None = None):
    """Run the ensemble region group by region group; returns the comparison tables, every
    member's daily values (when small enough to keep, else None) and the pause draws."""
    inputs, params, period, chosen, names = case.inputs, case.params, case.period, case.regions, case.names
    tables = ComparisonTables(names, names[0], period.days, case.window, case.members, tuple(chosen))
    observed_until_q = _observed_until(inputs, chosen, period)
    keep = len(chosen) * case.members * len(period.days) <= KEEP_MEMBER_CELLS
    daily: dict | None = {name: [] for name in names} if keep else None
    pause_held: dict = {}
    pause_days: dict = {}
    memo: dict = {}  # draws and known means the region blocks share (``EnsembleSetup.memo``)
    chunk = plan.chunk_regions(case)
    groups = -(-len(chosen) // plan.region_block)
    for start in range(0, len(chosen), plan.region_block):
        block_regions = chosen[start:start + plan.region_block]
        if start % chunk == 0:  # each region's hazard and exposure are its own: built for a chunk, then cut
            chunk_regions = chosen[start:start + chunk]
            chunk_exposure = exposure_from(inputs, chunk_regions, params)
            chunk_hazard = build_hazard(inputs.outages.reports, inputs.outages.schedules, chunk_regions, period,
                                        chunk_exposure.customers, possible_weight=params.possible_outage_weight,
                                        bands=params.district_heat_bands)
        positions = np.arange(start % chunk, start % chunk + len(block_regions))
        exposure = chunk_exposure.take_regions(positions)
        setup = EnsembleSetup(
            regions=tuple(block_regions), all_regions=tuple(chosen),
            block_index=np.arange(start, start + len(block_regions)), period=period, params=params,
            exposure=exposure, base=chunk_hazard.take_regions(positions),
            observed_outdoor=case.observed_outdoor, climatology=case.climatology, as_of_q=case.as_of_q,
            observed_until_q=observed_until_q, seed=case.seed, engine=engine, memo=memo,
        )
        runs = run_ensemble(setup, list(case.scenarios), case.members, block=plan.block, progress=progress,
                            runner=runner, workers=plan.workers)
        block_daily = {s.name: run.daily for s, run in zip(case.scenarios, runs, strict=True)}
        pause_held = {s.name: run.pause_held for s, run in zip(case.scenarios, runs, strict=True)}
        pause_days = {s.name: run.days_held if run.has_pause else None
                      for s, run in zip(case.scenarios, runs, strict=True)}

        def run_more(subset, total):
            """Members ``case.members`` … ``total`` − 1 of some of the block's regions."""
            if hasattr(progress, "extend"):
                progress.extend(plan.steps(case, total - case.members))
            return run_ensemble(subset, list(case.scenarios), total, block=plan.block, progress=progress,
                                runner=runner, workers=plan.workers, first_member=case.members)

        for positions, part_runs, base_runs in refined_parts(setup, dict(zip(names, runs, strict=True)),
                                                             case.members, case.target_error, case.window,
                                                             run_more):
            tables.add(tuple(setup.regions[i] for i in positions), exposure.population[positions], part_runs,
                       base_runs)
            del part_runs, base_runs  # before the next part runs
        if daily is not None:
            for name in names:
                daily[name].append(block_daily[name])
        del runs, block_daily  # the next group runs without this one's member values
        if groups > RELEASE_AFTER_GROUPS:  # a long run of groups: keep its resident set from creeping
            release_free_memory()
    if daily is not None:
        daily = {name: {metric: np.concatenate([part[metric] for part in parts], axis=1) for metric in parts[0]}
                 for name, parts in daily.items()}
    return tables, daily, (pause_held, pause_days)


def assemble(case: CompareCase, tables: ComparisonTables, daily, pauses) -> ComparisonResult:
    """The result object: tables, kept member values, the pause draws and the provenance record."""
    names = case.names
    pause_held, pause_days = pauses
    frame = case.inputs.population.frame.set_index("pcode").loc[list(case.regions)]
    basis = dict(zip(case.regions, population_basis(frame), strict=True))
    provenance = provenance_record(
        case.inputs, case.params, case.period, case.regions, seed=case.seed, members=case.members,
        region_members=dict(tables.members_of), target_error=case.target_error,
        as_of=str(case.as_of_day.date()), days=case.days, population_basis=basis,
        scenarios=[{"name": s.name, "source": s.source, "seeds": list(s.seeds),
                    "pause_holds_probability": [p.holds_probability for p in s.pauses],
                    "pause_outcome_probabilities": [list(p.outcomes.probabilities) for p in s.pauses]}
                   for s in case.scenarios],
    )
    comparison = tables.comparison()  # before member_changes is read: it fills them
    return ComparisonResult(impacts=with_population_basis(tables.impacts(), basis),
                            comparison=comparison, daily=daily, member_changes=tables.member_changes,
                            pause_held=pause_held, pause_days_held=pause_days, days=case.period.days,
                            window=case.window, regions=tuple(case.regions), baseline=names[0],
                            scenarios=tuple(names), members=case.members, seed=case.seed, provenance=provenance,
                            scenario_definitions=case.scenarios, region_members=dict(tables.members_of))


def _observed_until(inputs: Inputs, regions, period: Period) -> float:
    reports = inputs.outages.reports
    reports = reports[reports["pcode"].isin(regions)]
    if not len(reports):
        return 0.0
    last = pd.concat([reports["start"], reports["end"].dropna()]).max()
    return period.quarter_of(last)
