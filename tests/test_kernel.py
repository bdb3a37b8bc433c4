"""The compiled engine against the numpy reference: identical tables, bit for bit.

The kernel (``gridimpact.model.kernel``) performs the numpy path's operations in the same order on
the same types, so no tolerance is needed: every comparison here is exact (``np.array_equal``,
``check_exact=True``). Random cases cover several members and regions, hazards with one member or
many, weather per member or shared, published schedules, partly lost loss bands, classes without
people and the 25-hour day of the autumn clock change.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import gridimpact
from gridimpact.cli.main import cli
from gridimpact.errors import ArgumentError
from gridimpact.model import compilation, kernel
from gridimpact.model.cohorts import SIMULATED_HEATING
from gridimpact.model.engine import ENGINES, Building, Exposure, Settings, resolve_engine, simulate
from gridimpact.model.hazard import Hazard, loss_band_edges
from gridimpact.model.metrics import BELOW_THRESHOLDS_C
from gridimpact.model.params import load_params, sample_params
from gridimpact.model.period import QUARTERS_PER_HOUR, Period
from gridimpact.model.thermal import StepConstants
from gridimpact.vocab import BUILDING_CLASSES, COLD_THRESHOLDS_C, SUBQUEUES

AUTUMN = Period.of("2025-10-25", "2025-10-27")  # the middle day has 25 hours


def steps(rng, shape, low=0.0, high=1.0, every=QUARTERS_PER_HOUR * 3) -> np.ndarray:
    """Piecewise-constant shares (levels held for ``every`` quarters), as outage reports give."""
    levels = rng.uniform(low, high, (*shape[:-1], -(-shape[-1] // every)))
    return np.repeat(levels, every, axis=-1)[..., :shape[-1]]


def random_case(seed: int):
    rng = np.random.default_rng(seed)
    members, regions, bands = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(3, 9))
    hazard_members = members if rng.random() < 0.7 else 1
    q = AUTUMN.n_quarters
    rotating = steps(rng, (hazard_members, regions, q), 0.0, 0.6)
    persistent = steps(rng, (hazard_members, regions, q), 0.0, 0.4) * (rng.random((1, regions, 1)) < 0.7)
    heat = steps(rng, (hazard_members, regions, q), 0.0, 0.5) * (rng.random((1, regions, 1)) < 0.7)
    schedule = (rng.random((regions, len(SUBQUEUES), q)) < 0.3) * rng.choice([0.5, 1.0], (regions, len(SUBQUEUES), q))
    quarters_per_day = np.diff(AUTUMN.day_hour_starts()) * QUARTERS_PER_HOUR
    schedule_days = np.repeat(rng.random((regions, len(quarters_per_day))) < 0.5, quarters_per_day, axis=1)
    # the observed member's shares set the boundaries; the others fall inside bands
    edges = loss_band_edges(persistent[0], heat[0], bands)
    hazard = Hazard(tuple(f"UA{70 + r}" for r in range(regions)), AUTUMN, rotating, persistent, heat,
                    schedule, schedule_days, edges)
    weights = rng.dirichlet(np.ones(9), regions).reshape(regions, 3, 3) * (rng.random((regions, 3, 3)) < 0.8)
    independent = rng.uniform(0.0, 0.3, regions) * (rng.random(regions) < 0.5)
    weights *= ((1.0 - independent) / np.maximum(weights.sum(axis=(1, 2)), 1e-9))[:, None, None]
    population = rng.uniform(1e3, 3e6, regions).round()
    exposure = Exposure(hazard.regions, population, rng.uniform(0.1, 0.3, regions), weights, independent,
                        population / 2.3)
    values = sample_params(load_params(None), members, rng)
    building = Building.from_values({**load_params(None).to_dict(), **values}, members)
    outdoor = rng.uniform(-28.0, 6.0, (members if rng.random() < 0.5 else 1, regions, AUTUMN.n_hours))
    settings = Settings(rotation_block=float(rng.choice([2.0, 4.0])), bands=bands, hdd_base=17.0,
                        risk_share=0.2)
    return hazard, outdoor, exposure, building, settings


def assert_same(numpy_run, compiled_run) -> None:
    assert numpy_run.daily.keys() == compiled_run.daily.keys()
    for name, values in numpy_run.daily.items():
        assert np.array_equal(values, compiled_run.daily[name], equal_nan=True), name
    for part in ("air", "mass", "phase"):
        assert np.array_equal(getattr(numpy_run.state, part), getattr(compiled_run.state, part)), part
    if numpy_run.hourly is not None:
        for name, values in numpy_run.hourly.items():
            assert np.array_equal(values, compiled_run.hourly[name]), name


@pytest.mark.parametrize("seed", range(12))
def test_the_compiled_engine_equals_the_numpy_reference_bit_for_bit(seed):
    case = random_case(seed)
    keep = seed % 3 == 0
    assert_same(simulate(*case, engine="numpy", keep_hourly=keep), simulate(*case, engine="compiled", keep_hourly=keep))


@pytest.mark.parametrize("seed", (3, 8))
def test_a_continued_simulation_equals_too(seed):
    case = random_case(seed)
    runs = {}
    for engine in ENGINES:
        first = simulate(*case, engine=engine, days=range(1))
        runs[engine] = simulate(*case, engine=engine, days=range(1, 3), state=first.state)
    assert_same(runs["numpy"], runs["compiled"])


@pytest.mark.parametrize("seed", (1, 5, 9))
def test_cells_left_out_keep_their_state_and_the_others_are_unchanged(seed):
    """A stratum simulates only the regions whose strikes changed (``active``): those cells must come
    out as in a full run, the others keep the state they had and report zeros."""
    case = random_case(seed)
    members, regions = case[3].members, len(case[2].regions)
    first = simulate(*case, engine="compiled", days=range(1))
    active = np.random.default_rng(seed).random((members, regions)) < 0.5
    full = simulate(*case, engine="compiled", days=range(1, 2), state=first.state)
    part = simulate(*case, engine="compiled", days=range(1, 2), state=first.state, active=active)
    for name, values in full.daily.items():
        assert np.array_equal(values[active], part.daily[name][active], equal_nan=True), name
    assert (part.daily["people_without_power"][~active] == 0).all()
    for field in ("air", "mass"):
        before, after, reference = (getattr(s.state, field) for s in (first, part, full))
        assert np.array_equal(after[active], reference[active]), field
        assert np.array_equal(after[~active], np.broadcast_to(before, after.shape)[~active]), field


def test_the_embedded_estimate_is_identical_with_either_engine():
    numpy_result = gridimpact.estimate(engine="numpy")
    compiled = gridimpact.estimate(engine="compiled")
    pd.testing.assert_frame_equal(numpy_result.daily, compiled.daily, check_exact=True)
    for name in numpy_result.hourly.data_vars:
        assert np.array_equal(numpy_result.hourly[name].values, compiled.hourly[name].values, equal_nan=True), name


def test_the_embedded_comparison_is_identical_with_either_engine_and_any_blocking():
    numpy_result = gridimpact.compare(members=6, days=4, block=3, workers=2, engine="numpy")
    for block in (3, 2):
        compiled = gridimpact.compare(members=6, days=4, block=block, workers=2, engine="compiled")
        pd.testing.assert_frame_equal(numpy_result.impacts, compiled.impacts, check_exact=True)
        pd.testing.assert_frame_equal(numpy_result.comparison, compiled.comparison, check_exact=True)
        for scenario, metrics in numpy_result.daily.items():
            for name, values in metrics.items():
                assert np.array_equal(values, compiled.daily[scenario][name], equal_nan=True), (scenario, name)


def test_the_engine_comes_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv("GRIDIMPACT_ENGINE", raising=False)
    assert resolve_engine(None) == "compiled"
    assert Settings(4.0, 8, 17.0, 0.2).engine == "compiled"
    monkeypatch.setenv("GRIDIMPACT_ENGINE", "numpy")
    assert resolve_engine(None) == "numpy"
    assert Settings.from_params(load_params(None)).engine == "numpy"
    assert resolve_engine("compiled") == "compiled"
    monkeypatch.setenv("GRIDIMPACT_ENGINE", "fortran")
    with pytest.raises(ArgumentError, match="GRIDIMPACT_ENGINE must be one of compiled, numpy"):
        resolve_engine(None)
    with pytest.raises(ArgumentError, match="engine must be one of compiled, numpy, got 'fast'"):
        gridimpact.estimate(engine="fast")


def test_the_kernel_counts_every_threshold_a_metric_asks_for():
    assert set(COLD_THRESHOLDS_C) | {16.0, 12.0, 9.0} <= set(BELOW_THRESHOLDS_C)


def test_a_slow_first_compilation_is_announced_once(monkeypatch):
    said = []
    monkeypatch.setattr(compilation, "_compiled_in_process", False)
    monkeypatch.setattr(compilation, "COMPILE_NOTICE_AFTER_S", 0.05)
    monkeypatch.setattr(compilation, "_tiny_day", lambda: time.sleep(0.3))
    assert compilation.ensure_compiled(notice=said.append) >= 0.3
    assert compilation.ensure_compiled(notice=said.append) == 0.0
    assert len(said) == 1 and "compiling the engine (first run only" in said[0]


def test_a_fast_load_from_the_cache_says_nothing(monkeypatch):
    said = []
    monkeypatch.setattr(compilation, "_compiled_in_process", False)
    monkeypatch.setattr(compilation, "_tiny_day", lambda: None)
    compilation.ensure_compiled(notice=said.append)
    assert said == []


def test_warm_up_compiles_or_loads_the_engine_and_says_where_it_is_kept():
    result = CliRunner().invoke(cli, ["warm-up"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Engine ")
    assert "cache" in result.output


def test_the_numpy_reference_runs_without_numba():
    code = ("import sys, gridimpact; gridimpact.estimate(hourly=False, regions=['Kyiv']); "
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "GRIDIMPACT_ENGINE": "numpy"}).stdout
    assert out.strip() == "False"


def test_the_kernel_shapes_are_the_model_vocabulary():
    assert (kernel.GROUPS, kernel.HEATING, kernel.BUILDINGS) == (len(SUBQUEUES), len(SIMULATED_HEATING),
                                                               len(BUILDING_CLASSES))
    assert kernel.STEP_FIELDS == tuple(StepConstants.__dataclass_fields__)
