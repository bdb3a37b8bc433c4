"""The ``datapackage.json`` written beside a set of outputs: what each file is and what made it.

The descriptor follows Frictionless Data Package v2 (https://datapackage.org/standard/data-package/)
and is built by hand, without the frictionless framework. Each output file is a resource with its
size and SHA-256 hash; each table has a Table Schema whose fields carry a type, a unit, a
description and the column's HXL hashtag. Custom properties, prefixed ``gridimpact:``, record the
input files (path, size, SHA-256), the parameters, the run (seed, members, scenarios, period) and
the versions of the packages that computed it.

The descriptor holds no wall-clock time: ``created`` is written only when ``SOURCE_DATE_EPOCH`` is
set (https://reproducible-builds.org/specs/source-date-epoch/), so identical runs give identical
bytes.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from gridimpact.errors import ParameterError
from gridimpact.io.writers.table_schema import table_fields
from gridimpact.model.params import Params, defaults_version
from gridimpact.resources import data_dir

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"

MEDIA_TYPES = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".json": "application/json",
    ".md": "text/markdown",
    ".parquet": "application/vnd.apache.parquet",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".nc": "application/x-netcdf",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".txt": "text/plain",
}
FORMAT_NAMES = {".md": "markdown", ".nc": "netcdf"}
TEXT_SUFFIXES = {".csv", ".tsv", ".json", ".md", ".svg", ".html", ".txt"}
TABLE_SUFFIXES = {".csv", ".tsv", ".json", ".parquet", ".xlsx"}
"""Files a Table Schema describes; a Markdown table is for reading, not for machines."""

VERSIONED_PACKAGES = ("gridimpact", "numpy", "pandas", "xarray", "pandera")

TABLE_TITLES = {
    "impacts": "Daily impacts per scenario, region and date of the comparison window (ensemble median, P10, P90)",
    "comparison": ("Expected change of each metric over the comparison window, each scenario against the "
                   "baseline, with its Monte-Carlo standard error and P10–P90 range"),
    "daily": "Daily impacts per region and date, from the inputs as given",
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def created_timestamp(environ: Mapping[str, str] | None = None) -> str | None:
    """``created`` from ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) as ISO 8601, or None if unset."""
    environ = os.environ if environ is None else environ
    text = environ.get("SOURCE_DATE_EPOCH")
    if text is None or text == "":
        return None
    if not text.strip().isdigit():
        raise ParameterError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, got {text!r}")
    moment = datetime.fromtimestamp(int(text.strip()), tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def package_versions() -> dict[str, str]:
    versions = {}
    for name in VERSIONED_PACKAGES:
        module = importlib.import_module(name)
        versions[name] = str(getattr(module, "__version__", "unknown"))
    return versions


def _tables_of(result) -> dict[str, tuple[pd.DataFrame, bool]]:
    """Output table stem → (frame, whether metrics are ensemble medians)."""
    if hasattr(result, "comparison"):
        return {"impacts": (result.impacts, True), "comparison": (result.comparison, False)}
    return {"daily": (result.daily, False)}


# --- resources --------------------------------------------------------------------------------------

def resource_name(relative: str) -> str:
    """A Data Package resource name (lower case, digits, ``-``, ``_``, ``.``) from a relative path."""
    name = re.sub(r"[^a-z0-9._-]+", "-", relative.lower().replace("/", "-")).strip("-.")
    return name or "resource"


def _hxl_in_csv(path: Path, columns: list[str]) -> bool:
    """Whether the CSV's second line is the HXL row (it is written only with ``hxl = true``)."""
    with open(path, encoding="utf-8") as stream:
        stream.readline()
        second = stream.readline()
    return bool(columns) and second.startswith("#")


def _file_entry(path: Path, root: Path, name: str) -> dict:
    relative = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    entry: dict = {"name": name, "path": relative}
    entry["format"] = FORMAT_NAMES.get(suffix, suffix.lstrip("."))
    entry["mediatype"] = MEDIA_TYPES.get(suffix, "application/octet-stream")
    if suffix in TEXT_SUFFIXES:
        entry["encoding"] = "utf-8"
    entry["bytes"] = path.stat().st_size
    entry["hash"] = f"sha256:{sha256_of(path)}"
    return entry


def _table_entry(entry: dict, stem: str, table: tuple[pd.DataFrame, bool]) -> dict:
    """``entry`` as a tabular resource of table ``stem``: type, title, schema."""
    frame, ensemble = table
    table_entry = {"name": entry["name"], "path": entry["path"], "type": "table", "title": TABLE_TITLES[stem]}
    table_entry.update({k: v for k, v in entry.items() if k not in table_entry})
    table_entry["schema"] = {"fields": table_fields(frame, ensemble=ensemble), "missingValues": [""]}
    return table_entry


def _sheet_names(path: Path) -> list[str]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def output_resources(path: Path, root: Path, tables: Mapping[str, tuple[pd.DataFrame, bool]],
                     dataset=None) -> list[dict]:
    """One output file as Data Package resources: name, path, format, media type, bytes, hash and,
    for a table, its schema. A workbook gives one resource per table sheet (``dialect.sheetName``)."""
    relative = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    entry = _file_entry(path, root, resource_name(relative))
    if suffix == ".xlsx":
        sheets = _sheet_names(path)
        found = [sheet for sheet in sheets if sheet in tables]
        resources = []
        for sheet in found:
            resource = _table_entry({**entry, "name": resource_name(f"{relative}-{sheet}")}, sheet, tables[sheet])
            others = [s for s in sheets if s != sheet]
            resource["description"] = (f"Sheet '{sheet}' of {relative}"
                                       + (f", which also holds the sheets {', '.join(others)}." if others else "."))
            resource["dialect"] = {"sheetName": sheet}
            resources.append(resource)
        return resources or [entry]
    if path.stem in tables and suffix in TABLE_SUFFIXES:
        resource = _table_entry(entry, path.stem, tables[path.stem])
        frame = tables[path.stem][0]
        if suffix in (".csv", ".tsv") and _hxl_in_csv(path, list(frame.columns)):
            # The HXL hashtag row sits under the header: readers skip it as a comment row.
            resource["dialect"] = {"headerRows": [1], "commentRows": [2]}
        if suffix == ".tsv":
            resource["dialect"] = {**resource.get("dialect", {}), "delimiter": "\t"}
        return [resource]
    if path.stem in tables and suffix == ".md":
        entry["title"] = TABLE_TITLES[path.stem] + " (Markdown, for reading)"
    if suffix == ".nc" and dataset is not None:
        entry["title"] = "Hourly state of the estimate: outdoor and indoor temperature, people without power and heat"
        entry["gridimpact:variables"] = [
            {"name": str(name), "dims": list(variable.dims), "unit": str(variable.attrs.get("units", "")),
             "description": str(variable.attrs.get("long_name", ""))}
            for name, variable in dataset.data_vars.items()
        ]
    return [entry]


# --- inputs -----------------------------------------------------------------------------------------

def _display_path(path: Path, base: Path | None) -> tuple[str, bool]:
    """(path as recorded, whether it is an embedded file): relative to ``base`` where possible."""
    path = Path(path).resolve()
    embedded = data_dir().resolve()
    if path.is_relative_to(embedded):
        return path.relative_to(embedded).as_posix(), True
    if base is not None:
        return Path(os.path.relpath(path, Path(base).resolve())).as_posix(), False
    return path.name, False


def input_entries(inputs: Mapping[str, Sequence[Path]], base: Path | None = None) -> list[dict]:
    """Each input file with its role, path, size and SHA-256.

    Paths are relative to ``base`` (the folder of the regeneration config); embedded files are
    marked ``embedded`` and named by their path inside the package's data folder.
    """
    entries = []
    for role, paths in inputs.items():
        for path in paths:
            shown, embedded = _display_path(Path(path), base)
            entry = {"role": role, "path": shown}
            if embedded:
                entry["embedded"] = True
            entry["bytes"] = Path(path).stat().st_size
            entry["sha256"] = sha256_of(Path(path))
            entries.append(entry)
    return entries


def _portable_notes(notes: Sequence[str], inputs: Mapping[str, Sequence[Path]], base: Path | None) -> list[str]:
    """Notes with absolute input paths replaced by the recorded ones, so the text does not depend on
    where the files sit on this machine."""
    replacements = []
    for paths in inputs.values():
        for path in paths:
            shown, _ = _display_path(Path(path), base)
            for variant in {str(path), str(Path(path).resolve())}:
                replacements.append((variant, shown))
    replacements.sort(key=lambda pair: -len(pair[0]))
    portable = []
    for note in notes:
        for old, new in replacements:
            note = note.replace(old, new)
        portable.append(note)
    return portable


# --- the package ------------------------------------------------------------------------------------

def _run_record(result) -> dict:
    provenance = result.provenance or {}
    record: dict = {}
    if hasattr(result, "comparison"):
        record.update({
            "baseline": result.baseline,
            "scenarios": provenance.get("scenarios", [{"name": name} for name in result.scenarios]),
            "as_of": provenance.get("as_of"),
            "days": provenance.get("days"),
            "members": result.members,
            "more_members": {code: n for code, n in (getattr(result, "region_members", None) or {}).items()
                             if n > result.members},
            "target_error": provenance.get("target_error"),
            "seed": result.seed,
        })
    record["period"] = provenance.get("period")
    record["regions"] = list(provenance.get("regions", []))
    record["inputs_name"] = provenance.get("inputs", {}).get("name")
    return record


def _parameters_record(result) -> dict:
    provenance = result.provenance or {}
    changed = dict(provenance.get("parameters_changed", {}))
    return {
        "version": provenance.get("parameters_version", defaults_version()),
        "values": {**Params.defaults().to_dict(), **changed},
        "changed": changed,
    }


def _title(result) -> str:
    provenance = result.provenance or {}
    period = provenance.get("period") or {}
    if hasattr(result, "comparison"):
        others = [s for s in result.scenarios if s != result.baseline]
        against = f" against {', '.join(others)}" if others else ""
        return (f"gridimpact comparison: {result.baseline}{against}, from {provenance.get('as_of')} for "
                f"{provenance.get('days')} days, {result.members} members")
    return f"gridimpact estimate: {period.get('start')} to {period.get('end')}"


def output_package(result, files: Sequence[Path], config=None, inputs: Mapping[str, Sequence[Path]] | None = None,
                   *, root: Path | None = None) -> dict:
    """The ``datapackage.json`` descriptor (a dict) of a set of output files.

    Parameters
    ----------
    result : ComparisonResult or EstimateResult
        What was written; its tables give the schemas and its provenance the run record.
    files : sequence of Path
        The output files, all inside ``root`` (``datapackage.json`` itself is skipped).
    config : RegenerationConfig, optional
        The regeneration configuration; its file's folder is the base of the input paths.
    inputs : mapping role → paths, optional
        The files read: ``outages``, ``temperature``, ``population``, ``params``, ``scenario``,
        ``config``; each is recorded with size and SHA-256.
    root : Path, optional
        The folder the descriptor describes (default: the deepest folder holding every file).
    """
    files = [Path(f) for f in files]
    if root is None:
        root = Path(os.path.commonpath([str(f.parent) for f in files])) if files else Path(".")
    root = Path(root)
    files = sorted({f for f in files if f != root / "datapackage.json"}, key=lambda f: f.relative_to(root).as_posix())
    inputs = inputs or {}
    base = Path(config.path).parent if config is not None else None
    tables = _tables_of(result)
    dataset = getattr(result, "hourly", None)
    job = "compare" if hasattr(result, "comparison") else "estimate"
    package: dict = {
        "$schema": PROFILE,
        "name": f"gridimpact-{job}",
        "title": _title(result),
        "description": ("Outputs of gridimpact: estimated people without power, without heat and exposed to "
                        "dangerous indoor cold per region and local day. Column meanings and units are in each "
                        "table's schema; gridimpact:inputs, gridimpact:parameters and gridimpact:run say what "
                        "produced them."),
    }
    created = created_timestamp()
    if created is not None:
        package["created"] = created
    package["resources"] = [resource for f in files for resource in output_resources(f, root, tables, dataset)]
    package["gridimpact:job"] = job
    package["gridimpact:run"] = _run_record(result)
    package["gridimpact:parameters"] = _parameters_record(result)
    package["gridimpact:inputs"] = input_entries(inputs, base)
    notes = (result.provenance or {}).get("notes", [])
    package["gridimpact:notes"] = _portable_notes(notes, inputs, base)
    package["gridimpact:versions"] = package_versions()
    return package


def package_text(package: dict) -> str:
    """The descriptor as JSON text: stable key order, two-space indent, UTF-8, final newline."""
    return json.dumps(package, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
