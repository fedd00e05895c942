"""Land-cover class areas and development intensity from a raster, by hand on 4 × 4 grids."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from shapely.geometry import box

from landuse.errors import InputFileError, LanduseWarning, SchemaError
from landuse.indicators.landcover import (
    development_intensity_from_areas,
    development_intensity_from_raster,
    landcover_areas,
)
from landuse.io.raster import open_raster
from landuse.rasters import open_landcover
from tests.helpers import assert_not_mutated

X0, Y0 = 39_500_000.0, 4_090_000.0
# 1 cropland, 2 forest, 5 built-up (10 m pixels = 100 m² = 0.01 ha)
GRID = np.array([[1, 1, 5, 5],
                 [1, 1, 5, 2],
                 [1, 2, 2, 2],
                 [1, 1, 1, 1]], dtype=np.uint8)


@pytest.fixture
def raster(tmp_path: Path) -> Path:
    path = tmp_path / "lc.tif"
    with rasterio.open(path, "w", driver="GTiff", height=4, width=4, count=1, dtype="uint8",
                       crs="EPSG:4527", transform=Affine(10, 0, X0, 0, -10, Y0),
                       nodata=0) as dst:
        dst.write(GRID, 1)
    return path


@pytest.fixture
def classes(tmp_path: Path) -> Path:
    path = tmp_path / "classes.csv"
    path.write_text("value,class,construction,name_zh\n1,cropland,no,耕地\n2,forest,no,林地\n"
                    "5,built_up,yes,建设用地\n", encoding="utf-8")
    return path


@pytest.fixture
def zones() -> gpd.GeoDataFrame:
    # west half (columns 0-1) and east half (columns 2-3)
    return gpd.GeoDataFrame({"zone": ["370321100", "370321101"]},
                            geometry=[box(X0, Y0 - 40, X0 + 20, Y0),
                                      box(X0 + 20, Y0 - 40, X0 + 40, Y0)], crs="EPSG:4527")


def test_class_areas_by_zone_and_county(raster, classes, zones):
    out = assert_not_mutated(landcover_areas, raster, zones, classes=classes, county="370321")
    assert list(out.columns) == ["zone", "class", "area_ha"]
    got = {(z, c): round(a, 6) for z, c, a in zip(out["zone"], out["class"], out["area_ha"],
                                                   strict=True)}
    # west: 7 cropland + 1 forest; east: 2 cropland + 3 forest + 3 built-up (0.01 ha each)
    assert got == {("370321", "cropland"): 0.09, ("370321", "forest"): 0.04,
                   ("370321", "built_up"): 0.03,
                   ("370321100", "cropland"): 0.07, ("370321100", "forest"): 0.01,
                   ("370321101", "cropland"): 0.02, ("370321101", "forest"): 0.03,
                   ("370321101", "built_up"): 0.03}
    assert out["zone"].iloc[0] == "370321"


def test_development_intensity_from_raster(raster, classes, zones):
    di = development_intensity_from_raster(raster, zones, classes=classes, county="370321")
    assert di.name == "development_intensity"
    # county 3 / 16 built-up pixels; east zone 3 / 8; west 0 / 8
    assert di["370321"] == pytest.approx(100 * 3 / 16)
    assert di["370321101"] == pytest.approx(37.5)
    assert di["370321100"] == 0.0


def test_exact_rule_changes_what_a_cut_pixel_counts(raster, classes):
    # zone over columns 0-1 and 30 % of column 2: exact gives 0.3 of each column-2 pixel
    z = gpd.GeoDataFrame({"zone": ["Z"]}, geometry=[box(X0, Y0 - 40, X0 + 23, Y0)],
                         crs="EPSG:4527")
    centre = landcover_areas(raster, z, classes=classes)
    exact = landcover_areas(raster, z, classes=classes, edge="exact")
    assert centre.set_index("class")["area_ha"].to_dict() == pytest.approx(
        {"cropland": 0.07, "forest": 0.01})
    # column 2 holds 5, 5, 2, 1: built-up 2 × 0.3, forest 1 × 0.3, cropland 1 × 0.3 pixels
    assert exact.set_index("class")["area_ha"].to_dict() == pytest.approx(
        {"cropland": 0.073, "forest": 0.013, "built_up": 0.006})


def test_unmapped_values_are_reported_not_dropped(raster, zones, tmp_path):
    partial = tmp_path / "partial.csv"
    partial.write_text("value,class,construction\n1,cropland,0\n5,built_up,1\n",
                       encoding="utf-8")
    with pytest.warns(LanduseWarning, match=r"values \[2\]"):
        out = landcover_areas(raster, zones, classes=partial)
    assert out.groupby("class")["area_ha"].sum()["unclassified"] == pytest.approx(0.04)
    assert out["area_ha"].sum() == pytest.approx(0.16)


def test_intensity_needs_one_flag_per_class():
    areas = pd.DataFrame({"zone": ["Z"], "class": ["x"], "area_ha": [1.0]})
    table = pd.DataFrame({"value": [1, 2], "class": ["x", "x"], "construction": [True, False]})
    with pytest.raises(SchemaError, match="both"):
        development_intensity_from_areas(areas, table)


def test_no_mapping_reports_raw_values(raster, zones):
    out = landcover_areas(raster, zones)
    assert set(out["class"]) == {"1", "2", "5"}


# ----------------------------------------------------------------------------- the source


class FakeSource:
    """A pixel source that reads no file: a value table written by hand (2 zones)."""

    name = "fake.tif"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def value_areas(self, zones, *, by="zone", edge="centre", window_rows=None):
        self.calls.append((by, edge))
        out = pd.DataFrame({"zone": ["A", "A", "B"], "value": [1, 5, 5],
                            "pixels": [3.0, 1.0, 2.0], "area_m2": [300.0, 100.0, 200.0]})
        out.attrs.update({"edge": edge, "crs": "EPSG:4527", "raster": "fake.tif",
                          "findings": []})
        return out


def test_the_indicator_takes_a_source_object_not_a_file(classes):
    # zone A: 300 m² cropland + 100 m² built-up; zone B: 200 m² built-up
    src = FakeSource()
    z = gpd.GeoDataFrame({"zone": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
                         crs="EPSG:4527")
    table = pd.DataFrame({"value": [1, 5], "class": ["cropland", "built_up"],
                          "construction": [False, True]})
    out = landcover_areas(src, z, classes=table, edge="exact")
    assert src.calls == [("zone", "exact")]
    assert out.set_index(["zone", "class"])["area_ha"].to_dict() == pytest.approx(
        {("A", "cropland"): 0.03, ("A", "built_up"): 0.01, ("B", "built_up"): 0.02})
    di = development_intensity_from_raster(src, z, classes=table)
    assert di["A"] == pytest.approx(25.0) and di["B"] == pytest.approx(100.0)


def test_an_opened_raster_is_read_window_by_window_later(raster, classes, zones):
    source = open_raster(raster)
    assert (source.width, source.height, source.crs_label) == (4, 4, "EPSG:4527")
    by_path = landcover_areas(raster, zones, classes=classes)
    by_source = landcover_areas(source, zones, classes=classes)
    pd.testing.assert_frame_equal(by_source, by_path)
    # the read phase's class table is taken as it is (a LandCover from open_landcover)
    cover = open_landcover(source, classes)
    assert cover.source is source and list(cover.classes["class"]) == [
        "cropland", "forest", "built_up"]
    # a file replaced between the read phase and the compute phase (here by a 5 × 5 grid,
    # so its size differs) is refused, not read
    with rasterio.open(raster, "w", driver="GTiff", height=5, width=5, count=1, dtype="uint8",
                       crs="EPSG:4527", transform=Affine(10, 0, X0, 0, -10, Y0)) as dst:
        dst.write(np.full((5, 5), 5, dtype=np.uint8), 1)
    with pytest.raises(InputFileError, match="changed after it was read"):
        landcover_areas(source, zones, classes=classes)


# ----------------------------------------------------------------------------- sample county

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data"


def test_sample_raster_agrees_with_the_survey_it_was_made_from(sample):
    tif, csv = SAMPLE / "landcover.tif", SAMPLE / "landcover_classes.csv"
    if not (tif.exists() and csv.exists()):
        pytest.skip("sample land cover not generated (make_vintage.py)")
    from landuse.rules import code_table

    lu, towns = sample["DLTB"], sample["XZQ"]
    areas = landcover_areas(tif, towns, classes=csv, county="370321")
    county = areas[areas["zone"] == "370321"].set_index("class")["area_ha"]
    # 10 m pixels, centre rule: the county's planar area within 0.1 %
    assert county.sum() == pytest.approx(lu.geometry.area.sum() / 1e4, rel=1e-3)
    # built-up pixels vs the planar area of the survey's construction patches, within 3 %
    built = lu["DLBM"].map(code_table()["sandalei"]).eq("建设用地")
    assert county["built_up"] == pytest.approx(lu.geometry.area[built].sum() / 1e4, rel=3e-2)
    exact = landcover_areas(tif, towns, classes=csv, county="370321", edge="exact")
    assert exact.loc[exact["zone"] == "370321", "area_ha"].sum() == pytest.approx(
        county.sum(), rel=1e-3)
