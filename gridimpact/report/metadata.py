"""What a run rests on, as tables: about (versions, inputs, ensemble), sources (embedded data and
seed-event citations) and parameters (value used, unit, range, source). The xlsx workbooks carry
them as sheets and the report lists the sources."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridimpact.io.readers.embedded import resources
from gridimpact.io.readers.scenarios import seed_events
from gridimpact.model.params import specs


def cited_seeds(metadata: dict) -> list[str]:
    """Seed event ids named by the scenarios of a provenance record, in first-seen order."""
    seen: dict[str, None] = {}
    for scenario in metadata.get("scenarios", []) or []:
        for seed in scenario.get("seeds", []) or []:
            seen.setdefault(str(seed), None)
    return list(seen)


def sources_table(metadata: dict) -> pd.DataFrame:
    """The sources behind a run: embedded data (datapackage.json) and seed-event citations.

    Columns: ``kind`` (``embedded data`` or ``seed event``), ``item`` (the data file or the seed id),
    ``title``, ``publisher``, ``published``, ``confidence`` (H, M, L as in seeds/README.md) and
    ``link`` (a URL, or a file of the embedded data package).
    """
    rows = []
    for resource in resources():
        for source in resource.get("sources", []):
            rows.append({"kind": "embedded data", "item": resource.get("path", resource.get("name", "")),
                         "title": source.get("title", ""), "publisher": "", "published": "", "confidence": "",
                         "link": source.get("path", "")})
    events = seed_events()
    for seed in cited_seeds(metadata):
        event = events.get(seed, {})
        citations = event.get("citations", [])
        if not citations:
            rows.append({"kind": "seed event", "item": seed, "title": "(no citation recorded)", "publisher": "",
                         "published": "", "confidence": "", "link": ""})
        for citation in citations:
            rows.append({"kind": "seed event", "item": seed, "title": citation.get("title", ""),
                         "publisher": citation.get("publisher", ""), "published": str(citation.get("published", "")),
                         "confidence": citation.get("confidence", ""), "link": citation.get("url", "")})
    return pd.DataFrame(rows, columns=["kind", "item", "title", "publisher", "published", "confidence", "link"])


def parameters_table(metadata: dict) -> pd.DataFrame:
    """Every model parameter: the value used, unit, default, range, sampling, confidence and source.

    The value used is the default unless ``metadata["parameters_changed"]`` overrides it;
    ``changed`` says which did.
    """
    changed = metadata.get("parameters_changed", {}) or {}
    rows = []
    for name, spec in specs().items():
        rows.append({"name": name, "value": float(changed.get(name, spec.value)), "unit": spec.unit,
                     "default": float(spec.value), "low": float(spec.low), "high": float(spec.high),
                     "sampled": spec.sample, "confidence": spec.confidence, "changed": name in changed,
                     "description": " ".join(spec.description.split()), "source": spec.source})
    return pd.DataFrame(rows)


def about_table(metadata: dict) -> pd.DataFrame:
    """The run in ``item, value`` rows: versions, inputs (file names only), period, ensemble, notes."""
    rows: list[tuple[str, str]] = []

    def add(item: str, value) -> None:
        if value not in (None, "", [], {}):
            rows.append((item, str(value)))

    add("gridimpact version", metadata.get("gridimpact_version"))
    add("parameters version", metadata.get("parameters_version"))
    inputs = metadata.get("inputs", {}) or {}
    add("inputs", inputs.get("name"))
    for family in ("outages", "temperature", "population"):
        add(f"{family} files", ", ".join(Path(str(f)).name for f in inputs.get(family, []) or []))
    period = metadata.get("period", {}) or {}
    if period:
        add("simulated period", f"{period.get('start')} to {period.get('end')}")
    add("as-of date", metadata.get("as_of"))
    add("days compared", metadata.get("days"))
    add("regions", ", ".join(metadata.get("regions", []) or []))
    for pcode, basis in (metadata.get("population_basis", {}) or {}).items():
        add(f"population basis {pcode}", basis)
    add("ensemble members", metadata.get("members"))
    members = metadata.get("members") or 0
    for pcode, count in (metadata.get("region_members", {}) or {}).items():
        if count > members:  # a region given more for a steady headline (model.refinement)
            add(f"ensemble members {pcode}", count)
    add("seed", metadata.get("seed"))
    for scenario in metadata.get("scenarios", []) or []:
        holds = scenario.get("pause_holds_probability") or []
        text = scenario.get("source", "")
        if holds:
            text += f"; pause holds with probability {', '.join(f'{p:g}' for p in holds)}"
        add(f"scenario {scenario.get('name')}", text)
    for name, value in (metadata.get("parameters_changed", {}) or {}).items():
        add(f"parameter changed: {name}", value)
    for number, note in enumerate(metadata.get("notes", []) or [], start=1):
        add(f"note {number}", note)
    return pd.DataFrame(rows, columns=["item", "value"])


def metadata_sheets(metadata: dict) -> dict[str, pd.DataFrame]:
    return {"about": about_table(metadata), "sources": sources_table(metadata),
            "parameters": parameters_table(metadata)}
