"""The vertex table's edge sides (landuse.geom.vertices.edge_sides), by hand and against GEOS."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.polygon import orient

from landuse.geom.vertices import edge_sides, vertex_table


def _sides(*geoms) -> list[int]:
    return edge_sides(vertex_table(np.array(geoms, dtype=object))).tolist()


def test_sides_by_hand():
    # counter-clockwise exterior: interior on the left (+1); clockwise: right (-1); the
    # closing coordinate of a ring starts no edge (0)
    assert _sides(Polygon([(0, 0), (10, 0), (10, 10), (0, 10)])) == [1, 1, 1, 1, 0]
    assert _sides(Polygon([(0, 0), (0, 10), (10, 10), (10, 0)])) == [-1, -1, -1, -1, 0]
    # holes: a clockwise hole has the polygon's interior on its left, a counter-clockwise
    # one on its right
    outer = [(0, 0), (10, 0), (10, 10), (0, 10)]
    cw_hole, ccw_hole = [(2, 2), (2, 4), (4, 4), (4, 2)], [(2, 2), (4, 2), (4, 4), (2, 4)]
    assert _sides(Polygon(outer, [cw_hole])) == [1, 1, 1, 1, 0, 1, 1, 1, 1, 0]
    assert _sides(Polygon(outer, [ccw_hole])) == [1, 1, 1, 1, 0, -1, -1, -1, -1, 0]
    # rings across x = 0 and small coordinates: differences checked exact one by one
    assert _sides(Polygon([(-5, -5), (5, -5), (5, 5), (-5, 5)])) == [1, 1, 1, 1, 0]
    assert _sides(box(0.5, 0, 2.5, 1)) == [1, 1, 1, 1, 0]
    # a difference that rounds (1 - 1e-300): the turn is not proven, no side is given
    assert _sides(Polygon([(1e-300, 0), (1, 0), (1, 1)])) == [0, 0, 0, 0]
    # missing and empty geometries have no coordinates; the others keep their rows
    assert _sides(None, Polygon(), box(0, 0, 1, 1)) == [1, 1, 1, 1, 0]


def test_sides_agree_with_geos_orientation():
    # random star-shaped rings in projected coordinates, both orientations, with holes
    rng = np.random.default_rng(7)
    polys = []
    for _ in range(300):
        cx, cy = 39_500_000 + rng.uniform(0, 5e4), 4_000_000 + rng.uniform(0, 5e4)
        n = int(rng.integers(3, 40))
        ang = np.sort(rng.uniform(0, 2 * np.pi, n))
        r = rng.uniform(5, 200, n)
        outer = np.c_[cx + r * np.cos(ang), cy + r * np.sin(ang)]
        hole = np.c_[cx + 1.0 * np.cos(ang[:3]), cy + 1.0 * np.sin(ang[:3])]
        p = Polygon(outer, [hole] if rng.uniform() < 0.3 else [])
        if not p.is_valid:
            continue
        polys.append(orient(p, sign=1.0 if rng.uniform() < 0.5 else -1.0))
    vt = vertex_table(np.array(polys, dtype=object))
    sides = edge_sides(vt)
    checked = 0
    for i, p in enumerate(polys):
        rings = [p.exterior, *p.interiors]
        row = int(vt.first[i])
        for k, ring in enumerate(rings):
            m = len(ring.coords)
            got = set(sides[row:row + m - 1].tolist())
            interior_left = shapely.is_ccw(ring) == (k == 0)
            assert got == {1 if interior_left else -1}, (i, k)
            assert sides[row + m - 1] == 0
            row += m
            checked += 1
    assert checked > 300
