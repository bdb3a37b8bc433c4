"""``hdx_dataset.json``: the metadata a Humanitarian Data Exchange (HDX) dataset of the outputs needs.

Written beside ``datapackage.json`` and built from it, so both describe the same files. The field
names are those of HDX's CKAN dataset schema as the HDX Python API lists them
(``src/hdx/api/hdx_base_configuration.yaml`` in github.com/OCHA-DAP/hdx-python-api: ``name``,
``private``, ``title``, ``notes``, ``dataset_source``, ``owner_org``, ``maintainer``,
``dataset_date``, ``data_update_frequency``, ``groups``, ``license_id``, ``methodology``, ``tags``),
plus the optional ``methodology_other``, ``caveats`` and ``subnational``. ``owner_org`` and
``maintainer`` belong to the publisher's HDX account and are left ``null`` to be filled in.
docs/outputs.md cites the sources of each value.

Properties prefixed ``gridimpact:`` are not HDX fields; remove them if a tool refuses unknown keys.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from gridimpact.io.readers.embedded import resources as embedded_resources
from gridimpact.regions import admin_level_of

HDX_FILE = "hdx_dataset.json"
LICENSE_ID = "cc-by"
"""HDX's identifier of Creative Commons Attribution 4.0; the embedded inputs are CC BY 4.0 or
CC BY 3.0 IGO (data/datapackage.json), whose attribution the notes carry."""
UPDATE_AS_NEEDED = "-2"
"""HDX's ``data_update_frequency`` is a number of days as text; -2 means "As needed"."""
TAGS = ("affected population", "climate-weather", "energy", "infrastructure")
COUNTRY_GROUP = "ukr"
TITLE_PREFIX = "Ukraine: modelled power, heat and indoor-cold impacts — "
NOT_UPLOADED = (".png", ".svg", ".md")
"""Figures are inside report.html already, and Markdown tables are for reading: HDX gets the data files."""
FORMATS = {".csv": "CSV", ".tsv": "TSV", ".json": "JSON", ".parquet": "Parquet", ".xlsx": "XLSX", ".md": "Markdown",
           ".nc": "NetCDF", ".html": "HTML", ".png": "PNG", ".pdf": "PDF", ".svg": "SVG"}

CAVEATS = (
    "Model estimates, not observations or counts: people without power, without heat and below indoor "
    "temperature thresholds (18, 16, 12, 9 °C) are simulated from reported outage shares, temperatures and "
    "population by a two-node thermal model of building classes. Daily values in the impacts table are "
    "ensemble medians with P10 and P90 over members; the comparison table gives expected values and the "
    "expected change (difference, to be quoted with its Monte-Carlo standard error difference_se), weighted "
    "over whether the pause fails, is breached or holds, with the P10–P90 range of the members' changes. A "
    "P10–P90 range is not a confidence interval of the truth. Backup generators, warming "
    "points and people who left their homes are not modelled, so exposure at home is an upper bound in that "
    "respect. Counts below thresholds are per local (Europe/Kyiv) day: summed over days they are person-days. "
    "The ALL rows of the comparison table cover the regions of the run, not the whole country."
)


def _slug(text: str) -> str:
    """An HDX dataset ``name``: lower-case letters, digits, ``-`` and ``_``, at most 100 characters."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")
    return re.sub(r"-{2,}", "-", slug)[:100].strip("-")


def _period(package: dict) -> tuple[date, date]:
    """First and last local day the tables cover: the compared window, or the estimate's period."""
    run = package.get("gridimpact:run", {})
    if package.get("gridimpact:job") == "compare" and run.get("as_of") and run.get("days"):
        start = date.fromisoformat(str(run["as_of"]))
        return start, start + timedelta(days=int(run["days"]) - 1)
    period = run.get("period") or {}
    return date.fromisoformat(str(period["start"])), date.fromisoformat(str(period["end"]))


def _pcode_levels(pcodes) -> list[int]:

    return sorted({admin_level_of(p) or 0 for p in pcodes} - {0}) or [1]


def _sources(package: dict) -> str:
    """Who the inputs come from: the embedded data's sources, or the names of the files given."""

    by_path = {resource["path"]: resource for resource in embedded_resources()}
    names = []
    for entry in package.get("gridimpact:inputs", []):
        if entry.get("role") not in ("outages", "temperature", "population"):
            continue
        resource = by_path.get(entry["path"]) if entry.get("embedded") else None
        if resource is None:
            names.append(f"{entry['role']}: {entry['path']} (supplied by the user)")
            continue
        titles = [source.get("title", "") for source in resource.get("sources", []) if source.get("title")]
        names.append(f"{entry['role']}: {'; '.join(titles) or resource['name']}")
    version = package.get("gridimpact:versions", {}).get("gridimpact", "")
    inputs = f" Inputs — {' | '.join(names)}." if names else ""
    return f"Modelled with gridimpact {version}.{inputs}"


def _notes(package: dict, start: date, end: date, levels: list[int]) -> str:
    run = package.get("gridimpact:run", {})
    regions = ", ".join(sorted(run.get("regions", [])))
    level_text = " and ".join(str(level) for level in levels)
    lines = [package.get("title", ""), "",
             f"Estimated people without grid power, without heating and exposed to dangerous indoor cold in "
             f"Ukraine, per region and local day (Europe/Kyiv), {start.isoformat()} to {end.isoformat()}.",
             f"Regions are keyed by OCHA COD p-codes at administrative level {level_text} ({regions})."]
    if package.get("gridimpact:job") == "compare":
        scenarios = ", ".join(entry.get("name", "") for entry in run.get("scenarios", []))
        lines.append(f"Scenarios: {scenarios}; the baseline is {run.get('baseline')}. {run.get('members')} "
                     f"ensemble members, seed {run.get('seed')}. impacts: daily values (median, P10, P90) per "
                     "scenario; comparison: the expected change of each metric over the window against the baseline "
                     "(difference, with its standard error difference_se).")
    lines.append("Column meanings and units are in datapackage.json (a Frictionless Data Package) and in "
                 "gridimpact's docs/outputs.md; CSV files may carry an HXL hashtag row under the header.")
    return "\n".join(lines)


def _resources(package: dict) -> list[dict]:
    """One HDX resource per file; the table sheets of one workbook are one file on HDX."""
    titles: dict[str, list[str]] = {}
    for resource in package.get("resources", []):
        if resource["path"].lower().endswith(NOT_UPLOADED):
            continue
        titles.setdefault(resource["path"], []).append(resource.get("title") or resource["path"])
    resources = []
    for path, described in titles.items():
        suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
        description = described[0] if len(described) == 1 else "Workbook with the sheets: " + "; ".join(described)
        resources.append({
            "name": path,
            "description": description,
            "format": FORMATS.get(suffix, suffix.lstrip(".").upper() or "File"),
            "url_type": "upload",
            "resource_type": "file.upload",
        })
    return resources


def _has_hxl(package: dict) -> bool:
    return any(resource.get("dialect", {}).get("commentRows") for resource in package.get("resources", []))


def hdx_dataset(package: dict, pcodes=None) -> dict:
    """The HDX dataset metadata (a dict) for the outputs a ``datapackage.json`` descriptor lists.

    ``pcodes`` are the units the tables hold (default: the run's regions); they give the p-code
    level, which HDX has no field for: it is in ``notes`` and in ``gridimpact:pcode_level``.
    """
    start, end = _period(package)
    run = package.get("gridimpact:run", {})
    levels = _pcode_levels(pcodes if pcodes is not None else run.get("regions", []))
    tags = [*TAGS, "hxl"] if _has_hxl(package) else list(TAGS)
    job = package.get("gridimpact:job", "compare")
    scenarios = "-".join(entry.get("name", "") for entry in run.get("scenarios", [])) if job == "compare" else ""
    name = _slug(f"ukraine-gridimpact-{job}-{scenarios}-{start.isoformat()}-{end.isoformat()}")
    members = f" over {run.get('members')} ensemble members (seed {run.get('seed')})" if job == "compare" else ""
    return {
        "name": name,
        "title": f"{TITLE_PREFIX}{package.get('title', 'outputs').removeprefix('gridimpact ')}",
        "notes": _notes(package, start, end, levels),
        "dataset_source": _sources(package),
        "methodology": "Other",
        "methodology_other": (
            "Model estimates (hazard × exposure × vulnerability): reported outage shares per region and hour "
            "become supply states; people are split into cohorts by outage queue, heating system and building "
            f"class; a two-node thermal model gives indoor temperatures hour by hour{members}. The model card "
            "(docs/model.md in gridimpact) gives every parameter with its unit, range and source."),
        "caveats": CAVEATS,
        "license_id": LICENSE_ID,
        "dataset_date": f"[{start.isoformat()}T00:00:00 TO {end.isoformat()}T23:59:59]",
        "data_update_frequency": UPDATE_AS_NEEDED,
        "groups": [{"name": COUNTRY_GROUP}],
        "tags": [{"name": tag} for tag in tags],
        "subnational": "1",
        "private": True,
        "owner_org": None,
        "maintainer": None,
        "resources": _resources(package),
        "gridimpact:pcode_level": levels,
        "gridimpact:datapackage": "datapackage.json",
    }


def hdx_text(metadata: dict) -> str:
    """The metadata as JSON text: two-space indent, UTF-8, final newline (deterministic)."""
    return json.dumps(metadata, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
