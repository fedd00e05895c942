"""Windowed zonal tabulation of a categorical raster, checked on 4 × 4 grids by hand."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from pyproj import Geod
from shapely.geometry import box

from landuse.errors import CRSError, SchemaError
from landuse.findings import get_findings
from landuse.io.raster import pixel_areas_by_row, read_landcover_classes, zonal_value_areas
from tests.helpers import assert_not_mutated

X0, Y0 = 39_500_000.0, 4_090_000.0  # EPSG:4527 (zone prefix in the easting)
VALUES = np.arange(16, dtype=np.uint8).reshape(4, 4)  # value = 4 × row + column


def from_origin(west: float, north: float, xsize: float, ysize: float) -> Affine:
    # rasterio.transform.from_origin uses the deprecated Affine `*` (warning = error here)
    return Affine(xsize, 0.0, west, 0.0, -ysize, north)


def write(path: Path, crs: str, transform, data=VALUES, nodata=None, **kw) -> Path:
    with rasterio.open(path, "w", driver="GTiff", height=data.shape[0], width=data.shape[1],
                       count=1, dtype=data.dtype, crs=crs, transform=transform,
                       nodata=nodata, **kw) as dst:
        dst.write(data, 1)
    return path


@pytest.fixture
def projected(tmp_path: Path) -> Path:
    # 10 m pixels: every pixel is 100 m²
    return write(tmp_path / "p.tif", "EPSG:4527", from_origin(X0, Y0, 10, 10))


def split_zones(x0: float, y0: float, px: float, crs: str) -> gpd.GeoDataFrame:
    """Zone A: columns 0-1 and 40 % of column 2; zone B: 60 % of column 2 and column 3."""
    cut = x0 + 2.4 * px
    return gpd.GeoDataFrame(
        {"zone": ["A", "B"]},
        geometry=[box(x0, y0 - 4 * px, cut, y0), box(cut, y0 - 4 * px, x0 + 4 * px, y0)],
        crs=crs)


def as_dict(df, col="area_m2"):
    return {(z, int(v)): round(float(a), 6) for z, v, a in
            zip(df["zone"], df["value"], df[col], strict=True)}


def test_centre_rule_in_a_projected_crs(projected):
    zones = split_zones(X0, Y0, 10.0, "EPSG:4527")
    out = assert_not_mutated(zonal_value_areas, projected, zones)
    # centre of column 2 is at x0 + 25 m, east of the cut at x0 + 24 m: column 2 goes to B
    expected = {("A", 4 * r + c): 100.0 for r in range(4) for c in (0, 1)}
    expected |= {("B", 4 * r + c): 100.0 for r in range(4) for c in (2, 3)}
    assert as_dict(out) == expected
    assert out["pixels"].sum() == 16
    assert out.attrs["edge"] == "centre"


def test_exact_rule_splits_the_cut_column_40_60(projected):
    zones = split_zones(X0, Y0, 10.0, "EPSG:4527")
    out = zonal_value_areas(projected, zones, edge="exact")
    expected = {("A", 4 * r + c): 100.0 for r in range(4) for c in (0, 1)}
    expected |= {("A", 4 * r + 2): 40.0 for r in range(4)}
    expected |= {("B", 4 * r + 2): 60.0 for r in range(4)}
    expected |= {("B", 4 * r + 3): 100.0 for r in range(4)}
    assert as_dict(out) == pytest.approx(expected)
    # coverage-weighted pixel counts: A = 8 + 4 × 0.4, B = 4 × 0.6 + 4
    pix = out.groupby("zone")["pixels"].sum()
    assert pix["A"] == pytest.approx(9.6) and pix["B"] == pytest.approx(6.4)


def test_exact_rule_on_a_triangle(projected):
    # right triangle over the lower-left 3 × 3 pixels: legs of 30 m, area 450 m²
    from shapely.geometry import Polygon
    tri = Polygon([(X0, Y0 - 40), (X0 + 30, Y0 - 40), (X0, Y0 - 10)])
    zones = gpd.GeoDataFrame({"zone": ["T"]}, geometry=[tri], crs="EPSG:4527")
    out = zonal_value_areas(projected, zones, edge="exact")
    got = as_dict(out)
    # bottom row (row 3): columns 0, 1 whole, column 2 half; row 2: column 0 whole,
    # column 1 half; row 1: column 0 half. Whole = 100 m², half = 50 m².
    assert got == pytest.approx({("T", 12): 100.0, ("T", 13): 100.0, ("T", 14): 50.0,
                                 ("T", 8): 100.0, ("T", 9): 50.0, ("T", 4): 50.0})
    assert sum(got.values()) == pytest.approx(450.0)


def test_window_size_does_not_change_the_result(projected):
    zones = split_zones(X0, Y0, 10.0, "EPSG:4527")
    for edge in ("centre", "exact"):
        whole = zonal_value_areas(projected, zones, edge=edge)
        rowwise = zonal_value_areas(projected, zones, edge=edge, window_rows=1)
        assert as_dict(rowwise) == pytest.approx(as_dict(whole))


@pytest.mark.parametrize(("epsg", "ellps"), [(4326, "WGS84"), (4490, "GRS80")])
def test_geographic_rows_have_their_own_geodesic_area(tmp_path, epsg, ellps):
    # 0.25° pixels, lon 118–119 E, lat 37–36 N (north-up: row 0 is the northernmost)
    path = write(tmp_path / "g.tif", f"EPSG:{epsg}", from_origin(118.0, 37.0, 0.25, 0.25))
    geod = Geod(ellps=ellps)  # CGCS2000 uses the GRS80 ellipsoid parameters

    def cell_area(west: float, east: float, north: float, south: float) -> float:
        # pixel edges run along parallels, not geodesics: densify them (2000 points), then
        # take Geod's polygon area of the corner outline
        lons = np.linspace(west, east, 2000)
        ring_lon = np.concatenate([lons, lons[::-1]])
        ring_lat = np.concatenate([np.full(2000, north), np.full(2000, south)])
        area, _ = geod.polygon_area_perimeter(ring_lon, ring_lat)
        return abs(area)

    def row_area(r: int) -> float:
        return cell_area(118.0, 118.25, 37.0 - 0.25 * r, 37.0 - 0.25 * (r + 1))

    rows = [row_area(r) for r in range(4)]
    assert rows[0] < rows[3]  # pixels shrink northwards
    zones = split_zones(118.0, 37.0, 0.25, f"EPSG:{epsg}")
    centre = as_dict(zonal_value_areas(path, zones))
    assert centre == pytest.approx(
        {(z, 4 * r + c): rows[r] for r in range(4)
         for z, cols in (("A", (0, 1)), ("B", (2, 3))) for c in cols}, rel=1e-7)
    exact = as_dict(zonal_value_areas(path, zones, edge="exact"))
    assert exact[("A", 6)] == pytest.approx(0.4 * rows[1], rel=1e-7)
    assert exact[("B", 14)] == pytest.approx(0.6 * rows[3], rel=1e-7)
    # the raster's total is the ellipsoidal area of the 1° × 1° cell
    assert sum(exact.values()) == pytest.approx(cell_area(118, 119, 37, 36), rel=1e-7)
    # an undensified geodesic quadrilateral would be off by more than that
    quad, _ = geod.polygon_area_perimeter([118, 119, 119, 118], [37, 37, 36, 36])
    assert abs(abs(quad) / cell_area(118, 119, 37, 36) - 1) > 1e-6


def test_pixel_area_uses_the_crs_unit(tmp_path):
    import pyproj
    feet = pyproj.CRS.from_epsg(2227)  # NAD83 California zone 3, US survey feet
    areas = pixel_areas_by_row(from_origin(0, 0, 10, 10), feet, 2)
    ft = 1200 / 3937  # metres per US survey foot
    assert areas.tolist() == pytest.approx([100 * ft * ft] * 2)


def test_nodata_pixels_are_not_counted(tmp_path):
    data = VALUES.copy()
    data[0, 0] = 255
    path = write(tmp_path / "n.tif", "EPSG:4527", from_origin(X0, Y0, 10, 10), data=data,
                 nodata=255)
    zones = split_zones(X0, Y0, 10.0, "EPSG:4527")
    out = zonal_value_areas(path, zones)
    assert 255 not in out["value"].tolist() and 0 not in out["value"].tolist()
    assert out["pixels"].sum() == 15


def test_zones_in_another_crs_are_reprojected_with_a_finding(projected):
    # EPSG:4548 is EPSG:4527 without the zone prefix 39 in the easting
    zones = split_zones(X0 - 39_000_000, Y0, 10.0, "EPSG:4548")
    out = zonal_value_areas(projected, zones, edge="exact")
    ref = zonal_value_areas(projected, split_zones(X0, Y0, 10.0, "EPSG:4527"), edge="exact")
    assert as_dict(out) == pytest.approx(as_dict(ref))
    assert [f.code for f in get_findings(out)] == ["zones_reprojected"]


def test_tiled_uint16_raster_read_in_blocks(tmp_path):
    rng = np.random.default_rng(8)
    data = rng.integers(0, 3, size=(64, 48)).astype(np.uint16) * 1000
    path = write(tmp_path / "t.tif", "EPSG:4527", from_origin(X0, Y0, 1, 1), data=data,
                 tiled=True, blockxsize=16, blockysize=16, compress="deflate")
    zones = gpd.GeoDataFrame({"zone": ["all"]}, geometry=[box(X0, Y0 - 64, X0 + 48, Y0)],
                             crs="EPSG:4527")
    out = zonal_value_areas(path, zones, window_rows=16)
    vals, counts = np.unique(data, return_counts=True)
    assert dict(zip(out["value"], out["pixels"], strict=True)) == dict(
        zip(vals.tolist(), counts.astype(float).tolist(), strict=True))


def test_errors_name_the_problem(tmp_path, projected):
    zones = split_zones(X0, Y0, 10.0, "EPSG:4527")
    with pytest.raises(SchemaError, match="'code'"):
        zonal_value_areas(projected, zones, by="code")
    with pytest.raises(CRSError, match="no CRS"):
        zonal_value_areas(projected, zones.set_crs(None, allow_override=True))
    flt = write(tmp_path / "f.tif", "EPSG:4527", from_origin(X0, Y0, 10, 10),
                data=VALUES.astype(np.float32))
    with pytest.raises(SchemaError, match="float32"):
        zonal_value_areas(flt, zones)
    with pytest.raises(ValueError, match="edge"):
        zonal_value_areas(projected, zones, edge="touched")


def test_read_landcover_classes_gbk_with_chinese_headers(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("栅格值,类别,是否建设用地\n5,建设用地,是\n1,耕地,否\n".encode("gbk"))
    t = read_landcover_classes(path)
    assert t["value"].tolist() == [1, 5]
    assert t["class"].tolist() == ["耕地", "建设用地"]
    assert t["construction"].tolist() == [False, True]


def test_read_landcover_classes_gb18030_and_xlsx(tmp_path):
    # read as every county table is: GB18030 text (𠮷 is not in GBK) and XLSX workbooks
    path = tmp_path / "c.csv"
    path.write_bytes("栅格值,类别,是否建设用地\n7,𠮷地,否\n".encode("gb18030"))
    assert read_landcover_classes(path)["class"].tolist() == ["𠮷地"]
    book = tmp_path / "c.xlsx"
    pd.DataFrame({"value": [5, 1], "class": ["built", "crop"], "construction": ["yes", "no"]}
                 ).to_excel(book, index=False)
    t = read_landcover_classes(book)
    assert (t["value"].tolist(), t["construction"].tolist()) == ([1, 5], [False, True])


def test_read_landcover_classes_lists_every_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("value,class,construction\nx,water,no\n2,built,maybe\n2,road,1\n",
                    encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        read_landcover_classes(path)
    msg = str(info.value)
    assert "line 2" in msg and "line 3" in msg and "repeated: [2]" in msg
