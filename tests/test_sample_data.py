"""Regression checks on the committed sample county (sample_data/), computed independently.

Everything here uses geopandas / shapely / pyproj directly, never landuse functions; the
only package object used is the code table (rule data), as the reference list of codes.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import CRS, Transformer

from landuse.rules import code_table

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data"
GPKG = SAMPLE / "huantai.gpkg"
TOWNSHIPS = {
    "370321001": "城区街道", "370321100": "索镇", "370321101": "唐山镇", "370321102": "田庄镇",
    "370321103": "新城镇", "370321104": "马桥镇", "370321105": "荆家镇", "370321106": "起凤镇",
    "370321107": "果里镇",
}


@pytest.fixture
def dltb(sample) -> gpd.GeoDataFrame:
    """DLTB as pyogrio reads it (the session's copy, tests/conftest.py)."""
    return sample.raw("DLTB")


@pytest.fixture
def layer(sample):
    """``layer(name)``: a layer of huantai.gpkg as pyogrio reads it (a fresh copy)."""
    return sample.raw


def test_layers_and_crs(layer):
    names = set(pyogrio.list_layers(GPKG)[:, 0])
    assert {"DLTB", "XZQ", "CJDCQ", "STBHHX", "YJJBNTBHTB", "CZKFBJ", "ZRBHD", "KYQ",
            "GBZNT"} <= names
    for name in ("XZQ", "CJDCQ", "YJJBNTBHTB", "CZKFBJ", "KYQ", "GBZNT"):
        assert layer(name).crs.to_epsg() == 4527, name
    for name in ("STBHHX", "ZRBHD"):  # delivered geographic on purpose
        assert layer(name).crs.to_epsg() == 4490, name


def test_dltb_crs_and_extent(dltb):
    assert dltb.crs.to_epsg() == 4527
    x0, y0, x1, y1 = dltb.total_bounds
    # zone-39 prefix in the easting; Huantai lies about 117.93-118.15 E, 36.85-37.10 N
    assert 39_570_000 < x0 < x1 < 39_615_000
    assert 4_075_000 < y0 < y1 < 4_115_000


def test_patches_are_valid_single_polygons(dltb):
    g = dltb.geometry.to_numpy()
    assert shapely.is_valid(g).all()
    assert (shapely.get_type_id(g) == 3).all()
    nverts = shapely.get_num_coordinates(g)
    assert 15 <= np.median(nverts) <= 80  # irregular, tens of vertices
    assert 8_000 <= len(dltb) <= 20_000


def test_patches_do_not_overlap(dltb):
    g = dltb.geometry.to_numpy()
    tree = shapely.STRtree(g)
    a, b = tree.query(g, predicate="intersects")
    pairs = a < b
    a, b = a[pairs], b[pairs]
    interior = shapely.relate_pattern(g[a], g[b], "2********")
    assert not interior.any(), f"{interior.sum()} overlapping pairs"


def test_patches_form_a_valid_coverage(dltb):
    # no overlaps, and neighbours share their edges vertex for vertex (no slivers, no T-gaps)
    assert shapely.coverage_is_valid(dltb.geometry.to_numpy())


def test_patches_cover_the_county(dltb, layer):
    g = dltb.geometry.to_numpy()
    assert shapely.coverage_is_valid(g)
    union = shapely.coverage_union_all(g)  # exact for a valid coverage
    assert len(union.interiors if union.geom_type == "Polygon" else [0, 0]) == 0  # no holes
    county = shapely.union_all(layer("XZQ").geometry.to_numpy(), grid_size=0.001)
    total = shapely.area(g).sum()
    assert union.area == pytest.approx(county.area, rel=1e-9)
    assert total == pytest.approx(county.area, rel=1e-6)
    assert shapely.symmetric_difference(union, county).area < 1.0
    assert 500e6 < county.area < 520e6  # about 509 km²


def test_each_patch_lies_in_its_village(dltb, layer):
    cj = layer("CJDCQ")
    pts = shapely.point_on_surface(dltb.geometry.to_numpy())
    tree = shapely.STRtree(cj.geometry.to_numpy())
    pi, vi = tree.query(pts, predicate="within")
    assert len(pi) == len(dltb) and len(np.unique(pi)) == len(dltb)
    found = cj["ZLDWDM"].str[:12].to_numpy()[vi]
    assert (dltb["ZLDWDM"].str[:12].to_numpy()[pi] == found).all()
    # and no patch crosses a village boundary: its area inside the village is all of it
    sample = np.arange(0, len(dltb), 37)
    inside = shapely.area(shapely.intersection(dltb.geometry.to_numpy()[pi[sample]],
                                               cj.geometry.to_numpy()[vi[sample]]))
    np.testing.assert_allclose(inside, shapely.area(dltb.geometry.to_numpy()[pi[sample]]),
                               rtol=1e-9, atol=1e-4)


def test_area_fields(dltb):
    tbmj = dltb["TBMJ"].to_numpy()
    kcmj = dltb["KCMJ"].to_numpy()
    assert np.abs(dltb["TBDLMJ"].to_numpy() - (tbmj - kcmj)).max() < 0.005
    assert np.abs(kcmj - np.round(tbmj * dltb["KCXS"].to_numpy(), 2)).max() < 0.0051
    farm = dltb["DLBM"].isin(["0101", "0102", "0103"])
    assert (dltb.loc[farm, "KCDLBM"] == "1203").all()
    assert (dltb.loc[~farm, "KCDLBM"] == "").all() and (dltb.loc[~farm, "KCMJ"] == 0).all()
    assert dltb.loc[farm, "KCXS"].between(0.02, 0.12).all()
    assert dltb["BSM"].is_unique


def test_tbmj_is_the_ellipsoidal_area(dltb):
    tr = Transformer.from_crs(CRS.from_epsg(4527), CRS.from_epsg(4490), always_xy=True)
    geod = CRS.from_epsg(4490).get_geod()
    geo = shapely.transform(dltb.geometry.to_numpy(),
                            lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    ell = np.array([abs(geod.geometry_area_perimeter(p)[0]) for p in geo])
    tbmj = dltb["TBMJ"].to_numpy()
    # TBMJ is stored to 0.01 m², so allow the rounding on small patches
    assert (np.abs(tbmj - ell) <= np.maximum(1e-6 * ell, 0.0051)).all()
    planar = shapely.area(dltb.geometry.to_numpy())
    ratio = planar.sum() / tbmj.sum()
    assert 1.0001 < ratio < 1.0004  # planar GK area overstates; TBMJ is not the planar one


def test_codes_and_names_from_the_code_table(dltb):
    table = code_table()
    assert set(dltb["DLBM"]) <= set(table.index)
    assert (table.loc[dltb["DLBM"], "name_zh"].to_numpy() == dltb["DLMC"].to_numpy()).all()
    groups = set(table.loc[dltb["DLBM"], "level1"])
    assert groups == {f"{i:02d}" for i in range(1, 13)}  # every first-level family
    # every 城镇村属性码 of the README's table occurs, and nothing else
    assert set(dltb["CZCSXM"]) == {"", "201", "202", "203", "204", "205", "201A", "202A", "203A"}
    assert (dltb.loc[dltb["DLBM"] == "1003", "CZCSXM"] == "").all()
    assert (dltb["DLBM"].str.upper() == dltb["DLBM"]).all()


def test_proportions_of_a_plain_county(dltb):
    table = code_table()
    total = dltb["TBMJ"].sum()
    cls = table.loc[dltb["DLBM"], "sandalei"].to_numpy()
    farm = dltb.loc[dltb["DLBM"].isin(["0101", "0102", "0103"]), "TBDLMJ"].sum()
    cons = dltb.loc[cls == "建设用地", "TBDLMJ"].sum()
    assert 0.52 < farm / total < 0.60
    assert 0.24 < cons / total < 0.30
    assert dltb.loc[dltb["DLBM"] == "0102", "TBDLMJ"].sum() > 0.8 * farm


def test_nine_townships_and_location_codes(dltb, layer):
    xzq = layer("XZQ")
    assert dict(zip(xzq["XZQDM"], xzq["XZQMC"], strict=True)) == TOWNSHIPS
    code = dltb["ZLDWDM"]
    assert (code.str.len() == 19).all() and code.str.isdigit().all()
    assert set(code.str[:9]) == set(TOWNSHIPS)
    assert (code.str[:6] == "370321").all()
    assert dltb["ZLDWMC"].str.contains("村|社区").all()


def test_gbk_shapefile_without_cpg(dltb):
    folder = SAMPLE / "huantai_shp"
    assert (folder / "DLTB.shp").exists()
    assert not (folder / "DLTB.cpg").exists()
    with (folder / "DLTB.dbf").open("rb") as fh:
        header = fh.read(32)
    assert header[29] == 0  # no code page stated in the .dbf either
    shp = pyogrio.read_dataframe(folder / "DLTB.shp", encoding="GBK")
    assert shp.crs.to_epsg() == 4527
    merged = shp[["BSM", "DLMC", "ZLDWMC"]].merge(dltb[["BSM", "DLMC", "ZLDWMC"]], on="BSM")
    assert len(merged) == len(dltb)
    assert (merged["DLMC_x"] == merged["DLMC_y"]).all()
    assert (merged["ZLDWMC_x"] == merged["ZLDWMC_y"]).all()
    raw = pyogrio.read_dataframe(folder / "DLTB.shp", columns=["DLMC"], read_geometry=False)
    assert not raw["DLMC"].isin(["水浇地"]).any()  # without the encoding: mojibake


def test_filegdb_copy_matches(dltb):
    gdb = SAMPLE / "huantai.gdb"
    layers = set(pyogrio.list_layers(gdb)[:, 0])
    assert {"DLTB", "XZQ"} <= layers
    g = pyogrio.read_dataframe(gdb, layer="DLTB")
    assert len(g) == len(dltb)
    assert (g.sort_values("BSM")["TBMJ"].to_numpy() == dltb.sort_values("BSM")["TBMJ"].to_numpy()
            ).all()


def test_protected_areas_and_mining_rights(layer):
    pa = layer("ZRBHD").to_crs(4527)
    # sample_data/README.md: a nature reserve (core and general zones), a drinking-water
    # source area (three nested rings), a scenic area, a forest park, a wetland park
    assert pa.groupby("category").size().to_dict() == {
        "自然保护区": 2, "饮用水水源保护区": 3, "风景名胜区": 1, "森林公园": 1, "自然公园": 1}
    assert sorted(pa["zone"].fillna("")) == ["", "", "", "一级保护区", "一般控制区", "二级保护区",
                                             "准保护区", "核心保护区"]
    kyq = layer("KYQ")
    assert kyq["licence_no"].is_unique
    assert set(kyq["right_type"]) == {"采矿权", "探矿权"}
    assert set(kyq["stage"]) == {"existing", "application"}
    union = shapely.union_all(pa.geometry.to_numpy())
    g = kyq.geometry.to_numpy()
    over = shapely.area(shapely.intersection(g, union))
    dist = shapely.distance(g, union)
    share = over / shapely.area(g)
    # the 14 rights of the README's table, by their position in the layer
    number = np.arange(1, len(kyq) + 1)
    assert len(kyq) == 14
    assert number[share > 0.999].tolist() == [1, 2]  # wholly inside
    assert number[(share > 0.01) & (share < 0.99)].tolist() == [3, 4, 13]  # partly inside
    touching = (dist == 0) & (over < 1e-3)
    assert number[touching].tolist() == [5, 6]  # along an edge, at a point (before 4490)
    near = (dist > 1) & (dist <= 500)
    assert number[near].tolist() == [7, 8, 9]
    np.testing.assert_allclose(dist[near], [40.0, 300.0, 480.0], atol=0.01)
    assert number[dist > 1000].tolist() == [10, 11, 12, 14]  # clear
    holes = [len(p.interiors) for p in shapely.get_parts(g)]
    assert holes.count(1) == 1 and sum(holes) == 1, "one right is a polygon with a hole"


def test_control_lines(dltb, layer):
    yj = layer("YJJBNTBHTB")
    area_ha = yj["YJJBNTMJ"].sum() / 1e4
    assert 24_000 < area_ha < 28_000
    assert (~yj["DLBM"].isin(["0101", "0102", "0103"])).sum() == 60  # non-farm inside
    assert set(layer("CZKFBJ")["GHFQDM"]) == {"01", "02", "03"}
    red = layer("STBHHX")
    assert {"HXBM", "HXMC", "HXLX", "MJ"} <= set(red.columns)
    gb = layer("GBZNT")
    assert {"XMMC", "JSND"} <= set(gb.columns)
    # some urban construction land lies outside the urban development boundary
    ub = shapely.union_all(layer("CZKFBJ").geometry.to_numpy())
    urban = dltb.loc[dltb["CZCSXM"].isin(["201", "202", "201A", "202A"])]
    outside = ~shapely.within(shapely.point_on_surface(urban.geometry.to_numpy()), ub)
    assert outside.sum() > 10


def test_socioeconomic_table():
    df = pd.read_csv(SAMPLE / "stats.csv", dtype={"zone": str})
    assert list(df.columns) == ["year", "zone", "population_total", "population_urban",
                                "gdp_10k_yuan", "gdp_comparable_10k_yuan",
                                "value_added_23_10k_yuan"]
    assert set(df["year"]) == set(range(2017, 2023))
    assert set(df["zone"]) == set(TOWNSHIPS) | {"370321"}
    value_cols = df.columns[2:]
    town = df.loc[df["zone"] != "370321"].groupby("year")[list(value_cols)].sum()
    county = df.loc[df["zone"] == "370321"].set_index("year")[list(value_cols)]
    pd.testing.assert_frame_equal(town, county, check_names=False)
    assert (df["population_urban"] <= df["population_total"]).all()
    c22 = county.loc[2022]
    assert 450_000 < c22["population_total"] < 550_000
    assert 5e6 < c22["gdp_10k_yuan"] < 7e6


def test_targets_file():
    data = tomllib.loads((SAMPLE / "targets.toml").read_text(encoding="utf-8"))
    t = {x["id"]: x for x in data["target"]}
    for x in data["target"]:
        assert {"id", "op", "value", "unit", "year", "source"} <= set(x)
        assert x["op"] in {"<=", ">="}
    assert t["development_intensity"]["value"] == 30 and t["development_intensity"]["op"] == "<="
    # 42.16 万亩 = 421,600 亩; 1 ha = 15 亩 -> 28,106.67 ha
    assert t["farmland_area"]["value"] == pytest.approx(421_600 / 15, abs=0.005)
    assert t["farmland_area"]["value_original"] == 42.16
    assert t["permanent_farmland_area"]["value"] == pytest.approx(387_000 / 15)
    assert t["high_standard_farmland_area"]["value"] == pytest.approx(127_000 / 15, abs=0.005)
    assert t["urban_industrial_land_area"]["value"] == 6517.01
    assert "国土开发强度不超过30%" in t["development_intensity"]["source"]


def test_config_points_at_existing_files():
    cfg = tomllib.loads((SAMPLE / "config.toml").read_text(encoding="utf-8"))
    assert cfg["region"]["code"] == "370321"
    for _role, spec in cfg["layers"].items():
        assert (SAMPLE / spec["path"]).exists()
        assert spec["layer"] in set(pyogrio.list_layers(SAMPLE / spec["path"])[:, 0])
    assert (SAMPLE / cfg["tables"]["socioeconomic"]["path"]).exists()
    assert (SAMPLE / cfg["targets"]["path"]).exists()
