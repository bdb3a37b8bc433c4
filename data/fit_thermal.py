"""Refit the building thermal parameters to the indoor reports of observations.csv.

    python data/fit_thermal.py                      # reads data/observations.csv, writes data/thermal_fit.toml
                                                    # and gridimpact/thermal_draws.csv
    python data/fit_thermal.py --observations my.csv --output my_fit.toml

The fit itself is ``gridimpact.model.thermal_fit.fit_thermal`` (least squares, deterministic; the
parameter ranges come from a fixed-seed draw of the fit's covariance). Values are written to four
significant digits so that the file is the same on every machine; tests/test_thermal_fit.py checks
that re-running the fit on the shipped observations reproduces the shipped file.
"""

from __future__ import annotations

import argparse
import hashlib
import math
from pathlib import Path

from gridimpact.io.readers.observations import load_observations
from gridimpact.model.thermal_fit import fit_thermal

HERE = Path(__file__).resolve().parent
HEADER = """\
# Building thermal parameters fitted to the indoor reports of observations.csv.
# Written by data/fit_thermal.py; do not edit by hand (re-run the script after changing the observations).
# Model: gridimpact/model/thermal.py; method and decision: docs/model.md, "Calibration".
# Units: K for temperature differences, h for time constants, 1 for ratios; ranges are 5-95 %.
"""


def render(result: dict, observations_sha256: str) -> str:
    """The fit result as TOML text (scalars first, then tables, then arrays of tables)."""
    lines = [HEADER, f'observations_sha256 = "{observations_sha256}"']
    lines += _table(result, ())
    return "\n".join(lines).rstrip() + "\n"


def _table(values: dict, path: tuple[str, ...]) -> list[str]:
    scalars = {k: v for k, v in values.items() if not isinstance(v, dict) and not _is_table_list(v)}
    tables = {k: v for k, v in values.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in values.items() if _is_table_list(v)}
    lines = []
    if path and scalars:
        lines.append(f"\n[{'.'.join(path)}]")
    lines += [f"{key} = {_value(value)}" for key, value in scalars.items()]
    for key, table in tables.items():
        lines += _table(table, (*path, key))
    for key, items in arrays.items():
        for item in items:
            lines.append(f"\n[[{'.'.join((*path, key))}]]")
            lines += [f"{k} = {_value(v)}" for k, v in item.items()]
    return lines


def _is_table_list(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if hasattr(value, "item"):  # a numpy scalar
        return _value(value.item())
    raise TypeError(f"cannot write {value!r} to TOML")


def _number(value: float) -> str:
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0.0"
    text = f"{value:.4g}"
    return text if any(c in text for c in ".en") else text + ".0"


def render_draws(draws: dict, observations_sha256: str) -> str:
    """The fit's equally weighted joint draws as CSV (the engine's building parameters per member)."""
    lines = ["# Joint draws of the fitted building parameters (panel and brick blocks); written by data/fit_thermal.py",
             f"# from observations sha256 {observations_sha256}. Each row is equally likely.",
             ",".join(draws["names"])]
    lines += [",".join(_number(v) for v in row) for row in draws["values"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=Path, default=HERE / "observations.csv")
    parser.add_argument("--output", type=Path, default=HERE / "thermal_fit.toml")
    parser.add_argument("--draws-output", type=Path, default=HERE.parent / "gridimpact" / "thermal_draws.csv")
    args = parser.parse_args(argv)
    observations = load_observations(args.observations)
    digest = hashlib.sha256(args.observations.read_bytes()).hexdigest()
    result = fit_thermal(observations)
    draws = result.pop("joint_draws")
    args.output.write_text(render(result, digest), encoding="utf-8")
    args.draws_output.write_text(render_draws(draws, digest), encoding="utf-8")
    print(f"wrote {args.output} and {args.draws_output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
