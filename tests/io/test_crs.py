"""CRS handling: GK zones, working CRS, reprojection findings, ellipsoidal area."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import Polygon, box

from landuse.errors import CRSError, LanduseWarning
from landuse.io.crs import (
    choose_working_crs,
    ellipsoidal_area,
    gk3_zone_epsg,
    has_zone_prefix,
    normalise_crs,
    to_working_crs,
)
from landuse.io.vector import read_landuse
from tests.helpers import assert_not_mutated
from tests.io._vector_data import geod_area, make_dltb, write


def _central_meridian(code: int) -> float:
    params = {p.name: p.value for p in CRS.from_epsg(code).coordinate_operation.params}
    return params["Longitude of natural origin"]


def _false_easting(code: int) -> float:
    params = {p.name: p.value for p in CRS.from_epsg(code).coordinate_operation.params}
    return params["False easting"]


@pytest.mark.parametrize(
    ("lon", "zone"), [(117.0, 39), (118.2, 39), (118.6, 40), (75.0, 25), (134.9, 45), (73.6, 25)]
)
def test_gk3_zone_epsg_against_the_epsg_definitions(lon, zone):
    with_prefix = gk3_zone_epsg(lon, prefix=True)
    without = gk3_zone_epsg(lon, prefix=False)
    # checked against PROJ's own EPSG definitions, not against our formula
    assert _central_meridian(with_prefix) == 3 * zone
    assert _central_meridian(without) == 3 * zone
    assert _false_easting(with_prefix) == zone * 1_000_000 + 500_000
    assert _false_easting(without) == 500_000
    assert "CGCS2000" in CRS.from_epsg(with_prefix).name
    assert abs(lon - 3 * zone) <= 1.5


def test_gk3_zone_huantai():
    assert gk3_zone_epsg(118.0, prefix=True) == 4527
    assert gk3_zone_epsg(118.0, prefix=False) == 4548


@pytest.mark.parametrize("lon", [70.0, 140.0])
def test_gk3_zone_outside_china_is_an_error(lon):
    with pytest.raises(CRSError, match="working_crs"):
        gk3_zone_epsg(lon, prefix=True)


def test_has_zone_prefix():
    assert has_zone_prefix(4527) is True
    assert has_zone_prefix(4548) is False
    assert has_zone_prefix(4490) is None


def test_normalise_crs_identifies_esri_wkt():
    esri = CRS.from_epsg(4527).to_wkt(version="WKT1_ESRI")
    assert normalise_crs(esri) == CRS.from_epsg(4527)


def _geographic_layer() -> gpd.GeoDataFrame:
    g = make_dltb()
    return g.to_crs(4490)


def test_geographic_layer_goes_to_its_gk_zone_with_prefix():
    geo = _geographic_layer()
    out = assert_not_mutated(to_working_crs, geo, None, source="pa.gpkg layer X")
    assert out.crs.to_epsg() == 4527
    expected = Transformer.from_crs(4490, 4527, always_xy=True).transform(
        *shapely.get_coordinates(geo.geometry.iloc[0]).T)
    np.testing.assert_allclose(shapely.get_coordinates(out.geometry.iloc[0]).T, expected,
                               atol=1e-6)
    (finding,) = out.attrs["findings"]
    assert finding.code == "crs_reprojected" and finding.severity == "warning"
    assert "EPSG:4490" in finding.message and "EPSG:4527" in finding.message


def test_geographic_layer_to_a_declared_working_crs_without_prefix():
    out = to_working_crs(_geographic_layer(), "EPSG:4548", source="x")
    assert out.crs.to_epsg() == 4548
    assert out.total_bounds[0] == pytest.approx(510_000, abs=0.01)


def test_same_crs_is_unchanged_without_finding():
    g = make_dltb()
    out = to_working_crs(g, "EPSG:4527", source="x")
    assert out.attrs.get("findings", []) == []
    assert shapely.equals_exact(out.geometry.to_numpy(), g.geometry.to_numpy(), 0).all()


def test_missing_crs_and_geographic_target_are_errors():
    g = make_dltb().set_crs(None, allow_override=True)
    with pytest.raises(CRSError, match="no coordinate reference system"):
        to_working_crs(g, None, source="a.shp")
    with pytest.raises(CRSError, match="not projected"):
        to_working_crs(make_dltb(), "EPSG:4490", source="a.shp")


def test_reader_warns_and_records_for_a_geographic_file(tmp_path):
    path = write(_geographic_layer(), "gpkg", tmp_path)
    with pytest.warns(LanduseWarning, match="EPSG:4490"):
        lu = read_landuse(path)
    assert lu.crs.to_epsg() == 4527
    assert lu.attrs["source"]["crs"] == "EPSG:4490"
    # TBMJ still agrees with the geometry after the round trip (no mismatch finding)
    assert "tbmj_area_mismatch" not in {f.code for f in lu.attrs["findings"]}


def test_choose_working_crs():
    assert choose_working_crs(["EPSG:4527", "EPSG:4490", "EPSG:4527"]) == CRS.from_epsg(4527)
    esri = CRS.from_epsg(4527).to_wkt(version="WKT1_ESRI")
    assert choose_working_crs([esri, "EPSG:4527"]) == CRS.from_epsg(4527)
    with pytest.raises(CRSError, match=r"DLTB: EPSG:4527, STBHHX: EPSG:4548"):
        choose_working_crs(["EPSG:4527", "EPSG:4548"], names=["DLTB", "STBHHX"])
    with pytest.raises(CRSError, match="no layer is projected"):
        choose_working_crs(["EPSG:4490"])
    with pytest.raises(CRSError, match="have no CRS"):
        choose_working_crs([None, "EPSG:4527"], names=["XZQ", "DLTB"])


def _ring_lonlat(poly: Polygon, crs: int):
    tr = Transformer.from_crs(crs, 4490, always_xy=True)
    return tr.transform(*np.asarray(poly.exterior.coords).T)


@pytest.mark.parametrize("x_offset", [0.0, 60_000.0, 140_000.0])
def test_ellipsoidal_area_matches_geod_to_1e_6(x_offset):
    # an irregular 1.3 km polygon with a hole, densified to 1 m for the Geod reference
    x0, y0 = 39_500_000 + x_offset, 4_090_000
    outer = [(0, 0), (1300, 0), (1250, 700), (600, 1100), (-100, 800)]
    hole = [(400, 300), (600, 300), (600, 500), (400, 500)]
    poly = Polygon([(x0 + x, y0 + y) for x, y in outer], [[(x0 + x, y0 + y) for x, y in hole]])
    s = gpd.GeoSeries([poly], crs=4527)
    got = assert_not_mutated(ellipsoidal_area, s).iloc[0]
    ref = geod_area(poly)
    assert got == pytest.approx(ref, rel=1e-6)
    # and the planar area really differs by the GK scale (so the test can fail)
    if x_offset:
        assert abs(poly.area - ref) / ref > 1e-5


def test_ellipsoidal_area_without_prefix_and_geographic():
    sq = box(500_000 + 60_000, 4_090_000, 500_000 + 61_000, 4_091_000)
    got = ellipsoidal_area(gpd.GeoSeries([sq], crs=4548)).iloc[0]
    assert got == pytest.approx(geod_area(sq, crs=4548), rel=1e-6)
    lonlat = Polygon(zip(*_ring_lonlat(sq, 4548), strict=True))
    got_geo = ellipsoidal_area(gpd.GeoSeries([lonlat], crs=4490)).iloc[0]
    ref = abs(Geod(ellps="GRS80").geometry_area_perimeter(lonlat)[0])
    assert got_geo == pytest.approx(ref, rel=1e-9)


def test_ellipsoidal_area_of_null_is_nan():
    out = ellipsoidal_area(gpd.GeoSeries([None, box(39_500_000, 4e6, 39_500_010, 4e6 + 10)],
                                         crs=4527))
    assert np.isnan(out.iloc[0]) and out.iloc[1] == pytest.approx(100.0, rel=1e-4)
