"""Hand-made curved patches as ISO WKB, and files that hold them (issue #21).

The WKB is packed here byte by byte with :mod:`struct` (independent of landuse). Every
patch's true area is worked out from its arcs with the sector / segment formulas:

============  ==========================================================  =====================
patch         shape                                                       area (m²)
============  ==========================================================  =====================
HALF          half disc, radius 50: CompoundCurve (arc + diameter)       π 50² / 2
RING          100 m square with a circular hole of radius 20 (the hole   100² − π 20²
              a full-circle CircularString, type 8)
DISC          disc of radius 40, ring a type 8 full circle, inside a     π 40²
              MultiSurface (type 12) -> CurvePolygon (type 10), as in
              the issue
CAP           100 x 60 rectangle whose top edge is an outward arc of     6000 + r²/2 (Φ − sin Φ),
              sagitta 10 (radius r = (50² + 10²) / 20 = 130,             Φ = 2 asin(50/130)
              sweep Φ)
PLAIN         100 m square, linear MultiPolygon                          100²
============  ==========================================================  =====================

Linearising an arc of radius r and sweep Φ with steps of θ changes its area by at most
r² Φ θ² / 12 (:func:`step_bound`), worked out from the area of the circular segment lost
under each chord: r²/2 (θ − sin θ) ≈ r² θ³ / 12 per step, Φ / θ steps.
"""

from __future__ import annotations

import math
import sqlite3
import struct
import warnings
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyogrio
import shapely

X0 = 39_510_000.0
Y0 = 4_090_000.0
CRS = "EPSG:4527"
STEP = math.radians(0.1)  # the documented linearisation step


def _pt(x: float, y: float) -> bytes:
    return struct.pack("<dd", x, y)


def _hdr(code: int, n: int) -> bytes:
    return struct.pack("<BII", 1, code, n)


def line(pts: list[tuple[float, float]]) -> bytes:
    return _hdr(2, len(pts)) + b"".join(_pt(*p) for p in pts)


def arc(pts: list[tuple[float, float]]) -> bytes:
    return _hdr(8, len(pts)) + b"".join(_pt(*p) for p in pts)


def compound(*parts: bytes) -> bytes:
    return _hdr(9, len(parts)) + b"".join(parts)


def curve_polygon(*rings: bytes) -> bytes:
    return _hdr(10, len(rings)) + b"".join(rings)


def multi_surface(*polys: bytes) -> bytes:
    return _hdr(12, len(polys)) + b"".join(polys)


def step_bound(r: float, sweep: float) -> float:
    """Largest area change (m²) from linearising an arc of radius r, sweep (radians)."""
    return r * r * sweep * STEP * STEP / 12


# ------------------------------------------------------------------ the patches (EPSG:4527)

def _half() -> tuple[bytes, float, float]:
    cx, cy, r = X0 + 50, Y0, 50.0
    wkb = multi_surface(curve_polygon(compound(
        arc([(cx + r, cy), (cx, cy + r), (cx - r, cy)]),
        line([(cx - r, cy), (cx + r, cy)]))))
    return wkb, math.pi * r * r / 2, step_bound(r, math.pi)


def _ring() -> tuple[bytes, float, float]:
    x, y, r = X0 + 200, Y0, 20.0
    cx, cy = x + 50, y + 50
    square = [(x, y), (x + 100, y), (x + 100, y + 100), (x, y + 100), (x, y)]
    hole = arc([(cx + r, cy), (cx - r, cy), (cx + r, cy)])
    return (multi_surface(curve_polygon(line(square), hole)), 100 * 100 - math.pi * r * r,
            step_bound(r, 2 * math.pi))


def _disc() -> tuple[bytes, float, float]:
    cx, cy, r = X0 + 450, Y0 + 50, 40.0
    wkb = multi_surface(curve_polygon(arc([(cx - r, cy), (cx + r, cy), (cx - r, cy)])))
    return wkb, math.pi * r * r, step_bound(r, 2 * math.pi)


def _cap() -> tuple[bytes, float, float]:
    x, y = X0 + 600, Y0
    r = (50 ** 2 + 10 ** 2) / (2 * 10)
    sweep = 2 * math.asin(50 / r)
    wkb = curve_polygon(compound(
        line([(x, y + 60), (x, y), (x + 100, y), (x + 100, y + 60)]),
        arc([(x + 100, y + 60), (x + 50, y + 70), (x, y + 60)])))
    return wkb, 6000 + r * r / 2 * (sweep - math.sin(sweep)), step_bound(r, sweep)


def _plain() -> tuple[bytes, float, float]:
    sq = shapely.MultiPolygon([shapely.box(X0 + 800, Y0, X0 + 900, Y0 + 100)])
    return shapely.to_wkb(sq, flavor="iso"), 100.0 * 100.0, 0.0


PATCHES = {"HALF": _half(), "RING": _ring(), "DISC": _disc(), "CAP": _cap(),
           "PLAIN": _plain()}
"""name -> (WKB, exact area m², largest area change from linearising)"""
CURVED = ("HALF", "RING", "DISC", "CAP")

# attribute columns that each reader needs, one value per patch (same order as PATCHES)
_N = len(PATCHES)
READER_COLUMNS: dict[str, dict[str, Any]] = {
    "landuse": {"BSM": list(PATCHES), "DLBM": ["0101", "0103", "0301", "1101", "0702"],
                "TBMJ": [round(v[1], 2) for v in PATCHES.values()],
                "ZLDWDM": ["3703211000010000000"] * _N},
    "townships": {"XZQDM": [f"37032110{i}" for i in range(_N)], "XZQMC": ["镇"] * _N},
    "ecological_redline": {"HXBM": list(PATCHES), "HXMC": ["红线"] * _N},
    "permanent_farmland": {"YJJBNTTBBH": list(PATCHES), "DLBM": ["0101"] * _N,
                           "YJJBNTMJ": [round(v[1], 2) for v in PATCHES.values()]},
    "urban_boundary": {"BSM": list(PATCHES), "GHFQDM": ["01"] * _N},
    "high_standard_farmland": {"BSM": list(PATCHES), "XMMC": ["项目"] * _N,
                               "JSND": pa.array([2020] * _N, pa.int32())},
    "protected_areas": {"id": list(PATCHES), "name": ["保护区"] * _N,
                        "category": ["自然保护区"] * _N, "zone": ["核心保护区"] * _N},
    "mining_rights": {"licence_no": list(PATCHES), "right_type": ["采矿权"] * _N,
                      "stage": ["existing"] * _N},
    "parcels": {"parcel_id": list(PATCHES)},
}

FORMATS = ("gpkg", "gpkg_blob", "gdb", "gml", "fgb")
_SUFFIX = {"gpkg": ".gpkg", "gpkg_blob": ".gpkg", "gdb": ".gdb", "gml": ".gml", "fgb": ".fgb"}


def write_curved(folder: Path, fmt: str, columns: dict[str, Any], *, layer: str) -> Path:
    """Write the patches with ``columns`` into a ``fmt`` file; return its path.

    ``gpkg`` / ``gdb``: GDAL writes the curved WKB into a layer declared MultiPolygon (as a
    desktop GIS export mixes them). ``gpkg_blob``: the issue's reproduction, a linear
    GeoPackage whose blobs are then replaced in SQLite by a GeoPackage header plus the ISO
    WKB. ``gml`` / ``fgb``: layers of unknown geometry type.
    """
    path = folder / f"{layer}_{fmt}{_SUFFIX[fmt]}"
    wkb = [v[0] for v in PATCHES.values()]
    if fmt == "gpkg_blob":
        boxes = [shapely.to_wkb(shapely.MultiPolygon([shapely.box(0, 0, 1, 1)]), flavor="iso")
                 ] * len(wkb)
        _write(path, "GPKG", columns, boxes, layer=layer, geometry_type="MultiPolygon")
        _replace_blobs(path, layer, wkb)
        return path
    driver = {"gpkg": "GPKG", "gdb": "OpenFileGDB", "gml": "GML", "fgb": "FlatGeobuf"}[fmt]
    gtype = "MultiPolygon" if fmt in ("gpkg", "gdb") else "Unknown"
    _write(path, driver, columns, wkb, layer=layer, geometry_type=gtype)
    return path


def _write(path: Path, driver: str, columns: dict[str, Any], wkb: list[bytes], *,
           layer: str, geometry_type: str) -> None:
    table = pa.table({**columns, "geometry": pa.array(wkb, pa.binary())})
    with warnings.catch_warnings():
        # GDAL notes that a MultiSurface in a MultiPolygon layer is not conformant: that is
        # exactly the export this fixture imitates
        warnings.filterwarnings("ignore", message=".*not normally allowed.*")
        pyogrio.write_arrow(table, path, layer=layer, driver=driver, geometry_name="geometry",
                            geometry_type=geometry_type, crs=CRS)


def gpkg_blob(wkb: bytes, srs_id: int) -> bytes:
    """GeoPackage geometry blob: magic 'GP', version 0, flags (little-endian, no envelope)."""
    return b"GP" + bytes([0, 0b00000001]) + struct.pack("<i", srs_id) + wkb


def _replace_blobs(path: Path, layer: str, wkb: list[bytes]) -> None:
    con = sqlite3.connect(path)
    try:
        triggers = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (layer,))]
        for name in triggers:  # the R-tree triggers call ST_ functions SQLite lacks
            con.execute(f'DROP TRIGGER "{name}"')
        col, srs = con.execute("SELECT column_name, srs_id FROM gpkg_geometry_columns "
                               "WHERE table_name = ?", (layer,)).fetchone()
        fids = [r[0] for r in con.execute(f'SELECT fid FROM "{layer}" ORDER BY fid')]
        for fid, blob in zip(fids, wkb, strict=True):
            con.execute(f'UPDATE "{layer}" SET "{col}" = ? WHERE fid = ?',
                        (gpkg_blob(blob, srs), fid))
        con.commit()
    finally:
        con.close()
