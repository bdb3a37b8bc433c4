"""The back-test: the model's quantity beside every reported figure of an observations table.

Each observation is matched with what the model says at that place and local day: customers and
shares without power from the estimate's daily outputs, people without heat (and buildings without
heat × persons per building), and indoor temperatures by a controlled cooling run of the reported
building class, hours without heat and outdoor temperature (``thermal.cooling_run``, which the
engine reproduces to 0.02 K: tests/test_engine_calibration.py). The P10–P90 range comes from a
small ensemble of parameter draws (``members`` estimates; 200 draws for the closed-form indoor runs)
(``params.sample_params``: the fit's joint draws for the building
parameters, triangular for the others). Rows marked ``input`` repeat a figure that feeds the inputs:
they are listed apart and never counted as validation. Ratios and log errors of indoor
temperatures are taken on the excess over outdoors (T − T_out), which is positive and scales with the
physics; every other quantity compares as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridimpact.api import estimate, resolve_params
from gridimpact.inputs import Inputs
from gridimpact.io.readers.loader import default_inputs
from gridimpact.io.readers.observations import load_observations
from gridimpact.model.engine import Building
from gridimpact.model.exposure import exposure_from, model_regions
from gridimpact.model.params import Params, sample_params
from gridimpact.model.thermal import BuildingParameters, cooling_run
from gridimpact.vocab import BUILDING_CLASSES

ROW_COLUMNS = ("id", "set", "date", "pcode", "quantity", "observed", "model", "model_p10", "model_p90",
               "ratio", "log_error", "inside_p10_p90", "matched", "compared_observed", "compared_model")
THERMAL_DRAWS = 200  # parameter draws behind the P10–P90 of the indoor controlled runs
SUMMARY_COLUMNS = ("quantity", "set", "rows", "median_abs_log_error", "factor", "share_inside_p10_p90")


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
    for the shipped table) with the model; ``members`` parameter draws give the P10–P90 range."""
    inputs = inputs if inputs is not None else default_inputs()
    table = observations if isinstance(observations, pd.DataFrame) else load_observations(observations)
    params = resolve_params(params)
    draws = sample_params(params, members, np.random.default_rng(seed))
    variants = [params] + [params.replace(**{name: float(values[m]) for name, values in draws.items()
                                             if np.ndim(values) and name in _DAILY_PARAMETERS})
                           for m in range(members)]
    regions = model_regions(inputs, regions)
    wanted = sorted(set(table["pcode"]) & set(regions))
    daily = [_daily(inputs, p, wanted) for p in variants] if wanted else []
    customers = dict(zip(wanted, exposure_from(inputs, wanted, params).customers, strict=True)) if wanted else {}
    central = _building(params.to_dict(), 1)
    # The controlled runs are closed forms: cheap, so the building range uses more draws.
    thermal_draws = sample_params(params, THERMAL_DRAWS, np.random.default_rng(seed + 1))
    sampled = _building(_stack(params, thermal_draws), THERMAL_DRAWS)
    records = []
    for row in table.itertuples(index=False):
        values = _model_values(row, daily, customers, central, sampled)
        records.append(_record(row, values))
    rows = pd.DataFrame.from_records(records, columns=ROW_COLUMNS)
    return BacktestResult(rows, _summary(rows))


# Parameters that change the estimate's power and heat counts (the thermal ones act through
# the controlled runs).
_DAILY_PARAMETERS = ("district_pump_dependence", "backup_power_share")


def _daily(inputs: Inputs, params: Params, regions: list[str]) -> pd.DataFrame:
    frame = estimate(inputs, params, regions=regions).daily
    key = "pcode" if "pcode" in frame else "adm1_pcode"
    return frame.rename(columns={key: "key"}).set_index(["key", "date"])


def _stack(params: Params, draws: dict) -> dict:
    return {name: draws.get(name, value) for name, value in params.to_dict().items()}


def _building(values: dict, members: int) -> BuildingParameters:
    return Building.from_values(values, members).physics


def _model_values(row, daily, customers, central: BuildingParameters, sampled: BuildingParameters):
    """(central, [ensemble values]) for one observation, or None when the model has no such quantity."""
    quantity = row.quantity
    if quantity == "indoor_temperature_c":
        if row.building_class not in BUILDING_CLASSES or pd.isna(row.hours_without_heat) or pd.isna(row.outdoor_temp_c):
            return None
        index = BUILDING_CLASSES.index(row.building_class)
        run = [float(np.atleast_1d(cooling_run(_pick(b, index), row.hours_without_heat, row.outdoor_temp_c))[j])
               for b in (central, sampled) for j in range(np.shape(b.gain_offset)[0])]
        return run[0], run[1:]
    day = pd.Timestamp(row.date).date()
    if not daily or (row.pcode, day) not in daily[0].index:
        return None
    column, scale = {
        "customers_without_power": ("share_customers_without_power", customers.get(row.pcode, np.nan)),
        "share_customers_without_power": ("share_customers_without_power", 1.0),
        "hours_without_power_per_day": ("share_customers_without_power", 24.0),
        "people_without_heat": ("people_without_heat", 1.0),
        "buildings_without_heat": ("people_without_heat", 1.0 / row.persons_per_building
                                   if row.persons_per_building and not pd.isna(row.persons_per_building) else np.nan),
    }.get(quantity, (None, np.nan))
    if column is None or np.isnan(scale):
        return None
    values = [float(frame.loc[(row.pcode, day), column]) * scale for frame in daily]
    return values[0], values[1:]


def _pick(building: BuildingParameters, index: int) -> BuildingParameters:
    return BuildingParameters(**{name: value[:, index] for name, value in building.as_arrays().items()})


def _record(row, values) -> dict:
    base = {"id": row.id, "set": row.set, "date": row.date, "pcode": row.pcode, "quantity": row.quantity,
            "observed": float(row.value)}
    if values is None:
        return {**base, "model": np.nan, "model_p10": np.nan, "model_p90": np.nan, "ratio": np.nan,
                "log_error": np.nan, "inside_p10_p90": False, "matched": False,
                "compared_observed": np.nan, "compared_model": np.nan}
    central, ensemble = values
    p10, p90 = np.percentile([central, *ensemble], [10, 90])
    # Indoor temperatures compare as excess over outdoors (positive, and what the physics scales).
    offset = float(row.outdoor_temp_c) if row.quantity == "indoor_temperature_c" else 0.0
    model, observed = central - offset, float(row.value) - offset
    positive = model > 0 and observed > 0
    log_error = float(np.log(model / observed)) if positive else np.nan
    return {**base, "model": central, "model_p10": float(p10), "model_p90": float(p90),
            "ratio": model / observed if positive else np.nan, "log_error": log_error,
            "inside_p10_p90": bool(p10 <= row.value <= p90), "matched": bool(positive),
            "compared_observed": observed, "compared_model": model}


def _summary(rows: pd.DataFrame) -> pd.DataFrame:
    matched = rows[rows["matched"]]
    out = []
    for (quantity, set_name), group in matched.groupby(["quantity", "set"], sort=True):
        error = float(group["log_error"].abs().median())
        out.append({"quantity": quantity, "set": set_name, "rows": len(group), "median_abs_log_error": error,
                    "factor": float(np.exp(error)), "share_inside_p10_p90": float(group["inside_p10_p90"].mean())})
    return pd.DataFrame.from_records(out, columns=SUMMARY_COLUMNS)
