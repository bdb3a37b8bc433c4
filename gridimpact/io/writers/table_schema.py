"""Table Schema fields of the output tables (https://datapackage.org/standard/table-schema/):
name, type, unit, description and HXL hashtag of each column, taken from the metric catalogue
(``model.metrics``) for metric columns and from the definitions below for the key and comparison
columns."""

from __future__ import annotations

import pandas as pd

from gridimpact.io.writers.hxl import hxl_tag
from gridimpact.model.comparison import COMPARED_METRICS
from gridimpact.model.metrics import METRIC_BY_NAME
from gridimpact.vocab import RISK_LEVELS

_KEY_FIELDS = {
    "scenario": ("string", None, "Scenario name (built-in or the `name` of a scenario file)."),
    "adm1_pcode": ("string", None, ("OCHA p-code of the region (ADM1); in the comparison table ALL stands for "
                          "every region of the run together.")),
    "adm1_name": ("string", None, "English name of the region."),
    "population_basis": ("string", None, ("What the region's population counts (e.g. people present, residents "
                                          "of the government-controlled area), its source and date.")),
    "date": ("date", None, "Local calendar day in Europe/Kyiv."),
    "metric": ("string", None, "Name of the compared metric (a column of the impacts table, or days_at_high_risk)."),
    "unit": ("string", None, "Unit of baseline_value, scenario_value, difference and its quantiles in this row."),
    "baseline": ("string", None, "Name of the baseline scenario (the first scenario of the run)."),
}

_COMPARISON_FIELDS = {
    "baseline_value": (None, "Expected value (ensemble mean) of the metric over the comparison window in the baseline."),
    "baseline_value_se": (None, "Monte-Carlo standard error of baseline_value (a grouped jackknife of the ensemble "
                                "mean; no regression corrects it, so it is wider than difference_se)."),
    "scenario_value": (None, "Expected value of the metric over the window in this scenario, over every outcome of "
                             "its pause; scenario_value − baseline_value = difference."),
    "difference": (None, "The number to quote: the expected change scenario − baseline, paired by member and "
                         "weighted exactly over whether the pause fails, is breached or holds; quote it with "
                         "difference_se."),
    "difference_se": (None, "Monte-Carlo standard error of difference: a grouped jackknife of the "
                            "control-variate estimate (the spread of the means of blocks of 32 members "
                            "for a scenario without a pause)."),
    "relative_change": ("1", "difference / baseline_value; empty where the baseline value is 0."),
    "difference_p10": (None, "10th percentile over members of each member's expected change (spread over "
                             "strikes, weather and parameters)."),
    "difference_p90": (None, "90th percentile over members of each member's expected change."),
    "difference_mean": (None, "Same as difference (kept for readers of earlier outputs)."),
    "pause_held_share": ("1", "Probability that the scenario's pause holds for its whole window; empty for a "
                              "scenario without pauses and for regions its pauses do not cover."),
    "pause_days_held_mean": ("days", "Expected days of the pause window that hold (failing counts 0, a breach the "
                                  "days before it)."),
    "difference_if_held": (None, "Expected change if the pause holds for its whole window."),
    "difference_if_held_se": (None, "Monte-Carlo standard error of difference_if_held."),
    "difference_if_breached": (None, "Expected change if the pause holds for some days and is then breached."),
}


def _field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    return "string"


def _metric_field(column: str, ensemble: bool) -> tuple[str | None, str] | None:
    """(unit, description) of a metric column or of its _p10/_p90 sibling; None if not a metric."""
    for suffix, label in (("_p10", "10th percentile"), ("_p90", "90th percentile")):
        if column.endswith(suffix) and column[: -len(suffix)] in METRIC_BY_NAME:
            metric = METRIC_BY_NAME[column[: -len(suffix)]]
            return metric.unit, f"{label} over ensemble members of {metric.name}: {metric.description}"
    if column in METRIC_BY_NAME:
        metric = METRIC_BY_NAME[column]
        if ensemble:
            return metric.unit, f"Ensemble median: {metric.description}"
        return metric.unit, metric.description
    return None


def table_fields(frame: pd.DataFrame, *, ensemble: bool) -> list[dict]:
    """Table Schema fields of an output table: name, type, unit, description, HXL hashtag.

    ``ensemble`` says that metric columns are ensemble medians (the impacts table of a comparison).
    """
    fields = []
    for column in frame.columns:
        entry: dict = {"name": str(column), "type": _field_type(frame[column])}
        unit = None
        description = ""
        if column in _KEY_FIELDS:
            entry["type"], unit, description = _KEY_FIELDS[column]
        elif column in _COMPARISON_FIELDS:
            unit, description = _COMPARISON_FIELDS[column]
        elif (metric := _metric_field(str(column), ensemble)) is not None:
            unit, description = metric
        if unit:
            entry["unit"] = unit
        if description:
            entry["description"] = description
        tag = hxl_tag(str(column))
        if tag:
            entry["gridimpact:hxl"] = tag
        if str(column).startswith("risk_level"):
            entry["type"] = "string"
            entry["constraints"] = {"enum": list(RISK_LEVELS)}
        if column == "metric":
            entry["constraints"] = {"enum": list(COMPARED_METRICS)}
        fields.append(entry)
    return fields
