"""One number style for every reader: the report, its tables and bullets, the brief and the terminal."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridimpact.report.numbers import error, join, long_date, plus_minus, quantity, short_date, span


@pytest.mark.parametrize(("value", "text"), [
    (1_367_114_416, "1.37 billion"),
    (1_370_000_000, "1.37 billion"),
    (16_612_345, "16.6 million"),
    (1_294_068, "1.29 million"),
    (999_600, "1 million"),          # rounds up into the next word, not "1,000,000" or "1000 thousand"
    (953_123, "953,000"),
    (41_578, "41,600"),
    (2_998.6, "3,000"),
    (412.4, "412"),
    (99.6, "100"),
    (45.4, "45"),
    (9.96, "10"),
    (4.46, "4.5"),
    (5.0, "5"),
    (0.04, "0"),
    (0, "0"),
])
def test_hand_checked_values(value, text):
    assert quantity(value) == text
    if text != "0":
        assert quantity(-value) == "\u2212" + text             # a true minus sign
        assert quantity(value, signed=True) == "+" + text
    else:
        assert quantity(-value, signed=True) == "0"            # no "−0" or "+0"


def test_missing_values_are_a_dash():
    for value in (None, float("nan"), float("inf"), "not a number"):
        assert quantity(value) == "\u2013"


def _read_back(text: str) -> float:
    words = {"million": 1e6, "billion": 1e9}
    number, _, word = text.replace("\u2212", "-").replace("+", "").replace(",", "").partition(" ")
    return float(number) * words.get(word, 1)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_a_number_reads_back_within_its_rounding(value):
    text = quantity(value)
    magnitude = abs(value)
    tolerance = 0.05 if magnitude < 9.95 else max(0.5, magnitude * 0.005)
    assert abs(_read_back(text) - value) <= tolerance * (1 + 1e-9)


def test_dates_use_english_month_names():
    assert long_date("2026-01-30") == "30 January 2026"
    assert short_date("2026-02-08") == "8 Feb"
    assert span(["2026-01-30", "2026-01-31", "2026-02-12"]) == "30 January to 12 February 2026"
    assert span(["2025-12-30", "2026-01-02"]) == "30 December 2025 to 2 January 2026"
    assert span([]) == "no days"
    assert join(["a"]) == "a" and join(["a", "b", "c"]) == "a, b and c"


def test_the_terminal_summary_uses_the_same_style():
    import gridimpact
    from gridimpact.report.console import comparison_text

    text = comparison_text(gridimpact.compare(members=2, days=2))
    assert " million" in text
    for compact in ("G ", "M ", "k "):
        assert not any(word.endswith(compact.strip()) and word[:-1].replace(".", "").isdigit()
                       for word in text.split()), compact


@pytest.mark.parametrize(("value", "text"), [(0.046, "0.046"), (0.1234, "0.12"), (0.5, "0.5"), (0.0596, "0.06"), (0.0, "0"),
                                             (2.4, "2.4"), (22_300.0, "22,300"), (1.04e6, "1.04 million")])
def test_a_standard_error_keeps_two_figures_below_one_and_never_hides_as_zero(value, text):
    assert error(value) == text


def test_a_change_and_its_error_read_as_one_phrase():
    assert plus_minus(-0.9, 0.046) == "\u22120.9 ± 0.046"
    assert plus_minus(-1_460_000, 22_300) == "\u22121.46 million ± 22,300"
    assert plus_minus(float("nan"), float("nan")) == "\u2013 ± \u2013"


def test_the_error_note_names_the_widest_error_and_the_members_that_halve_it():
    from gridimpact.report.numbers import error_note

    note = error_note([(0.02, "a in X"), (0.08, "b in Y"), (0.151, "c in Z"), (0.05, "d in X")], 128)
    assert note == ("2 of the 4 non-zero changes shown have a standard error above 5% of their value "
                    "(the largest: c in Z, 15%); four times the members (--members 512) halve the errors.")
    assert error_note([(0.05, "a in X"), (0.0, "b in Y")], 64) == \
        "Every non-zero change shown has a standard error within 5% of its value."


def test_the_terminal_summary_says_how_wide_its_errors_are():
    import gridimpact
    from gridimpact.report.console import SUMMARY_METRICS, comparison_text

    result = gridimpact.compare(members=8, days=2)
    text = comparison_text(result)
    table = result.comparison
    shown = table[table["metric"].isin([name for name, _ in SUMMARY_METRICS]) & (table["difference"] != 0)]
    wide = int((shown["difference_se"] / shown["difference"].abs() > 0.05).sum())
    assert wide > 0
    assert f"{wide} of the " in text and "(--members 32) halve the errors." in text


def test_the_ensemble_is_named_with_the_regions_given_more():
    from types import SimpleNamespace

    import pandas as pd

    from gridimpact.report.context import ensemble_size, refined

    table = pd.DataFrame({"scenario": "announced-pause", "metric": "people_below_12c",
                          "adm1_pcode": ["UA14", "UA51", "UA63", "UA80"],
                          "adm1_name": ["Donetska", "Odeska", "Kharkivska", "Kyiv"]})
    result = SimpleNamespace(members=128, comparison=table,
                             region_members={"UA14": 256, "UA51": 512, "UA63": 128, "UA80": 256})
    assert ensemble_size(result) == "128 members, 512 for Odeska, 256 for Donetska and Kyiv"
    assert ensemble_size(result, limit=2) == "128 members, 512 for Odeska, 256 for Donetska and 1 more"
    assert refined(result)
    plain = SimpleNamespace(members=128, comparison=table, region_members=dict.fromkeys(table["adm1_pcode"], 128))
    assert ensemble_size(plain) == "128 members" and not refined(plain)
