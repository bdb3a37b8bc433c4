"""The report folder, its numbers, its HTML, and the figures behind it."""

import base64
import re
import struct
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import gridimpact
from gridimpact.errors import OutputError, ParameterError
from gridimpact.io.writers import ownership
from gridimpact.report import document, figures
from gridimpact.report.answer import heavy_tail_sentence
from gridimpact.report.console import SUMMARY_METRICS
from gridimpact.report.context import Rows
from gridimpact.report.document import write_report
from gridimpact.report.numbers import error, quantity

pytest.importorskip("matplotlib")

LABELS = {label: metric for metric, label in SUMMARY_METRICS}


pytestmark = pytest.mark.usefixtures("no_epoch")


@pytest.fixture(scope="module")
def report(small_comparison, tmp_path_factory):
    folder = tmp_path_factory.mktemp("out") / "report"
    return folder, write_report(small_comparison, folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def parse_number(text: str) -> float:
    return float(text.replace("−", "-").replace("+", "").replace(",", ""))


def markdown_table(text: str, first_header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


# --- The folder ---------------------------------------------------------------------------------------

def test_the_folder_holds_the_documents_tables_and_figures(small_comparison, report):
    folder, written = report
    on_disk = sorted(p for p in folder.rglob("*") if p.is_file())
    assert sorted(written) == on_disk
    names = {str(p.relative_to(folder)) for p in on_disk}
    expected_figures = {"figures/comparison.png", "figures/headline.png", "figures/timeseries_ALL.png"} | {
        f"figures/timeseries_{code}.png" for code in small_comparison.regions}
    assert names == {"report.md", "report.html", "brief.pdf", "map.png", "comparison.csv",
                     "impacts.csv"} | expected_figures
    assert all(p.stat().st_size > 0 for p in on_disk)
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]   # no staging left behind


def test_markdown_links_every_figure(report):
    folder, _ = report
    text = (folder / "report.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text))
    assert linked == {str(p.relative_to(folder)) for p in folder.rglob("*.png")}


class _Checker(HTMLParser):
    """Collects external references and checks that every opened element is closed in order."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.sources, self.links, self.errors = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "src" in attributes:
            self.sources.append(attributes["src"])
        if tag == "link":
            self.links.append(attributes)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def test_html_is_one_self_contained_file(report):
    folder, _ = report
    text = (folder / "report.html").read_text(encoding="utf-8")
    checker = _Checker()
    checker.feed(text)
    assert checker.errors == [] and checker.stack == []
    assert checker.links == []
    assert "<script" not in text and "@import" not in text and "url(" not in text
    pngs = {p.read_bytes() for p in folder.rglob("*.png")}
    assert len(checker.sources) == len(pngs)
    embedded = set()
    for source in checker.sources:
        assert source.startswith("data:image/png;base64,")
        embedded.add(base64.b64decode(source.split(",", 1)[1]))
    assert embedded == pngs
    assert "@media print" in text
    assert "`" not in text                        # no Markdown code marks showing literally


def _cell(expected, name: str) -> str:
    """What the report's column ``name`` shows for one comparison row (numbers.quantity, numbers.error)."""
    if name == "Expected change ± SE":
        return f"{quantity(expected['difference'], signed=True)} ± {error(expected['difference_se'])}"
    if name == "P10 to P90":
        return (f"{quantity(expected['difference_p10'], signed=True)} to "
                f"{quantity(expected['difference_p90'], signed=True)}")
    if name == "Change if held":
        return quantity(expected["difference_if_held"], signed=True)
    return quantity(expected["baseline_value" if name == "baseline" else "scenario_value"])


def test_the_comparison_table_matches_comparison_csv(small_comparison, report):
    folder, _ = report
    text = (folder / "report.md").read_text(encoding="utf-8")
    header = next(line for line in text.splitlines() if line.startswith("| Region |"))
    names = [cell.strip() for cell in header.strip("|").split(" | ")]
    assert names[4:] == ["Expected change ± SE", "P10 to P90", "Change if held"]
    rows = markdown_table(text, "Region")
    table = small_comparison.comparison.set_index(["adm1_name", "metric"])
    assert len(rows) == (len(small_comparison.regions) + 1) * len(SUMMARY_METRICS)
    for row in rows:
        expected = table.loc[(row[0], LABELS[row[1]])]
        for cell, name in zip(row[2:], ["baseline", "scenario", *names[4:]], strict=True):
            assert cell == _cell(expected, name), (row[0], name)


def test_the_answer_leads_with_the_quotable_numbers(small_comparison, report):
    folder, _ = report
    text = (folder / "report.md").read_text(encoding="utf-8")
    answer = next(line for line in text.splitlines() if line.startswith("**Answer.**"))
    total = small_comparison.comparison.set_index(["adm1_pcode", "metric"]).loc[("ALL", "people_below_12c")]
    assert (f"is expected to change the person-days below 12 °C indoors in the 4 regions together by "
            f"{quantity(total['difference'], signed=True)} (± {quantity(total['difference_se'])} Monte-Carlo error; "
            f"P10 to P90 across members: {quantity(total['difference_p10'], signed=True)} to "
            f"{quantity(total['difference_p90'], signed=True)})") in answer
    assert "that expected change is the number to quote" in answer
    assert (f"If the pause holds for its whole window, the change is "
            f"{quantity(total['difference_if_held'], signed=True)}") in answer
    held = small_comparison.pause_held["announced-pause"]
    assert f"it held fully in {held.sum()} of 4 members' own draws ({held.mean():.0%})" in answer
    assert "probability 0.19" in answer  # the posterior mean of seeds/pause_outcomes.toml
    worst = small_comparison.comparison[(small_comparison.comparison["metric"] == "people_below_12c")
                              & (small_comparison.comparison["adm1_pcode"] != "ALL")].sort_values("baseline_value").iloc[-1]
    assert f"Worst off is {worst['adm1_name']}, with {quantity(worst['baseline_value'])} person-days" in answer
    assert 3 <= answer.count(". ") + 1 <= 5


def test_a_mean_carried_by_a_few_members_is_flagged():
    """Odesa-like tail: 8 of 10 members change by 0 and 2 by −500, so the mean (−100) is below P10 (0)."""
    import pandas as pd

    def row(code, name, metric, mean, p10, p90):
        return {"scenario": "pause", "adm1_pcode": code, "adm1_name": name, "metric": metric,
                "difference": mean, "difference_p10": p10, "difference_p90": p90}

    table = pd.DataFrame([row("UA51", "Odesa", "people_below_12c", -100.0, 0.0, 0.0),
                          row("UA51", "Odesa", "elderly_below_9c", -5.0, -8.0, -1.0),
                          row("UA63", "Kharkiv", "people_below_12c", -40.0, -60.0, -20.0)])
    sentence = heavy_tail_sentence(Rows(table), "pause", ["UA51", "UA63"])
    assert sentence.startswith("For Odesa (person-days below 12 °C indoors) the expected change lies outside")
    assert "Kharkiv" not in sentence and "aged 65+" not in sentence
    inside = table[table["adm1_pcode"] == "UA63"]
    assert heavy_tail_sentence(Rows(inside), "pause", ["UA63"]) is None


def test_what_it_assumes_and_sources(report):
    folder, _ = report
    text = (folder / "report.md").read_text(encoding="utf-8")
    assumes = text[text.index("## What this assumes"):text.index("## Sources")]
    assert "pause from 2026-01-30 00:00 to 2026-02-06 00:00 (Kyiv time)" in assumes
    assert "holds for its whole window with probability 0.19" in assumes
    assert "Every model parameter is at its default (parameter set 2026.2)" in assumes
    assert "docs/model.md" in assumes
    sources = text[text.index("## Sources"):]
    assert "<https://data.humdata.org/dataset/cod-ps-ukr>" in sources
    assert "**announced-pause-2026-01-29:**" in sources and "TAG24" in sources
    assert "parameter set 2026.2" in sources
    assert ('**ukraine_adm1.geojson:** Boundaries: SSPE "Kartographia" / OCHA, Ukraine COD-AB '
            "ukr_admbnda_adm1_sspe_20230201, via HDX, CC BY-IGO 3.0") in sources


def test_no_wall_clock_time_and_no_folder_of_this_machine(report):
    folder, _ = report
    for name in ("report.md", "report.html"):
        text = (folder / name).read_text(encoding="utf-8")
        assert "dated 2026-01-30 (the as-of date)" in text
        assert str(Path.cwd()) not in text and str(folder) not in text
        assert not re.search(r"/(work|tmp|home|root)/", text)


def test_generated_line_follows_source_date_epoch(small_comparison, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1770000000")          # 2026-02-02 02:40 UTC
    write_report(small_comparison, tmp_path / "r", figures=False)
    assert "dated 2026-02-02 (SOURCE_DATE_EPOCH)" in (tmp_path / "r" / "report.md").read_text(encoding="utf-8")


def test_changed_parameters_and_compliance_are_reported(tmp_path):
    run = gridimpact.compare(members=2, days=2, params={"tau_house": 60}, compliance=1.0)
    write_report(run, tmp_path / "r", figures=False)
    text = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "**tau_house:** 60 h (default 70.43)" in text
    assert "it holds for its whole window with probability 1.00," in text
    assert "it held fully in 2 of 2 members' own draws (100%)" in text


def test_a_single_scenario_report_says_there_is_nothing_to_compare(tmp_path):
    run = gridimpact.compare(scenarios=("no-pause",), members=2, days=2)
    written = write_report(run, tmp_path / "r")
    text = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "Only one scenario (no-pause) was run" in text
    assert tmp_path / "r" / "figures" / "comparison.png" not in written
    assert (tmp_path / "r" / "figures" / "timeseries_UA80.png").exists()


# --- Reproducible and safe ----------------------------------------------------------------------------

def test_two_reports_are_byte_identical(small_comparison, report, tmp_path):
    folder, _ = report
    write_report(small_comparison, tmp_path / "again")
    assert snapshot(tmp_path / "again") == snapshot(folder)


def test_a_failure_mid_write_leaves_the_previous_report_untouched(small_comparison, tmp_path, monkeypatch):
    target = tmp_path / "report"
    write_report(small_comparison, target, figures=False)
    before = snapshot(target)

    def broken(*args, **kwargs):
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(document, "write_table", broken)
    with pytest.raises(RuntimeError, match="disk trouble"):
        write_report(small_comparison, target)                 # figures are drawn before the failure
    assert snapshot(target) == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_a_folder_with_other_files_is_not_replaced(small_comparison, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"notes\.txt"):
        write_report(small_comparison, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        write_report(small_comparison, tmp_path / "file")


def test_without_matplotlib_the_report_says_so(small_comparison, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    written = write_report(small_comparison, tmp_path / "r")
    text = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "matplotlib is not installed" in text and "gridimpact[plot]" in text
    assert not (tmp_path / "r" / "figures").exists()
    assert {p.name for p in written} == {"report.md", "report.html", "comparison.csv", "impacts.csv"}
    assert "brief.pdf" in text


def test_figures_can_be_left_out(small_comparison, tmp_path):
    write_report(small_comparison, tmp_path / "r", figures=False)
    text = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert "## Figures" not in text and "<img" not in (tmp_path / "r" / "report.html").read_text()


# --- Figures ------------------------------------------------------------------------------------------

def png_text_keys(data: bytes) -> list[bytes]:
    keys, position = [], 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind in (b"tEXt", b"iTXt", b"zTXt"):
            keys.append(data[position + 8:position + 8 + length].split(b"\0")[0])
        position += 12 + length
    return keys


def test_saved_figures_are_deterministic_and_marked_as_gridimpact_s_without_a_version(small_comparison, tmp_path):
    first = figures.save_figure(figures.timeseries_figure(small_comparison, "Kyiv"), tmp_path / "a.png").read_bytes()
    second = figures.save_figure(figures.timeseries_figure(small_comparison, "UA80"), tmp_path / "b.png").read_bytes()
    assert first == second
    assert first.startswith(b"\x89PNG") and png_text_keys(first) == [b"Software"]
    assert ownership.png_software(tmp_path / "a.png") == "gridimpact"
    assert struct.unpack(">II", first[16:24]) == (800, 850)       # 8 × 8.5 in at 100 dpi


def test_timeseries_lines_are_member_medians_over_the_whole_period(small_comparison):
    figure = figures.timeseries_figure(small_comparison, "Kyiv")
    axes = figure.axes
    assert [ax.get_title(loc="left") for ax in axes] == [title for _, title, _ in figures.TIMESERIES_PANELS]
    assert axes[0].get_ylabel() == "persons (daily mean)"
    lines = {line.get_label(): line for line in axes[0].get_lines() if not line.get_label().startswith("_")}
    assert set(lines) == set(small_comparison.scenarios)
    members = small_comparison.daily["no-pause"]["people_without_power"][:, small_comparison.regions.index("UA80"), :]
    np.testing.assert_allclose(lines["no-pause"].get_ydata(), np.quantile(members, 0.5, axis=0))
    assert len(lines["no-pause"].get_xdata()) == len(small_comparison.days)


def test_timeseries_without_member_arrays_uses_the_impacts_window(small_comparison):
    large = replace(small_comparison, daily=None)
    figure = figures.timeseries_figure(large, "UA80")
    line = next(line for line in figure.axes[2].get_lines() if line.get_label() == "announced-pause")
    rows = small_comparison.impacts[(small_comparison.impacts["scenario"] == "announced-pause") & (small_comparison.impacts["adm1_pcode"] == "UA80")]
    np.testing.assert_array_equal(line.get_ydata(), rows["people_below_12c"].to_numpy(float))
    with pytest.raises(ParameterError, match="member arrays"):
        figures.timeseries_figure(large, "ALL")


def test_timeseries_of_all_regions_adds_members_before_taking_quantiles(small_comparison):
    figure = figures.timeseries_figure(small_comparison, "ALL")
    line = next(line for line in figure.axes[1].get_lines() if line.get_label() == "no-pause")
    summed = small_comparison.daily["no-pause"]["people_without_heat"].sum(axis=1)
    np.testing.assert_allclose(line.get_ydata(), np.quantile(summed, 0.5, axis=0))


def test_unknown_or_absent_regions_are_refused(small_comparison):
    with pytest.raises(ParameterError, match="unknown region"):
        figures.timeseries_figure(small_comparison, "Atlantis")
    with pytest.raises(ParameterError, match="not in this comparison"):
        figures.timeseries_figure(small_comparison, "Lviv")


def test_comparison_figure_refuses_unknown_metrics(small_comparison):
    with pytest.raises(ParameterError, match="not_a_metric"):
        figures.comparison_figure(small_comparison, metrics=("not_a_metric",))


def test_timeseries_mark_the_pause_the_as_of_date_and_read_month_names(small_comparison):
    import matplotlib.dates as mdates
    from matplotlib.colors import to_hex

    figure = figures.timeseries_figure(small_comparison, "UA80")
    figure.canvas.draw()
    bottom = figure.axes[2]
    labels = [t.get_text() for t in bottom.get_xticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"\d{1,2} (Jan|Feb)", text) for text in labels), labels
    assert {"Jan", "Feb"} <= {text.split()[1] for text in labels}
    assert bottom.get_xlabel() == "local day (Europe/Kyiv), 2026"
    pause = [p for p in figure.axes[0].patches if to_hex(p.get_facecolor()) == figures.PAUSE_COLOUR.lower()]
    assert len(pause) == 1                                      # the announced pause, 30 January to 6 February
    box = pause[0].get_bbox()
    assert [mdates.num2date(v).strftime("%Y-%m-%d") for v in (box.x0, box.x1)] == ["2026-01-30", "2026-02-06"]
    dashed = [line for line in figure.axes[0].get_lines() if line.get_linestyle() == "--" and len(line.get_xdata()) == 2]
    assert [mdates.date2num(line.get_xdata()[0]) for line in dashed] == [mdates.date2num(np.datetime64("2026-01-30"))]
    legend = [t.get_text() for t in figure.legends[0].get_texts()]
    assert {"no-pause: median", "no-pause: P10–P90", "announced-pause: P10–P90", "pause window",
            "as-of date"} <= set(legend)
    colours = {to_hex(line.get_color()) for line in figure.axes[0].get_lines() if line.get_label() in small_comparison.scenarios}
    assert len(colours) == 2
