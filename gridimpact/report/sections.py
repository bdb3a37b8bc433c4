"""The document's closing sections: what the numbers assume, and where they come from."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from gridimpact.io.readers.embedded import datapackage
from gridimpact.model.params import specs
from gridimpact.report.context import holding_probabilities, load_named_scenario
from gridimpact.report.metadata import sources_table
from gridimpact.report.numbers import long_date
from gridimpact.report.render import Bullets, Heading, Item, Paragraph
from gridimpact.vocab import TIMEZONE

KYIV = ZoneInfo(TIMEZONE)

MODEL_LIMITS = (
    "Indoor temperature comes from a two-node (air and building mass) model per building class (panel "
    "block, brick block, house) fitted to five residents' reports from Kyiv; single flats differ more.",
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


def _scenario_items(result) -> list[Item]:
    items = []
    for name in result.scenarios:
        scenario = load_named_scenario(result, name)
        if scenario is None:
            items.append(Item("(not recorded with this result)", lead=f"{name}:"))
            continue
        text = scenario.description or "(no description)"
        # The run may have overridden how often pauses hold (compliance): its record wins.
        used = holding_probabilities(result, name)
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

    provenance = result.provenance or {}
    blocks: list = [Heading("What this assumes"), Bullets(tuple(_scenario_items(result)))]
    as_of = provenance.get("as_of")
    if as_of:
        blocks.append(Paragraph(f"The scenarios take over at local midnight of {long_date(as_of)}; before that "
                                "every scenario runs on the same observed reports."))
    basis = provenance.get("population_basis") or {}
    if basis:
        blocks += [Paragraph("What each region's population counts:"),
                   Bullets(tuple(Item(text, lead=f"{code}:") for code, text in basis.items()))]
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
             "source: the command gridimpact params, or the parameters sheet of the Excel workbook.", lead="Model parameters:"),
        Item(f"{inputs.get('name', '')} ({', '.join(files)}).", lead="Inputs of this run:"),
    )))
    return blocks


