"""Model parameters: one typed set, defaults with unit, range and source in ``parameters.toml``.

Override from Python (``Params.defaults().replace(tau_house=40)``), from a TOML file
(``load_params("my.toml")``) or from the command line (``--params FILE``, ``--set NAME=VALUE``).
Unknown names and values outside the documented range are errors that say what is allowed.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, fields, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from gridimpact.errors import InputMissingError, ParameterError
from gridimpact.resources import package_file

_DEFAULTS_FILE = package_file("parameters.toml")
_JOINT_DRAWS = {"thermal_draws": package_file("thermal_draws.csv")}
# Column of the fit's draws for each jointly sampled parameter.
_JOINT_COLUMNS = {"gain_offset_block": "gain_offset", "tau_mass_block": "tau_mass_h", "coupling_block": "coupling"}


@dataclass(frozen=True)
class ParamSpec:
    """What a parameter means: unit, plausible range, whether ensembles sample it, and its source."""

    name: str
    value: float
    unit: str
    low: float
    high: float
    sample: bool
    joint: str | None
    confidence: str
    description: str
    source: str


@dataclass(frozen=True)
class Params:
    """The model's parameters (see ``parameters.toml`` and docs/model.md for each one's source)."""

    gain_offset_block: float
    tau_mass_block: float
    coupling_block: float
    tau_air: float
    air_loss_share: float
    tau_house: float
    gain_offset_house: float
    setpoint: float
    heating_capacity: float
    heating_capacity_house: float
    district_pump_dependence: float
    backup_power_share: float
    rotation_block: float
    persons_per_customer: float
    possible_outage_weight: float
    district_heat_bands: int
    hdd_base: float
    risk_share: float

    @classmethod
    def defaults(cls) -> Params:
        return cls(**{name: spec.value for name, spec in specs().items()})

    def replace(self, **overrides: Any) -> Params:
        """A copy with some values changed; each is checked against its unit's range."""
        checked = {name: check_value(name, value) for name, value in overrides.items()}
        return replace(self, **checked)

    def to_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def version(self) -> str:
        return defaults_version()

    def changed(self) -> dict[str, float]:
        """The values that differ from the defaults (for provenance records)."""
        base = Params.defaults().to_dict()
        return {k: v for k, v in self.to_dict().items() if base[k] != v}


@cache
def _defaults_document() -> dict[str, Any]:
    with open(_DEFAULTS_FILE, "rb") as handle:
        return tomllib.load(handle)


def defaults_version() -> str:
    return str(_defaults_document()["version"])


@cache
def specs() -> dict[str, ParamSpec]:
    """Every parameter's specification, in the order of ``parameters.toml``."""
    document = _defaults_document()
    names = [f.name for f in fields(Params)]
    result = {}
    for name in names:
        entry = document[name]
        low, high = entry["range"]
        result[name] = ParamSpec(
            name=name,
            value=entry["value"],
            unit=entry["unit"],
            low=low,
            high=high,
            sample=bool(entry.get("sample", False)),
            joint=entry.get("joint"),
            confidence=str(entry["confidence"]),
            description=entry["description"],
            source=" ".join(entry["source"].split()),
        )
    return result


def _with_unit(unit: str) -> str:
    """' h' after a value in hours; nothing for a dimensionless parameter (unit 1)."""
    return "" if unit in ("1", "") else f" {unit}"


def _in_unit(unit: str) -> str:
    return "" if unit in ("1", "") else f" in {unit}"


def check_value(name: str, value: Any) -> float | int:
    """Validate one parameter value: known name, a number, inside the documented range."""
    spec_by_name = specs()
    if name not in spec_by_name:
        close = difflib.get_close_matches(name, list(spec_by_name), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ParameterError(f"unknown parameter '{name}'{hint} (see `gridimpact params`)")
    spec = spec_by_name[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            value = float(str(value).replace(",", "."))
        except ValueError:
            raise ParameterError(f"parameter '{name}' must be a number{_in_unit(spec.unit)}, got {value!r}") from None
    if isinstance(spec.value, int):
        if float(value) != int(value):
            raise ParameterError(f"parameter '{name}' must be a whole number, got {value!r}")
        value = int(value)
    else:
        value = float(value)
    if not spec.low <= value <= spec.high:
        raise ParameterError(
            f"parameter '{name}' = {value}{_with_unit(spec.unit)} is outside its range "
            f"[{spec.low}, {spec.high}]{_with_unit(spec.unit)}"
        )
    return value


def load_params(source: str | Path | dict | None = None, base: Params | None = None) -> Params:
    """Parameters from a TOML file (or a dict) applied over ``base`` (the defaults if None).

    The file holds ``name = value`` pairs, at top level or under ``[params]``; a table with a
    ``value`` key is accepted too, so a copy of ``parameters.toml`` works as an override file.
    """
    base = base or Params.defaults()
    if source is None:
        return base
    if isinstance(source, dict):
        document = source
        where = "parameters"
    else:
        path = Path(source)
        if not path.is_file():
            raise InputMissingError(f"{path}: no such parameter file")
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ParameterError(f"{path.name}: not valid TOML: {exc}") from None
        where = path.name
    document = document.get("params", document)
    overrides: dict[str, Any] = {}
    for name, value in document.items():
        if name == "version":
            continue
        if isinstance(value, dict):
            if "value" not in value:
                raise ParameterError(f"{where}: parameter table '{name}' has no 'value'")
            value = value["value"]
        overrides[name] = value
    try:
        return base.replace(**overrides)
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None


def parse_assignments(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["tau_house=40", ...]`` from the command line → a dict; malformed pairs are errors."""
    result = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"'{pair}' is not NAME=VALUE")
        result[name.strip()] = value.strip()
    return result


@cache
def joint_draws(name: str) -> dict[str, np.ndarray]:
    """The equally likely joint draws ``name`` (column → array), e.g. the thermal fit's."""
    lines = [line for line in _JOINT_DRAWS[name].read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    header = lines[0].split(",")
    table = np.array([[float(x) for x in line.split(",")] for line in lines[1:]])
    return {column: table[:, i] for i, column in enumerate(header)}


def sample_params(params: Params, members: int, rng) -> dict[str, Any]:
    """Per-member values of the sampled parameters.

    Parameters marked ``joint`` in ``parameters.toml`` and left at their default come together from
    one row of their fit's draws per member (so their correlation is kept); every other sampled
    parameter, and a joint one the user changed, is triangular on its range with the mode at its
    value. Returns a dict of name → numpy array of shape (members,) for sampled parameters and the
    plain value for the others.
    """
    values: dict[str, Any] = params.to_dict()
    defaults = Params.defaults().to_dict()
    rows: dict[str, np.ndarray] = {}
    for name, spec in specs().items():
        if not spec.sample:
            continue
        mode = values[name]
        if spec.joint and mode == defaults[name]:
            draws = joint_draws(spec.joint)
            if spec.joint not in rows:
                rows[spec.joint] = rng.integers(len(next(iter(draws.values()))), size=members)
            values[name] = draws[_JOINT_COLUMNS[name]][rows[spec.joint]]
            continue
        low, high = min(spec.low, mode), max(spec.high, mode)
        values[name] = np.full(members, mode) if low == high else rng.triangular(low, mode, high, size=members)
    return values


def sampled_means(params: Params) -> dict[str, float]:
    """The mean of each parameter ``sample_params`` draws: over its fit's joint draws (equally
    likely rows), else of the triangular distribution on its range, (low + mode + high) / 3."""
    values = params.to_dict()
    defaults = Params.defaults().to_dict()
    means = {}
    for name, spec in specs().items():
        if not spec.sample:
            continue
        mode = values[name]
        if spec.joint and mode == defaults[name]:
            means[name] = float(joint_draws(spec.joint)[_JOINT_COLUMNS[name]].mean())
        else:
            low, high = min(spec.low, mode), max(spec.high, mode)
            means[name] = (low + mode + high) / 3.0
    return means
