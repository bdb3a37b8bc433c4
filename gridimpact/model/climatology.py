"""Climatological temperature paths beyond the last known temperature, with cold spells kept.

When a scenario runs past the last temperature in the inputs, each ensemble member needs an outdoor
temperature path. This module draws one per region from a documented winter climatology
(``data/climatology.csv``, see ``docs/model.md``):

- daily normals ``Tmin_n(d)``, ``Tmax_n(d)`` (°C), linear in time between mid-month values;
- a daily-mean anomaly ``a(d)`` (K) that follows a first-order autoregression, so warm and cold
  spells persist from day to day instead of flickering::

      a(d) = phi(d) * a(d-1) + sd(d) * sqrt(1 - phi(d)**2) * e(d)

  with ``e(d)`` standard normal. For constant ``phi`` and ``sd`` the stationary variance is
  ``sd**2`` and the correlation between days ``k`` apart is ``phi**k``;
- innovations correlated between regions, ``corr(e_i, e_j) = exp(-distance_ij / L)``, because a
  cold air mass reaches Kyiv, Kharkiv and Odesa within the same days;
- daily extremes ``Tmin = Tmin_n + a`` and ``Tmax = Tmax_n + a`` turned into hours by
  ``gridimpact.model.diurnal.hourly_from_daily_extremes`` in Europe/Kyiv local time.

Everything is vectorised over regions; only the autoregression loops over days. Ensemble members
call ``fill_beyond_observed`` once each with their own ``numpy.random.Generator`` (spawned from
the run's ``SeedSequence``), so a member's path does not depend on how many others there are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridimpact.errors import ArgumentError, ParameterError
from gridimpact.model.diurnal import HOURS_PER_DAY, hourly_from_daily_extremes
from gridimpact.regions import default_registry
from gridimpact.vocab import CLIMATOLOGY_NUMBERS, FALLBACK_REGION, TIMEZONE

"""The row used for any region the file does not list (a national estimate; see the file)."""

DECORRELATION_LENGTH_KM = 1200.0
"""e-folding distance (km) of the correlation between regions' daily innovations.

Estimate: Hansen and Lebedeff (1987, J. Geophys. Res. 92(D11):13345-13372) found that temperature
anomalies at mid-latitude stations correlate above 0.5 out to about 1200 km; Caesar, Alexander and
Vose (2006, J. Geophys. Res. 111, D05101) found longer correlation distances in winter than in
summer for daily extremes. Daily anomalies decorrelate faster than the monthly and annual ones of
the first study, so 1200 km (correlation 0.69 between Kyiv and Odesa, 440 km apart) is used as a
round middle value, not a fitted one.
"""

BLEND_HOURS = 12
"""Hours over which the first drawn values are pulled towards the last observed one (see
``fill_beyond_observed``). Half a day: long enough to hide the join, short enough not to bias the day."""

EARTH_RADIUS_KM = 6371.0
MONTHS = 12



class ClimatologyCoverageError(ParameterError, ValueError):
    """A date falls in a calendar month the climatology does not give for a region (exit 65)."""


@dataclass(frozen=True, eq=False)
class Climatology:
    """Per region and calendar month: daily normals (°C) and AR(1) anomaly parameters.

    Arrays have shape ``(regions, 12)``, column ``m - 1`` for month ``m``; a month the file does
    not give is NaN. ``regions`` always contains ``FALLBACK_REGION``.
    """

    regions: tuple[str, ...]
    tmin_c: np.ndarray
    tmax_c: np.ndarray
    anomaly_sd_k: np.ndarray
    lag1: np.ndarray
    file: str = "climatology.csv"

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, file: str = "climatology.csv") -> Climatology:
        """From a validated table with one row per region and month (the columns of
        ``schemas.ClimatologyTable``); ``gridimpact.io.readers.climatology`` reads the file."""
        regions = tuple(dict.fromkeys(frame["region"]))
        row = {code: i for i, code in enumerate(regions)}
        shape = (len(regions), MONTHS)
        arrays = {column: np.full(shape, np.nan) for column in CLIMATOLOGY_NUMBERS}
        rows = frame["region"].map(row).to_numpy()
        cols = frame["month"].to_numpy(dtype=int) - 1
        for column in CLIMATOLOGY_NUMBERS:
            arrays[column][rows, cols] = frame[column].to_numpy(dtype=float)
        return cls(regions, arrays["tmin_normal_c"], arrays["tmax_normal_c"],
                   arrays["anomaly_sd_k"], arrays["lag1_autocorrelation"], file)

    def rows_for(self, pcodes) -> np.ndarray:
        """Row of each p-code: its own, else its ADM1 unit's (first four characters), else ``UA``."""
        index = {code: i for i, code in enumerate(self.regions)}
        fallback = index[FALLBACK_REGION]
        return np.array([index.get(p, index.get(str(p)[:4], fallback)) for p in pcodes], dtype=int)

    def daily_normals(self, pcodes, dates) -> tuple[np.ndarray, np.ndarray]:
        """Normal daily minimum and maximum (°C), arrays ``(R, D)``, for local calendar ``dates``.

        Monthly values sit at the middle of their month (day 16 at noon in a 31-day month) and each
        date, taken at noon, interpolates linearly between the two nearest; in the half-month next
        to a month the file lacks, the month's own value holds. A date in a month the file lacks for
        a region raises ``ClimatologyCoverageError`` (a ``ValueError``).
        """
        rows = self.rows_for(pcodes)
        own, neighbour, weight = _month_weights(dates)
        self._require_months(rows, own, pcodes, dates)
        return (_interpolate(self.tmin_c[rows], own, neighbour, weight),
                _interpolate(self.tmax_c[rows], own, neighbour, weight))

    def ar1(self, pcodes, dates) -> tuple[np.ndarray, np.ndarray]:
        """Anomaly standard deviation (K) and lag-1 autocorrelation, arrays ``(R, D)``, interpolated
        like the normals."""
        rows = self.rows_for(pcodes)
        own, neighbour, weight = _month_weights(dates)
        self._require_months(rows, own, pcodes, dates)
        return (_interpolate(self.anomaly_sd_k[rows], own, neighbour, weight),
                _interpolate(self.lag1[rows], own, neighbour, weight))

    def require_forecast(self, pcodes, data_last_day: pd.Timestamp, last_day: pd.Timestamp,
                         as_of_day: pd.Timestamp, days: int) -> None:
        """Raise a usage error (``ArgumentError``, exit 2) when the days after the inputs' last day
        up to ``last_day`` fall in a month the climatology lacks: the as-of date and horizon ask for
        a forecast the normals cannot make."""
        dates = pd.date_range(data_last_day + pd.Timedelta(days=1), last_day, freq="D")
        try:
            self._require_months(self.rows_for(pcodes), _month_weights(dates)[0], pcodes, dates)
        except ClimatologyCoverageError as error:
            raise ArgumentError(
                f"as-of date {as_of_day.date()} with {days} days runs the model to "
                f"{last_day.date()}, but the inputs end on {data_last_day.date()} "
                f"and the days after are forecast from normals: {error}. Choose an as-of date in the "
                f"inputs' winter or give temperatures that reach it") from None

    def _require_months(self, rows, months, pcodes, dates) -> None:
        missing = np.isnan(self.tmin_c[rows][:, months])
        if missing.any():
            r, d = np.argwhere(missing)[0]
            covered = [m + 1 for m in range(MONTHS) if not np.isnan(self.tmin_c[rows[r], m])]
            day = pd.DatetimeIndex(dates)[d].date()
            raise ClimatologyCoverageError(
                f"the climatology in {self.file} has no month {months[d] + 1} for region "
                f"{list(pcodes)[r]} (needed for {day}); it covers months {covered}")


def _month_weights(dates) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each date: its own month, the neighbouring month it interpolates towards (both 0-based)
    and the weight of its own month's value."""
    days = pd.DatetimeIndex(dates)
    if days.tz is not None:
        days = days.tz_localize(None)
    days = days.normalize()
    # Times as float days since the epoch, independent of the index's resolution.
    noon = _as_days(days) + 0.5
    start = days.to_period("M").to_timestamp()
    previous = start - pd.offsets.MonthBegin(1)
    following = start + pd.offsets.MonthBegin(1)

    def middle(month_start: pd.DatetimeIndex) -> np.ndarray:
        return _as_days(month_start) + month_start.days_in_month.to_numpy() / 2.0

    own_middle, prev_middle, next_middle = middle(start), middle(previous), middle(following)
    before = noon < own_middle
    other_middle = np.where(before, prev_middle, next_middle)
    weight_own = 1.0 - (noon - own_middle) / (other_middle - own_middle)
    own = days.month.to_numpy() - 1
    neighbour = np.where(before, (own - 1) % MONTHS, (own + 1) % MONTHS)
    return own, neighbour, weight_own


def _as_days(index: pd.DatetimeIndex) -> np.ndarray:
    return index.to_numpy().astype("datetime64[s]").astype(np.int64) / 86400.0


def _interpolate(values: np.ndarray, own: np.ndarray, neighbour: np.ndarray, weight_own: np.ndarray) -> np.ndarray:
    """Linear interpolation between each date's own month and its neighbour; a month missing from
    the table (NaN) on the neighbour side holds the own month's value."""
    here = values[:, own]
    there = values[:, neighbour]
    there = np.where(np.isnan(there), here, there)
    return here * weight_own + there * (1.0 - weight_own)


def draw_daily_anomalies(phi, sd, initial, rng: np.random.Generator, *, correlation=None) -> np.ndarray:
    """Daily-mean temperature anomalies (K), array ``(R, D)``, from a first-order autoregression.

    ``a[:, d] = phi[:, d] * a[:, d-1] + sd[:, d] * sqrt(1 - phi[:, d]**2) * e[:, d]`` with
    ``a[:, -1] = initial`` (K, shape ``(R,)``) and ``e`` standard normal; with constant parameters
    the stationary standard deviation is ``sd`` (K) and the lag-k autocorrelation ``phi**k``.
    ``correlation`` (``(R, R)``, optional) correlates the innovations between regions; without it
    they are independent. The same ``rng`` state gives the same draw.
    """
    phi = np.asarray(phi, dtype=float)
    sd = np.asarray(sd, dtype=float)
    innovations = _innovations(rng, phi.shape, correlation)
    start = np.zeros(phi.shape[0], dtype=int)
    return _recursion(phi, sd, innovations, np.asarray(initial, dtype=float), start)


def _innovations(rng: np.random.Generator, shape, correlation) -> np.ndarray:
    regions, days = shape
    normal = rng.standard_normal((days, regions))
    if correlation is not None:
        matrix = np.asarray(correlation, dtype=float)
        # A tiny ridge keeps the factorisation valid when two regions share a reference point.
        factor = np.linalg.cholesky(matrix + 1e-9 * np.eye(regions))
        normal = normal @ factor.T
    return normal.T


def _recursion(phi, sd, innovations, initial, start) -> np.ndarray:
    """The AR(1) loop over days; region r holds ``initial[r]`` before day ``start[r]``."""
    anomalies = np.empty_like(innovations)
    previous = initial.copy()
    scale = sd * np.sqrt(np.clip(1.0 - phi ** 2, 0.0, None))
    for day in range(innovations.shape[1]):
        drawn = phi[:, day] * previous + scale[:, day] * innovations[:, day]
        previous = np.where(day >= start, drawn, initial)
        anomalies[:, day] = previous
    return anomalies


def innovation_correlation(pcodes, length_km: float = DECORRELATION_LENGTH_KM) -> np.ndarray:
    """``exp(-distance / length_km)`` between the regions' reference points (``data/regions.csv``).

    A p-code below ADM1 uses its ADM1 unit's point; one with no known point (such as ``UA``) is
    uncorrelated with the others. ``length_km <= 0`` gives independent regions.
    """
    registry = default_registry()
    points = []
    for code in pcodes:
        key = code if code in registry else str(code)[:4]
        region = registry.get(key) if key in registry else None
        points.append((region.lat, region.lon) if region else (np.nan, np.nan))
    lat, lon = np.radians(np.array(points, dtype=float)).T
    if length_km <= 0:
        return np.eye(len(points))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    matrix = np.exp(-distance / length_km)
    matrix = np.where(np.isnan(matrix), 0.0, matrix)
    np.fill_diagonal(matrix, 1.0)
    return matrix


def fill_beyond_observed(climatology: Climatology, pcodes, hours_utc, observed, rng: np.random.Generator, *,
                         decorrelation_length_km: float = DECORRELATION_LENGTH_KM,
                         blend_hours: int = BLEND_HOURS, hour_of_min: float = 6.0,
                         hour_of_max: float = 15.0) -> np.ndarray:
    """Replace each region's NaN tail after its last known hour with a climatological draw (°C).

    ``observed`` is ``(R, H)`` °C on ``hours_utc`` (a tz-aware, hourly DatetimeIndex). For region
    ``r`` with last known hour ``h*``:

    1. the initial anomaly is the mean of the known hours of ``h*``'s local (Europe/Kyiv) day
       minus that day's normal daily mean ``(Tmin_n + Tmax_n) / 2``; a region with no known hour
       starts from a draw of its stationary distribution;
    2. daily anomalies follow ``draw_daily_anomalies`` from the local day of the first missing hour
       (``a = initial`` before it), with innovations correlated by ``innovation_correlation(pcodes, decorrelation_length_km)``;
    3. hourly values come from ``hourly_from_daily_extremes(Tmin_n + a, Tmax_n + a)`` in local time;
    4. the join is smoothed: with ``delta = observed[h*] - drawn[h*]``, hour ``h* + k`` receives
       ``drawn + delta * (1 + cos(pi * k / blend_hours)) / 2`` for ``k <= blend_hours``. The first
       drawn hour therefore differs from the last observed one by the drawn curve's own change over
       that hour plus at most ``delta * (1 - cos(pi / blend_hours)) / 2`` (1.7 % of ``delta`` for
       12 hours).

    Hours up to ``h*`` are returned unchanged (a NaN there stays NaN) and a region without NaN is
    unchanged. Default diurnal anchor hours are those of ``gridimpact.model.diurnal``.
    """
    observed = np.asarray(observed, dtype=float)
    hours = pd.DatetimeIndex(hours_utc)
    if hours.tz is None:
        raise ValueError("hours_utc must be time-zone aware (UTC)")
    pcodes = list(pcodes)
    if observed.shape != (len(pcodes), len(hours)):
        raise ValueError(f"observed has shape {observed.shape}, expected {(len(pcodes), len(hours))}")
    known = ~np.isnan(observed)
    any_known = known.any(axis=1)
    last_known = np.where(any_known, observed.shape[1] - 1 - np.argmax(known[:, ::-1], axis=1), -1)
    result = observed.copy()
    todo = np.flatnonzero(last_known < observed.shape[1] - 1)
    if todo.size == 0:
        return result

    local = hours.tz_convert(TIMEZONE)
    local_day = local.tz_localize(None).normalize()
    day_of_hour = ((local_day - local_day[0]) // pd.Timedelta(days=1)).to_numpy().astype(int)
    hour_of_day = local.hour.to_numpy()

    values, known, any_known, last_known = observed[todo], known[todo], any_known[todo], last_known[todo]
    codes = [pcodes[i] for i in todo]
    anchor_hour = np.maximum(last_known, 0)
    anchor_day = day_of_hour[anchor_hour]
    # Days before the earliest anchor day are never drawn, so the climatology need not cover them.
    first = int(anchor_day.min())
    needed = pd.date_range(local_day[first], local_day[-1], freq="D")
    tmin_n, tmax_n = climatology.daily_normals(codes, needed)
    sd, phi = climatology.ar1(codes, needed)

    rows = np.arange(len(codes))
    in_anchor_day = (day_of_hour[None, :] == anchor_day[:, None]) & known
    with np.errstate(invalid="ignore", divide="ignore"):
        day_mean = np.where(in_anchor_day, values, 0.0).sum(axis=1) / in_anchor_day.sum(axis=1)
    normal_mean = (tmin_n[rows, anchor_day - first] + tmax_n[rows, anchor_day - first]) / 2.0
    stationary = rng.standard_normal(len(codes)) * sd[:, 0]
    initial = np.where(any_known, day_mean - normal_mean, stationary)
    # The draw begins on the local day of the first missing hour.
    start = np.where(any_known, day_of_hour[last_known + 1] - first, 0)

    correlation = innovation_correlation(codes, decorrelation_length_km)
    anomalies = _recursion(phi, sd, _innovations(rng, phi.shape, correlation), initial, start)
    hourly = hourly_from_daily_extremes(tmin_n + anomalies, tmax_n + anomalies,
                                        hour_of_min=hour_of_min, hour_of_max=hour_of_max)
    column = (day_of_hour - first) * HOURS_PER_DAY + hour_of_day
    drawn = np.full(values.shape, np.nan)
    drawn[:, column >= 0] = hourly[:, column[column >= 0]]

    offset = np.arange(values.shape[1])[None, :] - last_known[:, None]
    delta = np.where(any_known, values[rows, anchor_hour] - drawn[rows, anchor_hour], 0.0)
    window = max(int(blend_hours), 1)
    taper = np.where((offset > 0) & (offset <= window), (1.0 + np.cos(np.pi * offset / window)) / 2.0, 0.0)
    result[todo] = np.where(offset > 0, drawn + delta[:, None] * taper, values)
    return result
