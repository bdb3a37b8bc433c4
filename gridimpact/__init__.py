"""gridimpact: who is without power, without heat and in dangerous indoor cold when a grid is attacked.

The public API is re-exported here lazily: ``import gridimpact`` loads neither pandas, xarray nor
pandera; they are imported on first use of a function that needs them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "estimate": "gridimpact.api",
    "compare": "gridimpact.api",
    "Inputs": "gridimpact.inputs",
    "OutageData": "gridimpact.inputs",
    "TemperatureData": "gridimpact.inputs",
    "PopulationData": "gridimpact.inputs",
    "load_inputs": "gridimpact.io.readers.loader",
    "default_inputs": "gridimpact.io.readers.loader",
    "EstimateResult": "gridimpact.results",
    "ComparisonResult": "gridimpact.results",
    "load_outages": "gridimpact.io.readers.outages",
    "load_temperature": "gridimpact.io.readers.temperature",
    "load_population": "gridimpact.io.readers.population",
    "Params": "gridimpact.model.params",
    "load_params": "gridimpact.model.params",
    "Scenario": "gridimpact.model.scenarios",
    "load_scenario": "gridimpact.io.readers.scenarios",
    "builtin_scenarios": "gridimpact.io.readers.scenarios",
    "resolve": "gridimpact.regions",
    "GridimpactError": "gridimpact.errors",
    "InvalidInputError": "gridimpact.errors",
    "InputMissingError": "gridimpact.errors",
    "ParameterError": "gridimpact.errors",
    "InternalError": "gridimpact.errors",
    "ArgumentError": "gridimpact.errors",
    "PauseOutsideWindowWarning": "gridimpact.api",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'gridimpact' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
