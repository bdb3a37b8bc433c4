"""The one door into the model: ``estimate`` (what happened, or will, under the inputs as given)
and ``compare`` (scenarios with and without a strike pause)."""

from __future__ import annotations

from pathlib import Path

from gridimpact import __version__
from gridimpact.engine import Building, simulate
from gridimpact.hazard import Period, build_hazard
from gridimpact.inputs import Inputs
from gridimpact.model_inputs import default_period, exposure_from, model_regions, outdoor_array
from gridimpact.params import Params, load_params
from gridimpact.results import EstimateResult, daily_frame


def resolve_params(params: Params | dict | str | Path | None) -> Params:
    if isinstance(params, Params):
        return params
    return load_params(params)


def resolve_period(inputs: Inputs, regions: list[str], start, end) -> Period:
    default = default_period(inputs, regions)
    return Period.of(start if start is not None else default.first_day,
                     end if end is not None else default.last_day)


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
    period = resolve_period(inputs, chosen, start, end)
    exposure = exposure_from(inputs, chosen, params)
    hazard = build_hazard(inputs.outages.reports, inputs.outages.schedules, chosen, period,
                          exposure.customers, possible_weight=params.possible_outage_weight)
    outdoor = outdoor_array(inputs, chosen, period)
    building = Building.from_values(params.to_dict(), 1)
    simulation = simulate(hazard, outdoor, exposure, building, rotation_block=params.rotation_block,
                          bands=params.district_heat_bands, hdd_base=params.hdd_base,
                          risk_share=params.risk_share, keep_hourly=hourly)
    daily = daily_frame({k: v[0] for k, v in simulation.daily.items()}, exposure.regions, period.days)
    provenance = provenance_record(inputs, params, period, chosen)
    dataset = None
    if hourly:
        from gridimpact.hourly import hourly_dataset

        dataset = hourly_dataset(simulation.hourly, exposure, period, outdoor[0], params, provenance)
    return EstimateResult(daily=daily, hourly=dataset, provenance=provenance)


def provenance_record(inputs: Inputs, params: Params, period: Period, regions: list[str], **extra) -> dict:
    return {
        "gridimpact_version": __version__,
        "parameters_version": params.version,
        "parameters_changed": params.changed(),
        "inputs": {
            "name": inputs.name,
            "outages": list(inputs.outages.files),
            "temperature": list(inputs.temperature.files),
            "population": list(inputs.population.files),
        },
        "period": {"start": str(period.first_day.date()), "end": str(period.last_day.date())},
        "regions": list(regions),
        "notes": list(dict.fromkeys(inputs.notes + inputs.outages.notes + inputs.temperature.notes
                                    + inputs.population.notes)),
        **extra,
    }

