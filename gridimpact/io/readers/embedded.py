"""The embedded default case: Kyiv city, Odesa, Kharkiv and Donetsk oblasts, winter 2025/26.

The files live in ``data/`` (shipped inside the package) and are described, with their sources and
licences, by ``data/datapackage.json``; ``data/SOURCES.md`` explains them for people.
"""

from __future__ import annotations

import csv
import difflib
import json
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

from gridimpact.errors import GridimpactError, OutputError
from gridimpact.io.atomic import ensure_directory, write_bytes
from gridimpact.resources import data_dir

CASE_NAME = "winter-2025-26"
DEFAULT_AS_OF = date(2026, 1, 30)
"""The day after the announcement of 29 January 2026: the scenarios take over from its midnight."""
DEFAULT_HORIZON_DAYS = 14
POPULATION_BASES = {
    "current": "population_current.csv",
    "cod-ps-2022": "population_cod_ps_2022.csv",
}
"""current: best present-day estimates for the seed regions (displacement, the government-controlled
part of Donetsk oblast); cod-ps-2022: the OCHA COD-PS 2022 pre-invasion projection for every oblast."""


def default_files(population_basis: str = "current") -> dict[str, list[Path]]:
    """Paths of the embedded inputs by family."""
    if population_basis not in POPULATION_BASES:
        raise GridimpactError(f"unknown population basis '{population_basis}'; choose {', '.join(POPULATION_BASES)}")
    folder = data_dir()
    return {
        "outages": [folder / "outages.csv"],
        "temperature": [folder / "temperature_daily.csv"],
        "population": [folder / POPULATION_BASES[population_basis]],
    }




@cache
def datapackage() -> dict:
    """``data/datapackage.json`` as a dict."""
    with open(data_dir() / "datapackage.json", encoding="utf-8") as handle:
        return json.load(handle)


def resources() -> list[dict]:
    return list(datapackage().get("resources", []))


def resource(name: str) -> dict:
    by_name = {r["name"]: r for r in resources()}
    by_path = {Path(r["path"]).name: r for r in resources()}
    found = by_name.get(name) or by_path.get(name)
    if found is None:
        close = difflib.get_close_matches(name, list(by_name), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; available: {', '.join(by_name)}"
        raise GridimpactError(f"no embedded dataset '{name}'{hint}")
    return found


def export(directory: Path, *, force: bool = False) -> list[Path]:
    """Copy the embedded inputs as editable CSV (plus their datapackage.json) into ``directory``.

    Every command accepts the folder back: ``gridimpact validate --outages DIR/outages.csv`` or
    ``gridimpact compare DIR``. Files already in ``directory`` that differ from the embedded ones
    (edited copies) are overwritten only with ``force``; otherwise nothing is written and an
    OutputError names them.
    """
    directory = Path(directory)
    names = [Path(entry["path"]).name for entry in resources()] + ["datapackage.json"]
    sources = [data_dir() / entry["path"] for entry in resources()] + [data_dir() / "datapackage.json"]
    if (data_dir() / "SOURCES.md").exists():
        names.append("SOURCES.md")
        sources.append(data_dir() / "SOURCES.md")
    planned = [(directory / name, source.read_bytes()) for name, source in zip(names, sources, strict=True)]
    changed = [target for target, content in planned if target.exists() and not _same_bytes(target, content)]
    if changed and not force:
        raise OutputError(f"{directory}: {len(changed)} file(s) differ from the embedded ones and would be "
                          f"overwritten: {', '.join(p.name for p in changed)}; pass --force (force=True) to "
                          "overwrite them, or export into another folder")
    directory = ensure_directory(directory)
    return [write_bytes(target, content) for target, content in planned]


def _same_bytes(path: Path, content: bytes) -> bool:
    try:
        return path.is_file() and path.read_bytes() == content
    except OSError:
        return False


@cache
def source_registry() -> dict[str, dict]:
    """``data/sources.csv`` by id."""
    with open(data_dir() / "sources.csv", encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def cited_sources(name: str) -> list[tuple[str, int]]:
    """The sources an embedded file's rows cite, most cited first: (description, rows citing it).

    Source cells hold ids of ``data/sources.csv`` or URLs and citations, several separated by ' ; '.
    """
    entry = resource(name)
    registry = source_registry()
    counts: Counter[str] = Counter()
    with open(data_dir() / entry["path"], encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for column, cell in row.items():
                if not column or not (column == "source" or column == "sources" or column.startswith("source_")):
                    continue
                for part in (p.strip() for p in re.split(r"\s+;\s+", cell or "")):
                    if not part:
                        continue
                    known = registry.get(part)
                    label = (f"{known['publisher']}: {known['title']} — {known['url'] or 'no URL'} [{known['confidence']}]"
                             if known else part)
                    counts[label] += 1
    return counts.most_common()
