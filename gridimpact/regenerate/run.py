"""Scheduled regeneration: one TOML file says what to run and where to write; outputs appear whole.

``regenerate(config)`` loads the inputs, runs ``compare`` or ``estimate``, writes every table (and
optionally the report) with a ``datapackage.json`` into a staging folder beside the output folder,
and swaps it in only when everything was written, without a moment where the outputs are absent and
keeping every file of the folder that gridimpact did not write (``regenerate.swap``). A lock file
beside the output folder keeps two runs from overlapping (``regenerate.lock``). The same inputs and configuration give byte-identical files; when a run
produces exactly the files already there, the folder is left untouched. See
docs/outputs.md for every key of the configuration.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from gridimpact.api import DEFAULT_SCENARIOS, PauseOutsideWindowWarning, compare, estimate
from gridimpact.errors import (
    ArgumentError,
    GridimpactError,
    InvalidInputError,
    OutputError,
    Problem,
)
from gridimpact.io.atomic import keep_permissions, write_text
from gridimpact.io.readers.loader import load_inputs, resolve_files
from gridimpact.io.writers import tables as writers
from gridimpact.io.writers.database import publish, redact
from gridimpact.io.writers.datapackage import output_package, package_text
from gridimpact.model.comparison import ALL
from gridimpact.model.params import load_params
from gridimpact.regenerate import swap
from gridimpact.regenerate.config import TODAY, RegenerationConfig, load_config, local_today
from gridimpact.regenerate.lock import Terminated, critical, guarded_run, redeliver
from gridimpact.report.document import write_report
from gridimpact.report.hdx import HDX_FILE, hdx_dataset, hdx_text
from gridimpact.results import _extra_sheets

__all__ = ["RegenerationConfig", "input_files", "load_config", "local_today", "regenerate", "run_job",
           "write_outputs"]

PACKAGE_FILE = swap.PACKAGE_FILE
HEADLINE_METRICS = ("people_without_power", "people_without_heat", "people_below_12c", "elderly_below_12c",
                    "days_at_high_risk")
"""Rows of the comparison shown in a GitHub Actions job summary."""

logger = logging.getLogger("gridimpact")


# --- running ------------------------------------------------------------------------------------------

def _day(value: date | str | None) -> date | None:
    return local_today() if value == TODAY else value


def input_files(config: RegenerationConfig) -> dict[str, list[Path]]:
    """The files a run reads, by role: data families, then parameters, scenarios and the config."""
    chosen = config.inputs
    resolved = resolve_files(outages=list(chosen.outages), temperature=list(chosen.temperature),
                             population=chosen.population, folder=chosen.folder)
    files = {family: [Path(p).resolve() for p in paths] for family, paths in resolved.files.items()}
    if config.params is not None:
        files["params"] = [config.params]
    if config.scenario_files:
        files["scenario"] = config.scenario_files
    files["config"] = [config.path]
    return files


def _load_inputs(config: RegenerationConfig):
    chosen = config.inputs
    return load_inputs(list(chosen.outages), list(chosen.temperature), chosen.population,
                       folder=chosen.folder, region=chosen.region, max_gap_hours=chosen.max_gap_hours,
                       since=chosen.since, encoding=chosen.encoding, sheet=chosen.sheet,
                       pressure_level=chosen.pressure_level, population_basis=chosen.population_basis)


def run_job(config: RegenerationConfig):
    """Load the inputs and parameters and run the configured job; returns its result object.

    A value of the configuration that does not fit the data (an as-of date after it, more days
    than it covers) is a problem of the configuration file (exit 65), not of a command line; a pause
    outside the compared days is one warning line in the configuration's own terms."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PauseOutsideWindowWarning)
        try:
            result = _job(config)
        except ArgumentError as exc:
            raise InvalidInputError([Problem(config.path.name, "does_not_fit_data", str(exc))]) from None
    for warning in caught:
        if issubclass(warning.category, PauseOutsideWindowWarning):
            logger.warning("%s", _in_config_terms(str(warning.message)))
        else:
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    return result


def _in_config_terms(message: str) -> str:
    """A command-line hint ('use --as-of D (as_of='D')') as the configuration key to set."""
    message = re.sub(r"--as-of (\S+) \(as_of='[^']*'\)", r"as_of = \1 under [run]", message)
    return message.replace("or more --days", "or more days")


def _job(config: RegenerationConfig):
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
                   regions=regions, target_error=config.target_error)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_directory(config: RegenerationConfig, inputs: dict[str, list[Path]]) -> None:
    """Refuse an output folder that holds the configuration or an input, or that gridimpact did not write.

    A folder holding what the run reads (``directory = "."`` beside the configuration, or an input
    folder inside the outputs) is refused even though only gridimpact's own files would be
    replaced: the outputs would mix with the inputs and the next run would read them.
    """
    directory = config.directory
    if directory.parent == directory:
        raise OutputError(f"cannot write outputs into {directory}: choose a folder of their own")
    read = [path for paths in inputs.values() for path in paths]
    if config.inputs.folder is not None:
        read.append(config.inputs.folder)
    places = {directory, swap.swap_target(directory).resolve()} if directory.is_symlink() else {directory}
    clashes = sorted({str(path) for path in read for place in places if _inside(Path(path).absolute(), place)})
    if clashes:
        raise OutputError(
            f"the output folder {directory} holds what this run reads ({', '.join(clashes)}); "
            "set [outputs] directory to a folder of its own, such as \"out\"")
    if os.path.ismount(directory):
        raise OutputError(
            f"the output folder {directory} is a mount point, and regenerate replaces its folder as a whole "
            "by renaming: set [outputs] directory to a folder inside the mount, such as \"" + directory.name
            + '/site"')
    live = swap.live_folder(directory)
    if directory.exists() and live is None:
        raise OutputError(f"cannot write outputs into {directory}: it is a file, not a folder")
    if live is None or not any(live.iterdir()) or swap.owned_files(live) is not None:
        return
    raise OutputError(
        f"{directory} holds files that gridimpact did not write (no {PACKAGE_FILE} from a previous "
        "regeneration); choose an empty or new folder")


def write_outputs(config: RegenerationConfig, result, inputs: dict[str, list[Path]]) -> tuple[list[Path], bool]:
    """Write every output into a staging folder and swap it in; returns (final paths, changed).

    When the new files are byte-identical to those already in place, the folder is not touched.
    Files of the output folder that its previous ``datapackage.json`` does not list are kept.
    """
    target = swap.swap_target(config.directory)
    live = swap.live_folder(target)
    owned = swap.owned_files(live)
    staging = swap.new_staging(target)
    try:
        if config.job == "compare":
            writers.write_comparison(result, staging, config.formats, hxl=config.hxl,
                                     extra_sheets=_extra_sheets(result, config.formats))
        else:
            writers.write_estimate(result, staging, config.formats, hxl=config.hxl,
                                   extra_sheets=_extra_sheets(result, config.formats))
        if config.report:
            write_report(result, staging / "report", figures=config.figures)
        files = [staging / name for name in swap.files_under(staging)]
        package = output_package(result, files, config, inputs, root=staging)
        write_text(staging / PACKAGE_FILE, package_text(package))
        # HDX metadata beside the package, then the database: a failed publish leaves the
        # previous outputs untouched, since nothing has been swapped yet.
        write_text(staging / HDX_FILE, hdx_text(hdx_dataset(package)))
        if config.database:
            publication = publish(config.database, result, package)
            logger.info("%s run %s in %s", "published" if publication.changed else "unchanged",
                        publication.run_id[:12], redact(config.database))
        names = swap.files_under(staging)
        changed = not swap.unchanged(staging, names, live, owned)
        if changed:
            swap.carry_over(live, staging, owned or set())
            if live is not None:
                keep_permissions(live, staging)
    except BaseException:
        with critical():
            swap.discard(staging)
        raise
    with critical():
        if changed:
            swap.publish(staging, target)
        else:
            swap.discard(staging)
    return [config.directory / name for name in names], changed


def regenerate(config_path: str | Path, *, verbose: bool = False,
               log: Callable[[str], None] | None = None) -> list[Path]:
    """Run the job a configuration describes and replace its outputs in the output folder atomically.

    Returns the paths of the files written. Silent on success unless ``verbose``: then one line
    per file goes to ``log`` (or the ``gridimpact`` logger at INFO level). Errors propagate with
    their exit codes (65 configuration or input data, 66 missing file, 73 output, 75 lock held);
    the previous outputs are then left exactly as they were. SIGTERM and SIGHUP stop a run like
    Ctrl-C (``KeyboardInterrupt``): the staging folder is removed, the lock released, and then the
    signal is delivered again, so the process ends as the signal would have ended it (shell status
    143 or 129) unless the caller had a handler of its own. Under GitHub Actions
    (``GITHUB_ACTIONS=true``) a failure also prints an ``::error::`` annotation on stderr and a
    success appends a Markdown summary to ``$GITHUB_STEP_SUMMARY``.
    """
    on_github = os.environ.get("GITHUB_ACTIONS") == "true"
    try:
        config = load_config(config_path)
        inputs = input_files(config)
        check_directory(config, inputs)  # before the lock file is made, for directory = "."
        with guarded_run(config):
            check_directory(config, inputs)  # again on the folder as the repair left it
            result = run_job(config)
            paths, changed = write_outputs(config, result, inputs)
    except Terminated as exc:
        state = "the new outputs are in place" if exc.published else "the previous outputs are unchanged"
        sys.stderr.write(f"gridimpact regenerate: {exc}; {state}.\n")
        sys.stderr.flush()
        redeliver(exc)
        raise
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
        try:
            with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as stream:
                stream.write(summary)
        except OSError as exc:  # the outputs are in place: the run succeeded, only its summary did not
            logger.warning("the step summary could not be written to %s (%s); the outputs are in place",
                           os.environ["GITHUB_STEP_SUMMARY"], exc.strerror or exc)
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
            rows = table[(table["adm1_pcode"] == ALL) & table["metric"].isin(HEADLINE_METRICS)]
            lines += ["", "All regions, over the comparison window:", "",
                      "| scenario | metric | unit | baseline | scenario value | expected change | ± SE | P10 | P90 |",
                      "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for row in rows.itertuples(index=False):
                lines.append(f"| {row.scenario} | {row.metric} | {row.unit} | {_cell(row.baseline_value)} | "
                             f"{_cell(row.scenario_value)} | {_cell(row.difference)} | {_cell(row.difference_se)} | "
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
