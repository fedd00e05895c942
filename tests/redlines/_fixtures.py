"""Hand-made fixtures for the redline tests: boxes in EPSG:4527 near Huantai.

Every geometry is an axis-aligned box offset from (X0, Y0), so each area can be worked out
on paper (width x height, in metres).
"""

from __future__ import annotations

import geopandas as gpd
import shapely

X0, Y0 = 39_560_000.0, 4_090_000.0
CRS = "EPSG:4527"


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box in local metres, placed at (X0, Y0) in EPSG:4527."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def rights_frame(rows: list[tuple], crs: str = CRS) -> gpd.GeoDataFrame:
    """Rows of (licence_no, stage, geometry) -> a mining-rights frame."""
    return gpd.GeoDataFrame(
        {
            "licence_no": [r[0] for r in rows],
            "right_type": "采矿权",
            "holder": "某矿业公司",
            "mineral": "石灰岩",
            "valid_from": "2015-01-01",
            "valid_to": "2025-01-01",
            "stage": [r[1] for r in rows],
        },
        geometry=[r[2] for r in rows],
        crs=crs,
    )


def protected_frame(rows: list[tuple], crs: str = CRS) -> gpd.GeoDataFrame:
    """Rows of (id, category, zone, geometry) -> a protected-areas frame."""
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "name": [f"{r[1]}{r[0]}" for r in rows],
            "category": [r[1] for r in rows],
            "subtype": "",
            "zone": [r[2] for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs=crs,
    )


def reserve() -> gpd.GeoDataFrame:
    """One nature-reserve core zone, 1000 m x 1000 m."""
    return protected_frame([("NR1", "自然保护区", "核心保护区", box(0, 0, 1000, 1000))])
