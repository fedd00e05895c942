"""GeoPackage writers for the evidence layers (``redlines.gpkg``, ``idle_parcels.gpkg``).

Every layer holds one geometry type (GIS software styles and filters a layer by its type):
a layer whose features mix polygons, lines and points is written as ``NAME`` (the
polygons, as MultiPolygon), ``NAME_lines`` (MultiLineString: e.g. the shortest line from a
mining right to a protected area it is near, or a shared boundary) and ``NAME_points``
(MultiPoint), so every feature is in exactly one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

__all__ = ["single_type_layers", "write_gpkg"]

_DIMENSION_SUFFIX = {2: "", 1: "_lines", 0: "_points"}


def single_type_layers(name: str, frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
    """Split a layer into one layer per geometry dimension (see the module docstring).

    A layer of one dimension (or without shapes) is returned as it is, under ``name``;
    geometry collections count by their highest dimension and keep only those parts.
    """
    import shapely

    geoms = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    dims = shapely.get_dimensions(geoms)
    kinds = set(dims[present].tolist())
    if len(kinds) <= 1 and not (shapely.get_type_id(geoms[present]) == 7).any():
        return {name: frame}
    out = {}
    top = max(kinds)
    for dim in sorted(kinds, reverse=True):
        # features without a shape stay in the first layer, so none is lost
        part = frame[(present & (dims == dim)) | (~present if dim == top else False)]
        g = part.geometry.to_numpy()
        collections = shapely.get_type_id(g) == 7
        if collections.any():  # keep the parts of the collection's own dimension
            g = g.copy()
            g[collections] = [shapely.union_all([p for p in shapely.get_parts(c)
                                                 if shapely.get_dimensions(p) == dim])
                              for c in g[collections]]
            part = part.set_geometry(gpd.GeoSeries(g, index=part.index, crs=frame.crs))
        out[name + _DIMENSION_SUFFIX[dim]] = part
    return out


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
    split: dict[str, gpd.GeoDataFrame] = {}
    for name, frame in layers.items():
        split.update(single_type_layers(name, frame))
    for name, frame in split.items():
        plain = _plain(frame)
        no_shapes = plain.empty or bool(plain.geometry.isna().all())
        kwargs = {"geometry_type": "Unknown"} if no_shapes else {"promote_to_multi": True}
        plain.to_file(path, layer=name, driver="GPKG", engine="pyogrio", **kwargs)
    return path
