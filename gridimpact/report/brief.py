"""brief.pdf: the answer on one A4 page — the sentences, the map, the top regions, the caveats.

Drawn with matplotlib's PDF backend under its default style (DejaVu Sans, which ships with
matplotlib and has Cyrillic, so Ukrainian names render). The file is byte-identical on rerun:
no creation date, producer or creator is written, and the fonts are subset the same way each time.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from gridimpact.io.atomic import atomic_path
from gridimpact.model.comparison import ALL, ALL_NAME
from gridimpact.report.answer import answer_sentences, heavy_tail_sentence, worst_region
from gridimpact.report.boundaries import ATTRIBUTION, oblasts
from gridimpact.report.context import (
    HEADLINE_METRIC,
    HEADLINE_UNIT,
    Rows,
    compared,
    ensemble_size,
    generated_stamp,
    map_values,
    pause_held,
)
from gridimpact.report.figures import require_matplotlib, style
from gridimpact.report.maps import draw_choropleth
from gridimpact.report.numbers import plus_minus, quantity
from gridimpact.report.sections import MODEL_LIMITS

PAGE_INCHES = (8.27, 11.69)
"""A4 portrait."""
MARGIN_INCHES = 0.55
TOP_REGIONS = 6
MAP_INCHES = (2.8, 4.3)
"""Least and greatest height of the map: it shrinks when the answer, table or caveats run long."""
MAP_GAP_INCHES = 0.1
FOOTER_INCHES = 0.8
"""Kept free at the bottom of the page for the footer (sources and the boundaries' attribution)."""
MIN_COLUMN_GAP_INCHES = 0.15
"""Least white space between two columns of the top-regions table."""
PDF_METADATA = {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}
"""Nothing that changes from run to run (matplotlib would stamp the time and its version)."""


class _Page:
    """A cursor down the page: text is placed in inches from the top, wrapped by character count."""

    def __init__(self, figure):
        self.figure = figure
        self.width, self.height = PAGE_INCHES
        self.y = MARGIN_INCHES

    def _fraction(self, x: float, y: float) -> tuple[float, float]:
        return x / self.width, 1 - y / self.height

    def text(self, text: str, size: float, *, chars: int, x: float = MARGIN_INCHES, bullet: str = "",
             weight: str = "normal", colour: str = "#1a1a1a", gap: float = 0.04) -> None:
        lines = textwrap.wrap(text, chars - len(bullet)) or [""]
        step = size * 1.32 / 72
        for number, line in enumerate(lines):
            if bullet and number == 0:
                self.figure.text(*self._fraction(x, self.y), bullet, fontsize=size, va="top", color=colour)
            indent = 0.16 if bullet else 0.0
            self.figure.text(*self._fraction(x + indent, self.y), line, fontsize=size, va="top", color=colour,
                             fontweight=weight)
            self.y += step
        self.y += gap

    def cells(self, values: list[str], columns: list[tuple[float, str]], size: float, weight: str = "normal") -> None:
        for value, (x, align) in zip(values, columns, strict=True):
            self.figure.text(*self._fraction(x, self.y), value, fontsize=size, va="top", ha=align, fontweight=weight)
        self.y += size * 1.45 / 72

    def rule(self) -> None:
        self.figure.add_artist(_line(self._fraction(MARGIN_INCHES, self.y - 0.03),
                                     self._fraction(self.width - MARGIN_INCHES, self.y - 0.03)))


def _line(start, end):
    from matplotlib.lines import Line2D

    return Line2D([start[0], end[0]], [start[1], end[1]], color="#999999", lw=0.5)


def _region_label(code: str, rows: Rows) -> str:
    """English name with the Ukrainian one where the boundaries know it: Kyiv · Київ."""
    if code == ALL:
        return ALL_NAME
    unit = oblasts().get(code)
    name = rows.name(code)
    return f"{name} · {unit.name_uk}" if unit is not None and unit.name_uk else name


def _text_inches(text: str, size: float, weight: str) -> float:
    """Width of a line of text in inches, in the brief's font."""
    # matplotlib is the optional plot extra: imported only when a brief is drawn.
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    return TextPath((0, 0), text, size=size, prop=FontProperties(weight=weight)).get_extents().width / 72


def _column_widths(table: list[tuple[list[str], str]], size: float) -> list[float]:
    """The widest cell of each column, in inches."""
    return [max(_text_inches(cells[i], size, weight) for cells, weight in table) for i in range(len(table[0][0]))]


def _column_layout(table: list[tuple[list[str], str]], width: float) -> tuple[float, list[tuple[float, str]]]:
    """(type size, x and alignment of each column) for a table ``width`` inches wide: the first
    column left-aligned at the margin, the others right-aligned, equal gaps between the widest
    cells; the type shrinks (down to 6 pt) rather than let cells run into each other."""
    size = 8.0
    widths = _column_widths(table, size)
    while size > 6 and sum(widths) + MIN_COLUMN_GAP_INCHES * (len(widths) - 1) > width:
        size -= 0.5
        widths = _column_widths(table, size)
    gap = (width - sum(widths)) / max(1, len(widths) - 1)
    columns, x = [(MARGIN_INCHES, "left")], MARGIN_INCHES + widths[0]
    for column_width in widths[1:]:
        x += gap + column_width
        columns.append((x, "right"))
    return size, columns


def _top_regions(page: _Page, result, scenario: str, rows: Rows) -> None:
    held = pause_held(result, scenario, rows) is not None
    header = ["Region", result.baseline, "expected change ± SE", "P10 to P90"] + (["if the pause holds"] if held else [])
    page.text(f"Top regions by {HEADLINE_UNIT} under {result.baseline}", 9.5, chars=95, weight="bold", gap=0.02)
    codes = sorted(result.regions, key=lambda c: -(rows.get(scenario, c, HEADLINE_METRIC).get("baseline_value") or 0))
    table = [(header, "bold")]
    for code in [*codes[:TOP_REGIONS], ALL]:
        row = rows.get(scenario, code, HEADLINE_METRIC)
        cells = [_region_label(code, rows), quantity(row.get("baseline_value")),
                 plus_minus(row.get('difference'), row.get('difference_se')),
                 f"{quantity(row.get('difference_p10'), signed=True)} to {quantity(row.get('difference_p90'), signed=True)}"]
        if held:
            cells.append(quantity(row.get("difference_if_held"), signed=True))
        table.append((cells, "bold" if code == ALL else "normal"))
    size, columns = _column_layout(table, page.width - 2 * MARGIN_INCHES)
    page.cells(header, columns, size, weight="bold")
    page.rule()
    for cells, weight in table[1:]:
        page.cells(cells, columns, size, weight=weight)
    if len(codes) > TOP_REGIONS:
        page.text(f"{len(codes) - TOP_REGIONS} more regions in report.html and comparison.csv.", 7, chars=130,
                  colour="#555555")
    over = " over every outcome of the pause" if held else ""
    page.text(f"Expected change: scenario minus baseline{over}, ± its Monte-Carlo standard error (SE); P10 to "
              "P90 across members.", 7, chars=140, colour="#555555")
    page.y += 0.08


def _below_the_map(page: _Page, result, scenario: str, rows: Rows) -> None:
    """The top-regions table and the caveats."""
    _top_regions(page, result, scenario, rows)
    page.text("Caveats", 9.5, chars=95, weight="bold", gap=0.02)
    caveats = list(MODEL_LIMITS)
    warning = heavy_tail_sentence(rows, scenario, [*result.regions, ALL])
    if warning:
        caveats.insert(0, warning)
    for caveat in caveats:
        page.text(caveat, 7.5, chars=135, bullet="•", gap=0.02)


def brief_figure(result, *, title: str, geometry: Path | None = None):
    """The one-page brief as a matplotlib Figure (A4 portrait)."""
    require_matplotlib()
    rows = Rows(result.comparison)
    scenarios = compared(result)
    with style():
        from matplotlib.backends.backend_pdf import FigureCanvasPdf
        from matplotlib.figure import Figure

        figure = Figure(figsize=PAGE_INCHES)
        FigureCanvasPdf(figure)
        page = _Page(figure)
        page.text(title, 13, chars=64, weight="bold", gap=0.02)
        version = (result.provenance or {}).get("gridimpact_version", "")
        stamp, basis = generated_stamp(result)
        page.text(f"gridimpact {version} · dated {stamp} ({basis}) · {ensemble_size(result)}, seed "
                  f"{result.seed}", 7.5, chars=130, colour="#555555", gap=0.1)
        if not scenarios or rows.table.empty:
            page.text(f"Only one scenario ({result.baseline}) was run: there is no change to report.", 10, chars=95)
            return figure
        scenario = scenarios[0]
        for sentence in answer_sentences(result, scenario, rows):
            page.text(sentence, 9.5, chars=100, bullet="•", gap=0.05)
        page.y += 0.05
        # The map takes what the table and caveats leave: measured by drawing them on a scratch page.
        scratch = _Page(Figure(figsize=PAGE_INCHES))
        _below_the_map(scratch, result, scenario, rows)
        room = page.height - FOOTER_INCHES - page.y - (scratch.y - MARGIN_INCHES) - MAP_GAP_INCHES
        map_height = min(MAP_INCHES[1], max(MAP_INCHES[0], room))
        box = (MARGIN_INCHES / page.width, 1 - (page.y + map_height) / page.height,
               1 - 2 * MARGIN_INCHES / page.width, map_height / page.height)
        draw_choropleth(figure, box, map_values(result, scenario, rows), names=rows.names, geometry=geometry,
                        title=f"Expected change in {HEADLINE_UNIT}, {scenario} against {result.baseline}",
                        legend_label="expected change, person-days", attribution=False)
        page.y += map_height + MAP_GAP_INCHES
        _below_the_map(page, result, scenario, rows)
        worst = worst_region(result, rows, scenario)
        footer = ("Full report, tables and sources: report.html, comparison.csv, impacts.csv. "
                  + (f"Worst-off region: {rows.name(worst)}. " if worst else "") + ATTRIBUTION)
        lines = textwrap.wrap(footer, 150)
        for number, line in enumerate(lines):
            figure.text(MARGIN_INCHES / page.width, (0.35 + 0.11 * (len(lines) - 1 - number)) / page.height, line,
                        fontsize=6.5, color="#555555", va="bottom")
    return figure


def write_brief(result, target: Path, *, title: str, geometry: Path | None = None) -> Path:
    """Write brief.pdf atomically and reproducibly; returns ``target``."""
    figure = brief_figure(result, title=title, geometry=geometry)
    target = Path(target)
    with style(), atomic_path(target) as temporary:
        figure.savefig(temporary, format="pdf", metadata=PDF_METADATA)
    return target
