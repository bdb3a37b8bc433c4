"""The tables gridimpact publishes into a database, and the rows of one run.

Five objects, the same in SQLite and PostgreSQL (docs/outputs.md describes every column):

- ``runs``: one row per run, keyed by ``run_id``, the SHA-256 of the run's inputs and settings;
- ``regions``: the p-codes the other tables use, with level, parent and English/Ukrainian names;
- ``impacts``: one row per run, scenario, p-code and local date; one typed column per metric (and
  its ``_p10``/``_p90`` siblings), built from the metric catalogue so that every run fits;
- ``comparison``: one row per run, scenario, p-code (or ``ALL``) and compared metric;
- ``impacts_long``: a view with one row per value (metric, statistic, value, unit) for dashboards.

Nothing here connects to a database; ``io.database`` runs these statements.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import pandas as pd

from gridimpact.model.comparison import ALL, ALL_NAME
from gridimpact.model.metrics import METRICS
from gridimpact.regions import admin_level_of, default_registry

TEXT, DATE, BIGINT, DOUBLE, JSON = "text", "date", "bigint", "double", "json"

SQL_TYPES = {
    "sqlite": {TEXT: "TEXT", DATE: "DATE", BIGINT: "BIGINT", DOUBLE: "DOUBLE PRECISION", JSON: "TEXT"},
    "postgresql": {TEXT: "TEXT", DATE: "DATE", BIGINT: "BIGINT", DOUBLE: "DOUBLE PRECISION", JSON: "JSONB"},
}
"""Portable column kinds → SQL type per dialect. SQLite stores a DATE as ISO text (its NUMERIC
affinity leaves ``2026-01-30`` alone), BIGINT as INTEGER and DOUBLE PRECISION as REAL."""

ESTIMATE_SCENARIO = "estimate"
"""The ``scenario`` of the rows of an estimate, which has no scenarios."""
ALL_REGIONS = ALL
ALL_REGIONS_NAMES = (ALL_NAME, "Усі регіони")

STATISTICS = (("", "median"), ("_p10", "p10"), ("_p90", "p90"))
"""Column suffix → statistic in ``impacts_long``; an estimate's values are labelled ``value``."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]
    """(column, kind) in order; key columns first."""
    key: tuple[str, ...]
    references: tuple[tuple[str, str], ...] = ()
    """(column, table(column)) foreign keys."""
    not_null: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.columns)

    def ddl(self, dialect: str) -> str:
        types = SQL_TYPES[dialect]
        lines = [f"{name} {types[kind]}{' NOT NULL' if name in self.key or name in self.not_null else ''}"
                 for name, kind in self.columns]
        lines.append(f"PRIMARY KEY ({', '.join(self.key)})")
        lines += [f"FOREIGN KEY ({column}) REFERENCES {target}" for column, target in self.references]
        body = ",\n  ".join(lines)
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n  {body}\n)"


def _metric_columns() -> tuple[tuple[str, str], ...]:
    columns = []
    for metric in METRICS:
        kind = TEXT if metric.unit == "category" else (BIGINT if metric.integer else DOUBLE)
        columns += [(metric.name + suffix, kind) for suffix, _ in STATISTICS]
    return tuple(columns)


COMPARISON_VALUES = ("baseline_value", "baseline_value_se", "scenario_value", "difference", "difference_se", "relative_change",
                     "difference_p10", "difference_p90", "difference_mean", "pause_held_share", "pause_days_held_mean",
                     "difference_if_held", "difference_if_held_se", "difference_if_breached")

RUNS = Table("runs", (
    ("run_id", TEXT), ("job", TEXT), ("version", TEXT), ("parameters_version", TEXT), ("as_of", DATE),
    ("days", BIGINT), ("period_start", DATE), ("period_end", DATE), ("members", BIGINT), ("seed", BIGINT),
    ("baseline", TEXT), ("scenarios", TEXT), ("inputs_name", TEXT), ("content_sha256", TEXT), ("config", JSON),
    ("datapackage", JSON),
), key=("run_id",), not_null=("job", "version", "content_sha256", "config", "datapackage"))
REGIONS = Table("regions", (
    ("pcode", TEXT), ("level", BIGINT), ("parent", TEXT), ("name_en", TEXT), ("name_uk", TEXT),
), key=("pcode",), not_null=("level", "name_en", "name_uk"))
IMPACTS = Table("impacts", (
    ("run_id", TEXT), ("scenario", TEXT), ("pcode", TEXT), ("date", DATE), ("adm1_pcode", TEXT),
    ("population_basis", TEXT), *_metric_columns(),
), key=("run_id", "scenario", "pcode", "date"), references=(("run_id", "runs (run_id)"), ("pcode", "regions (pcode)")))
COMPARISON = Table("comparison", (
    ("run_id", TEXT), ("scenario", TEXT), ("pcode", TEXT), ("metric", TEXT), ("adm1_pcode", TEXT),
    ("baseline", TEXT), ("unit", TEXT), *((name, DOUBLE) for name in COMPARISON_VALUES),
), key=("run_id", "scenario", "pcode", "metric"),
    references=(("run_id", "runs (run_id)"), ("pcode", "regions (pcode)")))
SCHEMA = Table("gridimpact_schema", (("object", TEXT), ("definition_sha256", TEXT)), key=("object",))
"""Which definition of each view is installed, so that a view is rebuilt only when it changes."""

TABLES = (SCHEMA, RUNS, REGIONS, IMPACTS, COMPARISON)
VIEW = "impacts_long"


def view_sql() -> str:
    """``impacts_long``: one row per non-empty metric value of ``impacts``, with its unit."""
    selects = []
    for metric in METRICS:
        if metric.unit == "category":
            continue  # risk levels are words, not values; they stay in impacts
        for suffix, statistic in STATISTICS:
            column = metric.name + suffix
            label = (f"CASE WHEN r.job = '{ESTIMATE_SCENARIO}' THEN CAST('value' AS TEXT) "
                     f"ELSE CAST('median' AS TEXT) END") if not suffix else f"CAST('{statistic}' AS TEXT)"
            selects.append(
                f"SELECT i.run_id, i.scenario, i.pcode, i.date, CAST('{metric.name}' AS TEXT) AS metric, "
                f"{label} AS statistic, CAST(i.{column} AS DOUBLE PRECISION) AS value, "
                f"CAST('{metric.unit}' AS TEXT) AS unit FROM impacts i JOIN runs r ON r.run_id = i.run_id "
                f"WHERE i.{column} IS NOT NULL")
    return f"CREATE VIEW {VIEW} AS\n" + "\nUNION ALL\n".join(selects)


def view_definition_sha256() -> str:
    return hashlib.sha256(view_sql().encode("utf-8")).hexdigest()


# --- the rows of one run ---------------------------------------------------------------------------

def canonical_json(value) -> str:
    """JSON with sorted keys and no spaces: the same value always gives the same text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def run_settings(package: dict) -> dict:
    """What identifies a run: the job, gridimpact's version, the run record, the parameters and the
    content (SHA-256) of every input file read. Paths, the regeneration config file itself (whose
    output keys do not change the numbers) and the versions of other libraries are left out."""
    inputs = sorted((entry["role"], entry["sha256"]) for entry in package.get("gridimpact:inputs", [])
                    if entry.get("role") != "config")
    return {
        "job": package.get("gridimpact:job"),
        "version": package.get("gridimpact:versions", {}).get("gridimpact"),
        "run": package.get("gridimpact:run", {}),
        "parameters": package.get("gridimpact:parameters", {}),
        "inputs": [list(pair) for pair in inputs],
    }


def run_id_of(settings: dict) -> str:
    return hashlib.sha256(canonical_json(settings).encode("utf-8")).hexdigest()


def _cell(value):
    """A Python value a database driver accepts: NaN and NA become NULL, numpy scalars plain."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _unit_pcodes(frame: pd.DataFrame) -> pd.Series:
    """The p-code of each row's own unit: ``pcode`` where finer units are present, else ADM1."""
    if "pcode" in frame.columns:
        finer = frame["pcode"].astype(object).where(frame["pcode"].notna() & (frame["pcode"] != ""))
        return finer.fillna(frame["adm1_pcode"])
    return frame["adm1_pcode"]


def impact_rows(run_id: str, frame: pd.DataFrame, scenario: str | None = None) -> list[tuple]:
    """Rows of ``impacts`` from an impacts or daily table (columns it lacks are NULL)."""
    data = pd.DataFrame({"pcode": _unit_pcodes(frame), "adm1_pcode": frame["adm1_pcode"]})
    data["scenario"] = frame["scenario"] if scenario is None else scenario
    data["date"] = [str(day) for day in frame["date"]]
    data["run_id"] = run_id
    for name in IMPACTS.names:
        if name not in data.columns:
            data[name] = frame[name] if name in frame.columns else None
    return [tuple(_cell(v) for v in row) for row in data[list(IMPACTS.names)].itertuples(index=False, name=None)]


def comparison_rows(run_id: str, frame: pd.DataFrame) -> list[tuple]:
    data = pd.DataFrame({"pcode": _unit_pcodes(frame)})
    data["run_id"] = run_id
    for name in COMPARISON.names:
        if name not in data.columns:
            data[name] = frame[name]
    return [tuple(_cell(v) for v in row) for row in data[list(COMPARISON.names)].itertuples(index=False, name=None)]


def region_rows(pcodes) -> list[tuple]:
    """Every ADM1 unit of the registry, ``ALL``, and the finer units a run uses."""

    registry = default_registry()
    rows = {region.pcode: (region.pcode, region.admin_level, region.parent_pcode or None, region.name_en,
                           region.name_uk) for region in registry}
    rows[ALL_REGIONS] = (ALL_REGIONS, 0, None, *ALL_REGIONS_NAMES)
    for pcode in pcodes:
        if pcode not in rows:
            level = admin_level_of(pcode) or 0
            region = registry.resolve(pcode) if level > 1 else None
            parent = region.parent_pcode if region is not None else None
            name_en = region.name_en if region is not None else pcode
            name_uk = region.name_uk if region is not None else pcode
            rows[pcode] = (pcode, level, parent, name_en, name_uk)
    return [rows[key] for key in sorted(rows)]


def run_row(run_id: str, settings: dict, package: dict, content_sha256: str) -> tuple:
    run = settings["run"]
    period = run.get("period") or {}
    scenarios = [entry.get("name") for entry in run.get("scenarios") or []]
    values = {
        "run_id": run_id, "job": settings["job"], "version": settings["version"],
        "parameters_version": settings["parameters"].get("version"), "as_of": run.get("as_of"),
        "days": run.get("days"), "period_start": period.get("start"), "period_end": period.get("end"),
        "members": run.get("members"), "seed": run.get("seed"), "baseline": run.get("baseline"),
        "scenarios": ",".join(scenarios) if scenarios else None, "inputs_name": run.get("inputs_name"),
        "content_sha256": content_sha256, "config": canonical_json(settings), "datapackage": canonical_json(package),
    }
    return tuple(_cell(values[name]) for name in RUNS.names)


def content_sha256(*row_sets: list[tuple]) -> str:
    """SHA-256 of the rows of a run: two publications with the same rows are the same run."""
    digest = hashlib.sha256()
    for rows in row_sets:
        for row in rows:
            digest.update(canonical_json(list(row)).encode("utf-8"))
            digest.update(b"\n")
        digest.update(b"\x1e")
    return digest.hexdigest()
