"""From validated inputs to the model's arrays: the period, exposure and outdoor temperature.

This is the seam between the tables of ``gridimpact.inputs`` and the arrays of ``engine``; it also
decides the default period and checks that the inputs cover it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.errors import InvalidInputError, Problem
from gridimpact.inputs import Inputs
from gridimpact.model.cohorts import joint_housing_shares, simulated_weights
from gridimpact.model.engine import Exposure
from gridimpact.model.params import Params
from gridimpact.model.period import Period
from gridimpact.regions import UnknownRegionError, resolve
from gridimpact.vocab import BUILDING_SHARE_COLUMNS, HEATING_SHARE_COLUMNS, TIMEZONE


def default_period(inputs: Inputs, regions: list[str]) -> Period:
    """Whole local days covered by temperature in every region and, if there are outage reports,
    between the first report's start and the last report's start or end."""
    temperature = inputs.temperature.frame
    temperature = temperature[temperature["pcode"].isin(regions)]
    local = temperature["time"].dt.tz_convert(TIMEZONE)
    first_complete = local.groupby(temperature["pcode"]).min().max()
    last_complete = local.groupby(temperature["pcode"]).max().min()
    first = first_complete.normalize() if first_complete.hour == 0 else first_complete.normalize() + pd.Timedelta(days=1)
    last = last_complete.normalize() if last_complete.hour == 23 else last_complete.normalize() - pd.Timedelta(days=1)
    reports = inputs.outages.reports
    reports = reports[reports["pcode"].isin(regions)]
    if len(reports):
        report_first = reports["start"].min().tz_convert(TIMEZONE).normalize()
        report_last = pd.concat([reports["start"], reports["end"].dropna()]).max().tz_convert(TIMEZONE).normalize()
        first, last = max(first, report_first), min(last, report_last)
    return Period.of(first, last)


def exposure_from(inputs: Inputs, regions: list[str], params: Params) -> Exposure:
    frame = inputs.population.frame.set_index("pcode").loc[regions]
    population = frame["population"].to_numpy(dtype=float)
    heating = frame[list(HEATING_SHARE_COLUMNS)].to_numpy(dtype=float)
    building = frame[list(BUILDING_SHARE_COLUMNS)].to_numpy(dtype=float)
    heating = heating / heating.sum(axis=1, keepdims=True)
    building = building / building.sum(axis=1, keepdims=True)
    joint = joint_housing_shares(heating, building)
    weights, independent = simulated_weights(joint, params.district_pump_dependence)
    customers = frame["customers"].to_numpy(dtype=float, na_value=np.nan)
    customers = np.where(np.isnan(customers) | (customers <= 0), population / params.persons_per_customer, customers)
    return Exposure(
        regions=tuple(regions),
        population=population,
        share_65plus=frame["share_65plus"].to_numpy(dtype=float),
        weights=weights,
        independent=independent,
        customers=customers,
        basis=population_basis(frame),
        population_range=np.stack([frame[c].to_numpy(dtype=float, na_value=np.nan) if c in frame.columns
                                   else np.full(len(frame), np.nan)
                                   for c in ("population_low", "population_high")], axis=1),
    )


UNSTATED_BASIS = "as given in the population input; what it counts was not stated"


def population_basis(frame: pd.DataFrame) -> tuple[str, ...]:
    """Per row of a population table: what the number counts, its source and date (the
    ``population_basis`` column), else a statement that the input does not say, with its source."""
    stated = frame["population_basis"] if "population_basis" in frame.columns else pd.Series(None, index=frame.index)
    source = frame["source"] if "source" in frame.columns else pd.Series(None, index=frame.index)
    fallback = [UNSTATED_BASIS + (f" (source: {s})" if isinstance(s, str) and s else "") for s in source]
    return tuple(b if isinstance(b, str) and b.strip() else f for b, f in zip(stated, fallback, strict=True))


def outdoor_values(inputs: Inputs, regions: list[str], period: Period) -> np.ndarray:
    """(R, H) °C on the period's hours, NaN where the inputs have no temperature."""
    frame = inputs.temperature.frame
    frame = frame[frame["pcode"].isin(regions)]
    wide = frame.pivot(index="time", columns="pcode", values="temperature_c")
    wide.index = wide.index.tz_convert("UTC")
    return wide.reindex(index=period.hours, columns=regions).to_numpy(dtype=float).T


def outdoor_array(inputs: Inputs, regions: list[str], period: Period) -> np.ndarray:
    """(1, R, H) °C on the period's hours; a region missing hours is an input error naming them."""
    values = outdoor_values(inputs, regions, period)
    hours = period.hours
    problems = []
    for i, pcode in enumerate(regions):
        missing = np.isnan(values[i])
        if missing.any():
            first = hours[missing.argmax()].tz_convert(TIMEZONE)
            problems.append(Problem(
                file=", ".join(inputs.temperature.files) or "temperature",
                rule="temperature_coverage",
                message=(f"region {pcode} has no temperature for {int(missing.sum())} hour(s) of the "
                         f"period {period.first_day.date()} … {period.last_day.date()}, from {first:%Y-%m-%d %H:%M}"),
            ))
    if problems:
        raise InvalidInputError(problems)
    return values[None]


def model_regions(inputs: Inputs, regions: list[str] | None) -> list[str]:
    """The regions to run: requested ones (resolved) that have population and temperature, each
    once and in the inputs' order (p-codes), so that neither the order nor a repetition in the
    request changes a result or the order of the rows."""
    available = inputs.regions
    if regions is None:
        if not available:
            raise InvalidInputError([Problem("inputs", "no_regions",
                                             "no region has both population and temperature data")])
        return available

    wanted = [resolve(r).pcode if r not in available else r for r in regions]
    missing = [r for r in wanted if r not in available]
    if missing:
        covered = ", ".join(_named(r) for r in available) or "none"
        raise InvalidInputError([Problem("inputs", "no_data_for_region",
                                         f"region {_named(r)} lacks population or temperature data in the "
                                         f"inputs (regions with both: {covered})") for r in missing])
    asked = set(wanted)
    return [r for r in available if r in asked]


def _named(pcode: str) -> str:
    """``Lviv (UA46)``: a region's English name with its p-code, or the p-code of an unknown unit."""
    try:
        return f"{resolve(pcode).name_en} ({pcode})"
    except UnknownRegionError:
        return pcode
