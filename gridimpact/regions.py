"""Region registry: OCHA p-codes, names, aliases and reference coordinates.

Regions are keyed by OCHA COD p-code (``UA80`` is Kyiv city, ``UA32`` Kyiv oblast). A p-code is never
derived from an ISO 3166-2 code: ISO's ``UA-30`` is Kyiv city and ``UA-32`` is Kyiv *oblast*, and the
two systems also differ for Crimea, Sevastopol, Luhansk and Chernivtsi.

This module is deliberately free of pandas so that resolving names stays cheap.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from gridimpact.errors import EXIT_USAGE, ArgumentError
from gridimpact.resources import data_dir

# OCHA COD p-codes for Ukraine: "UA" + 2 digits per administrative level below the country
# (ADM1 UA80, ADM2 UA8000, ADM3 hromada UA8000000 with 3 more digits, ADM4 with 3 more).
_PCODE_PATTERN = re.compile(r"^UA(\d{2})(\d{2})?(\d{3})?(\d{3})?$")


@dataclass(frozen=True)
class Region:
    pcode: str
    admin_level: int
    parent_pcode: str
    iso_3166_2: str
    name_en: str
    name_uk: str
    ref_point: str
    lat: float
    lon: float
    aliases: tuple[str, ...]

    @property
    def adm1_pcode(self) -> str:
        """The ADM1 unit this region lies in (itself for an ADM1 unit)."""
        return self.pcode[:4]


class UnknownRegionError(ArgumentError, LookupError):
    """A name or code that matches no region; ``suggestions`` holds the closest known names. An
    ``ArgumentError`` (a wrong argument value, exit 2) and a ``LookupError``."""

    exit_code = EXIT_USAGE

    def __init__(self, query: str, suggestions: list[str]):
        self.query = query
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown region {query!r}{hint}")


def normalise(text: str) -> str:
    """Fold a name for matching: case, accents, apostrophes, punctuation and spacing.

    Ukrainian letters keep their identity except that combining marks are dropped (й→и, ї→і),
    which is applied to both sides of every comparison.
    """
    text = unicodedata.normalize("NFKD", str(text).strip().casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[\u2019\u02bc'`´]", "", text)
    text = re.sub(r"[\s\-_.,/()]+", " ", text)
    return text.strip()


class Registry:
    """A set of regions with an alias index. ``default_registry()`` holds Ukraine's 27 ADM1 units."""

    def __init__(self, regions: Iterable[Region]):
        self._by_pcode: dict[str, Region] = {}
        self._index: dict[str, str] = {}
        for region in regions:
            self.add(region)

    def add(self, region: Region) -> None:
        self._by_pcode[region.pcode] = region
        keys = [region.pcode, region.name_en, region.name_uk, *region.aliases]
        if region.admin_level == 1:
            keys.append(region.iso_3166_2)
        for key in keys:
            if key:
                # The first registration of an alias wins: "Kyiv" stays the city, not the oblast.
                self._index.setdefault(normalise(key), region.pcode)

    def __contains__(self, pcode: str) -> bool:
        return pcode in self._by_pcode

    def __iter__(self):
        return iter(self._by_pcode.values())

    def __len__(self) -> int:
        return len(self._by_pcode)

    def get(self, pcode: str) -> Region:
        return self._by_pcode[pcode]

    def resolve(self, name_or_code: str) -> Region:
        """The region for a p-code, ISO code, English or Ukrainian name, or alias.

        Matching ignores case, accents and punctuation. An unknown name raises UnknownRegionError
        with the closest known names.
        """
        query = str(name_or_code)
        upper = query.strip().upper()
        if upper in self._by_pcode:
            return self._by_pcode[upper]
        key = normalise(query)
        if key in self._index:
            return self._by_pcode[self._index[key]]
        finer = self._finer_unit(upper)
        if finer is not None:
            return finer
        raise UnknownRegionError(query, self.suggest(query))

    def _finer_unit(self, code: str) -> Region | None:
        """A raion (ADM2) or hromada (ADM3/4) p-code of the COD shape inside a registered oblast.

        Such units are too many to list; they are accepted by shape, named by their p-code and placed
        at their oblast's reference point until a registry with their names is given.
        """
        level = admin_level_of(code)
        parent = self._by_pcode.get(code[:4]) if level and level > 1 else None
        if parent is None:
            return None
        return Region(pcode=code, admin_level=level, parent_pcode=parent.pcode, iso_3166_2="", name_en=code,
                      name_uk=code, ref_point=parent.ref_point, lat=parent.lat, lon=parent.lon, aliases=())

    def suggest(self, query: str, n: int = 3) -> list[str]:
        """Known names closest to ``query``, for error messages."""
        key = normalise(query)
        close = difflib.get_close_matches(key, list(self._index), n=n * 3, cutoff=0.6)
        names: list[str] = []
        for match in close:
            region = self._by_pcode[self._index[match]]
            label = f"{region.name_en} ({region.pcode})"
            if label not in names:
                names.append(label)
        return names[:n]

    def name(self, pcode: str) -> str:
        region = self._by_pcode.get(pcode)
        return region.name_en if region else pcode


def _read_registry_csv(path) -> list[Region]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        Region(
            pcode=row["pcode"],
            admin_level=int(row["admin_level"]),
            parent_pcode=row["parent_pcode"],
            iso_3166_2=row["iso_3166_2"],
            name_en=row["name_en"],
            name_uk=row["name_uk"],
            ref_point=row["ref_point"],
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            aliases=tuple(a for a in row["aliases"].split("|") if a),
        )
        for row in rows
    ]


@cache
def default_registry() -> Registry:
    """Ukraine's 27 ADM1 units from ``data/regions.csv``."""
    return Registry(_read_registry_csv(data_dir() / "regions.csv"))


def admin_level_of(pcode: str) -> int | None:
    """The administrative level a Ukrainian p-code's shape implies (1–4), or None if not a p-code."""
    match = _PCODE_PATTERN.match(pcode)
    if not match:
        return None
    return sum(group is not None for group in match.groups())


def resolve(name_or_code: str, registry: Registry | None = None) -> Region:
    """Resolve a region name, alias, p-code or ISO 3166-2 code to its registry entry."""
    return (registry or default_registry()).resolve(name_or_code)


def pcode(name_or_code: str, registry: Registry | None = None) -> str:
    """Shorthand for ``resolve(...).pcode``."""
    return resolve(name_or_code, registry).pcode


def all_regions(registry: Registry | None = None) -> list[Region]:
    return list(registry or default_registry())


SEED_REGIONS = ("UA80", "UA51", "UA63", "UA14")
"""Kyiv city, Odesa, Kharkiv and Donetsk oblasts: the regions of the embedded default case."""
