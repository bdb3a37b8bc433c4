"""Writing results to files: each table in each format of the registry (``formats``), the hourly
dataset as NetCDF. Every file is written atomically (``io.atomic``); rows keep the order the
results give them, so output is deterministic.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from gridimpact.errors import require
from gridimpact.io.atomic import atomic_path, ensure_directory, write_text
from gridimpact.io.writers.excel import write_workbook
from gridimpact.io.writers.formats import FORMATS, TEXT_FORMATS, suffix
from gridimpact.io.writers.ownership import first_columns, refuse_to_replace_others
from gridimpact.io.writers.text import table_text


def _parquet(frame: pd.DataFrame, target: Path, hxl: bool) -> Path:
    require("pyarrow", "Writing Parquet", "parquet")
    with atomic_path(target) as temporary:
        frame.to_parquet(temporary, index=False)
    return target


_TABLE_WRITERS = {
    **{name: (lambda fmt: lambda frame, target, hxl: write_text(target, table_text(frame, fmt, hxl=hxl)))(name)
       for name in TEXT_FORMATS},
    "parquet": _parquet,
    "xlsx": lambda frame, target, hxl: write_workbook({target.stem: frame}, target),
}


def write_table(frame: pd.DataFrame, target: Path, fmt: str, *, hxl: bool = False) -> Path:
    """Write one table in one format, atomically; returns the path written."""
    if fmt not in _TABLE_WRITERS:
        raise ValueError(f"unknown table format {fmt!r}")
    return _TABLE_WRITERS[fmt](frame, Path(target), hxl)


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


def write_estimate(result, directory: Path, formats: tuple[str, ...], *, hxl: bool = False,
                   extra_sheets: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    """The daily table in each table format, the hourly dataset for ``netcdf``.

    ``extra_sheets`` (about, sources, parameters) follow the table in an xlsx workbook."""
    targets = {directory / f"daily{suffix(fmt)}": first_columns(result.daily)
               for fmt in formats if not FORMATS[fmt].dataset}
    if result.hourly is not None:
        # NetCDF-4 keeps variable names at the file's end, its global attributes at the start
        targets.update({directory / f"hourly{suffix(fmt)}": (str(result.hourly.attrs.get("title", "gridimpact")),)
                        for fmt in formats if FORMATS[fmt].dataset})
    refuse_to_replace_others(targets)
    ensure_directory(directory)
    written = []
    for fmt in formats:
        if fmt == "xlsx":
            written.append(write_workbook({"daily": result.daily, **(extra_sheets or {})},
                                          directory / "daily.xlsx"))
        elif FORMATS[fmt].dataset:
            if result.hourly is None:
                raise ValueError("no hourly dataset to write: run estimate with hourly=True")
            written.append(write_netcdf(result.hourly, directory / f"hourly{suffix(fmt)}"))
        else:
            written.append(write_table(result.daily, directory / f"daily{suffix(fmt)}", fmt, hxl=hxl))
    return written


def write_comparison(result, directory: Path, formats: tuple[str, ...], *, hxl: bool = False,
                     extra_sheets: dict[str, pd.DataFrame] | None = None) -> list[Path]:
    """impacts.* and comparison.* in each table format (one workbook for xlsx)."""
    targets = {}
    for fmt in formats:
        if fmt == "xlsx":
            targets[directory / "comparison.xlsx"] = first_columns(result.impacts)
        elif not FORMATS[fmt].dataset:
            targets[directory / f"impacts{suffix(fmt)}"] = first_columns(result.impacts)
            targets[directory / f"comparison{suffix(fmt)}"] = first_columns(result.comparison)
    refuse_to_replace_others(targets)
    ensure_directory(directory)
    written = []
    for fmt in formats:
        if FORMATS[fmt].dataset:
            raise ValueError("compare writes tables; use csv, parquet, json, markdown or xlsx")
        if fmt == "xlsx":
            written.append(write_workbook({"impacts": result.impacts, "comparison": result.comparison,
                                           **(extra_sheets or {})}, directory / "comparison.xlsx"))
            continue
        written.append(write_table(result.impacts, directory / f"impacts{suffix(fmt)}", fmt, hxl=hxl))
        written.append(write_table(result.comparison, directory / f"comparison{suffix(fmt)}", fmt, hxl=hxl))
    return written
