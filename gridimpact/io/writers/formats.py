"""The output formats: one registry that the writers, the CLI, ``regenerate`` and the docs read.

Importing this module is cheap (no pandas), so the CLI can build its ``--format`` choices from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str
    description: str
    dataset: bool = False
    """Writes the hourly dataset (``estimate`` only), not the tables."""
    text: bool = False
    """Text, so that a table can go to standard output (``-o -``)."""
    extra: tuple[str, str] | None = None
    """(module it needs, the gridimpact extra that installs it)."""


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("csv", ".csv", "comma-separated text, UTF-8; with --hxl an HXL hashtag row under the header", text=True),
    Format("tsv", ".tsv", "tab-separated text, UTF-8 (cells holding a tab are quoted)", text=True),
    Format("parquet", ".parquet", "Apache Parquet, typed columns", extra=("pyarrow", "parquet")),
    Format("json", ".json", "a list of records; dates as YYYY-MM-DD", text=True),
    Format("markdown", ".md", "a GitHub-flavoured Markdown table", text=True),
    Format("xlsx", ".xlsx", "an Excel workbook with about, sources and parameters sheets", extra=("openpyxl", "excel")),
    Format("netcdf", ".nc", "the hourly dataset as NetCDF-4 (estimate only)", dataset=True),
)}

ALIASES = {"excel": "xlsx", "md": "markdown", "nc": "netcdf"}

JOB_FORMATS = {
    "compare": tuple(name for name, f in FORMATS.items() if not f.dataset),
    "estimate": tuple(FORMATS),
}
"""The formats each job writes."""

TEXT_FORMATS = tuple(name for name, f in FORMATS.items() if f.text)
"""Formats a table can be written in to standard output."""


def suffix(name: str) -> str:
    return FORMATS[name].suffix
