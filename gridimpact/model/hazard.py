"""Outage reports → per region and quarter-hour, the supply state the model runs on.

The timeline has three components per region, each a share of customers in [0, 1]:

- ``rotating``: scheduled and emergency outages. Ukraine's non-critical consumers are split into 6
  queues of 2 subqueues (12 groups, 1.1 … 6.2); operators rotate outages through them, so a share s
  off at any moment means each group is off a fraction s of the time (``rotation``).
- ``persistent``: strike damage. The same customers stay off until the damage is repaired.
- ``heat_lost``: the share of district-heating supply lost at the plant or network.

Where a published subqueue schedule covers a region and local day, it replaces the rotation of the
*scheduled* share for that day; emergency outages still rotate on top.

Overlapping reports (documented in docs/model.md): reports of the same region and kind form one
timeline; a report holds from its start until its end, or — if it starts later — until the next
report of that region and kind starts, which replaces it. An open-ended report lasts until the next
one or the end of the period. Scheduled and emergency shares add (capped at 1); district-heat
losses form their own timeline from every report that states one. Scheduled, emergency and
persistent shares are shares of all customers and add (``combine_outages``), the same rule the data
uses to split a reported total into components.

Everything is vectorised over reports with difference arrays; there is no loop over rows or regions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridimpact.model.period import QUARTERS_PER_HOUR, Period
from gridimpact.vocab import SUBQUEUES, TIMEZONE


@dataclass(frozen=True)
class Hazard:
    """Supply state per member, region and quarter-hour (member axis of length 1 when deterministic)."""

    regions: tuple[str, ...]
    period: Period
    rotating: np.ndarray      # (M, R, Q) share off, rotating through the 12 subqueues
    persistent: np.ndarray    # (M, R, Q) share off persistently (strike damage)
    heat_lost: np.ndarray     # (M, R, Q) share of district-heat supply lost
    schedule: np.ndarray      # (R, 12, Q) off fraction per subqueue from published schedules
    schedule_days: np.ndarray  # (R, Q) True where a published schedule governs that local day
    band_edges: np.ndarray     # (R, K + 1) loss-band boundaries (``loss_band_edges``)

    @property
    def members(self) -> int:
        return self.rotating.shape[0]

    def take_regions(self, positions: np.ndarray) -> Hazard:
        """The hazard of the regions at ``positions`` (each region's arrays are its own)."""
        return Hazard(tuple(self.regions[i] for i in positions), self.period, self.rotating[:, positions],
                      self.persistent[:, positions], self.heat_lost[:, positions], self.schedule[positions],
                      self.schedule_days[positions], self.band_edges[positions])

    def window(self, q0: int, q1: int) -> HazardWindow:
        """The supply state for quarter-hours [q0, q1) of the period."""
        return HazardWindow(self.rotating[:, :, q0:q1], self.persistent[:, :, q0:q1],
                            self.heat_lost[:, :, q0:q1], self.schedule[:, :, q0:q1],
                            self.schedule_days[:, q0:q1])


@dataclass(frozen=True)
class HazardWindow:
    """A slice of the supply state in time; scenario hazards compute these on demand."""

    rotating: np.ndarray       # (M, R, Q)
    persistent: np.ndarray     # (M, R, Q)
    heat_lost: np.ndarray      # (M, R, Q)
    schedule: np.ndarray       # (R, 12, Q)
    schedule_days: np.ndarray  # (R, Q)


def _timeline(period: Period, region_index: np.ndarray, starts: pd.Series, ends: pd.Series,
              values: np.ndarray, groups: np.ndarray, n_regions: int) -> np.ndarray:
    """Quarter-hourly values per region from non-overlapping intervals (difference arrays).

    Within each group (region × kind) a report ends at its own end or at the next report's start,
    whichever is first; an open end runs to the period end.
    """
    n = period.n_quarters
    out = np.zeros((n_regions, n + 1))
    if len(values) == 0:
        return out[:, :n]
    q0 = period.quarter_index(starts)
    q1 = period.quarter_index(ends)  # NaT → inf → clipped to n
    order = np.lexsort((q0, groups))
    q0, q1, values, groups, region_index = (a[order] for a in (q0, q1, values, groups, region_index))
    next_start = np.full(len(q0), n, dtype=np.int64)
    same_group = groups[1:] == groups[:-1]
    next_start[:-1][same_group] = q0[1:][same_group]
    q1 = np.minimum(q1, next_start)
    keep = q1 > q0
    np.add.at(out, (region_index[keep], q0[keep]), values[keep])
    np.add.at(out, (region_index[keep], q1[keep]), -values[keep])
    return np.cumsum(out, axis=1)[:, :n]


def build_hazard(reports: pd.DataFrame, schedules: pd.DataFrame, regions: list[str], period: Period,
                 customers: np.ndarray, *, possible_weight: float = 0.0, bands: int = 32) -> Hazard:
    """The deterministic hazard (one member) from validated outage reports and schedules.

    ``customers`` (R,) converts ``customers_off`` counts into shares; shares are capped at 1.
    ``bands`` loss bands per region follow its persistent and district-heat loss shares.
    """
    position = {p: i for i, p in enumerate(regions)}
    n_regions = len(regions)
    reports = reports[reports["pcode"].isin(position)]
    region_index = reports["pcode"].map(position).to_numpy(dtype=np.int64)
    share = reports["share_off"].to_numpy(dtype=float, na_value=np.nan)
    from_count = reports["customers_off"].to_numpy(dtype=float, na_value=np.nan) / customers[region_index]
    share = np.clip(np.where(np.isnan(share), from_count, share), 0.0, 1.0)
    kind = reports["kind"].to_numpy()

    def component(kinds: tuple[str, ...], values: np.ndarray) -> np.ndarray:
        mask = np.isin(kind, kinds) & ~np.isnan(values)
        kind_code = np.searchsorted(np.array(sorted(kinds)), kind[mask])
        groups = region_index[mask] * 4 + kind_code
        return _timeline(period, region_index[mask], reports["start"][mask], reports["end"][mask],
                         values[mask], groups, n_regions)

    scheduled = component(("scheduled",), share)
    emergency = component(("emergency",), share)
    persistent = component(("strike",), share)
    heat = reports["heat_lost_share"].to_numpy(dtype=float, na_value=np.nan)
    heat_mask = ~np.isnan(heat)
    heat_lost = _timeline(period, region_index[heat_mask], reports["start"][heat_mask],
                          reports["end"][heat_mask], heat[heat_mask], region_index[heat_mask], n_regions)

    schedule, schedule_days = _schedule_arrays(schedules, position, period, possible_weight)
    rotating = np.where(schedule_days, 0.0, scheduled) + emergency
    persistent = np.clip(persistent, 0.0, 1.0)
    heat_lost = np.clip(heat_lost, 0.0, 1.0)
    return Hazard(
        regions=tuple(regions),
        period=period,
        rotating=np.clip(rotating, 0.0, 1.0)[None],
        persistent=persistent[None],
        heat_lost=heat_lost[None],
        schedule=schedule,
        schedule_days=schedule_days,
        band_edges=loss_band_edges(persistent, heat_lost, bands),
    )


def _schedule_arrays(schedules: pd.DataFrame, position: dict[str, int], period: Period,
                     possible_weight: float) -> tuple[np.ndarray, np.ndarray]:
    n_regions = len(position)
    n = period.n_quarters
    off = np.zeros((n_regions * len(SUBQUEUES), n + 1))
    days = np.zeros((n_regions, len(period.days) + 1), dtype=bool)
    schedules = schedules[schedules["pcode"].isin(position)]
    if len(schedules):
        region_index = schedules["pcode"].map(position).to_numpy(dtype=np.int64)
        group = schedules["subqueue"].map({s: i for i, s in enumerate(SUBQUEUES)}).to_numpy(dtype=np.int64)
        weight = np.where(schedules["certainty"].to_numpy() == "definite", 1.0, possible_weight)
        q0 = period.quarter_index(schedules["start"])
        q1 = period.quarter_index(schedules["end"])
        row = region_index * len(SUBQUEUES) + group
        np.add.at(off, (row, q0), weight)
        np.add.at(off, (row, q1), -weight)
        local_day = schedules["start"].dt.tz_convert(TIMEZONE).dt.tz_localize(None).dt.normalize()
        day_index = ((local_day - period.first_day) // pd.Timedelta(days=1)).to_numpy()
        inside = (day_index >= 0) & (day_index < len(period.days))
        days[region_index[inside], day_index[inside]] = True
    off = np.clip(np.cumsum(off, axis=1)[:, :n], 0.0, 1.0).reshape(n_regions, len(SUBQUEUES), n)
    hour_day = period.day_of_hour()
    quarter_day = np.repeat(hour_day, QUARTERS_PER_HOUR)
    return off, days[:, quarter_day]


def rotation_off(rotating: np.ndarray, block_hours: float,
                 phase0: np.ndarray | float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Off indicator per subqueue for a rotating share, at quarter-hour resolution.

    With a share s off (s × 6 queues), each of the 12 groups is off for ``block_hours`` and on for
    ``block_hours × (1 − s) / s``: the cycle lasts block/s hours and a group is off for the share s of
    it. Groups are evenly staggered through the cycle. The phase advances at s/block cycles per hour,
    so it pauses when nobody is off and a change of level does not restart the rotation.

    ``rotating``: (..., Q) shares; ``phase0``: (...) phase (cycles) at the start. Returns the
    (..., 12, Q) off indicator (1 = off) and the phase after the last quarter, to continue from.
    """
    advance = rotating * (1.0 / QUARTERS_PER_HOUR / block_hours)
    cumulative = np.asarray(phase0)[..., None] + np.cumsum(advance, axis=-1)
    middle = cumulative - advance / 2  # evaluate each quarter at its midpoint
    offsets = np.arange(len(SUBQUEUES)) / len(SUBQUEUES)
    position = np.mod(middle[..., None, :] + offsets[:, None], 1.0)
    off = (position < rotating[..., None, :]).astype(np.float32)
    return off, np.mod(cumulative[..., -1], 1.0)


def loss_band_edges(persistent: np.ndarray, heat_lost: np.ndarray, bands: int) -> np.ndarray:
    """Boundaries of ``bands`` loss bands per region that follow the region's own loss shares.

    ``persistent`` and ``heat_lost``: (R, Q) shares of the observed hazard. Every distinct share the
    region takes becomes a band boundary, so an observed loss puts whole bands out and none partly:
    a 0.16 % heat loss is one band of 0.16 % of the people. With more distinct shares than
    ``bands − 1`` boundaries, the boundary whose removal leaves the narrowest band goes first
    (``band_resolution_error`` bounds what that costs); with fewer, the widest band is halved until
    there are ``bands`` bands, so scenario losses that fall between observed shares are resolved too.
    Returns (R, bands + 1) boundaries from 0 to 1, increasing; each region's boundaries depend only
    on its own shares. Vectorised over regions: the loops run over boundaries, not regions.
    """
    values = np.concatenate([persistent, heat_lost], axis=-1)
    values = np.where((values > _SAME_SHARE) & (values < 1.0 - _SAME_SHARE), values, 1.0)
    values = np.sort(values, axis=-1)
    repeated = np.diff(values, axis=-1, prepend=0.0) <= _SAME_SHARE
    values = np.sort(np.where(repeated, 1.0, values), axis=-1)
    width = max(int((values < 1.0).sum(axis=-1).max(initial=0)), bands - 1)
    inner = np.full((values.shape[0], width), 1.0)
    inner[:, :min(width, values.shape[1])] = values[:, :width]
    edges = np.concatenate([np.zeros((len(inner), 1)), inner, np.ones((len(inner), 1))], axis=1)
    rows = np.arange(len(edges))
    while True:  # drop boundaries while a region has too many (one per region and pass)
        count = (edges[:, 1:-1] < 1.0).sum(axis=1)
        excess = count > bands - 1
        if not excess.any():
            break
        merged = edges[:, 2:] - edges[:, :-2]                      # band left by removing boundary i
        merged = np.where(edges[:, 1:-1] < 1.0, merged, np.inf)
        drop = np.argmin(merged, axis=1) + 1
        edges[rows[excess], drop[excess]] = 1.0
        edges = np.sort(edges, axis=1)
    edges = edges[:, :bands + 1].copy()
    edges[:, -1] = 1.0
    for _ in range(bands):  # halve the widest band while a region has spare boundaries
        spare = edges[:, -2] >= 1.0
        if not spare.any():
            break
        widths = np.diff(edges, axis=1)
        widest = np.argmax(widths, axis=1)
        middle = (edges[rows, widest] + edges[rows, widest + 1]) / 2
        edges[rows[spare], -2] = middle[spare]
        edges = np.sort(edges, axis=1)
    return edges


_SAME_SHARE = 1e-6
"""Shares closer than this (a millionth of a region) are one boundary: sums of reported shares
carry rounding noise."""


def band_off(share: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Off fraction of each loss band for a loss ``share``: bands fill from the lowest boundary up.

    ``share``: (M, R, Q); ``edges``: (R, K + 1) from ``loss_band_edges``. A band is fully off when the
    share reaches its upper boundary, and partly off only when the share lies inside it (never for
    an observed share). Returns (M, R, K, Q).
    """
    low = edges[:, :-1, None]
    width = (edges[:, 1:] - edges[:, :-1])[:, :, None]
    inside = np.divide(share[..., None, :] - low, width, out=np.zeros(np.broadcast_shapes(
        share[..., None, :].shape, low.shape)), where=width > 0)
    return np.clip(inside, 0.0, 1.0)


def band_resolution_error(shares: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Largest share of each region's people in a partly lost band: (M, R, Q) shares → (R,).

    People in a partly lost band are modelled with part of their supply, so at most this share of
    the region can have a mis-modelled indoor temperature; 0 when every share is a boundary.
    """
    off = band_off(shares, edges)
    partial = (off > 1e-6) & (off < 1.0 - 1e-6)
    width = np.diff(edges, axis=1)[None, :, :, None]
    return np.where(partial, width, 0.0).max(axis=(0, 2, 3))


def combine_outages(rotating: np.ndarray, persistent: np.ndarray, schedule: np.ndarray,
                    schedule_days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The one rule for combining outages: shares of all customers add, capped at 1.

    share off = min(1, p + s̄ + r): persistent p, published schedule s̄ (mean over the 12 groups on
    days a schedule governs) and rotating r, which holds scheduled (queues) and emergency outages
    that ``build_hazard`` adds. The data rule is the same sum read backwards: a reported total during
    a strike is stored as the scheduled share in force plus a strike row holding the rest
    (data/SOURCES.md).

    Persistent outages hold whole loss bands; the schedule and the rotation fall on the q = (T − p) /
    (1 − p) of the customers still on that the total T needs: a group's published off fraction
    becomes min(1, s_g / (1 − p)) (π_g, mean π̄) and the rotation covers the rest, ρ = (q − π̄) /
    (1 − π̄), so that 1 − (1 − ρ)(1 − π̄) = q. ``rotating`` and ``persistent`` are (M, R, Q),
    ``schedule`` (R, 12, Q), ``schedule_days`` (R, Q). Returns ρ (M, R, Q) and π (M, R, 12, Q).
    """
    still_on = 1.0 - persistent
    published = np.where(schedule_days[:, None, :], schedule, 0.0)[None]        # (1, R, 12, Q)
    total = total_off(rotating, persistent, published.mean(axis=2))
    wanted = np.divide(total - persistent, still_on, out=np.ones_like(still_on), where=still_on > 0)
    scale = np.divide(1.0, still_on, out=np.zeros_like(still_on), where=still_on > 0)
    published = np.clip(published * scale[:, :, None, :], 0.0, 1.0)
    left = 1.0 - published.mean(axis=2)                                          # (M, R, Q)
    rotate = np.divide(wanted - (1.0 - left), left, out=np.zeros_like(left), where=left > 0)
    return np.clip(rotate, 0.0, 1.0), published


def total_off(rotating: np.ndarray, persistent: np.ndarray, schedule_mean: np.ndarray | float = 0.0) -> np.ndarray:
    """The share of customers off that ``combine_outages`` reproduces: min(1, r + s̄ + p)."""
    return np.minimum(1.0, np.asarray(rotating) + np.asarray(schedule_mean) + np.asarray(persistent))


def hourly_mean(quarterly: np.ndarray) -> np.ndarray:
    """Average consecutive quarter-hours into hours along the last axis."""
    shape = quarterly.shape[:-1] + (quarterly.shape[-1] // QUARTERS_PER_HOUR, QUARTERS_PER_HOUR)
    return quarterly.reshape(shape).mean(axis=-1)
