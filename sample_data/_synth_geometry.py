"""Geometry helpers for the synthetic sample county (used by ``make_sample.py``).

Everything is built in a local metric frame (origin at the county centre) and moved to
EPSG:4527 at the end. The planar partition is made from *linework*: every boundary
(county outline, village boundaries, zone outlines, patch edges, road and river banks) is
a line drawn once, displaced once by a smooth noise field of position, noded once with
a 1 mm snap-rounding grid and polygonised. Adjacent faces therefore share their edges
vertex for vertex: no gaps, no overlaps, by construction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon

GRID = 0.001  # metres: snap-rounding grid for noding and for all output coordinates


class NoiseField:
    """Smooth deterministic 2-D vector field: a sum of plane waves (metres in, metres out).

    ``disp(xy)`` returns an (n, 2) displacement whose components have standard deviation
    about ``amplitude``; wavelengths are spread log-uniformly over ``wavelengths``.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        *,
        amplitude: float,
        wavelengths: tuple[float, float],
        n_waves: int = 10,
    ) -> None:
        lo, hi = np.log(wavelengths[0]), np.log(wavelengths[1])
        wl = np.exp(rng.uniform(lo, hi, size=(2, n_waves)))
        ang = rng.uniform(0.0, 2 * np.pi, size=(2, n_waves))
        k = 2 * np.pi / wl
        self.kx = k * np.cos(ang)
        self.ky = k * np.sin(ang)
        self.phase = rng.uniform(0.0, 2 * np.pi, size=(2, n_waves))
        weight = wl / wl.max(axis=1, keepdims=True)  # longer waves carry more amplitude
        norm = np.sqrt((weight**2).sum(axis=1, keepdims=True) / 2.0)
        self.weight = amplitude * weight / norm

    def scalar(self, xy: np.ndarray, component: int = 0) -> np.ndarray:
        """Return one component of the field at the points ``xy`` (n, 2)."""
        out = np.zeros(len(xy))
        step = 500_000
        for s in range(0, len(xy), step):
            x = xy[s : s + step, 0:1]
            y = xy[s : s + step, 1:2]
            arg = x * self.kx[component] + y * self.ky[component] + self.phase[component]
            out[s : s + step] = (np.sin(arg) * self.weight[component]).sum(axis=1)
        return out

    def disp(self, xy: np.ndarray) -> np.ndarray:
        """Return the (n, 2) displacement at the points ``xy``."""
        return np.column_stack([self.scalar(xy, 0), self.scalar(xy, 1)])


def displaced(geoms: np.ndarray, field: NoiseField, *, segment: float) -> np.ndarray:
    """Densify geometries to ``segment`` metres and move every vertex by ``field``."""
    dense = shapely.segmentize(geoms, segment)
    return shapely.transform(dense, lambda xy: xy + field.disp(xy))


def blob(
    rng: np.random.Generator,
    centre: tuple[float, float],
    radius: float,
    *,
    roughness: float = 0.18,
    n: int = 96,
) -> Polygon:
    """Irregular star-shaped polygon: a circle with random low harmonics of the radius."""
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k, a in ((2, roughness), (3, roughness * 0.6), (5, roughness * 0.3), (7, roughness * 0.15)):
        r += a * rng.uniform(0.3, 1.0) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    r *= radius
    xy = np.column_stack([centre[0] + r * np.cos(theta), centre[1] + r * np.sin(theta)])
    return shapely.make_valid(Polygon(xy))


def jittered_grid(
    rng: np.random.Generator, region: Polygon, spacing: float, *, jitter: float = 0.45
) -> np.ndarray:
    """Points on a jittered square grid of ``spacing`` metres, kept inside ``region``."""
    x0, y0, x1, y1 = region.bounds
    xs = np.arange(x0 + spacing / 2, x1, spacing)
    ys = np.arange(y0 + spacing / 2, y1, spacing)
    gx, gy = np.meshgrid(xs, ys)
    pts = np.column_stack([gx.ravel(), gy.ravel()])
    pts += rng.uniform(-jitter, jitter, size=pts.shape) * spacing
    shapely.prepare(region)
    keep = shapely.contains_xy(region, pts[:, 0], pts[:, 1])
    return pts[keep]


def voronoi_edges(points: np.ndarray, extent: Polygon) -> np.ndarray:
    """Return the Voronoi edges of ``points`` as an array of LineStrings."""
    mp = MultiPoint(points)
    edges = shapely.voronoi_polygons(mp, extend_to=extent, only_edges=True)
    return shapely.get_parts(edges)


def sinuous_line(
    rng: np.random.Generator,
    points: Sequence[tuple[float, float]],
    *,
    amplitude: float,
    wavelengths: tuple[float, float],
    segment: float = 40.0,
) -> LineString:
    """A polyline through ``points``, densified and bent by its own smooth noise field."""
    field = NoiseField(rng, amplitude=amplitude, wavelengths=wavelengths, n_waves=6)
    return displaced(np.array([LineString(points)]), field, segment=segment)[0]


def polygonize_lines(lines: Sequence[np.ndarray]) -> np.ndarray:
    """Node all lines on the 1 mm grid and return the faces they enclose."""
    allparts = np.concatenate([shapely.get_parts(np.asarray(x, dtype=object)) for x in lines])
    allparts = allparts[~shapely.is_empty(allparts)]
    noded = shapely.union_all(allparts, grid_size=GRID)
    return shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))


def label_by_polygons(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Index of the polygon containing each point (-1 where none).

    Multi-part polygons are split into their parts first, so the tree stays selective.
    """
    parts, owner = shapely.get_parts(np.asarray(polygons, dtype=object), return_index=True)
    tree = shapely.STRtree(parts)
    pidx, gidx = tree.query(points, predicate="within")
    out = np.full(len(points), -1, dtype=np.int64)
    out[pidx] = owner[gidx]
    return out


def nearest(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Index of the nearest target geometry for each point."""
    tree = shapely.STRtree(targets)
    pidx, tidx = tree.query_nearest(points, all_matches=False)
    out = np.empty(len(points), dtype=np.int64)
    out[pidx] = tidx
    return out


def point(x: float, y: float) -> Point:
    """Shortcut for a shapely Point."""
    return Point(x, y)


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal parts of a geometry (drops stray lines and points)."""
    parts = shapely.get_parts(geom)
    keep = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
    if len(keep) == 0:
        return Polygon()
    return shapely.union_all(keep)


def clip_lines(lines: np.ndarray, region: Polygon) -> np.ndarray:
    """Clip lines to ``region``; only lines crossing its boundary go through the overlay."""
    shapely.prepare(region)
    inside = shapely.contains(region, lines)
    touch = shapely.intersects(region, lines) & ~inside
    out = np.concatenate([lines[inside], shapely.intersection(lines[touch], region)])
    return out[~shapely.is_empty(out)]


def distance_to(points: np.ndarray, geom: shapely.Geometry) -> np.ndarray:
    """Distance from each point to ``geom``, through an STRtree of its parts (fast for many)."""
    parts = shapely.get_parts(geom)
    parts = parts[~shapely.is_empty(parts)]
    tree = shapely.STRtree(parts)
    (pidx, _), dist = tree.query_nearest(points, return_distance=True, all_matches=False)
    out = np.full(len(points), np.inf)
    out[pidx] = dist
    return out
