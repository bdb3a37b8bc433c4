"""Figures of a scenario comparison: daily time series per region, and the change by region.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no global backend switch, nothing
shown on screen), under matplotlib's default style so that a user's matplotlibrc cannot change the
picture. ``save_figure`` writes PNG at a fixed resolution with no time stamp and with "gridimpact"
(no version) as its "Software" text, so the same figure gives the same bytes every time and a later
run knows the file as its own (``io.writers.ownership``).

Colours are from the Okabe–Ito palette, chosen to stay distinguishable with colour-vision
deficiencies (Okabe & Ito, "Color Universal Design", 2002, revised 2008, https://jfly.uni-koeln.de/color/).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from gridimpact.errors import ParameterError, require
from gridimpact.io.atomic import atomic_path
from gridimpact.io.writers.ownership import FIGURE_SOFTWARE
from gridimpact.model.comparison import ALL, ALL_NAME, UNITS, WINDOW_RULE, quantiles
from gridimpact.regions import UnknownRegionError, resolve
from gridimpact.report import context
from gridimpact.report.context import HEADLINE_METRIC, as_of, pause_windows, window_days
from gridimpact.report.numbers import axis_scale, quantity, short_date, span

FIGURE_DPI = 100
"""Pixels per inch of saved PNGs (fixed, so that output bytes do not depend on the user's rcParams)."""
SCENARIO_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Okabe–Ito vermillion (the baseline), blue, bluish green, reddish purple, orange, sky blue, black."""
PAUSE_COLOUR = "#DDEFE6"
"""A pale bluish green behind each pause window (lighter than any P10–P90 band)."""
COMPARED_COLOUR = "#999999"
HEADER_INCHES, FOOTER_INCHES = 0.82, 0.25
"""Space above the panels for the title and legend, and below them for the source line."""

TIMESERIES_PANELS = (
    ("people_without_power", "People without power", "persons (daily mean)"),
    ("people_without_heat", "People without heating", "persons (daily mean)"),
    ("people_below_12c", "People below 12 °C indoors", "persons (at some hour of the day)"),
)
"""Metric, panel title and y-axis label of the three stacked panels."""

COMPARISON_METRICS = ("people_below_12c", "person_hours_without_power", "elderly_below_9c")
METRIC_LABELS = {
    "people_without_power": "People without power",
    "people_without_power_peak": "Peak people without power",
    "person_hours_without_power": "Person-hours without power",
    "share_customers_without_power": "Share of customers without power",
    "people_without_heat": "People without heating",
    "people_without_heat_peak": "Peak people without heating",
    "people_below_18c": "People below 18 °C indoors",
    "people_below_16c": "People below 16 °C indoors",
    "people_below_12c": "People below 12 °C indoors",
    "people_below_9c": "People below 9 °C indoors",
    "elderly_below_12c": "People aged 65+ below 12 °C",
    "elderly_below_9c": "People aged 65+ below 9 °C",
    "person_hours_below_12c": "Person-hours below 12 °C",
    "min_indoor_temperature_c": "Lowest indoor temperature",
    "days_at_high_risk": "Days at high or severe risk",
}


def window_unit(metric: str) -> str:
    """The unit of a metric summed, maximised or averaged over the comparison window."""
    unit, rule = UNITS[metric], WINDOW_RULE[metric]
    if unit == "persons" and rule == "sum":
        return "person-days"
    if unit == "persons" and rule == "max":
        return "persons (peak day)"
    if unit == "degC":
        return "°C"
    if unit == "1":
        return "share (0–1)"
    return unit


# --- matplotlib set-up -------------------------------------------------------------------------------

def require_matplotlib():
    """matplotlib, or a MissingExtraError naming the `plot` extra."""
    return require("matplotlib", "Figures", "plot")


@contextmanager
def style():
    """matplotlib's default style whatever the user's matplotlibrc says."""
    require_matplotlib()
    import matplotlib
    import matplotlib.style

    with matplotlib.style.context("default"), matplotlib.rc_context({"font.size": 9, "axes.titlesize": 10,
                                                                      "axes.titleweight": "bold"}):
        yield


def _new_figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    # Keep fixed strips (in inches) free: the title and legend on top, the source line at the bottom.
    top, bottom = HEADER_INCHES / height, FOOTER_INCHES / height
    figure.get_layout_engine().set(rect=(0, bottom, 1, 1 - top - bottom))
    return figure


def _header(figure, title: str, handles, labels, columns: int) -> None:
    height = figure.get_figheight()
    figure.text(0.5, 1 - 0.06 / height, title, ha="center", va="top", fontsize=11, fontweight="bold")
    figure.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.3 / height), fontsize=8,
                  frameon=False, ncols=columns)


def _source_line(figure, result) -> None:
    provenance = result.provenance or {}
    inputs = (provenance.get("inputs") or {}).get("name", "inputs")
    version = provenance.get("gridimpact_version", "")
    text = f"gridimpact {version} · {inputs} · {context.ensemble_size(result)}, seed {result.seed}"
    figure.text(0.01, 0.06 / figure.get_figheight(), text, fontsize=7, color="#555555", ha="left", va="bottom")


def _region_index(result, region: str) -> tuple[str, str]:
    """(p-code or ALL, display name) of a region of the result."""

    text = str(region).strip()
    if text.upper() in (ALL, ALL_NAME.upper()):
        return ALL, ALL_NAME
    try:
        found = resolve(text)
    except UnknownRegionError as exc:
        raise ParameterError(str(exc)) from None
    if found.pcode not in result.regions:
        raise ParameterError(f"region {found.name_en} ({found.pcode}) is not in this comparison; "
                             f"it has {', '.join(result.regions)}")
    return found.pcode, found.name_en


def _daily_bands(result, pcode: str, metric: str, scenario: str) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray,
                                                                        np.ndarray]:
    """Days, P10, median and P90 of one metric for one scenario and region.

    From the member arrays over the whole simulated period when the result kept them; else from the
    impacts table, which covers the comparison window only.
    """
    if result.daily is not None:
        members = result.daily[scenario][metric]                      # (M, R, D)
        values = members.sum(axis=1) if pcode == ALL else members[:, result.regions.index(pcode), :]
        p10, p50, p90 = quantiles(values)
        return pd.DatetimeIndex(result.days), p10, p50, p90
    if pcode == ALL:
        raise ParameterError("an all-regions time series needs the member arrays, which this (large) run did "
                             "not keep; draw one region at a time")
    rows = result.impacts[(result.impacts["scenario"] == scenario) & (result.impacts["adm1_pcode"] == pcode)]
    rows = rows.sort_values("date")
    days = pd.DatetimeIndex(pd.to_datetime(rows["date"]))
    return (days, rows[f"{metric}_p10"].to_numpy(float), rows[metric].to_numpy(float),
            rows[f"{metric}_p90"].to_numpy(float))


def _axis_formatter(signed: bool = False, scale: float = 1.0):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _position: quantity(value / scale, signed=signed))


# --- Figures -----------------------------------------------------------------------------------------

def _date_axis(ax) -> None:
    """Ticks on whole days, labelled '9 Jan', '16 Jan' (English month names whatever the locale)."""
    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    locator.intervald[mdates.DAILY] = [1, 2, 7, 14]          # weeks rather than 3- or 5-day steps
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _p: short_date(mdates.num2date(value).date())))


def _mark_pauses(ax, windows, label_them: bool) -> None:
    for window in windows:
        ax.axvspan(window.start.tz_localize(None), window.end.tz_localize(None), color=PAUSE_COLOUR, lw=0, zorder=0)
        if label_them:
            ax.annotate(f"pause ({window.scenario})", xy=(window.start.tz_localize(None), 1),
                        xycoords=("data", "axes fraction"), xytext=(3, -7), textcoords="offset points",
                        ha="left", va="top", fontsize=7.5, color="#1F6B4F")


def _mark_as_of(ax, day, label_it: bool) -> None:
    if day is None:
        return
    ax.axvline(day.to_pydatetime(), color="#333333", ls="--", lw=1, zorder=3)
    if label_it:
        ax.annotate(f"as of {short_date(day)}", xy=(day.to_pydatetime(), 1), xycoords=("data", "axes fraction"),
                    xytext=(-3, -7), textcoords="offset points", ha="right", va="top", fontsize=7.5)


def _mark_compared_days(ax, days: pd.DatetimeIndex) -> None:
    """A bar along the top of the panel over the days the comparison adds up (clear of the data at zero)."""
    if len(days):
        ax.plot([days[0].to_pydatetime(), (days[-1] + pd.Timedelta(days=1)).to_pydatetime()], [0.99, 0.99],
                transform=ax.get_xaxis_transform(), color=COMPARED_COLOUR, lw=4, solid_capstyle="butt", zorder=4)


def _scenario_lines(ax, result, pcode: str, metric: str) -> None:
    """Each scenario's median and P10–P90 range: dotted edges for the baseline, a band for the others,
    so that overlapping ranges stay apart."""
    half_day = pd.Timedelta(hours=12)
    for position, scenario in enumerate(result.scenarios):
        colour = SCENARIO_COLOURS[position % len(SCENARIO_COLOURS)]
        days, p10, p50, p90 = _daily_bands(result, pcode, metric, scenario)
        x = (days + half_day).to_pydatetime()
        baseline = scenario == result.baseline
        if baseline:
            ax.plot(x, p10, color=colour, lw=0.9, ls=":", zorder=2)
            ax.plot(x, p90, color=colour, lw=0.9, ls=":", zorder=2)
        else:
            ax.fill_between(x, p10, p90, facecolor=colour, alpha=0.22, lw=0, zorder=1)
        ax.plot(x, p50, color=colour, lw=1.9, ls="--" if baseline else "-", zorder=2, label=scenario)


def _legend_entries(result, windows, compared_days: bool):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles, labels = [], []
    for position, scenario in enumerate(result.scenarios):
        colour = SCENARIO_COLOURS[position % len(SCENARIO_COLOURS)]
        baseline = scenario == result.baseline
        handles += [Line2D([], [], color=colour, lw=1.9, ls="--" if baseline else "-"),
                    (Line2D([], [], color=colour, lw=0.9, ls=":") if baseline else Patch(facecolor=colour, alpha=0.22, lw=0))]
        labels += [f"{scenario}: median", f"{scenario}: P10–P90"]
    if windows:
        handles.append(Patch(color=PAUSE_COLOUR, lw=0))
        labels.append("pause window")
    handles.append(Line2D([], [], color="#333333", ls="--", lw=1))
    labels.append("as-of date")
    if compared_days:
        handles.append(Line2D([], [], color=COMPARED_COLOUR, lw=4, solid_capstyle="butt"))
        labels.append("compared days")
    return handles, labels


def _panel(ax, result, pcode: str, metric: str, title: str, unit: str, windows, *, first: bool) -> None:
    _mark_pauses(ax, windows, label_them=first)
    _scenario_lines(ax, result, pcode, metric)
    _mark_as_of(ax, as_of(result), label_it=first)
    _mark_compared_days(ax, window_days(result))
    ax.set_title(title, loc="left")
    ax.set_ylabel(unit)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(_axis_formatter())
    ax.grid(axis="y", color="#E5E5E5", lw=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def _windows_for(result, pcode: str):
    return [w for w in pause_windows(result) if w.covers(pcode)]


def _x_label(result) -> str:
    days = pd.DatetimeIndex(result.days)
    years = sorted({day.year for day in days})
    return f"local day (Europe/Kyiv), {'–'.join(str(y) for y in years)}" if years else "local day (Europe/Kyiv)"


def timeseries_figure(result, region: str):
    """Three stacked panels for one region over the simulated days, one line per scenario.

    People without power (daily mean), without heating (daily mean) and below 12 °C indoors (at some
    hour of the day): the ensemble median as a line (dashed for the baseline) and the P10–P90 range
    as a band (dotted edges for the baseline); each pause window shaded, the as-of date marked and the
    compared days marked by a bar along the top. ``region`` is a p-code, a name or ``ALL`` (all regions of the result
    added member by member; needs ``result.daily``). Returns a matplotlib Figure.
    """
    pcode, name = _region_index(result, region)
    windows = _windows_for(result, pcode)
    with style():
        figure = _new_figure(8.0, 8.5)
        axes = figure.subplots(len(TIMESERIES_PANELS), 1, sharex=True)
        for number, (ax, (metric, title, unit)) in enumerate(zip(axes, TIMESERIES_PANELS, strict=True)):
            _panel(ax, result, pcode, metric, title, unit, windows, first=number == 0)
        _date_axis(axes[-1])
        axes[-1].set_xlabel(_x_label(result))
        handles, labels = _legend_entries(result, windows, compared_days=True)
        _header(figure, f"{name}: people without power, without heating and below 12 °C indoors", handles,
                labels, 4)
        _source_line(figure, result)
    return figure


def headline_region(result) -> str:
    """All regions together, or the first region when there is one or the member arrays were not kept."""
    return result.regions[0] if len(result.regions) == 1 or result.daily is None else ALL


def headline_figure(result, metric: str = HEADLINE_METRIC):
    """One panel: the headline metric over the simulated days, all regions together, per scenario.

    The same marks as ``timeseries_figure``; a single region's result is drawn for that region.
    Returns a matplotlib Figure.
    """
    pcode, name = _region_index(result, headline_region(result))
    windows = _windows_for(result, pcode)
    title, unit = next((t, u) for m, t, u in TIMESERIES_PANELS if m == metric)
    with style():
        figure = _new_figure(7.2, 3.9)
        ax = figure.subplots(1, 1)
        _panel(ax, result, pcode, metric, "", unit, windows, first=True)
        _date_axis(ax)
        ax.set_xlabel(_x_label(result))
        handles, labels = _legend_entries(result, windows, compared_days=True)
        _header(figure, f"{title}, {name.lower() if pcode == ALL else name}", handles, labels, 4)
        _source_line(figure, result)
    return figure

def comparison_figure(result, metrics=COMPARISON_METRICS):
    """Change against the baseline by region (and all regions), one panel per metric.

    Each dot is the expected change (``difference``: scenario − baseline, paired by member and
    weighted over whether the pause fails, is breached or holds), its whisker the P10–P90 range of
    the members' expected changes; a black diamond marks the expected change if the pause holds
    for its whole window. One colour per non-baseline scenario. Returns a matplotlib Figure.
    """
    table = result.comparison
    compared = [s for s in result.scenarios if s != result.baseline]
    if table is None or table.empty or not compared:
        raise ParameterError("the comparison has a single scenario: there is no change to draw")
    unknown = [m for m in metrics if m not in set(table["metric"])]
    if unknown:
        raise ParameterError(f"metric(s) not in the comparison table: {', '.join(unknown)}")
    codes = [*result.regions, ALL]
    names = {row.adm1_pcode: row.adm1_name for row in table[["adm1_pcode", "adm1_name"]].itertuples()}
    with style():
        from matplotlib.lines import Line2D

        height = 1.2 + 0.32 * len(codes) * max(1, len(compared)) ** 0.5
        figure = _new_figure(3.2 * len(metrics) + 1.2, max(3.2, height))
        axes = np.atleast_1d(figure.subplots(1, len(metrics), sharey=True))
        positions = np.arange(len(codes))[::-1]             # the first region on top, All at the bottom
        row_height = 0.8 / len(compared)
        for ax, metric in zip(axes, metrics, strict=True):
            rows = table[table["metric"] == metric]
            for number, scenario in enumerate(compared):
                colour = SCENARIO_COLOURS[(result.scenarios.index(scenario)) % len(SCENARIO_COLOURS)]
                block = rows[rows["scenario"] == scenario].set_index("adm1_pcode").reindex(codes)
                y = positions + 0.4 - row_height * (number + 0.5)
                # Lines from P10 to P90 rather than error bars: the expected change may lie outside
                # its own P10–P90 range when a few members carry it.
                low, high = (block[c].to_numpy(float) for c in ("difference_p10", "difference_p90"))
                ax.hlines(y, low, high, color=colour, lw=1.6, zorder=2)
                ax.plot(np.concatenate([low, high]), np.concatenate([y, y]), ls="none", marker="|", ms=7,
                        mew=1.6, color=colour, zorder=2)
                ax.plot(block["difference"].to_numpy(float), y, ls="none", marker="o", ms=6, color=colour,
                        mec="white", mew=0.8, zorder=4)
                ax.plot(block["difference_if_held"].to_numpy(float), y, ls="none", marker="D", ms=4,
                        color="black", zorder=3)
            ax.axvline(0, color="#333333", lw=0.8, zorder=1)
            ax.margins(x=0.06)
            ax.set_ylim(positions[-1] - 0.6, positions[0] + 0.6)
            ax.set_title(METRIC_LABELS.get(metric, metric), loc="left")
            scale, suffix = axis_scale(max(abs(limit) for limit in ax.get_xlim()))
            ax.xaxis.set_major_formatter(_axis_formatter(signed=True, scale=scale))
            ax.set_xlabel(f"change, {window_unit(metric)}{suffix}")
            ax.grid(axis="x", color="#E5E5E5", lw=0.6)
            ax.spines[["top", "right"]].set_visible(False)
        axes[0].set_yticks(positions, [names.get(code, code) for code in codes])
        handles = [Line2D([], [], color=SCENARIO_COLOURS[result.scenarios.index(s) % len(SCENARIO_COLOURS)],
                          lw=1.6, marker="o", ms=6, mec="white", label=f"{s}: expected change and P10–P90")
                   for s in compared]
        if table.loc[table["scenario"].isin(compared), "difference_if_held"].notna().any():
            handles.append(Line2D([], [], ls="none", marker="D", ms=4, color="black",
                                  label="change if the pause holds for its whole window"))
        days = pd.DatetimeIndex(result.days[result.window])
        # About 3.4 inches per legend entry, so that long scenario names wrap to a second row
        # instead of running off the figure.
        columns = max(1, min(len(handles), int(figure.get_figwidth() // 3.4)))
        _header(figure, f"Change against {result.baseline}, {span(days)} ({len(days)} days)", handles,
                [h.get_label() for h in handles], columns)
        _source_line(figure, result)
    return figure


def save_figure(figure, target: Path) -> Path:
    """Write ``figure`` as PNG atomically and reproducibly, then close it; returns ``target``."""
    target = Path(target)
    with style(), atomic_path(target) as temporary:
        figure.savefig(temporary, format="png", dpi=FIGURE_DPI, metadata={"Software": FIGURE_SOFTWARE})
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None and getattr(figure.canvas, "manager", None) is not None:
        pyplot.close(figure)
    return target
