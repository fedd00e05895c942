"""Writing boundary-point TXT files, and TXT <-> vector conversion (``txt2vec`` / ``vec2txt``).

Private module: the public names are re-exported by :mod:`landuse.io.boundary_txt`. It reads
the Gauss-Krüger tables and the reader of that module at call time.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry.base import BaseGeometry

from landuse.errors import CRSError, GeometryError, InputFileError

__all__ = ["txt_to_vector", "vector_to_txt", "write_boundary_txt"]


def _txt() -> Any:
    """Return :mod:`landuse.io.boundary_txt` (imported here: the modules import each other)."""
    from landuse.io import boundary_txt

    return boundary_txt


def _rings_of(geom: BaseGeometry) -> tuple[str, list[np.ndarray]]:
    """Return the kind (点/线/面) and the rings (圈号 order) of a geometry, as (x, y) arrays."""
    t = geom.geom_type
    if t in ("Polygon", "MultiPolygon"):
        polys = [geom] if t == "Polygon" else list(geom.geoms)
        rings = [np.asarray(r.coords)[:, :2] for p in polys for r in (p.exterior, *p.interiors)]
        return "面", rings
    if t in ("LineString", "MultiLineString"):
        lines = [geom] if t == "LineString" else list(geom.geoms)
        return "线", [np.asarray(g.coords)[:, :2] for g in lines]
    if t in ("Point", "MultiPoint"):
        return "点", [shapely.get_coordinates(geom)]
    raise GeometryError(f"cannot write a {t} to a boundary-point TXT; expected polygons, lines "
                        "or points")


def _zone_of(crs: Any) -> tuple[str, int, int, bool]:
    """(datum, zone width, zone, prefixed) of a CRS in the Gauss-Krüger tables, or CRSError."""
    epsg = pyproj.CRS.from_user_input(crs).to_epsg() if crs is not None else None
    for (datum, width, prefixed), base in _txt()._EPSG_BASE.items():
        if epsg is not None and epsg - base in _txt()._ZONES[width]:
            return datum, width, epsg - base, prefixed
    raise CRSError(f"write_boundary_txt needs a CGCS2000, Xian 1980 or Beijing 1954 Gauss-Krüger "
                   f"CRS; the layer is {crs!s}. Reproject it first, e.g. gdf.to_crs(4527)")


def write_boundary_txt(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    encoding: str = "GBK",
    producer: str = "landuse",
    date: str | _dt.date | None = None,
    precision: float = 0.001,
    format_version: str = "1.01版本",
) -> Path:
    """Write parcels to a boundary-point TXT file (domain.md §5.1) that reads back identically.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        In a Gauss-Krüger CRS of CGCS2000, Xian 1980 or Beijing 1954 (its zone and prefix
        convention go to the header; coordinates are written as they are). Optional columns
        ``parcel_no`` (default 1, 2, ...), ``name``, ``sheet``, ``use``, ``dlbm`` and
        ``area_ha_header`` (default: the planar polygon area in ha, rounded to 4 decimals;
        empty for points and lines). Polygons, lines and points; holes and parts of a
        MultiPolygon are numbered 圈号 1, 2, ... (each part's outer ring, then its holes).
    path : path-like
        Output file; written to a temporary file beside it and then moved in place.
    encoding : {"GBK", "utf-8"}
    producer, date, format_version : str
        数据产生单位, 数据产生日期 (default today), 格式版本号.
    precision : float
        Coordinate precision in metres (精度); coordinates are rounded to it.

    Returns
    -------
    pathlib.Path
        The file written. Points are named J1, J2, ... per parcel; rings are closed by
        repeating their first point (and its name); X = northing, Y = easting; CRLF lines.
    """
    datum, width, zone, _ = _zone_of(gdf.crs)
    if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
        k = int(np.flatnonzero(gdf.geometry.isna() | gdf.geometry.is_empty)[0])
        raise GeometryError(f"row {k} has no geometry; a boundary-point TXT needs one per parcel")
    dec = max(0, round(-np.log10(precision)))
    date = date or _dt.date.today()
    n = len(gdf)

    def col(name: str, default: list[Any]) -> list[Any]:
        if name not in gdf.columns:
            return default
        return ["" if pd.isna(v) else str(v) for v in gdf[name]]

    nos = col("parcel_no", [str(i + 1) for i in range(n)])
    names, sheets, uses, dlbms = (col(c, [""] * n) for c in ("name", "sheet", "use", "dlbm"))
    heads = gdf["area_ha_header"].to_numpy(float) if "area_ha_header" in gdf else np.full(n, np.nan)
    out = [
        "[属性描述]", f"格式版本号={format_version}", f"数据产生单位={producer}",
        f"数据产生日期={date}", f"坐标系={_txt().DATUMS[datum]}", f"几度分带={width}",
        "投影类型=高斯克吕格", "计量单位=米", f"带号={zone}", f"精度={precision:g}",
        "转换参数=,,,,,,", "[地块坐标]",
    ]
    for i, geom in enumerate(gdf.geometry):
        kind, rings = _rings_of(geom)
        lines: list[str] = []
        k = 0
        for rno, r in enumerate(rings, start=1):
            closing = kind == "面"
            body = r[:-1] if closing else r
            names_r = [f"J{k + j + 1}" for j in range(len(body))]
            k += len(body)
            if closing:
                names_r.append(names_r[0])
                body = np.vstack([body, body[:1]])
            lines += [f"{nm},{rno},{y:.{dec}f},{x:.{dec}f}" for nm, (x, y) in zip(names_r, body,
                                                                                 strict=True)]
        area = heads[i] if np.isfinite(heads[i]) else (geom.area / 1e4 if kind == "面" else np.nan)
        area_s = "" if not np.isfinite(area) else f"{area:.4f}"
        out.append(f"{len(lines)},{area_s},{nos[i]},{names[i]},{kind},{sheets[i]},{uses[i]},"
                   f"{dlbms[i]},@")
        out += lines
    target = Path(path)
    _atomic_write(target, ("\r\n".join(out) + "\r\n").encode("gb18030" if encoding.upper() in
                                                             ("GBK", "GB18030") else encoding))
    return target


def _atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file in the target's folder, then move it in place."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix)
    os.close(fd)
    try:
        Path(tmp).write_bytes(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def txt_to_vector(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str | None = None,
) -> Path:
    """Convert a boundary-point TXT file to a vector file (``landuse txt2vec``).

    The driver follows the extension of ``out_path`` (.gpkg, .geojson, .fgb, .shp). The
    output is written to a temporary file beside it and moved in place at the end, so a
    failure leaves no partial output. Findings are emitted as warnings by the reader.

    Returns
    -------
    pathlib.Path
        ``out_path``.
    """
    gdf = _txt().read_boundary_txt(in_path, encoding=encoding)
    out = Path(out_path)
    kinds = sorted(set(gdf["geometry_kind"]))
    if out.suffix.lower() == ".shp" and len(kinds) > 1:
        raise GeometryError(f"{in_path} holds {'/'.join(kinds)} parcels, which one Shapefile "
                            "cannot store; write a .gpkg (or .geojson) instead")
    kwargs = {"layer": layer or Path(in_path).stem} if out.suffix.lower() == ".gpkg" else {}
    tmpdir = Path(tempfile.mkdtemp(dir=out.parent, prefix=".txt2vec."))
    try:
        gdf.to_file(tmpdir / out.name, **kwargs)
        for f in sorted(tmpdir.iterdir()):  # a Shapefile is several files
            os.replace(f, out.parent / f.name)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return out


def vector_to_txt(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str = "GBK",
) -> Path:
    """Convert a vector layer to a boundary-point TXT file (``landuse vec2txt``).

    The layer must be in a Gauss-Krüger CRS of CGCS2000, Xian 1980 or Beijing 1954 and may
    carry the columns of :func:`read_boundary_txt` (``parcel_no``, ``name``, ``sheet``,
    ``use``, ``dlbm``, ``area_ha_header``); the file is written atomically.

    Returns
    -------
    pathlib.Path
        ``out_path``.
    """
    try:
        gdf = gpd.read_file(in_path, layer=layer)
    except (OSError, DataSourceError, DataLayerError) as exc:
        raise InputFileError(f"cannot read the vector layer {layer or ''} of {in_path}: {exc}; "
                             "check the path and the layer name") from exc
    return write_boundary_txt(gdf, out_path, encoding=encoding)
