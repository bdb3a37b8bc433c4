"""Tables as text: CSV (optionally with an HXL row), JSON records and Markdown.

Output is deterministic: floats in Python's shortest round-trip form, ``\n`` line ends. Text
cells that a spreadsheet would evaluate as a formula (starting with ``=``, ``+``, ``-`` or ``@``)
are prefixed with an apostrophe, as OWASP's CSV-injection guidance recommends.
"""

from __future__ import annotations

import datetime
import html
import json

import numpy as np
import pandas as pd

from gridimpact.io.writers.hxl import hxl_tag

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that start like a spreadsheet formula with an apostrophe."""
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            text = series.astype(str)
            risky = series.notna() & text.str.startswith(_FORMULA_START)
            if risky.any():
                result[column] = series.where(~risky, "'" + text)
    return result


def hxl_row(columns: list[str]) -> list[str]:
    """The HXL hashtag for each column (empty where none is defined)."""
    return [hxl_tag(c) for c in columns]


def csv_text(frame: pd.DataFrame, *, hxl: bool = False, separator: str = ",") -> str:
    """CSV text (``separator="\\t"`` gives TSV; a cell holding a tab is then quoted as in CSV)."""
    frame = neutralise_formulas(frame)
    body = frame.to_csv(index=False, lineterminator="\n", sep=separator)
    if not hxl:
        return body
    header, _, rest = body.partition("\n")
    tags = separator.join(hxl_row(list(frame.columns)))
    return f"{header}\n{tags}\n{rest}"


def table_text(frame: pd.DataFrame, fmt: str, *, hxl: bool = False) -> str:
    """A table as the text of a text format (csv, tsv, json, markdown), exactly as its file holds it."""
    if fmt in ("csv", "tsv"):
        return csv_text(frame, hxl=hxl, separator="\t" if fmt == "tsv" else ",")
    if fmt == "json":
        return json_text(frame)
    if fmt == "markdown":
        return markdown_text(frame)
    raise ValueError(f"{fmt} is not a text format")


def markdown_text(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (no optional dependency needed).

    Text is HTML-escaped (``<`` as ``&lt;``): scenario names and other input text must not reach a
    Markdown renderer as raw HTML.
    """
    def cell(value) -> str:
        if isinstance(value, float):
            text = f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
        elif isinstance(value, int | np.integer):
            text = f"{int(value):,}"
        else:
            text = str(value)
        return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")

    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = ["| " + " | ".join(cell(str(c)) for c in frame.columns) + " |",
             "| " + " | ".join("---:" if n else "---" for n in numeric) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def json_text(frame: pd.DataFrame) -> str:
    """A list of records; calendar dates as ``YYYY-MM-DD`` strings, times in ISO 8601."""
    frame = frame.copy()
    for column in frame.columns:
        first = frame[column].dropna().head(1)
        if len(first) and isinstance(first.iloc[0], datetime.date) and not isinstance(first.iloc[0], datetime.datetime):
            frame[column] = frame[column].astype(str)
    records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
