"""What a report needs to know about a comparison beyond its tables: scenarios, pauses, the as-of date."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridimpact.errors import GridimpactError
from gridimpact.io.readers.scenarios import load_scenario
from gridimpact.io.writers.excel import source_date_epoch
from gridimpact.model.comparison import ALL, ALL_NAME
from gridimpact.report.numbers import missing
from gridimpact.vocab import TIMEZONE

HEADLINE_METRIC = "people_below_12c"
HEADLINE_UNIT = "person-days below 12 °C indoors"
"""The number the answer and the map lead with: exposure to dangerous indoor cold, summed over days."""


@dataclass(frozen=True)
class PauseWindow:
    scenario: str
    start: pd.Timestamp
    end: pd.Timestamp
    regions: tuple[str, ...]
    holds_probability: float
    suppressed: str

    def covers(self, code: str) -> bool:
        return code == ALL or "*" in self.regions or code in self.regions or code[:4] in self.regions


class Rows:
    """Comparison rows by (scenario, region, metric), and region names by p-code."""

    def __init__(self, table: pd.DataFrame | None):
        empty = table is None or table.empty
        self.table = table
        self.index = {} if empty else {
            (row["scenario"], row["adm1_pcode"], row["metric"]): row for row in table.to_dict(orient="records")}
        self.names = {} if empty else dict(zip(table["adm1_pcode"], table["adm1_name"], strict=True))

    def get(self, scenario: str, code: str, metric: str) -> dict:
        return self.index.get((scenario, code, metric), {})

    def name(self, code: str) -> str:
        return ALL_NAME if code == ALL else self.names.get(code, code)


def _more_members(result) -> dict[int, list[str]]:
    """Members → the regions given that many, more than ``result.members`` (``model.refinement``)."""
    more: dict[int, list[str]] = {}
    for code, n in sorted((getattr(result, "region_members", None) or {}).items()):
        if n > result.members:
            more.setdefault(n, []).append(code)
    return dict(sorted(more.items(), reverse=True))


def refined(result) -> bool:
    """Whether some regions were given more members than the rest."""
    return bool(_more_members(result))


def ensemble_size(result, limit: int = 4) -> str:
    """"128 members, 256 for Donetska and Odeska": the base members and the regions given more for
    a steady headline (``model.refinement``), the most first (at most ``limit`` regions named)."""
    more = _more_members(result)
    if not more:
        return f"{result.members} members"
    rows = Rows(result.comparison)
    parts, named = [], 0
    for n, codes in more.items():
        shown = [rows.name(code) for code in codes[:max(0, limit - named)]]
        named += len(shown)
        if shown:
            rest = len(codes) - len(shown)
            names = " and ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)
            parts.append(f"{n} for {names}" + (f" and {rest} more" if rest else ""))
        else:
            parts.append(f"{n} for {len(codes)} more region{'s' if len(codes) > 1 else ''}")
    return f"{result.members} members, " + ", ".join(parts)


def compared(result) -> list[str]:
    """The scenarios set against the baseline."""
    return [s for s in result.scenarios if s != result.baseline]


def window_days(result) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(result.days[result.window])


def as_of(result) -> pd.Timestamp | None:
    """The as-of date of the run (where the scenarios take over), else the first compared day."""
    text = (result.provenance or {}).get("as_of")
    if text:
        return pd.Timestamp(text)
    days = window_days(result)
    return pd.Timestamp(days[0]) if len(days) else None


def scenario_record(result, name: str) -> dict:
    for entry in (result.provenance or {}).get("scenarios", []) or []:
        if entry.get("name") == name:
            return entry
    return {}


def holding_probabilities(result, name: str) -> list[float]:
    """The probability that each pause of a scenario holds for its whole window, as used in this run
    (a compliance override wins)."""
    return list(scenario_record(result, name).get("pause_holds_probability") or [])


def load_named_scenario(result, name: str):
    """The scenario of the run by its name, or None when it is not known.

    A result that records the Scenario objects it ran (``scenario_definitions``) is the only source:
    no file is read again, so the report does not depend on files changed since the run. A result
    without that record falls back to the scenario's file, by the name or path the run recorded.
    """
    if hasattr(result, "scenario_definitions"):
        return next((s for s in result.scenario_definitions or () if s.name == name), None)
    source = scenario_record(result, name).get("source") or name
    try:
        scenario = load_scenario(source)
    except (GridimpactError, OSError):
        return None
    return scenario if scenario.name == name else None


def pause_windows(result) -> list[PauseWindow]:
    """Every pause of every compared scenario, in local (Europe/Kyiv) time, with the probability used."""
    windows = []
    for name in compared(result):
        scenario = load_named_scenario(result, name)
        if scenario is None:
            continue
        used = holding_probabilities(result, name)
        for position, pause in enumerate(scenario.pauses):
            holds = used[position] if position < len(used) else pause.holds_probability
            windows.append(PauseWindow(name, pd.Timestamp(pause.start).tz_convert(TIMEZONE),
                                       pd.Timestamp(pause.end).tz_convert(TIMEZONE), tuple(pause.regions),
                                       float(holds), pause.suppressed))
    return windows


def pause_held(result, scenario: str, rows: Rows) -> tuple[int, float] | None:
    """(members in which every pause held, share) or None for a scenario without pauses."""
    held = (result.pause_held or {}).get(scenario)
    if held is not None:
        held = np.asarray(held, dtype=bool)
        return int(held.sum()), float(held.mean()) if held.size else float("nan")
    share = rows.get(scenario, ALL, HEADLINE_METRIC).get("pause_held_share")
    if missing(share):
        return None
    return round(share * result.members), float(share)


def generated_stamp(result) -> tuple[str, str]:
    """(date, what it is): ``SOURCE_DATE_EPOCH`` as a UTC date when set, else the as-of date."""
    stamp = source_date_epoch()
    if stamp is not None:
        return stamp.date().isoformat(), "SOURCE_DATE_EPOCH"
    as_of = (result.provenance or {}).get("as_of")
    if as_of:
        return str(as_of), "the as-of date"
    days = result.days[result.window]
    return (days[0].date().isoformat() if len(days) else ""), "the first compared day"



def map_values(result, scenario: str, rows: Rows) -> dict[str, float]:
    """The expected change of the headline metric per region: what the map shows."""
    return {code: rows.get(scenario, code, HEADLINE_METRIC).get("difference") for code in result.regions}
