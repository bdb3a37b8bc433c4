"""Writing tables and datasets: CSV or TSV (optionally with an HXL row), Parquet, JSON, Markdown, NetCDF.

Every file is written atomically (``io.atomic``). Output is deterministic: rows sorted by their key
columns, floats in Python's shortest round-trip form, ``\\n`` line ends, no wall-clock time.
Text cells that a spreadsheet would evaluate as a formula (starting with ``=``, ``+``, ``-`` or
``@``) are prefixed with an apostrophe in CSV, as OWASP's CSV-injection guidance recommends.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from gridimpact.errors import require
from gridimpact.io.atomic import atomic_path, ensure_directory, write_text

TABLE_FORMATS = ("csv", "tsv", "parquet", "json", "markdown")
TEXT_FORMATS = ("csv", "tsv", "json", "markdown")
"""Formats that are text, so that a table can go to standard output."""
FORMAT_SUFFIX = {"csv": ".csv", "tsv": ".tsv", "parquet": ".parquet", "json": ".json", "markdown": ".md", "netcdf": ".nc",
                 "xlsx": ".xlsx"}
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
    from gridimpact.io.hxl import hxl_tag

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
    """A table as the text of one of ``TEXT_FORMATS``, exactly as its file would hold it."""
    if fmt in ("csv", "tsv"):
        return csv_text(frame, hxl=hxl, separator="\t" if fmt == "tsv" else ",")
    if fmt == "json":
        return json_text(frame)
    if fmt == "markdown":
        return markdown_text(frame)
    raise ValueError(f"{fmt} is not a text format; text formats: {', '.join(TEXT_FORMATS)}")


def markdown_text(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (no optional dependency needed)."""
    def cell(value) -> str:
        if isinstance(value, float):
            text = f"{value:,.1f}" if abs(value) >= 100 else f"{value:.2f}"
        elif isinstance(value, int | np.integer):
            text = f"{int(value):,}"
        else:
            text = str(value)
        return text.replace("|", "\\|")

    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    lines = ["| " + " | ".join(frame.columns) + " |",
             "| " + " | ".join("---:" if n else "---" for n in numeric) + " |"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def json_text(frame: pd.DataFrame) -> str:
    """A list of records; calendar dates as ``YYYY-MM-DD`` strings, times in ISO 8601."""
    import datetime

    frame = frame.copy()
    for column in frame.columns:
        first = frame[column].dropna().head(1)
        if len(first) and isinstance(first.iloc[0], datetime.date) and not isinstance(first.iloc[0], datetime.datetime):
            frame[column] = frame[column].astype(str)
    records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def write_table(frame: pd.DataFrame, target: Path, fmt: str, *, hxl: bool = False) -> Path:
    """Write one table in one format, atomically; returns the path written."""
    target = Path(target)
    if fmt in TEXT_FORMATS:
        return write_text(target, table_text(frame, fmt, hxl=hxl))
    if fmt == "parquet":
        require("pyarrow", "Writing Parquet", "parquet")
        with atomic_path(target) as temporary:
            frame.to_parquet(temporary, index=False)
        return target
    if fmt == "xlsx":
        from gridimpact.io.excel import write_workbook

        return write_workbook({target.stem: frame}, target)
    raise ValueError(f"unknown table format {fmt!r}")


def write_netcdf(dataset, target: Path) -> Path:
    """Write an xarray Dataset as NetCDF-4 (h5netcdf), with the time axis CF-encoded in hours."""
    encoding = {}
    if "time" in dataset.coords:
        encoding["time"] = {"units": "hours since 1970-01-01 00:00:00", "calendar": "proleptic_gregorian",
                            "dtype": "int64"}
    for name, variable in dataset.data_vars.items():
        if variable.dtype.kind == "f":
            encoding[name] = {"zlib": True, "complevel": 4}
    with atomic_path(Path(target)) as temporary:
        dataset.to_netcdf(temporary, engine="h5netcdf", encoding=encoding)
    return Path(target)


def write_estimate(result, directory: Path, formats: tuple[str, ...], *, hxl: bool = False) -> list[Path]:
    """The daily table in each table format, the hourly dataset for ``netcdf``."""
    ensure_directory(directory)
    written = []
    for fmt in formats:
        if fmt == "xlsx":
            from gridimpact.io.excel import write_workbook

            written.append(write_workbook({"daily": result.daily}, directory / "daily.xlsx",
                                          metadata=result.provenance))
        elif fmt == "netcdf":
            if result.hourly is None:
                raise ValueError("no hourly dataset to write: run estimate with hourly=True")
            written.append(write_netcdf(result.hourly, directory / "hourly.nc"))
        else:
            written.append(write_table(result.daily, directory / f"daily{FORMAT_SUFFIX[fmt]}", fmt, hxl=hxl))
    return written


def write_comparison(result, directory: Path, formats: tuple[str, ...], *, hxl: bool = False) -> list[Path]:
    """impacts.* and comparison.* in each table format."""
    ensure_directory(directory)
    written = []
    for fmt in formats:
        if fmt == "netcdf":
            raise ValueError("compare writes tables; use csv, parquet, json, markdown or xlsx")
        if fmt == "xlsx":
            from gridimpact.io.excel import write_comparison_workbook

            written.append(write_comparison_workbook(result, directory / "comparison.xlsx"))
            continue
        suffix = FORMAT_SUFFIX[fmt]
        written.append(write_table(result.impacts, directory / f"impacts{suffix}", fmt, hxl=hxl))
        written.append(write_table(result.comparison, directory / f"comparison{suffix}", fmt, hxl=hxl))
    return written
