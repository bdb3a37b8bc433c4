"""A summary folder for a scenario comparison: report.md, report.html, figures and the tables.

The report answers one question in words first — what does the scenario change, region by region,
and how often did the pause hold — then gives the key numbers, the comparison table, the figures,
what the numbers assume and where they come from. The document is built once as a list of blocks
and rendered twice: Markdown (figures linked from ``figures/``) and one self-contained HTML file
(inline CSS, figures embedded as base64 PNG, printable).

The folder is built in a staging folder and swapped in whole (``io.atomic.staged_directory``), so a
failure leaves any previous report untouched. No wall-clock time is written: the ``generated`` line
carries ``SOURCE_DATE_EPOCH`` when set, else the as-of date of the comparison.
"""

from __future__ import annotations

import math
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from gridimpact.errors import GridimpactError, MissingExtraError, OutputError
from gridimpact.io.atomic import staged_directory, write_text
from gridimpact.io.writers.tables import write_table
from gridimpact.model.comparison import ALL
from gridimpact.report.console import SUMMARY_METRICS
from gridimpact.report.render import (
    Bullets,
    Heading,
    Item,
    Paragraph,
    Picture,
    Table,
    html_document,
    markdown,
)
from gridimpact.vocab import TIMEZONE

KYIV = ZoneInfo(TIMEZONE)

REPORT_FILES = ("report.md", "report.html", "figures", "comparison.csv", "impacts.csv")
"""Everything a report folder holds; a folder with anything else in it is not replaced."""

ANSWER_METRICS = (
    ("people_below_12c", "person-days below 12 °C indoors"),
    ("person_hours_without_power", "person-hours without power"),
    ("elderly_below_9c", "person-days of people aged 65+ below 9 °C"),
)
"""The three changes the answer paragraph gives for every region, with their units in words."""

MODEL_LIMITS = (
    "Indoor temperature comes from one lumped thermal model per building class (panel block, brick "
    "block, house) whose time constants rest on few measurements; single flats differ more.",
    "People are split into cohorts by heating system, building class and outage queue from regional "
    "shares, not from addresses; people aged 65+ are spread evenly across cohorts.",
    "Outages come from dated reports of operators, authorities and the press; a report holds until it "
    "ends or the next report replaces it, and reports for some regions are estimates.",
    "After the as-of date strikes are drawn from the rhythm and effects observed from 9 January to "
    "12 February 2026; how often a pause holds rests on a handful of earlier truces.",
    "Beyond the last known temperature, outdoor temperatures are drawn from a winter climatology.",
    "Generators, batteries, warming points and people leaving their homes are not modelled: the counts "
    "are of people exposed at home, not of people harmed.",
)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _missing(value) -> bool:
    """None, NaN or an infinity: nothing a reader can use."""
    return value is None or (isinstance(value, float | np.floating) and not math.isfinite(value))


def number(value, signed: bool = False) -> str:
    """A table number: whole numbers with thousands separators from 100 up, else one decimal.

    Changes (``signed``) carry + or − (U+2212); a value that rounds to zero is ``0``; a missing value
    is an en dash.
    """
    if _missing(value):
        return "–"
    value = float(value)
    text = f"{abs(value):,.0f}" if abs(value) >= 100 or value == int(value) else f"{abs(value):,.1f}"
    if text.strip("0.,") == "":
        return "0"
    if value < 0:
        return "−" + text
    return ("+" + text) if signed and value > 0 else text


def approximate(value, signed: bool = False) -> str:
    """A number for prose, to three significant figures: 1.29 million · 23,500 · 412 · 4.5."""
    if _missing(value):
        return "–"
    value = float(value)
    magnitude = abs(value)
    if magnitude >= 1e6:
        text = f"{float(f'{magnitude / 1e6:.3g}'):g} million"
    elif magnitude >= 100:
        text = f"{float(f'{magnitude:.3g}'):,.0f}"
    elif magnitude == 0:
        return "0"
    else:
        text = f"{float(f'{magnitude:.2g}'):g}"
    if value < 0:
        return "−" + text
    return ("+" + text) if signed else text


def long_date(day) -> str:
    """30 January 2026 (month names in English whatever the locale)."""
    stamp = pd.Timestamp(day)
    return f"{stamp.day} {_MONTHS[stamp.month - 1]} {stamp.year}"


def _span(days: pd.DatetimeIndex) -> str:
    if not len(days):
        return "no days"
    if len(days) == 1:
        return long_date(days[0])
    first, last = pd.Timestamp(days[0]), pd.Timestamp(days[-1])
    start = long_date(first) if first.year != last.year else f"{first.day} {_MONTHS[first.month - 1]}"
    return f"{start} to {long_date(last)}"


def generated_stamp(result) -> tuple[str, str]:
    """(date, what it is): ``SOURCE_DATE_EPOCH`` as a UTC date when set, else the as-of date."""
    from gridimpact.io.writers.excel import source_date_epoch

    stamp = source_date_epoch()
    if stamp is not None:
        return stamp.date().isoformat(), "SOURCE_DATE_EPOCH"
    as_of = (result.provenance or {}).get("as_of")
    if as_of:
        return str(as_of), "the as-of date"
    days = result.days[result.window]
    return (days[0].date().isoformat() if len(days) else ""), "the first compared day"


# --- Content -------------------------------------------------------------------------------------------

class _Rows:
    """Comparison rows by (scenario, region, metric)."""

    def __init__(self, table: pd.DataFrame):
        self.table = table
        self.index = {} if table.empty else {
            (row["scenario"], row["adm1_pcode"], row["metric"]): row
            for row in table.to_dict(orient="records")
        }
        self.names = {} if table.empty else dict(zip(table["adm1_pcode"], table["adm1_name"], strict=True))

    def get(self, scenario: str, code: str, metric: str) -> dict:
        return self.index.get((scenario, code, metric), {})


def _compared(result) -> list[str]:
    return [s for s in result.scenarios if s != result.baseline]


def _held(result, scenario: str, rows: _Rows) -> tuple[int, float] | None:
    """(members in which every pause held, share) or None for a scenario without pauses."""
    held = (result.pause_held or {}).get(scenario)
    if held is not None:
        held = np.asarray(held, dtype=bool)
        return int(held.sum()), float(held.mean()) if held.size else float("nan")
    share = rows.get(scenario, ALL, ANSWER_METRICS[0][0]).get("pause_held_share")
    if _missing(share):
        return None
    return round(share * result.members), float(share)


def _holding_probabilities(result, scenario: str) -> list[float]:
    for entry in (result.provenance or {}).get("scenarios", []) or []:
        if entry.get("name") == scenario:
            return list(entry.get("pause_holds_probability") or [])
    return []


def _change_words(value, unit: str) -> str:
    if _missing(value):
        return f"no estimate of {unit}"
    if approximate(value) == "0":
        return f"no change in {unit}"
    return f"{approximate(abs(value))} {'fewer' if value < 0 else 'more'} {unit}"


def _region_sentence(name: str, rows: _Rows, scenario: str, code: str, with_pause: bool) -> str:
    """One region's changes: if the pause holds (or the median), then the expected change and range.

    The expected changes follow the order of the first list, so their units are not repeated.
    """
    first, expected = [], []
    for metric, unit in ANSWER_METRICS:
        row = rows.get(scenario, code, metric)
        first.append(_change_words(row.get("difference_if_held") if with_pause else row.get("difference"), unit))
        expected.append(f"{approximate(row.get('difference_mean'), signed=True)} "
                        f"({approximate(row.get('difference_p10'), signed=True)} to "
                        f"{approximate(row.get('difference_p90'), signed=True)})")
    opening = "if the pause holds" if with_pause else "in the median member"
    return f"{name}: {opening}, {_join(first)}; expected change {_join(expected)}."


def _mean_outside_range(row: dict) -> bool:
    """Whether the mean lies outside P10–P90: a few members with large changes carry it."""
    values = [row.get(key) for key in ("difference_mean", "difference_p10", "difference_p90")]
    if any(_missing(value) for value in values):
        return False
    mean, low, high = values
    return not low <= mean <= high


def _heavy_tail_sentence(rows: _Rows, scenario: str, codes: list[str]) -> str | None:
    """A warning where the expected change is carried by a few members (mean outside P10–P90)."""
    where = []
    for code in codes:
        units = [unit for metric, unit in ANSWER_METRICS if _mean_outside_range(rows.get(scenario, code, metric))]
        if units:
            name = "all regions together" if code == ALL else rows.names.get(code, code)
            where.append(f"{name} ({', '.join(units)})")
    if not where:
        return None
    return (f"For {_join(where)} the expected change lies outside its P10 to P90 range: a few members with "
            "large changes carry the mean, so the range describes the typical outcome better.")


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def answer_paragraph(result, scenario: str, rows: _Rows) -> Paragraph:
    """The answer for one scenario: per region (and all regions) the three key changes."""
    days = pd.DatetimeIndex(result.days[result.window])
    held = _held(result, scenario, rows)
    sentences = [f"Over the {len(days)} days from {_span(days)}, {scenario} compared with {result.baseline} "
                 f"({result.members} ensemble members; the expected change is the mean over all members, with "
                 "its P10 to P90 range in brackets)."]
    for code in [*result.regions, ALL]:
        name = "All regions together" if code == ALL else rows.names.get(code, code)
        sentences.append(_region_sentence(name, rows, scenario, code, held is not None))
    warning = _heavy_tail_sentence(rows, scenario, [*result.regions, ALL])
    if warning:
        sentences.append(warning)
    if held is not None:
        count, share = held
        probabilities = _holding_probabilities(result, scenario)
        assumed = (f"; it holds for its whole window with probability "
                   f"{', '.join(f'{p:.2f}' for p in probabilities)}, and the expected change weights "
                   f"every outcome (failing, breached after some days, holding) by its probability") if probabilities else ""
        sentences.append(f"The pause held fully in {count} of the {result.members} members' own draws ({share:.0%}){assumed}.")
    return Paragraph(" ".join(sentences), lead="Answer.")


def key_numbers(result, rows: _Rows) -> Bullets:
    days = pd.DatetimeIndex(result.days[result.window])
    items = [Item(f"{_span(days)} ({len(days)} days), regions: "
                  f"{', '.join(rows.names.get(c, c) for c in result.regions)}.", lead="Compared days:"),
             Item(f"{result.members} members, seed {result.seed}, as-of date "
                  f"{long_date((result.provenance or {}).get('as_of', days[0] if len(days) else ''))}.",
                  lead="Ensemble:")]
    for scenario in result.scenarios:
        column = "baseline_value" if scenario == result.baseline else "scenario_value"
        source = _compared(result)[0] if scenario == result.baseline else scenario
        levels = [f"{approximate(rows.get(source, ALL, metric).get(column))} {unit}" for metric, unit in ANSWER_METRICS]
        items.append(Item(f"{_join(levels)} (ensemble medians, all regions).", lead=f"{scenario}:"))
    for scenario in _compared(result):
        held = _held(result, scenario, rows)
        if held is not None:
            items.append(Item(f"in {held[0]} of {result.members} members ({held[1]:.0%}).",
                              lead=f"Pause of {scenario} held:"))
    return Bullets(tuple(items))


def comparison_table(result, scenario: str, rows: _Rows) -> Table:
    """Key metrics per region for one scenario, numbers as in comparison.csv, readably formatted."""
    header = ("Region", "Measure", result.baseline, scenario, "Change if held", "Expected change",
              "Median change", "P10", "P90")
    body = []
    for code in [*result.regions, ALL]:
        name = "All regions" if code == ALL else rows.names.get(code, code)
        for metric, label in SUMMARY_METRICS:
            row = rows.get(scenario, code, metric)
            if not row:
                continue
            body.append((name, label, number(row["baseline_value"]), number(row["scenario_value"]),
                         number(row["difference_if_held"], signed=True), number(row["difference_mean"], signed=True),
                         number(row["difference"], signed=True), number(row["difference_p10"], signed=True),
                         number(row["difference_p90"], signed=True)))
    caption = (f"{scenario} against {result.baseline} over the compared days. Levels are ensemble medians; "
               "changes are scenario minus baseline, paired member by member: the median, the mean "
               "(expected), the P10–P90 range, and the median among members in which the pause held. "
               "Full table: comparison.csv.")
    return Table(header, tuple(body), (False, False, *([True] * 7)), caption)


def _scenario_items(result) -> list[Item]:
    from gridimpact.model.scenarios import load_scenario

    items = []
    known = {e.get("name"): e for e in (result.provenance or {}).get("scenarios", []) or []}
    for name in result.scenarios:
        source = (known.get(name) or {}).get("source") or name
        try:
            scenario = load_scenario(source)
        except (GridimpactError, OSError):
            scenario = None
        if scenario is None or scenario.name != name:
            items.append(Item("(its file was not available when the report was written)", lead=f"{name}:"))
            continue
        text = scenario.description or "(no description)"
        # The run may have overridden how often pauses hold (compliance): its record wins.
        used = _holding_probabilities(result, name)
        for position, pause in enumerate(scenario.pauses):
            where = "every modelled region" if "*" in pause.regions else ", ".join(pause.regions)
            fate = "cancelled" if pause.suppressed == "cancel" else "moved to the end of the pause"
            holds = used[position] if position < len(used) else pause.holds_probability
            start, end = (t.astimezone(KYIV) for t in (pause.start, pause.end))
            text += (f" In this run: pause from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} (Kyiv "
                     f"time) in {where}; it holds for its whole window with probability {holds:.2f}, and strikes it "
                     f"suppresses are {fate}.")
        items.append(Item(text, lead=f"{name}:"))
    return items


def assumptions(result) -> list:
    from gridimpact.model.params import specs

    provenance = result.provenance or {}
    blocks: list = [Heading("What this assumes"), Bullets(tuple(_scenario_items(result)))]
    as_of = provenance.get("as_of")
    if as_of:
        blocks.append(Paragraph(f"The scenarios take over at local midnight of {long_date(as_of)}; before that "
                                "every scenario runs on the same observed reports."))
    changed = provenance.get("parameters_changed") or {}
    version = provenance.get("parameters_version", "")
    if changed:
        every = specs()
        items = tuple(Item(f"{value:g} {every[name].unit} (default {every[name].value:g})", lead=f"{name}:")
                      for name, value in changed.items() if name in every)
        blocks += [Paragraph(f"Parameters changed from the defaults (parameter set {version}):"), Bullets(items)]
    else:
        blocks.append(Paragraph(f"Every model parameter is at its default (parameter set {version})."))
    blocks += [Paragraph("Main limits of the model (details in docs/model.md):"),
               Bullets(tuple(Item(text) for text in MODEL_LIMITS))]
    notes = provenance.get("notes") or []
    if notes:
        blocks += [Paragraph("What the readers noted about the inputs:"), Bullets(tuple(Item(n) for n in notes))]
    return blocks


def _link(path: str) -> str | None:
    return path if path.startswith(("https://", "http://")) else None


def _source_item(row: dict) -> Item:
    link = str(row["link"] or "")
    detail = ", ".join(str(row[k]) for k in ("publisher", "published") if row[k])
    text = str(row["title"]) + (f" — {detail}" if detail else "")
    text += f" (confidence {row['confidence']})" if row["confidence"] else ""
    text += f" ({link})" if link and not _link(link) else ""
    return Item(text, lead=f"{row['item']}:", url=_link(link))


def sources(result) -> list:
    """Embedded data sources (datapackage.json), seed-event citations, parameter set and input files."""
    from gridimpact.io.readers.embedded import datapackage
    from gridimpact.io.writers.excel import sources_table

    provenance = result.provenance or {}
    package = datapackage()
    table = sources_table(provenance).fillna("").to_dict(orient="records")
    blocks: list = [Heading("Sources"),
                    Paragraph(f"Embedded data ({package.get('name', '')}, version {package.get('version', '')}; "
                              "files named here are part of that data package):"),
                    Bullets(tuple(_source_item(r) for r in table if r["kind"] == "embedded data"))]
    seeds = tuple(_source_item(r) for r in table if r["kind"] == "seed event")
    if seeds:
        blocks += [Paragraph("Events the scenarios start from (seeds), with their citations "
                             "(confidence H, M or L as in seeds/README.md):"), Bullets(seeds)]
    inputs = provenance.get("inputs") or {}
    files = [Path(str(f)).name for family in ("outages", "temperature", "population") for f in inputs.get(family, [])]
    blocks.append(Bullets((
        Item(f"parameter set {provenance.get('parameters_version', '')}; every parameter's unit, range and "
             "source: `gridimpact params` or the parameters sheet of the Excel workbook.", lead="Model parameters:"),
        Item(f"{inputs.get('name', '')} ({', '.join(files)}).", lead="Inputs of this run:"),
    )))
    return blocks


def report_blocks(result, *, title: str | None = None, pictures: list[Picture] | None = None,
                  figure_note: str | None = None) -> list:
    """The whole document as blocks, ready to render as Markdown or HTML."""
    rows = _Rows(result.comparison)
    compared = _compared(result)
    days = pd.DatetimeIndex(result.days[result.window])
    version = (result.provenance or {}).get("gridimpact_version", "")
    stamp, basis = generated_stamp(result)
    blocks: list = [Heading(title or default_title(result), level=1),
                    Paragraph(f"Generated by gridimpact {version}; dated {stamp} ({basis})."),]
    if not compared or rows.table.empty:
        blocks.append(Paragraph(f"Only one scenario ({result.baseline}) was run, so there is no change to report; "
                                "impacts.csv holds its daily values.", lead="Answer."))
    for scenario in compared:
        blocks.append(answer_paragraph(result, scenario, rows))
    if compared and not rows.table.empty:
        blocks += [Heading("Key numbers"), key_numbers(result, rows)]
        for scenario in compared:
            blocks += [Heading(f"Comparison: {scenario} against {result.baseline}"),
                       comparison_table(result, scenario, rows)]
    if pictures or figure_note:
        blocks.append(Heading("Figures"))
        if figure_note:
            blocks.append(Paragraph(figure_note))
        blocks += list(pictures or [])
    blocks += assumptions(result)
    blocks += sources(result)
    blocks.append(Paragraph(f"Tables: comparison.csv (every compared metric, region and scenario) and impacts.csv "
                            f"(daily values of every metric over the {len(days)} compared days, with P10 and P90)."))
    return blocks


def default_title(result) -> str:
    days = pd.DatetimeIndex(result.days[result.window])
    compared = _compared(result)
    what = (f"What {compared[0]} changes against {result.baseline}" if len(compared) == 1
            else f"Scenarios against {result.baseline}" if compared else f"Impacts under {result.baseline}")
    return f"{what}: power, heat and indoor cold, {_span(days)}"


def _check_target(directory: Path) -> None:
    """Refuse to replace a file, or a folder holding anything but a previous report."""
    if not directory.exists():
        return
    if not directory.is_dir():
        raise OutputError(f"cannot write the report into {directory}: it is a file, not a folder")
    foreign = sorted(p.name for p in directory.iterdir() if p.name not in REPORT_FILES)
    if foreign:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise OutputError(f"{directory} holds files that are not part of a report ({shown}); the report replaces "
                          "its folder as a whole, so choose a new or empty folder")


def _draw(result, staging: Path) -> tuple[list[Picture], str | None]:
    """Figures saved under ``staging/figures``; a note instead when matplotlib is not installed."""
    from gridimpact.report import figures

    try:
        figures.require_matplotlib()
    except MissingExtraError:
        return [], ("Figures were not drawn because matplotlib is not installed "
                    "(pip install 'gridimpact[plot]'); the tables above hold every number.")
    folder = staging / "figures"
    pictures = []
    if _compared(result) and not result.comparison.empty:
        path = figures.save_figure(figures.comparison_figure(result), folder / "comparison.png")
        pictures.append(Picture("figures/comparison.png",
                                "Change against the baseline by region: median with P10–P90 whiskers, the change "
                                "if the pause held and the expected change.", path.read_bytes()))
    codes = list(result.regions) + ([ALL] if result.daily is not None and len(result.regions) > 1 else [])
    names = _Rows(result.comparison).names
    for code in codes:
        name = "all regions" if code == ALL else names.get(code, code)
        path = figures.save_figure(figures.timeseries_figure(result, code), folder / f"timeseries_{code}.png")
        pictures.append(Picture(f"figures/timeseries_{code}.png",
                                f"Daily people without power, without heating and below 12 °C indoors in {name}: "
                                "ensemble median and P10–P90 range per scenario; compared days shaded.",
                                path.read_bytes()))
    return pictures, None


def write_report(result, directory: Path, *, figures: bool = True, title: str | None = None) -> list[Path]:
    """Write the summary folder of a comparison; returns the files written.

    ``directory`` gets report.md, report.html (self-contained), figures/*.png (unless ``figures`` is
    False), comparison.csv and impacts.csv. It is replaced as a whole once everything is written, so
    a failure leaves a previous report untouched; a folder that holds other files is refused
    (OutputError) rather than replaced.
    """
    directory = Path(directory).absolute()
    _check_target(directory)
    with staged_directory(directory) as staging:
        pictures, note = _draw(result, staging) if figures else ([], None)
        blocks = report_blocks(result, title=title, pictures=pictures, figure_note=note)
        heading = blocks[0].text
        written = [write_text(staging / "report.md", markdown(blocks)),
                   write_text(staging / "report.html", html_document(blocks, heading)),
                   *(staging / p.path for p in pictures),
                   write_table(result.comparison, staging / "comparison.csv", "csv"),
                   write_table(result.impacts, staging / "impacts.csv", "csv")]
        relative = [Path(p).relative_to(staging) for p in written]
    return [directory / r for r in relative]
