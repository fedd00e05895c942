"""Curved geometries (CircularString, CompoundCurve, CurvePolygon, MultiSurface) on read.

Desktop GIS exports mix curved rows into polygon layers: FileGDB stores true arcs, and
GeoPackage, GML and FlatGeobuf can hold them. Shapely (like the rest of the toolkit)
holds only linear geometries, so every curved row is **linearised** on read by GDAL
(``OGRGeometry::getLinearGeometry``), with arcs cut into steps of at most
:data:`ARC_STEP_DEG` degrees of arc (GDAL's ``OGR_ARC_STEPSIZE``; its default is 4°).

How a layer is read (:func:`read_ogr`):

1. The Arrow fast path (:func:`pyogrio.read_dataframe` with ``use_arrow=True``). A layer
   without curves is read exactly as before, with no extra cost.
2. When shapely refuses a curved WKB (``NotImplementedError``), the attributes are read
   again through Arrow without geometry, the geometries through Arrow as raw WKB, and the
   curved rows are found from their WKB type codes (:func:`curved_mask`, vectorised over
   the Arrow buffers). Only those rows are re-read by FID without Arrow, which makes GDAL
   linearise them.

Every read runs under :func:`arc_step`, so GDAL's own silent linearisations (e.g. the GML
driver forcing arcs to the declared MultiPolygon type) use the same step.

The area change of a linearised row is measured against its exact area, computed from the
arcs themselves (:func:`exact_area`: the polygon of the arc end points plus the circular
segment ``r²/2 (Φ − sin Φ)`` of every arc). The step bounds the change: an arc of radius
``r`` sweeping ``Φ`` (radians) loses ``r² Φ θ² / 12`` with ``θ`` the step in radians, i.e.
``θ² / 6 ≈ 5.1e-7`` of the circular sector it sweeps (0.002 m² for a half disc of radius
50 m). See docs/io.md.
"""

from __future__ import annotations

import math
import os
import struct
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely

from landuse.findings import Finding
from landuse.io.crs import ellipsoidal_area

__all__ = ["ARC_STEP_DEG", "Linearised", "arc_step", "curved_mask", "exact_area",
           "linearised_finding", "read_ogr", "read_vector"]

ARC_STEP_DEG = 0.1
"""Largest step along an arc when linearising, in degrees of arc (GDAL ``OGR_ARC_STEPSIZE``)."""

# ISO WKB base codes of the curved types: CircularString, CompoundCurve, CurvePolygon,
# MultiCurve, MultiSurface, Curve, Surface
CURVED_CODES = (8, 9, 10, 11, 12, 13, 14)
_EXAMPLES = 5

_lock = threading.Lock()
_users = 0
_saved: str | None = None


@contextmanager
def arc_step() -> Iterator[None]:
    """Set GDAL's ``OGR_ARC_STEPSIZE`` to :data:`ARC_STEP_DEG` while reading.

    GDAL reads the option as process-wide configuration. Concurrent readers (threads of the
    service) share one setting through a reference count; the value found before the first
    reader is restored after the last.
    """
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = pyogrio.get_gdal_config_option("OGR_ARC_STEPSIZE")
            pyogrio.set_gdal_config_options({"OGR_ARC_STEPSIZE": str(ARC_STEP_DEG)})
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                restore = None if _saved is None else str(_saved)
                pyogrio.set_gdal_config_options({"OGR_ARC_STEPSIZE": restore})


@dataclass(frozen=True)
class Linearised:
    """The rows of a frame whose curved geometry was linearised on read.

    Attributes
    ----------
    rows : ndarray of int
        Positions of the rows in the frame read.
    fids : ndarray of int
        Their feature ids in the source.
    relative_change : ndarray of float
        (linearised area − exact arc area) / exact arc area, per row (0 for an empty one).
    """

    rows: np.ndarray
    fids: np.ndarray
    relative_change: np.ndarray


# --------------------------------------------------------------------------- detection

def _wkb_codes(chunk: pa.Array) -> np.ndarray:
    """ISO base geometry code (0-999 without Z/M) of every WKB value; -1 for null / short."""
    if isinstance(chunk, pa.ExtensionArray):
        chunk = chunk.storage
    n = len(chunk)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    if not (pa.types.is_binary(chunk.type) or pa.types.is_large_binary(chunk.type)):
        raise TypeError(f"expected a WKB (binary) geometry column, got {chunk.type}")
    _, offsets_buf, data_buf = chunk.buffers()
    off_type = np.int64 if pa.types.is_large_binary(chunk.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=off_type)[chunk.offset:chunk.offset + n + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(
        0, dtype=np.uint8)
    starts = offsets[:-1].astype(np.int64)
    ok = (np.diff(offsets) >= 5) & chunk.is_valid().to_numpy(zero_copy_only=False)
    s = starts[ok]
    b = [data[s + k].astype(np.uint32) for k in range(5)]
    little = b[0] == 1
    code = np.where(little, b[1] | (b[2] << 8) | (b[3] << 16) | (b[4] << 24),
                    b[4] | (b[3] << 8) | (b[2] << 16) | (b[1] << 24))
    out = np.full(n, -1, dtype=np.int64)
    out[ok] = (code & np.uint32(0x0FFFFFFF)).astype(np.int64) % 1000  # EWKB flags, ISO Z/M
    return out


def curved_mask(wkb: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Return True for every WKB value whose geometry type is curved (codes 8-14).

    Reads the byte order and type code straight from the Arrow buffers (no parsing), so a
    layer of a few hundred thousand rows is checked in milliseconds. A GeometryCollection
    nesting a curve is not seen here (:func:`read_ogr` finds it when shapely refuses it).
    """
    chunks = wkb.chunks if isinstance(wkb, pa.ChunkedArray) else [wkb]
    codes = np.concatenate([_wkb_codes(c) for c in chunks]) if chunks else np.empty(0, int)
    return np.isin(codes, CURVED_CODES)


# --------------------------------------------------------------------------- exact area

class _WkbReader:
    """Minimal ISO / EWKB reader for the area of linear and curved surfaces (x, y only)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def header(self) -> tuple[str, int, int]:
        order = "<" if self.data[self.pos] == 1 else ">"
        (code,) = struct.unpack_from(order + "I", self.data, self.pos + 1)
        self.pos += 5
        dims = 2 + bool(code & 0x80000000) + bool(code & 0x40000000)
        if code & 0x20000000:  # EWKB SRID
            self.pos += 4
        code &= 0x0FFFFFFF
        dims += {1: 1, 2: 1, 3: 2}.get(code // 1000, 0)
        return order, code % 1000, dims

    def count(self, order: str) -> int:
        (n,) = struct.unpack_from(order + "I", self.data, self.pos)
        self.pos += 4
        return int(n)

    def points(self, order: str, dims: int) -> np.ndarray:
        n = self.count(order)
        arr = np.frombuffer(self.data, dtype=np.dtype(order + "f8"), count=n * dims,
                            offset=self.pos).reshape(n, dims)[:, :2]
        self.pos += 8 * n * dims
        return arr

    def curve(self) -> list[tuple[str, np.ndarray]]:
        """Read a curve as pieces ``("line" | "arc", points)``."""
        order, code, dims = self.header()
        if code == 2:
            return [("line", self.points(order, dims))]
        if code == 8:
            return [("arc", self.points(order, dims))]
        if code == 9:
            return [piece for _ in range(self.count(order)) for piece in self.curve()]
        raise ValueError(f"WKB type {code} is not a curve")

    def surface_area(self) -> float:
        """Area of a (multi)surface: |exterior| − Σ|holes| per polygon, summed."""
        order, code, dims = self.header()
        if code == 3:
            rings = [abs(_ring_area([("line", self.points(order, dims))]))
                     for _ in range(self.count(order))]
        elif code == 10:
            rings = [abs(_ring_area(self.curve())) for _ in range(self.count(order))]
        elif code in (6, 7, 12, 15):
            return sum(self.surface_area() for _ in range(self.count(order)))
        else:
            raise ValueError(f"WKB type {code} is not a surface")
        return rings[0] - sum(rings[1:]) if rings else 0.0


def _arc_segment(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray) -> tuple[float, float]:
    """Signed area between chord p0→p2 and the arc through p1, and the chord's shoelace term.

    The circular segment is ``r²/2 (Φ − sin Φ)`` with ``Φ`` the arc's sweep; it counts
    positive for an arc turning counter-clockwise. A full circle (p0 == p2, p1 opposite)
    gives ``π r²``; collinear points give a straight chord.
    """
    (x0, y0), (x1, y1), (x2, y2) = p0, p1, p2
    chord = x0 * y2 - x2 * y0
    if x0 == x2 and y0 == y2:
        r = math.hypot(x1 - x0, y1 - y0) / 2
        return math.pi * r * r, 0.0
    # work relative to p0 for precision with large (zone-prefixed) coordinates
    bx, by, cx, cy = x1 - x0, y1 - y0, x2 - x0, y2 - y0
    d = 2.0 * (bx * cy - by * cx)
    if d == 0.0:
        return 0.0, chord
    ux = (cy * (bx * bx + by * by) - by * (cx * cx + cy * cy)) / d
    uy = (bx * (cx * cx + cy * cy) - cx * (bx * bx + by * by)) / d
    r = math.hypot(ux, uy)
    a0 = math.atan2(-uy, -ux)
    a2 = math.atan2(cy - uy, cx - ux)
    ccw = d > 0  # the turn p0 → p1 → p2
    sweep = (a2 - a0) % (2 * math.pi) if ccw else (a0 - a2) % (2 * math.pi)
    seg = r * r / 2 * (sweep - math.sin(sweep))
    return (seg if ccw else -seg), chord


def _ring_area(pieces: list[tuple[str, np.ndarray]]) -> float:
    """Signed area of a closed ring made of line and arc pieces (counter-clockwise > 0)."""
    twice = 0.0
    bulge = 0.0
    for kind, pts in pieces:
        if kind == "line":
            x, y = pts[:, 0], pts[:, 1]
            twice += float(np.sum(x[:-1] * y[1:] - x[1:] * y[:-1]))
            continue
        for i in range(0, len(pts) - 2, 2):
            seg, chord = _arc_segment(pts[i], pts[i + 1], pts[i + 2])
            bulge += seg
            twice += chord
    return twice / 2 + bulge


def exact_area(wkb: bytes) -> float:
    """Exact planar area of a linear or curved surface given as WKB (layer units²).

    Each ring is the polygon of its vertices and arc end points, plus (or minus) the
    circular segment of each arc; a polygon's area is its exterior's less its holes'.
    """
    return _WkbReader(bytes(wkb)).surface_area()


# --------------------------------------------------------------------------- reading

def read_ogr(
    path: str | os.PathLike[str], *, layer: str | None, columns: Sequence[str] | None,
    encoding: str | None,
) -> gpd.GeoDataFrame:
    """Read a layer through GDAL, linearising curved geometries (see the module docstring).

    Returns the frame (RangeIndex, CRS as stored); when rows were linearised,
    ``attrs["linearised"]`` holds a :class:`Linearised`. pyogrio's errors propagate.
    """
    cols = None if columns is None else list(columns)
    with arc_step():
        try:
            return pyogrio.read_dataframe(path, layer=layer, columns=cols, use_arrow=True,
                                          encoding=encoding)
        except NotImplementedError:
            pass  # shapely holds no curved geometry: find and linearise the curved rows
        return _read_curved(path, layer=layer, columns=cols, encoding=encoding)


def _read_curved(
    path: str | os.PathLike[str], *, layer: str | None, columns: list[str] | None,
    encoding: str | None,
) -> gpd.GeoDataFrame:
    table_attrs = pyogrio.read_dataframe(path, layer=layer, columns=columns, use_arrow=True,
                                         encoding=encoding, read_geometry=False,
                                         fid_as_index=True)
    meta, table = pyogrio.read_arrow(path, layer=layer, columns=[], return_fids=True,
                                     encoding=encoding)
    fids = table.column(meta["fid_column"]).to_numpy(zero_copy_only=False).astype(np.int64)
    wkb = table.column(meta["geometry_name"] or "wkb_geometry")
    curved = curved_mask(wkb)
    geoms = np.empty(len(fids), dtype=object)
    flat = wkb.combine_chunks() if isinstance(wkb, pa.ChunkedArray) else wkb
    if isinstance(flat, pa.ExtensionArray):
        flat = flat.storage
    rest = np.flatnonzero(~curved)
    values = np.asarray(flat.take(pa.array(rest)).to_pylist(), dtype=object)
    try:
        geoms[rest] = shapely.from_wkb(values)
    except NotImplementedError:  # a GeometryCollection nesting a curve
        for i, v in zip(rest, values, strict=True):
            try:
                geoms[i] = shapely.from_wkb(v)
            except NotImplementedError:
                curved[i] = True
    pos = np.flatnonzero(curved)
    exact = np.array([exact_area(v) for v in flat.take(pa.array(pos)).to_pylist()])
    linear = pyogrio.read_dataframe(path, layer=layer, columns=[], fids=fids[pos],
                                    use_arrow=False, encoding=encoding, fid_as_index=True)
    lin = linear.geometry.reindex(fids[pos]).to_numpy()
    geoms[pos] = lin
    lin_area = shapely.area(lin)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(exact > 0, (lin_area - exact) / exact, 0.0)
    order = pd.Index(fids).get_indexer(table_attrs.index)
    frame = gpd.GeoDataFrame(table_attrs.reset_index(drop=True),
                             geometry=gpd.GeoSeries(geoms[order], crs=meta["crs"]).values,
                             crs=meta["crs"])
    where = np.empty(len(fids), dtype=np.int64)
    where[order] = np.arange(len(order))
    rows = where[pos]
    sort = np.argsort(rows)
    frame.attrs["linearised"] = Linearised(rows=rows[sort], fids=fids[pos][sort],
                                           relative_change=rel[sort])
    return frame


def linearised_finding(
    lin: Linearised, *, ids: Sequence[str], area_m2: np.ndarray, source: str
) -> Finding:
    """Build the ``curves_linearised`` finding: count, largest area change (m²), ids.

    ``ids`` and ``area_m2`` (the linearised area in m²) are given per linearised row, in
    the order of ``lin.rows``; the change in m² is
    ``area_m2 × relative_change / (1 + relative_change)`` (linearised − exact).
    """
    rel = lin.relative_change
    change = np.asarray(area_m2, dtype="float64") * rel / (1.0 + rel)
    order = np.argsort(-np.abs(change), kind="stable")
    examples = [str(ids[i]) for i in order[:_EXAMPLES]]
    big = f"{change[order[0]]:+.4f} m² ({examples[0]})" if len(order) else "0 m²"
    return Finding(
        code="curves_linearised",
        message=(
            f"{source}: {len(lin.rows)} curved geometries (曲线几何: CurvePolygon / "
            "MultiSurface / CompoundCurve / CircularString) were linearised (线性化), arcs "
            f"cut into steps of at most {ARC_STEP_DEG}° of arc; the largest area change "
            f"against the exact arc area is {big}. TBMJ from the attribute table stays the "
            "area of record"
        ),
        count=len(lin.rows),
        severity="info",
        source=source,
        examples=examples,
    )


def read_vector(path: str | os.PathLike[str], *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read every column of a layer like :func:`geopandas.read_file`, linearising curves.

    Used where a layer is read whole (land-supply parcels, ``vec2txt``). Linearised rows are
    reported in ``attrs["findings"]`` (a ``curves_linearised`` finding, examples by FID).
    """
    gdf = read_ogr(path, layer=layer, columns=None, encoding=None)
    lin = gdf.attrs.pop("linearised", None)
    if lin is not None:
        geoms = gpd.GeoSeries(gdf.geometry.to_numpy()[lin.rows], crs=gdf.crs)
        geographic = gdf.crs is not None and gdf.crs.is_geographic
        area = ellipsoidal_area(geoms).to_numpy() if geographic else geoms.area.to_numpy()
        label = f"{path} layer {layer}" if layer else str(path)
        gdf.attrs["findings"] = [linearised_finding(
            lin, ids=[f"fid {f}" for f in lin.fids], area_m2=area, source=label)]
    return gdf
