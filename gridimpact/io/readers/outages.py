"""Outage inputs: the canonical outage-report table, and ``load_outages`` for every outage format.

An outage report says that, in one region from ``start`` to ``end``, a share (or a count) of
customers was without power, for one of three reasons (``kind``): scheduled rotating outages,
emergency outages, or damage from a strike. It may instead say only that a share of district-heat
supply was lost. Reports become ``schemas.OutageReports``; subqueue schedules (a table with a
subqueue column, DTEK and Yasno files) become ``schemas.OutageSchedule`` through ``io.schedules``
and ``io.operators``.

Queues: Ukrenergo states the volume of scheduled outages as a number of the 6 queues off at once,
and 3 queues means half of all consumers (Ekonomichna Pravda on the outages of 1 Nov 2025,
https://epravda.com.ua/energetika/skilki-diyatimut-vidklyuchennya-svitla-1-listopada-2025-roku-813503/ ;
Censor.net, https://censor.net/en/news/3501035/power_outage_on_july_23). So ``queues`` = q is read as
``share_off`` = q / 6.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd

from gridimpact.errors import InvalidInputError
from gridimpact.inputs import OutageData
from gridimpact.io.readers.cells import parse_choice, parse_numbers, parse_shares, parse_times
from gridimpact.io.readers.operators import read_dtek_html, read_schedule_json
from gridimpact.io.readers.problems import FileProblems, sorted_problems
from gridimpact.io.readers.raw_table import alias_score, cell_text
from gridimpact.io.readers.schedules import (
    REGION_ALIASES,
    SCHEDULE_ALIASES,
    SOURCE_ALIASES,
    blank,
    empty_schedule_table,
    is_schedule_table,
    note_unused_columns,
    read_schedule_table,
    regions_for_rows,
    report_blanks,
    validate_located,
)
from gridimpact.io.readers.tables import (
    EXCEL_SUFFIXES,
    PARQUET_SUFFIXES,
    TEXT_SUFFIXES,
    RawTable,
    decode_text,
    display_name,
    open_bytes,
    pick_columns,
    read_csv_text,
    read_table,
)
from gridimpact.regions import Registry, normalise
from gridimpact.vocab import QUEUES

REPORT_COLUMNS = ("pcode", "start", "end", "kind", "share_off", "customers_off", "heat_lost_share",
                  "source")
MEASURES = ("share_off", "customers_off", "queues")

REPORT_ALIASES = {
    "region": REGION_ALIASES,
    "start": ("start_time", "from", "begin", "since", "date", "дата", "початок", "з", "від",
              "начало", "с"),
    "end": ("end_time", "to", "until", "restored", "кінець", "до", "по", "конец"),
    "kind": ("type", "outage_type", "outage_kind", "category", "тип", "вид", "тип відключення",
             "тип отключения"),
    "share_off": ("share", "share_without_power", "fraction_off", "percent_off", "частка",
                  "частка без світла", "відсоток", "доля", "процент"),
    "customers_off": ("customers", "consumers_off", "consumers", "households_off", "споживачів",
                      "споживачі", "абонентів", "знеструмлено", "потребителей", "обесточено"),
    "queues": ("queues_off", "number_of_queues", "черги", "черг", "кількість черг", "очереди",
               "очередей", "количество очередей"),
    "heat_lost_share": ("heat_lost", "heat_share_lost", "heat_loss_share", "без тепла",
                        "частка без тепла", "доля без тепла"),
    "source": SOURCE_ALIASES,
}
_SHEET_SCORE = alias_score({**REPORT_ALIASES, **SCHEDULE_ALIASES})
"""Which sheet of a workbook holds the reports or schedules: the first whose header names two of their columns."""
REPORT_HXL = {"region": ("#adm1",), "start": ("#date", "+start"), "end": ("#date", "+end"),
              "source": ("#meta", "+source")}

KIND_SYNONYMS = {
    **dict.fromkeys((
        "scheduled", "schedule", "schedules", "planned", "plan", "rotating", "rolling",
        "load shedding", "гпв", "графік", "графіки", "погодинні", "планові", "планове", "плановий",
        "планові відключення", "стабілізаційні", "график", "графики", "плановые", "плановое",
        "плановый", "стабилизационные",
    ), "scheduled"),
    **dict.fromkeys((
        "emergency", "emergency shutdowns", "emergency outages", "manual", "гав", "аварійні",
        "аварійне", "аварійні відключення", "екстрені", "екстрені відключення", "аварийные",
        "аварийное", "экстренные", "экстренное",
    ), "emergency"),
    **dict.fromkeys((
        "strike", "attack", "damage", "shelling", "удар", "обстріл", "атака", "пошкодження",
        "обстрел", "повреждение",
    ), "strike"),
}
"""Words for each outage kind (lower case); docs/inputs.md lists them for users."""

TABLE_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
JSON_SUFFIXES = {".json"}
HTML_SUFFIXES = {".html", ".htm"}


def empty_reports() -> pd.DataFrame:
    """An outage-report table without rows, with the dtypes ``schemas.OutageReports`` gives."""
    from gridimpact.schemas import OutageReports

    return OutageReports.validate(pd.DataFrame({c: [] for c in REPORT_COLUMNS}))


def empty_schedules() -> pd.DataFrame:
    """A subqueue-schedule table without rows, with the dtypes ``schemas.OutageSchedule`` gives."""
    return empty_schedule_table()


def load_outages(source, *, region: str | None = None, encoding: str | None = None,
                 sheet: str | int | None = None) -> OutageData:
    """Read outage reports and subqueue schedules from files or a DataFrame, validated.

    ``source`` is a path, a list of paths (problems in all of them are reported together), or a
    DataFrame in the canonical columns (its rows are numbered from 1 in messages). ``region`` names
    the region of files that do not say it themselves (a report table without a region column, a
    DTEK or Yasno file); ``encoding`` overrides UTF-8 for text files; ``sheet`` names (or numbers,
    from 0) the sheet of a workbook (by default the first sheet whose header names outage columns;
    a workbook without that sheet is read as without it, with a note).

    Raises InputMissingError for a file that is missing or unreadable and InvalidInputError listing
    every problem found.
    """
    items = list(source) if isinstance(source, (list, tuple)) else [source]
    loaded: list[OutageData] = []
    problems = []
    for item in items:
        data, found = _load_one(item, region=region, encoding=encoding, sheet=sheet)
        problems.extend(found.items)
        if data is not None:
            loaded.append(data)
    if problems:
        raise InvalidInputError(sorted_problems(problems))
    result = OutageData(empty_reports(), empty_schedules())
    for data in loaded:
        result = result.combine(data)
    return result


def _load_one(item, *, region: str | None, encoding: str | None,
              sheet: str | int | None = None) -> tuple[OutageData | None, FileProblems]:
    if isinstance(item, pd.DataFrame):
        problems = FileProblems("DataFrame", line_label="row")
        return _from_table(raw_from_frame(item, problems), problems, region), problems
    if not isinstance(item, (str, PathLike)):
        raise TypeError(f"an outage source is a path or a DataFrame, not {type(item).__name__}")
    path = Path(item)
    problems = FileProblems(display_name(path))
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return _from_table(read_table(path, problems, encoding=encoding, sheet=sheet,
                                      sheet_score=_SHEET_SCORE, sheet_strict=False),
                           problems, region), problems
    text = decode_text(open_bytes(path), problems, encoding)
    if text is None:
        return None, problems
    head = text.lstrip("\ufeff \t\r\n")[:1]
    if suffix in HTML_SUFFIXES or (head not in "{[" and "DisconSchedule.fact" in text):
        reports, schedules = read_dtek_html(text, problems, region=region)
    elif suffix in JSON_SUFFIXES or head in ("{", "["):
        reports, schedules = read_schedule_json(text.lstrip("\ufeff"), problems, region=region)
    else:
        return _from_table(read_csv_text(text, problems), problems, region), problems
    if (reports is None and schedules is None) or problems:
        return None, problems
    return _data(empty_reports() if reports is None else reports,
                 empty_schedules() if schedules is None else schedules, problems), problems


def _from_table(raw: RawTable | None, problems: FileProblems, region: str | None) -> OutageData | None:
    if raw is None:
        return None
    if raw.frame.empty:  # only a DataFrame can be empty here: a file without rows is a problem
        return _data(empty_reports(), empty_schedules(), problems)
    if is_schedule_table(raw):
        schedules = read_schedule_table(raw, region=region)
        return None if schedules is None else _data(empty_reports(), schedules, problems)
    reports = read_reports(raw, region=region)
    return None if reports is None else _data(reports, empty_schedules(), problems)


def _data(reports: pd.DataFrame, schedules: pd.DataFrame, problems: FileProblems) -> OutageData:
    return OutageData(reports=reports, schedules=schedules, files=(problems.file,),
                      notes=tuple(problems.notes))


def raw_from_frame(frame: pd.DataFrame, problems: FileProblems) -> RawTable | None:
    """A DataFrame as a table of text cells, rows numbered from 1, read like any file.

    None if two columns have the same name (ignoring case and accents): which one is meant is unclear.
    """
    columns = [str(c).strip() for c in frame.columns]
    seen: set[str] = set()
    for name in columns:
        if normalise(name) in seen:
            problems.add("duplicate_column", f"column '{name}' appears twice", column=name)
        seen.add(normalise(name))
    if problems:
        return None
    text = frame.astype(object).map(cell_text)
    text.columns = columns
    text.index = pd.Index(range(1, len(frame) + 1), name="line")
    return RawTable(frame=text, problems=problems, delimiter=",")


def read_reports(raw: RawTable, *, region: str | None = None,
                 registry: Registry | None = None) -> pd.DataFrame | None:
    """An outage-report table → ``schemas.OutageReports`` rows, or None if it has problems.

    Rows are sorted by region, start and kind (then by the other columns, so that the order of rows
    in the file never matters).
    """
    problems = raw.problems
    found = pick_columns(raw, REPORT_ALIASES, ("start", "kind"), hxl=REPORT_HXL)
    if found is None:
        return None
    note_unused_columns(raw, found)
    frame = raw.frame
    pcode = regions_for_rows(raw, found, region, registry)
    start = parse_times(frame[found["start"]], found["start"], problems)
    end = (parse_times(frame[found["end"]], found["end"], problems, required=False) if "end" in found
           else pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, Europe/Kyiv]"))
    kind = _kinds(frame[found["kind"]], found["kind"], problems)
    share_off, customers_off, heat_lost_share = _measures(raw, found)
    source = (frame[found["source"]].where(~blank(frame[found["source"]])) if "source" in found
              else pd.Series(None, index=frame.index, dtype=object))
    table = pd.DataFrame({
        # A placeholder keeps rows whose region was already reported checkable by the other rules.
        "pcode": pcode.fillna("UA00"), "start": start, "end": end, "kind": kind,
        "share_off": share_off, "customers_off": customers_off,
        "heat_lost_share": heat_lost_share, "source": source,
    })
    measure = next((found[m] for m in MEASURES + ("heat_lost_share",) if m in found), "share_off")
    columns = {name: found.get(name, name) for name in ("start", "end", "kind", "customers_off",
                                                        "heat_lost_share", "source")}
    columns.update(pcode=found.get("region", "region"), share_off=measure)
    from gridimpact.schemas import OutageReports

    valid = validate_located(OutageReports, table, problems, columns=columns)
    if valid is None or problems:
        return None
    # Sorted first (lines kept in the index), so that which of two identical rows is kept, and where a
    # conflict is reported, never depends on the order of rows in the file.
    order = ["pcode", "start", "kind", "end", "share_off", "customers_off", "heat_lost_share", "source"]
    valid = repeated_reports(valid.sort_values(order, kind="stable", na_position="last"), problems, columns)
    return None if problems else sort_reports(valid)


_SAME_EPISODE = ["pcode", "kind", "start"]
_MEASURE_COLUMNS = ["end", "share_off", "customers_off", "heat_lost_share"]
# The two timelines a report may belong to (docs/model.md): customers without power, and district heat.
_TIMELINES = {"power": ["share_off", "customers_off"], "heat": ["heat_lost_share"]}


def repeated_reports(reports: pd.DataFrame, problems: FileProblems, columns: dict[str, str]) -> pd.DataFrame:
    """Apply the rule for reports of one region, kind and start (docs/inputs.md, "Duplicates").

    Identical reports (the same end and measures) are read once, with a note. Two reports on the
    same timeline (both about customers without power, or both about district heat) that disagree in
    their end or value are a ``conflicting_reports`` problem at the later line, naming the first:
    which one holds is the user's call, not the reader's. A power report and a heat report with the
    same start describe two things and are both kept. The frame's index holds the source lines.
    """
    keyed = reports[_SAME_EPISODE + _MEASURE_COLUMNS].astype(object).where(reports.notna(), None)
    exact = keyed.duplicated(keep="first")
    if exact.any():
        lines = ", ".join(str(line) for line in sorted(reports.index[exact])[:10])
        more = f" and {int(exact.sum()) - 10} more" if exact.sum() > 10 else ""
        problems.note(f"{problems.file}: {int(exact.sum())} report(s) repeat an earlier line exactly and "
                      f"were read once (line {lines}{more})")
    kept = reports[~exact]
    for timeline, measures in _TIMELINES.items():
        on_it = kept[kept[measures].notna().any(axis=1)]
        clash = on_it.duplicated(_SAME_EPISODE, keep=False)
        for _, group in on_it[clash].groupby(_SAME_EPISODE, sort=False):
            values = group[["end", *measures]].astype(object).where(group[["end", *measures]].notna(), None)
            if len(values.drop_duplicates()) > 1:
                first, *others = sorted(group.index)
                for line in others:
                    problems.add("conflicting_reports", f"another report (line {first}) gives the same region, "
                                 f"kind and start with a different end or {timeline} measure; keep one of them",
                                 line=line, column=columns.get("start", "start"))
    return kept


def sort_reports(frame: pd.DataFrame) -> pd.DataFrame:
    order = ["pcode", "start", "kind", "end", "share_off", "customers_off", "heat_lost_share", "source"]
    return frame.sort_values(order, kind="stable", na_position="last").reset_index(drop=True)


def _kinds(series: pd.Series, column: str, problems: FileProblems) -> pd.Series:
    empty = report_blanks(series, column, problems, "a kind (scheduled, emergency or strike)")
    result = pd.Series(None, index=series.index, dtype=object)
    if (~empty).any():
        spaced = series[~empty].astype(str).str.split().str.join(" ")
        result[~empty] = parse_choice(spaced, column, problems, KIND_SYNONYMS)
    return result


def _measures(raw: RawTable, found: dict[str, str]) -> tuple[pd.Series, pd.Series, pd.Series]:
    """share_off (from a share or from queues), customers_off and heat_lost_share, range-checked.

    A value that breaks its range is reported here, with advice, and left out of the table.
    """
    frame, problems, comma = raw.frame, raw.problems, raw.decimal_comma
    missing = pd.Series(float("nan"), index=frame.index)

    def column(name: str, parse) -> pd.Series:
        if name not in found:
            return missing
        return parse(frame[found[name]], found[name], problems, decimal_comma=comma)

    share = _in_unit_range(column("share_off", parse_shares), frame, found.get("share_off"), problems)
    heat = _in_unit_range(column("heat_lost_share", parse_shares), frame, found.get("heat_lost_share"),
                          problems)
    customers = column("customers_off", parse_numbers)
    for line in customers.index[customers < 0]:
        problems.add("negative_customers", "a number of customers cannot be negative", line=line,
                     column=found["customers_off"], value=frame.at[line, found["customers_off"]])
    customers = customers.where(~(customers < 0))
    queues = column("queues", parse_numbers)
    for line in queues.index[(queues < 0) | (queues > QUEUES)]:
        problems.add("queues_out_of_range", f"the number of queues off at once must be between 0 and "
                     f"{QUEUES}", line=line, column=found["queues"], value=frame.at[line, found["queues"]])
    queues = queues.where(queues.between(0, QUEUES))
    given = [name for name in MEASURES if name in found]
    if len(given) > 1:
        filled = pd.concat([~blank(frame[found[name]]) for name in given], axis=1)
        for line in filled.index[filled.sum(axis=1) > 1]:
            names = [found[name] for name, on in zip(given, filled.loc[line], strict=True) if on]
            problems.add("several_measures", f"give one of {', '.join(names)} per row, not several",
                         line=line, column=names[1])
    return share.fillna(queues / QUEUES), customers, heat


def _in_unit_range(values: pd.Series, frame: pd.DataFrame, column: str | None,
                   problems: FileProblems) -> pd.Series:
    if column is None:
        return values
    bad = (values < 0) | (values > 1)
    for line in values.index[bad]:
        written = str(frame.at[line, column]).strip()
        value = values[line]
        hint = ""
        if 1 < value <= 100 and not written.endswith("%"):
            hint = f"; looks like a percentage: write {value / 100:g} or {value:g}%"
        problems.add("share_out_of_range", f"a share must be between 0 and 1 (or 0% and 100%){hint}",
                     line=line, column=column, value=written)
    return values.where(~bad)
