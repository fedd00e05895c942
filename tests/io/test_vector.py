"""read_landuse: every format reads to the same normalised frame (hand-made fixtures)."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from landuse.io.vector import read_landuse
from tests.io._vector_data import FORMATS, geod_area, make_dltb, square, write

COLUMNS = ["BSM", "DLBM", "DLMC", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ", "ZLDWDM",
           "ZLDWMC", "QSDWDM", "QSXZ", "CZCSXM", "GDLX", "GDPDJB", "TBXHDM", "ZZSXDM", "FRDBS",
           "county", "township", "village", "geometry"]


def by_bsm(lu: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = lu.sort_values("BSM").reset_index(drop=True)
    out.attrs = lu.attrs
    return out


def _check_expected(lu: gpd.GeoDataFrame) -> None:
    """The normalised values of make_dltb(), written out by hand."""
    assert list(lu.columns) == COLUMNS
    assert lu["BSM"].tolist() == ["101", "102", "103", "104", "105", "106"]
    assert lu["DLBM"].tolist() == ["0101", "0201K", "0702", "1003", "1203", "1101"]
    assert lu["KCDLBM"].tolist() == ["1203", "", "", "", "", ""]
    assert lu["CZCSXM"].tolist() == ["", "", "203", "", "", ""]
    assert lu["county"].tolist() == ["370321"] * 6
    assert lu["township"].tolist() == ["370321100"] * 3 + ["370321101"] * 3
    assert lu["village"].tolist() == ["370321100101"] * 3 + ["370321101203"] * 3
    assert lu["DLMC"].iloc[2] == "农村宅基地"
    assert lu["ZLDWMC"].iloc[5] == "西村"
    # TBMJ: Geod area of a 100 m square 10 km from the central meridian, about 1e4 m²
    expected_tbmj = round(geod_area(square(0)), 2)
    assert lu["TBMJ"].iloc[0] == pytest.approx(expected_tbmj, abs=0.005)
    assert lu["KCMJ"].iloc[0] == pytest.approx(round(expected_tbmj * 0.05, 2), abs=0.005)
    np.testing.assert_allclose(lu["TBDLMJ"], lu["TBMJ"] - lu["KCMJ"], atol=0.0051)
    for col in ("TBMJ", "KCXS", "KCMJ", "TBDLMJ"):
        assert lu[col].dtype == "float64"
    for col in ("BSM", "DLBM", "ZLDWDM", "CZCSXM", "township"):
        assert pd.api.types.is_string_dtype(lu[col])
    assert lu.crs.to_epsg() == 4527
    assert set(lu.geom_type) <= {"Polygon", "MultiPolygon"}
    assert lu.geometry.area.tolist() == pytest.approx([1e4] * 6)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_to_the_normalised_frame(tmp_path, fmt):
    path = write(make_dltb(), fmt, tmp_path)
    lu = read_landuse(path, layer="DLTB" if fmt != "parquet" else None)
    # FlatGeobuf's spatial index reorders features: the reader keeps the file's order
    _check_expected(by_bsm(lu))
    assert lu.attrs["findings"] == [] or all(f.severity == "info" for f in lu.attrs["findings"])
    src = lu.attrs["source"]
    assert set(src) == {"role", "path", "layer", "sha256", "features", "crs", "encoding"}
    assert src["role"] == "landuse" and src["features"] == 6 and src["crs"] == "EPSG:4527"


def test_formats_agree_with_each_other(tmp_path):
    frames = {fmt: by_bsm(read_landuse(write(make_dltb(), fmt, tmp_path / fmt)))
              for fmt in FORMATS}
    ref = frames["gpkg"]
    for fmt, lu in frames.items():
        pd.testing.assert_frame_equal(lu.drop(columns="geometry"), ref.drop(columns="geometry"),
                                      obj=fmt)
        assert shapely.equals(lu.geometry.to_numpy(), ref.geometry.to_numpy()).all(), fmt


def test_field_names_are_case_insensitive(tmp_path):
    gdf = make_dltb().rename(columns=str.lower)
    _check_expected(read_landuse(write(gdf, "gpkg", tmp_path)))


def test_fields_renames_their_names(tmp_path):
    gdf = make_dltb().rename(columns={"DLBM": "land_code", "TBMJ": "Area_M2"})
    lu = read_landuse(write(gdf, "gpkg", tmp_path),
                      fields={"DLBM": "LAND_CODE", "tbmj": "area_m2"})
    _check_expected(lu)


def test_source_attrs_record_path_layer_and_checksum(tmp_path):
    path = write(make_dltb(), "gpkg", tmp_path)
    lu = read_landuse(path)
    src = lu.attrs["source"]
    assert src["path"] == str(path)
    assert src["layer"] == "DLTB"
    assert src["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert src["encoding"] == "UTF-8"


def test_default_layer_is_dltb_among_several(tmp_path):
    path = write(make_dltb(), "gpkg", tmp_path)
    other = make_dltb().iloc[:2]
    gpd.GeoDataFrame(other).to_file(path, layer="XZQ", driver="GPKG")
    assert len(read_landuse(path)) == 6
    assert len(read_landuse(path, layer="dltb")) == 6  # case-insensitive layer


def test_working_crs_without_prefix(tmp_path):
    lu = read_landuse(write(make_dltb(), "gpkg", tmp_path), working_crs="EPSG:4548")
    assert lu.crs.to_epsg() == 4548
    # same zone, no prefix: eastings lose 39 000 000 m exactly
    assert lu.total_bounds[0] == pytest.approx(39_510_000 - 39_000_000, abs=1e-6)
    finding = [f for f in lu.attrs["findings"] if f.code == "crs_reprojected"]
    assert finding and finding[0].severity == "info"
    assert "EPSG:4527" in finding[0].message and "EPSG:4548" in finding[0].message


def test_missing_optional_fields_become_empty_or_zero(tmp_path):
    gdf = make_dltb()[["BSM", "DLBM", "TBMJ", "geometry"]]
    lu = read_landuse(write(gdf, "gpkg", tmp_path))
    assert lu["KCMJ"].tolist() == [0.0] * 6
    assert lu["KCXS"].tolist() == [0.0] * 6
    assert lu["TBDLMJ"].tolist() == lu["TBMJ"].tolist()
    assert lu["ZLDWDM"].tolist() == [""] * 6 and lu["township"].tolist() == [""] * 6
    codes = {f.code for f in lu.attrs["findings"]}
    assert "tbdlmj_computed" in codes


def test_bsm_generated_when_absent(tmp_path):
    gdf = make_dltb().drop(columns="BSM")
    lu = read_landuse(write(gdf, "gpkg", tmp_path))
    assert lu["BSM"].tolist() == [f"row-{i}" for i in range(1, 7)]
    assert "ids_generated" in {f.code for f in lu.attrs["findings"]}


def test_zip_holding_a_geopackage(tmp_path):
    import zipfile

    gpkg = write(make_dltb(), "gpkg", tmp_path / "g")
    zpath = tmp_path / "delivery.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(gpkg, gpkg.name)
    lu = read_landuse(zpath, layer="DLTB")
    _check_expected(lu)
    assert lu.attrs["source"]["encoding"] == "UTF-8"


def test_3d_polygons_are_read_as_2d(tmp_path):
    gdf = make_dltb()
    gdf["geometry"] = shapely.force_3d(gdf.geometry.to_numpy(), z=12.5)
    for fmt in ("gpkg", "parquet"):
        lu = read_landuse(write(gdf, fmt, tmp_path / fmt))
        assert not shapely.has_z(lu.geometry.to_numpy()).any()
        _check_expected(lu)


def test_readers_do_not_mutate_their_arguments(tmp_path):
    from tests.helpers import assert_not_mutated

    gdf = make_dltb().rename(columns={"DLBM": "code"})
    path = write(gdf, "gpkg", tmp_path)
    before = path.read_bytes()
    lu = assert_not_mutated(read_landuse, path, fields={"DLBM": "code"})
    _check_expected(lu)
    assert path.read_bytes() == before  # input files are never modified
