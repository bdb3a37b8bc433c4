"""More members for the regions whose headline change the base ensemble does not pin down.

The Monte-Carlo error of the expected change differs between regions: at the default 128 members
it is 2–3 % of the change in person-days below 12 °C for Kyiv and Kharkiv but 5–6 % for Odesa and
Donetsk (docs/scenarios.md, "Ensemble size"). Running every region with four times the members
would quadruple the run for the sake of two. So, after the base members of a block of regions,
each region's standard error of the headline change, relative to the change, is read
(``comparison.relative_errors``); a region above the target error ε is run again with the members
that follow, up to k·M in all for M base members, with

    k = min(⌈(error / ε)²⌉, ``MAX_FACTOR``),

since the error falls with the square root of the members. A region's rows then come from all of
its k·M members; the ``ALL`` row's spread and member totals keep the M members every region
shares, and its additive changes are the sums of the regions' refined estimates
(``region_sums``), whose jackknife groups stay aligned (``control_variates.jackknife_groups``).

Nothing here is random: a member's draws depend on the seed and its index only, so the extra
members are the members a larger ensemble would have, and the same seed gives the same result.
The rule does look at the estimate it refines (through its error), as any stopping rule does; its
effect on the expected change is far below the error itself (the change is an average of members
whose draws do not depend on the rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from gridimpact.model.comparison import relative_errors
from gridimpact.model.ensemble import EnsembleSetup, more_members

HEADLINE_METRIC = "people_below_12c"
"""The metric whose change sets each region's ensemble size: person-days below 12 °C."""
DEFAULT_TARGET_ERROR = 0.04
"""Target standard error of each region's headline change, as a share of the change. 4 % rather
than 5 %: the jackknife's error runs up to a quarter above the real spread, and seeds should then
differ by less than 5 % (docs/scenarios.md gives the measurement)."""
MAX_FACTOR = 4
"""At most this many times the base members for one region (the error then halves)."""
MIN_BASE_MEMBERS = 64
"""Base ensembles smaller than this (two Sobol' batches) are not refined: their error estimates are
themselves too rough to size an ensemble on, and such runs are quick looks."""


def member_factors(errors: np.ndarray, target: float | None, cap: int = MAX_FACTOR) -> np.ndarray:
    """(R,) how many times the base members each region needs for a relative error ``target``
    (1 where it is met already, where nothing changes, or without a target)."""
    errors = np.asarray(errors, dtype=float)
    if not target or target <= 0:
        return np.ones(errors.shape, dtype=int)
    with np.errstate(invalid="ignore"):
        needed = np.ceil(np.square(errors / target) - 1e-9)
    return np.where(np.isfinite(needed), np.clip(needed, 1, cap), 1).astype(int)


def region_subset(setup: EnsembleSetup, positions: np.ndarray) -> EnsembleSetup:
    """The same setup on some of its regions (positions within the block)."""
    return replace(setup, regions=tuple(setup.regions[i] for i in positions), block_index=setup.block_index[positions],
                   exposure=setup.exposure.take_regions(positions), base=setup.base.take_regions(positions))


def refined_parts(setup: EnsembleSetup, runs: dict, members: int, target: float | None, window: np.ndarray,
                  run_more: Callable[[EnsembleSetup, int], list]) -> list[tuple[np.ndarray, dict, dict | None]]:
    """The block's regions in parts of equal ensemble size: (positions, runs of those regions,
    their base members' runs when more were added, else None). ``runs``: scenario name → the base
    run (baseline first); ``run_more(subset_setup, total)`` runs members ``members`` … ``total`` − 1."""
    names = list(runs)
    if members < MIN_BASE_MEMBERS or len(names) < 2:
        return [(np.arange(len(setup.regions)), runs, None)]
    factors = member_factors(relative_errors(runs, names[0], window, HEADLINE_METRIC), target)
    if (factors == 1).all():
        return [(np.arange(len(setup.regions)), runs, None)]
    parts = []
    for factor in np.unique(factors):
        positions = np.flatnonzero(factors == factor)
        base = {name: run.take_regions(positions) for name, run in runs.items()}
        if factor == 1:
            parts.append((positions, base, None))
            continue
        extra = run_more(region_subset(setup, positions), int(factor) * members)
        joined = more_members(list(base.values()), extra)
        parts.append((positions, dict(zip(names, joined, strict=True)), base))
    return parts
