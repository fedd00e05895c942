"""Control lines, protected areas, mining rights and farmland layers of the sample county.

Built in the local frame of ``_synth_layers`` and moved to EPSG:4527 (or EPSG:4490 for the
layers that real counties sometimes deliver in geographic coordinates).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import _synth_geometry as sg
import geopandas as gpd
import numpy as np
import shapely
from _synth_layers import FOREST, LAKE, MINES, PARKS, SCENIC, WATER_SOURCE, km
from shapely.geometry import MultiPolygon, Point, Polygon, box

from landuse.rules import code_table

PERMANENT_FARMLAND_HA = 25_870.0  # a little above the plan's 38.70 万亩 = 25,800 ha
HIGH_STANDARD_HA = 8_600.0  # the plan: 12.7 万亩 = 8,466.7 ha built by 2020


def protected_areas(rng: np.random.Generator, world: Any) -> gpd.GeoDataFrame:
    """Protected areas of every category with zones (local frame)."""
    s = world.scale.length
    county = world.county
    lake = km(LAKE, s)
    core = sg.blob(rng, lake, 1100 * s, roughness=0.2, n=160) & county
    general = ((sg.blob(rng, lake, 2300 * s, roughness=0.15, n=200) | core.buffer(200 * s))
               & county) - core
    ws = Point(km(WATER_SOURCE, s))
    ws1 = ws.buffer(350 * s, quad_segs=16)
    ws2 = ws.buffer(1500 * s, quad_segs=32) - ws1
    ws3 = ((sg.blob(rng, ws.coords[0], 2500 * s, roughness=0.12, n=160)
            | ws.buffer(1800 * s, quad_segs=32)) & county) - ws.buffer(1500 * s, quad_segs=32)
    scenic = sg.blob(rng, km(SCENIC, s), 1200 * s, roughness=0.2, n=120) & county
    forest = sg.blob(rng, km(FOREST, s), 1400 * s, roughness=0.22, n=140) & county
    wetland = sg.blob(rng, km((6.3, 0.4), s), 700 * s, roughness=0.2, n=100) & county
    rows = [
        ("ZRBHQ-001-01", "马踏湖湿地自然保护区", "自然保护区", "核心保护区", core),
        ("ZRBHQ-001-02", "马踏湖湿地自然保护区", "自然保护区", "一般控制区", general),
        ("SYD-001-1", "桓台县城区地下水饮用水水源保护区", "饮用水水源保护区", "一级保护区", ws1),
        ("SYD-001-2", "桓台县城区地下水饮用水水源保护区", "饮用水水源保护区", "二级保护区", ws2),
        ("SYD-001-3", "桓台县城区地下水饮用水水源保护区", "饮用水水源保护区", "准保护区", ws3),
        ("FJMSQ-001", "红莲湖风景名胜区", "风景名胜区", "", scenic),
        ("ZRGY-001", "果里森林公园", "森林公园", "", forest),
        ("ZRGY-002", "猪龙河湿地公园", "自然公园", "", wetland),
    ]
    geoms = [shapely.set_precision(sg.polygonal(r[4]), sg.GRID) for r in rows]
    return gpd.GeoDataFrame({"id": [r[0] for r in rows], "name": [r[1] for r in rows],
                             "category": [r[2] for r in rows], "zone": [r[3] for r in rows]},
                            geometry=geoms)


def _rect(cx: float, cy: float, w: float, h: float) -> Polygon:
    return box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _outward(poly: Polygon, centre: tuple[float, float], angle: float) -> tuple[int, np.ndarray]:
    """Index of the exterior vertex closest to the ray from ``centre`` at ``angle`` (deg)."""
    ring = np.asarray(poly.exterior.coords)[:-1]
    ang = np.degrees(np.arctan2(ring[:, 1] - centre[1], ring[:, 0] - centre[0]))
    i = int(np.argmin(np.abs((ang - angle + 180) % 360 - 180)))
    return i, ring


def _edge_touching(poly: Polygon, centre: tuple[float, float], angle: float,
                   depth: float) -> Polygon:
    """A polygon sharing a chain of ``poly``'s exterior edges, lying outside it."""
    i, ring = _outward(poly, centre, angle)
    chain = ring[np.arange(i - 5, i + 6) % len(ring)]
    u = chain - np.asarray(centre)
    u = u / np.linalg.norm(u, axis=1, keepdims=True)
    return Polygon(np.concatenate([chain, (chain + u * depth)[::-1]]))


def _point_touching(poly: Polygon, centre: tuple[float, float], angle: float,
                    size: float) -> Polygon:
    """A square with one corner on a vertex of ``poly`` and otherwise outside it."""
    for step in range(40):
        i, ring = _outward(poly, centre, angle + 9 * step)
        v = ring[i]
        u = v - np.asarray(centre)
        u = u / np.linalg.norm(u)
        rot = [np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) for a in
               (np.pi / 4, -np.pi / 4)]
        p1 = v + rot[0] @ u * size
        p3 = v + rot[1] @ u * size
        p2 = v + u * size * np.sqrt(2)
        sq = Polygon([v, p1, p2, p3])
        inter = sq.intersection(poly)
        if inter.geom_type == "Point":
            return sq
    raise RuntimeError("no vertex for a point-touching square")


def mining_rights(rng: np.random.Generator, world: Any, pa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Mining rights placed deliberately inside, across, touching, near and clear of ``pa``."""
    s = world.scale.length
    g = dict(zip(pa["id"], pa.geometry, strict=True))
    core_c = g["ZRBHQ-001-01"].centroid
    ws = km(WATER_SOURCE, s)
    lake = km(LAKE, s)
    scenic_c = km(SCENIC, s)
    forest_c = km(FOREST, s)
    nr = g["ZRBHQ-001-01"] | g["ZRBHQ-001-02"]
    i_sc, ring_sc = _outward(g["FJMSQ-001"], scenic_c, 0.0)
    i_fp, ring_fp = _outward(g["ZRGY-001"], forest_c, 165.0)
    fx, fy = ring_fp[i_fp]
    hole_outer = _rect(fx, fy, 600 * s, 600 * s)
    k4 = MultiPolygon([
        Polygon(hole_outer.exterior.coords, [_rect(fx, fy, 200 * s, 200 * s).exterior.coords]),
        _rect(fx - 900 * s, fy + 300 * s, 220 * s, 200 * s),
    ])

    def near(poly: Polygon, centre: tuple[float, float], angle: float, gap: float) -> Polygon:
        """A 300 m square whose distance to ``poly`` is ``gap`` metres (to 1 cm)."""
        i, ring = _outward(poly, centre, angle)
        v = ring[i]
        u = (v - np.asarray(centre)) / np.linalg.norm(v - np.asarray(centre))
        c = v + u * (gap + 150 * s)
        for _ in range(20):
            sq = _rect(c[0], c[1], 300 * s, 300 * s)
            d = sq.distance(poly)
            if abs(d - gap) < 0.01:
                break
            c = c + u * (gap - d)
        return sq

    rows = [
        # licence tail, type, holder, mineral, from, to, stage, geometry, note
        ("C", "采矿权", "桓台县湖滨建材有限公司", "砖瓦用粘土", "2012-03-15", "2024-03-15",
         "existing", _rect(core_c.x, core_c.y, 300 * s, 250 * s), "inside 核心保护区"),
        ("C", "采矿权", "淄博鲁中地热开发有限公司", "地热", "2022-06-01", "2032-06-01",
         "application", _rect(ws[0] + 900 * s, ws[1], 250 * s, 200 * s), "inside 二级保护区"),
        ("C", "采矿权", "桓台县红莲砂石有限公司", "建筑用砂", "2015-08-20", "2025-08-20",
         "existing", _rect(*ring_sc[i_sc], 500 * s, 300 * s), "partly in 风景名胜区"),
        ("C", "采矿权", "桓台县果里石料厂", "水泥用灰岩", "2010-11-01", "2023-11-01",
         "existing", k4, "multipolygon with a hole, partly in 森林公园"),
        ("C", "采矿权", "桓台县新湖矿业有限公司", "砖瓦用粘土", "2016-04-10", "2026-04-10",
         "existing", _edge_touching(nr, lake, 200.0, 250 * s), "touches 一般控制区 along an edge"),
        ("C", "采矿权", "淄博齐鲁矿泉水有限公司", "矿泉水", "2018-09-01", "2028-09-01",
         "existing", _point_touching(g["FJMSQ-001"], scenic_c, 180.0, 220 * s),
         "touches 风景名胜区 at one point"),
        ("C", "采矿权", "桓台县西城建材有限公司", "砖瓦用粘土", "2014-05-06", "2024-05-06",
         "existing", near(g["SYD-001-3"], ws, 180.0, 40 * s), "40 m from 准保护区"),
        ("T", "探矿权", "山东省第八地质矿产勘查院", "地热", "2020-01-01", "2025-01-01",
         "existing", near(g["ZRGY-001"], forest_c, 250.0, 300 * s), "300 m from 森林公园"),
        ("C", "采矿权", "桓台县北洼砂场", "建筑用砂", "2017-07-01", "2027-07-01",
         "application", near(nr, lake, 330.0, 480 * s), "480 m from 一般控制区"),
    ]
    for i, c in enumerate(MINES):
        cc = km(c, s)
        rows.append(("C", "采矿权", ["桓台县东岳砖厂", "桓台县荆家粘土矿", "桓台县田庄砂场"][i],
                     ["砖瓦用粘土", "砖瓦用粘土", "建筑用砂"][i], "2013-01-01", "2026-12-31",
                     "existing", _rect(cc[0], cc[1], 480 * s, 420 * s), "clear (0602 patches)"))
    big = _rect(ws[0] + 2700 * s, ws[1] - 1500 * s, 1500 * s, 1000 * s)
    rows.append(("T", "探矿权", "山东鲁北地热勘查有限公司", "地热", "2023-03-01", "2028-03-01",
                 "application", big, "partly in 准保护区"))
    rows.append(("T", "探矿权", "淄博市地质勘查有限公司", "地热", "2019-05-01", "2024-05-01",
                 "existing", _rect(*km((9.5, 9.0), s), 900 * s, 700 * s), "clear"))
    out = []
    for n, (t, rt, holder, mineral, vf, vt, stage, geom, note) in enumerate(rows, start=1):
        year, month = vf[:4], vf[5:7]
        lic = f"{t}370321{year}{month}71{n:08d}"
        out.append((lic, rt, holder, mineral, vf, vt, stage, note,
                    shapely.set_precision(geom, sg.GRID)))
    return gpd.GeoDataFrame(out, columns=["licence_no", "right_type", "holder", "mineral",
                                          "valid_from", "valid_to", "stage", "note", "geometry"],
                            geometry="geometry")


def ecological_redline(world: Any, pa: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Redline: a corridor along the main river and the nature reserve (local frame)."""
    s = world.scale.length
    river = world.rivers["孝妇河"].buffer(200 * s, quad_segs=4) & world.county
    z = world.zones
    settle = z.loc[z["kind"] != "mine"]
    # deliberate: the village settlement nearest the river's middle stays inside the redline
    mid = world.rivers["孝妇河"].interpolate(0.45, normalized=True)
    vil = settle.loc[settle["kind"] == "village"]
    keep = vil.geometry.distance(mid).idxmin()
    river = river - shapely.union_all(settle.drop(index=keep).geometry.buffer(40 * s).to_numpy())
    nr = shapely.union_all(pa.loc[pa["category"] == "自然保护区"].geometry.to_numpy())
    rows = [("3703210001", "孝妇河水源涵养生态保护红线", "水源涵养", river - nr),
            ("3703210002", "马踏湖湿地生物多样性维护生态保护红线", "生物多样性维护", nr)]
    return gpd.GeoDataFrame({"HXBM": [r[0] for r in rows], "HXMC": [r[1] for r in rows],
                             "HXLX": [r[2] for r in rows]},
                            geometry=[shapely.set_precision(sg.polygonal(r[3]), sg.GRID)
                                      for r in rows])


def urban_boundary(world: Any) -> gpd.GeoDataFrame:
    """CZKFBJ around the city and towns; a wedge of the city and one park are left outside."""
    s = world.scale.length
    z = world.zones
    county = world.county
    rows = []
    city = z.loc[z["kind"] == "city"].geometry.iloc[0]
    cc = city.centroid
    wedge = Polygon([(cc.x, cc.y)] + [(cc.x + 8000 * s * np.cos(np.radians(a)),
                                       cc.y + 8000 * s * np.sin(np.radians(a)))
                                      for a in np.linspace(25, 60, 8)])
    special = world.rivers["孝妇河"].buffer(160 * s) & city.buffer(600 * s)
    for kind, key, geom in z.loc[z["kind"].isin(["city", "town"])][["kind", "key", "geometry"]]\
            .itertuples(index=False):
        core = geom.buffer(120 * s, quad_segs=4)
        if kind == "city":
            core = core - wedge
        c = geom.centroid
        south = Polygon([(c.x, c.y)] + [(c.x + 9000 * s * np.cos(np.radians(a)),
                                         c.y + 9000 * s * np.sin(np.radians(a)))
                                        for a in np.linspace(200, 340, 8)])
        ring = (geom.buffer(450 * s, quad_segs=4) - geom.buffer(120 * s, quad_segs=4)) & south
        if kind == "city":
            ring = ring - wedge
        rows.append(("01", "集中建设区", key, core - special))
        rows.append(("02", "弹性发展区", key, ring - special))
    rows.append(("03", "特别用途区", "county_town", special))
    for i, (_cz, _c, _r, cover) in enumerate(PARKS):
        park = z.loc[z["key"] == f"park{i}"].geometry
        if cover == "none" or park.empty:
            continue
        g = park.iloc[0].buffer(60 * s)
        if cover == "half":
            pc = g.centroid
            g = g & box(pc.x - 10000, pc.y - 10000, pc.x, pc.y + 10000)
        rows.append(("01", "集中建设区", f"park{i}", g))
    geoms = [shapely.set_precision(sg.polygonal(g & county), sg.GRID) for *_x, g in rows]
    gdf = gpd.GeoDataFrame({"GHFQDM": [r[0] for r in rows], "GHFQMC": [r[1] for r in rows],
                            "note": [r[2] for r in rows]}, geometry=geoms)
    gdf = gdf.loc[~gdf.geometry.is_empty].reset_index(drop=True)
    gdf.insert(0, "BSM", [f"CZKFBJ{i + 1:04d}" for i in range(len(gdf))])
    return gdf


def permanent_farmland(rng: np.random.Generator, dltb: gpd.GeoDataFrame,
                       urban_proj: shapely.Geometry, scale_len: float) -> gpd.GeoDataFrame:
    """YJJBNTBHTB: blocks of farmland patches (dissolved by village and class) + some non-farm."""
    geoms = dltb.geometry.to_numpy()
    rp = shapely.point_on_surface(geoms)
    d = sg.distance_to(rp, urban_proj)
    farm = dltb["DLBM"].isin(["0101", "0102", "0103"]).to_numpy() & \
        ~dltb["CZCSXM"].isin(["201", "202", "201A", "202A"]).to_numpy()
    score = d + rng.uniform(0, 600, len(dltb))
    score[~farm] = -np.inf
    order = np.argsort(-score, kind="stable")
    order = order[farm[order]]
    cum = np.cumsum(dltb["TBDLMJ"].to_numpy()[order])
    target = PERMANENT_FARMLAND_HA * 1e4 * 0.995 * scale_len**2
    k = int(np.searchsorted(cum, target)) + 1
    chosen = np.zeros(len(dltb), dtype=bool)
    chosen[order[:k]] = True
    # deliberate: a few farmland patches right at the towns (inside the urban boundary)
    near_town = np.flatnonzero(farm & (d < 200) & ~chosen)
    chosen[near_town[:8]] = True
    # deliberate: non-farm patches enclosed in permanent farmland
    nonfarm_ok = dltb["DLBM"].isin(["0201", "1202", "1104", "0301", "0702", "1006", "0404",
                                    "1107", "1206"]).to_numpy()
    cand = np.flatnonzero(nonfarm_ok & (d > 1500))
    extra = rng.choice(cand, size=min(60, len(cand)), replace=False)
    sel = dltb.iloc[np.flatnonzero(chosen)]
    rows = []
    for (_zl, code), grp in sel.groupby(["ZLDWDM", "DLBM"], sort=True):
        merged = shapely.coverage_union_all(grp.geometry.to_numpy())
        parts = shapely.get_parts(merged)
        owner = sg.label_by_polygons(shapely.point_on_surface(grp.geometry.to_numpy()), parts)
        for j, part in enumerate(parts):
            m = owner == j
            rows.append((code, grp["TBDLMJ"].to_numpy()[m].sum(), grp["KCMJ"].to_numpy()[m].sum(),
                         grp["ZLDWDM"].iloc[0], grp["ZLDWMC"].iloc[0], part))
    for i in np.sort(extra):
        r = dltb.iloc[i]
        rows.append((r["DLBM"], r["TBDLMJ"], r["KCMJ"], r["ZLDWDM"], r["ZLDWMC"], geoms[i]))
    names = code_table()["name_zh"]
    gdf = gpd.GeoDataFrame(rows, columns=["DLBM", "YJJBNTMJ", "KCMJ", "ZLDWDM", "ZLDWMC",
                                          "geometry"], geometry="geometry", crs=dltb.crs)
    gdf["YJJBNTMJ"] = gdf["YJJBNTMJ"].round(2)
    gdf["KCMJ"] = gdf["KCMJ"].round(2)
    gdf.insert(1, "DLMC", names.loc[gdf["DLBM"]].to_numpy())
    gdf.insert(0, "YJJBNTTBBH", [f"370321{i + 1:08d}" for i in range(len(gdf))])
    return gdf


def high_standard_farmland(rng: np.random.Generator, dltb: gpd.GeoDataFrame,
                           urban_proj: shapely.Geometry, scale_len: float) -> gpd.GeoDataFrame:
    """GBZNT: high-standard farmland projects, each the farmland patches within a blob."""
    farm = dltb.loc[dltb["DLBM"].isin(["0101", "0102", "0103"])]
    rp = shapely.point_on_surface(farm.geometry.to_numpy())
    xy = shapely.get_coordinates(rp)
    tree = shapely.STRtree(rp)
    used = np.zeros(len(farm), dtype=bool)
    towns = farm["ZLDWDM"].str[:9].to_numpy()
    names = {t[0]: t[1] for t in __import__("_synth_layers").TOWNSHIPS}
    rows = []
    total = 0.0
    for attempt in range(400):
        c = xy[rng.integers(len(xy))]
        if shapely.distance(Point(c), urban_proj) < 1500 * scale_len:
            continue
        disc = sg.blob(rng, (c[0], c[1]), rng.uniform(1200, 1900) * scale_len, roughness=0.25)
        idx = tree.query(disc, predicate="contains")
        idx = idx[~used[idx]]
        if len(idx) < 40:
            continue
        used[idx] = True
        geom = shapely.coverage_union_all(farm.geometry.to_numpy()[idx])
        year = int(rng.integers(2012, 2021))
        town = names[str(pd_mode(towns[idx]))]
        rows.append((f"桓台县{year}年度高标准农田建设项目（{town}）", year, geom))
        total += float(farm["TBDLMJ"].to_numpy()[idx].sum()) / 1e4
        if total >= HIGH_STANDARD_HA * scale_len**2 or attempt > 390:
            break
    rows.sort(key=lambda r: (r[1], r[0]))
    gdf = gpd.GeoDataFrame(rows, columns=["XMMC", "JSND", "geometry"], geometry="geometry",
                           crs=dltb.crs)
    gdf.insert(0, "XMBH", [f"GBZNT{i + 1:03d}" for i in range(len(gdf))])
    return gdf


def pd_mode(values: np.ndarray) -> Any:
    """Most frequent value (ties: smallest)."""
    u, c = np.unique(values, return_counts=True)
    return u[np.argmax(c)]


def transform_all(gdf: gpd.GeoDataFrame, fn: Callable[[np.ndarray], np.ndarray],
                  crs: Any) -> gpd.GeoDataFrame:
    """Apply a coordinate function to every geometry and set the CRS."""
    return gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=fn(gdf.geometry.to_numpy()),
                            crs=crs)
