"""Indoor temperature of a building cohort: the model's one thermal step, a two-node (indoor air +
building mass) model.

The network is a 2R2C grey-box model of the kind used to identify building heat dynamics from
measurements [1], a two-capacity relative of the ISO 13790 simple hourly method [2]. Node *a* is the
indoor air with the light contents (furniture, internal surfaces); node *m* the heavy structure
(concrete panels, brick, floor slabs). Per unit of the envelope conductance H = H_ao + H_mo [W/K]:

    τ_a dT_a/dt = s (T_o − T_a) + k (T_m − T_a) + u
    τ_m dT_m/dt = (1 − s) (T_o − T_m) + k (T_a − T_m)

with τ_a = C_a/H and τ_m = C_m/H [h], s = H_ao/H the share of the loss that leaves the air directly
(windows, ventilation) [1], k = H_am/H the air–mass coupling [1], and u [K] the heat input to the
air (internal gains, plus heating at a fraction f of full output). The input is scaled so that the
two parameters keep the meaning they had in a single-node model:

- ``gain_offset`` ΔT_g [K]: the steady indoor excess over outdoors of an unheated building;
- ``heating_capacity`` ΔT_h [K]: the further steady excess that heating at full output holds.

For constant outdoor temperature and input over an hour the state moves exactly as

    x(t + 1 h) = x* + M (x(t) − x*),     M = exp(A · 1 h),

where x = (T_a − T_o, T_m − T_o), A is the 2×2 system matrix and x* the steady state, so the hourly
scheme has no time-step error. A thermostat holds the air at the set-point: within an hour heating
delivers at most what brings the air to the set-point (the hour's input is linear in f, so the
fraction that does so is solved exactly), and never when the free-running air is already above it.

Limits (tested): k → ∞ locks the two nodes into one capacity with τ = τ_a + τ_m, the single-node
model exactly (``relax`` and ``periodic_steady_state`` give its closed forms, used as references);
k = 0 and s = 1 leaves the air alone, decaying with τ_a. The engine calls ``step_hour`` on float32
cohort arrays; calibration and the controlled cooling runs use ``cooling_run``.

Everything is plain numpy, broadcasting over any leading shape (members, regions, cohorts); state
arrays may be float32 (the constants follow their dtype). Units: °C, K for differences, hours.

References
----------
[1] P. Bacher and H. Madsen, "Identifying suitable models for the heat dynamics of buildings",
    Energy and Buildings 43 (2011) 1511–1522, doi:10.1016/j.enbuild.2011.02.005.
[2] ISO 13790:2008, Energy performance of buildings — Calculation of energy use for space heating
    and cooling, section 7.2.2 and annex C (simple hourly method; effective heat capacity classes
    80 / 110 / 165 / 260 / 370 kJ/(m² K) from very light to very heavy).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

HOURS_PER_STEP = 1.0


@dataclass(frozen=True)
class BuildingParameters:
    """Two-node parameters of one building class, or arrays of them (any broadcastable shape)."""

    tau_air_h: float | np.ndarray         # C_a / H, h
    tau_mass_h: float | np.ndarray        # C_m / H, h
    coupling: float | np.ndarray          # H_am / H, 1 (> 0)
    air_loss_share: float | np.ndarray    # H_ao / H, 1 (0 < s ≤ 1)
    gain_offset: float | np.ndarray       # steady free-running excess over outdoors, K
    heating_capacity: float | np.ndarray  # further steady excess at full heating, K

    def as_arrays(self) -> dict[str, np.ndarray]:
        return {f.name: np.asarray(getattr(self, f.name), dtype=float) for f in fields(self)}


@dataclass(frozen=True)
class StepConstants:
    """What one hour needs, precomputed per class: the propagator M and the responses to input."""

    m_aa: np.ndarray
    m_am: np.ndarray
    m_ma: np.ndarray
    m_mm: np.ndarray
    free_air: np.ndarray      # steady (T_a − T_o) without heating, K
    free_mass: np.ndarray     # steady (T_m − T_o) without heating, K
    heat_air: np.ndarray      # rise of T_a over one hour from full heating, K
    heat_mass: np.ndarray     # rise of T_m over one hour from full heating, K


def _system(p: dict[str, np.ndarray]):
    """Elements of A [1/h], its determinant, and the steady response (r_a, r_m) to a unit input u [K]."""
    s, k = p["air_loss_share"], p["coupling"]
    a11 = -(s + k) / p["tau_air_h"]
    a12 = k / p["tau_air_h"]
    a21 = k / p["tau_mass_h"]
    a22 = -(1.0 - s + k) / p["tau_mass_h"]
    # det A = (s(1 − s) + k) / (τ_a τ_m), written so that it does not cancel for a strong coupling.
    det = s * (1.0 - s) + k
    return (a11, a12, a21, a22, det / (p["tau_air_h"] * p["tau_mass_h"])), ((1.0 - s + k) / det, k / det)


def _expm(a11, a12, a21, a22, det, t):
    """exp(A t) of a 2×2 matrix with real negative eigenvalues (A is similar to a symmetric
    negative-definite matrix), elementwise, without overflow or cancellation.

    With eigenvalues λ_f ≤ λ_s < 0: exp(A t) = C·I + S·(A − μ I), μ = (λ_f + λ_s)/2,
    C = (e^{λ_f t} + e^{λ_s t})/2, S = (e^{λ_s t} − e^{λ_f t})/(λ_s − λ_f).
    """
    half_trace = 0.5 * (a11 + a22)
    # Discriminant ((a11 − a22)/2)² + a12·a21 ≥ 0 because a12·a21 ≥ 0.
    root = np.sqrt(0.25 * (a11 - a22) ** 2 + a12 * a21)
    fast = half_trace - root
    slow = np.where(fast < 0, det / np.where(fast < 0, fast, -1.0), 0.0)  # λ_s = det / λ_f, no cancellation
    t = np.asarray(t, dtype=float)
    e_fast, e_slow = np.exp(fast * t), np.exp(slow * t)
    gap = slow - fast
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(gap * np.maximum(t, 1.0) > 1e-12, (e_slow - e_fast) / gap, t * e_slow)
    mean = 0.5 * (fast + slow)
    both = 0.5 * (e_fast + e_slow)
    m11 = both + (a11 - mean) * spread
    m12 = a12 * spread
    m21 = a21 * spread
    m22 = both + (a22 - mean) * spread
    return m11, m12, m21, m22


def step_constants(params: BuildingParameters, dtype=np.float32) -> StepConstants:
    """Precompute one hour's propagator and input responses (cast to ``dtype`` for the state)."""
    p = params.as_arrays()
    (a11, a12, a21, a22, det), (r_a, r_m) = _system(p)
    m11, m12, m21, m22 = _expm(a11, a12, a21, a22, det, HOURS_PER_STEP)
    u_gain = p["gain_offset"] / r_a
    u_heat = p["heating_capacity"] / r_a
    # Full heating for one hour from the free-running steady state: rise = (I − M) r u_h.
    heat_air = ((1.0 - m11) * r_a - m12 * r_m) * u_heat
    heat_mass = (-m21 * r_a + (1.0 - m22) * r_m) * u_heat
    values = (m11, m12, m21, m22, r_a * u_gain, r_m * u_gain, heat_air, heat_mass)
    return StepConstants(*(np.asarray(v, dtype=dtype) for v in values))


def step_hour(air, mass, outdoor, heat_fraction, constants: StepConstants, setpoint):
    """Advance the air and mass temperatures of every cohort by one hour.

    Parameters
    ----------
    air, mass : arrays, °C
        Node temperatures at the start of the hour.
    outdoor : array, °C
        Outdoor temperature during the hour.
    heat_fraction : array in [0, 1]
        Fraction of full heating output available during the hour (rotating outages, a plant
        running at part load, backup power).
    constants : StepConstants
        From ``step_constants`` for the cohorts' building parameters.
    setpoint : float or array, °C
        Indoor air temperature the thermostat (or the heat network) holds.

    Returns
    -------
    (air_end, mass_end, lowest) : arrays, °C
        Node temperatures at the end of the hour, and the lower of the air's two ends. The air's
        path within an hour is a sum of two exponentials and can turn once; for the shipped class
        parameters the ends bound it to within 0.05 K (tests/test_thermal_two_node.py).
    """
    c = constants
    dx_a = air - outdoor - c.free_air
    dx_m = mass - outdoor - c.free_mass
    free_air_end = outdoor + c.free_air + c.m_aa * dx_a + c.m_am * dx_m
    free_mass_end = outdoor + c.free_mass + c.m_ma * dx_a + c.m_mm * dx_m
    # Heating needed to bring the air exactly to the set-point, as a fraction of full output
    # (infinite, i.e. whatever is available, for a class without heating capacity).
    with np.errstate(divide="ignore", invalid="ignore"):
        needed = np.where(c.heat_air > 0, (setpoint - free_air_end) / c.heat_air, np.inf)
    delivered = np.clip(np.minimum(heat_fraction, needed), 0.0, None)
    air_end = free_air_end + delivered * c.heat_air
    mass_end = free_mass_end + delivered * c.heat_mass
    return air_end, mass_end, np.minimum(air, air_end)


def heated_state(params: BuildingParameters, outdoor, setpoint):
    """Steady temperatures (air, mass) of a building heated to ``setpoint`` for a long time, °C.

    The air is at the set-point; the mass sits between it and outdoors:
    T_m = (k T_a + (1 − s) T_o) / (k + 1 − s).
    """
    p = params.as_arrays()
    k, s = p["coupling"], p["air_loss_share"]
    outdoor = np.asarray(outdoor, dtype=float)
    air = np.broadcast_to(np.asarray(setpoint, dtype=float), np.broadcast(outdoor, k).shape)
    weight = k + 1.0 - s
    # A mass with neither coupling nor loss (k = 0, s = 1) takes no part: put it at outdoors.
    mass = np.where(weight > 0, (k * air + (1.0 - s) * outdoor) / np.where(weight > 0, weight, 1.0), outdoor)
    return air.copy(), mass


def cooling_run(params: BuildingParameters, hours, outdoor, *, setpoint=20.0, extra_gain=0.0):
    """Indoor air temperature (°C) after ``hours`` without heating, from the heated steady state.

    A controlled cooling run: constant outdoor temperature ``outdoor`` (°C), heating off from t = 0,
    the building before that heated to ``setpoint`` for long enough to be steady. ``extra_gain`` [K]
    adds to the free-running excess (e.g. residents cooking on a gas stove). Closed form, any
    ``hours`` ≥ 0 (arrays broadcast with the parameters).
    """
    p = params.as_arrays()
    (a11, a12, a21, a22, det), (r_a, r_m) = _system(p)
    air0, mass0 = heated_state(params, outdoor, setpoint)
    outdoor = np.asarray(outdoor, dtype=float)
    gain = p["gain_offset"] + np.asarray(extra_gain, dtype=float)
    free_a, free_m = gain, gain * r_m / r_a
    m11, m12, _, _ = _expm(a11, a12, a21, a22, det, hours)
    return outdoor + free_a + m11 * (air0 - outdoor - free_a) + m12 * (mass0 - outdoor - free_m)


def reheat_hours(params: BuildingParameters, hours_off, outdoor, *, setpoint=20.0, target=18.0,
                 limit_hours=2000.0):
    """Hours of full heating after ``hours_off`` without heat until the air is back at ``target`` (°C).

    The building starts heated and steady, cools for ``hours_off`` at constant ``outdoor`` (°C), then
    heats at full output (``heating_capacity``). Solved by bisection on the closed form; returns inf
    where the target is not reached within ``limit_hours`` (heating too weak for that weather).
    """
    p = params.as_arrays()
    (a11, a12, a21, a22, det), (r_a, r_m) = _system(p)
    outdoor = np.asarray(outdoor, dtype=float)
    air0, mass0 = heated_state(params, outdoor, setpoint)
    gain = p["gain_offset"]
    m11, m12, m21, m22 = _expm(a11, a12, a21, a22, det, hours_off)
    x_a = gain + m11 * (air0 - outdoor - gain) + m12 * (mass0 - outdoor - gain * r_m / r_a)
    x_m = gain * r_m / r_a + m21 * (air0 - outdoor - gain) + m22 * (mass0 - outdoor - gain * r_m / r_a)
    heated_a = gain + p["heating_capacity"]
    heated_m = heated_a * r_m / r_a

    def air_after(t):
        e11, e12, _, _ = _expm(a11, a12, a21, a22, det, t)
        return outdoor + heated_a + e11 * (x_a - heated_a) + e12 * (x_m - heated_m)

    shape = np.broadcast(x_a, target).shape
    low, high = np.zeros(shape), np.full(shape, float(limit_hours))
    reachable = air_after(high) >= target
    for _ in range(60):
        middle = 0.5 * (low + high)
        warm = air_after(middle) >= target
        high = np.where(warm, middle, high)
        low = np.where(warm, low, middle)
    return np.where(reachable, high, np.inf)


# --- Closed forms of the single-node limit (k → ∞, τ = τ_a + τ_m): references for the tests ---

def relax(temperature, target, hours, tau_hours):
    """Temperature after ``hours`` of exponential relaxation toward ``target`` (°C) with time constant τ (h)."""
    return target + (temperature - target) * np.exp(-np.asarray(hours) / tau_hours)


def periodic_steady_state(outdoor, hours_off, hours_on, *, tau_hours, gain_offset, heating_capacity):
    """Indoor temperature at the end of the off-phase in a strict off/on rotation, once settled.

    For constant outdoor temperature and heating that never reaches the set-point, one cycle maps
    the end-of-off temperature x to a·(b·x + (1 − b)·T_on) + (1 − a)·T_off with a = exp(−off/τ),
    b = exp(−on/τ); its fixed point is the periodic steady state. Used to check the simulation.
    """
    a = np.exp(-hours_off / tau_hours)
    b = np.exp(-hours_on / tau_hours)
    t_off = outdoor + gain_offset
    t_on = t_off + heating_capacity
    return (a * (1 - b) * t_on + (1 - a) * t_off) / (1 - a * b)
