"""A SYNTHETIC national case: every oblast split into hromada-like units, for scale tests.

Nothing here is an observation. The case exists to exercise the model at national size (27 ADM1
units, about 1,469 ADM3 units, 1,000 members) with inputs that look plausible; its numbers must
never be reported as estimates for Ukraine. Every ``source`` cell says ``synthetic`` and the
inputs carry a note saying so.

How each table is made (all arrays are drawn from one seed; each table has its own random stream,
so changing how one is drawn leaves the others as they were):

- units: ``hromadas`` units shared among the 27 ADM1 units in proportion to their population (at
  least one each); Kyiv city (UA80) and Sevastopol (UA85) are single municipalities and get one
  unit each. Units are grouped into raion-like groups of about 11 (1,469 hromadas in 136 raions
  since the 2020 reform: Verkhovna Rada resolution 807-IX of 17 July 2020,
  https://zakon.rada.gov.ua/laws/show/807-20). P-codes follow the COD shape
  ``UA`` + oblast (2 digits) + raion (2) + unit (3), e.g. ``UA0501001``; they are synthetic and
  may coincide with real codes of other hromadas.
- population: each ADM1 total of ``data/population_cod_ps_2022.csv`` (OCHA COD-PS 2022) is split
  among its units by lognormal weights (``POPULATION_SIGMA``) into whole persons that add up to the
  total exactly; age shares are the ADM1 unit's, heating-system and building-class shares those of
  ``data/housing.csv`` for the ADM1 unit.
- temperature: per ADM1 unit a climatological path (``gridimpact.model.climatology``: daily normals of
  ``data/climatology.csv`` plus an AR(1) anomaly correlated between regions, hours by the diurnal
  curve of ``gridimpact.model.diurnal``), plus a constant offset per unit (``UNIT_OFFSET_SD_K``).
- outages: a daily scheduled-outage level per ADM1 unit (a national queue level that wanders
  between ``QUEUE_RANGE`` queues, scaled per ADM1 unit, raised for some days after each strike) and
  strikes at intervals drawn like the built-in ``no-pause`` scenario's, each leaving persistent
  outages and district-heat losses in some units for some days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridimpact import schemas
from gridimpact.errors import InvalidInputError, ParameterError
from gridimpact.inputs import Inputs, OutageData, PopulationData, TemperatureData
from gridimpact.io.readers.climatology import load_climatology
from gridimpact.io.readers.outages import empty_schedules
from gridimpact.io.readers.problems import FileProblems, sorted_problems, validate_frame
from gridimpact.model.climatology import (
    ClimatologyCoverageError,
    draw_daily_anomalies,
    innovation_correlation,
)
from gridimpact.model.diurnal import HOURS_PER_DAY, hourly_from_daily_extremes
from gridimpact.resources import data_dir
from gridimpact.schemas import BUILDING_SHARE_COLUMNS, HEATING_SHARE_COLUMNS
from gridimpact.vocab import QUEUES, TIMEZONE

CASE_NAME = "synthetic-national"
SOURCE = "synthetic"
NOTE = ("SYNTHETIC inputs (gridimpact.synthetic.national_case): made-up hromada-like units, "
        "temperatures and outages for scale tests; not an estimate for Ukraine")

SINGLE_UNIT_REGIONS = ("UA80", "UA85")
"""Kyiv city and Sevastopol: cities with special status, one municipality each."""

UNITS_PER_RAION = 11
"""Units per raion-like group: 1,469 hromadas / 136 raions ≈ 10.8 (resolution 807-IX, 2020)."""

POPULATION_SIGMA = 1.0
"""Standard deviation of log population weights within an ADM1 unit. Estimate: chosen so that the
largest unit of a 50-unit oblast holds roughly a fifth of its people (a regional capital) and
the smallest a few thousand, which is the shape of Ukraine's hromadas; not fitted."""

UNIT_OFFSET_SD_K = 1.0
"""K, standard deviation of a unit's constant temperature offset from its ADM1 path. Estimate:
elevation, distance to the sea and towns make winter means differ by a few kelvin within an oblast;
not fitted."""

QUEUE_RANGE = (1.0, 3.5)
"""Queues off at once (of 6) on ordinary days: Ukrenergo's nationwide volumes of 12 January 2026
ranged from 1.0 to 3.5 queues by hour
(https://novograd.city/articles/449943/grafik-vidklyuchen-svitla-na-12-sichnya-2026-koli-i-skilki-cherg-zastosuyut-v-ukraini)."""
QUEUE_MAX = 5.0
"""Queues off at once after a strike: emergency schedules of 4.5–5 queues nationwide on 7 February
2026 (https://unn.ua/en/news/russian-army-launched-a-massive-attack-on-ukraines-energy-infrastructure-overnight-tpps-attacked)."""
QUEUE_PERSISTENCE = 0.8
"""Day-to-day autocorrelation of the national queue level (estimate: volumes change over days,
not hours, between strikes)."""
QUEUE_STEP_SD = 0.35
"""Queues, standard deviation of the daily innovation of the national level (estimate)."""
REGIONAL_FACTOR = (0.7, 1.3)
"""Range of the factor scaling the national queue level per ADM1 unit (estimate: oblasts differ
in how much of their own generation survives)."""
STRIKE_QUEUES = (1.0, 2.0)
"""Extra queues in a struck ADM1 unit on the strike day, fading linearly over ``STRIKE_QUEUE_DAYS``
(estimate bridging the ordinary and the emergency volumes above)."""
STRIKE_QUEUE_DAYS = 5

# Strike process: the ranges of the built-in ``no-pause`` scenario (gridimpact/builtin_scenarios/
# no-pause.toml), where each is sourced to the strikes of 9 January – 12 February 2026.
STRIKE_INTERVAL_DAYS = (4.0, 7.0, 11.0)        # triangular (min, mode, max), days
STRIKE_HIT_PROBABILITY = 0.4                   # per ADM1 unit and strike
STRIKE_HIT_PROBABILITY_KYIV = 0.85             # Kyiv city (UA80)
POWER_SHARE = (0.05, 0.6)                      # share of customers off in a struck unit
POWER_RESTORE_DAYS = (1.0, 5.0)                # days
HEAT_LOST_SHARE = (0.1, 0.6)                   # share of district-heat supply lost
HEAT_RESTORE_DAYS = (2.0, 6.0)                 # days
UNIT_HIT_PROBABILITY = 0.5
"""Share of the units of a struck ADM1 unit that the strike damages (estimate: strikes hit
substations and plants serving part of an oblast)."""
STRIKE_HOURS = (2.0, 7.0)
"""Local hours between which a strike lands (estimate: the large combined strikes of that winter
came at night and in the early morning)."""


@dataclass(frozen=True)
class Units:
    """The synthetic units: p-code, the ADM1 unit each lies in (index into ``adm1``)."""

    adm1: tuple[str, ...]
    pcodes: np.ndarray   # (U,) str
    parent: np.ndarray   # (U,) int index into adm1


def national_case(*, hromadas: int = 1469, start="2025-12-01", days: int = 90, seed: int = 0) -> Inputs:
    """A SYNTHETIC national case with every ADM1 unit split into ``hromadas`` ADM3-like units.

    Parameters
    ----------
    hromadas : int
        Number of units in all (at least 27: one per ADM1 unit).
    start : date-like
        First local day (Europe/Kyiv).
    days : int
        Number of local days with temperature and outage reports. The climatology covers November
        to March; days outside raise ``ParameterError``.
    seed : int
        Seed of every draw; the same arguments give identical inputs.

    Returns
    -------
    Inputs named ``synthetic-national`` with ``as_of`` two thirds into the period and
    ``horizon_days`` the rest, so that a default ``compare`` simulates all ``days``.
    """
    adm1 = _adm1_table()
    hromadas, days = int(hromadas), int(days)
    if hromadas < len(adm1):
        raise ParameterError(f"hromadas must be at least {len(adm1)} (one per ADM1 unit), got {hromadas}")
    if days < 2:
        raise ParameterError(f"days must be at least 2, got {days}")
    first_day = pd.Timestamp(start).normalize()
    if first_day.tzinfo is not None:
        first_day = first_day.tz_convert(TIMEZONE).tz_localize(None).normalize()
    streams = np.random.SeedSequence(int(seed)).spawn(4)
    population_rng, temperature_rng, queue_rng, strike_rng = (np.random.default_rng(s) for s in streams)

    units = make_units(adm1.index.tolist(), adm1["population"].to_numpy(), hromadas)
    population = _population_table(units, adm1, population_rng)
    temperature = _temperature_table(units, first_day, days, temperature_rng)
    reports = _outage_table(units, first_day, days, queue_rng, strike_rng)
    population, temperature, reports = _validated(population, temperature, reports)


    horizon = max(1, days // 3)
    return Inputs(
        outages=OutageData(reports=reports, schedules=empty_schedules(), notes=(NOTE,)),
        temperature=TemperatureData(frame=temperature, notes=(NOTE,)),
        population=PopulationData(frame=population, notes=(NOTE,)),
        notes=(NOTE,),
        name=CASE_NAME,
        as_of=(first_day + pd.Timedelta(days=days - horizon)).date(),
        horizon_days=horizon,
    )


# -- units and population ----------------------------------------------------------------------

def _adm1_table() -> pd.DataFrame:
    """ADM1 population and age shares (COD-PS 2022) joined with the housing shares, by p-code."""
    folder = data_dir()
    people = pd.read_csv(folder / "population_cod_ps_2022.csv", dtype={"region": str}).set_index("region")
    housing = pd.read_csv(folder / "housing.csv", dtype={"pcode": str}).set_index("pcode")
    columns = [*HEATING_SHARE_COLUMNS, *BUILDING_SHARE_COLUMNS]
    table = people[["population", "share_65plus", "share_0_4"]].join(housing[columns], how="left")
    return table.sort_index()


def allocate_units(population: np.ndarray, total: int, single: np.ndarray | None = None) -> np.ndarray:
    """Units per ADM1 unit: one each, the rest in proportion to ``population`` (largest remainder).

    ``single`` (bool per ADM1 unit) marks those that keep exactly one unit. The counts add up to
    ``total`` exactly.
    """
    population = np.asarray(population, dtype=float)
    single = np.zeros(len(population), bool) if single is None else np.asarray(single, bool)
    counts = np.ones(len(population), dtype=np.int64)
    extra = total - len(population)
    weight = np.where(single, 0.0, population)
    quota = extra * weight / weight.sum()
    counts += np.floor(quota).astype(np.int64)
    short = total - counts.sum()
    order = np.lexsort((np.arange(len(quota)), -(quota - np.floor(quota))))
    counts[order[:short]] += 1
    return counts


def make_units(adm1: list[str], population: np.ndarray, total: int) -> Units:
    """P-codes ``UA`` + oblast + raion (01…) + unit within raion (001…) for ``total`` units."""
    counts = allocate_units(population, total, np.isin(adm1, SINGLE_UNIT_REGIONS))
    parent = np.repeat(np.arange(len(adm1)), counts)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n = counts[parent]
    j = np.arange(total) - first[parent]                       # position within the ADM1 unit
    raions = np.minimum(99, -(-counts // UNITS_PER_RAION))[parent]
    raion = j * raions // n                                    # balanced, contiguous raions
    within = j - (-(-raion * n // raions)) + 1
    if within.max(initial=0) > 999:
        raise ParameterError(f"hromadas={total} is too many for 3-digit unit codes in 99 raions")
    oblast = np.asarray([code[2:4] for code in adm1])[parent]
    pcodes = np.char.add(np.char.add(np.char.add("UA", oblast), np.char.zfill((raion + 1).astype(str), 2)),
                         np.char.zfill(within.astype(str), 3))
    return Units(tuple(adm1), pcodes.astype(str), parent)


def split_population(totals: np.ndarray, parent: np.ndarray, rng: np.random.Generator,
                     sigma: float = POPULATION_SIGMA) -> np.ndarray:
    """Whole persons per unit from lognormal weights; each ADM1 unit's units add up to its total."""
    totals = np.asarray(totals, dtype=np.int64)
    weight = rng.lognormal(0.0, sigma, size=len(parent))
    quota = totals[parent] * weight / np.bincount(parent, weight)[parent]
    persons = np.floor(quota).astype(np.int64)
    short = totals - np.bincount(parent, persons, minlength=len(totals)).astype(np.int64)
    # Largest remainders first within each ADM1 unit: rank of each unit inside its group.
    order = np.lexsort((-(quota - persons), parent))
    group_start = np.searchsorted(parent[order], parent[order], side="left")
    rank = np.arange(len(order)) - group_start
    persons[order] += rank < short[parent[order]]
    return persons


def _population_table(units: Units, adm1: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    totals = adm1["population"].to_numpy(dtype=np.int64)
    persons = split_population(totals, units.parent, rng)
    shares = adm1.iloc[units.parent]
    frame = pd.DataFrame({"pcode": units.pcodes, "population": persons.astype(float)})
    for column in ("share_65plus", "share_0_4", *HEATING_SHARE_COLUMNS, *BUILDING_SHARE_COLUMNS):
        frame[column] = shares[column].to_numpy(dtype=float)
    frame["customers"] = np.nan
    frame["source"] = SOURCE
    return frame


# -- temperature -------------------------------------------------------------------------------

def _hours(first_day: pd.Timestamp, days: int) -> pd.DatetimeIndex:
    """Every hour of the local days, in UTC (a local day may have 23 or 25 hours)."""
    begin = first_day.tz_localize(TIMEZONE).tz_convert("UTC")
    end = (first_day + pd.Timedelta(days=days)).tz_localize(TIMEZONE).tz_convert("UTC")
    return pd.date_range(begin, end, freq="h", inclusive="left").as_unit("ns")


def adm1_temperature(adm1: tuple[str, ...], first_day: pd.Timestamp, days: int, hours: pd.DatetimeIndex,
                     rng: np.random.Generator) -> np.ndarray:
    """(ADM1, H) °C: climatological normals plus a correlated AR(1) anomaly, on ``hours``."""
    climatology = load_climatology()
    dates = pd.date_range(first_day, periods=days, freq="D")
    try:
        tmin, tmax = climatology.daily_normals(adm1, dates)
        sd, phi = climatology.ar1(adm1, dates)
    except ClimatologyCoverageError as err:
        raise ParameterError(f"the synthetic case needs climatology for every day: {err}") from err
    initial = rng.standard_normal(len(adm1)) * sd[:, 0]
    anomaly = draw_daily_anomalies(phi, sd, initial, rng, correlation=innovation_correlation(adm1))
    hourly = hourly_from_daily_extremes(tmin + anomaly, tmax + anomaly)      # local hours 0..23
    local = hours.tz_convert(TIMEZONE)
    day = ((local.tz_localize(None).normalize() - first_day) // pd.Timedelta(days=1)).to_numpy()
    return hourly[:, day * HOURS_PER_DAY + local.hour.to_numpy()]


def _temperature_table(units: Units, first_day: pd.Timestamp, days: int, rng: np.random.Generator) -> pd.DataFrame:
    hours = _hours(first_day, days)
    paths = adm1_temperature(units.adm1, first_day, days, hours, rng)
    offset = rng.normal(0.0, UNIT_OFFSET_SD_K, size=len(units.pcodes))
    values = np.round(paths[units.parent] + offset[:, None], 2)
    n_units, n_hours = values.shape
    times = pd.DatetimeIndex(np.tile(hours.tz_localize(None).to_numpy(), n_units)).tz_localize("UTC")
    return pd.DataFrame({
        "pcode": np.repeat(units.pcodes, n_hours),
        "time": times.tz_convert(TIMEZONE),
        "temperature_c": values.reshape(-1),
        "quality": "climatology",
        "source": SOURCE,
    })


# -- outages -----------------------------------------------------------------------------------

def strike_days(days: int, rng: np.random.Generator) -> np.ndarray:
    """Strike moments in days from the first local midnight: triangular intervals from a uniform
    first wait, plus a local hour within ``STRIKE_HOURS``."""
    low, mode, high = STRIKE_INTERVAL_DAYS
    capacity = int(np.ceil(days / low)) + 1
    intervals = rng.triangular(low, mode, high, size=capacity)
    day = np.floor(rng.uniform() * intervals[0] + np.concatenate([[0.0], np.cumsum(intervals[1:])]))
    hour = rng.uniform(*STRIKE_HOURS, size=capacity)
    moments = day + hour / 24.0
    return moments[day < days]


def _queue_levels(n_adm1: int, days: int, strikes: np.ndarray, struck: np.ndarray,
                  rng: np.random.Generator) -> np.ndarray:
    """(ADM1, D) queues off at once per local day."""
    low, high = QUEUE_RANGE
    middle = (low + high) / 2
    steps = rng.normal(0.0, QUEUE_STEP_SD, size=days)
    national = np.empty(days)
    level = middle
    for d in range(days):  # an AR(1) over days: one scalar per day
        level = middle + QUEUE_PERSISTENCE * (level - middle) + steps[d]
        national[d] = level
    national = np.clip(national, low, high)
    factor = rng.uniform(*REGIONAL_FACTOR, size=n_adm1)
    extra = rng.uniform(*STRIKE_QUEUES, size=struck.shape)                  # (S, ADM1)
    since = np.arange(days)[None, :] - np.floor(strikes)[:, None]           # (S, D)
    fade = np.clip(1.0 - since / STRIKE_QUEUE_DAYS, 0.0, 1.0) * (since >= 0)
    bump = np.einsum("sa,sd->ad", extra * struck, fade)
    return np.clip(national[None, :] * factor[:, None] + bump, 0.0, QUEUE_MAX)


def _local(first_day: pd.Timestamp, offsets_days: np.ndarray) -> pd.DatetimeIndex:
    """Local times ``offsets_days`` after the first local midnight (wall-clock days and hours)."""
    naive = pd.DatetimeIndex(first_day + pd.to_timedelta(np.round(np.asarray(offsets_days) * 24 * 60), unit="min"))
    # An ambiguous autumn hour is read as standard time, a skipped spring hour as the next valid one.
    standard = np.zeros(len(naive), dtype=bool)
    return naive.tz_localize(TIMEZONE, ambiguous=standard, nonexistent="shift_forward").as_unit("ns")


def _outage_table(units: Units, first_day: pd.Timestamp, days: int, queue_rng: np.random.Generator,
                  strike_rng: np.random.Generator) -> pd.DataFrame:
    n_adm1, n_units = len(units.adm1), len(units.pcodes)
    strikes = strike_days(days, strike_rng)
    n_strikes = len(strikes)
    probability = np.where(np.asarray(units.adm1) == "UA80", STRIKE_HIT_PROBABILITY_KYIV, STRIKE_HIT_PROBABILITY)
    struck = strike_rng.uniform(size=(n_strikes, n_adm1)) < probability
    damaged = struck[:, units.parent] & (strike_rng.uniform(size=(n_strikes, n_units)) < UNIT_HIT_PROBABILITY)
    power_share = strike_rng.uniform(*POWER_SHARE, size=(n_strikes, n_units))
    power_days = strike_rng.uniform(*POWER_RESTORE_DAYS, size=(n_strikes, n_units))
    heat_share = strike_rng.uniform(*HEAT_LOST_SHARE, size=(n_strikes, n_units))
    heat_days = strike_rng.uniform(*HEAT_RESTORE_DAYS, size=(n_strikes, n_units))

    queues = _queue_levels(n_adm1, days, strikes, struck, queue_rng)        # (ADM1, D)
    day = np.tile(np.arange(days), n_units)
    unit = np.repeat(np.arange(n_units), days)
    scheduled = pd.DataFrame({
        "pcode": units.pcodes[unit],
        "start": _local(first_day, day),
        "end": _local(first_day, day + 1),
        "kind": "scheduled",
        "share_off": np.round(queues[units.parent[unit], day] / QUEUES, 4),
        "heat_lost_share": np.nan,
    })
    s, u = np.nonzero(damaged)
    moment = strikes[s]
    power = pd.DataFrame({
        "pcode": units.pcodes[u],
        "start": _local(first_day, moment),
        "end": _local(first_day, np.minimum(moment + power_days[s, u], days)),
        "kind": "strike",
        "share_off": np.round(power_share[s, u], 4),
        "heat_lost_share": np.nan,
    })
    heat = pd.DataFrame({
        "pcode": units.pcodes[u],
        "start": _local(first_day, moment),
        "end": _local(first_day, np.minimum(moment + heat_days[s, u], days)),
        "kind": "strike",
        "share_off": np.nan,
        "heat_lost_share": np.round(heat_share[s, u], 4),
    })
    frame = pd.concat([scheduled, power, heat], ignore_index=True)
    frame["customers_off"] = np.nan
    frame["source"] = SOURCE
    frame = frame.sort_values(["pcode", "start", "kind"], kind="stable").reset_index(drop=True)
    return frame[["pcode", "start", "end", "kind", "share_off", "customers_off", "heat_lost_share", "source"]]


# -- validation --------------------------------------------------------------------------------

def _validated(population: pd.DataFrame, temperature: pd.DataFrame,
               reports: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Each table through its pandera contract, as a reader's output would be."""
    found, valid = [], []
    for name, model, frame in (("population", schemas.Population, population),
                               ("temperature", schemas.Temperature, temperature),
                               ("outages", schemas.OutageReports, reports)):
        problems = FileProblems(f"{CASE_NAME} {name} (generated)", line_label="row")
        valid.append(validate_frame(model, frame, problems))
        found.extend(problems.items)
    if found:
        raise InvalidInputError(sorted_problems(found))
    return valid[0], valid[1], valid[2]
