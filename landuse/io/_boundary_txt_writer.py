"""Writing boundary-point TXT files (``write_boundary_txt``, ``landuse vec2txt``).

Private module: the public names are re-exported by :mod:`landuse.io.boundary_txt`. The
format's tables (datums, Gauss-Krüger EPSG codes, header forms) come from
:mod:`landuse.io._txt_format`, which the reader shares; this module does not import the
reader.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyogrio.errors import DataLayerError, DataSourceError
from shapely.geometry.base import BaseGeometry

from landuse.errors import GeometryError, InputFileError
from landuse.findings import Finding
from landuse.io._curves import read_vector
from landuse.io._txt_format import DATUMS, EXTRA_COLUMNS, HEADER_FORMS, zone_of
from landuse.units import m2_to_ha

__all__ = ["vector_to_txt", "write_boundary_txt"]


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


def write_boundary_txt(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    encoding: str = "GBK",
    producer: str | None = None,
    date: str | _dt.date | None = None,
    precision: float = 0.001,
    format_version: str | None = None,
) -> Path:
    """Write parcels to a boundary-point TXT file (docs/domain.md §5.1) that reads back identically.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        In a Gauss-Krüger CRS of CGCS2000, Xian 1980 or Beijing 1954 (its zone and prefix
        convention go to the header; coordinates are written as they are). Optional columns
        ``parcel_no`` (default 1, 2, ...), ``name``, ``sheet``, ``use``, ``dlbm``,
        ``area_ha_header`` (default: the planar polygon area in ha, rounded to 4 decimals;
        empty for points and lines), the extra header fields ``patch_type``, ``land_class``,
        ``grade_before``, ``grade_after``, ``description``, ``note`` and ``point_names``
        (see :func:`~landuse.io.boundary_txt.read_boundary_txt`). Polygons, lines and
        points; holes and parts of a MultiPolygon are numbered 圈号 1, 2, ... (each part's
        outer ring, then its holes).
    path : path-like
        Output file; written to a temporary file beside it and then moved in place.
    encoding : {"GBK", "utf-8"}
    producer, date, format_version : str, optional
        数据产生单位, 数据产生日期, 格式版本号. Default: those of the source file when ``gdf``
        was read from a TXT file (``attrs["source"]``), else ``"landuse"``, today and
        ``"1.01版本"``.
    precision : float
        Coordinate precision in metres (精度); coordinates are rounded to it.

    Returns
    -------
    pathlib.Path
        The file written. The header has 8 fields, or 13 when any parcel has a
        ``patch_type``, ``land_class``, ``grade_before`` or ``grade_after`` (土地整治 /
        补充耕地 form), or 10 when it only has a ``description`` or ``note``. Points keep the
        names of ``point_names`` when it names every point line of the parcel (or every
        point but the closing repeats); otherwise they are named J1, J2, ... per parcel
        (a ``LanduseWarning`` says so for a parcel whose names did not fit). Rings are
        closed by repeating their first point (and its name); X = northing, Y = easting;
        CRLF lines.
    """
    datum, width, zone, _ = zone_of(gdf.crs)
    if gdf.geometry.isna().any() or gdf.geometry.is_empty.any():
        k = int(np.flatnonzero(gdf.geometry.isna() | gdf.geometry.is_empty)[0])
        raise GeometryError(f"row {k} has no geometry; a boundary-point TXT needs one per parcel")
    source = gdf.attrs.get("source", {}) if gdf.attrs.get("source", {}).get(
        "role") == "boundary_txt" else {}
    producer = producer or source.get("producer") or "landuse"
    date = date or source.get("date") or _dt.date.today()
    format_version = format_version or source.get("format_version") or "1.01版本"
    dec = max(0, round(-np.log10(precision)))
    n = len(gdf)

    def col(name: str, default: list[Any]) -> list[Any]:
        if name not in gdf.columns:
            return default
        return ["" if pd.isna(v) else str(v) for v in gdf[name]]

    nos = col("parcel_no", [str(i + 1) for i in range(n)])
    names, sheets, uses, dlbms = (col(c, [""] * n) for c in ("name", "sheet", "use", "dlbm"))
    extra = {field: col(c, [""] * n) for field, c in EXTRA_COLUMNS.items()}
    points = col("point_names", [""] * n)
    form = _header_form(extra)
    heads = gdf["area_ha_header"].to_numpy(float) if "area_ha_header" in gdf else np.full(n, np.nan)
    out = [
        "[属性描述]", f"格式版本号={format_version}", f"数据产生单位={producer}",
        f"数据产生日期={date}", f"坐标系={DATUMS[datum]}", f"几度分带={width}",
        "投影类型=高斯克吕格", "计量单位=米", f"带号={zone}", f"精度={precision:g}",
        "转换参数=,,,,,,", "[地块坐标]",
    ]
    renamed: list[str] = []
    for i, geom in enumerate(gdf.geometry):
        kind, rings = _rings_of(geom)
        given = points[i].split(",") if points[i] else []
        labels = _point_labels(kind, rings, given)
        if given and labels is None:
            renamed.append(nos[i])
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
        if labels is not None:
            lines = [f"{nm},{line.split(',', 1)[1]}" for nm, line in zip(labels, lines,
                                                                          strict=True)]
        area = heads[i] if np.isfinite(heads[i]) else (
            m2_to_ha(geom.area) if kind == "面" else np.nan)
        area_s = "" if not np.isfinite(area) else f"{area:.4f}"
        fields = [str(len(lines)), area_s, nos[i], names[i], kind, sheets[i], uses[i], dlbms[i],
                  *(extra[f][i] for f in form[8:])]
        out.append(",".join(fields) + ",@")
        out += lines
    dropped = [nos[i] for i in range(n) if extra["描述"][i]] if "描述" not in form else []
    if dropped:
        Finding("description_not_written", f"write_boundary_txt: {len(dropped)} parcel(s) "
                "have a description (描述) besides 土地整治 fields (图斑类型 / 地类 / 等别前 / "
                "等别后); the 13-field header has no 描述, so it is not written. Move it to "
                "note (备注) to keep it", len(dropped), "warning", str(path), dropped[:5]).warn()
    if renamed:
        Finding("point_names_replaced", f"write_boundary_txt: point_names of {len(renamed)} "
                "parcel(s) do not match their points (edited geometry?); those points are "
                "named J1, J2, ...", len(renamed), "warning", str(path), renamed[:5]).warn()
    target = Path(path)
    _atomic_write(target, ("\r\n".join(out) + "\r\n").encode("gb18030" if encoding.upper() in
                                                             ("GBK", "GB18030") else encoding))
    return target


def _header_form(extra: dict[str, list[str]]) -> tuple[str, ...]:
    """Return the shortest header form (8, 10 or 13 fields) holding every extra field given."""
    used = {field for field, values in extra.items() if any(values)}
    for n in (8, 10, 13):
        if used <= set(HEADER_FORMS[n]):
            return HEADER_FORMS[n]
    return HEADER_FORMS[13]  # 描述 with 13-field data: not written (a warning says so)


def _point_labels(kind: str, rings: list[np.ndarray], given: list[str]) -> list[str] | None:
    """Return the given point names for the lines to be written, or None if they do not fit.

    Fits when there is one name per line written (closed rings repeat their first point), or
    one per distinct point of each 面 ring (the closing line then repeats the first name).
    """
    if not given:
        return None
    sizes = [len(r) - 1 if kind == "面" else len(r) for r in rings]
    lines = sum(s + (kind == "面") for s in sizes)
    if len(given) == lines:
        return given
    if kind == "面" and len(given) == sum(sizes):
        out: list[str] = []
        k = 0
        for s in sizes:
            out += [*given[k:k + s], given[k]]
            k += s
        return out
    return None


def _atomic_write(target: Path, data: bytes) -> None:
    """Write to a temporary file in the target's folder, then move it in place.

    The file gets the mode the user's umask asks for (``mkstemp`` makes it 0600).
    """
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix)
    os.close(fd)
    try:
        Path(tmp).write_bytes(data)
        mask = os.umask(0)
        os.umask(mask)
        Path(tmp).chmod(0o666 & ~mask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        gdf = read_vector(in_path, layer=layer)  # curved geometries linearised
    except (OSError, DataSourceError, DataLayerError) as exc:
        raise InputFileError(f"cannot read the vector layer {layer or ''} of {in_path}: {exc}; "
                             "check the path and the layer name") from exc
    return write_boundary_txt(gdf, out_path, encoding=encoding)
