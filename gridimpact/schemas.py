"""pandera contracts for every canonical input table.

Readers turn each source format into one of these tables, then validate it lazily so that every
problem is reported at once. The index of a table being validated holds the source line (or row)
number, so a failure case points back into the user's file.

Cross-column rules are dataframe checks; ``CHECK_COLUMNS`` names the column each one concerns so that
the message can point at it.
"""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from gridimpact.vocab import (
    BUILDING_CLASSES,
    BUILDING_SHARE_COLUMNS,
    CLIMATOLOGY_CONFIDENCE,
    DAMAGE_SCOPED_QUANTITIES,
    HEATING_SHARE_COLUMNS,
    HEATING_SYSTEMS,
    OBSERVATION_SCOPES,
    OBSERVATION_SETS,
    OBSERVED_QUANTITIES,
    OUTAGE_KINDS,
    PARTS_OF_DAY,
    PEOPLE_MAX,
    SCHEDULE_CERTAINTY,
    SUBQUEUES,
    SUPPLEMENTARY_HEAT,
    TEMPERATURE_QUALITY,
    TIMEZONE,
)

LocalTime = Annotated[pd.DatetimeTZDtype, "ns", TIMEZONE]

# Physically possible near-surface air temperature, °C: the lowest ever measured is −89.2 °C (Vostok
# station, 1983) and the highest reliable reading 54.4 °C (Death Valley, 2020 and 2021; WMO Weather
# and Climate Extremes Archive). Anything outside is a unit or data-entry error.
TEMPERATURE_MIN_C = -90.0
TEMPERATURE_MAX_C = 60.0


SHARE_SUM_TOLERANCE = 0.02
"""Heating-system and building-class shares may sum to 1 ± this, to allow rounded inputs."""



class OutageReports(pa.DataFrameModel):
    """One reported outage episode: who (a share or a count of customers) was off, from when to when.

    ``end`` may be empty: the outage lasts until a later report for the same region and kind ends it
    or the modelled period ends.
    """

    pcode: Series[str] = pa.Field(str_matches=r"^UA\d{2}(\d{2})?(\d{3})?(\d{3})?$")
    start: Series[LocalTime]
    end: Series[LocalTime] = pa.Field(nullable=True)
    kind: Series[str] = pa.Field(isin=list(OUTAGE_KINDS))
    share_off: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    customers_off: Series[float] = pa.Field(ge=0.0, le=PEOPLE_MAX, nullable=True)
    heat_lost_share: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    source: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="the end must be later than the start")
    def end_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["end"].isna() | (df["end"] > df["start"])

    @pa.dataframe_check(
        error="a report needs share_off, customers_off (or queues) or heat_lost_share"
    )
    def has_measure(cls, df: pd.DataFrame) -> Series[bool]:
        return df[["share_off", "customers_off", "heat_lost_share"]].notna().any(axis=1)

    class Config:
        coerce = True
        strict = "filter"


class OutageSchedule(pa.DataFrameModel):
    """One interval in which one subqueue (1.1 … 6.2) of a region is, or may be, without power."""

    pcode: Series[str] = pa.Field(str_matches=r"^UA\d{2}(\d{2})?(\d{3})?(\d{3})?$")
    subqueue: Series[str] = pa.Field(isin=list(SUBQUEUES))
    start: Series[LocalTime]
    end: Series[LocalTime]
    certainty: Series[str] = pa.Field(isin=list(SCHEDULE_CERTAINTY))
    source: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="the end must be later than the start")
    def end_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["end"] > df["start"]

    class Config:
        coerce = True
        strict = "filter"


class Temperature(pa.DataFrameModel):
    """Hourly near-surface air temperature per region, in °C."""

    pcode: Series[str] = pa.Field(str_matches=r"^UA\d{2}(\d{2})?(\d{3})?(\d{3})?$")
    time: Series[LocalTime]
    temperature_c: Series[float] = pa.Field(ge=TEMPERATURE_MIN_C, le=TEMPERATURE_MAX_C)
    quality: Series[str] = pa.Field(isin=list(TEMPERATURE_QUALITY))
    source: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="the same region and time appear more than once")
    def unique_time(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["pcode", "time"], keep=False)

    class Config:
        coerce = True
        strict = "filter"


class DailyTemperature(pa.DataFrameModel):
    """Daily minimum and maximum (or mean) temperature per region, in °C, before the diurnal curve."""

    pcode: Series[str] = pa.Field(str_matches=r"^UA\d{2}(\d{2})?(\d{3})?(\d{3})?$")
    date: Series[pd.Timestamp]
    tmin_c: Series[float] = pa.Field(ge=TEMPERATURE_MIN_C, le=TEMPERATURE_MAX_C, nullable=True)
    tmax_c: Series[float] = pa.Field(ge=TEMPERATURE_MIN_C, le=TEMPERATURE_MAX_C, nullable=True)
    tmean_c: Series[float] = pa.Field(ge=TEMPERATURE_MIN_C, le=TEMPERATURE_MAX_C, nullable=True)
    quality: Series[str] = pa.Field(isin=list(TEMPERATURE_QUALITY))
    source: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="the daily minimum is above the daily maximum")
    def min_below_max(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["tmin_c"].notna() & df["tmax_c"].notna()
        return ~both | (df["tmin_c"] <= df["tmax_c"])

    @pa.dataframe_check(error="a day needs tmin and tmax, or tmean")
    def has_value(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["tmin_c"].notna() & df["tmax_c"].notna()) | df["tmean_c"].notna()

    @pa.dataframe_check(error="the same region and date appear more than once")
    def unique_date(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df.duplicated(["pcode", "date"], keep=False)

    class Config:
        coerce = True
        strict = "filter"


class Population(pa.DataFrameModel):
    """People per region with the shares that split them into cohorts.

    Heating-system and building-class shares are optional in a file; where absent the model takes
    them from the embedded per-region estimates (see data/SOURCES.md).
    """

    pcode: Series[str] = pa.Field(str_matches=r"^UA\d{2}(\d{2})?(\d{3})?(\d{3})?$", unique=True)
    population: Series[float] = pa.Field(ge=0.0, le=PEOPLE_MAX)
    share_65plus: Series[float] = pa.Field(ge=0.0, le=1.0)
    share_0_4: Series[float] = pa.Field(ge=0.0, le=1.0)
    share_district: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    share_gas_boiler: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    share_electric: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    share_independent: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    share_panel_block: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    share_brick_block: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    share_house: Series[float] = pa.Field(ge=0.0, le=1.0, nullable=True)
    customers: Series[float] = pa.Field(ge=0.0, le=PEOPLE_MAX, nullable=True)
    source: Series[str] = pa.Field(nullable=True)
    population_low: Series[float] | None = pa.Field(ge=0.0, nullable=True)
    population_high: Series[float] | None = pa.Field(ge=0.0, nullable=True)
    customers_low: Series[float] | None = pa.Field(ge=0.0, nullable=True)
    customers_high: Series[float] | None = pa.Field(ge=0.0, nullable=True)
    population_basis: Series[str] | None = pa.Field(nullable=True)

    @pa.dataframe_check(error="population range must hold the population: population_low ≤ population ≤ population_high")
    def population_range(cls, df: pd.DataFrame) -> Series[bool]:
        return _within_range(df, "population", "population_low", "population_high")

    @pa.dataframe_check(error="share_65plus + share_0_4 exceeds 1")
    def age_shares(cls, df: pd.DataFrame) -> Series[bool]:
        return df["share_65plus"] + df["share_0_4"] <= 1.0 + 1e-9

    @pa.dataframe_check(error="heating-system shares must all be given and sum to 1")
    def heating_shares(cls, df: pd.DataFrame) -> Series[bool]:
        return _shares_complete(df, HEATING_SHARE_COLUMNS)

    @pa.dataframe_check(error="building-class shares must all be given and sum to 1")
    def building_shares(cls, df: pd.DataFrame) -> Series[bool]:
        return _shares_complete(df, BUILDING_SHARE_COLUMNS)

    class Config:
        coerce = True
        strict = "filter"


CONFIDENCE_LEVELS = ("H", "M", "L", "H/M", "M/L", "L-M")
_CLOCK_OR_PART_OF_DAY = r"^(([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d)?|" + "|".join(PARTS_OF_DAY) + r")$"


class Observations(pa.DataFrameModel):
    """One reported figure (an operator's count, a city's count, a resident's thermometer) to test
    the model against; indoor reports carry the building class, hours without heat and outdoor
    temperature that a controlled cooling run needs."""

    id: Series[str] = pa.Field(unique=True)
    set: Series[str] = pa.Field(isin=list(OBSERVATION_SETS))
    date: Series[pd.Timestamp]
    time: Series[str] = pa.Field(str_matches=_CLOCK_OR_PART_OF_DAY, nullable=True)
    pcode: Series[str] = pa.Field(str_matches=r"^UA\d{2}(\d{2})?(\d{3})?(\d{3})?$")
    quantity: Series[str] = pa.Field(isin=list(OBSERVED_QUANTITIES))
    scope: Series[str] = pa.Field(isin=list(OBSERVATION_SCOPES))
    value: Series[float]
    value_low: Series[float] = pa.Field(nullable=True)
    value_high: Series[float] = pa.Field(nullable=True)
    unit: Series[str]
    building_class: Series[str] = pa.Field(isin=list(BUILDING_CLASSES), nullable=True)
    heating: Series[str] = pa.Field(isin=list(HEATING_SYSTEMS), nullable=True)
    supplementary_heat: Series[str] = pa.Field(isin=list(SUPPLEMENTARY_HEAT), nullable=True)
    hours_without_heat: Series[float] = pa.Field(ge=0.0, nullable=True)
    outdoor_temp_c: Series[float] = pa.Field(ge=TEMPERATURE_MIN_C, le=TEMPERATURE_MAX_C, nullable=True)
    persons_per_building: Series[float] = pa.Field(gt=0.0, nullable=True)
    source: Series[str]
    confidence: Series[str] = pa.Field(isin=list(CONFIDENCE_LEVELS))
    note: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="the unit does not match the quantity (see docs/inputs.md, Observations)")
    def unit_of_quantity(cls, df: pd.DataFrame) -> Series[bool]:
        return df["unit"] == df["quantity"].map(OBSERVED_QUANTITIES)

    @pa.dataframe_check(error="value_low and value_high must bracket the value")
    def range_brackets_value(cls, df: pd.DataFrame) -> Series[bool]:
        low_ok = df["value_low"].isna() | (df["value_low"] <= df["value"])
        high_ok = df["value_high"].isna() | (df["value_high"] >= df["value"])
        return low_ok & high_ok

    @pa.dataframe_check(error="a count, share or duration cannot be negative, and a share cannot exceed 1")
    def value_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        temperature = df["quantity"] == "indoor_temperature_c"
        share = df["quantity"] == "share_customers_without_power"
        return temperature | ((df["value"] >= 0) & (~share | (df["value"] <= 1)))

    @pa.dataframe_check(error="scope damage is for counts and shares of customers, people or buildings cut "
                              f"({', '.join(DAMAGE_SCOPED_QUANTITIES)}); other quantities take scope all")
    def scope_of_quantity(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["scope"] != "damage") | df["quantity"].isin(list(DAMAGE_SCOPED_QUANTITIES))

    @pa.dataframe_check(error="an indoor temperature needs building_class and hours_without_heat")
    def indoor_context(cls, df: pd.DataFrame) -> Series[bool]:
        indoor = df["quantity"].isin(["indoor_temperature_c", "hours_to_reheat"])
        return ~indoor | (df["building_class"].notna() & df["hours_without_heat"].notna())

    class Config:
        coerce = True
        strict = "filter"
def _within_range(df: pd.DataFrame, column: str, low: str, high: str) -> Series[bool]:
    """True where the range is absent or holds the value."""
    ok = pd.Series(True, index=df.index)
    if low in df.columns:
        ok &= df[low].isna() | (df[low] <= df[column])
    if high in df.columns:
        ok &= df[high].isna() | (df[column] <= df[high])
    return ok


def _shares_complete(df: pd.DataFrame, columns: tuple[str, ...]) -> pd.Series:
    block = df[list(columns)]
    none_given = block.isna().all(axis=1)
    all_given = block.notna().all(axis=1)
    sums_to_one = (block.sum(axis=1) - 1.0).abs() <= SHARE_SUM_TOLERANCE
    return none_given | (all_given & sums_to_one)


CHECK_COLUMNS = {
    "end_after_start": "end",
    "has_measure": "share_off",
    "unique_time": "time",
    "unique_date": "date",
    "min_below_max": "tmin_c",
    "has_value": "tmean_c",
    "age_shares": "share_65plus",
    "heating_shares": "share_district",
    "building_shares": "share_panel_block",
    "unit_of_quantity": "unit",
    "range_brackets_value": "value_low",
    "value_in_range": "value",
    "indoor_context": "building_class",
    "scope_of_quantity": "scope",
}
"""The column a cross-column check's failure is reported against."""


class ClimatologyTable(pa.DataFrameModel):
    """One region and calendar month of ``data/climatology.csv`` (see docs/model.md)."""

    region: Series[str] = pa.Field(str_matches=r"^UA(\d{2})?(\d{2})?(\d{3})?(\d{3})?$")
    # Numbers may be NaN here: a blank or unreadable cell has already been reported by the parser.
    month: Series[float] = pa.Field(ge=1, le=12, nullable=True)
    tmin_normal_c: Series[float] = pa.Field(ge=-60.0, le=40.0, nullable=True)
    tmax_normal_c: Series[float] = pa.Field(ge=-60.0, le=50.0, nullable=True)
    anomaly_sd_k: Series[float] = pa.Field(ge=0.0, le=20.0, nullable=True)
    lag1_autocorrelation: Series[float] = pa.Field(ge=0.0, le=0.99, nullable=True)
    period: Series[str]
    source: Series[str]
    confidence: Series[str] = pa.Field(isin=list(CLIMATOLOGY_CONFIDENCE))
    method: Series[str]

    class Config:
        coerce = True
        strict = "filter"
