"""Where the shipped data and seed files live, in a source checkout and in an installed wheel.

The wheel carries ``data/`` and ``seeds/`` as ``gridimpact/_data`` and ``gridimpact/_seeds``; a source
checkout (or an editable install) reads the top-level folders directly.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _locate(installed: str, checkout: str) -> Path:
    for candidate in (_PACKAGE / installed, _PACKAGE.parent / checkout):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"gridimpact's '{checkout}' folder is missing from this installation; reinstall the package"
    )


def package_file(name: str) -> Path:
    """A file shipped inside the package itself (the default parameters, the built-in scenarios)."""
    return _PACKAGE / name


@cache
def data_dir() -> Path:
    """The folder holding the embedded default inputs and the region registry."""
    return _locate("_data", "data")


@cache
def seeds_dir() -> Path:
    """The folder holding the source events (TOML with citations) behind the built-in scenarios."""
    return _locate("_seeds", "seeds")


def sobol_direction_numbers_file() -> Path:
    """The table of Sobol' direction numbers (Joe and Kuo's D(6) search, as scipy ships it in
    ``scipy/stats/_sobol_direction_numbers.npz``), found without importing ``scipy.stats``."""
    spec = importlib.util.find_spec("scipy")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("scipy is not installed; gridimpact needs it for its quasi-random draws")
    return Path(next(iter(spec.submodule_search_locations))) / "stats" / "_sobol_direction_numbers.npz"
