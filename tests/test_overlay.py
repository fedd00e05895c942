"""Tests of the area-tabulation engine ``landuse.overlay`` on hand-worked geometry.

Expected values are worked out by hand in the comments (unit squares, boxes), or computed
independently with shapely / pyproj directly, never with ``tabulate`` itself.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.polygon import orient

from landuse.errors import CRSError, GeometryError, SchemaError
from landuse.geom.classify import boundary, crossing_pairs
from landuse.geom.tiles import clip, polygonal, rectangles, split_large
from landuse.overlay import overlay_pieces, pairs, tabulate
from tests.helpers import assert_not_mutated

CRS = "EPSG:4527"
X0, Y0 = 39_560_000.0, 4_090_000.0  # a spot in Huantai (zone 39, with the zone prefix)


def _gdf(data: dict, geoms: list, crs: str = CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(data, geometry=geoms, crs=crs)


@pytest.fixture
def squares() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    # a: two unit squares side by side, P1 = [0,1]x[0,1] (0101), P2 = [1,2]x[0,1] (0201)
    a = _gdf(
        {"DLBM": ["0101", "0201"], "TBDLMJ": [0.9, 0.8], "KCMJ": [0.1, 0.2]},
        [box(0, 0, 1, 1), box(1, 0, 2, 1)],
    )
    # b: zone Z1 = [0.5,1.5]x[0,1] given as two overlapping features (no double counting),
    #    zone Z2 = [0,2]x[0,0.25] (overlaps Z1), zone Z3 = [2,3]x[0,1] only touches P2
    b = _gdf(
        {"zone": ["Z1", "Z1", "Z2", "Z3"]},
        [box(0.5, 0, 1.2, 1), box(0.8, 0, 1.5, 1), box(0, 0, 2, 0.25), box(2, 0, 3, 1)],
    )
    return a, b


def test_unit_squares_by_zone(squares):
    a, b = squares
    out = assert_not_mutated(tabulate, a, b, by_a="DLBM", by_b="zone", area="planar")
    # P1 ∩ Z1 = [0.5,1]x[0,1] = 0.5; P2 ∩ Z1 = [1,1.5]x[0,1] = 0.5 (not 0.7 + 0.7 - ...);
    # P1 ∩ Z2 = [0,1]x[0,0.25] = 0.25; P2 ∩ Z2 = 0.25; Z3 touches P2 only: no row.
    expected = pd.DataFrame(
        {"DLBM": ["0101", "0101", "0201", "0201"], "zone": ["Z1", "Z2", "Z1", "Z2"],
         "area_m2": [0.5, 0.25, 0.5, 0.25]}
    )
    assert list(out.columns) == ["DLBM", "zone", "area_m2", "area_ha"]
    pd.testing.assert_frame_equal(
        out[["DLBM", "zone", "area_m2"]], expected, check_dtype=False, rtol=1e-12
    )
    np.testing.assert_allclose(out["area_ha"], out["area_m2"] / 10_000)
    assert list(out.index) == [0, 1, 2, 3]


def test_union_and_all_of_b(squares):
    a, b = squares
    # inside any zone: P1 has [0.5,1]x[0,1] ∪ [0,1]x[0,0.25] = 0.5 + 0.5*0.25 = 0.625;
    # P2 has [1,1.5]x[0,1] ∪ [1,2]x[0,0.25] = 0.625; Z3 adds nothing (touch).
    out = tabulate(a, b, by_a="DLBM", by_b=None, union=True, area="planar")
    np.testing.assert_allclose(out["area_m2"], [0.625, 0.625], rtol=1e-12)
    assert list(out.columns) == ["DLBM", "area_m2", "area_ha"]
    same = tabulate(a, b, by_a="DLBM", by_b=None, area="planar")
    pd.testing.assert_frame_equal(out, same)
    total = tabulate(a, b, by_a=None, by_b=None, area="planar")
    np.testing.assert_allclose(total["area_m2"], [1.25], rtol=1e-12)
    with pytest.raises(ValueError, match="by_b=None"):
        tabulate(a, b, by_a="DLBM", by_b="zone", union=True)


def test_official_allocation_by_hand():
    # one 10 m x 10 m patch (planar 100 m²) with TBDLMJ = 90 m², KCMJ = 8 m²;
    # zone covers x in [0,3]: 30 % -> official 0.3 * 90 = 27 m², KCMJ 0.3 * 8 = 2.4 m²;
    # the second patch (TBDLMJ 50, planar 100) is cut 0.5 by zone Z -> 25 m²
    a = _gdf(
        {"DLBM": ["0101", "0101"], "TBDLMJ": [90.0, 50.0], "KCMJ": [8.0, 0.0]},
        [box(X0, Y0, X0 + 10, Y0 + 10), box(X0 + 10, Y0, X0 + 20, Y0 + 10)],
    )
    b = _gdf({"zone": ["Y", "Z"]},
             [box(X0, Y0, X0 + 3, Y0 + 10), box(X0 + 15, Y0 - 5, X0 + 40, Y0 + 40)])
    out = tabulate(a, b, by_a="DLBM", by_b="zone", area="official", sum_columns=["KCMJ"])
    assert list(out.columns) == ["DLBM", "zone", "area_m2", "area_ha", "KCMJ"]
    np.testing.assert_allclose(out["area_m2"], [27.0, 25.0], rtol=1e-9)
    np.testing.assert_allclose(out["KCMJ"], [2.4, 0.0], rtol=1e-9, atol=1e-12)
    # a patch wholly inside its zone gets exactly its official area
    whole = tabulate(a.iloc[[1]], b.iloc[[1]].assign(geometry=[box(X0, Y0 - 1, X0 + 30, Y0 + 11)]),
                     by_a="DLBM", by_b="zone", area="official")
    assert whole["area_m2"].tolist() == [50.0]


def test_default_area_is_official_when_the_layer_carries_it():
    # one 10 m x 10 m patch (planar 100 m²) whose official area TBDLMJ is 80 m²; the zone
    # covers x in [0, 4]: 40 % of the patch -> official 0.4 * 80 = 32 m², planar 40 m²
    a = _gdf({"DLBM": ["0101"], "TBDLMJ": [80.0]}, [box(X0, Y0, X0 + 10, Y0 + 10)])
    b = _gdf({"zone": ["Z"]}, [box(X0, Y0 - 5, X0 + 4, Y0 + 15)])
    out = tabulate(a, b, by_a="DLBM", by_b="zone")
    np.testing.assert_allclose(out["area_m2"], [32.0], rtol=1e-12)
    assert out.attrs["overlay"]["area"] == "official"
    assert out.attrs["overlay"]["area_column"] == "TBDLMJ"
    assert out.attrs["overlay"]["area_default"] is True
    # the same layer without the column: planar, 40 m²
    plain = tabulate(a.drop(columns="TBDLMJ"), b, by_a="DLBM", by_b="zone")
    np.testing.assert_allclose(plain["area_m2"], [40.0], rtol=1e-12)
    assert plain.attrs["overlay"]["area"] == "planar"
    assert plain.attrs["overlay"]["area_default"] is True
    # planar asked for explicitly on the DLTB-like layer: 40 m², recorded as given
    given = tabulate(a, b, by_a="DLBM", by_b="zone", area="planar")
    np.testing.assert_allclose(given["area_m2"], [40.0], rtol=1e-12)
    assert given.attrs["overlay"]["area"] == "planar"
    assert given.attrs["overlay"]["area_default"] is False
    # another official column named by area_column is the default's column too
    other = tabulate(a.rename(columns={"TBDLMJ": "MJ"}).assign(MJ=[60.0]), b, by_a="DLBM",
                     by_b="zone", area_column="MJ")
    np.testing.assert_allclose(other["area_m2"], [0.4 * 60.0], rtol=1e-12)
    # the pieces follow the same default
    pieces = overlay_pieces(a, b, by_a="DLBM", by_b="zone")
    np.testing.assert_allclose(pieces["area_m2"], [32.0], rtol=1e-12)
    assert pieces.attrs["overlay"]["area"] == "official"


def test_keep_geometry_is_gone_and_names_overlay_pieces(squares):
    a, b = squares
    with pytest.raises(TypeError, match="overlay_pieces"):
        tabulate(a, b, by_a="DLBM", by_b="zone", keep_geometry=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="overlay_pieces"):
        tabulate(a, b, by_a="DLBM", by_b="zone", keep_geometry=False)  # type: ignore[arg-type]


def test_us_survey_feet_give_square_metres():
    # EPSG:2263 (NY Long Island, US survey foot): 1 ftUS = 1200/3937 m = 0.3048006096 m;
    # a 100 ft x 100 ft square fully inside the zone = 10 000 ft² = 10 000 * 0.3048006096² m²
    x, y = 1_000_000.0, 200_000.0
    a = _gdf({"k": ["p"]}, [box(x, y, x + 100, y + 100)], crs="EPSG:2263")
    b = _gdf({"z": ["z"]}, [box(x - 50, y - 50, x + 50, y + 150)], crs="EPSG:2263")
    out = tabulate(a, b, by_a="k", by_b="z")
    ft = 1200.0 / 3937.0
    assert ft == pytest.approx(0.3048006096, rel=1e-10)
    # the zone covers half: 5 000 ft²
    np.testing.assert_allclose(out["area_m2"], [5_000 * ft**2], rtol=1e-12)


def test_ellipsoidal_equals_pyproj_geod_on_the_pieces():
    rng = np.random.default_rng(3)
    ring = lambda cx, cy, r: Polygon(  # noqa: E731
        [(cx + r * np.cos(t) * (1 + 0.2 * rng.random()), cy + r * np.sin(t))
         for t in np.linspace(0, 2 * np.pi, 40, endpoint=False)]
    ).buffer(0)
    a_geoms = [ring(X0 + 300 * i, Y0 + 200 * (i % 2), 250) for i in range(4)]
    b_geoms = [ring(X0 + 400, Y0 + 100, 500), box(X0 - 1000, Y0 - 1000, X0 + 100, Y0 + 50)]
    a = _gdf({"k": ["a", "a", "b", "b"]}, a_geoms)
    b = _gdf({"z": ["Z1", "Z2"]}, b_geoms)
    out = tabulate(a, b, by_a="k", by_b="z", area="ellipsoidal")
    crs = pyproj.CRS(CRS)
    geod = pyproj.Geod(ellps="GRS80")  # CGCS2000 uses the CGCS2000 ellipsoid = GRS80 to 1e-4 m
    tr = pyproj.Transformer.from_crs(crs, "EPSG:4490", always_xy=True)
    expected: dict[tuple[str, str], float] = {}
    for ga, ka in zip(a_geoms, a["k"], strict=True):
        for gb, kb in zip(b_geoms, b["z"], strict=True):
            piece = ga.intersection(gb)
            if piece.area == 0:
                continue
            lonlat = shapely.transform(
                piece, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
            )
            area_e = abs(geod.geometry_area_perimeter(orient(lonlat))[0])
            expected[(ka, kb)] = expected.get((ka, kb), 0.0) + area_e
    got = {(r.k, r.z): r.area_m2 for r in out.itertuples()}
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-9)
    planar = tabulate(a, b, by_a="k", by_b="z")
    ratio = planar["area_m2"].to_numpy() / out["area_m2"].to_numpy()
    assert np.all(np.abs(ratio - 1) < 1e-3)  # planar GK areas differ by well under 0.1 %


def test_overlay_pieces(squares):
    a, b = squares
    a = a.set_index(pd.Index([10, 20], name="fid"))
    out = overlay_pieces(a, b, by_a="DLBM", by_b="zone", area="planar")
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == a.crs
    assert list(out.columns) == ["a_index", "DLBM", "zone", "area_m2", "area_ha", "geometry"]
    assert out["a_index"].tolist() == [10, 10, 20, 20]
    assert out["zone"].tolist() == ["Z1", "Z2", "Z1", "Z2"]
    expected = [box(0.5, 0, 1, 1), box(0, 0, 1, 0.25), box(1, 0, 1.5, 1), box(1, 0, 2, 0.25)]
    for got, exp in zip(out.geometry, expected, strict=True):
        assert got.symmetric_difference(exp).area < 1e-12
    np.testing.assert_allclose(out["area_m2"], shapely.area(out.geometry.array), rtol=1e-12)


def test_same_key_in_both_layers_gets_suffix():
    a = _gdf({"DLBM": ["0101"]}, [box(0, 0, 1, 1)])
    b = _gdf({"DLBM": ["0102"]}, [box(0, 0, 1, 1)])
    out = tabulate(a, b, by_a="DLBM", by_b="DLBM")
    assert list(out.columns[:2]) == ["DLBM", "DLBM_b"]
    assert out.iloc[0][["DLBM", "DLBM_b", "area_m2"]].tolist() == ["0101", "0102", 1.0]


def test_empty_result_has_the_columns():
    a = _gdf({"DLBM": ["0101"]}, [box(0, 0, 1, 1)])
    b = _gdf({"zone": ["Z"]}, [box(5, 5, 6, 6)])
    out = tabulate(a, b, by_a="DLBM", by_b="zone", sum_columns=())
    assert len(out) == 0
    assert list(out.columns) == ["DLBM", "zone", "area_m2", "area_ha"]


def test_large_zone_is_tiled_exactly():
    # a 6000-vertex wavy disc, tiled to <= 64 vertices: tiles partition it
    t = np.linspace(0, 2 * np.pi, 6000, endpoint=False)
    r = 1000 * (1 + 0.1 * np.sin(37 * t))
    zone = Polygon(np.column_stack([X0 + r * np.cos(t), Y0 + r * np.sin(t)]))
    assert zone.is_valid
    tiles, parent = split_large(np.array([zone, box(0, 0, 1, 1)], dtype=object), max_vertices=64)
    mine = tiles[parent == 0]
    # every one of the 6000 vertices lies in some tile and a tile keeps at most 63 distinct
    # coordinates (64 with the closing one): at least ceil(6000 / 63) = 96 tiles
    assert len(mine) >= 96
    assert shapely.get_num_coordinates(mine).max() <= 64
    assert shapely.area(mine).sum() == pytest.approx(zone.area, rel=1e-12)
    assert shapely.union_all(mine).symmetric_difference(zone).area < 1e-6
    # intersections with the tiles add up to the intersection with the zone
    patch = box(X0 + 500, Y0 - 300, X0 + 1300, Y0 + 300)
    assert shapely.area(shapely.intersection(patch, mine)).sum() == pytest.approx(
        patch.intersection(zone).area, rel=1e-9
    )
    assert tiles[parent == 1][0].equals(box(0, 0, 1, 1))


def test_pairs_helper(squares):
    a, b = squares
    ia, ib = pairs(a, b)
    # P1 = [0,1]² meets Z1a [0.5,1.2], Z1b [0.8,1.5], Z2; P2 = [1,2]x[0,1] meets Z1a, Z1b,
    # Z2 and Z3 (a touch along x = 2 counts as intersecting)
    assert list(zip(ia.tolist(), ib.tolist(), strict=True)) == [
        (0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (1, 3)
    ]
    ia, ib = pairs(a, b, predicate="within")
    assert ia.size == 0


def test_crs_errors(squares):
    a, b = squares
    with pytest.raises(CRSError, match=r"EPSG:4527.*EPSG:4528"):
        tabulate(a, b.set_crs(4528, allow_override=True), by_a="DLBM", by_b="zone")
    geo = a.set_crs(4490, allow_override=True)
    with pytest.raises(CRSError, match="geographic"):
        tabulate(geo, b.set_crs(4490, allow_override=True), by_a="DLBM", by_b="zone")
    with pytest.raises(CRSError, match="no coordinate reference system"):
        tabulate(a.set_crs(None, allow_override=True), b, by_a="DLBM", by_b="zone")


def test_schema_and_geometry_errors(squares):
    a, b = squares
    with pytest.raises(SchemaError, match="'DLBMX'"):
        tabulate(a, b, by_a="DLBMX", by_b="zone")
    with pytest.raises(SchemaError, match="TBDLMJ"):
        tabulate(a.drop(columns="TBDLMJ"), b, by_a="DLBM", by_b="zone", area="official")
    with pytest.raises(SchemaError, match="missing value"):
        tabulate(a.assign(KCMJ=[np.nan, 1.0]), b, by_a="DLBM", by_b="zone", sum_columns=["KCMJ"])
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(GeometryError, match="invalid"):
        tabulate(a.assign(geometry=[bowtie, box(1, 0, 2, 1)]), b, by_a="DLBM", by_b="zone")
    with pytest.raises(GeometryError, match="non-polygonal"):
        tabulate(a, b.assign(geometry=b.geometry.boundary), by_a="DLBM", by_b="zone")
    with pytest.raises(ValueError, match="area must be"):
        tabulate(a, b, by_a="DLBM", by_b="zone", area="geodesic")  # type: ignore[arg-type]


def test_zone_validity_is_remembered_only_for_the_same_objects(squares):
    import gc
    import weakref

    from landuse.geom.validity import known_valid, remember_valid

    a, b = squares
    tabulate(a, b, by_a="DLBM", by_b="zone")  # b found valid and remembered
    g = np.asarray(b.geometry.array, dtype=object)
    assert known_valid(g.copy())  # the same objects, in another array
    assert not known_valid(g[::-1].copy())  # not in that order
    # a zone replaced in place by an invalid one is checked again
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    b.loc[b.index[0], "geometry"] = bowtie
    with pytest.raises(GeometryError, match="invalid"):
        tabulate(a, b, by_a="DLBM", by_b="zone")
    # the cache keeps nothing alive, and forgets objects that died
    fresh = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)], dtype=object)
    remember_valid(fresh)
    assert known_valid(fresh)
    ref = weakref.ref(fresh[0])
    del fresh
    gc.collect()
    assert ref() is None
    # new objects are unknown, even where the allocator reuses the old addresses: an entry
    # with the ids of live objects but a dead object of its own is dropped
    from landuse.geom import validity

    live = np.array([box(5, 5, 6, 6), box(6, 5, 7, 6)], dtype=object)
    assert not known_valid(live)
    dead = box(0, 0, 1, 1)
    validity._ENTRIES.append((validity._ids(live), [weakref.ref(dead), weakref.ref(live[1])]))
    del dead
    gc.collect()
    n = len(validity._ENTRIES)
    assert not known_valid(live)
    assert len(validity._ENTRIES) == n - 1


def test_missing_and_empty_geometries_contribute_nothing(squares):
    a, b = squares
    a2 = pd.concat([a, _gdf({"DLBM": ["0101", "0101"], "TBDLMJ": [1.0, 1.0], "KCMJ": [0.0, 0.0]},
                            [None, Polygon()])], ignore_index=True)
    out = tabulate(a2, b, by_a="DLBM", by_b="zone", area="planar")
    np.testing.assert_allclose(out["area_m2"], [0.5, 0.25, 0.5, 0.25], rtol=1e-12)


def test_polygonal_drops_lines_and_points():
    from shapely.geometry import GeometryCollection, LineString, Point

    g = np.array([
        GeometryCollection([LineString([(0, 0), (1, 1)])]),
        GeometryCollection([box(0, 0, 1, 1), LineString([(0, 0), (1, 1)]), box(2, 2, 3, 3)]),
        box(0, 0, 1, 1),
        Point(0, 0),
    ], dtype=object)
    out = polygonal(g)
    assert out[0].is_empty and out[3].is_empty
    assert out[1].geom_type == "MultiPolygon" and out[1].area == 2.0  # two unit squares
    assert out[2] is g[2]


def test_boundary_segments_cover_the_rings():
    # 10 x 10 square with a 1 x 1 hole: boundary length 40 + 4 = 44, 4 + 4 segments
    g = np.array([box(0, 0, 10, 10).difference(box(2, 2, 3, 3)), box(20, 0, 21, 1)], dtype=object)
    for per_chunk in (1, 3, 16):
        bnd = boundary(g, segments=per_chunk)
        length = np.hypot(bnd.x2 - bnd.x1, bnd.y2 - bnd.y1)
        assert length[bnd.zone == 0].sum() == pytest.approx(44.0)
        assert length[bnd.zone == 1].sum() == pytest.approx(4.0)
        assert bnd.length.max() <= per_chunk and bnd.length.sum() == 12
        # every segment lies in the box of its chunk
        chunk = np.repeat(np.arange(len(bnd.start)), bnd.length)
        xmin, ymin, xmax, ymax = shapely.bounds(bnd.boxes)[chunk].T
        assert np.all((xmin <= bnd.x1) & (bnd.x1 <= xmax) & (ymin <= bnd.y2) & (bnd.y2 <= ymax))


def test_rectangles_exact():
    dense = shapely.segmentize(box(0, 0, 2, 1), 0.25)  # a grid cell with collinear vertices
    g = np.array([
        box(0, 0, 1, 1), dense, Polygon([(0, 0), (1, 0), (1, 1), (0, 1.0000001)]),
        Polygon([(0.5, 0), (1, 0.5), (0.5, 1), (0, 0.5)]),  # diamond: vertices on the sides
        box(0, 0, 3, 3).difference(box(1, 1, 2, 2)),  # a hole
        shapely.MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)]),
    ], dtype=object)
    assert rectangles(g).tolist() == [True, True, False, False, False, False]


def test_rectangles_are_valid_rings_once_around():
    # true only for a valid ring that goes once around its box, in either sense, starting
    # anywhere; every case below is written out by hand
    cases = {
        "clockwise": (box(0, 0, 2, 1, ccw=False), True),
        "densified, clockwise": (shapely.segmentize(box(0, 0, 2, 1), 0.25).reverse(), True),
        "starts mid-side": (Polygon([(1, 0), (2, 0), (2, 1), (0, 1), (0, 0), (1, 0)]), True),
        # edges all on the sides, but the ring runs back along x = 0: invalid
        "runs back along a side": (Polygon([(0, 0), (2, 0), (2, 1), (0, 1), (0, 0.3),
                                            (0, 0.6), (0, 0)]), False),
        "twice around": (Polygon([(0, 0), (2, 0), (2, 1), (0, 1), (0, 0), (2, 0), (2, 1),
                                  (0, 1), (0, 0)]), False),
        "L-shape": (Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2), (0, 0)]), False),
        # valid and equal to its box, but a repeated point is not taken (the general path)
        "repeated point": (Polygon([(0, 0), (0, 0), (2, 0), (2, 1), (0, 1), (0, 0)]), False),
        "a sliver": (Polygon([(0, 0), (1, 0), (1, 1e-300), (0, 1e-300), (0, 0)]), True),
    }
    g = np.array([c[0] for c in cases.values()], dtype=object)
    expected = [c[1] for c in cases.values()]
    assert dict(zip(cases, rectangles(g).tolist(), strict=True)) == dict(
        zip(cases, expected, strict=True))
    # only valid polygons equal to their box are taken
    assert shapely.is_valid(g[rectangles(g)]).all()
    # the positions asked for, in that order
    assert rectangles(g, which=np.array([3, 0, 2])).tolist() == [False, True, True]


def test_shared_edges_taken_whole_and_crossings_cut():
    # a 3 x 1 row of unit squares; zone = the first two squares dissolved (edges shared),
    # a second zone [0.5, 2.5] x [0, 1] crosses the squares
    a = _gdf({"DLBM": ["A", "B", "C"]}, [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
    b = _gdf({"zone": ["Z", "W"]}, [shapely.union_all([box(0, 0, 1, 1), box(1, 0, 2, 1)]),
                                    box(0.5, 0, 2.5, 1)])
    units = np.asarray(a.geometry.array)
    iu, iz, (keys, inside) = crossing_pairs(
        units, boundary(np.asarray(b.geometry.array)), block=10,
        map_fn=lambda f, items: [f(x) for x in items])
    # Z's boundary runs on the squares' edges: no pair with Z is reported; W crosses A and C
    # (B lies in W but shares a part of W's boundary lines: it may be reported, and cut)
    reported = set(zip(iu.tolist(), iz.tolist(), strict=True))
    assert {(0, 1), (2, 1)} <= reported <= {(0, 1), (1, 1), (2, 1)}
    # (the squares' shared edges lie on the sides of their boxes: the candidate search
    # drops them before any side is read, so the squares are located by points)
    assert len(keys) == len(inside) == 0
    out = tabulate(a, b, by_a="DLBM", by_b="zone")
    # Z: A 1, B 1; W: A 0.5, B 1, C 0.5 (by hand)
    assert out[["DLBM", "zone"]].apply(tuple, axis=1).tolist() == [
        ("A", "W"), ("A", "Z"), ("B", "W"), ("B", "Z"), ("C", "W")]
    np.testing.assert_allclose(out["area_m2"], [0.5, 1.0, 1.0, 1.0, 0.5], rtol=1e-12)


def test_a_shared_edge_says_on_which_side_a_unit_lies():
    # by hand: units T1 (below the diagonal of the square [0, 8]^2), T2 (above it), D (a
    # diamond) and E (the triangle south-west of D); zones Z = T1 drawn clockwise, and H =
    # the square [0, 24]^2 with D as its hole (counter-clockwise). Diagonal shared edges lie
    # inside the units' boxes, so their sides decide: T1 in Z, T2 not; D not in H (it is
    # the hole), E in H (the hole's edge has H's interior on E's side)
    t1 = Polygon([(0, 0), (8, 0), (8, 8)])
    t2 = Polygon([(0, 0), (8, 8), (0, 8)])
    d = Polygon([(12, 8), (16, 12), (12, 16), (8, 12)])
    e = Polygon([(8, 8), (12, 8), (8, 12)])
    z = Polygon([(0, 0), (8, 8), (8, 0)])
    h = Polygon([(0, 0), (24, 0), (24, 24), (0, 24)], [[(12, 8), (16, 12), (12, 16), (8, 12)]])
    units = np.array([t1, t2, d, e], dtype=object)
    iu, _, (keys, inside) = crossing_pairs(units, boundary(np.array([z, h], dtype=object)),
                                           block=10, map_fn=lambda f, items: [f(x) for x in items])
    assert len(iu) == 0  # no zone boundary enters a unit
    # key = unit * 2 zones + zone
    assert dict(zip(keys.tolist(), inside.tolist(), strict=True)) == {
        0 * 2 + 0: True, 1 * 2 + 0: False, 2 * 2 + 1: False, 3 * 2 + 1: True}
    a = _gdf({"DLBM": ["T1", "T2", "D", "E"]}, list(units))
    out = tabulate(a, _gdf({"zone": ["Z", "H"]}, [z, h]), by_a="DLBM", by_b="zone")
    got = dict(zip(zip(out["DLBM"], out["zone"], strict=True), out["area_m2"], strict=True))
    # T1 32 m² in Z; T1, T2 (32 each) and E (8) in H; D (32) in neither
    assert got == {("T1", "Z"): 32.0, ("T1", "H"): 32.0, ("T2", "H"): 32.0, ("E", "H"): 8.0}


def _densified_ring(x0: float, y0: float, x1: float, y1: float, step: float) -> list:
    """The corners of the box, counter-clockwise from (x0, y0), a vertex every ``step``."""
    n, m = int((x1 - x0) / step), int((y1 - y0) / step)
    return ([(x0 + i * step, y0) for i in range(n)] + [(x1, y0 + i * step) for i in range(m)]
            + [(x1 - i * step, y1) for i in range(n)] + [(x0, y1 - i * step) for i in range(m)])


def test_a_unit_far_from_every_boundary_is_located_by_its_box():
    # zone Z: the square [0, 100]^2, a vertex every 10 m (40 segments, chunks of 8 along
    # its sides); zone R: [200, 300] x [0, 100] (every 10 m) with the hole
    # [220, 280] x [20, 80] (every 5 m). U1 = [40, 50]^2 lies in Z, U3 = [205, 215] x
    # [45, 55] in R, U2 = [245, 255] x [45, 55] in R's hole, all far from every boundary
    # chunk (a chunk box holding a corner reaches at most 40 m from it in x plus y); T =
    # [0, 10] x [50, 60] lies in Z and touches its side x = 0, so its box touches a chunk
    # box and T is located by its own points, not by its box's corner (0, 50), which is on
    # Z's boundary. By hand: U1, T in Z 100 m² each; U3 in R 100 m²; U2 nowhere.
    z = Polygon(_densified_ring(0, 0, 100, 100, 10))
    r = Polygon(_densified_ring(200, 0, 300, 100, 10),
                [_densified_ring(220, 20, 280, 80, 5)[::-1]])
    units = [box(40, 40, 50, 50), box(205, 45, 215, 55), box(245, 45, 255, 55),
             Polygon([(0, 50), (10, 50), (10, 60), (0, 60)])]
    chunks = boundary(np.array([z, r], dtype=object)).boxes
    meets = [shapely.intersects(shapely.envelope(chunks), box(*u.bounds)).any() for u in units]
    assert meets == [False, False, False, True]  # the case each unit is here for
    a = _gdf({"DLBM": ["U1", "U3", "U2", "T"]}, units)
    out = tabulate(a, _gdf({"zone": ["Z", "R"]}, [z, r]), by_a="DLBM", by_b="zone")
    got = dict(zip(zip(out["DLBM"], out["zone"], strict=True), out["area_m2"], strict=True))
    assert got == {("U1", "Z"): 100.0, ("T", "Z"): 100.0, ("U3", "R"): 100.0}


@pytest.mark.slow
@pytest.mark.parametrize(("layer", "key"), [("XZQ", "XZQDM"), ("YJJBNTBHTB", None)])
def test_sample_county_equals_geopandas_overlay(sample, layer, key):
    # the layers as pyogrio reads them (tests/conftest.py), no landuse reader
    dltb = sample.raw("DLTB")[["DLBM", "geometry"]]
    zones = sample.raw(layer).to_crs(dltb.crs)
    zones = zones[[key, "geometry"]] if key else zones[["geometry"]]
    out = tabulate(dltb, zones, by_a="DLBM", by_b=key)
    dissolved = zones.dissolve(by=key).reset_index() if key else zones.dissolve()
    pieces = gpd.overlay(dltb, dissolved, how="intersection", keep_geom_type=True)
    keys = ["DLBM"] + ([key] if key else [])
    ref = pieces.assign(area=pieces.area).groupby(keys)["area"].sum()
    ref = ref[ref > 0]
    got = out.set_index(keys)["area_m2"]
    assert sorted(got.index) == sorted(ref.index)
    np.testing.assert_allclose(got.loc[ref.index].to_numpy(), ref.to_numpy(), rtol=1e-9)


def test_rectangle_clip_that_geos_refuses_falls_back_to_overlayng():
    # found by the property test: GEOS's rectangle clipper raises "Invalid number of points
    # in LinearRing found 3" on this valid MultiPolygon in general position (a vertex at
    # y = 15.000000000000005, just off the side y = 15). Inside the box by hand: the
    # triangle (40 20, 35 20, 35 30) 25 m² and the square [40, 50] x [20, 30] 100 m²; the
    # triangle below reaches above y = 15 by 5e-15 m (area ~1e-29), the first part not
    from shapely import wkt

    zone = wkt.loads("MULTIPOLYGON (((40 10, 50 5, 50 0, 40 0, 40 10)), "
                     "((40 20, 35 20, 35 30, 40 20)), "
                     "((40 0, 35 0, 35 15.000000000000005, 40 0)), "
                     "((40 30, 50 30, 50 20, 40 20, 40 30)))")
    rect = np.array([[4.0, 15.0, 81.0, 61.0]])
    for valid in (True, False):
        assert clip(np.array([zone]), rect, valid=valid)[0].area == pytest.approx(125.0)


def test_rectangle_clip_with_a_ring_along_a_side():
    # GEOS's rectangle clipper returns a valid polygon of the wrong area here (the notch
    # triangle, 30 m²): the ring runs along the side x = 50 from (50, 26.67) to (50, 60).
    # By hand: the strip [50, 60] x [10, 60] (500 m²) minus the notch (54, 20), (60, 10),
    # (60, 20) (30 m²) lies in the patch: 470 m².
    patch = Polygon([(60, 10), (30, 10), (30, 60), (50, 80 / 3), (50, 60), (80, 60), (80, 50),
                     (100, 50), (100, 40), (80, 40), (80, 20), (54, 20), (60, 10)])
    strip = np.array([[50.0, 10.0, 60.0, 60.0]])
    for valid in (True, False):
        assert clip(np.array([patch]), strip, valid=valid)[0].area == pytest.approx(470.0)
    # in general position (no vertex on a side's line) the clipper is used: 8 x 48 minus
    # the notch below y = 20 right of x = 54, up to x = 59: (5/3) * 5² / 2
    inner = np.array([[51.0, 11.0, 59.0, 59.0]])
    assert clip(np.array([patch]), inner)[0].area == pytest.approx(8 * 48 - 125 / 6)
    a = _gdf({"DLBM": ["A"]}, [patch])
    b = _gdf({"zone": ["Z", "W"]}, [box(50, 10, 60, 60), box(0, 0, 50, 30)])
    out = tabulate(a, b, by_a="DLBM", by_b="zone").set_index("zone")["area_m2"]
    # W: [30, 50] x [10, 30] minus the triangle (48, 30), (50, 80/3), (50, 30) above the
    # edge (30, 60)-(50, 80/3): 400 - 10/3
    assert out["Z"] == pytest.approx(470.0)
    assert out["W"] == pytest.approx(400 - 10 / 3)
    # the other way round: the grid cell is the patch (a rectangle unit, clipped by the
    # rectangle clipper only in general position), densified as survey cells are
    cell = _gdf({"DLBM": ["A"]}, [shapely.segmentize(box(50, 10, 60, 60), 2.5)])
    zone = _gdf({"zone": ["P"]}, [patch])
    out = tabulate(cell, zone, by_a="DLBM", by_b="zone")
    assert out["area_m2"].tolist() == [pytest.approx(470.0)]
