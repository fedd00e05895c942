"""Boundary-point TXT: the real variants of issue #16, each in a hand-written file.

tests/data/txt/:

- ``header13_tdzz_utf8.txt``: 13-field headers of 土地整治 / 补充耕地 reporting (… 图斑类型, 地类,
  等别前, 等别后, 备注), a 100 m x 50 m parcel (0.5 ha) and a 20 m square (0.04 ha), zone 39
  prefixed, near Huantai (lon 118.01, lat 36.94: Shandong).
- ``header10_province_gbk_crlf.txt``: a 10-field provincial header (… 描述, 备注), GBK, CRLF.
- ``fullwidth_null_names.txt``: 【属性描述】 / 【地块坐标】 brackets, ``null`` fields (带号 too:
  the zone comes from the easting prefix), point names J01 ... and A-D (an open ring), a
  parcel name holding 【】.
- ``hangzhou_wrong_zone.txt``: a Hangzhou parcel written without zone prefix in zone 40
  (CM 120° E; lon 120.16, lat 30.27) but declaring 带号=39: read in zone 39 it lands at lon
  117.16, 3° (about 290 km) west, outside Zhejiang.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from landuse.errors import InputFileError, LanduseWarning
from landuse.findings import get_findings
from landuse.io.boundary_txt import (
    read_boundary_txt,
    txt_to_vector,
    vector_to_txt,
    write_boundary_txt,
)
from landuse.io.ledger import read_parcels
from landuse.io.vector import read_mining_rights

DATA = Path(__file__).parents[1] / "data" / "txt"
E0, N0 = 39_590_000.0, 4_090_000.0


def codes(gdf) -> list[str]:
    return [f.code for f in get_findings(gdf)]


def lines(path: Path, encoding: str = "gb18030") -> list[str]:
    return path.read_bytes().decode(encoding).split("\r\n")


# ------------------------------------------------------------------ reading the variants

def test_13_field_header_with_grades():
    gdf = read_boundary_txt(DATA / "header13_tdzz_utf8.txt")
    assert list(gdf["parcel_no"]) == ["TZ01", "TZ02"]
    assert list(gdf["dlbm"]) == ["0101", "0103"]
    assert list(gdf["patch_type"]) == ["补充耕地", "提质改造"]
    assert list(gdf["land_class"]) == ["水田", "旱地"]
    assert list(gdf["grade_before"]) == ["9", "10"]
    assert list(gdf["grade_after"]) == ["8", "9"]
    assert list(gdf["note"]) == ["旱改水", ""]
    assert list(gdf["description"]) == ["", ""]
    np.testing.assert_allclose(gdf.area, [5000.0, 400.0])  # 100 x 50, 20 x 20
    np.testing.assert_allclose(gdf["area_ha_header"], [0.5, 0.04])
    assert "area_mismatch" not in codes(gdf) and gdf.crs.to_epsg() == 4527


def test_10_field_provincial_header_gbk_crlf():
    gdf = read_boundary_txt(DATA / "header10_province_gbk_crlf.txt")
    assert gdf.attrs["source"]["encoding"] == "GBK"
    row = gdf.iloc[0]
    assert (row["parcel_no"], row["name"], row["sheet"], row["use"], row["dlbm"]) == (
        "P01", "厂区地块", "J50G001001", "工业用地", "0601")
    assert (row["description"], row["note"]) == ("批次用地", "已征收")
    assert row["grade_before"] == "" and row["patch_type"] == ""
    assert gdf.geometry.iat[0].area == pytest.approx(5000.0)


def test_full_width_brackets_and_null_fields():
    gdf = read_boundary_txt(DATA / "fullwidth_null_names.txt")
    src = gdf.attrs["source"]
    assert src["format_version"] == "" and src["header"]["转换参数"] == ""
    assert src["zone"] == 39 and gdf.crs.to_epsg() == 4527  # 带号=null: the prefix decides
    assert "zone_mismatch" not in codes(gdf)
    assert np.isnan(gdf["area_ha_header"].iat[0])  # 面积 null
    assert list(gdf["name"]) == ["", "【二期】地块"]  # 【】 inside a field is kept
    assert list(gdf["sheet"]) == ["", ""] and list(gdf["use"]) == ["", ""]
    assert list(gdf["dlbm"]) == ["0101", ""]
    assert list(gdf["point_names"]) == ["J01,J02,J03,J04,J01", "A,B,C,D"]
    np.testing.assert_allclose(gdf.area, [5000.0, 400.0])
    assert "ring_closed" in codes(gdf)


def test_header_forms_other_than_5_to_10_and_13_are_errors(tmp_path):
    text = (DATA / "header13_tdzz_utf8.txt").read_text(encoding="utf-8")
    path = tmp_path / "h11.txt"
    path.write_text(text.replace(",9,8,旱改水,@", ",9,@"), encoding="utf-8")  # 11 fields
    with pytest.raises(InputFileError, match=r"line 13: parcel header has 11 fields.*13"):
        read_boundary_txt(path)


def test_null_point_count_is_an_error_naming_the_line(tmp_path):
    text = (DATA / "fullwidth_null_names.txt").read_text(encoding="utf-8")
    path = tmp_path / "n.txt"
    path.write_text(text.replace("5,null,F1", "null,null,F1"), encoding="utf-8")
    with pytest.raises(InputFileError, match="line 13: 点数"):
        read_boundary_txt(path)


# ------------------------------------------------------------------ province extent

def test_wrong_zone_puts_hangzhou_parcel_outside_zhejiang():
    path = DATA / "hangzhou_wrong_zone.txt"
    with pytest.warns(LanduseWarning, match="outside 浙江省"):
        gdf = read_boundary_txt(path, region_code="330106")
    f = [f for f in get_findings(gdf) if f.code == "parcel_outside_province"]
    assert len(f) == 1 and f[0].count == 1 and f[0].examples == ["HZ1"]
    assert "lon 117.1" in f[0].message  # read in zone 39 (CM 117° E)
    assert "40" in f[0].message.split("zone(s)")[1]  # zone 40 puts it back in Zhejiang
    assert gdf.crs.to_epsg() == 4548  # nothing is changed: the finding reports it
    # without a region code there is nothing to compare with
    assert "parcel_outside_province" not in codes(read_boundary_txt(path))


def test_parcels_inside_their_province_give_no_finding():
    with warnings.catch_warnings():
        warnings.simplefilter("error", LanduseWarning)
        gdf = read_boundary_txt(DATA / "header13_tdzz_utf8.txt", region_code="370321")
    assert "parcel_outside_province" not in codes(gdf)
    with pytest.warns(LanduseWarning, match="outside 浙江省"):
        gdf = read_boundary_txt(DATA / "header13_tdzz_utf8.txt", region_code="330106")
    assert codes(gdf).count("parcel_outside_province") == 1


def test_unknown_province_code_is_an_info_finding():
    gdf = read_boundary_txt(DATA / "header13_tdzz_utf8.txt", region_code="990101")
    f = [f for f in get_findings(gdf) if f.code == "province_unknown"]
    assert len(f) == 1 and f[0].severity == "info"


def test_readers_of_the_run_pass_the_region(tmp_path):
    with pytest.warns(LanduseWarning, match="outside 浙江省"):
        rights = read_mining_rights(DATA / "hangzhou_wrong_zone.txt", stage="existing",
                                    right_type="采矿权", region_code="330106")
    assert "parcel_outside_province" in [f.code for f in get_findings(rights)]
    with pytest.warns(LanduseWarning, match="outside 浙江省"):
        parcels = read_parcels([DATA / "hangzhou_wrong_zone.txt"], region_code="330106")
    assert "parcel_outside_province" in [f.code for f in get_findings(parcels)]


# ------------------------------------------------------------------ the writer

def test_writer_keeps_point_names_producer_and_date(tmp_path):
    src = read_boundary_txt(DATA / "fullwidth_null_names.txt")
    out = write_boundary_txt(src, tmp_path / "o.txt")
    text = lines(out)
    assert "数据产生单位=杭州市测绘院" in text and "数据产生日期=2021-06-30" in text
    body = text[text.index("[地块坐标]") + 1:]
    assert [ln.split(",")[0] for ln in body[1:6]] == ["J01", "J02", "J03", "J04", "J01"]
    # the open ring A-D was closed on read; the closing line repeats A
    assert [ln.split(",")[0] for ln in body[7:12]] == ["A", "B", "C", "D", "A"]
    back = read_boundary_txt(out)
    assert list(back["point_names"]) == ["J01,J02,J03,J04,J01", "A,B,C,D,A"]
    # given arguments still win
    text = lines(write_boundary_txt(src, tmp_path / "p.txt", producer="县局", date="2024-01-02"))
    assert "数据产生单位=县局" in text and "数据产生日期=2024-01-02" in text


def test_writer_keeps_the_13_field_form(tmp_path):
    src = read_boundary_txt(DATA / "header13_tdzz_utf8.txt")
    text = lines(write_boundary_txt(src, tmp_path / "o.txt"))
    assert "5,0.5000,TZ01,补充耕地一号,面,,耕地,0101,补充耕地,水田,9,8,旱改水,@" in text
    assert "5,0.0400,TZ02,补充耕地二号,面,,耕地,0103,提质改造,旱地,10,9,,@" in text
    back = read_boundary_txt(tmp_path / "o.txt")
    for col in ("patch_type", "land_class", "grade_before", "grade_after", "note"):
        assert list(back[col]) == list(src[col])


def test_writer_keeps_the_10_field_form(tmp_path):
    src = read_boundary_txt(DATA / "header10_province_gbk_crlf.txt")
    text = lines(write_boundary_txt(src, tmp_path / "o.txt"))
    assert "5,0.5000,P01,厂区地块,面,J50G001001,工业用地,0601,批次用地,已征收,@" in text


def test_point_names_survive_txt_gpkg_txt(tmp_path):
    gpkg = txt_to_vector(DATA / "fullwidth_null_names.txt", tmp_path / "p.gpkg")
    out = vector_to_txt(gpkg, tmp_path / "o.txt")
    body = lines(out)
    assert "J01,1,4090000.000,39590000.000" in body and "J04,1,4090050.000,39590000.000" in body


def test_names_that_do_not_fit_the_geometry_are_replaced_with_a_warning(tmp_path):
    src = read_boundary_txt(DATA / "fullwidth_null_names.txt")
    src.loc[0, "point_names"] = "J01,J02"  # edited: 2 names for 5 point lines
    with pytest.warns(LanduseWarning, match="point_names of 1 parcel"):
        out = write_boundary_txt(src, tmp_path / "o.txt")
    body = lines(out)
    head = body.index("5,0.5000,F1,,面,,,0101,@")  # empty 面积: the planar area
    assert [ln.split(",")[0] for ln in body[head + 1:head + 6]] == ["J1", "J2", "J3", "J4",
                                                                     "J1"]


def test_reader_and_writer_do_not_import_each_other():
    import ast

    root = Path(__file__).parents[2] / "landuse" / "io"
    for name, other in (("_boundary_txt_reader.py", "_boundary_txt_writer"),
                        ("_boundary_txt_writer.py", "_boundary_txt_reader")):
        tree = ast.parse((root / name).read_text(encoding="utf-8"))  # function bodies too
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for a in node.names}
        assert "landuse.io._txt_format" in imported, name
        assert not any(m.endswith((other, ".boundary_txt")) for m in imported), (name, imported)
    # the public module joins them
    assert write_boundary_txt.__module__ == "landuse.io._boundary_txt_writer"
    assert read_boundary_txt.__module__ == "landuse.io._boundary_txt_reader"


def test_9_field_header_reads_description_and_writes_back_as_10(tmp_path):
    text = (DATA / "header10_province_gbk_crlf.txt").read_bytes().decode("gb18030")
    path = tmp_path / "h9.txt"
    path.write_text(text.replace(",批次用地,已征收,@", ",批次用地,@"), encoding="utf-8")
    gdf = read_boundary_txt(path)
    assert (gdf["description"].iat[0], gdf["note"].iat[0]) == ("批次用地", "")
    text = lines(write_boundary_txt(gdf, tmp_path / "o.txt"))
    assert "5,0.5000,P01,厂区地块,面,J50G001001,工业用地,0601,批次用地,,@" in text
