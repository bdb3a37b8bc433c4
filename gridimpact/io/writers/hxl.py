"""HXL hashtags for output columns (https://hxlstandard.org/standard/1-1final/dictionary/).

Metric columns take their tag from ``impact.METRICS``; ensemble siblings add ``+p10`` / ``+p90``;
comparison columns add ``+baseline``, ``+scenario`` or ``+change``.
"""

from __future__ import annotations

from gridimpact.model.metrics import METRIC_BY_NAME

_KEY_TAGS = {
    "scenario": "#meta+scenario",
    "adm1_pcode": "#adm1+code",
    "adm1_name": "#adm1+name",
    "population_basis": "#population+meta+basis",
    "pcode": "#adm3+code",
    "date": "#date",
    "metric": "#indicator+name",
    "baseline": "#meta+scenario+baseline",
    "unit": "#indicator+unit",
    "members": "#meta+members",
    "window_start": "#date+start",
    "window_end": "#date+end",
}

_COMPARISON_TAGS = {
    "baseline_value": "#indicator+value+baseline",
    "baseline_value_se": "#indicator+value+baseline+se",
    "scenario_value": "#indicator+value+scenario",
    "difference": "#indicator+value+change",
    "relative_change": "#indicator+value+change+pct",
    "difference_p10": "#indicator+value+change+p10",
    "difference_p90": "#indicator+value+change+p90",
    "difference_mean": "#indicator+value+change+mean",
    "pause_held_share": "#indicator+num+pause_held_share",
    "difference_if_held": "#indicator+value+change+if_held",
    "difference_se": "#indicator+value+change+se",
    "pause_days_held_mean": "#indicator+num+pause_days_held",
    "difference_if_held_se": "#indicator+value+change+if_held+se",
    "difference_if_breached": "#indicator+value+change+if_breached",
}


def hxl_tag(column: str) -> str:
    """The HXL hashtag for an output column, or '' when none fits."""
    if column in _KEY_TAGS:
        return _KEY_TAGS[column]
    if column in _COMPARISON_TAGS:
        return _COMPARISON_TAGS[column]
    for suffix in ("_p10", "_p90"):
        if column.endswith(suffix) and column[: -len(suffix)] in METRIC_BY_NAME:
            return METRIC_BY_NAME[column[: -len(suffix)]].hxl + "+" + suffix[1:]
    if column in METRIC_BY_NAME:
        return METRIC_BY_NAME[column].hxl
    return ""
