"""Fitting the building thermal parameters to what residents reported, with their uncertainty.

The calibration rows of an observations table (``io.readers.observations``) that report an indoor
temperature are each matched by a *controlled cooling run* (``thermal.cooling_run``): the
reported building class, heated and steady at the set-point, then without heat for the reported
hours at the reported mean outdoor temperature. Two model forms are fitted by weighted least squares
(``scipy.optimize.least_squares``) to the rows without supplementary heat:

- **one node**: one capacity (the model of ``gridimpact.model.thermal``), free parameters τ and ΔT_g;
- **two nodes**: indoor air + building mass (``thermal``), free parameters ΔT_g, the
  mass time constant τ_m and the air–mass coupling k; the air time constant τ_a and the share s of
  the loss leaving the air directly are fixed (``FIXED``), and the fit is repeated over their ranges.

Each residual is weighted by the row's stated uncertainty: σ = (value_high − value_low) / 2. The
parameters' covariance is (JᵀJ)⁻¹ from the Jacobian at the optimum, inflated by χ²/dof when that
exceeds 1. The forms are compared by χ² and by the small-sample Akaike criterion AICc [1]; the
richer form is chosen only if it lowers AICc.

Then, with the chosen form fixed: the extra free-running excess of flats heated with a gas stove is
fitted to the gas-stove rows, and the heating capacity is solved from the reported re-heating time
(``hours_to_reheat``: hours of full heating until the air is back at ``REHEAT_TARGET_C``).

No files are read here (``data/fit_thermal.py`` reads ``data/observations.csv`` and writes the
result). [1] K. P. Burnham and D. R. Anderson, *Model Selection and Multimodel Inference*, 2nd ed.,
Springer 2002, eq. 2.14 (AICc = χ² + 2p + 2p(p + 1)/(n − p − 1) for Gaussian errors of known σ).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import brentq, least_squares

from gridimpact.model.thermal import BuildingParameters, cooling_run, reheat_hours

SETPOINT_C = 20.0
REHEAT_TARGET_C = 18.0
"""The air is 'warm again' at 18 °C, the WHO minimum and the lower Ukrainian norm for living rooms."""

FIXED = {"tau_air_h": 2.0, "air_loss_share": 0.5}
"""Two-node parameters the indoor reports cannot identify (see docs/model.md, Calibration)."""
FIXED_RANGES = {"tau_air_h": (1.0, 4.0), "air_loss_share": (0.3, 0.7)}

TWO_NODE_START = {"gain_offset": 6.0, "tau_mass_h": 150.0, "coupling": 1.5}
TWO_NODE_BOUNDS = {"gain_offset": (0.0, 20.0), "tau_mass_h": (10.0, 3000.0), "coupling": (0.02, 100.0)}
ONE_NODE_START = {"gain_offset": 5.0, "tau_h": 60.0}
ONE_NODE_BOUNDS = {"gain_offset": (0.0, 20.0), "tau_h": (5.0, 1000.0)}
_STRONG_COUPLING = 1e7  # k at which the two nodes act as one (tests/test_thermal_two_node.py)


@dataclass(frozen=True)
class CoolingRows:
    """Indoor reports as arrays: what a controlled run needs and what it must reproduce."""

    ids: tuple[str, ...]
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    hours: np.ndarray
    outdoor: np.ndarray

    @property
    def sigma(self) -> np.ndarray:
        return (self.high - self.low) / 2.0

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Fit:
    """One fitted form: parameter values and standard errors, residuals and fit statistics."""

    form: str
    names: tuple[str, ...]
    values: np.ndarray
    errors: np.ndarray
    predicted: np.ndarray
    rows: CoolingRows
    fixed: dict[str, float] = field(default_factory=dict)
    covariance: np.ndarray | None = None  # on the fitted scale: log τ, log k, linear ΔT_g
    logged: tuple[str, ...] = ()

    @property
    def residuals(self) -> np.ndarray:
        """Model minus report, K."""
        return self.predicted - self.rows.value

    @property
    def chi2(self) -> float:
        return float(np.sum((self.residuals / self.rows.sigma) ** 2))

    @property
    def dof(self) -> int:
        return len(self.rows) - len(self.names)

    @property
    def aicc(self) -> float:
        n, p = len(self.rows), len(self.names)
        return self.chi2 + 2 * p + (2 * p * (p + 1) / (n - p - 1) if n - p - 1 > 0 else np.inf)

    @property
    def rms_k(self) -> float:
        return float(np.sqrt(np.mean(self.residuals ** 2)))

    @property
    def inside(self) -> np.ndarray:
        """Whether each controlled run lies within the report's stated range."""
        return (self.predicted >= self.rows.low - 1e-9) & (self.predicted <= self.rows.high + 1e-9)

    def parameter(self, name: str) -> tuple[float, float]:
        index = self.names.index(name)
        return float(self.values[index]), float(self.errors[index])

    def building(self) -> BuildingParameters:
        return parameters_of(self.form, dict(zip(self.names, self.values, strict=True)), self.fixed)


def cooling_rows(observations: pd.DataFrame, *, set_name: str = "calibration",
                 supplementary: str = "none") -> CoolingRows:
    """The indoor-temperature rows of one set with the given supplementary heat, as arrays."""
    rows = observations[(observations["quantity"] == "indoor_temperature_c")
                        & (observations["set"] == set_name)
                        & (observations["supplementary_heat"].fillna("none") == supplementary)]
    value = rows["value"].to_numpy(float)
    low = rows["value_low"].fillna(rows["value"] - 1.0).to_numpy(float)
    high = rows["value_high"].fillna(rows["value"] + 1.0).to_numpy(float)
    return CoolingRows(ids=tuple(rows["id"]), value=value, low=low, high=high,
                       hours=rows["hours_without_heat"].to_numpy(float),
                       outdoor=rows["outdoor_temp_c"].to_numpy(float))


def parameters_of(form: str, free: dict[str, float], fixed: dict[str, float] | None = None,
                  heating_capacity: float = 45.0) -> BuildingParameters:
    """Building parameters of a fitted form (the one-node form as the two-node model's strong-coupling limit)."""
    fixed = {**FIXED, **(fixed or {})}
    if form == "one_node":
        # Split τ between the nodes in any proportion: with k → ∞ only their sum matters.
        return BuildingParameters(tau_air_h=0.5 * free["tau_h"], tau_mass_h=0.5 * free["tau_h"],
                                  coupling=_STRONG_COUPLING, air_loss_share=fixed["air_loss_share"],
                                  gain_offset=free["gain_offset"], heating_capacity=heating_capacity)
    return BuildingParameters(tau_air_h=fixed["tau_air_h"], tau_mass_h=free["tau_mass_h"],
                              coupling=free["coupling"], air_loss_share=fixed["air_loss_share"],
                              gain_offset=free["gain_offset"], heating_capacity=heating_capacity)


def _fit(form: str, rows: CoolingRows, start: dict[str, float], bounds: dict[str, tuple[float, float]],
         fixed: dict[str, float], extra_gain: float = 0.0) -> Fit:
    names = tuple(start)
    # τ and k are fitted on a log scale: they span orders of magnitude and must stay positive.
    logged = {name for name in names if name != "gain_offset"}

    def unpack(x):
        return {n: (float(np.exp(v)) if n in logged else float(v)) for n, v in zip(names, x, strict=True)}

    def predict(x):
        params = parameters_of(form, unpack(x), fixed)
        return cooling_run(params, rows.hours, rows.outdoor, setpoint=SETPOINT_C, extra_gain=extra_gain)

    def residual(x):
        return (predict(x) - rows.value) / rows.sigma

    x0 = np.array([np.log(start[n]) if n in logged else start[n] for n in names])
    lower = np.array([np.log(bounds[n][0]) if n in logged else bounds[n][0] for n in names])
    upper = np.array([np.log(bounds[n][1]) if n in logged else bounds[n][1] for n in names])
    result = least_squares(residual, x0, bounds=(lower, upper), method="trf", x_scale="jac",
                           xtol=1e-12, ftol=1e-12, gtol=1e-12)
    values = unpack(result.x)
    covariance = _covariance(result.jac, float(np.sum(result.fun ** 2)), len(rows) - len(names))
    # Standard errors back on the natural scale (delta method: d e^y = e^y dy).
    errors = np.array([np.sqrt(covariance[i, i]) * (values[n] if n in logged else 1.0)
                       for i, n in enumerate(names)])
    return Fit(form=form, names=names, values=np.array([values[n] for n in names]), errors=errors,
               predicted=predict(result.x), rows=rows, fixed={**FIXED, **fixed}, covariance=covariance,
               logged=tuple(n for n in names if n in logged))


def _covariance(jacobian: np.ndarray, chi2: float, dof: int) -> np.ndarray:
    """(JᵀJ)⁻¹ of the weighted residuals, inflated by χ²/dof when the scatter exceeds the stated σ."""
    information = jacobian.T @ jacobian
    covariance = np.linalg.pinv(information)
    if dof > 0 and chi2 / dof > 1.0:
        covariance = covariance * (chi2 / dof)
    return covariance


def fit_one_node(rows: CoolingRows) -> Fit:
    return _fit("one_node", rows, ONE_NODE_START, ONE_NODE_BOUNDS, {})


def fit_two_node(rows: CoolingRows, fixed: dict[str, float] | None = None) -> Fit:
    return _fit("two_node", rows, TWO_NODE_START, TWO_NODE_BOUNDS, {**FIXED, **(fixed or {})})


def fit_extra_gain(building: BuildingParameters, rows: CoolingRows) -> tuple[float, float, np.ndarray]:
    """Extra free-running excess [K] (and its standard error) that reproduces rows with supplementary heat.

    Linear in the extra gain for fixed building parameters, so solved in closed form: the run's
    response to one kelvin of extra gain is the difference of two runs.
    """
    base = cooling_run(building, rows.hours, rows.outdoor, setpoint=SETPOINT_C)
    slope = cooling_run(building, rows.hours, rows.outdoor, setpoint=SETPOINT_C, extra_gain=1.0) - base
    weights = (slope / rows.sigma) ** 2
    gain = float(np.sum(slope * (rows.value - base) / rows.sigma ** 2) / np.sum(weights))
    predicted = base + gain * slope
    chi2 = float(np.sum(((predicted - rows.value) / rows.sigma) ** 2))
    dof = len(rows) - 1
    error = float(np.sqrt(max(1.0, chi2 / dof if dof > 0 else 1.0) / np.sum(weights)))
    return gain, error, predicted


def heating_capacity_for(building: BuildingParameters, reheat_hours_target: float, hours_off: float,
                         outdoor: float) -> float:
    """Heating capacity ΔT_h [K] whose full output brings the air back to ``REHEAT_TARGET_C`` in
    ``reheat_hours_target`` hours after ``hours_off`` without heat at ``outdoor`` °C."""
    base = building.as_arrays()

    def gap(capacity: float) -> float:
        params = BuildingParameters(**{**base, "heating_capacity": np.array(capacity)})
        hours = float(reheat_hours(params, hours_off, outdoor, setpoint=SETPOINT_C, target=REHEAT_TARGET_C))
        return (hours if np.isfinite(hours) else 1e6) - reheat_hours_target

    lowest = REHEAT_TARGET_C - outdoor - float(base["gain_offset"]) + 1e-3  # below this 18 °C is never reached
    return float(brentq(gap, lowest, 500.0, xtol=1e-6))


def leave_one_out(fitter, rows: CoolingRows) -> np.ndarray:
    """Model minus report [K] for each row, predicted by a fit to all the other rows."""
    errors = []
    for index in range(len(rows)):
        keep = np.arange(len(rows)) != index
        subset = CoolingRows(ids=tuple(np.asarray(rows.ids)[keep]), value=rows.value[keep], low=rows.low[keep],
                             high=rows.high[keep], hours=rows.hours[keep], outdoor=rows.outdoor[keep])
        held_out = cooling_run(fitter(subset).building(), rows.hours[index], rows.outdoor[index], setpoint=SETPOINT_C)
        errors.append(float(held_out) - rows.value[index])
    return np.array(errors)


def parameter_draws(fit: Fit, draws: int, seed: int, widen: float = 2.0) -> dict[str, np.ndarray]:
    """Parameter sets that represent the fit's uncertainty, with importance weights.

    Draws come from a Gaussian on the fitted scale (log τ, log k, linear ΔT_g) with the fit's
    covariance widened ``widen`` times; each is weighted by its likelihood exp(−χ²/2) over the
    proposal density, which corrects the Gaussian approximation of a nonlinear model (a flat prior
    on the fitted scale inside the bounds; draws outside the bounds get weight 0). Returns the
    parameter arrays and ``"weight"`` (summing to 1).
    """
    bounds = ONE_NODE_BOUNDS if fit.form == "one_node" else TWO_NODE_BOUNDS
    centre = np.array([np.log(v) if n in fit.logged else v for n, v in zip(fit.names, fit.values, strict=True)])
    proposal = fit.covariance * widen ** 2
    sample = np.random.default_rng(seed).multivariate_normal(centre, proposal, size=draws)
    result = {}
    inside = np.ones(draws, dtype=bool)
    for column, name in enumerate(fit.names):
        values = np.exp(sample[:, column]) if name in fit.logged else sample[:, column]
        inside &= (values >= bounds[name][0]) & (values <= bounds[name][1])
        result[name] = np.clip(values, *bounds[name])
    params = parameters_of(fit.form, {n: result[n][:, None] for n in fit.names}, fit.fixed)
    runs = cooling_run(params, fit.rows.hours[None, :], fit.rows.outdoor[None, :], setpoint=SETPOINT_C)
    chi2 = np.sum(((runs - fit.rows.value) / fit.rows.sigma) ** 2, axis=1)
    offset = sample - centre
    log_proposal = -0.5 * np.einsum("ij,jk,ik->i", offset, np.linalg.pinv(proposal), offset)
    log_weight = np.where(inside, -0.5 * chi2 - log_proposal, -np.inf)
    weight = np.exp(log_weight - log_weight.max())
    result["weight"] = weight / weight.sum()
    return result


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, quantiles) -> np.ndarray:
    """Quantiles of weighted draws along the first axis (the inverse of the weighted CDF)."""
    order = np.argsort(values, axis=0)
    sorted_values = np.take_along_axis(values, order, axis=0)
    weights = np.broadcast_to(np.asarray(weights).reshape(-1, *([1] * (values.ndim - 1))), values.shape)
    cumulative = np.cumsum(np.take_along_axis(weights, order, axis=0), axis=0)
    cumulative = cumulative / cumulative[-1]
    result = []
    for q in quantiles:
        index = np.argmax(cumulative >= q, axis=0)
        result.append(np.take_along_axis(sorted_values, np.expand_dims(index, 0), axis=0)[0])
    return np.array(result)


def prediction_band(fit: Fit, rows: CoolingRows, draws: dict[str, np.ndarray],
                    quantiles=(0.05, 0.95)) -> np.ndarray:
    """Weighted quantiles of the controlled runs over parameter draws, shape (len(quantiles), rows)."""
    params = parameters_of(fit.form, {n: draws[n][:, None] for n in fit.names}, fit.fixed)
    runs = cooling_run(params, rows.hours[None, :], rows.outdoor[None, :], setpoint=SETPOINT_C)
    return weighted_quantiles(runs, draws["weight"], quantiles)


def solve_tau_mass(building: BuildingParameters, hours: float, outdoor: float, start: float,
                   reached: float) -> float:
    """Mass time constant τ_m [h] with which the air falls from ``start`` to ``reached`` °C in
    ``hours`` at ``outdoor`` °C (other parameters as given); for a class without reports of its own."""
    base = building.as_arrays()

    def gap(log_tau: float) -> float:
        params = BuildingParameters(**{**base, "tau_mass_h": np.array(np.exp(log_tau))})
        return float(cooling_run(params, hours, outdoor, setpoint=start)) - reached

    return float(np.exp(brentq(gap, np.log(1.0), np.log(5000.0), xtol=1e-10)))
