"""Writer round trips: TXT -> frame -> TXT and vector <-> TXT keep geometry and attributes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPoint, MultiPolygon, Point, Polygon

from landuse.errors import CRSError, GeometryError
from landuse.findings import get_findings
from landuse.io.boundary_txt import (
    read_boundary_txt,
    txt_to_vector,
    vector_to_txt,
    write_boundary_txt,
)
from tests.helpers import assert_not_mutated

DATA = Path(__file__).parents[1] / "data" / "txt"
E0, N0 = 39_590_000.0, 4_090_000.0


def sq(e, n, s):
    return [(e, n), (e + s, n), (e + s, n + s), (e, n + s)]


def sample() -> gpd.GeoDataFrame:
    hole = Polygon(sq(E0, N0, 100), [sq(E0 + 10, N0 + 10, 10)])
    multi = MultiPolygon([Polygon(sq(E0 + 500, N0, 20)), Polygon(sq(E0 + 600, N0, 20),
                                                                  [sq(E0 + 605, N0 + 5, 5)])])
    return gpd.GeoDataFrame(
        {
            "parcel_no": ["A", "B", "C", "D", "E"],
            "name": ["带孔", "多部件", "界线", "单点", "多点"],
            "sheet": ["", "J50", "", "", ""],
            "use": ["工业用地", "采矿用地", "", "", ""],
            "dlbm": ["0601", "0602", "", "", ""],
        },
        geometry=[hole, multi, LineString([(E0, N0), (E0 + 3.3335, N0 + 4)]),
                  Point(E0 + 1, N0 + 1), MultiPoint([(E0, N0), (E0 + 2, N0 + 2)])],
        crs=4527,
    )


@pytest.mark.parametrize("encoding", ["GBK", "utf-8"])
def test_write_read_identical(tmp_path, encoding):
    gdf = sample()
    path = assert_not_mutated(write_boundary_txt, gdf, tmp_path / "o.txt", encoding=encoding,
                              date="2024-01-02")
    back = read_boundary_txt(path)
    assert back.attrs["source"]["encoding"] == ("GBK" if encoding == "GBK" else "utf-8")
    assert back.crs == gdf.crs
    for col in ("parcel_no", "name", "sheet", "use", "dlbm"):
        assert list(back[col]) == list(gdf[col])
    assert list(back["geometry_kind"]) == ["面", "面", "线", "点", "点"]
    assert list(back.geom_type) == list(gdf.geom_type)
    for a, b in zip(back.geometry, gdf.geometry, strict=True):
        assert a.equals_exact(b, 0.0005 + 1e-6)  # written to 0.001 m: off by half of it at most
    # header areas: 100² - 10² = 9900 m²; 20² + (20² - 5²) = 775 m²
    np.testing.assert_allclose(back["area_ha_header"].iloc[:2], [0.99, 0.0775])
    assert not [f for f in get_findings(back) if f.severity == "warning"]
    # a second pass reads back exactly what the first read
    again = read_boundary_txt(write_boundary_txt(back, tmp_path / "p.txt", date="2024-01-02"))
    assert all(a.equals_exact(b, 0.0) for a, b in zip(again.geometry, back.geometry, strict=True))


def test_written_file_layout(tmp_path):
    gdf = sample().iloc[[0]]
    text = write_boundary_txt(gdf, tmp_path / "o.txt", encoding="utf-8", producer="县局",
                              date="2024-01-02").read_bytes().decode("utf-8")
    lines = text.split("\r\n")
    assert lines[0] == "[属性描述]" and "坐标系=2000国家大地坐标系" in lines
    assert "带号=39" in lines and "几度分带=3" in lines and "数据产生单位=县局" in lines
    head = lines[lines.index("[地块坐标]") + 1]
    assert head == "10,0.9900,A,带孔,面,,工业用地,0601,@"
    pts = lines[lines.index(head) + 1 : lines.index(head) + 11]
    assert pts[0] == "J1,1,4090000.000,39590000.000"  # X = northing, Y = easting
    assert pts[4] == pts[0]  # closed by repeating J1
    assert pts[5].startswith("J5,2,") and pts[9].split(",")[0] == "J5"


def test_coordinates_rounded_to_precision(tmp_path):
    gdf = gpd.GeoDataFrame(geometry=[Polygon(sq(E0 + 0.00049, N0 + 0.0006, 10))], crs=4527)
    back = read_boundary_txt(write_boundary_txt(gdf, tmp_path / "o.txt"))
    assert back.geometry.iat[0].exterior.coords[0] == (E0, N0 + 0.001)
    assert back["parcel_no"].iat[0] == "1"


def test_header_area_attribute_is_kept(tmp_path):
    gdf = sample().iloc[[0]].assign(area_ha_header=[0.99])
    back = read_boundary_txt(write_boundary_txt(gdf, tmp_path / "o.txt"))
    assert back["area_ha_header"].iat[0] == 0.99


def test_fixture_round_trip(tmp_path):
    src = read_boundary_txt(DATA / "standard_gbk_crlf.txt")
    back = read_boundary_txt(write_boundary_txt(src, tmp_path / "o.txt"))
    cols = ["parcel_no", "name", "geometry_kind", "sheet", "use", "dlbm", "area_ha_header",
            "points"]
    assert back[cols].equals(src[cols])
    assert back.geometry.geom_equals_exact(src.geometry, 0.0).all()


def test_vector_txt_vector(tmp_path):
    gdf = sample().iloc[:2]
    gpkg = tmp_path / "in.gpkg"
    gdf.to_file(gpkg, layer="parcels")
    txt = vector_to_txt(gpkg, tmp_path / "out.txt", layer="parcels")
    out = txt_to_vector(txt, tmp_path / "back.gpkg")
    back = gpd.read_file(out)
    assert list(back["parcel_no"]) == ["A", "B"] and list(back["name"]) == ["带孔", "多部件"]
    assert back.crs.to_epsg() == 4527
    assert shapely.equals(back.geometry.values, gdf.geometry.values).all()
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_failures_leave_no_output(tmp_path):
    gdf = sample().to_crs(4326)
    with pytest.raises(CRSError, match="Gauss"):
        write_boundary_txt(gdf, tmp_path / "o.txt")
    empty = gpd.GeoDataFrame(geometry=[Polygon()], crs=4527)
    with pytest.raises(GeometryError, match="no geometry"):
        write_boundary_txt(empty, tmp_path / "o.txt")
    assert list(tmp_path.iterdir()) == []


def test_other_datums_round_trip(tmp_path):
    for epsg in (2363, 2415, 4548, 4498, 21460):
        crs_gdf = gpd.GeoDataFrame(geometry=[Polygon(sq(500_000 + (epsg in (2363, 2415)) * 39e6,
                                                        N0, 50))], crs=epsg)
        if epsg == 4498:
            crs_gdf = gpd.GeoDataFrame(geometry=[Polygon(sq(20_500_000, N0, 50))], crs=epsg)
        back = read_boundary_txt(write_boundary_txt(crs_gdf, tmp_path / f"{epsg}.txt"))
        assert back.crs.to_epsg() == epsg
        assert back.geometry.iat[0].area == pytest.approx(2500.0)


def test_mixed_kinds_cannot_go_to_a_shapefile(tmp_path):
    path = write_boundary_txt(sample(), tmp_path / "mixed.txt")
    with pytest.raises(GeometryError, match="gpkg"):
        txt_to_vector(path, tmp_path / "out.shp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mixed.txt"]
    back = gpd.read_file(txt_to_vector(path, tmp_path / "out.gpkg"))
    assert list(back.geom_type) == list(sample().geom_type)
