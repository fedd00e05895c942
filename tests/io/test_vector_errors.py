"""read_landuse: every bad-input case raises one error naming the file/field and the fix."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
from shapely.geometry import LineString, Point

from landuse.errors import CRSError, GeometryError, InputFileError, SchemaError
from landuse.io.vector import read_landuse
from tests.io._vector_data import make_dltb, square, write


def test_missing_file_names_the_path_and_similar_files(tmp_path):
    write(make_dltb(), "gpkg", tmp_path)
    missing = tmp_path / "countty.gpkg"
    with pytest.raises(InputFileError) as err:
        read_landuse(missing)
    msg = str(err.value)
    assert str(missing) in msg and "not found" in msg and "county.gpkg" in msg


def test_missing_layer_lists_the_layers_present(tmp_path):
    path = write(make_dltb(), "gpkg", tmp_path)
    with pytest.raises(InputFileError) as err:
        read_landuse(path, layer="DLTB2020")
    msg = str(err.value)
    assert "DLTB2020" in msg and "['DLTB']" in msg and "layer=" in msg


def test_several_layers_without_dltb_need_a_layer(tmp_path):
    path = tmp_path / "x.gpkg"
    make_dltb().to_file(path, layer="A")
    make_dltb().to_file(path, layer="B")
    with pytest.raises(InputFileError, match=r"\['A', 'B'\].*layer="):
        read_landuse(path)


def test_missing_layer_in_filegdb(tmp_path):
    path = write(make_dltb(), "gdb", tmp_path)
    with pytest.raises(InputFileError, match=r"has no layer 'XZQ'.*\['DLTB'\]"):
        read_landuse(path, layer="XZQ")


def test_missing_dlbm_lists_fields_and_closest_names(tmp_path):
    gdf = make_dltb().rename(columns={"DLBM": "DLBM_CODE"})
    path = write(gdf, "gpkg", tmp_path)
    with pytest.raises(SchemaError) as err:
        read_landuse(path)
    msg = str(err.value)
    assert "'DLBM'" in msg and str(path) in msg
    assert "fields present" in msg and "'TBMJ'" in msg
    assert "closest names: ['DLBM_CODE'" in msg
    assert "fields={'DLBM'" in msg


def test_rename_to_an_absent_field_is_reported(tmp_path):
    path = write(make_dltb(), "gpkg", tmp_path)
    with pytest.raises(SchemaError, match=r"'nope' \(the rename DLBM = 'nope'"):
        read_landuse(path, fields={"DLBM": "nope"})
    with pytest.raises(SchemaError, match="does not use"):
        read_landuse(path, fields={"NOT_A_FIELD": "DLBM"})


def test_non_numeric_area_field_names_field_and_examples(tmp_path):
    gdf = make_dltb()
    gdf["TBMJ"] = ["10000.5", "abc", "", "1.2e4", "n/a", "9999"]
    path = write(gdf, "gpkg", tmp_path)
    with pytest.raises(SchemaError) as err:
        read_landuse(path)
    msg = str(err.value)
    assert "'TBMJ'" in msg and "2 value(s)" in msg and "'abc'" in msg and "'n/a'" in msg
    assert str(path) in msg


def test_numbers_stored_as_text_are_accepted(tmp_path):
    gdf = make_dltb()
    gdf["TBMJ"] = gdf["TBMJ"].map(lambda v: f" {v:.2f}")
    lu = read_landuse(write(gdf, "gpkg", tmp_path))
    assert lu["TBMJ"].tolist() == pytest.approx(make_dltb()["TBMJ"].tolist(), abs=0.005)


def test_unknown_codes_listed_with_count_and_area(tmp_path):
    gdf = make_dltb()
    gdf.loc[[0, 1], "DLBM"] = "9999"
    gdf.loc[2, "DLBM"] = "0201x"
    gdf.loc[3, "KCDLBM"] = "12O3"  # letter O instead of zero
    gdf.loc[3, "KCMJ"] = 10.0
    path = write(gdf, "gpkg", tmp_path)
    with pytest.raises(SchemaError) as err:
        read_landuse(path)
    msg = str(err.value)
    area_two = gdf["TBMJ"].iloc[0] + gdf["TBMJ"].iloc[1]
    assert f"DLBM '9999': 2 patches, {area_two:.2f} m²" in msg
    assert "DLBM '0201X': 1 patches" in msg
    assert "KCDLBM '12O3': 1 patches, 10.00 m²" in msg
    assert "sandiao_codes.csv" in msg


def test_codes_stored_as_numbers_get_a_hint(tmp_path):
    gdf = make_dltb()
    gdf["DLBM"] = [101, 201, 702, 1003, 1203, 1101]  # leading zeros lost
    with pytest.raises(SchemaError) as err:
        read_landuse(write(gdf, "gpkg", tmp_path))
    msg = str(err.value)
    assert "DLBM '101': 1 patches" in msg and "'0101' stored as a number" in msg
    assert "'0702' stored as a number" in msg
    assert "'1003'" not in msg  # four-digit codes are fine


def test_empty_dlbm_is_an_error(tmp_path):
    gdf = make_dltb()
    gdf.loc[4, "DLBM"] = None
    with pytest.raises(SchemaError, match=r"1 patches have an empty DLBM.*'105'"):
        read_landuse(write(gdf, "gpkg", tmp_path))


def test_empty_layer_is_an_error(tmp_path):
    path = tmp_path / "empty.gpkg"
    pyogrio.write_dataframe(make_dltb().iloc[:0], path, layer="DLTB")
    with pytest.raises(InputFileError, match=r"empty \(0 features\)"):
        read_landuse(path)


@pytest.mark.parametrize("geom", [Point(39_510_050, 4_090_050),
                                  LineString([(39_510_000, 4_090_000), (39_510_100, 4_090_000)])])
def test_points_or_lines_are_a_geometry_error(tmp_path, geom):
    gdf = gpd.GeoDataFrame({"DLBM": ["0101"], "TBMJ": [1.0]}, geometry=[geom], crs=4527)
    path = write(gdf, "gpkg", tmp_path)
    with pytest.raises(GeometryError) as err:
        read_landuse(path)
    assert geom.geom_type in str(err.value) and "polygons" in str(err.value)


def test_missing_crs_is_an_error(tmp_path):
    path = write(make_dltb(), "shp", tmp_path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(CRSError) as err:
        read_landuse(path)
    assert str(path) in str(err.value) and ".prj" in str(err.value)


def test_geographic_working_crs_is_rejected(tmp_path):
    with pytest.raises(CRSError, match="not projected"):
        read_landuse(write(make_dltb(), "gpkg", tmp_path), working_crs="EPSG:4490")


def test_a_folder_that_is_not_a_gdb(tmp_path):
    with pytest.raises(InputFileError, match="is a folder"):
        read_landuse(tmp_path)


def test_unreadable_file(tmp_path):
    path = tmp_path / "broken.gpkg"
    path.write_bytes(b"not a geopackage")
    with pytest.raises(InputFileError, match="cannot be opened"):
        read_landuse(path)


def test_parquet_rejects_a_layer_name(tmp_path):
    path = write(make_dltb(), "parquet", tmp_path)
    with pytest.raises(InputFileError, match="single table"):
        read_landuse(path, layer="XZQ")


def test_encoding_is_rejected_for_utf8_formats(tmp_path):
    path = write(make_dltb(), "gpkg", tmp_path)
    with pytest.raises(InputFileError, match=r"only\s+applies to Shapefiles"):
        read_landuse(path, encoding="GBK")


def test_square_helper_sanity():
    assert square(1).bounds == (39_510_100.0, 4_090_000.0, 39_510_200.0, 4_090_100.0)
