"""Scheduled regeneration: one TOML file says what to run and where to write; outputs appear whole.

``regenerate(config)`` loads the inputs, runs ``compare`` or ``estimate``, writes every table (and
optionally the report) with a ``datapackage.json`` into a staging folder beside the output folder,
and swaps it in only when everything was written. A lock file beside the output folder keeps two
runs from overlapping. The same inputs and configuration give byte-identical files; when a run
produces exactly the files already there, the folder is left untouched. See
docs/outputs.md for every key of the configuration.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from gridimpact.errors import GridimpactError, LockBusyError, OutputError
from gridimpact.regenerate_config import TODAY, RegenerationConfig, load_config, local_today

__all__ = ["RegenerationConfig", "input_files", "load_config", "local_today", "regenerate", "run_job",
           "write_outputs"]

PACKAGE_FILE = "datapackage.json"
HEADLINE_METRICS = ("people_without_power", "people_without_heat", "people_below_12c", "elderly_below_12c",
                    "days_at_high_risk")
"""Rows of the comparison shown in a GitHub Actions job summary."""

logger = logging.getLogger("gridimpact")


# --- running ------------------------------------------------------------------------------------------

def _day(value: date | str | None) -> date | None:
    return local_today() if value == TODAY else value


def input_files(config: RegenerationConfig) -> dict[str, list[Path]]:
    """The files a run reads, by role: data families, then parameters, scenarios and the config."""
    from gridimpact.datasets import default_files
    from gridimpact.io.bundle import FAMILIES, files_in_folder

    chosen = config.inputs
    files: dict[str, list[Path]] = {
        "outages": list(chosen.outages),
        "temperature": list(chosen.temperature),
        "population": [chosen.population] if chosen.population else [],
    }
    if chosen.folder is not None:
        for family, paths in files_in_folder(chosen.folder).items():
            if not files[family]:
                files[family] = [Path(p).resolve() for p in paths]
    defaults = default_files()
    for family in FAMILIES:
        if not files[family]:
            files[family] = list(defaults[family])
    if config.params is not None:
        files["params"] = [config.params]
    if config.scenario_files:
        files["scenario"] = config.scenario_files
    files["config"] = [config.path]
    return files


def _load_inputs(config: RegenerationConfig):
    from gridimpact.inputs import Inputs

    chosen = config.inputs
    if not chosen.given:
        return Inputs.default()
    from gridimpact.io.bundle import load_bundle

    return load_bundle(outages=list(chosen.outages), temperature=list(chosen.temperature),
                       population=chosen.population, folder=chosen.folder, region=chosen.region,
                       max_gap_hours=chosen.max_gap_hours)


def run_job(config: RegenerationConfig):
    """Load the inputs and parameters and run the configured job; returns its result object."""
    from gridimpact.api import DEFAULT_SCENARIOS, compare, estimate
    from gridimpact.params import load_params

    inputs = _load_inputs(config)
    params = load_params(config.params)
    if config.overrides:
        params = load_params(dict(config.overrides), base=params)
    regions = list(config.regions) or None
    if config.job == "estimate":
        return estimate(inputs, params, start=_day(config.start), end=_day(config.end), regions=regions,
                        hourly="netcdf" in config.formats)
    return compare(inputs, config.scenarios or DEFAULT_SCENARIOS, as_of=_day(config.as_of), days=config.days,
                   members=config.members, seed=config.seed, compliance=config.compliance, params=params,
                   regions=regions)


def _files_under(folder: Path) -> list[Path]:
    """Every file under ``folder``, relative, in a stable order."""
    return sorted((p.relative_to(folder) for p in folder.rglob("*") if p.is_file()), key=lambda p: p.as_posix())


def _same_contents(new: Path, old: Path) -> bool:
    if not old.is_dir():
        return False
    names = _files_under(new)
    if names != _files_under(old):
        return False
    return all((new / name).read_bytes() == (old / name).read_bytes() for name in names)


def _check_target(directory: Path) -> None:
    """Refuse to replace a folder that gridimpact did not write (it would be swapped away whole)."""
    if not directory.exists():
        return
    if not directory.is_dir():
        raise OutputError(f"cannot write outputs into {directory}: it is a file, not a folder")
    if not any(directory.iterdir()):
        return
    package = directory / PACKAGE_FILE
    try:
        import json

        written_here = "gridimpact:job" in json.loads(package.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        written_here = False
    if not written_here:
        raise OutputError(
            f"{directory} holds files that gridimpact did not write (no {PACKAGE_FILE} from a previous "
            "regeneration); its whole contents would be replaced, so choose an empty or new folder")


class _Unchanged(Exception):
    """Raised inside the staging block to drop a staging folder identical to the outputs."""


def write_outputs(config: RegenerationConfig, result, inputs: dict[str, list[Path]]) -> tuple[list[Path], bool]:
    """Write every output into a staging folder and swap it in; returns (final paths, changed).

    When the new files are byte-identical to those already in place, the folder is not touched.
    """
    from gridimpact.io import writers
    from gridimpact.io.atomic import staged_directory, write_text
    from gridimpact.io.database import publish, redact
    from gridimpact.io.datapackage import output_package, package_text
    from gridimpact.io.hdx import HDX_FILE, hdx_dataset, hdx_text

    target = config.directory
    changed = True
    try:
        with staged_directory(target) as staging:
            if config.job == "compare":
                writers.write_comparison(result, staging, config.formats, hxl=config.hxl)
            else:
                writers.write_estimate(result, staging, config.formats, hxl=config.hxl)
            if config.report:
                from gridimpact.report.document import write_report

                write_report(result, staging / "report", figures=config.figures)
            files = [staging / name for name in _files_under(staging)]
            package = output_package(result, files, config, inputs, root=staging)
            write_text(staging / PACKAGE_FILE, package_text(package))
            # --- HDX metadata and the database sink (gridimpact.io.hdx, gridimpact.io.database) ---
            write_text(staging / HDX_FILE, hdx_text(hdx_dataset(package)))
            if config.database:
                # Inside the staging block: a failed publish leaves the previous files untouched.
                publication = publish(config.database, result, package)
                logger.info("%s run %s in %s", "published" if publication.changed else "unchanged",
                            publication.run_id[:12], redact(config.database))
            # --- end ---
            names = _files_under(staging)
            if _same_contents(staging, target):
                raise _Unchanged
    except _Unchanged:
        changed = False
    return [target / name for name in names], changed


def _acquire(config: RegenerationConfig):
    from filelock import FileLock, Timeout

    from gridimpact.io.atomic import ensure_directory

    ensure_directory(config.directory.parent)
    lock = FileLock(str(config.lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise LockBusyError(f"another regeneration holds the lock {config.lock_path}; "
                            "this run stopped without writing anything") from None
    except OSError as exc:
        raise OutputError(f"cannot create the lock file {config.lock_path}: {exc.strerror or exc}") from None
    return lock


def regenerate(config_path: str | Path, *, verbose: bool = False,
               log: Callable[[str], None] | None = None) -> list[Path]:
    """Run the job a configuration describes and replace its output folder atomically.

    Returns the paths of the files in the output folder. Silent on success unless ``verbose``:
    then one line per file goes to ``log`` (or the ``gridimpact`` logger at INFO level). Errors
    propagate with their exit codes (65 configuration or input data, 66 missing file, 73 output,
    75 lock held); the previous outputs are then left exactly as they were. Under GitHub Actions
    (``GITHUB_ACTIONS=true``) a failure also prints an ``::error::`` annotation on stderr and a
    success appends a Markdown summary to ``$GITHUB_STEP_SUMMARY``.
    """
    on_github = os.environ.get("GITHUB_ACTIONS") == "true"
    try:
        config = load_config(config_path)
        lock = _acquire(config)
        try:
            _check_target(config.directory)
            result = run_job(config)
            inputs = input_files(config)
            paths, changed = write_outputs(config, result, inputs)
        finally:
            lock.release()
    except Exception as exc:
        if on_github:
            sys.stderr.write(github_error(exc) + "\n")
            sys.stderr.flush()
        raise
    if verbose:
        say = log or logger.info
        state = "wrote" if changed else "unchanged"
        for path in paths:
            say(f"{state} {path} ({path.stat().st_size:,} bytes)")
    if on_github and os.environ.get("GITHUB_STEP_SUMMARY"):
        summary = step_summary(config, result, paths, changed)
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as stream:
            stream.write(summary)
    return paths


# --- GitHub Actions ---------------------------------------------------------------------------------

def _escape_workflow_data(text: str) -> str:
    """Escape a workflow command's message (GitHub's toolkit escapes %, CR and LF this way)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_error(exc: BaseException) -> str:
    """The ``::error::`` workflow command for a failure (one line; newlines escaped)."""
    message = str(exc) if isinstance(exc, GridimpactError) else f"unexpected failure: {type(exc).__name__}: {exc}"
    return f"::error title=gridimpact regenerate::{_escape_workflow_data(message)}"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return ""
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


def step_summary(config: RegenerationConfig, result, paths: list[Path], changed: bool) -> str:
    """A Markdown summary of a run for the GitHub Actions job page."""
    lines = [f"## gridimpact regenerate: {config.path.name}", ""]
    provenance = result.provenance or {}
    if config.job == "compare":
        lines.append(f"Scenarios {', '.join(result.scenarios)} (baseline {result.baseline}); from "
                     f"{provenance.get('as_of')} for {provenance.get('days')} days; {result.members} members; "
                     f"seed {result.seed}.")
        table = result.comparison
        if not table.empty:
            rows = table[(table["adm1_pcode"] == "ALL") & table["metric"].isin(HEADLINE_METRICS)]
            lines += ["", "All regions, over the comparison window:", "",
                      "| scenario | metric | unit | baseline | scenario value | change (median) | P10 | P90 |",
                      "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
            for row in rows.itertuples(index=False):
                lines.append(f"| {row.scenario} | {row.metric} | {row.unit} | {_cell(row.baseline_value)} | "
                             f"{_cell(row.scenario_value)} | {_cell(row.difference)} | "
                             f"{_cell(row.difference_p10)} | {_cell(row.difference_p90)} |")
    else:
        period = provenance.get("period") or {}
        lines.append(f"Estimate from {period.get('start')} to {period.get('end')} for "
                     f"{len(provenance.get('regions', []))} regions.")
    state = "updated" if changed else "unchanged (identical to the previous run)"
    lines += ["", f"Outputs in `{config.directory.name}/`: {len(paths)} files, {state}.", "",
              "| file | bytes |", "| --- | ---: |"]
    for path in paths:
        lines.append(f"| {path.relative_to(config.directory).as_posix()} | {path.stat().st_size:,} |")
    return "\n".join(lines) + "\n\n"
