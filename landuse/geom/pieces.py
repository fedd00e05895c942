"""The pieces of a tabulation: whole patches where a proof allows, intersections elsewhere.

Internal building block of :func:`landuse.overlay.tabulate` (steps 3 to 7 of
``docs/overlay.md``): it works on numpy arrays of shapely geometries.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyproj
import shapely

from landuse.geom.classify import boundary, crossing_pairs
from landuse.geom.geodesic import geodesic_area
from landuse.geom.tiles import clip, polygonal, rectangles, split_large
from landuse.geom.vertices import Vertices, vertex_table

__all__ = ["cpus", "pieces", "run_map", "spans"]



def pieces(
    units: np.ndarray, zones: np.ndarray, *, crs: pyproj.CRS | None,
    keep_geometry: bool, chunk_size: int, n_jobs: int | None, check: Any,
    zone_vertices: int = 64,
) -> dict[str, np.ndarray]:
    """Area (and geometry) of every positive-area overlap of an A-unit and a zone.

    ``units`` are single polygons (parts of tiles of A-features). For a (unit, zone) pair
    whose bounding boxes meet, :func:`landuse.geom.classify.crossing_pairs` proves with
    exact arithmetic that the zone's boundary stays out of the unit's interior, or reports
    the pair; a proven unit lies wholly inside or wholly outside (it is connected), so one
    of its points not on the zone's boundary decides (point-in-polygon on the prepared
    zone) and its whole area is taken. Only reported pairs are intersected, with the
    tiles of the zone (at most ``zone_vertices`` coordinates); ``check(units)`` is called
    on those units first (validity).
    """
    jobs = n_jobs or cpus()
    nz = max(len(zones), 1)
    # one tree over the units, queried with the (few) zones, boundary chunks and tiles:
    # building it costs about as much as one query of all units in a tree of zones
    utree = shapely.STRtree(units)
    iz, iu = utree.query(zones)  # candidate pairs by bounding box
    order = np.lexsort((iz, iu))
    iu, iz = iu[order].astype(np.int64), iz[order].astype(np.int64)
    need_geom = keep_geometry or crs is not None
    bnd = boundary(zones)
    cc, cu = utree.query(bnd.boxes)  # (unit, boundary chunk) pairs whose boxes meet
    # only units near a boundary need their coordinates (read once, shared below)
    verts = vertex_table(units, np.unique(cu))
    rect_u = np.zeros(len(units), np.int8) - 1  # rectangle units: 1, 0, -1 not known yet

    def is_rect(which: np.ndarray) -> np.ndarray:
        todo = which[rect_u[which] < 0]
        rect_u[todo] = rectangles(units, which=todo, verts=verts)
        return rect_u[which] == 1

    # rectangles (grid cells) are clipped faster than proven when only areas are needed
    xu, xz, (side_key, side_in) = crossing_pairs(
        units, bnd, block=chunk_size, map_fn=lambda f, items: run_map(f, items, jobs),
        direct=None if need_geom else is_rect, verts=verts, near=(cu, cc))
    pair_key = iu * nz + iz
    crossing = np.isin(pair_key, xu * nz + xz)
    off = np.flatnonzero(~crossing)
    # a pair proven not to cross that shares an edge lies on the side the edge says
    at = np.minimum(np.searchsorted(side_key, pair_key[off]), max(len(side_key) - 1, 0))
    known = (side_key[at] == pair_key[off]) if len(side_key) else np.zeros(len(off), bool)
    inside = np.zeros(len(off), bool)
    inside[known] = side_in[at[known]]
    # a unit whose box meets no chunk box of the zone has its whole box inside or outside
    # the zone: a corner of the box decides
    near = np.isin(pair_key[off], cu * nz + bnd.zone[bnd.start[cc]])
    far = np.flatnonzero(~known & ~near)
    inside[far] = _corner_inside(units, zones, iu[off[far]], iz[off[far]])
    ask = np.flatnonzero(~known & near)
    located, unsure = _locate(units, verts, zones, iu[off[ask]], iz[off[ask]])
    inside[ask] = located
    crossing[off[ask[unsure]]] = True  # no point off the boundary found: intersect (exact)
    whole = off[inside]
    # units on a boundary: intersect with the tiles of that zone (only zones that need it)
    need = np.unique(iz[crossing])
    tiles, tile_zone = split_large(zones[need], max_vertices=zone_vertices)
    tile_zone = need[tile_zone]
    cross_u = np.unique(iu[crossing])
    rect_c = np.zeros(len(units), bool)
    if not need_geom:  # area only: axis-parallel rectangles are clipped with GEOS's clipper
        rect_c[cross_u] = is_rect(cross_u)
    check(cross_u[~rect_c[cross_u]])  # a rectangle is valid (tiles.rectangles proves it)
    tt, tu = utree.query(tiles)
    keep = np.isin(tu * nz + tile_zone[tt], pair_key[crossing])
    tu, tt = tu[keep], tt[keep]
    order = np.lexsort((tt, tu))
    tu, tt = tu[order], tt[order]
    bounds = spans(tu, chunk_size)

    rect_t = np.zeros(len(tiles), bool) if need_geom else rectangles(tiles)

    def cut(span: tuple[int, int]) -> dict[str, np.ndarray]:
        u, t = tu[span[0] : span[1]], tt[span[0] : span[1]]
        by_tile, by_unit = rect_t[t], rect_c[u] & ~rect_t[t]
        general = ~(by_tile | by_unit)
        geom = np.empty(len(u), dtype=object)
        geom[general] = shapely.intersection(units[u[general]], tiles[t[general]])
        # (only areas are kept: a clipped piece need not be a valid geometry)
        geom[by_tile] = clip(units[u[by_tile]], shapely.bounds(tiles[t[by_tile]]), valid=False)
        geom[by_unit] = clip(tiles, shapely.bounds(units[u[by_unit]]), valid=False,
                             index=t[by_unit])
        geom = polygonal(geom)
        planar = shapely.area(geom)
        hit = planar > 0.0
        return {"iu": u[hit], "iz": tile_zone[t[hit]], "planar": planar[hit],
                "geometry": geom[hit] if need_geom else None}

    parts = list(run_map(cut, bounds, jobs))
    whole_geom = units[iu[whole]]
    out: dict[str, np.ndarray] = {
        "iu": np.concatenate([iu[whole], *[p["iu"] for p in parts]]).astype(np.int64),
        "iz": np.concatenate([iz[whole], *[p["iz"] for p in parts]]).astype(np.int64),
        "planar": np.concatenate([shapely.area(whole_geom), *[p["planar"] for p in parts]]),
    }
    if need_geom:
        out["geometry"] = np.concatenate([whole_geom, *[p["geometry"] for p in parts]])
    if crs is not None:
        out["ellipsoidal"] = geodesic_area(out["geometry"], crs)
    return out


def _corner_inside(units: np.ndarray, zones: np.ndarray, iu: np.ndarray, iz: np.ndarray
                   ) -> np.ndarray:
    """Whether unit ``iu[k]`` lies inside zone ``iz[k]``; its box meets no chunk box of the zone.

    The unit's (closed) bounding box is connected and meets no point of the zone's
    boundary, so it lies in the zone's interior or in its exterior as a whole, and so does
    the unit in it: the box's lower-left corner decides (``contains_xy``; it is not on the
    boundary).
    """
    if not len(iu):
        return np.zeros(0, bool)
    shapely.prepare(zones)
    corner = shapely.bounds(units[iu])
    return shapely.contains_xy(zones[iz], corner[:, 0], corner[:, 1])


def _locate(
    units: np.ndarray, verts: Vertices, zones: np.ndarray, iu: np.ndarray, iz: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whether unit ``iu[k]`` lies inside zone ``iz[k]``, for pairs proven not to cross.

    Tries the unit's vertices at 0, 1/2, 1/4 and 3/4 of its coordinates, then
    ``point_on_surface``; a point decides when it is not on the zone's boundary
    (``contains_xy`` and ``intersects_xy`` on the prepared zone agree). Returns ``inside``
    and the positions where every point was on the boundary. Runs in one thread (prepared
    zones build their index lazily and are not thread-safe).
    """
    shapely.prepare(zones)
    inside = np.zeros(len(iu), dtype=bool)
    todo = np.arange(len(iu))
    start = verts.first[iu]
    size = verts.first[iu + 1] - start
    for attempt in range(5):
        if not len(todo):
            break
        if attempt < 4:  # (a patch drawn along a zone's edges has many vertices on it)
            row = start[todo] + size[todo] * (0, 2, 1, 3)[attempt] // 4
            x, y = verts.x[row], verts.y[row]
        else:
            x, y = shapely.get_coordinates(shapely.point_on_surface(units[iu[todo]])).T
        within, decided = _side(zones[iz[todo]], x, y)
        inside[todo[decided]] = within[decided]
        todo = todo[~decided]
    return inside, todo


def _side(z: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Point location of ``(x[k], y[k])`` in the prepared polygon ``z[k]``.

    Returns ``within`` (in the interior) and ``decided`` (not on the boundary). A point is
    in the interior when ``contains_xy`` holds and outside when ``intersects_xy`` does not;
    only the points that the first test leaves open get the second. Which test goes first
    (the one that settles more points) is chosen on every 16th point, tested both ways;
    either order gives the same answer.
    """
    n = len(x)
    sample = np.arange(0, n, 16)
    inside_share = shapely.contains_xy(z[sample], x[sample], y[sample]).mean() if n else 0.0
    if inside_share >= 0.5:  # mostly inside: contains first, intersects on the others
        within = shapely.contains_xy(z, x, y)
        rest = np.flatnonzero(~within)
        decided = within.copy()
        decided[rest] = ~shapely.intersects_xy(z[rest], x[rest], y[rest])
    else:  # mostly outside: intersects first, contains on the points it hits
        hit = np.flatnonzero(shapely.intersects_xy(z, x, y))
        within = np.zeros(n, bool)
        within[hit] = shapely.contains_xy(z[hit], x[hit], y[hit])
        decided = np.ones(n, bool)
        decided[hit] = within[hit]
    return within, decided


def spans(owner: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Slices of about ``size`` rows of a sorted ``owner`` array, cut where it changes."""
    if not len(owner):
        return []
    cuts = np.unique(np.searchsorted(owner, owner[:: max(size, 1)], side="left"))
    return list(itertools.pairwise([*cuts.tolist(), len(owner)]))


def cpus() -> int:
    """Return the number of CPUs (at least 1)."""
    return os.cpu_count() or 1


def run_map(func: Any, items: list, jobs: int) -> list:
    """``map`` on a thread pool (GEOS releases the GIL), in order; inline for one job."""
    if jobs == 1 or len(items) <= 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(func, items))
