"""Small synthetic inputs built directly as canonical tables, for model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gridimpact.inputs import Inputs, OutageData, PopulationData, TemperatureData

TZ = "Europe/Kyiv"


def outage_reports(rows) -> pd.DataFrame:
    """rows: (pcode, start, end, kind, share_off, heat_lost_share) with local naive times."""
    frame = pd.DataFrame(rows, columns=["pcode", "start", "end", "kind", "share_off", "heat_lost_share"])
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize(TZ).astype(f"datetime64[ns, {TZ}]")
    frame["share_off"] = frame["share_off"].astype(float)
    frame["heat_lost_share"] = frame["heat_lost_share"].astype(float)
    frame["customers_off"] = np.nan
    frame["source"] = None
    return frame[["pcode", "start", "end", "kind", "share_off", "customers_off", "heat_lost_share", "source"]]


def empty_schedules() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in ("pcode", "subqueue", "certainty", "source")})
    frame["start"] = pd.Series(dtype=f"datetime64[ns, {TZ}]")
    frame["end"] = pd.Series(dtype=f"datetime64[ns, {TZ}]")
    return frame[["pcode", "subqueue", "start", "end", "certainty", "source"]]


def temperature_frame(pcodes, start, days, value_c) -> pd.DataFrame:
    """Hourly temperature; ``value_c`` a number or a function (pcode, hour index) → °C."""
    hours = pd.date_range(pd.Timestamp(start).tz_localize(TZ), periods=24 * days, freq="h")
    frames = []
    for pcode in pcodes:
        values = [value_c(pcode, i) if callable(value_c) else value_c for i in range(len(hours))]
        frames.append(pd.DataFrame({"pcode": pcode, "time": hours, "temperature_c": np.asarray(values, float),
                                    "quality": "observed", "source": None}))
    return pd.concat(frames, ignore_index=True)


def population_frame(pcodes, population=1_000_000.0) -> pd.DataFrame:
    return pd.DataFrame({
        "pcode": list(pcodes), "population": float(population), "share_65plus": 0.2, "share_0_4": 0.04,
        "share_district": 0.6, "share_gas_boiler": 0.25, "share_electric": 0.05, "share_independent": 0.1,
        "share_panel_block": 0.45, "share_brick_block": 0.3, "share_house": 0.25,
        "customers": float(population) / 2.5, "source": None,
    })


def make_inputs(reports: pd.DataFrame, temperature: pd.DataFrame, population: pd.DataFrame, **extra) -> Inputs:
    return Inputs(
        outages=OutageData(reports=reports, schedules=empty_schedules()),
        temperature=TemperatureData(frame=temperature),
        population=PopulationData(frame=population),
        **extra,
    )
