"""Exposure disclosed and uncertain: every output says what its population counts, and ensembles
sample the population over its documented range."""

from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import gridimpact
from gridimpact.cli import cli
from gridimpact.io.writers.datapackage import table_fields
from gridimpact.model.ensemble import member_population_scale
from gridimpact.model.exposure import UNSTATED_BASIS, population_basis
from gridimpact.report.console import comparison_text
from gridimpact.report.metadata import about_table

DONETSK = "residents of the government-controlled part of the oblast only"


@pytest.fixture(scope="module")
def comparison():
    return gridimpact.compare(regions=["UA14", "UA80"], members=8, days=3)


def test_the_daily_table_and_the_summary_say_what_the_population_counts(tmp_path):
    result = gridimpact.estimate(regions=["UA14"], start="2026-02-01", end="2026-02-02", hourly=False)
    assert result.daily["population_basis"].str.startswith(DONETSK).all()
    assert list(result.daily.columns).index("population_basis") == list(result.daily.columns).index("population") + 1
    command = ["estimate", "--region", "UA14", "--start", "2026-02-01", "--end", "2026-02-01"]
    out = CliRunner().invoke(cli, command)
    assert out.exit_code == 0, out.output
    assert f"196,000 people: {DONETSK}" in out.output
    assert CliRunner().invoke(cli, [*command, "-o", str(tmp_path)]).exit_code == 0
    assert DONETSK in (tmp_path / "daily.csv").read_text(encoding="utf-8")


def test_the_comparison_outputs_carry_the_basis(comparison, tmp_path):
    impacts = comparison.impacts
    kyiv = impacts[impacts["adm1_pcode"] == "UA80"]["population_basis"]
    assert kyiv.str.startswith("people present in Kyiv city in winter 2025-26").all()
    fields = {f["name"]: f for f in table_fields(impacts, ensemble=True)}
    assert "counts" in fields["population_basis"]["description"]
    assert fields["population_basis"]["gridimpact:hxl"] == "#population+meta+basis"
    comparison.to_files(tmp_path, ("csv",))
    assert "people present in Kyiv city" in (tmp_path / "impacts.csv").read_text(encoding="utf-8")
    about = about_table(comparison.provenance).set_index("item")["value"]
    assert about["population basis UA14"].startswith(DONETSK)
    assert "Population of UA80: people present" in comparison_text(comparison)


def test_a_population_without_a_stated_basis_says_so():
    import pandas as pd

    frame = pd.DataFrame({"population": [1.0, 2.0], "source": ["my-file.csv", None],
                          "population_basis": [None, "residents, 2025"]})
    assert population_basis(frame) == (f"{UNSTATED_BASIS} (source: my-file.csv)", "residents, 2025")


def _setup(population, low, high, block_index=None, all_regions=None):
    population = np.asarray(population, float)
    exposure = SimpleNamespace(population=population, population_range=np.stack([low, high], axis=1).astype(float))
    regions = tuple(f"R{i}" for i in range(len(population)))
    return SimpleNamespace(seed=7, exposure=exposure, all_regions=all_regions or regions,
                           block_index=np.arange(len(population)) if block_index is None else block_index)


@given(st.floats(1e3, 1e7), st.floats(0.5, 1.0), st.floats(1.0, 2.0))
@settings(max_examples=50, deadline=None)
def test_sampled_populations_stay_in_their_range(population, low_factor, high_factor):
    setup = _setup([population, population], [population * low_factor, np.nan], [population * high_factor, np.nan])
    scale = member_population_scale(setup, range(40))
    assert scale.shape == (40, 2)
    assert np.all(scale[:, 0] >= low_factor - 1e-9) and np.all(scale[:, 0] <= high_factor + 1e-9)
    assert np.all(scale[:, 1] == 1.0)  # no documented range: held fixed


def test_the_triangular_draw_has_its_mode_at_the_population():
    # Kyiv city: 3.0 M within 2.9–3.7 M; the triangular mean is (2.9 + 3.0 + 3.7) / 3 = 3.2 M
    setup = _setup([3.0e6], [2.9e6], [3.7e6])
    scale = member_population_scale(setup, range(4000))[:, 0] * 3.0e6
    assert scale.mean() == pytest.approx(3.2e6, rel=0.01)
    assert np.median(scale) == pytest.approx(3.7e6 - np.sqrt(0.5 * 0.8e6 * 0.7e6), rel=0.01)


def test_a_regions_draw_does_not_depend_on_its_block():
    whole = _setup([1e6, 2e6], [0.9e6, 1.5e6], [1.2e6, 2.5e6])
    alone = _setup([2e6], [1.5e6], [2.5e6], block_index=np.array([1]), all_regions=("R0", "R1"))
    assert np.array_equal(member_population_scale(whole, range(5))[:, 1], member_population_scale(alone, range(5))[:, 0])


def test_ensembles_spread_the_population_and_the_counts(comparison):
    impacts = comparison.impacts
    kyiv = impacts[(impacts["adm1_pcode"] == "UA80")].iloc[0]
    assert kyiv["population_p10"] < kyiv["population_p90"] and kyiv["population_p90"] > 3.1e6
    assert kyiv["population_p10"] >= 2.9e6 and kyiv["population_p90"] <= 3.7e6
