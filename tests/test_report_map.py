"""The oblast map, the boundaries it is drawn from, the one-page brief, and Markdown that stays inert."""

import itertools
import json
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

import gridimpact
from gridimpact.errors import InputMissingError, InvalidInputError
from gridimpact.io.writers import ownership
from gridimpact.io.writers.text import markdown_text
from gridimpact.report import brief, figures, maps
from gridimpact.report.boundaries import ATTRIBUTION, oblasts, read_boundaries, signed_area
from gridimpact.report.document import write_report
from gridimpact.report.numbers import quantity
from gridimpact.report.render import (
    Answer,
    Bullets,
    Heading,
    Item,
    Paragraph,
    Picture,
    Table,
    html_document,
    markdown,
)

pytest.importorskip("matplotlib")

KYIV_CENTRE = (30.52, 50.45)
BILA_TSERKVA = (30.11, 49.80)          # in Kyiv oblast, south of the city


@pytest.fixture(scope="module")
def result():
    return gridimpact.compare(members=4, days=5)


# --- Boundaries ---------------------------------------------------------------------------------------

def test_the_shipped_boundaries_hold_27_units_with_kyiv_city_in_a_hole_of_kyiv_oblast():
    units = oblasts()
    assert len(units) == 27 and {"UA80", "UA32", "UA85", "UA01"} <= set(units)
    assert units["UA80"].name_uk == "Київ"
    # Kyiv oblast drawn alone: the city's place stays empty (white), the oblast around it is filled.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    maps._prepare_axes(ax, maps.KYIV_INSET_EXTENT)
    maps._draw_units(ax, [units["UA32"]], ["#FF0000"], linewidth=0)
    assert _pixel(figure, ax, KYIV_CENTRE) == (255, 255, 255)
    assert _pixel(figure, ax, (30.25, 50.25)) == (255, 0, 0)
    for unit in units.values():
        for polygon in unit.polygons:
            assert signed_area(polygon[0]) > 0 and all(signed_area(hole) < 0 for hole in polygon[1:])


def test_a_bad_boundary_file_is_named_with_its_feature(tmp_path):
    with pytest.raises(InputMissingError, match="no such boundary file"):
        read_boundaries(tmp_path / "absent.geojson")
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection",\n "features": [', encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"broken\.geojson, line 2.*not valid JSON"):
        read_boundaries(broken)
    nameless = tmp_path / "nameless.geojson"
    nameless.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "x"},
         "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}}]}), encoding="utf-8")
    with pytest.raises(InvalidInputError, match=r"feature 0: no p-code property.*\[bad_feature\]"):
        read_boundaries(nameless)


# --- The map ------------------------------------------------------------------------------------------

def _pixel(figure, ax, lon_lat):
    """The RGB colour drawn at a longitude/latitude of ``ax``."""
    canvas = figure.canvas
    canvas.draw()
    image = np.asarray(canvas.buffer_rgba())[..., :3]
    x, y = ax.transData.transform(lon_lat)
    return tuple(int(c) for c in image[int(round(image.shape[0] - y)), int(round(x))])


def test_kyiv_city_and_kyiv_oblast_both_appear_in_their_own_colours():
    figure = maps.choropleth_figure({"UA80": -1000.0, "UA32": 1000.0}, title="t", legend_label="change")
    main = figure.axes[0]
    city, oblast = _pixel(figure, main, KYIV_CENTRE), _pixel(figure, main, (31.2, 50.3))
    assert city[2] > city[0] + 60            # blue: fewer people in the cold
    assert oblast[0] > oblast[2] + 60        # red: more
    lviv = _pixel(figure, main, (24.03, 49.84))
    assert lviv == tuple(int(round(c * 255)) for c in (0xD4 / 255,) * 3)       # no result: grey
    inset = figure.axes[1]
    assert inset.get_title().startswith("Kyiv (city): \u22121,000")
    texts = [t.get_text() for t in figure.texts]
    assert ATTRIBUTION in texts
    legend = figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["no results for this region"]


def test_the_map_png_is_the_same_bytes_every_time(tmp_path):
    values = {"UA80": -5.0e5, "UA63": -1.2e5, "UA51": 3.0e4}
    first = figures.save_figure(maps.choropleth_figure(values, title="t", legend_label="l"), tmp_path / "a.png")
    second = figures.save_figure(maps.choropleth_figure(values, title="t", legend_label="l"), tmp_path / "b.png")
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert data.startswith(b"\x89PNG") and b"tIME" not in data and b"Matplotlib" not in data
    assert ownership.png_software(first) == "gridimpact"  # no version: the bytes do not change with it


def test_user_geometry_draws_units_below_oblast_level(tmp_path):
    square = [[36.0, 49.9], [36.3, 49.9], [36.3, 50.1], [36.0, 50.1], [36.0, 49.9]]
    shifted = [[x + 0.3, y] for x, y in square]
    path = tmp_path / "hromadas.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"ADM3_PCODE": "UA6302001", "ADM3_EN": "Kharkivska"},
         "geometry": {"type": "Polygon", "coordinates": [square]}},
        {"type": "Feature", "properties": {"ADM3_PCODE": "UA6302003", "ADM3_EN": "Other"},
         "geometry": {"type": "Polygon", "coordinates": [shifted]}}]}), encoding="utf-8")
    figure = maps.choropleth_figure({"UA6302001": -50.0}, title="t", legend_label="l", geometry=path)
    main = figure.axes[0]
    filled, outlines = main.collections[:2]
    assert len(filled.get_paths()) == 2 and len(outlines.get_paths()) == 27
    assert _pixel(figure, main, (36.15, 50.0))[2] > 150 and _pixel(figure, main, (36.45, 50.0)) == (212, 212, 212)


# --- The brief ----------------------------------------------------------------------------------------

def test_the_brief_is_one_page_and_the_same_bytes_on_rerun(result, tmp_path):
    first = brief.write_brief(result, tmp_path / "a.pdf", title="Brief")
    second = brief.write_brief(result, tmp_path / "b.pdf", title="Brief")
    data = first.read_bytes()
    assert data == second.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) == 1
    assert b"/CreationDate" not in data and b"Matplotlib" not in data


def test_the_brief_carries_the_answer_the_regions_in_both_scripts_and_the_caveats(result, tmp_path):
    figure = brief.brief_figure(result, title="Brief")
    texts = " ".join(t.get_text() for t in figure.texts)
    assert "is expected to change the person-days below 12 °C indoors" in texts
    assert "Kyiv · Київ" in texts and "Kharkivska · Харківська" in texts
    assert "Caveats" in texts and "not of people harmed" in texts
    assert "Kartographia" in texts
    if shutil.which("pdftotext"):
        path = brief.write_brief(result, tmp_path / "brief.pdf", title="Brief")
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "Київ" in text and "Харківська" in text      # Cyrillic glyphs are in the PDF, not boxes


def test_the_briefs_table_gives_the_expected_change_with_its_standard_error(result):
    figure = brief.brief_figure(result, title="Brief")
    texts = [t.get_text() for t in figure.texts]
    header = texts.index("expected change ± SE")
    assert texts[header - 2:header + 3] == ["Region", "no-pause", "expected change ± SE", "P10 to P90",
                                             "if the pause holds"]
    total = result.comparison.set_index(["adm1_pcode", "metric"]).loc[("ALL", "people_below_12c")]
    row = texts[texts.index("All regions"):texts.index("All regions") + 5]
    assert row[1:] == [quantity(total["baseline_value"]),
                       f"{quantity(total['difference'], signed=True)} ± {quantity(total['difference_se'])}",
                       f"{quantity(total['difference_p10'], signed=True)} to "
                       f"{quantity(total['difference_p90'], signed=True)}",
                       quantity(total["difference_if_held"], signed=True)]
    assert not any("median" in text for text in texts)


def _overlapping(first, second) -> bool:
    """Whether two boxes (in pixels) share more than half a pixel each way."""
    return (min(first.x1, second.x1) - max(first.x0, second.x0) > 0.5
            and min(first.y1, second.y1) - max(first.y0, second.y0) > 0.5)


def test_nothing_on_the_brief_overlaps_even_with_long_numbers_and_a_heavy_tail_note(result):
    """Numbers as wide as a real run's (−1.87 million to −162,000) in every row, and a mean outside its
    P10–P90 range, which adds a caveat: the table's columns stay apart and the caveats clear the footer."""
    from dataclasses import replace

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    table = result.comparison.copy()
    cold = table["metric"] == "people_below_12c"
    for column, value in {"baseline_value": 24.3e6, "difference": -1.02e6, "difference_se": 199_000.0,
                          "difference_p10": -1.87e6, "difference_p90": -162_000.0, "difference_if_held": -3.37e6}.items():
        table.loc[cold, column] = value
    table.loc[cold & (table["adm1_pcode"] == "ALL"), "difference"] = -3.14e6
    figure = brief.brief_figure(replace(result, comparison=table), title="Brief " * 20)
    FigureCanvasAgg(figure)
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in figure.texts if t.get_text().strip()]
    assert any("outside its P10 to P90 range" in text for text, _ in boxes)
    clashes = [(a, b) for (a, first), (b, second) in itertools.combinations(boxes, 2) if _overlapping(first, second)]
    assert clashes == []
    on_the_map = [text for text, box in boxes for ax in figure.axes if _overlapping(box, ax.get_tightbbox(renderer))]
    assert on_the_map == []
    page = figure.bbox
    assert all(0 <= box.x0 and box.x1 <= page.width and 0 <= box.y0 and box.y1 <= page.height for _, box in boxes)


# --- Markdown stays inert -----------------------------------------------------------------------------

HOSTILE = '<img src=x onerror="alert(1)">'


def test_markdown_escapes_html_from_every_kind_of_block():
    blocks = [Heading(HOSTILE, 1), Answer((HOSTILE,)), Paragraph(HOSTILE, lead=HOSTILE),
              Bullets((Item(HOSTILE, lead=HOSTILE),)), Table(("a", HOSTILE), ((HOSTILE, "1"),), (False, True), HOSTILE),
              Picture("figures/x.png", HOSTILE)]
    text = markdown(blocks)
    assert "<img" not in text and text.count("&lt;img src=x") == 11
    page = html_document(blocks, HOSTILE)
    assert "<img src=x" not in page


def test_the_report_escapes_a_hostile_title_in_markdown_and_html(result, tmp_path):
    write_report(result, tmp_path / "r", figures=False, title=HOSTILE)
    for name in ("report.md", "report.html"):
        text = (tmp_path / "r" / name).read_text(encoding="utf-8")
        assert "<img src=x" not in text and "&lt;img src=x" in text


def test_the_markdown_table_writer_escapes_html():
    frame = pd.DataFrame({"scenario": [HOSTILE, "a|b"], "<b>value</b>": [1.5, 2.0]})
    text = markdown_text(frame)
    assert "<img" not in text and "<b>" not in text
    assert "&lt;img src=x" in text and "&lt;b&gt;value&lt;/b&gt;" in text and "a\\|b" in text
