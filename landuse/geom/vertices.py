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

__all__ = ["Vertices", "vertex_table"]


class Vertices(NamedTuple):
    """Coordinates of polygons, grouped by polygon, every ring closed.

    ``x[first[i]:first[i + 1]]`` (and ``y``) are the coordinates of polygon ``i``
    (exterior ring, then the holes, each ring closed by repeating its first coordinate);
    ``edge[k]`` is true when coordinates ``k`` and ``k + 1`` are the two ends of an edge
    (the same ring).
    """

    x: np.ndarray  # (m,) float64, contiguous
    y: np.ndarray  # (m,) float64, contiguous
    first: np.ndarray  # (n + 1,) int64 offsets
    edge: np.ndarray  # (m,) bool

    def rows(self, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coordinate rows of the polygons ``which`` (in that order) and their owner.

        Returns ``rows`` (indices into ``x`` and ``y``) and ``owner`` (position in ``which`` of the
        polygon each row belongs to, non-decreasing).
        """
        which = np.asarray(which, dtype=np.int64)
        start = self.first[which]
        count = self.first[which + 1] - start
        owner = np.repeat(np.arange(len(which)), count)
        rows = np.repeat(start - np.cumsum(count) + count, count) + np.arange(count.sum())
        return rows, owner


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
    return Vertices(np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]), first, edge)
