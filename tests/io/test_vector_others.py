"""Townships, control lines, protected areas and mining rights readers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from landuse.errors import ConfigError, InputFileError, LanduseWarning, SchemaError
from landuse.io.vector import (
    read_control_line,
    read_mining_rights,
    read_protected_areas,
    read_townships,
)
from tests.io._vector_data import geod_area, square, write


def _layer(columns: dict, n: int | None = None, crs: int = 4527) -> gpd.GeoDataFrame:
    n = n if n is not None else len(next(iter(columns.values())))
    return gpd.GeoDataFrame(columns, geometry=[square(i) for i in range(n)], crs=crs)


# ------------------------------------------------------------------ townships

def test_townships(tmp_path):
    g = _layer({"xzqdm": ["370321100", "370321101000"], "XZQMC": ["索镇", "唐山镇"]})
    path = write(g, "gpkg", tmp_path, layer="XZQ")
    t = read_townships(path)
    assert list(t.columns) == ["zone", "zone_name", "geometry"]
    assert t["zone"].tolist() == ["370321100", "370321101"]
    assert t["zone_name"].tolist() == ["索镇", "唐山镇"]
    assert {f.code for f in t.attrs["findings"]} == {"zone_code_padded"}
    assert t.attrs["source"]["role"] == "townships"


def test_township_codes_must_be_nine_digits(tmp_path):
    g = _layer({"XZQDM": ["370321", "370321100101"]})
    with pytest.raises(SchemaError, match=r"9-digit.*'370321'.*'370321100101'"):
        read_townships(write(g, "gpkg", tmp_path, layer="XZQ"))


def test_township_code_read_as_integer(tmp_path):
    g = _layer({"XZQDM": np.array([370321100, 370321101], dtype=np.int64)})
    t = read_townships(write(g, "gpkg", tmp_path, layer="XZQ"))
    assert t["zone"].tolist() == ["370321100", "370321101"]


# ------------------------------------------------------------------ control lines

def test_ecological_redline(tmp_path):
    g = _layer({"HXBM": ["HX01", "HX02"], "HXMC": ["河流红线", "湿地红线"]})
    r = read_control_line(write(g, "gpkg", tmp_path, layer="STBHHX"),
                          kind="ecological_redline")
    assert list(r.columns) == ["line_id", "HXMC", "geometry"]
    assert r["line_id"].tolist() == ["HX01", "HX02"]
    assert r.attrs["source"]["role"] == "ecological_redline"


def test_permanent_farmland_fallbacks(tmp_path):
    g = _layer({"BSM": [7, 8], "DLBM": ["0101", "0102"], "YJJBNTMJ": [np.nan, 5000.0],
                "ZLDWDM": ["3703211001010000000"] * 2})
    path = write(g, "gpkg", tmp_path, layer="YJJBNTTB")
    f = read_control_line(path, kind="permanent_farmland")
    assert list(f.columns) == ["line_id", "DLBM", "YJJBNTMJ", "ZLDWDM", "geometry"]
    assert f["line_id"].tolist() == ["7", "8"]  # from BSM when YJJBNTTBBH is absent
    assert f["YJJBNTMJ"].iloc[0] == pytest.approx(geod_area(square(0)), rel=1e-6)
    assert f["YJJBNTMJ"].iloc[1] == 5000.0
    assert "area_computed" in {x.code for x in f.attrs["findings"]}


def test_permanent_farmland_unknown_code_is_a_warning(tmp_path):
    g = _layer({"DLBM": ["0101", "9999"]})
    with pytest.warns(LanduseWarning, match="9999"):
        f = read_control_line(write(g, "gpkg", tmp_path, layer="YJJBNTBHTB"),
                              kind="permanent_farmland")
    assert f["line_id"].tolist() == ["row-1", "row-2"]


def test_urban_boundary_codes_are_two_digits(tmp_path):
    g = _layer({"BSM": ["U1", "U2", "U3"], "GHFQDM": [1, 2, 3]})
    u = read_control_line(write(g, "gpkg", tmp_path, layer="CZKFBJ"), kind="urban_boundary")
    assert u["GHFQDM"].tolist() == ["01", "02", "03"]
    g2 = _layer({"GHFQDM": ["01", "09"]})
    with pytest.warns(LanduseWarning, match="'09'"):
        read_control_line(write(g2, "gpkg", tmp_path / "b", layer="CZKFBJ"),
                          kind="urban_boundary")


def test_unknown_control_line_kind(tmp_path):
    with pytest.raises(ConfigError, match="urban_boundary"):
        read_control_line(tmp_path / "x.gpkg", kind="redline")  # type: ignore[arg-type]


# ------------------------------------------------------------------ protected areas

def test_protected_area_categories_and_zones(tmp_path):
    g = _layer({
        "ID": ["A", "B", "C", "D", "E", "F", "G"],
        "Name": ["马踏湖", "马踏湖", "齐山", "黄河", "水源地", "水源地", "大芦湖"],
        "Category": ["省级自然保护区", "自然保护区", "国家级森林公园", "风景名胜区",
                     "饮用水水源保护区", "饮用水源保护区", "湿地公园"],
        "zone": ["核心区", "实验区", None, "", "一级", "二级保护区", ""],
    })
    pa = read_protected_areas(write(g, "gpkg", tmp_path, layer="BHD"))
    assert list(pa.columns) == ["id", "name", "category", "subtype", "zone", "geometry"]
    assert pa["category"].tolist() == ["自然保护区", "自然保护区", "自然公园", "风景名胜区",
                                       "饮用水水源保护区", "饮用水水源保护区", "自然公园"]
    assert pa["subtype"].tolist() == ["", "", "森林公园", "", "", "", "湿地公园"]
    assert pa["zone"].tolist() == ["核心保护区", "一般控制区", "", "", "一级保护区",
                                   "二级保护区", ""]


def test_unknown_category_and_zone_list_the_allowed_values(tmp_path):
    g = _layer({"category": ["自然保护区", "矿山公园", None], "zone": ["外围区", "", ""]})
    with pytest.raises(SchemaError) as err:
        read_protected_areas(write(g, "gpkg", tmp_path))
    msg = str(err.value)
    assert "'矿山公园'" in msg and "'<empty>'" in msg and "国家公园" in msg and "森林公园" in msg
    assert "'外围区'" in msg and "准保护区" in msg


def test_protected_areas_in_4490_are_reprojected_with_a_warning(tmp_path):
    g = _layer({"id": ["A"], "category": ["风景名胜区"]}).to_crs(4490)
    path = write(g, "gpkg", tmp_path)
    with pytest.warns(LanduseWarning, match="EPSG:4490"):
        pa = read_protected_areas(path, working_crs="EPSG:4527")
    assert pa.crs.to_epsg() == 4527
    assert pa.geometry.iloc[0].area == pytest.approx(10_000.0, rel=1e-6)


# ------------------------------------------------------------------ mining rights

def _rights() -> gpd.GeoDataFrame:
    return _layer({
        "licence_no": ["C3703002010", "C3703002011", "T37000020"],
        "right_type": ["采矿权", "采矿许可证", "探矿权"],
        "holder": ["甲公司", "乙公司", "丙公司"],
        "mineral": ["石灰岩", "黏土", "铁"],
        "valid_from": ["2019-04-19", "2019/4/1", "20200101"],
        "valid_to": ["2024年4月19日", "", None],
        "stage": ["已设", "existing", "新立"],
    })


def test_mining_rights(tmp_path):
    mr = read_mining_rights(write(_rights(), "gpkg", tmp_path))
    assert list(mr.columns) == ["licence_no", "right_type", "holder", "mineral", "valid_from",
                                "valid_to", "stage", "geometry"]
    assert mr["right_type"].tolist() == ["采矿权", "采矿权", "探矿权"]
    assert mr["stage"].tolist() == ["existing", "existing", "application"]
    assert mr["valid_from"].tolist() == [pd.Timestamp("2019-04-19"), pd.Timestamp("2019-04-01"),
                                         pd.Timestamp("2020-01-01")]
    assert mr["valid_to"].iloc[0] == pd.Timestamp("2024-04-19")
    assert mr["valid_to"].iloc[1:].isna().all()
    assert mr["valid_from"].dtype.kind == "M"


def test_mining_rights_stage_from_argument_and_errors(tmp_path):
    g = _rights().drop(columns=["stage"])
    path = write(g, "gpkg", tmp_path)
    with pytest.raises(SchemaError, match=r"no 'stage' field; add one or pass stage="):
        read_mining_rights(path)
    assert read_mining_rights(path, stage="申请")["stage"].tolist() == ["application"] * 3
    bad = _rights()
    bad["stage"] = ["已设", "注销", "existing"]
    bad["valid_from"] = ["2019-13-45", "2019-01-01", "soon"]
    with pytest.raises(SchemaError) as err:
        read_mining_rights(write(bad, "gpkg", tmp_path / "b"))
    msg = str(err.value)
    assert "'注销'" in msg and "existing" in msg and "'2019-13-45'" in msg and "'soon'" in msg


def test_mining_rights_from_boundary_txt(tmp_path):
    pytest.importorskip("landuse.io.boundary_txt")
    # one square parcel, 100 m x 100 m, zone 39 with prefixed eastings (Y), X = northing
    e0, n0 = 39_510_000.0, 4_090_000.0
    pts = [(n0, e0), (n0, e0 + 100), (n0 + 100, e0 + 100), (n0 + 100, e0), (n0, e0)]
    lines = ["[属性描述]", "坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格",
             "计量单位=米", "带号=39", "精度=0.001", "[地块坐标]",
             "5,1.0000,K001,桓台石灰岩矿,面,,采矿用地,0602,@"]
    lines += [f"J{i + 1},1,{x:.3f},{y:.3f}" for i, (x, y) in enumerate(pts)]
    path = tmp_path / "rights.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mr = read_mining_rights(path, stage="application", right_type="采矿权")
    assert mr["licence_no"].tolist() == ["K001"]
    assert mr["holder"].tolist() == ["桓台石灰岩矿"]
    assert mr["stage"].tolist() == ["application"]
    assert mr.crs.to_epsg() == 4527
    assert mr.geometry.iloc[0].area == pytest.approx(10_000.0)


def test_mining_rights_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        read_mining_rights(tmp_path / "none.gpkg")
