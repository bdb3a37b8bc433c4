"""Excel workbooks for situation reports: one sheet per table, plus where the numbers come from.

Each sheet has a bold, frozen header row with a filter, columns sized to their content, numbers
stored as numbers (shown with thousands separators and as many decimals as the values carry),
dates stored as dates. Text that a spreadsheet would run as a formula is neutralised the way the
CSV writer does it (``io.writers.text.neutralise_formulas``).

The result workbooks also carry the ``about``, ``sources`` and ``parameters`` sheets, built by
``gridimpact.report.metadata`` from the run's provenance and handed in like any other table.

The file is byte-for-byte reproducible: openpyxl stamps the current time into ``docProps/core.xml``
and every zip entry, so both are replaced by a fixed time — ``SOURCE_DATE_EPOCH`` when set
(https://reproducible-builds.org/specs/source-date-epoch/), else 1980-01-01, the earliest time a zip
entry can hold.
"""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from gridimpact.errors import GridimpactError, OutputError, require
from gridimpact.io.atomic import atomic_path
from gridimpact.io.writers.text import neutralise_formulas

# Limits from Microsoft's "Excel specifications and limits"
# (https://support.microsoft.com/en-us/office/excel-specifications-and-limits-1672b34d-7043-467e-8e27-269d656771c3)
# and the sheet-naming rules of Excel (31 characters, none of : \ / ? * [ ]).
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELL_TEXT = 32_767
MAX_SHEET_NAME = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[:\\/?*\[\]]")
_RESERVED_SHEET_NAMES = {"history"}

ZIP_EPOCH = datetime(1980, 1, 1)
"""The zip format stores local date-times from 1980 to 2107; the default stamp is the earliest."""
_ZIP_LATEST = datetime(2107, 12, 31, 23, 59, 58)

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
MAX_DECIMALS = 4
"""Floats needing more decimals than this are shown with Excel's General format (all digits kept)."""
MIN_WIDTH, MAX_WIDTH = 8, 60
"""Column widths in Excel character units."""

METADATA_SHEETS = ("about", "sources", "parameters")


def source_date_epoch() -> datetime | None:
    """The time in ``SOURCE_DATE_EPOCH`` (UTC, naive) or None when unset.

    The variable holds whole seconds since 1970-01-01 UTC; any other value is an error, as the
    specification asks, so that a misconfigured build does not silently stamp another time.
    """
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise GridimpactError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01 UTC, got {text!r}")
    return datetime.fromtimestamp(int(text), tz=UTC).replace(tzinfo=None)


def file_timestamp() -> datetime:
    """The time stamped into workbooks: ``SOURCE_DATE_EPOCH`` within the zip range, else 1980-01-01."""
    stamp = source_date_epoch() or ZIP_EPOCH
    return min(max(stamp, ZIP_EPOCH), _ZIP_LATEST)


# --- Sheet names -------------------------------------------------------------------------------------

def sheet_names(names) -> list[str]:
    """Valid, unique Excel sheet names for ``names``, in order.

    Forbidden characters become ``_``, names are cut to 31 characters, leading and trailing
    apostrophes are dropped, an empty name becomes ``Sheet`` and the reserved ``History`` becomes
    ``History_``; a name equal to an earlier one (Excel ignores case) gets ``~2``, ``~3``…
    """
    result: list[str] = []
    taken: set[str] = set()
    for raw in names:
        name = _SHEET_NAME_FORBIDDEN.sub("_", str(raw)).strip().strip("'") or "Sheet"
        if name.casefold() in _RESERVED_SHEET_NAMES:
            name += "_"
        name = name[:MAX_SHEET_NAME]
        candidate, number = name, 1
        while candidate.casefold() in taken:
            number += 1
            suffix = f"~{number}"
            candidate = name[: MAX_SHEET_NAME - len(suffix)] + suffix
        taken.add(candidate.casefold())
        result.append(candidate)
    return result


# --- Cells -------------------------------------------------------------------------------------------

class _Column:
    """One column ready to write: python values, the number format and the width."""

    def __init__(self, header: str, values: list, number_format: str | None, width: float):
        self.header = header
        self.values = values
        self.number_format = number_format
        self.width = width


def _clean_text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters cannot be stored in the XML of a sheet; show where they were.
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


def _decimals(values: np.ndarray) -> int | None:
    """Fewest decimals (0 … MAX_DECIMALS) that show every value exactly, None if more are needed."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0
    for decimals in range(MAX_DECIMALS + 1):
        if np.allclose(np.round(finite, decimals), finite, rtol=0, atol=1e-9 * max(1.0, np.abs(finite).max())):
            return decimals
    return None


def _number_format(decimals: int | None) -> str | None:
    if decimals is None:
        return None
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _width(header: str, texts) -> float:
    longest = max((len(t) for t in texts), default=0)
    return float(min(MAX_WIDTH, max(MIN_WIDTH, len(header) + 2, longest + 2)))


def _is_date(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _column(header: str, series: pd.Series) -> _Column:
    """Python values of one column and how to show them."""
    dtype = series.dtype
    missing = series.isna().to_numpy()
    if pd.api.types.is_bool_dtype(dtype):
        values = [None if m else bool(v) for v, m in zip(series.tolist(), missing, strict=True)]
        return _Column(header, values, None, _width(header, ["FALSE"]))
    if pd.api.types.is_integer_dtype(dtype):
        values = [None if m else int(v) for v, m in zip(series.tolist(), missing, strict=True)]
        texts = [f"{v:,}" for v in values if v is not None]
        return _Column(header, values, "#,##0", _width(header, texts))
    if pd.api.types.is_float_dtype(dtype):
        array = series.to_numpy(dtype=float, na_value=np.nan)
        decimals = _decimals(array)
        values = [float(v) if math.isfinite(v) else None for v in array.tolist()]
        if decimals is None:
            texts = [f"{v:.10g}" for v in values if v is not None]
        else:
            texts = [f"{v:,.{decimals}f}" for v in values if v is not None]
        return _Column(header, values, _number_format(decimals), _width(header, texts))
    if isinstance(dtype, pd.DatetimeTZDtype):
        # Excel has no time zones: keep the instant exactly, as ISO 8601 text with its offset.
        values = [None if m else v.isoformat() for v, m in zip(series.tolist(), missing, strict=True)]
        return _text_column(header, values)
    if pd.api.types.is_datetime64_dtype(dtype):
        stamps = pd.DatetimeIndex(series)
        midnight = bool((stamps[~missing] == stamps[~missing].normalize()).all())
        values = [None if m else v.to_pydatetime() for v, m in zip(stamps, missing, strict=True)]
        fmt = DATE_FORMAT if midnight else DATETIME_FORMAT
        return _Column(header, values, fmt, _width(header, ["x" * len(fmt)]))
    present = [v for v, m in zip(series.tolist(), missing, strict=True) if not m]
    if present and all(_is_date(v) for v in present):
        values = [None if m else v for v, m in zip(series.tolist(), missing, strict=True)]
        return _Column(header, values, DATE_FORMAT, _width(header, ["yyyy-mm-dd"]))
    if present and all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)
                       for v in present):
        return _column(header, pd.to_numeric(series))
    values = [None if m else (v if isinstance(v, str) else str(v)) for v, m in zip(series.tolist(), missing, strict=True)]
    return _text_column(header, values)


def _text_column(header: str, values: list) -> _Column:
    return _Column(header, values, None, _width(header, [v for v in values if v is not None]))


def _prepared(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cleaned of characters XML cannot hold, then formulas neutralised (in that order, so that
    removing a control character cannot uncover a leading ``=``)."""
    frame = frame.reset_index(drop=True).copy()
    frame.columns = [str(c) for c in frame.columns]
    for column in frame.columns:
        series = frame[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            series = series.map(lambda v: _clean_text(v) if isinstance(v, str) else v)
        frame[column] = series
    headers = neutralise_formulas(pd.DataFrame({"header": [_clean_text(c) for c in frame.columns]}))["header"]
    frame.columns = list(headers)
    return neutralise_formulas(frame)


def _columns(frame: pd.DataFrame, sheet: str) -> list[_Column]:
    rows, columns = frame.shape
    if rows + 1 > MAX_ROWS or columns > MAX_COLUMNS:
        raise OutputError(f"table '{sheet}' has {rows:,} rows and {columns:,} columns; an Excel sheet holds at "
                          f"most {MAX_ROWS - 1:,} rows under its header and {MAX_COLUMNS:,} columns: write CSV or "
                          "Parquet instead")
    prepared = _prepared(frame)
    return [_column(header, prepared.iloc[:, i]) for i, header in enumerate(prepared.columns)]


# --- Writing -----------------------------------------------------------------------------------------

def _fill_sheet(sheet, columns: list[_Column]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    if columns:
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A1:{last}{len(columns[0].values) + 1}"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [c.number_format for c in columns]
    for row in zip(*(c.values for c in columns), strict=True):
        cells = []
        for value, fmt in zip(row, formats, strict=True):
            if value is None or fmt is None:
                cells.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = fmt
                cells.append(cell)
        sheet.append(cells)


def _reproducible_zip(data: bytes, stamp: datetime, core_xml: bytes) -> bytes:
    """The same archive with every entry stamped ``stamp`` and core.xml replaced by ``core_xml``."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            payload = core_xml if entry.filename == "docProps/core.xml" else source.read(entry.filename)
            info = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0       # the same bytes on every operating system
            info.external_attr = 0
            target.writestr(info, payload)
    return output.getvalue()


def write_workbook(sheets: dict[str, pd.DataFrame], target: Path) -> Path:
    """Write tables as one .xlsx, one sheet each, atomically and reproducibly; returns ``target``.

    Parameters
    ----------
    sheets : dict of sheet name → DataFrame
        Written in order; names are made valid for Excel (``sheet_names``).
    target : path
        The .xlsx file; replaced only once the whole workbook is written.
    """
    require("openpyxl", "Writing Excel files", "excel")
    from openpyxl import Workbook
    from openpyxl.packaging.core import DocumentProperties
    from openpyxl.xml.functions import tostring

    target = Path(target)
    tables = dict(sheets)
    names = sheet_names(tables)
    prepared = [(name, _columns(frame, name)) for name, frame in zip(names, tables.values(), strict=True)]
    stamp = file_timestamp()
    workbook = Workbook(write_only=True)
    workbook.properties = DocumentProperties(creator="gridimpact", lastModifiedBy="gridimpact",
                                             created=stamp, modified=stamp)
    for name, columns in prepared:
        _fill_sheet(workbook.create_sheet(title=name), columns)
    buffer = io.BytesIO()
    workbook.save(buffer)
    # save() stamps the current time as "modified"; restore the fixed one in the archive we keep.
    workbook.properties.modified = stamp
    core_xml = tostring(workbook.properties.to_tree())
    data = _reproducible_zip(buffer.getvalue(), stamp, core_xml)
    with atomic_path(target) as temporary:
        temporary.write_bytes(data)
    return target
