"""Gridded temperature: ERA5 and ERA5-Land NetCDF (plain, zipped, or an ``xarray.Dataset``).

Layouts read (ECMWF, "GRIB to netCDF conversion on new CDS and ADS systems"):

- the new Climate Data Store: dimension ``valid_time`` (seconds since 1970, UTC), decreasing
  ``latitude``, a scalar ``number`` and a string ``expver`` per step (``0001`` ERA5, ``0005`` ERA5T),
  ``t2m`` in K with ``standard_name: unknown``; compressed netCDF4/HDF5;
- a ``.zip`` of several ``.nc`` files, which the new CDS returns when a request mixes instantaneous
  and accumulated variables; the member(s) holding temperature are used;
- the older layout: dimension ``time``, and for recent months an ``expver`` *dimension* whose ERA5
  (1) and ERA5T (5) halves each hold part of the steps; they are merged, ERA5 first.

The file type is sniffed from its first bytes (``PK`` zip, ``\\x89HDF`` netCDF4, ``CDF\\x01``/``\\x02``
netCDF3) and the xarray engine always named: h5netcdf for netCDF4; netCDF3 needs the optional netCDF4
package (``pip install 'gridimpact[netcdf3]'``).

The temperature variable is the one whose ``standard_name`` is ``air_temperature``, else one named
``t2m``, ``2t``, ``tas``, ``temperature_2m`` or ``air_temperature``, else the one with
``GRIB_shortName == "2t"``. Its ``units`` attribute (K, °C, °F) is required.

Per region the value is the grid cell nearest to the region's reference point or, with
``radius_km``, the unweighted mean of the cells whose centres lie within that great-circle distance.
Only regions inside the grid (nearest cell within half a grid step of the point) are returned.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import warnings
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from gridimpact.errors import require
from gridimpact.io.readers.limits import MAX_INPUT_ENV, max_input_bytes
from gridimpact.io.readers.problems import FileProblems
from gridimpact.io.readers.readings import (
    ReadContext,
    Readings,
    canonical_unit,
    declared_unit_conflict,
    great_circle_km,
    hourly_frame,
    to_celsius,
)
from gridimpact.regions import Region, default_registry
from gridimpact.vocab import TIMEZONE

TEMPERATURE_NAMES = ("t2m", "2t", "tas", "temperature_2m", "air_temperature")
LATITUDE_NAMES = ("latitude", "lat")
PRESSURE_LEVEL_NAMES = ("pressure_level", "level", "isobaricInhPa")
"""Pressure-level coordinates, in hPa: the new CDS, the old CDS and cfgrib spellings."""
LONGITUDE_NAMES = ("longitude", "lon")
ASSUMED_GRID_STEP_DEG = 0.25
"""Grid step (degrees) assumed along an axis with a single cell: ERA5's native 0.25° (ECMWF ERA5
documentation); used only to decide whether a one-cell file covers a region."""
_EDGE_TOLERANCE_DEG = 1e-6
_DAMAGED = (OSError, ValueError, KeyError, RuntimeError, TypeError, IndexError, AttributeError, OverflowError)
"""What the HDF5 and netCDF libraries raise for a damaged or truncated file."""


def read_gridded_file(path: Path, data: bytes, problems: FileProblems, ctx: ReadContext) -> Readings:
    """Readings from a NetCDF file or a zip of NetCDF files (``data`` holds the file's bytes)."""
    if data[:2] == b"PK":
        return _read_zip(path, problems, ctx)
    dataset = _open(path, data[:4], problems, problems.file)
    if dataset is None:
        return Readings(problems)
    with dataset:
        return Readings(problems, hourly=_reduce_guarded(dataset, problems, ctx, problems.file))


def _reduce_guarded(dataset: xr.Dataset, problems: FileProblems, ctx: ReadContext, label: str) -> pd.DataFrame | None:
    """``_reduce`` on a lazily opened file: a truncated or corrupt variable fails only when its values
    are read, with whatever error the HDF5 or netCDF library raises; it is the same fact for the user."""
    try:
        return _reduce(dataset, problems, ctx, label)
    except _DAMAGED as exc:
        problems.add("unreadable", f"cannot read the values of {label} (a truncated or corrupt NetCDF "
                     f"file?): {type(exc).__name__}: {exc}")
        return None


def read_dataset(dataset: xr.Dataset, problems: FileProblems, ctx: ReadContext) -> Readings:
    """Readings from an ``xarray.Dataset`` already in memory (or opened by the caller)."""
    return Readings(problems, hourly=_reduce(dataset, problems, ctx, problems.file))


def _open(path: Path, magic: bytes, problems: FileProblems, label: str) -> xr.Dataset | None:
    if magic == b"\x89HDF":
        engine = "h5netcdf"
    elif magic in (b"CDF\x01", b"CDF\x02"):
        require("netCDF4", "Reading netCDF3 (classic) files", "netcdf3")
        engine = "netcdf4"
    else:
        problems.add("unsupported_format", f"{label} is not a NetCDF file (it starts with {magic!r})")
        return None
    with _quiet_cleanup_of_failed_opens():
        try:
            if engine == "h5netcdf":
                _check_hdf5(path)
            with warnings.catch_warnings():
                # Times that cannot be held as datetime64 (a damaged file) are reported below instead.
                warnings.simplefilter("ignore", xr.SerializationWarning)
                return xr.open_dataset(path, engine=engine)
        # h5py and netCDF4 raise OSError, but also ValueError, KeyError, RuntimeError, TypeError or
        # OverflowError (times out of range) for a damaged header: all mean the same to the user.
        except _DAMAGED as exc:
            problems.add("unreadable", f"cannot read {label} as NetCDF: {type(exc).__name__}: {exc}")
        gc.collect()
    return None


@contextmanager
def _quiet_cleanup_of_failed_opens():
    """h5netcdf's file object, when its opening failed half-way, raises AttributeError in its
    finaliser; Python would print that as a traceback on stderr. The failure itself was already
    reported as a problem, so that one message from h5netcdf's close is dropped; any other
    unraisable error still reaches the previous hook."""
    previous = sys.unraisablehook

    def hook(unraisable):
        where = getattr(unraisable.object, "__module__", "") or ""
        if not (where.startswith("h5netcdf") and isinstance(unraisable.exc_value, AttributeError)):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _check_hdf5(path: Path) -> None:
    """Open and close the file with h5py first: a file h5py cannot open then fails here, cleanly,
    instead of inside h5netcdf, whose half-built file object prints a traceback when collected."""
    import h5py  # h5netcdf's own dependency; imported here as only netCDF4 files need it

    with h5py.File(path, "r"):
        pass


def _read_zip(path: Path, problems: FileProblems, ctx: ReadContext) -> Readings:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        problems.add("unreadable", f"not a readable zip file: {exc}")
        return Readings(problems)
    parts = []
    with archive, tempfile.TemporaryDirectory() as folder:
        members = [m for m in archive.namelist() if m.lower().endswith(".nc") and not m.endswith("/")]
        if not members:
            problems.add("no_temperature", f"the zip holds no .nc file (it holds: {', '.join(archive.namelist()[:20])})")
            return Readings(problems)
        for number, member in enumerate(members):
            target = Path(folder) / f"{number}.nc"
            label = f"{problems.file}:{member}"
            if archive.getinfo(member).file_size > max_input_bytes():
                problems.add("file_too_large", f"{label} is over the {max_input_bytes() / 1e6:g} MB limit for "
                             f"one input once unpacked; set {MAX_INPUT_ENV} to raise it")
                continue
            try:
                target.write_bytes(archive.read(member))
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                problems.add("unreadable", f"{label} cannot be unpacked (a corrupt or truncated zip?): {exc}")
                continue
            dataset = _open(target, target.read_bytes()[:4], problems, label)
            if dataset is None:
                continue
            with dataset:
                if _temperature_variable(dataset) is None:
                    problems.note(f"{label} holds no temperature variable; skipped")
                    continue
                parts.append(_reduce_guarded(dataset, problems, ctx, label))
    if not parts and not problems:
        problems.add("no_temperature", "no .nc file in the zip holds 2 m temperature (t2m); its members: "
                     + ", ".join(members))
    found = [p for p in parts if p is not None]
    return Readings(problems, hourly=pd.concat(found, ignore_index=True) if found else None)


def _temperature_variable(dataset: xr.Dataset) -> str | None:
    names = [str(n) for n in dataset.data_vars]
    by_standard_name = [n for n in names if dataset[n].attrs.get("standard_name") == "air_temperature"]
    if by_standard_name:
        return by_standard_name[0]
    for name in TEMPERATURE_NAMES:
        if name in names:
            return name
    return next((n for n in names if dataset[n].attrs.get("GRIB_shortName") == "2t"), None)


def _first_present(container, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in container), None)


def _choose_level(array: xr.DataArray, problems: FileProblems, label: str,
                  level: float | None) -> xr.DataArray | None:
    """A temperature on pressure levels (ERA5 ``t`` with ``pressure_level`` or ``level``, hPa) is the
    air aloft, not at 2 m: refused unless a level is chosen, then that level is read, with a note."""
    name = _first_present(array.coords, PRESSURE_LEVEL_NAMES) or _first_present(array.dims, PRESSURE_LEVEL_NAMES)
    if name is None:
        return array
    levels = np.atleast_1d(np.asarray(array[name].values, dtype=float))
    shown = ", ".join(f"{value:g}" for value in levels[:8]) + (" …" if levels.size > 8 else "")
    if level is None:
        problems.add("pressure_level", f"{array.name} is temperature on pressure levels ({name}: {shown} hPa), "
                     "not 2 m temperature; download ERA5 single levels (2m_temperature), or choose a level "
                     "(pressure_level= in Python)", where=f"variable '{array.name}'")
        return None
    if not np.isclose(levels, level).any():
        problems.add("pressure_level", f"{array.name} has no level {level:g} hPa (it has {shown})",
                     where=f"variable '{array.name}'")
        return None
    if name in array.dims:
        array = array.isel({name: int(np.flatnonzero(np.isclose(levels, level))[0])})
    problems.note(f"{label}: {array.name} read at the {level:g} hPa pressure level, as chosen, in place of "
                  "2 m temperature")
    return array.drop_vars(name, errors="ignore")


def _normalise(array: xr.DataArray, problems: FileProblems, label: str,
               level: float | None = None) -> xr.DataArray | None:
    """Time as ``time``; no ``number``; ERA5/ERA5T ``expver`` halves merged; size-1 extras squeezed."""
    if "valid_time" in array.dims:
        array = array.rename(valid_time="time")
    if "number" in array.dims:
        if array.sizes["number"] > 1:
            problems.add("unsupported_layout", f"{array.name} has {array.sizes['number']} ensemble members; "
                         "select one member before loading", where=f"variable '{array.name}'")
            return None
        array = array.squeeze("number", drop=True)
    if "expver" in array.dims:
        halves = [array.isel(expver=i, drop=True) for i in range(array.sizes["expver"])]
        merged = halves[0]
        for half in halves[1:]:
            merged = merged.combine_first(half)
        problems.note(f"{label}: the {len(halves)} expver layers (ERA5 and ERA5T) were merged, ERA5 first")
        array = merged
    elif "expver" in array.coords:
        expver = np.asarray(array["expver"].values).astype(str).ravel()
        preliminary = int(np.sum(np.char.lstrip(expver, "0") == "5"))
        if preliminary:
            problems.note(f"{label}: {preliminary} time step(s) are preliminary ERA5T data (expver 5)")
    array = _choose_level(array, problems, label, level)
    if array is None:
        return None
    array = array.drop_vars([c for c in ("number", "expver") if c in array.coords and c not in array.dims])
    extra = [d for d in array.dims if d not in ("time", *LATITUDE_NAMES, *LONGITUDE_NAMES)]
    for dim in extra:
        if array.sizes[dim] != 1:
            problems.add("unsupported_layout", f"{array.name} has an extra dimension '{dim}' of size "
                         f"{array.sizes[dim]}; select one value first", where=f"variable '{array.name}'")
            return None
        array = array.squeeze(dim, drop=True)
    return array


def _widen(values: np.ndarray) -> np.ndarray:
    """Values as float64; float32 goes through its shortest decimal form, so 273.15 stays 273.15."""
    if values.dtype == np.float32:
        return values.astype(str).astype(np.float64)
    return values.astype(np.float64)


def _axis_step(values: np.ndarray) -> float:
    return float(np.median(np.abs(np.diff(values)))) if values.size > 1 else ASSUMED_GRID_STEP_DEG


def _reduce(dataset: xr.Dataset, problems: FileProblems, ctx: ReadContext, label: str) -> pd.DataFrame | None:
    """One hourly readings frame: per region inside the grid, its cell (or cells) over time, in °C."""
    name = _temperature_variable(dataset)
    if name is None:
        problems.add("no_temperature", "no 2 m temperature variable (standard_name air_temperature, or t2m, 2t, "
                     f"tas, temperature_2m); the file has: {', '.join(map(str, dataset.data_vars))}",
                     where=label)
        return None
    where = f"variable '{name}'"
    units_text = dataset[name].attrs.get("units")
    unit = canonical_unit(units_text)
    if unit is None:
        said = "has no 'units' attribute" if units_text is None else f"has units '{units_text}', not K, °C or °F"
        problems.add("unit_unknown", f"unit unknown: {name} {said}", where=where, value=units_text)
    array = _normalise(dataset[name], problems, label, ctx.pressure_level)
    if array is None or unit is None:
        return None
    lat_name, lon_name = _first_present(array.dims, LATITUDE_NAMES), _first_present(array.dims, LONGITUDE_NAMES)
    if lat_name is None or lon_name is None or "time" not in array.dims:
        problems.add("unsupported_layout", f"{name} needs time, latitude and longitude dimensions; it has "
                     f"{', '.join(map(str, array.dims))}", where=where)
        return None
    array = array.transpose("time", lat_name, lon_name)
    lats = np.asarray(array[lat_name].values, dtype=float)
    lons = np.asarray(array[lon_name].values, dtype=float)
    regions = [default_registry().get(ctx.region)] if ctx.region else list(default_registry())
    cells = _cells_per_region(regions, lats, lons, ctx.radius_km, problems, label)
    if not cells:
        return None
    pairs = sorted({pair for picks, _ in cells.values() for pair in picks})
    column = {pair: k for k, pair in enumerate(pairs)}
    # Pointwise selection: only the cells some region uses, as a (time, cell) block.
    block = _widen(array.isel({lat_name: xr.DataArray([i for i, _ in pairs], dims="cell"),
                               lon_name: xr.DataArray([j for _, j in pairs], dims="cell")}).values)
    conflict = declared_unit_conflict(block, unit)
    if conflict:
        problems.add("unit_mismatch", conflict, where=where)
        return None
    block = to_celsius(block, unit)
    times = pd.DatetimeIndex(array["time"].values).tz_localize("UTC").tz_convert(TIMEZONE)
    stamps = times.tz_convert("UTC").strftime("%Y-%m-%dT%H:%MZ")
    frames = []
    for pcode, (picks, description) in cells.items():
        series = block[:, [column[pair] for pair in picks]]
        with np.errstate(invalid="ignore"):
            values = np.nanmean(series, axis=1) if series.shape[1] > 1 else series[:, 0]
        if np.isnan(values).all():
            problems.add("no_values", f"the cell(s) used for {pcode} ({description}) hold no values (sea in "
                         "ERA5-Land?); try radius_km", where=where)
            continue
        frames.append(hourly_frame(
            pcode=pcode, time=times, temperature_c=values, quality="reanalysis",
            source=f"{label}: {name}, {description}",
            where=[f"{where} at {stamp}, {description}" for stamp in stamps],
        ))
    return pd.concat(frames, ignore_index=True) if frames else None


def _cells_per_region(regions: list[Region], lats: np.ndarray, lons: np.ndarray, radius_km: float | None,
                      problems: FileProblems, label: str) -> dict[str, tuple[list[tuple[int, int]], str]]:
    """For each region inside the grid: the (lat, lon) index pairs to use and a description."""
    lat_step, lon_step = _axis_step(lats), _axis_step(lons)
    wraps = lons.size > 0 and lons.max() > 180.0
    chosen, outside = {}, []
    grid_lat, grid_lon = np.meshgrid(lats, lons, indexing="ij")
    for region in regions:
        lon = region.lon % 360.0 if wraps else region.lon
        i, j = int(np.argmin(np.abs(lats - region.lat))), int(np.argmin(np.abs(lons - lon)))
        inside = (abs(lats[i] - region.lat) <= lat_step / 2 + _EDGE_TOLERANCE_DEG
                  and abs(lons[j] - lon) <= lon_step / 2 + _EDGE_TOLERANCE_DEG)
        if not inside:
            outside.append(region.pcode)
            continue
        if radius_km is None:
            chosen[region.pcode] = ([(i, j)], f"nearest cell {lats[i]:.2f}N {lons[j]:.2f}E")
            continue
        near = np.argwhere(great_circle_km(region.lat, lon, grid_lat, grid_lon) <= radius_km)
        if near.size == 0:
            problems.add("no_cells_in_radius", f"no grid cell centre lies within {radius_km:g} km of "
                         f"{region.pcode}'s reference point ({region.ref_point}); the grid step is "
                         f"{lat_step:g}° × {lon_step:g}°: use a larger radius_km", where=label)
            continue
        chosen[region.pcode] = ([(int(a), int(b)) for a, b in near],
                                f"mean of {len(near)} cell(s) within {radius_km:g} km")
    span = (f"latitude {lats.min():g} to {lats.max():g}, longitude {lons.min():g} to {lons.max():g}"
            if lats.size and lons.size else "an empty grid")
    if outside and len(regions) == 1:
        problems.add("outside_grid", f"{outside[0]}'s reference point lies outside the grid ({span})",
                     where=label)
    elif outside and len(outside) == len(regions):
        problems.add("outside_grid", f"no region's reference point lies inside the grid ({span})", where=label)
    elif outside:
        problems.note(f"{label}: {len(outside)} region(s) outside the grid skipped ({', '.join(outside)})")
    return chosen

