"""Ensemble members: one random stream per member and purpose, draws independent of blocking."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.io.readers.scenarios import load_scenario
from gridimpact.model.block_draws import STREAMS, draw_block, member_rng
from gridimpact.model.ensemble import EnsembleSetup, member_parameters
from gridimpact.model.exposure import exposure_from, outdoor_values
from gridimpact.model.hazard import build_hazard
from gridimpact.model.params import Params
from gridimpact.model.period import Period


def setup_of(inputs, seed=11) -> EnsembleSetup:
    params = Params.defaults()
    regions = ["UA80", "UA63"]
    period = Period.of("2026-01-25", "2026-02-05")
    exposure = exposure_from(inputs, regions, params)
    return EnsembleSetup(
        regions=tuple(regions), all_regions=tuple(regions), block_index=np.arange(len(regions)), period=period,
        params=params, exposure=exposure,
        base=build_hazard(inputs.outages.reports, inputs.outages.schedules, regions, period, exposure.customers),
        observed_outdoor=outdoor_values(inputs, regions, period), climatology=None,
        as_of_q=period.quarter_of(pd.Timestamp("2026-01-30", tz="Europe/Kyiv")), observed_until_q=0.0, seed=seed)


def test_every_member_and_stream_has_its_own_reproducible_generator():
    values = {(m, s): member_rng(5, m, s).uniform() for m in range(3) for s in STREAMS}
    assert len(set(values.values())) == len(values)
    assert member_rng(5, 2, "pause").uniform() == values[(2, "pause")]


def test_a_members_draws_do_not_depend_on_the_block_it_runs_in(embedded_inputs):
    setup = setup_of(embedded_inputs)
    scenario = load_scenario("announced-pause")
    together = draw_block(setup, scenario, range(5))
    alone = draw_block(setup, scenario, [3])
    assert np.array_equal(together.time[3], alone.time[0])
    assert together.held_share[3] == alone.held_share[0]
    assert np.array_equal(together.phi[3], alone.phi[0])
    for name, values in together.effects.items():
        assert np.array_equal(values[3], alone.effects[name][0]), name
    block = member_parameters(setup, range(5))
    single = member_parameters(setup, [3])
    for name, values in block.items():
        assert np.array_equal(np.broadcast_to(values, (5,))[3], np.broadcast_to(single[name], (1,))[0]), name


def test_another_seed_gives_other_draws(embedded_inputs):
    scenario = load_scenario("no-pause")
    a = draw_block(setup_of(embedded_inputs, seed=1), scenario, range(4)).time
    b = draw_block(setup_of(embedded_inputs, seed=2), scenario, range(4)).time
    assert a.shape == b.shape and not np.array_equal(a, b)
