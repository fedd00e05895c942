"""Helpers shared by the redline checks: column checks, CRS alignment, snapping, townships.

Private to :mod:`landuse.redlines`; the public functions call these first. The default
tolerances of every check (:data:`SLIVER_M2`, :data:`NEAR_M`, :data:`SNAP_GRID_M`) are
defined here once and exported by :mod:`landuse.redlines` (the config's ``[options]
sliver_m2`` default and the service's ``near_m`` default are these).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from landuse.errors import CRSError, GeometryError, SchemaError
from landuse.findings import Finding

__all__ = [
    "NEAR_M",
    "SLIVER_M2",
    "SNAP_GRID_M",
    "align_to",
    "assign_township",
    "describe",
    "polygonal",
    "require_columns",
    "resolve_working_crs",
    "snap",
]

#: Overlaps smaller than this (m²) are reported as touching, not as conflicts.
SLIVER_M2: Final = 1.0
#: A mining right within this distance (m) of a protected area is reported as near.
NEAR_M: Final = 1000.0
#: The grid (m) the mining check snaps both layers to before it relates them.
SNAP_GRID_M: Final = 0.001


def describe(gdf: pd.DataFrame, role: str) -> str:
    """Name a layer for messages: its role plus the file and layer recorded by the reader."""
    src: dict[str, Any] = dict(gdf.attrs.get("source", {}) or {})
    where = ", ".join(str(src[k]) for k in ("path", "layer") if src.get(k))
    return f"{role} ({where})" if where else role


def require_columns(gdf: pd.DataFrame, columns: Iterable[str], role: str, fix: str) -> None:
    """Raise a :class:`SchemaError` naming every missing column at once."""
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise SchemaError(
            f"the {describe(gdf, role)} has no column(s) {missing}; found "
            f"{[c for c in gdf.columns if c != 'geometry']}. {fix}"
        )


def require_geometries(gdf: gpd.GeoDataFrame, role: str, id_column: str) -> None:
    """Raise a :class:`GeometryError` when a feature has a null or empty geometry."""
    geoms = gdf.geometry.array
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        ids = gdf.loc[bad, id_column].astype(str).tolist()[:5] if id_column in gdf else []
        raise GeometryError(
            f"the {describe(gdf, role)} has {int(bad.sum())} feature(s) with a null or empty "
            f"geometry (e.g. {id_column} {ids}); drop or repair them before the check."
        )


def resolve_working_crs(
    reference: gpd.GeoDataFrame, role: str, working_crs: Any | None
) -> CRS:
    """Return the projected working CRS: ``working_crs`` or the reference layer's own CRS.

    Raises
    ------
    CRSError
        When the reference layer has no CRS, or the chosen CRS is geographic.
    """
    if working_crs is not None:
        crs = CRS.from_user_input(working_crs)
        if not crs.is_projected:
            raise CRSError(
                f"working_crs {crs.to_string()} is not projected; areas need metres. Pass a "
                "projected CRS, e.g. working_crs='EPSG:4527' (CGCS2000 3-degree GK zone 39)."
            )
        return crs
    if reference.crs is None:
        raise CRSError(
            f"the {describe(reference, role)} has no CRS; set it (gdf.set_crs(...)) or pass "
            "working_crs='EPSG:4527'."
        )
    if not reference.crs.is_projected:
        raise CRSError(
            f"the redline checks measure areas in metres; the {describe(reference, role)} is in "
            f"{reference.crs.to_string()} (geographic) and no working_crs was given. Pass "
            "working_crs='EPSG:4527' (CGCS2000 3-degree GK zone 39 for Huantai) or reproject "
            "the layer to a projected CRS."
        )
    return CRS.from_user_input(reference.crs)


def align_to(
    gdf: gpd.GeoDataFrame, crs: CRS, role: str
) -> tuple[gpd.GeoDataFrame, list[Finding]]:
    """Reproject ``gdf`` to ``crs`` when it differs, recording an ``info`` Finding.

    Returns the input unchanged (not a copy) when it already is in ``crs``.
    """
    if gdf.crs is None:
        raise CRSError(
            f"the {describe(gdf, role)} has no CRS; set it (gdf.set_crs(...)) before the check."
        )
    if CRS.from_user_input(gdf.crs) == crs:
        return gdf, []
    out = gdf.to_crs(crs)
    finding = Finding(
        code="reprojected",
        message=(
            f"the {describe(gdf, role)} was in {gdf.crs.to_string()}; reprojected to the "
            f"working CRS {crs.to_string()} for the redline checks (坐标系已转换)."
        ),
        count=len(gdf),
        severity="info",
        source=describe(gdf, role),
    )
    return out, [finding]


def snap(geoms: np.ndarray, grid_size: float) -> np.ndarray:
    """Snap coordinates to a grid of ``grid_size`` metres (valid output); 0 keeps them."""
    if grid_size < 0:
        raise ValueError(f"grid_size must be >= 0 metres, got {grid_size}")
    if grid_size == 0:
        return shapely.make_valid(np.asarray(geoms, dtype=object))
    return shapely.set_precision(np.asarray(geoms, dtype=object), grid_size)


def polygonal(geom: Any) -> Any:
    """Return the polygonal part of a geometry (a Polygon/MultiPolygon, possibly empty)."""
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def assign_township(
    geoms: np.ndarray, townships: gpd.GeoDataFrame | None
) -> np.ndarray:
    """Give each geometry the 9-digit ``zone`` of the township it overlaps most.

    Zero-area geometries (lines, points) take the township containing their
    representative point. ``""`` where no township is given or none contains the geometry.
    """
    out = np.full(len(geoms), "", dtype=object)
    if townships is None or len(geoms) == 0:
        return out
    tgeoms = townships.geometry.array
    zones = townships["zone"].astype(str).to_numpy()
    tree = shapely.STRtree(tgeoms)
    gi, ti = tree.query(geoms, predicate="intersects")
    if len(gi) == 0:
        return out
    areas = shapely.area(shapely.intersection(geoms[gi], np.asarray(tgeoms)[ti]))
    inside_point = shapely.contains(
        np.asarray(tgeoms)[ti], shapely.point_on_surface(geoms[gi])
    )
    pairs = pd.DataFrame(
        {"g": gi, "zone": zones[ti], "area": areas, "pt": inside_point.astype(int)}
    ).sort_values(["g", "area", "pt", "zone"], ascending=[True, False, False, True])
    best = pairs.drop_duplicates("g")
    out[best["g"].to_numpy()] = best["zone"].to_numpy()
    return out


def source_label(obj: pd.DataFrame | None) -> str:
    """Return ``path:layer`` of a table's recorded source, or ``""``."""
    if obj is None:
        return ""
    src = dict(obj.attrs.get("source", {}) or {})
    return ":".join(str(src[k]) for k in ("path", "layer") if src.get(k))
