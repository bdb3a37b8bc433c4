"""The hourly xarray Dataset of an estimate, with CF-style units and descriptions."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from gridimpact.model.cohorts import SIMULATED_HEATING, cohort_population
from gridimpact.model.engine import Exposure
from gridimpact.model.keys import region_names
from gridimpact.model.params import Params
from gridimpact.model.period import Period
from gridimpact.vocab import BUILDING_CLASSES, SUBQUEUES

if TYPE_CHECKING:
    import xarray as xr


def hourly_dataset(hourly: dict[str, np.ndarray], exposure: Exposure, period: Period, outdoor: np.ndarray,
                   params: Params, provenance: dict, band_edges: np.ndarray) -> xr.Dataset:
    """Hourly state of member 0: temperatures, people without power and heat, cohort populations.

    ``band_edges`` (R, K + 1): the loss-band boundaries the simulation used (``Hazard.band_edges``).
    """
    import xarray as xr  # only when the hourly dataset is asked for: `compare` never needs xarray

    times = period.hours.tz_localize(None)  # UTC, naive: CF time coordinates carry no zone
    bands = band_edges.shape[1] - 1
    coords = {
        "region": ("region", list(exposure.regions), {"long_name": "OCHA p-code"}),
        "region_name": ("region", region_names(exposure.regions)),
        "time": ("time", times, {"long_name": "start of hour", "time_zone": "UTC"}),
        "heating_class": ("heating_class", list(SIMULATED_HEATING),
                          {"long_name": "what heat availability depends on (see docs/model.md)"}),
        "building": ("building", list(BUILDING_CLASSES)),
        "subqueue": ("subqueue", list(SUBQUEUES), {"long_name": "rotating-outage group (черга.підчерга)"}),
        "band": ("band", np.arange(bands), {"long_name": "population band for persistent and district-heat losses"}),
        "band_lower": (("region", "band"), band_edges[:, :-1], {
            "units": "1", "long_name": "loss share at which the band starts to lose supply"}),
        "band_upper": (("region", "band"), band_edges[:, 1:], {
            "units": "1", "long_name": "loss share at which the band has lost all supply"}),
    }
    cohort_dims = ("region", "heating_class", "building", "subqueue", "band")
    dataset = xr.Dataset(
        {
            "outdoor_temperature": (("region", "time"), outdoor, {
                "units": "degC", "standard_name": "air_temperature", "long_name": "outdoor air temperature"}),
            "people_without_power": (("region", "time"), hourly["without_power"], {
                "units": "1", "long_name": "people without grid power (persons)"}),
            "people_without_heat": (("region", "time"), hourly["without_heat"], {
                "units": "1", "long_name": "people whose heating did not work (persons)"}),
            "share_customers_without_power": (("region", "time"), hourly["share_off"], {
                "units": "1", "long_name": "share of electricity customers without power"}),
            "indoor_temperature": ((*cohort_dims, "time"), hourly["indoor_temperature"], {
                "units": "degC", "long_name": "indoor air temperature of the cohort at the end of the hour"}),
            "cohort_population": (cohort_dims, cohort_population(exposure.population, exposure.weights, np.diff(band_edges, axis=1)), {
                "units": "1", "long_name": "people in the cohort (persons); independently heated people are not simulated"}),
            "independent_heating_population": (("region",), exposure.population * exposure.independent, {
                "units": "1", "long_name": "people with grid-independent heating (persons), held at the set-point"}),
        },
        coords=coords,
        attrs={
            "title": "gridimpact hourly estimate",
            "Conventions": "CF-1.10",
            "source": f"gridimpact {provenance['gridimpact_version']}, parameters {provenance['parameters_version']}",
            "period_local": f"{period.first_day.date()} to {period.last_day.date()} (Europe/Kyiv days)",
            "parameters": json.dumps(params.to_dict(), sort_keys=True),
            "references": "docs/model.md",
        },
    )
    return dataset
