"""Synthetic layouts of issue 20 for ``bench_overlay.py``: where real layers make overlays slow.

Each layout is one patch layer (``DLTB`` with ``DLBM``) and one zone layer (``ZONE`` key),
generated with a fixed seed, in EPSG:4527 near Huantai:

* ``towns``        60 000 Voronoi patches (edges densified and wiggled, ~24 vertices) x 10
                   townships (their own Voronoi coverage, ~2 000 vertices each);
* ``shared-edge``  the same patches x permanent farmland built by dissolving farmland
                   patches (a clustered random choice, ``coverage_union_all``, exploded):
                   ~3 000 parts with holes, every boundary edge an edge of a patch;
* ``redline``      the same patches x 5 ecological-redline blobs (3 000 vertices);
* ``small-zones``  40 000 densified grid patches (50 m cells, 41 vertices) x 150 small round
                   zones (radius 150-400 m, 65 vertices; 7 to 50 ha).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

CRS = "EPSG:4527"
X0, Y0 = 39_540_000.0, 4_080_000.0
CODES = ["0101", "0102", "0103", "0201", "0301", "0305", "0401", "0404", "0601", "0701",
         "0702", "1001", "1003", "1101", "1104", "1107", "1202", "1206"]
LAYOUTS = ("towns", "shared-edge", "redline", "small-zones")


def _wiggle(amplitude: float, wavelength: float):
    """A smooth displacement field: shared vertices move together, so coverages stay exact."""
    k = 2 * np.pi / wavelength

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        dx = amplitude * np.sin(k * y + 1.3 * np.sin(0.37 * k * x))
        dy = amplitude * np.sin(k * x + 1.7 * np.cos(0.29 * k * y))
        return np.column_stack([x + dx, y + dy])

    return move


def coverage(seeds: np.ndarray, extent: shapely.Geometry, step: float, amp: float,
             wavelength: float) -> np.ndarray:
    """Voronoi cells of ``seeds`` clipped to ``extent``, edges densified and wiggled."""
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds),
                                                       extend_to=extent))
    cells = shapely.intersection(cells, extent)
    noded = shapely.union_all(shapely.boundary(cells))  # every shared edge once, noded
    noded = shapely.segmentize(noded, step)
    noded = shapely.transform(noded, _wiggle(amp, wavelength))
    return shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))


def blob(rng: np.random.Generator, cx: float, cy: float, r: float, n: int) -> shapely.Geometry:
    """A wavy closed blob of ``n`` vertices around (cx, cy), made valid."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rr = r * (1 + 0.18 * np.sin(5 * t + rng.uniform(0, 6)) + 0.07 * np.sin(41 * t)
              + 0.02 * rng.standard_normal(n))
    return shapely.make_valid(shapely.Polygon(np.column_stack([cx + rr * np.cos(t),
                                                               cy + rr * np.sin(t)])))


def _field(xy: np.ndarray, rng: np.random.Generator, scale: float, n: int = 6) -> np.ndarray:
    """A smooth random field (sum of plane waves), for clustered farmland."""
    v = np.zeros(len(xy))
    for _ in range(n):
        v += np.sin(xy @ (rng.normal(size=2) / scale) + rng.uniform(0, 2 * np.pi))
    return v / np.sqrt(n / 2)


def voronoi_patches(size: int, rng: np.random.Generator) -> tuple[gpd.GeoDataFrame, float]:
    """``size`` jittered-grid Voronoi patches (mean 2 500 m²) and the side of the square."""
    side = float(np.sqrt(size * 2500.0))
    ext = shapely.box(X0, Y0, X0 + side, Y0 + side)
    n = int(np.ceil(np.sqrt(size)))
    gx, gy = np.meshgrid((np.arange(n) + 0.5) * side / n, (np.arange(n) + 0.5) * side / n)
    pts = np.column_stack([gx.ravel(), gy.ravel()])[:size]
    pts += rng.uniform(-0.35, 0.35, pts.shape) * side / n + [X0, Y0]
    cells = coverage(pts, ext, step=side / n / 5, amp=0.6, wavelength=37.0)
    return gpd.GeoDataFrame({"DLBM": rng.choice(CODES, len(cells))}, geometry=cells,
                            crs=CRS), side


def layout(name: str, *, patches: int = 60_000, grid: int = 200,
           seed: int = 20) -> dict[str, gpd.GeoDataFrame]:
    """The layers ``{"DLTB": patches, "ZONE": zones}`` of one layout (see the module doc)."""
    rng = np.random.default_rng(seed)
    if name == "small-zones":
        s = 50.0
        i, j = np.meshgrid(np.arange(grid), np.arange(grid))
        x, y = X0 + i.ravel() * s, Y0 + j.ravel() * s
        cells = shapely.segmentize(shapely.box(x, y, x + s, y + s), s / 10)
        dltb = gpd.GeoDataFrame({"DLBM": rng.choice(CODES, len(cells))}, geometry=cells, crs=CRS)
        centres = rng.uniform(0.05, 0.95, (150, 2)) * grid * s + [X0, Y0]
        zones = shapely.buffer(shapely.points(centres), rng.uniform(150, 400, 150), quad_segs=16)
        return {"DLTB": dltb, "ZONE": _zones(zones, "C")}
    dltb, side = voronoi_patches(patches, rng)
    ext = shapely.box(X0, Y0, X0 + side, Y0 + side)
    zrng = np.random.default_rng([seed, LAYOUTS.index(name)])
    if name == "towns":
        seeds = zrng.uniform(0.1, 0.9, (10, 2)) * side + [X0, Y0]
        zones = coverage(seeds, ext, step=side / 1500, amp=side / 500, wavelength=side / 20)
        return {"DLTB": dltb, "ZONE": _zones(zones, "T")}
    if name == "redline":
        centres = zrng.uniform(0.15, 0.85, (5, 2))
        zones = np.array([blob(zrng, X0 + fx * side, Y0 + fy * side, side / 14, 3000)
                          for fx, fy in centres], dtype=object)
        return {"DLTB": dltb, "ZONE": _zones(zones, "E")}
    if name == "shared-edge":
        cells = np.asarray(dltb.geometry.array)
        centre = shapely.get_coordinates(shapely.centroid(cells)) - [X0, Y0]
        farm = (_field(centre, zrng, side / 200) > 0.3) & (zrng.uniform(size=len(cells)) < 0.5)
        parts = shapely.get_parts(shapely.coverage_union_all(cells[farm]))
        zones = gpd.GeoDataFrame({"ZONE": ["YJJBNT"] * len(parts)}, geometry=parts, crs=CRS)
        return {"DLTB": dltb, "ZONE": zones}
    raise ValueError(f"unknown layout {name!r}; choose from {list(LAYOUTS)}")


def _zones(geoms: np.ndarray, prefix: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"ZONE": [f"{prefix}{i}" for i in range(len(geoms))]},
                            geometry=list(geoms), crs=CRS)
