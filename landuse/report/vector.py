"""GeoPackage writers for the evidence layers (``redlines.gpkg``, ``idle_parcels.gpkg``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

__all__ = ["write_gpkg"]


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Copy with columns GPKG can store: object/str columns as str, dicts and lists as text."""
    out = frame.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        s = out[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            out[col] = s.map(lambda v: None if v is None or (isinstance(v, float) and v != v)
                             else str(v)).astype(object)
    return out


def write_gpkg(path: str | Path, layers: Mapping[str, gpd.GeoDataFrame]) -> Path:
    """Write several layers into one GeoPackage; empty layers are written too (no features).

    Parameters
    ----------
    path : str or Path
        The ``.gpkg`` file (created; an existing file is replaced).
    layers : mapping of str to GeoDataFrame
        Layer name -> features, each with a CRS.

    Returns
    -------
    Path
    """
    path = Path(path)
    if path.exists():
        path.unlink()
    for name, frame in layers.items():
        plain = _plain(frame)
        no_shapes = plain.empty or bool(plain.geometry.isna().all())
        kwargs = {"geometry_type": "Unknown"} if no_shapes else {"promote_to_multi": True}
        plain.to_file(path, layer=name, driver="GPKG", engine="pyogrio", **kwargs)
    return path
