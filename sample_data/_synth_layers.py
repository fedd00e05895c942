"""Zones, linear features, the patch partition and the control-line layers of the sample."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import _synth_geometry as sg
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Polygon

# code, name, seat (km, local frame), weight for the village -> township assignment, CZCSXM of
# its seat, seat radius (km)
TOWNSHIPS = [
    ("370321001", "城区街道", (-0.4, -3.6), 0.75, "201", 0.0),
    ("370321100", "索镇", (2.4, -1.0), 0.95, "201", 0.0),
    ("370321101", "唐山镇", (7.0, -6.2), 0.92, "202", 1.05),
    ("370321102", "田庄镇", (-6.2, 4.6), 1.0, "202", 1.1),
    ("370321103", "新城镇", (-6.8, -3.0), 1.0, "202", 1.0),
    ("370321104", "马桥镇", (-2.2, 8.6), 1.0, "202", 1.15),
    ("370321105", "荆家镇", (7.4, 2.2), 1.0, "202", 1.0),
    ("370321106", "起凤镇", (4.4, 7.6), 1.1, "202", 0.95),
    ("370321107", "果里镇", (-2.6, -9.0), 0.85, "202", 1.0),
]
COUNTY_TOWN = ((0.9, -2.6), 3.05)  # the city (城区街道 + 索镇), CZCSXM 201
# industrial parks: CZCSXM, centre (km), radius (km), urban-boundary cover: full/half/none
PARKS = [("201A", (4.9, -3.6), 1.25, "half"), ("202A", (-4.6, 9.4), 0.85, "full"),
         ("202A", (8.7, -8.6), 0.8, "none")]
LAKE = (3.2, 10.2)  # centre of the wetland/pond area (km)
FOREST = (-7.6, -9.2)
WATER_SOURCE = (-4.4, -5.4)
SCENIC = (-2.6, -1.2)
MINES = [(-10.2, -4.2), (10.6, 5.2), (-9.4, 6.8)]  # clay / sand pits (km), rights are clear


@dataclass
class World:
    """Everything the patch builder and the layer writers share (local frame, metres)."""

    county: Polygon
    scale: Any
    villages: gpd.GeoDataFrame = None  # code, name, township, geometry
    zones: gpd.GeoDataFrame = None  # kind, czcsxm, key, geometry (disjoint, priority-cut)
    linear: gpd.GeoDataFrame = None  # dlbm, name, geometry (disjoint)
    rivers: dict[str, LineString] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)


def km(p: tuple[float, float], s: float) -> tuple[float, float]:
    return (p[0] * 1000.0 * s, p[1] * 1000.0 * s)


def _village_names(rng: np.random.Generator, n: int) -> list[str]:
    surnames = list("王张李刘陈杨赵黄周吴徐孙马朱胡郭何高林郑梁谢宋唐许韩冯邓曹彭曾田董袁潘于蒋蔡"
                    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆范金石贾夏付方白邹孟秦邱侯史邵毛郝孔")
    pre = ["", "", "", "东", "西", "南", "北", "前", "后", "大", "小", "新", "老", "上", "下"]
    suf = ["家村", "庄村", "村", "家庄村", "官村", "店村", "桥村", "营村", "寨村", "楼村"]
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        nm = rng.choice(pre) + rng.choice(surnames) + rng.choice(suf)
        if nm not in seen:
            seen.add(nm)
            names.append(nm)
    return names


def build_villages(rng: np.random.Generator, county: Polygon, scale: Any) -> gpd.GeoDataFrame:
    """Village polygons (displaced Voronoi cells) with 12-digit codes under 9 townships."""
    s = scale.length
    seeds = sg.jittered_grid(rng, county, scale.village_spacing * 1.0, jitter=0.35)
    tfield = sg.NoiseField(rng, amplitude=1400.0 * s, wavelengths=(3000 * s, 15000 * s))
    moved = seeds + tfield.disp(seeds)
    seats = np.array([km(t[2], s) for t in TOWNSHIPS])
    w = np.array([t[3] for t in TOWNSHIPS])
    d = np.hypot(moved[:, None, 0] - seats[None, :, 0], moved[:, None, 1] - seats[None, :, 1])
    town_idx = np.argmin(d / w[None, :], axis=1)
    vfield = sg.NoiseField(rng, amplitude=55.0, wavelengths=(250.0, 3000.0))
    edges = sg.voronoi_edges(seeds, county.buffer(2000))
    edges = sg.displaced(edges, vfield, segment=60.0)
    edges = shapely.intersection(edges, county)
    faces = sg.polygonize_lines([edges, [county.boundary]])
    rp = shapely.point_on_surface(faces)
    owner = sg.nearest(rp, shapely.points(seeds))
    geoms, tw = [], []
    for i in range(len(seeds)):
        part = faces[owner == i]
        if len(part) == 0:
            continue
        geoms.append(shapely.coverage_union_all(part))
        tw.append(town_idx[i])
    gdf = gpd.GeoDataFrame({"tidx": tw}, geometry=geoms)
    # number villages inside each township from north-west to south-east
    c = gdf.geometry.centroid
    gdf["order"] = np.round(-c.y.to_numpy() / 500.0) * 1e7 + c.x.to_numpy()
    gdf = gdf.sort_values(["tidx", "order"]).reset_index(drop=True)
    names = _village_names(rng, len(gdf))
    codes, vnames = [], []
    counter: dict[int, int] = {}
    for i, t in enumerate(gdf["tidx"]):
        counter[t] = counter.get(t, 0) + 1
        k = counter[t]
        tcode = TOWNSHIPS[t][0]
        if tcode.endswith("001"):  # 街道: residents' committees 001-, named 社区
            codes.append(f"{tcode}{k:03d}")
            vnames.append(names[i].removesuffix("村") + "社区居委会")
        else:
            codes.append(f"{tcode}{200 + k:03d}")
            vnames.append(names[i] + "委会")
    gdf["code"] = codes
    gdf["name"] = vnames
    gdf["township"] = [TOWNSHIPS[t][0] for t in gdf["tidx"]]
    gdf["township_name"] = [TOWNSHIPS[t][1] for t in gdf["tidx"]]
    return gdf.drop(columns=["order"])


def _zone_outline(rng: np.random.Generator, centre: tuple[float, float], radius: float,
                  wiggle: sg.NoiseField, roughness: float = 0.16) -> Polygon:
    p = sg.blob(rng, centre, radius, roughness=roughness, n=128)
    return shapely.make_valid(sg.displaced(np.array([p]), wiggle, segment=35.0)[0])


def build_zones(rng: np.random.Generator, county: Polygon, villages: gpd.GeoDataFrame,
                scale: Any) -> gpd.GeoDataFrame:
    """Settlement zones, disjoint by priority: city > towns > parks > mines > villages."""
    s = scale.length
    wiggle = sg.NoiseField(rng, amplitude=22.0, wavelengths=(80.0, 700.0))
    rows: list[tuple[str, str, str, Polygon]] = []
    rows.append(("city", "201", "county_town",
                 _zone_outline(rng, km(COUNTY_TOWN[0], s), COUNTY_TOWN[1] * 1000 * s, wiggle)))
    for code, _name, seat, _w, cz, r in TOWNSHIPS:
        if r > 0:
            rows.append(("town", cz, code, _zone_outline(rng, km(seat, s), r * 1000 * s, wiggle)))
    for i, (cz, c, r, _cover) in enumerate(PARKS):
        rows.append(("park", cz, f"park{i}", _zone_outline(rng, km(c, s), r * 1000 * s, wiggle,
                                                            roughness=0.25)))
    for i, c in enumerate(MINES):
        rows.append(("mine", "204", f"mine{i}", _zone_outline(rng, km(c, s), 190.0 * s, wiggle,
                                                               roughness=0.3)))
    built = shapely.union_all([r[3] for r in rows]).buffer(150.0)
    shapely.prepare(built)
    vc = shapely.point_on_surface(villages.geometry.to_numpy())
    vxy = shapely.get_coordinates(vc)
    inside = shapely.contains_xy(built, vxy[:, 0], vxy[:, 1])
    for i, code in enumerate(villages["code"]):
        r = float(rng.uniform(225.0, 345.0))
        off = rng.uniform(-120, 120, 2)
        if inside[i]:
            continue
        rows.append(("village", "203", code,
                     _zone_outline(rng, (vxy[i, 0] + off[0], vxy[i, 1] + off[1]), r, wiggle,
                                   roughness=0.28)))
    raw = np.array([r[3] for r in rows], dtype=object)
    tree = shapely.STRtree(raw)
    shapely.prepare(county)
    out = []
    for i, (kind, cz, key, geom) in enumerate(rows):
        earlier = [j for j in tree.query(geom) if j < i]
        g = geom
        if earlier:
            g = sg.polygonal(shapely.difference(g, shapely.union_all(raw[earlier]),
                                                grid_size=sg.GRID))
        g = sg.polygonal(shapely.intersection(g, county, grid_size=sg.GRID))
        if g.is_empty or g.area < 1000:
            continue
        out.append((kind, cz, key, g))
    return gpd.GeoDataFrame(out, columns=["kind", "czcsxm", "key", "geometry"], geometry="geometry")


def _grid_lines(rng: np.random.Generator, region: Polygon, spacing: float, angle_deg: float,
                keep: float, piece: float) -> list[LineString]:
    """Straight-ish lines of a rotated grid, cut into pieces of which a share ``keep`` survive."""
    x0, y0, x1, y1 = region.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = max(x1 - x0, y1 - y0)
    a = np.deg2rad(angle_deg)
    out = []
    for direction in (0.0, np.pi / 2):
        ux, uy = np.cos(a + direction), np.sin(a + direction)
        vx, vy = -uy, ux
        for off in np.arange(-half, half, spacing) + rng.uniform(0, spacing):
            t = -half
            while t < half:
                length = piece * rng.uniform(0.6, 1.4)
                if rng.uniform() < keep:
                    p0 = (cx + vx * off + ux * t, cy + vy * off + uy * t)
                    p1 = (cx + vx * off + ux * (t + length), cy + vy * off + uy * (t + length))
                    out.append(LineString([p0, p1]))
                t += length
    return out


def build_linear(rng: np.random.Generator, county: Polygon, zones: gpd.GeoDataFrame,
                 scale: Any) -> tuple[gpd.GeoDataFrame, dict[str, LineString]]:
    """Rivers, roads, railway, canals, streets, farm roads and ditches as disjoint polygons.

    Earlier classes win where they cross (a river under a road bridge stays river).
    """
    s = scale.length

    def line(pts, amp, wl):
        return sg.sinuous_line(rng, [km(p, s) for p in pts], amplitude=amp * s,
                               wavelengths=(wl[0] * s, wl[1] * s))

    rivers = {
        "孝妇河": line([(-3.2, -15), (-1.6, -6), (-3.8, 0.5), (-1.2, 6), (1.6, 10.5), (3.0, 15)],
                      380, (1800, 7000)),
        "猪龙河": line([(9.5, -15), (7.2, -3), (5.2, 4), (3.8, 10), (4.0, 15)], 300, (1500, 6000)),
    }
    roads = [
        line([(-15, 1.6), (0, 1.2), (15, 0.4)], 120, (4000, 15000)),
        line([(1.6, -15), (2.2, 0), (2.6, 15)], 120, (4000, 15000)),
        line([(-15, -8.2), (0, -6.8), (15, -4.8)], 150, (4000, 15000)),
        line([(-15, 7.2), (0, 6.4), (15, 6.0)], 150, (4000, 15000)),
        line([(-8.2, -15), (-7.4, 0), (-7.0, 15)], 120, (4000, 15000)),
        line([(8.4, -15), (9.0, 0), (9.6, 15)], 120, (4000, 15000)),
        line([(-15, -12), (0, -0.5), (12, 12)], 100, (4000, 15000)),
    ]
    railway = [line([(-15, -1.2), (0, -2.4), (15, -4.2)], 60, (8000, 20000))]
    canals = [line([(-12, -13), (-10.5, 0), (-9.5, 13)], 90, (3000, 9000)),
              line([(3.5, -13), (6.0, 0), (11.5, 11)], 90, (3000, 9000))]
    settle = shapely.union_all(zones.geometry.to_numpy())
    urban = shapely.union_all(zones.loc[zones["kind"].isin(["city", "town", "park"])].geometry
                              .to_numpy())
    street_lines = shapely.intersection(
        np.array(_grid_lines(rng, urban, 430.0 * s, 12.0, 0.9, 5000.0 * s), dtype=object), urban)
    wf = sg.NoiseField(rng, amplitude=6.0, wavelengths=(150.0, 900.0))
    farm = sg.displaced(np.array(_grid_lines(rng, county, 1150.0 * s, 8.0, 0.45, 1800.0 * s),
                                 dtype=object), wf, segment=50.0)
    ditch = sg.displaced(np.array(_grid_lines(rng, county, 1800.0 * s, 8.0, 0.35, 2200.0 * s),
                                  dtype=object), wf, segment=50.0)

    def buf(geoms, width):
        return shapely.union_all(shapely.buffer(np.asarray(geoms, dtype=object), width / 2,
                                                cap_style="flat", quad_segs=2))

    classes = [
        ("1101", "河流", buf([rivers["孝妇河"]], 72.0) | buf([rivers["猪龙河"]], 44.0)),
        ("1003", "公路", buf(roads, 40.0)),
        ("1001", "铁路", buf(railway, 26.0)),
        ("1107A", "干渠", buf(canals, 18.0)),
        ("1004", "街道", buf(street_lines, 22.0)),
        ("1006", "农村道路", shapely.difference(buf(farm, 6.0), settle)),
        ("1107", "沟渠", shapely.difference(buf(ditch, 5.0), settle)),
    ]
    taken = shapely.Polygon()
    rows = []
    for code, name, g in classes:
        g = sg.polygonal(shapely.intersection(shapely.difference(g, taken), county))
        taken = shapely.union(taken, g)
        rows.append((code, name, g))
    return gpd.GeoDataFrame(rows, columns=["dlbm", "name", "geometry"], geometry="geometry"), rivers


def build_world(rng: np.random.Generator, county: Polygon, scale: Any) -> World:
    """Villages, settlement zones and linear features of the county."""
    world = World(county=county, scale=scale)
    world.villages = build_villages(rng, county, scale)
    world.zones = build_zones(rng, county, world.villages, scale)
    world.linear, world.rivers = build_linear(rng, county, world.zones, scale)
    return world


def build_patches(rng: np.random.Generator, world: World, scale: Any) -> gpd.GeoDataFrame:
    """The DLTB partition: faces of all boundaries, labelled by village, zone and linear class."""
    county = world.county
    settle = shapely.union_all(world.zones.geometry.to_numpy())
    rural = sg.jittered_grid(rng, county, scale.rural_spacing)
    shapely.prepare(settle)
    rural = rural[~shapely.contains_xy(settle, rural[:, 0], rural[:, 1])]
    dense = sg.jittered_grid(rng, settle, scale.settlement_spacing)
    seeds = np.concatenate([rural, dense])
    pfield = sg.NoiseField(rng, amplitude=0.06 * scale.rural_spacing,
                           wavelengths=(0.3 * scale.rural_spacing, 2.0 * scale.rural_spacing))
    edges = sg.voronoi_edges(seeds, county.buffer(1000))
    edges = sg.displaced(edges, pfield, segment=scale.rural_spacing / scale.segment_div)
    edges = sg.clip_lines(edges, county)
    lines = [
        edges,
        shapely.boundary(world.zones.geometry.to_numpy()),
        shapely.boundary(world.linear.geometry.to_numpy()),
        shapely.boundary(world.villages.geometry.to_numpy()),
        [county.boundary],
    ]
    faces = sg.polygonize_lines(lines)
    rp = shapely.point_on_surface(faces)
    shapely.prepare(county)
    inside = shapely.contains(county, rp)
    faces, rp = faces[inside], rp[inside]
    gdf = gpd.GeoDataFrame(geometry=faces)
    gdf["village"] = sg.label_by_polygons(rp, world.villages.geometry.to_numpy())
    gdf["linear"] = sg.label_by_polygons(rp, world.linear.geometry.to_numpy())
    gdf["zone"] = sg.label_by_polygons(rp, world.zones.geometry.to_numpy())
    gdf = dissolve_linear(gdf)
    return merge_small(gdf, scale.min_patch_m2)


def dissolve_linear(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Dissolve the faces of each linear feature class by village and zone into pieces."""
    lin = gdf["linear"].to_numpy() >= 0
    rest = gdf.loc[~lin]
    parts = []
    for (lc, v, z), grp in gdf.loc[lin].groupby(["linear", "village", "zone"], sort=True):
        merged = shapely.coverage_union_all(grp.geometry.to_numpy())
        for g in shapely.get_parts(merged):
            parts.append((v, lc, z, g))
    pieces = gpd.GeoDataFrame(parts, columns=["village", "linear", "zone", "geometry"],
                              geometry="geometry")
    return pd.concat([rest, pieces], ignore_index=True)


def merge_small(gdf: gpd.GeoDataFrame, min_area: float) -> gpd.GeoDataFrame:
    """Merge faces under ``min_area`` m² into the same-village neighbour sharing most edge."""
    geoms = gdf.geometry.to_numpy()
    area = shapely.area(geoms)
    small = np.flatnonzero(area < min_area)
    if len(small) == 0:
        return gdf.reset_index(drop=True)
    tree = shapely.STRtree(geoms)
    si, nj = tree.query(geoms[small], predicate="intersects")
    si = small[si]
    vil = gdf["village"].to_numpy()
    ok = (si != nj) & (area[nj] >= min_area) & (vil[si] == vil[nj])
    si, nj = si[ok], nj[ok]
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[si]),
                                                 shapely.boundary(geoms[nj])))
    order = np.lexsort((-shared, si))
    si, nj, shared = si[order], nj[order], shared[order]
    first = np.r_[True, si[1:] != si[:-1]]
    target = dict(zip(si[first & (shared > 0)], nj[first & (shared > 0)], strict=True))
    groups: dict[int, list[int]] = {}
    for a, b in target.items():
        groups.setdefault(b, [b]).append(a)
    new = geoms.copy()
    for b, members in groups.items():
        new[b] = shapely.coverage_union_all(geoms[members])
    drop = np.zeros(len(geoms), dtype=bool)
    drop[list(target)] = True
    out = gdf.copy()
    out["geometry"] = new
    return out.loc[~drop].reset_index(drop=True)
