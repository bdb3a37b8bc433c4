"""The report speaks of expected changes: by region, in the key numbers and in the comparison figure.

The comparison's levels and changes are expected values (ensemble means over every outcome of the
pause); the words "median" are kept for the daily impacts, which are medians.
"""

import numpy as np
import pytest

import gridimpact
from gridimpact.report import figures
from gridimpact.report.document import write_report
from gridimpact.report.numbers import quantity

pytest.importorskip("matplotlib")


pytestmark = pytest.mark.usefixtures("no_epoch")


@pytest.fixture(scope="module")
def report(small_comparison, tmp_path_factory):
    folder = tmp_path_factory.mktemp("out") / "report"
    return folder, write_report(small_comparison, folder, figures=False)


def test_by_region_gives_each_region_the_expected_change_then_the_change_if_held(small_comparison, report):
    folder, _ = report
    text = (folder / "report.md").read_text(encoding="utf-8")
    section = text[text.index("## By region"):text.index("## Key numbers")]
    assert "median" not in section
    rows = small_comparison.comparison.set_index(["adm1_pcode", "metric"])
    for code in [*small_comparison.regions, "ALL"]:
        cold, power, elderly = (rows.loc[(code, metric)] for metric in
                                ("people_below_12c", "person_hours_without_power", "elderly_below_9c"))
        line = next(line for line in section.splitlines() if line.startswith(f"- **{cold['adm1_name']}:**"))
        assert (f"Expected change: {quantity(cold['difference'], signed=True)} ± {quantity(cold['difference_se'])} "
                f"person-days below 12 °C indoors (P10 to P90: {quantity(cold['difference_p10'], signed=True)} to "
                f"{quantity(cold['difference_p90'], signed=True)})") in line
        assert (f"If the pause holds for its whole window: {quantity(cold['difference_if_held'], signed=True)}, "
                f"{quantity(power['difference_if_held'], signed=True)} and "
                f"{quantity(elderly['difference_if_held'], signed=True)} respectively.") in line


def test_key_numbers_give_expected_levels_and_how_likely_the_pause_is_to_hold(small_comparison, report):
    folder, _ = report
    text = (folder / "report.md").read_text(encoding="utf-8")
    section = text[text.index("## Key numbers"):text.index("## Comparison")]
    assert "median" not in section
    total = small_comparison.comparison.set_index(["adm1_pcode", "metric"]).loc[("ALL", "people_below_12c")]
    assert (f"**no-pause:** {quantity(total['baseline_value'])} person-days below 12 °C indoors") in section
    assert (f"**announced-pause:** {quantity(total['scenario_value'])} person-days below 12 °C indoors") in section
    assert "(expected values over the compared days, all regions: ensemble means)" in section
    assert "(expected values over the compared days, all regions: ensemble means over every outcome of its pause)" in section
    held = small_comparison.pause_held["announced-pause"]
    assert (f"**Pause of announced-pause:** holds for its whole window with probability "
            f"{total['pause_held_share']:.2f}; on average {quantity(total['pause_days_held_mean'])} of its 7 days "
            f"hold; it held fully in {held.sum()} of 4 members' own draws") in section


def test_a_scenario_without_a_pause_has_no_change_if_held(tmp_path):
    run = gridimpact.compare(scenarios=("no-pause", "observed"), members=2, days=2)
    write_report(run, tmp_path / "r", figures=False)
    text = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    section = text[text.index("## By region"):text.index("## Comparison")]
    assert "Expected change: " in section
    assert "If the pause holds" not in section and "Pause of observed" not in section
    assert "over every outcome of its pause" not in section


def test_comparison_dots_are_expected_changes_with_p10_p90_whiskers_and_if_held_markers(small_comparison):
    from matplotlib.collections import LineCollection

    figure = figures.comparison_figure(small_comparison)
    assert len(figure.axes) == len(figures.COMPARISON_METRICS)
    ax = figure.axes[0]
    rows = small_comparison.comparison[small_comparison.comparison["metric"] == "people_below_12c"].set_index("adm1_pcode")
    codes = [*small_comparison.regions, "ALL"]
    dots = next(line for line in ax.get_lines() if line.get_marker() == "o")
    np.testing.assert_allclose(dots.get_xdata(), rows.loc[codes, "difference"])
    whiskers = next(c for c in ax.collections if isinstance(c, LineCollection))
    ends = np.array([[segment[0][0], segment[1][0]] for segment in whiskers.get_segments()])
    np.testing.assert_allclose(ends, rows.loc[codes, ["difference_p10", "difference_p90"]].to_numpy())
    # Each whisker is on the row of its dot.
    np.testing.assert_allclose([segment[0][1] for segment in whiskers.get_segments()], dots.get_ydata())
    held = next(line for line in ax.get_lines() if line.get_marker() == "D")
    np.testing.assert_allclose(held.get_xdata(), rows.loc[codes, "difference_if_held"])
    assert [t.get_text() for t in ax.get_yticklabels()] == [*rows.loc[list(small_comparison.regions), "adm1_name"], "All regions"]
    assert ax.get_xlabel().startswith("change, person-days")
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert labels == ["announced-pause: expected change and P10–P90", "change if the pause holds for its whole window"]
    assert not any("median" in label for label in labels)


def test_the_comparison_legend_fits_inside_the_figure_with_several_scenarios():
    run = gridimpact.compare(scenarios=("no-pause", "announced-pause", "kremlin-statement", "observed"),
                             members=2, days=2)
    figure = figures.comparison_figure(run)
    figure.canvas.draw()
    box = figure.legends[0].get_window_extent()
    assert 0 <= box.x0 and box.x1 <= figure.bbox.width
    labels = [t.get_text() for t in figure.legends[0].get_texts()]
    assert labels[:3] == [f"{s}: expected change and P10–P90" for s in ("announced-pause", "kremlin-statement",
                                                                         "observed")]


def test_the_comparison_table_says_how_wide_its_errors_are(small_comparison, report):
    from gridimpact.report.console import SUMMARY_METRICS

    folder, _ = report
    text = (folder / "report.md").read_text(encoding="utf-8")
    table = small_comparison.comparison
    shown = table[table["metric"].isin([name for name, _ in SUMMARY_METRICS]) & (table["difference"] != 0)]
    wide = int((shown["difference_se"] / shown["difference"].abs() > 0.05).sum())
    note = (f"{wide} of the {len(shown)} non-zero changes shown have a standard error above 5% of their value" if wide
            else "Every non-zero change shown has a standard error within 5% of its value.")
    assert note in text
