"""Boundary-point TXT reader: every variant of domain.md §5.1, areas worked out by hand.

Coordinates sit in CGCS2000 3-degree zone 39 (EPSG:4527, eastings prefixed with 39). The
reference rectangle is 100 m (east) x 50 m (north) = 5000 m² = 0.5 ha; its 10 m x 10 m hole
takes 100 m², leaving 4900 m² = 0.49 ha.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely

from landuse.errors import InputFileError, LanduseWarning
from landuse.findings import get_findings
from landuse.io.boundary_txt import read_boundary_txt

DATA = Path(__file__).parents[1] / "data" / "txt"
E0, N0 = 39_590_000.0, 4_090_000.0

HEADER = """[属性描述]
格式版本号=1.01版本
数据产生单位=测试
数据产生日期=2019-4-19
坐标系={datum}
几度分带={width}
投影类型=高斯克吕格
计量单位=米
带号={zone}
精度=0.001
转换参数=,,,,,,
[地块坐标]
"""


def rect(e: float, n: float, w: float, h: float) -> list[tuple[float, float]]:
    """Closed ring (east, north) of a w x h rectangle at (e, n), counter-clockwise."""
    return [(e, n), (e + w, n), (e + w, n + h), (e, n + h), (e, n)]


def parcel(no: str, rings: list[list[tuple[float, float]]], *, area: str = "", kind: str = "面",
           swap: bool = False, use: str = "工业用地", dlbm: str = "0601") -> str:
    lines, k = [], 0
    for rno, ring in enumerate(rings, start=1):
        for e, n in ring:
            k += 1
            x, y = (e, n) if swap else (n, e)
            lines.append(f"J{k},{rno},{x:.3f},{y:.3f}")
    return f"{k},{area},{no},名称{no},{kind},,{use},{dlbm},@\n" + "\n".join(lines) + "\n"


def write(tmp_path: Path, body: str, *, datum: str = "2000国家大地坐标系", width: str = "3",
          zone: str = "39", encoding: str = "utf-8", name: str = "f.txt") -> Path:
    path = tmp_path / name
    path.write_bytes((HEADER.format(datum=datum, width=width, zone=zone) + body).encode(encoding))
    return path


def codes(gdf) -> list[str]:
    return [f.code for f in get_findings(gdf)]


def test_standard_gbk_crlf_fixture_hole_and_multipart():
    gdf = read_boundary_txt(DATA / "standard_gbk_crlf.txt")
    assert gdf.crs.to_epsg() == 4527
    assert list(gdf["parcel_no"]) == ["A1", "A2"]
    assert list(gdf["name"]) == ["带孔地块", "两块地"]
    assert list(gdf["sheet"]) == ["J50G001001", ""]
    assert list(gdf["use"]) == ["工业用地", "采矿用地"]
    assert list(gdf["dlbm"]) == ["0601", "0602"]
    assert list(gdf["points"]) == [10, 10]
    a1, a2 = gdf.geometry
    assert a1.geom_type == "Polygon" and len(a1.interiors) == 1
    assert a1.area == pytest.approx(4900.0)  # 100 x 50 - 10 x 10
    assert a2.geom_type == "MultiPolygon" and len(a2.geoms) == 2
    assert a2.area == pytest.approx(800.0)  # two 20 x 20 squares
    np.testing.assert_allclose(gdf["area_ha_header"], [0.49, 0.08])
    src = gdf.attrs["source"]
    assert src["encoding"] == "GBK" and src["zone"] == 39 and src["zone_width"] == 3
    assert src["datum"] == "CGCS2000" and src["epsg"] == 4527 and src["precision"] == 0.001
    assert src["producer"] == "测试单位" and src["date"] == "2019-4-19"
    assert src["format_version"] == "1.01版本"
    assert "area_mismatch" not in codes(gdf)
    # x = easting, y = northing (X in the file is the northing)
    assert a1.exterior.coords[1] == (E0 + 100, N0)


def test_utf8_bom_spaces_section_units_swapped_and_empty_zone():
    with pytest.warns(LanduseWarning, match="swapped"):
        gdf = read_boundary_txt(DATA / "variants_utf8_bom.txt")
    src = gdf.attrs["source"]
    assert src["encoding"] == "utf-8-sig"
    assert src["zone_width"] == 3  # 分带 = 3度带
    assert src["zone"] == 39 and gdf.crs.to_epsg() == 4527  # empty 带号: prefix trusted
    assert src["sections"]["项目信息"]["项目名称"] == "测试项目"
    assert gdf["parcel_no"].iat[0] == "B1" and gdf["dlbm"].iat[0] == "05H1"
    assert gdf["area_ha_header"].iat[0] == pytest.approx(0.5)  # "0.5000公顷"
    assert gdf.geometry.iat[0].area == pytest.approx(5000.0)
    assert gdf.geometry.iat[0].bounds == (E0, N0, E0 + 100, N0 + 50)
    assert "swapped_xy" in codes(gdf) and "zone_mismatch" not in codes(gdf)


def test_wrong_zone_number_trusts_prefix_and_warns(tmp_path):
    path = write(tmp_path, parcel("P", [rect(E0, N0, 100, 50)], area="0.5000"), zone="40")
    with pytest.warns(LanduseWarning, match="带号"):
        gdf = read_boundary_txt(path)
    assert gdf.crs.to_epsg() == 4527
    f = [f for f in get_findings(gdf) if f.code == "zone_mismatch"]
    assert len(f) == 1 and f[0].severity == "warning"


def test_no_prefix_zone_from_header(tmp_path):
    body = parcel("P", [[(e - 39e6, n) for e, n in rect(E0, N0, 100, 50)]], area="0.5000")
    gdf = read_boundary_txt(write(tmp_path, body, zone="39"))
    assert gdf.crs.to_epsg() == 4548  # CGCS2000 3-degree CM 117E, no prefix
    assert gdf.geometry.iat[0].bounds == (590_000.0, N0, 590_100.0, N0 + 50)


def test_no_prefix_and_no_zone_needs_crs(tmp_path):
    body = parcel("P", [[(e - 39e6, n) for e, n in rect(E0, N0, 100, 50)]], area="0.5000")
    path = write(tmp_path, body, zone="")
    with pytest.raises(InputFileError, match="line 9: 带号"):  # the empty 带号 line
        read_boundary_txt(path)
    assert read_boundary_txt(path, crs="EPSG:4548").crs.to_epsg() == 4548


@pytest.mark.parametrize(
    ("datum", "epsg"),
    [("1980西安坐标系", 2363), ("1954北京坐标系", 2415), ("2000国家大地坐标系", 4527)],
)
def test_datum_from_header(tmp_path, datum, epsg):
    gdf = read_boundary_txt(write(tmp_path, parcel("P", [rect(E0, N0, 100, 50)], area="0.5"),
                                  datum=datum))
    assert gdf.crs.to_epsg() == epsg


def test_six_degree_zone_from_prefix(tmp_path):
    # 6-degree zone 20 (CM 117E): easting prefix 20; EPSG 4478 + 20 = 4498
    ring = [(e - 39e6 + 20e6, n) for e, n in rect(E0, N0, 100, 50)]
    gdf = read_boundary_txt(write(tmp_path, parcel("P", [ring], area="0.5"), width="6", zone="20"))
    assert gdf.crs.to_epsg() == 4498
    assert gdf.attrs["source"]["zone_width"] == 6


@pytest.mark.parametrize(
    ("area", "expected_ha"),
    [("0.4900公顷", 0.49), ("7.35亩", 7.35 / 15), ("4900平方米", 0.49), ("0.49 ha", 0.49)],
)
def test_area_with_units(tmp_path, area, expected_ha):
    body = parcel("P", [rect(E0, N0, 100, 50), rect(E0 + 10, N0 + 10, 10, 10)], area=area)
    gdf = read_boundary_txt(write(tmp_path, body))
    assert gdf["area_ha_header"].iat[0] == pytest.approx(expected_ha)
    assert "area_mismatch" not in codes(gdf)


def test_area_checked_at_written_rounding(tmp_path):
    # 100 m x 49.12 m = 4912 m² = 0.4912 ha
    ring = rect(E0, N0, 100, 49.12)
    ok = read_boundary_txt(write(tmp_path, parcel("P", [ring], area="0.49"), name="a.txt"))
    assert "area_mismatch" not in codes(ok)  # |0.49 - 0.4912| < 0.005 (2 decimals written)
    ok4 = read_boundary_txt(write(tmp_path, parcel("P", [ring], area="0.4912"), name="b.txt"))
    assert "area_mismatch" not in codes(ok4)
    with pytest.warns(LanduseWarning, match="面积"):
        bad = read_boundary_txt(write(tmp_path, parcel("P", [ring], area="0.4900"), name="c.txt"))
    f = next(f for f in get_findings(bad) if f.code == "area_mismatch")
    assert f.examples == ["P"] and f.count == 1


def test_island_in_hole_is_a_second_part(tmp_path):
    # outer 100 x 100, hole 60 x 60, island 20 x 20 inside the hole: 10000 - 3600 + 400 = 6800
    rings = [rect(E0, N0, 100, 100), rect(E0 + 20, N0 + 20, 60, 60), rect(E0 + 40, N0 + 40, 20, 20)]
    gdf = read_boundary_txt(write(tmp_path, parcel("P", rings, area="0.6800")))
    g = gdf.geometry.iat[0]
    assert g.geom_type == "MultiPolygon" and len(g.geoms) == 2 and g.is_valid
    assert g.area == pytest.approx(6800.0)


def test_second_part_touching_the_first_is_not_a_hole(tmp_path):
    rings = [rect(E0, N0, 20, 20), rect(E0 + 20, N0 + 20, 20, 20)]  # share one corner
    g = read_boundary_txt(write(tmp_path, parcel("P", rings, area="0.0800"))).geometry.iat[0]
    assert g.geom_type == "MultiPolygon" and g.area == pytest.approx(800.0)


def test_points_lines_and_several_parcels(tmp_path):
    body = (
        parcel("L", [[(E0, N0), (E0 + 30, N0), (E0 + 30, N0 + 40)]], kind="线")
        + parcel("T", [[(E0, N0), (E0 + 1, N0)]], kind="点")
        + parcel("S", [[(E0 + 5, N0 + 5)]], kind="点")
        + parcel("M", [[(E0, N0), (E0 + 10, N0)], [(E0, N0 + 10), (E0 + 10, N0 + 10)]], kind="线")
    )
    gdf = read_boundary_txt(write(tmp_path, body))
    assert list(gdf["geometry_kind"]) == ["线", "点", "点", "线"]
    assert list(gdf.geom_type) == ["LineString", "MultiPoint", "Point", "MultiLineString"]
    assert gdf.geometry.iat[0].length == pytest.approx(70.0)  # 30 + 40
    assert gdf.geometry.iat[3].length == pytest.approx(20.0)
    assert np.isnan(gdf["area_ha_header"]).all()


def test_unclosed_ring_is_closed_with_info(tmp_path):
    ring = rect(E0, N0, 100, 50)[:-1]
    gdf = read_boundary_txt(write(tmp_path, parcel("P", [ring], area="0.5000")))
    assert gdf.geometry.iat[0].area == pytest.approx(5000.0)
    f = next(f for f in get_findings(gdf) if f.code == "ring_closed")
    assert f.severity == "info"


def test_point_count_mismatch_warns(tmp_path):
    body = parcel("P", [rect(E0, N0, 100, 50)], area="0.5").replace("5,0.5,P", "7,0.5,P")
    with pytest.warns(LanduseWarning, match="点数"):
        gdf = read_boundary_txt(write(tmp_path, body))
    assert gdf["points"].iat[0] == 5


def test_gbk_detected_and_forced(tmp_path):
    path = write(tmp_path, parcel("P", [rect(E0, N0, 100, 50)], area="0.5"), encoding="gbk")
    assert read_boundary_txt(path).attrs["source"]["encoding"] == "GBK"
    assert read_boundary_txt(path, encoding="GBK")["name"].iat[0] == "名称P"
    with pytest.raises(InputFileError, match=r"line 1\b"):
        read_boundary_txt(path, encoding="utf-8")  # first non-ASCII byte: line 1 [属性描述]


def test_full_width_commas(tmp_path):
    body = parcel("P", [rect(E0, N0, 100, 50)], area="0.5").replace(",", "，")
    assert read_boundary_txt(write(tmp_path, body)).geometry.iat[0].area == pytest.approx(5000)


@pytest.mark.parametrize(
    ("body", "line", "what"),
    [
        ("5,0.5,P,n,面,,u,d,@\nJ1,1,4090000,39590000\nJ2,1,abc,39590100\n", 15, "X"),
        ("x,0.5,P,n,面,,u,d,@\nJ1,1,4090000,39590000\n", 13, "点数"),
        ("J1,1,4090000,39590000\n5,0.5,P,n,面,,u,d,@\n", 13, "before the first"),
        ("2,0.5,P,n,圆,,u,d,@\nJ1,1,1,1\n", 13, "图形属性"),
        ("2,0.5,P,n,面,,u,d,@\nJ1,1,4090000,39590000\nJ2,1,4090000,39590100\n", 14, "3 distinct"),
        ("5,0.5,P,n,面,,u,d,@\nJ1,1,4090000,39590000,7\n", 14, "fields"),
        ("5,0.5,P,n,面,,u,d,@\nJ1,0,4090000,39590000\n", 14, "圈号"),
        ("5,0.5,P,n,面,,u,d,@\nJ1,1,4090000,nan\n", 14, "finite"),
        ("5,abc,P,n,面,,u,d,@\nJ1,1,4090000,39590000\n", 13, "面积"),
        ("1,,P,n,面,,u,d,@\n", 13, "without point lines"),
    ],
)
def test_malformed_lines_name_the_line(tmp_path, body, line, what):
    path = write(tmp_path, body)
    with pytest.raises(InputFileError, match=f"line {line}\\b") as exc:
        read_boundary_txt(path)
    assert what in str(exc.value) and str(path) in str(exc.value)


def test_repeated_ring_number_is_an_error(tmp_path):
    body = parcel("P", [rect(E0, N0, 10, 10), rect(E0 + 50, N0, 10, 10), rect(E0, N0 + 50, 10, 10)])
    body = body.replace(",3,", ",1,")  # ring 3 renumbered 1: not consecutive
    with pytest.raises(InputFileError, match="appears again"):
        read_boundary_txt(write(tmp_path, body))


def test_file_level_errors(tmp_path):
    with pytest.raises(InputFileError, match="cannot be read"):
        read_boundary_txt(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("[属性描述]\n带号=39\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="line 2: no parcels"):  # last line
        read_boundary_txt(empty)
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n[属性描述]\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="line 1"):
        read_boundary_txt(junk)
    two_zones = write(tmp_path, parcel("P", [rect(E0, N0, 10, 10)]) +
                      parcel("Q", [rect(E0 + 1e6, N0, 10, 10)]), name="z.txt")
    with pytest.raises(InputFileError, match="line 20"):  # first point of Q (13 + 6 + 1)
        read_boundary_txt(two_zones)


def test_crs_override_is_recorded(tmp_path):
    path = write(tmp_path, parcel("P", [rect(E0, N0, 100, 50)], area="0.5"))
    gdf = read_boundary_txt(path, crs="EPSG:2363")
    assert gdf.crs.to_epsg() == 2363 and "crs_override" in codes(gdf)


def test_reader_does_not_modify_the_file(tmp_path):
    path = write(tmp_path, parcel("P", [rect(E0, N0, 100, 50)], area="0.5"))
    before = path.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_boundary_txt(path)
    assert path.read_bytes() == before


def test_vectorised_and_per_parcel_paths_agree(tmp_path):
    # single-ring parcels take the vectorised path; the same ring with an empty hole list
    # built by shapely directly must be equal
    body = "".join(parcel(f"P{i}", [rect(E0 + 200 * i, N0, 100 + i, 50)]) for i in range(70))
    gdf = read_boundary_txt(write(tmp_path, body))
    expected = [shapely.Polygon(rect(E0 + 200 * i, N0, 100 + i, 50)) for i in range(70)]
    assert all(g.equals_exact(e, 0) for g, e in zip(gdf.geometry, expected, strict=True))


SAMPLE = Path(__file__).parents[2] / "sample_data" / "txt"


@pytest.mark.parametrize(
    ("name", "encoding", "epsg", "expected"),
    [
        ("supply/supply_gbk_crlf.txt", "GBK", 4527, set()),
        ("supply/supply_utf8_bom_spaces.txt", "utf-8-sig", 4527, set()),
        ("supply/supply_swapped_wrong_zone.txt", "GBK", 4527, {"swapped_xy", "zone_mismatch"}),
        ("supply/supply_utf8_lf.txt", "utf-8", 4527, set()),
        ("mining/mining_rights_gbk.txt", "GBK", 4527, set()),
        ("mining/mining_right_utf8_bom_swapped.txt", "utf-8-sig", 4527, {"swapped_xy"}),
        ("misc/points_lines_no_prefix.txt", "GBK", 4548, set()),
    ],
)
def test_sample_txt_files(name, encoding, epsg, expected, sample):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gdf = read_boundary_txt(SAMPLE / name)
    warned = {f.code for f in get_findings(gdf) if f.severity == "warning"}
    assert warned == expected and len(caught) == len(expected)
    assert gdf.attrs["source"]["encoding"] == encoding and gdf.crs.to_epsg() == epsg
    poly = gdf[gdf["geometry_kind"] == "面"]
    # the header areas (written from the rectangles' exact areas) match the geometry
    np.testing.assert_allclose(poly.area / 1e4, poly["area_ha_header"], atol=0.5e-4)
    if name.startswith("supply/"):
        # the supply parcels lie inside the sample county (its townships, read with geopandas)
        county = sample.raw("XZQ").to_crs(4527)
        assert gdf.geometry.within(county.union_all().buffer(0.01)).all()
