"""A choropleth of one number per region, drawn with matplotlib from administrative boundaries.

By default the 27 oblast-level units shipped in data/ are drawn, with an inset for Kyiv city (too
small to read on a national map); ``geometry`` takes the user's own COD-AB GeoJSON (raions or
hromadas) instead, with the oblast outlines drawn over it for orientation. Units without a value are
grey and have a legend entry. Holes are honoured: each unit is one compound path whose rings are
oriented exterior counter-clockwise and holes clockwise.

Blue means fewer people affected with the scenario, red more: matplotlib's Blues or Reds when every
value has the same sign, else RdBu (reversed) on a scale symmetric about zero.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from gridimpact.report.boundaries import ATTRIBUTION, Unit, oblasts, read_boundaries
from gridimpact.report.figures import require_matplotlib, style
from gridimpact.report.numbers import axis_scale, quantity

NO_DATA_COLOUR = "#D4D4D4"
EDGE_COLOUR = "#FFFFFF"
OUTLINE_COLOUR = "#555555"
COLOUR_MAP = "RdBu_r"
KYIV_CITY = "UA80"
KYIV_INSET_EXTENT = (30.18, 30.88, 50.19, 50.62)
"""Longitude and latitude limits of the Kyiv city inset (the city's extent with a margin)."""
LABEL_POINTS = {"UA32": (30.05, 49.75)}
"""Label positions chosen by hand where the centre of the outline is not a good place: Kyiv oblast's
centre is Kyiv city, which the oblast surrounds."""
MAX_LABELS = 30
"""At most this many units carry their name and value (the largest changes): hromada maps stay legible."""
MIDDLE_LATITUDE = 48.4
"""Degrees; sets the map's aspect (1 / cos φ) so that Ukraine is not stretched east–west."""


def _path(unit: Unit):
    from matplotlib.path import Path as MplPath

    vertices, codes = [], []
    for polygon in unit.polygons:
        for ring in polygon:
            vertices.append(ring)
            ring_codes = np.full(len(ring), MplPath.LINETO, dtype=np.uint8)
            ring_codes[0], ring_codes[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            codes.append(ring_codes)
    return MplPath(np.vstack(vertices), np.concatenate(codes))


def _extent(units) -> tuple[float, float, float, float]:
    points = np.vstack([polygon[0] for unit in units for polygon in unit.polygons])
    (west, south), (east, north) = points.min(axis=0), points.max(axis=0)
    margin = 0.02 * max(east - west, north - south)
    return west - margin, east + margin, south - margin, north + margin


def _draw_units(ax, units, colours, *, linewidth: float) -> None:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch

    patches = [PathPatch(_path(unit)) for unit in units]
    ax.add_collection(PatchCollection(patches, facecolors=colours, edgecolors=EDGE_COLOUR, linewidths=linewidth,
                                      zorder=1))


def _draw_outlines(ax, units) -> None:
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import PathPatch

    ax.add_collection(PatchCollection([PathPatch(_path(u)) for u in units], facecolors="none",
                                      edgecolors=OUTLINE_COLOUR, linewidths=0.6, zorder=2))


def _label(ax, x: float, y: float, text: str, size: float = 7.5) -> None:
    import matplotlib.patheffects as effects

    ax.text(x, y, text, ha="center", va="center", fontsize=size, zorder=4, linespacing=1.1,
            path_effects=[effects.withStroke(linewidth=2.5, foreground="white")])


def _prepare_axes(ax, extent) -> None:
    west, east, south, north = extent
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / math.cos(math.radians(MIDDLE_LATITUDE)))
    ax.set_axis_off()


def _scale(values: list[float], limit: float):
    """The colour map and its limits: one-sided when every value has the same sign, else diverging."""
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    if values and max(values) <= 0:
        return colormaps["Blues_r"], Normalize(-limit, 0)
    if values and min(values) >= 0:
        return colormaps["Reds"], Normalize(0, limit)
    return colormaps[COLOUR_MAP], Normalize(-limit, limit)


def _place(box, x: float, y: float, w: float = 0.0, h: float = 0.0) -> tuple[float, float, float, float]:
    """A rectangle given in fractions of ``box`` (left, bottom, width, height), in figure fractions."""
    left, bottom, width, height = box
    return left + x * width, bottom + y * height, w * width, h * height


def choropleth_figure(values: dict[str, float], *, title: str, legend_label: str, names: dict[str, str] | None = None,
                      geometry: Path | None = None, width: float = 7.2):
    """A map of ``values`` (p-code → number) with a colour bar, an attribution line and value labels.

    ``names`` overrides the label of a unit (default: its English name in the boundary file);
    ``geometry`` is a GeoJSON file of the units to draw (default: the shipped oblasts). Units
    without a value (or with a missing one) are grey. Returns a matplotlib Figure.
    """
    require_matplotlib()
    with style():
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width, width * 0.83))
        FigureCanvasAgg(figure)
        draw_choropleth(figure, (0, 0, 1, 1), values, title=title, legend_label=legend_label, names=names,
                        geometry=geometry)
    return figure


def draw_choropleth(figure, box, values: dict[str, float], *, title: str | None, legend_label: str,
                    names: dict[str, str] | None = None, geometry: Path | None = None, attribution: bool = True):
    """Draw the map of ``choropleth_figure`` into ``box`` (left, bottom, width, height) of ``figure``."""
    national = oblasts()
    units = list((read_boundaries(geometry) if geometry is not None else national).values())
    names = names or {}
    known = {code: float(v) for code, v in values.items() if v is not None and np.isfinite(v)}
    limit = max([abs(v) for v in known.values()] + [1.0])
    with style():
        from matplotlib.cm import ScalarMappable
        from matplotlib.patches import Patch, Rectangle
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        colour_map, norm = _scale(list(known.values()), limit)
        colours = [colour_map(norm(known[u.pcode])) if u.pcode in known else NO_DATA_COLOUR for u in units]
        ax = figure.add_axes(_place(box, 0.01, 0.15, 0.98, 0.77 if title else 0.84))
        extent = _extent(units)
        _prepare_axes(ax, extent)
        _draw_units(ax, units, colours, linewidth=0.6 if geometry is None else 0.2)
        if geometry is not None:
            _draw_outlines(ax, national.values())
        inset_drawn = geometry is None and KYIV_CITY in national
        labelled = set(sorted(known, key=lambda code: -abs(known[code]))[:MAX_LABELS])
        for unit in units:
            if unit.pcode not in labelled or (inset_drawn and unit.pcode == KYIV_CITY):
                continue
            x, y = LABEL_POINTS.get(unit.pcode) if geometry is None and unit.pcode in LABEL_POINTS else unit.label_point()
            _label(ax, x, y, f"{names.get(unit.pcode, unit.name_en)}\n{quantity(known[unit.pcode], signed=True)}")
        if inset_drawn:
            west, east, south, north = KYIV_INSET_EXTENT
            ax.add_patch(Rectangle((west, south), east - west, north - south, fill=False, lw=0.8, ec="#222222",
                                   zorder=3))
            inset = figure.add_axes(_place(box, 0.02, 0.17, 0.2, 0.22))
            nearby = [national[c] for c in ("UA32", KYIV_CITY) if c in national]
            _draw_units(inset, nearby, [colours[units.index(u)] for u in nearby], linewidth=0.8)
            _prepare_axes(inset, KYIV_INSET_EXTENT)
            inset.set_axis_on()
            inset.set_xticks([]), inset.set_yticks([])
            city = national[KYIV_CITY]
            value = quantity(known[KYIV_CITY], signed=True) if KYIV_CITY in known else "no results"
            inset.set_title(f"{names.get(KYIV_CITY, city.name_en)} (city): {value}", fontsize=7.5, pad=3)
        if title:
            figure.text(*_place(box, 0.5, 0.985)[:2], title, ha="center", va="top", fontsize=10.5, fontweight="bold")
        bar_axes = figure.add_axes(_place(box, 0.30, 0.115, 0.40, 0.03))
        colour_bar = figure.colorbar(ScalarMappable(norm=norm, cmap=colour_map), cax=bar_axes, orientation="horizontal")
        scale, suffix = axis_scale(limit)
        colour_bar.ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: quantity(v / scale, signed=True)))
        ticks = MaxNLocator(nbins=4).tick_values(norm.vmin, norm.vmax)
        colour_bar.set_ticks([t for t in ticks if norm.vmin <= t <= norm.vmax])
        colour_bar.ax.tick_params(labelsize=7)
        colour_bar.set_label(legend_label + suffix, fontsize=8)
        figure.legend([Patch(facecolor=NO_DATA_COLOUR, edgecolor="#999999", lw=0.5)], ["no results for this region"],
                      loc="lower left", bbox_to_anchor=_place(box, 0.73, 0.095)[:2], fontsize=7.5, frameon=False)
        if attribution:
            figure.text(*_place(box, 0.01, 0.01)[:2], ATTRIBUTION, fontsize=6, color="#555555", ha="left",
                        va="bottom", wrap=True)
