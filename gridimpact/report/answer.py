"""What a comparison says, in words and tables: the answer, the regions, the key numbers.

The answer is a handful of sentences an analyst can quote: the expected change of the headline
number (person-days below 12 °C indoors) over all regions with its Monte-Carlo standard error and
P10–P90 range, the change if the pause holds for its whole window and how likely that is, the same
for the worst-off region, and the change in person-hours without power. Levels and changes are
expected values (``model.comparison``), not medians. Every number is written by
``numbers.quantity``.
"""

from __future__ import annotations

from gridimpact.model.comparison import ALL
from gridimpact.report.console import SUMMARY_METRICS
from gridimpact.report.context import (
    HEADLINE_METRIC,
    HEADLINE_UNIT,
    Rows,
    as_of,
    compared,
    ensemble_size,
    holding_probabilities,
    pause_held,
    pause_windows,
    refined,
    window_days,
)
from gridimpact.report.numbers import (
    error,
    error_note,
    error_share,
    join,
    long_date,
    missing,
    plus_minus,
    quantity,
    share,
    span,
)
from gridimpact.report.render import Answer, Bullets, Item, Table, without_empty_columns

ANSWER_METRICS = (
    (HEADLINE_METRIC, HEADLINE_UNIT),
    ("person_hours_without_power", "person-hours without power"),
    ("elderly_below_9c", "person-days of people aged 65+ below 9 °C"),
)
"""The three changes given for every region, with their units in words."""


def _range(row: dict) -> str:
    return f"{quantity(row.get('difference_p10'), signed=True)} to {quantity(row.get('difference_p90'), signed=True)}"


def worst_region(result, rows: Rows, scenario: str) -> str | None:
    """The region with the most person-days below 12 °C indoors under the baseline (ties: first)."""
    levels = [(rows.get(scenario, code, HEADLINE_METRIC).get("baseline_value"), code) for code in result.regions]
    levels = [(value, code) for value, code in levels if not missing(value)]
    if len(levels) < 2:
        return None
    return max(levels, key=lambda pair: pair[0])[1]


def answer_sentences(result, scenario: str, rows: Rows) -> tuple[str, ...]:
    """Three to five sentences with the quotable numbers of one scenario against the baseline."""
    days = window_days(result)
    total = rows.get(scenario, ALL, HEADLINE_METRIC)
    held = pause_held(result, scenario, rows)
    where = "the region" if len(result.regions) == 1 else f"the {len(result.regions)} regions together"
    sentences = [f"Over the {len(days)} days from {span(days)}, {scenario} is expected to change the "
                 f"{HEADLINE_UNIT} in {where} by {quantity(total.get('difference'), signed=True)} "
                 f"(± {error(total.get('difference_se'))} Monte-Carlo error; P10 to P90 across members: "
                 f"{_range(total)}) against {result.baseline}, which has {quantity(total.get('baseline_value'))}: "
                 "that expected change is the number to quote."]
    if held is not None:
        count, fraction = held
        probabilities = holding_probabilities(result, scenario)
        chance = (f"it holds for its whole window with probability {', '.join(f'{p:.2f}' for p in probabilities)}, "
                  "and the expected change weights failing, being breached after some days and holding by "
                  "their probabilities; " if probabilities else "")
        sentences.append(f"If the pause holds for its whole window, the change is "
                         f"{quantity(total.get('difference_if_held'), signed=True)}; {chance}"
                         f"it held fully in {count} of {result.members} members' own draws ({share(fraction)}).")
    worst = worst_region(result, rows, scenario)
    if worst is not None:
        row = rows.get(scenario, worst, HEADLINE_METRIC)
        text = (f"Worst off is {rows.name(worst)}, with {quantity(row.get('baseline_value'))} {HEADLINE_UNIT} under "
                f"{result.baseline}: "
                f"expected change {quantity(row.get('difference'), signed=True)} ({_range(row)})")
        if held is not None:
            text += f", {quantity(row.get('difference_if_held'), signed=True)} if the pause holds"
        sentences.append(text + ".")
    power = rows.get(scenario, ALL, "person_hours_without_power")
    if power:
        text = (f"Person-hours without power change by {quantity(power.get('difference'), signed=True)} "
                f"({_range(power)})")
        if held is not None:
            text += f", {quantity(power.get('difference_if_held'), signed=True)} if the pause holds"
        sentences.append(text + ".")
    return tuple(sentences)


def answer_block(result, scenario: str, rows: Rows) -> Answer:
    lead = "Answer." if len(compared(result)) == 1 else f"Answer for {scenario}."
    return Answer(answer_sentences(result, scenario, rows), lead=lead)


def _mean_outside_range(row: dict) -> bool:
    """Whether the expected change lies outside P10–P90: a few members with large changes carry it."""
    values = [row.get(key) for key in ("difference", "difference_p10", "difference_p90")]
    if any(missing(value) for value in values):
        return False
    mean, low, high = values
    return not low <= mean <= high


def heavy_tail_sentence(rows: Rows, scenario: str, codes: list[str]) -> str | None:
    """A warning where the expected change is carried by a few members (mean outside P10–P90)."""
    where = []
    for code in codes:
        units = [unit for metric, unit in ANSWER_METRICS if _mean_outside_range(rows.get(scenario, code, metric))]
        if units:
            name = "all regions together" if code == ALL else rows.name(code)
            where.append(f"{name} ({', '.join(units)})")
    if not where:
        return None
    return (f"For {join(where)} the expected change lies outside its P10 to P90 range: a few members with "
            "large changes carry the mean, so the range describes the typical outcome better.")


def region_items(result, scenario: str, rows: Rows) -> Bullets:
    """Per region (and all regions): the expected change with its standard error and P10–P90 range,
    then, for a scenario with a pause, the change if the pause holds for its whole window."""
    with_pause = pause_held(result, scenario, rows) is not None
    items = []
    for code in [*result.regions, ALL]:
        expected, held = [], []
        for metric, unit in ANSWER_METRICS:
            row = rows.get(scenario, code, metric)
            expected.append(f"{plus_minus(row.get('difference'), row.get('difference_se'))} "
                            f"{unit} (P10 to P90: {_range(row)})")
            held.append(quantity(row.get("difference_if_held"), signed=True))
        text = f"Expected change: {join(expected)}."
        if with_pause:
            text += f" If the pause holds for its whole window: {join(held)}{' respectively' if len(held) > 1 else ''}."
        items.append(Item(text, lead=f"{rows.name(code)}:"))
    warning = heavy_tail_sentence(rows, scenario, [*result.regions, ALL])
    if warning:
        items.append(Item(warning, lead="Note:"))
    return Bullets(tuple(items))


def key_numbers(result, rows: Rows) -> Bullets:
    days = window_days(result)
    day = as_of(result)
    items = [Item(f"{span(days)} ({len(days)} days), regions: {', '.join(rows.name(c) for c in result.regions)}.",
                  lead="Compared days:"),
             Item(f"{ensemble_size(result)}, seed {result.seed}, as-of date {long_date(day) if day else '–'}.",
                  lead="Ensemble:")]
    for scenario in result.scenarios:
        column = "baseline_value" if scenario == result.baseline else "scenario_value"
        source = compared(result)[0] if scenario == result.baseline else scenario
        levels = [f"{quantity(rows.get(source, ALL, metric).get(column))} {unit}" for metric, unit in ANSWER_METRICS]
        with_pause = scenario != result.baseline and pause_held(result, scenario, rows) is not None
        over = " over every outcome of its pause" if with_pause else ""
        items.append(Item(f"{join(levels)} (expected values over the compared days, all regions: ensemble "
                          f"means{over}).", lead=f"{scenario}:"))
    for scenario in compared(result):
        text = _pause_summary(result, scenario, rows)
        if text:
            items.append(Item(text, lead=f"Pause of {scenario}:"))
    return Bullets(tuple(items))


def _pause_summary(result, scenario: str, rows: Rows) -> str | None:
    """How likely the pause is to hold, how many of its days hold on average, and how often it held."""
    held = pause_held(result, scenario, rows)
    if held is None:
        return None
    row = rows.get(scenario, ALL, HEADLINE_METRIC)
    parts = []
    if not missing(row.get("pause_held_share")):
        parts.append(f"holds for its whole window with probability {row['pause_held_share']:.2f}")
    if not missing(row.get("pause_days_held_mean")):
        window = next((w for w in pause_windows(result) if w.scenario == scenario), None)
        length = f" of its {quantity((window.end - window.start).total_seconds() / 86400)}" if window else ""
        parts.append(f"on average {quantity(row['pause_days_held_mean'])}{length} days hold")
    parts.append(f"it held fully in {held[0]} of {result.members} members' own draws ({share(held[1])})")
    return "; ".join(parts) + "."


def comparison_table(result, scenario: str, rows: Rows) -> Table:
    """Key metrics per region for one scenario, grouped by region; columns that are all zero left out."""
    header = ("Region", "Measure", result.baseline, scenario, "Expected change ± SE", "P10 to P90", "Change if held")
    body = []
    errors = []  # (standard error / |change|, what) of each change shown
    for code in [*result.regions, ALL]:
        for metric, label in SUMMARY_METRICS:
            row = rows.get(scenario, code, metric)
            if not row:
                continue
            if (ratio := error_share(row["difference"], row.get("difference_se"))) is not None:
                errors.append((ratio, f"{label} in {rows.name(code)}"))
            body.append((rows.name(code), label, quantity(row["baseline_value"]), quantity(row["scenario_value"]),
                         plus_minus(row['difference'], row.get('difference_se')),
                         _range(row), quantity(row["difference_if_held"], signed=True)))
    caption = (f"{scenario} against {result.baseline} over the compared days, three significant figures. Quote "
               "the expected change with its Monte-Carlo standard error (SE): scenario minus baseline, both "
               "expected values over the ensemble and over every outcome of the pause, paired member by member. "
               "P10 to P90 is its spread across members; the last column is the expected change if the pause "
               f"holds for its whole window. {error_note(errors, result.members, refined(result))} Exact values: comparison.csv.")
    table = Table(header, tuple(body), (False, False, *([True] * 5)), caption, grouped=True)
    return without_empty_columns(table)
