"""Helpers shared by the regeneration tests: a small, fast configuration and views of a folder."""

from __future__ import annotations

import json
from pathlib import Path

SMALL_RUN = """
[run]
job = "compare"
members = 2
seed = {seed}
days = 3
regions = ["Kyiv", "Odesa"]
"""


def config(folder: Path, seed: int = 11, outputs: str = '[outputs]\ndirectory = "out"\n', inputs: str = "") -> Path:
    path = folder / "regenerate.toml"
    path.write_text(inputs + SMALL_RUN.format(seed=seed) + outputs, encoding="utf-8")
    return path


def reseed(path: Path, seed: int) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index("seed = ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"seed = {seed}" + text[end:], encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def beside(folder: Path) -> set[str]:
    """What lies beside the output folder, apart from the configuration and the lock file."""
    return {p.name for p in folder.iterdir()} - {"regenerate.toml", ".out.lock"}


def listed(out: Path) -> set[str]:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"] for r in package["resources"]}
