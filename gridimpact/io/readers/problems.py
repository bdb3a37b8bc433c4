"""Collecting problems for one input file, and turning pandera's failure cases into them."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from gridimpact.errors import InvalidInputError, Problem


class FileProblems:
    """Problems found in one file; ``line_label`` is "line" for text and "row" for spreadsheets."""

    def __init__(self, file: str, line_label: str = "line"):
        self.file = file
        self.line_label = line_label
        self.items: list[Problem] = []
        self.notes: list[str] = []
        self.place: str | None = None
        """Where in the file every problem lies unless it says otherwise (a workbook's sheet)."""

    def add(
        self,
        rule: str,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        value: object = None,
        where: str | None = None,
    ) -> None:
        shown = None if value is None else _short(value)
        self.items.append(
            Problem(
                file=self.file,
                rule=rule,
                message=message,
                line=None if line is None else int(line),
                column=column,
                value=shown,
                where=where if where is not None else self.place,
                line_label=self.line_label,
            )
        )

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidInputError(sorted_problems(self.items))


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file order: by file, then line (located ones first), then column."""
    unique = list(dict.fromkeys(problems))
    return sorted(
        unique,
        key=lambda p: (p.file, p.line is None, p.line or 0, p.column or "", p.rule),
    )


# pandera check names → the rule names and wording used in gridimpact's messages.
_RULES = {
    "greater_than_or_equal_to": ("below_minimum", "is below the minimum {bound}"),
    "less_than_or_equal_to": ("above_maximum", "is above the maximum {bound}"),
    "isin": ("not_allowed", "is not one of the allowed values {bound}"),
    "str_matches": ("bad_code", "is not a p-code of the form UA + digits"),
    "not_nullable": ("missing_value", "is empty but a value is required"),
    "field_uniqueness": ("duplicate", "appears more than once"),
    "column_in_dataframe": ("missing_column", "column is missing"),
}


def add_schema_failures(problems: FileProblems, failure_cases, hints: dict[str, str] | None = None,
                        units: dict[str, str] | None = None) -> None:
    """Translate pandera ``SchemaErrors.failure_cases`` into Problems located by line.

    A dataframe check reports one failure per column; those are folded into one problem per line,
    attributed to the column that ``schemas.CHECK_COLUMNS`` names. ``hints`` adds advice per column,
    ``units`` the unit of a column's bounds (``°C``).
    """
    from gridimpact.schemas import CHECK_COLUMNS

    hints = hints or {}
    check_names = _dataframe_check_names()
    seen: set[tuple] = set()
    for case in failure_cases.itertuples(index=False):
        check = str(case.check)
        line = case.index if case.index is not None and case.index == case.index else None
        if case.schema_context == "DataFrameSchema" and check in check_names:
            name = check_names[check]
            if (line, name) not in seen:
                seen.add((line, name))
                problems.add(name, check, line=line, column=CHECK_COLUMNS.get(name))
            continue
        base, _, bound = check.partition("(")
        rule, template = _RULES.get(base, (base, "breaks the rule " + check))
        column = None if case.column is None else str(case.column)
        if (line, column, rule) in seen:
            continue
        seen.add((line, column, rule))
        unit = (units or {}).get(column)
        message = f"value {template.format(bound=bound.rstrip(')') + (f' {unit}' if unit else ''))}"
        if column in hints:
            message += f"; {hints[column]}"
        problems.add(rule, message, line=line, column=column, value=case.failure_case)


@cache
def _dataframe_check_names() -> dict[str, str]:
    """Each dataframe check's error text → its name (pandera reports the text)."""
    from gridimpact import schemas

    names: dict[str, str] = {}
    for model in (schemas.OutageReports, schemas.OutageSchedule, schemas.Temperature,
                  schemas.DailyTemperature, schemas.Population, schemas.Observations):
        for check in model.to_schema().checks:
            names[str(check.error)] = check.name
    return names


def validate_frame(model, frame, problems: FileProblems, hints: dict[str, str] | None = None,
                   units: dict[str, str] | None = None):
    """Validate ``frame`` against a pandera model lazily; record failures; return the valid frame
    (``hints`` and ``units`` as ``add_schema_failures`` takes them).

    Returns None when anything failed (the problems say what).
    """
    import pandera.pandas as pa

    try:
        return model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        add_schema_failures(problems, err.failure_cases, hints, units)
        return None
