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
2. s meets no edge of P, or meets one only in a common endpoint (a vertex of P: the other
   ends are not collinear with it, or lie on opposite sides of it in x or in y); and the
   end of s that is not a vertex of P lies outside P (GEOS point-in-polygon, which is
   robust and reports a point on the boundary as intersecting). Then s ∩ P ⊆ {that
   vertex} ⊂ ∂P.

Orientation signs are computed in floating point with Shewchuk's static error bound
(``orient2d`` stage A): a sign is used only when the bound proves it, otherwise the test
fails and the pair is intersected. Coordinates are compared exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import shapely

from landuse.geom.vertices import Vertices, edge_sides, vertex_table

__all__ = ["Boundary", "boundary", "crossing_pairs"]

_ERR = 3.3306690738754716e-16  # Shewchuk's ccwerrboundA = (3 + 16 eps) eps, eps = 2**-53
_SEGMENTS = 8  # boundary segments per chunk (the boxes of the pair search; measured)
_ALL_EDGES = 2  # test all edges of the unit if that is at most this many times its edges
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F),
        np.uint64(0x165667B19E3779F9), np.uint64(0xD6E8FEB86659FD93),
        np.uint64(0xFF51AFD7ED558CCD))


class Boundary(NamedTuple):
    """The boundary segments of the zones, in chunks of consecutive segments of one ring."""

    x1: np.ndarray
    y1: np.ndarray
    x2: np.ndarray
    y2: np.ndarray
    box: np.ndarray  # (4, n) bounding box of each segment: xmin, ymin, xmax, ymax rows
    hash: np.ndarray  # (n,) uint64 hash of the undirected segment (_point_hash of each end)
    zone: np.ndarray  # zone of each segment
    start: np.ndarray  # first segment of each chunk
    length: np.ndarray  # segments per chunk
    boxes: np.ndarray  # each chunk's bounding box: the diagonal (shapely LineStrings)
    side: np.ndarray  # (n,) int8: the zone's interior is left (+1) or right (-1) of the
    # segment from (x1, y1) to (x2, y2); 0 unproven (vertices.edge_sides)


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
    vt = vertex_table(polys)
    s = np.flatnonzero(vt.edge)  # segment from coordinate s to s + 1
    ring = vt.rings()[0][s]
    new_ring = np.r_[True, ring[1:] != ring[:-1]] if len(s) else np.zeros(0, bool)
    ring_first = np.flatnonzero(new_ring)
    k = np.arange(len(s)) - np.repeat(ring_first, np.diff(np.r_[ring_first, len(s)]))
    start = np.flatnonzero(new_ring | (k % max(int(segments), 1) == 0))
    x1, y1, x2, y2 = vt.x[s], vt.y[s], vt.x[s + 1], vt.y[s + 1]
    box = np.vstack([np.minimum(x1, x2), np.minimum(y1, y2), np.maximum(x1, x2),
                     np.maximum(y1, y2)])
    if len(start):  # each chunk's box, as its diagonal: a tree query reads only envelopes,
        corners = np.empty((len(start), 2, 2))  # and two-point lines are 3x cheaper to make
        corners[:, 0, 0] = np.minimum.reduceat(box[0], start)
        corners[:, 0, 1] = np.minimum.reduceat(box[1], start)
        corners[:, 1, 0] = np.maximum.reduceat(box[2], start)
        corners[:, 1, 1] = np.maximum.reduceat(box[3], start)
        boxes = shapely.linestrings(corners)
    else:
        boxes = np.zeros(0, dtype=object)
    zone = poly_zone[np.searchsorted(vt.first, s, side="right") - 1].astype(np.int64)
    ends = _point_hash(vt.x, vt.y)
    return Boundary(x1, y1, x2, y2, box, ends[s] + ends[s + 1], zone, start,
                    np.diff(np.r_[start, len(s)]), boxes, edge_sides(vt)[s])


def crossing_pairs(
    units: np.ndarray, bnd: Boundary, *, block: int,
    map_fn: Callable[[Callable, list], list],
    direct: Callable[[np.ndarray], np.ndarray] | None = None,
    verts: Vertices | None = None,
    near: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Find the (unit, zone) pairs whose zone boundary may enter the unit's interior.

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
    direct : callable, optional
        ``direct(positions)`` -> bool mask of the units not worth a proof (cut cheaply
        anyway, e.g. rectangles): they are reported with every zone whose boundary comes
        within their bounding box.
    verts : Vertices, optional
        The coordinates of ``units`` (:func:`landuse.geom.vertices.vertex_table`), if the
        caller has them already.
    near : tuple of numpy.ndarray, optional
        ``(cu, cc)``: every (unit, chunk) pair whose bounding boxes meet (e.g. a tree of
        the units queried with ``bnd.boxes``), if the caller has them. ``verts`` then
        needs the coordinates of the units in ``cu`` only.

    Returns
    -------
    iu, iz : numpy.ndarray of int64
        Every pair for which ``int(unit) ∩ ∂zone = ∅`` could not be proven (each once,
        sorted). A pair not listed has no boundary segment of the zone in the unit's
        interior.
    side : tuple of numpy.ndarray
        ``(keys, inside)``: sorted keys ``unit * n_zones + zone`` of the pairs that share
        an edge (case 1) whose sides are proven (:func:`landuse.geom.vertices.edge_sides`)
        and agree on every shared edge, and whether the unit lies on the zone's side of
        them (inside) or on the other (outside). Only meaningful for pairs not listed in
        ``iu, iz``.
    """
    none = np.zeros(0, np.int64)
    if not len(bnd.boxes) or not len(units):
        return none, none, (none, np.zeros(0, bool))
    if near is None:
        cu, cc = shapely.STRtree(bnd.boxes).query(units)
    else:
        cu, cc = near
    order = np.lexsort((cc, cu))
    cu, cc = cu[order], cc[order]
    if not len(cu):
        return none, none, (none, np.zeros(0, bool))
    nz = int(bnd.zone.max()) + 1
    near_u = cu[np.r_[True, cu[1:] != cu[:-1]]]  # the units near a boundary, once each
    skip = np.zeros(len(units), bool)
    if direct is not None:
        skip[near_u] = direct(near_u)
    cuts = np.unique(np.searchsorted(cu, cu[:: max(block, 1)], side="left"))
    spans = list(zip(cuts.tolist(), [*cuts[1:].tolist(), len(cu)], strict=True))
    ubox = np.zeros((4, len(units)))  # xmin, ymin, xmax, ymax rows (of the units near)
    ubox[:, near_u] = shapely.bounds(units[near_u]).T
    verts = vertex_table(units) if verts is None else verts
    out = map_fn(lambda sp: _block(units, verts, ubox, bnd, cu[sp[0]:sp[1]], cc[sp[0]:sp[1]],
                                   nz, skip), spans)
    key = np.unique(np.concatenate([none, *[o[0] for o in out]]))
    # the side of every shared edge of a pair: proven and all the same, or not used
    skey = np.concatenate([none, *[o[1] for o in out]])
    sval = np.concatenate([np.zeros(0, np.int8), *[o[2] for o in out]])
    if not len(skey):
        return key // nz, key % nz, (none, np.zeros(0, bool))
    order = np.argsort(skey, kind="stable")
    skey, sval = skey[order], sval[order]
    first = np.flatnonzero(np.r_[True, skey[1:] != skey[:-1]])
    low, high = np.minimum.reduceat(sval, first), np.maximum.reduceat(sval, first)
    agreed = (low == high) & (low != 0)
    return key // nz, key % nz, (skey[first][agreed], low[agreed] > 0)


def _orient(px: np.ndarray, py: np.ndarray, qx: np.ndarray, qy: np.ndarray,
            rx: np.ndarray, ry: np.ndarray) -> np.ndarray:
    """Proven sign of orient(p, q, r): +1 left turn, -1 right turn, 0 collinear or unsure."""
    left = (qx - px) * (ry - py)
    right = (qy - py) * (rx - px)
    det = left - right
    bound = _ERR * (np.abs(left) + np.abs(right))
    return (det > bound).astype(np.int8) - (det < -bound).astype(np.int8)


def _up(x: np.ndarray, ulps: int) -> np.ndarray:
    """``x`` moved ``ulps`` units in the last place towards +inf (or -inf if negative)."""
    target = np.inf if ulps > 0 else -np.inf
    for _ in range(abs(ulps)):
        x = np.nextafter(x, target)
    return x


def _point_hash(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """64-bit hash of points, from the bits of their coordinates.

    An undirected segment is hashed as the sum of the hashes of its ends (the same both
    ways round), then mixed with its unit by :func:`_mix`.
    """
    h = np.ascontiguousarray(x).view(np.uint64) ^ np.uint64(0)  # a copy
    h ^= h >> np.uint64(33)  # integer coordinates keep their low bits zero: fold high ones
    h *= _MIX[1]
    h ^= np.ascontiguousarray(y).view(np.uint64)
    h ^= h >> np.uint64(29)
    h *= _MIX[2]
    h ^= h >> np.uint64(32)
    return h


def _mix(u: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Hash of (unit ``u``, segment hash ``h``)."""
    out = (u.astype(np.uint64) * _MIX[0]) ^ h
    out *= _MIX[3]
    out ^= out >> np.uint64(29)
    return out


def _edges_in_y_range(e_unit: np.ndarray, e_start: np.ndarray, cy: np.ndarray,
                      dy: np.ndarray, k_unit: np.ndarray, sy0: np.ndarray,
                      sy1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (k, j): segment k and an edge j of its unit ``k_unit[k]`` whose y-ranges may meet.

    Edges (ends ``cy``, ``dy``; grouped by unit, ``e_start``) are sorted by (unit, lowest y).
    An edge of height <= h meets [y0, y1] only if its lowest y lies in [y0 - h, y1]; the
    bounds are widened by two ulps, so no edge in range is missed (the caller's filter is
    exact). The sort key is the rank of the edge's lowest y, ``rank[i]``, a position of
    ``ey_min[i]`` in ``ys = sorted(ey_min)``: it lies in ``[searchsorted(ys, v, "left"),
    searchsorted(ys, v, "right"))`` for ``v = ey_min[i]``.
    """
    ey_min, ey_max = np.minimum(cy, dy), np.maximum(cy, dy)
    n = len(ey_min)
    height = np.maximum.reduceat(_up(ey_max - ey_min, 2), e_start) if n else e_start * 0.0
    by_y = np.argsort(ey_min)
    ys = ey_min[by_y]
    rank = np.empty(n, np.int64)
    rank[by_y] = np.arange(n)
    stride = np.int64(n + 1)
    e_key = e_unit * stride + rank
    e_order = np.argsort(e_key)
    e_key = e_key[e_order]
    lo = np.searchsorted(ys, _up(sy0 - height[k_unit], -2), side="left")
    hi = np.searchsorted(ys, sy1, side="right")
    first = np.searchsorted(e_key, k_unit * stride + lo, side="left")
    n_e = np.searchsorted(e_key, k_unit * stride + hi, side="left") - first
    k = np.repeat(np.arange(len(k_unit)), n_e)
    j = e_order[np.repeat(first - np.cumsum(n_e) + n_e, n_e) + np.arange(n_e.sum())]
    return k, j


def _block(units: np.ndarray, verts: Vertices, ubox: np.ndarray, bnd: Boundary,
           cu: np.ndarray, cc: np.ndarray, nz: int, skip: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys ``unit * nz + zone`` of the uncertified pairs among these (unit, chunk) pairs.

    Units with ``skip`` set are reported for every zone with a segment near them. Also
    returns, for every shared edge (case 1), its pair's key and +1 when the unit's
    interior lies on the same side of the edge as the zone's, -1 on the other, 0 unproven
    (:func:`landuse.geom.vertices.edge_sides`, read only for blocks with a shared edge).
    """
    nothing = (np.zeros(0, np.int64), np.zeros(0, np.int8))
    # (unit, segment) pairs whose bounding boxes meet
    rep = bnd.length[cc]
    pu = np.repeat(cu, rep)
    ps = np.repeat(bnd.start[cc] - np.cumsum(rep) + rep, rep) + np.arange(rep.sum())
    sx0, sy0, sx1, sy1 = bnd.box
    ux0, uy0, ux1, uy1 = ubox
    # (a segment whose box meets the unit's box only on its sides stays out of the interior)
    near = sx0[ps] < ux1[pu]
    pu, ps = pu[near], ps[near]
    near = sx1[ps] > ux0[pu]
    pu, ps = pu[near], ps[near]
    near = (sy0[ps] < uy1[pu]) & (sy1[ps] > uy0[pu])
    pu, ps = pu[near], ps[near]
    direct = skip[pu]
    reported = np.unique(pu[direct] * np.int64(nz) + bnd.zone[ps[direct]])
    pu, ps = pu[~direct], ps[~direct]
    if not len(pu):
        return (reported, *nothing)
    # the edges of these units (all rings), grouped by unit: coordinate i to i + 1
    bu, pl = np.unique(pu, return_inverse=True)
    sub = verts.subset(bu)
    xr, yr = sub.x, sub.y
    owner = np.repeat(np.arange(len(bu)), np.diff(sub.first))
    rh = _point_hash(xr, yr)
    i = np.flatnonzero(sub.edge)
    e_unit = owner[i]
    cx, cy, dx, dy = xr[i], yr[i], xr[i + 1], yr[i + 1]
    e_start = np.searchsorted(e_unit, np.arange(len(bu)))
    # 1. segments that are edges of their unit (exact coordinates, either direction)
    x1, y1, x2, y2 = bnd.x1[ps], bnd.y1[ps], bnd.x2[ps], bnd.y2[ps]
    eh = _mix(e_unit, rh[i] + rh[i + 1])
    ph = _mix(pl, bnd.hash[ps])
    eorder = np.argsort(eh)
    eh_sorted = eh[eorder]
    porder = np.argsort(ph)
    pos = np.empty(len(ph), np.int64)
    pos[porder] = np.searchsorted(eh_sorted, ph[porder])  # sorted needles: cache friendly
    cand = eorder[np.minimum(pos, len(eh) - 1)]
    own = (eh[cand] == ph) & (e_unit[cand] == pl)
    c0, c1, d0, d1 = cx[cand], cy[cand], dx[cand], dy[cand]
    along = (x1 == c0) & (y1 == c1) & (x2 == d0) & (y2 == d1)  # the same direction
    own &= along | ((x1 == d0) & (y1 == d1) & (x2 == c0) & (y2 == c1))
    # the side of the unit's interior, seen along the zone's segment, against the zone's
    mine = np.flatnonzero(own)
    if len(mine):
        sides = edge_sides(sub)
    else:
        sides = np.zeros(len(xr), np.int8)
    seen = sides[i[cand[mine]]] * np.where(along[mine], 1, -1)
    zside = bnd.side[ps[mine]]
    same = np.where((seen == 0) | (zside == 0), 0, np.where(seen == zside, 1, -1))
    shared = (pu[mine] * np.int64(nz) + bnd.zone[ps[mine]], same.astype(np.int8))
    rest = np.flatnonzero(~own)
    if not len(rest):
        return (reported, *shared)
    # 2. every other segment s against the edges of its unit that can meet it
    k_unit = pl[rest]
    ax, ay, bx, by = x1[rest], y1[rest], x2[rest], y2[rest]
    sy0, sy1 = np.minimum(ay, by), np.maximum(ay, by)
    n_edge = np.diff(np.r_[e_start, len(i)])
    if n_edge[k_unit].sum() <= _ALL_EDGES * len(i):  # few: all the edges of s's unit
        k = np.repeat(np.arange(len(rest)), n_edge[k_unit])
        j = (np.repeat(e_start[k_unit] - np.cumsum(n_edge[k_unit]) + n_edge[k_unit],
                       n_edge[k_unit]) + np.arange(len(k)))
    else:
        k, j = _edges_in_y_range(e_unit, e_start, cy, dy, k_unit, sy0, sy1)
    c0, c1, d0, d1 = cx[j], cy[j], dx[j], dy[j]
    meet = ((np.maximum(ax, bx)[k] >= np.minimum(c0, d0))
            & (np.minimum(ax, bx)[k] <= np.maximum(c0, d0))
            & (sy1[k] >= np.minimum(c1, d1)) & (sy0[k] <= np.maximum(c1, d1)))
    k, j = k[meet], j[meet]
    # a vertex of the unit at an end of s starts an edge whose box meets s
    a_vertex = np.zeros(len(rest), bool)
    b_vertex = np.zeros(len(rest), bool)
    a_vertex[k[(ax[k] == cx[j]) & (ay[k] == cy[j])]] = True
    b_vertex[k[(bx[k] == cx[j]) & (by[k] == cy[j])]] = True
    # contact: s meets each edge at most in a shared vertex, not collinear with the edge
    ax_, ay_, bx_, by_ = ax[k], ay[k], bx[k], by[k]
    c0, c1, d0, d1 = cx[j], cy[j], dx[j], dy[j]
    share_a = ((ax_ == c0) & (ay_ == c1)) | ((ax_ == d0) & (ay_ == d1))
    share_b = ((bx_ == c0) & (by_ == c1)) | ((bx_ == d0) & (by_ == d1))
    o_a = _orient(c0, c1, d0, d1, ax_, ay_)
    o_b = _orient(c0, c1, d0, d1, bx_, by_)
    apart = (o_a * o_b > 0) | (_orient(ax_, ay_, bx_, by_, c0, c1)
                               * _orient(ax_, ay_, bx_, by_, d0, d1) > 0)
    # one shared end p: the segments meet only in p if the other ends q (of s) and r (of
    # the edge) are not collinear with it, or lie on opposite sides of p in x or in y
    # (signs of coordinate differences are exact)
    qx, qy = np.where(share_a, bx_, ax_), np.where(share_a, by_, ay_)
    px, py = np.where(share_a, ax_, bx_), np.where(share_a, ay_, by_)
    at_c = ((px == c0) & (py == c1))
    rx, ry = np.where(at_c, d0, c0), np.where(at_c, d1, c1)
    opposite = ((np.sign(qx - px) * np.sign(rx - px) < 0)
                | (np.sign(qy - py) * np.sign(ry - py) < 0))
    one = share_a ^ share_b
    fine = apart | (one & ((np.where(share_a, o_b, o_a) != 0) | opposite))
    ok = np.ones(len(rest), bool)
    ok[k[~fine]] = False
    # then s minus that vertex avoids the unit's boundary: its free end decides, and must
    # lie outside (GEOS point-in-polygon, which reports the boundary as "intersects")
    chord = a_vertex & b_vertex
    test = np.flatnonzero(ok & ~chord)
    free = ~a_vertex[test]
    outside = ~shapely.intersects_xy(units[bu[k_unit[test]]], np.where(free, ax[test], bx[test]),
                                     np.where(free, ay[test], by[test]))
    certified = np.zeros(len(rest), bool)
    certified[test[outside]] = True
    bad = rest[~certified]
    return (np.concatenate([reported, np.unique(pu[bad] * np.int64(nz) + bnd.zone[ps[bad]])]),
            *shared)
