"""COD-PS age bands: the count columns of a COD-PS table, and the 65+ and 0–4 shares they give.

A count is named by sex (T total, F, M) and five-year age band (``T_00_04`` … ``T_80Plus``; ``T_TL``
is the unit's total), or by an HXL tag (``#population+elderly+age80plus+f``). A table may give every
band, or only those the model needs: 0–4 and the bands from 65 to the open top band.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from gridimpact.io.readers.problems import FileProblems

AGE_BAND_TOLERANCE = 0.01
"""Age bands must add up to the total within this fraction (1 %) of the total."""

ELDERLY_FROM_AGE = 65
UNDER_FIVE_TO_AGE = 4


class Band(NamedTuple):
    """One COD-PS count: sex T/F/M and an age range in years (``lo`` None = all ages; ``hi`` None = and over)."""

    sex: str
    lo: int | None
    hi: int | None

    @property
    def label(self) -> str:
        if self.lo is None:
            return f"{self.sex}_TL"
        if self.hi is None:
            return f"{self.sex}_{self.lo:02d}Plus"
        return f"{self.sex}_{self.lo:02d}_{self.hi:02d}"


_BAND_NAME = re.compile(r"^([tfm])_(?:(tl)|(\d{1,3})_(\d{1,3})|(\d{1,3})_?plus)$", re.IGNORECASE)
_AGE_ATTRIBUTE = re.compile(r"^age_?(\d{1,3})(?:_(\d{1,3})|_?plus)$")
_AGE_CLASSES = {"infants", "children", "adolescents", "adults", "elderly", "total", "ind"}


def band_of_name(name: str) -> Band | None:
    """``T_TL``, ``F_00_04``, ``M_80Plus`` or ``m_80plus`` → Band; anything else → None."""
    match = _BAND_NAME.match(str(name).strip())
    if not match:
        return None
    sex, total, lo, hi, plus = match.groups()
    if total:
        return Band(sex.upper(), None, None)
    if plus:
        return Band(sex.upper(), int(plus), None)
    return Band(sex.upper(), int(lo), int(hi))


def band_of_tag(tag: str) -> Band | None:
    """An HXL tag such as ``#population+elderly+age80plus+f`` or ``#population+total`` → Band.

    Both the COD-PS spelling (``+age0_4``, ``+age80plus``) and the HDX HAPI one (``+age_80_plus``)
    are understood.
    """
    hashtag, *attributes = tag.strip().lower().replace(" ", "").split("+")
    if hashtag != "#population":
        return None
    sex, lo, hi = "T", None, None
    for attribute in attributes:
        age = _AGE_ATTRIBUTE.match(attribute)
        if attribute in ("f", "m"):
            sex = attribute.upper()
        elif age:
            lo, hi = int(age.group(1)), None if age.group(2) is None else int(age.group(2))
        elif attribute not in _AGE_CLASSES:
            return None  # e.g. #population+group or #population+idps: not a count by age
    return Band(sex, lo, hi)


@dataclass(frozen=True)
class BandPlan:
    """Which counts make the total and each age range (T bands, or F + M when T bands are absent)."""

    total: tuple[Band, ...]
    ranges: dict[tuple[int, int | None], tuple[Band, ...]]
    complete: bool = True
    """False when the file gives only the bands needed (0–4, and 65 to the open top band)."""

    @property
    def bands(self) -> list[Band]:
        used = list(self.total)
        for bands in self.ranges.values():
            used.extend(bands)
        return used


def plan_bands(available: set[Band], problems: FileProblems) -> BandPlan | None:
    """Choose the counts to use, or report (at the header) why the shares cannot be computed."""
    if Band("T", None, None) in available:
        total: tuple[Band, ...] = (Band("T", None, None),)
    elif {Band("F", None, None), Band("M", None, None)} <= available:
        total = (Band("F", None, None), Band("M", None, None))
    else:
        problems.add("missing_column", "no total population (T_TL, #population+total, or F_TL and M_TL)",
                     line=1, column="T_TL")
        return None
    ages = {b for b in available if b.lo is not None}
    sexes = ("T",) if any(b.sex == "T" for b in ages) else ("F", "M")
    ranges: dict[tuple[int, int | None], tuple[Band, ...]] = {}
    for lo, hi in sorted({(b.lo, b.hi) for b in ages if b.sex in sexes}, key=lambda r: r[0]):
        bands = tuple(Band(sex, lo, hi) for sex in sexes)
        missing = [b.label for b in bands if b not in available]
        if missing:
            problems.add("missing_column", f"age band {missing[0]} is missing while the same band for the "
                         "other sex is present", line=1, column=missing[0])
            return None
        ranges[(lo, hi)] = bands
    if not ranges:
        problems.add("missing_column", "no age bands (T_00_04 … T_80Plus, or F_ and M_ bands): the shares "
                     "aged 65+ and 0–4 cannot be computed", line=1)
        return None
    edges = list(ranges)
    contiguous = (edges[0][0] == 0 and edges[-1][1] is None
                  and all(a[1] is not None and b[0] == a[1] + 1 for a, b in zip(edges, edges[1:], strict=False)))
    starts = {lo for lo, _ in edges}
    if not contiguous and _only_needed_bands(edges):
        problems.note(f"{problems.file}: the table gives only the age bands needed (0–4 and "
                      f"{ELDERLY_FROM_AGE}+); they cannot be checked against the total")
        return BandPlan(total, ranges, complete=False)
    if not contiguous or ELDERLY_FROM_AGE not in starts or UNDER_FIVE_TO_AGE + 1 not in starts:
        shown = ", ".join(Band(sexes[0], lo, hi).label for lo, hi in edges)
        problems.add("age_bands", f"the age bands ({shown}) must run from 0 to an open top band without "
                     f"gaps or overlaps, with bands starting at {UNDER_FIVE_TO_AGE + 1} and {ELDERLY_FROM_AGE}",
                     line=1)
        return None
    return BandPlan(total, ranges)


def _only_needed_bands(edges: list[tuple[int, int | None]]) -> bool:
    """The 0–4 band plus bands running without gaps from 65 to an open top band (nothing else)."""
    if (0, UNDER_FIVE_TO_AGE) not in edges:
        return False
    elderly = [edge for edge in edges if edge != (0, UNDER_FIVE_TO_AGE)]
    return (bool(elderly) and elderly[0][0] == ELDERLY_FROM_AGE and elderly[-1][1] is None
            and all(a[1] is not None and b[0] == a[1] + 1 for a, b in zip(elderly, elderly[1:], strict=False)))


def shares_from_counts(plan: BandPlan, counts: dict[Band, pd.Series], total_column: str,
                       problems: FileProblems) -> pd.DataFrame:
    """People (the total, persons) and the 65+ and 0–4 shares (fractions) per unit.

    A unit whose age bands miss its total by more than 1 % is reported (rule ``age_bands_sum``); a
    unit with a count missing is left out (the caller has reported the count).
    """
    total = sum(counts[b] for b in plan.total)
    by_range = {r: sum(counts[b] for b in bands) for r, bands in plan.ranges.items()}
    band_sum = sum(by_range.values())
    elderly = sum(v for (lo, _), v in by_range.items() if lo >= ELDERLY_FROM_AGE)
    under_five = sum(v for (_, hi), v in by_range.items() if hi is not None and hi <= UNDER_FIVE_TO_AGE)
    # Only some bands given: they may not exceed the total; all bands: they must add up to it.
    gap = (band_sum - total).abs() if plan.complete else (band_sum - total).clip(lower=0)
    mismatched = total.index[(gap > AGE_BAND_TOLERANCE * total.abs()) & total.notna()]
    for line in mismatched:
        apart = f"{gap[line] / total[line]:.1%}" if total[line] else "all"
        problems.add("age_bands_sum", f"the age bands add up to {band_sum[line]:,.0f} but the total is "
                     f"{total[line]:,.0f} ({apart} apart; at most 1 % allowed)",
                     line=line, column=total_column, value=f"{band_sum[line]:.0f}")
    # A unit with nobody in it has no meaningful shares; 0 keeps it valid and adds no one.
    empty = total == 0
    safe = total.where(~empty)
    frame = pd.DataFrame({"population": total,
                          "share_65plus": (elderly / safe).where(~empty, 0.0),
                          "share_0_4": (under_five / safe).where(~empty, 0.0)})
    # A count that is empty, unreadable or has no row was reported where it is, and so were bands that
    # miss the total; drop such a unit here rather than report it again as an empty or impossible share.
    return frame.drop(index=mismatched).dropna()
