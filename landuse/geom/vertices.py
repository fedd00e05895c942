"""The coordinates of a layer of polygons, read once and shared by the engine's steps.

The proof of :mod:`landuse.geom.classify`, the rectangle test of
:mod:`landuse.geom.tiles` and the point location of :mod:`landuse.geom.pieces` all work on
the coordinates of the same units. Reading them from GEOS is a large part of the cost of a
tabulation when few pairs need an intersection, so it is done once per tabulation
(:func:`vertex_table`) and every step gathers the rows of the units it needs
(:meth:`Vertices.rows`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import shapely

__all__ = ["Vertices", "edge_sides", "vertex_table"]


class Vertices(NamedTuple):
    """Coordinates of polygons, grouped by polygon, every ring closed.

    ``x[first[i]:first[i + 1]]`` (and ``y``) are the coordinates of polygon ``i``
    (exterior ring, then the holes, each ring closed by repeating its first coordinate);
    ``edge[k]`` is true when coordinates ``k`` and ``k + 1`` are the two ends of an edge
    (the same ring).
    """

    x: np.ndarray  # (m,) float64 (may be a strided view of an (m, 2) array)
    y: np.ndarray  # (m,) float64 (likewise)
    first: np.ndarray  # (n + 1,) int64 offsets
    edge: np.ndarray  # (m,) bool

    def subset(self, which: np.ndarray) -> Vertices:
        """Return the table of the polygons ``which`` (in that order): ``k`` is ``which[k]``.

        When ``which`` lists every polygon that has coordinates, in order, the arrays are
        shared, not copied.
        """
        which = np.asarray(which, dtype=np.int64)
        start = self.first[which]
        count = self.first[which + 1] - start
        first = np.zeros(len(which) + 1, dtype=np.int64)
        np.cumsum(count, out=first[1:])
        if first[-1] == len(self.x) and (start == first[:-1]).all():  # the whole table
            return Vertices(self.x, self.y, first, self.edge)
        rows = np.repeat(start - first[:-1], count) + np.arange(first[-1])
        return Vertices(self.x[rows], self.y[rows], first, self.edge[rows])

    def rings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the rings: ``ring_of`` each coordinate, ``starts``, ``exterior``.

        ``starts`` is the first coordinate of each ring, ``exterior`` whether the ring is
        its polygon's exterior (the first one). A ring starts at coordinate 0 and after
        every coordinate that starts no edge (the closing coordinate of a ring, or of a
        polygon).
        """
        if not len(self.x):
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool)
        new = np.r_[True, ~self.edge[:-1]]
        ring_of = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        firsts = self.first[:-1][self.first[1:] > self.first[:-1]]  # non-empty polygons
        exterior = np.zeros(len(starts), bool)
        exterior[np.searchsorted(starts, firsts)] = True  # each is a ring start
        return ring_of, starts, exterior


def vertex_table(polys: np.ndarray, which: np.ndarray | None = None) -> Vertices:
    """Read the coordinates of the shapely Polygons ``polys`` (or of ``polys[which]``).

    Parameters
    ----------
    polys : numpy.ndarray of shapely geometries
    which : numpy.ndarray of int, optional
        Sorted positions of the polygons to read; the others get no coordinates.

    Returns
    -------
    Vertices
    """
    polys = np.asarray(polys, dtype=object)
    count = np.zeros(len(polys), dtype=np.int64)
    if which is None:
        which = np.arange(len(polys))
        count[:] = shapely.get_num_coordinates(polys)
        xy = shapely.get_coordinates(polys)  # (return_index=True costs three times as much)
    else:
        which = np.asarray(which, dtype=np.int64)
        count[which] = shapely.get_num_coordinates(polys[which])
        xy = shapely.get_coordinates(polys[which])
    first = np.zeros(len(polys) + 1, dtype=np.int64)
    np.cumsum(count, out=first[1:])
    edge = np.ones(len(xy), dtype=bool)
    if len(xy):  # the last coordinate of a polygon starts no edge (an empty polygon
        edge[first[1:] - 1] = False  # marks the last one of the polygon before it)
    holed = which[shapely.get_num_interior_rings(polys[which]) > 0]
    if len(holed):  # the last coordinate of a ring and the first of the next make no edge
        rings, ring_of = shapely.get_rings(polys[holed], return_index=True)
        size = shapely.get_num_coordinates(rings)
        last_ring = np.r_[ring_of[1:] != ring_of[:-1], True]
        after = np.cumsum(size)  # in the coordinates of the holed polygons, concatenated
        base = (after - size)[np.searchsorted(ring_of, np.arange(len(holed)))]
        end = first[holed][ring_of] + after - base[ring_of] - 1  # the closing coordinate
        edge[end[~last_ring]] = False
    return Vertices(xy[:, 0], xy[:, 1], first, edge)


_EPS = 2.0 ** -53


def edge_sides(vt: Vertices) -> np.ndarray:
    """Give each edge the side its polygon's interior lies on: +1 left, -1 right, 0 unproven.

    ``out[k]`` is for the edge from coordinate ``k`` to ``k + 1`` (0 where ``k`` starts no
    edge). Along an edge of a valid polygon the interior lies on one side only: the left
    of an exterior ring that turns counter-clockwise, the right of a clockwise one, and
    the other way round for a hole. A ring's turn is the sign of its shoelace sum
    ``Σ (x[k+1] - x[k]) (y[k+1] + y[k])`` (negative for counter-clockwise), used only when
    proven: every difference ``x[k+1] - x[k]`` is exact (by Sterbenz's lemma when the
    ring's x lie within a factor of two with one sign, as in projected coordinates; else
    each is checked with Knuth's TwoSum, whose error term is exact) and the sum exceeds
    its rounding bound ``2 (n + 3) u Σ |term|`` (u = 2**-53); otherwise the ring's edges
    get 0.
    """
    n = len(vt.x)
    out = np.zeros(n, np.int8)
    if n < 2 or not vt.edge.any():
        return out
    ring_of, starts, exterior = vt.rings()
    x, y = vt.x, vt.y
    edge = vt.edge[:-1]
    dx = x[1:] - x[:-1]
    term = np.where(edge, dx * (y[1:] + y[:-1]), 0.0)
    seg = np.minimum(starts, n - 2)  # a ring's terms start at its first coordinate
    total = np.add.reduceat(term, seg)
    size = np.add.reduceat(np.abs(term), seg)
    count = np.diff(np.r_[starts, n])
    # every difference exact: by Sterbenz's lemma when the ring's x lie within a factor of
    # two of each other (one sign), else each checked with TwoSum
    lo, hi = np.minimum.reduceat(x, starts), np.maximum.reduceat(x, starts)
    exact = ((lo > 0) & (hi <= 2 * lo)) | ((hi < 0) & (lo >= 2 * hi))
    check = np.flatnonzero(~exact)
    if len(check):
        back = dx - x[1:]  # TwoSum (Knuth): the rounding error of x1 + (-x0), exactly
        error = (x[1:] - (dx - back)) + (-x[:-1] - back)
        wrong = np.zeros(len(starts), bool)
        wrong[ring_of[:-1][edge & (error != 0)]] = True
        exact[check] = ~wrong[check]
    proven = exact & (np.abs(total) > 2 * (count + 3) * _EPS * size)
    turn = np.where(proven, np.where(total < 0, 1, -1), 0).astype(np.int8)  # +1 = CCW
    side = np.where(exterior, turn, -turn).astype(np.int8)
    out[:-1] = np.where(edge, np.repeat(side, count)[:-1], 0)
    return out
