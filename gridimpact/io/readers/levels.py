"""Inputs given at different administrative levels, made to meet at the population's units.

Population often comes per raion or hromada (COD-PS ADM2/ADM3: ``UA4604``, ``UA4604003``) while
temperatures and outage reports come per oblast (``UA46``). A Ukrainian p-code nests its parents as
prefixes (``UA46`` ⊃ ``UA4604`` ⊃ ``UA4604003``), so each unit of the population table without a
series of its own takes the series of its nearest parent that has one — a note says which units did.

Outage reports carry a share (copied as it is: the same share of each unit is off) or a count of
customers (split between the units in proportion to their population in the table, so that the
units together count what the report counts). Subqueue schedules are copied. A unit's own series
always wins over its parent's.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from gridimpact.inputs import Inputs, OutageData, TemperatureData
from gridimpact.regions import admin_level_of, default_registry

_PREFIX_LENGTHS = (4, 6, 9)
"""Lengths of the ADM1, ADM2 and ADM3 p-codes (``UA`` + 2, 4 and 7 digits), the possible parents."""


def parent_codes(pcode: str) -> list[str]:
    """The p-codes of a unit's parents, nearest first (``UA4604003`` → ``UA4604``, ``UA46``)."""
    return [pcode[:length] for length in reversed(_PREFIX_LENGTHS) if length < len(pcode)]


def nearest_parent(pcode: str, available: set[str]) -> str | None:
    """The nearest parent of ``pcode`` among ``available``, or None."""
    return next((parent for parent in parent_codes(pcode) if parent in available), None)


def align_levels(inputs: Inputs) -> Inputs:
    """Give each population unit its parent's temperature and outages where it has none of its own."""
    units = [p for p in inputs.population.regions if admin_level_of(p) not in (None, 1)]
    if not units:
        return inputs
    temperature, temperature_note = _temperature_from_parents(inputs.temperature, units)
    outages, outage_note = _outages_from_parents(inputs.outages, units, inputs.population.frame)
    notes = tuple(note for note in (temperature_note, outage_note) if note)
    if not notes:
        return inputs
    return replace(inputs, temperature=temperature, outages=outages, notes=inputs.notes + notes)


def _inherited(units: list[str], own: set[str]) -> dict[str, str]:
    """unit → the parent whose series it takes, for the units without their own."""
    taken = {}
    for unit in units:
        if unit in own:
            continue
        parent = nearest_parent(unit, own)
        if parent is not None:
            taken[unit] = parent
    return taken


def _describe(taken: dict[str, str], what: str) -> str:
    registry = default_registry()
    by_parent: dict[str, list[str]] = {}
    for unit, parent in taken.items():
        by_parent.setdefault(parent, []).append(unit)
    parts = []
    for parent, children in sorted(by_parent.items()):
        shown = ", ".join(sorted(children)[:5]) + (f" and {len(children) - 5} more" if len(children) > 5 else "")
        parts.append(f"{len(children)} unit(s) of {parent} ({registry.name(parent)}): {shown}")
    return f"{what} of the parent unit used for units that have none of their own — " + "; ".join(parts)


def _temperature_from_parents(data: TemperatureData, units: list[str]) -> tuple[TemperatureData, str | None]:
    taken = _inherited(units, set(data.frame["pcode"]))
    if not taken:
        return data, None
    frame = data.frame
    copies = [frame[frame["pcode"] == parent].assign(pcode=unit) for unit, parent in taken.items()]
    combined = pd.concat([frame, *copies], ignore_index=True).sort_values(["pcode", "time"], kind="stable")
    return (replace(data, frame=combined.reset_index(drop=True)),
            _describe(taken, "temperature"))


def _outages_from_parents(data: OutageData, units: list[str],
                          population: pd.DataFrame) -> tuple[OutageData, str | None]:
    own = set(data.reports["pcode"]) | set(data.schedules["pcode"])
    taken = _inherited(units, own)
    if not taken:
        return data, None
    people = dict(zip(population["pcode"], population["population"].astype(float), strict=True))
    siblings: dict[str, float] = {}
    for unit, parent in taken.items():
        siblings[parent] = siblings.get(parent, 0.0) + people.get(unit, 0.0)
    reports, schedules = [data.reports], [data.schedules]
    for unit, parent in taken.items():
        rows = data.reports[data.reports["pcode"] == parent].assign(pcode=unit)
        weight = people.get(unit, 0.0) / siblings[parent] if siblings[parent] > 0 else 0.0
        rows["customers_off"] = rows["customers_off"] * weight
        reports.append(rows)
        schedules.append(data.schedules[data.schedules["pcode"] == parent].assign(pcode=unit))
    combined_reports = pd.concat(reports, ignore_index=True).sort_values(
        ["pcode", "start", "kind"], kind="stable").reset_index(drop=True)
    combined_schedules = pd.concat(schedules, ignore_index=True).sort_values(
        ["pcode", "start", "subqueue"], kind="stable").reset_index(drop=True)
    note = _describe(taken, "outage reports and schedules")
    if data.reports["customers_off"].notna().any():
        note += ("; counts of customers off were split between those units in proportion to their "
                 "population in the table")
    return replace(data, reports=combined_reports, schedules=combined_schedules), note
