"""Certify, without overlaying, that a zone's boundary stays out of a patch's interior.

For a connected polygon P (a "unit": one part of a tile of an A-feature) and a zone Z,
``int(P) ∩ ∂Z = ∅`` means that P lies wholly inside Z or wholly outside it, so one point of
P that is not on ∂Z decides its whole area. This module proves that condition pair by pair
with exact arithmetic on the coordinates, and reports the pairs where it cannot prove it;
only those are intersected by the overlay engine. The proof never has to be complete: a
pair it cannot certify is simply intersected (exact anyway), so every test below is a
*sufficient* condition evaluated exactly.

A boundary segment s of Z can only meet P if its bounding box meets P's; for every such
segment one of these holds, or the pair is reported as crossing:

1. s is an edge of P (the same two coordinates, bit for bit): s ⊂ ∂P. This is the shared
   edge of a zone drawn along patch edges (permanent farmland dissolved from patches).
2. s meets no edge of P, or meets one only in a common endpoint that is a vertex of P and
   is not collinear with it; and the end of s that is not a vertex of P lies outside P
   (even-odd ray crossing). Then s ∩ P ⊆ {that vertex} ⊂ ∂P.

Orientation signs are computed in floating point with Shewchuk's static error bound
(``orient2d`` stage A): a sign is used only when the bound proves it, otherwise the test
fails and the pair is intersected. Coordinates are compared exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import shapely

__all__ = ["Boundary", "boundary", "crossing_pairs"]

_ERR = 3.3306690738754716e-16  # Shewchuk's ccwerrboundA = (3 + 16 eps) eps, eps = 2**-53
_SEGMENTS = 16  # boundary segments per chunk (the boxes of the pair search)
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F),
        np.uint64(0x165667B19E3779F9), np.uint64(0xD6E8FEB86659FD93),
        np.uint64(0xFF51AFD7ED558CCD))


class Boundary(NamedTuple):
    """The boundary segments of the zones, in chunks of consecutive segments of one ring."""

    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    zone: np.ndarray  # zone of each segment
    start: np.ndarray  # first segment of each chunk
    count: np.ndarray  # segments per chunk
    boxes: np.ndarray  # bounding box of each chunk (shapely Polygons)


def boundary(zones: np.ndarray, *, segments: int = _SEGMENTS) -> Boundary:
    """Boundary segments of polygonal ``zones`` (all rings), chunked for an STRtree.

    Parameters
    ----------
    zones : numpy.ndarray of shapely Polygon/MultiPolygon
    segments : int
        Largest number of segments per chunk.

    Returns
    -------
    Boundary
        Segment endpoints, the zone of each segment and the chunks (consecutive segments of
        one ring; their union is the boundary of every zone).
    """
    polys, poly_zone = shapely.get_parts(np.asarray(zones, dtype=object), return_index=True)
    rings, ring_poly = shapely.get_rings(polys, return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    s = np.flatnonzero(ring_of[1:] == ring_of[:-1])
    ring = ring_of[s]
    new_ring = np.r_[True, ring[1:] != ring[:-1]] if len(s) else np.zeros(0, bool)
    ring_first = np.flatnonzero(new_ring)
    k = np.arange(len(s)) - np.repeat(ring_first, np.diff(np.r_[ring_first, len(s)]))
    start = np.flatnonzero(new_ring | (k % max(int(segments), 1) == 0))
    x1, y1 = xy[s, 0], xy[s, 1]
    x2, y2 = xy[s + 1, 0], xy[s + 1, 1]
    if len(start):
        boxes = shapely.box(np.minimum.reduceat(np.minimum(x1, x2), start),
                            np.minimum.reduceat(np.minimum(y1, y2), start),
                            np.maximum.reduceat(np.maximum(x1, x2), start),
                            np.maximum.reduceat(np.maximum(y1, y2), start))
    else:
        boxes = np.zeros(0, dtype=object)
    zone = poly_zone[ring_poly[ring]].astype(np.int64)
    return Boundary(x1, y1, x2, y2, zone, start, np.diff(np.r_[start, len(s)]), boxes)


def crossing_pairs(
    units: np.ndarray, bnd: Boundary, *, block: int,
    map_fn: Callable[[Callable, list], list],
) -> tuple[np.ndarray, np.ndarray]:
    """(unit, zone) pairs whose zone boundary may enter the unit's interior.

    Parameters
    ----------
    units : numpy.ndarray of shapely Polygon
        Single polygons.
    bnd : Boundary
        From :func:`boundary`.
    block : int
        About this many (unit, chunk) candidate pairs are handled per task.
    map_fn : callable
        ``map_fn(func, items)`` returning ``[func(item) for item in items]`` (possibly on
        threads).

    Returns
    -------
    iu, iz : numpy.ndarray of int64
        Every pair for which ``int(unit) ∩ ∂zone = ∅`` could not be proven (each once,
        sorted). A pair not listed has no boundary segment of the zone in the unit's
        interior.
    """
    if not len(bnd.boxes) or not len(units):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cu, cc = shapely.STRtree(bnd.boxes).query(units)
    order = np.lexsort((cc, cu))
    cu, cc = cu[order], cc[order]
    if not len(cu):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    cuts = np.unique(np.searchsorted(cu, cu[:: max(block, 1)], side="left"))
    spans = list(zip(cuts.tolist(), [*cuts[1:].tolist(), len(cu)], strict=True))
    nz = int(bnd.zone.max()) + 1
    keys = map_fn(lambda sp: _block(units, bnd, cu[sp[0]:sp[1]], cc[sp[0]:sp[1]], nz), spans)
    key = np.unique(np.concatenate([np.zeros(0, np.int64), *keys]))
    return key // nz, key % nz


def _orient(px: np.ndarray, py: np.ndarray, qx: np.ndarray, qy: np.ndarray,
            rx: np.ndarray, ry: np.ndarray) -> np.ndarray:
    """Proven sign of orient(p, q, r): +1 left turn, -1 right turn, 0 collinear or unsure."""
    left = (qx - px) * (ry - py)
    right = (qy - py) * (rx - px)
    det = left - right
    bound = _ERR * (np.abs(left) + np.abs(right))
    return (det > bound).astype(np.int8) - (det < -bound).astype(np.int8)


def _edge_hash(u: np.ndarray, x1: np.ndarray, y1: np.ndarray, x2: np.ndarray,
               y2: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """A 64-bit hash of (unit, undirected segment) and the segment in canonical order."""
    swap = (x1 > x2) | ((x1 == x2) & (y1 > y2))
    canon = (np.where(swap, x2, x1), np.where(swap, y2, y1),
             np.where(swap, x1, x2), np.where(swap, y1, y2))
    h = u.astype(np.uint64) * _MIX[0]
    for v, m in zip(canon, _MIX[1:], strict=True):
        h = (h ^ np.ascontiguousarray(v).view(np.uint64)) * m
        h ^= h >> np.uint64(29)
    return h, canon


def _block(units: np.ndarray, bnd: Boundary, cu: np.ndarray, cc: np.ndarray,
           nz: int) -> np.ndarray:
    """Keys ``unit * nz + zone`` of the uncertified pairs among these (unit, chunk) pairs."""
    # (unit, segment) pairs whose bounding boxes meet
    rep = bnd.count[cc]
    pu = np.repeat(cu, rep)
    ps = np.repeat(bnd.start[cc], rep) + np.arange(rep.sum()) - np.repeat(np.cumsum(rep) - rep,
                                                                          rep)
    ux0, uy0, ux1, uy1 = shapely.bounds(units[pu]).T
    x1, y1, x2, y2 = bnd.x1[ps], bnd.y1[ps], bnd.x2[ps], bnd.y2[ps]
    near = ((np.minimum(x1, x2) <= ux1) & (np.maximum(x1, x2) >= ux0)
            & (np.minimum(y1, y2) <= uy1) & (np.maximum(y1, y2) >= uy0))
    pu, ps = pu[near], ps[near]
    if not len(pu):
        return np.zeros(0, np.int64)
    # the edges of these units (all rings), grouped by unit
    bu, pl = np.unique(pu, return_inverse=True)
    rings, ring_u = shapely.get_rings(units[bu], return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    e = np.flatnonzero(ring_of[1:] == ring_of[:-1])
    e_unit = ring_u[ring_of[e]]
    cx, cy, dx, dy = xy[e, 0], xy[e, 1], xy[e + 1, 0], xy[e + 1, 1]
    e_start = np.searchsorted(e_unit, np.arange(len(bu)))
    e_count = np.diff(np.r_[e_start, len(e)])
    # 1. segments that are edges of their unit (exact coordinates)
    x1, y1, x2, y2 = bnd.x1[ps], bnd.y1[ps], bnd.x2[ps], bnd.y2[ps]
    eh, ecanon = _edge_hash(e_unit, cx, cy, dx, dy)
    ph, pcanon = _edge_hash(pl, x1, y1, x2, y2)
    eorder = np.argsort(eh)
    pos = np.minimum(np.searchsorted(eh[eorder], ph), len(eh) - 1)
    cand = eorder[pos]
    own = (eh[cand] == ph) & (e_unit[cand] == pl)
    for a, b in zip(ecanon, pcanon, strict=True):
        own &= a[cand] == b
    rest = np.flatnonzero(~own)
    if not len(rest):
        return np.zeros(0, np.int64)
    # 2. every other segment against every edge of its unit
    k_unit = pl[rest]
    n_e = e_count[k_unit]
    k = np.repeat(np.arange(len(rest)), n_e)
    j = np.repeat(e_start[k_unit], n_e) + np.arange(n_e.sum()) - np.repeat(np.cumsum(n_e) - n_e,
                                                                          n_e)
    ax, ay, bx, by = x1[rest][k], y1[rest][k], x2[rest][k], y2[rest][k]
    ex0, ey0, ex1, ey1 = cx[j], cy[j], dx[j], dy[j]
    a_c = (ax == ex0) & (ay == ey0)
    b_c = (bx == ex0) & (by == ey0)
    share_a = a_c | ((ax == ex1) & (ay == ey1))
    share_b = b_c | ((bx == ex1) & (by == ey1))
    o_a = _orient(ex0, ey0, ex1, ey1, ax, ay)
    o_b = _orient(ex0, ey0, ex1, ey1, bx, by)
    apart = ((np.maximum(ax, bx) < np.minimum(ex0, ex1)) | (np.minimum(ax, bx) > np.maximum(ex0, ex1))
             | (np.maximum(ay, by) < np.minimum(ey0, ey1))
             | (np.minimum(ay, by) > np.maximum(ey0, ey1)))
    apart |= o_a * o_b > 0  # both ends strictly on one side of the edge's line
    apart |= _orient(ax, ay, bx, by, ex0, ey0) * _orient(ax, ay, bx, by, ex1, ey1) > 0
    ok = apart | (share_a & ~share_b & (o_b != 0)) | (share_b & ~share_a & (o_a != 0))
    first = np.r_[0, np.cumsum(n_e)[:-1]]
    a_vertex = np.logical_or.reduceat(a_c, first)
    b_vertex = np.logical_or.reduceat(b_c, first)
    # the free end w of the segment: outside the unit (even-odd crossings of a ray to +x)
    use_b = a_vertex[k]
    wx, wy = np.where(use_b, bx, ax), np.where(use_b, by, ay)
    o_w = np.where(use_b, o_b, o_a)
    straddle = (ey0 > wy) != (ey1 > wy)
    right = np.minimum(ex0, ex1) > wx
    left = np.maximum(ex0, ex1) < wx
    up = ey1 > ey0
    hit = straddle & (right | (~left & ((up & (o_w > 0)) | (~up & (o_w < 0)))))
    unsure = straddle & ~right & ~left & (o_w == 0)
    inside = (np.add.reduceat(hit.astype(np.int32), first) & 1).astype(bool)
    certified = (np.logical_and.reduceat(ok, first) & ~np.logical_or.reduceat(unsure, first)
                 & ~inside & ~(a_vertex & b_vertex))
    bad = rest[~certified]
    return np.unique(pu[bad] * np.int64(nz) + bnd.zone[ps[bad]])
