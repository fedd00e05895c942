"""Lazy reading of GeoParquet land-use files, one partition per file (county).

See :func:`read_landuse_dask` and ``docs/distributed.md``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import pyproj

from landuse.errors import InputFileError
from landuse.io.vector import read_landuse

if TYPE_CHECKING:
    import dask_geopandas

__all__ = ["LANDUSE_META_COLUMNS", "read_landuse_dask"]

#: columns of the normalised land-use frame (docs/architecture.md) and their dtypes
LANDUSE_META_COLUMNS: dict[str, str] = {
    "BSM": "str", "DLBM": "str", "DLMC": "str", "TBMJ": "float64", "KCDLBM": "str",
    "KCXS": "float64", "KCMJ": "float64", "TBDLMJ": "float64", "ZLDWDM": "str",
    "ZLDWMC": "str", "QSDWDM": "str", "QSXZ": "str", "CZCSXM": "str", "county": "str",
    "township": "str", "village": "str",
}


def _parquet_crs(path: Path) -> pyproj.CRS:
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    geo = meta.get(b"geo")
    if geo is None:
        raise InputFileError(
            f"{path} is not GeoParquet (no 'geo' metadata); write it with "
            "GeoDataFrame.to_parquet or convert it (ogr2ogr needs a Parquet driver)")
    info = json.loads(geo)
    col = info["columns"][info.get("primary_column", "geometry")]
    crs = col.get("crs", "OGC:CRS84")
    return pyproj.CRS.from_user_input(crs if crs is not None else "OGC:CRS84")


def _read_one(path: str, working_crs: str | None) -> gpd.GeoDataFrame:

    gdf = read_landuse(path, working_crs=working_crs)
    keep = [*LANDUSE_META_COLUMNS, gdf.geometry.name]
    out = gdf[keep]
    out.attrs = {"source": gdf.attrs.get("source", {})}
    return out


def read_landuse_dask(
    paths: Sequence[str | Path] | str | Path,
    *,
    working_crs: Any | None = None,
) -> dask_geopandas.GeoDataFrame:
    """Read GeoParquet land-use files lazily, one partition per file (e.g. per county).

    Each partition is :func:`landuse.io.vector.read_landuse` of one file, run on a
    worker when the partition is needed, so the normalisation and validation rules are
    the single-machine ones. A folder stands for its ``*.parquet`` files (sorted).

    Parameters
    ----------
    paths : path, folder or sequence of paths
        GeoParquet files (one per county).
    working_crs : CRS-like, optional
        Projected CRS for every partition; default: the first file's CRS (which must be
        projected, or give one).

    Returns
    -------
    dask_geopandas.GeoDataFrame
        Columns :data:`LANDUSE_META_COLUMNS` and ``geometry``.
    """
    import dask
    import dask.dataframe as dd

    if isinstance(paths, str | Path) and Path(paths).is_dir():
        files = sorted(Path(paths).glob("*.parquet"))
    elif isinstance(paths, str | Path):
        files = [Path(paths)]
    else:
        files = [Path(p) for p in paths]
    if not files:
        raise InputFileError(f"read_landuse_dask: no GeoParquet files in {paths}; give "
                             "*.parquet files (one per county)")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise InputFileError(f"read_landuse_dask: file(s) not found: {missing[:5]}")
    crs = pyproj.CRS.from_user_input(working_crs) if working_crs else _parquet_crs(files[0])
    if not crs.is_projected:
        raise InputFileError(
            f"{files[0]} is in {crs.to_string()} (geographic); pass working_crs= a projected "
            "CRS, e.g. EPSG:4527 (CGCS2000 3-degree GK zone 39), so every partition agrees")
    target = crs.to_string()
    meta = gpd.GeoDataFrame({c: pd.Series(dtype=t) for c, t in LANDUSE_META_COLUMNS.items()},
                            geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    parts = [dask.delayed(_read_one, pure=True)(str(f), target) for f in files]
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_delayed(parts, meta=meta, verify_meta=False)
