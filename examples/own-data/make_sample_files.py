"""Write two small input files in the layouts analysts download, to try gridimpact on your own data.

    python examples/own-data/make_sample_files.py [FOLDER]

FOLDER (default ``sample-data``) receives:

- ``era5-sample.nc``: an ERA5-like NetCDF in the layout of the new Copernicus Climate Data Store
  (dimension ``valid_time`` in seconds since 1970, latitude decreasing, 2 m temperature ``t2m`` in
  Kelvin with ``standard_name: unknown``, a scalar ``number``, an ``expver`` string per step) on a
  0.25° grid covering the reference points of Kyiv city and Odesa, Kharkiv and Donetsk oblasts,
  hourly for the local days 9 January to 28 February 2026 (time steps in UTC).
- ``cod-ps-sample.csv``: a population table in the wide OCHA COD-PS layout (``ADM1_PCODE``,
  ``T_TL``, ``F_00_04`` … ``T_80Plus``) with its HXL hashtag row, for the same four oblasts.

Both are ILLUSTRATIVE, not real downloads:

- temperatures are not ERA5 values: each grid cell takes the daily minimum and maximum that
  gridimpact embeds for the nearest of the four oblasts (``gridimpact data show temperature_daily``
  lists their sources) and a cosine daily cycle with its minimum at 03:00 and maximum at 15:00 local
  time (an assumption of this script);
- each oblast's total population and its shares aged 0–4 and 65+ are the COD-PS 2022 values that
  gridimpact embeds (``population_cod_ps_2022.csv``); how they are spread over five-year bands and
  the 54 % share of women in every band are made up by this script for the example.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from gridimpact.regions import SEED_REGIONS, default_registry
from gridimpact.resources import data_dir

GRID_STEP_DEG = 0.25  # ERA5's native grid spacing (ECMWF ERA5 documentation)
FIRST_LOCAL_DAY = "2026-01-09"
LAST_LOCAL_DAY = "2026-02-28"
PRELIMINARY_DAYS = 5
"""The last days are flagged ERA5T (expver 0005), as in a download made a few days after the fact."""
UTC_OFFSET_HOURS = 2  # Kyiv in winter (EET)
WARMEST_LOCAL_HOUR = 15

# Illustrative spread of the 65+ population over the four top COD-PS bands, and of the people aged
# 5–64 over the twelve bands between (equal weights): assumptions of this script, not data.
ELDERLY_BAND_WEIGHTS = {"65_69": 0.35, "70_74": 0.27, "75_79": 0.16, "80Plus": 0.22}
MIDDLE_BANDS = [f"{lo:02d}_{lo + 4:02d}" for lo in range(5, 65, 5)]
WOMEN_SHARE = 0.54
BAND_CLASSES = {"00_04": "infants", "05_09": "children", "10_14": "children", "15_19": "adolescents"}


def grid_axes(regions) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes (decreasing) and longitudes on the 0.25° grid, one cell beyond every point."""
    lats = [r.lat for r in regions]
    lons = [r.lon for r in regions]
    south = np.floor(min(lats) / GRID_STEP_DEG) * GRID_STEP_DEG - GRID_STEP_DEG
    north = np.ceil(max(lats) / GRID_STEP_DEG) * GRID_STEP_DEG + GRID_STEP_DEG
    west = np.floor(min(lons) / GRID_STEP_DEG) * GRID_STEP_DEG - GRID_STEP_DEG
    east = np.ceil(max(lons) / GRID_STEP_DEG) * GRID_STEP_DEG + GRID_STEP_DEG
    latitude = np.round(np.arange(north, south - 1e-9, -GRID_STEP_DEG), 2)
    longitude = np.round(np.arange(west, east + 1e-9, GRID_STEP_DEG), 2)
    return latitude, longitude


def hourly_kelvin(daily: pd.DataFrame, pcode: str, times: pd.DatetimeIndex) -> np.ndarray:
    """Hourly K from one region's daily minimum and maximum (°C) with a cosine daily cycle."""
    rows = daily[daily["region"] == pcode].set_index("date")
    local = times + pd.Timedelta(hours=UTC_OFFSET_HOURS)
    days = local.normalize().strftime("%Y-%m-%d")
    low = rows["tmin_c"].reindex(days).to_numpy(dtype=float)
    high = rows["tmax_c"].reindex(days).to_numpy(dtype=float)
    phase = 2 * np.pi * (local.hour - WARMEST_LOCAL_HOUR) / 24
    celsius = (low + high) / 2 + (high - low) / 2 * np.cos(phase)
    return celsius + 273.15


def era5_like(regions) -> xr.Dataset:
    daily = pd.read_csv(data_dir() / "temperature_daily.csv", dtype={"region": str, "date": str})
    # Whole local days: the first step is local midnight, 22:00 UTC the evening before.
    offset = pd.Timedelta(hours=UTC_OFFSET_HOURS)
    times = pd.date_range(pd.Timestamp(FIRST_LOCAL_DAY) - offset,
                          pd.Timestamp(LAST_LOCAL_DAY) + pd.Timedelta(hours=23) - offset, freq="h")
    latitude, longitude = grid_axes(regions)
    series = np.stack([hourly_kelvin(daily, r.pcode, times) for r in regions])       # (regions, time)
    # Each cell takes the series of the nearest reference point (in degrees; enough for a sample).
    lat2, lon2 = np.meshgrid(latitude, longitude, indexing="ij")
    distance = np.stack([np.hypot(lat2 - r.lat, (lon2 - r.lon) * np.cos(np.radians(r.lat))) for r in regions])
    nearest = distance.argmin(axis=0)                                                    # (lat, lon)
    values = np.moveaxis(series[nearest], -1, 0).astype("float32")                      # (time, lat, lon)
    expver = np.where(times >= times[-1].normalize() - pd.Timedelta(days=PRELIMINARY_DAYS - 1), "0005", "0001")
    dataset = xr.Dataset(
        {"t2m": (("valid_time", "latitude", "longitude"), values,
                 {"units": "K", "long_name": "2 metre temperature", "standard_name": "unknown",
                  "GRIB_shortName": "2t"})},
        coords={
            "valid_time": ("valid_time", times, {"long_name": "time", "standard_name": "time"}),
            "latitude": ("latitude", latitude, {"units": "degrees_north", "standard_name": "latitude"}),
            "longitude": ("longitude", longitude, {"units": "degrees_east", "standard_name": "longitude"}),
            "number": ((), 0, {"long_name": "ensemble member numerical id", "standard_name": "realization"}),
            "expver": ("valid_time", expver.astype(object), {"long_name": "experiment version"}),
        },
        attrs={"title": "Illustrative ERA5-like sample written by gridimpact's examples (not ERA5 data)",
               "Conventions": "CF-1.7"},
    )
    return dataset


def write_era5_like(dataset: xr.Dataset, target: Path) -> Path:
    encoding = {"valid_time": {"units": "seconds since 1970-01-01", "calendar": "proleptic_gregorian",
                               "dtype": "int64"},
                "t2m": {"zlib": True, "complevel": 4}}
    dataset.to_netcdf(target, engine="h5netcdf", encoding=encoding)
    return target


def split(total: int, weights: list[float]) -> list[int]:
    """Whole numbers proportional to ``weights`` that add up exactly to ``total`` (largest remainder)."""
    exact = np.asarray(weights, dtype=float) / sum(weights) * total
    whole = np.floor(exact).astype(int)
    for index in np.argsort(-(exact - whole), kind="stable")[: total - whole.sum()]:
        whole[index] += 1
    return [int(v) for v in whole]


def band_tag(band: str, sex: str = "") -> str:
    lo = int(band[:2])
    if band.endswith("Plus"):
        age, group = f"age{lo}plus", "elderly"
    else:
        age, group = f"age{lo}_{int(band[3:])}", BAND_CLASSES.get(band, "elderly" if lo >= 65 else "adults")
    return f"#population+{group}+{age}" + (f"+{sex}" if sex else "")


def cod_ps_like(regions) -> tuple[list[str], list[str], list[list]]:
    """Header, HXL row and data rows of a wide COD-PS table."""
    source = pd.read_csv(data_dir() / "population_cod_ps_2022.csv", dtype={"region": str}).set_index("region")
    bands = ["00_04", *MIDDLE_BANDS, *ELDERLY_BAND_WEIGHTS]
    header = ["year", "ISO3", "admin0Name_en", "admin1Name_en", "admin1Name_ua", "ADM1_PCODE", "F_TL", "M_TL", "T_TL"]
    header += [f"{sex}_{band}" for sex in "FMT" for band in bands]
    tags = ["#date+year", "#country+code", "#adm0+name+i_en", "#adm1+name+i_en", "#adm1+name+i_uk", "#adm1+code",
            "#population+f", "#population+m", "#population+total"]
    tags += [band_tag(band, sex.lower() if sex != "T" else "") for sex in "FMT" for band in bands]
    rows = []
    for region in regions:
        entry = source.loc[region.pcode]
        total = int(entry["population"])
        young, old = float(entry["share_0_4"]), float(entry["share_65plus"])
        weights = [young] + [(1 - young - old) / len(MIDDLE_BANDS)] * len(MIDDLE_BANDS)
        weights += [old * w for w in ELDERLY_BAND_WEIGHTS.values()]
        people = split(total, weights)
        women = [round(n * WOMEN_SHARE) for n in people]
        men = [n - w for n, w in zip(people, women, strict=True)]
        rows.append([2022, "UKR", "Ukraine", region.name_en, region.name_uk, region.pcode,
                     sum(women), sum(men), total, *women, *men, *people])
    return header, tags, rows


def write_cod_ps_like(regions, target: Path) -> Path:
    import csv

    header, tags, rows = cod_ps_like(regions)
    with open(target, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerows([header, tags, *rows])
    return target


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default="sample-data", type=Path,
                        help="folder to write the two files into (default: sample-data)")
    folder = parser.parse_args(argv).folder
    folder.mkdir(parents=True, exist_ok=True)
    registry = default_registry()
    regions = [registry.resolve(p) for p in SEED_REGIONS]
    written = [write_era5_like(era5_like(regions), folder / "era5-sample.nc"),
               write_cod_ps_like(regions, folder / "cod-ps-sample.csv")]
    for path in written:
        print(path)
    return written


if __name__ == "__main__":
    main()
