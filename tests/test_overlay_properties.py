"""Property tests of ``landuse.overlay.tabulate`` against geopandas.overlay (hypothesis).

Layers are built on an integer grid so that shared edges, zero-area touches, holes,
multipolygons and overlapping zones occur often. The reference is
``geopandas.overlay(a, b.dissolve(by_b), how="intersection")`` + area + groupby: the
dissolve gives the engine's rule that a zone (all features of one key) counts its area once.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon, box

import landuse.overlay as overlay
from landuse.geom.tiles import clip, split_large
from landuse.overlay import tabulate
from tests.helpers import assert_not_mutated

CRS = "EPSG:4527"
SCALE = 10.0

coord = st.integers(min_value=0, max_value=8)


@st.composite
def shape(draw: st.DrawFn) -> shapely.Geometry:
    """Union of 1-3 boxes or triangles on the grid, minus an optional hole box."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        x0, y0 = draw(coord), draw(coord)
        w, h = draw(st.integers(1, 5)), draw(st.integers(1, 5))
        if draw(st.booleans()):
            parts.append(box(x0, y0, x0 + w, y0 + h))
        else:
            parts.append(Polygon([(x0, y0), (x0 + w, y0), (x0, y0 + h)]))
    geom = shapely.union_all(parts)
    if draw(st.booleans()):
        x0, y0 = draw(coord), draw(coord)
        geom = geom.difference(box(x0 + 0.25, y0 + 0.25, x0 + 0.75 + draw(st.integers(0, 2)),
                                   y0 + 0.75))
    return shapely.affinity.scale(geom, SCALE, SCALE, origin=(0, 0))


def layer(draw: st.DrawFn, key: str, values: list[str], n_max: int) -> gpd.GeoDataFrame:
    geoms = [g for g in draw(st.lists(shape(), min_size=1, max_size=n_max)) if not g.is_empty]
    keys = [draw(st.sampled_from(values)) for _ in geoms]
    return gpd.GeoDataFrame({key: keys, "TBDLMJ": [0.95 * g.area for g in geoms]},
                            geometry=geoms, crs=CRS)


@st.composite
def layers(draw: st.DrawFn) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    a = layer(draw, "DLBM", ["0101", "0201", "1001"], 8)
    b = layer(draw, "zone", ["Z1", "Z2"], 5)
    return a, b


def reference(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, by_b: str | None) -> pd.Series:
    """geopandas.overlay of a with the dissolved zones, summed per key pair."""
    zones = b.dissolve(by=by_b).reset_index() if by_b else b.dissolve().reset_index(drop=True)
    keep = ["geometry"] + ([by_b] if by_b else [])
    pieces = gpd.overlay(a, zones[keep], how="intersection", keep_geom_type=True)
    keys = ["DLBM"] + ([by_b] if by_b else [])
    ref = pieces.assign(area=pieces.area).groupby(keys)["area"].sum()
    return ref[ref > 0]


def as_series(out: pd.DataFrame, keys: list[str]) -> pd.Series:
    return out.set_index(keys)["area_m2"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers(), st.booleans(), st.sampled_from([256, 16]))
def test_equals_geopandas_overlay(ab, per_zone, max_vertices):
    a, b = ab
    by_b = "zone" if per_zone else None
    keys = ["DLBM"] + ([by_b] if by_b else [])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(overlay, "_MAX_VERTICES", max_vertices)  # 16: most shapes are tiled
        mp.setattr(overlay, "_ZONE_VERTICES", max_vertices)
        out = tabulate(a, b, by_a="DLBM", by_b=by_b, area="planar")
    got = as_series(out, keys)
    ref = reference(a, b, by_b)
    assert sorted(got.index) == sorted(ref.index)
    if len(ref):
        np.testing.assert_allclose(got.loc[ref.index].to_numpy(), ref.to_numpy(), rtol=1e-9)
        assert (out["area_m2"] > 0).all()
    # TBDLMJ was set to 0.95 x planar area of every patch, so the official allocation of any
    # piece (TBDLMJ x piece / patch) is 0.95 x its planar area
    off = as_series(tabulate(a, b, by_a="DLBM", by_b=by_b, area="official"), keys)
    assert sorted(off.index) == sorted(ref.index)
    if len(ref):
        np.testing.assert_allclose(off.loc[ref.index].to_numpy(), 0.95 * ref.to_numpy(),
                                   rtol=1e-9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers(), st.randoms(use_true_random=False), st.integers(1, 7), st.sampled_from([1, 2]))
def test_independent_of_order_chunks_and_threads(ab, rnd, chunk_size, n_jobs):
    a, b = ab
    base = tabulate(a, b, by_a="DLBM", by_b="zone", area="official", sum_columns=["TBDLMJ"])
    pa = list(range(len(a)))
    pb = list(range(len(b)))
    rnd.shuffle(pa)
    rnd.shuffle(pb)
    a2, b2 = a.iloc[pa], b.iloc[pb]
    out = assert_not_mutated(tabulate, a2, b2, by_a="DLBM", by_b="zone", area="official",
                             sum_columns=["TBDLMJ"], chunk_size=chunk_size, n_jobs=n_jobs)
    pd.testing.assert_frame_equal(out[["DLBM", "zone"]], base[["DLBM", "zone"]])
    np.testing.assert_allclose(out["area_m2"], base["area_m2"], rtol=1e-12)
    np.testing.assert_allclose(out["TBDLMJ"], base["TBDLMJ"], rtol=1e-12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layers())
def test_pieces_add_up_and_match_the_table(ab):
    a, b = ab
    table = tabulate(a, b, by_a="DLBM", by_b="zone", area="planar")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(overlay, "_MAX_VERTICES", 16)
        mp.setattr(overlay, "_ZONE_VERTICES", 16)
        pieces = overlay.overlay_pieces(a, b, by_a="DLBM", by_b="zone", area="planar",
                                        chunk_size=3)
    # each piece's geometry has the area reported, and lies in its A-feature
    np.testing.assert_allclose(shapely.area(pieces.geometry.array), pieces["area_m2"],
                               rtol=1e-9, atol=1e-9)
    parent = a.geometry.loc[pieces["a_index"]].to_numpy()
    assert np.all(shapely.area(shapely.difference(pieces.geometry.array, parent)) < 1e-6)
    summed = pieces.groupby(["DLBM", "zone"])["area_m2"].sum()
    np.testing.assert_allclose(summed.to_numpy(), table.set_index(["DLBM", "zone"])["area_m2"]
                               .loc[summed.index].to_numpy(), rtol=1e-9)
    assert len(summed) == len(table)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(shape(), min_size=2, max_size=5), st.lists(st.integers(0, 9), min_size=4,
                                                           max_size=4), st.booleans())
def test_rectangle_clip_equals_overlay(shapes, corners, valid):
    # grid coordinates: vertices on the rectangle's sides and edges along them are common;
    # GEOS's clipper alone gets about 1 case in 600 of these wrong (many examples, fast)
    g = shapely.union_all(shapes)
    x0, x1 = sorted(corners[:2])
    y0, y1 = sorted(corners[2:])
    rect = np.array([[x0, y0, x1 + 1, y1 + 1]], dtype=np.float64) * SCALE
    got = clip(np.array([g], dtype=object), rect, valid=valid)[0]
    ref = shapely.intersection(g, shapely.box(*rect[0]))  # OverlayNG
    assert got.area == pytest.approx(ref.area, rel=1e-9, abs=1e-9)
    if valid:
        assert got.is_valid


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(shape(), min_size=1, max_size=4), st.sampled_from([16, 24]))
def test_tiles_partition_the_polygon(shapes, max_vertices):
    g = shapely.union_all(shapes)
    tiles, parent = split_large(np.array([g], dtype=object), max_vertices=max_vertices)
    assert (parent == 0).all() and shapely.is_valid(tiles).all()
    # the tiles add up to the polygon and do not overlap (their union has the same area)
    assert shapely.area(tiles).sum() == pytest.approx(g.area, rel=1e-9)
    assert shapely.union_all(tiles).symmetric_difference(g).area == pytest.approx(0, abs=1e-6)


@st.composite
def cells(draw: st.DrawFn) -> list[shapely.Geometry]:
    """Grid cells (rectangles) of random sizes on the grid, sides densified at random.

    Their sides lie on the grid lines that the shapes of :func:`shape` use, so vertices on
    a cell's side and rings running along it (libgeos/geos#605) are common.
    """
    out = []
    for _ in range(draw(st.integers(1, 6))):
        x0, y0 = draw(coord), draw(coord)
        w, h = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        cell = box(x0, y0, x0 + w, y0 + h, ccw=draw(st.booleans()))
        step = draw(st.sampled_from([None, 0.5, 0.25, 1 / 3]))
        if step is not None:
            cell = shapely.segmentize(cell, step)
        out.append(shapely.affinity.scale(cell, SCALE, SCALE, origin=(0, 0)))
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells(), st.lists(shape(), min_size=1, max_size=4), st.booleans())
def test_rectangles_either_side_equal_geopandas_overlay(rects, shapes, rects_are_zones):
    # densified rectangles as the patches (clipped as units) or as the zones (clipped as
    # tiles), against shapes with vertices and edges on their sides' lines
    shapes = [g for g in shapes if not g.is_empty]
    if rects_are_zones:
        a_geoms, b_geoms = shapes, rects
    else:
        a_geoms, b_geoms = rects, shapes
    a = gpd.GeoDataFrame({"DLBM": [("0101", "0201")[i % 2] for i in range(len(a_geoms))]},
                         geometry=a_geoms, crs=CRS)
    b = gpd.GeoDataFrame({"zone": [("Z1", "Z2")[i % 2] for i in range(len(b_geoms))]},
                         geometry=b_geoms, crs=CRS)
    out = tabulate(a, b, by_a="DLBM", by_b="zone", area="planar")
    got = as_series(out, ["DLBM", "zone"])
    ref = reference(a, b, "zone")
    assert sorted(got.index) == sorted(ref.index)
    if len(ref):
        np.testing.assert_allclose(got.loc[ref.index].to_numpy(), ref.to_numpy(), rtol=1e-9)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells(), st.integers(0, 40), st.sampled_from(["none", "repeat", "back", "twice",
                                                      "move", "rotate"]))
def test_rectangle_test_takes_only_valid_boxes(rects, at, change):
    # rings built on a rectangle's boundary, changed at one vertex; the independent check
    # is GEOS: valid, no holes, and topologically equal to its bounding box
    from landuse.geom.tiles import rectangles

    geoms = []
    for r in rects:
        xy = shapely.get_coordinates(r)[:-1]
        k = at % len(xy)
        if change == "repeat":  # a repeated point (valid; not taken)
            xy = np.insert(xy, k, xy[k], axis=0)
        elif change == "back":  # run back along the edge after vertex k: a spike
            mid = (xy[k] + xy[(k + 1) % len(xy)]) / 2
            xy = np.insert(xy, k + 1, [mid, xy[k]], axis=0)
        elif change == "twice":  # go around twice
            xy = np.concatenate([xy, xy])
        elif change == "move":  # one vertex off the box (inside or outside)
            xy = xy.copy()
            xy[k] += [0.5, 0.25]
        elif change == "rotate":  # start elsewhere
            xy = np.roll(xy, k, axis=0)
        geoms.append(Polygon(xy))
    g = np.array(geoms, dtype=object)
    got = rectangles(g)
    boxes = shapely.box(*shapely.bounds(g).T)
    truth = shapely.is_valid(g) & shapely.equals(g, boxes)
    assert not (got & ~truth).any()  # never a polygon that is not a valid box
    if change in ("none", "rotate"):  # every clean ring on a box is taken
        assert got.all()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(shape(), min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(0, 3), st.lists(st.integers(0, 9).map(float), min_size=4,
                                                      max_size=4)), max_size=12),
       st.sampled_from([SCALE, SCALE / 2, -SCALE]))
def test_clip_of_few_geometries_by_many_rectangles(shapes, pairs, scale):
    # clip(geoms, boxes, index=...) == clip(geoms[index], boxes): the same general-position
    # decision (checked here coordinate by coordinate) and the same areas as OverlayNG
    from landuse.geom.tiles import _general_position_indexed

    geoms = np.array(shapes, dtype=object)
    index = np.array([k % len(geoms) for k, _ in pairs], dtype=np.int64)
    boxes = np.array([sorted(c[:2]) + sorted(c[2:]) for _, c in pairs]).reshape(-1, 4)
    boxes = boxes[:, [0, 2, 1, 3]] * scale  # xmin, ymin, xmax, ymax on the grid lines
    boxes = np.column_stack([np.minimum(boxes[:, 0], boxes[:, 2]),
                             np.minimum(boxes[:, 1], boxes[:, 3]),
                             np.maximum(boxes[:, 0], boxes[:, 2]) + abs(scale),
                             np.maximum(boxes[:, 1], boxes[:, 3]) + abs(scale)])
    expected = []
    for k, (x0, y0, x1, y1) in zip(index, boxes, strict=True):
        xy = shapely.get_coordinates(geoms[k])
        expected.append(not any(x in (x0, x1) or y in (y0, y1) for x, y in xy))
    assert _general_position_indexed(geoms, index, boxes).tolist() == expected
    got = clip(geoms, boxes, valid=False, index=index)
    ref = shapely.intersection(geoms[index], shapely.box(*boxes.T)) if len(index) else []
    np.testing.assert_allclose(shapely.area(got), shapely.area(ref), rtol=1e-9, atol=1e-9)
