"""ERA5 / ERA5-Land NetCDF: layouts, zip, variable and unit resolution, cell selection."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from gridimpact.errors import InvalidInputError, MissingExtraError
from gridimpact.io.readers.temperature import load_temperature

# A 2 × 3 grid around Kyiv city's reference point (50.45 N, 30.52 E), latitude decreasing as the
# new CDS delivers it. Distances from the point (haversine, R = 6371 km):
#   50.50 N: 30.25 E 19.9 km, 30.50 E 5.7 km, 30.75 E 17.2 km
#   50.25 N: 30.25 E 29.3 km, 30.50 E 22.3 km, 30.75 E 27.6 km
LATITUDES = np.array([50.50, 50.25])
LONGITUDES = np.array([30.25, 30.50, 30.75])
FIRST_STEP_K = np.array([[272.15, 273.15, 274.15],
                         [270.15, 271.15, 275.15]])
TIMES = pd.date_range("2026-01-09T00:00", periods=4, freq="h")  # UTC


def kyiv(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Europe/Kyiv")


def cds_dataset(values=None, *, units="K", dtype="float32", name="t2m", attrs=None) -> xr.Dataset:
    """The new-CDS layout: valid_time, scalar number, expver per step, t2m with standard_name unknown."""
    if values is None:
        values = FIRST_STEP_K[None, :, :] - np.arange(len(TIMES))[:, None, None]
    variable_attrs = {"standard_name": "unknown", "long_name": "2 metre temperature", "GRIB_shortName": "2t"}
    if units is not None:
        variable_attrs["units"] = units
    variable_attrs.update(attrs or {})
    dataset = xr.Dataset(
        {name: (("valid_time", "latitude", "longitude"), np.asarray(values, dtype=dtype), variable_attrs),
         "d2m": (("valid_time", "latitude", "longitude"), np.zeros((len(TIMES), 2, 3), "float32"),
                 {"units": "K", "standard_name": "unknown"})},
        coords={"valid_time": TIMES, "latitude": LATITUDES, "longitude": LONGITUDES, "number": 0,
                "expver": ("valid_time", np.array(["0001", "0001", "0005", "0005"]))},
    )
    dataset["valid_time"].encoding.update(units="seconds since 1970-01-01", calendar="proleptic_gregorian")
    return dataset


def write_nc(dataset: xr.Dataset, path: Path, **kwargs) -> Path:
    dataset.to_netcdf(path, engine=kwargs.pop("engine", "h5netcdf"), **kwargs)
    return path


def problem(excinfo, rule: str):
    found = [p for p in excinfo.value.problems if p.rule == rule]
    assert len(found) == 1, [p.format() for p in excinfo.value.problems]
    return found[0]


def test_new_cds_file_nearest_cell_in_celsius(tmp_path):
    path = write_nc(cds_dataset(), tmp_path / "era5.nc")
    assert path.read_bytes()[:4] == b"\x89HDF"
    data = load_temperature(path)
    frame = data.frame
    assert set(frame["pcode"]) == {"UA80"}  # the only reference point inside this small grid
    # 273.15 K at the nearest cell (50.50 N, 30.50 E) is 0.0 °C; it cools by 1 K per hour.
    assert list(frame["temperature_c"]) == [0.0, -1.0, -2.0, -3.0]
    assert list(frame["time"]) == [kyiv(f"2026-01-09 0{h}:00") for h in range(2, 6)]  # UTC + 2 h
    assert set(frame["quality"]) == {"reanalysis"}
    assert frame["source"].iloc[0] == "era5.nc: t2m, nearest cell 50.50N 30.50E"
    assert any("2 time step(s) are preliminary ERA5T" in n for n in data.notes)
    assert any("26 region(s) outside the grid skipped" in n for n in data.notes)


@pytest.mark.parametrize(("radius_km", "expected_c"), [
    (18.0, 0.5),    # 273.15 and 274.15 K
    (21.0, 0.0),    # adds 272.15 K
    (25.0, -0.5),   # adds 271.15 K
])
def test_radius_mean_of_cells_within_the_distance(tmp_path, radius_km, expected_c):
    path = write_nc(cds_dataset(), tmp_path / "era5.nc")
    frame = load_temperature(path, radius_km=radius_km).frame
    assert frame["temperature_c"].iloc[0] == pytest.approx(expected_c, abs=1e-9)
    assert frame["source"].iloc[0].endswith(f"within {radius_km:g} km")


def test_radius_with_no_cell_is_an_error(tmp_path):
    path = write_nc(cds_dataset(), tmp_path / "era5.nc")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path, radius_km=3.0)
    found = problem(info, "no_cells_in_radius")
    assert "UA80" in found.message and found.where == "era5.nc"


def test_zip_of_two_netcdf_files_uses_the_one_with_temperature(tmp_path):
    instant = write_nc(cds_dataset(), tmp_path / "instant.nc")
    accumulated = cds_dataset().rename(t2m="tp").drop_vars("d2m")
    accumulated["tp"].attrs = {"units": "m"}
    accum = write_nc(accumulated, tmp_path / "accum.nc")
    archive = tmp_path / "download.nc"  # the CDS names a zip .nc too; the bytes decide
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(accum, "data_stream-oper_stepType-accum.nc")
        handle.write(instant, "data_stream-oper_stepType-instant.nc")
    data = load_temperature(archive)
    assert list(data.frame["temperature_c"]) == [0.0, -1.0, -2.0, -3.0]
    assert any("accum.nc holds no temperature variable" in n for n in data.notes)


def test_zip_without_netcdf_is_a_problem(tmp_path):
    archive = tmp_path / "era5.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("readme.txt", "nothing here")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(archive)
    assert "readme.txt" in problem(info, "no_temperature").message


def test_old_layout_with_an_expver_dimension_is_merged(tmp_path):
    values = FIRST_STEP_K[None, :, :] - np.arange(4)[:, None, None]
    era5 = values.copy()
    era5[2:] = np.nan   # ERA5 (expver 1) holds the first two steps …
    era5t = values.copy()
    era5t[:2] = np.nan  # … ERA5T (expver 5) the last two
    dataset = xr.Dataset(
        {"t2m": (("time", "expver", "latitude", "longitude"), np.stack([era5, era5t], axis=1),
                 {"units": "K", "long_name": "2 metre temperature"})},
        coords={"time": TIMES, "expver": [1, 5], "latitude": LATITUDES, "longitude": LONGITUDES},
    )
    data = load_temperature(write_nc(dataset, tmp_path / "old.nc"))
    assert list(data.frame["temperature_c"]) == [0.0, -1.0, -2.0, -3.0]
    assert any("expver layers (ERA5 and ERA5T) were merged" in n for n in data.notes)


def test_dataset_passed_directly_with_other_names_and_celsius():
    dataset = xr.Dataset(
        {"air": (("time", "lat", "lon"), (FIRST_STEP_K[None, ::-1, :] - 273.15).astype("float64"),
                 {"units": "degC", "standard_name": "air_temperature"})},
        coords={"time": TIMES[:1], "lat": LATITUDES[::-1], "lon": LONGITUDES},
    )
    frame = load_temperature(dataset, region="Kyiv").frame
    assert list(frame["temperature_c"]) == [0.0]
    assert frame["source"].iloc[0].startswith("<xarray.Dataset>: air")


def test_variable_found_by_grib_short_name():
    dataset = cds_dataset(name="var167").drop_vars("d2m")
    assert list(load_temperature(dataset).frame["temperature_c"]) == [0.0, -1.0, -2.0, -3.0]


def test_kelvin_and_celsius_grids_read_identically():
    values_k = FIRST_STEP_K[None, :, :] - np.arange(len(TIMES))[:, None, None]
    kelvin = load_temperature(cds_dataset()).frame  # float32 on disk, as ERA5 is
    celsius = load_temperature(cds_dataset(values_k - 273.15, units="°C", dtype="float64")).frame
    pd.testing.assert_frame_equal(kelvin, celsius, check_exact=True)


def test_fahrenheit_grid():
    values = np.full((4, 2, 3), 23.0)
    assert set(load_temperature(cds_dataset(values, units="degF")).frame["temperature_c"]) == {-5.0}


@pytest.mark.parametrize(("units", "fragment"), [(None, "has no 'units' attribute"),
                                                 ("furlong", "has units 'furlong'")])
def test_missing_or_unknown_unit(units, fragment):
    with pytest.raises(InvalidInputError) as info:
        load_temperature(cds_dataset(units=units))
    found = problem(info, "unit_unknown")
    assert fragment in found.message and found.where == "variable 't2m'"
    assert found.file == "<xarray.Dataset>"


def test_kelvin_values_declared_celsius():
    with pytest.raises(InvalidInputError) as info:
        load_temperature(cds_dataset(units="degC"))
    assert "declared °C but values look like Kelvin" in problem(info, "unit_mismatch").message


def test_out_of_range_value_is_located_by_variable_time_and_cell():
    values = np.full((4, 2, 3), 270.0)
    values[1, 0, 1] = 400.0
    with pytest.raises(InvalidInputError) as info:
        load_temperature(cds_dataset(values))
    found = problem(info, "above_maximum")
    assert found.line is None
    assert found.where == "variable 't2m' at 2026-01-09T01:00Z, nearest cell 50.50N 30.50E"


def test_region_outside_the_grid(tmp_path):
    with pytest.raises(InvalidInputError) as info:
        load_temperature(write_nc(cds_dataset(), tmp_path / "era5.nc"), region="Lviv")
    assert "UA46's reference point lies outside the grid" in problem(info, "outside_grid").message


def test_grid_with_no_temperature_variable():
    dataset = cds_dataset().drop_vars("t2m")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(dataset)
    assert "the file has: d2m" in problem(info, "no_temperature").message


def test_sea_cell_without_values_and_the_radius_that_avoids_it():
    values = FIRST_STEP_K[None, :, :] - np.arange(4)[:, None, None]
    values[:, 0, 1] = np.nan  # ERA5-Land has no values over the sea
    with pytest.raises(InvalidInputError) as info:
        load_temperature(cds_dataset(values))
    assert "hold no values" in problem(info, "no_values").message
    frame = load_temperature(cds_dataset(values), radius_km=18.0).frame
    assert frame["temperature_c"].iloc[0] == pytest.approx(1.0)  # only 274.15 K remains


def test_ensemble_members_are_refused():
    dataset = cds_dataset().drop_vars("number").expand_dims(number=[0, 1])
    with pytest.raises(InvalidInputError) as info:
        load_temperature(dataset)
    assert "2 ensemble members" in problem(info, "unsupported_layout").message


def test_netcdf3_is_read_with_the_netcdf4_engine(tmp_path):
    path = write_nc(cds_dataset(dtype="float64"), tmp_path / "classic.nc", engine="netcdf4",
                    format="NETCDF3_64BIT")
    assert path.read_bytes()[:4] == b"CDF\x02"
    assert list(load_temperature(path).frame["temperature_c"]) == [0.0, -1.0, -2.0, -3.0]


def test_netcdf3_without_the_optional_package_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "classic.nc"
    path.write_bytes(b"CDF\x01" + bytes(60))  # the netCDF-3 signature is all the reader looks at first
    monkeypatch.setitem(sys.modules, "netCDF4", None)  # makes the import fail
    with pytest.raises(MissingExtraError, match=r"pip install 'gridimpact\[netcdf3\]'"):
        load_temperature(path)


def test_grib_is_refused_with_advice(tmp_path):
    path = tmp_path / "era5.grib"
    path.write_bytes(b"GRIB\x00\x00\x00\x02rest")
    with pytest.raises(InvalidInputError) as info:
        load_temperature(path)
    assert "download ERA5 as NetCDF" in problem(info, "unsupported_format").message
