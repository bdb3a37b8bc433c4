"""Administrative boundaries for maps: the shipped oblast outlines, or the user's COD-AB GeoJSON.

The shipped file ``data/ukraine_adm1.geojson`` holds the 27 first-level units of Ukraine (OCHA
COD-AB, simplified; attribution in ``ATTRIBUTION`` and data/SOURCES.md). A user may pass a GeoJSON
FeatureCollection of COD-AB units at any level (raion, hromada): each feature's p-code is read from
``ADM3_PCODE``, ``ADM2_PCODE`` or ``ADM1_PCODE`` (any case), its names from the matching ``_EN`` and
``_UA`` properties.

Rings are returned oriented (exterior counter-clockwise, holes clockwise), so that any fill rule
leaves the holes open: Kyiv oblast (UA32) has a hole where Kyiv city (UA80) is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from gridimpact.errors import InputMissingError, InvalidInputError, Problem
from gridimpact.resources import data_dir

ADM1_FILE = "ukraine_adm1.geojson"
ATTRIBUTION = ('Boundaries: SSPE "Kartographia" / OCHA, Ukraine COD-AB ukr_admbnda_adm1_sspe_20230201, via HDX, '
               "CC BY-IGO 3.0; simplified. The boundaries and names shown do not imply official endorsement or "
               "acceptance by the United Nations.")
"""The credit the boundaries' licence asks for, shown wherever a map is drawn."""
_LEVELS = ("adm3", "adm2", "adm1")


@dataclass(frozen=True)
class Unit:
    """One administrative unit: p-code, names and polygons (each a list of rings, exterior first)."""

    pcode: str
    name_en: str
    name_uk: str
    polygons: tuple[tuple[np.ndarray, ...], ...]

    def largest_ring(self) -> np.ndarray:
        return max((polygon[0] for polygon in self.polygons), key=lambda ring: abs(signed_area(ring)))

    def label_point(self) -> tuple[float, float]:
        """The area-weighted centre of the largest exterior ring (inside it for the oblasts' shapes)."""
        ring = self.largest_ring()
        x, y = ring[:, 0], ring[:, 1]
        cross = x[:-1] * y[1:] - x[1:] * y[:-1]
        area = cross.sum() / 2
        if area == 0:
            return float(x.mean()), float(y.mean())
        return (float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)),
                float(((y[:-1] + y[1:]) * cross).sum() / (6 * area)))


def signed_area(ring: np.ndarray) -> float:
    """Shoelace area, positive for a counter-clockwise ring (longitude, latitude degrees squared)."""
    x, y = ring[:, 0], ring[:, 1]
    return float((x[:-1] * y[1:] - x[1:] * y[:-1]).sum() / 2)


def _oriented(ring: np.ndarray, counter_clockwise: bool) -> np.ndarray:
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    return ring if (signed_area(ring) > 0) == counter_clockwise else ring[::-1]


def _polygons(geometry: dict) -> tuple[tuple[np.ndarray, ...], ...]:
    kind = geometry.get("type")
    parts = [geometry["coordinates"]] if kind == "Polygon" else geometry["coordinates"] if kind == "MultiPolygon" else None
    if parts is None:
        raise ValueError(f"geometry type {kind!r} is not a Polygon or MultiPolygon")
    polygons = []
    for part in parts:
        rings = [np.asarray(ring, dtype=float)[:, :2] for ring in part]
        if not rings or any(len(ring) < 3 for ring in rings):
            raise ValueError("a polygon ring has fewer than 3 points")
        polygons.append((_oriented(rings[0], True), *(_oriented(r, False) for r in rings[1:])))
    return tuple(polygons)


def _property(properties: dict, *names: str) -> str:
    lowered = {str(k).lower(): v for k, v in properties.items()}
    for name in names:
        value = lowered.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _unit(properties: dict, geometry: dict) -> Unit:
    for level in _LEVELS:
        pcode = _property(properties, f"{level}_pcode")
        if pcode:
            return Unit(pcode.upper(), _property(properties, f"{level}_en"),
                        _property(properties, f"{level}_ua", f"{level}_uk"), _polygons(geometry))
    raise ValueError("no p-code property (ADM3_PCODE, ADM2_PCODE or ADM1_PCODE)")


def read_boundaries(path: Path) -> dict[str, Unit]:
    """Units of a GeoJSON FeatureCollection by p-code, in file order.

    A missing file raises InputMissingError (exit 66); a file that is not such a collection, or a
    feature without a p-code or a polygon, raises InvalidInputError (exit 65) naming the feature.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputMissingError(f"{path}: no such boundary file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputMissingError(f"{path}: cannot read the boundary file ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InvalidInputError([Problem(str(path), "bad_geojson", f"not valid JSON: {exc.msg}",
                                         line=exc.lineno)]) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidInputError([Problem(str(path), "bad_geojson", "not a GeoJSON FeatureCollection")])
    units: dict[str, Unit] = {}
    problems = []
    for number, feature in enumerate(document.get("features") or []):
        where = f"feature {number}"
        try:
            unit = _unit(feature.get("properties") or {}, feature.get("geometry") or {})
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            problems.append(Problem(str(path), "bad_feature", str(exc), where=where))
            continue
        if unit.pcode in units:
            problems.append(Problem(str(path), "duplicate_pcode", f"p-code {unit.pcode} appears twice",
                                    where=where, value=unit.pcode))
        units[unit.pcode] = unit
    if not units and not problems:
        problems.append(Problem(str(path), "bad_geojson", "the collection holds no features"))
    if problems:
        raise InvalidInputError(problems)
    return units


@cache
def oblasts() -> dict[str, Unit]:
    """The 27 first-level units shipped in data/, by p-code."""
    return read_boundaries(data_dir() / ADM1_FILE)
