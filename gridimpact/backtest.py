"""The back-test: the model's quantity beside every reported figure of an observations table.

Each observation is matched with what the model says at that place and local time, counting what
the report counts (its ``scope``, docs/inputs.md):

- power (``customers_without_power``, ``share_customers_without_power``): ``scope = all`` compares
  with the share of customers off for any cause, ``damage`` with the share physically disconnected
  by damage only (scheduled and emergency rotation excluded), both read from the observed hazard
  at the report's hour (``model.supply_replay``); ``hours_without_power_per_day`` is the day's mean
  share × 24;
- heat: ``damage`` counts (``buildings_without_heat``, ``people_without_heat``) compare with the
  people in district-heated homes whose plant or network supply was lost at that hour (÷ persons
  per building for buildings); ``all`` compares with the estimate's hourly people without heat,
  which also holds heating stopped by power cuts (and ``people_without_power`` with its hourly
  people without power);
- indoor temperatures by a controlled cooling run of the reported building class, hours without
  heat and outdoor temperature (``thermal.cooling_run``, which the engine reproduces to 0.02 K:
  tests/test_engine_calibration.py), with the fitted gas-stove gain where residents cooked on one;
  re-heating times by ``thermal.reheat_hours`` at the fitted restart capacity (data/thermal_fit.toml).

A report's time selects the hour: a clock time that hour, a part of the day its documented hour
(``vocab.PARTS_OF_DAY``) within ± 2 h, no time the day's mean within the spread of its hours. The
P10–P90 range pools that spread of hours with parameter draws: the customer base and population
over their documented ranges for supply rows, ``members`` estimates with sampled pump dependence
and backup share for rows of people (any cause), 200 draws of the fitted building parameters for the indoor
runs (``params.sample_params``). Rows marked ``input`` repeat a figure that feeds the inputs: they
are listed apart and never counted as validation. Ratios and log errors of indoor temperatures are
taken on the excess over outdoors (T − T_out), which is positive and scales with the physics; every
other quantity compares as it is, and a model value of zero against a reported positive count is
floored at ``ZERO_FLOOR`` of the report (a miss by a factor of 100, flagged ``model_zero``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from gridimpact.api import estimate, resolve_params, resolve_period
from gridimpact.inputs import Inputs
from gridimpact.io.readers.loader import default_inputs
from gridimpact.io.readers.observations import load_observations
from gridimpact.model.engine import Building
from gridimpact.model.exposure import model_regions
from gridimpact.model.params import Params, sample_params
from gridimpact.model.supply_replay import SupplyReplay, hours_of, supply_replay
from gridimpact.model.thermal import BuildingParameters, cooling_run, reheat_hours
from gridimpact.resources import data_dir
from gridimpact.vocab import BUILDING_CLASSES, TIMEZONE

ROW_COLUMNS = ("id", "set", "date", "time", "scope", "pcode", "quantity", "observed", "model", "model_p10",
               "model_p90", "ratio", "log_error", "inside_p10_p90", "matched", "model_zero", "compared_observed",
               "compared_model")
THERMAL_DRAWS = 200  # parameter draws behind the P10–P90 of the indoor controlled runs
ZERO_FLOOR = 0.01
"""A model value of zero against a positive report is compared as this share of the report."""
SUMMARY_COLUMNS = ("quantity", "set", "rows", "median_abs_log_error", "factor", "share_inside_p10_p90")
_POWER = ("customers_without_power", "share_customers_without_power", "hours_without_power_per_day")
_HEAT = ("people_without_heat", "buildings_without_heat")
_PEOPLE = ("people_without_heat", "buildings_without_heat", "people_without_power")
"""Counts of any cause matched with the estimate's hourly people (``--members`` parameter draws)."""


@dataclass
class BacktestResult:
    """Per-row matches and the summary per quantity × set (echoes, ``input`` rows, apart)."""

    rows: pd.DataFrame
    summary: pd.DataFrame

    @property
    def validation(self) -> pd.DataFrame:
        return self.rows[(self.rows["set"] == "validation") & self.rows["matched"]]

    def headline(self) -> str:
        """The validation error in one line."""
        valid = self.validation
        if valid.empty:
            return "validation: no matched validation rows"
        error = float(valid["log_error"].abs().median())
        inside = float(valid["inside_p10_p90"].mean())
        return (f"validation: median |log error| {error:.2f} (×{np.exp(error):.2f}) over {len(valid)} rows; "
                f"{inside:.0%} inside P10–P90")


def backtest(inputs: Inputs | None = None, observations=None, params: Params | dict | str | None = None, *,
             regions: list[str] | None = None, members: int = 4, seed: int = 20260129) -> BacktestResult:
    """Run the case and match every observation (a path, a frame from ``load_observations`` or None
    for the shipped table) with the model; parameter draws give the P10–P90 range (``members``
    estimates for the rows of people of scope ``all``)."""
    inputs = inputs if inputs is not None else default_inputs()
    table = observations if isinstance(observations, pd.DataFrame) else load_observations(observations)
    if "scope" not in table.columns:
        table = table.assign(scope="all")
    params = resolve_params(params)
    regions = model_regions(inputs, regions)
    wanted = sorted(set(table["pcode"]) & set(regions))
    supply = None
    if wanted and table["quantity"].isin(_POWER + _HEAT).any():
        period = resolve_period(inputs, wanted, None, None)[0]
        supply = supply_replay(inputs, params, wanted, period, rng=np.random.default_rng(seed + 2))
    people_rows = table["quantity"].isin(_PEOPLE) & (table["scope"].fillna("all") == "all")
    hourly = _hourly_variants(inputs, params, wanted, members, seed) if wanted and people_rows.any() else []
    central = _building(params.to_dict(), 1)
    # The controlled runs are closed forms: cheap, so the building range uses more draws.
    thermal_draws = sample_params(params, THERMAL_DRAWS, np.random.default_rng(seed + 1))
    sampled = _building(_stack(params, thermal_draws), THERMAL_DRAWS)
    records = []
    for row in table.itertuples(index=False):
        values = _model_values(row, supply, hourly, central, sampled)
        records.append(_record(row, values))
    rows = pd.DataFrame.from_records(records, columns=ROW_COLUMNS)
    return BacktestResult(rows, _summary(rows))


# Parameters that change the estimate's people without heat (the thermal ones act through
# the controlled runs).
_HEATING_DEPENDENCE = ("district_pump_dependence", "backup_power_share")


def _hourly_variants(inputs: Inputs, params: Params, regions: list[str], members: int, seed: int) -> list:
    draws = sample_params(params, members, np.random.default_rng(seed))
    variants = [params] + [params.replace(**{name: float(values[m]) for name, values in draws.items()
                                             if np.ndim(values) and name in _HEATING_DEPENDENCE})
                           for m in range(members)]
    return [_hourly_people(inputs, p, regions) for p in variants]


def _hourly_people(inputs: Inputs, params: Params, regions: list[str]) -> dict[str, pd.DataFrame]:
    """People without heat and without power per local hour (rows) and region (columns)."""
    data = estimate(inputs, params, regions=regions).hourly
    local = pd.DatetimeIndex(data["time"].values).tz_localize("UTC").tz_convert(TIMEZONE).tz_localize(None)
    names = [str(r) for r in data["region"].values]
    return {name: pd.DataFrame(data[name].values.T, index=local, columns=names)
            for name in ("people_without_heat", "people_without_power")}


def _stack(params: Params, draws: dict) -> dict:
    return {name: draws.get(name, value) for name, value in params.to_dict().items()}


def _building(values: dict, members: int) -> BuildingParameters:
    return Building.from_values(values, members).physics


def _model_values(row, supply: SupplyReplay | None, hourly, central: BuildingParameters,
                  sampled: BuildingParameters):
    """(central, [ensemble values]) for one observation, or None when the model has no such quantity."""
    quantity = row.quantity
    if quantity in ("indoor_temperature_c", "hours_to_reheat"):
        if row.building_class not in BUILDING_CLASSES or pd.isna(row.hours_without_heat) or pd.isna(row.outdoor_temp_c):
            return None
        index = BUILDING_CLASSES.index(row.building_class)
        run = [float(np.atleast_1d(_controlled(row, _pick(b, index)))[j])
               for b in (central, sampled) for j in range(np.shape(b.gain_offset)[0])]
        return run[0], run[1:]
    scope = row.scope if isinstance(row.scope, str) else "all"
    if quantity in _PEOPLE and scope == "all":
        return _hourly_people_values(row, hourly)
    if supply is None or row.pcode not in supply.regions or quantity not in _POWER + _HEAT:
        return None
    return _supply_values(row, scope, supply)


def _controlled(row, building: BuildingParameters):
    """The controlled run of an indoor report: cooling with the residents' gas-stove gain where they
    cooked on one, or re-heating at the restart capacity the fit found (data/thermal_fit.toml)."""
    gas_gain, restart_capacity = fitted_extras()
    if row.quantity == "hours_to_reheat":
        restarted = BuildingParameters(**{**building.as_arrays(), "heating_capacity": np.asarray(restart_capacity)})
        return reheat_hours(restarted, row.hours_without_heat, row.outdoor_temp_c)
    extra = gas_gain if row.supplementary_heat == "gas_stove" else 0.0
    return cooling_run(building, row.hours_without_heat, row.outdoor_temp_c, extra_gain=extra)


@cache
def fitted_extras() -> tuple[float, float]:
    """The gas-stove gain (K) and the restart heating capacity (K) of the shipped thermal fit."""
    fit = tomllib.loads((data_dir() / "thermal_fit.toml").read_text(encoding="utf-8"))
    gas = fit.get("gas_stove", {}).get("extra_gain_k", 0.0)
    reheat = fit.get("reheat", [{}])
    return float(gas), float(reheat[0].get("restart_heating_capacity_k", np.nan)) if reheat else np.nan


def _hourly_people_values(row, hourly):
    """People (or buildings) without heat or power for any cause at the report's hours, from the
    estimate's hourly outputs over the parameter draws."""
    if not hourly or row.pcode not in hourly[0]["people_without_heat"].columns:
        return None
    column = "people_without_power" if row.quantity == "people_without_power" else "people_without_heat"
    scale = _per_building(row) if row.quantity == "buildings_without_heat" else 1.0
    if np.isnan(scale):
        return None
    frame = hourly[0][column]
    day = frame.index.normalize() == pd.Timestamp(row.date).normalize()
    wanted, centre = hours_of(row.time)
    chosen = day & np.isin(frame.index.hour, wanted)
    if not chosen.any():
        return None
    series = [h[column].loc[chosen, row.pcode].to_numpy() * scale for h in hourly]
    at_centre = frame.index[chosen].hour == centre
    central = float(series[0][at_centre][0]) if centre is not None and at_centre.any() else float(series[0].mean())
    return central, [float(v) for values in series for v in values]


def _supply_values(row, scope: str, supply: SupplyReplay):
    """Values at the report's hours from the hazard's components, over the supply draws."""
    hours, centre = supply.window(row.pcode, row.date, row.time)
    if len(hours) == 0:
        return None
    region = supply.regions.index(row.pcode)
    quantity = row.quantity
    if quantity in _HEAT:
        # Persons per building and people present rise and fall together (the stock is counted in
        # buildings), so buildings use the central people; people use every population draw.
        people = supply.district_people[:, region, None]
        if quantity == "buildings_without_heat":
            scale = _per_building(row)
            if np.isnan(scale):
                return None
            people = np.broadcast_to(people[:1] * scale, people.shape)
        series = supply.heat_lost[:, region] * people
    else:
        share = (supply.persistent if scope == "damage" else supply.total)[:, region]
        if quantity == "hours_without_power_per_day":  # a figure for the whole day, whatever its time
            whole_day, _ = supply.window(row.pcode, row.date, None)
            day = share[:, whole_day].mean(axis=1) * 24.0
            return float(day[0]), [float(v) for v in day[1:]]
        series = share * supply.customers[:, region, None] if quantity == "customers_without_power" else share
    central = float(series[0, centre]) if centre is not None else float(series[0, hours].mean())
    return central, [float(v) for v in series[:, hours].ravel()]


def _per_building(row) -> float:
    persons = row.persons_per_building
    return 1.0 / persons if persons and not pd.isna(persons) else np.nan


def _pick(building: BuildingParameters, index: int) -> BuildingParameters:
    return BuildingParameters(**{name: value[:, index] for name, value in building.as_arrays().items()})


def _record(row, values) -> dict:
    base = {"id": row.id, "set": row.set, "date": row.date, "time": row.time, "scope": row.scope,
            "pcode": row.pcode, "quantity": row.quantity, "observed": float(row.value)}
    if values is None:
        return {**base, "model": np.nan, "model_p10": np.nan, "model_p90": np.nan, "ratio": np.nan,
                "log_error": np.nan, "inside_p10_p90": False, "matched": False, "model_zero": False,
                "compared_observed": np.nan, "compared_model": np.nan}
    central, ensemble = values
    p10, p90 = np.percentile([central, *ensemble], [10, 90])
    # Indoor temperatures compare as excess over outdoors (positive, and what the physics scales).
    indoor = row.quantity == "indoor_temperature_c"
    offset = float(row.outdoor_temp_c) if indoor else 0.0
    model, observed = central - offset, float(row.value) - offset
    zero = not indoor and observed > 0 and model <= 0
    if zero:
        model = ZERO_FLOOR * observed
    positive = model > 0 and observed > 0
    log_error = float(np.log(model / observed)) if positive else np.nan
    return {**base, "model": central, "model_p10": float(p10), "model_p90": float(p90),
            "ratio": model / observed if positive else np.nan, "log_error": log_error,
            "inside_p10_p90": bool(p10 <= row.value <= p90), "matched": bool(positive), "model_zero": bool(zero),
            "compared_observed": observed, "compared_model": model}


def _summary(rows: pd.DataFrame) -> pd.DataFrame:
    matched = rows[rows["matched"]]
    out = []
    for (quantity, set_name), group in matched.groupby(["quantity", "set"], sort=True):
        error = float(group["log_error"].abs().median())
        out.append({"quantity": quantity, "set": set_name, "rows": len(group), "median_abs_log_error": error,
                    "factor": float(np.exp(error)), "share_inside_p10_p90": float(group["inside_p10_p90"].mean())})
    return pd.DataFrame.from_records(out, columns=SUMMARY_COLUMNS)
