"""Controlled vocabularies shared by the readers, the schemas and the model (no heavy imports)."""

from __future__ import annotations

TIMEZONE = "Europe/Kyiv"
"""A timestamp without a zone means local time in Kyiv; daily metrics are per local calendar day."""

FIRST_YEAR, LAST_YEAR = 1800, 2100
"""Calendar years gridimpact reads, in files and in options alike (a project choice): station
records (GHCN-Daily, Meteostat) reach back into the 19th century and scenarios forward a few
decades, and tables hold timestamps from 1677 to 2262 only; a day outside is a typing error
(``2206`` for ``2026``), reported rather than read."""

OUTAGE_KINDS = ("scheduled", "emergency", "strike")
"""scheduled: hourly outage schedules (ГПВ) by queue; emergency: schedules suspended, manual
switching (ГАВ/аварійні); strike: damage from an attack on energy infrastructure."""

QUEUES = 6
SUBQUEUES_PER_QUEUE = 2
SUBQUEUES = tuple(f"{q}.{s}" for q in range(1, QUEUES + 1) for s in range(1, SUBQUEUES_PER_QUEUE + 1))
"""The 12 consumer groups (черги and підчерги) 1.1 … 6.2 that rotating outages cycle through."""

SCHEDULE_CERTAINTY = ("definite", "possible")

HEATING_SYSTEMS = ("district", "gas_boiler", "electric", "independent")
"""district: district heating (CHP or boiler house, building pumps need power); gas_boiler: individual
or building gas boiler (controls and pumps need power); electric: electric heating; independent:
stoves and solid fuel, which need no grid power."""

BUILDING_CLASSES = ("panel_block", "brick_block", "house")

TEMPERATURE_QUALITY = ("observed", "reanalysis", "forecast", "reconstructed", "interpolated", "climatology")
"""observed: station measurement; reanalysis: ERA5 and similar; forecast: a same-day or next-day
forecast used in place of a measurement; reconstructed: built from partial information (daily
extremes, neighbouring values) by a documented method; interpolated: a short gap filled linearly;
climatology: drawn from the climatological model beyond the last known value."""

RISK_LEVELS = ("none", "moderate", "high", "severe")

COLD_THRESHOLDS_C = (18.0, 16.0, 12.0, 9.0)
"""Indoor thresholds: WHO 2018 minimum (18 °C); respiratory risk (16 °C); cardiovascular strain
(12 °C); core body temperature falls after two hours (9 °C)."""

FALLBACK_REGION = "UA"
"""Climatology rows of this code serve every region the table does not list."""
CLIMATOLOGY_NUMBERS = ("tmin_normal_c", "tmax_normal_c", "anomaly_sd_k", "lag1_autocorrelation")
"""The numeric columns of a climatology table (°C, °C, K, 1)."""
CLIMATOLOGY_COLUMNS = ("region", "month", *CLIMATOLOGY_NUMBERS, "period", "source", "confidence", "method")
CLIMATOLOGY_CONFIDENCE = tuple(f"{normals}/{persistence}" for normals in "HML" for persistence in "HML")
"""Confidence of the normals / of the anomaly statistics: H official, M derived from station data,
L estimate (e.g. ``M/L``)."""

HEATING_SHARE_COLUMNS = tuple(f"share_{name}" for name in HEATING_SYSTEMS)
"""Population-table columns: the share of people by heating system."""
BUILDING_SHARE_COLUMNS = tuple(f"share_{name}" for name in BUILDING_CLASSES)
"""Population-table columns: the share of people by building class."""
OBSERVED_QUANTITIES = {
    "customers_without_power": "customers",
    "share_customers_without_power": "1",
    "people_without_power": "persons",
    "people_without_heat": "persons",
    "buildings_without_heat": "buildings",
    "hours_without_power_per_day": "h/day",
    "indoor_temperature_c": "degC",
    "hours_to_reheat": "h",
}
"""Quantities a reported figure (data/observations.csv) may give, with the unit each is stated in."""

OBSERVATION_SETS = ("input", "calibration", "validation")
"""input: the same figure feeds an input file (an echo, never a test); calibration: used to fit
parameters; validation: held out to test the model."""

OBSERVATION_SCOPES = ("all", "damage")
"""What a reported figure counts. all: for any cause at the reported time (scheduled and emergency
rotation included; the default); damage: only what damage cut, i.e. customers physically
disconnected and buildings whose district-heat supply failed, excluding scheduled rotation."""
DAMAGE_SCOPED_QUANTITIES = ("customers_without_power", "share_customers_without_power", "people_without_power",
                            "people_without_heat", "buildings_without_heat")
"""Quantities a report may count with ``scope = damage``; the others (indoor temperatures, hours a
day, re-heating times) take ``all``."""

SUPPLEMENTARY_HEAT = ("none", "gas_stove", "electric_heater")
"""Heat that residents added while the building's heating was off (an indoor report's context)."""

PARTS_OF_DAY = {"night": "03:00", "morning": "08:00", "midday": "12:00", "afternoon": "15:00", "evening": "19:00"}
"""A report's time given as a part of the day, and the local clock time it is matched at."""

PEOPLE_MAX = 60_000_000
"""Upper bound for people or customers in one unit: above Ukraine's peak population of 52.2 million
(1993, State Statistics Service of Ukraine); a larger value is a data-entry error, never clipped."""
