"""Hand-made vector fixtures for the reader tests (tiny layers written into tmp_path).

The land-use fixture: six 100 m x 100 m squares in CGCS2000 GK zone 39 (EPSG:4527), 10 km
east of the central meridian, in a row. TBMJ is the ellipsoidal area of each square computed
here directly with ``pyproj.Geod`` (independent of landuse), rounded to 0.01 m².
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import Polygon, box

X0 = 39_510_000.0
Y0 = 4_090_000.0
SIDE = 100.0
_GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid
_TO_LONLAT = Transformer.from_crs(4527, 4490, always_xy=True)

FORMATS = ("gpkg", "shp", "zip", "gdb", "geojson", "fgb", "parquet")


def geod_area(poly: Polygon, *, crs: int = 4527) -> float:
    """Ellipsoidal area (m²) of a polygon given in ``crs``, via pyproj.Geod, densified 1 m."""
    dense = shapely.segmentize(poly, 1.0)
    tr = _TO_LONLAT if crs == 4527 else Transformer.from_crs(crs, 4490, always_xy=True)
    lon, lat = tr.transform(*np.asarray(dense.exterior.coords).T)
    area = abs(_GEOD.polygon_area_perimeter(lon, lat)[0])
    for ring in dense.interiors:
        lon, lat = tr.transform(*np.asarray(ring.coords).T)
        area -= abs(_GEOD.polygon_area_perimeter(lon, lat)[0])
    return area


def square(i: int, j: int = 0) -> Polygon:
    """The square in column ``i``, row ``j`` of the fixture grid."""
    return box(X0 + i * SIDE, Y0 + j * SIDE, X0 + (i + 1) * SIDE, Y0 + (j + 1) * SIDE)


def make_dltb() -> gpd.GeoDataFrame:
    """Six consistent patches (TBDLMJ = TBMJ - KCMJ exactly), codes written untidily.

    Expected after normalisation (worked out by hand):
    DLBM    0101, 0201K, 0702, 1003, 1203, 1101
    KCDLBM  1203, '',    '',   '',   '',   ''
    CZCSXM  '',   '',    203,  '',   '',   ''
    township 370321100 (first three), 370321101 (last three)
    """
    geoms = [square(i) for i in range(6)]
    tbmj = np.round([geod_area(g) for g in geoms], 2)
    kcxs = np.array([0.05, 0, 0, 0, 0, 0])
    kcmj = np.round(tbmj * kcxs, 2)
    return gpd.GeoDataFrame(
        {
            "BSM": np.array([101, 102, 103, 104, 105, 106], dtype=np.int32),
            "DLBM": ["0101", "0201k", "0702", "1003", "1203", " 1101"],
            "DLMC": ["水田", "果园", "农村宅基地", "公路用地", "田坎", "河流水面"],
            "TBMJ": tbmj,
            "KCDLBM": ["1203", None, None, None, None, None],
            "KCXS": kcxs,
            "KCMJ": kcmj,
            "TBDLMJ": np.round(tbmj - kcmj, 2),
            "ZLDWDM": ["3703211001010000000"] * 3 + ["3703211012030000000"] * 3,
            "ZLDWMC": ["东村"] * 3 + ["西村"] * 3,
            "QSDWDM": ["3703211001010000000"] * 3 + ["3703211012030000000"] * 3,
            "QSXZ": ["30"] * 6,
            "CZCSXM": [None, None, "203", None, None, None],
        },
        geometry=geoms,
        crs=4527,
    )


def write(gdf: gpd.GeoDataFrame, fmt: str, folder: Path, *, layer: str = "DLTB",
          encoding: str | None = None) -> Path:
    """Write ``gdf`` as ``fmt`` into ``folder``; return the path to pass to a reader."""
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "gpkg":
        path = folder / "county.gpkg"
        pyogrio.write_dataframe(gdf, path, layer=layer)
    elif fmt in ("shp", "zip"):
        shp_dir = folder / "shp"
        shp_dir.mkdir(exist_ok=True)
        path = shp_dir / f"{layer}.shp"
        pyogrio.write_dataframe(gdf, path, encoding=encoding)
        if fmt == "zip":
            zpath = folder / f"{layer}.zip"
            with zipfile.ZipFile(zpath, "w") as zf:
                for member in sorted(shp_dir.iterdir()):
                    zf.write(member, member.name)
            shutil.rmtree(shp_dir)
            path = zpath
    elif fmt == "gdb":
        path = folder / "county.gdb"
        pyogrio.write_dataframe(gdf, path, layer=layer, driver="OpenFileGDB")
    elif fmt == "geojson":
        path = folder / f"{layer}.geojson"
        pyogrio.write_dataframe(gdf, path, driver="GeoJSON")
    elif fmt == "fgb":
        path = folder / f"{layer}.fgb"
        pyogrio.write_dataframe(gdf, path, driver="FlatGeobuf")
    elif fmt == "parquet":
        path = folder / f"{layer}.parquet"
        gdf.to_parquet(path)
    else:
        raise ValueError(fmt)
    return path
