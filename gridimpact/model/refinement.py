"""More members for the regions whose headline change the base ensemble does not pin down.

The Monte-Carlo error of the expected change differs between regions: at the default 128 members
the printed error is 2–4 % of the change in person-days below 12 °C for Kyiv and Kharkiv but 4–6 %
for Odesa and Donetsk (docs/scenarios.md, "Ensemble size"). Running every region with four times
the members would quadruple the run for the sake of two. So, after the base members of a block of
regions, each oblast-level region's standard error of the headline change of a scenario whose
pause covers it, relative to the change, is read (``comparison.relative_errors``; the largest over the
compared pauses); a region above the target error ε is run again with the members that follow,
up to k·M in all for M base members, with

    k = min(⌈(error / ε)²⌉, ``MAX_FACTOR``),

since the error falls with the square root of the members. A region's comparison rows then come
from all of its k·M members; its impacts (daily quantiles), the ``ALL`` row's spread and its
member totals keep the M members every region shares, and the ``ALL`` row's additive changes are
the sums of the regions' refined estimates (``region_sums``), whose jackknife groups stay aligned
(``control_variates.jackknife_groups``).

Nothing here is random: a member's draws depend on the seed and its index only, so the extra
members are the members a larger ensemble would have, and the same seed gives the same result.
The rule does look at the estimate it refines, through its error, as any stopping rule does: a
region kept at M members is one whose error came out within the target, so its printed error is
a little more likely to be low than high. The expected change itself is an average of members
whose draws do not depend on the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import numpy as np

from gridimpact.model.comparison import relative_errors
from gridimpact.model.ensemble import EnsembleSetup, more_members
from gridimpact.regions import admin_level_of

HEADLINE_METRIC = "people_below_12c"
"""The metric whose change sets each region's ensemble size: person-days below 12 °C."""
DEFAULT_TARGET_ERROR = 0.04
"""Target standard error of each region's headline change, as a share of the change. The printed
error exceeds the real spread between seeds by 1.2–2.1 times with one Sobol' net (docs/scenarios.md,
"Ensemble size"), so 4 % printed leaves about 2–3 %: seeds then agree within 5 %, which a 5 %
target did not achieve for Odesa (measured there)."""
MAX_FACTOR = 4
"""At most this many times the base members for one region (the error then halves)."""
MIN_BASE_MEMBERS = 64
"""Base ensembles smaller than this (half a Sobol' net) are not refined: their error estimates are
themselves too rough to size an ensemble on, and such runs are quick looks."""
REFINED_COPIES = 2 * MAX_FACTOR + 1
"""How many times a group's result arrays may be held while one of its parts is refined (the base
runs, a part's cut, its extra members and their join): ``planning`` sizes region groups by it."""


def refinable(code: str) -> bool:
    """Only oblast-level regions (ADM1 p-codes such as UA51) are refined. Hundreds of hromadas each
    at 4 % would multiply a national run, and their oblast and national sums are steady already."""
    return admin_level_of(code) == 1


def may_refine(regions, members: int, target: float | None) -> bool:
    """Whether a comparison of these regions can give some of them more members."""
    return bool(target) and members >= MIN_BASE_MEMBERS and any(refinable(code) for code in regions)


def member_factors(errors: np.ndarray, target: float | None, cap: int = MAX_FACTOR) -> np.ndarray:
    """(R,) how many times the base members each region needs for a relative error ``target``
    (1 where it is met already, where nothing changes, or without a target; ``cap`` where the
    error is infinite)."""
    errors = np.asarray(errors, dtype=float)
    if not target or target <= 0:
        return np.ones(errors.shape, dtype=int)
    with np.errstate(invalid="ignore", over="ignore"):
        needed = np.ceil(np.square(errors / target) - 1e-9)
    return np.where(np.isnan(needed), 1, np.clip(np.nan_to_num(needed, posinf=cap), 1, cap)).astype(int)


def region_subset(setup: EnsembleSetup, positions: np.ndarray) -> EnsembleSetup:
    """The same setup on some of its regions (positions within the block)."""
    return replace(setup, regions=tuple(setup.regions[i] for i in positions), block_index=setup.block_index[positions],
                   exposure=setup.exposure.take_regions(positions), base=setup.base.take_regions(positions))


def refined_parts(setup: EnsembleSetup, runs: dict, members: int, target: float | None, window: np.ndarray,
                  run_more: Callable[[EnsembleSetup, int], list]) -> Iterator[tuple[np.ndarray, dict, dict | None]]:
    """The block's regions in parts of equal ensemble size, one at a time so that each part's
    copies are freed before the next is run: (positions, runs of those regions, their base members'
    runs when more were added, else None). ``runs``: scenario name → the base run (baseline
    first); ``run_more(subset_setup, total)`` runs members ``members`` … ``total`` − 1."""
    names = list(runs)
    factors = np.ones(len(setup.regions), dtype=int)
    if may_refine(setup.regions, members, target) and len(names) > 1:
        eligible = np.array([refinable(code) for code in setup.regions])
        errors = relative_errors(runs, names[0], window, HEADLINE_METRIC, setup.regions)
        factors = np.where(eligible, member_factors(errors, target), 1)
    if (factors == 1).all():
        yield np.arange(len(setup.regions)), runs, None
        return
    for factor in np.unique(factors):
        positions = np.flatnonzero(factors == factor)
        base = {name: run.take_regions(positions) for name, run in runs.items()}
        if factor == 1:
            yield positions, base, None
            continue
        extra = run_more(region_subset(setup, positions), int(factor) * members)
        joined = more_members(list(base.values()), extra)
        del extra
        yield positions, dict(zip(names, joined, strict=True)), base
        del joined, base
