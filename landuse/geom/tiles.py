"""Cut polygons with many vertices into tiles that partition them exactly.

A county-wide zone (a redline, a township) can have tens of thousands of vertices. Every
intersection of a small patch with it costs time proportional to that vertex count, so the
overlay engine first cuts such polygons with a recursive bisection of their bounding box
until every tile has at most ``max_vertices`` coordinates. Tiles of one polygon have
disjoint interiors and their union is the polygon: the cut lines are axis-parallel lines at
exactly representable coordinates, so the areas of the tiles (and of anything intersected
with them) add up to the area of the whole within floating-point rounding.
"""

from __future__ import annotations

import numpy as np
import shapely

from landuse.geom.vertices import Vertices, vertex_table

__all__ = ["clip", "polygonal", "rectangles", "split_large"]

_POLYGONAL_TYPES = (3, 6)  # shapely type ids of Polygon and MultiPolygon
_COLLECTION = 7


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal part of each geometry (drop lines and points).

    An overlay of two polygons can return a GeometryCollection holding, besides the
    polygons, lines or points where the inputs only touch. Those have zero area; this
    helper removes them so that results are Polygon or MultiPolygon (or an empty polygon).

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Results of a polygon-polygon overlay.

    Returns
    -------
    numpy.ndarray
        New object array, same length; Polygon/MultiPolygon inputs are returned as is.
    """
    geoms = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(geoms)
    out = geoms.copy()
    lower = np.isin(types, (0, 1, 2, 4, 5))
    out[lower] = shapely.Polygon()
    coll = np.flatnonzero(types == _COLLECTION)
    if coll.size:
        parts, idx = shapely.get_parts(geoms[coll], return_index=True)
        parts, idx2 = shapely.get_parts(parts, return_index=True)  # flatten MultiPolygons
        idx = idx[idx2]
        keep = shapely.get_type_id(parts) == 3
        merged = np.full(coll.size, None, dtype=object)
        merged[:] = shapely.Polygon()
        if keep.any():
            present = np.unique(idx[keep])
            local = np.searchsorted(present, idx[keep])  # indices must run 0..k-1
            merged[present] = shapely.multipolygons(parts[keep], indices=local)
        out[coll] = merged
    return out


def clip(geoms: np.ndarray, box: np.ndarray, *, valid: bool = True,
         index: np.ndarray | None = None) -> np.ndarray:
    """``geoms[i]`` ∩ the rectangle ``box[i]`` (rows xmin, ymin, xmax, ymax).

    GEOS's rectangle clipper (``clip_by_rect``) is an order of magnitude faster than a
    general intersection, but gives wrong sets when the polygon has a vertex or an edge on
    a side of the rectangle (libgeos/geos#605; e.g. a ring that comes back along the
    side: a valid polygon of the wrong area). It is used only in general position: when
    no coordinate of ``geoms[i]`` lies on one of the four lines x = xmin, x = xmax,
    y = ymin, y = ymax (exact comparisons); the other pairs are intersected with
    ``shapely.intersection`` (OverlayNG). With ``valid=True`` a clipped result that is not
    a valid geometry is also computed again with OverlayNG. Inputs must be valid.

    With ``index``, pair ``i`` is ``geoms[index[i]]`` and ``box[i]`` (a few geometries
    clipped by many rectangles: each geometry's coordinates are read once).
    """
    geoms = np.asarray(geoms, dtype=object)
    box = np.asarray(box, dtype=np.float64).reshape(-1, 4)
    if index is None:
        general = _general_position(geoms, box)
    else:
        general = _general_position_indexed(geoms, np.asarray(index, dtype=np.int64), box)
        geoms = geoms[index]
    out = np.empty(len(geoms), dtype=object)
    fast = np.flatnonzero(general)
    out[fast] = _clip_by_rect(geoms[fast], box[fast])
    slow = np.flatnonzero(~general)
    failed = fast[shapely.is_missing(out[fast])]
    if valid and len(fast):
        slow = np.concatenate([slow, fast[~shapely.is_valid(out[fast])]])
    elif len(failed):
        slow = np.concatenate([slow, failed])
    if len(slow):
        out[slow] = shapely.intersection(geoms[slow], shapely.box(*box[slow].T))
    return out


def _general_position(geoms: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Whether no coordinate of ``geoms[i]`` lies on a line of the sides of ``box[i]``."""
    count = shapely.get_num_coordinates(geoms)
    xy = shapely.get_coordinates(geoms)
    x, y = xy[:, 0], xy[:, 1]
    on_line = ((x == np.repeat(box[:, 0], count)) | (x == np.repeat(box[:, 2], count))
               | (y == np.repeat(box[:, 1], count)) | (y == np.repeat(box[:, 3], count)))
    owner = np.repeat(np.arange(len(geoms)), count)
    return np.bincount(owner[on_line], minlength=len(geoms)) == 0


def _general_position_indexed(geoms: np.ndarray, index: np.ndarray, box: np.ndarray
                              ) -> np.ndarray:
    """:func:`_general_position` of the pairs ``(geoms[index[i]], box[i])``.

    Each coordinate value is replaced by its rank among the sorted values of its axis (the
    first position of an equal value, so equal values share a rank); a pair's line value
    is on the geometry exactly when it occurs among the values (the same rank, equal) and
    the key (geometry, rank) is one of the geometry's keys.
    """
    count = shapely.get_num_coordinates(geoms)
    xy = shapely.get_coordinates(geoms)
    owner = np.repeat(np.arange(len(geoms), dtype=np.int64), count)
    on = np.zeros(len(index), dtype=bool)
    if not len(xy):
        return ~on
    stride = np.int64(len(xy) + 1)
    for axis, (lo, hi) in ((0, (0, 2)), (1, (1, 3))):
        values = np.sort(xy[:, axis])
        keys = np.unique(owner * stride + np.searchsorted(values, xy[:, axis], side="left"))
        for line in (box[:, lo], box[:, hi]):
            rank = np.searchsorted(values, line, side="left")
            occurs = values[np.minimum(rank, len(values) - 1)] == line
            key = index * stride + rank
            at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            on |= occurs & (keys[at] == key)
    return ~on


def _clip_by_rect(geoms: np.ndarray, box: np.ndarray) -> np.ndarray:
    """GEOS's rectangle clipper on each pair, ``None`` where it fails.

    One vectorised call (the ufunc takes one rectangle per geometry); if GEOS raises,
    the pairs are clipped one by one so that only the failing ones are lost. It can raise
    on valid input in general position ("Invalid number of points in LinearRing found
    3", a degenerate ring of its own making); :func:`clip` then intersects those pairs
    with OverlayNG.
    """
    out = np.empty(len(geoms), dtype=object)
    if not len(geoms):
        return out
    try:
        out[:] = shapely.lib.clip_by_rect(geoms, box[:, 0], box[:, 1], box[:, 2], box[:, 3])
    except shapely.errors.GEOSException:
        for k, (g, r) in enumerate(zip(geoms, box.tolist(), strict=True)):
            try:
                out[k] = shapely.lib.clip_by_rect(g, *r)
            except shapely.errors.GEOSException:
                out[k] = None
    return out


def split_large(
    geoms: np.ndarray, *, max_vertices: int = 256, max_depth: int = 24
) -> tuple[np.ndarray, np.ndarray]:
    """Cut every geometry with more than ``max_vertices`` coordinates into tiles.

    Each too-large geometry is intersected with the two halves of its bounding box (split
    across its longer side at the midpoint); halves that are still too large are split
    again, at most ``max_depth`` times. Geometries that are small enough are returned
    unchanged (the same objects).

    Parameters
    ----------
    geoms : numpy.ndarray of shapely Polygon/MultiPolygon
        Valid polygonal geometries, no missing values.
    max_vertices : int, default 256
        Largest number of coordinates a tile may keep (at least 16 is used).
    max_depth : int, default 24
        Bound on the number of bisections (a safety stop for vertex clusters).

    Returns
    -------
    tiles : numpy.ndarray
        The tiles (non-empty polygonal geometries).
    parent : numpy.ndarray of int64
        For each tile, the position of the geometry it came from. For every ``i`` the
        tiles with ``parent == i`` have disjoint interiors and their union is
        ``geoms[i]`` (so their areas sum to its area within floating error).
    """
    geoms = np.asarray(geoms, dtype=object)
    max_vertices = max(int(max_vertices), 16)  # a box alone has 5 coordinates
    count = shapely.get_num_coordinates(geoms)
    big = count > max_vertices
    out_tiles = [geoms[~big]]
    out_parent = [np.flatnonzero(~big)]
    work, parent = geoms[big], np.flatnonzero(big)
    depth = 0
    while work.size and depth < max_depth:
        xmin, ymin, xmax, ymax = shapely.bounds(work).T
        wide = (xmax - xmin) >= (ymax - ymin)
        midx = xmin + (xmax - xmin) / 2.0
        midy = ymin + (ymax - ymin) / 2.0
        # the halves, widened on the three sides that are not the cut by the size of the
        # box, so that only the cut line can carry a vertex (see clip)
        m = np.maximum(xmax - xmin, ymax - ymin) + 1.0
        x0, y0, x1, y1 = xmin - m, ymin - m, xmax + m, ymax + m
        box = np.concatenate([
            np.column_stack([x0, y0, np.where(wide, midx, x1), np.where(wide, y1, midy)]),
            np.column_stack([np.where(wide, midx, x0), np.where(wide, y0, midy), x1, y1]),
        ])
        halves = polygonal(clip(np.concatenate([work, work]), box))
        hparent = np.concatenate([parent, parent])
        nonempty = ~shapely.is_empty(halves)
        halves, hparent = halves[nonempty], hparent[nonempty]
        small = shapely.get_num_coordinates(halves) <= max_vertices
        out_tiles.append(halves[small])
        out_parent.append(hparent[small])
        work, parent = halves[~small], hparent[~small]
        depth += 1
    out_tiles.append(work)
    out_parent.append(parent)
    tiles = np.concatenate(out_tiles)
    parents = np.concatenate(out_parent).astype(np.int64)
    order = np.argsort(parents, kind="stable")
    return tiles[order], parents[order]


def rectangles(
    geoms: np.ndarray, *, which: np.ndarray | None = None, verts: Vertices | None = None
) -> np.ndarray:
    """Whether each geometry is a valid Polygon equal to its bounding box (a rectangle).

    Exact test on the coordinates: a Polygon without holes whose every edge is
    axis-parallel and of positive length (exactly one of its coordinates changes), and
    whose ring turns four times, all to the left or all to the right (the direction of
    each edge is one of +x, +y, -x, -y; between consecutive edges, including the last and
    the first, it stays the same or turns by a quarter, and never reverses). A closed
    walk made of four straight legs joined by quarter turns of one sense goes +a, +b, -a,
    -b in some order: it is the boundary of a rectangle, passed once, so the ring is
    simple, the polygon valid and equal to its box, possibly with extra collinear vertices
    (a densified grid cell). The comparisons are exact (signs of coordinate differences).

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
    which : numpy.ndarray of int, optional
        Positions in ``geoms`` to test (default: all).
    verts : Vertices, optional
        The coordinates of ``geoms`` (:func:`landuse.geom.vertices.vertex_table`), if the
        caller has them already.

    Returns
    -------
    numpy.ndarray of bool
        One value per position of ``which``; true only for valid rectangles.
    """
    geoms = np.asarray(geoms, dtype=object)
    which = np.arange(len(geoms)) if which is None else np.asarray(which, dtype=np.int64)
    g = geoms[which]
    if verts is None:
        ok = (shapely.get_type_id(g) == 3) & (shapely.get_num_interior_rings(g) == 0)
        verts, which = vertex_table(g, np.flatnonzero(ok)), np.arange(len(g))
    first, end = verts.first[which], verts.first[which + 1]
    ok = end - first >= 5
    # quick necessary condition: the edges at the start, a quarter, half and three
    # quarters of the ring are axis-parallel
    for k in (first, first + (end - first) // 4, (first + end) // 2, end - (end - first) // 4):
        row = np.minimum(k, np.maximum(end - 2, first))[ok]
        ok[ok] = (verts.x[row] == verts.x[row + 1]) | (verts.y[row] == verts.y[row + 1])
    cand = np.flatnonzero(ok)
    gc = g[cand]
    cand = cand[(shapely.get_type_id(gc) == 3) & (shapely.get_num_interior_rings(gc) == 0)]
    ok[:] = False
    ok[cand] = True
    if not len(cand):
        return ok
    sub = verts.subset(which[cand])
    x, y = sub.x, sub.y
    count = (end - first)[cand]
    start = np.cumsum(count) - count  # first coordinate of each polygon in x, y
    last = start + count - 2  # its last edge (edge k runs from coordinate k to k + 1)
    right, left = x[1:] > x[:-1], x[1:] < x[:-1]
    up, down = y[1:] > y[:-1], y[1:] < y[:-1]
    axis = (right | left) ^ (up | down)  # one coordinate changes: axis-parallel, not empty
    axis[start[1:] - 1] = True  # (the step from one polygon to the next is no edge)
    # direction of each edge: 0 = +x, 1 = +y, 2 = -x, 3 = -y
    code = up.view(np.int8) + 2 * left.view(np.int8) + 3 * down.view(np.int8)
    turn = (code[1:] - code[:-1]) & 3  # at coordinate k + 1, from edge k to edge k + 1
    turn[start[1:] - 2] = 0  # (no turn across the step between polygons)
    turn[start[1:] - 1] = 0
    at = np.flatnonzero(turn)
    owner = np.searchsorted(start, at + 1, side="right") - 1
    closing = (code[start] - code[last]) & 3  # at the first coordinate, last to first edge
    n = len(cand)
    n_left = np.bincount(owner[turn[at] == 1], minlength=n) + (closing == 1)
    n_right = np.bincount(owner[turn[at] == 3], minlength=n) + (closing == 3)
    n_back = np.bincount(owner[turn[at] == 2], minlength=n) + (closing == 2)
    skew = np.bincount(np.searchsorted(start, np.flatnonzero(~axis), side="right") - 1,
                       minlength=n)
    four = ((n_left == 4) & (n_right == 0)) | ((n_right == 4) & (n_left == 0))
    ok[cand[~(four & (n_back == 0) & (skew == 0))]] = False
    return ok
