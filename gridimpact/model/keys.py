"""Key columns of the output tables: which region each row is about, by p-code and name."""

from __future__ import annotations

import numpy as np

from gridimpact.regions import admin_level_of, default_registry


def region_names(pcodes) -> list[str]:
    registry = default_registry()
    return [registry.name(p) for p in pcodes]


def region_columns(pcodes, repeat: int = 1) -> dict[str, np.ndarray]:
    """Key columns for regions: ``adm1_pcode``, ``adm1_name``, and — when some units are finer
    than oblasts (raions, hromadas) — ``pcode`` and ``name`` of the unit itself. Each value is
    repeated ``repeat`` times (one row per day)."""
    pcodes = list(pcodes)
    adm1 = [p[:4] if p.startswith("UA") else p for p in pcodes]
    columns = {"adm1_pcode": adm1, "adm1_name": region_names(adm1)}
    if any(admin_level_of(p) not in (None, 1) for p in pcodes):
        columns["pcode"] = pcodes
        columns["name"] = region_names(pcodes)
    return {key: np.repeat(np.asarray(values, dtype=object), repeat) for key, values in columns.items()}
