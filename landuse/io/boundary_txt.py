"""The ministry's boundary-point TXT format (界址点坐标文件, docs/domain.md §5.1): read and write.

A file holds an ``[属性描述]`` section (``key=value`` metadata: datum, zone width, zone,
precision ...), optional extra sections such as ``[项目信息]``, and a ``[地块坐标]`` section::

    5,0.6547,1,地块名称,面,,工业用地,0601,@        <- parcel header (ends in "@")
    J1,1,4091429.391,39589071.190                  <- 点号,圈号,X (northing),Y (easting)

The public face of three private modules: the reader
(:mod:`landuse.io._boundary_txt_reader`), the writer (:mod:`landuse.io._boundary_txt_writer`)
and the format they share (:mod:`landuse.io._txt_format`: header forms, datums, Gauss-Krüger
EPSG codes). Reader and writer do not import each other; this module imports both and adds
the TXT -> vector conversion. See docs/boundary_txt.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from landuse.errors import GeometryError
from landuse.io._boundary_txt_reader import read_boundary_txt
from landuse.io._boundary_txt_writer import vector_to_txt, write_boundary_txt
from landuse.io._txt_format import COLUMNS, DATUMS, gk_epsg

__all__ = [
    "COLUMNS",
    "DATUMS",
    "gk_epsg",
    "read_boundary_txt",
    "txt_to_vector",
    "vector_to_txt",
    "write_boundary_txt",
]


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
    gdf = read_boundary_txt(in_path, encoding=encoding)
    out = Path(out_path)
    kinds = sorted(set(gdf["geometry_kind"]))
    if out.suffix.lower() == ".shp" and len(kinds) > 1:
        raise GeometryError(f"{in_path} holds {'/'.join(kinds)} parcels, which one Shapefile "
                            "cannot store; write a .gpkg (or .geojson) instead")
    if out.suffix.lower() == ".shp":  # a .dbf text field holds 254 characters at most
        gdf = gdf.drop(columns="point_names")
    kwargs = {"layer": layer or Path(in_path).stem} if out.suffix.lower() == ".gpkg" else {}
    tmpdir = Path(tempfile.mkdtemp(dir=out.parent, prefix=".txt2vec."))
    try:
        gdf.to_file(tmpdir / out.name, **kwargs)
        for f in sorted(tmpdir.iterdir()):  # a Shapefile is several files
            os.replace(f, out.parent / f.name)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return out
